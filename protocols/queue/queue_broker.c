/* queue_broker.c -- the broker: one queue (a log of OrderCreated messages)
 * consumed by competing consumers, with acks and a visibility timeout.
 *
 *   (none)   --PUBLISH [on_publish]--> READY (appended at the next offset)
 *   READY    --FETCH, the lowest ready offset [on_fetch]--> INFLIGHT(delivery n)
 *   INFLIGHT --ACK of delivery n [on_ack]--> ACKED
 *   INFLIGHT --visibility timeout of delivery n [broker_on_timer]--> READY
 *   INFLIGHT --broker crash or power loss [broker_on_restart]--> READY
 *   a FETCH with nothing READY waits (long poll) until a message is
 *   appended or made ready again [serve_waiter], or `fetch-wait` runs out
 *   (answered empty)
 *   an ACK of any other delivery (timed out, or after a restart) is refused
 *
 * Invariant (broker_invariants_ok): offsets 1..count are appended in
 * order, each with an order id >= 1; an INFLIGHT message has delivery >= 1.
 * Trade-off: the log and the acks are forced to disk before the broker
 * answers (RabbitMQ's publisher confirms on a durable queue, Kafka with
 * acks=all and a flushed log), so a crash and a power loss keep the same;
 * what is in flight to consumers is not kept (as a channel's unacked
 * messages are requeued when it closes).  Republishing the same order is
 * not deduplicated (no idempotent producer).
 */
#include "protocols/queue/queue.h"

#include <stdio.h>
#include <string.h>

enum { TAG_VISIBILITY = 1, TAG_FETCH_WAIT = 2 };

#define QB_WAITERS_MAX 64       /* fetches held open at once; more are answered empty */

typedef enum { QB_READY = 0, QB_INFLIGHT, QB_ACKED } qb_state;

typedef struct qb_entry {
    uint32_t order;
    uint32_t delivery;          /* deliveries so far */
    uint8_t state;              /* qb_state */
    node_id consumer;           /* INFLIGHT: to whom */
} qb_entry;

/* A FETCH held open until a message is ready or `fetch-wait` runs out
 * (long polling: SQS's WaitTimeSeconds, Kafka's fetch.max.wait.ms). */
typedef struct qb_waiter {
    bool used;
    node_id from;
    uint64_t seq;               /* arrival order: the oldest is served first */
    qo_msg q;
} qb_waiter;

typedef struct qo_broker {
    const qo_cfg *cfg;
    qb_entry log[QO_LOG_MAX];
    uint32_t count;
    qb_waiter waiter[QB_WAITERS_MAX];
    uint64_t waits;             /* fetches held so far */
} qo_broker;

static bool broker_invariants_ok(const qo_broker *b) {
    if (b->cfg == NULL || b->count > QO_LOG_MAX) return false;
    for (uint32_t i = 0; i < b->count; i++) {
        if (b->log[i].order == 0) return false;
        if (b->log[i].state == QB_INFLIGHT && b->log[i].delivery == 0) return false;
    }
    return true;
}

static void answer(env *e, node_id to, uint32_t type, const qo_msg *q, uint32_t flag, int64_t offset,
                   uint32_t order, uint32_t delivery) {
    qo_msg p = *q;
    p.flag = flag;
    p.offset = offset;
    p.order = order;
    p.delivery = delivery;
    env_send(e, to, type, &p, sizeof p);
}

/* Hands the lowest ready offset to `to`; false when none is ready. */
static bool deliver_to(qo_broker *b, env *e, node_id to, const qo_msg *q) {
    for (uint32_t i = 0; i < b->count; i++) {
        qb_entry *m = &b->log[i];
        if (m->state != QB_READY) continue;
        m->state = QB_INFLIGHT;
        m->delivery++;
        m->consumer = to;
        int64_t offset = (int64_t)i + 1;
        env_timer(e, b->cfg->visibility_ns, TAG_VISIBILITY, (uint64_t)offset << 32 | m->delivery);
        qo_effect(e, QO_EFF_DELIVER, to, HIST_NONE, m->order, offset, m->delivery);
        answer(e, to, QO_MSG_DELIVER, q, 1, offset, m->order, m->delivery);
        return true;
    }
    return false;
}

/* The oldest held fetch gets the message just made ready, if any waits. */
static void serve_waiter(qo_broker *b, env *e) {
    qb_waiter *w = NULL;
    for (uint32_t i = 0; i < QB_WAITERS_MAX; i++)
        if (b->waiter[i].used && (w == NULL || b->waiter[i].seq < w->seq)) w = &b->waiter[i];
    if (w == NULL || !deliver_to(b, e, w->from, &w->q)) return;
    w->used = false;
}

static void on_fetch(qo_broker *b, env *e, node_id from, const qo_msg *q) {
    if (deliver_to(b, e, from, q)) return;
    for (uint32_t i = 0; i < QB_WAITERS_MAX; i++) {
        qb_waiter *w = &b->waiter[i];
        if (w->used) continue;
        *w = (qb_waiter){ true, from, ++b->waits, *q };
        env_timer(e, b->cfg->fetch_wait_ns, TAG_FETCH_WAIT, (uint64_t)i << 48 | w->seq);
        return;
    }
    answer(e, from, QO_MSG_DELIVER, q, 0, 0, 0, 0);
}

static void on_publish(qo_broker *b, env *e, node_id from, const qo_msg *q) {
    if (b->count == QO_LOG_MAX || q->order == 0) {
        env_trace(e, "broker: log full, order %u not appended", q->order);
        return;                         /* no confirm: the publisher times out */
    }
    b->log[b->count] = (qb_entry){ q->order, 0, QB_READY, -1 };
    b->count++;
    qo_effect(e, QO_EFF_APPEND, from, q->op, q->order, b->count, 0);
    answer(e, from, QO_MSG_PUBLISH_OK, q, 1, b->count, q->order, 0);
    serve_waiter(b, e);
}

static void on_ack(qo_broker *b, env *e, node_id from, const qo_msg *q) {
    if (q->offset < 1 || q->offset > (int64_t)b->count) { env_trace(e, "broker: ack of no message"); return; }
    qb_entry *m = &b->log[q->offset - 1];
    bool current = m->state == QB_INFLIGHT && m->delivery == q->delivery && m->consumer == from;
    qo_effect(e, QO_EFF_ACK, from, q->op, m->order, q->offset, current ? 0 : 1);
    if (current) m->state = QB_ACKED;
    else env_trace(e, "broker: ack of delivery %u of offset %lld refused (it timed out)", q->delivery,
                   (long long)q->offset);
}

static void broker_on_message(void *state, env *e, node_id from, uint32_t type, const void *body, uint32_t len) {
    qo_broker *b = state;
    SIM_ASSERT(broker_invariants_ok(b));
    qo_msg q;
    if (len != sizeof q) { env_trace(e, "broker: ignored type %u", type); return; }
    memcpy(&q, body, sizeof q);
    switch (type) {
    case QO_MSG_PUBLISH: on_publish(b, e, from, &q); break;
    case QO_MSG_FETCH: on_fetch(b, e, from, &q); break;
    case QO_MSG_ACK: on_ack(b, e, from, &q); break;
    default: env_trace(e, "broker: ignored type %u", type); break;
    }
    SIM_ASSERT(broker_invariants_ok(b));
}

static void requeue(qb_entry *m, env *e, int64_t offset, int64_t why) {
    m->state = QB_READY;
    m->consumer = -1;
    qo_effect(e, QO_EFF_REQUEUE, -1, HIST_NONE, m->order, offset, why);
}

/* A held fetch whose wait ran out is answered empty. */
static void fetch_wait_over(qo_broker *b, env *e, uint64_t arg) {
    uint32_t i = (uint32_t)(arg >> 48);
    SIM_ASSERT(i < QB_WAITERS_MAX);
    qb_waiter *w = &b->waiter[i];
    if (!w->used || w->seq != (arg & 0xffffffffffffu)) return;
    w->used = false;
    answer(e, w->from, QO_MSG_DELIVER, &w->q, 0, 0, 0, 0);
}

static void broker_on_timer(void *state, env *e, uint32_t tag, uint64_t arg) {
    qo_broker *b = state;
    SIM_ASSERT(tag == TAG_VISIBILITY || tag == TAG_FETCH_WAIT);
    if (tag == TAG_FETCH_WAIT) { fetch_wait_over(b, e, arg); return; }
    int64_t offset = (int64_t)(arg >> 32);
    SIM_ASSERT(offset >= 1 && offset <= (int64_t)b->count);
    qb_entry *m = &b->log[offset - 1];
    if (m->state == QB_INFLIGHT && m->delivery == (uint32_t)arg) {
        requeue(m, e, offset, 1);
        serve_waiter(b, e);
    }
    SIM_ASSERT(broker_invariants_ok(b));
}

static void broker_init(void *state, env *e) {
    qo_broker *b = state;
    memset(b, 0, sizeof *b);
    b->cfg = env_proto_config(e);
    SIM_ASSERT(b->cfg != NULL);
    SIM_ASSERT(broker_invariants_ok(b));
}

/* The log and the acks were forced before every answer: a crash and a
 * power loss keep them alike.  Deliveries in flight are forgotten. */
static void broker_on_crash(void *state, env *e) {
    qo_broker *b = state;
    SIM_ASSERT(broker_invariants_ok(b));
    env_trace(e, "broker %s; its log and acks are on disk", env_crash_is_power_loss(e) ? "lost power" : "crashed");
    memset(b->waiter, 0, sizeof b->waiter);     /* held fetches die with their connections */
}

static void broker_on_restart(void *state, env *e) {
    qo_broker *b = state;
    for (uint32_t i = 0; i < b->count; i++)
        if (b->log[i].state == QB_INFLIGHT) requeue(&b->log[i], e, (int64_t)i + 1, 2);
    env_trace(e, "broker restarted; every unacked message is ready again");
    SIM_ASSERT(broker_invariants_ok(b));
}

const model_ops qo_broker_ops = {
    .name = "broker", .state_size = sizeof(qo_broker), .init = broker_init,
    .on_message = broker_on_message, .on_timer = broker_on_timer, .on_crash = broker_on_crash,
    .on_restart = broker_on_restart,
};
