/* payment.c -- the payment API node: idempotency keys and a ledger.
 *
 * A key's life (the function per edge):
 *
 *   (absent) --first request, key_lock [on_request]--> IN_PROGRESS --charged [on_charge]--> DONE
 *   (absent) --first request, no key_lock [on_request]--> (absent) --charged [on_charge]--> DONE
 *   IN_PROGRESS --same key [on_request]--> 409, nothing saved
 *   DONE --same key and amount [on_request]--> replay 200;  other amount --> 422
 *   any --older than retention [prune]--> (absent)
 *
 * Invariant (pay_invariants_ok): the balance is the opening balance minus
 * the amounts charged; every pending charge has its timer; keys are unique.
 * Trade-off: keys and pending charges live in fixed tables (PAY_KEYS_MAX,
 * PAY_PENDING_MAX); a full table answers 503 rather than growing.
 */
#include "protocols/payment/payment.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "sim/family.h"

#define PAY_KEYS_MAX 1024
#define PAY_PENDING_MAX 1024
enum { PAY_TAG_CHARGE = 600 };

typedef struct pay_key {
    bool used, done;
    char key[PAY_KEY_MAX];
    sim_time created_wall;
    int64_t amount, charge;
    uint16_t status;
} pay_key;

typedef struct pay_pending {
    bool used;
    node_id from;
    pay_req q;
} pay_pending;

typedef struct pay_node {
    const pay_cfg *cfg;
    int64_t balance, charged, charges;
    pay_key keys[PAY_KEYS_MAX];
    pay_pending pending[PAY_PENDING_MAX];
} pay_node;

/* The cheap part, checked on every message; that no key is held twice is
 * asserted where a key is added (key_new), instead of comparing every pair
 * of the table on every message (issue 17: that was nearly all of a run). */
static bool pay_invariants_ok(const pay_node *n) {
    if (n->cfg == NULL || n->balance != n->cfg->balance - n->charged) return false;
    return n->charges >= 0;
}

void pay_req_init(pay_req *q, uint32_t req, uint32_t op, int64_t amount, const char *key) {
    SIM_ASSERT(q != NULL);
    SIM_ASSERT(key != NULL);
    memset(q, 0, sizeof *q);
    q->req = req;
    q->op = op;
    q->amount = amount;
    snprintf(q->key, sizeof q->key, "%s", key);
}

static void reply(env *e, node_id to, const pay_req *q, uint16_t status, bool replayed, int64_t charge) {
    pay_reply p;
    memset(&p, 0, sizeof p);
    p.req = q->req;
    p.op = q->op;
    p.status = status;
    p.replayed = replayed ? 1 : 0;
    p.charge = charge;
    env_send(e, to, PAY_MSG_REPLY, &p, sizeof p);
}

static pay_key *key_find(pay_node *n, const char *key) {
    for (uint32_t i = 0; i < PAY_KEYS_MAX; i++)
        if (n->keys[i].used && strcmp(n->keys[i].key, key) == 0) return &n->keys[i];
    return NULL;
}

static pay_key *key_new(pay_node *n, env *e, const pay_req *q) {
    SIM_ASSERT(key_find(n, q->key) == NULL);      /* no key is held twice */
    for (uint32_t i = 0; i < PAY_KEYS_MAX; i++) {
        if (n->keys[i].used) continue;
        pay_key *k = &n->keys[i];
        memset(k, 0, sizeof *k);
        k->used = true;
        snprintf(k->key, sizeof k->key, "%s", q->key);
        k->created_wall = env_now_wall(e);
        k->amount = q->amount;
        return k;
    }
    return NULL;
}

/* Stripe prunes keys once they are at least 24 hours old. */
static void prune(pay_node *n, env *e) {
    sim_time now = env_now_wall(e);
    for (uint32_t i = 0; i < PAY_KEYS_MAX; i++) {
        pay_key *k = &n->keys[i];
        if (!k->used || now - k->created_wall < n->cfg->retention_ns) continue;
        env_trace(e, "key %s pruned (older than the retention)", k->key);
        k->used = false;
    }
}

/* True when the key answered the request (replay, 409, 422). */
static bool by_key(pay_node *n, env *e, node_id from, const pay_req *q) {
    pay_key *k = key_find(n, q->key);
    if (k == NULL) {
        if (n->cfg->key_lock && key_new(n, e, q) == NULL) { reply(e, from, q, 503, false, 0); return true; }
        return false;
    }
    if (!k->done) {
        env_trace(e, "key %s: a request with it is still executing: 409 conflict", q->key);
        reply(e, from, q, 409, false, 0);
        return true;
    }
    if (k->amount != q->amount) {
        env_trace(e, "key %s was used with amount %" PRId64 ", not %" PRId64 ": 422", q->key, k->amount, q->amount);
        reply(e, from, q, 422, false, 0);
        return true;
    }
    env_trace(e, "key %s: replaying the saved response (charge %" PRId64 ")", q->key, k->charge);
    reply(e, from, q, k->status, true, k->charge);
    return true;
}

static void on_request(pay_node *n, env *e, node_id from, const pay_req *q) {
    prune(n, e);
    if (n->cfg->idempotency && q->key[0] != '\0' && by_key(n, e, from, q)) return;
    for (uint32_t i = 0; i < PAY_PENDING_MAX; i++) {
        if (n->pending[i].used) continue;
        n->pending[i] = (pay_pending){ true, from, *q };
        env_timer(e, n->cfg->process_ns, PAY_TAG_CHARGE, i);
        return;
    }
    reply(e, from, q, 503, false, 0);
}

static void on_charge(pay_node *n, env *e, uint64_t i) {
    SIM_ASSERT(i < PAY_PENDING_MAX);
    pay_pending *p = &n->pending[i];
    SIM_ASSERT(p->used);
    p->used = false;
    n->balance -= p->q.amount;
    n->charged += p->q.amount;
    n->charges++;
    hist_effect_fields ef;
    memset(&ef, 0, sizeof ef);
    ef.kind = HIST_EFF_BALANCE;
    ef.client = p->from;
    ef.op = p->q.op;
    ef.value = n->balance;
    ef.version = n->charges;
    ef.key = PAY_ACCOUNT;
    env_effect(e, &ef);
    env_trace(e, "charge ch_%" PRId64 ": %" PRId64 " from %s (balance %" PRId64 ")", n->charges, p->q.amount,
              PAY_ACCOUNT, n->balance);
    if (n->cfg->idempotency && p->q.key[0] != '\0') {
        pay_key *k = key_find(n, p->q.key);       /* without key_lock: saved only now */
        if (k == NULL) k = key_new(n, e, &p->q);
        if (k != NULL) { k->done = true; k->status = 200; k->charge = n->charges; k->amount = p->q.amount; }
    }
    reply(e, p->from, &p->q, 200, false, n->charges);
}

static void pay_on_message(void *state, env *e, node_id from, uint32_t type, const void *body, uint32_t len) {
    pay_node *n = state;
    SIM_ASSERT(pay_invariants_ok(n));
    if (type != PAY_MSG_REQ || len != sizeof(pay_req)) { env_trace(e, "api: ignored message type %u", type); return; }
    pay_req q;
    memcpy(&q, body, sizeof q);
    q.key[sizeof q.key - 1] = '\0';
    on_request(n, e, from, &q);
    SIM_ASSERT(pay_invariants_ok(n));
}

static void pay_on_timer(void *state, env *e, uint32_t tag, uint64_t arg) {
    pay_node *n = state;
    SIM_ASSERT(tag == PAY_TAG_CHARGE);
    on_charge(n, e, arg);
    SIM_ASSERT(pay_invariants_ok(n));
}

static void pay_init(void *state, env *e) {
    pay_node *n = state;
    memset(n, 0, sizeof *n);
    n->cfg = env_proto_config(e);
    SIM_ASSERT(n->cfg != NULL);
    n->balance = n->cfg->balance;
    hist_effect_fields ef;
    memset(&ef, 0, sizeof ef);
    ef.kind = HIST_EFF_BALANCE_INIT;
    ef.client = -1;
    ef.op = HIST_NONE;
    ef.value = n->balance;
    ef.key = PAY_ACCOUNT;
    env_effect(e, &ef);
    SIM_ASSERT(pay_invariants_ok(n));
}

/* The ledger and the saved keys are committed (fsynced) before the reply:
 * a power loss keeps them as a crash does. */
static void pay_on_crash(void *state, env *e) {
    pay_node *n = state;
    SIM_ASSERT(pay_invariants_ok(n));
    for (uint32_t i = 0; i < PAY_PENDING_MAX; i++) n->pending[i].used = false;
    for (uint32_t i = 0; i < PAY_KEYS_MAX; i++)
        if (n->keys[i].used && !n->keys[i].done) n->keys[i].used = false;   /* nothing was saved */
    env_trace(e, "api crashed: charges in progress are lost; the ledger and saved keys are durable");
}

static void pay_on_restart(void *state, env *e) {
    pay_node *n = state;
    SIM_ASSERT(pay_invariants_ok(n));
    env_trace(e, "api restarted (balance %" PRId64 ")", n->balance);
}

bool pay_describe(uint32_t type, const void *body, uint32_t len, char *buf, size_t buf_len) {
    SIM_ASSERT(buf != NULL);
    SIM_ASSERT(buf_len > 0);
    if (type == PAY_MSG_REQ && len == sizeof(pay_req)) {
        pay_req q;
        memcpy(&q, body, sizeof q);
        q.key[sizeof q.key - 1] = '\0';
        snprintf(buf, buf_len, "POST /charges amount=%" PRId64 "%s%s", q.amount,
                 q.key[0] ? " Idempotency-Key: " : " (no key)", q.key);
        return true;
    }
    if (type != PAY_MSG_REPLY || len != sizeof(pay_reply)) return false;
    pay_reply p;
    memcpy(&p, body, sizeof p);
    if (p.status == 200) snprintf(buf, buf_len, "200 ch_%" PRId64 "%s", p.charge, p.replayed ? " (replayed)" : "");
    else snprintf(buf, buf_len, "%u %s", p.status, p.status == 409 ? "conflict (in progress)" :
                  p.status == 422 ? "parameters differ" : "unavailable");
    return true;
}

const model_ops pay_model_ops = {
    .name = "payment-api", .state_size = sizeof(pay_node), .init = pay_init,
    .on_message = pay_on_message, .on_timer = pay_on_timer, .on_crash = pay_on_crash,
    .on_restart = pay_on_restart,
};

#define CFG_AT(field) offsetof(pay_cfg, field)

static const param_spec pay_params[] = {
    PARAM_BOOL_SPEC("idempotency", "true",
        "honour Idempotency-Key: save the first response, replay it",
        CFG_AT(idempotency)),
    PARAM_BOOL_SPEC("key_lock", "true",
        "mark a key in progress when its first request arrives (409 to concurrent duplicates); "
        "false = check, charge, then save (a race)",
        CFG_AT(key_lock)),
    PARAM_DURATION_SPEC("retention", "24h",
        "keys older than this are pruned (Stripe: at least 24 h)",
        CFG_AT(retention_ns), 0, PARAM_NO_MAX),
    PARAM_DURATION_SPEC("process_time", "9ms", "time from a request's arrival to its charge",
        CFG_AT(process_ns), 0, PARAM_NO_MAX),
    PARAM_INT_SPEC("balance", "100000", "the customer account's opening balance (cents)",
        CFG_AT(balance), 0, 1000000000000),
};

static const proto_desc pay_proto = {
    .name = "payment-api",
    .summary = "a payment API with Stripe idempotency keys (replay, 409 in progress, 422 mismatch, "
               "24 h retention) in front of a ledger",
    .params = pay_params,
    .param_count = sizeof pay_params / sizeof pay_params[0],
    .cfg_size = sizeof(pay_cfg),
    .roles = {
        { "api", &pay_model_ops, 1, 1, "exactly one api node", NULL },
        { "client", NULL, 1, SIM_NODES_MAX, "one or more clients (the workload drives them)", NULL },
    },
    .role_count = 2,
    .workloads = { "payment", NULL },
    .checks = { "conservation", "liveness", NULL },
};

static const hist_kind_def pay_ops[] = {
    { .kind = HIST_F_CHARGE, .name = "charge", .value = HIST_VALUE_ASKED_GOT },
    { .name = NULL },
};

/* The payment API's requests and replies, and its timers. */
static const proto_desc *const pay_protocols[] = { &pay_proto, NULL };

const family_desc pay_family = {
    .name = "payment",
    .msgs = { { 600, 649 } },
    .tags = { { 600, 649 } },
    .describe = pay_describe,
    .protocols = pay_protocols,
    .kinds = { { 600, 609 } },
    .ops = pay_ops,
};
