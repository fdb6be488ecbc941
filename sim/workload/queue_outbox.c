/* queue_outbox.c -- the queue-outbox driver: a producer or a consumer per
 * node, one request at a time.
 *
 *   producer: IDLE --tick [begin_order]--> the first step of `publish`:
 *     after-commit:  SAVING --commit [on_saved]--> PUBLISHING --confirm [on_published]--> IDLE (ok)
 *     before-commit: PUBLISHING --confirm--> SAVING --commit--> IDLE (ok)
 *     outbox:        SAVING (order + outbox row) --commit--> IDLE (ok)
 *     SAVING / PUBLISHING --timeout [producer_timeout]--> IDLE (info)
 *     IDLE --all orders placed--> DONE;  any --crash--> CRASHED (places no more)
 *   consumer: WAITING --tick [fetch]--> FETCHING --empty--> WAITING
 *     FETCHING --a message [on_deliver]--> CHARGING --answer [on_charged]--> FETCHING
 *       (ACK sent first, then the next FETCH)
 *     FETCHING --timeout--> WAITING;  CHARGING --timeout--> WAITING (info, not acked)
 *     any --crash--> CRASHED --restart--> WAITING
 *
 * Invariant (qow_invariants_ok): a node is a producer or a consumer, not
 * both; an op is pending exactly in SAVING, PUBLISHING and CHARGING;
 * placed <= orders.  Trade-off: a producer does not retry a failed order
 * (the request it served is gone), so a lost or invented event stays so.
 */
#include "sim/workload/queue_outbox.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "protocols/queue/queue.h"
#include "sim/family.h"
#include "sim/workload/outcome.h"

enum { TAG_TICK = 1, TAG_TIMEOUT = 2 };

typedef enum {
    QW_OFF = 0, QW_IDLE, QW_SAVING, QW_PUBLISHING, QW_DONE, QW_WAITING, QW_FETCHING, QW_CHARGING, QW_CRASHED
} qw_state;

typedef struct qow_driver {
    const qow_cfg *cfg;
    const qo_cfg *proto;
    node_id broker, db;
    bool producer, consumer;
    uint32_t base;              /* a producer's first order id - 1 */
    qw_state state;
    int64_t placed;
    uint32_t op;                /* the pending op, HIST_NONE if none */
    uint32_t req;
    qo_msg msg;                 /* the order (and the delivery) in hand */
} qow_driver;

static bool qow_invariants_ok(const qow_driver *d) {
    bool pending = d->state == QW_SAVING || d->state == QW_PUBLISHING || d->state == QW_CHARGING;
    if (d->cfg == NULL || (d->producer && d->consumer)) return false;
    if (d->state != QW_CRASHED && pending != (d->op != HIST_NONE)) return false;
    return d->placed <= d->cfg->orders;
}

static int listed_at(const param_nodes *n, node_id self) {
    for (uint32_t i = 0; i < n->count; i++)
        if (n->node[i] == self) return (int)i;
    return -1;
}

static void send_req(qow_driver *d, env *e, node_id to, uint32_t type, uint32_t flag, qw_state next) {
    qo_msg m = d->msg;
    m.req = ++d->req;
    m.op = d->op;
    m.flag = flag;
    d->state = next;
    env_send(e, to, type, &m, sizeof m);
    env_timer(e, d->cfg->timeout_ns, TAG_TIMEOUT, d->req);
}

static void complete(qow_driver *d, env *e, hist_result r, bool has_offset, const char *note) {
    hist_op_fields f;
    memset(&f, 0, sizeof f);
    f.has_value_out = has_offset;
    f.value_out = d->msg.offset;
    f.note = note;
    env_op_complete(e, d->op, r, &f);
    d->op = HIST_NONE;
    d->req++;                   /* a late answer to the finished request is ignored */
}

static uint32_t invoke(qow_driver *d, env *e, hist_f f) {
    hist_op_fields o;
    memset(&o, 0, sizeof o);
    char key[SIM_NAME_MAX];
    qo_order_key(d->msg.order, key, sizeof key);
    o.key = key;
    return env_op_invoke(e, f, &o);
}

/* ------------------------------------------------------------ producer */

static void save(qow_driver *d, env *e) {
    send_req(d, e, d->db, QO_MSG_DB_ORDER, d->proto->publish == QO_OUTBOX ? 1 : 0, QW_SAVING);
}

static void begin_order(qow_driver *d, env *e) {
    SIM_ASSERT(d->state == QW_IDLE);
    memset(&d->msg, 0, sizeof d->msg);
    d->msg.order = d->base + (uint32_t)d->placed + 1;
    d->op = invoke(d, e, QO_F_ORDER);
    if (d->proto->publish == QO_BEFORE_COMMIT) send_req(d, e, d->broker, QO_MSG_PUBLISH, 0, QW_PUBLISHING);
    else save(d, e);
}

static void end_order(qow_driver *d, env *e, hist_result r, const char *note) {
    d->msg.offset = 0;
    complete(d, e, r, false, note);
    d->placed++;
    d->state = d->placed < d->cfg->orders ? QW_IDLE : QW_DONE;
    if (d->state == QW_IDLE) env_timer(e, d->cfg->every_ns, TAG_TICK, 0);
}

static void on_saved(qow_driver *d, env *e) {
    switch (d->proto->publish) {
    case QO_AFTER_COMMIT: send_req(d, e, d->broker, QO_MSG_PUBLISH, 0, QW_PUBLISHING); return;
    case QO_BEFORE_COMMIT: end_order(d, e, HIST_OK, "published, then saved"); return;
    default: end_order(d, e, HIST_OK, "saved with its outbox row"); return;
    }
}

static void on_published(qow_driver *d, env *e) {
    if (d->proto->publish == QO_BEFORE_COMMIT) save(d, e);
    else end_order(d, e, HIST_OK, "saved, then published");
}

static void producer_timeout(qow_driver *d, env *e) {
    bool after = d->proto->publish == QO_AFTER_COMMIT, before = d->proto->publish == QO_BEFORE_COMMIT;
    if (d->state == QW_SAVING)
        end_order(d, e, HIST_INFO, before ? "published, but the database did not answer" : "the database did not answer");
    else end_order(d, e, HIST_INFO, after ? "saved, but the broker did not answer" : "the broker did not answer");
}

/* ------------------------------------------------------------ consumer */

/* The broker may hold the fetch `fetch-wait`: the timeout counts from then. */
static void fetch(qow_driver *d, env *e) {
    memset(&d->msg, 0, sizeof d->msg);
    qo_msg m = d->msg;
    m.req = ++d->req;
    m.op = HIST_NONE;
    d->state = QW_FETCHING;
    env_send(e, d->broker, QO_MSG_FETCH, &m, sizeof m);
    env_timer(e, d->proto->fetch_wait_ns + d->cfg->timeout_ns, TAG_TIMEOUT, d->req);
}

static void wait_poll(qow_driver *d, env *e) {
    d->state = QW_WAITING;
    d->req++;
    env_timer(e, d->cfg->poll_ns, TAG_TICK, 0);
}

static void on_deliver(qow_driver *d, env *e, const qo_msg *p) {
    if (p->flag != 1) { wait_poll(d, e); return; }
    d->msg = *p;
    d->op = invoke(d, e, QO_F_CONSUME);
    send_req(d, e, d->db, QO_MSG_DB_APPLY, d->proto->consumer == QO_IDEMPOTENT ? 1 : 0, QW_CHARGING);
}

static void on_charged(qow_driver *d, env *e, const qo_msg *p) {
    qo_msg ack = d->msg;
    ack.req = 0;
    ack.op = d->op;
    env_send(e, d->broker, QO_MSG_ACK, &ack, sizeof ack);
    complete(d, e, HIST_OK, true, p->flag == 1 ? "already processed" : "charged");
    fetch(d, e);
}

static void consumer_timeout(qow_driver *d, env *e) {
    if (d->state == QW_CHARGING) complete(d, e, HIST_INFO, true, "the database did not answer; not acked");
    wait_poll(d, e);
}

/* ------------------------------------------------------------ callbacks */

static void qow_on_timer(void *state, env *e, uint32_t tag, uint64_t arg) {
    qow_driver *d = state;
    SIM_ASSERT(qow_invariants_ok(d));
    if (tag == TAG_TICK && d->state == QW_IDLE) begin_order(d, e);
    else if (tag == TAG_TICK && d->state == QW_WAITING) fetch(d, e);
    else if (tag == TAG_TIMEOUT && arg == d->req && d->producer && d->op != HIST_NONE) producer_timeout(d, e);
    else if (tag == TAG_TIMEOUT && arg == d->req && d->consumer && d->state != QW_WAITING) consumer_timeout(d, e);
    SIM_ASSERT(qow_invariants_ok(d));
}

static void qow_on_message(void *state, env *e, node_id from, uint32_t type, const void *body, uint32_t len) {
    qow_driver *d = state;
    SIM_ASSERT(qow_invariants_ok(d));
    qo_msg p;
    if (len != sizeof p) return;
    memcpy(&p, body, sizeof p);
    if (p.req == 0 || p.req != d->req) return;                  /* late */
    if (from == d->db && type == QO_MSG_DB_ORDER_REPLY && d->state == QW_SAVING) on_saved(d, e);
    else if (from == d->broker && type == QO_MSG_PUBLISH_OK && d->state == QW_PUBLISHING) on_published(d, e);
    else if (from == d->broker && type == QO_MSG_DELIVER && d->state == QW_FETCHING) on_deliver(d, e, &p);
    else if (from == d->db && type == QO_MSG_DB_APPLY_REPLY && d->state == QW_CHARGING) on_charged(d, e, &p);
    SIM_ASSERT(qow_invariants_ok(d));
}

static node_id one_of_role(env *e, const char *role) {
    node_id n[1];
    return env_nodes_of_role(e, role, n, 1) == 1 ? n[0] : -1;
}

static void qow_init(void *state, env *e) {
    qow_driver *d = state;
    memset(d, 0, sizeof *d);
    d->cfg = env_workload_config(e);
    d->proto = env_proto_config(e);
    SIM_ASSERT(d->cfg != NULL && d->proto != NULL);
    d->broker = one_of_role(e, "broker");
    d->db = one_of_role(e, "db");
    SIM_ASSERT(d->broker >= 0 && d->db >= 0);
    d->op = HIST_NONE;
    int k = listed_at(&d->cfg->producers, env_self(e));
    d->producer = k >= 0;
    d->consumer = listed_at(&d->cfg->consumers, env_self(e)) >= 0;
    d->base = d->producer ? (uint32_t)k * 1000u : 0;
    sim_time start = d->cfg->start.node_ns[env_self(e)];
    if (d->producer && d->cfg->orders > 0) d->state = QW_IDLE;
    else if (d->consumer) d->state = QW_WAITING;
    else d->state = QW_DONE;
    if (d->state != QW_DONE) env_timer(e, start, TAG_TICK, 0);
    SIM_ASSERT(qow_invariants_ok(d));
}

static void qow_on_crash(void *state, env *e) {
    qow_driver *d = state;
    SIM_ASSERT(qow_invariants_ok(d));
    env_op_abandon(e, &d->op, d->producer ? "producer crashed" : "consumer crashed");
    d->state = QW_CRASHED;
}

static void qow_on_restart(void *state, env *e) {
    qow_driver *d = state;
    if (!d->consumer) { env_trace(e, "queue-outbox: producer restarted; it places no more orders"); return; }
    env_trace(e, "queue-outbox: consumer restarted; it fetches again");
    wait_poll(d, e);
    SIM_ASSERT(qow_invariants_ok(d));
}

static const model_ops qow_driver_ops = {
    .name = "queue-outbox", .state_size = sizeof(qow_driver), .init = qow_init,
    .on_message = qow_on_message, .on_timer = qow_on_timer, .on_crash = qow_on_crash,
    .on_restart = qow_on_restart,
};

#define CFG_AT(field) offsetof(qow_cfg, field)
#define QOW_ORDERS_MAX QO_ROWS_MAX

static const param_spec qow_params[] = {
    PARAM_NODES_SPEC("producers", "producer", "nodes that place orders", CFG_AT(producers)),
    PARAM_NODES_SPEC("consumers", "consumer", "nodes that fetch OrderCreated and charge the order", CFG_AT(consumers)),
    PARAM_PER_NODE_DURATION_SPEC("start", "0ms", "per client: when its first order or fetch starts",
        CFG_AT(start), 0, PARAM_NO_MAX),
    PARAM_DURATION_SPEC("every", "1s", "time from one order's end to a producer's next",
        CFG_AT(every_ns), 0, PARAM_NO_MAX),
    PARAM_DURATION_SPEC("poll-every", "100ms", "time from an empty fetch to a consumer's next",
        CFG_AT(poll_ns), SIM_NS, PARAM_NO_MAX),
    PARAM_INT_SPEC("orders", "3", "orders per producer", CFG_AT(orders), 0, QOW_ORDERS_MAX),
    PARAM_DURATION_SPEC("timeout", "1s", "how long a client waits for an answer",
        CFG_AT(timeout_ns), SIM_NS, PARAM_NO_MAX),
};

/* A node the driver does not run (the broker, the db, the relay) places no orders. */
static int clients_only(const param_nodes *n, const char *key, const scn *s, char *err, size_t err_len) {
    for (uint32_t i = 0; i < n->count; i++) {
        const char *role = s->nodes[n->node[i]].role;
        if (strcmp(role, "producer") == 0 || strcmp(role, "consumer") == 0) continue;
        return param_error(s, &s->workload, key, err, err_len,
                           "node '%.64s' is a %.32s node (expected producer or consumer nodes)",
                           s->nodes[n->node[i]].name, role);
    }
    return 0;
}

static int qow_validate(const void *cfg_v, const scn *s, const proto_desc *proto, char *err, size_t err_len) {
    (void)proto;
    const qow_cfg *c = cfg_v;
    SIM_ASSERT(c != NULL);
    if (clients_only(&c->producers, "producers", s, err, err_len) != 0) return -1;
    if (clients_only(&c->consumers, "consumers", s, err, err_len) != 0) return -1;
    for (uint32_t i = 0; i < c->consumers.count; i++) {
        if (listed_at(&c->producers, c->consumers.node[i]) < 0) continue;
        return param_error(s, &s->workload, "consumers", err, err_len,
                           "node '%.64s' is both a producer and a consumer (expected each client in one list)",
                           s->nodes[c->consumers.node[i]].name);
    }
    uint64_t orders = (uint64_t)c->orders * c->producers.count;
    if (orders <= QO_ROWS_MAX) return 0;
    return param_error(s, &s->workload, "orders", err, err_len,
                       "%" PRIu64 " orders in all (%u producers x %" PRId64 "; expected at most %u, the rows the db "
                       "holds)", orders, c->producers.count, c->orders, QO_ROWS_MAX);
}

static uint64_t qow_events_min(const void *cfg_v, const char **key) {
    const qow_cfg *c = cfg_v;
    *key = "orders";
    return (uint64_t)c->orders * c->producers.count * 4u;
}

/* workload_desc.outcome: "3 orders saved, 3 events published, 4 charges:
 * 1 order charged twice; 0 events lost, 0 invented" (the delivery check
 * says which, and when). */
static bool qow_has_key(const hist *h, uint32_t kind, const char *key) {
    for (uint32_t i = 0; i < h->effect_count; i++)
        if (h->effects[i].kind == kind && strcmp(h->effects[i].key, key) == 0) return true;
    return false;
}

static void qow_outcome(const void *cfg_v, const hist *h, const scn *s, char *buf, size_t len) {
    (void)cfg_v;
    (void)s;
    uint64_t saved = 0, published = 0, charges = 0, again = 0, lost = 0, invented = 0;
    for (uint32_t i = 0; i < h->effect_count; i++) {
        const hist_effect *x = &h->effects[i];
        if (x->kind == QO_EFF_ORDER) {
            saved++;
            lost += !qow_has_key(h, QO_EFF_APPEND, x->key);
        } else if (x->kind == QO_EFF_APPEND) {
            published++;
            invented += !qow_has_key(h, QO_EFF_ORDER, x->key);
        } else if (x->kind == QO_EFF_CHARGE) {
            charges++;
            again += x->aux == 2;            /* an order's second charge: counted once */
        }
    }
    snprintf(buf, len, "%" PRIu64 " order%s saved, %" PRIu64 " event%s published, %" PRIu64
             " charge%s", saved, wo_s(saved), published, wo_s(published), charges, wo_s(charges));
    if (again) wo_add(buf, len, ": %" PRIu64 " order%s charged more than once", again, wo_s(again));
    wo_add(buf, len, "; %" PRIu64 " event%s lost, %" PRIu64 " invented", lost, wo_s(lost), invented);
}

const workload_desc qow_workload = {
    .name = "queue-outbox",
    .summary = "producers place orders and publish OrderCreated, consumers charge each order and ack",
    .params = qow_params,
    .param_count = sizeof qow_params / sizeof qow_params[0],
    .cfg_size = sizeof(qow_cfg),
    .driver = &qow_driver_ops,
    .validate = qow_validate,
    .events_min = qow_events_min,
    .outcome = qow_outcome,
};
