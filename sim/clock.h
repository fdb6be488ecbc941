/* clock.h -- one node's local clocks as functions of true time.
 *
 *   wall(t) = base_wall + (t - base_true) * rate      (gettimeofday: jumps)
 *   mono(t) = base_mono + (t - base_true) * rate      (clock_gettime MONOTONIC)
 *
 * rate is in ppm (1000000 = 1.0).  A rate change or a jump at true time t
 * rebases at t, so both clocks stay continuous except for the jump, which
 * moves the wall clock only.  Integer arithmetic (128-bit products) only.
 *
 * Invariant: rate_ppm > 0; both clocks are non-decreasing in t between
 * jumps; clock_true_at_wall() returns the least t with wall(t) >= w.
 * Everything is inline: clocks are read on the kernel's hot path.
 */
#ifndef CCSIM_CLOCK_H
#define CCSIM_CLOCK_H

#include "sim/base.h"

#define CLOCK_RATE_ONE 1000000

typedef struct sim_clock {
    sim_time base_true, base_wall, base_mono;
    int64_t rate_ppm;
} sim_clock;

__extension__ typedef __int128 clock_i128_;

static inline sim_time clock_scale_(sim_time dt, int64_t rate_ppm) {       /* floor(dt * rate) */
    if (rate_ppm == CLOCK_RATE_ONE) return dt;                 /* the common case */
    clock_i128_ p = (clock_i128_)dt * rate_ppm;
    clock_i128_ q = p / CLOCK_RATE_ONE;
    if (p < 0 && q * CLOCK_RATE_ONE != p) q -= 1;
    return (sim_time)q;
}

static inline sim_time clock_unscale_ceil_(sim_time d, int64_t rate_ppm) { /* ceil(d / rate), d >= 0 */
    if (rate_ppm == CLOCK_RATE_ONE) return d;
    clock_i128_ p = (clock_i128_)d * CLOCK_RATE_ONE;
    clock_i128_ q = (p + rate_ppm - 1) / rate_ppm;
    return q > (clock_i128_)INT64_MAX ? INT64_MAX : (sim_time)q;
}

static inline void clock_init(sim_clock *c, sim_time offset, int64_t rate_ppm) {
    SIM_ASSERT(c != NULL);
    SIM_ASSERT(rate_ppm > 0);
    c->base_true = 0;
    c->base_wall = offset;
    c->base_mono = 0;
    c->rate_ppm = rate_ppm;
}

static inline sim_time clock_wall(const sim_clock *c, sim_time t) {
    SIM_ASSERT(t >= c->base_true);
    return c->base_wall + clock_scale_(t - c->base_true, c->rate_ppm);
}

static inline sim_time clock_mono(const sim_clock *c, sim_time t) {
    SIM_ASSERT(t >= c->base_true);
    return c->base_mono + clock_scale_(t - c->base_true, c->rate_ppm);
}

static inline void clock_rebase_(sim_clock *c, sim_time t) {
    c->base_wall = clock_wall(c, t);
    c->base_mono = clock_mono(c, t);
    c->base_true = t;
}

static inline void clock_set_rate(sim_clock *c, sim_time t, int64_t rate_ppm) {
    SIM_ASSERT(rate_ppm > 0);
    clock_rebase_(c, t);
    c->rate_ppm = rate_ppm;
}

static inline void clock_jump(sim_clock *c, sim_time t, sim_time by) {
    clock_rebase_(c, t);
    c->base_wall += by;
}

static inline sim_time clock_true_at_wall(const sim_clock *c, sim_time now, sim_time w) {
    SIM_ASSERT(now >= c->base_true);
    if (clock_wall(c, now) >= w) return now;
    sim_time t = c->base_true + clock_unscale_ceil_(w - c->base_wall, c->rate_ppm);
    SIM_ASSERT(t >= now);
    return t;
}

static inline sim_time clock_true_at_mono(const sim_clock *c, sim_time now, sim_time m) {
    SIM_ASSERT(now >= c->base_true);
    if (clock_mono(c, now) >= m) return now;
    sim_time t = c->base_true + clock_unscale_ceil_(m - c->base_mono, c->rate_ppm);
    SIM_ASSERT(t >= now);
    return t;
}

#endif
