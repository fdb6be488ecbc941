/* plot_view.c -- lecture mode (`ccsim plot RUNDIR --from --to --projector
 * --frames`): pictures of a report directory for a talk, drawn from the
 * same data as the run's own pictures and written beside them:
 *
 *   view.png, view.svg      the timeline on [from, to]; with projector, a
 *                           16:9 slide of 1920x1080 pixels, fonts and lines
 *                           1.6 times larger
 *   view-K.png, view-K.svg  a compare directory: variant K alone on the
 *                           variants' common time axis, one page each (three
 *                           variants stacked are 2 400 pixels tall: no
 *                           projector shows that)
 *   frames/frame-NNN.png    the timeline step by step: frame k shows what
 *                           happened up to the k-th event of interest (a
 *                           fault, a crash, a commit or abort, a vote, the
 *                           evidence of a violation) and veils the rest;
 *                           the last frame is the whole picture
 *
 * Layout: a slide is laid out as a 1200 x 675 picture, the run's own
 * width, with its lanes stretched to fill the height, and drawn at 1.6
 * times that size: every position in the scripts is a fraction of the
 * picture, so the layout is the same, only larger.  A run of more lanes
 * than fit (at least PX_SLIDE_LANE_MIN pixels a lane) gets a taller slide,
 * and the message says so.
 *
 * Invariant: only scripts written here are run (as ccsim plot), and the
 * run's own files (timeline.*, latency.*, compare.*) are never changed.
 */
#include "sim/report/plot_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/report/report.h"

#define VIEW_PATH_MAX     4200
#define SLIDE_W_PX        1200       /* a slide's layout, before scaling */
#define SLIDE_H_PX        675        /* 16:9 */
#define SLIDE_SCALE_PCT   160        /* drawn at 1920 x 1080 */
#define SLIDE_LANE_MIN_PX 40         /* a lane no thinner than this on a slide */

/* ------------------------------------------------------------ layout */

typedef struct canvas {
    uint32_t layout_h;           /* the layout's height (plot_frame.height_px) */
    uint32_t lanes_px;           /* the lanes' part of it */
    uint32_t width, height;      /* the image, in pixels */
    uint32_t scale_pct;
} canvas;

/* The canvas of one panel of h: the run's own size, or a slide. */
static canvas canvas_of(const plot_head *h, bool projector) {
    uint32_t own = plot_panel_height_px(h, true), lanes = plot_lanes_px(h);
    SIM_ASSERT(own > lanes);
    canvas c = { own, lanes, PLOT_WIDTH_PX, own, 100 };
    if (!projector) return c;
    uint32_t fixed = own - lanes, n = h->node_count < 2 ? 2u : h->node_count;
    c.lanes_px = SLIDE_H_PX > fixed ? SLIDE_H_PX - fixed : 0;
    if (c.lanes_px < SLIDE_LANE_MIN_PX * n) c.lanes_px = SLIDE_LANE_MIN_PX * n;
    c.layout_h = fixed + c.lanes_px;
    c.width = SLIDE_W_PX * SLIDE_SCALE_PCT / 100;
    c.height = c.layout_h * SLIDE_SCALE_PCT / 100;
    c.scale_pct = SLIDE_SCALE_PCT;
    return c;
}

/* ------------------------------------------------------------ one script */

typedef struct view_script {
    const plot_head *h;
    const char *name;            /* the image's stem: view, view-2, frame-007 */
    const char *dat;             /* the data, relative to the script */
    const char *title;
    sim_time from, to, veil;
    bool projector;
} view_script;

static void write_view_gp(FILE *f, const void *ctx) {
    const view_script *v = ctx;
    const plot_head *h = v->h;
    char a[32], b[32];
    plot_fmt_time(a, sizeof a, v->from);
    plot_fmt_time(b, sizeof b, v->to);
    fprintf(f, "# %s.gp -- lecture mode (ccsim plot --help): the timeline of %s, seed %" PRIu64
               ",\n# from %s s to %s s%s, drawn from %s.\n", v->name, h->name, h->seed, a, b,
            v->projector ? ", as a 1920x1080 slide" : "", v->dat);
    canvas c = canvas_of(h, v->projector);
    plot_gp_canvas(f, v->name, c.width, c.height, c.scale_pct);
    plot_frame fr = { c.layout_h, 0, v->title, h->verdicts, h->verdict_rgb, h->note, true, v->to,
                      v->from, c.lanes_px, v->veil };
    plot_gp_panel(f, h, v->dat, &fr);
    plot_gp_end(f);
}

static int write_script(const char *dir, const view_script *v, char *err, size_t err_len) {
    char file[96];
    snprintf(file, sizeof file, "%s.gp", v->name);
    return rpt_write_whole(dir, file, write_view_gp, v, err, err_len);
}

/* ------------------------------------------------------------ the range */

/* [from, to] of the view against a run that ends at `end`: 0, or -1. */
static int resolve_range(const plot_view *v, sim_time end, sim_time *from, sim_time *to, char *err,
                         size_t err_len) {
    char a[32], b[32];
    *from = v->from;
    *to = v->to ? v->to : end;
    if (*from < *to && *from < end) return 0;
    plot_fmt_span(a, sizeof a, *from >= end ? end : *to);
    plot_fmt_span(b, sizeof b, *from);
    if (*from >= end)
        snprintf(err, err_len, "--from %s is not before the end of the picture (%s): pick a time "
                 "inside the run", b, a);
    else
        snprintf(err, err_len, "--to %s is not after --from %s: the view would be empty", a, b);
    return -1;
}

/* ------------------------------------------------------------ frames */

/* The blocks whose rows are events of interest, and whether a row is a
 * stretch (x1 x2 ...: its start and its end are both events: a key that
 * expires, a pause that ends) or an instant (x ...). */
typedef enum { ROW_NONE, ROW_INSTANT, ROW_STRETCH } row_kind;

static row_kind block_of_interest(const char *name) {
    static const char *const stretches[] = { "shade", "down", "hatch", "held", "bar", "block",
                                             "op", "red-op" };
    static const char *const instants[] = { "dot", "square", "cross", "triangle", "diamond",
                                            "red-mark" };
    for (size_t i = 0; i < sizeof stretches / sizeof stretches[0]; i++)
        if (strcmp(name, stretches[i]) == 0) return ROW_STRETCH;
    for (size_t i = 0; i < sizeof instants / sizeof instants[0]; i++)
        if (strcmp(name, instants[i]) == 0) return ROW_INSTANT;
    return ROW_NONE;
}

/* "12.345000000" (seconds, up to nine decimals) as ns: 0, or -1. */
static int parse_seconds(const char *s, sim_time *out) {
    uint64_t whole = 0, frac = 0;
    int digits = 0;
    const char *p = s;
    if (*p < '0' || *p > '9') return -1;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (whole > (uint64_t)INT64_MAX / 10000000000u) return -1;
        whole = whole * 10 + (uint64_t)(*p - '0');
    }
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++)
            if (digits < 9) { frac = frac * 10 + (uint64_t)(*p - '0'); digits++; }
    if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\0') return -1;
    for (; digits < 9; digits++) frac *= 10;
    *out = (sim_time)(whole * 1000000000u + frac);
    return 0;
}

static int cmp_time(const void *a, const void *b) {
    sim_time x = *(const sim_time *)a, y = *(const sim_time *)b;
    return (x > y) - (x < y);
}

typedef struct times {
    sim_time *t;
    size_t count, cap;
} times;

static void times_add(times *ts, sim_time t) {
    if (ts->count == ts->cap) {
        ts->cap = ts->cap ? ts->cap * 2 : 256;
        ts->t = sim_xrealloc(ts->t, ts->cap * sizeof *ts->t);
    }
    ts->t[ts->count++] = t;
}

/* Every event of interest's time in dat: 0, or -1 with "PATH:LINE: error". */
static int read_times(const char *path, times *ts, char *err, size_t err_len) {
    FILE *f = fopen(path, "r");
    if (!f) { snprintf(err, err_len, "%s: error: cannot read it: %s", path, strerror(errno)); return -1; }
    char line[1024];
    row_kind wanted = ROW_NONE;
    uint32_t no = 0;
    int rc = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        no++;
        if (strncmp(line, "# [", 3) == 0) {
            size_t n = strcspn(line + 3, "]");
            line[3 + n] = '\0';
            wanted = block_of_interest(line + 3);
        } else if (wanted != ROW_NONE && line[0] != '#' && line[0] != '\n') {
            sim_time t1, t2;
            const char *second = strchr(line, ' ');
            bool ok = parse_seconds(line, &t1) == 0;
            if (ok && wanted == ROW_STRETCH) ok = second && parse_seconds(second + 1, &t2) == 0;
            if (!ok) { snprintf(err, err_len, "%s:%u: error: a row that does not start with its time", path, no); rc = -1; }
            else { times_add(ts, t1); if (wanted == ROW_STRETCH) times_add(ts, t2); }
        }
    }
    fclose(f);
    return rc;
}

/* The frames' times: the events in (from, to), at least 1/PLOT_FRAMES_MAX
 * of the view apart, then `to` itself (the whole picture). */
static size_t frame_times(times *ts, sim_time from, sim_time to, sim_time *out) {
    qsort(ts->t, ts->count, sizeof *ts->t, cmp_time);
    sim_time gap = (to - from) / PLOT_FRAMES_MAX;
    size_t n = 0;
    for (size_t i = 0; i < ts->count && n + 1 < PLOT_FRAMES_MAX; i++) {
        sim_time t = ts->t[i];
        if (t <= from || t >= to) continue;
        if (n > 0 && t - out[n - 1] < gap) continue;
        out[n++] = t;
    }
    out[n++] = to;
    SIM_ASSERT(n <= PLOT_FRAMES_MAX);
    return n;
}

/* Removes frames/frame-*.{gp,png} of an earlier call. */
static void clear_frames(const char *fdir) {
    char path[VIEW_PATH_MAX + 32];
    for (unsigned k = 1; k <= PLOT_FRAMES_MAX; k++) {
        snprintf(path, sizeof path, "%s/frame-%03u.gp", fdir, k);
        unlink(path);
        snprintf(path, sizeof path, "%s/frame-%03u.png", fdir, k);
        unlink(path);
    }
}

/* Draws scripts (each NAME.gp in dir), a few gnuplots at a time. */
static int draw_all(const char *dir, char (*names)[32], size_t n, unsigned formats, char *msg,
                    size_t msg_len) {
    const size_t batch = PLOT_DRAW_JOBS_MAX / 2;
    for (size_t i = 0; i < n; i += batch) {
        const char *scripts[PLOT_DRAW_JOBS_MAX / 2];
        size_t m = n - i < batch ? n - i : batch;
        for (size_t k = 0; k < m; k++) scripts[k] = names[i + k];
        if (plot_draw_many(dir, scripts, m, formats, msg, msg_len) != PLOT_DRAWN) return 1;
    }
    return 0;
}

static int draw_frames(const char *dir, const plot_head *h, sim_time from, sim_time to,
                       bool projector, char *msg, size_t msg_len) {
    char fdir[VIEW_PATH_MAX], dat[VIEW_PATH_MAX];
    snprintf(fdir, sizeof fdir, "%s/frames", dir);
    snprintf(dat, sizeof dat, "%s/timeline.dat", dir);
    if (mkdir(fdir, 0777) != 0 && errno != EEXIST) {
        snprintf(msg, msg_len, "%s: error: cannot create it: %s", fdir, strerror(errno));
        return -1;
    }
    clear_frames(fdir);
    times ts = { 0 };
    sim_time at[PLOT_FRAMES_MAX];
    int rc = read_times(dat, &ts, msg, msg_len);
    size_t n = rc == 0 ? frame_times(&ts, from, to, at) : 0;
    free(ts.t);
    char (*names)[32] = sim_xcalloc(PLOT_FRAMES_MAX, sizeof *names);
    for (size_t k = 0; rc == 0 && k < n; k++) {
        char title[PLOT_HEAD_TEXT + 96], when[32];
        plot_fmt_span(when, sizeof when, at[k]);
        snprintf(names[k], sizeof names[k], "frame-%03zu", k + 1);
        snprintf(title, sizeof title, "%s   (%zu/%zu: up to %s)", h->title, k + 1, n, when);
        sim_time veil = k + 1 < n ? at[k] + (to - from) / 200 : 0;
        view_script v = { h, names[k], "../timeline.dat", title, from, to, veil < to ? veil : 0,
                          projector };
        rc = write_script(fdir, &v, msg, msg_len);
        if (rc == 0) snprintf(names[k], sizeof names[k], "frame-%03zu.gp", k + 1);
    }
    if (rc == 0) rc = draw_all(fdir, names, n, PLOT_PNG, msg, msg_len);
    if (rc == 0) snprintf(msg, msg_len, "%s/frame-001.png .. frame-%03zu.png (%zu frames)", fdir, n, n);
    free(names);
    return rc;
}

/* ------------------------------------------------------------ entry */

static const char *formats_text(unsigned formats) {
    return formats == PLOT_PNG ? ".png" : formats == PLOT_SVG ? ".svg" : ".png and .svg";
}

static int view_run(const char *dir, const plot_view *v, unsigned formats, char *msg, size_t msg_len) {
    char path[VIEW_PATH_MAX], why[200];
    plot_head *h = sim_xmalloc(sizeof *h);
    snprintf(path, sizeof path, "%s/timeline.dat", dir);
    int rc = plot_head_read(path, h, msg, msg_len);
    if (rc == 0 && !plot_lanes_drawn(h->node_count, why, sizeof why)) {
        snprintf(msg, msg_len, "%s: %s", path, why);
        rc = -1;
    }
    sim_time from = 0, to = 0;
    if (rc == 0) rc = resolve_range(v, h->view, &from, &to, msg, msg_len);
    if (rc == 0 && v->frames) {
        rc = draw_frames(dir, h, from, to, v->projector, msg, msg_len);
    } else if (rc == 0) {
        view_script s = { h, "view", "timeline.dat", h->title, from, to, 0, v->projector };
        char names[1][32] = { "view.gp" };
        rc = write_script(dir, &s, msg, msg_len);
        if (rc == 0) rc = draw_all(dir, names, 1, formats, msg, msg_len);
        canvas c = canvas_of(h, v->projector);
        if (rc == 0)
            snprintf(msg, msg_len, "%s/view%s (%" PRIu32 "x%" PRIu32 "%s)", dir, formats_text(formats),
                     c.width, c.height, v->projector && c.height > SLIDE_H_PX * SLIDE_SCALE_PCT / 100
                     ? ", taller than 16:9: too many lanes for one slide" : "");
    }
    free(h);
    return rc;
}

static int view_compare(const char *dir, const plot_view *v, unsigned formats, char *msg,
                        size_t msg_len) {
    char path[VIEW_PATH_MAX];
    if (v->frames) {
        snprintf(msg, msg_len, "%s: --frames draws one run's timeline: give it a variant's "
                 "directory (%s/1-...)", dir, dir);
        return -1;
    }
    plot_cmp_head *c = sim_xmalloc(sizeof *c);
    plot_head *panels = NULL;
    snprintf(path, sizeof path, "%s/compare.dat", dir);
    int rc = plot_cmp_head_read(path, c, msg, msg_len);
    if (rc == 0) panels = sim_xcalloc(c->count, sizeof *panels);
    sim_time end = 0;
    for (uint32_t i = 0; rc == 0 && i < c->count; i++) {
        snprintf(path, sizeof path, "%s/%s/timeline.dat", dir, c->subdirs[i]);
        rc = plot_head_read(path, &panels[i], msg, msg_len);
        if (rc == 0 && panels[i].view > end) end = panels[i].view;
    }
    sim_time from = 0, to = 0;
    if (rc == 0) rc = resolve_range(v, end, &from, &to, msg, msg_len);
    char (*names)[32] = sim_xcalloc(PLOT_VARIANTS_MAX, sizeof *names);
    for (uint32_t i = 0; rc == 0 && i < c->count; i++) {
        char title[2 * PLOT_HEAD_TEXT + 8], dat[SIM_NAME_MAX * 2 + 16];
        snprintf(title, sizeof title, "%s   %s", c->title, c->labels[i]);
        snprintf(dat, sizeof dat, "%s/timeline.dat", c->subdirs[i]);
        snprintf(names[i], sizeof names[i], "view-%u", i + 1);
        view_script s = { &panels[i], names[i], dat, title, from, to, 0, v->projector };
        rc = write_script(dir, &s, msg, msg_len);
        snprintf(names[i], sizeof names[i], "view-%u.gp", i + 1);
    }
    if (rc == 0) rc = draw_all(dir, names, c->count, formats, msg, msg_len);
    if (rc == 0)
        snprintf(msg, msg_len, "%s/view-1%s .. view-%u%s (one page per variant, one time axis)",
                 dir, formats_text(formats), c->count, formats_text(formats));
    free(names);
    free(panels);
    free(c);
    return rc;
}

int plot_view_draw(const char *dir, const plot_view *v, unsigned formats, char *msg, size_t msg_len) {
    SIM_ASSERT(dir != NULL);
    SIM_ASSERT(v != NULL);
    SIM_ASSERT(formats != 0 && formats <= PLOT_BOTH);
    char path[VIEW_PATH_MAX];
    struct stat st;
    snprintf(path, sizeof path, "%s/timeline.dat", dir);
    if (stat(path, &st) == 0) return view_run(dir, v, formats, msg, msg_len);
    snprintf(path, sizeof path, "%s/compare.dat", dir);
    if (stat(path, &st) == 0) return view_compare(dir, v, formats, msg, msg_len);
    snprintf(msg, msg_len, "%s has no timeline.dat or compare.dat (was it written by `ccsim run` "
             "or `ccsim compare` without --no-plot?)", dir);
    return -1;
}

void plot_gp_veil(FILE *f, sim_time t) {
    char x[32];
    SIM_ASSERT(t > 0);
    plot_fmt_time(x, sizeof x, t);
    fprintf(f, "  set object 1 rect from %s, graph 0 to graph 1, graph 1 front "
               "fc rgb 'white' fs solid 0.88 noborder\n", x);
    fprintf(f, "  set arrow from %s, graph 0 to %s, graph 1 nohead front lc rgb '#555555' "
               "dt 2 lw 1\n", x, x);
}
