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

/* The timeline's labels of the TXN_* marks. */
static void label_vote(const hist_effect_fields *e, const char *client, char *b, size_t n) {
    (void)client;
    snprintf(b, n, "votes %s", e->value ? "yes" : "no");
}

static void label_decide(const hist_effect_fields *e, const char *client, char *b, size_t n) {
    (void)client;
    snprintf(b, n, "decides %s%s", e->value ? "commit" : "abort", e->aux ? " (recovery)" : "");
}

static void label_commit(const hist_effect_fields *e, const char *client, char *b, size_t n) {
    (void)client;
    snprintf(b, n, "%s%s", e->aux == 1 ? "heuristic " : "", "commit");
}

static void label_abort(const hist_effect_fields *e, const char *client, char *b, size_t n) {
    (void)client;
    snprintf(b, n, "%s%s", e->aux == 1 ? "heuristic " : "", "abort");
}

static const hist_kind_def txn_ops[] = {
    { .kind = HIST_F_TXN, .name = "txn" },
    { .name = NULL },
};

static const hist_kind_def txn_effects[] = {
    { .kind = HIST_EFF_TXN_BEGIN, .name = "txn-begin", .mark = HIST_MARK_DIAMOND,
      .mark_rgb = HIST_MARK_GREY, .label = hist_label_key },
    { .kind = HIST_EFF_TXN_VOTE, .name = "txn-vote", .mark = HIST_MARK_DIAMOND, .mark_rgb = 0x3a7d44u,
      .label = label_vote },
    { .kind = HIST_EFF_TXN_DECIDE, .name = "txn-decide", .mark = HIST_MARK_DIAMOND,
      .mark_rgb = 0x1d3557u, .label = label_decide },
    { .kind = HIST_EFF_TXN_COMMIT, .name = "txn-commit", .mark = HIST_MARK_TRI, .mark_rgb = 0x2a7f2au,
      .label = label_commit },
    { .kind = HIST_EFF_TXN_ABORT, .name = "txn-abort", .mark = HIST_MARK_CROSS, .mark_rgb = 0x9d0208u,
      .label = label_abort },
    { .name = NULL },
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
