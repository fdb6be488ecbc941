/* linearizable.c -- the run's client history against a sequential model,
 * with the same checker as `ccsim lincheck` (sim/lincheck/lincheck.h).
 *
 * What is checked: the READ and WRITE operations on the protected resource
 * (the lock-counter's counter), as a `register` whose initial value is the
 * counter's, in Knossos' conventions: fail = did not happen, info or still
 * pending = may have happened at any moment after its invocation.  This is
 * the resource as its clients saw it, whatever the lock did: a stale write
 * that merely rewrites the value others already wrote is linearizable,
 * which is why mutual-exclusion and lost-update exist beside it.  The
 * register-rw workload's replicated register is checked the same way.
 *
 * Verdicts: ok, violation (the ops that cannot be placed after the longest
 * linearizable prefix, as lincheck explains them), unknown (the budget ran
 * out: CHECK_LIN_MAX_CONFIGURATIONS configurations explored, or 512 MiB).
 * Both count work, never seconds, so a seed gets the same verdict on every
 * machine; the library's histories need at most a few configurations.
 */
#include "sim/check/check_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/lincheck/lincheck.h"

#define LZ_MEMORY_MB 512u

static lin_type lz_type(hist_result r) {
    switch (r) {
    case HIST_OK: return LIN_TYPE_OK;
    case HIST_FAIL: return LIN_TYPE_FAIL;
    case HIST_INFO:
    case HIST_PENDING: return LIN_TYPE_INFO;
    }
    SIM_UNREACHABLE("hist_result");
}

/* Adds the resource ops of h to lh; returns how many, or -1 on an error. */
static int lz_build(const hist *h, lin_history *lh, char *err, size_t len) {
    int n = 0;
    for (uint32_t i = 0; i < h->op_count; i++) {
        const hist_op *op = &h->ops[i];
        if (op->f != HIST_F_READ && op->f != HIST_F_WRITE) continue;
        char value[32];
        bool has = op->f == HIST_F_READ ? op->has_value_out : op->has_value_in;
        int64_t v = op->f == HIST_F_READ ? op->value_out : op->value_in;
        snprintf(value, sizeof value, "%" PRId64, v);
        bool pending = op->result == HIST_PENDING || op->complete_ns == SIM_TIME_NEVER;
        lin_op_desc d = { .process = op->process, .f = hist_f_name(h, op->f),
                          .value = has ? value : NULL, .key = NULL,
                          .invoke_ns = op->invoke_ns,
                          .complete_ns = pending ? op->invoke_ns : op->complete_ns,
                          .type = lz_type(op->result) };
        if (op->f == HIST_F_READ && op->result != HIST_OK) d.value = NULL;
        if (lin_history_add(lh, &d, err, len) != 0) return -1;
        n++;
    }
    return n;
}

void check_linearizable_budget(const check_input *in, uint64_t max_configurations,
                               check_result *out) {
    SIM_ASSERT(max_configurations > 0);
    check_result_start(out, "linearizable");
    char init[32], err[256];
    snprintf(init, sizeof init, "%" PRId64, in->h->initial_value);
    lin_history *lh = lin_history_new();
    SIM_ASSERT(lh != NULL);
    int n = lz_build(in->h, lh, err, sizeof err);
    if (n <= 0) {
        out->verdict = n < 0 ? CHECK_UNKNOWN : CHECK_OK;
        snprintf(out->summary, sizeof out->summary, "%s",
                 n < 0 ? err : "no reads or writes of the resource to check");
        lin_history_free(lh);
        return;
    }
    lin_options opt = { .model = "register", .init = init, .timeout_ms = 0,
                        .max_configurations = max_configurations, .max_memory_mb = LZ_MEMORY_MB };
    lin_result r;
    lin_verdict v = lin_check(lh, &opt, &r);
    if (v == LIN_OK) {
        snprintf(out->summary, sizeof out->summary,
                 "the %d reads and writes of the resource are linearizable as a register "
                 "(initial %s)", n, init);
    } else if (v == LIN_ILLEGAL) {
        out->verdict = CHECK_VIOLATION;
        snprintf(out->summary, sizeof out->summary,
                 "the reads and writes of the resource are not linearizable as a register: "
                 "only the first %zu of %d ops can be ordered", r.prefix, n);
        out->story = sim_xstrdup(r.explanation ? r.explanation : "no explanation\n");
    } else {
        out->verdict = CHECK_UNKNOWN;
        snprintf(out->summary, sizeof out->summary, "the search ran out of its budget "
                 "(%" PRIu64 " configurations, %u MiB) after %" PRIu64 " configurations: %s",
                 max_configurations, LZ_MEMORY_MB, r.configurations,
                 r.explanation ? r.explanation : "");
    }
    lin_result_free(&r);
    lin_history_free(lh);
}

/* The scenario's check_budgets.linearizable, else the default. */
static void check_run_linearizable(const check_input *in, check_result *out) {
    uint64_t budget = in->s && in->s->linearizable_budget ? in->s->linearizable_budget
                                                          : CHECK_LIN_MAX_CONFIGURATIONS;
    check_linearizable_budget(in, budget, out);
}

/* The check's entry in the registry (sim/check/check.c). */
const check_desc check_linearizable = {
    .name = "linearizable",
    .summary = "the clients' reads and writes of the resource, checked as a register by the "
        "same search as `ccsim lincheck`",
    .run = check_run_linearizable,
    .workloads = { "lock-counter", "register-rw" },
};
