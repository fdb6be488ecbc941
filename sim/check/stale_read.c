/* stale_read.c -- "no read returns a version older than the newest version
 * the database had committed when the read began", and for how long the
 * cache held a version older than the newest committed (cache-aside,
 * docs/protocols/cache-aside.md), judged in true time.
 *
 * Evidence: the db's COMMIT effects (version 1 of every item is taken as
 * committed at 0 s), the readers' READ ops (value_out = the version
 * returned), and the cache's SET, DEL, EXPIRE and FLUSH effects, which say
 * which version the cache held when.  One pass over the effects follows,
 * per item, the version held and the newest committed: the cache is stale
 * from the later of (the set, the newer commit) to the next delete, expiry,
 * flush or set.  A stale version still held at the horizon is counted to
 * its TTL (the set's true time + its TTL: the cache's clock is taken to run
 * at the true rate), since nothing in the run would remove it sooner.
 * VIOLATION when a read saw a stale version; a stale stretch no read
 * touched is told in the summary of an ok.
 * Invariant: effects and ops are scanned in true-time order (the history
 * appends them so).  Trade-off: items are keyed by their number
 * ("item3" = 3), at most CA_ITEMS_MAX of them.
 */
#include "sim/check/check_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/cache/cache.h"

typedef struct sr_item {
    int64_t newest;             /* the newest version committed */
    sim_time newest_at;
    int64_t held;               /* the version the cache holds, 0 = none */
    uint32_t held_eff;          /* the SET that put it there */
    sim_time stale_from;        /* SIM_TIME_NEVER = not stale now */
} sr_item;

typedef struct sr_stretch {
    uint32_t item;
    int64_t held, newer;        /* the version held, the newer one committed */
    sim_time from, to;
    uint32_t set_eff;           /* the SET that put `held` there */
    bool to_ttl;                /* still held at the horizon: counted to its TTL */
} sr_stretch;

typedef struct sr_state {
    const hist *h;
    sr_item item[CA_ITEMS_MAX];
    sr_stretch worst;           /* the longest stale stretch; worst.to == 0: none */
    sim_time stale_total;
} sr_state;

static int item_of(const char *key) {
    if (strncmp(key, "item", 4) != 0) return -1;
    int n = atoi(key + 4);
    return n >= 1 && n <= CA_ITEMS_MAX ? n - 1 : -1;
}

static void close_stretch(sr_state *st, uint32_t i, sim_time to, bool to_ttl) {
    sr_item *it = &st->item[i];
    if (it->stale_from == SIM_TIME_NEVER) return;
    sim_time len = to - it->stale_from;
    st->stale_total += len;
    if (st->worst.to == 0 || len > st->worst.to - st->worst.from)
        st->worst = (sr_stretch){ i, it->held, it->newest, it->stale_from, to, it->held_eff, to_ttl };
    it->stale_from = SIM_TIME_NEVER;
}

static void open_if_stale(sr_item *it, sim_time t) {
    if (it->held > 0 && it->held < it->newest && it->stale_from == SIM_TIME_NEVER) it->stale_from = t;
}

static void follow(sr_state *st, uint32_t k) {
    const hist_effect *x = &st->h->effects[k];
    if (x->kind == CA_EFF_FLUSH) {
        for (uint32_t i = 0; i < CA_ITEMS_MAX; i++) {
            close_stretch(st, i, x->t_ns, false);
            st->item[i].held = 0;
        }
        return;
    }
    int i = item_of(x->key);
    if (i < 0) return;
    sr_item *it = &st->item[i];
    switch (x->kind) {
    case CA_EFF_COMMIT:
        if (x->value > it->newest) { it->newest = x->value; it->newest_at = x->t_ns; }
        open_if_stale(it, x->t_ns);
        return;
    case CA_EFF_SET:
        close_stretch(st, (uint32_t)i, x->t_ns, false);
        it->held = x->value;
        it->held_eff = k;
        open_if_stale(it, x->t_ns);
        return;
    case CA_EFF_DEL:
    case CA_EFF_EXPIRE:
        close_stretch(st, (uint32_t)i, x->t_ns, false);
        it->held = 0;
        return;
    default: return;
    }
}

static void scan_cache(sr_state *st, sim_time horizon) {
    for (uint32_t i = 0; i < CA_ITEMS_MAX; i++)
        st->item[i] = (sr_item){ 1, 0, 0, HIST_NONE, SIM_TIME_NEVER };
    for (uint32_t k = 0; k < st->h->effect_count; k++) follow(st, k);
    for (uint32_t i = 0; i < CA_ITEMS_MAX; i++) {
        const sr_item *it = &st->item[i];
        if (it->stale_from == SIM_TIME_NEVER) continue;
        const hist_effect *set = &st->h->effects[it->held_eff];
        sim_time ttl_end = set->t_ns + set->aux;
        close_stretch(st, i, ttl_end > horizon ? ttl_end : horizon, ttl_end > horizon);
    }
}

/* The true time version v of item i committed (0 for version 1, and for
 * a version the history does not show committing). */
static sim_time committed_at(const hist *h, int i, int64_t v) {
    for (uint32_t k = 0; k < h->effect_count; k++) {
        const hist_effect *x = &h->effects[k];
        if (x->kind == CA_EFF_COMMIT && x->value == v && item_of(x->key) == i) return x->t_ns;
    }
    return 0;
}

typedef struct sr_reads {
    uint32_t total, stale;
    uint32_t first, last;       /* op ids of the first and last stale read */
    uint32_t evidence[CHECK_EVIDENCE_MAX];
} sr_reads;

/* Reads in invoke order against the commits in time order. */
static sr_reads scan_reads(const hist *h) {
    sr_reads r = { 0, 0, HIST_NONE, HIST_NONE, { 0 } };
    int64_t newest[CA_ITEMS_MAX];
    for (uint32_t i = 0; i < CA_ITEMS_MAX; i++) newest[i] = 1;
    uint32_t k = 0;
    for (uint32_t o = 0; o < h->op_count; o++) {
        const hist_op *op = &h->ops[o];
        if (op->f != CA_F_READ) continue;
        for (; k < h->effect_count && h->effects[k].t_ns < op->invoke_ns; k++) {
            const hist_effect *x = &h->effects[k];
            int i = item_of(x->key);
            if (x->kind == CA_EFF_COMMIT && i >= 0 && x->value > newest[i]) newest[i] = x->value;
        }
        int i = item_of(op->key);
        if (op->result != HIST_OK || !op->has_value_out || i < 0) continue;
        r.total++;
        if (op->value_out >= newest[i]) continue;
        if (r.stale < CHECK_EVIDENCE_MAX) r.evidence[r.stale] = o;
        if (r.first == HIST_NONE) r.first = o;
        r.last = o;
        r.stale++;
    }
    return r;
}

/* The writer's delete of item i between from and to (the first), or HIST_NONE. */
static uint32_t delete_between(const hist *h, uint32_t i, sim_time from, sim_time to) {
    for (uint32_t k = 0; k < h->effect_count; k++) {
        const hist_effect *x = &h->effects[k];
        if (x->t_ns < from) continue;
        if (x->t_ns > to) break;
        if (x->kind == CA_EFF_DEL && item_of(x->key) == (int)i) return k;
    }
    return HIST_NONE;
}

static uint32_t db_read_of(const hist *h, uint32_t op) {
    for (uint32_t k = 0; k < h->effect_count; k++)
        if (h->effects[k].kind == CA_EFF_DB_READ && h->effects[k].op == op) return k;
    return HIST_NONE;
}

static uint32_t commit_of(const hist *h, uint32_t i, int64_t v) {
    for (uint32_t k = 0; k < h->effect_count; k++) {
        const hist_effect *x = &h->effects[k];
        if (x->kind == CA_EFF_COMMIT && x->value == v && item_of(x->key) == (int)i) return k;
    }
    return HIST_NONE;
}

/* How the stale version got into the cache, and the newer commit; the
 * faults of the nodes involved up to `until` (the first stale read). */
static void tell_stretch(const check_input *in, const sr_stretch *w, sim_time until, story *st) {
    const hist *h = in->h;
    char key[SIM_NAME_MAX];
    ca_item_key(w->item, key, sizeof key);
    const hist_effect *set = &h->effects[w->set_eff];
    uint64_t mask = story_bit(set->node) | story_bit(set->client);
    uint32_t c = commit_of(h, w->item, w->newer);
    sim_time commit_t = c != HIST_NONE ? h->effects[c].t_ns : 0;
    if (c != HIST_NONE) {
        const hist_effect *x = &h->effects[c];
        mask |= story_bit(x->client);
        story_add(st, x->t_ns, "%s committed version %" PRId64 " of %s at the database at %s",
                  story_node(in->s, x->client), w->newer, key, story_t(x->t_ns).s);
    }
    uint32_t r = db_read_of(h, set->op);
    if (r != HIST_NONE)
        story_add(st, h->effects[r].t_ns, "%s read version %" PRId64 " of %s from the database at %s",
                  story_node(in->s, set->client), h->effects[r].value, key, story_t(h->effects[r].t_ns).s);
    uint32_t d = delete_between(h, w->item, commit_t, set->t_ns > commit_t ? set->t_ns : w->to);
    if (d != HIST_NONE)
        story_add(st, h->effects[d].t_ns, "%s deleted %s from the cache at %s", story_node(in->s, h->effects[d].client),
                  key, story_t(h->effects[d].t_ns).s);
    else if (c != HIST_NONE && set->t_ns < commit_t)
        story_add(st, commit_t, "no delete of %s reached the cache after that commit", key);
    story_add(st, set->t_ns, "%s set %s to version %" PRId64 " in the cache at %s, with a TTL of %s%s",
              story_node(in->s, set->client), key, set->value, story_t(set->t_ns).s, story_t(set->aux).s,
              set->t_ns > commit_t ? ", after the newer version had committed" : "");
    story_add_faults(st, mask, r != HIST_NONE ? h->effects[r].t_ns : set->t_ns, until > w->from ? until : w->from);
}

static void stale_story(const check_input *in, const sr_state *s, const sr_reads *r, check_result *out) {
    const hist *h = in->h;
    story st;
    story_init(&st, in->s);
    const sr_stretch *w = &s->worst;
    const hist_op *f = &h->ops[r->first], *l = &h->ops[r->last];
    if (w->to != 0) tell_stretch(in, w, f->invoke_ns, &st);
    int i = item_of(f->key);
    sim_time newer_t = committed_at(h, i, f->value_out + 1);
    story_add(&st, f->invoke_ns, "%s read %s at %s and got version %" PRId64 " (%s), %s after version %" PRId64
              " had committed", story_node(in->s, f->node), f->key, story_t(f->invoke_ns).s, f->value_out, f->note,
              story_t(f->invoke_ns - newer_t).s, f->value_out + 1);
    if (r->stale > 1)
        story_add(&st, l->invoke_ns, "%u more reads got a stale version, the last by %s at %s", r->stale - 1,
                  story_node(in->s, l->node), story_t(l->invoke_ns).s);
    if (w->to != 0)
        story_conclude(&st, "so %u reads saw a version older than the newest committed, and the cache held "
                       "version %" PRId64 " for %s after version %" PRId64 " committed%s%s",
                       r->stale, w->held, story_t(w->to - w->from).s, w->newer,
                       w->to_ttl ? ", until its TTL ran out at " : "", w->to_ttl ? story_t(w->to).s : "");
    else
        story_conclude(&st, "so %u reads saw a version older than the newest committed", r->stale);
    story_buf sb;
    story_buf_init(&sb);
    story_render(&st, &sb);
    out->story = story_buf_take(&sb);
    story_free(&st);
}

/* ", the cache held version 1 for 3600.1 s after version 2 committed". */
static void held_clause(const sr_stretch *w, char *buf, size_t len) {
    buf[0] = '\0';
    if (w->to == 0) return;
    char key[SIM_NAME_MAX];
    ca_item_key(w->item, key, sizeof key);
    snprintf(buf, len, "the cache held version %" PRId64 " of %s for %s after version %" PRId64 " committed%s",
             w->held, key, story_t(w->to - w->from).s, w->newer, w->to_ttl ? " (to its TTL)" : "");
}

static void check_run_stale_read(const check_input *in, check_result *out) {
    SIM_ASSERT(in != NULL);
    SIM_ASSERT(in->h != NULL);
    check_result_start(out, "stale-read");
    sr_state s;
    memset(&s, 0, sizeof s);
    s.h = in->h;
    scan_cache(&s, check_horizon(in));
    sr_reads r = scan_reads(in->h);
    char held[200];
    held_clause(&s.worst, held, sizeof held);
    if (r.stale == 0) {
        snprintf(out->summary, sizeof out->summary, "%u reads, none stale%s%s%s", r.total, held[0] ? "; " : "",
                 held, held[0] ? ", but no read came in that time" : "");
        return;
    }
    out->verdict = CHECK_VIOLATION;
    snprintf(out->summary, sizeof out->summary, "%u of %u reads stale%s%s", r.stale, r.total,
             held[0] ? ", " : "", held);
    out->evidence_count = r.stale < CHECK_EVIDENCE_MAX ? r.stale : CHECK_EVIDENCE_MAX;
    memcpy(out->evidence_ops, r.evidence, sizeof r.evidence);
    snprintf(out->evidence_label, sizeof out->evidence_label, "stale read");
    if (!in->no_story) stale_story(in, &s, &r, out);
}

/* The check's entry in the registry (sim/check/check.c). */
const check_desc check_stale_read = {
    .name = "stale-read",
    .summary = "a read returned a version older than the newest committed when it began; how long the cache held one",
    .run = check_run_stale_read,
    .protocols = { "cache-aside" },
};
