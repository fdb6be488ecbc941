/* register_rw.h -- the `register-rw` workload: clients read and write one
 * replicated register (protocols/register), each through its home replica,
 * one operation at a time (issue 16 item 7, CAP).
 *
 * Each client runs `count` operations, `every` apart (from the end of one
 * to the start of the next), from its `start`; each is a read with odds
 * `reads`, else a write of a value no other write uses: client k's j-th
 * write writes (k+1)*1000 + j, so a lost write is visible by its value.
 * Client k's home is home[k mod |home|] (by default every replica, in
 * order: c1 -> replica1, c2 -> replica2...).
 *
 * History: the core's READ (value_out = what it read) and WRITE (value_in),
 * key "x": ok = answered, fail = refused ("no quorum") or a read that timed
 * out, info = a write whose outcome is unknown (timed out, or the quorum's
 * store round failed).  The first client records the availability target
 * once (HIST_EFF_REG_TARGET) for the `availability` check.
 */
#ifndef CCSIM_REGISTER_RW_H
#define CCSIM_REGISTER_RW_H

#include "sim/config.h"
#include "sim/env.h"

#define RW_COUNT_MAX 999       /* values (k+1)*1000 + j stay unique */

typedef struct rw_cfg {
    param_nodes clients;
    param_nodes home;
    param_per_node start;
    sim_time every_ns;
    int64_t count;
    uint32_t reads_ppm;
    sim_time timeout_ns;       /* a client gives up on a request after it (info) */
    uint32_t target_ppm;       /* availability: share to answer on every side */
} rw_cfg;

#endif
