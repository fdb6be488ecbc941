/* shard_family.c -- the sharded-kv family's descriptor (parameters, roles,
 * messages, history kinds with the marks a timeline draws) and what every
 * node and client of it shares: who is who, and where an account lives.
 *
 * Invariant: sh_shard_of depends only on the account's (or its owner's)
 * name and the number of shards, so every node computes the same map.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "protocols/shard/shard.h"
#include "sim/family.h"

#define CFG_AT(field) offsetof(sh_cfg, field)

static const param_spec sh_params[] = {
    PARAM_ENUM_SPEC("shard-key", "account", "what is hashed to pick a shard: the account, or its owner",
        CFG_AT(shard_key), "account|customer"),
    PARAM_ENUM_SPEC("transfer", "two-writes", "a transfer across shards: two client writes, or a debit "
        "with an outbox row relayed to the payee", CFG_AT(transfer), "two-writes|outbox"),
    PARAM_ENUM_SPEC("read-from", "replica", "where a client reads: a replica (round robin), the primary, "
        "always the same replica, or a replica once it has the session's position",
        CFG_AT(read_from), "replica|primary|sticky|position"),
    PARAM_PER_NODE_DURATION_SPEC("lag", "100ms", "per replica: from an entry's arrival to its apply",
        CFG_AT(lag), 0, 3600 * SIM_S),
    PARAM_INT_SPEC("accounts", "4", "accounts acct1..acctN", CFG_AT(accounts), 1, SH_KEYS_MAX),
    PARAM_INT_SPEC("balance", "100", "every account's opening balance", CFG_AT(balance), 0, 1000000000),
    PARAM_DURATION_SPEC("relay-every", "1s", "outbox: how often the relay sends an unacknowledged credit again",
        CFG_AT(relay_every_ns), SIM_MS, 3600 * SIM_S),
};

static const proto_desc sh_proto = {
    .name = "sharded-kv",
    .summary = "accounts sharded by key hash, a primary per shard with asynchronous replicas",
    .params = sh_params,
    .param_count = sizeof sh_params / sizeof sh_params[0],
    .cfg_size = sizeof(sh_cfg),
    .roles = {
        { "primary", &sh_primary_ops, 1, SH_SHARDS_MAX, "one primary per shard (durable)", NULL },
        { "replica", &sh_replica_ops, 0, SH_REPLICAS_MAX, "replica j copies shard j mod shards", NULL },
        { "client", NULL, 0, SIM_NODES_MAX, "clients the workload drives", NULL },
    },
    .role_count = 3,
    .workloads = { "shard-transfer", "shard-session", NULL },
    .checks = { "conservation", "read-your-writes", "monotonic-reads", "liveness", NULL },
};

/* ------------------------------------------------------------ topology */

void sh_topo_load(env *e, sh_topo *t) {
    memset(t, 0, sizeof *t);
    t->shards = env_nodes_of_role(e, "primary", t->primary, SH_SHARDS_MAX);
    t->replicas = env_nodes_of_role(e, "replica", t->replica, SH_REPLICAS_MAX);
    SIM_ASSERT(t->shards >= 1);
}

static uint32_t fnv1a(const char *s) {
    uint32_t h = 2166136261u;
    for (; *s; s++) h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

uint32_t sh_shard_of(const sh_cfg *c, uint32_t shards, uint32_t key) {
    SIM_ASSERT(shards >= 1);
    char name[SIM_NAME_MAX];
    if (c->shard_key == SH_KEY_CUSTOMER) snprintf(name, sizeof name, "cust%u", key / 2 + 1);
    else sh_key_name(key, name, sizeof name);
    return fnv1a(name) % shards;
}

int sh_replica_shard(const sh_topo *t, node_id n) {
    for (uint32_t j = 0; j < t->replicas; j++)
        if (t->replica[j] == n) return (int)(j % t->shards);
    return -1;
}

uint32_t sh_replicas_of(const sh_topo *t, uint32_t shard) {
    uint32_t n = 0;
    for (uint32_t j = shard; j < t->replicas; j += t->shards) n++;
    return n;
}

node_id sh_replica_of(const sh_topo *t, uint32_t shard, uint32_t i) {
    SIM_ASSERT(shard < t->shards);
    uint32_t n = sh_replicas_of(t, shard);
    if (n == 0) return t->primary[shard];
    return t->replica[shard + (i % n) * t->shards];
}

void sh_key_name(uint32_t key, char *buf, size_t len) { snprintf(buf, len, "acct%u", key + 1); }

/* ------------------------------------------------------------ labels */

static void label_commit(const hist_effect_fields *e, const char *client, char *buf, size_t len) {
    (void)client;
    snprintf(buf, len, "%s v%" PRId64 " = %" PRId64, e->key, e->version, e->value);
}

static void label_apply(const hist_effect_fields *e, const char *client, char *buf, size_t len) {
    (void)client;
    snprintf(buf, len, "applies %s v%" PRId64, e->key, e->version);
}

static void label_serve(const hist_effect_fields *e, const char *client, char *buf, size_t len) {
    snprintf(buf, len, "%s reads v%" PRId64, client, e->version);
}

static void label_wait(const hist_effect_fields *e, const char *client, char *buf, size_t len) {
    snprintf(buf, len, "%s waits for #%" PRId64, client, e->value);
}

static void label_intent(const hist_effect_fields *e, const char *client, char *buf, size_t len) {
    (void)client;
    snprintf(buf, len, "outbox: +%" PRId64 " to %s", e->value, e->key);
}

static void label_relayed(const hist_effect_fields *e, const char *client, char *buf, size_t len) {
    (void)client;
    snprintf(buf, len, "outbox row %" PRId64 " done", e->aux);
}

static void label_dup(const hist_effect_fields *e, const char *client, char *buf, size_t len) {
    (void)client;
    snprintf(buf, len, "credit %" PRId64 " again: ignored", e->aux);
}

static const hist_kind_def sh_ops[] = {
    { .kind = SH_F_TRANSFER, .name = "transfer", .value = HIST_VALUE_WRITE, .only_when_used = true },
    { .kind = SH_F_DEPOSIT, .name = "deposit", .value = HIST_VALUE_READ, .only_when_used = true },
    { .kind = SH_F_READ, .name = "shard-read", .value = HIST_VALUE_READ, .only_when_used = true },
    { .name = NULL },
};

static const hist_kind_def sh_effects[] = {
    { .kind = SH_EFF_COMMIT, .name = "shard-commit", .mark = HIST_MARK_DIAMOND, .mark_rgb = 0x2a7f2au,
      .label = label_commit, .only_when_used = true },
    { .kind = SH_EFF_APPLY, .name = "replica-apply", .mark = HIST_MARK_SQUARE, .mark_rgb = HIST_MARK_GREY,
      .label = label_apply, .only_when_used = true },
    { .kind = SH_EFF_SERVE, .name = "shard-serve-read", .mark = HIST_MARK_DOT, .label = label_serve,
      .only_when_used = true },
    { .kind = SH_EFF_WAIT, .name = "replica-wait", .mark = HIST_MARK_TRI, .mark_rgb = HIST_MARK_LIGHT,
      .label = label_wait, .only_when_used = true },
    { .kind = SH_EFF_INTENT, .name = "outbox-row", .mark = HIST_MARK_SQUARE, .label = label_intent,
      .only_when_used = true },
    { .kind = SH_EFF_RELAYED, .name = "outbox-relayed", .mark = HIST_MARK_TRI, .label = label_relayed,
      .only_when_used = true },
    { .kind = SH_EFF_CREDIT_DUP, .name = "credit-duplicate", .mark = HIST_MARK_CROSS,
      .mark_rgb = HIST_MARK_GREY, .label = label_dup, .only_when_used = true },
    { .name = NULL },
};

/* ------------------------------------------------------------ trace */

static bool describe_request(uint32_t type, const sh_msg *m, const char *key, const char *key2, char *buf,
                             size_t len) {
    switch (type) {
    case SH_MSG_DEPOSIT: snprintf(buf, len, "DEPOSIT %" PRId64 " INTO %s", m->amount, key); return true;
    case SH_MSG_DEBIT:
        snprintf(buf, len, "DEBIT %" PRId64 " FROM %s (transfer %u to %s)", m->amount, key, m->tid, key2);
        return true;
    case SH_MSG_CREDIT:
        snprintf(buf, len, "CREDIT %" PRId64 " TO %s (transfer %u)%s", m->amount, key, m->tid,
                 m->req == 0 ? " from the outbox" : "");
        return true;
    case SH_MSG_READ:
        if (m->pos != 0) snprintf(buf, len, "READ %s AT POSITION >= %" PRIu64, key, m->pos);
        else snprintf(buf, len, "READ %s", key);
        return true;
    case SH_MSG_REPL:
        snprintf(buf, len, "LOG #%" PRIu64 ": %s v%" PRId64 " = %" PRId64, m->pos, key, m->version, m->balance);
        return true;
    case SH_MSG_CATCHUP: snprintf(buf, len, "SEND LOG FROM #%" PRIu64, m->pos); return true;
    default: return false;
    }
}

static const char *debit_answer(uint32_t flag) {
    switch (flag) {
    case SH_DEBIT_DONE: return "debited and credited (one shard)";
    case SH_DEBIT_CREDIT_YOURS: return "debited (credit it yourself)";
    case SH_DEBIT_OUTBOX: return "debited (the outbox credits)";
    default: return "refused: not enough money";
    }
}

static bool describe_reply(uint32_t type, const sh_msg *m, char *buf, size_t len) {
    switch (type) {
    case SH_MSG_DEPOSIT_REPLY:
    case SH_MSG_CREDIT_REPLY:
        snprintf(buf, len, "OK v%" PRId64 " = %" PRId64 " (#%" PRIu64 ")", m->version, m->balance, m->pos);
        return true;
    case SH_MSG_DEBIT_REPLY: snprintf(buf, len, "%s", debit_answer(m->flag)); return true;
    case SH_MSG_READ_REPLY:
        snprintf(buf, len, "v%" PRId64 " = %" PRId64 " (applied #%" PRIu64 ")", m->version, m->balance, m->pos);
        return true;
    default: return false;
    }
}

bool sh_describe(uint32_t type, const void *body, uint32_t len, char *buf, size_t buf_len) {
    SIM_ASSERT(buf != NULL);
    SIM_ASSERT(buf_len > 0);
    if (len != sizeof(sh_msg)) return false;
    sh_msg m;
    memcpy(&m, body, sizeof m);
    char key[SIM_NAME_MAX], key2[SIM_NAME_MAX];
    sh_key_name(m.key, key, sizeof key);
    sh_key_name(m.key2, key2, sizeof key2);
    return describe_request(type, &m, key, key2, buf, buf_len) || describe_reply(type, &m, buf, buf_len);
}

static const proto_desc *const sh_protocols[] = { &sh_proto, NULL };

const family_desc sh_family = {
    .name = "shard",
    .msgs = { { 1750, 1799 } },
    .describe = sh_describe,
    .protocols = sh_protocols,
    .kinds = { { 1750, 1779 } },
    .ops = sh_ops,
    .effects = sh_effects,
};
