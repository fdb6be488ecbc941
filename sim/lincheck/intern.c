/* intern.c -- byte-string interner and the small utilities of lincheck.
 *
 * Invariant: ids are dense and given in order of first appearance, so they
 * never depend on pointer values or hash order (determinism).  The slot
 * table holds id + 1 and is at most half full.  Trade-off: strings are
 * never freed one by one; the whole interner goes at once.
 */
#include "sim/lincheck/lin_internal.h"

#include <string.h>
#include <time.h>

void lin_assert_fail(const char *expr, const char *file, int line) {
    fprintf(stderr, "lincheck: assertion failed: %s at %s:%d\n", expr, file, line);
    abort();
}

void *lin_xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (p == NULL) {
        fprintf(stderr, "lincheck: out of memory allocating %zu bytes\n", n);
        abort();
    }
    return p;
}

void *lin_xrealloc(void *p, size_t n) {
    void *q = realloc(p, n ? n : 1);
    if (q == NULL) {
        fprintf(stderr, "lincheck: out of memory allocating %zu bytes\n", n);
        abort();
    }
    return q;
}

uint64_t lin_now_ns(void) {
    struct timespec ts;
    int rc = clock_gettime(CLOCK_MONOTONIC, &ts);
    LIN_ASSERT(rc == 0);                    /* CLOCK_MONOTONIC always exists on POSIX */
    LIN_ASSERT(ts.tv_nsec >= 0);
    LIN_ASSERT(ts.tv_nsec < 1000000000L);
    return (uint64_t)ts.tv_sec * UINT64_C(1000000000) + (uint64_t)ts.tv_nsec;
}

uint64_t lin_hash_bytes(const void *p, size_t n) {
    LIN_ASSERT(p != NULL || n == 0);
    const unsigned char *s = p;
    uint64_t h = UINT64_C(0x9e3779b97f4a7c15) ^ (uint64_t)n;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = lin_mix64(h ^ w);
        s += 8;
        n -= 8;
    }
    uint64_t w = 0;
    for (size_t i = 0; i < n; i++) w |= (uint64_t)s[i] << (8 * i);
    return lin_mix64(h ^ w ^ UINT64_C(0x2545f4914f6cdd1d));
}

void lin_intern_init(lin_intern *t) {
    LIN_ASSERT(t != NULL);
    memset(t, 0, sizeof *t);
    t->slot_mask = 63;
    t->slots = calloc(64, sizeof *t->slots);
    t->off_cap = 64;
    t->off = lin_xmalloc(64 * sizeof *t->off);
    t->off[0] = 0;
    t->hash = lin_xmalloc(64 * sizeof *t->hash);
    t->bytes_cap = 256;
    t->bytes = lin_xmalloc(t->bytes_cap);       /* never NULL, even for empty strings */
    if (t->slots == NULL) abort();
}

void lin_intern_free(lin_intern *t) {
    LIN_ASSERT(t != NULL);
    free(t->bytes);
    free(t->off);
    free(t->hash);
    free(t->slots);
    memset(t, 0, sizeof *t);
}

const char *lin_intern_get(const lin_intern *t, uint32_t id, size_t *len) {
    LIN_ASSERT(id < t->count);
    LIN_ASSERT(len != NULL);
    LIN_ASSERT(t->off[id] <= t->off[id + 1]);   /* strings lie back to back, in id order */
    *len = (size_t)(t->off[id + 1] - t->off[id]);
    return t->bytes + t->off[id];
}

size_t lin_intern_memory(const lin_intern *t) {
    LIN_ASSERT(t->bytes_len <= t->bytes_cap);
    LIN_ASSERT(t->count < t->off_cap);      /* off holds count + 1 offsets */
    return t->bytes_cap + (size_t)t->off_cap * (sizeof *t->off + sizeof *t->hash) +
           ((size_t)t->slot_mask + 1) * sizeof *t->slots;
}

static void intern_grow(lin_intern *t) {
    LIN_ASSERT((t->slot_mask & (t->slot_mask + 1)) == 0);   /* a power of two, minus one */
    uint32_t cap = (t->slot_mask + 1) * 2;
    LIN_ASSERT(cap > t->count);             /* else the probe below never ends (or cap wrapped) */
    uint32_t *slots = calloc(cap, sizeof *slots);
    if (slots == NULL) {
        fprintf(stderr, "lincheck: out of memory growing an intern table\n");
        abort();
    }
    for (uint32_t id = 0; id < t->count; id++) {
        uint32_t i = (uint32_t)lin_mix64(t->hash[id]) & (cap - 1);
        while (slots[i] != 0) i = (i + 1) & (cap - 1);
        slots[i] = id + 1;
    }
    free(t->slots);
    t->slots = slots;
    t->slot_mask = cap - 1;
    LIN_ASSERT((size_t)t->count * 2 < cap);
}

static uint32_t intern_add(lin_intern *t, const void *p, size_t n, uint64_t hash) {
    LIN_ASSERT(t->count < UINT32_MAX - 1);  /* ids are uint32_t, and id + 1 marks a slot */
    if (t->bytes_len + n > t->bytes_cap) {
        size_t cap = t->bytes_cap ? t->bytes_cap * 2 : 1024;
        while (cap < t->bytes_len + n) cap *= 2;
        t->bytes = lin_xrealloc(t->bytes, cap);
        t->bytes_cap = cap;
    }
    if (t->count + 2 > t->off_cap) {
        t->off_cap *= 2;
        t->off = lin_xrealloc(t->off, (size_t)t->off_cap * sizeof *t->off);
        t->hash = lin_xrealloc(t->hash, (size_t)t->off_cap * sizeof *t->hash);
    }
    LIN_ASSERT(t->bytes_len + n <= t->bytes_cap);
    LIN_ASSERT(t->count + 2 <= t->off_cap);
    t->hash[t->count] = hash;
    if (n) memcpy(t->bytes + t->bytes_len, p, n);
    t->bytes_len += n;
    t->count++;
    t->off[t->count] = t->bytes_len;
    return t->count - 1;
}

uint32_t lin_intern_bytes(lin_intern *t, const void *p, size_t n) {
    LIN_ASSERT(t != NULL);
    LIN_ASSERT(p != NULL || n == 0);
    return lin_intern_bytes_h(t, p, n, t->rolling ? lin_roll_hash(p, n) : lin_hash_bytes(p, n));
}

uint32_t lin_intern_bytes_h(lin_intern *t, const void *p, size_t n, uint64_t hash) {
    LIN_ASSERT(t->slots != NULL);
    LIN_ASSERT(p != NULL || n == 0);
    if ((size_t)t->count * 2 >= (size_t)t->slot_mask) intern_grow(t);
    LIN_ASSERT((size_t)t->count * 2 < (size_t)t->slot_mask);   /* an empty slot ends the probe */
    uint32_t i = (uint32_t)lin_mix64(hash) & t->slot_mask;
    for (;;) {
        uint32_t s = t->slots[i];
        if (s == 0) break;
        if (t->hash[s - 1] == hash) {
            size_t len;
            const char *q = lin_intern_get(t, s - 1, &len);
            if (len == n && memcmp(p, q, n) == 0) return s - 1;
        }
        i = (i + 1) & t->slot_mask;
    }
    uint32_t id = intern_add(t, p, n, hash);
    LIN_ASSERT(id + 1 == t->count);         /* dense ids, in order of first appearance */
    t->slots[i] = id + 1;
    return id;
}

/* Polynomial hash modulo 2^64 with an odd base: equal strings, equal hashes;
 * collisions only cost a memcmp, since the interner compares bytes. */
#define ROLL_BASE UINT64_C(0x100000001b3)

uint64_t lin_roll_hash(const void *p, size_t n) {
    LIN_ASSERT(p != NULL || n == 0);
    const unsigned char *s = p;
    uint64_t h = 0;
    for (size_t i = 0; i < n; i++) h = h * ROLL_BASE + (uint64_t)s[i] + 1;
    return h;
}

uint64_t lin_roll_concat(uint64_t ha, uint64_t hb, size_t len_b) {
    LIN_ASSERT(len_b > 0 || hb == 0);       /* the empty string hashes to 0: a ++ "" = a */
    uint64_t pw = 1, b = ROLL_BASE;
    for (size_t e = len_b; e > 0; e >>= 1) {
        if (e & 1) pw *= b;
        b *= b;
    }
    return ha * pw + hb;
}
