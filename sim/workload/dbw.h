/* dbw.h -- what the database workloads share: logical clients (sessions)
 * on a client node, their requests and timers, their history ops, retries,
 * and the data each workload loads into the db node (workload_desc.seed).
 *
 * A client node runs any number of sessions (a shop node serving 1000
 * buyers); each is one logical client with its own Jepsen :process, one
 * connection to the db, and one op at a time.  The workload supplies three
 * callbacks (dbw_logic): start (the session's arrival time), reply (the db
 * answered), think (a think or backoff timer fired); the framework routes
 * messages and timers to them.  Sessions are numbered 1.. per node.
 *
 * History: ops are invoked with env_op_invoke_as(process); a crash of the
 * client completes its pending ops as info; a request with no reply within
 * `request_timeout` completes the op as info (its outcome is unknown).
 * Retries record a RETRY effect at the client (hist.h).
 */
#ifndef CCSIM_DBW_H
#define CCSIM_DBW_H

#include "protocols/db/db_client.h"
#include "sim/config.h"
#include "sim/env.h"

/* Sessions on one node: each schedules its arrival timer at init, so the
 * engine's events in flight (SIM_SLOTS_MAX, 4 Mi) bound them too. */
#define DBW_SESSIONS_MAX (1u << 20)
#define DBW_LIST_MAX 16             /* items in a list-valued parameter ("60, 50") */
#define DBW_SCRATCH 8               /* workload values kept per session */

enum { DBW_TAG_START = 1, DBW_TAG_THINK = 2, DBW_TAG_TIMEOUT = 3 };

/* The phase in which a session waits for the COMMIT / ROLLBACK that closes
 * its transaction before its op fails with s->note (dbw answers it). */
#define DBW_PHASE_CLOSE 1000u

typedef struct dbw_session {
    uint32_t index;          /* in the node's table; its db session id is index + 1 */
    uint32_t process;        /* Jepsen :process: the logical client's number */
    uint32_t op;             /* the pending op, HIST_NONE if none */
    uint32_t req_out;        /* the outstanding request, 0 = none */
    timer_id req_timer;
    uint32_t attempt;        /* of the current op, from 1 */
    uint32_t phase;          /* the workload's state */
    uint32_t step;           /* the workload's position inside a phase */
    bool txn_open;           /* the db's last reply said a transaction is open */
    bool done;
    int64_t v[DBW_SCRATCH];  /* the workload's values: what it read, versions... */
    char note[HIST_NOTE_MAX];   /* an outcome decided before a transaction is closed */
    uint32_t restart;        /* after closing: 0 = fail with note, else retry into this phase */
} dbw_session;

typedef struct dbw_core dbw_core;

typedef struct dbw_logic {
    void (*start)(dbw_core *w, env *e, dbw_session *s);
    void (*reply)(dbw_core *w, env *e, dbw_session *s, const db_reply *p);
    void (*think)(dbw_core *w, env *e, dbw_session *s);
} dbw_logic;

struct dbw_core {
    const void *cfg;         /* the workload's */
    const dbw_logic *logic;
    node_id db;
    sim_time request_timeout_ns;   /* -1 = none */
    uint32_t count;
    uint32_t req_next;
    bool crashed;
    int64_t retries;               /* the retry policy (dbw_policy); -1 = no limit */
    sim_time backoff_ns, backoff_max_ns;
    uint32_t cap;                  /* room in s, sized at setup (dbw_state_size) */
    dbw_session *s;                /* after the driver's struct, in its state */
};

/* ---- the framework (a workload's model_ops call these) ---- */
/* A driver's state is its struct (head bytes, beginning with its dbw_core)
 * and then the table of its sessions, so that one allocation sized at
 * setup holds them (1 000 000 buyers on one shop node cost their sessions,
 * a 2-user run no more): its model_ops.state_size_for returns
 * dbw_state_size(head, sessions), and its init passes the same two to
 * dbw_init. */
size_t dbw_state_size(size_t head, uint32_t sessions);
/* The sessions dbw_add_every(clients, count) adds on node self. */
uint32_t dbw_sessions_every(const param_nodes *clients, int64_t count, node_id self);
void dbw_init(dbw_core *w, env *e, const dbw_logic *logic, sim_time request_timeout_ns,
              size_t head, uint32_t sessions);
/* The retry policy: retries after the first attempt (-1 = no limit), and
 * the exponential backoff with full jitter (base 0 = at once). */
void dbw_policy(dbw_core *w, int64_t retries, sim_time backoff_ns, sim_time backoff_max_ns);
/* Adds a logical client that starts at `start` (monotonic delay from now). */
dbw_session *dbw_add(dbw_core *w, env *e, uint32_t process, sim_time start);
/* Adds logical clients 0..count-1 that run on this node (k mod the number
 * of client nodes = this node's place), client k starting at start + k*every. */
void dbw_add_every(dbw_core *w, env *e, const param_nodes *clients, int64_t count, sim_time start,
                   sim_time every);
/* model_ops callbacks as they are: a driver's state must begin with its
 * dbw_core, so these go straight into its model_ops. */
void dbw_on_message(void *state, env *e, node_id from, uint32_t type, const void *body, uint32_t len);
void dbw_on_timer(void *state, env *e, uint32_t tag, uint64_t arg);
void dbw_on_crash(void *state, env *e);
bool dbw_invariants_ok(const dbw_core *w);

/* ---- what a workload's callbacks use ---- */
void dbw_send(dbw_core *w, env *e, dbw_session *s, const db_stmt *stmts, uint32_t n, uint8_t flags);
void dbw_invoke(dbw_core *w, env *e, dbw_session *s, hist_f f, const hist_op_fields *fields);
/* Completes the pending op; note may be "" (has_value: value_out). */
void dbw_complete(dbw_core *w, env *e, dbw_session *s, hist_result r, bool has_value,
                  int64_t value, const char *note);
void dbw_think(dbw_core *w, env *e, dbw_session *s, sim_time delay);
/* Completes the op and ends the session. */
void dbw_finish(dbw_core *w, env *e, dbw_session *s, hist_result r, bool has_value, int64_t value,
                const char *note);
/* Fails the op with note, after a COMMIT (or ROLLBACK) of the transaction
 * the db says is open on the session. */
void dbw_close_then_fail(dbw_core *w, env *e, dbw_session *s, bool commit, const char *note);
/* Retries (phase = restart, after the backoff) if the policy allows, else
 * fails the op "gave up after N attempts (why)"; an open transaction is
 * rolled back first. */
void dbw_retry_or_fail(dbw_core *w, env *e, dbw_session *s, uint32_t restart, const char *why);
/* The db answered an error: a retryable one (40001, 40P01, 1213) is
 * retried (after a ROLLBACK of the failed transaction block, if open),
 * others fail the op (after the ROLLBACK). */
void dbw_on_error(dbw_core *w, env *e, dbw_session *s, const db_reply *p, uint32_t restart);
/* Schedules attempt+1 after the backoff if the policy allows: records
 * RETRY (why) and returns true; false = give up. */
bool dbw_retry(dbw_core *w, env *e, dbw_session *s, const char *why);

/* ---- parameters ---- */
/* The param rows every db workload shares: `backoff` (help text given),
 * `backoff.max` and `request_timeout`, filling fields backoff_ns,
 * backoff_max_ns and request_timeout_ns through AT (the file's CFG_AT).
 * Expands where sim/scenario/param.h is included. */
#define DBW_BACKOFF_HELP "base wait before a retry (doubled per attempt, full jitter)"
#define DBW_BACKOFF_SPECS(AT, BACKOFF_HELP)                                                  \
    PARAM_DURATION_SPEC("backoff", "0ms", BACKOFF_HELP, AT(backoff_ns), 0, PARAM_NO_MAX),     \
    PARAM_DURATION_SPEC("backoff.max", "1s", "the cap of the backoff", AT(backoff_max_ns), 0, \
                        PARAM_NO_MAX),                                                        \
    PARAM_DURATION_OR_NONE_SPEC("request_timeout", "none",                                    \
                                "no reply in time = outcome unknown (info)",                  \
                                AT(request_timeout_ns), 0, PARAM_NO_MAX)
/* The node's index among the workload's client nodes, -1 if not one. */
int32_t dbw_member(const param_nodes *clients, node_id self);

#endif
