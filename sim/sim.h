/* sim.h -- the engine: one deterministic run of a loaded scenario.
 *
 *   scn_load() -> sim_create() -> sim_run() -> sim_history() -> checks -> reports
 *
 * sim_create() validates what only the protocol can judge (its params, its
 * roles, the workload) and reports input errors as "file:line:col: error:";
 * sim_run() runs the event loop to the horizon.  Everything a run does
 * hangs off the `sim` (STYLE.md 16): two sims can run side by side in one
 * process and must produce the same bytes for the same scenario and seed.
 */
#ifndef CCSIM_SIM_H
#define CCSIM_SIM_H

#include <stdio.h>

#include "sim/hist.h"
#include "sim/scenario/scn.h"

typedef struct sim sim;

typedef struct sim_options {
    uint64_t seed;               /* used when seed_set; else the scenario's seed */
    bool seed_set;
    FILE *trace;                 /* trace.log lines go here; NULL = none */
    /* Tests may bring their own protocol and workload instead of the
     * registry's (the scenario's `protocol:` is then ignored). */
    const struct proto_desc *proto;
    const struct workload_desc *workload;
} sim_options;

typedef struct sim_stats {
    uint64_t events;             /* events executed */
    uint64_t messages_sent, messages_delivered, messages_dropped, messages_duplicated;
    uint64_t timers_fired;
    sim_time end_ns;             /* true time the run stopped at (= duration) */
    uint64_t seed;
} sim_stats;

/* Returns 0, or -1 with "path:line:col: error: ..." (exit 2). */
int  sim_create(const scn *s, const sim_options *opt, sim **out, char *err, size_t err_len);
/* Where trace.log lines go (NULL = nowhere); before sim_run. */
void sim_set_trace(sim *s, FILE *trace);
/* Runs to the horizon.  Returns 0, or -1 when a bound was hit (message names
 * the bound and the key that raises it). */
int  sim_run(sim *s, char *err, size_t err_len);
const hist *sim_history(const sim *s);
sim_stats   sim_get_stats(const sim *s);
const scn  *sim_scenario(const sim *s);
void sim_destroy(sim *s);
/* The checks this run is judged by: the scenario's `checks:`, or the
 * protocol's defaults.  Returns how many names were written (<= max). */
uint32_t sim_check_names(const sim *s, const char **out, uint32_t max);

#endif
