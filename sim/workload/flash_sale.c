/* flash_sale.c -- the flash-sale driver: buyers against one stock row.
 *
 * One buyer's attempt (the function that takes each edge):
 *
 *   START --[fs_start -> attempt]--> READ (naive, check-then-decrement, optimistic,
 *                                         pessimistic)  |  WRITE (atomic)
 *   READ --reply, stock >= n [on_read]--> THINK --timer [fs_think -> send_write]--> WRITE
 *   READ --reply, stock < n [on_read -> dbw_close_then_fail]--> CLOSE (open txn) | DONE
 *   WRITE --rows = 1 [on_write]--> DONE (ok)
 *   WRITE --rows = 0, optimistic [on_write -> dbw_retry_or_fail]--> RESTART --backoff--> READ
 *   any --error [dbw_on_error]--> RESTART (retryable, retries left) | CLOSE | DONE (fail)
 *   CLOSE --reply [dbw_on_message]--> DONE (fail, with the note decided before closing)
 *
 * Invariant: a buyer has an op pending from START until DONE; it writes
 * only after it read stock >= n (atomic: the db checks).
 */
#include "sim/workload/flash_sale.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "protocols/db/db.h"
#include "sim/family.h"
#include "sim/workload/outcome.h"
#include "sim/workload/dbw.h"

enum { P_READ = 1, P_THINK, P_WRITE, P_RESTART };
enum { V_STOCK = 0, V_VERSION = 1 };
#define FS_TABLE 0
#define FS_ROW 1

static const db_table_def fs_table = { "stock", true, false, DB_IDS_NUMBER };

static const fs_cfg *cfg_of(const dbw_core *w) { return w->cfg; }

static bool in_txn(const fs_cfg *c) {
    return c->strategy == FS_PESSIMISTIC ||
           (c->transaction && (c->strategy == FS_NAIVE || c->strategy == FS_CHECK_THEN_DECREMENT));
}

static void finish(dbw_core *w, env *e, dbw_session *s, hist_result r, int64_t value, const char *note) {
    dbw_finish(w, e, s, r, r == HIST_OK, value, note);
}

static void attempt(dbw_core *w, env *e, dbw_session *s) {
    const fs_cfg *c = cfg_of(w);
    db_stmt st;
    uint8_t flags = in_txn(c) ? 0 : DB_REQ_AUTOCOMMIT;
    if (c->strategy == FS_ATOMIC) {
        st = dbc_update(FS_TABLE, FS_ROW, DB_SET_ADD, -c->quantity, HIST_PRED_GE, c->quantity);
        s->phase = P_WRITE;
    } else {
        st = dbc_select(FS_TABLE, FS_ROW, c->strategy == FS_PESSIMISTIC ? DB_LOCK_UPDATE : DB_LOCK_NONE);
        s->phase = P_READ;
    }
    dbw_send(w, e, s, &st, 1, flags);
}

static void fs_start(dbw_core *w, env *e, dbw_session *s) {
    const fs_cfg *c = cfg_of(w);
    SIM_ASSERT(s->op == HIST_NONE);
    hist_op_fields f;
    memset(&f, 0, sizeof f);
    char key[SIM_NAME_MAX];
    db_row_key(&fs_table, FS_ROW, key, sizeof key);
    f.key = key;
    f.delta = -c->quantity;
    f.value_in = c->quantity;
    f.has_value_in = true;
    dbw_invoke(w, e, s, HIST_F_BUY, &f);
    attempt(w, e, s);
}

static void send_write(dbw_core *w, env *e, dbw_session *s) {
    const fs_cfg *c = cfg_of(w);
    db_stmt st[2];
    uint32_t n = 1;
    int64_t left = s->v[V_STOCK] - c->quantity;
    switch ((fs_strategy)c->strategy) {
    case FS_NAIVE: case FS_PESSIMISTIC:
        st[0] = dbc_update(FS_TABLE, FS_ROW, DB_SET_ABS, left, HIST_PRED_ALL, 0); break;
    case FS_CHECK_THEN_DECREMENT:
        st[0] = dbc_update(FS_TABLE, FS_ROW, DB_SET_ADD, -c->quantity, HIST_PRED_ALL, 0); break;
    case FS_OPTIMISTIC:
        st[0] = dbc_update(FS_TABLE, FS_ROW, DB_SET_ABS, left, DB_WHERE_VERSION, s->v[V_VERSION]); break;
    case FS_ATOMIC: SIM_UNREACHABLE("atomic buys write at once"); return;
    }
    if (in_txn(c)) st[n++] = dbc_commit();
    s->phase = P_WRITE;
    dbw_send(w, e, s, st, n, in_txn(c) ? 0 : DB_REQ_AUTOCOMMIT);
}

static void on_read(dbw_core *w, env *e, dbw_session *s, const db_reply *p) {
    const fs_cfg *c = cfg_of(w);
    SIM_ASSERT(p->n >= 1);
    s->v[V_STOCK] = p->res[0].rows ? p->res[0].value : 0;
    s->v[V_VERSION] = p->res[0].version;
    if (s->v[V_STOCK] < c->quantity) {
        char note[HIST_NOTE_MAX];
        snprintf(note, sizeof note, "sold out (read %" PRId64 ")", s->v[V_STOCK]);
        dbw_close_then_fail(w, e, s, true, note);
        return;
    }
    s->phase = P_THINK;
    dbw_think(w, e, s, c->think_ns);
}

static void on_write(dbw_core *w, env *e, dbw_session *s, const db_reply *p) {
    const fs_cfg *c = cfg_of(w);
    SIM_ASSERT(p->n >= 1);
    if (p->res[0].rows == 1) {
        finish(w, e, s, HIST_OK, c->strategy == FS_ATOMIC ? p->res[0].value : s->v[V_STOCK], "");
        return;
    }
    if (c->strategy == FS_OPTIMISTIC) {
        dbw_retry_or_fail(w, e, s, P_RESTART, "version changed");
        return;
    }
    dbw_close_then_fail(w, e, s, true, "sold out");
}

static void fs_reply(dbw_core *w, env *e, dbw_session *s, const db_reply *p) {
    if (!p->ok) {
        dbw_on_error(w, e, s, p, P_RESTART);
        return;
    }
    if (s->phase == P_READ) on_read(w, e, s, p);
    else if (s->phase == P_WRITE) on_write(w, e, s, p);
    else SIM_UNREACHABLE("flash-sale reply in an unexpected phase");
}

static void fs_think(dbw_core *w, env *e, dbw_session *s) {
    if (s->phase == P_THINK) send_write(w, e, s);
    else if (s->phase == P_RESTART) attempt(w, e, s);
    else SIM_UNREACHABLE("flash-sale timer in an unexpected phase");
}

static const dbw_logic fs_logic = { fs_start, fs_reply, fs_think };

/* ------------------------------------------------------------ model */

/* The sessions of this node: its share of the buyers. */
static uint32_t fs_sessions(const env *e) {
    const fs_cfg *c = env_workload_config(e);
    SIM_ASSERT(c != NULL);
    return dbw_sessions_every(&c->clients, c->buyers, env_self(e));
}

static size_t fs_state_size(const env *e) {
    return dbw_state_size(sizeof(dbw_core), fs_sessions(e));
}

static void fs_init(void *state, env *e) {
    dbw_core *w = state;
    const fs_cfg *c = env_workload_config(e);
    SIM_ASSERT(c != NULL);
    dbw_init(w, e, &fs_logic, c->request_timeout_ns, sizeof(dbw_core), fs_sessions(e));
    dbw_policy(w, c->retries, c->backoff_ns, c->backoff_max_ns);
    dbw_add_every(w, e, &c->clients, c->buyers, c->start_ns, c->every_ns);
    SIM_ASSERT(dbw_invariants_ok(w));
}

static void fs_restart(void *state, env *e) { (void)state; env_trace(e, "flash-sale: restarted; its buyers are gone"); }


static const model_ops fs_driver_ops = {
    .name = "flash-sale", .state_size = sizeof(dbw_core), .state_size_for = fs_state_size, .init = fs_init,
    .on_message = dbw_on_message, .on_timer = dbw_on_timer, .on_crash = dbw_on_crash,
    .on_restart = fs_restart,
};

/* workload_desc.seed: the rows this workload loads into the db node. */
static bool fs_seed(const void *cfg_v, void *out_v, size_t out_size) {
    const fs_cfg *c = cfg_v;
    db_seed *out = out_v;
    SIM_ASSERT(c != NULL);
    SIM_ASSERT(out != NULL);
    SIM_ASSERT(out_size == sizeof *out);
    out->tables[0] = fs_table;
    out->table_count = 1;
    out->rows[0] = (db_row_def){ FS_TABLE, FS_ROW, c->stock };
    out->row_count = 1;
    return true;
}

/* ------------------------------------------------------------ workload */

#define CFG_AT(field) offsetof(fs_cfg, field)

static const param_spec fs_params[] = {
    PARAM_NODES_SPEC("clients", "client", "the shop nodes; buyer b runs on node b mod count",
        CFG_AT(clients)),
    PARAM_INT_SPEC("stock", "100", "items in stock at the start (stock:1)",
        CFG_AT(stock), 0, 1000000000),
    PARAM_INT_SPEC("buyers", "1000", "buyers, each wanting `quantity` items",
        CFG_AT(buyers), 0, DBW_SESSIONS_MAX),
    PARAM_INT_SPEC("quantity", "1", "items per order", CFG_AT(quantity), 1, 1000000),
    PARAM_DURATION_SPEC("start", "0ms", "when buyer 0 arrives", CFG_AT(start_ns), 0, PARAM_NO_MAX),
    PARAM_DURATION_SPEC("every", "1ms", "time between arrivals (0ms = all at once)",
        CFG_AT(every_ns), 0, PARAM_NO_MAX),
    PARAM_ENUM_SPEC("strategy", "naive", "how a buyer buys",
        CFG_AT(strategy), "naive|check-then-decrement|atomic|optimistic|pessimistic"),
    PARAM_DURATION_SPEC("think", "3ms", "time between a read's reply and the write it leads to",
        CFG_AT(think_ns), 0, PARAM_NO_MAX),
    PARAM_BOOL_SPEC("transaction", "false",
        "naive / check-then-decrement: read and write in one transaction, not two autocommits",
        CFG_AT(transaction)),
    PARAM_INT_SPEC("retries", "3",
        "retries after the first attempt (optimistic misses, 40001, deadlocks); -1 = no limit",
        CFG_AT(retries), -1, 1000000),
    DBW_BACKOFF_SPECS(CFG_AT, "base wait before a retry, doubled per attempt, full jitter "
                              "(0ms = retry at once)"),
};

static int fs_validate(const void *cfg_v, const scn *s, const proto_desc *proto, char *err, size_t err_len) {
    (void)proto;
    const fs_cfg *c = cfg_v;
    SIM_ASSERT(c != NULL);
    SIM_ASSERT(s != NULL);
    if (c->clients.count == 0) {
        return param_error(s, &s->workload, "clients", err, err_len,
                           "clients: no client nodes (expected a list of nodes, or a role with "
                           "nodes)");
    }
    return 0;
}

/* Each buyer invokes one op at least (family.h: never more than the run
 * invokes). */
static uint64_t fs_ops_max(const void *cfg_v, const scn *s) {
    const fs_cfg *c = cfg_v;
    (void)s;
    return (uint64_t)c->buyers;
}

/* workload_desc.outcome: "10 sold, 190 told sold out, 0 oversold". */
static void fs_outcome(const void *cfg_v, const hist *h, const scn *s, char *buf, size_t len) {
    const fs_cfg *c = cfg_v;
    (void)s;
    wo_tally t = wo_count(h, HIST_F_BUY);
    uint64_t sold_out = wo_count_note(h, HIST_F_BUY, HIST_FAIL, "sold out");
    int64_t sold = (int64_t)t.ok * c->quantity;
    int64_t over = sold > c->stock ? sold - c->stock : 0;
    snprintf(buf, len, "%" PRId64 " sold, %" PRIu64 " told sold out, %" PRId64 " oversold", sold,
             sold_out, over);
    if (t.fail > sold_out)
        wo_add(buf, len, ", %" PRIu64 " failed otherwise", t.fail - sold_out);
    wo_unanswered(&t, buf, len);
    wo_money m = wo_money_of(h, NULL);
    if (m.accounts == 1) wo_add(buf, len, "; the stock row ended at %" PRId64, m.now);
}

const workload_desc fs_workload = {
    .name = "flash-sale",
    .summary = "buyers race for the items of one stock row, with the strategy of your choice",
    .params = fs_params,
    .param_count = sizeof fs_params / sizeof fs_params[0],
    .cfg_size = sizeof(fs_cfg),
    .driver = &fs_driver_ops,
    .validate = fs_validate,
    .seed = fs_seed,
    .ops_max = fs_ops_max,
    .outcome = fs_outcome,
};
