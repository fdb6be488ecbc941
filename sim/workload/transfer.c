/* transfer.c -- the transfer driver: transfers on coordinator nodes, the
 * locking read of transaction X on reader nodes (transfer.h).
 *
 *   coordinator nodes (in `clients`):
 *     WAIT --start/think timer [begin_transfer]--> RUNNING
 *     RUNNING --done hook [on_done -> transfer_end]--> WAIT | DONE
 *   reader nodes (in `reader`):
 *     WAIT --reader.at timer [begin_read]--> READING
 *     READING --reply / timeout [on_read_reply, on_read_timeout]--> DONE
 *   any --crash [xfr_on_crash]--> CRASHED --restart [xfr_on_restart]--> WAIT | DONE
 *
 * Invariant (xfr_invariants_ok): an op is pending exactly in RUNNING and
 * READING; a read request is outstanding exactly in READING; done <=
 * iterations; a node that is neither client nor reader stays OFF.
 *
 * Trade-off: the protocol's library state sits in a fixed buffer of
 * TXN_CLIENT_STATE_MAX bytes inside the driver, so the engine's one
 * allocation per node holds it and its durable log survives a crash.
 */
#include "sim/workload/transfer.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "protocols/saga/saga.h"
#include "protocols/txn/txn_api.h"
#include "sim/family.h"
#include "sim/workload/outcome.h"

enum { TAG_START = 1, TAG_READ = 2, TAG_READ_TIMEOUT = 3 };

typedef enum {
    XFR_OFF = 0, XFR_WAIT, XFR_RUNNING, XFR_READING, XFR_DONE, XFR_CRASHED
} xfr_state;

typedef struct xfr_driver {
    _Alignas(max_align_t) unsigned char lc[TXN_CLIENT_STATE_MAX];   /* the protocol's library */
    const xfr_cfg *cfg;
    const txn_client_ops *lib;
    txn_client_hooks hooks;
    bool started;                 /* init ran (a node crashed at 0 starts at its restart) */
    bool member, reader;
    xfr_state state;
    int64_t done;                 /* transfers finished */
    uint32_t op;                  /* the pending op, HIST_NONE if none */
    uint32_t req_next, req_out;   /* the read request; 0 = none */
    timer_id read_timer;
    txn_spec spec;
    node_id read_of;
} xfr_driver;

static bool xfr_invariants_ok(const xfr_driver *d) {
    bool op_pending = d->state == XFR_RUNNING || d->state == XFR_READING;
    if (op_pending != (d->op != HIST_NONE)) return false;
    if ((d->state == XFR_READING) != (d->req_out != 0)) return false;
    if (d->done < 0 || d->done > d->cfg->iterations) return false;
    if (d->state == XFR_RUNNING && !d->member) return false;
    return d->member || d->reader || d->state == XFR_OFF;
}

static sim_time per_node(const param_per_node *p, env *e) {
    node_id self = env_self(e);
    SIM_ASSERT(self >= 0);
    SIM_ASSERT(self < SIM_NODES_MAX);
    return p->node_ns[self];
}

static bool in_nodes(const param_nodes *ns, node_id n) {
    for (uint32_t i = 0; i < ns->count; i++)
        if (ns->node[i] == n) return true;
    return false;
}

static void complete(xfr_driver *d, env *e, hist_result r, const hist_op_fields *fields) {
    SIM_ASSERT(d->op != HIST_NONE);
    SIM_ASSERT(r != HIST_PENDING);
    uint32_t op = d->op;
    d->op = HIST_NONE;
    env_op_complete(e, op, r, fields);
}

/* ------------------------------------------------------------ the legs */

/* from pays amount; the to nodes share it (the last takes the remainder). */
static void build_spec(xfr_driver *d, env *e) {
    const xfr_cfg *c = d->cfg;
    node_id res[SIM_NODES_MAX];
    uint32_t nres = env_nodes_of_role(e, d->lib->resource_role, res, SIM_NODES_MAX);
    SIM_ASSERT(nres >= 1);                        /* the role table asks for at least one */
    node_id from = c->from.count ? c->from.node[0] : res[0];
    node_id to[SIM_NODES_MAX];
    uint32_t nto = 0;
    if (c->to.count) {
        for (uint32_t i = 0; i < c->to.count; i++) to[nto++] = c->to.node[i];
    } else {
        for (uint32_t i = 0; i < nres; i++) if (res[i] != from) to[nto++] = res[i];
    }
    SIM_ASSERT(nto + 1 <= TXN_LEGS_MAX);          /* xfr_validate bounds the legs */
    memset(&d->spec, 0, sizeof d->spec);
    d->spec.legs[d->spec.leg_count++] = (txn_leg){ from, -c->amount };
    int64_t share = nto ? c->amount / (int64_t)nto : 0, given = 0;
    for (uint32_t i = 0; i < nto; i++) {
        int64_t v = i + 1 == nto ? c->amount - given : share;
        given += v;
        d->spec.legs[d->spec.leg_count++] = (txn_leg){ to[i], v };
    }
    d->read_of = c->reader_of.count ? c->reader_of.node[0] : from;
}

/* ------------------------------------------------------------ transfers */

static void transfer_end(xfr_driver *d, env *e) {
    SIM_ASSERT(d->op == HIST_NONE);
    d->done++;
    if (d->done >= d->cfg->iterations) {
        d->state = XFR_DONE;
        env_trace(e, "transfer: all %" PRId64 " transfers done", d->done);
    } else {
        d->state = XFR_WAIT;
        env_timer(e, per_node(&d->cfg->think, e), TAG_START, 0);
    }
    SIM_ASSERT(xfr_invariants_ok(d));
}

static void begin_transfer(xfr_driver *d, env *e) {
    SIM_ASSERT(d->state == XFR_WAIT);
    SIM_ASSERT(d->member);
    hist_op_fields f;
    memset(&f, 0, sizeof f);
    f.value_in = d->cfg->amount;
    f.has_value_in = true;
    d->op = env_op_invoke(e, d->lib->op_f, &f);
    d->state = XFR_RUNNING;
    env_trace(e, "transfer %" PRId64 ": %s pays %" PRId64 " to %u account%s", d->done + 1,
              env_node_name(e, d->spec.legs[0].node), d->cfg->amount, d->spec.leg_count - 1,
              d->spec.leg_count == 2 ? "" : "s");
    SIM_ASSERT(xfr_invariants_ok(d));
    d->lib->begin(d->lc, e, &d->spec, d->op);
}

static void on_done(void *owner, env *e, hist_result r, const char *why) {
    xfr_driver *d = owner;
    SIM_ASSERT(d->state == XFR_RUNNING);
    SIM_ASSERT(why != NULL);
    hist_op_fields f;
    memset(&f, 0, sizeof f);
    f.note = why;
    complete(d, e, r, &f);
    transfer_end(d, e);
}

/* ------------------------------------------------------------ transaction X */

static void begin_read(xfr_driver *d, env *e) {
    SIM_ASSERT(d->state == XFR_WAIT);
    SIM_ASSERT(d->reader);
    d->op = env_op_invoke(e, HIST_F_READ, NULL);
    d->state = XFR_READING;
    txn_read q;
    memset(&q, 0, sizeof q);
    q.op = d->op;
    q.req = ++d->req_next;
    d->req_out = q.req;
    env_trace(e, "transaction X: SELECT ... FOR UPDATE of %s's account", env_node_name(e, d->read_of));
    env_send(e, d->read_of, TXN_MSG_READ, &q, sizeof q);
    if (d->cfg->reader_timeout_ns >= 0)
        d->read_timer = env_timer(e, d->cfg->reader_timeout_ns, TAG_READ_TIMEOUT, q.req);
    SIM_ASSERT(xfr_invariants_ok(d));
}

static void read_end(xfr_driver *d, env *e, hist_result r, int64_t balance, const char *why) {
    hist_op_fields f;
    memset(&f, 0, sizeof f);
    if (r == HIST_OK) { f.value_out = balance; f.has_value_out = true; }
    f.note = why;
    d->req_out = 0;
    complete(d, e, r, &f);
    d->state = XFR_DONE;
    SIM_ASSERT(xfr_invariants_ok(d));
}

static void on_read_reply(xfr_driver *d, env *e, const txn_read *r) {
    if (d->state != XFR_READING || r->req != d->req_out) {
        env_trace(e, "late read reply ignored");
        return;
    }
    if (d->read_timer != 0) env_timer_cancel(e, d->read_timer);
    d->read_timer = 0;
    char why[sizeof r->why + 1];
    memcpy(why, r->why, sizeof r->why);
    why[sizeof r->why] = '\0';
    read_end(d, e, r->ok ? HIST_OK : HIST_FAIL, r->balance, why);
}

static void on_read_timeout(xfr_driver *d, env *e, uint64_t req) {
    if (d->state != XFR_READING || req != d->req_out) return;
    d->read_timer = 0;
    read_end(d, e, HIST_INFO, 0, "timeout: no reply");
}

/* ------------------------------------------------------------ model */

static void xfr_start(xfr_driver *d, env *e) {
    const struct proto_desc *p = env_protocol(e);
    SIM_ASSERT(p != NULL);
    SIM_ASSERT(p->txn_client != NULL);   /* the protocol lists `transfer` */
    SIM_ASSERT(p->txn_client->state_size <= sizeof d->lc);
    d->cfg = env_workload_config(e);
    SIM_ASSERT(d->cfg != NULL);
    d->lib = p->txn_client;
    d->hooks = (txn_client_hooks){ .owner = d, .done = on_done };
    d->op = HIST_NONE;
    d->started = true;
    node_id self = env_self(e);
    d->member = d->cfg->clients.count ? in_nodes(&d->cfg->clients, self)
                : strcmp(env_node_role(e, self), d->lib->coordinator_role) == 0;
    d->reader = !d->member && in_nodes(&d->cfg->reader, self);
    build_spec(d, e);
    if (d->member) d->lib->init(d->lc, e, &d->hooks);
}

static void xfr_init(void *state, env *e) {
    xfr_driver *d = state;
    SIM_ASSERT(!d->started);
    xfr_start(d, e);
    d->state = XFR_OFF;
    if (d->member) {
        d->state = d->cfg->iterations > 0 ? XFR_WAIT : XFR_DONE;
        if (d->state == XFR_WAIT) env_timer(e, per_node(&d->cfg->start, e), TAG_START, 0);
    } else if (d->reader) {
        d->state = XFR_WAIT;
        env_timer(e, per_node(&d->cfg->reader_at, e), TAG_READ, 0);
    }
    SIM_ASSERT(xfr_invariants_ok(d));
}

static void xfr_on_timer(void *state, env *e, uint32_t tag, uint64_t arg) {
    xfr_driver *d = state;
    SIM_ASSERT(xfr_invariants_ok(d));
    if (tag >= TXN_TAG_MIN && tag <= TXN_TAG_MAX) {
        bool mine = d->member && d->lib->on_timer(d->lc, e, tag, arg);
        SIM_ASSERT(mine);
        return;
    }
    switch (tag) {
    case TAG_START: begin_transfer(d, e); break;
    case TAG_READ: begin_read(d, e); break;
    case TAG_READ_TIMEOUT: on_read_timeout(d, e, arg); break;
    default: SIM_UNREACHABLE("transfer timer tag"); break;
    }
    SIM_ASSERT(xfr_invariants_ok(d));
}

static void xfr_on_message(void *state, env *e, node_id from, uint32_t type, const void *body,
                           uint32_t len) {
    xfr_driver *d = state;
    SIM_ASSERT(xfr_invariants_ok(d));
    if (type == TXN_MSG_READ_REPLY && len == sizeof(txn_read)) {
        txn_read r;
        memcpy(&r, body, sizeof r);
        on_read_reply(d, e, &r);
    } else if (!(d->member && d->lib->on_message(d->lc, e, from, type, body, len))) {
        env_trace(e, "transfer: ignored a message of type %u", type);
    }
    SIM_ASSERT(xfr_invariants_ok(d));
}

/* Jepsen's rule: an op pending when its process crashes completes as info. */
static void xfr_on_crash(void *state, env *e) {
    xfr_driver *d = state;
    if (!d->started) return;
    SIM_ASSERT(xfr_invariants_ok(d));
    if (d->op != HIST_NONE) {
        const char *who = d->member ? d->lib->coordinator_role : "client";
        char note[HIST_NOTE_MAX];
        snprintf(note, sizeof note, "%.16s crashed: outcome unknown", who);
        env_op_abandon(e, &d->op, note);
        if (d->state == XFR_RUNNING) d->done++;
    }
    if (d->member) d->lib->on_crash(d->lc, e);
    d->req_out = 0;
    d->read_timer = 0;
    if (d->state != XFR_OFF) d->state = XFR_CRASHED;
    SIM_ASSERT(d->done <= d->cfg->iterations);
}

static void xfr_on_restart(void *state, env *e) {
    xfr_driver *d = state;
    if (!d->started) { xfr_init(d, e); return; }  /* crashed at 0, before it started */
    SIM_ASSERT(d->op == HIST_NONE);
    if (d->state == XFR_OFF) return;
    if (d->member) d->lib->on_restart(d->lc, e);
    bool more = d->member && d->done < d->cfg->iterations;
    d->state = more ? XFR_WAIT : XFR_DONE;
    if (more) {
        env_trace(e, "transfer: restarted; transfer %" PRId64 " next", d->done + 1);
        env_timer(e, 0, TAG_START, 0);
    }
    SIM_ASSERT(xfr_invariants_ok(d));
}


const model_ops xfr_driver_ops = {
    .name = "transfer",
    .state_size = sizeof(xfr_driver),
    .init = xfr_init,
    .on_message = xfr_on_message,
    .on_timer = xfr_on_timer,
    .on_crash = xfr_on_crash,
    .on_restart = xfr_on_restart,
};

/* ------------------------------------------------------------ workload */

#define CFG_AT(field) offsetof(xfr_cfg, field)

static const param_spec xfr_params[] = {
    PARAM_NODES_SPEC("clients", "",
        "nodes that run transfers (default: the protocol's coordinator or orchestrator nodes)",
        CFG_AT(clients)),
    PARAM_INT_SPEC("iterations", "1", "transfers per client, one at a time",
        CFG_AT(iterations), 0, 1000000),
    PARAM_PER_NODE_DURATION_SPEC("start", "0ms", "when each client starts: 0ms or {tm: 5ms}",
        CFG_AT(start), 0, PARAM_NO_MAX),
    PARAM_PER_NODE_DURATION_SPEC("think", "0ms", "between one transfer's end and the next",
        CFG_AT(think), 0, PARAM_NO_MAX),
    PARAM_INT_SPEC("amount", "50", "money moved per transfer (> 0)", CFG_AT(amount), 1, 1000000000),
    PARAM_NODES_SPEC("from", "", "the paying node (default: the first participant or service)",
        CFG_AT(from)),
    PARAM_NODES_SPEC("to", "", "the receiving nodes, sharing the amount (default: the others)",
        CFG_AT(to)),
    PARAM_NODES_SPEC("reader", "client",
        "nodes that run transaction X once: a locking read of an account",
        CFG_AT(reader)),
    PARAM_PER_NODE_DURATION_SPEC("reader.at", "0ms", "when each reader reads",
        CFG_AT(reader_at), 0, PARAM_NO_MAX),
    PARAM_NODES_SPEC("reader.of", "", "whose account the readers read (default: from)",
        CFG_AT(reader_of)),
    PARAM_DURATION_OR_NONE_SPEC("reader.timeout", XFR_READER_TIMEOUT_DEFAULT,
        "a read with no reply this long gives up and completes as info, as a client's "
        "request timeout does (none = wait forever, a psql session; docs/protocols/2pc.md)",
        CFG_AT(reader_timeout_ns), SIM_NS, PARAM_NO_MAX),
};

/* The role of the nodes that hold accounts: the driving protocol's
 * transaction library names it (2pc: participant; saga: service). */
static const char *resource_role(const proto_desc *p) {
    SIM_ASSERT(p != NULL);
    return p->txn_client ? p->txn_client->resource_role : NULL;
}

static const char *not_resource(const scn *s, const char *role, const param_nodes *ns) {
    for (uint32_t i = 0; role && i < ns->count; i++)
        if (strcmp(s->nodes[ns->node[i]].role, role) != 0) return s->nodes[ns->node[i]].name;
    return NULL;
}

static uint32_t resource_count(const scn *s, const char *role) {
    uint32_t n = 0;
    for (uint32_t i = 0; role && i < s->node_count; i++) n += strcmp(s->nodes[i].role, role) == 0;
    return n;
}

/* 0, or the key that is wrong with what was expected in *what. */
static const char *xfr_problem(const xfr_cfg *c, const scn *s, const char *role, const char **what,
                               const char **node) {
    uint32_t nres = resource_count(s, role);
    uint32_t nto = c->to.count ? c->to.count : (nres ? nres - 1 : 0);
    *node = NULL;
    if (c->from.count > 1) { *what = "exactly one paying node"; return "from"; }
    if (c->reader_of.count > 1) { *what = "exactly one node"; return "reader.of"; }
    if ((*node = not_resource(s, role, &c->from)) != NULL) { *what = "a node holding accounts"; return "from"; }
    if ((*node = not_resource(s, role, &c->to)) != NULL) { *what = "nodes holding accounts"; return "to"; }
    if ((*node = not_resource(s, role, &c->reader_of)) != NULL) { *what = "a node holding accounts"; return "reader.of"; }
    if (c->from.count && in_nodes(&c->to, c->from.node[0])) {
        *what = "the payer not among the receivers";
        return "to";
    }
    if (nto == 0) { *what = "at least one receiving node"; return "to"; }
    if (nto + 1 > TXN_LEGS_MAX) { *what = "at most 7 receiving nodes (TXN_LEGS_MAX)"; return "to"; }
    return NULL;
}

/* A transfer sends at least 2 requests (debit and credit, or a prepare
 * and a decision) and gets their replies: at least 4 events each. */
static uint64_t xfr_events_min(const void *cfg_v, const char **key) {
    const xfr_cfg *c = cfg_v;
    SIM_ASSERT(c->iterations >= 0);           /* the table's bounds */
    *key = "iterations";
    return (uint64_t)c->iterations * c->clients.count * 4u;
}

/* One transfer op per client and iteration. */
static uint64_t xfr_ops_max(const void *cfg_v, const scn *s) {
    const xfr_cfg *c = cfg_v;
    (void)s;
    return (uint64_t)c->iterations * (c->clients.count > 0 ? c->clients.count : 1u);
}

static int xfr_validate(const void *cfg_v, const scn *s, const proto_desc *proto, char *err, size_t err_len) {
    const xfr_cfg *cfg = cfg_v;
    SIM_ASSERT(cfg != NULL);
    SIM_ASSERT(s != NULL);
    const char *what = NULL, *node = NULL;
    const char *key = xfr_problem(cfg, s, resource_role(proto), &what, &node);
    if (key == NULL) return 0;
    if (node != NULL)
        return param_error(s, &s->workload, key, err, err_len, "invalid %s: '%s' (expected %s)",
                           key, node, what);
    return param_error(s, &s->workload, key, err, err_len, "invalid %s (expected %s)", key, what);
}

/* workload_desc.outcome: "1 transfer: 0 committed, 0 aborted, 1 undecided; X's 1 read timed out". */
static void xfr_outcome(const void *cfg_v, const hist *h, const scn *s, char *buf, size_t len) {
    (void)cfg_v;
    (void)s;
    wo_tally t = wo_count(h, HIST_F_TXN);
    wo_sagas g = wo_sagas_of(h);
    buf[0] = '\0';
    if (g.begun > 0) wo_sagas_words(&g, "transfer", buf, len);
    else wo_add(buf, len, "%" PRIu64 " transfer%s: %" PRIu64 " committed, %" PRIu64 " aborted, %"
                PRIu64 " undecided", t.all, wo_s(t.all), t.ok, t.fail, t.unknown);
    uint64_t commits = 0, aborts = 0;
    for (uint32_t i = 0; i < h->effect_count; i++) {
        commits += h->effects[i].kind == HIST_EFF_TXN_COMMIT;
        aborts += h->effects[i].kind == HIST_EFF_TXN_ABORT;
    }
    if (t.unknown > 0 && g.begun == 0 && commits + aborts == 0)
        wo_add(buf, len, " (no participant has decided)");
    else if (t.unknown > 0 && g.begun == 0)
        wo_add(buf, len, " (its participants: %" PRIu64 " committed, %" PRIu64 " aborted)", commits, aborts);
    wo_tally r = wo_count(h, HIST_F_READ);
    if (r.all > 0) {
        wo_add(buf, len, "; transaction X's read%s: %" PRIu64 " answered", wo_s(r.all), r.ok);
        if (r.fail) wo_add(buf, len, ", %" PRIu64 " gave up", r.fail);
        if (r.info) wo_add(buf, len, ", %" PRIu64 " gave up with no reply", r.info);
        if (r.pending) wo_add(buf, len, ", %" PRIu64 " still waiting at the end", r.pending);
    }
    wo_money m = wo_money_of(h, NULL);
    if (m.accounts > 0) wo_money_words(m.now, m.opened, false, buf, len);
}

const workload_desc xfr_workload = {
    .name = "transfer",
    .summary = "move money between accounts on different nodes (2PC or saga); transaction X "
               "reads a row meanwhile; money must be conserved",
    .params = xfr_params,
    .param_count = sizeof xfr_params / sizeof xfr_params[0],
    .cfg_size = sizeof(xfr_cfg),
    .driver = &xfr_driver_ops,
    .validate = xfr_validate,
    .events_min = xfr_events_min,
    .ops_max = xfr_ops_max,
    .outcome = xfr_outcome,
};
