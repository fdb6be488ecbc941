/* isolation_graph.c -- Adya's direct serialization graph from a database's
 * history, its strongly connected components, and the cycle search the
 * isolation check classifies (isolation.c has the rules).
 *
 * Build: transactions and their outcome; each row's installs sorted by
 * version and each transaction's last one marked final; ww edges between
 * consecutive committed final versions; wr and rw edges from item reads;
 * predicate rw (and wr) edges from predicate reads, where a row absent from
 * what the predicate saw counts as not yet born, and a loaded row's first
 * version (its value from the aux of the first WRITE over it) is matched
 * against the predicate like any other.  Search: for each edge
 * inside a strongly connected component, the shortest way back from its
 * head to its tail through the edge types that make the anomaly (ww for
 * G0; ww, wr for G1c and G-single; any for G2).
 *
 * Invariant: see isolation_int.h.  Trade-off: memory linear in effects
 * (one install per WRITE, at most two edges per read); the search stops
 * after ISO_SEARCH_MAX breadth-first searches.
 */
#include "sim/check/isolation_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/db/db.h"
#include "protocols/txn/txn_api.h"

const char *iso_edge_type_name(iso_edge_type t) {
    switch (t) {
    case ISO_WW: return "ww";
    case ISO_WR: return "wr";
    case ISO_RW: return "rw";
    }
    SIM_UNREACHABLE("edge type");
    return "?";
}

/* ------------------------------------------------------------ transactions */

static uint32_t txn_slot(const iso_graph *g, int32_t node, uint32_t id) {
    uint32_t h = (id * 2654435761u) ^ ((uint32_t)node * 40503u);
    return h & (g->txn_hash_cap - 1);
}

static int32_t txn_lookup(const iso_graph *g, int32_t node, uint32_t id) {
    for (uint32_t k = txn_slot(g, node, id);; k = (k + 1) & (g->txn_hash_cap - 1)) {
        uint32_t v = g->txn_hash[k];
        if (v == 0) return -1;
        if (g->txns[v - 1].id == id && g->txns[v - 1].node == node) return (int32_t)(v - 1);
    }
}

int32_t iso_txn_of(const iso_graph *g, const hist_effect *x) {
    SIM_ASSERT(g != NULL);
    SIM_ASSERT(x != NULL);
    if (hist_effect_txn(g->h, x) == 0 || g->txn_hash_cap == 0) return -1;
    return txn_lookup(g, x->node, hist_effect_txn(g->h, x));
}

static uint32_t txn_get(iso_graph *g, const hist_effect *x) {
    int32_t t = txn_lookup(g, x->node, hist_effect_txn(g->h, x));
    if (t >= 0) return (uint32_t)t;
    SIM_ASSERT(g->txn_count * 2 < g->txn_hash_cap);
    uint32_t k = txn_slot(g, x->node, hist_effect_txn(g->h, x));
    while (g->txn_hash[k] != 0) k = (k + 1) & (g->txn_hash_cap - 1);
    g->txns[g->txn_count] = (iso_txn){ x->node, hist_effect_txn(g->h, x), ISO_OPEN, HIST_NONE };
    g->txn_hash[k] = ++g->txn_count;
    return g->txn_count - 1;
}

static void build_txns(iso_graph *g) {
    const hist *h = g->h;
    uint32_t n = 0;
    for (uint32_t i = 0; i < h->effect_count; i++) n += hist_effect_txn(h, &h->effects[i]) != 0;
    g->txn_hash_cap = 16;
    while (g->txn_hash_cap < 2u * n + 2u) g->txn_hash_cap *= 2;
    g->txn_hash = sim_xcalloc(g->txn_hash_cap, sizeof *g->txn_hash);
    g->txns = sim_xmalloc((n + 1u) * sizeof *g->txns);
    for (uint32_t i = 0; i < h->effect_count; i++) {
        const hist_effect *x = &h->effects[i];
        if (hist_effect_txn(h, x) == 0) continue;
        iso_txn *t = &g->txns[txn_get(g, x)];
        if (t->op == HIST_NONE && x->op != HIST_NONE) t->op = x->op;
        if (x->kind == HIST_EFF_TXN_COMMIT) t->state = ISO_COMMITTED;
        else if (x->kind == HIST_EFF_TXN_ABORT) t->state = ISO_ABORTED;
    }
    for (uint32_t i = 0; i < g->txn_count; i++) g->committed += g->txns[i].state == ISO_COMMITTED;
}

/* ------------------------------------------------------------ rows and installs */

static int32_t row_find(const iso_graph *g, int32_t node, const char *key) {
    for (uint32_t i = g->row_count; i-- > 0;)
        if (g->rows[i].node == node && strncmp(g->rows[i].key, key, SIM_NAME_MAX) == 0) return (int32_t)i;
    return -1;
}

static uint32_t row_get(iso_graph *g, int32_t node, const char *key) {
    int32_t r = row_find(g, node, key);
    if (r >= 0) return (uint32_t)r;
    if (g->row_count == g->row_cap) {
        g->row_cap = g->row_cap ? g->row_cap * 2 : 16;
        g->rows = sim_xrealloc(g->rows, g->row_cap * sizeof *g->rows);
    }
    iso_row *x = &g->rows[g->row_count];
    memset(x, 0, sizeof *x);
    x->node = node;
    snprintf(x->key, sizeof x->key, "%s", key);
    return g->row_count++;
}

static int install_cmp(const void *pa, const void *pb) {
    const iso_install *a = pa, *b = pb;
    if (a->row != b->row) return a->row < b->row ? -1 : 1;
    if (a->version != b->version) return a->version < b->version ? -1 : 1;
    return a->effect < b->effect ? -1 : a->effect > b->effect;
}

static void build_installs(iso_graph *g) {
    const hist *h = g->h;
    uint32_t n = 0;
    for (uint32_t i = 0; i < h->effect_count; i++) n += h->effects[i].kind == HIST_EFF_WRITE && hist_effect_txn(h, &h->effects[i]);
    g->installs = sim_xmalloc((n + 1u) * sizeof *g->installs);
    for (uint32_t i = 0; i < h->effect_count; i++) {
        const hist_effect *x = &h->effects[i];
        if (x->kind != HIST_EFF_WRITE || hist_effect_txn(h, x) == 0) continue;
        uint32_t row = row_get(g, x->node, x->key);
        g->installs[g->install_count++] = (iso_install){ row, hist_effect_version(h, x), (uint32_t)iso_txn_of(g, x), i, false };
    }
    qsort(g->installs, g->install_count, sizeof *g->installs, install_cmp);
    uint32_t *stamp = sim_xcalloc(g->txn_count + 1u, sizeof *stamp);
    for (uint32_t i = g->install_count; i-- > 0;) {      /* last write of each txn per row */
        iso_install *x = &g->installs[i];
        if (stamp[x->txn] == x->row + 1) continue;
        stamp[x->txn] = x->row + 1;
        x->final = true;
    }
    free(stamp);
    for (uint32_t i = 0; i < g->install_count; i++) {
        iso_row *r = &g->rows[g->installs[i].row];
        if (r->count++ == 0) r->first = i;
    }
    for (uint32_t r = 0; r < g->row_count; r++) {    /* no WRITE of version 1: a loaded row */
        iso_row *row = &g->rows[r];
        const iso_install *x = &g->installs[row->first];
        row->loaded = row->count > 0 && x->version > 1;
        row->loaded_value = row->loaded ? h->effects[x->effect].aux : 0;
    }
}

static bool committed(const iso_graph *g, uint32_t t) { return g->txns[t].state == ISO_COMMITTED; }

/* The first of row r's installs with version >= v (binary search). */
static uint32_t lower_bound(const iso_graph *g, uint32_t r, int64_t v) {
    const iso_row *row = &g->rows[r];
    uint32_t lo = 0, hi = row->count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (g->installs[row->first + mid].version < v) lo = mid + 1; else hi = mid;
    }
    return lo;
}

/* The install of version v of row r, NULL if none (the loaded row). */
static const iso_install *install_of(const iso_graph *g, uint32_t r, int64_t v) {
    uint32_t k = lower_bound(g, r, v);
    const iso_row *row = &g->rows[r];
    if (k < row->count && g->installs[row->first + k].version == v) return &g->installs[row->first + k];
    return NULL;
}

static bool in_order(const iso_graph *g, const iso_install *x) { return x->final && committed(g, x->txn); }

/* ------------------------------------------------------------ edges */

static void edge_add(iso_graph *g, uint32_t from, uint32_t to, iso_edge_type type, bool pred, uint32_t row,
                     uint32_t ea, uint32_t eb) {
    if (from == to || !committed(g, from) || !committed(g, to)) return;
    if (g->edge_count == g->edge_cap) {
        g->edge_cap = g->edge_cap ? g->edge_cap * 2 : 64;
        g->edges = sim_xrealloc(g->edges, g->edge_cap * sizeof *g->edges);
    }
    g->edges[g->edge_count++] = (iso_edge){ from, to, type, pred, true, row, ea, eb };
}

static void g1_example(iso_graph *g, int which, uint32_t writer, uint32_t reader, uint32_t row, uint32_t ea,
                       uint32_t eb) {
    if (g->g1_hits[which]++ > 0) return;
    if (g->edge_count == g->edge_cap) {
        g->edge_cap = g->edge_cap ? g->edge_cap * 2 : 64;
        g->edges = sim_xrealloc(g->edges, g->edge_cap * sizeof *g->edges);
    }
    g->g1[which] = g->edge_count;
    g->edges[g->edge_count++] = (iso_edge){ writer, reader, ISO_WR, false, false, row, ea, eb };
}

static void build_ww(iso_graph *g) {
    for (uint32_t r = 0; r < g->row_count; r++) {
        const iso_row *row = &g->rows[r];
        const iso_install *prev = NULL;
        for (uint32_t i = 0; i < row->count; i++) {
            const iso_install *x = &g->installs[row->first + i];
            if (!in_order(g, x)) continue;
            if (prev) edge_add(g, prev->txn, x->txn, ISO_WW, false, r, prev->effect, x->effect);
            prev = x;
        }
    }
}

static void read_edges(iso_graph *g, uint32_t i) {
    const hist_effect *x = &g->h->effects[i];
    int32_t rt = iso_txn_of(g, x), r = row_find(g, x->node, x->key);
    if (rt < 0 || r < 0 || !committed(g, (uint32_t)rt)) return;
    const iso_install *w = install_of(g, (uint32_t)r, hist_effect_version(g->h, x));
    bool intermediate = false;
    if (w != NULL && w->txn != (uint32_t)rt) {
        intermediate = committed(g, w->txn) && !w->final;
        if (!committed(g, w->txn)) g1_example(g, 0, w->txn, (uint32_t)rt, (uint32_t)r, w->effect, i);
        else if (intermediate) g1_example(g, 1, w->txn, (uint32_t)rt, (uint32_t)r, w->effect, i);
        if (committed(g, w->txn)) edge_add(g, w->txn, (uint32_t)rt, ISO_WR, false, (uint32_t)r, w->effect, i);
    }
    const iso_row *row = &g->rows[r];
    for (uint32_t k = lower_bound(g, (uint32_t)r, hist_effect_version(g->h, x) + 1); k < row->count; k++) {   /* the next version */
        const iso_install *n = &g->installs[row->first + k];
        /* an intermediate version read: the writer's own final one is not an
         * overwrite of it (Adya orders only final versions; G1b names it) */
        if (!in_order(g, n) || (intermediate && n->txn == w->txn)) continue;
        edge_add(g, (uint32_t)rt, n->txn, ISO_RW, false, (uint32_t)r, i, n->effect);
        return;
    }
}

/* What a predicate read saw of row r: the version (0 = not yet born) and
 * whether it matched; from the READ / PRED_SEEN effects right after it. */
static int64_t seen_version(const iso_graph *g, uint32_t p, uint32_t r, bool *match) {
    const hist *h = g->h;
    const hist_effect *pr = &h->effects[p];
    *match = false;
    for (uint32_t j = p + 1; j < h->effect_count; j++) {
        const hist_effect *x = &h->effects[j];
        if (hist_effect_txn(h, x) != hist_effect_txn(h, pr) || x->node != pr->node || x->t_ns != pr->t_ns) break;
        if (x->kind != HIST_EFF_READ && x->kind != HIST_EFF_PRED_SEEN) break;
        if (strncmp(x->key, g->rows[r].key, SIM_NAME_MAX) != 0) continue;
        *match = x->kind == HIST_EFF_READ;
        return hist_effect_version(h, x);
    }
    return 0;
}

static bool row_in_table(const iso_row *row, const hist_effect *pr) {
    size_t n = strnlen(pr->key, SIM_NAME_MAX);
    return row->node == pr->node && strncmp(row->key, pr->key, n) == 0 && row->key[n] == ':';
}

static void pred_edges(iso_graph *g, uint32_t p) {
    const hist_effect *pr = &g->h->effects[p];
    int32_t rt = iso_txn_of(g, pr);
    if (rt < 0 || !committed(g, (uint32_t)rt)) return;
    for (uint32_t r = 0; r < g->row_count; r++) {
        const iso_row *row = &g->rows[r];
        if (!row_in_table(row, pr)) continue;
        bool m = false, prev_m = row->loaded && hist_pred_match(pr->pred, pr->aux, row->loaded_value);
        int64_t o = seen_version(g, p, r, &m);
        const iso_install *mine = o > 0 ? install_of(g, r, o) : NULL;
        bool done = false;
        for (uint32_t k = 0; k < row->count; k++) {
            const iso_install *x = &g->installs[row->first + k];
            if (!in_order(g, x)) continue;
            const hist_effect *w = &g->h->effects[x->effect];
            bool xm = w->pred != DB_WRITE_DELETE && hist_pred_match(pr->pred, pr->aux, w->value);
            if (x->version < o) { prev_m = xm; continue; }
            if (x->version == o) continue;
            if (!done && xm != m) {
                edge_add(g, (uint32_t)rt, x->txn, ISO_RW, true, r, p, x->effect);
                done = true;
            }
        }
        if (mine != NULL && prev_m != m) edge_add(g, mine->txn, (uint32_t)rt, ISO_WR, true, r, mine->effect, p);
    }
}

static void build_adjacency(iso_graph *g) {
    g->adj_start = sim_xcalloc(g->txn_count + 1u, sizeof *g->adj_start);
    g->adj = sim_xmalloc((g->edge_count + 1u) * sizeof *g->adj);
    for (uint32_t i = 0; i < g->edge_count; i++)
        if (g->edges[i].in_graph) g->adj_start[g->edges[i].from + 1]++;
    for (uint32_t t = 0; t < g->txn_count; t++) g->adj_start[t + 1] += g->adj_start[t];
    uint32_t *fill = sim_xmalloc((g->txn_count + 1u) * sizeof *fill);
    memcpy(fill, g->adj_start, (g->txn_count + 1u) * sizeof *fill);
    for (uint32_t i = 0; i < g->edge_count; i++)
        if (g->edges[i].in_graph) g->adj[fill[g->edges[i].from]++] = i;
    free(fill);
}

/* Tarjan's strongly connected components, iteratively (no deep recursion). */
static void build_components(iso_graph *g) {
    uint32_t n = g->txn_count, next = 1, comps = 0, sp = 0, cs = 0;
    uint32_t *index = sim_xcalloc(n + 1u, sizeof *index), *low = sim_xcalloc(n + 1u, sizeof *low);
    uint32_t *stack = sim_xmalloc((n + 1u) * sizeof *stack), *call = sim_xmalloc((n + 1u) * sizeof *call);
    uint32_t *it = sim_xcalloc(n + 1u, sizeof *it);
    bool *on = sim_xcalloc(n + 1u, sizeof *on);
    g->comp = sim_xmalloc((n + 1u) * sizeof *g->comp);
    g->comp_size = sim_xcalloc(n + 1u, sizeof *g->comp_size);
    for (uint32_t root = 0; root < n; root++) {
        if (index[root]) continue;
        call[cs++] = root;
        index[root] = low[root] = next++;
        stack[sp++] = root;
        on[root] = true;
        it[root] = g->adj_start[root];
        while (cs > 0) {
            uint32_t v = call[cs - 1];
            if (it[v] < g->adj_start[v + 1]) {
                uint32_t w = g->edges[g->adj[it[v]++]].to;
                if (!index[w]) {
                    index[w] = low[w] = next++;
                    stack[sp++] = w;
                    on[w] = true;
                    it[w] = g->adj_start[w];
                    call[cs++] = w;
                } else if (on[w] && index[w] < low[v]) {
                    low[v] = index[w];
                }
                continue;
            }
            if (low[v] == index[v]) {
                uint32_t w;
                do { w = stack[--sp]; on[w] = false; g->comp[w] = comps; g->comp_size[comps]++; } while (w != v);
                comps++;
            }
            cs--;
            if (cs > 0 && low[v] < low[call[cs - 1]]) low[call[cs - 1]] = low[v];
        }
    }
    free(index); free(low); free(stack); free(call); free(it); free(on);
}

void iso_graph_build(const hist *h, iso_graph *g) {
    SIM_ASSERT(h != NULL);
    SIM_ASSERT(g != NULL);
    memset(g, 0, sizeof *g);
    g->h = h;
    build_txns(g);
    if (g->txn_count == 0) return;
    build_installs(g);
    build_ww(g);
    for (uint32_t i = 0; i < h->effect_count; i++) {
        if (hist_effect_txn(h, &h->effects[i]) == 0) continue;
        if (h->effects[i].kind == HIST_EFF_READ) read_edges(g, i);
        else if (h->effects[i].kind == HIST_EFF_PRED_READ) pred_edges(g, i);
    }
    build_adjacency(g);
    build_components(g);
}

void iso_graph_free(iso_graph *g) {
    if (g == NULL) return;
    free(g->txns); free(g->txn_hash); free(g->rows); free(g->installs); free(g->edges);
    free(g->adj_start); free(g->adj); free(g->comp); free(g->comp_size);
    memset(g, 0, sizeof *g);
}
