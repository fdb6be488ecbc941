/* ratelimit.c -- the limiter node and its four algorithms.
 *
 *   request --admit(now) [decide]--> ADMIT (200) | REFUSE (429)
 *   fixed / sliding-counter: a new window rolls current into previous [roll]
 *   sliding-log: times older than now - W leave the log [decide]
 *   token-bucket: tokens refill with elapsed time, capped [refill]
 *
 * Invariant (rlim_invariants_ok): the log holds at most `limit` times, in
 * order; 0 <= tokens <= capacity; the current window's count <= limit.
 * Trade-off: integer arithmetic only (tokens are kept multiplied by W, so
 * a refill is limit * elapsed with no division), as the engine requires.
 */
#include "protocols/ratelimit/ratelimit.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "sim/family.h"

typedef struct rlim_node {
    const rlim_cfg *cfg;
    int64_t window_index, count, prev_count;    /* fixed / sliding-counter */
    sim_time log[RLIM_LIMIT_MAX];               /* sliding-log: a ring of admitted times */
    uint32_t log_head, log_count;
    int64_t tokens_x;                           /* token-bucket: tokens * W */
    sim_time refilled_at;
    bool started;
} rlim_node;

static bool rlim_invariants_ok(const rlim_node *n) {
    if (n->cfg == NULL || n->log_count > (uint64_t)n->cfg->limit) return false;
    if (n->tokens_x < 0 || n->tokens_x > n->cfg->limit * n->cfg->window_ns) return false;
    return n->count >= 0 && n->count <= n->cfg->limit;
}

static void roll(rlim_node *n, sim_time now) {
    int64_t k = now / n->cfg->window_ns;
    if (k == n->window_index) return;
    n->prev_count = k == n->window_index + 1 ? n->count : 0;
    n->window_index = k;
    n->count = 0;
}

static void refill(rlim_node *n, sim_time now) {
    const rlim_cfg *c = n->cfg;
    int64_t cap = c->limit * c->window_ns;
    sim_time dt = now - n->refilled_at;
    n->refilled_at = now;
    if (dt <= 0) return;
    if (dt >= c->window_ns) { n->tokens_x = cap; return; }
    n->tokens_x += c->limit * dt;
    if (n->tokens_x > cap) n->tokens_x = cap;
}

static bool decide(rlim_node *n, sim_time now) {
    const rlim_cfg *c = n->cfg;
    switch ((rlim_algorithm)c->algorithm) {
    case RLIM_FIXED:
        roll(n, now);
        if (n->count >= c->limit) return false;
        n->count++;
        return true;
    case RLIM_SLIDING_COUNTER: {
        roll(n, now);
        sim_time elapsed = now - n->window_index * c->window_ns;
        int64_t estimate = n->prev_count * (c->window_ns - elapsed) / c->window_ns + n->count;
        if (estimate >= c->limit) return false;
        n->count++;
        return true;
    }
    case RLIM_SLIDING_LOG:
        while (n->log_count > 0 && n->log[n->log_head] <= now - c->window_ns) {
            n->log_head = (n->log_head + 1) % RLIM_LIMIT_MAX;
            n->log_count--;
        }
        if (n->log_count >= (uint64_t)c->limit) return false;
        n->log[(n->log_head + n->log_count) % RLIM_LIMIT_MAX] = now;
        n->log_count++;
        return true;
    case RLIM_TOKEN_BUCKET:
        refill(n, now);
        if (n->tokens_x < c->window_ns) return false;
        n->tokens_x -= c->window_ns;
        return true;
    }
    SIM_UNREACHABLE("rate-limit algorithm");
    return false;
}

static void rlim_on_message(void *state, env *e, node_id from, uint32_t type, const void *body, uint32_t len) {
    rlim_node *n = state;
    SIM_ASSERT(rlim_invariants_ok(n));
    if (type != RLIM_MSG_REQ || len != sizeof(rlim_req)) { env_trace(e, "limiter: ignored type %u", type); return; }
    rlim_req q;
    memcpy(&q, body, sizeof q);
    bool ok = decide(n, env_now_wall(e));
    hist_effect_fields ef;
    memset(&ef, 0, sizeof ef);
    ef.kind = ok ? HIST_EFF_ADMIT : HIST_EFF_REFUSE;
    ef.client = from;
    ef.op = q.op;
    ef.value = n->cfg->limit;
    ef.aux = n->cfg->window_ns;
    ef.key = "requests";
    env_effect(e, &ef);
    rlim_reply p;
    memset(&p, 0, sizeof p);
    p.req = q.req;
    p.op = q.op;
    p.admitted = ok ? 1 : 0;
    env_send(e, from, RLIM_MSG_REPLY, &p, sizeof p);
    SIM_ASSERT(rlim_invariants_ok(n));
}

static void rlim_init(void *state, env *e) {
    rlim_node *n = state;
    memset(n, 0, sizeof *n);
    n->cfg = env_proto_config(e);
    SIM_ASSERT(n->cfg != NULL);
    SIM_ASSERT(n->cfg->window_ns > 0);
    n->window_index = env_now_wall(e) / n->cfg->window_ns;
    n->tokens_x = n->cfg->limit * n->cfg->window_ns;     /* the bucket starts full */
    n->refilled_at = env_now_wall(e);
    n->started = true;
    SIM_ASSERT(rlim_invariants_ok(n));
}

/* In memory only: a crash and a power loss both lose the counters. */
static void rlim_on_crash(void *state, env *e) {
    rlim_node *n = state;
    SIM_ASSERT(rlim_invariants_ok(n));
    env_trace(e, "limiter crashed; its counters are in memory and start again at restart");
}

static void rlim_on_restart(void *state, env *e) { rlim_init(state, e); }

bool rlim_describe(uint32_t type, const void *body, uint32_t len, char *buf, size_t buf_len) {
    SIM_ASSERT(buf != NULL);
    SIM_ASSERT(buf_len > 0);
    if (type == RLIM_MSG_REQ && len == sizeof(rlim_req)) { snprintf(buf, buf_len, "GET /api"); return true; }
    if (type != RLIM_MSG_REPLY || len != sizeof(rlim_reply)) return false;
    rlim_reply p;
    memcpy(&p, body, sizeof p);
    snprintf(buf, buf_len, "%s", p.admitted ? "200" : "429 Too Many Requests");
    return true;
}

const model_ops rlim_model_ops = {
    .name = "rate-limiter", .state_size = sizeof(rlim_node), .init = rlim_init,
    .on_message = rlim_on_message, .on_timer = NULL, .on_crash = rlim_on_crash,
    .on_restart = rlim_on_restart,
};

#define CFG_AT(field) offsetof(rlim_cfg, field)

static const param_spec rlim_params[] = {
    PARAM_ENUM_SPEC("algorithm", "fixed-window", "how requests are counted",
        CFG_AT(algorithm), "fixed-window|sliding-log|sliding-counter|token-bucket"),
    PARAM_INT_SPEC("limit", "100", "requests admitted per window",
        CFG_AT(limit), 1, RLIM_LIMIT_MAX),
    /* at most 24 h: limit * window (the token bucket's scaled tokens) fits in 64 bits */
    PARAM_DURATION_SPEC("window", "60s", "the window (token bucket: refill `limit` per window)",
        CFG_AT(window_ns), SIM_NS, 24 * 3600 * SIM_S),
};

static const proto_desc rlim_proto = {
    .name = "rate-limiter",
    .summary = "one limiter: fixed window, sliding log, sliding counter or token bucket",
    .params = rlim_params,
    .param_count = sizeof rlim_params / sizeof rlim_params[0],
    .cfg_size = sizeof(rlim_cfg),
    .roles = {
        { "limiter", &rlim_model_ops, 1, 1, "exactly one limiter node", NULL },
        { "client", NULL, 1, SIM_NODES_MAX, "one or more clients (the workload drives them)", NULL },
    },
    .role_count = 2,
    .workloads = { "requests", NULL },
    .checks = { "rate-limit", "liveness", NULL },
};

static const hist_kind_def rlim_ops[] = {
    { .kind = HIST_F_REQUEST, .name = "request", .value = HIST_VALUE_ASKED_GOT },
    { .name = NULL },
};

static const hist_kind_def rlim_effects[] = {
    { .kind = HIST_EFF_ADMIT, .name = "admit" },
    { .kind = HIST_EFF_REFUSE, .name = "refuse" },
    { .name = NULL },
};

/* The rate limiter's requests and replies. */
static const proto_desc *const rlim_protocols[] = { &rlim_proto, NULL };

const family_desc rlim_family = {
    .name = "ratelimit",
    .msgs = { { 650, 699 } },
    .describe = rlim_describe,
    .protocols = rlim_protocols,
    .kinds = { { 650, 659 } },
    .ops = rlim_ops,
    .effects = rlim_effects,
};
