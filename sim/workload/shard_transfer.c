/* shard_transfer.c -- the shard-transfer driver, one transfer at a time.
 *
 *   IDLE --tick [begin_transfer]--> DEBITING (DEBIT to the payer's shard)
 *   DEBITING --refused / done / outbox [on_debit_reply -> finish]--> IDLE (op fail / ok / ok)
 *   DEBITING --"credit it yourself" [on_debit_reply]--> CREDITING (CREDIT to the payee's shard)
 *   CREDITING --CREDIT_REPLY [finish]--> IDLE (op ok)
 *   DEBITING | CREDITING --timeout [on_timeout]--> IDLE (op info)
 *   IDLE --all done--> DONE;  any --crash [sxf_on_crash]--> CRASHED (op info; no more)
 *
 * Invariant (sxf_invariants_ok): an op is pending exactly in DEBITING and
 * CREDITING; done <= transfers.  Trade-off: the two-writes client is the
 * plain one people write: it does not remember, across a crash, that it
 * owes a credit; that is the failure this workload shows.
 */
#include "sim/workload/shard_transfer.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/shard/shard.h"
#include "sim/family.h"
#include <inttypes.h>
#include "sim/workload/outcome.h"

enum { TAG_TICK = 1, TAG_TIMEOUT = 2 };

typedef enum { SXF_OFF = 0, SXF_IDLE, SXF_DEBITING, SXF_CREDITING, SXF_DONE, SXF_CRASHED } sxf_state;

typedef struct sxf_driver {
    const sxf_cfg *cfg;
    const sh_cfg *proto;
    sh_topo topo;
    sxf_state state;
    int64_t done;
    uint32_t op, req, tid;
} sxf_driver;

static bool sxf_invariants_ok(const sxf_driver *d) {
    bool pending = d->state == SXF_DEBITING || d->state == SXF_CREDITING;
    if (d->cfg == NULL || d->done > d->cfg->transfers) return false;
    return d->state == SXF_CRASHED || pending == (d->op != HIST_NONE);
}

static uint32_t from_key(const sxf_driver *d) { return (uint32_t)d->cfg->from - 1; }
static uint32_t to_key(const sxf_driver *d) { return (uint32_t)d->cfg->to - 1; }

static node_id primary_of(const sxf_driver *d, uint32_t key) {
    return d->topo.primary[sh_shard_of(d->proto, d->topo.shards, key)];
}

static void send_req(sxf_driver *d, env *e, node_id to, uint32_t type, uint32_t key) {
    sh_msg m = { .req = ++d->req, .op = d->op, .key = key, .key2 = to_key(d), .tid = d->tid,
                 .amount = d->cfg->amount };
    env_send(e, to, type, &m, sizeof m);
    env_timer(e, d->cfg->timeout_ns, TAG_TIMEOUT, d->req);
}

static void begin_transfer(sxf_driver *d, env *e) {
    SIM_ASSERT(d->state == SXF_IDLE);
    char from[SIM_NAME_MAX], to[SIM_NAME_MAX];
    sh_key_name(from_key(d), from, sizeof from);
    sh_key_name(to_key(d), to, sizeof to);
    hist_op_fields f;
    memset(&f, 0, sizeof f);
    f.key = from;
    f.key2 = to;
    f.delta = -d->cfg->amount;
    f.value_in = d->cfg->amount;
    f.has_value_in = true;
    d->op = env_op_invoke(e, SH_F_TRANSFER, &f);
    d->tid = (uint32_t)(env_self(e) + 1) << 16 | (uint32_t)(d->done + 1);
    d->state = SXF_DEBITING;
    send_req(d, e, primary_of(d, from_key(d)), SH_MSG_DEBIT, from_key(d));
}

static void finish(sxf_driver *d, env *e, hist_result r, const char *note) {
    hist_op_fields f;
    memset(&f, 0, sizeof f);
    f.note = note;
    env_op_complete(e, d->op, r, &f);
    d->op = HIST_NONE;
    d->req++;                                  /* a late answer is ignored */
    d->done++;
    d->state = d->done < d->cfg->transfers ? SXF_IDLE : SXF_DONE;
    if (d->state == SXF_IDLE) env_timer(e, d->cfg->every_ns, TAG_TICK, 0);
}

static void on_debit_reply(sxf_driver *d, env *e, const sh_msg *p) {
    switch (p->flag) {
    case SH_DEBIT_DONE: finish(d, e, HIST_OK, "one shard: one local transaction"); return;
    case SH_DEBIT_OUTBOX: finish(d, e, HIST_OK, "debited; the outbox credits"); return;
    case SH_DEBIT_CREDIT_YOURS:
        d->state = SXF_CREDITING;
        send_req(d, e, primary_of(d, to_key(d)), SH_MSG_CREDIT, to_key(d));
        return;
    default: finish(d, e, HIST_FAIL, "not enough money"); return;
    }
}

static void on_timeout(sxf_driver *d, env *e) {
    if (d->state == SXF_DEBITING) finish(d, e, HIST_INFO, "debit unanswered");
    else finish(d, e, HIST_INFO, "credit unanswered: debited, maybe not credited");
}

static void sxf_on_timer(void *state, env *e, uint32_t tag, uint64_t arg) {
    sxf_driver *d = state;
    SIM_ASSERT(sxf_invariants_ok(d));
    if (tag == TAG_TICK && d->state == SXF_IDLE) begin_transfer(d, e);
    else if (tag == TAG_TIMEOUT && arg == d->req && d->op != HIST_NONE) on_timeout(d, e);
    SIM_ASSERT(sxf_invariants_ok(d));
}

static void sxf_on_message(void *state, env *e, node_id from, uint32_t type, const void *body, uint32_t len) {
    sxf_driver *d = state;
    SIM_ASSERT(sxf_invariants_ok(d));
    (void)from;
    sh_msg p;
    if (len != sizeof p) return;
    memcpy(&p, body, sizeof p);
    if (p.req != d->req || d->op == HIST_NONE) return;
    if (type == SH_MSG_DEBIT_REPLY && d->state == SXF_DEBITING) on_debit_reply(d, e, &p);
    else if (type == SH_MSG_CREDIT_REPLY && d->state == SXF_CREDITING) finish(d, e, HIST_OK, "debited, then credited");
    SIM_ASSERT(sxf_invariants_ok(d));
}

static bool listed(const param_nodes *n, node_id self) {
    for (uint32_t i = 0; i < n->count; i++)
        if (n->node[i] == self) return true;
    return false;
}

static void sxf_init(void *state, env *e) {
    sxf_driver *d = state;
    memset(d, 0, sizeof *d);
    d->cfg = env_workload_config(e);
    d->proto = env_proto_config(e);
    SIM_ASSERT(d->cfg != NULL && d->proto != NULL);
    sh_topo_load(e, &d->topo);
    d->op = HIST_NONE;
    bool client = listed(&d->cfg->clients, env_self(e)) && d->cfg->transfers > 0;
    d->state = client ? SXF_IDLE : SXF_OFF;
    if (client) env_timer(e, d->cfg->start.node_ns[env_self(e)], TAG_TICK, 0);
    SIM_ASSERT(sxf_invariants_ok(d));
}

static void sxf_on_crash(void *state, env *e) {
    sxf_driver *d = state;
    SIM_ASSERT(sxf_invariants_ok(d));
    env_op_abandon(e, &d->op, d->state == SXF_CREDITING ? "client crashed after the debit" : "client crashed");
    d->state = SXF_CRASHED;
}

static void sxf_on_restart(void *state, env *e) {
    (void)state;
    env_trace(e, "shard-transfer: client restarted; it remembers no transfer and makes no more");
}

static const model_ops sxf_driver_ops = {
    .name = "shard-transfer", .state_size = sizeof(sxf_driver), .init = sxf_init,
    .on_message = sxf_on_message, .on_timer = sxf_on_timer, .on_crash = sxf_on_crash,
    .on_restart = sxf_on_restart,
};

#define CFG_AT(field) offsetof(sxf_cfg, field)
#define SXF_OPS_MAX 10000

static const param_spec sxf_params[] = {
    PARAM_NODES_SPEC("clients", "client", "nodes that make transfers", CFG_AT(clients)),
    PARAM_PER_NODE_DURATION_SPEC("start", "0ms", "per client: when its first transfer starts",
        CFG_AT(start), 0, PARAM_NO_MAX),
    PARAM_DURATION_SPEC("every", "1s", "time from one transfer's end to the next of a client",
        CFG_AT(every_ns), 0, PARAM_NO_MAX),
    PARAM_INT_SPEC("transfers", "1", "transfers per client", CFG_AT(transfers), 0, SXF_OPS_MAX),
    PARAM_INT_SPEC("from", "1", "the payer: account acctN", CFG_AT(from), 1, SH_KEYS_MAX),
    PARAM_INT_SPEC("to", "2", "the payee: account acctN", CFG_AT(to), 1, SH_KEYS_MAX),
    PARAM_INT_SPEC("amount", "30", "the money each transfer moves", CFG_AT(amount), 1, 1000000000),
    PARAM_DURATION_SPEC("timeout", "1s", "how long a client waits for an answer",
        CFG_AT(timeout_ns), SIM_NS, PARAM_NO_MAX),
};

/* The protocol's `accounts` as the scenario writes it (the table's 4 when
 * it does not; already validated by then), for the validate hook. */
static int64_t scenario_accounts(const scn *s) {
    const scn_param *p = param_find(&s->params, "accounts");
    return p != NULL ? strtoll(p->value, NULL, 10) : 4;
}

static int sxf_validate(const void *cfg_v, const scn *s, const proto_desc *proto, char *err, size_t err_len) {
    (void)proto;
    const sxf_cfg *c = cfg_v;
    for (uint32_t i = 0; i < c->clients.count; i++) {
        if (strcmp(s->nodes[c->clients.node[i]].role, "client") == 0) continue;
        return param_error(s, &s->workload, "clients", err, err_len, "node '%.64s' is a %.32s node (expected "
                           "client nodes)", s->nodes[c->clients.node[i]].name, s->nodes[c->clients.node[i]].role);
    }
    int64_t accounts = scenario_accounts(s);
    if (c->from > accounts)
        return param_error(s, &s->workload, "from", err, err_len, "account %lld of %lld (expected 1..%lld)",
                           (long long)c->from, (long long)accounts, (long long)accounts);
    if (c->to > accounts)
        return param_error(s, &s->workload, "to", err, err_len, "account %lld of %lld (expected 1..%lld)",
                           (long long)c->to, (long long)accounts, (long long)accounts);
    if (c->from == c->to)
        return param_error(s, &s->workload, "to", err, err_len, "the payee is the payer (expected two accounts)");
    return 0;
}

static uint64_t sxf_events_min(const void *cfg_v, const char **key) {
    const sxf_cfg *c = cfg_v;
    *key = "transfers";
    return (uint64_t)c->transfers * c->clients.count * 2u;
}

/* workload_desc.outcome: "3 transfers: 2 done, 1 unknown; money 150,
 * expected 200: 50 vanished" (money: the accounts' balances, which
 * transfers between them must keep). */
static void sxf_outcome(const void *cfg_v, const hist *h, const scn *s, char *buf, size_t len) {
    (void)cfg_v;
    (void)s;
    wo_tally t = wo_count(h, SH_F_TRANSFER);
    snprintf(buf, len, "%" PRIu64 " transfer%s: %" PRIu64 " done", t.all, wo_s(t.all), t.ok);
    if (t.fail) wo_add(buf, len, ", %" PRIu64 " refused", t.fail);
    if (t.unknown) wo_add(buf, len, ", %" PRIu64 " unknown", t.unknown);
    wo_money m = wo_money_of(h, NULL);
    if (m.accounts) wo_money_words(m.now, m.opened, t.unknown > 0, buf, len);
}

const workload_desc sxf_workload = {
    .name = "shard-transfer",
    .summary = "clients move money between two accounts that may live on two shards",
    .params = sxf_params,
    .param_count = sizeof sxf_params / sizeof sxf_params[0],
    .cfg_size = sizeof(sxf_cfg),
    .driver = &sxf_driver_ops,
    .validate = sxf_validate,
    .events_min = sxf_events_min,
    .outcome = sxf_outcome,
};
