/* scn_fault.c -- the `faults:` list and latency distributions of a scenario.
 *
 * A fault is a mapping with `at` and exactly one kind key (pause, crash,
 * power-loss, restart, partition, cut, heal, clock, delay, loss) plus the
 * keys that kind takes.  `power-loss` takes the keys of `crash`.  Invariant of every scn_fault written here: at_ns in [0, duration];
 * node is a valid index for the kinds that name one and -1 otherwise; masks
 * and groups only mention nodes < node_count; the jumps of one node add up,
 * ignoring signs, to at most CONFIG_TIME_MAX.  Faults are sorted stably by
 * time after the whole file is read (a merge sort: ties keep file order).
 * Once sorted, every scripted `restart` finds its node down at its `at`
 * (scn__check_restarts), unless a nemesis may crash that node.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/scenario/scn_int.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *const fault_keys[] = {
    "at", "pause", "crash", "power-loss", "restart", "partition", "cut", "heal", "clock",
    "delay", "loss", "for", "jump", "rate", "by", "both",
};

enum { K_PAUSE, K_CRASH, K_POWER_LOSS, K_RESTART, K_PARTITION, K_CUT, K_HEAL, K_CLOCK,
       K_DELAY, K_LOSS, K_COUNT };

typedef struct kind_desc {
    const char *name;
    const char *extras;         /* the other keys it takes, space-separated */
    const char *takes;          /* for messages */
} kind_desc;

static const kind_desc kinds[K_COUNT] = {
    {"pause", "for", "at, pause, for"},
    {"crash", "for", "at, crash, and optionally for"},
    {"power-loss", "for", "at, power-loss, and optionally for"},
    {"restart", "", "at, restart"},
    {"partition", "", "at, partition"},
    {"cut", "both", "at, cut, and optionally both"},
    {"heal", "", "at, heal"},
    {"clock", "jump rate", "at, clock, and jump or rate"},
    {"delay", "by for", "at, delay, by, for"},
    {"loss", "rate for both", "at, loss, rate, for, and optionally both"},
};

static const char *const cut_keys[] = {"from", "to", "both"};
static const char *const delay_keys[] = {"from", "to"};
static const char *const latency_kinds[] = {"uniform", "exponential"};
static const char *const exp_keys[] = {"mean", "min"};

static bool word_in(const char *word, const char *list) {
    SIM_ASSERT(word != NULL);
    SIM_ASSERT(list != NULL);
    size_t n = strlen(word);
    for (const char *p = list; *p;) {
        const char *end = strchr(p, ' ');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && strncmp(p, word, n) == 0) return true;
        p += len;
        while (*p == ' ') p++;
    }
    return false;
}

/* The kind key of a fault (exactly one), as an index into kinds[]. */
static int find_kind(scn_ld *ld, const yaml_node_t *map, int *kind) {
    SIM_ASSERT(map->type == YAML_MAPPING_NODE);
    SIM_ASSERT(kind != NULL);
    int found = -1;
    for (const yaml_node_pair_t *p = map->data.mapping.pairs.start;
         p < map->data.mapping.pairs.top; p++) {
        const yaml_node_t *k = scn__node(ld, p->key);
        for (int i = 0; i < K_COUNT; i++) {
            if (strcmp(scn__text(k), kinds[i].name) != 0) continue;
            if (found >= 0)
                return scn__fail(ld, scn__pos(k), "a fault with two kinds, '%.64s' and '%.64s' "
                                 "(expected exactly one kind per fault; write two faults)",
                                 kinds[found].name, kinds[i].name);
            found = i;
        }
    }
    if (found < 0)
        return scn__fail(ld, scn__pos(map), "a fault without a kind (expected one of pause, "
                         "crash, power-loss, restart, partition, cut, heal, clock, delay, "
                         "loss)");
    *kind = found;
    return 0;
}

static int check_extras(scn_ld *ld, const yaml_node_t *map, int kind) {
    SIM_ASSERT(kind >= 0);                      /* find_kind's answer */
    SIM_ASSERT(kind < K_COUNT);
    for (const yaml_node_pair_t *p = map->data.mapping.pairs.start;
         p < map->data.mapping.pairs.top; p++) {
        const yaml_node_t *k = scn__node(ld, p->key);
        const char *name = scn__text(k);
        if (strcmp(name, "at") == 0 || strcmp(name, kinds[kind].name) == 0) continue;
        if (word_in(name, kinds[kind].extras)) continue;
        return scn__fail(ld, scn__pos(k), "key '%.64s' does not apply to a %s fault (expected "
                         "only %s)", name, kinds[kind].name, kinds[kind].takes);
    }
    return 0;
}

static int fault_at(scn_ld *ld, const yaml_node_t *map, scn_fault *f) {
    SIM_ASSERT(f != NULL);
    SIM_ASSERT(ld->s->duration_ns > 0);         /* the head, read before faults */
    const yaml_node_t *at = scn__get(ld, map, "at", NULL);
    if (!at)
        return scn__fail(ld, scn__pos(map), "a fault without 'at' (expected the true time it "
                         "happens, such as at: 1s)");
    if (scn__duration(ld, at, "at", &f->at_ns) != 0) return -1;
    SIM_ASSERT(f->at_ns >= 0);                  /* scn_parse_duration refuses negatives */
    if (f->at_ns <= ld->s->duration_ns) return 0;
    char end[40];
    sim_fmt_time(end, sizeof end, ld->s->duration_ns);
    return scn__fail(ld, scn__pos(at), "at: %s is after the end of the run (expected at most "
                     "the duration, %s)", scn__text(at), end);
}

/* `for`: required or optional; when given, above 0. */
static int fault_for(scn_ld *ld, const yaml_node_t *map, const char *kind, const char *what,
                     bool required, scn_fault *f) {
    SIM_ASSERT(kind != NULL);
    SIM_ASSERT(f->for_ns == 0);                 /* load_fault zeroed it; set once */
    const yaml_node_t *v = scn__get(ld, map, "for", NULL);
    if (!v && !required) return 0;
    if (!v)
        return scn__fail(ld, scn__pos(map), "%s without 'for' (expected how long %s, such as "
                         "for: 15s)", kind, what);
    if (scn__duration(ld, v, "for", &f->for_ns) != 0) return -1;
    if (f->for_ns > 0) return 0;
    return scn__fail(ld, scn__pos(v), "for: '%.64s' is zero (expected how long %s, above 0%s)",
                     scn__text(v), what, required ? "" : "; leave 'for' out for no restart");
}

/* Room for node_count group numbers in s's group pool; their offset. */
static uint32_t pool_take(scn *s) {
    uint32_t n = s->node_count;
    SIM_ASSERT(n > SIM_MASK_NODES);
    if (s->group_pool_len == 0) s->group_pool_len = 1;   /* offset 0 is SCN_GROUP_INLINE */
    if (s->group_pool_len + n > s->group_pool_cap) {      /* <= 1024 faults of 10 000 nodes */
        uint32_t cap = s->group_pool_cap ? s->group_pool_cap : n + 1;
        while (s->group_pool_len + n > cap) cap *= 2;
        s->group_pool = sim_xrealloc(s->group_pool, (size_t)cap * sizeof *s->group_pool);
        s->group_pool_cap = cap;
    }
    uint32_t at = s->group_pool_len;
    s->group_pool_len += n;
    return at;
}

/* Group g (0-based) takes the nodes `v` names: set[] is scratch; a node
 * already in a group (group[i] != none) is an error. */
static int partition_group(scn_ld *ld, const yaml_node_t *v, uint32_t g, bool *set,
                           uint32_t *group, uint32_t none) {
    scn *s = ld->s;
    if (scn__node_set(ld, v, "partition", set) != 0) return -1;
    for (uint32_t i = 0; i < s->node_count; i++) {
        if (!set[i]) continue;
        if (group[i] != none)
            return scn__fail(ld, scn__pos(v), "partition: node '%.64s' is in two groups "
                             "(expected each node in at most one group)", s->nodes[i].name);
        group[i] = g;
    }
    return 0;
}

/* f's group numbers, from group[] (the nodes not listed: `none`, and they
 * form group `groups`). */
static void partition_keep(scn *s, scn_fault *f, uint32_t *group, uint32_t groups,
                           uint32_t none) {
    bool rest = false;
    f->group_at = s->node_count > SIM_MASK_NODES ? pool_take(s) : SCN_GROUP_INLINE;
    for (uint32_t i = 0; i < s->node_count; i++) {
        uint32_t g = group[i] == none ? groups : group[i];
        rest |= g == groups;
        SIM_ASSERT(g <= s->node_count);
        if (f->group_at == SCN_GROUP_INLINE) f->group[i] = (uint8_t)g;
        else s->group_pool[f->group_at + i] = (uint16_t)g;
    }
    f->group_count = groups + (rest ? 1u : 0u);
}

static int fault_partition(scn_ld *ld, const yaml_node_t *v, scn_fault *f) {
    scn *s = ld->s;
    SIM_ASSERT(v != NULL);                      /* find_kind found the key */
    SIM_ASSERT(s->node_count <= SIM_NODES_MAX);
    _Static_assert(SIM_NODES_MAX <= UINT16_MAX, "a group number fits the pool's uint16_t");
    const char *expected = "a list of groups such as [[c1, redis1], [c2]]";
    if (scn__want_seq(ld, v, "partition", expected) != 0) return -1;
    size_t count = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
    if (count == 0)
        return scn__fail(ld, scn__pos(v), "partition: an empty list (expected %s)", expected);
    bool flat = scn__node(ld, v->data.sequence.items.start[0])->type != YAML_SEQUENCE_NODE;
    uint32_t none = UINT32_MAX, groups = 0;
    bool *set = sim_xmalloc((size_t)s->node_count * sizeof *set + 1);
    uint32_t *group = sim_xmalloc((size_t)s->node_count * sizeof *group + 1);
    for (uint32_t i = 0; i < s->node_count; i++) group[i] = none;
    int rc = 0;
    for (const yaml_node_item_t *it = v->data.sequence.items.start;
         it < v->data.sequence.items.top && !flat && rc == 0; it++) {
        const yaml_node_t *g = scn__node(ld, *it);
        rc = scn__want_seq(ld, g, "partition", "a group as a list, such as [c1, redis1]");
        if (rc == 0) rc = partition_group(ld, g, groups++, set, group, none);
    }
    if (flat && rc == 0) {                      /* [c1, c2]: one group, the rest another */
        rc = partition_group(ld, v, 0, set, group, none);
        groups = 1;
    }
    if (rc == 0) {
        SIM_ASSERT(groups >= 1);
        SIM_ASSERT(groups <= s->node_count);    /* disjoint and non-empty */
        partition_keep(s, f, group, groups, none);
    }
    free(set);
    free(group);
    return rc;
}

/* cut: {from, to, both} (also loss: the links a loss burst hits). */
static int fault_cut(scn_ld *ld, const yaml_node_t *map, const yaml_node_t *v, scn_fault *f) {
    SIM_ASSERT(v != NULL);
    SIM_ASSERT(f->kind == SCN_FAULT_CUT || f->kind == SCN_FAULT_LINK_LOSS);
    const char *kind = f->kind == SCN_FAULT_CUT ? "cut" : "loss";
    if (scn__want_map(ld, v, kind, "a mapping such as {from: [c1], to: [redis1]}") != 0)
        return -1;
    if (scn__check_keys(ld, v, cut_keys, COUNT(cut_keys), kind) != 0) return -1;
    const yaml_node_t *from = scn__get(ld, v, "from", NULL), *to = scn__get(ld, v, "to", NULL);
    if (!from || !to)
        return scn__fail(ld, scn__pos(v), "%s without '%.64s' (expected the %s nodes, such as "
                         "%s: [%s])", kind, from ? "to" : "from", from ? "receiving" : "sending",
                         from ? "to" : "from", from ? "redis1" : "c1");
    if (scn__node_mask(ld, from, "from", &f->from_mask) != 0) return -1;
    if (scn__node_mask(ld, to, "to", &f->to_mask) != 0) return -1;
    const yaml_node_t *inner = scn__get(ld, v, "both", NULL);
    const yaml_node_t *outer = scn__get(ld, map, "both", NULL);
    if (inner && outer)
        return scn__fail(ld, scn__pos(outer), "both: given twice, inside 'cut' and beside it "
                         "(expected it once)");
    if (inner || outer) return scn__bool(ld, inner ? inner : outer, "both", &f->both);
    return 0;
}

static int fault_delay(scn_ld *ld, const yaml_node_t *map, const yaml_node_t *v, scn_fault *f) {
    SIM_ASSERT(v != NULL);
    SIM_ASSERT(f->kind == SCN_FAULT_LINK_DELAY);
    if (scn__want_map(ld, v, "delay", "a mapping such as {from: c1, to: storage1}") != 0)
        return -1;
    if (scn__check_keys(ld, v, delay_keys, COUNT(delay_keys), "a delay") != 0) return -1;
    const yaml_node_t *from = scn__get(ld, v, "from", NULL), *to = scn__get(ld, v, "to", NULL);
    if (!from || !to)
        return scn__fail(ld, scn__pos(v), "delay without '%.64s' (expected the %s nodes, such as "
                         "%s: %s)", from ? "to" : "from", from ? "receiving" : "sending",
                         from ? "to" : "from", from ? "storage1" : "c1");
    if (scn__node_mask(ld, from, "from", &f->from_mask) != 0) return -1;
    if (scn__node_mask(ld, to, "to", &f->to_mask) != 0) return -1;
    const yaml_node_t *by = scn__get(ld, map, "by", NULL);
    if (!by)
        return scn__fail(ld, scn__pos(map), "delay without 'by' (expected the extra latency, "
                         "such as by: 15s)");
    if (scn__duration(ld, by, "by", &f->by_ns) != 0) return -1;
    return fault_for(ld, map, "delay", "the extra delay lasts", true, f);
}

/* loss: {from, to}, rate, for: a loss burst on those links. */
static int fault_loss(scn_ld *ld, const yaml_node_t *map, const yaml_node_t *v, scn_fault *f) {
    SIM_ASSERT(v != NULL);
    SIM_ASSERT(f->kind == SCN_FAULT_LINK_LOSS);
    if (fault_cut(ld, map, v, f) != 0) return -1;
    const yaml_node_t *rate = scn__get(ld, map, "rate", NULL);
    if (!rate)
        return scn__fail(ld, scn__pos(map), "loss without 'rate' (expected the share of "
                         "messages lost, such as rate: 50%%)");
    if (scn__rate(ld, rate, "rate", &f->loss_ppm) != 0) return -1;
    return fault_for(ld, map, "loss", "the loss burst lasts", true, f);
}

static int fault_clock(scn_ld *ld, const yaml_node_t *map, const yaml_node_t *v, scn_fault *f) {
    SIM_ASSERT(v != NULL);
    SIM_ASSERT(map->type == YAML_MAPPING_NODE);
    if (scn__node_ref(ld, v, "clock", &f->node) != 0) return -1;
    const yaml_node_t *jump = scn__get(ld, map, "jump", NULL);
    const yaml_node_t *rate = scn__get(ld, map, "rate", NULL);
    if (jump && rate)
        return scn__fail(ld, scn__pos(rate), "a clock fault with both 'jump' and 'rate' "
                         "(expected one of them; write two faults)");
    if (jump) {
        f->kind = SCN_FAULT_CLOCK_JUMP;
        return scn__signed_duration(ld, jump, "jump", &f->jump_ns);
    }
    if (rate) {
        f->kind = SCN_FAULT_CLOCK_RATE;
        return scn__clock_rate(ld, rate, "rate", &f->rate_ppm);
    }
    return scn__fail(ld, scn__pos(map), "a clock fault without 'jump' or 'rate' (expected "
                     "one, such as jump: +20s or rate: 1.02)");
}

static int fault_body(scn_ld *ld, const yaml_node_t *map, int kind, scn_fault *f) {
    SIM_ASSERT(kind >= 0);
    SIM_ASSERT(kind < K_COUNT);
    const yaml_node_t *v = scn__get(ld, map, kinds[kind].name, NULL);
    SIM_ASSERT(v != NULL);                      /* find_kind saw this key */
    switch (kind) {
    case K_PAUSE:
        f->kind = SCN_FAULT_PAUSE;
        if (scn__node_ref(ld, v, "pause", &f->node) != 0) return -1;
        return fault_for(ld, map, "pause", "the node stays paused", true, f);
    case K_CRASH:
        f->kind = SCN_FAULT_CRASH;
        if (scn__node_ref(ld, v, "crash", &f->node) != 0) return -1;
        return fault_for(ld, map, "crash", "until the node restarts", false, f);
    case K_POWER_LOSS:
        f->kind = SCN_FAULT_POWER_LOSS;
        if (scn__node_ref(ld, v, "power-loss", &f->node) != 0) return -1;
        return fault_for(ld, map, "power-loss", "until the node restarts", false, f);
    case K_RESTART:
        f->kind = SCN_FAULT_RESTART;
        return scn__node_ref(ld, v, "restart", &f->node);
    case K_PARTITION:
        f->kind = SCN_FAULT_PARTITION;
        return fault_partition(ld, v, f);
    case K_CUT:
        f->kind = SCN_FAULT_CUT;
        return fault_cut(ld, map, v, f);
    case K_HEAL:
        f->kind = SCN_FAULT_HEAL;
        if (v->type == YAML_SCALAR_NODE && strcmp(scn__text(v), "all") == 0) return 0;
        if (v->type == YAML_SCALAR_NODE && !scn__is_null(v))
            return scn__fail(ld, scn__pos(v), "heal: '%.64s' is not supported (expected heal: "
                             "all)", scn__text(v));
        return scn__fail(ld, scn__pos(v), "heal: got %s (expected heal: all)", scn__kind(v));
    case K_CLOCK:
        return fault_clock(ld, map, v, f);
    case K_LOSS:
        f->kind = SCN_FAULT_LINK_LOSS;
        return fault_loss(ld, map, v, f);
    default:
        SIM_ASSERT(kind == K_DELAY);
        f->kind = SCN_FAULT_LINK_DELAY;
        return fault_delay(ld, map, v, f);
    }
}

static int load_fault(scn_ld *ld, const yaml_node_t *map, scn_fault *f) {
    if (scn__want_map(ld, map, "faults", "a fault such as {at: 1s, crash: redis1}") != 0)
        return -1;
    if (scn__check_keys(ld, map, fault_keys, COUNT(fault_keys), "a fault") != 0) return -1;
    int kind = 0;
    if (find_kind(ld, map, &kind) != 0) return -1;
    if (check_extras(ld, map, kind) != 0) return -1;
    memset(f, 0, sizeof *f);
    f->node = -1;
    f->pos = scn__pos(map);
    if (fault_at(ld, map, f) != 0) return -1;
    int rc = fault_body(ld, map, kind, f);
    SIM_ASSERT(rc != 0 || f->node < (int32_t)ld->s->node_count);   /* scn.c's invariant */
    return rc;
}

/* The jumps of one node add up, in size, to at most CONFIG_TIME_MAX, so
 * that its wall clock (offset + jumps + rate * t) stays far inside 64 bits
 * (sim/config.h).  jumped[node] is the sum so far, in file order. */
static int jumps_in_range(scn_ld *ld, const yaml_node_t *map, const scn_fault *f,
                          sim_time *jumped) {
    SIM_ASSERT(f->kind == SCN_FAULT_CLOCK_JUMP);
    SIM_ASSERT(f->jump_ns >= -CONFIG_TIME_MAX);
    SIM_ASSERT(f->jump_ns <= CONFIG_TIME_MAX);
    sim_time size = f->jump_ns < 0 ? -f->jump_ns : f->jump_ns;
    sim_time *sum = &jumped[f->node];
    if (size <= CONFIG_TIME_MAX - *sum) { *sum += size; return 0; }
    const yaml_node_t *v = scn__get(ld, map, "jump", NULL);
    return scn__fail(ld, scn__pos(v), "jump: the jumps of node '%.64s' add up to more than "
                     CONFIG_TIME_MAX_TEXT " (expected jumps of one node that add up, "
                     "ignoring their signs, to at most " CONFIG_TIME_MAX_TEXT ")",
                     ld->s->nodes[f->node].name);
}

int scn__load_faults(scn_ld *ld, const yaml_node_t *seq) {
    scn *s = ld->s;
    sim_time jumped[SIM_NODES_MAX] = {0};
    SIM_ASSERT(seq != NULL);
    SIM_ASSERT(s->fault_count == 0);            /* read once */
    if (scn__is_null(seq)) return 0;
    if (scn__want_seq(ld, seq, "faults", "a list of faults such as [{at: 1s, crash: redis1}]")
        != 0) return -1;
    for (const yaml_node_item_t *it = seq->data.sequence.items.start;
         it < seq->data.sequence.items.top; it++) {
        const yaml_node_t *item = scn__node(ld, *it);
        if (s->fault_count == SCN_FAULTS_MAX)
            return scn__fail(ld, scn__pos(item), "too many faults: more than %d (expected at "
                             "most the limit SCN_FAULTS_MAX)", SCN_FAULTS_MAX);
        scn_fault f;
        if (load_fault(ld, item, &f) != 0) return -1;
        if (f.kind == SCN_FAULT_CLOCK_JUMP && jumps_in_range(ld, item, &f, jumped) != 0)
            return -1;
        s->faults[s->fault_count++] = f;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* latency: 1ms | {uniform: [1ms, 5ms]} | {exponential: {mean: 2ms, min: 500us}} */

static int latency_uniform(scn_ld *ld, const yaml_node_t *v, scn_latency *out) {
    SIM_ASSERT(v != NULL);
    SIM_ASSERT(out != NULL);
    const char *expected = "[low, high] such as [1ms, 5ms]";
    if (scn__want_seq(ld, v, "uniform", expected) != 0) return -1;
    if (v->data.sequence.items.top - v->data.sequence.items.start != 2)
        return scn__fail(ld, scn__pos(v), "uniform: not two values (expected %s)", expected);
    scn_latency l = {.kind = SCN_LAT_UNIFORM};
    if (scn__duration(ld, scn__node(ld, v->data.sequence.items.start[0]), "uniform", &l.a_ns)
        != 0) return -1;
    if (scn__duration(ld, scn__node(ld, v->data.sequence.items.start[1]), "uniform", &l.b_ns)
        != 0) return -1;
    if (l.a_ns > l.b_ns)
        return scn__fail(ld, scn__pos(v), "uniform: the low end is above the high end "
                         "(expected %s)", expected);
    *out = l;
    return 0;
}

static int latency_exponential(scn_ld *ld, const yaml_node_t *v, scn_latency *out) {
    SIM_ASSERT(v != NULL);                      /* the one key is exponential, or uniform */
    SIM_ASSERT(out != NULL);
    scn_latency l = {.kind = SCN_LAT_EXPONENTIAL};
    if (v->type != YAML_MAPPING_NODE) {        /* {exponential: 2ms}: the mean, no floor */
        if (scn__duration(ld, v, "exponential", &l.a_ns) != 0) return -1;
        *out = l;
        return 0;
    }
    if (scn__check_keys(ld, v, exp_keys, COUNT(exp_keys), "exponential") != 0) return -1;
    const yaml_node_t *mean = scn__get(ld, v, "mean", NULL), *min = scn__get(ld, v, "min", NULL);
    if (!mean)
        return scn__fail(ld, scn__pos(v), "exponential without 'mean' (expected such as "
                         "{mean: 2ms, min: 500us})");
    if (scn__duration(ld, mean, "mean", &l.a_ns) != 0) return -1;
    if (min && scn__duration(ld, min, "min", &l.b_ns) != 0) return -1;
    *out = l;
    return 0;
}

int scn__load_latency(scn_ld *ld, const yaml_node_t *n, const char *key, scn_latency *out) {
    SIM_ASSERT(n != NULL);
    SIM_ASSERT(key != NULL);
    if (n->type == YAML_SCALAR_NODE && !scn__is_null(n)) {
        scn_latency l = {.kind = SCN_LAT_FIXED};
        if (scn__duration(ld, n, key, &l.a_ns) != 0) return -1;
        *out = l;
        return 0;
    }
    if (scn__want_map(ld, n, key, "1ms, {uniform: [1ms, 5ms]} or {exponential: {mean: 2ms, "
                      "min: 500us}}") != 0) return -1;
    if (scn__check_keys(ld, n, latency_kinds, COUNT(latency_kinds), key) != 0) return -1;
    size_t count = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
    if (count != 1)
        return scn__fail(ld, scn__pos(n), "%s: %s distributions (expected exactly one: "
                         "uniform or exponential)", key, count == 0 ? "no" : "two");
    const yaml_node_t *u = scn__get(ld, n, "uniform", NULL);
    if (u) return latency_uniform(ld, u, out);
    return latency_exponential(ld, scn__get(ld, n, "exponential", NULL), out);
}

/* ------------------------------------------------------------------ */

void scn__sort_faults(scn *s) {
    SIM_ASSERT(s != NULL);
    SIM_ASSERT(s->fault_count <= SCN_FAULTS_MAX);
    uint32_t n = s->fault_count;
    if (n < 2) return;
    scn_fault *tmp = sim_xmalloc(sizeof(scn_fault) * n);
    scn_fault *a = s->faults, *b = tmp;
    for (uint32_t width = 1; width < n; width *= 2) {       /* bottom-up merge sort */
        for (uint32_t lo = 0; lo < n; lo += 2 * width) {
            uint32_t mid = lo + width < n ? lo + width : n;
            uint32_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            uint32_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) b[k++] = a[j].at_ns < a[i].at_ns ? a[j++] : a[i++];
            while (i < mid) b[k++] = a[i++];
            while (j < hi) b[k++] = a[j++];
        }
        scn_fault *t = a; a = b; b = t;
    }
    if (a != s->faults) memcpy(s->faults, a, sizeof(scn_fault) * n);
    free(tmp);
    for (uint32_t i = 1; i < n; i++) SIM_ASSERT(s->faults[i - 1].at_ns <= s->faults[i].at_ns);
}

/* ------------------------------------------------------------------ */
/* A restart brings back a node that is down: taken down by a crash or a
 * power loss before it (or at the same instant, earlier in the file) and
 * not brought back since, by that fault's `for` or by another restart.  A
 * restart of a node that is up does nothing in the run, so the schedule
 * that shows it is refused here, at the restart's entry.  A node a nemesis
 * may crash is not judged: the file does not show its schedule. */

typedef struct node_life {
    sim_time down_at;                   /* its last crash or power loss; -1 = never */
    sim_time up_at;                     /* when it came back since; SIM_TIME_NEVER = not yet */
    bool by_restart;                    /* up_at is a restart entry's, not the fault's `for` */
} node_life;

static bool nemesis_may_crash(const scn *s, int32_t node) {
    const scn_nemesis *nm = &s->nemesis;
    uint32_t crashes = (1u << SCN_NEM_CRASH) | (1u << SCN_NEM_POWER_LOSS);
    return nm->on && (nm->kinds & crashes) != 0 && (nm->targets >> node & 1u) != 0;
}

static int restart_refused(scn_ld *ld, const scn_fault *f, const node_life *l) {
    char at[32], down[32], up[32];
    sim_fmt_time(at, sizeof at, f->at_ns);
    const char *name = ld->s->nodes[f->node].name;
    const char *expected = "expected a restart of a node that a crash or power-loss took down "
                           "and nothing has brought back";
    if (l->down_at < 0)
        return scn__fail(ld, f->pos, "restart: node '%.64s' is not down at %s: no crash or "
                         "power-loss of it comes before (%s)", name, at, expected);
    sim_fmt_time(down, sizeof down, l->down_at);
    sim_fmt_time(up, sizeof up, l->up_at);
    return scn__fail(ld, f->pos, "restart: node '%.64s' is not down at %s: it went down at %s "
                     "and %s at %s (%s)", name, at, down,
                     l->by_restart ? "a restart brought it back" : "came back by the crash's `for`",
                     up, expected);
}

int scn__check_restarts(scn_ld *ld) {
    const scn *s = ld->s;
    node_life life[SIM_NODES_MAX];
    for (uint32_t i = 0; i < SIM_NODES_MAX; i++) life[i] = (node_life){ -1, SIM_TIME_NEVER, false };
    for (uint32_t i = 0; i < s->fault_count; i++) {
        const scn_fault *f = &s->faults[i];
        SIM_ASSERT(i == 0 || s->faults[i - 1].at_ns <= f->at_ns);   /* sorted by `at` */
        if (scn_fault_crashes(f->kind)) {
            sim_time up = f->for_ns > 0 ? f->at_ns + f->for_ns : SIM_TIME_NEVER;
            life[f->node] = (node_life){ f->at_ns, up, false };
            continue;
        }
        if (f->kind != SCN_FAULT_RESTART || f->drawn || nemesis_may_crash(s, f->node)) continue;
        node_life *l = &life[f->node];
        if (l->down_at < 0 || f->at_ns >= l->up_at) return restart_refused(ld, f, l);
        l->up_at = f->at_ns;
        l->by_restart = true;
    }
    return 0;
}
