/* bank.h -- the `bank` workload: accounts in one database; clients move
 * money (transfers, withdrawals, deposits) and auditors read balances
 * (SCENARIOS.md D7 the $100 balance, D8 the PostgreSQL deadlock example,
 * D9 read skew, D10 phantoms; the seed guide's "$100 balance").  The name
 * is `bank` because `transfer` is the 2PC / saga workload between nodes.
 *
 * Each node in `clients` runs one transfer: `amount` from account `from`
 * to account `to` (lists in client order; one value = the same for all);
 * from 0 = a deposit from outside, to 0 = a withdrawal; a `to` account that
 * does not exist is opened by an INSERT.  Strategies:
 *   naive        BEGIN; SELECT balances; check funds; think; UPDATE SET
 *                balance = <read -/+ amount> ...; COMMIT     (read-then-write)
 *   atomic       BEGIN; UPDATE SET balance = balance - amount WHERE balance >=
 *                amount; UPDATE SET balance = balance + amount; COMMIT
 *                (think > 0: `think` between the two UPDATEs, as in D8)
 *   pessimistic  BEGIN; SELECT ... FOR UPDATE; check; think; UPDATE ...; COMMIT
 *   optimistic   SELECT balances and versions; think; BEGIN; UPDATE ... WHERE
 *                version = <read>; COMMIT (a miss rolls back and retries)
 * `order` says which account a transfer touches first: credit-first (the
 * PostgreSQL manual's deadlock example), debit-first, or ascending ids
 * (the cure).  Serialization failures and deadlocks roll back and retry
 * (`retries`, backoff); MySQL's lock wait timeout (1205, the transaction
 * stays open) is handled per `on_lock_timeout`: rollback (and retry), or
 * retry-statement (wait again: the app that never rolls back).
 *
 * Each node in `auditors` runs one read-only transaction: `audit` lists
 * its reads in groups ("1; 1, 2": read account 1, think, then 1 and 2),
 * each item an account id or a predicate on the balance (=30, <>0, <5,
 * <=5, >0, >=5, %3 = a multiple of 3, * = every row).
 *
 * History: TRANSFER (key = the debited account, delta = -amount, key2 =
 * the credited one, "" = outside; a deposit: key = the credited account,
 * delta = +amount) and AUDIT (value = the sum of the first value read of
 * each account, or the last predicate's row count).
 */
#ifndef CCSIM_BANK_H
#define CCSIM_BANK_H

#include "sim/config.h"
#include "sim/env.h"

typedef enum { BK_NAIVE = 0, BK_ATOMIC, BK_PESSIMISTIC, BK_OPTIMISTIC } bk_strategy;
typedef enum { BK_CREDIT_FIRST = 0, BK_DEBIT_FIRST, BK_ASCENDING } bk_order;
typedef enum { BK_ON_TIMEOUT_ROLLBACK = 0, BK_ON_TIMEOUT_RETRY_STATEMENT } bk_on_timeout;

typedef struct bk_cfg {
    param_nodes clients, auditors;
    char table[CONFIG_STRING_MAX];
    char accounts[CONFIG_STRING_MAX];
    char from[CONFIG_STRING_MAX], to[CONFIG_STRING_MAX], amount[CONFIG_STRING_MAX];
    char audit[CONFIG_STRING_MAX];
    param_per_node start, think;
    int strategy, order, on_lock_timeout;
    int64_t retries;
    sim_time backoff_ns, backoff_max_ns;
    sim_time request_timeout_ns;
} bk_cfg;

#endif
