/* redlock_proto.c -- the `redlock` protocol descriptor: parameters, the
 * retry profiles of the reference implementations, and input checks.
 *
 * Invariant: every default in the table parses (param.c asserts it), the
 * table's bounds give timeout > 0 and extend.every > 0 (or none), and a cfg
 * that passed rl_validate has ttl > drift, a quorum within [1, N] and a
 * replica only for an existing master, so the client library never has to
 * guard against them.  Sources: PROTOCOLS.md 2.3 (redlock-rb
 * @7fae7d8, redlock-py @142545d, node-redlock v4/v5, redsync).
 */
#include "protocols/redlock/redlock.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "protocols/storage/storage.h"
#include "sim/family.h"

/* attempts, delay ms, jitter ms, sleep after the last attempt */
static const struct { int64_t attempts, delay_ms, jitter_ms; bool sleep_last; } profiles[] = {
    [RL_RETRY_REDLOCK_RB] = { 3, 100, 100, true },    /* sleep(rand(200)/1000.0): 0..199 ms */
    [RL_RETRY_REDLOCK_PY] = { 3, 200, 0, true },      /* time.sleep(0.2) */
    [RL_RETRY_NODE_REDLOCK] = { 11, 200, 100, false },/* retryCount 10, 200 +- 100 */
    [RL_RETRY_REDSYNC] = { 32, 150, 100, false },     /* tries 32, rand in [50, 250) ms */
    [RL_RETRY_CUSTOM] = { 3, 200, 0, false },
};

void rl_retry_of(const rl_cfg *cfg, rl_retry *out) {
    SIM_ASSERT(cfg != NULL);
    SIM_ASSERT(cfg->retry >= 0);
    SIM_ASSERT(cfg->retry <= RL_RETRY_CUSTOM);
    out->attempts = profiles[cfg->retry].attempts;
    out->delay_ns = profiles[cfg->retry].delay_ms * SIM_MS;
    out->jitter_ns = profiles[cfg->retry].jitter_ms * SIM_MS;
    out->sleep_after_last = profiles[cfg->retry].sleep_last;
    if (cfg->retry_attempts != 0) out->attempts = cfg->retry_attempts;
    if (cfg->retry_delay_ns >= 0) {
        out->delay_ns = cfg->retry_delay_ns;
        out->jitter_ns = 0;
    }
    if (cfg->retry_jitter_ns >= 0) out->jitter_ns = cfg->retry_jitter_ns;
}

sim_time rl_drift_ns(const rl_cfg *cfg) {
    SIM_ASSERT(cfg != NULL);
    SIM_ASSERT(cfg->ttl_ns >= 0);
    int64_t ttl_ms = cfg->ttl_ns / SIM_MS;
    return (ttl_ms * (int64_t)cfg->drift_factor_ppm / 1000000) * SIM_MS + cfg->drift_extra_ns;
}

#define CFG_AT(field) offsetof(rl_cfg, field)

static const param_spec rl_params[] = {
    PARAM_DURATION_SPEC("ttl", "10s", "the lock's TTL (PX) and initial validity",
        CFG_AT(ttl_ns), 0, PARAM_NO_MAX),
    PARAM_ENUM_SPEC("mode", "sequential",
        "SETs one master after another (redlock-rb/py) or all at once (node-redlock, redsync)",
        CFG_AT(mode), "sequential|parallel"),
    PARAM_DURATION_SPEC("timeout", "50ms",
        "per-master request timeout: no reply in time counts as not locked",
        CFG_AT(timeout_ns), SIM_NS, PARAM_NO_MAX),
    PARAM_RATE_SPEC("drift_factor", "1%",
        "clock drift allowance: drift = ttl * factor + drift_extra",
        CFG_AT(drift_factor_ppm), 0, PARAM_NO_MAX),
    PARAM_DURATION_SPEC("drift_extra", "2ms",
        "the constant part of the drift (redlock-rb: 1 ms expire precision + 1 ms; redsync: 0)",
        CFG_AT(drift_extra_ns), 0, PARAM_NO_MAX),
    PARAM_INT_SPEC("quorum", "0", "masters that must be locked; 0 = N/2 + 1",
        CFG_AT(quorum), 0, RL_NODES_MAX),
    PARAM_ENUM_SPEC("retry", "redlock-rb", "whose retry loop: attempts and random delay",
        CFG_AT(retry), "redlock-rb|redlock-py|node-redlock|redsync|custom"),
    PARAM_INT_SPEC("retry.attempts", "0", "attempts per acquire; 0 = the profile's, -1 = unlimited",
        CFG_AT(retry_attempts), -1, 1000000000),
    PARAM_DURATION_OR_NONE_SPEC("retry.delay", "none",
        "mean delay between attempts (none = the profile's)",
        CFG_AT(retry_delay_ns), 0, PARAM_NO_MAX),
    PARAM_DURATION_OR_NONE_SPEC("retry.jitter", "none",
        "the delay is uniform in [delay - jitter, delay + jitter) (none = the profile's)",
        CFG_AT(retry_jitter_ns), 0, PARAM_NO_MAX),
    PARAM_BOOL_SPEC("recheck", "true",
        "require validity > 0 after the replies (false: node-redlock v5's acquire())",
        CFG_AT(recheck)),
    PARAM_BOOL_SPEC("lease_check", "false",
        "the application checks the validity on its monotonic clock before each protected op",
        CFG_AT(lease_check)),
    PARAM_BOOL_SPEC("fencing", "false",
        "each SET also INCRs a fence counter on its master; token = the highest one returned",
        CFG_AT(fencing)),
    PARAM_DURATION_OR_NONE_SPEC("extend.every", "none",
        "while held, compare-and-extend on every master this often (none = never)",
        CFG_AT(extend_every_ns), SIM_NS, PARAM_NO_MAX),
    PARAM_INT_SPEC("extend.max", "-1", "extensions per hold; -1 = unlimited",
        CFG_AT(extend_max), -1, 1000000000),
    PARAM_INT_SPEC("wait.replicas", "0",
        "after each SET, WAIT for this many replicas; a node counts only if they acked (0 = no "
        "WAIT)",
        CFG_AT(wait_replicas), 0, 16),
    PARAM_DURATION_SPEC("wait.timeout", "100ms", "WAIT's timeout",
        CFG_AT(wait_timeout_ns), 0, PARAM_NO_MAX),
    REDIS_PARAM_SPECS(CFG_AT(redis)),
};

static uint32_t nodes_of(const scn *s, const char *role) {
    uint32_t n = 0;
    for (uint32_t i = 0; i < s->node_count; i++) n += strcmp(s->nodes[i].role, role) == 0;
    return n;
}

static int rl_validate(const void *cfg_v, const scn *s, char *err, size_t err_len) {
    const rl_cfg *cfg = cfg_v;
    SIM_ASSERT(cfg != NULL);
    SIM_ASSERT(s != NULL);
    uint32_t masters = nodes_of(s, "redis");
    const char *key = NULL;
    char what[160] = "";
    if (cfg->ttl_ns <= rl_drift_ns(cfg))
        key = "ttl", snprintf(what, sizeof what, "a TTL longer than the drift allowance");
    else if (cfg->quorum > 0 && (uint32_t)cfg->quorum > masters)
        key = "quorum", snprintf(what, sizeof what, "at most the %u redis nodes", masters);
    if (key)
        return param_error(s, &s->params, key, err, err_len, "invalid %s (expected %s)", key, what);
    if (nodes_of(s, "replica") > masters) {
        scn_errorf(err, err_len, s->path, s->protocol_pos, "%u replica nodes for %u redis nodes "
                   "(expected at most one replica per master)", nodes_of(s, "replica"), masters);
        return -1;
    }
    return 0;
}

/* The redis.* params, for the redis, replica and sentinel roles. */
static const void *rl_redis_cfg(const void *cfg) { return &((const rl_cfg *)cfg)->redis; }

static const proto_desc rl_proto = {
    .name = "redlock",
    .summary = "Redlock over N independent Redis masters: quorum, validity, retries of "
               "redlock-rb/py, node-redlock, redsync; persistence, delayed restart, replicas",
    .params = rl_params,
    .param_count = sizeof rl_params / sizeof rl_params[0],
    .cfg_size = sizeof(rl_cfg),
    .roles = {
        { "redis", &redis_model_ops, 1, RL_NODES_MAX, "1 to 15 independent masters", rl_redis_cfg },
        { "replica", &redis_model_ops, 0, RL_NODES_MAX, "replicaK replicates redisK", rl_redis_cfg },
        { "sentinel", &redis_sentinel_ops, 0, 1, "at most one sentinel", rl_redis_cfg },
        { "storage", &stor_model_ops, 0, 1, "at most one storage node (the protected counter)", NULL },
        { "client", NULL, 1, SIM_NODES_MAX, "one or more clients (the workload drives them)", NULL },
    },
    .role_count = 5,
    .workloads = { "lock-counter", NULL },
    .checks = { "mutual-exclusion", "lease-overlap", "lost-update", "liveness", NULL },
    .lock_client = &rl_lock_client,
    .validate = rl_validate,
};

/* The Redlock client library's timers (it speaks Redis). */
static const proto_desc *const rl_protocols[] = { &rl_proto, NULL };

const family_desc rl_family = {
    .name = "redlock",
    .tags = { { 1300, 1399 } },
    .protocols = rl_protocols,
};
