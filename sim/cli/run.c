/* run.c -- `ccsim run FILE.yaml`: one run, its verdicts, its story, its report.
 *
 * The report directory (default reports/NAME/seed-N/) is written whole or
 * not at all: trace.log streams to trace.log.tmp and is renamed at the end,
 * the others are written by report.c the same way.  Wall time is printed
 * for people and never written to a report file (same seed, same bytes).
 */
#include "sim/cli/cli.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim/report/plot.h"
#include "sim/registry/registry.h"
#include "sim/report/report.h"

static double wall_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int cli_judge(sim *run, cli_outcome *o) {
    SIM_ASSERT(run != NULL);
    SIM_ASSERT(o != NULL);
    memset(o, 0, sizeof *o);
    char err[SIM_ERR_MAX];
    double t0 = wall_seconds();
    if (sim_run(run, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return SIM_EXIT_INPUT;
    }
    o->wall_s = wall_seconds() - t0;
    o->stats = sim_get_stats(run);
    const char *names[SCN_CHECKS_MAX];
    uint32_t n = sim_check_names(run, names, SCN_CHECKS_MAX);
    check_input in = { sim_history(run), sim_scenario(run), o->stats.end_ns };
    for (uint32_t i = 0; i < n; i++) {
        const check_desc *c = check_find(names[i]);
        SIM_ASSERT(c != NULL);                    /* registry_sim_create validated the names */
        o->results[i].name = c->name;
        c->run(&in, &o->results[i]);
        o->result_count = i + 1;
    }
    return 0;
}

int cli_execute(const scn *s, const sim_options *opt, cli_outcome *o, sim **keep) {
    SIM_ASSERT(s != NULL);
    SIM_ASSERT(o != NULL);
    memset(o, 0, sizeof *o);
    char err[SIM_ERR_MAX];
    sim *run = NULL;
    if (registry_sim_create(s, opt, &run, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return SIM_EXIT_INPUT;
    }
    int rc = cli_judge(run, o);
    if (rc == 0 && keep) *keep = run; else sim_destroy(run);
    return rc;
}

void cli_outcome_free(cli_outcome *o) {
    SIM_ASSERT(o != NULL);
    SIM_ASSERT(o->result_count <= SCN_CHECKS_MAX);
    for (size_t i = 0; i < o->result_count; i++) check_result_free(&o->results[i]);
    o->result_count = 0;
}

int cli_exit_for(const cli_outcome *o) {
    SIM_ASSERT(o != NULL);
    SIM_ASSERT(o->result_count <= SCN_CHECKS_MAX);
    bool unknown = false;
    for (size_t i = 0; i < o->result_count; i++) {
        if (o->results[i].verdict == CHECK_VIOLATION) return SIM_EXIT_VIOLATION;
        if (o->results[i].verdict == CHECK_UNKNOWN) unknown = true;
    }
    return unknown ? SIM_EXIT_UNKNOWN : SIM_EXIT_OK;
}

typedef struct run_args {
    const char *file, *out;
    uint64_t seed;
    bool seed_set, no_plot, json, quiet;
    const char *sets[SCN_SETS_MAX];
    uint32_t set_count;
} run_args;

static void run_usage(FILE *f) {
    fputs("usage: ccsim run FILE.yaml [--seed N] [--set KEY=VALUE]... [--out DIR] [--no-plot]\n"
          "                 [--json] [-q]\n"
          "\n"
          "Runs one scenario to its horizon, judges it with its checks, prints a\n"
          "verdict line per check and the story of each violation, and writes the\n"
          "report directory (default reports/NAME/seed-N/): summary.json,\n"
          "history.edn, trace.log, story.txt, and the timeline (timeline.gp, its\n"
          "data timeline.dat, and timeline.png / timeline.svg drawn by gnuplot;\n"
          "latency.png too when the run has many operations).\n"
          "\n"
          "  --seed N          the root seed (default: the scenario's `seed:`)\n"
          "  --set KEY=VALUE   override a value of the file, as if written there:\n"
          "                    --set params.fencing=true  --set faults[0].for=5s\n"
          "                    --set duration=20s  --set workload.iterations=3\n"
          "  --out DIR         where to write the report\n"
          "  --no-plot         do not draw the timeline (nor write its files)\n"
          "  --json            print summary.json to stdout instead of the text\n"
          "  -q                print only the verdict lines\n"
          "\n"
          "exit: 0 all ok, 1 a violation, 3 an unknown and no violation, 2 bad input\n"
          "example: ccsim run scenarios/locks/L2-lease-gc-pause.yaml\n", f);
}

int cli_parse_seed(const char *text, uint64_t *out, char *why, size_t why_len) {
    SIM_ASSERT(out != NULL);
    SIM_ASSERT(why != NULL);
    if (text == NULL || !isdigit((unsigned char)text[0])) {   /* strtoull takes " -1" */
        snprintf(why, why_len, "needs a non-negative integer");
        return -1;
    }
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (*end != '\0') {
        snprintf(why, why_len, "needs a non-negative integer, not '%s'", text);
        return -1;
    }
    if (errno == ERANGE) {
        snprintf(why, why_len, "'%s' is too large (expected at most %" PRIu64 ")", text, UINT64_MAX);
        return -1;
    }
    *out = v;
    return 0;
}

static int parse_run_args(int argc, char **argv, run_args *a) {
    SIM_ASSERT(argc >= 1);
    SIM_ASSERT(a != NULL);
    memset(a, 0, sizeof *a);
    for (int i = 1; i < argc; i++) {
        const char *x = argv[i];
        if (strcmp(x, "--help") == 0 || strcmp(x, "-h") == 0) { run_usage(stdout); return 1; }
        else if (strcmp(x, "--seed") == 0) {
            char why[128];
            if (cli_parse_seed(i + 1 < argc ? argv[++i] : NULL, &a->seed, why, sizeof why) != 0) {
                fprintf(stderr, "ccsim run: --seed %s\n", why);
                return -1;
            }
            a->seed_set = true;
        } else if (strcmp(x, "--out") == 0) {
            if (i + 1 >= argc) { fprintf(stderr, "ccsim run: --out needs a directory\n"); return -1; }
            a->out = argv[++i];
        } else if (strcmp(x, "--set") == 0) {
            if (i + 1 >= argc) { fprintf(stderr, "ccsim run: --set needs KEY=VALUE, such as --set params.fencing=true\n"); return -1; }
            if (a->set_count == SCN_SETS_MAX) { fprintf(stderr, "ccsim run: more than %d --set options\n", SCN_SETS_MAX); return -1; }
            a->sets[a->set_count++] = argv[++i];
        } else if (strcmp(x, "--no-plot") == 0) a->no_plot = true;
        else if (strcmp(x, "--json") == 0) a->json = true;
        else if (strcmp(x, "-q") == 0 || strcmp(x, "--quiet") == 0) a->quiet = true;
        else if (x[0] == '-') { fprintf(stderr, "ccsim run: unknown option '%s' (see ccsim run --help)\n", x); return -1; }
        else if (a->file) { fprintf(stderr, "ccsim run: one scenario file at a time (got '%s' and '%s')\n", a->file, x); return -1; }
        else a->file = x;
    }
    if (!a->file) { fprintf(stderr, "ccsim run: which scenario? (usage: ccsim run FILE.yaml)\n"); return -1; }
    return 0;
}

/* Prints text word-wrapped to 78 columns, each line indented by 10. */
static void print_wrapped(const char *text) {
    const int width = 68;
    int col = 0;
    const char *p = text;
    while (*p) {
        while (*p == ' ' || *p == '\n') p++;
        size_t n = strcspn(p, " \n");
        if (n == 0) break;
        if (col > 0 && col + 1 + (int)n > width) { printf("\n"); col = 0; }
        printf("%s%.*s", col == 0 ? "          " : " ", (int)n, p);
        col += (int)n + (col > 0);
        p += n;
    }
    if (col > 0) printf("\n");
}

static void print_header(const scn *s, const cli_outcome *o) {
    SIM_ASSERT(s != NULL);
    SIM_ASSERT(o != NULL);
    char sim_t[32];
    sim_fmt_time(sim_t, sizeof sim_t, o->stats.end_ns);
    printf("scenario  %s (%s)\n", s->name, s->path);
    print_wrapped(s->description);
    double rate = o->wall_s > 0 ? (double)o->stats.events / o->wall_s : 0.0;
    printf("seed      %" PRIu64 "\n", o->stats.seed);
    printf("events    %" PRIu64 " in %s simulated, %.3f s wall (%.0f events/s)\n",
           o->stats.events, sim_t, o->wall_s, rate);
}

static void print_verdicts(const cli_outcome *o, bool stories) {
    SIM_ASSERT(o != NULL);
    SIM_ASSERT(o->result_count <= SCN_CHECKS_MAX);
    for (size_t i = 0; i < o->result_count; i++) {
        const check_result *r = &o->results[i];
        printf("%-17s %-9s %s\n", r->name, check_verdict_name(r->verdict), r->summary);
    }
    if (!stories) return;
    for (size_t i = 0; i < o->result_count; i++) {
        const check_result *r = &o->results[i];
        if (r->verdict != CHECK_VIOLATION || !r->story) continue;
        printf("\nwhat happened (%s), in true time:\n%s", r->name, r->story);
        if (r->story[0] && r->story[strlen(r->story) - 1] != '\n') putchar('\n');
    }
}

static void default_out(const scn *s, uint64_t seed, char *buf, size_t len) {
    SIM_ASSERT(s != NULL);
    SIM_ASSERT(len > 0);
    snprintf(buf, len, "reports/%s/seed-%" PRIu64, s->name, seed);
}

static rpt_run report_of(const scn *s, const sim *run, const cli_outcome *o) {
    SIM_ASSERT(s != NULL);
    SIM_ASSERT(run != NULL);
    rpt_run r = { .s = sim_scenario(run),          /* with the faults a nemesis drew */
                  .h = sim_history(run), .seed = o->stats.seed, .events = o->stats.events,
                  .messages_sent = o->stats.messages_sent,
                  .messages_dropped = o->stats.messages_dropped, .end_ns = o->stats.end_ns,
                  .scenario_digest = rpt_file_digest(s->path), .results = o->results,
                  .result_count = o->result_count };
    return r;
}

static int write_reports(const char *dir, const scn *s, const sim *run, const cli_outcome *o) {
    SIM_ASSERT(dir != NULL);
    SIM_ASSERT(run != NULL);
    rpt_run r = report_of(s, run, o);
    char err[SIM_ERR_MAX];
    if (rpt_write_dir(dir, &r, err, sizeof err) != 0) {
        fprintf(stderr, "ccsim run: %s\n", err);
        return -1;
    }
    return 0;
}

int cli_plot_run(const char *dir, const plot_run *pr, const char *who) {
    SIM_ASSERT(dir != NULL);
    SIM_ASSERT(pr != NULL);
    char err[SIM_ERR_MAX];
    if (plot_write(dir, pr, err, sizeof err) != 0) {
        fprintf(stderr, "%s: %s\n", who, err);
        return -1;
    }
    char why[1200];
    if (plot_draw(dir, "timeline.gp", why, sizeof why) != PLOT_DRAWN) {
        fprintf(stderr, "%s: %s\n", who, why);
        return 1;
    }
    if (pr->run->h->op_count >= PLOT_LATENCY_OPS_MIN &&
        plot_draw(dir, "latency.gp", why, sizeof why) != PLOT_DRAWN) {
        fprintf(stderr, "%s: %s\n", who, why);
        return 1;
    }
    return 0;
}

void cli_print_sets(const scn *s) {
    SIM_ASSERT(s != NULL);
    SIM_ASSERT(s->set_count <= SCN_SETS_MAX);
    for (uint32_t k = 0; k < s->set_count; k++) {
        printf(" --set '");
        for (const char *p = s->sets[k]; *p; p++) {
            if (*p == '\'') fputs("'\\''", stdout);
            else putchar(*p);
        }
        putchar('\'');
    }
}

static void print_outcome(const scn *s, const run_args *a, const char *dir, const sim *run,
                          const cli_outcome *o, int code, int drawn) {
    if (a->json) {
        rpt_run r = report_of(s, run, o);
        rpt_write_summary_json(stdout, &r);
        return;
    }
    if (!a->quiet) print_header(s, o);
    print_verdicts(o, !a->quiet);
    if (a->quiet) return;
    printf("\nreport    %s/\n", dir);
    if (drawn == 0) {
        printf("timeline  %s/timeline.png (and .svg)\n", dir);
        if (sim_history(run)->op_count >= PLOT_LATENCY_OPS_MIN)
            printf("latency   %s/latency.png (and .svg)\n", dir);
    }
    if (code == SIM_EXIT_VIOLATION) {
        printf("reproduce ccsim run %s --seed %" PRIu64, s->path, o->stats.seed);
        cli_print_sets(s);
        putchar('\n');
    }
}

static FILE *open_trace(const char *dir, char *tmp, size_t len) {
    SIM_ASSERT(dir != NULL);
    SIM_ASSERT(len > 0);
    if (rpt_mkdirs(dir) != 0) {
        fprintf(stderr, "ccsim run: cannot create report directory '%s': %s\n", dir, strerror(errno));
        return NULL;
    }
    snprintf(tmp, len, "%s/trace.log.tmp", dir);
    FILE *f = fopen(tmp, "w");
    if (!f) fprintf(stderr, "ccsim run: cannot write '%s': %s\n", tmp, strerror(errno));
    return f;
}

static int finish_trace(FILE *f, const char *tmp, const char *dir, bool keep) {
    SIM_ASSERT(tmp != NULL);
    SIM_ASSERT(dir != NULL);
    bool ok = fflush(f) == 0 && !ferror(f);
    fclose(f);
    if (!keep || !ok) { remove(tmp); return ok ? 0 : -1; }
    char final[1200];
    snprintf(final, sizeof final, "%s/trace.log", dir);
    if (rename(tmp, final) != 0) {
        fprintf(stderr, "ccsim run: cannot write '%s': %s\n", final, strerror(errno));
        return -1;
    }
    return 0;
}

/* Creates the run (input errors leave no report behind), then streams the
 * trace into the report directory while it runs. */
static int run_and_report(const scn *s, const run_args *a, const char *dir) {
    SIM_ASSERT(s != NULL);
    SIM_ASSERT(a != NULL);
    plot_msgs msgs;
    plot_msgs_init(&msgs);
    sim_options opt = { .seed = a->seed, .seed_set = a->seed_set, .trace = NULL,
                        .on_message = a->no_plot ? NULL : plot_msgs_note, .on_message_ctx = &msgs };
    char err[SIM_ERR_MAX], tmp[1200];
    sim *run = NULL;
    if (registry_sim_create(s, &opt, &run, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return SIM_EXIT_INPUT;
    }
    FILE *trace = open_trace(dir, tmp, sizeof tmp);
    if (!trace) { sim_destroy(run); plot_msgs_free(&msgs); return SIM_EXIT_INPUT; }
    sim_set_trace(run, trace);
    cli_outcome o;
    int code = cli_judge(run, &o);
    bool ok = code == 0 && write_reports(dir, s, run, &o) == 0;
    if (finish_trace(trace, tmp, dir, ok) != 0) ok = false;
    int drawn = 1;
    if (ok && a->no_plot) {                 /* no older run's picture left behind */
        plot_remove(dir, "timeline");
        plot_remove(dir, "latency");
    } else if (ok) {
        rpt_run r = report_of(s, run, &o);
        plot_run pr = { &r, &msgs };
        drawn = cli_plot_run(dir, &pr, "ccsim run");
        ok = drawn >= 0;
    }
    if (ok) {
        code = cli_exit_for(&o);
        print_outcome(s, a, dir, run, &o, code, drawn);
    } else {
        code = SIM_EXIT_INPUT;
    }
    cli_outcome_free(&o);
    sim_destroy(run);
    plot_msgs_free(&msgs);
    return code;
}

int cli_run(int argc, char **argv) {
    SIM_ASSERT(argc >= 1);
    SIM_ASSERT(argv != NULL);
    run_args a;
    int pr = parse_run_args(argc, argv, &a);
    if (pr != 0) return pr > 0 ? SIM_EXIT_OK : SIM_EXIT_INPUT;
    scn *s = sim_xcalloc(1, sizeof *s);
    char err[SIM_ERR_MAX];
    if (scn_load_with_overrides(a.file, a.sets, a.set_count, s, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        free(s);
        return SIM_EXIT_INPUT;
    }
    char dir[1024];
    uint64_t seed = a.seed_set ? a.seed : s->seed;
    if (a.out) snprintf(dir, sizeof dir, "%s", a.out); else default_out(s, seed, dir, sizeof dir);
    int code = run_and_report(s, &a, dir);
    scn_free(s);
    free(s);
    return code;
}
