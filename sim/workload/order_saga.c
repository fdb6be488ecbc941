/* order_saga.c -- the order-saga driver: CreateOrder sagas on client nodes,
 * the user's CancelOrder on cancel.by nodes (order_saga.h), both through the
 * saga orchestrator library embedded here.
 *
 *   creating:   WAIT --start/think timer [begin_create]--> RUNNING
 *               RUNNING --saga ended [on_ended -> create_end]--> WAIT | DONE
 *   cancelling: IDLE --cancel.at timer [begin_cancel]--> CANCELLING
 *               CANCELLING --ended ok, or refused with no retry [on_ended]--> DONE
 *               CANCELLING --refused, cancel.again_at set [on_ended]--> AGAIN
 *               AGAIN --cancel.again_at timer [begin_cancel]--> CANCELLING
 *   any --crash [ords_on_crash]--> pending sagas' ops end as info
 *       --restart [ords_on_restart]--> the orchestrator resumes its log; WAIT | DONE
 *
 * Invariant (ords_invariants_ok): create_op is set exactly while a
 * CreateOrder saga of ours runs, cancel_op exactly while a CancelOrder does;
 * done <= iterations.
 */
#include "sim/workload/order_saga.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/saga/saga.h"
#include "sim/family.h"
#include "sim/workload/outcome.h"

enum { TAG_START = 1, TAG_CANCEL = 2 };
enum { CANCEL_NONE = 0, CANCEL_IDLE, CANCEL_RUNNING, CANCEL_AGAIN, CANCEL_DONE };

typedef struct ords_driver {
    _Alignas(max_align_t) unsigned char orch[SAGA_ORCH_STATE_MAX];
    const ords_cfg *cfg;
    const saga_cfg *proto;
    bool started, creator;
    int cancel;                   /* CANCEL_* */
    uint32_t cancel_tries;
    uint32_t create_op, cancel_op;
    int64_t done;
    bool creating;
    uint32_t rank, creators;      /* this node among the creators: order numbers */
    node_id orders, payments, inventory;
} ords_driver;

static bool ords_invariants_ok(const ords_driver *d) {
    if (d->cfg == NULL || d->done < 0 || d->done > d->cfg->iterations) return false;
    if (d->creating != (d->create_op != HIST_NONE)) return false;
    if ((d->cancel == CANCEL_RUNNING) != (d->cancel_op != HIST_NONE)) return false;
    return d->creator || !d->creating;
}

static bool in_nodes(const param_nodes *ns, node_id n) {
    for (uint32_t i = 0; i < ns->count; i++)
        if (ns->node[i] == n) return true;
    return false;
}

static sim_time per_node(const param_per_node *p, env *e) {
    node_id self = env_self(e);
    SIM_ASSERT(self >= 0);
    SIM_ASSERT(self < SIM_NODES_MAX);
    return p->node_ns[self];
}

/* ------------------------------------------------------------ the sagas */

static void def_base(const ords_driver *d, saga_def *out, const char *name, int64_t order) {
    memset(out, 0, sizeof *out);
    snprintf(out->name, sizeof out->name, "%s", name);
    snprintf(out->account, sizeof out->account, "%.11s", d->cfg->account);
    snprintf(out->item, sizeof out->item, "%.11s", d->cfg->seat);
    out->order = order;
}

/* Order N wants the (N - order)th seat after `seat` in its row: 12A, 12B... */
static void seat_for(const ords_driver *d, int64_t order, saga_def *out) {
    int64_t k = order - d->cfg->order;
    size_t n = strlen(out->item);
    if (k <= 0 || n == 0) return;
    char last = out->item[n - 1];
    if (last >= 'A' && last <= 'Z' && last + k <= 'Z') out->item[n - 1] = (char)(last + k);
    else snprintf(out->item, sizeof out->item, "%.6s-%" PRId64, d->cfg->seat, k % 10000);
}

static void create_def(const ords_driver *d, env *e, int64_t order, saga_def *out) {
    def_base(d, out, "create-order", order);
    seat_for(d, order, out);
    int32_t amount = (int32_t)d->cfg->amount;
    bool seat = strcmp(d->cfg->seat, "none") != 0;   /* none: Richardson's 3-step saga, pivot T2 */
    out->n = seat ? 4 : 3;
    out->pivot = seat ? 3 : 2;
    out->steps[0] = (saga_step){ d->orders, SAGA_CMD_CREATE_ORDER, SAGA_CMD_REJECT_ORDER, SAGA_COMPENSATABLE, 0, 0 };
    out->steps[1] = (saga_step){ d->payments, SAGA_CMD_RESERVE_FUNDS, seat ? SAGA_CMD_RELEASE_FUNDS : SAGA_CMD_NONE,
                                 seat ? SAGA_COMPENSATABLE : SAGA_PIVOT, 0, amount };
    if (seat) out->steps[2] = (saga_step){ d->inventory, SAGA_CMD_RESERVE_SEAT, SAGA_CMD_NONE, SAGA_PIVOT, 0, 0 };
    out->steps[out->n - 1] = (saga_step){ d->orders, SAGA_CMD_APPROVE_ORDER, SAGA_CMD_NONE, SAGA_RETRIABLE, 0, 0 };
    int64_t at = d->cfg->fail_step;
    if (at == 0 && d->cfg->fail_rate_ppm > 0 && env_random_below(e, 1000000) < d->cfg->fail_rate_ppm)
        at = 1 + (int64_t)env_random_below(e, out->pivot);
    if (at >= 1 && at <= (int64_t)out->pivot) {
        out->steps[at - 1].fail = 1;
        env_trace(e, "order-saga: a business failure is injected at T%" PRId64, at);
    }
}

static void cancel_def(const ords_driver *d, saga_def *out) {
    def_base(d, out, "cancel-order", d->cfg->order);
    int32_t amount = (int32_t)d->cfg->amount;
    out->pivot = 1;
    out->steps[0] = (saga_step){ d->orders, SAGA_CMD_CANCEL_ORDER, SAGA_CMD_NONE, SAGA_PIVOT, 0, 0 };
    out->steps[1] = (saga_step){ d->payments, SAGA_CMD_RELEASE_FUNDS, SAGA_CMD_NONE, SAGA_RETRIABLE, 0, amount };
    out->steps[2] = (saga_step){ d->orders, SAGA_CMD_CONFIRM_CANCEL, SAGA_CMD_NONE, SAGA_RETRIABLE, 0, 0 };
    out->n = d->proto->semantic_lock ? 3 : 2;
}

static void create_end(ords_driver *d, env *e) {
    d->done++;
    if (d->done < d->cfg->iterations) env_timer(e, per_node(&d->cfg->think, e), TAG_START, 0);
    else env_trace(e, "order-saga: all %" PRId64 " CreateOrder sagas done", d->done);
}

static void begin_create(ords_driver *d, env *e) {
    SIM_ASSERT(d->creator);
    SIM_ASSERT(!d->creating);
    int64_t order = d->cfg->order + (int64_t)d->rank + d->done * (int64_t)d->creators;
    saga_def def;
    create_def(d, e, order, &def);
    hist_op_fields f;
    memset(&f, 0, sizeof f);
    f.value_in = order;
    f.has_value_in = true;
    d->create_op = env_op_invoke(e, HIST_F_SAGA, &f);
    d->creating = true;
    if (saga_orch_start(d->orch, e, &def, d->create_op)) return;
    f.note = "saga table full (SAGA_ACTIVE_MAX)";
    d->creating = false;
    uint32_t op = d->create_op;
    d->create_op = HIST_NONE;
    env_op_complete(e, op, HIST_FAIL, &f);
    create_end(d, e);
}

static void begin_cancel(ords_driver *d, env *e) {
    SIM_ASSERT(d->cancel == CANCEL_IDLE || d->cancel == CANCEL_AGAIN);
    saga_def def;
    cancel_def(d, &def);
    hist_op_fields f;
    memset(&f, 0, sizeof f);
    f.value_in = d->cfg->order;
    f.has_value_in = true;
    d->cancel_op = env_op_invoke(e, HIST_F_SAGA, &f);
    d->cancel = CANCEL_RUNNING;
    d->cancel_tries++;
    env_trace(e, "order-saga: the user cancels order #%" PRId64, d->cfg->order);
    if (saga_orch_start(d->orch, e, &def, d->cancel_op)) return;
    f.note = "saga table full (SAGA_ACTIVE_MAX)";
    uint32_t op = d->cancel_op;
    d->cancel_op = HIST_NONE;
    d->cancel = CANCEL_DONE;
    env_op_complete(e, op, HIST_FAIL, &f);
}

static void on_ended(void *owner, env *e, uint32_t op, hist_result r, const char *why) {
    ords_driver *d = owner;
    SIM_ASSERT(op != HIST_NONE);
    SIM_ASSERT(op == d->create_op || op == d->cancel_op);
    hist_op_fields f;
    memset(&f, 0, sizeof f);
    f.note = why;
    env_op_complete(e, op, r, &f);
    if (op == d->create_op) {
        d->create_op = HIST_NONE;
        d->creating = false;
        create_end(d, e);
    } else {
        d->cancel_op = HIST_NONE;
        bool again = r == HIST_FAIL && d->cfg->cancel_again_at_ns >= 0 && d->cancel_tries == 1;
        d->cancel = again ? CANCEL_AGAIN : CANCEL_DONE;
        if (again) {
            sim_time wait = d->cfg->cancel_again_at_ns - env_now_mono(e);
            env_trace(e, "order-saga: the cancel was refused; the user tries again later");
            env_timer(e, wait > 0 ? wait : 0, TAG_CANCEL, 0);
        }
    }
    SIM_ASSERT(ords_invariants_ok(d));
}

/* ------------------------------------------------------------ model */

static node_id service_at(env *e, const param_nodes *given, uint32_t k) {
    if (given->count > 0) return given->node[0];
    node_id sv[SIM_NODES_MAX];
    uint32_t n = env_nodes_of_role(e, "service", sv, SIM_NODES_MAX);
    SIM_ASSERT(n >= 1);                           /* the role table asks for at least one */
    return sv[k < n ? k : n - 1];
}

/* Creators: `clients`, else the orchestrators not in cancel.by. */
static bool is_creator(const ords_cfg *c, env *e, node_id n) {
    if (c->clients.count > 0) return in_nodes(&c->clients, n);
    return strcmp(env_node_role(e, n), "orchestrator") == 0 && !in_nodes(&c->cancel_by, n);
}

static void ords_start(ords_driver *d, env *e) {
    const struct proto_desc *p = env_protocol(e);
    SIM_ASSERT(p != NULL);
    SIM_ASSERT(strcmp(p->name, "saga") == 0);   /* only saga lists order-saga */
    d->cfg = env_workload_config(e);
    d->proto = env_proto_config(e);
    SIM_ASSERT(d->cfg != NULL);
    SIM_ASSERT(d->proto != NULL);
    d->started = true;
    d->create_op = d->cancel_op = HIST_NONE;
    node_id self = env_self(e);
    d->creator = is_creator(d->cfg, e, self);
    for (node_id n = 0; n < (node_id)env_node_count(e); n++) {
        if (!is_creator(d->cfg, e, n)) continue;
        if (n < self) d->rank++;
        d->creators++;
    }
    d->cancel = in_nodes(&d->cfg->cancel_by, self) ? CANCEL_IDLE : CANCEL_NONE;
    d->orders = service_at(e, &d->cfg->orders, 0);
    d->payments = service_at(e, &d->cfg->payments, 1);
    d->inventory = service_at(e, &d->cfg->inventory, 2);
    saga_orch_hooks h = { .owner = d, .ended = on_ended };
    saga_orch_init(d->orch, e, &h);
}

static void ords_init(void *state, env *e) {
    ords_driver *d = state;
    SIM_ASSERT(!d->started);
    ords_start(d, e);
    if (d->creator && d->cfg->iterations > 0) env_timer(e, per_node(&d->cfg->start, e), TAG_START, 0);
    if (d->cancel == CANCEL_IDLE) env_timer(e, d->cfg->cancel_at_ns, TAG_CANCEL, 0);
    SIM_ASSERT(ords_invariants_ok(d));
}

static void ords_on_timer(void *state, env *e, uint32_t tag, uint64_t arg) {
    ords_driver *d = state;
    SIM_ASSERT(ords_invariants_ok(d));
    if (tag >= TXN_TAG_MIN && tag <= TXN_TAG_MAX) {
        bool mine = saga_orch_on_timer(d->orch, e, tag, arg);
        SIM_ASSERT(mine);
    } else if (tag == TAG_START) {
        begin_create(d, e);
    } else {
        SIM_ASSERT(tag == TAG_CANCEL);
        begin_cancel(d, e);
    }
    SIM_ASSERT(ords_invariants_ok(d));
}

static void ords_on_message(void *state, env *e, node_id from, uint32_t type, const void *body,
                            uint32_t len) {
    ords_driver *d = state;
    SIM_ASSERT(ords_invariants_ok(d));
    if (!saga_orch_on_message(d->orch, e, from, type, body, len))
        env_trace(e, "order-saga: ignored a message of type %u", type);
    SIM_ASSERT(ords_invariants_ok(d));
}

/* Jepsen's rule: an op pending when its process crashes completes as info. */
static void ords_on_crash(void *state, env *e) {
    ords_driver *d = state;
    if (!d->started) return;
    SIM_ASSERT(ords_invariants_ok(d));
    env_op_abandon(e, &d->create_op, "orchestrator crashed: outcome unknown");
    env_op_abandon(e, &d->cancel_op, "orchestrator crashed: outcome unknown");
    if (d->creating) d->done++;
    d->creating = false;
    if (d->cancel == CANCEL_RUNNING || d->cancel == CANCEL_AGAIN) d->cancel = CANCEL_DONE;
    saga_orch_crash(d->orch, e);
    SIM_ASSERT(ords_invariants_ok(d));
}

static void ords_on_restart(void *state, env *e) {
    ords_driver *d = state;
    if (!d->started) { ords_init(d, e); return; } /* crashed at 0, before it started */
    SIM_ASSERT(ords_invariants_ok(d));
    saga_orch_restart(d->orch, e);
    if (d->creator && d->done < d->cfg->iterations) env_timer(e, 0, TAG_START, 0);
    SIM_ASSERT(ords_invariants_ok(d));
}


const model_ops ords_driver_ops = {
    .name = "order-saga",
    .state_size = sizeof(ords_driver),
    .init = ords_init,
    .on_message = ords_on_message,
    .on_timer = ords_on_timer,
    .on_crash = ords_on_crash,
    .on_restart = ords_on_restart,
};

/* ------------------------------------------------------------ workload */

#define CFG_AT(field) offsetof(ords_cfg, field)

static const param_spec ords_params[] = {
    PARAM_NODES_SPEC("clients", "",
        "nodes that run CreateOrder sagas (default: the orchestrators not in cancel.by)",
        CFG_AT(clients)),
    PARAM_INT_SPEC("iterations", "1", "CreateOrder sagas per client, one at a time",
        CFG_AT(iterations), 0, 100000),
    PARAM_PER_NODE_DURATION_SPEC("start", "0ms", "when each client starts",
        CFG_AT(start), 0, PARAM_NO_MAX),
    PARAM_PER_NODE_DURATION_SPEC("think", "0ms", "between one saga's end and the next",
        CFG_AT(think), 0, PARAM_NO_MAX),
    PARAM_INT_SPEC("order", "7", "the first order number", CFG_AT(order), 1, 1000000000),
    PARAM_STRING_SPEC("account", "U",
        "the user's account at the payments service (< 12 characters)",
        CFG_AT(account)),
    PARAM_INT_SPEC("amount", "50", "the funds reserved for an order (> 0)",
        CFG_AT(amount), 1, 1000000000),
    PARAM_STRING_SPEC("seat", "12A",
        "the first order's seat; later orders take the next ones in the row (< 12 characters); "
        "none = no seat step (createOrder, reserveFunds as the pivot, approveOrder)",
        CFG_AT(seat)),
    PARAM_NODES_SPEC("orders", "", "the orders service (default: the first service node)",
        CFG_AT(orders)),
    PARAM_NODES_SPEC("payments", "", "the payments service (default: the second service node)",
        CFG_AT(payments)),
    PARAM_NODES_SPEC("inventory", "", "the inventory service (default: the third service node)",
        CFG_AT(inventory)),
    PARAM_INT_SPEC("fail.step", "0",
        "inject a business failure at T1, T2 or T3 of every saga (0 = none)",
        CFG_AT(fail_step), 0, 3),
    PARAM_RATE_SPEC("fail.rate", "0%",
        "or, per saga, with this probability at a step drawn from T1-T3",
        CFG_AT(fail_rate_ppm), 0, PARAM_NO_MAX),
    PARAM_NODES_SPEC("cancel.by", "", "orchestrator nodes that run the user's CancelOrder saga",
        CFG_AT(cancel_by)),
    PARAM_DURATION_SPEC("cancel.at", "10ms", "when the user cancels order `order`",
        CFG_AT(cancel_at_ns), 0, PARAM_NO_MAX),
    PARAM_DURATION_OR_NONE_SPEC("cancel.again_at", "none",
        "when the user tries again if the cancel was refused (none = never)",
        CFG_AT(cancel_again_at_ns), 0, PARAM_NO_MAX),
};

static const char *bad_role(const scn *s, const param_nodes *ns, const char *role) {
    for (uint32_t i = 0; i < ns->count; i++)
        if (strcmp(s->nodes[ns->node[i]].role, role) != 0) return s->nodes[ns->node[i]].name;
    return NULL;
}

static const char *ords_problem(const ords_cfg *c, const scn *s, const char **what, const char **node) {
    static const char *const svc_keys[] = { "orders", "payments", "inventory" };
    const param_nodes *svcs[] = { &c->orders, &c->payments, &c->inventory };
    *node = NULL;
    *what = "1 to 11 characters";
    if (strlen(c->account) == 0 || strlen(c->account) >= SAGA_NAME_MAX) return "account";
    if (strlen(c->seat) == 0 || strlen(c->seat) >= SAGA_NAME_MAX) return "seat";
    for (int k = 0; k < 3; k++) {
        if (svcs[k]->count > 1) { *what = "exactly one service node"; return svc_keys[k]; }
        if ((*node = bad_role(s, svcs[k], "service")) != NULL) { *what = "a service node"; return svc_keys[k]; }
    }
    *what = "orchestrator nodes";
    if ((*node = bad_role(s, &c->clients, "orchestrator")) != NULL) return "clients";
    if ((*node = bad_role(s, &c->cancel_by, "orchestrator")) != NULL) return "cancel.by";
    if (strcmp(c->seat, "none") == 0 && c->fail_step > 2) { *what = "1 or 2 (no seat step), or 0"; return "fail.step"; }
    if (c->cancel_again_at_ns >= 0 && c->cancel_again_at_ns <= c->cancel_at_ns) {
        *what = "a time after cancel.at, or none";
        return "cancel.again_at";
    }
    return NULL;
}

/* A saga runs at least 2 steps, each a request and its reply: at least 4
 * events each. */
static uint64_t ords_events_min(const void *cfg_v, const char **key) {
    const ords_cfg *c = cfg_v;
    SIM_ASSERT(c->iterations >= 0);           /* the table's bounds */
    *key = "iterations";
    return (uint64_t)c->iterations * c->clients.count * 4u;
}

/* Each node in `clients` runs `iterations` CreateOrder ops; cancels come on
 * top, so this never overstates them (family.h). */
static uint64_t ords_ops_max(const void *cfg_v, const scn *s) {
    const ords_cfg *c = cfg_v;
    (void)s;
    return (uint64_t)c->iterations * (c->clients.count > 0 ? c->clients.count : 1u);
}

static int ords_validate(const void *cfg_v, const scn *s, const proto_desc *proto, char *err, size_t err_len) {
    (void)proto;
    const ords_cfg *cfg = cfg_v;
    SIM_ASSERT(cfg != NULL);
    SIM_ASSERT(s != NULL);
    const char *what = NULL, *node = NULL;
    const char *key = ords_problem(cfg, s, &what, &node);
    if (key == NULL) return 0;
    if (node != NULL)
        return param_error(s, &s->workload, key, err, err_len, "invalid %s: '%s' (expected %s)",
                           key, node, what);
    return param_error(s, &s->workload, key, err, err_len, "invalid %s (expected %s)", key, what);
}

/* The words for step (comp: compensation) `step` of a saga that began
 * with this BEGIN effect (value = steps, token = pivot): a cancel-order
 * saga has pivot 1; a create-order saga 3 or 4 steps (create_def). */
static const char *ords_step_words(const hist *h, const hist_effect *begin, bool comp, int64_t step) {
    if (begin == NULL) return comp ? "a compensation" : "a step";
    if (hist_effect_token(h, begin) == 1) return step == 1 ? "the cancel" : step == 2 ? "the cancel's refund" : "the cancel's confirmation";
    if (comp) return step == 1 ? "the order's rejection" : step == 2 ? "the refund" : "a compensation";
    if (step == begin->value) return "the approval";
    return step == 1 ? "the order's creation" : step == 2 ? "the funds' reservation" : "the seat's reservation";
}

static const hist_effect *ords_begin_of(const hist *h, const char *saga) {
    for (uint32_t i = 0; i < h->effect_count; i++)
        if (h->effects[i].kind == HIST_EFF_SAGA_BEGIN && strcmp(h->effects[i].key, saga) == 0)
            return &h->effects[i];
    return NULL;
}

/* Steps and compensations that took effect more than once: "the refund
 * (C2 of s:1) applied twice"; the two that first took effect earliest.
 * The step effects are sorted by (kind, saga, step, place in the history),
 * so a repeat is a run of equal ones: O(n log n). */
typedef struct ords_step { hist_eff_kind kind; const char *saga; int64_t step; uint32_t at; } ords_step;

static int ords_step_cmp(const void *pa, const void *pb) {
    const ords_step *a = pa, *b = pb;
    if (a->kind != b->kind) return a->kind < b->kind ? -1 : 1;
    int c = strcmp(a->saga, b->saga);
    if (c != 0) return c;
    if (a->step != b->step) return a->step < b->step ? -1 : 1;
    return a->at < b->at ? -1 : a->at > b->at;
}

static bool same_step(const ords_step *a, const ords_step *b) {
    return a->kind == b->kind && a->step == b->step && strcmp(a->saga, b->saga) == 0;
}

static bool is_step(const hist_effect *x) {
    return x->kind == HIST_EFF_SAGA_STEP || x->kind == HIST_EFF_SAGA_COMP;
}

static void ords_tell_repeat(const hist *h, uint32_t first, uint32_t times, char *buf, size_t len) {
    const hist_effect *x = &h->effects[first];
    bool comp = x->kind == HIST_EFF_SAGA_COMP;
    wo_add(buf, len, "; %s (%s%" PRId64 " of %s) applied %s", ords_step_words(h, ords_begin_of(h, x->key), comp, x->value),
           comp ? "C" : "T", x->value, x->key, times == 2 ? "twice" : "more than twice");
}

static void ords_repeats(const hist *h, char *buf, size_t len) {
    uint32_t n = 0;
    for (uint32_t i = 0; i < h->effect_count; i++) n += is_step(&h->effects[i]);
    ords_step *st = sim_xcalloc(n + 1u, sizeof *st);
    n = 0;
    for (uint32_t i = 0; i < h->effect_count; i++) {
        const hist_effect *x = &h->effects[i];
        if (is_step(x)) st[n++] = (ords_step){ x->kind, x->key, x->value, i };
    }
    qsort(st, n, sizeof *st, ords_step_cmp);
    uint32_t best[2] = { UINT32_MAX, UINT32_MAX }, times[2] = { 0, 0 };
    for (uint32_t i = 0, j = 0; i < n; i = j) {
        for (j = i + 1; j < n && same_step(&st[i], &st[j]); j++) {}
        if (j - i < 2) continue;
        uint32_t first = st[i].at;               /* a run's first is its earliest */
        if (first < best[0]) { best[1] = best[0]; times[1] = times[0]; best[0] = first; times[0] = j - i; }
        else if (first < best[1]) { best[1] = first; times[1] = j - i; }
    }
    free(st);
    for (int k = 0; k < 2; k++) if (best[k] != UINT32_MAX) ords_tell_repeat(h, best[k], times[k], buf, len);
}

/* workload_desc.outcome: "1 saga: 0 completed, 1 compensated; the refund
 * (C2 of s:1) applied twice; money 150, expected 100: 50 from nowhere". */
static void ords_outcome(const void *cfg_v, const hist *h, const scn *s, char *buf, size_t len) {
    (void)cfg_v;
    (void)s;
    buf[0] = '\0';
    wo_sagas g = wo_sagas_of(h);
    wo_sagas_words(&g, "saga", buf, len);
    ords_repeats(h, buf, len);
    wo_money m = wo_money_of(h, NULL);
    if (m.accounts > 0) wo_money_words(m.now, m.opened, false, buf, len);
}

const workload_desc ords_workload = {
    .name = "order-saga",
    .summary = "Richardson's CreateOrder saga (order, funds, seat, approve) and the user's "
               "CancelOrder; business failures injected at a step or by probability",
    .params = ords_params,
    .param_count = sizeof ords_params / sizeof ords_params[0],
    .cfg_size = sizeof(ords_cfg),
    .driver = &ords_driver_ops,
    .validate = ords_validate,
    .events_min = ords_events_min,
    .ops_max = ords_ops_max,
    .outcome = ords_outcome,
};
