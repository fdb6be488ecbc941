/* trace.c -- trace.log: how a run writes it, and `ccsim trace RUNDIR`,
 * which writes it again later by running the seed again.
 *
 * A trace streams to FINAL.tmp while the run writes it, through a 1 MiB
 * buffer (about 123 bytes per event: a few write calls per 8 000 events),
 * and is renamed to FINAL only when the run and its report succeeded;
 * Ctrl-C (TERM, HUP) removes the .tmp.
 *
 * `ccsim trace RUNDIR` reads RUNDIR/summary.json (scenario path and digest,
 * seed, --set overrides, events), refuses a scenario file that is gone or
 * has changed since the run (its bytes no longer make the same run), and
 * otherwise creates the same run with a trace: determinism (same binary,
 * scenario and seed, same bytes) makes it the trace `ccsim run` would have
 * written.  The replay's event count must equal the recorded one, or the
 * trace is not written (exit 4: a bug).  summary.json is read with libyaml
 * (JSON is YAML's flow style).
 */
#include "sim/cli/cli.h"
#include "sim/cli/json_in.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>

#include "sim/registry/registry.h"
#include "sim/report/report.h"

/* ---- the trace file of a run ------------------------------------------ */

#define TRACE_BUFFER_BYTES (1u << 20)

/* FINAL.tmp while a run writes it, so that Ctrl-C (or TERM, HUP) does
 * not leave it behind: the handler removes it, then dies of the signal as
 * it would have.  Only unlink and raise, which are async-signal-safe. */
static char trace_tmp[CLI_TRACE_PATH_MAX + 8];
static volatile sig_atomic_t trace_tmp_set;
static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP };

static void on_stop_signal(int sig) {
    if (trace_tmp_set) unlink(trace_tmp);
    signal(sig, SIG_DFL);
    raise(sig);
}

static void guard_trace_tmp(const char *tmp) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = tmp ? on_stop_signal : SIG_DFL;
    trace_tmp_set = 0;
    if (tmp) snprintf(trace_tmp, sizeof trace_tmp, "%s", tmp);
    for (size_t i = 0; i < sizeof stop_signals / sizeof stop_signals[0]; i++)
        sigaction(stop_signals[i], &sa, NULL);
    trace_tmp_set = tmp != NULL;
}

int cli_trace_open(cli_trace_file *t, const char *final, const char *who) {
    SIM_ASSERT(t != NULL);
    SIM_ASSERT(final != NULL);
    memset(t, 0, sizeof t[0]);
    size_t len = strlen(final);
    if (len >= sizeof t->final) {
        fprintf(stderr, "%s: '%s' is too long a path (expected at most %d bytes)\n", who, final,
                CLI_TRACE_PATH_MAX - 1);
        return -1;
    }
    memcpy(t->final, final, len + 1);
    memcpy(t->tmp, final, len);
    memcpy(t->tmp + len, ".tmp", 5);
    guard_trace_tmp(t->tmp);
    t->f = fopen(t->tmp, "w");
    if (!t->f) {
        fprintf(stderr, "%s: cannot write '%s': %s\n", who, t->tmp, strerror(errno));
        guard_trace_tmp(NULL);
        return -1;
    }
    t->buf = sim_xmalloc(TRACE_BUFFER_BYTES);
    setvbuf(t->f, t->buf, _IOFBF, TRACE_BUFFER_BYTES);
    return 0;
}

int cli_trace_close(cli_trace_file *t, bool keep, const char *who) {
    SIM_ASSERT(t != NULL);
    SIM_ASSERT(t->f != NULL);
    bool ok = fflush(t->f) == 0 && !ferror(t->f);
    if (!ok) fprintf(stderr, "%s: cannot write '%s': %s\n", who, t->tmp, strerror(errno));
    fclose(t->f);
    free(t->buf);
    t->f = NULL;
    t->buf = NULL;
    if (!keep || !ok) { remove(t->tmp); guard_trace_tmp(NULL); return ok ? 0 : -1; }
    int rc = rename(t->tmp, t->final);
    guard_trace_tmp(NULL);
    if (rc != 0) {
        fprintf(stderr, "%s: cannot write '%s': %s\n", who, t->final, strerror(errno));
        remove(t->tmp);
        return -1;
    }
    return 0;
}

/* ---- summary.json: what the run was ----------------------------------- */

typedef struct recorded_run {
    json_in js;                     /* RUNDIR/summary.json */
    const char *path;               /* the scenario file, as the run was given it */
    yaml_node_t *path_at;           /* where it is written, for messages */
    const char *digest;             /* its FNV-1a 64, 16 hex digits */
    const char *sets[SCN_SETS_MAX];
    uint32_t set_count;
    uint64_t seed, events;
} recorded_run;

static int u64_field(recorded_run *r, yaml_node_t *map, const char *key, uint64_t *out) {
    yaml_node_t *v = json_in_field(&r->js, map, key, YAML_SCALAR_NODE, false);
    if (!v) return -1;
    char why[128], what[200];
    if (cli_parse_seed((const char *)v->data.scalar.value, out, why, sizeof why) == 0) return 0;
    snprintf(what, sizeof what, "\"%s\" %s", key, why);
    return json_in_bad(&r->js, v, what);
}

static int read_overrides(recorded_run *r, yaml_node_t *scenario) {
    yaml_node_t *list = json_in_field(&r->js, scenario, "overrides", YAML_SEQUENCE_NODE, true);
    if (!list) return r->js.err[0] ? -1 : 0;            /* none: the run had no --set */
    for (yaml_node_item_t *i = list->data.sequence.items.start; i < list->data.sequence.items.top; i++) {
        yaml_node_t *v = json_in_node(&r->js, *i);
        if (!v || v->type != YAML_SCALAR_NODE) return json_in_bad(&r->js, v, "an override is a string KEY=VALUE");
        if (r->set_count == SCN_SETS_MAX) return json_in_bad(&r->js, v, "more overrides than ccsim run takes");
        r->sets[r->set_count++] = (const char *)v->data.scalar.value;
    }
    return 0;
}

static int read_fields(recorded_run *r) {
    yaml_node_t *root = yaml_document_get_root_node(&r->js.doc);
    if (!root) return json_in_bad(&r->js, NULL, "empty file (is this the summary.json of a ccsim run?)");
    yaml_node_t *scenario = json_in_field(&r->js, root, "scenario", YAML_MAPPING_NODE, false);
    if (!scenario) return -1;
    r->path_at = json_in_field(&r->js, scenario, "path", YAML_SCALAR_NODE, false);
    yaml_node_t *digest = r->path_at ? json_in_field(&r->js, scenario, "digest", YAML_SCALAR_NODE, false) : NULL;
    if (!digest) return -1;
    r->path = (const char *)r->path_at->data.scalar.value;
    r->digest = (const char *)digest->data.scalar.value;
    if (read_overrides(r, scenario) != 0) return -1;
    return u64_field(r, root, "seed", &r->seed) != 0 || u64_field(r, root, "events", &r->events) != 0
               ? -1 : 0;
}

/* Loads summary.json: 0, or -1 with the located message in r->js.err. */
static int read_summary(recorded_run *r) {
    if (json_in_load(&r->js) != 0) return -1;
    if (read_fields(r) == 0) return 0;
    json_in_free(&r->js);
    return -1;
}

/* The scenario file is there and is the one the run read: 0, or -1 with
 * what to do in r->js.err. */
static int same_scenario(recorded_run *r) {
    char what[2 * CLI_TRACE_PATH_MAX], hex[17];
    FILE *f = fopen(r->path, "rb");
    if (!f) {
        snprintf(what, sizeof what, "the run's scenario file '%s' cannot be read (%s): run ccsim "
                 "trace from the folder the run was made in (the path is relative to it), or "
                 "put the file back", r->path, strerror(errno));
        return json_in_bad(&r->js, r->path_at, what);
    }
    fclose(f);
    snprintf(hex, sizeof hex, "%016" PRIx64, rpt_file_digest(r->path));
    if (strcmp(hex, r->digest) == 0) return 0;
    snprintf(what, sizeof what, "'%s' has changed since this run (digest %s, the run's %s), so "
             "running it again would not give this run's trace: put back the version the run "
             "used (git stash, git checkout), or make a new run with its trace: ccsim run %s "
             "--seed %" PRIu64 "%s", r->path, hex, r->digest, r->path, r->seed,
             r->set_count ? " and the --set options in summary.json" : "");
    return json_in_bad(&r->js, r->path_at, what);
}

/* ---- ccsim trace ------------------------------------------------------- */

typedef struct trace_args {
    const char *dir, *out;
    uint64_t max_events, max_trace;
} trace_args;

static void trace_usage(FILE *f) {
    fputs("usage: ccsim trace RUNDIR [-o FILE] [--max-events N] [--max-trace BYTES]\n"
          "\n"
          "Writes the trace.log of the run whose report is in RUNDIR (by default into\n"
          "RUNDIR/trace.log), by running it again: the scenario file, seed and --set\n"
          "options recorded in RUNDIR/summary.json.  The simulation is deterministic,\n"
          "so this is byte for byte the trace `ccsim run` writes; `ccsim run --no-trace`\n"
          "and `ccsim compare` (RUNDIR/1-VALUE...) leave it to this command.\n"
          "\n"
          "The scenario path is as the run was given it: run ccsim trace from the same\n"
          "folder.  A scenario file that is missing, or that changed since the run (its\n"
          "digest in summary.json differs), is refused: that would be another run.\n"
          "\n"
          "  -o FILE            write the trace there instead (- = stdout)\n"
          "  --max-events N     the run's event budget, as ccsim run's (default 100000000)\n"
          "  --max-trace BYTES  stop if the trace would grow larger (default 1073741824)\n"
          "\n"
          "exit: 0 written, 2 bad input (no such report, the scenario file gone or\n"
          "      changed), 4 the run did not replay as recorded (a bug in ccsim),\n"
          "      5 the trace passed its budget\n"
          "example: ccsim run scenarios/locks/L2-lease-gc-pause.yaml --no-trace\n"
          "         ccsim trace reports/L2-lease-gc-pause/seed-1\n", f);
}

/* 0 parsed, 1 --help, -1 error (printed). */
static int parse_trace_args(int argc, char **argv, trace_args *a) {
    memset(a, 0, sizeof *a);
    for (int i = 1; i < argc; i++) {
        const char *x = argv[i];
        uint64_t *budget = strcmp(x, "--max-events") == 0 ? &a->max_events
                           : strcmp(x, "--max-trace") == 0 ? &a->max_trace : NULL;
        char why[128];
        if (strcmp(x, "--help") == 0 || strcmp(x, "-h") == 0) { trace_usage(stdout); return 1; }
        if (budget) {
            if (cli_parse_budget(i + 1 < argc ? argv[++i] : NULL, budget, why, sizeof why) == 0) continue;
            fprintf(stderr, "ccsim trace: %s %s\n", x, why);
            return -1;
        }
        if (strcmp(x, "-o") == 0 || strcmp(x, "--out") == 0) {
            if (i + 1 >= argc) { fprintf(stderr, "ccsim trace: %s needs a file\n", x); return -1; }
            a->out = argv[++i];
        } else if (x[0] == '-') {
            fprintf(stderr, "ccsim trace: unknown option '%s' (see ccsim trace --help)\n", x);
            return -1;
        } else if (a->dir) {
            fprintf(stderr, "ccsim trace: one report directory at a time (got '%s' and '%s')\n", a->dir, x);
            return -1;
        } else a->dir = x;
    }
    if (!a->dir) { fprintf(stderr, "ccsim trace: which report directory? (usage: ccsim trace RUNDIR)\n"); return -1; }
    return 0;
}

int cli_trace_run(const scn *s, const sim_options *opt, FILE *f, uint64_t *events) {
    SIM_ASSERT(s != NULL && opt != NULL && f != NULL && events != NULL);
    sim_options o = *opt;
    o.trace = NULL;
    char err[SIM_ERR_MAX];
    sim *run = NULL;
    if (registry_sim_create(s, &o, &run, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return SIM_EXIT_INPUT;
    }
    sim_set_trace(run, f);
    int rc = sim_run(run, err, sizeof err);
    *events = sim_get_stats(run).events;
    sim_destroy(run);
    if (rc == 0) return SIM_EXIT_OK;
    fprintf(stderr, "%s\n", err);
    return rc == SIM_RUN_OVER_BUDGET ? SIM_EXIT_BUDGET : SIM_EXIT_INPUT;
}

/* Runs the recorded run with its trace into f; 0, or an exit code with the
 * message printed. */
static int replay(const recorded_run *r, const trace_args *a, FILE *f) {
    scn *s = sim_xcalloc(1, sizeof *s);
    char err[SIM_ERR_MAX];
    if (scn_load_with_overrides(r->path, r->sets, r->set_count, s, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        free(s);
        return SIM_EXIT_INPUT;
    }
    sim_options opt = { .seed = r->seed, .seed_set = true, .max_events = a->max_events,
                        .max_trace_bytes = a->max_trace };
    uint64_t events = 0;
    int code = cli_trace_run(s, &opt, f, &events);
    if (code == 0 && events != r->events) {
        fprintf(stderr, "ccsim trace: internal error: the run replayed %" PRIu64 " events, %s "
                "records %" PRIu64 ": this is a bug in ccsim (or a ccsim other than the one that "
                "made the report); no trace written\n", events, r->js.file, r->events);
        code = SIM_EXIT_INTERNAL;
    }
    scn_free(s);
    free(s);
    return code;
}

/* The replay into FILE (through FILE.tmp) or stdout. */
static int write_trace(const recorded_run *r, const trace_args *a, const char *final) {
    if (strcmp(final, "-") == 0) {
        int code = replay(r, a, stdout);
        return fflush(stdout) == 0 || code != 0 ? code : SIM_EXIT_INPUT;
    }
    cli_trace_file t;
    if (cli_trace_open(&t, final, "ccsim trace") != 0) return SIM_EXIT_INPUT;
    int code = replay(r, a, t.f);
    if (cli_trace_close(&t, code == 0, "ccsim trace") != 0 && code == 0) code = SIM_EXIT_INPUT;
    if (code == 0) printf("trace     %s\n", final);
    return code;
}

int cli_trace(int argc, char **argv) {
    SIM_ASSERT(argc >= 1);
    SIM_ASSERT(argv != NULL);
    trace_args a;
    int pr = parse_trace_args(argc, argv, &a);
    if (pr != 0) return pr > 0 ? SIM_EXIT_OK : SIM_EXIT_INPUT;
    char summary[CLI_TRACE_PATH_MAX], final[CLI_TRACE_PATH_MAX];
    int n = snprintf(summary, sizeof summary, "%s/summary.json", a.dir);
    int m = snprintf(final, sizeof final, "%s", a.out ? a.out : a.dir);
    if (!a.out) m = snprintf(final, sizeof final, "%s/trace.log", a.dir);
    if (n < 0 || (size_t)n >= sizeof summary || m < 0 || (size_t)m >= sizeof final) {
        fprintf(stderr, "ccsim trace: '%s' is too long a path\n", a.out && (size_t)m >= sizeof final ? a.out : a.dir);
        return SIM_EXIT_INPUT;
    }
    recorded_run r = { .js = { .file = summary, .what_is_it = "the summary.json of a ccsim run",
                               .unreadable = "expected the report directory of a ccsim run" } };
    if (read_summary(&r) != 0) { fprintf(stderr, "%s\n", r.js.err); return SIM_EXIT_INPUT; }
    int code = same_scenario(&r) == 0 ? write_trace(&r, &a, final) : SIM_EXIT_INPUT;
    if (r.js.err[0]) fprintf(stderr, "%s\n", r.js.err);
    json_in_free(&r.js);
    return code;
}
