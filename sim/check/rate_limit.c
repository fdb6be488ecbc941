/* rate_limit.c -- "at most `limit` requests admitted in any interval of one
 * window's length" (SCENARIOS.md M2's property P), judged in true time.
 *
 * Evidence: the limiter's ADMIT effects (value = limit, aux = window).
 * The busiest interval is found with two pointers over the admissions in
 * time order: for each admission i, the admissions in [t_i, t_i + W).
 * VIOLATION when one holds more than the limit: a fixed window admits
 * `limit` at the end of one window and `limit` at the start of the next.
 * Invariant: admissions are scanned in true-time order (effects are).
 * Trade-off: one limiter rule per run (the first ADMIT's); O(admissions).
 */
#include "sim/check/check_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/ratelimit/ratelimit.h"

typedef struct rt_best { uint32_t count, first, last; } rt_best;   /* effect indices */

static rt_best busiest(const hist *h, const uint32_t *adm, uint32_t n, sim_time window) {
    rt_best b = { 0, HIST_NONE, HIST_NONE };
    uint32_t j = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (j < i) j = i;
        while (j < n && h->effects[adm[j]].t_ns - h->effects[adm[i]].t_ns < window) j++;
        if (j - i > b.count) b = (rt_best){ j - i, adm[i], adm[j - 1] };
    }
    return b;
}

static void rt_story(const check_input *in, const rt_best *b, int64_t limit, sim_time window, check_result *out) {
    const hist *h = in->h;
    story st;
    story_init(&st, in->s);
    const hist_effect *f = &h->effects[b->first], *l = &h->effects[b->last];
    story_add(&st, f->t_ns, "%s admitted a request at %s%s", story_node(in->s, f->node), story_t(f->t_ns).s,
              story_clock_note(in->s, f->node, f->t_ns, hist_effect_local_ns(h, f)).s);
    uint32_t k = 0;
    for (uint32_t i = b->first; i <= b->last; i++) {
        const hist_effect *x = &h->effects[i];
        if (x->kind != HIST_EFF_ADMIT || x->node != f->node) continue;
        if (++k == (uint32_t)limit + 1)
            story_add(&st, x->t_ns, "%s admitted request number %" PRId64 " of the interval at %s", story_node(in->s, x->node),
                      limit + 1, story_t(x->t_ns).s);
    }
    story_add(&st, l->t_ns, "%s admitted the last of them at %s", story_node(in->s, l->node), story_t(l->t_ns).s);
    story_conclude(&st, "so %u requests were admitted within %s, where at most %" PRId64 " per %s are allowed",
                   b->count, story_t(l->t_ns - f->t_ns).s, limit, story_t(window).s);
    story_buf sb;
    story_buf_init(&sb);
    story_render(&st, &sb);
    out->story = story_buf_take(&sb);
    story_free(&st);
}

static void check_run_rate_limit(const check_input *in, check_result *out) {
    SIM_ASSERT(in != NULL);
    SIM_ASSERT(in->h != NULL);
    check_result_start(out, "rate-limit");
    const hist *h = in->h;
    uint32_t n = 0, refused = 0;
    uint32_t *adm = sim_xmalloc((h->effect_count + 1u) * sizeof *adm);
    int64_t limit = 0;
    sim_time window = 0;
    for (uint32_t i = 0; i < h->effect_count; i++) {
        const hist_effect *x = &h->effects[i];
        refused += x->kind == HIST_EFF_REFUSE;
        if (x->kind != HIST_EFF_ADMIT) continue;
        if (n == 0) { limit = x->value; window = x->aux; }
        if (x->value == limit && x->aux == window) adm[n++] = i;
    }
    if (n == 0 || window <= 0) {
        snprintf(out->summary, sizeof out->summary, "no request admitted (%u refused)", refused);
        free(adm);
        return;
    }
    rt_best b = busiest(h, adm, n, window);
    const hist_effect *f = &h->effects[b.first], *l = &h->effects[b.last];
    snprintf(out->summary, sizeof out->summary, "at most %u admitted in any %s (%s..%s); limit %" PRId64
             "; %u admitted, %u refused in all", b.count, story_t(window).s, story_t(f->t_ns).s,
             story_t(l->t_ns).s, limit, n, refused);
    if ((int64_t)b.count > limit) {
        out->verdict = CHECK_VIOLATION;
        snprintf(out->summary, sizeof out->summary, "%u requests admitted within %s (%s..%s), limit %" PRId64
                 " per %s", b.count, story_t(l->t_ns - f->t_ns).s, story_t(f->t_ns).s, story_t(l->t_ns).s,
                 limit, story_t(window).s);
        rt_story(in, &b, limit, window, out);
    }
    free(adm);
}

/* The check's entry in the registry (sim/check/check.c). */
const check_desc check_rate_limit = {
    .name = "rate-limit",
    .summary = "more requests admitted in some window-long interval than the limiter's limit",
    .run = check_run_rate_limit,
    .protocols = { "rate-limiter" },
};
