/* fuzz_support.h -- what the fuzz targets share (tests/fuzz/README.md).
 *
 * Each target is one LLVMFuzzerTestOneInput().  Built with clang and
 * -fsanitize=fuzzer it is a libFuzzer binary (`make fuzz`); linked with
 * replay_main.c instead it replays corpus files under gcc's sanitizers
 * (`make sanitize`, `make test`).
 *
 * The error contract every target asserts (DESIGN.md, the scenario format):
 * an input error is ONE line that starts with the name the input was given
 * ("fuzz.yaml", "--set ") and contains "error:".  A violation aborts, so
 * libFuzzer reports it like a crash and keeps the input.
 */
#ifndef CCSIM_FUZZ_SUPPORT_H
#define CCSIM_FUZZ_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Strict by default since findings 3, 5, 7, 8 and 9 were merged: build
 * with -DFUZZ_STRICT=0 to step around them again (fuzz_known.h;
 * tests/fuzz/README.md, "Known findings"). */
#ifndef FUZZ_STRICT
#define FUZZ_STRICT 1
#endif

/* Aborts, naming the broken promise and the message, when err breaks the
 * error contract for every one of the prefixes.  A message of several
 * lines is issue 14's finding 8 (a value with a newline is quoted as it
 * is), fixed elsewhere: unless FUZZ_STRICT, only its first line is held to
 * the contract.  FUZZ_VERBOSE=1 in the environment prints every message
 * (to see what a corpus file exercises). */
static inline void fuzz_check_error(const char *err, const char *const *prefixes, size_t n) {
    if (getenv("FUZZ_VERBOSE") != NULL) fprintf(stderr, "%s\n", err);
    const char *why = NULL;
    bool prefixed = false;
    for (size_t i = 0; i < n; i++)
        if (strncmp(err, prefixes[i], strlen(prefixes[i])) == 0) prefixed = true;
    const char *nl = strchr(err, '\n');
    const char *said = strstr(err, "error:");
    if (err[0] == '\0') why = "the error message is empty";
    else if (nl != NULL && FUZZ_STRICT) why = "the error message has more than one line";
    else if (!prefixed) why = "the error message does not start with the input's name";
    else if (said == NULL || (nl != NULL && said > nl)) why = "the error message has no 'error:'";
    if (why == NULL) return;
    fprintf(stderr, "fuzz: error contract broken: %s:\n%s\n", why, err);
    abort();
}

#endif
