/* saga_index.h -- the index of one of a saga service's tables (accounts,
 * orders): a row's number by a hash of its key, so that finding a row costs
 * the same however many rows the table holds (issue 17: a service scanned
 * its accounts and orders on every command).
 *
 * Rows are only ever added, numbered 0, 1, 2... in the order they are
 * added (a service's tables never shrink).  The index grows with the
 * table: it uses the first `size` slots of its array, a power of two at
 * least twice the rows, doubling and placing every row again when half
 * full, so a small table touches little memory.  It answers "which row has
 * this key" only; nothing iterates it to decide anything.
 *
 * The state is one flat struct, no pointers, so it lives inside a model's
 * zeroed state (all zero is an empty index).
 */
#ifndef CCSIM_SAGA_INDEX_H
#define CCSIM_SAGA_INDEX_H

#include <stdbool.h>
#include <stdint.h>

#define SAGA_INDEX_ROWS_MAX (1u << 21)              /* the rows of the largest table */
#define SAGA_INDEX_SLOTS (2u * SAGA_INDEX_ROWS_MAX)  /* a power of two, at most half used */
#define SAGA_INDEX_NONE UINT32_MAX

typedef struct saga_index {
    uint32_t size, rows;                       /* slots in use (0 or a power of two), rows indexed */
    uint32_t hash[SAGA_INDEX_ROWS_MAX];        /* each row's hash */
    uint32_t slot[SAGA_INDEX_SLOTS];           /* 0 = free, else a row + 1 */
} saga_index;

/* Whether row `row` of the caller's table has the key looked for. */
typedef bool (*saga_index_same)(const void *ctx, uint32_t row);

/* The row whose hash is `hash` and for which same(ctx, row) holds, or
 * SAGA_INDEX_NONE. */
uint32_t saga_index_find(const saga_index *x, uint32_t hash, saga_index_same same, const void *ctx);
/* Indexes the next row (number x->rows) under `hash`; x->rows < SAGA_INDEX_ROWS_MAX. */
void saga_index_add(saga_index *x, uint32_t hash);
/* The cheap part of the invariant: counts and size in range. */
bool saga_index_ok(const saga_index *x);

/* Fixed hashes of a key: a string of at most `len` bytes, a number. */
uint32_t saga_hash_str(const char *s, uint32_t len);
uint32_t saga_hash_i64(int64_t v);

#endif
