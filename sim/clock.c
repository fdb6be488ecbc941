/* clock.c -- piecewise-linear local clocks in integer nanoseconds.
 * Invariant: rate_ppm > 0.  Trade-off: a product is computed in 128 bits so
 * hours of simulated time at any sane rate never overflow. */
#include "sim/clock.h"

__extension__ typedef __int128 i128;

static sim_time scale(sim_time dt, int64_t rate_ppm) {       /* floor(dt * rate) */
    i128 p = (i128)dt * rate_ppm;
    i128 q = p / CLOCK_RATE_ONE;
    if (p < 0 && q * CLOCK_RATE_ONE != p) q -= 1;
    return (sim_time)q;
}

static sim_time unscale_ceil(sim_time d, int64_t rate_ppm) { /* ceil(d / rate), d >= 0 */
    i128 p = (i128)d * CLOCK_RATE_ONE;
    i128 q = (p + rate_ppm - 1) / rate_ppm;
    return q > (i128)INT64_MAX ? INT64_MAX : (sim_time)q;
}

void clock_init(sim_clock *c, sim_time offset, int64_t rate_ppm) {
    SIM_ASSERT(c != NULL);
    SIM_ASSERT(rate_ppm > 0);
    c->base_true = 0;
    c->base_wall = offset;
    c->base_mono = 0;
    c->rate_ppm = rate_ppm;
}

sim_time clock_wall(const sim_clock *c, sim_time t) {
    SIM_ASSERT(t >= c->base_true);
    return c->base_wall + scale(t - c->base_true, c->rate_ppm);
}

sim_time clock_mono(const sim_clock *c, sim_time t) {
    SIM_ASSERT(t >= c->base_true);
    return c->base_mono + scale(t - c->base_true, c->rate_ppm);
}

static void rebase(sim_clock *c, sim_time t) {
    c->base_wall = clock_wall(c, t);
    c->base_mono = clock_mono(c, t);
    c->base_true = t;
}

void clock_set_rate(sim_clock *c, sim_time t, int64_t rate_ppm) {
    SIM_ASSERT(rate_ppm > 0);
    rebase(c, t);
    c->rate_ppm = rate_ppm;
}

void clock_jump(sim_clock *c, sim_time t, sim_time by) {
    rebase(c, t);
    c->base_wall += by;
}

sim_time clock_true_at_wall(const sim_clock *c, sim_time now, sim_time w) {
    SIM_ASSERT(now >= c->base_true);
    if (clock_wall(c, now) >= w) return now;
    sim_time t = c->base_true + unscale_ceil(w - c->base_wall, c->rate_ppm);
    SIM_ASSERT(t >= now);
    return t;
}

sim_time clock_true_at_mono(const sim_clock *c, sim_time now, sim_time m) {
    SIM_ASSERT(now >= c->base_true);
    if (clock_mono(c, now) >= m) return now;
    sim_time t = c->base_true + unscale_ceil(m - c->base_mono, c->rate_ppm);
    SIM_ASSERT(t >= now);
    return t;
}
