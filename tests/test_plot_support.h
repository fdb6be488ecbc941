/* test_plot_support.h -- the pictures' tests' prelude: run a scenario
 * in-process through cli_execute() with a message log, as `ccsim run`
 * does, write its pictures' data into a fresh directory under the test's
 * temporary root, and read the files back (a data file block by block).
 * The test's setup makes tmp_root (tmpdir_make), its teardown removes it.
 * Include after <cmocka.h>; run from the repository root. */
#ifndef TEST_PLOT_SUPPORT_H
#define TEST_PLOT_SUPPORT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/cli/cli.h"
#include "sim/report/plot.h"
#include "tests/test_tmp_support.h"

typedef struct fx {
    scn *s;
    cli_outcome o;
    sim *run;
    plot_msgs msgs;
    rpt_run r;
    plot_run pr;
    char dir[96];
} fx;

static char tmp_root[64];

/* Runs a scenario (with the first n of sets as --set overrides) and writes
 * its pictures' data into f->dir, a new directory under the root. */
static inline void run_file(fx *f, const char *path, const char *const *sets, uint32_t n) {
    memset(f, 0, sizeof *f);
    f->s = sim_xcalloc(1, sizeof *f->s);
    char err[SIM_ERR_MAX];
    int rc = scn_load_with_overrides(path, sets, n, f->s, err, sizeof err);
    if (rc != 0) print_error("%s\n", err);
    assert_int_equal(rc, 0);
    plot_msgs_init(&f->msgs);
    sim_options opt = { .on_message = plot_msgs_note, .on_message_ctx = &f->msgs };
    assert_int_equal(cli_execute(f->s, &opt, &f->o, &f->run), 0);
    f->r = (rpt_run){ .s = f->s, .h = sim_history(f->run), .seed = f->o.stats.seed,
                      .end_ns = f->o.stats.end_ns, .results = f->o.results,
                      .result_count = f->o.result_count };
    f->pr = (plot_run){ &f->r, &f->msgs };
    static int k = 0;
    snprintf(f->dir, sizeof f->dir, "%s/%d", tmp_root, k++ % 1000);
    assert_int_equal(rpt_mkdirs(f->dir), 0);
    assert_int_equal(plot_write(f->dir, &f->pr, err, sizeof err), 0);
}

static inline void done(fx *f) {
    cli_outcome_free(&f->o);
    sim_destroy(f->run);
    plot_msgs_free(&f->msgs);
    scn_free(f->s);
    free(f->s);
}

/* The file dir/name as text (free() it); NULL when there is none. */
static inline char *slurp(const char *dir, const char *name) {
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *in = fopen(path, "rb");
    if (!in) return NULL;
    char *buf = sim_xcalloc(1, 1u << 22);
    size_t n = fread(buf, 1, (1u << 22) - 1, in);
    buf[n] = '\0';
    fclose(in);
    return buf;
}

/* The rows of block "[name]" of a data file, as one string (free() it);
 * blocks are "\n\n# [name] columns\n" then rows. */
static inline char *block_of(const char *dir, const char *file, const char *name) {
    char *dat = slurp(dir, file);
    assert_non_null(dat);
    char head[80];
    snprintf(head, sizeof head, "# [%s]", name);
    char *p = strstr(dat, head);
    assert_non_null(p);
    p = strchr(p, '\n') + 1;
    char *end = strstr(p, "\n\n# [");
    size_t len = end ? (size_t)(end - p) + 1 : strlen(p);
    char *out = sim_xcalloc(1, len + 1);
    memcpy(out, p, len);
    free(dat);
    return out;
}

/* ... of timeline.dat. */
static inline char *block(fx *f, const char *name) { return block_of(f->dir, "timeline.dat", name); }

#endif
