/* bench_family.c -- `make bench`: a family's bench scenario, its
 * simulation alone against a full run with its reports (issue 17: the
 * simulation at most 1 us per event, a run with reports at most 2x the
 * simulation alone).
 *
 * "sim": the run with nothing recorded beyond the history the checks need
 * (no trace, no message log).  "with_reports": the run as `ccsim run` does
 * it by default, gnuplot aside: the message log the timeline needs, the
 * trace when ccsim run keeps it by default (a run of at most
 * RPT_BIG_RUN_EVENTS events: the seed run again with its trace into
 * OUTDIR/trace.log; a bigger one keeps none), the checks, the report files
 * (summary.json, history.edn, story.txt) and the timeline's data and
 * scripts (timeline.dat/.gp, latency.dat/.gp).  Times are the process's CPU time
 * (the machines are shared and CPU time is the steadier figure; it includes
 * the system time of writing the files), the best of RUNS alternate runs of
 * each.  Prints
 *   bench NAME_sim: N ns/event
 *   bench NAME_with_reports: N ns/event
 *   bench NAME_reports_over_sim: R x (target <= 2)
 * then the events, the checks' verdicts (a broken model cannot hide behind
 * a fast one), the CPU seconds and the process's peak RSS.
 *
 * With --checks-only (for the million-transaction runs, whose trace would
 * be gigabytes): one run, the simulation then the checks, and
 *   bench NAME_sim: N ns/event
 *   bench NAME_sim_and_checks: S s (CPU)
 *   bench NAME_peak_rss: M MiB
 *
 * usage: bench_family NAME SCENARIO.yaml OUTDIR [RUNS] [--checks-only]
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sim/check/check.h"
#include "sim/memory.h"
#include "sim/cli/cli.h"
#include "sim/registry/registry.h"
#include "sim/report/plot.h"
#include "sim/report/report.h"
#include "sim/sim.h"

static double cpu_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct verdicts {
    check_result results[SCN_CHECKS_MAX];
    size_t count;
} verdicts;

static void verdicts_free(verdicts *v) {
    for (size_t k = 0; k < v->count; k++) check_result_free(&v->results[k]);
    v->count = 0;
}

static void judge(sim *run, verdicts *v) {
    const char *names[SCN_CHECKS_MAX];
    uint32_t n = sim_check_names(run, names, SCN_CHECKS_MAX);
    sim_stats st = sim_get_stats(run);
    check_input in = { sim_history(run), sim_scenario(run), st.end_ns, false, check_cache_new() };
    verdicts_free(v);
    for (uint32_t i = 0; i < n; i++) {
        const check_desc *c = check_find(names[i]);
        if (c == NULL) continue;
        v->results[v->count].name = c->name;
        c->run(&in, &v->results[v->count++]);
    }
    check_cache_free(in.cache);
}

/* The CPU seconds of a run with reports, by phase. */
enum { PH_SIM, PH_TRACE, PH_CHECKS, PH_REPORT, PH_TIMELINE, PH_COUNT };
static const char *const phase_name[PH_COUNT] = { "simulation+message log", "trace", "checks", "report files",
                                                  "timeline files" };

static int write_reports(const char *dir, const scn *s, sim *run, const plot_msgs *msgs, verdicts *v,
                         double *ph) {
    sim_stats st = sim_get_stats(run);
    rpt_run r = { .s = sim_scenario(run), .h = sim_history(run), .seed = st.seed, .events = st.events,
                  .messages_sent = st.messages_sent, .messages_dropped = st.messages_dropped,
                  .end_ns = st.end_ns, .scenario_digest = rpt_file_digest(s->path),
                  .results = v->results, .result_count = v->count };
    char err[SIM_ERR_MAX];
    double t0 = cpu_s();
    if (rpt_write_dir(dir, &r, err, sizeof err) != 0) { fprintf(stderr, "%s\n", err); return -1; }
    double t1 = cpu_s();
    plot_run pr = { &r, msgs };
    if (plot_write(dir, &pr, err, sizeof err) != 0) { fprintf(stderr, "%s\n", err); return -1; }
    ph[PH_REPORT] = t1 - t0;
    ph[PH_TIMELINE] = cpu_s() - t1;
    return 0;
}

/* The simulation alone: CPU seconds, or a negative number on error. */
static double sim_alone(const scn *s, uint64_t *events) {
    char err[SIM_ERR_MAX];
    sim_options opt = { 0 };
    sim *run = NULL;
    if (registry_sim_create(s, &opt, &run, err, sizeof err) != 0) { fprintf(stderr, "%s\n", err); return -1; }
    double t0 = cpu_s();
    int rc = sim_run(run, err, sizeof err);
    double t = cpu_s() - t0;
    if (rc != 0) fprintf(stderr, "%s\n", err);
    *events = sim_get_stats(run).events;
    sim_destroy(run);
    return rc == 0 ? t : -1;
}

/* The default trace: for a run of at most RPT_BIG_RUN_EVENTS events,
 * the seed again with its trace into dir/trace.log (as ccsim run); 0, or
 * -1 with the message printed. */
static int default_trace(const scn *s, const char *dir, uint64_t events) {
    if (rpt_big_run(events)) return 0;
    char path[1100];
    snprintf(path, sizeof path, "%s/trace.log", dir);
    FILE *trace = fopen(path, "w");
    if (trace == NULL) { fprintf(stderr, "%s: cannot write\n", path); return -1; }
    sim_options opt = { 0 };
    uint64_t again = 0;
    int rc = cli_trace_run(s, &opt, trace, &again);
    if (fclose(trace) != 0 && rc == 0) { fprintf(stderr, "%s: write error\n", path); return -1; }
    return rc == 0 ? 0 : -1;
}

/* A full run with its reports into dir: CPU seconds, or negative on error. */
static double with_reports(const scn *s, const char *dir, verdicts *v, uint64_t *events, double *ph) {
    char err[SIM_ERR_MAX];
    plot_msgs msgs;
    plot_msgs_init(&msgs);
    sim_options opt = { .on_message = plot_msgs_note, .on_message_ctx = &msgs };
    sim *run = NULL;
    double t = -1;
    if (registry_sim_create(s, &opt, &run, err, sizeof err) != 0) { fprintf(stderr, "%s\n", err); goto out; }
    if (rpt_mkdirs(dir) != 0) { fprintf(stderr, "%s: cannot create\n", dir); goto out; }
    double t0 = cpu_s();
    if (sim_run(run, err, sizeof err) != 0) { fprintf(stderr, "%s\n", err); goto out; }
    double t1 = cpu_s();
    *events = sim_get_stats(run).events;
    if (default_trace(s, dir, *events) != 0) goto out;
    double t2 = cpu_s();
    judge(run, v);
    double t3 = cpu_s();
    ph[PH_SIM] = t1 - t0;
    ph[PH_TRACE] = t2 - t1;
    ph[PH_CHECKS] = t3 - t2;
    if (write_reports(dir, s, run, &msgs, v, ph) == 0) t = cpu_s() - t0;
out:
    if (run) sim_destroy(run);
    plot_msgs_free(&msgs);
    return t;
}

static double peak_rss_mib(int who) {
    struct rusage ru;
    getrusage(who, &ru);
    return (double)ru.ru_maxrss / 1024.0;
}

/* One measured run, as a child process hands it back. */
typedef struct measure {
    int ok;
    double cpu;
    uint64_t events;
    double ph[PH_COUNT];
    uint32_t checks;
    const char *check[SCN_CHECKS_MAX];   /* static names: the same in parent and child */
    check_verdict verdict[SCN_CHECKS_MAX];
} measure;

/* Runs one measurement (the simulation alone, or with reports) in a child
 * process: a ccsim run is a process of its own, and in one process an
 * earlier run's freed memory changes how the next one's arrays grow
 * (glibc's mmap threshold rises), which made the second of two runs the
 * slower.  0, or -1 when the child failed (its message printed). */
static int measure_in_child(const scn *s, const char *dir, bool full, measure *m) {
    int fd[2];
    memset(m, 0, sizeof *m);
    fflush(NULL);
    if (pipe(fd) != 0) { perror("bench_family: pipe"); return -1; }
    pid_t pid = fork();
    if (pid < 0) { perror("bench_family: fork"); return -1; }
    if (pid == 0) {
        close(fd[0]);
        static verdicts v;
        measure r;
        memset(&r, 0, sizeof r);
        r.cpu = full ? with_reports(s, dir, &v, &r.events, r.ph) : sim_alone(s, &r.events);
        r.ok = r.cpu >= 0;
        for (size_t k = 0; k < v.count; k++) {
            r.check[r.checks] = v.results[k].name;
            r.verdict[r.checks++] = v.results[k].verdict;
        }
        ssize_t w = write(fd[1], &r, sizeof r);
        _exit(w == (ssize_t)sizeof r ? 0 : 2);
    }
    close(fd[1]);
    ssize_t got = read(fd[0], m, sizeof *m);
    close(fd[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    return got == (ssize_t)sizeof *m && m->ok && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static void print_figures(const char *name, double sim_s, const measure *full, uint64_t events, int runs) {
    double ev = events > 0 ? (double)events : 1;
    printf("bench %s_sim: %.0f ns/event\n", name, sim_s * 1e9 / ev);
    printf("bench %s_with_reports: %.0f ns/event\n", name, full->cpu * 1e9 / ev);
    printf("bench %s_reports_over_sim: %.2f x (target <= 2)\n", name, full->cpu / (sim_s > 0 ? sim_s : 1e-9));
    printf("  %" PRIu64 " events; CPU %.3f s simulation, %.3f s with reports (best of %d, each run its own "
           "process); peak RSS %.1f MiB\n", events, sim_s, full->cpu, runs, peak_rss_mib(RUSAGE_CHILDREN));
    printf("  with reports, by phase (the best run):");
    for (int p = 0; p < PH_COUNT; p++) printf("%s %s %.3f s", p ? "," : "", phase_name[p], full->ph[p]);
    printf("\n  checks:");
    for (uint32_t k = 0; k < full->checks; k++)
        printf(" %s %s", full->check[k], check_verdict_name(full->verdict[k]));
    printf("\n");
}

/* --checks-only: 0, or 2 with the message printed. */
static int checks_only(const char *name, const scn *s) {
    char err[SIM_ERR_MAX];
    sim_options opt = { 0 };
    sim *run = NULL;
    static verdicts v;
    if (registry_sim_create(s, &opt, &run, err, sizeof err) != 0) { fprintf(stderr, "%s\n", err); return 2; }
    double t0 = cpu_s();
    int rc = sim_run(run, err, sizeof err);
    double t1 = cpu_s();
    if (rc != 0) {
        fprintf(stderr, "%s\n", err);
        printf("bench %s_sim: failed after %.3f s CPU (%s)\n", name, t1 - t0, err);
        sim_destroy(run);
        return 2;
    }
    judge(run, &v);
    double t2 = cpu_s();
    uint64_t events = sim_get_stats(run).events;
    const hist *h = sim_history(run);
    printf("bench %s_sim: %.0f ns/event\n", name, (t1 - t0) * 1e9 / (double)(events ? events : 1));
    printf("bench %s_sim_and_checks: %.3f s (CPU)\n", name, t2 - t0);
    printf("bench %s_peak_rss: %.1f MiB\n", name, peak_rss_mib(RUSAGE_SELF));
    printf("  %" PRIu64 " events, %" PRIu32 " ops, %" PRIu32 " effects; simulation %.3f s, checks %.3f s\n", events,
           h->op_count, h->effect_count, t1 - t0, t2 - t1);
    printf("  checks:");
    for (size_t k = 0; k < v.count; k++)
        printf(" %s %s (%s)", v.results[k].name, check_verdict_name(v.results[k].verdict), v.results[k].summary);
    printf("\n");
    verdicts_free(&v);
    sim_destroy(run);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: bench_family NAME SCENARIO.yaml OUTDIR [RUNS] [--checks-only]\n");
        return 2;
    }
    sim_memory_tune();              /* as ccsim does: memory.h */
    int runs = argc > 4 ? atoi(argv[4]) : 3;
    if (runs < 1) runs = 1;
    static scn s;
    char err[SIM_ERR_MAX];
    if (scn_load(argv[2], &s, err, sizeof err) != 0) { fprintf(stderr, "%s\n", err); return 2; }
    if (argc > 5 && strcmp(argv[5], "--checks-only") == 0) {
        int code = checks_only(argv[1], &s);
        scn_free(&s);
        return code;
    }
    double best_sim = 0;
    measure alone, full, best_full;
    uint64_t events = 0;
    int rc = 0;
    for (int i = 0; i < runs && rc == 0; i++) {
        if (measure_in_child(&s, argv[3], false, &alone) != 0 || measure_in_child(&s, argv[3], true, &full) != 0) {
            rc = 2;
            break;
        }
        if (i == 0 || alone.cpu < best_sim) best_sim = alone.cpu;
        if (i == 0 || full.cpu < best_full.cpu) best_full = full;
        events = alone.events;
        if (alone.events != full.events) {
            fprintf(stderr, "bench_family: %s: %" PRIu64 " events alone, %" PRIu64 " with reports\n", argv[2],
                    alone.events, full.events);
            rc = 2;
        }
    }
    if (rc == 0) print_figures(argv[1], best_sim, &best_full, events, runs);
    scn_free(&s);
    return rc;
}
