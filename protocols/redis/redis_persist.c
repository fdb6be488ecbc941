/* redis_persist.c -- what a Redis node keeps across a crash, and when it
 * comes back (PROTOCOLS.md 2.4).
 *
 * The AOF is modelled as `disk`, a copy of the keyspace as of the last
 * fsync.  A crash fault is a power loss: the volatile keyspace is gone and
 * the node comes back with `disk`.
 *   none      nothing is ever fsynced: the node restarts empty;
 *   everysec  the keyspace is fsynced at every whole second of the node's
 *             monotonic clock (appendfsync everysec): a crash loses the
 *             writes made since the last whole second;
 *   always    fsynced after every write: a crash loses nothing.
 * Expiries are absolute (PEXPIREAT in the AOF): a key whose expiry passed
 * while the node was down is dropped when it is loaded, as an expiry.
 * restart_delay (antirez's "delayed restarts"): the restarted process does
 * not listen until the delay is over, so it takes part in no lock that was
 * live when it crashed.
 *
 * Invariant: disk holds no timers (timer == 0 in every slot); a lock key
 * the crash destroys is recorded as LOCK_LOST (aux 1 when persistence was
 * on but the key was not yet fsynced), one the disk keeps is not.
 * Trade-off: an fsync copies the whole keyspace (64 slots): O(N) per write
 * with `always`, which no benchmark uses.
 */
#include "protocols/redis/redis_int.h"

#include <string.h>

#include "protocols/lock/lock_api.h"

static void fsync_now(redis_node *r) {
    SIM_ASSERT(r->cfg != NULL);
    SIM_ASSERT(r->cfg->persistence != REDIS_PERSIST_NONE);
    memcpy(r->disk, r->keys, sizeof r->disk);
    for (uint32_t i = 0; i < REDIS_KEYS_MAX; i++) r->disk[i].timer = 0;
}

void redis_persist_changed(redis_node *r, env *e) {
    SIM_ASSERT(r->cfg != NULL);
    SIM_ASSERT(env_self(e) >= 0);
    if (r->cfg->persistence == REDIS_PERSIST_ALWAYS) fsync_now(r);
}

/* The next fsync at the next whole second of the monotonic clock. */
static void fsync_schedule(redis_node *r, env *e) {
    SIM_ASSERT(r->fsync_timer == 0);
    SIM_ASSERT(r->cfg->persistence == REDIS_PERSIST_EVERYSEC);
    sim_time now = env_now_mono(e);
    sim_time next = (now / SIM_S + 1) * SIM_S;
    r->fsync_timer = env_timer(e, next - now, REDIS_TAG_FSYNC, 0);
}

void redis_persist_on_fsync_timer(redis_node *r, env *e) {
    SIM_ASSERT(r->phase == REDIS_PHASE_RUNNING);
    r->fsync_timer = 0;
    fsync_now(r);
    fsync_schedule(r, e);
}

/* Loads the fsynced keyspace: keys whose expiry passed meanwhile go, as
 * expiries; the others get their timers back. */
static uint32_t load_disk(redis_node *r, env *e) {
    uint32_t loaded = 0;
    for (uint32_t i = 0; i < REDIS_KEYS_MAX; i++) {
        if (!r->disk[i].used) continue;
        r->keys[i] = r->disk[i];
        r->keys[i].timer = 0;
        r->used_bits |= (uint64_t)1 << i;
        r->count++;
        loaded++;
    }
    for (uint32_t i = 0; i < REDIS_KEYS_MAX; i++) {
        redis_key *k = &r->keys[i];
        if (!k->used) continue;
        redis_expire_due(r, e, k);
        if (k->used) redis_key_arm(r, e, k);
    }
    return loaded;
}

void redis_persist_start(redis_node *r, env *e) {
    SIM_ASSERT(r->cfg != NULL);
    SIM_ASSERT(r->count == 0);
    if (r->phase == REDIS_PHASE_STARTING) redis_log_listening(e);
    r->phase = REDIS_PHASE_RUNNING;
    uint32_t loaded = load_disk(r, e);
    if (r->cfg->persistence == REDIS_PERSIST_EVERYSEC) fsync_schedule(r, e);
    if (r->crashes == 0) return;
    if (r->cfg->persistence == REDIS_PERSIST_NONE)
        env_trace(e, "redis restarted with an empty keyspace (persistence none)");
    else
        env_trace(e, "redis restarted: %u keys read back from the AOF, %u still live", loaded,
                  r->count);
}

/* The lock keys the crash destroys: every live one without persistence,
 * the ones not (or not with this value) on disk with it. */
static void record_losses(redis_node *r, env *e) {
    sim_time now = redis_ttl_now(r, e);
    bool persisted = r->cfg->persistence != REDIS_PERSIST_NONE;
    for (uint32_t i = 0; i < REDIS_KEYS_MAX; i++) {
        const redis_key *k = &r->keys[i];
        if (!k->used || !k->is_lock || now >= k->expire_at) continue;
        const redis_key *d = &r->disk[i];
        bool kept = persisted && d->used && strcmp(d->key, k->key) == 0 &&
                    strcmp(d->val, k->val) == 0;
        if (kept) continue;
        redis_lock_effect(r, e, HIST_EFF_LOCK_LOST, k, k->setter, 0, persisted ? 1 : 0);
        env_trace(e, "key '%s' (value %s) lost: %s", k->key, k->val,
                  persisted ? "not yet fsynced" : "no persistence");
    }
}

void redis_persist_on_crash(redis_node *r, env *e) {
    SIM_ASSERT(env_self(e) >= 0);
    if (r->cfg == NULL) return;                   /* crashed before it ever started */
    redis_log_crash(r, e, false);
    if (r->phase == REDIS_PHASE_RUNNING) record_losses(r, e);
    memset(r->keys, 0, sizeof r->keys);
    r->used_bits = 0;
    r->count = 0;
    r->fsync_timer = 0;                           /* the engine cancelled it */
    r->phase = REDIS_PHASE_DOWN;
    r->crashes++;
    SIM_ASSERT(redis_invariants_ok(r));
}

void redis_persist_on_restart(redis_node *r, env *e) {
    SIM_ASSERT(r->cfg != NULL);
    SIM_ASSERT(r->phase == REDIS_PHASE_DOWN);
    redis_log_restart(r, e);
    if (r->crashes == 0) r->crashes = 1;          /* never started: a restart all the same */
    if (r->cfg->restart_delay_ns <= 0) {
        redis_persist_start(r, e);
        return;
    }
    r->phase = REDIS_PHASE_STARTING;
    env_timer(e, r->cfg->restart_delay_ns, REDIS_TAG_STARTED, 0);
    char d[32];
    sim_fmt_time(d, sizeof d, r->cfg->restart_delay_ns);
    env_trace(e, "redis restarting: not listening for %s (restart_delay)", d);
}
