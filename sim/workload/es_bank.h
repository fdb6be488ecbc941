/* es_bank.h -- the `es-bank` workload: clients withdraw from event-sourced
 * bank accounts and then read their balance (protocols/eventstore/
 * eventstore.h, docs/protocols/event-sourcing.md).
 *
 * Each client runs `commands` withdrawals of `amount`, one every `every`
 * from its `start`, one at a time; command i of a client is on account
 * (i mod accounts).  A command loads the account by replaying its stream,
 * refuses when the balance is below the amount ("insufficient funds"),
 * else appends Withdrawn(amount) (with the loaded version as the expected
 * one under `expected-version: exact`); a wrong expected version reloads
 * and decides again, up to `retries` times (a RETRY effect each).  After an
 * ok command the user reads the balance (op view-balance) where the
 * protocol's `view` says.  A request unanswered after `timeout` is given
 * up: a load or a view fails, an append is info (it may have been stored).
 *
 * History: WITHDRAW (value_in = amount, value_out = the balance after),
 * VIEW (value_out = the balance shown, note = projection / aggregate).
 */
#ifndef CCSIM_ES_BANK_H
#define CCSIM_ES_BANK_H

#include "sim/config.h"
#include "sim/env.h"

typedef struct esb_cfg {
    param_nodes clients;
    param_per_node start;
    sim_time every_ns;
    int64_t commands, amount, retries;
    sim_time timeout_ns;
} esb_cfg;

#endif
