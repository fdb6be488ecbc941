/* evq.c -- binary min-heap of (time_ns, seq) entries.
 * Invariant: items[parent] <= items[child] under evq_less.  A binary heap is
 * enough (STYLE.md 3); `make bench` compares it with a bare heap loop. */
#include "sim/evq.h"

#include <stdlib.h>

static bool evq_less(const evq_item *a, const evq_item *b) {
    if (a->time_ns != b->time_ns) return a->time_ns < b->time_ns;
    return a->seq < b->seq;
}

void evq_init(evq *q, uint32_t cap_max) {
    SIM_ASSERT(q != NULL);
    SIM_ASSERT(cap_max > 0);
    q->items = NULL;
    q->count = q->cap = 0;
    q->cap_max = cap_max;
    q->seq_next = 0;
}

void evq_free(evq *q) {
    SIM_ASSERT(q != NULL);
    free(q->items);
    q->items = NULL;
    q->count = q->cap = 0;
}

bool evq_push(evq *q, sim_time time_ns, uint32_t slot, uint32_t gen) {
    SIM_ASSERT(time_ns >= 0);
    if (q->count == q->cap_max) return false;
    if (q->count == q->cap) {
        uint32_t cap = q->cap ? q->cap * 2 : 1024;
        if (cap > q->cap_max) cap = q->cap_max;
        q->items = sim_xrealloc(q->items, (size_t)cap * sizeof *q->items);
        q->cap = cap;
    }
    evq_item it = { time_ns, q->seq_next++, slot, gen };
    uint32_t i = q->count++;
    while (i > 0) {                       /* sift up */
        uint32_t parent = (i - 1) / 2;
        if (!evq_less(&it, &q->items[parent])) break;
        q->items[i] = q->items[parent];
        i = parent;
    }
    q->items[i] = it;
    return true;
}

bool evq_pop(evq *q, evq_item *out) {
    SIM_ASSERT(out != NULL);
    if (q->count == 0) return false;
    *out = q->items[0];
    evq_item last = q->items[--q->count];
    uint32_t n = q->count, i = 0;
    for (;;) {                            /* sift down */
        uint32_t child = 2 * i + 1;
        if (child >= n) break;
        if (child + 1 < n && evq_less(&q->items[child + 1], &q->items[child])) child++;
        if (!evq_less(&q->items[child], &last)) break;
        q->items[i] = q->items[child];
        i = child;
    }
    if (n > 0) q->items[i] = last;
    SIM_ASSERT(n == 0 || !evq_less(&q->items[0], out));
    return true;
}

const evq_item *evq_peek(const evq *q) {
    SIM_ASSERT(q != NULL);
    return q->count ? &q->items[0] : NULL;
}
