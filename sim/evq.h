/* evq.h -- pending events: a binary min-heap keyed by (time_ns, seq).
 *
 * seq is assigned at push, so events due at the same instant pop in the
 * order they were pushed (STYLE.md 3).  An entry names a slot in the
 * engine's event pool and the slot's generation at push time; the engine
 * cancels lazily by bumping the slot's generation, and skips entries whose
 * generation no longer matches (STYLE.md 4).
 *
 * Invariant: for every i > 0, items[(i-1)/2] <= items[i].  Push and pop are
 * O(log n).  The heap grows to at most `cap_max` entries; evq_push returns
 * false when full and the caller reports the bound.
 */
#ifndef CCSIM_EVQ_H
#define CCSIM_EVQ_H

#include "sim/base.h"

typedef struct evq_item {
    sim_time time_ns;
    uint64_t seq;
    uint32_t slot;
    uint32_t gen;
} evq_item;

typedef struct evq {
    evq_item *items;
    uint32_t count, cap, cap_max;
    uint64_t seq_next;
} evq;

void evq_init(evq *q, uint32_t cap_max);
void evq_free(evq *q);
bool evq_push(evq *q, sim_time time_ns, uint32_t slot, uint32_t gen);
/* Removes the least item into *out; false when empty. */
bool evq_pop(evq *q, evq_item *out);
/* The least item without removing it; NULL when empty. */
const evq_item *evq_peek(const evq *q);
static inline uint32_t evq_count(const evq *q) { return q->count; }

#endif
