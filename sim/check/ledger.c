/* ledger.c -- accounts and acknowledged changes (ledger.h).
 * Invariant: init_total / final_total are the sums over items; every op
 * with a key counts once per account it names; `index` is an open-
 * addressing table of the items by their key's hash (linear probing, at
 * most half full, built in item order, so the first item with a key met
 * on a probe is the first in item order).  Accounts are found through it:
 * a saga run of a million orders holds a million accounts (issue 17).
 */
#include "sim/check/ledger.h"

#include <stdio.h>

#include <stdlib.h>
#include <string.h>

#include "sim/check/figures.h"

/* FNV-1a of the key (at most SIM_NAME_MAX bytes). */
static uint32_t key_hash(const char *key) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < SIM_NAME_MAX && key[i] != '\0'; i++) h = (h ^ (uint8_t)key[i]) * 16777619u;
    return h ^ (h >> 15);
}

static int32_t find(const check_ledger *l, int32_t node, const char *key, bool any_node) {
    if (l->index_cap == 0) return -1;
    uint32_t mask = l->index_cap - 1u;
    for (uint32_t s = key_hash(key) & mask; l->index[s] >= 0; s = (s + 1u) & mask) {
        const check_account *a = &l->items[l->index[s]];
        if (!any_node && a->node != node) continue;
        if (strncmp(a->key, key, SIM_NAME_MAX) == 0) return l->index[s];
    }
    return -1;
}

static void index_put(check_ledger *l, uint32_t item) {
    SIM_ASSERT(item < l->count);
    SIM_ASSERT(2u * l->count <= l->index_cap);       /* at most half full: a probe ends */
    uint32_t mask = l->index_cap - 1u;
    uint32_t s = key_hash(l->items[item].key) & mask;
    while (l->index[s] >= 0) s = (s + 1u) & mask;
    l->index[s] = (int32_t)item;
}

/* Indexes the last item, doubling the index (in item order) when half full. */
static void index_add(check_ledger *l) {
    SIM_ASSERT(l->count > 0);
    if (2u * l->count > l->index_cap) {
        l->index_cap = l->index_cap ? 2u * l->index_cap : 32u;
        free(l->index);
        l->index = sim_xmalloc(l->index_cap * sizeof *l->index);
        memset(l->index, 0xff, l->index_cap * sizeof *l->index);   /* -1: free */
        for (uint32_t i = 0; i + 1u < l->count; i++) index_put(l, i);
    }
    index_put(l, l->count - 1u);
}

static check_account *account(check_ledger *l, const hist_effect *x, uint32_t *cap) {
    int32_t i = find(l, x->node, x->key, false);
    if (i >= 0) return &l->items[i];
    if (l->count == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        l->items = sim_xrealloc(l->items, *cap * sizeof *l->items);
    }
    check_account *a = &l->items[l->count++];
    memset(a, 0, sizeof *a);
    a->node = x->node;
    snprintf(a->key, sizeof a->key, "%s", x->key);
    a->last = HIST_NONE;
    index_add(l);
    return a;
}

bool check_op_unknown(const hist_op *op) {
    SIM_ASSERT(op != NULL);
    return op->result == HIST_INFO || op->result == HIST_PENDING;
}

static void apply(check_account *a, const hist_op *op, int64_t delta) {
    if (op->result == HIST_OK) {
        a->acked += delta;
        a->acked_ops++;
    } else if (check_op_unknown(op)) {
        if (delta < 0) a->maybe_lo += delta; else a->maybe_hi += delta;
        a->unknown_ops++;
    }
}

static void apply_ops(const hist *h, check_ledger *l) {
    for (uint32_t i = 0; i < h->op_count; i++) {
        const hist_op *op = &h->ops[i];
        if (op->key[0] == '\0' || op->delta == 0) continue;
        int32_t a = find(l, -1, op->key, true);
        if (a >= 0) apply(&l->items[a], op, op->delta);
        const char *key2 = hist_op_key2(h, op);
        int32_t b = key2[0] ? find(l, -1, key2, true) : -1;
        if (b >= 0) apply(&l->items[b], op, -op->delta);
        if (key2[0] != '\0' || a < 0) continue;      /* money in or out of the system */
        if (op->result == HIST_OK) l->external_acked += op->delta;
        else if (check_op_unknown(op)) {
            if (op->delta < 0) l->external_lo += op->delta; else l->external_hi += op->delta;
        }
    }
}

void check_ledger_build(const hist *h, check_ledger *out) {
    SIM_ASSERT(h != NULL);
    SIM_ASSERT(out != NULL);
    memset(out, 0, sizeof *out);
    uint32_t cap = 0;
    for (uint32_t i = 0; i < h->effect_count; i++) {
        const hist_effect *x = &h->effects[i];
        if (x->kind != HIST_EFF_BALANCE_INIT && x->kind != HIST_EFF_BALANCE) continue;
        check_account *a = account(out, x, &cap);
        if (x->kind == HIST_EFF_BALANCE_INIT) {
            a->opened = true;
            a->init = x->value;
            if (a->last == HIST_NONE) a->final = x->value;
        } else {
            a->final = x->value;
            a->last = i;
        }
    }
    for (uint32_t i = 0; i < out->count; i++) {
        out->init_total += out->items[i].init;
        out->final_total += out->items[i].final;
    }
    apply_ops(h, out);
}

void check_ledger_free(check_ledger *l) {
    if (l == NULL) return;
    free(l->items);
    free(l->index);
    memset(l, 0, sizeof *l);
}

const check_account *check_ledger_find(const check_ledger *l, const char *key) {
    SIM_ASSERT(l != NULL);
    SIM_ASSERT(key != NULL);
    int32_t i = find(l, -1, key, true);
    return i >= 0 ? &l->items[i] : NULL;
}

void check_who(const check_input *in, const hist_op *op, char *buf, size_t len) {
    SIM_ASSERT(in != NULL);
    SIM_ASSERT(op != NULL);
    SIM_ASSERT(buf != NULL);
    SIM_ASSERT(len > 0);
    bool several = false;
    for (uint32_t i = 0; i < in->h->op_count && !several; i++) {
        const hist_op *o = &in->h->ops[i];
        several = o->node == op->node && o->process != op->process;
    }
    if (several) snprintf(buf, len, "%s/p%u", story_node(in->s, op->node), op->process);
    else snprintf(buf, len, "%s", story_node(in->s, op->node));
}

void check_append_figures(const check_input *in, check_result *out) {
    SIM_ASSERT(in != NULL);
    SIM_ASSERT(out != NULL);
    check_figures f;
    check_figures_build(in->h, check_horizon(in), &f);
    if (!f.any) return;
    char text[256];
    check_figures_text(&f, text, sizeof text);
    story_appendf(out->summary, sizeof out->summary, "; %s", text);
}

void check_evidence(check_result *out, const char *label, uint32_t op) {
    SIM_ASSERT(out != NULL);
    SIM_ASSERT(label != NULL);
    if (op == HIST_NONE || out->evidence_count >= CHECK_EVIDENCE_MAX) return;
    for (uint32_t i = 0; i < out->evidence_count; i++)
        if (out->evidence_ops[i] == op) return;
    if (out->evidence_count == 0) snprintf(out->evidence_label, sizeof out->evidence_label, "%s", label);
    out->evidence_ops[out->evidence_count++] = op;
}
