/* test_shrink.c -- `ccsim shrink` (sim/cli/shrink.c), as a user runs it:
 * a failing seed of a scenario with a nemesis becomes FILE.min.yaml with a
 * few scripted faults, which fails when run; seeds that do not fail and
 * bad arguments are refused with exit 2.  Runs the real binary
 * ($BUILD/ccsim) from the repository root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "tests/test_cli_support.h"

#define OUT_MAX 65536
#define L2 "scenarios/locks/L2-lease-gc-pause.yaml"
/* L2 without its scripted pause, clients busy for 20 s, and random pauses
 * of the clients: some seeds lose mutual exclusion, found by the nemesis. */
#define L2_RANDOM \
    "--set 'faults=[]' --set workload.iterations=20 --set workload.hold=1s " \
    "--set workload.start.c2=0ms " \
    "--set 'nemesis={kinds: [pause, clock-jump], targets: client, every: 3s, " \
    "for: {uniform: [1s, 15s]}}'"


/* Runs `ccsim ARGS` with stdout and stderr captured; returns the exit code. */
static int run(char *out, size_t len, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int rc = cli_vrun(out, len, NULL, true, fmt, ap);
    va_end(ap);
    return rc;
}

static char *slurp(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    char *text = calloc(1, OUT_MAX);
    assert_non_null(text);
    size_t n = fread(text, 1, OUT_MAX - 1, f);
    text[n] = '\0';
    fclose(f);
    return text;
}

static uint32_t count_lines_starting(const char *text, const char *prefix) {
    uint32_t n = 0;
    for (const char *p = text; p; p = strchr(p, '\n')) {
        if (*p == '\n') p++;
        n += strncmp(p, prefix, strlen(prefix)) == 0;
    }
    return n;
}

static int setup(void **state) {
    (void)state;
    return cli_setup("shrink");
}

static int teardown(void **state) {
    (void)state;
    return cli_teardown();
}

/* The first seed in 1..40 whose run violates mutual exclusion. */
static uint64_t failing_seed(void) {
    char out[OUT_MAX];
    for (uint64_t seed = 1; seed <= 40; seed++) {
        run(out, sizeof out, "run " L2 " " L2_RANDOM " --seed %llu --no-plot -q --out %s/probe",
            (unsigned long long)seed, tmpdir);
        if (strstr(out, "mutual-exclusion  violation")) return seed;
    }
    fail_msg("no seed in 1..40 lost mutual exclusion under random pauses");
    return 0;
}

static void a_failure_found_by_the_nemesis_shrinks_to_a_few_faults_that_still_fail(void **s) {
    (void)s;
    char out[OUT_MAX];
    uint64_t seed = failing_seed();
    assert_int_equal(run(out, sizeof out, "shrink " L2 " " L2_RANDOM " --seed %llu --check "
                         "mutual-exclusion --out %s/min.yaml", (unsigned long long)seed, tmpdir),
                     0);
    assert_non_null(strstr(out, "still failing mutual-exclusion"));
    char path[512];
    snprintf(path, sizeof path, "%s/min.yaml", tmpdir);
    char *min = slurp(path);
    assert_non_null(min);
    uint32_t faults = count_lines_starting(min, "  - {at:");
    assert_true(faults >= 1);
    assert_true(faults <= 3);                            /* issue 10's bar */
    assert_null(strstr(min, "\nnemesis:"));              /* scripted faults only */
    assert_non_null(strstr(min, "expect:\n  mutual-exclusion: violation"));
    free(min);
    assert_int_equal(run(out, sizeof out, "run %s --no-plot -q --out %s/minrun", path, tmpdir), 1);
    assert_non_null(strstr(out, "mutual-exclusion  violation"));
    assert_int_equal(run(out, sizeof out, "check %s", path), 0);   /* a regression scenario */
}

static void a_scripted_failure_keeps_its_fault_and_drops_the_drawn_ones(void **s) {
    (void)s;
    char out[OUT_MAX], path[512];
    snprintf(path, sizeof path, "%s/l2.min.yaml", tmpdir);
    /* L2's own pause fails mutual exclusion; seed 3's swarm draws must not matter */
    uint64_t seed = 0;
    for (uint64_t k = 1; k <= 40 && !seed; k++) {
        run(out, sizeof out, "run " L2 " --set 'nemesis={swarm: true, every: 2s}' --seed %llu "
            "--no-plot -q --out %s/probe", (unsigned long long)k, tmpdir);
        if (strstr(out, "mutual-exclusion  violation")) seed = k;
    }
    assert_true(seed > 0);
    assert_int_equal(run(out, sizeof out, "shrink " L2 " --set 'nemesis={swarm: true, every: "
                         "2s}' --seed %llu --out %s", (unsigned long long)seed, path), 0);
    char *min = slurp(path);
    assert_non_null(min);
    assert_int_equal(count_lines_starting(min, "  - {at:"), 1);
    assert_non_null(strstr(min, "pause: c1"));
    free(min);
}

/* R3 has no persistence: a process crash loses the lock key as a power
 * loss does, so shrink says crash; R3c (everysec) fails only when C loses
 * power, so the power loss stays. */
static void a_power_loss_that_a_crash_can_stand_for_shrinks_to_the_crash(void **s) {
    (void)s;
    char out[OUT_MAX], path[512];
    snprintf(path, sizeof path, "%s/r3.min.yaml", tmpdir);
    assert_int_equal(run(out, sizeof out, "shrink scenarios/redlock/R3-redlock-crash-restart-"
                         "no-persistence.yaml --set 'faults=[{at: 0ms, cut: {from: [c1], to: "
                         "[D, E]}, both: true}, {at: 0ms, cut: {from: [c2], to: [A, B]}, both: "
                         "true}, {at: 1s, power-loss: C, for: 100ms}]' --seed 1 --check "
                         "mutual-exclusion --out %s", path), 0);
    char *min = slurp(path);
    assert_non_null(min);
    assert_non_null(strstr(min, "crash: C"));
    assert_null(strstr(min, "power-loss"));
    free(min);
    snprintf(path, sizeof path, "%s/r3c.min.yaml", tmpdir);
    assert_int_equal(run(out, sizeof out, "shrink scenarios/redlock/R3c-redlock-aof-everysec-"
                         "power-loss.yaml --seed 1 --check mutual-exclusion --out %s", path), 0);
    min = slurp(path);
    assert_non_null(min);
    assert_non_null(strstr(min, "power-loss: C"));
    free(min);
}

static void a_seed_that_does_not_fail_is_refused(void **s) {
    (void)s;
    char out[OUT_MAX];
    assert_int_equal(run(out, sizeof out, "shrink scenarios/locks/L4-fencing-token-gc-pause.yaml --check mutual-exclusion "
                         "--seed 1 --out %s/none.yaml", tmpdir), 2);
    assert_non_null(strstr(out, "does not fail"));
    assert_int_equal(run(out, sizeof out, "shrink " L2 " --seed 1 --check no-such-check --out "
                         "%s/none.yaml", tmpdir), 2);
    assert_non_null(strstr(out, "no check 'no-such-check'"));
    assert_int_equal(run(out, sizeof out, "shrink " L2), 2);
    assert_non_null(strstr(out, "--seed S is required"));
    assert_int_equal(run(out, sizeof out, "shrink --help"), 0);
    assert_non_null(strstr(out, "delta"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_failure_found_by_the_nemesis_shrinks_to_a_few_faults_that_still_fail),
        cmocka_unit_test(a_scripted_failure_keeps_its_fault_and_drops_the_drawn_ones),
        cmocka_unit_test(a_power_loss_that_a_crash_can_stand_for_shrinks_to_the_crash),
        cmocka_unit_test(a_seed_that_does_not_fail_is_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
