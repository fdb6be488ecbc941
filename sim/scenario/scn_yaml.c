/* scn_yaml.c -- typed reads of libyaml document nodes for the loader.
 *
 * Each reader checks the node's shape (scalar, list, mapping) before its
 * value, and reports the first problem at the node's own line:col as
 * "key: what is wrong (what was expected)".  Invariant: a reader writes its
 * OUT parameter only on success.  Trade-off: mapping lookups are linear
 * scans; scenario mappings have a handful of keys, and a linear scan keeps
 * file order, which the messages follow.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sim/scenario/scn_int.h"

scn_pos scn__pos(const yaml_node_t *n) {
    SIM_ASSERT(n != NULL);
    scn_pos p = {(uint32_t)n->start_mark.line + 1u, (uint32_t)n->start_mark.column + 1u};
    return p;
}

int scn__fail(scn_ld *ld, scn_pos pos, const char *fmt, ...) {
    SIM_ASSERT(ld != NULL);
    SIM_ASSERT(fmt != NULL);
    char msg[SIM_ERR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    scn_errorf(ld->err, ld->err_len, ld->path, pos, "%s", msg);
    return -1;
}

yaml_node_t *scn__node(const scn_ld *ld, int id) {
    SIM_ASSERT(ld->doc != NULL);
    yaml_node_t *n = yaml_document_get_node(ld->doc, id);
    SIM_ASSERT(n != NULL);          /* libyaml only hands out valid ids */
    return n;
}

const char *scn__kind(const yaml_node_t *n) {
    SIM_ASSERT(n != NULL);
    switch (n->type) {
    case YAML_MAPPING_NODE: return "a mapping";
    case YAML_SEQUENCE_NODE: return "a list";
    case YAML_SCALAR_NODE: return scn__is_null(n) ? "nothing" : "a single value";
    default: return "an empty node";
    }
}

const char *scn__text(const yaml_node_t *n) {
    SIM_ASSERT(n != NULL);
    if (n->type != YAML_SCALAR_NODE) return "";
    SIM_ASSERT(n->data.scalar.value != NULL);   /* libyaml NUL-terminates every scalar */
    return (const char *)n->data.scalar.value;
}

bool scn__is_null(const yaml_node_t *n) {
    SIM_ASSERT(n != NULL);
    if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    const char *t = scn__text(n);
    return t[0] == '\0' || strcmp(t, "~") == 0 || strcmp(t, "null") == 0 ||
           strcmp(t, "Null") == 0 || strcmp(t, "NULL") == 0;
}

int scn__want_map(scn_ld *ld, const yaml_node_t *n, const char *key, const char *expected) {
    SIM_ASSERT(n != NULL);                      /* callers look a key up before wanting it */
    SIM_ASSERT(key != NULL);
    if (n->type == YAML_MAPPING_NODE) return 0;
    return scn__fail(ld, scn__pos(n), "%s: got %s (expected %s)", key, scn__kind(n), expected);
}

int scn__want_seq(scn_ld *ld, const yaml_node_t *n, const char *key, const char *expected) {
    SIM_ASSERT(n != NULL);
    SIM_ASSERT(key != NULL);
    if (n->type == YAML_SEQUENCE_NODE) return 0;
    return scn__fail(ld, scn__pos(n), "%s: got %s (expected %s)", key, scn__kind(n), expected);
}

int scn__want_scalar(scn_ld *ld, const yaml_node_t *n, const char *key, const char *expected,
                     const char **out) {
    SIM_ASSERT(n != NULL);
    SIM_ASSERT(out != NULL);
    if (n->type != YAML_SCALAR_NODE || scn__is_null(n))
        return scn__fail(ld, scn__pos(n), "%s: got %s (expected %s)", key, scn__kind(n),
                         expected);
    *out = scn__text(n);
    return 0;
}

static int check_one_key(scn_ld *ld, const yaml_node_t *map, const yaml_node_pair_t *pair,
                         const char *const *known, size_t known_count, const char *where) {
    SIM_ASSERT(pair >= map->data.mapping.pairs.start);
    SIM_ASSERT(pair < map->data.mapping.pairs.top);
    const yaml_node_t *k = scn__node(ld, pair->key);
    if (k->type != YAML_SCALAR_NODE || scn__is_null(k))
        return scn__fail(ld, scn__pos(k), "a key is %s (expected a plain name before ':')",
                         scn__kind(k));
    const char *name = scn__text(k);
    for (const yaml_node_pair_t *q = map->data.mapping.pairs.start; q < pair; q++) {
        const yaml_node_t *prev = scn__node(ld, q->key);
        if (strcmp(scn__text(prev), name) != 0) continue;
        scn_pos first = scn__pos(prev);
        return scn__fail(ld, scn__pos(k), "duplicate key '%.64s' (first at %u:%u; expected each "
                         "key once)", name, first.line, first.col);
    }
    if (!known) return 0;
    for (size_t i = 0; i < known_count; i++)
        if (strcmp(known[i], name) == 0) return 0;
    char hint[SIM_ERR_MAX / 2];
    scn__hint(hint, sizeof hint, name, known, known_count);
    return scn__fail(ld, scn__pos(k), "unknown key '%.64s'%s%s%s", name, where ? " in " : "",
                     where ? where : "", hint);
}

int scn__check_keys(scn_ld *ld, const yaml_node_t *map, const char *const *known,
                    size_t known_count, const char *where) {
    SIM_ASSERT(map->type == YAML_MAPPING_NODE);
    SIM_ASSERT(known != NULL || known_count == 0);
    const yaml_node_pair_t *start = map->data.mapping.pairs.start;
    if (map->data.mapping.pairs.top - start > SCN_KEYS_MAX)   /* duplicates: O(n^2) below */
        return scn__fail(ld, scn__pos(scn__node(ld, start[SCN_KEYS_MAX].key)), "too many keys "
                         "in one mapping: more than %d (expected at most the limit "
                         "SCN_KEYS_MAX)", SCN_KEYS_MAX);
    for (const yaml_node_pair_t *p = start; p < map->data.mapping.pairs.top; p++) {
        if (check_one_key(ld, map, p, known, known_count, where) != 0) return -1;
    }
    return 0;
}

const yaml_node_t *scn__get(const scn_ld *ld, const yaml_node_t *map, const char *key,
                            scn_pos *key_pos) {
    SIM_ASSERT(map->type == YAML_MAPPING_NODE);
    SIM_ASSERT(key != NULL);
    for (const yaml_node_pair_t *p = map->data.mapping.pairs.start;
         p < map->data.mapping.pairs.top; p++) {
        const yaml_node_t *k = scn__node(ld, p->key);
        if (k->type != YAML_SCALAR_NODE || strcmp(scn__text(k), key) != 0) continue;
        if (key_pos) *key_pos = scn__pos(k);
        return scn__node(ld, p->value);
    }
    return NULL;
}

int scn__copy(scn_ld *ld, char *dst, size_t cap, const char *src, scn_pos pos,
              const char *key, const char *bound) {
    SIM_ASSERT(cap > 0);
    SIM_ASSERT(dst != NULL);
    SIM_ASSERT(src != NULL);
    size_t n = strlen(src);
    if (n < cap) { memcpy(dst, src, n + 1); return 0; }
    return scn__fail(ld, pos, "%s: '%.24s...' is too long, %zu bytes (expected at most %zu, "
                     "the limit %s)", key, src, n, cap - 1, bound);
}

typedef int (*value_parser)(const char *text, void *out, char *err, size_t err_len);

static int typed(scn_ld *ld, const yaml_node_t *n, const char *key, const char *expected,
                 value_parser parse, void *out) {
    SIM_ASSERT(parse != NULL);
    SIM_ASSERT(out != NULL);
    const char *text = NULL;
    if (scn__want_scalar(ld, n, key, expected, &text) != 0) return -1;
    char msg[SIM_ERR_MAX / 2];
    if (parse(text, out, msg, sizeof msg) != 0)
        return scn__fail(ld, scn__pos(n), "%s: %s", key, msg);
    return 0;
}

static int parse_duration_v(const char *t, void *o, char *e, size_t l) {
    return scn_parse_duration(t, o, e, l);
}
static int parse_signed_v(const char *t, void *o, char *e, size_t l) {
    return scn_parse_signed_duration(t, o, e, l);
}
static int parse_rate_v(const char *t, void *o, char *e, size_t l) {
    return scn_parse_rate(t, o, e, l);
}
static int parse_clock_rate_v(const char *t, void *o, char *e, size_t l) {
    return scn_parse_clock_rate(t, o, e, l);
}
static int parse_bool_v(const char *t, void *o, char *e, size_t l) {
    bool *b = o;
    SIM_ASSERT(t != NULL);
    SIM_ASSERT(b != NULL);
    if (strcmp(t, "true") == 0 || strcmp(t, "True") == 0 || strcmp(t, "TRUE") == 0) {
        *b = true;
        return 0;
    }
    if (strcmp(t, "false") == 0 || strcmp(t, "False") == 0 || strcmp(t, "FALSE") == 0) {
        *b = false;
        return 0;
    }
    snprintf(e, l, "'%.64s' is not true or false (expected true or false)", t);
    return -1;
}

int scn__duration(scn_ld *ld, const yaml_node_t *n, const char *key, sim_time *out) {
    return typed(ld, n, key, "a duration such as 10s or 250ms", parse_duration_v, out);
}

int scn__signed_duration(scn_ld *ld, const yaml_node_t *n, const char *key, sim_time *out) {
    return typed(ld, n, key, "a signed duration such as +20s or -5ms", parse_signed_v, out);
}

int scn__rate(scn_ld *ld, const yaml_node_t *n, const char *key, uint32_t *out) {
    return typed(ld, n, key, "a rate such as 2%, 0.02 or 500ppm", parse_rate_v, out);
}

int scn__clock_rate(scn_ld *ld, const yaml_node_t *n, const char *key, int64_t *out) {
    return typed(ld, n, key, "a clock rate such as 1.02, 102% or 1020000ppm",
                 parse_clock_rate_v, out);
}

int scn__bool(scn_ld *ld, const yaml_node_t *n, const char *key, bool *out) {
    return typed(ld, n, key, "true or false", parse_bool_v, out);
}

int scn__node_ref(scn_ld *ld, const yaml_node_t *n, const char *key, int32_t *out) {
    SIM_ASSERT(out != NULL);
    const char *name = NULL;
    if (scn__want_scalar(ld, n, key, "a node name such as c1", &name) != 0) return -1;
    int32_t i = scn__node_find(ld, name);
    SIM_ASSERT(i < (int32_t)ld->s->node_count);   /* callers index per-node tables with it */
    if (i >= 0) { *out = i; return 0; }
    char hint[SIM_ERR_MAX / 2];
    scn__node_hint(hint, sizeof hint, ld->s, name, false);
    return scn__fail(ld, scn__pos(n), "%s: unknown node '%.64s'%s", key, name, hint);
}

/* Marks in set[] a node name or a role (all of its nodes). */
static int set_add(scn_ld *ld, const yaml_node_t *n, const char *key, bool *set) {
    const char *name = NULL;
    if (scn__want_scalar(ld, n, key, "a node name or a role such as c1 or redis", &name) != 0)
        return -1;
    int32_t i = scn__node_find(ld, name);
    SIM_ASSERT(i < (int32_t)ld->s->node_count);
    if (i >= 0) { set[i] = true; return 0; }
    bool found = false;
    SIM_ASSERT(ld->s->node_count <= SIM_NODES_MAX);
    for (uint32_t j = 0; j < ld->s->node_count; j++) {
        if (strcmp(ld->s->nodes[j].role, name) != 0) continue;
        set[j] = found = true;
    }
    if (found) return 0;
    char hint[SIM_ERR_MAX / 2];
    scn__node_hint(hint, sizeof hint, ld->s, name, true);
    return scn__fail(ld, scn__pos(n), "%s: unknown node '%.64s'%s", key, name, hint);
}

/* As set_add, and the nodes it adds must be among the first SIM_MASK_NODES. */
static int set_add_masked(scn_ld *ld, const yaml_node_t *n, const char *key, bool *set,
                          bool masked) {
    if (set_add(ld, n, key, set) != 0) return -1;
    uint32_t last = ld->s->node_count;
    while (masked && last > SIM_MASK_NODES && !set[last - 1]) last--;
    if (!masked || last <= SIM_MASK_NODES) return 0;
    return scn__fail(ld, scn__pos(n), "%s: '%.64s' takes in node '%.64s', number %u in the "
                     "file, past the first %d (expected nodes among the first %d: a cut, a "
                     "delay, a loss burst and a nemesis name nodes by a 64-bit mask, the limit "
                     "SIM_MASK_NODES)", key, scn__text(n), ld->s->nodes[last - 1].name, last,
                     SIM_MASK_NODES, SIM_MASK_NODES);
}

static int node_set(scn_ld *ld, const yaml_node_t *n, const char *key, bool *set,
                    bool masked) {
    SIM_ASSERT(n != NULL);
    SIM_ASSERT(set != NULL);
    memset(set, 0, ld->s->node_count * sizeof *set);
    if (n->type != YAML_SEQUENCE_NODE) return set_add_masked(ld, n, key, set, masked);
    for (const yaml_node_item_t *it = n->data.sequence.items.start;
         it < n->data.sequence.items.top; it++) {
        if (set_add_masked(ld, scn__node(ld, *it), key, set, masked) != 0) return -1;
    }
    if (n->data.sequence.items.top == n->data.sequence.items.start)
        return scn__fail(ld, scn__pos(n), "%s: an empty list (expected at least one node)", key);
    return 0;
}

int scn__node_set(scn_ld *ld, const yaml_node_t *n, const char *key, bool *set) {
    return node_set(ld, n, key, set, false);
}

int scn__node_mask(scn_ld *ld, const yaml_node_t *n, const char *key, uint64_t *out) {
    SIM_ASSERT(out != NULL);
    bool set[SIM_NODES_MAX];
    if (node_set(ld, n, key, set, true) != 0) return -1;
    uint64_t mask = 0;
    for (uint32_t i = 0; i < ld->s->node_count && i < SIM_MASK_NODES; i++)
        mask |= (uint64_t)set[i] << i;
    SIM_ASSERT(mask != 0);                      /* node_set marks at least one node */
    *out = mask;
    return 0;
}
