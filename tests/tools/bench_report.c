/* bench_report.c -- `make bench`: a run's phases, each timed on its own
 * (issue 17: reports that cost less than the simulation).
 *
 * Loads a scenario and runs it as `ccsim run` does, without the trace and
 * without gnuplot: the simulation (with the message log the timeline
 * needs), the checks,
 * the report files (summary.json, history.edn, story.txt) and the timeline
 * files (timeline.dat/.gp, latency.dat/.gp; gnuplot is not run), each into
 * OUTDIR.  Times are the process's CPU time (the machines are shared, and
 * CPU time is the steadier figure; all of it is one thread's, plus the
 * system time of writing the files).  Repeats RUNS times and prints each
 * phase's best as
 * `bench NAME_PHASE: VALUE UNIT`: the simulation per event, and the report
 * phases in seconds and per event.  Verdicts are printed too, so a broken
 * model cannot hide behind a fast one.
 *
 * usage: bench_report NAME SCENARIO.yaml OUTDIR [RUNS]
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "sim/check/check.h"
#include "sim/registry/registry.h"
#include "sim/report/plot.h"
#include "sim/report/report.h"
#include "sim/sim.h"

enum { PH_SIM, PH_CHECKS, PH_REPORT, PH_TIMELINE, PH_COUNT };

static const char *const phase_name[PH_COUNT] = { "sim", "checks", "report", "timeline" };

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct one_run {
    double t[PH_COUNT];
    uint64_t events;
    check_result results[SCN_CHECKS_MAX];
    size_t result_count;
} one_run;

static void judge(sim *run, one_run *o) {
    const char *names[SCN_CHECKS_MAX];
    uint32_t n = sim_check_names(run, names, SCN_CHECKS_MAX);
    sim_stats st = sim_get_stats(run);
    check_input in = { sim_history(run), sim_scenario(run), st.end_ns, false, check_cache_new() };
    for (uint32_t i = 0; i < n; i++) {
        const check_desc *c = check_find(names[i]);
        if (c == NULL) continue;
        o->results[o->result_count].name = c->name;
        c->run(&in, &o->results[o->result_count++]);
    }
    check_cache_free(in.cache);
}

static int write_all(const char *dir, const scn *s, sim *run, const plot_msgs *msgs, one_run *o) {
    sim_stats st = sim_get_stats(run);
    rpt_run r = { .s = sim_scenario(run), .h = sim_history(run), .seed = st.seed, .events = st.events,
                  .messages_sent = st.messages_sent, .messages_dropped = st.messages_dropped,
                  .end_ns = st.end_ns, .scenario_digest = rpt_file_digest(s->path),
                  .results = o->results, .result_count = o->result_count };
    char err[SIM_ERR_MAX];
    double t0 = now_s();
    if (rpt_write_dir(dir, &r, err, sizeof err) != 0) { fprintf(stderr, "%s\n", err); return -1; }
    double t1 = now_s();
    plot_run pr = { &r, msgs };
    if (plot_write(dir, &pr, err, sizeof err) != 0) { fprintf(stderr, "%s\n", err); return -1; }
    o->t[PH_REPORT] = t1 - t0;
    o->t[PH_TIMELINE] = now_s() - t1;
    return 0;
}

/* One run and its reports; 0, or -1 with the message printed. */
static int run_once(const scn *s, const char *dir, one_run *o) {
    char err[SIM_ERR_MAX];
    plot_msgs msgs;
    plot_msgs_init(&msgs);
    sim_options opt = { .on_message = plot_msgs_note, .on_message_ctx = &msgs };
    sim *run = NULL;
    int rc = -1;
    if (registry_sim_create(s, &opt, &run, err, sizeof err) != 0) { fprintf(stderr, "%s\n", err); goto out; }
    double t0 = now_s();
    if (sim_run(run, err, sizeof err) != 0) { fprintf(stderr, "%s\n", err); goto out; }
    double t1 = now_s();
    judge(run, o);
    o->t[PH_SIM] = t1 - t0;
    o->t[PH_CHECKS] = now_s() - t1;
    o->events = sim_get_stats(run).events;
    rc = write_all(dir, s, run, &msgs, o);
out:
    if (run) sim_destroy(run);
    plot_msgs_free(&msgs);
    return rc;
}

static void print_best(const char *name, const double *best, uint64_t events, int runs) {
    double ev = events > 0 ? (double)events : 1;
    printf("bench %s_sim: %.0f ns/event (CPU)\n", name, best[PH_SIM] * 1e9 / ev);
    for (int p = PH_CHECKS; p < PH_COUNT; p++)
        printf("bench %s_%s: %.3f s CPU (%.0f ns/event)\n", name, phase_name[p], best[p], best[p] * 1e9 / ev);
    printf("  %" PRIu64 " events; simulation %.3f s CPU, best of %d\n", events, best[PH_SIM], runs);
}

int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: bench_report NAME SCENARIO.yaml OUTDIR [RUNS]\n"); return 2; }
    int runs = argc > 4 ? atoi(argv[4]) : 3;
    if (runs < 1) runs = 1;
    static scn s;
    char err[SIM_ERR_MAX];
    if (scn_load(argv[2], &s, err, sizeof err) != 0) { fprintf(stderr, "%s\n", err); return 2; }
    double best[PH_COUNT];
    static one_run o;
    for (int i = 0; i < runs; i++) {
        for (size_t k = 0; k < o.result_count; k++) check_result_free(&o.results[k]);
        o.result_count = 0;
        if (run_once(&s, argv[3], &o) != 0) { scn_free(&s); return 2; }
        for (int p = 0; p < PH_COUNT; p++)
            if (i == 0 || o.t[p] < best[p]) best[p] = o.t[p];
    }
    print_best(argv[1], best, o.events, runs);
    printf("  checks:");
    for (size_t k = 0; k < o.result_count; k++)
        printf(" %s %s", o.results[k].name, check_verdict_name(o.results[k].verdict));
    printf("\n");
    for (size_t k = 0; k < o.result_count; k++) check_result_free(&o.results[k]);
    scn_free(&s);
    return 0;
}
