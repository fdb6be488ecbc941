/* net.c -- latency draws, loss, duplication, FIFO order, partitions, delays.
 * Invariant: a node always reaches itself (group[i] == group[i], and a cut
 * never takes i -> i); the pair table is at most half full.
 * Trade-off: a hash table of the links in use (one lookup per message)
 * instead of a node_count^2 matrix: 10 000 nodes cost what their traffic
 * does, and a partition is O(nodes). */
#include "sim/net.h"

#include <stdlib.h>
#include <string.h>

static void link_apply(net_link *l, const scn_link_props *p) {
    if (p->has_latency) l->latency = p->latency;
    if (p->has_loss) l->loss_ppm = p->loss_ppm;
    if (p->has_duplicate) l->duplicate_ppm = p->duplicate_ppm;
    if (p->has_reorder) l->reorder_ppm = p->reorder_ppm;
}

static uint32_t pair_key(const net *n, int32_t from, int32_t to) {
    return (uint32_t)from * n->node_count + (uint32_t)to + 1u;   /* < 10^8 + 1 */
}

/* MurmurHash3's finaliser: every bit of the key moves the low bits. */
static uint32_t pair_home(const net *n, uint32_t key) {
    uint32_t h = key;
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return h & (n->pair_cap - 1);
}

static net_pair *pair_slot(net_pair *pairs, uint32_t cap, uint32_t home, uint32_t key) {
    uint32_t i = home;
    while (pairs[i].key != 0 && pairs[i].key != key) i = (i + 1) & (cap - 1);
    return &pairs[i];
}

static void pairs_grow(net *n) {
    net_pair *old = n->pairs;
    uint32_t old_cap = n->pair_cap;
    n->pair_cap = old_cap ? old_cap * 2 : 64;
    n->pairs = sim_xcalloc(n->pair_cap, sizeof *n->pairs);
    for (uint32_t i = 0; i < old_cap; i++) {
        if (old[i].key == 0) continue;
        *pair_slot(n->pairs, n->pair_cap, pair_home(n, old[i].key), old[i].key) = old[i];
    }
    free(old);
}

/* The entry of from -> to, made (the default link, no message yet) if new. */
static net_pair *pair_get(net *n, int32_t from, int32_t to) {
    uint32_t key = pair_key(n, from, to);
    net_pair *p = pair_slot(n->pairs, n->pair_cap, pair_home(n, key), key);
    if (p->key == key) return p;
    if (2 * (n->pair_count + 1) > n->pair_cap) {
        pairs_grow(n);
        p = pair_slot(n->pairs, n->pair_cap, pair_home(n, key), key);
    }
    *p = (net_pair){ key, -1, 0 };
    n->pair_count++;
    SIM_ASSERT(2 * n->pair_count <= n->pair_cap);
    return p;
}

void net_init(net *n, const scn *s, rng stream) {
    SIM_ASSERT(s->node_count <= SIM_NODES_MAX);
    memset(n, 0, sizeof *n);
    n->node_count = s->node_count;
    n->rng = stream;
    n->base = (net_link){ .latency = { SCN_LAT_FIXED, SIM_MS, 0 } };
    link_apply(&n->base, &s->network);
    n->group = sim_xcalloc(n->node_count + 1u, sizeof *n->group);
    pairs_grow(n);
    n->links = sim_xmalloc((s->link_count + 1u) * sizeof *n->links);
    for (uint32_t k = 0; k < s->link_count; k++) {
        const scn_link *l = &s->links[k];
        SIM_ASSERT(l->from >= 0);
        SIM_ASSERT((uint32_t)l->from < n->node_count);
        SIM_ASSERT(l->to >= 0);
        SIM_ASSERT((uint32_t)l->to < n->node_count);
        net_pair *p = pair_get(n, l->from, l->to);
        if (p->link < 0) {
            p->link = (int32_t)n->link_count;
            n->links[n->link_count++] = n->base;
        }
        link_apply(&n->links[p->link], &l->props);
    }
}

void net_free(net *n) {
    free(n->links);
    free(n->pairs);
    free(n->group);
    n->links = NULL;
    n->pairs = NULL;
    n->group = NULL;
}

const net_link *net_link_of(net *n, int32_t from, int32_t to) {
    const net_pair *p = pair_get(n, from, to);
    return p->link < 0 ? &n->base : &n->links[p->link];
}

sim_time net_draw_latency(rng *r, const scn_latency *lat) {
    switch (lat->kind) {
    case SCN_LAT_FIXED: return lat->a_ns;
    case SCN_LAT_UNIFORM: return rng_range(r, lat->a_ns, lat->b_ns);
    case SCN_LAT_EXPONENTIAL: {
        sim_time v = rng_exponential(r, lat->a_ns);
        return v < lat->b_ns ? lat->b_ns : v;
    }
    }
    SIM_UNREACHABLE("unknown latency kind");
    return 0;
}

static bool delay_covers(const net_delay *d, int32_t from, int32_t to) {
    if (from >= SIM_MASK_NODES || to >= SIM_MASK_NODES) return false;   /* masks name no more */
    if ((d->from_mask >> from & 1u) && (d->to_mask >> to & 1u)) return true;
    return d->both && (d->to_mask >> from & 1u) && (d->from_mask >> to & 1u);
}

static sim_time extra_delay(net *n, sim_time now, int32_t from, int32_t to) {
    sim_time extra = 0;
    for (uint32_t k = 0; k < n->delay_count; k++) {
        const net_delay *d = &n->delays[k];
        if (now >= d->until_ns || d->loss_ppm != 0) continue;
        if (delay_covers(d, from, to)) extra += d->by_ns;
    }
    return extra;
}

/* A loss burst on the link drops the message: one draw per active burst,
 * none when there is no burst (so scenarios without one draw as before). */
static bool burst_lost(net *n, sim_time now, int32_t from, int32_t to) {
    for (uint32_t k = 0; k < n->delay_count; k++) {
        const net_delay *d = &n->delays[k];
        if (now >= d->until_ns || d->loss_ppm == 0 || !delay_covers(d, from, to)) continue;
        if (rng_chance(&n->rng, d->loss_ppm, 1000000)) return true;
    }
    return false;
}

/* One copy's arrival time: latency, link delay, then FIFO unless reordered. */
static sim_time plan_copy(net *n, sim_time now, int32_t from, int32_t to, net_pair *p,
                          const net_link *l) {
    sim_time at = now + net_draw_latency(&n->rng, &l->latency) + extra_delay(n, now, from, to);
    bool overtake = rng_chance(&n->rng, l->reorder_ppm, 1000000);
    if (!overtake && at < p->fifo_last) at = p->fifo_last;
    if (at > p->fifo_last) p->fifo_last = at;
    return at;
}

net_plan net_send(net *n, sim_time now, int32_t from, int32_t to) {
    SIM_ASSERT(from >= 0);
    SIM_ASSERT((uint32_t)from < n->node_count);
    SIM_ASSERT(to >= 0);
    SIM_ASSERT((uint32_t)to < n->node_count);
    net_plan p = { 0, { 0, 0 }, false };
    if (!net_link_up(n, from, to)) { p.dropped_by_partition = true; return p; }
    net_pair *pair = pair_get(n, from, to);      /* no insert below: the pointer stays */
    const net_link *l = pair->link < 0 ? &n->base : &n->links[pair->link];
    if (rng_chance(&n->rng, l->loss_ppm, 1000000)) return p;
    if (n->delay_count > 0 && burst_lost(n, now, from, to)) return p;
    p.arrive_ns[p.copies++] = plan_copy(n, now, from, to, pair, l);
    if (rng_chance(&n->rng, l->duplicate_ppm, 1000000))
        p.arrive_ns[p.copies++] = plan_copy(n, now, from, to, pair, l);
    return p;
}

bool net_link_up(const net *n, int32_t from, int32_t to) {
    SIM_ASSERT(from >= 0);
    SIM_ASSERT((uint32_t)from < n->node_count);
    SIM_ASSERT(to >= 0);
    SIM_ASSERT((uint32_t)to < n->node_count);
    if (n->group[from] != n->group[to]) return false;
    return from >= SIM_MASK_NODES || to >= SIM_MASK_NODES || !(n->cut[from] >> to & 1u);
}

void net_partition(net *n, const scn *s, const scn_fault *f) {
    SIM_ASSERT(f->kind == SCN_FAULT_PARTITION);
    SIM_ASSERT(s->node_count == n->node_count);
    for (uint32_t i = 0; i < n->node_count; i++) {
        uint32_t g = scn_fault_group(s, f, i);
        SIM_ASSERT(g <= UINT16_MAX);
        n->group[i] = (uint16_t)g;
    }
    memset(n->cut, 0, sizeof n->cut);
}

void net_cut(net *n, uint64_t from_mask, uint64_t to_mask, bool both) {
    for (uint32_t i = 0; i < n->node_count && i < SIM_MASK_NODES; i++) {
        if (from_mask >> i & 1u) n->cut[i] |= to_mask;
        if (both && (to_mask >> i & 1u)) n->cut[i] |= from_mask;
        n->cut[i] &= ~((uint64_t)1 << i);          /* a node always reaches itself */
    }
}

void net_heal(net *n) {
    memset(n->group, 0, n->node_count * sizeof *n->group);
    memset(n->cut, 0, sizeof n->cut);
}

/* A free entry (an expired one is reused), or NULL at the bound. */
static net_delay *delay_slot(net *n, sim_time now) {
    uint32_t k = 0;
    while (k < n->delay_count && n->delays[k].until_ns > now) k++;
    if (k == n->delay_count) {
        if (n->delay_count == NET_DELAYS_MAX) return NULL;
        n->delay_count++;
    }
    return &n->delays[k];
}

bool net_add_delay(net *n, sim_time now, uint64_t from_mask, uint64_t to_mask,
                   sim_time by, sim_time for_ns) {
    SIM_ASSERT(by >= 0);
    SIM_ASSERT(for_ns > 0);
    net_delay *d = delay_slot(n, now);
    if (!d) return false;
    *d = (net_delay){ from_mask, to_mask, false, by, now + for_ns, 0 };
    return true;
}

bool net_add_loss(net *n, sim_time now, uint64_t from_mask, uint64_t to_mask, bool both,
                  uint32_t loss_ppm, sim_time for_ns) {
    SIM_ASSERT(loss_ppm <= 1000000);
    SIM_ASSERT(for_ns > 0);
    if (loss_ppm == 0) return true;              /* a burst that loses nothing */
    net_delay *d = delay_slot(n, now);
    if (!d) return false;
    *d = (net_delay){ from_mask, to_mask, both, 0, now + for_ns, loss_ppm };
    return true;
}
