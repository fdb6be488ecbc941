/* evq.c -- the out-of-line part of the event heap: set-up and growth.
 * Invariant: cap <= cap_max; items holds cap entries.  Push and pop are
 * inline in evq.h. */
#include "sim/evq.h"

#include <stdlib.h>

void evq_init(evq *q, uint32_t cap_max) {
    SIM_ASSERT(q != NULL);
    SIM_ASSERT(cap_max > 0);
    q->items = NULL;
    q->count = q->cap = 0;
    q->cap_max = cap_max;
    q->seq_next = 1;
}

void evq_free(evq *q) {
    SIM_ASSERT(q != NULL);
    free(q->items);
    q->items = NULL;
    q->count = q->cap = 0;
}

bool evq_grow(evq *q) {
    SIM_ASSERT(q->count == q->cap);
    if (q->cap == q->cap_max) return false;
    uint32_t cap = q->cap ? q->cap * 2 : 1024;
    if (cap > q->cap_max) cap = q->cap_max;
    q->items = sim_xrealloc(q->items, (size_t)cap * sizeof *q->items);
    q->cap = cap;
    return true;
}
