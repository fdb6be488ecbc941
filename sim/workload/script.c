/* script.c -- the `script` workload's model and descriptor (script.h,
 * docs/script-workload.md).
 *
 *   IDLE --turn [try_send]--> step k sent (its client BUSY), gate closed
 *   gate closed --reply to step k, or block_after [on_reply / on_block]--> gate open
 *   gate open --step k+1's client idle and its `at` reached [try_send]--> step k+1 sent
 *   BUSY --reply [on_reply]--> op completed, client idle
 *
 * Invariant: at most one request per client is outstanding, and steps are
 * sent in order: step k+1 only once step k returned or was found blocked.
 */
#include "sim/workload/script.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/db/db_client.h"
#include "sim/family.h"
#include "sim/workload/outcome.h"

enum { SC_TAG_NEXT = 1, SC_TAG_BLOCK = 2 };

typedef struct sc_client {
    int32_t step;                /* the step outstanding, -1 = idle */
    uint32_t op;
    uint32_t req;
    bool txn_open;               /* the db's last reply said a transaction is open */
} sc_client;

typedef struct sc_state {
    script sc;
    node_id db;
    uint32_t next;               /* the next step to send */
    bool gate;                   /* the last step sent returned or was found blocked */
    timer_id block_timer, at_timer;
    uint32_t req_next;
    bool crashed;
    sc_client cl[SCRIPT_CLIENTS_MAX];
} sc_state;

static bool sc_invariants_ok(const sc_state *w) {
    if (w->next > w->sc.step_count) return false;
    for (uint32_t i = 0; i < w->sc.client_count; i++)
        if (w->cl[i].step >= (int32_t)w->next) return false;
    return true;
}

static bool is_tx_control(const db_stmt *st) {
    return st->kind == DB_ST_BEGIN || st->kind == DB_ST_COMMIT || st->kind == DB_ST_ROLLBACK;
}

static void send_step(sc_state *w, env *e, uint32_t k) {
    const script_step *st = &w->sc.steps[k];
    sc_client *c = &w->cl[st->client];
    hist_op_fields f;
    memset(&f, 0, sizeof f);
    f.value_in = st->number;
    f.has_value_in = true;
    f.key = w->sc.clients[st->client];
    c->op = env_op_invoke_as(e, st->client, HIST_F_STMT, &f);
    c->step = (int32_t)k;
    c->req = ++w->req_next;
    uint8_t flags = !c->txn_open && !is_tx_control(&st->stmts[0]) ? DB_REQ_AUTOCOMMIT : 0;
    dbc_send(e, w->db, st->client + 1, c->req, c->op, st->stmts, st->n, flags);
    env_trace(e, "script: step %u: %s sends \"%s\"", st->number, w->sc.clients[st->client], st->text);
    w->next = k + 1;
    w->gate = false;
    w->block_timer = env_timer(e, w->sc.block_after_ns, SC_TAG_BLOCK, k);
}

/* Sends the next step if its turn has come. */
static void try_send(sc_state *w, env *e) {
    if (w->crashed || !w->gate || w->next >= w->sc.step_count || w->at_timer != 0) return;
    const script_step *st = &w->sc.steps[w->next];
    if (w->cl[st->client].step >= 0) return;        /* its client still waits: on_reply */
    sim_time now = env_now_mono(e);
    if (st->at_ns > now) {
        w->at_timer = env_timer(e, st->at_ns - now, SC_TAG_NEXT, w->next);
        return;
    }
    send_step(w, e, w->next);
}

static void on_reply(sc_state *w, env *e, const db_reply *p) {
    uint32_t ci = p->session - 1;
    if (p->session == 0 || ci >= w->sc.client_count || w->cl[ci].step < 0 || w->cl[ci].req != p->req) {
        env_trace(e, "script: a stale or unknown reply; ignored");
        return;
    }
    sc_client *c = &w->cl[ci];
    uint32_t k = (uint32_t)c->step;
    hist_op_fields f;
    memset(&f, 0, sizeof f);
    int64_t rows = 0;
    for (uint32_t i = 0; i < p->n && i < DB_STMTS_MAX; i++) rows += p->res[i].rows;
    f.value_out = rows;
    f.has_value_out = p->ok != 0;
    if (!p->ok) f.note = p->code;
    c->txn_open = p->txn_open != 0;
    c->step = -1;
    env_op_complete(e, c->op, p->ok ? HIST_OK : HIST_FAIL, &f);
    c->op = HIST_NONE;
    if (k + 1 == w->next && !w->gate) {              /* the last step sent: returned in time */
        env_timer_cancel(e, w->block_timer);
        w->block_timer = 0;
        w->gate = true;
    }
    try_send(w, e);
}

static void sc_on_message(void *state, env *e, node_id from, uint32_t type, const void *body,
                          uint32_t len) {
    sc_state *w = state;
    SIM_ASSERT(sc_invariants_ok(w));
    db_reply p;
    if (w->crashed || from != w->db || !dbc_reply_parse(type, body, len, &p)) return;
    on_reply(w, e, &p);
    SIM_ASSERT(sc_invariants_ok(w));
}

static void sc_on_timer(void *state, env *e, uint32_t tag, uint64_t arg) {
    sc_state *w = state;
    SIM_ASSERT(sc_invariants_ok(w));
    if (tag == SC_TAG_BLOCK) {
        w->block_timer = 0;
        if (arg + 1 == w->next && !w->gate) {
            env_trace(e, "script: step %u has not returned after %" PRId64 " ns: blocked",
                      w->sc.steps[arg].number, w->sc.block_after_ns);
            w->gate = true;
        }
    } else {
        SIM_ASSERT(tag == SC_TAG_NEXT);
        w->at_timer = 0;
    }
    try_send(w, e);
    SIM_ASSERT(sc_invariants_ok(w));
}

static void sc_init(void *state, env *e) {
    sc_state *w = state;
    const script_cfg *c = env_workload_config(e);
    SIM_ASSERT(c != NULL);
    script_error err;
    int rc = script_load(c, &w->sc, &err);
    SIM_ASSERT(rc == 0);                 /* the workload's validate loaded it first */
    node_id db[1];
    w->db = env_nodes_of_role(e, "db", db, 1) == 1 ? db[0] : -1;
    SIM_ASSERT(w->db >= 0);
    for (uint32_t i = 0; i < SCRIPT_CLIENTS_MAX; i++) w->cl[i] = (sc_client){ -1, HIST_NONE, 0, false };
    w->gate = true;
    env_timer(e, 0, SC_TAG_NEXT, 0);
    SIM_ASSERT(sc_invariants_ok(w));
}

static void sc_on_crash(void *state, env *e) {
    sc_state *w = state;
    w->crashed = true;
    env_trace(e, "script: the client node crashed; the remaining steps do not run");
}

static void sc_on_restart(void *state, env *e) {
    (void)state;
    env_trace(e, "script: restarted; its clients are gone");
}

static const model_ops sc_driver_ops = {
    .name = "script", .state_size = sizeof(sc_state), .init = sc_init,
    .on_message = sc_on_message, .on_timer = sc_on_timer, .on_crash = sc_on_crash,
    .on_restart = sc_on_restart,
};

/* ------------------------------------------------------------ workload */

#define CFG_AT(field) offsetof(script_cfg, field)

static const param_spec sc_params[] = {
    PARAM_MAP_SPEC("clients", NULL, "the clients' names, one connection each: [T1, T2]",
        CFG_AT(clients)),
    PARAM_STRING_SPEC("table", "test", "the table: id integer primary key, value integer",
        CFG_AT(table)),
    PARAM_STRING_SPEC("rows", "", "the rows loaded first: \"1=10, 2=20\"", CFG_AT(rows)),
    PARAM_DURATION_SPEC("block_after", "100ms",
        "a statement with no answer this long after it was sent is blocked; the next step goes",
        CFG_AT(block_after_ns), 1, PARAM_NO_MAX),
    PARAM_MAP_SPEC("steps", NULL, "the steps in order: N: {CLIENT: statement, rows: ..., "
        "count: N, blocks: N, error: CODE, at: TIME}", CFG_AT(steps)),
};

/* Where a script_load error points in the scenario. */
static int report(const scn *s, const script_cfg *c, const script_error *x, char *err,
                  size_t err_len) {
    if (x->key != NULL) return param_error(s, &s->workload, x->key, err, err_len, "%s", x->msg);
    SIM_ASSERT(x->entry >= 0 && (uint32_t)x->entry < c->steps.count);
    char key[CONFIG_KEY_MAX + 8];
    snprintf(key, sizeof key, "steps.%s", c->steps.items[x->entry].key);
    const scn_param *p = param_find(&s->workload, key);
    scn_pos pos = p == NULL ? s->workload.pos : x->at_key ? p->key_pos : p->pos;
    scn_errorf(err, err_len, s->path, pos, "%s", x->msg);
    return -1;
}

static int sc_validate(const void *cfg_v, const scn *s, const proto_desc *proto, char *err,
                       size_t err_len) {
    (void)proto;
    const script_cfg *c = cfg_v;
    SIM_ASSERT(c != NULL);
    script *sc = sim_xcalloc(1, sizeof *sc);
    script_error x;
    int rc = script_load(c, sc, &x);
    free(sc);
    if (rc != 0) return report(s, c, &x, err, err_len);
    int32_t clients = 0;
    for (uint32_t i = 0; i < s->node_count; i++)
        if (strcmp(s->nodes[i].role, "client") == 0) clients++;
    if (clients != 1)
        return param_error(s, &s->workload, "kind", err, err_len, "kind: script runs every client "
                           "on one node (expected nodes: {db: 1, client: 1}, found %d client nodes)",
                           clients);
    return 0;
}

static bool sc_seed(const void *cfg_v, void *out_v, size_t out_size) {
    const script_cfg *c = cfg_v;
    db_seed *out = out_v;
    SIM_ASSERT(out_size == sizeof *out);
    script_rows rows;
    char msg[200];
    int rc = script_parse_rows(c->rows, &rows, msg, sizeof msg);
    SIM_ASSERT(rc == 0);                 /* validated */
    memset(&out->tables[0], 0, sizeof out->tables[0]);
    size_t len = strlen(c->table);
    SIM_ASSERT(len < sizeof out->tables[0].name);      /* validated */
    memcpy(out->tables[0].name, c->table, len + 1);
    out->tables[0].id_style = DB_IDS_NUMBER;
    out->table_count = 1;
    for (uint32_t i = 0; i < rows.count; i++)
        out->rows[out->row_count++] = (db_row_def){ 0, rows.id[i], rows.value[i] };
    return true;
}

/* workload_desc.outcome: "12 statements: 10 ran, 2 failed". */
static void script_outcome(const void *cfg_v, const hist *h, const scn *s, char *buf, size_t len) {
    (void)cfg_v;
    (void)s;
    wo_tally t = wo_count(h, HIST_F_STMT);
    snprintf(buf, len, "%" PRIu64 " statement%s: %" PRIu64 " ran, %" PRIu64 " failed", t.all,
             wo_s(t.all), t.ok, t.fail);
    if (t.unknown) wo_add(buf, len, ", %" PRIu64 " never answered", t.unknown);
}

const workload_desc script_workload = {
    .name = "script",
    .summary = "scripted transactions, statement by statement (Hermitage-style), with expectations",
    .params = sc_params,
    .param_count = sizeof sc_params / sizeof sc_params[0],
    .cfg_size = sizeof(script_cfg),
    .driver = &sc_driver_ops,
    .validate = sc_validate,
    .seed = sc_seed,
    .outcome = script_outcome,
};

bool script_from_scn(const scn *s, script *out) {
    SIM_ASSERT(s != NULL && out != NULL);
    if (strcmp(s->workload_kind, "script") != 0) return false;
    script_cfg *c = sim_xcalloc(1, sizeof *c);
    char err[SIM_ERR_MAX];
    script_error x;
    bool ok = param_apply(sc_params, sizeof sc_params / sizeof sc_params[0], c, &s->workload, s,
                          "workload", err, sizeof err) == 0 &&
              script_load(c, out, &x) == 0;
    free(c);
    return ok;
}
