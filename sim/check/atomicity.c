/* atomicity.c -- 2PC atomicity (PROTOCOLS.md 6.1 and 12.6): for every
 * transaction in the history,
 *   TCConsistent: no participant committed while another aborted; and
 *   commit only if all voted yes: a participant committed only after every
 *   participant of the txn (TXN_BEGIN's mask, and whoever voted or decided)
 *   had voted YES.
 * Evidence: the TXN_* effects (hist.h), grouped by their key ("tm:1").  A
 * participant's outcome carries how it was reached (aux = TPC_HOW_*), which
 * the story tells: a heuristic commit is the negative control of T3c.
 * Invariant: groups are formed from a copy of the TXN effect indices sorted
 * by (key, index), so each group lists its effects in true-time order.
 * Trade-off: O(E log E) in the number of TXN effects; stories for the first
 * three violating transactions, the others counted.
 */
#include "sim/check/check_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/txn/txn_api.h"

#define AT_TOLD_MAX 3

/* aux of TXN_COMMIT / TXN_ABORT (protocols/twopc/twopc.h TPC_HOW_*). */
enum { HOW_DECISION = 0, HOW_HEURISTIC = 1, HOW_PEER = 2, HOW_PRESUMED = 3, HOW_UNILATERAL = 4,
       HOW_LOCK_TIMEOUT = 5 };

typedef struct at_txn {
    uint32_t first, count;        /* a run of the sorted index array */
    uint64_t parts, yes, committed, aborted;
    sim_time first_commit_ns;
    int32_t first_commit_node;
} at_txn;

typedef struct at_scan {
    const hist *h;
    uint32_t *idx;                /* TXN effect indices sorted by (key, index) */
    uint32_t n;
    uint32_t txns, commits, aborts, undecided;
    uint32_t bad[AT_TOLD_MAX];    /* first index (into idx) of each violating group */
    uint32_t bad_count;
} at_scan;

typedef struct at_ref { const char *key; uint32_t index; } at_ref;

static int by_key_then_index(const void *a, const void *b) {
    const at_ref *x = a, *y = b;
    int c = strncmp(x->key, y->key, SIM_NAME_MAX);
    if (c != 0) return c;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* The TXN effects' indices, sorted by (key, index): one run per txn. */
static uint32_t *sorted_txn_effects(const hist *h, uint32_t *n_out) {
    at_ref *refs = sim_xmalloc((h->effect_count + 1u) * sizeof *refs);
    uint32_t n = 0;
    for (uint32_t i = 0; i < h->effect_count; i++)
        if (txn_is_effect(h->effects[i].kind)) refs[n++] = (at_ref){ h->effects[i].key, i };
    qsort(refs, n, sizeof *refs, by_key_then_index);
    uint32_t *idx = sim_xmalloc((n + 1u) * sizeof *idx);
    for (uint32_t i = 0; i < n; i++) idx[i] = refs[i].index;
    free(refs);
    *n_out = n;
    return idx;
}

static uint64_t bit(int32_t n) { return n >= 0 && n < SIM_MASK_NODES ? (uint64_t)1 << n : 0; }

static void group_of(const at_scan *sc, uint32_t first, at_txn *t) {
    const hist *h = sc->h;
    memset(t, 0, sizeof *t);
    t->first = first;
    t->first_commit_node = -1;
    t->first_commit_ns = SIM_TIME_NEVER;
    const char *key = h->effects[sc->idx[first]].key;
    for (uint32_t i = first; i < sc->n && strncmp(h->effects[sc->idx[i]].key, key, SIM_NAME_MAX) == 0; i++) {
        const hist_effect *x = &h->effects[sc->idx[i]];
        t->count++;
        switch (x->kind) {
        case HIST_EFF_TXN_BEGIN: t->parts |= (uint64_t)x->value; break;
        case HIST_EFF_TXN_VOTE: t->parts |= bit(x->node); if (x->value == 1) t->yes |= bit(x->node); break;
        case HIST_EFF_TXN_COMMIT:
            t->parts |= bit(x->node);
            t->committed |= bit(x->node);
            if (t->first_commit_node < 0) { t->first_commit_node = x->node; t->first_commit_ns = x->t_ns; }
            break;
        case HIST_EFF_TXN_ABORT: t->parts |= bit(x->node); t->aborted |= bit(x->node); break;
        default: break;
        }
    }
}

/* Did every participant vote YES by the time of the first commit? */
static bool all_yes_before_commit(const at_scan *sc, const at_txn *t) {
    uint64_t yes = 0;
    for (uint32_t i = t->first; i < t->first + t->count; i++) {
        const hist_effect *x = &sc->h->effects[sc->idx[i]];
        if (x->t_ns > t->first_commit_ns) break;
        if (x->kind == HIST_EFF_TXN_VOTE && x->value == 1) yes |= bit(x->node);
    }
    return (t->parts & ~yes) == 0;
}

static bool txn_violates(const at_scan *sc, const at_txn *t) {
    if (t->committed == 0) return false;
    return t->aborted != 0 || !all_yes_before_commit(sc, t);
}

/* "p1, p2 and p3" */
static void names_of(const scn *s, uint64_t mask, char *buf, size_t len) {
    buf[0] = '\0';
    uint32_t total = 0, k = 0;
    for (int32_t n = 0; n < SIM_MASK_NODES; n++) total += (uint32_t)((mask >> n) & 1u);
    for (int32_t n = 0; n < SIM_MASK_NODES; n++) {
        if (!((mask >> n) & 1u)) continue;
        k++;
        story_appendf(buf, len, "%s%s", k == 1 ? "" : k == total ? " and " : ", ", story_node(s, n));
    }
}

static void summary_of(const at_scan *sc, const scn *s, const at_txn *t, char *buf, size_t len) {
    const char *key = sc->h->effects[sc->idx[t->first]].key;
    char c[160], a[160];
    names_of(s, t->committed, c, sizeof c);
    names_of(s, t->aborted, a, sizeof a);
    if (t->aborted != 0) {
        snprintf(buf, len, "txn %s committed at %s but aborted at %s", key, c, a);
        return;
    }
    char missing[160];
    names_of(s, t->parts & ~t->yes, missing, sizeof missing);
    snprintf(buf, len, "txn %s committed at %s although %s had not voted yes", key, c, missing);
}

static const char *how_text(int64_t how) {
    switch (how) {
    case HOW_HEURISTIC: return " on its own (a heuristic decision)";
    case HOW_PEER: return ", as a peer told it (cooperative termination)";
    case HOW_PRESUMED: return " by the presumption (its coordinator had no record)";
    case HOW_UNILATERAL: return " before voting";
    case HOW_LOCK_TIMEOUT: return " after a lock timeout";
    default: return " on the coordinator's decision";
    }
}

static void tell_effect(story *st, const hist_effect *x, const char *key) {
    const char *who = story_node(st->s, x->node);
    const char *at = story_t(x->t_ns).s;
    char parts[200];
    switch (x->kind) {
    case HIST_EFF_TXN_BEGIN:
        names_of(st->s, (uint64_t)x->value, parts, sizeof parts);
        story_add(st, x->t_ns, "%s began txn %s at %s with %s", who, key, at, parts);
        break;
    case HIST_EFF_TXN_VOTE:
        story_add(st, x->t_ns, "%s voted %s on %s at %s%s", who, x->value == 1 ? "yes" : "no", key, at,
                  x->value == 1 ? " (prepared: logged, row lock held)" : "");
        break;
    case HIST_EFF_TXN_DECIDE:
        story_add(st, x->t_ns, "%s decided %s for %s at %s%s", who, x->value == 1 ? "COMMIT" : "ABORT", key,
                  at, x->aux == 1 ? " (at its recovery)" : "");
        break;
    case HIST_EFF_TXN_COMMIT:
    case HIST_EFF_TXN_ABORT:
        story_add(st, x->t_ns, "%s %s %s at %s%s", who, x->kind == HIST_EFF_TXN_COMMIT ? "committed" :
                  "aborted", key, at, how_text(x->aux));
        break;
    default: break;
    }
}

static void at_story(const at_scan *sc, const check_input *in, const at_txn *t, story_buf *out) {
    const hist *h = sc->h;
    const char *key = h->effects[sc->idx[t->first]].key;
    story st;
    story_init(&st, in->s);
    uint64_t mask = t->parts;
    sim_time from = h->effects[sc->idx[t->first]].t_ns, to = from;
    for (uint32_t i = t->first; i < t->first + t->count; i++) {
        const hist_effect *x = &h->effects[sc->idx[i]];
        tell_effect(&st, x, key);
        mask |= bit(x->node) | bit(x->client);
        if (x->t_ns > to) to = x->t_ns;
    }
    story_add_faults(&st, mask, from, to);
    char line[CHECK_SUMMARY_MAX];
    summary_of(sc, in->s, t, line, sizeof line);
    story_conclude(&st, "so %s: not atomic", line);
    story_render(&st, out);
    story_free(&st);
}

static void at_scan_groups(at_scan *sc) {
    for (uint32_t i = 0; i < sc->n;) {
        at_txn t;
        group_of(sc, i, &t);
        sc->txns++;
        if (t.committed) sc->commits++;
        else if (t.aborted) sc->aborts++;
        else sc->undecided++;
        if (txn_violates(sc, &t)) {
            if (sc->bad_count < AT_TOLD_MAX) sc->bad[sc->bad_count] = i;
            sc->bad_count++;
        }
        i += t.count;
    }
}

static void at_report(const at_scan *sc, const check_input *in, check_result *out) {
    at_txn t;
    group_of(sc, sc->bad[0], &t);
    summary_of(sc, in->s, &t, out->summary, sizeof out->summary);
    if (sc->bad_count > 1)
        story_appendf(out->summary, sizeof out->summary, " (and %" PRIu32 " more)", sc->bad_count - 1);
    story_buf b;
    story_buf_init(&b);
    uint32_t told = sc->bad_count < AT_TOLD_MAX ? sc->bad_count : AT_TOLD_MAX;
    for (uint32_t k = 0; k < told; k++) {
        group_of(sc, sc->bad[k], &t);
        if (sc->bad_count > 1) {
            char line[CHECK_SUMMARY_MAX];
            summary_of(sc, in->s, &t, line, sizeof line);
            story_buf_printf(&b, "%sviolation %" PRIu32 " of %" PRIu32 ": %s\n", k ? "\n" : "", k + 1,
                             sc->bad_count, line);
        }
        at_story(sc, in, &t, &b);
    }
    if (sc->bad_count > told) story_buf_printf(&b, "\n(%" PRIu32 " more not told)\n", sc->bad_count - told);
    out->story = story_buf_take(&b);
    out->verdict = CHECK_VIOLATION;
}

static void check_run_atomicity(const check_input *in, check_result *out) {
    SIM_ASSERT(in != NULL);
    SIM_ASSERT(in->h != NULL);
    check_result_start(out, "atomicity");
    at_scan sc;
    memset(&sc, 0, sizeof sc);
    sc.h = in->h;
    sc.idx = sorted_txn_effects(in->h, &sc.n);
    at_scan_groups(&sc);
    if (sc.bad_count > 0) at_report(&sc, in, out);
    else
        snprintf(out->summary, sizeof out->summary,
                 "%" PRIu32 " transaction%s: %" PRIu32 " committed, %" PRIu32 " aborted, %" PRIu32
                 " undecided; every one atomic", sc.txns, sc.txns == 1 ? "" : "s", sc.commits, sc.aborts,
                 sc.undecided);
    free(sc.idx);
}

/* The check's entry in the registry (sim/check/check.c). */
const check_desc check_atomicity = {
    .name = "atomicity",
    .summary = "2PC: a participant committed while another aborted, or committed before every "
        "participant voted yes",
    .run = check_run_atomicity,
    .protocols = { "2pc" },
};
