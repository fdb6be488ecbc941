/* nemesis.c -- draws a scenario's random faults from the seed (nemesis.h).
 *
 * Invariant of every drawn fault: the invariant scn.h states for a loaded
 * one (at in [0, duration], valid nodes, masks within node_count), so the
 * engine, checks and reports take it as they take a scripted fault; and
 * `drawn` is set.  Trade-off: a fault's length is drawn before its kind is
 * known to need one (clock jumps don't), so adding a kind to a list changes
 * later draws; the same scenario and seed always draw the same faults.
 */
#include "sim/nemesis.h"

#include <stddef.h>
#include <string.h>

#include "sim/clock.h"
#include "sim/net.h"
#include "sim/rng.h"

#define NEMESIS_SALT 0x6e656d6573697321ull     /* "nemesis!": its own stream */
#define RATE_MAX_PPM (10 * CLOCK_RATE_ONE)       /* the loader's bound on a clock rate */

typedef struct draw {
    const scn *s;
    rng r;
    sim_time grain;               /* drawn times are whole multiples of it */
    scn_fault *out;
    uint32_t count, max;
} draw;

/* Rounded to the grain, so faults.yaml reads 2.345s, not 2345018233ns. */
static sim_time to_grain(const draw *d, sim_time t) {
    SIM_ASSERT(d->grain >= 1);
    return t / d->grain * d->grain;
}

/* 1 ms for a window of a second or more, 1 us from a millisecond, else 1 ns. */
static sim_time grain_of(const scn_nemesis *nm) {
    sim_time window = nm->until_ns - nm->from_ns;
    return window >= SIM_S ? SIM_MS : window >= SIM_MS ? SIM_US : 1;
}

static uint64_t all_nodes(const scn *s) {
    return s->node_count == 64 ? UINT64_MAX : ((uint64_t)1 << s->node_count) - 1;
}

static uint32_t popcount64(uint64_t m) {
    uint32_t n = 0;
    for (; m; m &= m - 1) n++;
    return n;
}

/* The k-th set bit of m (k < popcount). */
static int32_t nth_bit(uint64_t m, uint32_t k) {
    SIM_ASSERT(k < popcount64(m));
    for (int32_t i = 0; i < 64; i++)
        if ((m >> i & 1u) && k-- == 0) return i;
    SIM_UNREACHABLE("nth_bit past the last bit");
    return -1;
}

static int32_t pick_node(draw *d, uint64_t mask) {
    SIM_ASSERT(mask != 0);
    return nth_bit(mask, (uint32_t)rng_below(&d->r, popcount64(mask)));
}

/* The scenario's nodes in a random order (Fisher-Yates). */
static void shuffle_nodes(draw *d, int32_t *order) {
    uint32_t n = d->s->node_count;
    SIM_ASSERT(n >= 1);
    for (uint32_t i = 0; i < n; i++) order[i] = (int32_t)i;
    for (uint32_t i = n - 1; i > 0; i--) {
        uint32_t j = (uint32_t)rng_below(&d->r, i + 1u);
        int32_t t = order[i]; order[i] = order[j]; order[j] = t;
    }
}

/* A new fault at `at`, or NULL when the list is full. */
static scn_fault *emit(draw *d, scn_fault_kind kind, sim_time at, int32_t node) {
    SIM_ASSERT(at >= 0);
    SIM_ASSERT(at <= d->s->duration_ns);
    if (d->count == d->max) return NULL;
    scn_fault *f = &d->out[d->count++];
    memset(f, 0, sizeof *f);
    f->kind = kind;
    f->at_ns = at;
    f->node = node;
    f->drawn = true;
    f->pos = d->s->nemesis.pos;
    return f;
}

/* A network fault's end: every link back, when it ends within the run. */
static void heal_at(draw *d, sim_time end) {
    if (end <= d->s->duration_ns) emit(d, SCN_FAULT_HEAL, end, -1);
}

/* Nodes order[0..split) in group 0, the rest in group 1. */
static void partition_split(draw *d, sim_time at, sim_time len, const int32_t *order,
                            uint32_t split) {
    SIM_ASSERT(split >= 1);
    SIM_ASSERT(split < d->s->node_count);
    scn_fault *f = emit(d, SCN_FAULT_PARTITION, at, -1);
    if (!f) return;
    for (uint32_t i = 0; i < d->s->node_count; i++) f->group[order[i]] = i < split ? 0 : 1;
    f->group_count = 2;
    heal_at(d, at + len);
}

/* A bridge: two sides that cannot talk, and one node both sides reach. */
static void bridge(draw *d, sim_time at, sim_time len, const int32_t *order) {
    uint32_t n = d->s->node_count;
    SIM_ASSERT(n >= 3);
    scn_fault *f = emit(d, SCN_FAULT_CUT, at, -1);
    if (!f) return;
    uint32_t side = (n - 1) / 2;
    for (uint32_t i = 0; i + 1 < n; i++) {
        if (i < side) f->from_mask |= (uint64_t)1 << order[i];
        else f->to_mask |= (uint64_t)1 << order[i];
    }
    f->both = true;
    heal_at(d, at + len);
}

/* Links from one target to some others (or back), one way. */
static void one_way_cut(draw *d, sim_time at, sim_time len, int32_t x, const int32_t *order) {
    uint64_t some = 0;
    uint32_t k = 1u + (uint32_t)rng_below(&d->r, d->s->node_count - 1u);
    for (uint32_t i = 0; i < d->s->node_count && k > 0; i++)
        if (order[i] != x) { some |= (uint64_t)1 << order[i]; k--; }
    SIM_ASSERT(some != 0);
    bool outward = rng_chance(&d->r, 1, 2);
    scn_fault *f = emit(d, SCN_FAULT_CUT, at, -1);
    if (!f) return;
    f->from_mask = outward ? (uint64_t)1 << x : some;
    f->to_mask = outward ? some : (uint64_t)1 << x;
    heal_at(d, at + len);
}

static void link_fault(draw *d, scn_fault_kind kind, sim_time at, sim_time len, int32_t x) {
    const scn_nemesis *nm = &d->s->nemesis;
    if (scn_link_faults_active(d->out, d->count, at) >= SCN_DELAYS_MAX) return;   /* all taken */
    uint64_t others = all_nodes(d->s) & ~((uint64_t)1 << x);
    bool outward = rng_chance(&d->r, 1, 2) || kind == SCN_FAULT_LINK_LOSS;   /* loss: both ways */
    sim_time by = kind == SCN_FAULT_LINK_DELAY ? to_grain(d, rng_range(&d->r, 0, nm->delay_ns)) : 0;
    scn_fault *f = emit(d, kind, at, -1);
    if (!f) return;
    f->from_mask = outward ? (uint64_t)1 << x : others;
    f->to_mask = outward ? others : (uint64_t)1 << x;
    f->for_ns = len;
    f->by_ns = by;
    f->loss_ppm = nm->loss_ppm;
    f->both = kind == SCN_FAULT_LINK_LOSS;
}

static int64_t initial_rate(const scn *s, int32_t node) {
    return s->clocks[node].set ? s->clocks[node].rate_ppm : CLOCK_RATE_ONE;
}

/* The node's clock runs off by up to `rate` for a while, then as before. */
static void rate_fault(draw *d, sim_time at, sim_time len, int32_t x) {
    int64_t base = initial_rate(d->s, x), err = d->s->nemesis.rate_ppm;
    int64_t delta = rng_range(&d->r, -err, err);
    int64_t rate = base * (CLOCK_RATE_ONE + delta) / CLOCK_RATE_ONE;   /* <= 1.5e13 */
    if (rate < 1) rate = 1;
    if (rate > RATE_MAX_PPM) rate = RATE_MAX_PPM;
    scn_fault *f = emit(d, SCN_FAULT_CLOCK_RATE, at, x);
    if (!f) return;
    f->rate_ppm = rate;
    if (at + len > d->s->duration_ns) return;
    scn_fault *back = emit(d, SCN_FAULT_CLOCK_RATE, at + len, x);
    if (back) back->rate_ppm = base;
}

/* One fault of `kind` at `at` lasting `len`. */
static void draw_one(draw *d, scn_nemesis_kind kind, sim_time at, sim_time len) {
    const scn_nemesis *nm = &d->s->nemesis;
    int32_t order[SIM_MASK_NODES];
    shuffle_nodes(d, order);
    int32_t x = pick_node(d, nm->targets);
    uint32_t n = d->s->node_count;
    scn_fault *f = NULL;
    switch (kind) {
    case SCN_NEM_PAUSE:
        if ((f = emit(d, SCN_FAULT_PAUSE, at, x))) f->for_ns = len;
        break;
    case SCN_NEM_CRASH:
        if ((f = emit(d, SCN_FAULT_CRASH, at, x))) f->for_ns = len;
        break;
    case SCN_NEM_POWER_LOSS:
        if ((f = emit(d, SCN_FAULT_POWER_LOSS, at, x))) f->for_ns = len;
        break;
    case SCN_NEM_HALVES: partition_split(d, at, len, order, n / 2); break;
    case SCN_NEM_MAJORITY: partition_split(d, at, len, order, (n - 1) / 2 ? (n - 1) / 2 : 1); break;
    case SCN_NEM_BRIDGE: bridge(d, at, len, order); break;
    case SCN_NEM_ISOLATE:
        for (uint32_t i = 0; i < n; i++) if (order[i] == x) { order[i] = order[0]; order[0] = x; }
        partition_split(d, at, len, order, 1);
        break;
    case SCN_NEM_CUT: one_way_cut(d, at, len, x, order); break;
    case SCN_NEM_DELAY: link_fault(d, SCN_FAULT_LINK_DELAY, at, len, x); break;
    case SCN_NEM_LOSS: link_fault(d, SCN_FAULT_LINK_LOSS, at, len, x); break;
    case SCN_NEM_CLOCK_JUMP:
        if ((f = emit(d, SCN_FAULT_CLOCK_JUMP, at, x)))
            f->jump_ns = to_grain(d, rng_range(&d->r, -nm->jump_ns, nm->jump_ns));
        break;
    case SCN_NEM_CLOCK_RATE: rate_fault(d, at, len, x); break;
    case SCN_NEM_KIND_COUNT: SIM_UNREACHABLE("nemesis kind"); break;
    }
}

/* The kinds that make sense with this many nodes. */
static uint32_t usable_kinds(const scn *s, uint32_t kinds) {
    uint32_t links = 1u << SCN_NEM_HALVES | 1u << SCN_NEM_MAJORITY | 1u << SCN_NEM_ISOLATE |
                   1u << SCN_NEM_CUT | 1u << SCN_NEM_DELAY | 1u << SCN_NEM_LOSS;
    if (s->node_count < 2) kinds &= ~links;
    if (s->node_count < 3) kinds &= ~(1u << SCN_NEM_BRIDGE);
    return kinds;
}

/* Swarm testing (Groce et al. 2012): this seed's kinds, each on with odds
 * 1/2, and at least one. */
static uint32_t swarm_kinds(draw *d, uint32_t kinds) {
    uint32_t on = 0;
    for (uint32_t k = 0; k < SCN_NEM_KIND_COUNT; k++)
        if ((kinds >> k & 1u) && rng_chance(&d->r, 1, 2)) on |= 1u << k;
    if (on == 0 && kinds != 0) on = 1u << nth_bit(kinds, (uint32_t)rng_below(&d->r, popcount64(kinds)));
    return on;
}

static sim_time draw_gap(draw *d) {
    sim_time gap = to_grain(d, net_draw_latency(&d->r, &d->s->nemesis.every));
    return gap > 0 ? gap : d->grain;             /* time moves on */
}

static void draw_faults(draw *d) {
    const scn_nemesis *nm = &d->s->nemesis;
    uint32_t kinds = usable_kinds(d->s, nm->kinds);
    if (nm->swarm) kinds = swarm_kinds(d, kinds);
    if (kinds == 0) return;
    sim_time t = nm->from_ns;
    for (;;) {
        sim_time gap = draw_gap(d);
        if (gap > nm->until_ns - t) return;
        t += gap;
        if (t >= d->s->duration_ns || d->count + 2 > d->max) return;
        scn_nemesis_kind kind = (scn_nemesis_kind)nth_bit(
            kinds, (uint32_t)rng_below(&d->r, popcount64(kinds)));
        sim_time len = to_grain(d, net_draw_latency(&d->r, &nm->span));
        if (len < d->grain) len = d->grain;
        if (len > d->s->duration_ns - t) len = d->s->duration_ns - t;
        draw_one(d, kind, t, len);
    }
}

/* Stable insertion of the drawn faults among the sorted scripted ones. */
static void sort_stable(scn_fault *f, uint32_t n) {
    for (uint32_t i = 1; i < n; i++) {
        scn_fault x = f[i];
        uint32_t j = i;
        while (j > 0 && f[j - 1].at_ns > x.at_ns) { f[j] = f[j - 1]; j--; }
        f[j] = x;
    }
}

uint32_t nemesis_draw(const scn *s, uint64_t seed, scn_fault *out, uint32_t max) {
    SIM_ASSERT(s->nemesis.on);
    SIM_ASSERT(s->node_count <= SIM_MASK_NODES);   /* the loader refuses a nemesis past it */
    SIM_ASSERT(max >= s->fault_count);
    uint32_t scripted = 0;
    for (uint32_t i = 0; i < s->fault_count; i++)
        if (!s->faults[i].drawn) out[scripted++] = s->faults[i];
    draw d = { .s = s, .grain = grain_of(&s->nemesis), .out = out, .count = scripted,
               .max = max };
    rng_init(&d.r, seed ^ NEMESIS_SALT);
    draw_faults(&d);
    sort_stable(out, d.count);
    SIM_ASSERT(d.count <= max);
    return d.count;
}

scn *nemesis_run_scenario(const scn *s, uint64_t seed, scn *run) {
    SIM_ASSERT(s != run);
    SIM_ASSERT(s->nemesis.on);
    scn_copy(run, s, false);                     /* not the 1024 faults: the few in use */
    run->fault_count = nemesis_draw(s, seed, run->faults, SCN_FAULTS_MAX);
    return run;
}

uint32_t nemesis_drawn_count(const scn *s) {
    uint32_t n = 0;
    for (uint32_t i = 0; i < s->fault_count; i++) n += s->faults[i].drawn;
    return n;
}
