/* search.c -- the Wing-Gong linearizability search with Lowe's memo and two
 * prunings, over one partition (one key) of a history.
 *
 * The pending ops are a doubly linked list of call and return entries in
 * real-time order.  A call met before the first return is a candidate: if
 * the model accepts it and the configuration (set of linearized ops, model
 * state) is new, it is linearized (lifted out of the list) and the scan
 * restarts; meeting a return means every candidate failed, so the last
 * choice is undone (backtracking).  Info ops have no return entry: they may
 * be linearized at any time or never, and the search succeeds when no
 * return entry is left.
 *
 * Invariants: list membership = not linearized; the stack holds the
 * linearized ops in order with the state before each; `remaining` counts
 * the return entries still listed; fp1/fp2 is the XOR of the per-op random
 * words of the linearized set.
 *
 * Prunings:
 *  - Memo (Lowe): a configuration already in the table was already explored
 *    and failed (success ends the search), so it is not explored again.
 *  - Read commitment: an op that leaves every state it is legal in unchanged
 *    (a read, a cas [v v]) and is legal now can be linearized now without
 *    trying the alternatives: any linearization that places it later stays
 *    legal with it moved here.  So when its subtree fails, its parent fails.
 *
 * Trade-off: the memo key stores the linearized set as a 128-bit
 * fingerprint (Zobrist hashing, updated in O(1) per step) instead of the
 * bitset itself (O(n) per step and n/8 bytes per entry), with the model
 * state compared exactly.  Two different sets collide with probability
 * 2^-128 per pair; with the memory budget's at most ~10^8 entries the chance
 * that any collision happens is below 10^-22, and a collision could only
 * prune a branch that was not explored.  In exchange, an entry is 24 bytes
 * whatever the history's length, and the memory budget is exact.
 */
#include "sim/lincheck/lin_internal.h"

#include <string.h>

typedef struct cache {
    uint64_t *slot;              /* (f1, f2, state) triples; f2 == 0 marks an empty slot */
    size_t mask, count, peak_bytes;
    lin_budget *budget;          /* shared by the partitions' tables */
} cache;

static size_t cache_bytes(size_t slots) { return slots * 3 * sizeof(uint64_t); }

static void cache_place(uint64_t *slot, size_t mask, uint64_t f1, uint64_t f2, uint64_t s) {
    LIN_ASSERT((mask & (mask + 1)) == 0);   /* a power of two, minus one */
    LIN_ASSERT(f2 != 0);                    /* f2 == 0 marks an empty slot */
    size_t i = (size_t)(f1 ^ (s * UINT64_C(0x9e3779b97f4a7c15))) & mask;
    while (slot[3 * i + 1] != 0) i = (i + 1) & mask;
    slot[3 * i] = f1;
    slot[3 * i + 1] = f2;
    slot[3 * i + 2] = s;
}

/* Doubles the table if the budget allows; false when it does not. */
static bool cache_grow(cache *c) {
    size_t cap = (c->mask + 1) * 2, grow = cache_bytes(cap) - cache_bytes(c->mask + 1);
    if (c->budget->used_bytes + grow > c->budget->max_bytes) return false;
    uint64_t *fresh = calloc(cap * 3, sizeof *fresh);
    if (fresh == NULL) return false;
    c->budget->used_bytes += grow;
    for (size_t i = 0; i <= c->mask; i++)
        if (c->slot[3 * i + 1] != 0) cache_place(fresh, cap - 1, c->slot[3 * i], c->slot[3 * i + 1], c->slot[3 * i + 2]);
    free(c->slot);
    c->slot = fresh;
    c->mask = cap - 1;
    if (cache_bytes(cap) > c->peak_bytes) c->peak_bytes = cache_bytes(cap);
    LIN_ASSERT(c->count < cap / 2);         /* grown before it was half full */
    LIN_ASSERT(c->budget->used_bytes <= c->budget->max_bytes);
    return true;
}

/* 1: inserted (new configuration), 0: already there, -1: memory budget reached. */
static inline int cache_insert(cache *c, uint64_t f1, uint64_t f2, uint64_t s) {
    f2 |= 1;                     /* never the empty marker; costs one bit of the fingerprint */
    size_t i = (size_t)(f1 ^ (s * UINT64_C(0x9e3779b97f4a7c15))) & c->mask;
    for (;;) {
        uint64_t *e = &c->slot[3 * i];
        if (e[1] == 0) break;
        if (e[0] == f1 && e[1] == f2 && e[2] == s) return 0;
        i = (i + 1) & c->mask;
    }
    if ((c->count + 1) * 2 > c->mask + 1) {
        bool grown = cache_grow(c);
        if (!grown && (c->count + 1) * 8 > (c->mask + 1) * 7) return -1;
        if (grown) return cache_insert(c, f1, f2, s);
    }
    LIN_ASSERT(c->count + 1 < c->mask + 1);   /* one slot stays empty: the probe above ends */
    c->slot[3 * i] = f1;
    c->slot[3 * i + 1] = f2;
    c->slot[3 * i + 2] = s;
    c->count++;
    return 1;
}

typedef struct cursor {
    size_t depth, remaining;     /* stack depth; return entries still listed */
    uint64_t state, f1, f2;
    uint32_t e;                  /* the entry being looked at */
} cursor;

struct lin_search {
    lin_model *m;
    lin_budget *b;
    const lin_op *ops;
    size_t n;
    uint32_t *ent;               /* entry -> op << 1 | is_return; entry 0 is the list's sentinel */
    uint32_t *next, *prev;
    uint32_t *call_ent, *ret_ent;/* op -> entry; ret_ent 0 for info ops */
    uint64_t *z1, *z2;           /* per-op random words for the fingerprint */
    uint32_t *st_op;             /* stack: op | COMMIT */
    uint64_t *st_state;
    uint32_t *best;              /* longest linearized prefix seen */
    size_t best_len, low;        /* best[0..low) == st_op[0..low) ops */
    cache memo;
    cursor cur;                  /* where a paused search goes on */
    int verdict;                 /* LIN_PAUSED until decided */
};

typedef struct lin_search search;

#define COMMIT 0x80000000u
#define MEMO_SLOTS_MIN 1024u

/* The pending list in real-time order, with the sentinel 0 closing the ring. */
static void link_entries(search *s, const lin_search_in *in) {
    size_t ne = in->event_count + 1;
    size_t calls = 0;
    LIN_ASSERT(in->events != NULL || in->event_count == 0);
    for (size_t e = 1; e < ne; e++) {
        uint32_t code = in->events[e - 1];
        LIN_ASSERT((code >> 1) < s->n);     /* events name ops of this partition */
        s->ent[e] = code;
        if (code & 1) {
            s->ret_ent[code >> 1] = (uint32_t)e;
        } else {
            s->call_ent[code >> 1] = (uint32_t)e;
            calls++;
        }
        s->next[e - 1] = (uint32_t)e;
        s->prev[e] = (uint32_t)(e - 1);
    }
    s->next[ne - 1] = 0;
    s->prev[0] = (uint32_t)(ne - 1);
    LIN_ASSERT(calls == s->n);              /* one call entry per op: lift() needs it */
}

lin_search *lin_search_new(lin_model *m, const lin_search_in *in, lin_budget *b) {
    LIN_ASSERT(in->n < COMMIT);
    LIN_ASSERT(in->event_count <= 2 * in->n);
    LIN_ASSERT(m != NULL);
    LIN_ASSERT(b != NULL);
    search *s = calloc(1, sizeof *s);
    if (s == NULL) abort();
    s->m = m;
    s->b = b;
    s->ops = in->ops;
    s->n = in->n;
    size_t ne = in->event_count + 1, n = in->n + 1;
    s->ent = lin_xmalloc(ne * sizeof *s->ent);
    s->next = lin_xmalloc(ne * sizeof *s->next);
    s->prev = lin_xmalloc(ne * sizeof *s->prev);
    s->call_ent = lin_xmalloc(n * sizeof *s->call_ent);
    s->ret_ent = calloc(n, sizeof *s->ret_ent);
    s->z1 = lin_xmalloc(n * sizeof *s->z1);
    s->z2 = lin_xmalloc(n * sizeof *s->z2);
    s->st_op = lin_xmalloc(n * sizeof *s->st_op);
    s->st_state = lin_xmalloc(n * sizeof *s->st_state);
    s->best = lin_xmalloc(n * sizeof *s->best);
    s->memo.slot = calloc(MEMO_SLOTS_MIN * 3, sizeof *s->memo.slot);
    if (s->ret_ent == NULL || s->memo.slot == NULL) abort();
    link_entries(s, in);
    for (size_t i = 0; i < in->n; i++) {  /* fixed seeds: the same run gives the same memo */
        s->z1[i] = lin_mix64(UINT64_C(0x6a09e667f3bcc909) + 2 * i);
        s->z2[i] = lin_mix64(UINT64_C(0xbb67ae8584caa73b) + 2 * i + 1);
    }
    s->memo.mask = MEMO_SLOTS_MIN - 1;
    s->memo.budget = b;
    s->memo.peak_bytes = cache_bytes(MEMO_SLOTS_MIN);
    b->used_bytes += cache_bytes(MEMO_SLOTS_MIN);
    s->cur.state = in->init;
    s->cur.e = s->next[0];
    for (size_t i = 0; i < in->n; i++) s->cur.remaining += s->ret_ent[i] != 0;
    s->verdict = s->cur.remaining == 0 ? LIN_OK : LIN_PAUSED;
    return s;
}

void lin_search_free(search *s) {
    if (s == NULL) return;
    LIN_ASSERT(s->b->used_bytes >= cache_bytes(s->memo.mask + 1));
    LIN_ASSERT(s->cur.depth <= s->n);
    s->b->used_bytes -= cache_bytes(s->memo.mask + 1);
    free(s->ent);
    free(s->next);
    free(s->prev);
    free(s->call_ent);
    free(s->ret_ent);
    free(s->z1);
    free(s->z2);
    free(s->st_op);
    free(s->st_state);
    free(s->best);
    free(s->memo.slot);
    free(s);
}

static inline void unlink_entry(search *s, uint32_t e) {
    LIN_ASSERT(e != 0);                     /* the sentinel stays */
    s->next[s->prev[e]] = s->next[e];
    s->prev[s->next[e]] = s->prev[e];
}

static inline void relink_entry(search *s, uint32_t e) {
    LIN_ASSERT(e != 0);
    s->prev[s->next[e]] = e;
    s->next[s->prev[e]] = e;
}

static inline void lift(search *s, uint32_t op) {
    LIN_ASSERT(op < s->n);
    unlink_entry(s, s->call_ent[op]);
    if (s->ret_ent[op]) unlink_entry(s, s->ret_ent[op]);
}

static inline void unlift(search *s, uint32_t op) {
    LIN_ASSERT(op < s->n);
    if (s->ret_ent[op]) relink_entry(s, s->ret_ent[op]);
    relink_entry(s, s->call_ent[op]);
}

/* Keeps best[] equal to the longest stack seen; amortised O(1) per push. */
static inline void note_depth(search *s, size_t depth) {
    LIN_ASSERT(depth <= s->n);
    LIN_ASSERT(s->low <= s->best_len);      /* best[0..low) matches the stack */
    if (depth <= s->best_len) return;
    for (size_t i = s->low; i < depth; i++) s->best[i] = s->st_op[i] & ~COMMIT;
    s->best_len = depth;
    s->low = depth;
}

/* Undoes linearizations up to the last real choice and moves past it;
 * false when the stack is empty (nothing left to try). */
static inline bool backtrack(search *s, cursor *c) {
    for (;;) {
        if (c->depth == 0) return false;
        c->depth--;
        if (c->depth < s->low) s->low = c->depth;
        uint32_t top = s->st_op[c->depth], op = top & ~COMMIT;
        unlift(s, op);
        c->state = s->st_state[c->depth];
        c->f1 ^= s->z1[op];
        c->f2 ^= s->z2[op];
        if (s->ret_ent[op]) c->remaining++;
        LIN_ASSERT(c->remaining <= s->n);   /* at most one return entry per op */
        if (!(top & COMMIT)) {
            c->e = s->next[s->call_ent[op]];
            return true;
        }
    }
}

static inline void push(search *s, cursor *c, uint32_t op, uint64_t next_state, bool commit) {
    LIN_ASSERT(c->depth < s->n);            /* an op is linearized at most once */
    LIN_ASSERT(s->ret_ent[op] == 0 || c->remaining > 0);
    s->st_op[c->depth] = op | (commit ? COMMIT : 0u);
    s->st_state[c->depth] = c->state;
    c->depth++;
    note_depth(s, c->depth);
    lift(s, op);
    if (s->ret_ent[op]) c->remaining--;
    c->state = next_state;
    c->f1 ^= s->z1[op];
    c->f2 ^= s->z2[op];
    c->e = s->next[0];
}

static bool over_budget(search *s) {
    lin_budget *b = s->b;
    LIN_ASSERT(!b->timed_out);              /* after a timeout no part is searched again */
    LIN_ASSERT(!b->out_of_work);            /* nor after the work budget ran out */
    if (b->max_configurations != 0 && b->configurations >= b->max_configurations) {
        b->out_of_work = true;
        return true;
    }
    if (b->deadline_ns != 0 && lin_now_ns() > b->deadline_ns) {
        b->timed_out = true;
        return true;
    }
    if (b->used_bytes + lin_model_memory(s->m) > b->max_bytes) {
        b->out_of_memory = true;
        return true;
    }
    return false;
}

static int run(search *s, cursor *c, uint64_t limit) {
    while (c->remaining > 0) {
        LIN_ASSERT(c->e != 0);
        uint32_t code = s->ent[c->e], op = code >> 1;
        LIN_ASSERT(op < s->n);
        uint64_t ns;
        if (code & 1) {                          /* a deadline: undo the last choice */
            if (!backtrack(s, c)) return LIN_ILLEGAL;
            continue;
        }
        if (!lin_step(s->m, c->state, &s->ops[op], &ns)) {
            c->e = s->next[c->e];
            continue;
        }
        bool commit = s->ops[op].readonly != 0;
        if (commit) {                            /* no choice to remember: see the file comment */
            push(s, c, op, ns, true);
            continue;
        }
        int fresh = cache_insert(&s->memo, c->f1 ^ s->z1[op], c->f2 ^ s->z2[op], ns);
        if (fresh < 0) {
            s->b->out_of_memory = true;
            return LIN_UNKNOWN;
        }
        if (fresh == 0) {                        /* explored before, and it failed */
            c->e = s->next[c->e];
            continue;
        }
        push(s, c, op, ns, false);
        s->b->configurations++;
        if ((s->memo.count & 4095) == 0) {
            if (over_budget(s)) return LIN_UNKNOWN;
            if (s->memo.count >= limit) return LIN_PAUSED;
        }
    }
    return LIN_OK;
}

int lin_search_run(search *s, uint64_t limit) {
    LIN_ASSERT(s != NULL);
    LIN_ASSERT(limit > 0);                  /* 0 would pause at once, forever */
    if (s->verdict != LIN_PAUSED) return s->verdict;
    cursor c = s->cur;
    s->verdict = run(s, &c, limit);
    s->cur = c;
    return s->verdict;
}

void lin_search_result(const search *s, lin_search_out *out) {
    LIN_ASSERT(s != NULL);
    LIN_ASSERT(s->best_len <= s->n);
    memset(out, 0, sizeof *out);
    out->verdict = s->verdict;
    out->configurations = s->memo.count;
    out->peak_cache_bytes = s->memo.peak_bytes;
    out->best = s->best;
    out->best_len = s->best_len;
}
