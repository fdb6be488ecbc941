/* test_evq.c -- the event queue pops by (time, seq) and honours its bound. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdlib.h>

#include "sim/evq.h"
#include "sim/rng.h"

static void events_pop_in_time_order(void **state) {
    (void)state;
    evq q;
    evq_init(&q, 16);
    assert_true(evq_push(&q, 30, 3) != 0);
    assert_true(evq_push(&q, 10, 1) != 0);
    assert_true(evq_push(&q, 20, 2) != 0);
    evq_item it = { 0, 0 };
    for (uint32_t want = 1; want <= 3; want++) {
        assert_true(evq_pop(&q, &it));
        assert_int_equal(evq_slot(it.key), want);
    }
    assert_false(evq_pop(&q, &it));
    evq_free(&q);
}

static void events_at_the_same_instant_pop_in_push_order(void **state) {
    (void)state;
    evq q;
    evq_init(&q, 1000);
    for (uint32_t i = 0; i < 500; i++) assert_true(evq_push(&q, 7, 499 - i) != 0);
    evq_item it = { 0, 0 };
    for (uint32_t i = 0; i < 500; i++) {
        assert_true(evq_pop(&q, &it));
        assert_int_equal(evq_slot(it.key), 499 - i);      /* push order, not slot order */
    }
    evq_free(&q);
}

static void a_full_queue_refuses_the_push(void **state) {
    (void)state;
    evq q;
    evq_init(&q, 3);
    assert_true(evq_push(&q, 1, 0) != 0);
    assert_true(evq_push(&q, 2, 0) != 0);
    assert_true(evq_push(&q, 3, 0) != 0);
    assert_int_equal(evq_push(&q, 4, 0), 0);
    assert_int_equal(evq_count(&q), 3);
    evq_free(&q);
}

static void random_pushes_pop_sorted(void **state) {
    (void)state;
    evq q;
    evq_init(&q, 100000);
    rng r;
    rng_init(&r, 9);
    for (uint32_t i = 0; i < 20000; i++) assert_true(evq_push(&q, rng_range(&r, 0, 1000), i) != 0);
    evq_item prev = { -1, 0 }, it;
    uint32_t n = 0;
    while (evq_pop(&q, &it)) {
        assert_true(it.time_ns > prev.time_ns || (it.time_ns == prev.time_ns && it.key > prev.key));
        prev = it;
        n++;
    }
    assert_int_equal(n, 20000);
    evq_free(&q);
}

static void keys_are_never_zero_and_name_their_slot(void **state) {
    (void)state;
    evq q;
    evq_init(&q, 16);
    uint64_t k = evq_push(&q, 5, EVQ_SLOT_MASK);
    assert_true(k != 0);
    assert_int_equal(evq_slot(k), EVQ_SLOT_MASK);
    evq_free(&q);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(events_pop_in_time_order),
        cmocka_unit_test(events_at_the_same_instant_pop_in_push_order),
        cmocka_unit_test(a_full_queue_refuses_the_push),
        cmocka_unit_test(random_pushes_pop_sorted),
        cmocka_unit_test(keys_are_never_zero_and_name_their_slot),
    };
    return cmocka_run_group_tests_name("evq", tests, NULL, NULL);
}
