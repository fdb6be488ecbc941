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
      "final counter (or balance, or stock) != initial + acknowledged changes, or an "
      "acknowledged write was overwritten by one that never saw it", check_run_lost_update },
    { "liveness",
      "an operation still pending at the horizon for longer than min(60 s, duration/2)",
      check_run_liveness },
    { "linearizable",
      "the clients' reads and writes of the resource, checked as a register by the same "
      "search as `ccsim lincheck`", check_run_linearizable },
    { "atomicity",
      "2PC: a participant committed while another aborted, or committed before every "
      "participant voted yes", check_run_atomicity },
    { "saga",
      "a saga neither completed nor fully compensated, a step or compensation took effect "
      "twice or after its compensation, or a blind write lost another saga's update",
      check_run_saga },
    { "oversell",
      "more items confirmed than were in stock, stock below zero, or stock + confirmed != "
      "initial (decrements lost)", check_run_oversell },
    { "double-booking",
      "a seat confirmed to more than one user", check_run_double_booking },
    { "conservation",
      "the accounts' total differs from the opening total plus the acknowledged money in "
      "and out", check_run_conservation },
    { "isolation",
      "an anomaly in the database's transactions: G0, G1a-c, P4 lost update, P2, P3 phantom, "
      "A5A read skew, A5B write skew, G2 (Berenson, Adya, Hermitage)", check_run_isolation },
    { "rate-limit",
      "more requests admitted in some window-long interval than the limiter's limit",
      check_run_rate_limit },
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
