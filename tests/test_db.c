/* test_db.c -- the database scenarios of scenarios/db/ (SCENARIOS.md D1-D11),
 * run end to end and checked through what they leave in the history: how
 * many orders were confirmed, what each buyer read, the final balances,
 * which transaction waited, aborted or committed and when, and the checks'
 * verdicts against the files' `expect:`.  The numbers asserted are the ones
 * SCENARIOS.md derives (D1 500 orders, D1b 104 and -4, D2-D4 100, D5 4 of
 * 50, D7 finals 50 / 50 / 40, D8 exactly one aborted).  Times are true
 * simulated time; with 1 ms links the database sees a statement 1 ms after
 * the client sent it. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "protocols/db/db.h"
#include "protocols/txn/txn_api.h"
#include "sim/check/check.h"
#include "sim/registry/registry.h"
#include "tests/test_broken_support.h"
#include "sim/sim.h"
#include "tests/test_run_support.h"

#define SCN_DIR "scenarios/db/"


static int64_t ms(sim_time t) { return t / SIM_MS; }

static check_result judge(const run *r, const char *name) {
    check_input in = { .h = r->h, .s = r->s, .horizon_ns = r->s->duration_ns };
    const check_desc *c = check_find(name);
    assert_non_null(c);
    check_result res;
    c->run(&in, &res);
    return res;
}

static check_verdict verdict_of(const run *r, const char *name) {
    check_result res = judge(r, name);
    check_verdict v = res.verdict;
    check_result_free(&res);
    return v;
}

/* Every check the file expects gives the expected verdict. */
static void verdicts_match_expect(const run *r) {
    assert_true(r->s->expect_count > 0);
    for (uint32_t i = 0; i < r->s->expect_count; i++) {
        check_result res = judge(r, r->s->expect[i].check);
        if ((int)res.verdict != (int)r->s->expect[i].verdict)
            fail_msg("%s: %s gave %s (%s)", r->s->name, res.name, check_verdict_name(res.verdict), res.summary);
        check_result_free(&res);
    }
}

static uint32_t ops_with(const run *r, hist_f f, hist_result result) {
    uint32_t n = 0;
    for (uint32_t i = 0; i < r->h->op_count; i++) n += r->h->ops[i].f == f && r->h->ops[i].result == result;
    return n;
}

/* The last BALANCE (or the BALANCE_INIT) of an account. */
static int64_t final_balance(const run *r, const char *key) {
    int64_t v = INT64_MIN;
    for (uint32_t i = 0; i < r->h->effect_count; i++) {
        const hist_effect *x = &r->h->effects[i];
        if ((x->kind == HIST_EFF_BALANCE || x->kind == HIST_EFF_BALANCE_INIT) && strcmp(x->key, key) == 0)
            v = x->value;
    }
    assert_true(v != INT64_MIN);
    return v;
}

static const hist_op *op_of_process(const run *r, hist_f f, uint32_t process) {
    for (uint32_t i = 0; i < r->h->op_count; i++)
        if (r->h->ops[i].f == f && r->h->ops[i].process == process) return &r->h->ops[i];
    fail_msg("no %s op of process %u", hist_f_name(r->h, f), process);
    return NULL;
}

static uint32_t effects_of(const run *r, hist_eff_kind kind, const char *key) {
    uint32_t n = 0;
    for (uint32_t i = 0; i < r->h->effect_count; i++)
        n += r->h->effects[i].kind == kind && (key == NULL || strcmp(r->h->effects[i].key, key) == 0);
    return n;
}

/* The nth effect of a kind (and key, when given), or NULL. */
static const hist_effect *nth_effect(const run *r, hist_eff_kind kind, const char *key, uint32_t nth) {
    for (uint32_t i = 0; i < r->h->effect_count; i++) {
        const hist_effect *x = &r->h->effects[i];
        if (x->kind == kind && (key == NULL || strcmp(x->key, key) == 0) && nth-- == 0) return x;
    }
    return NULL;
}

/* ------------------------------------------------------------ D1-D5: the flash sale */

static void naive_flash_sale_confirms_500_orders_for_100_items_and_ends_at_zero(void **state) {
    (void)state;
    run r = run_file(SCN_DIR "D1-flash-sale-naive-rmw.yaml");
    assert_int_equal(ops_with(&r, HIST_F_BUY, HIST_OK), 500);
    assert_int_equal(ops_with(&r, HIST_F_BUY, HIST_FAIL), 500);
    assert_int_equal(final_balance(&r, "stock:1"), 0);
    /* r_i = 100 - floor(i/5): buyer 5 read buyer 0's write, buyer 499 read 1 */
    assert_int_equal(op_of_process(&r, HIST_F_BUY, 4)->value_out, 100);
    assert_int_equal(op_of_process(&r, HIST_F_BUY, 5)->value_out, 99);
    assert_int_equal(op_of_process(&r, HIST_F_BUY, 499)->value_out, 1);
    assert_int_equal(op_of_process(&r, HIST_F_BUY, 500)->result, HIST_FAIL);
    verdicts_match_expect(&r);
    run_free(&r);
}

static void check_then_decrement_confirms_104_orders_and_leaves_minus_4(void **state) {
    (void)state;
    run r = run_file(SCN_DIR "D1b-flash-sale-check-then-decrement.yaml");
    assert_int_equal(ops_with(&r, HIST_F_BUY, HIST_OK), 104);
    assert_int_equal(final_balance(&r, "stock:1"), -4);
    assert_int_equal(op_of_process(&r, HIST_F_BUY, 103)->result, HIST_OK);
    assert_int_equal(op_of_process(&r, HIST_F_BUY, 104)->result, HIST_FAIL);
    verdicts_match_expect(&r);
    run_free(&r);
}

static void naive_purchase_in_one_transaction_is_a_p4_lost_update_at_read_committed(void **state) {
    (void)state;
    run r = run_file(SCN_DIR "D1c-flash-sale-naive-in-transaction.yaml");
    check_result res = judge(&r, "isolation");
    assert_int_equal(res.verdict, CHECK_VIOLATION);
    assert_non_null(strstr(res.summary, "P4 lost update"));
    assert_non_null(strstr(res.summary, "Hermitage P4"));
    check_result_free(&res);
    verdicts_match_expect(&r);
    run_free(&r);
}

static void repeatable_read_makes_the_naive_purchase_safe_with_serialization_failures(void **state) {
    (void)state;
    run r = run_file(SCN_DIR "D1d-flash-sale-naive-repeatable-read.yaml");
    assert_true(ops_with(&r, HIST_F_BUY, HIST_OK) <= 100);
    assert_int_equal(final_balance(&r, "stock:1"), 100 - (int64_t)ops_with(&r, HIST_F_BUY, HIST_OK));
    assert_true(effects_of(&r, HIST_EFF_DB_ERROR, "40001") > 0);
    assert_true(effects_of(&r, HIST_EFF_RETRY, "40001") > 0);
    verdicts_match_expect(&r);
    run_free(&r);
}

static void atomic_conditional_decrement_sells_to_the_first_100_buyers(void **state) {
    (void)state;
    run r = run_file(SCN_DIR "D2-flash-sale-atomic-conditional-decrement.yaml");
    assert_int_equal(ops_with(&r, HIST_F_BUY, HIST_OK), 100);
    assert_int_equal(final_balance(&r, "stock:1"), 0);
    for (uint32_t b = 0; b < 100; b++) assert_int_equal(op_of_process(&r, HIST_F_BUY, b)->result, HIST_OK);
    /* B0..B99's UPDATEs change the row at 1..100 ms */
    assert_int_equal(ms(nth_effect(&r, HIST_EFF_WRITE, "stock:1", 0)->t_ns), 1);
    assert_int_equal(ms(nth_effect(&r, HIST_EFF_WRITE, "stock:1", 99)->t_ns), 100);
    assert_int_equal(effects_of(&r, HIST_EFF_RETRY, NULL), 0);
    verdicts_match_expect(&r);
    run_free(&r);
}

static void optimistic_cas_sells_exactly_100_one_every_5ms(void **state) {
    (void)state;
    run r = run_file(SCN_DIR "D3-flash-sale-optimistic-cas-retry.yaml");
    assert_int_equal(ops_with(&r, HIST_F_BUY, HIST_OK), 100);
    assert_int_equal(final_balance(&r, "stock:1"), 0);
    /* the buyer who read right after a success wins the next round: B0, B5, ..., B495 */
    for (uint32_t k = 0; k < 100; k++) assert_int_equal(op_of_process(&r, HIST_F_BUY, 5 * k)->result, HIST_OK);
    for (uint32_t k = 1; k < 100; k++)
        assert_int_equal(ms(nth_effect(&r, HIST_EFF_BALANCE, "stock:1", k)->t_ns) -
                         ms(nth_effect(&r, HIST_EFF_BALANCE, "stock:1", k - 1)->t_ns), 5);
    verdicts_match_expect(&r);
    run_free(&r);
}

/* How long buyer b's transaction waited for the stock row's lock. */
static int64_t wait_ms(const run *r, uint32_t buyer) {
    const hist_op *op = op_of_process(r, HIST_F_BUY, buyer);
    sim_time from = -1;
    for (uint32_t i = 0; i < r->h->effect_count; i++) {
        const hist_effect *x = &r->h->effects[i];
        if (x->op != op->id) continue;
        if (x->kind == HIST_EFF_BLOCKED) from = x->t_ns;
        if (x->kind == HIST_EFF_UNBLOCKED) return ms(x->t_ns - from);
    }
    return -1;
}

static void select_for_update_sells_100_and_buyer_100_waits_400ms(void **state) {
    (void)state;
    run r = run_file(SCN_DIR "D4-flash-sale-select-for-update.yaml");
    assert_int_equal(ops_with(&r, HIST_F_BUY, HIST_OK), 100);
    assert_int_equal(final_balance(&r, "stock:1"), 0);
    assert_int_equal(wait_ms(&r, 100), 400);           /* at the db at 101 ms, granted at 501 ms */
    assert_int_equal(op_of_process(&r, HIST_F_BUY, 100)->result, HIST_FAIL);
    assert_int_equal(ms(nth_effect(&r, HIST_EFF_BALANCE, "stock:1", 99)->t_ns), 501);
    verdicts_match_expect(&r);
    run_free(&r);
}

/* Past the old bounds (4096 sessions on a client node, 4096 at the db
 * over a run): 10 000 buyers on three shops (3334, 3333, 3333 sessions),
 * one every 10 us; each ends, and the db releases its idle session. */
static void a_flash_sale_of_10000_buyers_on_three_shops_sells_exactly_the_stock(void **state) {
    (void)state;
    run r = run_text("name: flash-sale-10000\nseed: 1\nduration: 60s\nprotocol: db\n"
                     "nodes: {db: 1, client: [s1, s2, s3]}\nnetwork: {latency: 1ms}\n"
                     "workload: {kind: flash-sale, clients: [s1, s2, s3], stock: 1000, "
                     "buyers: 10000, every: 10us, strategy: atomic}\n"
                     "checks: [oversell, lost-update, liveness]\n");
    assert_int_equal(r.h->op_count, 10000);
    assert_int_equal(ops_with(&r, HIST_F_BUY, HIST_OK), 1000);
    assert_int_equal(ops_with(&r, HIST_F_BUY, HIST_FAIL), 9000);
    assert_int_equal(final_balance(&r, "stock:1"), 0);
    assert_int_equal(op_of_process(&r, HIST_F_BUY, 9999)->result, HIST_FAIL);
    assert_int_equal(verdict_of(&r, "oversell"), CHECK_OK);
    assert_int_equal(verdict_of(&r, "lost-update"), CHECK_OK);
    assert_int_equal(verdict_of(&r, "liveness"), CHECK_OK);
    run_free(&r);
}

/* 3000 transactions queue at once on one row lock (SELECT ... FOR UPDATE):
 * the lock goes down the queue, each buyer once, 100 sold and no more. */
static void a_queue_of_3000_buyers_behind_for_update_sells_the_stock_once(void **state) {
    (void)state;
    run r = run_text("name: for-update-3000\nseed: 1\nduration: 60s\nprotocol: db\n"
                     "nodes: {db: 1, client: [shop]}\nnetwork: {latency: 1ms}\n"
                     "workload: {kind: flash-sale, clients: [shop], stock: 100, buyers: 3000, "
                     "every: 0ms, think: 0ms, strategy: pessimistic}\n"
                     "checks: [oversell, lost-update]\n");
    assert_int_equal(ops_with(&r, HIST_F_BUY, HIST_OK), 100);
    assert_int_equal(ops_with(&r, HIST_F_BUY, HIST_FAIL), 2900);
    assert_int_equal(final_balance(&r, "stock:1"), 0);
    assert_int_equal(effects_of(&r, HIST_EFF_BLOCKED, NULL), 2999);     /* all but the first waited */
    assert_int_equal(effects_of(&r, HIST_EFF_UNBLOCKED, NULL), 2999);
    assert_int_equal(verdict_of(&r, "oversell"), CHECK_OK);
    assert_int_equal(verdict_of(&r, "lost-update"), CHECK_OK);
    run_free(&r);
}

static void lock_timeout_turns_buyers_away_without_overselling(void **state) {
    (void)state;
    run r = run_file(SCN_DIR "D4b-flash-sale-for-update-lock-timeout.yaml");
    assert_true(ops_with(&r, HIST_F_BUY, HIST_OK) <= 100);
    assert_true(effects_of(&r, HIST_EFF_DB_ERROR, "55P03") > 0);
    assert_int_equal(verdict_of(&r, "oversell"), CHECK_OK);
    verdicts_match_expect(&r);
    run_free(&r);
}

static void three_cas_retries_sell_4_of_50_and_leave_96(void **state) {
    (void)state;
    run r = run_file(SCN_DIR "D5-optimistic-retry-exhaustion.yaml");
    assert_int_equal(ops_with(&r, HIST_F_BUY, HIST_OK), 4);
    assert_int_equal(ops_with(&r, HIST_F_BUY, HIST_FAIL), 46);
    assert_int_equal(final_balance(&r, "stock:1"), 96);
    for (uint32_t b = 0; b < 4; b++) assert_int_equal(op_of_process(&r, HIST_F_BUY, b)->result, HIST_OK);
    assert_non_null(strstr(op_of_process(&r, HIST_F_BUY, 4)->note, "gave up after 4 attempts"));
    verdicts_match_expect(&r);
    run_free(&r);
}

static void unlimited_retries_serve_all_50_buyers(void **state) {
    (void)state;
    run r = run_file(SCN_DIR "D5b-optimistic-unlimited-retries.yaml");
    assert_int_equal(ops_with(&r, HIST_F_BUY, HIST_OK), 50);
    assert_int_equal(final_balance(&r, "stock:1"), 50);
    verdicts_match_expect(&r);
    run_free(&r);
}

static void backoff_with_jitter_sells_more_than_lockstep_retries(void **state) {
    (void)state;
    run r = run_file(SCN_DIR "D5c-optimistic-backoff-jitter.yaml");
    assert_true(ops_with(&r, HIST_F_BUY, HIST_OK) > 4);
    assert_int_equal(final_balance(&r, "stock:1"), 100 - (int64_t)ops_with(&r, HIST_F_BUY, HIST_OK));
    verdicts_match_expect(&r);
    run_free(&r);
}

/* ------------------------------------------------------------ D6: the seat */

static void check_then_insert_books_seat_12a_twice(void **state) {
    (void)state;
    run r = run_file(SCN_DIR "D6-double-booked-seat.yaml");
    assert_int_equal(ops_with(&r, HIST_F_BOOK, HIST_OK), 2);
    assert_int_equal(effects_of(&r, HIST_EFF_WRITE, "booking:1") + effects_of(&r, HIST_EFF_WRITE, "booking:2"), 2);
    check_result res = judge(&r, "isolation");
    assert_non_null(strstr(res.summary, "G2"));
    check_result_free(&res);
    verdicts_match_expect(&r);
    run_free(&r);
}

static void every_fix_books_seat_12a_once(void **state) {
    (void)state;
    static const char *const files[] = {
        SCN_DIR "D6a-unique-constraint.yaml", SCN_DIR "D6b-serializable.yaml", SCN_DIR "D6c-select-for-update.yaml",
        SCN_DIR "D6d-conditional-update.yaml", SCN_DIR "D6f-update-after-check-repeatable-read.yaml",
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        run r = run_file(files[i]);
        if (ops_with(&r, HIST_F_BOOK, HIST_OK) != 1) fail_msg("%s: not one booking", files[i]);
        assert_int_equal(ops_with(&r, HIST_F_BOOK, HIST_FAIL), 1);
        verdicts_match_expect(&r);
        run_free(&r);
    }
}

static void unconditional_update_after_a_check_tells_both_users_booked(void **state) {
    (void)state;
    run r = run_file(SCN_DIR "D6e-update-after-check.yaml");
    assert_int_equal(ops_with(&r, HIST_F_BOOK, HIST_OK), 2);
    assert_int_equal(effects_of(&r, HIST_EFF_WRITE, "seat:12A"), 2);      /* one row, overwritten */
    verdicts_match_expect(&r);
    run_free(&r);
}

/* ------------------------------------------------------------ D7: the $100 balance */

static void read_then_write_withdrawals_end_at_50_with_both_accepted(void **state) {
    (void)state;
    static const char *const files[] = {
        SCN_DIR "D7-lost-update-balance.yaml", SCN_DIR "D7b-lost-update-balance-mysql-repeatable-read.yaml",
    };
    for (size_t i = 0; i < 2; i++) {
        run r = run_file(files[i]);
        assert_int_equal(ops_with(&r, HIST_F_TRANSFER, HIST_OK), 2);
        assert_int_equal(final_balance(&r, "acct:1"), 50);
        check_result res = judge(&r, "isolation");
        assert_non_null(strstr(res.summary, "P4 lost update"));
        check_result_free(&res);
        verdicts_match_expect(&r);
        run_free(&r);
    }
}

static void repeatable_read_fails_the_second_withdrawal_and_ends_at_40(void **state) {
    (void)state;
    run r = run_file(SCN_DIR "D7c-lost-update-balance-postgres-repeatable-read.yaml");
    assert_int_equal(final_balance(&r, "acct:1"), 40);
    const hist_effect *err = nth_effect(&r, HIST_EFF_DB_ERROR, "40001", 0);
    assert_non_null(err);
    assert_int_equal(ms(err->t_ns), 9);                /* T2's UPDATE, after T1's commit at 8 ms */
    const hist_op *t2 = op_of_process(&r, HIST_F_TRANSFER, 1);
    assert_int_equal(t2->result, HIST_FAIL);           /* the retry read 40 < 50 */
    assert_non_null(strstr(t2->note, "insufficient funds (40)"));
    assert_int_equal(op_of_process(&r, HIST_F_TRANSFER, 0)->result, HIST_OK);
    verdicts_match_expect(&r);
    run_free(&r);
}

static void every_read_committed_fix_ends_at_40(void **state) {
    (void)state;
    static const char *const files[] = {
        SCN_DIR "D7d-lost-update-balance-atomic-update.yaml", SCN_DIR "D7e-lost-update-balance-select-for-update.yaml",
        SCN_DIR "D7f-lost-update-balance-version-cas.yaml",
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        run r = run_file(files[i]);
        if (final_balance(&r, "acct:1") != 40) fail_msg("%s: final not 40", files[i]);
        assert_int_equal(ops_with(&r, HIST_F_TRANSFER, HIST_OK), 1);
        verdicts_match_expect(&r);
        run_free(&r);
    }
}

/* ------------------------------------------------------------ D8: deadlocks */

static void postgres_aborts_exactly_one_deadlocked_txn_deadlock_timeout_after_it_waited(void **state) {
    (void)state;
    run r = run_file(SCN_DIR "D8-deadlock-two-rows.yaml");
    assert_int_equal(effects_of(&r, HIST_EFF_TXN_ABORT, NULL), 1);
    assert_int_equal(effects_of(&r, HIST_EFF_TXN_COMMIT, NULL), 1);
    assert_int_equal(effects_of(&r, HIST_EFF_DB_ERROR, "40P01"), 1);
    const hist_effect *victim_wait = nth_effect(&r, HIST_EFF_BLOCKED, NULL, 0);
    const hist_effect *found = nth_effect(&r, HIST_EFF_DB_ERROR, "40P01", 0);
    assert_int_equal(found->t_ns - victim_wait->t_ns, SIM_S);   /* deadlock_timeout after it began waiting */
    assert_int_equal(ms(found->t_ns), 1005);
    assert_int_equal(ops_with(&r, HIST_F_TRANSFER, HIST_OK), 1);
    assert_int_equal(ops_with(&r, HIST_F_TRANSFER, HIST_FAIL), 1);
    assert_int_equal(final_balance(&r, "acct:11111") + final_balance(&r, "acct:22222"), 2000);
    verdicts_match_expect(&r);
    run_free(&r);
}

static void mysql_rolls_back_the_requester_when_the_cycle_closes(void **state) {
    (void)state;
    run r = run_file(SCN_DIR "D8a-deadlock-mysql.yaml");
    const hist_effect *found = nth_effect(&r, HIST_EFF_DB_ERROR, "1213", 0);
    assert_non_null(found);
    assert_int_equal(ms(found->t_ns), 6);              /* when T1's second UPDATE began to wait */
    assert_int_equal(effects_of(&r, HIST_EFF_TXN_ABORT, NULL), 1);
    assert_int_equal(op_of_process(&r, HIST_F_TRANSFER, 0)->result, HIST_FAIL);
    assert_int_equal(op_of_process(&r, HIST_F_TRANSFER, 1)->result, HIST_OK);
    verdicts_match_expect(&r);
    run_free(&r);
}

static void deadlock_without_detection_leaves_both_transfers_stuck(void **state) {
    (void)state;
    static const char *const files[] = {
        SCN_DIR "D8b-deadlock-mysql-no-detection-stuck.yaml", SCN_DIR "D8c-deadlock-no-detection-stuck.yaml",
    };
    for (size_t i = 0; i < 2; i++) {
        run r = run_file(files[i]);
        assert_int_equal(ops_with(&r, HIST_F_TRANSFER, HIST_PENDING), 2);
        assert_int_equal(effects_of(&r, HIST_EFF_TXN_COMMIT, NULL), 0);
        check_result res = judge(&r, "liveness");
        assert_int_equal(res.verdict, CHECK_VIOLATION);
        assert_true(res.blocked_ns >= r.s->duration_ns - 10 * SIM_MS);
        check_result_free(&res);
        verdicts_match_expect(&r);
        run_free(&r);
    }
}

static void mysql_lock_wait_timeout_keeps_the_transaction_and_its_locks(void **state) {
    (void)state;
    run r = run_file(SCN_DIR "D8b-deadlock-mysql-no-detection-stuck.yaml");
    const hist_effect *t = nth_effect(&r, HIST_EFF_DB_ERROR, "1205", 0);
    assert_non_null(t);
    assert_int_equal(ms(t->t_ns), 50005);              /* T2 waited from 5 ms, timeout 50 s */
    assert_int_equal(t->value, 0);                     /* only the statement was rolled back */
    assert_int_equal(effects_of(&r, HIST_EFF_TXN_ABORT, NULL), 0);
    run_free(&r);
}

static void rolling_back_on_1205_lets_both_transfers_commit(void **state) {
    (void)state;
    run r = run_file(SCN_DIR "D8b2-deadlock-mysql-no-detection-rollback.yaml");
    assert_int_equal(ops_with(&r, HIST_F_TRANSFER, HIST_OK), 2);
    assert_int_equal(final_balance(&r, "acct:11111") + final_balance(&r, "acct:22222"), 2000);
    verdicts_match_expect(&r);
    run_free(&r);
}

static void a_consistent_lock_order_prevents_the_deadlock(void **state) {
    (void)state;
    run r = run_file(SCN_DIR "D8d-consistent-lock-order.yaml");
    assert_int_equal(effects_of(&r, HIST_EFF_TXN_COMMIT, NULL), 2);
    assert_int_equal(effects_of(&r, HIST_EFF_TXN_ABORT, NULL), 0);
    assert_int_equal(effects_of(&r, HIST_EFF_DB_ERROR, NULL), 0);
    verdicts_match_expect(&r);
    run_free(&r);
}

/* ------------------------------------------------------------ D9-D11, P1: isolation */

/* The values the auditor's transaction read, in order. */
static uint32_t audit_reads(const run *r, int64_t *out, uint32_t max) {
    const hist_op *audit = NULL;
    for (uint32_t i = 0; i < r->h->op_count && !audit; i++)
        if (r->h->ops[i].f == HIST_F_AUDIT) audit = &r->h->ops[i];
    assert_non_null(audit);
    uint32_t n = 0;
    for (uint32_t i = 0; i < r->h->effect_count; i++) {
        const hist_effect *x = &r->h->effects[i];
        if (x->op == audit->id && x->kind == HIST_EFF_READ && n < max) out[n++] = x->value;
    }
    return n;
}

static void read_committed_reads_10_then_12_and_18(void **state) {
    (void)state;
    run r = run_file(SCN_DIR "D9-rc-nonrepeatable-read.yaml");
    int64_t v[8];
    assert_int_equal(audit_reads(&r, v, 8), 3);
    assert_int_equal(v[0], 10);
    assert_int_equal(v[1], 12);
    assert_int_equal(v[2], 18);
    check_result res = judge(&r, "isolation");
    assert_non_null(strstr(res.summary, "P2 non-repeatable read"));
    assert_non_null(strstr(res.summary, "Hermitage G-single"));
    assert_non_null(strstr(res.summary, "; also A5A read skew (Adya G-single; Hermitage G-single) in T1, T2"));
    check_result_free(&res);
    verdicts_match_expect(&r);
    run_free(&r);
}

static void repeatable_read_reads_10_10_and_20(void **state) {
    (void)state;
    run r = run_file(SCN_DIR "D9b-rr-repeatable-read.yaml");
    int64_t v[8];
    assert_int_equal(audit_reads(&r, v, 8), 3);
    assert_int_equal(v[0], 10);
    assert_int_equal(v[1], 10);
    assert_int_equal(v[2], 20);
    verdicts_match_expect(&r);
    run_free(&r);
}

static void reading_one_row_before_and_one_after_a_commit_is_read_skew(void **state) {
    (void)state;
    run r = run_file(SCN_DIR "D9c-rc-read-skew.yaml");
    check_result res = judge(&r, "isolation");
    assert_non_null(strstr(res.summary, "A5A read skew"));
    assert_null(strstr(res.summary, "P2"));
    check_result_free(&res);
    assert_int_equal(op_of_process(&r, HIST_F_AUDIT, 1)->value_out, 28);
    verdicts_match_expect(&r);
    run_free(&r);
}

/* Rows matched by the auditor's second predicate read. */
static int64_t second_predicate_rows(const run *r) {
    const hist_effect *p = nth_effect(r, HIST_EFF_PRED_READ, NULL, 1);
    assert_non_null(p);
    return p->value;
}

static void phantoms_appear_where_the_engine_allows_them(void **state) {
    (void)state;
    static const struct { const char *file; int64_t rows; bool phantom; } cases[] = {
        { SCN_DIR "D10-rr-phantom.yaml", 0, false },
        { SCN_DIR "D10b-rc-phantom.yaml", 1, true },
        { SCN_DIR "D10c-locking-rr-phantom.yaml", 1, true },
        { SCN_DIR "D10d-mysql-rr-consistent-read.yaml", 0, false },
        { SCN_DIR "D10e-mysql-rr-locking-read.yaml", 1, true },
        { SCN_DIR "D10f-locking-serializable.yaml", 0, false },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        run r = run_file(cases[i].file);
        if (second_predicate_rows(&r) != cases[i].rows) fail_msg("%s: rows", cases[i].file);
        check_result res = judge(&r, "isolation");
        bool named = strstr(res.summary, "P3 phantom") && strstr(res.summary, "Hermitage PMP");
        if (named != cases[i].phantom) fail_msg("%s: %s", cases[i].file, res.summary);
        check_result_free(&res);
        verdicts_match_expect(&r);
        run_free(&r);
    }
}

static void snapshot_isolation_lets_both_doctors_go_off_call(void **state) {
    (void)state;
    run r = run_file(SCN_DIR "D11-write-skew-on-call.yaml");
    assert_int_equal(ops_with(&r, HIST_F_OFF_CALL, HIST_OK), 2);
    check_result res = judge(&r, "isolation");
    assert_non_null(strstr(res.summary, "A5B write skew"));
    assert_non_null(strstr(res.summary, "Hermitage G2-item"));
    check_result_free(&res);
    verdicts_match_expect(&r);
    run_free(&r);
}

static void every_write_skew_fix_keeps_one_doctor_on_call(void **state) {
    (void)state;
    static const char *const files[] = {
        SCN_DIR "D11b-serializable.yaml", SCN_DIR "D11c-for-update-read-committed.yaml",
        SCN_DIR "D11d-for-update-repeatable-read.yaml", SCN_DIR "D11f-mysql-serializable.yaml",
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        run r = run_file(files[i]);
        if (ops_with(&r, HIST_F_OFF_CALL, HIST_OK) != 1) fail_msg("%s: not one went off call", files[i]);
        assert_int_equal(ops_with(&r, HIST_F_OFF_CALL, HIST_FAIL), 1);
        verdicts_match_expect(&r);
        run_free(&r);
    }
}

static void serializable_fails_the_pivot_with_40001(void **state) {
    (void)state;
    run r = run_file(SCN_DIR "D11b-serializable.yaml");
    assert_int_equal(effects_of(&r, HIST_EFF_DB_ERROR, "40001"), 1);
    assert_int_equal(op_of_process(&r, HIST_F_OFF_CALL, 1)->result, HIST_FAIL);
    run_free(&r);
}

static void read_uncommitted_reads_a_write_that_rolls_back(void **state) {
    (void)state;
    run r = run_file(SCN_DIR "P1-dirty-read-read-uncommitted.yaml");
    int64_t v[2];
    assert_int_equal(audit_reads(&r, v, 2), 1);
    assert_int_equal(v[0], 60);
    check_result res = judge(&r, "isolation");
    assert_non_null(strstr(res.summary, "G1a aborted read"));
    check_result_free(&res);
    verdicts_match_expect(&r);
    run_free(&r);
}

/* ------------------------------------------------------------ issue 12 regressions */

#define REGRESS_DIR "scenarios/regress/"

/* Effects of a kind recorded for one op. */
static uint32_t effects_of_op(const run *r, hist_eff_kind kind, uint32_t op) {
    uint32_t n = 0;
    for (uint32_t i = 0; i < r->h->effect_count; i++)
        n += r->h->effects[i].kind == kind && r->h->effects[i].op == op;
    return n;
}

static void an_auditor_retried_after_a_deadlock_reads_again_and_writes_nothing(void **state) {
    (void)state;
    run r = run_file(REGRESS_DIR "R12c-mysql-serializable-auditor-retried-after-deadlock.yaml");
    const hist_op *audit = op_of_process(&r, HIST_F_AUDIT, 1);
    assert_int_equal(effects_of_op(&r, HIST_EFF_DB_ERROR, audit->id), 1);      /* the 1213 */
    assert_int_equal(effects_of_op(&r, HIST_EFF_RETRY, audit->id), 1);
    assert_int_equal(effects_of_op(&r, HIST_EFF_WRITE, audit->id), 0);
    assert_int_equal(audit->result, HIST_OK);
    assert_int_equal(audit->value_out, 30);                 /* 12 + 18: the total, after the transfer */
    assert_int_equal(final_balance(&r, "test:2"), 18);
    verdicts_match_expect(&r);
    run_free(&r);
}

static void two_check_then_inserts_at_mysql_serializable_deadlock_at_once(void **state) {
    (void)state;
    run r = run_file(REGRESS_DIR "R12b-mysql-serializable-check-then-insert-deadlock.yaml");
    assert_int_equal(effects_of(&r, HIST_EFF_DB_ERROR, "1213"), 1);
    assert_int_equal(effects_of(&r, HIST_EFF_DB_ERROR, "1205"), 0);
    assert_int_equal(ms(nth_effect(&r, HIST_EFF_DB_ERROR, "1213", 0)->t_ns), 7);   /* when U2 began to wait */
    assert_int_equal(ops_with(&r, HIST_F_BOOK, HIST_OK), 1);
    assert_int_equal(ops_with(&r, HIST_F_BOOK, HIST_FAIL), 1);
    verdicts_match_expect(&r);
    run_free(&r);
}

static void a_loaded_row_leaving_a_write_predicate_is_read_skew_on_both_flavours(void **state) {
    (void)state;
    static const char *const files[] = {
        REGRESS_DIR "R12a-postgres-rc-loaded-row-leaves-a-predicate.yaml",
        REGRESS_DIR "R12a2-mysql-rr-loaded-row-leaves-a-locking-predicate.yaml",
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        run r = run_file(files[i]);
        const hist_effect *p = nth_effect(&r, HIST_EFF_PRED_READ, NULL, 0);
        assert_non_null(p);
        assert_int_equal(p->value, 0);                       /* test:2 = 18 no longer matches */
        check_result res = judge(&r, "isolation");
        if (!strstr(res.summary, "A5A read skew")) fail_msg("%s: %s", files[i], res.summary);
        check_result_free(&res);
        verdicts_match_expect(&r);
        run_free(&r);
    }
}

static void a_dirty_read_then_a_read_of_what_that_writer_overwrote_is_otv(void **state) {
    (void)state;
    run r = run_file(REGRESS_DIR "R12e-mysql-ru-observed-transaction-vanishes.yaml");
    check_result res = judge(&r, "isolation");
    assert_non_null(strstr(res.summary, "OTV observed transaction vanishes (Adya G-single; Hermitage OTV): T3"));
    assert_non_null(strstr(res.summary, "saw T2's write (test:1 = 7) and then read test:2 = 21"));
    assert_non_null(strstr(res.summary, "; also P2 non-repeatable read (Adya G-single; Hermitage G-single) in T3, T2"));
    assert_null(strstr(res.summary, "A5A"));
    check_result_free(&res);
    verdicts_match_expect(&r);
    run_free(&r);
}

/* The regression file's text with one string replaced (a flavour's variant). */
static run run_file_with(const char *path, const char *from, const char *to) {
    char text[8192], out[8192];
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    const char *at = strstr(text, from);
    assert_non_null(at);
    snprintf(out, sizeof out, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
    return run_text(out);
}

#define UPGRADE_FILE REGRESS_DIR "R12d-mysql-serializable-upgrade-waits-behind-for-update.yaml"

static void an_innodb_upgrade_waits_behind_a_queued_for_update_and_deadlocks(void **state) {
    (void)state;
    run r = run_file(UPGRADE_FILE);
    const hist_effect *dl = nth_effect(&r, HIST_EFF_DB_ERROR, "1213", 0);
    assert_non_null(dl);
    assert_int_equal(effects_of(&r, HIST_EFF_DB_ERROR, "1213"), 1);
    assert_int_equal(ms(dl->t_ns), 6);                                  /* when the upgrade queued */
    const hist_op *audit = op_of_process(&r, HIST_F_AUDIT, 1);
    assert_int_equal(dl->op, audit->id);          /* the lighter: no lock granted, vs two S locks */
    assert_int_equal(op_of_process(&r, HIST_F_TRANSFER, 0)->result, HIST_OK);
    assert_int_equal(audit->value_out, 8);                              /* after the transfer */
    assert_int_equal(final_balance(&r, "test:1"), 8);
    verdicts_match_expect(&r);
    run_free(&r);
}

static void a_queued_for_update_chosen_as_victim_lets_the_upgrade_through(void **state) {
    (void)state;
    run r = run_file(REGRESS_DIR "R12d2-mysql-serializable-queued-victim-lets-the-upgrade-through.yaml");
    const hist_op *audit = op_of_process(&r, HIST_F_AUDIT, 1), *xfer = op_of_process(&r, HIST_F_TRANSFER, 0);
    const hist_effect *dl = nth_effect(&r, HIST_EFF_DB_ERROR, "1213", 0);
    assert_non_null(dl);
    assert_int_equal(dl->op, audit->id);                        /* the lighter one */
    assert_int_equal(xfer->result, HIST_OK);
    assert_int_equal(ms(xfer->complete_ns), 9);                 /* committed at 8 ms, no lock timeout */
    assert_int_equal(audit->value_out, 8);
    verdicts_match_expect(&r);
    run_free(&r);
}

static void a_textbook_locking_upgrade_passes_the_queue_and_commits_first(void **state) {
    (void)state;
    run r = run_file_with(UPGRADE_FILE, "flavor: mysql", "flavor: locking");
    assert_int_equal(effects_of(&r, HIST_EFF_DB_ERROR, NULL), 0);
    assert_int_equal(op_of_process(&r, HIST_F_AUDIT, 1)->value_out, 8);  /* after the transfer */
    assert_int_equal(final_balance(&r, "test:1"), 8);
    run_free(&r);
}

#define HERMITAGE_DIR "scenarios/db/hermitage/"

/* The script check holds each statement to Hermitage's documented outcome:
 * which one blocks, until when, and which fails with 1213. */
static void script_meets_hermitage(const char *path, uint32_t deadlocks) {
    run r = run_file(path);
    assert_int_equal(verdict_of(&r, "script"), CHECK_OK);
    assert_int_equal(effects_of(&r, HIST_EFF_DB_ERROR, "1213"), deadlocks);
    verdicts_match_expect(&r);
    run_free(&r);
}

/* PMP-write: T2 holds three shared locks and changed nothing, T1 (the
 * waiting UPDATE) holds none: T1 is the lighter and is rolled back even
 * though T2 closed the cycle.  G2 with two edges: T2 (no lock granted) is
 * rolled back at T1's update. */
static void mysql_rolls_back_the_transaction_holding_fewer_locks_and_changes(void **state) {
    (void)state;
    script_meets_hermitage(HERMITAGE_DIR "HS-pmp-write-mysql-ser.yaml", 1);
    script_meets_hermitage(HERMITAGE_DIR "HS-g2-two-edges-mysql-ser.yaml", 1);
}

/* A DELETE ... WHERE value = 20 at read committed / read uncommitted waits
 * for T2's lock on id 1 before it evaluates the row (no semi-consistent
 * read), then deletes nothing once T2 committed 18 into id 2. */
static void mysql_delete_by_predicate_at_read_committed_waits_for_a_locked_row(void **state) {
    (void)state;
    script_meets_hermitage(HERMITAGE_DIR "HS-g-single-write-2-mysql-rc.yaml", 0);
    script_meets_hermitage(HERMITAGE_DIR "HS-g-single-write-2-mysql-ru.yaml", 0);
}

/* ------------------------------------------------------------ issue 12: the smaller InnoDB / PostgreSQL differences */

/* The SQL log (`ccsim run --emit sql`) of a scenario file; free() it. */
static char *sql_log_of(const char *path) {
    char err[1024];
    scn *s = calloc(1, sizeof *s);
    assert_non_null(s);
    if (scn_load(path, s, err, sizeof err) != 0) fail_msg("%s", err);
    FILE *f = tmpfile();
    assert_non_null(f);
    sim_options opt = { .side_log = f };
    sim *m = NULL;
    if (registry_sim_create(s, &opt, &m, err, sizeof err) != 0) fail_msg("%s", err);
    if (sim_run(m, err, sizeof err) != 0) fail_msg("%s", err);
    sim_destroy(m);
    scn_free(s);
    free(s);
    return file_text(f);
}

static uint32_t count_of(const char *text, const char *needle) {
    uint32_t n = 0;
    for (const char *p = strstr(text, needle); p != NULL; p = strstr(p + 1, needle)) n++;
    return n;
}

/* A file of the library with every `from` replaced by `to`, run. */
static run run_file_replacing(const char *path, const char *from, const char *to) {
    char text[8192], out[8192] = "";
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    const char *p = text;
    for (const char *at; (at = strstr(p, from)) != NULL; p = at + strlen(from)) {
        size_t used = strlen(out);
        snprintf(out + used, sizeof out - used, "%.*s%s", (int)(at - p), p, to);
    }
    size_t used = strlen(out);
    snprintf(out + used, sizeof out - used, "%s", p);
    return run_text(out);
}

#define BEGIN_MYSQL_FILE REGRESS_DIR "R12g-mysql-begin-in-a-transaction-commits-it.yaml"
#define BEGIN_PG_FILE REGRESS_DIR "R12h-postgres-begin-in-a-transaction-keeps-it.yaml"
#define RC_SCAN_FILE REGRESS_DIR "R12f-mysql-rc-locking-scan-releases-nonmatching-rows.yaml"
#define ABORTED_BLOCK_FILE REGRESS_DIR "R12i-postgres-aborted-block-refuses-without-rolling-back.yaml"

/* MySQL: T1's second BEGIN commits its UPDATE (T2 reads 11 at once; the
 * ROLLBACK at the end undoes nothing) and begins a read committed
 * transaction; the log sets that level with SET SESSION TRANSACTION. */
static void a_mysql_begin_inside_a_transaction_commits_it_first(void **state) {
    (void)state;
    run r = run_file(BEGIN_MYSQL_FILE);
    assert_int_equal(verdict_of(&r, "script"), CHECK_OK);
    assert_int_equal(effects_of(&r, HIST_EFF_TXN_COMMIT, "T1"), 1);
    assert_int_equal(effects_of(&r, HIST_EFF_TXN_ABORT, "T2"), 1);     /* the new one, rolled back */
    verdicts_match_expect(&r);
    run_free(&r);
    char *log = sql_log_of(BEGIN_MYSQL_FILE);
    assert_int_equal(count_of(log, "\tSET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED\tSTART "
                                   "TRANSACTION\n"), 1);
    assert_non_null(strstr(log, "\tfinal\ttest\t1\t11\n"));
    free(log);
}

/* PostgreSQL: BEGIN in a block keeps the transaction; its level is taken
 * before the first query and refused after one (25001, which aborts). */
static void a_postgres_begin_inside_a_transaction_keeps_it_and_sets_its_level_before_a_query(void **state) {
    (void)state;
    run r = run_file(BEGIN_PG_FILE);
    assert_int_equal(verdict_of(&r, "script"), CHECK_OK);
    assert_int_equal(effects_of(&r, HIST_EFF_DB_ERROR, "25001"), 1);
    assert_int_equal(effects_of(&r, HIST_EFF_TXN_COMMIT, "T1"), 0);
    assert_int_equal(effects_of(&r, HIST_EFF_TXN_ABORT, "T1"), 1);
    verdicts_match_expect(&r);
    run_free(&r);
    char *log = sql_log_of(BEGIN_PG_FILE);
    assert_int_equal(count_of(log, "\tBEGIN\n"), 1);          /* `begin` without a level */
    assert_int_equal(count_of(log, "\terror\t25001\t1\n"), 1);
    free(log);
}

/* InnoDB at read committed and read uncommitted releases the locks its
 * scans took on id 1, which matches neither WHERE: T2's UPDATE of id 1
 * never waits.  At repeatable read (next-key locks) it waits for T1. */
static void innodb_rc_and_ru_release_the_locks_a_scan_took_on_rows_it_did_not_match(void **state) {
    (void)state;
    run r = run_file(RC_SCAN_FILE);
    assert_int_equal(verdict_of(&r, "script"), CHECK_OK);
    assert_int_equal(effects_of(&r, HIST_EFF_BLOCKED, NULL), 0);
    run_free(&r);
    r = run_file_replacing(RC_SCAN_FILE, "read committed", "read uncommitted");
    assert_int_equal(verdict_of(&r, "script"), CHECK_OK);
    assert_int_equal(effects_of(&r, HIST_EFF_BLOCKED, NULL), 0);
    run_free(&r);
    r = run_file_replacing(RC_SCAN_FILE, "read committed", "repeatable read");
    assert_int_equal(effects_of(&r, HIST_EFF_BLOCKED, NULL), 1);
    assert_non_null(strstr(nth_effect(&r, HIST_EFF_BLOCKED, NULL, 0)->key, "waits test:1"));
    run_free(&r);
}

/* 25P02 refuses a statement of a block an earlier error rolled back: the
 * log writes it ROLLEDBACK 0, the error that rolled back ROLLEDBACK 1. */
static void a_25p02_answer_is_logged_as_rolling_nothing_back(void **state) {
    (void)state;
    char *log = sql_log_of(ABORTED_BLOCK_FILE);
    assert_int_equal(count_of(log, "\terror\t23505\t1\n"), 1);
    assert_int_equal(count_of(log, "\terror\t25P02\t0\n"), 2);
    assert_int_equal(count_of(log, "\terror\t25P02\t1\n"), 0);
    free(log);
}

/* Where `needle` first is in the log (it must be). */
static size_t at_of(const char *log, const char *needle) {
    const char *p = strstr(log, needle);
    if (p == NULL) fail_msg("not in the log: %s", needle);
    return (size_t)(p - log);
}

/* A deadlock's victim is answered before the waiter its rollback lets
 * through, at the same instant: InnoDB's 1213 (S4: T2's UPDATE is the
 * victim, T1's UPDATE of id 1, SEQ 7, then returns) and PostgreSQL's 40P01
 * after deadlock_timeout (D8: T2's SEQ 5, then T1's SEQ 6). */
static void a_deadlock_victims_error_is_logged_before_the_waiter_it_releases(void **state) {
    (void)state;
    char *log = sql_log_of("scenarios/db/script/S4-g2-item-mysql-serializable.yaml");
    assert_true(at_of(log, "\tdone\t8\tclient1/2\t2\terror\t1213\t1\n") <
                at_of(log, "\tdone\t7\tclient1/1\t1\tcount\t1\n"));
    free(log);
    log = sql_log_of(SCN_DIR "D8-deadlock-two-rows.yaml");
    assert_true(at_of(log, "\tdone\t5\tt2/1\t2\terror\t40P01\t1\n") <
                at_of(log, "\tdone\t6\tt1/1\t1\tcount\t1\n"));
    free(log);
}

/* ------------------------------------------------------------ bad input */

static void bad_db_scenarios_are_reported_at_their_line_and_column(void **state) {
    (void)state;
    broken_dir_fails_as_it_says("tests/db_broken", 6, false);
}

/* ------------------------------------------------------------ issue 12: autocommit reads, predicate writes, deleted rows */

/* A two-client script on table test (1=10, 2=20), script and isolation checks. */
static run run_script(const char *flavor, const char *iso, const char *steps) {
    static char yaml[4096];
    snprintf(yaml, sizeof yaml,
             "name: t\nduration: 10s\nprotocol: db\nparams: {flavor: %s, isolation: %s}\n"
             "nodes: {db: 1, client: 1}\n"
             "workload:\n  kind: script\n  clients: [T1, T2]\n  table: test\n  rows: \"1=10, 2=20\"\n"
             "  steps:\n%s"
             "checks: [script, isolation]\n",
             flavor, iso, steps);
    return run_text(yaml);
}

/* The READ effects of transaction txn on key, in order. */
static uint32_t reads_of(const run *r, uint32_t txn, const char *key, const hist_effect **out, uint32_t max) {
    uint32_t n = 0;
    for (uint32_t i = 0; i < r->h->effect_count; i++) {
        const hist_effect *x = &r->h->effects[i];
        if (x->kind == HIST_EFF_READ && hist_effect_txn(r->h, x) == txn && strcmp(x->key, key) == 0 && n < max) out[n++] = x;
    }
    return n;
}

/* MySQL manual, SERIALIZABLE: with autocommit on, a SELECT is its own
 * transaction and a consistent non-locking read; inside a transaction it
 * is SELECT ... FOR SHARE and waits (MariaDB 10.11 does both). */
static void an_autocommit_select_at_mysql_serializable_reads_without_waiting_for_a_lock(void **state) {
    (void)state;
    run r = run_script("mysql", "serializable",
        "    1: {T2: \"begin\"}\n"
        "    2: {T2: \"update test set value = 12 where id = 1\", count: 1}\n"
        "    3: {T1: \"select * from test where id = 1\", rows: \"1=10\"}\n"
        "    4: {T1: \"select * from test\", rows: \"1=10, 2=20\"}\n"
        "    5: {T1: \"begin\"}\n"
        "    6: {T1: \"select * from test where id = 1\", rows: \"1=12\", blocks: 7}\n"
        "    7: {T2: \"commit\"}\n"
        "    8: {T1: \"commit\"}\n");
    assert_int_equal(verdict_of(&r, "script"), CHECK_OK);           /* 3 and 4 returned at once */
    assert_int_equal(effects_of(&r, HIST_EFF_BLOCKED, NULL), 1);    /* only step 6 waited */
    assert_int_equal(verdict_of(&r, "isolation"), CHECK_OK);
    run_free(&r);
    script_meets_hermitage(HERMITAGE_DIR "HS-g0-mysql-ser.yaml", 0);
}

/* Hermitage PMP for write predicates, PostgreSQL read committed: T2's
 * DELETE judged id 1 by its snapshot (10, no match), T1 then committed 20
 * there, and T2 read that 20: the DELETE's WHERE is a predicate read, so
 * the check finds the predicate rw edge (G-single, P3). */
static void a_predicate_delete_records_its_where_as_a_predicate_read(void **state) {
    (void)state;
    run r = run_file(HERMITAGE_DIR "HS-pmp-write-postgres-rc.yaml");
    const hist_effect *p = NULL;
    for (uint32_t i = 0; i < r.h->effect_count && p == NULL; i++) {
        const hist_effect *x = &r.h->effects[i];
        if (x->kind == HIST_EFF_PRED_READ && hist_effect_txn(r.h, x) == 2) p = x;
    }
    assert_non_null(p);                                   /* T2's DELETE ... WHERE value = 20 */
    assert_int_equal(p->pred, HIST_PRED_EQ);
    assert_int_equal(p->aux, 20);
    assert_int_equal(p->value, 0);                        /* id 1 = 10 (snapshot), id 2 = 30 (re-checked) */
    const hist_effect *seen1 = p + 1, *seen2 = p + 2;
    assert_int_equal(seen1->kind, HIST_EFF_PRED_SEEN);
    assert_string_equal(seen1->key, "test:1");
    assert_int_equal(seen1->value, 10);
    assert_int_equal(seen2->kind, HIST_EFF_PRED_SEEN);
    assert_string_equal(seen2->key, "test:2");
    assert_int_equal(seen2->value, 30);
    check_result res = judge(&r, "isolation");
    assert_int_equal(res.verdict, CHECK_VIOLATION);
    assert_non_null(strstr(res.summary, "P3 phantom"));
    check_result_free(&res);
    verdicts_match_expect(&r);
    run_free(&r);
}

/* The same statements where T1's change keeps id 2 in the predicate: the
 * re-checked row is judged by its current version, so no false cycle. */
static void a_predicate_update_rechecked_on_the_newest_row_is_no_anomaly(void **state) {
    (void)state;
    run r = run_script("postgres", "read-committed",
        "    1: {T1: \"begin\"}\n"
        "    2: {T2: \"begin\"}\n"
        "    3: {T1: \"update test set value = value + 1 where id = 2\", count: 1}\n"
        "    4: {T2: \"update test set value = value + 100 where value > 15\", count: 1, blocks: 5}\n"
        "    5: {T1: \"commit\"}\n"
        "    6: {T2: \"commit\"}\n"
        "    7: {T1: \"select * from test\", rows: \"1=10, 2=121\"}\n");
    assert_int_equal(verdict_of(&r, "script"), CHECK_OK);
    assert_int_equal(verdict_of(&r, "isolation"), CHECK_OK);
    assert_int_equal(effects_of(&r, HIST_EFF_PRED_READ, NULL), 2);   /* T2's WHERE, T1's last select */
    run_free(&r);
}

/* A SELECT by id of a row another transaction deleted and committed reads
 * its tombstone: a READ of the tombstone's version that returns no row,
 * which gives the isolation check the wr edge from the deleter. */
static void a_select_of_a_deleted_row_reads_its_tombstone(void **state) {
    (void)state;
    run r = run_script("postgres", "read-committed",
        "    1: {T1: \"begin\"}\n"
        "    2: {T1: \"select * from test where id = 2\", rows: \"2=20\"}\n"
        "    3: {T2: \"delete from test where id = 2\", count: 1}\n"
        "    4: {T1: \"select * from test where id = 2\", rows: none}\n"
        "    5: {T1: \"select * from test where id = 3\", rows: none}\n"
        "    6: {T1: \"commit\"}\n");
    assert_int_equal(verdict_of(&r, "script"), CHECK_OK);
    const hist_effect *rd[4];
    assert_int_equal(reads_of(&r, 1, "test:2", rd, 4), 2);
    assert_int_equal(hist_effect_version(r.h, rd[0]), 1);
    assert_int_equal(rd[0]->pred, 0);
    assert_int_equal(hist_effect_version(r.h, rd[1]), 2);                   /* T2's tombstone */
    assert_int_equal(rd[1]->pred, DB_WRITE_DELETE);
    assert_int_equal(reads_of(&r, 1, "test:3", rd, 4), 1);
    assert_int_equal(hist_effect_version(r.h, rd[0]), 0);                   /* never inserted */
    assert_int_equal(rd[0]->pred, DB_WRITE_DELETE);
    check_result res = judge(&r, "isolation");             /* read 20, then its deletion: P2 */
    assert_int_equal(res.verdict, CHECK_VIOLATION);
    assert_non_null(strstr(res.summary, "P2 non-repeatable read"));
    check_result_free(&res);
    run_free(&r);
}

/* ------------------------------------------------------------ issue 12: an autocommit statement's error */

#define AUTOCOMMIT_ERROR_FILE REGRESS_DIR "R12j-mysql-autocommit-error-ends-its-transaction.yaml"

/* MariaDB in autocommit ends a bare statement's transaction with the
 * statement when it fails, 1062 included (inside BEGIN..COMMIT it rolls
 * back the statement only): T2's next UPDATE commits at once, T1's does
 * not wait.  The error rolled back: DB_ERROR value 1, the log's
 * ROLLEDBACK 1, and no ROLLBACK record (the server ended it). */
static void a_mysql_autocommit_statement_that_fails_ends_its_own_transaction(void **state) {
    (void)state;
    run r = run_file(AUTOCOMMIT_ERROR_FILE);
    assert_int_equal(verdict_of(&r, "script"), CHECK_OK);
    assert_int_equal(nth_effect(&r, HIST_EFF_DB_ERROR, "1062", 0)->value, 1);
    assert_int_equal(effects_of(&r, HIST_EFF_TXN_ABORT, NULL), 1);
    assert_int_equal(effects_of(&r, HIST_EFF_BLOCKED, NULL), 0);
    verdicts_match_expect(&r);
    run_free(&r);
    char *log = sql_log_of(AUTOCOMMIT_ERROR_FILE);
    assert_int_equal(count_of(log, "\terror\t1062\t1\n"), 1);
    assert_int_equal(count_of(log, "\tROLLBACK\n"), 0);
    free(log);
}

/* The same for 1205: T2's bare UPDATE of every row locks id 1, waits for
 * T1's lock on id 2 and times out; its transaction ends with it and lets
 * go of id 1, so T1's UPDATE of id 1 does not wait (before, it waited and
 * timed out too).  Inside BEGIN..COMMIT the lock stays (D8b). */
static void a_mysql_autocommit_statement_that_times_out_releases_its_locks(void **state) {
    (void)state;
    run r = run_text(
        "name: t\nduration: 10s\nprotocol: db\n"
        "params: {flavor: mysql, isolation: repeatable-read, innodb_lock_wait_timeout: 50ms}\n"
        "nodes: {db: 1, client: 1}\n"
        "workload:\n  kind: script\n  clients: [T1, T2]\n  table: test\n  rows: \"1=10, 2=20\"\n"
        "  steps:\n"
        "    1: {T1: \"begin\"}\n"
        "    2: {T1: \"update test set value = 21 where id = 2\", count: 1}\n"
        "    3: {T2: \"update test set value = value + 1\", error: \"1205\"}\n"
        "    4: {T1: \"update test set value = 12 where id = 1\", count: 1}\n"
        "    5: {T1: \"commit\"}\n"
        "    6: {T2: \"select * from test\", rows: \"1=12, 2=21\"}\n"
        "checks: [script, isolation]\n");
    assert_int_equal(verdict_of(&r, "script"), CHECK_OK);
    assert_int_equal(effects_of(&r, HIST_EFF_DB_ERROR, NULL), 1);      /* T1 never timed out */
    assert_int_equal(nth_effect(&r, HIST_EFF_DB_ERROR, "1205", 0)->value, 1);
    assert_int_equal(effects_of(&r, HIST_EFF_BLOCKED, NULL), 1);       /* only T2's UPDATE waited */
    assert_int_equal(verdict_of(&r, "isolation"), CHECK_OK);
    run_free(&r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(naive_flash_sale_confirms_500_orders_for_100_items_and_ends_at_zero),
        cmocka_unit_test(check_then_decrement_confirms_104_orders_and_leaves_minus_4),
        cmocka_unit_test(naive_purchase_in_one_transaction_is_a_p4_lost_update_at_read_committed),
        cmocka_unit_test(repeatable_read_makes_the_naive_purchase_safe_with_serialization_failures),
        cmocka_unit_test(atomic_conditional_decrement_sells_to_the_first_100_buyers),
        cmocka_unit_test(optimistic_cas_sells_exactly_100_one_every_5ms),
        cmocka_unit_test(select_for_update_sells_100_and_buyer_100_waits_400ms),
        cmocka_unit_test(a_flash_sale_of_10000_buyers_on_three_shops_sells_exactly_the_stock),
        cmocka_unit_test(a_queue_of_3000_buyers_behind_for_update_sells_the_stock_once),
        cmocka_unit_test(lock_timeout_turns_buyers_away_without_overselling),
        cmocka_unit_test(three_cas_retries_sell_4_of_50_and_leave_96),
        cmocka_unit_test(unlimited_retries_serve_all_50_buyers),
        cmocka_unit_test(backoff_with_jitter_sells_more_than_lockstep_retries),
        cmocka_unit_test(check_then_insert_books_seat_12a_twice),
        cmocka_unit_test(every_fix_books_seat_12a_once),
        cmocka_unit_test(unconditional_update_after_a_check_tells_both_users_booked),
        cmocka_unit_test(read_then_write_withdrawals_end_at_50_with_both_accepted),
        cmocka_unit_test(repeatable_read_fails_the_second_withdrawal_and_ends_at_40),
        cmocka_unit_test(every_read_committed_fix_ends_at_40),
        cmocka_unit_test(postgres_aborts_exactly_one_deadlocked_txn_deadlock_timeout_after_it_waited),
        cmocka_unit_test(mysql_rolls_back_the_requester_when_the_cycle_closes),
        cmocka_unit_test(deadlock_without_detection_leaves_both_transfers_stuck),
        cmocka_unit_test(mysql_lock_wait_timeout_keeps_the_transaction_and_its_locks),
        cmocka_unit_test(rolling_back_on_1205_lets_both_transfers_commit),
        cmocka_unit_test(a_consistent_lock_order_prevents_the_deadlock),
        cmocka_unit_test(read_committed_reads_10_then_12_and_18),
        cmocka_unit_test(repeatable_read_reads_10_10_and_20),
        cmocka_unit_test(reading_one_row_before_and_one_after_a_commit_is_read_skew),
        cmocka_unit_test(phantoms_appear_where_the_engine_allows_them),
        cmocka_unit_test(snapshot_isolation_lets_both_doctors_go_off_call),
        cmocka_unit_test(every_write_skew_fix_keeps_one_doctor_on_call),
        cmocka_unit_test(serializable_fails_the_pivot_with_40001),
        cmocka_unit_test(read_uncommitted_reads_a_write_that_rolls_back),
        cmocka_unit_test(a_loaded_row_leaving_a_write_predicate_is_read_skew_on_both_flavours),
        cmocka_unit_test(a_dirty_read_then_a_read_of_what_that_writer_overwrote_is_otv),
        cmocka_unit_test(an_auditor_retried_after_a_deadlock_reads_again_and_writes_nothing),
        cmocka_unit_test(two_check_then_inserts_at_mysql_serializable_deadlock_at_once),
        cmocka_unit_test(an_innodb_upgrade_waits_behind_a_queued_for_update_and_deadlocks),
        cmocka_unit_test(a_queued_for_update_chosen_as_victim_lets_the_upgrade_through),
        cmocka_unit_test(a_textbook_locking_upgrade_passes_the_queue_and_commits_first),
        cmocka_unit_test(mysql_rolls_back_the_transaction_holding_fewer_locks_and_changes),
        cmocka_unit_test(mysql_delete_by_predicate_at_read_committed_waits_for_a_locked_row),
        cmocka_unit_test(bad_db_scenarios_are_reported_at_their_line_and_column),
        cmocka_unit_test(a_mysql_begin_inside_a_transaction_commits_it_first),
        cmocka_unit_test(a_postgres_begin_inside_a_transaction_keeps_it_and_sets_its_level_before_a_query),
        cmocka_unit_test(innodb_rc_and_ru_release_the_locks_a_scan_took_on_rows_it_did_not_match),
        cmocka_unit_test(a_25p02_answer_is_logged_as_rolling_nothing_back),
        cmocka_unit_test(a_deadlock_victims_error_is_logged_before_the_waiter_it_releases),
        cmocka_unit_test(an_autocommit_select_at_mysql_serializable_reads_without_waiting_for_a_lock),
        cmocka_unit_test(a_predicate_delete_records_its_where_as_a_predicate_read),
        cmocka_unit_test(a_predicate_update_rechecked_on_the_newest_row_is_no_anomaly),
        cmocka_unit_test(a_select_of_a_deleted_row_reads_its_tombstone),
        cmocka_unit_test(a_mysql_autocommit_statement_that_fails_ends_its_own_transaction),
        cmocka_unit_test(a_mysql_autocommit_statement_that_times_out_releases_its_locks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
