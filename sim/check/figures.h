/* figures.h -- what a database run cost: commits, aborts, retries,
 * serialization failures, deadlocks, lock timeouts and lock waits, counted
 * from the history (hist.h: TXN_COMMIT / TXN_ABORT / DB_ERROR of the db
 * node, RETRY of its clients, BLOCKED / UNBLOCKED around lock waits).
 *
 * The db checks append the one-line text to their summaries and report.c
 * writes the numbers to summary.json ("db"), so runs of one workload with
 * different strategies can be compared side by side.
 */
#ifndef CCSIM_FIGURES_H
#define CCSIM_FIGURES_H

#include "sim/hist.h"

typedef struct check_figures {
    bool any;                    /* the history has database transactions */
    uint64_t commits, aborts, retries;
    uint64_t serialization_failures;   /* 40001 */
    uint64_t deadlocks;                /* 40P01, 1213 */
    uint64_t lock_timeouts;            /* 55P03, 1205 */
    uint64_t lock_waits;
    sim_time lock_wait_total_ns, lock_wait_max_ns;   /* an open wait counts to the horizon */
} check_figures;

void check_figures_build(const hist *h, sim_time horizon_ns, check_figures *out);
/* "1500 commits, 0 aborts, 0 retries, 0 serialization failures, 0 deadlocks,
 * 0 lock timeouts, 0 lock waits" (+ "(total 3 s, longest 400 ms)"). */
void check_figures_text(const check_figures *f, char *buf, size_t len);

#endif
