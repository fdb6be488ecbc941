/* test_sim.c -- the engine's observable behaviour: latency, pauses, crashes,
 * partitions, link delays, clocks and timers, ordering and determinism,
 * through a two-node ping protocol (test_engine_support.h). */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "tests/test_engine_support.h"
#include "sim/memory.h"
#include "sim/verify.h"

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

/* The history keeps what the engine dropped at a node that was down (the
 * story tells it), not what a sender's power loss took with it. */
static void a_message_dropped_at_a_crashed_node_is_recorded_as_lost(void **state) {
    (void)state;
    scn *s = ping_scn(SIM_S);
    ping_param(s, "count", "3");
    ping_param(s, "every", "10ms");
    ping_fault(s, SCN_FAULT_CRASH, 0, 1)->for_ns = 15 * SIM_MS;     /* #0 and #1 dropped */
    sim *run = ping_run(s, 1);
    assert_int_equal(effect_count(run, HIST_EFF_LOST), 2);
    const hist *h = sim_history(run);
    const hist_effect *x = NULL;
    for (uint32_t i = 0; i < h->effect_count && x == NULL; i++)
        if (h->effects[i].kind == HIST_EFF_LOST) x = &h->effects[i];
    assert_int_equal(x->node, 1);                /* where it was dropped */
    assert_int_equal(x->client, 0);              /* who sent it */
    assert_int_equal(x->value, 0);               /* sent at 0 */
    assert_int_equal(x->t_ns, SIM_MS);           /* dropped on arrival */
    assert_int_equal(effect_time(run, HIST_EFF_LOST, 1), 11 * SIM_MS);
    sim_destroy(run); free(s->params.items); free(s);
    s = ping_scn(SIM_S);
    ping_fault(s, SCN_FAULT_POWER_LOSS, 500 * SIM_US, 0);          /* the sender's buffers */
    run = ping_run(s, 1);
    assert_int_equal(sim_get_stats(run).messages_dropped, 1);
    assert_int_equal(effect_count(run, HIST_EFF_LOST), 0);
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

/* a1 sends at 0; the message is on its way until 1 ms when a1 goes down at
 * 500 us.  A process crash leaves it in the kernel, which sends it; a power
 * loss takes the kernel's buffers with it. */
static void message_sent_before_a_process_crash_still_arrives(void **state) {
    (void)state;
    scn *s = ping_scn(SIM_S);
    ping_fault(s, SCN_FAULT_CRASH, 500 * SIM_US, 0);
    sim *run = ping_run(s, 1);
    assert_int_equal(effect_count(run, HIST_EFF_READ), 1);
    assert_int_equal(effect_time(run, HIST_EFF_READ, 0), SIM_MS);
    sim_destroy(run); free(s->params.items); free(s);
}

static void message_still_in_flight_when_its_sender_loses_power_is_lost(void **state) {
    (void)state;
    scn *s = ping_scn(SIM_S);
    ping_param(s, "count", "3");
    ping_param(s, "every", "10ms");
    ping_fault(s, SCN_FAULT_POWER_LOSS, 500 * SIM_US, 0)->for_ns = 5 * SIM_MS;
    sim *run = ping_run(s, 1);
    assert_int_equal(effect_count(run, HIST_EFF_READ), 0);   /* #0 lost, #1.. never sent */
    assert_int_equal(sim_get_stats(run).messages_dropped, 1);
    sim_destroy(run); free(s->params.items); free(s);
}

static void power_lost_receiver_drops_messages_until_it_restarts(void **state) {
    (void)state;
    scn *s = ping_scn(SIM_S);
    ping_param(s, "count", "2");
    ping_param(s, "every", "10ms");
    ping_fault(s, SCN_FAULT_POWER_LOSS, 500 * SIM_US, 1)->for_ns = 5 * SIM_MS;  /* the receiver */
    sim *run = ping_run(s, 1);
    assert_int_equal(effect_count(run, HIST_EFF_READ), 1);   /* #0 to a dead host, #1 at 11 ms */
    assert_int_equal(effect_time(run, HIST_EFF_READ, 0), 11 * SIM_MS);
    sim_destroy(run); free(s->params.items); free(s);
}

/* The receiver records, in on_crash, whether the crash is a power loss
 * (a WRITE effect of value 1 or 0), and asks again in on_restart (value 2
 * + the answer: false outside on_crash). */
static void crash_kind_on_crash(void *state, env *e) {
    (void)state;
    hist_effect_fields ef = { .kind = HIST_EFF_WRITE, .client = -1, .op = HIST_NONE,
                       .value = env_crash_is_power_loss(e) };
    env_effect(e, &ef);
}

static void crash_kind_restart(void *state, env *e) {
    (void)state;
    hist_effect_fields ef = { .kind = HIST_EFF_WRITE, .client = -1, .op = HIST_NONE,
                       .value = 2 + env_crash_is_power_loss(e) };
    env_effect(e, &ef);
}

static const model_ops crash_kind_model = {
    .name = "crash-kind", .state_size = sizeof(ping_state), .init = ping_init,
    .on_message = ping_message, .on_timer = ping_timer, .on_crash = crash_kind_on_crash,
    .on_restart = crash_kind_restart,
};

static int64_t nth_write(const sim *run, uint32_t nth) {
    const hist *h = sim_history(run);
    for (uint32_t i = 0; i < h->effect_count; i++)
        if (h->effects[i].kind == HIST_EFF_WRITE && nth-- == 0) return h->effects[i].value;
    return -1;
}

/* Runs ping with model b as the receiver, which goes down at 2 ms (a
 * crash) and again at 5 ms (`again`), for 1 ms each; *s to free. */
static sim *receiver_down_twice(const model_ops *b, scn_fault_kind again, scn **s) {
    *s = ping_scn(SIM_S);
    ping_fault(*s, SCN_FAULT_CRASH, 2 * SIM_MS, 1)->for_ns = SIM_MS;
    ping_fault(*s, again, 5 * SIM_MS, 1)->for_ns = SIM_MS;
    proto_desc p = ping_proto_with(NULL, b);
    return ping_run_proto(*s, 1, &p);
}

static void model_learns_in_on_crash_whether_it_lost_power(void **state) {
    (void)state;
    scn *s = NULL;
    sim *run = receiver_down_twice(&crash_kind_model, SCN_FAULT_POWER_LOSS, &s);
    assert_non_null(run);
    assert_int_equal(effect_count(run, HIST_EFF_WRITE), 4);
    assert_int_equal(nth_write(run, 0), 0);     /* the crash: a process crash */
    assert_int_equal(nth_write(run, 1), 2);     /* its restart: false outside on_crash */
    assert_int_equal(nth_write(run, 2), 1);     /* the power loss */
    assert_int_equal(nth_write(run, 3), 2);
    sim_destroy(run); free(s->params.items); free(s);
}

/* The receiver invokes an op at start and, in on_crash, abandons it
 * (env_op_abandon); a second crash finds none pending. */
typedef struct abandon_state { uint32_t op; } abandon_state;

static void abandon_init(void *state, env *e) {
    abandon_state *st = state;
    st->op = env_op_invoke(e, HIST_F_WRITE, NULL);
}

static void abandon_on_crash(void *state, env *e) {
    abandon_state *st = state;
    env_op_abandon(e, &st->op, "receiver crashed");
}

static void abandon_restart(void *state, env *e) { (void)state; (void)e; }

static const model_ops abandon_model = {
    .name = "abandon", .state_size = sizeof(abandon_state), .init = abandon_init,
    .on_message = ping_message, .on_crash = abandon_on_crash, .on_restart = abandon_restart,
};

static void an_op_pending_at_a_crash_completes_once_as_info_with_its_note(void **state) {
    (void)state;
    scn *s = NULL;
    sim *run = receiver_down_twice(&abandon_model, SCN_FAULT_CRASH, &s);
    assert_non_null(run);
    const hist *h = sim_history(run);
    assert_int_equal(h->op_count, 1);
    assert_int_equal(h->ops[0].result, HIST_INFO);
    assert_int_equal(h->ops[0].complete_ns, 2 * SIM_MS);   /* the first crash; the second finds none */
    assert_string_equal(h->ops[0].note, "receiver crashed");
    sim_destroy(run); free(s->params.items); free(s);
}

/* model_ops.state_size_for: the engine allocates what it says for each
 * node (node 0: 4096 bytes, node 1: 8192); init fills all of it (a
 * sanitizer build catches a shorter allocation) and records the size. */
static size_t sized_bytes(const env *e) { return 4096u * (size_t)(env_self(e) + 1); }

static void sized_init(void *state, env *e) {
    size_t n = sized_bytes(e);
    memset(state, 0xab, n);
    hist_effect_fields ef = { .kind = HIST_EFF_WRITE, .client = -1, .op = HIST_NONE, .value = (int64_t)n };
    env_effect(e, &ef);
}

static const model_ops sized_model = {
    .name = "sized", .state_size = 1, .state_size_for = sized_bytes, .init = sized_init,
};

static void a_model_gets_the_state_size_it_asks_for_its_node(void **state) {
    (void)state;
    scn *s = ping_scn(SIM_S);
    proto_desc p = ping_proto_with(&sized_model, &sized_model);
    sim *run = ping_run_proto(s, 1, &p);
    assert_non_null(run);
    assert_int_equal(effect_count(run, HIST_EFF_WRITE), 2);
    assert_int_equal(nth_write(run, 0), 4096);
    assert_int_equal(nth_write(run, 1), 8192);
    sim_destroy(run); free(s->params.items); free(s);
}

/* Found by tests/fuzz/fuzz_scenario: a crash at 0 ms comes before the
 * nodes' start events; the node never started, and the lock-counter
 * client's on_crash asserted on its unstarted state. */
static void node_crashed_at_time_zero_starts_when_it_restarts(void **state) {
    (void)state;
    scn *s = ping_scn(SIM_S);
    ping_param(s, "mono_timer", "5ms");
    ping_fault(s, SCN_FAULT_CRASH, 0, 1)->for_ns = 10 * SIM_MS;   /* the receiver */
    sim *run = ping_run(s, 1);
    assert_non_null(run);
    assert_int_equal(effect_count(run, HIST_EFF_WRITE), 1);
    assert_int_equal(effect_time(run, HIST_EFF_WRITE, 0), 15 * SIM_MS);
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

/* b's wall timer (10 s) falls due at 10 s while b is paused (2 s..12 s);
 * at 11 s b's clock jumps back 20 s, so at resume it reads -8 s: the timer
 * waits until the clock reads 10 s again, at true time 30 s. */
static void wall_timer_parked_in_a_pause_waits_for_its_deadline_after_a_backward_jump(void **state) {
    (void)state;
    scn *s = ping_scn(60 * SIM_S);
    ping_param(s, "wall_timer", "10s");
    ping_fault(s, SCN_FAULT_PAUSE, 2 * SIM_S, 1)->for_ns = 10 * SIM_S;
    ping_fault(s, SCN_FAULT_CLOCK_JUMP, 11 * SIM_S, 1)->jump_ns = -20 * SIM_S;
    sim *run = ping_run(s, 1);
    assert_non_null(run);
    assert_int_equal(effect_count(run, HIST_EFF_WRITE), 1);
    assert_int_equal(effect_time(run, HIST_EFF_WRITE, 0), 30 * SIM_S);
    sim_destroy(run); free(s->params.items); free(s);
}

/* Jumped back and forward again during the pause: the deadline is reached
 * at resume, so the timer fires then, like any parked event. */
static void wall_timer_parked_in_a_pause_fires_at_resume_when_its_clock_reads_past_it(void **state) {
    (void)state;
    scn *s = ping_scn(60 * SIM_S);
    ping_param(s, "wall_timer", "10s");
    ping_fault(s, SCN_FAULT_PAUSE, 2 * SIM_S, 1)->for_ns = 10 * SIM_S;
    ping_fault(s, SCN_FAULT_CLOCK_JUMP, 11 * SIM_S, 1)->jump_ns = -20 * SIM_S;
    ping_fault(s, SCN_FAULT_CLOCK_JUMP, 11 * SIM_S + SIM_MS, 1)->jump_ns = 20 * SIM_S;
    sim *run = ping_run(s, 1);
    assert_non_null(run);
    assert_int_equal(effect_time(run, HIST_EFF_WRITE, 0), 12 * SIM_S);
    sim_destroy(run); free(s->params.items); free(s);
}

/* The message reaches b1 at 1 ms, while b1 is paused (0..10 ms); a1 and
 * b1 are partitioned from 5 ms.  It sat in b1's socket buffer before the
 * partition, so b1 reads it when it resumes. */
static void message_that_reached_a_paused_node_is_delivered_on_resume_despite_a_later_partition(void **state) {
    (void)state;
    scn *s = ping_scn(SIM_S);
    ping_fault(s, SCN_FAULT_PAUSE, 0, 1)->for_ns = 10 * SIM_MS;
    scn_fault *p = ping_fault(s, SCN_FAULT_PARTITION, 5 * SIM_MS, -1);
    p->group[0] = 0; p->group[1] = 1; p->group_count = 2;
    sim *run = ping_run(s, 1);
    assert_non_null(run);
    assert_int_equal(effect_count(run, HIST_EFF_READ), 1);
    assert_int_equal(effect_time(run, HIST_EFF_READ, 0), 10 * SIM_MS);
    assert_int_equal(sim_get_stats(run).messages_dropped, 0);
    sim_destroy(run); free(s->params.items); free(s);
}

/* The link is down when the message would reach the paused b1 (partition
 * 0.5 ms..5 ms): it is lost then, even though the link is back by resume. */
static void message_whose_link_is_down_when_it_reaches_a_paused_node_is_dropped(void **state) {
    (void)state;
    scn *s = ping_scn(SIM_S);
    ping_fault(s, SCN_FAULT_PAUSE, 0, 1)->for_ns = 10 * SIM_MS;
    scn_fault *p = ping_fault(s, SCN_FAULT_PARTITION, 500 * SIM_US, -1);
    p->group[0] = 0; p->group[1] = 1; p->group_count = 2;
    ping_fault(s, SCN_FAULT_HEAL, 5 * SIM_MS, -1);
    sim *run = ping_run(s, 1);
    assert_non_null(run);
    assert_int_equal(effect_count(run, HIST_EFF_READ), 0);
    assert_int_equal(sim_get_stats(run).messages_dropped, 1);
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
    return hist_same(ha, hb);
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
    assert_true(sim_get_stats(a).event_hash == sim_get_stats(b).event_hash);
    assert_true(sim_get_stats(a).event_hash != sim_get_stats(c).event_hash);
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

/* ---- the determinism self-check ---- */

/* b's model for these tests draws from state outside the run, a bug the
 * self-check exists to find: every second run of it, b arms a 5 ms timer
 * (tag 7) at start. */
static int drift_starts;

static void drift_init(void *state, env *e) {
    ping_init(state, e);
    if (drift_starts++ % 2 == 1) env_timer(e, 5 * SIM_MS, 7, 0);
}

static const model_ops drift_model = {
    .name = "drift", .state_size = sizeof(ping_state), .init = drift_init,
    .on_message = ping_message, .on_timer = ping_timer,
};

static const proto_desc drift_proto = {
    .name = "ping", .summary = "engine test protocol whose receiver reads a global",
    .params = ping_params, .param_count = sizeof ping_params / sizeof ping_params[0],
    .cfg_size = sizeof(ping_cfg),
    .roles = { { "a", &ping_model, 1, 1, "sender", NULL }, { "b", &drift_model, 1, 1, "receiver", NULL } },
    .role_count = 2,
};

static void two_runs_of_a_seed_agree_and_give_the_runs_event_count_and_hash(void **state) {
    (void)state;
    scn *s = ping_scn(SIM_S);
    ping_param(s, "count", "3");
    ping_param(s, "every", "10ms");
    sim_options opt = { .seed = 42, .seed_set = true, .proto = &ping_proto };
    sim_divergence d;
    char err[512], line[512];
    assert_int_equal(sim_verify_twice(s, &opt, NULL, &d, err, sizeof err), 0);
    assert_false(d.diverged);
    sim *run = ping_run(s, 42);
    assert_int_equal(d.events, sim_get_stats(run).events);
    assert_true(d.hash == sim_get_stats(run).event_hash);
    assert_int_equal(d.events, 7);    /* 2 starts, 3 messages, 2 send timers */
    sim_divergence_line(&d, s, line, sizeof line);
    assert_non_null(strstr(line, "determinism  ok (7 events, hash "));
    sim_destroy(run); free(s->params.items); free(s);
}

/* Run 1: starts (#0 a1, #1 b1), message at 1 ms (#2), a1's timer at 10 ms
 * (#3).  Run 2 has b1's stray timer at 5 ms in place of #3. */
static void two_runs_that_differ_name_the_first_diverging_event(void **state) {
    (void)state;
    scn *s = ping_scn(SIM_S);
    ping_param(s, "count", "3");
    ping_param(s, "every", "10ms");
    sim_options opt = { .seed = 42, .seed_set = true, .proto = &drift_proto };
    sim_divergence d;
    char err[512], line[512];
    drift_starts = 0;
    assert_int_equal(sim_verify_twice(s, &opt, NULL, &d, err, sizeof err), 0);
    assert_true(d.diverged);
    assert_int_equal(d.index, 3);
    assert_true(d.has_first && d.has_second);
    assert_int_equal(d.first.t_ns, 10 * SIM_MS);
    assert_int_equal(d.first.node, 0);
    assert_int_equal(d.first.kind, SIM_EV_TIMER);
    assert_int_equal(d.first.what, 1);
    assert_int_equal(d.second.t_ns, 5 * SIM_MS);
    assert_int_equal(d.second.node, 1);
    assert_int_equal(d.second.kind, SIM_EV_TIMER);
    assert_int_equal(d.second.what, 7);
    assert_int_equal(d.events + 1, d.second_events);
    assert_true(d.hash != d.second_hash);
    sim_divergence_line(&d, s, line, sizeof line);
    assert_string_equal(line, "determinism  DIVERGED at event #3: first run 0.010 s on a1: timer tag 1; "
                              "second run 0.005 s on b1: timer tag 7 (7 vs 8 events)");
    free(s->params.items); free(s);
}

/* ---- an assertion failure says what the run was doing ---- */

/* b's model for these tests: any message with a body trips an assertion,
 * standing in for a bug in a protocol. */
static void tripwire_message(void *state, env *e, node_id from, uint32_t type, const void *body,
                             uint32_t len) {
    (void)state; (void)e; (void)from; (void)type; (void)body;
    SIM_ASSERT(len == 0);
}

static const model_ops tripwire_model = { .name = "tripwire", .on_message = tripwire_message };

static const proto_desc tripwire_proto = {
    .name = "ping", .summary = "engine test protocol whose receiver trips an assertion",
    .params = ping_params, .param_count = sizeof ping_params / sizeof ping_params[0],
    .cfg_size = sizeof(ping_cfg),
    .roles = { { "a", &ping_model, 1, 1, "sender", NULL }, { "b", &tripwire_model, 1, 1, "receiver", NULL } },
    .role_count = 2,
};

/* Runs child() in a forked process whose stderr goes into out (NUL-ended,
 * cut at len - 1); returns the child's wait status. */
static int stderr_of_child(void (*child)(void), char *out, size_t len) {
    int fd[2];
    assert_int_equal(pipe(fd), 0);
    fflush(NULL);                                 /* the child must not repeat our output */
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fd[0]);
        dup2(fd[1], STDERR_FILENO);
        signal(SIGABRT, SIG_DFL);
        child();
        _exit(0);
    }
    close(fd[1]);
    size_t used = 0;
    ssize_t got;
    while ((got = read(fd[0], out + used, len - 1 - used)) > 0) used += (size_t)got;
    out[used] = '\0';
    close(fd[0]);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return status;
}

static void run_into_the_tripwire(void) {
    scn *s = ping_scn(SIM_S);
    snprintf(s->sets[0], sizeof s->sets[0], "params.count=1");
    s->set_count = 1;
    sim_options opt = { .seed = 42, .seed_set = true, .proto = &tripwire_proto };
    sim *run = NULL;
    char err[512];
    if (sim_create(s, &opt, &run, err, sizeof err) != 0) { fprintf(stderr, "%s\n", err); return; }
    sim_run(run, err, sizeof err);                /* aborts at 1 ms, when b1 receives */
}

static void failed_assertion_in_a_run_prints_seed_time_event_and_how_to_reproduce(void **state) {
    (void)state;
    char out[4096];
    int status = stderr_of_child(run_into_the_tripwire, out, sizeof out);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGABRT);
    assert_non_null(strstr(out, "assertion failed: len == 0 (tests/test_sim.c:"));
    assert_non_null(strstr(out, "\n  scenario: test.yaml\n"));
    assert_non_null(strstr(out, "\n  seed: 42\n"));
    assert_non_null(strstr(out, "\n  true time: 0.001 s (1000000 ns)\n"));
    assert_non_null(strstr(out, "\n  running: message type 1 a1 -> b1 (model tripwire)\n"));
    const char *last = "\n  reproduce: ccsim run test.yaml --seed 42 --set 'params.count=1'\n";
    size_t n = strlen(out), m = strlen(last);
    assert_true(n >= m);
    assert_string_equal(out + n - m, last);       /* the last line */
}

/* The context lives on sim_run's stack: once the run returns, a failure
 * elsewhere must not print it (nor read freed memory). */
static void run_then_fail_outside_it(void) {
    scn *s = ping_scn(SIM_S);
    sim *run = ping_run(s, 42);
    SIM_ASSERT(run == NULL);                      /* run succeeded: this fails */
}

static void failed_assertion_after_a_run_returned_prints_no_run_context(void **state) {
    (void)state;
    char out[4096];
    int status = stderr_of_child(run_then_fail_outside_it, out, sizeof out);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGABRT);
    assert_non_null(strstr(out, "assertion failed: run == NULL"));
    assert_null(strstr(out, "seed:"));
    assert_null(strstr(out, "reproduce:"));
}

/* ---- budgets and the largest times (issue 14, findings 3 and 7) ---- */

/* Creates the ping run with budgets; returns sim_run's result, err its message. */
static int run_with_budget(const scn *s, uint64_t events, uint64_t trace_bytes, FILE *trace,
                           sim_stats *stats, char *err, size_t len) {
    sim_options opt = { .seed = 1, .seed_set = true, .proto = &ping_proto, .trace = trace,
                        .max_events = events, .max_trace_bytes = trace_bytes };
    sim *run = NULL;
    assert_int_equal(sim_create(s, &opt, &run, err, len), 0);
    int rc = sim_run(run, err, len);
    *stats = sim_get_stats(run);
    sim_destroy(run);
    return rc;
}

static void a_run_stops_at_its_event_budget_and_says_which(void **state) {
    (void)state;
    scn *s = ping_scn(SIM_S);
    ping_param(s, "count", "1000");
    char err[SIM_ERR_MAX];
    sim_stats st;
    assert_int_equal(run_with_budget(s, 100, 0, NULL, &st, err, sizeof err), SIM_RUN_OVER_BUDGET);
    assert_int_equal(st.events, 100);
    assert_non_null(strstr(err, "test.yaml: error: the run passed its budget of 100 events"));
    assert_non_null(strstr(err, "--max-events"));
    assert_null(strchr(err, '\n'));
    assert_int_equal(run_with_budget(s, 0, 0, NULL, &st, err, sizeof err), 0);   /* the default */
    assert_true(st.events > 1000);
    free(s->params.items); free(s);
}

static void a_run_stops_when_its_trace_passes_its_budget(void **state) {
    (void)state;
    scn *s = ping_scn(SIM_S);
    ping_param(s, "count", "1000");
    char err[SIM_ERR_MAX];
    sim_stats st;
    ping_param(s, "every", "1ms");          /* one send per event, not 1000 at once */
    FILE *trace = tmpfile();
    assert_non_null(trace);
    assert_int_equal(run_with_budget(s, 0, 4096, trace, &st, err, sizeof err), SIM_RUN_OVER_BUDGET);
    assert_non_null(strstr(err, "budget of 4096 bytes of trace.log"));
    assert_non_null(strstr(err, "--max-trace"));
    long size = ftell(trace);
    assert_true(size > 4096 && size < 4096 + 1024);   /* stopped within the event that passed it */
    fclose(trace);
    free(s->params.items); free(s);
}

/* ---- trace.log lines (issue 17: each formatted once) ---- */

/* A model that writes a 600-byte line at 0 and a short one at 123456.5 s. */
static void talker_init(void *state, env *e) {
    (void)state;
    char text[601];
    memset(text, 'x', 600);
    text[600] = '\0';
    if (env_self(e) == 0) env_trace(e, "long %s", text);
    env_timer(e, 123456 * SIM_S + 500 * SIM_MS, 1, 0);
}

static void talker_timer(void *state, env *e, uint32_t tag, uint64_t arg) {
    (void)state; (void)arg;
    env_trace(e, "tag %u on %s", tag, env_node_name(e, env_self(e)));
}

static const model_ops talker_model = {
    .name = "talker", .state_size = 1, .init = talker_init, .on_timer = talker_timer,
};

static const proto_desc talker_proto = {
    .name = "talker", .summary = "trace test protocol",
    .params = ping_params, .param_count = sizeof ping_params / sizeof ping_params[0],
    .cfg_size = sizeof(ping_cfg),
    .roles = { { "a", &talker_model, 1, 1, "talks", NULL }, { "b", &talker_model, 1, 1, "talks", NULL } },
    .role_count = 2,
};

static void a_trace_line_is_time_node_and_text_and_a_model_line_is_cut_at_511_bytes(void **state) {
    (void)state;
    scn *s = ping_scn(200000 * SIM_S);
    snprintf(s->nodes[0].name, SIM_NAME_MAX, "a-long-name-1");   /* wider than the column */
    FILE *trace = tmpfile();
    assert_non_null(trace);
    sim_options opt = { .seed = 1, .seed_set = true, .proto = &talker_proto, .trace = trace };
    sim *run = NULL;
    char err[SIM_ERR_MAX];
    assert_int_equal(sim_create(s, &opt, &run, err, sizeof err), 0);
    assert_int_equal(sim_run(run, err, sizeof err), 0);
    sim_destroy(run);
    long n = ftell(trace);
    assert_true(n > 0);
    char *text = calloc(1, (size_t)n + 1);
    assert_non_null(text);
    rewind(trace);
    assert_int_equal(fread(text, 1, (size_t)n, trace), (size_t)n);
    fclose(trace);
    char want[700];
    memset(want, 'x', sizeof want);
    int head = snprintf(want, sizeof want, "    0.000000000 a-long-name-1 long ");
    memset(want + head, 'x', 511 - 5);
    snprintf(want + head + 511 - 5, sizeof want - (size_t)(head + 511 - 5), "\n");
    assert_memory_equal(text, want, strlen(want));          /* 511 bytes of body, then the end */
    assert_non_null(strstr(text, "\n123456.500000000 a-long-name-1 tag 1 on a-long-name-1\n"));
    assert_non_null(strstr(text, "\n123456.500000000 b1         tag 1 on b1\n"));
    free(text);
    free(s);
}

/* A pause at 2562047h for 2562047h (the loader's old largest duration; it
 * now stops at CONFIG_TIME_MAX) wrapped now + for and aborted on
 * `at >= s->now`: the pause's end saturates instead. */
static void a_pause_at_the_largest_horizon_runs_to_the_end(void **state) {
    (void)state;
    const sim_time old_max = (sim_time)2562047 * 3600 * SIM_S;
    scn *s = ping_scn(old_max);
    ping_fault(s, SCN_FAULT_PAUSE, old_max, 1)->for_ns = old_max;
    sim *run = ping_run(s, 1);
    assert_non_null(run);
    assert_int_equal(sim_get_stats(run).end_ns, old_max);
    assert_int_equal(effect_count(run, HIST_EFF_READ), 1);
    sim_destroy(run); free(s->params.items); free(s);
}

/* The extremes of the ranges together: offsets, jumps, rate 10, the
 * largest latency and link delays; a wall timer far out on a fast clock. */
static void the_largest_clocks_latencies_and_delays_do_not_wrap(void **state) {
    (void)state;
    scn *s = ping_scn(CONFIG_TIME_MAX);
    s->network.latency = (scn_latency){ SCN_LAT_EXPONENTIAL, CONFIG_TIME_MAX, CONFIG_TIME_MAX };
    s->clocks[1] = (scn_clock){ .offset_ns = CONFIG_TIME_MAX, .rate_ppm = 10000000, .set = true };
    s->clocks[0] = (scn_clock){ .offset_ns = -CONFIG_TIME_MAX, .rate_ppm = 1000000, .set = true };
    ping_param(s, "wall_timer", "8760h");
    ping_param(s, "count", "3");
    ping_fault(s, SCN_FAULT_CLOCK_JUMP, 0, 1)->jump_ns = CONFIG_TIME_MAX;
    ping_fault(s, SCN_FAULT_CLOCK_JUMP, 0, 0)->jump_ns = -CONFIG_TIME_MAX;
    for (int k = 0; k < 64; k++) {
        scn_fault *d = ping_fault(s, SCN_FAULT_LINK_DELAY, 0, -1);
        d->from_mask = d->to_mask = 3;
        d->by_ns = d->for_ns = CONFIG_TIME_MAX;
    }
    ping_fault(s, SCN_FAULT_PAUSE, CONFIG_TIME_MAX, 1)->for_ns = CONFIG_TIME_MAX;
    ping_fault(s, SCN_FAULT_CRASH, CONFIG_TIME_MAX, 0)->for_ns = CONFIG_TIME_MAX;
    sim *run = ping_run(s, 1);
    assert_non_null(run);
    assert_int_equal(effect_count(run, HIST_EFF_READ), 0);   /* every message arrives too late */
    sim_destroy(run); free(s->params.items); free(s);
}

/* sim_reserve: room that reads as zeros until written, keeps what is
 * written at both ends, and is given back. */
static void reserved_room_reads_as_zeros_and_keeps_what_is_written(void **state) {
    (void)state;
    size_t bytes = (size_t)64 << 20;
    unsigned char *p = sim_reserve(bytes);
    assert_non_null(p);
    assert_int_equal(p[0], 0);
    assert_int_equal(p[bytes / 2], 0);
    assert_int_equal(p[bytes - 1], 0);
    p[0] = 1;
    p[bytes - 1] = 2;
    assert_int_equal(p[0] + p[bytes - 1], 3);
    sim_reserve_free(p, bytes);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(message_arrives_after_the_fixed_latency),
        cmocka_unit_test(paused_node_gets_its_messages_when_it_resumes),
        cmocka_unit_test(node_paused_at_time_zero_starts_when_it_resumes),
        cmocka_unit_test(timer_due_during_a_pause_fires_at_resume),
        cmocka_unit_test(crashed_node_drops_messages_and_loses_timers),
        cmocka_unit_test(node_crashed_at_time_zero_starts_when_it_restarts),
        cmocka_unit_test(message_sent_before_a_process_crash_still_arrives),
        cmocka_unit_test(message_still_in_flight_when_its_sender_loses_power_is_lost),
        cmocka_unit_test(a_message_dropped_at_a_crashed_node_is_recorded_as_lost),
        cmocka_unit_test(power_lost_receiver_drops_messages_until_it_restarts),
        cmocka_unit_test(model_learns_in_on_crash_whether_it_lost_power),
        cmocka_unit_test(an_op_pending_at_a_crash_completes_once_as_info_with_its_note),
        cmocka_unit_test(a_model_gets_the_state_size_it_asks_for_its_node),
        cmocka_unit_test(restarted_node_receives_later_messages),
        cmocka_unit_test(partition_drops_messages_until_heal),
        cmocka_unit_test(one_way_cut_drops_only_its_direction),
        cmocka_unit_test(link_delay_slows_messages_sent_while_it_lasts),
        cmocka_unit_test(wall_timer_fires_at_once_when_the_clock_jumps_past_it),
        cmocka_unit_test(fast_clock_brings_a_wall_deadline_sooner),
        cmocka_unit_test(slew_after_start_replans_the_wall_deadline),
        cmocka_unit_test(wall_timer_parked_in_a_pause_waits_for_its_deadline_after_a_backward_jump),
        cmocka_unit_test(wall_timer_parked_in_a_pause_fires_at_resume_when_its_clock_reads_past_it),
        cmocka_unit_test(message_that_reached_a_paused_node_is_delivered_on_resume_despite_a_later_partition),
        cmocka_unit_test(message_whose_link_is_down_when_it_reaches_a_paused_node_is_dropped),
        cmocka_unit_test(same_instant_messages_arrive_in_send_order),
        cmocka_unit_test(uniform_latency_keeps_a_link_fifo),
        cmocka_unit_test(loss_drops_about_its_rate),
        cmocka_unit_test(same_seed_gives_the_same_history_and_another_seed_does_not),
        cmocka_unit_test(exponential_latency_respects_its_floor),
        cmocka_unit_test(two_runs_of_a_seed_agree_and_give_the_runs_event_count_and_hash),
        cmocka_unit_test(two_runs_that_differ_name_the_first_diverging_event),
        cmocka_unit_test(failed_assertion_in_a_run_prints_seed_time_event_and_how_to_reproduce),
        cmocka_unit_test(failed_assertion_after_a_run_returned_prints_no_run_context),
        cmocka_unit_test(a_run_stops_at_its_event_budget_and_says_which),
        cmocka_unit_test(a_run_stops_when_its_trace_passes_its_budget),
        cmocka_unit_test(a_trace_line_is_time_node_and_text_and_a_model_line_is_cut_at_511_bytes),
        cmocka_unit_test(a_pause_at_the_largest_horizon_runs_to_the_end),
        cmocka_unit_test(the_largest_clocks_latencies_and_delays_do_not_wrap),
        cmocka_unit_test(reserved_room_reads_as_zeros_and_keeps_what_is_written),
    };
    return cmocka_run_group_tests_name("sim", tests, NULL, NULL);
}
