/* lease_service.c -- the lock service (ZooKeeper ensemble / etcd cluster)
 * as one linearizable node: sessions, lock keys ordered by revision,
 * watches, and (when the workload keeps its counter here) IsOwner-guarded
 * writes.
 *
 * Invariant (svc_invariants_ok): revisions of live keys are distinct and
 * <= rev; every live key belongs to a live session; a key's watcher is
 * another live key with a higher revision; key_count and session counts
 * match the tables.
 *
 * Session states (per session; the function per edge):
 *   (none) --OPEN [on_open]--> ALIVE --PING [on_ping]--> ALIVE (deadline moved)
 *   ALIVE --deadline passed [on_session_timer -> session_expire]--> EXPIRED (keys deleted)
 * Key states: (none) --CREATE [on_create]--> LIVE --DELETE / session expiry
 *   [on_delete, session_expire -> key_delete]--> (none), firing its watch.
 *
 * Trade-off: linear scans over LL_KEYS_MAX keys and LL_SESSIONS_MAX
 * sessions; fine for lock scenarios, and iteration order never depends on
 * addresses.  The service never crashes in the scenarios it is meant for
 * (a consensus ensemble); a crash fault loses nothing but its timers, which
 * are re-armed on restart.
 */
#include "protocols/lease_lock/lease_lock.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "protocols/lock/lock_api.h"
#include "protocols/storage/storage.h"

enum { TAG_SESSION = 1 };

typedef struct svc_session {
    bool alive;
    node_id client;
    uint32_t sid;
    sim_time deadline_mono;       /* expires when the monotonic clock reaches it */
    timer_id timer;
} svc_session;

typedef struct svc_key {
    bool used;
    int64_t rev;
    uint32_t session;             /* index in sessions */
    node_id owner;
    node_id watcher;              /* -1 = none */
    int64_t watcher_rev;
} svc_key;

typedef struct svc {
    const ll_cfg *cfg;
    svc_session sessions[LL_SESSIONS_MAX];
    svc_key keys[LL_KEYS_MAX];
    uint32_t key_count;
    int64_t rev;                  /* zxid / revision: the last transaction's */
    int64_t counter;              /* the protected counter, when it lives here */
    bool counter_set;
} svc;

static bool svc_invariants_ok(const svc *s) {
    uint32_t used = 0;
    for (uint32_t i = 0; i < LL_KEYS_MAX; i++) {
        const svc_key *k = &s->keys[i];
        if (!k->used) continue;
        used++;
        if (k->rev <= 0 || k->rev > s->rev) return false;
        if (k->session >= LL_SESSIONS_MAX || !s->sessions[k->session].alive) return false;
        for (uint32_t j = i + 1; j < LL_KEYS_MAX; j++)
            if (s->keys[j].used && s->keys[j].rev == k->rev) return false;
        if (k->watcher >= 0 && k->watcher_rev <= k->rev) return false;
    }
    return used == s->key_count;
}

static void key_effect(svc *s, env *e, hist_eff_kind kind, const svc_key *k, node_id client) {
    hist_effect_fields ef;
    memset(&ef, 0, sizeof ef);
    ef.kind = kind;
    ef.client = client;
    ef.op = HIST_NONE;
    ef.token = k->rev;
    ef.value = -1;                /* no TTL of its own: it lives as long as its session */
    char key[SIM_NAME_MAX];
    ll_key_name(s->cfg, k->rev, key, sizeof key);
    ef.key = key;
    env_effect(e, &ef);
}

static void reply(env *e, node_id to, uint16_t op, const ll_req *q, ll_status st, int64_t rev,
                  bool owner, int64_t pred) {
    ll_reply p;
    memset(&p, 0, sizeof p);
    p.req = q->req;
    p.sid = q->sid;
    p.op = op;
    p.status = (uint8_t)st;
    p.owner = owner ? 1 : 0;
    p.rev = rev;
    p.pred = pred;
    env_send(e, to, LL_MSG_REPLY, &p, sizeof p);
}

/* ------------------------------------------------------------ keys */

static svc_key *key_of(svc *s, int64_t rev) {
    for (uint32_t i = 0; i < LL_KEYS_MAX; i++)
        if (s->keys[i].used && s->keys[i].rev == rev) return &s->keys[i];
    return NULL;
}

/* The live key with the highest revision below rev, or NULL (rev is the owner). */
static svc_key *pred_of(svc *s, int64_t rev) {
    svc_key *best = NULL;
    for (uint32_t i = 0; i < LL_KEYS_MAX; i++) {
        svc_key *k = &s->keys[i];
        if (k->used && k->rev < rev && (best == NULL || k->rev > best->rev)) best = k;
    }
    return best;
}

/* The owner: the live key with the lowest revision, or NULL. */
static svc_key *owner_of(svc *s) {
    svc_key *best = NULL;
    for (uint32_t i = 0; i < LL_KEYS_MAX; i++) {
        svc_key *k = &s->keys[i];
        if (k->used && (best == NULL || k->rev < best->rev)) best = k;
    }
    return best;
}

/* Deletes a key and fires its watch (the next waiter checks again). */
static void key_delete(svc *s, env *e, svc_key *k, hist_eff_kind why, node_id by) {
    SIM_ASSERT(k->used);
    SIM_ASSERT(s->key_count > 0);
    key_effect(s, e, why, k, why == HIST_EFF_LOCK_DEL ? by : k->owner);
    if (k->watcher >= 0) {
        ll_reply ev;
        memset(&ev, 0, sizeof ev);
        ev.op = 0;
        ev.rev = k->rev;
        ev.pred = k->watcher_rev;
        env_send(e, k->watcher, LL_MSG_EVENT, &ev, sizeof ev);
    }
    memset(k, 0, sizeof *k);
    s->key_count--;
}

/* The ownership check and, for a waiter, the watch on the next lower key. */
static void check_and_watch(svc *s, env *e, node_id from, uint16_t op, const ll_req *q,
                            svc_key *mine) {
    svc_key *pred = pred_of(s, mine->rev);
    if (pred) {
        pred->watcher = from;
        pred->watcher_rev = mine->rev;
    }
    reply(e, from, op, q, LL_ST_OK, mine->rev, pred == NULL, pred ? pred->rev : 0);
}

/* ------------------------------------------------------------ sessions */

static int32_t session_of(const svc *s, node_id client, uint32_t sid) {
    for (uint32_t i = 0; i < LL_SESSIONS_MAX; i++)
        if (s->sessions[i].alive && s->sessions[i].client == client && s->sessions[i].sid == sid)
            return (int32_t)i;
    return -1;
}

static void session_arm(svc *s, env *e, uint32_t i) {
    svc_session *ss = &s->sessions[i];
    SIM_ASSERT(ss->alive);
    SIM_ASSERT(ss->timer == 0);
    sim_time d = ss->deadline_mono - env_now_mono(e);
    ss->timer = env_timer(e, d > 0 ? d : 0, TAG_SESSION, i);
}

static void session_expire(svc *s, env *e, uint32_t i) {
    svc_session *ss = &s->sessions[i];
    SIM_ASSERT(ss->alive);
    env_trace(e, "session %u of %s expired: no heartbeat for %" PRId64 " ms; its keys go",
              ss->sid, env_node_name(e, ss->client), s->cfg->session_ns / SIM_MS);
    s->rev++;                                 /* closeSession / lease revoke: one transaction */
    for (uint32_t k = 0; k < LL_KEYS_MAX; k++)
        if (s->keys[k].used && s->keys[k].session == i)
            key_delete(s, e, &s->keys[k], HIST_EFF_LOCK_EXPIRE, -1);
    memset(ss, 0, sizeof *ss);
}

static void on_session_timer(svc *s, env *e, uint64_t i) {
    SIM_ASSERT(i < LL_SESSIONS_MAX);
    svc_session *ss = &s->sessions[i];
    SIM_ASSERT(ss->alive);
    ss->timer = 0;
    if (env_now_mono(e) >= ss->deadline_mono) session_expire(s, e, (uint32_t)i);
    else session_arm(s, e, (uint32_t)i);      /* a heartbeat moved the deadline */
}

static void on_open(svc *s, env *e, node_id from, const ll_req *q) {
    uint32_t i = 0;
    while (i < LL_SESSIONS_MAX && s->sessions[i].alive) i++;
    if (i == LL_SESSIONS_MAX || session_of(s, from, q->sid) >= 0) {
        reply(e, from, LL_MSG_OPEN, q, LL_ST_FULL, 0, false, 0);
        return;
    }
    if (s->cfg->flavor == LL_FLAVOR_ZOOKEEPER) s->rev++;   /* createSession is a txn */
    s->sessions[i] = (svc_session){ true, from, q->sid, env_now_mono(e) + s->cfg->session_ns, 0 };
    session_arm(s, e, i);
    reply(e, from, LL_MSG_OPEN, q, LL_ST_OK, 0, false, 0);
}

static void on_ping(svc *s, env *e, node_id from, const ll_req *q) {
    int32_t i = session_of(s, from, q->sid);
    if (i >= 0) s->sessions[i].deadline_mono = env_now_mono(e) + s->cfg->session_ns;
    reply(e, from, LL_MSG_PING, q, i >= 0 ? LL_ST_OK : LL_ST_SESSION_EXPIRED, 0, false, 0);
}

/* ------------------------------------------------------------ lock requests */

static void on_create(svc *s, env *e, node_id from, const ll_req *q) {
    int32_t si = session_of(s, from, q->sid);
    if (si < 0) { reply(e, from, LL_MSG_CREATE, q, LL_ST_SESSION_EXPIRED, 0, false, 0); return; }
    uint32_t i = 0;
    while (i < LL_KEYS_MAX && s->keys[i].used) i++;
    if (i == LL_KEYS_MAX) { reply(e, from, LL_MSG_CREATE, q, LL_ST_FULL, 0, false, 0); return; }
    svc_key *k = &s->keys[i];
    *k = (svc_key){ true, ++s->rev, (uint32_t)si, from, -1, 0 };
    s->key_count++;
    key_effect(s, e, HIST_EFF_LOCK_SET, k, from);
    check_and_watch(s, e, from, LL_MSG_CREATE, q, k);
}

static void on_check(svc *s, env *e, node_id from, const ll_req *q) {
    if (session_of(s, from, q->sid) < 0) {
        reply(e, from, LL_MSG_CHECK, q, LL_ST_SESSION_EXPIRED, 0, false, 0);
        return;
    }
    svc_key *k = key_of(s, q->rev);
    if (k == NULL || k->owner != from) { reply(e, from, LL_MSG_CHECK, q, LL_ST_NO_KEY, 0, false, 0); return; }
    check_and_watch(s, e, from, LL_MSG_CHECK, q, k);
}

static void on_delete(svc *s, env *e, node_id from, const ll_req *q) {
    svc_key *k = key_of(s, q->rev);
    if (k == NULL || k->owner != from) { reply(e, from, LL_MSG_DELETE, q, LL_ST_NO_KEY, 0, false, 0); return; }
    s->rev++;
    key_delete(s, e, k, HIST_EFF_LOCK_DEL, from);
    reply(e, from, LL_MSG_DELETE, q, LL_ST_OK, q->rev, false, 0);
}

/* ------------------------------------------------------------ the counter */

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

/* READ, and WRITE as an etcd Txn: If(CreateRevision(myKey) == myRev) when fenced. */
static void on_counter(svc *s, env *e, node_id from, uint32_t type, const stor_req *q) {
    if (!s->counter_set) { s->counter = env_history(e)->initial_value; s->counter_set = true; }
    svc_key *owner = owner_of(s);
    stor_reply p;
    memset(&p, 0, sizeof p);
    p.op = q->op;
    p.req = q->req;
    p.write = type == STOR_MSG_WRITE ? 1 : 0;
    p.ok = 1;
    p.max_token = owner ? owner->rev : 0;
    const svc_key *mine = key_of(s, q->token);
    bool is_owner = mine != NULL && mine->owner == from;
    if (type == STOR_MSG_READ) {
        counter_effect(e, HIST_EFF_READ, from, q, s->counter);
    } else if (q->fenced && !is_owner) {
        p.ok = 0;
        env_trace(e, "Txn If(CreateRevision(%s's key) == %" PRId64 ") failed: not the owner; "
                  "write %" PRId64 " refused", env_node_name(e, from), q->token, q->value);
        counter_effect(e, HIST_EFF_REJECT, from, q, q->value);
    } else {
        s->counter = q->value;
        counter_effect(e, HIST_EFF_WRITE, from, q, q->value);
    }
    p.value = s->counter;
    env_send(e, from, STOR_MSG_REPLY, &p, sizeof p);
}

/* ------------------------------------------------------------ model */

static void svc_on_message(void *state, env *e, node_id from, uint32_t type, const void *body,
                           uint32_t len) {
    svc *s = state;
    SIM_ASSERT(svc_invariants_ok(s));
    if ((type == STOR_MSG_READ || type == STOR_MSG_WRITE) && len == sizeof(stor_req)) {
        stor_req q;
        memcpy(&q, body, sizeof q);
        on_counter(s, e, from, type, &q);
        return;
    }
    if (len != sizeof(ll_req)) { env_trace(e, "ignored a message of type %u", type); return; }
    ll_req q;
    memcpy(&q, body, sizeof q);
    switch (type) {
    case LL_MSG_OPEN: on_open(s, e, from, &q); break;
    case LL_MSG_PING: on_ping(s, e, from, &q); break;
    case LL_MSG_CREATE: on_create(s, e, from, &q); break;
    case LL_MSG_CHECK: on_check(s, e, from, &q); break;
    case LL_MSG_DELETE: on_delete(s, e, from, &q); break;
    default: env_trace(e, "ignored a message of type %u", type); break;
    }
    SIM_ASSERT(svc_invariants_ok(s));
}

static void svc_on_timer(void *state, env *e, uint32_t tag, uint64_t arg) {
    svc *s = state;
    SIM_ASSERT(svc_invariants_ok(s));
    SIM_ASSERT(tag == TAG_SESSION);
    on_session_timer(s, e, arg);
    SIM_ASSERT(svc_invariants_ok(s));
}

static void svc_init(void *state, env *e) {
    svc *s = state;
    memset(s, 0, sizeof *s);
    s->cfg = env_proto_config(e);
    SIM_ASSERT(s->cfg != NULL);
    SIM_ASSERT(svc_invariants_ok(s));
}

/* A consensus ensemble keeps its state; only the timers are gone.  Its
 * members fsync their log before they acknowledge (ZooKeeper, etcd), so a
 * power loss is the same as a crash here. */
static void svc_on_crash(void *state, env *e) {
    svc *s = state;
    SIM_ASSERT(svc_invariants_ok(s));
    env_trace(e, "service crashed: its state is durable (a consensus ensemble), timers stop");
    for (uint32_t i = 0; i < LL_SESSIONS_MAX; i++) s->sessions[i].timer = 0;
}

static void svc_on_restart(void *state, env *e) {
    svc *s = state;
    if (s->cfg == NULL) { svc_init(s, e); return; }
    for (uint32_t i = 0; i < LL_SESSIONS_MAX; i++)
        if (s->sessions[i].alive) session_arm(s, e, i);
    SIM_ASSERT(svc_invariants_ok(s));
}

const model_ops ll_service_ops = {
    .name = "lease-lock-service",
    .state_size = sizeof(svc),
    .init = svc_init,
    .on_message = svc_on_message,
    .on_timer = svc_on_timer,
    .on_crash = svc_on_crash,
    .on_restart = svc_on_restart,
};
