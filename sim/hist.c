/* hist.c -- growable arrays of operations and effects.
 * Invariant: ops[i].id == i; counts never exceed the HIST_*_MAX bounds. */
#include "sim/hist.h"

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

bool hist_add_op(hist *h, const hist_op *op, uint32_t *id_out) {
    SIM_ASSERT(op != NULL);
    SIM_ASSERT(op->f != HIST_KIND_NONE);
    if (h->op_count >= HIST_OPS_MAX) return false;
    if (h->op_count == h->op_cap) {
        h->op_cap = h->op_cap ? h->op_cap * 2 : 256;
        h->ops = sim_xrealloc(h->ops, h->op_cap * sizeof *h->ops);
    }
    uint32_t id = h->op_count++;
    h->ops[id] = *op;
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
    h->effects[h->effect_count++] = *e;
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

const hist_kind_def hist_core_ops[] = {
    { HIST_F_READ, "read", HIST_VALUE_READ },
    { HIST_F_WRITE, "write", HIST_VALUE_WRITE },
    { HIST_F_CAS, "cas", HIST_VALUE_CAS },
    { HIST_F_INCR, "incr", HIST_VALUE_ASKED_GOT },
    { 0, NULL, HIST_VALUE_NIL },
};

const hist_kind_def hist_core_effects[] = {
    { HIST_EFF_READ, "read", HIST_VALUE_NIL },
    { HIST_EFF_WRITE, "write", HIST_VALUE_NIL },
    { HIST_EFF_REJECT, "reject", HIST_VALUE_NIL },
    { HIST_EFF_BALANCE_INIT, "balance-init", HIST_VALUE_NIL },
    { HIST_EFF_BALANCE, "balance", HIST_VALUE_NIL },
    { HIST_EFF_BLOCKED, "blocked", HIST_VALUE_NIL },
    { HIST_EFF_UNBLOCKED, "unblocked", HIST_VALUE_NIL },
    { HIST_EFF_RETRY, "retry", HIST_VALUE_NIL },
    { 0, NULL, HIST_VALUE_NIL },
};

static size_t table_count(const hist_kind_def *t) {
    size_t n = 0;
    while (t[n].name != NULL) n++;
    return n;
}

static const hist_kind_def *table_find(const hist_kind_def *t, uint16_t kind) {
    for (size_t i = 0; t[i].name != NULL; i++)
        if (t[i].kind == kind) return &t[i];
    return NULL;
}

static size_t core_op_count(void) { return table_count(hist_core_ops); }
static size_t core_effect_count(void) { return table_count(hist_core_effects); }

static const hist_kind_def *core_op_at(size_t i) {
    SIM_ASSERT(i < core_op_count());
    return &hist_core_ops[i];
}

static const hist_kind_def *core_effect_at(size_t i) {
    SIM_ASSERT(i < core_effect_count());
    return &hist_core_effects[i];
}

static const hist_kind_def *core_op_find(hist_f f) { return table_find(hist_core_ops, f); }
static const hist_kind_def *core_effect_find(hist_eff_kind k) { return table_find(hist_core_effects, k); }

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
