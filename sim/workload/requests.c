/* requests.c -- the requests driver: a steady stream of requests per client.
 *
 *   WAIT --tick [send_next]--> (a request in flight) --reply [on_reply]--> done
 *   every `every` until `count` were sent
 *
 * Invariant: sent <= count; ops[i] is request i's op while it is in flight
 * (HIST_NONE once answered).  Each request is its own logical client in
 * history.edn (:process = client index * RQ_MAX + i), since requests may
 * overlap.  Trade-off: at most RQ_MAX requests per client, in a fixed table.
 */
#include "sim/workload/requests.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "protocols/ratelimit/ratelimit.h"
#include "sim/family.h"
#include "sim/workload/outcome.h"

#define RQ_MAX 4096
enum { TAG_TICK = 1 };

typedef struct rq_driver {
    const rq_cfg *cfg;
    node_id limiter;
    int32_t index;
    uint32_t sent;
    uint32_t ops[RQ_MAX];
} rq_driver;

static bool rq_invariants_ok(const rq_driver *d) {
    return d->cfg != NULL && d->sent <= (uint64_t)d->cfg->count && d->sent <= RQ_MAX;
}

static void send_next(rq_driver *d, env *e) {
    SIM_ASSERT(d->sent < (uint64_t)d->cfg->count);
    uint32_t i = d->sent++;
    d->ops[i] = env_op_invoke_as(e, (uint32_t)d->index * RQ_MAX + i, HIST_F_REQUEST, NULL);
    rlim_req q = { i + 1, d->ops[i] };
    env_send(e, d->limiter, RLIM_MSG_REQ, &q, sizeof q);
    if (d->sent < (uint64_t)d->cfg->count) env_timer(e, d->cfg->every_ns, TAG_TICK, 0);
}

static void rq_init(void *state, env *e) {
    rq_driver *d = state;
    memset(d, 0, sizeof *d);
    d->cfg = env_workload_config(e);
    SIM_ASSERT(d->cfg != NULL);
    node_id l[1];
    d->limiter = env_nodes_of_role(e, "limiter", l, 1) == 1 ? l[0] : -1;
    SIM_ASSERT(d->limiter >= 0);
    d->index = -1;
    for (uint32_t k = 0; k < d->cfg->clients.count; k++)
        if (d->cfg->clients.node[k] == env_self(e)) d->index = (int32_t)k;
    if (d->index >= 0 && d->cfg->count > 0) env_timer(e, d->cfg->start.node_ns[env_self(e)], TAG_TICK, 0);
    SIM_ASSERT(rq_invariants_ok(d));
}

static void rq_on_timer(void *state, env *e, uint32_t tag, uint64_t arg) {
    rq_driver *d = state;
    SIM_ASSERT(tag == TAG_TICK);
    (void)arg;
    send_next(d, e);
    SIM_ASSERT(rq_invariants_ok(d));
}

static void rq_on_message(void *state, env *e, node_id from, uint32_t type, const void *body, uint32_t len) {
    rq_driver *d = state;
    SIM_ASSERT(rq_invariants_ok(d));
    if (from != d->limiter || type != RLIM_MSG_REPLY || len != sizeof(rlim_reply)) return;
    rlim_reply p;
    memcpy(&p, body, sizeof p);
    if (p.req == 0 || p.req > d->sent || d->ops[p.req - 1] == HIST_NONE) return;
    hist_op_fields f;
    memset(&f, 0, sizeof f);
    if (!p.admitted) f.note = "429 Too Many Requests";
    uint32_t op = d->ops[p.req - 1];
    d->ops[p.req - 1] = HIST_NONE;
    env_op_complete(e, op, p.admitted ? HIST_OK : HIST_FAIL, &f);
}

static void rq_on_crash(void *state, env *e) {
    rq_driver *d = state;
    SIM_ASSERT(rq_invariants_ok(d));
    for (uint32_t i = 0; i < d->sent; i++) env_op_abandon(e, &d->ops[i], "client crashed");
    /* It sends no more: the crash voided its timer and a restart arms none.
     * `sent` stays the number sent, so a second crash completes only those
     * (it used to say `count`, and a second crash completed ops never sent;
     * found by the VOPR, scenarios/regress/E3). */
}

static void rq_on_restart(void *state, env *e) { (void)state; env_trace(e, "requests: restarted; done"); }

static const model_ops rq_driver_ops = {
    .name = "requests", .state_size = sizeof(rq_driver), .init = rq_init,
    .on_message = rq_on_message, .on_timer = rq_on_timer, .on_crash = rq_on_crash,
    .on_restart = rq_on_restart,
};

#define CFG_AT(field) offsetof(rq_cfg, field)

static const param_spec rq_params[] = {
    PARAM_NODES_SPEC("clients", "client", "nodes that send requests", CFG_AT(clients)),
    PARAM_PER_NODE_DURATION_SPEC("start", "0ms", "per client: when its first request is sent",
        CFG_AT(start), 0, PARAM_NO_MAX),
    PARAM_DURATION_SPEC("every", "1ms", "time between two requests of a client",
        CFG_AT(every_ns), 0, PARAM_NO_MAX),
    PARAM_INT_SPEC("count", "200", "requests per client", CFG_AT(count), 0, RQ_MAX),
};

/* workload_desc.outcome: "200 of 400 requests admitted, 200 refused (429)". */
static void rq_outcome(const void *cfg_v, const hist *h, const scn *s, char *buf, size_t len) {
    (void)cfg_v;
    (void)s;
    wo_tally t = wo_count(h, HIST_F_REQUEST);
    snprintf(buf, len, "%" PRIu64 " of %" PRIu64 " request%s admitted, %" PRIu64 " refused (429)",
             t.ok, t.all, wo_s(t.all), t.fail);
    wo_unanswered(&t, buf, len);
}

const workload_desc rq_workload = {
    .name = "requests",
    .summary = "each client sends `count` requests, one every `every`, to a rate limiter",
    .params = rq_params,
    .param_count = sizeof rq_params / sizeof rq_params[0],
    .cfg_size = sizeof(rq_cfg),
    .driver = &rq_driver_ops,
    .validate = NULL,
    .outcome = rq_outcome,
};
