/* plot_write.c -- timeline.dat and timeline.gp (and compare.gp): the
 * primitives of plot_timeline.c as named blocks of a data file, and the
 * gnuplot script that draws each block in its style.
 *
 * timeline.dat holds every block, in plot_block order, each headed by a
 * comment `# [name] columns` that gnuplot's `index "[name]"` finds, even
 * when it is empty; the script plots only the blocks that have rows.
 * The script draws twice in one gnuplot run, SVG then PNG (a `do for`
 * loop, since a multiplot cannot be replotted), to `NAME.svg` + sfx, where
 * sfx is "" unless given (ccsim passes -e "sfx='.tmp'" and renames).
 *
 * Invariant: every number is printed from integers (seconds with nine
 * decimals, lanes with two), and nothing depends on a clock, an address or
 * the locale, so the same run gives the same bytes.  Trade-off: the layout
 * is computed in pixels here for a fixed 1200-pixel width, not measured by
 * gnuplot: label widths are estimated (plot_label_box), so a font much
 * wider than DejaVu Sans could still make two labels touch.  The legend
 * is computed from the blocks that have rows: it names what is drawn.
 */
#include "sim/report/plot_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/report/escape.h"

#define PATH_MAX_LEN 4096

typedef struct block_style {
    const char *name;            /* the block's name in timeline.dat */
    const char *cols;            /* its columns, for people */
    const char *gp;              /* the gnuplot plot clause after `'FILE' index "[name]" ` */
} block_style;

#define BOXES "using (($1+$2)/2):(($3+$4)/2):1:2:3:4:5 with boxxyerror lc rgb variable "
#define MARKS "using 1:2:3 with points lc rgb variable "

static const block_style styles[PB_COUNT] = {
    [PB_SHADE] = { "shade", "x1 x2 y1 y2 rgb", BOXES "fs transparent solid 0.22 noborder" },
    [PB_DOWN] = { "down", "x1 x2 y1 y2 rgb", BOXES "fs transparent solid 0.30 noborder" },
    [PB_HATCH] = { "hatch", "x1 x2 y1 y2 rgb", BOXES "fs transparent pattern 7 border" },
    [PB_HELD] = { "held", "x1 x2 y1 y2 rgb", BOXES "fs transparent solid 0.45 border" },
    [PB_BAR] = { "bar", "x1 x2 y1 y2 rgb", BOXES "fs solid 0.85 border rgb '#404040'" },
    [PB_BLOCK] = { "block", "x1 x2 y1 y2 rgb", BOXES "fs transparent solid 0.65 noborder" },
    [PB_OUTLINE] = { "outline", "x1 x2 y1 y2 rgb", BOXES "lw 2.5 fs empty border" },
    [PB_VALID] = { "valid", "x1 x2 y rgb",
                   "using 1:3:($2-$1):(0):4 with vectors heads size screen 0.004,90 lw 1.2 "
                   "dt 2 lc rgb variable" },
    [PB_LINE] = { "clock", "x y id rgb", "using 1:2:4 with lines lw 1.6 lc rgb variable" },
    [PB_ARROW] = { "arrow", "x1 y1 x2 y2 rgb",
                   "using 1:2:($3-$1):($4-$2):5 with vectors head filled size screen 0.006,20 "
                   "lw 0.7 lc rgb variable" },
    [PB_SEG] = { "op", "x1 x2 y rgb", "using 1:3:($2-$1):(0):4 with vectors nohead lw 5 lc rgb variable" },
    [PB_SEG_FAIL] = { "op-failed", "x1 x2 y rgb",
                      "using 1:3:($2-$1):(0):4 with vectors nohead lw 1.5 lc rgb variable" },
    [PB_SEG_INFO] = { "op-unknown", "x1 x2 y rgb",
                      "using 1:3:($2-$1):(0):4 with vectors nohead lw 3 lc rgb variable dt 2" },
    [PB_RED_SEG] = { "red-op", "x1 x2 y rgb",
                     "using 1:3:($2-$1):(0):4 with vectors nohead lw 7 lc rgb variable" },
    [PB_DOT] = { "dot", "x y rgb", MARKS "pt 7 ps 0.7" },
    [PB_SQUARE] = { "square", "x y rgb", MARKS "pt 5 ps 0.8" },
    [PB_OSQUARE] = { "open-square", "x y rgb", MARKS "pt 4 ps 0.9 lw 2" },
    [PB_CROSS] = { "cross", "x y rgb", MARKS "pt 2 ps 1.0 lw 2" },
    [PB_PLUS] = { "plus", "x y rgb", MARKS "pt 1 ps 1.0 lw 2" },
    [PB_STAR] = { "star", "x y rgb", MARKS "pt 3 ps 1.8 lw 2.5" },
    [PB_TRI] = { "triangle", "x y rgb", MARKS "pt 9 ps 1.1" },
    [PB_TRI_DOWN] = { "triangle-down", "x y rgb", MARKS "pt 11 ps 1.1" },
    [PB_DIAMOND] = { "diamond", "x y rgb", MARKS "pt 13 ps 1.0" },
    [PB_PENTAGON] = { "pentagon", "x y rgb", MARKS "pt 15 ps 1.3" },
    [PB_RED_MARK] = { "red-mark", "x y rgb", MARKS "pt 6 ps 2.0 lw 2.5" },
    [PB_LABEL] = { "label", "x y rgb text",
                   "using 1:2:4:3 with labels boxed left offset 0.3,0 font ',8' tc rgb variable" },
    [PB_LABEL_R] = { "label-right", "x y rgb text",
                     "using 1:2:4:3 with labels boxed right offset -0.3,0 font ',8' tc rgb variable" },
    [PB_RED_LABEL] = { "red-label", "x y rgb text",
                       "using 1:2:4:3 with labels boxed left offset 0.3,0 "
                       "font 'DejaVu Sans Bold,9' tc rgb variable" },
    [PB_RED_LABEL_R] = { "red-label-right", "x y rgb text",
                         "using 1:2:4:3 with labels boxed right offset -0.3,0 "
                         "font 'DejaVu Sans Bold,9' tc rgb variable" },
};

/* Legend entries: a style for a NaN plot and its title.  Swatches of who
 * (bars, ops) are drawn in the first client's hue, as the first client's
 * are; swatches of what (marks) in grey, since their shape is what they say. */
#define LG_MARK(pt, ps) "with points pt " #pt " ps " #ps " lw 2 lc rgb '#555555'"
static const struct { uint32_t bit; const char *style; const char *title; } legend_entries[] = {
    { PL_BELIEF, "with boxes lc rgb '#1f77b4' fs solid 0.85 border rgb '#404040'",
      "a client believes it holds the lock" },
    { PL_HELD, "with boxes lc rgb '#1f77b4' fs transparent solid 0.45 border",
      "the lock service holds its key" },
    { PL_KEY, "with boxes lc rgb '#1f77b4' fs solid 0.85 border rgb '#404040'",
      "a key on a lock node, in the colour of its client" },
    { PL_QUEUED, "with boxes lc rgb '#1f77b4' fs transparent solid 0.45 border",
      "a key queued behind an older one" },
    { PL_VALIDITY, "with lines dt 2 lw 1.2 lc rgb '#1f77b4'", "lease validity, by its clock" },
    { PL_OPS, "with lines lw 5 lc rgb '#1f77b4'", "operation, invoke to completion: ok" },
    { PL_FAIL, "with lines lw 1.5 lc rgb '#1f77b4'", "operation failed (thin)" },
    { PL_INFO, "with lines lw 3 dt 2 lc rgb '#1f77b4'", "outcome unknown or pending (dashed)" },
    { PL_HALF, "with boxes lc rgb '#1f77b4' fs transparent solid 0.18 border", "a saga half done" },
    { PL_M_READ, LG_MARK(7, 0.7), "read" },
    { PL_M_WRITE, LG_MARK(5, 0.8), "write applied or step done" },
    { PL_M_UNDO, LG_MARK(4, 0.9), "undone: compensation, delete" },
    { PL_M_REFUSE, LG_MARK(2, 1.0), "aborted or refused; message lost" },
    { PL_M_RETRY, LG_MARK(1, 1.0), "retry" },
    { PL_M_COMMIT, LG_MARK(9, 1.1), "commit" },
    { PL_M_DBREFUSE, LG_MARK(11, 1.1), "serialization failure, deadlock, lock timeout" },
    { PL_M_STEP, LG_MARK(13, 1.0), "vote, decision, saga begin or end" },
    { PL_M_CRASH, LG_MARK(3, 1.8), "crash" },
    { PL_M_RESTART, LG_MARK(15, 1.3), "restart" },
    { PL_RED, "with lines lw 6 lc rgb '#d62728'", "evidence: the operations a failing check names" },
    { PL_RED_MARK, "with points pt 6 ps 1.6 lw 2.5 lc rgb '#d62728'", "evidence: what they did" },
    { PL_RED_BAR, "with boxes lw 2.5 lc rgb '#d62728' fs empty border", "evidence: a hold or window a check names" },
    { PL_PAUSE, "with boxes lc rgb '#555555' fs transparent pattern 7 border", "paused (GC)" },
    { PL_DOWN, "with boxes lc rgb '#555555' fs transparent solid 0.30 noborder", "down" },
    { PL_NET, "with boxes lc rgb '#e07a9f' fs transparent solid 0.3 noborder",
      "partitioned, cut or delayed" },
    { PL_BLOCK, "with boxes lc rgb '#555555' fs transparent pattern 4 border", "blocked, waiting (in the colour of who waits)" },
    { PL_CLOCK, "with lines lw 1.6 lc rgb '#2a7f62'", "clock error (wall - true)" },
    { PL_MSG, "with vectors head filled lw 0.7 lc rgb '#7a7a7a'", "message, coloured by its client" },
    { PL_RENEW, "with points pt 13 ps 1.0 lc rgb '#333333'", "key renewed (watchdog)" },
    { PL_INDOUBT, "with boxes lc rgb '#1f77b4' fs transparent solid 0.45 border",
      "in doubt: voted yes, outcome unknown" },
    { PL_STOCK, "with lines lw 1.6 lc rgb '#444444'", "stock left in the row" },
};

uint32_t plot_mark_legend(plot_block b) {
    switch (b) {
    case PB_DOT: return PL_M_READ;
    case PB_SQUARE: return PL_M_WRITE;
    case PB_OSQUARE: return PL_M_UNDO;
    case PB_CROSS: return PL_M_REFUSE;
    case PB_PLUS: return PL_M_RETRY;
    case PB_STAR: return PL_M_CRASH;
    case PB_TRI: return PL_M_COMMIT;
    case PB_TRI_DOWN: return PL_M_DBREFUSE;
    case PB_DIAMOND: return PL_M_STEP;
    case PB_PENTAGON: return PL_M_RESTART;
    case PB_SEG_FAIL: return PL_FAIL;
    case PB_SEG_INFO: return PL_INFO;
    case PB_SEG: return PL_OPS;
    case PB_RED_SEG: return PL_RED;
    case PB_RED_MARK: return PL_RED_MARK;
    case PB_OUTLINE: return PL_RED_BAR;
    case PB_ARROW: return PL_MSG;
    default: return 0;
    }
}

/* ------------------------------------------------------------ numbers */

/* The digits of v at p, zero-padded to `width` (v < 10^width); past the last. */
static char *put_u64_padded(char *p, uint64_t v, int width) {
    for (int i = width; i-- > 0;) { p[i] = (char)('0' + v % 10u); v /= 10u; }
    SIM_ASSERT(v == 0);                         /* it fitted */
    return p + width;
}

char *plot_put_time(char *p, sim_time ns) {
    if (ns < 0) *p++ = '-';
    uint64_t a = ns < 0 ? (uint64_t)(-(ns + 1)) + 1u : (uint64_t)ns;
    p = plot_put_u64(p, a / 1000000000u);
    *p++ = '.';
    return put_u64_padded(p, a % 1000000000u, 9);
}

/* printf's "%s%" PRIu64 ".%09" PRIu64 " of the sign and |ns|'s seconds and
 * nanoseconds, written by hand: it is printed for every row of
 * timeline.dat and latency.dat, and snprintf was a tenth of their cost. */
void plot_fmt_time(char *buf, size_t len, sim_time ns) {
    SIM_ASSERT(buf != NULL);
    SIM_ASSERT(len >= 22);                      /* "-9223372036.854775808" and its NUL: never cut */
    *plot_put_time(buf, ns) = '\0';
}

/* "%s%" PRIu32 ".%02" PRIu32 ": a lane coordinate in lanes, two decimals. */
static char *put_lane(char *p, int32_t y) {
    SIM_ASSERT(y != INT32_MIN);                 /* -y below must not overflow */
    if (y < 0) *p++ = '-';
    uint32_t a = y < 0 ? (uint32_t)(-y) : (uint32_t)y;
    p = plot_put_u64(p, a / 100u);
    *p++ = '.';
    return put_u64_padded(p, a % 100u, 2);
}

char *plot_put_u64(char *p, uint64_t v) { return p + rpt_fmt_u64(p, v); }

void plot_gp_str(FILE *f, const char *s) {
    SIM_ASSERT(f != NULL);
    SIM_ASSERT(s != NULL);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '\'') fputs("''", f);
        else if (*p >= 0x20 && *p != 0x7f) fputc(*p, f);
    }
}

static void data_str(FILE *f, const char *s) {
    SIM_ASSERT(f != NULL);
    SIM_ASSERT(s != NULL);
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        fputc(*p == '"' ? '\'' : (*p < 0x20 || *p == 0x7f) ? ' ' : *p, f);
    fputc('"', f);
}

/* ------------------------------------------------------------ timeline.dat */

/* A row of timeline.dat, built in a buffer: numbers and spaces, as a
 * printf of each block's columns would print them. */
static void write_prim(FILE *f, const plot_tl *t, const plot_prim *p) {
    char line[160], *o = line;                  /* 5 numbers of at most 21 characters */
    SIM_ASSERT(p->block < PB_COUNT);
    SIM_ASSERT(p->text < t->text_len || p->text == 0);          /* plot_text_put's offset */
    switch ((plot_block)p->block) {
    case PB_LINE:                               /* x y polyline rgb */
        o = plot_put_time(o, p->x1); *o++ = ' ';
        o = put_lane(o, p->y1); *o++ = ' ';
        if (p->x2 < 0) *o++ = '-';
        o = plot_put_u64(o, p->x2 < 0 ? (uint64_t)(-(p->x2 + 1)) + 1u : (uint64_t)p->x2);
        break;
    case PB_ARROW:                              /* x1 y1 x2 y2 rgb */
        o = plot_put_time(o, p->x1); *o++ = ' ';
        o = put_lane(o, p->y1); *o++ = ' ';
        o = plot_put_time(o, p->x2); *o++ = ' ';
        o = put_lane(o, p->y2);
        break;
    case PB_VALID: case PB_SEG: case PB_SEG_FAIL: case PB_SEG_INFO: case PB_RED_SEG:   /* x1 x2 y rgb */
        o = plot_put_time(o, p->x1); *o++ = ' ';
        o = plot_put_time(o, p->x2); *o++ = ' ';
        o = put_lane(o, p->y1);
        break;
    case PB_LABEL: case PB_LABEL_R: case PB_RED_LABEL: case PB_RED_LABEL_R:   /* x y rgb "text" */
        o = plot_put_time(o, p->x1); *o++ = ' ';
        o = put_lane(o, p->y1); *o++ = ' ';
        o = plot_put_u64(o, p->rgb); *o++ = ' ';
        fwrite(line, 1, (size_t)(o - line), f);
        data_str(f, plot_text(t, p));
        fputc('\n', f);
        return;
    default:
        if (p->block >= PB_DOT) {               /* x y rgb */
            o = plot_put_time(o, p->x1); *o++ = ' ';
            o = put_lane(o, p->y1);
        } else {                                /* x1 x2 y1 y2 rgb */
            o = plot_put_time(o, p->x1); *o++ = ' ';
            o = plot_put_time(o, p->x2); *o++ = ' ';
            o = put_lane(o, p->y1); *o++ = ' ';
            o = put_lane(o, p->y2);
        }
        break;
    }
    *o++ = ' ';
    o = plot_put_u64(o, p->rgb);
    *o++ = '\n';
    SIM_ASSERT((size_t)(o - line) <= sizeof line);
    fwrite(line, 1, (size_t)(o - line), f);
}

typedef struct dat_ctx { const plot_tl *t; const plot_head *head; } dat_ctx;

static void write_dat(FILE *f, const void *ctx) {
    const plot_tl *t = ((const dat_ctx *)ctx)->t;
    SIM_ASSERT(t->count <= t->cap);
    SIM_ASSERT(t->run != NULL);
    fprintf(f, "# ccsim timeline data: %s, seed %" PRIu64 "\n", t->s->name, t->run->seed);
    fputs("# x: true time in seconds; y: lanes (node i of n on lane n - i); rgb: an integer.\n"
          "# Blocks are found by name: gnuplot `index \"[bar]\"`.  See timeline.gp, which\n"
          "# `ccsim plot` writes again from this file and the #@ lines below.\n", f);
    plot_head_write(f, ((const dat_ctx *)ctx)->head);
    for (int b = 0; b < PB_COUNT; b++) {
        fprintf(f, "\n\n# [%s] %s\n", styles[b].name, styles[b].cols);
        int64_t poly = -1;
        for (uint32_t i = 0; i < t->count; i++) {
            const plot_prim *p = &t->p[i];
            if (p->block != b) continue;
            if (b == PB_LINE && poly != -1 && p->x2 != poly) fputc('\n', f);
            poly = p->x2;
            write_prim(f, t, p);
        }
    }
}

/* ------------------------------------------------------------ the script */

static uint32_t block_rows(const plot_tl *t, plot_block b) {
    uint32_t n = 0;
    SIM_ASSERT(b < PB_COUNT);
    for (uint32_t i = 0; i < t->count; i++) n += t->p[i].block == b;
    SIM_ASSERT(n <= t->count);
    return n;
}

#define TITLE_CHARS_MAX 110     /* bold 12 pt characters that fit across the picture */

enum { PX_TITLE = 62, PX_LANE = 84, PX_AXIS = 44, PX_LEGEND = 52, PX_LEFT = 110, PX_RIGHT = 28 };

static uint32_t lanes_px(const plot_head *h) {
    SIM_ASSERT(h->node_count <= SIM_NODES_MAX);      /* so the picture's height fits */
    return PX_LANE * (h->node_count < 2 ? 2u : h->node_count);
}

uint32_t plot_lanes_px(const plot_head *h) { return lanes_px(h); }

/* The legend's height: its entries present, three to a row. */
static uint32_t legend_px(const plot_head *h) {
    uint32_t n = 0;
    for (size_t i = 0; i < sizeof legend_entries / sizeof legend_entries[0]; i++)
        n += (h->legend & legend_entries[i].bit) != 0;
    uint32_t rows = (n + 2u) / 3u;
    return rows < 2 ? PX_LEGEND : PX_LEGEND + (rows - 2u) * 16u;
}

uint32_t plot_panel_height_px(const plot_head *h, bool legend) {
    return PX_TITLE + lanes_px(h) + PX_AXIS + (legend ? legend_px(h) : 0u);
}

/* y = px from the bottom of an H-pixel picture, as a screen fraction. */
static void screen_y(char *buf, size_t len, uint32_t px, uint32_t h) {
    SIM_ASSERT(h > 0);
    SIM_ASSERT(px <= h);                        /* inside the picture (catches h - x wrapping) */
    uint32_t v = (uint32_t)((uint64_t)px * 10000u / h);
    snprintf(buf, len, "%u.%04u", v / 10000u, v % 10000u);
}

void plot_gp_canvas(FILE *f, const char *name, uint32_t width_px, uint32_t height_px,
                    uint32_t scale_pct) {
    SIM_ASSERT(name != NULL);
    SIM_ASSERT(width_px > 0 && height_px > 0);
    SIM_ASSERT(scale_pct >= 100);
    char size[96];
    if (scale_pct == 100) snprintf(size, sizeof size, "%u,%u", width_px, height_px);
    else snprintf(size, sizeof size, "%u,%u fontscale %u.%02u linewidth %u.%02u", width_px,
                  height_px, scale_pct / 100, scale_pct % 100, scale_pct / 100, scale_pct % 100);
    fputs("if (!exists(\"sfx\")) sfx = ''\n", f);
    fputs("if (!exists(\"svg\")) svg = 1\n", f);
    fputs("if (!exists(\"png\")) png = 1\n", f);
    fputs("do for [pass = (svg ? 1 : 2):(png ? 2 : 1)] {\n", f);
    fprintf(f, "  if (pass == 1) {\n"
               "    set terminal svg size %s font 'DejaVu Sans,10' noenhanced background rgb 'white'\n"
               "    set output '%s.svg'.sfx\n"
               "  } else {\n"
               "    set terminal pngcairo size %s font 'DejaVu Sans,10' noenhanced background rgb 'white'\n"
               "    set output '%s.png'.sfx\n"
               "  }\n", size, name, size, name);
    fputs("  set multiplot\n", f);
}

void plot_gp_begin(FILE *f, const char *name, uint32_t height_px) {
    plot_gp_canvas(f, name, PLOT_WIDTH_PX, height_px, 100);
}

void plot_gp_end(FILE *f) {
    fputs("  unset multiplot\n  set output\n}\n", f);
}

static void panel_axes(FILE *f, const plot_head *h, sim_time x_from, sim_time x_end) {
    char xf[32], xe[32];
    SIM_ASSERT(x_end > x_from);                 /* an empty x range draws nothing */
    SIM_ASSERT(h->node_count >= 1);
    plot_fmt_time(xe, sizeof xe, x_end);
    if (x_from > 0) plot_fmt_time(xf, sizeof xf, x_from);
    else snprintf(xf, sizeof xf, "0");
    uint32_t n = h->node_count;
    fprintf(f, "  set xrange [%s:%s]\n  set yrange [0.5:%u.5]\n", xf, xe, n);
    fputs("  set ytics (", f);
    for (uint32_t i = 0; i < n; i++) {
        fputs(i ? ", '" : "'", f);
        plot_gp_str(f, h->nodes[i]);
        fprintf(f, "' %u", n - i);
    }
    fputs(") scale 0 font 'DejaVu Sans Bold,10' textcolor rgb '#333333'\n", f);
    fputs("  set style textbox opaque noborder margins 0.5,0.3\n", f);
    fputs("  set xtics nomirror out font ',9'\n  set mxtics\n  set border 3 lc rgb '#808080'\n"
          "  set grid xtics lc rgb '#e8e8e8' lt 1\n  set xlabel 'true time (s)' font ',9' offset 0,0.6\n", f);
    for (uint32_t k = 1; k < n; k++)
        fprintf(f, "  set arrow from graph 0, first %u.5 to graph 1, first %u.5 nohead lc rgb '#d0d0d0' lw 1 back\n", k, k);
}

static void panel_plot(FILE *f, const plot_head *h, const char *dat, bool with_legend) {
    bool first = true;
    SIM_ASSERT(dat != NULL);
    SIM_ASSERT(strchr(dat, '\'') == NULL);      /* printed inside '...' unquoted */
    fputs("  plot ", f);
    for (int b = 0; b < PB_COUNT; b++) {
        if (!(h->blocks >> b & 1u)) continue;
        fprintf(f, "%s'%s' index \"[%s]\" %s notitle", first ? "" : ", \\\n       ", dat,
                styles[b].name, styles[b].gp);
        first = false;
    }
    for (size_t i = 0; with_legend && i < sizeof legend_entries / sizeof legend_entries[0]; i++) {
        if (!(h->legend & legend_entries[i].bit)) continue;
        fprintf(f, "%sNaN %s title '%s'", first ? "" : ", \\\n       ", legend_entries[i].style,
                legend_entries[i].title);
        first = false;
    }
    if (first) fputs("NaN notitle", f);
    fputc('\n', f);
}

static void frame_label(FILE *f, const plot_frame *fr, uint32_t px, const char *text,
                        uint32_t rgb, const char *font) {
    char y[16];
    SIM_ASSERT(text != NULL);
    SIM_ASSERT(px < fr->height_px);
    screen_y(y, sizeof y, fr->height_px - px, fr->height_px);
    fputs("  set label '", f);
    plot_gp_str(f, text);
    fprintf(f, "' at screen 0.0100, screen %s left front font '%s' tc rgb '#%06x'\n", y, font,
            (unsigned)rgb);
}

void plot_gp_panel(FILE *f, const plot_head *h, const char *dat, const plot_frame *fr) {
    SIM_ASSERT(fr->height_px > fr->top_px);
    uint32_t top = fr->top_px + PX_TITLE, bottom = top + (fr->lanes_px ? fr->lanes_px : lanes_px(h));
    SIM_ASSERT(bottom + PX_AXIS <= fr->height_px);
    char a[16], b[16], k[16];
    screen_y(a, sizeof a, fr->height_px - top, fr->height_px);
    screen_y(b, sizeof b, fr->height_px - bottom, fr->height_px);
    screen_y(k, sizeof k, fr->height_px - bottom - PX_AXIS, fr->height_px);
    fputs("  unset label\n  unset arrow\n  unset object\n", f);
    fprintf(f, "  set lmargin at screen 0.%04u\n  set rmargin at screen 0.%04u\n",
            PX_LEFT * 10000u / PLOT_WIDTH_PX, (PLOT_WIDTH_PX - PX_RIGHT) * 10000u / PLOT_WIDTH_PX);
    fprintf(f, "  set tmargin at screen %s\n  set bmargin at screen %s\n", a, b);
    frame_label(f, fr, fr->top_px + 18, fr->title, 0x111111u, "DejaVu Sans Bold,12");
    frame_label(f, fr, fr->top_px + 36, fr->verdicts, fr->verdict_rgb, "DejaVu Sans,10");
    if (fr->note && fr->note[0]) frame_label(f, fr, fr->top_px + 52, fr->note, 0x666666u, "DejaVu Sans,8");
    if (fr->legend)
        fprintf(f, "  set key at screen 0.%04u, screen %s left top horizontal maxcols 3 "
                   "font ',8' samplen 2.5 spacing 1.1 width 2 noautotitle\n",
                PX_LEFT * 10000u / PLOT_WIDTH_PX, k);
    else
        fputs("  unset key\n", f);
    panel_axes(f, h, fr->x_from, fr->x_end);
    if (fr->veil_from > 0) plot_gp_veil(f, fr->veil_from);
    panel_plot(f, h, dat, fr->legend);
}

bool plot_check_fenced(const check_result *r) {
    SIM_ASSERT(r != NULL);
    return r->verdict == CHECK_VIOLATION && r->informational;
}

/* The group a check's verdict is listed in: violations, then violations
 * fencing made harmless, unknowns, oks. */
static int verdict_group(const check_result *r) {
    if (plot_check_fenced(r)) return 1;
    return r->verdict == CHECK_VIOLATION ? 0 : r->verdict == CHECK_UNKNOWN ? 2 : 3;
}

void plot_verdict_line(const rpt_run *run, char *buf, size_t len, uint32_t *rgb) {
    static const char *const group_name[] = { "violation", "violation (harmless: fenced)", "unknown", "ok" };
    SIM_ASSERT(len > 0);
    SIM_ASSERT(rgb != NULL);
    buf[0] = '\0';
    *rgb = 0x2a7f2au;
    for (int g = 0; g < 4; g++) {
        bool any = false;
        for (size_t i = 0; i < run->result_count; i++) {
            const check_result *r = &run->results[i];
            if (verdict_group(r) != g) continue;
            size_t used = strlen(buf);
            if (any) snprintf(buf + used, len - used, ", %s", r->name);
            else snprintf(buf + used, len - used, "%s%s: %s", used ? ";  " : "", group_name[g], r->name);
            any = true;
            if (g == 0) *rgb = PLOT_RED;
            else if (g == 2 && *rgb != PLOT_RED) *rgb = 0xb07000u;
        }
    }
    if (buf[0] == '\0') snprintf(buf, len, "no checks");
}

/* ------------------------------------------------------------ files */


/* ------------------------------------------------------------ timeline.gp */

/* The head of a run's timeline: what timeline.gp draws besides the data. */
static void head_of(const plot_tl *t, plot_head *h) {
    SIM_ASSERT(t->run != NULL);
    SIM_ASSERT(t->s->set_count <= SCN_SETS_MAX);
    memset(h, 0, sizeof *h);
    snprintf(h->name, sizeof h->name, "%s", t->s->name);
    h->seed = t->run->seed;
    snprintf(h->title, sizeof h->title, "%s   seed %" PRIu64, t->s->name, t->run->seed);
    for (uint32_t k = 0; k < t->s->set_count; k++) {
        size_t used = strlen(h->title);
        snprintf(h->title + used, sizeof h->title - used, "   --set %s", t->s->sets[k]);
    }
    plot_verdict_line(t->run, h->verdicts, sizeof h->verdicts, &h->verdict_rgb);
    snprintf(h->note, sizeof h->note, "%s", t->note);
    h->view = t->view;
    h->legend = t->legend & ~(uint32_t)(PL_OPS | PL_RED | PL_MSG);   /* these by block, below */
    for (int b = 0; b < PB_COUNT; b++) {
        if (block_rows(t, (plot_block)b) == 0) continue;
        h->blocks |= 1u << b;
        h->legend |= plot_mark_legend((plot_block)b);     /* the legend names what is drawn */
    }
    h->node_count = t->s->node_count;
    for (uint32_t i = 0; i < h->node_count; i++)
        snprintf(h->nodes[i], sizeof h->nodes[i], "%s", t->s->nodes[i].name);
}

void plot_write_timeline_gp(FILE *f, const void *head) {
    const plot_head *h = head;
    SIM_ASSERT(h->view > 0);
    fprintf(f, "# timeline.gp -- the timeline of %s, seed %" PRIu64 ", drawn by gnuplot from\n"
               "# timeline.dat.  Redraw with `ccsim plot DIR` or `gnuplot timeline.gp` in DIR.\n"
               "# How to read it: docs/timelines.md.\n", h->name, h->seed);
    uint32_t height = plot_panel_height_px(h, true);
    plot_gp_begin(f, "timeline", height);
    plot_frame fr = { height, 0, h->title, h->verdicts, h->verdict_rgb, h->note, true, h->view,
                      0, 0, 0 };
    plot_gp_panel(f, h, "timeline.dat", &fr);
    plot_gp_end(f);
}

/* plot_write on a given axis (0: the run's own). */
static int write_at(const char *dir, const plot_run *r, sim_time view, char *err, size_t err_len) {
    SIM_ASSERT(dir != NULL);
    SIM_ASSERT(r != NULL);
    SIM_ASSERT(r->run != NULL);
    plot_tl t;
    plot_tl_build_at(&t, r, view);
    plot_head *head = sim_xmalloc(sizeof *head);
    head_of(&t, head);
    dat_ctx dc = { &t, head };
    int rc = rpt_write_whole(dir, "timeline.dat", write_dat, &dc, err, err_len);
    if (rc == 0) rc = rpt_write_whole(dir, "timeline.gp", plot_write_timeline_gp, head, err, err_len);
    free(head);
    plot_tl_free(&t);
    if (rc != 0) return rc;
    if (r->run->h->op_count < PLOT_LATENCY_OPS_MIN) {
        plot_remove(dir, "latency");
        return 0;
    }
    return plot_write_latency(dir, r->run, err, err_len);
}

int plot_write(const char *dir, const plot_run *r, char *err, size_t err_len) {
    return write_at(dir, r, 0, err, err_len);
}

/* ------------------------------------------------------------ compare.gp */

typedef struct compare_ctx {
    const plot_cmp_head *c;
    const plot_head *panels;
} compare_ctx;

void plot_write_compare_gp(FILE *f, const plot_cmp_head *c, const plot_head *panels) {
    SIM_ASSERT(c->count >= 1);
    SIM_ASSERT(c->count <= PLOT_VARIANTS_MAX);
    fputs("# compare.gp -- the variants' timelines one above the other, drawn by gnuplot\n"
          "# from each variant's timeline.dat.  Redraw with `ccsim plot DIR`.\n", f);
    sim_time x_end = 0;
    uint32_t h = 0, legend = 0;
    for (size_t i = 0; i < c->count; i++) {
        if (panels[i].view > x_end) x_end = panels[i].view;
        legend |= panels[i].legend;             /* one legend, under the last panel */
    }
    for (size_t i = 0; i < c->count; i++) {
        plot_head panel = panels[i];
        if (i + 1 == c->count) panel.legend = legend;
        h += plot_panel_height_px(&panel, i + 1 == c->count);
    }
    plot_gp_begin(f, "compare", h);
    uint32_t top = 0;
    for (size_t i = 0; i < c->count; i++) {
        char title[2 * PLOT_HEAD_TEXT], dat[SIM_NAME_MAX * 2 + 16];
        /* The first panel's title says the scenario and its value; a long
         * --vary list is left out (each panel's title says its value). */
        int keep = (int)strlen(c->title);
        const char *vary = strstr(c->title, "   --vary ");
        if (vary && strlen(c->title) + strlen(c->labels[i]) > TITLE_CHARS_MAX) keep = (int)(vary - c->title);
        snprintf(title, sizeof title, "%.*s%s%s", i == 0 ? keep : 0, c->title, i == 0 ? "   " : "",
                 c->labels[i]);
        snprintf(dat, sizeof dat, "%s/timeline.dat", c->subdirs[i]);
        bool last = i + 1 == c->count;
        plot_head panel = panels[i];
        if (last) panel.legend = legend;
        plot_frame fr = { h, top, title, panel.verdicts, panel.verdict_rgb, panel.note, last, x_end,
                          0, 0, 0 };
        plot_gp_panel(f, &panel, dat, &fr);
        top += plot_panel_height_px(&panel, last);
    }
    SIM_ASSERT(top == h);                       /* the panels fill the picture exactly */
    plot_gp_end(f);
}

static void write_compare_gp(FILE *f, const void *ctx) {
    const compare_ctx *cc = ctx;
    plot_write_compare_gp(f, cc->c, cc->panels);
}

static void write_compare_dat(FILE *f, const void *ctx) {
    plot_cmp_head_write(f, ((const compare_ctx *)ctx)->c);
}

int plot_write_compare(const char *dir, const char *title, const plot_variant *v, size_t n,
                       char *err, size_t err_len) {
    SIM_ASSERT(dir != NULL);
    SIM_ASSERT(n > 0);
    SIM_ASSERT(n <= PLOT_VARIANTS_MAX);
    plot_cmp_head *c = sim_xcalloc(1, sizeof *c);
    plot_head *panels = sim_xcalloc(n, sizeof *panels);
    snprintf(c->title, sizeof c->title, "%s", title);
    c->count = (uint32_t)n;
    sim_time axis = 0;                          /* the common axis: the longest view */
    for (size_t i = 0; i < n; i++) {
        const rpt_run *r = v[i].r.run;
        sim_time end = r->end_ns > 0 ? r->end_ns : r->s->duration_ns;
        sim_time view = plot_view_end(r->s, r->h, end, v[i].r.msgs);
        if (view > axis) axis = view;
    }
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        char sub[PATH_MAX_LEN];
        snprintf(sub, sizeof sub, "%s/%s", dir, v[i].subdir);
        if (rc == 0) rc = write_at(sub, &v[i].r, axis, err, err_len);
        plot_tl t;
        plot_tl_build_at(&t, &v[i].r, axis);
        head_of(&t, &panels[i]);
        plot_tl_free(&t);
        snprintf(c->labels[i], sizeof c->labels[i], "%s", v[i].label);
        snprintf(c->subdirs[i], sizeof c->subdirs[i], "%s", v[i].subdir);
    }
    compare_ctx cc = { c, panels };
    if (rc == 0) rc = rpt_write_whole(dir, "compare.dat", write_compare_dat, &cc, err, err_len);
    if (rc == 0) rc = rpt_write_whole(dir, "compare.gp", write_compare_gp, &cc, err, err_len);
    free(panels);
    free(c);
    return rc;
}
