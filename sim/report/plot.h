/* plot.h -- the pictures of a run, drawn by gnuplot (DESIGN.md 9).
 *
 *   timeline.dat / timeline.gp   -> timeline.png, timeline.svg   every run
 *   latency.dat  / latency.gp    -> latency.png,  latency.svg    runs with
 *                                                                many ops
 *   compare.gp (+ each variant's timeline.dat) -> compare.png, compare.svg
 *
 * Both formats by default (DESIGN.md 9); `--draw png` or `--draw svg` asks
 * for one, since gnuplot can cost more than the simulation.  To keep the
 * default cheap, each format of each picture is its own gnuplot process,
 * all run at once (plot_draw_many), and a picture far denser than its
 * pixels is thinned to what they can show, saying so under its title
 * (plot_thin.c; latency series in plot_latency.c): never silently cut.
 *
 * ccsim writes the data and the script (whole files, NAME.tmp renamed into
 * place, same run -> same bytes: every number is printed from integers);
 * gnuplot, run as an external program from PATH, draws the images (also
 * to .tmp, renamed when gnuplot succeeds).  The report directory holds
 * everything gnuplot needs, so `gnuplot timeline.gp` inside DIR draws them
 * again; `ccsim plot DIR` first writes the scripts again from the data
 * (plot_rewrite), so it runs no script found in a folder.  docs/timelines.md tells how to read them.
 *
 * The timeline: one lane per node (scenario order, top down), true time
 * across.  What each lane shows comes from the history and the scenario:
 * lock holds (what a client believed, and what the lock service held),
 * blocked windows, resource effects, pauses, crashes, partitions, cuts,
 * link delays, each node's clock error, messages (sim_msg_note), and the
 * checks' evidence in red (and only that is red: docs/timelines.md, "The
 * grammar").  New kinds of lane content are rows of the shape table in
 * plot_marks.c or one more builder (plot_timeline.c, plot_saga.c).
 */
#ifndef CCSIM_PLOT_H
#define CCSIM_PLOT_H

#include "sim/report/report.h"
#include "sim/sim.h"

#define PLOT_MSGS_MAX        (1u << 20)  /* messages logged per run; later ones are counted only */
#define PLOT_MSGS_HEAP_MAX   (1u << 15)  /* a log this long moves to room for PLOT_MSGS_MAX (plot_msgs.c) */
#define PLOT_ARROWS_MAX      80          /* message arrows drawn; more -> a window around the
                                            first violation */
#define PLOT_LATENCY_OPS_MIN 100         /* ops a run needs for latency.png */
/* Lanes (nodes) a timeline picture is drawn for: past it the picture would
 * be taller than gnuplot can draw (84 px a lane), so timeline.gp and
 * timeline.dat are written but not drawn (`ccsim run` says so). */
#define PLOT_LANES_DRAW_MAX 256
/* Whether a timeline of `lanes` lanes is drawn; when not, the reason in
 * why ("301 lanes are more than ... not drawn"), for run and plot alike. */
bool plot_lanes_drawn(uint32_t lanes, char *why, size_t why_len);
#define PLOT_VARIANTS_MAX    16          /* panels in one compare picture */

/* The message log a run's sim_options.on_message fills (plot_msgs_note). */
typedef struct plot_msg {
    int32_t from, to;
    sim_time sent_ns;
    sim_time arrive_ns;          /* SIM_TIME_NEVER: lost or link down at send */
    bool dropped;                /* dropped on arrival (link down, node crashed) */
} plot_msg;

typedef struct plot_msgs {
    plot_msg *items;
    uint32_t count, cap;
    uint64_t total;              /* notes of messages sent, including those not kept */
    sim_time last_arrive_ns;     /* the latest arrival of a kept message, SIM_TIME_NEVER = none */
} plot_msgs;

void plot_msgs_init(plot_msgs *m);
void plot_msgs_free(plot_msgs *m);
/* A sim_msg_fn: ctx is a plot_msgs. */
void plot_msgs_note(void *ctx, const sim_msg_note *note);

/* One run to draw. */
typedef struct plot_run {
    const rpt_run *run;          /* scenario, history, seed, end, check results */
    const plot_msgs *msgs;       /* NULL: no arrows */
} plot_run;

/* Writes timeline.dat and timeline.gp into dir, and latency.dat and
 * latency.gp when the run has at least PLOT_LATENCY_OPS_MIN ops (removing
 * stale ones otherwise).  Returns 0, or -1 with a message naming the file. */
int plot_write(const char *dir, const plot_run *r, char *err, size_t err_len);

/* One variant of a comparison: its run, its label ("params.fencing=true")
 * and its report directory relative to the compare directory ("1-true"),
 * where plot_write() put its timeline.dat. */
typedef struct plot_variant {
    plot_run r;
    const char *label;
    const char *subdir;
} plot_variant;

/* Writes compare.gp into dir: the variants' timelines one above the other,
 * on one time axis, and each variant's timeline.dat and timeline.gp again
 * (into dir/subdir) on that axis, so every panel's labels are placed for
 * the scale the compare draws them at.  Returns 0, or -1 with a message. */
int plot_write_compare(const char *dir, const char *title, const plot_variant *v, size_t n,
                       char *err, size_t err_len);

typedef enum { PLOT_DRAWN = 0, PLOT_NO_GNUPLOT, PLOT_GNUPLOT_FAILED } plot_status;

/* The image formats to draw (a mask): both by default, one with --draw.  A
 * script run by hand (`gnuplot timeline.gp`) draws both. */
typedef enum { PLOT_PNG = 1u, PLOT_SVG = 2u, PLOT_BOTH = 3u } plot_format;

/* Parses a --draw value ("png", "svg", "png,svg", "svg,png") into *formats.
 * Returns 0, or -1 when it is none of those. */
int plot_parse_formats(const char *text, unsigned *formats);

/* Runs gnuplot on dir/script (timeline.gp, latency.gp, compare.gp) with dir
 * as its working directory, drawing the formats asked for (a mask of
 * plot_format, not 0); on success renames those images into place and
 * removes an older image of a format not drawn, on failure removes them all
 * (no image is better than a stale one).  *why gets one line for a person:
 * what to install, or gnuplot's first complaint. */
plot_status plot_draw(const char *dir, const char *script, unsigned formats, char *why,
                      size_t why_len);

/* plot_draw for n scripts (n * 2 <= PLOT_DRAW_JOBS_MAX) of one directory,
 * every script and format drawn by its own gnuplot, all at once (they are
 * independent; the images are the same bytes as drawn one after the other).
 * Each script's images are settled as plot_draw does; returns PLOT_DRAWN,
 * or the first failure with *why. */
#define PLOT_DRAW_JOBS_MAX 8
plot_status plot_draw_many(const char *dir, const char *const *scripts, size_t n,
                           unsigned formats, char *why, size_t why_len);

/* Writes dir/NAME.gp again (NAME: timeline, latency or compare) from the
 * data ccsim wrote beside it (NAME.dat; compare.dat and each variant's
 * timeline.dat), replacing whatever script is there: `ccsim plot` never
 * runs a script it did not write.  Returns 0, or -1 with a message (the
 * data is missing, from an older ccsim, or malformed). */
int plot_rewrite(const char *dir, const char *name, char *err, size_t err_len);

/* Removes dir/NAME.{gp,dat,png,svg} and their .tmp files (a run with
 * --no-plot must not leave an older run's picture behind). */
void plot_remove(const char *dir, const char *name);

/* A node's wall clock minus true time at t, replayed from the scenario's
 * clocks and clock faults with the engine's clock model (what the
 * timeline's clock lines draw; equal to local_ns - t_ns in the history). */
sim_time plot_clock_error(const scn *s, int32_t node, sim_time t);

/* Latency percentile (p in 0..100) of the completed ops, in ns; 0 when none. */
sim_time plot_latency_percentile(const hist *h, uint32_t p);

/* Lecture mode (plot_view.c, `ccsim plot --from --to --projector
 * --frames`): pictures for a talk, written beside the run's own from the
 * same data: view.png/.svg (a compare directory: view-K, a page per
 * variant), or frames/frame-NNN.png, the timeline step by step. */
#define PLOT_FRAMES_MAX 40
typedef struct plot_view {
    sim_time from, to;           /* the time axis; to = 0: the picture's own end */
    bool projector;              /* a 16:9 slide: 1920x1080, fonts and lines x1.6 */
    bool frames;                 /* frames/frame-NNN.png (PNG only) instead of view */
} plot_view;
/* 0 drawn (msg: what, for "drew ..."); -1 bad input (msg: why, with the
 * file); 1 gnuplot missing or failing (msg: what to do). */
int plot_view_draw(const char *dir, const plot_view *v, unsigned formats, char *msg, size_t msg_len);

#endif
