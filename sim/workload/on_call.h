/* on_call.h -- the `on-call` workload: doctors on call for a shift ask to
 * go off call; the rule is that at least `min_on_call` stay (SCENARIOS.md
 * D11, Kleppmann's write-skew example, Berenson's A5B).
 *
 * Data: table doctor (alice, bob, carol, ...), value 1 = on call for the
 * shift, 0 = off; the first `on_call` of `doctors` start on call.  Doctor
 * k (k = 0 .. leaving-1, alice first) asks at start + k * every, on client
 * node k mod (number of clients); Jepsen :process k.  Strategies:
 *   check-count  BEGIN; SELECT count(*) FROM doctor WHERE on_call;
 *                if > min_on_call: think; UPDATE me SET on_call = 0; COMMIT
 *   for-update   the same SELECT ... FOR UPDATE (the rows it counts are locked)
 * Serialization failures and deadlocks are retried (`retries`, backoff).
 *
 * History: one OFF_CALL per doctor (key "doctor:alice"): ok = went off
 * call, fail = refused (too few would be left) or gave up.
 */
#ifndef CCSIM_ON_CALL_H
#define CCSIM_ON_CALL_H

#include "sim/config.h"
#include "sim/env.h"

typedef enum { OC_CHECK_COUNT = 0, OC_FOR_UPDATE } oc_strategy;

typedef struct oc_cfg {
    param_nodes clients;
    int64_t doctors, on_call, leaving, min_on_call;
    sim_time start_ns, every_ns, think_ns;
    int strategy;                 /* oc_strategy */
    int64_t retries;
    sim_time backoff_ns, backoff_max_ns;
    sim_time request_timeout_ns;
} oc_cfg;

#endif
