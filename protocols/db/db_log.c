/* db_log.c -- the SQL statement log (`ccsim run --emit sql`,
 * docs/sql-log.md): every statement the db node ran, as the SQL a real
 * PostgreSQL or MariaDB server would be sent, in the order the node began
 * them, with ccsim's answer; a header with the flavour, the level and the
 * seeded tables; the final committed rows at the end.
 *
 * Records: stmt SEQ CLIENT TXN SQL...; block SEQ CLIENT TXN; done SEQ
 * CLIENT TXN RESULT...; final TABLE ID VALUE.  The engine writes the first
 * four fields (true time, node, clocks).
 *
 * Invariant: nothing here changes the node or the run: every hook returns
 * at once when the run records no side log (env_side_log_on); otherwise it
 * only reads the node, apart from the log's own counters (db_node.log_next,
 * db_session.log_*), which nothing else reads.
 */
#include "protocols/db/db_int.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define LINE_MAX_ 1024

static const char *const iso_sql[] = {
    "", "READ UNCOMMITTED", "READ COMMITTED", "REPEATABLE READ", "SERIALIZABLE"
};
static const char *const iso_key[] = {
    "default", "read-uncommitted", "read-committed", "repeatable-read", "serializable"
};

static bool mysql(const db_node *d) { return d->cfg->flavor == DB_FLAVOR_MYSQL; }

/* Appends to buf (NUL-terminated, capacity n). */
static void put(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void put(char *buf, size_t n, const char *fmt, ...) {
    size_t used = strlen(buf);
    SIM_ASSERT(used < n);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + used, n - used, fmt, ap);
    va_end(ap);
}

/* ------------------------------------------------------------ head */

static void create_table(env *e, const db_table_def *t) {
    char line[LINE_MAX_];
    snprintf(line, sizeof line, "# setup\tCREATE TABLE %s (id bigint PRIMARY KEY, value bigint "
             "NOT NULL%s, version bigint NOT NULL DEFAULT 1)", t->name,
             t->unique_value ? " UNIQUE" : "");
    env_side_log_head(e, line);
}

static void insert_rows(env *e, const db_seed *seed, uint32_t table) {
    char line[LINE_MAX_ * 8];
    snprintf(line, sizeof line, "# setup\tINSERT INTO %s (id, value) VALUES ",
             seed->tables[table].name);
    bool any = false;
    for (uint32_t i = 0; i < seed->row_count; i++) {
        const db_row_def *r = &seed->rows[i];
        if (r->table != table) continue;
        put(line, sizeof line, "%s(%" PRId64 ", %" PRId64 ")", any ? ", " : "", r->id, r->value);
        any = true;
    }
    if (any) env_side_log_head(e, line);
}

void db_log_head(env *e, const env_side_log_run *run) {
    const db_cfg *cfg = env_proto_config(e);
    SIM_ASSERT(cfg != NULL);
    SIM_ASSERT(run != NULL);
    static const char *const flavour[] = { "postgres", "mysql", "locking" };
    char line[LINE_MAX_];
    env_side_log_head(e, "# ccsim sql log v1");
    snprintf(line, sizeof line, "# scenario\t%s\tseed\t%" PRIu64, run->scenario, run->seed);
    env_side_log_head(e, line);
    snprintf(line, sizeof line, "# flavour\t%s\tisolation\t%s", flavour[cfg->flavor],
             iso_key[db_effective_isolation(cfg)]);
    env_side_log_head(e, line);
    db_seed seed;
    memset(&seed, 0, sizeof seed);
    if (!env_load_seed(e, &seed, sizeof seed)) return;
    for (uint32_t t = 0; t < seed.table_count; t++) create_table(e, &seed.tables[t]);
    for (uint32_t t = 0; t < seed.table_count; t++) insert_rows(e, &seed, t);
    for (uint32_t i = 0; i < seed.row_count; i++) {
        const db_row_def *r = &seed.rows[i];
        snprintf(line, sizeof line, "# row\t%s\t%" PRId64 "\t%" PRId64, seed.tables[r->table].name,
                 r->id, r->value);
        env_side_log_head(e, line);
    }
}

/* ------------------------------------------------------------ statements as SQL */

static void where_sql(const db_stmt *st, bool by_id, char *buf, size_t n) {
    buf[0] = '\0';
    bool first = true;
    if (by_id) {
        put(buf, n, " WHERE id = %" PRId64, st->id);
        first = false;
    }
    const char *join = first ? " WHERE" : " AND";
    if (st->where == DB_WHERE_VERSION)
        put(buf, n, "%s version = %" PRId64, join, st->where_arg);
    else if (st->where == HIST_PRED_MOD0)
        put(buf, n, "%s value %% %" PRId64 " = 0", join, st->where_arg);
    else if (st->where != HIST_PRED_ALL)
        put(buf, n, "%s value %s %" PRId64, join, db_pred_symbol(st->where), st->where_arg);
}

static void set_sql(const db_stmt *st, char *buf, size_t n) {
    if (st->set == DB_SET_ADD && st->arg < 0)
        snprintf(buf, n, "value = value - %" PRIu64, (uint64_t)0 - (uint64_t)st->arg);
    else if (st->set == DB_SET_ADD)
        snprintf(buf, n, "value = value + %" PRId64, st->arg);
    else
        snprintf(buf, n, "value = %" PRId64, st->arg);
}

/* One or two TAB-separated SQL statements for st. */
static void stmt_sql(const db_node *d, const db_stmt *st, char *buf, size_t n) {
    const char *t = st->kind == DB_ST_BEGIN || st->kind == DB_ST_COMMIT || st->kind == DB_ST_ROLLBACK
                        ? "" : d->seed.tables[st->table].name;
    static const char *const lock_pg[] = { "", " FOR SHARE", " FOR UPDATE" };
    static const char *const lock_my[] = { "", " LOCK IN SHARE MODE", " FOR UPDATE" };
    const char *lk = st->lock <= DB_LOCK_UPDATE ? (mysql(d) ? lock_my : lock_pg)[st->lock] : "";
    char w[160], set[64];
    buf[0] = '\0';
    switch ((db_stmt_kind)st->kind) {
    case DB_ST_BEGIN: {
        db_isolation iso = st->arg == DB_ISO_DEFAULT ? d->iso : (db_isolation)st->arg;
        if (mysql(d)) put(buf, n, "SET TRANSACTION ISOLATION LEVEL %s\tSTART TRANSACTION", iso_sql[iso]);
        else put(buf, n, "BEGIN ISOLATION LEVEL %s", iso_sql[iso]);
        return;
    }
    case DB_ST_COMMIT: put(buf, n, "COMMIT"); return;
    case DB_ST_ROLLBACK: put(buf, n, "ROLLBACK"); return;
    case DB_ST_SELECT:
        where_sql(st, true, w, sizeof w);
        put(buf, n, "SELECT id, value FROM %s%s%s", t, w, lk);
        return;
    case DB_ST_SCAN:
        where_sql(st, false, w, sizeof w);
        put(buf, n, "SELECT id, value FROM %s%s ORDER BY id%s", t, w, lk);
        return;
    case DB_ST_UPDATE: case DB_ST_UPDATE_PRED:
        where_sql(st, st->kind == DB_ST_UPDATE, w, sizeof w);
        set_sql(st, set, sizeof set);
        put(buf, n, "UPDATE %s SET %s, version = version + 1%s", t, set, w);
        return;
    case DB_ST_INSERT:
        put(buf, n, "INSERT INTO %s (id, value) VALUES (%" PRId64 ", %" PRId64 ")", t, st->id, st->arg);
        return;
    case DB_ST_DELETE: case DB_ST_DELETE_PRED:
        where_sql(st, st->kind == DB_ST_DELETE, w, sizeof w);
        put(buf, n, "DELETE FROM %s%s", t, w);
        return;
    }
    SIM_UNREACHABLE("db_log: statement kind");
}

/* ------------------------------------------------------------ records */

static void client_of(const db_node *d, env *e, int32_t s, char *buf, size_t n) {
    const db_session *ss = &d->sessions[s];
    snprintf(buf, n, "%s/%u", env_node_name(e, ss->node), ss->sid);
}

static uint32_t txn_id(const db_node *d, int32_t s) {
    int32_t slot = d->sessions[s].txn;
    return slot >= 0 ? d->txns[slot].id : 0;
}

static uint32_t record_sql(db_node *d, env *e, int32_t s, const char *sql, uint32_t txn) {
    char client[SIM_NAME_MAX + 16], line[LINE_MAX_ + 128];
    client_of(d, e, s, client, sizeof client);
    uint32_t seq = ++d->log_next;
    snprintf(line, sizeof line, "stmt\t%u\t%s\t%u\t%s", seq, client, txn, sql);
    env_side_log(e, line);
    return seq;
}

static uint32_t record_stmt(db_node *d, env *e, int32_t s, const db_stmt *st, uint32_t txn) {
    char sql[LINE_MAX_];
    stmt_sql(d, st, sql, sizeof sql);
    return record_sql(d, e, s, sql, txn);
}

static void record_ok(db_node *d, env *e, int32_t s, uint32_t seq, uint32_t txn) {
    char client[SIM_NAME_MAX + 16], line[128];
    client_of(d, e, s, client, sizeof client);
    snprintf(line, sizeof line, "done\t%u\t%s\t%u\tok", seq, client, txn);
    env_side_log(e, line);
}

/* The `stmt` record of the statement session s runs now (its `done` later). */
static void record_running(db_node *d, env *e, int32_t s, const char *sql) {
    db_session *ss = &d->sessions[s];
    ss->log_txn = txn_id(d, s);
    ss->log_seq = record_sql(d, e, s, sql, ss->log_txn);
    ss->log_blocked = false;
}

void db_log_stmt(db_node *d, env *e, int32_t s, const db_stmt *st) {
    if (!env_side_log_on(e)) return;
    char sql[LINE_MAX_];
    stmt_sql(d, st, sql, sizeof sql);
    record_running(d, e, s, sql);
}

/* A BEGIN sent while a transaction is open.  MySQL refuses SET TRANSACTION
 * then (1568) but takes SET SESSION TRANSACTION, which sets the level of
 * the transactions begun after it: the one START TRANSACTION begins once it
 * has committed the open one (every BEGIN record sets its own level, so the
 * session's stays unread).  PostgreSQL: a BEGIN without a level is plain
 * BEGIN (a warning); with one, as always. */
void db_log_begin_stmt(db_node *d, env *e, int32_t s, const db_stmt *st, bool again) {
    if (!env_side_log_on(e)) return;
    SIM_ASSERT(st->kind == DB_ST_BEGIN);
    if (!again || (!mysql(d) && st->arg != DB_ISO_DEFAULT)) {
        db_log_stmt(d, e, s, st);
        return;
    }
    db_isolation iso = st->arg == DB_ISO_DEFAULT ? d->iso : (db_isolation)st->arg;
    char sql[LINE_MAX_];
    if (mysql(d))
        snprintf(sql, sizeof sql, "SET SESSION TRANSACTION ISOLATION LEVEL %s\tSTART TRANSACTION", iso_sql[iso]);
    else
        snprintf(sql, sizeof sql, "BEGIN");
    record_running(d, e, s, sql);
}

void db_log_begin(db_node *d, env *e, int32_t s, db_isolation iso) {
    if (!env_side_log_on(e)) return;
    if (db_own_txn(&d->sessions[s])) return;     /* sent bare, in autocommit */
    db_stmt begin;
    memset(&begin, 0, sizeof begin);
    begin.kind = DB_ST_BEGIN;
    begin.arg = iso;
    uint32_t txn = txn_id(d, s);
    record_ok(d, e, s, record_stmt(d, e, s, &begin, txn), txn);
    d->sessions[s].log_auto = d->sessions[s].began_here;
}

void db_log_commit(db_node *d, env *e, int32_t s) {
    if (!env_side_log_on(e) || db_own_txn(&d->sessions[s])) return;
    db_stmt commit;
    memset(&commit, 0, sizeof commit);
    commit.kind = DB_ST_COMMIT;
    db_log_stmt(d, e, s, &commit);
    d->sessions[s].log_auto = false;
}

void db_log_auto_rollback(db_node *d, env *e, int32_t s) {
    if (!env_side_log_on(e)) return;
    db_session *ss = &d->sessions[s];
    if (!ss->log_auto || ss->txn >= 0) return;
    ss->log_auto = false;
    db_stmt rollback;
    memset(&rollback, 0, sizeof rollback);
    rollback.kind = DB_ST_ROLLBACK;
    record_ok(d, e, s, record_stmt(d, e, s, &rollback, 0), 0);
}

void db_log_block(db_node *d, env *e, int32_t s) {
    if (!env_side_log_on(e)) return;
    db_session *ss = &d->sessions[s];
    if (ss->log_seq == 0 || ss->log_blocked) return;
    ss->log_blocked = true;
    char client[SIM_NAME_MAX + 16], line[128];
    client_of(d, e, s, client, sizeof client);
    snprintf(line, sizeof line, "block\t%u\t%s\t%u", ss->log_seq, client, ss->log_txn);
    env_side_log(e, line);
}

/* The rows of the last scan, by id (a copy: the node's scratch keeps its order). */
static void scan_rows(const db_node *d, char *buf, size_t n) {
    int64_t id[DB_ROWS_MAX], val[DB_ROWS_MAX];
    uint32_t c = d->out_count;
    memcpy(id, d->out_id, c * sizeof id[0]);
    memcpy(val, d->out_value, c * sizeof val[0]);
    for (uint32_t a = 0; a < c; a++) {
        uint32_t best = a;
        for (uint32_t b = a + 1; b < c; b++)
            if (id[b] < id[best]) best = b;
        int64_t ti = id[a], tv = val[a];
        id[a] = id[best];
        val[a] = val[best];
        id[best] = ti;
        val[best] = tv;
        put(buf, n, "\t%" PRId64 "=%" PRId64, id[a], val[a]);
    }
}

static void result(const db_node *d, const db_stmt *st, const db_result *res, char *buf, size_t n) {
    switch ((db_stmt_kind)st->kind) {
    case DB_ST_BEGIN: case DB_ST_COMMIT: case DB_ST_ROLLBACK: put(buf, n, "ok"); return;
    case DB_ST_SELECT:
        put(buf, n, "rows");
        if (res->rows > 0) put(buf, n, "\t%" PRId64 "=%" PRId64, st->id, res->value);
        return;
    case DB_ST_SCAN:
        put(buf, n, "rows");
        scan_rows(d, buf, n);
        return;
    case DB_ST_UPDATE: case DB_ST_INSERT: case DB_ST_DELETE: case DB_ST_UPDATE_PRED:
    case DB_ST_DELETE_PRED:
        put(buf, n, "count\t%u", res->rows);
        return;
    }
    SIM_UNREACHABLE("db_log: statement kind");
}

void db_log_done(db_node *d, env *e, int32_t s, const db_stmt *st, const db_result *res, bool ok,
                 const char *code, bool rolled_back) {
    if (!env_side_log_on(e)) return;
    db_session *ss = &d->sessions[s];
    if (ss->log_seq == 0) return;
    char client[SIM_NAME_MAX + 16], line[LINE_MAX_ * 16];
    client_of(d, e, s, client, sizeof client);
    snprintf(line, sizeof line, "done\t%u\t%s\t%u\t", ss->log_seq, client, ss->log_txn);
    if (ok) result(d, st, res, line, sizeof line);
    else put(line, sizeof line, "error\t%s\t%d", code[0] ? code : "?", rolled_back ? 1 : 0);
    env_side_log(e, line);
    ss->log_seq = 0;
    ss->log_blocked = false;
}

/* ------------------------------------------------------------ final */

void db_log_tail(void *state, env *e) {
    db_node *d = state;
    if (!env_side_log_on(e) || d->cfg == NULL) return;
    for (uint32_t t = 0; t < d->seed.table_count; t++) {
        int64_t last = INT64_MIN;
        for (;;) {                       /* ids increasing: the next above `last` */
            int32_t pick = -1;
            for (uint32_t i = 0; i < d->row_count; i++) {
                const db_row *r = &d->rows[i];
                if (r->table != t || r->id <= last) continue;
                if (db_gone(d, db_visible(d, r, NULL, d->commit_seq))) continue;
                if (pick < 0 || r->id < d->rows[pick].id) pick = (int32_t)i;
            }
            if (pick < 0) break;
            const db_row *r = &d->rows[pick];
            char line[128];
            snprintf(line, sizeof line, "final\t%s\t%" PRId64 "\t%" PRId64, d->seed.tables[t].name,
                     r->id, d->versions[db_visible(d, r, NULL, d->commit_seq)].value);
            env_side_log(e, line);
            last = r->id;
        }
    }
}
