/* txn_api.h -- what a transaction protocol's coordinator library offers a
 * workload driver (the `transfer` workload), as lock_api.h does for locks.
 *
 * A protocol that moves money across several nodes (2pc: a coordinator and
 * participants; saga: an orchestrator and services) provides a
 * txn_client_ops through proto_desc.txn_client.  The driver runs on the
 * coordinating node, embeds the library's state, invokes the history op
 * (op_f: TXN or SAGA), calls begin() with the legs of one transfer, and
 * learns the outcome through txn_client_hooks.done.
 *
 * Crashes: the coordinating node's crash ends the client's view of the op
 * (the driver completes it as info, Jepsen's rule) but not the protocol's:
 * on_restart recovers from the library's durable log and finishes what it
 * logged, without calling done for an op from before the crash.
 *
 * Resource nodes hold one account each for transfers (TXN_ACCOUNT), opened
 * with the protocol's `balance` and recorded as BALANCE_INIT / BALANCE
 * (hist.h, the `conservation` check), and answer TXN_MSG_READ: a locking
 * read of that account (SELECT ... FOR UPDATE, then commit), which is how
 * the unrelated transaction X of SCENARIOS.md T3 waits on a locked row.
 *
 * Numbers: library timer tags and message types live in [TXN_TAG_MIN,
 * TXN_TAG_MAX] (2pc 700-799, saga 800-899; 790-799 are the shared read
 * messages below), so a driver's own tags (< 100) never collide.
 */
#ifndef CCSIM_TXN_API_H
#define CCSIM_TXN_API_H

#include "sim/env.h"

#define TXN_TAG_MIN 700u
#define TXN_TAG_MAX 899u

/* The most bytes a library's state may take (the driver embeds it). */
#define TXN_CLIENT_STATE_MAX 16384u
#define TXN_LEGS_MAX 8
#define TXN_ACCOUNT "acct"        /* the account a resource node holds for transfers */

typedef struct txn_leg {
    node_id node;                 /* a resource node */
    int64_t delta;                /* added to its account: < 0 pays, > 0 receives */
} txn_leg;

typedef struct txn_spec {
    uint32_t leg_count;           /* 1..TXN_LEGS_MAX, nodes distinct */
    txn_leg legs[TXN_LEGS_MAX];   /* in order: the payer first */
} txn_spec;

typedef struct txn_client_hooks {
    void *owner;
    /* The transaction begun with begin() ended: HIST_OK (committed /
     * completed), HIST_FAIL (aborted / compensated; why says why) or
     * HIST_INFO (outcome unknown to the library). */
    void (*done)(void *owner, env *e, hist_result r, const char *why);
} txn_client_hooks;

typedef struct txn_client_ops {
    const char *name;
    const char *coordinator_role; /* nodes that run transfers by default */
    const char *resource_role;    /* nodes that hold the accounts */
    hist_f op_f;                  /* the op the driver invokes: TXN or SAGA */
    size_t state_size;            /* <= TXN_CLIENT_STATE_MAX */
    void (*init)(void *lc, env *e, const txn_client_hooks *hooks);
    /* One transaction at a time per driver: begin only after done. */
    void (*begin)(void *lc, env *e, const txn_spec *spec, uint32_t op);
    bool (*on_message)(void *lc, env *e, node_id from, uint32_t type, const void *body,
                       uint32_t len);
    bool (*on_timer)(void *lc, env *e, uint32_t tag, uint64_t arg);
    void (*on_crash)(void *lc, env *e);      /* volatile state goes; the log stays */
    void (*on_restart)(void *lc, env *e);    /* recovery from the log */
} txn_client_ops;

/* ---- the locking read every resource node answers ---- */
enum { TXN_MSG_READ = 790, TXN_MSG_READ_REPLY = 791 };

typedef struct txn_read {
    uint32_t op;                  /* the reader's READ op (history) */
    uint32_t req;                 /* request id, echoed */
    int64_t balance;              /* reply: the balance read */
    uint32_t ok;                  /* reply: 1 = read, 0 = refused (why) */
    char why[40];
} txn_read;

/* One trace line for a read message; false if the type is not one. */
bool txn_describe(uint32_t type, const void *body, uint32_t len, char *buf, size_t buf_len);

/* ---- the transaction vocabulary of the history (hist.h; kinds 770-789) ----
 *
 * 2PC (the `atomicity` check): the coordinator records TXN_BEGIN (op = the
 * TXN op) and TXN_DECIDE, each participant TXN_VOTE and TXN_COMMIT /
 * TXN_ABORT, all with key = the txn ("tm:1") and client = the coordinator.
 * A database records TXN_COMMIT / TXN_ABORT too (key = "T7", txn = 7). */
enum {
    HIST_F_TXN = 770,             /* a 2PC transaction: ok = committed, fail = aborted */
    HIST_EFF_TXN_BEGIN = 771,     /* the coordinator began txn `key`; value = participant node mask */
    HIST_EFF_TXN_VOTE = 772,      /* a participant voted on `key`: value 1 = yes (prepared), 0 = no */
    HIST_EFF_TXN_DECIDE = 773,    /* the coordinator logged its decision: value 1 = commit, 0 =
                                     abort; aux 1 = taken at recovery */
    HIST_EFF_TXN_COMMIT = 774,    /* a participant committed `key`; aux = how (TPC_HOW_*) */
    HIST_EFF_TXN_ABORT = 775,     /* a participant aborted `key`; aux = how (TPC_HOW_*) */
};

/* One of the TXN_* effects above. */
static inline bool txn_is_effect(hist_eff_kind k) {
    return k == HIST_EFF_TXN_BEGIN || k == HIST_EFF_TXN_VOTE || k == HIST_EFF_TXN_DECIDE ||
           k == HIST_EFF_TXN_COMMIT || k == HIST_EFF_TXN_ABORT;
}

#endif
