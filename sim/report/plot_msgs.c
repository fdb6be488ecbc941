/* plot_msgs.c -- the run's messages: logged while it runs (the engine's
 * sim_options.on_message), drawn as arrows from the sender's lane at the
 * send to the receiver's lane at the arrival.
 *
 * A lost message (or one sent on a link that was down) is a short arrow
 * that stops a quarter of the way with an X; one dropped where it arrived
 * (link down meanwhile, node crashed) ends in an X.  When there are more
 * than PLOT_ARROWS_MAX, only the PLOT_ARROWS_MAX sent closest to the first
 * violation's evidence are drawn (or the first ones, when nothing was
 * violated), and the note under the title says so.
 *
 * Invariant: the log keeps notes in the order the engine made them (event
 * order), so it is the same for the same run.  Trade-off: at most
 * PLOT_MSGS_MAX messages are kept (32 bytes each); later ones are only
 * counted, and a violation after that point gets no arrows.
 */
#include "sim/report/plot_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void plot_msgs_init(plot_msgs *m) {
    SIM_ASSERT(m != NULL);
    memset(m, 0, sizeof *m);
}

void plot_msgs_free(plot_msgs *m) {
    if (!m) return;
    SIM_ASSERT(m->count <= m->cap);
    SIM_ASSERT(m->count <= m->total);           /* every kept message was counted */
    free(m->items);
    memset(m, 0, sizeof *m);
}

/* A drop on arrival marks the latest matching copy; only the last
 * DROP_SCAN_MAX sent are searched (copies in flight at once are fewer). */
static void note_drop(plot_msgs *m, const sim_msg_note *n) {
    enum { DROP_SCAN_MAX = 1 << 16 };
    SIM_ASSERT(n->dropped);
    SIM_ASSERT(n->sent_ns == SIM_TIME_NEVER);   /* sim.h: a drop note carries no send time */
    uint32_t stop = m->count > DROP_SCAN_MAX ? m->count - DROP_SCAN_MAX : 0;
    for (uint32_t i = m->count; i-- > stop;) {
        plot_msg *x = &m->items[i];
        if (x->from == n->from && x->to == n->to && x->arrive_ns == n->arrive_ns && !x->dropped) {
            x->dropped = true;
            return;
        }
    }
}

void plot_msgs_note(void *ctx, const sim_msg_note *n) {
    plot_msgs *m = ctx;
    SIM_ASSERT(m != NULL);
    SIM_ASSERT(n != NULL);
    if (n->dropped) { note_drop(m, n); return; }
    m->total++;
    if (m->count == PLOT_MSGS_MAX) return;
    if (m->count == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 256;
        m->items = sim_xrealloc(m->items, m->cap * sizeof *m->items);
    }
    SIM_ASSERT(n->arrive_ns == SIM_TIME_NEVER || n->arrive_ns >= n->sent_ns);
    m->items[m->count++] = (plot_msg){ n->from, n->to, n->sent_ns, n->arrive_ns, false };
}

/* ------------------------------------------------------------- drawing */

/* When the first violation happened: its offending op's completion. */
static sim_time focus_time(const plot_tl *t) {
    sim_time best = SIM_TIME_NEVER;
    SIM_ASSERT(t->run != NULL);
    SIM_ASSERT(t->h != NULL);
    for (size_t i = 0; i < t->run->result_count; i++) {
        const check_result *c = &t->run->results[i];
        if (c->verdict != CHECK_VIOLATION || c->evidence_count == 0) continue;
        if (c->evidence_ops[0] >= t->h->op_count) continue;
        const hist_op *op = &t->h->ops[c->evidence_ops[0]];
        sim_time at = op->result == HIST_PENDING ? op->invoke_ns : op->complete_ns;
        if (at < best) best = at;
    }
    return best;
}

static sim_time distance(sim_time a, sim_time b) { return a > b ? a - b : b - a; }

/* The first index of the window of `want` messages closest to `at`. */
static uint32_t window_start(const plot_msgs *m, sim_time at, uint32_t want) {
    uint32_t lo = 0, hi = want;                  /* [lo, hi): slide while it gets closer */
    SIM_ASSERT(want > 0);
    SIM_ASSERT(want <= m->count);
    while (hi < m->count &&
           distance(m->items[hi].sent_ns, at) < distance(m->items[lo].sent_ns, at)) {
        lo++;
        hi++;
    }
    SIM_ASSERT(lo + want <= m->count);          /* the window lies inside the log */
    return lo;
}

static void draw_one(plot_tl *t, const plot_msg *x) {
    SIM_ASSERT(x->sent_ns != SIM_TIME_NEVER);   /* only send notes are kept */
    SIM_ASSERT(x->arrive_ns == SIM_TIME_NEVER || x->arrive_ns >= x->sent_ns);
    int32_t y1 = plot_lane_y(t, x->from), y2 = plot_lane_y(t, x->to);
    if (x->arrive_ns == SIM_TIME_NEVER) {                    /* lost at send */
        sim_time stop = x->sent_ns + t->min_w;
        int32_t ym = y1 + (y2 - y1) / 4;
        plot_add(t, PB_ARROW, x->sent_ns, stop, y1, ym, PLOT_LIGHT, NULL);
        plot_mark(t, PB_CROSS, stop, ym, PLOT_LIGHT);
        return;
    }
    if (x->arrive_ns > t->end) return;                      /* still in flight at the end */
    plot_add(t, PB_ARROW, x->sent_ns, x->arrive_ns, y1, y2, x->dropped ? PLOT_LIGHT : 0x7a7a7au, NULL);
    if (x->dropped) plot_mark(t, PB_CROSS, x->arrive_ns, y2, PLOT_LIGHT);
}

void plot_build_arrows(plot_tl *t, const plot_msgs *m) {
    SIM_ASSERT(t != NULL);
    if (!m || m->count == 0) return;
    uint32_t from = 0, n = m->count;
    if (m->count > PLOT_ARROWS_MAX) {
        sim_time at = focus_time(t);
        size_t used = strlen(t->note);
        if (at == SIM_TIME_NEVER) {            /* a smear at this scale, and nothing to centre on */
            snprintf(t->note + used, sizeof t->note - used, "%s%llu messages: too many to draw as "
                     "arrows (trace.log has them)", used ? "; " : "", (unsigned long long)m->total);
            return;
        }
        n = PLOT_ARROWS_MAX;
        from = window_start(m, at, n);
        char a[32], b[32];
        plot_fmt_span(a, sizeof a, m->items[from].sent_ns);
        plot_fmt_span(b, sizeof b, m->items[from + n - 1].sent_ns);
        snprintf(t->note + used, sizeof t->note - used, "%sarrows: %u of %llu messages, those sent "
                 "%s..%s, around the first violation", used ? "; " : "", n,
                 (unsigned long long)m->total, a, b);
    }
    SIM_ASSERT(from + n <= m->count);
    for (uint32_t i = from; i < from + n; i++) draw_one(t, &m->items[i]);
    t->legend |= PL_MSG;
}
