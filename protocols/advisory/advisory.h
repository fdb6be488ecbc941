/* advisory.h -- the `advisory-lock` protocol: PostgreSQL advisory locks
 * held by a database connection, optionally behind PgBouncer, and the
 * client library that takes them for the lock-counter workload
 * (docs/protocols/advisory-locks.md).
 *
 * Roles: server (1 node: PostgreSQL, with PgBouncer in front of it when
 * `pool` is set), storage (0..1, the protected counter when it lives
 * outside the database), client (1..N, run by the workload driver with
 * adv_lock_client).  The workload's `resource:` may name the server: then
 * the counter is a row in the database, read and written over the client's
 * own connection.
 *
 * One advisory key (the lock-counter's lock).  `mode: session`:
 * acquire = pg_advisory_lock(k) (`try: true`: pg_try_advisory_lock(k),
 * which answers false at once when another backend holds it), release =
 * pg_advisory_unlock(k).  The lock belongs to the BACKEND (the server
 * process of a connection) and is re-entrant: the same backend locking
 * twice holds it twice and must unlock twice; pg_advisory_unlock on a
 * backend that does not hold it returns false with "WARNING: you don't own
 * a lock of type ExclusiveLock".  `mode: xact`: acquire = BEGIN;
 * pg_advisory_xact_lock(k), release = COMMIT; the lock goes at commit or
 * rollback.  With the counter in the database, a WRITE in xact mode is the
 * transaction's UPDATE and its COMMIT in one round trip (the lock goes with
 * it; the RELEASE's COMMIT then finds no transaction, as PostgreSQL warns).
 *
 * A connection ends (the backend exits, its locks go, its transaction rolls
 * back) when: the client closes it; the client's PROCESS crashes (its
 * kernel sends FIN: at once); idle_session_timeout or
 * idle_in_transaction_session_timeout passes with no statement from the
 * client; TCP keepalive gets no answer (tcp_keepalives_idle, then
 * tcp_keepalives_count probes tcp_keepalives_interval apart; with
 * tcp_user_timeout set, the first probe at which nothing was heard for
 * that long); the server crashes or loses power (advisory locks live in
 * shared memory: none survives).  The client learns of it only at its next
 * statement (or from the FATAL message the server sends when it terminates
 * an idle session): a client that holds the lock is not interrupted.
 *
 * Modelling shortcut: the keepalive probe is answered by the client
 * library standing in for the client host's kernel.  A real kernel answers
 * while the process is paused; here a paused client answers when it
 * resumes, so a pause longer than the whole keepalive window would end the
 * connection when a real one would not.  The scenarios keep pauses shorter.
 *
 * Pooling (`pool`, PgBouncer's pool_mode): `none` = one backend per client
 * connection; `session` = a pool backend per client connection, and when
 * the client goes, PgBouncer's server_reset_query (DISCARD ALL) unlocks
 * its advisory locks; `transaction` = each statement outside a transaction,
 * and each transaction, runs on whichever pool backend is free (the most
 * recently used first, PgBouncer's default LIFO; `pool_order: round-robin`
 * = server_round_robin = 1), so a session-level lock stays on a backend
 * that other clients' statements then use: the next pg_advisory_lock from
 * ANY client on that backend is granted (re-entrant), and the owner's
 * unlock may land on another backend and fail.
 *
 * Fencing (`fencing: true`): each grant also takes the next value of a
 * durable sequence (nextval('fence')), carried by the workload's writes as
 * a fencing token the storage checks.
 */
#ifndef CCSIM_ADVISORY_H
#define CCSIM_ADVISORY_H

#include "protocols/lock/lock_api.h"
#include "sim/config.h"
#include "sim/env.h"

/* Message types, inside lock_api.h's range so the lock-counter hands the
 * server's messages to its lock client. */
#define ADV_MSG_CONNECT  1650u    /* client -> server: adv_req (sid) */
#define ADV_MSG_LOCK     1651u    /* client -> server: adv_req (sid, req): pg_advisory_(xact_)lock */
#define ADV_MSG_UNLOCK   1652u    /* client -> server: adv_req: pg_advisory_unlock / COMMIT */
#define ADV_MSG_KA_ACK   1653u    /* client (its kernel) -> server: keepalive answered */
#define ADV_MSG_FIN      1654u    /* client's kernel -> server: the process died, socket closed */
#define ADV_MSG_REPLY    1660u    /* server -> client: adv_reply */
#define ADV_MSG_KA_PROBE 1661u    /* server -> client: adv_reply (keepalive probe) */
#define ADV_MSG_FATAL    1662u    /* server -> client: adv_reply (connection terminated) */

#define ADV_CONNS_MAX    32       /* client connections alive at once */
#define ADV_BACKENDS_MAX 32       /* backends (server processes) */
#define ADV_KEY "pg_advisory(42)" /* the lock's name in the history */

typedef enum { ADV_MODE_SESSION = 0, ADV_MODE_XACT } adv_mode;
typedef enum { ADV_POOL_NONE = 0, ADV_POOL_SESSION, ADV_POOL_TRANSACTION } adv_pool;
typedef enum { ADV_ORDER_LIFO = 0, ADV_ORDER_ROUND_ROBIN } adv_order;

typedef enum {
    ADV_ST_OK = 0,                /* LOCK: granted; UNLOCK: true / COMMIT done */
    ADV_ST_FALSE,                 /* try-lock: held elsewhere; unlock: not held by this backend */
    ADV_ST_NO_CONN,               /* the connection is gone (terminated, or the server restarted) */
    ADV_ST_FULL                   /* no backend or connection slot */
} adv_status;

/* Why a connection ended (adv_reply.why of a FATAL; the trace). */
typedef enum {
    ADV_END_CLOSED = 0, ADV_END_FIN, ADV_END_IDLE_SESSION, ADV_END_IDLE_IN_TXN, ADV_END_KEEPALIVE,
    ADV_END_USER_TIMEOUT, ADV_END_SERVER_CRASH
} adv_end;

typedef struct adv_req {
    uint32_t sid;                 /* the client's connection number */
    uint32_t req;                 /* request id (KA_ACK: the probe's) */
} adv_req;

typedef struct adv_reply {
    uint32_t sid, req;            /* echoed */
    uint16_t op;                  /* the ADV_MSG_* it answers */
    uint8_t status;               /* adv_status */
    uint8_t why;                  /* FATAL: adv_end */
    uint8_t backend;              /* the backend that ran it (trace) */
    uint8_t pad[3];               /* zero */
    int64_t token;                /* LOCK granted with fencing: nextval('fence') */
} adv_reply;

typedef struct adv_cfg {
    int mode;                     /* adv_mode */
    bool try_lock;
    int pool;                     /* adv_pool */
    int pool_order;               /* adv_order */
    int64_t pool_size;
    sim_time idle_session_ns;     /* 0 = off */
    sim_time idle_in_txn_ns;      /* 0 = off */
    sim_time ka_idle_ns;          /* 0 = the OS default, 2 h */
    sim_time ka_interval_ns;      /* 0 = the OS default, 75 s */
    int64_t ka_count;             /* 0 = the OS default, 9 */
    sim_time user_timeout_ns;     /* 0 = off */
    bool fencing;
    sim_time timeout_ns;          /* client request timeout (not for a blocking lock) */
} adv_cfg;

extern const lock_client_ops adv_lock_client;
extern const model_ops adv_server_ops;

/* Keepalive settings with PostgreSQL's 0 = "the operating system's default"
 * resolved (Linux: 7200 s, 75 s, 9 probes). */
sim_time adv_ka_idle(const adv_cfg *cfg);
sim_time adv_ka_interval(const adv_cfg *cfg);
int64_t adv_ka_count(const adv_cfg *cfg);
const char *adv_end_name(adv_end why);
bool adv_describe(uint32_t type, const void *body, uint32_t len, char *buf, size_t buf_len);

#endif
