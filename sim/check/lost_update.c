/* lost_update.c -- the lock-counter's final value against what was acknowledged.
 *
 * final    = the value of the last applied EFF_WRITE (h->initial_value if none)
 * acked    = ok WRITE ops (acknowledged increments)
 * unknown  = WRITE ops completed info or still pending (may have applied)
 * VIOLATION if final < initial + acked (increments lost), or
 *           final > initial + acked + unknown (increments from nowhere), or
 *           an acknowledged write was overwritten by a write of another
 *           epoch (or client) that never saw it: the overwriter's last read
 *           came before the overwritten write was applied (with no read
 *           recorded: its value is not the overwritten value + 1).
 * The last rule catches what the arithmetic can miss: an acknowledged
 * increment replaced by an unacknowledged one (L2's network-delay variant).
 * Invariant: last_read[c] is the latest EFF_READ by client node c so far.
 * Trade-off: one counter per run (the lock-counter's); writes to different
 * keys are never compared with each other.  O(ops + effects).
 * Database runs (balances, stock rows) are judged by lost_update_db.c.
 */
#include "sim/check/check_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

typedef struct lu_scan {
    uint32_t last_read[SIM_NODES_MAX];   /* effect index per client, HIST_NONE if none */
    uint32_t last_write;                 /* effect index, HIST_NONE if none */
    uint32_t applied;                    /* EFF_WRITE count */
    uint32_t lost, first_victim, first_writer, first_read;   /* overwrites of acked writes */
    int64_t acked, unknown;
} lu_scan;

static bool write_acked(const hist *h, const hist_effect *x) {
    const hist_op *op = check_effect_op(h, x);
    return op != NULL && op->result == HIST_OK;
}

/* Was the acknowledged write v lost when w was applied? */
static bool overwrote_unseen(const hist *h, const lu_scan *sc, uint32_t v, uint32_t w, uint32_t *read) {
    const hist_effect *pv = &h->effects[v], *pw = &h->effects[w];
    *read = HIST_NONE;
    if (strncmp(pv->key, pw->key, SIM_NAME_MAX) != 0) return false;
    if (pv->epoch == pw->epoch && pv->client == pw->client) return false;
    if (!write_acked(h, pv)) return false;
    if (pw->client >= 0 && pw->client < SIM_NODES_MAX) {
        uint32_t r = sc->last_read[pw->client];
        if (r != HIST_NONE && h->effects[r].epoch == pw->epoch) {
            *read = r;
            return r < v;
        }
    }
    return pw->value != pv->value + 1;
}

static void lu_scan_effects(const hist *h, lu_scan *sc) {
    for (uint32_t i = 0; i < SIM_NODES_MAX; i++) sc->last_read[i] = HIST_NONE;
    sc->last_write = HIST_NONE;
    for (uint32_t i = 0; i < h->effect_count; i++) {
        const hist_effect *x = &h->effects[i];
        if (x->kind == HIST_EFF_READ && x->client >= 0 && x->client < SIM_NODES_MAX) {
            sc->last_read[x->client] = i;
            continue;
        }
        if (x->kind != HIST_EFF_WRITE) continue;
        sc->applied++;
        uint32_t read;
        if (sc->last_write != HIST_NONE && overwrote_unseen(h, sc, sc->last_write, i, &read)) {
            if (sc->lost == 0) {
                sc->first_victim = sc->last_write;
                sc->first_writer = i;
                sc->first_read = read;
            }
            sc->lost++;
        }
        sc->last_write = i;
    }
    for (uint32_t i = 0; i < h->op_count; i++) {
        const hist_op *op = &h->ops[i];
        if (op->f != HIST_F_WRITE) continue;
        if (op->result == HIST_OK) sc->acked++;
        else if (op->result == HIST_INFO || op->result == HIST_PENDING) sc->unknown++;
    }
}

static void lu_summary(const check_input *in, const lu_scan *sc, int64_t final, check_result *out) {
    const hist *h = in->h;
    int64_t expect = h->initial_value + sc->acked;
    char *buf = out->summary;
    size_t cap = sizeof out->summary;
    buf[0] = '\0';
    if (final < expect || final > expect + sc->unknown) {
        story_appendf(buf, cap, "final counter %lld, expected %lld (initial %lld + %lld acknowledged "
                      "increments", (long long)final, (long long)expect, (long long)h->initial_value,
                      (long long)sc->acked);
        if (sc->unknown > 0) story_appendf(buf, cap, ", + up to %lld unknown", (long long)sc->unknown);
        story_appendf(buf, cap, ")");
    }
    if (sc->lost == 0) return;
    const hist_effect *v = &h->effects[sc->first_victim], *w = &h->effects[sc->first_writer];
    story_appendf(buf, cap, "%s%s's acknowledged write of %lld at %s was overwritten at %s by %s "
                  "(epoch %lld), which never saw it", buf[0] ? "; " : "", story_node(in->s, v->client),
                  (long long)v->value, story_t(v->t_ns).s, story_t(w->t_ns).s,
                  story_node(in->s, w->client), (long long)w->epoch);
    if (sc->lost > 1) story_appendf(buf, cap, " (and %" PRIu32 " more)", sc->lost - 1);
}

static void tell_write(story *st, const hist *h, const hist_effect *x) {
    const hist_op *op = check_effect_op(h, x);
    char ack[96] = "";
    if (op && op->result == HIST_OK) snprintf(ack, sizeof ack, ", acknowledged at %s", story_t(op->complete_ns).s);
    else if (op) snprintf(ack, sizeof ack, ", completed %s", hist_result_name(op->result));
    story_add(st, x->t_ns, "%s wrote %lld at %s (epoch %lld%s)", story_node(st->s, x->client),
              (long long)x->value, story_t(x->t_ns).s, (long long)x->epoch, ack);
}

/* The overwrite: reads, both writes, both epochs, faults in between. */
static void tell_overwrite(story *st, const check_input *in, const check_epochs *ep, const lu_scan *sc) {
    const hist *h = in->h;
    const hist_effect *v = &h->effects[sc->first_victim], *w = &h->effects[sc->first_writer];
    uint32_t pa = check_epochs_find(ep, w->epoch), pb = check_epochs_find(ep, v->epoch);
    uint64_t mask = story_bit(v->client) | story_bit(w->client) | story_bit(w->node);
    sim_time from = v->t_ns;
    check_story_epochs(st, h, pa != UINT32_MAX ? &ep->items[pa] : NULL,
                       pb != UINT32_MAX ? &ep->items[pb] : NULL, &mask, &from);
    if (sc->first_read != HIST_NONE) {
        const hist_effect *r = &h->effects[sc->first_read];
        story_add(st, r->t_ns, "%s read %lld at %s", story_node(st->s, r->client), (long long)r->value,
                  story_t(r->t_ns).s);
        if (r->t_ns < from) from = r->t_ns;
    }
    tell_write(st, h, v);
    story_add_faults(st, mask, from, w->t_ns);
    const hist_op *op = check_effect_op(h, w);
    story_add(st, w->t_ns, "%s wrote %lld at %s (epoch %lld%s%s), overwriting %s's write without "
              "having seen it", story_node(st->s, w->client), (long long)w->value, story_t(w->t_ns).s,
              (long long)w->epoch, op ? ", completed " : "", op ? hist_result_name(op->result) : "",
              story_node(st->s, v->client));
}

static void lu_story(const check_input *in, const lu_scan *sc, int64_t final, check_result *out) {
    const hist *h = in->h;
    check_epochs own;
    const check_epochs *ep = check_epochs_of(in, &own);
    story st;
    story_init(&st, in->s);
    story_add(&st, 0, "the counter started at %lld", (long long)h->initial_value);
    if (sc->lost > 0) tell_overwrite(&st, in, ep, sc);
    else if (sc->last_write != HIST_NONE) tell_write(&st, h, &h->effects[sc->last_write]);
    int64_t expect = h->initial_value + sc->acked;
    if (final < expect) {
        story_conclude(&st, "so the counter ended at %lld, but %lld increments were acknowledged: "
                       "%lld lost", (long long)final, (long long)sc->acked, (long long)(expect - final));
    } else if (final > expect + sc->unknown) {
        story_conclude(&st, "so the counter ended at %lld, %lld above the %lld acknowledged and %lld "
                       "unknown increments", (long long)final, (long long)(final - expect - sc->unknown),
                       (long long)sc->acked, (long long)sc->unknown);
    } else {
        story_conclude(&st, "so %s's acknowledged increment is not in the final value %lld",
                       story_node(in->s, h->effects[sc->first_victim].client), (long long)final);
    }
    story_buf b;
    story_buf_init(&b);
    story_render(&st, &b);
    out->story = story_buf_take(&b);
    story_free(&st);
    check_epochs_free(&own);
}

static void check_run_lost_update(const check_input *in, check_result *out) {
    SIM_ASSERT(in != NULL);
    SIM_ASSERT(in->h != NULL);
    check_result_start(out, "lost-update");
    if (check_lost_update_db(in, out)) return;     /* balances and stock: lost_update_db.c */
    const hist *h = in->h;
    lu_scan sc;
    memset(&sc, 0, sizeof sc);
    lu_scan_effects(h, &sc);
    int64_t final = sc.last_write != HIST_NONE ? h->effects[sc.last_write].value : h->initial_value;
    int64_t expect = h->initial_value + sc.acked;
    bool bad_sum = final < expect || final > expect + sc.unknown;
    if (bad_sum || sc.lost > 0) {
        out->verdict = CHECK_VIOLATION;
        lu_summary(in, &sc, final, out);
        if (!in->no_story) lu_story(in, &sc, final, out);
        snprintf(out->evidence_label, sizeof out->evidence_label, "lost update");   /* timeline */
        uint32_t ev[2] = { sc.lost ? h->effects[sc.first_writer].op : HIST_NONE,
                           sc.lost ? h->effects[sc.first_victim].op : HIST_NONE };
        for (int i = 0; i < 2; i++) if (ev[i] != HIST_NONE) out->evidence_ops[out->evidence_count++] = ev[i];
        return;
    }
    char extra[96] = "";
    if (final > expect) {
        snprintf(extra, sizeof extra, " + %lld of %lld unknown writes", (long long)(final - expect),
                 (long long)sc.unknown);
    }
    snprintf(out->summary, sizeof out->summary, "final counter %lld = initial %lld + %lld acknowledged "
             "increments%s (%" PRIu32 " applied writes)", (long long)final, (long long)h->initial_value,
             (long long)sc.acked, extra, sc.applied);
}

/* The check's entry in the registry (sim/check/check.c). */
const check_desc check_lost_update = {
    .name = "lost-update",
    .summary = "final counter (or balance, or stock) != initial + acknowledged changes, or an "
        "acknowledged write was overwritten by one that never saw it",
    .run = check_run_lost_update,
    .workloads = { "lock-counter", "flash-sale", "seat-booking", "bank", "on-call",
                   "script" },
};
