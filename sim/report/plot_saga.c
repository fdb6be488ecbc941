/* plot_saga.c -- what a saga picture shows besides its marks: each step by
 * its name ("T2 reserveFunds", "C2 releaseFunds"), the window each saga was
 * half done (a band on its orchestrator's lane, from its begin to its end),
 * and, when the saga check failed, the evidence in red: a step or a
 * compensation that took effect twice, a step that took effect after its
 * compensation, a state written blindly over a final one (APPROVED over
 * CANCELLED), a saga left half done.
 *
 * The history records a step by its number, not its command, so the names
 * come from the plans the saga workloads build (sim/workload/order_saga.c
 * create_def / cancel_def; protocols/saga/saga.c for `transfer`), told
 * apart by the workload and the begin effect's step count and pivot; a
 * plan not recognised keeps the numbers ("T2", "C2").
 *
 * Invariant: effects are visited in history order and sagas are kept in
 * the order they began, so the same run draws the same picture.
 */
#include "sim/report/plot_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/saga/saga.h"

#define SAGAS_DRAWN_MAX 64       /* half-done bands drawn; more would be a smear */

typedef enum { PLAN_UNKNOWN = 0, PLAN_CREATE_SEAT, PLAN_CREATE, PLAN_CANCEL, PLAN_TRANSFER } plan_kind;

typedef struct saga_seen {
    const char *key;             /* "s:1", the history's string */
    int32_t node;                /* the orchestrator */
    plan_kind plan;
    sim_time from, to;           /* begin .. end, or NEVER */
    int64_t how;                 /* the end: 1 completed, 2 compensated, 3 gave up, 0 none */
} saga_seen;

static plan_kind plan_of(const plot_tl *t, const hist_effect *b) {
    SIM_ASSERT(b->kind == HIST_EFF_SAGA_BEGIN);
    if (strcmp(t->s->workload_kind, "transfer") == 0) return PLAN_TRANSFER;
    if (strcmp(t->s->workload_kind, "order-saga") != 0) return PLAN_UNKNOWN;
    int64_t pivot = hist_effect_token(t->h, b);
    if (pivot == 1) return PLAN_CANCEL;                     /* pivot T1 */
    if (b->value == 4 && pivot == 3) return PLAN_CREATE_SEAT;
    if (b->value == 3 && pivot == 2) return PLAN_CREATE;
    return PLAN_UNKNOWN;
}

/* The command of step `step` (1-based), or its compensation. */
static const char *step_name(plan_kind plan, int64_t step, bool comp) {
    static const uint8_t cmds[][SAGA_STEPS_MAX][2] = {
        [PLAN_CREATE_SEAT] = { { SAGA_CMD_CREATE_ORDER, SAGA_CMD_REJECT_ORDER },
                               { SAGA_CMD_RESERVE_FUNDS, SAGA_CMD_RELEASE_FUNDS },
                               { SAGA_CMD_RESERVE_SEAT, SAGA_CMD_NONE },
                               { SAGA_CMD_APPROVE_ORDER, SAGA_CMD_NONE } },
        [PLAN_CREATE] = { { SAGA_CMD_CREATE_ORDER, SAGA_CMD_REJECT_ORDER },
                          { SAGA_CMD_RESERVE_FUNDS, SAGA_CMD_NONE },
                          { SAGA_CMD_APPROVE_ORDER, SAGA_CMD_NONE } },
        [PLAN_CANCEL] = { { SAGA_CMD_CANCEL_ORDER, SAGA_CMD_NONE },
                          { SAGA_CMD_RELEASE_FUNDS, SAGA_CMD_NONE },
                          { SAGA_CMD_CONFIRM_CANCEL, SAGA_CMD_NONE } },
    };
    if (step < 1 || step > SAGA_STEPS_MAX) return NULL;
    if (plan == PLAN_TRANSFER) return comp ? NULL : step == 1 ? "debit" : "credit";
    if (plan == PLAN_UNKNOWN) return NULL;
    uint8_t cmd = cmds[plan][step - 1][comp ? 1 : 0];
    return cmd == SAGA_CMD_NONE ? NULL : saga_cmd_name(cmd);
}

typedef struct sagas {
    saga_seen *items;
    uint32_t count;
} sagas;

static saga_seen *find(const sagas *ss, const char *key) {
    for (uint32_t i = ss->count; i-- > 0;)
        if (strcmp(ss->items[i].key, key) == 0) return &ss->items[i];
    return NULL;
}

static void collect(const plot_tl *t, sagas *ss) {
    const hist *h = t->h;
    uint32_t n = 0;
    for (uint32_t i = 0; i < h->effect_count; i++) n += h->effects[i].kind == HIST_EFF_SAGA_BEGIN;
    ss->items = sim_xcalloc(n + 1u, sizeof *ss->items);
    ss->count = 0;
    for (uint32_t i = 0; i < h->effect_count; i++) {
        const hist_effect *e = &h->effects[i];
        if (e->kind == HIST_EFF_SAGA_BEGIN && e->key) {
            SIM_ASSERT(ss->count < n + 1u);
            ss->items[ss->count++] = (saga_seen){ e->key, e->node, plan_of(t, e), e->t_ns, SIM_TIME_NEVER, 0 };
        } else if (e->kind == HIST_EFF_SAGA_END && e->key) {
            saga_seen *s = find(ss, e->key);
            if (s && s->to == SIM_TIME_NEVER) { s->to = e->t_ns; s->how = e->value; }
        }
    }
}

static bool saga_failed(const plot_tl *t) {
    for (size_t i = 0; i < t->run->result_count; i++) {
        const check_result *c = &t->run->results[i];
        if (strcmp(c->name, "saga") == 0 && c->verdict == CHECK_VIOLATION) return true;
    }
    return false;
}

/* Per effect, why it is evidence: 0 none, else one of these. */
enum { WHY_NONE = 0, WHY_TWICE, WHY_AFTER_UNDO, WHY_OVER_FINAL };

/* Steps and compensations that took effect twice, steps after their own
 * compensation, and blind writes over a final state. */
static void find_evidence(plot_tl *t, uint8_t *why) {
    const hist *h = t->h;
    for (uint32_t i = 0; i < h->effect_count; i++) {
        const hist_effect *e = &h->effects[i];
        if (e->kind == HIST_EFF_STATE) {
            int64_t was = hist_effect_token(h, e);
            bool final = was == SAGA_ORDER_CANCELLED || was == SAGA_ORDER_REJECTED;
            if (e->aux == 0 && final && e->value != was && e->key && strncmp(e->key, "order#", 6) == 0)
                why[i] = WHY_OVER_FINAL;
            continue;
        }
        if (e->kind != HIST_EFF_SAGA_STEP && e->kind != HIST_EFF_SAGA_COMP) continue;
        for (uint32_t j = 0; j < i && e->key; j++) {
            const hist_effect *d = &h->effects[j];
            if (d->value != e->value || !d->key || strcmp(d->key, e->key) != 0) continue;
            bool undo_ran = d->kind == HIST_EFF_SAGA_COMP ||
                            (d->kind == HIST_EFF_SAGA_SKIP && (d->aux & SAGA_AUX_COMP));   /* nothing to undo yet */
            if (d->kind == e->kind) why[i] = WHY_TWICE;
            else if (undo_ran && e->kind == HIST_EFF_SAGA_STEP) why[i] = WHY_AFTER_UNDO;
        }
    }
}

static void draw_bands(plot_tl *t, const sagas *ss, bool failed) {
    if (ss->count > SAGAS_DRAWN_MAX) {             /* never cut silently */
        size_t used = strlen(t->note);
        snprintf(t->note + used, sizeof t->note - used, "%s%u sagas: the first %u half-done bands drawn",
                 used ? "; " : "", ss->count, SAGAS_DRAWN_MAX);
    }
    for (uint32_t i = 0; i < ss->count && i < SAGAS_DRAWN_MAX; i++) {
        const saga_seen *s = &ss->items[i];
        if (s->node < 0 || (uint32_t)s->node >= t->s->node_count) continue;
        bool open = s->to == SIM_TIME_NEVER || s->how == 3;     /* never ended, or gave up */
        sim_time to = open ? t->end : s->to;
        int32_t y = plot_lane_y(t, s->node);
        plot_box(t, PB_HELD, s->from, to, y + PLOT_MID_LO, y + PLOT_MID_HI, t->rgb[s->node]);
        t->legend |= PL_HALF;
        if (open && failed) {
            plot_box(t, PB_OUTLINE, s->from, to, y + PLOT_MID_LO - 2, y + PLOT_MID_HI + 2, PLOT_RED);
            plot_label(t, s->node, s->from, PLOT_ROW_LOW, PLOT_RED, true, "%s left half done", s->key);
        } else if (ss->count <= 12) {
            plot_label(t, s->node, s->from, PLOT_ROW_LOW, 0x333333u, false, "%s half done", s->key);
        }
    }
}

void plot_build_sagas(plot_tl *t) {
    SIM_ASSERT(t != NULL);
    SIM_ASSERT(t->red_effect == NULL);          /* built once per timeline */
    const hist *h = t->h;
    t->red_effect = sim_xcalloc(h->effect_count + 1u, 1);
    bool any = false;
    for (uint32_t i = 0; i < h->effect_count && !any; i++) any = h->effects[i].kind == HIST_EFF_SAGA_BEGIN;
    if (!any) return;
    sagas ss;
    collect(t, &ss);
    bool failed = saga_failed(t);
    draw_bands(t, &ss, failed);
    if (failed) find_evidence(t, t->red_effect);
    for (uint32_t i = 0; i < h->effect_count; i++) {   /* a blind write has no mark of its own */
        const hist_effect *e = &h->effects[i];
        if (t->red_effect[i] != WHY_OVER_FINAL || e->node < 0 || (uint32_t)e->node >= t->s->node_count) continue;
        int32_t y = plot_lane_y(t, e->node) + PLOT_OPS_Y;
        uint32_t rgb = e->client >= 0 && (uint32_t)e->client < t->s->node_count ? t->rgb[e->client] : PLOT_GREY;
        plot_mark(t, PB_SQUARE, e->t_ns, y, rgb);
        plot_mark(t, PB_RED_MARK, e->t_ns, y, PLOT_RED);
        plot_label(t, e->node, e->t_ns, PLOT_ROW_MARK, PLOT_RED, true, "%s over %s (blind write)",
                   saga_order_state_name(e->value), saga_order_state_name(hist_effect_token(t->h, e)));
    }
    free(ss.items);
}

bool plot_saga_label(const plot_tl *t, uint32_t i, char *buf, size_t len) {
    SIM_ASSERT(i < t->h->effect_count);
    const hist_effect *e = &t->h->effects[i];
    bool comp = e->kind == HIST_EFF_SAGA_COMP;
    if (e->kind != HIST_EFF_SAGA_STEP && !comp && e->kind != HIST_EFF_SAGA_REFUSE) return false;
    plan_kind plan = PLAN_UNKNOWN;
    for (uint32_t j = i; j-- > 0 && e->key;) {      /* the begin of e's saga */
        const hist_effect *b = &t->h->effects[j];
        if (b->kind != HIST_EFF_SAGA_BEGIN || !b->key || strcmp(b->key, e->key) != 0) continue;
        plan = plan_of(t, b);
        break;
    }
    const char *name = step_name(plan, e->value, comp);
    char step[48];
    snprintf(step, sizeof step, "%s%lld%s%s", comp ? "C" : "T", (long long)e->value, name ? " " : "",
             name ? name : "");
    uint8_t why = t->red_effect ? t->red_effect[i] : 0;
    if (e->kind == HIST_EFF_SAGA_REFUSE) snprintf(buf, len, "refuses %s", step);
    else if (why == WHY_TWICE) snprintf(buf, len, "%s again: applied twice", step);
    else if (why == WHY_AFTER_UNDO) snprintf(buf, len, "%s after its undo", step);
    else snprintf(buf, len, "%s", step);
    return true;
}
