/* plot.c -- `ccsim plot RUNDIR`: draws a report directory's pictures again
 * from the data in it (timeline.dat, latency.dat, compare.dat and its
 * variants' timeline.dat), with gnuplot, as `ccsim run` and `ccsim compare`
 * did: no simulation runs.  The scripts are written again from the data
 * first: a folder may come from anywhere, and a script gnuplot runs can
 * run any command (`system`), so none found there is ever run.  All the
 * pictures found, in every format asked for, are drawn at once, each by its
 * own gnuplot (plot_draw_many).
 *
 * Exit 0 when every picture found was drawn; 2 when the directory holds no
 * data, the data is malformed, or gnuplot is missing or failed (one line
 * on stderr each).
 */
#include "sim/cli/cli.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "sim/report/plot.h"

static void plot_usage(FILE *f) {
    fputs("usage: ccsim plot RUNDIR [--draw png|svg]\n"
          "\n"
          "Draws the pictures of a report directory again from its data\n"
          "(timeline.dat, latency.dat, compare.dat): timeline.png and .svg,\n"
          "latency.png and .svg, compare.png and .svg.  The gnuplot scripts\n"
          "(timeline.gp...) are written again from the data first: a script found\n"
          "in the folder is never run (to restyle a picture, edit a copy of its\n"
          "script and run gnuplot on it yourself).  Needs gnuplot (Debian:\n"
          "gnuplot-nox).\n"
          "\n"
          "  --draw png|svg   draw only that format (default both)\n"
          "\n"
          "exit: 0 drawn, 2 nothing to draw or gnuplot missing or failing\n"
          "example: ccsim plot reports/L2-lease-gc-pause/seed-1\n", f);
}

static bool has_file(const char *dir, const char *name) {
    SIM_ASSERT(dir != NULL);
    SIM_ASSERT(name != NULL);
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Writes each NAME.gp again from the data, then draws them all at once
 * (plot_draw_many): the number that failed. */
static int redraw(const char *dir, const char *const *names, size_t n, unsigned formats) {
    char err[SIM_ERR_MAX], why[1200], scripts[PLOT_DRAW_JOBS_MAX / 2][32];
    const char *ready[PLOT_DRAW_JOBS_MAX / 2];
    size_t count = 0;
    int failed = 0;
    SIM_ASSERT(n <= PLOT_DRAW_JOBS_MAX / 2);
    for (size_t i = 0; i < n; i++) {
        if (plot_rewrite(dir, names[i], err, sizeof err) != 0) {
            fprintf(stderr, "ccsim plot: %s\n", err);
            failed++;
            continue;
        }
        snprintf(scripts[count], sizeof scripts[count], "%s.gp", names[i]);
        ready[count] = scripts[count];
        count++;
    }
    if (count == 0) return failed;
    if (plot_draw_many(dir, ready, count, formats, why, sizeof why) != PLOT_DRAWN) {
        fprintf(stderr, "ccsim plot: %s\n", why);
        return failed + 1;
    }
    for (size_t i = 0; i < count; i++)
        printf("drew      %s/%.*s%s\n", dir, (int)(strlen(ready[i]) - 3), ready[i],
               formats == PLOT_PNG ? ".png" : formats == PLOT_SVG ? ".svg" : ".png and .svg");
    return failed;
}

int cli_plot(int argc, char **argv) {
    SIM_ASSERT(argc >= 1);
    SIM_ASSERT(argv != NULL);
    const char *dir = NULL;
    unsigned formats = PLOT_BOTH;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) { plot_usage(stdout); return SIM_EXIT_OK; }
        if (strcmp(argv[i], "--draw") == 0) {
            const char *v = i + 1 < argc ? argv[++i] : NULL;
            if (plot_parse_formats(v, &formats) == 0) continue;
            fprintf(stderr, "ccsim plot: --draw needs png, svg or png,svg%s%s%s\n",
                    v ? " (not '" : "", v ? v : "", v ? "')" : "");
            return SIM_EXIT_INPUT;
        }
        if (argv[i][0] == '-') { fprintf(stderr, "ccsim plot: unknown option '%s' (see ccsim plot --help)\n", argv[i]); return SIM_EXIT_INPUT; }
        if (dir) { fprintf(stderr, "ccsim plot: one directory at a time (got '%s' and '%s')\n", dir, argv[i]); return SIM_EXIT_INPUT; }
        dir = argv[i];
    }
    if (!dir) { fprintf(stderr, "ccsim plot: which report directory? (usage: ccsim plot RUNDIR)\n"); return SIM_EXIT_INPUT; }
    static const char *const names[] = { "timeline", "latency", "compare" };
    const char *found[3];
    size_t n = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char data[32];
        snprintf(data, sizeof data, "%s.dat", names[i]);
        if (has_file(dir, data)) found[n++] = names[i];
    }
    int failed = n ? redraw(dir, found, n, formats) : 0;
    if (n == 0) {
        fprintf(stderr, "ccsim plot: %s has no timeline.dat, latency.dat or compare.dat (was it "
                "written by `ccsim run` without --no-plot?)\n", dir);
        return SIM_EXIT_INPUT;
    }
    return failed ? SIM_EXIT_INPUT : SIM_EXIT_OK;
}
