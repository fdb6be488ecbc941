/* saga.c -- the `saga` protocol descriptor: parameters, roles, input checks,
 * names and trace lines, and the `transfer` workload's view of a saga (the
 * txn_client_ops that turns a transfer into a saga).
 *
 * Invariant: the param table is the only place a saga parameter is named,
 * with its bounds (timeouts and backoff > 0), refused at the key's position.
 * A transfer is the saga  T1 debit(payer) [pivot], T2.. credit(receiver)
 * [retriable]: the step that can fail goes first (the "pessimistic view"
 * countermeasure), so it never needs a compensation.
 */
#include "protocols/saga/saga.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "sim/family.h"

void saga_key(char *buf, size_t len, const char *orch_name, uint32_t seq) {
    sim_fmt_name_seq(buf, len, orch_name, seq);
}

void saga_key_num(char *buf, size_t len, const char *prefix, int64_t n) {
    SIM_ASSERT(buf != NULL);
    SIM_ASSERT(len > 0);
    SIM_ASSERT(prefix != NULL);
    char digits[20];
    uint64_t a = n < 0 ? (uint64_t)(-(n + 1)) + 1u : (uint64_t)n;
    size_t d = 0, at = 0, cap = len - 1;
    do {
        digits[d++] = (char)('0' + a % 10u);
        a /= 10u;
    } while (a != 0);
    for (const char *p = prefix; *p != '\0' && at < cap; p++) buf[at++] = *p;
    if (n < 0 && at < cap) buf[at++] = '-';
    while (d > 0 && at < cap) buf[at++] = digits[--d];
    buf[at] = '\0';
}

const char *saga_cmd_name(uint32_t cmd) {
    static const char *const names[SAGA_CMD_COUNT] = {
        "none", "createOrder", "rejectOrder", "approveOrder", "cancelOrder", "confirmCancel",
        "reserveFunds", "releaseFunds", "reserveSeat", "releaseSeat", "debit", "credit",
    };
    return cmd < SAGA_CMD_COUNT ? names[cmd] : "?";
}

const char *saga_order_state_name(int64_t state) {
    static const char *const names[] = {
        "NONE", "PENDING", "APPROVAL_PENDING", "APPROVED", "REJECTED", "CANCEL_PENDING", "CANCELLED",
    };
    return state >= 0 && state <= SAGA_ORDER_CANCELLED ? names[state] : "?";
}

static const char *result_name(uint32_t r) {
    switch (r) {
    case SAGA_R_OK: return "ok";
    case SAGA_R_SKIP: return "ok (nothing changed)";
    case SAGA_R_REFUSED: return "REFUSED";
    case SAGA_R_COMPLETED: return "COMPLETED";
    default: return "COMPENSATED";
    }
}

bool saga_describe(uint32_t type, const void *body, uint32_t len, char *buf, size_t n) {
    SIM_ASSERT(buf != NULL);
    SIM_ASSERT(n > 0);
    if (type < SAGA_MSG_CMD || type > SAGA_MSG_EVENT || len != sizeof(saga_msg)) return false;
    saga_msg m;
    memcpy(&m, body, sizeof m);
    m.why[sizeof m.why - 1] = '\0';
    const char *tc = m.comp ? "C" : "T";
    if (type == SAGA_MSG_CMD)
        snprintf(buf, n, "saga %" PRIu32 " %s%u %s (attempt %" PRIu32 ")%s", m.seq, tc, m.step,
                 saga_cmd_name(m.cmd), m.attempt, m.chor ? " [choreography]" : "");
    else if (type == SAGA_MSG_REPLY)
        snprintf(buf, n, "saga %" PRIu32 " %s%u reply (attempt %" PRIu32 "): %s%s%s", m.seq, tc, m.step,
                 m.attempt, result_name(m.result), m.why[0] ? ": " : "", m.why);
    else
        snprintf(buf, n, "saga %" PRIu32 " ended: %s%s%s", m.seq, result_name(m.result), m.why[0] ? ": " : "",
                 m.why);
    return true;
}

/* ------------------------------------------------------------ transfer as a saga */

typedef struct saga_tx {
    _Alignas(max_align_t) unsigned char orch[SAGA_ORCH_STATE_MAX];
    txn_client_hooks hooks;
} saga_tx;

_Static_assert(sizeof(saga_tx) <= TXN_CLIENT_STATE_MAX, "saga_tx fits a driver's slot");

static void tx_ended(void *owner, env *e, uint32_t op, hist_result r, const char *why) {
    saga_tx *t = owner;
    SIM_ASSERT(op != HIST_NONE);
    t->hooks.done(t->hooks.owner, e, r, why);
}

static void tx_init(void *lc, env *e, const txn_client_hooks *hooks) {
    saga_tx *t = lc;
    SIM_ASSERT(hooks != NULL);
    SIM_ASSERT(hooks->done != NULL);
    t->hooks = *hooks;
    saga_orch_hooks h = { .owner = t, .ended = tx_ended };
    saga_orch_init(t->orch, e, &h);
}

static void tx_begin(void *lc, env *e, const txn_spec *spec, uint32_t op) {
    saga_tx *t = lc;
    SIM_ASSERT(spec->leg_count >= 2);
    SIM_ASSERT(spec->leg_count <= SAGA_STEPS_MAX);
    saga_def d;
    memset(&d, 0, sizeof d);
    snprintf(d.name, sizeof d.name, "transfer");
    snprintf(d.account, sizeof d.account, "%s", TXN_ACCOUNT);
    d.n = spec->leg_count;
    d.pivot = 1;
    for (uint32_t i = 0; i < spec->leg_count; i++) {
        const txn_leg *l = &spec->legs[i];
        SIM_ASSERT((l->delta < 0) == (i == 0));   /* the payer first */
        d.steps[i] = (saga_step){ .node = l->node, .cmd = i == 0 ? SAGA_CMD_DEBIT : SAGA_CMD_CREDIT,
                                  .kind = i == 0 ? SAGA_PIVOT : SAGA_RETRIABLE,
                                  .amount = (int32_t)(l->delta < 0 ? -l->delta : l->delta) };
    }
    if (!saga_orch_start(t->orch, e, &d, op)) t->hooks.done(t->hooks.owner, e, HIST_FAIL, "saga table full");
}

static bool tx_on_message(void *lc, env *e, node_id from, uint32_t type, const void *body, uint32_t len) {
    saga_tx *t = lc;
    return saga_orch_on_message(t->orch, e, from, type, body, len);
}

static bool tx_on_timer(void *lc, env *e, uint32_t tag, uint64_t arg) {
    saga_tx *t = lc;
    return saga_orch_on_timer(t->orch, e, tag, arg);
}

static void tx_crash(void *lc, env *e) { saga_orch_crash(((saga_tx *)lc)->orch, e); }
static void tx_restart(void *lc, env *e) { saga_orch_restart(((saga_tx *)lc)->orch, e); }

const txn_client_ops saga_txn_client = {
    .name = "saga-orchestrator",
    .coordinator_role = "orchestrator",
    .resource_role = "service",
    .op_f = HIST_F_SAGA,
    .state_size = sizeof(saga_tx),
    .init = tx_init,
    .begin = tx_begin,
    .on_message = tx_on_message,
    .on_timer = tx_on_timer,
    .on_crash = tx_crash,
    .on_restart = tx_restart,
};

/* ------------------------------------------------------------ the protocol */

#define CFG_AT(field) offsetof(saga_cfg, field)

static const param_spec saga_params[] = {
    PARAM_ENUM_SPEC("coordination", "orchestration",
        "orchestration (an orchestrator sends every command) or choreography (services pass the "
        "saga on; no timeouts, no retries)",
        CFG_AT(coordination), "orchestration|choreography"),
    PARAM_ENUM_SPEC("log", "durable",
        "the orchestrator's saga log: durable (survives a crash: the saga resumes) or memory",
        CFG_AT(log), "durable|memory"),
    PARAM_DURATION_SPEC("timeout", "100ms", "per attempt: no reply in time = timed out",
        CFG_AT(timeout_ns), SIM_NS, PARAM_NO_MAX),
    PARAM_DURATION_SPEC("backoff", "100ms",
        "wait before the 2nd attempt; later ones x backoff.factor",
        CFG_AT(backoff_ns), SIM_NS, PARAM_NO_MAX),
    PARAM_INT_SPEC("backoff.factor", "2", "growth of the backoff per attempt",
        CFG_AT(backoff_factor), 1, 1000),
    PARAM_INT_SPEC("retry.max", "-1",
        "retries of a compensation or retriable step before giving up (-1 = forever)",
        CFG_AT(retry_max), -1, 1000000),
    PARAM_BOOL_SPEC("idempotent", "true",
        "services remember (saga, step, direction) and do not apply a redelivery again",
        CFG_AT(idempotent)),
    PARAM_BOOL_SPEC("tombstone", "false",
        "a compensation leaves a tombstone; the step arriving after it is refused",
        CFG_AT(tombstone)),
    PARAM_BOOL_SPEC("semantic_lock", "false",
        "orders carry *_PENDING states that cancels respect; approve checks the state",
        CFG_AT(semantic_lock)),
    PARAM_PER_NODE_DURATION_SPEC("step_time", "0ms",
        "service time of a step, one command at a time: 0ms, or per service {p: 150ms}",
        CFG_AT(step_time), 0, PARAM_NO_MAX),
    PARAM_PER_NODE_DURATION_SPEC("compensation_time", "0ms",
        "service time of a compensation: 0ms, or per service {p: 150ms}",
        CFG_AT(compensation_time), 0, PARAM_NO_MAX),
    PARAM_INT_SPEC("balance", "100", "opening balance of an account",
        CFG_AT(balance), 0, CONFIG_AMOUNT_MAX),
};

/* A choreography plan names a service in an int8_t (saga_plan_step). */
static int saga_validate(const void *cfg, const scn *s, char *err, size_t err_len) {
    (void)cfg;
    for (uint32_t i = INT8_MAX + 1; i < s->node_count; i++) {
        if (strcmp(s->nodes[i].role, "service") != 0) continue;
        scn_errorf(err, err_len, s->path, s->nodes[i].pos, "service '%.64s' is node %u (expected "
                   "services among the first %d nodes: a choreography plan names them in one "
                   "byte; list the services first)", s->nodes[i].name, i + 1, INT8_MAX + 1);
        return -1;
    }
    return 0;
}

static const proto_desc saga_proto = {
    .name = "saga",
    .summary = "sagas over services with local transactions: orchestration or choreography, "
               "compensations, retries with backoff, durable or in-memory log, idempotence, "
               "semantic lock, tombstones",
    .params = saga_params,
    .param_count = sizeof saga_params / sizeof saga_params[0],
    .cfg_size = sizeof(saga_cfg),
    .roles = {
        { "orchestrator", NULL, 1, SIM_NODES_MAX,
          "one or more orchestrators (the workload runs on them)", NULL },
        { "service", &saga_service_ops, 1, SIM_NODES_MAX,
          "the services: orders, payments, inventory, banks", NULL },
        { "client", NULL, 0, SIM_NODES_MAX,
          "other clients: the transfer workload's readers (transaction X)", NULL },
    },
    .role_count = 3,
    .workloads = { "order-saga", "transfer", NULL },
    .checks = { "saga", "conservation", "liveness", NULL },
    .txn_client = &saga_txn_client,
    .validate = saga_validate,
};

/* The timeline's labels of the SAGA_* marks. */
static void label_step(const hist_effect_fields *e, const char *client, char *b, size_t n) {
    (void)client;
    snprintf(b, n, "step %lld", (long long)e->value);
}

static void label_comp(const hist_effect_fields *e, const char *client, char *b, size_t n) {
    (void)client;
    snprintf(b, n, "undo step %lld", (long long)e->value);
}

static void label_refuse(const hist_effect_fields *e, const char *client, char *b, size_t n) {
    (void)client;
    snprintf(b, n, "refuses step %lld", (long long)e->value);
}

static void label_end(const hist_effect_fields *e, const char *client, char *b, size_t n) {
    (void)client;
    snprintf(b, n, "%s %s", e->key, e->value == 1 ? "completed" : e->value == 2 ? "compensated"
                                                                                 : "gave up");
}

static const hist_kind_def saga_ops[] = {
    { .kind = HIST_F_SAGA, .name = "saga" },
    { .name = NULL },
};

static const hist_kind_def saga_effects[] = {
    { .kind = HIST_EFF_SAGA_BEGIN, .name = "saga-begin", .mark = HIST_MARK_DIAMOND,
      .mark_rgb = HIST_MARK_GREY, .label = hist_label_key },
    { .kind = HIST_EFF_SAGA_STEP, .name = "saga-step", .mark = HIST_MARK_SQUARE,
      .label = label_step },
    { .kind = HIST_EFF_SAGA_COMP, .name = "saga-comp", .mark = HIST_MARK_TRI,
      .mark_rgb = 0x9d4eddu, .label = label_comp },
    { .kind = HIST_EFF_SAGA_SKIP, .name = "saga-skip" },
    { .kind = HIST_EFF_SAGA_REFUSE, .name = "saga-refuse", .mark = HIST_MARK_CROSS,
      .mark_rgb = 0xe07000u, .label = label_refuse },
    { .kind = HIST_EFF_SAGA_END, .name = "saga-end", .mark = HIST_MARK_DIAMOND,
      .mark_rgb = HIST_MARK_GREY, .label = label_end },
    { .kind = HIST_EFF_STATE, .name = "state" },
    { .name = NULL },
};

/* Orchestrator and service messages, and their timers. */
static const proto_desc *const saga_protocols[] = { &saga_proto, NULL };

const family_desc saga_family = {
    .name = "saga",
    .msgs = { { 800, 819 } },
    .tags = { { 820, 859 } },
    .describe = saga_describe,
    .protocols = saga_protocols,
    .kinds = { { 800, 819 } },
    .ops = saga_ops,
    .effects = saga_effects,
};
