/* db.h -- the `db` protocol: one database node with rows, versions,
 * transactions, isolation levels and row locks, as PostgreSQL, MySQL/InnoDB
 * or a textbook two-phase-locking engine run them (DESIGN.md 4,
 * PROTOCOLS.md 8-9, SCENARIOS.md D1-D11).
 *
 * Roles: db (exactly 1, model db_model_ops), client (1..N, run by the
 * workload's driver: flash-sale, seat-booking, transfer, on-call).
 *
 * Data.  A row is (table, id) -> one integer value, plus a version: the
 * number of installs on the row (1 = the row as loaded, then 2, 3...).
 * The workload says what is loaded (its workload_desc.seed fills a
 * db_seed); row keys in the history are "table:id" ("stock:1", "acct:11111", "seat:12A", "doctor:alice").
 * An optimistic client's "version column" is this version.
 *
 * Requests.  A client sends up to DB_STMTS_MAX statements in one message on
 * a session (one connection); the first statement of a session with no open
 * transaction begins one.  With DB_REQ_AUTOCOMMIT the statements run in a
 * transaction of their own (committed after the last one); otherwise the
 * transaction stays open until a COMMIT or ROLLBACK statement.  The reply
 * carries one result per statement run, or the error that stopped them.
 *
 * Parameters (`params:`; defaults from PROTOCOLS.md 8.3):
 *   flavor                     postgres | mysql | locking (textbook 2PL, no MVCC)
 *   isolation                  default | read-uncommitted | read-committed |
 *                              repeatable-read | serializable; default = the
 *                              flavor's (postgres RC, mysql RR, locking serializable)
 *   deadlock_timeout    1s     postgres/locking: how long a waiter waits before it
 *                              runs the deadlock check; none = never checks
 *   lock_timeout        off    postgres/locking: a lock wait longer than this fails
 *                              the statement (55P03), which aborts the transaction
 *   innodb_lock_wait_timeout 50s  mysql: a lock wait longer than this fails only the
 *                              statement (1205); the transaction stays open
 *   innodb_deadlock_detect true   mysql: detect a cycle as soon as a wait closes it
 *   innodb_rollback_on_timeout false  mysql: a 1205 rolls back the whole transaction
 *
 * Error codes in replies: 40001 serialization failure, 40P01 deadlock,
 * 55P03 lock timeout, 23505 unique violation, 53200 too many locks held,
 * 25P02 a statement sent to a transaction that already failed, 25001 a
 * BEGIN naming another level inside a transaction after a query; MySQL 1205
 * lock wait timeout, 1213 deadlock (rolled back), 1062 duplicate key.
 */
#ifndef CCSIM_DB_H
#define CCSIM_DB_H

#include "sim/config.h"
#include "sim/env.h"

/* Message types (db range 500-599; the db client library's timers use
 * 560-579 and the db node's 500-519). */
#define DB_MSG_REQ   500u
#define DB_MSG_REPLY 501u

#define DB_STMTS_MAX   4
#define DB_TABLES_MAX  8
#define DB_SEED_ROWS_MAX 64
#define DB_TABLE_NAME_MAX 12

typedef enum { DB_FLAVOR_POSTGRES = 0, DB_FLAVOR_MYSQL, DB_FLAVOR_LOCKING } db_flavor;

typedef enum {
    DB_ISO_DEFAULT = 0, DB_ISO_RU, DB_ISO_RC, DB_ISO_RR, DB_ISO_SER
} db_isolation;

typedef enum {
    DB_ST_SELECT = 1,   /* one row by id; lock = FOR SHARE / FOR UPDATE */
    DB_ST_SCAN,         /* SELECT ... WHERE <predicate> over a table: count and sum */
    DB_ST_UPDATE,       /* one row by id: SET value = arg | value + arg [WHERE ...] */
    DB_ST_INSERT,       /* a new row (table, id) = arg */
    DB_ST_COMMIT,
    DB_ST_ROLLBACK,
    DB_ST_BEGIN,        /* begins a transaction at level arg (db_isolation; DEFAULT = the db's);
                           with one open: mysql commits it first, postgres / locking keep it
                           (PostgreSQL's warning; a new level only before its first statement,
                           after one 25001) */
    DB_ST_DELETE,       /* one row by id [WHERE ...]: rows deleted */
    DB_ST_UPDATE_PRED,  /* every row whose value matches where/where_arg: SET value = ... */
    DB_ST_DELETE_PRED   /* every row whose value matches where/where_arg */
} db_stmt_kind;
#define DB_ST_LAST DB_ST_DELETE_PRED

typedef enum { DB_LOCK_NONE = 0, DB_LOCK_SHARE, DB_LOCK_UPDATE } db_lock_mode;
typedef enum { DB_SET_ABS = 0, DB_SET_ADD } db_set_kind;

/* where: a hist_pred on the row's value (HIST_PRED_ALL = no WHERE), or: */
#define DB_WHERE_VERSION 100u   /* WHERE version = where_arg (optimistic CAS) */

typedef struct db_stmt {
    uint8_t kind;        /* db_stmt_kind */
    uint8_t table;       /* index in the seed's tables */
    uint8_t lock;        /* SELECT / SCAN: db_lock_mode */
    uint8_t set;         /* UPDATE: db_set_kind */
    uint8_t where;       /* SELECT / UPDATE: WHERE; SCAN: the predicate (hist_pred) */
    uint8_t pad[3];      /* zero */
    int64_t id;          /* SELECT, UPDATE, INSERT: the row id */
    int64_t arg;         /* UPDATE: the value or the delta; INSERT: the value */
    int64_t where_arg;   /* the WHERE's / predicate's operand */
} db_stmt;

#define DB_REQ_AUTOCOMMIT ((uint8_t)1)

typedef struct db_req {
    uint32_t session;    /* the client's connection; unique per client node */
    uint32_t req;        /* echoed */
    uint32_t op;         /* the client's history op, HIST_NONE if none */
    uint8_t n;           /* statements, 1..DB_STMTS_MAX */
    uint8_t flags;       /* DB_REQ_* */
    uint8_t pad[2];      /* zero */
    db_stmt stmts[DB_STMTS_MAX];
} db_req;

typedef struct db_result {
    int64_t value;       /* SELECT: the value; SCAN: the sum of matching values; UPDATE: new value */
    int64_t version;     /* SELECT: the row version; UPDATE/INSERT: the version installed */
    uint32_t rows;       /* SELECT: 1 = found; SCAN: rows matched; UPDATE/INSERT: rows changed */
    uint32_t pad;        /* zero */
} db_result;

typedef struct db_reply {
    uint32_t session, req, op;   /* echoed */
    uint32_t txn;        /* the transaction the statements ran in, 0 = none */
    uint8_t ok;          /* 1 = every statement ran; 0 = stopped by `code` */
    uint8_t txn_open;    /* 1 = a transaction block is open after this request (it may
                            have failed: postgres then wants a ROLLBACK) */
    uint8_t n;           /* results filled (the statements that ran) */
    uint8_t pad;         /* zero */
    char code[8];        /* "" when ok; SQLSTATE or MySQL error number */
    db_result res[DB_STMTS_MAX];
} db_reply;

_Static_assert(sizeof(db_req) <= ENV_MSG_BODY_MAX, "a db request fits a message");
_Static_assert(sizeof(db_reply) <= ENV_MSG_BODY_MAX, "a db reply fits a message");

/* ---- the data a workload loads before the run ---- */

typedef enum { DB_IDS_NUMBER = 0, DB_IDS_SEAT, DB_IDS_PERSON } db_id_style;

typedef struct db_table_def {
    char name[DB_TABLE_NAME_MAX];
    bool ledger;         /* values are amounts: BALANCE_INIT / BALANCE effects */
    bool unique_value;   /* UNIQUE(value): an INSERT of a value already present fails */
    uint8_t id_style;    /* db_id_style: how ids print (1201 -> 12A, 1 -> alice) */
} db_table_def;

typedef struct db_row_def {
    uint8_t table;
    int64_t id;
    int64_t value;
} db_row_def;

typedef struct db_seed {
    db_table_def tables[DB_TABLES_MAX];
    uint32_t table_count;
    db_row_def rows[DB_SEED_ROWS_MAX];
    uint32_t row_count;
} db_seed;

/* "acct:11111", "seat:12A", "doctor:alice": the row's key in the history. */
void db_row_key(const db_table_def *t, int64_t id, char *buf, size_t buf_len);

/* ---- the protocol ---- */

typedef struct db_cfg {
    int flavor;                          /* db_flavor */
    int isolation;                       /* db_isolation */
    sim_time deadlock_timeout_ns;        /* -1 = never check */
    sim_time lock_timeout_ns;            /* -1 or 0 = off */
    sim_time innodb_lock_wait_timeout_ns;   /* -1 = none */
    bool innodb_deadlock_detect;
    bool innodb_rollback_on_timeout;
} db_cfg;

extern const model_ops db_model_ops;

/* The isolation a transaction runs at: the param, or the flavor's default. */
db_isolation db_effective_isolation(const db_cfg *cfg);
const char *db_isolation_name(db_isolation iso);     /* "read committed" */
const char *db_flavor_name(db_flavor f);             /* "PostgreSQL" */

/* One trace line for a db message ("SELECT stock:1 FOR UPDATE; ...");
 * false when not a db type. */
bool db_describe(uint32_t type, const void *body, uint32_t len, char *buf, size_t buf_len);

/* ---- the database vocabulary of the history (hist.h; kinds 500-519) ----
 *
 * The db node records every transaction's item reads (HIST_EFF_READ: key =
 * row "acct:1", value, version = the row version read, txn), writes
 * (HIST_EFF_WRITE: the version it installed; aux = the value of the version
 * it replaced, 0 for an INSERT of a new row: so the first write on a loaded
 * row tells the loaded value), predicate reads (PRED_READ:
 * key = table, pred/aux = the predicate, value = rows matched; then one
 * READ per matching row and one PRED_SEEN per visible row that did not
 * match, at the same instant; an UPDATE or DELETE by predicate records
 * its WHERE so, over the versions it judged the rows by, and its READs
 * are the rows it changes), TXN_COMMIT / TXN_ABORT (txn_api.h; key =
 * "T7", txn = 7), DB_ERROR for a failed statement (key = SQLSTATE or MySQL
 * error, value 1 = the transaction was rolled back), BALANCE_INIT and
 * BALANCE for the numeric rows of its ledger tables (stock, accounts), and
 * BLOCKED / UNBLOCKED around each lock wait (key = "T7 waits acct:1",
 * client = the lock holder's client).  Row versions count installs on a
 * row: 1 is the loaded row; a version no WRITE installed was loaded (txn 0).
 *
 * The application ops its workloads record (BUY, BOOK, ...) name the row
 * or account they change in key, the change in delta, and the account
 * credited with -delta in key2 ("" = outside the system: a withdrawal, a
 * deposit, a sale). */
enum {
    HIST_F_BUY = 500,             /* flash sale: ok = order confirmed, fail = rejected */
    HIST_F_BOOK = 501,            /* seat booking: ok = the user was told "booked" */
    HIST_F_TRANSFER = 502,        /* move delta between key and key2 (withdraw, deposit) */
    HIST_F_AUDIT = 503,           /* a read-only transaction; value = what it saw */
    HIST_F_OFF_CALL = 504,        /* a doctor asks to go off call: ok = went off */
    HIST_EFF_PRED_READ = 505,     /* a predicate read of table `key` (pred, aux); value = rows matched */
    HIST_EFF_PRED_SEEN = 506,     /* ... a visible row it looked at that did not match */
    HIST_EFF_DB_ERROR = 507,      /* a statement failed; key = SQLSTATE; value 1 = txn rolled back */
    HIST_F_STMT = 508,            /* a script's statement: value_in = its step; ok, or fail with
                                     note = the error code; value_out = rows returned or changed */
};

/* A WRITE effect whose pred is this installed a DELETE's tombstone: from
 * that version the row is absent (value = the value it deleted); a
 * predicate read that sees it records PRED_SEEN (it matches nothing).  A
 * READ whose pred is this is an item read that found no row: version =
 * the tombstone it saw, 0 when no version was visible; value 0. */
#define DB_WRITE_DELETE 1u

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
