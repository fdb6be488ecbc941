/* scn_nemesis.c -- the `nemesis:` section: random faults drawn from the seed.
 *
 *   nemesis:
 *     kinds: [partition, crash, pause, clock-jump]   # default: every kind but
 *                                                    # power-loss
 *     every: {exponential: 2s}     # gap between fault starts; default: window/8
 *     for: {uniform: [10ms, 3s]}   # how long each lasts; default: window/16
 *     from: 0s                     # faults start within [from, until]
 *     until: 30s                   # default: the duration
 *     targets: [client, redis1]    # who pauses, crashes, is isolated; default all
 *     jump: 10s                    # largest clock jump, either way
 *     rate: 10%                    # largest clock rate error, either way
 *     delay: 1s                    # largest extra link delay
 *     loss: 50%                    # loss rate of a loss burst
 *     swarm: false                 # per seed, each kind on with odds 1/2
 *
 * This file only reads and bounds the section; sim/nemesis.c draws.
 * Invariant of a loaded scn_nemesis with .on: kinds != 0; targets != 0 and
 * names real nodes; 0 <= from <= until <= duration; `every` has a mean of at
 * least (until - from) / SCN_NEMESIS_DRAWS_MAX, so the expected number of
 * faults stays within the fault list (the draw also stops at the bound).
 */
#include <stdio.h>
#include <string.h>

#include "sim/scenario/scn_int.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const char *const scn_nemesis_kind_names[SCN_NEM_KIND_COUNT] = {
    [SCN_NEM_PAUSE] = "pause",
    [SCN_NEM_CRASH] = "crash",
    [SCN_NEM_HALVES] = "partition-halves",
    [SCN_NEM_MAJORITY] = "partition-majority",
    [SCN_NEM_BRIDGE] = "partition-bridge",
    [SCN_NEM_ISOLATE] = "isolate",
    [SCN_NEM_CUT] = "cut",
    [SCN_NEM_DELAY] = "delay",
    [SCN_NEM_LOSS] = "loss",
    [SCN_NEM_CLOCK_JUMP] = "clock-jump",
    [SCN_NEM_CLOCK_RATE] = "clock-rate",
    [SCN_NEM_POWER_LOSS] = "power-loss",
};

#define PARTITION_KINDS (1u << SCN_NEM_HALVES | 1u << SCN_NEM_MAJORITY | \
                         1u << SCN_NEM_BRIDGE | 1u << SCN_NEM_ISOLATE)
#define ALL_KINDS ((1u << SCN_NEM_KIND_COUNT) - 1u)
#define RATE_ERROR_MAX_PPM 500000       /* a clock at half or 1.5x speed */

static const char *const nemesis_keys[] = {
    "kinds", "every", "for", "from", "until", "targets", "jump", "rate", "delay", "loss",
    "swarm",
};

/* Every kind name a file may write: the kinds, and `partition` for all shapes. */
static const char *const kind_words[] = {
    "pause", "crash", "partition-halves", "partition-majority", "partition-bridge",
    "isolate", "cut", "delay", "loss", "clock-jump", "clock-rate", "power-loss", "partition",
};

static int kind_bits(scn_ld *ld, const yaml_node_t *n, uint32_t *out) {
    SIM_ASSERT(n != NULL);
    SIM_ASSERT(COUNT(kind_words) == SCN_NEM_KIND_COUNT + 1);
    const char *text = NULL;
    if (scn__want_scalar(ld, n, "kinds", "a fault kind such as pause", &text) != 0) return -1;
    if (strcmp(text, "partition") == 0) { *out = PARTITION_KINDS; return 0; }
    for (uint32_t k = 0; k < SCN_NEM_KIND_COUNT; k++)
        if (strcmp(text, scn_nemesis_kind_names[k]) == 0) { *out = 1u << k; return 0; }
    char hint[SIM_ERR_MAX / 2];
    scn__hint(hint, sizeof hint, text, kind_words, COUNT(kind_words));
    return scn__fail(ld, scn__pos(n), "kinds: unknown fault kind '%.64s'%s", text, hint);
}

static int load_kinds(scn_ld *ld, const yaml_node_t *n, scn_nemesis *nm) {
    SIM_ASSERT(n != NULL);
    SIM_ASSERT(nm->kinds == 0);
    if (scn__want_seq(ld, n, "kinds", "a list of fault kinds such as [pause, partition]") != 0)
        return -1;
    for (const yaml_node_item_t *it = n->data.sequence.items.start;
         it < n->data.sequence.items.top; it++) {
        uint32_t bits = 0;
        if (kind_bits(ld, scn__node(ld, *it), &bits) != 0) return -1;
        nm->kinds |= bits;
    }
    if (nm->kinds != 0) return 0;
    return scn__fail(ld, scn__pos(n), "kinds: an empty list (expected at least one fault kind, "
                     "or leave 'kinds' out for every kind)");
}

/* The mean of a distribution, as the loader checks it. */
static sim_time latency_mean(const scn_latency *l) {
    switch (l->kind) {
    case SCN_LAT_FIXED: return l->a_ns;
    case SCN_LAT_UNIFORM: return l->a_ns + (l->b_ns - l->a_ns) / 2;
    case SCN_LAT_EXPONENTIAL: return l->a_ns > l->b_ns ? l->a_ns : l->b_ns;
    }
    SIM_UNREACHABLE("latency kind");
    return 0;
}

static int load_window(scn_ld *ld, const yaml_node_t *map, scn_nemesis *nm) {
    const scn *s = ld->s;
    SIM_ASSERT(s->duration_ns > 0);
    nm->until_ns = s->duration_ns;
    const yaml_node_t *from = scn__get(ld, map, "from", NULL);
    const yaml_node_t *until = scn__get(ld, map, "until", NULL);
    if (from && scn__duration(ld, from, "from", &nm->from_ns) != 0) return -1;
    if (until && scn__duration(ld, until, "until", &nm->until_ns) != 0) return -1;
    char end[40];
    sim_fmt_time(end, sizeof end, s->duration_ns);
    if (nm->until_ns > s->duration_ns)
        return scn__fail(ld, scn__pos(until), "until: %s is after the end of the run (expected "
                         "at most the duration, %s)", scn__text(until), end);
    if (nm->from_ns > nm->until_ns)
        return scn__fail(ld, scn__pos(from), "from: %s is after until (expected from <= until "
                         "<= the duration, %s)", scn__text(from), end);
    return 0;
}

/* `every` and `for`, with defaults from the window: about eight faults,
 * each lasting about half the gap. */
static int load_timing(scn_ld *ld, const yaml_node_t *map, scn_nemesis *nm) {
    sim_time window = nm->until_ns - nm->from_ns;
    SIM_ASSERT(window >= 0);
    nm->every = (scn_latency){SCN_LAT_EXPONENTIAL, window / 8 > 0 ? window / 8 : 1, 0};
    nm->span = (scn_latency){SCN_LAT_EXPONENTIAL, window / 16 > 0 ? window / 16 : 1, SIM_US};
    const yaml_node_t *every = scn__get(ld, map, "every", NULL);
    const yaml_node_t *span = scn__get(ld, map, "for", NULL);
    if (every && scn__load_latency(ld, every, "every", &nm->every) != 0) return -1;
    if (span && scn__load_latency(ld, span, "for", &nm->span) != 0) return -1;
    sim_time mean = latency_mean(&nm->every);
    if (every && mean <= 0)
        return scn__fail(ld, scn__pos(every), "every: the gap between faults is zero (expected "
                         "a mean gap above 0, such as every: {exponential: 2s})");
    if (every && window / mean > SCN_NEMESIS_DRAWS_MAX)
        return scn__fail(ld, scn__pos(every), "every: about %lld faults in the nemesis window "
                         "(expected at most %d: a longer gap or a shorter window)",
                         (long long)(window / mean), SCN_NEMESIS_DRAWS_MAX);
    if (span && latency_mean(&nm->span) <= 0)
        return scn__fail(ld, scn__pos(span), "for: faults that last no time (expected a "
                         "duration above 0, such as for: {uniform: [10ms, 2s]})");
    return 0;
}

static int load_sizes(scn_ld *ld, const yaml_node_t *map, scn_nemesis *nm) {
    nm->jump_ns = 10 * SIM_S;
    nm->rate_ppm = 100000;
    nm->delay_ns = SIM_S;
    nm->loss_ppm = 500000;
    const yaml_node_t *v;
    if ((v = scn__get(ld, map, "jump", NULL)) && scn__duration(ld, v, "jump", &nm->jump_ns) != 0)
        return -1;
    if ((v = scn__get(ld, map, "delay", NULL)) &&
        scn__duration(ld, v, "delay", &nm->delay_ns) != 0)
        return -1;
    if ((v = scn__get(ld, map, "loss", NULL)) && scn__rate(ld, v, "loss", &nm->loss_ppm) != 0)
        return -1;
    if ((v = scn__get(ld, map, "swarm", NULL)) && scn__bool(ld, v, "swarm", &nm->swarm) != 0)
        return -1;
    if (!(v = scn__get(ld, map, "rate", NULL))) return 0;
    uint32_t ppm = 0;
    if (scn__rate(ld, v, "rate", &ppm) != 0) return -1;
    if (ppm > RATE_ERROR_MAX_PPM)
        return scn__fail(ld, scn__pos(v), "rate: '%.64s' is too large (expected a clock rate "
                         "error of at most 50%%, such as rate: 10%%)", scn__text(v));
    nm->rate_ppm = ppm;
    return 0;
}

int scn__load_nemesis(scn_ld *ld, const yaml_node_t *n, scn_pos key_pos) {
    scn_nemesis *nm = &ld->s->nemesis;
    SIM_ASSERT(n != NULL);
    SIM_ASSERT(!nm->on);                        /* read once */
    if (scn__is_null(n)) return 0;
    if (scn__want_map(ld, n, "nemesis", "a mapping such as {kinds: [pause, partition], "
                      "every: 2s}") != 0) return -1;
    if (scn__check_keys(ld, n, nemesis_keys, COUNT(nemesis_keys), "nemesis") != 0) return -1;
    if (ld->s->node_count > SIM_MASK_NODES)
        return scn__fail(ld, key_pos, "nemesis: %u nodes (expected at most %d in a scenario "
                         "with a nemesis: it draws its faults over a 64-bit node mask, the "
                         "limit SIM_MASK_NODES)", ld->s->node_count, SIM_MASK_NODES);
    memset(nm, 0, sizeof *nm);
    nm->pos = key_pos;
    nm->kinds = SCN_NEM_DEFAULT_KINDS;
    nm->targets = ld->s->node_count == 64 ? UINT64_MAX : (1ull << ld->s->node_count) - 1;
    const yaml_node_t *v;
    if ((v = scn__get(ld, n, "kinds", NULL))) {
        nm->kinds = 0;
        if (load_kinds(ld, v, nm) != 0) return -1;
    }
    if ((v = scn__get(ld, n, "targets", NULL)) &&
        scn__node_mask(ld, v, "targets", &nm->targets) != 0)
        return -1;
    if (load_window(ld, n, nm) != 0 || load_timing(ld, n, nm) != 0 ||
        load_sizes(ld, n, nm) != 0)
        return -1;
    nm->on = true;
    SIM_ASSERT(nm->kinds != 0);
    SIM_ASSERT((nm->kinds & ~ALL_KINDS) == 0);
    SIM_ASSERT(nm->targets != 0);
    return 0;
}
