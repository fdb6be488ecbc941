/* isolation_search.c -- cycles in the serialization graph, classified
 * (the rules are in isolation.c's opening comment), and the story clauses
 * the isolation check tells for a transaction's effects.
 *
 * Invariant: a recorded cycle starts with the edge it was searched from
 * and returns to that edge's tail; every edge of it is inside one strongly
 * connected component.  Trade-off: one breadth-first search per edge and
 * anomaly class, bounded by ISO_SEARCH_MAX in all; the first example of a
 * class is kept, the others only counted.
 */
#include "sim/check/isolation_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/db/db.h"
#include "protocols/txn/txn_api.h"

#define MASK(t) (1u << (t))

typedef struct iso_bfs {
    uint32_t *stamp, *via, *queue;
    uint32_t round;
} iso_bfs;

/* The shortest path src -> dst over edges of the allowed types (and item
 * edges only, when asked) inside src's component; its edges into out, in
 * order.  Returns its length, 0 when there is none (or it is too long). */
static uint32_t bfs(const iso_graph *g, iso_bfs *b, uint32_t src, uint32_t dst, uint32_t mask,
                    bool item_only, uint32_t *out, uint32_t max) {
    SIM_ASSERT(src != dst);
    SIM_ASSERT(g->comp[src] == g->comp[dst]);
    uint32_t head = 0, tail = 0, comp = g->comp[src];
    b->round++;
    b->stamp[src] = b->round;
    b->queue[tail++] = src;
    while (head < tail) {
        uint32_t v = b->queue[head++];
        for (uint32_t k = g->adj_start[v]; k < g->adj_start[v + 1]; k++) {
            const iso_edge *e = &g->edges[g->adj[k]];
            if (!(mask & MASK(e->type)) || (item_only && e->pred)) continue;
            if (g->comp[e->to] != comp || b->stamp[e->to] == b->round) continue;
            b->stamp[e->to] = b->round;
            b->via[e->to] = g->adj[k];
            if (e->to == dst) goto found;
            b->queue[tail++] = e->to;
        }
    }
    return 0;
found:;
    uint32_t n = 0;
    for (uint32_t v = dst; v != src; v = g->edges[b->via[v]].from) n++;
    if (n > max) return 0;
    uint32_t k = n;
    for (uint32_t v = dst; v != src; v = g->edges[b->via[v]].from) out[--k] = b->via[v];
    return n;
}

static void record(iso_found *f, uint32_t first, const uint32_t *path, uint32_t n) {
    if (f->hits++ > 0) return;
    f->edges[0] = first;
    f->count = 1;
    for (uint32_t i = 0; i < n && f->count < ISO_CYCLE_MAX; i++) f->edges[f->count++] = path[i];
}

static bool has_pred(const iso_graph *g, const uint32_t *path, uint32_t n) {
    for (uint32_t i = 0; i < n; i++)
        if (g->edges[path[i]].pred) return true;
    return false;
}

/* A predicate rw edge that an item rw edge between the same two already
 * explains adds nothing (D11's count reads the rows it counts). */
static bool shadowed(const iso_graph *g, const iso_edge *e) {
    if (!e->pred) return false;
    for (uint32_t k = g->adj_start[e->from]; k < g->adj_start[e->from + 1]; k++) {
        const iso_edge *x = &g->edges[g->adj[k]];
        if (x->to == e->to && x->type == ISO_RW && !x->pred) return true;
    }
    return false;
}

/* All edges of the cycle e + path on e's row (one item: the lost-update family). */
static bool one_row(const iso_graph *g, const iso_edge *e, const uint32_t *path, uint32_t n) {
    for (uint32_t i = 0; i < n; i++)
        if (g->edges[path[i]].row != e->row || g->edges[path[i]].pred) return false;
    return !e->pred;
}

/* The way back ends with a read by e's reader that came before e's read:
 * it had seen the writer's effects (w2[x] r1[x]) and then read a version
 * the writer overwrote (r1[y] w2[y]). */
static bool observed_first(const iso_graph *g, const iso_edge *e, const uint32_t *path, uint32_t n) {
    const iso_edge *last = &g->edges[path[n - 1]];
    return last->type == ISO_WR && !last->pred && last->eb < e->ea;
}

/* A cycle with one rw edge e, back by path: P3 over a predicate; OTV when
 * the reader had already seen the writer (observed_first); P4 when it stays
 * on one row and comes back by a write (r1[x] w2[x] w1[x]), P2 when it
 * comes back by a read of the same row (r1[x] w2[x] r1[x]); else A5A. */
static iso_kind single_kind(const iso_graph *g, const iso_edge *e, const uint32_t *path, uint32_t n) {
    if (e->pred) return ISO_P3;
    if (observed_first(g, e, path, n)) return ISO_OTV;
    if (!one_row(g, e, path, n)) return ISO_A5A;
    return g->edges[path[n - 1]].type == ISO_WW ? ISO_P4 : ISO_P2;
}

/* G-single from rw edge ei: direct ww / wr edges back first (each one
 * classified), else the shortest ww / wr path back.  True if one was found. */
static bool search_single(const iso_graph *g, iso_bfs *b, uint32_t ei, iso_found *found) {
    const iso_edge *e = &g->edges[ei];
    bool any = false;
    for (uint32_t k = g->adj_start[e->to]; k < g->adj_start[e->to + 1]; k++) {
        const iso_edge *d = &g->edges[g->adj[k]];
        if (d->to != e->from || d->type == ISO_RW) continue;
        record(&found[single_kind(g, e, &g->adj[k], 1)], ei, &g->adj[k], 1);
        any = true;
    }
    if (any) return true;
    uint32_t path[ISO_CYCLE_MAX];
    uint32_t n = bfs(g, b, e->to, e->from, MASK(ISO_WW) | MASK(ISO_WR), false, path, ISO_CYCLE_MAX - 1);
    if (n == 0) return false;
    record(&found[single_kind(g, e, path, n)], ei, path, n);
    return true;
}

static void search_rw(const iso_graph *g, iso_bfs *b, uint32_t ei, iso_found *found) {
    const iso_edge *e = &g->edges[ei];
    if (shadowed(g, e) || search_single(g, b, ei, found)) return;
    uint32_t path[ISO_CYCLE_MAX], all = MASK(ISO_WW) | MASK(ISO_WR) | MASK(ISO_RW);
    uint32_t n = e->pred ? 0 : bfs(g, b, e->to, e->from, all, true, path, ISO_CYCLE_MAX - 1);
    if (n == 0) n = bfs(g, b, e->to, e->from, all, false, path, ISO_CYCLE_MAX - 1);
    if (n == 0) return;
    iso_kind k = e->pred || has_pred(g, path, n) ? ISO_G2 : one_row(g, e, path, n) ? ISO_P4 : ISO_A5B;
    record(&found[k], ei, path, n);
}

static void search_edge(const iso_graph *g, iso_bfs *b, uint32_t ei, iso_found *found) {
    const iso_edge *e = &g->edges[ei];
    uint32_t path[ISO_CYCLE_MAX];
    uint32_t n;
    switch (e->type) {
    case ISO_WW:
        n = bfs(g, b, e->to, e->from, MASK(ISO_WW), false, path, ISO_CYCLE_MAX - 1);
        if (n > 0) { record(&found[ISO_G0], ei, path, n); return; }
        /* no ww cycle: a ww edge may still close a ww / wr one */
        /* fall through */
    case ISO_WR:
        n = bfs(g, b, e->to, e->from, MASK(ISO_WW) | MASK(ISO_WR), false, path, ISO_CYCLE_MAX - 1);
        if (n > 0) record(&found[ISO_G1C], ei, path, n);
        return;
    case ISO_RW:
        search_rw(g, b, ei, found);
        return;
    }
}

bool iso_find(iso_graph *g, iso_found found[ISO_KIND_COUNT]) {
    SIM_ASSERT(g != NULL);
    SIM_ASSERT(found != NULL);
    memset(found, 0, ISO_KIND_COUNT * sizeof found[0]);
    for (uint32_t k = 0; k < ISO_KIND_COUNT; k++) found[k].kind = (iso_kind)k;
    for (int w = 0; w < 2; w++) {
        if (g->g1_hits[w] == 0) continue;
        iso_found *f = &found[w == 0 ? ISO_G1A : ISO_G1B];
        f->hits = g->g1_hits[w];
        f->edges[0] = g->g1[w];
        f->count = 1;
    }
    if (g->txn_count == 0) return true;
    iso_bfs b = { sim_xcalloc(g->txn_count, sizeof(uint32_t)), sim_xcalloc(g->txn_count, sizeof(uint32_t)),
                  sim_xcalloc(g->txn_count, sizeof(uint32_t)), 0 };
    uint32_t budget = ISO_SEARCH_MAX;
    bool complete = true;
    for (uint32_t i = 0; i < g->edge_count; i++) {
        const iso_edge *e = &g->edges[i];
        if (!e->in_graph || g->comp[e->from] != g->comp[e->to]) continue;
        if (budget-- == 0) { complete = false; break; }
        search_edge(g, &b, i, found);
    }
    free(b.stamp);
    free(b.via);
    free(b.queue);
    return complete;
}

uint32_t iso_found_txns(const iso_graph *g, const iso_found *f, uint32_t *out, uint32_t max) {
    SIM_ASSERT(g != NULL);
    SIM_ASSERT(f != NULL);
    uint32_t n = 0;
    for (uint32_t i = 0; i < f->count; i++) {
        const iso_edge *e = &g->edges[f->edges[i]];
        uint32_t ends[2] = { e->from, e->to };
        for (int k = 0; k < 2; k++) {
            bool seen = false;
            for (uint32_t j = 0; j < n; j++) seen |= out[j] == ends[k];
            if (!seen && n < max) out[n++] = ends[k];
        }
    }
    return n;
}

const char *iso_pred_text(uint32_t p) {
    static const char *const sym[] = { "any", "=", "<>", "<", "<=", ">", ">=", "multiple of" };
    return p < HIST_PRED_COUNT ? sym[p] : "?";
}

void iso_tell_effect(story *st, const hist *h, const hist_effect *x, const char *name) {
    SIM_ASSERT(st != NULL);
    SIM_ASSERT(x != NULL);
    const char *t = story_t(x->t_ns).s;
    switch (x->kind) {
    case HIST_EFF_READ:
        if (x->pred == DB_WRITE_DELETE)          /* an item read that found no row */
            story_add(st, x->t_ns, "%s read %s: no row (version %" PRId64 ") at %s", name, x->key, hist_effect_version(h, x), t);
        else
            story_add(st, x->t_ns, "%s read %s = %" PRId64 " (version %" PRId64 ") at %s", name, x->key,
                      x->value, hist_effect_version(h, x), t);
        break;
    case HIST_EFF_PRED_READ:
        story_add(st, x->t_ns, "%s read %s WHERE value %s %" PRId64 ": %" PRId64 " rows, at %s", name, x->key,
                  iso_pred_text(x->pred), x->aux, x->value, t);
        break;
    case HIST_EFF_WRITE:
        story_add(st, x->t_ns, "%s wrote %s = %" PRId64 " (version %" PRId64 ") at %s", name, x->key, x->value,
                  hist_effect_version(h, x), t);
        break;
    case HIST_EFF_TXN_COMMIT: story_add(st, x->t_ns, "%s committed at %s", name, t); break;
    case HIST_EFF_TXN_ABORT: story_add(st, x->t_ns, "%s rolled back at %s", name, t); break;
    case HIST_EFF_DB_ERROR: story_add(st, x->t_ns, "%s got error %s at %s", name, x->key, t); break;
    case HIST_EFF_BLOCKED: story_add(st, x->t_ns, "%s began to wait for a lock at %s", name, t); break;
    case HIST_EFF_UNBLOCKED: story_add(st, x->t_ns, "%s stopped waiting at %s", name, t); break;
    default: break;
    }
}
