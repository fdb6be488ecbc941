/* test_cli_plot.c -- the pictures from the command line: `ccsim run`
 * drawing its timeline (or not), `ccsim plot RUNDIR`, `ccsim run --set`,
 * `ccsim compare`, and what happens without gnuplot.  Runs the real binary
 * ($BUILD/ccsim) from the repository root, as a user would.
 */
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
#define L2 "scenarios/locks/L2-lease-gc-pause.yaml"


/* Runs `[ENV] ccsim ARGS` with stdout and stderr captured; returns the exit code. */
static int run(char *out, size_t len, const char *env, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int rc = cli_vrun(out, len, env, true, fmt, ap);
    va_end(ap);
    return rc;
}

static bool file_ok(const char *dir, const char *name) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct stat st;
    return stat(path, &st) == 0 && st.st_size > 0;
}

static void sub(char *buf, size_t len, const char *name) {
    snprintf(buf, len, "%s/%s", tmpdir, name);
}

static void run_draws_the_timeline_beside_the_other_reports(void **state) {
    (void)state;
    char out[OUT_MAX], dir[512];
    sub(dir, sizeof dir, "run");
    assert_int_equal(run(out, sizeof out, NULL, "run %s --out %s", L2, dir), 1);
    assert_non_null(strstr(out, "timeline  "));
    static const char *const files[] = { "summary.json", "story.txt", "timeline.gp", "timeline.dat",
                                         "timeline.svg", "timeline.png" };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) assert_true(file_ok(dir, files[i]));
    assert_false(file_ok(dir, "timeline.png.tmp"));
}

/* Pictures on demand (issue 17): one format when asked, and no picture of
 * an older run left in the other. */
static void run_draw_png_draws_only_the_png_and_removes_an_older_svg(void **state) {
    (void)state;
    char out[OUT_MAX], dir[512];
    sub(dir, sizeof dir, "run-draw");
    assert_int_equal(run(out, sizeof out, NULL, "run %s -q --out %s", L2, dir), 1);
    assert_true(file_ok(dir, "timeline.svg"));
    assert_int_equal(run(out, sizeof out, NULL, "run %s --draw png --out %s", L2, dir), 1);
    assert_non_null(strstr(out, "timeline.png\n"));
    assert_true(file_ok(dir, "timeline.png"));
    assert_false(file_ok(dir, "timeline.svg"));
    assert_int_equal(run(out, sizeof out, NULL, "run %s -q --draw svg --out %s", L2, dir), 1);
    assert_true(file_ok(dir, "timeline.svg"));
    assert_false(file_ok(dir, "timeline.png"));
    assert_int_equal(run(out, sizeof out, NULL, "run %s --draw pdf", L2), 2);
    assert_non_null(strstr(out, "--draw needs png, svg or png,svg (not 'pdf')"));
}

/* A big run (over 100 000 events, report.h) draws PNG only unless --draw
 * asks, says how to draw the SVG, and `ccsim plot --draw svg` draws it. */
static void a_big_run_draws_png_only_unless_asked_and_plot_draws_the_svg_later(void **state) {
    (void)state;
    char out[OUT_MAX], dir[512], both[512];
    sub(dir, sizeof dir, "big-run");
    sub(both, sizeof both, "big-run-both");
    const char *big = CLI_BIG_RUN;
    assert_int_equal(run(out, sizeof out, NULL, "%s --out %s", big, dir), 0);
    assert_non_null(strstr(out, "timeline.png (a big run: ccsim plot "));
    assert_true(file_ok(dir, "timeline.png"));
    assert_true(file_ok(dir, "latency.png"));
    assert_false(file_ok(dir, "timeline.svg"));
    assert_false(file_ok(dir, "latency.svg"));
    assert_int_equal(run(out, sizeof out, NULL, "plot %s --draw svg", dir), 0);
    assert_true(file_ok(dir, "timeline.svg"));
    assert_int_equal(run(out, sizeof out, NULL, "%s -q --draw png,svg --out %s", big, both), 0);
    assert_true(file_ok(both, "timeline.svg"));
    assert_true(file_ok(both, "timeline.png"));
}

static void no_plot_writes_no_timeline_and_removes_an_older_one(void **state) {
    (void)state;
    char out[OUT_MAX], dir[512];
    sub(dir, sizeof dir, "noplot");
    assert_int_equal(run(out, sizeof out, NULL, "run %s -q --out %s", L2, dir), 1);
    assert_true(file_ok(dir, "timeline.png"));
    assert_int_equal(run(out, sizeof out, NULL, "run %s -q --no-plot --out %s", L2, dir), 1);
    assert_false(file_ok(dir, "timeline.png"));
    assert_false(file_ok(dir, "timeline.gp"));
    assert_true(file_ok(dir, "summary.json"));
}

static void without_gnuplot_run_says_what_to_install_and_keeps_its_exit_code(void **state) {
    (void)state;
    char out[OUT_MAX], dir[512];
    sub(dir, sizeof dir, "nognuplot");
    assert_int_equal(run(out, sizeof out, "PATH=/nonexistent-ccsim", "run %s -q --out %s", L2, dir), 1);
    assert_non_null(strstr(out, "gnuplot is not installed"));
    assert_non_null(strstr(out, "gnuplot-nox"));
    assert_true(file_ok(dir, "story.txt"));
    assert_true(file_ok(dir, "timeline.gp"));
    assert_false(file_ok(dir, "timeline.png"));
}

/* 301 lanes would make a picture taller than gnuplot draws (a 10 000-node
 * run spent 47 s in gnuplot and got no picture): the timeline's files are
 * written, not drawn, and the run says so; latency.png is drawn. */
static void a_run_of_more_nodes_than_lanes_writes_the_timeline_but_does_not_draw_it(void **state) {
    (void)state;
    char out[OUT_MAX], dir[512], yaml[512];
    sub(yaml, sizeof yaml, "lanes.yaml");
    FILE *f = fopen(yaml, "w");
    assert_non_null(f);
    fputs("name: lanes\nduration: 2s\nprotocol: setnx-lock\nnodes: {redis: 1, client: 300}\n"
          "network: {latency: 1ms}\nworkload: {kind: lock-counter, iterations: 1, hold: 1ms}\n", f);
    assert_int_equal(fclose(f), 0);
    sub(dir, sizeof dir, "lanes");
    assert_int_equal(run(out, sizeof out, NULL, "run %s --out %s", yaml, dir), 1);
    assert_non_null(strstr(out, "301 lanes are more than a picture can show (at most 256): "
                                "the timeline is not drawn; timeline.gp"));
    assert_null(strstr(out, "timeline  "));
    assert_true(file_ok(dir, "timeline.gp"));
    assert_true(file_ok(dir, "timeline.dat"));
    assert_false(file_ok(dir, "timeline.png"));
    assert_false(file_ok(dir, "timeline.svg"));
    assert_int_equal(run(out, sizeof out, NULL, "plot %s", dir), 2);
    assert_non_null(strstr(out, "timeline.dat: 301 lanes are more than a picture can show "
                                "(at most 256): the timeline is not drawn"));
    assert_false(file_ok(dir, "timeline.png"));
}

static void plot_redraws_the_pictures_from_the_report_directory(void **state) {
    (void)state;
    char out[OUT_MAX], dir[512];
    sub(dir, sizeof dir, "nognuplot");                       /* left without pictures above */
    assert_int_equal(run(out, sizeof out, NULL, "plot %s --draw png", dir), 0);
    assert_true(file_ok(dir, "timeline.png"));
    assert_false(file_ok(dir, "timeline.svg"));
    assert_int_equal(run(out, sizeof out, NULL, "plot %s", dir), 0);
    assert_non_null(strstr(out, "timeline.png and .svg"));
    assert_true(file_ok(dir, "timeline.png"));
    assert_true(file_ok(dir, "timeline.svg"));
    assert_int_equal(run(out, sizeof out, NULL, "plot %s", tmpdir), 2);   /* nothing to draw */
    assert_non_null(strstr(out, "has no timeline.dat"));
    assert_int_equal(run(out, sizeof out, NULL, "plot"), 2);
}

static bool exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0;
}

static bool same_file(const char *a, const char *b) {
    char cmd[2100];
    snprintf(cmd, sizeof cmd, "cmp -s %s %s", a, b);
    return system(cmd) == 0;
}

/* A script found in the folder is replaced, not run: ccsim plot writes it
 * again from the data, the same bytes `ccsim run` or `compare` wrote. */
static void plot_writes_its_own_scripts_and_never_runs_one_it_finds(void **state) {
    (void)state;
    char out[OUT_MAX], dir[512], cmd[4096], gp[600], kept[600], mark[600];
    sub(dir, sizeof dir, "hostile");
    sub(mark, sizeof mark, "pwned");
    assert_int_equal(run(out, sizeof out, NULL, "run %s -q --out %s", L2, dir), 1);
    snprintf(gp, sizeof gp, "%s/timeline.gp", dir);
    snprintf(kept, sizeof kept, "%s/timeline.gp.kept", dir);
    snprintf(cmd, sizeof cmd, "cp %s %s && echo 'system(\"touch %s\")' > %s", gp, kept, mark, gp);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(run(out, sizeof out, NULL, "plot %s", dir), 0);
    assert_false(exists(mark));
    assert_true(same_file(gp, kept));
    assert_true(file_ok(dir, "timeline.png"));

    sub(dir, sizeof dir, "hostile-compare");
    assert_int_equal(run(out, sizeof out, NULL, "compare %s --vary params.fencing=false,true --out %s",
                         L2, dir), 0);
    snprintf(gp, sizeof gp, "%s/compare.gp", dir);
    snprintf(kept, sizeof kept, "%s/compare.gp.kept", dir);
    snprintf(cmd, sizeof cmd, "cp %s %s && echo 'system(\"touch %s\")' > %s", gp, kept, mark, gp);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(run(out, sizeof out, NULL, "plot %s", dir), 0);
    assert_false(exists(mark));
    assert_true(same_file(gp, kept));

    /* the data is read as input: a name that would leave the quotes is refused */
    sub(dir, sizeof dir, "hostile");
    snprintf(cmd, sizeof cmd, "sed -i \"s/^#@ node redis1\\$/#@ node r') system('touch/\" "
             "%s/timeline.dat", dir);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(run(out, sizeof out, NULL, "plot %s", dir), 2);
    assert_non_null(strstr(out, "timeline.dat:"));
    assert_non_null(strstr(out, ": error: "));
    assert_non_null(strstr(out, "is not a plain name"));
    assert_false(exists(mark));
}

static void set_overrides_a_value_and_a_bad_one_is_reported_as_the_set(void **state) {
    (void)state;
    char out[OUT_MAX], dir[512];
    sub(dir, sizeof dir, "set");
    assert_int_equal(run(out, sizeof out, NULL, "run %s -q --no-plot --set params.fencing=true --out %s",
                         L2, dir), 1);
    assert_non_null(strstr(out, "mutual-exclusion  ok"));
    char path[600];
    snprintf(path, sizeof path, "%s/summary.json", dir);
    FILE *in = fopen(path, "r");
    assert_non_null(in);
    size_t n = fread(out, 1, sizeof out - 1, in);
    out[n] = '\0';
    fclose(in);
    assert_non_null(strstr(out, "\"overrides\": [\"params.fencing=true\"]"));   /* recorded */
    assert_int_equal(run(out, sizeof out, NULL, "run %s -q --set 'faults[0].for=5' --out %s/bad", L2, tmpdir), 2);
    assert_non_null(strstr(out, "--set faults[0].for=5: error: for: '5' has no unit"));
    assert_int_equal(run(out, sizeof out, NULL, "run %s --set", L2), 2);
    assert_int_equal(run(out, sizeof out, NULL, "run %s --set params.fencing=true --seed 1", L2), 1);
    assert_non_null(strstr(out, "reproduce ccsim run " L2 " --seed 1 --set 'params.fencing=true'"));
}

static void compare_prints_one_row_per_variant_and_draws_them_together(void **state) {
    (void)state;
    char out[OUT_MAX], dir[512];
    sub(dir, sizeof dir, "compare");
    assert_int_equal(run(out, sizeof out, NULL, "compare %s --vary params.fencing=false,true --out %s",
                         L2, dir), 0);
    assert_non_null(strstr(out, "params.fencing  mutual-exclusion"));
    assert_non_null(strstr(out, "\nfalse           violation"));
    assert_non_null(strstr(out, "\ntrue            ok"));
    assert_true(file_ok(dir, "compare.txt"));
    assert_true(file_ok(dir, "compare.gp"));
    assert_true(file_ok(dir, "compare.png"));
    assert_true(file_ok(dir, "compare.svg"));
    assert_true(file_ok(dir, "1-false/summary.json"));
    assert_true(file_ok(dir, "2-true/timeline.dat"));
}

static void compare_rejects_a_missing_vary_one_value_or_a_bad_value_before_running(void **state) {
    (void)state;
    char out[OUT_MAX], dir[512];
    sub(dir, sizeof dir, "compare-bad");
    assert_int_equal(run(out, sizeof out, NULL, "compare %s", L2), 2);
    assert_non_null(strstr(out, "what to vary?"));
    assert_int_equal(run(out, sizeof out, NULL, "compare %s --vary params.fencing=true", L2), 2);
    assert_non_null(strstr(out, "one value"));
    assert_int_equal(run(out, sizeof out, NULL, "compare %s --vary params.ttl=5s,ten --out %s", L2, dir), 2);
    assert_non_null(strstr(out, "--set params.ttl=ten: error: ttl: 'ten' is not a duration"));
    assert_false(file_ok(dir, "compare.txt"));
}

static int setup(void **state) {
    (void)state;
    return cli_setup("cli-plot");
}

static int teardown(void **state) {
    (void)state;
    return cli_teardown();
}

/* ---- lecture mode (issue 15) ---- */

/* A PNG's width and height, from its IHDR chunk; false if not a PNG. */
static bool png_size(const char *dir, const char *name, unsigned *w, unsigned *h) {
    char path[1024];
    unsigned char b[24];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) return false;
    size_t n = fread(b, 1, sizeof b, f);
    fclose(f);
    if (n != sizeof b || memcmp(b + 1, "PNG", 3) != 0) return false;
    *w = (unsigned)b[16] << 24 | (unsigned)b[17] << 16 | (unsigned)b[18] << 8 | b[19];
    *h = (unsigned)b[20] << 24 | (unsigned)b[21] << 16 | (unsigned)b[22] << 8 | b[23];
    return true;
}

static bool file_has(const char *dir, const char *name, const char *text) {
    char path[1024], buf[65536];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    if (!f) return false;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return strstr(buf, text) != NULL;
}

static void plot_from_to_projector_draws_a_slide_beside_the_runs_own_picture(void **state) {
    (void)state;
    char out[OUT_MAX], dir[512], own[600], copy[600], cmd[1300];
    unsigned w = 0, h = 0;
    sub(dir, sizeof dir, "lecture");
    assert_int_equal(run(out, sizeof out, NULL, "run %s -q --out %s", L2, dir), 1);
    snprintf(own, sizeof own, "%s/timeline.png", dir);
    snprintf(copy, sizeof copy, "%s/own.png", tmpdir);
    snprintf(cmd, sizeof cmd, "cp %s %s", own, copy);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(run(out, sizeof out, NULL, "plot %s --from 9s --to 16s --projector", dir), 0);
    assert_non_null(strstr(out, "view.png and .svg (1920x1080)"));
    assert_true(png_size(dir, "view.png", &w, &h));
    assert_int_equal(w, 1920);
    assert_int_equal(h, 1080);
    assert_true(file_ok(dir, "view.svg"));
    assert_true(file_has(dir, "view.gp", "set xrange [9.000000000:16.000000000]"));
    assert_true(same_file(own, copy));                       /* the run's own picture is kept */
    assert_int_equal(run(out, sizeof out, NULL, "plot %s --to 12s --draw png", dir), 0);
    assert_true(png_size(dir, "view.png", &w, &h));
    assert_int_equal(w, 1200);                               /* no slide: the run's own size */
    assert_true(file_has(dir, "view.gp", "set xrange [0:12.000000000]"));
    assert_false(file_ok(dir, "view.svg"));                  /* not drawn: no older one left */
}

static void plot_frames_draws_the_timeline_step_by_step_and_the_last_frame_whole(void **state) {
    (void)state;
    char out[OUT_MAX], dir[512], frames[600];
    sub(dir, sizeof dir, "frames");
    assert_int_equal(run(out, sizeof out, NULL, "run %s -q --out %s", L2, dir), 1);
    assert_int_equal(run(out, sizeof out, NULL, "plot %s --frames", dir), 0);
    snprintf(frames, sizeof frames, "%s/frames", dir);
    unsigned n = 0;
    char name[32];
    for (unsigned k = 1; k <= 40; k++) {
        snprintf(name, sizeof name, "frame-%03u.png", k);
        if (!file_ok(frames, name)) break;
        n = k;
    }
    assert_true(n >= 3);                       /* L2: the pause, the expiry, c2's lock, c1's write */
    char said[64];
    snprintf(said, sizeof said, "frame-%03u.png (%u frames)", n, n);
    assert_non_null(strstr(out, said));
    assert_true(file_has(frames, "frame-001.gp", "set object 1 rect from"));   /* veiled */
    snprintf(name, sizeof name, "frame-%03u.gp", n);
    assert_false(file_has(frames, name, "set object 1 rect"));                 /* whole */
    assert_true(file_has(frames, name, "'../timeline.dat'"));
}

static void plot_projector_pages_a_compare_one_variant_a_slide(void **state) {
    (void)state;
    char out[OUT_MAX], dir[512];
    unsigned w = 0, h = 0;
    sub(dir, sizeof dir, "compare-lecture");
    assert_int_equal(run(out, sizeof out, NULL, "compare %s --vary params.fencing=false,true --out %s",
                         L2, dir), 0);
    assert_int_equal(run(out, sizeof out, NULL, "plot %s --projector --draw png", dir), 0);
    assert_non_null(strstr(out, "view-1.png .. view-2.png"));
    for (int i = 1; i <= 2; i++) {
        char name[32];
        snprintf(name, sizeof name, "view-%d.png", i);
        assert_true(png_size(dir, name, &w, &h));
        assert_int_equal(w, 1920);
        assert_int_equal(h, 1080);
    }
    assert_true(file_has(dir, "view-2.gp", "'2-true/timeline.dat'"));
    assert_int_equal(run(out, sizeof out, NULL, "plot %s --frames", dir), 2);
    assert_non_null(strstr(out, "--frames draws one run's timeline"));
}

static void plot_lecture_options_reject_a_bad_or_empty_range(void **state) {
    (void)state;
    char out[OUT_MAX], dir[512];
    sub(dir, sizeof dir, "lecture");                         /* drawn above */
    assert_int_equal(run(out, sizeof out, NULL, "plot %s --from 12s --to 9s", dir), 2);
    assert_non_null(strstr(out, "--to 9 s is not after --from 12 s"));
    assert_int_equal(run(out, sizeof out, NULL, "plot %s --from 100s", dir), 2);
    assert_non_null(strstr(out, "is not before the end of the picture"));
    assert_int_equal(run(out, sizeof out, NULL, "plot %s --from soon", dir), 2);
    assert_non_null(strstr(out, "--from needs a time such as 9s or 9500ms (not 'soon')"));
    assert_int_equal(run(out, sizeof out, NULL, "plot %s --to", dir), 2);
    assert_int_equal(run(out, sizeof out, NULL, "plot %s --projector", tmpdir), 2);
    assert_non_null(strstr(out, "has no timeline.dat or compare.dat"));
    char bad[600], cmd[4096];
    sub(bad, sizeof bad, "lecture-bad");
    snprintf(cmd, sizeof cmd, "rm -rf %s && cp -r %s %s && printf '# [cross] x y rgb\\nsoon 1 2\\n' "
             ">> %s/timeline.dat", bad, dir, bad, bad);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(run(out, sizeof out, NULL, "plot %s --frames", bad), 2);
    assert_non_null(strstr(out, "timeline.dat:"));
    assert_non_null(strstr(out, ": error: a row that does not start with its time"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(run_draws_the_timeline_beside_the_other_reports),
        cmocka_unit_test(run_draw_png_draws_only_the_png_and_removes_an_older_svg),
        cmocka_unit_test(no_plot_writes_no_timeline_and_removes_an_older_one),
        cmocka_unit_test(a_big_run_draws_png_only_unless_asked_and_plot_draws_the_svg_later),
        cmocka_unit_test(without_gnuplot_run_says_what_to_install_and_keeps_its_exit_code),
        cmocka_unit_test(a_run_of_more_nodes_than_lanes_writes_the_timeline_but_does_not_draw_it),
        cmocka_unit_test(plot_redraws_the_pictures_from_the_report_directory),
        cmocka_unit_test(plot_writes_its_own_scripts_and_never_runs_one_it_finds),
        cmocka_unit_test(set_overrides_a_value_and_a_bad_one_is_reported_as_the_set),
        cmocka_unit_test(compare_prints_one_row_per_variant_and_draws_them_together),
        cmocka_unit_test(compare_rejects_a_missing_vary_one_value_or_a_bad_value_before_running),
        cmocka_unit_test(plot_from_to_projector_draws_a_slide_beside_the_runs_own_picture),
        cmocka_unit_test(plot_frames_draws_the_timeline_step_by_step_and_the_last_frame_whole),
        cmocka_unit_test(plot_projector_pages_a_compare_one_variant_a_slide),
        cmocka_unit_test(plot_lecture_options_reject_a_bad_or_empty_range),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
