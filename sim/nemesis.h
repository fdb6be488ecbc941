/* nemesis.h -- random faults drawn from the seed (`nemesis:`, scn.h).
 *
 * A scenario with a nemesis runs a *run scenario*: the file's scenario
 * plus the faults the nemesis drew for the run's seed, merged into its
 * fault list and marked `drawn`.  Everything after sim_create() -- the
 * engine, the checks, the story, the timeline, faults.yaml -- reads that
 * one list, so a drawn fault is told and drawn like a scripted one, and the
 * list pasted back under `faults:` replays the run without the nemesis.
 *
 * Draws come from the nemesis's own stream, seeded from the run's seed
 * with a salt (not forked from the root the network and nodes fork from),
 * so a nemesis never changes the network's or the nodes' draws, and the
 * same seed draws the same faults whatever else the scenario says.
 *
 * How one draw goes (docs/nemesis.md): with `swarm`, first the kinds that
 * are on for this seed (each with odds 1/2, at least one); then from
 * `from`, repeatedly: a gap from `every`, a kind, a target, a length from
 * `for` (cut to end by the horizon), and the fault with, where it has one,
 * the fault that ends it (heal, a clock rate put back).  Drawing stops at
 * `until`, or when the fault list is full.
 */
#ifndef CCSIM_NEMESIS_H
#define CCSIM_NEMESIS_H

#include "sim/scenario/scn.h"

/* The faults s's nemesis draws for `seed`, merged with s's own, sorted
 * stably by time (a scripted fault first at a tie): writes at most `max`
 * into out, returns how many.  s->nemesis.on must be true. */
uint32_t nemesis_draw(const scn *s, uint64_t seed, scn_fault *out, uint32_t max);

/* The run scenario for `seed` into *run: a copy of s with nemesis_draw's
 * faults.  It shares s's parameter arrays (s must outlive it and it must
 * not be scn_free'd; free() it).  Returns run. */
scn *nemesis_run_scenario(const scn *s, uint64_t seed, scn *run);

/* How many of a run scenario's faults the nemesis drew. */
uint32_t nemesis_drawn_count(const scn *s);

#endif
