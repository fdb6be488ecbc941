/* figures.c -- a database run's costs, counted from its history.
 * Invariant: only effects of database transactions count (txn != 0 for the
 * db node's effects; RETRY effects of any client).  Lock waits are paired
 * by (node, key) through a hash table of the open waits (count_waits).
 */
#include "sim/check/figures.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/db/db.h"
#include "protocols/txn/txn_api.h"
#include "sim/check/story.h"

static bool code_is(const hist_effect *x, const char *a, const char *b) {
    return strncmp(x->key, a, SIM_NAME_MAX) == 0 || strncmp(x->key, b, SIM_NAME_MAX) == 0;
}

static void count_error(check_figures *f, const hist_effect *x) {
    if (code_is(x, "40001", "40001")) f->serialization_failures++;
    else if (code_is(x, "40P01", "1213")) f->deadlocks++;
    else if (code_is(x, "55P03", "1205")) f->lock_timeouts++;
}

/* Waits: BLOCKED opens, the UNBLOCKED with the same node and key closes
 * the wait of that (node, key) that comes first in the list of open waits
 * (a list kept with removal by moving the last one into the hole).  The
 * waits are grouped by (node, key) in a hash table, each group a chain of
 * its open waits, so an UNBLOCKED looks at its own group only: linear in
 * the history however many waits are open at once (a queue of 20 000
 * buyers on one row). */
typedef struct wait_index {
    uint32_t *eff;      /* per BLOCKED (its ordinal): the effect */
    uint32_t *pos;      /* ... its place in open[] while open */
    uint32_t *next;     /* ... the next open wait of its group, UINT32_MAX = none */
    uint32_t *head;     /* per group (the ordinal of its first BLOCKED): its chain */
    uint32_t *table;    /* group ordinal + 1, 0 = empty; linear probing */
    uint32_t mask;
    uint32_t *open;     /* the open waits, as ordinals */
    uint32_t n;
} wait_index;

static uint32_t wait_hash(const hist_effect *x) {
    uint32_t h = 2166136261u ^ (uint32_t)x->node;
    for (size_t i = 0; i < SIM_NAME_MAX && x->key[i]; i++) h = (h ^ (uint8_t)x->key[i]) * 16777619u;
    return h;
}

static bool same_wait(const hist_effect *a, const hist_effect *b) {
    return a->node == b->node && strncmp(a->key, b->key, SIM_NAME_MAX) == 0;
}

/* The group of x: its table entry (0 = none yet, at *at). */
static uint32_t wait_group(const hist *h, const wait_index *w, const hist_effect *x, uint32_t *at) {
    uint32_t i = wait_hash(x) & w->mask;
    while (w->table[i] != 0 && !same_wait(&h->effects[w->eff[w->table[i] - 1]], x))
        i = (i + 1) & w->mask;
    *at = i;
    return w->table[i];
}

static bool is_wait(const hist *h, const hist_effect *x) {
    return hist_effect_txn(h, x) != 0 && (x->kind == HIST_EFF_BLOCKED || x->kind == HIST_EFF_UNBLOCKED);
}

static void wait_open(const hist *h, wait_index *w, uint32_t b) {
    uint32_t at, g = wait_group(h, w, &h->effects[w->eff[b]], &at);
    if (g == 0) { w->table[at] = g = b + 1; w->head[b] = UINT32_MAX; }
    w->next[b] = w->head[g - 1];
    w->head[g - 1] = b;
    w->pos[b] = w->n;
    w->open[w->n++] = b;
}

/* Closes the first open wait of x's group; false if it has none. */
static bool wait_close(const hist *h, wait_index *w, const hist_effect *x, uint32_t *closed) {
    uint32_t at, g = wait_group(h, w, x, &at);
    if (g == 0) return false;
    uint32_t *best = NULL;
    for (uint32_t *p = &w->head[g - 1]; *p != UINT32_MAX; p = &w->next[*p])
        if (best == NULL || w->pos[*p] < w->pos[*best]) best = p;
    if (best == NULL) return false;
    uint32_t b = *best;
    *best = w->next[b];
    *closed = b;
    uint32_t last = w->open[--w->n];
    w->open[w->pos[b]] = last;
    w->pos[last] = w->pos[b];
    return true;
}

static void add_wait(check_figures *f, sim_time d) {
    f->lock_wait_total_ns += d;
    if (d > f->lock_wait_max_ns) f->lock_wait_max_ns = d;
}

static void count_waits(const hist *h, sim_time horizon_ns, check_figures *f) {
    uint32_t blocked = 0;
    for (uint32_t i = 0; i < h->effect_count; i++)
        blocked += is_wait(h, &h->effects[i]) && h->effects[i].kind == HIST_EFF_BLOCKED;
    if (blocked == 0) return;
    wait_index w = { 0 };
    uint32_t size = 1;
    while (size < 2u * blocked) size *= 2;
    w.mask = size - 1;
    w.table = sim_xcalloc(size, sizeof *w.table);
    uint32_t *arrays = sim_xmalloc(5u * (size_t)blocked * sizeof *arrays);
    w.eff = arrays;
    w.pos = arrays + blocked;
    w.next = arrays + 2u * blocked;
    w.head = arrays + 3u * blocked;
    w.open = arrays + 4u * blocked;
    for (uint32_t i = 0, b = 0; i < h->effect_count; i++) {
        const hist_effect *x = &h->effects[i];
        if (!is_wait(h, x)) continue;
        uint32_t c;
        if (x->kind == HIST_EFF_BLOCKED) { w.eff[b] = i; wait_open(h, &w, b++); f->lock_waits++; }
        else if (wait_close(h, &w, x, &c)) add_wait(f, x->t_ns - h->effects[w.eff[c]].t_ns);
    }
    for (uint32_t k = 0; k < w.n; k++) {
        sim_time d = horizon_ns - h->effects[w.eff[w.open[k]]].t_ns;
        add_wait(f, d < 0 ? 0 : d);
    }
    free(arrays);
    free(w.table);
}

void check_figures_build(const hist *h, sim_time horizon_ns, check_figures *out) {
    SIM_ASSERT(h != NULL);
    SIM_ASSERT(out != NULL);
    memset(out, 0, sizeof *out);
    for (uint32_t i = 0; i < h->effect_count; i++) {
        const hist_effect *x = &h->effects[i];
        if (x->kind == HIST_EFF_RETRY) { out->retries++; continue; }
        if (hist_effect_txn(h, x) == 0) continue;
        out->any = true;
        if (x->kind == HIST_EFF_TXN_COMMIT) out->commits++;
        else if (x->kind == HIST_EFF_TXN_ABORT) out->aborts++;
        else if (x->kind == HIST_EFF_DB_ERROR) count_error(out, x);
    }
    count_waits(h, horizon_ns, out);
}

void check_figures_text(const check_figures *f, char *buf, size_t len) {
    SIM_ASSERT(f != NULL);
    SIM_ASSERT(buf != NULL);
    SIM_ASSERT(len > 0);
    snprintf(buf, len, "%" PRIu64 " commits, %" PRIu64 " aborts, %" PRIu64 " retries, %" PRIu64
             " serialization failures, %" PRIu64 " deadlocks, %" PRIu64 " lock timeouts, %" PRIu64
             " lock waits", f->commits, f->aborts, f->retries, f->serialization_failures,
             f->deadlocks, f->lock_timeouts, f->lock_waits);
    if (f->lock_waits == 0) return;
    story_appendf(buf, len, " (total %s, longest %s)", story_t(f->lock_wait_total_ns).s,
                  story_t(f->lock_wait_max_ns).s);
}
