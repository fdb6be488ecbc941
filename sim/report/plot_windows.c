/* plot_windows.c -- 2PC participants' in-doubt windows on the timeline.
 *
 * A participant that voted YES (TXN_VOTE, value 1) is in doubt on that
 * transaction until it commits or aborts it (TXN_COMMIT / TXN_ABORT of
 * the same node and key): it holds its locks and cannot decide alone.
 * That window is a band in the coordinator's colour (the transaction's
 * "who") in the lane's top row, labelled "in doubt on tm:1 (60 s)".  A
 * crash of the participant cuts the band (the node is down, shaded by
 * plot_faults.c); after its restart the PREPARED record in its log makes
 * it in doubt again, until it learns the outcome, and that part is
 * labelled "in doubt after restart (prepared in its log)".  The amber
 * blocked window under it (plot_timeline.c) is the part after the decision
 * timeout, when it asks.
 *
 * Invariant: votes are visited in history order and each window's end is
 * the first outcome of its node and key after the vote, so the same run
 * gives the same bands.  Trade-off: the outcome is found by a scan ahead
 * per vote, O(votes x effects): runs with more than WINDOWS_MAX votes get
 * no bands (at that density they would be one smear).
 */
#include "sim/report/plot_mech.h"

#include <string.h>

#include "protocols/txn/txn_api.h"

#define WINDOWS_MAX 512

/* The first outcome of the vote's node and key after it, or the end. */
static sim_time outcome_after(const plot_tl *t, uint32_t vote) {
    const hist_effect *v = &t->h->effects[vote];
    for (uint32_t i = vote + 1; i < t->h->effect_count; i++) {
        const hist_effect *e = &t->h->effects[i];
        if (e->kind != HIST_EFF_TXN_COMMIT && e->kind != HIST_EFF_TXN_ABORT) continue;
        if (e->node == v->node && strcmp(e->key, v->key) == 0) return e->t_ns;
    }
    return t->end;
}

static void band(plot_tl *t, const hist_effect *v, sim_time from, sim_time to, bool again) {
    SIM_ASSERT(to >= from);
    int32_t y = plot_lane_y(t, v->node);
    uint32_t rgb = v->client >= 0 && (uint32_t)v->client < t->s->node_count ? t->rgb[v->client]
                                                                           : PLOT_GREY;
    plot_box(t, PB_HELD, from, to, y + PLOT_TOP_LO, y + PLOT_TOP_HI, rgb);
    t->legend |= PL_INDOUBT;
    char d[32];
    plot_fmt_short(d, sizeof d, to - from);
    if (again)
        plot_label(t, v->node, from, PLOT_ROW_TOP, rgb, false, "in doubt after restart: %s (prepared in its log)", d);
    else
        plot_label(t, v->node, from, PLOT_ROW_TOP, rgb, false, "in doubt on %s: %s%s", v->key, d,
                   to >= t->end ? " (still at the end)" : "");
}

/* The window [from, to) of a vote, cut by the node's crashes. */
static void window(plot_tl *t, const hist_effect *v, sim_time to) {
    sim_time from = v->t_ns;
    bool again = false;
    for (uint32_t i = 0; i < t->s->fault_count && from < to; i++) {
        const scn_fault *f = &t->s->faults[i];
        if (!scn_fault_crashes(f->kind) || f->node != v->node || f->at_ns < from || f->at_ns >= to)
            continue;
        band(t, v, from, f->at_ns, again);
        sim_time up = plot_restart_after(t->s, i);
        if (up == SIM_TIME_NEVER || up >= to) return;       /* down to the end, or decided meanwhile */
        from = up;
        again = true;
    }
    if (from < to) band(t, v, from, to, again);
}

void plot_build_in_doubt(plot_tl *t) {
    SIM_ASSERT(t != NULL);
    SIM_ASSERT(t->h != NULL);
    uint32_t votes = 0;
    for (uint32_t i = 0; i < t->h->effect_count; i++)
        votes += t->h->effects[i].kind == HIST_EFF_TXN_VOTE && t->h->effects[i].value == 1;
    if (votes == 0 || votes > WINDOWS_MAX) return;
    for (uint32_t i = 0; i < t->h->effect_count; i++) {
        const hist_effect *v = &t->h->effects[i];
        if (v->kind != HIST_EFF_TXN_VOTE || v->value != 1 || v->node < 0 ||
            (uint32_t)v->node >= t->s->node_count)
            continue;
        window(t, v, outcome_after(t, i));
    }
}
