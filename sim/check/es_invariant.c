/* es_invariant.c -- `aggregate-invariant`: no account's balance, folded
 * from its stream in version order, ever goes below zero (the rule each
 * withdrawal decided on: balance >= amount) (event sourcing,
 * docs/protocols/event-sourcing.md).
 *
 * Evidence: the store's APPEND effects (the opening deposit is version 1)
 * and its STREAM_READ effects (the version a command's replay ended at).
 * VIOLATION when a balance goes below zero; the story names the append
 * that did it, the version its command had loaded, and the appends it did
 * not see.  An ok summary says how many appends the store refused for a
 * wrong expected version.
 * Invariant: effects are scanned in true-time order, which per stream is
 * version order (the store is one node).  Trade-off: one pass, keyed by
 * stream number ("account2" = 1), at most ES_STREAMS_MAX streams.
 */
#include "sim/check/check_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "protocols/eventstore/eventstore.h"

typedef struct ei_scan {
    int64_t balance[ES_STREAMS_MAX];
    int64_t lowest;
    int lowest_stream;
    uint32_t negative;           /* appends that left a balance below zero */
    uint32_t first_neg;          /* the first such APPEND effect, HIST_NONE */
    uint32_t appends, refused;
    uint32_t evidence[CHECK_EVIDENCE_MAX];
} ei_scan;

static ei_scan scan(const hist *h) {
    ei_scan sc;
    memset(&sc, 0, sizeof sc);
    sc.first_neg = HIST_NONE;
    sc.lowest_stream = -1;
    for (uint32_t k = 0; k < h->effect_count; k++) {
        const hist_effect *x = &h->effects[k];
        int s = es_stream_of(x->key);
        if (s < 0) continue;
        if (x->kind == ES_EFF_WRONG_VERSION) sc.refused++;
        if (x->kind != ES_EFF_APPEND) continue;
        sc.appends += x->op != HIST_NONE;
        sc.balance[s] += x->value;
        if (sc.lowest_stream < 0 || sc.balance[s] < sc.lowest) { sc.lowest = sc.balance[s]; sc.lowest_stream = s; }
        if (sc.balance[s] >= 0) continue;
        if (sc.negative < CHECK_EVIDENCE_MAX && x->op != HIST_NONE) sc.evidence[sc.negative] = x->op;
        if (sc.first_neg == HIST_NONE) sc.first_neg = k;
        sc.negative++;
    }
    return sc;
}

/* The last replay of op before effect index `before`, HIST_NONE if none. */
static uint32_t replay_of(const hist *h, uint32_t op, uint32_t before) {
    uint32_t found = HIST_NONE;
    for (uint32_t k = 0; k < before; k++)
        if (h->effects[k].kind == ES_EFF_STREAM_READ && h->effects[k].op == op) found = k;
    return found;
}

static void tell(const check_input *in, const ei_scan *sc, check_result *out) {
    const hist *h = in->h;
    const hist_effect *x = &h->effects[sc->first_neg];
    story st;
    story_init(&st, in->s);
    uint32_t r = replay_of(h, x->op, sc->first_neg);
    int64_t seen = r != HIST_NONE ? hist_effect_version(h, &h->effects[r]) : 0;
    uint64_t mask = story_bit(x->client);
    if (r != HIST_NONE)
        story_add(&st, h->effects[r].t_ns, "%s loaded %s at %s by replaying it: version %" PRId64 ", balance %" PRId64,
                  story_node(in->s, x->client), x->key, story_t(h->effects[r].t_ns).s, seen, h->effects[r].value);
    int64_t bal = 0;
    for (uint32_t k = 0; k <= sc->first_neg; k++) {
        const hist_effect *y = &h->effects[k];
        if (y->kind != ES_EFF_APPEND || strcmp(y->key, x->key) != 0) continue;
        bal += y->value;
        if (hist_effect_version(h, y) <= seen || k == sc->first_neg) continue;
        mask |= story_bit(y->client);
        story_add(&st, y->t_ns, "%s appended %+" PRId64 " to %s as version %" PRId64 " at %s (balance %" PRId64 ")",
                  story_node(in->s, y->client), y->value, y->key, hist_effect_version(h, y), story_t(y->t_ns).s, bal);
    }
    story_add(&st, x->t_ns, "%s appended %+" PRId64 " to %s as version %" PRId64 " at %s, %s; the store accepted it",
              story_node(in->s, x->client), x->value, x->key, hist_effect_version(h, x), story_t(x->t_ns).s,
              x->pred == 0 ? "with no expected version" : "with an expected version");
    story_add_faults(&st, mask, r != HIST_NONE ? h->effects[r].t_ns : 0, x->t_ns);
    story_conclude(&st, "so %s went to %" PRId64 ": the withdrawal was decided on version %" PRId64
                   " and appended after version %" PRId64, x->key, bal, seen, hist_effect_version(h, x) - 1);
    story_buf sb;
    story_buf_init(&sb);
    story_render(&st, &sb);
    out->story = story_buf_take(&sb);
    story_free(&st);
}

static void check_run_es_invariant(const check_input *in, check_result *out) {
    SIM_ASSERT(in != NULL && in->h != NULL);
    check_result_start(out, "aggregate-invariant");
    ei_scan sc = scan(in->h);
    char acct[SIM_NAME_MAX] = "no account";
    if (sc.lowest_stream >= 0) es_stream_key((uint32_t)sc.lowest_stream, acct, sizeof acct);
    if (sc.negative == 0) {
        snprintf(out->summary, sizeof out->summary, "%u append%s, no balance below 0 (lowest %" PRId64 " on %s); "
                 "%u refused for a wrong expected version", sc.appends, sc.appends == 1 ? "" : "s", sc.lowest, acct, sc.refused);
        return;
    }
    const hist_effect *x = &in->h->effects[sc.first_neg];
    out->verdict = CHECK_VIOLATION;
    snprintf(out->summary, sizeof out->summary, "%s went to %" PRId64 ": %u append%s left a balance below 0, "
             "the first %s's %+" PRId64 " to %s as version %" PRId64 "%s", acct, sc.lowest, sc.negative,
             sc.negative == 1 ? "" : "s", story_node(in->s, x->client), x->value, x->key, hist_effect_version(in->h, x),
             x->pred == 0 ? " with no expected version" : "");
    out->evidence_count = sc.negative < CHECK_EVIDENCE_MAX ? sc.negative : CHECK_EVIDENCE_MAX;
    memcpy(out->evidence_ops, sc.evidence, sizeof sc.evidence);
    snprintf(out->evidence_label, sizeof out->evidence_label, "overdraw");
    if (!in->no_story) tell(in, &sc, out);
}

/* The check's entry in the registry (sim/check/check.c). */
const check_desc check_es_invariant = {
    .name = "aggregate-invariant",
    .summary = "an aggregate's rule held on its stream: no account balance below zero",
    .run = check_run_es_invariant,
    .protocols = { "event-sourcing" },
};
