/* lost_update_db.c -- the lost-update check for database runs: balances and
 * stock rows against the changes clients were told succeeded (PROTOCOLS.md
 * 12.5).  check_run_lost_update hands over here when the history holds a
 * database's transactions; the lock-counter rules stay in lost_update.c.
 *
 * For each account that ops name (ledger.h):
 *   expected = initial + the deltas of acknowledged ops, widened by the
 *              deltas of ops whose outcome is unknown
 *   VIOLATION if final is outside it (changes lost, or from nowhere), or
 * a committed write overwrote a committed version its writer never saw:
 * the op that wrote version n of a row had last read version r < m < n,
 * where m is another op's committed write (P4 at the application level:
 * a read, another's write, then a write computed from the stale read,
 * across autocommit statements or inside one transaction).
 * Invariant: rows are judged in commit order (a row's writes are
 * serialised by its lock); a version written by an aborted transaction is
 * never a victim nor an overwriter.  Trade-off: an op remembers its last
 * read of DB_LU_READS rows (a transfer touches two), O(effects) overall.
 */
#include "sim/check/ledger.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/txn/txn_api.h"

#define DB_LU_READS 2
#define DB_LU_ROWS 1024

typedef struct lu_read { int32_t row; int64_t version; uint32_t effect; } lu_read;

typedef struct lu_row {
    int32_t node;
    char key[SIM_NAME_MAX];
    uint32_t last;               /* effect of the last committed write, HIST_NONE = as loaded */
    int64_t version;             /* its version (1 = as loaded) */
} lu_row;

typedef struct lu_db {
    uint8_t *committed;          /* by txn id: 1 = committed */
    uint32_t txn_max;
    lu_row rows[DB_LU_ROWS];
    uint32_t row_count;
    lu_read *reads;              /* op_count * DB_LU_READS */
    uint32_t lost, victim, writer, read;   /* the first overwrite: effect indices */
} lu_db;

/* A database's history: reads and writes that belong to transactions. */
static bool is_db_history(const hist *h) {
    for (uint32_t i = 0; i < h->effect_count; i++) {
        const hist_effect *x = &h->effects[i];
        if (hist_effect_txn(h, x) != 0 && (x->kind == HIST_EFF_WRITE || x->kind == HIST_EFF_READ)) return true;
    }
    return false;
}

static int32_t row_of(lu_db *d, const hist_effect *x) {
    for (uint32_t i = 0; i < d->row_count; i++)
        if (d->rows[i].node == x->node && strncmp(d->rows[i].key, x->key, SIM_NAME_MAX) == 0) return (int32_t)i;
    if (d->row_count == DB_LU_ROWS) return -1;
    lu_row *r = &d->rows[d->row_count];
    r->node = x->node;
    snprintf(r->key, sizeof r->key, "%s", x->key);
    r->last = HIST_NONE;
    r->version = 1;
    return (int32_t)d->row_count++;
}

static void note_read(lu_db *d, const hist *h, const hist_effect *x, int32_t row, uint32_t i) {
    lu_read *rd = &d->reads[(size_t)x->op * DB_LU_READS];
    uint32_t slot = DB_LU_READS - 1;
    for (uint32_t k = 0; k < DB_LU_READS; k++) {
        if (rd[k].row == row || rd[k].row < 0) { slot = k; break; }
    }
    rd[slot] = (lu_read){ row, hist_effect_version(h, x), i };
}

static void judge_write(lu_db *d, const hist *h, const hist_effect *x, int32_t row, uint32_t i) {
    lu_row *r = &d->rows[row];
    const lu_read *rd = x->op < h->op_count ? &d->reads[(size_t)x->op * DB_LU_READS] : NULL;
    for (uint32_t k = 0; rd != NULL && k < DB_LU_READS; k++) {
        if (rd[k].row != row || r->last == HIST_NONE) continue;
        if (r->version <= rd[k].version || h->effects[r->last].op == x->op) continue;
        if (d->lost++ == 0) { d->victim = r->last; d->writer = i; d->read = rd[k].effect; }
    }
    r->last = i;
    r->version = hist_effect_version(h, x);
}

static void lu_db_scan(const hist *h, lu_db *d) {
    for (uint32_t i = 0; i < h->effect_count; i++)
        if (hist_effect_txn(h, &h->effects[i]) > d->txn_max) d->txn_max = hist_effect_txn(h, &h->effects[i]);
    d->committed = sim_xcalloc((size_t)d->txn_max + 1u, 1);
    for (uint32_t i = 0; i < h->effect_count; i++)
        if (h->effects[i].kind == HIST_EFF_TXN_COMMIT && hist_effect_txn(h, &h->effects[i]) != 0) d->committed[hist_effect_txn(h, &h->effects[i])] = 1;
    d->reads = sim_xmalloc(((size_t)h->op_count * DB_LU_READS + 1u) * sizeof *d->reads);
    for (size_t k = 0; k < (size_t)h->op_count * DB_LU_READS; k++) d->reads[k].row = -1;
    for (uint32_t i = 0; i < h->effect_count; i++) {
        const hist_effect *x = &h->effects[i];
        if (hist_effect_txn(h, x) == 0 || (x->kind != HIST_EFF_READ && x->kind != HIST_EFF_WRITE)) continue;
        int32_t row = row_of(d, x);
        if (row < 0) continue;
        if (x->kind == HIST_EFF_READ) {
            if (x->op < h->op_count) note_read(d, h, x, row, i);
        } else if (d->committed[hist_effect_txn(h, x)]) {
            judge_write(d, h, x, row, i);
        }
    }
}

static void who_of(const check_input *in, const hist_effect *x, char *buf, size_t len) {
    const hist_op *op = check_effect_op(in->h, x);
    if (op) check_who(in, op, buf, len);
    else snprintf(buf, len, "%s", story_node(in->s, x->client));
}

/* Accounts whose final balance the acknowledged changes do not explain. */
static const check_account *lu_bad_account(const check_ledger *l) {
    for (uint32_t i = 0; i < l->count; i++) {
        const check_account *a = &l->items[i];
        if (a->acked_ops + a->unknown_ops == 0) continue;
        int64_t lo = a->init + a->acked + a->maybe_lo, hi = a->init + a->acked + a->maybe_hi;
        if (a->final < lo || a->final > hi) return a;
    }
    return NULL;
}

static void lu_db_summary(const check_input *in, const check_account *a, const lu_db *d, check_result *out) {
    char *b = out->summary;
    size_t cap = sizeof out->summary;
    b[0] = '\0';
    if (a != NULL) {
        int64_t expect = a->init + a->acked;
        story_appendf(b, cap, "%s ended at %" PRId64 ", expected %" PRId64 " (%" PRId64 " %+" PRId64
                      " from %u acknowledged changes", a->key, a->final, expect, a->init, a->acked,
                      a->acked_ops);
        if (a->unknown_ops) story_appendf(b, cap, ", %u more of unknown outcome", a->unknown_ops);
        story_appendf(b, cap, ")");
        if (a->final > expect && a->acked < 0)
            story_appendf(b, cap, ": %" PRId64 " of the decrease lost", a->final - expect);
    }
    if (d->lost == 0) return;
    const hist_effect *v = &in->h->effects[d->victim], *w = &in->h->effects[d->writer];
    char vw[64], ww[64];
    who_of(in, v, vw, sizeof vw);
    who_of(in, w, ww, sizeof ww);
    story_appendf(b, cap, "%s%s's write of %" PRId64 " to %s at %s was overwritten at %s by %s, which "
                  "never saw it", b[0] ? "; " : "", vw, v->value, v->key, story_t(v->t_ns).s,
                  story_t(w->t_ns).s, ww);
    if (d->lost > 1) story_appendf(b, cap, " (and %" PRIu32 " more)", d->lost - 1);
}

static void lu_db_story(const check_input *in, const check_account *a, const lu_db *d, check_result *out) {
    story st;
    story_init(&st, in->s);
    const hist *h = in->h;
    if (d->lost > 0) {
        const hist_effect *r = &h->effects[d->read], *v = &h->effects[d->victim], *w = &h->effects[d->writer];
        char rw[64], vw[64], ww[64];
        who_of(in, r, rw, sizeof rw);
        who_of(in, v, vw, sizeof vw);
        who_of(in, w, ww, sizeof ww);
        story_add(&st, r->t_ns, "%s read %s = %" PRId64 " (version %" PRId64 ") at %s", rw, r->key, r->value,
                  hist_effect_version(h, r), story_t(r->t_ns).s);
        story_add(&st, v->t_ns, "%s wrote %" PRId64 " (version %" PRId64 ") at %s and committed", vw, v->value,
                  hist_effect_version(h, v), story_t(v->t_ns).s);
        story_add(&st, w->t_ns, "%s wrote %" PRId64 " at %s, computed from version %" PRId64 ", overwriting "
                  "%s's write without having seen it", ww, w->value, story_t(w->t_ns).s, hist_effect_version(h, r), vw);
    }
    if (a != NULL) {
        story_add(&st, 0, "%s opened at %" PRId64, a->key, a->init);
        story_conclude(&st, "so %s ended at %" PRId64 ", but the %u acknowledged changes (%+" PRId64 ") make "
                       "%" PRId64, a->key, a->final, a->acked_ops, a->acked, a->init + a->acked);
    } else {
        story_conclude(&st, "so an acknowledged change is missing from the final state");
    }
    story_buf b;
    story_buf_init(&b);
    story_render(&st, &b);
    out->story = story_buf_take(&b);
    story_free(&st);
}

bool check_lost_update_db(const check_input *in, check_result *out) {
    SIM_ASSERT(in != NULL);
    SIM_ASSERT(in->h != NULL);
    SIM_ASSERT(out != NULL);
    if (!is_db_history(in->h)) return false;
    check_ledger l;
    check_ledger_build(in->h, &l);
    lu_db *d = sim_xcalloc(1, sizeof *d);
    lu_db_scan(in->h, d);
    const check_account *bad = lu_bad_account(&l);
    if (bad != NULL || d->lost > 0) {
        out->verdict = CHECK_VIOLATION;
        lu_db_summary(in, bad, d, out);
        lu_db_story(in, bad, d, out);
        if (d->lost > 0) {
            check_evidence(out, "lost update", in->h->effects[d->writer].op);
            check_evidence(out, "lost update", in->h->effects[d->victim].op);
        }
    } else {
        uint32_t changes = 0;
        for (uint32_t i = 0; i < l.count; i++) changes += l.items[i].acked_ops;
        if (l.count > 0)
            snprintf(out->summary, sizeof out->summary, "every balance = its opening + its %u acknowledged "
                     "changes; no committed write overwrote one it had not seen", changes);
        else
            snprintf(out->summary, sizeof out->summary, "no committed write overwrote one its writer had "
                     "not seen (no balances to add up)");
    }
    free(d->committed);
    free(d->reads);
    free(d);
    check_ledger_free(&l);
    return true;
}
