/* mutual_exclusion.c -- ME-effect: what the protected resource actually did.
 *
 * Walks the resource's applied reads and writes (EFF_READ / EFF_WRITE) key
 * by key, in apply order, and flags a write that either
 *   - carries an older epoch than a write already applied (a stale write:
 *     the one fencing exists to stop; rejected writes, EFF_REJECT, are fine),
 *   - or lands after another epoch's write that its own epoch's last read
 *     did not see (interleaved read-modify-writes: the other write is lost).
 * Invariant: per key, last_write is the most recent applied write and
 * max_epoch the highest epoch among applied writes so far.
 * Trade-off: the effects grouped by key with a counting sort over the
 * keys' ranks (keys told apart by pointer through a hash table, then
 * compared as texts once each): O(n + K log K) for K keys; memory is
 * O(applied reads and writes + epochs).  Writes with epoch 0 (no lock)
 * are never judged but can be the victim of a judged write.
 */
#include "sim/check/check_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ME_TOLD_MAX 3            /* violations that get a story */

typedef struct me_violation {
    uint32_t write;              /* effect index of the offending write */
    uint32_t victim;             /* the other epoch's write it came after */
    uint32_t read;               /* the writer's epoch's last read before it, HIST_NONE if none */
    bool stale;                  /* stale epoch (else interleaved) */
    bool direct;                 /* victim was the very last write: overwritten */
} me_violation;

typedef struct me_scan {
    const hist *h;
    const check_epochs *ep;
    uint32_t *read_idx, *read_mark, *gen;   /* per epoch position */
    me_violation told[ME_TOLD_MAX];
    uint32_t count;
    uint32_t writes, keys;
} me_scan;

/* A distinct key text (by pointer) and its rank among the keys by content. */
typedef struct key_ref {
    const char *key;
    uint32_t rank;
} key_ref;

static int key_text_cmp(const void *pa, const void *pb) {
    const key_ref *a = pa, *b = pb;
    return strncmp(a->key, b->key, SIM_NAME_MAX);
}

/* The distinct key pointers of the applied reads and writes, in order of
 * first use, found through an open-addressing table on the pointer
 * (load at most 1/2; slot + 1, 0 = empty). */
typedef struct key_set {
    key_ref *k;
    uint32_t n, cap;
    uint32_t *table;
    uint32_t table_cap;          /* a power of two */
} key_set;

static uint32_t key_hash(const char *key, uint32_t cap) {
    uint64_t v = (uint64_t)(uintptr_t)key * UINT64_C(0x9E3779B97F4A7C15);
    return (uint32_t)(v >> 32) & (cap - 1u);
}

static void key_table_grow(key_set *ks) {
    free(ks->table);
    ks->table_cap = ks->table_cap ? ks->table_cap * 2 : 16;
    ks->table = sim_xcalloc(ks->table_cap, sizeof *ks->table);
    for (uint32_t i = 0; i < ks->n; i++) {
        uint32_t at = key_hash(ks->k[i].key, ks->table_cap);
        while (ks->table[at] != 0) at = (at + 1u) & (ks->table_cap - 1u);
        ks->table[at] = i + 1u;
    }
}

static uint32_t key_slot(key_set *ks, const char *key) {
    if (2u * (ks->n + 1u) > ks->table_cap) key_table_grow(ks);
    uint32_t at = key_hash(key, ks->table_cap);
    for (; ks->table[at] != 0; at = (at + 1u) & (ks->table_cap - 1u))
        if (ks->k[ks->table[at] - 1u].key == key) return ks->table[at] - 1u;
    if (ks->n == ks->cap) {
        ks->cap = ks->cap ? ks->cap * 2 : 8;
        ks->k = sim_xrealloc(ks->k, ks->cap * sizeof *ks->k);
    }
    ks->k[ks->n] = (key_ref){ key, 0 };
    ks->table[at] = ks->n + 1u;
    return ks->n++;
}

static void me_record(me_scan *sc, me_violation v) {
    if (sc->count < ME_TOLD_MAX) sc->told[sc->count] = v;
    sc->count++;
}

/* One key's effects idx[0..n), in apply order; g is its generation stamp. */
static void me_scan_key(me_scan *sc, const uint32_t *idx, uint32_t n, uint32_t g) {
    const hist *h = sc->h;
    uint32_t last_write = HIST_NONE, max_write = HIST_NONE;
    int64_t max_epoch = 0;
    for (uint32_t k = 0; k < n; k++) {
        const hist_effect *x = &h->effects[idx[k]];
        uint32_t pos = x->epoch != 0 ? check_epochs_find(sc->ep, x->epoch) : UINT32_MAX;
        if (x->kind == HIST_EFF_READ) {
            if (pos != UINT32_MAX) {
                sc->read_idx[pos] = idx[k];
                sc->read_mark[pos] = last_write;
                sc->gen[pos] = g;
            }
            continue;
        }
        sc->writes++;
        bool has_read = pos != UINT32_MAX && sc->gen[pos] == g;
        me_violation v = { idx[k], HIST_NONE, has_read ? sc->read_idx[pos] : HIST_NONE, false, false };
        if (x->epoch != 0 && max_epoch > x->epoch) {
            v.victim = max_write;
            v.stale = true;
        } else if (has_read && last_write != HIST_NONE && last_write != sc->read_mark[pos] &&
                   h->effects[last_write].epoch != x->epoch) {
            v.victim = last_write;
        }
        if (v.victim != HIST_NONE) {
            v.direct = v.victim == last_write;
            me_record(sc, v);
        }
        last_write = idx[k];
        if (x->epoch != 0 && x->epoch >= max_epoch) { max_epoch = x->epoch; max_write = idx[k]; }
    }
}

static bool me_applied(const hist_effect *x) {
    return x->kind == HIST_EFF_READ || x->kind == HIST_EFF_WRITE;
}

/* Ranks ks's keys by content: equal texts (two pointers to one text in a
 * history not built by hist_add_effect) share a rank; returns how many. */
static uint32_t rank_keys(key_set *ks, uint32_t *rank_of_slot) {
    key_ref *by_text = sim_xmalloc((ks->n + 1u) * sizeof *by_text);
    for (uint32_t i = 0; i < ks->n; i++) by_text[i] = (key_ref){ ks->k[i].key, i };
    qsort(by_text, ks->n, sizeof *by_text, key_text_cmp);
    uint32_t ranks = 0;
    for (uint32_t i = 0; i < ks->n; i++) {
        if (i > 0 && key_text_cmp(&by_text[i - 1], &by_text[i]) != 0) ranks++;
        rank_of_slot[by_text[i].rank] = ranks;
    }
    free(by_text);
    return ks->n ? ranks + 1 : 0;
}

/* The applied reads and writes grouped by key (keys in text order), each
 * key's in apply order: a counting sort by key rank over effects already
 * in index order, the order a sort by (key text, index) gives. */
static void me_scan_all(me_scan *sc) {
    const hist *h = sc->h;
    uint32_t n = 0;
    for (uint32_t i = 0; i < h->effect_count; i++) n += me_applied(&h->effects[i]);
    uint32_t *at = sim_xmalloc((n + 1u) * sizeof *at);          /* their effect indices */
    uint32_t *slot_of = sim_xmalloc((n + 1u) * sizeof *slot_of);   /* their keys' slots */
    key_set ks = { NULL, 0, 0, NULL, 0 };
    const char *last_key = NULL;            /* runs of one key skip the table */
    uint32_t last_slot = UINT32_MAX, k = 0;
    for (uint32_t i = 0; i < h->effect_count; i++) {
        const hist_effect *x = &h->effects[i];
        if (!me_applied(x)) continue;
        if (k == 0 || x->key != last_key) { last_key = x->key; last_slot = key_slot(&ks, x->key); }
        at[k] = i;
        slot_of[k++] = last_slot;
    }
    uint32_t *rank = sim_xmalloc((ks.n + 1u) * sizeof *rank);
    uint32_t ranks = rank_keys(&ks, rank);
    uint32_t *start = sim_xcalloc(ranks + 2u, sizeof *start);
    for (k = 0; k < n; k++) start[rank[slot_of[k]] + 2]++;
    for (uint32_t r = 0; r < ranks; r++) start[r + 2] += start[r + 1];
    uint32_t *idx = sim_xmalloc((n + 1u) * sizeof *idx);
    for (k = 0; k < n; k++) idx[start[rank[slot_of[k]] + 1]++] = at[k];   /* start[r + 1]: key r's next */
    for (uint32_t r = 0; r < ranks; r++) {
        sc->keys++;
        me_scan_key(sc, idx + start[r], start[r + 1] - start[r], sc->keys);
    }
    free(idx);
    free(start);
    free(rank);
    free(slot_of);
    free(at);
    free(ks.k);
    free(ks.table);
}

/* One line: the summary of a violation. */
static void me_line(const check_input *in, const me_violation *v, char *buf, size_t len) {
    const hist_effect *w = &in->h->effects[v->write], *o = &in->h->effects[v->victim];
    const scn *s = in->s;
    if (v->stale) {
        snprintf(buf, len, "stale write: %s (epoch %lld) at %s after %s (epoch %lld) at %s",
                 story_node(s, w->client), (long long)w->epoch, story_t(w->t_ns).s,
                 story_node(s, o->client), (long long)o->epoch, story_t(o->t_ns).s);
        return;
    }
    const hist_effect *r = &in->h->effects[v->read];
    snprintf(buf, len, "interleaved read-modify-write: %s (epoch %lld) read at %s, %s (epoch %lld) "
             "wrote at %s, %s wrote at %s", story_node(s, w->client), (long long)w->epoch,
             story_t(r->t_ns).s, story_node(s, o->client), (long long)o->epoch,
             story_t(o->t_ns).s, story_node(s, w->client), story_t(w->t_ns).s);
}

/* The other epoch's last read of the key before its write `victim`. */
static uint32_t read_before(const hist *h, uint32_t victim, sim_time from_ns) {
    const hist_effect *o = &h->effects[victim];
    for (uint32_t i = victim; i-- > 0;) {
        const hist_effect *x = &h->effects[i];
        if (x->t_ns < from_ns) break;
        if (x->kind == HIST_EFF_READ && x->epoch == o->epoch && x->client == o->client &&
            strncmp(x->key, o->key, SIM_NAME_MAX) == 0) return i;
    }
    return HIST_NONE;
}

static void tell_read(story *st, const hist_effect *r) {
    story_add(st, r->t_ns, "%s read %lld at %s", story_node(st->s, r->client), (long long)r->value,
              story_t(r->t_ns).s);
}

/* The offending write, told last: "c1 wrote 1 at 15.005 s (epoch 1), overwriting ...". */
static void tell_write(story *st, const hist *h, const me_violation *v) {
    const hist_effect *w = &h->effects[v->write], *o = &h->effects[v->victim];
    const hist_op *op = check_effect_op(h, w);
    const char *who = story_node(st->s, w->client), *other = story_node(st->s, o->client);
    const char *how = v->direct ? "overwriting" : "after";
    if (op != NULL && op->invoke_ns < o->t_ns) {
        story_str note = story_clock_note(st->s, op->node, op->invoke_ns, hist_op_local_ns(h, op));
        story_add(st, w->t_ns, "%s's write of %lld, sent at %s%s, reached %s at %s (epoch %lld), "
                  "%s %s's write of %s", who, (long long)w->value, story_t(op->invoke_ns).s, note.s,
                  story_node(st->s, w->node), story_t(w->t_ns).s, (long long)w->epoch, how, other,
                  story_t(o->t_ns).s);
        return;
    }
    story_str note = op ? story_clock_note(st->s, op->node, op->invoke_ns, hist_op_local_ns(h, op))
                        : (story_str){ "" };
    story_add(st, w->t_ns, "%s wrote %lld at %s%s (epoch %lld), %s %s's write of %s", who,
              (long long)w->value, story_t(w->t_ns).s, note.s, (long long)w->epoch, how, other,
              story_t(o->t_ns).s);
}

static void me_story(const check_input *in, const check_epochs *ep, const me_violation *v,
                     story_buf *out) {
    const hist *h = in->h;
    const hist_effect *w = &h->effects[v->write], *o = &h->effects[v->victim];
    story st;
    story_init(&st, in->s);
    uint32_t pa = check_epochs_find(ep, w->epoch), pb = o->epoch ? check_epochs_find(ep, o->epoch) : UINT32_MAX;
    const check_epoch *a = pa != UINT32_MAX ? &ep->items[pa] : NULL;
    const check_epoch *b = pb != UINT32_MAX ? &ep->items[pb] : NULL;
    uint64_t mask = story_bit(w->client) | story_bit(o->client) | story_bit(w->node);
    sim_time from = o->t_ns;
    check_story_epochs(&st, h, a, b, &mask, &from);
    if (v->read != HIST_NONE) {
        tell_read(&st, &h->effects[v->read]);
        if (h->effects[v->read].t_ns < from) from = h->effects[v->read].t_ns;
    }
    uint32_t orr = read_before(h, v->victim, from);
    if (orr != HIST_NONE) tell_read(&st, &h->effects[orr]);
    story_add(&st, o->t_ns, "%s wrote %lld at %s (epoch %lld)", story_node(in->s, o->client),
              (long long)o->value, story_t(o->t_ns).s, (long long)o->epoch);
    story_add_faults(&st, mask, from, w->t_ns);
    tell_write(&st, h, v);
    if (v->stale) {
        story_conclude(&st, "so %s applied a write from epoch %lld after one from the newer epoch %lld",
                       story_node(in->s, w->node), (long long)w->epoch, (long long)o->epoch);
    } else {
        story_conclude(&st, "so %s's write was computed from a read taken before %s's write, "
                       "which it overwrote", story_node(in->s, w->client), story_node(in->s, o->client));
    }
    story_render(&st, out);
    story_free(&st);
}

static void me_report(const check_input *in, const me_scan *sc, check_result *out) {
    char line[CHECK_SUMMARY_MAX];
    me_line(in, &sc->told[0], line, sizeof line);
    story_appendf(out->summary, sizeof out->summary, "%s", line);
    if (sc->count > 1) story_appendf(out->summary, sizeof out->summary, " (and %" PRIu32 " more)", sc->count - 1);
    story_buf b;
    story_buf_init(&b);
    uint32_t told = sc->count < ME_TOLD_MAX ? sc->count : ME_TOLD_MAX;
    for (uint32_t i = 0; i < told && !in->no_story; i++) {
        if (sc->count > 1) {
            me_line(in, &sc->told[i], line, sizeof line);
            story_buf_printf(&b, "%sviolation %" PRIu32 " of %" PRIu32 ": %s\n", i ? "\n" : "",
                             i + 1, sc->count, line);
        }
        me_story(in, sc->ep, &sc->told[i], &b);
    }
    if (sc->count > told) story_buf_printf(&b, "\n(%" PRIu32 " more not told)\n", sc->count - told);
    out->story = in->no_story ? NULL : story_buf_take(&b);
    story_buf_free(&b);
    out->verdict = CHECK_VIOLATION;
    const hist_effect *w = &in->h->effects[sc->told[0].write], *o = &in->h->effects[sc->told[0].victim];
    snprintf(out->evidence_label, sizeof out->evidence_label, "%s",
             sc->told[0].stale ? "stale write" : "interleaved write");   /* for the timeline */
    if (w->op != HIST_NONE) out->evidence_ops[out->evidence_count++] = w->op;
    if (o->op != HIST_NONE) out->evidence_ops[out->evidence_count++] = o->op;
}

static void check_run_mutual_exclusion(const check_input *in, check_result *out) {
    SIM_ASSERT(in != NULL);
    SIM_ASSERT(in->h != NULL);
    check_result_start(out, "mutual-exclusion");
    check_epochs own;
    const check_epochs *ep = check_epochs_of(in, &own);
    me_scan sc;
    memset(&sc, 0, sizeof sc);
    sc.h = in->h;
    sc.ep = ep;
    sc.read_idx = sim_xcalloc(ep->count, sizeof *sc.read_idx);
    sc.read_mark = sim_xcalloc(ep->count, sizeof *sc.read_mark);
    sc.gen = sim_xcalloc(ep->count, sizeof *sc.gen);
    me_scan_all(&sc);
    if (sc.count > 0) {
        me_report(in, &sc, out);
    } else {
        snprintf(out->summary, sizeof out->summary,
                 "no stale or interleaved writes: %" PRIu32 " applied writes, %" PRIu32 " epochs",
                 sc.writes, ep->count);
    }
    free(sc.read_idx);
    free(sc.read_mark);
    free(sc.gen);
    check_epochs_free(&own);
}

/* The check's entry in the registry (sim/check/check.c). */
const check_desc check_mutual_exclusion = {
    .name = "mutual-exclusion",
    .summary = "the resource applied a stale-epoch write after a newer epoch's, or two "
        "epochs' read-modify-writes interleaved",
    .run = check_run_mutual_exclusion,
    .workloads = { "lock-counter" },
};
