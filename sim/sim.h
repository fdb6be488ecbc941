/* sim.h -- the engine: one deterministic run of a loaded scenario.
 *
 *   scn_load() -> sim_create() -> sim_run() -> sim_history() -> checks -> reports
 *
 * sim_create() validates what only the protocol can judge (its params, its
 * roles, the workload's params) and reports input errors as
 * "file:line:col: error:";
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

/* A message as the network handled it, for pictures (the timeline's
 * arrows; reports/plot.h).  One note per copy sent: arrive_ns is when it
 * reaches `to`, SIM_TIME_NEVER when it was lost or its link was down at
 * send.  A copy dropped where it arrives (its link went down meanwhile, or
 * `to` is crashed) gets a second note with dropped = true, arrive_ns =
 * that instant and sent_ns = SIM_TIME_NEVER (match it to its first note by
 * from, to and arrive_ns).  Notes come in event order; the callback must
 * not touch the sim. */
typedef struct sim_msg_note {
    int32_t from, to;            /* node indices */
    uint32_t type;               /* the protocol's message type */
    sim_time sent_ns, arrive_ns; /* true time */
    bool dropped;
} sim_msg_note;
typedef void (*sim_msg_fn)(void *ctx, const sim_msg_note *note);

typedef struct sim_options {
    uint64_t seed;               /* used when seed_set; else the scenario's seed */
    bool seed_set;
    FILE *trace;                 /* trace.log lines go here; NULL = none */
    /* The protocol the scenario runs and its workload (NULL = none), as
     * the registry resolved them from the scenario's names
     * (registry_sim_create), or a test's own.  proto is required. */
    const struct proto_desc *proto;
    const struct workload_desc *workload;
    /* Turns a message into one trace.log line (the registry's
     * registry_describe_msg); NULL = "message type N (B bytes)". */
    void (*describe_msg)(uint32_t type, const void *body, uint32_t len, char *buf,
                         size_t buf_len);
    /* The names of the history's kinds (the registry's registry_vocab);
     * NULL = the core's kinds only (hist_core_vocab). */
    const hist_vocab *vocab;
    /* Called for every message sent and dropped (sim_msg_note); NULL = no
     * log, and then the engine does no work for it. */
    sim_msg_fn on_message;
    void *on_message_ctx;
} sim_options;

typedef struct sim_stats {
    uint64_t events;             /* events executed */
    uint64_t messages_sent, messages_delivered, messages_dropped, messages_duplicated;
    uint64_t timers_fired;
    sim_time end_ns;             /* true time the run stopped at (= duration) */
    uint64_t seed;
} sim_stats;

/* Binds the scenario to opt->proto and opt->workload: fills their cfg
 * structs from `params:` and `workload:`, runs their validate hooks, gives
 * each node its role's model.  Returns 0, or -1 with "path:line:col:
 * error: ..." (exit 2).  Names are resolved above the engine: the command
 * line and tests call registry_sim_create (sim/registry/registry.h). */
int  sim_create(const scn *s, const sim_options *opt, sim **out, char *err, size_t err_len);
/* Where trace.log lines go (NULL = nowhere); before sim_run. */
void sim_set_trace(sim *s, FILE *trace);
/* Runs to the horizon.  Returns 0, or -1 when a bound was hit (message names
 * the bound and the key that raises it). */
int  sim_run(sim *s, char *err, size_t err_len);
const hist *sim_history(const sim *s);
sim_stats   sim_get_stats(const sim *s);
/* The run scenario: the one given to sim_create, or, when it has a
 * `nemesis:`, a copy with the faults drawn for this seed (sim/nemesis.h).
 * Checks and reports read this one. */
const scn  *sim_scenario(const sim *s);
void sim_destroy(sim *s);
/* The checks this run is judged by: the scenario's `checks:`, or the
 * protocol's defaults.  Returns how many names were written (<= max). */
uint32_t sim_check_names(const sim *s, const char **out, uint32_t max);

#endif
