/* payment.h -- the `payment` workload: each client pays once, retrying
 * until it hears back (SCENARIOS.md M1; the seed guide's idempotency keys).
 *
 * A client POSTs a charge of `amount` at its `start`, with the
 * Idempotency-Key "K<n>" unless `idempotency_key: false`; with `payments`
 * > 1 it pays again `every` after each payment ends, payment m with the
 * key "K<n>-<m>" (a restarted client goes on with the next one).  With no reply
 * within `timeout` it sends the same request again (the same key; with
 * `retry_amount` >= 0 a different amount, a client bug the key catches),
 * up to `retries` times; a 409 (the first is still executing) is retried
 * after `conflict_wait`.
 *
 * History: one CHARGE per payment (key "customer", delta = -amount, key2 =
 * "": money leaves the system): ok = a 200 (value = the charge number);
 * info = no answer after the retries, or a 422 after a retry (the first
 * attempt may have charged: the outcome is unknown, Jepsen's rule).
 */
#ifndef CCSIM_PAYMENT_WORKLOAD_H
#define CCSIM_PAYMENT_WORKLOAD_H

#include "sim/config.h"
#include "sim/env.h"

#define PW_PAYMENTS_MAX 1000000   /* the `payments` param's bound */

typedef struct pw_cfg {
    param_nodes clients;
    param_per_node start;
    int64_t amount, retry_amount, retries, payments;
    bool idempotency_key;
    sim_time timeout_ns, conflict_wait_ns, every_ns;
} pw_cfg;

#endif
