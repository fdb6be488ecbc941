/* report.h -- the report directory of a run (DESIGN.md 9 is the contract).
 *
 *   summary.json   verdicts, counts, seed, scenario digest, version
 *   history.edn    the client history in Jepsen EDN (Knossos conventions)
 *   story.txt      the story of each violation, in true time
 *   faults.yaml    with a `nemesis:`: every fault of the run, scripted and drawn
 *   trace.log      written by the engine while it runs (not here)
 *
 * Files are written whole or not at all: each goes to NAME.tmp and is
 * renamed into place.  Same input, same bytes: nothing here reads a wall
 * clock, and numbers are printed from integers.
 */
#ifndef CCSIM_REPORT_H
#define CCSIM_REPORT_H

#include <stdio.h>

#include "sim/check/check.h"
#include "sim/hist.h"
#include "sim/scenario/scn.h"

#define CCSIM_VERSION "0.1.0"

/* A big run: more than this many events.  By default it keeps no trace.log
 * (about 120 bytes an event, costlier than the simulation) and draws its
 * pictures as PNG only; `--trace` and `--draw png,svg` ask for the rest, and
 * `ccsim trace DIR` and `ccsim plot DIR` make them later (docs/trace.md).
 * Every scenario of the library is smaller (the largest, D3, 91 050
 * events), so its report directory holds every file DESIGN.md 9 lists. */
#define RPT_BIG_RUN_EVENTS 100000u
static inline bool rpt_big_run(uint64_t events) { return events > RPT_BIG_RUN_EVENTS; }

typedef struct rpt_run {
    const scn *s;
    const hist *h;
    uint64_t seed;
    uint64_t events;
    uint64_t messages_sent, messages_dropped;
    sim_time end_ns;
    uint64_t scenario_digest;    /* FNV-1a 64 of the scenario file's bytes */
    const check_result *results;
    size_t result_count;
    /* The run's outcome in its workload's words (sim_outcome), told first:
     * summary.json's "outcome" and story.txt's first line after the
     * header.  NULL or "" = none (summary.json then has no "outcome"). */
    const char *outcome;
} rpt_run;

/* Creates dir (and parents) if needed; writes summary.json, history.edn and
 * story.txt.  Returns 0, or -1 with a message naming the file. */
int rpt_write_dir(const char *dir, const rpt_run *run, char *err, size_t err_len);
/* The summary JSON (as in summary.json) to any stream, for `run --json`. */
void rpt_write_summary_json(FILE *f, const rpt_run *run);
/* One op map per line, invokes and completions sorted by (true time, op id,
 * invoke first); :time in ns, :index = line number, plus :node, :epoch,
 * :token, :error where present.  Pending ops have no completion line; after
 * an :info completion the client's next op gets a fresh :process
 * (process + k * process count), as Jepsen does (docs/checks.md).
 * Written by history_edn.c. */
void rpt_write_history_edn(FILE *f, const rpt_run *run);
/* Each violation's (and unknown's) summary and indented story, or
 * "no violations". */
void rpt_write_story(FILE *f, const rpt_run *run);
/* faults.yaml, for a scenario with a nemesis: the run's whole fault list
 * as a `faults:` list to paste back (drawn ones marked "# nemesis"). */
void rpt_write_faults_yaml(FILE *f, const rpt_run *run);
/* FNV-1a 64 of a file's bytes; 0 if it cannot be read. */
uint64_t rpt_file_digest(const char *path);
/* mkdir -p; 0 or -1 with errno set. */
int rpt_mkdirs(const char *dir);
/* Writes dir/name whole or not at all: fn writes to dir/name.tmp, which is
 * renamed into place only if every write succeeded.  0, or -1 with a
 * message naming the file. */
typedef void (*rpt_file_writer)(FILE *f, const void *ctx);
int rpt_write_whole(const char *dir, const char *name, rpt_file_writer fn, const void *ctx,
                    char *err, size_t err_len);

#endif
