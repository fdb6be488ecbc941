/* rng.h -- seeded pseudo-random streams (xoshiro256**, seeded by splitmix64).
 *
 * One root stream per run, seeded from the scenario's uint64 seed; every
 * component (network, each node, each client, the nemesis) gets its own
 * stream with rng_fork(), so adding a client never changes the network's
 * draws (STYLE.md 5).  Probabilities are integer ratios (STYLE.md 6); no
 * floating point decides anything.
 */
#ifndef CCSIM_RNG_H
#define CCSIM_RNG_H

#include "sim/base.h"

typedef struct rng { uint64_t s[4]; } rng;

void     rng_init(rng *r, uint64_t seed);
uint64_t rng_next(rng *r);
rng      rng_fork(rng *parent);
/* Uniform in [0, n), n > 0, without modulo bias. */
uint64_t rng_below(rng *r, uint64_t n);
/* Uniform in [lo, hi], lo <= hi. */
int64_t  rng_range(rng *r, int64_t lo, int64_t hi);
/* True with probability num/den; num <= den, den > 0. */
bool     rng_chance(rng *r, uint64_t num, uint64_t den);
/* Exponential with the given mean, in the same unit, by fixed-point -ln(U):
 * integer arithmetic only, so every platform draws the same values. */
int64_t  rng_exponential(rng *r, int64_t mean);

#endif
