/* shard_transfer.h -- the `shard-transfer` workload: clients move money
 * from one account to another on the sharded-kv protocol
 * (protocols/shard/shard.h, docs/protocols/sharding.md).
 *
 * Each client makes `transfers` transfers of `amount` from account `from`
 * to account `to`, one every `every` from its `start`, one at a time.  It
 * sends the DEBIT to the payer's shard; when that shard answers "credit it
 * yourself" (transfer: two-writes, the accounts on two shards) it sends the
 * CREDIT to the payee's shard.  A request unanswered after `timeout` ends
 * the transfer as info (it may have happened in part); a client that
 * crashes ends its transfer as info and makes no more.
 *
 * History: TRANSFER (key = payer, key2 = payee, delta = -amount, value_in =
 * amount; note = how it ended).
 */
#ifndef CCSIM_SHARD_TRANSFER_H
#define CCSIM_SHARD_TRANSFER_H

#include "sim/config.h"
#include "sim/env.h"

typedef struct sxf_cfg {
    param_nodes clients;
    param_per_node start;
    sim_time every_ns, timeout_ns;
    int64_t transfers, from, to, amount;
} sxf_cfg;

#endif
