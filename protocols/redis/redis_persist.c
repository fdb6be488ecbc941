/* redis_persist.c -- what a Redis node keeps across a crash or a power
 * loss, and when it comes back (PROTOCOLS.md 2.4).
 *
 * Two copies of the keyspace: `keys`, the live one, and `disk`, the AOF as
 * of its last fsync.  Redis writes each command to the AOF (write(2), into
 * the kernel's page cache) before it replies, in the same event-loop turn,
 * so what the node has applied is always in the page cache; only the fsync
 * decides what a power loss leaves.  Two ways down (sim/env.h):
 *   process crash (`crash:`): the OS keeps the page cache, so with an AOF
 *             (everysec or always) nothing is lost: `disk` becomes the
 *             keyspace as it was, and the restart reads it all back;
 *   power loss (`power-loss:`): only `disk`, the last fsync, survives.
 * The modes:
 *   none      no AOF and no RDB (`--save ''`): the node restarts empty after
 *             either kind;
 *   everysec  as Redis's flushAppendOnlyFile (src/aof.c): after a write, the
 *             fsync runs (in a background thread) when the wall-clock second
 *             has changed since the last fsync (`server.unixtime >
 *             server.aof_last_fsync`); otherwise the write waits for the
 *             next event-loop turn in a later second: here, the next cron
 *             tick (serverCron, hz 10: every 100 ms of the node's monotonic
 *             clock from 1 ms after it started) at which the wall clock reads
 *             a later second than the last fsync.  The last fsync's second
 *             starts as the node's start (aof_last_fsync = time(NULL)).
 *   always    fsynced before the reply: nothing acknowledged is ever lost.
 * Decisions, and what is left out:
 *   - the wall clock decides, as in Redis: a node whose wall clock jumped
 *     back does not fsync until it reads a later second than its last fsync
 *     again (a power loss then loses more); a fast clock fsyncs sooner;
 *   - an fsync takes no time (no disk model), so Redis's postponing of the
 *     AOF write while the previous background fsync still runs (up to 2 s,
 *     aof_flush_postponed_start) never happens here; with a disk slower than
 *     a second per fsync a power loss would lose up to ~2 s more;
 *   - a read, like a write, ends an event-loop turn in Redis and can start
 *     the fsync; here only writes and cron ticks do, so an fsync may come up
 *     to 100 ms later than Redis's when only reads arrive meanwhile;
 *   - after a process crash, what was in the page cache counts as on disk
 *     (the kernel writes it back within seconds); a power loss right after
 *     such a restart, before that writeback, is not modelled.
 * Expiries are absolute (PEXPIREAT in the AOF): a key whose expiry passed
 * while the node was down is dropped when it is loaded, as an expiry.
 * restart_delay (antirez's "delayed restarts"): the restarted process does
 * not listen until the delay is over, so it takes part in no lock that was
 * live when it crashed.
 *
 * Invariant: disk holds no timers (timer == 0 in every slot); fsync_timer
 * is armed only with everysec while aof_dirty and running; a lock key the
 * crash destroys is recorded as LOCK_LOST (aux 1 when persistence was on
 * but the key was not yet fsynced: a power loss), one the disk keeps is not.
 * Trade-off: an fsync copies the whole keyspace (64 slots): O(N) per write
 * with `always`, which no benchmark uses.
 */
#include "protocols/redis/redis_int.h"

#include <string.h>

#include "protocols/lock/lock_api.h"

#define CRON_PERIOD_NS (100 * SIM_MS)    /* serverCron at hz 10, Redis's default */
#define CRON_FIRST_NS SIM_MS              /* its first run, 1 ms after start */

/* The whole second the wall clock reads (server.unixtime), rounding down
 * also before the epoch. */
static int64_t wall_second(const env *e) {
    sim_time w = env_now_wall(e);
    return w >= 0 ? w / SIM_S : -((-w + SIM_S - 1) / SIM_S);
}

/* The keyspace as it stands is on disk. */
static void disk_gets_keys(redis_node *r) {
    memcpy(r->disk, r->keys, sizeof r->disk);
    for (uint32_t i = 0; i < REDIS_KEYS_MAX; i++) r->disk[i].timer = 0;
}

static void fsync_now(redis_node *r, env *e) {
    SIM_ASSERT(r->cfg != NULL);
    SIM_ASSERT(r->cfg->persistence != REDIS_PERSIST_NONE);
    disk_gets_keys(r);
    r->aof_dirty = false;
    r->fsync_sec = wall_second(e);
}

/* The next cron tick after now, on the monotonic clock. */
static void cron_arm(redis_node *r, env *e) {
    SIM_ASSERT(r->fsync_timer == 0);
    SIM_ASSERT(r->cfg->persistence == REDIS_PERSIST_EVERYSEC);
    sim_time now = env_now_mono(e);
    sim_time next = r->cron_base;
    if (now >= next) next += ((now - next) / CRON_PERIOD_NS + 1) * CRON_PERIOD_NS;
    r->fsync_timer = env_timer(e, next - now, REDIS_TAG_FSYNC, 0);
}

/* The end of an event-loop turn with a write in the AOF's page cache:
 * fsync when the wall clock is in a later second than the last fsync,
 * else wait for a cron tick that is. */
static void everysec_check(redis_node *r, env *e) {
    SIM_ASSERT(r->aof_dirty);
    if (wall_second(e) > r->fsync_sec) {
        fsync_now(r, e);
        env_trace(e, "AOF fsynced (everysec): %u keys on disk", r->count);
        if (r->fsync_timer) env_timer_cancel(e, r->fsync_timer);
        r->fsync_timer = 0;
        return;
    }
    if (r->fsync_timer == 0) cron_arm(r, e);
}

void redis_persist_changed(redis_node *r, env *e) {
    SIM_ASSERT(r->cfg != NULL);
    SIM_ASSERT(env_self(e) >= 0);
    if (r->cfg->persistence == REDIS_PERSIST_ALWAYS) fsync_now(r, e);
    if (r->cfg->persistence != REDIS_PERSIST_EVERYSEC) return;
    r->aof_dirty = true;
    everysec_check(r, e);
}

void redis_persist_on_fsync_timer(redis_node *r, env *e) {
    SIM_ASSERT(r->phase == REDIS_PHASE_RUNNING);
    SIM_ASSERT(r->aof_dirty);                   /* armed only while dirty */
    r->fsync_timer = 0;
    everysec_check(r, e);
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
    r->phase = REDIS_PHASE_RUNNING;
    uint32_t loaded = load_disk(r, e);
    r->aof_dirty = false;                         /* what it loaded is the AOF */
    r->fsync_sec = wall_second(e);                /* aof_last_fsync = time(NULL) */
    r->cron_base = env_now_mono(e) + CRON_FIRST_NS;
    if (r->crashes == 0) return;
    if (r->cfg->persistence == REDIS_PERSIST_NONE)
        env_trace(e, "redis restarted with an empty keyspace (persistence none)");
    else
        env_trace(e, "redis restarted: %u keys read back from the AOF, %u still live", loaded,
                  r->count);
}

/* The lock keys the crash destroys: every live one without persistence,
 * the ones not (or not with this value) on disk with it: after a power
 * loss, the ones written since the last fsync. */
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
                  persisted ? "not yet fsynced (power loss)" : "no persistence");
    }
}

void redis_persist_on_crash(redis_node *r, env *e) {
    SIM_ASSERT(env_self(e) >= 0);
    if (r->cfg == NULL) return;                   /* crashed before it ever started */
    bool page_cache_kept = r->cfg->persistence != REDIS_PERSIST_NONE &&
                           !env_crash_is_power_loss(e);
    if (page_cache_kept && r->phase == REDIS_PHASE_RUNNING) disk_gets_keys(r);
    if (r->phase == REDIS_PHASE_RUNNING) record_losses(r, e);
    if (r->phase == REDIS_PHASE_RUNNING && r->cfg->persistence != REDIS_PERSIST_NONE)
        env_trace(e, "redis %s: the AOF keeps %s", page_cache_kept ? "process crashed" :
                  "lost power", page_cache_kept ? "every write (the OS kept its page cache)" :
                  "what was fsynced");
    memset(r->keys, 0, sizeof r->keys);
    r->used_bits = 0;
    r->count = 0;
    r->fsync_timer = 0;                           /* the engine cancelled it */
    r->aof_dirty = false;
    r->phase = REDIS_PHASE_DOWN;
    r->crashes++;
    SIM_ASSERT(redis_invariants_ok(r));
}

void redis_persist_on_restart(redis_node *r, env *e) {
    SIM_ASSERT(r->cfg != NULL);
    SIM_ASSERT(r->phase == REDIS_PHASE_DOWN);
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
