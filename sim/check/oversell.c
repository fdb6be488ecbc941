/* oversell.c -- confirmed orders against the stock they were sold from
 * (PROTOCOLS.md 12.3).
 *
 * For each stock row that BUY ops name (op.key, quantity = -op.delta):
 *   confirmed = the quantities of ok BUYs, unknown = those of info/pending ones
 *   VIOLATION if confirmed > initial stock (oversold), or the final stock
 *   < 0, or final + confirmed != initial (decrements lost: the stock does
 *   not show the orders; with unknown orders: final + confirmed <= initial
 *   <= final + confirmed + unknown).
 * Note D1's tell: its final stock is 0, which looks right; only counting
 * the orders shows 500 were confirmed for 100 items.
 * Invariant: the stock row is a ledger account (BALANCE_INIT / BALANCE of
 * the db node).  Trade-off: O(ops) per stock row; a run has one or two.
 */
#include "sim/check/ledger.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/db/db.h"

typedef struct os_row {
    const check_account *a;
    int64_t confirmed, unknown;
    uint32_t orders;
    uint32_t over_op;            /* the first confirmed order beyond the stock, HIST_NONE */
    uint32_t last_fit_op;        /* the confirmed order that took the last item, HIST_NONE */
} os_row;

static int64_t qty(const hist_op *op) { return op->delta < 0 ? -op->delta : op->delta; }

/* Confirmed orders in the order they were confirmed: which one went over. */
static void os_scan(const hist *h, const char *key, os_row *r) {
    uint32_t n = 0;
    for (uint32_t i = 0; i < h->op_count; i++) n += h->ops[i].f == HIST_F_BUY && h->ops[i].result == HIST_OK;
    uint32_t *ok = sim_xmalloc((n + 1u) * sizeof *ok);
    n = 0;
    for (uint32_t i = 0; i < h->op_count; i++) {
        const hist_op *op = &h->ops[i];
        if (op->f != HIST_F_BUY || strncmp(op->key, key, SIM_NAME_MAX) != 0) continue;
        if (op->result == HIST_OK) ok[n++] = i;
        else if (check_op_unknown(op)) r->unknown += qty(op);
    }
    for (uint32_t k = 1; k < n; k++) {          /* insertion sort by completion time, then id */
        uint32_t x = ok[k], j = k;
        while (j > 0 && h->ops[ok[j - 1]].complete_ns > h->ops[x].complete_ns) { ok[j] = ok[j - 1]; j--; }
        ok[j] = x;
    }
    r->over_op = r->last_fit_op = HIST_NONE;
    for (uint32_t k = 0; k < n; k++) {
        const hist_op *op = &h->ops[ok[k]];
        r->confirmed += qty(op);
        r->orders++;
        if (r->confirmed <= r->a->init) r->last_fit_op = ok[k];
        else if (r->over_op == HIST_NONE) r->over_op = ok[k];
    }
    free(ok);
}

static bool os_bad(const os_row *r) {
    const check_account *a = r->a;
    if (r->confirmed > a->init || a->final < 0) return true;
    return a->final + r->confirmed > a->init || a->final + r->confirmed + r->unknown < a->init;
}

static void os_summary(const check_input *in, const os_row *r, check_result *out) {
    const check_account *a = r->a;
    char *b = out->summary;
    size_t cap = sizeof out->summary;
    b[0] = '\0';
    story_appendf(b, cap, "%" PRId64 " items confirmed in %u orders for %" PRId64 " in stock",
                  r->confirmed, r->orders, a->init);
    if (r->confirmed > a->init) story_appendf(b, cap, " (oversold by %" PRId64 ")", r->confirmed - a->init);
    story_appendf(b, cap, "; %s ended at %" PRId64, a->key, a->final);
    int64_t gone = a->init - a->final;
    if (a->final + r->confirmed > a->init)
        story_appendf(b, cap, ", down only %" PRId64 ": %" PRId64 " decrements lost", gone,
                      a->final + r->confirmed - a->init);
    else if (a->final + r->confirmed + r->unknown < a->init)
        story_appendf(b, cap, ", down %" PRId64 " for %" PRId64 " sold", gone, r->confirmed);
    else
        story_appendf(b, cap, " (= %" PRId64 " - %" PRId64 "%s)", a->init, r->confirmed,
                      r->unknown ? ", + unknown orders" : "");
    if (r->unknown) story_appendf(b, cap, "; %" PRId64 " more items in orders of unknown outcome", r->unknown);
    (void)in;
}

/* The read an order's op made of the stock row, HIST_NONE if none. */
static uint32_t read_of(const hist *h, uint32_t op, const char *key) {
    uint32_t found = HIST_NONE;
    for (uint32_t i = 0; i < h->effect_count; i++) {
        const hist_effect *x = &h->effects[i];
        if (x->op == op && x->kind == HIST_EFF_READ && strncmp(x->key, key, SIM_NAME_MAX) == 0) found = i;
    }
    return found;
}

static void tell_order(story *st, const check_input *in, uint32_t opi, const char *what) {
    const hist_op *op = &in->h->ops[opi];
    char who[64];
    check_who(in, op, who, sizeof who);
    uint32_t r = read_of(in->h, opi, op->key);
    if (r != HIST_NONE) {
        const hist_effect *x = &in->h->effects[r];
        story_add(st, x->t_ns, "%s read %s = %" PRId64 " (version %" PRId64 ") at %s", who, x->key,
                  x->value, hist_effect_version(in->h, x), story_t(x->t_ns).s);
    }
    story_add(st, op->complete_ns, "%s was told its order (%s) was confirmed at %s", who, what,
              story_t(op->complete_ns).s);
}

static void os_story(const check_input *in, const os_row *r, check_result *out) {
    story st;
    story_init(&st, in->s);
    const check_account *a = r->a;
    story_add(&st, 0, "%s held %" PRId64 " items on %s", a->key, a->init, story_node(in->s, a->node));
    if (r->last_fit_op != HIST_NONE) tell_order(&st, in, r->last_fit_op, "the last one there was stock for");
    if (r->over_op != HIST_NONE) tell_order(&st, in, r->over_op, "one too many");
    if (a->last != HIST_NONE) {
        const hist_effect *x = &in->h->effects[a->last];
        story_add(&st, x->t_ns, "%s was last set to %" PRId64 " at %s", a->key, a->final, story_t(x->t_ns).s);
    }
    if (r->confirmed > a->init)
        story_conclude(&st, "so %" PRId64 " items were sold from a stock of %" PRId64 ": %" PRId64 " more than "
                       "there were", r->confirmed, a->init, r->confirmed - a->init);
    else if (a->final < 0)
        story_conclude(&st, "so the stock went negative (%" PRId64 ")", a->final);
    else
        story_conclude(&st, "so the stock (%" PRId64 ") and the %" PRId64 " items sold do not add up to the "
                       "%" PRId64 " there were", a->final, r->confirmed, a->init);
    story_buf b;
    story_buf_init(&b);
    story_render(&st, &b);
    out->story = story_buf_take(&b);
    story_free(&st);
}

static void check_run_oversell(const check_input *in, check_result *out) {
    SIM_ASSERT(in != NULL);
    SIM_ASSERT(in->h != NULL);
    check_result_start(out, "oversell");
    check_ledger l;
    check_ledger_build(in->h, &l);
    const char *key = NULL;
    for (uint32_t i = 0; i < in->h->op_count && key == NULL; i++)
        if (in->h->ops[i].f == HIST_F_BUY && check_ledger_find(&l, in->h->ops[i].key)) key = in->h->ops[i].key;
    if (key == NULL) {
        snprintf(out->summary, sizeof out->summary, "no orders against a stock row");
        check_ledger_free(&l);
        return;
    }
    os_row r;
    memset(&r, 0, sizeof r);
    r.a = check_ledger_find(&l, key);
    os_scan(in->h, key, &r);
    os_summary(in, &r, out);
    if (os_bad(&r)) {
        out->verdict = CHECK_VIOLATION;
        os_story(in, &r, out);
        check_evidence(out, "oversold", r.over_op);
        check_evidence(out, "oversold", r.last_fit_op);
    } else {
        check_append_figures(in, out);
    }
    check_ledger_free(&l);
}

/* The check's entry in the registry (sim/check/check.c). */
const check_desc check_oversell = {
    .name = "oversell",
    .summary = "more items confirmed than were in stock, stock below zero, or stock + "
        "confirmed != initial (decrements lost)",
    .run = check_run_oversell,
    .workloads = { "flash-sale" },
};
