/* double_booking.c -- at most one confirmed booking per seat (PROTOCOLS.md
 * 12.4).
 *
 * A booking is a BOOK op (op.key = the seat, "seat:12A"); confirmed = ok:
 * the user was told the seat is theirs.  VIOLATION if two ops confirmed the
 * same seat, whatever the database holds in the end: in SCENARIOS.md D6's
 * anti-variant the second UPDATE overwrites the first, one row remains, and
 * both users were still told "booked".
 * Invariant: seats are judged in the order of their first confirmation.
 * Trade-off: O(ops^2) in the confirmed bookings of one run, which are few.
 */
#include "sim/check/ledger.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "protocols/db/db.h"
#include "protocols/txn/txn_api.h"

#define DB_TOLD_MAX 3

/* The ok BOOK ops for op a's seat, in id order; returns how many. */
static uint32_t same_seat(const hist *h, const hist_op *a, uint32_t *out, uint32_t max) {
    uint32_t n = 0;
    for (uint32_t i = 0; i < h->op_count; i++) {
        const hist_op *o = &h->ops[i];
        if (o->f != HIST_F_BOOK || o->result != HIST_OK) continue;
        if (strncmp(o->key, a->key, SIM_NAME_MAX) != 0) continue;
        if (n < max) out[n] = i;
        n++;
    }
    return n;
}

static void tell_booking(story *st, const check_input *in, uint32_t opi) {
    const hist *h = in->h;
    const hist_op *op = &h->ops[opi];
    char who[64];
    check_who(in, op, who, sizeof who);
    story_add(st, op->invoke_ns, "%s asked for %s at %s", who, op->key, story_t(op->invoke_ns).s);
    for (uint32_t i = 0; i < h->effect_count; i++) {
        const hist_effect *x = &h->effects[i];
        if (x->op != opi) continue;
        if (x->kind == HIST_EFF_PRED_READ)
            story_add(st, x->t_ns, "%s counted %" PRId64 " bookings in %s at %s", who, x->value, x->key,
                      story_t(x->t_ns).s);
        else if (x->kind == HIST_EFF_READ)
            story_add(st, x->t_ns, "%s read %s = %" PRId64 " at %s", who, x->key, x->value, story_t(x->t_ns).s);
        else if (x->kind == HIST_EFF_WRITE)
            story_add(st, x->t_ns, "%s wrote %s = %" PRId64 " at %s", who, x->key, x->value, story_t(x->t_ns).s);
        else if (x->kind == HIST_EFF_TXN_COMMIT)
            story_add(st, x->t_ns, "%s's transaction T%u committed at %s", who, hist_effect_txn(h, x), story_t(x->t_ns).s);
    }
    story_add(st, op->complete_ns, "%s was told %s is booked, at %s", who, op->key, story_t(op->complete_ns).s);
}

static void db_report(const check_input *in, const hist_op *first, uint32_t seats, check_result *out) {
    const hist *h = in->h;
    uint32_t ids[DB_TOLD_MAX];
    uint32_t n = same_seat(h, first, ids, DB_TOLD_MAX);
    uint32_t told = n < DB_TOLD_MAX ? n : DB_TOLD_MAX;
    char a[64], b[64];
    check_who(in, &h->ops[ids[0]], a, sizeof a);
    check_who(in, &h->ops[ids[1]], b, sizeof b);
    snprintf(out->summary, sizeof out->summary, "%s confirmed to %u users: %s at %s and %s at %s", first->key,
             n, a, story_t(h->ops[ids[0]].complete_ns).s, b, story_t(h->ops[ids[1]].complete_ns).s);
    if (seats > 1) story_appendf(out->summary, sizeof out->summary, " (and %u more seats)", seats - 1);
    story st;
    story_init(&st, in->s);
    for (uint32_t k = 0; k < told; k++) {
        tell_booking(&st, in, ids[k]);
        check_evidence(out, "double booking", ids[k]);
    }
    story_conclude(&st, "so %s was sold %u times", first->key, n);
    story_buf sb;
    story_buf_init(&sb);
    story_render(&st, &sb);
    out->story = story_buf_take(&sb);
    story_free(&st);
    out->verdict = CHECK_VIOLATION;
}

static void check_run_double_booking(const check_input *in, check_result *out) {
    SIM_ASSERT(in != NULL);
    SIM_ASSERT(in->h != NULL);
    check_result_start(out, "double-booking");
    const hist *h = in->h;
    uint32_t confirmed = 0, doubled = 0, ids[2];
    const hist_op *first = NULL;
    for (uint32_t i = 0; i < h->op_count; i++) {
        const hist_op *op = &h->ops[i];
        if (op->f != HIST_F_BOOK || op->result != HIST_OK) continue;
        confirmed++;
        uint32_t n = same_seat(h, op, ids, 2);
        if (n < 2 || ids[0] != i) continue;          /* count each seat once, at its first */
        doubled++;
        if (first == NULL) first = op;
    }
    if (first != NULL) { db_report(in, first, doubled, out); return; }
    snprintf(out->summary, sizeof out->summary, "every seat confirmed to at most one user (%u bookings "
             "confirmed)", confirmed);
    check_append_figures(in, out);
}

/* The check's entry in the registry (sim/check/check.c). */
const check_desc check_double_booking = {
    .name = "double-booking",
    .summary = "a seat confirmed to more than one user",
    .run = check_run_double_booking,
    .workloads = { "seat-booking" },
};
