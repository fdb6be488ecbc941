/* redis.h -- a Redis node: a small keyspace with expiry on the node's LOCAL
 * clock, the commands lock clients use, persistence, replication, and a
 * Sentinel that promotes a replica, all as messages.
 *
 * Semantics (PROTOCOLS.md 1.2-1.3 and 2.4, SCENARIOS.md 0), as Redis 7.0:
 *   - expiry.  Redis reads its TTL clock in whole milliseconds (mstime(),
 *     rounded down), sets when = mstime() + PX (SET PX, PEXPIRE and the
 *     extend script alike), and a key is expired only when mstime() > when
 *     (keyIsExpired in src/db.c).  So a key set at TTL-clock reading L (ns)
 *     with PX p is there through the whole millisecond floor(L / 1 ms) + p
 *     and absent from the instant (floor(L / 1 ms) + p + 1) ms exactly.
 *     The floor is taken below zero too (a wall clock jumped back reads
 *     negative), which is what mstime() gives for any clock after 1970;
 *   - `expire_at` (redis_key, redis_repl) and the `value` of lock effects is
 *     that instant: the FIRST TTL-clock reading at which the key is absent
 *     (Redis's when + 1 ms; SIM_TIME_NEVER / -1 = no TTL).  Every command
 *     checks it lazily (absent when the TTL clock reads >= expire_at), and
 *     a timer at expire_at (re-planned by the engine when the clock jumps)
 *     drops the key and records HIST_EFF_LOCK_EXPIRE then: so the recorded
 *     expiry is when the key becomes absent to readers.  Real Redis's active
 *     expire cycle deletes an untouched key 2-103 ms later (hz 10); no
 *     command of the model can tell the difference, so that delay is not
 *     modelled.  A clock jump forward expires keys at once, as in Redis.
 *     The TTL clock is the node's WALL clock (`redis.ttl_clock: wall`, as
 *     Redis does) or its monotonic clock (`monotonic`: antirez's proposed
 *     fix, immune to jumps);
 *   - `PEXPIRE key ms` with ms <= 0 (and the extend script with ms <= 0 when
 *     the value matches) deletes the key and answers 1 (0 when absent);
 *     `SET ... PX ms` with ms <= 0 answers "ERR invalid expire time in 'set'
 *     command" and changes nothing; a write to a replica answers READONLY,
 *     except a script (CAD, CAE) whose value does not match, which answers
 *     0 without writing.  Error texts: the REDIS_ERR_* below;
 *   - every command is applied atomically when its message is delivered
 *     (processing time 0), and answered with one reply;
 *   - persistence (`redis.persistence`): `none` loses the whole keyspace in
 *     a crash or a power loss; with `everysec` and `always` every write is
 *     in the AOF (the OS's page cache) before the reply, so a process crash
 *     loses nothing and a power loss brings back what was last fsynced:
 *     `everysec` fsyncs at a write or cron tick in a later wall-clock second
 *     than the last fsync (redis_persist.c), `always` before every reply.
 *     Expiries are absolute, so time "elapses" while the node is down;
 *   - `redis.restart_delay` (antirez's delayed restart): a restart brings the
 *     node back only after the delay; until then it does not answer at all;
 *   - replication: a node of role `replica` is the asynchronous replica of
 *     the `redis` node with the same index (replica1 of redis1...).  On
 *     loopback a master writes to the replica's socket before it answers
 *     the client, and the replica has the write ~0.2 ms later: the model
 *     sends it at once.  `redis.replication.lag` stands for a slow or cut
 *     link: the write is already in the master HOST's kernel and reaches
 *     the replica `lag` later.  A process crash of the master (`crash`)
 *     does not lose it (the kernel still delivers it, then closes the
 *     socket); a power loss (`power-loss`) does.  The replica applies the
 *     write and acknowledges the offset;
 *   - `WAIT n timeout` waits only for the calling client's own last write
 *     (Redis's c->woff) and counts only connected replicas (a replica whose
 *     process crashed has closed its link); its timeout runs on the node's
 *     wall clock and fires at the node's next serverCron tick (hz 10: every
 *     100 ms from 1 ms after its start), so up to 100 ms late, as measured
 *     on redis-server 7.0;
 *   - a node of role `sentinel` follows Redis 7.0's sentinel.c on its wall
 *     clock, ticking at a random 10-19 Hz (from its own stream): it pings
 *     each master with a replica every min(down-after, 1 s) (or
 *     `redis.sentinel.ping`); the master is +sdown when the oldest
 *     unanswered ping (after a process crash: the reconnect attempt at the
 *     next tick) is more than `redis.sentinel.down_after` old, then +odown and
 *     +try-failover in the same tick (one Sentinel: quorum 1, elected at
 *     once); it sends REPLICAOF NO ONE two ticks later, sees the promotion
 *     by INFO (every 1 s while the master is down) and announces
 *     +switch-master to every client one tick after that.  A clock jump
 *     (or pause) of more than 2 s between two ticks puts it in TILT for 30 s:
 *     it still pings but does not act.
 *     One Sentinel: the quorum of several Sentinels is not modelled.
 *
 * Lock keys.  Keys written by SET / SETNX are "lock keys": their grant,
 * extension, deletion, expiry and loss are recorded as HIST_EFF_LOCK_*
 * effects (client = the node that sent the command, value = the expiry on
 * the TTL clock in ns, or -1 for no TTL) by masters; a replica records none
 * until it is promoted.  Keys written by INCR (the fence counter) are not.
 *
 * Settings.  A protocol that runs redis nodes with these settings embeds a
 * redis_cfg in its cfg struct, lists REDIS_PARAM_SPECS(offset of it) in
 * its param table, and names it as the `config` of its redis, replica and
 * sentinel roles (family.h), so the node reads it through env_config().
 * Without them (setnx-lock) the node uses the defaults: persistence none,
 * no restart delay, wall-clock TTL.
 *
 * Bounds: REDIS_KEYS_MAX keys; a write that needs a new key when the
 * keyspace is full gets REDIS_ERR_KEYSPACE_FULL (ccsim only: Redis has no
 * such bound) and changes nothing.  An expiry past the ns range of
 * sim_time (292 years) is clamped to its last millisecond.
 */
#ifndef CCSIM_REDIS_H
#define CCSIM_REDIS_H

#include "sim/env.h"

/* Message types.  They lie inside lock_api.h's [LOCK_TAG_MIN, LOCK_TAG_MAX]
 * so a lock workload hands replies (and +switch-master) to its lock client. */
#define REDIS_MSG_CMD    1100u    /* client -> node: redis_cmd */
#define REDIS_MSG_REPLY  1101u    /* node -> client: redis_reply */
#define REDIS_MSG_REPL   1102u    /* master -> replica: redis_repl */
#define REDIS_MSG_ACK    1103u    /* replica -> master: redis_repl_ack (REPLCONF ACK) */
#define REDIS_MSG_PING   1104u    /* sentinel -> node: redis_ping */
#define REDIS_MSG_PONG   1105u    /* node -> sentinel: redis_ping */
#define REDIS_MSG_PROMOTE 1106u   /* sentinel -> replica: REPLICAOF NO ONE (redis_switch) */
#define REDIS_MSG_SWITCH 1107u    /* sentinel -> clients: +switch-master (redis_switch) */
#define REDIS_MSG_INFO   1108u    /* sentinel -> replica: INFO replication (redis_ping) */
#define REDIS_MSG_INFO_REPLY 1109u /* replica -> sentinel: its role (redis_ping.master) */
/* A process that died: its kernel closes its connections (FIN) to the
 * sentinels and its master / replica (redis_ping, seq 0).  Not sent on a
 * power loss. */
#define REDIS_MSG_LINK_DOWN 1110u

#define REDIS_KEYS_MAX   64
#define REDIS_VALUE_MAX  32      /* bytes of a value, including the NUL */
#define REDIS_ERR_MAX    64      /* bytes of an error reply, including the NUL */

/* The error replies of the model, as Redis 7.0 writes them.  A script's
 * error (CAD, CAE, the fenced SET) is the text of the command that failed
 * inside it; Redis 7.0 appends " script: SHA1, on @user_script:1." (the
 * SHA1 of the script's body), which the model leaves off. */
#define REDIS_ERR_SET_EXPIRE     "ERR invalid expire time in 'set' command"     /* PX <= 0 */
#define REDIS_ERR_PEXPIRE_EXPIRE "ERR invalid expire time in 'pexpire' command" /* overflow */
#define REDIS_ERR_NOT_INTEGER    "ERR value is not an integer or out of range"  /* INCR */
#define REDIS_ERR_OVERFLOW       "ERR increment or decrement would overflow"    /* INCR */
#define REDIS_ERR_READONLY       "READONLY You can't write against a read only replica."
/* ccsim only (the model's bound REDIS_KEYS_MAX; Redis has no such limit). */
#define REDIS_ERR_KEYSPACE_FULL  "ERR keyspace full (64 keys)"

#define REDIS_CMD_MAP(XX)                                                  \
    XX(SET, "SET")          /* SET key val [NX] [PX ms] -> OK | nil */     \
    XX(SETNX, "SETNX")      /* SETNX key val -> 1 | 0 */                   \
    XX(PEXPIRE, "PEXPIRE")  /* PEXPIRE key ms -> 1 | 0 (EXPIRE, in ms) */  \
    XX(GET, "GET")          /* GET key -> value | nil */                   \
    XX(DEL, "DEL")          /* DEL key -> 1 | 0 */                         \
    XX(INCR, "INCR")        /* INCR key -> n (absent = 0 first) */         \
    XX(CAD, "EVAL cad")     /* compare-and-delete script -> 1 | 0 */       \
    XX(CAE, "EVAL extend")  /* compare-and-extend (PEXPIRE) -> 1 | 0 */    \
    XX(WAIT, "WAIT")        /* WAIT count ms -> replicas that acked (0 ms = forever) */

typedef enum {
#define XX(name, str) REDIS_##name,
    REDIS_CMD_MAP(XX)
#undef XX
    REDIS_CMD_COUNT
} redis_cmd_kind;

/* redis_cmd.flags */
#define REDIS_F_NX     1u     /* SET: only if absent */
#define REDIS_F_PX     2u     /* SET: with expiry `ms` */
/* SET / SETNX: when the key was set, in the same atomic step INCR the fence
 * counter `fence_key` (created at first_token - 1 when absent) and return
 * its value as the fencing token (a Lua script does this in real Redis). */
#define REDIS_F_FENCE  4u

typedef struct redis_cmd {
    uint32_t req;                     /* client's request id, echoed */
    uint8_t kind;                     /* redis_cmd_kind */
    uint8_t flags;                    /* REDIS_F_* */
    uint16_t pad;                     /* zero */
    int64_t ms;                       /* PX / PEXPIRE / CAE / WAIT: milliseconds */
    int64_t first_token;              /* REDIS_F_FENCE: the first token handed out */
    char key[SIM_NAME_MAX];           /* WAIT: unused but non-empty ("-") */
    char val[REDIS_VALUE_MAX];        /* SET, SETNX; CAD/CAE: the value to compare */
    char fence_key[SIM_NAME_MAX];     /* REDIS_F_FENCE */
    int64_t count;                    /* WAIT: numreplicas */
} redis_cmd;

typedef enum {
    REDIS_R_OK = 0,    /* +OK */
    REDIS_R_NIL,       /* (nil) */
    REDIS_R_INT,       /* (integer) n */
    REDIS_R_BULK,      /* "value" */
    REDIS_R_ERR        /* (error) ... */
} redis_reply_kind;

typedef struct redis_reply {
    uint32_t req;                     /* the command's request id */
    uint8_t cmd;                      /* redis_cmd_kind it answers */
    uint8_t kind;                     /* redis_reply_kind */
    uint16_t pad;                     /* zero */
    int64_t integer;                  /* REDIS_R_INT */
    int64_t token;                    /* REDIS_F_FENCE and the key was set: the token; else 0 */
    char str[REDIS_ERR_MAX];          /* REDIS_R_BULK: the value; REDIS_R_ERR: the message */
} redis_reply;

/* A replicated write: the key's state after a write on the master. */
typedef struct redis_repl {
    uint64_t offset;                  /* the master's replication offset after it */
    uint8_t del;                      /* 1 = the key was deleted */
    uint8_t is_lock;
    uint16_t pad;                     /* zero */
    int32_t setter;
    sim_time expire_at;               /* TTL clock: first instant absent (PXAT + 1 ms) */
    sim_time hold_ns;                 /* still on the link this long (a dead master's kernel) */
    char key[SIM_NAME_MAX];
    char val[REDIS_VALUE_MAX];
} redis_repl;

typedef struct redis_repl_ack { uint64_t offset; } redis_repl_ack;
/* PING / PONG, INFO / its reply (master = 1: role:master), LINK_DOWN. */
typedef struct redis_ping { uint64_t seq; uint32_t master; uint32_t pad; } redis_ping;
/* PROMOTE (to the replica) and +switch-master (to clients). */
typedef struct redis_switch { int32_t old_master, new_master; } redis_switch;

typedef enum { REDIS_PERSIST_NONE = 0, REDIS_PERSIST_EVERYSEC, REDIS_PERSIST_ALWAYS } redis_persistence;
typedef enum { REDIS_CLOCK_WALL = 0, REDIS_CLOCK_MONOTONIC } redis_ttl_clock;

typedef struct redis_cfg {
    int persistence;                  /* redis_persistence */
    sim_time restart_delay_ns;        /* 0 = up at once */
    int ttl_clock;                    /* redis_ttl_clock */
    sim_time sentinel_ping_ns;        /* Sentinel's ping period; 0 = min(down-after, 1 s) */
    sim_time sentinel_down_after_ns;  /* down-after-milliseconds */
    sim_time replication_lag_ns;      /* a write takes this long on the link to the replica */
} redis_cfg;

/* The param_spec entries of a redis_cfg embedded at byte offset `base` of a
 * protocol's cfg (sim/scenario/param.h must be included where it expands). */
#define REDIS_PARAM_SPECS(base)                                                              \
    PARAM_ENUM_SPEC("redis.persistence", "none",                                             \
        "none: a crash loses every key; everysec: fsync once a second (a power loss loses "  \
        "the writes since; a process crash nothing); always: fsync every write",             \
        (base) + offsetof(redis_cfg, persistence), "none|everysec|always"),                  \
    PARAM_DURATION_SPEC("redis.restart_delay", "0ms",                                        \
        "a restarted node stays unreachable this long (antirez's delayed restart)",          \
        (base) + offsetof(redis_cfg, restart_delay_ns), 0, PARAM_NO_MAX),                    \
    PARAM_ENUM_SPEC("redis.ttl_clock", "wall",                                               \
        "the clock key expiries use: wall (as Redis: clock jumps expire keys) or monotonic", \
        (base) + offsetof(redis_cfg, ttl_clock), "wall|monotonic"),                          \
    PARAM_DURATION_SPEC("redis.sentinel.ping", "0ms",                                        \
        "how often the sentinel pings each master; 0 = as Sentinel: min(down_after, 1 s)",   \
        (base) + offsetof(redis_cfg, sentinel_ping_ns), 0, PARAM_NO_MAX),                    \
    PARAM_DURATION_SPEC("redis.sentinel.down_after", "30s",                                  \
        "down-after-milliseconds: a master silent longer is +sdown; then failover",          \
        (base) + offsetof(redis_cfg, sentinel_down_after_ns), 0, PARAM_NO_MAX),              \
    PARAM_DURATION_SPEC("redis.replication.lag", "0ms",                                      \
        "a slow link: each write reaches the replica this long after the master applied it " \
        "(a crash of M keeps it, a power-loss of M loses it)",                               \
        (base) + offsetof(redis_cfg, replication_lag_ns), 0, PARAM_NO_MAX)

/* The node's model (roles `redis` and `replica`). */
extern const model_ops redis_model_ops;
/* The Sentinel's model (role `sentinel`). */
extern const model_ops redis_sentinel_ops;

/* The settings the node runs with: the protocol's (see above) or the defaults. */
const redis_cfg *redis_cfg_of(const env *e);

/* One trace line for a redis_cmd or redis_reply message: "SET lock c1:1 NX
 * PX 10000", "SET: OK token 33".  Returns false when `type` is not Redis's. */
bool redis_describe(uint32_t type, const void *body, uint32_t len, char *buf, size_t buf_len);

/* Fills a command (zeroing padding: message bytes are part of the run). */
void redis_cmd_init(redis_cmd *c, uint32_t req, redis_cmd_kind kind, const char *key,
                    const char *val);

const char *redis_cmd_name(redis_cmd_kind k);

/* The command log (`ccsim run --emit redis`, docs/redis-log.md).
 * The Lua script a command of this kind and flags is sent as (EVAL), doing
 * on a real server what ccsim does in one atomic step: compare-and-delete
 * (KEYS[1] ARGV: value; replies 1 or 0), compare-and-extend (ARGV: value
 * ms; 1 or 0), and SET / SETNX with a fencing token (KEYS: key fencekey;
 * ARGV: value [ms] first_token, ms when PX; replies the token, or nil when
 * the key was not set); NULL for a command sent as is. */
const char *redis_log_script(redis_cmd_kind kind, uint8_t flags);
/* Writes src escaped (`\` -> `\\`, TAB `\t`, newline `\n`, CR `\r`) into
 * dst (cap >= 2 * strlen(src) + 1 always fits); returns its length. */
size_t redis_log_escape(char *dst, size_t cap, const char *src);

/* The history kind a failover records (hist.h; kinds 1100-1109): a
 * replica became a master; value = its replication offset. */
enum { HIST_EFF_PROMOTE = 1100 };

#endif
