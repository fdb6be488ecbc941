/* availability.c -- the share of requests answered on each side of a
 * partition (Gilbert and Lynch 2002: "every request received by a
 * non-failing node must result in a response"; here a response that does
 * the request, ok, counts as answered; a refusal or a timeout does not).
 *
 * Evidence: the clients' READ and WRITE ops (register-rw), the scenario's
 * partitions, and the target the workload recorded (HIST_EFF_REG_TARGET,
 * in ppm).  Each partition (a `partition` fault, until the next partition,
 * a heal or the horizon) splits the nodes into sides; an op invoked during
 * it counts on the side of its client.  A side is the majority side when it
 * holds more than half of the servers (the nodes that invoked no op: the
 * replicas), else a minority side.  Without a partition every op counts on
 * one side, "all clients".
 *
 * Verdict: violation when a side that got requests answered a smaller share
 * than the target; the summary names the worst side and, beside it, the
 * other sides of the same partition.  Invariant: sides are visited in
 * (partition, group) order, so ties name the first.  O(ops + faults).
 */
#include "sim/check/check_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/register/register.h"

#define AV_TARGET_DEFAULT 990000u

typedef struct av_side {
    uint32_t window;              /* index into the windows */
    uint32_t group;
    uint64_t nodes;               /* its nodes (bit i = node i) */
    uint32_t total, ok;
    uint32_t first_miss;          /* the first op not answered, HIST_NONE if none */
} av_side;

typedef struct av_window {
    sim_time from, to;
    const scn_fault *f;           /* NULL = the whole run, no partition */
} av_window;

static bool is_request(hist_f f) { return f == HIST_F_READ || f == HIST_F_WRITE; }

/* Nodes that invoked an op (bit i = node i). */
static uint64_t client_mask(const hist *h) {
    uint64_t m = 0;
    for (uint32_t i = 0; i < h->op_count; i++) m |= story_bit(h->ops[i].node);
    return m;
}

/* The partitions, in time order; one whole-run window when there is none. */
static uint32_t windows_of(const scn *s, sim_time horizon, av_window *w) {
    uint32_t n = 0;
    for (uint32_t i = 0; s != NULL && i < s->fault_count; i++) {
        const scn_fault *f = &s->faults[i];
        if (f->kind != SCN_FAULT_PARTITION && f->kind != SCN_FAULT_HEAL) continue;
        if (n > 0 && w[n - 1].to == SIM_TIME_NEVER) w[n - 1].to = f->at_ns;
        if (f->kind == SCN_FAULT_PARTITION) w[n++] = (av_window){ f->at_ns, SIM_TIME_NEVER, f };
    }
    if (n > 0 && w[n - 1].to == SIM_TIME_NEVER) w[n - 1].to = horizon;
    if (n == 0) w[n++] = (av_window){ 0, horizon, NULL };
    return n;
}

static uint32_t build_sides(const scn *s, const av_window *w, uint32_t wn, av_side *sides) {
    uint32_t n = 0;
    for (uint32_t k = 0; k < wn; k++) {
        uint32_t groups = w[k].f ? w[k].f->group_count : 1;
        for (uint32_t g = 0; g < groups; g++) {
            av_side *x = &sides[n++];
            *x = (av_side){ .window = k, .group = g, .first_miss = HIST_NONE };
            for (uint32_t i = 0; s != NULL && i < s->node_count; i++)
                if (w[k].f == NULL || w[k].f->group[i] == g) x->nodes |= story_bit((int32_t)i);
        }
    }
    return n;
}

static void count_ops(const hist *h, const av_window *w, uint32_t wn, av_side *sides, uint32_t sn) {
    for (uint32_t i = 0; i < h->op_count; i++) {
        const hist_op *op = &h->ops[i];
        if (!is_request(op->f)) continue;
        for (uint32_t s = 0; s < sn; s++) {
            av_side *x = &sides[s];
            const av_window *win = &w[x->window];
            if (op->invoke_ns < win->from || op->invoke_ns >= win->to) continue;
            if (!(x->nodes & story_bit(op->node))) continue;
            x->total++;
            if (op->result == HIST_OK) x->ok++;
            else if (x->first_miss == HIST_NONE) x->first_miss = i;
        }
    }
    (void)wn;
}

static bool below(const av_side *x, uint32_t target_ppm) {
    return x->total > 0 && (uint64_t)x->ok * 1000000u < (uint64_t)target_ppm * x->total;
}

static void pct(char *buf, size_t len, uint64_t num, uint64_t den) {
    uint64_t p = den ? num * 1000u / den : 0;            /* tenths of a percent, rounded down */
    if (p % 10 == 0) snprintf(buf, len, "%" PRIu64 "%%", p / 10);
    else snprintf(buf, len, "%" PRIu64 ".%" PRIu64 "%%", p / 10, p % 10);
}

/* "minority side (c2, replica3)" */
static void side_name(const scn *s, const av_side *x, uint64_t servers, const av_window *w,
                      char *buf, size_t len) {
    char names[256];
    story_names(s, x->nodes, names, sizeof names);
    if (w->f == NULL) { snprintf(buf, len, "all clients"); return; }
    uint32_t have = 0, all = 0;
    for (uint32_t i = 0; i < 64; i++) {
        all += (uint32_t)(servers >> i & 1u);
        have += (uint32_t)((servers & x->nodes) >> i & 1u);
    }
    snprintf(buf, len, "%s side (%s)", 2 * have > all ? "majority" : "minority", names);
}

static uint32_t worst_side(const av_side *sides, uint32_t n) {
    uint32_t b = UINT32_MAX;
    for (uint32_t i = 0; i < n; i++) {
        if (sides[i].total == 0) continue;
        if (b == UINT32_MAX || (uint64_t)sides[i].ok * sides[b].total < (uint64_t)sides[b].ok * sides[i].total)
            b = i;
    }
    return b;
}

static void av_story(const check_input *in, const av_side *x, const av_window *w, const char *name,
                     const char *share, const char *target, check_result *out) {
    const hist *h = in->h;
    story st;
    story_init(&st, in->s);
    story_add_faults(&st, ~0ull, w->from, w->to);       /* the partition that cut this side off */
    const hist_op *m = &h->ops[x->first_miss];
    story_add(&st, m->invoke_ns, "%s asked at %s; %s at %s (%s)", story_node(in->s, m->node),
              story_t(m->invoke_ns).s, hist_result_name(m->result),
              story_t(m->complete_ns == SIM_TIME_NEVER ? w->to : m->complete_ns).s,
              m->note[0] ? m->note : "no answer");
    story_conclude(&st, "so the %s answered %u of %u requests (%s) during the partition (%s..%s), "
                   "below the target %s", name, x->ok, x->total, share, story_t(w->from).s,
                   story_t(w->to).s, target);
    story_buf sb;
    story_buf_init(&sb);
    story_render(&st, &sb);
    out->story = story_buf_take(&sb);
    story_free(&st);
}

static uint32_t target_of(const hist *h) {
    for (uint32_t i = 0; i < h->effect_count; i++)
        if (h->effects[i].kind == HIST_EFF_REG_TARGET) return (uint32_t)h->effects[i].value;
    return AV_TARGET_DEFAULT;
}

/* "; majority side (c1, r1, r2) answered 20 of 20 (100%)" for the window's other sides. */
static void others(const check_input *in, const av_side *sides, uint32_t n, uint32_t worst,
                   uint64_t servers, const av_window *w, check_result *out) {
    for (uint32_t i = 0; i < n; i++) {
        const av_side *x = &sides[i];
        if (i == worst || x->window != sides[worst].window || x->total == 0) continue;
        char name[320], share[16];
        side_name(in->s, x, servers, &w[x->window], name, sizeof name);
        pct(share, sizeof share, x->ok, x->total);
        story_appendf(out->summary, sizeof out->summary, "; %s answered %u of %u (%s)", name, x->ok,
                      x->total, share);
    }
}

static void check_run_availability(const check_input *in, check_result *out) {
    SIM_ASSERT(in != NULL);
    SIM_ASSERT(in->h != NULL);
    check_result_start(out, "availability");
    const hist *h = in->h;
    uint32_t cap = (in->s ? in->s->fault_count : 0) + 1;
    av_window *w = sim_xmalloc(cap * sizeof *w);
    uint32_t wn = windows_of(in->s, check_horizon(in), w);
    av_side *sides = sim_xmalloc(cap * SIM_NODES_MAX * sizeof *sides);
    uint32_t sn = build_sides(in->s, w, wn, sides);
    count_ops(h, w, wn, sides, sn);
    uint32_t target = target_of(h);
    uint64_t servers = in->s ? (((in->s->node_count >= 64 ? 0 : (1ull << in->s->node_count)) - 1u) &
                                ~client_mask(h)) : 0;
    uint32_t b = worst_side(sides, sn);
    char ts[16];
    pct(ts, sizeof ts, target, 1000000u);
    if (b == UINT32_MAX) {
        snprintf(out->summary, sizeof out->summary, "no request to judge (target %s)", ts);
    } else {
        const av_side *x = &sides[b];
        const av_window *win = &w[x->window];
        char name[320], share[16];
        side_name(in->s, x, servers, win, name, sizeof name);
        pct(share, sizeof share, x->ok, x->total);
        bool bad = below(x, target);
        if (win->f) story_appendf(out->summary, sizeof out->summary, "%s answered %u of %u requests (%s) "
                             "during the partition (%s..%s)", name, x->ok, x->total, share,
                             story_t(win->from).s, story_t(win->to).s);
        else story_appendf(out->summary, sizeof out->summary, "no partition; %s: %u of %u requests "
                      "answered (%s)", name, x->ok, x->total, share);
        others(in, sides, sn, b, servers, w, out);
        story_appendf(out->summary, sizeof out->summary, "; target %s", ts);
        if (bad) {
            out->verdict = CHECK_VIOLATION;
            out->evidence_ops[out->evidence_count++] = x->first_miss;
            snprintf(out->evidence_label, sizeof out->evidence_label, "not answered");
            if (!in->no_story) av_story(in, x, win, name, share, ts, out);
        }
    }
    free(sides);
    free(w);
}

/* The check's entry in the registry (sim/check/check.c). */
const check_desc check_availability = {
    .name = "availability",
    .summary = "the share of requests answered (ok) on each side of a partition, against the "
        "workload's target",
    .run = check_run_availability,
    .workloads = { "register-rw" },
};
