/* dbw.c -- the database workloads' framework: sessions, routing, history
 * ops, retries, list parameters, and the registry of what each workload
 * loads into the db node.
 *
 * Session diagram (the workload's callbacks take the inner edges):
 *
 *   ADDED --start timer [logic.start]--> RUNNING
 *   RUNNING --dbw_send--> AWAITING --reply [logic.reply] | timeout [on_timeout]--> RUNNING
 *   RUNNING --dbw_think / dbw_retry--> THINKING --timer [logic.think]--> RUNNING
 *   RUNNING --the workload sets done--> DONE;   any --client crash [dbw_on_crash]--> DONE
 *
 * Invariant (dbw_invariants_ok): a request is outstanding only while an op
 * is pending; a done session has neither.  Trade-off: all sessions of a
 * node live in one table after the driver's struct, sized at setup from
 * the workload's config (dbw_state_size), so the engine's single
 * allocation per node holds them and nothing outlives the run.
 */
#include "sim/workload/dbw.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/family.h"

static bool session_ok(const dbw_session *s) {
    if (s->req_out != 0 && s->op == HIST_NONE) return false;
    return !s->done || (s->req_out == 0 && s->op == HIST_NONE);
}

bool dbw_invariants_ok(const dbw_core *w) {
    if (w == NULL || w->count > w->cap || w->cap > DBW_SESSIONS_MAX) return false;
    for (uint32_t i = 0; i < w->count; i++)
        if (!session_ok(&w->s[i])) return false;
    return true;
}

static size_t sessions_at(size_t head) {
    size_t a = _Alignof(dbw_session);
    return (head + a - 1) / a * a;
}

size_t dbw_state_size(size_t head, uint32_t sessions) {
    SIM_ASSERT(head >= sizeof(dbw_core));
    SIM_ASSERT(sessions <= DBW_SESSIONS_MAX);
    return sessions_at(head) + (size_t)sessions * sizeof(dbw_session);
}

uint32_t dbw_sessions_every(const param_nodes *clients, int64_t count, node_id self) {
    SIM_ASSERT(count >= 0);
    int32_t me = dbw_member(clients, self);
    if (me < 0 || count <= me) return 0;
    int64_t n = (count - me + clients->count - 1) / clients->count;
    SIM_ASSERT(n <= DBW_SESSIONS_MAX);     /* the workloads' params bound count */
    return (uint32_t)n;
}

void dbw_init(dbw_core *w, env *e, const dbw_logic *logic, sim_time request_timeout_ns,
              size_t head, uint32_t sessions) {
    SIM_ASSERT(logic != NULL);
    SIM_ASSERT(logic->start != NULL);
    SIM_ASSERT(logic->reply != NULL);
    SIM_ASSERT(logic->think != NULL);
    SIM_ASSERT(w->count == 0);
    SIM_ASSERT(sessions <= DBW_SESSIONS_MAX);
    w->cap = sessions;
    w->s = sessions ? (dbw_session *)(void *)((char *)w + sessions_at(head)) : NULL;
    w->cfg = env_workload_config(e);
    w->logic = logic;
    w->request_timeout_ns = request_timeout_ns;
    node_id db[1];
    w->db = env_nodes_of_role(e, "db", db, 1) == 1 ? db[0] : -1;
    SIM_ASSERT(w->db >= 0);               /* the db protocol's roles ask for exactly one */
}

void dbw_policy(dbw_core *w, int64_t retries, sim_time backoff_ns, sim_time backoff_max_ns) {
    SIM_ASSERT(w != NULL);
    SIM_ASSERT(backoff_ns >= 0);
    SIM_ASSERT(retries >= -1);
    w->retries = retries;
    w->backoff_ns = backoff_ns;
    w->backoff_max_ns = backoff_max_ns;
}

dbw_session *dbw_add(dbw_core *w, env *e, uint32_t process, sim_time start) {
    SIM_ASSERT(w->count < w->cap);
    SIM_ASSERT(start >= 0);
    dbw_session *s = &w->s[w->count];
    memset(s, 0, sizeof *s);
    s->index = w->count++;
    s->process = process;
    s->op = HIST_NONE;
    env_timer(e, start, DBW_TAG_START, s->index);
    return s;
}

/* Past any horizon on any clock: the horizon is at most CONFIG_TIME_MAX of
 * true time, and a local clock runs at most 10 times as fast. */
#define DBW_NEVER_LOCAL (11 * CONFIG_TIME_MAX)

/* start + k * every, capped at DBW_NEVER_LOCAL: 4096 arrivals 8760h apart
 * pass 64 bits, and every one capped is never due anyway. */
static sim_time arrival(sim_time start, int64_t k, sim_time every) {
    SIM_ASSERT(start >= 0);
    SIM_ASSERT(start <= CONFIG_TIME_MAX);   /* a parsed duration */
    SIM_ASSERT(every >= 0);
    SIM_ASSERT(k >= 0);
    if (every > 0 && k > (DBW_NEVER_LOCAL - start) / every) return DBW_NEVER_LOCAL;
    return start + k * every;
}

void dbw_add_every(dbw_core *w, env *e, const param_nodes *clients, int64_t count, sim_time start,
                   sim_time every) {
    SIM_ASSERT(count >= 0);
    int32_t me = dbw_member(clients, env_self(e));
    if (me < 0) return;
    for (int64_t k = me; k < count; k += clients->count)
        dbw_add(w, e, (uint32_t)k, arrival(start, k, every));
}

void dbw_send(dbw_core *w, env *e, dbw_session *s, const db_stmt *stmts, uint32_t n, uint8_t flags) {
    SIM_ASSERT(s->req_out == 0);
    SIM_ASSERT(s->op != HIST_NONE);
    s->req_out = ++w->req_next;
    dbc_send(e, w->db, s->index + 1, s->req_out, s->op, stmts, n, flags);
    if (w->request_timeout_ns >= 0)
        s->req_timer = env_timer(e, w->request_timeout_ns, DBW_TAG_TIMEOUT, s->index);
}

void dbw_invoke(dbw_core *w, env *e, dbw_session *s, hist_f f, const hist_op_fields *fields) {
    SIM_ASSERT(s->op == HIST_NONE);
    SIM_ASSERT(!s->done);
    (void)w;
    s->op = env_op_invoke_as(e, s->process, f, fields);
    s->attempt = 1;
}

void dbw_complete(dbw_core *w, env *e, dbw_session *s, hist_result r, bool has_value,
                  int64_t value, const char *note) {
    SIM_ASSERT(s->op != HIST_NONE);
    SIM_ASSERT(r != HIST_PENDING);
    (void)w;
    hist_op_fields f;
    memset(&f, 0, sizeof f);
    f.has_value_out = has_value;
    f.value_out = value;
    if (note != NULL) f.note = note;
    uint32_t op = s->op;
    s->op = HIST_NONE;
    env_op_complete(e, op, r, &f);
}

void dbw_think(dbw_core *w, env *e, dbw_session *s, sim_time delay) {
    SIM_ASSERT(s->req_out == 0);
    SIM_ASSERT(delay >= 0);
    (void)w;
    env_timer(e, delay, DBW_TAG_THINK, s->index);
}

bool dbw_retry(dbw_core *w, env *e, dbw_session *s, const char *why) {
    SIM_ASSERT(s->op != HIST_NONE);
    SIM_ASSERT(why != NULL);
    if (w->retries >= 0 && (int64_t)s->attempt > w->retries) return false;
    hist_effect_fields ef;
    memset(&ef, 0, sizeof ef);
    ef.kind = HIST_EFF_RETRY;
    ef.client = env_self(e);
    ef.op = s->op;
    ef.value = (int64_t)s->attempt + 1;
    ef.key = why;
    env_effect(e, &ef);
    sim_time wait = dbc_backoff(e, w->backoff_ns, w->backoff_max_ns, s->attempt);
    s->attempt++;
    s->txn_open = false;
    dbw_think(w, e, s, wait);
    return true;
}

void dbw_finish(dbw_core *w, env *e, dbw_session *s, hist_result r, bool has_value, int64_t value,
                const char *note) {
    dbw_complete(w, e, s, r, has_value, value, note);
    s->done = true;
    SIM_ASSERT(session_ok(s));
}

/* Sends the COMMIT / ROLLBACK that closes the session's transaction; its
 * reply fails the op with s->note, or retries into s->restart. */
static void close_then(dbw_core *w, env *e, dbw_session *s, bool commit) {
    db_stmt st = commit ? dbc_commit() : dbc_rollback();
    s->phase = DBW_PHASE_CLOSE;
    dbw_send(w, e, s, &st, 1, 0);
}

void dbw_close_then_fail(dbw_core *w, env *e, dbw_session *s, bool commit, const char *note) {
    SIM_ASSERT(note != NULL);
    if (!s->txn_open) { dbw_finish(w, e, s, HIST_FAIL, false, 0, note); return; }
    snprintf(s->note, sizeof s->note, "%s", note);
    s->restart = 0;
    close_then(w, e, s, commit);
}

void dbw_retry_or_fail(dbw_core *w, env *e, dbw_session *s, uint32_t restart, const char *why) {
    SIM_ASSERT(restart != 0);
    if (s->txn_open) {                       /* roll the failed transaction back first */
        snprintf(s->note, sizeof s->note, "%s", why);
        s->restart = restart;
        close_then(w, e, s, false);
        return;
    }
    if (dbw_retry(w, e, s, why)) {
        s->phase = restart;
        return;
    }
    char note[HIST_NOTE_MAX];
    snprintf(note, sizeof note, "gave up after %u attempts (%.20s)", s->attempt, why);
    dbw_finish(w, e, s, HIST_FAIL, false, 0, note);
}

void dbw_on_error(dbw_core *w, env *e, dbw_session *s, const db_reply *p, uint32_t restart) {
    SIM_ASSERT(!p->ok);
    char note[HIST_NOTE_MAX];
    snprintf(note, sizeof note, "%s %s", p->code, dbc_code_text(p->code));
    if (dbc_retryable(p->code)) { dbw_retry_or_fail(w, e, s, restart, p->code); return; }
    dbw_close_then_fail(w, e, s, false, note);
}

/* The reply to a closing COMMIT / ROLLBACK. */
static void on_closed(dbw_core *w, env *e, dbw_session *s) {
    if (s->restart == 0) { dbw_finish(w, e, s, HIST_FAIL, false, 0, s->note); return; }
    char why[HIST_NOTE_MAX];
    snprintf(why, sizeof why, "%s", s->note);
    s->txn_open = false;
    dbw_retry_or_fail(w, e, s, s->restart, why);
}

/* ------------------------------------------------------------ routing */

static dbw_session *session_of(dbw_core *w, uint64_t index) {
    if (index >= w->count) return NULL;
    return &w->s[index];
}

/* No reply in time: the outcome is unknown (a write may still land). */
static void on_timeout(dbw_core *w, env *e, dbw_session *s) {
    if (s->req_out == 0 || s->done) return;
    s->req_out = 0;
    s->req_timer = 0;
    env_trace(e, "session %u: no reply from the db in time; outcome unknown", s->index + 1);
    if (s->op != HIST_NONE) dbw_complete(w, e, s, HIST_INFO, false, 0, "timeout: no reply from db");
    s->done = true;
}

void dbw_on_message(void *state, env *e, node_id from, uint32_t type, const void *body, uint32_t len) {
    dbw_core *w = state;
    SIM_ASSERT(w->count <= w->cap);
    db_reply p;
    if (from != w->db || !dbc_reply_parse(type, body, len, &p)) {
        env_trace(e, "ignored a message of type %u", type);
        return;
    }
    dbw_session *s = p.session >= 1 ? session_of(w, p.session - 1) : NULL;
    if (s == NULL || s->req_out == 0 || p.req != s->req_out) {
        env_trace(e, "late db reply to request %u ignored", p.req);
        return;
    }
    s->req_out = 0;
    env_timer_cancel(e, s->req_timer);
    s->req_timer = 0;
    s->txn_open = p.txn_open != 0;
    if (s->phase == DBW_PHASE_CLOSE) on_closed(w, e, s);
    else w->logic->reply(w, e, s, &p);
    SIM_ASSERT(session_ok(s));          /* after the transition the reply took */
}

void dbw_on_timer(void *state, env *e, uint32_t tag, uint64_t arg) {
    dbw_core *w = state;
    dbw_session *s = session_of(w, arg);
    SIM_ASSERT(s != NULL);
    SIM_ASSERT(session_ok(s));
    switch (tag) {
    case DBW_TAG_START: if (!s->done) w->logic->start(w, e, s); break;
    case DBW_TAG_THINK: if (!s->done) w->logic->think(w, e, s); break;
    case DBW_TAG_TIMEOUT: on_timeout(w, e, s); break;
    default: SIM_UNREACHABLE("dbw timer tag"); break;
    }
    SIM_ASSERT(session_ok(s));          /* after the transition the timer took */
}

/* Jepsen's rule: an op pending when its process crashes completes as info;
 * the crashed node's logical clients are gone. */
void dbw_on_crash(void *state, env *e) {
    dbw_core *w = state;
    SIM_ASSERT(w != NULL);
    for (uint32_t i = 0; i < w->count; i++) {
        dbw_session *s = &w->s[i];
        env_op_abandon(e, &s->op, "client crashed");
        s->req_out = 0;
        s->req_timer = 0;
        s->done = true;
    }
    w->crashed = true;
    SIM_ASSERT(dbw_invariants_ok(w));
}

/* ------------------------------------------------------------ parameters */

int32_t dbw_member(const param_nodes *clients, node_id self) {
    SIM_ASSERT(clients != NULL);
    for (uint32_t i = 0; i < clients->count; i++)
        if (clients->node[i] == self) return (int32_t)i;
    return -1;
}
