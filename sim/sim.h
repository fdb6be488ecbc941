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
 * send.  A copy dropped where it arrives (its link went down meanwhile,
 * `to` is crashed, or its sender lost power while it was on its way) gets a
 * second note with dropped = true, arrive_ns =
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

/* What the determinism self-check sees of each executed event (docs/engine.md,
 * "Determinism self-check"). */
typedef enum sim_event_kind {
    SIM_EV_MESSAGE = 1, SIM_EV_TIMER, SIM_EV_FAULT, SIM_EV_RESUME, SIM_EV_RESTART, SIM_EV_START
} sim_event_kind;

typedef struct sim_event {
    sim_time t_ns;               /* true time */
    int16_t node;                /* the node it is for (message: destination); -1 none */
    int16_t from;                /* message: the sender; -1 otherwise */
    uint8_t kind;                /* sim_event_kind */
    uint32_t what;               /* message type, timer tag, fault index; 0 otherwise */
} sim_event;

/* The per-event trail a run records when sim_options.trail is set: event
 * i of the run is events[i].  24 bytes per event; free with sim_trail_free. */
typedef struct sim_trail {
    sim_event *events;
    uint64_t count, cap;
} sim_trail;
void sim_trail_free(sim_trail *t);
/* "message", "timer", "fault", "resume", "restart", "start". */
const char *sim_event_kind_name(uint32_t kind);

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
    /* Whether a check judges runs of this protocol and workload (the
     * registry's, from the checks' table): the protocol's default checks
     * that do not are left out of sim_check_names.  NULL = every one. */
    bool (*check_applies)(const char *check, const struct proto_desc *proto,
                          const struct workload_desc *workload);
    /* Called for every message sent and dropped (sim_msg_note); NULL = no
     * log, and then the engine does no work for it. */
    sim_msg_fn on_message;
    void *on_message_ctx;
    /* The run's budgets: it stops, and sim_run returns SIM_RUN_OVER_BUDGET,
     * when it would execute more events than max_events or write more
     * bytes of trace than max_trace_bytes.  0 = the defaults,
     * CONFIG_EVENTS_DEFAULT and CONFIG_TRACE_BYTES_DEFAULT (sim/config.h). */
    uint64_t max_events;
    uint64_t max_trace_bytes;
    /* The history's memory budget (hist.h, hist_bytes): a run that would
     * pass it stops, and sim_run returns SIM_RUN_OVER_BUDGET, as soon as
     * its growth so far says it would (sim_hist_grew).  0 = the default,
     * HIST_BYTES_DEFAULT. */
    uint64_t max_history_bytes;
    /* Records every executed event here (sim_trail); NULL = no trail, the
     * usual case: the event-stream hash in sim_stats is always kept. */
    sim_trail *trail;
    /* The side log (env.h, `ccsim run --emit`): the models' head lines,
     * then their records, stamped by the engine, in the order the run
     * makes them.  NULL = none: models render nothing, and the run is the
     * same to the byte.  Its budget is max_side_log_bytes (0 = the
     * default, CONFIG_TRACE_BYTES_DEFAULT): a run that would write more
     * stops, and sim_run returns SIM_RUN_OVER_BUDGET. */
    FILE *side_log;
    uint64_t max_side_log_bytes;
} sim_options;

typedef struct sim_stats {
    uint64_t events;             /* events executed */
    uint64_t messages_sent, messages_delivered, messages_dropped, messages_duplicated;
    uint64_t timers_fired;
    sim_time end_ns;             /* true time the run stopped at (= duration) */
    uint64_t seed;
    /* A hash of the event stream: every executed event's true time, node,
     * kind, sender and message type / timer tag / fault index, chained in
     * order, so its index counts too (sim_event_hash).  Same binary,
     * scenario and seed: same hash. */
    uint64_t event_hash;
} sim_stats;

#define SIM_EVENT_HASH_INIT UINT64_C(0xcbf29ce484222325)

/* The hash after one more event, from the hash before it.  The event's
 * words are multiplied apart off the chain, then one multiply-xor step
 * chains them in (each step is a bijection of h, so one differing event
 * always changes the hash); an event's index is its place in the chain. */
static inline uint64_t sim_event_hash(uint64_t h, const sim_event *ev) {
    uint64_t word = (uint64_t)ev->what << 24 ^ (uint64_t)(uint8_t)ev->from << 16 ^
                    (uint64_t)(uint8_t)ev->node << 8 ^ ev->kind;
    /* Nodes past 255: their high bits on top (none below, so the hashes
     * of runs of fewer nodes are what they were with 8-bit nodes). */
    word ^= (uint64_t)(ev->from > 0 ? ev->from >> 8 : 0) << 56 ^
            (uint64_t)(ev->node > 0 ? ev->node >> 8 : 0) << 50;
    h ^= (uint64_t)ev->t_ns ^ word * UINT64_C(0xc4ceb9fe1a85ec53);
    h *= UINT64_C(0x9e3779b97f4a7c15);
    return h ^ (h >> 31);
}

/* Binds the scenario to opt->proto and opt->workload: fills their cfg
 * structs from `params:` and `workload:`, runs their validate hooks, gives
 * each node its role's model.  Returns 0, or -1 with "path:line:col:
 * error: ..." (exit 2).  Names are resolved above the engine: the command
 * line and tests call registry_sim_create (sim/registry/registry.h). */
int  sim_create(const scn *s, const sim_options *opt, sim **out, char *err, size_t err_len);
/* Where trace.log lines go (NULL = nowhere); before sim_run. */
void sim_set_trace(sim *s, FILE *trace);
/* Runs to the horizon.  Returns 0, -1 when a bound was hit (message names
 * the bound and the key that raises it), or SIM_RUN_OVER_BUDGET when the run
 * passed its event, trace or side-log budget (message names the budget and
 * the option that raises it); err is then "path: error: ...". */
#define SIM_RUN_OVER_BUDGET (-2)
int  sim_run(sim *s, char *err, size_t err_len);
const hist *sim_history(const sim *s);
sim_stats   sim_get_stats(const sim *s);
/* The run scenario: the one given to sim_create, or, when it has a
 * `nemesis:`, a copy with the faults drawn for this seed (sim/nemesis.h).
 * Checks and reports read this one. */
const scn  *sim_scenario(const sim *s);
/* The run's outcome in its workload's words (workload_desc.outcome), after
 * sim_run; "" when the workload tells none. */
void sim_outcome(const sim *s, char *buf, size_t len);
void sim_destroy(sim *s);
/* The checks this run is judged by: the scenario's `checks:`, or the
 * protocol's defaults that apply to its workload (sim_options.check_applies).  Returns how many names were written (<= max); they
 * live as long as the scenario given to sim_create, not just the sim. */
uint32_t sim_check_names(const sim *s, const char **out, uint32_t max);

#endif
