/* shard_session.h -- the `shard-session` workload: sessions that deposit
 * into an account and read it back on the sharded-kv protocol, reading
 * where the protocol's `read-from` says (protocols/shard/shard.h,
 * docs/protocols/sharding.md).
 *
 * A writer runs `rounds` rounds of: a DEPOSIT of `amount` into account
 * `key` (at its primary), then `read-back` READs of it; a reader runs
 * `rounds` rounds of `reads` READs.  Ops are one at a time, `every` apart, from the
 * client's `start`.  The session remembers, per shard, the newest log
 * position it wrote or read there (read-from: position sends it with each
 * read).  A request unanswered after `timeout` fails (a read) or is info
 * (a deposit: it may have committed); a crash ends the client.
 *
 * History: DEPOSIT (key, delta = amount, value_out = the version it
 * committed), READ (key, value_out = the version read, note = "from N: balance B" with
 * the node that answered and the balance it showed).
 */
#ifndef CCSIM_SHARD_SESSION_H
#define CCSIM_SHARD_SESSION_H

#include "sim/config.h"
#include "sim/env.h"

typedef struct sss_cfg {
    param_nodes writers, readers;
    param_per_node start;
    sim_time every_ns, timeout_ns;
    int64_t rounds, read_back, reads, key, amount;
} sss_cfg;

#endif
