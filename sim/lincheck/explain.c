/* explain.c -- turns a failed search into text in the history's own terms:
 * the longest linearizable prefix found, the state after it, and the ops
 * that cannot be placed next (with process, :f, value, lines and times).
 *
 * Invariant: the prefix is replayed from the initial state with the same
 * lin_step() the search used, so what is printed is what was searched.
 * Trade-off: only the deepest prefix is explained, not every dead end; it
 * is where the history stops making sense, which is what a reader wants.
 */
#include "sim/lincheck/lin_explain.h"

#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

void lin_text_printf(lin_text *t, const char *fmt, ...) {
    LIN_ASSERT(fmt != NULL);
    LIN_ASSERT(t->len <= t->cap);
    LIN_ASSERT(t->cap == 0 || t->len < t->cap);   /* the text stays NUL-terminated */
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        size_t room = t->cap - t->len;
        int n = vsnprintf(t->cap ? t->p + t->len : NULL, room, fmt, ap);
        va_end(ap);
        if (n < 0) return;
        if ((size_t)n < room) {
            t->len += (size_t)n;
            return;
        }
        size_t cap = t->cap ? t->cap * 2 : 256;
        while (cap < t->len + (size_t)n + 1) cap *= 2;
        t->p = lin_xrealloc(t->p, cap);
        t->cap = cap;
    }
}

static void value_text(const lin_history *h, uint32_t id, char *out, size_t cap) {
    LIN_ASSERT(out != NULL);
    LIN_ASSERT(cap > 4);                    /* room for a character and "..." */
    size_t len;
    const char *p = lin_intern_get(&h->values, id, &len);
    if (len > cap - 1) {
        snprintf(out, cap, "%.*s...", (int)(cap > 4 ? cap - 4 : 0), p);
        return;
    }
    memcpy(out, p, len);
    out[len] = '\0';
}

void lin_describe_op(lin_text *t, const lin_history *h, size_t i) {
    LIN_ASSERT(i < h->count);
    const lin_hop *op = &h->ops[i];
    LIN_ASSERT(op->type != LIN_TYPE_FAIL);  /* fail ops are never searched, so never explained */
    char f[64], v[96];
    value_text(h, op->f, f, sizeof f);
    value_text(h, op->value, v, sizeof v);
    lin_text_printf(t, "process %" PRId64 " %s", op->process, f);
    if (op->value != 0) lin_text_printf(t, " %s", v);
    if (op->key != LIN_NO_KEY) {
        char k[64];
        value_text(h, op->key, k, sizeof k);
        lin_text_printf(t, " (key %s)", k);
    }
    if (op->type == LIN_TYPE_INFO) lin_text_printf(t, " [info");
    else lin_text_printf(t, " [ok");
    if (op->call_line) {
        if (op->ret_line) lin_text_printf(t, ", lines %u-%u", op->call_line, op->ret_line);
        else lin_text_printf(t, ", line %u, never completed", op->call_line);
    }
    if (op->call_time != LIN_NO_TIME) {
        if (op->ret_time != LIN_NO_TIME)
            lin_text_printf(t, ", time %" PRId64 "..%" PRId64, op->call_time, op->ret_time);
        else
            lin_text_printf(t, ", time %" PRId64 "..", op->call_time);
    }
    lin_text_printf(t, "]");
}

/* The unlinearized completed op that completes first: nothing may be placed after its completion. */
static size_t first_deadline(const lin_history *h, const lin_search_in *in, const bool *done) {
    LIN_ASSERT(done != NULL);
    LIN_ASSERT(h->ordered);                 /* ranks are set by lin_history_order */
    size_t best = SIZE_MAX;
    uint64_t rank = LIN_NO_RANK;
    for (size_t i = 0; i < in->n; i++) {
        const lin_hop *op = &h->ops[in->src[i]];
        if (done[i] || op->type != LIN_TYPE_OK || op->ret_rank >= rank) continue;
        rank = op->ret_rank;
        best = i;
    }
    LIN_ASSERT(best == SIZE_MAX || best < in->n);
    return best;
}

static void explain_candidates(lin_text *t, lin_model *m, const lin_history *h, const lin_search_in *in,
                               const bool *done, uint64_t state, size_t deadline) {
    LIN_ASSERT(deadline < in->n);
    LIN_ASSERT(!done[deadline]);            /* the deadline op is not in the prefix */
    uint64_t limit = h->ops[in->src[deadline]].ret_rank;
    LIN_ASSERT(limit != LIN_NO_RANK);       /* it completed: it has a return rank */
    char sdesc[160];
    lin_model_describe(m, h, state, sdesc, sizeof sdesc);
    lin_text_printf(t, "  state after it: %s\n  ops that could come next:\n", sdesc);
    size_t shown = 0, total = 0;
    for (size_t i = 0; i < in->n; i++) {
        const lin_hop *op = &h->ops[in->src[i]];
        if (done[i] || op->call_rank > limit) continue;
        total++;
        if (shown == 12) continue;
        uint64_t ns;
        bool legal = lin_step(m, state, &in->ops[i], &ns);
        lin_text_printf(t, "    ");
        lin_describe_op(t, h, in->src[i]);
        lin_text_printf(t, legal ? ": legal here, but no order of the rest works after it\n"
                                 : ": cannot be placed: not legal when the state is %s\n", sdesc);
        shown++;
    }
    LIN_ASSERT(total >= 1);                 /* the deadline op itself could come next */
    if (total > shown) lin_text_printf(t, "    ... and %zu more\n", total - shown);
}

void lin_explain_illegal(lin_text *t, lin_model *m, const lin_history *h, const lin_search_in *in,
                         const lin_search_out *so, const char *key_text) {
    LIN_ASSERT(so->verdict == LIN_ILLEGAL);
    LIN_ASSERT(so->best_len < in->n);       /* some op could not be placed */
    bool *done = calloc(in->n + 1, sizeof *done);
    if (done == NULL) abort();
    uint64_t state = in->init;
    for (size_t k = 0; k < so->best_len; k++) {
        uint64_t ns;
        LIN_ASSERT(so->best[k] < in->n);
        LIN_ASSERT(!done[so->best[k]]);     /* the prefix names each op once */
        bool ok = lin_step(m, state, &in->ops[so->best[k]], &ns);
        LIN_ASSERT(ok);
        state = ns;
        done[so->best[k]] = true;
    }
    size_t deadline = first_deadline(h, in, done);
    LIN_ASSERT(deadline != SIZE_MAX);
    lin_text_printf(t, "cannot linearize ");
    lin_describe_op(t, h, in->src[deadline]);
    lin_text_printf(t, " after a linearizable prefix of %zu of %zu ops%s%s\n", so->best_len, in->n,
                    key_text ? " on key " : "", key_text ? key_text : "");
    size_t from = so->best_len > 5 ? so->best_len - 5 : 0;
    lin_text_printf(t, "  longest linearizable prefix: %zu ops%s\n", so->best_len,
                    so->best_len ? (from ? ", ending with:" : ":") : "");
    for (size_t k = from; k < so->best_len; k++) {
        lin_text_printf(t, "    %zu. ", k + 1);
        lin_describe_op(t, h, in->src[so->best[k]]);
        lin_text_printf(t, "\n");
    }
    explain_candidates(t, m, h, in, done, state, deadline);
    free(done);
}
