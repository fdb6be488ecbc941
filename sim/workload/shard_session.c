/* shard_session.c -- the shard-session driver: one op at a time.
 *
 *   IDLE --tick, a writer's round begins [begin_op]--> DEPOSITING (at the primary)
 *   IDLE --tick, otherwise [begin_op]--> READING (where read-from says)
 *   DEPOSITING --reply [on_reply]--> IDLE (op ok, value_out = version)
 *   READING --reply [on_reply]--> IDLE (op ok, value_out = version)
 *   DEPOSITING | READING --timeout [on_timeout]--> IDLE (op info / fail)
 *   IDLE --all ops done--> DONE;  any --crash [sss_on_crash]--> CRASHED
 *
 * Where a read goes (pick_node): primary; replica: the shard's replicas in
 * turn (read n goes to replica n mod count); sticky: always the replica
 * this node's index picks; position: in turn, carrying the session's
 * newest position on that shard.
 *
 * Invariant (sss_invariants_ok): an op is pending exactly in DEPOSITING
 * and READING; done <= count; the session's positions only grow.
 */
#include "sim/workload/shard_session.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/shard/shard.h"
#include "sim/family.h"
#include "sim/workload/outcome.h"

enum { TAG_TICK = 1, TAG_TIMEOUT = 2 };

typedef enum { SSS_OFF = 0, SSS_IDLE, SSS_DEPOSITING, SSS_READING, SSS_DONE, SSS_CRASHED } sss_state;

typedef struct sss_driver {
    const sss_cfg *cfg;
    const sh_cfg *proto;
    sh_topo topo;
    sss_state state;
    bool writer;
    int64_t done, count, reads_sent;
    uint32_t op, req;
    uint64_t seen[SH_SHARDS_MAX];       /* the session's newest position per shard */
} sss_driver;

static bool sss_invariants_ok(const sss_driver *d) {
    bool pending = d->state == SSS_DEPOSITING || d->state == SSS_READING;
    if (d->cfg == NULL || d->done > d->count) return false;
    return d->state == SSS_CRASHED || pending == (d->op != HIST_NONE);
}

static uint32_t key_of(const sss_driver *d) { return (uint32_t)d->cfg->key - 1; }

static uint32_t shard(const sss_driver *d) { return sh_shard_of(d->proto, d->topo.shards, key_of(d)); }

static node_id pick_node(sss_driver *d, env *e) {
    uint32_t sh = shard(d);
    switch (d->proto->read_from) {
    case SH_READ_PRIMARY: return d->topo.primary[sh];
    case SH_READ_STICKY: return sh_replica_of(&d->topo, sh, (uint32_t)env_self(e));
    default: return sh_replica_of(&d->topo, sh, (uint32_t)d->reads_sent++);
    }
}

static void send_req(sss_driver *d, env *e, node_id to, uint32_t type) {
    uint64_t pos = d->proto->read_from == SH_READ_POSITION && type == SH_MSG_READ ? d->seen[shard(d)] : 0;
    sh_msg m = { .req = ++d->req, .op = d->op, .key = key_of(d), .amount = d->cfg->amount, .pos = pos };
    env_send(e, to, type, &m, sizeof m);
    env_timer(e, d->cfg->timeout_ns, TAG_TIMEOUT, d->req);
}

static void begin_op(sss_driver *d, env *e) {
    SIM_ASSERT(d->state == SSS_IDLE);
    char key[SIM_NAME_MAX];
    sh_key_name(key_of(d), key, sizeof key);
    hist_op_fields f;
    memset(&f, 0, sizeof f);
    f.key = key;
    bool deposit = d->writer && d->done % (d->cfg->read_back + 1) == 0;
    if (deposit) {
        f.delta = d->cfg->amount;
        d->op = env_op_invoke(e, SH_F_DEPOSIT, &f);
        d->state = SSS_DEPOSITING;
        send_req(d, e, d->topo.primary[shard(d)], SH_MSG_DEPOSIT);
    } else {
        d->op = env_op_invoke(e, SH_F_READ, &f);
        d->state = SSS_READING;
        send_req(d, e, pick_node(d, e), SH_MSG_READ);
    }
}

static void end_op(sss_driver *d, env *e, hist_result r, bool has_version, int64_t version, const char *note) {
    hist_op_fields f;
    memset(&f, 0, sizeof f);
    f.has_value_out = has_version;
    f.value_out = version;
    f.note = note;
    env_op_complete(e, d->op, r, &f);
    d->op = HIST_NONE;
    d->req++;
    d->done++;
    d->state = d->done < d->count ? SSS_IDLE : SSS_DONE;
    if (d->state == SSS_IDLE) env_timer(e, d->cfg->every_ns, TAG_TICK, 0);
}

static void on_reply(sss_driver *d, env *e, node_id from, const sh_msg *p) {
    uint32_t sh = shard(d);
    if (p->pos > d->seen[sh]) d->seen[sh] = p->pos;
    char note[HIST_NOTE_MAX];
    snprintf(note, sizeof note, "from %s: balance %" PRId64, env_node_name(e, from), p->balance);
    end_op(d, e, HIST_OK, true, p->version, note);
}

static void on_timeout(sss_driver *d, env *e) {
    if (d->state == SSS_DEPOSITING) end_op(d, e, HIST_INFO, false, 0, "deposit unanswered");
    else end_op(d, e, HIST_FAIL, false, 0, "read unanswered");
}

static void sss_on_timer(void *state, env *e, uint32_t tag, uint64_t arg) {
    sss_driver *d = state;
    SIM_ASSERT(sss_invariants_ok(d));
    if (tag == TAG_TICK && d->state == SSS_IDLE) begin_op(d, e);
    else if (tag == TAG_TIMEOUT && arg == d->req && d->op != HIST_NONE) on_timeout(d, e);
    SIM_ASSERT(sss_invariants_ok(d));
}

static void sss_on_message(void *state, env *e, node_id from, uint32_t type, const void *body, uint32_t len) {
    sss_driver *d = state;
    SIM_ASSERT(sss_invariants_ok(d));
    sh_msg p;
    if (len != sizeof p) return;
    memcpy(&p, body, sizeof p);
    if (p.req != d->req || d->op == HIST_NONE) return;
    if ((type == SH_MSG_DEPOSIT_REPLY && d->state == SSS_DEPOSITING) ||
        (type == SH_MSG_READ_REPLY && d->state == SSS_READING))
        on_reply(d, e, from, &p);
    SIM_ASSERT(sss_invariants_ok(d));
}

static bool listed(const param_nodes *n, node_id self) {
    for (uint32_t i = 0; i < n->count; i++)
        if (n->node[i] == self) return true;
    return false;
}

static void sss_init(void *state, env *e) {
    sss_driver *d = state;
    memset(d, 0, sizeof *d);
    d->cfg = env_workload_config(e);
    d->proto = env_proto_config(e);
    SIM_ASSERT(d->cfg != NULL && d->proto != NULL);
    sh_topo_load(e, &d->topo);
    d->op = HIST_NONE;
    d->writer = listed(&d->cfg->writers, env_self(e));
    bool reader = listed(&d->cfg->readers, env_self(e));
    d->count = d->writer ? d->cfg->rounds * (d->cfg->read_back + 1) : reader ? d->cfg->rounds * d->cfg->reads : 0;
    d->state = d->count > 0 ? SSS_IDLE : SSS_OFF;
    if (d->state == SSS_IDLE) env_timer(e, d->cfg->start.node_ns[env_self(e)], TAG_TICK, 0);
    SIM_ASSERT(sss_invariants_ok(d));
}

static void sss_on_crash(void *state, env *e) {
    sss_driver *d = state;
    SIM_ASSERT(sss_invariants_ok(d));
    env_op_abandon(e, &d->op, "client crashed");
    d->state = SSS_CRASHED;
}

static void sss_on_restart(void *state, env *e) {
    (void)state;
    env_trace(e, "shard-session: client restarted; it makes no more requests");
}

static const model_ops sss_driver_ops = {
    .name = "shard-session", .state_size = sizeof(sss_driver), .init = sss_init,
    .on_message = sss_on_message, .on_timer = sss_on_timer, .on_crash = sss_on_crash,
    .on_restart = sss_on_restart,
};

#define CFG_AT(field) offsetof(sss_cfg, field)
#define SSS_OPS_MAX 10000

static const param_spec sss_params[] = {
    PARAM_NODES_SPEC("writers", "", "sessions that deposit, then read back", CFG_AT(writers)),
    PARAM_NODES_SPEC("readers", "", "sessions that only read", CFG_AT(readers)),
    PARAM_PER_NODE_DURATION_SPEC("start", "0ms", "per client: when its first op starts",
        CFG_AT(start), 0, PARAM_NO_MAX),
    PARAM_DURATION_SPEC("every", "1s", "time from one op's end to the next op of a client",
        CFG_AT(every_ns), 0, PARAM_NO_MAX),
    PARAM_INT_SPEC("rounds", "1", "rounds per client (a writer's round: a deposit, then its read-backs)",
        CFG_AT(rounds), 0, SSS_OPS_MAX),
    PARAM_INT_SPEC("read-back", "3", "a writer's reads after each deposit", CFG_AT(read_back), 0, SSS_OPS_MAX),
    PARAM_INT_SPEC("reads", "3", "a reader's reads per round", CFG_AT(reads), 0, SSS_OPS_MAX),
    PARAM_INT_SPEC("key", "1", "the account every op is on: acctN", CFG_AT(key), 1, SH_KEYS_MAX),
    PARAM_INT_SPEC("amount", "10", "each deposit", CFG_AT(amount), 1, 1000000000),
    PARAM_DURATION_SPEC("timeout", "5s", "how long a client waits for an answer",
        CFG_AT(timeout_ns), SIM_NS, PARAM_NO_MAX),
};

static int clients_only(const param_nodes *n, const char *key, const scn *s, char *err, size_t err_len) {
    for (uint32_t i = 0; i < n->count; i++) {
        if (strcmp(s->nodes[n->node[i]].role, "client") == 0) continue;
        return param_error(s, &s->workload, key, err, err_len, "node '%.64s' is a %.32s node (expected client "
                           "nodes)", s->nodes[n->node[i]].name, s->nodes[n->node[i]].role);
    }
    return 0;
}

/* The protocol's `accounts` as the scenario writes it (the table's 4 when
 * it does not; already validated by then), for the validate hook. */
static int64_t scenario_accounts(const scn *s) {
    const scn_param *p = param_find(&s->params, "accounts");
    return p != NULL ? strtoll(p->value, NULL, 10) : 4;
}

static int sss_validate(const void *cfg_v, const scn *s, const proto_desc *proto, char *err, size_t err_len) {
    (void)proto;
    const sss_cfg *c = cfg_v;
    if (clients_only(&c->writers, "writers", s, err, err_len) != 0) return -1;
    if (clients_only(&c->readers, "readers", s, err, err_len) != 0) return -1;
    for (uint32_t i = 0; i < c->writers.count; i++) {
        if (!listed(&c->readers, c->writers.node[i])) continue;
        return param_error(s, &s->workload, "writers", err, err_len, "node '%.64s' is both a reader and a "
                           "writer (expected each client in one list)", s->nodes[c->writers.node[i]].name);
    }
    int64_t accounts = scenario_accounts(s);
    if (c->key > accounts)
        return param_error(s, &s->workload, "key", err, err_len, "account %lld of %lld (expected 1..%lld)",
                           (long long)c->key, (long long)accounts, (long long)accounts);
    if (c->readers.count + c->writers.count > 0) return 0;
    return param_error(s, &s->workload, "writers", err, err_len,
                       "no writers and no readers (expected at least one client node)");
}

static uint64_t sss_events_min(const void *cfg_v, const char **key) {
    const sss_cfg *c = cfg_v;
    *key = "rounds";
    return (uint64_t)c->rounds * ((uint64_t)(c->read_back + 1) * c->writers.count + (uint64_t)c->reads * c->readers.count) * 2u;
}

/* workload_desc.outcome: "2 deposits, 6 reads: 1 did not see the
 * session's own deposit, 1 went back in time" (by the versions: a read
 * older than the session's newest deposit, or than its newest read). */
typedef struct sss_seen { int32_t node; int64_t wrote, read; } sss_seen;

static sss_seen *sss_session(sss_seen *t, uint32_t *n, int32_t node) {
    for (uint32_t i = 0; i < *n; i++) if (t[i].node == node) return &t[i];
    t[*n] = (sss_seen){ node, 0, 0 };
    return &t[(*n)++];
}

static void sss_outcome(const void *cfg_v, const hist *h, const scn *s, char *buf, size_t len) {
    (void)cfg_v;
    sss_seen *t = sim_xcalloc(s->node_count ? s->node_count : 1, sizeof *t);
    uint32_t n = 0;
    uint64_t missed = 0, back = 0;
    for (uint32_t i = 0; i < h->op_count; i++) {
        const hist_op *op = &h->ops[i];
        if (op->result != HIST_OK || !op->has_value_out || op->node < 0) continue;
        if (op->f != SH_F_DEPOSIT && op->f != SH_F_READ) continue;
        sss_seen *x = sss_session(t, &n, op->node);
        if (op->f == SH_F_DEPOSIT) { if (op->value_out > x->wrote) x->wrote = op->value_out; continue; }
        missed += op->value_out < x->wrote;
        back += op->value_out < x->read;
        if (op->value_out > x->read) x->read = op->value_out;
    }
    free(t);
    wo_tally d = wo_count(h, SH_F_DEPOSIT), r = wo_count(h, SH_F_READ);
    snprintf(buf, len, "%" PRIu64 " deposit%s, %" PRIu64 " read%s", d.ok, wo_s(d.ok), r.ok, wo_s(r.ok));
    if (r.fail) wo_add(buf, len, " (%" PRIu64 " failed)", r.fail);
    if (missed + back == 0) { wo_add(buf, len, ": every read saw the session's own deposits, in order"); return; }
    wo_add(buf, len, ":");
    if (missed) wo_add(buf, len, " %" PRIu64 " did not see the session's own deposit%s", missed, back ? "," : "");
    if (back) wo_add(buf, len, " %" PRIu64 " went back in time", back);
}

const workload_desc sss_workload = {
    .name = "shard-session",
    .summary = "sessions deposit into an account and read it back, from a replica or the primary",
    .params = sss_params,
    .param_count = sizeof sss_params / sizeof sss_params[0],
    .cfg_size = sizeof(sss_cfg),
    .driver = &sss_driver_ops,
    .validate = sss_validate,
    .events_min = sss_events_min,
    .outcome = sss_outcome,
};
