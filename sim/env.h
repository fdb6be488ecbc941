/* env.h -- the narrow world a protocol model sees (STYLE.md 7).
 *
 * A model (a Redis node, a lock client, a storage server) is a state struct
 * plus the callbacks of model_ops.  It never includes engine internals: it
 * reads its node's LOCAL clocks, sends messages, sets timers, draws from its
 * own random stream, and records history, all through the functions below.
 * The engine stamps everything it records with TRUE time.
 *
 * Clocks.  Each node has a wall clock (local = offset + rate*true + jumps:
 * what gettimeofday() says; Redis expiries use it) and a monotonic clock
 * (rate*true, never jumps: what timers and elapsed-time measurements use).
 *
 * Node states.  While a node is paused (GC, SIGSTOP) no callback runs; its
 * messages and due timers wait and are delivered in order when it resumes.
 * When it crashes, on_crash runs (drop volatile state), pending timers are
 * cancelled and messages to it are dropped; on_restart runs when it comes
 * back.  Durable state is whatever the model keeps across on_crash.
 *
 * Crash or power loss.  A node goes down in one of two ways (scenario
 * faults `crash:` and `power-loss:`):
 *  - a crash is a process crash (kill -9, a segfault, the OOM killer): the
 *    OS survives, so what the process wrote to files stays (in the page
 *    cache, fsynced or not) and the bytes it already handed to the kernel
 *    (socket send buffers: every env_send made before the crash) still go
 *    out;
 *  - a power loss is a crash of the host (power cut, kernel panic, a VM
 *    killed): only what the process fsynced survives, and the host's kernel
 *    buffers are gone, so the messages it sent that have not arrived yet are
 *    lost too (the engine drops them).
 * A model with durable state asks env_crash_is_power_loss() in on_crash and
 * keeps, on a power loss, only what it had forced to disk.  A model whose
 * durable writes are all forced before it acts on them needs no change: for
 * it the two are the same.
 *
 * Determinism: callbacks for one node run one at a time, in (time, seq)
 * order; two sends at the same instant are delivered in send order when
 * their latencies are equal.
 */
#ifndef CCSIM_ENV_H
#define CCSIM_ENV_H

#include "sim/base.h"
#include "sim/hist.h"

typedef struct env env;            /* the engine's per-node handle, opaque */
typedef int32_t node_id;
typedef uint64_t timer_id;         /* 0 = none */

#define ENV_MSG_BODY_MAX 160       /* bytes of one message body */

/* ---- identity and topology ---- */
node_id     env_self(const env *e);
const char *env_node_name(const env *e, node_id n);
const char *env_node_role(const env *e, node_id n);
uint32_t    env_node_count(const env *e);
/* The nodes of a role, in scenario order; returns how many (<= max). */
uint32_t    env_nodes_of_role(const env *e, const char *role, node_id *out, uint32_t max);
/* The protocol's cfg struct (filled from `params:`) and the workload's
 * (filled from `workload:`); NULL when there is none. */
const void *env_proto_config(const env *e);
const void *env_workload_config(const env *e);
/* The part of the protocol's cfg this node's role reads (family.h's
 * proto_role.config): the `redis.*` params for a redis node inside
 * redlock; NULL when the role names none (the model's defaults apply). */
const void *env_config(const env *e);
/* The scenario's protocol descriptor (family.h).  A workload driver uses it
 * to reach the protocol's client library, e.g. proto_desc.lock_client. */
const struct proto_desc *env_protocol(const env *e);
/* The data the run's workload loads into a resource before the run (the
 * db node's rows: family.h's workload_desc.seed fills *out, out_size bytes
 * of the resource's own seed type).  False when the workload loads none. */
bool env_load_seed(const env *e, void *out, size_t out_size);

/* ---- clocks (local readings; never true time) ---- */
sim_time env_now_wall(const env *e);
sim_time env_now_mono(const env *e);

/* ---- messages ---- */
/* Sends a message; the network may delay, drop, duplicate or reorder it.
 * Returns false only if the engine's in-flight bound is reached (the run
 * then ends with an error).  len <= ENV_MSG_BODY_MAX. */
bool env_send(env *e, node_id to, uint32_t type, const void *body, uint32_t len);

/* ---- timers ---- */
/* Fires after `delay` on this node's monotonic clock (late if paused). */
timer_id env_timer(env *e, sim_time delay, uint32_t tag, uint64_t arg);
/* Fires when this node's WALL clock reads >= deadline; re-planned when the
 * clock jumps or changes rate (Redis active expiry uses it). */
timer_id env_timer_wall(env *e, sim_time wall_deadline, uint32_t tag, uint64_t arg);
void     env_timer_cancel(env *e, timer_id t);

/* ---- randomness: this node's own stream ---- */
uint64_t env_random(env *e);
uint64_t env_random_below(env *e, uint64_t n);

/* ---- history (DESIGN.md 3, hist.h) ---- */
/* Records the invocation of a client operation; returns its id. */
uint32_t env_op_invoke(env *e, hist_f f, const hist_op_fields *fields);
/* The same for a node that runs several logical clients (a shop node
 * serving 1000 buyers): the op's Jepsen :process is `process` instead of
 * the node's, so each logical client stays one sequential process in
 * history.edn.  [added by the db engineer] */
uint32_t env_op_invoke_as(env *e, uint32_t process, hist_f f, const hist_op_fields *fields);
/* Completes op `id` (result ok/fail/info); fields: value_out, note, token,
 * epoch (ACQUIRE ok: the new lock epoch). */
void     env_op_complete(env *e, uint32_t id, hist_result r, const hist_op_fields *fields);
/* For on_crash: the op *op (HIST_NONE: none pending) completes as info with
 * `note` (Jepsen's rule: an op whose process crashed may or may not have
 * taken effect), and *op becomes HIST_NONE. */
void     env_op_abandon(env *e, uint32_t *op, const char *note);
/* A new lock epoch (1, 2, 3...), handed out in the true-time order of calls. */
int64_t  env_new_epoch(env *e);
/* Records an effect at this node (t_ns, local_ns and node are filled in). */
void     env_effect(env *e, const hist_effect_fields *fields);
/* The history so far (read only). */
const hist *env_history(const env *e);
/* The protected counter's initial value, for the lost-update check. */
void     env_set_initial_value(env *e, int64_t value);

/* ---- crashes ---- */
/* Inside on_crash: true when this crash is a power loss (the host went down:
 * keep only what was fsynced), false for a process crash (what was written
 * stays).  False outside on_crash. */
bool env_crash_is_power_loss(const env *e);

/* ---- trace.log ---- */
void env_trace(env *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Whether env_trace writes anything: a model may skip building a line's
 * pieces when it does not, never decide anything else on it. */
bool env_trace_on(const env *e);

/* ---- the side log (sim_options.side_log: `ccsim run --emit`) ----
 * A record log a model writes beside trace.log for a reader outside ccsim
 * (the Redis command log, docs/redis-log.md).  It is recorded only when the
 * run was asked for it: otherwise env_side_log_on is false and a model
 * renders nothing, so a run without it costs nothing and writes the same
 * bytes.  Writing it never changes the run (no model may decide anything
 * on env_side_log_on).  Lines count against the run's side-log budget. */
bool env_side_log_on(const env *e);
/* One record: the engine writes "TRUE_NS<TAB>NODE<TAB>WALL_NS<TAB>MONO_NS<TAB>"
 * (true time, this node's name and its clocks' readings, in ns) then
 * `fields` (TAB-separated, escaped by the model) and a newline.  Nothing
 * when the side log is off. */
void env_side_log(env *e, const char *fields);
/* One line as is (a newline is added): only from model_ops.side_log_head. */
void env_side_log_head(env *e, const char *line);

/* What model_ops.side_log_head is told about the run. */
typedef struct env_side_log_run {
    const char *scenario;          /* the scenario's name */
    uint64_t seed;                 /* the run's root seed */
    bool first;                    /* no node's head has written before this one */
} env_side_log_run;

/* ---- the model interface ---- */
typedef struct model_ops {
    const char *name;              /* "redis", "setnx-lock-client", "storage" */
    size_t state_size;             /* bytes the engine allocates, zeroed */
    void (*init)(void *state, env *e);
    void (*on_message)(void *state, env *e, node_id from, uint32_t type,
                       const void *body, uint32_t len);
    void (*on_timer)(void *state, env *e, uint32_t tag, uint64_t arg);
    void (*on_crash)(void *state, env *e);     /* lose volatile state; a power loss
                                                  (env_crash_is_power_loss) also
                                                  loses what was not fsynced */
    void (*on_restart)(void *state, env *e);   /* come back up */
    /* Writes this node's head lines of the side log (env_side_log_head);
     * called only when the run records one, once per node in node order
     * before the first event, whatever the node's faults.  The model's
     * state is not initialized yet; it may read its config, names and
     * roles, and must not send, set timers or record history.  NULL = none. */
    void (*side_log_head)(env *e, const env_side_log_run *run);
    /* Writes this node's last records of the side log (env_side_log), at
     * the horizon after the last event, once per node in node order, when
     * the run records one and did not fail.  It may read its state, and
     * must not send, set timers or record history.  NULL = none. */
    void (*side_log_tail)(void *state, env *e);
    /* The bytes to allocate for this node's state when they depend on the
     * run (a workload's table of logical clients sized by its config):
     * called once at setup, before init; it may read the configs, its node's
     * id, names and roles only.  NULL = state_size. */
    size_t (*state_size_for)(const env *e);
} model_ops;

#endif
