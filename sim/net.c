/* net.c -- latency draws, loss, duplication, FIFO order, partitions, delays.
 * Invariant: up[i][i] for every node (a node always reaches itself).
 * Trade-off: connectivity is a dense 64x64 matrix: O(1) checks, O(n^2)
 * partition changes, which are rare. */
#include "sim/net.h"

#include <string.h>

static void link_apply(net_link *l, const scn_link_props *p) {
    if (p->has_latency) l->latency = p->latency;
    if (p->has_loss) l->loss_ppm = p->loss_ppm;
    if (p->has_duplicate) l->duplicate_ppm = p->duplicate_ppm;
    if (p->has_reorder) l->reorder_ppm = p->reorder_ppm;
}

void net_init(net *n, const scn *s, rng stream) {
    SIM_ASSERT(s->node_count <= SIM_NODES_MAX);
    memset(n, 0, sizeof *n);
    n->node_count = s->node_count;
    n->rng = stream;
    net_link base = { .latency = { SCN_LAT_FIXED, SIM_MS, 0 } };
    link_apply(&base, &s->network);
    for (uint32_t i = 0; i < n->node_count; i++)
        for (uint32_t j = 0; j < n->node_count; j++) {
            n->link[i][j] = base;
            n->up[i][j] = true;
        }
    for (uint32_t k = 0; k < s->link_count; k++) {
        const scn_link *l = &s->links[k];
        SIM_ASSERT(l->from >= 0);
        SIM_ASSERT((uint32_t)l->from < n->node_count);
        SIM_ASSERT(l->to >= 0);
        SIM_ASSERT((uint32_t)l->to < n->node_count);
        link_apply(&n->link[l->from][l->to], &l->props);
    }
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
static sim_time plan_copy(net *n, sim_time now, int32_t from, int32_t to) {
    const net_link *l = &n->link[from][to];
    sim_time at = now + net_draw_latency(&n->rng, &l->latency) + extra_delay(n, now, from, to);
    bool overtake = rng_chance(&n->rng, l->reorder_ppm, 1000000);
    if (!overtake && at < n->fifo_last[from][to]) at = n->fifo_last[from][to];
    if (at > n->fifo_last[from][to]) n->fifo_last[from][to] = at;
    return at;
}

net_plan net_send(net *n, sim_time now, int32_t from, int32_t to) {
    SIM_ASSERT(from >= 0);
    SIM_ASSERT((uint32_t)from < n->node_count);
    SIM_ASSERT(to >= 0);
    SIM_ASSERT((uint32_t)to < n->node_count);
    net_plan p = { 0, { 0, 0 }, false };
    if (!n->up[from][to]) { p.dropped_by_partition = true; return p; }
    const net_link *l = &n->link[from][to];
    if (rng_chance(&n->rng, l->loss_ppm, 1000000)) return p;
    if (n->delay_count > 0 && burst_lost(n, now, from, to)) return p;
    p.arrive_ns[p.copies++] = plan_copy(n, now, from, to);
    if (rng_chance(&n->rng, l->duplicate_ppm, 1000000))
        p.arrive_ns[p.copies++] = plan_copy(n, now, from, to);
    return p;
}

bool net_link_up(const net *n, int32_t from, int32_t to) {
    SIM_ASSERT(from >= 0);
    SIM_ASSERT((uint32_t)from < n->node_count);
    SIM_ASSERT(to >= 0);
    SIM_ASSERT((uint32_t)to < n->node_count);
    return n->up[from][to];
}

void net_partition(net *n, const uint8_t *group) {
    for (uint32_t i = 0; i < n->node_count; i++)
        for (uint32_t j = 0; j < n->node_count; j++)
            n->up[i][j] = group[i] == group[j];
}

void net_cut(net *n, uint64_t from_mask, uint64_t to_mask, bool both) {
    for (uint32_t i = 0; i < n->node_count; i++)
        for (uint32_t j = 0; j < n->node_count; j++) {
            if (i == j) continue;
            bool fwd = (from_mask >> i & 1u) && (to_mask >> j & 1u);
            bool back = both && (to_mask >> i & 1u) && (from_mask >> j & 1u);
            if (fwd || back) n->up[i][j] = false;
        }
}

void net_heal(net *n) {
    for (uint32_t i = 0; i < n->node_count; i++)
        for (uint32_t j = 0; j < n->node_count; j++) n->up[i][j] = true;
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
