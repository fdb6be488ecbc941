/* liveness_blocked.c -- blocked windows for the liveness check: how long a
 * node (or a client's op at a node) sat waiting on something it could not
 * decide alone -- a 2PC participant in doubt holding its locks, a lock wait,
 * a deadlock -- from the BLOCKED / UNBLOCKED effects of hist.h.
 *
 * A window opens at a BLOCKED effect and closes at the first UNBLOCKED with
 * the same (node, key, op); one still open at the horizon counts to it.
 *   VIOLATION (STUCK): a window open at the horizon, longer than the bound.
 *   Always: blocked_ns = the longest window; the summary names the longest
 *   windows, those with the same key and the same times told together
 *   ("p1, p2 and p3 (in doubt on tm:1, waiting for tm) 3.001 s..60.001 s").
 * Invariant: windows are kept in the order they opened; a close matches the
 * earliest open window of its (node, key, op), so two waits for one key at
 * one node close first-in first-out.
 * Trade-off: the close search is linear in the windows open at once (a
 * handful), the grouping a sort, O(W log W).
 */
#include "sim/check/check_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BW_TOLD_MAX 3

typedef struct bw_window {
    uint32_t open;                /* the BLOCKED effect */
    sim_time start_ns, end_ns;    /* end_ns = SIM_TIME_NEVER while open */
    sim_time length_ns;           /* to the end, or to the horizon */
} bw_window;

typedef struct bw_set {
    const hist *h;
    bw_window *w;
    uint32_t count;
    uint32_t *open_idx;           /* windows still open, in opening order */
    uint32_t open_count;
} bw_set;

static bool same_wait(const hist_effect *a, const hist_effect *b) {
    return a->node == b->node && a->op == b->op && strncmp(a->key, b->key, SIM_NAME_MAX) == 0;
}

static void bw_close(bw_set *s, const hist_effect *x) {
    for (uint32_t k = 0; k < s->open_count; k++) {
        bw_window *w = &s->w[s->open_idx[k]];
        if (!same_wait(&s->h->effects[w->open], x)) continue;
        w->end_ns = x->t_ns;
        memmove(&s->open_idx[k], &s->open_idx[k + 1], (s->open_count - k - 1) * sizeof *s->open_idx);
        s->open_count--;
        return;
    }
}

static void bw_build(bw_set *s, const hist *h, sim_time horizon_ns) {
    memset(s, 0, sizeof *s);
    s->h = h;
    uint32_t n = 0;
    for (uint32_t i = 0; i < h->effect_count; i++) n += h->effects[i].kind == HIST_EFF_BLOCKED;
    s->w = sim_xmalloc((n + 1u) * sizeof *s->w);
    s->open_idx = sim_xmalloc((n + 1u) * sizeof *s->open_idx);
    for (uint32_t i = 0; i < h->effect_count && h->effects[i].t_ns <= horizon_ns; i++) {
        const hist_effect *x = &h->effects[i];
        if (x->kind == HIST_EFF_UNBLOCKED) bw_close(s, x);
        if (x->kind != HIST_EFF_BLOCKED) continue;
        s->open_idx[s->open_count++] = s->count;
        s->w[s->count++] = (bw_window){ i, x->t_ns, SIM_TIME_NEVER, 0 };
    }
    for (uint32_t k = 0; k < s->count; k++) {
        bw_window *w = &s->w[k];
        w->length_ns = (w->end_ns == SIM_TIME_NEVER ? horizon_ns : w->end_ns) - w->start_ns;
        if (w->length_ns < 0) w->length_ns = 0;
    }
}

static void bw_free(bw_set *s) {
    free(s->w);
    free(s->open_idx);
}

/* ---- grouping: same key, waited-on node, times; longest first ---- */

typedef struct bw_ref { const hist_effect *x; const bw_window *w; } bw_ref;

static int bw_order(const void *a, const void *b) {
    const bw_ref *p = a, *q = b;
    if (p->w->length_ns != q->w->length_ns) return p->w->length_ns > q->w->length_ns ? -1 : 1;
    if (p->w->start_ns != q->w->start_ns) return p->w->start_ns < q->w->start_ns ? -1 : 1;
    int c = strncmp(p->x->key, q->x->key, SIM_NAME_MAX);
    if (c != 0) return c;
    if (p->w->end_ns != q->w->end_ns) return p->w->end_ns < q->w->end_ns ? -1 : 1;
    if (p->x->client != q->x->client) return p->x->client < q->x->client ? -1 : 1;
    return p->w->open < q->w->open ? -1 : p->w->open > q->w->open;
}

static bool same_group(const bw_ref *a, const bw_ref *b) {
    return a->w->start_ns == b->w->start_ns && a->w->end_ns == b->w->end_ns &&
           a->x->client == b->x->client && strncmp(a->x->key, b->x->key, SIM_NAME_MAX) == 0;
}

/* "p1" or "x's read at p1": who waited, from the effect and its op. */
static void bw_subject(const check_input *in, const hist_effect *x, char *buf, size_t len) {
    const hist_op *op = check_effect_op(in->h, x);
    if (op != NULL && op->node != x->node)
        snprintf(buf, len, "%s's %s at %s", story_node(in->s, op->node), hist_f_name(in->h, op->f),
                 story_node(in->s, x->node));
    else
        snprintf(buf, len, "%s", story_node(in->s, x->node));
}

/* "p1, p2 and p3 (in doubt on tm:1, waiting for tm)" for refs[first..first+n). */
static void bw_who(const check_input *in, const bw_ref *refs, uint32_t first, uint32_t n, char *buf,
                   size_t len) {
    buf[0] = '\0';
    for (uint32_t k = 0; k < n; k++) {
        char one[96];
        bw_subject(in, refs[first + k].x, one, sizeof one);
        story_appendf(buf, len, "%s%s", k == 0 ? "" : k + 1 == n ? " and " : ", ", one);
    }
    const hist_effect *x = refs[first].x;
    story_appendf(buf, len, " (%s", x->key);
    if (x->client >= 0) story_appendf(buf, len, ", waiting for %s", story_node(in->s, x->client));
    story_appendf(buf, len, ")");
}

static uint32_t group_len(const bw_ref *refs, uint32_t n, uint32_t first) {
    uint32_t k = 1;
    while (first + k < n && same_group(&refs[first], &refs[first + k])) k++;
    return k;
}

static void bw_span(const bw_ref *r, char *buf, size_t len) {
    if (r->w->end_ns == SIM_TIME_NEVER)
        snprintf(buf, len, "since %s, still at the horizon (%s)", story_t(r->w->start_ns).s,
                 story_t(r->w->length_ns).s);
    else
        snprintf(buf, len, "%s..%s (%s)", story_t(r->w->start_ns).s, story_t(r->w->end_ns).s,
                 story_t(r->w->length_ns).s);
}

static bool bw_stuck(const bw_ref *r, sim_time bound_ns) {
    return r->w->end_ns == SIM_TIME_NEVER && r->w->length_ns > bound_ns;
}

static void bw_story(const check_input *in, const bw_ref *refs, uint32_t first, uint32_t n,
                     sim_time bound_ns, story_buf *out) {
    sim_time horizon = check_horizon(in);
    story st;
    story_init(&st, in->s);
    uint64_t mask = 0;
    sim_time from = refs[first].w->start_ns;
    for (uint32_t k = 0; k < n; k++) {
        const hist_effect *x = refs[first + k].x;
        const hist_op *op = check_effect_op(in->h, x);
        char who[96];
        bw_subject(in, x, who, sizeof who);
        if (op != NULL) {
            story_add(&st, op->invoke_ns, "%s invoked a %s at %s", story_node(in->s, op->node),
                      hist_f_name(in->h, op->f), story_t(op->invoke_ns).s);
            mask |= story_bit(op->node);
            if (op->invoke_ns < from) from = op->invoke_ns;
        }
        char waits[64] = "";
        if (x->client >= 0) snprintf(waits, sizeof waits, ", waiting for %s", story_node(in->s, x->client));
        story_add(&st, x->t_ns, "%s became blocked at %s (%s%s)", who, story_t(x->t_ns).s, x->key, waits);
        mask |= story_bit(x->node) | story_bit(x->client);
    }
    story_add_faults(&st, mask, from, horizon);
    char who[CHECK_SUMMARY_MAX];
    bw_who(in, refs, first, n, who, sizeof who);
    story_conclude(&st, "so %s %s still blocked at the horizon (%s), %s after it began (bound %s)", who,
                   n == 1 ? "was" : "were", story_t(horizon).s, story_t(refs[first].w->length_ns).s,
                   story_t(bound_ns).s);
    story_render(&st, out);
    story_free(&st);
}

/* Appends the stuck groups' stories to out->story (which may hold others). */
static void bw_report_stuck(const check_input *in, const bw_ref *refs, uint32_t n, sim_time bound_ns,
                            uint32_t stuck, check_result *out) {
    story_buf b;
    story_buf_init(&b);
    if (out->story != NULL) story_buf_printf(&b, "%s\n", out->story);
    free(out->story);
    out->story = NULL;
    uint32_t told = 0;
    for (uint32_t i = 0; i < n && told < BW_TOLD_MAX; i += group_len(refs, n, i)) {
        if (!bw_stuck(&refs[i], bound_ns)) continue;
        uint32_t g = group_len(refs, n, i);
        if (stuck > 1) {
            char who[CHECK_SUMMARY_MAX];
            bw_who(in, refs, i, g, who, sizeof who);
            story_buf_printf(&b, "%sblocked %" PRIu32 " of %" PRIu32 ": %s\n", told ? "\n" : "", told + 1,
                             stuck, who);
        }
        bw_story(in, refs, i, g, bound_ns, &b);
        told++;
    }
    if (stuck > told) story_buf_printf(&b, "\n(%" PRIu32 " more not told)\n", stuck - told);
    out->story = story_buf_take(&b);
}

/* The summary: what blocked, longest first; stuck windows when any. */
static void bw_summary(const check_input *in, const bw_ref *refs, uint32_t n, sim_time bound_ns,
                       uint32_t stuck, check_result *out) {
    bool was_ok = out->verdict == CHECK_OK;
    if (stuck > 0 && was_ok) out->summary[0] = '\0';
    else story_appendf(out->summary, sizeof out->summary, stuck ? "; also blocked: " : "; blocked: ");
    uint32_t told = 0, groups = 0;
    for (uint32_t i = 0; i < n; i += group_len(refs, n, i)) {
        groups++;
        if (stuck > 0 && !bw_stuck(&refs[i], bound_ns)) continue;
        if (told == BW_TOLD_MAX) continue;
        char who[CHECK_SUMMARY_MAX], span[240];
        bw_who(in, refs, i, group_len(refs, n, i), who, sizeof who);
        bw_span(&refs[i], span, sizeof span);
        story_appendf(out->summary, sizeof out->summary, "%s%s %s", told ? "; " : "", who, span);
        told++;
    }
    uint32_t shown = stuck > 0 ? stuck : groups;
    if (shown > told) story_appendf(out->summary, sizeof out->summary, "; and %" PRIu32 " more", shown - told);
    if (stuck > 0) story_appendf(out->summary, sizeof out->summary, " (bound %s)", story_t(bound_ns).s);
}

void check_liveness_blocked(const check_input *in, sim_time bound_ns, check_result *out) {
    SIM_ASSERT(in != NULL);
    SIM_ASSERT(in->h != NULL);
    SIM_ASSERT(out != NULL);
    bw_set s;
    bw_build(&s, in->h, check_horizon(in));
    if (s.count == 0) { bw_free(&s); return; }
    bw_ref *refs = sim_xmalloc(s.count * sizeof *refs);
    for (uint32_t k = 0; k < s.count; k++) refs[k] = (bw_ref){ &in->h->effects[s.w[k].open], &s.w[k] };
    qsort(refs, s.count, sizeof *refs, bw_order);
    if (refs[0].w->length_ns > out->blocked_ns) out->blocked_ns = refs[0].w->length_ns;
    uint32_t stuck = 0;
    for (uint32_t i = 0; i < s.count; i += group_len(refs, s.count, i)) stuck += bw_stuck(&refs[i], bound_ns);
    bw_summary(in, refs, s.count, bound_ns, stuck, out);
    if (stuck > 0) {
        bw_report_stuck(in, refs, s.count, bound_ns, stuck, out);
        out->verdict = CHECK_VIOLATION;
    }
    free(refs);
    bw_free(&s);
}
