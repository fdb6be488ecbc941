/* db_client.h -- what a client of the db node uses: statement builders, one
 * request per call, reply parsing, and the retry policy (exponential
 * backoff with full jitter) the client strategies share.
 *
 * A session is one connection: at most one request outstanding, and at
 * most one transaction open, on it.  Workloads number their sessions per
 * client node (1, 2, ...); the db node keys them by (node, session).
 *
 * Retry policy (PROTOCOLS.md 8.1, AWS "Exponential Backoff And Jitter"):
 * before attempt k+1 (k >= 1) wait a uniform draw in [0, min(cap, base *
 * 2^(k-1))]; base 0 = retry at once.  Errors worth a retry: 40001
 * (serialization failure), 40P01 and 1213 (deadlock victim); lock timeouts
 * (55P03, 1205) are not, by default: the wait itself was the problem.
 */
#ifndef CCSIM_DB_CLIENT_H
#define CCSIM_DB_CLIENT_H

#include "protocols/db/db.h"

db_stmt dbc_select(uint8_t table, int64_t id, db_lock_mode lock);
db_stmt dbc_scan(uint8_t table, hist_pred pred, int64_t arg, db_lock_mode lock);
/* UPDATE table SET value = value_or_delta (add: value + it) WHERE id = id
 * [AND value <where> where_arg | AND version = where_arg]. */
db_stmt dbc_update(uint8_t table, int64_t id, db_set_kind set, int64_t value_or_delta,
                   uint8_t where, int64_t where_arg);
db_stmt dbc_insert(uint8_t table, int64_t id, int64_t value);
db_stmt dbc_commit(void);
db_stmt dbc_rollback(void);

/* Sends the statements on a session; flags: DB_REQ_AUTOCOMMIT or 0. */
void dbc_send(env *e, node_id db, uint32_t session, uint32_t req, uint32_t op,
              const db_stmt *stmts, uint32_t n, uint8_t flags);
/* A reply from the db node, checked and NUL-terminated; false if not one. */
bool dbc_reply_parse(uint32_t type, const void *body, uint32_t len, db_reply *out);

/* The wait before attempt `attempt` + 1 (attempt >= 1), with full jitter
 * from the node's own random stream. */
sim_time dbc_backoff(env *e, sim_time base, sim_time cap, uint32_t attempt);
/* 40001, 40P01, 1213: the transaction was rolled back and may be retried. */
bool dbc_retryable(const char *code);
/* 55P03, 1205: a lock wait timed out. */
bool dbc_lock_timeout(const char *code);
/* What a code means, for notes and stories: "serialization failure". */
const char *dbc_code_text(const char *code);

#endif
