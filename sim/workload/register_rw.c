/* register_rw.c -- the register-rw driver: a sequential client of the
 * replicated register.
 *
 *   IDLE --start / next timer [issue]--> WAITING (a request at its home replica)
 *   WAITING --reply [rw_on_message -> finish]--> IDLE | DONE
 *   WAITING --timeout [rw_on_timer -> finish]--> IDLE | DONE
 *   any --crash [rw_on_crash]--> DONE (the pending op completes as info)
 *
 * Invariant (rw_invariants_ok): an op is pending exactly in WAITING, with its
 * request number and timeout timer; done <= count; writes <= done, plus
 * the pending op.
 */
#include "sim/workload/register_rw.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "protocols/register/register.h"
#include "sim/family.h"
#include "sim/workload/outcome.h"

enum { TAG_NEXT = 1, TAG_TIMEOUT = 2 };   /* private: the driver is alone on its node */

typedef enum { RW_OFF = 0, RW_IDLE, RW_WAITING, RW_DONE } rw_state;

typedef struct rw_driver {
    const rw_cfg *cfg;
    int32_t index;                /* in `clients`, -1 = not a client */
    node_id home;
    rw_state state;
    int64_t done, writes;
    uint32_t op, req;             /* the pending op and its request number */
    uint8_t kind;                 /* reg_op_kind of the pending op */
    timer_id timeout;
} rw_driver;

static bool rw_invariants_ok(const rw_driver *d) {
    if (d->cfg == NULL || d->done > d->cfg->count) return false;
    if (d->writes > d->done + (d->state == RW_WAITING)) return false;   /* the pending op may be one */
    if ((d->state == RW_WAITING) != (d->op != HIST_NONE)) return false;
    return d->state == RW_OFF || d->index >= 0;
}

static void issue(rw_driver *d, env *e) {
    SIM_ASSERT(d->state == RW_IDLE);
    bool read = env_random_below(e, 1000000) < d->cfg->reads_ppm;
    hist_op_fields f;
    memset(&f, 0, sizeof f);
    f.key = "x";
    reg_req q;
    memset(&q, 0, sizeof q);
    q.kind = read ? REG_OP_READ : REG_OP_WRITE;
    if (!read) {
        q.value = (int64_t)(d->index + 1) * 1000 + ++d->writes;
        f.value_in = q.value;
        f.has_value_in = true;
    }
    d->op = env_op_invoke(e, read ? HIST_F_READ : HIST_F_WRITE, &f);
    d->kind = q.kind;
    q.req = ++d->req;
    q.op = d->op;
    env_send(e, d->home, REG_MSG_REQ, &q, sizeof q);
    d->timeout = env_timer(e, d->cfg->timeout_ns, TAG_TIMEOUT, d->req);
    d->state = RW_WAITING;
}

/* Completes the pending op and plans the next one. */
static void finish(rw_driver *d, env *e, hist_result r, const hist_op_fields *f) {
    SIM_ASSERT(d->state == RW_WAITING);
    env_op_complete(e, d->op, r, f);
    env_timer_cancel(e, d->timeout);
    d->op = HIST_NONE;
    d->timeout = 0;
    d->done++;
    d->state = d->done < d->cfg->count ? RW_IDLE : RW_DONE;
    if (d->state == RW_IDLE) env_timer(e, d->cfg->every_ns, TAG_NEXT, 0);
}

static void on_reply(rw_driver *d, env *e, const reg_reply *p) {
    hist_op_fields f;
    memset(&f, 0, sizeof f);
    char note[HIST_NOTE_MAX];                 /* f.note points here until finish() */
    if (p->status == REG_REPLY_OK) {
        if (d->kind == REG_OP_READ) {
            f.value_out = p->value;
            f.has_value_out = true;
            if (p->siblings > 1) {
                snprintf(note, sizeof note, "%u siblings: %" PRId64 " and %" PRId64,
                         p->siblings, p->value, p->other);
                f.note = note;
            }
        }
        finish(d, e, HIST_OK, &f);
        return;
    }
    bool refused = p->status == REG_REPLY_NO_QUORUM;
    snprintf(note, sizeof note, refused ? "no quorum: %u of %u answered, %u needed"
             : "store: %u of %u answered, %u needed", p->answered, p->replicas, p->needed);
    f.note = note;
    finish(d, e, refused || d->kind == REG_OP_READ ? HIST_FAIL : HIST_INFO, &f);
}

static void rw_on_message(void *state, env *e, node_id from, uint32_t type, const void *body,
                          uint32_t len) {
    rw_driver *d = state;
    SIM_ASSERT(rw_invariants_ok(d));
    if (from != d->home || type != REG_MSG_REPLY || len != sizeof(reg_reply)) return;
    reg_reply p;
    memcpy(&p, body, sizeof p);
    if (d->state != RW_WAITING || p.req != d->req || p.op != d->op) return;   /* a late reply */
    on_reply(d, e, &p);
    SIM_ASSERT(rw_invariants_ok(d));
}

static void rw_on_timer(void *state, env *e, uint32_t tag, uint64_t arg) {
    rw_driver *d = state;
    SIM_ASSERT(rw_invariants_ok(d));
    if (tag == TAG_NEXT) {
        if (d->state == RW_IDLE) issue(d, e);
    } else {
        SIM_ASSERT(tag == TAG_TIMEOUT);
        if (d->state != RW_WAITING || arg != d->req) return;
        hist_op_fields f;
        memset(&f, 0, sizeof f);
        f.note = "timed out";
        finish(d, e, d->kind == REG_OP_READ ? HIST_FAIL : HIST_INFO, &f);
    }
    SIM_ASSERT(rw_invariants_ok(d));
}

static void record_target(const rw_driver *d, env *e) {
    hist_effect_fields ef;
    memset(&ef, 0, sizeof ef);
    ef.kind = HIST_EFF_REG_TARGET;
    ef.client = -1;
    ef.op = HIST_NONE;
    ef.value = d->cfg->target_ppm;
    ef.key = "x";
    env_effect(e, &ef);
}

static void rw_init(void *state, env *e) {
    rw_driver *d = state;
    memset(d, 0, sizeof *d);
    d->cfg = env_workload_config(e);
    SIM_ASSERT(d->cfg != NULL);
    d->op = HIST_NONE;
    d->index = -1;
    for (uint32_t k = 0; k < d->cfg->clients.count; k++)
        if (d->cfg->clients.node[k] == env_self(e)) d->index = (int32_t)k;
    if (d->index < 0) return;
    SIM_ASSERT(d->cfg->home.count > 0);          /* rw_validate */
    d->home = d->cfg->home.node[(uint32_t)d->index % d->cfg->home.count];
    if (d->index == 0) record_target(d, e);
    d->state = d->cfg->count > 0 ? RW_IDLE : RW_DONE;
    if (d->state == RW_IDLE) env_timer(e, d->cfg->start.node_ns[env_self(e)], TAG_NEXT, 0);
    SIM_ASSERT(rw_invariants_ok(d));
}

/* A crashed client sends no more; its pending op may have happened. */
static void rw_on_crash(void *state, env *e) {
    rw_driver *d = state;
    SIM_ASSERT(rw_invariants_ok(d));
    if (d->state == RW_WAITING) {
        hist_op_fields f;
        memset(&f, 0, sizeof f);
        f.note = "client crashed";
        env_op_complete(e, d->op, d->kind == REG_OP_READ ? HIST_FAIL : HIST_INFO, &f);
        d->op = HIST_NONE;
    }
    if (d->state != RW_OFF) d->state = RW_DONE;
}

static void rw_on_restart(void *state, env *e) {
    (void)state;
    env_trace(e, "register-rw: restarted; done");
}

static const model_ops rw_driver_ops = {
    .name = "register-rw", .state_size = sizeof(rw_driver), .init = rw_init,
    .on_message = rw_on_message, .on_timer = rw_on_timer, .on_crash = rw_on_crash,
    .on_restart = rw_on_restart,
};

/* Every home is a replica. */
static int rw_validate(const void *cfg_v, const scn *s, const proto_desc *proto, char *err,
                       size_t err_len) {
    (void)proto;
    const rw_cfg *cfg = cfg_v;
    SIM_ASSERT(cfg != NULL);
    if (cfg->home.count == 0)
        return param_error(s, &s->workload, "home", err, err_len,
                           "home names no replica (expected replica nodes)");
    for (uint32_t i = 0; i < cfg->home.count; i++) {
        const scn_node *n = &s->nodes[cfg->home.node[i]];
        if (strcmp(n->role, "replica") != 0)
            return param_error(s, &s->workload, "home", err, err_len, "home: '%s' is a %s, not a "
                               "replica (expected replica nodes)", n->name, n->role);
    }
    return 0;
}

#define CFG_AT(field) offsetof(rw_cfg, field)

static const param_spec rw_params[] = {
    PARAM_NODES_SPEC("clients", "client", "nodes that read and write the register", CFG_AT(clients)),
    PARAM_NODES_SPEC("home", "replica", "the replica each client talks to: client k uses "
        "home[k mod count]", CFG_AT(home)),
    PARAM_PER_NODE_DURATION_SPEC("start", "0ms", "per client: when its first operation starts",
        CFG_AT(start), 0, PARAM_NO_MAX),
    PARAM_DURATION_SPEC("every", "100ms", "from the end of one operation to the start of the "
        "next", CFG_AT(every_ns), 0, PARAM_NO_MAX),
    PARAM_INT_SPEC("count", "40", "operations per client", CFG_AT(count), 0, RW_COUNT_MAX),
    PARAM_RATE_SPEC("reads", "50%", "the odds that an operation is a read (else a write)",
        CFG_AT(reads_ppm), 0, 1000000),
    PARAM_DURATION_SPEC("timeout", "1s", "a client gives up on a request after it (a write's "
        "outcome is then unknown)", CFG_AT(timeout_ns), SIM_NS, PARAM_NO_MAX),
    PARAM_RATE_SPEC("availability", "99%", "the availability check's target: the share of "
        "requests every side of a partition must answer", CFG_AT(target_ppm), 0, 1000000),
};

/* workload_desc.outcome: "97 of 100 writes acknowledged, 100 of 100 reads answered". */
static void rw_outcome(const void *cfg_v, const hist *h, const scn *s, char *buf, size_t len) {
    (void)cfg_v;
    (void)s;
    wo_tally w = wo_count(h, HIST_F_WRITE), r = wo_count(h, HIST_F_READ);
    snprintf(buf, len, "%" PRIu64 " of %" PRIu64 " write%s acknowledged, %" PRIu64 " of %" PRIu64
             " read%s answered", w.ok, w.all, wo_s(w.all), r.ok, r.all, wo_s(r.all));
    uint64_t refused = w.fail + r.fail, unknown = w.unknown + r.unknown;
    if (refused) wo_add(buf, len, "; %" PRIu64 " refused", refused);
    if (unknown) wo_add(buf, len, "; %" PRIu64 " unanswered", unknown);
}

const workload_desc rw_workload = {
    .name = "register-rw",
    .summary = "clients read and write one replicated register through their home replicas, "
        "unique values per write",
    .params = rw_params,
    .param_count = sizeof rw_params / sizeof rw_params[0],
    .cfg_size = sizeof(rw_cfg),
    .driver = &rw_driver_ops,
    .validate = rw_validate,
    .outcome = rw_outcome,
};
