/* test_db_checks.c -- the database checks (oversell, double-booking,
 * conservation, lost-update on balances, isolation, rate-limit) and the
 * run figures, on small hand-built histories: each anomaly next to the
 * history that is fine, so a check that always says "violation" fails
 * here as surely as one that never does.  Histories follow hist.h's
 * "Databases" contract; times are in ms. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "protocols/db/db.h"
#include "protocols/payment/payment.h"
#include "protocols/ratelimit/ratelimit.h"
#include "protocols/txn/txn_api.h"
#include "sim/check/check.h"
#include "sim/check/figures.h"
#include "sim/check/ledger.h"
#include "sim/hist.h"
#include "sim/registry/registry.h"

#define DB 0                         /* node 0 is the db; clients are 1, 2, ... */

typedef struct fx { hist h; } fx;

static int setup(void **state) {
    fx *f = calloc(1, sizeof *f);
    hist_init(&f->h);
    f->h.vocab = &registry_vocab;          /* every family's kinds, as a real run has */
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fx *f = *state;
    hist_free(&f->h);
    free(f);
    return 0;
}

/* An op from client `node` (process = node) that completed with r. */
static uint32_t op(fx *f, hist_f fn, int32_t node, hist_result r, const char *key, const char *key2,
                   int64_t delta, int64_t t0, int64_t t1) {
    hist_op_fields o;
    memset(&o, 0, sizeof o);
    o.node = node;
    o.process = (uint32_t)node;
    o.f = fn;
    o.result = (uint8_t)r;
    o.invoke_ns = t0 * SIM_MS;
    o.complete_ns = r == HIST_PENDING ? SIM_TIME_NEVER : t1 * SIM_MS;
    o.key = key;
    o.key2 = key2;
    o.delta = delta;
    uint32_t id = 0;
    assert_true(hist_add_op(&f->h, &o, &id));
    return id;
}

static void eff(fx *f, hist_eff_kind kind, int64_t t, int32_t node, uint32_t txn, const char *key,
                int64_t value, int64_t version, uint32_t opid) {
    hist_effect_fields x;
    memset(&x, 0, sizeof x);
    x.kind = kind;
    x.t_ns = t * SIM_MS;
    x.node = node;
    x.client = 1;
    x.op = opid;
    x.txn = txn;
    x.value = value;
    x.version = version;
    x.key = key;
    assert_true(hist_add_effect(&f->h, &x));
}

static check_result run_check(fx *f, const char *name) {
    check_input in = { .h = &f->h, .s = NULL, .horizon_ns = 1000 * SIM_MS };
    const check_desc *c = check_find(name);
    assert_non_null(c);
    check_result res;
    c->run(&in, &res);
    return res;
}

static check_verdict verdict(fx *f, const char *name) {
    check_result res = run_check(f, name);
    check_verdict v = res.verdict;
    check_result_free(&res);
    return v;
}

/* ------------------------------------------------------------ oversell */

static void stock_and_confirmed_orders_that_add_up_are_not_an_oversell(void **state) {
    fx *f = *state;
    eff(f, HIST_EFF_BALANCE_INIT, 0, DB, 0, "stock:1", 2, 1, HIST_NONE);
    uint32_t a = op(f, HIST_F_BUY, 1, HIST_OK, "stock:1", "", -1, 0, 3);
    uint32_t b = op(f, HIST_F_BUY, 2, HIST_OK, "stock:1", "", -1, 0, 4);
    op(f, HIST_F_BUY, 3, HIST_FAIL, "stock:1", "", -1, 0, 5);
    eff(f, HIST_EFF_BALANCE, 2, DB, 1, "stock:1", 1, 2, a);
    eff(f, HIST_EFF_BALANCE, 3, DB, 2, "stock:1", 0, 3, b);
    assert_int_equal(verdict(f, "oversell"), CHECK_OK);
}

static void more_orders_than_items_is_an_oversell_even_when_the_stock_ends_at_zero(void **state) {
    fx *f = *state;
    eff(f, HIST_EFF_BALANCE_INIT, 0, DB, 0, "stock:1", 1, 1, HIST_NONE);
    uint32_t a = op(f, HIST_F_BUY, 1, HIST_OK, "stock:1", "", -1, 0, 3);
    uint32_t b = op(f, HIST_F_BUY, 2, HIST_OK, "stock:1", "", -1, 0, 4);
    eff(f, HIST_EFF_BALANCE, 2, DB, 1, "stock:1", 0, 2, a);
    eff(f, HIST_EFF_BALANCE, 3, DB, 2, "stock:1", 0, 3, b);
    check_result res = run_check(f, "oversell");
    assert_int_equal(res.verdict, CHECK_VIOLATION);
    assert_non_null(strstr(res.summary, "oversold by 1"));
    assert_non_null(res.story);
    check_result_free(&res);
}

static void orders_of_unknown_outcome_may_explain_a_lower_stock(void **state) {
    fx *f = *state;
    eff(f, HIST_EFF_BALANCE_INIT, 0, DB, 0, "stock:1", 5, 1, HIST_NONE);
    uint32_t a = op(f, HIST_F_BUY, 1, HIST_OK, "stock:1", "", -1, 0, 3);
    uint32_t b = op(f, HIST_F_BUY, 2, HIST_INFO, "stock:1", "", -1, 0, 4);
    eff(f, HIST_EFF_BALANCE, 2, DB, 1, "stock:1", 4, 2, a);
    eff(f, HIST_EFF_BALANCE, 3, DB, 2, "stock:1", 3, 3, b);
    assert_int_equal(verdict(f, "oversell"), CHECK_OK);
}

/* ------------------------------------------------------------ double-booking */

static void one_confirmed_booking_per_seat_is_fine(void **state) {
    fx *f = *state;
    op(f, HIST_F_BOOK, 1, HIST_OK, "seat:12A", "", 0, 0, 5);
    op(f, HIST_F_BOOK, 2, HIST_FAIL, "seat:12A", "", 0, 1, 6);
    op(f, HIST_F_BOOK, 3, HIST_OK, "seat:12B", "", 0, 1, 6);
    assert_int_equal(verdict(f, "double-booking"), CHECK_OK);
}

static void two_users_told_booked_for_one_seat_is_a_double_booking(void **state) {
    fx *f = *state;
    op(f, HIST_F_BOOK, 1, HIST_OK, "seat:12A", "", 0, 0, 5);
    op(f, HIST_F_BOOK, 2, HIST_OK, "seat:12A", "", 0, 1, 6);
    check_result res = run_check(f, "double-booking");
    assert_int_equal(res.verdict, CHECK_VIOLATION);
    assert_non_null(strstr(res.summary, "seat:12A confirmed to 2 users"));
    check_result_free(&res);
}

/* ------------------------------------------------------------ conservation */

/* Among many accounts (the ledger finds them through an index), a key two
 * nodes hold is matched to the one whose effect came first, and the ops
 * that name it count there. */
static void among_many_accounts_a_key_two_nodes_hold_is_the_first_nodes(void **state) {
    fx *f = *state;
    char key[32];
    for (int i = 0; i < 3000; i++) {
        snprintf(key, sizeof key, "acct:%d", i);
        eff(f, HIST_EFF_BALANCE_INIT, 0, i == 2999 ? 5 : DB, 0, key, 10, 1, HIST_NONE);
    }
    eff(f, HIST_EFF_BALANCE_INIT, 1, 5, 0, "acct:7", 99, 1, HIST_NONE);   /* acct:7 again, node 5 */
    op(f, HIST_F_TRANSFER, 1, HIST_OK, "acct:7", "acct:2999", -4, 0, 5);
    check_ledger l;
    check_ledger_build(&f->h, &l);
    assert_int_equal(l.count, 3001);
    const check_account *a = check_ledger_find(&l, "acct:7");
    assert_non_null(a);
    assert_int_equal(a->node, DB);
    assert_int_equal(a->init, 10);
    assert_int_equal(a->acked, -4);
    assert_int_equal(check_ledger_find(&l, "acct:2999")->acked, 4);
    assert_int_equal(check_ledger_find(&l, "acct:2999")->node, 5);
    assert_null(check_ledger_find(&l, "acct:3000"));
    assert_int_equal(l.init_total, 3000 * 10 + 99);
    check_ledger_free(&l);
}

static void a_transfer_between_two_accounts_conserves_money(void **state) {
    fx *f = *state;
    eff(f, HIST_EFF_BALANCE_INIT, 0, DB, 0, "acct:1", 100, 1, HIST_NONE);
    eff(f, HIST_EFF_BALANCE_INIT, 0, DB, 0, "acct:2", 0, 1, HIST_NONE);
    uint32_t t = op(f, HIST_F_TRANSFER, 1, HIST_OK, "acct:1", "acct:2", -30, 0, 5);
    eff(f, HIST_EFF_BALANCE, 4, DB, 1, "acct:1", 70, 2, t);
    eff(f, HIST_EFF_BALANCE, 4, DB, 1, "acct:2", 30, 2, t);
    assert_int_equal(verdict(f, "conservation"), CHECK_OK);
    assert_int_equal(verdict(f, "lost-update"), CHECK_OK);
}

static void a_second_charge_nobody_acknowledged_breaks_conservation(void **state) {
    fx *f = *state;
    eff(f, HIST_EFF_BALANCE_INIT, 0, DB, 0, "customer", 1000, 0, HIST_NONE);
    uint32_t c = op(f, HIST_F_CHARGE, 1, HIST_OK, "customer", "", -50, 0, 5000);
    eff(f, HIST_EFF_BALANCE, 10, DB, 0, "customer", 950, 1, c);
    eff(f, HIST_EFF_BALANCE, 5010, DB, 0, "customer", 900, 2, c);
    check_result res = run_check(f, "conservation");
    assert_int_equal(res.verdict, CHECK_VIOLATION);
    assert_non_null(strstr(res.summary, "50 less"));
    check_result_free(&res);
}

static void a_charge_of_unknown_outcome_may_have_happened(void **state) {
    fx *f = *state;
    eff(f, HIST_EFF_BALANCE_INIT, 0, DB, 0, "customer", 1000, 0, HIST_NONE);
    uint32_t c = op(f, HIST_F_CHARGE, 1, HIST_INFO, "customer", "", -50, 0, 5000);
    eff(f, HIST_EFF_BALANCE, 10, DB, 0, "customer", 950, 1, c);
    assert_int_equal(verdict(f, "conservation"), CHECK_OK);
}

/* ------------------------------------------------------------ lost-update on balances */

/* T1 and T2 both read acct:1 = 100 and write read - amount. */
static void two_read_then_writes(fx *f, bool second_saw_first) {
    eff(f, HIST_EFF_BALANCE_INIT, 0, DB, 0, "acct:1", 100, 1, HIST_NONE);
    uint32_t a = op(f, HIST_F_TRANSFER, 1, HIST_OK, "acct:1", "", -60, 0, 9);
    uint32_t b = op(f, HIST_F_TRANSFER, 2, HIST_OK, "acct:1", "", -50, 1, 12);
    eff(f, HIST_EFF_READ, 1, DB, 1, "acct:1", 100, 1, a);
    if (!second_saw_first) eff(f, HIST_EFF_READ, 2, DB, 2, "acct:1", 100, 1, b);
    eff(f, HIST_EFF_WRITE, 6, DB, 1, "acct:1", 40, 2, a);
    eff(f, HIST_EFF_BALANCE, 8, DB, 1, "acct:1", 40, 2, a);
    eff(f, HIST_EFF_TXN_COMMIT, 8, DB, 1, "T1", 2, 0, a);
    if (second_saw_first) eff(f, HIST_EFF_READ, 8, DB, 2, "acct:1", 40, 2, b);
    int64_t after = second_saw_first ? -10 : 50;
    eff(f, HIST_EFF_WRITE, 9, DB, 2, "acct:1", after, 3, b);
    eff(f, HIST_EFF_BALANCE, 11, DB, 2, "acct:1", after, 3, b);
    eff(f, HIST_EFF_TXN_COMMIT, 11, DB, 2, "T2", 3, 0, b);
}

static void a_write_computed_from_a_stale_read_loses_the_other_withdrawal(void **state) {
    fx *f = *state;
    two_read_then_writes(f, false);
    check_result res = run_check(f, "lost-update");
    assert_int_equal(res.verdict, CHECK_VIOLATION);
    assert_non_null(strstr(res.summary, "acct:1 ended at 50, expected -10"));
    assert_non_null(strstr(res.summary, "never saw it"));
    check_result_free(&res);
    res = run_check(f, "isolation");
    assert_int_equal(res.verdict, CHECK_VIOLATION);
    assert_non_null(strstr(res.summary, "P4 lost update"));
    check_result_free(&res);
}

static void withdrawals_applied_one_after_the_other_lose_nothing(void **state) {
    fx *f = *state;
    two_read_then_writes(f, true);
    assert_int_equal(verdict(f, "lost-update"), CHECK_OK);
    assert_int_equal(verdict(f, "isolation"), CHECK_OK);
}

/* ------------------------------------------------------------ isolation */

static void write_skew_on_two_rows_is_a5b(void **state) {
    fx *f = *state;
    eff(f, HIST_EFF_READ, 1, DB, 1, "doctor:alice", 1, 1, HIST_NONE);
    eff(f, HIST_EFF_READ, 1, DB, 1, "doctor:bob", 1, 1, HIST_NONE);
    eff(f, HIST_EFF_READ, 2, DB, 2, "doctor:alice", 1, 1, HIST_NONE);
    eff(f, HIST_EFF_READ, 2, DB, 2, "doctor:bob", 1, 1, HIST_NONE);
    eff(f, HIST_EFF_WRITE, 5, DB, 1, "doctor:alice", 0, 2, HIST_NONE);
    eff(f, HIST_EFF_TXN_COMMIT, 6, DB, 1, "T1", 2, 0, HIST_NONE);
    eff(f, HIST_EFF_WRITE, 6, DB, 2, "doctor:bob", 0, 2, HIST_NONE);
    eff(f, HIST_EFF_TXN_COMMIT, 7, DB, 2, "T2", 3, 0, HIST_NONE);
    check_result res = run_check(f, "isolation");
    assert_int_equal(res.verdict, CHECK_VIOLATION);
    assert_non_null(strstr(res.summary, "A5B write skew"));
    assert_non_null(strstr(res.summary, "G2-item"));
    assert_non_null(res.story);
    check_result_free(&res);
}

static void the_same_reads_and_writes_one_after_the_other_are_serializable(void **state) {
    fx *f = *state;
    eff(f, HIST_EFF_READ, 1, DB, 1, "doctor:alice", 1, 1, HIST_NONE);
    eff(f, HIST_EFF_READ, 1, DB, 1, "doctor:bob", 1, 1, HIST_NONE);
    eff(f, HIST_EFF_WRITE, 5, DB, 1, "doctor:alice", 0, 2, HIST_NONE);
    eff(f, HIST_EFF_TXN_COMMIT, 6, DB, 1, "T1", 2, 0, HIST_NONE);
    eff(f, HIST_EFF_READ, 7, DB, 2, "doctor:alice", 0, 2, HIST_NONE);
    eff(f, HIST_EFF_READ, 7, DB, 2, "doctor:bob", 1, 1, HIST_NONE);
    eff(f, HIST_EFF_TXN_COMMIT, 8, DB, 2, "T2", 3, 0, HIST_NONE);
    assert_int_equal(verdict(f, "isolation"), CHECK_OK);
}

static void reading_a_write_that_rolled_back_is_g1a(void **state) {
    fx *f = *state;
    eff(f, HIST_EFF_WRITE, 1, DB, 1, "acct:1", 60, 2, HIST_NONE);
    eff(f, HIST_EFF_READ, 2, DB, 2, "acct:1", 60, 2, HIST_NONE);
    eff(f, HIST_EFF_TXN_COMMIT, 2, DB, 2, "T2", 2, 0, HIST_NONE);
    eff(f, HIST_EFF_TXN_ABORT, 3, DB, 1, "T1", 0, 0, HIST_NONE);
    check_result res = run_check(f, "isolation");
    assert_non_null(strstr(res.summary, "G1a aborted read"));
    check_result_free(&res);
}

static void reading_an_overwritten_intermediate_version_is_g1b(void **state) {
    fx *f = *state;
    eff(f, HIST_EFF_WRITE, 1, DB, 1, "acct:1", 60, 2, HIST_NONE);
    eff(f, HIST_EFF_READ, 2, DB, 2, "acct:1", 60, 2, HIST_NONE);
    eff(f, HIST_EFF_TXN_COMMIT, 2, DB, 2, "T2", 2, 0, HIST_NONE);
    eff(f, HIST_EFF_WRITE, 3, DB, 1, "acct:1", 70, 3, HIST_NONE);
    eff(f, HIST_EFF_TXN_COMMIT, 4, DB, 1, "T1", 3, 0, HIST_NONE);
    check_result res = run_check(f, "isolation");
    assert_non_null(strstr(res.summary, "G1b intermediate read"));
    check_result_free(&res);
}

static void writes_installed_in_opposite_orders_on_two_rows_are_g0(void **state) {
    fx *f = *state;
    eff(f, HIST_EFF_WRITE, 1, DB, 1, "x", 1, 2, HIST_NONE);
    eff(f, HIST_EFF_WRITE, 2, DB, 2, "y", 2, 2, HIST_NONE);
    eff(f, HIST_EFF_WRITE, 3, DB, 2, "x", 2, 3, HIST_NONE);
    eff(f, HIST_EFF_WRITE, 4, DB, 1, "y", 1, 3, HIST_NONE);
    eff(f, HIST_EFF_TXN_COMMIT, 5, DB, 1, "T1", 2, 0, HIST_NONE);
    eff(f, HIST_EFF_TXN_COMMIT, 5, DB, 2, "T2", 3, 0, HIST_NONE);
    check_result res = run_check(f, "isolation");
    assert_non_null(strstr(res.summary, "G0 write cycle"));
    check_result_free(&res);
}

/* A predicate read of `test` (value = 30) by T1 that saw rows 1 and 2
 * (10, 20), then T2's insert of test:3 = 30, then T1 reads it. */
static void phantom_history(fx *f, bool second_read_sees_it) {
    hist_effect_fields p;
    memset(&p, 0, sizeof p);
    p.kind = HIST_EFF_PRED_READ;
    p.t_ns = 1 * SIM_MS;
    p.node = DB;
    p.txn = 1;
    p.op = HIST_NONE;
    p.pred = HIST_PRED_EQ;
    p.aux = 30;
    p.key = "test";
    assert_true(hist_add_effect(&f->h, &p));
    eff(f, HIST_EFF_PRED_SEEN, 1, DB, 1, "test:1", 10, 1, HIST_NONE);
    eff(f, HIST_EFF_PRED_SEEN, 1, DB, 1, "test:2", 20, 1, HIST_NONE);
    eff(f, HIST_EFF_WRITE, 2, DB, 2, "test:3", 30, 1, HIST_NONE);
    eff(f, HIST_EFF_TXN_COMMIT, 3, DB, 2, "T2", 2, 0, HIST_NONE);
    if (second_read_sees_it) eff(f, HIST_EFF_READ, 4, DB, 1, "test:3", 30, 1, HIST_NONE);
    eff(f, HIST_EFF_TXN_COMMIT, 5, DB, 1, "T1", 3, 0, HIST_NONE);
}

static void a_row_a_predicate_missed_then_saw_is_a_phantom(void **state) {
    fx *f = *state;
    phantom_history(f, true);
    check_result res = run_check(f, "isolation");
    assert_non_null(strstr(res.summary, "P3 phantom"));
    assert_non_null(strstr(res.summary, "PMP"));
    check_result_free(&res);
}

static void a_row_a_predicate_missed_and_never_saw_is_no_phantom(void **state) {
    fx *f = *state;
    phantom_history(f, false);
    assert_int_equal(verdict(f, "isolation"), CHECK_OK);
}

/* A WRITE as the db node records it: aux = the value it replaced. */
static void write_over(fx *f, int64_t t, uint32_t txn, const char *key, int64_t value, int64_t version,
                       int64_t replaced) {
    hist_effect_fields x;
    memset(&x, 0, sizeof x);
    x.kind = HIST_EFF_WRITE;
    x.t_ns = t * SIM_MS;
    x.node = DB;
    x.client = 1;
    x.op = HIST_NONE;
    x.txn = txn;
    x.key = key;
    x.value = value;
    x.version = version;
    x.aux = replaced;
    assert_true(hist_add_effect(&f->h, &x));
}

static void pred_read(fx *f, int64_t t, uint32_t txn, const char *table, hist_pred op, int64_t arg, int64_t rows) {
    hist_effect_fields p;
    memset(&p, 0, sizeof p);
    p.kind = HIST_EFF_PRED_READ;
    p.t_ns = t * SIM_MS;
    p.node = DB;
    p.txn = txn;
    p.op = HIST_NONE;
    p.pred = (uint16_t)op;
    p.aux = arg;
    p.value = rows;
    p.key = table;
    assert_true(hist_add_effect(&f->h, &p));
}

/* Hermitage's G-single on a write predicate: T1 reads test:1 (10, as
 * loaded); T2 moves 2 from test:2 (20, loaded) to test:1 and commits; T1
 * then reads WHERE value = arg and sees test:2 = 18. */
static void loaded_row_leaves_predicate(fx *f, int64_t arg) {
    eff(f, HIST_EFF_READ, 1, DB, 1, "test:1", 10, 1, HIST_NONE);
    write_over(f, 2, 2, "test:1", 12, 2, 10);
    write_over(f, 2, 2, "test:2", 18, 2, 20);
    eff(f, HIST_EFF_TXN_COMMIT, 3, DB, 2, "T2", 2, 0, HIST_NONE);
    pred_read(f, 4, 1, "test", HIST_PRED_EQ, arg, 0);
    eff(f, HIST_EFF_PRED_SEEN, 4, DB, 1, "test:1", 12, 2, HIST_NONE);
    eff(f, HIST_EFF_PRED_SEEN, 4, DB, 1, "test:2", 18, 2, HIST_NONE);
    eff(f, HIST_EFF_TXN_COMMIT, 5, DB, 1, "T1", 3, 0, HIST_NONE);
}

static void a_loaded_row_that_a_writer_moved_out_of_a_predicate_is_read_skew(void **state) {
    fx *f = *state;
    loaded_row_leaves_predicate(f, 20);
    check_result res = run_check(f, "isolation");
    assert_int_equal(res.verdict, CHECK_VIOLATION);
    assert_non_null(strstr(res.summary, "A5A read skew"));
    assert_non_null(strstr(res.summary, "its read of test WHERE value = 20 saw T2's other write (test:2 = 18)"));
    check_result_free(&res);
}

static void a_predicate_the_loaded_row_never_matched_sees_no_change(void **state) {
    fx *f = *state;
    loaded_row_leaves_predicate(f, 30);
    assert_int_equal(verdict(f, "isolation"), CHECK_OK);
}

/* Hermitage's G1b at READ UNCOMMITTED: T2 reads T1's 101, T1 overwrites it
 * with 11 and commits, T2 reads 11. */
static void reading_an_intermediate_version_then_the_final_one_is_g1b_alone(void **state) {
    fx *f = *state;
    write_over(f, 1, 1, "test:1", 101, 2, 10);
    eff(f, HIST_EFF_READ, 2, DB, 2, "test:1", 101, 2, HIST_NONE);
    write_over(f, 3, 1, "test:1", 11, 3, 101);
    eff(f, HIST_EFF_TXN_COMMIT, 4, DB, 1, "T1", 2, 0, HIST_NONE);
    eff(f, HIST_EFF_READ, 5, DB, 2, "test:1", 11, 3, HIST_NONE);
    eff(f, HIST_EFF_TXN_COMMIT, 6, DB, 2, "T2", 3, 0, HIST_NONE);
    check_result res = run_check(f, "isolation");
    assert_int_equal(res.verdict, CHECK_VIOLATION);
    assert_non_null(strstr(res.summary, "G1b intermediate read (Adya G1b; Hermitage G1b)"));
    assert_null(strstr(res.summary, "P2"));                   /* T1's final 11 did not overwrite its own 101 */
    assert_null(strstr(res.summary, "also"));
    check_result_free(&res);
}

/* T1 writes x and y (committed); T2 overwrites both; T3 reads x and y,
 * one before T2's write and one after.  otv: T3 reads T2's x first, then
 * T1's y that T2 overwrites (dirty read); else the classic read skew: T1's
 * x first, then T2's y. */
static void two_writers_and_a_reader(fx *f, bool otv) {
    write_over(f, 1, 1, "test:1", 11, 2, 10);
    write_over(f, 1, 1, "test:2", 19, 2, 20);
    eff(f, HIST_EFF_TXN_COMMIT, 2, DB, 1, "T1", 2, 0, HIST_NONE);
    if (!otv) eff(f, HIST_EFF_READ, 2, DB, 3, "test:1", 11, 2, HIST_NONE);
    write_over(f, 3, 2, "test:1", 12, 3, 11);
    if (otv) {
        eff(f, HIST_EFF_READ, 4, DB, 3, "test:1", 12, 3, HIST_NONE);
        eff(f, HIST_EFF_READ, 4, DB, 3, "test:2", 19, 2, HIST_NONE);
    }
    write_over(f, 5, 2, "test:2", 18, 3, 19);
    eff(f, HIST_EFF_TXN_COMMIT, 6, DB, 2, "T2", 3, 0, HIST_NONE);
    if (!otv) eff(f, HIST_EFF_READ, 7, DB, 3, "test:2", 18, 3, HIST_NONE);
    eff(f, HIST_EFF_TXN_COMMIT, 8, DB, 3, "T3", 4, 0, HIST_NONE);
}

static void seeing_a_writer_then_what_it_overwrote_is_otv(void **state) {
    fx *f = *state;
    two_writers_and_a_reader(f, true);
    check_result res = run_check(f, "isolation");
    assert_non_null(strstr(res.summary, "OTV observed transaction vanishes (Adya G-single; Hermitage OTV)"));
    assert_non_null(strstr(res.summary, "T3 saw T2's write (test:1 = 12) and then read test:2 = 19"));
    assert_null(strstr(res.summary, "A5A"));
    check_result_free(&res);
}

static void seeing_the_old_version_first_and_the_writer_after_is_read_skew_not_otv(void **state) {
    fx *f = *state;
    two_writers_and_a_reader(f, false);
    check_result res = run_check(f, "isolation");
    assert_non_null(strstr(res.summary, "A5A read skew"));
    assert_null(strstr(res.summary, "OTV"));
    check_result_free(&res);
}

static void a_history_without_transactions_is_not_judged(void **state) {
    fx *f = *state;
    op(f, HIST_F_READ, 1, HIST_OK, "", "", 0, 0, 1);
    check_result res = run_check(f, "isolation");
    assert_int_equal(res.verdict, CHECK_OK);
    assert_non_null(strstr(res.summary, "no database transactions"));
    check_result_free(&res);
}

/* ------------------------------------------------------------ rate-limit, figures */

static void admits(fx *f, int64_t from_ms, int n) {
    for (int i = 0; i < n; i++) {
        hist_effect_fields x;
        memset(&x, 0, sizeof x);
        x.kind = HIST_EFF_ADMIT;
        x.t_ns = (from_ms + i) * SIM_MS;
        x.node = DB;
        x.op = HIST_NONE;
        x.value = 100;
        x.aux = 60 * SIM_S;
        assert_true(hist_add_effect(&f->h, &x));
    }
}

static void a_hundred_admissions_per_minute_keep_the_limit(void **state) {
    fx *f = *state;
    admits(f, 0, 100);
    admits(f, 60000, 100);                 /* the next minute, exactly W later */
    assert_int_equal(verdict(f, "rate-limit"), CHECK_OK);
}

static void two_hundred_admissions_across_a_window_boundary_break_the_limit(void **state) {
    fx *f = *state;
    admits(f, 59900, 200);
    check_result res = run_check(f, "rate-limit");
    assert_int_equal(res.verdict, CHECK_VIOLATION);
    assert_non_null(strstr(res.summary, "200 requests admitted within 0.199 s"));
    check_result_free(&res);
}

static void figures_count_commits_aborts_retries_and_lock_waits(void **state) {
    fx *f = *state;
    eff(f, HIST_EFF_BLOCKED, 1, DB, 2, "T2 waits acct:1", 0, 0, HIST_NONE);
    eff(f, HIST_EFF_TXN_COMMIT, 5, DB, 1, "T1", 2, 0, HIST_NONE);
    eff(f, HIST_EFF_UNBLOCKED, 5, DB, 2, "T2 waits acct:1", 0, 0, HIST_NONE);
    eff(f, HIST_EFF_DB_ERROR, 6, DB, 2, "40001", 1, 0, HIST_NONE);
    eff(f, HIST_EFF_TXN_ABORT, 6, DB, 2, "T2", 0, 0, HIST_NONE);
    eff(f, HIST_EFF_RETRY, 7, 1, 0, "40001", 2, 0, HIST_NONE);
    check_figures x;
    check_figures_build(&f->h, 100 * SIM_MS, &x);
    assert_true(x.any);
    assert_int_equal(x.commits, 1);
    assert_int_equal(x.aborts, 1);
    assert_int_equal(x.retries, 1);
    assert_int_equal(x.serialization_failures, 1);
    assert_int_equal(x.lock_waits, 1);
    assert_int_equal(x.lock_wait_max_ns, 4 * SIM_MS);
}

/* The old pairing, kept: an UNBLOCKED closes the first wait of its (node,
 * key) in the list of open waits, where a closed wait's place goes to the
 * last one.  X, A, C open ([X A C]); X closes, C takes its place ([C A]);
 * the next close of K is C's (7 ms), then A's (18 ms), not first come
 * first closed (8 and 17). */
static void lock_waits_of_one_key_close_in_the_order_of_the_open_list(void **state) {
    fx *f = *state;
    eff(f, HIST_EFF_BLOCKED, 1, DB, 1, "L", 0, 0, HIST_NONE);
    eff(f, HIST_EFF_BLOCKED, 2, DB, 2, "K", 0, 0, HIST_NONE);
    eff(f, HIST_EFF_BLOCKED, 3, DB, 3, "K", 0, 0, HIST_NONE);
    eff(f, HIST_EFF_UNBLOCKED, 4, DB, 1, "L", 0, 0, HIST_NONE);
    eff(f, HIST_EFF_UNBLOCKED, 10, DB, 3, "K", 0, 0, HIST_NONE);
    eff(f, HIST_EFF_UNBLOCKED, 20, DB, 2, "K", 0, 0, HIST_NONE);
    eff(f, HIST_EFF_UNBLOCKED, 30, DB, 2, "K", 0, 0, HIST_NONE);   /* none open: ignored */
    eff(f, HIST_EFF_BLOCKED, 40, DB + 1, 4, "K", 0, 0, HIST_NONE); /* another node: open at the end */
    check_figures x;
    check_figures_build(&f->h, 100 * SIM_MS, &x);
    assert_int_equal(x.lock_waits, 4);
    assert_int_equal(x.lock_wait_max_ns, 60 * SIM_MS);
    assert_int_equal(x.lock_wait_total_ns, (3 + 7 + 18 + 60) * SIM_MS);
}

/* 3000 waits open at once on distinct keys, closed newest first: each
 * close finds its own (a queue of buyers behind one row lock). */
static void thousands_of_open_lock_waits_each_close_their_own(void **state) {
    fx *f = *state;
    char key[SIM_NAME_MAX];
    for (uint32_t i = 0; i < 3000; i++) {
        snprintf(key, sizeof key, "T%u waits stock:1", i + 1);
        eff(f, HIST_EFF_BLOCKED, i, DB, i + 1, key, 0, 0, HIST_NONE);
    }
    for (uint32_t i = 3000; i-- > 0;) {
        snprintf(key, sizeof key, "T%u waits stock:1", i + 1);
        eff(f, HIST_EFF_UNBLOCKED, 3000 + (3000 - i), DB, i + 1, key, 0, 0, HIST_NONE);
    }
    check_figures x;
    check_figures_build(&f->h, 10000 * SIM_MS, &x);
    assert_int_equal(x.lock_waits, 3000);
    assert_int_equal(x.lock_wait_max_ns, 6000 * SIM_MS);          /* T1: 0 ms .. 6000 ms */
    assert_int_equal(x.lock_wait_total_ns, (int64_t)9003000 * SIM_MS);   /* sum of 6000 - 2i */
}

int main(void) {
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        T(stock_and_confirmed_orders_that_add_up_are_not_an_oversell),
        T(more_orders_than_items_is_an_oversell_even_when_the_stock_ends_at_zero),
        T(orders_of_unknown_outcome_may_explain_a_lower_stock),
        T(one_confirmed_booking_per_seat_is_fine),
        T(two_users_told_booked_for_one_seat_is_a_double_booking),
        T(among_many_accounts_a_key_two_nodes_hold_is_the_first_nodes),
        T(a_transfer_between_two_accounts_conserves_money),
        T(a_second_charge_nobody_acknowledged_breaks_conservation),
        T(a_charge_of_unknown_outcome_may_have_happened),
        T(a_write_computed_from_a_stale_read_loses_the_other_withdrawal),
        T(withdrawals_applied_one_after_the_other_lose_nothing),
        T(write_skew_on_two_rows_is_a5b),
        T(the_same_reads_and_writes_one_after_the_other_are_serializable),
        T(reading_a_write_that_rolled_back_is_g1a),
        T(reading_an_overwritten_intermediate_version_is_g1b),
        T(writes_installed_in_opposite_orders_on_two_rows_are_g0),
        T(a_row_a_predicate_missed_then_saw_is_a_phantom),
        T(a_row_a_predicate_missed_and_never_saw_is_no_phantom),
        T(a_loaded_row_that_a_writer_moved_out_of_a_predicate_is_read_skew),
        T(a_predicate_the_loaded_row_never_matched_sees_no_change),
        T(reading_an_intermediate_version_then_the_final_one_is_g1b_alone),
        T(seeing_a_writer_then_what_it_overwrote_is_otv),
        T(seeing_the_old_version_first_and_the_writer_after_is_read_skew_not_otv),
        T(a_history_without_transactions_is_not_judged),
        T(a_hundred_admissions_per_minute_keep_the_limit),
        T(two_hundred_admissions_across_a_window_boundary_break_the_limit),
        T(figures_count_commits_aborts_retries_and_lock_waits),
        T(lock_waits_of_one_key_close_in_the_order_of_the_open_list),
        T(thousands_of_open_lock_waits_each_close_their_own),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
