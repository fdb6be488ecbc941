/* queue_relay.c -- the outbox relay (Richardson's "message relay", polling
 * publisher): it reads the oldest unsent outbox row, publishes it, and
 * marks it sent once the broker has confirmed it.
 *
 *   WAITING --tick [relay_on_timer]--> ASKING (OUTBOX_NEXT to the db)
 *   ASKING  --a row [on_row]--> PUBLISHING      ASKING --none--> WAITING
 *   PUBLISHING --confirm [on_confirm]--> MARKING (OUTBOX_SENT to the db)
 *   MARKING --done [on_marked]--> ASKING (the next row at once)
 *   any request --timeout `relay-timeout`--> WAITING
 *   any --crash--> DOWN --restart [relay_on_restart]--> WAITING
 *
 * At least once: a crash (or a timeout) after the broker appended a row's
 * message and before the db marked the row sent publishes it again, so
 * consumers see the same order twice and must deduplicate.
 * Invariant (relay_invariants_ok): a request is out exactly in ASKING,
 * PUBLISHING and MARKING, and in PUBLISHING and MARKING for an order >= 1.
 * Trade-off: one row at a time; it keeps nothing across a crash (the
 * outbox is its state).
 */
#include "protocols/queue/queue.h"

#include <string.h>

enum { TAG_TICK = 1, TAG_TIMEOUT = 2 };

typedef enum { QR_WAITING = 0, QR_ASKING, QR_PUBLISHING, QR_MARKING, QR_DOWN } qr_state;

typedef struct qo_relay {
    const qo_cfg *cfg;
    node_id broker, db;
    qr_state state;
    uint32_t req;
    uint32_t order;             /* the row being relayed */
} qo_relay;

static bool relay_invariants_ok(const qo_relay *r) {
    if (r->cfg == NULL || r->broker < 0 || r->db < 0) return false;
    if ((r->state == QR_PUBLISHING || r->state == QR_MARKING) && r->order == 0) return false;
    return true;
}

static void ask(qo_relay *r, env *e, node_id to, uint32_t type, qr_state next) {
    qo_msg m = { .req = ++r->req, .op = HIST_NONE, .order = r->order };
    r->state = next;
    env_send(e, to, type, &m, sizeof m);
    env_timer(e, r->cfg->relay_timeout_ns, TAG_TIMEOUT, r->req);
}

static void wait_tick(qo_relay *r, env *e) {
    r->state = QR_WAITING;
    r->order = 0;
    r->req++;                   /* a late answer is ignored */
    env_timer(e, r->cfg->relay_every_ns, TAG_TICK, 0);
}

static void on_reply(qo_relay *r, env *e, uint32_t type, const qo_msg *p) {
    if (type == QO_MSG_DB_OUTBOX_ROW && r->state == QR_ASKING) {
        if (p->flag != 1 || p->order == 0) { wait_tick(r, e); return; }
        r->order = p->order;
        ask(r, e, r->broker, QO_MSG_PUBLISH, QR_PUBLISHING);
    } else if (type == QO_MSG_PUBLISH_OK && r->state == QR_PUBLISHING) {
        ask(r, e, r->db, QO_MSG_DB_OUTBOX_SENT, QR_MARKING);
    } else if (type == QO_MSG_DB_OUTBOX_SENT_REPLY && r->state == QR_MARKING) {
        r->order = 0;
        ask(r, e, r->db, QO_MSG_DB_OUTBOX_NEXT, QR_ASKING);
    }
}

static void relay_on_message(void *state, env *e, node_id from, uint32_t type, const void *body, uint32_t len) {
    qo_relay *r = state;
    SIM_ASSERT(relay_invariants_ok(r));
    qo_msg p;
    if (len != sizeof p || (from != r->broker && from != r->db)) return;
    memcpy(&p, body, sizeof p);
    if (p.req != r->req) return;
    on_reply(r, e, type, &p);
    SIM_ASSERT(relay_invariants_ok(r));
}

static void relay_on_timer(void *state, env *e, uint32_t tag, uint64_t arg) {
    qo_relay *r = state;
    SIM_ASSERT(relay_invariants_ok(r));
    if (tag == TAG_TICK && r->state == QR_WAITING) ask(r, e, r->db, QO_MSG_DB_OUTBOX_NEXT, QR_ASKING);
    else if (tag == TAG_TIMEOUT && arg == r->req && r->state != QR_WAITING) {
        env_trace(e, "relay: no answer; it starts again from the outbox");
        wait_tick(r, e);
    }
    SIM_ASSERT(relay_invariants_ok(r));
}

static node_id one_of_role(env *e, const char *role) {
    node_id n[1];
    return env_nodes_of_role(e, role, n, 1) == 1 ? n[0] : -1;
}

static void relay_init(void *state, env *e) {
    qo_relay *r = state;
    memset(r, 0, sizeof *r);
    r->cfg = env_proto_config(e);
    SIM_ASSERT(r->cfg != NULL);
    r->broker = one_of_role(e, "broker");
    r->db = one_of_role(e, "db");
    wait_tick(r, e);
    SIM_ASSERT(relay_invariants_ok(r));
}

static void relay_on_crash(void *state, env *e) {
    qo_relay *r = state;
    SIM_ASSERT(relay_invariants_ok(r));
    env_trace(e, "relay crashed; the outbox keeps what it had not marked sent");
    r->state = QR_DOWN;
    r->order = 0;
}

static void relay_on_restart(void *state, env *e) {
    qo_relay *r = state;
    env_trace(e, "relay restarted; it reads the outbox again");
    wait_tick(r, e);
    SIM_ASSERT(relay_invariants_ok(r));
}

const model_ops qo_relay_ops = {
    .name = "outbox-relay", .state_size = sizeof(qo_relay), .init = relay_init,
    .on_message = relay_on_message, .on_timer = relay_on_timer, .on_crash = relay_on_crash,
    .on_restart = relay_on_restart,
};
