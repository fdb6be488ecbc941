/* db_node.c -- the db node's model: load, sessions, the inbox, the request
 * executor, replies, timers, crashes.
 *
 * Session state diagram (the function that takes each edge):
 *
 *   IDLE --request arrives [db_on_message -> inbox_add]--> QUEUED
 *   QUEUED --flush timer, writes first [on_flush -> run_request]--> RUNNING
 *   RUNNING --a statement waits for a lock [run_request]--> BLOCKED
 *   BLOCKED --granted, victim, timeout, doomed [db_ready_push -> drain]--> RUNNING
 *   RUNNING --last statement, or an error [finish]--> IDLE (reply sent)
 *
 * Writes before reads (SCENARIOS.md section 0: "writes/commits at tick t are
 * applied before reads issued at tick t").  Requests are not run when they
 * arrive: they wait in the inbox, and a zero-delay timer, which fires after
 * every message already due at this instant, runs the requests that write
 * (UPDATE, INSERT, COMMIT, ROLLBACK first) before the ones that read
 * (SELECT, also FOR UPDATE), each group in arrival order.  Sessions woken
 * by a commit (granted a lock) run right after the request that woke them.
 *
 * Invariant (db_invariants_ok, asserted after every event of a small node,
 * sampled on a big one: db_invariants_sampled): see db_int.h.
 * Trade-off: one fixed arena per node (db_node), sized by the DB_*_MAX
 * bounds; reaching one fails the statement with a PostgreSQL-style error
 * (53200 out of shared memory, 53100 disk full) rather than the run.
 */
#include "protocols/db/db_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "protocols/db/db.h"

/* ------------------------------------------------------------ invariants */

static bool row_ok(const db_node *d, int32_t i) {
    const db_row *r = &d->rows[i];
    if (r->x_holder >= 0) {
        const db_txn *t = &d->txns[r->x_holder];
        if (t->state != DB_TX_ACTIVE || !db_holds(d, t, i, DB_LOCK_UPDATE)) return false;
    }
    for (int32_t w = r->wait_head; w >= 0; w = d->txns[w].wait_next) {
        const db_txn *t = &d->txns[w];
        if (t->state != DB_TX_ACTIVE || !t->waiting || t->wait_pred || t->wait_row != i) return false;
    }
    if (r->newest >= 0 && d->versions[r->newest].commit_seq == 0) {
        int32_t s = db_txn_find(d, d->versions[r->newest].txn);
        if (s < 0 || r->x_holder != s) return false;      /* uncommitted: its writer holds X */
    }
    return true;
}

bool db_invariants_ok(const db_node *d) {
    if (d->cfg == NULL) return false;
    if (d->versions_fresh > DB_VERSIONS_MAX || d->versions_used > d->versions_fresh) return false;
    for (uint32_t k = 0; k < d->txns_live; k++) {
        const db_txn *t = &d->txns[d->active[k]];
        if (t->state != DB_TX_ACTIVE || t->active_pos != k) return false;
    }
    for (uint32_t i = 0; i < d->row_count; i++)
        if (!row_ok(d, (int32_t)i)) return false;
    return d->inbox_count <= DB_INBOX_MAX && d->ready_count <= DB_SESSIONS_MAX;
}

/* Checked after every event of a small node; a big one (a queue of 20 000
 * buyers) is checked once per DB_CHECK_BUDGET-th of its size in events, so
 * the assertions cost O(1) per event instead of O(transactions). */
#define DB_CHECK_BUDGET 64u

bool db_invariants_sampled(db_node *d) {
    d->check_credit += DB_CHECK_BUDGET;
    if (d->check_credit < (uint64_t)d->txns_live + d->row_count) return true;
    d->check_credit = 0;
    return db_invariants_ok(d);
}

/* ------------------------------------------------------------ effects */

void db_effect_aux(db_node *d, env *e, const db_txn *t, hist_eff_kind kind, const char *key,
                   int64_t value, int64_t version, int64_t aux) {
    SIM_ASSERT(d != NULL);
    SIM_ASSERT(key != NULL);
    hist_effect_fields ef;
    memset(&ef, 0, sizeof ef);
    ef.kind = kind;
    ef.client = t ? t->client : -1;
    ef.op = t ? t->op : HIST_NONE;
    ef.txn = t ? t->id : 0;
    ef.value = value;
    ef.version = version;
    ef.aux = aux;
    ef.key = key;
    env_effect(e, &ef);
}

void db_effect(db_node *d, env *e, const db_txn *t, hist_eff_kind kind, const char *key,
               int64_t value, int64_t version) {
    db_effect_aux(d, e, t, kind, key, value, version, 0);
}

/* MySQL's errors that roll back the statement only (1062, and 1205 unless
 * innodb_rollback_on_timeout).  Not so for a statement that is its own
 * transaction (autocommit): the server ends that transaction with it
 * (MariaDB: @@in_transaction is 0 after the error). */
static bool statement_only(const db_node *d, const db_session *ss, const char *code) {
    if (d->cfg->flavor != DB_FLAVOR_MYSQL || db_own_txn(ss)) return false;
    return strcmp(code, "1062") == 0 ||
           (strcmp(code, "1205") == 0 && !d->cfg->innodb_rollback_on_timeout);
}

db_run db_fail(db_node *d, env *e, int32_t slot, const char *code, char out[8]) {
    db_txn *t = db_txn_at(d, slot);
    SIM_ASSERT(code != NULL);
    SIM_ASSERT(out != NULL);
    db_session *ss = &d->sessions[t->session];
    bool keep = statement_only(d, ss, code);
    db_effect(d, e, t, HIST_EFF_DB_ERROR, code, keep ? 0 : 1, 0);
    snprintf(out, 8, "%s", code);
    if (keep) return DB_RUN_ERROR;
    bool mysql = d->cfg->flavor == DB_FLAVOR_MYSQL;
    if (!mysql && !ss->began_here) ss->aborted_block = true;    /* until ROLLBACK */
    db_abort(d, e, slot);
    return DB_RUN_ERROR;
}

/* ------------------------------------------------------------ sessions */

#define SESSION_MASK (DB_SESSION_INDEX - 1u)

static uint32_t session_hash(int32_t node, uint32_t sid) {
    uint32_t h = ((uint32_t)node * 2654435761u) ^ (sid * 40503u);
    return (h ^ (h >> 15)) & SESSION_MASK;
}

/* The index position of (node, sid), or of the empty entry where it would
 * go: the index is at most half full, so there is always one. */
static uint32_t session_pos(const db_node *d, int32_t node, uint32_t sid) {
    uint32_t i = session_hash(node, sid);
    for (;;) {
        int32_t s = d->session_index[i];
        if (s < 0) return i;
        if (d->sessions[s].node == node && d->sessions[s].sid == sid) return i;
        i = (i + 1) & SESSION_MASK;
    }
}

static int32_t session_find(db_node *d, int32_t node, uint32_t sid, bool create) {
    uint32_t i = session_pos(d, node, sid);
    if (d->session_index[i] >= 0) return d->session_index[i];
    if (!create || d->session_free_count == 0) return -1;
    int32_t slot = d->session_free[--d->session_free_count];
    db_session *s = &d->sessions[slot];
    SIM_ASSERT(!s->used);
    memset(s, 0, sizeof *s);
    s->used = true;
    s->node = node;
    s->sid = sid;
    s->txn = -1;
    d->session_index[i] = slot;
    d->session_count++;
    return slot;
}

/* Is h cyclically in (i, j]? Then an entry hashed to h and found at j
 * stays when i is emptied (linear probing's deletion). */
static bool probe_covers(uint32_t i, uint32_t j, uint32_t h) {
    return i <= j ? (i < h && h <= j) : (i < h || h <= j);
}

/* Frees an idle session's slot: its entry leaves the index and the later
 * entries of its probe run move back (no tombstones, so probes stay short
 * however many sessions came and went). */
static void session_release(db_node *d, int32_t slot) {
    db_session *ss = &d->sessions[slot];
    SIM_ASSERT(ss->used && !ss->busy && !ss->queued && ss->txn < 0);
    uint32_t i = session_pos(d, ss->node, ss->sid);
    SIM_ASSERT(d->session_index[i] == slot);
    for (uint32_t j = (i + 1) & SESSION_MASK; d->session_index[j] >= 0; j = (j + 1) & SESSION_MASK) {
        const db_session *o = &d->sessions[d->session_index[j]];
        if (probe_covers(i, j, session_hash(o->node, o->sid))) continue;
        d->session_index[i] = d->session_index[j];
        i = j;
    }
    d->session_index[i] = -1;
    ss->used = false;
    d->session_free[d->session_free_count++] = slot;
    d->session_count--;
}

/* Nothing is left on the session that a fresh one would not have. */
static bool session_idle(const db_session *ss) {
    return !ss->busy && !ss->queued && ss->txn < 0 && !ss->aborted_block && !ss->log_auto &&
           ss->log_seq == 0 && !ss->log_blocked;
}

void db_ready_push(db_node *d, int32_t session) {
    SIM_ASSERT(session >= 0);
    SIM_ASSERT(session < DB_SESSIONS_MAX);
    db_session *s = &d->sessions[session];
    if (s->queued || !s->busy) return;
    SIM_ASSERT(d->ready_count < DB_SESSIONS_MAX);
    d->ready[(d->ready_head + d->ready_count) % DB_SESSIONS_MAX] = session;
    d->ready_count++;
    s->queued = true;
}

static void finish(db_node *d, env *e, int32_t s) {
    db_session *ss = &d->sessions[s];
    SIM_ASSERT(ss->busy);
    if (ss->log_seq != 0)                    /* failed while it waited, or before it ran */
        db_log_done(d, e, s, NULL, NULL, false, ss->reply.code, ss->txn < 0);
    if (!ss->reply.ok) db_log_auto_rollback(d, e, s);
    ss->reply.txn_open = ss->txn >= 0 || ss->aborted_block ? 1 : 0;   /* ROLLBACK it */
    if (ss->reply.ok) ss->reply.code[0] = '\0';
    env_send(e, ss->node, DB_MSG_REPLY, &ss->reply, sizeof ss->reply);
    ss->busy = false;
    ss->stmt_started = false;
    if (session_idle(ss)) session_release(d, s);
}

static bool is_end(uint8_t kind) { return kind == DB_ST_COMMIT || kind == DB_ST_ROLLBACK; }

static bool run_begin(db_node *d, env *e, int32_t s, const db_stmt *st);

static void session_error(db_node *d, env *e, int32_t s, const char *code, const char *why) {
    db_session *ss = &d->sessions[s];
    env_trace(e, "session %u of %s: ERROR %s: %s", ss->sid, env_node_name(e, ss->node), code, why);
    db_effect(d, e, NULL, HIST_EFF_DB_ERROR, code, 0, 0);
    snprintf(ss->reply.code, sizeof ss->reply.code, "%s", code);
    ss->reply.ok = 0;
}

/* PostgreSQL refuses a statement sent to a failed transaction block (25P02,
 * until ROLLBACK).  It rolls nothing back: the earlier error did, so its
 * log record says ROLLEDBACK 0 (and its DB_ERROR value 0).  Returns false. */
static bool refuse_in_failed_block(db_node *d, env *e, int32_t s, const db_stmt *st) {
    db_session *ss = &d->sessions[s];
    SIM_ASSERT(ss->aborted_block);
    SIM_ASSERT(ss->txn < 0);
    if (!ss->stmt_started) db_log_stmt(d, e, s, st);
    session_error(d, e, s, "25P02", "current transaction is aborted, commands ignored until "
                                    "end of transaction block");
    db_log_done(d, e, s, st, NULL, false, "25P02", false);
    return false;
}

/* Before a statement runs (or runs again after a wait): its transaction,
 * its snapshot; false when the session must answer with an error. */
static bool stmt_start(db_node *d, env *e, int32_t s, const db_stmt *st) {
    db_session *ss = &d->sessions[s];
    if (ss->aborted_block) return refuse_in_failed_block(d, e, s, st);
    if (ss->txn < 0) {
        if (db_txn_begin(d, e, s, DB_ISO_DEFAULT) < 0) {
            session_error(d, e, s, "53200", "out of shared memory (too many transactions)");
            return false;
        }
        ss->began_here = (ss->req.flags & DB_REQ_AUTOCOMMIT) != 0;
        ss->reply.txn = d->txns[ss->txn].id;
        db_log_begin(d, e, s, d->txns[ss->txn].iso);
    }
    db_txn *t = db_txn_at(d, ss->txn);
    t->op = ss->req.op;
    ss->reply.txn = t->id;
    if (t->waiting && t->wait_pred) db_wait_end(d, e, ss->txn);   /* woken to look again */
    SIM_ASSERT(!t->waiting);
    if (ss->stmt_started) return true;
    ss->stmt_started = true;
    t->queried = true;
    db_log_stmt(d, e, s, st);
    ss->stmt_snap = d->commit_seq;
    ss->stmt_held = t->held_count;
    if (d->cfg->flavor != DB_FLAVOR_LOCKING && t->iso >= DB_ISO_RR) db_take_snapshot(d, t);
    return true;
}

/* MySQL: START TRANSACTION while one is open commits it first (an
 * implicit commit; InnoDB has no SSI, so the commit cannot fail). */
static void implicit_commit(db_node *d, env *e, int32_t s) {
    db_session *ss = &d->sessions[s];
    env_trace(e, "session %u: START TRANSACTION commits T%u first (implicit commit)", ss->sid,
              d->txns[ss->txn].id);
    bool ok = db_commit(d, e, ss->txn);
    SIM_ASSERT(ok);
    SIM_ASSERT(ss->txn < 0);
}

/* PostgreSQL (and locking, whose SQL is PostgreSQL's): BEGIN inside a
 * transaction block warns "there is already a transaction in progress"
 * (25001) and keeps the transaction; a level it names is then set as SET
 * TRANSACTION sets it: the same level, or any before the transaction's
 * first query, is taken; another after a query is an error (25001 "SET
 * TRANSACTION ISOLATION LEVEL must be called before any query",
 * check_XactIsoLevel), which fails the block.  False = failed. */
static bool begin_in_block(db_node *d, env *e, int32_t s, const db_stmt *st) {
    db_session *ss = &d->sessions[s];
    db_txn *t = db_txn_at(d, ss->txn);
    db_log_begin_stmt(d, e, s, st, true);
    ss->reply.txn = t->id;
    env_trace(e, "session %u: BEGIN: WARNING: there is already a transaction in progress", ss->sid);
    if (st->arg == DB_ISO_DEFAULT || (db_isolation)st->arg == t->iso) return true;
    if (!t->queried) {
        t->iso = (db_isolation)st->arg;
        env_trace(e, "T%u now runs at %s", t->id, db_isolation_name(t->iso));
        return true;
    }
    env_trace(e, "T%u: ERROR 25001: SET TRANSACTION ISOLATION LEVEL must be called before any query",
              t->id);
    db_fail(d, e, ss->txn, "25001", ss->reply.code);
    ss->reply.ok = 0;
    return false;
}

/* BEGIN [ISOLATION LEVEL arg]: false = failed (the code is in the reply).
 * With a transaction open, postgres and locking keep it (begin_in_block);
 * mysql commits it and begins anew. */
static bool run_begin(db_node *d, env *e, int32_t s, const db_stmt *st) {
    db_session *ss = &d->sessions[s];
    if (ss->aborted_block) return refuse_in_failed_block(d, e, s, st);
    bool again = ss->txn >= 0;
    if (again && d->cfg->flavor != DB_FLAVOR_MYSQL) return begin_in_block(d, e, s, st);
    if (again) implicit_commit(d, e, s);
    if (db_txn_begin(d, e, s, (db_isolation)st->arg) < 0) {
        db_log_begin_stmt(d, e, s, st, again);
        session_error(d, e, s, "53200", "out of shared memory (too many transactions)");
        return false;
    }
    ss->began_here = false;
    ss->reply.txn = d->txns[ss->txn].id;
    db_log_begin_stmt(d, e, s, st, again);
    return true;
}

/* COMMIT and ROLLBACK: false = failed (the code is in the reply). */
static bool run_end(db_node *d, env *e, int32_t s, const db_stmt *st) {
    db_session *ss = &d->sessions[s];
    if (ss->aborted_block) {                 /* PostgreSQL: COMMIT of a failed txn = ROLLBACK */
        ss->aborted_block = false;
        return true;
    }
    if (ss->txn < 0) return true;            /* "there is no transaction in progress" */
    ss->reply.txn = d->txns[ss->txn].id;
    if (st->kind == DB_ST_ROLLBACK) {
        db_abort(d, e, ss->txn);
        return true;
    }
    if (db_commit(d, e, ss->txn)) return true;
    snprintf(ss->reply.code, sizeof ss->reply.code, "40001");
    ss->reply.ok = 0;
    return false;
}

/* Runs the session's request from its next statement until it ends or a
 * statement waits. */
static void run_request(db_node *d, env *e, int32_t s) {
    db_session *ss = &d->sessions[s];
    SIM_ASSERT(ss->busy);
    if (ss->txn >= 0 && d->txns[ss->txn].waiting && !d->txns[ss->txn].wait_pred) return;
    while (ss->reply.ok && ss->next < ss->req.n) {
        const db_stmt *st = &ss->req.stmts[ss->next];
        if (is_end(st->kind)) {
            db_log_stmt(d, e, s, st);
            if (!run_end(d, e, s, st)) break;
        } else if (st->kind == DB_ST_BEGIN) {
            if (!run_begin(d, e, s, st)) break;     /* logs itself: its record names the txn */
        } else {
            if (!stmt_start(d, e, s, st)) break;
            db_run r = db_exec_stmt(d, e, s, st, &ss->reply.res[ss->next], ss->reply.code);
            if (r == DB_RUN_BLOCKED) {
                db_log_block(d, e, s);
                return;
            }
            if (r == DB_RUN_ERROR) { ss->reply.ok = 0; break; }
        }
        if (!db_own_txn(ss)) db_log_done(d, e, s, st, &ss->reply.res[ss->next], true, "", false);
        ss->next++;
        ss->reply.n = ss->next;
        ss->stmt_started = false;
    }
    if (ss->reply.ok && (ss->req.flags & DB_REQ_AUTOCOMMIT) && ss->txn >= 0 && ss->began_here) {
        db_log_commit(d, e, s);
        if (!db_commit(d, e, ss->txn)) {
            snprintf(ss->reply.code, sizeof ss->reply.code, "40001");
            ss->reply.ok = 0;
        } else if (db_own_txn(ss)) {          /* its answer is the statement's, after the commit */
            db_log_done(d, e, s, &ss->req.stmts[0], &ss->reply.res[0], true, "", false);
        } else {
            static const db_stmt commit = { .kind = DB_ST_COMMIT };
            db_log_done(d, e, s, &commit, NULL, true, "", false);
        }
    }
    finish(d, e, s);
}

static void drain(db_node *d, env *e) {
    while (d->ready_count > 0) {
        int32_t s = d->ready[d->ready_head];
        d->ready_head = (d->ready_head + 1) % DB_SESSIONS_MAX;
        d->ready_count--;
        d->sessions[s].queued = false;
        if (d->sessions[s].busy) run_request(d, e, s);
        else if (session_idle(&d->sessions[s])) session_release(d, s);
    }
}

/* ------------------------------------------------------------ the inbox */

static bool writes(const db_req *q) {
    uint8_t k = q->stmts[0].kind;
    return k == DB_ST_UPDATE || k == DB_ST_INSERT || k == DB_ST_COMMIT || k == DB_ST_ROLLBACK ||
           k == DB_ST_DELETE || k == DB_ST_UPDATE_PRED || k == DB_ST_DELETE_PRED;
}

static void on_flush(db_node *d, env *e) {
    d->flush_timer = 0;
    for (int pass = 0; pass < 2; pass++) {      /* writes and commits, then reads */
        for (uint32_t i = 0; i < d->inbox_count; i++) {
            int32_t s = d->inbox[i];
            if (writes(&d->sessions[s].req) != (pass == 0)) continue;
            run_request(d, e, s);
            drain(d, e);
        }
    }
    d->inbox_count = 0;
}

static bool req_ok(const db_node *d, const db_req *q) {
    if (q->n == 0 || q->n > DB_STMTS_MAX) return false;
    for (uint32_t i = 0; i < q->n; i++) {
        const db_stmt *st = &q->stmts[i];
        if (st->kind < DB_ST_SELECT || st->kind > DB_ST_LAST) return false;
        if (st->kind == DB_ST_BEGIN && (st->arg < DB_ISO_DEFAULT || st->arg > DB_ISO_SER))
            return false;
        if (!is_end(st->kind) && st->kind != DB_ST_BEGIN && st->table >= d->seed.table_count)
            return false;
        if (st->lock > DB_LOCK_UPDATE) return false;
        if (st->where >= HIST_PRED_COUNT && st->where != DB_WHERE_VERSION) return false;
    }
    return true;
}

static void db_on_message(void *state, env *e, node_id from, uint32_t type, const void *body,
                          uint32_t len) {
    db_node *d = state;
    SIM_ASSERT(db_invariants_sampled(d));
    if (type != DB_MSG_REQ || len != sizeof(db_req)) {
        env_trace(e, "db: ignored a message of type %u", type);
        return;
    }
    db_req q;
    memcpy(&q, body, sizeof q);
    int32_t s = session_find(d, from, q.session, true);
    if (s < 0 || d->inbox_count == DB_INBOX_MAX) {
        env_trace(e, "db: too many sessions or queued requests; request dropped");
        return;
    }
    db_session *ss = &d->sessions[s];
    if (ss->busy || !req_ok(d, &q)) {
        env_trace(e, "db: session %u: %s; ignored", q.session, ss->busy ? "a request is already "
                  "running (a duplicate?)" : "malformed request");
        return;
    }
    ss->busy = true;
    ss->req = q;
    ss->next = 0;
    ss->stmt_started = false;
    memset(&ss->reply, 0, sizeof ss->reply);
    ss->reply.session = q.session;
    ss->reply.req = q.req;
    ss->reply.op = q.op;
    ss->reply.ok = 1;
    d->inbox[d->inbox_count++] = s;
    if (d->flush_timer == 0) d->flush_timer = env_timer(e, 0, DB_TAG_FLUSH, 0);
    SIM_ASSERT(db_invariants_sampled(d));
}

static void db_on_timer(void *state, env *e, uint32_t tag, uint64_t arg) {
    db_node *d = state;
    SIM_ASSERT(db_invariants_sampled(d));
    switch (tag) {
    case DB_TAG_FLUSH: on_flush(d, e); break;
    case DB_TAG_DEADLOCK: db_on_deadlock_timer(d, e, arg); break;
    case DB_TAG_LOCK_TIMEOUT: db_on_lock_timeout(d, e, arg); break;
    default: SIM_UNREACHABLE("db timer tag"); break;
    }
    drain(d, e);
    SIM_ASSERT(db_invariants_sampled(d));
}

/* ------------------------------------------------------------ load */

static void load(db_node *d, env *e) {
    memset(&d->seed, 0, sizeof d->seed);
    if (!env_load_seed(e, &d->seed, sizeof d->seed)) {
        env_trace(e, "db: the workload loads no data; the database starts empty");
        return;
    }
    d->commit_seq = 1;                       /* the load: visible to every snapshot */
    for (uint32_t i = 0; i < d->seed.row_count; i++) {
        const db_row_def *rd = &d->seed.rows[i];
        SIM_ASSERT(rd->table < d->seed.table_count);
        int32_t row = db_row_add(d, rd->table, rd->id);
        SIM_ASSERT(row >= 0);                /* the seed is bounded well below DB_ROWS_MAX */
        db_row *r = &d->rows[row];
        int32_t v = db_version_take(d);
        SIM_ASSERT(v >= 0);                  /* the seed is bounded well below DB_VERSIONS_MAX */
        d->versions[v] = (db_version){ rd->value, 1, 1, 0, -1, true, false };
        d->versions_used++;
        r->newest = v;
        r->installs = 1;
        if (d->seed.tables[rd->table].ledger)
            db_effect(d, e, NULL, HIST_EFF_BALANCE_INIT, r->key, rd->value, 1);
    }
    env_trace(e, "db: loaded %u rows in %u tables (%s, %s)", d->seed.row_count,
              d->seed.table_count, db_flavor_name((db_flavor)d->cfg->flavor),
              db_isolation_name(d->iso));
}

/* The volatile part as a crash leaves it.  `fresh`: d is still the engine's
 * zeroed memory (db_init), so the zeroes are not written again: touching
 * the whole 5 MB arena once per run was a third of a small run's time
 * (issue 17); only the pages the run uses are ever touched. */
static void reset_volatile(db_node *d, bool fresh) {
    if (!fresh) {
        memset(d->txns, 0, sizeof d->txns);
        memset(d->sessions, 0, sizeof d->sessions);
        memset(d->active, 0, sizeof d->active);
    }
    for (uint32_t i = 0; i < DB_SESSION_INDEX; i++) d->session_index[i] = -1;
    for (uint32_t i = 0; i < DB_SESSIONS_MAX; i++)          /* slot 0 is taken first */
        d->session_free[i] = (int32_t)(DB_SESSIONS_MAX - 1u - i);
    d->session_free_count = DB_SESSIONS_MAX;
    d->txns_live = d->kept = 0;
    d->session_count = d->inbox_count = d->ready_count = d->ready_head = 0;
    d->siread_count = d->predlock_count = d->pwait_count = 0;
    d->flush_timer = 0;
}

/* Called once, on the engine's zeroed state (model_ops.state_size). */
static void db_init(void *state, env *e) {
    db_node *d = state;
    SIM_ASSERT(env_self(e) >= 0);
    SIM_ASSERT(d->cfg == NULL && d->row_count == 0 && d->commit_seq == 0);   /* zeroed: not set up yet */
    d->cfg = env_proto_config(e);
    SIM_ASSERT(d->cfg != NULL);
    d->iso = db_effective_isolation(d->cfg);
    d->version_free = -1;                    /* none freed yet; every version is fresh */
    d->versions_fresh = 0;
    reset_volatile(d, true);
    load(d, e);
    SIM_ASSERT(db_invariants_ok(d));
}

/* A crash loses every open transaction (their versions and locks) and the
 * sessions; what was committed is durable (a database with a WAL).  A power
 * loss is the same: the commit's WAL record is fsynced before the client is
 * told (PostgreSQL's synchronous_commit = on, InnoDB's
 * innodb_flush_log_at_trx_commit = 1, both defaults); the settings that
 * acknowledge before the fsync are not modelled. */
static void db_on_crash(void *state, env *e) {
    db_node *d = state;
    SIM_ASSERT(d->cfg != NULL);
    for (uint32_t i = 0; i < d->row_count; i++) {
        db_row *r = &d->rows[i];
        while (r->newest >= 0 && d->versions[r->newest].commit_seq == 0) {
            int32_t v = r->newest;
            r->newest = d->versions[v].older;
            d->versions[v].used = false;
            d->versions[v].older = d->version_free;
            d->version_free = v;
            d->versions_used--;
        }
        r->x_holder = -1;
        r->s_count = 0;
        r->wait_head = r->wait_tail = -1;
    }
    uint32_t lost = d->txns_live;
    reset_volatile(d, false);
    env_trace(e, "db crashed: %u open transactions lost; committed data is durable", lost);
    SIM_ASSERT(db_invariants_ok(d));
}

static void db_on_restart(void *state, env *e) {
    db_node *d = state;
    SIM_ASSERT(db_invariants_ok(d));
    env_trace(e, "db restarted with %u rows", d->row_count);
}

const model_ops db_model_ops = {
    .name = "db",
    .state_size = sizeof(db_node),
    .init = db_init,
    .on_message = db_on_message,
    .on_timer = db_on_timer,
    .on_crash = db_on_crash,
    .on_restart = db_on_restart,
    .side_log_head = db_log_head,
    .side_log_tail = db_log_tail,
};
