/* test_payment.c -- the payment API with idempotency keys (SCENARIOS.md M1),
 * end to end: how many charges the ledger made, what the client was told
 * and when, against each file's `expect:`.  Times in ms of true time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "protocols/payment/payment.h"
#include "sim/check/check.h"
#include "sim/sim.h"
#include "tests/test_run_support.h"

#define DIR "scenarios/db/"

static void verdicts_match_expect(const run *r) {
    check_input in = { .h = r->h, .s = r->s, .horizon_ns = r->s->duration_ns };
    for (uint32_t i = 0; i < r->s->expect_count; i++) {
        const check_desc *c = check_find(r->s->expect[i].check);
        assert_non_null(c);
        check_result res;
        c->run(&in, &res);
        if ((int)res.verdict != (int)r->s->expect[i].verdict)
            fail_msg("%s: %s gave %s (%s)", r->s->name, c->name, check_verdict_name(res.verdict), res.summary);
        check_result_free(&res);
    }
}

static uint32_t charges(const run *r) {
    uint32_t n = 0;
    for (uint32_t i = 0; i < r->h->effect_count; i++) n += r->h->effects[i].kind == HIST_EFF_BALANCE;
    return n;
}

static const hist_op *the_payment(const run *r) {
    for (uint32_t i = 0; i < r->h->op_count; i++)
        if (r->h->ops[i].f == HIST_F_CHARGE) return &r->h->ops[i];
    fail_msg("no payment");
    return NULL;
}

static void a_retry_with_the_same_key_gets_the_saved_charge(void **state) {
    (void)state;
    run r = run_file(DIR "M1-idempotency-key-duplicate-payment.yaml");
    assert_int_equal(charges(&r), 1);
    const hist_op *p = the_payment(&r);
    assert_int_equal(p->result, HIST_OK);
    assert_int_equal(p->value_out, 1);                 /* ch_1, replayed */
    assert_int_equal(p->complete_ns, 5002 * SIM_MS);
    verdicts_match_expect(&r);
    run_free(&r);
}

static void a_retry_without_a_key_charges_twice(void **state) {
    (void)state;
    run r = run_file(DIR "M1b-no-idempotency-key.yaml");
    assert_int_equal(charges(&r), 2);
    assert_int_equal(the_payment(&r)->value_out, 2);  /* the client only ever saw ch_2 */
    verdicts_match_expect(&r);
    run_free(&r);
}

static void a_concurrent_duplicate_gets_409_and_later_the_replay(void **state) {
    (void)state;
    run r = run_file(DIR "M1c-concurrent-duplicate-key-lock.yaml");
    assert_int_equal(charges(&r), 1);
    assert_int_equal(the_payment(&r)->result, HIST_OK);
    assert_int_equal(the_payment(&r)->value_out, 1);
    verdicts_match_expect(&r);
    run_free(&r);
}

static void check_then_insert_on_the_key_lets_the_duplicate_charge(void **state) {
    (void)state;
    run r = run_file(DIR "M1c2-concurrent-duplicate-check-then-insert.yaml");
    assert_int_equal(charges(&r), 2);
    verdicts_match_expect(&r);
    run_free(&r);
}

static void a_retry_after_the_key_was_pruned_is_a_new_charge(void **state) {
    (void)state;
    run r = run_file(DIR "M1d-retry-after-key-pruned.yaml");
    assert_int_equal(charges(&r), 2);
    assert_true(the_payment(&r)->complete_ns > 86400 * SIM_S);
    verdicts_match_expect(&r);
    run_free(&r);
}

static void a_retry_with_another_amount_is_refused_and_charges_once(void **state) {
    (void)state;
    run r = run_file(DIR "M1e-same-key-different-amount.yaml");
    assert_int_equal(charges(&r), 1);
    assert_int_equal(the_payment(&r)->result, HIST_INFO);
    verdicts_match_expect(&r);
    run_free(&r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_retry_with_the_same_key_gets_the_saved_charge),
        cmocka_unit_test(a_retry_without_a_key_charges_twice),
        cmocka_unit_test(a_concurrent_duplicate_gets_409_and_later_the_replay),
        cmocka_unit_test(check_then_insert_on_the_key_lets_the_duplicate_charge),
        cmocka_unit_test(a_retry_after_the_key_was_pruned_is_a_new_charge),
        cmocka_unit_test(a_retry_with_another_amount_is_refused_and_charges_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
