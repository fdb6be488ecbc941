/* advisory_proto.c -- the `advisory-lock` protocol descriptor: parameters
 * (PostgreSQL's and PgBouncer's names where they have one), message trace
 * lines, input checks and the family (messages and tags 1650-1699).
 *
 * Invariant: every default in the table parses (param.c asserts it); the
 * keepalive settings resolve to > 0 (0 = the operating system's default, as
 * in postgresql.conf); a cfg that passed adv_validate has a pool only with
 * pool_size backends <= ADV_BACKENDS_MAX.  Sources: docs/protocols/advisory-locks.md.
 */
#include "protocols/advisory/advisory.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "protocols/storage/storage.h"
#include "sim/family.h"

sim_time adv_ka_idle(const adv_cfg *cfg) {
    SIM_ASSERT(cfg != NULL);
    return cfg->ka_idle_ns > 0 ? cfg->ka_idle_ns : 7200 * SIM_S;        /* net.ipv4.tcp_keepalive_time */
}

sim_time adv_ka_interval(const adv_cfg *cfg) {
    SIM_ASSERT(cfg != NULL);
    return cfg->ka_interval_ns > 0 ? cfg->ka_interval_ns : 75 * SIM_S;  /* tcp_keepalive_intvl */
}

int64_t adv_ka_count(const adv_cfg *cfg) {
    SIM_ASSERT(cfg != NULL);
    return cfg->ka_count > 0 ? cfg->ka_count : 9;                       /* tcp_keepalive_probes */
}

const char *adv_end_name(adv_end why) {
    switch (why) {
    case ADV_END_CLOSED: return "closed by the client";
    case ADV_END_FIN: return "the client's process died and its kernel closed the socket";
    case ADV_END_IDLE_SESSION: return "idle-session timeout";
    case ADV_END_IDLE_IN_TXN: return "idle-in-transaction timeout";
    case ADV_END_KEEPALIVE: return "TCP keepalive: no answer to the probes";
    case ADV_END_USER_TIMEOUT: return "tcp_user_timeout: nothing heard for that long";
    case ADV_END_SERVER_CRASH: return "the server crashed";
    default: return "?";
    }
}

static const char *msg_name(uint32_t type) {
    switch (type) {
    case ADV_MSG_CONNECT: return "CONNECT";
    case ADV_MSG_LOCK: return "LOCK";
    case ADV_MSG_UNLOCK: return "UNLOCK";
    case ADV_MSG_KA_ACK: return "keepalive ACK";
    case ADV_MSG_FIN: return "FIN (socket closed by the kernel)";
    default: return "?";
    }
}

static const char *status_name(uint8_t st) {
    switch (st) {
    case ADV_ST_OK: return "ok";
    case ADV_ST_FALSE: return "false";
    case ADV_ST_NO_CONN: return "connection gone";
    case ADV_ST_FULL: return "no server connection free";
    default: return "?";
    }
}

bool adv_describe(uint32_t type, const void *body, uint32_t len, char *buf, size_t buf_len) {
    SIM_ASSERT(buf != NULL);
    SIM_ASSERT(buf_len > 0);
    if (type >= ADV_MSG_CONNECT && type <= ADV_MSG_FIN && len == sizeof(adv_req)) {
        adv_req q;
        memcpy(&q, body, sizeof q);
        snprintf(buf, buf_len, "%s (connection %u, #%u)", msg_name(type), q.sid, q.req);
        return true;
    }
    if (type < ADV_MSG_REPLY || type > ADV_MSG_FATAL || len != sizeof(adv_reply)) return false;
    adv_reply p;
    memcpy(&p, body, sizeof p);
    if (type == ADV_MSG_KA_PROBE) snprintf(buf, buf_len, "keepalive probe %u (connection %u)", p.req, p.sid);
    else if (type == ADV_MSG_FATAL)
        snprintf(buf, buf_len, "FATAL: terminating connection %u (%s)", p.sid, adv_end_name((adv_end)p.why));
    else snprintf(buf, buf_len, "%s #%u: %s (backend %u)", msg_name(p.op), p.req, status_name(p.status), p.backend);
    return true;
}

#define CFG_AT(field) offsetof(adv_cfg, field)

static const param_spec adv_params[] = {
    PARAM_ENUM_SPEC("mode", "session",
        "session: pg_advisory_lock / pg_advisory_unlock; xact: BEGIN; pg_advisory_xact_lock ... COMMIT",
        CFG_AT(mode), "session|xact"),
    PARAM_BOOL_SPEC("try", "false",
        "pg_try_advisory(_xact)_lock: answer false at once instead of waiting", CFG_AT(try_lock)),
    PARAM_ENUM_SPEC("pool", "none",
        "PgBouncer in front: none, session (pool_mode=session) or transaction (pool_mode=transaction)",
        CFG_AT(pool), "none|session|transaction"),
    PARAM_ENUM_SPEC("pool_order", "lifo",
        "which free server connection PgBouncer hands out: lifo (default) or round-robin "
        "(server_round_robin = 1)",
        CFG_AT(pool_order), "lifo|round-robin"),
    PARAM_INT_SPEC("pool_size", "2", "server connections in PgBouncer's pool (default_pool_size)",
        CFG_AT(pool_size), 1, ADV_BACKENDS_MAX),
    PARAM_DURATION_SPEC("idle_session_timeout", "0ms",
        "end a session idle (outside a transaction) this long; 0 = off", CFG_AT(idle_session_ns), 0,
        PARAM_NO_MAX),
    PARAM_DURATION_SPEC("idle_in_transaction_session_timeout", "0ms",
        "end a session idle inside a transaction this long; 0 = off", CFG_AT(idle_in_txn_ns), 0,
        PARAM_NO_MAX),
    PARAM_DURATION_SPEC("tcp_keepalives_idle", "0ms",
        "silence before the first keepalive probe; 0 = the OS default (7200 s)", CFG_AT(ka_idle_ns), 0,
        PARAM_NO_MAX),
    PARAM_DURATION_SPEC("tcp_keepalives_interval", "0ms",
        "between keepalive probes; 0 = the OS default (75 s)", CFG_AT(ka_interval_ns), 0, PARAM_NO_MAX),
    PARAM_INT_SPEC("tcp_keepalives_count", "0",
        "unanswered probes before the connection is dead; 0 = the OS default (9)", CFG_AT(ka_count), 0, 1000),
    PARAM_DURATION_SPEC("tcp_user_timeout", "0ms",
        "with keepalive: dead at the first probe after this long with nothing heard; 0 = off",
        CFG_AT(user_timeout_ns), 0, PARAM_NO_MAX),
    PARAM_BOOL_SPEC("fencing", "false",
        "each grant takes nextval('fence'), carried by the writes as a fencing token", CFG_AT(fencing)),
    PARAM_DURATION_SPEC("timeout", "1s",
        "client request timeout (a blocking pg_advisory_lock waits without one)", CFG_AT(timeout_ns), SIM_NS,
        PARAM_NO_MAX),
};

static const proto_desc adv_proto = {
    .name = "advisory-lock",
    .summary = "PostgreSQL advisory locks held by a connection (session or transaction level), ended "
               "by idle timeouts, TCP keepalive or a crash; optionally behind PgBouncer",
    .params = adv_params,
    .param_count = sizeof adv_params / sizeof adv_params[0],
    .cfg_size = sizeof(adv_cfg),
    .roles = {
        { "server", &adv_server_ops, 1, 1, "exactly one PostgreSQL server (with PgBouncer when pooled)", NULL },
        { "storage", &stor_model_ops, 0, 1, "at most one storage node (the counter outside the database)", NULL },
        { "client", NULL, 1, SIM_NODES_MAX, "one or more clients (the workload drives them)", NULL },
    },
    .role_count = 3,
    .workloads = { "lock-counter", NULL },
    .checks = { "mutual-exclusion", "lease-overlap", "lost-update", "liveness", NULL },
    .lock_client = &adv_lock_client,
};

static const proto_desc *const adv_protocols[] = { &adv_proto, NULL };

/* The server's replies and the client library's request timer. */
const family_desc adv_family = {
    .name = "advisory-lock",
    .msgs = { { 1650, 1699 } },
    .tags = { { 1650, 1699 } },
    .describe = adv_describe,
    .protocols = adv_protocols,
};
