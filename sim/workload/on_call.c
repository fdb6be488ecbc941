/* on_call.c -- the on-call driver: doctors leave the shift if enough stay.
 *
 *   START --[oc_start -> attempt]--> COUNT
 *   COUNT --reply, count > min [on_count]--> THINK --[oc_think -> leave]--> LEAVE
 *   COUNT --reply, count <= min [on_count -> dbw_close_then_fail]--> DONE (fail)
 *   LEAVE --reply [oc_reply]--> DONE (ok)
 *   any --error [dbw_on_error]--> RESTART (40001 / deadlock, retries left) | DONE
 *
 * Invariant: a doctor goes off call only in the transaction that counted
 * (the UPDATE carries the COMMIT of the transaction the count began).
 */
#include "sim/workload/on_call.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "protocols/db/db.h"
#include "sim/family.h"
#include "sim/workload/outcome.h"
#include "sim/workload/dbw.h"

enum { P_COUNT = 1, P_THINK, P_LEAVE, P_RESTART };
#define OC_TABLE 0
#define OC_DOCTORS_MAX 8

static const db_table_def oc_table = { "doctor", false, false, DB_IDS_PERSON };

static const oc_cfg *cfg_of(const dbw_core *w) { return w->cfg; }
static int64_t doctor_of(const dbw_session *s) { return (int64_t)s->process + 1; }

/* workload_desc.seed: the rows this workload loads into the db node. */
static bool oc_seed(const void *cfg_v, void *out_v, size_t out_size) {
    const oc_cfg *c = cfg_v;
    db_seed *out = out_v;
    SIM_ASSERT(c != NULL);
    SIM_ASSERT(out != NULL);
    SIM_ASSERT(out_size == sizeof *out);
    SIM_ASSERT(c->doctors <= OC_DOCTORS_MAX);
    out->tables[0] = oc_table;
    out->table_count = 1;
    for (int64_t k = 0; k < c->doctors; k++)
        out->rows[out->row_count++] = (db_row_def){ OC_TABLE, k + 1, k < c->on_call ? 1 : 0 };
    return true;
}

static void attempt(dbw_core *w, env *e, dbw_session *s) {
    const oc_cfg *c = cfg_of(w);
    db_lock_mode lock = c->strategy == OC_FOR_UPDATE ? DB_LOCK_UPDATE : DB_LOCK_NONE;
    db_stmt st = dbc_scan(OC_TABLE, HIST_PRED_EQ, 1, lock);
    s->phase = P_COUNT;
    dbw_send(w, e, s, &st, 1, 0);
}

static void oc_start(dbw_core *w, env *e, dbw_session *s) {
    hist_op_fields f;
    memset(&f, 0, sizeof f);
    char key[SIM_NAME_MAX];
    db_row_key(&oc_table, doctor_of(s), key, sizeof key);
    f.key = key;
    dbw_invoke(w, e, s, HIST_F_OFF_CALL, &f);
    attempt(w, e, s);
}

static void on_count(dbw_core *w, env *e, dbw_session *s, const db_reply *p) {
    const oc_cfg *c = cfg_of(w);
    int64_t on = p->res[0].rows;
    s->v[0] = on;
    if (on <= c->min_on_call) {
        char note[HIST_NOTE_MAX];
        snprintf(note, sizeof note, "refused: %" PRId64 " on call", on);
        dbw_close_then_fail(w, e, s, true, note);
        return;
    }
    s->phase = P_THINK;
    dbw_think(w, e, s, c->think_ns);
}

static void oc_reply(dbw_core *w, env *e, dbw_session *s, const db_reply *p) {
    if (!p->ok) {
        dbw_on_error(w, e, s, p, P_RESTART);
        return;
    }
    SIM_ASSERT(p->n >= 1);
    if (s->phase == P_COUNT) { on_count(w, e, s, p); return; }
    SIM_ASSERT(s->phase == P_LEAVE);
    dbw_finish(w, e, s, HIST_OK, true, s->v[0], "");
}

static void oc_think(dbw_core *w, env *e, dbw_session *s) {
    if (s->phase == P_RESTART) { attempt(w, e, s); return; }
    SIM_ASSERT(s->phase == P_THINK);
    db_stmt st[2] = { dbc_update(OC_TABLE, doctor_of(s), DB_SET_ABS, 0, HIST_PRED_ALL, 0), dbc_commit() };
    s->phase = P_LEAVE;
    dbw_send(w, e, s, st, 2, 0);
}

static const dbw_logic oc_logic = { oc_start, oc_reply, oc_think };

/* ------------------------------------------------------------ model */

/* The sessions of this node: its share of the leaving. */
static uint32_t oc_sessions(const env *e) {
    const oc_cfg *c = env_workload_config(e);
    SIM_ASSERT(c != NULL);
    return dbw_sessions_every(&c->clients, c->leaving, env_self(e));
}

static size_t oc_state_size(const env *e) {
    return dbw_state_size(sizeof(dbw_core), oc_sessions(e));
}

static void oc_init(void *state, env *e) {
    dbw_core *w = state;
    const oc_cfg *c = env_workload_config(e);
    SIM_ASSERT(c != NULL);
    dbw_init(w, e, &oc_logic, c->request_timeout_ns, sizeof(dbw_core), oc_sessions(e));
    dbw_policy(w, c->retries, c->backoff_ns, c->backoff_max_ns);
    dbw_add_every(w, e, &c->clients, c->leaving, c->start_ns, c->every_ns);
    SIM_ASSERT(dbw_invariants_ok(w));
}

static void oc_restart(void *state, env *e) { (void)state; env_trace(e, "on-call: restarted; its doctors are gone"); }

static const model_ops oc_driver_ops = {
    .name = "on-call", .state_size = sizeof(dbw_core), .state_size_for = oc_state_size, .init = oc_init,
    .on_message = dbw_on_message, .on_timer = dbw_on_timer, .on_crash = dbw_on_crash,
    .on_restart = oc_restart,
};

/* ------------------------------------------------------------ workload */

#define CFG_AT(field) offsetof(oc_cfg, field)

static const param_spec oc_params[] = {
    PARAM_NODES_SPEC("clients", "client", "the nodes; doctor k runs on node k mod count",
        CFG_AT(clients)),
    PARAM_INT_SPEC("doctors", "2", "doctors on the shift (alice, bob, carol, ...)",
        CFG_AT(doctors), 1, OC_DOCTORS_MAX),
    PARAM_INT_SPEC("on_call", "2", "how many of them start on call (the first ones)",
        CFG_AT(on_call), 0, OC_DOCTORS_MAX),
    PARAM_INT_SPEC("leaving", "2", "how many ask to go off call (the first ones)",
        CFG_AT(leaving), 0, OC_DOCTORS_MAX),
    PARAM_INT_SPEC("min_on_call", "1", "the rule: at least this many stay on call",
        CFG_AT(min_on_call), 0, OC_DOCTORS_MAX),
    PARAM_DURATION_SPEC("start", "0ms", "when the first doctor asks",
        CFG_AT(start_ns), 0, PARAM_NO_MAX),
    PARAM_DURATION_SPEC("every", "1ms", "time between two doctors' requests",
        CFG_AT(every_ns), 0, PARAM_NO_MAX),
    PARAM_DURATION_SPEC("think", "3ms", "time between the count's reply and the UPDATE",
        CFG_AT(think_ns), 0, PARAM_NO_MAX),
    PARAM_ENUM_SPEC("strategy", "check-count", "how a doctor checks the rule",
        CFG_AT(strategy), "check-count|for-update"),
    PARAM_INT_SPEC("retries", "3",
        "retries after serialization failures and deadlocks; -1 = no limit",
        CFG_AT(retries), -1, 1000000),
    DBW_BACKOFF_SPECS(CFG_AT, DBW_BACKOFF_HELP),
};

static int oc_validate(const void *cfg_v, const scn *s, const proto_desc *proto, char *err, size_t err_len) {
    (void)proto;
    const oc_cfg *c = cfg_v;
    SIM_ASSERT(c != NULL);
    SIM_ASSERT(s != NULL);
    const char *key = NULL;
    if (c->on_call > c->doctors) key = "on_call";
    else if (c->leaving > c->doctors) key = "leaving";
    if (key != NULL) {
        return param_error(s, &s->workload, key, err, err_len, "%s: more than the %" PRId64
                           " doctors (expected at most `doctors`)", key, c->doctors);
    }
    if (c->clients.count == 0) {
        return param_error(s, &s->workload, "clients", err, err_len,
                           "clients: no client nodes (expected a list of nodes, or a role with "
                           "nodes)");
    }
    return 0;
}

/* workload_desc.outcome: "2 doctors went off call, 0 were refused: nobody is on call". */
static void oc_outcome(const void *cfg_v, const hist *h, const scn *s, char *buf, size_t len) {
    const oc_cfg *c = cfg_v;
    (void)s;
    wo_tally t = wo_count(h, HIST_F_OFF_CALL);
    int64_t left = c->on_call - (int64_t)t.ok;
    snprintf(buf, len, "%" PRIu64 " doctor%s went off call, %" PRIu64 " %s refused", t.ok,
             wo_s(t.ok), t.fail, t.fail == 1 ? "was" : "were");
    wo_unanswered(&t, buf, len);
    if (left <= 0) wo_add(buf, len, ": nobody is on call");
    else wo_add(buf, len, ": %" PRId64 " still on call", left);
    if (left > 0 && left < c->min_on_call) wo_add(buf, len, ", fewer than %" PRId64, c->min_on_call);
}

const workload_desc oc_workload = {
    .name = "on-call",
    .summary = "doctors go off call if enough stay: write skew under snapshot isolation",
    .params = oc_params,
    .param_count = sizeof oc_params / sizeof oc_params[0],
    .cfg_size = sizeof(oc_cfg),
    .driver = &oc_driver_ops,
    .validate = oc_validate,
    .seed = oc_seed,
    .outcome = oc_outcome,
};
