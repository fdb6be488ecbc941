/* epoch.c -- a history indexed by lock epoch, and the story of a handover.
 *
 * Invariant: check_epochs items are sorted by epoch and distinct; each is
 * built from every op and effect that carries it, ops first then effects,
 * each in index order, so the result depends only on the history.
 * Trade-off: when the epochs span about their count (a lock's counter),
 * O(ops + effects + span) with a place-by-number table that the find then
 * uses in O(1); else one sort of (epoch, source, index) refs, O(n log n),
 * and a binary search.  The story helpers scan effects linearly from a
 * binary-searched start, which is fine because they run only for the few
 * violations that get a story.
 */
#include "sim/check/check_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/lock/lock_api.h"
#include "protocols/redis/redis.h"

typedef struct epoch_ref {
    int64_t epoch;
    uint32_t source;             /* 0 = op, 1 = effect */
    uint32_t index;
} epoch_ref;

static int epoch_ref_cmp(const void *pa, const void *pb) {
    const epoch_ref *a = pa, *b = pb;
    if (a->epoch != b->epoch) return a->epoch < b->epoch ? -1 : 1;
    if (a->source != b->source) return a->source < b->source ? -1 : 1;
    if (a->index != b->index) return a->index < b->index ? -1 : 1;
    return 0;
}

bool check_op_is_protected(hist_f f) {
    return f == HIST_F_READ || f == HIST_F_WRITE || f == HIST_F_CAS || f == HIST_F_INCR;
}

static void epoch_take_op(check_epoch *e, const hist *h, const hist_op *op) {
    if (op->f == HIST_F_ACQUIRE && op->result == HIST_OK && e->acquire_op == HIST_NONE) {
        e->acquire_op = op->id;
        e->client = op->node;
        e->asked_ns = op->invoke_ns;
        e->acquired_ns = op->complete_ns;
        e->token = (op->has_value_out && op->value_out != 0) ? op->value_out : hist_op_token(h, op);
        return;
    }
    if (!check_op_is_protected(op->f)) return;
    if (e->client < 0) e->client = op->node;
    if (e->token == 0) e->token = hist_op_token(h, op);
    if (e->last_op == HIST_NONE || op->invoke_ns >= e->hold_end_ns) {
        e->hold_end_ns = op->invoke_ns;
        e->last_op = op->id;
    }
}

static void epoch_start(check_epoch *e, int64_t epoch) {
    memset(e, 0, sizeof *e);
    e->epoch = epoch;
    e->client = -1;
    e->acquire_op = HIST_NONE;
    e->last_op = HIST_NONE;
}

/* Adds one op or effect carrying e's epoch; *first_use: the earliest use
 * so far (protected op issued, effect applied). */
static void epoch_add_op(check_epoch *e, const hist *h, const hist_op *op, sim_time *first_use) {
    epoch_take_op(e, h, op);
    if (check_op_is_protected(op->f) && op->invoke_ns < *first_use) *first_use = op->invoke_ns;
}

static void epoch_add_effect(check_epoch *e, const hist *h, const hist_effect *ef, sim_time *first_use) {
    if (e->client < 0) e->client = ef->client;
    if (e->token == 0) e->token = hist_effect_token(h, ef);
    if (ef->t_ns < *first_use) *first_use = ef->t_ns;
}

static void epoch_finish(check_epoch *e, sim_time first_use) {
    if (e->acquire_op == HIST_NONE) {
        e->asked_ns = first_use;
        e->acquired_ns = first_use;
    }
    if (e->last_op == HIST_NONE) e->hold_end_ns = e->acquired_ns;
}

/* Fills one epoch from refs[0..n), all with the same epoch number. */
static void epoch_fill(const hist *h, const epoch_ref *refs, uint32_t n, check_epoch *e) {
    SIM_ASSERT(n > 0);
    epoch_start(e, refs[0].epoch);
    sim_time first_use = SIM_TIME_NEVER;
    for (uint32_t i = 0; i < n; i++) {
        SIM_ASSERT(refs[i].epoch == e->epoch);
        if (refs[i].source == 0) epoch_add_op(e, h, &h->ops[refs[i].index], &first_use);
        else epoch_add_effect(e, h, &h->effects[refs[i].index], &first_use);
    }
    epoch_finish(e, first_use);
}

/* Epochs far apart (a ZooKeeper zxid, a token from elsewhere): one sort of
 * (epoch, source, index) refs, then each run of one epoch filled in order. */
static void build_sorted(const hist *h, uint32_t n, check_epochs *out) {
    epoch_ref *refs = sim_xmalloc(((size_t)n + 1u) * sizeof *refs);
    uint32_t k = 0;
    for (uint32_t i = 0; i < h->op_count; i++) {
        int64_t epoch = hist_op_epoch(h, &h->ops[i]);
        if (epoch != 0) refs[k++] = (epoch_ref){ epoch, 0, i };
    }
    for (uint32_t i = 0; i < h->effect_count; i++) {
        if (h->effects[i].epoch != 0) refs[k++] = (epoch_ref){ h->effects[i].epoch, 1, i };
    }
    SIM_ASSERT(k == n);
    qsort(refs, n, sizeof *refs, epoch_ref_cmp);
    out->items = sim_xcalloc((size_t)n + 1u, sizeof *out->items);
    for (uint32_t i = 0; i < n;) {
        uint32_t j = i;
        while (j < n && refs[j].epoch == refs[i].epoch) j++;
        epoch_fill(h, refs + i, j - i, &out->items[out->count++]);
        i = j;
    }
    free(refs);
}

/* Epochs within a span not much wider than their count (a lock's counter:
 * 1, 2, 3...): out->pos maps each number to its place, so the ops (in
 * index order) then the effects (in index order) go straight to their
 * epoch, in the order build_sorted's sort gives, without a sort. */
static void build_direct(const hist *h, int64_t lo, uint32_t span, check_epochs *out) {
    uint32_t *pos = sim_xcalloc((size_t)span + 1u, sizeof *pos);
    for (uint32_t i = 0; i < h->op_count; i++) {
        int64_t epoch = hist_op_epoch(h, &h->ops[i]);
        if (epoch != 0) pos[(uint64_t)epoch - (uint64_t)lo] = 1;
    }
    for (uint32_t i = 0; i < h->effect_count; i++) {
        if (h->effects[i].epoch != 0) pos[(uint64_t)h->effects[i].epoch - (uint64_t)lo] = 1;
    }
    uint32_t count = 0;
    for (uint32_t k = 0; k < span; k++) pos[k] = pos[k] ? count++ : UINT32_MAX;
    out->items = sim_xmalloc(((size_t)count + 1u) * sizeof *out->items);
    sim_time *first_use = sim_xmalloc(((size_t)count + 1u) * sizeof *first_use);
    for (uint32_t k = 0; k < span; k++) {
        if (pos[k] == UINT32_MAX) continue;
        epoch_start(&out->items[pos[k]], (int64_t)((uint64_t)lo + k));
        first_use[pos[k]] = SIM_TIME_NEVER;
    }
    for (uint32_t i = 0; i < h->op_count; i++) {
        int64_t epoch = hist_op_epoch(h, &h->ops[i]);
        if (epoch == 0) continue;
        uint32_t p = pos[(uint64_t)epoch - (uint64_t)lo];
        epoch_add_op(&out->items[p], h, &h->ops[i], &first_use[p]);
    }
    for (uint32_t i = 0; i < h->effect_count; i++) {
        const hist_effect *ef = &h->effects[i];
        if (ef->epoch == 0) continue;
        uint32_t p = pos[(uint64_t)ef->epoch - (uint64_t)lo];
        epoch_add_effect(&out->items[p], h, ef, &first_use[p]);
    }
    for (uint32_t p = 0; p < count; p++) epoch_finish(&out->items[p], first_use[p]);
    free(first_use);
    out->count = count;
    out->pos = pos;
    out->pos_lo = lo;
    out->pos_span = span;
}

void check_epochs_build(const hist *h, check_epochs *out) {
    SIM_ASSERT(h != NULL);
    SIM_ASSERT(out != NULL);
    memset(out, 0, sizeof *out);
    uint32_t n = 0;
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (uint32_t i = 0; i < h->op_count; i++) {
        int64_t epoch = hist_op_epoch(h, &h->ops[i]);
        if (epoch == 0) continue;
        n++;
        if (epoch < lo) lo = epoch;
        if (epoch > hi) hi = epoch;
    }
    for (uint32_t i = 0; i < h->effect_count; i++) {
        int64_t epoch = h->effects[i].epoch;
        if (epoch == 0) continue;
        n++;
        if (epoch < lo) lo = epoch;
        if (epoch > hi) hi = epoch;
    }
    if (n == 0) {
        out->items = sim_xcalloc(1, sizeof *out->items);
        return;
    }
    uint64_t span = (uint64_t)hi - (uint64_t)lo + 1u;   /* 0: the whole int64 range */
    if (span == 0 || span > 4u * (uint64_t)n + 1024u || span >= UINT32_MAX) build_sorted(h, n, out);
    else build_direct(h, lo, (uint32_t)span, out);
}

void check_epochs_free(check_epochs *e) {
    SIM_ASSERT(e != NULL);
    free(e->items);
    free(e->pos);
    memset(e, 0, sizeof *e);
}

uint32_t check_epochs_find(const check_epochs *e, int64_t epoch) {
    SIM_ASSERT(e != NULL);
    if (e->pos != NULL) {
        uint64_t k = (uint64_t)epoch - (uint64_t)e->pos_lo;
        return epoch >= e->pos_lo && k < e->pos_span ? e->pos[k] : UINT32_MAX;
    }
    uint32_t lo = 0, hi = e->count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (e->items[mid].epoch < epoch) lo = mid + 1;
        else hi = mid;
    }
    if (lo < e->count && e->items[lo].epoch == epoch) return lo;
    return UINT32_MAX;
}

uint32_t check_effect_lower_bound(const hist *h, sim_time t) {
    SIM_ASSERT(h != NULL);
    uint32_t lo = 0, hi = h->effect_count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (h->effects[mid].t_ns < t) lo = mid + 1;
        else hi = mid;
    }
    SIM_ASSERT(lo <= h->effect_count);
    return lo;
}

/* Is effect x the LOCK_SET made by e's acquire? */
static bool is_epoch_set(const hist_effect *x, const check_epoch *e) {
    if (x->kind != HIST_EFF_LOCK_SET || x->client != e->client) return false;
    if (x->op != HIST_NONE) return x->op == e->acquire_op;
    return x->t_ns >= e->asked_ns && x->t_ns <= e->acquired_ns;
}

uint64_t check_epoch_lock_nodes(const hist *h, const check_epoch *e) {
    SIM_ASSERT(h != NULL);
    SIM_ASSERT(e != NULL);
    uint64_t mask = 0;
    if (e->acquire_op == HIST_NONE) return 0;
    for (uint32_t i = check_effect_lower_bound(h, e->asked_ns); i < h->effect_count; i++) {
        const hist_effect *x = &h->effects[i];
        if (x->t_ns > e->acquired_ns) break;
        if (is_epoch_set(x, e)) mask |= story_bit(x->node);
    }
    return mask;
}

/* The lease the client computed when it was granted e (HIST_EFF_LEASE at its
 * node at that instant), or NULL (a protocol without leases). */
static const hist_effect *epoch_lease(const hist *h, const check_epoch *e) {
    for (uint32_t i = check_effect_lower_bound(h, e->acquired_ns); i < h->effect_count; i++) {
        const hist_effect *x = &h->effects[i];
        if (x->t_ns > e->acquired_ns) break;
        if (x->kind == HIST_EFF_LEASE && x->node == e->client) return x;
    }
    return NULL;
}

/* ", which by its clock stayed valid for 9.792 s more (until 9.898 s)": what the client
 * believed about its lease when it took the lock. */
static void lease_note(const hist *h, const check_epoch *e, char *buf, size_t len) {
    buf[0] = '\0';
    const hist_effect *x = epoch_lease(h, e);
    if (x == NULL) return;
    if (x->value > 0) {
        snprintf(buf, len, ", which by its clock stayed valid for %s more (until %s)",
                 story_t(x->value).s, story_t(x->aux).s);
        return;
    }
    snprintf(buf, len, ", though by its clock the validity was already spent (%s, until %s): "
             "it did not check", story_dt(x->value).s, story_t(x->aux).s);
}

void check_story_acquire(story *st, const hist *h, const check_epoch *e) {
    SIM_ASSERT(st != NULL);
    SIM_ASSERT(e != NULL);
    const char *who = story_node(st->s, e->client);
    char extra[64] = "", where[STORY_CLAUSE_MAX / 2] = "", lease[256] = "";
    if (e->token != 0) snprintf(extra, sizeof extra, ", token %lld", (long long)e->token);
    uint64_t nodes = check_epoch_lock_nodes(h, e);
    size_t used = 0;
    for (int32_t n = 0; n < SIM_MASK_NODES && nodes; n++) {
        if (!(nodes & story_bit(n))) continue;
        nodes &= ~story_bit(n);
        int w = snprintf(where + used, sizeof where - used, "%s%s", used ? ", " : " on ",
                         story_node(st->s, n));
        if (w < 0 || (size_t)w >= sizeof where - used) break;
        used += (size_t)w;
    }
    if (e->acquire_op == HIST_NONE) {
        story_add(st, e->acquired_ns, "%s acted under epoch %lld from %s (no acquire recorded)",
                  who, (long long)e->epoch, story_t(e->acquired_ns).s);
        return;
    }
    lease_note(h, e, lease, sizeof lease);
    story_add(st, e->acquired_ns, "%s took the lock at %s (epoch %lld%s)%s%s", who,
              story_t(e->acquired_ns).s, (long long)e->epoch, extra, where, lease);
}

static bool same_key(const hist_effect *a, const hist_effect *b) {
    return a->node == b->node && strcmp(a->key, b->key) == 0;
}

/* Tells how the key set by `set` (for holder) went away; true if it did. */
static bool tell_removal(story *st, const hist *h, const hist_effect *x, int32_t holder) {
    const scn *s = st->s;
    const char *node = story_node(s, x->node);
    const char *whose = story_node(s, holder);
    switch (x->kind) {
    case HIST_EFF_LOCK_EXPIRE: {
        story_str note = story_clock_note(s, x->node, x->t_ns, hist_effect_local_ns(h, x));
        if (x->value < 0 && x->aux > 0) {   /* a database connection ended (lock_api.h) */
            story_add(st, x->t_ns, "%s's connection to %s ended at %s (%s), and its lock with it", whose,
                      node, story_t(x->t_ns).s, lock_conn_end_name(x->aux));
            return true;
        }
        if (x->value < 0) {          /* no TTL of its own: its session (lease) expired */
            story_add(st, x->t_ns, "%s's session expired on %s at %s%s, and its lock key with it",
                      whose, node, story_t(x->t_ns).s, note.s[0] ? note.s : " (no heartbeat in time)");
            return true;
        }
        story_add(st, x->t_ns, "the lock expired on %s at %s%s", node, story_t(x->t_ns).s,
                  note.s[0] ? note.s : " by its clock");
        return true;
    }
    case HIST_EFF_LOCK_DEL:
        if (x->client == holder) {
            story_add(st, x->t_ns, "%s released the lock on %s at %s", whose, node, story_t(x->t_ns).s);
        } else {
            story_add(st, x->t_ns, "%s deleted %s's lock key on %s at %s",
                      story_node(s, x->client), whose, node, story_t(x->t_ns).s);
        }
        return true;
    case HIST_EFF_LOCK_LOST:
        story_add(st, x->t_ns, "%s lost %s's lock key at %s (%s)", node, whose, story_t(x->t_ns).s,
                  x->aux ? "a power loss before the key was fsynced: a restart reads back the AOF without it"
                         : "a crash without persistence: nothing of it survives a restart");
        return true;
    case HIST_EFF_LOCK_SET:
        if (x->client == holder) return false;
        story_add(st, x->t_ns, "%s overwrote %s's lock key on %s at %s", story_node(s, x->client),
                  whose, node, story_t(x->t_ns).s);
        return true;
    default:
        return false;
    }
}

static void tell_extension(story *st, const hist_effect *x) {
    const char *node = story_node(st->s, x->node);
    story_add(st, x->t_ns, "%s's lease was last extended on %s at %s (to %s by its clock)",
              story_node(st->s, x->client), node, story_t(x->t_ns).s, story_t(x->value).s);
}

/* Follows one key set at index i until it goes away or until_ns. */
static void follow_key(story *st, const hist *h, uint32_t i, int32_t holder, sim_time until_ns) {
    const hist_effect *set = &h->effects[i];
    uint32_t last_ext = HIST_NONE;
    for (uint32_t j = i + 1; j < h->effect_count; j++) {
        const hist_effect *x = &h->effects[j];
        if (x->t_ns > until_ns) break;
        if (!same_key(x, set)) continue;
        if (x->kind == HIST_EFF_LOCK_EXTEND && x->client == holder) { last_ext = j; continue; }
        if (x->kind == HIST_EFF_LOCK_SET && x->client == holder) continue;
        if (tell_removal(st, h, x, holder)) break;
    }
    if (last_ext != HIST_NONE) tell_extension(st, &h->effects[last_ext]);
}

void check_story_handover(story *st, const hist *h, const check_epoch *from, sim_time until_ns) {
    SIM_ASSERT(st != NULL);
    SIM_ASSERT(from != NULL);
    if (from->acquire_op == HIST_NONE) return;
    for (uint32_t i = check_effect_lower_bound(h, from->asked_ns); i < h->effect_count; i++) {
        const hist_effect *x = &h->effects[i];
        if (x->t_ns > from->acquired_ns) break;
        if (is_epoch_set(x, from)) follow_key(st, h, i, from->client, until_ns);
    }
}

const hist_op *check_effect_op(const hist *h, const hist_effect *x) {
    SIM_ASSERT(h != NULL);
    SIM_ASSERT(x != NULL);
    if (x->op == HIST_NONE || x->op >= h->op_count) return NULL;
    return &h->ops[x->op];
}

static void widen(const hist *h, const check_epoch *e, uint64_t *mask, sim_time *from) {
    *mask |= story_bit(e->client) | check_epoch_lock_nodes(h, e);
    if (e->asked_ns < *from) *from = e->asked_ns;
}

void check_story_epochs(story *st, const hist *h, const check_epoch *a, const check_epoch *b,
                        uint64_t *mask, sim_time *from) {
    SIM_ASSERT(st != NULL);
    SIM_ASSERT(mask != NULL);
    SIM_ASSERT(from != NULL);
    /* The handover first: at one instant, the key goes before the next grant. */
    if (a && b && a != b) {
        const check_epoch *first = a->acquired_ns <= b->acquired_ns ? a : b;
        const check_epoch *second = first == a ? b : a;
        check_story_handover(st, h, first, second->acquired_ns);
        /* The later grant's keys were set before the earlier grant (a client
         * that learned late, e.g. paused with the replies in its buffers):
         * how they went away is the story too. */
        if (second->asked_ns < first->acquired_ns) check_story_handover(st, h, second, first->acquired_ns);
    }
    if (a) { check_story_acquire(st, h, a); widen(h, a, mask, from); }
    if (b && b != a) { check_story_acquire(st, h, b); widen(h, b, mask, from); }
    if (a && b && a != b) check_story_quorums(st, h, a, b);
    if (a && b && a != b) check_story_promotions(st, h, a, b);
}

/* "Rp, a replica, was promoted to master at 5.051 s, having received no
 * write from its master": a failover between two grants, on a lock node of
 * the later one (PROMOTE effects). */
void check_story_promotions(story *st, const hist *h, const check_epoch *a, const check_epoch *b) {
    SIM_ASSERT(st != NULL);
    SIM_ASSERT(a != NULL);
    SIM_ASSERT(b != NULL);
    const check_epoch *first = a->acquired_ns <= b->acquired_ns ? a : b;
    const check_epoch *second = first == a ? b : a;
    uint64_t nodes = check_epoch_lock_nodes(h, second);
    for (uint32_t i = check_effect_lower_bound(h, first->asked_ns); i < h->effect_count; i++) {
        const hist_effect *x = &h->effects[i];
        if (x->t_ns > second->acquired_ns) break;
        if (x->kind != HIST_EFF_PROMOTE || !(nodes & story_bit(x->node))) continue;
        char got[64];
        if (x->value == 0) snprintf(got, sizeof got, "no write");
        else snprintf(got, sizeof got, "%lld writes", (long long)x->value);
        story_add(st, x->t_ns, "%s, a replica, was promoted to master at %s, having received %s "
                  "from its old master", story_node(st->s, x->node), story_t(x->t_ns).s, got);
    }
}

static uint32_t bits(uint64_t m) {
    uint32_t n = 0;
    for (; m; m &= m - 1) n++;
    return n;
}

/* "c1's lock nodes (A, B, C) and c2's (C, D, E) had only C in common": for
 * locks held on several nodes at once (Redlock), where two majorities must
 * intersect and the story is what happened on the intersection. */
void check_story_quorums(story *st, const hist *h, const check_epoch *a, const check_epoch *b) {
    SIM_ASSERT(st != NULL);
    SIM_ASSERT(a != NULL);
    SIM_ASSERT(b != NULL);
    uint64_t na = check_epoch_lock_nodes(h, a), nb = check_epoch_lock_nodes(h, b);
    if (bits(na) < 2 || bits(nb) < 2 || na == nb) return;
    const check_epoch *first = a->acquired_ns <= b->acquired_ns ? a : b;
    const check_epoch *second = first == a ? b : a;
    char sa[STORY_CLAUSE_MAX / 4], sb[STORY_CLAUSE_MAX / 4], both[STORY_CLAUSE_MAX / 4];
    story_names(st->s, first == a ? na : nb, sa, sizeof sa);
    story_names(st->s, first == a ? nb : na, sb, sizeof sb);
    story_names(st->s, na & nb, both, sizeof both);
    if ((na & nb) == 0) {
        story_add(st, second->acquired_ns, "%s's lock nodes (%s) and %s's (%s) had none in common",
                  story_node(st->s, first->client), sa, story_node(st->s, second->client), sb);
        return;
    }
    story_add(st, second->acquired_ns, "%s's lock nodes (%s) and %s's (%s) had %s%s in common",
              story_node(st->s, first->client), sa, story_node(st->s, second->client), sb,
              bits(na & nb) == 1 ? "only " : "", both);
}
