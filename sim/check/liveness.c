/* liveness.c -- operations stuck at the horizon, and how long the lock was out of reach.
 *
 * bound   = min(60 s, duration / 2)
 * VIOLATION: an op still pending at the horizon, invoked more than `bound`
 *            before it (a lock that never comes free, a write that never
 *            lands).  Ops of a client that crashed after invoking them are
 *            not stuck, they are gone: they are not judged.
 * blocked_ns is always filled: the longest time an ACQUIRE waited (to its
 * completion, or to the horizon while pending) or an op stayed pending, so
 * users see how long the lock was unavailable even when the run is live.
 * Blocked windows (hist.h BLOCKED / UNBLOCKED: a 2PC participant in doubt,
 * a lock wait) are judged and summarised by liveness_blocked.c: one open
 * at the horizon for longer than `bound` is STUCK.
 * Invariant: a held-key table entry is live from its LOCK_SET until a
 * LOCK_DEL / LOCK_EXPIRE / LOCK_LOST of the same (node, key).
 * A stuck op whose request the engine dropped at a node that was down
 * (HIST_EFF_LOST: sent by its client at or after its invoke) is told so,
 * in the summary and the story: it waits for a reply that cannot come.
 * Trade-off: O(ops x crash faults) for the crash test, fine for scripted
 * faults; the held-key table is linear (a handful of lock keys per run);
 * the lost request of a stuck op is found by a linear scan of the effects,
 * for the few ops told.
 */
#include "sim/check/check_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/lock/lock_api.h"

#define LV_BOUND_MAX_NS (60 * SIM_S)
#define LV_TOLD_MAX 3
#define LV_KEYS_MAX 64          /* lock keys followed for the story */

typedef struct lv_scan {
    sim_time horizon_ns, bound_ns;
    uint32_t stuck[LV_TOLD_MAX];
    uint32_t count;
    sim_time blocked_ns;
    uint32_t blocked_op;         /* HIST_NONE if none */
    uint32_t acquires;
} lv_scan;

/* Did the op's client crash between its invoke and `until`? */
static bool client_crashed(const scn *s, const hist_op *op, sim_time until) {
    if (s == NULL) return false;
    for (uint32_t i = 0; i < s->fault_count; i++) {
        const scn_fault *f = &s->faults[i];
        if (!scn_fault_crashes(f->kind) || f->node != op->node) continue;
        if (f->at_ns >= op->invoke_ns && f->at_ns <= until) return true;
    }
    return false;
}

static bool op_pending(const hist_op *op) {
    return op->result == HIST_PENDING || op->complete_ns == SIM_TIME_NEVER;
}

static void lv_scan_ops(const check_input *in, lv_scan *sc) {
    const hist *h = in->h;
    for (uint32_t i = 0; i < h->op_count; i++) {
        const hist_op *op = &h->ops[i];
        bool pending = op_pending(op);
        if (op->f != HIST_F_ACQUIRE && !pending) continue;
        sim_time end = pending || op->complete_ns > sc->horizon_ns ? sc->horizon_ns : op->complete_ns;
        if (pending && client_crashed(in->s, op, sc->horizon_ns)) continue;
        sim_time waited = end - op->invoke_ns;
        if (op->f == HIST_F_ACQUIRE) sc->acquires++;
        if (waited > sc->blocked_ns || sc->blocked_op == HIST_NONE) {
            sc->blocked_ns = waited > 0 ? waited : 0;
            sc->blocked_op = i;
        }
        if (pending && waited > sc->bound_ns) {
            if (sc->count < LV_TOLD_MAX) sc->stuck[sc->count] = i;
            sc->count++;
        }
    }
}

/* The first message op's client sent at or after its invoke that the
 * engine dropped at a node that was down; NULL when none. */
static const hist_effect *lost_request(const hist *h, const hist_op *op) {
    for (uint32_t i = 0; i < h->effect_count; i++) {
        const hist_effect *x = &h->effects[i];
        if (x->kind == HIST_EFF_LOST && x->client == op->node && x->value >= op->invoke_ns) return x;
    }
    return NULL;
}

static void lv_line(const check_input *in, const lv_scan *sc, const hist_op *op, char *buf, size_t len) {
    snprintf(buf, len, "%s's %s pending at the horizon %s for %s (bound %s)",
             story_node(in->s, op->node), hist_f_name(in->h, op->f), story_t(sc->horizon_ns).s,
             story_t(sc->horizon_ns - op->invoke_ns).s, story_t(sc->bound_ns).s);
    const hist_effect *lost = lost_request(in->h, op);
    if (lost == NULL) return;
    const char *to = story_node(in->s, lost->node);
    story_appendf(buf, len, "; its request to %s was lost at %s: %s was down", to,
                  story_t(lost->t_ns).s, to);
}

/* ---- who holds the lock at the horizon ---- */

typedef struct lv_key {
    uint32_t set, last;          /* effect indices: the LOCK_SET, its last SET/EXTEND */
    bool held;
} lv_key;

static uint32_t lv_held_keys(const hist *h, sim_time until, lv_key *keys) {
    uint32_t n = 0;
    for (uint32_t i = 0; i < h->effect_count && h->effects[i].t_ns <= until; i++) {
        const hist_effect *x = &h->effects[i];
        if (!lock_is_key_effect(x->kind)) continue;
        uint32_t k = 0;
        while (k < n && !(h->effects[keys[k].set].node == x->node &&
                          strncmp(h->effects[keys[k].set].key, x->key, SIM_NAME_MAX) == 0)) k++;
        if (k == n) {
            if (n == LV_KEYS_MAX || x->kind != HIST_EFF_LOCK_SET) continue;
            n++;
        }
        if (x->kind == HIST_EFF_LOCK_SET) keys[k] = (lv_key){ i, i, true };
        else if (x->kind == HIST_EFF_LOCK_EXTEND) keys[k].last = i;
        else keys[k].held = false;
    }
    return n;
}

/* The acquire that set key x: the op it names, else the client's latest
 * acquire invoked by then (engines that do not link effects to ops). */
static const hist_op *setter_op(const hist *h, const hist_effect *x) {
    const hist_op *op = check_effect_op(h, x);
    if (op != NULL) return op;
    for (uint32_t i = h->op_count; i-- > 0;) {
        const hist_op *o = &h->ops[i];
        if (o->f == HIST_F_ACQUIRE && o->node == x->client && o->invoke_ns <= x->t_ns) return o;
    }
    return NULL;
}

static void tell_setter(story *st, const hist *h, const check_epochs *ep, const hist_effect *x) {
    const hist_op *op = setter_op(h, x);
    if (op == NULL) return;
    int64_t epoch = hist_op_epoch(h, op);
    uint32_t p = epoch != 0 ? check_epochs_find(ep, epoch) : UINT32_MAX;
    if (op->result == HIST_OK && p != UINT32_MAX) {
        check_story_acquire(st, h, &ep->items[p]);
        return;
    }
    const char *who = story_node(st->s, op->node);
    story_add(st, op->invoke_ns, "%s asked for the lock at %s", who, story_t(op->invoke_ns).s);
    if (op->result == HIST_PENDING) return;
    story_add(st, op->complete_ns, "%s's acquire ended %s at %s%s%s%s", who, hist_result_name(op->result),
              story_t(op->complete_ns).s, op->note[0] ? " (" : "", op->note, op->note[0] ? ")" : "");
}

static void tell_holder(story *st, const check_input *in, const check_epochs *ep, const lv_key *key,
                        sim_time horizon_ns, uint64_t *mask, sim_time *from) {
    const hist *h = in->h;
    const hist_effect *x = &h->effects[key->set], *last = &h->effects[key->last];
    tell_setter(st, h, ep, x);
    bool forever = last->value <= 0 || last->value == SIM_TIME_NEVER;
    char exp[160] = "";
    if (key->last != key->set) story_appendf(exp, sizeof exp, "last extended at %s, ", story_t(last->t_ns).s);
    if (forever) story_appendf(exp, sizeof exp, "with no expiry");
    else story_appendf(exp, sizeof exp, "to expire at %s by its clock", story_t(last->value).s);
    story_add(st, horizon_ns, "%s's lock key on %s, set at %s%s %s, was still there at the horizon",
              story_node(in->s, x->client), story_node(in->s, x->node), story_t(x->t_ns).s,
              story_clock_note(in->s, x->node, x->t_ns, hist_effect_local_ns(h, x)).s, exp);
    *mask |= story_bit(x->client) | story_bit(x->node);
    if (x->t_ns < *from) *from = x->t_ns;
}

static uint64_t nodes_with_effects(const hist *h) {
    uint64_t mask = 0;
    for (uint32_t i = 0; i < h->effect_count; i++) mask |= story_bit(h->effects[i].node);
    return mask;
}

static void lv_story(const check_input *in, const lv_scan *sc, const check_epochs *ep,
                     const hist_op *op, story_buf *out) {
    const hist *h = in->h;
    story st;
    story_init(&st, in->s);
    const char *who = story_node(in->s, op->node);
    story_str note = story_clock_note(in->s, op->node, op->invoke_ns, hist_op_local_ns(h, op));
    if (op->f == HIST_F_ACQUIRE) story_add(&st, op->invoke_ns, "%s asked for the lock at %s%s", who,
                                           story_t(op->invoke_ns).s, note.s);
    else story_add(&st, op->invoke_ns, "%s invoked a %s at %s%s", who, hist_f_name(in->h, op->f),
                   story_t(op->invoke_ns).s, note.s);
    uint64_t mask = story_bit(op->node);
    sim_time from = op->invoke_ns;
    lv_key keys[LV_KEYS_MAX];
    uint32_t n = lv_held_keys(h, sc->horizon_ns, keys), held = 0;
    for (uint32_t k = 0; k < n; k++) {
        if (!keys[k].held) continue;
        tell_holder(&st, in, ep, &keys[k], sc->horizon_ns, &mask, &from);
        held++;
    }
    if (held == 0) mask |= nodes_with_effects(h);
    const hist_effect *lost = lost_request(h, op);
    if (lost != NULL) {
        const char *to = story_node(in->s, lost->node);
        story_add(&st, lost->t_ns, "%s's %s to %s was lost at %s: %s was down", who,
                  hist_f_name(h, op->f), to, story_t(lost->t_ns).s, to);
        mask |= story_bit(lost->node);
    }
    story_add_faults(&st, mask, from, sc->horizon_ns);
    story_conclude(&st, "so %s was still waiting at the horizon (%s)%s, %s after it %s (bound %s)",
                   who, story_t(sc->horizon_ns).s, lost ? " for a reply that could not come" : "",
                   story_t(sc->horizon_ns - op->invoke_ns).s,
                   op->f == HIST_F_ACQUIRE ? "asked" : "invoked it", story_t(sc->bound_ns).s);
    story_render(&st, out);
    story_free(&st);
}

static void lv_report(const check_input *in, const lv_scan *sc, check_result *out) {
    const hist *h = in->h;
    char line[CHECK_SUMMARY_MAX];
    lv_line(in, sc, &h->ops[sc->stuck[0]], line, sizeof line);
    snprintf(out->summary, sizeof out->summary, "%s", line);
    if (sc->count > 1) story_appendf(out->summary, sizeof out->summary, " (and %" PRIu32 " more)", sc->count - 1);
    check_epochs own;
    const check_epochs *ep = check_epochs_of(in, &own);
    story_buf b;
    story_buf_init(&b);
    uint32_t n = sc->count < LV_TOLD_MAX ? sc->count : LV_TOLD_MAX;
    for (uint32_t i = 0; i < n; i++) {
        if (sc->count > 1) {
            lv_line(in, sc, &h->ops[sc->stuck[i]], line, sizeof line);
            story_buf_printf(&b, "%sstuck %" PRIu32 " of %" PRIu32 ": %s\n", i ? "\n" : "", i + 1,
                             sc->count, line);
        }
        lv_story(in, sc, ep, &h->ops[sc->stuck[i]], &b);
    }
    if (sc->count > n) story_buf_printf(&b, "\n(%" PRIu32 " more not told)\n", sc->count - n);
    out->story = story_buf_take(&b);
    out->verdict = CHECK_VIOLATION;
    for (uint32_t i = 0; i < n && out->evidence_count < CHECK_EVIDENCE_MAX; i++)
        out->evidence_ops[out->evidence_count++] = sc->stuck[i];   /* red in the timeline */
    snprintf(out->evidence_label, sizeof out->evidence_label, "stuck");
    check_epochs_free(&own);
}

static void lv_ok_summary(const check_input *in, const lv_scan *sc, check_result *out) {
    snprintf(out->summary, sizeof out->summary, "no op pending at the horizon for more than %s",
             story_t(sc->bound_ns).s);
    if (sc->blocked_op == HIST_NONE) return;
    const hist_op *op = &in->h->ops[sc->blocked_op];
    story_appendf(out->summary, sizeof out->summary, "; longest %s wait %s (%s at %s)",
                  op->f == HIST_F_ACQUIRE ? "acquire" : hist_f_name(in->h, op->f), story_t(sc->blocked_ns).s,
                  story_node(in->s, op->node), story_t(op->invoke_ns).s);
}

static void check_run_liveness(const check_input *in, check_result *out) {
    SIM_ASSERT(in != NULL);
    SIM_ASSERT(in->h != NULL);
    check_result_start(out, "liveness");
    lv_scan sc;
    memset(&sc, 0, sizeof sc);
    sc.horizon_ns = check_horizon(in);
    sim_time duration = (in->s && in->s->duration_ns > 0) ? in->s->duration_ns : sc.horizon_ns;
    sc.bound_ns = duration / 2 < LV_BOUND_MAX_NS ? duration / 2 : LV_BOUND_MAX_NS;
    sc.blocked_op = HIST_NONE;
    lv_scan_ops(in, &sc);
    out->blocked_ns = sc.blocked_ns;
    if (sc.count > 0) lv_report(in, &sc, out);
    else lv_ok_summary(in, &sc, out);
    check_liveness_lock_note(in, out);              /* lock wants and reach: liveness_lock.c */
    check_liveness_blocked(in, sc.bound_ns, out);   /* BLOCKED windows: liveness_blocked.c */
}

/* The check's entry in the registry (sim/check/check.c). */
const check_desc check_liveness = {
    .name = "liveness",
    .summary = "an operation still pending at the horizon for longer than min(60 s, "
        "duration/2)",
    .run = check_run_liveness,
};
