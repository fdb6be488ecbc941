/* figures.c -- a database run's costs, counted from its history.
 * Invariant: only effects of database transactions count (txn != 0 for the
 * db node's effects; RETRY effects of any client).  Trade-off: lock waits
 * are paired by (node, key) with a linear search over the waits still open,
 * which are few at any instant.
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

/* Waits: BLOCKED opens, the UNBLOCKED with the same node and key closes. */
static void count_waits(const hist *h, sim_time horizon_ns, check_figures *f) {
    uint32_t *open = sim_xmalloc((h->effect_count + 1u) * sizeof *open);
    uint32_t n = 0;
    for (uint32_t i = 0; i < h->effect_count; i++) {
        const hist_effect *x = &h->effects[i];
        if (x->txn == 0 || (x->kind != HIST_EFF_BLOCKED && x->kind != HIST_EFF_UNBLOCKED)) continue;
        if (x->kind == HIST_EFF_BLOCKED) { open[n++] = i; f->lock_waits++; continue; }
        for (uint32_t k = 0; k < n; k++) {
            const hist_effect *b = &h->effects[open[k]];
            if (b->node != x->node || strncmp(b->key, x->key, SIM_NAME_MAX) != 0) continue;
            sim_time d = x->t_ns - b->t_ns;
            f->lock_wait_total_ns += d;
            if (d > f->lock_wait_max_ns) f->lock_wait_max_ns = d;
            open[k] = open[--n];
            break;
        }
    }
    for (uint32_t k = 0; k < n; k++) {
        sim_time d = horizon_ns - h->effects[open[k]].t_ns;
        if (d < 0) d = 0;
        f->lock_wait_total_ns += d;
        if (d > f->lock_wait_max_ns) f->lock_wait_max_ns = d;
    }
    free(open);
}

void check_figures_build(const hist *h, sim_time horizon_ns, check_figures *out) {
    SIM_ASSERT(h != NULL);
    SIM_ASSERT(out != NULL);
    memset(out, 0, sizeof *out);
    for (uint32_t i = 0; i < h->effect_count; i++) {
        const hist_effect *x = &h->effects[i];
        if (x->kind == HIST_EFF_RETRY) { out->retries++; continue; }
        if (x->txn == 0) continue;
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
