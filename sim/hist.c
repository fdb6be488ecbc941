/* hist.c -- growable arrays of operations and effects, and their side
 * tables (sim/hist.h, Memory).
 * Invariant: ops[i].id == i; counts never exceed the HIST_*_MAX bounds;
 * every side table is sorted by record index, one entry per record at
 * most, and a record's HIST_TOKEN_WIDE field has its entry; hist_bytes
 * (records, side tables, the string table) stays within max_bytes but for
 * the table's last chunk or slot array, grown by the record that needed
 * it, and what a completion adds (its note, a wide epoch or token). */
#include "sim/hist.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hist_init(hist *h) {
    SIM_ASSERT(h != NULL);
    memset(h, 0, sizeof *h);
    h->vocab = &hist_core_vocab;
    h->epoch_next = 1;
    h->max_bytes = HIST_BYTES_DEFAULT;
}

const char *hist_refusal(const hist *h) {
    SIM_ASSERT(h != NULL);
    return h->refused[0] ? h->refused : NULL;
}

static void strtab_free(hist_strtab *t) {
    for (uint32_t i = 0; i < t->chunk_count; i++) free(t->chunks[i]);
    free(t->chunks);
    free(t->slots);
}

void hist_free(hist *h) {
    SIM_ASSERT(h != NULL);
    free(h->ops);
    free(h->effects);
    free(h->far);
    free(h->tokens);
    free(h->op_far);
    free(h->op_epochs);
    free(h->op_tokens);
    free(h->key2s);
    free(h->extra);
    strtab_free(&h->strs);
    memset(h, 0, sizeof *h);
}

/* ------------------------------------------------------------ strings */

/* Invariant: every slot is 0 (empty) or a text's place in the chunks,
 * STRTAB_REF(chunk, offset); count <= cap * 3 / 4; no two slots hold equal
 * texts.  A place takes 4 bytes where a pointer took 8 (a run of 400 000
 * sagas interns a million texts).  Chunks never move, so a record's
 * pointer stays valid while the table grows. */
#define STRTAB_CHUNK 65536u
#define STRTAB_CHUNKS_MAX 65535u       /* places fit 32 bits: 4 GiB of texts */
#define STRTAB_REF(chunk, off) ((chunk) * STRTAB_CHUNK + (off) + 1u)

static const char *strtab_text(const hist_strtab *t, uint32_t ref) {
    SIM_ASSERT(ref != 0);
    return t->chunks[(ref - 1u) / STRTAB_CHUNK] + (ref - 1u) % STRTAB_CHUNK;
}

static uint32_t str_hash(const char *p, size_t n) {
    uint32_t x = 2166136261u;                       /* FNV-1a */
    for (size_t i = 0; i < n; i++) x = (x ^ (uint8_t)p[i]) * 16777619u;
    return x;
}

static uint32_t *strtab_find(const hist_strtab *t, const char *p, size_t n, uint32_t hash) {
    for (uint32_t i = hash & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
        if (t->slots[i] == 0) return &t->slots[i];
        const char *q = strtab_text(t, t->slots[i]);
        if (strncmp(q, p, n) == 0 && q[n] == '\0') return &t->slots[i];
    }
}

static void strtab_grow(hist_strtab *t) {
    uint32_t old_cap = t->cap;
    uint32_t *old = t->slots;
    t->cap = old_cap ? old_cap * 2 : 256;
    t->slots = sim_xcalloc(t->cap, sizeof *t->slots);
    t->bytes += (size_t)(t->cap - old_cap) * sizeof *t->slots;
    for (uint32_t i = 0; i < old_cap; i++) {
        if (old[i] == 0) continue;
        const char *q = strtab_text(t, old[i]);
        size_t n = strlen(q);
        *strtab_find(t, q, n, str_hash(q, n)) = old[i];
    }
    free(old);
}

static uint32_t strtab_store(hist_strtab *t, const char *p, size_t n) {
    if (t->chunk_count == 0 || t->chunk_used + n + 1 > STRTAB_CHUNK) {
        SIM_ASSERT(t->chunk_count < STRTAB_CHUNKS_MAX);     /* texts_full refused the record */
        t->chunks = sim_xrealloc(t->chunks, (t->chunk_count + 1) * sizeof *t->chunks);
        t->chunks[t->chunk_count++] = sim_xmalloc(STRTAB_CHUNK);
        t->bytes += STRTAB_CHUNK;
        t->chunk_used = 0;
    }
    uint32_t chunk = t->chunk_count - 1, off = (uint32_t)t->chunk_used;
    char *dst = t->chunks[chunk] + off;
    memcpy(dst, p, n);
    dst[n] = '\0';
    t->chunk_used += n + 1;
    return STRTAB_REF(chunk, off);
}

/* Whether the table is too near its 4 GiB to take a new record's texts:
 * it keeps STRTAB_SPARE chunks (4 MiB) for the notes of completions,
 * which are not refused (hist_complete_op). */
#define STRTAB_SPARE 64u
static bool strtab_full(const hist_strtab *t) {
    return t->chunk_count >= STRTAB_CHUNKS_MAX - STRTAB_SPARE;
}

const char *hist_intern(hist *h, const char *text, size_t max) {
    SIM_ASSERT(h != NULL);
    SIM_ASSERT(max >= 1 && max < STRTAB_CHUNK);
    if (text == NULL || text[0] == '\0') return "";
    hist_strtab *t = &h->strs;
    size_t n = strnlen(text, max - 1);
    if (4 * (t->count + 1) > 3 * t->cap) strtab_grow(t);
    uint32_t hash = str_hash(text, n);
    uint32_t *slot = strtab_find(t, text, n, hash);
    if (*slot == 0) {
        *slot = strtab_store(t, text, n);
        t->count++;
    }
    return strtab_text(t, *slot);
}

size_t hist_bytes(const hist *h) {
    SIM_ASSERT(h != NULL);
    return (size_t)h->op_count * sizeof *h->ops + (size_t)h->effect_count * sizeof *h->effects
           + (size_t)(h->far_count + h->token_count + h->op_far_count + h->op_epoch_count
                      + h->op_token_count) * sizeof *h->far
           + (size_t)h->key2_count * sizeof *h->key2s
           + (size_t)h->extra_count * sizeof *h->extra
           + h->strs.bytes;
}

/* ------------------------------------------------------------ records */

/* Records are copied field by field into zeroed memory, so that padding is
 * zero whatever the caller's struct held, and their texts are interned.
 * A new field must be copied here: the size checks below fail until it is. */
_Static_assert(sizeof(hist_op) == 80, "copy the new hist_op field in copy_op");
_Static_assert(sizeof(hist_op_fields) == 104, "copy the new hist_op field in copy_op");
_Static_assert(sizeof(hist_effect) == 56, "copy the new hist_effect field in copy_effect");
_Static_assert(sizeof(hist_effect_fields) == 80, "copy the new hist_effect field in copy_effect");
_Static_assert(SIM_NODES_MAX <= INT16_MAX, "hist_effect keeps a node in an int16_t");

/* A node id in 16 bits: the engine's ids are below SIM_NODES_MAX, and a
 * client is one of them or -1. */
static int16_t node16(int32_t node) {
    SIM_ASSERT(node >= -1 && node < SIM_NODES_MAX);
    return (int16_t)node;
}

static bool token_narrow(int64_t token) { return token >= 0 && token < HIST_TOKEN_WIDE; }

static void copy_op(hist *h, hist_op *dst, const hist_op_fields *src) {
    memset(dst, 0, sizeof *dst);
    dst->id = src->id;
    dst->node = node16(src->node);
    dst->process = src->process;
    dst->f = src->f;
    dst->result = src->result;
    dst->invoke_ns = src->invoke_ns;
    dst->complete_ns = src->complete_ns;
    dst->value_in = src->value_in;
    dst->value_out = src->value_out;
    dst->has_value_in = src->has_value_in;
    dst->has_value_out = src->has_value_out;
    dst->epoch32 = token_narrow(src->epoch) ? (uint32_t)src->epoch : HIST_TOKEN_WIDE;
    dst->token32 = token_narrow(src->token) ? (uint32_t)src->token : HIST_TOKEN_WIDE;
    dst->note = hist_intern(h, src->note, HIST_NOTE_MAX);
    dst->key = hist_intern(h, src->key, SIM_NAME_MAX);
    dst->delta = src->delta;
}

static void copy_effect(hist *h, hist_effect *dst, const hist_effect_fields *src) {
    memset(dst, 0, sizeof *dst);
    dst->kind = src->kind;
    dst->t_ns = src->t_ns;
    dst->node = node16(src->node);
    dst->client = node16(src->client);
    dst->op = src->op;
    dst->epoch = src->epoch;
    dst->token32 = token_narrow(src->token) ? (uint32_t)src->token : HIST_TOKEN_WIDE;
    dst->value = src->value;
    dst->key = hist_intern(h, src->key, SIM_NAME_MAX);
    dst->aux = src->aux;
    dst->pred = src->pred;
}

bool hist_op_same(const hist_op_fields *a, const hist_op_fields *b) {
    SIM_ASSERT(a != NULL && b != NULL);
    return a->id == b->id && a->node == b->node && a->process == b->process && a->f == b->f
           && a->result == b->result && a->invoke_ns == b->invoke_ns
           && a->complete_ns == b->complete_ns && a->invoke_local_ns == b->invoke_local_ns
           && a->value_in == b->value_in && a->value_out == b->value_out
           && a->has_value_in == b->has_value_in && a->has_value_out == b->has_value_out
           && a->epoch == b->epoch && a->token == b->token && a->delta == b->delta
           && strcmp(a->note, b->note) == 0 && strcmp(a->key, b->key) == 0
           && strcmp(a->key2, b->key2) == 0;
}

bool hist_effect_same(const hist_effect_fields *a, const hist_effect_fields *b) {
    SIM_ASSERT(a != NULL && b != NULL);
    return a->kind == b->kind && a->t_ns == b->t_ns && a->node == b->node
           && a->client == b->client && a->op == b->op && a->epoch == b->epoch
           && a->token == b->token && a->value == b->value && a->aux == b->aux
           && a->txn == b->txn && a->pred == b->pred && a->version == b->version
           && strcmp(a->key, b->key) == 0;
}

bool hist_same(const hist *a, const hist *b) {
    SIM_ASSERT(a != NULL && b != NULL);
    if (a->op_count != b->op_count || a->effect_count != b->effect_count) return false;
    for (uint32_t i = 0; i < a->op_count; i++) {
        hist_op_fields x = hist_op_get(a, &a->ops[i]), y = hist_op_get(b, &b->ops[i]);
        if (!hist_op_same(&x, &y)) return false;
    }
    for (uint32_t i = 0; i < a->effect_count; i++) {
        hist_effect_fields x = hist_effect_get(a, &a->effects[i]);
        hist_effect_fields y = hist_effect_get(b, &b->effects[i]);
        if (!hist_effect_same(&x, &y)
            || hist_effect_local_ns(a, &a->effects[i]) != hist_effect_local_ns(b, &b->effects[i]))
            return false;
    }
    return true;
}

static bool refuse(hist *h, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(h->refused, sizeof h->refused, fmt, ap);
    va_end(ap);
    return false;
}

static bool texts_full(hist *h) {
    if (!strtab_full(&h->strs)) return false;
    return !refuse(h, "the history's table of texts is full (4 GiB of distinct keys and notes)");
}

bool hist_add_effect(hist *h, const hist_effect_fields *e) {
    SIM_ASSERT(e != NULL);
    return hist_add_effect_at(h, e, e->t_ns);
}

/* Appends to a side table of `size`-byte entries, doubling it when full. */
static void *side_push(void **table, uint32_t *count, uint32_t *cap, size_t size) {
    if (*count == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        *table = sim_xrealloc(*table, (size_t)*cap * size);
    }
    return (char *)*table + (size_t)(*count)++ * size;
}

/* The record index of a side table's entry k (its first field). */
static uint32_t side_index(const void *table, size_t size, uint32_t k) {
    uint32_t x;
    memcpy(&x, (const char *)table + (size_t)k * size, sizeof x);
    return x;
}

/* The first entry whose record index is at least `at` (count: none). */
static uint32_t side_lower_bound(const void *table, uint32_t count, size_t size, uint32_t at) {
    uint32_t lo = 0, hi = count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (side_index(table, size, mid) < at) lo = mid + 1; else hi = mid;
    }
    return lo;
}

/* The entry for record `at` in a side table sorted by index (its first
 * field), NULL when the record has none. */
static const void *side_find(const void *table, uint32_t count, size_t size, uint32_t at) {
    uint32_t lo = side_lower_bound(table, count, size, at);
    if (lo == count || side_index(table, size, lo) != at) return NULL;
    return (const char *)table + (size_t)lo * size;
}

/* side_find, starting at *hint, where the last lookup ended: a reader that
 * walks the records in order finds its entry there, or just past it, or
 * learns that `at` falls between two entries, without a search. */
static const void *side_find_near(const void *table, uint32_t count, size_t size, uint32_t at,
                                  uint32_t *hint) {
    uint32_t k = *hint;
    if (k < count) {
        uint32_t x = side_index(table, size, k);
        if (x == at) return (const char *)table + (size_t)k * size;
        if (x > at && (k == 0 || side_index(table, size, k - 1) < at)) return NULL;
        if (x < at && (k + 1 == count || side_index(table, size, k + 1) > at)) return NULL;
        if (x < at && side_index(table, size, k + 1) == at) {
            *hint = k + 1;
            return (const char *)table + (size_t)(k + 1) * size;
        }
    }
    uint32_t lo = side_lower_bound(table, count, size, at);
    *hint = lo < count ? lo : (count > 0 ? count - 1 : 0);
    if (lo == count || side_index(table, size, lo) != at) return NULL;
    return (const char *)table + (size_t)lo * size;
}

/* Puts `entry` for record `at` in its place in a side table sorted by
 * index: at the end, unless (an op's wide epoch or token, set when it
 * completes) a later record has one already. */
static void side_insert(void **table, uint32_t *count, uint32_t *cap, size_t size,
                        const void *entry, uint32_t at) {
    char *end = side_push(table, count, cap, size);
    char *p = end;
    while (p > (char *)*table) {
        uint32_t x;
        memcpy(&x, p - size, sizeof x);
        SIM_ASSERT(x != at);
        if (x < at) break;
        p -= size;
    }
    memmove(p + size, p, (size_t)(end - p));
    memcpy(p, entry, size);
}

static uint32_t effect_index(const hist *h, const hist_effect *e) {
    SIM_ASSERT(h != NULL && e != NULL);
    SIM_ASSERT(e >= h->effects && e < h->effects + h->effect_count);
    return (uint32_t)(e - h->effects);
}

/* The lookup caches of a const history (hist.h: they change no record). */
static uint32_t *far_hint(const hist *h) { return &((hist *)h)->far_hint; }
static uint32_t *extra_hint(const hist *h) { return &((hist *)h)->extra_hint; }

sim_time hist_effect_local_ns(const hist *h, const hist_effect *e) {
    const hist_wide *x = side_find_near(h->far, h->far_count, sizeof *h->far, effect_index(h, e), far_hint(h));
    return x ? x->value : e->t_ns;
}

int64_t hist_effect_token(const hist *h, const hist_effect *e) {
    uint32_t i = effect_index(h, e);
    if (e->token32 != HIST_TOKEN_WIDE) return e->token32;
    const hist_wide *x = side_find(h->tokens, h->token_count, sizeof *h->tokens, i);
    SIM_ASSERT(x != NULL);               /* every wide token has its entry */
    return x->value;
}

static const hist_eff_extra *effect_extra(const hist *h, const hist_effect *e) {
    return side_find_near(h->extra, h->extra_count, sizeof *h->extra, effect_index(h, e), extra_hint(h));
}

int64_t hist_effect_version(const hist *h, const hist_effect *e) {
    const hist_eff_extra *x = effect_extra(h, e);
    return x ? x->version : 0;
}

uint32_t hist_effect_txn(const hist *h, const hist_effect *e) {
    const hist_eff_extra *x = effect_extra(h, e);
    return x ? x->txn : 0;
}

hist_effect_fields hist_effect_get(const hist *h, const hist_effect *e) {
    const hist_eff_extra *x = effect_extra(h, e);
    return (hist_effect_fields){ .t_ns = e->t_ns, .epoch = e->epoch, .token = hist_effect_token(h, e),
                                 .value = e->value, .aux = e->aux,
                                 .version = x ? x->version : 0, .key = e->key, .node = e->node,
                                 .client = e->client, .op = e->op, .txn = x ? x->txn : 0,
                                 .pred = e->pred, .kind = e->kind };
}

/* The bytes an effect takes: its record and its side-table entries. */
static size_t effect_need(const hist *h, const hist_effect_fields *e, sim_time local_ns) {
    return sizeof *h->effects + (local_ns != e->t_ns ? sizeof *h->far : 0)
           + (token_narrow(e->token) ? 0 : sizeof *h->tokens)
           + (e->version != 0 || e->txn != 0 ? sizeof *h->extra : 0);
}

bool hist_add_effect_at(hist *h, const hist_effect_fields *e, sim_time local_ns) {
    SIM_ASSERT(e != NULL);
    SIM_ASSERT(e->kind != HIST_KIND_NONE);
    if (h->effect_count >= HIST_EFFECTS_MAX
        || hist_bytes(h) + effect_need(h, e, local_ns) > h->max_bytes)
        return false;
    if (texts_full(h)) return false;
    if (h->effect_count > 0) SIM_ASSERT(h->effects[h->effect_count - 1].t_ns <= e->t_ns);
    if (h->effect_count == h->effect_cap) {
        h->effect_cap = h->effect_cap ? h->effect_cap * 2 : 256;
        h->effects = sim_xrealloc(h->effects, h->effect_cap * sizeof *h->effects);
    }
    uint32_t i = h->effect_count++;
    copy_effect(h, &h->effects[i], e);
    if (local_ns != e->t_ns) {
        hist_wide *x = side_push((void **)&h->far, &h->far_count, &h->far_cap, sizeof *h->far);
        *x = (hist_wide){ i, local_ns };
    }
    if (!token_narrow(e->token)) {
        hist_wide *x = side_push((void **)&h->tokens, &h->token_count, &h->token_cap,
                                 sizeof *h->tokens);
        *x = (hist_wide){ i, e->token };
    }
    if (e->version != 0 || e->txn != 0) {
        hist_eff_extra *x = side_push((void **)&h->extra, &h->extra_count, &h->extra_cap,
                                      sizeof *h->extra);
        *x = (hist_eff_extra){ i, e->txn, e->version };
    }
    return true;
}

/* ------------------------------------------------------------ operations */

static uint32_t op_index(const hist *h, const hist_op *op) {
    SIM_ASSERT(h != NULL && op != NULL);
    SIM_ASSERT(op >= h->ops && op < h->ops + h->op_count);
    return (uint32_t)(op - h->ops);
}

static int64_t wide_at(const hist_wide *table, uint32_t count, uint32_t at) {
    const hist_wide *x = side_find(table, count, sizeof *table, at);
    SIM_ASSERT(x != NULL);               /* every wide value has its entry */
    return x->value;
}

sim_time hist_op_local_ns(const hist *h, const hist_op *op) {
    const hist_wide *x = side_find(h->op_far, h->op_far_count, sizeof *h->op_far, op_index(h, op));
    return x ? x->value : op->invoke_ns;
}

int64_t hist_op_epoch(const hist *h, const hist_op *op) {
    uint32_t i = op_index(h, op);
    return op->epoch32 != HIST_TOKEN_WIDE ? op->epoch32 : wide_at(h->op_epochs, h->op_epoch_count, i);
}

int64_t hist_op_token(const hist *h, const hist_op *op) {
    uint32_t i = op_index(h, op);
    return op->token32 != HIST_TOKEN_WIDE ? op->token32 : wide_at(h->op_tokens, h->op_token_count, i);
}

const char *hist_op_key2(const hist *h, const hist_op *op) {
    const hist_key2_entry *x = side_find(h->key2s, h->key2_count, sizeof *h->key2s, op_index(h, op));
    return x ? x->key2 : "";
}

hist_op_fields hist_op_get(const hist *h, const hist_op *op) {
    return (hist_op_fields){ .invoke_ns = op->invoke_ns, .complete_ns = op->complete_ns,
                             .invoke_local_ns = hist_op_local_ns(h, op), .value_in = op->value_in,
                             .value_out = op->value_out, .epoch = hist_op_epoch(h, op),
                             .token = hist_op_token(h, op), .delta = op->delta, .note = op->note,
                             .key = op->key, .key2 = hist_op_key2(h, op), .id = op->id,
                             .node = op->node, .process = op->process, .f = op->f,
                             .result = op->result, .has_value_in = op->has_value_in,
                             .has_value_out = op->has_value_out };
}

static void wide_put(hist_wide **table, uint32_t *count, uint32_t *cap, uint32_t at, int64_t v) {
    hist_wide x = { at, v };
    side_insert((void **)table, count, cap, sizeof **table, &x, at);
}

/* The bytes an op takes: its record and its side-table entries. */
static size_t op_need(const hist *h, const hist_op_fields *op) {
    size_t wide = (token_narrow(op->epoch) ? 0 : 1) + (token_narrow(op->token) ? 0 : 1)
                  + (op->invoke_local_ns != op->invoke_ns ? 1 : 0);
    return sizeof *h->ops + wide * sizeof(hist_wide)
           + (op->key2 != NULL && op->key2[0] != '\0' ? sizeof *h->key2s : 0);
}

bool hist_add_op(hist *h, const hist_op_fields *op, uint32_t *id_out) {
    SIM_ASSERT(op != NULL);
    SIM_ASSERT(op->f != HIST_KIND_NONE);
    if (h->op_count >= HIST_OPS_MAX || hist_bytes(h) + op_need(h, op) > h->max_bytes) return false;
    if (texts_full(h)) return false;
    if (h->op_count == h->op_cap) {
        h->op_cap = h->op_cap ? h->op_cap * 2 : 256;
        h->ops = sim_xrealloc(h->ops, h->op_cap * sizeof *h->ops);
    }
    uint32_t id = h->op_count++;
    copy_op(h, &h->ops[id], op);
    h->ops[id].id = id;
    if (!token_narrow(op->epoch)) wide_put(&h->op_epochs, &h->op_epoch_count, &h->op_epoch_cap, id, op->epoch);
    if (!token_narrow(op->token)) wide_put(&h->op_tokens, &h->op_token_count, &h->op_token_cap, id, op->token);
    if (op->invoke_local_ns != op->invoke_ns)
        wide_put(&h->op_far, &h->op_far_count, &h->op_far_cap, id, op->invoke_local_ns);
    if (op->key2 != NULL && op->key2[0] != '\0') {
        hist_key2_entry x = { id, hist_intern(h, op->key2, SIM_NAME_MAX) };
        side_insert((void **)&h->key2s, &h->key2_count, &h->key2_cap, sizeof *h->key2s, &x, id);
    }
    if (id_out) *id_out = id;
    return true;
}

/* Sets a stored epoch or token: in its 32 bits, or whole in its table
 * (replacing the entry a wide one had). */
static void set_wide32(uint32_t *field, hist_wide **table, uint32_t *count, uint32_t *cap,
                       uint32_t at, int64_t v) {
    if (*field == HIST_TOKEN_WIDE) {
        hist_wide *x = (hist_wide *)side_find(*table, *count, sizeof **table, at);
        SIM_ASSERT(x != NULL);
        if (token_narrow(v)) {                    /* drop the entry */
            size_t tail = (size_t)(*count - (uint32_t)(x - *table) - 1) * sizeof *x;
            memmove(x, x + 1, tail);
            (*count)--;
        } else {
            x->value = v;
            return;
        }
    }
    if (token_narrow(v)) { *field = (uint32_t)v; return; }
    *field = HIST_TOKEN_WIDE;
    wide_put(table, count, cap, at, v);
}

void hist_complete_op(hist *h, uint32_t id, hist_result r, sim_time now,
                      const hist_op_fields *fields) {
    SIM_ASSERT(h != NULL && id < h->op_count);
    SIM_ASSERT(r != HIST_PENDING);
    hist_op *op = &h->ops[id];
    SIM_ASSERT(op->result == HIST_PENDING);
    SIM_ASSERT(now >= op->invoke_ns);
    op->result = (uint8_t)r;
    op->complete_ns = now;
    if (!fields) return;
    if (fields->has_value_out) { op->value_out = fields->value_out; op->has_value_out = true; }
    if (fields->epoch)
        set_wide32(&op->epoch32, &h->op_epochs, &h->op_epoch_count, &h->op_epoch_cap, id, fields->epoch);
    if (fields->token)
        set_wide32(&op->token32, &h->op_tokens, &h->op_token_count, &h->op_token_cap, id, fields->token);
    if (fields->note && fields->note[0]) op->note = hist_intern(h, fields->note, HIST_NOTE_MAX);
}

const char *hist_result_name(hist_result r) {
    switch (r) {
    case HIST_PENDING: return "pending";
    case HIST_OK: return "ok";
    case HIST_FAIL: return "fail";
    case HIST_INFO: return "info";
    }
    SIM_UNREACHABLE("unknown hist_result");
    return "?";
}

/* ------------------------------------------------------------ vocabulary */

static void label_read(const hist_effect_fields *e, const char *client, char *b, size_t n) {
    snprintf(b, n, "%s read %lld", client, (long long)e->value);
}

static void label_write(const hist_effect_fields *e, const char *client, char *b, size_t n) {
    if (e->epoch != 0) snprintf(b, n, "%s wrote %lld (epoch %lld)", client, (long long)e->value,
                                (long long)e->epoch);
    else snprintf(b, n, "%s wrote %lld", client, (long long)e->value);
}

static void label_reject(const hist_effect_fields *e, const char *client, char *b, size_t n) {
    snprintf(b, n, "refused %s's token %lld", client, (long long)e->token);
}

static void label_retry(const hist_effect_fields *e, const char *client, char *b, size_t n) {
    (void)client;
    snprintf(b, n, "retry %lld", (long long)e->value);
}

void hist_label_key(const hist_effect_fields *e, const char *client, char *b, size_t n) {
    SIM_ASSERT(e != NULL);
    SIM_ASSERT(b != NULL);
    (void)client;
    snprintf(b, n, "%s", e->key);
}

const hist_kind_def hist_core_ops[] = {
    { .kind = HIST_F_READ, .name = "read", .value = HIST_VALUE_READ },
    { .kind = HIST_F_WRITE, .name = "write", .value = HIST_VALUE_WRITE },
    { .kind = HIST_F_CAS, .name = "cas", .value = HIST_VALUE_CAS },
    { .kind = HIST_F_INCR, .name = "incr", .value = HIST_VALUE_ASKED_GOT },
    { .name = NULL },
};

const hist_kind_def hist_core_effects[] = {
    { .kind = HIST_EFF_READ, .name = "read", .mark = HIST_MARK_DOT, .label = label_read },
    { .kind = HIST_EFF_WRITE, .name = "write", .mark = HIST_MARK_SQUARE, .label = label_write },
    { .kind = HIST_EFF_REJECT, .name = "reject", .mark = HIST_MARK_CROSS, .mark_rgb = 0xe07000u,
      .label = label_reject },
    { .kind = HIST_EFF_BALANCE_INIT, .name = "balance-init" },
    { .kind = HIST_EFF_BALANCE, .name = "balance" },
    { .kind = HIST_EFF_BLOCKED, .name = "blocked" },
    { .kind = HIST_EFF_UNBLOCKED, .name = "unblocked" },
    { .kind = HIST_EFF_RETRY, .name = "retry", .mark = HIST_MARK_DOT, .mark_rgb = HIST_MARK_LIGHT,
      .label = label_retry },
    { .kind = HIST_EFF_LOST, .name = "lost", .only_when_used = true },
    { .name = NULL },
};

size_t hist_kinds_count(const hist_kind_def *t) {
    size_t n = 0;
    while (t != NULL && t[n].name != NULL) n++;
    return n;
}

const hist_kind_def *hist_kinds_find(const hist_kind_def *t, uint16_t kind) {
    for (size_t i = 0; t != NULL && t[i].name != NULL; i++)
        if (t[i].kind == kind) return &t[i];
    return NULL;
}

static size_t core_op_count(void) { return hist_kinds_count(hist_core_ops); }
static size_t core_effect_count(void) { return hist_kinds_count(hist_core_effects); }

static const hist_kind_def *core_op_at(size_t i) {
    SIM_ASSERT(i < core_op_count());
    return &hist_core_ops[i];
}

static const hist_kind_def *core_effect_at(size_t i) {
    SIM_ASSERT(i < core_effect_count());
    return &hist_core_effects[i];
}

static const hist_kind_def *core_op_find(hist_f f) { return hist_kinds_find(hist_core_ops, f); }
static const hist_kind_def *core_effect_find(hist_eff_kind k) { return hist_kinds_find(hist_core_effects, k); }

const hist_vocab hist_core_vocab = {
    core_op_count, core_op_at, core_op_find, core_effect_count, core_effect_at, core_effect_find,
};

const hist_kind_def *hist_f_def(const hist *h, hist_f f) {
    SIM_ASSERT(h != NULL);
    SIM_ASSERT(h->vocab != NULL);
    const hist_kind_def *d = h->vocab->op_find(f);
    SIM_ASSERT(d != NULL);             /* every kind recorded is in the run's vocabulary */
    return d;
}

const char *hist_f_name(const hist *h, hist_f f) { return hist_f_def(h, f)->name; }

const char *hist_eff_name(const hist *h, hist_eff_kind k) {
    SIM_ASSERT(h != NULL);
    SIM_ASSERT(h->vocab != NULL);
    const hist_kind_def *d = h->vocab->effect_find(k);
    SIM_ASSERT(d != NULL);
    return d->name;
}
