/* plot_latency.c -- latency.dat and latency.gp: every completed operation's
 * latency against the time it was invoked (log scale), and the throughput
 * of completions per second, one above the other, with the scenario's fault
 * periods shaded across both, as Jepsen's latency-raw and rate plots draw
 * them.  As Jepsen colours them: ok blue, fail pink, info (unknown)
 * orange; the shape says the operation (acquire, write, buy...).
 *
 * Invariant: latencies are printed in ms with six decimals from integer
 * ns, rates in ops/s with three decimals from integer counts, so the file
 * is the same bytes for the same run; a series is the run's ops of one
 * (kind, outcome) in history order.  The ops are sorted into their series
 * in one pass, so writing costs the same per op however long the run.
 *
 * Thinning: a series of more than PLOT_LAT_THIN_MIN points has more points
 * than the picture can show apart; its points are put on a grid of about a
 * marker's size (4 px of the time axis by a sixteenth of an octave of
 * latency) and only the first point of each cell is written, at its own
 * place; the picture's subtitle says how many were drawn of how many.  A smaller series is written whole (every scenario of the
 * library is).  The grid uses integers only, so thinning is deterministic.
 */
#include "sim/report/plot_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LAT_BUCKETS 100
#define LAT_BUCKETS_MIN 20        /* buckets across the run, however few its completions */
#define LAT_PER_BUCKET 25         /* completions a bucket holds on average, when the run has them */
#define LAT_COLS    228            /* latency cells across: the panel's 912 px in 4 px, a marker's width */
#define LAT_ROWS    1024           /* latency cells up: 16 per octave of ns (about a marker), 64 octaves */

static const uint32_t f_rgb[] = {      /* the throughput lines, by operation */
    0x1f77b4u, 0xff7f0eu, 0x2ca02cu, 0x9467bdu, 0x8c564bu, 0xe377c2u, 0x17becfu, 0xbcbd22u,
};
static const int f_pt[] = { 7, 5, 9, 13, 11, 15, 1, 2 };   /* the points' shapes, by operation */
static const struct { hist_result r; const char *name; uint32_t rgb; } outcomes[] = {
    { HIST_OK, "ok", 0x3b82c4u },       /* Jepsen's colours: ok blue, fail pink, info orange */
    { HIST_FAIL, "fail", 0xff1e90u },
    { HIST_INFO, "info", 0xffa400u },
};

typedef struct lat_ctx {
    const rpt_run *run;
    sim_time end, bucket;
    size_t nf;                        /* the op kinds of the run's vocabulary it lists */
    size_t *kinds;                    /* ... their indices in the vocabulary */
    hist_f *code;                     /* ... and their kind codes */
    uint32_t (*used)[3];              /* points per (op kind's index, outcome) */
    int32_t *fi_of;                   /* per kind code < span: its index in kinds, -1 = none */
    uint32_t span;                    /* 1 + the vocabulary's largest kind code */
    uint32_t (*per_code)[4];          /* per kind code < span: its ops by outcome + 1 (0: none) */
    uint32_t *start;                  /* series s = fi * 3 + oi: order[start[s] .. start[s+1]) */
    uint32_t *order;                  /* op indices, by series, in history order */
    uint8_t *drop;                    /* per op: 1 = thinned out (a cell's later point) */
    uint64_t points, drawn;           /* latency points in all, and written */
    plot_lat_head *head;              /* what latency.gp needs besides the data */
} lat_ctx;

/* The op kind at index fi of the vocabulary (the plot's order and colours). */
static const char *kind_name(const lat_ctx *c, size_t fi) {
    SIM_ASSERT(fi < c->nf);
    return hist_f_name(c->run->h, c->code[fi]);
}

/* The smallest 1-2-5 step of at least end / LAT_BUCKETS that holds, on
 * average, LAT_PER_BUCKET completions (at most end / LAT_BUCKETS_MIN): a
 * bucket holding 2 or 3 of a steady stream reads as a square wave between
 * two rates (2/b and 3/b) that the run never had. */
static sim_time bucket_for(sim_time end, uint64_t completions) {
    SIM_ASSERT(end > 0);
    SIM_ASSERT(end <= INT64_MAX / 10);          /* the 1-2-5 steps below cannot overflow */
    sim_time want = end / LAT_BUCKETS > 0 ? end / LAT_BUCKETS : 1;
    if (completions > 0) {
        sim_time dense = (sim_time)((uint64_t)end / completions * LAT_PER_BUCKET);
        sim_time cap = end / LAT_BUCKETS_MIN > 0 ? end / LAT_BUCKETS_MIN : 1;
        if (dense > want) want = dense < cap ? dense : cap;
    }
    for (sim_time step = 1;; step *= 10) {
        if (step >= want) return step;
        if (2 * step >= want) return 2 * step;
        if (5 * step >= want) return 5 * step;
    }
}

static void write_points(FILE *f, const lat_ctx *c, size_t fi, int oi) {
    const hist *h = c->run->h;
    char line[64];
    SIM_ASSERT(fi < c->nf);                     /* used[][] is indexed by both */
    SIM_ASSERT(oi >= 0);
    SIM_ASSERT(oi < 3);
    size_t s = fi * 3 + (size_t)oi;
    for (uint32_t k = c->start[s]; k < c->start[s + 1]; k++) {
        if (c->drop[c->order[k]]) continue;     /* before reading the op: most are, when thinned */
        const hist_op *op = &h->ops[c->order[k]];
        SIM_ASSERT(op->f == c->code[fi] && op->result == outcomes[oi].r);   /* its series */
        sim_time lat = op->complete_ns - op->invoke_ns;
        SIM_ASSERT(lat >= 0);                   /* a completed op ends after it starts */
        char *o = plot_put_time(line, op->invoke_ns);   /* "%s %" PRId64 ".%06" PRId64 "\n" */
        *o++ = ' ';
        o = plot_put_u64(o, (uint64_t)(lat / SIM_MS));
        *o++ = '.';
        uint64_t frac = (uint64_t)(lat % SIM_MS);
        for (int d = 6; d-- > 0;) { o[d] = (char)('0' + frac % 10u); frac /= 10u; }
        o[6] = '\n';
        fwrite(line, 1, (size_t)(o + 7 - line), f);
    }
}

static int outcome_of(hist_result r) {
    for (int oi = 0; oi < 3; oi++)
        if (outcomes[oi].r == r) return oi;
    return -1;
}

/* The index in kinds of an op's kind, or -1 when it is not listed. */
static int32_t kind_index(const lat_ctx *c, hist_f f) {
    return f < c->span ? c->fi_of[f] : -1;
}

/* The points of each (op kind, outcome), from list_kinds' counts, and the
 * ops sorted into their series (a counting sort: list_kinds' pass
 * counted, one pass places; each op's series by a table from kind code
 * to kind, not a walk of the kinds). */
static void sort_points(lat_ctx *c) {
    const hist *h = c->run->h;
    size_t series = c->nf * 3;
    for (size_t fi = 0; fi < c->nf; fi++)
        for (int oi = 0; oi < 3; oi++) c->used[fi][oi] = c->per_code[c->code[fi]][oi + 1];
    c->start = sim_xcalloc(series + 1, sizeof *c->start);
    uint64_t total = 0;
    for (size_t s = 0; s < series; s++) {
        c->start[s] = (uint32_t)total;
        total += c->used[s / 3][s % 3];
        SIM_ASSERT(total <= UINT32_MAX);        /* an op is in one series at most */
    }
    c->start[series] = (uint32_t)total;
    c->points = total;
    c->order = sim_xcalloc(total + 1, sizeof *c->order);
    uint32_t *next = sim_xcalloc(series + 1, sizeof *next);
    memcpy(next, c->start, series * sizeof *next);
    for (uint32_t i = 0; i < h->op_count; i++) {
        int oi = outcome_of(h->ops[i].result);
        int32_t fi = kind_index(c, h->ops[i].f);
        if (oi >= 0 && fi >= 0) c->order[next[(size_t)fi * 3 + (size_t)oi]++] = i;
    }
    free(next);
}

/* The latency cell of a latency in ns: 16 per octave, by its top bits. */
static uint32_t lat_row(sim_time lat) {
    SIM_ASSERT(lat >= 0);
    uint64_t v = (uint64_t)lat;
    if (v < 16) return (uint32_t)v;
    uint32_t top = 63u - (uint32_t)__builtin_clzll(v);    /* v in [2^top, 2^(top+1)) */
    uint32_t row = top * 16u + (uint32_t)((v >> (top - 4u)) & 15u);
    SIM_ASSERT(row < LAT_ROWS);
    return row;
}

/* Keeps the first point of each (pixel column, latency cell) of a dense series. */
static void thin_series(lat_ctx *c, size_t s, uint8_t *seen) {
    const hist *h = c->run->h;
    sim_time px = c->end / LAT_COLS > 0 ? c->end / LAT_COLS : 1;
    memset(seen, 0, (size_t)(LAT_COLS + 1) * (LAT_ROWS / 8));
    for (uint32_t k = c->start[s]; k < c->start[s + 1]; k++) {
        const hist_op *op = &h->ops[c->order[k]];
        sim_time col = op->invoke_ns / px;
        if (col > LAT_COLS) col = LAT_COLS;     /* an op invoked after the view's end */
        size_t bit = (size_t)col * LAT_ROWS + lat_row(op->complete_ns - op->invoke_ns);
        if (seen[bit / 8] & (1u << (bit % 8))) { c->drop[c->order[k]] = 1; continue; }
        seen[bit / 8] |= (uint8_t)(1u << (bit % 8));
    }
}

static void thin_points(lat_ctx *c) {
    const hist *h = c->run->h;
    c->drop = sim_xcalloc(h->op_count + 1u, 1);
    uint8_t *seen = NULL;
    for (size_t s = 0; s < c->nf * 3; s++) {
        if (c->start[s + 1] - c->start[s] <= PLOT_LAT_THIN_MIN) continue;
        if (!seen) seen = sim_xmalloc((size_t)(LAT_COLS + 1) * (LAT_ROWS / 8));
        thin_series(c, s, seen);
    }
    free(seen);
    c->drawn = c->points;
    for (uint64_t k = 0; k < c->points; k++) c->drawn -= c->drop[c->order[k]];
    if (c->drawn == c->points) return;
    snprintf(c->head->note, sizeof c->head->note, "%" PRIu64 " points; of those within a "
             "marker (4 px) of each other one is drawn: %" PRIu64 " drawn", c->points, c->drawn);
}

static void write_rates(FILE *f, const lat_ctx *c, size_t fi) {
    const hist *h = c->run->h;
    SIM_ASSERT(c->bucket > 0);
    SIM_ASSERT(c->end / c->bucket < LAT_BUCKETS * 2);   /* bucket_for: about LAT_BUCKETS */
    uint32_t n = (uint32_t)(c->end / c->bucket) + 1u;
    uint64_t *count = sim_xcalloc(n, sizeof *count);
    for (uint32_t k = c->start[fi * 3]; k < c->start[fi * 3 + 3]; k++) {   /* ok, fail, info */
        const hist_op *op = &h->ops[c->order[k]];
        SIM_ASSERT(op->result != HIST_PENDING);
        if (op->complete_ns > c->end) continue;
        SIM_ASSERT(op->complete_ns >= 0);
        SIM_ASSERT((uint64_t)(op->complete_ns / c->bucket) < n);
        count[op->complete_ns / c->bucket]++;
    }
    char x[32];
    uint64_t milli = 0;
    for (uint32_t b = 0; b <= n; b++) {          /* each bucket from its start; the last one's end */
        plot_fmt_time(x, sizeof x, (sim_time)b * c->bucket);
        if (b < n) milli = count[b] * (uint64_t)SIM_S * 1000u / (uint64_t)c->bucket;
        fprintf(f, "%s %" PRIu64 ".%03" PRIu64 "\n", x, milli / 1000u, milli % 1000u);
    }
    free(count);
}

static void write_lat_dat(FILE *f, const void *ctx) {
    const lat_ctx *c = ctx;
    SIM_ASSERT(c->bucket > 0);
    SIM_ASSERT(c->end > 0);
    fprintf(f, "# ccsim latency data: %s, seed %" PRIu64 "\n# [lat F OUTCOME] invoke (s) "
            "latency (ms); [rate F] time (s) completions per second, in buckets of ",
            c->run->s->name, c->run->seed);
    char b[32];
    sim_fmt_time(b, sizeof b, c->bucket);
    fprintf(f, "%s\n", b);
    plot_lat_head_write(f, c->head);
    for (size_t fi = 0; fi < c->nf; fi++) {
        for (int oi = 0; oi < 3; oi++) {
            fprintf(f, "\n\n# [lat %s %s]\n", kind_name(c, fi), outcomes[oi].name);
            write_points(f, c, fi, oi);
        }
    }
    for (size_t fi = 0; fi < c->nf; fi++) {
        bool any = c->used[fi][0] + c->used[fi][1] + c->used[fi][2] > 0;
        fprintf(f, "\n\n# [rate %s]\n", kind_name(c, fi));
        if (any) write_rates(f, c, fi);
    }
}

/* ------------------------------------------------------------ script */

static void fault_text(const scn *s, const scn_fault *f, char *buf, size_t len) {
    static const char *const kind[SCN_FAULT_KIND_COUNT] = {
        "pause", "crash", "restart", "partition", "cut", "heal", "clock jump", "clock rate", "delay",
        "loss", "power loss",
    };
    SIM_ASSERT((unsigned)f->kind < SCN_FAULT_KIND_COUNT);   /* indexes kind[] */
    SIM_ASSERT(len > 0);
    const char *node = f->node >= 0 && (uint32_t)f->node < s->node_count ? s->nodes[f->node].name : "";
    snprintf(buf, len, "%s%s%s", kind[f->kind], node[0] ? " " : "", node);
}

static void write_fault_shading(FILE *f, const plot_lat_head *h) {
    SIM_ASSERT(h->span_count <= PLOT_SPANS_MAX);
    for (uint32_t i = 0; i < h->span_count; i++) {
        char a[32], b[32];
        plot_fmt_time(a, sizeof a, h->spans[i].from);
        plot_fmt_time(b, sizeof b, h->spans[i].to);
        if (h->spans[i].from == h->spans[i].to)
            fprintf(f, "  set arrow from %s, graph 0 to %s, graph 1 nohead dt 2 lc rgb '#2a7f62' back\n", a, a);
        else
            fprintf(f, "  set object rect from %s, graph 0 to %s, graph 1 fc rgb '#e07a9f' "
                       "fs transparent solid 0.15 noborder behind\n", a, b);
        fprintf(f, "  set label '");
        plot_gp_str(f, h->spans[i].text);
        fprintf(f, "' at %s, graph %s left font ',8' tc rgb '#8a3a5a'\n", a, i % 2 ? "0.90" : "0.96");
    }
}

static void write_lat_plot(FILE *f, const plot_lat_head *h, bool rates) {
    bool first = true;
    SIM_ASSERT(f != NULL);
    SIM_ASSERT(h->kind_count <= PLOT_KINDS_MAX);
    fputs("  plot ", f);
    for (size_t fi = 0; fi < h->kind_count; fi++) {
        uint32_t rgb = f_rgb[fi % (sizeof f_rgb / sizeof f_rgb[0])];
        const char *kind = h->kinds[fi];
        for (int oi = 0; oi < 3 && !rates; oi++) {
            if (h->used[fi][oi] == 0) continue;
            fprintf(f, "%s'latency.dat' index \"[lat %s %s]\" using 1:2 with points pt %d ps 0.6 "
                    "lc rgb '#%06x' title '%s %s'", first ? "" : ", \\\n       ",
                    kind, outcomes[oi].name,
                    f_pt[fi % (sizeof f_pt / sizeof f_pt[0])], (unsigned)outcomes[oi].rgb,
                    kind, outcomes[oi].name);
            first = false;
        }
        if (!rates || h->used[fi][0] + h->used[fi][1] + h->used[fi][2] == 0) continue;
        fprintf(f, "%s'latency.dat' index \"[rate %s]\" using 1:2 with steps lw 1.5 lc rgb '#%06x' "
                "title '%s'", first ? "" : ", \\\n       ", kind, (unsigned)rgb, kind);
        first = false;
    }
    if (first) fputs("NaN notitle", f);
    fputc('\n', f);
}

void plot_write_latency_gp(FILE *f, const void *head) {
    const plot_lat_head *h = head;
    SIM_ASSERT(h->end > 0);
    fprintf(f, "# latency.gp -- latency and throughput of %s, seed %" PRIu64 ", drawn by gnuplot\n"
               "# from latency.dat.  Redraw with `ccsim plot DIR`.\n", h->name, h->seed);
    char xe[32];
    plot_fmt_time(xe, sizeof xe, h->end);
    plot_gp_begin(f, "latency", 720);
    fprintf(f, "  set title '");
    plot_gp_str(f, h->name);
    fprintf(f, "   seed %" PRIu64 ": latency of each operation, and completions per second' "
               "font 'DejaVu Sans Bold,11'\n", h->seed);
    if (h->note[0]) {                           /* thinned: say so under the title */
        fputs("  set label '", f);
        plot_gp_str(f, h->note);
        fputs("' at screen 0.5, screen 0.935 center font ',8' tc rgb '#666666'\n", f);
    }
    fprintf(f, "  set lmargin at screen 0.09\n  set rmargin at screen 0.85\n  set xrange [0:%s]\n"
               "  set key outside right top reverse Left samplen 1.5 width -2 font ',8'\n  set grid lc rgb '#e8e8e8' lt 1\n", xe);
    fputs("  set tmargin at screen 0.92\n  set bmargin at screen 0.42\n  set logscale y\n"
          "  set ylabel 'latency (ms)'\n  set format x ''\n  unset xlabel\n", f);
    write_fault_shading(f, h);
    write_lat_plot(f, h, false);
    fputs("  unset title\n  unset label\n  unset arrow\n  unset object\n  unset logscale y\n"
          "  set format x '%g'\n  set tmargin at screen 0.38\n  set bmargin at screen 0.08\n"
          "  set ylabel 'completions per second'\n  set xlabel 'true time (s)'\n  set yrange [0:*]\n", f);
    write_fault_shading(f, h);
    write_lat_plot(f, h, true);
    fputs("  set yrange [*:*]\n  unset xlabel\n  unset ylabel\n", f);
    plot_gp_end(f);
}

/* What latency.gp draws besides the data; the points counted by the data
 * writer (c->used) say which series exist. */
static void lat_head_of(const lat_ctx *c, plot_lat_head *h) {
    memset(h, 0, sizeof *h);
    snprintf(h->name, sizeof h->name, "%s", c->run->s->name);
    h->seed = c->run->seed;
    h->end = c->end;
    SIM_ASSERT(c->nf <= PLOT_KINDS_MAX);        /* vocabularies are small */
    h->kind_count = (uint32_t)c->nf;
    for (size_t fi = 0; fi < c->nf; fi++) {
        snprintf(h->kinds[fi], sizeof h->kinds[fi], "%s", kind_name(c, fi));
        memcpy(h->used[fi], c->used[fi], sizeof h->used[fi]);
    }
    plot_span spans[PLOT_SPANS_MAX];
    h->span_count = plot_fault_spans(c->run->s, c->end, spans, PLOT_SPANS_MAX);
    SIM_ASSERT(h->span_count <= PLOT_SPANS_MAX);
    for (uint32_t i = 0; i < h->span_count; i++) {
        SIM_ASSERT(spans[i].fault < c->run->s->fault_count);
        h->spans[i].from = spans[i].from;
        h->spans[i].to = spans[i].to;
        fault_text(c->run->s, &c->run->s->faults[spans[i].fault], h->spans[i].text,
                   sizeof h->spans[i].text);
    }
}

/* The vocabulary's op kinds, but those listed only when used that this
 * run has none of, and the table from kind code to listed kind: one pass
 * over the ops counts them by kind code and outcome (sort_points' counts
 * too). */
static void list_kinds(lat_ctx *c) {
    const hist *h = c->run->h;
    size_t n = h->vocab->op_count();
    c->kinds = sim_xcalloc(n + 1, sizeof *c->kinds);
    c->code = sim_xcalloc(n + 1, sizeof *c->code);
    c->span = 0;
    for (size_t fi = 0; fi < n; fi++)
        if ((uint32_t)h->vocab->op_at(fi)->kind + 1u > c->span) c->span = (uint32_t)h->vocab->op_at(fi)->kind + 1u;
    c->per_code = sim_xcalloc(c->span + 1u, sizeof *c->per_code);   /* one pass over the ops */
    for (uint32_t i = 0; i < h->op_count; i++)
        if (h->ops[i].f < c->span) c->per_code[h->ops[i].f][outcome_of(h->ops[i].result) + 1]++;
    c->fi_of = sim_xmalloc((c->span + 1u) * sizeof *c->fi_of);
    for (uint32_t f = 0; f <= c->span; f++) c->fi_of[f] = -1;
    c->nf = 0;
    for (size_t fi = 0; fi < n; fi++) {
        const hist_kind_def *k = h->vocab->op_at(fi);
        const uint32_t *n_of = c->per_code[k->kind];
        bool used = !k->only_when_used || n_of[0] + n_of[1] + n_of[2] + n_of[3] > 0;
        if (!used) continue;
        SIM_ASSERT(c->fi_of[k->kind] == -1);    /* a vocabulary lists a kind once */
        c->fi_of[k->kind] = (int32_t)c->nf;
        c->kinds[c->nf] = fi;
        c->code[c->nf++] = k->kind;
    }
}

int plot_write_latency(const char *dir, const rpt_run *run, char *err, size_t err_len) {
    SIM_ASSERT(dir != NULL);
    SIM_ASSERT(run != NULL);
    SIM_ASSERT(run->h != NULL);
    lat_ctx c;
    memset(&c, 0, sizeof c);
    c.run = run;
    c.end = plot_view_end(run->s, run->h, run->end_ns > 0 ? run->end_ns : run->s->duration_ns, NULL);
    list_kinds(&c);
    c.used = sim_xcalloc(c.nf + 1, sizeof *c.used);
    c.head = sim_xmalloc(sizeof *c.head);
    sort_points(&c);
    c.bucket = bucket_for(c.end, c.points);
    lat_head_of(&c, c.head);
    thin_points(&c);
    int rc = rpt_write_whole(dir, "latency.dat", write_lat_dat, &c, err, err_len);
    if (rc == 0) rc = rpt_write_whole(dir, "latency.gp", plot_write_latency_gp, c.head, err, err_len);
    free(c.head);
    free(c.used);
    free(c.kinds);
    free(c.code);
    free(c.fi_of);
    free(c.per_code);
    free(c.start);
    free(c.order);
    free(c.drop);
    return rc;
}

static int cmp_time(const void *a, const void *b) {
    sim_time x = *(const sim_time *)a, y = *(const sim_time *)b;
    return x < y ? -1 : x > y;
}

sim_time plot_latency_percentile(const hist *h, uint32_t p) {
    SIM_ASSERT(h != NULL);
    SIM_ASSERT(p <= 100);
    sim_time *lat = sim_xcalloc(h->op_count + 1u, sizeof *lat);
    uint32_t n = 0;
    for (uint32_t i = 0; i < h->op_count; i++) {
        const hist_op *op = &h->ops[i];
        if (op->result == HIST_PENDING || op->complete_ns == SIM_TIME_NEVER) continue;
        lat[n++] = op->complete_ns - op->invoke_ns;
    }
    sim_time v = 0;
    if (n > 0) {
        qsort(lat, n, sizeof *lat, cmp_time);
        uint32_t rank = (uint32_t)(((uint64_t)p * n + 99u) / 100u);     /* nearest rank */
        v = lat[rank == 0 ? 0 : rank - 1];
    }
    free(lat);
    return v;
}
