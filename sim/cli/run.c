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
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sim/report/plot.h"
#include "sim/registry/registry.h"
#include "sim/report/report.h"
#include "sim/check/story.h"

static double wall_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int cli_judge_err(sim *run, cli_outcome *o, bool no_story, char *err, size_t err_len) {
    SIM_ASSERT(run != NULL);
    SIM_ASSERT(o != NULL);
    memset(o, 0, sizeof *o);
    double t0 = wall_seconds();
    int rc = sim_run(run, err, err_len);
    if (rc != 0) return rc == SIM_RUN_OVER_BUDGET ? SIM_EXIT_BUDGET : SIM_EXIT_INPUT;
    o->wall_s = wall_seconds() - t0;
    o->stats = sim_get_stats(run);
    sim_outcome(run, o->outcome, sizeof o->outcome);
    const char *names[SCN_CHECKS_MAX];
    uint32_t n = sim_check_names(run, names, SCN_CHECKS_MAX);
    check_input in = { sim_history(run), sim_scenario(run), o->stats.end_ns, no_story,
                       check_cache_new() };       /* the checks build the lock epochs once */
    for (uint32_t i = 0; i < n; i++) {
        const check_desc *c = check_find(names[i]);
        SIM_ASSERT(c != NULL);                    /* registry_sim_create validated the names */
        o->results[i].name = c->name;
        c->run(&in, &o->results[i]);
        o->result_count = i + 1;
    }
    check_cache_free(in.cache);
    return 0;
}

int cli_judge(sim *run, cli_outcome *o) {
    char err[SIM_ERR_MAX];
    int rc = cli_judge_err(run, o, false, err, sizeof err);
    if (rc != 0) fprintf(stderr, "%s\n", err);
    return rc;
}

int cli_execute_err(const scn *s, const sim_options *opt, cli_outcome *o, sim **keep, bool no_story,
                    char *err, size_t err_len) {
    SIM_ASSERT(s != NULL);
    SIM_ASSERT(o != NULL);
    memset(o, 0, sizeof *o);
    sim *run = NULL;
    if (registry_sim_create(s, opt, &run, err, err_len) != 0) return SIM_EXIT_INPUT;
    int rc = cli_judge_err(run, o, no_story, err, err_len);
    if (rc == 0 && keep) *keep = run; else sim_destroy(run);
    return rc;
}

int cli_execute(const scn *s, const sim_options *opt, cli_outcome *o, sim **keep) {
    char err[SIM_ERR_MAX];
    int rc = cli_execute_err(s, opt, o, keep, false, err, sizeof err);
    if (rc != 0) fprintf(stderr, "%s\n", err);
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

#define RUN_DIR_MAX 1024                /* bytes of the report directory's path */

typedef struct run_args {
    const char *file, *out;
    uint64_t seed;
    uint64_t max_events, max_trace;       /* 0 = the defaults (sim_options) */
    uint64_t max_memory;
    bool seed_set, no_plot, no_trace, trace, json, quiet, twice;
    unsigned formats;                     /* --draw: a plot_format mask; 0 = both */
    bool emit_redis;                      /* --emit redis */
    bool emit_sql;                        /* --emit sql */
    const char *sets[SCN_SETS_MAX];
    uint32_t set_count;
} run_args;

static void run_usage(FILE *f) {
    fputs("usage: ccsim run FILE.yaml [--seed N] [--set KEY=VALUE]... [--out DIR] [--no-plot]\n"
          "                 [--trace | --no-trace] [--draw png|svg] [--json] [-q] [--max-events N]\n"
          "                 [--max-trace BYTES] [--max-memory BYTES] [--twice] [--emit redis|sql]\n"
          "\n"
          "Runs one scenario to its horizon, judges it with its checks, prints a\n"
          "verdict line per check and the story of each violation, and writes the\n"
          "report directory (default reports/NAME/seed-N/): summary.json,\n"
          "history.edn, trace.log, story.txt, and the timeline (timeline.gp, its\n"
          "data timeline.dat, and timeline.png / timeline.svg drawn by gnuplot;\n"
          "latency.png too when the run has many operations).  A big run (over\n"
          "100000 events) keeps no trace.log and draws PNG only, unless asked.\n"
          "\n"
          "  --seed N          the root seed (default: the scenario's `seed:`)\n"
          "  --set KEY=VALUE   override a value of the file, as if written there:\n"
          "                    --set params.fencing=true  --set faults[0].for=5s\n"
          "                    --set duration=20s  --set workload.iterations=3\n"
          "                    a sub-key of a bool goes beside it: with `watchdog: true`,\n"
          "                    --set params.watchdog.timeout=10s adds watchdog.timeout\n"
          "  --out DIR         where to write the report\n"
          "  --no-plot         do not draw the timeline (nor write its files)\n"
          "  --trace           write trace.log whatever the run's size.  By default a\n"
          "                    run of at most 100000 events (every scenario of the\n"
          "                    library) keeps it, and a bigger one does not: the trace\n"
          "                    is about 120 bytes per event and costs more than the\n"
          "                    simulation; `ccsim trace DIR` writes it later, exactly,\n"
          "                    by running the seed again\n"
          "  --no-trace        do not write trace.log, whatever the size: the other\n"
          "                    files are the same\n"
          "  --draw png|svg    draw only that format (default both): gnuplot can take\n"
          "                    longer than the simulation, and one format is about half;\n"
          "                    the other can be drawn later: ccsim plot DIR --draw svg\n"
          "  --json            print summary.json to stdout instead of the text\n"
          "  --emit redis      print the Redis command log instead of the text: every\n"
          "                    command the Redis nodes applied, as redis-server would\n"
          "                    have received it, with the node's clocks and the reply,\n"
          "                    and their crashes and restarts (docs/redis-log.md); the\n"
          "                    report is written as usual\n"
          "  --emit sql        print the SQL statement log instead of the text: every\n"
          "                    statement the db node ran, as PostgreSQL or MariaDB would\n"
          "                    receive it, in order, with ccsim's answer, and the final\n"
          "                    rows (docs/sql-log.md); the report is written as usual\n"
          "  -q                print only the verdict lines\n"
          "  --max-events N    stop a run that would execute more events (default 100000000)\n"
          "  --max-trace BYTES stop a run whose trace.log, or --emit log, would grow\n"
          "                    larger (default 1073741824, 1 GiB); a stopped run writes\n"
          "                    no report and prints no log\n"
          "  --max-memory BYTES the history's memory budget (default 2147483648, 2 GiB):\n"
          "                    a run on course to pass it stops as soon as its growth\n"
          "                    says so, and writes no report\n"
          "  --twice           determinism self-check first: run the seed twice in this\n"
          "                    process and compare their event streams; prints\n"
          "                    `determinism  ok (N events, hash H)` (on stderr under\n"
          "                    --json and --emit), or the first\n"
          "                    diverging event (index, true time, node, kind) and\n"
          "                    exits 4 without a report\n"
          "\n"
          "exit: 0 all ok, 1 a violation, 3 an unknown and no violation, 2 bad input,\n"
          "      4 internal error (--twice: the two runs differ),\n"
          "      5 the run passed its event or trace budget\n"
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

int cli_parse_budget(const char *text, uint64_t *out, char *why, size_t why_len) {
    SIM_ASSERT(out != NULL);
    SIM_ASSERT(why != NULL);
    uint64_t v = 0;
    if (cli_parse_seed(text, &v, why, why_len) != 0) return -1;
    if (v == 0) {
        snprintf(why, why_len, "needs a number above 0");
        return -1;
    }
    *out = v;
    return 0;
}

/* --max-events N, --max-trace BYTES: 1 when argv[*i] is one (consumed with
 * its value), 0 when it is not, -1 with the message printed. */
static int parse_budget_arg(int argc, char **argv, int *i, const char *who, uint64_t *events,
                            uint64_t *trace) {
    const char *x = argv[*i];
    uint64_t *dst = strcmp(x, "--max-events") == 0 ? events
                    : trace && strcmp(x, "--max-trace") == 0 ? trace : NULL;
    if (!dst) return 0;
    char why[128];
    const char *v = *i + 1 < argc ? argv[++*i] : NULL;
    if (cli_parse_budget(v, dst, why, sizeof why) != 0) {
        fprintf(stderr, "%s: %s %s\n", who, x, why);
        return -1;
    }
    return 1;
}

/* --max-memory BYTES: as parse_budget_arg. */
static int parse_memory_arg(int argc, char **argv, int *i, uint64_t *dst) {
    if (strcmp(argv[*i], "--max-memory") != 0) return 0;
    char why[128];
    const char *v = *i + 1 < argc ? argv[++*i] : NULL;
    if (cli_parse_budget(v, dst, why, sizeof why) != 0) {
        fprintf(stderr, "ccsim run: --max-memory %s\n", why);
        return -1;
    }
    return 1;
}

static int parse_run_args(int argc, char **argv, run_args *a) {
    SIM_ASSERT(argc >= 1);
    SIM_ASSERT(a != NULL);
    memset(a, 0, sizeof *a);
    for (int i = 1; i < argc; i++) {
        const char *x = argv[i];
        int b = parse_budget_arg(argc, argv, &i, "ccsim run", &a->max_events, &a->max_trace);
        if (b == 0) b = parse_memory_arg(argc, argv, &i, &a->max_memory);
        if (b < 0) return -1;
        if (b > 0) continue;
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
            if (strlen(a->out) >= RUN_DIR_MAX) {
                fprintf(stderr, "ccsim run: --out is %zu bytes long (expected at most %d)\n",
                        strlen(a->out), RUN_DIR_MAX - 1);
                return -1;
            }
        } else if (strcmp(x, "--set") == 0) {
            if (i + 1 >= argc) { fprintf(stderr, "ccsim run: --set needs KEY=VALUE, such as --set params.fencing=true\n"); return -1; }
            if (a->set_count == SCN_SETS_MAX) { fprintf(stderr, "ccsim run: more than %d --set options\n", SCN_SETS_MAX); return -1; }
            a->sets[a->set_count++] = argv[++i];
        } else if (strcmp(x, "--no-plot") == 0) a->no_plot = true;
        else if (strcmp(x, "--no-trace") == 0) a->no_trace = true;
        else if (strcmp(x, "--trace") == 0) a->trace = true;
        else if (strcmp(x, "--draw") == 0) {
            const char *v = i + 1 < argc ? argv[++i] : NULL;
            if (plot_parse_formats(v, &a->formats) != 0) {
                fprintf(stderr, "ccsim run: --draw needs png, svg or png,svg%s%s%s\n",
                        v ? " (not '" : "", v ? v : "", v ? "')" : "");
                return -1;
            }
        }
        else if (strcmp(x, "--json") == 0) a->json = true;
        else if (strcmp(x, "--twice") == 0) a->twice = true;
        else if (strcmp(x, "--emit") == 0) {
            const char *v = i + 1 < argc ? argv[++i] : NULL;
            if (v == NULL || (strcmp(v, "redis") != 0 && strcmp(v, "sql") != 0)) {
                fprintf(stderr, "ccsim run: --emit needs `redis` (the Redis command log, "
                                "docs/redis-log.md) or `sql` (the SQL statement log, "
                                "docs/sql-log.md)%s%s%s\n", v ? ", not '" : "", v ? v : "",
                        v ? "'" : "");
                return -1;
            }
            if (strcmp(v, "sql") == 0) a->emit_sql = true;
            else a->emit_redis = true;
        }
        else if (strcmp(x, "-q") == 0 || strcmp(x, "--quiet") == 0) a->quiet = true;
        else if (x[0] == '-') { fprintf(stderr, "ccsim run: unknown option '%s' (see ccsim run --help)\n", x); return -1; }
        else if (a->file) { fprintf(stderr, "ccsim run: one scenario file at a time (got '%s' and '%s')\n", a->file, x); return -1; }
        else a->file = x;
    }
    if (!a->file) { fprintf(stderr, "ccsim run: which scenario? (usage: ccsim run FILE.yaml)\n"); return -1; }
    if (a->trace && a->no_trace) {
        fprintf(stderr, "ccsim run: --trace and --no-trace say opposite things; choose one\n");
        return -1;
    }
    if (a->emit_redis && a->emit_sql) {
        fprintf(stderr, "ccsim run: one --emit at a time\n");
        return -1;
    }
    if ((a->emit_redis || a->emit_sql) && a->json) {
        fprintf(stderr, "ccsim run: --emit and --json both print to stdout; choose one\n");
        return -1;
    }
    return 0;
}

/* Prints text word-wrapped to 78 columns, each line indented by 10; with
 * started, the first line's indent is already printed (a "label     "). */
static void print_wrapped_at(const char *text, bool started) {
    const int width = 68;
    int col = 0;
    bool first = started;
    const char *p = text;
    while (*p) {
        while (*p == ' ' || *p == '\n') p++;
        size_t n = strcspn(p, " \n");
        if (n == 0) break;
        if (col > 0 && col + 1 + (int)n > width) { printf("\n"); col = 0; }
        printf("%s%.*s", col > 0 ? " " : first ? "" : "          ", (int)n, p);
        first = false;
        col += (int)n + (col > 0);
        p += n;
    }
    if (col > 0 || started) printf("\n");
}

static void print_wrapped(const char *text) { print_wrapped_at(text, false); }

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
    if (o->outcome[0] != '\0') {
        printf("outcome   ");
        print_wrapped_at(o->outcome, true);
    }
}

/* "what happened (a, b and c), in true time:", then the text. */
static void print_story_block(const cli_outcome *o, uint64_t which, const char *head,
                              const char *text) {
    size_t n = 0, total = 0;
    for (size_t i = 0; i < o->result_count; i++) total += (which >> i) & 1u;
    printf("\n%s (", head);
    for (size_t i = 0; i < o->result_count; i++) {
        if (!((which >> i) & 1u)) continue;
        n++;
        printf("%s%s", n == 1 ? "" : n == total ? " and " : ", ", o->results[i].name);
    }
    printf("), in true time:\n%s", text);
    if (text[0] && text[strlen(text) - 1] != '\n') putchar('\n');
}

/* The violations' stories, each line told once: what two or more tell
 * first (story_share), then each one's own part. */
static void print_stories(const cli_outcome *o) {
    const char *stories[SCN_CHECKS_MAX];
    story_buf parts[SCN_CHECKS_MAX], shared;
    story_buf_init(&shared);
    uint64_t told = 0;
    for (size_t i = 0; i < o->result_count; i++) {
        const check_result *r = &o->results[i];
        story_buf_init(&parts[i]);
        bool has = r->verdict == CHECK_VIOLATION && r->story != NULL;
        stories[i] = has ? r->story : NULL;
        if (has) told |= (uint64_t)1 << i;
    }
    bool any_shared = story_share(stories, o->result_count, &shared, parts) > 0;
    if (any_shared) print_story_block(o, told, "what happened", shared.text);
    for (size_t i = 0; i < o->result_count; i++) {
        if (stories[i] == NULL) continue;
        const char *part = parts[i].text ? parts[i].text : "";
        print_story_block(o, (uint64_t)1 << i, any_shared ? "and besides" : "what happened", part);
        story_buf_free(&parts[i]);
    }
    story_buf_free(&shared);
}

static void print_verdicts(const cli_outcome *o, bool stories) {
    SIM_ASSERT(o != NULL);
    SIM_ASSERT(o->result_count <= SCN_CHECKS_MAX);
    for (size_t i = 0; i < o->result_count; i++) {
        const check_result *r = &o->results[i];
        printf("%-17s %-9s %s\n", r->name, check_verdict_name(r->verdict), r->summary);
    }
    if (stories) print_stories(o);
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
                  .result_count = o->result_count, .outcome = o->outcome };
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

int cli_plot_run(const char *dir, const plot_run *pr, unsigned formats, const char *who) {
    SIM_ASSERT(dir != NULL);
    SIM_ASSERT(pr != NULL);
    char err[SIM_ERR_MAX];
    if (plot_write(dir, pr, err, sizeof err) != 0) {
        fprintf(stderr, "%s: %s\n", who, err);
        return -1;
    }
    char why[1200];
    static const char *const scripts[] = { "timeline.gp", "latency.gp" };   /* drawn at once */
    bool latency = pr->run->h->op_count >= PLOT_LATENCY_OPS_MIN;
    if (!plot_lanes_drawn(pr->run->s->node_count, why, sizeof why)) {
        fprintf(stderr, "%s: %s; timeline.gp and timeline.dat are written%s\n", who, why,
                latency ? ", and latency.png is drawn" : "");
        if (latency && plot_draw_many(dir, scripts + 1, 1, formats, why, sizeof why) != PLOT_DRAWN)
            fprintf(stderr, "%s: %s\n", who, why);
        return 1;
    }
    if (plot_draw_many(dir, scripts, latency ? 2 : 1, formats, why, sizeof why) != PLOT_DRAWN) {
        fprintf(stderr, "%s: %s\n", who, why);
        return 1;
    }
    return 0;
}

static void cli_print_sets_to(FILE *f, const scn *s) {
    SIM_ASSERT(s != NULL);
    SIM_ASSERT(s->set_count <= SCN_SETS_MAX);
    for (uint32_t k = 0; k < s->set_count; k++) {
        fputs(" --set '", f);
        for (const char *p = s->sets[k]; *p; p++) {
            if (*p == '\'') fputs("'\\''", f);
            else fputc(*p, f);
        }
        fputc('\'', f);
    }
}

void cli_print_sets(const scn *s) { cli_print_sets_to(stdout, s); }

/* The formats drawn: those --draw asked for, else both, or PNG alone for a
 * big run (RPT_BIG_RUN_EVENTS: gnuplot takes longer than the simulation). */
static unsigned formats_for(unsigned asked, uint64_t events) {
    if (asked) return asked;
    return rpt_big_run(events) ? PLOT_PNG : PLOT_BOTH;
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
    if (o->trace_left_out)
        printf("trace     not kept: %" PRIu64 " events, over %u (ccsim trace %s writes it; "
               "--trace keeps it)\n", o->stats.events, RPT_BIG_RUN_EVENTS, dir);
    if (drawn == 0) {
        unsigned formats = formats_for(a->formats, o->stats.events);
        const char *what = formats == PLOT_PNG ? ".png" : formats == PLOT_SVG ? ".svg" : ".png (and .svg)";
        printf("timeline  %s/timeline%s", dir, what);
        if (!a->formats && formats == PLOT_PNG) printf(" (a big run: ccsim plot %s --draw svg draws the SVG)", dir);
        putchar('\n');
        if (sim_history(run)->op_count >= PLOT_LATENCY_OPS_MIN)
            printf("latency   %s/latency%s\n", dir, what);
    }
    if (code == SIM_EXIT_VIOLATION) {
        printf("reproduce ccsim run %s --seed %" PRIu64, s->path, o->stats.seed);
        cli_print_sets(s);
        putchar('\n');
    }
}

/* The length of dir's longest prefix, at a '/', that is a directory
 * already: rpt_mkdirs creates the ones past it. */
static size_t existing_prefix(const char *dir) {
    char path[RUN_DIR_MAX];
    size_t len = strlen(dir), keep = 0;
    SIM_ASSERT(len < sizeof path);                  /* parse_run_args checked --out */
    memcpy(path, dir, len + 1);
    for (size_t i = 1; i <= len; i++) {
        if (path[i] != '/' && path[i] != '\0') continue;
        char c = path[i];
        path[i] = '\0';
        struct stat st;
        bool there = stat(path, &st) == 0 && S_ISDIR(st.st_mode);
        path[i] = c;
        if (!there) break;
        keep = i;
    }
    return keep;
}

/* Removes the directories a failed run created, deepest first; rmdir
 * leaves any that hold something. */
static void remove_new_dirs(const char *dir, size_t existing) {
    char path[RUN_DIR_MAX];
    snprintf(path, sizeof path, "%s", dir);
    for (size_t len = strlen(path); len > existing; len = strlen(path)) {
        if (path[len - 1] != '/' && rmdir(path) != 0) return;
        char *slash = strrchr(path, '/');
        if (!slash) return;
        *slash = '\0';
    }
}

/* Creates dir and opens dir/trace.log's stream; 0, or -1 with the message
 * printed. */
static int open_trace(const char *dir, cli_trace_file *t) {
    SIM_ASSERT(dir != NULL);
    SIM_ASSERT(t != NULL);
    if (rpt_mkdirs(dir) != 0) {
        fprintf(stderr, "ccsim run: cannot create report directory '%s': %s\n", dir, strerror(errno));
        return -1;
    }
    char final[CLI_TRACE_PATH_MAX];
    snprintf(final, sizeof final, "%s/trace.log", dir);
    return cli_trace_open(t, final, "ccsim run");
}

/* --no-trace: no older run's trace.log left beside this run's report. */
static void remove_old_trace(const char *dir) {
    char path[1200];
    snprintf(path, sizeof path, "%s/trace.log", dir);
    remove(path);
}

/* The trace of a run already made, by making it again with its trace on
 * (determinism makes it the same run): 0, or an exit code with the message
 * printed. */
static int replay_trace(const scn *s, const cli_report_opts *ro, const char *dir,
                        cli_trace_file *trace, uint64_t events) {
    SIM_ASSERT(trace->f == NULL);
    if (open_trace(dir, trace) != 0) return SIM_EXIT_INPUT;
    sim_options opt = { .seed = ro->seed, .seed_set = ro->seed_set, .max_events = ro->max_events,
                        .max_trace_bytes = ro->max_trace, .max_history_bytes = ro->max_memory };
    uint64_t again = 0;
    int code = cli_trace_run(s, &opt, trace->f, &again);
    if (code == 0 && again != events) {
        fprintf(stderr, "ccsim run: internal error: the run made again for its trace.log had %" PRIu64
                " events, the run %" PRIu64 ": this is a bug in ccsim; no report written\n", again, events);
        code = SIM_EXIT_INTERNAL;
    }
    return code;
}

/* trace.log by default: made again for a small run, left out of a big one
 * (RPT_BIG_RUN_EVENTS). */
static int default_trace(const scn *s, const cli_report_opts *ro, const char *dir,
                         cli_outcome *o, cli_trace_file *trace) {
    if (ro->trace || ro->no_trace) return SIM_EXIT_OK;
    if (rpt_big_run(o->stats.events)) {
        o->trace_left_out = true;
        return SIM_EXIT_OK;
    }
    return replay_trace(s, ro, dir, trace, o->stats.events);
}

/* Creates the run (input errors leave no report behind), then writes the
 * trace into the report directory: streamed while it runs (--trace), or
 * by default_trace. */
int cli_run_into(const scn *s, const cli_report_opts *ro, const char *dir, cli_outcome *o,
                 sim **keep, int *drawn) {
    SIM_ASSERT(s != NULL);
    SIM_ASSERT(ro != NULL);
    SIM_ASSERT(dir != NULL);
    SIM_ASSERT(o != NULL);
    SIM_ASSERT(keep != NULL);
    SIM_ASSERT(drawn != NULL);
    memset(o, 0, sizeof *o);
    *keep = NULL;
    *drawn = 1;
    plot_msgs msgs;
    plot_msgs_init(&msgs);
    sim_options opt = { .seed = ro->seed, .seed_set = ro->seed_set, .trace = NULL,
                        .on_message = ro->no_plot ? NULL : plot_msgs_note, .on_message_ctx = &msgs,
                        .max_events = ro->max_events, .max_trace_bytes = ro->max_trace,
                        .side_log = ro->side_log, .max_side_log_bytes = ro->max_trace,
                        .max_history_bytes = ro->max_memory };
    char err[SIM_ERR_MAX];
    sim *run = NULL;
    if (registry_sim_create(s, &opt, &run, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        plot_msgs_free(&msgs);
        return SIM_EXIT_INPUT;
    }
    size_t existing = existing_prefix(dir);
    cli_trace_file trace = { 0 };
    if (ro->trace && open_trace(dir, &trace) != 0) {
        remove_new_dirs(dir, existing);
        sim_destroy(run);
        plot_msgs_free(&msgs);
        return SIM_EXIT_INPUT;
    }
    sim_set_trace(run, trace.f);
    int code = cli_judge(run, o);
    if (code == 0) code = default_trace(s, ro, dir, o, &trace);
    bool ok = code == 0 && write_reports(dir, s, run, o) == 0;
    if (trace.f && cli_trace_close(&trace, ok, "ccsim run") != 0) ok = false;
    if (ok && (ro->no_trace || o->trace_left_out)) remove_old_trace(dir);
    if (ok && ro->no_plot) {                /* no older run's picture left behind */
        plot_remove(dir, "timeline");
        plot_remove(dir, "latency");
    } else if (ok) {
        rpt_run r = report_of(s, run, o);
        plot_run pr = { &r, &msgs };
        *drawn = cli_plot_run(dir, &pr, formats_for(ro->formats, o->stats.events), "ccsim run");
        ok = *drawn >= 0;
    }
    plot_msgs_free(&msgs);
    if (!ok) {
        if (code == 0) code = SIM_EXIT_INPUT;   /* a report could not be written */
        remove_new_dirs(dir, existing);         /* written whole or not at all */
        cli_outcome_free(o);
        sim_destroy(run);
        return code;
    }
    *keep = run;
    return 0;
}

/* --emit redis: the scenario has a node the Redis log is about. */
static bool has_redis_node(const scn *s) {
    for (uint32_t i = 0; i < s->node_count; i++)
        if (strcmp(s->nodes[i].role, "redis") == 0 || strcmp(s->nodes[i].role, "replica") == 0)
            return true;
    return false;
}

/* --emit sql: the scenario has the db node the SQL log is about. */
static bool has_db_node(const scn *s) {
    for (uint32_t i = 0; i < s->node_count; i++)
        if (strcmp(s->nodes[i].role, "db") == 0) return true;
    return false;
}

/* Copies the finished side log to stdout: 0, or -1 with the message printed. */
static int print_side_log(FILE *log) {
    SIM_ASSERT(log != NULL);
    char buf[65536];
    size_t n;
    bool ok = fflush(log) == 0 && fseek(log, 0, SEEK_SET) == 0;
    while (ok && (n = fread(buf, 1, sizeof buf, log)) > 0) ok = fwrite(buf, 1, n, stdout) == n;
    ok = ok && !ferror(log) && fflush(stdout) == 0;
    if (!ok) fprintf(stderr, "ccsim run: cannot print the --emit log: %s\n", strerror(errno));
    return ok ? 0 : -1;
}

/* The run, its report, then the text (or summary.json, or the side log,
 * which streams to an unnamed temporary file meanwhile, so that a run
 * stopped by an error prints none of it). */
static int run_and_report(const scn *s, const run_args *a, const char *dir) {
    SIM_ASSERT(s != NULL);
    SIM_ASSERT(a != NULL);
    cli_report_opts ro = { .seed = a->seed, .seed_set = a->seed_set, .no_plot = a->no_plot,
                           .no_trace = a->no_trace, .trace = a->trace, .formats = a->formats, .max_events = a->max_events,
                           .max_trace = a->max_trace, .max_memory = a->max_memory };
    if ((a->emit_redis || a->emit_sql) && (ro.side_log = tmpfile()) == NULL) {
        fprintf(stderr, "ccsim run: cannot create a temporary file for --emit: %s\n",
                strerror(errno));
        return SIM_EXIT_INPUT;
    }
    cli_outcome o;
    sim *run = NULL;
    int drawn = 1;
    int code = cli_run_into(s, &ro, dir, &o, &run, &drawn);
    if (code == 0) {
        code = cli_exit_for(&o);
        if (!ro.side_log) print_outcome(s, a, dir, run, &o, code, drawn);
        else if (print_side_log(ro.side_log) != 0) code = SIM_EXIT_INPUT;
        cli_outcome_free(&o);
        sim_destroy(run);
    }
    if (ro.side_log) fclose(ro.side_log);
    return code;
}

/* --twice: the determinism self-check's line (on stderr under --json, whose
 * stdout is summary.json); SIM_EXIT_INTERNAL when the runs differ. */
static int check_twice(const scn *s, const run_args *a) {
    SIM_ASSERT(s != NULL);
    SIM_ASSERT(a != NULL);
    sim_options opt = { .seed = a->seed, .seed_set = a->seed_set,
                        .max_events = a->max_events, .max_trace_bytes = a->max_trace,
                        .max_history_bytes = a->max_memory };
    sim_divergence d;
    char err[SIM_ERR_MAX], line[512];
    if (registry_verify_twice(s, &opt, &d, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return SIM_EXIT_INPUT;
    }
    sim_divergence_line(&d, s, line, sizeof line);
    fprintf(a->json || a->emit_redis || a->emit_sql || d.diverged ? stderr : stdout, "%s\n", line);
    if (!d.diverged) return SIM_EXIT_OK;
    fprintf(stderr, "  this is a bug in ccsim (or a model reading state outside its run); please report it\n"
                    "  reproduce: ccsim run %s --seed %" PRIu64 " --twice", s->path, a->seed_set ? a->seed : s->seed);
    fflush(stdout);
    cli_print_sets_to(stderr, s);
    fputc('\n', stderr);
    return SIM_EXIT_INTERNAL;
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
    if (a.emit_redis && !has_redis_node(s)) {
        fprintf(stderr, "ccsim run: --emit redis: %s has no Redis node (role redis or replica)\n",
                a.file);
        scn_free(s);
        free(s);
        return SIM_EXIT_INPUT;
    }
    if (a.emit_sql && (strcmp(s->protocol, "db") != 0 || !has_db_node(s))) {
        fprintf(stderr, "ccsim run: --emit sql: %s has no db node (protocol db, role db)\n",
                a.file);
        scn_free(s);
        free(s);
        return SIM_EXIT_INPUT;
    }
    char dir[RUN_DIR_MAX];
    uint64_t seed = a.seed_set ? a.seed : s->seed;
    if (a.out) snprintf(dir, sizeof dir, "%s", a.out); else default_out(s, seed, dir, sizeof dir);
    int code = a.twice ? check_twice(s, &a) : SIM_EXIT_OK;
    if (code == SIM_EXIT_OK) code = run_and_report(s, &a, dir);
    scn_free(s);
    free(s);
    return code;
}
