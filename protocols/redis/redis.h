/* redis.h -- a single Redis node: a small keyspace with expiry on the node's
 * LOCAL WALL clock, and the commands lock clients use, as messages.
 *
 * Semantics (PROTOCOLS.md 1.2, SCENARIOS.md 0):
 *   - a key set at local wall time L with PX ttl is absent for every command
 *     at local wall time >= L + ttl; the node also deletes it at that instant
 *     (a wall-clock timer, re-planned by the engine when the clock jumps), so
 *     a clock jump forward expires keys at once, as in real Redis;
 *   - every command is applied atomically when its message is delivered
 *     (processing time 0), and answered with one reply;
 *   - persistence `none`: a crash loses the whole keyspace (and the fence
 *     counter); the node restarts empty.
 *
 * Lock keys.  Keys written by SET / SETNX are "lock keys": their grant,
 * extension, deletion, expiry and loss are recorded as HIST_EFF_LOCK_*
 * effects (client = the node that sent the command, value = the local
 * expiry in ns or -1 for no TTL).  Keys written by INCR (counters, the fence
 * counter) are not.
 *
 * Bounds: REDIS_KEYS_MAX keys; a write that needs a new key when the
 * keyspace is full gets "ERR keyspace full" and changes nothing.
 */
#ifndef CCSIM_REDIS_H
#define CCSIM_REDIS_H

#include "sim/env.h"

/* Message types.  They lie inside lock_api.h's [LOCK_TAG_MIN, LOCK_TAG_MAX]
 * so a lock workload hands replies to its lock client. */
#define REDIS_MSG_CMD    1100u
#define REDIS_MSG_REPLY  1101u

#define REDIS_KEYS_MAX   64
#define REDIS_VALUE_MAX  32      /* bytes of a value, including the NUL */
#define REDIS_ERR_MAX    40      /* bytes of an error reply, including the NUL */

#define REDIS_CMD_MAP(XX)                                                  \
    XX(SET, "SET")          /* SET key val [NX] [PX ms] -> OK | nil */     \
    XX(SETNX, "SETNX")      /* SETNX key val -> 1 | 0 */                   \
    XX(PEXPIRE, "PEXPIRE")  /* PEXPIRE key ms -> 1 | 0 (EXPIRE, in ms) */  \
    XX(GET, "GET")          /* GET key -> value | nil */                   \
    XX(DEL, "DEL")          /* DEL key -> 1 | 0 */                         \
    XX(INCR, "INCR")        /* INCR key -> n (absent = 0 first) */         \
    XX(CAD, "EVAL cad")     /* compare-and-delete script -> 1 | 0 */       \
    XX(CAE, "EVAL extend")  /* compare-and-extend (PEXPIRE) -> 1 | 0 */

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
    int64_t ms;                       /* PX / PEXPIRE / CAE: milliseconds */
    int64_t first_token;              /* REDIS_F_FENCE: the first token handed out */
    char key[SIM_NAME_MAX];
    char val[REDIS_VALUE_MAX];        /* SET, SETNX; CAD/CAE: the value to compare */
    char fence_key[SIM_NAME_MAX];     /* REDIS_F_FENCE */
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

/* The node's model (role `redis`). */
extern const model_ops redis_model_ops;

/* One trace line for a redis_cmd or redis_reply message: "SET lock c1:1 NX
 * PX 10000", "SET: OK token 33".  Returns false when `type` is not Redis's. */
bool redis_describe(uint32_t type, const void *body, uint32_t len, char *buf, size_t buf_len);

/* Fills a command (zeroing padding: message bytes are part of the run). */
void redis_cmd_init(redis_cmd *c, uint32_t req, redis_cmd_kind kind, const char *key,
                    const char *val);

const char *redis_cmd_name(redis_cmd_kind k);

#endif
