/* register.c -- a replica of the replicated register, CP (majority quorum)
 * or AP (local accept, asynchronous replication, LWW or siblings on heal).
 *
 *   cp, at the home replica (one coordination per request):
 *     REQ --[cp_start]--> QUERY round --majority [cp_query_done]--> STORE round
 *         --majority [cp_store_ack]--> REPLY ok
 *     either round --timeout [cp_timeout]--> REPLY no quorum (query round:
 *         nothing stored, fail) | unknown (store round: maybe stored, info)
 *   cp, at every replica: QUERY --[on_message]--> QUERY_ACK (its version);
 *     STORE --[cp_store]--> keep it if newer --> STORE_ACK
 *   ap: REQ write --[ap_write]--> apply locally, REPLY ok, push to peers
 *       REQ read  --[ap_read]--> REPLY ok with the local copy
 *       REPL --[ap_merge]--> lww: keep the higher timestamp | siblings: keep
 *           every version no other has seen
 *       anti-entropy timer --[ap_push]--> every held version to every peer
 *
 * Invariant (reg_invariants_ok): 1 <= held_count <= REG_REPLICAS_MAX, and 1
 * outside siblings mode; siblings are pairwise concurrent (neither version
 * vector covers the other); a coordination slot in use is in round 1 or 2
 * and its acks name replicas only.  Trade-off: a replica coordinates at most
 * REG_COORDS_MAX requests at once and refuses more (never reached by the
 * sequential clients of `register-rw`).
 */
#include "protocols/register/register.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "sim/family.h"

#define REG_COORDS_MAX 64u
enum { TAG_COORD = 1, TAG_ANTI_ENTROPY = 2 };

typedef struct reg_coord {
    bool used;
    uint8_t round;                /* 1 = query, 2 = store */
    uint8_t kind;                 /* reg_op_kind */
    uint32_t seq, req, op;
    node_id client;
    int64_t value;                /* write: the value asked */
    uint32_t acked;               /* bit r = replica r answered this round */
    reg_version best;             /* query: the highest version seen; store: the one stored */
    timer_id timer;
} reg_coord;

typedef struct reg_replica {
    const reg_cfg *cfg;
    uint32_t self, n;             /* this replica's index, the replica count */
    node_id node_of[REG_REPLICAS_MAX];
    /* durable (fsynced before any ack) */
    reg_version held[REG_REPLICAS_MAX];
    uint32_t held_count;
    uint32_t writes;              /* this replica's own writes: its version-vector entry */
    /* volatile */
    reg_coord coords[REG_COORDS_MAX];
    uint32_t seq_next;
} reg_replica;

static uint32_t majority(const reg_replica *r) { return r->n / 2 + 1; }

static uint32_t popcount(uint32_t m) {
    uint32_t c = 0;
    for (; m; m &= m - 1) c++;
    return c;
}

/* a's version vector <= b's: b had seen a. */
static bool vv_leq(const reg_version *a, const reg_version *b) {
    for (uint32_t i = 0; i < REG_REPLICAS_MAX; i++)
        if (a->vv[i] > b->vv[i]) return false;
    return true;
}

/* The total order of timestamps: (ts, stamping replica, value). */
static int ts_cmp(const reg_version *a, const reg_version *b) {
    if (a->ts != b->ts) return a->ts < b->ts ? -1 : 1;
    if (a->ts_node != b->ts_node) return a->ts_node < b->ts_node ? -1 : 1;
    if (a->value != b->value) return a->value < b->value ? -1 : 1;
    return 0;
}

static bool reg_invariants_ok(const reg_replica *r) {
    if (r->cfg == NULL || r->n == 0 || r->self >= r->n || r->held_count == 0) return false;
    if (r->held_count > REG_REPLICAS_MAX) return false;
    bool siblings = r->cfg->mode == REG_AP && r->cfg->resolve == REG_SIBLINGS;
    if (!siblings && r->held_count != 1) return false;
    for (uint32_t i = 0; i < r->held_count; i++)
        for (uint32_t k = i + 1; k < r->held_count; k++)
            if (vv_leq(&r->held[i], &r->held[k]) || vv_leq(&r->held[k], &r->held[i])) return false;
    for (uint32_t i = 0; i < REG_COORDS_MAX; i++) {
        const reg_coord *c = &r->coords[i];
        if (c->used && (c->round < 1 || c->round > 2 || c->acked >> r->n != 0)) return false;
    }
    return true;
}

/* The replica index of node n, REG_REPLICAS_MAX when it is not one. */
static uint32_t replica_index(const reg_replica *r, node_id n) {
    for (uint32_t i = 0; i < r->n; i++)
        if (r->node_of[i] == n) return i;
    return REG_REPLICAS_MAX;
}

/* ------------------------------------------------------------ history */

static void effect(env *e, hist_eff_kind kind, const reg_version *v, int64_t aux) {
    hist_effect_fields ef;
    memset(&ef, 0, sizeof ef);
    ef.kind = kind;
    ef.client = v->writer;
    ef.op = v->op;
    ef.value = v->value;
    ef.version = v->ts;
    ef.aux = aux;
    ef.token = v->parent;
    ef.key = "x";
    env_effect(e, &ef);
}

static void stored(env *e, const reg_version *v) { effect(e, HIST_EFF_REG_STORE, v, v->ts_node); }

static void discarded(env *e, const reg_version *lost, const reg_version *winner) {
    hist_effect_fields ef;
    memset(&ef, 0, sizeof ef);
    ef.kind = HIST_EFF_REG_DISCARD;
    ef.client = lost->writer;
    ef.op = lost->op;
    ef.value = lost->value;
    ef.version = lost->ts;
    ef.epoch = winner->ts;
    ef.aux = winner->value;
    ef.token = lost->parent;
    ef.key = "x";
    env_effect(e, &ef);
    env_trace(e, "lww drops %" PRId64 " (ts %" PRId64 ") for %" PRId64 " (ts %" PRId64
              "), which had not seen it", lost->value, lost->ts, winner->value, winner->ts);
}

static void reply(env *e, node_id to, uint32_t req, uint32_t op, reg_status st, int64_t value) {
    reg_reply p;
    memset(&p, 0, sizeof p);
    p.req = req;
    p.op = op;
    p.status = (uint8_t)st;
    p.value = value;
    env_send(e, to, REG_MSG_REPLY, &p, sizeof p);
}

/* ------------------------------------------------------------ cp */

static reg_coord *coord_by_seq(reg_replica *r, uint32_t seq) {
    for (uint32_t i = 0; i < REG_COORDS_MAX; i++)
        if (r->coords[i].used && r->coords[i].seq == seq) return &r->coords[i];
    return NULL;
}

static void coord_end(env *e, reg_coord *c) {
    SIM_ASSERT(c->used);
    env_timer_cancel(e, c->timer);
    memset(c, 0, sizeof *c);
}

static void send_peers(reg_replica *r, env *e, uint32_t type, const void *body, uint32_t len) {
    for (uint32_t i = 0; i < r->n; i++)
        if (i != r->self) env_send(e, r->node_of[i], type, body, len);
}

/* Keeps v if its timestamp is higher than the held one's. */
static void cp_store(reg_replica *r, env *e, const reg_version *v) {
    if (ts_cmp(v, &r->held[0]) <= 0) return;
    r->held[0] = *v;
    stored(e, v);
}

static void cp_store_ack(reg_replica *r, env *e, reg_coord *c, uint32_t from);

static void cp_round(reg_replica *r, env *e, reg_coord *c, uint32_t type) {
    c->acked = 1u << r->self;
    env_timer_cancel(e, c->timer);
    c->timer = env_timer(e, r->cfg->timeout_ns, TAG_COORD, c->seq);
    reg_coord_msg m;
    memset(&m, 0, sizeof m);
    m.seq = c->seq;
    m.v = c->best;
    send_peers(r, e, type, &m, sizeof m);
}

static void cp_query_done(reg_replica *r, env *e, reg_coord *c) {
    SIM_ASSERT(c->round == 1);
    if (c->kind == REG_OP_WRITE) {
        reg_version w;
        memset(&w, 0, sizeof w);
        w.value = c->value;
        w.ts = c->best.ts + 1;
        w.ts_node = (int32_t)r->self;
        w.writer = c->client;
        w.op = c->op;
        w.parent = c->best.op;
        c->best = w;
    }
    c->round = 2;
    cp_store(r, e, &c->best);
    cp_round(r, e, c, REG_MSG_STORE);
    cp_store_ack(r, e, c, r->self);      /* a one-replica register needs no peer */
}

static void cp_query_ack(reg_replica *r, env *e, reg_coord *c, uint32_t from, const reg_version *v) {
    if (c->round != 1 || from >= r->n) return;
    c->acked |= 1u << from;
    if (ts_cmp(v, &c->best) > 0) c->best = *v;
    if (popcount(c->acked) >= majority(r)) cp_query_done(r, e, c);
}

static void cp_store_ack(reg_replica *r, env *e, reg_coord *c, uint32_t from) {
    if (c->round != 2 || from >= r->n) return;
    c->acked |= 1u << from;
    if (popcount(c->acked) < majority(r)) return;
    reply(e, c->client, c->req, c->op, REG_REPLY_OK, c->best.value);
    coord_end(e, c);
}

static void cp_start(reg_replica *r, env *e, node_id client, const reg_req *q) {
    reg_coord *c = NULL;
    for (uint32_t i = 0; i < REG_COORDS_MAX && c == NULL; i++)
        if (!r->coords[i].used) c = &r->coords[i];
    if (c == NULL) {
        reply(e, client, q->req, q->op, REG_REPLY_NO_QUORUM, 0);
        return;
    }
    *c = (reg_coord){ .used = true, .round = 1, .kind = q->kind, .seq = ++r->seq_next,
                      .req = q->req, .op = q->op, .client = client, .value = q->value,
                      .best = r->held[0] };
    cp_round(r, e, c, REG_MSG_QUERY);
    if (popcount(c->acked) >= majority(r)) cp_query_done(r, e, c);
}

static void cp_timeout(reg_replica *r, env *e, uint32_t seq) {
    reg_coord *c = coord_by_seq(r, seq);
    if (c == NULL) return;
    hist_effect_fields ef;
    memset(&ef, 0, sizeof ef);
    ef.kind = HIST_EFF_REG_REFUSE;
    ef.client = c->client;
    ef.op = c->op;
    ef.value = popcount(c->acked);
    ef.aux = majority(r);
    ef.key = c->round == 1 ? "query" : "store";
    env_effect(e, &ef);
    reg_reply p;
    memset(&p, 0, sizeof p);
    p.req = c->req;
    p.op = c->op;
    p.status = c->round == 1 ? REG_REPLY_NO_QUORUM : REG_REPLY_UNKNOWN;
    p.answered = (uint8_t)popcount(c->acked);
    p.needed = (uint8_t)majority(r);
    p.replicas = (uint8_t)r->n;
    env_send(e, c->client, REG_MSG_REPLY, &p, sizeof p);
    coord_end(e, c);
}

static void cp_on_peer(reg_replica *r, env *e, node_id from, uint32_t type, const reg_coord_msg *m) {
    uint32_t ri = replica_index(r, from);
    if (ri == REG_REPLICAS_MAX) return;
    reg_coord_msg a;
    memset(&a, 0, sizeof a);
    a.seq = m->seq;
    reg_coord *c = coord_by_seq(r, m->seq);
    switch (type) {
    case REG_MSG_QUERY:
        a.v = r->held[0];
        env_send(e, from, REG_MSG_QUERY_ACK, &a, sizeof a);
        return;
    case REG_MSG_STORE:
        cp_store(r, e, &m->v);
        env_send(e, from, REG_MSG_STORE_ACK, &a, sizeof a);
        return;
    case REG_MSG_QUERY_ACK:
        if (c != NULL) cp_query_ack(r, e, c, ri, &m->v);
        return;
    case REG_MSG_STORE_ACK:
        if (c != NULL) cp_store_ack(r, e, c, ri);
        return;
    default:
        return;
    }
}

/* ------------------------------------------------------------ ap */

static void ap_push(reg_replica *r, env *e) {
    for (uint32_t i = 0; i < r->held_count; i++)
        send_peers(r, e, REG_MSG_REPL, &r->held[i], sizeof r->held[i]);
}

static uint32_t newest(const reg_replica *r) {
    uint32_t b = 0;
    for (uint32_t i = 1; i < r->held_count; i++)
        if (ts_cmp(&r->held[i], &r->held[b]) > 0) b = i;
    return b;
}

static void siblings_note(const reg_replica *r, env *e) {
    if (r->held_count < 2) return;
    const reg_version *nv = &r->held[newest(r)];
    hist_effect_fields ef;
    memset(&ef, 0, sizeof ef);
    ef.kind = HIST_EFF_REG_SIBLINGS;
    ef.client = -1;
    ef.op = HIST_NONE;
    ef.value = r->held_count;
    ef.aux = nv->value;
    ef.key = "x";
    env_effect(e, &ef);
}

/* lww: the higher timestamp stays; the other is dropped, a loss when the
 * winner had not seen it. */
static void lww_merge(reg_replica *r, env *e, const reg_version *v) {
    reg_version *h = &r->held[0];
    int c = ts_cmp(v, h);
    if (c == 0) return;
    if (c < 0) {
        if (!vv_leq(v, h)) discarded(e, v, h);
        return;
    }
    reg_version old = *h;
    *h = *v;
    stored(e, v);
    if (!vv_leq(&old, v)) discarded(e, &old, v);
}

/* siblings: v joins unless a held version has seen it; it replaces those it has seen. */
static void sib_merge(reg_replica *r, env *e, const reg_version *v) {
    for (uint32_t i = 0; i < r->held_count; i++)
        if (vv_leq(v, &r->held[i])) return;
    uint32_t k = 0;
    for (uint32_t i = 0; i < r->held_count; i++)
        if (!vv_leq(&r->held[i], v)) r->held[k++] = r->held[i];
    SIM_ASSERT(k < REG_REPLICAS_MAX);    /* one maximal version per replica that wrote */
    r->held[k++] = *v;
    r->held_count = k;
    stored(e, v);
    siblings_note(r, e);
}

static void ap_merge(reg_replica *r, env *e, const reg_version *v) {
    if (r->cfg->resolve == REG_SIBLINGS) sib_merge(r, e, v);
    else lww_merge(r, e, v);
}

static void ap_write(reg_replica *r, env *e, node_id client, const reg_req *q) {
    reg_version w;
    memset(&w, 0, sizeof w);
    w.value = q->value;
    w.ts = env_now_wall(e);
    w.ts_node = (int32_t)r->self;
    w.writer = client;
    w.op = q->op;
    w.parent = r->held[newest(r)].op;
    for (uint32_t i = 0; i < r->held_count; i++)
        for (uint32_t k = 0; k < REG_REPLICAS_MAX; k++)
            if (r->held[i].vv[k] > w.vv[k]) w.vv[k] = r->held[i].vv[k];
    w.vv[r->self] = ++r->writes;
    if (r->cfg->resolve == REG_SIBLINGS) {
        r->held[0] = w;                  /* it has seen every sibling it replaces */
        r->held_count = 1;
        stored(e, &w);
    } else {
        lww_merge(r, e, &w);             /* a slow clock: an older timestamp keeps the old value */
    }
    reply(e, client, q->req, q->op, REG_REPLY_OK, 0);
    ap_push(r, e);
}

static void ap_read(reg_replica *r, env *e, node_id client, const reg_req *q) {
    uint32_t b = newest(r);
    reg_reply p;
    memset(&p, 0, sizeof p);
    p.req = q->req;
    p.op = q->op;
    p.status = REG_REPLY_OK;
    p.value = r->held[b].value;
    p.siblings = (uint8_t)r->held_count;
    p.other = r->held[b == 0 && r->held_count > 1 ? 1 : 0].value;
    env_send(e, client, REG_MSG_REPLY, &p, sizeof p);
}

/* ------------------------------------------------------------ model */

static void reg_on_message(void *state, env *e, node_id from, uint32_t type, const void *body,
                           uint32_t len) {
    reg_replica *r = state;
    SIM_ASSERT(reg_invariants_ok(r));
    if (type == REG_MSG_REQ && len == sizeof(reg_req)) {
        reg_req q;
        memcpy(&q, body, sizeof q);
        if (r->cfg->mode == REG_CP) cp_start(r, e, from, &q);
        else if (q.kind == REG_OP_WRITE) ap_write(r, e, from, &q);
        else ap_read(r, e, from, &q);
    } else if (type == REG_MSG_REPL && len == sizeof(reg_version)) {
        reg_version v;
        memcpy(&v, body, sizeof v);
        if (r->cfg->mode == REG_AP && replica_index(r, from) < r->n) ap_merge(r, e, &v);
    } else if (type >= REG_MSG_QUERY && type <= REG_MSG_STORE_ACK && len == sizeof(reg_coord_msg)) {
        reg_coord_msg m;
        memcpy(&m, body, sizeof m);
        if (r->cfg->mode == REG_CP) cp_on_peer(r, e, from, type, &m);
    } else {
        env_trace(e, "replica: ignored message type %u (%u bytes)", type, len);
    }
    SIM_ASSERT(reg_invariants_ok(r));
}

static void reg_on_timer(void *state, env *e, uint32_t tag, uint64_t arg) {
    reg_replica *r = state;
    SIM_ASSERT(reg_invariants_ok(r));
    if (tag == TAG_COORD) {
        cp_timeout(r, e, (uint32_t)arg);
    } else {
        SIM_ASSERT(tag == TAG_ANTI_ENTROPY);
        ap_push(r, e);
        env_timer(e, r->cfg->anti_entropy_ns, TAG_ANTI_ENTROPY, 0);
    }
    SIM_ASSERT(reg_invariants_ok(r));
}

static void start(reg_replica *r, env *e) {
    memset(r->coords, 0, sizeof r->coords);
    if (r->cfg->mode == REG_AP) env_timer(e, r->cfg->anti_entropy_ns, TAG_ANTI_ENTROPY, 0);
}

static void reg_init(void *state, env *e) {
    reg_replica *r = state;
    memset(r, 0, sizeof *r);
    r->cfg = env_proto_config(e);
    SIM_ASSERT(r->cfg != NULL);
    node_id nodes[REG_REPLICAS_MAX];
    r->n = env_nodes_of_role(e, "replica", nodes, REG_REPLICAS_MAX);
    SIM_ASSERT(r->n >= 1);
    for (uint32_t i = 0; i < r->n; i++) r->node_of[i] = nodes[i];
    r->self = replica_index(r, env_self(e));
    SIM_ASSERT(r->self < r->n);
    r->held[0] = (reg_version){ .value = 0, .ts = 0, .ts_node = -1, .writer = -1, .op = HIST_NONE,
                                .parent = HIST_NONE };
    r->held_count = 1;
    start(r, e);
    SIM_ASSERT(reg_invariants_ok(r));
}

/* Every change to the register was fsynced before the replica acted on it,
 * so a crash and a power loss keep the same: the held versions and the
 * write counter.  Coordinations under way are lost with the process. */
static void reg_on_crash(void *state, env *e) {
    reg_replica *r = state;
    SIM_ASSERT(reg_invariants_ok(r));
    env_trace(e, "replica crashed%s: its register is on disk (fsynced before every ack); "
              "coordinations under way are lost", env_crash_is_power_loss(e) ? " (power loss)" : "");
}

static void reg_on_restart(void *state, env *e) {
    reg_replica *r = state;
    start(r, e);
    SIM_ASSERT(reg_invariants_ok(r));
}

const model_ops reg_replica_ops = {
    .name = "register-replica", .state_size = sizeof(reg_replica), .init = reg_init,
    .on_message = reg_on_message, .on_timer = reg_on_timer, .on_crash = reg_on_crash,
    .on_restart = reg_on_restart,
};

/* ------------------------------------------------------------ describe */

static bool describe_peer(uint32_t type, const void *body, uint32_t len, char *buf, size_t n) {
    if (type == REG_MSG_REPL && len == sizeof(reg_version)) {
        reg_version v;
        memcpy(&v, body, sizeof v);
        snprintf(buf, n, "REPL x=%" PRId64 " ts=%" PRId64 "@%d", v.value, v.ts, v.ts_node);
        return true;
    }
    if (type < REG_MSG_QUERY || type > REG_MSG_STORE_ACK || len != sizeof(reg_coord_msg)) return false;
    reg_coord_msg m;
    memcpy(&m, body, sizeof m);
    static const char *const names[] = { "QUERY", "QUERY-ACK", "STORE", "STORE-ACK" };
    const char *name = names[type - REG_MSG_QUERY];
    if (type == REG_MSG_QUERY_ACK || type == REG_MSG_STORE)
        snprintf(buf, n, "%s #%u x=%" PRId64 " ts=%" PRId64 "@%d", name, m.seq, m.v.value, m.v.ts,
                 m.v.ts_node);
    else snprintf(buf, n, "%s #%u", name, m.seq);
    return true;
}

bool reg_describe(uint32_t type, const void *body, uint32_t len, char *buf, size_t buf_len) {
    SIM_ASSERT(buf != NULL);
    SIM_ASSERT(buf_len > 0);
    if (type == REG_MSG_REQ && len == sizeof(reg_req)) {
        reg_req q;
        memcpy(&q, body, sizeof q);
        if (q.kind == REG_OP_WRITE) snprintf(buf, buf_len, "WRITE x=%" PRId64, q.value);
        else snprintf(buf, buf_len, "READ x");
        return true;
    }
    if (type == REG_MSG_REPLY && len == sizeof(reg_reply)) {
        reg_reply p;
        memcpy(&p, body, sizeof p);
        if (p.status == REG_REPLY_OK) snprintf(buf, buf_len, "OK x=%" PRId64, p.value);
        else snprintf(buf, buf_len, "%s (%u of %u replicas answered, %u needed)",
                      p.status == REG_REPLY_NO_QUORUM ? "NO QUORUM" : "UNKNOWN", p.answered,
                      p.replicas, p.needed);
        return true;
    }
    return describe_peer(type, body, len, buf, buf_len);
}

/* ------------------------------------------------------------ descriptors */

#define CFG_AT(field) offsetof(reg_cfg, field)

static const param_spec reg_params[] = {
    PARAM_ENUM_SPEC("mode", "cp", "cp: majority quorum (the minority refuses); ap: every replica "
        "accepts, replicates asynchronously", CFG_AT(mode), "cp|ap"),
    PARAM_ENUM_SPEC("resolve", "lww", "ap: when copies meet, last-writer-wins by wall-clock "
        "timestamp, or keep concurrent siblings", CFG_AT(resolve), "lww|siblings"),
    PARAM_DURATION_SPEC("timeout", "500ms", "cp: how long a coordinator waits for a majority",
        CFG_AT(timeout_ns), SIM_NS, PARAM_NO_MAX),
    PARAM_DURATION_SPEC("anti_entropy", "1s", "ap: how often a replica pushes its copy to the "
        "others", CFG_AT(anti_entropy_ns), SIM_MS, PARAM_NO_MAX),
};

static const proto_desc reg_proto = {
    .name = "replicated-register",
    .summary = "one register on N replicas: cp (majority quorum) or ap (local accept; lww or "
        "siblings on heal)",
    .params = reg_params,
    .param_count = sizeof reg_params / sizeof reg_params[0],
    .cfg_size = sizeof(reg_cfg),
    .roles = {
        { "replica", &reg_replica_ops, 1, REG_REPLICAS_MAX, "the register's replicas",
          NULL },
        { "client", NULL, 1, SIM_NODES_MAX, "one or more clients (the workload drives them)", NULL },
    },
    .role_count = 2,
    .workloads = { "register-rw", NULL },
    .checks = { "linearizable", "availability", "lost-writes", "liveness", NULL },
};

static void label_discard(const hist_effect_fields *e, const char *client, char *buf, size_t len) {
    snprintf(buf, len, "drops %s's %" PRId64 " for %" PRId64, client, e->value, e->aux);
}

static void label_siblings(const hist_effect_fields *e, const char *client, char *buf, size_t len) {
    (void)client;
    snprintf(buf, len, "%" PRId64 " siblings", e->value);
}

static void label_refuse(const hist_effect_fields *e, const char *client, char *buf, size_t len) {
    (void)client;
    snprintf(buf, len, "no quorum %" PRId64 "/%" PRId64, e->value, e->aux);
}

static const hist_kind_def reg_effects[] = {
    { .kind = HIST_EFF_REG_STORE, .name = "reg-store", .mark = HIST_MARK_DOT,
      .mark_rgb = HIST_MARK_CLIENT_RGB, .only_when_used = true },
    { .kind = HIST_EFF_REG_DISCARD, .name = "reg-discard", .mark = HIST_MARK_CROSS,
      .mark_rgb = 0xc1121fu, .label = label_discard, .only_when_used = true },
    { .kind = HIST_EFF_REG_SIBLINGS, .name = "reg-siblings", .mark = HIST_MARK_DIAMOND,
      .mark_rgb = 0x9d4eddu, .label = label_siblings, .only_when_used = true },
    { .kind = HIST_EFF_REG_REFUSE, .name = "reg-refuse", .mark = HIST_MARK_SQUARE,
      .mark_rgb = 0xe07000u, .label = label_refuse, .only_when_used = true },
    { .kind = HIST_EFF_REG_TARGET, .name = "availability-target", .only_when_used = true },
    { .name = NULL },
};

static const proto_desc *const reg_protocols[] = { &reg_proto, NULL };

const family_desc reg_family = {
    .name = "register",
    .msgs = { { 1550, 1599 } },
    /* no timer tags: the replica and the register-rw driver are each alone
     * on their node, so their tags are private (below FAMILY_TAG_PRIVATE) */
    .describe = reg_describe,
    .protocols = reg_protocols,
    .kinds = { { 1550, 1569 } },
    .effects = reg_effects,
};
