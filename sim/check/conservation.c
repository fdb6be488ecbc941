/* conservation.c -- money is neither created nor lost (hist.h, "Money").
 *
 * Every resource that holds accounts records BALANCE_INIT once per account
 * and BALANCE after each committed change: a db node, a 2PC participant, a
 * saga's services, a payment API's ledger.  Money only enters or leaves
 * the system through the ops that say so: an op with a key and a delta but
 * no key2 (a withdrawal, a deposit, a charge).
 *
 *   total    = the sum over (node, account) of the last balance
 *   expected = the sum of the opening balances + the acknowledged external
 *              flows; an op of unknown outcome (info, pending) may or may
 *              not have moved its money, which widens the range
 *   VIOLATION if total is outside [expected + unknown outflows,
 *                                  expected + unknown inflows].
 * A transfer between two accounts of the system must leave the total as it
 * was however it interleaves; a duplicate charge (M1 without an idempotency
 * key) takes money nobody acknowledged taking.
 * Invariant: each account counts once, at its last balance.  Trade-off:
 * judged at the horizon only: money in flight there (a saga half done) is
 * reported as missing, which is what a reconciliation at that moment sees.
 */
#include "sim/check/ledger.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define CONS_TOLD_MAX 12

static void cons_story(const check_input *in, const check_ledger *l, int64_t expect, check_result *out) {
    story st;
    story_init(&st, in->s);
    const hist *h = in->h;
    for (uint32_t i = 0; i < l->count; i++) {
        const check_account *a = &l->items[i];
        story_add(&st, 0, "%s on %s opened at %" PRId64, a->key, story_node(in->s, a->node), a->init);
    }
    uint32_t told = 0, changes = 0;
    for (uint32_t i = 0; i < h->effect_count; i++) {
        const hist_effect *x = &h->effects[i];
        if (x->kind != HIST_EFF_BALANCE) continue;
        if (told++ >= CONS_TOLD_MAX) { changes++; continue; }
        int64_t before = 0;                     /* the account's balance before this change */
        for (uint32_t k = i; k-- > 0;) {
            const hist_effect *y = &h->effects[k];
            if ((y->kind == HIST_EFF_BALANCE || y->kind == HIST_EFF_BALANCE_INIT) && y->node == x->node &&
                strncmp(y->key, x->key, SIM_NAME_MAX) == 0) { before = y->value; break; }
        }
        const hist_op *op = check_effect_op(h, x);
        char who[64] = "";
        if (op) check_who(in, op, who, sizeof who);
        story_add(&st, x->t_ns, "%s changed %s by %+" PRId64 " to %" PRId64 " at %s%s%s%s", story_node(in->s, x->node),
                  x->key, x->value - before, x->value, story_t(x->t_ns).s, op ? " (" : "", who,
                  op ? "'s request)" : "");
    }
    if (changes) story_add(&st, check_horizon(in), "(%u more balance changes not told)", changes);
    story_conclude(&st, "so the accounts hold %" PRId64 " in all, where the opening %" PRId64 " and the "
                   "acknowledged flows in and out (%+" PRId64 ") make %" PRId64, l->final_total, l->init_total,
                   l->external_acked, expect);
    story_buf b;
    story_buf_init(&b);
    story_render(&st, &b);
    out->story = story_buf_take(&b);
    story_free(&st);
}

static void check_run_conservation(const check_input *in, check_result *out) {
    SIM_ASSERT(in != NULL);
    SIM_ASSERT(in->h != NULL);
    check_result_start(out, "conservation");
    check_ledger l;
    check_ledger_build(in->h, &l);
    if (l.count == 0) {
        snprintf(out->summary, sizeof out->summary, "no balances recorded");
        check_ledger_free(&l);
        return;
    }
    int64_t expect = l.init_total + l.external_acked;
    int64_t lo = expect + l.external_lo, hi = expect + l.external_hi;
    char *b = out->summary;
    size_t cap = sizeof out->summary;
    snprintf(b, cap, "total %" PRId64 " over %u accounts", l.final_total, l.count);
    if (l.final_total < lo || l.final_total > hi) {
        int64_t off = l.final_total < lo ? l.final_total - lo : l.final_total - hi;
        story_appendf(b, cap, ", expected %" PRId64 " (%" PRId64 " opened %+" PRId64 " acknowledged in/out",
                      expect, l.init_total, l.external_acked);
        if (lo != hi) story_appendf(b, cap, ", up to %+" PRId64 "..%+" PRId64 " unknown", l.external_lo,
                                    l.external_hi);
        story_appendf(b, cap, "): %" PRId64 " %s than the acknowledged operations explain", off < 0 ? -off : off,
                      off < 0 ? "less" : "more");
        out->verdict = CHECK_VIOLATION;
        cons_story(in, &l, expect, out);
    } else {
        story_appendf(b, cap, " = %" PRId64 " opened %+" PRId64 " acknowledged in/out", l.init_total,
                      l.external_acked);
        if (l.final_total != expect) story_appendf(b, cap, " %+" PRId64 " of unknown outcome", l.final_total - expect);
        check_append_figures(in, out);
    }
    check_ledger_free(&l);
}

/* The check's entry in the registry (sim/check/check.c). */
const check_desc check_conservation = {
    .name = "conservation",
    .summary = "the accounts' total differs from the opening total plus the acknowledged "
        "money in and out",
    .run = check_run_conservation,
    .protocols = { "2pc", "saga", "db", "payment-api" },
};
