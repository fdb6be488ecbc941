/* queue_family.c -- the queue-outbox family's descriptor: its parameters,
 * roles, messages and history kinds (with the marks a timeline draws: the
 * orders committed and the charges at the db, the appends, deliveries,
 * requeues and acks at the broker, so the picture shows a message handed
 * out twice and an order charged twice, or an order with no event). */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "protocols/queue/queue.h"
#include "sim/family.h"

#define CFG_AT(field) offsetof(qo_cfg, field)

static const param_spec qo_params[] = {
    PARAM_ENUM_SPEC("publish", "after-commit", "how a producer sends OrderCreated: after its commit, before "
        "it, or through an outbox row and the relay", CFG_AT(publish), "after-commit|before-commit|outbox"),
    PARAM_ENUM_SPEC("consumer", "plain", "whether a consumer's charge records the event's id in the same "
        "transaction and skips an id already there", CFG_AT(consumer), "plain|idempotent"),
    PARAM_DURATION_SPEC("visibility-timeout", "30s", "how long a delivered message waits for its ack before "
        "the broker delivers it again", CFG_AT(visibility_ns), SIM_NS, CONFIG_TIME_MAX),
    PARAM_DURATION_SPEC("fetch-wait", "5s", "how long the broker holds a fetch that finds no message (long "
        "polling) before it answers empty", CFG_AT(fetch_wait_ns), SIM_NS, CONFIG_TIME_MAX),
    PARAM_DURATION_SPEC("relay-every", "100ms", "outbox: how often the relay looks for unsent rows",
        CFG_AT(relay_every_ns), SIM_NS, CONFIG_TIME_MAX),
    PARAM_DURATION_SPEC("relay-timeout", "1s", "outbox: how long the relay waits for an answer",
        CFG_AT(relay_timeout_ns), SIM_NS, CONFIG_TIME_MAX),
};

static int relay_count(const scn *s) {
    int n = 0;
    for (uint32_t i = 0; i < s->node_count; i++) n += strcmp(s->nodes[i].role, "relay") == 0;
    return n;
}

/* The outbox needs its relay; the other two have nothing to relay. */
static int qo_validate(const void *cfg_v, const scn *s, char *err, size_t err_len) {
    const qo_cfg *c = cfg_v;
    SIM_ASSERT(c != NULL);
    if (c->publish == QO_OUTBOX && relay_count(s) == 0)
        return param_error(s, &s->params, "publish", err, err_len,
                           "publish: outbox needs a relay node (expected nodes: {relay: 1})");
    return 0;
}

static const proto_desc qo_proto = {
    .name = "queue-outbox",
    .summary = "an at-least-once queue: dual write or transactional outbox, plain or idempotent consumers",
    .params = qo_params,
    .param_count = sizeof qo_params / sizeof qo_params[0],
    .cfg_size = sizeof(qo_cfg),
    .roles = {
        { "broker", &qo_broker_ops, 1, 1, "exactly one broker (durable log, acks, visibility timeout)", NULL },
        { "db", &qo_db_ops, 1, 1, "exactly one database node (durable)", NULL },
        { "relay", &qo_relay_ops, 0, 1, "the outbox relay (publish: outbox)", NULL },
        { "producer", NULL, 0, SIM_NODES_MAX, "clients that place orders and publish OrderCreated", NULL },
        { "consumer", NULL, 0, SIM_NODES_MAX, "clients that fetch OrderCreated, charge the order, ack", NULL },
    },
    .role_count = 5,
    .workloads = { "queue-outbox", NULL },
    .checks = { "delivery", "liveness", NULL },
    .validate = qo_validate,
};

void qo_order_key(uint32_t order, char *buf, size_t len) { snprintf(buf, len, "order%u", order); }

void qo_effect(env *e, hist_eff_kind kind, node_id client, uint32_t op, uint32_t order, int64_t value,
               int64_t aux) {
    hist_effect_fields ef;
    memset(&ef, 0, sizeof ef);
    ef.kind = kind;
    ef.client = client;
    ef.op = op;
    ef.value = value;
    ef.aux = aux;
    char key[SIM_NAME_MAX];
    qo_order_key(order, key, sizeof key);
    ef.key = key;
    env_effect(e, &ef);
}

/* ------------------------------------------------------------ labels */

static void label_order(const hist_effect_fields *e, const char *client, char *buf, size_t len) {
    snprintf(buf, len, "%s saves %s%s", client, e->key, e->aux == 1 ? " + outbox" : "");
}

static void label_charge(const hist_effect_fields *e, const char *client, char *buf, size_t len) {
    if (e->aux > 1) snprintf(buf, len, "%s charges %s again (x%" PRId64 ")", client, e->key, e->aux);
    else snprintf(buf, len, "%s charges %s", client, e->key);
}

static void label_dedup(const hist_effect_fields *e, const char *client, char *buf, size_t len) {
    snprintf(buf, len, "%s: %s already done", client, e->key);
}

static void label_append(const hist_effect_fields *e, const char *client, char *buf, size_t len) {
    snprintf(buf, len, "#%" PRId64 " %s from %s", e->value, e->key, client);
}

static void label_deliver(const hist_effect_fields *e, const char *client, char *buf, size_t len) {
    if (e->aux > 1) snprintf(buf, len, "#%" PRId64 " again to %s", e->value, client);
    else snprintf(buf, len, "#%" PRId64 " to %s", e->value, client);
}

static void label_requeue(const hist_effect_fields *e, const char *client, char *buf, size_t len) {
    (void)client;
    snprintf(buf, len, "#%" PRId64 " %s", e->value, e->aux == 1 ? "timed out" : "requeued");
}

static void label_ack(const hist_effect_fields *e, const char *client, char *buf, size_t len) {
    snprintf(buf, len, "%s acks #%" PRId64 "%s", client, e->value, e->aux == 1 ? ": refused" : "");
}

static const hist_kind_def qo_ops[] = {
    { .kind = QO_F_ORDER, .name = "place-order", .value = HIST_VALUE_NIL, .only_when_used = true },
    { .kind = QO_F_CONSUME, .name = "consume", .value = HIST_VALUE_READ, .only_when_used = true },
    { .name = NULL },
};

static const hist_kind_def qo_effects[] = {
    { .kind = QO_EFF_ORDER, .name = "order-commit", .mark = HIST_MARK_DIAMOND, .mark_rgb = 0x2a7f2au,
      .label = label_order, .only_when_used = true },
    { .kind = QO_EFF_CHARGE, .name = "charge", .mark = HIST_MARK_SQUARE, .label = label_charge,
      .only_when_used = true },
    { .kind = QO_EFF_DEDUP, .name = "already-processed", .mark = HIST_MARK_CROSS, .mark_rgb = HIST_MARK_GREY,
      .label = label_dedup, .only_when_used = true },
    { .kind = QO_EFF_RELAYED, .name = "outbox-sent", .mark = HIST_MARK_DOT, .mark_rgb = HIST_MARK_LIGHT,
      .only_when_used = true },
    { .kind = QO_EFF_APPEND, .name = "append", .mark = HIST_MARK_DIAMOND, .label = label_append,
      .only_when_used = true },
    { .kind = QO_EFF_DELIVER, .name = "deliver", .mark = HIST_MARK_DOT, .label = label_deliver,
      .only_when_used = true },
    { .kind = QO_EFF_REQUEUE, .name = "requeue", .mark = HIST_MARK_TRI, .mark_rgb = HIST_MARK_GREY,
      .label = label_requeue, .only_when_used = true },
    { .kind = QO_EFF_ACK, .name = "ack", .mark = HIST_MARK_TRI, .label = label_ack, .only_when_used = true },
    { .name = NULL },
};

/* ------------------------------------------------------------ trace */

static void describe_db(uint32_t type, const qo_msg *m, const char *key, char *buf, size_t len) {
    switch (type) {
    case QO_MSG_DB_ORDER:
        snprintf(buf, len, "%s", m->flag == 1 ? "BEGIN; INSERT order; INSERT outbox row; COMMIT" : "INSERT order");
        return;
    case QO_MSG_DB_ORDER_REPLY: snprintf(buf, len, "COMMIT %s", key); return;
    case QO_MSG_DB_APPLY:
        snprintf(buf, len, "%s %s (message #%" PRId64 ")",
                 m->flag == 1 ? "BEGIN; INSERT processed_id; INSERT charge; COMMIT" : "INSERT charge", key, m->offset);
        return;
    case QO_MSG_DB_APPLY_REPLY: snprintf(buf, len, "%s", m->flag == 1 ? "already processed" : "COMMIT charge"); return;
    case QO_MSG_DB_OUTBOX_NEXT: snprintf(buf, len, "SELECT the oldest unsent outbox row"); return;
    case QO_MSG_DB_OUTBOX_ROW: snprintf(buf, len, m->flag == 1 ? "row %s" : "no row", key); return;
    case QO_MSG_DB_OUTBOX_SENT: snprintf(buf, len, "UPDATE outbox SET sent WHERE %s", key); return;
    case QO_MSG_DB_OUTBOX_SENT_REPLY: snprintf(buf, len, "COMMIT sent %s", key); return;
    default: break;
    }
    SIM_UNREACHABLE("a queue-outbox db message");
}

static void describe_broker(uint32_t type, const qo_msg *m, const char *key, char *buf, size_t len) {
    switch (type) {
    case QO_MSG_PUBLISH: snprintf(buf, len, "PUBLISH OrderCreated(%s)", key); return;
    case QO_MSG_PUBLISH_OK: snprintf(buf, len, "CONFIRM #%" PRId64, m->offset); return;
    case QO_MSG_FETCH: snprintf(buf, len, "FETCH"); return;
    case QO_MSG_DELIVER:
        if (m->flag == 1)
            snprintf(buf, len, "DELIVER #%" PRId64 " OrderCreated(%s), delivery %u", m->offset, key, m->delivery);
        else snprintf(buf, len, "EMPTY");
        return;
    case QO_MSG_ACK: snprintf(buf, len, "ACK #%" PRId64 " (delivery %u)", m->offset, m->delivery); return;
    default: break;
    }
    SIM_UNREACHABLE("a queue-outbox broker message");
}

bool qo_describe(uint32_t type, const void *body, uint32_t len, char *buf, size_t buf_len) {
    SIM_ASSERT(buf != NULL);
    SIM_ASSERT(buf_len > 0);
    bool db = type >= QO_MSG_DB_ORDER && type <= QO_MSG_DB_OUTBOX_SENT_REPLY;
    bool broker = type >= QO_MSG_PUBLISH && type <= QO_MSG_ACK;
    if ((!db && !broker) || len != sizeof(qo_msg)) return false;
    qo_msg m;
    memcpy(&m, body, sizeof m);
    char key[SIM_NAME_MAX];
    qo_order_key(m.order, key, sizeof key);
    if (db) describe_db(type, &m, key, buf, buf_len);
    else describe_broker(type, &m, key, buf, buf_len);
    return true;
}

static const proto_desc *const qo_protocols[] = { &qo_proto, NULL };

const family_desc qo_family = {
    .name = "queue",
    .msgs = { { 1700, 1749 } },
    .describe = qo_describe,
    .protocols = qo_protocols,
    .kinds = { { 1700, 1719 } },
    .ops = qo_ops,
    .effects = qo_effects,
};
