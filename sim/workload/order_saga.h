/* order_saga.h -- the `order-saga` workload: Richardson's Create Order saga
 * (order, funds, seat) and the user's Cancel Order saga, over the `saga`
 * protocol (DESIGN.md 4, SCENARIOS.md G1-G4).
 *
 * Each node in `clients` runs `iterations` CreateOrder sagas, one at a time:
 *   T1 orders.createOrder(#N)        C1 orders.rejectOrder     compensatable
 *   T2 payments.reserveFunds(U, $)   C2 payments.releaseFunds  compensatable
 *   T3 inventory.reserveSeat(seat)                             pivot
 *   T4 orders.approveOrder                                     retriable
 * (with `seat: none`, Richardson's three steps: createOrder, reserveFunds
 * as the pivot, approveOrder) with order numbers order, order+1, ...  A
 * business failure can be
 * injected at step `fail.step` (1-3) of every saga, or with probability
 * `fail.rate` at a step drawn from 1-3: the service refuses it as its rule
 * would ("insufficient funds", "seat already sold").
 *
 * Each node in `cancel.by` runs the user's CancelOrder saga on order `order`
 * at `cancel.at`:  cancelOrder [pivot], releaseFunds [retriable], and with
 * the protocol's semantic_lock: cancelOrder (-> CANCEL_PENDING, refused
 * while the order is *_PENDING), releaseFunds, confirmCancel.  If it is
 * refused and `cancel.again_at` is set, the user tries again then.
 *
 * History: a SAGA op per saga (ok = completed, fail = compensated with the
 * reason, info = the orchestrator crashed or gave up); the services record
 * the rest (saga.h).
 *
 * Parameters (`workload:`):
 *   clients          (role)  nodes that run CreateOrder (default: the
 *                            orchestrators not in cancel.by)
 *   iterations       1       CreateOrder sagas per client
 *   start, think     0ms     per client
 *   order            7       the first order number
 *   account          U       the user's account at payments
 *   amount           50      the funds reserved
 *   seat             12A     the first order's seat; order #N takes the (N - order)th
 *                            next one in the row (12B, 12C...); none = no seat step
 *   orders, payments, inventory   the services (default: the 1st, 2nd, 3rd service)
 *   fail.step        0       inject a business failure at T1..T3 (0 = none)
 *   fail.rate        0%      or with this probability per saga
 *   cancel.by        []      nodes that run the user's CancelOrder
 *   cancel.at        10ms
 *   cancel.again_at  none    when the user tries again after a refused cancel
 */
#ifndef CCSIM_ORDER_SAGA_H
#define CCSIM_ORDER_SAGA_H

#include "sim/config.h"
#include "sim/env.h"

typedef struct ords_cfg {
    param_nodes clients;
    int64_t iterations;
    param_per_node start;
    param_per_node think;
    int64_t order;
    char account[CONFIG_STRING_MAX];
    int64_t amount;
    char seat[CONFIG_STRING_MAX];
    param_nodes orders, payments, inventory;
    int64_t fail_step;
    uint32_t fail_rate_ppm;
    param_nodes cancel_by;
    sim_time cancel_at_ns;
    sim_time cancel_again_at_ns;  /* -1 = none */
} ords_cfg;

extern const model_ops ords_driver_ops;

#endif
