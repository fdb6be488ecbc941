/* setnx_lock.h -- the `setnx-lock` protocol: one Redis node, a lock key, and
 * the client library of every variant people write (DESIGN.md 4,
 * PROTOCOLS.md 1 and 3, SCENARIOS.md L1-L4, W1, W2).
 *
 * Roles: redis (1 node, model redis), storage (0..1, model storage), client
 * (1..N, run by the workload driver, which uses snx_lock_client).
 *
 * Parameters (`params:` in a scenario; defaults from DESIGN.md 4):
 *   ttl                 10s    the lock's validity (PX); none = no TTL
 *   acquire             set-nx-px | setnx-then-expire | get-then-set
 *   release             compare-and-delete | del
 *   retry.every         100ms  period of acquire attempts, from each attempt's start
 *   retry.max           -1     retries after the first attempt; -1 = unlimited
 *   lease_check         false  check the lease on the local monotonic clock
 *                              before each protected op
 *   fencing             false  a token per grant (INCR of a fence key in the
 *                              same atomic step as the SET); storage rejects stale ones
 *   fencing.first_token 1      the first token handed out (L4 uses 33)
 *   watchdog            false  Redisson: TTL = watchdog.timeout, renewed
 *                              every timeout/3 by compare-and-extend
 *   watchdog.timeout    30s    Redisson lockWatchdogTimeout
 *   timeout             50ms   per-request timeout to Redis
 */
#ifndef CCSIM_SETNX_LOCK_H
#define CCSIM_SETNX_LOCK_H

#include "protocols/lock/lock_api.h"
#include "sim/config.h"
#include "sim/env.h"

typedef enum {
    SNX_ACQ_SET_NX_PX = 0,        /* SET key val NX PX ttl: atomic */
    SNX_ACQ_SETNX_THEN_EXPIRE,    /* SETNX, then a separate PEXPIRE: a crash between leaks the key */
    SNX_ACQ_GET_THEN_SET          /* GET, then SET if absent: a check-then-act race */
} snx_acquire_mode;

typedef enum {
    SNX_REL_CAD = 0,              /* compare-and-delete (Lua): only our own value */
    SNX_REL_DEL                   /* plain DEL: may delete someone else's lock */
} snx_release_mode;

#define SNX_KEY        "lock"
#define SNX_FENCE_KEY  "lock:fence"

typedef struct snx_cfg {
    sim_time ttl_ns;              /* -1 = none */
    int acquire;                  /* snx_acquire_mode */
    int release;                  /* snx_release_mode */
    sim_time retry_every_ns;
    int64_t retry_max;            /* -1 = unlimited */
    bool lease_check;
    bool fencing;
    int64_t fencing_first_token;
    bool watchdog;
    sim_time watchdog_timeout_ns;
    sim_time timeout_ns;          /* per-request timeout to Redis */
} snx_cfg;

extern const lock_client_ops snx_lock_client;

#endif
