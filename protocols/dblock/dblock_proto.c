/* dblock_proto.c -- the `db-lock-table` protocol descriptor: parameters,
 * message trace lines, and the family.
 *
 * Invariant: every default in the table parses (param.c asserts it) and
 * its bounds give a retry period and a timeout > 0.  Sources: the
 * PostgreSQL manual (INSERT ... ON CONFLICT; synchronous_commit) and
 * Kleppmann 2016, "How to do distributed locking" (docs/protocols/db-lock-table.md).
 */
#include "protocols/dblock/dblock.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "protocols/storage/storage.h"
#include "sim/family.h"

bool dbl_describe(uint32_t type, const void *body, uint32_t len, char *buf, size_t buf_len) {
    SIM_ASSERT(buf != NULL);
    SIM_ASSERT(buf_len > 0);
    if (type >= DBL_MSG_INSERT && type <= DBL_MSG_DELETE && len == sizeof(dbl_req)) {
        dbl_req q;
        memcpy(&q, body, sizeof q);
        q.value[sizeof q.value - 1] = '\0';
        if (type == DBL_MSG_SELECT)
            snprintf(buf, buf_len, "SELECT owner, version FROM locks WHERE name = '%s' (#%u)",
                     DBL_NAME, q.req);
        else if (type == DBL_MSG_DELETE && q.by_owner)
            snprintf(buf, buf_len, "DELETE FROM locks WHERE name = '%s' AND owner = '%s' (#%u)",
                     DBL_NAME, q.value, q.req);
        else if (type == DBL_MSG_DELETE)
            snprintf(buf, buf_len, "DELETE FROM locks WHERE name = '%s' (#%u)", DBL_NAME, q.req);
        else if (q.stale_ns > 0)
            snprintf(buf, buf_len, "INSERT INTO locks ('%s', '%s', now()) ON CONFLICT DO UPDATE "
                     "WHERE acquired_at < now() - %" PRId64 " ms (#%u)", DBL_NAME, q.value,
                     q.stale_ns / SIM_MS, q.req);
        else
            snprintf(buf, buf_len, "INSERT INTO locks ('%s', '%s', now()) ON CONFLICT DO NOTHING "
                     "(#%u)", DBL_NAME, q.value, q.req);
        return true;
    }
    if (type == DBL_MSG_REPLY && len == sizeof(dbl_reply)) {
        dbl_reply p;
        memcpy(&p, body, sizeof p);
        p.owner[sizeof p.owner - 1] = '\0';
        if (p.op == DBL_MSG_SELECT && p.found)
            snprintf(buf, buf_len, "#%u: owner '%s', version %" PRId64, p.req, p.owner, p.version);
        else if (p.op == DBL_MSG_SELECT)
            snprintf(buf, buf_len, "#%u: no row", p.req);
        else
            snprintf(buf, buf_len, "#%u: %" PRId64 " row%s", p.req, p.rows, p.rows == 1 ? "" : "s");
        return true;
    }
    return false;
}

#define CFG_AT(field) offsetof(dbl_cfg, field)

static const param_spec dbl_params[] = {
    PARAM_DURATION_OR_NONE_SPEC("stale_after", "none",
        "a waiter takes over a row older than this (INSERT ... ON CONFLICT DO UPDATE WHERE "
        "acquired_at < now() - T); none = a row stays until deleted",
        CFG_AT(stale_after_ns), SIM_MS, PARAM_NO_MAX),
    PARAM_ENUM_SPEC("release", "owner",
        "owner: DELETE ... WHERE name AND owner = me; name: DELETE ... WHERE name (anyone's row)",
        CFG_AT(release), "owner|name"),
    PARAM_DURATION_SPEC("retry.every", "100ms",
        "period of acquire attempts (a waiter polls), measured from each attempt's start",
        CFG_AT(retry_every_ns), SIM_NS, PARAM_NO_MAX),
    PARAM_INT_SPEC("retry.max", "-1", "retries after the first attempt; -1 = unlimited",
        CFG_AT(retry_max), -1, 1000000000),
    PARAM_BOOL_SPEC("lease_check", "false",
        "before each protected op, check by the local clock that stale_after has not passed",
        CFG_AT(lease_check)),
    PARAM_BOOL_SPEC("fencing", "false",
        "writes carry the row's version (from a sequence) as a fencing token",
        CFG_AT(fencing)),
    PARAM_DURATION_SPEC("timeout", "1s", "per-statement timeout; no reply in time = a failed attempt",
        CFG_AT(timeout_ns), SIM_NS, PARAM_NO_MAX),
};

static const proto_desc dbl_proto = {
    .name = "db-lock-table",
    .summary = "a lock as a row: INSERT ... ON CONFLICT DO NOTHING, SELECT owner, DELETE WHERE "
               "owner = me; staleness take-over, the version as fencing token",
    .params = dbl_params,
    .param_count = sizeof dbl_params / sizeof dbl_params[0],
    .cfg_size = sizeof(dbl_cfg),
    .roles = {
        { "db", &dbl_server_ops, 1, 1, "exactly one database node (the locks table)", NULL },
        { "storage", &stor_model_ops, 0, 1, "at most one storage node (the protected counter)", NULL },
        { "client", NULL, 1, SIM_NODES_MAX, "one or more clients (the workload drives them)", NULL },
    },
    .role_count = 3,
    .workloads = { "lock-counter", NULL },
    .checks = { "mutual-exclusion", "lease-overlap", "lost-update", "liveness", NULL },
    .lock_client = &dbl_lock_client,
};

static const proto_desc *const dbl_protocols[] = { &dbl_proto, NULL };

/* The db's statements and replies, the client library's timers. */
const family_desc dbl_family = {
    .name = "dblock",
    .msgs = { { 1600, 1649 } },
    .tags = { { 1600, 1649 } },
    .describe = dbl_describe,
    .protocols = dbl_protocols,
};
