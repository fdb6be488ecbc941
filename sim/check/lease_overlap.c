/* lease_overlap.c -- ME-hold: two clients believed they held the lock at once.
 *
 * Each successful acquisition (an ok ACQUIRE with an epoch) holds
 * H = [acquire completed, last protected op issued] in true time
 * (PROTOCOLS.md 12.1, op issue time).  A violation is two epochs of
 * different clients whose H intersect (closed intervals).  With leases this
 * happens while the resource stays safe (fencing rejects the stale write),
 * so the summary says when fencing tokens were in use.  The summary and
 * the story say how long each client believed it held the lock, beside
 * how long the two beliefs overlapped: a 2 ms overlap can hide a client
 * that believed for 15 s (L2).
 * Invariant of the sweep: best and second hold the latest hold ends seen so
 * far among epochs acquired earlier, from two different clients.
 * Trade-off: O(E log E) in epochs (O(E) when they were granted in number
 * order, the usual case); only the first LO_TOLD_MAX pairs found
 * (in acquisition order) get a story, the rest are counted.
 */
#include "sim/check/check_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LO_TOLD_MAX 3

typedef struct lo_pair { const check_epoch *a, *b; } lo_pair;   /* a acquired first */

typedef struct lo_best { const check_epoch *e; } lo_best;

static int epoch_ptr_cmp(const void *pa, const void *pb) {
    const check_epoch *a = *(const check_epoch *const *)pa, *b = *(const check_epoch *const *)pb;
    if (a->acquired_ns != b->acquired_ns) return a->acquired_ns < b->acquired_ns ? -1 : 1;
    if (a->epoch != b->epoch) return a->epoch < b->epoch ? -1 : 1;
    return 0;
}

/* Whether order[0..n) is already in epoch_ptr_cmp order: epochs, sorted
 * by number, are granted in that order on most locks, and the order is
 * total (distinct epochs), so skipping the sort changes nothing. */
static bool sorted_by_acquisition(const check_epoch *const *order, uint32_t n) {
    for (uint32_t i = 1; i < n; i++)
        if (epoch_ptr_cmp(&order[i - 1], &order[i]) > 0) return false;
    return true;
}

/* Keeps best/second = the latest-ending holds of two distinct clients. */
static void lo_keep(lo_best *best, lo_best *second, const check_epoch *e) {
    if (best->e && best->e->client == e->client) {
        if (e->hold_end_ns > best->e->hold_end_ns) best->e = e;
        return;
    }
    if (!best->e || e->hold_end_ns > best->e->hold_end_ns) {
        second->e = best->e;
        best->e = e;
        return;
    }
    if (!second->e || e->hold_end_ns > second->e->hold_end_ns) second->e = e;
}

static sim_time min_time(sim_time a, sim_time b) { return a < b ? a : b; }
static sim_time max_time(sim_time a, sim_time b) { return a > b ? a : b; }

/* "c1 believed it held the lock for 15.002 s (0.002 s..15.004 s)": a
 * hold; what = NULL: "c2 for 0.002 s (...)", after the first. */
static void lo_held(const check_input *in, const check_epoch *e, const char *what, char *buf,
                    size_t len) {
    if (what) story_appendf(buf, len, "%s believed it held %s for ", story_node(in->s, e->client), what);
    else story_appendf(buf, len, "%s for ", story_node(in->s, e->client));
    story_appendf(buf, len, "%s (%s..%s)", story_t(e->hold_end_ns - e->acquired_ns).s,
                  story_t(e->acquired_ns).s, story_t(e->hold_end_ns).s);
}

static void lo_line(const check_input *in, const lo_pair *p, char *buf, size_t len) {
    const scn *s = in->s;
    sim_time end = min_time(p->a->hold_end_ns, p->b->hold_end_ns);
    snprintf(buf, len, "%s (epoch %lld) and %s (epoch %lld) both believed they held the lock "
             "from %s to %s (%s); ", story_node(s, p->a->client), (long long)p->a->epoch,
             story_node(s, p->b->client), (long long)p->b->epoch, story_t(p->b->acquired_ns).s,
             story_t(end).s, story_t(end - p->b->acquired_ns).s);
    lo_held(in, p->a, "it", buf, len);
    story_appendf(buf, len, ", ");
    lo_held(in, p->b, NULL, buf, len);
}

static void tell_last_op(story *st, const hist *h, const check_epoch *e, bool still) {
    if (e->last_op == HIST_NONE) return;
    const hist_op *op = &h->ops[e->last_op];
    story_str note = story_clock_note(st->s, op->node, op->invoke_ns, hist_op_local_ns(h, op));
    if (still) {
        story_add(st, op->invoke_ns, "%s issued a %s at %s%s, still acting under epoch %lld",
                  story_node(st->s, op->node), hist_f_name(h, op->f), story_t(op->invoke_ns).s, note.s,
                  (long long)e->epoch);
    } else {
        story_add(st, op->invoke_ns, "%s issued its last %s under epoch %lld at %s%s",
                  story_node(st->s, op->node), hist_f_name(h, op->f), (long long)e->epoch,
                  story_t(op->invoke_ns).s, note.s);
    }
}

static void lo_story(const check_input *in, const lo_pair *p, story_buf *out) {
    const hist *h = in->h;
    const check_epoch *a = p->a, *b = p->b;
    story st;
    story_init(&st, in->s);
    check_story_handover(&st, h, a, b->acquired_ns);   /* first: it precedes b's grant */
    check_story_acquire(&st, h, a);
    check_story_acquire(&st, h, b);
    uint64_t mask = story_bit(a->client) | story_bit(b->client) |
                    check_epoch_lock_nodes(h, a) | check_epoch_lock_nodes(h, b);
    sim_time to = max_time(a->hold_end_ns, b->hold_end_ns);
    story_add_faults(&st, mask, a->asked_ns, to);
    bool a_last = a->hold_end_ns >= b->hold_end_ns;
    tell_last_op(&st, h, b, !a_last);
    tell_last_op(&st, h, a, a_last);
    sim_time end = min_time(a->hold_end_ns, b->hold_end_ns);
    char fence[160] = "";
    if (a->token != 0 && b->token != 0) {
        snprintf(fence, sizeof fence, "; with fencing tokens %lld and %lld the resource can still "
                 "refuse the older one", (long long)a->token, (long long)b->token);
    }
    char held[STORY_CLAUSE_MAX / 2] = "";
    lo_held(in, a, "the lock", held, sizeof held);
    story_appendf(held, sizeof held, " and ");
    lo_held(in, b, NULL, held, sizeof held);
    story_conclude(&st, "so %s; they overlapped for %s, from %s to %s%s", held,
                   story_t(end - b->acquired_ns).s, story_t(b->acquired_ns).s, story_t(end).s, fence);
    story_render(&st, out);
    story_free(&st);
}

static void lo_report(const check_input *in, const lo_pair *told, uint32_t count, check_result *out) {
    char line[CHECK_SUMMARY_MAX];
    lo_line(in, &told[0], line, sizeof line);
    out->informational = told[0].a->token != 0 && told[0].b->token != 0;
    const char *fenced = out->informational ? " (fencing tokens in use: informational)" : "";
    story_appendf(out->summary, sizeof out->summary, "%s%s", line, fenced);
    if (count > 1) story_appendf(out->summary, sizeof out->summary, " (and %" PRIu32 " more)", count - 1);
    story_buf b;
    story_buf_init(&b);
    uint32_t n = count < LO_TOLD_MAX ? count : LO_TOLD_MAX;
    for (uint32_t i = 0; i < n && !in->no_story; i++) {
        if (count > 1) {
            lo_line(in, &told[i], line, sizeof line);
            story_buf_printf(&b, "%soverlap %" PRIu32 " of %" PRIu32 ": %s\n", i ? "\n" : "",
                             i + 1, count, line);
        }
        lo_story(in, &told[i], &b);
    }
    if (count > n) story_buf_printf(&b, "\n(%" PRIu32 " more not told)\n", count - n);
    out->story = in->no_story ? NULL : story_buf_take(&b);
    story_buf_free(&b);
    out->verdict = CHECK_VIOLATION;
    snprintf(out->evidence_label, sizeof out->evidence_label, "both held the lock");   /* timeline */
    if (told[0].b->acquire_op != HIST_NONE) out->evidence_ops[out->evidence_count++] = told[0].b->acquire_op;
    if (told[0].a->acquire_op != HIST_NONE) out->evidence_ops[out->evidence_count++] = told[0].a->acquire_op;
}

static void check_run_lease_overlap(const check_input *in, check_result *out) {
    SIM_ASSERT(in != NULL);
    SIM_ASSERT(in->h != NULL);
    check_result_start(out, "lease-overlap");
    check_epochs own;
    const check_epochs *ep = check_epochs_of(in, &own);
    const check_epoch **order = sim_xcalloc(ep->count, sizeof *order);
    uint32_t n = 0;
    for (uint32_t i = 0; i < ep->count; i++) {
        if (ep->items[i].acquire_op != HIST_NONE) order[n++] = &ep->items[i];
    }
    if (!sorted_by_acquisition(order, n)) qsort(order, n, sizeof *order, epoch_ptr_cmp);
    lo_best best = { NULL }, second = { NULL };
    lo_pair told[LO_TOLD_MAX];
    uint32_t count = 0;
    for (uint32_t i = 0; i < n; i++) {
        const check_epoch *b = order[i];
        const check_epoch *a = (best.e && best.e->client != b->client) ? best.e : second.e;
        if (a && b->acquired_ns <= a->hold_end_ns) {
            if (count < LO_TOLD_MAX) told[count] = (lo_pair){ a, b };
            count++;
        }
        lo_keep(&best, &second, b);
    }
    if (count > 0) {
        lo_report(in, told, count, out);
    } else {
        snprintf(out->summary, sizeof out->summary,
                 "no two clients held the lock at once: %" PRIu32 " acquisitions", n);
    }
    free(order);
    check_epochs_free(&own);
}

/* The check's entry in the registry (sim/check/check.c). */
const check_desc check_lease_overlap = {
    .name = "lease-overlap",
    .summary = "two clients believed they held the lock at the same true time",
    .run = check_run_lease_overlap,
    .workloads = { "lock-counter" },
};
