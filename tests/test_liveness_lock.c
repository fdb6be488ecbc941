/* test_liveness_lock.c -- how long a lock was out of reach (liveness_lock.c),
 * on library scenarios: the wants (acquires of one client until one
 * succeeds), the holds (an ok acquire to its release or its holder's
 * crash), and the longest stretch wanted but held by nobody, as the
 * liveness check's summary reports them.  Times in ms of true time. */
#include "tests/test_lock_support.h"

#include "protocols/lock/lock_api.h"
#include "sim/check/check_int.h"

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

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(watchdog_holder_crash_leaves_the_lock_out_of_reach_for_26_seconds),
        cmocka_unit_test(minority_side_of_a_partition_cannot_reach_a_free_lock),
        cmocka_unit_test(failed_attempts_in_a_row_are_one_want),
        cmocka_unit_test(a_wait_that_is_the_whole_outage_is_not_told_twice),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
