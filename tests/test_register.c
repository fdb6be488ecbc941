/* test_register.c -- the replicated register under a partition (CAP,
 * scenarios/cap/): a majority quorum refuses on the minority side and
 * stays linearizable; local accept answers everywhere and loses writes on
 * heal (last-writer-wins) or keeps them as siblings; a slow clock loses
 * newer writes with no partition at all; a power loss keeps what a replica
 * acknowledged.  Everything is read from the run's history. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "protocols/register/register.h"
#include "sim/check/check.h"
#include "sim/sim.h"
#include "tests/test_run_support.h"

#define DIR "scenarios/cap/"

static check_verdict verdict(const run *r, const char *name, char *summary, size_t len) {
    check_input in = { .h = r->h, .s = r->s, .horizon_ns = r->s->duration_ns };
    check_result res;
    const check_desc *c = check_find(name);
    assert_non_null(c);
    c->run(&in, &res);
    if (summary) snprintf(summary, len, "%s", res.summary);
    check_verdict v = res.verdict;
    check_result_free(&res);
    return v;
}

static int32_t node(const run *r, const char *name) {
    int32_t n = scn_node_find(r->s, name);
    assert_true(n >= 0);
    return n;
}

/* Ops of `client` (READ or WRITE) invoked in [from, to): how many, and how many ok. */
static void ops_in(const run *r, const char *client, sim_time from, sim_time to, uint32_t *all,
                   uint32_t *ok) {
    int32_t c = node(r, client);
    *all = *ok = 0;
    for (uint32_t i = 0; i < r->h->op_count; i++) {
        const hist_op *op = &r->h->ops[i];
        if (op->node != c || op->invoke_ns < from || op->invoke_ns >= to) continue;
        (*all)++;
        *ok += op->result == HIST_OK;
    }
}

static uint32_t effects_of(const run *r, hist_eff_kind k, const char *at) {
    int32_t n = at ? node(r, at) : -1;
    uint32_t c = 0;
    for (uint32_t i = 0; i < r->h->effect_count; i++)
        c += r->h->effects[i].kind == k && (n < 0 || r->h->effects[i].node == n);
    return c;
}

/* The value the replica holds at the end: its last STORE's. */
static int64_t final_value(const run *r, const char *replica) {
    int32_t n = node(r, replica);
    int64_t v = 0;
    for (uint32_t i = 0; i < r->h->effect_count; i++)
        if (r->h->effects[i].kind == HIST_EFF_REG_STORE && r->h->effects[i].node == n)
            v = r->h->effects[i].value;
    return v;
}

/* Every replica holds the same value at the end. */
static void converged(const run *r) {
    int64_t v = final_value(r, "r1");
    assert_true(v > 0);
    assert_int_equal(final_value(r, "r2"), v);
    assert_int_equal(final_value(r, "r3"), v);
}

static void majority_quorum_refuses_the_minority_and_stays_linearizable(void **state) {
    (void)state;
    run r = run_file(DIR "P1-cp-majority-quorum-partition.yaml");
    uint32_t all, ok;
    ops_in(&r, "c2", 3 * SIM_S, 8 * SIM_S, &all, &ok);
    assert_true(all >= 5);
    assert_int_equal(ok, 0);                                 /* the minority answers nothing */
    assert_int_equal(effects_of(&r, HIST_EFF_REG_REFUSE, "r3"), all);
    ops_in(&r, "c1", 3 * SIM_S, 8 * SIM_S, &all, &ok);
    assert_true(all >= 40);
    assert_int_equal(ok, all);                               /* the majority answers everything */
    char s[CHECK_SUMMARY_MAX];
    assert_int_equal(verdict(&r, "availability", s, sizeof s), CHECK_VIOLATION);
    assert_non_null(strstr(s, "minority side (r3, c2) answered 0 of"));
    assert_int_equal(verdict(&r, "linearizable", NULL, 0), CHECK_OK);
    assert_int_equal(verdict(&r, "lost-writes", NULL, 0), CHECK_OK);
    converged(&r);                                           /* r3 caught up after the heal */
    run_free(&r);
}

static run run_set(const char *path, const char *set) {
    char err[1024];
    scn *s = calloc(1, sizeof *s);
    assert_non_null(s);
    const char *sets[1] = { set };
    if (scn_load_with_overrides(path, sets, 1, s, err, sizeof err) != 0) fail_msg("%s", err);
    return run_loaded(s);
}

static void the_availability_target_decides_whether_a_silent_minority_fails(void **state) {
    (void)state;
    run r = run_set(DIR "P1-cp-majority-quorum-partition.yaml", "workload.availability=0%");
    char s[CHECK_SUMMARY_MAX];
    assert_int_equal(verdict(&r, "availability", s, sizeof s), CHECK_OK);
    assert_non_null(strstr(s, "answered 0 of 9 requests (0%)"));
    assert_non_null(strstr(s, "target 0%"));
    run_free(&r);
    r = run_set(DIR "P1b-ap-lww-partition.yaml", "workload.availability=100%");
    assert_int_equal(verdict(&r, "availability", NULL, 0), CHECK_OK);   /* AP answers everything */
    run_free(&r);
}

static void local_accept_answers_both_sides_and_lww_drops_one_sides_writes_on_heal(void **state) {
    (void)state;
    run r = run_file(DIR "P1b-ap-lww-partition.yaml");
    uint32_t all, ok;
    ops_in(&r, "c2", 3 * SIM_S, 8 * SIM_S, &all, &ok);
    assert_true(all >= 40);
    assert_int_equal(ok, all);
    assert_int_equal(verdict(&r, "availability", NULL, 0), CHECK_OK);
    assert_int_equal(verdict(&r, "linearizable", NULL, 0), CHECK_VIOLATION);
    char s[CHECK_SUMMARY_MAX];
    assert_int_equal(verdict(&r, "lost-writes", s, sizeof s), CHECK_VIOLATION);
    assert_non_null(strstr(s, "23 of 97 acknowledged writes lost"));
    assert_int_equal(effects_of(&r, HIST_EFF_REG_DISCARD, NULL) > 0, true);
    for (uint32_t i = 0; i < r.h->effect_count; i++)       /* nothing dropped before the heal */
        if (r.h->effects[i].kind == HIST_EFF_REG_DISCARD) assert_true(r.h->effects[i].t_ns >= 8 * SIM_S);
    converged(&r);
    run_free(&r);
}

static void siblings_keep_both_sides_writes_so_none_is_lost(void **state) {
    (void)state;
    run r = run_file(DIR "P1c-ap-siblings-partition.yaml");
    assert_int_equal(effects_of(&r, HIST_EFF_REG_SIBLINGS, "r1"), 1);
    assert_int_equal(effects_of(&r, HIST_EFF_REG_SIBLINGS, "r3"), 1);
    assert_int_equal(effects_of(&r, HIST_EFF_REG_DISCARD, NULL), 0);
    assert_int_equal(verdict(&r, "lost-writes", NULL, 0), CHECK_OK);
    assert_int_equal(verdict(&r, "availability", NULL, 0), CHECK_OK);
    assert_int_equal(verdict(&r, "linearizable", NULL, 0), CHECK_VIOLATION);  /* still two histories */
    run_free(&r);
}

static void a_slow_clock_loses_every_acknowledged_write_through_its_replica(void **state) {
    (void)state;
    run r = run_file(DIR "P1d-ap-lww-clock-skew.yaml");
    int32_t c1 = node(&r, "c1"), c2 = node(&r, "c2");
    sim_time c1_wrote = SIM_TIME_NEVER;                  /* from then on r3's clock is too slow */
    uint32_t c2_writes = 0;
    for (uint32_t i = 0; i < r.h->op_count; i++) {
        const hist_op *op = &r.h->ops[i];
        if (op->node == c1 && op->f == HIST_F_WRITE && c1_wrote == SIM_TIME_NEVER)
            c1_wrote = op->complete_ns;
        if (op->node != c2 || op->invoke_ns < c1_wrote) continue;
        c2_writes += op->f == HIST_F_WRITE && op->result == HIST_OK;
        if (op->f == HIST_F_READ && op->result == HIST_OK)
            assert_true(op->value_out < 2000);           /* c2 never reads its own writes */
    }
    assert_true(c2_writes >= 10);
    char s[CHECK_SUMMARY_MAX], want[64];
    assert_int_equal(verdict(&r, "lost-writes", s, sizeof s), CHECK_VIOLATION);
    snprintf(want, sizeof want, "%u of ", c2_writes);
    assert_non_null(strstr(s, want));                    /* all of them, and only them */
    assert_int_equal(strncmp(s, want, strlen(want)), 0);
    assert_int_equal(verdict(&r, "availability", NULL, 0), CHECK_OK);
    run_free(&r);
}

/* Every ok read returns the last write acknowledged before it (a history
 * without concurrent ops); how many reads were checked after `after`. */
static uint32_t reads_return_last_acknowledged(const run *r, sim_time after) {
    uint32_t checked = 0;
    for (uint32_t i = 0; i < r->h->op_count; i++) {
        const hist_op *rd = &r->h->ops[i];
        if (rd->f != HIST_F_READ || rd->result != HIST_OK) continue;
        int64_t want = 0;
        sim_time at = -1;
        for (uint32_t k = 0; k < r->h->op_count; k++) {
            const hist_op *w = &r->h->ops[k];
            if (w->f == HIST_F_WRITE && w->result == HIST_OK && w->complete_ns < rd->invoke_ns &&
                w->complete_ns > at) {
                want = w->value_in;
                at = w->complete_ns;
            }
        }
        assert_int_equal(rd->value_out, want);
        checked += rd->invoke_ns > after;
    }
    return checked;
}

static void every_replica_losing_power_keeps_what_it_acknowledged(void **state) {
    (void)state;
    /* c1 works from 0 s, c2 from 4 s; all three replicas lose power at 2 s. */
    run r = run_text("name: d\nduration: 8s\nprotocol: replicated-register\n"
                     "nodes: {replica: [r1, r2, r3], client: [c1, c2]}\n"
                     "workload: {kind: register-rw, home: [r1, r2], count: 15, every: 100ms,\n"
                     "  start: {c1: 0ms, c2: 4s}}\n"
                     "faults:\n  - {at: 2s, power-loss: r1, for: 1s}\n"
                     "  - {at: 2s, power-loss: r2, for: 1s}\n  - {at: 2s, power-loss: r3, for: 1s}\n");
    const hist_op *first = NULL;
    int32_t c2 = node(&r, "c2");
    for (uint32_t i = 0; i < r.h->op_count && first == NULL; i++)
        if (r.h->ops[i].node == c2) first = &r.h->ops[i];
    assert_non_null(first);
    assert_int_equal(first->f, HIST_F_READ);             /* so it reads what survived */
    int64_t last = 0;
    for (uint32_t i = 0; i < r.h->op_count; i++)
        if (r.h->ops[i].f == HIST_F_WRITE && r.h->ops[i].result == HIST_OK &&
            r.h->ops[i].invoke_ns < 2 * SIM_S) last = r.h->ops[i].value_in;
    assert_true(last > 1000);
    assert_int_equal(first->value_out, last);            /* c1's last write before the power loss */
    assert_true(reads_return_last_acknowledged(&r, 4 * SIM_S) >= 3);
    assert_int_equal(verdict(&r, "linearizable", NULL, 0), CHECK_OK);
    run_free(&r);
}

/* Regression: the driver's invariant counted the pending write as done, so
 * a client whose ops so far were all writes tripped it (found by a swarm
 * sweep of scenarios/cap). */
static void a_client_that_only_writes_runs_all_its_operations(void **state) {
    (void)state;
    run r = run_text("name: w\nduration: 3s\nprotocol: replicated-register\n"
                     "nodes: {replica: 3, client: [c1]}\n"
                     "workload: {kind: register-rw, reads: 0%, count: 10}\n");
    uint32_t all, ok;
    ops_in(&r, "c1", 0, r.s->duration_ns, &all, &ok);
    assert_int_equal(all, 10);
    assert_int_equal(ok, 10);
    assert_int_equal(r.h->ops[9].value_in, 1010);
    run_free(&r);
}

static void a_partition_that_never_heals_loses_no_write_yet(void **state) {
    (void)state;
    run r = run_text("name: n\nduration: 6s\nprotocol: replicated-register\n"
                     "params: {mode: ap}\n"
                     "nodes: {replica: [r1, r2, r3], client: [c1, c2]}\n"
                     "workload: {kind: register-rw, home: [r1, r3], start: {c1: 0ms, c2: 50ms}}\n"
                     "faults:\n  - {at: 1s, partition: [[c1, r1, r2], [c2, r3]]}\n");
    assert_int_equal(verdict(&r, "lost-writes", NULL, 0), CHECK_OK);
    assert_int_equal(verdict(&r, "linearizable", NULL, 0), CHECK_VIOLATION);
    run_free(&r);
}

static void a_home_that_is_not_a_replica_is_an_input_error_at_its_line(void **state) {
    (void)state;
    char err[SIM_ERR_MAX];
    assert_int_equal(create_text("name: h\nprotocol: replicated-register\n"
                                 "nodes: {replica: 3, client: [c1]}\n"
                                 "workload:\n  kind: register-rw\n  home: [c1]\n", err, sizeof err), -1);
    assert_string_equal(err, "variant.yaml:6:9: error: home: 'c1' is a client, not a replica "
                             "(expected replica nodes)");
    assert_int_equal(create_text("name: h\nprotocol: replicated-register\n"
                                 "params: {mode: ca}\nnodes: {replica: 3, client: [c1]}\n"
                                 "workload: {kind: register-rw}\n", err, sizeof err), -1);
    assert_non_null(strstr(err, "variant.yaml:3:16: error: mode: unknown value 'ca'"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(majority_quorum_refuses_the_minority_and_stays_linearizable),
        cmocka_unit_test(the_availability_target_decides_whether_a_silent_minority_fails),
        cmocka_unit_test(local_accept_answers_both_sides_and_lww_drops_one_sides_writes_on_heal),
        cmocka_unit_test(siblings_keep_both_sides_writes_so_none_is_lost),
        cmocka_unit_test(a_slow_clock_loses_every_acknowledged_write_through_its_replica),
        cmocka_unit_test(every_replica_losing_power_keeps_what_it_acknowledged),
        cmocka_unit_test(a_client_that_only_writes_runs_all_its_operations),
        cmocka_unit_test(a_partition_that_never_heals_loses_no_write_yet),
        cmocka_unit_test(a_home_that_is_not_a_replica_is_an_input_error_at_its_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
