/* plot_timeline.c -- the timeline's model: lanes, lock holds, blocked
 * windows, operations and the checks' evidence, as drawing primitives.
 *
 * Lock holds are drawn twice, as the issue asks: what each client
 * *believed* (an epoch, from its acquire's completion to its release, or
 * to its last op, or to its crash) as a solid bar on its lane, and what the
 * lock *service* held: on each lock node's lane a bar per key from
 * LOCK_SET to LOCK_DEL / EXPIRE / LOST (or a SET by another client), and on
 * the client's lane, just under its belief, the times a quorum of lock
 * nodes held its key (a majority of the largest role that records LOCK_SET:
 * 1 of 1 for a single Redis, 3 of 5 for Redlock).  Where the two differ is
 * where a lock broke.
 *
 * Invariant: primitives are appended in a fixed order (faults, clocks,
 * holds, blocked windows, ops, marks, evidence, arrows), each builder
 * walking the history or the scenario in index order, so the same run
 * gives the same list.  Trade-off: small things are widened to min_w (a
 * 2 ms hold is not a hairline in a 30 s picture) and a label whose box
 * (plot_label_box) would meet another's is moved to the other row,
 * staggered right, or left out (never the red evidence); no two placed
 * labels meet.  The data is exact, the picture is schematic.  Colours
 * follow the grammar (plot_int.h, docs/timelines.md): who, never a status.
 *
 * Holds are collected in one pass over the effects: an index from each
 * (lock node, key) seen to its open hold (at most one is open at a time:
 * a SET by another client closes the one before) makes each effect cost
 * the same however many holds came before.  The index answers lookups
 * only; nothing is drawn in its order.
 */
#include "sim/report/plot_mech.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/lock/lock_api.h"

#define PLOT_OPS_DRAWN_MAX 5000     /* more ops than this: only the evidence is drawn */

static const uint32_t palette[] = {
    0x1f77b4u, 0xff7f0eu, 0x2ca02cu, 0x9467bdu, 0x8c564bu, 0xe377c2u, 0x17becfu, 0xbcbd22u,
};

/* ------------------------------------------------------------ primitives */

int32_t plot_lane_y(const plot_tl *t, int32_t node) {
    SIM_ASSERT(node >= 0);
    SIM_ASSERT((uint32_t)node < t->s->node_count);
    return (int32_t)(t->s->node_count - (uint32_t)node) * 100;
}

/* The band of a row: lane k's labels (rows within PLOT_LANE_HALF < 50 of
 * k * 100) are band k; anything below or above the lanes, the first or
 * the last band.  Monotonic in y, which is all the overlap tests need. */
static uint32_t band_of(const plot_tl *t, int32_t y) {
    SIM_ASSERT(t->band_count >= 2);
    if (y < 50) return 0;
    uint32_t b = (uint32_t)(y + 50) / 100;
    return b < t->band_count ? b : t->band_count - 1;
}

/* Files label p[at] under its band, with its box. */
static void label_index(plot_tl *t, uint32_t at) {
    if (t->band_head == NULL) {
        t->band_count = t->s->node_count + 2;
        t->band_head = sim_xmalloc(t->band_count * sizeof *t->band_head);
        for (uint32_t b = 0; b < t->band_count; b++) t->band_head[b] = PLOT_NO_LABEL;
    }
    if (t->label_count == t->label_cap) {
        t->label_cap = t->label_cap ? t->label_cap * 2 : 64;
        t->label_at = sim_xrealloc(t->label_at, t->label_cap * sizeof *t->label_at);
        t->label_box = sim_xrealloc(t->label_box, t->label_cap * sizeof *t->label_box);
        t->label_next = sim_xrealloc(t->label_next, t->label_cap * sizeof *t->label_next);
    }
    uint32_t i = t->label_count++;
    uint32_t band = band_of(t, t->p[at].y1);
    t->label_at[i] = at;
    t->label_box[i] = plot_label_box(t, &t->p[at]);
    t->label_next[i] = t->band_head[band];
    t->band_head[band] = i;
}

uint32_t plot_text_put(plot_tl *t, const char *text) {
    SIM_ASSERT(text != NULL);
    size_t n = strnlen(text, PLOT_TEXT_MAX - 1);         /* cut as a PLOT_TEXT_MAX buffer cuts */
    if (t->text_cap == 0) {
        t->text_cap = 4096;
        t->text = sim_xmalloc(t->text_cap);
        t->text[0] = '\0';                              /* offset 0: no text */
        t->text_len = 1;
    }
    SIM_ASSERT(t->text_len <= t->text_cap);
    while (t->text_cap - t->text_len < n + 1) {
        SIM_ASSERT(t->text_cap <= UINT32_MAX / 2);      /* offsets are uint32_t */
        t->text_cap *= 2;
        t->text = sim_xrealloc(t->text, t->text_cap);
    }
    uint32_t at = t->text_len;
    memcpy(t->text + at, text, n);
    t->text[at + n] = '\0';
    t->text_len += (uint32_t)n + 1u;
    return at;
}

void plot_add(plot_tl *t, plot_block b, sim_time x1, sim_time x2, int32_t y1, int32_t y2,
              uint32_t rgb, const char *text) {
    SIM_ASSERT(b < PB_COUNT);
    SIM_ASSERT(rgb <= PLOT_RGB_MAX);            /* a colour: fits plot_prim.rgb */
    if (t->count == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 256;
        t->p = sim_xrealloc(t->p, t->cap * sizeof *t->p);
    }
    plot_prim *p = &t->p[t->count++];
    *p = (plot_prim){
        .x1 = x1 < 0 ? 0 : (x1 > t->end ? t->end : x1),
        .x2 = b == PB_LINE ? x2 : (x2 < 0 ? 0 : (x2 > t->end ? t->end : x2)),
        .y1 = y1, .y2 = y2, .rgb = rgb & PLOT_RGB_MAX,
        .text = text ? plot_text_put(t, text) : 0,
        .block = (uint32_t)b & 0xffu,
    };
    if (b >= PB_LABEL) label_index(t, t->count - 1);
}

void plot_box(plot_tl *t, plot_block b, sim_time x1, sim_time x2, int32_t y1, int32_t y2,
              uint32_t rgb) {
    SIM_ASSERT(t->min_w > 0);                   /* set by plot_tl_build before any box */
    SIM_ASSERT(b < PB_VALID);                   /* the box blocks: x1 x2 y1 y2 rgb */
    if (x2 < x1 + t->min_w) x2 = x1 + t->min_w;
    if (x1 + t->min_w > t->view && x1 <= t->view) { x1 = t->view - t->min_w; x2 = t->view; }
    SIM_ASSERT(x2 > x1);                        /* every box shows */
    plot_add(t, b, x1, x2, y1, y2, rgb, NULL);
}

void plot_mark(plot_tl *t, plot_block b, sim_time x, int32_t y, uint32_t rgb) {
    SIM_ASSERT(b >= PB_DOT);                    /* the mark blocks: x y rgb */
    SIM_ASSERT(b < PB_LABEL);
    plot_add(t, b, x, x, y, y, rgb, NULL);
}

/* A label's width in ns: bold red labels are a third wider. */
static sim_time label_w(const plot_tl *t, const char *text, bool red) {
    SIM_ASSERT(text != NULL);
    SIM_ASSERT(t->char_w > 0);
    sim_time w = (sim_time)strlen(text) * t->char_w;
    return red ? w + w / 3 : w;
}

plot_lbox plot_label_box(const plot_tl *t, const plot_prim *p) {
    SIM_ASSERT(p->block >= PB_LABEL);           /* labels only */
    SIM_ASSERT(p->block < PB_COUNT);
    sim_time w = label_w(t, plot_text(t, p), p->block >= PB_RED_LABEL);
    bool r = p->block == PB_LABEL_R || p->block == PB_RED_LABEL_R;
    sim_time a = r ? p->x1 - w : p->x1;
    return (plot_lbox){ a, a + w, p->y1 - PLOT_LABEL_HALF, p->y1 + PLOT_LABEL_HALF };
}

bool plot_lbox_meet(const plot_lbox *a, const plot_lbox *b) {
    SIM_ASSERT(a->x1 <= a->x2);
    SIM_ASSERT(b->x1 <= b->x2);
    return a->x1 < b->x2 && b->x1 < a->x2 && a->y1 < b->y2 && b->y1 < a->y2;
}

/* Whether a label at [x1, x2] on row y would meet a placed one (with two
 * characters' room either side, so two labels never read as one). */
static bool label_overlaps(const plot_tl *t, sim_time x1, sim_time x2, int32_t y) {
    plot_lbox me = { x1 - 2 * t->char_w, x2 + 2 * t->char_w, y - PLOT_LABEL_HALF, y + PLOT_LABEL_HALF };
    if (t->label_count == 0) return false;
    /* Boxes that meet me have rows within 2 * PLOT_LABEL_HALF of y. */
    uint32_t last = band_of(t, y + 2 * PLOT_LABEL_HALF);
    for (uint32_t b = band_of(t, y - 2 * PLOT_LABEL_HALF); b <= last; b++)
        for (uint32_t i = t->band_head[b]; i != PLOT_NO_LABEL; i = t->label_next[i]) {
            SIM_ASSERT(i < t->label_count);
            if (plot_lbox_meet(&me, &t->label_box[i])) return true;
        }
    return false;
}

#define STAGGER_MAX 6            /* characters a label may move right to find room */
#define STAGGER_FORCED_MAX 60    /* ... and an evidence label */

/* Whether the same text is already said at x on this lane (two rows read
 * at once both "read 1": one label says it). */
static bool label_said(const plot_tl *t, int32_t lane, sim_time x, const char *text) {
    if (t->label_count == 0) return false;
    uint32_t last = band_of(t, lane + PLOT_LANE_HALF);
    for (uint32_t b = band_of(t, lane - PLOT_LANE_HALF); b <= last; b++)
        for (uint32_t i = t->band_head[b]; i != PLOT_NO_LABEL; i = t->label_next[i]) {
            const plot_prim *p = &t->p[t->label_at[i]];
            if (p->x1 == x && p->y1 >= lane - PLOT_LANE_HALF && p->y1 <= lane + PLOT_LANE_HALF &&
                strcmp(plot_text(t, p), text) == 0)
                return true;
        }
    return false;
}

static void place_label(plot_tl *t, int32_t node, sim_time x, int32_t y, uint32_t rgb, bool right,
                        const char *text) {
    SIM_ASSERT(node >= 0);
    SIM_ASSERT((uint32_t)node < t->s->node_count);
    plot_block b = rgb == PLOT_RED ? (right ? PB_RED_LABEL_R : PB_RED_LABEL)
                   : right ? PB_LABEL_R : PB_LABEL;
    plot_add(t, b, x, x, y, y, rgb, text);
    t->labels[node]++;
}

bool plot_label_room(const plot_tl *t, int32_t node, bool force) {
    if (node < 0 || (uint32_t)node >= t->s->node_count) return false;
    return force || t->labels[node] < PLOT_LABELS_PER_LANE;
}

/* The rows a label asked at `row` may take: the two rows under the marks
 * may swap; the others are fixed. */
static void label_rows(int32_t row, int32_t rows[2]) {
    rows[0] = row;
    rows[1] = row == PLOT_ROW_MARK ? PLOT_ROW_LOW : row == PLOT_ROW_LOW ? PLOT_ROW_MARK : row;
}

/* Whether an unforced label at x on this lane and row is sure to be left
 * out, whatever its text: a label of no width meets a placed one at every
 * place plot_label would try.  A real label's box, left- or right-aligned,
 * holds that no-width box at each place, so it meets there too (and near
 * the right edge it tries fewer places).  Most labels of a long run are
 * left out: this says so before their text is made. */
static bool label_blocked(const plot_tl *t, int32_t lane, sim_time x, int32_t row) {
    enum { ALL = (1u << (STAGGER_MAX + 1)) - 1u };  /* bit k: the place k characters right */
    int32_t rows[2];
    label_rows(row, rows);
    if (t->label_count == 0) return false;
    sim_time room = 2 * t->char_w;              /* as label_overlaps: two characters' room */
    for (size_t r = 0; r < 2; r++) {
        if (r == 1 && rows[1] == rows[0]) break;
        int32_t y = lane + rows[r];
        uint32_t met = 0, last = band_of(t, y + 2 * PLOT_LABEL_HALF);
        /* One walk of the placed labels near the row for all the places
         * (the no-width box at `at` is [at - room, at + room]). */
        for (uint32_t b = band_of(t, y - 2 * PLOT_LABEL_HALF); b <= last && met != ALL; b++)
            for (uint32_t i = t->band_head[b]; i != PLOT_NO_LABEL && met != ALL; i = t->label_next[i]) {
                const plot_lbox *o = &t->label_box[i];
                if (!(y - PLOT_LABEL_HALF < o->y2 && o->y1 < y + PLOT_LABEL_HALF)) continue;
                for (uint32_t k = 0; k <= STAGGER_MAX; k++) {
                    sim_time at = x + (sim_time)k * t->char_w;
                    if (at - room < o->x2 && o->x1 < at + room) met |= 1u << k;
                }
            }
        if (met != ALL) return false;           /* a place is free on this row */
    }
    return true;
}

void plot_label(plot_tl *t, int32_t node, sim_time x, int32_t row, uint32_t rgb, bool force,
                const char *fmt, ...) {
    char text[PLOT_TEXT_MAX];
    SIM_ASSERT(fmt != NULL);
    SIM_ASSERT(row >= -PLOT_LANE_HALF);         /* a row inside the lane */
    SIM_ASSERT(row <= PLOT_LANE_HALF);
    if (!plot_label_room(t, node, force)) return;   /* before the text is made */
    int32_t lane = plot_lane_y(t, node);
    if (!force && label_blocked(t, lane, x, row)) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (label_said(t, lane, x, text)) return;
    sim_time w = label_w(t, text, rgb == PLOT_RED);
    /* A label that meets another on both rows is staggered right, a
     * character at a time (up to STAGGER_MAX, or as far as it takes when
     * forced), never drawn over another. */
    int32_t rows[2];
    label_rows(row, rows);
    uint32_t max = force ? STAGGER_FORCED_MAX : STAGGER_MAX;
    for (uint32_t k = 0; k <= max; k++) {
        sim_time at = x + (sim_time)k * t->char_w;
        bool right = at + w > t->view;
        if (right && k > 0) break;                  /* no room to the right */
        sim_time x1 = right ? at - w : at, x2 = right ? at : at + w;
        for (size_t r = 0; r < 2; r++) {
            if (label_overlaps(t, x1, x2, lane + rows[r])) continue;
            place_label(t, node, at, lane + rows[r], rgb, right, text);
            return;
        }
    }
    if (!force) return;
    bool right = x + w > t->view;
    place_label(t, node, x, lane + row, rgb, right, text);   /* the evidence is never left out */
}

void plot_fmt_span(char *buf, size_t len, sim_time ns) {
    SIM_ASSERT(buf != NULL);
    SIM_ASSERT(ns >= 0);                        /* a span of the run */
    sim_fmt_time(buf, len, ns);
}

/* --------------------------------------------------------- lock holds */

typedef struct key_hold {
    int32_t node, client;
    char key[SIM_NAME_MAX];
    sim_time from, to;
    sim_time own;                /* from when it was the node's earliest live key (the
                                    owner, as ZooKeeper's lowest znode), NEVER if never */
    const char *why;             /* how it ended: "expired", "lost", ... */
    int32_t by;                  /* who deleted or overwrote it, -1 */
} key_hold;

typedef struct holds {
    key_hold *items;
    uint32_t count, cap;
} holds;

static key_hold *hold_open(holds *hs, const hist_effect *e) {
    SIM_ASSERT(e->kind == HIST_EFF_LOCK_SET);   /* only a SET starts a hold */
    SIM_ASSERT(hs->count <= hs->cap);
    if (hs->count == hs->cap) {
        hs->cap = hs->cap ? hs->cap * 2 : 32;
        hs->items = sim_xrealloc(hs->items, hs->cap * sizeof *hs->items);
    }
    key_hold *k = &hs->items[hs->count++];
    memset(k, 0, sizeof *k);
    k->node = e->node;
    k->client = e->client;
    size_t n = strnlen(e->key, sizeof k->key - 1);       /* cut as snprintf would */
    memcpy(k->key, e->key, n);
    k->key[n] = '\0';
    k->from = e->t_ns;
    k->to = SIM_TIME_NEVER;
    k->by = -1;
    return k;
}

/* The index of open holds: one slot per (lock node, key) seen, in the
 * order first seen, and a hash table of slot numbers + 1 (0 = free) with
 * linear probing, at most half full. */
#define NO_HOLD UINT32_MAX

typedef struct hold_slot {
    uint32_t first;              /* a hold of this node and key: its name */
    uint32_t open;               /* the open one, or NO_HOLD */
} hold_slot;

typedef struct hold_index {
    hold_slot *slot;
    uint32_t count, cap;
    uint32_t *table;
    uint32_t mask;               /* table size - 1, a power of two minus one */
} hold_index;

static uint32_t hold_hash(int32_t node, const char *key) {
    uint64_t x = 0xcbf29ce484222325u ^ (uint32_t)node;   /* FNV-1a */
    for (size_t i = 0; i < SIM_NAME_MAX && key[i]; i++) x = (x ^ (unsigned char)key[i]) * 0x100000001b3u;
    return (uint32_t)(x ^ (x >> 32));
}

static void index_put(hold_index *ix, const holds *hs, uint32_t n) {
    const key_hold *k = &hs->items[ix->slot[n].first];
    uint32_t i = hold_hash(k->node, k->key) & ix->mask;
    while (ix->table[i] != 0) i = (i + 1u) & ix->mask;
    ix->table[i] = n + 1u;
}

/* Doubles the table, putting the slots back in the order first seen. */
static void index_grow(hold_index *ix, const holds *hs) {
    uint32_t size = ix->table ? (ix->mask + 1u) * 2u : 64u;
    free(ix->table);
    ix->table = sim_xcalloc(size, sizeof *ix->table);
    ix->mask = size - 1u;
    for (uint32_t n = 0; n < ix->count; n++) index_put(ix, hs, n);
}

/* The slot of e's node and key, or NULL if none was seen. */
static hold_slot *index_find(const hold_index *ix, const holds *hs, const hist_effect *e) {
    SIM_ASSERT(e->kind >= HIST_EFF_LOCK_SET);
    SIM_ASSERT(e->kind <= HIST_EFF_LOCK_LOST);
    if (ix->table == NULL) return NULL;
    for (uint32_t i = hold_hash(e->node, e->key) & ix->mask; ix->table[i] != 0; i = (i + 1u) & ix->mask) {
        hold_slot *sl = &ix->slot[ix->table[i] - 1u];
        const key_hold *k = &hs->items[sl->first];
        if (k->node == e->node && strcmp(k->key, e->key) == 0) return sl;
    }
    return NULL;
}

/* A new slot for hold `h`'s node and key (not seen before). */
static hold_slot *index_add(hold_index *ix, const holds *hs, uint32_t h) {
    SIM_ASSERT(h < hs->count);
    if (ix->count == ix->cap) {
        ix->cap = ix->cap ? ix->cap * 2 : 32;
        ix->slot = sim_xrealloc(ix->slot, ix->cap * sizeof *ix->slot);
    }
    ix->slot[ix->count] = (hold_slot){ h, NO_HOLD };
    if (ix->table == NULL || (ix->count + 1u) * 2u > ix->mask + 1u) {
        ix->count++;
        index_grow(ix, hs);
    } else {
        index_put(ix, hs, ix->count++);
    }
    return &ix->slot[ix->count - 1u];
}

/* Every key a lock node held, from the LOCK_* effects in order. */
static void collect_holds(const plot_tl *t, holds *hs) {
    hold_index ix = { NULL, 0, 0, NULL, 0 };
    for (uint32_t i = 0; i < t->h->effect_count; i++) {
        const hist_effect *e = &t->h->effects[i];
        if (!lock_is_key_effect(e->kind)) continue;
        hold_slot *sl = index_find(&ix, hs, e);
        key_hold *k = sl && sl->open != NO_HOLD ? &hs->items[sl->open] : NULL;
        SIM_ASSERT(k == NULL || k->to == SIM_TIME_NEVER);        /* the open one */
        if (e->kind == HIST_EFF_LOCK_SET) {
            if (k && k->client == e->client) continue;            /* set again: still held */
            if (k) { k->to = e->t_ns; k->why = "overwritten by"; k->by = e->client; }
            hold_open(hs, e);
            if (sl == NULL) sl = index_add(&ix, hs, hs->count - 1u);
            sl->open = hs->count - 1u;
            continue;
        }
        if (!k || e->kind == HIST_EFF_LOCK_EXTEND) continue;
        sl->open = NO_HOLD;
        k->to = e->t_ns;
        k->why = e->kind == HIST_EFF_LOCK_EXPIRE ? "expired"
                 : e->kind == HIST_EFF_LOCK_LOST ? "lost" : NULL;
        if (e->kind == HIST_EFF_LOCK_DEL && e->client != k->client) {
            k->why = "deleted by";
            k->by = e->client;
        }
    }
    free(ix.slot);
    free(ix.table);
    for (uint32_t i = 0; i < hs->count; i++) {
        if (hs->items[i].to == SIM_TIME_NEVER) hs->items[i].to = t->end;
        SIM_ASSERT(hs->items[i].to >= hs->items[i].from);   /* effects come in time order */
    }
}

/* A key owns the lock on its node while no key set earlier there is still
 * live: Redis has one key at a time, ZooKeeper and etcd queue theirs by
 * creation order.  O(keys^2) per node, so very many keys are all owners. */
static void find_owners(holds *hs) {
    for (uint32_t i = 0; i < hs->count; i++) {
        key_hold *k = &hs->items[i];
        k->own = k->from;
        for (uint32_t j = 0; j < i && hs->count <= 4096; j++) {
            const key_hold *e = &hs->items[j];
            if (e->node == k->node && e->to > k->own) k->own = e->to;
        }
        if (k->own >= k->to) k->own = SIM_TIME_NEVER;
        SIM_ASSERT(k->own == SIM_TIME_NEVER || k->own >= k->from);   /* own in [from, to) */
        SIM_ASSERT(k->own == SIM_TIME_NEVER || k->own < k->to);
    }
}

/* How many lock nodes a client's key must be on to count as held. */
static uint32_t lock_quorum(const plot_tl *t, const holds *hs) {
    uint32_t best = 0, nodes = t->s->node_count;
    /* Per node: how many nodes share its role, counted once for each node
     * that holds a key (not once per hold: a long run has tens of
     * thousands on a few nodes). */
    uint32_t *same = sim_xcalloc(nodes + 1u, sizeof *same);   /* 0 = not counted yet */
    for (uint32_t i = 0; i < hs->count; i++) {
        int32_t node = hs->items[i].node;
        SIM_ASSERT(node >= 0);                  /* a lock effect names its node */
        SIM_ASSERT((uint32_t)node < nodes);
        if (same[node] == 0) {
            const char *role = t->s->nodes[node].role;
            for (uint32_t j = 0; j < nodes; j++) same[node] += strcmp(t->s->nodes[j].role, role) == 0;
            SIM_ASSERT(same[node] >= 1);        /* the node itself */
        }
        if (same[node] > best) best = same[node];
    }
    free(same);
    return best / 2u + 1u;
}

/* Appends "; WHAT" to the note under the title. */
static void add_note(plot_tl *t, const char *what) {
    size_t used = strlen(t->note);
    snprintf(t->note + used, sizeof t->note - used, "%s%s", used ? "; " : "", what);
}

static void draw_key_holds(plot_tl *t, const holds *hs) {
    if (hs->count > PLOT_BARS_MAX) {
        char what[96];
        snprintf(what, sizeof what, "%u keys held: the first %u drawn", hs->count, PLOT_BARS_MAX);
        add_note(t, what);
    }
    for (uint32_t i = 0; i < hs->count && i < PLOT_BARS_MAX; i++) {
        const key_hold *k = &hs->items[i];
        int32_t y = plot_lane_y(t, k->node);
        SIM_ASSERT(k->client < (int32_t)t->s->node_count);   /* indexes rgb[] and nodes[] */
        SIM_ASSERT(k->by < (int32_t)t->s->node_count);
        uint32_t rgb = k->client >= 0 ? t->rgb[k->client] : PLOT_GREY;
        sim_time own = k->own == SIM_TIME_NEVER ? k->to : k->own;
        if (own > k->from) {                              /* queued behind an older key */
            plot_box(t, PB_HELD, k->from, own, y + PLOT_TOP_LO, y + PLOT_TOP_HI, rgb);
            t->legend |= PL_QUEUED;
        }
        if (k->own != SIM_TIME_NEVER) plot_box(t, PB_BAR, own, k->to, y + PLOT_TOP_LO, y + PLOT_TOP_HI, rgb);
        t->legend |= PL_KEY;
        const char *who = k->client >= 0 ? t->s->nodes[k->client].name : "?";
        plot_label(t, k->node, k->from, PLOT_ROW_TOP, rgb, false, "%s's key%s", who,
                   own > k->from ? " (queued)" : "");
        if (!k->why) continue;
        const char *by = k->by >= 0 ? t->s->nodes[k->by].name : "";
        plot_label_ending(t, k->node, k->to, PLOT_ROW_MARK, PLOT_GREY, "%s%s%s", k->why,
                          k->by >= 0 ? " " : "", by);
    }
}

/* A hold's edge as one sortable number: its time, then 0 for an end and 1
 * for a start, so ends sort before starts at the same time. */
static uint64_t edge_key(sim_time t, bool start) {
    SIM_ASSERT(t >= 0);                         /* a time of the run: the shift keeps it */
    return (uint64_t)t << 1 | (start ? 1u : 0u);
}

/* Sorts v[0..n) ascending: a least-significant-byte-first radix sort,
 * tmp as big as v, skipping the bytes all keys share (the high bytes of
 * times).  Equal keys are the same edge, so no order among them shows. */
static void sort_keys(uint64_t *v, uint64_t *tmp, uint32_t n) {
    uint64_t *src = v, *dst = tmp;
    for (unsigned shift = 0; shift < 64; shift += 8) {
        uint32_t at[257] = { 0 };
        for (uint32_t i = 0; i < n; i++) at[((src[i] >> shift) & 0xffu) + 1u]++;
        bool one = false;
        for (uint32_t b = 1; b <= 256 && !one; b++) one = at[b] == n;
        if (one) continue;                      /* every key has this byte: no move */
        for (uint32_t b = 1; b <= 256; b++) at[b] += at[b - 1];
        for (uint32_t i = 0; i < n; i++) dst[at[(src[i] >> shift) & 0xffu]++] = src[i];
        uint64_t *x = src;
        src = dst;
        dst = x;
    }
    if (src != v) memcpy(v, src, (size_t)n * sizeof *v);
    for (uint32_t i = 1; i < n; i++) SIM_ASSERT(v[i - 1] <= v[i]);
}

/* Under each client's belief: when a quorum of lock nodes held its key.
 * The owned holds are first grouped by client (a counting sort), so each
 * client's edges cost its own holds, not every hold. */
static void draw_service_held(plot_tl *t, const holds *hs) {
    uint32_t q = lock_quorum(t, hs), nodes = t->s->node_count;
    SIM_ASSERT(q >= 1);
    uint32_t *first = sim_xcalloc(nodes + 2u, sizeof *first);   /* client c: by_client[first[c]..first[c+1]) */
    uint32_t *by_client = sim_xcalloc(hs->count + 1u, sizeof *by_client);
    for (uint32_t i = 0; i < hs->count; i++) {
        const key_hold *k = &hs->items[i];
        if (k->client >= 0 && (uint32_t)k->client < nodes && k->own != SIM_TIME_NEVER) first[k->client + 2]++;
    }
    for (uint32_t c = 0; c < nodes; c++) first[c + 2] += first[c + 1];
    for (uint32_t i = 0; i < hs->count; i++) {
        const key_hold *k = &hs->items[i];
        if (k->client >= 0 && (uint32_t)k->client < nodes && k->own != SIM_TIME_NEVER)
            by_client[first[k->client + 1]++] = i;              /* in index order */
    }
    uint64_t *ev = sim_xmalloc(((size_t)hs->count * 2 + 1) * sizeof *ev);
    uint64_t *tmp = sim_xmalloc(((size_t)hs->count * 2 + 1) * sizeof *tmp);
    for (uint32_t c = 0; c < nodes; c++) {
        uint32_t n = 0;
        for (uint32_t j = first[c]; j < first[c + 1]; j++) {
            const key_hold *k = &hs->items[by_client[j]];
            SIM_ASSERT(k->client == (int32_t)c);
            ev[n++] = edge_key(k->own, true);
            ev[n++] = edge_key(k->to, false);
        }
        sort_keys(ev, tmp, n);
        int32_t level = 0, y = plot_lane_y(t, (int32_t)c);
        sim_time from = 0;
        for (uint32_t i = 0; i < n; i++) {
            bool was = level >= (int32_t)q;
            sim_time at = (sim_time)(ev[i] >> 1);
            level += (ev[i] & 1u) ? 1 : -1;
            if (!was && level >= (int32_t)q) from = at;
            if (was && level < (int32_t)q) {
                plot_box(t, PB_HELD, from, at, y + PLOT_HELD_LO, y + PLOT_HELD_HI, t->rgb[c]);
                t->legend |= PL_HELD;
            }
        }
        SIM_ASSERT(level == 0);                 /* every hold that starts also ends */
    }
    free(tmp);
    free(ev);
    free(by_client);
    free(first);
}

/* ------------------------------------------------------------ beliefs */

static sim_time crash_after(const plot_tl *t, int32_t node, sim_time from) {
    SIM_ASSERT(node >= 0);
    SIM_ASSERT((uint32_t)node < t->s->node_count);
    for (uint32_t i = 0; i < t->s->fault_count; i++) {
        const scn_fault *f = &t->s->faults[i];
        if (scn_fault_crashes(f->kind) && f->node == node && f->at_ns >= from) return f->at_ns;
    }
    return SIM_TIME_NEVER;
}

/* Per op, the index of the next op of the same node (UINT32_MAX: none),
 * so a client's ops are walked without passing every other client's. */
static uint32_t *next_of_node(const plot_tl *t) {
    const hist *h = t->h;
    uint32_t *next = sim_xcalloc(h->op_count + 1u, sizeof *next);
    uint32_t *last = sim_xcalloc(t->s->node_count + 1u, sizeof *last);   /* index + 1, 0 = none */
    for (uint32_t i = h->op_count; i-- > 0;) {
        int32_t n = h->ops[i].node;
        bool known = n >= 0 && (uint32_t)n < t->s->node_count;
        next[i] = known && last[n] ? last[n] - 1u : UINT32_MAX;
        if (known) last[n] = i + 1u;
    }
    free(last);
    return next;
}

/* The end of epoch `e` of acquire `a` (op index ai): its release, else its
 * last op; next[] chains each node's ops. */
static sim_time belief_end(const plot_tl *t, const uint32_t *next, uint32_t ai) {
    const hist_op *a = &t->h->ops[ai];
    SIM_ASSERT(a->f == HIST_F_ACQUIRE);         /* draw_beliefs asks for acquires only */
    SIM_ASSERT(a->result == HIST_OK);
    sim_time end = a->complete_ns, release = SIM_TIME_NEVER;
    for (uint32_t i = next[ai]; i != UINT32_MAX; i = next[i]) {
        const hist_op *op = &t->h->ops[i];
        SIM_ASSERT(op->node == a->node);        /* the chain stays on a's node */
        if (op->f == HIST_F_ACQUIRE) break;                  /* the client's next epoch */
        if (hist_op_epoch(t->h, op) != hist_op_epoch(t->h, a)) continue;
        if (op->f == HIST_F_RELEASE) { release = op->invoke_ns; break; }
        sim_time done = op->result == HIST_PENDING ? t->end : op->complete_ns;
        if (done > end) end = done;
    }
    if (release != SIM_TIME_NEVER) end = release;
    sim_time crash = crash_after(t, a->node, a->complete_ns);
    return crash < end ? crash : end;
}

static void draw_beliefs(plot_tl *t) {
    uint32_t drawn = 0;
    SIM_ASSERT(t->evidence != NULL);            /* mark_evidence ran first */
    for (uint32_t i = 0; i < t->h->op_count; i++) {
        const hist_op *a = &t->h->ops[i];
        drawn += a->f == HIST_F_ACQUIRE && a->result == HIST_OK && a->node >= 0;
    }
    if (drawn > PLOT_BARS_MAX) {
        char what[96];
        snprintf(what, sizeof what, "%u holds: the first %u and the violating ones drawn", drawn,
                 PLOT_BARS_MAX);
        add_note(t, what);
    }
    drawn = 0;
    uint32_t *next = next_of_node(t);
    for (uint32_t i = 0; i < t->h->op_count; i++) {
        const hist_op *a = &t->h->ops[i];
        if (a->f != HIST_F_ACQUIRE || a->result != HIST_OK || a->node < 0) continue;
        if (++drawn > PLOT_BARS_MAX && !t->evidence[i]) continue;
        int32_t y = plot_lane_y(t, a->node);
        sim_time end = belief_end(t, next, i);
        plot_box(t, PB_BAR, a->complete_ns, end, y + PLOT_TOP_LO, y + PLOT_TOP_HI, t->rgb[a->node]);
        t->legend |= PL_BELIEF;
        if (t->evidence[i]) {
            plot_box(t, PB_OUTLINE, a->complete_ns, end, y + PLOT_TOP_LO - 2, y + PLOT_TOP_HI + 2,
                     PLOT_RED);
        }
        int64_t token = a->has_value_out && a->value_out != 0 ? a->value_out : hist_op_token(t->h, a);
        const char *name = t->s->nodes[a->node].name;
        if (token != 0)
            plot_label(t, a->node, a->complete_ns, PLOT_ROW_TOP, t->rgb[a->node], false,
                       "%s holds the lock (epoch %lld, token %lld)", name, (long long)hist_op_epoch(t->h, a),
                       (long long)token);
        else
            plot_label(t, a->node, a->complete_ns, PLOT_ROW_TOP, t->rgb[a->node], false,
                       "%s holds the lock (epoch %lld)", name, (long long)hist_op_epoch(t->h, a));
    }
    free(next);
}

/* Redlock / lease-lock: how long the client's own clock said the lease was valid. */
static void draw_validity(plot_tl *t) {
    SIM_ASSERT(t->h != NULL);
    for (uint32_t i = 0; i < t->h->effect_count; i++) {
        const hist_effect *e = &t->h->effects[i];
        if (e->kind != HIST_EFF_LEASE || e->node < 0 || e->value <= 0) continue;
        sim_time until = plot_true_after_mono(t->s, e->node, e->t_ns, e->value);
        SIM_ASSERT(until >= e->t_ns);           /* a clock that runs forward */
        int32_t y = plot_lane_y(t, e->node) + PLOT_TOP_HI + 4;
        plot_add(t, PB_VALID, e->t_ns, until, y, y, t->rgb[e->node], NULL);
        t->legend |= PL_VALIDITY;
    }
}

/* ------------------------------------------------------- blocked windows */

/* A blocked or unblocked effect's place in the sort: by node and key, then
 * in history order. */
typedef struct block_key { const hist_effect *e; uint32_t at; } block_key;

static int block_key_cmp(const void *pa, const void *pb) {
    const block_key *x = pa, *y = pb;
    if (x->e->node != y->e->node) return x->e->node < y->e->node ? -1 : 1;
    int k = strcmp(x->e->key, y->e->key);
    if (k != 0) return k;
    return x->at < y->at ? -1 : x->at > y->at;
}

/* Per effect, where the blocked window it opens ends: the next BLOCKED or
 * UNBLOCKED of the same node and key, found by one sort (not a scan ahead
 * from every window); the horizon when there is none. */
static sim_time *blocked_ends(const plot_tl *t) {
    const hist *h = t->h;
    sim_time *to = sim_xcalloc(h->effect_count + 1u, sizeof *to);
    block_key *k = sim_xcalloc(h->effect_count + 1u, sizeof *k);
    uint32_t n = 0;
    for (uint32_t i = 0; i < h->effect_count; i++)
        if (h->effects[i].kind == HIST_EFF_BLOCKED || h->effects[i].kind == HIST_EFF_UNBLOCKED)
            k[n++] = (block_key){ &h->effects[i], i };
    qsort(k, n, sizeof *k, block_key_cmp);
    for (uint32_t j = 0; j < n; j++) {
        bool same = j + 1 < n && k[j + 1].e->node == k[j].e->node &&
                    strcmp(k[j + 1].e->key, k[j].e->key) == 0;
        to[k[j].at] = same ? k[j + 1].e->t_ns : t->end;
    }
    free(k);
    return to;
}

static void draw_blocked(plot_tl *t) {
    const hist *h = t->h;
    SIM_ASSERT(h != NULL);
    uint32_t windows = 0;
    for (uint32_t i = 0; i < h->effect_count; i++) windows += h->effects[i].kind == HIST_EFF_BLOCKED;
    if (windows == 0) return;
    sim_time *ends = blocked_ends(t);
    for (uint32_t i = 0; i < h->effect_count; i++) {
        const hist_effect *b = &h->effects[i];
        if (b->kind != HIST_EFF_BLOCKED || b->node < 0) continue;
        sim_time to = ends[i];
        SIM_ASSERT(to >= b->t_ns);              /* effects come in time order */
        int32_t y = plot_lane_y(t, b->node);
        bool client = b->client >= 0 && (uint32_t)b->client < t->s->node_count;
        uint32_t rgb = t->rgb[client ? b->client : b->node];         /* who waits */
        plot_box(t, PB_BLOCK, b->t_ns, to, y + PLOT_MID_LO, y + PLOT_MID_HI, rgb);
        t->legend |= PL_BLOCK;
        if (windows <= 12)                           /* more: a smear of labels */
            plot_label(t, b->node, b->t_ns, PLOT_ROW_LOW, 0x333333u, false, "blocked: %s%s", b->key,
                       to == t->end ? " (still at the end)" : "");
    }
    free(ends);
}

/* --------------------------------------------------------------- ops */

/* An op's segment: its client's colour always (colour says who); the
 * outcome is the line's style (ok thick, failed thin, unknown or pending
 * dashed); evidence is red. */
static plot_block op_block(const plot_tl *t, uint32_t i) {
    const hist_op *op = &t->h->ops[i];
    SIM_ASSERT(op->node >= 0);                  /* draw_ops skips ops of no node */
    SIM_ASSERT((uint32_t)op->node < t->s->node_count);
    if (t->evidence[i]) return PB_RED_SEG;
    return op->result == HIST_OK ? PB_SEG : op->result == HIST_FAIL ? PB_SEG_FAIL : PB_SEG_INFO;
}

static void draw_ops(plot_tl *t) {
    SIM_ASSERT(t->evidence != NULL);            /* mark_evidence ran first */
    bool all = t->h->op_count <= PLOT_OPS_DRAWN_MAX;
    for (uint32_t i = 0; i < t->h->op_count; i++) {
        const hist_op *op = &t->h->ops[i];
        if (op->node < 0 || (uint32_t)op->node >= t->s->node_count) continue;
        if (!all && !t->evidence[i]) continue;
        sim_time to = op->result == HIST_PENDING ? t->end : op->complete_ns;
        if (to < op->invoke_ns + t->min_w) to = op->invoke_ns + t->min_w;
        int32_t y = plot_lane_y(t, op->node) + PLOT_OPS_Y;
        plot_block b = op_block(t, i);
        plot_add(t, b, op->invoke_ns, to, y, y, b == PB_RED_SEG ? PLOT_RED : t->rgb[op->node], NULL);
        t->legend |= PL_OPS;
        if (op->result == HIST_PENDING)
            plot_label(t, op->node, op->invoke_ns, PLOT_ROW_MARK, 0x666666u, false,
                       "%s still pending at the end", hist_f_name(t->h, op->f));
    }
    if (!all) {
        size_t used = strlen(t->note);
        snprintf(t->note + used, sizeof t->note - used, "%s%u ops: only the violating ones drawn "
                 "(latency.png shows them all)", used ? "; " : "", t->h->op_count);
    }
}

/* A violation fencing made harmless: said in grey where it happened, not
 * drawn as evidence (red is only for harm a check names). */
static void draw_fenced(plot_tl *t, const check_result *c) {
    const hist_op *op = &t->h->ops[c->evidence_ops[0]];
    sim_time at = op->f == HIST_F_ACQUIRE && op->result != HIST_PENDING ? op->complete_ns : op->invoke_ns;
    plot_label(t, op->node, at, PLOT_ROW_LOW, 0x555555u, false, "%s (fencing: no harm)",
               c->evidence_label[0] ? c->evidence_label : c->name);
}

/* An evidence label in the user's words: the isolation check names its
 * anomaly by a code ("A5B"); the picture says what it is ("write skew
 * (A5B)", the words from the check's summary) and, on the on-call
 * workload, what it did ("write skew: nobody on call"). */
static void evidence_words(const plot_tl *t, const check_result *c, char *buf, size_t len) {
    const char *label = c->evidence_label[0] ? c->evidence_label : c->name;
    snprintf(buf, len, "%s", label);
    if (strcmp(c->name, "isolation") != 0) return;
    size_t code = strlen(label);
    if (strncmp(c->summary, label, code) != 0 || c->summary[code] != ' ') return;
    const char *words = c->summary + code + 1;
    int n = (int)strcspn(words, "(");
    while (n > 0 && words[n - 1] == ' ') n--;
    if (n <= 0) return;
    bool skew = strcmp(label, "A5B") == 0 || strcmp(label, "G2") == 0;
    if (strcmp(label, "G2") == 0) { words = "write skew over a predicate"; n = (int)strlen(words); }
    if (skew && strcmp(t->s->workload_kind, "on-call") == 0)
        snprintf(buf, len, "%.*s: nobody on call", n, words);
    else
        snprintf(buf, len, "%.*s (%s)", n, words, label);
}

/* Red labels: one per evidence op, naming every check that cited it. */
static void draw_evidence(plot_tl *t) {
    const rpt_run *r = t->run;
    SIM_ASSERT(t->evidence != NULL);
    SIM_ASSERT(r->results != NULL || r->result_count == 0);
    for (size_t i = 0; i < r->result_count; i++) {
        const check_result *c = &r->results[i];
        if (c->verdict != CHECK_VIOLATION || c->evidence_count == 0) continue;
        uint32_t id = c->evidence_ops[0];
        if (id >= t->h->op_count || t->evidence[id] == 2) continue;   /* labelled already */
        if (plot_check_fenced(c)) { draw_fenced(t, c); continue; }
        const hist_op *op = &t->h->ops[id];
        char more[PLOT_TEXT_MAX] = "", first[PLOT_TEXT_MAX];
        evidence_words(t, c, first, sizeof first);
        for (size_t j = i + 1; j < r->result_count; j++) {
            const check_result *d = &r->results[j];
            if (d->verdict != CHECK_VIOLATION || d->evidence_count == 0 || d->evidence_ops[0] != id ||
                plot_check_fenced(d))
                continue;
            size_t used = strlen(more);
            char w[PLOT_TEXT_MAX];
            evidence_words(t, d, w, sizeof w);
            size_t wl = strlen(w), fl = strlen(first);
            if (strncmp(w, first, fl) == 0) { memcpy(first, w, wl + 1); continue; }   /* says more */
            if (strstr(first, w) || strstr(more, w)) continue;                         /* said */
            if (used + 2 + wl >= sizeof more) continue;            /* no room: left out */
            memcpy(more + used, ", ", 2);
            memcpy(more + used + 2, w, wl + 1);
        }
        sim_time at = op->f == HIST_F_ACQUIRE && op->result != HIST_PENDING ? op->complete_ns
                                                                             : op->invoke_ns;
        plot_label(t, op->node, at, PLOT_ROW_LOW, PLOT_RED, true, "%s%s", first, more);
        t->evidence[id] = 2;
    }
}

/* --------------------------------------------------------------- build */

static void pick_colours(plot_tl *t) {
    uint32_t next = 0;
    SIM_ASSERT(t->s->node_count <= SIM_NODES_MAX);
    bool is_client[SIM_NODES_MAX] = { false };
    for (uint32_t i = 0; i < t->h->op_count; i++)
        if (t->h->ops[i].node >= 0 && (uint32_t)t->h->ops[i].node < t->s->node_count)
            is_client[t->h->ops[i].node] = true;
    for (uint32_t n = 0; n < t->s->node_count; n++) {
        t->rgb[n] = PLOT_GREY;
        if (is_client[n]) t->rgb[n] = palette[next++ % (sizeof palette / sizeof palette[0])];
    }
    SIM_ASSERT(next <= t->s->node_count);
}

static void mark_evidence(plot_tl *t) {
    SIM_ASSERT(t->evidence == NULL);            /* built once per timeline */
    SIM_ASSERT(t->run != NULL);
    t->evidence = sim_xcalloc(t->h->op_count + 1u, 1);
    for (size_t i = 0; i < t->run->result_count; i++) {
        const check_result *c = &t->run->results[i];
        if (c->verdict != CHECK_VIOLATION || plot_check_fenced(c)) continue;
        for (uint32_t k = 0; k < c->evidence_count && k < CHECK_EVIDENCE_MAX; k++) {
            if (c->evidence_ops[k] >= t->h->op_count) continue;
            t->evidence[c->evidence_ops[k]] = 1;
            t->evidence_op_flag = true;
        }
    }
}

/* A little after the last thing that happens: an op, an effect, a fault,
 * a message.  The whole run when an op is still pending at the end, or when
 * trimming would save little. */
sim_time plot_view_end(const scn *s, const hist *h, sim_time end, const plot_msgs *m) {
    SIM_ASSERT(s != NULL);
    SIM_ASSERT(h != NULL);
    sim_time last = 0;
    for (uint32_t i = 0; i < h->op_count; i++) {
        const hist_op *op = &h->ops[i];
        if (op->result == HIST_PENDING) return end;
        if (op->complete_ns > last) last = op->complete_ns;
    }
    /* effects are appended in true-time order (hist.h): the last is the latest */
    if (h->effect_count > 0 && h->effects[h->effect_count - 1].t_ns > last) last = h->effects[h->effect_count - 1].t_ns;
    for (uint32_t i = 0; i < s->fault_count; i++) {
        const scn_fault *f = &s->faults[i];
        sim_time at = f->kind == SCN_FAULT_PAUSE || f->kind == SCN_FAULT_LINK_DELAY ||
                      f->kind == SCN_FAULT_LINK_LOSS || (scn_fault_crashes(f->kind) && f->for_ns > 0) ? f->at_ns + f->for_ns : f->at_ns;
        if (at > last) last = at;
    }
    if (m && m->last_arrive_ns != SIM_TIME_NEVER && m->last_arrive_ns > last) last = m->last_arrive_ns;
    sim_time view = last + last / 10 + SIM_MS, step = 1;
    while (view / step >= 100) step *= 10;                   /* two digits, rounded up */
    view = (view + step - 1) / step * step;
    return view >= end - end / 4 ? end : view;
}

void plot_tl_build(plot_tl *t, const plot_run *r) {
    plot_tl_build_at(t, r, 0);
}

void plot_tl_build_at(plot_tl *t, const plot_run *r, sim_time view) {
    SIM_ASSERT(t != NULL);
    SIM_ASSERT(r != NULL);
    SIM_ASSERT(r->run != NULL);
    memset(t, 0, sizeof *t);
    t->run = r->run;
    t->s = r->run->s;
    t->h = r->run->h;
    t->end = r->run->end_ns > 0 ? r->run->end_ns : t->s->duration_ns;
    SIM_ASSERT(t->end > 0);
    t->view = plot_view_end(t->s, t->h, t->end, r->msgs);
    if (view > 0) t->view = view < t->end ? view : t->end;
    t->min_w = t->view / 300 > 0 ? t->view / 300 : 1;
    t->char_w = t->view / 180 > 0 ? t->view / 180 : 1;
    if (t->view < t->end) {
        char a[32], b[32];
        plot_fmt_span(a, sizeof a, t->view);
        plot_fmt_span(b, sizeof b, t->end);
        snprintf(t->note, sizeof t->note, "shown to %s: nothing happens after; the run ends at %s", a, b);
    }
    pick_colours(t);
    mark_evidence(t);
    plot_build_faults(t);
    plot_build_clocks(t);
    holds hs = { NULL, 0, 0 };
    collect_holds(t, &hs);
    find_owners(&hs);
    draw_beliefs(t);
    draw_service_held(t, &hs);
    draw_key_holds(t, &hs);
    free(hs.items);
    draw_validity(t);
    plot_build_leases(t);
    plot_build_in_doubt(t);
    plot_build_stock(t);
    draw_blocked(t);
    draw_ops(t);
    plot_build_sagas(t);
    plot_build_marks(t);
    draw_evidence(t);
    plot_build_arrows(t, r->msgs);
    plot_thin(t);
}

void plot_tl_free(plot_tl *t) {
    if (!t) return;
    SIM_ASSERT(t->count <= t->cap);
    SIM_ASSERT(t->label_count <= t->label_cap);
    free(t->p);
    free(t->text);
    free(t->label_at);
    free(t->label_box);
    free(t->label_next);
    free(t->band_head);
    free(t->evidence);
    free(t->red_effect);
    memset(t, 0, sizeof *t);
}
