/* shard_ryw.c -- read-your-writes (Terry et al. 1994, "Session Guarantees
 * for Weakly Consistent Replicated Data"): a read by a session returns a
 * version at least as new as every write that session made to the key
 * before the read began (sharded-kv, docs/protocols/sharding.md).
 *
 * Evidence: the sessions' ok DEPOSIT ops (value_out = the version each
 * committed) and ok READ ops (value_out = the version read), the
 * primaries' COMMIT effects (when each version committed) and the SERVE
 * effect of each read (which node answered, at what applied position).
 * Clients are sequential, so in op-id order each session's deposits before
 * a read have completed.  VIOLATION when a read returned a version older
 * than its own session's newest deposit; the summary names the worst: how
 * long the missed version had been committed when the stale answer came
 * back ("seconds stale").
 * Invariant: own[node][key] only grows; keys are "acctN", N <= SH_KEYS_MAX.
 */
#include "sim/check/check_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/shard/shard.h"

typedef struct ryw_scan {
    uint32_t after_write, stale;      /* reads after a deposit of their session; those that missed it */
    uint32_t worst;                   /* the stale read whose missed version was the oldest, HIST_NONE */
    uint32_t worst_write;             /* its session's deposit */
    sim_time worst_ns;
    uint32_t evidence[CHECK_EVIDENCE_MAX];
} ryw_scan;

static const hist_effect *effect_of(const hist *h, hist_eff_kind kind, uint32_t op) {
    for (uint32_t k = 0; k < h->effect_count; k++)
        if (h->effects[k].kind == kind && h->effects[k].op == op) return &h->effects[k];
    return NULL;
}

static void judge(const hist *h, uint32_t o, uint32_t write_op, ryw_scan *r) {
    const hist_op *op = &h->ops[o];
    const hist_op *w = &h->ops[write_op];
    r->after_write++;
    if (op->value_out >= w->value_out) return;
    if (r->stale < CHECK_EVIDENCE_MAX) r->evidence[r->stale] = o;
    r->stale++;
    sim_time missed = sh_commit_time(h, op->key, op->value_out + 1);
    sim_time stale_ns = op->complete_ns - missed;
    if (r->worst != HIST_NONE && stale_ns <= r->worst_ns) return;
    r->worst = o;
    r->worst_write = write_op;
    r->worst_ns = stale_ns;
}

static ryw_scan scan(const check_input *in) {
    const hist *h = in->h;
    ryw_scan r = { 0, 0, HIST_NONE, HIST_NONE, 0, { 0 } };
    size_t cells = (size_t)in->s->node_count * SH_KEYS_MAX;
    uint32_t *own = malloc(cells * sizeof *own);                 /* the session's newest ok deposit */
    SIM_ASSERT(own != NULL);
    for (size_t i = 0; i < cells; i++) own[i] = HIST_NONE;
    for (uint32_t o = 0; o < h->op_count; o++) {
        const hist_op *op = &h->ops[o];
        int k = sh_key_index(op->key);
        if (k < 0 || op->node < 0 || op->result != HIST_OK || !op->has_value_out) continue;
        uint32_t *cell = &own[(size_t)op->node * SH_KEYS_MAX + (size_t)k];
        if (op->f == SH_F_DEPOSIT && (*cell == HIST_NONE || h->ops[*cell].value_out < op->value_out)) *cell = o;
        else if (op->f == SH_F_READ && *cell != HIST_NONE) judge(h, o, *cell, &r);
    }
    free(own);
    return r;
}

static void tell(const check_input *in, const ryw_scan *r, check_result *out) {
    const hist *h = in->h;
    const hist_op *rd = &h->ops[r->worst], *w = &h->ops[r->worst_write];
    const char *who = story_node(in->s, rd->node);
    story st;
    story_init(&st, in->s);
    sim_time committed = sh_commit_time(h, w->key, w->value_out);
    story_add(&st, committed, "%s deposited %" PRId64 " into %s: version %" PRId64 " committed at its primary at %s",
              who, w->delta, w->key, w->value_out, story_t(committed).s);
    const hist_effect *serve = effect_of(h, SH_EFF_SERVE, r->worst);
    const hist_effect *wait = effect_of(h, SH_EFF_WAIT, r->worst);
    uint64_t mask = story_bit(rd->node);
    if (serve != NULL) {
        mask |= story_bit(serve->node);
        story_add(&st, serve->t_ns, "%s read %s at %s from %s, which had applied the log up to #%" PRId64
                  ": it got version %" PRId64 " (%s)%s", who, rd->key, story_t(rd->invoke_ns).s,
                  story_node(in->s, serve->node), serve->aux, rd->value_out, rd->note,
                  wait != NULL ? ", after waiting" : "");
        for (uint32_t k = 0; k < h->effect_count; k++) {
            const hist_effect *x = &h->effects[k];
            if (x->kind != SH_EFF_APPLY || x->node != serve->node || hist_effect_version(h, x) != w->value_out ||
                strcmp(x->key, w->key) != 0) continue;
            story_add(&st, x->t_ns, "%s applied version %" PRId64 " only at %s, %s after it committed",
                      story_node(in->s, x->node), hist_effect_version(h, x), story_t(x->t_ns).s, story_t(x->t_ns - committed).s);
            break;
        }
    }
    story_add_faults(&st, mask, w->invoke_ns, rd->complete_ns);
    story_conclude(&st, "so %u of %u reads after the session's own deposit missed it; the worst came back "
                   "%s after the version it missed committed", r->stale, r->after_write, story_t(r->worst_ns).s);
    story_buf b;
    story_buf_init(&b);
    story_render(&st, &b);
    out->story = story_buf_take(&b);
    story_free(&st);
}

static void check_run_ryw(const check_input *in, check_result *out) {
    SIM_ASSERT(in != NULL);
    SIM_ASSERT(in->h != NULL);
    check_result_start(out, "read-your-writes");
    ryw_scan r = scan(in);
    if (r.stale == 0) {
        snprintf(out->summary, sizeof out->summary, "%u reads after the session's own deposit, none missed it",
                 r.after_write);
        sim_time wait = sh_longest_read_wait(in->h);
        if (wait > 0)
            story_appendf(out->summary, sizeof out->summary, "; a replica held a read up to %s until it caught up",
                          story_t(wait).s);
        return;
    }
    const hist_op *rd = &in->h->ops[r.worst], *w = &in->h->ops[r.worst_write];
    out->verdict = CHECK_VIOLATION;
    snprintf(out->summary, sizeof out->summary, "%u of %u reads after the session's own deposit missed it; "
             "worst: %s read %s v%" PRId64 " (%s), %s after its own v%" PRId64 " committed", r.stale,
             r.after_write, story_node(in->s, rd->node), rd->key, rd->value_out, rd->note,
             story_t(r.worst_ns).s, w->value_out);
    out->evidence_count = r.stale < CHECK_EVIDENCE_MAX ? r.stale : CHECK_EVIDENCE_MAX;
    memcpy(out->evidence_ops, r.evidence, sizeof r.evidence);
    snprintf(out->evidence_label, sizeof out->evidence_label, "missed own write");
    if (!in->no_story) tell(in, &r, out);
}

/* The check's entry in the registry (sim/check/check.c). */
const check_desc check_read_your_writes = {
    .name = "read-your-writes",
    .summary = "a session read a version older than one it had written (Terry et al. 1994)",
    .run = check_run_ryw,
    .protocols = { "sharded-kv" },
};
