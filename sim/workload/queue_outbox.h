/* queue_outbox.h -- the `queue-outbox` workload: producers place orders
 * and publish OrderCreated as the protocol's `publish` says; consumers
 * fetch the events, charge each order in the database and ack
 * (protocols/queue/queue.h, docs/protocols/queue-outbox.md).
 *
 * Each producer places `orders` orders, one every `every` from its
 * `start`, one at a time; order i of the k-th producer (0-based) is order
 * k*1000 + i + 1.  Each consumer fetches from its `start` until the end of
 * the run: a message is charged and acked at once, the next fetch follows
 * the ack; an empty queue is asked again `poll-every` later.  A request
 * unanswered after `timeout` is given up: the producer's order is info
 * (note says which step), a consumer's charge is info and not acked (the
 * broker delivers it again), a fetch is asked again.  A crashed producer
 * places no more orders; a crashed consumer fetches again on restart.
 *
 * History: place-order (note: "saved and published", "saved", ...),
 * consume (value_out = the offset; note "charged" / "already processed").
 */
#ifndef CCSIM_QUEUE_OUTBOX_H
#define CCSIM_QUEUE_OUTBOX_H

#include "sim/config.h"
#include "sim/env.h"

typedef struct qow_cfg {
    param_nodes producers, consumers;
    param_per_node start;
    sim_time every_ns, poll_ns;
    int64_t orders;
    sim_time timeout_ns;
} qow_cfg;

#endif
