/* lease_client.c -- the lease-lock client library: a session kept alive by
 * heartbeats, and the lock recipe (create, watch the next lower key, check
 * again) on top of it (lease_lock.h says the semantics).
 *
 * Main invariant (llc_invariants_ok): one main-line request (CREATE, CHECK
 * or DELETE) is outstanding exactly in CREATING, CHECKING and RELEASING,
 * with a timeout timer; WAITING has none (a waiter waits as long as it
 * takes, as Curator's acquire() and etcd's Lock do); a key (rev) is known
 * from the CREATE reply to the end of the hold; the heartbeat timer runs
 * whenever the client runs.
 *
 * State diagram (the function that takes each edge in brackets):
 *
 *   IDLE --acquire [ll_acquire]--> CREATING
 *   CREATING, CHECKING --reply: lowest [on_lock_reply -> granted]--> HELD
 *   CREATING, CHECKING --reply: not lowest, watch set [on_lock_reply]--> WAITING
 *   WAITING --watch event for our predecessor [on_event]--> CHECKING
 *   CREATING, CHECKING, WAITING --session expired / key gone / timeout
 *       [acquire_failed]--> IDLE (acquire fails)
 *   HELD --release [ll_release]--> RELEASING --reply / timeout [on_release_reply]--> IDLE
 *   any --heartbeat reply "session expired" [session_lost]--> same state, a new
 *       session opened (in HELD: the lock is lost, and nobody tells the application)
 *
 * The heartbeat timer lives in this process: a paused process sends no
 * heartbeats, and learns that its session expired only from the first reply
 * after it resumes, which may come after the application's next write.
 */
#include "protocols/lease_lock/lease_lock.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

enum { TAG_REQ_TIMEOUT = 1400, TAG_HEARTBEAT = 1401 };

#define LLC_PINGS 16              /* send times of recent pings, by seq % LLC_PINGS */

typedef enum { LLC_IDLE = 0, LLC_CREATING, LLC_WAITING, LLC_CHECKING, LLC_HELD, LLC_RELEASING } llc_state;

typedef struct ll_client {
    const ll_cfg *cfg;
    lock_client_hooks hooks;
    node_id svc;
    llc_state state;
    uint32_t sessions;            /* ever opened; survives a crash: sids never repeat */
    uint32_t sid;                 /* the current session */
    bool session_ok;              /* not known to have expired */
    uint32_t req_next, req_out;
    timer_id req_timer;
    uint32_t ping_seq;
    sim_time ping_sent[LLC_PINGS];
    sim_time acked_mono;          /* send time of the last acknowledged heartbeat */
    int64_t rev;                  /* our key, 0 = none */
    int64_t pred;                 /* the key we watch */
} ll_client;

_Static_assert(sizeof(ll_client) <= LOCK_CLIENT_STATE_MAX, "ll_client fits a driver's slot");

static bool llc_invariants_ok(const ll_client *c) {
    if (c->cfg == NULL || c->svc < 0) return false;
    bool main_line = c->state == LLC_CREATING || c->state == LLC_CHECKING || c->state == LLC_RELEASING;
    if (main_line != (c->req_out != 0)) return false;
    if ((c->state == LLC_WAITING || c->state == LLC_HELD || c->state == LLC_CHECKING) && c->rev <= 0)
        return false;
    return c->state != LLC_WAITING || c->pred > 0;
}

/* ------------------------------------------------------------ session */

static void send_req(ll_client *c, env *e, uint32_t type, uint32_t req, int64_t rev) {
    ll_req q = { c->sid, req, rev };
    env_send(e, c->svc, type, &q, sizeof q);
}

static void send_ping(ll_client *c, env *e, uint32_t type) {
    uint32_t seq = ++c->ping_seq;
    c->ping_sent[seq % LLC_PINGS] = env_now_mono(e);
    send_req(c, e, type, seq, 0);
}

static void open_session(ll_client *c, env *e) {
    c->sid = ++c->sessions;
    c->session_ok = true;
    c->acked_mono = env_now_mono(e);
    send_ping(c, e, LL_MSG_OPEN);
}

static void on_heartbeat_timer(ll_client *c, env *e) {
    send_ping(c, e, LL_MSG_PING);
    env_timer(e, ll_heartbeat_ns(c->cfg), TAG_HEARTBEAT, 0);
}

/* ------------------------------------------------------------ acquire */

static void send_main(ll_client *c, env *e, uint32_t type, int64_t rev) {
    SIM_ASSERT(c->req_out == 0);
    SIM_ASSERT(type == LL_MSG_CREATE || type == LL_MSG_CHECK || type == LL_MSG_DELETE);
    c->req_out = ++c->req_next;
    send_req(c, e, type, c->req_out, rev);
    sim_time t = c->cfg->timeout_ns > 0 ? c->cfg->timeout_ns : SIM_MS;
    c->req_timer = env_timer(e, t, TAG_REQ_TIMEOUT, c->req_out);
}

static void clear_main(ll_client *c, env *e) {
    SIM_ASSERT(c->req_out != 0);
    env_timer_cancel(e, c->req_timer);
    c->req_timer = 0;
    c->req_out = 0;
}

static void acquire_failed(ll_client *c, env *e, const char *why) {
    SIM_ASSERT(c->state == LLC_CREATING || c->state == LLC_CHECKING || c->state == LLC_WAITING);
    if (c->req_out) clear_main(c, e);
    env_trace(e, "acquire failed: %s", why);
    c->state = LLC_IDLE;
    c->rev = 0;
    c->pred = 0;
    SIM_ASSERT(llc_invariants_ok(c));
    c->hooks.acquired(c->hooks.owner, e, false, 0, 0, why);
}

static void granted(ll_client *c, env *e) {
    c->state = LLC_HELD;
    int64_t token = c->cfg->fencing ? c->rev : 0;
    char key[SIM_NAME_MAX];
    ll_key_name(c->cfg, c->rev, key, sizeof key);
    env_trace(e, "holds the lock: %s (%s %" PRId64 ") is the lowest", key,
              c->cfg->flavor == LL_FLAVOR_ZOOKEEPER ? "czxid" : "revision", c->rev);
    SIM_ASSERT(llc_invariants_ok(c));
    c->hooks.acquired(c->hooks.owner, e, true, token, c->acked_mono + c->cfg->session_ns, "");
}

static void ll_acquire(void *lc, env *e) {
    ll_client *c = lc;
    SIM_ASSERT(llc_invariants_ok(c));
    SIM_ASSERT(c->state == LLC_IDLE);
    if (!c->session_ok) open_session(c, e);
    c->state = LLC_CREATING;
    send_main(c, e, LL_MSG_CREATE, 0);
    SIM_ASSERT(llc_invariants_ok(c));
}

/* CREATE or CHECK answered. */
static void on_lock_reply(ll_client *c, env *e, const ll_reply *p) {
    clear_main(c, e);
    if (p->status == LL_ST_SESSION_EXPIRED || p->status == LL_ST_NO_KEY) {
        acquire_failed(c, e, "session expired");
        return;
    }
    if (p->status != LL_ST_OK) { acquire_failed(c, e, "service full"); return; }
    c->rev = p->rev;
    if (p->owner) { granted(c, e); return; }
    c->pred = p->pred;
    c->state = LLC_WAITING;
    char key[SIM_NAME_MAX];
    ll_key_name(c->cfg, c->pred, key, sizeof key);
    env_trace(e, "waiting: watching %s, the next lower key", key);
}

static void on_event(ll_client *c, env *e, const ll_reply *ev) {
    if (c->state != LLC_WAITING || ev->pred != c->rev) {
        env_trace(e, "watch event for key %" PRId64 " ignored (not waited for)", ev->rev);
        return;
    }
    c->state = LLC_CHECKING;
    send_main(c, e, LL_MSG_CHECK, c->rev);
}

/* ------------------------------------------------------------ release */

static void release_done(ll_client *c, env *e, bool ok, const char *why) {
    SIM_ASSERT(c->state == LLC_RELEASING);
    c->state = LLC_IDLE;
    c->rev = 0;
    SIM_ASSERT(llc_invariants_ok(c));
    c->hooks.released(c->hooks.owner, e, ok, why);
}

static void on_release_reply(ll_client *c, env *e, const ll_reply *p) {
    clear_main(c, e);
    if (p->status == LL_ST_OK) release_done(c, e, true, "");
    else release_done(c, e, false, "not ours (our session expired)");
}

static void ll_release(void *lc, env *e) {
    ll_client *c = lc;
    SIM_ASSERT(llc_invariants_ok(c));
    SIM_ASSERT(c->state == LLC_HELD);
    c->state = LLC_RELEASING;
    send_main(c, e, LL_MSG_DELETE, c->rev);
    SIM_ASSERT(llc_invariants_ok(c));
}

/* ------------------------------------------------------------ events */

/* The service says our session is gone: the lock with it, if we held it. */
static void session_lost(ll_client *c, env *e) {
    env_trace(e, "session %u expired on the service%s; opening a new one", c->sid,
              c->state == LLC_HELD ? ": the lock is lost (Curator: LOST), and the application "
                                     "is not interrupted" : "");
    c->session_ok = false;
    if (c->state == LLC_WAITING) acquire_failed(c, e, "session expired");
    open_session(c, e);
}

static void on_reply(ll_client *c, env *e, const ll_reply *p) {
    if (p->op == LL_MSG_OPEN || p->op == LL_MSG_PING) {
        if (p->sid != c->sid) return;             /* an older session's */
        if (p->status == LL_ST_OK) {
            sim_time sent = c->ping_sent[p->req % LLC_PINGS];
            if (sent > c->acked_mono) c->acked_mono = sent;
        } else if (c->session_ok) {
            session_lost(c, e);
        }
        return;
    }
    if (p->req == 0 || p->req != c->req_out) {
        env_trace(e, "reply to request %u ignored (timed out, or no longer waited for)", p->req);
        return;
    }
    if (c->state == LLC_RELEASING) on_release_reply(c, e, p);
    else on_lock_reply(c, e, p);
}

static bool ll_on_message(void *lc, env *e, node_id from, uint32_t type, const void *body,
                          uint32_t len) {
    ll_client *c = lc;
    SIM_ASSERT(llc_invariants_ok(c));
    if ((type != LL_MSG_REPLY && type != LL_MSG_EVENT) || len != sizeof(ll_reply) || from != c->svc)
        return false;
    ll_reply p;
    memcpy(&p, body, sizeof p);
    if (type == LL_MSG_EVENT) on_event(c, e, &p);
    else on_reply(c, e, &p);
    SIM_ASSERT(llc_invariants_ok(c));             /* after every transition a message takes */
    return true;
}

static void on_req_timeout(ll_client *c, env *e, uint64_t req) {
    if (req != c->req_out) return;
    c->req_timer = 0;                             /* it has fired */
    c->req_out = 0;
    if (c->state == LLC_RELEASING) {
        release_done(c, e, false, LOCK_WHY_TIMEOUT ": no reply to the delete");
        return;
    }
    acquire_failed(c, e, LOCK_WHY_TIMEOUT ": no reply from the lock service");
}

static bool ll_on_timer(void *lc, env *e, uint32_t tag, uint64_t arg) {
    ll_client *c = lc;
    SIM_ASSERT(llc_invariants_ok(c));
    switch (tag) {
    case TAG_REQ_TIMEOUT: on_req_timeout(c, e, arg); break;
    case TAG_HEARTBEAT: on_heartbeat_timer(c, e); break;
    default: return false;
    }
    SIM_ASSERT(llc_invariants_ok(c));             /* after every transition a timer takes */
    return true;
}

/* ------------------------------------------------------------ lifecycle */

static void ll_init(void *lc, env *e, const lock_client_hooks *hooks) {
    ll_client *c = lc;
    SIM_ASSERT(hooks != NULL);
    SIM_ASSERT(hooks->acquired != NULL);
    SIM_ASSERT(hooks->released != NULL);
    uint32_t sessions = c->sessions;              /* survives a crash: sids never repeat */
    memset(c, 0, sizeof *c);
    c->sessions = sessions;
    c->cfg = env_proto_config(e);
    c->hooks = *hooks;
    node_id svc[1];
    uint32_t n = env_nodes_of_role(e, "service", svc, 1);
    SIM_ASSERT(n == 1);                           /* the role table asks for exactly one */
    c->svc = svc[0];
    open_session(c, e);
    env_timer(e, ll_heartbeat_ns(c->cfg), TAG_HEARTBEAT, 0);
    SIM_ASSERT(llc_invariants_ok(c));
}

/* The engine has cancelled every timer; the session lives on at the
 * service until it expires (ephemeral keys and all). */
static void ll_on_crash(void *lc, env *e) {
    ll_client *c = lc;
    SIM_ASSERT(c->cfg != NULL);
    SIM_ASSERT(env_self(e) >= 0);
    uint32_t sessions = c->sessions;
    const ll_cfg *cfg = c->cfg;
    lock_client_hooks hooks = c->hooks;
    node_id svc = c->svc;
    memset(c, 0, sizeof *c);
    c->sessions = sessions;
    c->cfg = cfg;
    c->hooks = hooks;
    c->svc = svc;
}

static bool ll_still_valid(const void *lc, const env *e) {
    const ll_client *c = lc;
    SIM_ASSERT(llc_invariants_ok(c));
    if (c->state != LLC_HELD) return false;
    if (!c->cfg->lease_check) return true;       /* a client that does not check trusts the lock */
    return c->session_ok && env_now_mono(e) < c->acked_mono + c->cfg->session_ns;
}

const lock_client_ops ll_lock_client = {
    .name = "lease-lock-client",
    .state_size = sizeof(ll_client),
    .init = ll_init,
    .acquire = ll_acquire,
    .release = ll_release,
    .on_message = ll_on_message,
    .on_timer = ll_on_timer,
    .on_crash = ll_on_crash,
    .still_valid = ll_still_valid,
};
