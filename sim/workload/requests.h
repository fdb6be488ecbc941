/* requests.h -- the `requests` workload: each client sends `count`
 * requests, one every `every` from its `start`, to the rate limiter
 * (SCENARIOS.md M2: 100 in the last 100 ms of a window and 100 in the first
 * 100 ms of the next).
 *
 * History: one REQUEST per request: ok = admitted (200), fail = refused
 * (429).  A request is its own op, with the client's node as :process;
 * requests overlap when the limiter is slower than `every`.
 */
#ifndef CCSIM_REQUESTS_H
#define CCSIM_REQUESTS_H

#include "sim/config.h"
#include "sim/env.h"

typedef struct rq_cfg {
    param_nodes clients;
    param_per_node start;
    sim_time every_ns;
    int64_t count;
} rq_cfg;

#endif
