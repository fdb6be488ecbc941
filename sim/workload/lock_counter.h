/* lock_counter.h -- the `lock-counter` workload: clients increment a counter
 * in the protected storage under a lock (DESIGN.md 4).
 *
 * Each client runs `iterations` times, starting at its `start`:
 *
 *   ACQUIRE -> [lease check] -> READ -> hold -> [lease check] -> WRITE read+1 -> RELEASE
 *
 * then waits `think` and goes again.  A failed ACQUIRE ends the iteration; a
 * failed lease check, READ or WRITE goes straight to RELEASE (a skipped op
 * is traced, not invoked).  Without a storage node the client only holds
 * the lock for `hold`.  The lease check is the lock client's still_valid():
 * it only checks when the protocol's `lease_check` is on.
 *
 * History (hist.h, top comment): ACQUIRE (value_out = token, epoch on ok),
 * READ (value_out = the value read), WRITE (value_in = read + 1; fail "stale
 * token" when fencing refused it, "refused: ..." when the resource refused
 * a write without a token (advisory-lock: the writer's database connection
 * is gone); info when no reply came within request_timeout), RELEASE (ok = our key was deleted).  A crash completes
 * the pending op as info ("client crashed"); after a restart the client
 * goes on with its next iteration.
 *
 * Parameters (`workload:`):
 *   clients          client   the nodes that run it (a list, or a role)
 *   iterations       1        per client
 *   start            0ms      per client: {c1: 0ms, c2: 10500ms}
 *   hold             2ms      per client: between the READ reply and the WRITE
 *   think            0ms      per client: between RELEASE and the next ACQUIRE
 *   request_timeout  1s       storage request timeout (no reply = info)
 *   initial          0        the counter's initial value
 *   read_at          0ms      per client: READ when the monotonic clock reads it (0 = at once)
 *   write_at         0ms      per client: WRITE at this clock reading instead of after `hold`
 *   release_at       0ms      per client: RELEASE at this clock reading (0 = after the WRITE)
 *   fenced_reads     false    the READ carries the fencing token too (storage.h, top)
 *   resource         ""       the node holding the counter ("" = the storage node)
 */
#ifndef CCSIM_LOCK_COUNTER_H
#define CCSIM_LOCK_COUNTER_H

#include "sim/config.h"
#include "sim/env.h"

typedef struct lkc_cfg {
    param_nodes clients;
    int64_t iterations;
    param_per_node start;
    param_per_node hold;
    param_per_node think;
    sim_time request_timeout_ns;
    int64_t initial;
    param_per_node read_at;
    param_per_node write_at;
    param_per_node release_at;
    bool fenced_reads;
    char resource[CONFIG_STRING_MAX];
} lkc_cfg;

extern const model_ops lkc_driver_ops;

#endif
