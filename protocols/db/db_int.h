/* db_int.h -- the db node's state, shared by the files of protocols/db/
 * (not an interface: workloads see db.h only).
 *
 *   db_node.c   the model: load, sessions, the inbox (writes before reads),
 *               the request executor, replies, timers
 *   db_stmt.c   one statement: SELECT, SCAN, UPDATE, INSERT (per flavor)
 *   db_txn.c    transactions: begin, versions and visibility, commit,
 *               abort, SSI (PostgreSQL serializable)
 *   db_lock.c   row and predicate locks, FIFO waiters, deadlock detection,
 *               lock timeouts
 *   db_log.c    the SQL statement log (`ccsim run --emit sql`, docs/sql-log.md)
 *
 * Sessions.  A session has a slot while it has state: a request, an open
 * transaction, a failed transaction block, a SQL log record open; an idle
 * one is released after its reply, and a request on it later finds a fresh
 * one (nothing is left to tell them apart), so the slots bound the
 * sessions at work at once, not the clients a run has (a flash sale of
 * 1 000 000 buyers).  session_index maps (node, session id) to the slot
 * (linear probing, half full at most).
 *
 * Storage.  Rows keep their versions newest first (db_version.older); a
 * version is committed when commit_seq != 0.  Snapshots are commit
 * sequence numbers: a snapshot s sees the committed versions with
 * commit_seq <= s, plus the transaction's own.  Versions no snapshot can
 * see any more are freed at each commit.
 *
 * Invariant (db_invariants_ok): every active transaction's uncommitted
 * versions are the newest of their rows and it holds the X lock there; a
 * row's waiters are waiting transactions that name the row; lock holder
 * counts match the holders' lists; a waiting transaction is on exactly one
 * queue (a row's, or the predicate waiters').
 */
#ifndef CCSIM_DB_INT_H
#define CCSIM_DB_INT_H

#include "protocols/db/db.h"

#define DB_ROWS_MAX       1024
#define DB_VERSIONS_MAX   (1u << 15)
#define DB_TXNS_MAX       4096
#define DB_SESSIONS_MAX   4096      /* sessions with state at once (idle ones are released) */
#define DB_SESSION_INDEX  (2 * DB_SESSIONS_MAX)   /* (node, session) -> slot (power of two) */
#define DB_INBOX_MAX      4096
#define DB_HELD_MAX       32        /* locks one transaction holds (max_locks_per_transaction) */
#define DB_SIREAD_MAX     8192      /* SSI read marks kept */
#define DB_PREDLOCKS_MAX  256       /* predicate locks (2PL serializable, InnoDB next-key) */
#define DB_CONFLICTS_MAX  8         /* SSI rw-conflicts kept per transaction, each way */
#define DB_PWAIT_MAX      256       /* transactions waiting on a predicate lock */
#define DB_BLOCKERS_MAX   4         /* what a predicate waiter waits on */

/* Timer tags of the db node. */
enum { DB_TAG_FLUSH = 500, DB_TAG_DEADLOCK = 501, DB_TAG_LOCK_TIMEOUT = 502 };

typedef struct db_version {
    int64_t value;
    int64_t number;            /* install count on the row: 1 = as loaded */
    uint64_t commit_seq;       /* 0 = not committed yet */
    uint32_t txn;              /* installer's id, 0 = the loaded data */
    int32_t older;             /* next older version, -1 = none; free list link when free */
    bool used;
    bool deleted;              /* a DELETE's tombstone: the row is absent from here on */
} db_version;

typedef struct db_row {
    uint8_t table;
    int64_t id;
    char key[SIM_NAME_MAX];
    int32_t newest;            /* version index, -1 = no version (an insert rolled back) */
    int64_t installs;          /* versions installed so far */
    int32_t x_holder;          /* txn slot holding FOR UPDATE / write, -1 = none */
    uint16_t s_count;          /* FOR SHARE holders */
    int32_t wait_head, wait_tail;   /* waiting txn slots, FIFO via db_txn.wait_next */
} db_row;

typedef enum { DB_TX_FREE = 0, DB_TX_ACTIVE, DB_TX_COMMITTED } db_tx_state;

typedef struct db_held { int32_t row; uint8_t mode; } db_held;   /* mode: db_lock_mode */

typedef struct db_txn {
    uint32_t id;
    db_tx_state state;         /* COMMITTED = kept for SSI after its commit */
    uint32_t active_pos;       /* index in db_node.active while ACTIVE */
    db_isolation iso;
    bool has_snapshot;
    uint64_t snapshot;         /* RR / SER: the transaction's snapshot */
    uint64_t commit_seq;
    int32_t session;           /* its session slot */
    int32_t client;            /* the session's node */
    uint32_t op;               /* the op that began it */
    uint32_t rows_changed;     /* with the locks held, InnoDB's deadlock victim weight */
    bool queried;              /* a statement has run in it (PostgreSQL's FirstSnapshotSet) */
    db_held held[DB_HELD_MAX];
    uint32_t held_count;
    /* waiting for a lock */
    bool waiting;
    bool wait_pred;            /* on a predicate lock (else on wait_row's queue) */
    int32_t wait_row;
    uint8_t wait_mode;
    int32_t wait_next;         /* next waiter on the row, -1 */
    uint32_t wait_seq;         /* bumped per wait: stale timers are ignored */
    timer_id deadlock_timer, timeout_timer;
    int32_t blockers[DB_BLOCKERS_MAX];   /* predicate waits: the txns in the way */
    uint32_t blocker_count;
    char blocked_key[SIM_NAME_MAX];      /* the BLOCKED effect's key */
    /* SSI (PostgreSQL serializable) */
    bool doomed;               /* chosen as a victim while not running: fails next */
    uint32_t in_from[DB_CONFLICTS_MAX], out_to[DB_CONFLICTS_MAX];   /* txn ids */
    uint32_t in_count, out_count;
} db_txn;

typedef struct db_session {
    bool used;
    int32_t node;
    uint32_t sid;
    int32_t txn;               /* the open transaction's slot, -1 = none */
    bool busy;                 /* a request is in progress */
    bool queued;               /* on the ready queue */
    db_req req;
    uint8_t next;              /* the statement to run next */
    bool stmt_started;
    uint64_t stmt_snap;        /* the running statement's snapshot (read committed) */
    uint32_t stmt_held;        /* its transaction's held_count when it began: the locks
                                  at held[stmt_held..] are the ones it took */
    bool began_here;           /* the request began the transaction (autocommit) */
    bool aborted_block;        /* postgres: a statement failed in BEGIN..COMMIT; 25P02 until ROLLBACK */
    db_reply reply;
    uint32_t log_seq;          /* the SQL log's number of the running statement, 0 = none */
    uint32_t log_txn;          /* ... the transaction it runs in */
    bool log_blocked;          /* ... and its `block` record is written */
    bool log_auto;             /* an autocommit request's BEGIN is logged, its end not yet */
} db_session;

/* The session's request is one statement that is a transaction of its own
 * (autocommit): a server runs it so with autocommit on, no BEGIN around it
 * (the SQL log sends it bare; InnoDB's serializable reads it without locks). */
static inline bool db_own_txn(const db_session *ss) {
    /* the flag too: began_here is stale when an earlier request's
       transaction is still open (a MySQL 1062 / 1205 inside it kept it) */
    return ss->began_here && ss->req.n == 1 && (ss->req.flags & DB_REQ_AUTOCOMMIT) != 0;
}

typedef struct db_siread {     /* SSI: a transaction read a row, or a predicate */
    uint32_t txn;
    int32_t row;               /* -1 for a predicate */
    uint8_t table;
    uint8_t pred;
    int64_t arg;
} db_siread;

typedef struct db_predlock {   /* 2PL / InnoDB: a predicate read's lock on a table */
    int32_t txn;               /* slot */
    uint8_t table, pred;
    int64_t arg;
} db_predlock;

typedef struct db_node {
    const db_cfg *cfg;
    db_isolation iso;
    db_seed seed;
    db_row rows[DB_ROWS_MAX];
    uint32_t row_count;
    db_version versions[DB_VERSIONS_MAX];
    int32_t version_free;      /* free list head (the versions freed so far), -1 = none */
    uint32_t versions_fresh;   /* versions[versions_fresh..] were never used: they follow
                                  the free list, in order (db_version_take) */
    uint32_t versions_used;
    db_txn txns[DB_TXNS_MAX];
    int32_t active[DB_TXNS_MAX];  /* the ACTIVE slots, in no order (db_txn.active_pos) */
    uint32_t txn_next_id;
    uint32_t txns_live;           /* ACTIVE transactions */
    uint32_t kept;                /* COMMITTED ones kept for SSI */
    uint64_t commit_seq;       /* last commit's sequence number */
    db_session sessions[DB_SESSIONS_MAX];
    uint32_t session_count;         /* slots in use */
    int32_t session_index[DB_SESSION_INDEX];  /* slot, -1 = empty */
    int32_t session_free[DB_SESSIONS_MAX];    /* free slots, a stack */
    uint32_t session_free_count;
    int32_t inbox[DB_INBOX_MAX];    /* session slots with a request, in arrival order */
    uint32_t inbox_count;
    timer_id flush_timer;
    int32_t ready[DB_SESSIONS_MAX]; /* sessions to resume, FIFO ring */
    uint32_t ready_head, ready_count;
    db_siread sireads[DB_SIREAD_MAX];
    uint32_t siread_count;
    db_predlock predlocks[DB_PREDLOCKS_MAX];
    uint32_t predlock_count;
    int32_t pwait[DB_PWAIT_MAX];    /* predicate waiters, in the order they began waiting */
    uint32_t pwait_count;
    /* the rows the last SCAN (or predicate write) returned, in row order: for the reply's
       row list and the SQL log; valid right after the statement ran */
    int64_t out_id[DB_ROWS_MAX], out_value[DB_ROWS_MAX];
    uint32_t out_count;
    uint32_t log_next;              /* the SQL log's statements so far */
    uint64_t stats_commits, stats_aborts;
    uint64_t check_credit;          /* db_invariants_sampled's budget so far */
    uint64_t horizon;               /* the last pruning horizon computed exactly */
    uint64_t horizon_credit;        /* ... and the budget since (db_txn.c prune_horizon) */
    bool horizon_known;
} db_node;

/* Outcome of running a statement. */
typedef enum { DB_RUN_DONE = 0, DB_RUN_BLOCKED, DB_RUN_ERROR } db_run;

/* ---- db.c ---- */
const char *db_pred_symbol(uint32_t pred);       /* "=", "<>", "multiple of" */

/* ---- db_node.c ---- */
bool db_invariants_ok(const db_node *d);
/* db_invariants_ok at an amortized cost of O(1) per call (true when skipped). */
bool db_invariants_sampled(db_node *d);
void db_ready_push(db_node *d, int32_t session);
/* Records an effect for transaction t (txn, client, op filled in). */
void db_effect(db_node *d, env *e, const db_txn *t, hist_eff_kind kind, const char *key,
               int64_t value, int64_t version);
/* ... with aux set (a WRITE's: the value of the version it replaced). */
void db_effect_aux(db_node *d, env *e, const db_txn *t, hist_eff_kind kind, const char *key,
                   int64_t value, int64_t version, int64_t aux);

/* ---- db_log.c (each returns at once when the run records no side log) ---- */
void db_log_head(env *e, const env_side_log_run *run);
/* A statement of session s begins (`stmt`); BEGIN records for implicit beginnings. */
void db_log_stmt(db_node *d, env *e, int32_t s, const db_stmt *st);
void db_log_begin(db_node *d, env *e, int32_t s, db_isolation iso);
/* A BEGIN statement; `again`: sent while a transaction was open (mysql:
 * committed implicitly, so the level cannot be set by SET TRANSACTION;
 * postgres: a BEGIN without a level is sent as plain BEGIN). */
void db_log_begin_stmt(db_node *d, env *e, int32_t s, const db_stmt *st, bool again);
void db_log_commit(db_node *d, env *e, int32_t s);     /* an autocommit request's COMMIT */
/* An autocommit request failed and ccsim rolled its transaction back: ROLLBACK. */
void db_log_auto_rollback(db_node *d, env *e, int32_t s);
void db_log_block(db_node *d, env *e, int32_t s);
/* The running statement returned: its result, or the reply's error. */
void db_log_done(db_node *d, env *e, int32_t s, const db_stmt *st, const db_result *res, bool ok,
                 const char *code, bool rolled_back);
void db_log_tail(void *state, env *e);

/* ---- db_txn.c ---- */
/* A deleted (tombstone) version or none: the row is absent. */
bool db_gone(const db_node *d, int32_t v);
int32_t db_install_tombstone(db_node *d, env *e, db_txn *t, int32_t row);
/* iso: the transaction's level; DEFAULT = the db's. */
int32_t db_txn_begin(db_node *d, env *e, int32_t session, db_isolation iso);
db_txn *db_txn_at(db_node *d, int32_t slot);
int32_t db_txn_find(const db_node *d, uint32_t id);      /* slot, -1 if gone */
void db_take_snapshot(db_node *d, db_txn *t);
/* The version of row r that a read at snapshot `snap` sees for t, -1 = none. */
int32_t db_visible(const db_node *d, const db_row *r, const db_txn *t, uint64_t snap);
/* The newest committed version, or t's own if it wrote the row; -1 = none. */
int32_t db_current(const db_node *d, const db_row *r, const db_txn *t);
/* The newest version whatever its state (dirty reads); -1 = none. */
int32_t db_newest(const db_node *d, const db_row *r);
int32_t db_install(db_node *d, env *e, db_txn *t, int32_t row, int64_t value);
int32_t db_row_find(const db_node *d, uint8_t table, int64_t id);
/* A free version's index, or -1 when all DB_VERSIONS_MAX are in use: the
 * last one freed, else the next never used (so the arena's pages are
 * touched only as the run needs them). */
int32_t db_version_take(db_node *d);
int32_t db_row_add(db_node *d, uint8_t table, int64_t id);
/* Commits t; false (and t aborted with 40001) when SSI refuses. */
bool db_commit(db_node *d, env *e, int32_t slot);
void db_abort(db_node *d, env *e, int32_t slot);
/* SSI: t read row r (or a predicate over table) at its snapshot; t wrote r. */
void db_ssi_read_row(db_node *d, env *e, int32_t slot, int32_t row);
void db_ssi_read_pred(db_node *d, env *e, int32_t slot, uint8_t table, uint8_t pred, int64_t arg);
/* SSI: t wrote row r.  True when the write made t the pivot of a dangerous
 * structure whose out-conflict has committed: PostgreSQL fails the write
 * statement now ("Canceled on identification as a pivot, during write"). */
bool db_ssi_write(db_node *d, env *e, int32_t slot, int32_t row, int64_t old_value, bool had_old,
                  int64_t new_value);
/* True when an SSI conflict doomed t (it must fail with 40001). */
bool db_ssi_doomed(const db_node *d, int32_t slot);
void db_sweep(db_node *d);

/* ---- db_lock.c ---- */
typedef enum { DB_LOCK_GRANTED = 0, DB_LOCK_WAIT, DB_LOCK_FULL } db_lock_result;
db_lock_result db_lock_row(db_node *d, env *e, int32_t slot, int32_t row, db_lock_mode mode);
bool db_holds(const db_node *d, const db_txn *t, int32_t row, db_lock_mode mode);
void db_unlock_row(db_node *d, env *e, int32_t slot, int32_t row);   /* a short S lock */
/* InnoDB at RC / RU: releases t's lock on row, S or X, if the running
 * statement took it (its entry at held[since..]); a lock held before stays. */
void db_unlock_taken(db_node *d, env *e, int32_t slot, int32_t row, uint32_t since);
void db_release_all(db_node *d, env *e, int32_t slot);
/* Predicate locks (2PL serializable, InnoDB next-key): take one; is an
 * insert/update of table to `value` blocked by another's?  (-1 = no) */
bool db_predlock_add(db_node *d, int32_t slot, uint8_t table, uint8_t pred, int64_t arg);
int32_t db_predlock_conflict(const db_node *d, int32_t slot, uint8_t table, int64_t value);
void db_wait_pred(db_node *d, env *e, int32_t slot, int32_t blocker, int32_t row);
/* The wait ended (granted, timed out, aborted): unlink, cancel timers, UNBLOCKED. */
void db_wait_end(db_node *d, env *e, int32_t slot);
void db_on_deadlock_timer(db_node *d, env *e, uint64_t arg);
void db_on_lock_timeout(db_node *d, env *e, uint64_t arg);
/* After a transaction ended: predicate waiters re-run their statements. */
void db_wake_pred_waiters(db_node *d);

/* ---- db_stmt.c ---- */
db_run db_exec_stmt(db_node *d, env *e, int32_t session, const db_stmt *st, db_result *res,
                    char code[8]);

/* ---- errors ---- */
/* Fails the running statement of t with `code`; aborts t unless the flavor
 * keeps the transaction (MySQL 1205/1062, but not in a statement that is a
 * transaction of its own: db_own_txn).  Returns DB_RUN_ERROR. */
db_run db_fail(db_node *d, env *e, int32_t slot, const char *code, char out[8]);

#endif
