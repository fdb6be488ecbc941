/* test_linearizable.c -- the `linearizable` check judges a run's reads and
 * writes with the lincheck search (hand-built histories, and a real run). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "sim/registry/registry.h"
#include "sim/check/check.h"
#include "sim/sim.h"

static void add(hist *h, uint32_t process, hist_f f, hist_result r, sim_time from, sim_time to,
                int64_t value) {
    hist_op_fields op;
    memset(&op, 0, sizeof op);
    op.process = process;
    op.node = (int32_t)process;
    op.f = f;
    op.result = (uint8_t)r;
    op.invoke_ns = from;
    op.complete_ns = r == HIST_PENDING ? SIM_TIME_NEVER : to;
    if (f == HIST_F_WRITE) { op.value_in = value; op.has_value_in = true; }
    else { op.value_out = value; op.has_value_out = r == HIST_OK; }
    assert_true(hist_add_op(h, &op, NULL));
}

static check_verdict judge(const hist *h, check_result *r) {
    check_input in = { h, NULL, 100, false, NULL };
    check_find("linearizable")->run(&in, r);
    return r->verdict;
}

static void a_read_of_the_latest_write_is_linearizable(void **state) {
    (void)state;
    hist h;
    hist_init(&h);
    add(&h, 0, HIST_F_WRITE, HIST_OK, 0, 1, 1);
    add(&h, 1, HIST_F_READ, HIST_OK, 2, 3, 1);
    check_result r;
    assert_int_equal(judge(&h, &r), CHECK_OK);
    check_result_free(&r);
    hist_free(&h);
}

static void a_read_of_an_overwritten_value_is_not(void **state) {
    (void)state;
    hist h;
    hist_init(&h);
    add(&h, 0, HIST_F_WRITE, HIST_OK, 0, 1, 1);
    add(&h, 0, HIST_F_WRITE, HIST_OK, 2, 3, 2);
    add(&h, 1, HIST_F_READ, HIST_OK, 4, 5, 1);
    check_result r;
    assert_int_equal(judge(&h, &r), CHECK_VIOLATION);
    assert_non_null(r.story);
    assert_non_null(strstr(r.summary, "not linearizable"));
    check_result_free(&r);
    hist_free(&h);
}

static void a_failed_write_never_happened_but_an_info_write_may_have(void **state) {
    (void)state;
    hist h;
    hist_init(&h);
    add(&h, 0, HIST_F_WRITE, HIST_FAIL, 0, 1, 7);
    add(&h, 1, HIST_F_READ, HIST_OK, 4, 5, 7);
    check_result r;
    assert_int_equal(judge(&h, &r), CHECK_VIOLATION);             /* 7 was never written */
    check_result_free(&r);
    h.ops[0].result = HIST_INFO;
    assert_int_equal(judge(&h, &r), CHECK_OK);                    /* it may have landed */
    check_result_free(&r);
    hist_free(&h);
}

static void the_initial_value_is_the_counters(void **state) {
    (void)state;
    hist h;
    hist_init(&h);
    add(&h, 0, HIST_F_READ, HIST_OK, 0, 1, 5);
    check_result r;
    assert_int_equal(judge(&h, &r), CHECK_VIOLATION);
    check_result_free(&r);
    h.initial_value = 5;
    assert_int_equal(judge(&h, &r), CHECK_OK);
    check_result_free(&r);
    hist_free(&h);
}

/* 50 processes write distinct values in 99 rounds of overlapping writes,
 * then read a value nobody wrote: far too many orders to try. */
static void add_hard_history(hist *h) {
    for (uint32_t round = 0; round < 100; round++)
        for (uint32_t c = 0; c < 50; c++)
            add(h, c, round == 99 ? HIST_F_READ : HIST_F_WRITE, HIST_OK, round * 1000 + c,
                round * 1000 + 500 + c, round == 99 ? 999999 : (int64_t)(round * 50 + c));
}

/* The check's budget counts configurations, not seconds: a history too hard
 * for it is unknown, with the same summary (how far it got) every time. */
static void a_history_too_hard_for_the_work_budget_is_unknown_the_same_way_every_time(void **state) {
    (void)state;
    hist h;
    hist_init(&h);
    add_hard_history(&h);
    check_input in = { &h, NULL, 100000, false, NULL };
    check_result a, b;
    check_linearizable_budget(&in, 50000, &a);
    check_linearizable_budget(&in, 50000, &b);
    assert_int_equal(a.verdict, CHECK_UNKNOWN);
    assert_non_null(strstr(a.summary, "ran out of its budget (50000 configurations"));
    assert_non_null(strstr(a.summary, "work budget of 50000 configurations ran out"));
    assert_string_equal(a.summary, b.summary);
    check_result_free(&a);
    check_result_free(&b);
    hist_free(&h);
}

/* A scenario's check_budgets.linearizable reaches the check. */
static void a_scenarios_check_budget_is_the_one_the_check_uses(void **state) {
    (void)state;
    hist h;
    hist_init(&h);
    add_hard_history(&h);
    scn *s = calloc(1, sizeof *s);
    char err[512];
    assert_int_equal(scn_load_buffer("b.yaml", "name: b\nprotocol: setnx-lock\nnodes: {redis: 1, "
                                     "client: 2}\ncheck_budgets: {linearizable: 40000}\n", 95,
                                     s, err, sizeof err), 0);
    assert_int_equal(s->linearizable_budget, 40000);
    check_input in = { &h, s, 100000, false, NULL };
    check_result r;
    check_find("linearizable")->run(&in, &r);
    assert_int_equal(r.verdict, CHECK_UNKNOWN);
    assert_non_null(strstr(r.summary, "ran out of its budget (40000 configurations"));
    check_result_free(&r);
    assert_int_equal(scn_load_buffer("b.yaml", "name: b\nprotocol: setnx-lock\nnodes: {redis: 1, "
                                     "client: 2}\ncheck_budgets: {linearizable: 0}\n", 91,
                                     s, err, sizeof err), -1);
    assert_non_null(strstr(err, "4:31: error: linearizable: '0' is not a budget"));
    scn_free(s);
    free(s);
    hist_free(&h);
}

static void the_gc_pause_run_is_linearizable_at_the_register(void **state) {
    (void)state;     /* L2 breaks mutual exclusion, yet the counter itself stays a register */
    scn *s = calloc(1, sizeof *s);
    char err[512];
    assert_int_equal(scn_load("scenarios/locks/L2-lease-gc-pause.yaml", s, err, sizeof err), 0);
    sim *run = NULL;
    assert_int_equal(registry_sim_create(s, NULL, &run, err, sizeof err), 0);
    assert_int_equal(sim_run(run, err, sizeof err), 0);
    check_result r;
    check_input in = { sim_history(run), s, s->duration_ns, false, NULL };
    check_find("linearizable")->run(&in, &r);
    assert_int_equal(r.verdict, CHECK_OK);
    check_result_free(&r);
    sim_destroy(run);
    scn_free(s);
    free(s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_read_of_the_latest_write_is_linearizable),
        cmocka_unit_test(a_read_of_an_overwritten_value_is_not),
        cmocka_unit_test(a_failed_write_never_happened_but_an_info_write_may_have),
        cmocka_unit_test(the_initial_value_is_the_counters),
        cmocka_unit_test(a_history_too_hard_for_the_work_budget_is_unknown_the_same_way_every_time),
        cmocka_unit_test(a_scenarios_check_budget_is_the_one_the_check_uses),
        cmocka_unit_test(the_gc_pause_run_is_linearizable_at_the_register),
    };
    return cmocka_run_group_tests_name("linearizable", tests, NULL, NULL);
}
