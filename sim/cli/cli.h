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

struct plot_run;
/* Writes dir's timeline files (and latency's, for runs with many ops) and
 * draws them with gnuplot.  Returns 0 when drawn, 1 when gnuplot is missing
 * or failed (one line on stderr, prefixed by `who`; the run's other
 * reports and exit code stand), -1 when a file could not be written. */
int  cli_plot_run(const char *dir, const struct plot_run *pr, const char *who);
/* A --seed value: decimal digits, 0 to 2^64-1.  Returns 0, or -1 with why
 * it is refused ("needs a non-negative integer", "... is too large"). */
int  cli_parse_seed(const char *text, uint64_t *out, char *why, size_t why_len);
/* Prints " --set 'K=V'" for each of s's overrides (a reproduce line). */
void cli_print_sets(const scn *s);

/* One run, judged: used by both `run` and `check`. */
typedef struct cli_outcome {
    check_result results[SCN_CHECKS_MAX];
    size_t result_count;
    sim_stats stats;
    double wall_s;               /* for people only; never written to reports */
} cli_outcome;

/* Runs an already created sim to its horizon and judges it with its checks.
 * Returns 0, or SIM_EXIT_INPUT with the message printed to stderr. */
int  cli_judge(sim *run, cli_outcome *o);
/* registry_sim_create + cli_judge, for runs that need no trace.  On success with
 * keep != NULL the caller owns *keep (sim_destroy). */
int  cli_execute(const scn *s, const sim_options *opt, cli_outcome *o, sim **keep);
void cli_outcome_free(cli_outcome *o);
/* The exit code for a set of verdicts: 1 if any violation, else 3 if any
 * unknown, else 0. */
int  cli_exit_for(const cli_outcome *o);

#endif
