/* cache.c -- what the checks of one run share (check.h, check_cache).
 *
 * Invariant: once built, epochs is check_epochs_build of the history h
 * had when it was built; h and its op and effect counts are kept so that
 * a cache handed another history, or one that grew, is an assertion
 * rather than a wrong verdict.
 * Trade-off: it holds only the lock epochs, the one index several checks
 * build from the same history (mutual-exclusion, lease-overlap, and the
 * stories of lost-update and liveness); anything else is cheaper rebuilt
 * than kept.
 */
#include "sim/check/check_int.h"

#include <stdlib.h>
#include <string.h>

struct check_cache {
    const hist *h;               /* the history it was built from, NULL = not yet */
    uint32_t op_count, effect_count;
    check_epochs epochs;
};

check_cache *check_cache_new(void) {
    return sim_xcalloc(1, sizeof(check_cache));
}

void check_cache_free(check_cache *c) {
    if (c == NULL) return;
    if (c->h != NULL) check_epochs_free(&c->epochs);
    free(c);
}

const check_epochs *check_epochs_of(const check_input *in, check_epochs *own) {
    SIM_ASSERT(in != NULL);
    SIM_ASSERT(in->h != NULL);
    SIM_ASSERT(own != NULL);
    memset(own, 0, sizeof *own);
    check_cache *c = in->cache;
    if (c == NULL) {
        check_epochs_build(in->h, own);
        return own;
    }
    if (c->h == NULL) {
        check_epochs_build(in->h, &c->epochs);
        c->h = in->h;
        c->op_count = in->h->op_count;
        c->effect_count = in->h->effect_count;
    }
    SIM_ASSERT(c->h == in->h);                      /* one cache, one history */
    SIM_ASSERT(c->op_count == in->h->op_count);     /* ... unchanged since */
    SIM_ASSERT(c->effect_count == in->h->effect_count);
    return &c->epochs;
}
