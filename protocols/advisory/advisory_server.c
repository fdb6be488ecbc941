/* advisory_server.c -- PostgreSQL (with PgBouncer in front when `pool` is
 * set) as one node: client connections, backends, the advisory key, the
 * server-side timeouts that end a connection, and the counter row.
 *
 * Invariant (srv_invariants_ok): the lock's owner is a live backend iff
 * the lock is held (a session or an xact count > 0); an xact count needs
 * its backend in a transaction; a waiting backend is bound to a live
 * connection, and a live connection's backend is bound back to it.
 *
 * Connection states (the function per edge):
 *   (none) --CONNECT [on_connect]--> ALIVE
 *   ALIVE --statement [on_lock, on_unlock, on_counter -> stmt_done]--> ALIVE (idle clock reset)
 *   ALIVE --FIN / idle timeout / keepalive or user timeout
 *         [on_fin, on_idle_timer, on_ka_timer -> conn_end]--> (none): its backend's
 *         locks go (pool none: the backend exits; session: DISCARD ALL;
 *         transaction: only its transaction rolls back)
 * Lock: FREE --granted [grant]--> HELD (owner backend, counts)
 *       HELD --unlock / commit / backend gone [unlock_session, txn_end, backend_drop
 *             -> maybe_free]--> FREE, and the oldest waiter is granted [grant_next].
 * A crash or power loss of the node loses connections, backends and the
 * lock (shared memory); the fence sequence and the counter row are
 * committed data and survive both (synchronous_commit = on).
 *
 * Trade-off: linear scans over ADV_CONNS_MAX and ADV_BACKENDS_MAX; one key.
 */
#include "protocols/advisory/advisory.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "protocols/storage/storage.h"

enum { TAG_KA = 1, TAG_IDLE = 2 };

typedef struct srv_conn {
    bool alive;
    node_id client;
    uint32_t sid;
    int32_t backend;              /* bound backend, -1 = none (transaction pool between txns) */
    sim_time heard_mono;          /* the last packet from the client */
    sim_time active_mono;         /* the last statement's end */
    uint32_t probes;              /* keepalive probes unanswered */
    timer_id ka_timer, idle_timer;
} srv_conn;

typedef struct srv_backend {
    bool used;
    int32_t conn;                 /* the client connection it serves now, -1 = free in the pool */
    bool in_txn;
    bool waiting;                 /* a blocking pg_advisory_lock waits */
    uint32_t wait_req;
    uint64_t wait_seq, used_seq;  /* FIFO of waiters; LIFO of free backends */
} srv_backend;

typedef struct srv {
    const adv_cfg *cfg;
    srv_conn conns[ADV_CONNS_MAX];
    srv_backend backends[ADV_BACKENDS_MAX];
    int32_t owner;                /* backend holding the key, -1 = free */
    node_id owner_client;         /* the client whose statement first took it */
    int64_t session_count, xact_count;
    int64_t owner_token;
    int64_t end_aux;              /* while a connection ends: why (lock_api.h LOCK_CONN_*) */
    uint64_t seq;
    uint32_t rr_next;
    int64_t fence;                /* durable: nextval('fence') */
    int64_t counter;              /* durable: the counter row */
    bool counter_set;
} srv;

static bool srv_invariants_ok(const srv *s) {
    bool held = s->session_count > 0 || s->xact_count > 0;
    if (held != (s->owner >= 0)) return false;
    if (s->session_count < 0 || s->xact_count < 0) return false;
    if (s->owner >= 0 && (s->owner >= ADV_BACKENDS_MAX || !s->backends[s->owner].used)) return false;
    if (s->xact_count > 0 && !s->backends[s->owner].in_txn) return false;
    for (uint32_t i = 0; i < ADV_BACKENDS_MAX; i++) {
        const srv_backend *b = &s->backends[i];
        if (b->waiting && (b->conn < 0 || !s->conns[b->conn].alive)) return false;
    }
    for (uint32_t i = 0; i < ADV_CONNS_MAX; i++) {
        const srv_conn *c = &s->conns[i];
        if (c->alive && c->backend >= 0 && s->backends[c->backend].conn != (int32_t)i) return false;
    }
    return true;
}

static void lock_effect(srv *s, env *e, hist_eff_kind kind, node_id client) {
    hist_effect_fields ef;
    memset(&ef, 0, sizeof ef);
    ef.kind = kind;
    ef.client = client;
    ef.op = HIST_NONE;
    ef.token = s->owner_token;
    ef.value = -1;                /* no TTL: it lives as long as its backend */
    ef.aux = kind == HIST_EFF_LOCK_EXPIRE ? s->end_aux : 0;
    ef.key = ADV_KEY;
    env_effect(e, &ef);
}

static void send_reply(env *e, node_id to, uint32_t type, uint16_t op, uint32_t sid, uint32_t req,
                       adv_status st, int32_t backend, int64_t token) {
    adv_reply p;
    memset(&p, 0, sizeof p);
    p.sid = sid;
    p.req = req;
    p.op = op;
    p.status = (uint8_t)st;
    p.backend = (uint8_t)(backend >= 0 ? backend + 1 : 0);
    p.token = token;
    env_send(e, to, type, &p, sizeof p);
}

/* "FATAL: terminating connection due to ...": the client reads it at its next read. */
static void send_fatal(env *e, node_id to, uint32_t sid, adv_end why) {
    adv_reply p;
    memset(&p, 0, sizeof p);
    p.sid = sid;
    p.status = ADV_ST_NO_CONN;
    p.why = (uint8_t)why;
    env_send(e, to, ADV_MSG_FATAL, &p, sizeof p);
}

/* ------------------------------------------------------------ the lock */

static void grant_next(srv *s, env *e);

static void grant(srv *s, env *e, int32_t b, bool xact) {
    const srv_conn *c = &s->conns[s->backends[b].conn];
    if (s->owner < 0) {
        s->owner = b;
        s->owner_client = c->client;
        s->owner_token = s->cfg->fencing ? ++s->fence : 0;
        lock_effect(s, e, HIST_EFF_LOCK_SET, c->client);
    } else {
        SIM_ASSERT(s->owner == b);
        env_trace(e, "backend %d already holds %s: granted again to %s (re-entrant, now held %" PRId64
                  " times)", b + 1, ADV_KEY, env_node_name(e, c->client),
                  s->session_count + s->xact_count + 1);
    }
    if (xact) s->xact_count++;
    else s->session_count++;
}

static void maybe_free(srv *s, env *e, hist_eff_kind kind, node_id by) {
    if (s->owner < 0 || s->session_count > 0 || s->xact_count > 0) return;
    lock_effect(s, e, kind, by);
    s->owner = -1;
    s->owner_token = 0;
    grant_next(s, e);
}

static bool unlock_session(srv *s, env *e, int32_t b, node_id by) {
    if (s->owner != b || s->session_count == 0) return false;
    s->session_count--;
    maybe_free(s, e, HIST_EFF_LOCK_DEL, by);
    return true;
}

static void txn_end(srv *s, env *e, int32_t b, node_id by, hist_eff_kind kind) {
    s->backends[b].in_txn = false;
    if (s->owner != b || s->xact_count == 0) return;
    s->xact_count = 0;
    maybe_free(s, e, kind, by);
}

/* Every lock the backend holds goes (it exits, or DISCARD ALL ran). */
static void backend_drop(srv *s, env *e, int32_t b) {
    s->backends[b].waiting = false;
    s->backends[b].in_txn = false;
    if (s->owner != b) return;
    s->session_count = 0;
    s->xact_count = 0;
    maybe_free(s, e, HIST_EFF_LOCK_EXPIRE, s->owner_client);
}

/* ------------------------------------------------------------ backends */

/* Transaction pool: the statement's backend goes back to the pool. */
static void maybe_unbind(srv *s, int32_t ci) {
    srv_conn *c = &s->conns[ci];
    if (s->cfg->pool != ADV_POOL_TRANSACTION || c->backend < 0) return;
    srv_backend *b = &s->backends[c->backend];
    if (b->in_txn || b->waiting) return;
    b->conn = -1;
    b->used_seq = ++s->seq;
    c->backend = -1;
}

static int32_t free_backend(srv *s) {
    int32_t best = -1;
    uint32_t n = (uint32_t)s->cfg->pool_size;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = s->cfg->pool_order == ADV_ORDER_ROUND_ROBIN ? (s->rr_next + k) % n : k;
        const srv_backend *b = &s->backends[i];
        if (!b->used || b->conn >= 0) continue;
        if (s->cfg->pool_order == ADV_ORDER_ROUND_ROBIN) { s->rr_next = (i + 1) % n; return (int32_t)i; }
        if (best < 0 || b->used_seq > s->backends[best].used_seq) best = (int32_t)i;
    }
    return best;
}

/* The backend a statement of connection ci runs on; -1 = none free. */
static int32_t exec_backend(srv *s, env *e, int32_t ci) {
    srv_conn *c = &s->conns[ci];
    if (c->backend >= 0) return c->backend;
    int32_t b = free_backend(s);
    if (b < 0) return -1;
    s->backends[b].conn = ci;
    c->backend = b;
    env_trace(e, "pgbouncer: %s's statement runs on server connection %d", env_node_name(e, c->client),
              b + 1);
    return b;
}

/* ------------------------------------------------------------ connections */

static int32_t conn_of(const srv *s, node_id client, uint32_t sid) {
    for (uint32_t i = 0; i < ADV_CONNS_MAX; i++)
        if (s->conns[i].alive && s->conns[i].client == client && s->conns[i].sid == sid) return (int32_t)i;
    return -1;
}

/* The client's newest live connection (the counter row's reads and writes). */
static int32_t conn_of_client(const srv *s, node_id client) {
    int32_t best = -1;
    for (uint32_t i = 0; i < ADV_CONNS_MAX; i++)
        if (s->conns[i].alive && s->conns[i].client == client &&
            (best < 0 || s->conns[i].sid > s->conns[best].sid))
            best = (int32_t)i;
    return best;
}

static int64_t end_aux(adv_end why) {
    switch (why) {
    case ADV_END_IDLE_SESSION: return LOCK_CONN_IDLE_SESSION;
    case ADV_END_IDLE_IN_TXN: return LOCK_CONN_IDLE_IN_TXN;
    case ADV_END_KEEPALIVE: return LOCK_CONN_KEEPALIVE;
    case ADV_END_USER_TIMEOUT: return LOCK_CONN_USER_TIMEOUT;
    default: return LOCK_CONN_CLIENT_DIED;
    }
}

static void conn_end(srv *s, env *e, int32_t ci, adv_end why) {
    srv_conn *c = &s->conns[ci];
    SIM_ASSERT(c->alive);
    s->end_aux = end_aux(why);
    env_trace(e, "connection %u of %s ends: %s", c->sid, env_node_name(e, c->client), adv_end_name(why));
    if (why == ADV_END_IDLE_SESSION || why == ADV_END_IDLE_IN_TXN) send_fatal(e, c->client, c->sid, why);
    int32_t b = c->backend;
    if (b >= 0) {
        if (s->cfg->pool == ADV_POOL_TRANSACTION) {
            s->backends[b].waiting = false;
            txn_end(s, e, b, c->client, HIST_EFF_LOCK_EXPIRE);     /* session locks stay */
        } else {
            backend_drop(s, e, b);
        }
        s->backends[b].conn = -1;
        s->backends[b].used_seq = ++s->seq;
        if (s->cfg->pool == ADV_POOL_NONE) s->backends[b].used = false;   /* the backend exits */
    }
    env_timer_cancel(e, c->ka_timer);
    env_timer_cancel(e, c->idle_timer);
    memset(c, 0, sizeof *c);
    s->end_aux = 0;
}

static void ka_arm(srv *s, env *e, int32_t ci, sim_time at_mono) {
    srv_conn *c = &s->conns[ci];
    sim_time d = at_mono - env_now_mono(e);
    c->ka_timer = env_timer(e, d > 0 ? d : 0, TAG_KA, (uint64_t)ci);
}

/* Linux tcp_keepalive_timer: after `idle` of silence a probe every
 * `interval`; the connection dies after `count` unanswered probes, or, with
 * tcp_user_timeout, at the first probe time after that long of silence. */
static void on_ka_timer(srv *s, env *e, int32_t ci) {
    srv_conn *c = &s->conns[ci];
    SIM_ASSERT(c->alive);
    c->ka_timer = 0;
    sim_time now = env_now_mono(e), silent = now - c->heard_mono;
    if (silent < adv_ka_idle(s->cfg)) { ka_arm(s, e, ci, c->heard_mono + adv_ka_idle(s->cfg)); return; }
    if (s->cfg->user_timeout_ns > 0 && c->probes > 0 && silent >= s->cfg->user_timeout_ns) {
        conn_end(s, e, ci, ADV_END_USER_TIMEOUT);
        return;
    }
    if (s->cfg->user_timeout_ns == 0 && c->probes >= (uint32_t)adv_ka_count(s->cfg)) {
        conn_end(s, e, ci, ADV_END_KEEPALIVE);
        return;
    }
    c->probes++;
    send_reply(e, c->client, ADV_MSG_KA_PROBE, 0, c->sid, c->probes, ADV_ST_OK, c->backend, 0);
    ka_arm(s, e, ci, now + adv_ka_interval(s->cfg));
}

static sim_time idle_limit(const srv *s, const srv_conn *c) {
    if (s->cfg->pool == ADV_POOL_TRANSACTION) return 0;   /* the pool's backends idle between clients */
    bool in_txn = c->backend >= 0 && s->backends[c->backend].in_txn;
    return in_txn ? s->cfg->idle_in_txn_ns : s->cfg->idle_session_ns;
}

static void on_idle_timer(srv *s, env *e, int32_t ci) {
    srv_conn *c = &s->conns[ci];
    SIM_ASSERT(c->alive);
    c->idle_timer = 0;
    sim_time limit = idle_limit(s, c);
    bool waiting = c->backend >= 0 && s->backends[c->backend].waiting;
    if (limit == 0 || waiting) return;
    bool in_txn = c->backend >= 0 && s->backends[c->backend].in_txn;
    sim_time left = c->active_mono + limit - env_now_mono(e);
    if (left > 0) { c->idle_timer = env_timer(e, left, TAG_IDLE, (uint64_t)ci); return; }
    conn_end(s, e, ci, in_txn ? ADV_END_IDLE_IN_TXN : ADV_END_IDLE_SESSION);
}

/* A statement of connection ci has ended: the idle clock starts again. */
static void stmt_done(srv *s, env *e, int32_t ci) {
    srv_conn *c = &s->conns[ci];
    maybe_unbind(s, ci);
    c->active_mono = env_now_mono(e);
    env_timer_cancel(e, c->idle_timer);
    c->idle_timer = 0;
    sim_time limit = idle_limit(s, c);
    if (limit > 0) c->idle_timer = env_timer(e, limit, TAG_IDLE, (uint64_t)ci);
}

static void grant_next(srv *s, env *e) {
    int32_t next = -1;
    for (uint32_t i = 0; i < ADV_BACKENDS_MAX; i++)
        if (s->backends[i].waiting && (next < 0 || s->backends[i].wait_seq < s->backends[next].wait_seq))
            next = (int32_t)i;
    if (next < 0) return;
    srv_backend *b = &s->backends[next];
    b->waiting = false;
    grant(s, e, next, b->in_txn);
    const srv_conn *c = &s->conns[b->conn];
    send_reply(e, c->client, ADV_MSG_REPLY, ADV_MSG_LOCK, c->sid, b->wait_req, ADV_ST_OK, next, s->owner_token);
    stmt_done(s, e, b->conn);
}

static void on_connect(srv *s, env *e, node_id from, const adv_req *q) {
    uint32_t i = 0;
    while (i < ADV_CONNS_MAX && s->conns[i].alive) i++;
    int32_t b = -1;
    if (i < ADV_CONNS_MAX && s->cfg->pool == ADV_POOL_NONE) {
        for (uint32_t k = 0; k < ADV_BACKENDS_MAX && b < 0; k++)
            if (!s->backends[k].used) b = (int32_t)k;
        if (b >= 0) s->backends[b] = (srv_backend){ .used = true, .conn = -1 };
    } else if (i < ADV_CONNS_MAX && s->cfg->pool == ADV_POOL_SESSION) {
        b = free_backend(s);
    }
    if (i == ADV_CONNS_MAX || (s->cfg->pool != ADV_POOL_TRANSACTION && b < 0)) {
        send_reply(e, from, ADV_MSG_REPLY, ADV_MSG_CONNECT, q->sid, q->req, ADV_ST_FULL, -1, 0);
        return;
    }
    srv_conn *c = &s->conns[i];
    *c = (srv_conn){ .alive = true, .client = from, .sid = q->sid, .backend = b,
                     .heard_mono = env_now_mono(e), .active_mono = env_now_mono(e) };
    if (b >= 0) s->backends[b].conn = (int32_t)i;
    ka_arm(s, e, (int32_t)i, c->heard_mono + adv_ka_idle(s->cfg));
    send_reply(e, from, ADV_MSG_REPLY, ADV_MSG_CONNECT, q->sid, q->req, ADV_ST_OK, b, 0);
    stmt_done(s, e, (int32_t)i);
}

static void on_lock(srv *s, env *e, int32_t ci, const adv_req *q) {
    srv_conn *c = &s->conns[ci];
    int32_t b = exec_backend(s, e, ci);
    if (b < 0) {
        send_reply(e, c->client, ADV_MSG_REPLY, ADV_MSG_LOCK, c->sid, q->req, ADV_ST_FULL, -1, 0);
        return;
    }
    bool xact = s->cfg->mode == ADV_MODE_XACT;
    if (xact) s->backends[b].in_txn = true;                 /* BEGIN */
    if (s->owner < 0 || s->owner == b) {
        grant(s, e, b, xact);
        send_reply(e, c->client, ADV_MSG_REPLY, ADV_MSG_LOCK, c->sid, q->req, ADV_ST_OK, b, s->owner_token);
    } else if (s->cfg->try_lock) {
        send_reply(e, c->client, ADV_MSG_REPLY, ADV_MSG_LOCK, c->sid, q->req, ADV_ST_FALSE, b, 0);
        if (xact) s->backends[b].in_txn = false;            /* the application rolls back */
    } else {
        srv_backend *w = &s->backends[b];
        w->waiting = true;
        w->wait_req = q->req;
        w->wait_seq = ++s->seq;
        env_trace(e, "backend %d waits for %s (held by backend %d)", b + 1, ADV_KEY, s->owner + 1);
        return;
    }
    stmt_done(s, e, ci);
}

static void on_unlock(srv *s, env *e, int32_t ci, const adv_req *q) {
    srv_conn *c = &s->conns[ci];
    adv_status st = ADV_ST_OK;
    int32_t b = exec_backend(s, e, ci);
    if (b < 0) {
        st = ADV_ST_FULL;
    } else if (s->cfg->mode == ADV_MODE_XACT) {
        if (s->backends[b].in_txn) txn_end(s, e, b, c->client, HIST_EFF_LOCK_DEL);
        else env_trace(e, "COMMIT on backend %d: WARNING: there is no transaction in progress", b + 1);
    } else if (!unlock_session(s, e, b, c->client)) {
        st = ADV_ST_FALSE;
        env_trace(e, "pg_advisory_unlock on backend %d: WARNING: you don't own a lock of type "
                  "ExclusiveLock; returns false", b + 1);
    }
    send_reply(e, c->client, ADV_MSG_REPLY, ADV_MSG_UNLOCK, c->sid, q->req, st, b, 0);
    if (b >= 0) stmt_done(s, e, ci);
}

/* ------------------------------------------------------------ the counter row */

static void counter_effect(env *e, hist_eff_kind kind, node_id from, const stor_req *q, int64_t v) {
    hist_effect_fields ef;
    memset(&ef, 0, sizeof ef);
    ef.kind = kind;
    ef.client = from;
    ef.op = q->op;
    ef.epoch = q->epoch;
    ef.token = q->token;
    ef.value = v;
    ef.key = STOR_KEY;
    env_effect(e, &ef);
}

/* READ / WRITE over the client's connection; in xact mode the WRITE is the
 * UPDATE and the COMMIT.  No live connection: the statement fails. */
static void on_counter(srv *s, env *e, node_id from, uint32_t type, const stor_req *q) {
    if (!s->counter_set) { s->counter = env_history(e)->initial_value; s->counter_set = true; }
    stor_reply p;
    memset(&p, 0, sizeof p);
    p.op = q->op;
    p.req = q->req;
    p.write = type == STOR_MSG_WRITE ? 1 : 0;
    int32_t ci = conn_of_client(s, from);
    int32_t b = ci >= 0 ? exec_backend(s, e, ci) : -1;
    if (b < 0) {
        env_trace(e, "%s from %s fails: %s", p.write ? "UPDATE" : "SELECT", env_node_name(e, from),
                  ci < 0 ? "its connection is gone" : "no server connection free");
        if (p.write) counter_effect(e, HIST_EFF_REJECT, from, q, q->value);
        p.value = s->counter;
        env_send(e, from, STOR_MSG_REPLY, &p, sizeof p);
        return;
    }
    p.ok = 1;
    if (p.write) {
        s->counter = q->value;
        counter_effect(e, HIST_EFF_WRITE, from, q, q->value);
        if (s->backends[b].in_txn) txn_end(s, e, b, from, HIST_EFF_LOCK_DEL);   /* COMMIT */
    } else {
        counter_effect(e, HIST_EFF_READ, from, q, s->counter);
    }
    p.value = s->counter;
    env_send(e, from, STOR_MSG_REPLY, &p, sizeof p);
    s->conns[ci].heard_mono = env_now_mono(e);
    stmt_done(s, e, ci);
}

/* ------------------------------------------------------------ model */

static void on_request(srv *s, env *e, node_id from, uint32_t type, const adv_req *q) {
    if (type == ADV_MSG_CONNECT) { on_connect(s, e, from, q); return; }
    int32_t ci = conn_of(s, from, q->sid);
    if (ci < 0) {
        if (type == ADV_MSG_LOCK || type == ADV_MSG_UNLOCK)
            send_reply(e, from, ADV_MSG_REPLY, (uint16_t)type, q->sid, q->req, ADV_ST_NO_CONN, -1, 0);
        return;
    }
    s->conns[ci].heard_mono = env_now_mono(e);
    s->conns[ci].probes = 0;
    switch (type) {
    case ADV_MSG_LOCK: on_lock(s, e, ci, q); break;
    case ADV_MSG_UNLOCK: on_unlock(s, e, ci, q); break;
    case ADV_MSG_FIN: conn_end(s, e, ci, ADV_END_FIN); break;
    default: break;                                         /* KA_ACK: heard */
    }
}

static void srv_on_message(void *state, env *e, node_id from, uint32_t type, const void *body,
                           uint32_t len) {
    srv *s = state;
    SIM_ASSERT(srv_invariants_ok(s));
    if ((type == STOR_MSG_READ || type == STOR_MSG_WRITE) && len == sizeof(stor_req)) {
        stor_req q;
        memcpy(&q, body, sizeof q);
        on_counter(s, e, from, type, &q);
    } else if (type >= ADV_MSG_CONNECT && type <= ADV_MSG_FIN && len == sizeof(adv_req)) {
        adv_req q;
        memcpy(&q, body, sizeof q);
        on_request(s, e, from, type, &q);
    } else {
        env_trace(e, "ignored a message of type %u", type);
    }
    SIM_ASSERT(srv_invariants_ok(s));
}

static void srv_on_timer(void *state, env *e, uint32_t tag, uint64_t arg) {
    srv *s = state;
    SIM_ASSERT(srv_invariants_ok(s));
    SIM_ASSERT(arg < ADV_CONNS_MAX);
    if (tag == TAG_KA) on_ka_timer(s, e, (int32_t)arg);
    else if (tag == TAG_IDLE) on_idle_timer(s, e, (int32_t)arg);
    else SIM_UNREACHABLE("advisory server timer tag");
    SIM_ASSERT(srv_invariants_ok(s));
}

/* The volatile part: connections, backends (the pool's are opened at
 * start), the lock. */
static void srv_reset(srv *s) {
    memset(s->conns, 0, sizeof s->conns);
    memset(s->backends, 0, sizeof s->backends);
    if (s->cfg->pool != ADV_POOL_NONE)
        for (int64_t i = 0; i < s->cfg->pool_size; i++) s->backends[i] = (srv_backend){ .used = true, .conn = -1 };
    s->owner = -1;
    s->owner_client = -1;
    s->session_count = 0;
    s->xact_count = 0;
    s->owner_token = 0;
    s->rr_next = 0;
}

static void srv_init(void *state, env *e) {
    srv *s = state;
    memset(s, 0, sizeof *s);
    s->cfg = env_proto_config(e);
    SIM_ASSERT(s->cfg != NULL);
    SIM_ASSERT(s->cfg->pool_size >= 1 && s->cfg->pool_size <= ADV_BACKENDS_MAX);
    srv_reset(s);
    SIM_ASSERT(srv_invariants_ok(s));
}

/* Advisory locks live in shared memory: a crash and a power loss both drop
 * them.  A process crash resets the clients' sockets (they learn at once);
 * after a power loss they learn at their next statement. */
static void srv_on_crash(void *state, env *e) {
    srv *s = state;
    SIM_ASSERT(srv_invariants_ok(s));
    bool power = env_crash_is_power_loss(e);
    if (s->owner >= 0) lock_effect(s, e, HIST_EFF_LOCK_LOST, s->owner_client);
    for (uint32_t i = 0; i < ADV_CONNS_MAX; i++)
        if (s->conns[i].alive && !power)
            send_fatal(e, s->conns[i].client, s->conns[i].sid, ADV_END_SERVER_CRASH);
    env_trace(e, "server %s: every connection and advisory lock is gone; the fence sequence and the "
              "counter row were committed and stay", power ? "lost power" : "crashed");
    srv_reset(s);
}

static void srv_on_restart(void *state, env *e) {
    srv *s = state;
    if (s->cfg == NULL) { srv_init(s, e); return; }
    SIM_ASSERT(srv_invariants_ok(s));
}

const model_ops adv_server_ops = {
    .name = "advisory-lock-server",
    .state_size = sizeof(srv),
    .init = srv_init,
    .on_message = srv_on_message,
    .on_timer = srv_on_timer,
    .on_crash = srv_on_crash,
    .on_restart = srv_on_restart,
};
