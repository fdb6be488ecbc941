/* test_outcome.c -- the outcome line each workload tells in its own words
 * (workload_desc.outcome, sim/workload/outcome.c), told first on the
 * terminal and in story.txt: runs of the library, one or two per workload,
 * and the counting helpers on a hand-made history.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sim/family.h"
#include "sim/workload/outcome.h"
#include "tests/test_run_support.h"

/* The outcome line of one scenario of the library. */
static void outcome_of(const char *path, char *buf, size_t len) {
    run r = run_file(path);
    sim_outcome(r.sim, buf, len);
    run_free(&r);
}

static void assert_outcome(const char *path, const char *want) {
    char got[512];
    outcome_of(path, got, sizeof got);
    if (strcmp(got, want) != 0) fail_msg("%s:\n got  '%s'\n want '%s'", path, got, want);
}

static void every_registered_workload_tells_an_outcome(void **state) {
    (void)state;
    for (size_t i = 0; i < registry_workload_count(); i++) {
        const workload_desc *w = registry_workload_at(i);
        if (w->outcome == NULL) fail_msg("workload '%s' has no outcome line", w->name);
    }
}

static void a_gc_pause_loses_an_update_of_the_counter(void **state) {
    (void)state;
    assert_outcome("scenarios/locks/L2-lease-gc-pause.yaml", "final counter 1, expected 2: 1 update lost");
    assert_outcome("scenarios/locks/L4-fencing-token-gc-pause.yaml",
                   "final counter 1, expected 1: no update lost; 1 stale write refused");
}

static void write_skew_leaves_nobody_on_call_and_serializable_refuses_one(void **state) {
    (void)state;
    assert_outcome("scenarios/db/D11-write-skew-on-call.yaml",
                   "2 doctors went off call, 0 were refused: nobody is on call");
    assert_outcome("scenarios/db/D11b-serializable.yaml",
                   "1 doctor went off call, 1 was refused: 1 still on call");
}

static void a_naive_flash_sale_oversells_and_the_atomic_one_does_not(void **state) {
    (void)state;
    assert_outcome("scenarios/db/D1-flash-sale-naive-rmw.yaml",
                   "500 sold, 500 told sold out, 400 oversold; the stock row ended at 0");
    assert_outcome("scenarios/db/D2-flash-sale-atomic-conditional-decrement.yaml",
                   "100 sold, 900 told sold out, 0 oversold; the stock row ended at 0");
}

static void a_seat_booked_twice_names_both_users(void **state) {
    (void)state;
    assert_outcome("scenarios/db/D6-double-booked-seat.yaml", "seat 12A booked twice (u1, u2), 0 told it was taken");
    assert_outcome("scenarios/db/D6a-unique-constraint.yaml", "seat 12A booked once (u1), 1 told it was taken");
}

static void a_refund_applied_twice_shows_in_the_money(void **state) {
    (void)state;
    assert_outcome("scenarios/saga/G2b-nonidempotent-compensation-slow-reply.yaml",
                   "1 saga: 0 completed, 0 compensated, 1 gave up; the refund (C2 of s:1) applied twice; "
                   "money 150, expected 100: 50 from nowhere");
}

static void a_payment_without_idempotency_key_is_charged_twice(void **state) {
    (void)state;
    assert_outcome("scenarios/db/M1b-no-idempotency-key.yaml",
                   "1 payment of 50 acknowledged; charged 100, expected 50: 50 too much");
}

static void a_2pc_reader_gives_up_instead_of_waiting_forever(void **state) {
    (void)state;
    assert_outcome("scenarios/regress/R15b-reader-times-out-at-a-crashed-participant.yaml",
                   "1 transfer: 1 committed, 0 aborted, 0 undecided; transaction X's read: 0 answered, "
                   "1 gave up with no reply; money 300, as expected");
    assert_outcome("scenarios/regress/R15a-reader-request-lost-at-a-crashed-participant.yaml",
                   "1 transfer: 1 committed, 0 aborted, 0 undecided; transaction X's read: 0 answered, "
                   "1 still waiting at the end; money 300, as expected");
}

static void cache_rate_limiter_and_register_runs_tell_theirs(void **state) {
    (void)state;
    /* The writer crashed before its update was acknowledged: the database
     * had it all the same, and the cache kept serving the old version. */
    assert_outcome("scenarios/cache/C3-writer-crash-between-update-and-delete.yaml",
                   "10 reads (9 hits in the cache), 0 updates (1 unacknowledged); 9 reads returned "
                   "an older version than the database had");
    assert_outcome("scenarios/cache/C1-slow-reader-stale-until-ttl.yaml",
                   "8 reads (7 hits in the cache), 1 update; 7 reads returned an older version than the "
                   "database had");
    assert_outcome("scenarios/db/M2-rate-limiter-fixed-window-boundary.yaml",
                   "200 of 200 requests admitted, 0 refused (429)");
    assert_outcome("scenarios/cap/P1b-ap-lww-partition.yaml", "97 of 97 writes acknowledged, 103 of 103 reads answered");
}

/* A history by hand: an account opened at 100, changed to 40 then 50; a
 * second at 7; ops ok, failed, info and pending. */
static void queue_shard_and_event_store_runs_tell_theirs(void **state) {
    (void)state;
    assert_outcome("scenarios/queue/Q1-consumer-gc-pause-charges-twice.yaml",
                   "3 orders saved, 3 events published, 4 charges: 1 order charged more than once; "
                   "0 events lost, 0 invented");
    assert_outcome("scenarios/queue/Q3-dual-write-loses-the-event.yaml",
                   "2 orders saved, 1 event published, 1 charge; 1 event lost, 0 invented");
    assert_outcome("scenarios/queue/Q4-publish-first-invents-an-event.yaml",
                   "2 orders saved, 3 events published, 3 charges; 0 events lost, 1 invented");
    assert_outcome("scenarios/shard/SH1-two-writes-client-crash-loses-money.yaml",
                   "1 transfer: 0 done, 1 unknown; money 370, expected 400: 30 vanished "
                   "(some outcomes unknown)");
    assert_outcome("scenarios/shard/SH1b-outbox-relays-the-credit.yaml",
                   "1 transfer: 0 done, 1 unknown; money 400, as expected");
    assert_outcome("scenarios/shard/SH2-read-your-writes-from-a-lagging-replica.yaml",
                   "1 deposit, 4 reads: 3 did not see the session's own deposit");
    assert_outcome("scenarios/shard/SH3-monotonic-reads-two-replicas-go-back-in-time.yaml",
                   "1 deposit, 8 reads: 2 went back in time");
    assert_outcome("scenarios/events/E1-no-expected-version-overdraws.yaml",
                   "2 withdrawals: 2 ok; 2 balances viewed; account1 went to -60 (overdrawn)");
    assert_outcome("scenarios/events/E1b-expected-version-rejects-the-second.yaml",
                   "2 withdrawals: 1 ok, 1 refused; 1 balance viewed; no account overdrawn");
}

static void money_is_each_accounts_last_balance_and_ops_are_counted_by_result(void **state) {
    (void)state;
    hist h;
    hist_init(&h);
    hist_effect_fields e = { .kind = HIST_EFF_BALANCE_INIT, .key = "a", .node = 1, .value = 100, .op = HIST_NONE };
    hist_add_effect(&h, &e);
    e.key = "b"; e.value = 7;
    hist_add_effect(&h, &e);
    e.kind = HIST_EFF_BALANCE; e.key = "a"; e.value = 40;
    hist_add_effect(&h, &e);
    e.value = 50;
    hist_add_effect(&h, &e);
    wo_money m = wo_money_of(&h, NULL);
    assert_int_equal(m.accounts, 2);
    assert_int_equal(m.opened, 107);
    assert_int_equal(m.now, 57);
    assert_int_equal(wo_money_of(&h, "b").now, 7);
    char buf[128] = "";
    wo_money_words(m.now, m.opened, false, buf, sizeof buf);
    assert_string_equal(buf, "; money 57, expected 107: 50 vanished");
    hist_free(&h);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_registered_workload_tells_an_outcome),
        cmocka_unit_test(a_gc_pause_loses_an_update_of_the_counter),
        cmocka_unit_test(write_skew_leaves_nobody_on_call_and_serializable_refuses_one),
        cmocka_unit_test(a_naive_flash_sale_oversells_and_the_atomic_one_does_not),
        cmocka_unit_test(a_seat_booked_twice_names_both_users),
        cmocka_unit_test(a_refund_applied_twice_shows_in_the_money),
        cmocka_unit_test(a_payment_without_idempotency_key_is_charged_twice),
        cmocka_unit_test(a_2pc_reader_gives_up_instead_of_waiting_forever),
        cmocka_unit_test(cache_rate_limiter_and_register_runs_tell_theirs),
        cmocka_unit_test(queue_shard_and_event_store_runs_tell_theirs),
        cmocka_unit_test(money_is_each_accounts_last_balance_and_ops_are_counted_by_result),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
