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
 * Sparse: a run of 10 000 nodes must not pay for 10^8 links.  The links
 * that differ from `network:` (the `links:` overrides) and the links that
 * carried a message (for their FIFO order) are entries of a hash table
 * keyed by (from, to), looked up, never iterated; connectivity is a group
 * number per node (a partition) and a 64 x 64 bit matrix of cut links
 * (cuts name only the first SIM_MASK_NODES nodes).
 *
 * Invariant: a node always reaches itself; a link is up iff its ends are in
 * the same group and it is not cut; an entry's fifo_last is the arrival
 * time of the latest message sent on its link (0 before any).
 */
#ifndef CCSIM_NET_H
#define CCSIM_NET_H

#include "sim/rng.h"
#include "sim/scenario/scn.h"

#define NET_DELAYS_MAX SCN_DELAYS_MAX   /* the loader refuses more at once */

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

/* One directed link in the table. */
typedef struct net_pair {
    uint32_t key;                /* from * node_count + to + 1; 0 = a free entry */
    int32_t link;                /* its override in links[], -1 = the default link */
    sim_time fifo_last;
} net_pair;

typedef struct net {
    uint32_t node_count;
    net_link base;               /* every link that `links:` does not override */
    net_link *links;             /* the overridden links (heap) */
    uint32_t link_count;
    net_pair *pairs;             /* the table (heap), pair_cap entries, a power of 2 */
    uint32_t pair_count, pair_cap;
    uint16_t *group;             /* per node: its partition group (heap), 0 when healed */
    uint64_t cut[SIM_MASK_NODES];   /* bit j of cut[i]: the link i -> j is cut */
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

/* Sets up n for s's nodes (n need not be zeroed); net_free releases it. */
void net_init(net *n, const scn *s, rng stream);
void net_free(net *n);
/* One draw from a latency distribution (also the nemesis's gaps and lengths). */
sim_time net_draw_latency(rng *r, const scn_latency *lat);
net_plan net_send(net *n, sim_time now, int32_t from, int32_t to);
bool net_link_up(const net *n, int32_t from, int32_t to);
/* The properties of the link from -> to (the default or its override). */
const net_link *net_link_of(net *n, int32_t from, int32_t to);

/* Faults; each returns false only when a bound is reached.  A partition
 * takes s's fault f's groups and ends every cut. */
void net_partition(net *n, const scn *s, const scn_fault *f);
void net_cut(net *n, uint64_t from_mask, uint64_t to_mask, bool both);
void net_heal(net *n);
bool net_add_delay(net *n, sim_time now, uint64_t from_mask, uint64_t to_mask,
                   sim_time by, sim_time for_ns);
bool net_add_loss(net *n, sim_time now, uint64_t from_mask, uint64_t to_mask, bool both,
                  uint32_t loss_ppm, sim_time for_ns);

#endif
