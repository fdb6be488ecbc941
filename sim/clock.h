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
 */
#ifndef CCSIM_CLOCK_H
#define CCSIM_CLOCK_H

#include "sim/base.h"

#define CLOCK_RATE_ONE 1000000

typedef struct sim_clock {
    sim_time base_true, base_wall, base_mono;
    int64_t rate_ppm;
} sim_clock;

void     clock_init(sim_clock *c, sim_time offset, int64_t rate_ppm);
sim_time clock_wall(const sim_clock *c, sim_time t);
sim_time clock_mono(const sim_clock *c, sim_time t);
void     clock_set_rate(sim_clock *c, sim_time t, int64_t rate_ppm);
void     clock_jump(sim_clock *c, sim_time t, sim_time by);
/* The least true time >= now at which wall >= w (now if already). */
sim_time clock_true_at_wall(const sim_clock *c, sim_time now, sim_time w);
/* The least true time >= now at which mono >= m. */
sim_time clock_true_at_mono(const sim_clock *c, sim_time now, sim_time m);

#endif
