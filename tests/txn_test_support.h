/* txn_test_support.h -- what test_twopc.c and test_saga.c share: run a
 * scenario file (or YAML text) end to end, find effects and ops in its
 * history, and judge it with a check.  Times are true time in ms, as in
 * SCENARIOS.md.  Everything is observed through the history and the
 * checks, never through model internals. */
#ifndef TXN_TEST_SUPPORT_H
#define TXN_TEST_SUPPORT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/check/check.h"
#include "sim/sim.h"
#include "tests/test_run_support.h"


static inline int32_t node(const run *r, const char *name) {
    int32_t n = scn_node_find(r->s, name);
    if (n < 0) fail_msg("no node %s", name);
    return n;
}

static inline int64_t ms(sim_time t) { return t / SIM_MS; }

/* The nth effect (0-based) of `kind` at node `at` (NULL: any) whose key
 * starts with `key` (NULL: any); NULL when there is none. */
static inline const hist_effect *eff(const run *r, hist_eff_kind kind, const char *at, const char *key,
                                     uint32_t nth) {
    int32_t n = at ? node(r, at) : -1;
    for (uint32_t i = 0; i < r->h->effect_count; i++) {
        const hist_effect *x = &r->h->effects[i];
        if (x->kind != kind || (n >= 0 && x->node != n)) continue;
        if (key && strncmp(x->key, key, strlen(key)) != 0) continue;
        if (nth-- == 0) return x;
    }
    return NULL;
}

static inline const hist_effect *must_eff(const run *r, hist_eff_kind kind, const char *at, const char *key,
                                          uint32_t nth) {
    const hist_effect *x = eff(r, kind, at, key, nth);
    if (x == NULL) fail_msg("no %s effect #%u at %s (key %s)", hist_eff_name(r->h, kind), nth, at ? at : "any",
                            key ? key : "any");
    return x;
}

static inline uint32_t count_eff(const run *r, hist_eff_kind kind, const char *at) {
    int32_t n = at ? node(r, at) : -1;
    uint32_t k = 0;
    for (uint32_t i = 0; i < r->h->effect_count; i++)
        k += r->h->effects[i].kind == kind && (n < 0 || r->h->effects[i].node == n);
    return k;
}

/* The last BALANCE (or BALANCE_INIT) of account `key` at node `at`. */
static inline int64_t balance(const run *r, const char *at, const char *key) {
    int32_t n = node(r, at);
    int64_t v = INT64_MIN;
    for (uint32_t i = 0; i < r->h->effect_count; i++) {
        const hist_effect *x = &r->h->effects[i];
        if ((x->kind == HIST_EFF_BALANCE || x->kind == HIST_EFF_BALANCE_INIT) && x->node == n &&
            strcmp(x->key, key) == 0) v = x->value;
    }
    if (v == INT64_MIN) fail_msg("no account %s at %s", key, at);
    return v;
}

/* The nth op (0-based) of `f` by node `who`. */
static inline const hist_op *op_of(const run *r, const char *who, hist_f f, uint32_t nth) {
    int32_t n = node(r, who);
    for (uint32_t i = 0; i < r->h->op_count; i++) {
        const hist_op *op = &r->h->ops[i];
        if (op->node == n && op->f == f && nth-- == 0) return op;
    }
    fail_msg("no %s op #%u by %s", hist_f_name(r->h, f), nth, who);
    return NULL;
}

/* Runs check `name`; the caller frees the result. */
static inline check_result judge(const run *r, const char *name) {
    const check_desc *c = check_find(name);
    if (c == NULL) fail_msg("no check %s", name);
    check_input in = { .h = r->h, .s = r->s, .horizon_ns = r->s->duration_ns };
    check_result res;
    c->run(&in, &res);
    return res;
}

/* Every check the file expects gives the expected verdict. */
static inline void verdicts_match_expect(const run *r) {
    assert_true(r->s->expect_count > 0);
    for (uint32_t i = 0; i < r->s->expect_count; i++) {
        check_result res = judge(r, r->s->expect[i].check);
        if ((int)res.verdict != (int)r->s->expect[i].verdict)
            fail_msg("%s: %s gave %s (%s)", r->s->name, res.name, check_verdict_name(res.verdict), res.summary);
        check_result_free(&res);
    }
}

static inline void summary_contains(const run *r, const char *check, const char *text) {
    check_result res = judge(r, check);
    if (strstr(res.summary, text) == NULL) fail_msg("%s summary lacks '%s': %s", check, text, res.summary);
    check_result_free(&res);
}

#endif
