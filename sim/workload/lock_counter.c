/* lock_counter.c -- the lock-counter driver: one state machine per client
 * node, embedding the protocol's lock client (lock_api.h).
 *
 *   WAIT --start/think timer [begin_iteration]--> ACQUIRING
 *   ACQUIRING --acquired ok [on_acquired -> protected_start]--> READING (storage)
 *                                                             | BEFORE_READ (read_at later)
 *                                                             | HOLDING (no storage)
 *   ACQUIRING --acquired fail [on_acquired -> iteration_end]--> WAIT | DONE
 *   BEFORE_READ --read_at timer [on_read_at_timer -> start_read]--> READING
 *   READING --reply [on_read_reply]--> HOLDING --hold/write_at timer [on_hold_timer]--> WRITING
 *   WRITING --reply / timeout [on_write_reply, on_storage_timeout -> release_when_due]-->
 *            RELEASING | AFTER_WRITE (release_at later)
 *   AFTER_WRITE --release_at timer [on_release_at_timer -> start_release]--> RELEASING
 *   READING, HOLDING --lease check fails / read fails--> RELEASING   [start_release]
 *   RELEASING --released [on_released -> iteration_end]--> WAIT | DONE
 *   any --crash [lkc_on_crash]--> CRASHED --restart [lkc_on_restart]--> WAIT | DONE
 *
 * read_at / write_at / release_at (per client, 0 = not set) pin an op to a
 * reading of the client's monotonic clock, as SCENARIOS.md's timelines do
 * ("C1 ops @200, @9 000"); an op whose time has passed goes at once, so
 * they shape the first iteration and leave later ones immediate.
 *
 * Invariant (lkc_invariants_ok): an op is pending exactly in ACQUIRING,
 * READING, WRITING and RELEASING; a storage request is outstanding exactly
 * in READING and WRITING; an epoch is set from the ok ACQUIRE to the end of
 * the iteration; done <= iterations.
 *
 * Trade-off: the lock client's state is embedded in a fixed buffer of
 * LOCK_CLIENT_STATE_MAX bytes, so the engine's one allocation per node holds
 * everything and nothing outlives the run.
 */
#include "sim/workload/lock_counter.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "protocols/lock/lock_api.h"
#include "protocols/storage/storage.h"
#include "sim/family.h"
#include "sim/workload/outcome.h"

enum { TAG_START = 1, TAG_HOLD = 2, TAG_STORAGE_TIMEOUT = 3, TAG_READ_AT = 4, TAG_RELEASE_AT = 5 };

typedef enum {
    LKC_OFF = 0, LKC_WAIT, LKC_ACQUIRING, LKC_READING, LKC_HOLDING, LKC_WRITING, LKC_RELEASING,
    LKC_DONE, LKC_CRASHED, LKC_BEFORE_READ, LKC_AFTER_WRITE
} lkc_state;

typedef struct lkc_driver {
    _Alignas(max_align_t) unsigned char lc[LOCK_CLIENT_STATE_MAX];   /* the lock client */
    const lkc_cfg *cfg;
    const lock_client_ops *lock;
    lock_client_hooks hooks;
    node_id storage;              /* -1 = none: hold only */
    bool member;                  /* listed in `clients` */
    lkc_state state;
    int64_t done;                 /* iterations finished */
    uint32_t op;                  /* the pending op, HIST_NONE if none */
    int64_t epoch, token;         /* of the current hold, 0 = none */
    int64_t read_value;
    uint32_t req_next, req_out;   /* storage requests; req_out 0 = none */
    timer_id req_timer;
} lkc_driver;

static bool lkc_invariants_ok(const lkc_driver *d) {
    bool op_pending = d->state == LKC_ACQUIRING || d->state == LKC_READING ||
                      d->state == LKC_WRITING || d->state == LKC_RELEASING;
    bool req_pending = d->state == LKC_READING || d->state == LKC_WRITING;
    if (op_pending != (d->op != HIST_NONE)) return false;
    if (req_pending != (d->req_out != 0)) return false;
    if (d->state == LKC_READING || d->state == LKC_HOLDING || d->state == LKC_WRITING ||
        d->state == LKC_BEFORE_READ || d->state == LKC_AFTER_WRITE)
        if (d->epoch == 0) return false;
    if (d->done < 0 || d->done > d->cfg->iterations) return false;
    return d->member || d->state == LKC_OFF;
}

static hist_op_fields fields_of(const lkc_driver *d) {
    hist_op_fields f;
    memset(&f, 0, sizeof f);
    f.epoch = d->epoch;
    f.token = d->token;
    return f;
}

static void invoke(lkc_driver *d, env *e, hist_f what, const hist_op_fields *fields) {
    SIM_ASSERT(d->op == HIST_NONE);
    d->op = env_op_invoke(e, what, fields);
}

static void complete(lkc_driver *d, env *e, hist_result r, const hist_op_fields *fields) {
    SIM_ASSERT(d->op != HIST_NONE);
    SIM_ASSERT(r != HIST_PENDING);
    uint32_t op = d->op;
    d->op = HIST_NONE;
    env_op_complete(e, op, r, fields);
}

static sim_time per_node(const param_per_node *p, env *e) {
    node_id self = env_self(e);
    SIM_ASSERT(self >= 0);
    SIM_ASSERT(self < SIM_NODES_MAX);
    return p->node_ns[self];
}

/* The wait until a read_at / write_at / release_at time (0 = not set):
 * -1 when not set, else how long until the monotonic clock reads it (>= 0). */
static sim_time wait_until(const param_per_node *p, env *e) {
    sim_time at = per_node(p, e);
    if (at <= 0) return -1;
    sim_time d = at - env_now_mono(e);
    return d > 0 ? d : 0;
}

/* ------------------------------------------------------------ iteration */

static void iteration_end(lkc_driver *d, env *e) {
    SIM_ASSERT(d->op == HIST_NONE);
    d->done++;
    d->epoch = 0;
    d->token = 0;
    if (d->done >= d->cfg->iterations) {
        d->state = LKC_DONE;
        env_trace(e, "lock-counter: all %" PRId64 " iterations done", d->done);
    } else {
        d->state = LKC_WAIT;
        env_timer(e, per_node(&d->cfg->think, e), TAG_START, 0);
    }
    SIM_ASSERT(lkc_invariants_ok(d));
}

static void begin_iteration(lkc_driver *d, env *e) {
    SIM_ASSERT(d->state == LKC_WAIT);
    SIM_ASSERT(d->done < d->cfg->iterations);
    hist_op_fields f = fields_of(d);
    invoke(d, e, HIST_F_ACQUIRE, &f);
    d->state = LKC_ACQUIRING;
    SIM_ASSERT(lkc_invariants_ok(d));
    d->lock->acquire(d->lc, e);
}

static void start_release(lkc_driver *d, env *e) {
    SIM_ASSERT(d->epoch != 0);
    SIM_ASSERT(d->op == HIST_NONE);
    hist_op_fields f = fields_of(d);
    invoke(d, e, HIST_F_RELEASE, &f);
    d->state = LKC_RELEASING;
    SIM_ASSERT(lkc_invariants_ok(d));
    d->lock->release(d->lc, e);
}

/* The careful client's check before touching the resource; false = skip. */
static bool lease_ok(lkc_driver *d, env *e, const char *before) {
    if (d->lock->still_valid(d->lc, e)) return true;
    env_trace(e, "lease check before %s failed: the lease has run out by my clock; "
                 "skipping to RELEASE", before);
    return false;
}

static void send_storage(lkc_driver *d, env *e, uint32_t type, int64_t value) {
    SIM_ASSERT(d->storage >= 0);
    SIM_ASSERT(d->req_out == 0);
    stor_req q;
    stor_req_init(&q, d->op, ++d->req_next, d->epoch, d->token, d->token != 0, value);
    q.read_fenced = type == STOR_MSG_READ && d->cfg->fenced_reads && d->token != 0;
    d->req_out = q.req;
    env_send(e, d->storage, type, &q, sizeof q);
    d->req_timer = env_timer(e, d->cfg->request_timeout_ns, TAG_STORAGE_TIMEOUT, q.req);
}

/* Holds for `hold`, or until write_at when it is set. */
static void start_hold(lkc_driver *d, env *e) {
    sim_time until = wait_until(&d->cfg->write_at, e);
    d->state = LKC_HOLDING;
    env_timer(e, until >= 0 ? until : per_node(&d->cfg->hold, e), TAG_HOLD, 0);
    SIM_ASSERT(lkc_invariants_ok(d));
}

static void start_read(lkc_driver *d, env *e) {
    SIM_ASSERT(d->storage >= 0);
    SIM_ASSERT(d->op == HIST_NONE);
    if (!lease_ok(d, e, "READ")) { start_release(d, e); return; }
    hist_op_fields f = fields_of(d);
    invoke(d, e, HIST_F_READ, &f);
    d->state = LKC_READING;
    send_storage(d, e, STOR_MSG_READ, 0);
    SIM_ASSERT(lkc_invariants_ok(d));
}

/* After the ok ACQUIRE: READ (with storage; at read_at when it is set) or just hold. */
static void protected_start(lkc_driver *d, env *e) {
    if (d->storage < 0) { start_hold(d, e); return; }
    sim_time until = wait_until(&d->cfg->read_at, e);
    if (until <= 0) { start_read(d, e); return; }
    d->state = LKC_BEFORE_READ;
    env_timer(e, until, TAG_READ_AT, 0);
    SIM_ASSERT(lkc_invariants_ok(d));
}

/* After the WRITE: RELEASE now, or at release_at when it is later. */
static void release_when_due(lkc_driver *d, env *e) {
    sim_time until = wait_until(&d->cfg->release_at, e);
    if (until <= 0) { start_release(d, e); return; }
    d->state = LKC_AFTER_WRITE;
    env_timer(e, until, TAG_RELEASE_AT, 0);
    SIM_ASSERT(lkc_invariants_ok(d));
}

static void on_hold_timer(lkc_driver *d, env *e) {
    SIM_ASSERT(d->state == LKC_HOLDING);
    SIM_ASSERT(d->op == HIST_NONE);
    if (d->storage < 0) { release_when_due(d, e); return; }
    if (!lease_ok(d, e, "WRITE")) { start_release(d, e); return; }
    hist_op_fields f = fields_of(d);
    f.value_in = d->read_value + 1;
    f.has_value_in = true;
    invoke(d, e, HIST_F_WRITE, &f);
    d->state = LKC_WRITING;
    send_storage(d, e, STOR_MSG_WRITE, d->read_value + 1);
    SIM_ASSERT(lkc_invariants_ok(d));
}

/* ------------------------------------------------------------ storage replies */

static void on_read_reply(lkc_driver *d, env *e, const stor_reply *p) {
    SIM_ASSERT(d->state == LKC_READING);
    SIM_ASSERT(!p->write);
    d->read_value = p->value;
    hist_op_fields f = fields_of(d);
    f.value_out = p->value;
    f.has_value_out = true;
    complete(d, e, HIST_OK, &f);
    start_hold(d, e);
}

static void on_write_reply(lkc_driver *d, env *e, const stor_reply *p) {
    SIM_ASSERT(d->state == LKC_WRITING);
    SIM_ASSERT(p->write);
    hist_op_fields f = fields_of(d);
    if (p->ok) {
        complete(d, e, HIST_OK, &f);
    } else {
        char note[HIST_NOTE_MAX];
        if (d->token == 0) snprintf(note, sizeof note, "refused: connection gone");
        else snprintf(note, sizeof note, "stale token %" PRId64 " < %" PRId64, d->token, p->max_token);
        f.note = note;
        complete(d, e, HIST_FAIL, &f);
    }
    release_when_due(d, e);
}

static void on_storage_reply(lkc_driver *d, env *e, const stor_reply *p) {
    if (p->req == 0 || p->req != d->req_out) {
        env_trace(e, "late storage reply to request %u ignored (it had timed out)", p->req);
        return;
    }
    env_timer_cancel(e, d->req_timer);
    d->req_timer = 0;
    d->req_out = 0;
    if (d->state == LKC_READING) on_read_reply(d, e, p);
    else on_write_reply(d, e, p);
}

/* No reply in time: the outcome is unknown (a WRITE may still land later). */
static void on_storage_timeout(lkc_driver *d, env *e, uint64_t req) {
    if (req != d->req_out) return;
    SIM_ASSERT(d->state == LKC_READING || d->state == LKC_WRITING);
    d->req_timer = 0;
    d->req_out = 0;
    hist_op_fields f = fields_of(d);
    f.note = "timeout: no reply from storage";
    complete(d, e, HIST_INFO, &f);
    if (d->state == LKC_WRITING) release_when_due(d, e);
    else start_release(d, e);
}

/* ------------------------------------------------------------ lock hooks */

static hist_result result_of(bool ok, const char *why) {
    if (ok) return HIST_OK;
    size_t n = strlen(LOCK_WHY_TIMEOUT);
    return strncmp(why, LOCK_WHY_TIMEOUT, n) == 0 ? HIST_INFO : HIST_FAIL;
}

static void on_acquired(void *owner, env *e, bool ok, int64_t token, sim_time valid_until_mono,
                        const char *why) {
    lkc_driver *d = owner;
    SIM_ASSERT(d->state == LKC_ACQUIRING);
    SIM_ASSERT(why != NULL);
    (void)valid_until_mono;           /* the lease check asks the lock client itself */
    hist_op_fields f = fields_of(d);
    if (!ok) {
        f.note = why;
        complete(d, e, result_of(ok, why), &f);
        iteration_end(d, e);
        return;
    }
    d->epoch = env_new_epoch(e);
    d->token = token;
    f = fields_of(d);
    f.value_out = token;
    f.has_value_out = true;
    complete(d, e, HIST_OK, &f);
    protected_start(d, e);
}

static void on_released(void *owner, env *e, bool ok, const char *why) {
    lkc_driver *d = owner;
    SIM_ASSERT(d->state == LKC_RELEASING);
    SIM_ASSERT(why != NULL);
    hist_op_fields f = fields_of(d);
    if (!ok) f.note = why;
    complete(d, e, result_of(ok, why), &f);
    iteration_end(d, e);
}

/* ------------------------------------------------------------ model */

/* The node holding the counter: `resource` by name, else the storage role's; -1 = none. */
static node_id resource_node(const lkc_cfg *cfg, env *e) {
    if (cfg->resource[0] != '\0') {
        for (uint32_t i = 0; i < env_node_count(e); i++)
            if (strcmp(env_node_name(e, (node_id)i), cfg->resource) == 0) return (node_id)i;
        SIM_UNREACHABLE("lkc_validate checks that the resource node exists");
    }
    node_id st[1];
    return env_nodes_of_role(e, "storage", st, 1) == 1 ? st[0] : -1;
}

static bool is_member(const lkc_cfg *cfg, node_id self) {
    for (uint32_t i = 0; i < cfg->clients.count; i++)
        if (cfg->clients.node[i] == self) return true;
    return false;
}

static void lkc_init(void *state, env *e) {
    lkc_driver *d = state;
    const struct proto_desc *p = env_protocol(e);
    SIM_ASSERT(p != NULL);
    SIM_ASSERT(p->lock_client != NULL);     /* the protocol lists lock-counter */
    SIM_ASSERT(p->lock_client->state_size <= sizeof d->lc);
    d->cfg = env_workload_config(e);
    SIM_ASSERT(d->cfg != NULL);
    d->lock = p->lock_client;
    d->hooks = (lock_client_hooks){ .owner = d, .acquired = on_acquired, .released = on_released };
    d->op = HIST_NONE;
    d->storage = resource_node(d->cfg, e);
    d->member = is_member(d->cfg, env_self(e));
    env_set_initial_value(e, d->cfg->initial);
    d->lock->init(d->lc, e, &d->hooks);
    d->state = LKC_OFF;
    if (d->member) {
        d->state = d->cfg->iterations > 0 ? LKC_WAIT : LKC_DONE;
        if (d->state == LKC_WAIT) env_timer(e, per_node(&d->cfg->start, e), TAG_START, 0);
    }
    SIM_ASSERT(lkc_invariants_ok(d));
}

static void lkc_on_timer(void *state, env *e, uint32_t tag, uint64_t arg) {
    lkc_driver *d = state;
    SIM_ASSERT(lkc_invariants_ok(d));
    if (tag >= LOCK_TAG_MIN && tag <= LOCK_TAG_MAX) {
        bool mine = d->lock->on_timer(d->lc, e, tag, arg);
        SIM_ASSERT(mine);
        return;
    }
    switch (tag) {
    case TAG_START: begin_iteration(d, e); break;
    case TAG_HOLD: on_hold_timer(d, e); break;
    case TAG_STORAGE_TIMEOUT: on_storage_timeout(d, e, arg); break;
    case TAG_READ_AT:
        SIM_ASSERT(d->state == LKC_BEFORE_READ);
        start_read(d, e);
        break;
    case TAG_RELEASE_AT:
        SIM_ASSERT(d->state == LKC_AFTER_WRITE);
        start_release(d, e);
        break;
    default: SIM_UNREACHABLE("lock-counter timer tag"); break;
    }
    SIM_ASSERT(lkc_invariants_ok(d));
}

static void lkc_on_message(void *state, env *e, node_id from, uint32_t type, const void *body,
                           uint32_t len) {
    lkc_driver *d = state;
    SIM_ASSERT(lkc_invariants_ok(d));
    bool lock_range = type >= LOCK_TAG_MIN && type <= LOCK_TAG_MAX;
    if (lock_range && d->lock->on_message(d->lc, e, from, type, body, len)) {
        SIM_ASSERT(lkc_invariants_ok(d));
        return;
    }
    if (type == STOR_MSG_REPLY && len == sizeof(stor_reply) && from == d->storage) {
        stor_reply p;
        memcpy(&p, body, sizeof p);
        on_storage_reply(d, e, &p);
        SIM_ASSERT(lkc_invariants_ok(d));
        return;
    }
    env_trace(e, "lock-counter: ignored a message of type %u", type);
}

/* Jepsen's rule: an op pending when its process crashes completes as info. */
static void lkc_on_crash(void *state, env *e) {
    lkc_driver *d = state;
    SIM_ASSERT(lkc_invariants_ok(d));
    if (d->op != HIST_NONE) {
        hist_op_fields f = fields_of(d);
        f.note = "client crashed";
        complete(d, e, HIST_INFO, &f);
    }
    bool mid = d->state != LKC_OFF && d->state != LKC_WAIT && d->state != LKC_DONE;
    if (mid) d->done++;
    d->lock->on_crash(d->lc, e);
    d->req_out = 0;
    d->req_timer = 0;
    d->epoch = 0;
    d->token = 0;
    if (d->state != LKC_OFF) d->state = LKC_CRASHED;
    SIM_ASSERT(d->done <= d->cfg->iterations);
}

static void lkc_on_restart(void *state, env *e) {
    lkc_driver *d = state;
    SIM_ASSERT(d->op == HIST_NONE);
    d->lock->init(d->lc, e, &d->hooks);
    if (d->state == LKC_OFF) return;
    d->state = d->done < d->cfg->iterations ? LKC_WAIT : LKC_DONE;
    if (d->state == LKC_WAIT) {
        env_trace(e, "lock-counter: restarted; iteration %" PRId64 " next", d->done + 1);
        env_timer(e, 0, TAG_START, 0);
    }
    SIM_ASSERT(lkc_invariants_ok(d));
}


const model_ops lkc_driver_ops = {
    .name = "lock-counter",
    .state_size = sizeof(lkc_driver),
    .init = lkc_init,
    .on_message = lkc_on_message,
    .on_timer = lkc_on_timer,
    .on_crash = lkc_on_crash,
    .on_restart = lkc_on_restart,
};

/* ------------------------------------------------------------ workload */

#define CFG_AT(field) offsetof(lkc_cfg, field)

static const param_spec lkc_params[] = {
    PARAM_NODES_SPEC("clients", "client", "the nodes that run the workload (a list, or a role)",
        CFG_AT(clients)),
    PARAM_INT_SPEC("iterations", "1", "acquire-read-write-release rounds per client",
        CFG_AT(iterations), 0, 1000000),
    PARAM_PER_NODE_DURATION_SPEC("start", "0ms",
        "when each client starts: 0ms or {c1: 0ms, c2: 10500ms}",
        CFG_AT(start), 0, PARAM_NO_MAX),
    PARAM_PER_NODE_DURATION_SPEC("hold", "2ms",
        "time between the READ reply and the WRITE, per client",
        CFG_AT(hold), 0, PARAM_NO_MAX),
    PARAM_PER_NODE_DURATION_SPEC("think", "0ms",
        "time between RELEASE and the next ACQUIRE, per client",
        CFG_AT(think), 0, PARAM_NO_MAX),
    PARAM_DURATION_SPEC("request_timeout", "1s",
        "storage request timeout; no reply in time = outcome unknown (info)",
        CFG_AT(request_timeout_ns), SIM_NS, PARAM_NO_MAX),
    PARAM_INT_SPEC("initial", "0", "the counter's initial value",
        CFG_AT(initial), -1000000000000000000, 1000000000000000000),
    PARAM_PER_NODE_DURATION_SPEC("read_at", "0ms",
        "READ when the client's monotonic clock reads this, if later than the grant (0 = at once)",
        CFG_AT(read_at), 0, PARAM_NO_MAX),
    PARAM_PER_NODE_DURATION_SPEC("write_at", "0ms",
        "WRITE when the client's monotonic clock reads this, instead of `hold` after the READ (0 "
        "= unset)",
        CFG_AT(write_at), 0, PARAM_NO_MAX),
    PARAM_PER_NODE_DURATION_SPEC("release_at", "0ms",
        "RELEASE when the client's monotonic clock reads this, if later than the WRITE (0 = at "
        "once)",
        CFG_AT(release_at), 0, PARAM_NO_MAX),
    PARAM_BOOL_SPEC("fenced_reads", "false",
        "send the fencing token with the READ too, and the storage counts it as seen: an older "
        "holder's later WRITE is refused (without a fencing token, no effect)",
        CFG_AT(fenced_reads)),
    PARAM_STRING_SPEC("resource", "",
        "the node holding the counter (\"\" = the storage node); e.g. an etcd node for IsOwner() "
        "Txns",
        CFG_AT(resource)),
};

/* An iteration sends at least 4 requests (acquire, read, write, release)
 * and gets their replies: at least 8 events per client and iteration. */
static uint64_t lkc_events_min(const void *cfg_v, const char **key) {
    const lkc_cfg *c = cfg_v;
    SIM_ASSERT(c->iterations >= 0);           /* the table's bounds */
    *key = "iterations";
    return (uint64_t)c->iterations * c->clients.count * 8u;
}

static int lkc_validate(const void *cfg_v, const scn *s, const proto_desc *proto, char *err, size_t err_len) {
    (void)proto;
    const lkc_cfg *cfg = cfg_v;
    SIM_ASSERT(cfg != NULL);
    SIM_ASSERT(s != NULL);
    if (cfg->resource[0] == '\0' || scn_node_find(s, cfg->resource) >= 0) return 0;
    return param_error(s, &s->workload, "resource", err, err_len,
                       "unknown node '%.64s' in resource (expected a node of the scenario)",
                       cfg->resource);
}

/* Each client runs `iterations` ACQUIREs at least (an ok one adds READ,
 * WRITE and RELEASE): never more than it invokes (family.h). */
static uint64_t lkc_ops_max(const void *cfg_v, const scn *s) {
    const lkc_cfg *c = cfg_v;
    (void)s;
    return (uint64_t)c->iterations * c->clients.count;
}

/* workload_desc.outcome: "final counter 6, expected 7: 1 update lost". */
static void lkc_outcome(const void *cfg_v, const hist *h, const scn *s, char *buf, size_t len) {
    const lkc_cfg *c = cfg_v;
    (void)s;
    wo_tally t = wo_count(h, HIST_F_WRITE);
    int64_t final = c->initial;
    uint64_t refused = 0;
    for (uint32_t i = 0; i < h->effect_count; i++) {
        if (h->effects[i].kind == HIST_EFF_WRITE) final = h->effects[i].value;
        refused += h->effects[i].kind == HIST_EFF_REJECT;
    }
    int64_t lo = c->initial + (int64_t)t.ok, hi = lo + (int64_t)t.unknown;
    snprintf(buf, len, "final counter %" PRId64 ", expected %" PRId64, final, lo);
    if (hi > lo) wo_add(buf, len, " to %" PRId64, hi);
    if (final < lo) wo_add(buf, len, ": %" PRId64 " update%s lost", lo - final, wo_s((uint64_t)(lo - final)));
    else if (final > hi) wo_add(buf, len, ": %" PRId64 " more than were made", final - hi);
    else wo_add(buf, len, ": no update lost");
    if (refused) wo_add(buf, len, "; %" PRIu64 " stale write%s refused", refused, wo_s(refused));
}

const workload_desc lkc_workload = {
    .name = "lock-counter",
    .summary = "acquire, read the counter, hold, write counter+1, release; per client, N times",
    .params = lkc_params,
    .param_count = sizeof lkc_params / sizeof lkc_params[0],
    .cfg_size = sizeof(lkc_cfg),
    .driver = &lkc_driver_ops,
    .validate = lkc_validate,
    .events_min = lkc_events_min,
    .ops_max = lkc_ops_max,
    .outcome = lkc_outcome,
};
