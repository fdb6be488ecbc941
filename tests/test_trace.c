/* test_trace.c -- trace.log on request (issue 17): a run of at most
 * 100 000 events keeps it by default, a bigger one only with --trace;
 * `ccsim run --no-trace`
 * writes the rest of the report unchanged, and `ccsim trace RUNDIR` writes
 * the trace `ccsim run` would have, byte for byte, by running the recorded
 * scenario, seed and --set options again; or refuses, exit 2, when the
 * scenario file is gone or changed or the directory is no report.  Runs
 * the real binary ($BUILD/ccsim) from the repository root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tests/test_cli_support.h"

#define OUT_MAX 65536

static int run(char *out, size_t len, bool both, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int rc = cli_vrun(out, len, NULL, both, fmt, ap);
    va_end(ap);
    return rc;
}

static bool has(const char *dir, const char *name) {
    char p[1024];
    struct stat st;
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return stat(p, &st) == 0;
}

/* cmp's verdict on two files: true when their bytes are the same. */
static bool same_bytes(const char *a, const char *b) {
    char cmd[2200];
    snprintf(cmd, sizeof cmd, "cmp -s '%s' '%s'", a, b);
    return system(cmd) == 0;
}

static bool same_file(const char *dir_a, const char *dir_b, const char *name) {
    char a[1024], b[1024];
    snprintf(a, sizeof a, "%s/%s", dir_a, name);
    snprintf(b, sizeof b, "%s/%s", dir_b, name);
    return same_bytes(a, b);
}

/* RUN with trace.log into tmpdir/NAME-full and with --no-trace into
 * tmpdir/NAME-bare; both paths out. */
static void run_both(const char *name, const char *args, char *full, char *bare, size_t len) {
    char out[OUT_MAX];
    snprintf(full, len, "%s/%s-full", tmpdir, name);
    snprintf(bare, len, "%s/%s-bare", tmpdir, name);
    int rc_full = run(out, sizeof out, false, "run %s -q --no-plot --out %s", args, full);
    int rc_bare = run(out, sizeof out, false, "run %s -q --no-plot --no-trace --out %s", args, bare);
    assert_true(rc_full == 0 || rc_full == 1);
    assert_int_equal(rc_bare, rc_full);
    assert_true(has(full, "trace.log"));
}

static int setup(void **state) {
    (void)state;
    return cli_setup("trace");
}

static int teardown(void **state) {
    (void)state;
    return cli_teardown();
}

static void no_trace_writes_no_trace_log_and_the_same_other_files(void **state) {
    (void)state;
    char full[512], bare[512];
    run_both("l2", "scenarios/locks/L2-lease-gc-pause.yaml", full, bare, sizeof full);
    assert_false(has(bare, "trace.log"));
    assert_false(has(bare, "trace.log.tmp"));
    const char *files[] = { "summary.json", "history.edn", "story.txt" };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) assert_true(same_file(full, bare, files[i]));
}

static void no_trace_removes_the_trace_an_earlier_run_left_in_the_directory(void **state) {
    (void)state;
    char out[OUT_MAX], dir[512];
    snprintf(dir, sizeof dir, "%s/again", tmpdir);
    run(out, sizeof out, false, "run scenarios/locks/L2-lease-gc-pause.yaml -q --no-plot --out %s", dir);
    assert_true(has(dir, "trace.log"));
    run(out, sizeof out, false, "run scenarios/locks/L2-lease-gc-pause.yaml -q --no-plot --no-trace "
        "--seed 2 --out %s", dir);
    assert_false(has(dir, "trace.log"));           /* it was seed 1's, not this run's */
}

static void trace_writes_the_trace_of_a_run_with_faults_byte_for_byte(void **state) {
    (void)state;
    char out[OUT_MAX], full[512], bare[512];
    run_both("faults", "scenarios/locks/L2-lease-gc-pause.yaml", full, bare, sizeof full);
    assert_int_equal(run(out, sizeof out, true, "trace %s", bare), 0);
    assert_true(same_file(full, bare, "trace.log"));
    assert_false(has(bare, "trace.log.tmp"));
}

static void trace_replays_the_faults_a_nemesis_drew_for_the_seed(void **state) {
    (void)state;
    char out[OUT_MAX], full[512], bare[512];
    run_both("nemesis", "scenarios/locks/L2n-lease-random-gc-pauses.yaml --seed 8", full, bare,
             sizeof full);
    assert_int_equal(run(out, sizeof out, true, "trace %s", bare), 0);
    assert_true(same_file(full, bare, "trace.log"));
}

static void trace_replays_the_set_options_the_run_was_given(void **state) {
    (void)state;
    char out[OUT_MAX], full[512], bare[512], file[1024], plain[1024];
    run_both("set", "scenarios/locks/L2-lease-gc-pause.yaml --set 'faults[0].for=5s' --seed 3",
             full, bare, sizeof full);
    snprintf(file, sizeof file, "%s/set.log", tmpdir);
    assert_int_equal(run(out, sizeof out, true, "trace %s -o %s", bare, file), 0);
    assert_non_null(strstr(out, file));
    assert_false(has(bare, "trace.log"));          /* -o: there, not in RUNDIR */
    snprintf(plain, sizeof plain, "%s/trace.log", full);
    assert_true(same_bytes(file, plain));
    run_both("noset", "scenarios/locks/L2-lease-gc-pause.yaml --seed 3", full, bare, sizeof full);
    snprintf(plain, sizeof plain, "%s/trace.log", full);
    assert_false(same_bytes(file, plain));         /* the override matters to the trace */
}

static void trace_writes_a_compare_variants_trace(void **state) {
    (void)state;
    char out[OUT_MAX], dir[512], variant[1024], full[512], bare[512];
    snprintf(dir, sizeof dir, "%s/cmp", tmpdir);
    run(out, sizeof out, false, "compare scenarios/locks/L2-lease-gc-pause.yaml --vary "
        "params.fencing=false,true --no-plot --out %s", dir);
    snprintf(variant, sizeof variant, "%s/2-true", dir);
    assert_int_equal(run(out, sizeof out, true, "trace %s", variant), 0);
    run_both("fencing", "scenarios/locks/L2-lease-gc-pause.yaml --set params.fencing=true", full,
             bare, sizeof full);
    assert_true(same_file(full, variant, "trace.log"));
}

/* The scenario copied into tmpdir, run from there without a trace. */
static void run_copy(const char *dir, char *copy, size_t len) {
    char out[OUT_MAX], cmd[2200];
    snprintf(copy, len, "%s/copy.yaml", tmpdir);
    snprintf(cmd, sizeof cmd, "cp scenarios/locks/L2-lease-gc-pause.yaml %s", copy);
    assert_int_equal(system(cmd), 0);
    run(out, sizeof out, false, "run %s -q --no-plot --no-trace --out %s", copy, dir);
    assert_true(has(dir, "summary.json"));
}

static void a_changed_scenario_file_is_refused_with_exit_two(void **state) {
    (void)state;
    char out[OUT_MAX], dir[512], copy[512], cmd[1200];
    snprintf(dir, sizeof dir, "%s/changed", tmpdir);
    run_copy(dir, copy, sizeof copy);
    snprintf(cmd, sizeof cmd, "echo '# edited' >> %s", copy);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(run(out, sizeof out, true, "trace %s", dir), 2);
    assert_non_null(strstr(out, "/summary.json:5:13: error: '"));
    assert_non_null(strstr(out, "' has changed since this run"));
    assert_non_null(strstr(out, "ccsim run "));     /* what to do instead */
    assert_false(has(dir, "trace.log"));
    assert_false(has(dir, "trace.log.tmp"));
}

static void a_missing_scenario_file_is_refused_with_exit_two(void **state) {
    (void)state;
    char out[OUT_MAX], dir[512], copy[512];
    snprintf(dir, sizeof dir, "%s/gone", tmpdir);
    run_copy(dir, copy, sizeof copy);
    assert_int_equal(remove(copy), 0);
    assert_int_equal(run(out, sizeof out, true, "trace %s", dir), 2);
    assert_non_null(strstr(out, "error: the run's scenario file '"));
    assert_non_null(strstr(out, "cannot be read"));
    assert_false(has(dir, "trace.log"));
}

static void a_missing_or_bad_report_directory_is_a_located_error_with_exit_two(void **state) {
    (void)state;
    char out[OUT_MAX], dir[512], cmd[1200];
    assert_int_equal(run(out, sizeof out, true, "trace %s/none", tmpdir), 2);
    assert_non_null(strstr(out, "/none/summary.json: error: cannot read it: No such file"));
    snprintf(dir, sizeof dir, "%s/bad", tmpdir);
    snprintf(cmd, sizeof cmd, "mkdir -p %s && printf '{\"scenario\": {\"path\": \"x\"}}\\n' > %s/summary.json",
             dir, dir);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(run(out, sizeof out, true, "trace %s", dir), 2);
    assert_non_null(strstr(out, "/bad/summary.json:1:14: error: no \"digest\" here"));
    snprintf(cmd, sizeof cmd, "printf '{\"seed\": [\\n' > %s/summary.json", dir);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(run(out, sizeof out, true, "trace %s", dir), 2);
    assert_non_null(strstr(out, "/bad/summary.json:2:1: error: not JSON"));
    assert_int_equal(run(out, sizeof out, true, "trace"), 2);
    assert_non_null(strstr(out, "which report directory?"));
    assert_int_equal(run(out, sizeof out, true, "trace a b"), 2);
    assert_int_equal(run(out, sizeof out, true, "trace %s --frobnicate", dir), 2);
}

#define BIG_RUN CLI_BIG_RUN " --no-plot"

static void a_run_of_at_most_100000_events_keeps_the_trace_it_would_have_streamed(void **state) {
    (void)state;
    char out[OUT_MAX], dflt[512], streamed[512];
    snprintf(dflt, sizeof dflt, "%s/small-default", tmpdir);
    snprintf(streamed, sizeof streamed, "%s/small-streamed", tmpdir);
    assert_int_equal(run(out, sizeof out, false, "run scenarios/locks/L2-lease-gc-pause.yaml --no-plot --out %s", dflt), 1);
    assert_null(strstr(out, "not kept"));
    assert_int_equal(run(out, sizeof out, false, "run scenarios/locks/L2-lease-gc-pause.yaml -q --no-plot --trace --out %s", streamed), 1);
    assert_true(has(dflt, "trace.log"));
    assert_true(same_file(dflt, streamed, "trace.log"));    /* made again = streamed */
    assert_true(same_file(dflt, streamed, "history.edn"));
    assert_false(has(dflt, "trace.log.tmp"));
}

static void a_bigger_run_keeps_no_trace_unless_asked_and_says_how_to_get_it(void **state) {
    (void)state;
    char out[OUT_MAX], dflt[512], asked[512];
    snprintf(dflt, sizeof dflt, "%s/big-default", tmpdir);
    snprintf(asked, sizeof asked, "%s/big-asked", tmpdir);
    assert_int_equal(run(out, sizeof out, false, BIG_RUN " --out %s", dflt), 0);
    assert_false(has(dflt, "trace.log"));
    assert_false(has(dflt, "trace.log.tmp"));
    assert_true(has(dflt, "summary.json"));
    assert_non_null(strstr(out, "trace     not kept: "));
    assert_non_null(strstr(out, "events, over 100000 (ccsim trace "));
    assert_non_null(strstr(out, "--trace keeps it"));
    assert_int_equal(run(out, sizeof out, false, BIG_RUN " -q --trace --out %s", asked), 0);
    assert_true(has(asked, "trace.log"));
    assert_true(same_file(dflt, asked, "summary.json"));    /* the rest is the same */
    assert_true(same_file(dflt, asked, "history.edn"));
    assert_int_equal(run(out, sizeof out, false, "trace %s", dflt), 0);
    assert_true(same_file(dflt, asked, "trace.log"));       /* and ccsim trace makes it */
}

static void a_bigger_run_removes_the_trace_an_earlier_run_left(void **state) {
    (void)state;
    char out[OUT_MAX], dir[512];
    snprintf(dir, sizeof dir, "%s/big-again", tmpdir);
    assert_int_equal(run(out, sizeof out, false, BIG_RUN " -q --trace --out %s", dir), 0);
    assert_true(has(dir, "trace.log"));
    assert_int_equal(run(out, sizeof out, false, BIG_RUN " -q --seed 2 --out %s", dir), 0);
    assert_false(has(dir, "trace.log"));                    /* it was the other seed's */
}

static void trace_and_no_trace_together_are_refused_with_exit_two(void **state) {
    (void)state;
    char out[OUT_MAX];
    assert_int_equal(run(out, sizeof out, true, "run scenarios/locks/L2-lease-gc-pause.yaml --trace --no-trace"), 2);
    assert_non_null(strstr(out, "--trace and --no-trace"));
}

static void help_teaches_trace_and_no_trace(void **state) {
    (void)state;
    char out[OUT_MAX];
    assert_int_equal(run(out, sizeof out, false, "--help"), 0);
    assert_non_null(strstr(out, "ccsim trace RUNDIR"));
    assert_int_equal(run(out, sizeof out, false, "trace --help"), 0);
    assert_non_null(strstr(out, "byte for byte"));
    assert_int_equal(run(out, sizeof out, false, "run --help"), 0);
    assert_non_null(strstr(out, "--no-trace"));
    assert_non_null(strstr(out, "at most 100000 events"));
    assert_int_equal(run(out, sizeof out, false, "sweep --help"), 0);
    assert_non_null(strstr(out, "--no-trace"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(no_trace_writes_no_trace_log_and_the_same_other_files),
        cmocka_unit_test(no_trace_removes_the_trace_an_earlier_run_left_in_the_directory),
        cmocka_unit_test(trace_writes_the_trace_of_a_run_with_faults_byte_for_byte),
        cmocka_unit_test(trace_replays_the_faults_a_nemesis_drew_for_the_seed),
        cmocka_unit_test(trace_replays_the_set_options_the_run_was_given),
        cmocka_unit_test(trace_writes_a_compare_variants_trace),
        cmocka_unit_test(a_changed_scenario_file_is_refused_with_exit_two),
        cmocka_unit_test(a_missing_scenario_file_is_refused_with_exit_two),
        cmocka_unit_test(a_missing_or_bad_report_directory_is_a_located_error_with_exit_two),
        cmocka_unit_test(a_run_of_at_most_100000_events_keeps_the_trace_it_would_have_streamed),
        cmocka_unit_test(a_bigger_run_keeps_no_trace_unless_asked_and_says_how_to_get_it),
        cmocka_unit_test(a_bigger_run_removes_the_trace_an_earlier_run_left),
        cmocka_unit_test(trace_and_no_trace_together_are_refused_with_exit_two),
        cmocka_unit_test(help_teaches_trace_and_no_trace),
    };
    return cmocka_run_group_tests_name("trace", tests, setup, teardown);
}
