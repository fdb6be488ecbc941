/* verify.h -- the determinism self-check: run one scenario and seed twice in
 * this process and compare their event streams (docs/engine.md,
 * "Determinism self-check").  `ccsim run --twice` prints its line; a sweep
 * can call it on some of its seeds.
 *
 * Each run records its trail (sim_options.trail): one sim_event per
 * executed event.  The runs agree when their trails are equal, which is
 * when their event-stream hashes (sim_stats.event_hash) and event counts
 * are; otherwise the first index where they differ is the first diverging
 * event, and both runs' events there are reported.
 */
#ifndef CCSIM_VERIFY_H
#define CCSIM_VERIFY_H

#include "sim/sim.h"

typedef struct sim_divergence {
    bool diverged;
    uint64_t events;             /* the first run's events */
    uint64_t hash;               /* the first run's sim_stats.event_hash */
    uint64_t second_events, second_hash;
    /* When diverged: the first event that differs, and each run's event
     * there (has_* false: that run had already ended). */
    uint64_t index;
    bool has_first, has_second;
    sim_event first, second;
} sim_divergence;

/* How a run is created: sim_create, or registry_sim_create (which resolves
 * the scenario's names; sim/registry/registry.h). */
typedef int (*sim_create_fn)(const scn *s, const sim_options *opt, sim **out, char *err,
                             size_t err_len);

/* Creates and runs sc twice with opt (its trace, message log and trail are
 * not used: neither run writes anything) and compares.  create NULL =
 * sim_create.  Returns 0 with *out filled, or -1 with the first run's error
 * in err (an input error, or a bound the run reached). */
int sim_verify_twice(const scn *sc, const sim_options *opt, sim_create_fn create,
                     sim_divergence *out, char *err, size_t err_len);

/* Compares two runs' trails and hashes into *out. */
void sim_trail_compare(const sim_trail *a, uint64_t hash_a, const sim_trail *b, uint64_t hash_b,
                       sim_divergence *out);

/* One line, no newline:
 *   determinism  ok (N events, hash 0123456789abcdef)
 *   determinism  DIVERGED at event #I: first run t=... node kind what, second run ...
 * sc names the nodes. */
void sim_divergence_line(const sim_divergence *d, const scn *sc, char *buf, size_t len);

#endif
