/* payment.c -- the payment driver: `payments` charges per client, one
 * after another, with retries.
 *
 *   IDLE --start [pw_start]--> SENT --200 [on_reply]--> DONE (ok)
 *   SENT --no reply in `timeout` [on_timeout]--> SENT (again) | DONE (info, retries spent)
 *   SENT --409 [on_reply]--> WAITING --conflict_wait [send]--> SENT
 *   SENT --422 [on_reply]--> DONE (info after a retry, else fail)
 *   DONE --payments left [next]--> IDLE (start again after `every`)
 *
 * Invariant: the client's op is pending exactly from its first send to
 * DONE; only the reply to its latest send counts (a client that timed out
 * has closed that connection, as an HTTP client does); it has started at
 * most `payments` payments.
 */
#include "sim/workload/payment.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "protocols/payment/payment.h"
#include "sim/family.h"
#include "sim/workload/outcome.h"

enum { TAG_START = 1, TAG_TIMEOUT = 2, TAG_RESEND = 3 };
typedef enum { PW_OFF = 0, PW_IDLE, PW_SENT, PW_WAITING, PW_DONE } pw_state;

typedef struct pw_driver {
    const pw_cfg *cfg;
    node_id api;
    int32_t index;            /* among the clients, -1 = not one */
    pw_state state;
    uint32_t op, attempts, req_next;
    int64_t started;          /* payments started, 1 = the first (key K<n>) */
    timer_id timeout;
} pw_driver;

static bool pw_invariants_ok(const pw_driver *d) {
    if (d->cfg == NULL) return false;
    bool pending = d->state == PW_SENT || d->state == PW_WAITING;
    if (d->started < 0 || d->started > d->cfg->payments) return false;
    return pending == (d->op != HIST_NONE) && (d->index >= 0 || d->state == PW_OFF);
}

static void send(pw_driver *d, env *e) {
    SIM_ASSERT(d->op != HIST_NONE);
    const pw_cfg *c = d->cfg;
    char key[PAY_KEY_MAX] = "";
    if (c->idempotency_key && d->started == 1) snprintf(key, sizeof key, "K%d", d->index + 1);
    else if (c->idempotency_key) snprintf(key, sizeof key, "K%d-%" PRId64, d->index + 1, d->started);
    int64_t amount = d->attempts > 0 && c->retry_amount >= 0 ? c->retry_amount : c->amount;
    pay_req q;
    pay_req_init(&q, ++d->req_next, d->op, amount, key);
    d->attempts++;
    d->state = PW_SENT;
    env_send(e, d->api, PAY_MSG_REQ, &q, sizeof q);
    d->timeout = env_timer(e, c->timeout_ns, TAG_TIMEOUT, q.req);
}

static void finish(pw_driver *d, env *e, hist_result r, int64_t charge, const char *note) {
    hist_op_fields f;
    memset(&f, 0, sizeof f);
    f.has_value_out = r == HIST_OK;
    f.value_out = charge;
    f.note = note;
    env_timer_cancel(e, d->timeout);
    d->timeout = 0;
    uint32_t op = d->op;
    d->op = HIST_NONE;
    d->state = PW_DONE;
    env_op_complete(e, op, r, &f);
}

static void pw_start(pw_driver *d, env *e) {
    SIM_ASSERT(d->state == PW_IDLE);
    SIM_ASSERT(d->started < d->cfg->payments);
    d->started++;
    d->attempts = 0;
    hist_op_fields f;
    memset(&f, 0, sizeof f);
    f.key = PAY_ACCOUNT;
    f.delta = -d->cfg->amount;
    f.value_in = d->cfg->amount;
    f.has_value_in = true;
    d->op = env_op_invoke(e, HIST_F_CHARGE, &f);
    send(d, e);
}

static void on_timeout(pw_driver *d, env *e, uint64_t req) {
    if (d->state != PW_SENT || req != d->req_next) return;
    d->timeout = 0;
    if ((int64_t)d->attempts > d->cfg->retries) { finish(d, e, HIST_INFO, 0, "no response after retries"); return; }
    env_trace(e, "payment: no response in time; retrying with the same key");
    send(d, e);
}

static void on_reply(pw_driver *d, env *e, const pay_reply *p) {
    if (d->state != PW_SENT || p->req != d->req_next || p->op != d->op) {
        env_trace(e, "payment: reply to request %u ignored (the client gave up on it)", p->req);
        return;
    }
    if (p->status == 200) { finish(d, e, HIST_OK, p->charge, ""); return; }
    if (p->status == 409) {
        env_timer_cancel(e, d->timeout);
        d->timeout = 0;
        d->state = PW_WAITING;
        env_timer(e, d->cfg->conflict_wait_ns, TAG_RESEND, 0);
        return;
    }
    if (p->status == 422 && d->attempts > 1) { finish(d, e, HIST_INFO, 0, "422 on retry: outcome unknown"); return; }
    char note[HIST_NOTE_MAX];
    snprintf(note, sizeof note, "status %u", p->status);
    finish(d, e, HIST_FAIL, 0, note);
}

/* After a payment: the next one `every` later, while any are left. */
static void next(pw_driver *d, env *e) {
    if (d->state != PW_DONE || d->started >= d->cfg->payments) return;
    d->state = PW_IDLE;
    env_timer(e, d->cfg->every_ns, TAG_START, 0);
}

static void pw_init(void *state, env *e) {
    pw_driver *d = state;
    memset(d, 0, sizeof *d);
    d->cfg = env_workload_config(e);
    SIM_ASSERT(d->cfg != NULL);
    d->op = HIST_NONE;
    node_id api[1];
    d->api = env_nodes_of_role(e, "api", api, 1) == 1 ? api[0] : -1;
    SIM_ASSERT(d->api >= 0);                  /* the protocol asks for exactly one */
    d->index = -1;
    for (uint32_t i = 0; i < d->cfg->clients.count; i++)
        if (d->cfg->clients.node[i] == env_self(e)) d->index = (int32_t)i;
    if (d->index >= 0) {
        d->state = PW_IDLE;
        env_timer(e, d->cfg->start.node_ns[env_self(e)], TAG_START, 0);
    }
    SIM_ASSERT(pw_invariants_ok(d));
}

static void pw_on_timer(void *state, env *e, uint32_t tag, uint64_t arg) {
    pw_driver *d = state;
    SIM_ASSERT(pw_invariants_ok(d));
    switch (tag) {
    case TAG_START: pw_start(d, e); break;
    case TAG_TIMEOUT: on_timeout(d, e, arg); break;
    case TAG_RESEND: if (d->state == PW_WAITING) send(d, e); break;
    default: SIM_UNREACHABLE("payment timer tag"); break;
    }
    next(d, e);
    SIM_ASSERT(pw_invariants_ok(d));
}

static void pw_on_message(void *state, env *e, node_id from, uint32_t type, const void *body, uint32_t len) {
    pw_driver *d = state;
    SIM_ASSERT(pw_invariants_ok(d));
    if (from != d->api || type != PAY_MSG_REPLY || len != sizeof(pay_reply)) {
        env_trace(e, "payment: ignored message type %u", type);
        return;
    }
    pay_reply p;
    memcpy(&p, body, sizeof p);
    on_reply(d, e, &p);
    next(d, e);
    SIM_ASSERT(pw_invariants_ok(d));
}

static void pw_on_crash(void *state, env *e) {
    pw_driver *d = state;
    SIM_ASSERT(pw_invariants_ok(d));
    if (d->op != HIST_NONE) finish(d, e, HIST_INFO, 0, "client crashed");
    d->timeout = 0;
}

static void pw_on_restart(void *state, env *e) {
    pw_driver *d = state;
    SIM_ASSERT(pw_invariants_ok(d));
    if (d->started == 0 || d->started >= d->cfg->payments) {
        env_trace(e, "payment: restarted; it does not pay again");
        return;
    }
    env_trace(e, "payment: restarted; it goes on with payment %" PRId64 " of %" PRId64, d->started + 1,
              d->cfg->payments);
    d->state = PW_DONE;                       /* its timers died with it */
    next(d, e);
}

static const model_ops pw_driver_ops = {
    .name = "payment", .state_size = sizeof(pw_driver), .init = pw_init,
    .on_message = pw_on_message, .on_timer = pw_on_timer, .on_crash = pw_on_crash,
    .on_restart = pw_on_restart,
};

#define CFG_AT(field) offsetof(pw_cfg, field)

static const param_spec pw_params[] = {
    PARAM_NODES_SPEC("clients", "client", "nodes that each make `payments` payments", CFG_AT(clients)),
    PARAM_PER_NODE_DURATION_SPEC("start", "0ms", "per client: when it makes its first payment",
        CFG_AT(start), 0, PARAM_NO_MAX),
    PARAM_INT_SPEC("payments", "1", "payments per client, one after another, each with its own key",
        CFG_AT(payments), 1, PW_PAYMENTS_MAX),
    PARAM_DURATION_SPEC("every", "1s", "think time: from a payment's end to the client's next",
        CFG_AT(every_ns), 0, PARAM_NO_MAX),
    PARAM_INT_SPEC("amount", "50", "the amount charged", CFG_AT(amount), 1, 1000000000),
    PARAM_BOOL_SPEC("idempotency_key", "true",
        "send an Idempotency-Key (K1, K2, ... per client; K1-2, K1-3, ... for its later payments)",
        CFG_AT(idempotency_key)),
    PARAM_DURATION_SPEC("timeout", "5s", "no response in this long: send the request again",
        CFG_AT(timeout_ns), SIM_NS, PARAM_NO_MAX),
    PARAM_INT_SPEC("retries", "3", "sends after the first", CFG_AT(retries), 0, 1000000),
    PARAM_INT_SPEC("retry_amount", "-1",
        "the amount a retry sends (-1 = the same; a bug otherwise)",
        CFG_AT(retry_amount), -1, 1000000000),
    PARAM_DURATION_SPEC("conflict_wait", "1s",
        "after a 409 (in progress), wait this long and retry",
        CFG_AT(conflict_wait_ns), SIM_NS, PARAM_NO_MAX),
};

/* workload_desc.outcome: "1 payment of 50 acknowledged; charged 100, expected 50: 50 too much". */
static void pw_outcome(const void *cfg_v, const hist *h, const scn *s, char *buf, size_t len) {
    const pw_cfg *c = cfg_v;
    (void)s;
    wo_tally t = wo_count(h, HIST_F_CHARGE);
    snprintf(buf, len, "%" PRIu64 " payment%s of %" PRId64 " acknowledged", t.ok, wo_s(t.ok), c->amount);
    if (t.fail) wo_add(buf, len, ", %" PRIu64 " refused", t.fail);
    wo_unanswered(&t, buf, len);
    wo_money m = wo_money_of(h, PAY_ACCOUNT);
    if (m.accounts == 0) return;
    int64_t charged = m.opened - m.now, expected = (int64_t)t.ok * c->amount;
    wo_add(buf, len, "; charged %" PRId64, charged);
    if (charged == expected) wo_add(buf, len, ", as acknowledged");
    else if (charged > expected)
        wo_add(buf, len, ", expected %" PRId64 ": %" PRId64 " too much", expected, charged - expected);
    else wo_add(buf, len, ", expected %" PRId64 ": %" PRId64 " never charged", expected, expected - charged);
}

const workload_desc pw_workload = {
    .name = "payment",
    .summary = "each client pays once (or `payments` times) and retries until it hears back, "
               "with or without an idempotency key",
    .params = pw_params,
    .param_count = sizeof pw_params / sizeof pw_params[0],
    .cfg_size = sizeof(pw_cfg),
    .driver = &pw_driver_ops,
    .outcome = pw_outcome,
};
