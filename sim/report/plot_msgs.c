/* plot_msgs.c -- the run's messages: logged while it runs (the engine's
 * sim_options.on_message), drawn as arrows from the sender's lane at the
 * send to the receiver's lane at the arrival.
 *
 * An arrow has the colour of the client it is for (its sender, else its
 * receiver, else grey), so a client's requests and their replies read as
 * that client's where they cross other lanes.  A lost message (or one sent
 * on a link that was down) is a short arrow that stops a quarter of the
 * way with an X; one dropped where it arrived (link down meanwhile, node
 * crashed) ends in an X.
 *
 * Bundles: the messages of one sender to one receiver that repeat (four or
 * more at one period, within an eighth: polling, keep-alives, in-doubt
 * inquiries) or come closer than BUNDLE_DENSE_PX pixels apart (four or
 * more; periodic too when three quarters of the gaps are within an eighth
 * of their median: a heartbeat with requests between) are one bundle, drawn as its first and last arrow and labelled
 * once on the sender's lane ("c2 polls redis1 every 500 ms: 52 times to
 * 40.5 s"), which also counts its lost or dropped messages.  The
 * bundle the other way at the same time (the replies) gets no label of its
 * own: the first one's says "answered".
 *
 * Arrows that would be drawn on top of each other (nearly vertical, a few
 * pixels apart, over the same lanes: three participants asking the
 * coordinator at once) are moved apart by FAN_PX pixels each, so they do
 * not merge into one; the picture is schematic there, as with min_w.
 *
 * Never cut silently: when more than PLOT_ARROWS_MAX arrows remain, the
 * PLOT_ARROWS_MAX sent closest to the first violation's evidence are
 * drawn, the note under the title says which, and a label on the top lane
 * marks where arrows stop; with nothing violated none are drawn (nothing
 * to centre on; the note says so).  At most BUNDLE_LABELS_MAX bundles are
 * labelled; the messages of the others are counted in the note.
 *
 * Invariant: the log keeps notes in the order the engine made them (event
 * order, so sends in time order), and every choice here walks it, or its
 * (sender, receiver, index) sort, in order: the same run gives the same
 * picture.  Trade-off: at most PLOT_MSGS_MAX messages are kept (32 bytes
 * each); later ones are only counted, and a violation after that point
 * gets no arrows.  A log past PLOT_MSGS_HEAP_MAX takes address space for
 * all PLOT_MSGS_MAX at once (32 MiB, backed only as used: grow below).
 */
#include "sim/report/plot_mech.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/memory.h"

void plot_msgs_init(plot_msgs *m) {
    SIM_ASSERT(m != NULL);
    memset(m, 0, sizeof *m);
    m->last_arrive_ns = SIM_TIME_NEVER;
}

void plot_msgs_free(plot_msgs *m) {
    if (!m) return;
    SIM_ASSERT(m->count <= m->cap);
    SIM_ASSERT(m->count <= m->total);           /* every kept message was counted */
    if (m->cap > PLOT_MSGS_HEAP_MAX) sim_reserve_free(m->items, (size_t)m->cap * sizeof *m->items);
    else free(m->items);
    plot_msgs_init(m);
}

/* A drop on arrival marks the latest matching copy; only the last
 * DROP_SCAN_MAX sent are searched (copies in flight at once are fewer). */
static void note_drop(plot_msgs *m, const sim_msg_note *n) {
    enum { DROP_SCAN_MAX = 1 << 16 };
    SIM_ASSERT(n->dropped);
    SIM_ASSERT(n->sent_ns == SIM_TIME_NEVER);   /* sim.h: a drop note carries no send time */
    uint32_t stop = m->count > DROP_SCAN_MAX ? m->count - DROP_SCAN_MAX : 0;
    for (uint32_t i = m->count; i-- > stop;) {
        plot_msg *x = &m->items[i];
        if (x->from == n->from && x->to == n->to && x->arrive_ns == n->arrive_ns && !x->dropped) {
            x->dropped = true;
            return;
        }
    }
}

/* Room for more: a small log doubles on the heap; one that reaches
 * PLOT_MSGS_HEAP_MAX moves, once, to room for PLOT_MSGS_MAX from
 * sim_reserve, whose pages are backed only as written, so a big log's
 * growth copies nothing more (doubling copied the whole log each time,
 * into pages that faulted) and a small run asks for little. */
_Static_assert(PLOT_MSGS_HEAP_MAX % 256u == 0 && (PLOT_MSGS_HEAP_MAX & (PLOT_MSGS_HEAP_MAX - 1u)) == 0,
               "doubling from 256 reaches PLOT_MSGS_HEAP_MAX");
_Static_assert(PLOT_MSGS_HEAP_MAX < PLOT_MSGS_MAX, "a log moves before it is full");

static void grow(plot_msgs *m) {
    SIM_ASSERT(m->count == m->cap);
    SIM_ASSERT(m->cap < PLOT_MSGS_MAX);
    if (m->cap < PLOT_MSGS_HEAP_MAX) {
        m->cap = m->cap ? m->cap * 2 : 256;
        m->items = sim_xrealloc(m->items, m->cap * sizeof *m->items);
        return;
    }
    plot_msg *big = sim_reserve((size_t)PLOT_MSGS_MAX * sizeof *big);
    memcpy(big, m->items, (size_t)m->count * sizeof *big);
    free(m->items);
    m->items = big;
    m->cap = PLOT_MSGS_MAX;
}

void plot_msgs_note(void *ctx, const sim_msg_note *n) {
    plot_msgs *m = ctx;
    SIM_ASSERT(m != NULL);
    SIM_ASSERT(n != NULL);
    if (n->dropped) { note_drop(m, n); return; }
    m->total++;
    if (m->count == PLOT_MSGS_MAX) return;
    if (m->count == m->cap) grow(m);
    SIM_ASSERT(n->arrive_ns == SIM_TIME_NEVER || n->arrive_ns >= n->sent_ns);
    m->items[m->count++] = (plot_msg){ n->from, n->to, n->sent_ns, n->arrive_ns, false };
    if (n->arrive_ns != SIM_TIME_NEVER && (m->last_arrive_ns == SIM_TIME_NEVER || n->arrive_ns > m->last_arrive_ns))
        m->last_arrive_ns = n->arrive_ns;
}

/* ------------------------------------------------------------- drawing */

#define BUNDLE_MIN      4        /* messages in a bundle, at least */
#define BUNDLE_DENSE_PX 6        /* sends closer than this many pixels bundle */
#define BUNDLE_LABELS_MAX 12     /* bundles labelled; the rest are counted in the note */
#define FAN_PX          4        /* overlapping near-vertical arrows are moved this far apart */
#define FAN_MAX         6        /* ... at most this many times */
#define PLOT_AREA_PX    1060     /* the time axis's width in pixels (plot_write.c's margins) */

typedef struct bundle {
    uint32_t first, last;        /* message indices (same sender and receiver) */
    uint32_t count;
    uint32_t lost;               /* of them lost or dropped (counted in the label, not drawn) */
    sim_time period;             /* 0: dense, not periodic */
    int32_t partner;             /* the bundle of the replies (labelled with this one), -1 */
    bool quiet;                  /* the replies of an earlier bundle: no label */
} bundle;

typedef struct arrows {
    const plot_msgs *m;
    uint8_t *keep;               /* per message: 1 = drawn as an arrow */
    bundle *b;
    uint32_t nb, cap;
    sim_time px;                 /* one pixel of the time axis, ns */
    uint32_t nodes;              /* the run's: every message is between two of them */
} arrows;

static bool lost_or_dropped(const plot_msg *x) {
    return x->arrive_ns == SIM_TIME_NEVER || x->dropped;
}

/* The k-th smallest of v[0..n) (what v[k] would be sorted), all >= 0:
 * a radix select, a byte at a time from the highest any has: count the
 * candidates' values of the byte, keep those in the bucket the k-th falls
 * in.  Its passes have no branch on the data (the quickselect before it
 * mispredicted on every gap of a heartbeat with requests between).  v is
 * overwritten. */
static sim_time kth_smallest(sim_time *v, uint32_t n, uint32_t k) {
    SIM_ASSERT(k < n);
    uint64_t any = 0;
    for (uint32_t i = 0; i < n; i++) {
        SIM_ASSERT(v[i] >= 0);                  /* gaps between sends in order */
        any |= (uint64_t)v[i];
    }
    unsigned shift = 0;
    while (shift < 56 && any >> (shift + 8) != 0) shift += 8;
    uint64_t value = 0;                          /* the answer's bytes above shift */
    for (;;) {
        uint32_t count[256] = { 0 };
        for (uint32_t i = 0; i < n; i++) count[((uint64_t)v[i] >> shift) & 0xffu]++;
        uint32_t b = 0;
        while (k >= count[b]) k -= count[b++];
        SIM_ASSERT(b < 256);
        value |= (uint64_t)b << shift;
        if (shift == 0) return (sim_time)value;
        uint32_t w = 0;
        for (uint32_t i = 0; i < n; i++) {       /* keep the candidates of byte b, in place */
            sim_time x = v[i];
            v[w] = x;
            w += (((uint64_t)x >> shift) & 0xffu) == b;
        }
        SIM_ASSERT(k < w);
        n = w;
        shift -= 8;
    }
}

/* One sender-receiver pair's messages, in send order: g[0..n) their
 * indices in the log, and beside them, gathered once from the log so the
 * bundling reads them in order, each one's send time and whether it was
 * lost or dropped. */
typedef struct pair_run {
    const uint32_t *g;
    const sim_time *sent;
    const uint8_t *lost;
    uint32_t n;
} pair_run;

/* A dense run's period when three quarters of its gaps are within an
 * eighth of their median (a heartbeat with requests in between), else 0. */
static sim_time mostly_periodic(const pair_run *r, uint32_t j, uint32_t k) {
    uint32_t n = k - j, near = 0;
    SIM_ASSERT(n >= 1);
    SIM_ASSERT(k < r->n);
    sim_time *gap = sim_xmalloc(n * sizeof *gap);
    for (uint32_t x = 0; x < n; x++) gap[x] = r->sent[j + x + 1] - r->sent[j + x];
    sim_time p = kth_smallest(gap, n, n / 2);   /* overwrites gap */
    free(gap);
    for (uint32_t x = 0; x < n; x++) {
        sim_time d = r->sent[j + x + 1] - r->sent[j + x];
        near += d >= p - p / 8 && d <= p + p / 8;
    }
    return p > 0 && near * 4 >= n * 3 ? p : 0;
}

static void add_bundle(arrows *a, const pair_run *r, uint32_t j, uint32_t k, sim_time period) {
    SIM_ASSERT(k >= j + BUNDLE_MIN - 1);        /* long enough to be a bundle */
    if (period == 0) period = mostly_periodic(r, j, k);
    if (a->nb == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 16;
        a->b = sim_xrealloc(a->b, a->cap * sizeof *a->b);
    }
    uint32_t lost = 0;
    for (uint32_t x = j; x <= k; x++) lost += r->lost[x];
    a->b[a->nb++] = (bundle){ r->g[j], r->g[k], k - j + 1u, lost, period, -1, false };
    a->keep[r->g[j]] = a->keep[r->g[k]] = 1;
}

/* The end of the periodic run from j (period = its first gap, each gap
 * within an eighth of it), or j when there is none. */
static uint32_t periodic_end(const pair_run *r, uint32_t j) {
    const sim_time *t = r->sent;
    if (j + 1 >= r->n) return j;
    sim_time p = t[j + 1] - t[j];
    uint32_t k = j + 1;
    if (p <= 0) return j;
    while (k + 1 < r->n) {
        sim_time gap = t[k + 1] - t[k];
        if (gap < p - p / 8 || gap > p + p / 8) break;
        k++;
    }
    return k;
}

/* The end of the run from j whose sends are closer than BUNDLE_DENSE_PX. */
static uint32_t dense_end(const arrows *a, const pair_run *r, uint32_t j) {
    const sim_time *t = r->sent;
    uint32_t k = j;
    while (k + 1 < r->n && t[k + 1] - t[k] <= a->px * BUNDLE_DENSE_PX) k++;
    return k;
}

/* One sender-receiver pair's messages, in send order. */
static void bundle_pair(arrows *a, const pair_run *r) {
    for (uint32_t j = 0; j < r->n;) {
        uint32_t k = periodic_end(r, j), d = dense_end(a, r, j);
        sim_time period = r->sent[j + (k > j)] - r->sent[j];
        if (d > k) { k = d; period = 0; }        /* the longer run wins; periodic on a tie */
        if (k + 1 >= j + BUNDLE_MIN) {
            add_bundle(a, r, j, k, period);
            j = k + 1;
            continue;
        }
        a->keep[r->g[j]] = 1;
        j++;
    }
}

static int bundle_cmp(const void *pa, const void *pb) {
    const bundle *x = pa, *y = pb;
    return x->first < y->first ? -1 : x->first > y->first;
}

/* Pairs each bundle with the replies: the first later bundle the other way
 * that overlaps it in time. */
static void pair_replies(arrows *a) {
    const plot_msg *it = a->m->items;
    if (a->nb > 1) qsort(a->b, a->nb, sizeof *a->b, bundle_cmp);   /* in send order (b is NULL when none) */
    for (uint32_t i = 0; i < a->nb; i++) {
        bundle *x = &a->b[i];
        if (x->quiet) continue;
        for (uint32_t j = i + 1; j < a->nb; j++) {
            bundle *y = &a->b[j];
            if (it[y->first].sent_ns > it[x->last].sent_ns) break;   /* later ones start later */
            if (y->quiet || it[y->first].from != it[x->first].to || it[y->first].to != it[x->first].from)
                continue;
            x->partner = (int32_t)j;
            y->quiet = true;
            break;
        }
    }
}

/* Stable counting sort of the message indices src[0..n) into dst by
 * their sender (by_from) or receiver: a pass over them, whatever their
 * number of nodes. */
static void pair_count_sort(const plot_msgs *m, const uint32_t *src, uint32_t *dst, uint32_t n,
                            uint32_t nodes, bool by_from) {
    const plot_msg *it = m->items;
    uint32_t *at = sim_xcalloc((size_t)nodes + 1u, sizeof *at);
    for (uint32_t i = 0; i < n; i++) {
        int32_t key = by_from ? it[src[i]].from : it[src[i]].to;
        SIM_ASSERT(key >= 0 && (uint32_t)key < nodes);   /* a node of the run */
        at[(uint32_t)key + 1u]++;
    }
    for (uint32_t k = 1; k <= nodes; k++) at[k] += at[k - 1];
    for (uint32_t i = 0; i < n; i++) dst[at[(uint32_t)(by_from ? it[src[i]].from : it[src[i]].to)]++] = src[i];
    free(at);
}

/* Whether message x sorts before message y: by sender, receiver, index. */
static bool pair_before(const plot_msgs *m, uint32_t x, uint32_t y) {
    const plot_msg *a = &m->items[x], *b = &m->items[y];
    if (a->from != b->from) return a->from < b->from;
    if (a->to != b->to) return a->to < b->to;
    return x < y;
}

/* The messages grouped by sender and receiver, each pair's in send order,
 * with what bundling reads of each beside its index, so that it reads
 * them in order and not scattered through the log. */
typedef struct pair_order {
    uint32_t *g;                 /* message indices, by (from, to), then index */
    sim_time *sent;              /* per place in g: the message's send time */
    uint8_t *lost;               /* ... and whether it was lost or dropped */
    uint32_t *end;               /* per pair present, in order: where its places in g end */
    uint32_t pairs;
} pair_order;

static void pair_order_alloc(pair_order *o, uint32_t n) {
    o->g = sim_xmalloc((n + 1u) * sizeof *o->g);
    o->sent = sim_xmalloc((n + 1u) * sizeof *o->sent);
    o->lost = sim_xmalloc(n + 1u);
}

/* One stable counting sort of the messages by (from, to): a pass to
 * count, one to place, both reading the log in order. */
static void pairs_by_one_sort(const plot_msgs *m, pair_order *o, uint32_t nodes) {
    const plot_msg *it = m->items;
    size_t buckets = (size_t)nodes * nodes;
    uint32_t *at = sim_xcalloc(buckets + 1u, sizeof *at);
    for (uint32_t i = 0; i < m->count; i++) {
        SIM_ASSERT(it[i].from >= 0 && (uint32_t)it[i].from < nodes);   /* node indices */
        SIM_ASSERT(it[i].to >= 0 && (uint32_t)it[i].to < nodes);
        at[(size_t)it[i].from * nodes + (size_t)it[i].to + 1u]++;
    }
    for (size_t k = 1; k <= buckets; k++) at[k] += at[k - 1];
    pair_order_alloc(o, m->count);
    for (uint32_t i = 0; i < m->count; i++) {
        uint32_t to = at[(size_t)it[i].from * nodes + (size_t)it[i].to]++;
        o->g[to] = i;
        o->sent[to] = it[i].sent_ns;
        o->lost[to] = lost_or_dropped(&it[i]);
    }
    /* at[b] is now where pair b's places end: the pairs present are those
     * that end after the one before. */
    for (size_t b = 0; b < buckets; b++) o->pairs += at[b] > (b ? at[b - 1] : 0u);
    o->end = sim_xmalloc((o->pairs + 1u) * sizeof *o->end);
    uint32_t p = 0;
    for (size_t b = 0; b < buckets; b++)
        if (at[b] > (b ? at[b - 1] : 0u)) o->end[p++] = at[b];
    SIM_ASSERT(p == o->pairs);
    free(at);
}

/* Two stable counting sorts (to, then from), whose counts are per node,
 * then one pass in the new order to gather the send times and losses and
 * find where each pair ends. */
static void pairs_by_two_sorts(const plot_msgs *m, pair_order *o, uint32_t nodes) {
    const plot_msg *it = m->items;
    pair_order_alloc(o, m->count);
    uint32_t *tmp = sim_xmalloc((m->count + 1u) * sizeof *tmp);
    for (uint32_t i = 0; i < m->count; i++) o->g[i] = i;
    pair_count_sort(m, o->g, tmp, m->count, nodes, false);
    pair_count_sort(m, tmp, o->g, m->count, nodes, true);
    free(tmp);
    o->end = sim_xmalloc((m->count + 1u) * sizeof *o->end);
    for (uint32_t k = 0; k < m->count; k++) {
        const plot_msg *x = &it[o->g[k]];
        if (k > 0 && (x->from != it[o->g[k - 1]].from || x->to != it[o->g[k - 1]].to)) o->end[o->pairs++] = k;
        SIM_ASSERT(k == 0 || pair_before(m, o->g[k - 1], o->g[k]));   /* sorted */
        o->sent[k] = x->sent_ns;
        o->lost[k] = lost_or_dropped(x);
    }
    if (m->count > 0) o->end[o->pairs++] = m->count;
}

/* The messages by pair: one counting sort by the pair when there are few
 * pairs beside the messages (the run's nodes squared at most max(count,
 * 1024)), else two by node.  Every element of g, sent and lost is
 * written, so none is cleared first. */
static void pairs_in_order(const plot_msgs *m, uint32_t nodes, pair_order *o) {
    memset(o, 0, sizeof *o);
    if ((uint64_t)nodes * nodes <= (m->count > 1024u ? m->count : 1024u)) pairs_by_one_sort(m, o, nodes);
    else pairs_by_two_sorts(m, o, nodes);
}

static void find_bundles(arrows *a) {
    const plot_msgs *m = a->m;
    pair_order o;
    pairs_in_order(m, a->nodes, &o);
    for (uint32_t p = 0, j = 0; p < o.pairs; p++) {
        uint32_t k = o.end[p];
        SIM_ASSERT(k > j);                                  /* a pair present has messages */
        SIM_ASSERT(p == 0 || pair_before(m, o.g[j - 1], o.g[j]));   /* pairs in order */
        for (uint32_t x = j + 1; x < k; x++) SIM_ASSERT(o.g[x - 1] < o.g[x]);   /* in send order */
        bundle_pair(a, &(pair_run){ o.g + j, o.sent + j, o.lost + j, k - j });
        j = k;
    }
    SIM_ASSERT(o.pairs == 0 || o.end[o.pairs - 1] == m->count);
    free(o.end);
    free(o.lost);
    free(o.sent);
    free(o.g);
    pair_replies(a);
}

/* When the first violation happened: its offending op's completion. */
static sim_time focus_time(const plot_tl *t) {
    sim_time best = SIM_TIME_NEVER;
    SIM_ASSERT(t->run != NULL);
    SIM_ASSERT(t->h != NULL);
    for (size_t i = 0; i < t->run->result_count; i++) {
        const check_result *c = &t->run->results[i];
        if (c->verdict != CHECK_VIOLATION || c->evidence_count == 0) continue;
        if (c->evidence_ops[0] >= t->h->op_count) continue;
        const hist_op *op = &t->h->ops[c->evidence_ops[0]];
        sim_time at = op->result == HIST_PENDING ? op->invoke_ns : op->complete_ns;
        if (at < best) best = at;
    }
    return best;
}

static sim_time distance(sim_time a, sim_time b) { return a > b ? a - b : b - a; }

/* The first of `want` drawn arrows (idx[0..n), in send order) closest to `at`. */
static uint32_t window_start(const plot_msgs *m, const uint32_t *idx, uint32_t n, sim_time at,
                             uint32_t want) {
    uint32_t lo = 0, hi = want;                  /* [lo, hi): slide while it gets closer */
    SIM_ASSERT(want > 0);
    SIM_ASSERT(want <= n);
    while (hi < n && distance(m->items[idx[hi]].sent_ns, at) < distance(m->items[idx[lo]].sent_ns, at)) {
        lo++;
        hi++;
    }
    SIM_ASSERT(lo + want <= n);                  /* the window lies inside the list */
    return lo;
}

/* The client an arrow is for: its sender, else its receiver, else none. */
static uint32_t arrow_rgb(const plot_tl *t, const plot_msg *x) {
    if (t->rgb[x->from] != PLOT_GREY) return t->rgb[x->from];
    if (t->rgb[x->to] != PLOT_GREY) return t->rgb[x->to];
    return 0x7a7a7au;
}

typedef struct placed { sim_time x; int32_t lo, hi; } placed;

/* How far to move a near-vertical arrow so it is not drawn over another. */
static sim_time fan_shift(placed *done, uint32_t *nd, sim_time x, sim_time dur,
                          int32_t y1, int32_t y2, sim_time px) {
    int32_t lo = y1 < y2 ? y1 : y2, hi = y1 < y2 ? y2 : y1;
    if (dur > 2 * px) return 0;                  /* slanted: it shows on its own */
    sim_time shift = 0;
    for (int step = 0; step < FAN_MAX; step++) {
        bool clash = false;
        for (uint32_t i = 0; i < *nd && !clash; i++)
            clash = distance(done[i].x, x + shift) < px * (FAN_PX - 1) && done[i].lo < hi && lo < done[i].hi;
        if (!clash) break;
        shift += px * FAN_PX;
    }
    SIM_ASSERT(*nd < PLOT_ARROWS_MAX);           /* at most that many arrows are drawn */
    done[(*nd)++] = (placed){ x + shift, lo, hi };
    return shift;
}

static void draw_one(plot_tl *t, const plot_msg *x, placed *done, uint32_t *nd, sim_time px) {
    SIM_ASSERT(x->sent_ns != SIM_TIME_NEVER);   /* only send notes are kept */
    SIM_ASSERT(x->arrive_ns == SIM_TIME_NEVER || x->arrive_ns >= x->sent_ns);
    int32_t y1 = plot_lane_y(t, x->from), y2 = plot_lane_y(t, x->to);
    if (x->arrive_ns == SIM_TIME_NEVER) {                    /* lost at send */
        sim_time stop = x->sent_ns + t->min_w;
        int32_t ym = y1 + (y2 - y1) / 4;
        plot_add(t, PB_ARROW, x->sent_ns, stop, y1, ym, PLOT_LIGHT, NULL);
        plot_mark(t, PB_CROSS, stop, ym, PLOT_LIGHT);
        return;
    }
    if (x->arrive_ns > t->end) return;                      /* still in flight at the end */
    sim_time s = fan_shift(done, nd, x->sent_ns, x->arrive_ns - x->sent_ns, y1, y2, px);
    plot_add(t, PB_ARROW, x->sent_ns + s, x->arrive_ns + s, y1, y2,
             x->dropped ? PLOT_LIGHT : arrow_rgb(t, x), NULL);
    if (x->dropped) plot_mark(t, PB_CROSS, x->arrive_ns + s, y2, PLOT_LIGHT);
}

/* The bundle's label, on the sender's lane or else the receiver's, at
 * its first send or else halfway; counted in *unlabelled when there is
 * no room (the note then says how many messages such bundles hold). */
static void label_bundle(plot_tl *t, const arrows *a, const bundle *b, uint32_t *unlabelled) {
    const plot_msg *f = &a->m->items[b->first], *l = &a->m->items[b->last];
    const char *from = t->s->nodes[f->from].name, *to = t->s->nodes[f->to].name;
    char text[200], last[32], every[32], first[32], lost[32] = "";
    plot_fmt_short(last, sizeof last, l->sent_ns);
    plot_fmt_short(first, sizeof first, f->sent_ns);
    if (b->lost) snprintf(lost, sizeof lost, ", %u lost", b->lost);
    if (b->period > 0) {
        plot_fmt_short(every, sizeof every, b->period);
        snprintf(text, sizeof text, "%s polls %s every %s: %u times to %s%s%s", from, to, every,
                 b->count, last, lost, b->partner >= 0 ? ", answered" : "");
    } else {
        snprintf(text, sizeof text, "%u messages %s -> %s, %s..%s%s%s", b->count, from, to, first,
                 last, lost, b->partner >= 0 ? " and back" : "");
    }
    const int32_t lanes[2] = { f->from, f->to };
    const sim_time at[2] = { f->sent_ns, f->sent_ns + (l->sent_ns - f->sent_ns) / 2 };
    uint32_t before = t->label_count;
    for (int k = 0; k < 4 && t->label_count == before; k++)
        plot_label(t, lanes[k / 2], at[k % 2], PLOT_ROW_LOW, arrow_rgb(t, f), false, "%s", text);
    if (t->label_count > before) return;
    *unlabelled += b->count;                     /* said once, in the note */
}

/* Where the messages not drawn are: a big run keeps no trace.log by
 * default (report.h). */
static const char *trace_has(const plot_tl *t) {
    return rpt_big_run(t->run->events) ? "ccsim trace writes" : "trace.log has";
}

/* Says in the picture where arrows stop: the note, and a label on the top lane. */
static void say_window(plot_tl *t, const arrows *a, const uint32_t *idx, uint32_t n, uint32_t from,
                       uint32_t want) {
    const plot_msgs *m = a->m;
    char x[32], y[32];
    plot_fmt_short(x, sizeof x, m->items[idx[from]].sent_ns);
    plot_fmt_short(y, sizeof y, m->items[idx[from + want - 1]].sent_ns);
    size_t used = strlen(t->note);
    snprintf(t->note + used, sizeof t->note - used, "%sarrows: %u of %u, those sent %s..%s, "
             "around the first violation (%llu messages; %s them all)", used ? "; " : "",
             want, n, x, y, (unsigned long long)m->total, trace_has(t));
    if (from > 0)
        plot_label(t, 0, m->items[idx[from]].sent_ns, PLOT_ROW_LOW, PLOT_GREY, true,
                   "<- %u earlier arrows not drawn", from);
    if (from + want < n)
        plot_label(t, 0, m->items[idx[from + want - 1]].sent_ns, PLOT_ROW_LOW, PLOT_GREY, true,
                   "%u later arrows not drawn ->", n - from - want);
}

/* The note of a run whose arrows are too many to draw, even bundled, with
 * no violation to centre a window on. */
static void say_too_many(plot_tl *t, const plot_msgs *m) {
    size_t used = strlen(t->note);
    snprintf(t->note + used, sizeof t->note - used, "%s%llu messages: too many to draw as "
             "arrows, even bundled (%s them)", used ? "; " : "",
             (unsigned long long)m->total, trace_has(t));
}

/* Whether the arrows kept after bundling will be more than
 * PLOT_ARROWS_MAX, known before bundling: a bundle keeps its first and
 * last message and a message in none is kept, so each (sender, receiver)
 * pair keeps at least min(its messages, 2), and their sum is a lower
 * bound.  Reads the log only until the bound passes the cap (a few
 * hundred messages in a busy run), through a table of the pairs met so
 * far, which are fewer than its slots until then. */
enum { TOO_MANY_SLOTS = 256 };
_Static_assert(TOO_MANY_SLOTS > 2 * (PLOT_ARROWS_MAX + 1), "the pairs' table stays half empty");

static bool surely_too_many(const plot_msgs *m) {
    uint64_t pair[TOO_MANY_SLOTS];
    uint8_t kept[TOO_MANY_SLOTS] = { 0 };       /* 0 = a free slot, else min(messages, 2) */
    uint32_t bound = 0;
    for (uint32_t i = 0; i < m->count; i++) {
        uint64_t key = (uint64_t)(uint32_t)m->items[i].from << 32 | (uint32_t)m->items[i].to;
        uint32_t h = (uint32_t)((key * 0x9e3779b97f4a7c15u) >> 32) % TOO_MANY_SLOTS;
        while (kept[h] != 0 && pair[h] != key) h = (h + 1) % TOO_MANY_SLOTS;
        pair[h] = key;
        if (kept[h] == 2) continue;
        kept[h]++;
        if (++bound > PLOT_ARROWS_MAX) return true;
    }
    return false;
}

void plot_build_arrows(plot_tl *t, const plot_msgs *m) {
    SIM_ASSERT(t != NULL);
    if (!m || m->count == 0) return;
    if (focus_time(t) == SIM_TIME_NEVER && surely_too_many(m)) {   /* the note, without bundling */
        say_too_many(t, m);
        return;
    }
    arrows a = { m, sim_xcalloc(m->count + 1u, 1), NULL, 0, 0, 0, t->s->node_count };
    a.px = t->view / PLOT_AREA_PX > 0 ? t->view / PLOT_AREA_PX : 1;
    find_bundles(&a);
    uint32_t n = 0;
    for (uint32_t i = 0; i < m->count; i++) n += a.keep[i];
    uint32_t *idx = sim_xcalloc(n + 1u, sizeof *idx), k = 0;
    for (uint32_t i = 0; i < m->count; i++)
        if (a.keep[i]) idx[k++] = i;
    SIM_ASSERT(k == n);
    uint32_t from = 0, want = n;
    if (n > PLOT_ARROWS_MAX) {
        sim_time at = focus_time(t);
        if (at == SIM_TIME_NEVER) {              /* a smear at this scale, and nothing to centre on */
            say_too_many(t, m);
            free(idx);
            free(a.b);
            free(a.keep);
            return;
        }
        want = PLOT_ARROWS_MAX;
        from = window_start(m, idx, n, at, want);
        say_window(t, &a, idx, n, from, want);
    }
    placed done[PLOT_ARROWS_MAX];
    uint32_t nd = 0;
    for (uint32_t i = from; i < from + want; i++) draw_one(t, &m->items[idx[i]], done, &nd, a.px);
    uint32_t unlabelled = 0, labelled = 0;
    for (uint32_t i = 0; i < a.nb; i++) {
        const bundle *b = &a.b[i];
        bool shown = (b->first >= idx[from] && b->first <= idx[from + want - 1]) ||
                     (b->last >= idx[from] && b->last <= idx[from + want - 1]);
        if (b->quiet || !shown) continue;
        if (++labelled <= BUNDLE_LABELS_MAX) label_bundle(t, &a, b, &unlabelled);
        else unlabelled += b->count;
    }
    if (unlabelled > 0) {
        size_t used = strlen(t->note);
        snprintf(t->note + used, sizeof t->note - used, "%s%u messages in bursts drawn as each "
                 "burst's first and last arrow", used ? "; " : "", unlabelled);
    }
    t->legend |= PL_MSG;
    free(idx);
    free(a.b);
    free(a.keep);
}
