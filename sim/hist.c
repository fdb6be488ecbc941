/* hist.c -- growable arrays of operations and effects.
 * Invariant: ops[i].id == i; counts never exceed the HIST_*_MAX bounds. */
#include "sim/hist.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hist_init(hist *h) {
    SIM_ASSERT(h != NULL);
    memset(h, 0, sizeof *h);
    h->vocab = &hist_core_vocab;
    h->epoch_next = 1;
}

void hist_free(hist *h) {
    SIM_ASSERT(h != NULL);
    free(h->ops);
    free(h->effects);
    memset(h, 0, sizeof *h);
}

/* Records are copied field by field into zeroed memory, so that padding is
 * zero whatever the caller's struct held: the history is compared and
 * hashed as bytes (same seed, same bytes; DESIGN.md 3).  A new field must
 * be copied here: the size checks below fail until it is. */
_Static_assert(sizeof(hist_op) == 208, "copy the new hist_op field in copy_op");
_Static_assert(sizeof(hist_effect) == 120, "copy the new hist_effect field in copy_effect");

static void copy_op(hist_op *dst, const hist_op *src) {
    memset(dst, 0, sizeof *dst);
    dst->id = src->id;
    dst->node = src->node;
    dst->process = src->process;
    dst->f = src->f;
    dst->result = src->result;
    dst->invoke_ns = src->invoke_ns;
    dst->complete_ns = src->complete_ns;
    dst->invoke_local_ns = src->invoke_local_ns;
    dst->value_in = src->value_in;
    dst->value_out = src->value_out;
    dst->has_value_in = src->has_value_in;
    dst->has_value_out = src->has_value_out;
    dst->epoch = src->epoch;
    dst->token = src->token;
    memcpy(dst->note, src->note, sizeof dst->note);
    memcpy(dst->key, src->key, sizeof dst->key);
    memcpy(dst->key2, src->key2, sizeof dst->key2);
    dst->delta = src->delta;
}

static void copy_effect(hist_effect *dst, const hist_effect *src) {
    memset(dst, 0, sizeof *dst);
    dst->kind = src->kind;
    dst->t_ns = src->t_ns;
    dst->local_ns = src->local_ns;
    dst->node = src->node;
    dst->client = src->client;
    dst->op = src->op;
    dst->epoch = src->epoch;
    dst->token = src->token;
    dst->value = src->value;
    memcpy(dst->key, src->key, sizeof dst->key);
    dst->aux = src->aux;
    dst->txn = src->txn;
    dst->pred = src->pred;
    dst->version = src->version;
}

bool hist_add_op(hist *h, const hist_op *op, uint32_t *id_out) {
    SIM_ASSERT(op != NULL);
    SIM_ASSERT(op->f != HIST_KIND_NONE);
    if (h->op_count >= HIST_OPS_MAX) return false;
    if (h->op_count == h->op_cap) {
        h->op_cap = h->op_cap ? h->op_cap * 2 : 256;
        h->ops = sim_xrealloc(h->ops, h->op_cap * sizeof *h->ops);
    }
    uint32_t id = h->op_count++;
    copy_op(&h->ops[id], op);
    h->ops[id].id = id;
    if (id_out) *id_out = id;
    return true;
}

bool hist_add_effect(hist *h, const hist_effect *e) {
    SIM_ASSERT(e != NULL);
    SIM_ASSERT(e->kind != HIST_KIND_NONE);
    if (h->effect_count >= HIST_EFFECTS_MAX) return false;
    if (h->effect_count > 0) SIM_ASSERT(h->effects[h->effect_count - 1].t_ns <= e->t_ns);
    if (h->effect_count == h->effect_cap) {
        h->effect_cap = h->effect_cap ? h->effect_cap * 2 : 256;
        h->effects = sim_xrealloc(h->effects, h->effect_cap * sizeof *h->effects);
    }
    copy_effect(&h->effects[h->effect_count++], e);
    return true;
}

const char *hist_result_name(hist_result r) {
    switch (r) {
    case HIST_PENDING: return "pending";
    case HIST_OK: return "ok";
    case HIST_FAIL: return "fail";
    case HIST_INFO: return "info";
    }
    SIM_UNREACHABLE("unknown hist_result");
    return "?";
}

/* ------------------------------------------------------------ vocabulary */

static void label_read(const hist_effect *e, const char *client, char *b, size_t n) {
    snprintf(b, n, "%s read %lld", client, (long long)e->value);
}

static void label_write(const hist_effect *e, const char *client, char *b, size_t n) {
    if (e->epoch != 0) snprintf(b, n, "%s wrote %lld (epoch %lld)", client, (long long)e->value,
                                (long long)e->epoch);
    else snprintf(b, n, "%s wrote %lld", client, (long long)e->value);
}

static void label_reject(const hist_effect *e, const char *client, char *b, size_t n) {
    snprintf(b, n, "refused %s's token %lld", client, (long long)e->token);
}

static void label_retry(const hist_effect *e, const char *client, char *b, size_t n) {
    (void)client;
    snprintf(b, n, "retry %lld", (long long)e->value);
}

void hist_label_key(const hist_effect *e, const char *client, char *b, size_t n) {
    SIM_ASSERT(e != NULL);
    SIM_ASSERT(b != NULL);
    (void)client;
    snprintf(b, n, "%s", e->key);
}

const hist_kind_def hist_core_ops[] = {
    { .kind = HIST_F_READ, .name = "read", .value = HIST_VALUE_READ },
    { .kind = HIST_F_WRITE, .name = "write", .value = HIST_VALUE_WRITE },
    { .kind = HIST_F_CAS, .name = "cas", .value = HIST_VALUE_CAS },
    { .kind = HIST_F_INCR, .name = "incr", .value = HIST_VALUE_ASKED_GOT },
    { .name = NULL },
};

const hist_kind_def hist_core_effects[] = {
    { .kind = HIST_EFF_READ, .name = "read", .mark = HIST_MARK_DOT, .label = label_read },
    { .kind = HIST_EFF_WRITE, .name = "write", .mark = HIST_MARK_SQUARE, .label = label_write },
    { .kind = HIST_EFF_REJECT, .name = "reject", .mark = HIST_MARK_CROSS, .mark_rgb = 0xe07000u,
      .label = label_reject },
    { .kind = HIST_EFF_BALANCE_INIT, .name = "balance-init" },
    { .kind = HIST_EFF_BALANCE, .name = "balance" },
    { .kind = HIST_EFF_BLOCKED, .name = "blocked" },
    { .kind = HIST_EFF_UNBLOCKED, .name = "unblocked" },
    { .kind = HIST_EFF_RETRY, .name = "retry", .mark = HIST_MARK_DOT, .mark_rgb = HIST_MARK_LIGHT,
      .label = label_retry },
    { .kind = HIST_EFF_LOST, .name = "lost", .only_when_used = true },
    { .name = NULL },
};

size_t hist_kinds_count(const hist_kind_def *t) {
    size_t n = 0;
    while (t != NULL && t[n].name != NULL) n++;
    return n;
}

const hist_kind_def *hist_kinds_find(const hist_kind_def *t, uint16_t kind) {
    for (size_t i = 0; t != NULL && t[i].name != NULL; i++)
        if (t[i].kind == kind) return &t[i];
    return NULL;
}

static size_t core_op_count(void) { return hist_kinds_count(hist_core_ops); }
static size_t core_effect_count(void) { return hist_kinds_count(hist_core_effects); }

static const hist_kind_def *core_op_at(size_t i) {
    SIM_ASSERT(i < core_op_count());
    return &hist_core_ops[i];
}

static const hist_kind_def *core_effect_at(size_t i) {
    SIM_ASSERT(i < core_effect_count());
    return &hist_core_effects[i];
}

static const hist_kind_def *core_op_find(hist_f f) { return hist_kinds_find(hist_core_ops, f); }
static const hist_kind_def *core_effect_find(hist_eff_kind k) { return hist_kinds_find(hist_core_effects, k); }

const hist_vocab hist_core_vocab = {
    core_op_count, core_op_at, core_op_find, core_effect_count, core_effect_at, core_effect_find,
};

const hist_kind_def *hist_f_def(const hist *h, hist_f f) {
    SIM_ASSERT(h != NULL);
    SIM_ASSERT(h->vocab != NULL);
    const hist_kind_def *d = h->vocab->op_find(f);
    SIM_ASSERT(d != NULL);             /* every kind recorded is in the run's vocabulary */
    return d;
}

const char *hist_f_name(const hist *h, hist_f f) { return hist_f_def(h, f)->name; }

const char *hist_eff_name(const hist *h, hist_eff_kind k) {
    SIM_ASSERT(h != NULL);
    SIM_ASSERT(h->vocab != NULL);
    const hist_kind_def *d = h->vocab->effect_find(k);
    SIM_ASSERT(d != NULL);
    return d->name;
}
