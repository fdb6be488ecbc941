/* sweep.h -- `ccsim sweep`: one scenario over many seeds, in worker
 * processes, tallied per check (docs/sweeps.md).
 *
 * sweep_scenario() forks `jobs` workers; worker w runs the shard's seeds
 * w, w+jobs, w+2*jobs, ... (by index in the shard) through a runner (by
 * default sweep_run_seed: the path `ccsim run` takes, without a trace) and
 * sends one record per seed back over its pipe.  The tally depends only on
 * the scenario and the seeds, never on `jobs` or on timing: counts are
 * sums, and the seeds listed are kept ordered by seed.  A worker that dies
 * (a signal, an assertion's abort) is replaced by one that flushes after
 * every seed, which reruns the seeds whose records were lost with it and
 * dies again on the guilty seed: that seed is listed as crashed and the
 * sweep goes on after it.
 *
 * A seed *fails* when a judged check's verdict differs from the scenario's
 * `expect:` for that check, or, for a check `expect:` does not name (or
 * with ignore_expect), when it is a violation.  Judged = every check, or
 * the ones named by --check.
 */
#ifndef CCSIM_SWEEP_H
#define CCSIM_SWEEP_H

#include "sim/cli/cli.h"

/* Exit codes: run's (base.h SIM_EXIT_*), and one for ccsim's own bugs. */
#define SWEEP_EXIT_INTERNAL 4    /* a worker died (assertion, signal) on some seed */

typedef enum { SWEEP_FAILING = 0, SWEEP_ERROR, SWEEP_CRASHED } sweep_status;

typedef struct sweep_fail {      /* one failing check of a listed seed */
    uint8_t check;               /* index in the tally's checks */
    uint8_t verdict;             /* check_verdict */
    char *summary;               /* heap: the check's one-line summary */
} sweep_fail;

typedef struct sweep_seed {      /* a seed the report names */
    uint64_t seed;
    sweep_status status;
    uint32_t fail_count;         /* SWEEP_FAILING */
    sweep_fail fails[SCN_CHECKS_MAX];
    char *message;               /* heap; SWEEP_ERROR: the run's error; SWEEP_CRASHED: how it died */
} sweep_seed;

typedef struct sweep_list { sweep_seed *items; size_t count, cap; } sweep_list;

typedef struct sweep_check {
    char name[SIM_NAME_MAX];
    int expect;                  /* scn_verdict, or -1 when `expect:` does not name it */
    bool judged;                 /* decides failing (all, or the --check ones) */
    uint64_t verdicts[3];        /* seeds per check_verdict */
    uint64_t failing;            /* seeds on which this check failed */
} sweep_check;

typedef struct sweep_range {
    uint64_t from, to;           /* --seeds FROM..TO, both run */
    uint32_t shard, shards;      /* --shard K/N, 0 <= K < N; 0/1 = all */
} sweep_range;

typedef struct sweep_tally {     /* one scenario's sweep; what sweep.json holds */
    char name[SIM_NAME_MAX * 2];
    char path[1024];
    char *sets;                  /* heap: " --set 'K=V'"... for the reproduce lines, or "" */
    sweep_check checks[SCN_CHECKS_MAX];
    uint32_t check_count;
    uint64_t seeds_run;          /* seeds that ran to the end (not crashed, no error) */
    uint64_t failing, unknown;   /* seeds failing; seeds with an unknown that did not fail */
    uint64_t errors, crashed;    /* seeds that could not run; seeds whose worker died */
    bool nemesis;                /* the scenario draws faults (faults_drawn counts them) */
    uint64_t faults_drawn[SCN_FAULT_KIND_COUNT];   /* by the nemesis, over the seeds reported */
    uint64_t verified;           /* seeds run twice by --verify, the same both times */
    sweep_list listed;           /* failing seeds, the first `show` by seed (0 = all) */
    sweep_list trouble;          /* errored and crashed seeds, the first `show` by seed */
} sweep_tally;

/* A runner runs one seed and judges it: 0 with o filled, or non-zero with
 * the message in err.  It runs in a worker process. */
typedef int (*sweep_runner)(const scn *s, uint64_t seed, cli_outcome *o, char *err,
                            size_t err_len, void *ctx);

typedef struct sweep_plan {
    sweep_range range;
    uint32_t jobs;               /* worker processes, >= 1 */
    uint32_t show;               /* failing seeds listed; 0 = all */
    bool ignore_expect;          /* failing = a violation, whatever `expect:` says */
    const char *only[SCN_CHECKS_MAX];   /* --check NAME...: the checks judged; none = all */
    uint32_t only_count;
    bool progress;               /* a progress line on stderr */
    uint32_t verify_ppm;         /* --verify P%: seeds (ppm) also run twice and compared */
    sweep_runner runner;         /* NULL = sweep_run_seed */
    void *runner_ctx;
} sweep_plan;

/* The default runner: cli_execute_err with the seed and no trace. */
int  sweep_run_seed(const scn *s, uint64_t seed, cli_outcome *o, char *err, size_t err_len,
                    void *ctx);
/* Whether --verify at ppm picks this seed: a fixed draw from the seed, so
 * every shard and job count picks the same seeds. */
bool sweep_verifies(uint64_t seed, uint32_t ppm);
/* How many seeds the shard runs. */
uint64_t sweep_range_count(const sweep_range *r);
/* Parses "A..B" / "K/N" (0-based K).  0, or -1 with why. */
int  sweep_parse_seeds(const char *text, sweep_range *r, char *why, size_t why_len);
int  sweep_parse_shard(const char *text, sweep_range *r, char *why, size_t why_len);

/* Fills t's header and checks from s (the checks a run of s is judged by).
 * Returns 0, or SIM_EXIT_INPUT with the message in err (a bad --check). */
int  sweep_tally_init(sweep_tally *t, const scn *s, const sweep_plan *p, char *err,
                      size_t err_len);
void sweep_tally_free(sweep_tally *t);
/* Runs the shard's seeds of s in p->jobs workers into t (initialised).
 * Returns 0, or -1 when a worker could not be started (message on stderr). */
int  sweep_scenario(const scn *s, const sweep_plan *p, sweep_tally *t);
/* Adds a named seed to a list kept ordered by seed, at most max long
 * (0 = no limit); the list takes the seed's heap strings, or frees them. */
void sweep_list_add(sweep_list *l, sweep_seed *seed, uint32_t max);
void sweep_seed_free(sweep_seed *s);
/* The exit code for tallies: 4 a worker died, else 2 a seed could not run,
 * else 1 a seed failed, else 3 an unknown, else 0. */
int  sweep_exit_code(const sweep_tally *t, size_t n);

/* sweep_out.c: the table, sweep.json, JUnit, and --merge. */
void sweep_print(FILE *f, const sweep_range *r, const sweep_tally *t, size_t n);
/* Writes whole or not at all (a .tmp renamed).  0, or -1 with the message on stderr. */
int  sweep_write_json(const char *file, const sweep_range *r, const sweep_plan *p,
                      const sweep_tally *t, size_t n);
int  sweep_write_junit(const char *file, const sweep_range *r, const sweep_tally *t, size_t n);
/* Reads shards' sweep.json files into one: *r the whole range (shard 0/1),
 * *p's show and ignore_expect, *t and *n the scenarios (caller frees).  Returns
 * 0, or SIM_EXIT_INPUT with "file:line:col: error: ..." on stderr. */
int  sweep_merge(const char *const *files, size_t file_count, sweep_range *r, sweep_plan *p,
                 sweep_tally **t, size_t *n);

#endif
