/* saga_index.c -- a service table's index (saga_index.h).
 *
 * Invariant: size is 0 (no row yet) or a power of two with
 * 2 * rows <= size <= SAGA_INDEX_SLOTS; slot[0..size) holds exactly one
 * entry per row, each on the linear-probing path from its hash with no
 * free slot between, so a probe that meets a free slot may stop; the slots
 * at and past `size` are free.  Where a row lands depends only on the
 * hashes of the rows added before it, so the index is the same in every
 * run of the same commands.
 */
#include "protocols/saga/saga_index.h"

#include <string.h>

#include "sim/base.h"

#define INDEX_SIZE_MIN 64u

bool saga_index_ok(const saga_index *x) {
    if (x == NULL || x->rows > SAGA_INDEX_ROWS_MAX || x->size > SAGA_INDEX_SLOTS) return false;
    if (x->size == 0) return x->rows == 0;
    return (x->size & (x->size - 1u)) == 0 && 2u * x->rows <= x->size;
}

uint32_t saga_index_find(const saga_index *x, uint32_t hash, saga_index_same same, const void *ctx) {
    SIM_ASSERT(saga_index_ok(x));
    if (x->size == 0) return SAGA_INDEX_NONE;
    uint32_t mask = x->size - 1u;
    for (uint32_t i = hash & mask;; i = (i + 1u) & mask) {
        uint32_t at = x->slot[i];
        if (at == 0) return SAGA_INDEX_NONE;
        if (x->hash[at - 1u] == hash && same(ctx, at - 1u)) return at - 1u;
    }
}

static void place(saga_index *x, uint32_t row) {
    SIM_ASSERT(x->size > 0);
    SIM_ASSERT(row < SAGA_INDEX_ROWS_MAX);
    uint32_t mask = x->size - 1u;
    uint32_t i = x->hash[row] & mask;
    while (x->slot[i] != 0) i = (i + 1u) & mask;
    x->slot[i] = row + 1u;
}

/* Doubles the slots in use and places every row again, in row order. */
static void grow(saga_index *x) {
    uint32_t size = x->size == 0 ? INDEX_SIZE_MIN : 2u * x->size;
    SIM_ASSERT(size <= SAGA_INDEX_SLOTS);
    SIM_ASSERT(2u * x->rows <= size);
    memset(x->slot, 0, (size_t)size * sizeof x->slot[0]);
    x->size = size;
    for (uint32_t r = 0; r < x->rows; r++) place(x, r);
}

void saga_index_add(saga_index *x, uint32_t hash) {
    SIM_ASSERT(saga_index_ok(x));
    SIM_ASSERT(x->rows < SAGA_INDEX_ROWS_MAX);
    if (2u * (x->rows + 1u) > x->size) grow(x);
    x->hash[x->rows] = hash;
    place(x, x->rows++);
    SIM_ASSERT(saga_index_ok(x));
}

/* FNV-1a, then a final mix so the low bits depend on every byte. */
uint32_t saga_hash_str(const char *s, uint32_t len) {
    uint32_t h = 2166136261u;
    for (uint32_t i = 0; i < len && s[i] != '\0'; i++) h = (h ^ (uint8_t)s[i]) * 16777619u;
    h ^= h >> 16;
    h *= 0x7feb352du;
    h ^= h >> 15;
    return h;
}

/* splitmix64's finalizer, folded to 32 bits. */
uint32_t saga_hash_i64(int64_t v) {
    uint64_t x = (uint64_t)v * 0x9e3779b97f4a7c15u;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
    x ^= x >> 31;
    return (uint32_t)x ^ (uint32_t)(x >> 32);
}
