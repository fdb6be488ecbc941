/* db_stmt.c -- one statement, as each flavor runs it.
 *
 * A statement runs in two phases: first it takes the locks it needs (and
 * may wait: DB_RUN_BLOCKED; it is then run again from the top, with the
 * same statement snapshot, once the lock is granted, and locks it already
 * holds are granted at once), then it reads and writes and records what it
 * did.  So nothing is recorded twice and a waiter sees the world as it is
 * when it wakes.
 *
 * What a read sees (snapshot = the transaction's at RR/SER, the
 * statement's at RC; "current" = the newest committed version or our own):
 *
 *   plain SELECT  postgres: snapshot (RU = RC)    mysql: RU newest, RC/RR snapshot,
 *                                                 SER current under a FOR SHARE lock
 *                                                 (autocommit SELECT: its own snapshot)
 *                 locking: RU newest, RC current under a short S lock,
 *                          RR/SER current under a long S lock
 *   FOR UPDATE / UPDATE (after the row lock):
 *                 postgres RC: current, WHERE re-checked on it (EvalPlanQual)
 *                 postgres RR/SER: if a newer version committed after the snapshot:
 *                          40001 "could not serialize access due to concurrent update"
 *                 mysql, locking: current ("current read"; lost updates at mysql RR)
 *   predicate reads: postgres FOR UPDATE locks the rows its snapshot matched; mysql
 *                 locking reads at RR/SER and 2PL serializable reads also lock the
 *                 predicate (InnoDB next-key, 2PL predicate locks): inserts and
 *                 updates into it wait.  mysql at RC/RU: a locking read or write
 *                 releases the lock it took on a row it finds not matching its
 *                 WHERE (unlock_unmatched).
 *
 * Invariant: a statement records effects only in its second phase, and
 * then runs to its end without waiting.
 */
#include "protocols/db/db_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "protocols/db/db.h"

typedef struct ctx {
    db_node *d;
    env *e;
    db_session *ss;
    int32_t slot;
    db_txn *t;
    const db_stmt *st;
    db_result *res;
    char *code;
} ctx;

static bool is_pg(const db_node *d) { return d->cfg->flavor == DB_FLAVOR_POSTGRES; }
static bool is_my(const db_node *d) { return d->cfg->flavor == DB_FLAVOR_MYSQL; }
static bool is_2pl(const db_node *d) { return d->cfg->flavor == DB_FLAVOR_LOCKING; }

static const db_version *ver(const ctx *c, int32_t v) {
    SIM_ASSERT(v >= 0);
    SIM_ASSERT((uint32_t)v < DB_VERSIONS_MAX);
    SIM_ASSERT(c->d->versions[v].used);
    return &c->d->versions[v];
}

static bool where_ok(const db_stmt *st, const db_version *v) {
    if (st->where == DB_WHERE_VERSION) return v->number == st->where_arg;
    return hist_pred_match(st->where, st->where_arg, v->value);
}

static uint64_t read_snap(ctx *c) {
    bool mvcc = !is_2pl(c->d);
    if (mvcc && c->t->iso >= DB_ISO_RR) {
        db_take_snapshot(c->d, c->t);
        return c->t->snapshot;
    }
    return c->ss->stmt_snap;
}

/* A plain (non-locking) read takes S locks under 2PL from RC up, and under
 * InnoDB's serializable (which turns SELECT into SELECT ... FOR SHARE),
 * except in a SELECT that is its own transaction in autocommit: InnoDB
 * reads it as a consistent non-locking read (MySQL manual, SERIALIZABLE). */
static bool plain_locks(const ctx *c) {
    if (is_2pl(c->d)) return c->t->iso >= DB_ISO_RC;
    return is_my(c->d) && c->t->iso == DB_ISO_SER && !db_own_txn(c->ss);
}

static int32_t plain_version(ctx *c, const db_row *r) {
    db_isolation iso = c->t->iso;
    if (!is_pg(c->d) && iso == DB_ISO_RU) return db_newest(c->d, r);    /* dirty read */
    if (plain_locks(c)) return db_current(c->d, r, c->t);
    return db_visible(c->d, r, c->t, read_snap(c));
}

/* PostgreSQL's detail when SSI fails a write (predicate.c). */
#define PIVOT_DURING_WRITE "could not serialize access due to read/write dependencies among " \
    "transactions (canceled on identification as a pivot, during write)"

static db_run fail(ctx *c, const char *code, const char *why) {
    env_trace(c->e, "T%u: ERROR %s: %s", c->t->id, code, why);
    return db_fail(c->d, c->e, c->slot, code, c->code);
}

static db_run lock_or_wait(ctx *c, int32_t row, db_lock_mode mode) {
    switch (db_lock_row(c->d, c->e, c->slot, row, mode)) {
    case DB_LOCK_GRANTED: return DB_RUN_DONE;
    case DB_LOCK_WAIT: return DB_RUN_BLOCKED;
    case DB_LOCK_FULL: return fail(c, "53200", "out of shared memory (max_locks_per_transaction)");
    }
    SIM_UNREACHABLE("lock result");
    return DB_RUN_ERROR;
}

static void record_read(ctx *c, int32_t row, int32_t v) {
    const db_version *x = ver(c, v);
    env_trace(c->e, "T%u reads %s = %" PRId64 " (version %" PRId64 "%s)", c->t->id, c->d->rows[row].key,
              x->value, x->number, x->commit_seq == 0 && x->txn != c->t->id ? ", uncommitted" : "");
    db_effect(c->d, c->e, c->t, HIST_EFF_READ, c->d->rows[row].key, x->value, x->number);
}

/* InnoDB at READ COMMITTED / READ UNCOMMITTED: a locking read or a write
 * releases the lock it took on a row as soon as it finds that the row does
 * not match its WHERE (MySQL manual, "Transaction Isolation Levels": "record
 * locks for nonmatching rows are released after MySQL has evaluated the
 * WHERE condition"), a row it deleted before included; a lock the
 * transaction held before the statement stays. */
static void unlock_unmatched(ctx *c, int32_t row, bool matches) {
    if (matches || !is_my(c->d) || c->t->iso > DB_ISO_RC) return;
    db_unlock_taken(c->d, c->e, c->slot, row, c->ss->stmt_held);
}

/* An effect of the statement's transaction on key; the caller fills the rest. */
static hist_effect_fields txn_effect(const ctx *c, hist_eff_kind kind, const char *key) {
    hist_effect_fields ef;
    memset(&ef, 0, sizeof ef);
    ef.kind = kind;
    ef.client = c->t->client;
    ef.op = c->t->op;
    ef.txn = c->t->id;
    ef.key = key;
    return ef;
}

/* An item read that found no row: v the tombstone it saw, or -1 (the row
 * not yet inserted, or its version not visible): version 0.  READ with
 * pred DB_WRITE_DELETE (db.h), so the isolation check has the read's
 * version and a script's returned rows leave it out. */
static void record_no_row(ctx *c, const char *key, int32_t v) {
    int64_t number = v >= 0 ? ver(c, v)->number : 0;
    env_trace(c->e, "T%u reads %s: no row (version %" PRId64 ")", c->t->id, key, number);
    hist_effect_fields ef = txn_effect(c, HIST_EFF_READ, key);
    ef.version = number;
    ef.pred = DB_WRITE_DELETE;
    env_effect(c->e, &ef);
}

/* PostgreSQL RR/SER: a row changed by a transaction that committed after
 * our snapshot cannot be locked or updated (first-updater-wins). */
static bool changed_since_snapshot(const ctx *c, int32_t cur) {
    if (!is_pg(c->d) || c->t->iso < DB_ISO_RR || cur < 0) return false;
    const db_version *x = ver(c, cur);
    return x->txn != c->t->id && x->commit_seq > c->t->snapshot;
}

/* ------------------------------------------------------------ SELECT */

static db_run select_result(ctx *c, int32_t row, int32_t v) {
    c->res->rows = 0;
    if (db_gone(c->d, v)) {
        record_no_row(c, c->d->rows[row].key, v);
        return DB_RUN_DONE;
    }
    record_read(c, row, v);
    if (!where_ok(c->st, ver(c, v))) return DB_RUN_DONE;
    c->res->rows = 1;
    c->res->value = ver(c, v)->value;
    c->res->version = ver(c, v)->number;
    return DB_RUN_DONE;
}

static db_run select_locking(ctx *c, int32_t row) {
    const db_row *r = &c->d->rows[row];
    if (is_pg(c->d)) {
        int32_t vis = db_visible(c->d, r, c->t, read_snap(c));
        if (db_gone(c->d, vis) || !where_ok(c->st, ver(c, vis))) return select_result(c, row, vis);
    }
    db_run run = lock_or_wait(c, row, (db_lock_mode)c->st->lock);
    if (run != DB_RUN_DONE) return run;
    int32_t cur = db_current(c->d, r, c->t);
    if (changed_since_snapshot(c, cur))
        return fail(c, "40001", "could not serialize access due to concurrent update");
    if (is_pg(c->d) && c->t->iso == DB_ISO_SER) db_ssi_read_row(c->d, c->e, c->slot, row);
    db_run done = select_result(c, row, cur);
    unlock_unmatched(c, row, c->res->rows > 0);
    return done;
}

static db_run exec_select(ctx *c) {
    int32_t row = db_row_find(c->d, c->st->table, c->st->id);
    c->res->rows = 0;
    if (row < 0 && c->st->table < c->d->seed.table_count) {    /* never inserted */
        char key[SIM_NAME_MAX];
        db_row_key(&c->d->seed.tables[c->st->table], c->st->id, key, sizeof key);
        record_no_row(c, key, -1);
    }
    if (row < 0) return DB_RUN_DONE;
    if (c->st->lock != DB_LOCK_NONE) return select_locking(c, row);
    if (plain_locks(c)) {
        db_run run = lock_or_wait(c, row, DB_LOCK_SHARE);
        if (run != DB_RUN_DONE) return run;
    }
    int32_t v = plain_version(c, &c->d->rows[row]);
    if (is_2pl(c->d) && c->t->iso == DB_ISO_RC) db_unlock_row(c->d, c->e, c->slot, row);   /* short */
    if (is_pg(c->d) && c->t->iso == DB_ISO_SER) db_ssi_read_row(c->d, c->e, c->slot, row);
    return select_result(c, row, v);
}

/* ------------------------------------------------------------ SCAN */

static bool scan_predlock(const ctx *c) {
    if (is_2pl(c->d)) return c->t->iso == DB_ISO_SER;
    if (!is_my(c->d)) return false;
    if (c->st->lock == DB_LOCK_NONE) return plain_locks(c);
    return c->t->iso >= DB_ISO_RR;
}

/* A version a predicate read sees matches: a tombstone never does. */
static bool scan_match(const db_stmt *st, const db_version *x) {
    return !x->deleted && hist_pred_match(st->where, st->where_arg, x->value);
}

/* Phase 1: the rows (and the predicate) a scan must lock first. */
static db_run scan_lock(ctx *c) {
    const db_stmt *st = c->st;
    bool locking = st->lock != DB_LOCK_NONE;
    if (!locking && !plain_locks(c)) return DB_RUN_DONE;
    db_lock_mode mode = locking ? (db_lock_mode)st->lock : DB_LOCK_SHARE;
    for (uint32_t i = 0; i < c->d->row_count; i++) {
        const db_row *r = &c->d->rows[i];
        if (r->table != st->table || r->newest < 0) continue;
        if (is_pg(c->d)) {               /* PostgreSQL locks the rows its snapshot matched */
            int32_t vis = db_visible(c->d, r, c->t, read_snap(c));
            if (db_gone(c->d, vis) || !hist_pred_match(st->where, st->where_arg, ver(c, vis)->value))
                continue;
        }
        db_run run = lock_or_wait(c, (int32_t)i, mode);
        if (run != DB_RUN_DONE) return run;
        int32_t cur = db_current(c->d, r, c->t);
        unlock_unmatched(c, (int32_t)i, !db_gone(c->d, cur) && scan_match(st, ver(c, cur)));
    }
    if (scan_predlock(c) && !db_predlock_add(c->d, c->slot, st->table, st->where, st->where_arg))
        return fail(c, "53200", "out of shared memory (predicate locks)");
    return DB_RUN_DONE;
}

/* The version a scan judges row r by; -1 = invisible.  *locked: PG locked it. */
static int32_t scan_version(ctx *c, const db_row *r, int32_t row) {
    if (c->st->lock == DB_LOCK_NONE) return plain_version(c, r);
    if (is_pg(c->d) && !db_holds(c->d, c->t, row, (db_lock_mode)c->st->lock))
        return db_visible(c->d, r, c->t, read_snap(c));     /* did not match: not locked */
    return db_current(c->d, r, c->t);
}

/* The matching rows, for the SQL log (db_log.c). */
static void scan_rows_out(ctx *c, const int32_t *seen, const int32_t *rows, uint32_t n) {
    db_node *d = c->d;
    d->out_count = 0;
    if (!env_side_log_on(c->e)) return;
    for (uint32_t i = 0; i < n; i++) {
        const db_version *x = ver(c, seen[i]);
        if (x->deleted || !hist_pred_match(c->st->where, c->st->where_arg, x->value)) continue;
        uint32_t k = d->out_count++;
        d->out_id[k] = d->rows[rows[i]].id;
        d->out_value[k] = x->value;
    }
}

/* Records a predicate read (a scan, or a predicate write's WHERE): PRED_READ,
 * then READ for each matching row and PRED_SEEN for each other visible
 * version (a deleted row's tombstone too, so the isolation check knows
 * which version the read saw); the number of rows that matched. */
static uint32_t pred_record(ctx *c, const int32_t *seen, const int32_t *rows, uint32_t n) {
    const db_stmt *st = c->st;
    uint32_t matched = 0;
    for (uint32_t i = 0; i < n; i++) matched += scan_match(st, ver(c, seen[i]));
    hist_effect_fields ef = txn_effect(c, HIST_EFF_PRED_READ, c->d->seed.tables[st->table].name);
    ef.value = matched;
    ef.pred = st->where;
    ef.aux = st->where_arg;
    env_effect(c->e, &ef);
    if (st->kind == DB_ST_SCAN)
        env_trace(c->e, "T%u reads %s WHERE value %s %" PRId64 "%s: %u rows", c->t->id, ef.key,
                  db_pred_symbol(st->where), st->where_arg, st->lock == DB_LOCK_NONE ? "" : " FOR UPDATE",
                  matched);
    for (uint32_t i = 0; i < n; i++) {
        const db_version *x = ver(c, seen[i]);
        bool m = scan_match(st, x);
        db_effect(c->d, c->e, c->t, m ? HIST_EFF_READ : HIST_EFF_PRED_SEEN, c->d->rows[rows[i]].key,
                  x->value, x->number);
    }
    return matched;
}

static db_run scan_record(ctx *c, const int32_t *seen, const int32_t *rows, uint32_t n) {
    uint32_t matched = pred_record(c, seen, rows, n);
    int64_t sum = 0;
    for (uint32_t i = 0; i < n; i++)
        if (scan_match(c->st, ver(c, seen[i]))) sum += ver(c, seen[i])->value;
    c->res->rows = matched;
    c->res->value = sum;
    scan_rows_out(c, seen, rows, n);
    return DB_RUN_DONE;
}

static db_run exec_scan(ctx *c) {
    const db_stmt *st = c->st;
    if (st->table >= c->d->seed.table_count) return fail(c, "42P01", "no such table");
    db_run run = scan_lock(c);
    if (run != DB_RUN_DONE) return run;
    int32_t seen[DB_ROWS_MAX], rows[DB_ROWS_MAX];
    uint32_t n = 0;
    for (uint32_t i = 0; i < c->d->row_count; i++) {
        const db_row *r = &c->d->rows[i];
        if (r->table != st->table) continue;
        int32_t v = scan_version(c, r, (int32_t)i);
        if (v < 0) continue;
        if (db_holds(c->d, c->t, (int32_t)i, DB_LOCK_UPDATE) && st->lock != DB_LOCK_NONE &&
            changed_since_snapshot(c, v))
            return fail(c, "40001", "could not serialize access due to concurrent update");
        seen[n] = v;
        rows[n++] = (int32_t)i;
    }
    if (is_2pl(c->d) && c->t->iso == DB_ISO_RC && st->lock == DB_LOCK_NONE)
        for (uint32_t i = 0; i < n; i++) db_unlock_row(c->d, c->e, c->slot, rows[i]);
    if (is_pg(c->d) && c->t->iso == DB_ISO_SER)
        db_ssi_read_pred(c->d, c->e, c->slot, st->table, st->where, st->where_arg);
    return scan_record(c, seen, rows, n);
}

/* ------------------------------------------------------------ UPDATE */

/* 2PL and InnoDB: a write into or out of another's locked predicate waits. */
static bool pred_blocked(ctx *c, int32_t row, int64_t old_value, int64_t new_value) {
    if (is_pg(c->d)) return false;
    uint8_t table = c->d->rows[row].table;
    int32_t b = db_predlock_conflict(c->d, c->slot, table, new_value);
    if (b < 0) b = db_predlock_conflict(c->d, c->slot, table, old_value);
    if (b < 0) return false;
    db_wait_pred(c->d, c->e, c->slot, b, row);
    return true;
}

static db_run update_apply(ctx *c, int32_t row, int32_t cur) {
    const db_stmt *st = c->st;
    int64_t old = ver(c, cur)->value;
    int64_t val = st->set == DB_SET_ADD ? old + st->arg : st->arg;
    if (pred_blocked(c, row, old, val)) return DB_RUN_BLOCKED;
    if (st->where != HIST_PRED_ALL || st->set == DB_SET_ADD) record_read(c, row, cur);
    int32_t v = db_install(c->d, c->e, c->t, row, val);
    if (v < 0) return fail(c, "53200", "out of shared memory (row versions)");
    if (is_pg(c->d) && c->t->iso == DB_ISO_SER &&
        db_ssi_write(c->d, c->e, c->slot, row, old, true, val))
        return fail(c, "40001", PIVOT_DURING_WRITE);
    c->res->rows = 1;
    c->res->value = val;
    c->res->version = ver(c, v)->number;
    return DB_RUN_DONE;
}

static db_run exec_update(ctx *c) {
    const db_stmt *st = c->st;
    int32_t row = db_row_find(c->d, st->table, st->id);
    c->res->rows = 0;
    if (row < 0) return DB_RUN_DONE;
    const db_row *r = &c->d->rows[row];
    if (is_pg(c->d)) {                  /* the scan finds rows by the statement's snapshot */
        int32_t vis = db_visible(c->d, r, c->t, read_snap(c));
        if (db_gone(c->d, vis)) return DB_RUN_DONE;
        if (!where_ok(st, ver(c, vis))) {
            record_read(c, row, vis);
            return DB_RUN_DONE;
        }
    }
    db_run run = lock_or_wait(c, row, DB_LOCK_UPDATE);
    if (run != DB_RUN_DONE) return run;
    int32_t cur = db_current(c->d, r, c->t);
    if (changed_since_snapshot(c, cur))
        return fail(c, "40001", "could not serialize access due to concurrent update");
    bool gone = db_gone(c->d, cur);
    if (gone || !where_ok(st, ver(c, cur))) {   /* EvalPlanQual / current read: no longer matches */
        if (!gone) record_read(c, row, cur);
        unlock_unmatched(c, row, false);
        return DB_RUN_DONE;
    }
    return update_apply(c, row, cur);
}

/* ------------------------------------------------------------ INSERT */

/* Waits for another's in-flight version of row to finish (commit or roll
 * back), as a unique index check does; DONE once no other is in flight. */
static db_run wait_in_flight(ctx *c, int32_t row) {
    const db_row *r = &c->d->rows[row];
    if (r->newest < 0) return DB_RUN_DONE;
    const db_version *x = ver(c, r->newest);
    if (x->commit_seq != 0 || x->txn == c->t->id) return DB_RUN_DONE;
    db_run run = lock_or_wait(c, row, DB_LOCK_SHARE);
    if (run != DB_RUN_DONE) return run;
    db_unlock_row(c->d, c->e, c->slot, row);
    return DB_RUN_DONE;
}

static db_run duplicate(ctx *c, const char *key) {
    char why[96];
    snprintf(why, sizeof why, "duplicate key value violates unique constraint (%s)", key);
    return fail(c, is_my(c->d) ? "1062" : "23505", why);
}

/* The primary key and UNIQUE(value): false = free to insert; true = the
 * outcome (waiting, or a duplicate-key error) is in *run. */
static bool insert_conflict(ctx *c, int32_t row, db_run *run) {
    const db_stmt *st = c->st;
    *run = DB_RUN_DONE;
    if (row >= 0) {
        *run = wait_in_flight(c, row);
        if (*run != DB_RUN_DONE) return true;
        if (!db_gone(c->d, c->d->rows[row].newest)) {
            *run = duplicate(c, c->d->rows[row].key);
            return true;
        }
    }
    if (!c->d->seed.tables[st->table].unique_value) return false;
    for (uint32_t i = 0; i < c->d->row_count; i++) {
        const db_row *r = &c->d->rows[i];
        if (r->table != st->table || db_gone(c->d, r->newest) || (int32_t)i == row) continue;
        if (ver(c, r->newest)->value != st->arg) continue;
        *run = wait_in_flight(c, (int32_t)i);
        if (*run != DB_RUN_DONE) return true;
        if (!db_gone(c->d, r->newest) && ver(c, r->newest)->value == st->arg) {
            *run = duplicate(c, r->key);
            return true;
        }
    }
    return false;
}

static db_run exec_insert(ctx *c) {
    const db_stmt *st = c->st;
    if (st->table >= c->d->seed.table_count) return fail(c, "42P01", "no such table");
    int32_t row = db_row_find(c->d, st->table, st->id);
    db_run run;
    if (insert_conflict(c, row, &run)) return run;
    int32_t b = is_pg(c->d) ? -1 : db_predlock_conflict(c->d, c->slot, st->table, st->arg);
    if (row < 0) row = db_row_add(c->d, st->table, st->id);
    if (row < 0) return fail(c, "53100", "disk full (the db holds DB_ROWS_MAX rows)");
    if (b >= 0) {
        db_wait_pred(c->d, c->e, c->slot, b, row);
        return DB_RUN_BLOCKED;
    }
    run = lock_or_wait(c, row, DB_LOCK_UPDATE);
    if (run != DB_RUN_DONE) return run;
    int32_t v = db_install(c->d, c->e, c->t, row, st->arg);
    if (v < 0) return fail(c, "53200", "out of shared memory (row versions)");
    if (is_pg(c->d) && c->t->iso == DB_ISO_SER &&
        db_ssi_write(c->d, c->e, c->slot, row, 0, false, st->arg))
        return fail(c, "40001", PIVOT_DURING_WRITE);
    c->res->rows = 1;
    c->res->value = st->arg;
    c->res->version = ver(c, v)->number;
    return DB_RUN_DONE;
}

/* ------------------------------------------------------------ DELETE, UPDATE/DELETE by predicate */

static bool by_id(const db_stmt *st) { return st->kind == DB_ST_DELETE; }
static bool deletes(const db_stmt *st) { return st->kind != DB_ST_UPDATE_PRED; }

/* Phase 1's rows: PostgreSQL the ones its snapshot matches; InnoDB's UPDATE
 * at RC/RU the ones whose newest committed version matches (semi-consistent
 * read, for UPDATE only: a DELETE waits for each locked row before it
 * evaluates it); a full scan's current read (InnoDB, 2PL) every row of the
 * table. */
static bool wm_candidate(ctx *c, int32_t i) {
    const db_row *r = &c->d->rows[i];
    const db_stmt *st = c->st;
    if (r->table != st->table || r->newest < 0 || (by_id(st) && r->id != st->id)) return false;
    if (is_pg(c->d)) {
        int32_t vis = db_visible(c->d, r, c->t, read_snap(c));
        return !db_gone(c->d, vis) && where_ok(st, ver(c, vis));
    }
    int32_t cur = db_current(c->d, r, c->t);
    if (db_gone(c->d, cur)) return false;
    if (is_my(c->d) && c->t->iso <= DB_ISO_RC && st->kind == DB_ST_UPDATE_PRED)
        return where_ok(st, ver(c, cur));
    return true;
}

static db_run wm_lock(ctx *c, int32_t *rows, uint32_t *n) {
    *n = 0;
    for (uint32_t i = 0; i < c->d->row_count; i++) {
        if (!wm_candidate(c, (int32_t)i)) continue;
        db_run run = lock_or_wait(c, (int32_t)i, DB_LOCK_UPDATE);
        if (run != DB_RUN_DONE) return run;
        int32_t cur = db_current(c->d, &c->d->rows[i], c->t);
        unlock_unmatched(c, (int32_t)i, !db_gone(c->d, cur) && where_ok(c->st, ver(c, cur)));
        rows[(*n)++] = (int32_t)i;      /* phase 2 records its read (wm_targets) */
    }
    bool gaps = (is_my(c->d) && c->t->iso >= DB_ISO_RR) || (is_2pl(c->d) && c->t->iso == DB_ISO_SER);
    if (gaps && !by_id(c->st) &&
        !db_predlock_add(c->d, c->slot, c->st->table, c->st->where, c->st->where_arg))
        return fail(c, "53200", "out of shared memory (predicate locks)");
    return DB_RUN_DONE;
}

/* Phase 2a: the locked rows that still match (EvalPlanQual / current read),
 * in place in rows.  It may still wait on another's predicate lock, so it
 * checks every row before it records anything. */
static db_run wm_targets(ctx *c, int32_t *rows, uint32_t *n) {
    for (uint32_t k = 0; k < *n; k++) {
        int32_t cur = db_current(c->d, &c->d->rows[rows[k]], c->t);
        if (cur < 0) continue;
        if (changed_since_snapshot(c, cur))
            return fail(c, "40001", "could not serialize access due to concurrent update");
        if (db_gone(c->d, cur) || !where_ok(c->st, ver(c, cur))) continue;
        int64_t old = ver(c, cur)->value;
        int64_t val = c->st->set == DB_SET_ADD ? old + c->st->arg : c->st->arg;
        if (pred_blocked(c, rows[k], old, deletes(c->st) ? old : val)) return DB_RUN_BLOCKED;
    }
    uint32_t kept = 0;
    for (uint32_t k = 0; k < *n; k++) {
        int32_t cur = db_current(c->d, &c->d->rows[rows[k]], c->t);
        if (db_gone(c->d, cur)) continue;
        if (where_ok(c->st, ver(c, cur))) rows[kept++] = rows[k];
        else if (by_id(c->st)) record_read(c, rows[k], cur);   /* by predicate: wm_record_pred */
    }
    *n = kept;
    return DB_RUN_DONE;
}

static db_run wm_apply(ctx *c, const int32_t *rows, uint32_t n) {
    for (uint32_t k = 0; k < n; k++) {
        int32_t cur = db_current(c->d, &c->d->rows[rows[k]], c->t);
        if (by_id(c->st)) record_read(c, rows[k], cur);
        int64_t old = ver(c, cur)->value;
        int64_t val = c->st->set == DB_SET_ADD ? old + c->st->arg : c->st->arg;
        int32_t v = deletes(c->st) ? db_install_tombstone(c->d, c->e, c->t, rows[k])
                                   : db_install(c->d, c->e, c->t, rows[k], val);
        if (v < 0) return fail(c, "53200", "out of shared memory (row versions)");
        if (is_pg(c->d) && c->t->iso == DB_ISO_SER &&
            db_ssi_write(c->d, c->e, c->slot, rows[k], old, true, deletes(c->st) ? old : val))
            return fail(c, "40001", PIVOT_DURING_WRITE);
    }
    c->res->rows = n;
    return DB_RUN_DONE;
}

/* The version a predicate write judged row r by, -1 = none visible:
 * PostgreSQL its snapshot's, but for a row that matched there the current
 * one it re-checked under the row lock (EvalPlanQual); InnoDB and 2PL the
 * current one (a current read). */
static int32_t wm_judged(ctx *c, const db_row *r) {
    if (!is_pg(c->d)) return db_current(c->d, r, c->t);
    int32_t vis = db_visible(c->d, r, c->t, read_snap(c));
    if (db_gone(c->d, vis) || !where_ok(c->st, ver(c, vis))) return vis;
    return db_current(c->d, r, c->t);
}

/* Phase 2: the WHERE of an UPDATE/DELETE by predicate is a predicate read
 * of what it judged each row by; the rows it matched are the n it changes. */
static void wm_record_pred(ctx *c, uint32_t n) {
    int32_t seen[DB_ROWS_MAX], rows[DB_ROWS_MAX];
    uint32_t k = 0;
    for (uint32_t i = 0; i < c->d->row_count; i++) {
        const db_row *r = &c->d->rows[i];
        if (r->table != c->st->table) continue;
        int32_t v = wm_judged(c, r);
        if (v < 0) continue;
        seen[k] = v;
        rows[k++] = (int32_t)i;
    }
    uint32_t matched = pred_record(c, seen, rows, k);
    SIM_ASSERT(matched == n);
}

static db_run exec_write_many(ctx *c) {
    const db_stmt *st = c->st;
    if (st->table >= c->d->seed.table_count) return fail(c, "42P01", "no such table");
    int32_t rows[DB_ROWS_MAX];
    uint32_t n = 0;
    c->res->rows = 0;
    db_run run = wm_lock(c, rows, &n);
    if (run != DB_RUN_DONE) return run;
    run = wm_targets(c, rows, &n);
    if (run != DB_RUN_DONE) return run;
    if (!by_id(st)) wm_record_pred(c, n);
    if (is_pg(c->d) && c->t->iso == DB_ISO_SER && !by_id(st))
        db_ssi_read_pred(c->d, c->e, c->slot, st->table, st->where, st->where_arg);
    return wm_apply(c, rows, n);
}

/* ------------------------------------------------------------ dispatch */

db_run db_exec_stmt(db_node *d, env *e, int32_t session, const db_stmt *st, db_result *res,
                    char code[8]) {
    SIM_ASSERT(session >= 0);
    SIM_ASSERT(session < DB_SESSIONS_MAX);
    SIM_ASSERT(st != NULL);
    SIM_ASSERT(res != NULL);
    db_session *ss = &d->sessions[session];
    SIM_ASSERT(ss->txn >= 0);
    ctx c = { d, e, ss, ss->txn, db_txn_at(d, ss->txn), st, res, code };
    if (db_ssi_doomed(d, c.slot))
        return fail(&c, "40001", "could not serialize access due to read/write dependencies "
                               "among transactions");
    switch ((db_stmt_kind)st->kind) {
    case DB_ST_SELECT: return exec_select(&c);
    case DB_ST_SCAN: return exec_scan(&c);
    case DB_ST_UPDATE: return exec_update(&c);
    case DB_ST_INSERT: return exec_insert(&c);
    case DB_ST_DELETE: case DB_ST_UPDATE_PRED: case DB_ST_DELETE_PRED: return exec_write_many(&c);
    case DB_ST_COMMIT: case DB_ST_ROLLBACK: case DB_ST_BEGIN: break;
    }
    SIM_UNREACHABLE("db_exec_stmt: BEGIN/COMMIT/ROLLBACK run in the executor");
    return DB_RUN_ERROR;
}
