/* test_ratelimit.c -- the rate limiter's four algorithms at a window
 * boundary (SCENARIOS.md M2): 100 requests reach the limiter in the last
 * 100 ms of a 60 s window and 100 in the first 100 ms of the next. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "protocols/ratelimit/ratelimit.h"
#include "sim/check/check.h"
#include "sim/sim.h"
#include "tests/test_run_support.h"

#define DIR "scenarios/db/"

static uint32_t count(const run *r, hist_eff_kind k, sim_time from, sim_time to) {
    uint32_t n = 0;
    for (uint32_t i = 0; i < r->h->effect_count; i++) {
        const hist_effect *x = &r->h->effects[i];
        n += x->kind == k && x->t_ns >= from && x->t_ns < to;
    }
    return n;
}

static check_verdict rate_limit_verdict(const run *r) {
    check_input in = { .h = r->h, .s = r->s, .horizon_ns = r->s->duration_ns };
    check_result res;
    check_find("rate-limit")->run(&in, &res);
    check_verdict v = res.verdict;
    check_result_free(&res);
    return v;
}

static void fixed_window_admits_both_batches_200_in_200ms(void **state) {
    (void)state;
    run r = run_file(DIR "M2-rate-limiter-fixed-window-boundary.yaml");
    assert_int_equal(count(&r, HIST_EFF_ADMIT, 59900 * SIM_MS, 60000 * SIM_MS), 100);
    assert_int_equal(count(&r, HIST_EFF_ADMIT, 60000 * SIM_MS, 60100 * SIM_MS), 100);
    assert_int_equal(rate_limit_verdict(&r), CHECK_VIOLATION);
    run_free(&r);
}

static void sliding_log_refuses_the_whole_second_batch(void **state) {
    (void)state;
    run r = run_file(DIR "M2b-sliding-log.yaml");
    assert_int_equal(count(&r, HIST_EFF_ADMIT, 0, r.s->duration_ns), 100);
    assert_int_equal(count(&r, HIST_EFF_REFUSE, 60000 * SIM_MS, 60100 * SIM_MS), 100);
    assert_int_equal(rate_limit_verdict(&r), CHECK_OK);
    run_free(&r);
}

static void sliding_counter_lets_one_more_in_as_the_previous_window_decays(void **state) {
    (void)state;
    run r = run_file(DIR "M2c-sliding-counter.yaml");
    assert_int_equal(count(&r, HIST_EFF_ADMIT, 60000 * SIM_MS, 60100 * SIM_MS), 1);
    assert_int_equal(count(&r, HIST_EFF_REFUSE, 60000 * SIM_MS, 60001 * SIM_MS), 1);   /* estimate 100 at 0 ms */
    assert_int_equal(rate_limit_verdict(&r), CHECK_VIOLATION);
    run_free(&r);
}

static void token_bucket_has_no_tokens_left_for_the_second_batch(void **state) {
    (void)state;
    run r = run_file(DIR "M2d-token-bucket.yaml");
    assert_int_equal(count(&r, HIST_EFF_ADMIT, 0, r.s->duration_ns), 100);
    assert_int_equal(rate_limit_verdict(&r), CHECK_OK);
    run_free(&r);
}

static void window_outside_0_to_24_hours_is_an_input_error_at_its_line(void **state) {
    (void)state;
    char err[SIM_ERR_MAX];
#define RL_TEXT(window) "name: w\nprotocol: rate-limiter\nparams:\n  window: " window "\n" \
                        "nodes: {limiter: 1, client: 1}\nworkload: {kind: requests}\n"
    assert_int_equal(create_text(RL_TEXT("25h"), err, sizeof err), -1);
    assert_string_equal(err, "variant.yaml:4:11: error: window: '25h' is out of range (expected a "
                             "duration above 0 and at most 24 h)");
    assert_int_equal(create_text(RL_TEXT("0s"), err, sizeof err), -1);
    assert_string_equal(err, "variant.yaml:4:11: error: window: '0s' is out of range (expected a "
                             "duration above 0 and at most 24 h)");
    assert_int_equal(create_text(RL_TEXT("24h"), err, sizeof err), 0);
#undef RL_TEXT
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fixed_window_admits_both_batches_200_in_200ms),
        cmocka_unit_test(sliding_log_refuses_the_whole_second_batch),
        cmocka_unit_test(sliding_counter_lets_one_more_in_as_the_previous_window_decays),
        cmocka_unit_test(token_bucket_has_no_tokens_left_for_the_second_batch),
        cmocka_unit_test(window_outside_0_to_24_hours_is_an_input_error_at_its_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
