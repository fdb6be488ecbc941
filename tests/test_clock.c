/* test_clock.c -- local clocks: offset, rate, jumps, and their inverse. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "sim/clock.h"

static void a_clock_with_an_offset_reads_ahead(void **state) {
    (void)state;
    sim_clock c;
    clock_init(&c, 5 * SIM_MS, CLOCK_RATE_ONE);
    assert_int_equal(clock_wall(&c, 10 * SIM_MS), 15 * SIM_MS);
    assert_int_equal(clock_mono(&c, 10 * SIM_MS), 10 * SIM_MS);
}

static void a_jump_moves_the_wall_clock_but_not_the_monotonic_one(void **state) {
    (void)state;
    sim_clock c;
    clock_init(&c, 0, CLOCK_RATE_ONE);
    clock_jump(&c, SIM_S, 20 * SIM_S);
    assert_int_equal(clock_wall(&c, SIM_S), 21 * SIM_S);
    assert_int_equal(clock_mono(&c, SIM_S), SIM_S);
    assert_int_equal(clock_wall(&c, 2 * SIM_S), 22 * SIM_S);
    clock_jump(&c, 2 * SIM_S, -30 * SIM_S);                   /* backwards too */
    assert_int_equal(clock_wall(&c, 2 * SIM_S), -8 * SIM_S);
}

static void a_fast_clock_runs_ahead_by_its_rate(void **state) {
    (void)state;
    sim_clock c;
    clock_init(&c, 0, 1020000);
    assert_int_equal(clock_wall(&c, 10 * SIM_S), 10200 * SIM_MS);
    clock_set_rate(&c, 10 * SIM_S, CLOCK_RATE_ONE);          /* continuous at the change */
    assert_int_equal(clock_wall(&c, 10 * SIM_S), 10200 * SIM_MS);
    assert_int_equal(clock_wall(&c, 11 * SIM_S), 11200 * SIM_MS);
}

static void true_at_wall_is_the_first_instant_the_clock_reads_it(void **state) {
    (void)state;
    sim_clock c;
    clock_init(&c, 0, 1020000);
    sim_time w = 10 * SIM_S;
    sim_time t = clock_true_at_wall(&c, 0, w);
    assert_true(clock_wall(&c, t) >= w);
    assert_true(clock_wall(&c, t - 1) < w);
    assert_int_equal(clock_true_at_wall(&c, 20 * SIM_S, w), 20 * SIM_S);   /* already past */
}

static void hours_at_a_skewed_rate_do_not_overflow(void **state) {
    (void)state;
    sim_clock c;
    clock_init(&c, 0, 1500000);
    sim_time t = 24 * 3600 * SIM_S;
    assert_int_equal(clock_mono(&c, t), t + t / 2);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_clock_with_an_offset_reads_ahead),
        cmocka_unit_test(a_jump_moves_the_wall_clock_but_not_the_monotonic_one),
        cmocka_unit_test(a_fast_clock_runs_ahead_by_its_rate),
        cmocka_unit_test(true_at_wall_is_the_first_instant_the_clock_reads_it),
        cmocka_unit_test(hours_at_a_skewed_rate_do_not_overflow),
    };
    return cmocka_run_group_tests_name("clock", tests, NULL, NULL);
}
