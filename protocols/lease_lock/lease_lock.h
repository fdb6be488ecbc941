/* lease_lock.h -- the `lease-lock` protocol: a ZooKeeper / etcd style lock
 * service, modelled as ONE linearizable service node (the consensus
 * ensemble behind it is not modelled: it never loses a write), and the
 * client library of the lock recipes built on it (DESIGN.md 4,
 * PROTOCOLS.md 4-5, SCENARIOS.md W3).
 *
 * Roles: service (1 node: the ensemble), storage (0..1, the protected
 * counter), client (1..N, run by the workload driver with ll_lock_client).
 *
 * Sessions.  Each client opens a session (ZooKeeper session / etcd lease)
 * and keeps it alive with a heartbeat every `heartbeat` (default session/3,
 * as ZooKeeper clients ping and etcd keep-alives run).  The heartbeat timer
 * lives in the client process: it stops while the process is paused.  The
 * service expires a session `session` after the last heartbeat it received
 * and deletes its keys (ephemeral znodes / keys attached to the lease).
 *
 * The lock.  acquire = create a key in the lock's directory, attached to the
 * session (EPHEMERAL_SEQUENTIAL znode / put with the lease); its revision is
 * the global transaction counter at the create (czxid / CreateRevision).
 * The owner is the key with the lowest revision.  A waiter watches the next
 * lower key (ZooKeeper's exists(watch), etcd's waitDeletes) and, when it is
 * deleted, checks again (getChildren).  Creating, checking and setting the
 * watch are one request each here (etcd's Txn does the first two at once).
 * release = delete the key.  A client learns that its session expired only
 * from a reply (a heartbeat's, or a request's): then, if it held the lock,
 * it has lost it (Curator's LOST) and opens a new session.
 *
 * Fencing (`fencing: true`).  The revision is the token the workload's
 * writes carry (Kleppmann: "ZooKeeper's zxid or the znode version"; etcd:
 * "the fencing token is the revision").  The storage node rejects a token
 * lower than the highest it has accepted.  When the counter lives in the
 * service node itself (workload `resource:` = the service node), a fenced
 * write is an etcd Txn guarded by IsOwner(): If(CreateRevision(myKey) ==
 * myRev) Then(Put) -- it is rejected unless the client's key still exists.
 *
 * Parameters: flavor (zookeeper | etcd: naming, and whether opening a
 * session is a transaction), session 10s, heartbeat 0ms (= session/3),
 * fencing false, lease_check false, timeout 1s.
 */
#ifndef CCSIM_LEASE_LOCK_H
#define CCSIM_LEASE_LOCK_H

#include "protocols/lock/lock_api.h"
#include "sim/config.h"
#include "sim/env.h"

/* Message types, inside lock_api.h's range so a lock workload hands the
 * service's messages to its lock client. */
#define LL_MSG_OPEN    1400u      /* client -> service: ll_req (sid) */
#define LL_MSG_PING    1401u      /* client -> service: ll_req (sid, req = ping seq) */
#define LL_MSG_CREATE  1402u      /* client -> service: ll_req (sid, req) */
#define LL_MSG_CHECK   1403u      /* client -> service: ll_req (sid, req, rev) */
#define LL_MSG_DELETE  1404u      /* client -> service: ll_req (sid, req, rev) */
#define LL_MSG_REPLY   1410u      /* service -> client: ll_reply */
#define LL_MSG_EVENT   1411u      /* service -> client: ll_reply (watch fired: rev deleted) */

#define LL_KEYS_MAX     64        /* lock keys alive at once */
#define LL_SESSIONS_MAX 64

typedef enum { LL_FLAVOR_ZOOKEEPER = 0, LL_FLAVOR_ETCD } ll_flavor;

typedef enum {
    LL_ST_OK = 0,
    LL_ST_SESSION_EXPIRED,        /* ZooKeeper SESSIONEXPIRED / etcd ErrSessionExpired */
    LL_ST_NO_KEY,                 /* the key is not there (DELETE, CHECK) */
    LL_ST_FULL                    /* LL_KEYS_MAX or LL_SESSIONS_MAX reached */
} ll_status;

typedef struct ll_req {
    uint32_t sid;                 /* the client's session number */
    uint32_t req;                 /* request id (PING: its sequence number) */
    int64_t rev;                  /* CHECK, DELETE: the client's key */
} ll_req;

typedef struct ll_reply {
    uint32_t req;                 /* echoed */
    uint32_t sid;                 /* echoed */
    uint16_t op;                  /* the LL_MSG_* it answers (LL_MSG_EVENT: 0) */
    uint8_t status;               /* ll_status */
    uint8_t owner;                /* CREATE, CHECK: 1 = the key is the lowest */
    uint8_t pad[4];               /* zero */
    int64_t rev;                  /* CREATE: the new key's; EVENT: the key deleted */
    int64_t pred;                 /* not the owner: the key watched now */
} ll_reply;

typedef struct ll_cfg {
    int flavor;                   /* ll_flavor */
    sim_time session_ns;          /* session timeout / lease TTL */
    sim_time heartbeat_ns;        /* 0 = session / 3 */
    bool fencing;
    bool lease_check;
    sim_time timeout_ns;          /* request timeout */
} ll_cfg;

extern const lock_client_ops ll_lock_client;
extern const model_ops ll_service_ops;

/* One trace line for a lease-lock message; false when not one. */
bool ll_describe(uint32_t type, const void *body, uint32_t len, char *buf, size_t buf_len);
/* "lock-0000000003" (ZooKeeper) or "lock/3" (etcd): the key of a revision. */
void ll_key_name(const ll_cfg *cfg, int64_t rev, char *buf, size_t len);
sim_time ll_heartbeat_ns(const ll_cfg *cfg);

#endif
