/* fuzz_scenario.c -- feeds scenario files to the loader, for fuzzers.
 *
 *   build/tools/fuzz_scenario FILE...      loads each file, prints "ok" or
 *                                          the error, exits 0 unless it crashed
 *   cc -DSCN_LIBFUZZER -fsanitize=fuzzer,address ...   a libFuzzer target
 *
 * With AFL: afl-fuzz -i tests/broken -o out -- build/tools/fuzz_scenario @@
 * Invariant: whatever the input, scn_load must return 0 or -1 with a
 * message that starts with the path; anything else (a crash, a sanitizer
 * report, a message without "error:") is a bug, and this tool aborts on it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/scenario/scn.h"

static void check_one(const char *path, int rc, const scn *s, const char *err) {
    if (rc == 0) {
        SIM_ASSERT(s->node_count <= SIM_NODES_MAX);
        SIM_ASSERT(s->fault_count <= SCN_FAULTS_MAX);
        for (uint32_t i = 0; i < s->fault_count; i++) {
            SIM_ASSERT(s->faults[i].at_ns >= 0);
            SIM_ASSERT(s->faults[i].at_ns <= s->duration_ns);
            SIM_ASSERT(i == 0 || s->faults[i - 1].at_ns <= s->faults[i].at_ns);
            SIM_ASSERT(s->faults[i].node < (int32_t)s->node_count);
        }
        for (uint32_t i = 0; i < s->link_count; i++) {
            SIM_ASSERT(s->links[i].from >= 0);
            SIM_ASSERT(s->links[i].from < (int32_t)s->node_count);
            SIM_ASSERT(s->links[i].to >= 0);
            SIM_ASSERT(s->links[i].to < (int32_t)s->node_count);
        }
        return;
    }
    SIM_ASSERT(strncmp(err, path, strlen(path)) == 0);
    SIM_ASSERT(strstr(err, ": error: ") != NULL);
}

#ifdef SCN_LIBFUZZER
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    scn *s = sim_xmalloc(sizeof *s);
    char err[SIM_ERR_MAX];
    int rc = scn_load_buffer("fuzz.yaml", (const char *)data, size, s, err, sizeof err);
    check_one("fuzz.yaml", rc, s, err);
    if (rc == 0) scn_free(s);
    free(s);
    return 0;
}
#else
int main(int argc, char **argv) {
    scn *s = sim_xmalloc(sizeof *s);
    bool quiet = argc > 1 && strcmp(argv[1], "-q") == 0;
    for (int i = quiet ? 2 : 1; i < argc; i++) {
        char err[SIM_ERR_MAX];
        int rc = scn_load(argv[i], s, err, sizeof err);
        check_one(argv[i], rc, s, err);
        if (!quiet) printf("%s\n", rc == 0 ? "ok" : err);
        if (rc == 0) scn_free(s);
    }
    free(s);
    return 0;
}
#endif
