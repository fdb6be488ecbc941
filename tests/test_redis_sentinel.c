/* test_redis_sentinel.c -- the Sentinel model (redis_sentinel.c) through
 * what a client can observe: when the replica is promoted (the `promote`
 * effect), when clients move to it (+switch-master: their first SET on the
 * replica), and how the wall clock moves both (TILT).  Each run is one
 * master M with a replica Rp, a Sentinel and a redlock client c2 that keeps
 * trying from 5.1 s; M goes down at 50 ms.  Bounds, not exact instants:
 * the Sentinel ticks at a random 10-19 Hz drawn from its stream. */
#include "tests/test_lock_support.h"

#include <stdio.h>

#include "protocols/redis/redis.h"

static char yaml[2048];

/* fault: the fault line(s) after M's; params: extra `params:` lines. */
static const char *l5(const char *down, const char *params, const char *faults) {
    snprintf(yaml, sizeof yaml,
             "name: s\nseed: 1\nduration: 60s\nprotocol: redlock\n"
             "params:\n  ttl: 30s\n  retry: redlock-py\n  retry.attempts: -1\n"
             "  redis.sentinel.down_after: %s\n%s"
             "nodes:\n  redis: [M]\n  replica: [Rp]\n  sentinel: 1\n  client: [c2]\n"
             "  storage: 1\nnetwork:\n  latency: 1ms\n"
             "workload:\n  kind: lock-counter\n  iterations: 1\n  start: {c2: 5100ms}\n"
             "faults:\n%s",
             down, params, faults);
    return yaml;
}

static int64_t promoted_at(const run *r) {
    const hist_effect *p = effect_at(r, HIST_EFF_PROMOTE, NULL, "Rp", 0);
    assert_non_null(p);
    return ms(p->t_ns);
}

static int64_t switched_at(const run *r) {
    const hist_effect *x = effect_at(r, HIST_EFF_LOCK_SET, "c2", "Rp", 0);
    assert_non_null(x);
    return ms(x->t_ns) - 1;                  /* the SET left c2 1 ms earlier */
}

#define CRASH "  - {at: 50ms, crash: M}\n"
#define POWER "  - {at: 50ms, power-loss: M}\n"

/* The FIN closes the link; the reconnect at the next tick queues a PING
 * (connect is EINPROGRESS on loopback) and down-after counts from it:
 * +sdown at the first tick past it, REPLICAOF NO ONE two ticks later. */
static void a_dead_process_is_promoted_two_ticks_after_down_after_from_the_reconnect(void **state) {
    (void)state;
    run r = run_text(l5("5s", "", CRASH));
    assert_in_range(promoted_at(&r), 5051 + 5000 / 50 + 50, 5051 + 100 + 100 + 200);
    run_free(&r);
}

/* A power loss sends no FIN: the clock starts at the first unanswered ping,
 * sent once the last PONG (2 ms) is 1 s old (min(down-after, 1 s)). */
static void a_host_that_lost_power_is_down_only_after_an_unanswered_ping(void **state) {
    (void)state;
    run r = run_text(l5("5s", "", POWER));
    assert_in_range(promoted_at(&r), 6002 + 100, 6102 + 300);
    run_free(&r);
}

static void a_short_down_after_pings_that_often(void **state) {
    (void)state;
    run r = run_text(l5("300ms", "", POWER));  /* pings every 300 ms: the one after 2 ms */
    assert_in_range(promoted_at(&r), 302 + 300 + 100, 302 + 400 + 300);
    run_free(&r);
}

static void an_explicit_ping_period_overrides_sentinels(void **state) {
    (void)state;
    run r = run_text(l5("5s", "  redis.sentinel.ping: 3s\n", POWER));
    assert_in_range(promoted_at(&r), 3002 + 5000 + 100, 3102 + 5000 + 300);
    run_free(&r);
}

/* The promotion is seen by INFO, every 1 s while the master is down. */
static void clients_hear_switch_master_within_about_a_second_of_the_promotion(void **state) {
    (void)state;
    run r = run_text(l5("5s", "", CRASH));
    int64_t gap = switched_at(&r) - promoted_at(&r);
    assert_in_range(gap, 1, 1000 + 2 * 100 + 2);
    run_free(&r);
}

/* A wall-clock jump of more than 2 s between two ticks: TILT for 30 s, no
 * failover meanwhile. */
static void a_sentinel_clock_jump_over_two_seconds_delays_the_failover_by_tilt(void **state) {
    (void)state;
    run r = run_text(l5("5s", "", CRASH "  - {at: 1s, clock: sentinel1, jump: +3s}\n"));
    assert_in_range(promoted_at(&r), 31000, 31400);
    run_free(&r);
}

/* Below the trigger there is no TILT, and down-after, measured on the wall
 * clock, elapses 1.5 s early. */
static void a_small_sentinel_clock_jump_shortens_down_after(void **state) {
    (void)state;
    run r = run_text(l5("5s", "", CRASH "  - {at: 1s, clock: sentinel1, jump: +1500ms}\n"));
    assert_in_range(promoted_at(&r), 3551 + 100, 3551 + 100 + 300);
    run_free(&r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_dead_process_is_promoted_two_ticks_after_down_after_from_the_reconnect),
        cmocka_unit_test(a_host_that_lost_power_is_down_only_after_an_unanswered_ping),
        cmocka_unit_test(a_short_down_after_pings_that_often),
        cmocka_unit_test(an_explicit_ping_period_overrides_sentinels),
        cmocka_unit_test(clients_hear_switch_master_within_about_a_second_of_the_promotion),
        cmocka_unit_test(a_sentinel_clock_jump_over_two_seconds_delays_the_failover_by_tilt),
        cmocka_unit_test(a_small_sentinel_clock_jump_shortens_down_after),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
