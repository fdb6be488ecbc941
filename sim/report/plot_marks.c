/* plot_marks.c -- effects drawn as marks on the lane of the node where they
 * happened: what the resource applied, what a 2PC participant voted and
 * did, what a saga's services did.
 *
 * Each kind's mark (its shape and the function that writes its short
 * label) is declared by the family that records it, in its hist_kind_def
 * (sim/hist.h); a kind with no mark is not drawn here.  The picture's
 * grammar (docs/timelines.md) then decides: the shape says what happened,
 * one shape per meaning across families (the table below; a kind not in it
 * keeps its declared shape), and the colour says who, the colour of the
 * client the effect is for (grey when none), never a status.  Effects of
 * an operation a check named as evidence get a red ring and a red label.  Intervals (a lock held, a window blocked)
 * are not marks: see plot_timeline.c.
 *
 * Invariant: effects are visited in history order, so the marks (and which
 * labels win a crowded spot) are the same for the same run.  Trade-off: a
 * run with more than PLOT_MARKS_MAX effects shows only the evidence's, and
 * one with more than PLOT_MARK_LABELS_MAX labels only the evidence's: the
 * rest would be one smear at this scale.
 */
#include "sim/report/plot_int.h"

#include <stdio.h>
#include <string.h>

#include "protocols/db/db_client.h"

#define PLOT_MARKS_MAX 20000
#define PLOT_MARK_LABELS_MAX 60   /* more labelled marks than this: only the evidence is labelled */

static const char *who(const plot_tl *t, int32_t node) {
    return node >= 0 && (uint32_t)node < t->s->node_count ? t->s->nodes[node].name : "?";
}

/* The kind's declaration when it is drawn as a mark, else NULL. */
static const hist_kind_def *mark_of(const plot_tl *t, hist_eff_kind k) {
    const hist_kind_def *d = t->h->vocab->effect_find(k);
    SIM_ASSERT(d != NULL);                 /* every kind recorded is in the vocabulary */
    return d->mark != HIST_MARK_NONE ? d : NULL;
}

static plot_block block_of(hist_mark_shape m) {
    switch (m) {
    case HIST_MARK_DOT: return PB_DOT;
    case HIST_MARK_SQUARE: return PB_SQUARE;
    case HIST_MARK_CROSS: return PB_CROSS;
    case HIST_MARK_TRI: return PB_TRI;
    case HIST_MARK_DIAMOND: return PB_DIAMOND;
    case HIST_MARK_NONE: break;
    }
    SIM_UNREACHABLE("a mark shape");
}

/* Shape = what, across families: each kind of effect the library records
 * by the meaning its mark has in every picture. */
static const struct { const char *kind; plot_block shape; } grammar[] = {
    { "read", PB_DOT }, { "db-read", PB_DOT }, { "cache-hit", PB_DOT }, { "cache-miss", PB_DOT },
    { "write", PB_SQUARE }, { "cache-set", PB_SQUARE }, { "saga-step", PB_SQUARE },
    { "reg-store", PB_SQUARE },
    { "saga-comp", PB_OSQUARE }, { "cache-del", PB_OSQUARE }, { "cache-expire", PB_OSQUARE },
    { "cache-flush", PB_OSQUARE },
    { "reject", PB_CROSS }, { "saga-refuse", PB_CROSS }, { "cache-set-refused", PB_CROSS },
    { "reg-refuse", PB_CROSS }, { "reg-discard", PB_CROSS }, { "txn-abort", PB_CROSS },
    { "retry", PB_PLUS },
    { "txn-commit", PB_TRI }, { "db-commit", PB_TRI },
    { "db-error", PB_TRI_DOWN },
    { "txn-begin", PB_DIAMOND }, { "txn-vote", PB_DIAMOND }, { "txn-decide", PB_DIAMOND },
    { "saga-begin", PB_DIAMOND }, { "saga-end", PB_DIAMOND }, { "reg-siblings", PB_DIAMOND },
};

static plot_block shape_of(const hist_kind_def *k) {
    SIM_ASSERT(k->mark != HIST_MARK_NONE);
    for (size_t i = 0; i < sizeof grammar / sizeof grammar[0]; i++)
        if (k->name && strcmp(k->name, grammar[i].kind) == 0) return grammar[i].shape;
    return block_of(k->mark);
}

static bool is_evidence(const plot_tl *t, uint32_t i) {
    SIM_ASSERT(t->evidence != NULL);            /* mark_evidence ran before the marks */
    SIM_ASSERT(t->red_effect != NULL);          /* and plot_build_sagas */
    const hist_effect *e = &t->h->effects[i];
    if (t->red_effect[i]) return true;
    return e->op != HIST_NONE && e->op < t->h->op_count && t->evidence[e->op];
}

void plot_build_marks(plot_tl *t) {
    SIM_ASSERT(t != NULL);
    SIM_ASSERT(t->h != NULL);
    bool all = t->h->effect_count <= PLOT_MARKS_MAX;
    uint32_t labelled = 0;
    for (uint32_t i = 0; i < t->h->effect_count; i++) {
        const hist_kind_def *k = mark_of(t, t->h->effects[i].kind);
        labelled += k && k->label;
    }
    bool labels = labelled <= PLOT_MARK_LABELS_MAX;
    for (uint32_t i = 0; i < t->h->effect_count; i++) {
        const hist_effect *e = &t->h->effects[i];
        const hist_kind_def *k = mark_of(t, e->kind);
        if (!k || e->node < 0 || (uint32_t)e->node >= t->s->node_count) continue;
        SIM_ASSERT(k->mark != HIST_MARK_NONE);  /* mark_of returns drawn kinds only */
        bool red = is_evidence(t, i);
        if (!all && !red) continue;
        uint32_t rgb = e->client >= 0 && (uint32_t)e->client < t->s->node_count ? t->rgb[e->client]
                                                                                 : PLOT_GREY;
        int32_t y = plot_lane_y(t, e->node) + PLOT_OPS_Y;
        plot_mark(t, shape_of(k), e->t_ns, y, rgb);
        if (red) plot_mark(t, PB_RED_MARK, e->t_ns, y, PLOT_RED);
        if (!k->label || (!labels && !red)) continue;
        if (!plot_label_room(t, e->node, t->red_effect[i] != 0)) continue;   /* no text to make */
        char text[PLOT_TEXT_MAX];
        bool named = plot_saga_label(t, i, text, sizeof text);
        if (!named && strcmp(k->name, "db-error") == 0 && e->key)   /* the user's words, not "40001" */
            snprintf(text, sizeof text, "%s", dbc_code_text(e->key));
        else if (!named) {
            hist_effect_fields f = hist_effect_get(t->h, e);
            k->label(&f, who(t, e->client), text, sizeof text);
        }
        plot_label(t, e->node, e->t_ns, PLOT_ROW_MARK, red ? PLOT_RED : 0x333333u, t->red_effect[i] != 0,
                   "%s", text);
    }
}
