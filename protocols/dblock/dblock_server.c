/* dblock_server.c -- the database node of `db-lock-table`: the locks table
 * (one row, name 'job'), the lock_versions sequence and, when the workload
 * keeps its counter here, the counter table.
 *
 * Invariant (srv_invariants_ok): a row, when present, has an owner, a
 * version in 1..seq and a client node; seq never decreases (versions are
 * handed out once each, so a later grant has a higher version).
 *
 * Row states (the function per edge):
 *   (none) --INSERT [on_insert -> grant]--> PRESENT (owner, acquired_at, version)
 *   PRESENT --INSERT, stale row taken over [on_insert -> grant]--> PRESENT (new owner)
 *   PRESENT --DELETE WHERE name [AND owner] [on_delete]--> (none)
 * Each statement is its own transaction, applied when its message arrives
 * and committed (fsynced) before the reply leaves: a crash or a power loss
 * keeps everything committed and loses only what is in flight
 * (srv_on_crash).  No timers: a row never expires by itself; only a
 * waiter's INSERT ... DO UPDATE WHERE acquired_at < now() - T removes it.
 */
#include "protocols/dblock/dblock.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "protocols/storage/storage.h"

typedef struct srv_row {
    bool used;
    char owner[DBL_VALUE_MAX];
    node_id client;               /* the node that wrote the row */
    sim_time acquired_at;         /* now() at the insert, the db's wall clock */
    int64_t version;
} srv_row;

typedef struct srv {
    const dbl_cfg *cfg;
    srv_row row;
    int64_t seq;                  /* lock_versions: the last value handed out */
    int64_t counter;              /* the protected counter, when it lives here */
    bool counter_set;
} srv;

static bool srv_invariants_ok(const srv *s) {
    if (s->cfg == NULL || s->seq < 0) return false;
    if (!s->row.used) return true;
    return s->row.owner[0] != '\0' && s->row.version >= 1 && s->row.version <= s->seq &&
           s->row.client >= 0;
}

static void row_effect(env *e, hist_eff_kind kind, const srv_row *r, node_id client) {
    hist_effect_fields ef;
    memset(&ef, 0, sizeof ef);
    ef.kind = kind;
    ef.client = client;
    ef.op = HIST_NONE;
    ef.token = r->version;
    ef.value = -1;                /* no expiry of its own */
    ef.key = "locks/" DBL_NAME;
    env_effect(e, &ef);
}

static void reply(env *e, node_id to, uint16_t op, const dbl_req *q, dbl_reply *p) {
    p->req = q->req;
    p->op = op;
    env_send(e, to, DBL_MSG_REPLY, p, sizeof *p);
}

/* ------------------------------------------------------------ statements */

static void grant(srv *s, env *e, node_id from, const dbl_req *q) {
    srv_row *r = &s->row;
    bool took_over = r->used;
    char old[DBL_VALUE_MAX];
    memcpy(old, r->owner, sizeof old);
    r->used = true;
    memcpy(r->owner, q->value, sizeof r->owner);
    r->owner[sizeof r->owner - 1] = '\0';
    r->client = from;
    r->acquired_at = env_now_wall(e);
    r->version = ++s->seq;
    if (took_over)
        env_trace(e, "row '%s' of %s was stale: taken over by %s (version %" PRId64 ")", DBL_NAME,
                  old, r->owner, r->version);
    row_effect(e, HIST_EFF_LOCK_SET, r, from);
}

/* INSERT ... ON CONFLICT DO NOTHING, or DO UPDATE ... WHERE acquired_at < now() - T. */
static void on_insert(srv *s, env *e, node_id from, const dbl_req *q) {
    dbl_reply p;
    memset(&p, 0, sizeof p);
    bool stale = s->row.used && q->stale_ns > 0 &&
                 s->row.acquired_at < env_now_wall(e) - q->stale_ns;
    if (!s->row.used || stale) {
        grant(s, e, from, q);
        p.rows = 1;
    }
    reply(e, from, DBL_MSG_INSERT, q, &p);
}

static void on_select(srv *s, env *e, node_id from, const dbl_req *q) {
    dbl_reply p;
    memset(&p, 0, sizeof p);
    if (s->row.used) {
        p.found = 1;
        p.version = s->row.version;
        p.age_ns = env_now_wall(e) - s->row.acquired_at;
        memcpy(p.owner, s->row.owner, sizeof p.owner);
    }
    reply(e, from, DBL_MSG_SELECT, q, &p);
}

static void on_delete(srv *s, env *e, node_id from, const dbl_req *q) {
    dbl_reply p;
    memset(&p, 0, sizeof p);
    bool match = s->row.used &&
                 (!q->by_owner || strncmp(s->row.owner, q->value, DBL_VALUE_MAX) == 0);
    if (match) {
        if (s->row.client != from)
            env_trace(e, "DELETE WHERE name = '%s' from %s removed %s's row", DBL_NAME,
                      env_node_name(e, from), s->row.owner);
        row_effect(e, HIST_EFF_LOCK_DEL, &s->row, from);
        memset(&s->row, 0, sizeof s->row);
        p.rows = 1;
    }
    reply(e, from, DBL_MSG_DELETE, q, &p);
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

/* SELECT v FROM counter, and UPDATE counter SET v = $v [WHERE EXISTS (SELECT
 * 1 FROM locks WHERE name = 'job' AND version = $token)] when fenced. */
static void on_counter(srv *s, env *e, node_id from, uint32_t type, const stor_req *q) {
    if (!s->counter_set) { s->counter = env_history(e)->initial_value; s->counter_set = true; }
    stor_reply p;
    memset(&p, 0, sizeof p);
    p.op = q->op;
    p.req = q->req;
    p.write = type == STOR_MSG_WRITE ? 1 : 0;
    p.ok = 1;
    p.max_token = s->row.used ? s->row.version : 0;
    bool mine = s->row.used && s->row.version == q->token;
    if (type == STOR_MSG_READ) {
        counter_effect(e, HIST_EFF_READ, from, q, s->counter);
    } else if (q->fenced && !mine) {
        p.ok = 0;
        env_trace(e, "UPDATE counter ... WHERE lock version = %" PRId64 ": 0 rows (the row is %s); "
                  "write %" PRId64 " refused", q->token, s->row.used ? "another's" : "gone",
                  q->value);
        counter_effect(e, HIST_EFF_REJECT, from, q, q->value);
    } else {
        s->counter = q->value;
        counter_effect(e, HIST_EFF_WRITE, from, q, q->value);
    }
    p.value = s->counter;
    env_send(e, from, STOR_MSG_REPLY, &p, sizeof p);
}

/* ------------------------------------------------------------ model */

static void srv_on_message(void *state, env *e, node_id from, uint32_t type, const void *body,
                           uint32_t len) {
    srv *s = state;
    SIM_ASSERT(srv_invariants_ok(s));
    if ((type == STOR_MSG_READ || type == STOR_MSG_WRITE) && len == sizeof(stor_req)) {
        stor_req q;
        memcpy(&q, body, sizeof q);
        on_counter(s, e, from, type, &q);
        return;
    }
    if (len != sizeof(dbl_req)) { env_trace(e, "ignored a message of type %u", type); return; }
    dbl_req q;
    memcpy(&q, body, sizeof q);
    q.value[sizeof q.value - 1] = '\0';
    switch (type) {
    case DBL_MSG_INSERT: on_insert(s, e, from, &q); break;
    case DBL_MSG_SELECT: on_select(s, e, from, &q); break;
    case DBL_MSG_DELETE: on_delete(s, e, from, &q); break;
    default: env_trace(e, "ignored a message of type %u", type); break;
    }
    SIM_ASSERT(srv_invariants_ok(s));
}

static void srv_on_timer(void *state, env *e, uint32_t tag, uint64_t arg) {
    (void)state;
    (void)e;
    (void)tag;
    (void)arg;
    SIM_UNREACHABLE("the db node sets no timers");
}

static void srv_init(void *state, env *e) {
    srv *s = state;
    memset(s, 0, sizeof *s);
    s->cfg = env_proto_config(e);
    SIM_ASSERT(s->cfg != NULL);
    SIM_ASSERT(srv_invariants_ok(s));
}

/* Every statement committed before it answered (synchronous_commit = on),
 * so a crash and a power loss keep the row, the sequence and the counter. */
static void srv_on_crash(void *state, env *e) {
    srv *s = state;
    SIM_ASSERT(srv_invariants_ok(s));
    env_trace(e, "db %s: committed rows survive (fsynced at commit); statements in flight are lost%s",
              env_crash_is_power_loss(e) ? "lost power" : "crashed",
              s->row.used ? "; the lock row stays" : "");
}

static void srv_on_restart(void *state, env *e) {
    srv *s = state;
    if (s->cfg == NULL) { srv_init(s, e); return; }
    env_trace(e, "db recovered: lock row %s", s->row.used ? s->row.owner : "(none)");
    SIM_ASSERT(srv_invariants_ok(s));
}

const model_ops dbl_server_ops = {
    .name = "db-lock-table-db",
    .state_size = sizeof(srv),
    .init = srv_init,
    .on_message = srv_on_message,
    .on_timer = srv_on_timer,
    .on_crash = srv_on_crash,
    .on_restart = srv_on_restart,
};
