/* saga_keys.c -- the dedup ring and its index (saga_keys.h).
 *
 * Invariant: index holds exactly one entry per ring position in use (the
 * n = min(added, cap) most recent keys, duplicates each with their own
 * entry), every entry on the linear-probing path from its key's hash with
 * no free slot between (so a probe that meets a free slot may stop).  A
 * ring of cap keys uses at most cap <= SAGA_KEYS_INDEX / 2 index slots,
 * so a probe always meets a free slot.  Removal shifts the entries behind
 * back (no tombstones), so the index is the same whatever was removed
 * before.  Nothing iterates the index to decide anything: it answers
 * membership only, and the hash is a fixed function of the key.
 */
#include "protocols/saga/saga_keys.h"

#include <string.h>

#include "sim/base.h"

#define INDEX_MASK (SAGA_KEYS_INDEX - 1u)

static bool same_key(const saga_keys *k, const saga_dkey *a, const saga_dkey *b) {
    return a->orch == b->orch && a->seq == b->seq && a->step == b->step &&
           (k->any_dir || a->comp == b->comp);
}

/* A fixed mix of the key's identity (splitmix64's finalizer). */
static uint32_t home_of(const saga_keys *k, const saga_dkey *key) {
    uint64_t x = (uint64_t)(uint32_t)key->orch << 32 | key->seq;
    x ^= ((uint64_t)key->step << 1 | (k->any_dir ? 0u : key->comp)) * 0x9e3779b97f4a7c15u;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
    x ^= x >> 31;
    return (uint32_t)x & INDEX_MASK;
}

void saga_keys_init(saga_keys *k, uint32_t cap, bool any_dir) {
    SIM_ASSERT(k != NULL);
    SIM_ASSERT(cap >= 1 && cap <= SAGA_KEYS_MAX);
    memset(k->index, 0, sizeof k->index);
    k->cap = cap;
    k->n = 0;
    k->next = 0;
    k->any_dir = any_dir;
}

bool saga_keys_has(const saga_keys *k, const saga_dkey *key) {
    SIM_ASSERT(saga_keys_ok(k));
    for (uint32_t i = home_of(k, key);; i = (i + 1u) & INDEX_MASK) {
        uint32_t at = k->index[i];
        if (at == 0) return false;
        if (same_key(k, &k->ring[at - 1u], key)) return true;
    }
}

/* Whether index slot `at`, whose entry's home is `home`, lies on the probe
 * path from `home` past the free slot `hole` (then the entry must move). */
static bool moves_into(uint32_t hole, uint32_t home, uint32_t at) {
    uint32_t dist_home = (at - home) & INDEX_MASK, dist_hole = (at - hole) & INDEX_MASK;
    return dist_home >= dist_hole;
}

/* Drops ring position `pos`'s entry from the index, shifting back the
 * entries behind it that would otherwise be cut off from their home. */
static void unindex(saga_keys *k, uint32_t pos) {
    uint32_t hole = home_of(k, &k->ring[pos]);
    while (k->index[hole] != pos + 1u) {
        SIM_ASSERT(k->index[hole] != 0);      /* every position in use is indexed */
        hole = (hole + 1u) & INDEX_MASK;
    }
    for (uint32_t at = (hole + 1u) & INDEX_MASK; k->index[at] != 0; at = (at + 1u) & INDEX_MASK) {
        uint32_t home = home_of(k, &k->ring[k->index[at] - 1u]);
        if (!moves_into(hole, home, at)) continue;
        k->index[hole] = k->index[at];
        hole = at;
    }
    k->index[hole] = 0;
}

void saga_keys_add(saga_keys *k, const saga_dkey *key) {
    SIM_ASSERT(saga_keys_ok(k));
    uint32_t pos = k->next;
    if (k->n == k->cap) unindex(k, pos);    /* full: pos holds the oldest key */
    k->ring[pos] = *key;
    uint32_t i = home_of(k, key);
    while (k->index[i] != 0) i = (i + 1u) & INDEX_MASK;
    k->index[i] = (uint16_t)(pos + 1u);
    k->next = (pos + 1u) % k->cap;
    if (k->n < k->cap) k->n++;
    SIM_ASSERT(saga_keys_ok(k));
}

bool saga_keys_ok(const saga_keys *k) {
    if (k == NULL || k->cap < 1 || k->cap > SAGA_KEYS_MAX || k->n > k->cap || k->next >= k->cap)
        return false;
    return k->n == k->cap || k->next == k->n;  /* not yet full: written in order from 0 */
}
