/* db_txn.c -- transactions, row versions and visibility, commit and abort,
 * and PostgreSQL's serializable snapshot isolation (SSI).
 *
 *   (none) --first statement [db_txn_begin]--> ACTIVE
 *   ACTIVE --COMMIT, autocommit end [db_commit]--> (freed) | COMMITTED (kept for SSI)
 *   ACTIVE --ROLLBACK, error, deadlock victim, SSI refusal [db_abort]--> (freed)
 *   COMMITTED --no concurrent serializable txn left [db_sweep]--> (freed)
 *
 * Invariant: a slot is FREE, ACTIVE, or COMMITTED-and-serializable; an
 * ACTIVE transaction's uncommitted versions are the newest of their rows
 * (it holds their X locks).  Snapshots are commit sequence numbers: a
 * version with commit_seq c is visible to snapshot s iff 0 < c <= s.
 *
 * SSI, after Cahill et al. and PostgreSQL's predicate.c, simplified: a
 * serializable transaction leaves read marks (rows, and predicates over a
 * table); a write by a concurrent serializable transaction under a mark is
 * an rw-conflict reader -> writer, and so is a read that skips a newer
 * version.  A "dangerous structure" Tin -rw-> Tpivot -rw-> Tout with Tout
 * committed first makes the pivot fail with 40001 (or Tin, when the pivot
 * has committed).  Trade-off: conflicts are kept per transaction up to
 * DB_CONFLICTS_MAX each way and marks up to DB_SIREAD_MAX; beyond that a
 * transaction is doomed (a false positive, never a missed anomaly).
 */
#include "protocols/db/db_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "protocols/db/db.h"
#include "protocols/txn/txn_api.h"

/* ------------------------------------------------------------ transactions */

db_txn *db_txn_at(db_node *d, int32_t slot) {
    SIM_ASSERT(slot >= 0);
    SIM_ASSERT(slot < DB_TXNS_MAX);
    SIM_ASSERT(d->txns[slot].state != DB_TX_FREE);
    return &d->txns[slot];
}

int32_t db_txn_find(const db_node *d, uint32_t id) {
    SIM_ASSERT(d != NULL);
    if (id == 0) return -1;
    int32_t hint = (int32_t)(id % DB_TXNS_MAX);        /* where begin put it, usually */
    if (d->txns[hint].state != DB_TX_FREE && d->txns[hint].id == id) return hint;
    for (int32_t i = 0; i < DB_TXNS_MAX; i++)
        if (d->txns[i].state != DB_TX_FREE && d->txns[i].id == id) return i;
    return -1;
}

int32_t db_txn_begin(db_node *d, env *e, int32_t session, db_isolation iso) {
    SIM_ASSERT(session >= 0);
    SIM_ASSERT(session < DB_SESSIONS_MAX);
    SIM_ASSERT(d->sessions[session].txn < 0);
    uint32_t id = d->txn_next_id + 1;
    int32_t slot = -1;
    for (uint32_t k = 0; k < DB_TXNS_MAX && slot < 0; k++) {
        uint32_t i = (id + k) % DB_TXNS_MAX;
        if (d->txns[i].state == DB_TX_FREE) slot = (int32_t)i;
    }
    if (slot < 0) return -1;
    d->txn_next_id = id;
    db_txn *t = &d->txns[slot];
    memset(t, 0, sizeof *t);
    t->id = id;
    t->state = DB_TX_ACTIVE;
    t->iso = iso == DB_ISO_DEFAULT ? d->iso : iso;
    t->session = session;
    t->client = d->sessions[session].node;
    t->op = d->sessions[session].req.op;
    t->wait_row = -1;
    t->wait_next = -1;
    d->sessions[session].txn = slot;
    t->active_pos = d->txns_live;
    d->active[d->txns_live++] = slot;
    env_trace(e, "T%u begins (%s, %s)", id, db_flavor_name((db_flavor)d->cfg->flavor),
              db_isolation_name(t->iso));
    return slot;
}

void db_take_snapshot(db_node *d, db_txn *t) {
    SIM_ASSERT(t->state == DB_TX_ACTIVE);
    if (t->has_snapshot) return;
    t->has_snapshot = true;
    t->snapshot = d->commit_seq;
}

/* ------------------------------------------------------------ rows and versions */

int32_t db_row_find(const db_node *d, uint8_t table, int64_t id) {
    SIM_ASSERT(d != NULL);
    for (uint32_t i = 0; i < d->row_count; i++)
        if (d->rows[i].table == table && d->rows[i].id == id) return (int32_t)i;
    return -1;
}

int32_t db_row_add(db_node *d, uint8_t table, int64_t id) {
    SIM_ASSERT(table < d->seed.table_count);
    SIM_ASSERT(db_row_find(d, table, id) < 0);
    if (d->row_count == DB_ROWS_MAX) return -1;
    db_row *r = &d->rows[d->row_count];
    memset(r, 0, sizeof *r);
    r->table = table;
    r->id = id;
    db_row_key(&d->seed.tables[table], id, r->key, sizeof r->key);
    r->newest = -1;
    r->x_holder = -1;
    r->wait_head = -1;
    r->wait_tail = -1;
    return (int32_t)d->row_count++;
}

int32_t db_version_take(db_node *d) {
    if (d->version_free >= 0) {
        int32_t v = d->version_free;
        d->version_free = d->versions[v].older;
        return v;
    }
    if (d->versions_fresh == DB_VERSIONS_MAX) return -1;
    return (int32_t)d->versions_fresh++;
}

static int32_t version_alloc(db_node *d) {
    int32_t v = db_version_take(d);
    if (v < 0) return -1;
    memset(&d->versions[v], 0, sizeof d->versions[v]);
    d->versions[v].used = true;
    d->versions[v].older = -1;
    d->versions_used++;
    return v;
}

static void version_free(db_node *d, int32_t v) {
    SIM_ASSERT(v >= 0);
    SIM_ASSERT((uint32_t)v < DB_VERSIONS_MAX);
    SIM_ASSERT(d->versions[v].used);
    d->versions[v].used = false;
    d->versions[v].older = d->version_free;
    d->version_free = v;
    d->versions_used--;
}

int32_t db_visible(const db_node *d, const db_row *r, const db_txn *t, uint64_t snap) {
    SIM_ASSERT(r != NULL);
    for (int32_t v = r->newest; v >= 0; v = d->versions[v].older) {
        const db_version *x = &d->versions[v];
        if (x->commit_seq == 0) {
            if (t != NULL && x->txn == t->id) return v;
            continue;
        }
        if (x->commit_seq <= snap) return v;
    }
    return -1;
}

int32_t db_current(const db_node *d, const db_row *r, const db_txn *t) {
    SIM_ASSERT(r != NULL);
    for (int32_t v = r->newest; v >= 0; v = d->versions[v].older) {
        const db_version *x = &d->versions[v];
        if (x->commit_seq != 0 || (t != NULL && x->txn == t->id)) return v;
    }
    return -1;
}

int32_t db_newest(const db_node *d, const db_row *r) {
    SIM_ASSERT(d != NULL);
    SIM_ASSERT(r != NULL);
    return r->newest;
}

bool db_gone(const db_node *d, int32_t v) {
    SIM_ASSERT(d != NULL);
    return v < 0 || d->versions[v].deleted;
}

static int32_t install(db_node *d, env *e, db_txn *t, int32_t row, int64_t value, bool deleted);

int32_t db_install(db_node *d, env *e, db_txn *t, int32_t row, int64_t value) {
    return install(d, e, t, row, value, false);
}

/* The tombstone keeps the value it deletes, so a predicate still judges it. */
int32_t db_install_tombstone(db_node *d, env *e, db_txn *t, int32_t row) {
    const db_row *r = &d->rows[row];
    SIM_ASSERT(!db_gone(d, r->newest));
    return install(d, e, t, row, d->versions[r->newest].value, true);
}

static int32_t install(db_node *d, env *e, db_txn *t, int32_t row, int64_t value, bool deleted) {
    SIM_ASSERT(row >= 0);
    SIM_ASSERT((uint32_t)row < d->row_count);
    SIM_ASSERT(t->state == DB_TX_ACTIVE);
    db_row *r = &d->rows[row];
    SIM_ASSERT(r->x_holder == (int32_t)(t - d->txns));     /* writes hold the row's X lock */
    int32_t v = version_alloc(d);
    if (v < 0) return -1;
    int64_t replaced = r->newest >= 0 ? d->versions[r->newest].value : 0;
    db_version *x = &d->versions[v];
    x->value = value;
    x->number = ++r->installs;
    x->txn = t->id;
    x->older = r->newest;
    x->deleted = deleted;
    r->newest = v;
    t->rows_changed++;
    if (deleted)
        env_trace(e, "T%u deletes %s (version %" PRId64 ", uncommitted)", t->id, r->key, x->number);
    else
        env_trace(e, "T%u writes %s = %" PRId64 " (version %" PRId64 ", uncommitted)", t->id, r->key,
                  value, x->number);
    hist_effect_fields ef;                          /* db_effect_aux's, with the delete mark */
    memset(&ef, 0, sizeof ef);
    ef.kind = HIST_EFF_WRITE;
    ef.client = t->client;
    ef.op = t->op;
    ef.txn = t->id;
    ef.value = value;
    ef.version = x->number;
    ef.aux = replaced;
    ef.pred = deleted ? DB_WRITE_DELETE : 0;
    ef.key = r->key;
    env_effect(e, &ef);
    return v;
}

/* The oldest snapshot anyone may still read at: versions older than what
 * it sees can go.  Exact (a pass over the active transactions) when there
 * are few of them; with many, recomputed once per 1/64th of their number
 * in commits, the last one serving in between: every snapshot taken since
 * is the commit sequence of then or later, which is at least that horizon,
 * so it is still a lower bound and pruning with it is safe (a few versions
 * stay a little longer).  O(1) per commit amortized, not O(active). */
#define DB_HORIZON_BUDGET 64u

static uint64_t prune_horizon(db_node *d) {
    d->horizon_credit += DB_HORIZON_BUDGET;
    if (d->horizon_known && d->horizon_credit < d->txns_live) return d->horizon;
    d->horizon_credit = 0;
    d->horizon_known = true;
    uint64_t h = d->commit_seq;
    for (uint32_t i = 0; i < d->txns_live; i++) {
        const db_txn *t = &d->txns[d->active[i]];
        if (t->has_snapshot && t->snapshot < h) h = t->snapshot;
        const db_session *s = &d->sessions[t->session];     /* a statement waiting on a lock */
        if (t->waiting && s->busy && s->stmt_started && s->stmt_snap < h) h = s->stmt_snap;
    }
    d->horizon = h;
    return h;
}

static void prune_row(db_node *d, db_row *r, uint64_t horizon) {
    int32_t keep = db_visible(d, r, NULL, horizon);
    if (keep < 0) return;
    int32_t v = d->versions[keep].older;
    d->versions[keep].older = -1;
    while (v >= 0) {
        int32_t next = d->versions[v].older;
        SIM_ASSERT(d->versions[v].commit_seq != 0);     /* below a committed one: committed */
        version_free(d, v);
        v = next;
    }
}

/* ------------------------------------------------------------ commit and abort */

static void active_remove(db_node *d, db_txn *t) {
    SIM_ASSERT(t->active_pos < d->txns_live);
    SIM_ASSERT(&d->txns[d->active[t->active_pos]] == t);
    int32_t last = d->active[--d->txns_live];
    d->active[t->active_pos] = last;
    d->txns[last].active_pos = t->active_pos;
}

static void end_txn(db_node *d, env *e, int32_t slot, bool keep) {
    db_txn *t = db_txn_at(d, slot);
    if (t->waiting) db_wait_end(d, e, slot);
    db_release_all(d, e, slot);
    if (t->session >= 0 && d->sessions[t->session].txn == slot) d->sessions[t->session].txn = -1;
    if (keep) {
        t->state = DB_TX_COMMITTED;
        d->kept++;
    } else {
        for (uint32_t i = 0; i < d->siread_count;) {     /* its read marks go with it */
            if (d->sireads[i].txn == t->id) d->sireads[i] = d->sireads[--d->siread_count];
            else i++;
        }
        t->state = DB_TX_FREE;
    }
    active_remove(d, t);
    db_sweep(d);
    db_wake_pred_waiters(d);
}

static void commit_row(db_node *d, env *e, db_txn *t, int32_t row) {
    db_row *r = &d->rows[row];
    int32_t mine = -1;
    for (int32_t v = r->newest; v >= 0 && d->versions[v].commit_seq == 0; v = d->versions[v].older) {
        SIM_ASSERT(d->versions[v].txn == t->id);
        d->versions[v].commit_seq = t->commit_seq;
        if (mine < 0) mine = v;
    }
    if (mine < 0 || d->versions[mine].deleted || !d->seed.tables[r->table].ledger) return;
    db_effect(d, e, t, HIST_EFF_BALANCE, r->key, d->versions[mine].value, d->versions[mine].number);
}

static bool ssi_refuses_commit(const db_node *d, const db_txn *t);

bool db_commit(db_node *d, env *e, int32_t slot) {
    db_txn *t = db_txn_at(d, slot);
    SIM_ASSERT(t->state == DB_TX_ACTIVE);
    SIM_ASSERT(!t->waiting);
    if (t->doomed || ssi_refuses_commit(d, t)) {
        char code[8];
        env_trace(e, "T%u: could not serialize access due to read/write dependencies among "
                     "transactions (a pivot of a dangerous structure)", t->id);
        db_fail(d, e, slot, "40001", code);
        return false;
    }
    t->commit_seq = ++d->commit_seq;
    char key[SIM_NAME_MAX];
    snprintf(key, sizeof key, "T%u", t->id);
    for (uint32_t i = 0; i < t->held_count; i++)
        if (t->held[i].mode == DB_LOCK_UPDATE) commit_row(d, e, t, t->held[i].row);
    db_effect(d, e, t, HIST_EFF_TXN_COMMIT, key, (int64_t)t->commit_seq, 0);
    d->stats_commits++;
    env_trace(e, "T%u commits (commit sequence %" PRIu64 ")", t->id, t->commit_seq);
    uint64_t horizon = prune_horizon(d);
    for (uint32_t i = 0; i < t->held_count; i++)
        if (t->held[i].mode == DB_LOCK_UPDATE) prune_row(d, &d->rows[t->held[i].row], horizon);
    bool keep = t->iso == DB_ISO_SER && d->cfg->flavor == DB_FLAVOR_POSTGRES;
    end_txn(d, e, slot, keep);
    SIM_ASSERT(db_invariants_sampled(d));
    return true;
}

void db_abort(db_node *d, env *e, int32_t slot) {
    db_txn *t = db_txn_at(d, slot);
    SIM_ASSERT(t->state == DB_TX_ACTIVE);
    for (uint32_t i = 0; i < t->held_count; i++) {
        if (t->held[i].mode != DB_LOCK_UPDATE) continue;
        db_row *r = &d->rows[t->held[i].row];
        while (r->newest >= 0 && d->versions[r->newest].commit_seq == 0) {
            SIM_ASSERT(d->versions[r->newest].txn == t->id);
            int32_t older = d->versions[r->newest].older;
            version_free(d, r->newest);
            r->newest = older;
        }
    }
    char key[SIM_NAME_MAX];
    snprintf(key, sizeof key, "T%u", t->id);
    db_effect(d, e, t, HIST_EFF_TXN_ABORT, key, 0, 0);
    d->stats_aborts++;
    env_trace(e, "T%u rolls back", t->id);
    end_txn(d, e, slot, false);
    SIM_ASSERT(db_invariants_sampled(d));
}

/* ------------------------------------------------------------ SSI */

static bool ssi_on(const db_node *d, const db_txn *t) {
    return d->cfg->flavor == DB_FLAVOR_POSTGRES && t->iso == DB_ISO_SER;
}

/* Neither committed before the other took its snapshot. */
static bool concurrent(const db_node *d, const db_txn *a, const db_txn *b) {
    uint64_t a_snap = a->has_snapshot ? a->snapshot : d->commit_seq;
    uint64_t b_snap = b->has_snapshot ? b->snapshot : d->commit_seq;
    if (a->state == DB_TX_COMMITTED && a->commit_seq <= b_snap) return false;
    if (b->state == DB_TX_COMMITTED && b->commit_seq <= a_snap) return false;
    return true;
}

static bool list_add(uint32_t *list, uint32_t *count, uint32_t id) {
    for (uint32_t i = 0; i < *count; i++)
        if (list[i] == id) return true;
    if (*count == DB_CONFLICTS_MAX) return false;
    list[(*count)++] = id;
    return true;
}

static bool any_committed(const db_node *d, const uint32_t *ids, uint32_t n) {
    for (uint32_t i = 0; i < n; i++) {
        int32_t s = db_txn_find(d, ids[i]);
        if (s >= 0 && d->txns[s].state == DB_TX_COMMITTED) return true;
    }
    return false;
}

static int32_t first_active(const db_node *d, const uint32_t *ids, uint32_t n) {
    for (uint32_t i = 0; i < n; i++) {
        int32_t s = db_txn_find(d, ids[i]);
        if (s >= 0 && d->txns[s].state == DB_TX_ACTIVE) return s;
    }
    return -1;
}

static void doom(db_node *d, env *e, int32_t slot, const char *why) {
    db_txn *t = &d->txns[slot];
    if (t->state != DB_TX_ACTIVE || t->doomed) return;
    t->doomed = true;
    env_trace(e, "SSI: T%u is doomed (%s): its next statement or commit fails with 40001", t->id, why);
    if (t->waiting) {                     /* fail it now, not at some later grant */
        db_wait_end(d, e, slot);
        db_ready_push(d, t->session);
    }
}

/* A dangerous structure around the new edge r -> w: which one must fail. */
static void ssi_check_edge(db_node *d, env *e, int32_t rs, int32_t ws) {
    db_txn *r = &d->txns[rs], *w = &d->txns[ws];
    if (any_committed(d, w->out_to, w->out_count)) {            /* pivot w: r -> w -> out */
        if (w->state == DB_TX_ACTIVE) doom(d, e, ws, "pivot with a committed out-conflict");
        else if (r->state == DB_TX_ACTIVE) doom(d, e, rs, "in-conflict to a committed pivot");
    }
    if (w->state == DB_TX_COMMITTED && r->in_count > 0) {       /* pivot r: in -> r -> w */
        if (r->state == DB_TX_ACTIVE) doom(d, e, rs, "pivot whose out-conflict committed first");
        else {
            int32_t in = first_active(d, r->in_from, r->in_count);
            if (in >= 0) doom(d, e, in, "in-conflict to a committed pivot");
        }
    }
}

static void ssi_edge(db_node *d, env *e, int32_t rs, int32_t ws) {
    if (rs == ws || rs < 0 || ws < 0) return;
    db_txn *r = &d->txns[rs], *w = &d->txns[ws];
    if (r->state == DB_TX_FREE || w->state == DB_TX_FREE) return;
    if (!ssi_on(d, r) || !ssi_on(d, w) || !concurrent(d, r, w)) return;
    bool fit = list_add(r->out_to, &r->out_count, w->id) && list_add(w->in_from, &w->in_count, r->id);
    env_trace(e, "SSI: rw-conflict T%u -> T%u", r->id, w->id);
    if (!fit) { doom(d, e, r->state == DB_TX_ACTIVE ? rs : ws, "too many rw-conflicts to track"); return; }
    ssi_check_edge(d, e, rs, ws);
}

static bool ssi_refuses_commit(const db_node *d, const db_txn *t) {
    if (!ssi_on(d, t) || t->in_count == 0) return false;
    return any_committed(d, t->out_to, t->out_count);
}

bool db_ssi_doomed(const db_node *d, int32_t slot) {
    SIM_ASSERT(slot >= 0);
    SIM_ASSERT(slot < DB_TXNS_MAX);
    return d->txns[slot].state == DB_TX_ACTIVE && d->txns[slot].doomed;
}

static void siread_add(db_node *d, env *e, int32_t slot, const db_siread *m) {
    for (uint32_t i = 0; i < d->siread_count; i++) {
        const db_siread *x = &d->sireads[i];
        if (x->txn == m->txn && x->row == m->row && x->table == m->table && x->pred == m->pred &&
            x->arg == m->arg)
            return;
    }
    if (d->siread_count == DB_SIREAD_MAX) { doom(d, e, slot, "too many SSI read marks"); return; }
    d->sireads[d->siread_count++] = *m;
}

/* Versions of r newer than what t saw were written by concurrent txns: t -> writer. */
static void newer_writers(db_node *d, env *e, int32_t slot, const db_row *r, int32_t seen,
                          uint8_t pred, int64_t arg, bool pred_read) {
    const db_txn *t = &d->txns[slot];
    bool seen_match = seen >= 0 && hist_pred_match(pred, arg, d->versions[seen].value);
    for (int32_t v = r->newest; v >= 0 && v != seen; v = d->versions[v].older) {
        const db_version *x = &d->versions[v];
        if (x->txn == t->id) continue;
        if (pred_read && !seen_match && !hist_pred_match(pred, arg, x->value)) continue;
        ssi_edge(d, e, slot, db_txn_find(d, x->txn));
    }
}

void db_ssi_read_row(db_node *d, env *e, int32_t slot, int32_t row) {
    db_txn *t = db_txn_at(d, slot);
    if (!ssi_on(d, t)) return;
    SIM_ASSERT(t->has_snapshot);
    db_siread m = { t->id, row, d->rows[row].table, HIST_PRED_ALL, 0 };
    siread_add(d, e, slot, &m);
    const db_row *r = &d->rows[row];
    newer_writers(d, e, slot, r, db_visible(d, r, t, t->snapshot), HIST_PRED_ALL, 0, false);
}

void db_ssi_read_pred(db_node *d, env *e, int32_t slot, uint8_t table, uint8_t pred, int64_t arg) {
    db_txn *t = db_txn_at(d, slot);
    if (!ssi_on(d, t)) return;
    SIM_ASSERT(t->has_snapshot);
    db_siread m = { t->id, -1, table, pred, arg };
    siread_add(d, e, slot, &m);
    for (uint32_t i = 0; i < d->row_count; i++) {
        const db_row *r = &d->rows[i];
        if (r->table != table) continue;
        newer_writers(d, e, slot, r, db_visible(d, r, t, t->snapshot), pred, arg, true);
    }
}

bool db_ssi_write(db_node *d, env *e, int32_t slot, int32_t row, int64_t old_value, bool had_old,
                  int64_t new_value) {
    db_txn *t = db_txn_at(d, slot);
    if (!ssi_on(d, t)) return false;
    bool was_doomed = t->doomed;
    SIM_ASSERT(row >= 0);
    SIM_ASSERT((uint32_t)row < d->row_count);
    uint8_t table = d->rows[row].table;
    for (uint32_t i = 0; i < d->siread_count; i++) {
        db_siread m = d->sireads[i];                  /* a copy: edges may doom and sweep */
        if (m.txn == t->id) continue;
        bool hit = m.row >= 0 ? m.row == row
                              : m.table == table && ((had_old && hist_pred_match(m.pred, m.arg, old_value)) ||
                                                     hist_pred_match(m.pred, m.arg, new_value));
        if (hit) ssi_edge(d, e, db_txn_find(d, m.txn), slot);
    }
    return !was_doomed && t->doomed && any_committed(d, t->out_to, t->out_count);
}

/* Committed serializable txns that no active serializable txn overlaps are
 * done: a committed c overlaps an active a iff a's snapshot < c's commit. */
void db_sweep(db_node *d) {
    SIM_ASSERT(d != NULL);
    if (d->kept == 0) return;
    uint64_t min_snap = UINT64_MAX;
    for (uint32_t k = 0; k < d->txns_live; k++) {
        const db_txn *a = &d->txns[d->active[k]];
        if (!ssi_on(d, a)) continue;
        uint64_t s = a->has_snapshot ? a->snapshot : d->commit_seq;
        if (s < min_snap) min_snap = s;
    }
    for (uint32_t i = 0; i < DB_TXNS_MAX && d->kept > 0; i++) {
        db_txn *c = &d->txns[i];
        if (c->state != DB_TX_COMMITTED || min_snap < c->commit_seq) continue;
        for (uint32_t k = 0; k < d->siread_count;) {
            if (d->sireads[k].txn == c->id) d->sireads[k] = d->sireads[--d->siread_count];
            else k++;
        }
        c->state = DB_TX_FREE;
        d->kept--;
    }
}
