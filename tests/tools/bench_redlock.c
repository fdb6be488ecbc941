/* bench_redlock.c -- `make bench`: a full Redlock workload (DESIGN.md 10).
 *
 * Loads a scenario (default tests/bench/redlock-5x10-1h.yaml: 5 masters, 10
 * clients, 1 hour), runs it RUNS times with no trace and no report, and
 * prints the best run's figures as `bench NAME: VALUE UNIT`: events per
 * wall second and simulated seconds per wall second (targets: > 1 000 000
 * and > 10 000), plus the history it kept.  The checks then run once, so a
 * broken model cannot hide behind a fast one: their verdicts are printed.
 *
 * usage: bench_redlock [SCENARIO.yaml] [RUNS]
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "sim/registry/registry.h"
#include "sim/check/check.h"
#include "sim/sim.h"

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One run; returns its wall seconds, or a negative number on error. */
static double run_once(const scn *s, sim **out) {
    char err[1024];
    sim_options opt = { 0 };
    if (registry_sim_create(s, &opt, out, err, sizeof err) != 0) { fprintf(stderr, "%s\n", err); return -1; }
    double t0 = now_s();
    if (sim_run(*out, err, sizeof err) != 0) { fprintf(stderr, "%s\n", err); return -1; }
    return now_s() - t0;
}

static void print_checks(const sim *run, const scn *s) {
    const char *names[16];
    uint32_t n = sim_check_names(run, names, 16);
    check_input in = { .h = sim_history(run), .s = s, .horizon_ns = s->duration_ns };
    printf("  checks:");
    for (uint32_t i = 0; i < n; i++) {
        const check_desc *c = check_find(names[i]);
        if (c == NULL) continue;
        check_result r;
        c->run(&in, &r);
        printf(" %s %s", names[i], check_verdict_name(r.verdict));
        check_result_free(&r);
    }
    printf("\n");
}

int main(int argc, char **argv) {
    const char *path = argc > 1 ? argv[1] : "tests/bench/redlock-5x10-1h.yaml";
    int runs = argc > 2 ? atoi(argv[2]) : 3;
    if (runs < 1) runs = 1;
    static scn s;
    char err[1024];
    if (scn_load(path, &s, err, sizeof err) != 0) { fprintf(stderr, "%s\n", err); return 2; }
    double best = -1;
    sim *keep = NULL;
    for (int i = 0; i < runs; i++) {
        sim *run = NULL;
        double t = run_once(&s, &run);
        if (t < 0) { if (run) sim_destroy(run); scn_free(&s); return 2; }
        if (best < 0 || t < best) {
            best = t;
            if (keep) sim_destroy(keep);
            keep = run;
        } else {
            sim_destroy(run);
        }
    }
    sim_stats st = sim_get_stats(keep);
    const hist *h = sim_history(keep);
    double sim_s = (double)st.end_ns / 1e9;
    printf("bench redlock_events_per_s: %.0f events/s\n", (double)st.events / best);
    printf("bench redlock_sim_s_per_wall_s: %.0f sim-s/s\n", sim_s / best);
    printf("  %" PRIu64 " events, %.0f s simulated in %.3f s wall (best of %d); history %u ops, "
           "%u effects (%.1f MiB)\n", st.events, sim_s, best, runs, h->op_count, h->effect_count,
           ((double)h->op_count * sizeof(hist_op) + (double)h->effect_count * sizeof(hist_effect)) /
               (1024.0 * 1024.0));
    print_checks(keep, &s);
    sim_destroy(keep);
    scn_free(&s);
    return 0;
}
