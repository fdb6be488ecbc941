/* fuzz_set.c -- `ccsim run --set KEY=VALUE`: the input, split at newlines
 * into up to SCN_SETS_MAX overrides, applied by scn_load_buffer_with_overrides
 * to one of two fixed scenarios: the input's first byte chooses, even (say
 * '0') the lock one, odd ('1') the db one.  What loads is then bound to its
 * protocol and workload (registry_sim_create: their parameter tables and
 * checks, whose errors about an override's value are relocated to it), but
 * not run.
 *
 * Invariant: the overrides load and bind, or fail with one line that obeys
 * the error contract (fuzz_support.h), starting with the file's name or
 * "--set ".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/registry/registry.h"
#include "sim/scenario/scn.h"
#include "tests/fuzz/fuzz_support.h"

#define FUZZ_NAME "fixed.yaml"
/* Longer overrides are cut before their "error:" (issue 14, finding 8,
 * fixed elsewhere); the target leaves them out until then. */
#define FUZZ_SET_LEN 256

static const char lock_scenario[] =
    "name: fixed-lock\n"
    "description: a lease lock with every section the loader reads\n"
    "seed: 7\n"
    "duration: 30s\n"
    "protocol: setnx-lock\n"
    "params:\n"
    "  ttl: 10s\n"
    "  release: compare-and-delete\n"
    "  fencing: false\n"
    "nodes:\n"
    "  redis: 1\n"
    "  client: [c1, c2]\n"
    "  storage: 1\n"
    "network:\n"
    "  latency: {uniform: [1ms, 3ms]}\n"
    "  loss: 1%\n"
    "  links:\n"
    "    - {from: c1, to: redis1, latency: 5ms}\n"
    "clocks:\n"
    "  c2: {offset: 10ms, rate: 1.001}\n"
    "workload:\n"
    "  kind: lock-counter\n"
    "  clients: [c1, c2]\n"
    "  iterations: 2\n"
    "  start: {c1: 0ms, c2: 10500ms}\n"
    "  hold: 0ms\n"
    "faults:\n"
    "  - {at: 4ms, pause: c1, for: 15s}\n"
    "  - {at: 1s, partition: [[c1], [redis1, c2, storage1]]}\n"
    "  - {at: 2s, heal: all}\n"
    "  - {at: 3s, clock: c2, jump: +2s}\n"
    "checks: [mutual-exclusion, lease-overlap, lost-update, liveness]\n"
    "expect:\n"
    "  mutual-exclusion: violation\n"
    "  liveness: ok\n";

static const char db_scenario[] =
    "name: fixed-db\n"
    "description: a flash sale\n"
    "seed: 1\n"
    "duration: 2s\n"
    "protocol: db\n"
    "params:\n"
    "  flavor: postgres\n"
    "  isolation: read-committed\n"
    "nodes:\n"
    "  db: 1\n"
    "  client: [shop]\n"
    "network:\n"
    "  latency: 1ms\n"
    "workload:\n"
    "  kind: flash-sale\n"
    "  clients: [shop]\n"
    "  stock: 100\n"
    "  buyers: 1000\n"
    "  every: 1ms\n"
    "  strategy: naive\n"
    "  think: 3ms\n"
    "checks: [oversell, lost-update, isolation, liveness]\n"
    "expect:\n"
    "  oversell: violation\n";

static void check_error(const char *err) {
    static const char *const prefixes[] = { FUZZ_NAME ":", "--set " };
    fuzz_check_error(err, prefixes, 2);
}

/* Splits text[0..len) at '\n' into NUL-terminated copies; 0, or -1 when a
 * piece is too long (left out, above) or there are too many. */
static int split(const char *text, size_t len, char sets[][FUZZ_SET_LEN], uint32_t *count) {
    *count = 0;
    if (len == 0) return 0;              /* no override: the scenario as it is */
    size_t i = 0;
    while (i <= len) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t n = nl ? (size_t)(nl - (text + i)) : len - i;
        if (n >= FUZZ_SET_LEN || *count == SCN_SETS_MAX) return -1;
        memcpy(sets[*count], text + i, n);
        sets[*count][n] = '\0';
        (*count)++;
        i += n + 1;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    const char *text = (data[0] & 1) ? db_scenario : lock_scenario;
    static char sets[SCN_SETS_MAX][FUZZ_SET_LEN];
    uint32_t count = 0;
    if (split((const char *)data + 1, size - 1, sets, &count) != 0) return 0;
    const char *ptrs[SCN_SETS_MAX];
    for (uint32_t k = 0; k < count; k++) ptrs[k] = sets[k];
    scn *s = calloc(1, sizeof *s);
    if (s == NULL) abort();
    char err[SIM_ERR_MAX];
    if (scn_load_buffer_with_overrides(FUZZ_NAME, text, strlen(text), ptrs, count, s, err,
                                       sizeof err) != 0) {
        check_error(err);
        free(s);
        return 0;
    }
    sim *run = NULL;
    if (registry_sim_create(s, NULL, &run, err, sizeof err) != 0) check_error(err);
    sim_destroy(run);
    scn_free(s);
    free(s);
    return 0;
}
