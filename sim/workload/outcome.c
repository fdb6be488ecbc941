/* outcome.c -- counts for the workloads' outcome lines (outcome.h).
 * Invariant: accounts are found by (node, key) through an open-addressing
 * table built per call; balances are taken in history order, so "now" is
 * each account's last recorded balance.
 */
#include "sim/workload/outcome.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/saga/saga.h"

wo_tally wo_count(const hist *h, hist_f f) {
    SIM_ASSERT(h != NULL);
    wo_tally t = { 0 };
    for (uint32_t i = 0; i < h->op_count; i++) {
        const hist_op *op = &h->ops[i];
        if (op->f != f) continue;
        t.all++;
        if (op->result == HIST_OK) t.ok++;
        else if (op->result == HIST_FAIL) t.fail++;
        else if (op->result == HIST_PENDING) { t.unknown++; t.pending++; }
        else { t.unknown++; t.info++; }
    }
    return t;
}

uint64_t wo_count_note(const hist *h, hist_f f, hist_result r, const char *needle) {
    SIM_ASSERT(h != NULL);
    SIM_ASSERT(needle != NULL);
    uint64_t n = 0;
    for (uint32_t i = 0; i < h->op_count; i++) {
        const hist_op *op = &h->ops[i];
        n += op->f == f && op->result == (uint8_t)r && op->note && strstr(op->note, needle);
    }
    return n;
}

typedef struct wo_account { const hist_effect *last; } wo_account;

static uint32_t account_hash(const hist_effect *x) {
    uint32_t hsh = 2166136261u ^ (uint32_t)x->node;
    for (size_t i = 0; i < SIM_NAME_MAX && x->key[i]; i++) hsh = (hsh ^ (uint8_t)x->key[i]) * 16777619u;
    return hsh;
}

static bool same_account(const hist_effect *a, const hist_effect *b) {
    return a->node == b->node && strncmp(a->key, b->key, SIM_NAME_MAX) == 0;
}

static bool is_balance(const hist_effect *x, const char *key) {
    if (x->kind != HIST_EFF_BALANCE_INIT && x->kind != HIST_EFF_BALANCE) return false;
    return key == NULL || strncmp(x->key, key, SIM_NAME_MAX) == 0;
}

wo_money wo_money_of(const hist *h, const char *key) {
    SIM_ASSERT(h != NULL);
    wo_money m = { 0 };
    uint32_t n = 0;
    for (uint32_t i = 0; i < h->effect_count; i++) n += is_balance(&h->effects[i], key);
    if (n == 0) return m;
    uint32_t size = 1;
    while (size < 2u * n) size *= 2;
    wo_account *table = sim_xcalloc(size, sizeof *table);
    for (uint32_t i = 0; i < h->effect_count; i++) {
        const hist_effect *x = &h->effects[i];
        if (!is_balance(x, key)) continue;
        uint32_t at = account_hash(x) & (size - 1);
        while (table[at].last && !same_account(table[at].last, x)) at = (at + 1) & (size - 1);
        if (table[at].last == NULL) m.accounts++;
        else m.now -= table[at].last->value;
        if (x->kind == HIST_EFF_BALANCE_INIT) m.opened += x->value;
        m.now += x->value;
        table[at].last = x;
    }
    free(table);
    return m;
}

const char *wo_s(uint64_t n) { return n == 1 ? "" : "s"; }

void wo_unanswered(const wo_tally *t, char *buf, size_t len) {
    SIM_ASSERT(t != NULL);
    SIM_ASSERT(buf != NULL && len > 0);
    if (t->unknown == 0) return;
    wo_add(buf, len, ", %" PRIu64 " unanswered", t->unknown);
}

void wo_add(char *buf, size_t len, const char *fmt, ...) {
    SIM_ASSERT(buf != NULL && len > 0);
    size_t used = strnlen(buf, len);
    if (used + 1 >= len) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + used, len - used, fmt, ap);
    va_end(ap);
}

void wo_money_words(int64_t now, int64_t expected, bool unsure, char *buf, size_t len) {
    if (now == expected) { wo_add(buf, len, "; money %" PRId64 ", as expected", now); return; }
    wo_add(buf, len, "; money %" PRId64 ", expected %" PRId64 ": %" PRId64 " %s", now, expected,
           now > expected ? now - expected : expected - now, now > expected ? "from nowhere" : "vanished");
    if (unsure) wo_add(buf, len, " (some outcomes unknown)");
}

wo_sagas wo_sagas_of(const hist *h) {
    SIM_ASSERT(h != NULL);
    wo_sagas g = { 0 };
    for (uint32_t i = 0; i < h->effect_count; i++) {
        const hist_effect *x = &h->effects[i];
        if (x->kind == HIST_EFF_SAGA_BEGIN) g.begun++;
        if (x->kind != HIST_EFF_SAGA_END) continue;
        if (x->value == 1) g.completed++;
        else if (x->value == 2) g.compensated++;
        else g.gave_up++;
    }
    uint64_t ended = g.completed + g.compensated + g.gave_up;
    g.unfinished = g.begun > ended ? g.begun - ended : 0;
    return g;
}

void wo_sagas_words(const wo_sagas *g, const char *what, char *buf, size_t len) {
    SIM_ASSERT(g != NULL && what != NULL);
    wo_add(buf, len, "%" PRIu64 " %s%s: %" PRIu64 " completed, %" PRIu64 " compensated", g->begun, what,
           wo_s(g->begun), g->completed, g->compensated);
    if (g->gave_up) wo_add(buf, len, ", %" PRIu64 " gave up", g->gave_up);
    if (g->unfinished) wo_add(buf, len, ", %" PRIu64 " unfinished", g->unfinished);
}
