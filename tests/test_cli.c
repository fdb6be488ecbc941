/* test_cli.c -- the command line's contract (DESIGN.md 7): exit codes,
 * output forms, report files.  Runs the real binary ($BUILD/ccsim) from the
 * repository root, as a user would. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "tests/test_cli_support.h"

#define OUT_MAX 65536


/* Runs `ccsim ARGS` with stdout (and stderr when both) captured; returns
 * the exit code. */
static int run(char *out, size_t len, bool both, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int rc = cli_vrun(out, len, NULL, both, fmt, ap);
    va_end(ap);
    return rc;
}

static bool file_exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && st.st_size > 0;
}

static int setup(void **state) {
    (void)state;
    return cli_setup("cli");
}

static int teardown(void **state) {
    (void)state;
    return cli_teardown();
}

static void version_and_help_exit_zero(void **state) {
    (void)state;
    char out[OUT_MAX];
    assert_int_equal(run(out, sizeof out, false, "--version"), 0);
    assert_non_null(strstr(out, "ccsim "));
    assert_int_equal(run(out, sizeof out, false, "--help"), 0);
    assert_non_null(strstr(out, "ccsim run FILE.yaml"));
    assert_int_equal(run(out, sizeof out, false, "run --help"), 0);
    assert_non_null(strstr(out, "--seed"));
}

static void an_unknown_command_or_option_is_a_usage_error(void **state) {
    (void)state;
    char out[OUT_MAX];
    assert_int_equal(run(out, sizeof out, true, "frobnicate"), 2);
    assert_non_null(strstr(out, "unknown command 'frobnicate'"));
    assert_int_equal(run(out, sizeof out, true, "run --sed 3 x.yaml"), 2);
    assert_non_null(strstr(out, "unknown option '--sed'"));
    assert_int_equal(run(out, sizeof out, true, "run"), 2);
    assert_int_equal(run(out, sizeof out, true, "run no/such/file.yaml"), 2);
    assert_non_null(strstr(out, "no/such/file.yaml"));
}

/* strtoull takes " -1" as 2^64-1 and wraps silently (issue 14): a seed is
 * digits only, and one past 2^64-1 is too large, not negative. */
static void a_seed_is_digits_only_and_fits_64_bits(void **state) {
    (void)state;
    char out[OUT_MAX];
    const char *l2 = "scenarios/locks/L2-lease-gc-pause.yaml";
    assert_int_equal(run(out, sizeof out, true, "run %s --seed ' -1' -q --no-plot", l2), 2);
    assert_non_null(strstr(out, "ccsim run: --seed needs a non-negative integer"));
    assert_int_equal(run(out, sizeof out, true, "run %s --seed 18446744073709551616 -q --no-plot", l2), 2);
    assert_non_null(strstr(out, "'18446744073709551616' is too large (expected at most "
                                "18446744073709551615)"));
    assert_int_equal(run(out, sizeof out, true, "run %s --seed", l2), 2);
    assert_int_equal(run(out, sizeof out, true, "compare %s --vary params.fencing=false,true "
                                                "--seed -3", l2), 2);
    assert_non_null(strstr(out, "ccsim compare: --seed needs a non-negative integer"));
}

static void a_violation_exits_one_and_tells_the_story_and_the_seed(void **state) {
    (void)state;
    char out[OUT_MAX];
    int rc = run(out, sizeof out, false, "run scenarios/locks/L2-lease-gc-pause.yaml --out %s/l2", tmpdir);
    assert_int_equal(rc, 1);
    assert_non_null(strstr(out, "mutual-exclusion  violation"));
    assert_non_null(strstr(out, "what happened"));
    assert_non_null(strstr(out, "reproduce ccsim run scenarios/locks/L2-lease-gc-pause.yaml --seed 1"));
    const char *files[] = { "summary.json", "history.edn", "trace.log", "story.txt" };
    for (size_t i = 0; i < 4; i++) {
        char p[512];
        snprintf(p, sizeof p, "%s/l2/%s", tmpdir, files[i]);
        assert_true(file_exists(p));
    }
}

static void a_safe_run_exits_zero(void **state) {
    (void)state;
    char out[OUT_MAX];
    int rc = run(out, sizeof out, false, "run scenarios/locks/L3b-release-compare-and-delete.yaml -q --out %s/l3b", tmpdir);
    assert_int_equal(rc, 0);
    assert_null(strstr(out, "violation"));
}

/* --twice checks the seed against itself first, then runs as usual. */
static void twice_prints_the_determinism_line_then_the_run(void **state) {
    (void)state;
    char out[OUT_MAX];
    int rc = run(out, sizeof out, false, "run scenarios/locks/L2-lease-gc-pause.yaml --twice -q --seed 3 "
                 "--no-plot --out %s/tw", tmpdir);
    assert_int_equal(rc, 1);                                   /* L2's violation, as without --twice */
    assert_true(strncmp(out, "determinism  ok (", 17) == 0);
    assert_non_null(strstr(out, " events, hash "));
    assert_non_null(strstr(out, "\nmutual-exclusion  violation"));
    assert_int_equal(run(out, sizeof out, false, "run --help"), 0);
    assert_non_null(strstr(out, "--twice"));
    assert_non_null(strstr(out, "4 internal error"));
}

static void json_prints_the_summary_with_the_seed_given(void **state) {
    (void)state;
    char out[OUT_MAX];
    int rc = run(out, sizeof out, false, "run scenarios/locks/L2-lease-gc-pause.yaml --json --seed 7 --out %s/j", tmpdir);
    assert_int_equal(rc, 1);
    assert_true(out[0] == '{');
    assert_non_null(strstr(out, "\"seed\": 7"));
    assert_non_null(strstr(out, "\"verdict\": \"violation\""));
}

static void check_prints_pass_lines_and_the_tally(void **state) {
    (void)state;
    char out[OUT_MAX];
    int rc = run(out, sizeof out, false, "check scenarios/locks/L2-lease-gc-pause.yaml scenarios/locks/L4-fencing-token-gc-pause.yaml");
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "PASS L2-lease-gc-pause (scenarios/locks/L2-lease-gc-pause.yaml): mutual-exclusion violation, "
                                "lease-overlap violation, lost-update violation, liveness ok, linearizable ok\n"));
    assert_non_null(strstr(out, "2 passed, 0 failed\n"));
}

static void check_fails_a_scenario_whose_expectation_is_wrong(void **state) {
    (void)state;
    char path[512], out[OUT_MAX];
    snprintf(path, sizeof path, "%s/wrong.yaml", tmpdir);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "sed 's/^  mutual-exclusion: violation/  mutual-exclusion: ok/' "
             "scenarios/locks/L2-lease-gc-pause.yaml > %s", path);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(run(out, sizeof out, false, "check %s", path), 1);
    char want[1024];
    snprintf(want, sizeof want, "FAIL L2-lease-gc-pause (%s): mutual-exclusion expected ok, got "
             "violation\n", path);
    assert_non_null(strstr(out, want));
    assert_non_null(strstr(out, "0 passed, 1 failed"));
}

/* A file that does not load, or names what the registry refuses: its
 * line is the located error itself, path first. */
static void check_lines_of_files_that_cannot_run_carry_their_located_error(void **state) {
    (void)state;
    char out[OUT_MAX];
    assert_int_equal(run(out, sizeof out, false, "check tests/broken/restart-twice.yaml "
                         "tests/registry_broken/check-not-for-this-protocol.yaml"), 2);
    assert_non_null(strstr(out, "FAIL tests/broken/restart-twice.yaml:12:5: error: restart: "));
    assert_non_null(strstr(out, "FAIL broken (tests/registry_broken/check-not-for-this-protocol.yaml"
                                "): could not run: tests/registry_broken/check-not-for-this-protocol"
                                ".yaml:8:28: error: check 'atomicity' does not apply"));
    assert_non_null(strstr(out, "0 passed, 2 failed\n"));
}

static void check_runs_each_real_file_once_and_does_not_follow_loops(void **state) {
    (void)state;
    char out[OUT_MAX], cmd[2048];
    snprintf(cmd, sizeof cmd, "mkdir -p %s/lib/sub && cp scenarios/locks/L2-lease-gc-pause.yaml "
             "%s/lib/sub/ && ln -s .. %s/lib/sub/up && ln -s . %s/lib/self && "
             "ln -s sub/L2-lease-gc-pause.yaml %s/lib/again.yaml", tmpdir, tmpdir, tmpdir,
             tmpdir, tmpdir);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(run(out, sizeof out, false, "check %s/lib", tmpdir), 0);
    char want[1024];
    snprintf(want, sizeof want, "PASS L2-lease-gc-pause (%s/lib/again.yaml): mutual-exclusion "
             "violation, lease-overlap violation, lost-update violation, liveness ok, linearizable "
             "ok\n1 passed, 0 failed\n", tmpdir);
    assert_string_equal(out, want);
}

static void check_writes_junit_and_tap(void **state) {
    (void)state;
    char out[OUT_MAX], junit[512];
    snprintf(junit, sizeof junit, "%s/junit.xml", tmpdir);
    assert_int_equal(run(out, sizeof out, false, "check scenarios/locks --tap --junit %s", junit), 0);
    assert_true(strncmp(out, "1..", 3) == 0);
    assert_non_null(strstr(out, "ok 1 - "));
    assert_true(file_exists(junit));
    FILE *f = fopen(junit, "r");
    char buf[4096];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    assert_non_null(strstr(buf, "<testsuite name=\"ccsim scenarios\""));
}

static void list_shows_protocols_params_and_checks(void **state) {
    (void)state;
    char out[OUT_MAX];
    assert_int_equal(run(out, sizeof out, false, "list protocols"), 0);
    assert_non_null(strstr(out, "setnx-lock"));
    assert_non_null(strstr(out, "ttl"));
    assert_int_equal(run(out, sizeof out, false, "list checks"), 0);
    assert_non_null(strstr(out, "mutual-exclusion"));
    assert_non_null(strstr(out, "oversell           more items confirmed than were in stock, stock "
                                "below zero, or stock + confirmed != initial (decrements lost)\n"
                                "                   applies to: any protocol; workload flash-sale\n"));
    assert_non_null(strstr(out, "applies to: protocols 2pc, saga, db, payment-api; any workload\n"));
    assert_int_equal(run(out, sizeof out, true, "list nonsense"), 2);
}

static bool dir_exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* 20 clients x 4096 requests reach a limiter paused for 5 s: more events
 * wait for it than the engine holds, so the run fails as it goes. */
static void a_run_that_fails_leaves_no_report_directory(void **state) {
    (void)state;
    char out[OUT_MAX], path[512];
    snprintf(path, sizeof path, "%s/park.yaml", tmpdir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("name: park\nprotocol: rate-limiter\n"
          "params: {algorithm: token-bucket, limit: 100, window: 60s}\n"
          "nodes: {limiter: 1, client: 20}\nduration: 10s\n"
          "workload: {kind: requests, every: 1us, count: 4096}\n"
          "faults: [{at: 0ms, pause: limiter1, for: 5s}]\n", f);
    fclose(f);
    assert_int_equal(run(out, sizeof out, true, "run %s -q --out %s/new/park", path, tmpdir), 2);
    assert_non_null(strstr(out, "events waiting while paused"));
    snprintf(path, sizeof path, "%s/new", tmpdir);
    assert_false(dir_exists(path));
    assert_true(dir_exists(tmpdir));            /* what was there before stays */
}

static void an_out_directory_too_long_is_an_error_not_cut(void **state) {
    (void)state;
    char out[OUT_MAX], dir[1100];
    memset(dir, 'd', sizeof dir - 1);
    dir[sizeof dir - 1] = '\0';
    for (size_t i = 100; i < sizeof dir - 1; i += 100) dir[i] = '/';
    assert_int_equal(run(out, sizeof out, true, "run scenarios/locks/L2-lease-gc-pause.yaml "
                         "-q --out %s/%s", tmpdir, dir), 2);
    assert_non_null(strstr(out, "ccsim run: --out is "));
    assert_non_null(strstr(out, " bytes long (expected at most 1023)"));
    assert_int_equal(run(out, sizeof out, true, "compare scenarios/locks/L2-lease-gc-pause.yaml "
                         "--vary params.fencing=false,true --out %s/%s", tmpdir, dir), 2);
    assert_non_null(strstr(out, "ccsim compare: --out is "));
    char first[512];
    snprintf(first, sizeof first, "%s/%.100s", tmpdir, dir);
    assert_false(dir_exists(first));
}

static void the_same_seed_gives_the_same_report_bytes(void **state) {
    (void)state;
    char out[OUT_MAX], cmd[1024];
    run(out, sizeof out, false, "run scenarios/locks/W2-watchdog-gc-pause.yaml -q --out %s/a", tmpdir);
    run(out, sizeof out, false, "run scenarios/locks/W2-watchdog-gc-pause.yaml -q --out %s/b", tmpdir);
    snprintf(cmd, sizeof cmd, "diff -r %s/a %s/b >/dev/null", tmpdir, tmpdir);
    assert_int_equal(system(cmd), 0);
}

/* ---- budgets (issue 14, findings 3 and 7) ---- */

static bool path_exists(const char *dir, const char *name) {
    char p[1024];
    struct stat st;
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return stat(p, &st) == 0;
}

/* A stopped run leaves no report file, whole or partial. */
static void assert_no_report(const char *dir) {
    const char *files[] = { "trace.log.tmp", "trace.log", "summary.json", "history.edn",
                            "story.txt", "timeline.gp" };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) assert_false(path_exists(dir, files[i]));
}

static void a_run_past_its_event_budget_exits_five_and_leaves_no_report(void **state) {
    (void)state;
    char out[OUT_MAX], dir[512];
    snprintf(dir, sizeof dir, "%s/budget-events", tmpdir);
    int rc = run(out, sizeof out, true, "run scenarios/locks/L2-lease-gc-pause.yaml --max-events 20 --out %s", dir);
    assert_int_equal(rc, 5);
    assert_non_null(strstr(out, "scenarios/locks/L2-lease-gc-pause.yaml: error: the run passed its "
                                "budget of 20 events at true time "));
    assert_non_null(strstr(out, "--max-events N)\n"));
    assert_no_report(dir);
    assert_int_equal(run(out, sizeof out, true, "run x.yaml --max-events 0"), 2);
    assert_non_null(strstr(out, "--max-events needs a number above 0"));
    assert_int_equal(run(out, sizeof out, true, "run x.yaml --max-trace"), 2);
}

static void a_run_past_its_trace_budget_exits_five_and_removes_the_partial_trace(void **state) {
    (void)state;
    char out[OUT_MAX], dir[512];
    snprintf(dir, sizeof dir, "%s/budget-trace", tmpdir);
    int rc = run(out, sizeof out, true, "run scenarios/locks/L2-lease-gc-pause.yaml --max-trace 1000 --out %s", dir);
    assert_int_equal(rc, 5);
    assert_non_null(strstr(out, "budget of 1000 bytes of trace.log"));
    assert_no_report(dir);
    rc = run(out, sizeof out, true, "run scenarios/locks/L2-lease-gc-pause.yaml --max-trace 1000000 "
             "--max-events 1000 -q --out %s", dir);
    assert_int_equal(rc, 1);                      /* budgets it stays inside change nothing */
    assert_true(path_exists(dir, "trace.log"));
}

/* Finding 7: lease-lock at the largest horizon would run for hours writing
 * trace.log at 60 MB/s; the budget stops it (a small one, to be quick). */
static void lease_lock_at_the_largest_horizon_stops_at_its_budget(void **state) {
    (void)state;
    char out[OUT_MAX], dir[512];
    snprintf(dir, sizeof dir, "%s/lease-year", tmpdir);
    int rc = run(out, sizeof out, true, "run scenarios/locks/W3-coord-service-session-expiry.yaml "
                 "--set duration=8760h --max-events 200000 --out %s", dir);
    assert_int_equal(rc, 5);
    assert_non_null(strstr(out, "of 31536000 s and was stopped"));
    assert_no_report(dir);
}

/* Finding 7: a run stopped by Ctrl-C left trace.log.tmp behind (48 MB
 * after 2 s of lease-lock at the largest horizon).  A run that big keeps
 * a trace only when asked (--trace), streamed while it runs. */
static void a_run_stopped_by_a_signal_removes_its_partial_trace(void **state) {
    (void)state;
    char out[OUT_MAX], dir[512];
    snprintf(dir, sizeof dir, "%s/interrupted", tmpdir);
    run(out, sizeof out, true, "run scenarios/locks/W3-coord-service-session-expiry.yaml "
        "--set duration=8760h --trace --out %s & pid=$!; sleep 1; kill -INT $pid; wait $pid", dir);
    assert_true(path_exists(dir, "."));          /* it had started writing */
    assert_no_report(dir);
    run(out, sizeof out, true, "run scenarios/locks/W3-coord-service-session-expiry.yaml "
        "--set duration=8760h --trace --out %s & pid=$!; sleep 1; kill -TERM $pid; wait $pid", dir);
    assert_no_report(dir);
}

/* A workload that needs more events than the budget is refused before it
 * runs, at the parameter that drives it. */
static void a_workload_beyond_the_event_budget_is_refused_up_front(void **state) {
    (void)state;
    char out[OUT_MAX], path[512];
    snprintf(path, sizeof path, "%s/huge.yaml", tmpdir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("name: huge\nprotocol: setnx-lock\nnodes:\n  redis: 1\n  client: 13\n  storage: 1\n"
          "workload:\n  kind: lock-counter\n  iterations: 1000000\n", f);
    fclose(f);
    int rc = run(out, sizeof out, true, "run %s --out %s/huge", path, tmpdir);
    assert_int_equal(rc, 2);
    assert_non_null(strstr(out, "huge.yaml:9:15: error: iterations: the workload needs at least "
                                "104000000 events, beyond the run's budget of 100000000"));
    assert_false(path_exists(tmpdir, "huge"));
    rc = run(out, sizeof out, true, "run scenarios/locks/L3b-release-compare-and-delete.yaml "
             "--set workload.iterations=20 --max-events 100 --out %s/l3b-20", tmpdir);
    assert_int_equal(rc, 2);
    assert_non_null(strstr(out, "--set workload.iterations=20: error: iterations: the workload needs"));
}

/* Finding 3: one scenario that cannot finish no longer takes the others
 * down; check says which one and exits 5. */
static void check_goes_on_past_a_run_over_its_budget(void **state) {
    (void)state;
    char out[OUT_MAX];
    int rc = run(out, sizeof out, false, "check scenarios/locks/L2-lease-gc-pause.yaml "
                 "scenarios/locks/L1-setnx-no-ttl-holder-crash.yaml --max-events 40");
    assert_int_equal(rc, 5);
    assert_non_null(strstr(out, "FAIL L1-setnx-no-ttl-holder-crash (scenarios/locks/"
                                "L1-setnx-no-ttl-holder-crash.yaml): stopped at its event budget"));
    assert_non_null(strstr(out, "PASS L2-lease-gc-pause (scenarios/locks/L2-lease-gc-pause.yaml): "));
    assert_non_null(strstr(out, "1 passed, 1 failed\n"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(version_and_help_exit_zero),
        cmocka_unit_test(an_unknown_command_or_option_is_a_usage_error),
        cmocka_unit_test(a_seed_is_digits_only_and_fits_64_bits),
        cmocka_unit_test(a_violation_exits_one_and_tells_the_story_and_the_seed),
        cmocka_unit_test(a_safe_run_exits_zero),
        cmocka_unit_test(twice_prints_the_determinism_line_then_the_run),
        cmocka_unit_test(json_prints_the_summary_with_the_seed_given),
        cmocka_unit_test(check_prints_pass_lines_and_the_tally),
        cmocka_unit_test(check_fails_a_scenario_whose_expectation_is_wrong),
        cmocka_unit_test(check_lines_of_files_that_cannot_run_carry_their_located_error),
        cmocka_unit_test(check_writes_junit_and_tap),
        cmocka_unit_test(check_runs_each_real_file_once_and_does_not_follow_loops),
        cmocka_unit_test(list_shows_protocols_params_and_checks),
        cmocka_unit_test(the_same_seed_gives_the_same_report_bytes),
        cmocka_unit_test(a_run_that_fails_leaves_no_report_directory),
        cmocka_unit_test(an_out_directory_too_long_is_an_error_not_cut),
        cmocka_unit_test(a_run_past_its_event_budget_exits_five_and_leaves_no_report),
        cmocka_unit_test(a_run_past_its_trace_budget_exits_five_and_removes_the_partial_trace),
        cmocka_unit_test(lease_lock_at_the_largest_horizon_stops_at_its_budget),
        cmocka_unit_test(a_run_stopped_by_a_signal_removes_its_partial_trace),
        cmocka_unit_test(a_workload_beyond_the_event_budget_is_refused_up_front),
        cmocka_unit_test(check_goes_on_past_a_run_over_its_budget),
    };
    return cmocka_run_group_tests_name("cli", tests, setup, teardown);
}
