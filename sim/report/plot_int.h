/* plot_int.h -- the timeline as a list of drawing primitives, shared by the
 * plot_*.c files.  Not part of the interface (plot.h is).
 *
 * Builders (plot_timeline.c, plot_faults.c, plot_marks.c) turn the history,
 * the scenario and the message log into primitives; plot_write.c prints
 * them as named blocks of timeline.dat, one block per primitive kind, and
 * writes the gnuplot script that styles each block.
 *
 * Coordinates: x is true time in ns; y is in hundredths of a lane: node i
 * of n sits on lane n - i (the first node on top), and its lane spans
 * (n - i) * 100 +- PLOT_LANE_HALF.  Everything is an integer, so the data
 * file is the same bytes on every machine.
 */
#ifndef CCSIM_PLOT_INT_H
#define CCSIM_PLOT_INT_H

#include "sim/report/plot.h"

#define PLOT_TEXT_MAX   64
#define PLOT_WIDTH_PX   1200
#define PLOT_LABELS_PER_LANE 48          /* labels drawn per lane; the rest are left out */
#define PLOT_BARS_MAX   (1u << 18)       /* more holds than this: only the evidence's are drawn,
                                            and the note says so */
#define PLOT_THIN_MIN   16384            /* a timeline of more bars and marks is thinned ... */
#define PLOT_THIN_ROW   100              /* ... in its rows of more than this (plot_thin.c) */

/* Rows inside a lane, in hundredths of a lane from its centre. */
enum {
    PLOT_LANE_HALF = 46,
    PLOT_TOP_LO = 17, PLOT_TOP_HI = 33,      /* belief bars, lock keys held */
    PLOT_HELD_LO = 6, PLOT_HELD_HI = 14,     /* what the lock service held for a client */
    PLOT_MID_LO = -7, PLOT_MID_HI = 3,       /* blocked windows */
    PLOT_OPS_Y = -16,                        /* op segments and effect marks */
    PLOT_ROW_TOP = 40, PLOT_ROW_MARK = -29, PLOT_ROW_LOW = -42,   /* label rows */
    PLOT_CLOCK_AMP = 40                      /* the clock error line's half height */
};

/* Primitive kinds = blocks of timeline.dat, in drawing order (later on top). */
typedef enum {
    PB_SHADE = 0,      /* x1 x2 y1 y2 rgb   translucent: partitions, cuts, link delays */
    PB_DOWN,           /* x1 x2 y1 y2 rgb   a crashed node */
    PB_HATCH,          /* x1 x2 y1 y2 rgb   a paused node (GC) */
    PB_HELD,           /* x1 x2 y1 y2 rgb   what the lock service held for a client */
    PB_BAR,            /* x1 x2 y1 y2 rgb   what a client believed; keys on a lock node */
    PB_BLOCK,          /* x1 x2 y1 y2 rgb   blocked windows (in doubt, lock waits) */
    PB_OUTLINE,        /* x1 x2 y1 y2 rgb   evidence: a bar outlined in red */
    PB_VALID,          /* x1 x2 y rgb       a lease's validity by the client's clock */
    PB_LINE,           /* x y rgb           clock error, polylines split by blank lines */
    PB_ARROW,          /* x1 y1 x2 y2 rgb   messages */
    PB_SEG,            /* x1 x2 y rgb       client operations, invoke to completion: ok */
    PB_SEG_FAIL,       /* x1 x2 y rgb       the same, failed: thin, still the client's colour */
    PB_SEG_INFO,       /* x1 x2 y rgb       the same, outcome unknown or still pending: dashed */
    PB_RED_SEG,        /* x1 x2 y rgb       operations a check named as evidence: red */
    PB_DOT,            /* x y rgb           a read */
    PB_SQUARE,         /* x y rgb           a write applied, a saga step done */
    PB_OSQUARE,        /* x y rgb           a write undone: compensation, cache delete */
    PB_CROSS,          /* x y rgb           aborted or refused: did not take effect */
    PB_PLUS,           /* x y rgb           a retry */
    PB_STAR,           /* x y rgb           a node crashed (or lost power) */
    PB_TRI,            /* x y rgb           a commit */
    PB_TRI_DOWN,       /* x y rgb           the database refused: serialization failure,
                                            deadlock, lock timeout (the fix working) */
    PB_DIAMOND,        /* x y rgb           votes, decisions, a saga's begin and end */
    PB_PENTAGON,       /* x y rgb           a node restarted */
    PB_RED_MARK,       /* x y rgb           effects of evidence operations */
    PB_LABEL,          /* x y rgb "text"    left-aligned */
    PB_LABEL_R,        /* x y rgb "text"    right-aligned (near the right edge) */
    PB_RED_LABEL,      /* x y rgb "text"    evidence, bold red */
    PB_RED_LABEL_R,    /* x y rgb "text"    the same, right-aligned */
    PB_COUNT
} plot_block;

/* A primitive holds no text of its own: a label's text is in its
 * timeline's text pool (plot_tl.text), at offset `text`; every other
 * primitive's is offset 0, the empty string.  Its colour (24 bits) and
 * block share a word.  So a primitive is 32 bytes, not 104: tens of
 * thousands of bars and marks are built before plot_thin merges them,
 * and only the few labels have words.  Read the text through plot_text(). */
#define PLOT_RGB_MAX 0xffffffu
typedef struct plot_prim {
    sim_time x1, x2;             /* ns; x2 unused by marks; PB_LINE: x2 = polyline id */
    int32_t y1, y2;              /* hundredths of a lane */
    uint32_t text;               /* offset in plot_tl.text; 0 = "" (not a label) */
    uint32_t rgb : 24;           /* 0xrrggbb, at most PLOT_RGB_MAX */
    uint32_t block : 8;          /* a plot_block */
} plot_prim;
_Static_assert(sizeof(plot_prim) == 32, "a primitive is two times, two heights and a word each of text and colour");

/* Legend entries, as bits of plot_tl.legend. */
enum {
    PL_BELIEF = 1u << 0, PL_HELD = 1u << 1, PL_KEY = 1u << 2, PL_PAUSE = 1u << 3,
    PL_DOWN = 1u << 4, PL_NET = 1u << 5, PL_CLOCK = 1u << 6, PL_MSG = 1u << 7,
    PL_BLOCK = 1u << 8, PL_RED = 1u << 9, PL_OPS = 1u << 10, PL_VALIDITY = 1u << 11,
    PL_QUEUED = 1u << 12,
    /* one per shape and op style present (the grammar, docs/timelines.md) */
    PL_FAIL = 1u << 13, PL_INFO = 1u << 14, PL_M_READ = 1u << 15, PL_M_WRITE = 1u << 16,
    PL_M_UNDO = 1u << 17, PL_M_REFUSE = 1u << 18, PL_M_RETRY = 1u << 19, PL_M_CRASH = 1u << 20,
    PL_M_COMMIT = 1u << 21, PL_M_DBREFUSE = 1u << 22, PL_M_STEP = 1u << 23,
    PL_M_RESTART = 1u << 24, PL_HALF = 1u << 25, PL_RED_MARK = 1u << 26, PL_RED_BAR = 1u << 27,
    PL_MSG_LOST = 1u << 28,
    /* the mechanisms (plot_mech.h) */
    PL_RENEW = 1u << 29, PL_INDOUBT = 1u << 30
};
/* The last bit a uint32_t legend has: outside the enum, whose values are ints. */
#define PL_STOCK (1u << 31)
/* The legend bit of a mark block (0 for the others). */
uint32_t plot_mark_legend(plot_block b);

typedef struct plot_lbox { sim_time x1, x2; int32_t y1, y2; } plot_lbox;
#define PLOT_NO_LABEL UINT32_MAX

typedef struct plot_tl {
    const scn *s;
    const hist *h;
    const rpt_run *run;
    sim_time end;                /* the horizon */
    sim_time view;               /* the x range is [0, view]: end, or a little after the
                                    last thing that happens when that is much earlier */
    sim_time min_w;              /* a bar at least this wide, so it shows */
    sim_time char_w;             /* the width of one label character, in ns */
    plot_prim *p;
    uint32_t count, cap;
    char *text;                          /* the labels' texts, each NUL-terminated; text[0] = '\0' */
    uint32_t text_len, text_cap;
    uint32_t labels[SIM_NODES_MAX];      /* labels placed per node's lane */
    uint32_t *label_at;                  /* indices in p of every label, for overlap tests */
    uint32_t label_count, label_cap;
    /* Each placed label's box, and the labels of each band of height 100
     * (a lane) as chains through label_next, so that an overlap test reads
     * the labels near its row, not all of them (plot_timeline.c). */
    plot_lbox *label_box;                /* per label, as label_at */
    uint32_t *label_next;                /* per label: the next in its band, PLOT_NO_LABEL */
    uint32_t *band_head;                 /* per band: its last placed label, PLOT_NO_LABEL */
    uint32_t band_count;
    uint32_t rgb[SIM_NODES_MAX];         /* each node's colour (clients' palette) */
    bool evidence_op_flag;               /* any evidence op at all */
    uint8_t *evidence;                   /* per op: 1 = named by a violated check */
    uint8_t *red_effect;                 /* per effect: not 0 = evidence found by a family's
                                            builder (plot_saga.c), drawn red */
    uint32_t legend;
    char note[320];                      /* the line under the title (arrows shown...) */
} plot_tl;

/* Colours.  The grammar (docs/timelines.md): colour says who (each client
 * its hue from the palette, servers grey), shape says what, and red says
 * only "the evidence a failing check names".  No other colour carries a
 * status: a failed op is thin, an unknown one dashed, in its client's hue. */
#define PLOT_RED     0xd62728u
#define PLOT_GREY    HIST_MARK_GREY     /* hist.h: one grey for marks and lanes */
#define PLOT_LIGHT   HIST_MARK_LIGHT
#define PLOT_BLOCKED 0xe6a100u
#define PLOT_CLOCK   0x2a7f62u

/* ---- the model (plot_timeline.c) ---- */
/* A little after the last thing that happens (an op, an effect, a fault, a
 * message), two digits rounded up; `end` when an op is still pending at
 * the end, or when trimming would save less than a quarter. */
sim_time plot_view_end(const scn *s, const hist *h, sim_time end, const plot_msgs *m);
void plot_tl_build(plot_tl *t, const plot_run *r);
/* The same on a given axis, [0, view] (0: its own view): a compare's
 * panels are built on their common axis, so labels are placed for the
 * scale they are drawn at. */
void plot_tl_build_at(plot_tl *t, const plot_run *r, sim_time view);
void plot_tl_free(plot_tl *t);
int32_t plot_lane_y(const plot_tl *t, int32_t node);     /* lane centre, hundredths */
void plot_add(plot_tl *t, plot_block b, sim_time x1, sim_time x2, int32_t y1, int32_t y2,
              uint32_t rgb, const char *text);
/* Puts a text (cut to PLOT_TEXT_MAX - 1 bytes) in t's pool; its offset. */
uint32_t plot_text_put(plot_tl *t, const char *text);
/* A primitive's text: a label's words, "" for any other. */
static inline const char *plot_text(const plot_tl *t, const plot_prim *p) {
    return p->text == 0 ? "" : t->text + p->text;
}
/* A box at least min_w wide. */
void plot_box(plot_tl *t, plot_block b, sim_time x1, sim_time x2, int32_t y1, int32_t y2,
              uint32_t rgb);
void plot_mark(plot_tl *t, plot_block b, sim_time x, int32_t y, uint32_t rgb);
/* A label on node's lane at row y (hundredths from the lane centre); moved
 * to a free row nearby or left out when it would overlap another, unless
 * forced.  Right-aligned near the right edge. */
void plot_label(plot_tl *t, int32_t node, sim_time x, int32_t row, uint32_t rgb, bool force,
                const char *fmt, ...) __attribute__((format(printf, 7, 8)));
/* Whether plot_label could place a label on node's lane: node is one of
 * the run's, and its lane has room (under PLOT_LABELS_PER_LANE placed) or
 * the label is forced.  When false plot_label does nothing, so a caller
 * may skip making the text (tens of thousands of holds each ask). */
bool plot_label_room(const plot_tl *t, int32_t node, bool force);
/* Where a placed label's text sits, as the plot code computes it: x in ns
 * (its characters at char_w each, bold red ones a third wider), y in
 * hundredths of a lane (PLOT_LABEL_HALF either side of its row).  Two
 * labels collide when their boxes intersect; plot_label never places a
 * label whose box meets another's (two char_w apart at least), and
 * tests/test_plot.c checks that over the library. */
#define PLOT_LABEL_HALF 6
plot_lbox plot_label_box(const plot_tl *t, const plot_prim *p);
bool plot_lbox_meet(const plot_lbox *a, const plot_lbox *b);
/* "15 s", "0.004 s": a duration for a label. */
void plot_fmt_span(char *buf, size_t len, sim_time ns);

/* A fault as a stretch of time, for the latency plot's shading: pauses,
 * crashes (to the restart), partitions and cuts (to the next partition or
 * heal), link delays; clock faults are instants (from == to). */
typedef struct plot_span {
    sim_time from, to;
    uint32_t fault;              /* index in scn.faults */
} plot_span;
uint32_t plot_fault_spans(const scn *s, sim_time end, plot_span *out, uint32_t max);

/* ---- builders in other files ---- */
void plot_build_faults(plot_tl *t);          /* plot_faults.c: pauses, crashes, network */
void plot_build_clocks(plot_tl *t);          /* plot_faults.c: clock error lines */
void plot_build_marks(plot_tl *t);           /* plot_marks.c: effects, by the kind table */
/* plot_saga.c: half-done bands and the saga check's evidence (before the
 * marks, which it colours through red_effect). */
void plot_build_sagas(plot_tl *t);
/* A saga effect's label by its step's name ("T2 reserveFunds", "C2
 * releaseFunds again: applied twice"); false for other effects. */
bool plot_saga_label(const plot_tl *t, uint32_t effect, char *buf, size_t len);
void plot_build_arrows(plot_tl *t, const plot_msgs *m);   /* plot_msgs.c */
/* plot_thin.c: a row of more than PLOT_THIN_MIN bars or marks drawn as its
 * pixels show it (closer than 1 px merged), said in the note. */
void plot_thin(plot_tl *t);
/* The true time at which node's monotonic clock, read at t0, has advanced by d. */
sim_time plot_true_after_mono(const scn *s, int32_t node, sim_time t0, sim_time d);

/* ---- files (plot_write.c; each written whole by rpt_write_whole) ---- */
void plot_fmt_time(char *buf, size_t len, sim_time ns);   /* "15.005000000" seconds */
/* The same written at p, no NUL (at most 21 characters); past the last. */
char *plot_put_time(char *p, sim_time ns);
/* An unsigned integer's digits at p (room for RPT_U64_DIGITS), no NUL;
 * past the last.  rpt_fmt_u64 (escape.h) writes them. */
char *plot_put_u64(char *p, uint64_t v);
/* A gnuplot single-quoted string body: ' doubled, control characters dropped. */
void plot_gp_str(FILE *f, const char *s);
/* latency.dat and latency.gp (plot_latency.c). */
int plot_write_latency(const char *dir, const rpt_run *run, char *err, size_t err_len);
/* Gnuplot's frame: a loop drawing SVG then PNG of the given height. */
void plot_gp_begin(FILE *f, const char *name, uint32_t height_px);
/* The same on a canvas of any size, fonts and lines scaled by scale_pct
 * (100 = as laid out; plot_view.c's projector slides). */
void plot_gp_canvas(FILE *f, const char *name, uint32_t width_px, uint32_t height_px,
                    uint32_t scale_pct);
void plot_gp_end(FILE *f);

/* Where one timeline panel goes in the picture, and what it says. */
typedef struct plot_frame {
    uint32_t height_px;          /* the whole picture */
    uint32_t top_px;             /* the panel's top, from the top of the picture */
    const char *title;           /* bold, first line */
    const char *verdicts;        /* second line, in verdict_rgb */
    uint32_t verdict_rgb;
    const char *note;            /* third line, small; NULL or "" = none */
    bool legend;                 /* the legend under the time axis */
    sim_time x_end;              /* the time axis ends here */
    sim_time x_from;             /* ... and starts here (0 = the run's start) */
    uint32_t lanes_px;           /* the lanes' height; 0 = PX_LANE a lane (plot_lanes_px) */
    sim_time veil_from;          /* > 0: what happens after it is veiled (plot_view.c frames) */
} plot_frame;

/* ---- what a script draws besides the data (plot_head.c) ----
 * A script is a function of its data file and of these few values, which
 * are written at the top of the data file as comment lines "#@ key value";
 * `ccsim plot` reads them back and writes the script again, so it never
 * runs a script it finds in a folder.  Reading checks every value: names
 * are plain words, numbers are numbers, text is one line and is quoted by
 * plot_gp_str() when written into a script. */
#define PLOT_KINDS_MAX 32               /* op kinds in latency.dat */
#define PLOT_SPANS_MAX 256              /* fault spans shaded in latency.gp */
#define PLOT_HEAD_TEXT 512
#define PLOT_LAT_THIN_MIN 5000          /* points in a latency series above which it is thinned */

typedef struct plot_head {              /* timeline.dat -> timeline.gp, a compare panel */
    char name[SIM_NAME_MAX * 2];
    uint64_t seed;
    char title[PLOT_HEAD_TEXT];
    char verdicts[PLOT_HEAD_TEXT];
    uint32_t verdict_rgb;
    char note[PLOT_HEAD_TEXT];
    sim_time view;                      /* the time axis ends here (> 0) */
    uint32_t legend;                    /* PL_* bits */
    uint32_t blocks;                    /* bit b: block b of timeline.dat has rows */
    uint32_t node_count;                /* 1..SIM_NODES_MAX */
    char nodes[SIM_NODES_MAX][SIM_NAME_MAX];
} plot_head;

typedef struct plot_lat_span { sim_time from, to; char text[96]; } plot_lat_span;

typedef struct plot_lat_head {          /* latency.dat -> latency.gp */
    char name[SIM_NAME_MAX * 2];
    char note[PLOT_HEAD_TEXT];          /* "" or how the points were thinned */
    uint64_t seed;
    sim_time end;                       /* > 0 */
    uint32_t kind_count;
    char kinds[PLOT_KINDS_MAX][SIM_NAME_MAX];
    uint32_t used[PLOT_KINDS_MAX][3];   /* points per (kind, outcome: ok, fail, info) */
    uint32_t span_count;
    plot_lat_span spans[PLOT_SPANS_MAX];
} plot_lat_head;

typedef struct plot_cmp_head {          /* compare.dat -> compare.gp */
    char title[PLOT_HEAD_TEXT];
    uint32_t count;                     /* 1..PLOT_VARIANTS_MAX */
    char labels[PLOT_VARIANTS_MAX][PLOT_HEAD_TEXT];
    char subdirs[PLOT_VARIANTS_MAX][SIM_NAME_MAX * 2];   /* plain folder names */
} plot_cmp_head;

void plot_head_write(FILE *f, const plot_head *h);
void plot_lat_head_write(FILE *f, const plot_lat_head *h);
void plot_cmp_head_write(FILE *f, const plot_cmp_head *h);
/* Each reads its lines from the top of a data file; 0, or -1 with
 * "PATH:LINE: error: ..." in err. */
int plot_head_read(const char *path, plot_head *h, char *err, size_t err_len);
int plot_lat_head_read(const char *path, plot_lat_head *h, char *err, size_t err_len);
int plot_cmp_head_read(const char *path, plot_cmp_head *h, char *err, size_t err_len);

/* The scripts, from their heads (plot_write.c, plot_latency.c). */
void plot_write_timeline_gp(FILE *f, const void *head);   /* a plot_head */
void plot_write_latency_gp(FILE *f, const void *head);    /* a plot_lat_head */
void plot_write_compare_gp(FILE *f, const plot_cmp_head *c, const plot_head *panels);

/* One timeline panel: data file `dat` (relative to the script), lanes of h. */
void plot_gp_panel(FILE *f, const plot_head *h, const char *dat, const plot_frame *fr);
uint32_t plot_panel_height_px(const plot_head *h, bool legend);
uint32_t plot_lanes_px(const plot_head *h);               /* the lanes' part of it */
/* A white veil over the panel after true time t, and a line at t (frames). */
void plot_gp_veil(FILE *f, sim_time t);
/* A violation fencing makes harmless: lease-overlap of two epochs that both
 * had fencing tokens (the check sets check_result.informational).  The
 * picture does not draw it as evidence: no red. */
bool plot_check_fenced(const check_result *r);
/* "violation: a, b;  ok: c, d" and its colour (red when any violated). */
void plot_verdict_line(const rpt_run *run, char *buf, size_t len, uint32_t *rgb);

#endif
