/* es_stale_projection.c -- `stale-projection`: no read of the balance shows
 * an account at a version older than the newest the store had appended
 * when the read began, and for how long the read model lagged the store
 * (CQRS, docs/protocols/event-sourcing.md).
 *
 * Evidence: the users' VIEW ops; the effect that answered each (the
 * projector's VIEW or the store's STREAM_READ, with op = the view's id and
 * version = the stream version shown); the store's APPEND effects; the
 * projector's PROJECT effects.  A view is stale when the version shown is
 * below the newest appended before it began; it missed the user's own
 * write when one of the missed events is that user's.  How stale: from
 * the append of the first missed event to the projector's first apply of
 * it (to the horizon if it never applied it).
 * VIOLATION when a view is stale.
 * Invariant: effects are in true-time order.  Trade-off: O(views x
 * effects), a run has tens of views.
 */
#include "sim/check/check_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "protocols/eventstore/eventstore.h"

typedef struct sp_view {
    uint32_t op;
    int64_t shown, newest;       /* the version shown, the newest appended when it began */
    uint32_t missed_append;      /* the APPEND effect of version shown + 1 */
    sim_time lag;                /* that append to the projector's apply of it */
    bool own;                    /* a missed event was the user's own */
} sp_view;

typedef struct sp_scan {
    uint32_t total, stale, own;
    sp_view worst;               /* the stale view with the longest lag; worst.op == HIST_NONE: none */
    sim_time slowest;            /* the longest view (invoke to completion) */
    uint32_t evidence[CHECK_EVIDENCE_MAX];
} sp_scan;

/* The effect that answered view op o, HIST_NONE if none. */
static uint32_t answer_of(const hist *h, uint32_t o) {
    uint32_t found = HIST_NONE;
    for (uint32_t k = 0; k < h->effect_count; k++) {
        const hist_effect *x = &h->effects[k];
        if (x->op == o && (x->kind == ES_EFF_VIEW || x->kind == ES_EFF_STREAM_READ)) found = k;
    }
    return found;
}

/* Looks at the appends to `key` before t: the newest version, the append
 * of version shown + 1, whether a missed one was node's. */
static void appends_before(const hist *h, const char *key, sim_time t, int32_t node, sp_view *v) {
    v->newest = 0;
    v->missed_append = HIST_NONE;
    v->own = false;
    for (uint32_t k = 0; k < h->effect_count && h->effects[k].t_ns <= t; k++) {
        const hist_effect *x = &h->effects[k];
        if (x->kind != ES_EFF_APPEND || strcmp(x->key, key) != 0) continue;
        if (hist_effect_version(h, x) > v->newest) v->newest = hist_effect_version(h, x);
        if (hist_effect_version(h, x) == v->shown + 1) v->missed_append = k;
        if (hist_effect_version(h, x) > v->shown && x->client == node) v->own = true;
    }
}

/* From the append of version `version` of key to the projector's first apply of it. */
static sim_time apply_lag(const hist *h, const char *key, int64_t version, sim_time appended, sim_time horizon) {
    for (uint32_t k = 0; k < h->effect_count; k++) {
        const hist_effect *x = &h->effects[k];
        if (x->kind == ES_EFF_PROJECT && hist_effect_version(h, x) >= version && x->t_ns >= appended && strcmp(x->key, key) == 0)
            return x->t_ns - appended;
    }
    return horizon > appended ? horizon - appended : 0;
}

static sp_scan scan(const hist *h, sim_time horizon) {
    sp_scan sc;
    memset(&sc, 0, sizeof sc);
    sc.worst.op = HIST_NONE;
    for (uint32_t o = 0; o < h->op_count; o++) {
        const hist_op *op = &h->ops[o];
        if (op->f != ES_F_VIEW || op->result != HIST_OK) continue;
        uint32_t a = answer_of(h, o);
        if (a == HIST_NONE) continue;
        sc.total++;
        if (op->complete_ns - op->invoke_ns > sc.slowest) sc.slowest = op->complete_ns - op->invoke_ns;
        sp_view v = { .op = o, .shown = hist_effect_version(h, &h->effects[a]) };
        appends_before(h, op->key, op->invoke_ns, op->node, &v);
        if (v.shown >= v.newest || v.missed_append == HIST_NONE) continue;
        const hist_effect *m = &h->effects[v.missed_append];
        v.lag = apply_lag(h, op->key, v.shown + 1, m->t_ns, horizon);
        if (sc.stale < CHECK_EVIDENCE_MAX) sc.evidence[sc.stale] = o;
        sc.stale++;
        sc.own += v.own;
        if (sc.worst.op == HIST_NONE || v.lag > sc.worst.lag) sc.worst = v;
    }
    return sc;
}

static void tell(const check_input *in, const sp_scan *sc, check_result *out) {
    const hist *h = in->h;
    const sp_view *w = &sc->worst;
    const hist_op *op = &h->ops[w->op];
    const hist_effect *m = &h->effects[w->missed_append];
    story st;
    story_init(&st, in->s);
    story_add(&st, m->t_ns, "%s appended %+" PRId64 " to %s as version %" PRId64 " at %s",
              story_node(in->s, m->client), m->value, m->key, hist_effect_version(h, m), story_t(m->t_ns).s);
    uint32_t a = answer_of(h, w->op);
    const hist_effect *x = &h->effects[a];
    uint32_t last = HIST_NONE;
    for (uint32_t k = 0; k < h->effect_count && h->effects[k].t_ns <= op->invoke_ns; k++)
        if (h->effects[k].kind == ES_EFF_PROJECT) last = k;
    if (last != HIST_NONE && h->effects[last].t_ns < m->t_ns)
        story_add(&st, h->effects[last].t_ns, "%s had last applied an event (position %" PRId64 ") at %s",
                  story_node(in->s, h->effects[last].node), h->effects[last].aux, story_t(h->effects[last].t_ns).s);
    story_add(&st, op->invoke_ns, "%s read the balance of %s at %s and was shown %" PRId64 " (version %" PRId64
              ", the read model at position %" PRId64 "), while the store had version %" PRId64 "%s",
              story_node(in->s, op->node), op->key, story_t(op->invoke_ns).s, op->value_out, w->shown, x->aux,
              w->newest, w->own ? ", with the user's own withdrawal" : "");
    sim_time from = last != HIST_NONE && h->effects[last].t_ns < m->t_ns ? h->effects[last].t_ns : m->t_ns;
    story_add_faults(&st, story_bit(x->node) | story_bit(op->node) | story_bit(m->node), from, m->t_ns + w->lag);
    if (sc->stale > 1) story_add(&st, op->invoke_ns, "%u views in all were stale", sc->stale);
    story_conclude(&st, "so the read model lagged the store by %s: the projector applied version %" PRId64
                   " of %s %s after its append", story_t(w->lag).s, w->shown + 1, op->key, story_t(w->lag).s);
    story_buf sb;
    story_buf_init(&sb);
    story_render(&st, &sb);
    out->story = story_buf_take(&sb);
    story_free(&st);
}

static void check_run_es_stale_projection(const check_input *in, check_result *out) {
    SIM_ASSERT(in != NULL && in->h != NULL);
    check_result_start(out, "stale-projection");
    sp_scan sc = scan(in->h, check_horizon(in));
    if (sc.stale == 0) {
        snprintf(out->summary, sizeof out->summary, "%u views, none stale; the slowest took %s", sc.total,
                 story_t(sc.slowest).s);
        return;
    }
    const hist_op *op = &in->h->ops[sc.worst.op];
    out->verdict = CHECK_VIOLATION;
    snprintf(out->summary, sizeof out->summary, "%u of %u views stale (%u missed the user's own withdrawal); "
             "%s showed %s at version %" PRId64 " of %" PRId64 ", the read model %s behind the store",
             sc.stale, sc.total, sc.own, story_node(in->s, op->node), op->key, sc.worst.shown, sc.worst.newest,
             story_t(sc.worst.lag).s);
    out->evidence_count = sc.stale < CHECK_EVIDENCE_MAX ? sc.stale : CHECK_EVIDENCE_MAX;
    memcpy(out->evidence_ops, sc.evidence, sizeof sc.evidence);
    snprintf(out->evidence_label, sizeof out->evidence_label, "stale view");
    if (!in->no_story) tell(in, &sc, out);
}

/* The check's entry in the registry (sim/check/check.c). */
const check_desc check_es_stale_projection = {
    .name = "stale-projection",
    .summary = "a read of the read model showed a version older than the store's when it began; how far it lagged",
    .run = check_run_es_stale_projection,
    .protocols = { "event-sourcing" },
};
