/* saga_keys.h -- a saga service's dedup table: the last `cap` keys
 * (saga, step, direction) it added, in a ring, with an index that answers
 * "is this key among them" without scanning the ring.
 *
 * The ring forgets as it wraps: adding to a full ring overwrites its
 * oldest key, and from then on that key is no longer found (unless it was
 * added again since), as a real dedup table forgets keys older than its
 * retention.  A ring either tells the directions apart (the idempotency
 * table: a step and its compensation are different keys) or not (the
 * tombstones: any direction of the step matches).
 *
 * The state is one flat struct, no pointers, so it lives inside a model's
 * zeroed state; saga_keys_init sets its capacity before use.
 */
#ifndef CCSIM_SAGA_KEYS_H
#define CCSIM_SAGA_KEYS_H

#include <stdbool.h>
#include <stdint.h>

#define SAGA_KEYS_MAX 8192u                   /* the largest ring */
#define SAGA_KEYS_INDEX (2u * SAGA_KEYS_MAX)  /* index slots: a power of two, at most half used */

typedef struct saga_dkey {
    int32_t orch;                /* the saga: its orchestrator and number */
    uint32_t seq;
    uint8_t step, comp;          /* Ti (comp 0) or Ci (comp 1) */
} saga_dkey;

typedef struct saga_keys {
    saga_dkey ring[SAGA_KEYS_MAX];
    uint16_t index[SAGA_KEYS_INDEX];  /* 0 = free, else a ring position + 1 */
    uint32_t cap, n, next;       /* capacity, keys held, the position written next */
    bool any_dir;                /* the direction is not part of a key's identity */
} saga_keys;

/* An empty ring of `cap` keys (1..SAGA_KEYS_MAX). */
void saga_keys_init(saga_keys *k, uint32_t cap, bool any_dir);
/* Whether `key` is among the last `cap` keys added. */
bool saga_keys_has(const saga_keys *k, const saga_dkey *key);
/* Adds `key` (a key already held is held twice), forgetting the oldest one
 * when the ring is full. */
void saga_keys_add(saga_keys *k, const saga_dkey *key);
/* The cheap part of the invariant: counts and positions in range. */
bool saga_keys_ok(const saga_keys *k);

#endif
