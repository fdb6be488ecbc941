/* test_sweep.c -- `ccsim sweep` (sim/cli/sweep.h, docs/sweeps.md): the
 * command as a user runs it ($BUILD/ccsim from the repository root), and
 * the sweep engine in this process with a runner of the test's own, which
 * is how a worker that crashes is made without a hook in the product. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "sim/cli/sweep.h"

#include "tests/test_cli_support.h"

#define OUT_MAX 65536
#define L2 "scenarios/locks/L2-lease-gc-pause.yaml"
#define L4 "scenarios/locks/L4-fencing-token-gc-pause.yaml"
#define RACE "tests/sweep/lease-race.yaml"
#define L2N "scenarios/locks/L2n-lease-random-gc-pauses.yaml"


/* Runs `ccsim ARGS` with stdout (and stderr when both) captured; returns
 * the exit code. */
static int run(char *out, size_t len, bool both, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int rc = cli_vrun(out, len, NULL, both, fmt, ap);
    va_end(ap);
    return rc;
}

static char *slurp(const char *fmt, ...) {
    char path[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(path, sizeof path, fmt, ap);
    va_end(ap);
    FILE *f = fopen(path, "rb");
    if (!f) fail_msg("cannot read %s", path);
    char *buf = calloc(1, OUT_MAX * 4);
    assert_non_null(buf);
    fread(buf, 1, OUT_MAX * 4 - 1, f);
    fclose(f);
    return buf;
}

static int setup(void **state) {
    (void)state;
    return cli_setup("sweep");
}

static int teardown(void **state) {
    (void)state;
    return cli_teardown();
}

/* ---- the command ------------------------------------------------------ */

static void a_sweep_of_L2_finds_the_violation_on_every_seed(void **state) {
    (void)state;
    char out[OUT_MAX];
    /* Every seed does what L2's `expect:` says: a violation, so none fails. */
    assert_int_equal(run(out, sizeof out, false, "sweep " L2 " --seeds 1..200 --jobs 2 --out %s/l2", tmpdir), 0);
    assert_non_null(strstr(out, "mutual-exclusion  violation          0        200          0          0\n"));
    assert_non_null(strstr(out, "failing   0 of 200 seeds\n"));
    /* Judged by violations alone, every seed fails and is replayable. */
    assert_int_equal(run(out, sizeof out, false, "sweep " L2 " --seeds 1..200 --ignore-expect --reports 1 --no-plot --out %s/l2i", tmpdir), 1);
    assert_non_null(strstr(out, "failing   200 of 200 seeds\n"));
    assert_non_null(strstr(out, "reproduce: ccsim run " L2 " --seed 1\n"));
    char *json = slurp("%s/l2i/sweep.json", tmpdir);
    assert_non_null(strstr(json, "\"failing\": 200"));
    assert_non_null(strstr(json, "\"reproduce\": \"ccsim run " L2 " --seed 20\""));
    assert_null(strstr(json, "--seed 21\""));              /* --show 20: the first 20 by seed */
    free(json);
    char *summary = slurp("%s/l2i/L2-lease-gc-pause/seed-1/summary.json", tmpdir);   /* a run's report */
    free(summary);
}

static void a_sweep_of_the_fenced_lock_finds_no_stale_write(void **state) {
    (void)state;
    char out[OUT_MAX];
    assert_int_equal(run(out, sizeof out, false, "sweep " L4 " --seeds 1..200 --check mutual-exclusion --ignore-expect --out %s/l4", tmpdir), 0);
    assert_non_null(strstr(out, "mutual-exclusion  ok               200          0          0          0\n"));
    assert_non_null(strstr(out, "lease-overlap     violation          0        200          0          -\n"));   /* not judged */
}

static void the_output_does_not_depend_on_the_number_of_jobs(void **state) {
    (void)state;
    char one[OUT_MAX], two[OUT_MAX];
    assert_int_equal(run(one, sizeof one, false, "sweep " RACE " --seeds 1..300 --jobs 1 --show 0 --reports 0 --out %s/j", tmpdir), 1);
    char *json1 = slurp("%s/j/sweep.json", tmpdir);
    assert_int_equal(run(two, sizeof two, false, "sweep " RACE " --seeds 1..300 --jobs 3 --show 0 --reports 0 --out %s/j", tmpdir), 1);
    char *json2 = slurp("%s/j/sweep.json", tmpdir);
    assert_string_equal(one, two);
    assert_string_equal(json1, json2);
    assert_non_null(strstr(one, "  seed 3\n"));             /* lease-race: some seeds race, some do not */
    assert_null(strstr(one, "  seed 4\n"));
    free(json1);
    free(json2);
}

static void merged_shards_equal_the_whole_sweep(void **state) {
    (void)state;
    char whole[OUT_MAX], merged[OUT_MAX], out[OUT_MAX];
    assert_int_equal(run(whole, sizeof whole, false, "sweep " RACE " " L2 " --seeds 5..104 --show 7 --reports 0 --out %s/all", tmpdir), 1);
    for (int k = 0; k < 3; k++)
        assert_int_equal(run(out, sizeof out, false, "sweep " RACE " " L2 " --seeds 5..104 --shard %d/3 --show 7 --reports 0 --jobs 1 --out %s/s%d", k, tmpdir, k), 1);
    assert_int_equal(run(merged, sizeof merged, false, "sweep --merge %s/s2/sweep.json %s/s0/sweep.json %s/s1/sweep.json --out %s/all", tmpdir, tmpdir, tmpdir, tmpdir), 1);
    assert_string_equal(whole, merged);
    char *a = slurp("%s/all/sweep.json", tmpdir);
    char *shard = slurp("%s/s1/sweep.json", tmpdir);
    assert_non_null(strstr(shard, "\"shard\": {\"index\": 1, \"count\": 3}"));
    assert_non_null(strstr(shard, "\"seeds\": 33,"));                   /* 6, 9, ..., 102 */
    assert_non_null(strstr(a, "\"shard\": {\"index\": 0, \"count\": 1}"));
    free(a);
    free(shard);
}

/* Issue 10's bar, in small: under a swarm nemesis (the clients pause, crash
 * and have their clocks moved; the network splits), the fenced lock never
 * lets a stale write through while the unfenced one does. */
static void a_swarm_sweep_breaks_the_unfenced_lock_and_not_the_fenced_one(void **state) {
    (void)state;
    char out[OUT_MAX];
    const char *swarm = "--set nemesis.swarm=true --set nemesis.targets=client";
    assert_int_equal(run(out, sizeof out, false, "sweep " L4 " --seeds 1..300 %s --check "
                         "mutual-exclusion --ignore-expect --reports 0 --out %s/l4s", swarm,
                         tmpdir), 0);
    assert_non_null(strstr(out, "mutual-exclusion  ok               300          0"));
    assert_non_null(strstr(out, "\nnemesis   drew "));
    assert_int_equal(run(out, sizeof out, false, "sweep " L2 " --seeds 1..300 %s --check "
                         "mutual-exclusion --ignore-expect --reports 0 --out %s/l2s", swarm,
                         tmpdir), 1);
    assert_null(strstr(out, "mutual-exclusion  violation          0        300"));
    assert_null(strstr(out, "failing   0 of 300"));
}

static void merged_shards_add_up_the_faults_the_nemesis_drew(void **state) {
    (void)state;
    char whole[OUT_MAX], merged[OUT_MAX], out[OUT_MAX];
    assert_int_equal(run(whole, sizeof whole, false, "sweep " L2N " --seeds 1..60 --verify 10%% "
                         "--reports 0 --out %s/nall", tmpdir), 1);
    assert_non_null(strstr(whole, "\nnemesis   drew 540 faults: pause 540\n"));  /* 9 a seed */
    for (int k = 0; k < 2; k++)
        assert_int_equal(run(out, sizeof out, false, "sweep " L2N " --seeds 1..60 --verify 10%% "
                             "--shard %d/2 --reports 0 --out %s/n%d", k, tmpdir, k), 1);
    assert_int_equal(run(merged, sizeof merged, false, "sweep --merge %s/n0/sweep.json "
                         "%s/n1/sweep.json --out %s/nall", tmpdir, tmpdir, tmpdir), 1);
    assert_string_equal(whole, merged);
}

/* --verify picks seeds by seed, so a job count or a shard picks the same. */
static void verify_runs_the_picked_seeds_twice_and_finds_them_the_same(void **state) {
    (void)state;
    char all[OUT_MAX], one[OUT_MAX], two[OUT_MAX];
    assert_int_equal(run(all, sizeof all, false, "sweep " L2N " --seeds 1..40 --verify 100%% "
                         "--reports 0 --out %s/v", tmpdir), 1);
    assert_non_null(strstr(all, "verified  40 seeds run twice"));
    assert_int_equal(run(one, sizeof one, false, "sweep " L2N " --seeds 1..200 --verify 5%% "
                         "--jobs 1 --reports 0 --out %s/v", tmpdir), 1);
    assert_int_equal(run(two, sizeof two, false, "sweep " L2N " --seeds 1..200 --verify 5%% "
                         "--jobs 2 --reports 0 --out %s/v", tmpdir), 1);
    assert_string_equal(one, two);
    const char *v = strstr(one, "verified  ");
    assert_non_null(v);
    long n = strtol(v + 10, NULL, 10);
    assert_true(n >= 2);                                 /* about 10 of 200 */
    assert_true(n <= 25);
    assert_int_equal(run(one, sizeof one, true, "sweep " L2N " --seeds 1..2 --verify 150%%"), 2);
    assert_non_null(strstr(one, "--verify"));
}

static void merge_refuses_shards_of_different_sweeps(void **state) {
    (void)state;
    char out[OUT_MAX];
    for (int k = 0; k < 2; k++)
        run(out, sizeof out, false, "sweep " L2 " --seeds 1..10 --shard %d/2 --reports 0 --out %s/m%d", k, tmpdir, k);
    run(out, sizeof out, false, "sweep " L2 " --seeds 1..11 --shard 1/2 --reports 0 --out %s/other", tmpdir);
    assert_int_equal(run(out, sizeof out, true, "sweep --merge %s/m0/sweep.json %s/other/sweep.json", tmpdir, tmpdir), 2);
    assert_non_null(strstr(out, "other/sweep.json:2:"));
    assert_non_null(strstr(out, "another seed range"));
    assert_int_equal(run(out, sizeof out, true, "sweep --merge %s/m0/sweep.json", tmpdir), 2);
    assert_non_null(strstr(out, "every shard 0..1 is needed once"));
    assert_int_equal(run(out, sizeof out, true, "sweep --merge %s/m0/sweep.json %s/m0/sweep.json", tmpdir, tmpdir), 2);
    assert_non_null(strstr(out, "this shard is in an earlier file too"));
    assert_int_equal(run(out, sizeof out, true, "sweep --merge " L2), 2);
    assert_non_null(strstr(out, L2 ":1:1: error:"));
}

static void write_file(const char *name, const char *text) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* Any file given to --merge is input: a located error and exit 2, never
 * an assertion. */
static void merge_takes_a_broken_file_as_bad_input(void **state) {
    (void)state;
#define HEAD "{\"seeds\": {\"from\": 1, \"to\": 5}, \"shard\": {\"index\": 0, \"count\": 1}, " \
             "\"show\": 3, \"ignore_expect\": false, \"scenarios\": ["
#define SCN_START "{\"name\": \"n\", \"path\": \"p\", \"set_args\": \"\", \"ran\": 5, \"failing\": 1, " \
                  "\"unknown\": 0, \"errors\": 0, \"crashed\": 0, \"verified\": 0, \"nemesis\": false, " \
                  "\"faults_drawn\": {\"pause\": 0, \"crash\": 0, \"restart\": 0, \"partition\": 0, " \
                  "\"cut\": 0, \"heal\": 0, \"clock-jump\": 0, \"clock-rate\": 0, \"delay\": 0, " \
                  "\"loss\": 0, \"power-loss\": 0}, \"checks\": [{\"name\": \"liveness\", " \
                  "\"expect\": null, \"judged\": true, \"ok\": 4, \"violation\": 1, \"unknown\": 0, \"failing\": 1}], "
    static const struct { const char *text, *says; } cases[] = {
        { "{\"seeds\": [1, 2", "not JSON" },
        { "[1, 2]", "expected an object" },
        { "{\"seeds\": {\"from\": 0, \"to\": 18446744073709551615}, \"shard\": {\"index\": 0, \"count\": 1}, "
          "\"show\": 3, \"ignore_expect\": false, \"scenarios\": []}", "out of bounds" },
        { "{\"seeds\": {\"from\": 1, \"to\": 5}, \"shard\": {\"index\": 2, \"count\": 2}, "
          "\"show\": 3, \"ignore_expect\": false, \"scenarios\": []}", "out of bounds" },
        { "{\"seeds\": {\"from\": -1, \"to\": 5}, \"shard\": {\"index\": 0, \"count\": 1}}",
          "\"from\" needs a non-negative integer" },
        { HEAD "{\"name\": 3}]}", "no \"path\" here" },
        { HEAD SCN_START "\"failing_seeds\": [{\"seed\": 2, \"status\": \"failing\", \"checks\": ["
          "{\"name\": \"liveness\", \"verdict\": \"violation\", \"summary\": \"s\"}, "
          "{\"name\": \"liveness\", \"verdict\": \"violation\", \"summary\": \"s\"}]}], "
          "\"unfinished_seeds\": []}]}", "more failing checks than the scenario has" },
        { HEAD SCN_START "\"failing_seeds\": [{\"seed\": 2, \"status\": \"failing\", \"checks\": ["
          "{\"name\": \"safety\", \"verdict\": \"violation\", \"summary\": \"s\"}]}], "
          "\"unfinished_seeds\": []}]}", "names a check" },
        { HEAD SCN_START "\"failing_seeds\": [{\"seed\": 2, \"status\": \"lost\"}], "
          "\"unfinished_seeds\": []}]}", "\"status\" is not one of the words" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[OUT_MAX];
        write_file("broken.json", cases[i].text);
        int rc = run(out, sizeof out, true, "sweep --merge %s/broken.json --out %s/bm", tmpdir, tmpdir);
        if (rc != 2 || !strstr(out, cases[i].says) || !strstr(out, "broken.json:"))
            fail_msg("case %zu: exit %d, output:\n%s\n(expected exit 2 and \"%s\")", i, rc, out, cases[i].says);
    }
    /* The same file, whole, merges. */
    write_file("good.json", HEAD SCN_START "\"failing_seeds\": [{\"seed\": 2, \"status\": \"failing\", \"checks\": ["
               "{\"name\": \"liveness\", \"verdict\": \"violation\", \"summary\": \"s\"}]}], \"unfinished_seeds\": []}]}");
    char out[OUT_MAX];
    assert_int_equal(run(out, sizeof out, true, "sweep --merge %s/good.json --out %s/gm", tmpdir, tmpdir), 1);
    assert_non_null(strstr(out, "reproduce: ccsim run p --seed 2\n"));
#undef HEAD
#undef SCN_START
}

static void bad_arguments_exit_two_with_a_reason(void **state) {
    (void)state;
    static const struct { const char *args, *says; } cases[] = {
        { "sweep " L2, "which seeds?" },
        { "sweep --seeds 1..9", "which scenarios?" },
        { "sweep " L2 " --seeds 9..1", "below the first" },
        { "sweep " L2 " --seeds 1-9", "needs FIRST..LAST" },
        { "sweep " L2 " --seeds 1..18446744073709551616", "at most 18446744073709551615" },
        { "sweep " L2 " --seeds 0..18446744073709551615", "at most 2^64-1 seeds" },
        { "sweep " L2 " --seeds 1..9 --shard 4/4", "K counts from 0" },
        { "sweep " L2 " --seeds 1..9 --shard 0/0", "N is 1 to" },
        { "sweep " L2 " --seeds 1..9 --shard 1", "needs K/N" },
        { "sweep " L2 " --seeds 1..9 --shard -1/4", "needs K/N" },
        { "sweep " L2 " --seeds 1..9 --jobs 0", "--jobs needs a whole number from 1" },
        { "sweep " L2 " --seeds 1..9 --jobs x", "--jobs needs a whole number from 1 (got 'x')" },
        { "sweep " L2 " --seeds 1..9 --show", "--show needs a value" },
        { "sweep " L2 " --seeds 1..9 --check no-such", "--check no-such" },
        { "sweep " L2 " --seeds 1..9 --frobnicate", "unknown option '--frobnicate'" },
        { "sweep no/such.yaml --seeds 1..9", "no/such.yaml" },
        { "sweep --merge x.json --seeds 1..9", "takes only --out and --junit" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[OUT_MAX];
        int rc = run(out, sizeof out, true, "%s --out %s/bad", cases[i].args, tmpdir);
        if (rc != 2 || !strstr(out, cases[i].says))
            fail_msg("`ccsim %s`: exit %d, output:\n%s\n(expected exit 2 and \"%s\")", cases[i].args, rc, out, cases[i].says);
    }
}

static void help_teaches_the_options_and_the_exit_codes(void **state) {
    (void)state;
    char out[OUT_MAX];
    assert_int_equal(run(out, sizeof out, false, "sweep --help"), 0);
    assert_non_null(strstr(out, "--shard K/N"));
    assert_non_null(strstr(out, "--merge"));
    assert_non_null(strstr(out, "4 ccsim itself crashed"));
    assert_int_equal(run(out, sizeof out, false, "--help"), 0);
    assert_non_null(strstr(out, "ccsim sweep FILE.yaml"));
}

static void junit_has_a_case_per_check_and_the_failing_seeds(void **state) {
    (void)state;
    char out[OUT_MAX];
    assert_int_equal(run(out, sizeof out, false, "sweep " RACE " --seeds 1..20 --reports 0 --out %s/ju --junit %s/ju.xml", tmpdir, tmpdir), 1);
    char *xml = slurp("%s/ju.xml", tmpdir);
    assert_non_null(strstr(xml, "<testcase classname=\"lease-race\" name=\"liveness\"/>"));
    assert_non_null(strstr(xml, "name=\"mutual-exclusion\">\n      <failure message="));
    assert_non_null(strstr(xml, "reproduce: ccsim run " RACE " --seed 3\n"));
    free(xml);
}

/* ---- the engine, in this process ----------------------------------------- */

typedef struct crash_plan { uint64_t abort_on[4]; uint64_t error_on; } crash_plan;

static int crashing_runner(const scn *s, uint64_t seed, cli_outcome *o, char *err, size_t err_len,
                           void *ctx) {
    const crash_plan *cp = ctx;
    for (int i = 0; i < 4; i++) {
        if (cp->abort_on[i] != seed) continue;
        signal(SIGABRT, SIG_DFL);
        abort();
    }
    if (cp->error_on == seed) { snprintf(err, err_len, "a bound was hit"); return SIM_EXIT_INPUT; }
    return sweep_run_seed(s, seed, o, err, err_len, NULL);
}

static scn *load(const char *path) {
    scn *s = calloc(1, sizeof *s);
    char err[SIM_ERR_MAX];
    assert_non_null(s);
    if (scn_load(path, s, err, sizeof err) != 0) fail_msg("%s", err);
    return s;
}

static void sweep_with(const char *path, crash_plan *cp, uint32_t jobs, sweep_tally *t) {
    scn *s = load(path);
    sweep_plan p = { .range = { .from = 1, .to = 30, .shards = 1 }, .jobs = jobs, .show = 0,
                     .runner = crashing_runner, .runner_ctx = cp };
    char err[SIM_ERR_MAX];
    assert_int_equal(sweep_tally_init(t, s, &p, err, sizeof err), 0);
    assert_int_equal(sweep_scenario(s, &p, t), 0);
    scn_free(s);
    free(s);
}

static void a_worker_that_aborts_is_reported_and_the_sweep_goes_on(void **state) {
    (void)state;
    for (uint32_t jobs = 1; jobs <= 3; jobs++) {
        crash_plan cp = { .abort_on = { 7, 8, 30 }, .error_on = 12 };
        sweep_tally t;
        sweep_with(L2, &cp, jobs, &t);
        assert_int_equal(t.crashed, 3);
        assert_int_equal(t.errors, 1);
        assert_int_equal(t.seeds_run, 26);                  /* every other seed ran */
        assert_int_equal(t.checks[0].verdicts[CHECK_VIOLATION], 26);
        assert_int_equal(t.trouble.count, 4);
        assert_int_equal(t.trouble.items[0].seed, 7);
        assert_int_equal(t.trouble.items[0].status, SWEEP_CRASHED);
        assert_non_null(strstr(t.trouble.items[0].message, "signal 6"));
        assert_int_equal(t.trouble.items[1].seed, 8);
        assert_int_equal(t.trouble.items[2].seed, 12);
        assert_int_equal(t.trouble.items[2].status, SWEEP_ERROR);
        assert_string_equal(t.trouble.items[2].message, "a bound was hit");
        assert_int_equal(t.trouble.items[3].seed, 30);
        assert_int_equal(sweep_exit_code(&t, 1), SWEEP_EXIT_INTERNAL);
        sweep_tally_free(&t);
    }
}

static void a_seed_that_could_not_run_exits_two(void **state) {
    (void)state;
    crash_plan cp = { .error_on = 2 };
    sweep_tally t;
    sweep_with(L4, &cp, 2, &t);
    assert_int_equal(t.errors, 1);
    assert_int_equal(t.crashed, 0);
    assert_int_equal(sweep_exit_code(&t, 1), SIM_EXIT_INPUT);
    sweep_tally_free(&t);
}

/* A sweep asks the checks for no story (check_input.no_story): what it
 * shows must be what `ccsim run` shows. */
static void without_stories_the_verdicts_and_summaries_are_the_same(void **state) {
    (void)state;
    static const char *const files[] = { L2, RACE, "scenarios/locks/L3-release-without-ownership-check.yaml" };
    for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
        scn *s = load(files[f]);
        for (uint64_t seed = 1; seed <= 8; seed++) {
            sim_options opt = { .seed = seed, .seed_set = true };
            cli_outcome full, bare;
            char err[SIM_ERR_MAX];
            assert_int_equal(cli_execute_err(s, &opt, &full, NULL, false, err, sizeof err), 0);
            assert_int_equal(cli_execute_err(s, &opt, &bare, NULL, true, err, sizeof err), 0);
            assert_int_equal(full.result_count, bare.result_count);
            for (size_t i = 0; i < full.result_count; i++) {
                assert_int_equal(full.results[i].verdict, bare.results[i].verdict);
                assert_string_equal(full.results[i].summary, bare.results[i].summary);
                if (full.results[i].verdict == CHECK_VIOLATION) assert_non_null(full.results[i].story);
                bool skips = strcmp(full.results[i].name, "mutual-exclusion") == 0 ||
                             strcmp(full.results[i].name, "lease-overlap") == 0 ||
                             strcmp(full.results[i].name, "lost-update") == 0;
                if (skips) assert_null(bare.results[i].story);
            }
            cli_outcome_free(&full);
            cli_outcome_free(&bare);
        }
        scn_free(s);
        free(s);
    }
}

static void a_list_keeps_the_first_seeds_whatever_order_they_come_in(void **state) {
    (void)state;
    sweep_list l = { 0 };
    static const uint64_t order[] = { 9, 3, 7, 1, 8, 2, 5 };
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        sweep_seed s = { .seed = order[i], .status = SWEEP_CRASHED, .message = strdup("x") };
        sweep_list_add(&l, &s, 3);
    }
    assert_int_equal(l.count, 3);
    assert_int_equal(l.items[0].seed, 1);
    assert_int_equal(l.items[1].seed, 2);
    assert_int_equal(l.items[2].seed, 3);
    for (size_t i = 0; i < l.count; i++) sweep_seed_free(&l.items[i]);
    free(l.items);
}

static void a_shard_takes_every_nth_seed_from_k(void **state) {
    (void)state;
    sweep_range r = { .shards = 1 };
    char why[256];
    assert_int_equal(sweep_parse_seeds("10..19", &r, why, sizeof why), 0);
    assert_int_equal(sweep_range_count(&r), 10);
    assert_int_equal(sweep_parse_shard("3/4", &r, why, sizeof why), 0);
    assert_int_equal(sweep_range_count(&r), 2);                       /* 13, 17 */
    assert_int_equal(sweep_parse_shard("0/4", &r, why, sizeof why), 0);
    assert_int_equal(sweep_range_count(&r), 3);                       /* 10, 14, 18 */
    assert_int_equal(sweep_parse_seeds("5..5", &r, why, sizeof why), 0);
    assert_int_equal(sweep_parse_shard("1/2", &r, why, sizeof why), 0);
    assert_int_equal(sweep_range_count(&r), 0);                       /* a shard may be empty */
    assert_int_equal(sweep_parse_seeds("0..18446744073709551614", &r, why, sizeof why), 0);
    assert_int_equal(sweep_parse_shard("0/1", &r, why, sizeof why), 0);
    assert_true(sweep_range_count(&r) == UINT64_MAX);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_sweep_of_L2_finds_the_violation_on_every_seed),
        cmocka_unit_test(a_sweep_of_the_fenced_lock_finds_no_stale_write),
        cmocka_unit_test(the_output_does_not_depend_on_the_number_of_jobs),
        cmocka_unit_test(merged_shards_equal_the_whole_sweep),
        cmocka_unit_test(a_swarm_sweep_breaks_the_unfenced_lock_and_not_the_fenced_one),
        cmocka_unit_test(merged_shards_add_up_the_faults_the_nemesis_drew),
        cmocka_unit_test(verify_runs_the_picked_seeds_twice_and_finds_them_the_same),
        cmocka_unit_test(merge_refuses_shards_of_different_sweeps),
        cmocka_unit_test(merge_takes_a_broken_file_as_bad_input),
        cmocka_unit_test(bad_arguments_exit_two_with_a_reason),
        cmocka_unit_test(help_teaches_the_options_and_the_exit_codes),
        cmocka_unit_test(junit_has_a_case_per_check_and_the_failing_seeds),
        cmocka_unit_test(a_worker_that_aborts_is_reported_and_the_sweep_goes_on),
        cmocka_unit_test(a_seed_that_could_not_run_exits_two),
        cmocka_unit_test(without_stories_the_verdicts_and_summaries_are_the_same),
        cmocka_unit_test(a_list_keeps_the_first_seeds_whatever_order_they_come_in),
        cmocka_unit_test(a_shard_takes_every_nth_seed_from_k),
    };
    return cmocka_run_group_tests_name("sweep", tests, setup, teardown);
}
