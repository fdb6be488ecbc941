/* test_redlock.c -- the Redlock scenarios of scenarios/redlock/ and
 * scenarios/locks/L5*, run end to end, checked through what they leave in
 * the history: when each master set, extended, expired, lost or deleted a
 * key; the lease each client computed (HIST_EFF_LEASE: validity and valid
 * until, on its own clock); when each client learned it held the lock; the
 * checks' verdicts against the files' `expect:`.  Times are true simulated
 * time in ms, as in SCENARIOS.md. */
#include "tests/test_lock_support.h"

#include "protocols/lock/lock_api.h"
#include "protocols/redis/redis.h"
#include "protocols/redlock/redlock.h"
#include "sim/check/check_int.h"

#define DIR "scenarios/redlock/"

static const hist_effect *lease_of(const run *r, const char *who) {
    const hist_effect *x = effect_at(r, HIST_EFF_LEASE, who, who, 0);
    assert_non_null(x);
    return x;
}

#define R_NODES "nodes:\n  redis: [A, B, C, D, E]\n  client: [c1, c2]\n  storage: 1\n"
#define R_CUTS                                                                  \
    "faults:\n  - {at: 0ms, cut: {from: [c1], to: [D, E]}, both: true}\n"       \
    "  - {at: 0ms, cut: {from: [c2], to: [A, B]}, both: true}\n"

/* ------------------------------------------------------------ R1, R2 */

static void validity_is_ttl_minus_elapsed_minus_drift_with_five_masters(void **state) {
    (void)state;
    run r = run_file(DIR "R1-redlock-happy-validity.yaml");
    for (uint32_t i = 0; i < 5; i++) {                      /* A..E at 1, 3, 5, 7, 9 ms */
        const hist_effect *set = effect_at(&r, HIST_EFF_LOCK_SET, "c1", NULL, i);
        assert_non_null(set);
        assert_int_equal(ms(set->t_ns), 1 + 2 * i);
    }
    assert_int_equal(ms(ok_acquire(&r, "c1")->complete_ns), 10);
    const hist_effect *lease = lease_of(&r, "c1");
    assert_int_equal(lease->value, 9888 * SIM_MS);          /* 10000 - 10 - 102 */
    assert_int_equal(lease->aux, 9898 * SIM_MS);            /* T1 + 9 898 */
    rl_cfg cfg = { .ttl_ns = 10 * SIM_S, .drift_factor_ppm = 10000, .drift_extra_ns = 2 * SIM_MS };
    assert_int_equal(rl_drift_ns(&cfg), 102 * SIM_MS);      /* floor(10000 * 0.01) + 2 */
    const hist_op *c2 = ok_acquire(&r, "c2");                /* 0/5 until c1 released */
    assert_true(ms(effect_at(&r, HIST_EFF_LOCK_SET, "c2", NULL, 0)->t_ns) > 5009);
    assert_int_equal(effects_counted(&r, HIST_EFF_LOCK_SET, "c2"), 5);
    assert_true(ms(c2->complete_ns) > 5009);
    verdicts_match_expect(&r);
    run_free(&r);
}

static void parallel_client_has_the_same_valid_until_two_ms_later(void **state) {
    (void)state;
    run r = run_text("name: r1-parallel\nseed: 1\nduration: 20s\nprotocol: redlock\n"
                     "params:\n  mode: parallel\n" R_NODES
                     "workload:\n  kind: lock-counter\n  clients: [c1]\n  hold: 0ms\n");
    assert_int_equal(ms(ok_acquire(&r, "c1")->complete_ns), 2);
    assert_int_equal(lease_of(&r, "c1")->value, 9896 * SIM_MS);
    assert_int_equal(lease_of(&r, "c1")->aux, 9898 * SIM_MS);
    run_free(&r);
}

static void one_master_down_costs_one_timeout_of_validity(void **state) {
    (void)state;
    run r = run_file(DIR "R2-redlock-one-node-down.yaml");
    assert_int_equal(ms(ok_acquire(&r, "c1")->complete_ns), 58);
    assert_int_equal(lease_of(&r, "c1")->value, 9840 * SIM_MS);
    assert_int_equal(lease_of(&r, "c1")->aux, 9898 * SIM_MS);
    assert_int_equal(effects_counted(&r, HIST_EFF_LOCK_SET, "c1"), 4);
    verdicts_match_expect(&r);
    run_free(&r);
}

static void two_masters_down_still_leave_a_quorum(void **state) {
    (void)state;
    run r = run_file(DIR "R2b-redlock-two-nodes-down.yaml");
    assert_int_equal(ms(ok_acquire(&r, "c1")->complete_ns), 106);
    assert_int_equal(lease_of(&r, "c1")->value, 9792 * SIM_MS);
    verdicts_match_expect(&r);
    run_free(&r);
}

static void three_masters_down_leave_no_quorum_and_every_master_is_unlocked(void **state) {
    (void)state;
    run r = run_file(DIR "R2c-redlock-three-nodes-down.yaml");
    assert_null(ok_acquire(&r, "c1"));
    const hist_op *acq = op_of(&r, "c1", HIST_F_ACQUIRE, 0);
    assert_int_equal(acq->result, HIST_FAIL);
    assert_string_equal(acq->note, "gave up after 3 attempts");
    const hist_effect *del = effect_at(&r, HIST_EFF_LOCK_DEL, "c1", "A", 0);
    assert_non_null(del);                                    /* the unlock round after attempt 1 */
    assert_int_equal(ms(del->t_ns), 155);
    assert_non_null(effect_at(&r, HIST_EFF_LOCK_DEL, "c1", "B", 0));
    verdicts_match_expect(&r);
    run_free(&r);
}

/* ------------------------------------------------------------ R3 */

static void crash_and_empty_restart_lets_a_second_client_in(void **state) {
    (void)state;
    run r = run_file(DIR "R3-redlock-crash-restart-no-persistence.yaml");
    assert_int_equal(lease_of(&r, "c1")->value, 9792 * SIM_MS);
    assert_int_equal(lease_of(&r, "c1")->aux, 9898 * SIM_MS);
    const hist_effect *lost = effect_at(&r, HIST_EFF_LOCK_LOST, "c1", "C", 0);
    assert_non_null(lost);
    assert_int_equal(ms(lost->t_ns), 1000);
    assert_int_equal(lost->aux, 0);                          /* no persistence at all */
    assert_int_equal(ms(effect_at(&r, HIST_EFF_LOCK_SET, "c2", "C", 0)->t_ns), 2101);
    assert_int_equal(ms(ok_acquire(&r, "c2")->complete_ns), 2106);
    assert_int_equal(lease_of(&r, "c2")->aux, 11898 * SIM_MS);
    verdicts_match_expect(&r);
    char *told = story_of(&r, "mutual-exclusion");
    assert_non_null(strstr(told, "C lost c1's lock key at 1 s"));
    assert_non_null(strstr(told, "c1's lock nodes (A, B, C) and c2's (C, D, E) had only C in common"));
    assert_non_null(strstr(told, "stayed valid for 9.792 s more (until 9.898 s)"));
    free(told);
    run_free(&r);
}

static void delayed_restart_keeps_the_crashed_master_out_of_live_locks(void **state) {
    (void)state;
    run r = run_file(DIR "R3b-redlock-delayed-restart.yaml");
    assert_null(effect_at(&r, HIST_EFF_LOCK_SET, "c2", "C", 0));   /* C silent until 11.1 s */
    assert_null(ok_acquire(&r, "c2"));
    assert_int_equal(op_of(&r, "c2", HIST_F_ACQUIRE, 0)->result, HIST_FAIL);
    verdicts_match_expect(&r);
    run_free(&r);
}

static void everysec_loses_a_key_before_its_first_fsync_but_not_after(void **state) {
    (void)state;
    run before = run_file(DIR "R3c-redlock-aof-everysec-power-loss.yaml");
    const hist_effect *lost = effect_at(&before, HIST_EFF_LOCK_LOST, "c1", "C", 0);
    assert_non_null(lost);
    assert_int_equal(ms(lost->t_ns), 900);
    assert_int_equal(lost->aux, 1);                          /* persistence on, not yet fsynced */
    assert_non_null(ok_acquire(&before, "c2"));
    verdicts_match_expect(&before);
    run_free(&before);
    run after = run_file(DIR "R3c2-redlock-aof-everysec-after-fsync.yaml");
    assert_null(effect_at(&after, HIST_EFF_LOCK_LOST, NULL, NULL, 0));
    assert_null(ok_acquire(&after, "c2"));
    verdicts_match_expect(&after);
    run_free(&after);
}

/* C lost nothing of c1's key: it came back with it, c1's release deleted it
 * after 9 s, and c2 never got the lock. */
static void assert_c_kept_c1s_key(const char *path) {
    run r = run_file(path);
    assert_null(effect_at(&r, HIST_EFF_LOCK_LOST, NULL, NULL, 0));
    const hist_effect *del = effect_at(&r, HIST_EFF_LOCK_DEL, "c1", "C", 0);
    assert_non_null(del);                                    /* reloaded; c1's release deletes it */
    assert_true(ms(del->t_ns) > 9000);
    assert_null(ok_acquire(&r, "c2"));
    verdicts_match_expect(&r);
    run_free(&r);
}

static void everysec_keeps_a_key_not_yet_fsynced_through_a_process_crash(void **state) {
    (void)state;
    assert_c_kept_c1s_key(DIR "R3c3-redlock-aof-everysec-process-crash.yaml");  /* R3c's instant, kill -9 */
}

static void fsync_always_keeps_the_key_through_a_power_loss(void **state) {
    (void)state;
    assert_c_kept_c1s_key(DIR "R3d-redlock-aof-fsync-always.yaml");
}

/* ------------------------------------------------------------ R4, R5 */

static void wall_clock_jump_expires_the_key_at_once(void **state) {
    (void)state;
    run r = run_file(DIR "R4-redlock-clock-jump.yaml");
    const hist_effect *exp = effect_at(&r, HIST_EFF_LOCK_EXPIRE, "c1", "C", 0);
    assert_non_null(exp);
    assert_int_equal(ms(exp->t_ns), 1000);
    assert_int_equal(ms(hist_effect_local_ns(r.h, exp)), 21000);
    assert_int_equal(ms(ok_acquire(&r, "c2")->complete_ns), 2106);
    verdicts_match_expect(&r);
    run_free(&r);
}

static void slew_or_monotonic_ttl_clock_keeps_the_key_past_the_validity(void **state) {
    (void)state;
    run slew = run_file(DIR "R4b-redlock-clock-slew.yaml");
    const hist_effect *exp = effect_at(&slew, HIST_EFF_LOCK_EXPIRE, "c1", "C", 0);
    assert_true(exp == NULL || ms(exp->t_ns) >= 9898);
    verdicts_match_expect(&slew);
    run_free(&slew);
    run mono = run_file(DIR "R4c-redlock-monotonic-ttl-clock.yaml");
    assert_null(effect_at(&mono, HIST_EFF_LOCK_EXPIRE, "c1", "C", 0));   /* the jump did nothing */
    const hist_effect *del = effect_at(&mono, HIST_EFF_LOCK_DEL, "c1", "C", 0);
    assert_non_null(del);                                     /* still there for c1's release */
    assert_true(ms(del->t_ns) > 9000);
    assert_null(ok_acquire(&mono, "c2"));
    verdicts_match_expect(&mono);
    run_free(&mono);
}

static void fast_clock_beyond_the_drift_allowance_lets_c2_in_early(void **state) {
    (void)state;
    run r = run_file(DIR "R5-redlock-clock-rate-beyond-drift.yaml");
    const hist_effect *exp = effect_at(&r, HIST_EFF_LOCK_EXPIRE, "c1", "C", 0);
    assert_non_null(exp);
    assert_in_range(exp->t_ns, 9809 * SIM_MS, 9810 * SIM_MS);  /* (5 + 10000 + 1) / 1.02 */
    assert_int_equal(ms(ok_acquire(&r, "c2")->complete_ns), 9856);
    verdicts_match_expect(&r);
    run_free(&r);
    run slow = run_file(DIR "R5b-redlock-clock-rate-within-drift.yaml");
    assert_true(ms(ok_acquire(&slow, "c2")->complete_ns) > 9898);
    verdicts_match_expect(&slow);
    run_free(&slow);
}

/* C2 starts at 9 792 ms: its SET reaches C (third) at 9 893 and, if C's key
 * is gone, it holds the lock at 9 898, when C1 does its last op.  c1's key
 * on C, set at 5 ms true time (C's millisecond 5), has when = 10 005 ms by
 * C's clock and is gone from 10 006: the overlap needs 9893 r >= 10006, i.e.
 * r >= 1.011422. */
static check_verdict overlap_at_rate(const char *rate) {
    char yaml[2048];
    snprintf(yaml, sizeof yaml,
             "name: r5-threshold\nseed: 1\nduration: 15s\nprotocol: redlock\nparams:\n  ttl: 10s\n"
             R_NODES "clocks:\n  C: {offset: 0ms, rate: %s}\n"
             "workload:\n  kind: lock-counter\n  start: {c1: 0ms, c2: 9792ms}\n"
             "  read_at: {c1: 200ms}\n  write_at: {c1: 9898ms}\n  hold: 0ms\n" R_CUTS, rate);
    run r = run_text(yaml);
    check_verdict v = verdict_of(&r, "lease-overlap");
    run_free(&r);
    return v;
}

static void rate_threshold_lies_between_1_0114_and_1_0115(void **state) {
    (void)state;
    assert_int_equal(overlap_at_rate("1.005"), CHECK_OK);
    assert_int_equal(overlap_at_rate("1.01"), CHECK_OK);
    assert_int_equal(overlap_at_rate("1.0114"), CHECK_OK);
    assert_int_equal(overlap_at_rate("1.0115"), CHECK_VIOLATION);
    assert_int_equal(overlap_at_rate("1.02"), CHECK_VIOLATION);
}

/* ------------------------------------------------------------ R6 */

static void pause_during_acquisition_is_caught_by_the_validity_recheck(void **state) {
    (void)state;
    run r = run_file(DIR "R6-redlock-gc-pause-during-acquire.yaml");
    const hist_op *acq = op_of(&r, "c1", HIST_F_ACQUIRE, 0);
    assert_int_equal(acq->result, HIST_FAIL);
    assert_true(ms(acq->complete_ns) >= 12000);
    assert_null(effect_at(&r, HIST_EFF_LEASE, "c1", NULL, 0));
    assert_null(op_of(&r, "c1", HIST_F_WRITE, 0));
    assert_int_equal(ms(ok_acquire(&r, "c2")->complete_ns), 10102);
    verdicts_match_expect(&r);
    run_free(&r);
}

static void node_redlock_v5_hands_out_a_lock_whose_validity_is_spent(void **state) {
    (void)state;
    run r = run_file(DIR "R6b-redlock-node-redlock-v5-no-recheck.yaml");
    assert_int_equal(ms(ok_acquire(&r, "c1")->complete_ns), 12000);
    assert_int_equal(lease_of(&r, "c1")->value, -2102 * SIM_MS);   /* 10000 - 12000 - 102 */
    assert_int_equal(lease_of(&r, "c1")->aux, 9898 * SIM_MS);
    verdicts_match_expect(&r);
    run_free(&r);
}

static void pause_after_the_check_is_stopped_only_by_fencing(void **state) {
    (void)state;
    run bare = run_file(DIR "R6c-redlock-pause-after-validity-check.yaml");
    assert_int_equal(lease_of(&bare, "c1")->value, 9896 * SIM_MS);
    verdicts_match_expect(&bare);
    run_free(&bare);
    run fenced = run_file(DIR "R6d-redlock-pause-after-check-fenced.yaml");
    assert_int_equal(ok_acquire(&fenced, "c1")->value_out, 1);
    assert_int_equal(ok_acquire(&fenced, "c2")->value_out, 2);
    const hist_effect *rej = effect_at(&fenced, HIST_EFF_REJECT, "c1", NULL, 0);
    assert_non_null(rej);
    assert_int_equal(hist_effect_token(fenced.h, rej), 1);
    assert_int_equal(ms(rej->t_ns), 12001);
    verdicts_match_expect(&fenced);
    run_free(&fenced);
}

/* ------------------------------------------------------------ R7, R8 */

static void minority_side_waits_out_the_partition(void **state) {
    (void)state;
    run r = run_file(DIR "R7-redlock-majority-partition.yaml");
    check_input in = { .h = r.h, .s = r.s, .horizon_ns = r.s->duration_ns };
    check_lock_unavail u;
    check_lock_unavailability(&in, &u);
    assert_int_equal(u.want_client, node_of(&r, "c2"));
    assert_int_equal(ms(u.want_from), 500);
    assert_int_equal(ms(u.want_to), 60042);                   /* the attempt under way at the heal */
    assert_int_equal(ms(u.out_from), 9606);                   /* c1's release round ended */
    assert_int_equal(ms(u.out_to), 60042);
    const hist_effect *on_a = effect_at(&r, HIST_EFF_LOCK_SET, "c2", "A", 0);
    assert_true(on_a == NULL || ms(on_a->t_ns) >= 60000);      /* A was out of c2's reach */
    verdicts_match_expect(&r);
    run_free(&r);
}

static void holder_crash_during_the_partition_still_lets_c2_in_after_the_heal(void **state) {
    (void)state;
    run r = run_file(DIR "R7b-redlock-partition-holder-crash.yaml");
    assert_int_equal(ms(ok_acquire(&r, "c2")->complete_ns), 60042);
    assert_null(op_of(&r, "c1", HIST_F_WRITE, 0));
    verdicts_match_expect(&r);
    run_free(&r);
}

static void delayed_write_is_stale_unless_fenced(void **state) {
    (void)state;
    run bare = run_file(DIR "R8-redlock-network-delay.yaml");
    const hist_effect *w = effect_at(&bare, HIST_EFF_WRITE, "c1", NULL, 0);
    assert_non_null(w);
    assert_int_equal(ms(w->t_ns), 15021);
    verdicts_match_expect(&bare);
    run_free(&bare);
    run fenced = run_file(DIR "R8b-redlock-network-delay-fenced.yaml");
    assert_null(effect_at(&fenced, HIST_EFF_WRITE, "c1", NULL, 0));
    assert_int_equal(ms(effect_at(&fenced, HIST_EFF_REJECT, "c1", NULL, 0)->t_ns), 15021);
    verdicts_match_expect(&fenced);
    run_free(&fenced);
}

/* ------------------------------------------------------------ L5: replicas */

static void failover_after_a_power_loss_loses_the_lock(void **state) {
    (void)state;
    run r = run_file("scenarios/locks/L5-replica-failover-lost-lock.yaml");
    assert_int_equal(ms(effect_at(&r, HIST_EFF_LOCK_SET, "c1", "M", 0)->t_ns), 1);
    assert_int_equal(ms(effect_at(&r, HIST_EFF_LOCK_LOST, "c1", "M", 0)->t_ns), 50);
    const hist_effect *promo = effect_at(&r, HIST_EFF_PROMOTE, NULL, "Rp", 0);
    assert_non_null(promo);
    assert_int_equal(promo->value, 0);                        /* the SET died on the link */
    /* no FIN: down-after counts from the first unanswered ping (~1.08 s) */
    assert_in_range(ms(promo->t_ns), 6080, 6400);
    const hist_effect *c2 = effect_at(&r, HIST_EFF_LOCK_SET, "c2", "Rp", 0);
    assert_in_range(ms(c2->t_ns) - ms(promo->t_ns), 100, 1300);   /* +switch-master by INFO */
    assert_int_equal(lease_of(&r, "c1")->value, 29696 * SIM_MS);   /* 30000 - 2 - 302 */
    verdicts_match_expect(&r);
    run_free(&r);
}

static void failover_after_a_process_crash_keeps_the_lock(void **state) {
    (void)state;
    run r = run_file("scenarios/locks/L5d-replica-failover-process-crash.yaml");
    const hist_effect *promo = effect_at(&r, HIST_EFF_PROMOTE, NULL, "Rp", 0);
    assert_non_null(promo);
    assert_int_equal(promo->value, 1);                        /* the kernel delivered the SET */
    /* the FIN: down-after counts from the reconnect at the next tick */
    assert_in_range(ms(promo->t_ns), 5100, 5460);
    assert_true(ms(ok_acquire(&r, "c2")->complete_ns) > 10000);   /* after c1's release */
    verdicts_match_expect(&r);
    run_free(&r);
}

static void default_detection_delay_promotes_after_the_lease(void **state) {
    (void)state;
    run r = run_file("scenarios/locks/L5b-replica-failover-sentinel-default.yaml");
    assert_true(ms(effect_at(&r, HIST_EFF_PROMOTE, NULL, "Rp", 0)->t_ns) > 31000);
    assert_true(ms(effect_at(&r, HIST_EFF_LOCK_SET, "c2", "Rp", 0)->t_ns) > 31000);
    verdicts_match_expect(&r);
    run_free(&r);
}

static void wait_for_a_replica_refuses_a_lock_that_was_not_replicated(void **state) {
    (void)state;
    run r = run_file("scenarios/locks/L5c-replica-failover-wait.yaml");
    assert_non_null(effect_at(&r, HIST_EFF_LOCK_SET, "c1", "M", 0));   /* set, but not counted */
    assert_null(ok_acquire(&r, "c1"));
    assert_null(ok_acquire(&r, "c2"));
    assert_non_null(effect_at(&r, HIST_EFF_LOCK_SET, "c2", "Rp", 0));  /* WAIT said 0 there */
    verdicts_match_expect(&r);
    run_free(&r);
}

/* ------------------------------------------------------------ retries, extension */

static void retry_profiles_match_the_reference_implementations(void **state) {
    (void)state;
    rl_cfg cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.retry_delay_ns = -1;
    cfg.retry_jitter_ns = -1;
    rl_retry rt;
    cfg.retry = RL_RETRY_REDLOCK_RB;
    rl_retry_of(&cfg, &rt);
    assert_int_equal(rt.attempts, 3);
    assert_int_equal(rt.delay_ns - rt.jitter_ns, 0);           /* rand(200): 0..199 ms */
    assert_int_equal(rt.delay_ns + rt.jitter_ns, 200 * SIM_MS);
    assert_true(rt.sleep_after_last);
    cfg.retry = RL_RETRY_NODE_REDLOCK;
    rl_retry_of(&cfg, &rt);
    assert_int_equal(rt.attempts, 11);                          /* retryCount 10 */
    assert_int_equal(rt.delay_ns - rt.jitter_ns, 100 * SIM_MS);
    assert_false(rt.sleep_after_last);
    cfg.retry_attempts = -1;
    cfg.retry_delay_ns = 500 * SIM_MS;
    rl_retry_of(&cfg, &rt);
    assert_int_equal(rt.attempts, -1);
    assert_int_equal(rt.delay_ns, 500 * SIM_MS);
    assert_int_equal(rt.jitter_ns, 0);
}

/* redlock-py against a lock held all along: 3 attempts of 10 ms of SETs,
 * 10 ms of unlocks and a fixed 200 ms sleep each, the last sleep included. */
static void redlock_py_gives_up_after_three_fixed_sleeps(void **state) {
    (void)state;
    run r = run_text("name: py\nseed: 1\nduration: 20s\nprotocol: redlock\n"
                     "params:\n  retry: redlock-py\n" R_NODES
                     "workload:\n  kind: lock-counter\n  start: {c1: 0ms, c2: 100ms}\n"
                     "  hold: 0ms\n  release_at: {c1: 5000ms}\n");
    const hist_op *acq = op_of(&r, "c2", HIST_F_ACQUIRE, 0);
    assert_int_equal(acq->result, HIST_FAIL);
    assert_int_equal(ms(acq->complete_ns), 100 + 3 * 220);
    run_free(&r);
}

static void extension_keeps_the_lock_past_its_ttl(void **state) {
    (void)state;
    run r = run_text("name: extend\nseed: 1\nduration: 40s\nprotocol: redlock\n"
                     "params:\n  extend.every: 3s\n  retry: redlock-py\n  retry.attempts: -1\n"
                     R_NODES "workload:\n  kind: lock-counter\n  start: {c1: 0ms, c2: 1s}\n"
                     "  write_at: {c1: 25s}\n  hold: 0ms\n");
    assert_int_equal(effects_counted(&r, HIST_EFF_LOCK_EXTEND, "c1"), 8 * 5);   /* 3, 6 .. 24 s */
    assert_null(effect_at(&r, HIST_EFF_LOCK_EXPIRE, "c1", NULL, 0));
    assert_true(ms(ok_acquire(&r, "c2")->complete_ns) > 25000);
    const hist_effect *last = effect_at(&r, HIST_EFF_LEASE, "c1", "c1", 8);
    assert_non_null(last);
    assert_int_equal(last->aux, (24080 + 9898) * SIM_MS);       /* T1 of the 8th: 8 x 3.010 s */
    assert_int_equal(verdict_of(&r, "lease-overlap"), CHECK_OK);
    run_free(&r);
}

/* ------------------------------------------------------------ input */

static void impossible_settings_are_refused_at_their_line(void **state) {
    (void)state;
    char err[1024];
    load_error("name: q\nprotocol: redlock\nparams:\n  quorum: 6\n" R_NODES
               "workload:\n  kind: lock-counter\n", err, sizeof err);
    assert_non_null(strstr(err, ":4:11: error: invalid quorum (expected at most the 5 redis nodes)"));
    load_error("name: r\nprotocol: redlock\nnodes:\n  redis: 1\n  replica: 2\n  client: 1\n"
               "workload:\n  kind: lock-counter\n", err, sizeof err);
    assert_non_null(strstr(err, "2 replica nodes for 1 redis nodes"));
    load_error("name: t\nprotocol: redlock\nparams:\n  ttl: 100ms\n  drift_extra: 200ms\n" R_NODES
               "workload:\n  kind: lock-counter\n", err, sizeof err);
    assert_non_null(strstr(err, "invalid ttl"));
}

static void same_seed_gives_the_same_history(void **state) {
    (void)state;
    run a = run_file(DIR "R3b-redlock-delayed-restart.yaml");
    run b = run_file(DIR "R3b-redlock-delayed-restart.yaml");
    assert_int_equal(a.h->op_count, b.h->op_count);
    assert_int_equal(a.h->effect_count, b.h->effect_count);
    for (uint32_t i = 0; i < a.h->op_count; i++) {
        assert_int_equal(a.h->ops[i].invoke_ns, b.h->ops[i].invoke_ns);
        assert_int_equal(a.h->ops[i].complete_ns, b.h->ops[i].complete_ns);
    }
    for (uint32_t i = 0; i < a.h->effect_count; i++)
        assert_int_equal(a.h->effects[i].t_ns, b.h->effects[i].t_ns);
    run_free(&a);
    run_free(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(validity_is_ttl_minus_elapsed_minus_drift_with_five_masters),
        cmocka_unit_test(parallel_client_has_the_same_valid_until_two_ms_later),
        cmocka_unit_test(one_master_down_costs_one_timeout_of_validity),
        cmocka_unit_test(two_masters_down_still_leave_a_quorum),
        cmocka_unit_test(three_masters_down_leave_no_quorum_and_every_master_is_unlocked),
        cmocka_unit_test(crash_and_empty_restart_lets_a_second_client_in),
        cmocka_unit_test(delayed_restart_keeps_the_crashed_master_out_of_live_locks),
        cmocka_unit_test(everysec_loses_a_key_before_its_first_fsync_but_not_after),
        cmocka_unit_test(everysec_keeps_a_key_not_yet_fsynced_through_a_process_crash),
        cmocka_unit_test(fsync_always_keeps_the_key_through_a_power_loss),
        cmocka_unit_test(wall_clock_jump_expires_the_key_at_once),
        cmocka_unit_test(slew_or_monotonic_ttl_clock_keeps_the_key_past_the_validity),
        cmocka_unit_test(fast_clock_beyond_the_drift_allowance_lets_c2_in_early),
        cmocka_unit_test(rate_threshold_lies_between_1_0114_and_1_0115),
        cmocka_unit_test(pause_during_acquisition_is_caught_by_the_validity_recheck),
        cmocka_unit_test(node_redlock_v5_hands_out_a_lock_whose_validity_is_spent),
        cmocka_unit_test(pause_after_the_check_is_stopped_only_by_fencing),
        cmocka_unit_test(minority_side_waits_out_the_partition),
        cmocka_unit_test(holder_crash_during_the_partition_still_lets_c2_in_after_the_heal),
        cmocka_unit_test(delayed_write_is_stale_unless_fenced),
        cmocka_unit_test(failover_after_a_power_loss_loses_the_lock),
        cmocka_unit_test(failover_after_a_process_crash_keeps_the_lock),
        cmocka_unit_test(default_detection_delay_promotes_after_the_lease),
        cmocka_unit_test(wait_for_a_replica_refuses_a_lock_that_was_not_replicated),
        cmocka_unit_test(retry_profiles_match_the_reference_implementations),
        cmocka_unit_test(redlock_py_gives_up_after_three_fixed_sleeps),
        cmocka_unit_test(extension_keeps_the_lock_past_its_ttl),
        cmocka_unit_test(impossible_settings_are_refused_at_their_line),
        cmocka_unit_test(same_seed_gives_the_same_history),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
