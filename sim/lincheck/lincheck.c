/* lincheck.c -- lin_check(): compiles a history for a model, splits it by
 * key (P-compositionality: a history is linearizable iff each key's
 * sub-history is) and searches each part under one shared budget.
 *
 * Invariant: parts are numbered in order of their first op in the history
 * and their ops keep history order, so results never depend on hashing or
 * pointers.  Trade-off: the parts are searched one after the other on one
 * thread (DESIGN.md: single-threaded), stopping at the first illegal part;
 * a part that runs out of memory does not stop the others, since a later
 * part may still prove the history illegal.
 */
#include "sim/lincheck/lin_explain.h"
#include "sim/lincheck/edn.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>

typedef struct parts {
    size_t count;
    uint32_t *op_off, *ev_off;   /* part p: ops [op_off[p], op_off[p+1]), events likewise */
    uint32_t *key;               /* part -> key value id or LIN_NO_KEY */
    lin_op *ops;                 /* grouped by part */
    uint32_t *src;               /* history index of each grouped op */
    uint32_t *events;            /* local op << 1 | is_return, grouped by part */
} parts;

static void parts_free(parts *ps) {
    LIN_ASSERT(ps != NULL);
    LIN_ASSERT(ps->count == 0 || ps->op_off != NULL);
    free(ps->op_off);
    free(ps->ev_off);
    free(ps->key);
    free(ps->ops);
    free(ps->src);
    free(ps->events);
}

/* Numbers the parts and places the kept ops. */
static void parts_assign(parts *ps, const lin_history *h, const uint32_t *keys, const bool *keep, uint32_t *part_of) {
    size_t nkeys = (size_t)h->values.count + 1;
    uint32_t *by_key = lin_xmalloc(nkeys * sizeof *by_key);
    for (size_t k = 0; k < nkeys; k++) by_key[k] = UINT32_MAX;
    ps->key = lin_xmalloc((h->count + 1) * sizeof *ps->key);
    ps->op_off = calloc(h->count + 2, sizeof *ps->op_off);
    if (ps->op_off == NULL) abort();
    for (size_t i = 0; i < h->count; i++) {
        if (!keep[i]) continue;
        size_t k = keys[i] == LIN_NO_KEY ? nkeys - 1 : keys[i];
        LIN_ASSERT(k < nkeys);
        if (by_key[k] == UINT32_MAX) {
            by_key[k] = (uint32_t)ps->count;
            ps->key[ps->count++] = keys[i];
        }
        part_of[i] = by_key[k];
        ps->op_off[by_key[k] + 1]++;
    }
    for (size_t p = 0; p < ps->count; p++) ps->op_off[p + 1] += ps->op_off[p];
    LIN_ASSERT(ps->count <= h->count);      /* a part has at least one op */
    LIN_ASSERT(ps->op_off[ps->count] <= h->count);
    free(by_key);
}

static void parts_build(parts *ps, const lin_history *h, const lin_op *ops, const uint32_t *keys, const bool *keep) {
    memset(ps, 0, sizeof *ps);
    uint32_t *part_of = lin_xmalloc((h->count + 1) * sizeof *part_of);
    uint32_t *local = lin_xmalloc((h->count + 1) * sizeof *local);
    parts_assign(ps, h, keys, keep, part_of);
    uint32_t *fill = calloc(ps->count + 1, sizeof *fill);
    ps->ev_off = calloc(ps->count + 2, sizeof *ps->ev_off);
    ps->ops = lin_xmalloc((ps->op_off[ps->count] + 1) * sizeof *ps->ops);
    ps->src = lin_xmalloc((ps->op_off[ps->count] + 1) * sizeof *ps->src);
    if (fill == NULL || ps->ev_off == NULL) abort();
    for (size_t i = 0; i < h->count; i++) {
        if (!keep[i]) continue;
        uint32_t p = part_of[i], at = ps->op_off[p] + fill[p];
        LIN_ASSERT(p < ps->count);
        LIN_ASSERT(at < ps->op_off[p + 1]);  /* parts_assign counted this op in part p */
        local[i] = fill[p]++;
        ps->ops[at] = ops[i];
        ps->src[at] = (uint32_t)i;
    }
    for (size_t e = 0; e < h->event_count; e++) {
        uint32_t i = h->events[e] >> 1;
        LIN_ASSERT(i < h->count);
        if (keep[i]) ps->ev_off[part_of[i] + 1]++;
    }
    for (size_t p = 0; p < ps->count; p++) ps->ev_off[p + 1] += ps->ev_off[p];
    ps->events = lin_xmalloc((ps->ev_off[ps->count] + 1) * sizeof *ps->events);
    memset(fill, 0, (ps->count + 1) * sizeof *fill);
    for (size_t e = 0; e < h->event_count; e++) {
        uint32_t code = h->events[e], i = code >> 1;
        if (!keep[i]) continue;
        uint32_t p = part_of[i];
        LIN_ASSERT(ps->ev_off[p] + fill[p] < ps->ev_off[p + 1]);
        ps->events[ps->ev_off[p] + fill[p]++] = local[i] << 1 | (code & 1);
    }
    free(fill);
    free(part_of);
    free(local);
}

static lin_verdict fail_with(lin_result *out, const char *msg) {
    LIN_ASSERT(msg != NULL);
    LIN_ASSERT(out->explanation == NULL);   /* set once: nothing leaks */
    out->verdict = LIN_ERROR;
    out->explanation = lin_xmalloc(strlen(msg) + 1);
    memcpy(out->explanation, msg, strlen(msg) + 1);
    return LIN_ERROR;
}

static void key_text(const lin_history *h, uint32_t key, char *out, size_t cap) {
    LIN_ASSERT(out != NULL);
    LIN_ASSERT(cap > 0);
    out[0] = '\0';
    if (key == LIN_NO_KEY) return;
    size_t len;
    const char *p = lin_intern_get(&h->values, key, &len);
    snprintf(out, cap, "%.*s", (int)(len < cap ? len : cap - 1), p);
}

typedef struct check_run {      /* one lin_check call */
    lin_history *h;
    lin_model m;
    parts ps;
    lin_budget b;
    const lin_options *opt;
    lin_text text;
} check_run;

static void note_unknown(check_run *r, lin_result *out, size_t p, const lin_search_out *so) {
    LIN_ASSERT(p < r->ps.count);
    LIN_ASSERT(so->best_len <= r->ps.op_off[p + 1] - r->ps.op_off[p]);   /* a prefix of the part */
    if (out->verdict == LIN_UNKNOWN) return;     /* keep the first one's story */
    out->verdict = LIN_UNKNOWN;
    out->prefix = so->best_len;
    char key[128];
    key_text(r->h, r->ps.key[p], key, sizeof key);
    size_t n = r->ps.op_off[p + 1] - r->ps.op_off[p];
    if (r->b.out_of_work)
        lin_text_printf(&r->text, "work budget of %" PRIu64 " configurations ran out", r->b.max_configurations);
    else if (r->b.timed_out)
        lin_text_printf(&r->text, "time budget of %.3g s ran out", (double)r->opt->timeout_ms / 1000.0);
    else
        lin_text_printf(&r->text, "memory budget of %zu MiB reached", r->b.max_bytes >> 20);
    lin_text_printf(&r->text, " after %" PRIu64 " configurations; longest linearizable prefix %zu of %zu ops%s%s; "
                    "%zu of %zu keys checked\n", so->configurations, so->best_len, n, key[0] ? " on key " : "",
                    key, p, r->ps.count);
}

static lin_search_in part_input(const check_run *r, size_t p) {
    LIN_ASSERT(p < r->ps.count);
    uint32_t o = r->ps.op_off[p], e = r->ps.ev_off[p];
    lin_search_in in = {.ops = r->ps.ops + o, .src = r->ps.src + o, .events = r->ps.events + e,
                        .n = r->ps.op_off[p + 1] - o, .event_count = r->ps.ev_off[p + 1] - e,
                        .init = r->m.init};
    LIN_ASSERT(in.n > 0);                   /* a part exists because an op has its key */
    LIN_ASSERT(in.event_count <= 2 * in.n);
    return in;
}

/* Records a decided part; true when the whole check is decided (illegal, or out of time or work). */
static bool part_decided(check_run *r, lin_result *out, size_t p, const lin_search_in *in, const lin_search_out *so) {
    LIN_ASSERT(p < r->ps.count);
    LIN_ASSERT(so->verdict != LIN_PAUSED);  /* only decided parts come here */
    out->configurations += so->configurations;
    if (so->peak_cache_bytes > out->peak_cache_bytes) out->peak_cache_bytes = so->peak_cache_bytes;
    if (so->verdict == LIN_ILLEGAL) {
        char key[128];
        key_text(r->h, r->ps.key[p], key, sizeof key);
        free(r->text.p);
        memset(&r->text, 0, sizeof r->text);
        lin_explain_illegal(&r->text, &r->m, r->h, in, so, key[0] ? key : NULL);
        out->verdict = LIN_ILLEGAL;
        out->prefix = so->best_len;
        return true;
    }
    if (so->verdict == LIN_UNKNOWN) note_unknown(r, out, p, so);
    return r->b.timed_out || r->b.out_of_work;
}

/* Searches the parts round-robin with a doubling configuration limit, so
 * that an easy illegal part is found before a hard part uses the budget. */
static void check_parts(check_run *r, lin_result *out) {
    size_t np = r->ps.count, left = np;
    lin_search **ss = calloc(np + 1, sizeof *ss);
    lin_search_in *ins = lin_xmalloc((np + 1) * sizeof *ins);
    bool *done = calloc(np + 1, sizeof *done), over = false;
    if (ss == NULL || done == NULL) abort();
    out->verdict = LIN_OK;
    for (uint64_t limit = 1u << 15; left > 0 && !over; limit *= 2) {
        for (size_t p = 0; p < np && !over; p++) {
            if (done[p]) continue;
            if (ss[p] == NULL) {
                ins[p] = part_input(r, p);
                ss[p] = lin_search_new(&r->m, &ins[p], &r->b);
            }
            int v = lin_search_run(ss[p], limit);
            if (v == LIN_PAUSED) continue;
            lin_search_out so;
            lin_search_result(ss[p], &so);
            over = part_decided(r, out, p, &ins[p], &so);
            lin_search_free(ss[p]);
            ss[p] = NULL;
            done[p] = true;
            left--;
        }
    }
    for (size_t p = 0; p < np; p++) {
        if (ss[p] == NULL) continue;
        lin_search_out so;
        lin_search_result(ss[p], &so);
        out->configurations += so.configurations;
        lin_search_free(ss[p]);
    }
    LIN_ASSERT(r->b.used_bytes == 0);       /* every search returned its memo's bytes */
    LIN_ASSERT(out->verdict != LIN_ERROR);
    free(ss);
    free(ins);
    free(done);
}

lin_verdict lin_check(lin_history *h, const lin_options *opt, lin_result *out) {
    LIN_ASSERT(h != NULL);
    LIN_ASSERT(opt != NULL);
    LIN_ASSERT(out != NULL);
    memset(out, 0, sizeof *out);
    out->ops = h->count;
    char err[768];
    if (lin_history_order(h, err, sizeof err) != 0) return fail_with(out, err);
    check_run r = {.h = h, .opt = opt};
    lin_op *ops = lin_xmalloc((h->count + 1) * sizeof *ops);
    uint32_t *keys = lin_xmalloc((h->count + 1) * sizeof *keys);
    bool *keep = calloc(h->count + 1, sizeof *keep);
    if (keep == NULL) abort();
    if (lin_model_compile(&r.m, opt->model, opt->init, h, ops, keys, keep, err, sizeof err) != 0) {
        fail_with(out, err);
    } else {
        parts_build(&r.ps, h, ops, keys, keep);
        uint64_t mb = opt->max_memory_mb ? opt->max_memory_mb : LIN_MEMORY_MB_DEFAULT;
        r.b.max_bytes = (size_t)(mb << 20);
        r.b.max_configurations = opt->max_configurations;
        r.b.deadline_ns = opt->timeout_ms ? lin_now_ns() + opt->timeout_ms * UINT64_C(1000000) : 0;
        check_parts(&r, out);
        out->explanation = r.text.p;
        parts_free(&r.ps);
    }
    lin_model_free(&r.m);
    free(ops);
    free(keys);
    free(keep);
    LIN_ASSERT(out->prefix <= out->ops);
    return out->verdict;
}

void lin_result_free(lin_result *r) {
    LIN_ASSERT(r != NULL);
    free(r->explanation);
    r->explanation = NULL;
}

static char *read_whole(const char *path, size_t *len, char *err, size_t err_len) {
    LIN_ASSERT(path != NULL);
    LIN_ASSERT(len != NULL);
    bool is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (f == NULL) {
        snprintf(err, err_len, "%s: error: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    size_t cap = 1 << 16, n = 0;
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) cap = (size_t)st.st_size + 1;
    char *buf = lin_xmalloc(cap);
    for (;;) {                          /* one read for a regular file; doubling for pipes */
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap) break;
        cap *= 2;
        buf = lin_xrealloc(buf, cap);
    }
    bool bad = ferror(f) != 0;
    if (!is_stdin) fclose(f);
    if (bad) {
        snprintf(err, err_len, "%s: error: cannot read (expected a readable file)", path);
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

lin_verdict lin_check_file(const char *path, const lin_options *opt, lin_result *out) {
    LIN_ASSERT(path != NULL);
    LIN_ASSERT(opt != NULL);
    memset(out, 0, sizeof *out);
    char err[768];
    size_t len = 0;
    char *buf = read_whole(path, &len, err, sizeof err);
    if (buf == NULL) return fail_with(out, err);
    lin_history *h = lin_history_new();
    if (h == NULL) abort();
    lin_verdict v;
    if (lin_history_read_edn(h, path, buf, len, err, sizeof err) != 0) {
        v = fail_with(out, err);
        out->ops = h->count;
    } else {
        v = lin_check(h, opt, out);
    }
    lin_history_free(h);
    free(buf);
    return v;
}
