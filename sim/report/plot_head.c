/* plot_head.c -- the values a script needs besides its data, kept in the
 * data file itself as comment lines "#@ key value" (gnuplot skips them),
 * and read back by `ccsim plot` to write the script again.
 *
 * Invariant: what is read back is checked as user input, because a report
 * folder may come from anywhere: names and folder names are plain words
 * (letters, digits, '-', '_', '.', and '=' ',' '+' in a compare's folders),
 * numbers are decimal digits in range, text is one line, and a missing or
 * malformed value is a located error.  A script written from what passed
 * holds no text of the file outside a quoted gnuplot string.
 */
#include "sim/report/plot_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LINE_MAX_LEN 1400

/* ------------------------------------------------------------ writing */

static void put_text(FILE *f, const char *key, const char *text) {
    fprintf(f, "#@ %s ", key);
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        if (*p >= 0x20 && *p != 0x7f) fputc(*p, f);
    fputc('\n', f);
}

void plot_head_write(FILE *f, const plot_head *h) {
    SIM_ASSERT(h->node_count >= 1);
    SIM_ASSERT(h->node_count <= SIM_NODES_MAX);
    SIM_ASSERT(h->view > 0);
    put_text(f, "name", h->name);
    fprintf(f, "#@ seed %" PRIu64 "\n", h->seed);
    put_text(f, "title", h->title);
    put_text(f, "verdicts", h->verdicts);
    fprintf(f, "#@ verdict-rgb %" PRIu32 "\n#@ view %" PRId64 "\n#@ legend %" PRIu32
               "\n#@ blocks %" PRIu32 "\n", h->verdict_rgb, h->view, h->legend, h->blocks);
    put_text(f, "note", h->note);
    for (uint32_t i = 0; i < h->node_count; i++) put_text(f, "node", h->nodes[i]);
}

void plot_lat_head_write(FILE *f, const plot_lat_head *h) {
    SIM_ASSERT(h->kind_count <= PLOT_KINDS_MAX);
    SIM_ASSERT(h->span_count <= PLOT_SPANS_MAX);
    put_text(f, "name", h->name);
    fprintf(f, "#@ seed %" PRIu64 "\n#@ end %" PRId64 "\n", h->seed, h->end);
    if (h->note[0]) put_text(f, "note", h->note);          /* only when thinned */
    for (uint32_t i = 0; i < h->kind_count; i++)
        fprintf(f, "#@ kind %s %" PRIu32 " %" PRIu32 " %" PRIu32 "\n", h->kinds[i], h->used[i][0],
                h->used[i][1], h->used[i][2]);
    for (uint32_t i = 0; i < h->span_count; i++) {
        char key[64];
        snprintf(key, sizeof key, "span %" PRId64 " %" PRId64, h->spans[i].from, h->spans[i].to);
        put_text(f, key, h->spans[i].text);
    }
}

void plot_cmp_head_write(FILE *f, const plot_cmp_head *h) {
    SIM_ASSERT(h->count >= 1);
    SIM_ASSERT(h->count <= PLOT_VARIANTS_MAX);
    fputs("# ccsim compare: what compare.gp draws besides each variant's timeline.dat\n", f);
    put_text(f, "title", h->title);
    for (uint32_t i = 0; i < h->count; i++) {
        char key[SIM_NAME_MAX * 2 + 16];
        snprintf(key, sizeof key, "variant %s", h->subdirs[i]);
        put_text(f, key, h->labels[i]);
    }
}

/* ------------------------------------------------------------ reading */

typedef struct reader {
    const char *path;
    uint32_t line;
    char *err;
    size_t err_len;
} reader;

static int bad(reader *r, const char *fmt, const char *what) {
    char msg[256];
    snprintf(msg, sizeof msg, fmt, what);
    snprintf(r->err, r->err_len, "%s:%u: error: %s", r->path, r->line, msg);
    return -1;
}

static bool word_ok(const char *s, const char *extra) {
    if (s[0] == '\0' || s[0] == '.') return false;
    for (const char *p = s; *p; p++) {
        char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_' || strchr(extra, c) != NULL;
        if (!ok) return false;
    }
    return true;
}

static int take_word(reader *r, const char *v, char *dst, size_t cap, const char *extra) {
    if (strlen(v) >= cap || !word_ok(v, extra))
        return bad(r, "'%.64s' is not a plain name (expected letters, digits, '-' and '_')", v);
    memcpy(dst, v, strlen(v) + 1);
    return 0;
}

static int take_text(reader *r, const char *v, char *dst, size_t cap) {
    if (strlen(v) >= cap) return bad(r, "%s: text too long", "value");
    memcpy(dst, v, strlen(v) + 1);
    return 0;
}

/* Decimal digits only, at most max; *end (when given) gets what follows. */
static int take_u64(reader *r, const char *v, uint64_t max, uint64_t *out, const char **end) {
    char *e = NULL;
    errno = 0;
    unsigned long long x = (v[0] >= '0' && v[0] <= '9') ? strtoull(v, &e, 10) : 0;
    bool rest_ok = e != NULL && (end ? (*e == ' ' || *e == '\0') : *e == '\0');
    if (e == NULL || e == v || errno == ERANGE || x > max || !rest_ok)
        return bad(r, "'%.40s' is not a number in range", v);
    *out = x;
    if (end) *end = *e == ' ' ? e + 1 : e;
    return 0;
}

typedef int (*take_fn)(reader *r, void *head, const char *key, const char *value);

/* Calls take for each "#@ key value" line before the first blank line. */
static int read_lines(const char *path, void *head, take_fn take, char *err, size_t err_len) {
    reader r = { path, 0, err, err_len };
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, err_len, "%s: error: cannot read: %s", path, strerror(errno));
        return -1;
    }
    char line[LINE_MAX_LEN];
    int rc = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        r.line++;
        size_t n = strlen(line);
        if (n == sizeof line - 1 && line[n - 1] != '\n') { rc = bad(&r, "%s", "a line too long"); break; }
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '\0') break;                 /* the data blocks begin */
        if (strncmp(line, "#@ ", 3) != 0) continue;
        char *key = line + 3, *value = strchr(key, ' ');
        if (value) *value++ = '\0'; else value = key + strlen(key);
        rc = take(&r, head, key, value);
    }
    fclose(f);
    return rc;
}

static int take_timeline(reader *r, void *head, const char *key, const char *v) {
    plot_head *h = head;
    uint64_t x = 0;
    if (strcmp(key, "name") == 0) return take_word(r, v, h->name, sizeof h->name, ".");
    if (strcmp(key, "title") == 0) return take_text(r, v, h->title, sizeof h->title);
    if (strcmp(key, "verdicts") == 0) return take_text(r, v, h->verdicts, sizeof h->verdicts);
    if (strcmp(key, "note") == 0) return take_text(r, v, h->note, sizeof h->note);
    if (strcmp(key, "seed") == 0) return take_u64(r, v, UINT64_MAX, &h->seed, NULL);
    if (strcmp(key, "node") == 0) {
        if (h->node_count == SIM_NODES_MAX) return bad(r, "%s", "more nodes than SIM_NODES_MAX");
        return take_word(r, v, h->nodes[h->node_count++], SIM_NAME_MAX, "");
    }
    uint64_t max = strcmp(key, "view") == 0 ? (uint64_t)INT64_MAX : UINT32_MAX;
    if (take_u64(r, v, max, &x, NULL) != 0) return -1;
    if (strcmp(key, "verdict-rgb") == 0) h->verdict_rgb = (uint32_t)x & 0xffffffu;
    else if (strcmp(key, "view") == 0) h->view = (sim_time)x;
    else if (strcmp(key, "legend") == 0) h->legend = (uint32_t)x;
    else if (strcmp(key, "blocks") == 0) h->blocks = (uint32_t)x & ((1u << PB_COUNT) - 1u);
    else return bad(r, "unknown key '%.40s'", key);
    return 0;
}

int plot_head_read(const char *path, plot_head *h, char *err, size_t err_len) {
    memset(h, 0, sizeof *h);
    if (read_lines(path, h, take_timeline, err, err_len) != 0) return -1;
    if (h->name[0] == '\0' || h->node_count == 0 || h->view <= 0) {
        snprintf(err, err_len, "%s: error: no '#@ name', '#@ node' or '#@ view' lines (was it "
                 "written by this version of ccsim? run the scenario again)", path);
        return -1;
    }
    return 0;
}

static int take_latency(reader *r, void *head, const char *key, const char *v) {
    plot_lat_head *h = head;
    if (strcmp(key, "name") == 0) return take_word(r, v, h->name, sizeof h->name, ".");
    if (strcmp(key, "seed") == 0) return take_u64(r, v, UINT64_MAX, &h->seed, NULL);
    if (strcmp(key, "note") == 0) return take_text(r, v, h->note, sizeof h->note);
    uint64_t x = 0, y = 0;
    if (strcmp(key, "end") == 0) {
        if (take_u64(r, v, INT64_MAX / 10, &x, NULL) != 0) return -1;   /* bucket_for's bound */
        h->end = (sim_time)x;
        return 0;
    }
    if (strcmp(key, "kind") == 0) {
        if (h->kind_count == PLOT_KINDS_MAX) return bad(r, "%s", "more op kinds than PLOT_KINDS_MAX");
        char name[SIM_NAME_MAX + 1];
        const char *sp = strchr(v, ' ');
        size_t n = sp ? (size_t)(sp - v) : strlen(v);
        if (n >= sizeof name || !sp) return bad(r, "'%.40s' is not 'NAME OK FAIL INFO'", v);
        memcpy(name, v, n);
        name[n] = '\0';
        uint32_t k = h->kind_count;
        if (take_word(r, name, h->kinds[k], SIM_NAME_MAX, "") != 0) return -1;
        const char *p = sp + 1;
        for (int o = 0; o < 3; o++) {
            if (take_u64(r, p, UINT32_MAX, &x, o < 2 ? &p : NULL) != 0) return -1;
            h->used[k][o] = (uint32_t)x;
        }
        h->kind_count++;
        return 0;
    }
    if (strcmp(key, "span") == 0) {
        if (h->span_count == PLOT_SPANS_MAX) return bad(r, "%s", "more spans than PLOT_SPANS_MAX");
        const char *p = v;
        if (take_u64(r, p, INT64_MAX, &x, &p) != 0 || take_u64(r, p, INT64_MAX, &y, &p) != 0) return -1;
        plot_lat_span *s = &h->spans[h->span_count];
        s->from = (sim_time)x;
        s->to = (sim_time)y;
        if (take_text(r, p, s->text, sizeof s->text) != 0) return -1;
        h->span_count++;
        return 0;
    }
    return bad(r, "unknown key '%.40s'", key);
}

int plot_lat_head_read(const char *path, plot_lat_head *h, char *err, size_t err_len) {
    memset(h, 0, sizeof *h);
    if (read_lines(path, h, take_latency, err, err_len) != 0) return -1;
    if (h->name[0] == '\0' || h->end <= 0) {
        snprintf(err, err_len, "%s: error: no '#@ name' or '#@ end' lines (was it written by this "
                 "version of ccsim? run the scenario again)", path);
        return -1;
    }
    return 0;
}

static int take_compare(reader *r, void *head, const char *key, const char *v) {
    plot_cmp_head *h = head;
    if (strcmp(key, "title") == 0) return take_text(r, v, h->title, sizeof h->title);
    if (strcmp(key, "variant") != 0) return bad(r, "unknown key '%.40s'", key);
    if (h->count == PLOT_VARIANTS_MAX) return bad(r, "%s", "more variants than PLOT_VARIANTS_MAX");
    char dir[SIM_NAME_MAX * 2 + 1];
    const char *sp = strchr(v, ' ');
    size_t n = sp ? (size_t)(sp - v) : strlen(v);
    if (n >= sizeof dir) return bad(r, "'%.40s' is not a folder name", v);
    memcpy(dir, v, n);
    dir[n] = '\0';
    if (take_word(r, dir, h->subdirs[h->count], sizeof h->subdirs[0], ".=,+") != 0) return -1;
    if (take_text(r, sp ? sp + 1 : "", h->labels[h->count], sizeof h->labels[0]) != 0) return -1;
    h->count++;
    return 0;
}

int plot_cmp_head_read(const char *path, plot_cmp_head *h, char *err, size_t err_len) {
    memset(h, 0, sizeof *h);
    if (read_lines(path, h, take_compare, err, err_len) != 0) return -1;
    if (h->count == 0) {
        snprintf(err, err_len, "%s: error: no '#@ variant' lines (was it written by this version "
                 "of ccsim? compare again)", path);
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------ rewriting */

typedef struct cmp_ctx { const plot_cmp_head *c; const plot_head *panels; } cmp_ctx;

static void write_cmp(FILE *f, const void *ctx) {
    const cmp_ctx *cc = ctx;
    plot_write_compare_gp(f, cc->c, cc->panels);
}

static int rewrite_compare(const char *dir, char *err, size_t err_len) {
    char path[4200];
    plot_cmp_head *c = sim_xmalloc(sizeof *c);
    plot_head *panels = NULL;
    snprintf(path, sizeof path, "%s/compare.dat", dir);
    int rc = plot_cmp_head_read(path, c, err, err_len);
    if (rc == 0) panels = sim_xcalloc(c->count, sizeof *panels);
    for (uint32_t i = 0; rc == 0 && i < c->count; i++) {
        snprintf(path, sizeof path, "%s/%s/timeline.dat", dir, c->subdirs[i]);
        rc = plot_head_read(path, &panels[i], err, err_len);
    }
    cmp_ctx cc = { c, panels };
    if (rc == 0) rc = rpt_write_whole(dir, "compare.gp", write_cmp, &cc, err, err_len);
    free(panels);
    free(c);
    return rc;
}

bool plot_lanes_drawn(uint32_t lanes, char *why, size_t why_len) {
    SIM_ASSERT(why != NULL && why_len > 0);
    if (lanes <= PLOT_LANES_DRAW_MAX) return true;
    snprintf(why, why_len, "%" PRIu32 " lanes are more than a picture can show (at most %d): the "
             "timeline is not drawn", lanes, PLOT_LANES_DRAW_MAX);
    return false;
}

int plot_rewrite(const char *dir, const char *name, char *err, size_t err_len) {
    SIM_ASSERT(dir != NULL);
    SIM_ASSERT(name != NULL);
    if (strcmp(name, "compare") == 0) return rewrite_compare(dir, err, err_len);
    char path[4200];
    snprintf(path, sizeof path, "%s/%s.dat", dir, name);
    int rc = -1;
    if (strcmp(name, "timeline") == 0) {
        plot_head *h = sim_xmalloc(sizeof *h);
        rc = plot_head_read(path, h, err, err_len);
        char why[200];
        if (rc == 0 && !plot_lanes_drawn(h->node_count, why, sizeof why)) {
            snprintf(err, err_len, "%s: %s", path, why);
            rc = -1;
        }
        if (rc == 0) rc = rpt_write_whole(dir, "timeline.gp", plot_write_timeline_gp, h, err, err_len);
        free(h);
    } else {
        SIM_ASSERT(strcmp(name, "latency") == 0);   /* the caller names one of three */
        plot_lat_head *h = sim_xmalloc(sizeof *h);
        rc = plot_lat_head_read(path, h, err, err_len);
        if (rc == 0) rc = rpt_write_whole(dir, "latency.gp", plot_write_latency_gp, h, err, err_len);
        free(h);
    }
    return rc;
}
