/* db_client.c -- statement builders, requests, replies and backoff for the
 * db node's clients.  Invariant: every message built here has its padding
 * zeroed (message bytes are part of the run and must not depend on stack
 * garbage).  Trade-off: statements are plain structs copied by value; a
 * request is at most DB_STMTS_MAX of them, so copies stay small.
 */
#include "protocols/db/db_client.h"

#include <string.h>

#include "protocols/db/db.h"

static db_stmt stmt(db_stmt_kind kind, uint8_t table) {
    db_stmt s;
    memset(&s, 0, sizeof s);
    s.kind = (uint8_t)kind;
    s.table = table;
    return s;
}

db_stmt dbc_select(uint8_t table, int64_t id, db_lock_mode lock) {
    SIM_ASSERT(table < DB_TABLES_MAX);
    SIM_ASSERT(lock <= DB_LOCK_UPDATE);
    db_stmt s = stmt(DB_ST_SELECT, table);
    s.id = id;
    s.lock = (uint8_t)lock;
    return s;
}

db_stmt dbc_scan(uint8_t table, hist_pred pred, int64_t arg, db_lock_mode lock) {
    SIM_ASSERT(table < DB_TABLES_MAX);
    SIM_ASSERT(pred < HIST_PRED_COUNT);
    db_stmt s = stmt(DB_ST_SCAN, table);
    s.where = (uint8_t)pred;
    s.where_arg = arg;
    s.lock = (uint8_t)lock;
    return s;
}

db_stmt dbc_update(uint8_t table, int64_t id, db_set_kind set, int64_t value_or_delta,
                   uint8_t where, int64_t where_arg) {
    SIM_ASSERT(table < DB_TABLES_MAX);
    SIM_ASSERT(where < HIST_PRED_COUNT || where == DB_WHERE_VERSION);
    db_stmt s = stmt(DB_ST_UPDATE, table);
    s.id = id;
    s.set = (uint8_t)set;
    s.arg = value_or_delta;
    s.where = where;
    s.where_arg = where_arg;
    return s;
}

db_stmt dbc_insert(uint8_t table, int64_t id, int64_t value) {
    SIM_ASSERT(table < DB_TABLES_MAX);
    db_stmt s = stmt(DB_ST_INSERT, table);
    s.id = id;
    s.arg = value;
    SIM_ASSERT(s.kind == DB_ST_INSERT);
    return s;
}

db_stmt dbc_commit(void) { return stmt(DB_ST_COMMIT, 0); }
db_stmt dbc_rollback(void) { return stmt(DB_ST_ROLLBACK, 0); }

void dbc_send(env *e, node_id db, uint32_t session, uint32_t req, uint32_t op,
              const db_stmt *stmts, uint32_t n, uint8_t flags) {
    SIM_ASSERT(n >= 1);
    SIM_ASSERT(n <= DB_STMTS_MAX);
    SIM_ASSERT(stmts != NULL);
    db_req q;
    memset(&q, 0, sizeof q);
    q.session = session;
    q.req = req;
    q.op = op;
    q.n = (uint8_t)n;
    q.flags = flags;
    memcpy(q.stmts, stmts, n * sizeof stmts[0]);
    env_send(e, db, DB_MSG_REQ, &q, sizeof q);
}

bool dbc_reply_parse(uint32_t type, const void *body, uint32_t len, db_reply *out) {
    SIM_ASSERT(out != NULL);
    if (type != DB_MSG_REPLY || len != sizeof(db_reply) || body == NULL) return false;
    memcpy(out, body, sizeof *out);
    out->code[sizeof out->code - 1] = '\0';
    return out->n <= DB_STMTS_MAX;
}

sim_time dbc_backoff(env *e, sim_time base, sim_time cap, uint32_t attempt) {
    SIM_ASSERT(attempt >= 1);
    SIM_ASSERT(base >= 0);
    if (base == 0) return 0;
    sim_time ceiling = base;                 /* cap <= 0: no cap */
    for (uint32_t k = 1; k < attempt; k++) {
        if ((cap > 0 && ceiling >= cap) || ceiling > INT64_MAX / 4) break;
        ceiling *= 2;
    }
    if (cap > 0 && ceiling > cap) ceiling = cap;
    return (sim_time)env_random_below(e, (uint64_t)ceiling + 1);   /* full jitter */
}

bool dbc_retryable(const char *code) {
    SIM_ASSERT(code != NULL);
    return strcmp(code, "40001") == 0 || strcmp(code, "40P01") == 0 || strcmp(code, "1213") == 0;
}

bool dbc_lock_timeout(const char *code) {
    SIM_ASSERT(code != NULL);
    return strcmp(code, "55P03") == 0 || strcmp(code, "1205") == 0;
}

const char *dbc_code_text(const char *code) {
    SIM_ASSERT(code != NULL);
    static const struct { const char *code, *text; } table[] = {
        { "40001", "serialization failure" }, { "40P01", "deadlock detected" },
        { "55P03", "lock timeout" }, { "23505", "unique violation" },
        { "53200", "out of locks" }, { "25P02", "transaction aborted" },
        { "1205", "lock wait timeout" }, { "1213", "deadlock" }, { "1062", "duplicate key" },
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strcmp(table[i].code, code) == 0) return table[i].text;
    return "error";
}
