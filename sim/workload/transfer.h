/* transfer.h -- the `transfer` workload: money moves between accounts held
 * by different nodes, under 2PC or under a saga (DESIGN.md 4; the same
 * transfer under both is docs/2pc-vs-saga.md).
 *
 * Each node in `clients` (the protocol's coordinator or orchestrator nodes)
 * runs `iterations` transfers, one at a time, from its `start`: the `from`
 * node's account pays `amount`, shared equally by the `to` nodes' accounts
 * (the last one takes the remainder), through the protocol's coordinator
 * library (protocols/txn/txn_api.h).  Every account opens with the
 * protocol's `balance`; money must be conserved (the `conservation` check).
 *
 * Each node in `reader` runs the unrelated transaction X once, at its
 * `reader.at`: a locking read of the `reader.of` node's account (SELECT ...
 * FOR UPDATE, then commit).  Under 2PC it waits behind an in-doubt
 * participant's row lock (SCENARIOS.md T3); under a saga it reads at once
 * and may see a transfer half done.
 *
 * History: per transfer the protocol's op (TXN or SAGA; ok = committed or
 * completed, fail = aborted or compensated, info = the node crashed), per
 * reader a READ (value_out = the balance; fail when refused, info when no
 * reply came within reader.timeout).  A crash completes the pending op as
 * info; after a restart the library recovers its log and the node goes on
 * with its next transfer.
 *
 * Parameters (`workload:`):
 *   clients         (role)   nodes that run transfers (default: the
 *                            protocol's coordinator role)
 *   iterations      1        transfers per client
 *   start           0ms      per client
 *   think           0ms      per client: between one transfer's end and the next
 *   amount          50       money moved per transfer
 *   from            (first)  the paying node (default: the first resource node)
 *   to              (rest)   the receiving nodes (default: the other resource nodes)
 *   reader          client   nodes that run transaction X
 *   reader.at       0ms      per reader: when it reads
 *   reader.of       (from)   whose account it reads
 *   reader.timeout  none     no reply in this long = info
 */
#ifndef CCSIM_TRANSFER_H
#define CCSIM_TRANSFER_H

#include "sim/config.h"
#include "sim/env.h"

/* Transaction X's default request timeout: a reader gives up after 30 s
 * with no reply, as real clients do (drivers' and coordinators' client
 * timeouts are seconds to a minute: PROTOCOLS.md section 8.3), so a reader
 * whose request was lost at a crashed node does not wait forever and read
 * as if 2PC blocked.  `reader.timeout: none` waits forever (a psql session
 * behind PostgreSQL's lock_timeout 0: SCENARIOS.md T3). */
#define XFR_READER_TIMEOUT_DEFAULT "30s"

typedef struct xfr_cfg {
    param_nodes clients;
    int64_t iterations;
    param_per_node start;
    param_per_node think;
    int64_t amount;
    param_nodes from;
    param_nodes to;
    param_nodes reader;
    param_per_node reader_at;
    param_nodes reader_of;
    sim_time reader_timeout_ns;   /* -1 = none; default XFR_READER_TIMEOUT_DEFAULT */
} xfr_cfg;

extern const model_ops xfr_driver_ops;

#endif
