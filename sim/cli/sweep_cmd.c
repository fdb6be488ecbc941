/* sweep_cmd.c -- the `ccsim sweep` command line: options, the scenarios
 * loaded once each, their sweeps (sweep.c), the reports of the first
 * failing seeds, the table and the files (sweep_out.c); and --merge.
 *
 * Files: DIR (--out, default reports/sweep) gets sweep.json and, for the
 * first --reports failing seeds of each scenario (by seed), the report
 * `ccsim run` writes, in DIR/NAME/seed-S/ (each by a child process, like
 * the seeds themselves).  A sweep writes no other report.
 */
#include "sim/cli/sweep.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sim/report/report.h"

#define SWEEP_FILES_MAX 256

typedef struct sweep_args {
    const char *files[SWEEP_FILES_MAX];
    uint32_t file_count;
    const char *out, *junit;
    const char *sets[SCN_SETS_MAX];
    uint32_t set_count;
    uint32_t reports;            /* failing seeds given a report, per scenario */
    bool seeds_set, merge, no_plot, no_trace;
    sweep_plan plan;
} sweep_args;

static void sweep_usage(FILE *f) {
    fputs("usage: ccsim sweep FILE.yaml... --seeds A..B [--jobs J] [--shard K/N] [--out DIR]\n"
          "                   [--check NAME]... [--ignore-expect] [--show N] [--reports N]\n"
          "                   [--no-plot] [--no-trace] [--set KEY=VALUE]... [--junit FILE]\n"
          "                   [--verify P%]\n"
          "       ccsim sweep --merge SWEEP.json... [--out DIR] [--junit FILE]\n"
          "\n"
          "Runs each scenario once per seed from A to B (both included) in J worker\n"
          "processes, exactly as `ccsim run FILE --seed S` would, and tallies each\n"
          "check's verdicts.  The output does not depend on J.  It ends with a table\n"
          "per scenario (seeds ok / violation / unknown per check), the failing seeds\n"
          "with each failing check's one-line summary and the command that replays\n"
          "the seed, and writes DIR/sweep.json (docs/sweeps.md has its schema).\n"
          "\n"
          "A seed fails when a check's verdict differs from the scenario's `expect:`\n"
          "for it, or, for a check `expect:` does not name, when it is a violation.\n"
          "\n"
          "  --seeds A..B      the seeds, such as 1..10000\n"
          "  --jobs J          worker processes (default: the number of online CPUs)\n"
          "  --shard K/N       run only seeds A+K, A+K+N, A+K+2N, ... (K from 0 to N-1),\n"
          "                    to split one sweep across machines: GNU parallel, a Slurm\n"
          "                    array ($SLURM_ARRAY_TASK_ID), a Kubernetes Indexed Job\n"
          "                    ($JOB_COMPLETION_INDEX); then --merge their sweep.json\n"
          "  --out DIR         where sweep.json and reports go (default reports/sweep)\n"
          "  --check NAME      judge only this check (repeatable); the others are counted\n"
          "  --ignore-expect   fail a seed on any violation, whatever `expect:` says\n"
          "  --verify P%       determinism self-check: run P% of the seeds (a fixed pick\n"
          "                    by seed) twice first and compare their event streams; a\n"
          "                    difference is a bug in ccsim: the seed is listed as one\n"
          "                    that crashed ccsim, with its first diverging event\n"
          "  --show N          list the first N failing seeds by seed (default 20; 0 = all)\n"
          "  --reports N       write `ccsim run`'s report for the first N failing seeds of\n"
          "                    each scenario, in DIR/NAME/seed-S/ (default 3)\n"
          "  --no-plot         those reports without the timeline (no gnuplot)\n"
          "  --no-trace        those reports without trace.log (ccsim trace DIR writes it)\n"
          "  --set KEY=VALUE   override a value of every file, as `ccsim run --set`\n"
          "  --junit FILE      also write JUnit XML: one test case per check\n"
          "  --merge           combine shards' sweep.json files (all N shards of one\n"
          "                    sweep): prints and writes what the whole sweep would\n"
          "\n"
          "exit: 0 no seed failed, 1 a seed failed, 3 an unknown verdict and no failure,\n"
          "      2 bad input (or a seed that could not run: a bound was hit),\n"
          "      4 ccsim itself crashed on a seed (a bug: the seed and command are shown)\n"
          "examples:\n"
          "  ccsim sweep scenarios/locks/L2-lease-gc-pause.yaml --seeds 1..10000\n"
          "  ccsim sweep scenarios/locks/L4-fencing-token-gc-pause.yaml --seeds 1..100000 \\\n"
          "        --shard 0/4 --out out/shard-0     (and 1/4, 2/4, 3/4 elsewhere), then\n"
          "  ccsim sweep --merge out/shard-*/sweep.json --out out/all\n", f);
}

static int parse_count(const char *opt, const char *text, uint32_t min, uint32_t *out) {
    uint64_t v = 0;
    char why[128];
    if (cli_parse_seed(text, &v, why, sizeof why) != 0 || v < min || v > UINT32_MAX) {
        fprintf(stderr, "ccsim sweep: %s needs a whole number from %" PRIu32 " (got '%s')\n", opt, min,
                text ? text : "");
        return -1;
    }
    *out = (uint32_t)v;
    return 0;
}

static uint32_t online_cpus(void) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n >= 1 ? (uint32_t)n : 1;
}

/* One option at argv[*i]: 0 taken, 1 --help, -1 error. */
static int parse_option(int argc, char **argv, int *i, sweep_args *a) {
    const char *x = argv[*i], *v = *i + 1 < argc ? argv[*i + 1] : NULL;
    char why[256];
    sweep_plan *p = &a->plan;
    if (strcmp(x, "--help") == 0 || strcmp(x, "-h") == 0) { sweep_usage(stdout); return 1; }
    if (strcmp(x, "--merge") == 0) { a->merge = true; return 0; }
    if (strcmp(x, "--ignore-expect") == 0) { p->ignore_expect = true; return 0; }
    if (strcmp(x, "--no-plot") == 0) { a->no_plot = true; return 0; }
    if (strcmp(x, "--no-trace") == 0) { a->no_trace = true; return 0; }
    bool valued = strcmp(x, "--seeds") == 0 || strcmp(x, "--shard") == 0 || strcmp(x, "--jobs") == 0 ||
                  strcmp(x, "--out") == 0 || strcmp(x, "--junit") == 0 || strcmp(x, "--check") == 0 ||
                  strcmp(x, "--show") == 0 || strcmp(x, "--reports") == 0 || strcmp(x, "--set") == 0 ||
                  strcmp(x, "--verify") == 0;
    if (!valued) { fprintf(stderr, "ccsim sweep: unknown option '%s' (see ccsim sweep --help)\n", x); return -1; }
    if (!v || strncmp(v, "--", 2) == 0) { fprintf(stderr, "ccsim sweep: %s needs a value (see ccsim sweep --help)\n", x); return -1; }
    (*i)++;
    if (strcmp(x, "--seeds") == 0) {
        if (sweep_parse_seeds(v, &p->range, why, sizeof why) != 0) { fprintf(stderr, "ccsim sweep: --seeds %s\n", why); return -1; }
        a->seeds_set = true;
    } else if (strcmp(x, "--shard") == 0) {
        if (sweep_parse_shard(v, &p->range, why, sizeof why) != 0) { fprintf(stderr, "ccsim sweep: --shard %s\n", why); return -1; }
    } else if (strcmp(x, "--jobs") == 0) return parse_count(x, v, 1, &p->jobs);
    else if (strcmp(x, "--show") == 0) return parse_count(x, v, 0, &p->show);
    else if (strcmp(x, "--reports") == 0) return parse_count(x, v, 0, &a->reports);
    else if (strcmp(x, "--verify") == 0) {
        if (scn_parse_rate(v, &p->verify_ppm, why, sizeof why) != 0) {
            fprintf(stderr, "ccsim sweep: --verify %s (a share of the seeds, such as 1%%)\n", why);
            return -1;
        }
    }
    else if (strcmp(x, "--out") == 0) a->out = v;
    else if (strcmp(x, "--junit") == 0) a->junit = v;
    else if (strcmp(x, "--check") == 0) {
        if (p->only_count == SCN_CHECKS_MAX) { fprintf(stderr, "ccsim sweep: more than %d --check options\n", SCN_CHECKS_MAX); return -1; }
        p->only[p->only_count++] = v;
    } else {
        if (a->set_count == SCN_SETS_MAX) { fprintf(stderr, "ccsim sweep: more than %d --set options\n", SCN_SETS_MAX); return -1; }
        a->sets[a->set_count++] = v;
    }
    return 0;
}

static int check_args(sweep_args *a) {
    if (a->file_count == 0) {
        fprintf(stderr, a->merge ? "ccsim sweep --merge: which sweep.json files? (usage: ccsim sweep --merge SWEEP.json...)\n"
                                 : "ccsim sweep: which scenarios? (usage: ccsim sweep FILE.yaml... --seeds A..B)\n");
        return -1;
    }
    if (a->merge) {
        bool sweep_only = a->seeds_set || a->plan.range.shards != 1 || a->plan.only_count || a->set_count ||
                          a->plan.ignore_expect || a->no_plot || a->no_trace || a->plan.jobs ||
                          a->plan.verify_ppm;
        if (sweep_only) { fprintf(stderr, "ccsim sweep --merge: takes only --out and --junit (the shards' options are in their files)\n"); return -1; }
        return 0;
    }
    if (!a->seeds_set) { fprintf(stderr, "ccsim sweep: which seeds? (--seeds A..B, such as --seeds 1..1000)\n"); return -1; }
    if (a->plan.jobs == 0) a->plan.jobs = online_cpus();
    return 0;
}

static int parse_sweep_args(int argc, char **argv, sweep_args *a) {
    SIM_ASSERT(argc >= 1);
    SIM_ASSERT(a != NULL);
    memset(a, 0, sizeof *a);
    a->plan.range.shards = 1;
    a->plan.show = 20;
    a->reports = 3;
    a->out = "reports/sweep";
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-') {
            int rc = parse_option(argc, argv, &i, a);
            if (rc != 0) return rc;
        } else if (a->file_count == SWEEP_FILES_MAX) {
            fprintf(stderr, "ccsim sweep: more than %d files\n", SWEEP_FILES_MAX);
            return -1;
        } else {
            a->files[a->file_count++] = argv[i];
        }
    }
    return check_args(a);
}

/* One failing seed's report, written by a child process: the seed ran to
 * the end in a worker, but a report takes paths a sweep does not (the
 * trace, the timeline), and a crash there must not lose sweep.json.
 * Returns 0, SIM_EXIT_INPUT (not written; the message is on stderr) or
 * SWEEP_EXIT_INTERNAL (the child crashed). */
static int report_seed(const scn *s, const sweep_args *a, const sweep_tally *t, uint64_t seed,
                       const char *dir) {
    SIM_ASSERT(s != NULL);
    SIM_ASSERT(t != NULL);
    SIM_ASSERT(dir != NULL);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) { fprintf(stderr, "ccsim sweep: fork: %s\n", strerror(errno)); return SIM_EXIT_INPUT; }
    if (pid == 0) {
        cli_report_opts ro = { .seed = seed, .seed_set = true, .no_plot = a->no_plot,
                               .no_trace = a->no_trace };
        cli_outcome o;
        sim *run = NULL;
        int drawn = 1;
        _exit(cli_run_into(s, &ro, dir, &o, &run, &drawn) == 0 ? 0 : SIM_EXIT_INPUT);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    if (WIFEXITED(status)) return WEXITSTATUS(status) == 0 ? 0 : SIM_EXIT_INPUT;
    fprintf(stderr, "ccsim sweep: ccsim crashed writing the report of seed %" PRIu64 " (signal %d); "
                    "reproduce: ccsim run %s --seed %" PRIu64 "%s\n",
            seed, WIFSIGNALED(status) ? WTERMSIG(status) : -1, t->path, seed, t->sets);
    return SWEEP_EXIT_INTERNAL;
}

/* Reports for the first a->reports failing seeds.  Returns the worst of
 * report_seed's results. */
static int write_seed_reports(const scn *s, const sweep_args *a, const sweep_tally *t, bool *any) {
    SIM_ASSERT(s != NULL);
    SIM_ASSERT(t != NULL);
    SIM_ASSERT(any != NULL);
    int worst = 0;
    for (size_t i = 0; i < t->listed.count && i < a->reports; i++) {
        char dir[2048];
        uint64_t seed = t->listed.items[i].seed;
        snprintf(dir, sizeof dir, "%s/%s/seed-%" PRIu64, a->out, s->name, seed);
        int rc = report_seed(s, a, t, seed, dir);
        if (rc == SWEEP_EXIT_INTERNAL || (rc != 0 && worst == 0)) worst = rc;
        if (rc != 0) continue;
        if (!*any) printf("\n");
        printf("report    %s/\n", dir);
        *any = true;
    }
    return worst;
}

static double wall_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Loads every file before any runs (s[i] stays NULL when it fails). */
static int load_all(const sweep_args *a, scn **s, sweep_tally *t) {
    char err[SIM_ERR_MAX];
    for (uint32_t i = 0; i < a->file_count; i++) {
        scn *one = sim_xcalloc(1, sizeof *one);
        if (scn_load_with_overrides(a->files[i], a->sets, a->set_count, one, err, sizeof err) != 0) {
            fprintf(stderr, "%s\n", err);
            free(one);
            return -1;
        }
        s[i] = one;
        if (sweep_tally_init(&t[i], one, &a->plan, err, sizeof err) != 0) {
            fprintf(stderr, "%s\n", err);
            return -1;
        }
    }
    return 0;
}

static int files_out(const sweep_args *a, const sweep_range *r, const sweep_tally *t, size_t n) {
    char path[2048];
    snprintf(path, sizeof path, "%s/sweep.json", a->out);
    if (rpt_mkdirs(a->out) != 0) { fprintf(stderr, "ccsim sweep: cannot create '%s'\n", a->out); return -1; }
    if (sweep_write_json(path, r, &a->plan, t, n) != 0) return -1;
    printf("\nsweep.json %s\n", path);
    if (a->junit && sweep_write_junit(a->junit, r, t, n) != 0) return -1;
    return 0;
}

static int run_sweeps(sweep_args *a) {
    scn **s = sim_xcalloc(a->file_count, sizeof *s);
    sweep_tally *t = sim_xcalloc(a->file_count, sizeof *t);
    a->plan.progress = isatty(STDERR_FILENO);
    int rc = load_all(a, s, t) == 0 ? 0 : SIM_EXIT_INPUT;
    double t0 = wall_now();
    uint64_t seeds = 0;
    for (uint32_t i = 0; i < a->file_count && rc == 0; i++) {
        if (sweep_scenario(s[i], &a->plan, &t[i]) != 0) rc = SIM_EXIT_INPUT;
        seeds += sweep_range_count(&a->plan.range);
        if (rc == 0) sweep_print(stdout, &a->plan.range, &t[i], 1);
        if (i + 1 < a->file_count) printf("\n");
        fflush(stdout);
    }
    if (rc == 0 && a->plan.progress) {
        double wall = wall_now() - t0;
        fprintf(stderr, "%" PRIu64 " seeds in %.2f s wall (%.0f seeds/s, %" PRIu32 " jobs)\n", seeds, wall,
                wall > 0 ? (double)seeds / wall : 0.0, a->plan.jobs);
    }
    bool any = false;
    int reports = 0;                     /* the worst report's result */
    for (uint32_t i = 0; i < a->file_count && rc == 0; i++) {
        int one = write_seed_reports(s[i], a, &t[i], &any);
        if (one == SWEEP_EXIT_INTERNAL || (one != 0 && reports == 0)) reports = one;
    }
    if (rc == 0 && files_out(a, &a->plan.range, t, a->file_count) != 0) rc = SIM_EXIT_INPUT;
    if (rc == 0) rc = sweep_exit_code(t, a->file_count);
    if (reports == SWEEP_EXIT_INTERNAL || (reports != 0 && rc != SWEEP_EXIT_INTERNAL)) rc = reports;
    for (uint32_t i = 0; i < a->file_count; i++) {
        sweep_tally_free(&t[i]);
        if (s[i]) scn_free(s[i]);
        free(s[i]);
    }
    free(s);
    free(t);
    return rc;
}

static int run_merge(sweep_args *a) {
    sweep_range r;
    sweep_tally *t = NULL;
    size_t n = 0;
    int rc = sweep_merge(a->files, a->file_count, &r, &a->plan, &t, &n);
    if (rc == 0) {
        sweep_print(stdout, &r, t, n);
        rc = files_out(a, &r, t, n) == 0 ? sweep_exit_code(t, n) : SIM_EXIT_INPUT;
    }
    for (size_t i = 0; i < n; i++) sweep_tally_free(&t[i]);
    free(t);
    return rc;
}

int cli_sweep(int argc, char **argv) {
    SIM_ASSERT(argc >= 1);
    SIM_ASSERT(argv != NULL);
    sweep_args a;
    int pr = parse_sweep_args(argc, argv, &a);
    if (pr != 0) return pr > 0 ? SIM_EXIT_OK : SIM_EXIT_INPUT;
    return a.merge ? run_merge(&a) : run_sweeps(&a);
}
