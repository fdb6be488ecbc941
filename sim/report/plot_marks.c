/* plot_marks.c -- effects drawn as marks on the lane of the node where they
 * happened: what the resource applied, what a 2PC participant voted and
 * did, what a saga's services did.  One row of `kinds` per effect kind.
 *
 * Adding a kind (a new protocol family's effects, hist.h): append a row
 * with the mark's shape, its colour (0 = the colour of the client it is
 * for) and a function that writes its short label, or NULL for none.
 * Effects of an operation a check named as evidence are drawn in red.
 * Intervals (a lock held, a window blocked) are not marks: see
 * plot_timeline.c.
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

#define PLOT_MARKS_MAX 20000
#define PLOT_MARK_LABELS_MAX 60   /* more labelled marks than this: only the evidence is labelled */

typedef void (*mark_label_fn)(const plot_tl *t, const hist_effect *e, char *buf, size_t len);

typedef struct mark_kind {
    hist_eff_kind kind;
    plot_block shape;
    uint32_t rgb;                /* 0: the colour of the client the effect is for */
    mark_label_fn label;         /* NULL: no label */
} mark_kind;

static const char *who(const plot_tl *t, int32_t node) {
    return node >= 0 && (uint32_t)node < t->s->node_count ? t->s->nodes[node].name : "?";
}

static void lb_read(const plot_tl *t, const hist_effect *e, char *b, size_t n) {
    snprintf(b, n, "%s read %lld", who(t, e->client), (long long)e->value);
}
static void lb_write(const plot_tl *t, const hist_effect *e, char *b, size_t n) {
    if (e->epoch != 0) snprintf(b, n, "%s wrote %lld (epoch %lld)", who(t, e->client),
                                (long long)e->value, (long long)e->epoch);
    else snprintf(b, n, "%s wrote %lld", who(t, e->client), (long long)e->value);
}
static void lb_reject(const plot_tl *t, const hist_effect *e, char *b, size_t n) {
    snprintf(b, n, "refused %s's token %lld", who(t, e->client), (long long)e->token);
}
static void lb_vote(const plot_tl *t, const hist_effect *e, char *b, size_t n) {
    (void)t;
    snprintf(b, n, "votes %s", e->value ? "yes" : "no");
}
static void lb_decide(const plot_tl *t, const hist_effect *e, char *b, size_t n) {
    (void)t;
    snprintf(b, n, "decides %s%s", e->value ? "commit" : "abort", e->aux ? " (recovery)" : "");
}
static void lb_commit(const plot_tl *t, const hist_effect *e, char *b, size_t n) {
    (void)t;
    snprintf(b, n, "%s%s", e->aux == 1 ? "heuristic " : "", "commit");
}
static void lb_abort(const plot_tl *t, const hist_effect *e, char *b, size_t n) {
    (void)t;
    snprintf(b, n, "%s%s", e->aux == 1 ? "heuristic " : "", "abort");
}
static void lb_step(const plot_tl *t, const hist_effect *e, char *b, size_t n) {
    (void)t;
    snprintf(b, n, "step %lld", (long long)e->value);
}
static void lb_comp(const plot_tl *t, const hist_effect *e, char *b, size_t n) {
    (void)t;
    snprintf(b, n, "undo step %lld", (long long)e->value);
}
static void lb_refuse(const plot_tl *t, const hist_effect *e, char *b, size_t n) {
    (void)t;
    snprintf(b, n, "refuses step %lld", (long long)e->value);
}
static void lb_saga_end(const plot_tl *t, const hist_effect *e, char *b, size_t n) {
    (void)t;
    snprintf(b, n, "%s %s", e->key, e->value == 1 ? "completed" : e->value == 2 ? "compensated"
                                                                                   : "gave up");
}
static void lb_key(const plot_tl *t, const hist_effect *e, char *b, size_t n) {
    (void)t;
    snprintf(b, n, "%s", e->key);
}
static void lb_retry(const plot_tl *t, const hist_effect *e, char *b, size_t n) {
    (void)t;
    snprintf(b, n, "retry %lld", (long long)e->value);
}

static const mark_kind kinds[] = {
    { HIST_EFF_READ, PB_DOT, 0, lb_read },
    { HIST_EFF_WRITE, PB_SQUARE, 0, lb_write },
    { HIST_EFF_REJECT, PB_CROSS, 0xe07000u, lb_reject },
    { HIST_EFF_TXN_BEGIN, PB_DIAMOND, PLOT_GREY, lb_key },
    { HIST_EFF_TXN_VOTE, PB_DIAMOND, 0x3a7d44u, lb_vote },
    { HIST_EFF_TXN_DECIDE, PB_DIAMOND, 0x1d3557u, lb_decide },
    { HIST_EFF_TXN_COMMIT, PB_TRI, 0x2a7f2au, lb_commit },
    { HIST_EFF_TXN_ABORT, PB_CROSS, 0x9d0208u, lb_abort },
    { HIST_EFF_SAGA_BEGIN, PB_DIAMOND, PLOT_GREY, lb_key },
    { HIST_EFF_SAGA_STEP, PB_SQUARE, 0, lb_step },
    { HIST_EFF_SAGA_COMP, PB_TRI, 0x9d4edd, lb_comp },
    { HIST_EFF_SAGA_REFUSE, PB_CROSS, 0xe07000u, lb_refuse },
    { HIST_EFF_SAGA_END, PB_DIAMOND, PLOT_GREY, lb_saga_end },
    { HIST_EFF_DB_ERROR, PB_CROSS, 0x9d0208u, lb_key },
    { HIST_EFF_RETRY, PB_DOT, PLOT_LIGHT, lb_retry },
};

static const mark_kind *kind_of(hist_eff_kind k) {
    SIM_ASSERT((unsigned)k < HIST_EFF_COUNT);
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (kinds[i].kind == k) return &kinds[i];
    return NULL;
}

static bool is_evidence(const plot_tl *t, const hist_effect *e) {
    SIM_ASSERT(t->evidence != NULL);            /* mark_evidence ran before the marks */
    return e->op != HIST_NONE && e->op < t->h->op_count && t->evidence[e->op];
}

void plot_build_marks(plot_tl *t) {
    SIM_ASSERT(t != NULL);
    SIM_ASSERT(t->h != NULL);
    bool all = t->h->effect_count <= PLOT_MARKS_MAX;
    uint32_t labelled = 0;
    for (uint32_t i = 0; i < t->h->effect_count; i++) {
        const mark_kind *k = kind_of(t->h->effects[i].kind);
        labelled += k && k->label;
    }
    bool labels = labelled <= PLOT_MARK_LABELS_MAX;
    for (uint32_t i = 0; i < t->h->effect_count; i++) {
        const hist_effect *e = &t->h->effects[i];
        const mark_kind *k = kind_of(e->kind);
        if (!k || e->node < 0 || (uint32_t)e->node >= t->s->node_count) continue;
        SIM_ASSERT(k->shape >= PB_DOT);         /* the table's shapes are marks */
        SIM_ASSERT(k->shape < PB_RED_MARK);
        bool red = is_evidence(t, e);
        if (!all && !red) continue;
        uint32_t rgb = k->rgb ? k->rgb
                       : e->client >= 0 && (uint32_t)e->client < t->s->node_count ? t->rgb[e->client]
                                                                                  : PLOT_GREY;
        int32_t y = plot_lane_y(t, e->node) + PLOT_OPS_Y;
        plot_mark(t, k->shape, e->t_ns, y, rgb);
        if (red) plot_mark(t, PB_RED_MARK, e->t_ns, y, PLOT_RED);
        if (!k->label || (!labels && !red)) continue;
        char text[PLOT_TEXT_MAX];
        k->label(t, e, text, sizeof text);
        plot_label(t, e->node, e->t_ns, PLOT_ROW_MARK, red ? PLOT_RED : 0x333333u, false, "%s", text);
    }
}
