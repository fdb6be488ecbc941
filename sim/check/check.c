/* check.c -- the registry of checks by name, and what every check shares.
 *
 * Invariant: the table is fixed at compile time, in the order `ccsim list
 * checks` prints it, and names are unique.  Adding a check = one file with
 * its run function and its check_desc, and one line in CHECKS here.
 */
#include "sim/check/check_int.h"

#include <stdlib.h>
#include <string.h>

/* One line per check, naming the check_desc its own file defines, in the
 * order `ccsim list checks` prints them. */
#define CHECKS(X)                                                            \
    X(check_mutual_exclusion)      /* mutual_exclusion.c */ \
    X(check_lease_overlap)         /* lease_overlap.c */ \
    X(check_lost_update)           /* lost_update.c */ \
    X(check_liveness)              /* liveness.c */ \
    X(check_linearizable)          /* linearizable.c */ \
    X(check_atomicity)             /* atomicity.c */ \
    X(check_saga)                  /* saga_check.c */ \
    X(check_oversell)              /* oversell.c */ \
    X(check_double_booking)        /* double_booking.c */ \
    X(check_conservation)          /* conservation.c */ \
    X(check_isolation)             /* isolation.c */ \
    X(check_rate_limit)            /* rate_limit.c */ \
    X(check_script)                /* script_check.c */ \
    X(check_stale_read)            /* stale_read.c */ \
    X(check_availability)          /* availability.c */ \
    X(check_lost_writes)           /* lost_writes.c */ \
    X(check_queue_delivery)        /* queue_delivery.c */ \
    X(check_read_your_writes)      /* shard_ryw.c */ \
    X(check_monotonic_reads)       /* shard_monotonic.c */ \
    X(check_es_invariant)          /* es_invariant.c */ \
    X(check_es_stale_projection)   /* es_stale_projection.c */ \
    X(check_es_double_applied)     /* es_double_applied.c */

#define DECLARE_CHECK(name) extern const check_desc name;
#define ENTRY(name) &name,
CHECKS(DECLARE_CHECK)

static const check_desc *const checks[] = { CHECKS(ENTRY) };

#define CHECK_TABLE_COUNT (sizeof checks / sizeof checks[0])

const check_desc *check_find(const char *name) {
    SIM_ASSERT(name != NULL);
    for (size_t i = 0; i < CHECK_TABLE_COUNT; i++) {
        if (strcmp(checks[i]->name, name) == 0) return checks[i];
    }
    return NULL;
}

size_t check_count(void) {
    return CHECK_TABLE_COUNT;
}

const check_desc *check_at(size_t i) {
    SIM_ASSERT(i < CHECK_TABLE_COUNT);
    SIM_ASSERT(checks[i]->run != NULL);
    return checks[i];
}

static bool listed(const char *const *names, const char *name) {
    for (size_t i = 0; i < CHECK_APPLIES_MAX && names[i]; i++)
        if (name != NULL && strcmp(names[i], name) == 0) return true;
    return false;
}

bool check_applies(const check_desc *c, const char *protocol, bool by_default,
                   const char *workload) {
    SIM_ASSERT(c != NULL);
    SIM_ASSERT(protocol != NULL);
    if (c->protocols[0] != NULL && !by_default && !listed(c->protocols, protocol)) return false;
    return c->workloads[0] == NULL || workload == NULL || listed(c->workloads, workload);
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
