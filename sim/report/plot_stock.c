/* plot_stock.c -- a flash sale's mechanism on the timeline: the stock row
 * over time, and what the buyers were told.
 *
 * For each stock row that buy ops name (op.key), its value is drawn as a
 * step curve on the lane of the node that holds it, from its opening
 * balance (BALANCE_INIT) through every committed change (BALANCE), scaled
 * from 0 (or its lowest value, when it went negative) to its opening
 * stock, in the lane's upper part, above the operation marks.  One label
 * says the outcome: "stock 100 -> 0: 500 sold, 500 told sold out, 400
 * oversold" (sold = items in confirmed orders; told sold out = orders
 * refused as sold out; oversold = sold beyond the opening stock).  When
 * orders were oversold, a diamond on the curve marks when the last item
 * there really was stock for was confirmed, with the stock the row still
 * showed then ("100 sold by 0.106 s; the row still said 81").
 *
 * Invariant: ops and effects are walked in history order; a curve has at
 * most two points per pixel column (the changes within one column are one
 * step), so its size is bounded by the picture, not the run.
 */
#include "sim/report/plot_mech.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/db/db.h"

#define STOCK_ROWS_MAX 4
#define STOCK_RGB      0x444444u
#define CURVE_LO       (PLOT_MID_LO - 1)
#define CURVE_HI       PLOT_TOP_HI

typedef struct stock_row {
    const char *key;
    int32_t node;                /* where its BALANCE_INIT was, -1 = none */
    int64_t init, lo, hi;
    sim_time opened;
    uint64_t sold, sold_out, failed;
} stock_row;

typedef struct curve {
    plot_tl *t;
    const stock_row *r;
    int32_t lane;
    sim_time px, col;            /* pixel width; the column being gathered (-1: none) */
    int64_t before, now;         /* the value before the column, and now */
    sim_time at;                 /* the column's first change */
    sim_time poly;
} curve;

static int32_t curve_y(const curve *c, int64_t v) {
    const stock_row *r = c->r;
    SIM_ASSERT(r->hi > r->lo);
    SIM_ASSERT(v >= r->lo && v <= r->hi);        /* lo and hi bound every value */
    return c->lane + CURVE_LO + (int32_t)((v - r->lo) * (CURVE_HI - CURVE_LO) / (r->hi - r->lo));
}

static void point(curve *c, sim_time x, int64_t v) {
    plot_add(c->t, PB_LINE, x, c->poly, curve_y(c, v), curve_y(c, v), STOCK_RGB, NULL);
}

static void flush(curve *c) {
    if (c->col < 0) return;
    point(c, c->at, c->before);
    point(c, c->at, c->now);
}

static void step(curve *c, sim_time at, int64_t v) {
    sim_time col = at / c->px;
    if (col != c->col) {
        flush(c);
        c->col = col;
        c->at = at;
        c->before = c->now;
    }
    c->now = v;
}

static stock_row *row_of(stock_row *rows, uint32_t *n, const char *key) {
    for (uint32_t i = 0; i < *n; i++)
        if (strcmp(rows[i].key, key) == 0) return &rows[i];
    if (*n == STOCK_ROWS_MAX) return NULL;
    rows[*n] = (stock_row){ .key = key, .node = -1 };
    return &rows[(*n)++];
}

/* The rows buy ops name, with what their buyers were told. */
static uint32_t find_rows(const plot_tl *t, stock_row *rows) {
    uint32_t n = 0;
    for (uint32_t i = 0; i < t->h->op_count; i++) {
        const hist_op *op = &t->h->ops[i];
        if (op->f != HIST_F_BUY || !op->key || !op->key[0]) continue;
        stock_row *r = row_of(rows, &n, op->key);
        if (!r) continue;
        if (op->result == HIST_OK) r->sold += op->delta < 0 ? (uint64_t)-op->delta : 1u;
        else if (op->result == HIST_FAIL && op->note && strncmp(op->note, "sold out", 8) == 0) r->sold_out++;
        else if (op->result != HIST_OK) r->failed++;
    }
    return n;
}

/* Its node, opening stock and the range of its values. */
static void find_range(const plot_tl *t, stock_row *r) {
    for (uint32_t i = 0; i < t->h->effect_count; i++) {
        const hist_effect *e = &t->h->effects[i];
        if (!e->key || strcmp(e->key, r->key) != 0) continue;
        if (e->kind == HIST_EFF_BALANCE_INIT && r->node < 0) {
            r->node = e->node;
            r->init = r->hi = e->value;
            r->lo = e->value < 0 ? e->value : 0;
            r->opened = e->t_ns;
        } else if (e->kind == HIST_EFF_BALANCE && e->node == r->node) {
            if (e->value < r->lo) r->lo = e->value;
            if (e->value > r->hi) r->hi = e->value;
        }
    }
}

static int cmp_time(const void *a, const void *b) {
    sim_time x = *(const sim_time *)a, y = *(const sim_time *)b;
    return x < y ? -1 : x > y;
}

/* When the confirmation of the row's last real item completed. */
static sim_time last_real_sale(const plot_tl *t, const stock_row *r) {
    sim_time *at = sim_xcalloc(t->h->op_count + 1u, sizeof *at);
    uint32_t n = 0;
    for (uint32_t i = 0; i < t->h->op_count; i++) {
        const hist_op *op = &t->h->ops[i];
        if (op->f == HIST_F_BUY && op->result == HIST_OK && op->key && strcmp(op->key, r->key) == 0)
            at[n++] = op->complete_ns;
    }
    qsort(at, n, sizeof *at, cmp_time);
    SIM_ASSERT(r->init >= 1);                    /* oversold: more sold than a positive stock */
    sim_time x = (uint64_t)r->init <= n ? at[r->init - 1] : SIM_TIME_NEVER;
    free(at);
    return x;
}

static void draw_row(plot_tl *t, const stock_row *r, uint32_t index) {
    curve c = { t, r, plot_lane_y(t, r->node), t->view / 1060 > 0 ? t->view / 1060 : 1, -1,
                r->init, r->init, 0, (sim_time)(t->s->node_count + index) };
    uint64_t over = r->init >= 0 && r->sold > (uint64_t)r->init ? r->sold - (uint64_t)r->init : 0;
    sim_time mark = over ? last_real_sale(t, r) : SIM_TIME_NEVER;
    int64_t at_mark = r->init;
    point(&c, r->opened, r->init);
    for (uint32_t i = 0; i < t->h->effect_count; i++) {
        const hist_effect *e = &t->h->effects[i];
        if (e->kind != HIST_EFF_BALANCE || e->node != r->node || !e->key || strcmp(e->key, r->key) != 0)
            continue;
        if (e->t_ns <= mark) at_mark = e->value;
        step(&c, e->t_ns, e->value);
    }
    flush(&c);
    point(&c, t->view, c.now);
    t->legend |= PL_STOCK;
    char extra[32] = "";
    if (r->failed) snprintf(extra, sizeof extra, ", %llu failed", (unsigned long long)r->failed);
    plot_label(t, r->node, r->opened, PLOT_ROW_TOP, STOCK_RGB, true,
               "stock %lld -> %lld: %llu sold, %llu told sold out, %llu oversold%s", (long long)r->init,
               (long long)c.now, (unsigned long long)r->sold, (unsigned long long)r->sold_out,
               (unsigned long long)over, extra);
    if (mark == SIM_TIME_NEVER) return;
    char when[32];
    plot_fmt_short(when, sizeof when, mark);
    plot_mark(t, PB_DIAMOND, mark, curve_y(&c, at_mark), STOCK_RGB);
    plot_label(t, r->node, mark, PLOT_ROW_TOP - 12, STOCK_RGB, false, "%lld sold by %s; the row still said %lld",
               (long long)r->init, when, (long long)at_mark);
}

void plot_build_stock(plot_tl *t) {
    SIM_ASSERT(t != NULL);
    SIM_ASSERT(t->h != NULL);
    stock_row rows[STOCK_ROWS_MAX];
    uint32_t n = find_rows(t, rows);
    for (uint32_t i = 0; i < n; i++) {
        find_range(t, &rows[i]);
        if (rows[i].node < 0 || (uint32_t)rows[i].node >= t->s->node_count) continue;
        if (rows[i].hi <= rows[i].lo) rows[i].hi = rows[i].lo + 1;
        draw_row(t, &rows[i], i);
    }
}
