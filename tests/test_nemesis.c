/* test_nemesis.c -- random faults drawn from the seed (sim/nemesis.h), and
 * fault lists written back as YAML (scn_fault_yaml).
 *
 * What a user relies on: the same seed draws the same faults; the faults
 * stay within the window and on the targets; swarm turns kinds off per
 * seed; and the list a run writes to faults.yaml, pasted back under
 * `faults:` without the nemesis, replays the run byte for byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sim/nemesis.h"
#include "test_run_support.h"

#define BASE \
    "name: nem\n" \
    "duration: 30s\n" \
    "protocol: setnx-lock\n" \
    "params: {ttl: 2s, release: compare-and-delete, fencing: false}\n" \
    "nodes: {redis: 1, client: [c1, c2, c3], storage: 1}\n" \
    "network: {latency: {uniform: [1ms, 3ms]}}\n" \
    "workload: {kind: lock-counter, clients: [c1, c2, c3], iterations: 40, hold: 200ms}\n" \
    "checks: [mutual-exclusion, lease-overlap, lost-update]\n"

static scn *load(const char *yaml) {
    char err[1024];
    scn *s = calloc(1, sizeof *s);
    assert_non_null(s);
    if (scn_load_buffer("nem.yaml", yaml, strlen(yaml), s, err, sizeof err) != 0)
        fail_msg("%s", err);
    return s;
}

static void unload(scn *s) {
    scn_free(s);
    free(s);
}

static scn *run_of(const scn *s, uint64_t seed) {
    scn *r = malloc(sizeof *r);
    assert_non_null(r);
    return nemesis_run_scenario(s, seed, r);
}

static bool same_faults(const scn *a, const scn *b) {
    if (a->fault_count != b->fault_count) return false;
    for (uint32_t i = 0; i < a->fault_count; i++) {
        char x[SCN_FAULT_YAML_MAX], y[SCN_FAULT_YAML_MAX];
        scn_fault_yaml(a, &a->faults[i], x, sizeof x);
        scn_fault_yaml(b, &b->faults[i], y, sizeof y);
        if (strcmp(x, y) != 0) return false;
    }
    return true;
}

static void a_seed_draws_the_same_faults_every_time(void **state) {
    (void)state;
    scn *s = load(BASE "nemesis: {every: 2s}\n");
    scn *a = run_of(s, 7), *b = run_of(s, 7), *c = run_of(s, 8);
    assert_true(nemesis_drawn_count(a) > 0);
    assert_true(same_faults(a, b));
    assert_false(same_faults(a, c));                 /* another seed, other faults */
    free(a); free(b); free(c);
    unload(s);
}

static void drawn_faults_start_within_the_window_and_hit_only_targets(void **state) {
    (void)state;
    scn *s = load(BASE "nemesis: {every: 1s, from: 5s, until: 20s, kinds: [pause, crash, "
                  "clock-jump, clock-rate], targets: [c2, redis1]}\n");
    int32_t c2 = scn_node_find(s, "c2"), redis1 = scn_node_find(s, "redis1");
    uint32_t drawn = 0;
    for (uint64_t seed = 1; seed <= 50; seed++) {
        scn *r = run_of(s, seed);
        for (uint32_t i = 0; i < r->fault_count; i++) {
            const scn_fault *f = &r->faults[i];
            assert_true(f->drawn);
            assert_true(f->node == c2 || f->node == redis1);
            assert_true(f->at_ns >= 5 * SIM_S);
            bool restore = f->kind == SCN_FAULT_CLOCK_RATE && i > 0;   /* the rate put back */
            assert_true(f->at_ns <= 20 * SIM_S || restore);
            assert_true(i == 0 || r->faults[i - 1].at_ns <= f->at_ns);    /* sorted */
            drawn++;
        }
        free(r);
    }
    assert_true(drawn > 100);                          /* about 15 per seed */
    unload(s);
}

static uint32_t kinds_drawn(const scn *r) {
    uint32_t bits = 0;
    for (uint32_t i = 0; i < r->fault_count; i++) bits |= 1u << r->faults[i].kind;
    return bits;
}

static void swarm_turns_kinds_off_for_some_seeds(void **state) {
    (void)state;
    scn *plain = load(BASE "nemesis: {every: 500ms, kinds: [pause, crash, clock-jump]}\n");
    scn *swarm = load(BASE "nemesis: {every: 500ms, kinds: [pause, crash, clock-jump], "
                      "swarm: true}\n");
    uint32_t all = 1u << SCN_FAULT_PAUSE | 1u << SCN_FAULT_CRASH | 1u << SCN_FAULT_CLOCK_JUMP;
    uint32_t partial = 0;
    for (uint64_t seed = 1; seed <= 20; seed++) {
        scn *a = run_of(plain, seed), *b = run_of(swarm, seed);
        assert_int_equal(kinds_drawn(a), all);      /* ~60 faults: every kind shows up */
        assert_int_not_equal(kinds_drawn(b), 0);    /* at least one kind is on */
        partial += kinds_drawn(b) != all;
        free(a); free(b);
    }
    assert_true(partial >= 10);                     /* 7/8 of seeds leave a kind out */
    unload(plain);
    unload(swarm);
}

/* The run's trace.log, as text. */
static char *trace_of(const scn *s, uint64_t seed) {
    FILE *f = tmpfile();
    assert_non_null(f);
    sim *one = NULL;
    char err[1024];
    sim_options opt = { .seed = seed, .seed_set = true, .trace = f };
    if (registry_sim_create(s, &opt, &one, err, sizeof err) != 0) fail_msg("%s", err);
    if (sim_run(one, err, sizeof err) != 0) fail_msg("%s", err);
    sim_destroy(one);
    return file_text(f);
}

/* BASE with the run scenario's faults written out under `faults:`. */
static char *pasted(const scn *r) {
    size_t cap = sizeof BASE + (size_t)(r->fault_count + 1) * SCN_FAULT_YAML_MAX;
    char *yaml = malloc(cap);
    assert_non_null(yaml);
    size_t used = (size_t)snprintf(yaml, cap, "%sfaults:\n", BASE);
    for (uint32_t i = 0; i < r->fault_count; i++) {
        char f[SCN_FAULT_YAML_MAX];
        scn_fault_yaml(r, &r->faults[i], f, sizeof f);
        used += (size_t)snprintf(yaml + used, cap - used, "  - %s\n", f);
    }
    assert_true(used < cap);
    return yaml;
}

static void the_fault_list_pasted_back_replays_the_run_exactly(void **state) {
    (void)state;
    scn *s = load(BASE "faults: [{at: 3s, pause: c1, for: 2500ms}]\n"
                  "nemesis: {every: 1500ms, for: {uniform: [10ms, 4s]}, swarm: true}\n");
    for (uint64_t seed = 1; seed <= 12; seed++) {
        scn *r = run_of(s, seed);
        assert_true(r->fault_count > 1);            /* the scripted pause and drawn ones */
        char *yaml = pasted(r);
        scn *back = load(yaml);
        assert_false(back->nemesis.on);
        assert_true(same_faults(r, back));
        char *want = trace_of(s, seed), *got = trace_of(back, seed);
        assert_string_equal(got, want);
        free(want); free(got); free(yaml); free(r);
        unload(back);
    }
    unload(s);
}

static void every_fault_kind_written_as_yaml_loads_back_the_same(void **state) {
    (void)state;
    scn *s = load(BASE
                  "faults:\n"
                  "  - {at: 1.5s, pause: c1, for: 250us}\n"
                  "  - {at: 2s, crash: redis1, for: 1m}\n"
                  "  - {at: 2s, crash: c2}\n"
                  "  - {at: 3s, restart: c2}\n"
                  "  - {at: 3s, power-loss: redis1, for: 1.5s}\n"
                  "  - {at: 3.5s, power-loss: c3}\n"
                  "  - {at: 4s, partition: [[c1, redis1], [c2]]}\n"
                  "  - {at: 5s, cut: {from: [c1, c2], to: storage1}, both: true}\n"
                  "  - {at: 6s, heal: all}\n"
                  "  - {at: 7s, clock: redis1, jump: -20.000000001s}\n"
                  "  - {at: 8s, clock: c3, rate: 1.020001}\n"
                  "  - {at: 9s, delay: {from: c1, to: [redis1, storage1]}, by: 15s, for: 1h}\n"
                  "  - {at: 10s, loss: {from: c3, to: redis1}, rate: 12.5%, for: 123ns}\n");
    char *yaml = pasted(s);
    scn *back = load(yaml);
    assert_int_equal(back->fault_count, s->fault_count);
    for (uint32_t i = 0; i < s->fault_count; i++) {
        scn_fault a = s->faults[i], b = back->faults[i];
        a.pos = b.pos = (scn_pos){0, 0};             /* where each was written differs */
        assert_memory_equal(&a, &b, offsetof(scn_fault, pos));
    }
    free(yaml);
    unload(back);
    unload(s);
}

static void the_nemesis_draws_power_losses_only_when_listed(void **state) {
    (void)state;
    scn *listed = load(BASE "nemesis: {every: 500ms, kinds: [power-loss, crash]}\n");
    scn *dflt = load(BASE "nemesis: {every: 500ms}\n");
    assert_int_equal(listed->nemesis.kinds, 1u << SCN_NEM_POWER_LOSS | 1u << SCN_NEM_CRASH);
    uint32_t power = 0;
    for (uint64_t seed = 1; seed <= 10; seed++) {
        scn *a = run_of(listed, seed), *b = run_of(dflt, seed);
        assert_int_equal(kinds_drawn(a), 1u << SCN_FAULT_POWER_LOSS | 1u << SCN_FAULT_CRASH);
        assert_int_equal(kinds_drawn(b) & 1u << SCN_FAULT_POWER_LOSS, 0);
        for (uint32_t i = 0; i < a->fault_count; i++) {
            const scn_fault *f = &a->faults[i];
            if (f->kind != SCN_FAULT_POWER_LOSS) continue;
            assert_true(f->for_ns > 0);                 /* it restarts, as a drawn crash */
            power++;
        }
        char *yaml = pasted(a);                           /* and faults.yaml says so */
        assert_non_null(strstr(yaml, "power-loss: "));
        scn *back = load(yaml);
        assert_true(same_faults(a, back));
        unload(back);
        free(yaml); free(a); free(b);
    }
    assert_true(power > 50);                            /* about 30 per seed */
    unload(listed);
    unload(dflt);
}

/* The network holds 64 link delays and loss bursts at once (SCN_DELAYS_MAX);
 * a nemesis that would draw more leaves the rest out instead of failing. */
static void the_nemesis_never_draws_more_link_faults_than_the_network_holds(void **state) {
    (void)state;
    scn *s = load(BASE "nemesis: {kinds: [delay, loss], every: 200ms, for: 40s}\n");
    scn *r = run_of(s, 3);
    uint32_t link = 0;
    for (uint32_t i = 0; i < r->fault_count; i++) {
        const scn_fault *f = &r->faults[i];
        assert_true(scn_link_faults_active(r->faults, i, f->at_ns) <= SCN_DELAYS_MAX);
        link += f->kind == SCN_FAULT_LINK_DELAY || f->kind == SCN_FAULT_LINK_LOSS;
    }
    assert_int_equal(link, SCN_DELAYS_MAX);         /* each lasts to the end: 64 at most */
    char *yaml = pasted(r);                           /* and the loader takes the list */
    unload(load(yaml));
    free(yaml);
    free(r);
    run ok = run_text(BASE "nemesis: {kinds: [delay, loss], every: 200ms, for: 40s}\n");
    run_free(&ok);
    unload(s);
}

/* A nemesis run judges itself by its copy of the scenario, freed with the
 * sim; the check names a caller keeps must outlive it (found by the first
 * VOPR under AddressSanitizer: sweep read them after sim_destroy). */
static void check_names_outlive_a_run_with_a_nemesis(void **state) {
    (void)state;
    scn *s = load(BASE "nemesis: {every: 2s}\n");
    sim *one = NULL;
    char err[1024];
    sim_options opt = { .seed = 1, .seed_set = true };
    if (registry_sim_create(s, &opt, &one, err, sizeof err) != 0) fail_msg("%s", err);
    const char *names[SCN_CHECKS_MAX];
    uint32_t n = sim_check_names(one, names, SCN_CHECKS_MAX);
    sim_destroy(one);
    assert_int_equal(n, 3);
    assert_string_equal(names[0], "mutual-exclusion");     /* read after the sim is gone */
    assert_string_equal(names[2], "lost-update");
    unload(s);
}

static void a_loss_burst_drops_messages_only_while_it_lasts(void **state) {
    (void)state;
    run quiet = run_text(BASE);
    run lossy = run_text(BASE "faults: [{at: 0s, loss: {from: redis1, to: [c1, c2, c3]}, "
                         "rate: 100%, for: 1s}]\n");
    assert_int_equal(sim_get_stats(quiet.sim).messages_dropped, 0);
    uint64_t dropped = sim_get_stats(lossy.sim).messages_dropped;
    assert_true(dropped > 0);
    for (uint32_t i = 0; i < lossy.h->op_count; i++) {   /* after the burst, replies arrive */
        const hist_op *op = &lossy.h->ops[i];
        if (op->invoke_ns > 2 * SIM_S) assert_int_not_equal(op->result, HIST_PENDING);
    }
    run_free(&quiet);
    run_free(&lossy);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_seed_draws_the_same_faults_every_time),
        cmocka_unit_test(drawn_faults_start_within_the_window_and_hit_only_targets),
        cmocka_unit_test(swarm_turns_kinds_off_for_some_seeds),
        cmocka_unit_test(the_fault_list_pasted_back_replays_the_run_exactly),
        cmocka_unit_test(every_fault_kind_written_as_yaml_loads_back_the_same),
        cmocka_unit_test(the_nemesis_draws_power_losses_only_when_listed),
        cmocka_unit_test(the_nemesis_never_draws_more_link_faults_than_the_network_holds),
        cmocka_unit_test(check_names_outlive_a_run_with_a_nemesis),
        cmocka_unit_test(a_loss_burst_drops_messages_only_while_it_lasts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
