/* evq.h -- pending events: a binary min-heap keyed by (time_ns, seq).
 *
 * seq is assigned at push, so events due at the same instant pop in the
 * order they were pushed (STYLE.md 3).  An entry is 16 bytes: the time and
 * one key packing (seq << EVQ_SLOT_BITS | slot), where slot names the
 * engine's event-pool slot.  Comparing keys compares seqs, because seq sits
 * in the high bits.  The engine cancels lazily (STYLE.md 4): a slot
 * remembers the key of its live entry, and an entry whose key no longer
 * matches its slot's is skipped when it pops.
 *
 * Invariant: for every i > 0, items[(i-1)/2] <= items[i].  Push and pop are
 * O(log n) and inline (they are the kernel's hot path).  The heap holds at
 * most `cap_max` entries; evq_push returns 0 when full and the caller
 * reports the bound.
 */
#ifndef CCSIM_EVQ_H
#define CCSIM_EVQ_H

#include "sim/base.h"

#define EVQ_SLOT_BITS 22
#define EVQ_SLOT_MASK ((1u << EVQ_SLOT_BITS) - 1u)

typedef struct evq_item {
    sim_time time_ns;
    uint64_t key;                 /* seq << EVQ_SLOT_BITS | slot; never 0 */
} evq_item;

typedef struct evq {
    evq_item *items;
    uint32_t count, cap, cap_max;
    uint64_t seq_next;            /* starts at 1, so no key is 0 */
} evq;

void evq_init(evq *q, uint32_t cap_max);
void evq_free(evq *q);
bool evq_grow(evq *q);            /* out of line: rare */

static inline uint32_t evq_slot(uint64_t key) { return (uint32_t)(key & EVQ_SLOT_MASK); }
static inline uint32_t evq_count(const evq *q) { return q->count; }

static inline bool evq_less(const evq_item *a, const evq_item *b) {
    return a->time_ns != b->time_ns ? a->time_ns < b->time_ns : a->key < b->key;
}

/* Queues slot at time_ns; returns the entry's key, or 0 when full. */
static inline uint64_t evq_push(evq *q, sim_time time_ns, uint32_t slot) {
    SIM_ASSERT(time_ns >= 0);
    SIM_ASSERT(slot <= EVQ_SLOT_MASK);
    if (q->count == q->cap && !evq_grow(q)) return 0;
    evq_item it = { time_ns, (q->seq_next++ << EVQ_SLOT_BITS) | slot };
    uint32_t i = q->count++;
    while (i > 0) {                       /* sift up */
        uint32_t parent = (i - 1) / 2;
        if (!evq_less(&it, &q->items[parent])) break;
        q->items[i] = q->items[parent];
        i = parent;
    }
    q->items[i] = it;
    return it.key;
}

/* Removes the least entry into *out; false when empty. */
static inline bool evq_pop(evq *q, evq_item *out) {
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
    return true;
}

/* The least entry without removing it; NULL when empty. */
static inline const evq_item *evq_peek(const evq *q) { return q->count ? &q->items[0] : NULL; }

#endif
