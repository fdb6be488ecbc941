/* queue.h -- the `queue-outbox` protocol: a message broker with
 * at-least-once delivery (Kafka, RabbitMQ, SQS as applications use them),
 * the application's database, and an optional outbox relay
 * (docs/protocols/queue-outbox.md).
 *
 * Roles: broker (exactly 1, qo_broker_ops), db (exactly 1, qo_db_ops),
 * relay (0..1, qo_relay_ops; exactly 1 when publish = outbox), producer
 * and consumer (the `queue-outbox` workload drives them).
 *   producer: places orders; `publish` says how the OrderCreated event
 *             goes out:
 *     after-commit   save the order (commit), then publish ("dual write":
 *                    a crash between the two loses the event)
 *     before-commit  publish, then save the order (a crash or a failed
 *                    insert after the publish invents an event)
 *     outbox         save the order and an outbox row in one transaction;
 *                    the relay publishes the row, at least once
 *   consumer: fetches a message, charges the order (a row in the db: the
 *             side effect), then acks.  `consumer` says whether the charge
 *             is idempotent:
 *     plain          every delivery charges
 *     idempotent     the charge and a processed-ids row (keyed by the
 *                    order, the event's id) are one transaction; a
 *                    delivery whose id is there charges nothing
 * The broker gives each fetched message to one consumer for the
 * `visibility-timeout`; unacked by then (the consumer crashed, paused or is
 * slow), it goes back to the queue and is delivered again, to whoever
 * fetches next.  A fetch that finds nothing ready is held up to
 * `fetch-wait` for a message (long polling).  An ack for a delivery that has timed out is refused (as
 * Kafka refuses a commit from a consumer that left the group).
 * Durability: the broker's log and acks and the db's rows are forced to
 * disk before either answers, so a crash and a power loss keep the same
 * things; the broker's deliveries in flight are volatile (on a restart
 * every unacked message is ready again).
 *
 * History: the ops and effects below; the `delivery` check
 * (sim/check/queue_delivery.c) reads them.
 */
#ifndef CCSIM_QUEUE_H
#define CCSIM_QUEUE_H

#include "sim/config.h"
#include "sim/env.h"

/* queue-outbox range 1700-1749 */
#define QO_MSG_DB_ORDER         1700u   /* producer -> db: flag 1 = with its outbox row */
#define QO_MSG_DB_ORDER_REPLY   1701u
#define QO_MSG_DB_APPLY         1702u   /* consumer -> db: charge order; flag 1 = idempotent */
#define QO_MSG_DB_APPLY_REPLY   1703u   /* flag 1 = already processed, nothing charged */
#define QO_MSG_DB_OUTBOX_NEXT   1704u   /* relay -> db: the oldest unsent outbox row */
#define QO_MSG_DB_OUTBOX_ROW    1705u   /* flag 1 = a row (order), 0 = none */
#define QO_MSG_DB_OUTBOX_SENT   1706u   /* relay -> db: mark order's row sent */
#define QO_MSG_DB_OUTBOX_SENT_REPLY 1707u
#define QO_MSG_PUBLISH          1710u   /* producer or relay -> broker: OrderCreated(order) */
#define QO_MSG_PUBLISH_OK       1711u   /* the confirm: offset */
#define QO_MSG_FETCH            1712u   /* consumer -> broker */
#define QO_MSG_DELIVER          1713u   /* flag 1 = a message (order, offset, delivery), 0 = none */
#define QO_MSG_ACK              1714u   /* consumer -> broker: offset, delivery */

#define QO_LOG_MAX 512          /* messages the broker's log holds */
#define QO_ROWS_MAX 512         /* orders (and charges) the db holds */

typedef enum { QO_AFTER_COMMIT = 0, QO_BEFORE_COMMIT, QO_OUTBOX } qo_publish;
typedef enum { QO_PLAIN = 0, QO_IDEMPOTENT } qo_consumer;

/* Every message has this body; each type uses the fields its line says. */
typedef struct qo_msg {
    uint32_t req;           /* the sender's request number, echoed */
    uint32_t op;            /* the history op it serves */
    uint32_t order;         /* the order id (>= 1) */
    uint32_t flag;
    int64_t offset;         /* the message's place in the broker's log (1, 2, ...) */
    uint32_t delivery;      /* how many times the broker has delivered it (1 = first) */
    uint32_t pad;
} qo_msg;

typedef struct qo_cfg {
    int publish;            /* qo_publish */
    int consumer;           /* qo_consumer */
    sim_time visibility_ns;
    sim_time fetch_wait_ns;
    sim_time relay_every_ns;
    sim_time relay_timeout_ns;
} qo_cfg;

extern const model_ops qo_broker_ops;
extern const model_ops qo_db_ops;
extern const model_ops qo_relay_ops;

/* "order1", "order1001"...: the key the history names an order by. */
void qo_order_key(uint32_t order, char *buf, size_t len);
/* Records an effect about an order (value, aux as each kind says). */
void qo_effect(env *e, hist_eff_kind kind, node_id client, uint32_t op, uint32_t order, int64_t value,
               int64_t aux);
bool qo_describe(uint32_t type, const void *body, uint32_t len, char *buf, size_t buf_len);

/* The history kinds of queue-outbox (hist.h; kinds 1700-1719).  Every
 * effect: key = the order, client = the node it is for, op = the op it
 * serves (HIST_NONE for the relay's). */
enum {
    QO_F_ORDER = 1700,      /* a producer's order: ok = saved (and published, as `publish` says);
                               info = it does not know; note says what failed */
    QO_F_CONSUME = 1701,    /* a consumer's handling of one delivery: value_out = the offset;
                               note "charged" / "already processed" */
    QO_EFF_ORDER = 1705,    /* db: the order committed; aux = 1 with its outbox row */
    QO_EFF_CHARGE = 1706,   /* db: a consumer charged the order; value = the offset;
                               aux = the times this order has now been charged */
    QO_EFF_DEDUP = 1707,    /* db: its id was processed already; value = the offset */
    QO_EFF_RELAYED = 1708,  /* db: the relay marked the outbox row sent */
    QO_EFF_APPEND = 1710,   /* broker: OrderCreated appended; value = the offset */
    QO_EFF_DELIVER = 1711,  /* broker: value = the offset; aux = the delivery number */
    QO_EFF_REQUEUE = 1712,  /* broker: unacked, ready again; value = the offset; aux = 1 the
                               visibility timeout ran out, 2 the broker restarted */
    QO_EFF_ACK = 1713,      /* broker: value = the offset; aux = 1 refused (that delivery timed out) */
};

#endif
