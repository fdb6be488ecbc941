/* es_bank.c -- the es-bank driver: one command at a time per client, each
 * followed by a read of the balance.
 *
 *   IDLE --tick [begin_cmd]--> LOADING --page, more [on_read]--> LOADING
 *   LOADING --last page [on_read -> decide]--> APPENDING, or IDLE (fail:
 *           insufficient funds)
 *   APPENDING --ok [on_append]--> VIEWING (op ok; the view op starts)
 *   APPENDING --wrong version [on_append]--> LOADING (RETRY) or IDLE (fail)
 *   VIEWING --balance [on_view]--> IDLE (view ok)
 *   view aggregate: VIEWING replays the stream as LOADING does
 *   any request --timeout [on_timeout]--> IDLE (load/view fail, append info)
 *   IDLE --all commands done--> DONE;  any --crash--> CRASHED (no more requests)
 *
 * Invariant (esb_invariants_ok): an op is pending exactly in LOADING,
 * APPENDING and VIEWING; done <= count; loaded <= ES_EVENTS_MAX.
 * Trade-off: the client folds the stream itself (balance = the sum of the
 * amounts): the aggregate is that sum and the rule balance >= amount.
 */
#include "sim/workload/es_bank.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "protocols/eventstore/eventstore.h"
#include "sim/family.h"
#include "sim/workload/outcome.h"

enum { TAG_TICK = 1, TAG_TIMEOUT = 2 };

typedef enum { ESB_IDLE = 0, ESB_LOADING, ESB_APPENDING, ESB_VIEWING, ESB_DONE, ESB_CRASHED } esb_state;

typedef struct esb_driver {
    const esb_cfg *cfg;
    const es_cfg *proto;
    node_id store, projector;
    esb_state state;
    int64_t done, count;
    uint32_t op;                 /* the pending op, HIST_NONE if none */
    uint32_t req;
    uint32_t stream;
    int64_t loaded, balance;     /* the replay so far: version and balance */
    int64_t attempt;
    int64_t position;            /* the last append's position */
} esb_driver;

static bool esb_invariants_ok(const esb_driver *d) {
    bool pending = d->state == ESB_LOADING || d->state == ESB_APPENDING || d->state == ESB_VIEWING;
    if (d->cfg == NULL || d->proto == NULL) return false;
    if (d->state != ESB_CRASHED && pending != (d->op != HIST_NONE)) return false;
    return d->done <= d->count && d->loaded <= ES_EVENTS_MAX;
}

static void send_req(esb_driver *d, env *e, node_id to, uint32_t type, int64_t version, int64_t expected,
                     int64_t position, int64_t amount) {
    es_msg m;
    memset(&m, 0, sizeof m);
    m.req = ++d->req;
    m.op = d->op;
    m.stream = d->stream;
    m.version = version;
    m.expected = expected;
    m.position = position;
    m.amount = amount;
    env_send(e, to, type, &m, sizeof m);
    env_timer(e, d->cfg->timeout_ns, TAG_TIMEOUT, d->req);
}

static void load(esb_driver *d, env *e) {
    d->loaded = d->balance = 0;
    send_req(d, e, d->store, ES_MSG_READ, 0, ES_ANY, 0, 0);
}

static void begin_cmd(esb_driver *d, env *e) {
    SIM_ASSERT(d->state == ESB_IDLE);
    d->stream = (uint32_t)(d->done % d->proto->accounts);
    hist_op_fields f;
    memset(&f, 0, sizeof f);
    char key[SIM_NAME_MAX];
    es_stream_key(d->stream, key, sizeof key);
    f.key = key;
    f.has_value_in = true;
    f.value_in = d->cfg->amount;
    f.delta = -d->cfg->amount;
    d->op = env_op_invoke(e, ES_F_WITHDRAW, &f);
    d->attempt = 1;
    d->state = ESB_LOADING;
    load(d, e);
}

static void next_cmd(esb_driver *d, env *e) {
    d->op = HIST_NONE;
    d->req++;                    /* a late answer to the finished request is ignored */
    d->done++;
    d->state = d->done < d->count ? ESB_IDLE : ESB_DONE;
    if (d->state == ESB_IDLE) env_timer(e, d->cfg->every_ns, TAG_TICK, 0);
}

static void complete(esb_driver *d, env *e, hist_result r, bool has_out, int64_t out, const char *note) {
    hist_op_fields f;
    memset(&f, 0, sizeof f);
    f.has_value_out = has_out;
    f.value_out = out;
    f.note = note;
    env_op_complete(e, d->op, r, &f);
}

static void begin_view(esb_driver *d, env *e) {
    hist_op_fields f;
    memset(&f, 0, sizeof f);
    char key[SIM_NAME_MAX];
    es_stream_key(d->stream, key, sizeof key);
    f.key = key;
    d->op = env_op_invoke(e, ES_F_VIEW, &f);
    d->state = ESB_VIEWING;
    if (d->proto->view == ES_VIEW_AGGREGATE) load(d, e);
    else send_req(d, e, d->projector, ES_MSG_QUERY, 0, ES_ANY,
                  d->proto->view == ES_VIEW_WAIT ? d->position : 0, 0);
}

static void decide(esb_driver *d, env *e) {
    if (d->balance < d->cfg->amount) {
        char note[96];   /* the history keeps HIST_NOTE_MAX - 1 bytes */
        snprintf(note, sizeof note, "insufficient funds: %" PRId64 " < %" PRId64, d->balance, d->cfg->amount);
        complete(d, e, HIST_FAIL, false, 0, note);
        next_cmd(d, e);
        return;
    }
    d->state = ESB_APPENDING;
    int64_t expected = d->proto->expected == ES_EXPECT_EXACT ? d->loaded : ES_ANY;
    send_req(d, e, d->store, ES_MSG_APPEND, 0, expected, 0, -d->cfg->amount);
}

static void on_read(esb_driver *d, env *e, const es_msg *p) {
    for (uint32_t i = 0; i < p->count && d->loaded < ES_EVENTS_MAX; i++, d->loaded++) d->balance += p->amt[i];
    if (p->count > 0 && d->loaded < p->position) {
        send_req(d, e, d->store, ES_MSG_READ, d->loaded, ES_ANY, 0, 0);
        return;
    }
    if (d->state == ESB_LOADING) { decide(d, e); return; }
    complete(d, e, HIST_OK, true, d->balance, "aggregate");
    next_cmd(d, e);
}

static void retry(esb_driver *d, env *e) {
    hist_effect_fields ef;
    memset(&ef, 0, sizeof ef);
    ef.kind = HIST_EFF_RETRY;
    ef.client = env_self(e);
    ef.op = d->op;
    ef.value = ++d->attempt;
    ef.key = "wrong expected version";
    env_effect(e, &ef);
    d->state = ESB_LOADING;
    load(d, e);
}

static void on_append(esb_driver *d, env *e, const es_msg *p) {
    if (p->flag == ES_OK) {
        d->position = p->position;
        complete(d, e, HIST_OK, true, d->balance - d->cfg->amount, "");
        begin_view(d, e);
        return;
    }
    if (p->flag == ES_WRONG_VERSION && d->attempt <= d->cfg->retries) { retry(d, e); return; }
    char note[96];   /* the history keeps HIST_NOTE_MAX - 1 bytes */
    if (p->flag == ES_WRONG_VERSION)
        snprintf(note, sizeof note, "wrong expected version: v%" PRId64 ", not v%" PRId64, p->version, d->loaded);
    else snprintf(note, sizeof note, "stream full");
    complete(d, e, HIST_FAIL, false, 0, note);
    next_cmd(d, e);
}

static void on_view(esb_driver *d, env *e, const es_msg *p) {
    if (p->flag == ES_OK) complete(d, e, HIST_OK, true, p->amount, "projection");
    else complete(d, e, HIST_FAIL, false, 0, "projection not caught up");
    next_cmd(d, e);
}

static void on_timeout(esb_driver *d, env *e) {
    bool view = d->state == ESB_VIEWING;
    if (d->state == ESB_APPENDING) complete(d, e, HIST_INFO, false, 0, "store did not answer the append");
    else if (d->state == ESB_LOADING) complete(d, e, HIST_FAIL, false, 0, "store unreachable");
    else complete(d, e, HIST_FAIL, false, 0, view && d->proto->view != ES_VIEW_AGGREGATE ?
                  "projection did not answer" : "store unreachable");
    next_cmd(d, e);
}

static void esb_on_timer(void *state, env *e, uint32_t tag, uint64_t arg) {
    esb_driver *d = state;
    SIM_ASSERT(esb_invariants_ok(d));
    if (tag == TAG_TICK && d->state == ESB_IDLE) begin_cmd(d, e);
    else if (tag == TAG_TIMEOUT && arg == d->req && d->op != HIST_NONE) on_timeout(d, e);
    SIM_ASSERT(esb_invariants_ok(d));
}

static void esb_on_message(void *state, env *e, node_id from, uint32_t type, const void *body, uint32_t len) {
    esb_driver *d = state;
    SIM_ASSERT(esb_invariants_ok(d));
    es_msg p;
    if (len != sizeof p) return;
    memcpy(&p, body, sizeof p);
    if (p.req != d->req || d->op == HIST_NONE || p.count > ES_PAGE) return;    /* late */
    bool replaying = d->state == ESB_LOADING || (d->state == ESB_VIEWING && d->proto->view == ES_VIEW_AGGREGATE);
    if (from == d->store && type == ES_MSG_READ_REPLY && replaying) on_read(d, e, &p);
    else if (from == d->store && type == ES_MSG_APPEND_REPLY && d->state == ESB_APPENDING) on_append(d, e, &p);
    else if (from == d->projector && type == ES_MSG_QUERY_REPLY && d->state == ESB_VIEWING) on_view(d, e, &p);
    SIM_ASSERT(esb_invariants_ok(d));
}

static node_id one_of_role(env *e, const char *role) {
    node_id n[1];
    return env_nodes_of_role(e, role, n, 1) == 1 ? n[0] : -1;
}

static bool listed(const param_nodes *n, node_id self) {
    for (uint32_t i = 0; i < n->count; i++)
        if (n->node[i] == self) return true;
    return false;
}

static void esb_init(void *state, env *e) {
    esb_driver *d = state;
    memset(d, 0, sizeof *d);
    d->cfg = env_workload_config(e);
    d->proto = env_proto_config(e);
    SIM_ASSERT(d->cfg != NULL && d->proto != NULL);
    d->store = one_of_role(e, "store");
    d->projector = one_of_role(e, "projector");
    SIM_ASSERT(d->store >= 0 && d->projector >= 0);
    d->op = HIST_NONE;
    d->count = listed(&d->cfg->clients, env_self(e)) ? d->cfg->commands : 0;
    d->state = d->count > 0 ? ESB_IDLE : ESB_DONE;
    if (d->state == ESB_IDLE) env_timer(e, d->cfg->start.node_ns[env_self(e)], TAG_TICK, 0);
    SIM_ASSERT(esb_invariants_ok(d));
}

static void esb_on_crash(void *state, env *e) {
    esb_driver *d = state;
    SIM_ASSERT(esb_invariants_ok(d));
    env_op_abandon(e, &d->op, "client crashed");
    d->state = ESB_CRASHED;
}

static void esb_on_restart(void *state, env *e) {
    (void)state;
    env_trace(e, "es-bank: client restarted; it runs no more commands");
}

static const model_ops esb_driver_ops = {
    .name = "es-bank", .state_size = sizeof(esb_driver), .init = esb_init,
    .on_message = esb_on_message, .on_timer = esb_on_timer, .on_crash = esb_on_crash,
    .on_restart = esb_on_restart,
};

#define CFG_AT(field) offsetof(esb_cfg, field)
#define ESB_OPS_MAX 10000

static const param_spec esb_params[] = {
    PARAM_NODES_SPEC("clients", "client", "nodes that run commands", CFG_AT(clients)),
    PARAM_PER_NODE_DURATION_SPEC("start", "0ms", "per client: when its first command starts",
        CFG_AT(start), 0, PARAM_NO_MAX),
    PARAM_DURATION_SPEC("every", "1s", "time from one command's end (and its view) to the next",
        CFG_AT(every_ns), 0, PARAM_NO_MAX),
    PARAM_INT_SPEC("commands", "1", "withdrawals per client", CFG_AT(commands), 0, ESB_OPS_MAX),
    PARAM_INT_SPEC("amount", "80", "the amount of each withdrawal", CFG_AT(amount), 1, 1000000000),
    PARAM_INT_SPEC("retries", "1", "reloads after a wrong expected version before the command fails",
        CFG_AT(retries), 0, 100),
    PARAM_DURATION_SPEC("timeout", "1s", "how long a client waits for an answer",
        CFG_AT(timeout_ns), SIM_NS, PARAM_NO_MAX),
};

/* A node the driver does not run (the store, the projector) runs no commands. */
static int esb_validate(const void *cfg_v, const scn *s, const proto_desc *proto, char *err, size_t err_len) {
    (void)proto;
    const esb_cfg *c = cfg_v;
    SIM_ASSERT(c != NULL);
    for (uint32_t i = 0; i < c->clients.count; i++) {
        const char *role = s->nodes[c->clients.node[i]].role;
        if (strcmp(role, "client") == 0) continue;
        return param_error(s, &s->workload, "clients", err, err_len,
                           "node '%.64s' is a %.32s node (expected client nodes)",
                           s->nodes[c->clients.node[i]].name, role);
    }
    return 0;
}

static uint64_t esb_events_min(const void *cfg_v, const char **key) {
    const esb_cfg *c = cfg_v;
    *key = "commands";
    return (uint64_t)c->commands * c->clients.count * 6u;
}

/* workload_desc.outcome: "4 withdrawals: 3 ok, 1 refused; 3 balances
 * viewed; account1 went to -60 (overdrawn)": balances folded from the
 * store's appends (the opening deposit is the first), as they are. */
typedef struct esb_fold { const char *key; int64_t balance; } esb_fold;

static void esb_lowest(const hist *h, const char **key, int64_t *lowest) {
    esb_fold f[ES_STREAMS_MAX];
    uint32_t n = 0;
    *key = NULL;
    *lowest = 0;
    for (uint32_t i = 0; i < h->effect_count; i++) {
        const hist_effect *x = &h->effects[i];
        if (x->kind != ES_EFF_APPEND) continue;
        uint32_t k = 0;
        while (k < n && strcmp(f[k].key, x->key) != 0) k++;
        if (k == n && n == ES_STREAMS_MAX) continue;
        if (k == n) f[n++] = (esb_fold){ x->key, 0 };
        f[k].balance += x->value;
        if (f[k].balance < *lowest) { *lowest = f[k].balance; *key = f[k].key; }
    }
}

static void esb_outcome(const void *cfg_v, const hist *h, const scn *s, char *buf, size_t len) {
    (void)cfg_v;
    (void)s;
    wo_tally w = wo_count(h, ES_F_WITHDRAW), v = wo_count(h, ES_F_VIEW);
    snprintf(buf, len, "%" PRIu64 " withdrawal%s: %" PRIu64 " ok", w.all, wo_s(w.all), w.ok);
    if (w.fail) wo_add(buf, len, ", %" PRIu64 " refused", w.fail);
    wo_unanswered(&w, buf, len);
    wo_add(buf, len, "; %" PRIu64 " balance%s viewed", v.ok, wo_s(v.ok));
    const char *key;
    int64_t lowest;
    esb_lowest(h, &key, &lowest);
    if (key) wo_add(buf, len, "; %s went to %" PRId64 " (overdrawn)", key, lowest);
    else wo_add(buf, len, "; no account overdrawn");
}

const workload_desc esb_workload = {
    .name = "es-bank",
    .summary = "clients withdraw from event-sourced accounts (replay, decide, append), then read the balance",
    .params = esb_params,
    .param_count = sizeof esb_params / sizeof esb_params[0],
    .cfg_size = sizeof(esb_cfg),
    .driver = &esb_driver_ops,
    .validate = esb_validate,
    .events_min = esb_events_min,
    .outcome = esb_outcome,
};
