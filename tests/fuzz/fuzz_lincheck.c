/* fuzz_lincheck.c -- a Jepsen EDN history, read (lin_history_read_edn) and
 * checked against every lincheck model (lin_check) under a small budget,
 * as `ccsim lincheck --model M FILE` does for each M.
 *
 * Bounded: each search may use FUZZ_LIN_MB of memo and FUZZ_LIN_MS of wall
 * time, then answers unknown.  Invariant: reading fails with one line that
 * obeys the error contract (fuzz_support.h) or succeeds; every model then
 * answers ok, illegal or unknown, or refuses with such a line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/lincheck/lincheck.h"
#include "tests/fuzz/fuzz_support.h"

#define FUZZ_NAME   "fuzz.edn"
#define FUZZ_LIN_MB 8
#define FUZZ_LIN_MS 200

static void check_error(const char *err) {
    static const char *const prefixes[] = { FUZZ_NAME ":" };
    fuzz_check_error(err, prefixes, 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    lin_history *h = lin_history_new();
    if (h == NULL) abort();
    char err[768];
    if (lin_history_read_edn(h, FUZZ_NAME, (const char *)data, size, err, sizeof err) != 0) {
        check_error(err);
        lin_history_free(h);
        return 0;
    }
    for (size_t m = 0; lin_model_names[m] != NULL; m++) {
        lin_options opt = { .model = lin_model_names[m], .init = NULL,
                            .timeout_ms = FUZZ_LIN_MS, .max_memory_mb = FUZZ_LIN_MB };
        lin_result r;
        lin_verdict v = lin_check(h, &opt, &r);
        if (v == LIN_ERROR) check_error(r.explanation ? r.explanation : "");
        else if (v != LIN_OK && v != LIN_ILLEGAL && v != LIN_UNKNOWN) abort();
        if (r.prefix > r.ops) abort();
        lin_result_free(&r);
    }
    lin_history_free(h);
    return 0;
}
