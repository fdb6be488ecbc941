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
#include "sim/scenario/scn.h"

static void plot_usage(FILE *f) {
    fputs("usage: ccsim plot RUNDIR [--draw png|svg] [--from T] [--to T] [--projector] [--frames]\n"
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
          "Lecture mode: pictures for a talk, written beside the run's own (which stay\n"
          "as they are), from the same data:\n"
          "  --from T, --to T zoom the timeline to [T, T] (e.g. 9s, 9500ms), into\n"
          "                   view.png and view.svg\n"
          "  --projector      draw view.png as a 16:9 slide, 1920x1080, with fonts and\n"
          "                   lines 1.6 times larger; a compare directory gets one page\n"
          "                   per variant (view-1.png, view-2.png...) on one time axis\n"
          "  --frames         the timeline step by step, for a talk: frames/frame-001.png,\n"
          "                   ... each showing what happened up to the next fault, crash,\n"
          "                   commit, vote or evidence, the rest veiled; the last frame is\n"
          "                   the whole picture (at most 40 frames; PNG only)\n"
          "\n"
          "exit: 0 drawn, 2 nothing to draw, bad option or gnuplot missing or failing\n"
          "example: ccsim plot reports/L2-lease-gc-pause/seed-1\n"
          "         ccsim plot reports/L2-lease-gc-pause/seed-1 --from 9s --to 16s --projector\n"
          "         ccsim plot reports/L2-lease-gc-pause/seed-1 --frames\n", f);
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

/* --from T / --to T: 0, or -1 with the message printed. */
static int parse_time_option(const char *opt, const char *v, sim_time *out) {
    char err[SIM_ERR_MAX];
    if (v && scn_parse_duration(v, out, err, sizeof err) == 0) return 0;
    fprintf(stderr, "ccsim plot: %s needs a time such as 9s or 9500ms%s%s%s\n", opt,
            v ? " (not '" : "", v ? v : "", v ? "')" : "");
    return -1;
}

/* Lecture mode: the view or the frames of dir. */
static int lecture(const char *dir, const plot_view *v, unsigned formats) {
    char msg[2 * SIM_ERR_MAX + 4300];
    int rc = plot_view_draw(dir, v, formats, msg, sizeof msg);
    if (rc != 0) { fprintf(stderr, "ccsim plot: %s\n", msg); return SIM_EXIT_INPUT; }
    printf("drew      %s\n", msg);
    return SIM_EXIT_OK;
}

int cli_plot(int argc, char **argv) {
    SIM_ASSERT(argc >= 1);
    SIM_ASSERT(argv != NULL);
    const char *dir = NULL;
    unsigned formats = PLOT_BOTH;
    plot_view view = { 0 };
    bool lecturing = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) { plot_usage(stdout); return SIM_EXIT_OK; }
        if (strcmp(argv[i], "--from") == 0 || strcmp(argv[i], "--to") == 0) {
            const char *opt = argv[i], *v = i + 1 < argc ? argv[++i] : NULL;
            if (parse_time_option(opt, v, strcmp(opt, "--from") == 0 ? &view.from : &view.to) != 0)
                return SIM_EXIT_INPUT;
            lecturing = true;
            continue;
        }
        if (strcmp(argv[i], "--projector") == 0) { view.projector = lecturing = true; continue; }
        if (strcmp(argv[i], "--frames") == 0) { view.frames = lecturing = true; continue; }
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
    if (lecturing) return lecture(dir, &view, formats);
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
