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
    XX(INCR, "incr")

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
    XX(UNBLOCKED, "unblocked")  /* ... and stops */

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

#endif
