/* dblock.h -- the `db-lock-table` protocol: a lock kept as a row of a table
 * in a database, the pattern people reach for when they already have a
 * PostgreSQL and no lock service (issue 16 item 1;
 * docs/protocols/db-lock-table.md).
 *
 *   CREATE TABLE locks (name text PRIMARY KEY, owner text NOT NULL,
 *                       acquired_at timestamptz NOT NULL, version bigint NOT NULL);
 *   CREATE SEQUENCE lock_versions;
 *
 * Roles: db (1 node, model dbl_server_ops: the table, durable), storage
 * (0..1, the protected counter; or the counter lives in the db itself,
 * workload `resource: db`), client (1..N, run by the workload driver with
 * dbl_lock_client).
 *
 * One attempt to take the lock is two autocommit statements, as the
 * pattern is written:
 *   1. INSERT INTO locks VALUES ('job', $me, now(), nextval('lock_versions'))
 *        ON CONFLICT (name) DO NOTHING
 *      or, with `stale_after: T` (the staleness "fix"):
 *        ON CONFLICT (name) DO UPDATE SET owner = excluded.owner,
 *          acquired_at = excluded.acquired_at, version = excluded.version
 *          WHERE locks.acquired_at < now() - T
 *   2. SELECT owner, version FROM locks WHERE name = 'job'
 * The lock is ours when the owner read back is our value ("c1:1").
 * release = DELETE FROM locks WHERE name = 'job' AND owner = $me
 * (`release: owner`) or the naive WHERE name = 'job' (`release: name`).
 *
 * Fencing (`fencing: true`): the row's version is the token the workload's
 * writes carry.  A storage node rejects a token lower than the highest it
 * has accepted; a counter kept in the db itself (`resource: db`) is written
 * by UPDATE counter SET v = $v WHERE EXISTS (SELECT 1 FROM locks WHERE
 * name = 'job' AND version = $token): refused unless the row is still ours.
 *
 * Durability: every statement commits before it answers (PostgreSQL's
 * default synchronous_commit = on: the commit record is fsynced first), so
 * a committed row, the sequence and the counter survive a crash and a power
 * loss alike; what a crash loses is the statements in flight.
 */
#ifndef CCSIM_DBLOCK_H
#define CCSIM_DBLOCK_H

#include "protocols/lock/lock_api.h"
#include "sim/config.h"
#include "sim/env.h"

/* Message types (inside lock_api.h's range: a lock workload hands them to
 * its lock client) and the client library's timer tags: 1600-1649. */
#define DBL_MSG_INSERT 1600u      /* client -> db: dbl_req (value, stale_ns) */
#define DBL_MSG_SELECT 1601u      /* client -> db: dbl_req */
#define DBL_MSG_DELETE 1602u      /* client -> db: dbl_req (value, by_owner) */
#define DBL_MSG_REPLY  1610u      /* db -> client: dbl_reply */

#define DBL_NAME      "job"       /* the lock's name: the row's primary key */
#define DBL_VALUE_MAX 24          /* "c1:1" */

typedef enum { DBL_REL_OWNER = 0, DBL_REL_NAME } dbl_release_mode;

typedef struct dbl_req {
    uint32_t req;                 /* request id, echoed */
    uint8_t by_owner;             /* DELETE: 1 = AND owner = value */
    uint8_t pad[3];               /* zero */
    sim_time stale_ns;            /* INSERT: > 0 = take over a row older than this */
    char value[DBL_VALUE_MAX];    /* our owner value */
} dbl_req;

typedef struct dbl_reply {
    uint32_t req;                 /* echoed */
    uint16_t op;                  /* the DBL_MSG_* it answers */
    uint8_t found;                /* SELECT: 1 = the row exists */
    uint8_t pad;                  /* zero */
    int64_t rows;                 /* INSERT, DELETE: rows affected (0 or 1) */
    int64_t version;              /* SELECT: the row's version */
    sim_time age_ns;              /* SELECT: now() - acquired_at by the db's clock */
    char owner[DBL_VALUE_MAX];    /* SELECT: the row's owner */
} dbl_reply;

typedef struct dbl_cfg {
    sim_time stale_after_ns;      /* -1 = none: a row stays until deleted */
    int release;                  /* dbl_release_mode */
    sim_time retry_every_ns;
    int64_t retry_max;            /* -1 = unlimited */
    bool lease_check;
    bool fencing;
    sim_time timeout_ns;          /* per-statement timeout */
} dbl_cfg;

extern const lock_client_ops dbl_lock_client;
extern const model_ops dbl_server_ops;

/* One trace line for a db-lock-table message; false when not one. */
bool dbl_describe(uint32_t type, const void *body, uint32_t len, char *buf, size_t buf_len);

#endif
