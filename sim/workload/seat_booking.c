/* seat_booking.c -- the seat-booking driver: users race for one seat.
 *
 *   START --[sb_start -> attempt]--> CHECK (check-then-*, unique, for-update)
 *                                  | CLAIM (conditional-update)
 *   CHECK --reply, free [on_check]--> THINK --timer [sb_think -> claim]--> CLAIM
 *   CHECK --reply, taken [on_check -> dbw_close_then_fail]--> DONE (fail)
 *   CLAIM --rows = 1 [on_claim]--> DONE (ok);  rows = 0 --> DONE (fail, taken)
 *   any --error [dbw_on_error]--> RESTART (40001 / deadlock, retries left) | DONE
 *
 * Invariant: a user is told "booked" only after its claim's transaction
 * committed (the claim carries its COMMIT, or is autocommit).
 */
#include "sim/workload/seat_booking.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "protocols/db/db.h"
#include "sim/family.h"
#include "sim/workload/outcome.h"
#include "sim/workload/dbw.h"

enum { P_CHECK = 1, P_THINK, P_CLAIM, P_RESTART };
enum { T_SEAT = 0, T_BOOKING = 1 };

static const sb_cfg *cfg_of(const dbw_core *w) { return w->cfg; }

int64_t sb_seat_code(const char *seat) {
    SIM_ASSERT(seat != NULL);
    int64_t row = 0;
    size_t i = 0;
    for (; seat[i] >= '0' && seat[i] <= '9' && i < 6; i++) row = row * 10 + (seat[i] - '0');
    if (i == 0 || row < 1 || seat[i] < 'A' || seat[i] > 'Z' || seat[i + 1] != '\0') return -1;
    return row * 100 + (seat[i] - 'A' + 1);
}

static db_seed seed_of(const sb_cfg *c) {
    db_seed sd;
    memset(&sd, 0, sizeof sd);
    sd.tables[T_SEAT] = (db_table_def){ "seat", false, false, DB_IDS_SEAT };
    sd.tables[T_BOOKING] = (db_table_def){ "booking", false, c->strategy == SB_UNIQUE, DB_IDS_NUMBER };
    sd.table_count = 2;
    sd.rows[0] = (db_row_def){ T_SEAT, sb_seat_code(c->seat), 0 };
    sd.row_count = 1;
    return sd;
}

/* workload_desc.seed: the rows this workload loads into the db node. */
static bool sb_seed(const void *cfg_v, void *out_v, size_t out_size) {
    const sb_cfg *c = cfg_v;
    db_seed *out = out_v;
    SIM_ASSERT(c != NULL);
    SIM_ASSERT(out != NULL);
    SIM_ASSERT(out_size == sizeof *out);
    *out = seed_of(c);
    return true;
}

static int64_t user_of(const dbw_session *s) { return (int64_t)s->process + 1; }

static void attempt(dbw_core *w, env *e, dbw_session *s) {
    const sb_cfg *c = cfg_of(w);
    int64_t seat = sb_seat_code(c->seat);
    db_stmt st;
    switch ((sb_strategy)c->strategy) {
    case SB_CHECK_THEN_INSERT: case SB_UNIQUE:
        st = dbc_scan(T_BOOKING, HIST_PRED_EQ, seat, DB_LOCK_NONE); break;
    case SB_FOR_UPDATE: st = dbc_select(T_SEAT, seat, DB_LOCK_UPDATE); break;
    case SB_CHECK_THEN_UPDATE: st = dbc_select(T_SEAT, seat, DB_LOCK_NONE); break;
    case SB_CONDITIONAL_UPDATE:
        st = dbc_update(T_SEAT, seat, DB_SET_ABS, user_of(s), HIST_PRED_EQ, 0);
        s->phase = P_CLAIM;
        dbw_send(w, e, s, &st, 1, DB_REQ_AUTOCOMMIT);
        return;
    }
    s->phase = P_CHECK;
    dbw_send(w, e, s, &st, 1, 0);
}

static void sb_start(dbw_core *w, env *e, dbw_session *s) {
    const sb_cfg *c = cfg_of(w);
    hist_op_fields f;
    memset(&f, 0, sizeof f);
    db_seed sd = seed_of(c);
    char key[SIM_NAME_MAX];
    db_row_key(&sd.tables[T_SEAT], sb_seat_code(c->seat), key, sizeof key);
    f.key = key;
    f.value_in = user_of(s);
    f.has_value_in = true;
    dbw_invoke(w, e, s, HIST_F_BOOK, &f);
    attempt(w, e, s);
}

static void claim(dbw_core *w, env *e, dbw_session *s) {
    const sb_cfg *c = cfg_of(w);
    int64_t seat = sb_seat_code(c->seat);
    db_stmt st[2];
    if (c->strategy == SB_CHECK_THEN_INSERT || c->strategy == SB_UNIQUE)
        st[0] = dbc_insert(T_BOOKING, user_of(s), seat);
    else
        st[0] = dbc_update(T_SEAT, seat, DB_SET_ABS, user_of(s), HIST_PRED_ALL, 0);
    st[1] = dbc_commit();
    s->phase = P_CLAIM;
    dbw_send(w, e, s, st, 2, 0);
}

static void on_check(dbw_core *w, env *e, dbw_session *s, const db_reply *p) {
    const sb_cfg *c = cfg_of(w);
    bool by_count = c->strategy == SB_CHECK_THEN_INSERT || c->strategy == SB_UNIQUE;
    int64_t taken = by_count ? p->res[0].rows : (p->res[0].rows ? p->res[0].value : 0);
    if (taken != 0) {
        char note[HIST_NOTE_MAX];
        if (by_count) snprintf(note, sizeof note, "taken (%" PRId64 " booking found)", taken);
        else snprintf(note, sizeof note, "taken (by user %" PRId64 ")", taken);
        dbw_close_then_fail(w, e, s, true, note);
        return;
    }
    s->phase = P_THINK;
    dbw_think(w, e, s, c->think_ns);
}

static void sb_reply(dbw_core *w, env *e, dbw_session *s, const db_reply *p) {
    if (!p->ok) {
        dbw_on_error(w, e, s, p, P_RESTART);
        return;
    }
    SIM_ASSERT(p->n >= 1);
    if (s->phase == P_CHECK) { on_check(w, e, s, p); return; }
    SIM_ASSERT(s->phase == P_CLAIM);
    if (p->res[0].rows == 1) dbw_finish(w, e, s, HIST_OK, true, user_of(s), "");
    else dbw_finish(w, e, s, HIST_FAIL, false, 0, "taken (the update matched no row)");
}

static void sb_think(dbw_core *w, env *e, dbw_session *s) {
    if (s->phase == P_THINK) claim(w, e, s);
    else if (s->phase == P_RESTART) attempt(w, e, s);
    else SIM_UNREACHABLE("seat-booking timer in an unexpected phase");
}

static const dbw_logic sb_logic = { sb_start, sb_reply, sb_think };

/* ------------------------------------------------------------ model */

/* The sessions of this node: its share of the users. */
static uint32_t sb_sessions(const env *e) {
    const sb_cfg *c = env_workload_config(e);
    SIM_ASSERT(c != NULL);
    return dbw_sessions_every(&c->clients, c->users, env_self(e));
}

static size_t sb_state_size(const env *e) {
    return dbw_state_size(sizeof(dbw_core), sb_sessions(e));
}

static void sb_init(void *state, env *e) {
    dbw_core *w = state;
    const sb_cfg *c = env_workload_config(e);
    SIM_ASSERT(c != NULL);
    dbw_init(w, e, &sb_logic, c->request_timeout_ns, sizeof(dbw_core), sb_sessions(e));
    dbw_policy(w, c->retries, c->backoff_ns, c->backoff_max_ns);
    dbw_add_every(w, e, &c->clients, c->users, c->start_ns, c->every_ns);
    SIM_ASSERT(dbw_invariants_ok(w));
}

static void sb_restart(void *state, env *e) { (void)state; env_trace(e, "seat-booking: restarted; its users are gone"); }

static const model_ops sb_driver_ops = {
    .name = "seat-booking", .state_size = sizeof(dbw_core), .state_size_for = sb_state_size, .init = sb_init,
    .on_message = dbw_on_message, .on_timer = dbw_on_timer, .on_crash = dbw_on_crash,
    .on_restart = sb_restart,
};

/* ------------------------------------------------------------ workload */

#define CFG_AT(field) offsetof(sb_cfg, field)

static const param_spec sb_params[] = {
    PARAM_NODES_SPEC("clients", "client", "the nodes; user u runs on node u mod count",
        CFG_AT(clients)),
    PARAM_INT_SPEC("users", "2", "users who want the seat", CFG_AT(users), 1, DBW_SESSIONS_MAX),
    PARAM_DURATION_SPEC("start", "0ms", "when user 0 arrives", CFG_AT(start_ns), 0, PARAM_NO_MAX),
    PARAM_DURATION_SPEC("every", "1ms", "time between arrivals", CFG_AT(every_ns), 0, PARAM_NO_MAX),
    PARAM_DURATION_SPEC("think", "3ms", "time between the check's reply and the claim",
        CFG_AT(think_ns), 0, PARAM_NO_MAX),
    PARAM_STRING_SPEC("seat", "12A", "the seat: a row number and a letter", CFG_AT(seat)),
    PARAM_ENUM_SPEC("strategy", "check-then-insert", "how a user books",
        CFG_AT(strategy), "check-then-insert|unique|for-update|conditional-update|check-then-update"),
    PARAM_INT_SPEC("retries", "3",
        "retries after serialization failures and deadlocks; -1 = no limit",
        CFG_AT(retries), -1, 1000000),
    DBW_BACKOFF_SPECS(CFG_AT, DBW_BACKOFF_HELP),
};

static int sb_validate(const void *cfg_v, const scn *s, const proto_desc *proto, char *err, size_t err_len) {
    (void)proto;
    const sb_cfg *c = cfg_v;
    SIM_ASSERT(c != NULL);
    SIM_ASSERT(s != NULL);
    if (sb_seat_code(c->seat) < 0) {
        return param_error(s, &s->workload, "seat", err, err_len, "seat: '%s' is not a seat "
                           "(expected a row number and a letter, such as 12A)", c->seat);
    }
    if (c->clients.count == 0) {
        return param_error(s, &s->workload, "clients", err, err_len,
                           "clients: no client nodes (expected a list of nodes, or a role with "
                           "nodes)");
    }
    return 0;
}

/* workload_desc.outcome: "seat 12A booked twice (u1, u2)". */
static void sb_outcome(const void *cfg_v, const hist *h, const scn *s, char *buf, size_t len) {
    const sb_cfg *c = cfg_v;
    wo_tally t = wo_count(h, HIST_F_BOOK);
    static const char *const times[] = { "by nobody", "once", "twice" };
    if (t.ok <= 2) snprintf(buf, len, "seat %s booked %s", c->seat, times[t.ok]);
    else snprintf(buf, len, "seat %s booked %" PRIu64 " times", c->seat, t.ok);
    uint64_t named = 0;
    for (uint32_t i = 0; i < h->op_count && t.ok <= 3; i++) {
        const hist_op *op = &h->ops[i];
        if (op->f != HIST_F_BOOK || op->result != HIST_OK) continue;
        const char *who = s && op->node >= 0 && (uint32_t)op->node < s->node_count ? s->nodes[op->node].name : "?";
        wo_add(buf, len, "%s%s", named++ ? ", " : " (", who);
    }
    if (named) wo_add(buf, len, ")");
    wo_add(buf, len, ", %" PRIu64 " told it was taken", t.fail);
    wo_unanswered(&t, buf, len);
}

const workload_desc sb_workload = {
    .name = "seat-booking",
    .summary = "users race for one seat: check-then-insert, UNIQUE, FOR UPDATE, conditional UPDATE",
    .params = sb_params,
    .param_count = sizeof sb_params / sizeof sb_params[0],
    .cfg_size = sizeof(sb_cfg),
    .driver = &sb_driver_ops,
    .validate = sb_validate,
    .seed = sb_seed,
    .outcome = sb_outcome,
};
