/* test_sim.c -- the engine's observable behaviour: latency, pauses, crashes,
 * partitions, link delays, clocks and timers, ordering and determinism,
 * through a two-node ping protocol (test_engine_support.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "tests/test_engine_support.h"

static void message_arrives_after_the_fixed_latency(void **state) {
    (void)state;
    scn *s = ping_scn(SIM_S);
    sim *run = ping_run(s, 1);
    assert_non_null(run);
    assert_int_equal(effect_count(run, HIST_EFF_READ), 1);
    assert_int_equal(effect_time(run, HIST_EFF_READ, 0), SIM_MS);
    sim_destroy(run); free(s->params.items); free(s);
}

static void paused_node_gets_its_messages_when_it_resumes(void **state) {
    (void)state;
    scn *s = ping_scn(SIM_S);
    ping_fault(s, SCN_FAULT_PAUSE, 0, 1)->for_ns = 10 * SIM_MS;
    sim *run = ping_run(s, 1);
    assert_non_null(run);
    assert_int_equal(effect_time(run, HIST_EFF_READ, 0), 10 * SIM_MS);
    sim_destroy(run); free(s->params.items); free(s);
}

static void node_paused_at_time_zero_starts_when_it_resumes(void **state) {
    (void)state;
    scn *s = ping_scn(SIM_S);
    ping_fault(s, SCN_FAULT_PAUSE, 0, 0)->for_ns = 10 * SIM_MS;   /* the sender */
    sim *run = ping_run(s, 1);
    assert_int_equal(effect_time(run, HIST_EFF_READ, 0), 11 * SIM_MS);
    sim_destroy(run); free(s->params.items); free(s);
}

static void timer_due_during_a_pause_fires_at_resume(void **state) {
    (void)state;
    scn *s = ping_scn(SIM_S);
    ping_param(s, "mono_timer", "5ms");
    ping_fault(s, SCN_FAULT_PAUSE, 2 * SIM_MS, 1)->for_ns = 100 * SIM_MS;
    sim *run = ping_run(s, 1);
    assert_int_equal(effect_time(run, HIST_EFF_WRITE, 0), 102 * SIM_MS);
    sim_destroy(run); free(s->params.items); free(s);
}

static void crashed_node_drops_messages_and_loses_timers(void **state) {
    (void)state;
    scn *s = ping_scn(SIM_S);
    ping_param(s, "mono_timer", "5ms");
    ping_fault(s, SCN_FAULT_CRASH, 0, 1);
    sim *run = ping_run(s, 1);
    assert_int_equal(effect_count(run, HIST_EFF_READ), 0);
    assert_int_equal(effect_count(run, HIST_EFF_WRITE), 0);
    assert_int_equal(sim_get_stats(run).messages_dropped, 1);
    sim_destroy(run); free(s->params.items); free(s);
}

static void restarted_node_receives_later_messages(void **state) {
    (void)state;
    scn *s = ping_scn(SIM_S);
    ping_param(s, "count", "3");
    ping_param(s, "every", "10ms");
    ping_fault(s, SCN_FAULT_CRASH, 0, 1)->for_ns = 5 * SIM_MS;
    sim *run = ping_run(s, 1);
    assert_int_equal(effect_count(run, HIST_EFF_READ), 2);          /* #0 dropped */
    assert_int_equal(effect_time(run, HIST_EFF_READ, 0), 11 * SIM_MS);
    sim_destroy(run); free(s->params.items); free(s);
}

static void partition_drops_messages_until_heal(void **state) {
    (void)state;
    scn *s = ping_scn(SIM_S);
    ping_param(s, "count", "3");
    ping_param(s, "every", "10ms");
    scn_fault *p = ping_fault(s, SCN_FAULT_PARTITION, 0, -1);
    p->group[0] = 0; p->group[1] = 1; p->group_count = 2;
    ping_fault(s, SCN_FAULT_HEAL, 15 * SIM_MS, -1);
    sim *run = ping_run(s, 1);
    assert_int_equal(effect_count(run, HIST_EFF_READ), 1);          /* only #2, sent at 20 ms */
    assert_int_equal(effect_time(run, HIST_EFF_READ, 0), 21 * SIM_MS);
    sim_destroy(run); free(s->params.items); free(s);
}

static void one_way_cut_drops_only_its_direction(void **state) {
    (void)state;
    scn *s = ping_scn(SIM_S);
    scn_fault *c = ping_fault(s, SCN_FAULT_CUT, 0, -1);
    c->from_mask = 2; c->to_mask = 1;                               /* b1 -> a1 only */
    sim *run = ping_run(s, 1);
    assert_int_equal(effect_count(run, HIST_EFF_READ), 1);
    sim_destroy(run);
    c->from_mask = 1; c->to_mask = 2;                               /* a1 -> b1 */
    run = ping_run(s, 1);
    assert_int_equal(effect_count(run, HIST_EFF_READ), 0);
    sim_destroy(run); free(s->params.items); free(s);
}

static void link_delay_slows_messages_sent_while_it_lasts(void **state) {
    (void)state;
    scn *s = ping_scn(60 * SIM_S);
    ping_param(s, "count", "2");
    ping_param(s, "every", "2s");
    scn_fault *d = ping_fault(s, SCN_FAULT_LINK_DELAY, 0, -1);
    d->from_mask = 1; d->to_mask = 2; d->by_ns = 15 * SIM_S; d->for_ns = SIM_S;
    sim *run = ping_run(s, 1);
    /* #0 sent at 0 arrives at 15.001 s; #1 sent at 2 s would arrive at
     * 2.001 s but the link is FIFO, so it waits behind #0. */
    assert_int_equal(effect_time(run, HIST_EFF_READ, 0), 15 * SIM_S + SIM_MS);
    assert_int_equal(effect_time(run, HIST_EFF_READ, 1), 15 * SIM_S + SIM_MS);
    assert_int_equal(sim_history(run)->effects[1].value, 1);
    sim_destroy(run); free(s->params.items); free(s);
}

static void wall_timer_fires_at_once_when_the_clock_jumps_past_it(void **state) {
    (void)state;
    scn *s = ping_scn(60 * SIM_S);
    ping_param(s, "wall_timer", "10s");
    scn_fault *j = ping_fault(s, SCN_FAULT_CLOCK_JUMP, SIM_S, 1);
    j->jump_ns = 20 * SIM_S;
    sim *run = ping_run(s, 1);
    assert_int_equal(effect_time(run, HIST_EFF_WRITE, 0), SIM_S);
    sim_destroy(run); free(s->params.items); free(s);
}

static void fast_clock_brings_a_wall_deadline_sooner(void **state) {
    (void)state;
    scn *s = ping_scn(60 * SIM_S);
    ping_param(s, "wall_timer", "10s");
    s->clocks[1] = (scn_clock){ 0, 1020000, true, { 0, 0 } };      /* 2% fast */
    sim *run = ping_run(s, 1);
    /* least t with floor(t * 1.02) >= 10 s: ceil(10 s / 1.02) */
    assert_int_equal(effect_time(run, HIST_EFF_WRITE, 0), 9803921569);
    sim_destroy(run); free(s->params.items); free(s);
}

static void slew_after_start_replans_the_wall_deadline(void **state) {
    (void)state;
    scn *s = ping_scn(60 * SIM_S);
    ping_param(s, "wall_timer", "10s");
    scn_fault *r = ping_fault(s, SCN_FAULT_CLOCK_RATE, SIM_S, 1);
    r->rate_ppm = 2000000;                                          /* twice as fast from 1 s */
    sim *run = ping_run(s, 1);
    assert_int_equal(effect_time(run, HIST_EFF_WRITE, 0), SIM_S + 4500 * SIM_MS);
    sim_destroy(run); free(s->params.items); free(s);
}

static void same_instant_messages_arrive_in_send_order(void **state) {
    (void)state;
    scn *s = ping_scn(SIM_S);
    ping_param(s, "count", "5");
    sim *run = ping_run(s, 1);
    const hist *h = sim_history(run);
    assert_int_equal(h->effect_count, 5);
    for (uint32_t i = 0; i < 5; i++) assert_int_equal(h->effects[i].value, i);
    sim_destroy(run); free(s->params.items); free(s);
}

static void uniform_latency_keeps_a_link_fifo(void **state) {
    (void)state;
    scn *s = ping_scn(10 * SIM_S);
    ping_param(s, "count", "200");
    ping_param(s, "every", "100us");
    s->network.latency = (scn_latency){ SCN_LAT_UNIFORM, SIM_MS, 20 * SIM_MS };
    sim *run = ping_run(s, 7);
    const hist *h = sim_history(run);
    assert_int_equal(h->effect_count, 200);
    for (uint32_t i = 0; i < 200; i++) assert_int_equal(h->effects[i].value, i);
    sim_destroy(run); free(s->params.items); free(s);
}

static void loss_drops_about_its_rate(void **state) {
    (void)state;
    scn *s = ping_scn(10 * SIM_S);
    ping_param(s, "count", "1000");
    s->network.has_loss = true;
    s->network.loss_ppm = 200000;                                   /* 20% */
    sim *run = ping_run(s, 3);
    uint32_t got = effect_count(run, HIST_EFF_READ);
    assert_in_range(got, 740, 860);
    sim_destroy(run); free(s->params.items); free(s);
}

static bool same_effects(const sim *a, const sim *b) {
    const hist *ha = sim_history(a), *hb = sim_history(b);
    if (ha->effect_count != hb->effect_count) return false;
    return memcmp(ha->effects, hb->effects, ha->effect_count * sizeof *ha->effects) == 0;
}

static void same_seed_gives_the_same_history_and_another_seed_does_not(void **state) {
    (void)state;
    scn *s = ping_scn(10 * SIM_S);
    ping_param(s, "count", "100");
    ping_param(s, "every", "1ms");
    s->network.latency = (scn_latency){ SCN_LAT_EXPONENTIAL, 2 * SIM_MS, 500 * SIM_US };
    s->network.has_duplicate = true;
    s->network.duplicate_ppm = 100000;
    s->network.has_reorder = true;
    s->network.reorder_ppm = 300000;
    sim *a = ping_run(s, 42), *b = ping_run(s, 42), *c = ping_run(s, 43);
    assert_true(same_effects(a, b));
    assert_false(same_effects(a, c));
    sim_destroy(a); sim_destroy(b); sim_destroy(c); free(s->params.items); free(s);
}

static void exponential_latency_respects_its_floor(void **state) {
    (void)state;
    scn *s = ping_scn(10 * SIM_S);
    ping_param(s, "count", "300");
    ping_param(s, "every", "10ms");
    s->network.latency = (scn_latency){ SCN_LAT_EXPONENTIAL, 2 * SIM_MS, 500 * SIM_US };
    sim *run = ping_run(s, 5);
    const hist *h = sim_history(run);
    int64_t sum = 0;
    for (uint32_t i = 0; i < h->effect_count; i++) {
        sim_time lat = h->effects[i].t_ns - (sim_time)h->effects[i].value * 10 * SIM_MS;
        assert_true(lat >= 500 * SIM_US);
        sum += lat;
    }
    int64_t mean = sum / (int64_t)h->effect_count;
    assert_in_range(mean, 1500 * SIM_US, 3000 * SIM_US);
    sim_destroy(run); free(s->params.items); free(s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(message_arrives_after_the_fixed_latency),
        cmocka_unit_test(paused_node_gets_its_messages_when_it_resumes),
        cmocka_unit_test(node_paused_at_time_zero_starts_when_it_resumes),
        cmocka_unit_test(timer_due_during_a_pause_fires_at_resume),
        cmocka_unit_test(crashed_node_drops_messages_and_loses_timers),
        cmocka_unit_test(restarted_node_receives_later_messages),
        cmocka_unit_test(partition_drops_messages_until_heal),
        cmocka_unit_test(one_way_cut_drops_only_its_direction),
        cmocka_unit_test(link_delay_slows_messages_sent_while_it_lasts),
        cmocka_unit_test(wall_timer_fires_at_once_when_the_clock_jumps_past_it),
        cmocka_unit_test(fast_clock_brings_a_wall_deadline_sooner),
        cmocka_unit_test(slew_after_start_replans_the_wall_deadline),
        cmocka_unit_test(same_instant_messages_arrive_in_send_order),
        cmocka_unit_test(uniform_latency_keeps_a_link_fifo),
        cmocka_unit_test(loss_drops_about_its_rate),
        cmocka_unit_test(same_seed_gives_the_same_history_and_another_seed_does_not),
        cmocka_unit_test(exponential_latency_respects_its_floor),
    };
    return cmocka_run_group_tests_name("sim", tests, NULL, NULL);
}
