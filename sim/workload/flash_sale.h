/* flash_sale.h -- the `flash-sale` workload: `buyers` buyers each try to buy
 * `quantity` items from one stock row (stock:1, loaded with `stock`), with
 * one of the strategies people write (SCENARIOS.md D1-D5, the seed guide's
 * flash sale):
 *
 *   naive                 SELECT qty; if qty >= n, think, UPDATE SET qty = <read - n>
 *   check-then-decrement  SELECT qty; if qty >= n, think, UPDATE SET qty = qty - n
 *   atomic                UPDATE SET qty = qty - n WHERE qty >= n (rows = 1: sold)
 *   optimistic            SELECT qty, version; think; UPDATE SET qty = <read - n>
 *                         WHERE version = <read> (rows = 0: re-read and retry)
 *   pessimistic           BEGIN; SELECT ... FOR UPDATE; think; UPDATE; COMMIT
 *
 * The naive and check-then-decrement reads and writes are autocommit
 * statements unless `transaction: true` (BEGIN; SELECT ... UPDATE; COMMIT).
 * Buyer b (0-based) arrives at start + b * every (every: 0ms = all at once)
 * on client node b mod (number of clients); its Jepsen :process is b.
 * `think` is the time between a read's reply and the write it leads to
 * (with 1 ms links, think 3ms puts the write 5 ms after the read at the db).
 * Retries: serialization failures and deadlocks, and optimistic misses,
 * run the buy again after the backoff (exponential, full jitter), up to
 * `retries` times (-1 = no limit).
 *
 * History: one BUY per buyer (key "stock:1", delta -quantity): ok = order
 * confirmed (value = the stock the buyer saw), fail = rejected (sold out,
 * retries exhausted, lock timeout).
 */
#ifndef CCSIM_FLASH_SALE_H
#define CCSIM_FLASH_SALE_H

#include "sim/config.h"
#include "sim/env.h"

typedef enum {
    FS_NAIVE = 0, FS_CHECK_THEN_DECREMENT, FS_ATOMIC, FS_OPTIMISTIC, FS_PESSIMISTIC
} fs_strategy;

typedef struct fs_cfg {
    param_nodes clients;
    int64_t stock, buyers, quantity;
    sim_time start_ns, every_ns, think_ns;
    int strategy;                 /* fs_strategy */
    bool transaction;
    int64_t retries;
    sim_time backoff_ns, backoff_max_ns;
    sim_time request_timeout_ns;  /* -1 = none */
} fs_cfg;

#endif
