/* queue_db.c -- the application's database: orders, their outbox rows,
 * the consumers' charges and the processed-ids table.
 *
 *   ORDER o [on_order]--> orders += o (and outbox += o, unsent), one transaction
 *   APPLY o, plain [on_apply]--> charges[o] += 1
 *   APPLY o, idempotent [on_apply]--> o in processed? nothing (DEDUP)
 *                                     : charges[o] += 1 and processed += o, one transaction
 *   OUTBOX_NEXT [on_outbox_next]--> the oldest unsent outbox row, or none
 *   OUTBOX_SENT o [on_outbox_sent]--> the row is sent
 *   crash / power loss [db_on_crash]--> keeps every row (each transaction
 *   is forced to disk before its answer, so the two are the same here)
 *
 * Invariant (db_invariants_ok): every row's order >= 1; orders are
 * distinct; a processed row has charges >= 1.  Trade-off: no latency or
 * locking of its own: one message is one committed transaction.
 */
#include "protocols/queue/queue.h"

#include <stdio.h>
#include <string.h>

typedef struct qd_row {
    uint32_t order;
    bool placed;                /* in the orders table */
    bool outbox, sent;          /* its outbox row, and whether the relay marked it */
    bool processed;             /* in processed_ids */
    int64_t charges;
} qd_row;

typedef struct qo_db {
    qd_row row[QO_ROWS_MAX];
    uint32_t count;
    bool started;
} qo_db;

static bool db_invariants_ok(const qo_db *d) {
    if (!d->started || d->count > QO_ROWS_MAX) return false;
    for (uint32_t i = 0; i < d->count; i++) {
        if (d->row[i].order == 0) return false;
        if (d->row[i].processed && d->row[i].charges < 1) return false;
        for (uint32_t j = i + 1; j < d->count; j++)
            if (d->row[j].order == d->row[i].order) return false;
    }
    return true;
}

/* The row of an order, made empty when new; NULL when the table is full. */
static qd_row *row_of(qo_db *d, uint32_t order) {
    for (uint32_t i = 0; i < d->count; i++)
        if (d->row[i].order == order) return &d->row[i];
    if (d->count == QO_ROWS_MAX) return NULL;
    d->row[d->count] = (qd_row){ .order = order };
    return &d->row[d->count++];
}

static void reply(env *e, node_id to, uint32_t type, const qo_msg *q, uint32_t flag, uint32_t order) {
    qo_msg p = *q;
    p.flag = flag;
    p.order = order;
    env_send(e, to, type, &p, sizeof p);
}

static void on_order(qd_row *r, env *e, node_id from, const qo_msg *q) {
    if (!r->placed) {
        r->placed = true;
        r->outbox = q->flag == 1;
        qo_effect(e, QO_EFF_ORDER, from, q->op, q->order, 0, r->outbox ? 1 : 0);
    }
    reply(e, from, QO_MSG_DB_ORDER_REPLY, q, 0, q->order);
}

static void on_apply(qd_row *r, env *e, node_id from, const qo_msg *q) {
    bool idempotent = q->flag == 1;
    if (idempotent && r->processed) {
        qo_effect(e, QO_EFF_DEDUP, from, q->op, q->order, q->offset, r->charges);
        reply(e, from, QO_MSG_DB_APPLY_REPLY, q, 1, q->order);
        return;
    }
    r->charges++;
    if (idempotent) r->processed = true;
    qo_effect(e, QO_EFF_CHARGE, from, q->op, q->order, q->offset, r->charges);
    reply(e, from, QO_MSG_DB_APPLY_REPLY, q, 0, q->order);
}

static void on_outbox_next(qo_db *d, env *e, node_id from, const qo_msg *q) {
    for (uint32_t i = 0; i < d->count; i++) {
        if (!d->row[i].outbox || d->row[i].sent) continue;
        reply(e, from, QO_MSG_DB_OUTBOX_ROW, q, 1, d->row[i].order);
        return;
    }
    reply(e, from, QO_MSG_DB_OUTBOX_ROW, q, 0, 0);
}

static void on_outbox_sent(qd_row *r, env *e, node_id from, const qo_msg *q) {
    if (r->outbox && !r->sent) {
        r->sent = true;
        qo_effect(e, QO_EFF_RELAYED, from, HIST_NONE, q->order, 0, 0);
    }
    reply(e, from, QO_MSG_DB_OUTBOX_SENT_REPLY, q, 0, q->order);
}

static void db_on_message(void *state, env *e, node_id from, uint32_t type, const void *body, uint32_t len) {
    qo_db *d = state;
    SIM_ASSERT(db_invariants_ok(d));
    qo_msg q;
    if (len != sizeof q) { env_trace(e, "db: ignored type %u", type); return; }
    memcpy(&q, body, sizeof q);
    if (type == QO_MSG_DB_OUTBOX_NEXT) { on_outbox_next(d, e, from, &q); return; }
    qd_row *r = q.order != 0 ? row_of(d, q.order) : NULL;
    if (r == NULL) { env_trace(e, "db: ignored order %u (none, or the table is full)", q.order); return; }
    switch (type) {
    case QO_MSG_DB_ORDER: on_order(r, e, from, &q); break;
    case QO_MSG_DB_APPLY: on_apply(r, e, from, &q); break;
    case QO_MSG_DB_OUTBOX_SENT: on_outbox_sent(r, e, from, &q); break;
    default: env_trace(e, "db: ignored type %u", type); break;
    }
    SIM_ASSERT(db_invariants_ok(d));
}

static void db_init(void *state, env *e) {
    qo_db *d = state;
    (void)e;
    memset(d, 0, sizeof *d);
    d->started = true;
    SIM_ASSERT(db_invariants_ok(d));
}

/* Durable: every transaction is on disk before its answer, so a crash and
 * a power loss both keep every row. */
static void db_on_crash(void *state, env *e) {
    qo_db *d = state;
    SIM_ASSERT(db_invariants_ok(d));
    env_trace(e, "db %s; its rows are on disk", env_crash_is_power_loss(e) ? "lost power" : "crashed");
}

static void db_on_restart(void *state, env *e) {
    qo_db *d = state;
    SIM_ASSERT(db_invariants_ok(d));
    env_trace(e, "db restarted with its rows");
}

const model_ops qo_db_ops = {
    .name = "queue-db", .state_size = sizeof(qo_db), .init = db_init,
    .on_message = db_on_message, .on_timer = NULL, .on_crash = db_on_crash,
    .on_restart = db_on_restart,
};
