/* db.c -- the `db` protocol's descriptor, parameters, names and the
 * trace describer of its messages.
 *
 * Invariant: the param table is the whole configuration surface; every
 * cross-field rule the table cannot say is in db_validate and reported at
 * the key's file:line:col.  Trade-off: one `lock_timeout` per flavor family
 * (PostgreSQL's lock_timeout, InnoDB's innodb_lock_wait_timeout) under its
 * real name, rather than one merged knob, so a scenario reads like the
 * server's configuration it models.
 */
#include "protocols/db/db_int.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "protocols/db/db.h"
#include "sim/family.h"

/* ------------------------------------------------------------ names */

db_isolation db_effective_isolation(const db_cfg *cfg) {
    SIM_ASSERT(cfg != NULL);
    SIM_ASSERT(cfg->isolation >= DB_ISO_DEFAULT);
    SIM_ASSERT(cfg->isolation <= DB_ISO_SER);
    if (cfg->isolation != DB_ISO_DEFAULT) return (db_isolation)cfg->isolation;
    switch ((db_flavor)cfg->flavor) {
    case DB_FLAVOR_POSTGRES: return DB_ISO_RC;     /* default_transaction_isolation */
    case DB_FLAVOR_MYSQL: return DB_ISO_RR;        /* transaction_isolation */
    case DB_FLAVOR_LOCKING: return DB_ISO_SER;     /* the SQL standard's default */
    }
    SIM_UNREACHABLE("db flavor");
    return DB_ISO_RC;
}

const char *db_isolation_name(db_isolation iso) {
    switch (iso) {
    case DB_ISO_DEFAULT: return "default";
    case DB_ISO_RU: return "read uncommitted";
    case DB_ISO_RC: return "read committed";
    case DB_ISO_RR: return "repeatable read";
    case DB_ISO_SER: return "serializable";
    }
    SIM_UNREACHABLE("db isolation");
    return "?";
}

const char *db_flavor_name(db_flavor f) {
    switch (f) {
    case DB_FLAVOR_POSTGRES: return "PostgreSQL";
    case DB_FLAVOR_MYSQL: return "MySQL/InnoDB";
    case DB_FLAVOR_LOCKING: return "2PL";
    }
    SIM_UNREACHABLE("db flavor");
    return "?";
}

static const char *const person_names[] = {
    "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"
};

void db_row_key(const db_table_def *t, int64_t id, char *buf, size_t buf_len) {
    SIM_ASSERT(t != NULL);
    SIM_ASSERT(buf != NULL);
    SIM_ASSERT(buf_len > 0);
    int64_t n = (int64_t)(sizeof person_names / sizeof person_names[0]);
    if (t->id_style == DB_IDS_SEAT && id >= 101 && id % 100 >= 1 && id % 100 <= 26)
        snprintf(buf, buf_len, "%s:%" PRId64 "%c", t->name, id / 100, (char)('A' + id % 100 - 1));
    else if (t->id_style == DB_IDS_PERSON && id >= 1 && id <= n)
        snprintf(buf, buf_len, "%s:%s", t->name, person_names[id - 1]);
    else
        snprintf(buf, buf_len, "%s:%" PRId64, t->name, id);
}

/* ------------------------------------------------------------ describe */

const char *db_pred_symbol(uint32_t p) {
    static const char *const sym[] = { "true", "=", "<>", "<", "<=", ">", ">=", "multiple of" };
    return p < HIST_PRED_COUNT ? sym[p] : "?";
}

static void describe_where(const db_stmt *s, char *buf, size_t n) {
    if (s->where == DB_WHERE_VERSION)
        snprintf(buf, n, " AND version = %" PRId64, s->where_arg);
    else if (s->where != HIST_PRED_ALL)
        snprintf(buf, n, " AND value %s %" PRId64, db_pred_symbol(s->where), s->where_arg);
    else
        buf[0] = '\0';
}

static void describe_stmt(const db_stmt *s, char *buf, size_t n) {
    static const char *const lock[] = { "", " FOR SHARE", " FOR UPDATE" };
    const char *lk = s->lock <= DB_LOCK_UPDATE ? lock[s->lock] : "";
    char w[64];
    describe_where(s, w, sizeof w);
    switch ((db_stmt_kind)s->kind) {
    case DB_ST_SELECT:
        snprintf(buf, n, "SELECT t%u:%" PRId64 "%s%s", s->table, s->id, w, lk); return;
    case DB_ST_SCAN:
        snprintf(buf, n, "SELECT t%u WHERE value %s %" PRId64 "%s", s->table, db_pred_symbol(s->where),
                 s->where_arg, lk);
        return;
    case DB_ST_UPDATE:
        snprintf(buf, n, "UPDATE t%u:%" PRId64 " SET value = %s%" PRId64 "%s", s->table, s->id,
                 s->set == DB_SET_ADD ? "value + " : "", s->arg, w);
        return;
    case DB_ST_INSERT:
        snprintf(buf, n, "INSERT t%u:%" PRId64 " = %" PRId64, s->table, s->id, s->arg); return;
    case DB_ST_COMMIT: snprintf(buf, n, "COMMIT"); return;
    case DB_ST_ROLLBACK: snprintf(buf, n, "ROLLBACK"); return;
    case DB_ST_BEGIN:
        snprintf(buf, n, "BEGIN%s%s", s->arg > DB_ISO_DEFAULT && s->arg <= DB_ISO_SER ? " " : "",
                 s->arg > DB_ISO_DEFAULT && s->arg <= DB_ISO_SER
                     ? db_isolation_name((db_isolation)s->arg) : "");
        return;
    case DB_ST_DELETE: snprintf(buf, n, "DELETE t%u:%" PRId64 "%s", s->table, s->id, w); return;
    case DB_ST_UPDATE_PRED:
        snprintf(buf, n, "UPDATE t%u SET value = %s%" PRId64 " WHERE value %s %" PRId64, s->table,
                 s->set == DB_SET_ADD ? "value + " : "", s->arg, db_pred_symbol(s->where),
                 s->where_arg);
        return;
    case DB_ST_DELETE_PRED:
        snprintf(buf, n, "DELETE t%u WHERE value %s %" PRId64, s->table, db_pred_symbol(s->where),
                 s->where_arg);
        return;
    }
    snprintf(buf, n, "statement %u", s->kind);
}

static void describe_req(const db_req *q, char *buf, size_t n) {
    snprintf(buf, n, "[s%u]%s", q->session, (q->flags & DB_REQ_AUTOCOMMIT) ? " autocommit" : "");
    for (uint32_t i = 0; i < q->n && i < DB_STMTS_MAX; i++) {
        char one[128];   /* the longest statement (an UPDATE with a where, 20-digit numbers) is 123 bytes */
        describe_stmt(&q->stmts[i], one, sizeof one);
        size_t used = strlen(buf);
        if (used + 3 < n) snprintf(buf + used, n - used, "%s %s", i ? ";" : "", one);
    }
}

static void describe_reply(const db_reply *p, char *buf, size_t n) {
    if (!p->ok) snprintf(buf, n, "[s%u] ERROR %.8s (T%u%s)", p->session, p->code, p->txn,
                         p->txn_open ? " still open" : " rolled back");
    else snprintf(buf, n, "[s%u] ok (T%u%s)", p->session, p->txn, p->txn_open ? " open" : "");
    for (uint32_t i = 0; i < p->n && i < DB_STMTS_MAX; i++) {
        size_t used = strlen(buf);
        if (used + 3 >= n) break;
        snprintf(buf + used, n - used, "%s rows %u value %" PRId64 " v%" PRId64, i ? ";" : ":",
                 p->res[i].rows, p->res[i].value, p->res[i].version);
    }
}

bool db_describe(uint32_t type, const void *body, uint32_t len, char *buf, size_t buf_len) {
    SIM_ASSERT(buf != NULL);
    SIM_ASSERT(buf_len > 0);
    if (type == DB_MSG_REQ && len == sizeof(db_req)) {
        db_req q;
        memcpy(&q, body, sizeof q);
        describe_req(&q, buf, buf_len);
        return true;
    }
    if (type == DB_MSG_REPLY && len == sizeof(db_reply)) {
        db_reply p;
        memcpy(&p, body, sizeof p);
        p.code[sizeof p.code - 1] = '\0';
        describe_reply(&p, buf, buf_len);
        return true;
    }
    return false;
}

/* ------------------------------------------------------------ protocol */

#define CFG_AT(field) offsetof(db_cfg, field)

static const param_spec db_params[] = {
    PARAM_ENUM_SPEC("flavor", "postgres",
        "whose rules: PostgreSQL (MVCC, SSI), MySQL/InnoDB (MVCC, current reads), or a textbook "
        "two-phase-locking engine",
        CFG_AT(flavor), "postgres|mysql|locking"),
    PARAM_ENUM_SPEC("isolation", "default",
        "every transaction's level; default = the flavor's (postgres read-committed, mysql "
        "repeatable-read, locking serializable)",
        CFG_AT(isolation), "default|read-uncommitted|read-committed|repeatable-read|serializable"),
    PARAM_DURATION_OR_NONE_SPEC("deadlock_timeout", "1s",
        "postgres/locking: a lock waiter runs the deadlock check after this; none = never",
        CFG_AT(deadlock_timeout_ns), 0, PARAM_NO_MAX),
    PARAM_DURATION_OR_NONE_SPEC("lock_timeout", "off",
        "postgres/locking: a lock wait longer than this fails the statement (55P03) and the "
        "transaction; off or 0 = wait forever",
        CFG_AT(lock_timeout_ns), 0, PARAM_NO_MAX),
    PARAM_DURATION_OR_NONE_SPEC("innodb_lock_wait_timeout", "50s",
        "mysql: a lock wait longer than this fails the statement only (1205); none = forever",
        CFG_AT(innodb_lock_wait_timeout_ns), 0, PARAM_NO_MAX),
    PARAM_BOOL_SPEC("innodb_deadlock_detect", "true",
        "mysql: a wait that closes a cycle is detected at once and the lighter transaction rolled "
        "back (1213)",
        CFG_AT(innodb_deadlock_detect)),
    PARAM_BOOL_SPEC("innodb_rollback_on_timeout", "false",
        "mysql: a lock wait timeout rolls back the whole transaction, not just the statement",
        CFG_AT(innodb_rollback_on_timeout)),
};

/* A knob of the other flavor is a mistake worth saying (it would be ignored). */
static int db_validate(const void *cfg_v, const scn *s, char *err, size_t err_len) {
    const db_cfg *cfg = cfg_v;
    SIM_ASSERT(cfg != NULL);
    SIM_ASSERT(s != NULL);
    static const char *const pg_only[] = { "deadlock_timeout", "lock_timeout" };
    static const char *const my_only[] = {
        "innodb_lock_wait_timeout", "innodb_deadlock_detect", "innodb_rollback_on_timeout"
    };
    bool mysql = cfg->flavor == DB_FLAVOR_MYSQL;
    const char *const *bad = mysql ? pg_only : my_only;
    size_t n = mysql ? 2 : 3;
    for (size_t i = 0; i < n; i++) {
        const scn_param *given = param_find(&s->params, bad[i]);
        if (!given) continue;
        scn_errorf(err, err_len, s->path, given->key_pos,
                   "%s does not apply to flavor %s (expected %s)",
                   bad[i], mysql ? "mysql" : (cfg->flavor == DB_FLAVOR_LOCKING ? "locking" : "postgres"),
                   mysql ? "innodb_lock_wait_timeout or innodb_deadlock_detect"
                         : "deadlock_timeout or lock_timeout");
        return -1;
    }
    return 0;
}

static const proto_desc db_proto = {
    .name = "db",
    .summary = "one database node: rows with versions, transactions, PostgreSQL / MySQL / "
               "2PL isolation levels, FOR UPDATE row locks, deadlock detection, lock timeouts",
    .params = db_params,
    .param_count = sizeof db_params / sizeof db_params[0],
    .cfg_size = sizeof(db_cfg),
    .roles = {
        { "db", &db_model_ops, 1, 1, "exactly one db node", NULL },
        { "client", NULL, 1, SIM_NODES_MAX, "one or more client nodes (the workload drives them)", NULL },
    },
    .role_count = 2,
    .workloads = { "flash-sale", "seat-booking", "bank", "on-call", "script" },
    .checks = { "oversell", "double-booking", "lost-update", "conservation", "isolation", "liveness", NULL },
    .lock_client = NULL,
    .validate = db_validate,
};

static const hist_kind_def db_ops[] = {
    { .kind = HIST_F_BUY, .name = "buy", .value = HIST_VALUE_ASKED_GOT },
    { .kind = HIST_F_BOOK, .name = "book", .value = HIST_VALUE_ASKED_GOT },
    { .kind = HIST_F_TRANSFER, .name = "transfer", .value = HIST_VALUE_ASKED_GOT },
    { .kind = HIST_F_AUDIT, .name = "audit", .value = HIST_VALUE_ASKED_GOT },
    { .kind = HIST_F_OFF_CALL, .name = "off-call", .value = HIST_VALUE_ASKED_GOT },
    { .kind = HIST_F_STMT, .name = "statement", .value = HIST_VALUE_ASKED_GOT,
      .only_when_used = true },
    { .name = NULL },
};

static const hist_kind_def db_effects[] = {
    { .kind = HIST_EFF_PRED_READ, .name = "pred-read" },
    { .kind = HIST_EFF_PRED_SEEN, .name = "pred-seen" },
    { .kind = HIST_EFF_DB_ERROR, .name = "db-error", .mark = HIST_MARK_CROSS,
      .mark_rgb = 0x9d0208u, .label = hist_label_key },
    { .name = NULL },
};

/* Statements and replies; the db node's timers. */
static const proto_desc *const db_protocols[] = { &db_proto, NULL };

const family_desc db_family = {
    .name = "db",
    .msgs = { { 500, 559 } },
    .tags = { { 500, 579 } },
    .describe = db_describe,
    .protocols = db_protocols,
    .kinds = { { 500, 519 } },
    .ops = db_ops,
    .effects = db_effects,
};
