/* rng.c -- xoshiro256** with splitmix64 seeding, and an integer-only
 * exponential draw.  Invariant: the state is never all zero (splitmix64
 * seeding guarantees it).  Trade-off: not cryptographic, fast and repeatable. */
#include "sim/rng.h"

static uint64_t splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

void rng_init(rng *r, uint64_t seed) {
    SIM_ASSERT(r != NULL);
    uint64_t x = seed;
    for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&x);
    SIM_ASSERT((r->s[0] | r->s[1] | r->s[2] | r->s[3]) != 0);
}

uint64_t rng_next(rng *r) {
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5u, 7) * 9u;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

rng rng_fork(rng *parent) {
    rng child;
    rng_init(&child, rng_next(parent));
    return child;
}

uint64_t rng_below(rng *r, uint64_t n) {
    SIM_ASSERT(n > 0);
    uint64_t limit = UINT64_MAX - (UINT64_MAX % n);   /* reject the biased tail */
    uint64_t x;
    do { x = rng_next(r); } while (x >= limit);
    return x % n;
}

int64_t rng_range(rng *r, int64_t lo, int64_t hi) {
    SIM_ASSERT(lo <= hi);
    uint64_t span = (uint64_t)hi - (uint64_t)lo;
    if (span == UINT64_MAX) return (int64_t)rng_next(r);
    return (int64_t)((uint64_t)lo + rng_below(r, span + 1u));
}

bool rng_chance(rng *r, uint64_t num, uint64_t den) {
    SIM_ASSERT(den > 0);
    SIM_ASSERT(num <= den);
    if (num == 0) return false;
    return rng_below(r, den) < num;
}

__extension__ typedef unsigned __int128 u128;

/* log2(x) for x >= 1 in Q32 fixed point, by the bit-by-bit squaring method. */
static uint64_t log2_q32(uint64_t x) {
    SIM_ASSERT(x >= 1);
    uint64_t ip = 63u - (uint64_t)__builtin_clzll(x);
    /* y = x / 2^ip in Q62, in [1, 2) */
    u128 y = ((u128)x << 62) >> ip;
    uint64_t frac = 0;
    for (int i = 31; i >= 0; i--) {
        y = (y * y) >> 62;
        if (y >= ((u128)2 << 62)) { y >>= 1; frac |= (uint64_t)1 << i; }
    }
    return (ip << 32) | frac;
}

int64_t rng_exponential(rng *r, int64_t mean) {
    SIM_ASSERT(mean >= 0);
    if (mean == 0) return 0;
    uint64_t u = (rng_next(r) >> 32) + 1u;            /* uniform in [1, 2^32] */
    /* -ln(u / 2^32) = (32 - log2 u) * ln 2, in Q32 */
    uint64_t l2 = ((uint64_t)32 << 32) - log2_q32(u);
    const uint64_t ln2_q32 = 2977044472u;              /* ln 2 * 2^32 */
    u128 e = ((u128)l2 * ln2_q32) >> 32;  /* Q32 */
    u128 v = (e * (u128)mean) >> 32;
    return v > (u128)INT64_MAX ? INT64_MAX : (int64_t)v;
}
