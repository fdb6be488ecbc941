/* redlock.h -- the `redlock` protocol: N independent Redis masters and the
 * client library of the Redlock algorithm, as specified on redis.io and as
 * its reference implementations behave (DESIGN.md 4, PROTOCOLS.md 2,
 * SCENARIOS.md R1-R7 and L5).
 *
 * Roles: redis (1..RL_NODES_MAX masters, model redis), replica (0..N, the
 * async replica of the master with the same index), sentinel (0..1, promotes
 * a replica when its master is down), storage (0..1, the protected
 * counter), client (1..N, run by the workload driver with rl_lock_client).
 *
 * One acquire attempt (redlock-rb's lock_instance loop):
 *   1. T1 = the client's monotonic clock;
 *   2. SET lock <value> NX PX ttl on every master: one after the other
 *      (`sequential`, redlock-rb/py) or all at once (`parallel`,
 *      node-redlock, redsync); each request gets `timeout` (50 ms) before it
 *      counts as failed; with `wait.replicas` > 0 a node counts only when
 *      WAIT wait.replicas wait.timeout also confirms it;
 *   3. elapsed = now - T1; drift = floor(ttl * drift_factor) + drift_extra;
 *      validity = ttl - elapsed - drift; valid_until = T1 + ttl - drift;
 *   4. acquired iff locked >= quorum (N/2+1 unless `quorum` says) and, with
 *      `recheck` (every implementation but node-redlock v5's acquire()),
 *      validity > 0;
 *   5. otherwise compare-and-delete on EVERY master, then sleep a random
 *      delay and try again, up to the retry profile's attempts.
 * Release: compare-and-delete on every master.  Extension (`extend.every`):
 * compare-and-extend (PEXPIRE ttl if the value is ours) on every master; it
 * counts only if a quorum extended it within the new validity.
 *
 * Retry profiles (`retry`), delay uniform in whole ms over [d - j, d + j):
 *   redlock-rb    3 attempts, d 100 j 100 (rand(200): 0..199 ms), sleeps after the last too
 *   redlock-py    3 attempts, d 200 j 0 (fixed 200 ms), sleeps after the last too
 *   node-redlock  11 attempts (retryCount 10), d 200 j 100 (100..299 ms)
 *   redsync       32 tries, d 150 j 100 (50..249 ms)
 *   custom        retry.attempts, retry.delay, retry.jitter
 * retry.attempts (-1 = unlimited), retry.delay and retry.jitter override the
 * profile's values when given.
 */
#ifndef CCSIM_REDLOCK_H
#define CCSIM_REDLOCK_H

#include "protocols/lock/lock_api.h"
#include "protocols/redis/redis.h"
#include "sim/config.h"
#include "sim/env.h"

#define RL_NODES_MAX 15           /* masters one client talks to */
#define RL_KEY       "lock"
#define RL_FENCE_KEY "lock:fence"

typedef enum { RL_SEQUENTIAL = 0, RL_PARALLEL } rl_mode;

typedef enum {
    RL_RETRY_REDLOCK_RB = 0, RL_RETRY_REDLOCK_PY, RL_RETRY_NODE_REDLOCK, RL_RETRY_REDSYNC,
    RL_RETRY_CUSTOM
} rl_retry_profile;

typedef struct rl_cfg {
    sim_time ttl_ns;
    int mode;                     /* rl_mode */
    sim_time timeout_ns;          /* per node and request */
    uint32_t drift_factor_ppm;    /* 1% = 10000 */
    sim_time drift_extra_ns;      /* redlock-rb's + 2 ms */
    int64_t quorum;               /* 0 = N/2 + 1 */
    int retry;                    /* rl_retry_profile */
    int64_t retry_attempts;       /* 0 = the profile's, -1 = unlimited */
    sim_time retry_delay_ns;      /* -1 = the profile's */
    sim_time retry_jitter_ns;     /* -1 = the profile's (0 when retry.delay is given) */
    bool recheck;                 /* validity > 0 required (false = node-redlock v5) */
    bool lease_check;             /* the workload checks the validity before each op */
    bool fencing;                 /* a per-node fence counter; token = the highest returned */
    sim_time extend_every_ns;     /* -1 = no extension */
    int64_t extend_max;           /* extensions per hold, -1 = unlimited */
    int64_t wait_replicas;        /* WAIT numreplicas after each SET; 0 = no WAIT */
    sim_time wait_timeout_ns;
    redis_cfg redis;              /* the nodes' settings (redis.*) */
} rl_cfg;

/* The retry settings a cfg resolves to. */
typedef struct rl_retry {
    int64_t attempts;             /* -1 = unlimited */
    sim_time delay_ns, jitter_ns;
    bool sleep_after_last;        /* redlock-rb/py sleep after the last failed attempt too */
} rl_retry;

void rl_retry_of(const rl_cfg *cfg, rl_retry *out);
/* floor(ttl_ms * drift_factor) ms + drift_extra, as the implementations round. */
sim_time rl_drift_ns(const rl_cfg *cfg);

extern const lock_client_ops rl_lock_client;

#endif
