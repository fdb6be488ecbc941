/* test_saga.c -- the saga scenarios of scenarios/saga/, run end to end and
 * checked through what they leave in the history: which service applied
 * which step or compensation, when, on which attempt; the balances and
 * order states; when the orchestrator recorded each saga's end; and the
 * checks' verdicts against the files' `expect:`.  Plus the input errors of
 * bad `params:` and `workload:` blocks.  Times are true time in ms, as in
 * SCENARIOS.md G1-G4. */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "protocols/saga/saga.h"
#include "protocols/saga/saga_index.h"
#include "protocols/saga/saga_keys.h"
#include "tests/txn_test_support.h"

#define DIR "scenarios/saga/"

enum { END_COMPLETED = 1, END_COMPENSATED = 2, END_GAVE_UP = 3 };

/* The nth SAGA_STEP / SAGA_COMP of step `i` at node `at`. */
static const hist_effect *step_eff(const run *r, hist_eff_kind kind, const char *at, int64_t i, uint32_t nth) {
    int32_t n = node(r, at);
    for (uint32_t k = 0; k < r->h->effect_count; k++) {
        const hist_effect *x = &r->h->effects[k];
        if (x->kind == kind && x->node == n && x->value == i && nth-- == 0) return x;
    }
    return NULL;
}

static const hist_effect *end_of(const run *r, const char *saga) {
    return must_eff(r, HIST_EFF_SAGA_END, NULL, saga, 0);
}

/* ------------------------------------------------------------ G1 */

static void refused_pivot_compensates_funds_then_order_and_ends_at_ten_ms(void **state) {
    (void)state;
    run r = run_file(DIR "G1-step3-fails-compensate.yaml");
    assert_int_equal(ms(step_eff(&r, HIST_EFF_SAGA_STEP, "o", 1, 0)->t_ns), 1);
    assert_int_equal(ms(step_eff(&r, HIST_EFF_SAGA_STEP, "p", 2, 0)->t_ns), 3);
    const hist_effect *refused = must_eff(&r, HIST_EFF_SAGA_REFUSE, "i", "s:1", 0);
    assert_int_equal(ms(refused->t_ns), 5);
    assert_int_equal(refused->aux, SAGA_WHY_BUSINESS);
    const hist_effect *c2 = step_eff(&r, HIST_EFF_SAGA_COMP, "p", 2, 0);
    const hist_effect *c1 = step_eff(&r, HIST_EFF_SAGA_COMP, "o", 1, 0);
    assert_int_equal(ms(c2->t_ns), 7);
    assert_int_equal(ms(c1->t_ns), 9);                 /* reverse order: C2 before C1 */
    assert_null(step_eff(&r, HIST_EFF_SAGA_COMP, "i", 3, 0));   /* no C3: T3 took no effect */
    const hist_effect *end = end_of(&r, "s:1");
    assert_int_equal(ms(end->t_ns), 10);
    assert_int_equal(end->value, END_COMPENSATED);
    assert_int_equal(balance(&r, "p", "U"), 100);
    assert_int_equal(balance(&r, "p", "hold#7"), 0);
    const hist_effect *st = must_eff(&r, HIST_EFF_STATE, "o", "order#7", 1);
    assert_int_equal(st->value, SAGA_ORDER_REJECTED);
    const hist_op *op = op_of(&r, "s", HIST_F_SAGA, 0);
    assert_int_equal(op->result, HIST_FAIL);
    assert_string_equal(op->note, "compensated: seat already sold");
    verdicts_match_expect(&r);
    run_free(&r);
}

static void choreography_passes_the_saga_between_services_and_ends_at_six_ms(void **state) {
    (void)state;
    run r = run_file(DIR "G1b-choreography.yaml");
    assert_int_equal(ms(step_eff(&r, HIST_EFF_SAGA_STEP, "p", 2, 0)->t_ns), 2);
    assert_int_equal(ms(must_eff(&r, HIST_EFF_SAGA_REFUSE, "i", "s:1", 0)->t_ns), 3);
    assert_int_equal(ms(step_eff(&r, HIST_EFF_SAGA_COMP, "p", 2, 0)->t_ns), 4);
    assert_int_equal(ms(step_eff(&r, HIST_EFF_SAGA_COMP, "o", 1, 0)->t_ns), 5);
    assert_int_equal(ms(end_of(&r, "s:1")->t_ns), 6);
    verdicts_match_expect(&r);
    run_free(&r);
}

static void random_business_failures_still_end_every_saga_cleanly(void **state) {
    (void)state;
    run r = run_file(DIR "G1c-failure-rate.yaml");
    uint32_t ends = count_eff(&r, HIST_EFF_SAGA_END, "s"), refused = count_eff(&r, HIST_EFF_SAGA_REFUSE, NULL);
    assert_int_equal(ends, 20);
    assert_true(refused > 0 && refused < 20);          /* 30%: some, not all */
    assert_int_equal(count_eff(&r, HIST_EFF_SAGA_END, NULL), 20);
    summary_contains(&r, "saga", "20 sagas: ");
    verdicts_match_expect(&r);
    run_free(&r);
}

/* ------------------------------------------------------------ G2 */

static void compensation_succeeds_on_attempt_six_at_3607_once(void **state) {
    (void)state;
    run r = run_file(DIR "G2-compensation-fails-retried.yaml");
    const hist_effect *c2 = step_eff(&r, HIST_EFF_SAGA_COMP, "p", 2, 0);
    assert_non_null(c2);
    assert_int_equal(ms(c2->t_ns), 3607);
    assert_int_equal(hist_effect_token(r.h, c2), 6);                    /* the attempt */
    assert_null(step_eff(&r, HIST_EFF_SAGA_COMP, "p", 2, 1));
    assert_int_equal(ms(step_eff(&r, HIST_EFF_SAGA_COMP, "o", 1, 0)->t_ns), 3609);
    assert_int_equal(ms(end_of(&r, "s:1")->t_ns), 3610);
    assert_int_equal(balance(&r, "p", "U"), 100);
    verdicts_match_expect(&r);
    run_free(&r);
}

static void non_idempotent_retry_releases_the_hold_twice(void **state) {
    (void)state;
    run r = run_file(DIR "G2b-nonidempotent-compensation-slow-reply.yaml");
    const hist_effect *a = step_eff(&r, HIST_EFF_SAGA_COMP, "p", 2, 0);
    const hist_effect *b = step_eff(&r, HIST_EFF_SAGA_COMP, "p", 2, 1);
    assert_int_equal(ms(a->t_ns), 157);
    assert_int_equal(hist_effect_token(r.h, a), 1);
    assert_int_equal(ms(b->t_ns), 357);
    assert_int_equal(hist_effect_token(r.h, b), 2);
    assert_int_equal(balance(&r, "p", "U"), 150);      /* the user gained 50 */
    assert_int_equal(end_of(&r, "s:1")->value, END_GAVE_UP);
    check_result res = judge(&r, "saga");
    assert_int_equal(res.verdict, CHECK_VIOLATION);
    assert_non_null(strstr(res.summary, "C2 of saga s:1 took effect twice, at 0.157 s and 0.357 s"));
    check_result_free(&res);
    verdicts_match_expect(&r);
    run_free(&r);
}

static void idempotent_retry_answers_from_its_table_and_releases_once(void **state) {
    (void)state;
    run r = run_file(DIR "G2b2-idempotent-compensation-slow-reply.yaml");
    assert_int_equal(ms(step_eff(&r, HIST_EFF_SAGA_COMP, "p", 2, 0)->t_ns), 157);
    assert_null(step_eff(&r, HIST_EFF_SAGA_COMP, "p", 2, 1));
    const hist_effect *dup = must_eff(&r, HIST_EFF_SAGA_SKIP, "p", "s:1", 0);
    assert_int_equal(ms(dup->t_ns), 207);
    assert_int_equal(dup->aux, SAGA_WHY_DUPLICATE | SAGA_AUX_COMP);
    assert_int_equal(ms(end_of(&r, "s:1")->t_ns), 210);
    assert_int_equal(balance(&r, "p", "U"), 100);
    verdicts_match_expect(&r);
    run_free(&r);
}

static void late_step_lands_after_its_compensation_as_an_orphan_hold(void **state) {
    (void)state;
    run r = run_file(DIR "G2c-timeout-race-orphan-hold.yaml");
    const hist_effect *noop = must_eff(&r, HIST_EFF_SAGA_SKIP, "p", "s:1", 0);
    assert_int_equal(ms(noop->t_ns), 103);
    assert_int_equal(noop->aux, SAGA_WHY_NOTHING | SAGA_AUX_COMP);
    assert_int_equal(ms(end_of(&r, "s:1")->t_ns), 106);
    assert_int_equal(ms(step_eff(&r, HIST_EFF_SAGA_STEP, "p", 2, 0)->t_ns), 502);
    assert_int_equal(balance(&r, "p", "U"), 50);        /* held forever */
    summary_contains(&r, "saga", "T2 of saga s:1 took effect at 0.502 s, after its compensation C2 ran at 0.103 s");
    verdicts_match_expect(&r);
    run_free(&r);
}

static void tombstone_refuses_the_step_that_arrives_after_its_compensation(void **state) {
    (void)state;
    run r = run_file(DIR "G2c2-timeout-race-tombstone.yaml");
    const hist_effect *refused = must_eff(&r, HIST_EFF_SAGA_REFUSE, "p", "s:1", 0);
    assert_int_equal(ms(refused->t_ns), 502);
    assert_int_equal(refused->aux, SAGA_WHY_TOMBSTONE);
    assert_null(step_eff(&r, HIST_EFF_SAGA_STEP, "p", 2, 0));
    assert_int_equal(balance(&r, "p", "U"), 100);
    verdicts_match_expect(&r);
    run_free(&r);
}

/* ------------------------------------------------------------ G3 */

static void durable_log_resumes_at_t3_and_completes_at_1004(void **state) {
    (void)state;
    run r = run_file(DIR "G3-orchestrator-crash.yaml");
    const hist_effect *t3 = step_eff(&r, HIST_EFF_SAGA_STEP, "i", 3, 0);
    assert_int_equal(ms(t3->t_ns), 1001);
    assert_null(step_eff(&r, HIST_EFF_SAGA_STEP, "i", 3, 1));
    assert_int_equal(ms(step_eff(&r, HIST_EFF_SAGA_STEP, "o", 4, 0)->t_ns), 1003);
    const hist_effect *end = end_of(&r, "s:1");
    assert_int_equal(end->t_ns, 1004 * SIM_MS);
    assert_int_equal(end->value, END_COMPLETED);
    const hist_op *op = op_of(&r, "s", HIST_F_SAGA, 0);
    assert_int_equal(op->result, HIST_INFO);           /* the request died with s; the saga did not */
    assert_int_equal(op->complete_ns, 4500 * SIM_US);
    verdicts_match_expect(&r);
    run_free(&r);
}

static void in_memory_saga_state_is_lost_and_the_saga_stalls(void **state) {
    (void)state;
    run r = run_file(DIR "G3b-orchestrator-crash-in-memory.yaml");
    assert_null(eff(&r, HIST_EFF_SAGA_END, NULL, NULL, 0));
    assert_null(step_eff(&r, HIST_EFF_SAGA_STEP, "i", 3, 0));
    assert_int_equal(balance(&r, "p", "hold#7"), 50);
    summary_contains(&r, "saga", "saga s:1 left partial state: T1, T2 took effect and were never undone, "
                                 "and the saga never finished (stalled)");
    verdicts_match_expect(&r);
    run_free(&r);
}

static void idempotent_service_answers_a_redelivered_step_without_reapplying_it(void **state) {
    (void)state;
    run r = run_file(DIR "G3c-crash-after-send-idempotent.yaml");
    assert_int_equal(ms(step_eff(&r, HIST_EFF_SAGA_STEP, "i", 3, 0)->t_ns), 5);
    const hist_effect *dup = must_eff(&r, HIST_EFF_SAGA_SKIP, "i", "s:1", 0);
    assert_int_equal(ms(dup->t_ns), 1001);
    assert_int_equal(hist_effect_token(r.h, dup), 2);
    assert_int_equal(ms(end_of(&r, "s:1")->t_ns), 1004);
    verdicts_match_expect(&r);
    run_free(&r);
}

/* G3c2's orchestrator loses power instead of crashing: T3's command, sent
 * at 4 ms and still on its way, dies with the host's buffers, so the seat
 * is reserved once, by the command re-sent after the restart. */
static void a_command_in_flight_when_the_orchestrator_loses_power_is_not_delivered(void **state) {
    (void)state;
    FILE *f = fopen(DIR "G3c2-crash-after-send-not-idempotent.yaml", "r");
    assert_non_null(f);
    char text[8192];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    char *at = strstr(text, "crash: s}");
    assert_non_null(at);
    char yaml[8300];
    snprintf(yaml, sizeof yaml, "%.*spower-loss: s}%s", (int)(at - text), text, at + 9);
    run r = run_text(yaml);
    assert_int_equal(ms(step_eff(&r, HIST_EFF_SAGA_STEP, "i", 3, 0)->t_ns), 1001);
    assert_null(step_eff(&r, HIST_EFF_SAGA_STEP, "i", 3, 1));
    assert_null(eff(&r, HIST_EFF_STATE, "i", "seat 12B", 0));
    summary_contains(&r, "saga", "each step and compensation took effect once");
    run_free(&r);
}

static void non_idempotent_service_reserves_a_second_seat_on_redelivery(void **state) {
    (void)state;
    run r = run_file(DIR "G3c2-crash-after-send-not-idempotent.yaml");
    assert_int_equal(ms(step_eff(&r, HIST_EFF_SAGA_STEP, "i", 3, 1)->t_ns), 1001);
    const hist_effect *b = must_eff(&r, HIST_EFF_STATE, "i", "seat 12B", 0);
    assert_int_equal(b->value, 7);
    assert_int_equal(must_eff(&r, HIST_EFF_STATE, "i", "seat 12A", 0)->value, 7);
    summary_contains(&r, "saga", "T3 of saga s:1 took effect twice, at 0.005 s and 1.001 s");
    verdicts_match_expect(&r);
    run_free(&r);
}

/* ------------------------------------------------------------ G4 */

static void blind_approve_overwrites_the_users_cancel(void **state) {
    (void)state;
    run r = run_file(DIR "G4-lost-update-no-isolation.yaml");
    const hist_effect *cancel = must_eff(&r, HIST_EFF_STATE, "o", "order#7", 1);
    assert_int_equal(ms(cancel->t_ns), 11);
    assert_int_equal(cancel->value, SAGA_ORDER_CANCELLED);
    assert_int_equal(ms(end_of(&r, "s2:1")->t_ns), 14);
    const hist_effect *approve = must_eff(&r, HIST_EFF_STATE, "o", "order#7", 2);
    assert_int_equal(ms(approve->t_ns), 102);
    assert_int_equal(approve->value, SAGA_ORDER_APPROVED);
    assert_int_equal(hist_effect_token(r.h, approve), SAGA_ORDER_CANCELLED);
    assert_int_equal(approve->aux, 0);                 /* blind */
    assert_int_equal(balance(&r, "p", "hold#7"), 50);
    summary_contains(&r, "saga", "lost update: saga s1:1 blindly set order#7 to APPROVED at 0.102 s, "
                                 "over CANCELLED set by saga s2:1 at 0.011 s");
    verdicts_match_expect(&r);
    run_free(&r);
}

static void semantic_lock_refuses_the_early_cancel_and_the_retry_cancels_at_1005(void **state) {
    (void)state;
    run r = run_file(DIR "G4b-semantic-lock.yaml");
    const hist_effect *refused = must_eff(&r, HIST_EFF_SAGA_REFUSE, "o", "s2:1", 0);
    assert_int_equal(ms(refused->t_ns), 11);
    assert_int_equal(refused->aux, SAGA_WHY_SEMANTIC_LOCK);
    assert_int_equal(op_of(&r, "s2", HIST_F_SAGA, 0)->result, HIST_FAIL);
    assert_int_equal(must_eff(&r, HIST_EFF_STATE, "o", "order#7", 1)->value, SAGA_ORDER_APPROVED);
    assert_int_equal(ms(step_eff(&r, HIST_EFF_SAGA_STEP, "p", 2, 0)->t_ns), 100);
    const hist_effect *last = must_eff(&r, HIST_EFF_STATE, "o", "order#7", 3);
    assert_int_equal(ms(last->t_ns), 1005);
    assert_int_equal(last->value, SAGA_ORDER_CANCELLED);
    assert_int_equal(ms(end_of(&r, "s2:2")->t_ns), 1006);
    assert_int_equal(op_of(&r, "s2", HIST_F_SAGA, 1)->result, HIST_OK);
    assert_int_equal(balance(&r, "p", "U"), 100);
    verdicts_match_expect(&r);
    run_free(&r);
}

/* ------------------------------------------------------------ the transfer */

static void saga_transfer_never_blocks_but_shows_half_a_transfer_for_a_minute(void **state) {
    (void)state;
    run r = run_file(DIR "transfer-orchestrator-crash.yaml");
    const hist_op *x = op_of(&r, "x", HIST_F_READ, 0);
    assert_int_equal(ms(x->invoke_ns), 4000);
    assert_int_equal(x->complete_ns, x->invoke_ns);    /* no wait */
    assert_int_equal(x->value_out, 50);                /* debited, not yet credited */
    assert_null(eff(&r, HIST_EFF_BLOCKED, NULL, NULL, 0));
    assert_int_equal(ms(step_eff(&r, HIST_EFF_SAGA_STEP, "bank_b", 2, 0)->t_ns), 60003);
    assert_int_equal(ms(end_of(&r, "app:1")->t_ns), 60004);
    assert_int_equal(balance(&r, "bank_a", TXN_ACCOUNT), 50);
    assert_int_equal(balance(&r, "bank_b", TXN_ACCOUNT), 150);
    summary_contains(&r, "saga", "longest partial state visible: app:1 0.001 s..60.003 s (60.002 s)");
    verdicts_match_expect(&r);
    run_free(&r);
}

/* ------------------------------------------------------------ the check on hand-made histories */

static void add_saga_effect(hist *h, hist_eff_kind kind, sim_time t_ms, int32_t at, int64_t value, int64_t token) {
    hist_effect_fields x = { .kind = kind, .t_ns = t_ms * SIM_MS, .node = at, .client = 0, .op = HIST_NONE,
                      .value = value, .token = token };
    x.key = "s:1";
    assert_true(hist_add_effect(h, &x));
}

static check_result judge_saga_hist(const hist *h) {
    check_input in = { .h = h, .s = NULL, .horizon_ns = 10 * SIM_S };
    check_result res;
    check_find("saga")->run(&in, &res);
    return res;
}

static void compensation_without_its_step_undoes_nothing_and_is_a_violation(void **state) {
    (void)state;
    hist h;
    hist_init(&h);
    add_saga_effect(&h, HIST_EFF_SAGA_BEGIN, 0, 0, 3, 3);
    add_saga_effect(&h, HIST_EFF_SAGA_STEP, 1, 1, 1, 1);
    add_saga_effect(&h, HIST_EFF_SAGA_COMP, 5, 2, 2, 1);    /* C2, but T2 never took effect */
    add_saga_effect(&h, HIST_EFF_SAGA_COMP, 7, 1, 1, 1);
    add_saga_effect(&h, HIST_EFF_SAGA_END, 8, 0, END_COMPENSATED, 0);
    check_result res = judge_saga_hist(&h);
    assert_int_equal(res.verdict, CHECK_VIOLATION);
    assert_string_equal(res.summary, "C2 of saga s:1 took effect at 0.005 s although T2 never did (it undid "
                                     "nothing); longest partial state visible: s:1 0.001 s..0.007 s (0.006 s)");
    check_result_free(&res);
    hist_free(&h);
}

static void compensations_in_forward_order_are_a_violation(void **state) {
    (void)state;
    hist h;
    hist_init(&h);
    add_saga_effect(&h, HIST_EFF_SAGA_BEGIN, 0, 0, 3, 3);
    add_saga_effect(&h, HIST_EFF_SAGA_STEP, 1, 1, 1, 1);
    add_saga_effect(&h, HIST_EFF_SAGA_STEP, 3, 2, 2, 1);
    add_saga_effect(&h, HIST_EFF_SAGA_COMP, 5, 1, 1, 1);    /* C1 before C2 */
    add_saga_effect(&h, HIST_EFF_SAGA_COMP, 7, 2, 2, 1);
    check_result res = judge_saga_hist(&h);
    assert_int_equal(res.verdict, CHECK_VIOLATION);
    assert_non_null(strstr(res.summary, "saga s:1 compensated out of order: C2 at 0.007 s"));
    check_result_free(&res);
    hist_free(&h);
}

static void completed_and_reverse_compensated_sagas_are_ok(void **state) {
    (void)state;
    hist h;
    hist_init(&h);
    add_saga_effect(&h, HIST_EFF_SAGA_BEGIN, 0, 0, 3, 3);
    add_saga_effect(&h, HIST_EFF_SAGA_STEP, 1, 1, 1, 1);
    add_saga_effect(&h, HIST_EFF_SAGA_STEP, 3, 2, 2, 1);
    add_saga_effect(&h, HIST_EFF_SAGA_REFUSE, 5, 3, 3, 1);
    add_saga_effect(&h, HIST_EFF_SAGA_COMP, 7, 2, 2, 1);
    add_saga_effect(&h, HIST_EFF_SAGA_COMP, 9, 1, 1, 1);
    check_result res = judge_saga_hist(&h);
    assert_int_equal(res.verdict, CHECK_OK);
    assert_non_null(strstr(res.summary, "1 saga: 0 completed, 1 compensated"));
    check_result_free(&res);
    hist_free(&h);
}

/* ------------------------------------------------------------ the dedup rings (saga_keys.h) */

static saga_keys ring_a;          /* static: a ring is about 130 KB */

static saga_dkey dkey(int32_t orch, uint32_t seq, uint8_t step, uint8_t comp) {
    return (saga_dkey){ orch, seq, step, comp };
}

static bool has_key(int32_t orch, uint32_t seq, uint8_t step, uint8_t comp) {
    saga_dkey k = dkey(orch, seq, step, comp);
    return saga_keys_has(&ring_a, &k);
}

static void add_key(int32_t orch, uint32_t seq, uint8_t step, uint8_t comp) {
    saga_dkey k = dkey(orch, seq, step, comp);
    saga_keys_add(&ring_a, &k);
}

static void a_full_key_ring_forgets_its_oldest_key_and_only_that_one(void **state) {
    (void)state;
    saga_keys_init(&ring_a, 3, false);
    add_key(0, 1, 1, 0);
    add_key(0, 2, 1, 0);
    add_key(0, 3, 1, 0);
    assert_true(has_key(0, 1, 1, 0) && has_key(0, 2, 1, 0) && has_key(0, 3, 1, 0));
    add_key(0, 4, 1, 0);                                /* overwrites saga 1's key */
    assert_false(has_key(0, 1, 1, 0));
    assert_true(has_key(0, 2, 1, 0) && has_key(0, 3, 1, 0) && has_key(0, 4, 1, 0));
    add_key(0, 1, 1, 0);                                /* saga 1 again: saga 2 goes */
    assert_true(has_key(0, 1, 1, 0));
    assert_false(has_key(0, 2, 1, 0));
    add_key(0, 4, 1, 0);                                /* saga 3 goes; saga 4 is held twice */
    assert_false(has_key(0, 3, 1, 0));
    add_key(0, 6, 1, 0);                                /* the older copy of 4 goes, */
    assert_true(has_key(0, 4, 1, 0));                   /* the newer one still answers */
    add_key(0, 7, 1, 0);
    add_key(0, 8, 1, 0);                                /* now both are gone */
    assert_false(has_key(0, 4, 1, 0) || has_key(0, 1, 1, 0));
    assert_true(has_key(0, 6, 1, 0) && has_key(0, 7, 1, 0) && has_key(0, 8, 1, 0));
}

static void the_idempotency_ring_tells_directions_apart_and_the_tombstones_do_not(void **state) {
    (void)state;
    saga_keys_init(&ring_a, 16, false);
    add_key(2, 9, 2, 1);                                /* C2 of saga 9 */
    assert_true(has_key(2, 9, 2, 1));
    assert_false(has_key(2, 9, 2, 0));                  /* T2 is another key */
    assert_false(has_key(2, 9, 1, 1) || has_key(1, 9, 2, 1) || has_key(2, 8, 2, 1));
    saga_keys_init(&ring_a, 16, true);
    add_key(2, 9, 2, 1);
    assert_true(has_key(2, 9, 2, 0));                   /* the tombstone refuses T2 */
    assert_false(has_key(2, 9, 1, 0));
}

/* Key number u of a small universe of 18 * seqs keys: collisions in the
 * index and repeats in the ring are the common case. */
static saga_dkey nth_key(uint32_t u, uint32_t seqs) {
    return dkey((int32_t)(u % 3), (u / 3) % seqs, (uint8_t)(1 + (u / (3 * seqs)) % 3),
                (uint8_t)((u / (9 * seqs)) % 2));
}

/* The index against a plain count of the last `cap` keys added, after
 * every add, through many wraps (keys drawn from a fixed LCG). */
static void index_matches_a_count_of_the_last_keys(uint32_t cap, bool any_dir) {
    uint32_t seqs = cap / 9 + 1, universe = 18 * seqs, adds = 4 * cap + 1000;
    uint32_t *count = calloc(universe, sizeof *count), *added = calloc(adds, sizeof *added);
    assert_non_null(count);
    assert_non_null(added);
    saga_keys_init(&ring_a, cap, any_dir);
    uint64_t x = 12345;
    for (uint32_t i = 0; i < adds; i++) {
        x = x * 6364136223846793005u + 1442695040888963407u;
        added[i] = (uint32_t)(x >> 33) % universe;
        saga_dkey k = nth_key(added[i], seqs);
        saga_keys_add(&ring_a, &k);
        count[added[i]]++;
        if (i >= cap) count[added[i - cap]]--;          /* what the ring forgot */
        for (uint32_t q = 0; q < 3; q++) {
            uint32_t u = (uint32_t)(x >> (q * 16)) % universe, other = (u + 9 * seqs) % universe;
            bool want = count[u] > 0 || (any_dir && count[other] > 0);
            saga_dkey kq = nth_key(u, seqs);
            assert_int_equal(saga_keys_has(&ring_a, &kq), want);
        }
    }
    for (uint32_t u = 0; u < universe; u++) {
        saga_dkey k = nth_key(u, seqs);
        assert_int_equal(saga_keys_has(&ring_a, &k), count[u] > 0 || (any_dir && count[(u + 9 * seqs) % universe] > 0));
    }
    free(count);
    free(added);
}

static void the_key_index_agrees_with_the_ring_through_many_wraps(void **state) {
    (void)state;
    static const uint32_t caps[] = { 1, 2, 7, 100, 4096, SAGA_KEYS_MAX };
    for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
        index_matches_a_count_of_the_last_keys(caps[i], false);
        index_matches_a_count_of_the_last_keys(caps[i], true);
    }
}

/* ------------------------------------------------------------ big tables (saga_index.h) */

/* One orchestrator, 5 000 sagas in a row: 5 000 orders at the orders
 * service and 5 000 holds (accounts) at payments, past the old fixed
 * tables of 4 096 orders and 1 024 accounts, which refused the later
 * sagas ("order table full") and compensated them. */
static void a_service_keeps_the_orders_and_holds_of_five_thousand_sagas(void **state) {
    (void)state;
    run r = run_text("name: five-thousand\nseed: 1\nduration: 1000s\nprotocol: saga\n"
                     "params: {balance: 1000000000}\n"
                     "nodes: {orchestrator: [s], service: [o, p, i]}\n"
                     "workload: {kind: order-saga, iterations: 5000, seat: none}\n"
                     "checks: [saga, conservation]\n");
    assert_int_equal(count_eff(&r, HIST_EFF_SAGA_REFUSE, NULL), 0);
    uint32_t completed = 0;
    for (uint32_t k = 0; k < r.h->effect_count; k++)
        completed += r.h->effects[k].kind == HIST_EFF_SAGA_END && r.h->effects[k].value == END_COMPLETED;
    assert_int_equal(completed, 5000);
    assert_true(balance(&r, "p", "hold#5000") > 0);
    summary_contains(&r, "saga", "5000 sagas: 5000 completed");
    run_free(&r);
}

static saga_index table_index;    /* static: an index is about 24 MB, touched where used */
static int64_t table_rows[20000];

static bool same_row(const void *ctx, uint32_t row) {
    return table_rows[row] == *(const int64_t *)ctx;
}

/* Rows whose keys collide often (few distinct hashes) are found through
 * the index exactly where a linear search of the table finds them, as the
 * index grows from empty past several doublings. */
static void the_table_index_finds_each_row_where_a_linear_search_does(void **state) {
    (void)state;
    memset(&table_index, 0, sizeof table_index);
    uint32_t rows = 0;
    for (int64_t key = 0; key < 40000; key += 2) {
        int64_t probe = key + 1;                        /* never added */
        uint32_t hash = saga_hash_i64(key % 97);        /* many keys per hash */
        assert_int_equal(saga_index_find(&table_index, saga_hash_i64(probe % 97), same_row, &probe),
                         SAGA_INDEX_NONE);
        assert_int_equal(saga_index_find(&table_index, hash, same_row, &key), SAGA_INDEX_NONE);
        table_rows[rows] = key;
        saga_index_add(&table_index, hash);
        rows++;
        int64_t old = (int64_t)(((uint64_t)key * 7919u) % (uint64_t)(key + 2)) & ~(int64_t)1;
        assert_int_equal(saga_index_find(&table_index, saga_hash_i64(old % 97), same_row, &old),
                         (uint32_t)(old / 2));
    }
    assert_true(saga_index_ok(&table_index));
    assert_int_equal(table_index.rows, 20000);
}

/* saga_key formats by hand what snprintf("%.20s:%u") wrote, truncation included. */
static void a_saga_key_is_what_snprintf_writes_for_any_name_number_and_length(void **state) {
    (void)state;
    static const char *const names[] = { "", "s", "s1", "orchestrator-with-a-long-name" };
    static const uint32_t seqs[] = { 0, 7, 10, 12345, 4294967295u };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        for (size_t k = 0; k < sizeof seqs / sizeof seqs[0]; k++)
            for (size_t len = 1; len <= 40; len++) {
                char want[40], got[40];
                snprintf(want, len, "%.20s:%u", names[i], (unsigned)seqs[k]);
                memset(got, 'x', sizeof got);
                saga_key(got, len, names[i], seqs[k]);
                assert_string_equal(got, want);
            }
}

/* saga_key_num writes what snprintf("%s%" PRId64) wrote, sign and truncation included. */
static void a_numbered_key_is_what_snprintf_writes_for_any_number_and_length(void **state) {
    (void)state;
    static const char *const prefixes[] = { "", "order#", "hold#" };
    static const int64_t nums[] = { 0, 7, -7, 10, 123456789, INT64_MAX, INT64_MIN };
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
        for (size_t k = 0; k < sizeof nums / sizeof nums[0]; k++)
            for (size_t len = 1; len <= 40; len++) {
                char want[40], got[40];
                snprintf(want, len, "%s%" PRId64, prefixes[i], nums[k]);
                memset(got, 'x', sizeof got);
                saga_key_num(got, len, prefixes[i], nums[k]);
                assert_string_equal(got, want);
            }
}

/* sim_copy_text (the services' reasons and names) writes what snprintf("%.*s") wrote. */
static void a_copied_text_is_what_snprintf_writes_for_any_bound_and_length(void **state) {
    (void)state;
    static const char *const texts[] = { "", "a", "insufficient funds", "tombstone: already compensated" };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        for (size_t max = 0; max <= 34; max++)
            for (size_t len = 1; len <= 34; len++) {
                char want[34], got[34];
                snprintf(want, len, "%.*s", (int)max, texts[i]);
                memset(got, 'x', sizeof got);
                sim_copy_text(got, len, texts[i], max);
                assert_string_equal(got, want);
            }
}

/* ------------------------------------------------------------ input errors and determinism */

#define BASE(params, workload)                                                        \
    "name: variant\nseed: 1\nduration: 10s\nprotocol: saga\nparams:\n" params        \
    "nodes:\n  orchestrator: [s]\n  service: [o, p, i]\n"                            \
    "workload:\n  kind: order-saga\n" workload

static void impossible_saga_params_are_input_errors_at_their_line(void **state) {
    (void)state;
    char err[SIM_ERR_MAX];
    assert_int_equal(create_text(BASE("  timeout: 0ms\n", ""), err, sizeof err), -1);
    assert_string_equal(err, "variant.yaml:6:12: error: timeout: '0ms' is out of range (expected a "
                             "duration above 0)");
    assert_int_equal(create_text(BASE("  log: disk\n", ""), err, sizeof err), -1);
    assert_non_null(strstr(err, "variant.yaml:6:8: error: "));
    assert_int_equal(create_text(BASE("  log: memory\n", "  seat: none\n  fail.step: 3\n"), err, sizeof err), -1);
    assert_string_equal(err, "variant.yaml:13:14: error: invalid fail.step (expected 1 or 2 (no seat step), or 0)");
    assert_int_equal(create_text(BASE("  log: memory\n", "  payments: s\n"), err, sizeof err), -1);
    assert_string_equal(err, "variant.yaml:12:13: error: invalid payments: 's' (expected a service node)");
    assert_int_equal(create_text(BASE("  log: memory\n", "  fail.step: 2\n"), err, sizeof err), 0);
}

static void same_scenario_and_seed_give_the_same_history(void **state) {
    (void)state;
    run a = run_file(DIR "G1c-failure-rate.yaml");
    run b = run_file(DIR "G1c-failure-rate.yaml");
    assert_int_equal(a.h->op_count, b.h->op_count);
    assert_int_equal(a.h->effect_count, b.h->effect_count);
    assert_true(hist_same(a.h, b.h));
    run_free(&a);
    run_free(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(refused_pivot_compensates_funds_then_order_and_ends_at_ten_ms),
        cmocka_unit_test(choreography_passes_the_saga_between_services_and_ends_at_six_ms),
        cmocka_unit_test(random_business_failures_still_end_every_saga_cleanly),
        cmocka_unit_test(compensation_succeeds_on_attempt_six_at_3607_once),
        cmocka_unit_test(non_idempotent_retry_releases_the_hold_twice),
        cmocka_unit_test(idempotent_retry_answers_from_its_table_and_releases_once),
        cmocka_unit_test(late_step_lands_after_its_compensation_as_an_orphan_hold),
        cmocka_unit_test(tombstone_refuses_the_step_that_arrives_after_its_compensation),
        cmocka_unit_test(durable_log_resumes_at_t3_and_completes_at_1004),
        cmocka_unit_test(in_memory_saga_state_is_lost_and_the_saga_stalls),
        cmocka_unit_test(idempotent_service_answers_a_redelivered_step_without_reapplying_it),
        cmocka_unit_test(non_idempotent_service_reserves_a_second_seat_on_redelivery),
        cmocka_unit_test(a_command_in_flight_when_the_orchestrator_loses_power_is_not_delivered),
        cmocka_unit_test(blind_approve_overwrites_the_users_cancel),
        cmocka_unit_test(semantic_lock_refuses_the_early_cancel_and_the_retry_cancels_at_1005),
        cmocka_unit_test(saga_transfer_never_blocks_but_shows_half_a_transfer_for_a_minute),
        cmocka_unit_test(compensation_without_its_step_undoes_nothing_and_is_a_violation),
        cmocka_unit_test(compensations_in_forward_order_are_a_violation),
        cmocka_unit_test(completed_and_reverse_compensated_sagas_are_ok),
        cmocka_unit_test(impossible_saga_params_are_input_errors_at_their_line),
        cmocka_unit_test(same_scenario_and_seed_give_the_same_history),
        cmocka_unit_test(a_full_key_ring_forgets_its_oldest_key_and_only_that_one),
        cmocka_unit_test(the_idempotency_ring_tells_directions_apart_and_the_tombstones_do_not),
        cmocka_unit_test(the_key_index_agrees_with_the_ring_through_many_wraps),
        cmocka_unit_test(a_service_keeps_the_orders_and_holds_of_five_thousand_sagas),
        cmocka_unit_test(the_table_index_finds_each_row_where_a_linear_search_does),
        cmocka_unit_test(a_saga_key_is_what_snprintf_writes_for_any_name_number_and_length),
        cmocka_unit_test(a_numbered_key_is_what_snprintf_writes_for_any_number_and_length),
        cmocka_unit_test(a_copied_text_is_what_snprintf_writes_for_any_bound_and_length),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
