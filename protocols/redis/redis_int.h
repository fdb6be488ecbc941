/* redis_int.h -- what the Redis node's files share (not an interface).
 *
 * redis.c (keyspace, commands, the model), redis_persist.c (AOF fsync,
 * crash, delayed restart), redis_repl.c (replication, WAIT) and
 * redis_describe.c (trace lines) all work on one redis_node.  The Sentinel
 * (redis_sentinel.c) is its own model and only needs the message structs of
 * redis.h.
 *
 * Invariant (redis_invariants_ok, in redis.c): `used_bits` names exactly the
 * used slots and `count` is how many there are; used keys are unique and non-empty; a used key has an expiry
 * timer exactly when it has an expiry and the node is running; a replica
 * has a master; parked WAITs <= REDIS_WAITS_MAX.
 */
#ifndef CCSIM_REDIS_INT_H
#define CCSIM_REDIS_INT_H

#include "protocols/redis/redis.h"

/* Timer tags of the node (private to the model). */
enum { REDIS_TAG_EXPIRE = 1, REDIS_TAG_FSYNC = 2, REDIS_TAG_STARTED = 3, REDIS_TAG_WAIT = 4,
       REDIS_TAG_REPL = 5 };

#define REDIS_WAITS_MAX 16        /* WAIT commands parked at once */
#define REDIS_REPL_QUEUE_MAX 64   /* writes waiting in the replication buffer */

typedef enum {
    REDIS_PHASE_DOWN = 0,         /* crashed (or never started) */
    REDIS_PHASE_STARTING,         /* restarted, inside restart_delay: not listening */
    REDIS_PHASE_RUNNING
} redis_phase;

typedef struct redis_key {
    bool used;
    bool is_lock;                 /* written by SET/SETNX: effects are recorded */
    char key[SIM_NAME_MAX];
    char val[REDIS_VALUE_MAX];
    sim_time expire_at;           /* first TTL-clock instant absent (redis.h); NEVER: no TTL */
    timer_id timer;               /* the expiry timer, 0 = none */
    int32_t setter;               /* node that last set it */
} redis_key;

typedef struct redis_wait {
    bool used;
    node_id from;
    redis_cmd cmd;                /* the WAIT command (req, count = numreplicas) */
    uint64_t offset;              /* replication offset it waits for */
    timer_id timer;               /* its timeout, 0 = blocks forever */
} redis_wait;

typedef struct redis_node {
    const redis_cfg *cfg;         /* the protocol's settings, or the defaults */
    redis_phase phase;
    bool replica;                 /* role `replica` and not yet promoted */
    node_id peer;                 /* master: its replica (-1 none); replica: its master */
    redis_key keys[REDIS_KEYS_MAX];
    uint64_t used_bits;           /* bit i = keys[i].used: lookups visit used slots only */
    uint32_t count;
    uint64_t commands;            /* applied, for the trace */
    /* persistence (redis_persist.c): the fsynced keyspace survives a crash */
    redis_key disk[REDIS_KEYS_MAX];
    timer_id fsync_timer;         /* everysec: the next cron tick while aof_dirty */
    bool aof_dirty;               /* everysec: written (page cache) since the last fsync */
    int64_t fsync_sec;            /* everysec: the wall-clock second of the last fsync */
    sim_time cron_base;           /* the monotonic time of the first cron tick */
    uint32_t crashes;
    /* replication (redis_repl.c) */
    uint64_t repl_offset;         /* master: writes shipped; replica: writes applied */
    uint64_t acked_offset;        /* master: the replica's last acknowledged offset */
    redis_wait waits[REDIS_WAITS_MAX];
    /* master: the writes on the slow link (`lag`), sent when due; replica:
     * the writes a dead master's kernel still delivers, applied when due */
    redis_repl queue[REDIS_REPL_QUEUE_MAX];
    sim_time queue_due[REDIS_REPL_QUEUE_MAX]; /* monotonic time each one is due */
    uint32_t queue_head, queue_count;
    timer_id queue_timer;
    bool peer_down;               /* master: its replica's link is closed (it crashed) */
    node_id writer;               /* the client whose command runs now, -1 = none */
    uint64_t woff[SIM_NODES_MAX]; /* master: offset after each client's last write */
} redis_node;

/* ---- redis.c: the keyspace ---- */
bool redis_invariants_ok(const redis_node *r);
/* The TTL clock's reading: the wall clock (as Redis) or the monotonic one. */
sim_time redis_ttl_now(const redis_node *r, const env *e);
/* A TTL-clock reading in whole milliseconds, rounded down. */
int64_t redis_ms_floor(sim_time t);
/* Whether Redis accepts a TTL of `ms` at TTL-clock reading `now` (no overflow). */
bool redis_expire_ms_valid(sim_time now, int64_t ms);
/* The first TTL-clock instant at which a key given a TTL of ms > 0 at
 * reading `now` is absent: (floor(now in ms) + ms + 1) ms. */
sim_time redis_expiry_after(sim_time now, int64_t ms);
/* Arms the expiry timer of a used key that has an expiry. */
void redis_key_arm(redis_node *r, env *e, redis_key *k);
/* The live key (expired ones are dropped first), or NULL. */
redis_key *redis_key_find(redis_node *r, env *e, const char *key);
/* A new empty key (no TTL), or NULL when the keyspace is full. */
redis_key *redis_key_new(redis_node *r, const char *key);
void redis_key_free(redis_node *r, env *e, redis_key *k);
/* Sets or clears (SIM_TIME_NEVER) the key's expiry, and its timer. */
void redis_key_set_expiry(redis_node *r, env *e, redis_key *k, sim_time expire_at);
/* Drops a key that has expired by the TTL clock (an effect, if a lock key). */
void redis_expire_due(redis_node *r, env *e, redis_key *k);
void redis_lock_effect(const redis_node *r, env *e, hist_eff_kind kind, const redis_key *k,
                       int32_t client, int64_t token, int64_t aux);
void redis_copy_str(char *dst, size_t cap, const char *src);

/* ---- redis_describe.c ---- */

/* ---- redis_log.c: the command log (`ccsim run --emit redis`, docs/redis-log.md) ----
 * Each hook is one line where the node does the thing, and does nothing
 * unless the run records the log (env_side_log_on). */
#define REDIS_LOG_LINE_MAX 2048   /* bytes of one record's fields */
/* model_ops.side_log_head: the log's title and scenario lines (first node
 * only) and this node's `# node` line. */
void redis_log_head(env *e, const env_side_log_run *run);
/* `cmd`: the command c from `from` was applied and answered p. */
void redis_log_cmd(env *e, node_id from, const redis_cmd *c, const redis_reply *p);
/* `block`: the WAIT c from `from` is parked. */
void redis_log_block(env *e, node_id from, const redis_cmd *c);
/* WAIT answered n: at once (`cmd`), or after it was parked (`reply`). */
void redis_log_wait_answer(env *e, node_id from, const redis_cmd *c, int64_t n, bool parked);
/* `expire`: the used key k is gone to readers from now on. */
void redis_log_expire(env *e, const redis_key *k);
/* `crash` (a process kill) or `power-loss` (the host's power). */
void redis_log_crash(const redis_node *r, env *e, bool power_loss);
void redis_log_restart(const redis_node *r, env *e);
/* `listening`: the end of restart_delay. */
void redis_log_listening(env *e);
/* `promote`: the replica is a master now, at its replication offset. */
void redis_log_promote(const redis_node *r, env *e);
/* For tests: the fields of a command (ARG0 ARG1 ..., escaped,
 * TAB-separated) and of its reply, as the log writes them. */
void redis_log_render_cmd(const redis_cmd *c, char *buf, size_t cap);
void redis_log_render_reply(const redis_cmd *c, const redis_reply *p, char *buf, size_t cap);

/* ---- redis_persist.c ---- */
/* After a change to the keyspace: `always` fsyncs it at once. */
void redis_persist_changed(redis_node *r, env *e);
/* The node starts (init, or the end of restart_delay): loads what is on
 * disk, arms the expiry and fsync timers. */
void redis_persist_start(redis_node *r, env *e);
void redis_persist_on_fsync_timer(redis_node *r, env *e);
void redis_persist_on_crash(redis_node *r, env *e);
void redis_persist_on_restart(redis_node *r, env *e);

/* ---- redis_repl.c ---- */
/* Master side: ship the key's new state (k NULL = deleted `key`). */
void redis_repl_ship(redis_node *r, env *e, const char *key, const redis_key *k);
/* Replica side: one replicated write; master side: an acknowledgement. */
void redis_repl_on_write(redis_node *r, env *e, node_id from, const redis_repl *w);
void redis_repl_on_ack(redis_node *r, env *e, node_id from, const redis_repl_ack *a);
void redis_repl_on_promote(redis_node *r, env *e, node_id from);
/* WAIT numreplicas timeout: answers now, or parks until acks or the timeout. */
void redis_repl_wait(redis_node *r, env *e, node_id from, const redis_cmd *c);
void redis_repl_on_wait_timer(redis_node *r, env *e, uint64_t arg);
/* The link's timer: ships (master) or applies (replica) the writes due. */
void redis_repl_on_queue_timer(redis_node *r, env *e);
/* Pairs the node with its replica / master by index within its role. */
void redis_repl_setup(redis_node *r, env *e);
/* Other replication / Sentinel messages (INFO, LINK_DOWN); false = not one. */
bool redis_repl_on_message(redis_node *r, env *e, node_id from, uint32_t type, const void *body,
                           uint32_t len);
/* power_loss: the host died too (its kernel's buffers and FINs are lost). */
void redis_repl_on_crash(redis_node *r, env *e, bool power_loss);

#endif
