/* test_lease_lock.c -- the lease-lock protocol (ZooKeeper / etcd lock
 * recipes over one linearizable service) through the W3 scenarios and a
 * few variants: when keys were created (with their czxid / revision as the
 * effect's token), when a session expired, when each client learned it held
 * the lock, what the storage or the IsOwner() Txn refused, and the checks'
 * verdicts.  Times are true simulated time in ms. */
#include "tests/test_lock_support.h"

#include "protocols/lease_lock/lease_lock.h"
#include "protocols/lock/lock_api.h"
#include "sim/check/check_int.h"

#define DIR "scenarios/locks/"

#define LL_BASE(params, clients, workload, faults)                                  \
    "name: ll\nseed: 1\nduration: 60s\nprotocol: lease-lock\nparams:\n" params     \
    "nodes:\n  service: [zk]\n  client: " clients "\n  storage: 1\n"               \
    "workload:\n  kind: lock-counter\n" workload faults

static void session_expiry_during_a_pause_hands_the_lock_to_the_next_waiter(void **state) {
    (void)state;
    run r = run_file(DIR "W3-coord-service-session-expiry.yaml");
    const hist_effect *k1 = effect_at(&r, HIST_EFF_LOCK_SET, "c1", "zk", 0);
    const hist_effect *k2 = effect_at(&r, HIST_EFF_LOCK_SET, "c2", "zk", 0);
    assert_int_equal(hist_effect_token(r.h, k1), 3);                          /* czxid: sessions were txns 1, 2 */
    assert_int_equal(hist_effect_token(r.h, k2), 4);
    assert_string_equal(k1->key, "lock-0000000003");
    assert_int_equal(ms(ok_acquire(&r, "c1")->complete_ns), 2);
    const hist_effect *exp = effect_at(&r, HIST_EFF_LOCK_EXPIRE, "c1", "zk", 0);
    assert_non_null(exp);
    assert_int_equal(ms(exp->t_ns), 10201);                 /* last heartbeat arrived at 201 */
    assert_int_equal(ms(ok_acquire(&r, "c2")->complete_ns), 10204);
    assert_int_equal(ms(effect_at(&r, HIST_EFF_WRITE, "c1", NULL, 0)->t_ns), 15301);
    verdicts_match_expect(&r);
    char *told = story_of(&r, "mutual-exclusion");
    assert_non_null(strstr(told, "c1's session expired on zk at 10.201 s"));
    free(told);
    run_free(&r);
}

static void czxid_fencing_rejects_the_paused_clients_write(void **state) {
    (void)state;
    run r = run_file(DIR "W3b-coord-service-czxid-fenced.yaml");
    assert_int_equal(ok_acquire(&r, "c1")->value_out, 3);
    assert_int_equal(ok_acquire(&r, "c2")->value_out, 4);
    const hist_effect *rej = effect_at(&r, HIST_EFF_REJECT, "c1", "storage1", 0);
    assert_non_null(rej);
    assert_int_equal(hist_effect_token(r.h, rej), 3);
    const hist_op *w = op_of(&r, "c1", HIST_F_WRITE, 0);
    assert_int_equal(w->result, HIST_FAIL);
    assert_string_equal(w->note, "stale token 3 < 4");
    verdicts_match_expect(&r);
    run_free(&r);
}

static void etcd_revisions_count_puts_only_and_fence_the_same_way(void **state) {
    (void)state;
    run r = run_file(DIR "W3c-coord-service-etcd-revision-fenced.yaml");
    assert_int_equal(hist_effect_token(r.h, effect_at(&r, HIST_EFF_LOCK_SET, "c1", "etcd", 0)), 1);
    assert_int_equal(hist_effect_token(r.h, effect_at(&r, HIST_EFF_LOCK_SET, "c2", "etcd", 0)), 2);
    assert_string_equal(effect_at(&r, HIST_EFF_LOCK_SET, "c1", "etcd", 0)->key, "lock/1");
    assert_non_null(effect_at(&r, HIST_EFF_REJECT, "c1", "storage1", 0));
    verdicts_match_expect(&r);
    run_free(&r);
    run bare = run_file(DIR "W3e-coord-service-etcd-unfenced.yaml");
    verdicts_match_expect(&bare);
    run_free(&bare);
}

static void is_owner_txn_refuses_a_write_whose_key_is_gone(void **state) {
    (void)state;
    run r = run_file(DIR "W3d-coord-service-etcd-is-owner-txn.yaml");
    const hist_effect *ok = effect_at(&r, HIST_EFF_WRITE, "c2", "etcd", 0);
    assert_non_null(ok);                                     /* the counter lives in etcd */
    assert_int_equal(ms(ok->t_ns), 10303);
    const hist_effect *rej = effect_at(&r, HIST_EFF_REJECT, "c1", "etcd", 0);
    assert_non_null(rej);
    assert_int_equal(ms(rej->t_ns), 15301);
    verdicts_match_expect(&r);
    run_free(&r);
}

static void heartbeats_keep_a_running_holders_session_alive(void **state) {
    (void)state;
    run r = run_text(LL_BASE("  session: 10s\n", "[c1, c2]",
                             "  start: {c1: 0ms, c2: 1s}\n  write_at: {c1: 30s}\n  hold: 0ms\n", ""));
    assert_null(effect_at(&r, HIST_EFF_LOCK_EXPIRE, NULL, NULL, 0));
    assert_true(ms(ok_acquire(&r, "c2")->complete_ns) > 30000);
    assert_int_equal(verdict_of(&r, "lease-overlap"), CHECK_OK);
    run_free(&r);
}

/* Heartbeats every session/3 = 3.333 s: the last one before the crash at
 * 5 s leaves at 3.333 s, so the session expires at 13.334 s. */
static void holder_crash_frees_the_lock_a_session_after_its_last_heartbeat(void **state) {
    (void)state;
    run r = run_text(LL_BASE("  session: 10s\n", "[c1, c2]",
                             "  start: {c1: 0ms, c2: 1s}\n  write_at: {c1: 30s}\n  hold: 0ms\n",
                             "faults:\n  - {at: 5s, crash: c1}\n"));
    const hist_effect *exp = effect_at(&r, HIST_EFF_LOCK_EXPIRE, "c1", "zk", 0);
    assert_non_null(exp);
    assert_int_equal(ms(exp->t_ns), 13334);
    assert_int_equal(ms(ok_acquire(&r, "c2")->complete_ns), 13337);
    check_input in = { .h = r.h, .s = r.s, .horizon_ns = r.s->duration_ns };
    check_lock_unavail u;
    check_lock_unavailability(&in, &u);
    assert_int_equal(ms(u.out_from), 5000);                  /* the holder died */
    assert_int_equal(ms(u.out_to), 13337);
    run_free(&r);
}

static void lease_check_skips_the_write_when_the_session_may_be_gone(void **state) {
    (void)state;
    run r = run_text(LL_BASE("  session: 10s\n  heartbeat: 100ms\n  lease_check: true\n", "[c1, c2]",
                             "  start: {c1: 0ms, c2: 1ms}\n  read_at: {c1: 100ms, c2: 10300ms}\n"
                             "  write_at: {c1: 15300ms}\n  hold: 0ms\n",
                             "faults:\n  - {at: 300ms, pause: c1, for: 15s}\n"));
    assert_null(op_of(&r, "c1", HIST_F_WRITE, 0));           /* 15.3 s > 0.2 s + 10 s */
    assert_int_equal(verdict_of(&r, "mutual-exclusion"), CHECK_OK);
    run_free(&r);
}

static void waiters_get_the_lock_in_revision_order(void **state) {
    (void)state;
    run r = run_text(LL_BASE("  session: 10s\n", "[c1, c2, c3]",
                             "  start: {c1: 0ms, c2: 10ms, c3: 5ms}\n  hold: 1s\n", ""));
    sim_time t1 = ok_acquire(&r, "c1")->complete_ns;
    sim_time t2 = ok_acquire(&r, "c2")->complete_ns, t3 = ok_acquire(&r, "c3")->complete_ns;
    assert_true(t1 < t3);                                    /* c3 created before c2 */
    assert_true(t3 < t2);
    assert_int_equal(verdict_of(&r, "mutual-exclusion"), CHECK_OK);
    assert_int_equal(verdict_of(&r, "lease-overlap"), CHECK_OK);
    run_free(&r);
}

static void heartbeat_longer_than_the_session_is_refused(void **state) {
    (void)state;
    char err[1024];
    load_error(LL_BASE("  session: 1s\n  heartbeat: 2s\n", "[c1]", "", ""), err, sizeof err);
    assert_non_null(strstr(err, ":7:14: error: invalid heartbeat (expected a period shorter than "
                                "the session)"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(session_expiry_during_a_pause_hands_the_lock_to_the_next_waiter),
        cmocka_unit_test(czxid_fencing_rejects_the_paused_clients_write),
        cmocka_unit_test(etcd_revisions_count_puts_only_and_fence_the_same_way),
        cmocka_unit_test(is_owner_txn_refuses_a_write_whose_key_is_gone),
        cmocka_unit_test(heartbeats_keep_a_running_holders_session_alive),
        cmocka_unit_test(holder_crash_frees_the_lock_a_session_after_its_last_heartbeat),
        cmocka_unit_test(lease_check_skips_the_write_when_the_session_may_be_gone),
        cmocka_unit_test(waiters_get_the_lock_in_revision_order),
        cmocka_unit_test(heartbeat_longer_than_the_session_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
