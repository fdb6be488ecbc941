/* shard_monotonic.c -- monotonic reads (Terry et al. 1994, "Session
 * Guarantees for Weakly Consistent Replicated Data"): a session's reads of
 * a key never return a version older than one an earlier read of that
 * session returned (sharded-kv, docs/protocols/sharding.md).
 *
 * Evidence: the sessions' ok READ ops (value_out = the version read), the
 * SERVE effect of each (which node answered), the primaries' COMMIT
 * effects (when each version committed).  Clients are sequential, so in
 * op-id order each session's earlier reads have completed.  VIOLATION when
 * a read went back in time; the summary names the worst: how long the
 * newer version it had already seen had been committed ("seconds stale").
 * Invariant: best[node][key] only grows; keys are "acctN", N <= SH_KEYS_MAX.
 */
#include "sim/check/check_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/shard/shard.h"

typedef struct mr_scan {
    uint32_t reads, back;             /* ok reads; those that went back in time */
    uint32_t worst, worst_before;     /* the worst and the earlier read it went back from */
    sim_time worst_ns;
    uint32_t evidence[CHECK_EVIDENCE_MAX];
} mr_scan;

static const hist_effect *serve_of(const hist *h, uint32_t op) {
    for (uint32_t k = 0; k < h->effect_count; k++)
        if (h->effects[k].kind == SH_EFF_SERVE && h->effects[k].op == op) return &h->effects[k];
    return NULL;
}

static void judge(const hist *h, uint32_t o, uint32_t before, mr_scan *r) {
    const hist_op *op = &h->ops[o];
    if (op->value_out >= h->ops[before].value_out) return;
    if (r->back < CHECK_EVIDENCE_MAX) r->evidence[r->back] = o;
    r->back++;
    sim_time stale_ns = op->complete_ns - sh_commit_time(h, op->key, op->value_out + 1);
    if (r->worst != HIST_NONE && stale_ns <= r->worst_ns) return;
    r->worst = o;
    r->worst_before = before;
    r->worst_ns = stale_ns;
}

static mr_scan scan(const check_input *in) {
    const hist *h = in->h;
    mr_scan r = { 0, 0, HIST_NONE, HIST_NONE, 0, { 0 } };
    size_t cells = (size_t)in->s->node_count * SH_KEYS_MAX;
    uint32_t *best = malloc(cells * sizeof *best);               /* the newest version an earlier read saw */
    SIM_ASSERT(best != NULL);
    for (size_t i = 0; i < cells; i++) best[i] = HIST_NONE;
    for (uint32_t o = 0; o < h->op_count; o++) {
        const hist_op *op = &h->ops[o];
        int k = sh_key_index(op->key);
        if (op->f != SH_F_READ || k < 0 || op->node < 0 || op->result != HIST_OK || !op->has_value_out) continue;
        r.reads++;
        uint32_t *cell = &best[(size_t)op->node * SH_KEYS_MAX + (size_t)k];
        if (*cell != HIST_NONE) judge(h, o, *cell, &r);
        if (*cell == HIST_NONE || h->ops[*cell].value_out < op->value_out) *cell = o;
    }
    free(best);
    return r;
}

static void tell_read(const check_input *in, story *st, uint32_t o, const char *when) {
    const hist_op *op = &in->h->ops[o];
    const hist_effect *serve = serve_of(in->h, o);
    if (serve == NULL) return;
    story_add(st, serve->t_ns, "%s read %s at %s from %s, which had applied the log up to #%" PRId64
              ": version %" PRId64 " (%s)%s", story_node(in->s, op->node), op->key, story_t(op->invoke_ns).s,
              story_node(in->s, serve->node), serve->aux, op->value_out, op->note, when);
}

static void tell(const check_input *in, const mr_scan *r, check_result *out) {
    const hist *h = in->h;
    const hist_op *rd = &h->ops[r->worst], *before = &h->ops[r->worst_before];
    story st;
    story_init(&st, in->s);
    sim_time committed = sh_commit_time(h, before->key, before->value_out);
    if (committed > 0)
        story_add(&st, committed, "version %" PRId64 " of %s committed at its primary at %s", before->value_out,
                  before->key, story_t(committed).s);
    tell_read(in, &st, r->worst_before, "");
    tell_read(in, &st, r->worst, ": back in time");
    const hist_effect *a = serve_of(h, r->worst_before), *b = serve_of(h, r->worst);
    uint64_t mask = story_bit(rd->node) | (a ? story_bit(a->node) : 0) | (b ? story_bit(b->node) : 0);
    story_add_faults(&st, mask, before->invoke_ns, rd->complete_ns);
    story_conclude(&st, "so %u of %u reads returned an older version than the session had already read; the "
                   "worst came back %s after the newer version committed", r->back, r->reads,
                   story_t(r->worst_ns).s);
    story_buf sb;
    story_buf_init(&sb);
    story_render(&st, &sb);
    out->story = story_buf_take(&sb);
    story_free(&st);
}

static void check_run_monotonic(const check_input *in, check_result *out) {
    SIM_ASSERT(in != NULL);
    SIM_ASSERT(in->h != NULL);
    check_result_start(out, "monotonic-reads");
    mr_scan r = scan(in);
    if (r.back == 0) {
        snprintf(out->summary, sizeof out->summary, "%u reads, none went back in time", r.reads);
        sim_time wait = sh_longest_read_wait(in->h);
        if (wait > 0)
            story_appendf(out->summary, sizeof out->summary, "; a replica held a read up to %s until it caught up",
                          story_t(wait).s);
        return;
    }
    const hist_op *rd = &in->h->ops[r.worst], *before = &in->h->ops[r.worst_before];
    out->verdict = CHECK_VIOLATION;
    snprintf(out->summary, sizeof out->summary, "%u of %u reads went back in time; worst: %s read %s v%" PRId64
             " (%s) after v%" PRId64 " (%s), %s after v%" PRId64 " committed", r.back, r.reads,
             story_node(in->s, rd->node), rd->key, rd->value_out, rd->note, before->value_out, before->note,
             story_t(r.worst_ns).s, rd->value_out + 1);
    out->evidence_count = r.back < CHECK_EVIDENCE_MAX ? r.back : CHECK_EVIDENCE_MAX;
    memcpy(out->evidence_ops, r.evidence, sizeof r.evidence);
    snprintf(out->evidence_label, sizeof out->evidence_label, "read back in time");
    if (!in->no_story) tell(in, &r, out);
}

/* The check's entry in the registry (sim/check/check.c). */
const check_desc check_monotonic_reads = {
    .name = "monotonic-reads",
    .summary = "a session read an older version than an earlier read of it returned (Terry et al. 1994)",
    .run = check_run_monotonic,
    .protocols = { "sharded-kv" },
};
