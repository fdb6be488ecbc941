/* check.c -- the registry of checks by name, and what every check shares.
 *
 * Invariant: the table is fixed at compile time, in the order `ccsim list
 * checks` prints it, and names are unique.  Adding a check = one file with
 * its run function, one prototype in check_int.h, one line here.
 */
#include "sim/check/check_int.h"

#include <stdlib.h>
#include <string.h>

static const check_desc checks[] = {
    { "mutual-exclusion",
      "the resource applied a stale-epoch write after a newer epoch's, or two epochs' "
      "read-modify-writes interleaved", check_run_mutual_exclusion },
    { "lease-overlap",
      "two clients believed they held the lock at the same true time", check_run_lease_overlap },
    { "lost-update",
      "final counter != initial + acknowledged increments, or an acknowledged write was "
      "overwritten by one that never saw it", check_run_lost_update },
    { "liveness",
      "an operation still pending at the horizon for longer than min(60 s, duration/2)",
      check_run_liveness },
    { "linearizable",
      "the clients' reads and writes of the resource, checked as a register by the same "
      "search as `ccsim lincheck`", check_run_linearizable },
};

#define CHECK_TABLE_COUNT (sizeof checks / sizeof checks[0])

const check_desc *check_find(const char *name) {
    SIM_ASSERT(name != NULL);
    for (size_t i = 0; i < CHECK_TABLE_COUNT; i++) {
        if (strcmp(checks[i].name, name) == 0) return &checks[i];
    }
    return NULL;
}

size_t check_count(void) {
    return CHECK_TABLE_COUNT;
}

const check_desc *check_at(size_t i) {
    SIM_ASSERT(i < CHECK_TABLE_COUNT);
    SIM_ASSERT(checks[i].run != NULL);
    return &checks[i];
}

const char *check_verdict_name(check_verdict v) {
    switch (v) {
    case CHECK_OK: return "ok";
    case CHECK_VIOLATION: return "violation";
    case CHECK_UNKNOWN: return "unknown";
    }
    sim_assert_fail("unknown check_verdict", __FILE__, __LINE__);
}

void check_result_free(check_result *r) {
    if (r == NULL) return;
    free(r->story);
    r->story = NULL;
}

void check_result_start(check_result *out, const char *name) {
    SIM_ASSERT(out != NULL);
    SIM_ASSERT(name != NULL);
    memset(out, 0, sizeof *out);
    out->name = name;
    out->verdict = CHECK_OK;
}

sim_time check_horizon(const check_input *in) {
    SIM_ASSERT(in != NULL);
    SIM_ASSERT(in->h != NULL);
    if (in->horizon_ns > 0) return in->horizon_ns;
    if (in->s != NULL) return in->s->duration_ns;
    return 0;
}
