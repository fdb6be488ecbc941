/* twopc.h -- the `2pc` protocol: two-phase commit with durable logs
 * (DESIGN.md 4, PROTOCOLS.md 6, SCENARIOS.md T1-T3).
 *
 * Roles: coordinator (1..N, run by the `transfer` driver, which embeds the
 * coordinator library tpc_txn_client), participant (1..N, model
 * tpc_participant_ops: a database holding one account, TXN_ACCOUNT),
 * client (0..N, run by the driver: the unrelated transaction X that reads
 * a participant's row with SELECT ... FOR UPDATE).
 *
 * The model (PROTOCOLS.md 6.1-6.3):
 *   - PREPARE carries the participant's part of the work (its leg).  The
 *     participant takes its account's row lock (waiting FIFO behind the
 *     holder: PostgreSQL's lock_timeout 0 waits forever), checks the rule
 *     (funds; `vote_no`), force-logs PREPARED and votes YES, or votes NO and
 *     aborts (allowed from `working`).
 *   - The coordinator commits only on every YES: it force-logs COMMIT, then
 *     sends COMMIT; a NO or the vote timeout aborts.  Presumed abort: aborts
 *     need no forced record and no acks, commits are acked, END is written
 *     lazily (a crash may lose it: the decision is then re-sent).  Presumed
 *     commit: a forced COLLECTING record (the participants) before PREPARE,
 *     aborts forced and acked, commits not acked.
 *   - A prepared participant is in doubt: it keeps its lock.  When its
 *     decision timeout fires it is BLOCKED (a window in the history): it asks
 *     the coordinator and, with `cooperative`, its peers (a peer that
 *     committed or aborted tells; one that has not voted aborts and says so;
 *     all prepared = no help), and asks again every decision timeout.
 *   - Recovery: a restarted coordinator re-sends every logged decision (under
 *     presumed commit, a COLLECTING record without one becomes ABORT), then
 *     tells every participant RECOVERED with the txns it still has records
 *     of: a participant in doubt on any other txn of that coordinator applies
 *     the presumption (XA does this in two steps: xa_recover, then rollback).
 *     A restarted participant keeps its PREPARED txns and their locks and
 *     asks the coordinator at once.
 *   - Heuristic decision (the negative control): at `heuristic.at` on its
 *     wall clock a participant in `heuristic.nodes` that is still in doubt
 *     commits or aborts on its own, which can break atomicity.
 *   Log writes take no time; "forced" means durable before the next message.
 *
 * History (hist.h): TXN op at the coordinator (ok = committed, fail =
 * aborted, info = the coordinator crashed); effects TXN_BEGIN, TXN_DECIDE
 * (coordinator), TXN_VOTE, TXN_COMMIT / TXN_ABORT with aux = TPC_HOW_*
 * (participants); BALANCE_INIT once per account, BALANCE on each commit;
 * BLOCKED / UNBLOCKED for the in-doubt window (key "in doubt on tm:1",
 * client = the coordinator) and for lock waits (key "acct row, held by tm:1", op =
 * the waiting op).  Txn keys are "<coordinator>:<n>".
 *
 * Parameters (`params:`; defaults from DESIGN.md 4):
 *   presume            abort   abort | commit
 *   vote_timeout       3s      coordinator: no vote in time = abort
 *   decision_timeout   3s      participant: in doubt this long = blocked;
 *                              then it asks again every decision_timeout
 *   resend_every       1s      coordinator: re-send an unacked decision
 *   cooperative        false   in-doubt participants also ask their peers
 *   heuristic          none    none | commit | abort
 *   heuristic.nodes    (all)   participants that take heuristic decisions
 *   heuristic.at       5s      when (the participant's wall clock)
 *   vote_no            []      participants that vote NO (a business rule)
 *   balance            100     opening balance of each participant's account
 *   lock_timeout       none    a lock wait longer than this fails (PG lock_timeout)
 *   max_prepared       -1      PostgreSQL max_prepared_transactions: 0 makes every
 *                              PREPARE fail (PG's default); -1 = no limit
 */
#ifndef CCSIM_TWOPC_H
#define CCSIM_TWOPC_H

#include "protocols/txn/txn_api.h"
#include "sim/config.h"
#include "sim/env.h"

typedef enum { TPC_PRESUME_ABORT = 0, TPC_PRESUME_COMMIT } tpc_presume;
typedef enum { TPC_HEUR_NONE = 0, TPC_HEUR_COMMIT, TPC_HEUR_ABORT } tpc_heuristic;

/* How a participant reached its outcome: aux of TXN_COMMIT / TXN_ABORT. */
enum {
    TPC_HOW_DECISION = 0,         /* the coordinator's decision */
    TPC_HOW_HEURISTIC = 1,        /* on its own, while in doubt (breaks atomicity) */
    TPC_HOW_PEER = 2,             /* learned from a peer (cooperative termination) */
    TPC_HOW_PRESUMED = 3,         /* the coordinator had no record: the presumption */
    TPC_HOW_UNILATERAL = 4,       /* aborted before voting (a NO vote, or a peer asked) */
    TPC_HOW_LOCK_TIMEOUT = 5      /* aborted while waiting for its row lock */
};

typedef struct tpc_cfg {
    int presume;                  /* tpc_presume */
    sim_time vote_timeout_ns;
    sim_time decision_timeout_ns;
    sim_time resend_every_ns;
    bool cooperative;
    int heuristic;                /* tpc_heuristic */
    param_nodes heuristic_nodes;  /* empty = every participant */
    sim_time heuristic_at_ns;     /* on the participant's wall clock */
    param_nodes vote_no;
    int64_t balance;
    sim_time lock_timeout_ns;     /* -1 = wait forever */
    int64_t max_prepared;         /* -1 = no limit */
} tpc_cfg;

/* ---- messages (700-719) and timer tags (720-749) ---- */
enum {
    TPC_MSG_PREPARE = 700,        /* coordinator -> participant: the leg; prepare */
    TPC_MSG_VOTE,                 /* participant -> coordinator: flag 1 = YES */
    TPC_MSG_DECISION,             /* coordinator (or recovery) -> participant: flag 1 = COMMIT */
    TPC_MSG_ACK,                  /* participant -> coordinator: flag = the decision acked */
    TPC_MSG_INQUIRE,              /* in-doubt participant -> coordinator */
    TPC_MSG_PEER_QUERY,           /* in-doubt participant -> peer */
    TPC_MSG_PEER_STATE,           /* peer -> participant: flag = TPC_PEER_* */
    TPC_MSG_RECOVERED             /* restarted coordinator -> every participant; seq = the
                                     last txn it had begun, seqs = those still in its log */
};

enum { TPC_PEER_UNCERTAIN = 0, TPC_PEER_COMMITTED = 1, TPC_PEER_ABORTED = 2 };

#define TPC_LOG_MAX 16            /* coordinator: unfinished txns in its log */

typedef struct tpc_msg {
    int32_t coord;                /* the txn: coordinator node ... */
    uint32_t seq;                 /* ... and its number there */
    uint32_t op;                  /* the TXN op (history), HIST_NONE if unknown */
    uint32_t flag;                /* see the message types */
    uint64_t peers;               /* PREPARE: every participant (bit per node) */
    int64_t delta;                /* PREPARE: this participant's leg */
    uint32_t presume;             /* PREPARE, RECOVERED: tpc_presume */
    uint32_t count;               /* RECOVERED: txns the coordinator still has records of */
    uint32_t seqs[TPC_LOG_MAX];
    char why[40];                 /* VOTE NO: the reason */
} tpc_msg;

extern const model_ops tpc_participant_ops;
extern const txn_client_ops tpc_txn_client;

/* "tm:1" */
void tpc_txn_key(char *buf, size_t len, const char *coord_name, uint32_t seq);
/* One trace line for a 2pc message; false if the type is not 2pc's. */
bool tpc_describe(uint32_t type, const void *body, uint32_t len, char *buf, size_t buf_len);

#endif
