/* hist.h -- the run's history: client operations and resource effects.
 *
 * This is what checkers read, what reports write (history.edn, story.txt)
 * and what the timeline draws.  Everything is stamped in TRUE time by the
 * engine; nodes' local clock readings are kept beside it where they matter
 * for the story ("the lock expired on redis1 at 10.001 s by its clock").
 *
 * Operations (DESIGN.md 3): an invoke and a completion of a client-visible
 * operation.  A completion is ok, fail (did not happen) or info (outcome
 * unknown); an op still pending at the horizon has result HIST_PENDING.
 *
 * Effects: what the protected resource and the lock service actually did.
 *
 * The lock-counter workload records, per client iteration:
 *   op ACQUIRE (value_out = fencing token or 0, epoch = the lock epoch on ok)
 *   op READ    (value_out = the counter read; epoch, token carried)
 *   op WRITE   (value_in = read + 1; ok = storage accepted it; fail with
 *               note "stale token" when fencing rejected it; info on timeout)
 *   op RELEASE (ok = the lock service deleted our key; fail = it was not ours)
 * and the storage node records effects EFF_READ / EFF_WRITE (applied) and
 * EFF_REJECT (a fenced write refused), each with the epoch and token the
 * request carried.  Epochs number successful acquisitions 1, 2, 3... in the
 * true-time order in which the clients learned of them.
 *
 * Money (the `conservation` check; DB transfers, 2PC, sagas, payments):
 * every resource that holds accounts records HIST_EFF_BALANCE_INIT once per
 * account when it starts (key = account name, value = opening balance, in
 * integer cents or units) and HIST_EFF_BALANCE each time a committed change
 * sets an account's balance (value = the new balance).  Conservation: the
 * sum over (node, key) of the last BALANCE (or the INIT) equals the sum of
 * the INITs, plus the external deposits/withdrawals the workload declares.
 *
 * Blocking (the `liveness` check's blocked windows; 2PC in doubt, lock
 * waits, deadlocks): HIST_EFF_BLOCKED when a node starts waiting on
 * something it cannot decide alone (key = what it waits for, e.g. "txn 7",
 * client = the node it waits on or -1), HIST_EFF_UNBLOCKED with the same
 * key when the wait ends.  A window still open at the horizon counts to
 * the horizon.
 *
 * Leases (Redlock, lease-lock): when a lock client is granted the lock it
 * records HIST_EFF_LEASE at its own node (client = itself, value = the
 * validity left by its clock in ns, aux = the lease's end on its monotonic
 * clock): what the client believed, next to what the lock service held.
 *
 * Transactions (2PC, the `atomicity` check; protocols/twopc/twopc.h): the
 * coordinator records TXN_BEGIN (op = the TXN op) and TXN_DECIDE, each
 * participant TXN_VOTE and TXN_COMMIT / TXN_ABORT, all with key = the txn
 * ("tm:1") and client = the coordinator.  Sagas (the `saga` check;
 * protocols/saga/saga.h): the orchestrator records SAGA_BEGIN and SAGA_END,
 * each service SAGA_STEP / SAGA_COMP / SAGA_SKIP / SAGA_REFUSE (key = the
 * saga, value = the step, token = the attempt, op = the SAGA op, client =
 * the orchestrator) and STATE for the entities it changes (key = the
 * entity, client = the orchestrator, epoch = the saga's number there).
 *
 * Databases (the `db` protocol, protocols/db/db.h; checks isolation,
 * oversell, double-booking, lost-update, conservation): the db node records
 * every transaction's item reads (READ: key = row "acct:1", value, version =
 * the row version read, txn), writes (WRITE: the version it installed),
 * predicate reads (PRED_READ: key = table, pred/aux = the predicate, value =
 * rows matched; then one READ per matching row and one PRED_SEEN per visible
 * row that did not match, at the same instant), TXN_COMMIT / TXN_ABORT
 * (key = "T7", txn = 7), DB_ERROR for a failed statement (key = SQLSTATE or
 * MySQL error, value 1 = the transaction was rolled back), BALANCE_INIT and
 * BALANCE for the numeric rows of its ledger tables (stock, accounts), and
 * BLOCKED / UNBLOCKED around each lock wait (key = "T7 waits acct:1",
 * client = the lock holder's client).  Row versions count installs on a
 * row: 1 is the loaded row; a version no WRITE installed was loaded (txn 0).
 * Application ops (BUY, BOOK, TRANSFER, ...) name the row or account they
 * change in key, the change in delta, and the account credited with -delta
 * in key2 ("" = outside the system: a withdrawal, a deposit, a sale); a
 * client that runs an op again after a failed attempt records RETRY (value
 * = the attempt starting, key = why).  Payment APIs record BALANCE of the
 * account they charge; rate limiters record ADMIT / REFUSE per request
 * (value = the limit, aux = the window in ns).
 *
 * Extending this file: append new HIST_F_* / HIST_EFF_* entries at the end
 * of their X-macro tables and new fields at the end of the structs; never
 * reorder or rename (reports and checkers depend on the names).
 *
 * Invariant: ops[i].id == i; effects are appended in true-time order;
 * an op's complete_ns >= invoke_ns.  Bounds: HIST_OPS_MAX and
 * HIST_EFFECTS_MAX; reaching one ends the run with an error naming the
 * bound (the `duration` or `iterations` keys raise the volume).
 */
#ifndef CCSIM_HIST_H
#define CCSIM_HIST_H

#include "sim/base.h"

#define HIST_OPS_MAX      (1u << 22)
#define HIST_EFFECTS_MAX  (1u << 22)
#define HIST_NOTE_MAX     48
#define HIST_NONE         UINT32_MAX     /* "no op" in hist_effect.op */

typedef enum {
    HIST_PENDING = 0, HIST_OK, HIST_FAIL, HIST_INFO
} hist_result;

#define HIST_F_MAP(XX)                      \
    XX(ACQUIRE, "acquire")                  \
    XX(RELEASE, "release")                  \
    XX(READ, "read")                        \
    XX(WRITE, "write")                      \
    XX(CAS, "cas")                          \
    XX(INCR, "incr")                        \
    XX(TXN, "txn")        /* a 2PC transaction: ok = committed, fail = aborted */ \
    XX(SAGA, "saga")      /* a saga: ok = completed, fail = compensated */ \
    XX(BUY, "buy")        /* flash sale: ok = order confirmed, fail = rejected */ \
    XX(BOOK, "book")      /* seat booking: ok = the user was told "booked" */ \
    XX(TRANSFER, "transfer")  /* move delta between key and key2 (withdraw, deposit) */ \
    XX(AUDIT, "audit")    /* a read-only transaction; value = what it saw */ \
    XX(OFF_CALL, "off-call")  /* a doctor asks to go off call: ok = went off */ \
    XX(CHARGE, "charge")  /* a payment: ok = the client got a charge (value = its id) */ \
    XX(REQUEST, "request")    /* a rate-limited request: ok = admitted, fail = 429 */

typedef enum {
#define XX(name, str) HIST_F_##name,
    HIST_F_MAP(XX)
#undef XX
    HIST_F_COUNT
} hist_f;

typedef struct hist_op {
    uint32_t id;
    int32_t node;            /* client node index */
    uint32_t process;        /* Jepsen :process, = index of the client in the workload */
    hist_f f;
    hist_result result;
    sim_time invoke_ns;      /* true time */
    sim_time complete_ns;    /* true time, SIM_TIME_NEVER while pending */
    sim_time invoke_local_ns;   /* the client's wall clock at invoke */
    int64_t value_in;        /* write: value written; cas: new value */
    int64_t value_out;       /* read: value read; acquire: token */
    bool has_value_in, has_value_out;
    int64_t epoch;           /* lock epoch the op ran under, 0 = none */
    int64_t token;           /* fencing token carried, 0 = none */
    char note[HIST_NOTE_MAX];   /* why it failed, e.g. "stale token 33 < 34" */
    char key[SIM_NAME_MAX];  /* db ops: the row/account it changes, "" = none */
    char key2[SIM_NAME_MAX]; /* db ops: the account credited with -delta, "" = outside */
    int64_t delta;           /* db ops: the change to key it asks for (buy: -qty) */
} hist_op;

#define HIST_EFF_MAP(XX)                                                    \
    XX(READ, "read")            /* resource applied a read */               \
    XX(WRITE, "write")          /* resource applied a write */              \
    XX(REJECT, "reject")        /* resource refused a write (fencing) */    \
    XX(LOCK_SET, "lock-set")    /* lock service granted a key */            \
    XX(LOCK_EXTEND, "lock-extend")                                          \
    XX(LOCK_DEL, "lock-del")    /* lock key deleted by a client */          \
    XX(LOCK_EXPIRE, "lock-expire")  /* lock key expired by the node's clock */\
    XX(LOCK_LOST, "lock-lost")  /* key lost by a crash without persistence */ \
    XX(BALANCE_INIT, "balance-init") /* an account's opening balance */     \
    XX(BALANCE, "balance")      /* an account's balance after a committed change */ \
    XX(BLOCKED, "blocked")      /* a node starts blocking (in doubt, lock wait) */ \
    XX(UNBLOCKED, "unblocked")  /* ... and stops */                     \
    XX(LEASE, "lease")          /* a lock client's lease at its grant (Redlock validity) */ \
    XX(TXN_BEGIN, "txn-begin")  /* 2PC coordinator began txn `key`; value = participant node mask */ \
    XX(TXN_VOTE, "txn-vote")    /* participant voted on `key`: value 1 = yes (prepared), 0 = no */ \
    XX(TXN_DECIDE, "txn-decide") /* coordinator logged its decision: value 1 = commit, 0 = abort */ \
    XX(TXN_COMMIT, "txn-commit") /* participant committed `key`; aux = how (TPC_HOW_*) */ \
    XX(TXN_ABORT, "txn-abort")  /* participant aborted `key`; aux = how (TPC_HOW_*) */ \
    XX(SAGA_BEGIN, "saga-begin") /* orchestrator began saga `key`: value = steps, token = pivot */ \
    XX(SAGA_STEP, "saga-step")  /* a service applied step `value` of saga `key` */ \
    XX(SAGA_COMP, "saga-comp")  /* a service applied the compensation of step `value` */ \
    XX(SAGA_SKIP, "saga-skip")  /* a service ran step/compensation `value` and changed nothing */ \
    XX(SAGA_REFUSE, "saga-refuse") /* a service refused step `value` (business rule...) */ \
    XX(SAGA_END, "saga-end")    /* orchestrator ended saga `key`: value 1 completed, 2 compensated, 3 gave up */ \
    XX(STATE, "state")          /* an entity `key` changed state: value = new, token = old */ \
    XX(PRED_READ, "pred-read")  /* db: a predicate read of table `key` (pred, aux); value = rows matched */ \
    XX(PRED_SEEN, "pred-seen")  /* db: ... a visible row it looked at that did not match */ \
    XX(DB_ERROR, "db-error")    /* db: a statement failed; key = SQLSTATE; value 1 = txn rolled back */ \
    XX(RETRY, "retry")          /* a client runs op again: value = attempt, key = why */ \
    XX(ADMIT, "admit")          /* rate limiter admitted a request: value = limit, aux = window ns */ \
    XX(REFUSE, "refuse")        /* rate limiter refused a request (429) */ \
    XX(PROMOTE, "promote")      /* a replica became a master (failover); value = its replication offset */

typedef enum {
#define XX(name, str) HIST_EFF_##name,
    HIST_EFF_MAP(XX)
#undef XX
    HIST_EFF_COUNT
} hist_eff_kind;

typedef struct hist_effect {
    hist_eff_kind kind;
    sim_time t_ns;           /* true time */
    sim_time local_ns;       /* the acting node's wall clock at t_ns */
    int32_t node;            /* the node where it happened (storage, redis) */
    int32_t client;          /* client node the effect is for, -1 if none */
    uint32_t op;             /* op that caused it, HIST_NONE if none */
    int64_t epoch;           /* epoch carried, 0 = none */
    int64_t token;           /* fencing token carried, 0 = none */
    int64_t value;           /* value read/written; for locks the expiry (local ns) */
    char key[SIM_NAME_MAX];  /* resource or lock key */
    int64_t aux;             /* kind-specific: LEASE = the lease's end on the client's
                                monotonic clock (ns); LOCK_LOST = 1 when the node had
                                persistence and the key was not yet fsynced, else 0;
                                TXN_DECIDE = 1 when taken at recovery; TXN_COMMIT /
                                TXN_ABORT = TPC_HOW_*; SAGA_SKIP / SAGA_REFUSE =
                                SAGA_WHY_*; STATE = 1 when the write checked the old
                                state (conditional), 0 when blind */
    uint32_t txn;            /* db: the transaction (1, 2, ...), 0 = none / the loaded data */
    uint32_t pred;           /* db PRED_READ: the predicate's operator (hist_pred), with aux */
    int64_t version;         /* db READ/WRITE/PRED_SEEN/BALANCE: the row version */
} hist_effect;

typedef struct hist {
    hist_op *ops;
    uint32_t op_count, op_cap;
    hist_effect *effects;
    uint32_t effect_count, effect_cap;
    int64_t epoch_next;      /* next lock epoch to hand out, starts at 1 */
    int64_t initial_value;   /* the counter's initial value */
} hist;

void hist_init(hist *h);
void hist_free(hist *h);
/* Appends; false when a bound is reached (the caller ends the run). */
bool hist_add_op(hist *h, const hist_op *op, uint32_t *id_out);
bool hist_add_effect(hist *h, const hist_effect *e);
const char *hist_f_name(hist_f f);
const char *hist_result_name(hist_result r);     /* "ok" "fail" "info" "pending" */
const char *hist_eff_name(hist_eff_kind k);

/* Predicates of db PRED_READ effects: a row matches when (value OP aux)
 * holds; MOD0 is `value % aux = 0`.  Shared by the db node and the
 * isolation check, so both mean the same rows. */
typedef enum {
    HIST_PRED_ALL = 0, HIST_PRED_EQ, HIST_PRED_NE, HIST_PRED_LT, HIST_PRED_LE,
    HIST_PRED_GT, HIST_PRED_GE, HIST_PRED_MOD0, HIST_PRED_COUNT
} hist_pred;

static inline bool hist_pred_match(uint32_t op, int64_t arg, int64_t value) {
    switch ((hist_pred)op) {
    case HIST_PRED_ALL: return true;
    case HIST_PRED_EQ: return value == arg;
    case HIST_PRED_NE: return value != arg;
    case HIST_PRED_LT: return value < arg;
    case HIST_PRED_LE: return value <= arg;
    case HIST_PRED_GT: return value > arg;
    case HIST_PRED_GE: return value >= arg;
    case HIST_PRED_MOD0: return arg != 0 && (arg == -1 || value % arg == 0);
    case HIST_PRED_COUNT: break;
    }
    return false;
}

#endif
