/* cli.h -- the subcommands of the `ccsim` command line (DESIGN.md 7).
 * Each takes argv with argv[0] = the subcommand's name and returns the
 * process exit code (base.h SIM_EXIT_*).  Results go to stdout; errors to
 * stderr; progress only when stderr is a terminal. */
#ifndef CCSIM_CLI_H
#define CCSIM_CLI_H

#include "sim/check/check.h"
#include "sim/sim.h"

int cli_run(int argc, char **argv);
int cli_check(int argc, char **argv);
int cli_list(int argc, char **argv);
int cli_plot(int argc, char **argv);        /* ccsim plot RUNDIR */
int cli_compare(int argc, char **argv);     /* ccsim compare FILE --vary KEY=V1,V2,... */
int cli_shrink(int argc, char **argv);      /* ccsim shrink FILE --seed S [--check NAME] */
int cli_sweep(int argc, char **argv);       /* ccsim sweep FILE... --seeds A..B (sweep.h) */
int cli_trace(int argc, char **argv);       /* ccsim trace RUNDIR [-o FILE] (trace.c) */

/* A trace.log being written (trace.c): to FINAL.tmp through a large
 * buffer, renamed to FINAL by cli_trace_close(keep) or removed, and
 * removed on Ctrl-C (TERM, HUP) meanwhile.  One at a time per process. */
#define CLI_TRACE_PATH_MAX 1200
typedef struct cli_trace_file {
    FILE *f;
    char *buf;
    char tmp[CLI_TRACE_PATH_MAX + 8], final[CLI_TRACE_PATH_MAX];
} cli_trace_file;
/* 0, or -1 with the message (prefixed by who) on stderr. */
int  cli_trace_open(cli_trace_file *t, const char *final, const char *who);
/* Closes it: renamed into place when keep, else removed.  0, or -1 when a
 * write failed (message on stderr; nothing left behind). */
int  cli_trace_close(cli_trace_file *t, bool keep, const char *who);
/* Runs s with its trace into f, with opt's seed and budgets (its trace is
 * set after creation, as a run streams it), and the count of events in
 * *events: how `ccsim trace` and a run's default trace make it again.
 * 0, or SIM_EXIT_INPUT / SIM_EXIT_BUDGET with the message on stderr. */
int  cli_trace_run(const scn *s, const sim_options *opt, FILE *f, uint64_t *events);

struct plot_run;
/* Writes dir's timeline files (and latency's, for runs with many ops) and
 * draws them with gnuplot in the formats asked for (plot_format: PNG, SVG
 * or both).  Returns 0 when drawn, 1 when gnuplot is missing or failed (one
 * line on stderr, prefixed by `who`; the run's other reports and exit code
 * stand), -1 when a file could not be written. */
int  cli_plot_run(const char *dir, const struct plot_run *pr, unsigned formats, const char *who);
/* A --seed value: decimal digits, 0 to 2^64-1.  Returns 0, or -1 with why
 * it is refused ("needs a non-negative integer", "... is too large"). */
int  cli_parse_seed(const char *text, uint64_t *out, char *why, size_t why_len);
/* A --max-events or --max-trace value: as a seed, and above 0. */
int  cli_parse_budget(const char *text, uint64_t *out, char *why, size_t why_len);
/* Prints " --set 'K=V'" for each of s's overrides (a reproduce line). */
void cli_print_sets(const scn *s);

/* One run, judged: used by both `run` and `check`. */
typedef struct cli_outcome {
    check_result results[SCN_CHECKS_MAX];
    size_t result_count;
    sim_stats stats;
    double wall_s;               /* for people only; never written to reports */
    char outcome[CHECK_SUMMARY_MAX];   /* the workload's words (sim_outcome); "" = none */
    bool trace_left_out;         /* a run of more than RPT_BIG_RUN_EVENTS events, whose
                                    trace.log was not asked for (cli_run_into) */
} cli_outcome;

/* Runs an already created sim to its horizon and judges it with its checks.
 * Returns 0, or SIM_EXIT_INPUT (a bound) or SIM_EXIT_BUDGET (its budget)
 * with the message printed to stderr. */
int  cli_judge(sim *run, cli_outcome *o);
/* registry_sim_create + cli_judge, for runs that need no trace.  On success with
 * keep != NULL the caller owns *keep (sim_destroy). */
int  cli_execute(const scn *s, const sim_options *opt, cli_outcome *o, sim **keep);
/* The same two, with the message in err instead of on stderr; no_story:
 * verdicts and summaries only (check_input.no_story), for sweeps. */
int  cli_judge_err(sim *run, cli_outcome *o, bool no_story, char *err, size_t err_len);
int  cli_execute_err(const scn *s, const sim_options *opt, cli_outcome *o, sim **keep, bool no_story,
                     char *err, size_t err_len);
void cli_outcome_free(cli_outcome *o);

/* How `run` writes a report directory (and `sweep`, for failing seeds). */
typedef struct cli_report_opts {
    uint64_t seed;
    bool seed_set;               /* else the scenario's `seed:` */
    bool no_plot;                /* no timeline files, no gnuplot */
    bool no_trace;               /* no trace.log (ccsim trace writes it later) */
    bool trace;                  /* --trace: trace.log whatever the run's size, streamed
                                    while it runs */
    unsigned formats;            /* --draw: a plot_format mask; 0 = both */
    uint64_t max_events, max_trace;   /* the run's budgets; 0 = the defaults */
    uint64_t max_memory;              /* the history's budget; 0 = the default */
    FILE *side_log;              /* the run's side log (--emit), NULL = none;
                                    its budget is max_trace too */
} cli_report_opts;
/* trace.log by default (neither --trace nor --no-trace): kept for a run of
 * at most RPT_BIG_RUN_EVENTS events (report.h), by running the seed again
 * with its trace after the run, which determinism makes exact; a big run
 * keeps none and pays nothing for it, and `ccsim trace DIR` writes it
 * later.  Its pictures: PNG only unless --draw says otherwise. */

/* Runs s and writes its trace into dir (streamed with ro->trace, by a
 * replay for a small run by default, not at all with no_trace) and the
 * whole report there (report.h, and the timeline unless no_plot).  Returns 0 with the
 * verdicts in *o, the finished run in *keep (the caller frees both) and
 * *drawn as cli_plot_run's result (1 when not drawn); or SIM_EXIT_INPUT
 * (SIM_EXIT_BUDGET past a budget, SIM_EXIT_INTERNAL when the run made again
 * for its trace differs: a bug), the message on stderr, nothing to free
 * and no directory left that the run created. */
int  cli_run_into(const scn *s, const cli_report_opts *ro, const char *dir, cli_outcome *o,
                  sim **keep, int *drawn);
/* Whether a check's verdict is the one `expect:` names. */
bool cli_verdict_matches(scn_verdict want, check_verdict got);
/* s's `expect:` entry for a check, or NULL. */
const scn_expect *cli_expect_for(const scn *s, const char *check);
/* The exit code for a set of verdicts: 1 if any violation, else 3 if any
 * unknown, else 0. */
int  cli_exit_for(const cli_outcome *o);

#endif
