/* shard_primary.c -- a shard's primary: the accounts the hash puts on this
 * shard, a log of their changes, the outbox and the transfer ids credited.
 *
 *   DEPOSIT key      [on_deposit]--> balance + amount, one entry, reply
 *   DEBIT key->key2  [on_debit]--> refused (short) | debit (+ credit when key2
 *                    is here, or + an outbox row under `outbox`), reply
 *   CREDIT tid       [on_credit]--> credit once per tid (again: ignored), reply
 *   CREDIT_REPLY     [on_relay_ack]--> the outbox row is done
 *   relay timer      [relay]--> send every open row's CREDIT again
 *   READ             [on_read]--> reply balance, version, log length
 *   CATCHUP pos      [on_catchup]--> send the entries from pos on
 *   crash / power loss [primary_on_crash]--> keeps everything (each change is
 *                    forced to disk before its answer); loses the relay timer
 *   restart [primary_on_restart]--> relay the open rows; send each replica the
 *                    last entry, so one that missed some asks for them
 * Every change appends an entry (key, version, balance) and ships it to the
 * shard's replicas at once; the replica applies it `lag` later.
 *
 * Invariant (primary_invariants_ok): log length = the sum of the versions
 * above 1 of its accounts; every account's balance >= 0; only accounts of
 * this shard change.  Trade-off: a single-statement engine: a DEBIT's
 * debit and outbox row (or local credit) are one atomic step, which is what
 * a local transaction gives; the log is bounded (SH_LOG_MAX entries: a
 * change beyond it is refused with a trace line).
 */
#include "protocols/shard/shard.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

enum { TAG_RELAY = 1 };

typedef struct sh_entry {
    uint32_t key;
    int64_t version, balance;
} sh_entry;

typedef struct sh_intent {
    uint32_t tid, to;
    int64_t amount;
    bool done;
} sh_intent;

typedef struct sh_primary {
    const sh_cfg *cfg;
    sh_topo topo;
    uint32_t shard;
    int64_t balance[SH_KEYS_MAX], version[SH_KEYS_MAX];
    sh_entry log[SH_LOG_MAX];
    uint32_t log_len;
    sh_intent intent[SH_INTENTS_MAX];
    uint32_t intents;
    uint32_t credited[SH_INTENTS_MAX];      /* transfer ids applied by CREDIT */
    uint32_t credits;
    bool relay_armed;                       /* volatile */
} sh_primary;

static bool mine(const sh_primary *p, uint32_t key) {
    return key < (uint32_t)p->cfg->accounts && sh_shard_of(p->cfg, p->topo.shards, key) == p->shard;
}

static bool primary_invariants_ok(const sh_primary *p) {
    int64_t changes = 0;
    for (uint32_t k = 0; k < SH_KEYS_MAX; k++) {
        if (p->balance[k] < 0) return false;
        if (p->version[k] > 1 && !mine(p, k)) return false;
        if (p->version[k] > 1) changes += p->version[k] - 1;
    }
    return p->cfg != NULL && changes == (int64_t)p->log_len && p->intents <= SH_INTENTS_MAX;
}

static void effect(env *e, hist_eff_kind kind, node_id client, uint32_t op, uint32_t key, int64_t value,
                   int64_t version, int64_t aux) {
    hist_effect_fields ef;
    memset(&ef, 0, sizeof ef);
    ef.kind = kind;
    ef.client = client;
    ef.op = op;
    ef.value = value;
    ef.version = version;
    ef.aux = aux;
    char name[SIM_NAME_MAX];
    sh_key_name(key, name, sizeof name);
    ef.key = name;
    env_effect(e, &ef);
}

static void ship(sh_primary *p, env *e, uint32_t pos, node_id to) {
    SIM_ASSERT(pos >= 1 && pos <= p->log_len);
    const sh_entry *x = &p->log[pos - 1];
    sh_msg m = { .key = x->key, .version = x->version, .balance = x->balance, .pos = pos };
    env_send(e, to, SH_MSG_REPL, &m, sizeof m);
}

static void ship_all(sh_primary *p, env *e, uint32_t pos) {
    for (uint32_t j = 0; j < sh_replicas_of(&p->topo, p->shard); j++)
        ship(p, e, pos, sh_replica_of(&p->topo, p->shard, j));
}

/* Changes an account by delta as one log entry: forced to disk, recorded,
 * shipped.  False when the log is full (nothing changes). */
static bool change(sh_primary *p, env *e, node_id client, uint32_t op, uint32_t key, int64_t delta) {
    SIM_ASSERT(mine(p, key));
    if (p->log_len == SH_LOG_MAX) { env_trace(e, "primary: log full, change refused"); return false; }
    p->balance[key] += delta;
    p->version[key]++;
    p->log[p->log_len++] = (sh_entry){ key, p->version[key], p->balance[key] };
    effect(e, HIST_EFF_BALANCE, client, op, key, p->balance[key], p->version[key], 0);
    effect(e, SH_EFF_COMMIT, client, op, key, p->balance[key], p->version[key], p->log_len);
    ship_all(p, e, p->log_len);
    return true;
}

static void reply(sh_primary *p, env *e, node_id to, uint32_t type, const sh_msg *q, uint32_t flag,
                  uint32_t key) {
    sh_msg r = *q;
    r.flag = flag;
    r.version = p->version[key];
    r.balance = p->balance[key];
    r.pos = p->log_len;
    env_send(e, to, type, &r, sizeof r);
}

static void on_deposit(sh_primary *p, env *e, node_id from, const sh_msg *q) {
    if (q->amount < 0 || !change(p, e, from, q->op, q->key, q->amount)) return;
    reply(p, e, from, SH_MSG_DEPOSIT_REPLY, q, 0, q->key);
}

static void send_credit(sh_primary *p, env *e, const sh_intent *in) {
    uint32_t shard = sh_shard_of(p->cfg, p->topo.shards, in->to);
    sh_msg m = { .req = 0, .op = HIST_NONE, .key = in->to, .tid = in->tid, .amount = in->amount };
    env_send(e, p->topo.primary[shard], SH_MSG_CREDIT, &m, sizeof m);
}

static void arm_relay(sh_primary *p, env *e) {
    if (p->relay_armed) return;
    p->relay_armed = true;
    env_timer(e, p->cfg->relay_every_ns, TAG_RELAY, 0);
}

/* The debit, and in the same step the local credit or the outbox row. */
static uint32_t debit(sh_primary *p, env *e, node_id from, const sh_msg *q) {
    bool local = mine(p, q->key2);
    bool outbox = !local && p->cfg->transfer == SH_OUTBOX;
    if (outbox && p->intents == SH_INTENTS_MAX) { env_trace(e, "primary: outbox full"); return SH_DEBIT_REFUSED; }
    if (q->amount <= 0 || p->balance[q->key] < q->amount) return SH_DEBIT_REFUSED;
    if (!change(p, e, from, q->op, q->key, -q->amount)) return SH_DEBIT_REFUSED;
    if (local) return change(p, e, from, q->op, q->key2, q->amount) ? SH_DEBIT_DONE : SH_DEBIT_CREDIT_YOURS;
    if (!outbox) return SH_DEBIT_CREDIT_YOURS;
    sh_intent *in = &p->intent[p->intents++];
    *in = (sh_intent){ q->tid, q->key2, q->amount, false };
    effect(e, SH_EFF_INTENT, from, q->op, q->key2, q->amount, 0, q->tid);
    send_credit(p, e, in);
    arm_relay(p, e);
    return SH_DEBIT_OUTBOX;
}

static void on_debit(sh_primary *p, env *e, node_id from, const sh_msg *q) {
    if (q->key2 >= (uint32_t)p->cfg->accounts || q->key2 == q->key) return;
    uint32_t flag = debit(p, e, from, q);
    reply(p, e, from, SH_MSG_DEBIT_REPLY, q, flag, q->key);
}

static bool credited(const sh_primary *p, uint32_t tid) {
    for (uint32_t i = 0; i < p->credits; i++)
        if (p->credited[i] == tid) return true;
    return false;
}

static void on_credit(sh_primary *p, env *e, node_id from, const sh_msg *q) {
    if (q->amount <= 0) return;
    if (credited(p, q->tid)) {
        effect(e, SH_EFF_CREDIT_DUP, from, q->op, q->key, q->amount, p->version[q->key], q->tid);
    } else {
        if (p->credits == SH_INTENTS_MAX) { env_trace(e, "primary: credit table full"); return; }
        if (!change(p, e, from, q->op, q->key, q->amount)) return;
        p->credited[p->credits++] = q->tid;
    }
    reply(p, e, from, SH_MSG_CREDIT_REPLY, q, 0, q->key);
}

static void on_relay_ack(sh_primary *p, env *e, const sh_msg *q) {
    for (uint32_t i = 0; i < p->intents; i++) {
        sh_intent *in = &p->intent[i];
        if (in->tid != q->tid || in->done) continue;
        in->done = true;
        effect(e, SH_EFF_RELAYED, -1, HIST_NONE, in->to, in->amount, 0, in->tid);
    }
}

static void relay(sh_primary *p, env *e) {
    bool open = false;
    for (uint32_t i = 0; i < p->intents; i++) {
        if (p->intent[i].done) continue;
        send_credit(p, e, &p->intent[i]);
        open = true;
    }
    if (open) arm_relay(p, e);
}

static void on_read(sh_primary *p, env *e, node_id from, const sh_msg *q) {
    effect(e, SH_EFF_SERVE, from, q->op, q->key, p->balance[q->key], p->version[q->key], p->log_len);
    reply(p, e, from, SH_MSG_READ_REPLY, q, 0, q->key);
}

static void on_catchup(sh_primary *p, env *e, node_id from, const sh_msg *q) {
    for (uint64_t pos = q->pos < 1 ? 1 : q->pos; pos <= p->log_len; pos++) ship(p, e, (uint32_t)pos, from);
}

static bool well_formed(const sh_primary *p, uint32_t type, const sh_msg *q) {
    if (type == SH_MSG_CATCHUP || type == SH_MSG_CREDIT_REPLY) return true;
    if (q->key >= (uint32_t)p->cfg->accounts) return false;
    return mine(p, q->key);
}

static void primary_on_message(void *state, env *e, node_id from, uint32_t type, const void *body,
                               uint32_t len) {
    sh_primary *p = state;
    SIM_ASSERT(primary_invariants_ok(p));
    sh_msg q;
    if (len != sizeof q) { env_trace(e, "primary: ignored type %u", type); return; }
    memcpy(&q, body, sizeof q);
    if (!well_formed(p, type, &q)) { env_trace(e, "primary: ignored type %u for another shard", type); return; }
    switch (type) {
    case SH_MSG_DEPOSIT: on_deposit(p, e, from, &q); break;
    case SH_MSG_DEBIT: on_debit(p, e, from, &q); break;
    case SH_MSG_CREDIT: on_credit(p, e, from, &q); break;
    case SH_MSG_CREDIT_REPLY: on_relay_ack(p, e, &q); break;
    case SH_MSG_READ: on_read(p, e, from, &q); break;
    case SH_MSG_CATCHUP: on_catchup(p, e, from, &q); break;
    default: env_trace(e, "primary: ignored type %u", type); break;
    }
    SIM_ASSERT(primary_invariants_ok(p));
}

static void primary_on_timer(void *state, env *e, uint32_t tag, uint64_t arg) {
    sh_primary *p = state;
    (void)arg;
    SIM_ASSERT(tag == TAG_RELAY);
    p->relay_armed = false;
    relay(p, e);
    SIM_ASSERT(primary_invariants_ok(p));
}

static uint32_t shard_of_node(const sh_topo *t, node_id self) {
    for (uint32_t i = 0; i < t->shards; i++)
        if (t->primary[i] == self) return i;
    SIM_UNREACHABLE("a primary is one of the primaries");
}

static void primary_init(void *state, env *e) {
    sh_primary *p = state;
    memset(p, 0, sizeof *p);
    p->cfg = env_proto_config(e);
    SIM_ASSERT(p->cfg != NULL);
    sh_topo_load(e, &p->topo);
    p->shard = shard_of_node(&p->topo, env_self(e));
    for (uint32_t k = 0; k < (uint32_t)p->cfg->accounts; k++) {
        p->version[k] = 1;
        if (!mine(p, k)) continue;
        p->balance[k] = p->cfg->balance;
        effect(e, HIST_EFF_BALANCE_INIT, -1, HIST_NONE, k, p->balance[k], 1, 0);
    }
    SIM_ASSERT(primary_invariants_ok(p));
}

/* Each change is on disk before its answer: a crash and a power loss keep
 * the accounts, the log, the outbox and the credited ids alike. */
static void primary_on_crash(void *state, env *e) {
    sh_primary *p = state;
    SIM_ASSERT(primary_invariants_ok(p));
    p->relay_armed = false;
    env_trace(e, "primary %s; its accounts, log and outbox are on disk",
              env_crash_is_power_loss(e) ? "lost power" : "crashed");
}

static void primary_on_restart(void *state, env *e) {
    sh_primary *p = state;
    env_trace(e, "primary restarted at log position %u", p->log_len);
    relay(p, e);
    if (p->log_len > 0) ship_all(p, e, p->log_len);
    SIM_ASSERT(primary_invariants_ok(p));
}

const model_ops sh_primary_ops = {
    .name = "shard-primary", .state_size = sizeof(sh_primary), .init = primary_init,
    .on_message = primary_on_message, .on_timer = primary_on_timer, .on_crash = primary_on_crash,
    .on_restart = primary_on_restart,
};
