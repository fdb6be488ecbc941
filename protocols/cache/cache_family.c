/* cache_family.c -- the cache-aside family's descriptor: its parameters,
 * roles, messages and history kinds (with the marks a timeline draws: the
 * versions committed and read at the db, the cache's sets, refusals,
 * deletes and expiries, so the picture shows which version the cache held
 * and the reader's late set after the writer's delete). */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "protocols/cache/cache.h"
#include "sim/family.h"

#define CFG_AT(field) offsetof(ca_cfg, field)

static const param_spec ca_params[] = {
    PARAM_ENUM_SPEC("remedy", "none", "how the race of a slow reader's set is kept out",
        CFG_AT(remedy), "none|delayed-delete|versioned|lease"),
    PARAM_DURATION_SPEC("ttl", "1h", "how long a set item stays in the cache",
        CFG_AT(ttl_ns), SIM_NS, CONFIG_TIME_MAX),
    PARAM_DURATION_SPEC("delete-delay", "1s", "delayed-delete: the time from a writer's delete to its second",
        CFG_AT(delete_delay_ns), SIM_NS, CONFIG_TIME_MAX),
    PARAM_DURATION_SPEC("lease-time", "10s", "lease: how long a lease handed out on a miss stays valid",
        CFG_AT(lease_ns), SIM_NS, CONFIG_TIME_MAX),
};

static const proto_desc ca_proto = {
    .name = "cache-aside",
    .summary = "a cache with a TTL in front of a database: read-through on a miss, delete on write",
    .params = ca_params,
    .param_count = sizeof ca_params / sizeof ca_params[0],
    .cfg_size = sizeof(ca_cfg),
    .roles = {
        { "cache", &ca_cache_ops, 1, 1, "exactly one cache node (in memory)", NULL },
        { "db", &ca_db_ops, 1, 1, "exactly one database node (durable)", NULL },
        { "reader", NULL, 0, SIM_NODES_MAX, "clients that read through the cache", NULL },
        { "writer", NULL, 0, SIM_NODES_MAX, "clients that update the database and delete the key", NULL },
    },
    .role_count = 4,
    .workloads = { "cache-aside", NULL },
    .checks = { "stale-read", "liveness", NULL },
};

/* ------------------------------------------------------------ labels */

static void label_commit(const hist_effect_fields *e, const char *client, char *buf, size_t len) {
    snprintf(buf, len, "%s commits v%" PRId64, client, e->value);
}

static void label_db_read(const hist_effect_fields *e, const char *client, char *buf, size_t len) {
    snprintf(buf, len, "%s reads v%" PRId64, client, e->value);
}

static void label_hit(const hist_effect_fields *e, const char *client, char *buf, size_t len) {
    (void)client;
    snprintf(buf, len, "v%" PRId64, e->value);
}

static void label_set(const hist_effect_fields *e, const char *client, char *buf, size_t len) {
    snprintf(buf, len, "%s sets v%" PRId64, client, e->value);
}

static void label_refused(const hist_effect_fields *e, const char *client, char *buf, size_t len) {
    snprintf(buf, len, "%s's v%" PRId64 " refused", client, e->value);
}

static void label_del(const hist_effect_fields *e, const char *client, char *buf, size_t len) {
    snprintf(buf, len, "%s %s", client, e->aux == 2 ? "deletes again" : "deletes");
}

static void label_expire(const hist_effect_fields *e, const char *client, char *buf, size_t len) {
    (void)client;
    snprintf(buf, len, "v%" PRId64 " expires", e->value);
}

static void label_flush(const hist_effect_fields *e, const char *client, char *buf, size_t len) {
    (void)e;
    (void)client;
    snprintf(buf, len, "loses all");
}

static const hist_kind_def ca_ops[] = {
    { .kind = CA_F_READ, .name = "cache-read", .value = HIST_VALUE_READ, .only_when_used = true },
    { .kind = CA_F_UPDATE, .name = "db-update", .value = HIST_VALUE_READ, .only_when_used = true },
    { .name = NULL },
};

static const hist_kind_def ca_effects[] = {
    { .kind = CA_EFF_COMMIT, .name = "db-commit", .mark = HIST_MARK_DIAMOND, .mark_rgb = 0x2a7f2au,
      .label = label_commit, .only_when_used = true },
    { .kind = CA_EFF_DB_READ, .name = "db-read", .mark = HIST_MARK_DOT, .label = label_db_read,
      .only_when_used = true },
    { .kind = CA_EFF_HIT, .name = "cache-hit", .mark = HIST_MARK_DOT, .label = label_hit,
      .only_when_used = true },
    { .kind = CA_EFF_MISS, .name = "cache-miss", .mark = HIST_MARK_DOT, .mark_rgb = HIST_MARK_LIGHT,
      .only_when_used = true },
    { .kind = CA_EFF_SET, .name = "cache-set", .mark = HIST_MARK_SQUARE, .label = label_set,
      .only_when_used = true },
    { .kind = CA_EFF_SET_REFUSED, .name = "cache-set-refused", .mark = HIST_MARK_CROSS,
      .mark_rgb = HIST_MARK_GREY, .label = label_refused, .only_when_used = true },
    { .kind = CA_EFF_DEL, .name = "cache-del", .mark = HIST_MARK_TRI, .label = label_del,
      .only_when_used = true },
    { .kind = CA_EFF_EXPIRE, .name = "cache-expire", .mark = HIST_MARK_TRI, .mark_rgb = HIST_MARK_GREY,
      .label = label_expire, .only_when_used = true },
    { .kind = CA_EFF_FLUSH, .name = "cache-flush", .mark = HIST_MARK_CROSS, .mark_rgb = HIST_MARK_GREY,
      .label = label_flush, .only_when_used = true },
    { .name = NULL },
};

/* ------------------------------------------------------------ trace */

static void describe_request(uint32_t type, const ca_msg *m, const char *key, char *buf, size_t len) {
    switch (type) {
    case CA_MSG_GET: snprintf(buf, len, "GET %s", key); return;
    case CA_MSG_SET:
        if (m->token != 0)
            snprintf(buf, len, "SET %s v%" PRId64 " (lease %" PRIu64 ":%" PRIu64 ")", key, m->version,
                     m->token >> 32, m->token & 0xffffffffu);
        else snprintf(buf, len, "SET %s v%" PRId64, key, m->version);
        return;
    case CA_MSG_DEL:
        snprintf(buf, len, "DEL %s%s", key, m->flag == 2 ? " (the delayed second delete)" : "");
        return;
    case CA_MSG_DB_READ: snprintf(buf, len, "SELECT version FROM items WHERE key = '%s'", key); return;
    case CA_MSG_DB_WRITE: snprintf(buf, len, "UPDATE items SET version = version + 1 WHERE key = '%s'", key); return;
    default: break;
    }
    SIM_UNREACHABLE("a cache-aside request");
}

static void describe_reply(uint32_t type, const ca_msg *m, char *buf, size_t len) {
    switch (type) {
    case CA_MSG_GET_REPLY:
        if (m->flag == 1) snprintf(buf, len, "hit v%" PRId64, m->version);
        else if (m->token != 0)
            snprintf(buf, len, "miss (lease %" PRIu64 ":%" PRIu64 ")", m->token >> 32, m->token & 0xffffffffu);
        else snprintf(buf, len, "miss");
        return;
    case CA_MSG_SET_REPLY: snprintf(buf, len, "%s", m->flag == 1 ? "STORED" : "NOT_STORED"); return;
    case CA_MSG_DEL_REPLY: snprintf(buf, len, "DELETED"); return;
    case CA_MSG_DB_READ_REPLY: snprintf(buf, len, "version %" PRId64, m->version); return;
    case CA_MSG_DB_WRITE_REPLY: snprintf(buf, len, "COMMIT (version %" PRId64 ")", m->version); return;
    default: break;
    }
    SIM_UNREACHABLE("a cache-aside reply");
}

bool ca_describe(uint32_t type, const void *body, uint32_t len, char *buf, size_t buf_len) {
    SIM_ASSERT(buf != NULL);
    SIM_ASSERT(buf_len > 0);
    bool request = type == CA_MSG_GET || type == CA_MSG_SET || type == CA_MSG_DEL || type == CA_MSG_DB_READ ||
                   type == CA_MSG_DB_WRITE;
    bool answer = type == CA_MSG_GET_REPLY || type == CA_MSG_SET_REPLY || type == CA_MSG_DEL_REPLY ||
                  type == CA_MSG_DB_READ_REPLY || type == CA_MSG_DB_WRITE_REPLY;
    if ((!request && !answer) || len != sizeof(ca_msg)) return false;
    ca_msg m;
    memcpy(&m, body, sizeof m);
    char key[SIM_NAME_MAX];
    ca_item_key(m.item, key, sizeof key);
    if (request) describe_request(type, &m, key, buf, buf_len);
    else describe_reply(type, &m, buf, buf_len);
    return true;
}

static const proto_desc *const ca_protocols[] = { &ca_proto, NULL };

const family_desc ca_family = {
    .name = "cache",
    .msgs = { { 1500, 1549 } },
    .describe = ca_describe,
    .protocols = ca_protocols,
    .kinds = { { 1500, 1519 } },
    .ops = ca_ops,
    .effects = ca_effects,
};
