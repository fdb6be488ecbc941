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
 * the amounts charged; every pending charge has its timer; keys are unique;
 * every key slot is either free or held (indexed by its text and in the
 * age heap).
 * Trade-off: keys live in a table of `keys` slots sized at setup, found
 * through a hash index and pruned off a heap by age (issue 17: a lookup or
 * a prune no longer scans the table); pending charges in a fixed one
 * (PAY_PENDING_MAX).  A full table answers 503 rather than growing.  A new
 * key takes the lowest free slot and keys pruned together are traced in
 * slot order, as the fixed 1024-entry table did.
 */
#include "protocols/payment/payment.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/family.h"

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

/* A heap of key slots: the free ones (lowest first) or the held ones
 * (oldest first); its array is one of the node's tables. */
typedef struct pay_heap {
    uint32_t off, count;      /* the array's offset in the node, its entries */
    bool by_age;
} pay_heap;

/* The node's state is this header and, after it, its tables sized by the
 * `keys` param (pay_state_size): the key slots, the index (a hash of the
 * key text to its slot, linear probing, -1 = empty, at most half full),
 * the free slots and the held slots (two heaps) and a scratch table. */
typedef struct pay_node {
    const pay_cfg *cfg;
    int64_t balance, charged, charges;
    uint32_t cap, index_cap;  /* key slots; index entries (a power of two) */
    uint32_t keys_off, index_off, scratch_off;
    pay_heap free, held;
    pay_pending pending[PAY_PENDING_MAX];
} pay_node;

static pay_key *key_slots(pay_node *n) { return (pay_key *)(void *)((char *)n + n->keys_off); }
static int32_t *table_at(pay_node *n, uint32_t off) { return (int32_t *)(void *)((char *)n + off); }

/* The cheap part, checked on every message; that no key is held twice is
 * asserted where a key is added (key_new), instead of comparing every pair
 * of the table on every message (issue 17: that was nearly all of a run). */
static bool pay_invariants_ok(const pay_node *n) {
    if (n->cfg == NULL || n->balance != n->cfg->balance - n->charged) return false;
    if (n->free.count + n->held.count != n->cap) return false;
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

/* ---- the two heaps of slots ---- */

static bool heap_less(pay_node *n, const pay_heap *h, int32_t a, int32_t b) {
    if (!h->by_age) return a < b;
    const pay_key *k = key_slots(n);
    if (k[a].created_wall != k[b].created_wall) return k[a].created_wall < k[b].created_wall;
    return a < b;
}

static void heap_down(pay_node *n, pay_heap *h, uint32_t i) {
    int32_t *a = table_at(n, h->off);
    for (;;) {
        uint32_t l = 2 * i + 1, m = i;
        if (l < h->count && heap_less(n, h, a[l], a[m])) m = l;
        if (l + 1 < h->count && heap_less(n, h, a[l + 1], a[m])) m = l + 1;
        if (m == i) return;
        int32_t t = a[i]; a[i] = a[m]; a[m] = t;
        i = m;
    }
}

static void heap_push(pay_node *n, pay_heap *h, int32_t slot) {
    SIM_ASSERT(h->count < n->cap);
    int32_t *a = table_at(n, h->off);
    uint32_t i = h->count++;
    a[i] = slot;
    while (i > 0 && heap_less(n, h, a[i], a[(i - 1) / 2])) {
        uint32_t p = (i - 1) / 2;
        int32_t t = a[i]; a[i] = a[p]; a[p] = t;
        i = p;
    }
}

static int32_t heap_top(pay_node *n, const pay_heap *h) { return h->count ? table_at(n, h->off)[0] : -1; }

static int32_t heap_pop(pay_node *n, pay_heap *h) {
    SIM_ASSERT(h->count > 0);
    int32_t *a = table_at(n, h->off);
    int32_t top = a[0];
    a[0] = a[--h->count];
    heap_down(n, h, 0);
    return top;
}

static void heap_build(pay_node *n, pay_heap *h) {
    for (uint32_t i = h->count / 2; i-- > 0;) heap_down(n, h, i);
}

/* ---- the index: key text -> slot ---- */

static uint32_t key_hash(const char *key) {
    uint32_t h = 2166136261u;                 /* FNV-1a */
    for (const char *c = key; *c; c++) h = (h ^ (uint8_t)*c) * 16777619u;
    return h;
}

/* The index entry holding `key`, or the empty entry where it would go. */
static uint32_t index_probe(pay_node *n, const char *key) {
    int32_t *ix = table_at(n, n->index_off);
    const pay_key *k = key_slots(n);
    uint32_t mask = n->index_cap - 1;
    for (uint32_t i = key_hash(key) & mask;; i = (i + 1) & mask)
        if (ix[i] < 0 || strcmp(k[ix[i]].key, key) == 0) return i;
}

/* Removes entry i, moving later entries of its run back (no tombstones). */
static void index_remove(pay_node *n, uint32_t i) {
    int32_t *ix = table_at(n, n->index_off);
    const pay_key *k = key_slots(n);
    uint32_t mask = n->index_cap - 1;
    ix[i] = -1;
    for (uint32_t j = (i + 1) & mask; ix[j] >= 0; j = (j + 1) & mask) {
        uint32_t home = key_hash(k[ix[j]].key) & mask;
        bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
        if (stays) continue;
        ix[i] = ix[j];
        ix[j] = -1;
        i = j;
    }
}

static pay_key *key_find(pay_node *n, const char *key) {
    int32_t s = table_at(n, n->index_off)[index_probe(n, key)];
    return s < 0 ? NULL : &key_slots(n)[s];
}

/* The lowest free slot, as the fixed table's scan took; NULL when all
 * `keys` are held (503). */
static pay_key *key_new(pay_node *n, env *e, const pay_req *q) {
    uint32_t at = index_probe(n, q->key);
    int32_t *ix = table_at(n, n->index_off);
    SIM_ASSERT(ix[at] < 0);                   /* no key is held twice */
    if (n->free.count == 0) return NULL;
    int32_t s = heap_pop(n, &n->free);
    pay_key *k = &key_slots(n)[s];
    memset(k, 0, sizeof *k);
    k->used = true;
    snprintf(k->key, sizeof k->key, "%s", q->key);
    k->created_wall = env_now_wall(e);
    k->amount = q->amount;
    ix[at] = s;
    heap_push(n, &n->held, s);
    return k;
}

/* Drops slot s from the index and gives it back (not from `held`). */
static void key_drop(pay_node *n, int32_t s) {
    pay_key *k = &key_slots(n)[s];
    SIM_ASSERT(k->used);
    index_remove(n, index_probe(n, k->key));
    k->used = false;
    heap_push(n, &n->free, s);
}

static int cmp_slot(const void *a, const void *b) {
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* Stripe prunes keys once they are at least 24 hours old: the oldest
 * first off `held` while they are, then in slot order (the order the
 * fixed table's scan traced them in). */
static void prune(pay_node *n, env *e) {
    sim_time now = env_now_wall(e);
    int32_t *old = table_at(n, n->scratch_off);
    uint32_t count = 0;
    for (int32_t s = heap_top(n, &n->held); s >= 0; s = heap_top(n, &n->held)) {
        if (now - key_slots(n)[s].created_wall < n->cfg->retention_ns) break;
        old[count++] = heap_pop(n, &n->held);
    }
    if (count > 1) qsort(old, count, sizeof *old, cmp_slot);
    for (uint32_t i = 0; i < count; i++) {
        env_trace(e, "key %s pruned (older than the retention)", key_slots(n)[old[i]].key);
        key_drop(n, old[i]);
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

static uint32_t index_cap_for(uint32_t cap) {
    uint32_t c = 2;
    while (c < 2 * cap) c *= 2;
    return c;
}

/* model_ops.state_size_for: the header and the tables for `keys` keys. */
static size_t pay_state_size(const env *e) {
    const pay_cfg *c = env_proto_config(e);
    SIM_ASSERT(c != NULL);
    SIM_ASSERT(c->keys >= 1 && c->keys <= PAY_KEYS_LIMIT);
    size_t cap = (size_t)c->keys;
    return sizeof(pay_node) + cap * sizeof(pay_key) + (index_cap_for((uint32_t)cap) + 3 * cap) * sizeof(int32_t);
}

static void tables_init(pay_node *n) {
    n->cap = (uint32_t)n->cfg->keys;
    n->index_cap = index_cap_for(n->cap);
    n->keys_off = (uint32_t)sizeof(pay_node);
    n->index_off = n->keys_off + n->cap * (uint32_t)sizeof(pay_key);
    n->free = (pay_heap){ n->index_off + n->index_cap * (uint32_t)sizeof(int32_t), n->cap, false };
    n->held = (pay_heap){ n->free.off + n->cap * (uint32_t)sizeof(int32_t), 0, true };
    n->scratch_off = n->held.off + n->cap * (uint32_t)sizeof(int32_t);
    int32_t *ix = table_at(n, n->index_off), *fr = table_at(n, n->free.off);
    for (uint32_t i = 0; i < n->index_cap; i++) ix[i] = -1;
    for (uint32_t i = 0; i < n->cap; i++) fr[i] = (int32_t)i;   /* ascending: a heap already */
}

static void pay_init(void *state, env *e) {
    pay_node *n = state;
    memset(n, 0, sizeof *n);
    n->cfg = env_proto_config(e);
    SIM_ASSERT(n->cfg != NULL);
    tables_init(n);
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
    int32_t *held = table_at(n, n->held.off);
    uint32_t kept = 0;
    for (uint32_t i = 0; i < n->held.count; i++) {
        if (key_slots(n)[held[i]].done) held[kept++] = held[i];
        else key_drop(n, held[i]);                  /* nothing was saved */
    }
    n->held.count = kept;
    heap_build(n, &n->held);
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
    .on_restart = pay_on_restart, .state_size_for = pay_state_size,
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
    PARAM_INT_SPEC("keys", "1024",
        "the most idempotency keys the api holds at once (kept until pruned); a new key "
        "when all are held gets 503", CFG_AT(keys), 1, PAY_KEYS_LIMIT),
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
