/* lease_proto.c -- the `lease-lock` protocol descriptor: parameters, key
 * names, message trace lines and input checks.
 *
 * Invariant: every default in the table parses (param.c asserts it), its
 * bounds give a session and a timeout > 0, and a cfg that passed ll_validate
 * has a heartbeat shorter than the session, so a client that runs keeps its
 * session.  Sources:
 * PROTOCOLS.md 4 (ZooKeeper recipe, Curator) and 5 (etcd concurrency).
 */
#include "protocols/lease_lock/lease_lock.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "protocols/storage/storage.h"
#include "sim/family.h"

void ll_key_name(const ll_cfg *cfg, int64_t rev, char *buf, size_t len) {
    SIM_ASSERT(cfg != NULL);
    SIM_ASSERT(buf != NULL);
    SIM_ASSERT(len > 0);
    if (cfg->flavor == LL_FLAVOR_ZOOKEEPER) snprintf(buf, len, "lock-%010" PRId64, rev);
    else snprintf(buf, len, "lock/%" PRId64, rev);
}

sim_time ll_heartbeat_ns(const ll_cfg *cfg) {
    SIM_ASSERT(cfg != NULL);
    sim_time hb = cfg->heartbeat_ns > 0 ? cfg->heartbeat_ns : cfg->session_ns / 3;
    return hb > 0 ? hb : SIM_MS;
}

static const char *msg_name(uint32_t type) {
    switch (type) {
    case LL_MSG_OPEN: return "OPEN session";
    case LL_MSG_PING: return "PING";
    case LL_MSG_CREATE: return "CREATE lock key";
    case LL_MSG_CHECK: return "CHECK owner + watch";
    case LL_MSG_DELETE: return "DELETE";
    default: return "?";
    }
}

static const char *status_name(uint8_t st) {
    switch (st) {
    case LL_ST_OK: return "ok";
    case LL_ST_SESSION_EXPIRED: return "session expired";
    case LL_ST_NO_KEY: return "no such key";
    case LL_ST_FULL: return "full";
    default: return "?";
    }
}

bool ll_describe(uint32_t type, const void *body, uint32_t len, char *buf, size_t buf_len) {
    SIM_ASSERT(buf != NULL);
    SIM_ASSERT(buf_len > 0);
    if (type >= LL_MSG_OPEN && type <= LL_MSG_DELETE && len == sizeof(ll_req)) {
        ll_req q;
        memcpy(&q, body, sizeof q);
        if (q.rev) snprintf(buf, buf_len, "%s (session %u, #%u, key %" PRId64 ")", msg_name(type),
                            q.sid, q.req, q.rev);
        else snprintf(buf, buf_len, "%s (session %u, #%u)", msg_name(type), q.sid, q.req);
        return true;
    }
    if ((type == LL_MSG_REPLY || type == LL_MSG_EVENT) && len == sizeof(ll_reply)) {
        ll_reply p;
        memcpy(&p, body, sizeof p);
        if (type == LL_MSG_EVENT) {
            snprintf(buf, buf_len, "watch event: key %" PRId64 " deleted", p.rev);
            return true;
        }
        snprintf(buf, buf_len, "%s #%u: %s%s", msg_name(p.op), p.req, status_name(p.status),
                 p.op == LL_MSG_CREATE || p.op == LL_MSG_CHECK ? (p.owner ? ", lowest" : ", waiting") : "");
        return true;
    }
    return false;
}

#define CFG_AT(field) offsetof(ll_cfg, field)

static const param_spec ll_params[] = {
    PARAM_ENUM_SPEC("flavor", "zookeeper",
        "zookeeper (czxid, sessions are transactions) or etcd (revision, leases)",
        CFG_AT(flavor), "zookeeper|etcd"),
    PARAM_DURATION_SPEC("session", "10s",
        "session timeout / lease TTL: the service expires a session this long after its last "
        "heartbeat",
        CFG_AT(session_ns), SIM_NS, PARAM_NO_MAX),
    PARAM_DURATION_SPEC("heartbeat", "0ms",
        "the client's heartbeat period (0 = session / 3); the timer stops while the process is "
        "paused",
        CFG_AT(heartbeat_ns), 0, PARAM_NO_MAX),
    PARAM_BOOL_SPEC("fencing", "false",
        "writes carry the lock key's revision (czxid / CreateRevision) as a fencing token",
        CFG_AT(fencing)),
    PARAM_BOOL_SPEC("lease_check", "false",
        "before each protected op, check that the session was confirmed within its timeout",
        CFG_AT(lease_check)),
    PARAM_DURATION_SPEC("timeout", "1s", "request timeout (create, check, delete)",
        CFG_AT(timeout_ns), SIM_NS, PARAM_NO_MAX),
};

static int ll_validate(const void *cfg_v, const scn *s, char *err, size_t err_len) {
    const ll_cfg *cfg = cfg_v;
    SIM_ASSERT(cfg != NULL);
    SIM_ASSERT(s != NULL);
    if (ll_heartbeat_ns(cfg) < cfg->session_ns) return 0;
    return param_error(s, &s->params, "heartbeat", err, err_len,
                       "invalid heartbeat (expected a period shorter than the session)");
}

static const proto_desc ll_proto = {
    .name = "lease-lock",
    .summary = "a ZooKeeper/etcd lock service: sessions kept alive by heartbeats, lowest "
               "revision owns the lock, watches, the revision as fencing token, IsOwner() Txns",
    .params = ll_params,
    .param_count = sizeof ll_params / sizeof ll_params[0],
    .cfg_size = sizeof(ll_cfg),
    .roles = {
        { "service", &ll_service_ops, 1, 1, "exactly one lock service (the ensemble)", NULL },
        { "storage", &stor_model_ops, 0, 1, "at most one storage node (the protected counter)", NULL },
        { "client", NULL, 1, SIM_NODES_MAX, "one or more clients (the workload drives them)", NULL },
    },
    .role_count = 3,
    .workloads = { "lock-counter", NULL },
    .checks = { "mutual-exclusion", "lease-overlap", "lost-update", "liveness", NULL },
    .lock_client = &ll_lock_client,
    .validate = ll_validate,
};

/* The lock service's requests and replies, the client library's timers. */
static const proto_desc *const ll_protocols[] = { &ll_proto, NULL };

const family_desc ll_family = {
    .name = "lease-lock",
    .msgs = { { 1400, 1499 } },
    .tags = { { 1400, 1499 } },
    .describe = ll_describe,
    .protocols = ll_protocols,
};
