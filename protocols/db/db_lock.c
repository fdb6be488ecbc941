/* db_lock.c -- row locks with FIFO waiters, predicate locks, deadlock
 * detection and lock timeouts.
 *
 * A row lock is FOR SHARE (S, many holders) or FOR UPDATE (X, one holder;
 * every write takes it).  A request that cannot be granted at once, or that
 * finds others already queued, waits at the tail of the row's queue (FIFO,
 * as PostgreSQL's tuple locks and InnoDB's queues serve them); a release
 * grants the head, and the S requests right behind it, and so does a waiter
 * leaving the queue ungranted (db_wait_end, fail_waiter), and InnoDB at RC /
 * RU releasing a row a statement found not matching (db_unlock_taken).  An S -> X upgrade
 * the holders allow passes the queue on postgres and locking, and waits
 * behind it on mysql (jumps_queue says why).
 *
 *   (not waiting) --db_lock_row: conflict--> WAITING --grant [grant_waiters]--> (not waiting)
 *   WAITING --deadlock_timeout, cycle [db_on_deadlock_timer]--> aborted, 40P01
 *   WAITING --lock_timeout / innodb_lock_wait_timeout [db_on_lock_timeout]--> 55P03 / 1205
 *   WAITING --closes a cycle, InnoDB [detect_now, on a row or a predicate wait]-->
 *           the lighter txn rolled back, 1213
 *
 * Invariant: a waiting transaction is on exactly one queue (its row's, or
 * the predicate waiters'); a row's s_count equals the S entries in its
 * holders' lists; x_holder holds an X entry.  Every wait opens a BLOCKED
 * effect and closes it with UNBLOCKED (hist.h), whatever ends it.
 *
 * Trade-off: the wait-for graph is built when a check runs (a waiter waits
 * for the holders of its row, or for the holders of the predicate lock in
 * its way), by scanning the holders' lists; checks are rare, waits are not.
 */
#include "protocols/db/db_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "protocols/db/db.h"

static uint64_t wait_arg(int32_t slot, uint32_t seq) {
    return ((uint64_t)seq << 32) | (uint32_t)slot;
}

bool db_holds(const db_node *d, const db_txn *t, int32_t row, db_lock_mode mode) {
    SIM_ASSERT(d != NULL);
    SIM_ASSERT(t != NULL);
    for (uint32_t i = 0; i < t->held_count; i++)
        if (t->held[i].row == row && t->held[i].mode >= mode) return true;
    return false;
}

static bool holds_share(const db_txn *t, int32_t row) {
    for (uint32_t i = 0; i < t->held_count; i++)
        if (t->held[i].row == row && t->held[i].mode == DB_LOCK_SHARE) return true;
    return false;
}

static bool compatible(const db_node *d, int32_t slot, int32_t row, db_lock_mode mode) {
    const db_row *r = &d->rows[row];
    const db_txn *t = &d->txns[slot];
    if (r->x_holder >= 0 && r->x_holder != slot) return false;
    if (mode == DB_LOCK_SHARE) return true;
    uint16_t others = (uint16_t)(r->s_count - (holds_share(t, row) ? 1 : 0));
    return others == 0;
}

/* Records the grant in the row and the holder's list (an S -> X upgrade
 * replaces the S entry).  False when the holder's list is full. */
static bool grant(db_node *d, int32_t slot, int32_t row, db_lock_mode mode) {
    db_txn *t = &d->txns[slot];
    db_row *r = &d->rows[row];
    for (uint32_t i = 0; i < t->held_count; i++) {
        if (t->held[i].row != row) continue;
        SIM_ASSERT(t->held[i].mode == DB_LOCK_SHARE);
        SIM_ASSERT(mode == DB_LOCK_UPDATE);
        t->held[i].mode = DB_LOCK_UPDATE;
        r->s_count--;
        r->x_holder = slot;
        return true;
    }
    if (t->held_count == DB_HELD_MAX) return false;
    t->held[t->held_count++] = (db_held){ row, (uint8_t)mode };
    if (mode == DB_LOCK_UPDATE) r->x_holder = slot;
    else r->s_count++;
    return true;
}

/* The first holder in the way, for the BLOCKED effect's client. */
static int32_t some_holder(const db_node *d, int32_t slot, int32_t row) {
    const db_row *r = &d->rows[row];
    if (r->x_holder >= 0 && r->x_holder != slot) return r->x_holder;
    for (uint32_t k = 0; k < d->txns_live; k++) {
        int32_t i = d->active[k];
        if (i != slot && holds_share(&d->txns[i], row)) return i;
    }
    return r->wait_head;
}

static void wait_begin(db_node *d, env *e, int32_t slot, int32_t holder, const char *what) {
    db_txn *t = &d->txns[slot];
    const db_cfg *cfg = d->cfg;
    t->waiting = true;
    t->wait_seq++;
    snprintf(t->blocked_key, sizeof t->blocked_key, "T%u waits %s", t->id, what);
    hist_effect_fields ef;
    memset(&ef, 0, sizeof ef);
    ef.kind = HIST_EFF_BLOCKED;
    ef.client = holder >= 0 ? d->txns[holder].client : -1;
    ef.op = t->op;
    ef.txn = t->id;
    ef.key = t->blocked_key;
    env_effect(e, &ef);
    env_trace(e, "T%u waits for a lock on %s (held by T%u)", t->id, what,
              holder >= 0 ? d->txns[holder].id : 0);
    uint64_t arg = wait_arg(slot, t->wait_seq);
    if (cfg->flavor == DB_FLAVOR_MYSQL) {
        if (cfg->innodb_lock_wait_timeout_ns >= 0)
            t->timeout_timer = env_timer(e, cfg->innodb_lock_wait_timeout_ns, DB_TAG_LOCK_TIMEOUT, arg);
        return;
    }
    if (cfg->deadlock_timeout_ns >= 0)
        t->deadlock_timer = env_timer(e, cfg->deadlock_timeout_ns, DB_TAG_DEADLOCK, arg);
    if (cfg->lock_timeout_ns > 0)
        t->timeout_timer = env_timer(e, cfg->lock_timeout_ns, DB_TAG_LOCK_TIMEOUT, arg);
}

static void queue_unlink(db_node *d, int32_t slot) {
    db_txn *t = &d->txns[slot];
    db_row *r = &d->rows[t->wait_row];
    int32_t prev = -1;
    for (int32_t w = r->wait_head; w >= 0; prev = w, w = d->txns[w].wait_next) {
        if (w != slot) continue;
        if (prev < 0) r->wait_head = t->wait_next;
        else d->txns[prev].wait_next = t->wait_next;
        if (r->wait_tail == slot) r->wait_tail = prev;
        t->wait_next = -1;
        return;
    }
    SIM_UNREACHABLE("a row waiter is on its row's queue");
}

/* Ends t's wait (see db_wait_end), leaving its row's queue as it is. */
static void wait_end(db_node *d, env *e, int32_t slot) {
    db_txn *t = &d->txns[slot];
    SIM_ASSERT(t->waiting);
    if (t->wait_pred) {
        for (uint32_t i = 0; i < d->pwait_count; i++) {
            if (d->pwait[i] != slot) continue;
            memmove(&d->pwait[i], &d->pwait[i + 1], (d->pwait_count - i - 1) * sizeof d->pwait[0]);
            d->pwait_count--;
            break;
        }
    } else {
        queue_unlink(d, slot);
    }
    env_timer_cancel(e, t->deadlock_timer);
    env_timer_cancel(e, t->timeout_timer);
    t->deadlock_timer = t->timeout_timer = 0;
    t->waiting = t->wait_pred = false;
    t->wait_row = -1;
    t->wait_seq++;
    hist_effect_fields ef;
    memset(&ef, 0, sizeof ef);
    ef.kind = HIST_EFF_UNBLOCKED;
    ef.client = -1;
    ef.op = t->op;
    ef.txn = t->id;
    ef.key = t->blocked_key;
    env_effect(e, &ef);
}

static void detect_now(db_node *d, env *e, int32_t slot);
static void grant_waiters(db_node *d, env *e, int32_t row);

/* A waiter that leaves its row's queue ungranted (timeout, deadlock victim,
 * doomed, ended) may have been all that held back the ones behind it: an
 * upgrade queued behind a FOR UPDATE on mysql (jumps_queue) is granted when
 * that FOR UPDATE is the victim.  (PostgreSQL's LockWaitCancel runs
 * ProcLockWakeup for the same reason.) */
void db_wait_end(db_node *d, env *e, int32_t slot) {
    bool row_wait = !d->txns[slot].wait_pred;
    int32_t row = d->txns[slot].wait_row;
    wait_end(d, e, slot);
    if (row_wait) grant_waiters(d, e, row);
}

/* May an S -> X upgrade that the holders allow pass the row's waiters?
 *  - PostgreSQL: yes.  "If the process already holds locks on this same
 *    lockable object that conflict with the request of any pending waiter,
 *    then the process will be inserted in the wait queue just ahead of the
 *    first such waiter", and granted at once when nothing before that point
 *    conflicts (src/backend/storage/lmgr/README, the lock acquisition rules
 *    of LockAcquire / ProcSleep, rule 2); a row locked FOR SHARE by the
 *    upgrader alone is then its to update.  The textbook locking engine
 *    does the same.
 *  - InnoDB: no.  A new request waits for every conflicting request in the
 *    record's queue, granted or waiting (lock0lock.cc:
 *    lock_rec_other_has_conflicting walks all of them and
 *    lock_rec_has_to_wait does not skip waiting ones), as MySQL 5.6 does
 *    (Hermitage's runs) and MariaDB 10.x does; an X upgrade behind a waiting
 *    X then closes a cycle, 1213.  (MySQL 8.0 later let an X request pass a
 *    waiting X that a lock it already holds blocks: rec_lock_check_conflict,
 *    CAN_BYPASS.  The mysql flavour follows MariaDB, which `make
 *    conformance` runs.) */
static bool jumps_queue(const db_node *d, bool upgrade) {
    return upgrade && d->cfg->flavor != DB_FLAVOR_MYSQL;
}

db_lock_result db_lock_row(db_node *d, env *e, int32_t slot, int32_t row, db_lock_mode mode) {
    SIM_ASSERT(mode == DB_LOCK_SHARE || mode == DB_LOCK_UPDATE);
    SIM_ASSERT(row >= 0);
    SIM_ASSERT((uint32_t)row < d->row_count);
    db_txn *t = db_txn_at(d, slot);
    SIM_ASSERT(!t->waiting);
    if (db_holds(d, t, row, mode)) return DB_LOCK_GRANTED;
    db_row *r = &d->rows[row];
    bool upgrade = holds_share(t, row);
    if (!upgrade && t->held_count == DB_HELD_MAX) return DB_LOCK_FULL;
    if (compatible(d, slot, row, mode) && (r->wait_head < 0 || jumps_queue(d, upgrade))) {
        bool ok = grant(d, slot, row, mode);
        SIM_ASSERT(ok);
        return DB_LOCK_GRANTED;
    }
    t->wait_row = row;
    t->wait_mode = (uint8_t)mode;
    t->wait_pred = false;
    t->wait_next = -1;
    if (r->wait_tail >= 0) d->txns[r->wait_tail].wait_next = slot;
    else r->wait_head = slot;
    r->wait_tail = slot;
    wait_begin(d, e, slot, some_holder(d, slot, row), r->key);
    if (d->cfg->flavor == DB_FLAVOR_MYSQL && d->cfg->innodb_deadlock_detect) detect_now(d, e, slot);
    return DB_LOCK_WAIT;
}

/* Grants the head of row's queue and the S requests right behind it. */
static void grant_waiters(db_node *d, env *e, int32_t row) {
    db_row *r = &d->rows[row];
    while (r->wait_head >= 0) {
        int32_t w = r->wait_head;
        db_lock_mode mode = (db_lock_mode)d->txns[w].wait_mode;
        if (!compatible(d, w, row, mode)) return;
        wait_end(d, e, w);
        bool ok = grant(d, w, row, mode);
        SIM_ASSERT(ok);                   /* a waiter had room when it queued */
        env_trace(e, "T%u gets the lock on %s", d->txns[w].id, r->key);
        db_ready_push(d, d->txns[w].session);
        if (mode == DB_LOCK_UPDATE) return;
    }
}

void db_unlock_row(db_node *d, env *e, int32_t slot, int32_t row) {
    db_txn *t = db_txn_at(d, slot);
    for (uint32_t i = 0; i < t->held_count; i++) {
        if (t->held[i].row != row) continue;
        SIM_ASSERT(t->held[i].mode == DB_LOCK_SHARE);
        t->held[i] = t->held[--t->held_count];
        d->rows[row].s_count--;
        grant_waiters(d, e, row);
        return;
    }
}

void db_unlock_taken(db_node *d, env *e, int32_t slot, int32_t row, uint32_t since) {
    db_txn *t = db_txn_at(d, slot);
    SIM_ASSERT(since <= t->held_count);
    for (uint32_t i = since; i < t->held_count; i++) {
        if (t->held[i].row != row) continue;
        db_row *r = &d->rows[row];
        if (t->held[i].mode == DB_LOCK_UPDATE) {
            SIM_ASSERT(r->x_holder == slot);
            SIM_ASSERT(r->newest < 0 || d->versions[r->newest].commit_seq != 0);  /* not written */
            r->x_holder = -1;
        } else {
            SIM_ASSERT(r->s_count > 0);
            r->s_count--;
        }
        t->held[i] = t->held[--t->held_count];     /* held[..since) keep their places */
        env_trace(e, "T%u releases its lock on %s (does not match)", t->id, r->key);
        grant_waiters(d, e, row);
        return;
    }
}

void db_release_all(db_node *d, env *e, int32_t slot) {
    db_txn *t = db_txn_at(d, slot);
    SIM_ASSERT(!t->waiting);
    uint32_t n = t->held_count;
    db_held held[DB_HELD_MAX];
    memcpy(held, t->held, n * sizeof held[0]);
    t->held_count = 0;
    for (uint32_t i = 0; i < n; i++) {
        db_row *r = &d->rows[held[i].row];
        if (held[i].mode == DB_LOCK_UPDATE) { SIM_ASSERT(r->x_holder == slot); r->x_holder = -1; }
        else { SIM_ASSERT(r->s_count > 0); r->s_count--; }
    }
    for (uint32_t i = 0; i < d->predlock_count;) {
        if (d->predlocks[i].txn == slot) d->predlocks[i] = d->predlocks[--d->predlock_count];
        else i++;
    }
    for (uint32_t i = 0; i < n; i++) grant_waiters(d, e, held[i].row);
}

/* ------------------------------------------------------------ predicate locks */

bool db_predlock_add(db_node *d, int32_t slot, uint8_t table, uint8_t pred, int64_t arg) {
    SIM_ASSERT(slot >= 0);
    SIM_ASSERT(slot < DB_TXNS_MAX);
    SIM_ASSERT(table < DB_TABLES_MAX);
    for (uint32_t i = 0; i < d->predlock_count; i++) {
        const db_predlock *p = &d->predlocks[i];
        if (p->txn == slot && p->table == table && p->pred == pred && p->arg == arg) return true;
    }
    if (d->predlock_count == DB_PREDLOCKS_MAX) return false;
    d->predlocks[d->predlock_count++] = (db_predlock){ slot, table, pred, arg };
    return true;
}

int32_t db_predlock_conflict(const db_node *d, int32_t slot, uint8_t table, int64_t value) {
    SIM_ASSERT(d != NULL);
    SIM_ASSERT(table < DB_TABLES_MAX);
    for (uint32_t i = 0; i < d->predlock_count; i++) {
        const db_predlock *p = &d->predlocks[i];
        if (p->txn != slot && p->table == table && hist_pred_match(p->pred, p->arg, value))
            return p->txn;
    }
    return -1;
}

void db_wait_pred(db_node *d, env *e, int32_t slot, int32_t blocker, int32_t row) {
    db_txn *t = db_txn_at(d, slot);
    SIM_ASSERT(!t->waiting);
    SIM_ASSERT(blocker >= 0);
    SIM_ASSERT(blocker != slot);
    t->wait_pred = true;
    t->wait_row = row;
    t->blockers[0] = blocker;
    t->blocker_count = 1;
    SIM_ASSERT(d->pwait_count < DB_PWAIT_MAX);   /* bounded by the predicate locks' holders */
    d->pwait[d->pwait_count++] = slot;
    char what[SIM_NAME_MAX];
    snprintf(what, sizeof what, "%.11s (predicate)", d->seed.tables[d->rows[row].table].name);
    wait_begin(d, e, slot, blocker, what);
    /* InnoDB checks for a deadlock whenever a lock request waits, gap and
     * insert-intention waits included (two check-then-inserts: 1213 at once);
     * postgres / locking armed deadlock_timeout in wait_begin. */
    if (d->cfg->flavor == DB_FLAVOR_MYSQL && d->cfg->innodb_deadlock_detect) detect_now(d, e, slot);
}

void db_wake_pred_waiters(db_node *d) {
    SIM_ASSERT(d != NULL);
    for (uint32_t i = 0; i < d->pwait_count; i++) {
        const db_txn *t = &d->txns[d->pwait[i]];
        bool in_way = false;
        for (uint32_t k = 0; k < t->blocker_count; k++)
            in_way |= d->txns[t->blockers[k]].state == DB_TX_ACTIVE;
        if (!in_way) db_ready_push(d, t->session);   /* re-runs its statement, which ends the wait */
    }
}

/* ------------------------------------------------------------ deadlocks */

/* InnoDB: a waiter also waits for the conflicting requests queued ahead
 * of it (lock_has_to_wait against the locks before it in the queue), which
 * an upgrade queued behind a waiting X makes a cycle (jumps_queue). */
static uint32_t waits_ahead(const db_node *d, int32_t slot, int32_t *out, uint32_t max) {
    const db_txn *t = &d->txns[slot];
    uint32_t n = 0;
    for (int32_t w = d->rows[t->wait_row].wait_head; w >= 0 && w != slot && n < max; w = d->txns[w].wait_next) {
        bool conflict = t->wait_mode == DB_LOCK_UPDATE || d->txns[w].wait_mode == DB_LOCK_UPDATE;
        if (conflict) out[n++] = w;
    }
    return n;
}

/* The txns t waits for; returns how many (<= max). */
static uint32_t waits_for(const db_node *d, int32_t slot, int32_t *out, uint32_t max) {
    const db_txn *t = &d->txns[slot];
    uint32_t n = 0;
    if (!t->waiting) return 0;
    if (t->wait_pred) {
        for (uint32_t k = 0; k < t->blocker_count && n < max; k++) out[n++] = t->blockers[k];
        return n;
    }
    const db_row *r = &d->rows[t->wait_row];
    if (r->x_holder >= 0 && r->x_holder != slot) out[n++] = r->x_holder;
    if (d->cfg->flavor == DB_FLAVOR_MYSQL) n += waits_ahead(d, slot, out + n, max - n);
    if (t->wait_mode != DB_LOCK_UPDATE) return n;
    /* s_count says whether anyone else holds S: the scan below is for a few
       share holders, not for every check of a long queue behind an X. */
    if (r->s_count == (holds_share(t, t->wait_row) ? 1 : 0)) return n;
    for (uint32_t k = 0; k < d->txns_live && n < max; k++) {
        int32_t i = d->active[k];
        if (i != slot && holds_share(&d->txns[i], t->wait_row)) out[n++] = i;
    }
    return n;
}

/* A cycle of waits through `start`: its members in cycle[] (start first). */
static uint32_t find_cycle(const db_node *d, int32_t start, int32_t *cycle, uint32_t max) {
    static const uint32_t fan = 8;
    int32_t path[64];
    uint32_t next[64];
    uint32_t depth = 1;
    path[0] = start;
    next[0] = 0;
    while (depth > 0) {
        int32_t cur = path[depth - 1], out[8];
        uint32_t n = waits_for(d, cur, out, fan);
        if (next[depth - 1] >= n || depth == 64) { depth--; continue; }
        int32_t w = out[next[depth - 1]++];
        if (w == start) {
            uint32_t k = depth < max ? depth : max;
            memcpy(cycle, path, k * sizeof path[0]);
            return k;
        }
        bool on_path = false;
        for (uint32_t i = 0; i < depth; i++) on_path |= path[i] == w;
        if (on_path || !d->txns[w].waiting) continue;
        path[depth] = w;
        next[depth] = 0;
        depth++;
    }
    return 0;
}

static void cycle_text(const db_node *d, const int32_t *cycle, uint32_t n, char *buf, size_t len) {
    buf[0] = '\0';
    for (uint32_t i = 0; i < n; i++) {
        size_t used = strlen(buf);
        snprintf(buf + used, len - used, "T%u waits for ", d->txns[cycle[i]].id);
    }
    size_t used = strlen(buf);
    snprintf(buf + used, len - used, "T%u", d->txns[cycle[0]].id);
}

/* Fails a waiting transaction's statement with code and tells its client. */
static void fail_waiter(db_node *d, env *e, int32_t slot, const char *code);

void db_on_deadlock_timer(db_node *d, env *e, uint64_t arg) {
    int32_t slot = (int32_t)(arg & 0xffffffffu);
    uint32_t seq = (uint32_t)(arg >> 32);
    SIM_ASSERT(slot >= 0);
    SIM_ASSERT(slot < DB_TXNS_MAX);
    db_txn *t = &d->txns[slot];
    if (t->state != DB_TX_ACTIVE || !t->waiting || t->wait_seq != seq) return;
    t->deadlock_timer = 0;
    int32_t cycle[16];
    uint32_t n = find_cycle(d, slot, cycle, 16);
    if (n == 0) {
        env_trace(e, "T%u ran the deadlock check after deadlock_timeout: no cycle, waits on", t->id);
        return;
    }
    char text[160];
    cycle_text(d, cycle, n, text, sizeof text);
    env_trace(e, "deadlock detected by T%u after deadlock_timeout: %s; T%u is aborted (40P01)",
              t->id, text, t->id);
    fail_waiter(d, e, slot, "40P01");
}

/* InnoDB's trx_weight: rows changed (undo records) plus locks held, row and
 * predicate (next-key) locks alike. */
static uint32_t innodb_weight(const db_node *d, int32_t slot) {
    const db_txn *t = &d->txns[slot];
    uint32_t w = t->rows_changed + t->held_count;
    for (uint32_t i = 0; i < d->predlock_count; i++)
        if (d->predlocks[i].txn == slot) w++;
    return w;
}

/* InnoDB: the lightest member of the cycle is rolled back; on a tie, the
 * requester (trx_weight_ge). */
static void detect_now(db_node *d, env *e, int32_t slot) {
    int32_t cycle[16];
    uint32_t n = find_cycle(d, slot, cycle, 16);
    if (n == 0) return;
    int32_t victim = slot;
    for (uint32_t i = 1; i < n; i++)
        if (innodb_weight(d, cycle[i]) < innodb_weight(d, victim)) victim = cycle[i];
    char text[160];
    cycle_text(d, cycle, n, text, sizeof text);
    env_trace(e, "deadlock found when T%u began to wait: %s; T%u is rolled back (1213)",
              d->txns[slot].id, text, d->txns[victim].id);
    fail_waiter(d, e, victim, "1213");
}

void db_on_lock_timeout(db_node *d, env *e, uint64_t arg) {
    int32_t slot = (int32_t)(arg & 0xffffffffu);
    uint32_t seq = (uint32_t)(arg >> 32);
    SIM_ASSERT(slot >= 0);
    SIM_ASSERT(slot < DB_TXNS_MAX);
    db_txn *t = &d->txns[slot];
    if (t->state != DB_TX_ACTIVE || !t->waiting || t->wait_seq != seq) return;
    t->timeout_timer = 0;
    bool mysql = d->cfg->flavor == DB_FLAVOR_MYSQL;
    env_trace(e, "T%u: %s", t->id, mysql ? "Lock wait timeout exceeded; try restarting transaction "
              "(1205)" : "canceling statement due to lock timeout (55P03)");
    fail_waiter(d, e, slot, mysql ? "1205" : "55P03");
}

/* The failed waiter's session is queued before its rollback grants its
 * locks to others: the server answers the victim first (its rollback is
 * what lets the others through), so its error reply, and its `done` in the
 * SQL log, come before theirs at the same instant. */
static void fail_waiter(db_node *d, env *e, int32_t slot, const char *code) {
    db_txn *t = db_txn_at(d, slot);
    SIM_ASSERT(t->waiting);
    int32_t session = t->session, row = t->wait_pred ? -1 : t->wait_row;
    wait_end(d, e, slot);
    db_session *ss = &d->sessions[session];
    SIM_ASSERT(ss->busy);
    ss->reply.ok = 0;
    ss->stmt_started = false;
    ss->next = ss->req.n;                 /* nothing more of this request runs */
    db_ready_push(d, session);            /* the executor sends the error reply, first */
    db_fail(d, e, slot, code, ss->reply.code);
    if (row >= 0) grant_waiters(d, e, row);   /* after its rollback: as db_wait_end */
}
