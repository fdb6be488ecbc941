/* net.h -- the network: directed links between nodes and their faults.
 *
 * Fault model (STYLE.md 8).  Each directed link from -> to has a latency
 * distribution (fixed, uniform, exponential with a floor), a loss rate, a
 * duplication rate and a reorder rate, all from `network:` and its `links:`
 * overrides.  On top of that:
 *   - connectivity: a partition splits nodes into groups (links between
 *     groups are down); a cut takes down the listed directed links; heal
 *     brings every link back.  A message is dropped if its link is down
 *     when it is sent or when it would arrive.
 *   - link delay: while active, every message sent on the link takes `by`
 *     longer (Kleppmann's 90-second packet).
 *   - loss burst: while active, a message sent on the link is lost with the
 *     burst's odds, drawn after (and besides) the link's own loss.
 *   - order: links are FIFO, like the TCP connections the modelled clients
 *     use: a message never arrives before one sent earlier on the same
 *     link, unless the reorder draw lets it overtake.
 * Draws come from the network's own random stream.
 *
 * Invariant: for all i, up[i][i]; fifo_last[i][j] is the arrival time of
 * the latest message sent on i -> j.
 */
#ifndef CCSIM_NET_H
#define CCSIM_NET_H

#include "sim/rng.h"
#include "sim/scenario/scn.h"

#define NET_DELAYS_MAX 64

typedef struct net_link {
    scn_latency latency;
    uint32_t loss_ppm, duplicate_ppm, reorder_ppm;
} net_link;

/* A link delay or a loss burst, active until until_ns. */
typedef struct net_delay {
    uint64_t from_mask, to_mask;
    bool both;                   /* also to -> from (loss bursts only) */
    sim_time by_ns, until_ns;    /* by_ns: the extra latency of a delay */
    uint32_t loss_ppm;           /* a loss burst's rate; 0 for a delay */
} net_delay;

typedef struct net {
    uint32_t node_count;
    net_link link[SIM_NODES_MAX][SIM_NODES_MAX];
    bool up[SIM_NODES_MAX][SIM_NODES_MAX];
    sim_time fifo_last[SIM_NODES_MAX][SIM_NODES_MAX];
    net_delay delays[NET_DELAYS_MAX];
    uint32_t delay_count;
    rng rng;
} net;

/* The outcome of sending one message: how many copies arrive, and when. */
typedef struct net_plan {
    uint32_t copies;             /* 0 = dropped, 1, or 2 (duplicated) */
    sim_time arrive_ns[2];
    bool dropped_by_partition;
} net_plan;

void net_init(net *n, const scn *s, rng stream);
/* One draw from a latency distribution (also the nemesis's gaps and lengths). */
sim_time net_draw_latency(rng *r, const scn_latency *lat);
net_plan net_send(net *n, sim_time now, int32_t from, int32_t to);
bool net_link_up(const net *n, int32_t from, int32_t to);

/* Faults; each returns false only when a bound is reached. */
void net_partition(net *n, const uint8_t *group);
void net_cut(net *n, uint64_t from_mask, uint64_t to_mask, bool both);
void net_heal(net *n);
bool net_add_delay(net *n, sim_time now, uint64_t from_mask, uint64_t to_mask,
                   sim_time by, sim_time for_ns);
bool net_add_loss(net *n, sim_time now, uint64_t from_mask, uint64_t to_mask, bool both,
                  uint32_t loss_ppm, sim_time for_ns);

#endif
