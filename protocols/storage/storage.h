/* storage.h -- the protected resource S: one integer counter behind a lock.
 *
 * Requests are READ and WRITE messages carrying the client's history op id,
 * its lock epoch and its fencing token.  Each is applied atomically when it
 * is delivered and answered with one reply.  The storage records what it
 * actually did as effects (hist.h): EFF_READ, EFF_WRITE and EFF_REJECT, each
 * with the epoch, token, value, client and op the request carried.
 *
 * Fencing (Kleppmann 2016, "Making the lock safe with fencing"): a request
 * marked `fenced` is checked against max_token, the highest token of any
 * accepted fenced write.  A fenced write with token < max_token is REJECTED
 * (33 after 34); token >= max_token is accepted (Redisson RFencedLock's
 * "token >= previous").  Unfenced requests are never rejected: the storage
 * fences only clients that send tokens, as a real service would.
 *
 * Fenced reads (`read_fenced`, the lock-counter's `fenced_reads`): a READ
 * that carries a token raises max_token too, so an older holder's write
 * that comes after the newer holder's READ is rejected.  Without it a
 * read-modify-write is not protected: the new holder reads, the old holder's
 * write is still accepted (its token is the highest WRITTEN), and the new
 * holder then overwrites it from a stale read (the L4n seeds; L4d, L4e).
 * Reads themselves are never refused.
 *
 * The counter starts at the history's initial value (set by the workload,
 * env_set_initial_value) and is durable: a crash of the storage node keeps
 * it (it models a database or a file, not a cache).
 */
#ifndef CCSIM_STORAGE_H
#define CCSIM_STORAGE_H

#include "sim/env.h"

/* Message types: below LOCK_TAG_MIN, so a lock workload keeps them. */
#define STOR_MSG_READ   100u
#define STOR_MSG_WRITE  101u
#define STOR_MSG_REPLY  102u

#define STOR_KEY "counter"        /* the effects' key */

typedef struct stor_req {
    uint32_t op;                  /* the client's history op id */
    uint32_t req;                 /* the client's request id, echoed */
    int64_t epoch;                /* lock epoch, 0 = none */
    int64_t token;                /* fencing token, 0 = none */
    int64_t value;                /* WRITE: the new value */
    uint8_t fenced;               /* 1 = check the token */
    uint8_t read_fenced;          /* READ with fenced: its token counts as seen (see top) */
    uint8_t pad[6];               /* zero */
} stor_req;

typedef struct stor_reply {
    uint32_t op, req;             /* echoed */
    uint8_t write;                /* 1 = answers a WRITE */
    uint8_t ok;                   /* 0 = the write was rejected (stale token) */
    uint8_t pad[6];               /* zero */
    int64_t value;                /* READ: the value; WRITE: the value now stored */
    int64_t max_token;            /* the highest token accepted so far */
} stor_reply;

/* The storage node's model (role `storage`). */
extern const model_ops stor_model_ops;

/* Fills a request, zeroing padding (message bytes are part of the run). */
void stor_req_init(stor_req *r, uint32_t op, uint32_t req, int64_t epoch, int64_t token,
                   bool fenced, int64_t value);

/* One trace line for a storage message: "WRITE 1 (epoch 2, token 34)",
 * "WRITE: rejected (stale token; max 34)".  False when not a storage type. */
bool stor_describe(uint32_t type, const void *body, uint32_t len, char *buf, size_t buf_len);

#endif
