/* lock_api.h -- what a lock client library offers a workload driver.
 *
 * A lock protocol (setnx-lock today; redlock and lease-lock later) provides
 * a lock_client_ops.  The workload (lock-counter) embeds the client's state,
 * calls acquire/release, and learns outcomes through the two callbacks it
 * registers in lock_client_hooks.  Message types and timer tags of lock
 * clients live in [LOCK_TAG_MIN, LOCK_TAG_MAX]; a workload's own timers use
 * tags below LOCK_TAG_MIN, so on_timer/on_message can say "not mine".
 */
#ifndef CCSIM_LOCK_API_H
#define CCSIM_LOCK_API_H

#include "sim/env.h"

#define LOCK_TAG_MIN 1000u
#define LOCK_TAG_MAX 1999u

/* The most bytes a lock client's state may take: a workload driver embeds
 * it in its own state (model_ops.state_size is fixed), so no allocation
 * outlives a run.  lock_client_ops.state_size <= LOCK_CLIENT_STATE_MAX. */
#define LOCK_CLIENT_STATE_MAX 1024u

/* `why` strings that start with this mean "no reply in time: the outcome is
 * unknown" (the workload completes the op as info, not fail). */
#define LOCK_WHY_TIMEOUT "timeout"

typedef struct lock_client_hooks {
    void *owner;
    /* ok: the lock is ours; token: fencing token (0 when fencing is off);
     * valid_until_mono: the end of the lease on our monotonic clock
     * (SIM_TIME_NEVER when the lock has no TTL). */
    void (*acquired)(void *owner, env *e, bool ok, int64_t token, sim_time valid_until_mono,
                     const char *why);
    /* ok: the service released OUR key; !ok: it was gone or someone else's. */
    void (*released)(void *owner, env *e, bool ok, const char *why);
} lock_client_hooks;

typedef struct lock_client_ops {
    const char *name;
    size_t state_size;
    void (*init)(void *lc, env *e, const lock_client_hooks *hooks);
    void (*acquire)(void *lc, env *e);
    void (*release)(void *lc, env *e);
    /* True when the message/timer was the lock client's and was consumed. */
    bool (*on_message)(void *lc, env *e, node_id from, uint32_t type, const void *body, uint32_t len);
    bool (*on_timer)(void *lc, env *e, uint32_t tag, uint64_t arg);
    void (*on_crash)(void *lc, env *e);
    /* The lease check a careful client does before touching the resource:
     * true while our local clock says the lock is still ours. */
    bool (*still_valid)(const void *lc, const env *e);
} lock_client_ops;

/* ---- the lock vocabulary of the history (hist.h; kinds 1000-1019) ----
 *
 * A lock workload records, per client iteration:
 *   op ACQUIRE (value_out = fencing token or 0, epoch = the lock epoch on ok)
 *   op READ    (value_out = the counter read; epoch, token carried)
 *   op WRITE   (value_in = read + 1; ok = storage accepted it; fail with
 *               note "stale token" when fencing rejected it; info on timeout)
 *   op RELEASE (ok = the lock service deleted our key; fail = it was not ours)
 * and the storage node records HIST_EFF_READ / WRITE (applied) and REJECT
 * (a fenced write refused), each with the epoch and token the request
 * carried.  Epochs number successful acquisitions 1, 2, 3... in the
 * true-time order in which the clients learned of them (env_new_epoch).
 *
 * A lock service records LOCK_* for its keys (client = the node that set
 * it, value = the expiry on its TTL clock in ns, or -1 for none); a lock
 * client granted a lease records LEASE at its own node (client = itself,
 * value = the validity left by its clock in ns, aux = the lease's end on
 * its monotonic clock): what the client believed, next to what the
 * service held. */
enum {
    HIST_F_ACQUIRE = 1000,
    HIST_F_RELEASE = 1001,
    HIST_EFF_LOCK_SET = 1002,     /* the service granted a key */
    HIST_EFF_LOCK_EXTEND = 1003,
    HIST_EFF_LOCK_DEL = 1004,     /* a client deleted the key */
    HIST_EFF_LOCK_EXPIRE = 1005,  /* the key expired by the node's clock */
    HIST_EFF_LOCK_LOST = 1006,    /* lost by a crash; aux 1 = it had persistence but the
                                     key was not yet fsynced, else 0 */
    HIST_EFF_LEASE = 1007,        /* a client's lease at its grant (Redlock validity) */
};

/* LOCK_EXPIRE's aux: 0 = the key expired by its node's clock (a TTL, a
 * session's timeout); > 0 = the holder's database connection ended and its
 * lock with it (advisory-lock), and why: */
enum {
    LOCK_CONN_IDLE_SESSION = 1,   /* idle_session_timeout */
    LOCK_CONN_IDLE_IN_TXN = 2,    /* idle_in_transaction_session_timeout */
    LOCK_CONN_KEEPALIVE = 3,      /* TCP keepalive probes unanswered */
    LOCK_CONN_USER_TIMEOUT = 4,   /* tcp_user_timeout */
    LOCK_CONN_CLIENT_DIED = 5,    /* the client's process died: its kernel closed the socket */
};

static inline const char *lock_conn_end_name(int64_t aux) {
    switch (aux) {
    case LOCK_CONN_IDLE_SESSION: return "idle-session timeout";
    case LOCK_CONN_IDLE_IN_TXN: return "idle-in-transaction timeout";
    case LOCK_CONN_KEEPALIVE: return "TCP keepalive: no answer to its probes";
    case LOCK_CONN_USER_TIMEOUT: return "tcp_user_timeout";
    case LOCK_CONN_CLIENT_DIED: return "the client died and its kernel closed the socket";
    default: return "the connection ended";
    }
}

/* A lock service's effect on one of its keys (LOCK_SET ... LOCK_LOST). */
static inline bool lock_is_key_effect(hist_eff_kind k) {
    return k == HIST_EFF_LOCK_SET || k == HIST_EFF_LOCK_EXTEND || k == HIST_EFF_LOCK_DEL ||
           k == HIST_EFF_LOCK_EXPIRE || k == HIST_EFF_LOCK_LOST;
}

#endif
