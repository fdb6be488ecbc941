/* saga.h -- the `saga` protocol: orchestrated (or choreographed) sagas over
 * services that run local transactions (DESIGN.md 4, PROTOCOLS.md 7,
 * SCENARIOS.md G1-G4).
 *
 * Roles: orchestrator (1..N, run by the workload driver -- `order-saga` or
 * `transfer` -- which embeds the orchestrator library below), service
 * (1..N, model saga_service_ops: a database of accounts, holds, orders and
 * seats), client (0..N, the transfer workload's reader X).
 *
 * The model (PROTOCOLS.md 7.2):
 *   - A saga is steps T1..Tn, each a command to one service, which runs it as
 *     a local transaction (committed at once: others see it).  Steps before
 *     the pivot are compensatable (Ci undoes Ti semantically); the pivot is
 *     the last step that can fail on a business rule; later steps are
 *     retriable.
 *   - Orchestration: the orchestrator persists the saga's progress in its
 *     saga log before each command (durable, or in memory: lost in a crash),
 *     sends it, and waits `timeout`.  A refusal of Ti (business rule) or a
 *     timeout of a compensatable Ti starts the compensations, Ci (for a
 *     timeout, the uncertain step included) down to C1, in reverse order.
 *     A timed-out pivot, retriable step or compensation is retried after
 *     backoff, backoff*factor, ... (`retry.max` retries, then the saga gives
 *     up: a human must finish it).  Replies are matched by attempt: a late
 *     reply to a timed-out attempt is ignored.  After a restart a durable
 *     orchestrator re-sends the command it was waiting on.
 *   - Choreography: the first command carries the plan; each service sends
 *     the next command itself (or the compensations on a refusal) and the
 *     last one tells the orchestrator.  No timeouts, no retries: a lost
 *     message stalls the saga, and nobody is watching.
 *   - Services: `idempotent` services remember (saga, step, direction) and
 *     answer a redelivery without running it again; `tombstone`: a
 *     compensation leaves a tombstone and the step arriving after it is
 *     refused; `semantic_lock`: orders carry *_PENDING states that a cancel
 *     must respect, and approve checks the state it overwrites.  Each
 *     command takes step_time (compensation_time for Ci) of the service,
 *     one at a time; a duplicate answered from the idempotency table takes
 *     none.  Accounts open with `balance` the first time a command touches
 *     them; a hold is an account "hold#<order>" (opened at 0).
 *
 * History (hist.h): a SAGA op per saga at its orchestrator (ok = completed,
 * fail = compensated, info = the orchestrator crashed or gave up);
 * SAGA_BEGIN / SAGA_END at the orchestrator; SAGA_STEP, SAGA_COMP,
 * SAGA_SKIP (aux = SAGA_WHY_* | SAGA_AUX_COMP), SAGA_REFUSE (aux =
 * SAGA_WHY_*) and STATE (orders "order#7": value = saga_order_state; seats
 * "seat 12A": value = the owning order, 0 = free) at the services, with key
 * = the saga ("<orchestrator>:<n>"); BALANCE_INIT / BALANCE for money.
 *
 * Parameters (`params:`; defaults from DESIGN.md 4 and SCENARIOS.md G2):
 *   coordination        orchestration | choreography
 *   log                 durable | memory   (the orchestrator's saga log)
 *   timeout             100ms   per attempt
 *   backoff             100ms   before the 2nd attempt; then x backoff.factor
 *   backoff.factor      2
 *   retry.max           -1      retries of a compensation / retriable step; -1 = forever
 *   idempotent          true
 *   tombstone           false
 *   semantic_lock       false
 *   step_time           0ms     service time of a step: one for all, or {p: 150ms}
 *   compensation_time   0ms     service time of a compensation, likewise
 *   balance             100     opening balance of an account
 */
#ifndef CCSIM_SAGA_H
#define CCSIM_SAGA_H

#include "protocols/txn/txn_api.h"
#include "sim/config.h"
#include "sim/env.h"

typedef enum { SAGA_ORCHESTRATION = 0, SAGA_CHOREOGRAPHY } saga_coordination;
typedef enum { SAGA_LOG_DURABLE = 0, SAGA_LOG_MEMORY } saga_log_kind;

typedef struct saga_cfg {
    int coordination;             /* saga_coordination */
    int log;                      /* saga_log_kind */
    sim_time timeout_ns;
    sim_time backoff_ns;
    int64_t backoff_factor;
    int64_t retry_max;            /* -1 = forever */
    bool idempotent;
    bool tombstone;
    bool semantic_lock;
    param_per_node step_time;     /* per service */
    param_per_node compensation_time;
    int64_t balance;
} saga_cfg;

/* ---- what a saga is made of ---- */
typedef enum {
    SAGA_CMD_NONE = 0,
    SAGA_CMD_CREATE_ORDER,        /* order -> PENDING (APPROVAL_PENDING with the semantic lock) */
    SAGA_CMD_REJECT_ORDER,        /* order -> REJECTED (compensates CREATE_ORDER) */
    SAGA_CMD_APPROVE_ORDER,       /* -> APPROVED: blind; semantic lock: only from APPROVAL_PENDING */
    SAGA_CMD_CANCEL_ORDER,        /* -> CANCELLED; semantic lock: -> CANCEL_PENDING, refused while *_PENDING */
    SAGA_CMD_CONFIRM_CANCEL,      /* CANCEL_PENDING -> CANCELLED */
    SAGA_CMD_RESERVE_FUNDS,       /* account -= amount, hold#order += amount; refused if short */
    SAGA_CMD_RELEASE_FUNDS,       /* hold#order back to the account */
    SAGA_CMD_RESERVE_SEAT,        /* seat -> the order; refused if taken (not idempotent: any free seat) */
    SAGA_CMD_RELEASE_SEAT,
    SAGA_CMD_DEBIT,               /* account -= amount; refused if short */
    SAGA_CMD_CREDIT,              /* account += amount */
    SAGA_CMD_COUNT
} saga_cmd;

typedef enum { SAGA_COMPENSATABLE = 0, SAGA_PIVOT, SAGA_RETRIABLE } saga_kind;

typedef enum {
    SAGA_ORDER_NONE = 0, SAGA_ORDER_PENDING, SAGA_ORDER_APPROVAL_PENDING, SAGA_ORDER_APPROVED,
    SAGA_ORDER_REJECTED, SAGA_ORDER_CANCEL_PENDING, SAGA_ORDER_CANCELLED
} saga_order_state;

/* Why a service refused or skipped (aux of SAGA_REFUSE / SAGA_SKIP). */
enum {
    SAGA_WHY_BUSINESS = 1,        /* refused: a business rule (or an injected failure) */
    SAGA_WHY_SEMANTIC_LOCK = 2,   /* refused: the order is *_PENDING in another saga */
    SAGA_WHY_TOMBSTONE = 3,       /* refused: the step's compensation already ran */
    SAGA_WHY_DUPLICATE = 4,       /* skipped: already applied (idempotent) */
    SAGA_WHY_NOTHING = 5,         /* skipped: nothing to undo / to do */
    SAGA_AUX_COMP = 16            /* or-ed into SAGA_SKIP's aux: it was a compensation */
};

#define SAGA_STEPS_MAX 6
#define SAGA_NAME_MAX 12          /* account, seat */

typedef struct saga_step {
    node_id node;                 /* the service */
    uint8_t cmd, comp;            /* saga_cmd; comp = SAGA_CMD_NONE: nothing to compensate */
    uint8_t kind;                 /* saga_kind */
    uint8_t fail;                 /* 1 = an injected business failure: the service refuses it */
    int32_t amount;
} saga_step;

typedef struct saga_def {
    char name[16];                /* "create-order" */
    uint32_t n;                   /* steps, 1..SAGA_STEPS_MAX */
    uint32_t pivot;               /* 1-based; steps before it are compensatable */
    int64_t order;                /* the order the saga is about (order#N, hold#N) */
    char account[SAGA_NAME_MAX];
    char item[SAGA_NAME_MAX];     /* the seat */
    saga_step steps[SAGA_STEPS_MAX];
} saga_def;

/* ---- messages (800-819) and timer tags (820-859) ---- */
enum {
    SAGA_MSG_CMD = 800,           /* orchestrator (or a service, choreography) -> service */
    SAGA_MSG_REPLY,               /* service -> orchestrator */
    SAGA_MSG_EVENT                /* choreography: the last service -> orchestrator: the end */
};

enum { SAGA_R_OK = 0, SAGA_R_SKIP, SAGA_R_REFUSED, SAGA_R_COMPLETED, SAGA_R_COMPENSATED };

/* Choreography: the plan travels with the command; kind has SAGA_PLAN_FAIL
 * or-ed in when the step carries an injected failure. */
typedef struct saga_plan_step { int8_t node; uint8_t cmd, comp, kind; int32_t amount; } saga_plan_step;
#define SAGA_PLAN_FAIL 0x80u

typedef struct saga_msg {
    int32_t orch;                 /* the saga: orchestrator node ... */
    uint32_t seq;                 /* ... and its number there */
    uint32_t op;                  /* the SAGA op (history), HIST_NONE if unknown */
    uint32_t attempt;
    uint8_t step, comp;           /* 1-based step; comp = 1: the compensation */
    uint8_t cmd, result;          /* saga_cmd; replies: SAGA_R_* */
    uint8_t fail, chor, n, pivot; /* injected failure; choreography: the plan follows */
    int32_t amount;
    int64_t order;
    char account[SAGA_NAME_MAX];
    char item[SAGA_NAME_MAX];
    char why[32];                 /* replies: the refusal */
    saga_plan_step plan[SAGA_STEPS_MAX];
} saga_msg;

/* ---- the orchestrator library (saga_orch.c), embedded by a driver ---- */
#define SAGA_ORCH_STATE_MAX 8192u
#define SAGA_ACTIVE_MAX 8         /* sagas in flight (and in the log) per orchestrator */

typedef struct saga_orch_hooks {
    void *owner;
    /* Saga `op` ended (only for sagas begun since the last crash): HIST_OK
     * completed, HIST_FAIL compensated (why), HIST_INFO gave up (why). */
    void (*ended)(void *owner, env *e, uint32_t op, hist_result r, const char *why);
} saga_orch_hooks;

void saga_orch_init(void *orch, env *e, const saga_orch_hooks *hooks);
/* Starts a saga; false when SAGA_ACTIVE_MAX sagas are in flight. */
bool saga_orch_start(void *orch, env *e, const saga_def *def, uint32_t op);
bool saga_orch_on_message(void *orch, env *e, node_id from, uint32_t type, const void *body,
                          uint32_t len);
bool saga_orch_on_timer(void *orch, env *e, uint32_t tag, uint64_t arg);
void saga_orch_crash(void *orch, env *e);
void saga_orch_restart(void *orch, env *e);

extern const model_ops saga_service_ops;
extern const txn_client_ops saga_txn_client;

/* "s:1" */
void saga_key(char *buf, size_t len, const char *orch_name, uint32_t seq);
/* "order#12": prefix then the number, as snprintf(buf, len, "%s%" PRId64, ...) writes it. */
void saga_key_num(char *buf, size_t len, const char *prefix, int64_t n);
const char *saga_cmd_name(uint32_t cmd);                 /* "reserveFunds" */
const char *saga_order_state_name(int64_t state);        /* "APPROVAL_PENDING" */
/* One trace line for a saga message; false if the type is not saga's. */
bool saga_describe(uint32_t type, const void *body, uint32_t len, char *buf, size_t buf_len);

/* ---- the saga vocabulary of the history (hist.h; kinds 800-819) ----
 *
 * The orchestrator records SAGA_BEGIN and SAGA_END, each service
 * SAGA_STEP / SAGA_COMP / SAGA_SKIP / SAGA_REFUSE (key = the saga, value =
 * the step, token = the attempt, op = the SAGA op, client = the
 * orchestrator) and STATE for the entities it changes (key = the entity,
 * client = the orchestrator, epoch = the saga's number there). */
enum {
    HIST_F_SAGA = 800,            /* a saga: ok = completed, fail = compensated */
    HIST_EFF_SAGA_BEGIN = 801,    /* began saga `key`: value = steps, token = pivot */
    HIST_EFF_SAGA_STEP = 802,     /* a service applied step `value` of saga `key` */
    HIST_EFF_SAGA_COMP = 803,     /* a service applied the compensation of step `value` */
    HIST_EFF_SAGA_SKIP = 804,     /* a service ran step/compensation `value` and changed
                                     nothing; aux = SAGA_WHY_* */
    HIST_EFF_SAGA_REFUSE = 805,   /* a service refused step `value`; aux = SAGA_WHY_* */
    HIST_EFF_SAGA_END = 806,      /* ended saga `key`: value 1 completed, 2 compensated, 3 gave up */
    HIST_EFF_STATE = 807,         /* entity `key` changed state: value = new, token = old;
                                     aux 1 = the write checked the old state, 0 = blind */
};

/* One of the SAGA_* effects above (STATE is not: it is the entity's). */
static inline bool saga_is_effect(hist_eff_kind k) {
    return k == HIST_EFF_SAGA_BEGIN || k == HIST_EFF_SAGA_STEP || k == HIST_EFF_SAGA_COMP ||
           k == HIST_EFF_SAGA_SKIP || k == HIST_EFF_SAGA_REFUSE || k == HIST_EFF_SAGA_END;
}

#endif
