/* dblock_client.c -- the db-lock-table client library (lock_api.h).
 *
 * Takes the lock as the pattern is written: INSERT ... ON CONFLICT, then
 * SELECT owner; the lock is ours when the owner read back is our value.
 * Waiters poll (the table has no notification).  Main invariant: at most
 * one statement is outstanding, with a timeout timer, and a reply counts
 * only when its request id is the outstanding one.
 *
 * State diagram (the function that takes each edge in brackets):
 *
 *        dbl_acquire [start_attempt: INSERT]
 *   IDLE ----------------------------------> ACQUIRING(INSERT)
 *    ^                                          | reply [on_acquire_reply: SELECT]
 *    |                                          v
 *    |  owner is not us, retries left     ACQUIRING(SELECT) --owner is us [granted]--> HELD
 *    |  [attempt_failed] --> BACKOFF --retry timer [start_attempt]--> ACQUIRING(INSERT)
 *    +-- no retries left [give_up]                                                      |
 *    +-- reply or timeout [release_done] <-- RELEASING <-- dbl_release [DELETE] --------+
 *
 * The lease (lease_check): a client that knows waiters take over a row
 * older than stale_after trusts the lock until attempt start + stale_after
 * on its monotonic clock.  Hooks are called last, after the state is
 * consistent, because the owner may call acquire/release from inside them.
 */
#include "protocols/dblock/dblock.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define DBL_TAG_BASE 1600u
enum { TAG_REQ_TIMEOUT = DBL_TAG_BASE + 1, TAG_RETRY = DBL_TAG_BASE + 2 };
_Static_assert(DBL_TAG_BASE >= LOCK_TAG_MIN, "tags in the lock range");
_Static_assert(DBL_TAG_BASE + 49 <= LOCK_TAG_MAX, "tags in the lock range");

typedef enum { CL_IDLE = 0, CL_ACQUIRING, CL_BACKOFF, CL_HELD, CL_RELEASING } cl_state;

typedef struct dbl_client {
    const dbl_cfg *cfg;
    lock_client_hooks hooks;
    node_id db;
    cl_state state;
    uint32_t step;                /* the outstanding statement: DBL_MSG_*, 0 = none */
    uint32_t req_next, req_out;   /* request ids from 1; 0 = none outstanding */
    timer_id req_timer, retry_timer;
    uint32_t attempts;            /* in the current acquisition */
    uint32_t acquisitions;        /* ever; keeps owner values unique across crashes */
    char value[DBL_VALUE_MAX];    /* "c1:1" */
    sim_time attempt_start_mono;
    sim_time valid_until_mono;
    int64_t token;
    bool last_timed_out;
} dbl_client;

_Static_assert(sizeof(dbl_client) <= LOCK_CLIENT_STATE_MAX, "dbl_client fits a driver's slot");

static bool cl_invariants_ok(const dbl_client *c) {
    if (c->cfg == NULL) return false;
    switch (c->state) {
    case CL_IDLE: return !c->req_out && !c->retry_timer;
    case CL_ACQUIRING:
        return c->req_out && (c->step == DBL_MSG_INSERT || c->step == DBL_MSG_SELECT);
    case CL_BACKOFF: return !c->req_out && c->retry_timer;
    case CL_HELD: return !c->req_out && c->value[0] != '\0';
    case CL_RELEASING: return c->req_out && c->step == DBL_MSG_DELETE;
    }
    return false;
}

/* The param table refuses a timeout <= 0; the floor keeps a run from
 * spinning at one instant should a cfg come from elsewhere. */
static sim_time timeout_of(const dbl_cfg *cfg) { return cfg->timeout_ns > 0 ? cfg->timeout_ns : SIM_MS; }

static void send_stmt(dbl_client *c, env *e, uint32_t type) {
    SIM_ASSERT(c->req_out == 0);
    dbl_req q;
    memset(&q, 0, sizeof q);
    q.req = ++c->req_next;
    q.by_owner = c->cfg->release == DBL_REL_OWNER ? 1 : 0;
    q.stale_ns = c->cfg->stale_after_ns > 0 ? c->cfg->stale_after_ns : 0;
    memcpy(q.value, c->value, sizeof q.value);
    c->req_out = q.req;
    c->step = type;
    env_send(e, c->db, type, &q, sizeof q);
    c->req_timer = env_timer(e, timeout_of(c->cfg), TAG_REQ_TIMEOUT, q.req);
}

static void clear_stmt(dbl_client *c, env *e) {
    SIM_ASSERT(c->req_out != 0);
    env_timer_cancel(e, c->req_timer);
    c->req_timer = 0;
    c->req_out = 0;
    c->step = 0;
}

/* ------------------------------------------------------------ acquire */

static void start_attempt(dbl_client *c, env *e) {
    SIM_ASSERT(c->state == CL_IDLE || c->state == CL_BACKOFF);
    c->state = CL_ACQUIRING;
    c->attempts++;
    c->attempt_start_mono = env_now_mono(e);
    send_stmt(c, e, DBL_MSG_INSERT);
    SIM_ASSERT(cl_invariants_ok(c));
}

static void granted(dbl_client *c, env *e, int64_t version) {
    SIM_ASSERT(c->state == CL_ACQUIRING);
    sim_time stale = c->cfg->stale_after_ns;
    c->state = CL_HELD;
    c->token = c->cfg->fencing ? version : 0;
    c->valid_until_mono = stale > 0 ? c->attempt_start_mono + stale : SIM_TIME_NEVER;
    env_trace(e, "acquired row '%s' as %s (version %" PRId64 ") after %u attempt%s", DBL_NAME,
              c->value, version, c->attempts, c->attempts == 1 ? "" : "s");
    SIM_ASSERT(cl_invariants_ok(c));
    c->hooks.acquired(c->hooks.owner, e, true, c->token, c->valid_until_mono, "");
}

static void give_up(dbl_client *c, env *e, const char *why) {
    char note[HIST_NOTE_MAX];
    snprintf(note, sizeof note, "%sgave up after %u attempts",
             c->last_timed_out ? LOCK_WHY_TIMEOUT ": " : "", c->attempts);
    env_trace(e, "acquire: %s (last: %s)", note, why);
    c->state = CL_IDLE;
    SIM_ASSERT(cl_invariants_ok(c));
    c->hooks.acquired(c->hooks.owner, e, false, 0, 0, note);
}

static void attempt_failed(dbl_client *c, env *e, const char *why, bool timed_out) {
    SIM_ASSERT(c->state == CL_ACQUIRING);
    SIM_ASSERT(c->req_out == 0);
    c->last_timed_out = timed_out;
    if (c->cfg->retry_max >= 0 && (int64_t)c->attempts > c->cfg->retry_max) {
        give_up(c, e, why);
        return;
    }
    sim_time every = c->cfg->retry_every_ns > 0 ? c->cfg->retry_every_ns : SIM_MS;
    sim_time delay = c->attempt_start_mono + every - env_now_mono(e);
    if (delay < 0) delay = 0;
    c->state = CL_BACKOFF;
    c->retry_timer = env_timer(e, delay, TAG_RETRY, 0);
    env_trace(e, "acquire attempt %u failed (%s)", c->attempts, why);
    SIM_ASSERT(cl_invariants_ok(c));
}

static void on_acquire_reply(dbl_client *c, env *e, const dbl_reply *p) {
    uint32_t step = c->step;
    clear_stmt(c, e);
    if (step == DBL_MSG_INSERT) {                /* whatever it did, read the owner back */
        send_stmt(c, e, DBL_MSG_SELECT);
        return;
    }
    SIM_ASSERT(step == DBL_MSG_SELECT);
    if (p->found && strncmp(p->owner, c->value, DBL_VALUE_MAX) == 0) {
        granted(c, e, p->version);
        return;
    }
    char why[96];
    if (p->found)
        snprintf(why, sizeof why, "held by %.24s for %" PRId64 " ms", p->owner, p->age_ns / SIM_MS);
    else
        snprintf(why, sizeof why, "no row after the insert");
    attempt_failed(c, e, why, false);
}

static void dbl_acquire(void *lc, env *e) {
    dbl_client *c = lc;
    SIM_ASSERT(cl_invariants_ok(c));
    SIM_ASSERT(c->state == CL_IDLE);
    c->acquisitions++;
    c->attempts = 0;
    c->token = 0;
    c->last_timed_out = false;
    snprintf(c->value, sizeof c->value, "%.16s:%u", env_node_name(e, env_self(e)), c->acquisitions);
    start_attempt(c, e);
}

/* ------------------------------------------------------------ release */

static void release_done(dbl_client *c, env *e, bool ok, const char *why) {
    SIM_ASSERT(c->state == CL_RELEASING);
    c->state = CL_IDLE;
    c->token = 0;
    SIM_ASSERT(cl_invariants_ok(c));
    c->hooks.released(c->hooks.owner, e, ok, why);
}

static void dbl_release(void *lc, env *e) {
    dbl_client *c = lc;
    SIM_ASSERT(cl_invariants_ok(c));
    SIM_ASSERT(c->state == CL_HELD);
    c->state = CL_RELEASING;
    send_stmt(c, e, DBL_MSG_DELETE);
    SIM_ASSERT(cl_invariants_ok(c));
}

/* ------------------------------------------------------------ events */

static void on_timeout(dbl_client *c, env *e, uint64_t req) {
    if (req != c->req_out) return;               /* answered already */
    c->req_timer = 0;
    c->req_out = 0;
    c->step = 0;
    if (c->state == CL_ACQUIRING) {
        attempt_failed(c, e, LOCK_WHY_TIMEOUT ": no reply from the db", true);
        return;
    }
    SIM_ASSERT(c->state == CL_RELEASING);
    release_done(c, e, false, LOCK_WHY_TIMEOUT ": no reply to the DELETE");
}

static bool dbl_on_message(void *lc, env *e, node_id from, uint32_t type, const void *body,
                           uint32_t len) {
    dbl_client *c = lc;
    SIM_ASSERT(cl_invariants_ok(c));
    if (type != DBL_MSG_REPLY || len != sizeof(dbl_reply) || from != c->db) return false;
    dbl_reply p;
    memcpy(&p, body, sizeof p);
    p.owner[sizeof p.owner - 1] = '\0';
    if (p.req == 0 || p.req != c->req_out) {
        env_trace(e, "reply to statement %u ignored (timed out)", p.req);
        return true;
    }
    if (c->state == CL_ACQUIRING) {
        on_acquire_reply(c, e, &p);
    } else {
        clear_stmt(c, e);
        release_done(c, e, p.rows == 1, p.rows == 1 ? "" : "no row deleted (gone or another's)");
    }
    SIM_ASSERT(cl_invariants_ok(c));
    return true;
}

static bool dbl_on_timer(void *lc, env *e, uint32_t tag, uint64_t arg) {
    dbl_client *c = lc;
    SIM_ASSERT(cl_invariants_ok(c));
    switch (tag) {
    case TAG_REQ_TIMEOUT: on_timeout(c, e, arg); break;
    case TAG_RETRY:
        SIM_ASSERT(c->state == CL_BACKOFF);
        c->retry_timer = 0;
        start_attempt(c, e);
        break;
    default: return false;
    }
    SIM_ASSERT(cl_invariants_ok(c));
    return true;
}

/* Keeps what survives a crash of the client process: its configuration,
 * hooks, the db's address and the count of acquisitions (owner values stay
 * unique). */
static void reset(dbl_client *c, const dbl_cfg *cfg, const lock_client_hooks *hooks, node_id db) {
    uint32_t acquisitions = c->acquisitions;
    memset(c, 0, sizeof *c);
    c->acquisitions = acquisitions;
    c->cfg = cfg;
    c->hooks = *hooks;
    c->db = db;
}

static void dbl_init(void *lc, env *e, const lock_client_hooks *hooks) {
    SIM_ASSERT(hooks != NULL && hooks->acquired != NULL && hooks->released != NULL);
    node_id d[1];
    uint32_t n = env_nodes_of_role(e, "db", d, 1);
    SIM_ASSERT(n == 1);                          /* the role table asks for exactly one */
    reset(lc, env_proto_config(e), hooks, d[0]);
    SIM_ASSERT(cl_invariants_ok(lc));
}

/* The engine has cancelled every timer; volatile state goes. */
static void dbl_on_crash(void *lc, env *e) {
    dbl_client *c = lc;
    SIM_ASSERT(c->cfg != NULL);
    (void)e;
    lock_client_hooks hooks = c->hooks;
    reset(c, c->cfg, &hooks, c->db);
    SIM_ASSERT(cl_invariants_ok(c));
}

static bool dbl_still_valid(const void *lc, const env *e) {
    const dbl_client *c = lc;
    SIM_ASSERT(cl_invariants_ok(c));
    if (c->state != CL_HELD) return false;
    if (!c->cfg->lease_check) return true;      /* a client that does not check trusts the row */
    return env_now_mono(e) < c->valid_until_mono;
}

const lock_client_ops dbl_lock_client = {
    .name = "db-lock-table-client",
    .state_size = sizeof(dbl_client),
    .init = dbl_init,
    .acquire = dbl_acquire,
    .release = dbl_release,
    .on_message = dbl_on_message,
    .on_timer = dbl_on_timer,
    .on_crash = dbl_on_crash,
    .still_valid = dbl_still_valid,
};
