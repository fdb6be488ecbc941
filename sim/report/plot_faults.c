/* plot_faults.c -- the scenario's scripted faults and clocks on the timeline.
 *
 * A pause is a hatched band in the middle row of the node's lane (under
 * what the node believed and what the service held for it, over its
 * operations: each in its own row, not stacked); a crash is an X and a shaded
 * stretch until the restart (a `for:` or a `restart` fault) or the end;
 * partitions shade each side's lanes in its own colour until the next
 * partition or a heal; cuts shade the lanes at both ends of the cut links;
 * link delays shade the sending lanes while they last.  Each node's clock
 * error (wall clock - true time) is replayed from the scenario with the
 * engine's own clock model (sim/clock.h), so it is exact, and drawn as a
 * thin line through its lane, scaled to the node's largest error.
 *
 * Invariant: faults are read in the loader's order (sorted by `at`, file
 * order for ties), the order the engine applies them in.  Trade-off: the
 * network state is re-derived here rather than logged by the engine; the
 * rules (a partition replaces earlier partitions and cuts, heal ends all)
 * are net.c's and docs/engine.md's.
 */
#include "sim/report/plot_mech.h"

#include <stdio.h>
#include <string.h>

#include "sim/clock.h"

static const uint32_t side_rgb[] = { 0xf4a261u, 0x8ecae6u, 0xb5e48cu, 0xcdb4dbu, 0xffd166u };
#define CUT_RGB   0xe07a9fu
#define DELAY_RGB 0xf2cc8fu
/* A pause's band: the middle row, between the held bar and the ops. */
enum { PAUSE_LO = PLOT_MID_LO - 3, PAUSE_HI = PLOT_HELD_LO - 2 };

/* ----------------------------------------------------------- nodes */

sim_time plot_restart_after(const scn *s, uint32_t crash) {
    SIM_ASSERT(crash < s->fault_count);
    const scn_fault *c = &s->faults[crash];
    SIM_ASSERT(scn_fault_crashes(c->kind));
    if (c->for_ns > 0) return c->at_ns + c->for_ns;
    for (uint32_t i = crash + 1; i < s->fault_count; i++) {
        const scn_fault *f = &s->faults[i];
        if (f->kind == SCN_FAULT_RESTART && f->node == c->node) return f->at_ns;
    }
    return SIM_TIME_NEVER;
}

static void draw_pause(plot_tl *t, const scn_fault *f) {
    SIM_ASSERT(f->kind == SCN_FAULT_PAUSE);
    SIM_ASSERT(f->for_ns > 0);                  /* the loader requires a pause's `for` */
    int32_t y = plot_lane_y(t, f->node);
    plot_box(t, PB_HATCH, f->at_ns, f->at_ns + f->for_ns, y + PAUSE_LO, y + PAUSE_HI, PLOT_GREY);
    t->legend |= PL_PAUSE;
    char d[32];
    plot_fmt_span(d, sizeof d, f->for_ns);
    plot_label(t, f->node, f->at_ns, PLOT_ROW_LOW, PLOT_GREY, false, "paused %s (GC)", d);
}

static void draw_crash(plot_tl *t, uint32_t index) {
    const scn_fault *f = &t->s->faults[index];
    int32_t y = plot_lane_y(t, f->node);
    sim_time up = plot_restart_after(t->s, index);
    SIM_ASSERT(up == SIM_TIME_NEVER || up >= f->at_ns);   /* faults are sorted by `at` */
    plot_box(t, PB_DOWN, f->at_ns, up == SIM_TIME_NEVER ? t->end : up, y - PLOT_LANE_HALF,
             y + PLOT_LANE_HALF, PLOT_GREY);
    plot_mark(t, PB_STAR, f->at_ns, y, 0x222222u);   /* grammar: crash = star */
    t->legend |= PL_DOWN;
    plot_label(t, f->node, f->at_ns, PLOT_ROW_LOW, 0x222222u, false,
               f->kind == SCN_FAULT_POWER_LOSS ? "power loss" : "crash");
    if (up == SIM_TIME_NEVER || up > t->end) return;
    plot_mark(t, PB_PENTAGON, up, y, 0x222222u);      /* grammar: restart = pentagon */
    plot_label(t, f->node, up, PLOT_ROW_LOW, 0x222222u, false, "restart");
}

/* --------------------------------------------------------- network */

typedef struct net_span {
    uint32_t fault;              /* a PARTITION, CUT or DELAY fault */
    sim_time from, to;
} net_span;

static void shade_lanes(plot_tl *t, uint64_t mask, sim_time from, sim_time to, uint32_t rgb) {
    SIM_ASSERT(mask != 0);                      /* the loader refuses empty node sets */
    for (uint32_t n = 0; n < t->s->node_count && n < SIM_MASK_NODES; n++) {   /* mask >> n */
        if (!(mask >> n & 1u)) continue;
        int32_t y = plot_lane_y(t, (int32_t)n);
        plot_box(t, PB_SHADE, from, to, y - PLOT_LANE_HALF, y + PLOT_LANE_HALF, rgb);
    }
    t->legend |= PL_NET;
}

static int32_t first_node(uint64_t mask) {
    SIM_ASSERT(mask != 0);
    for (int32_t n = 0; n < 64; n++)
        if (mask >> n & 1u) return n;
    return -1;
}

static void names_of(const scn *s, uint64_t mask, char *buf, size_t len) {
    SIM_ASSERT(len > 0);
    SIM_ASSERT(mask != 0);
    buf[0] = '\0';
    for (uint32_t n = 0; n < s->node_count && n < SIM_MASK_NODES; n++) {
        if (!(mask >> n & 1u)) continue;
        size_t used = strlen(buf);
        snprintf(buf + used, len - used, "%s%s", used ? ", " : "", s->nodes[n].name);
    }
}

static void draw_partition(plot_tl *t, const net_span *sp) {
    const scn_fault *f = &t->s->faults[sp->fault];
    SIM_ASSERT(f->kind == SCN_FAULT_PARTITION);
    SIM_ASSERT(f->group_count >= 1);
    uint64_t masks[SIM_MASK_NODES + 1] = { 0 };   /* the lanes of the first 64 nodes */
    uint32_t groups = 0;
    for (uint32_t n = 0; n < t->s->node_count && n < SIM_MASK_NODES; n++) {
        uint32_t g = scn_fault_group(t->s, f, n);
        if (g > SIM_MASK_NODES) continue;
        masks[g] |= (uint64_t)1 << n;
        if (g + 1u > groups) groups = g + 1u;
    }
    for (uint32_t g = 0; g < groups; g++) {
        if (masks[g] == 0) continue;
        uint32_t rgb = side_rgb[g % (sizeof side_rgb / sizeof side_rgb[0])];
        shade_lanes(t, masks[g], sp->from, sp->to, rgb);
        char names[256];
        names_of(t->s, masks[g], names, sizeof names);
        plot_label(t, first_node(masks[g]), sp->from, PLOT_ROW_LOW, PLOT_GREY, false,
                   "partition side %u: %s", g + 1u, names);
    }
}

/* A cut, a link delay or a loss burst (shaded as a delay). */
static void draw_cut_or_delay(plot_tl *t, const net_span *sp) {
    const scn_fault *f = &t->s->faults[sp->fault];
    bool loss = f->kind == SCN_FAULT_LINK_LOSS;
    bool delay = f->kind == SCN_FAULT_LINK_DELAY || loss;
    SIM_ASSERT(delay || f->kind == SCN_FAULT_CUT);
    SIM_ASSERT(f->to_mask != 0);
    uint64_t ends = delay ? f->from_mask : f->from_mask | f->to_mask;
    shade_lanes(t, ends, sp->from, sp->to, delay ? DELAY_RGB : CUT_RGB);
    char to[256], by[32];
    names_of(t->s, f->to_mask, to, sizeof to);
    if (loss) {
        plot_label(t, first_node(f->from_mask), sp->from, PLOT_ROW_LOW, PLOT_GREY, false,
                   "%u%% of messages %s %s lost", (unsigned)(f->loss_ppm / 10000),
                   f->both ? "<->" : "->", to);
    } else if (delay) {
        plot_fmt_span(by, sizeof by, f->by_ns);
        plot_label(t, first_node(f->from_mask), sp->from, PLOT_ROW_LOW, PLOT_GREY, false,
                   "messages to %s delayed %s", to, by);
    } else {
        plot_label(t, first_node(f->from_mask), sp->from, PLOT_ROW_LOW, PLOT_GREY, false,
                   "cut %s %s", f->both ? "<->" : "->", to);
    }
}

/* Ends the open network spans (partitions and cuts) at `at`. */
static void close_spans(plot_tl *t, net_span *open, uint32_t *n, sim_time at) {
    SIM_ASSERT(*n <= SCN_FAULTS_MAX);
    for (uint32_t i = 0; i < *n; i++) {
        open[i].to = at;
        if (t->s->faults[open[i].fault].kind == SCN_FAULT_PARTITION) draw_partition(t, &open[i]);
        else draw_cut_or_delay(t, &open[i]);
    }
    *n = 0;
}

static void draw_network(plot_tl *t) {
    net_span open[SCN_FAULTS_MAX];
    uint32_t n = 0;
    SIM_ASSERT(t->s->fault_count <= SCN_FAULTS_MAX);   /* so open[] holds every span */
    for (uint32_t i = 0; i < t->s->fault_count; i++) {
        const scn_fault *f = &t->s->faults[i];
        if (f->kind == SCN_FAULT_LINK_DELAY || f->kind == SCN_FAULT_LINK_LOSS) {
            net_span sp = { i, f->at_ns, f->at_ns + f->for_ns };
            draw_cut_or_delay(t, &sp);
        } else if (f->kind == SCN_FAULT_PARTITION || f->kind == SCN_FAULT_HEAL) {
            close_spans(t, open, &n, f->at_ns);
        }
        if ((f->kind == SCN_FAULT_PARTITION || f->kind == SCN_FAULT_CUT) && n < SCN_FAULTS_MAX)
            open[n++] = (net_span){ i, f->at_ns, t->end };
    }
    close_spans(t, open, &n, t->end);
}

void plot_build_faults(plot_tl *t) {
    SIM_ASSERT(t != NULL);
    SIM_ASSERT(t->s != NULL);
    draw_network(t);
    for (uint32_t i = 0; i < t->s->fault_count; i++) {
        const scn_fault *f = &t->s->faults[i];
        if (f->at_ns > t->end) break;
        if (f->kind == SCN_FAULT_PAUSE) draw_pause(t, f);
        else if (scn_fault_crashes(f->kind)) draw_crash(t, i);
    }
}

/* ----------------------------------------------------------- clocks */

/* The node's clock after every clock fault at or before t (faults run
 * before anything else at their instant, as in the engine). */
static sim_clock clock_at(const scn *s, int32_t node, sim_time t, uint32_t *next_fault) {
    sim_clock c;
    SIM_ASSERT(node >= 0);
    SIM_ASSERT((uint32_t)node < s->node_count);
    const scn_clock *init = &s->clocks[node];
    clock_init(&c, init->set ? init->offset_ns : 0, init->set ? init->rate_ppm : CLOCK_RATE_ONE);
    uint32_t i = 0;
    for (; i < s->fault_count && s->faults[i].at_ns <= t; i++) {
        const scn_fault *f = &s->faults[i];
        if (f->node != node) continue;
        if (f->kind == SCN_FAULT_CLOCK_JUMP) clock_jump(&c, f->at_ns, f->jump_ns);
        else if (f->kind == SCN_FAULT_CLOCK_RATE) clock_set_rate(&c, f->at_ns, f->rate_ppm);
    }
    if (next_fault) *next_fault = i;
    return c;
}

sim_time plot_clock_error(const scn *s, int32_t node, sim_time t) {
    SIM_ASSERT(s != NULL);
    SIM_ASSERT(node >= 0);
    SIM_ASSERT((uint32_t)node < s->node_count);
    sim_clock c = clock_at(s, node, t, NULL);
    return clock_wall(&c, t) - t;
}

sim_time plot_true_after_mono(const scn *s, int32_t node, sim_time t0, sim_time d) {
    SIM_ASSERT(s != NULL);
    SIM_ASSERT(d >= 0);
    uint32_t next = 0;
    sim_clock c = clock_at(s, node, t0, &next);
    sim_time target = clock_mono(&c, t0) + d, now = t0;
    for (; next < s->fault_count; next++) {                /* later rate changes */
        const scn_fault *f = &s->faults[next];
        if (f->node != node || f->kind != SCN_FAULT_CLOCK_RATE) continue;
        if (clock_true_at_mono(&c, now, target) <= f->at_ns) break;
        clock_set_rate(&c, f->at_ns, f->rate_ppm);
        now = f->at_ns;
    }
    return clock_true_at_mono(&c, now, target);
}

/* Breakpoints of a node's error: 0, each of its clock faults (just before
 * and after), the end.  Linear in between, so a polyline is exact. */
static uint32_t clock_points(const plot_tl *t, int32_t node, sim_time *x, sim_time *err, uint32_t max) {
    uint32_t n = 0;
    x[n] = 0;
    err[n++] = plot_clock_error(t->s, node, 0);
    for (uint32_t i = 0; i < t->s->fault_count && n + 2 < max; i++) {
        const scn_fault *f = &t->s->faults[i];
        if (f->node != node || f->at_ns <= 0 || f->at_ns >= t->end) continue;
        if (f->kind != SCN_FAULT_CLOCK_JUMP && f->kind != SCN_FAULT_CLOCK_RATE) continue;
        sim_clock before = clock_at(t->s, node, f->at_ns - 1, NULL);
        SIM_ASSERT(f->at_ns >= x[n - 1]);       /* sorted faults: the polyline goes forward */
        x[n] = f->at_ns;
        err[n++] = clock_wall(&before, f->at_ns) - f->at_ns;
        x[n] = f->at_ns;
        err[n++] = plot_clock_error(t->s, node, f->at_ns);
    }
    x[n] = t->end;
    err[n++] = plot_clock_error(t->s, node, t->end);
    SIM_ASSERT(n >= 2);
    SIM_ASSERT(n <= max);
    return n;
}

static void clock_label(plot_tl *t, int32_t node, sim_time x, sim_time err) {
    char d[40];
    SIM_ASSERT(err != 0);                       /* only nodes whose clock is ever off */
    SIM_ASSERT(err != INT64_MIN);               /* -err below */
    plot_fmt_span(d, sizeof d, err < 0 ? -err : err);
    plot_label(t, node, x, 20, PLOT_CLOCK, false, "clock %s%s", err < 0 ? "-" : "+", d);
}

void plot_build_clocks(plot_tl *t) {
    enum { PTS = 2 * 64 + 2 };
    for (uint32_t node = 0; node < t->s->node_count; node++) {
        sim_time x[PTS], err[PTS], worst = 0, at = 0, worst_signed = 0;
        uint32_t n = clock_points(t, (int32_t)node, x, err, PTS);
        for (uint32_t i = 0; i < n; i++) {
            sim_time a = err[i] < 0 ? -err[i] : err[i];
            if (a > worst) { worst = a; at = x[i]; worst_signed = err[i]; }
        }
        if (worst == 0) continue;
        int32_t y = plot_lane_y(t, (int32_t)node);
        for (uint32_t i = 0; i < n; i++) {
            int32_t dy = (int32_t)((clock_i128_)err[i] * PLOT_CLOCK_AMP / worst);
            SIM_ASSERT(dy >= -PLOT_CLOCK_AMP);   /* scaled to the worst: inside the lane */
            SIM_ASSERT(dy <= PLOT_CLOCK_AMP);
            plot_add(t, PB_LINE, x[i], (sim_time)node, y + dy, y + dy, PLOT_CLOCK, NULL);
        }
        t->legend |= PL_CLOCK;
        clock_label(t, (int32_t)node, at, worst_signed);
    }
}

/* ----------------------------------------------------- spans, for latency */

static uint32_t span_add(plot_span *out, uint32_t n, uint32_t max, uint32_t fault, sim_time from,
                         sim_time to) {
    if (n < max) out[n] = (plot_span){ from, to, fault };
    return n + 1u;
}

uint32_t plot_fault_spans(const scn *s, sim_time end, plot_span *out, uint32_t max) {
    SIM_ASSERT(s != NULL);
    SIM_ASSERT(out != NULL || max == 0);
    uint32_t n = 0, open_from = 0;
    bool open = false;
    for (uint32_t i = 0; i < s->fault_count; i++) {
        const scn_fault *f = &s->faults[i];
        if (f->kind == SCN_FAULT_PARTITION || f->kind == SCN_FAULT_HEAL) {
            for (uint32_t k = open_from; open && k < i; k++) {      /* close what is open */
                const scn_fault *g = &s->faults[k];
                if (g->kind == SCN_FAULT_PARTITION || g->kind == SCN_FAULT_CUT)
                    n = span_add(out, n, max, k, g->at_ns, f->at_ns);
            }
            open = false;
        }
        if ((f->kind == SCN_FAULT_PARTITION || f->kind == SCN_FAULT_CUT) && !open) {
            open = true;
            open_from = i;
        }
        sim_time up = scn_fault_crashes(f->kind) ? plot_restart_after(s, i) : 0;
        if (f->kind == SCN_FAULT_PAUSE || f->kind == SCN_FAULT_LINK_DELAY ||
            f->kind == SCN_FAULT_LINK_LOSS)
            n = span_add(out, n, max, i, f->at_ns, f->at_ns + f->for_ns);
        else if (scn_fault_crashes(f->kind))
            n = span_add(out, n, max, i, f->at_ns, up == SIM_TIME_NEVER ? end : up);
        else if (f->kind == SCN_FAULT_CLOCK_JUMP || f->kind == SCN_FAULT_CLOCK_RATE)
            n = span_add(out, n, max, i, f->at_ns, f->at_ns);
    }
    for (uint32_t k = open_from; open && k < s->fault_count; k++) {
        const scn_fault *g = &s->faults[k];
        if (g->kind == SCN_FAULT_PARTITION || g->kind == SCN_FAULT_CUT)
            n = span_add(out, n, max, k, g->at_ns, end);
    }
    return n < max ? n : max;
}
