/* lost_writes.c -- acknowledged writes that vanished: a replica dropped a
 * version for one that had not seen it (last-writer-wins on heal, or a
 * slow clock's older timestamp), and with it every write of its lineage
 * that no surviving version descends from.
 *
 * Evidence: the clients' ok WRITE ops; the replicas' HIST_EFF_REG_STORE
 * effects (op = the write, token = its parent: the write it was written
 * over) and HIST_EFF_REG_DISCARD effects (op = the dropped write, token =
 * its parent, aux = the winner's value).  The survivors are the versions
 * the replicas hold at the end (each replica's last STORE); a write is
 * safe when it lies on a survivor's chain of parents.  Walking back from
 * each dropped version, every write not safe is lost (the minority side's
 * writes during a partition, not only its last); an acknowledged one
 * counts, once; a write whose outcome was unknown (info) does not, since
 * nobody was told it happened.  A run with no drop (cp, siblings) loses
 * nothing by construction: concurrent quorum writes are ordered, not lost.
 *
 * Verdict: violation when at least one acknowledged write was lost; the
 * summary says how many of the acknowledged writes, and the first drop.
 * Invariant: each op is marked at most once (safe or lost), so the walks
 * take O(ops + effects) together.
 */
#include "sim/check/check_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/register/register.h"

static bool acked_write(const hist *h, uint32_t op) {
    return op < h->op_count && h->ops[op].f == HIST_F_WRITE && h->ops[op].result == HIST_OK;
}

static bool is_version(hist_eff_kind k) { return k == HIST_EFF_REG_STORE || k == HIST_EFF_REG_DISCARD; }

typedef struct lw_map {
    uint32_t *parent;             /* per op: its parent write, HIST_NONE = none */
    uint8_t *mark;                /* per op: 0 not walked, 1 safe, 2 lost */
} lw_map;

/* Marks op and its ancestors `m` until one is marked already; returns how
 * many acknowledged writes it marked. */
static uint32_t walk(const hist *h, lw_map *x, uint32_t op, uint8_t m) {
    uint32_t n = 0;
    for (uint32_t steps = 0; op < h->op_count && x->mark[op] == 0; steps++) {
        SIM_ASSERT(steps <= h->op_count);          /* parents form chains, not cycles */
        x->mark[op] = m;
        n += acked_write(h, op);
        op = x->parent[op];
    }
    return n;
}

/* Parents from the version effects; the survivors' chains marked safe. */
static void build(const hist *h, const scn *s, lw_map *x) {
    uint32_t nodes = s ? s->node_count : 0;
    uint32_t *last = sim_xmalloc((nodes + 1u) * sizeof *last);
    for (uint32_t i = 0; i <= nodes; i++) last[i] = HIST_NONE;
    for (uint32_t i = 0; i < h->op_count; i++) x->parent[i] = HIST_NONE;
    for (uint32_t i = 0; i < h->effect_count; i++) {
        const hist_effect *e = &h->effects[i];
        if (!is_version(e->kind) || e->op >= h->op_count) continue;
        x->parent[e->op] = (uint32_t)hist_effect_token(h, e);
        if (e->kind == HIST_EFF_REG_STORE && e->node >= 0 && (uint32_t)e->node < nodes)
            last[e->node] = e->op;
    }
    for (uint32_t i = 0; i < nodes; i++)
        if (last[i] != HIST_NONE) walk(h, x, last[i], 1);
    free(last);
}

static void lw_story(const check_input *in, const hist_effect *x, uint32_t lost, uint32_t acked,
                     uint32_t with, check_result *out) {
    story st;
    story_init(&st, in->s);
    const hist_op *w = &in->h->ops[x->op];
    story_add(&st, w->invoke_ns, "%s wrote %" PRId64 " at %s, acknowledged at %s",
              story_node(in->s, w->node), w->value_in, story_t(w->invoke_ns).s,
              story_t(w->complete_ns).s);
    char nor[96] = "";
    if (with > 1) snprintf(nor, sizeof nor, ", nor the %u acknowledged writes it was written over",
                           with - 1);
    story_add(&st, x->t_ns, "%s dropped %" PRId64 " (timestamp %s) at %s for %" PRId64
              " (timestamp %s), which had not seen it%s", story_node(in->s, x->node), x->value,
              story_t(hist_effect_version(in->h, x)).s, story_t(x->t_ns).s, x->aux, story_t(x->epoch).s, nor);
    story_add_faults(&st, ~0ull, w->invoke_ns, x->t_ns);
    story_conclude(&st, "so %u of the %u acknowledged writes are gone (%u with this drop): no "
                   "replica's version descends from them, and no reader will see them again",
                   lost, acked, with);
    story_buf sb;
    story_buf_init(&sb);
    story_render(&st, &sb);
    out->story = story_buf_take(&sb);
    story_free(&st);
}

static void check_run_lost_writes(const check_input *in, check_result *out) {
    SIM_ASSERT(in != NULL);
    SIM_ASSERT(in->h != NULL);
    check_result_start(out, "lost-writes");
    const hist *h = in->h;
    lw_map x = { sim_xmalloc((h->op_count + 1u) * sizeof *x.parent), calloc(h->op_count + 1u, 1) };
    SIM_ASSERT(x.mark != NULL);
    build(h, in->s, &x);
    uint32_t acked = 0, lost = 0, first = HIST_NONE, first_n = 0;
    for (uint32_t i = 0; i < h->op_count; i++) acked += acked_write(h, i);
    for (uint32_t i = 0; i < h->effect_count; i++) {
        const hist_effect *e = &h->effects[i];
        if (e->kind != HIST_EFF_REG_DISCARD || e->op >= h->op_count) continue;
        uint32_t n = walk(h, &x, e->op, 2);
        if (n == 0) continue;
        lost += n;
        if (first == HIST_NONE) { first = i; first_n = n; }
        if (out->evidence_count < CHECK_EVIDENCE_MAX) out->evidence_ops[out->evidence_count++] = e->op;
    }
    if (lost == 0) {
        snprintf(out->summary, sizeof out->summary, "none of the %u acknowledged writes was lost",
                 acked);
    } else {
        const hist_effect *e = &h->effects[first];
        const hist_op *w = &h->ops[e->op];
        out->verdict = CHECK_VIOLATION;
        snprintf(out->evidence_label, sizeof out->evidence_label, "lost write");
        snprintf(out->summary, sizeof out->summary, "%u of %u acknowledged writes lost; first %s at "
                 "%s dropped %s's %" PRId64 " (ok at %s) for %" PRId64 ", which had not seen it",
                 lost, acked, story_node(in->s, e->node), story_t(e->t_ns).s,
                 story_node(in->s, w->node), e->value, story_t(w->complete_ns).s, e->aux);
        if (!in->no_story) lw_story(in, e, lost, acked, first_n, out);
    }
    free(x.parent);
    free(x.mark);
}

/* The check's entry in the registry (sim/check/check.c). */
const check_desc check_lost_writes = {
    .name = "lost-writes",
    .summary = "acknowledged writes gone for good: a replica dropped their lineage for a version "
        "that had not seen it (last-writer-wins)",
    .run = check_run_lost_writes,
    .protocols = { "replicated-register" },
};
