/* plot.c -- `ccsim plot RUNDIR`: draws a report directory's pictures again
 * from the files in it (timeline.gp and timeline.dat, latency.gp and
 * latency.dat, compare.gp and its variants' data), with gnuplot, as
 * `ccsim run` and `ccsim compare` did: no simulation runs.
 *
 * Exit 0 when every script found was drawn; 2 when the directory holds no
 * script, or gnuplot is missing or failed (one line on stderr each).
 */
#include "sim/cli/cli.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "sim/report/plot.h"

static void plot_usage(FILE *f) {
    fputs("usage: ccsim plot RUNDIR\n"
          "\n"
          "Draws the pictures of a report directory again from its gnuplot scripts\n"
          "and data (timeline.gp, latency.gp, compare.gp): timeline.png and .svg,\n"
          "latency.png and .svg, compare.png and .svg.  Edit a script to restyle a\n"
          "picture, then run this.  Needs gnuplot (Debian: gnuplot-nox).\n"
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

int cli_plot(int argc, char **argv) {
    SIM_ASSERT(argc >= 1);
    SIM_ASSERT(argv != NULL);
    const char *dir = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) { plot_usage(stdout); return SIM_EXIT_OK; }
        if (argv[i][0] == '-') { fprintf(stderr, "ccsim plot: unknown option '%s' (see ccsim plot --help)\n", argv[i]); return SIM_EXIT_INPUT; }
        if (dir) { fprintf(stderr, "ccsim plot: one directory at a time (got '%s' and '%s')\n", dir, argv[i]); return SIM_EXIT_INPUT; }
        dir = argv[i];
    }
    if (!dir) { fprintf(stderr, "ccsim plot: which report directory? (usage: ccsim plot RUNDIR)\n"); return SIM_EXIT_INPUT; }
    static const char *const scripts[] = { "timeline.gp", "latency.gp", "compare.gp" };
    int found = 0, failed = 0;
    for (size_t i = 0; i < sizeof scripts / sizeof scripts[0]; i++) {
        if (!has_file(dir, scripts[i])) continue;
        found++;
        char why[1200];
        if (plot_draw(dir, scripts[i], why, sizeof why) == PLOT_DRAWN) {
            size_t stem = strlen(scripts[i]) - 3;
            printf("drew      %s/%.*s.png and .svg\n", dir, (int)stem, scripts[i]);
        } else {
            fprintf(stderr, "ccsim plot: %s\n", why);
            failed++;
        }
    }
    if (found == 0) {
        fprintf(stderr, "ccsim plot: %s has no timeline.gp, latency.gp or compare.gp (was it written "
                "by `ccsim run` without --no-plot?)\n", dir);
        return SIM_EXIT_INPUT;
    }
    return failed ? SIM_EXIT_INPUT : SIM_EXIT_OK;
}
