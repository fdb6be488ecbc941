/* isolation.c -- anomalies in a database's transactional history, named as
 * Berenson et al. (P0-P4, A5A, A5B) and Adya (G0, G1a-c, G-single, G2)
 * name them, and as Hermitage's tests do (PROTOCOLS.md 9).
 *
 * Evidence (hist.h "Databases"): each transaction's item reads (the row
 * version seen), writes (the version installed), predicate reads (what
 * the predicate saw of each row), commit or abort.  From it, Adya's direct
 * serialization graph over committed transactions:
 *   ww  Ti installed x_k, Tj the next committed version of x
 *   wr  Tj read x_k, which Ti installed
 *   rw  Ti read x_k, Tj installed the next committed version of x
 *       (predicate rw: Tj installed a version that changes what Ti's
 *       predicate matched; predicate wr: Ti's predicate saw a version
 *       installed by Tj that changed its match)
 * Only a transaction's last write to a row is in the version order.
 *
 * Verdict: VIOLATION when any of these is found, most severe first:
 *   G0   a cycle of ww edges (dirty writes; Berenson P0)
 *   G1a  a committed transaction read a version whose writer aborted (P1)
 *   G1b  it read a version its writer later overwrote (an intermediate one)
 *   G1c  a cycle of ww / wr edges
 *   G-single (one rw edge, the way back by ww / wr edges), named by shape:
 *        OTV observed transaction vanishes  Ti had read Tj's write (or a
 *                             later one's) before it read the version of y
 *                             that Tj overwrote: the way back ends with a
 *                             read of Ti's earlier than the rw edge's
 *        P4  lost update      Ti read x, Tj wrote x, Ti wrote x: every edge on
 *                             x, back into Ti by a ww edge
 *        P2  fuzzy read       Ti read x, Tj wrote x, Ti read x again: every
 *                             edge on x, back into Ti by a wr edge
 *        P3  phantom (PMP)    a predicate rw edge, and back by wr
 *        A5A read skew        any other: Ti saw part of Tj's writes, not all
 *   G2   a cycle with two or more rw edges: P4 again when every edge is on
 *        one row (two read-modify-writes of x), A5B write skew (G2-item) when
 *        all are item edges, G2 (predicate) otherwise.
 * Cycles are found inside the graph's strongly connected components
 * (Tarjan), the shortest for each rw edge by breadth-first search; the
 * summary names every kind found, each with its first example's
 * transactions, and the story tells every read, write and end of the first
 * one's transactions.
 *
 * Invariant: edges join distinct committed transactions; versions are
 * numbered per row by install order (the db serialises a row's writers).
 * Trade-off: the searches are capped (ISO_SEARCH_MAX BFS runs); a run
 * whose cycles were not all classified within it says `unknown` only when
 * nothing was found at all.
 */
#include "sim/check/ledger.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/check/isolation_int.h"

static const char *const iso_names[ISO_KIND_COUNT] = {
    "G0 write cycle (dirty write, P0)", "G1a aborted read (dirty read, P1)", "G1b intermediate read",
    "G1c circular information flow", "OTV observed transaction vanishes", "P4 lost update",
    "P2 non-repeatable read", "P3 phantom", "A5A read skew", "A5B write skew",
    "G2 anti-dependency cycle (predicate write skew)",
};
static const char *const iso_terms[ISO_KIND_COUNT] = {   /* Adya; Hermitage's test */
    "Adya G0; Hermitage G0", "Adya G1a; Hermitage G1a", "Adya G1b; Hermitage G1b",
    "Adya G1c; Hermitage G1c", "Adya G-single; Hermitage OTV", "Adya G-single; Hermitage P4",
    "Adya G-single; Hermitage G-single",
    "Adya G-single over a predicate; Hermitage PMP", "Adya G-single; Hermitage G-single",
    "Adya G2-item; Hermitage G2-item", "Adya G2; Hermitage G2",
};

const char *iso_kind_name(iso_kind k) {
    SIM_ASSERT(k < ISO_KIND_COUNT);
    return iso_names[k];
}

/* ------------------------------------------------------------ naming */

void iso_txn_name(const iso_graph *g, const check_input *in, uint32_t t, char *buf, size_t len) {
    SIM_ASSERT(t < g->txn_count);
    const iso_txn *x = &g->txns[t];
    const hist_op *op = x->op < in->h->op_count ? &in->h->ops[x->op] : NULL;
    if (op == NULL) { snprintf(buf, len, "T%u", x->id); return; }
    char who[64];
    check_who(in, op, who, sizeof who);
    snprintf(buf, len, "T%u (%s's %s)", x->id, who, hist_f_name(in->h, op->f));
}

/* ------------------------------------------------------------ explanation */

static const hist_effect *eff(const iso_graph *g, uint32_t i) { return &g->h->effects[i]; }

static void short_name(const iso_graph *g, uint32_t t, char *buf, size_t len) {
    snprintf(buf, len, "T%u", g->txns[t].id);
}

static void explain(const iso_graph *g, const check_input *in, const iso_found *f, char *b, size_t cap) {
    char ta[96], tb[96], sa[16], sb[16];
    const iso_edge *e0 = &g->edges[f->edges[0]];
    iso_txn_name(g, in, e0->from, ta, sizeof ta);
    iso_txn_name(g, in, e0->to, tb, sizeof tb);
    short_name(g, e0->from, sa, sizeof sa);
    short_name(g, e0->to, sb, sizeof sb);
    const hist_effect *ra = eff(g, e0->ea), *wb = eff(g, e0->eb);
    const iso_edge *e1 = f->count > 1 ? &g->edges[f->edges[1]] : NULL;
    switch (f->kind) {
    case ISO_P4:
        story_appendf(b, cap, "%s read %s = %" PRId64 "; %s wrote %" PRId64 " and committed; %s then wrote "
                      "%" PRId64 " over it, computed from what it had read", ta, ra->key, ra->value, tb,
                      wb->value, sa, e1 ? eff(g, e1->eb)->value : 0);
        return;
    case ISO_OTV: {
        const iso_edge *back = &g->edges[f->edges[f->count - 1]];   /* the read that saw it */
        char sk[16];
        short_name(g, back->from, sk, sizeof sk);
        story_appendf(b, cap, "%s saw %s's write (%s = %" PRId64 ") and then read %s = %" PRId64 ", a version %s "
                      "overwrote (with %" PRId64 "): %s vanished from its view", ta, sk, eff(g, back->ea)->key,
                      eff(g, back->ea)->value, ra->key, ra->value, tb, wb->value, sb);
        return;
    }
    case ISO_P2:
        story_appendf(b, cap, "%s read %s = %" PRId64 ", %s wrote %" PRId64 " and committed, and %s read it "
                      "again: %" PRId64, ta, ra->key, ra->value, tb, wb->value, sa, e1 ? eff(g, e1->eb)->value : 0);
        return;
    case ISO_P3:
        story_appendf(b, cap, "%s's read of %s WHERE ... matched %" PRId64 " rows; %s then wrote %s = %" PRId64
                      " and committed; a later read by %s saw that row", ta, ra->key, ra->value, tb, wb->key,
                      wb->value, sa);
        return;
    case ISO_A5A:
        story_appendf(b, cap, "%s read %s = %" PRId64 " before %s changed it, but ", ta, ra->key, ra->value, tb);
        if (e1 != NULL && e1->pred && e1->type == ISO_WR) {
            const hist_effect *p = eff(g, e1->eb);
            story_appendf(b, cap, "its read of %s WHERE value %s %" PRId64 " ", p->key, iso_pred_text(p->pred),
                          p->aux);
        }
        story_appendf(b, cap, "saw %s's other write (%s = %" PRId64 ")", sb, e1 ? eff(g, e1->ea)->key : "?",
                      e1 ? eff(g, e1->ea)->value : 0);
        return;
    case ISO_A5B:
        story_appendf(b, cap, "%s read %s = %" PRId64 " and %s read %s = %" PRId64 "; each then wrote what the "
                      "other had read (%s, %s) and both committed", ta, ra->key, ra->value, tb,
                      e1 ? eff(g, e1->ea)->key : "?", e1 ? eff(g, e1->ea)->value : 0, wb->key,
                      e1 ? eff(g, e1->eb)->key : "?");
        return;
    case ISO_G2:
        story_appendf(b, cap, "%s read %s WHERE ... (%" PRId64 " rows) and %s read %s (%" PRId64 " rows); each "
                      "then wrote a row the other's read would have matched (%s, %s) and both committed", ta,
                      ra->key, ra->value, tb, e1 ? eff(g, e1->ea)->key : "?", e1 ? eff(g, e1->ea)->value : 0,
                      wb->key, e1 ? eff(g, e1->eb)->key : "?");
        return;
    case ISO_G1A:
        story_appendf(b, cap, "%s read %s = %" PRId64 ", written by %s, which then rolled back", tb, wb->key,
                      wb->value, ta);
        return;
    case ISO_G1B:
        story_appendf(b, cap, "%s read %s = %" PRId64 ", a version %s wrote and then overwrote", tb, wb->key,
                      wb->value, ta);
        return;
    default: break;
    }
    story_appendf(b, cap, "a cycle:");
    for (uint32_t i = 0; i < f->count; i++) {
        const iso_edge *x = &g->edges[f->edges[i]];
        story_appendf(b, cap, " T%u -%s(%s)->", g->txns[x->from].id, iso_edge_type_name(x->type),
                      eff(g, x->eb)->key);
    }
    story_appendf(b, cap, " T%u", g->txns[g->edges[f->edges[0]].from].id);
}

/* Every read, write and end of the anomaly's transactions, in time order. */
static void iso_story(const iso_graph *g, const check_input *in, const iso_found *f, check_result *out) {
    uint32_t txns[ISO_CYCLE_MAX * 2];
    uint32_t n = iso_found_txns(g, f, txns, ISO_CYCLE_MAX * 2);
    story st;
    story_init(&st, in->s);
    const hist *h = in->h;
    for (uint32_t i = 0; i < h->effect_count; i++) {
        const hist_effect *x = &h->effects[i];
        int32_t t = iso_txn_of(g, x);
        bool mine = false;
        for (uint32_t k = 0; k < n && !mine; k++) mine = t == (int32_t)txns[k];
        if (!mine) continue;
        char name[96];
        iso_txn_name(g, in, (uint32_t)t, name, sizeof name);
        iso_tell_effect(&st, g->h, x, name);
    }
    char why[CHECK_SUMMARY_MAX] = "";
    explain(g, in, f, why, sizeof why);
    story_conclude(&st, "so %s: %s (%s)", iso_names[f->kind], why, iso_terms[f->kind]);
    story_buf b;
    story_buf_init(&b);
    story_render(&st, &b);
    out->story = story_buf_take(&b);
    story_free(&st);
}

/* "T3, T2": the transactions of an anomaly's example, in cycle order. */
static void append_txns(const iso_graph *g, const iso_found *f, char *b, size_t cap) {
    uint32_t txns[ISO_CYCLE_MAX * 2];
    uint32_t n = iso_found_txns(g, f, txns, ISO_CYCLE_MAX * 2);
    for (uint32_t i = 0; i < n; i++) story_appendf(b, cap, "%sT%u", i ? ", " : "", g->txns[txns[i]].id);
}

static void iso_report(const iso_graph *g, const check_input *in, const iso_found *found, check_result *out) {
    const iso_found *first = NULL;
    for (uint32_t k = 0; k < ISO_KIND_COUNT && first == NULL; k++)
        if (found[k].hits > 0) first = &found[k];
    SIM_ASSERT(first != NULL);
    char *b = out->summary;
    size_t cap = sizeof out->summary;
    snprintf(b, cap, "%s (%s): ", iso_names[first->kind], iso_terms[first->kind]);
    explain(g, in, first, b, cap);
    for (uint32_t k = 0; k < ISO_KIND_COUNT; k++) {
        if (found[k].hits == 0 || &found[k] == first) continue;
        story_appendf(b, cap, "; also %s (%s) in ", iso_names[k], iso_terms[k]);
        append_txns(g, &found[k], b, cap);
    }
    out->verdict = CHECK_VIOLATION;
    iso_story(g, in, first, out);
    uint32_t txns[ISO_CYCLE_MAX * 2];
    uint32_t n = iso_found_txns(g, first, txns, ISO_CYCLE_MAX * 2);
    char label[CHECK_EVIDENCE_LABEL_MAX];
    snprintf(label, sizeof label, "%.*s", (int)(strcspn(iso_names[first->kind], " ")), iso_names[first->kind]);
    for (uint32_t i = 0; i < n; i++) check_evidence(out, label, g->txns[txns[i]].op);
}

static void check_run_isolation(const check_input *in, check_result *out) {
    SIM_ASSERT(in != NULL);
    SIM_ASSERT(in->h != NULL);
    check_result_start(out, "isolation");
    iso_graph g;
    iso_graph_build(in->h, &g);
    if (g.txn_count == 0) {
        snprintf(out->summary, sizeof out->summary, "no database transactions in the history");
        iso_graph_free(&g);
        return;
    }
    iso_found found[ISO_KIND_COUNT];
    bool complete = iso_find(&g, found);
    bool any = false;
    for (uint32_t k = 0; k < ISO_KIND_COUNT; k++) any |= found[k].hits > 0;
    if (any) {
        iso_report(&g, in, found, out);
    } else if (!complete) {
        out->verdict = CHECK_UNKNOWN;
        snprintf(out->summary, sizeof out->summary, "the serialization graph of %u committed transactions has "
                 "cycles the search budget did not classify", g.committed);
    } else {
        snprintf(out->summary, sizeof out->summary, "no anomaly: the %u committed transactions (of %u) form an "
                 "acyclic serialization graph, and none read an aborted or intermediate write",
                 g.committed, g.txn_count);
        check_append_figures(in, out);
    }
    iso_graph_free(&g);
}

/* The check's entry in the registry (sim/check/check.c). */
const check_desc check_isolation = {
    .name = "isolation",
    .summary = "an anomaly in the database's transactions: G0, G1a-c, OTV, P4 lost update, P2, P3 "
        "phantom, A5A read skew, A5B write skew, G2 (Berenson, Adya, Hermitage)",
    .run = check_run_isolation,
    .protocols = { "db" },
};
