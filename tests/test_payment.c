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

/* A run of `clients` clients paying `payments` times each (issue 17),
 * with the protocol's and the network's lines as given. */
static run many_payments(uint32_t clients, uint32_t payments, const char *params, const char *network,
                         const char *duration) {
    char yaml[2048];
    snprintf(yaml, sizeof yaml,
             "name: many-payments\nseed: 1\nduration: %s\nprotocol: payment-api\n"
             "params: {process_time: 9ms, balance: 1000000000%s}\n"
             "nodes: {api: 1, client: %u}\nnetwork: {latency: 1ms%s}\n"
             "workload: {kind: payment, amount: 50, timeout: 2s, payments: %u, every: 100ms}\n"
             "checks: [conservation, liveness]\n",
             duration, params, clients, network, payments);
    return run_text(yaml);
}

static uint32_t ops_with(const run *r, hist_result result) {
    uint32_t n = 0;
    for (uint32_t i = 0; i < r->h->op_count; i++) n += r->h->ops[i].f == HIST_F_CHARGE && r->h->ops[i].result == result;
    return n;
}

/* The charges the api made for op id (BALANCE effects naming it). */
static uint32_t charges_of(const run *r, uint32_t id, int64_t *charge) {
    uint32_t n = 0;
    for (uint32_t i = 0; i < r->h->effect_count; i++) {
        const hist_effect *ef = &r->h->effects[i];
        if (ef->kind != HIST_EFF_BALANCE || ef->op != id) continue;
        n++;
        *charge = hist_effect_version(r->h, ef);
    }
    return n;
}

/* Every payment charged at most once, and each acknowledged one with the
 * charge made for it (not another payment's, replayed under a shared key). */
static void each_payment_charged_once(const run *r) {
    for (uint32_t i = 0; i < r->h->op_count; i++) {
        const hist_op *op = &r->h->ops[i];
        if (op->f != HIST_F_CHARGE) continue;
        int64_t charge = 0;
        uint32_t n = charges_of(r, op->id, &charge);
        if (n > 1) fail_msg("payment %u charged %u times", op->id, n);
        if (op->result == HIST_OK && (n != 1 || op->value_out != charge))
            fail_msg("payment %u acknowledged with ch_%lld, its charge ch_%lld", op->id, (long long)op->value_out,
                     (long long)charge);
    }
}

static void many_payments_per_client_are_each_charged_once_under_their_own_keys(void **state) {
    (void)state;
    run r = many_payments(5, 40, "", ", loss: 20%", "10m");
    assert_int_equal(r.h->op_count, 200);             /* 5 clients x 40 payments, all made */
    assert_true(ops_with(&r, HIST_OK) >= 190);
    each_payment_charged_once(&r);
    assert_int_equal(run_verdict(&r, "conservation"), CHECK_OK);
    assert_int_equal(run_verdict(&r, "liveness"), CHECK_OK);
    run_free(&r);
}

static void more_keys_than_the_old_1024_are_held_without_503(void **state) {
    (void)state;
    run r = many_payments(50, 30, ", keys: 2048", "", "10m");
    assert_int_equal(ops_with(&r, HIST_OK), 1500);    /* 1 500 keys, none pruned */
    assert_int_equal(charges(&r), 1500);
    each_payment_charged_once(&r);
    run_free(&r);
}

static void a_full_key_table_answers_503(void **state) {
    (void)state;
    run r = many_payments(50, 30, "", "", "10m");     /* keys: 1024, the default */
    assert_int_equal(ops_with(&r, HIST_OK), 1024);
    assert_int_equal(ops_with(&r, HIST_FAIL), 476);
    assert_string_equal(r.h->ops[r.h->op_count - 1].note, "status 503");
    run_free(&r);
}

static void pruned_keys_free_their_slots_for_new_payments(void **state) {
    (void)state;
    run r = many_payments(4, 50, ", keys: 16, retention: 200ms", "", "10m");
    assert_int_equal(ops_with(&r, HIST_OK), 200);     /* 200 keys through 16 slots */
    assert_int_equal(charges(&r), 200);
    each_payment_charged_once(&r);
    run_free(&r);
    r = many_payments(4, 50, ", keys: 16", "", "10m");  /* kept 24 h: the table fills */
    assert_int_equal(ops_with(&r, HIST_OK), 16);
    run_free(&r);
}

static void a_restarted_client_goes_on_with_its_next_payment(void **state) {
    (void)state;
    run r = run_text("name: restart\nseed: 1\nduration: 20s\nprotocol: payment-api\n"
                     "nodes: {api: 1, client: 1}\nnetwork: {latency: 1ms}\n"
                     "workload: {kind: payment, payments: 5, every: 1s}\n"
                     "faults:\n  - {at: 1500ms, crash: client1}\n  - {at: 3s, restart: client1}\n"
                     "checks: [conservation]\n");
    assert_int_equal(ops_with(&r, HIST_OK), 5);       /* 2 before the crash, 3 after */
    assert_true(r.h->ops[2].invoke_ns >= 4 * SIM_S);  /* `every` after the restart */
    each_payment_charged_once(&r);
    run_free(&r);
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
        cmocka_unit_test(many_payments_per_client_are_each_charged_once_under_their_own_keys),
        cmocka_unit_test(more_keys_than_the_old_1024_are_held_without_503),
        cmocka_unit_test(a_full_key_table_answers_503),
        cmocka_unit_test(pruned_keys_free_their_slots_for_new_payments),
        cmocka_unit_test(a_restarted_client_goes_on_with_its_next_payment),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
