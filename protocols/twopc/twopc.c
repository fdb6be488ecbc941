/* twopc.c -- the `2pc` protocol descriptor: parameters, roles, input
 * checks, and the trace line of every 2PC message.
 *
 * Invariant: the param table is the only place a 2pc parameter is named,
 * and its bounds refuse timeouts <= 0; tpc_validate refuses what the table
 * cannot express (vote_no or heuristic.nodes naming a non-participant).
 * Both report the position of the offending key, so a bad file never
 * reaches an assertion.
 */
#include "protocols/twopc/twopc.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "sim/family.h"

void tpc_txn_key(char *buf, size_t len, const char *coord_name, uint32_t seq) {
    sim_fmt_name_seq(buf, len, coord_name, seq);   /* "%.20s:%u", without snprintf */
}

static const char *peer_state_name(uint32_t s) {
    switch (s) {
    case TPC_PEER_COMMITTED: return "committed";
    case TPC_PEER_ABORTED: return "aborted";
    default: return "uncertain (prepared, in doubt)";
    }
}

bool tpc_describe(uint32_t type, const void *body, uint32_t len, char *buf, size_t n) {
    SIM_ASSERT(buf != NULL);
    SIM_ASSERT(n > 0);
    if (type < TPC_MSG_PREPARE || type > TPC_MSG_RECOVERED || len != sizeof(tpc_msg)) return false;
    tpc_msg m;
    memcpy(&m, body, sizeof m);
    switch (type) {
    case TPC_MSG_PREPARE:
        snprintf(buf, n, "PREPARE txn %" PRIu32 " (leg %+" PRId64 ")", m.seq, m.delta);
        return true;
    case TPC_MSG_VOTE:
        snprintf(buf, n, "VOTE %s on txn %" PRIu32 "%s%.40s", m.flag ? "YES" : "NO", m.seq,
                 m.why[0] ? ": " : "", m.why);
        return true;
    case TPC_MSG_DECISION:
        snprintf(buf, n, "%s txn %" PRIu32, m.flag ? "COMMIT" : "ABORT", m.seq);
        return true;
    case TPC_MSG_ACK: snprintf(buf, n, "ACK %s txn %" PRIu32, m.flag ? "commit" : "abort", m.seq); return true;
    case TPC_MSG_INQUIRE: snprintf(buf, n, "INQUIRE: what became of txn %" PRIu32 "?", m.seq); return true;
    case TPC_MSG_PEER_QUERY: snprintf(buf, n, "PEER QUERY: txn %" PRIu32 "?", m.seq); return true;
    case TPC_MSG_PEER_STATE:
        snprintf(buf, n, "PEER STATE txn %" PRIu32 ": %s", m.seq, peer_state_name(m.flag));
        return true;
    default:
        snprintf(buf, n, "RECOVERED (%" PRIu32 " txns still in the log; others presumed %s)",
                 m.count, m.presume == TPC_PRESUME_COMMIT ? "committed" : "aborted");
        return true;
    }
}

#define CFG_AT(field) offsetof(tpc_cfg, field)

static const param_spec tpc_params[] = {
    PARAM_ENUM_SPEC("presume", "abort",
        "what \"no record\" means: abort (R*, the usual) or commit (a forced COLLECTING record "
        "first)",
        CFG_AT(presume), "abort|commit"),
    PARAM_DURATION_SPEC("vote_timeout", "3s",
        "coordinator: a vote missing this long after PREPARE aborts the txn",
        CFG_AT(vote_timeout_ns), SIM_NS, PARAM_NO_MAX),
    PARAM_DURATION_SPEC("decision_timeout", "3s",
        "participant: in doubt this long after voting YES = blocked; it then asks (coordinator, "
        "peers) again every decision_timeout",
        CFG_AT(decision_timeout_ns), SIM_NS, PARAM_NO_MAX),
    PARAM_DURATION_SPEC("resend_every", "1s",
        "coordinator: period of re-sending a decision not yet acked",
        CFG_AT(resend_every_ns), SIM_NS, PARAM_NO_MAX),
    PARAM_BOOL_SPEC("cooperative", "false",
        "cooperative termination: an in-doubt participant also asks its peers",
        CFG_AT(cooperative)),
    PARAM_ENUM_SPEC("heuristic", "none",
        "a participant still in doubt at heuristic.at decides on its own (XA heuristic "
        "commit/rollback): none, commit or abort",
        CFG_AT(heuristic), "none|commit|abort"),
    PARAM_NODES_SPEC("heuristic.nodes", "",
        "the participants that take heuristic decisions (default: every participant)",
        CFG_AT(heuristic_nodes)),
    PARAM_DURATION_SPEC("heuristic.at", "5s",
        "when the heuristic decision is taken, on the participant's wall clock",
        CFG_AT(heuristic_at_ns), 0, PARAM_NO_MAX),
    PARAM_NODES_SPEC("vote_no", "",
        "participants that vote NO on every txn (a business rule refuses it)",
        CFG_AT(vote_no)),
    PARAM_INT_SPEC("balance", "100", "opening balance of each participant's account",
        CFG_AT(balance), 0, CONFIG_AMOUNT_MAX),
    PARAM_DURATION_OR_NONE_SPEC("lock_timeout", "none",
        "a wait for a row lock longer than this fails (PostgreSQL lock_timeout; none = wait "
        "forever, its default)",
        CFG_AT(lock_timeout_ns), SIM_NS, PARAM_NO_MAX),
    PARAM_INT_SPEC("max_prepared", "-1",
        "PostgreSQL max_prepared_transactions: prepared txns a participant may hold (0 = PREPARE "
        "TRANSACTION always fails, PostgreSQL's default; -1 = no limit)",
        CFG_AT(max_prepared), -1, 1000000),
};

/* Role of a listed node: vote_no and heuristic.nodes name participants. */
static const char *bad_role(const scn *s, const param_nodes *ns) {
    for (uint32_t i = 0; i < ns->count; i++)
        if (strcmp(s->nodes[ns->node[i]].role, "participant") != 0) return s->nodes[ns->node[i]].name;
    return NULL;
}

static int tpc_validate(const void *cfg_v, const scn *s, char *err, size_t err_len) {
    const tpc_cfg *cfg = cfg_v;
    SIM_ASSERT(cfg != NULL);
    SIM_ASSERT(s != NULL);
    for (uint32_t i = SIM_MASK_NODES; i < s->node_count; i++) {
        if (strcmp(s->nodes[i].role, "client") == 0) continue;
        scn_errorf(err, err_len, s->path, s->nodes[i].pos, "%s '%.64s' is node %u (expected "
                   "coordinators and participants among the first %d nodes: they track each "
                   "other in 64-bit masks; list the clients last)", s->nodes[i].role,
                   s->nodes[i].name, i + 1, SIM_MASK_NODES);
        return -1;
    }
    const char *key = NULL, *node = NULL;
    if ((node = bad_role(s, &cfg->vote_no)) != NULL) key = "vote_no";
    else if ((node = bad_role(s, &cfg->heuristic_nodes)) != NULL) key = "heuristic.nodes";
    if (key == NULL) return 0;
    return param_error(s, &s->params, key, err, err_len,
                       "invalid %s: '%s' is not a participant (expected participant nodes)", key,
                       node);
}

static const proto_desc tpc_proto = {
    .name = "2pc",
    .summary = "two-phase commit: durable logs, presumed abort (or commit), vote and decision "
               "timeouts, in-doubt blocking, recovery, cooperative termination, heuristics",
    .params = tpc_params,
    .param_count = sizeof tpc_params / sizeof tpc_params[0],
    .cfg_size = sizeof(tpc_cfg),
    .roles = {
        { "coordinator", NULL, 1, SIM_MASK_NODES,
          "one or more coordinators (the transfer workload runs on them)", NULL },
        { "participant", &tpc_participant_ops, 1, SIM_MASK_NODES,
          "the participants: databases holding one account each", NULL },
        { "client", NULL, 0, SIM_NODES_MAX,
          "other clients: the transfer workload's readers (transaction X)", NULL },
    },
    .role_count = 3,
    .workloads = { "transfer", NULL },
    .checks = { "atomicity", "conservation", "liveness", NULL },
    .txn_client = &tpc_txn_client,
    .validate = tpc_validate,
};

/* Coordinator and participant messages, and their timers. */
static const proto_desc *const tpc_protocols[] = { &tpc_proto, NULL };

const family_desc tpc_family = {
    .name = "2pc",
    .msgs = { { 700, 719 } },
    .tags = { { 720, 749 } },
    .describe = tpc_describe,
    .protocols = tpc_protocols,
};
