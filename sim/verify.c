/* verify.c -- the determinism self-check (verify.h).
 * Invariant: the two runs share nothing but the scenario, which they only
 * read; each has its own sim, trail and history, so any difference comes
 * from state outside the sim (a global, the wall clock, an address). */
#include "sim/verify.h"

#include <inttypes.h>
#include <string.h>

static bool same_event(const sim_event *a, const sim_event *b) {
    return a->t_ns == b->t_ns && a->node == b->node && a->from == b->from && a->kind == b->kind &&
           a->what == b->what;
}

void sim_trail_compare(const sim_trail *a, uint64_t hash_a, const sim_trail *b, uint64_t hash_b,
                       sim_divergence *out) {
    SIM_ASSERT(a != NULL);
    SIM_ASSERT(b != NULL);
    SIM_ASSERT(out != NULL);
    memset(out, 0, sizeof *out);
    out->events = a->count;
    out->hash = hash_a;
    out->second_events = b->count;
    out->second_hash = hash_b;
    uint64_t n = a->count < b->count ? a->count : b->count, i = 0;
    while (i < n && same_event(&a->events[i], &b->events[i])) i++;
    if (i == a->count && i == b->count) {
        SIM_ASSERT(hash_a == hash_b);          /* the hash is a function of the trail */
        return;
    }
    out->diverged = true;
    out->index = i;
    out->has_first = i < a->count;
    out->has_second = i < b->count;
    if (out->has_first) out->first = a->events[i];
    if (out->has_second) out->second = b->events[i];
}

/* Runs once, recording into trail; 0 or -1 with err. */
static int run_once(const scn *sc, const sim_options *opt, sim_create_fn create, sim_trail *trail,
                    uint64_t *hash, char *err, size_t err_len) {
    sim_options o = *opt;
    o.trace = NULL;
    o.on_message = NULL;
    o.on_message_ctx = NULL;
    o.trail = trail;
    sim *run = NULL;
    if (create(sc, &o, &run, err, err_len) != 0) return -1;
    int rc = sim_run(run, err, err_len);
    *hash = sim_get_stats(run).event_hash;
    sim_destroy(run);
    return rc;
}

int sim_verify_twice(const scn *sc, const sim_options *opt, sim_create_fn create,
                     sim_divergence *out, char *err, size_t err_len) {
    SIM_ASSERT(sc != NULL);
    SIM_ASSERT(opt != NULL);
    SIM_ASSERT(out != NULL);
    if (create == NULL) create = sim_create;
    sim_trail a = { 0 }, b = { 0 };
    uint64_t ha = 0, hb = 0;
    int rc = run_once(sc, opt, create, &a, &ha, err, err_len);
    if (rc == 0) {
        char err2[SIM_ERR_MAX];       /* the second run may fail where the first did not */
        run_once(sc, opt, create, &b, &hb, err2, sizeof err2);
        sim_trail_compare(&a, ha, &b, hb, out);
    }
    sim_trail_free(&a);
    sim_trail_free(&b);
    return rc;
}

static void event_words(const sim_event *ev, const scn *sc, char *buf, size_t len) {
    char t[32];
    sim_fmt_time(t, sizeof t, ev->t_ns);
    const char *node = ev->node >= 0 && (uint32_t)ev->node < sc->node_count ? sc->nodes[ev->node].name : "-";
    const char *kind = sim_event_kind_name(ev->kind);
    switch (ev->kind) {
    case SIM_EV_MESSAGE: {
        const char *from = ev->from >= 0 && (uint32_t)ev->from < sc->node_count ? sc->nodes[ev->from].name : "-";
        snprintf(buf, len, "%s on %s: message type %u from %s", t, node, ev->what, from);
        break;
    }
    case SIM_EV_TIMER: snprintf(buf, len, "%s on %s: timer tag %u", t, node, ev->what); break;
    case SIM_EV_FAULT: snprintf(buf, len, "%s on %s: fault faults[%u]", t, node, ev->what); break;
    default: snprintf(buf, len, "%s on %s: %s", t, node, kind); break;
    }
}

void sim_divergence_line(const sim_divergence *d, const scn *sc, char *buf, size_t len) {
    SIM_ASSERT(d != NULL);
    SIM_ASSERT(sc != NULL);
    SIM_ASSERT(buf != NULL);
    SIM_ASSERT(len > 0);
    if (!d->diverged) {
        snprintf(buf, len, "determinism  ok (%" PRIu64 " events, hash %016" PRIx64 ")", d->events, d->hash);
        return;
    }
    char a[160] = "the run had ended", b[160] = "the run had ended";
    if (d->has_first) event_words(&d->first, sc, a, sizeof a);
    if (d->has_second) event_words(&d->second, sc, b, sizeof b);
    snprintf(buf, len, "determinism  DIVERGED at event #%" PRIu64 ": first run %s; second run %s "
             "(%" PRIu64 " vs %" PRIu64 " events)", d->index, a, b, d->events, d->second_events);
}
