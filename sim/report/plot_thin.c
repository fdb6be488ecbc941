/* plot_thin.c -- a dense timeline drawn as what its pixels can show.
 *
 * A timeline of more than PLOT_THIN_MIN bars and marks (about 14 per
 * pixel column; thousands of 10 ms holds on a 1-hour axis) holds far more
 * than its pixels can show: the picture is PLOT_WIDTH_PX columns wide, and
 * gnuplot would draw each mark over its neighbours, slowly, into a picture
 * of tens of megabytes.  A row of the timeline is one block (bars, held
 * keys, validity lines, op segments, dots...) at one height on one lane;
 * in such a timeline each row of more than PLOT_THIN_ROW is thinned:
 *
 *   - boxes and lines are painted into the row's pixel columns, last drawn
 *     on top as gnuplot draws them, and each run of columns of one colour
 *     becomes one box or line: bars closer than 1 px are merged;
 *   - marks keep the first of each (pixel column, colour).
 *
 * The evidence (red outlines, red ops, red marks), labels, arrows and
 * clock lines are never thinned, and a timeline at or under the threshold
 * is kept as built: every scenario of the library is (8 186 at most).  The
 * note under the title says what was merged, with the counts.
 *
 * Invariant: the result depends only on the primitives and their order
 * (integer columns; kept primitives stay in the order they were built,
 * merged runs follow them, row by row, left to right), so thinning is
 * deterministic.  Cost: O(n) to find each primitive's row (a hash of its
 * block and heights), O(r log r) to sort the r distinct rows, O(n) to put
 * the primitives in row order (a stable counting sort), and
 * per thinned row O(row + columns), painting top-down with a skip list of
 * free columns, so a long box costs no more than a short one.
 */
#include "sim/report/plot_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COLS PLOT_WIDTH_PX           /* columns; narrower than the real pixels (the plot
                                        area is less than the picture), so a merged gap
                                        is under 1 px */
#define NO_RGB UINT32_MAX

static bool thinned_box(uint8_t b) {
    return b <= PB_BLOCK || b == PB_VALID || (b >= PB_SEG && b <= PB_SEG_INFO);   /* not PB_OUTLINE */
}

static bool thinned_mark(uint8_t b) {
    return b >= PB_DOT && b < PB_RED_MARK;                   /* not PB_RED_MARK */
}

/* A primitive's place in the sort: by row, then by built order. */
typedef struct row_key {
    uint8_t block;
    int32_t y1, y2;
    uint32_t at;                 /* index in plot_tl.p */
} row_key;

/* The order of rows: by block, then y1, then y2. */
static int row_cmp(const row_key *x, const row_key *y) {
    if (x->block != y->block) return x->block < y->block ? -1 : 1;
    if (x->y1 != y->y1) return x->y1 < y->y1 ? -1 : 1;
    if (x->y2 != y->y2) return x->y2 < y->y2 ? -1 : 1;
    return 0;
}

/* The distinct rows of a timeline, each once (its first primitive's key),
 * found through a hash table of row numbers + 1 (0 = free), at most half
 * full. */
typedef struct row_set {
    row_key *row;
    uint32_t count, cap;
    uint32_t *table;
    uint32_t mask;
} row_set;

static uint32_t row_hash(const row_key *k) {
    uint64_t x = (uint64_t)k->block * 0x9e3779b97f4a7c15u;
    x = (x ^ (uint32_t)k->y1) * 0xbf58476d1ce4e5b9u;
    x = (x ^ (uint32_t)k->y2) * 0x94d049bb133111ebu;
    return (uint32_t)(x >> 32);
}

static void row_set_put(row_set *rs, uint32_t r) {
    uint32_t i = row_hash(&rs->row[r]) & rs->mask;
    while (rs->table[i] != 0) i = (i + 1u) & rs->mask;
    rs->table[i] = r + 1u;
}

/* The number of k's row, added when new. */
static uint32_t row_set_find(row_set *rs, const row_key *k) {
    uint32_t i = row_hash(k) & rs->mask;
    for (; rs->table[i] != 0; i = (i + 1u) & rs->mask)
        if (row_cmp(&rs->row[rs->table[i] - 1u], k) == 0) return rs->table[i] - 1u;
    if (rs->count == rs->cap) {
        rs->cap *= 2;
        rs->row = sim_xrealloc(rs->row, rs->cap * sizeof *rs->row);
    }
    uint32_t r = rs->count++;
    rs->row[r] = *k;
    if (rs->count * 2u > rs->mask + 1u) {        /* keep it at most half full */
        free(rs->table);
        rs->mask = rs->mask * 2u + 1u;
        rs->table = sim_xcalloc(rs->mask + 1u, sizeof *rs->table);
        for (uint32_t j = 0; j < rs->count; j++) row_set_put(rs, j);
    } else {
        rs->table[i] = r + 1u;
    }
    return r;
}

static int row_qcmp(const void *pa, const void *pb) { return row_cmp(pa, pb); }

/* The thinned primitives, as a sort by (row, built order) would put them:
 * each primitive's row found by hash, the few distinct rows sorted, then
 * one stable counting sort by row: primitives come in built order, so
 * each row keeps it.  n = how many. */
static row_key *rows_in_order(const plot_tl *t, uint32_t *n_out) {
    uint32_t n = 0;
    for (uint32_t i = 0; i < t->count; i++) n += thinned_box(t->p[i].block) || thinned_mark(t->p[i].block);
    *n_out = n;
    if (n <= PLOT_THIN_MIN) return NULL;                 /* kept as built: no sort needed */
    row_set rs = { sim_xmalloc(64 * sizeof(row_key)), 0, 64, sim_xcalloc(128, sizeof(uint32_t)), 127 };
    uint32_t *row_of = sim_xmalloc((n + 1u) * sizeof *row_of);    /* per thinned primitive */
    for (uint32_t i = 0, k = 0; i < t->count; i++) {
        const plot_prim *p = &t->p[i];
        if (!thinned_box(p->block) && !thinned_mark(p->block)) continue;
        row_key key = { p->block, p->y1, p->y2, i };
        row_of[k++] = row_set_find(&rs, &key);
    }
    /* The distinct rows sorted (no ties), each with its number in `at`. */
    row_key *sorted = sim_xmalloc((rs.count + 1u) * sizeof *sorted);
    for (uint32_t r = 0; r < rs.count; r++) { sorted[r] = rs.row[r]; sorted[r].at = r; }
    qsort(sorted, rs.count, sizeof *sorted, row_qcmp);
    uint32_t *start = sim_xcalloc(rs.count + 1u, sizeof *start);   /* per row: its next place */
    for (uint32_t k = 0; k < n; k++) start[row_of[k]]++;
    uint32_t at = 0;
    for (uint32_t r = 0; r < rs.count; r++) {
        uint32_t c = start[sorted[r].at];
        start[sorted[r].at] = at;
        at += c;
    }
    SIM_ASSERT(at == n);
    row_key *ix = sim_xmalloc((n + 1u) * sizeof *ix);
    for (uint32_t i = 0, k = 0; i < t->count; i++) {
        const plot_prim *p = &t->p[i];
        if (!thinned_box(p->block) && !thinned_mark(p->block)) continue;
        ix[start[row_of[k++]]++] = (row_key){ p->block, p->y1, p->y2, i };
    }
    free(start);
    free(sorted);
    free(row_of);
    free(rs.row);
    free(rs.table);
    return ix;
}

static bool same_row(const row_key *x, const row_key *y) {
    return x->block == y->block && x->y1 == y->y1 && x->y2 == y->y2;
}

typedef struct thin {
    plot_tl *t;
    sim_time px;                 /* ns per column */
    uint32_t rgb[COLS + 1];      /* the colour on top in each column, NO_RGB = none */
    uint32_t free_next[COLS + 2];   /* the first column >= c not painted yet (path-halved) */
    uint8_t *drop;               /* per primitive: 1 = merged away or left out */
    plot_prim *runs;             /* merged boxes, appended after the kept primitives */
    uint32_t run_count, run_cap;
    uint64_t before, after;      /* primitives of thinned rows, before and after */
} thin;

static uint32_t col_of(const thin *th, sim_time x) {
    SIM_ASSERT(x >= 0);                         /* plot_add clamps to [0, end] */
    SIM_ASSERT(th->px > 0);
    sim_time c = x / th->px;
    return c > COLS ? COLS : (uint32_t)c;
}

static uint32_t next_free(thin *th, uint32_t c) {
    while (th->free_next[c] != c) {
        th->free_next[c] = th->free_next[th->free_next[c]];
        c = th->free_next[c];
    }
    return c;
}

static void add_run(thin *th, const plot_prim *like, uint32_t c1, uint32_t c2, uint32_t rgb) {
    SIM_ASSERT(c1 <= c2);
    if (th->run_count == th->run_cap) {
        th->run_cap = th->run_cap ? th->run_cap * 2 : 64;
        th->runs = sim_xrealloc(th->runs, th->run_cap * sizeof *th->runs);
    }
    plot_prim *r = &th->runs[th->run_count++];
    *r = *like;
    r->x1 = (sim_time)c1 * th->px;
    r->x2 = (sim_time)(c2 + 1u) * th->px;
    if (r->x2 > th->t->view) r->x2 = th->t->view;
    if (r->x1 >= r->x2) r->x1 = r->x2 - th->px;         /* a run at the right edge shows */
    SIM_ASSERT(rgb <= PLOT_RGB_MAX);            /* a primitive's colour */
    r->rgb = rgb & PLOT_RGB_MAX;
}

/* Paints a row of boxes or lines from the top (the last drawn) down, each
 * into the columns still free, then turns runs of one colour into boxes. */
static void thin_boxes(thin *th, const row_key *row, uint32_t n) {
    SIM_ASSERT(n > PLOT_THIN_ROW);              /* plot_thin leaves small rows alone */
    for (uint32_t c = 0; c <= COLS + 1; c++) th->free_next[c] = c;
    for (uint32_t c = 0; c <= COLS; c++) th->rgb[c] = NO_RGB;
    for (uint32_t k = n; k-- > 0;) {
        const plot_prim *p = &th->t->p[row[k].at];
        uint32_t hi = col_of(th, p->x2 > p->x1 ? p->x2 - 1 : p->x1);
        for (uint32_t c = next_free(th, col_of(th, p->x1)); c <= hi; c = next_free(th, c)) {
            th->rgb[c] = p->rgb;
            th->free_next[c] = c + 1;
        }
        th->drop[row[k].at] = 1;
    }
    const plot_prim *like = &th->t->p[row[0].at];
    uint32_t before = th->run_count;
    for (uint32_t c = 0; c <= COLS;) {
        uint32_t e = c;
        if (th->rgb[c] == NO_RGB) { c++; continue; }
        while (e + 1 <= COLS && th->rgb[e + 1] == th->rgb[c]) e++;
        add_run(th, like, c, e, th->rgb[c]);
        c = e + 1;
    }
    th->before += n;
    th->after += th->run_count - before;
}

/* Keeps the first mark of each (column, colour) of a row. */
typedef struct mark_key { uint32_t col, rgb, at; } mark_key;

static int mark_cmp(const void *pa, const void *pb) {
    const mark_key *x = pa, *y = pb;
    if (x->col != y->col) return x->col < y->col ? -1 : 1;
    if (x->rgb != y->rgb) return x->rgb < y->rgb ? -1 : 1;
    return x->at < y->at ? -1 : x->at > y->at;
}

static void thin_marks(thin *th, const row_key *row, uint32_t n) {
    SIM_ASSERT(n > PLOT_THIN_ROW);
    mark_key *m = sim_xcalloc(n + 1u, sizeof *m);
    for (uint32_t k = 0; k < n; k++) {
        const plot_prim *p = &th->t->p[row[k].at];
        m[k] = (mark_key){ col_of(th, p->x1), p->rgb, row[k].at };
    }
    qsort(m, n, sizeof *m, mark_cmp);
    uint32_t kept = 0;
    for (uint32_t k = 0; k < n; k++) {
        if (k > 0 && m[k].col == m[k - 1].col && m[k].rgb == m[k - 1].rgb) th->drop[m[k].at] = 1;
        else kept++;
    }
    free(m);
    th->before += n;
    th->after += kept;
}

/* Drops what was thinned out and appends the merged runs, keeping the
 * label index pointing at the same labels. */
static void compact(thin *th) {
    plot_tl *t = th->t;
    uint32_t *moved = sim_xcalloc(t->count + 1u, sizeof *moved);
    uint32_t out = 0;
    for (uint32_t i = 0; i < t->count; i++) {
        moved[i] = out;
        if (!th->drop[i]) t->p[out++] = t->p[i];
    }
    for (uint32_t i = 0; i < t->label_count; i++) {
        SIM_ASSERT(!th->drop[t->label_at[i]]);  /* labels are never thinned */
        t->label_at[i] = moved[t->label_at[i]];
    }
    free(moved);
    t->count = out;
    for (uint32_t i = 0; i < th->run_count; i++) {
        const plot_prim *r = &th->runs[i];
        plot_add(t, (plot_block)r->block, r->x1, r->x2, r->y1, r->y2, r->rgb, NULL);
    }
}

static void say_thinned(thin *th) {
    plot_tl *t = th->t;
    size_t used = strlen(t->note);
    snprintf(t->note + used, sizeof t->note - used, "%s%" PRIu64 " bars and marks, those closer "
             "than 1 px merged: %" PRIu64 " drawn", used ? "; " : "", th->before, th->after);
}

void plot_thin(plot_tl *t) {
    SIM_ASSERT(t->view > 0);
    uint32_t n = 0;
    row_key *ix = rows_in_order(t, &n);
    if (n <= PLOT_THIN_MIN) { SIM_ASSERT(ix == NULL); return; }
    for (uint32_t k = 1; k < n; k++)            /* by row, then built order */
        SIM_ASSERT(row_cmp(&ix[k - 1], &ix[k]) < 0 || (row_cmp(&ix[k - 1], &ix[k]) == 0 && ix[k - 1].at < ix[k].at));
    thin *th = NULL;
    for (uint32_t a = 0, b; a < n; a = b) {
        for (b = a + 1; b < n && same_row(&ix[a], &ix[b]); b++) {}
        if (b - a <= PLOT_THIN_ROW) continue;
        if (!th) {
            th = sim_xcalloc(1, sizeof *th);
            th->t = t;
            th->px = t->view / COLS > 0 ? t->view / COLS : 1;
            th->drop = sim_xcalloc(t->count + 1u, 1);
        }
        if (thinned_box(ix[a].block)) thin_boxes(th, ix + a, b - a);
        else thin_marks(th, ix + a, b - a);
    }
    free(ix);
    if (!th) return;
    compact(th);
    say_thinned(th);
    free(th->runs);
    free(th->drop);
    free(th);
}
