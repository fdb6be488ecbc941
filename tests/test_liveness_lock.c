/* test_liveness_lock.c -- how long a lock was out of reach (liveness_lock.c),
 * on library scenarios: the wants (acquires of one client until one
 * succeeds), the holds (an ok acquire to its release or its holder's
 * crash), and the longest stretch wanted but held by nobody, as the
 * liveness check's summary reports them.  Times in ms of true time. */
#include "tests/test_lock_support.h"

#include "protocols/lock/lock_api.h"
#include "sim/check/check_int.h"
#include "sim/registry/registry.h"

static check_lock_unavail unavail_of(const run *r) {
    check_input in = { .h = r->h, .s = r->s, .horizon_ns = r->s->duration_ns };
    check_lock_unavail u;
    check_lock_unavailability(&in, &u);
    return u;
}

static char *liveness_summary(const run *r) {
    check_input in = { .h = r->h, .s = r->s, .horizon_ns = r->s->duration_ns };
    check_result res;
    check_find("liveness")->run(&in, &res);
    char *line = strdup(res.summary);
    check_result_free(&res);
    return line;
}

static void watchdog_holder_crash_leaves_the_lock_out_of_reach_for_26_seconds(void **state) {
    (void)state;
    run r = run_file("scenarios/locks/W1-watchdog-renew-then-crash.yaml");
    check_lock_unavail u = unavail_of(&r);
    assert_int_equal(ms(u.out_from), 45000);                 /* c1's crash */
    assert_int_equal(ms(u.out_to), 71000);                   /* c2's poll after the key expired */
    assert_int_equal(ms(u.out_ns), 26000);
    assert_int_equal(ms(u.want_ns), 56000);                  /* c2 asked from 15 s */
    char *line = liveness_summary(&r);
    assert_non_null(strstr(line, "out of reach (wanted, nobody holding it) for 26 s (45 s..71 s)"));
    free(line);
    run_free(&r);
}

static void minority_side_of_a_partition_cannot_reach_a_free_lock(void **state) {
    (void)state;
    run r = run_file("scenarios/redlock/R7-redlock-majority-partition.yaml");
    check_lock_unavail u = unavail_of(&r);
    assert_int_equal(u.want_client, node_of(&r, "c2"));
    assert_int_equal(ms(u.want_ns), 59542);                  /* 0.5 s .. 60.042 s */
    assert_int_equal(ms(u.out_from), 9606);                  /* after c1's release round */
    assert_int_equal(ms(u.out_to), 60042);
    assert_int_equal(u.acquired, 2);
    run_free(&r);
}

static void failed_attempts_in_a_row_are_one_want(void **state) {
    (void)state;
    run r = run_file("scenarios/redlock/R2c-redlock-three-nodes-down.yaml");
    check_lock_unavail u = unavail_of(&r);
    assert_int_equal(u.acquired, 0);
    assert_int_equal(ms(u.want_from), 0);
    assert_int_equal(ms(u.want_to), ms(op_of(&r, "c1", HIST_F_ACQUIRE, 0)->complete_ns));
    assert_int_equal(u.out_ns, u.want_ns);                   /* nobody ever held it */
    run_free(&r);
}

static void a_wait_that_is_the_whole_outage_is_not_told_twice(void **state) {
    (void)state;
    run r = run_file("scenarios/locks/L1-setnx-no-ttl-holder-crash.yaml");
    char *line = liveness_summary(&r);
    assert_null(strstr(line, "out of reach"));
    assert_null(strstr(line, "wanted the lock"));
    free(line);
    run_free(&r);
}

/* One lock op of client `node` (0, 1, 2; no scenario), times in ms. */
static void lock_op(hist *h, int32_t node, hist_f f, hist_result r, int64_t inv_ms, int64_t done_ms) {
    hist_op_fields o;
    memset(&o, 0, sizeof o);
    o.node = node;
    o.process = (uint32_t)node;
    o.f = f;
    o.result = (uint8_t)r;
    o.invoke_ns = inv_ms * SIM_MS;
    o.invoke_local_ns = o.invoke_ns;
    o.complete_ns = done_ms * SIM_MS;
    uint32_t id;
    assert_true(hist_add_op(h, &o, &id));
}

/* Three clients over 400 s (times whose differences span several bytes
 * of ns), with hand-overs at one instant: c0 releases at 5 s as c1's
 * acquire completes, c2 releases at 301 s as c0's does.  Those are no
 * outage; c2, asking from 3 s, waits out 6 s..300 s with nobody holding. */
static void interleaved_waits_of_three_clients_give_the_longest_outage(void **state) {
    (void)state;
    hist h;
    hist_init(&h);
    h.vocab = &registry_vocab;
    lock_op(&h, 0, HIST_F_ACQUIRE, HIST_OK, 0, 1000);
    lock_op(&h, 1, HIST_F_ACQUIRE, HIST_OK, 2000, 5000);
    lock_op(&h, 2, HIST_F_ACQUIRE, HIST_FAIL, 3000, 4000);
    lock_op(&h, 0, HIST_F_RELEASE, HIST_OK, 4500, 5000);
    lock_op(&h, 1, HIST_F_RELEASE, HIST_OK, 5500, 6000);
    lock_op(&h, 2, HIST_F_ACQUIRE, HIST_OK, 7000, 300000);
    lock_op(&h, 0, HIST_F_ACQUIRE, HIST_OK, 200000, 301000);
    lock_op(&h, 2, HIST_F_RELEASE, HIST_OK, 300500, 301000);
    lock_op(&h, 0, HIST_F_RELEASE, HIST_OK, 349000, 350000);
    check_input in = { .h = &h, .s = NULL, .horizon_ns = 400 * SIM_S };
    check_lock_unavail u;
    check_lock_unavailability(&in, &u);
    assert_int_equal(ms(u.out_from), 6000);
    assert_int_equal(ms(u.out_to), 300000);
    assert_int_equal(ms(u.out_ns), 294000);
    assert_int_equal(u.want_client, 2);
    assert_int_equal(ms(u.want_from), 3000);
    assert_int_equal(ms(u.want_to), 300000);
    assert_int_equal(u.acquired, 4);
    hist_free(&h);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(watchdog_holder_crash_leaves_the_lock_out_of_reach_for_26_seconds),
        cmocka_unit_test(minority_side_of_a_partition_cannot_reach_a_free_lock),
        cmocka_unit_test(failed_attempts_in_a_row_are_one_want),
        cmocka_unit_test(a_wait_that_is_the_whole_outage_is_not_told_twice),
        cmocka_unit_test(interleaved_waits_of_three_clients_give_the_longest_outage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
