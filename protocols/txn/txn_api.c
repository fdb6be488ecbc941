/* txn_api.c -- the trace line of the messages every transaction resource
 * node answers (txn_api.h).  Invariant: it claims only TXN_MSG_READ and
 * TXN_MSG_READ_REPLY bodies of the right size. */
#include "protocols/txn/txn_api.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sim/family.h"

bool txn_describe(uint32_t type, const void *body, uint32_t len, char *buf, size_t n) {
    SIM_ASSERT(buf != NULL);
    SIM_ASSERT(n > 0);
    if ((type != TXN_MSG_READ && type != TXN_MSG_READ_REPLY) || len != sizeof(txn_read)) return false;
    txn_read r;
    memcpy(&r, body, sizeof r);
    r.why[sizeof r.why - 1] = '\0';
    if (type == TXN_MSG_READ) snprintf(buf, n, "SELECT %s FOR UPDATE (request %" PRIu32 ")", TXN_ACCOUNT, r.req);
    else if (r.ok) snprintf(buf, n, "READ REPLY %s = %" PRId64, TXN_ACCOUNT, r.balance);
    else snprintf(buf, n, "READ REFUSED: %s", r.why);
    return true;
}

static const hist_kind_def txn_ops[] = {
    { HIST_F_TXN, "txn", HIST_VALUE_NIL },
    { 0, NULL, HIST_VALUE_NIL },
};

static const hist_kind_def txn_effects[] = {
    { HIST_EFF_TXN_BEGIN, "txn-begin", HIST_VALUE_NIL },
    { HIST_EFF_TXN_VOTE, "txn-vote", HIST_VALUE_NIL },
    { HIST_EFF_TXN_DECIDE, "txn-decide", HIST_VALUE_NIL },
    { HIST_EFF_TXN_COMMIT, "txn-commit", HIST_VALUE_NIL },
    { HIST_EFF_TXN_ABORT, "txn-abort", HIST_VALUE_NIL },
    { 0, NULL, HIST_VALUE_NIL },
};

/* The locking reads every transaction resource node answers (2pc
 * participants, saga services). */
const family_desc txn_family = {
    .name = "txn",
    .msgs = { { 790, 799 } },
    .describe = txn_describe,
    .kinds = { { 770, 789 } },
    .ops = txn_ops,
    .effects = txn_effects,
};
