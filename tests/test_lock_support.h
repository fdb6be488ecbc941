/* test_lock_support.h -- running lock scenarios end to end in a test
 * (scn_load -> registry_sim_create -> sim_run) and reading what they leave in the
 * history: ops by client, effects by kind, the checks' verdicts.  Shared by
 * test_redlock.c and test_lease_lock.c; every helper is static inline, so a
 * test file that does not use one gets no warning.  Times in ms of true
 * simulated time, as in SCENARIOS.md. */
#ifndef TEST_LOCK_SUPPORT_H
#define TEST_LOCK_SUPPORT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "protocols/lock/lock_api.h"
#include "sim/check/check.h"
#include "sim/registry/registry.h"
#include "sim/sim.h"
#include "tests/test_run_support.h"


/* Loads and binds a scenario that must be refused: the error in err. */
static inline void load_error(const char *yaml, char *err, size_t len) {
    assert_int_not_equal(create_text(yaml, err, len), 0);
}

static inline int32_t node_of(const run *r, const char *name) {
    int32_t n = scn_node_find(r->s, name);
    if (n < 0) fail_msg("no node %s", name);
    return n;
}

static inline int64_t ms(sim_time t) { return t / SIM_MS; }

/* The nth op (0-based) of `f` by client `who`, or NULL. */
static inline const hist_op *op_of(const run *r, const char *who, hist_f f, uint32_t nth) {
    int32_t n = node_of(r, who);
    for (uint32_t i = 0; i < r->h->op_count; i++) {
        const hist_op *op = &r->h->ops[i];
        if (op->node == n && op->f == f && nth-- == 0) return op;
    }
    return NULL;
}

/* The first ok ACQUIRE of `who`, or NULL. */
static inline const hist_op *ok_acquire(const run *r, const char *who) {
    for (uint32_t k = 0;; k++) {
        const hist_op *op = op_of(r, who, HIST_F_ACQUIRE, k);
        if (op == NULL || op->result == HIST_OK) return op;
    }
}

/* The nth effect of `kind` for client `who` (any when NULL) at node `at`
 * (any when NULL), or NULL. */
static inline const hist_effect *effect_at(const run *r, hist_eff_kind kind, const char *who,
                                           const char *at, uint32_t nth) {
    int32_t c = who ? node_of(r, who) : -1, n = at ? node_of(r, at) : -1;
    for (uint32_t i = 0; i < r->h->effect_count; i++) {
        const hist_effect *x = &r->h->effects[i];
        if (x->kind != kind || (c >= 0 && x->client != c) || (n >= 0 && x->node != n)) continue;
        if (nth-- == 0) return x;
    }
    return NULL;
}

static inline uint32_t effects_counted(const run *r, hist_eff_kind kind, const char *who) {
    int32_t c = who ? node_of(r, who) : -1;
    uint32_t k = 0;
    for (uint32_t i = 0; i < r->h->effect_count; i++)
        k += r->h->effects[i].kind == kind && (c < 0 || r->h->effects[i].client == c);
    return k;
}

static inline check_verdict verdict_of(const run *r, const char *name) {
    check_input in = { .h = r->h, .s = r->s, .horizon_ns = r->s->duration_ns };
    const check_desc *c = check_find(name);
    assert_non_null(c);
    check_result res;
    c->run(&in, &res);
    check_verdict v = res.verdict;
    check_result_free(&res);
    return v;
}

/* The check's story (caller frees), or NULL. */
static inline char *story_of(const run *r, const char *name) {
    check_input in = { .h = r->h, .s = r->s, .horizon_ns = r->s->duration_ns };
    check_result res;
    check_find(name)->run(&in, &res);
    char *story = res.story;
    res.story = NULL;
    check_result_free(&res);
    return story;
}

/* Every check the file expects gives the expected verdict. */
static inline void verdicts_match_expect(const run *r) {
    assert_true(r->s->expect_count > 0);
    for (uint32_t i = 0; i < r->s->expect_count; i++) {
        check_verdict v = verdict_of(r, r->s->expect[i].check);
        if ((int)v != (int)r->s->expect[i].verdict)
            fail_msg("%s: %s gave %s", r->s->name, r->s->expect[i].check, check_verdict_name(v));
    }
}

#endif
