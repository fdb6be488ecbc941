/* script_check.c -- the `script` check: every step of a `script` workload
 * ran and answered as its expectations say (docs/script-workload.md).
 *
 * The steps come from the scenario (the same parser as the model); the
 * answers from the history: the workload's STATEMENT ops, one per step
 * sent, in step order (ok / fail with the code, value_out = rows), and
 * the db's READ effects of each op (the rows a SELECT returned).
 * A statement is blocked when it had not returned `block_after` after it
 * was sent; it returned "after step j" when j is the last step sent
 * strictly before its answer came.
 *
 * Invariant: one line per mismatch, in step order; ok only when every
 * step ran and met every expectation it states.
 */
#include "sim/check/check_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/db/db.h"
#include "sim/check/story.h"
#include "sim/workload/script.h"

typedef struct sx_ctx {
    const check_input *in;
    const script *sc;
    const hist_op **ops;         /* per step sent, in order */
    uint32_t sent;
    story st;
    uint32_t mismatches;
    uint32_t first_bad;          /* op id of the first mismatch, HIST_NONE = none */
} sx_ctx;

static void rows_text(const script_rows *r, char *buf, size_t n) {
    buf[0] = '\0';
    if (r->count == 0) { snprintf(buf, n, "none"); return; }
    for (uint32_t i = 0; i < r->count; i++)
        story_appendf(buf, n, "%s%" PRId64 "=%" PRId64, i ? ", " : "", r->id[i], r->value[i]);
}

/* The rows the op's SELECT returned: its READ effects, by id (not a read
 * that found no row, pred DB_WRITE_DELETE). */
static void rows_of(const hist *h, const hist_op *op, script_rows *out) {
    memset(out, 0, sizeof *out);
    for (uint32_t i = 0; i < h->effect_count && out->count < SCRIPT_ROWS_MAX; i++) {
        const hist_effect *x = &h->effects[i];
        if (x->kind != HIST_EFF_READ || x->op != op->id || x->pred == DB_WRITE_DELETE) continue;
        const char *colon = strrchr(x->key, ':');
        int64_t id = colon ? strtoll(colon + 1, NULL, 10) : 0;
        bool seen = false;
        for (uint32_t k = 0; k < out->count && !seen; k++) seen = out->id[k] == id;
        if (seen) continue;
        uint32_t k = out->count++;
        while (k > 0 && out->id[k - 1] > id) {
            out->id[k] = out->id[k - 1];
            out->value[k] = out->value[k - 1];
            k--;
        }
        out->id[k] = id;
        out->value[k] = x->value;
    }
}

static bool rows_equal(const script_rows *a, const script_rows *b) {
    if (a->count != b->count) return false;
    for (uint32_t i = 0; i < a->count; i++)
        if (a->id[i] != b->id[i] || a->value[i] != b->value[i]) return false;
    return true;
}

static bool returned(const hist_op *op) { return op->result != HIST_PENDING; }

/* The index of the last step sent strictly before op's answer. */
static uint32_t returned_after(const sx_ctx *c, uint32_t k) {
    uint32_t j = k;
    for (uint32_t i = k + 1; i < c->sent; i++)
        if (c->ops[i]->invoke_ns < c->ops[k]->complete_ns) j = i;
    return j;
}

static void mismatch(sx_ctx *c, uint32_t k, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void mismatch(sx_ctx *c, uint32_t k, const char *fmt, ...) {
    const script_step *st = &c->sc->steps[k];
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    sim_time t = k < c->sent ? c->ops[k]->invoke_ns : check_horizon(c->in);
    story_add(&c->st, t, "step %u (%s: %s): %s", st->number, c->sc->clients[st->client], st->text, what);
    if (c->first_bad == HIST_NONE && k < c->sent) c->first_bad = c->ops[k]->id;
    c->mismatches++;
}

static void check_blocking(sx_ctx *c, uint32_t k, bool *ok) {
    const script_step *st = &c->sc->steps[k];
    const hist_op *op = c->ops[k];
    bool back = returned(op);
    bool blocked = !back || op->complete_ns - op->invoke_ns >= c->sc->block_after_ns;
    uint32_t after = back ? returned_after(c, k) : 0;
    if (st->blocks == SCRIPT_BLOCKS_NONE && blocked) {
        if (back) mismatch(c, k, "expected to return at once, blocked until after step %u",
                           c->sc->steps[after].number);
        else mismatch(c, k, "expected to return at once, still blocked at the end");
        *ok = false;
    } else if (st->blocks == SCRIPT_BLOCKS_END && back) {
        mismatch(c, k, "expected to block until the end, returned %s", blocked ? "later" : "at once");
        *ok = false;
    } else if (st->blocks >= 0) {
        uint32_t want = c->sc->steps[st->blocks].number;
        if (!blocked) mismatch(c, k, "expected to block until step %u, returned at once", want);
        else if (!back) mismatch(c, k, "expected to block until step %u, still blocked at the end", want);
        else if (after != (uint32_t)st->blocks)
            mismatch(c, k, "expected to block until step %u, returned after step %u", want,
                     c->sc->steps[after].number);
        *ok = *ok && blocked && back && after == (uint32_t)st->blocks;
    }
}

static void check_answer(sx_ctx *c, uint32_t k) {
    const script_step *st = &c->sc->steps[k];
    const hist_op *op = c->ops[k];
    if (!returned(op)) return;
    const char *got = op->result == HIST_OK ? "" : op->note;
    if (op->result == HIST_INFO) got = "an unknown outcome";
    if (strcmp(st->error, got) != 0) {
        if (st->error[0] == '\0') mismatch(c, k, "expected ok, got error %s", got);
        else if (got[0] == '\0') mismatch(c, k, "expected error %s, got ok", st->error);
        else mismatch(c, k, "expected error %s, got error %s", st->error, got);
        return;
    }
    if (op->result != HIST_OK) return;
    if (st->has_count && op->value_out != st->count)
        mismatch(c, k, "expected count %" PRId64 ", got %" PRId64, st->count, op->value_out);
    if (st->has_rows) {
        script_rows got_rows;
        rows_of(c->in->h, op, &got_rows);
        if (!rows_equal(&got_rows, &st->rows)) {
            char want[512], have[512];
            rows_text(&st->rows, want, sizeof want);
            rows_text(&got_rows, have, sizeof have);
            mismatch(c, k, "expected rows %s, got %s", want, have);
        }
    }
}

/* A blocked statement's wait, told in the story whatever its verdict. */
static void tell_wait(sx_ctx *c, uint32_t k) {
    const script_step *st = &c->sc->steps[k];
    const hist_op *op = c->ops[k];
    bool back = returned(op);
    if (back && op->complete_ns - op->invoke_ns < c->sc->block_after_ns) return;
    if (back)
        story_add(&c->st, op->invoke_ns, "step %u (%s: %s) blocked from %s until %s (after step %u)",
                  st->number, c->sc->clients[st->client], st->text, story_t(op->invoke_ns).s,
                  story_t(op->complete_ns).s, c->sc->steps[returned_after(c, k)].number);
    else
        story_add(&c->st, op->invoke_ns, "step %u (%s: %s) blocked from %s to the end",
                  st->number, c->sc->clients[st->client], st->text, story_t(op->invoke_ns).s);
}

static void check_step(sx_ctx *c, uint32_t k) {
    const script_step *st = &c->sc->steps[k];
    if (k >= c->sent) {
        if (c->sent == 0 || k > c->sent) {
            mismatch(c, k, "never ran");
            return;
        }
        const hist_op *prev = NULL;
        for (uint32_t i = 0; i < c->sent; i++)
            if (c->sc->steps[i].client == st->client && !returned(c->ops[i])) prev = c->ops[i];
        if (prev != NULL)
            mismatch(c, k, "never ran (%s still blocked in step %" PRId64 ")",
                     c->sc->clients[st->client], prev->value_in);
        else mismatch(c, k, "never ran");
        return;
    }
    bool ok = true;
    check_blocking(c, k, &ok);
    check_answer(c, k);
    tell_wait(c, k);
}

static void sx_collect(sx_ctx *c) {
    const hist *h = c->in->h;
    c->ops = sim_xcalloc(h->op_count ? h->op_count : 1, sizeof *c->ops);
    for (uint32_t i = 0; i < h->op_count; i++)
        if (h->ops[i].f == HIST_F_STMT && c->sent < c->sc->step_count) c->ops[c->sent++] = &h->ops[i];
}

static void check_run_script(const check_input *in, check_result *out) {
    SIM_ASSERT(in != NULL);
    SIM_ASSERT(in->h != NULL);
    check_result_start(out, "script");
    script *sc = sim_xcalloc(1, sizeof *sc);
    if (in->s == NULL || !script_from_scn(in->s, sc)) {
        snprintf(out->summary, sizeof out->summary, "no script: the workload is not `script`");
        free(sc);
        return;
    }
    sx_ctx c = { in, sc, NULL, 0, { 0 }, 0, HIST_NONE };
    story_init(&c.st, in->s);
    sx_collect(&c);
    for (uint32_t k = 0; k < sc->step_count; k++) check_step(&c, k);
    if (c.mismatches == 0) {
        snprintf(out->summary, sizeof out->summary, "all %u steps answered as expected",
                 sc->step_count);
    } else {
        out->verdict = CHECK_VIOLATION;
        snprintf(out->summary, sizeof out->summary, "%u of %u steps differ from their expectations",
                 c.mismatches, sc->step_count);
        story_conclude(&c.st, "so the run did not answer as the script expects");
        if (!in->no_story) {
            story_buf b;
            story_buf_init(&b);
            story_render(&c.st, &b);
            out->story = story_buf_take(&b);
        }
        if (c.first_bad != HIST_NONE) {
            out->evidence_ops[0] = c.first_bad;
            out->evidence_count = 1;
            snprintf(out->evidence_label, sizeof out->evidence_label, "unexpected answer");
        }
    }
    story_free(&c.st);
    free(c.ops);
    free(sc);
}

const check_desc check_script = {
    .name = "script",
    .summary = "each step of a script answered as it expects: rows, count, blocking, error code",
    .run = check_run_script,
    .workloads = { "script" },
};
