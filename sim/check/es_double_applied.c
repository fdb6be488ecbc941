/* es_double_applied.c -- `double-applied`: the projector applied each event
 * of the store's log to its read model at most once (event sourcing,
 * docs/protocols/event-sourcing.md).
 *
 * Evidence: the projector's PROJECT effects (aux = the event's position),
 * its CHECKPOINT and RESUME effects.  An event applied again after a
 * restart (the checkpoint behind what the read model held) counts twice in
 * the read model, since its apply is not idempotent.
 * VIOLATION when a position is applied twice; the number is how far the
 * read model's balance is off (the amounts applied again, per account).
 * Invariant: effects are in true-time order; positions run 1 ..
 * ES_LOG_MAX.  Trade-off: a fixed table of ES_LOG_MAX counters.
 */
#include "sim/check/check_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/eventstore/eventstore.h"

typedef struct da_scan {
    uint8_t applied[ES_LOG_MAX + 1];
    uint32_t first_apply[ES_LOG_MAX + 1];
    uint32_t events, twice;
    uint32_t first_twice;        /* the first repeated PROJECT, HIST_NONE */
    int64_t off[ES_STREAMS_MAX]; /* the amounts applied again */
    uint32_t resumes;
} da_scan;

static void scan(const hist *h, da_scan *sc) {
    memset(sc, 0, sizeof *sc);
    sc->first_twice = HIST_NONE;
    for (uint32_t k = 0; k < h->effect_count; k++) {
        const hist_effect *x = &h->effects[k];
        sc->resumes += x->kind == ES_EFF_RESUME;
        if (x->kind != ES_EFF_PROJECT || x->aux < 1 || x->aux > ES_LOG_MAX) continue;
        int s = es_stream_of(x->key);
        if (s < 0) continue;
        if (sc->applied[x->aux]++ == 0) { sc->events++; sc->first_apply[x->aux] = k; continue; }
        sc->twice++;
        sc->off[s] += x->value;
        if (sc->first_twice == HIST_NONE) sc->first_twice = k;
    }
}

/* The last effect of kind before index `before`, HIST_NONE if none. */
static uint32_t last_before(const hist *h, hist_eff_kind kind, uint32_t before) {
    uint32_t found = HIST_NONE;
    for (uint32_t k = 0; k < before; k++)
        if (h->effects[k].kind == kind) found = k;
    return found;
}

/* The store's balance of key at version v (the sum of its appends up to v). */
static int64_t store_balance(const hist *h, const char *key, int64_t v) {
    int64_t b = 0;
    for (uint32_t k = 0; k < h->effect_count; k++) {
        const hist_effect *x = &h->effects[k];
        if (x->kind == ES_EFF_APPEND && hist_effect_version(h, x) <= v && strcmp(x->key, key) == 0) b += x->value;
    }
    return b;
}

/* The first view of the account after the repeat that showed a balance the
 * store never had at that version. */
static void tell_view(const check_input *in, const hist_effect *again, story *st) {
    const hist *h = in->h;
    for (uint32_t k = 0; k < h->effect_count; k++) {
        const hist_effect *x = &h->effects[k];
        if (x->kind != ES_EFF_VIEW || x->t_ns < again->t_ns || strcmp(x->key, again->key) != 0) continue;
        int64_t truth = store_balance(h, x->key, hist_effect_version(h, x));
        if (truth == x->value) continue;
        story_add(st, x->t_ns, "%s was shown %" PRId64 " for %s at %s, where the store's balance at version %" PRId64
                  " is %" PRId64, story_node(in->s, x->client), x->value, x->key, story_t(x->t_ns).s, hist_effect_version(h, x),
                  truth);
        return;
    }
}

static void tell(const check_input *in, const da_scan *sc, check_result *out) {
    const hist *h = in->h;
    const hist_effect *again = &h->effects[sc->first_twice];
    const hist_effect *first = &h->effects[sc->first_apply[again->aux]];
    story st;
    story_init(&st, in->s);
    story_add(&st, first->t_ns, "%s applied position %" PRId64 " (%s %+" PRId64 ", version %" PRId64 ") at %s",
              story_node(in->s, first->node), first->aux, first->key, first->value, hist_effect_version(h, first),
              story_t(first->t_ns).s);
    uint32_t r = last_before(h, ES_EFF_RESUME, sc->first_twice);
    uint32_t c = last_before(h, ES_EFF_CHECKPOINT, r != HIST_NONE ? r : sc->first_twice);
    if (c != HIST_NONE)
        story_add(&st, h->effects[c].t_ns, "%s saved its checkpoint, position %" PRId64 ", at %s (its last save "
                  "before it went down)", story_node(in->s, first->node), h->effects[c].value,
                  story_t(h->effects[c].t_ns).s);
    story_add_faults(&st, story_bit(first->node), first->t_ns, again->t_ns);
    if (r != HIST_NONE)
        story_add(&st, h->effects[r].t_ns, "its read model held every event up to position %" PRId64
                  ", but it resumed from checkpoint %" PRId64, h->effects[r].aux, h->effects[r].value);
    story_add(&st, again->t_ns, "it applied position %" PRId64 " again at %s", again->aux, story_t(again->t_ns).s);
    tell_view(in, again, &st);
    int64_t off = sc->off[es_stream_of(again->key)];
    story_conclude(&st, "so %u event%s counted twice in the read model: its %s is off by %+" PRId64, sc->twice,
                   sc->twice == 1 ? "" : "s", again->key, off);
    story_buf sb;
    story_buf_init(&sb);
    story_render(&st, &sb);
    out->story = story_buf_take(&sb);
    story_free(&st);
}

static void check_run_es_double_applied(const check_input *in, check_result *out) {
    SIM_ASSERT(in != NULL && in->h != NULL);
    check_result_start(out, "double-applied");
    da_scan *sc = calloc(1, sizeof *sc);
    SIM_ASSERT(sc != NULL);
    scan(in->h, sc);
    if (sc->twice == 0) {
        snprintf(out->summary, sizeof out->summary, "%u events applied to the read model, each once; %u restart%s",
                 sc->events, sc->resumes, sc->resumes == 1 ? "" : "s");
        free(sc);
        return;
    }
    const hist_effect *again = &in->h->effects[sc->first_twice];
    out->verdict = CHECK_VIOLATION;
    snprintf(out->summary, sizeof out->summary, "%u of %u events applied twice after a restart: the read model's "
             "%s is off by %+" PRId64, sc->twice, sc->events, again->key, sc->off[es_stream_of(again->key)]);
    if (!in->no_story) tell(in, sc, out);
    free(sc);
}

/* The check's entry in the registry (sim/check/check.c). */
const check_desc check_es_double_applied = {
    .name = "double-applied",
    .summary = "the projector applied an event of the log to its read model more than once (after a restart)",
    .run = check_run_es_double_applied,
    .protocols = { "event-sourcing" },
};
