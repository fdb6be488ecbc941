/* saga_check.c -- the `saga` check (PROTOCOLS.md 7.3 and 12.7), from the
 * SAGA_* and STATE effects of hist.h:
 *   effect-once   no step Ti and no compensation Ci took effect twice
 *                 (redelivery, a retried non-idempotent command);
 *   no orphan     no Ti took effect after Ci ran (the late charge that
 *                 lands after its refund), and no Ci took effect for a
 *                 Ti that never did (a refund of a charge never made);
 *   reverse order compensations took effect Cj, ..., C1;
 *   outcome       at the horizon every saga is COMPLETED (every Ti ran, no
 *                 Ci took effect) or COMPENSATED (every Ti that took effect
 *                 was undone, and nothing from the pivot on took effect);
 *                 anything else is partial state: stalled, or given up;
 *   isolation     no saga blindly overwrote an entity's state that another
 *                 saga had set after this saga's own previous write (the
 *                 lost update of Richardson's Create/Cancel Order anomaly).
 * Always: how long each saga's partial state was visible to others (from
 * its first applied change to its last, or to the horizon).
 * Invariant: sagas are runs of a copy of the SAGA effect indices sorted by
 * (key, index); entities likewise from the STATE effects.
 * Trade-off: one violation told per saga (the first that applies), three
 * stories at most; O(E + K log K) for E effects of K sagas and entities.
 */
#include "sim/check/check_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/saga/saga.h"

#define SG_STEPS_MAX 16
#define SG_TOLD_MAX 3

typedef enum { V_TWICE_STEP = 0, V_TWICE_COMP, V_ORPHAN, V_UNDO_NOTHING, V_ORDER, V_PARTIAL, V_LOST_UPDATE } sg_kind;

typedef struct sg_step {
    uint32_t applied, comped;     /* SAGA_STEP / SAGA_COMP effects */
    uint32_t apply[2], comp[2];   /* the first two of each (effect indices) */
    uint32_t comp_ran;            /* earliest COMP or compensation SKIP */
    uint32_t orphan;              /* a SAGA_STEP after comp_ran */
    bool ran;                     /* a SAGA_STEP or a forward SKIP */
} sg_step;

typedef struct sg_saga {
    uint32_t first, count;        /* a run of the sorted indices */
    uint32_t begin, end;          /* SAGA_BEGIN / SAGA_END, HIST_NONE if none */
    uint32_t n, pivot;
    uint32_t misorder;            /* a COMP after a COMP of a lower step, HIST_NONE */
    sim_time change_first, change_last;
    sg_step st[SG_STEPS_MAX + 1]; /* 1-based */
} sg_saga;

typedef struct sg_violation {
    sg_kind kind;
    uint32_t saga_first;          /* the saga's run (kinds but V_LOST_UPDATE) */
    uint32_t step;
    uint32_t a, b, c;             /* effect indices the kind names */
} sg_violation;

typedef struct sg_ref { const char *key; uint32_t index; } sg_ref;

typedef struct sg_scan {
    const check_input *in;
    const hist *h;
    uint32_t *idx, n;             /* SAGA effects by (key, index) */
    uint32_t *sidx, sn;           /* STATE effects by (key, index) */
    uint32_t sagas, completed, compensated, partial;
    sg_violation v[SG_TOLD_MAX];
    uint32_t v_count;
    sim_time window_ns, window_from, window_to;
    uint32_t window_saga;         /* effect index of that saga's first effect, HIST_NONE */
} sg_scan;

static int by_key_then_index(const void *a, const void *b) {
    const sg_ref *x = a, *y = b;
    int c = strncmp(x->key, y->key, SIM_NAME_MAX);
    if (c != 0) return c;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* The distinct keys of the effects a check reads, numbered in order of
 * first appearance, found through an open-addressing table of key ids
 * (FNV-1a of the key, linear probing, at most half full). */
typedef struct sg_keyset {
    const char **key;             /* by id */
    uint32_t n;
    uint32_t *slot, slot_cap;     /* 0 = free, else an id + 1 */
} sg_keyset;

static uint32_t sg_hash(const char *key) {
    uint32_t x = 2166136261u;
    for (size_t i = 0; i < SIM_NAME_MAX && key[i] != '\0'; i++) x = (x ^ (uint8_t)key[i]) * 16777619u;
    return x ^ (x >> 15);
}

static void keyset_place(sg_keyset *ks, uint32_t id) {
    SIM_ASSERT(id < ks->n);
    uint32_t mask = ks->slot_cap - 1u, at = sg_hash(ks->key[id]) & mask;
    while (ks->slot[at] != 0) at = (at + 1u) & mask;
    ks->slot[at] = id + 1u;
}

/* The id of key, numbering it next if it is new. */
static uint32_t keyset_id(sg_keyset *ks, const char *key) {
    SIM_ASSERT(2u * ks->n <= ks->slot_cap);
    uint32_t mask = ks->slot_cap - 1u;
    for (uint32_t at = sg_hash(key) & mask; ks->slot[at] != 0; at = (at + 1u) & mask)
        if (strncmp(ks->key[ks->slot[at] - 1u], key, SIM_NAME_MAX) == 0) return ks->slot[at] - 1u;
    ks->key[ks->n++] = key;
    if (2u * ks->n > ks->slot_cap) {              /* double, placing every key again */
        ks->slot_cap *= 2u;
        free(ks->slot);
        ks->slot = sim_xcalloc(ks->slot_cap, sizeof *ks->slot);
        for (uint32_t id = 0; id + 1u < ks->n; id++) keyset_place(ks, id);
    }
    keyset_place(ks, ks->n - 1u);
    return ks->n - 1u;
}

/* Indices of the effects `want` accepts, sorted by (key, index): the
 * distinct keys are sorted (K log K string compares), then the effects
 * are bucketed by their key's rank in index order (issue 17: sorting all
 * of a million sagas' effects by string compares was most of the check). */
static uint32_t *sorted(const hist *h, bool (*want)(hist_eff_kind), uint32_t *n_out) {
    uint32_t n = 0;
    for (uint32_t i = 0; i < h->effect_count; i++) n += want(h->effects[i].kind);
    uint32_t *id_of = sim_xmalloc((n + 1u) * sizeof *id_of);
    sg_keyset ks = { sim_xmalloc((n + 1u) * sizeof *ks.key), 0, sim_xcalloc(64, sizeof *ks.slot), 64 };
    for (uint32_t i = 0, k = 0; i < h->effect_count; i++)
        if (want(h->effects[i].kind)) id_of[k++] = keyset_id(&ks, h->effects[i].key);
    sg_ref *refs = sim_xmalloc((ks.n + 1u) * sizeof *refs);
    for (uint32_t id = 0; id < ks.n; id++) refs[id] = (sg_ref){ ks.key[id], id };
    qsort(refs, ks.n, sizeof *refs, by_key_then_index);   /* distinct keys: by key */
    uint32_t *start = sim_xcalloc(ks.n + 1u, sizeof *start), *rank = sim_xmalloc((ks.n + 1u) * sizeof *rank);
    for (uint32_t r = 0; r < ks.n; r++) rank[refs[r].index] = r;
    for (uint32_t k = 0; k < n; k++) start[rank[id_of[k]] + 1u]++;
    for (uint32_t r = 0; r < ks.n; r++) start[r + 1u] += start[r];
    uint32_t *idx = sim_xmalloc((n + 1u) * sizeof *idx);
    for (uint32_t i = 0, k = 0; i < h->effect_count; i++)
        if (want(h->effects[i].kind)) idx[start[rank[id_of[k++]]]++] = i;
    free(refs);
    free(start);
    free(rank);
    free(id_of);
    free(ks.key);
    free(ks.slot);
    *n_out = n;
    return idx;
}

static bool is_state_kind(hist_eff_kind k) { return k == HIST_EFF_STATE; }

static uint32_t run_len(const hist *h, const uint32_t *idx, uint32_t n, uint32_t first) {
    uint32_t k = 1;
    while (first + k < n && strncmp(h->effects[idx[first]].key, h->effects[idx[first + k]].key,
                                    SIM_NAME_MAX) == 0) k++;
    return k;
}

static void note_change(sg_saga *g, const hist_effect *x) {
    if (g->change_first == SIM_TIME_NEVER) g->change_first = x->t_ns;
    g->change_last = x->t_ns;
}

static void saga_effect(const hist *h, sg_saga *g, const hist_effect *x, uint32_t index,
                        uint32_t *last_comp_step) {
    int64_t i = x->value;
    bool in_range = i >= 1 && i <= SG_STEPS_MAX;
    sg_step *s = in_range ? &g->st[i] : NULL;
    switch (x->kind) {
    case HIST_EFF_SAGA_BEGIN:
        g->begin = index;
        g->n = x->value >= 0 && x->value <= SG_STEPS_MAX ? (uint32_t)x->value : SG_STEPS_MAX;
        int64_t pivot = hist_effect_token(h, x);
        g->pivot = pivot >= 0 && pivot <= SG_STEPS_MAX ? (uint32_t)pivot : 0;
        break;
    case HIST_EFF_SAGA_END: g->end = index; break;
    case HIST_EFF_SAGA_STEP:
        if (!s) break;
        if (s->applied < 2) s->apply[s->applied] = index;
        s->applied++;
        s->ran = true;
        if (s->comp_ran != HIST_NONE && s->orphan == HIST_NONE) s->orphan = index;
        note_change(g, x);
        break;
    case HIST_EFF_SAGA_COMP:
        if (!s) break;
        if (s->comped < 2) s->comp[s->comped] = index;
        s->comped++;
        if (s->comp_ran == HIST_NONE) s->comp_ran = index;
        if (*last_comp_step != 0 && (uint32_t)i > *last_comp_step && g->misorder == HIST_NONE) g->misorder = index;
        *last_comp_step = (uint32_t)i;
        note_change(g, x);
        break;
    case HIST_EFF_SAGA_SKIP:
        if (!s) break;
        if (x->aux & SAGA_AUX_COMP) { if (s->comp_ran == HIST_NONE) s->comp_ran = index; }
        else s->ran = true;
        break;
    default: break;
    }
}

static void build_saga(const sg_scan *sc, uint32_t first, sg_saga *g) {
    memset(g, 0, sizeof *g);
    g->first = first;
    g->count = run_len(sc->h, sc->idx, sc->n, first);
    g->begin = g->end = g->misorder = HIST_NONE;
    g->change_first = g->change_last = SIM_TIME_NEVER;
    for (uint32_t i = 0; i <= SG_STEPS_MAX; i++) {
        sg_step *s = &g->st[i];
        s->apply[0] = s->apply[1] = s->comp[0] = s->comp[1] = s->comp_ran = s->orphan = HIST_NONE;
    }
    uint32_t last_comp_step = 0;
    for (uint32_t k = first; k < first + g->count; k++)
        saga_effect(sc->h, g, &sc->h->effects[sc->idx[k]], sc->idx[k], &last_comp_step);
}

static bool is_completed(const sg_saga *g) {
    for (uint32_t i = 1; i <= g->n; i++)
        if (!g->st[i].ran || g->st[i].comped > 0) return false;
    return g->n > 0;
}

static bool is_compensated(const sg_saga *g) {
    for (uint32_t i = 1; i <= SG_STEPS_MAX; i++) {
        const sg_step *s = &g->st[i];
        if (s->applied > s->comped) return false;
        if (g->pivot != 0 && i >= g->pivot && s->applied > 0) return false;
    }
    return true;
}

/* ------------------------------------------------------------ judging */

static void add_violation(sg_scan *sc, sg_violation v) {
    if (sc->v_count < SG_TOLD_MAX) sc->v[sc->v_count] = v;
    sc->v_count++;
}

/* The first violation of one saga, if any (see the file's comment). */
static bool judge_saga(const sg_saga *g, bool done, sg_violation *v) {
    *v = (sg_violation){ V_PARTIAL, g->first, 0, HIST_NONE, HIST_NONE, HIST_NONE };
    for (uint32_t i = 1; i <= SG_STEPS_MAX; i++) {
        const sg_step *s = &g->st[i];
        v->step = i;
        if (s->applied > 1) { v->kind = V_TWICE_STEP; v->a = s->apply[0]; v->b = s->apply[1]; return true; }
        if (s->comped > 1) { v->kind = V_TWICE_COMP; v->a = s->comp[0]; v->b = s->comp[1]; return true; }
        if (s->orphan != HIST_NONE) { v->kind = V_ORPHAN; v->a = s->orphan; v->b = s->comp_ran; return true; }
        if (s->comped > 0 && s->applied == 0) { v->kind = V_UNDO_NOTHING; v->a = s->comp[0]; return true; }
    }
    v->step = 0;
    if (g->misorder != HIST_NONE) { v->kind = V_ORDER; v->a = g->misorder; return true; }
    v->kind = V_PARTIAL;
    return !done;
}

static void note_window(sg_scan *sc, const sg_saga *g, bool done) {
    if (g->change_first == SIM_TIME_NEVER) return;
    sim_time to = done ? g->change_last : check_horizon(sc->in);
    if (to - g->change_first < sc->window_ns && sc->window_saga != HIST_NONE) return;
    sc->window_ns = to - g->change_first;
    sc->window_from = g->change_first;
    sc->window_to = to;
    sc->window_saga = sc->idx[g->first];
}

static void scan_sagas(sg_scan *sc) {
    for (uint32_t k = 0; k < sc->n; k += run_len(sc->h, sc->idx, sc->n, k)) {
        sg_saga g;
        build_saga(sc, k, &g);
        if (g.begin == HIST_NONE) continue;      /* effects of a saga that never began: not ours */
        sc->sagas++;
        bool completed = is_completed(&g), compensated = !completed && is_compensated(&g);
        sc->completed += completed;
        sc->compensated += compensated;
        sc->partial += !completed && !compensated;
        note_window(sc, &g, completed || compensated);
        sg_violation v;
        if (judge_saga(&g, completed || compensated, &v)) add_violation(sc, v);
    }
}

static bool same_saga(const hist_effect *a, const hist_effect *b) {
    return a->client == b->client && a->epoch == b->epoch;
}

/* Blind writes over another saga's newer state, entity by entity. */
static void scan_entities(sg_scan *sc) {
    const hist *h = sc->h;
    for (uint32_t k = 0; k < sc->sn; k += run_len(h, sc->sidx, sc->sn, k)) {
        uint32_t len = run_len(h, sc->sidx, sc->sn, k);
        for (uint32_t j = k + 1; j < k + len; j++) {
            const hist_effect *w = &h->effects[sc->sidx[j]], *prev = &h->effects[sc->sidx[j - 1]];
            if (w->aux != 0 || same_saga(w, prev)) continue;
            uint32_t mine = HIST_NONE;
            for (uint32_t q = j - 1; q-- > k;)
                if (same_saga(&h->effects[sc->sidx[q]], w)) { mine = sc->sidx[q]; break; }
            if (mine == HIST_NONE) continue;      /* its first write: it overwrote nothing it had seen */
            add_violation(sc, (sg_violation){ V_LOST_UPDATE, 0, 0, sc->sidx[j], sc->sidx[j - 1], mine });
        }
    }
}

/* ------------------------------------------------------------ telling */

static void saga_name(const check_input *in, const hist_effect *x, char *buf, size_t len) {
    if (x->kind == HIST_EFF_STATE) saga_key(buf, len, story_node(in->s, x->client), (uint32_t)x->epoch);
    else snprintf(buf, len, "%s", x->key);
}

static void state_name(const hist_effect *x, int64_t v, char *buf, size_t len) {
    if (strncmp(x->key, "order#", 6) == 0) snprintf(buf, len, "%s", saga_order_state_name(v));
    else if (v == 0) snprintf(buf, len, "free");
    else snprintf(buf, len, "order #%" PRId64, v);
}

static const char *why_text(int64_t aux) {
    switch (aux & ~(int64_t)SAGA_AUX_COMP) {
    case SAGA_WHY_BUSINESS: return "a business rule";
    case SAGA_WHY_SEMANTIC_LOCK: return "the semantic lock: the order is in another saga's hands";
    case SAGA_WHY_TOMBSTONE: return "a tombstone: its compensation already ran";
    case SAGA_WHY_DUPLICATE: return "a duplicate: already applied";
    case SAGA_WHY_NOTHING: return "nothing to do";
    default: return "?";
    }
}

static void summary_of(const sg_scan *sc, const sg_violation *v, char *buf, size_t len) {
    const check_input *in = sc->in;
    const hist *h = sc->h;
    const hist_effect *a = v->a != HIST_NONE ? &h->effects[v->a] : NULL;
    const hist_effect *b = v->b != HIST_NONE ? &h->effects[v->b] : NULL;
    const char *key = h->effects[sc->idx[v->saga_first]].key;
    switch (v->kind) {
    case V_TWICE_STEP: case V_TWICE_COMP:
        snprintf(buf, len, "%s%u of saga %s took effect twice, at %s and %s", v->kind == V_TWICE_STEP ? "T" : "C",
                 v->step, key, story_t(a->t_ns).s, story_t(b->t_ns).s);
        return;
    case V_ORPHAN:
        snprintf(buf, len, "T%u of saga %s took effect at %s, after its compensation C%u ran at %s", v->step, key,
                 story_t(a->t_ns).s, v->step, story_t(b->t_ns).s);
        return;
    case V_UNDO_NOTHING:
        snprintf(buf, len, "C%u of saga %s took effect at %s although T%u never did (it undid nothing)",
                 v->step, key, story_t(a->t_ns).s, v->step);
        return;
    case V_ORDER:
        snprintf(buf, len, "saga %s compensated out of order: C%" PRId64 " at %s came after a lower step's", key,
                 a->value, story_t(a->t_ns).s);
        return;
    case V_PARTIAL: break;
    case V_LOST_UPDATE: {
        char wn[SIM_NAME_MAX], pn[SIM_NAME_MAX], ws[32], ps[32];
        saga_name(in, a, wn, sizeof wn);
        saga_name(in, b, pn, sizeof pn);
        state_name(a, a->value, ws, sizeof ws);
        state_name(b, b->value, ps, sizeof ps);
        snprintf(buf, len, "lost update: saga %s blindly set %s to %s at %s, over %s set by saga %s at %s", wn,
                 a->key, ws, story_t(a->t_ns).s, ps, pn, story_t(b->t_ns).s);
        return;
    }
    }
    sg_saga g;
    build_saga(sc, v->saga_first, &g);
    char steps[96] = "";
    uint32_t count = 0;
    for (uint32_t i = 1; i <= SG_STEPS_MAX; i++) {
        if (g.st[i].applied <= g.st[i].comped) continue;
        story_appendf(steps, sizeof steps, "%sT%u", count ? ", " : "", i);
        count++;
    }
    bool gave_up = g.end != HIST_NONE && h->effects[g.end].value == 3;
    snprintf(buf, len, "saga %s left partial state: %s took effect and %s never undone, and the saga %s", key,
             count ? steps : "no step", count > 1 ? "were" : "was",
             gave_up ? "gave up (a human must finish it)" : "never finished (stalled)");
}

static void tell_saga_effect(story *st, const hist *h, const hist_effect *x) {
    const char *who = story_node(st->s, x->node), *at = story_t(x->t_ns).s;
    switch (x->kind) {
    case HIST_EFF_SAGA_BEGIN:
        story_add(st, x->t_ns, "%s began saga %s at %s (%" PRId64 " steps, pivot T%" PRId64 ")", who, x->key, at,
                  x->value, hist_effect_token(h, x));
        break;
    case HIST_EFF_SAGA_STEP: case HIST_EFF_SAGA_COMP:
        story_add(st, x->t_ns, "%s applied %s%" PRId64 " of %s at %s (attempt %" PRId64 ")", who,
                  x->kind == HIST_EFF_SAGA_STEP ? "T" : "C", x->value, x->key, at, hist_effect_token(h, x));
        break;
    case HIST_EFF_SAGA_SKIP:
        story_add(st, x->t_ns, "%s ran %s%" PRId64 " of %s at %s and changed nothing (%s)", who,
                  (x->aux & SAGA_AUX_COMP) ? "C" : "T", x->value, x->key, at, why_text(x->aux));
        break;
    case HIST_EFF_SAGA_REFUSE:
        story_add(st, x->t_ns, "%s refused T%" PRId64 " of %s at %s (%s)", who, x->value, x->key, at,
                  why_text(x->aux));
        break;
    case HIST_EFF_SAGA_END: {
        static const char *const ends[] = { "?", "COMPLETED", "COMPENSATED", "as given up" };
        story_add(st, x->t_ns, "%s recorded %s %s at %s", who, x->key, ends[x->value >= 1 && x->value <= 3 ?
                  x->value : 0], at);
        break;
    }
    default: break;
    }
}

static void tell_state(story *st, const check_input *in, const hist_effect *x) {
    char name[SIM_NAME_MAX], from[32], to[32];
    saga_name(in, x, name, sizeof name);
    state_name(x, hist_effect_token(in->h, x), from, sizeof from);
    state_name(x, x->value, to, sizeof to);
    story_add(st, x->t_ns, "%s: saga %s set %s from %s to %s at %s%s", story_node(in->s, x->node), name, x->key,
              from, to, story_t(x->t_ns).s, x->aux ? " (it checked the state first)" : " (a blind write)");
}

/* Tells every effect of the saga whose run starts at `first`; widens mask and from..to. */
static void tell_saga(const sg_scan *sc, story *st, uint32_t first, uint64_t *mask, sim_time *from, sim_time *to) {
    uint32_t len = run_len(sc->h, sc->idx, sc->n, first);
    for (uint32_t k = first; k < first + len; k++) {
        const hist_effect *x = &sc->h->effects[sc->idx[k]];
        tell_saga_effect(st, sc->h, x);
        *mask |= story_bit(x->node) | story_bit(x->client);
        if (x->t_ns < *from) *from = x->t_ns;
        if (x->t_ns > *to) *to = x->t_ns;
    }
}

static uint32_t saga_run_of(const sg_scan *sc, const check_input *in, const hist_effect *x) {
    char name[SIM_NAME_MAX];
    saga_name(in, x, name, sizeof name);
    for (uint32_t k = 0; k < sc->n; k += run_len(sc->h, sc->idx, sc->n, k))
        if (strncmp(sc->h->effects[sc->idx[k]].key, name, SIM_NAME_MAX) == 0) return k;
    return UINT32_MAX;
}

static void lost_update_story(const sg_scan *sc, story *st, const sg_violation *v, uint64_t *mask, sim_time *from,
                              sim_time *to) {
    const hist_effect *w = &sc->h->effects[v->a];
    for (uint32_t k = 0; k < sc->sn; k++) {
        const hist_effect *x = &sc->h->effects[sc->sidx[k]];
        if (strncmp(x->key, w->key, SIM_NAME_MAX) != 0 || x->t_ns > w->t_ns) continue;
        tell_state(st, sc->in, x);
        *mask |= story_bit(x->node) | story_bit(x->client);
    }
    uint32_t runs[2] = { saga_run_of(sc, sc->in, w), saga_run_of(sc, sc->in, &sc->h->effects[v->b]) };
    for (int r = 0; r < 2; r++) {                 /* how the two sagas began and ended */
        if (runs[r] == UINT32_MAX) continue;
        uint32_t len = run_len(sc->h, sc->idx, sc->n, runs[r]);
        for (uint32_t k = runs[r]; k < runs[r] + len; k++) {
            const hist_effect *x = &sc->h->effects[sc->idx[k]];
            if (x->kind != HIST_EFF_SAGA_BEGIN && x->kind != HIST_EFF_SAGA_END) continue;
            tell_saga_effect(st, sc->h, x);
            if (x->t_ns < *from) *from = x->t_ns;
            if (x->t_ns > *to) *to = x->t_ns;
        }
    }
}

static void sg_story(const sg_scan *sc, const sg_violation *v, story_buf *out) {
    story st;
    story_init(&st, sc->in->s);
    uint64_t mask = 0;
    sim_time from = SIM_TIME_NEVER, to = 0;
    if (v->kind == V_LOST_UPDATE) lost_update_story(sc, &st, v, &mask, &from, &to);
    else tell_saga(sc, &st, v->saga_first, &mask, &from, &to);
    if (v->kind == V_PARTIAL) to = check_horizon(sc->in);
    if (from != SIM_TIME_NEVER) story_add_faults(&st, mask, from, to);
    char line[CHECK_SUMMARY_MAX];
    summary_of(sc, v, line, sizeof line);
    story_conclude(&st, "so %s", line);
    story_render(&st, out);
    story_free(&st);
}

static void sg_report(const sg_scan *sc, check_result *out) {
    summary_of(sc, &sc->v[0], out->summary, sizeof out->summary);
    if (sc->v_count > 1) story_appendf(out->summary, sizeof out->summary, " (and %" PRIu32 " more)", sc->v_count - 1);
    story_buf b;
    story_buf_init(&b);
    uint32_t told = sc->v_count < SG_TOLD_MAX ? sc->v_count : SG_TOLD_MAX;
    for (uint32_t k = 0; k < told; k++) {
        if (sc->v_count > 1) {
            char line[CHECK_SUMMARY_MAX];
            summary_of(sc, &sc->v[k], line, sizeof line);
            story_buf_printf(&b, "%sviolation %" PRIu32 " of %" PRIu32 ": %s\n", k ? "\n" : "", k + 1,
                             sc->v_count, line);
        }
        sg_story(sc, &sc->v[k], &b);
    }
    if (sc->v_count > told) story_buf_printf(&b, "\n(%" PRIu32 " more not told)\n", sc->v_count - told);
    out->story = story_buf_take(&b);
    out->verdict = CHECK_VIOLATION;
}

static void sg_ok_summary(const sg_scan *sc, check_result *out) {
    snprintf(out->summary, sizeof out->summary, "%" PRIu32 " saga%s: %" PRIu32 " completed, %" PRIu32
             " compensated, each step and compensation took effect once", sc->sagas, sc->sagas == 1 ? "" : "s",
             sc->completed, sc->compensated);
}

static void check_run_saga(const check_input *in, check_result *out) {
    SIM_ASSERT(in != NULL);
    SIM_ASSERT(in->h != NULL);
    check_result_start(out, "saga");
    sg_scan sc;
    memset(&sc, 0, sizeof sc);
    sc.in = in;
    sc.h = in->h;
    sc.window_saga = HIST_NONE;
    sc.idx = sorted(in->h, saga_is_effect, &sc.n);
    sc.sidx = sorted(in->h, is_state_kind, &sc.sn);
    scan_sagas(&sc);
    scan_entities(&sc);
    if (sc.v_count > 0) sg_report(&sc, out);
    else sg_ok_summary(&sc, out);
    if (sc.window_saga != HIST_NONE)
        story_appendf(out->summary, sizeof out->summary, "; longest partial state visible: %s %s..%s (%s)",
                      in->h->effects[sc.window_saga].key, story_t(sc.window_from).s, story_t(sc.window_to).s,
                      story_t(sc.window_ns).s);
    free(sc.idx);
    free(sc.sidx);
}

/* The check's entry in the registry (sim/check/check.c). */
const check_desc check_saga = {
    .name = "saga",
    .summary = "a saga neither completed nor fully compensated, a step or compensation took "
        "effect twice or after its compensation, or a blind write lost another saga's update",
    .run = check_run_saga,
    .protocols = { "saga" },
};
