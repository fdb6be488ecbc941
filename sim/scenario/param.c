/* param.c -- checks a scenario's `params:`/`workload:` pairs against a
 * protocol's param_spec table and fills the protocol's config struct.
 *
 * Order: every spec's default first (parsed by the same parsers as the
 * file, so "10s" in a table means what it means in YAML), then every pair
 * of the scenario in file order; a required spec (default NULL) that the
 * scenario leaves out is reported at the section's position.  Invariant:
 * on success every field named by the table holds a parsed value.  A
 * default that does not parse is a bug in the table, so it asserts; a bad
 * value in the file is an error message, never an assertion.  Trade-off:
 * lookups are linear in the table, which has tens of entries.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sim/scenario/param.h"
#include "sim/scenario/scn_int.h"

#define MSG_MAX SIM_ERR_MAX
#define HINT_MAX (SIM_ERR_MAX / 2)

static void *field(void *cfg, const param_spec *sp) {
    SIM_ASSERT(cfg != NULL);
    SIM_ASSERT(sp != NULL);
    return (char *)cfg + sp->offset;
}

static const char *type_name(param_type t) {
    switch (t) {
    case PARAM_DURATION: return "duration";
    case PARAM_INT: return "integer";
    case PARAM_BOOL: return "bool";
    case PARAM_RATE: return "rate";
    case PARAM_ENUM: return "choice";
    case PARAM_NODES: return "nodes";
    case PARAM_PER_NODE_DURATION: return "duration/node";
    case PARAM_STRING: return "text";
    case PARAM_MAP: return "map";
    }
    return "?";
}

/* A spec's bounds [lo, hi] within its type's own range [floor, ceil], what
 * the type's parser lets through: any integer, a duration from 0 to
 * CONFIG_TIME_MAX (sim/config.h), a rate from 0 to 100%. */
typedef struct bounds { int64_t lo, hi, floor, ceil; } bounds;

/* min == max == 0: none, the type's own range. */
static bounds bounds_of(const param_spec *sp) {
    bounds r;
    r.floor = sp->type == PARAM_INT ? INT64_MIN : 0;
    bool duration = sp->type == PARAM_DURATION || sp->type == PARAM_PER_NODE_DURATION;
    r.ceil = sp->type == PARAM_RATE ? (int64_t)1000000 : duration ? CONFIG_TIME_MAX : INT64_MAX;
    r.lo = r.floor;
    r.hi = r.ceil;
    if (sp->min == 0 && sp->max == 0) return r;
    if (sp->min > r.floor) r.lo = sp->min;
    if (sp->max < r.ceil) r.hi = sp->max;
    return r;
}

static bool has_bounds(const param_spec *sp) {
    bounds r = bounds_of(sp);
    return r.lo != r.floor || r.hi != r.ceil;
}

/* A bound in the type's unit: "3", "3 ms", "24 h", "1%", "0.5%", "150 ppm".
 * A duration takes the largest unit that keeps it whole. */
static void fmt_bound(const param_spec *sp, int64_t v, char *buf, size_t len) {
    if (sp->type == PARAM_DURATION || sp->type == PARAM_PER_NODE_DURATION) {
        static const struct { const char *name; int64_t ns; } units[] = {
            {"h", 3600 * SIM_S}, {"m", 60 * SIM_S}, {"s", SIM_S}, {"ms", SIM_MS},
            {"us", SIM_US}, {"ns", SIM_NS},
        };
        for (size_t i = 0; v != 0 && i < sizeof units / sizeof units[0]; i++) {
            if (v % units[i].ns != 0) continue;
            snprintf(buf, len, "%lld %s", (long long)(v / units[i].ns), units[i].name);
            return;
        }
        snprintf(buf, len, "0");
    } else if (sp->type == PARAM_RATE && v % 100 == 0) {
        long long whole = (long long)(v / 10000), frac = (long long)(v % 10000 / 100);
        if (frac == 0) snprintf(buf, len, "%lld%%", whole);
        else if (frac % 10 == 0) snprintf(buf, len, "%lld.%lld%%", whole, frac / 10);
        else snprintf(buf, len, "%lld.%02lld%%", whole, frac);
    } else if (sp->type == PARAM_RATE) {
        snprintf(buf, len, "%lld ppm", (long long)v);
    } else {
        snprintf(buf, len, "%lld", (long long)v);
    }
}

/* What a value within the bounds is, for "(expected ...)": "a duration
 * above 0", "a duration of at least 3 ms", "a rate from 1% to 50%", "a whole
 * number from 1 to 10"; ", or none" when "none" is allowed. */
static void expected_in_bounds(const param_spec *sp, char *buf, size_t len) {
    bounds r = bounds_of(sp);
    const char *noun = sp->type == PARAM_INT ? "a whole number"
                       : sp->type == PARAM_RATE ? "a rate" : "a duration";
    const char *or_none = sp->allow_none ? ", or none" : "";
    char a[32], b[32];
    fmt_bound(sp, r.lo, a, sizeof a);
    fmt_bound(sp, r.hi, b, sizeof b);
    bool above0 = r.lo == 1 && sp->type != PARAM_INT;
    if (r.lo != r.floor && r.hi != r.ceil) {
        if (above0) snprintf(buf, len, "%s above 0 and at most %s%s", noun, b, or_none);
        else snprintf(buf, len, "%s from %s to %s%s", noun, a, b, or_none);
    } else if (r.lo != r.floor) {
        if (above0) snprintf(buf, len, "%s above 0%s", noun, or_none);
        else snprintf(buf, len, "%s of at least %s%s", noun, a, or_none);
    } else {
        snprintf(buf, len, "%s of at most %s%s", noun, b, or_none);
    }
}

/* 0, or -1 with "'text' is out of range (expected ...)" in msg. */
static int check_bounds(const param_spec *sp, const char *t, int64_t v, char *msg, size_t len) {
    bounds r = bounds_of(sp);
    if (v >= r.lo && v <= r.hi) return 0;
    char exp[HINT_MAX];
    expected_in_bounds(sp, exp, sizeof exp);
    snprintf(msg, len, "'%.64s' is out of range (expected %s)", t, exp);
    return -1;
}

/* What a value of the spec's type looks like, for "(expected ...)". */
static void expected(const param_spec *sp, char *buf, size_t len) {
    SIM_ASSERT(buf != NULL);
    SIM_ASSERT(len > 0);
    switch (sp->type) {
    case PARAM_DURATION:
        snprintf(buf, len, "a duration such as 10s or 250ms%s", sp->allow_none ? ", or none" : "");
        return;
    case PARAM_INT:
        if (!has_bounds(sp)) snprintf(buf, len, "a whole number such as 3");
        else expected_in_bounds(sp, buf, len);
        return;
    case PARAM_BOOL: snprintf(buf, len, "true or false"); return;
    case PARAM_RATE: snprintf(buf, len, "a rate such as 2%%, 0.02 or 500ppm"); return;
    case PARAM_ENUM: snprintf(buf, len, "one of %s", sp->choices ? sp->choices : ""); return;
    case PARAM_NODES:
        snprintf(buf, len, "a list of node names such as [c1, c2], or a role such as client");
        return;
    case PARAM_PER_NODE_DURATION:
        snprintf(buf, len, "a duration such as 2ms, or one per node such as {c1: 0ms, "
                 "c2: 10ms}");
        return;
    case PARAM_STRING: snprintf(buf, len, "a single value"); return;
    case PARAM_MAP: snprintf(buf, len, "a mapping"); return;
    }
}

static int parse_int(const param_spec *sp, const char *t, int64_t *out, char *msg, size_t len) {
    SIM_ASSERT(sp->type == PARAM_INT);
    SIM_ASSERT(sp->min <= sp->max);             /* the table's range; else no value fits */
    bool neg = t[0] == '-';
    size_t i = (neg || t[0] == '+') ? 1 : 0, start = i;
    uint64_t v = 0;
    bool overflow = false;
    for (; t[i] >= '0' && t[i] <= '9'; i++) {
        uint64_t d = (uint64_t)(t[i] - '0');
        if (v > ((uint64_t)INT64_MAX - d) / 10u) overflow = true; else v = v * 10u + d;
    }
    char exp[HINT_MAX];
    expected(sp, exp, sizeof exp);
    if (i == start || t[i] != '\0') {
        snprintf(msg, len, "'%.64s' is not a whole number (expected %s)", t, exp);
        return -1;
    }
    int64_t x = neg ? -(int64_t)v : (int64_t)v;
    bounds r = bounds_of(sp);
    if (overflow || x < r.lo || x > r.hi) {
        snprintf(msg, len, "'%.64s' is out of range (expected %s)", t, exp);
        return -1;
    }
    *out = x;
    return 0;
}

#define CHOICES_MAX 64   /* an enum's choices ("a|b|c") */

/* The index of t among "a|b|c", or -1. */
static int enum_index(const char *choices, const char *t, char names[][SIM_NAME_MAX],
                      size_t *count) {
    SIM_ASSERT(choices != NULL);
    SIM_ASSERT(t != NULL);
    int found = -1;
    *count = 0;
    for (const char *p = choices; *p && *count < CHOICES_MAX;) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        snprintf(names[*count], SIM_NAME_MAX, "%.*s", (int)n, p);
        if (found < 0 && strcmp(names[*count], t) == 0) found = (int)*count;
        (*count)++;
        p += n + (bar ? 1 : 0);
    }
    SIM_ASSERT(found < (int)*count);
    return found;
}

static int parse_enum(const param_spec *sp, const char *t, int *out, char *msg, size_t len) {
    SIM_ASSERT(sp->choices != NULL);
    SIM_ASSERT(out != NULL);
    char names[CHOICES_MAX][SIM_NAME_MAX];
    const char *ptrs[CHOICES_MAX];
    size_t count = 0;
    int i = enum_index(sp->choices, t, names, &count);
    if (i >= 0) { *out = i; return 0; }
    for (size_t k = 0; k < count; k++) ptrs[k] = names[k];
    const char *near = scn_nearest(t, ptrs, count);
    char hint[SIM_NAME_MAX + 32] = "";
    if (near) snprintf(hint, sizeof hint, "; did you mean '%s'?", near);
    snprintf(msg, len, "unknown value '%.64s' (expected one of %.160s%s)", t, sp->choices, hint);
    return -1;
}

/* A role (all its nodes) or one node name, added to *out. */
static int nodes_add(const scn *s, const char *name, param_nodes *out, char *msg, size_t len) {
    SIM_ASSERT(name != NULL);
    SIM_ASSERT(out->count <= SIM_NODES_MAX);
    bool found = false;
    for (uint32_t i = 0; i < s->node_count; i++) {
        if (strcmp(s->nodes[i].role, name) != 0) continue;
        found = true;
        if (out->count < SIM_NODES_MAX) out->node[out->count++] = (int32_t)i;
    }
    if (found) return 0;
    int32_t i = scn_node_find(s, name);
    if (i < 0) {
        char hint[HINT_MAX];
        scn__node_hint(hint, sizeof hint, s, name, true);
        snprintf(msg, len, "unknown node '%.64s'%s", name, hint);
        return -1;
    }
    for (uint32_t k = 0; k < out->count; k++) {
        if (out->node[k] != i) continue;
        snprintf(msg, len, "node '%.64s' is listed twice (expected each node once)", name);
        return -1;
    }
    if (out->count < SIM_NODES_MAX) out->node[out->count++] = i;
    return 0;
}

static int parse_nodes(const scn *s, const scn_param *p, param_nodes *out, char *msg,
                       size_t len) {
    param_nodes v;
    SIM_ASSERT(p != NULL);
    SIM_ASSERT(out != NULL);
    memset(&v, 0, sizeof v);
    if (!p->is_list) {
        if (p->value[0] != '\0' && nodes_add(s, p->value, &v, msg, len) != 0) return -1;
    } else {
        for (uint32_t i = 0; i < p->item_count; i++) {
            if (nodes_add(s, p->items[i], &v, msg, len) != 0) return -1;
        }
    }
    *out = v;
    return 0;
}

static void per_node_all(param_per_node *pn, sim_time v) {
    SIM_ASSERT(pn != NULL);
    SIM_ASSERT(v >= 0);                         /* a parsed duration */
    pn->all_ns = v;
    for (uint32_t i = 0; i < SIM_NODES_MAX; i++)
        if (!pn->listed[i]) pn->node_ns[i] = v;
}

static int parse_duration_param(const param_spec *sp, const char *t, sim_time *out, char *msg,
                                size_t len) {
    SIM_ASSERT(sp->type == PARAM_DURATION);
    SIM_ASSERT(out != NULL);
    if (sp->allow_none && (strcmp(t, "none") == 0 || strcmp(t, "off") == 0)) {
        *out = -1;
        return 0;
    }
    if (scn_parse_duration(t, out, msg, len) != 0) return -1;
    return check_bounds(sp, t, *out, msg, len);
}

/* Parses one scalar or list value into the spec's field. */
static int apply_one(const param_spec *sp, void *cfg, const scn_param *p, const scn *s,
                     char *msg, size_t len) {
    SIM_ASSERT(p != NULL);
    SIM_ASSERT(msg != NULL);
    void *f = field(cfg, sp);
    if (p->is_list && sp->type != PARAM_NODES) {
        char exp[HINT_MAX];
        expected(sp, exp, sizeof exp);
        snprintf(msg, len, "got a list (expected %s)", exp);
        return -1;
    }
    const char *t = p->value;
    switch (sp->type) {
    case PARAM_DURATION: {
        sim_time v = 0;
        if (parse_duration_param(sp, t, &v, msg, len) != 0) return -1;
        memcpy(f, &v, sizeof v);
        return 0;
    }
    case PARAM_INT: {
        int64_t v = 0;
        if (parse_int(sp, t, &v, msg, len) != 0) return -1;
        memcpy(f, &v, sizeof v);
        return 0;
    }
    case PARAM_BOOL: {
        bool v = strcmp(t, "true") == 0 || strcmp(t, "True") == 0 || strcmp(t, "TRUE") == 0;
        if (!v && strcmp(t, "false") != 0 && strcmp(t, "False") != 0 && strcmp(t, "FALSE") != 0) {
            snprintf(msg, len, "'%.64s' is not true or false (expected true or false)", t);
            return -1;
        }
        memcpy(f, &v, sizeof v);
        return 0;
    }
    case PARAM_RATE: {
        uint32_t v = 0;
        if (scn_parse_rate(t, &v, msg, len) != 0) return -1;
        if (check_bounds(sp, t, v, msg, len) != 0) return -1;
        memcpy(f, &v, sizeof v);
        return 0;
    }
    case PARAM_ENUM: {
        int v = 0;
        if (parse_enum(sp, t, &v, msg, len) != 0) return -1;
        memcpy(f, &v, sizeof v);
        return 0;
    }
    case PARAM_NODES: return parse_nodes(s, p, f, msg, len);
    case PARAM_PER_NODE_DURATION: {
        sim_time v = 0;
        if (scn_parse_duration(t, &v, msg, len) != 0) return -1;
        if (check_bounds(sp, t, v, msg, len) != 0) return -1;
        per_node_all(f, v);
        return 0;
    }
    case PARAM_STRING:
        snprintf(f, SCN_VALUE_MAX, "%s", t);
        return 0;
    case PARAM_MAP: break;              /* map_add */
    }
    return -1;
}

static void apply_default(const param_spec *sp, void *cfg, const scn *s) {
    scn_param p;
    memset(&p, 0, sizeof p);
    SIM_ASSERT(strlen(sp->default_value) < sizeof p.value);
    memcpy(p.value, sp->default_value, strlen(sp->default_value) + 1);
    char msg[MSG_MAX];
    if (sp->type == PARAM_PER_NODE_DURATION) memset(field(cfg, sp), 0, sizeof(param_per_node));
    if (sp->type == PARAM_MAP) {
        memset(field(cfg, sp), 0, sizeof(param_map));
        return;
    }
    if (sp->type == PARAM_NODES) {      /* a role with no nodes in this scenario: none */
        param_nodes none;
        memset(&none, 0, sizeof none);
        if (parse_nodes(s, &p, field(cfg, sp), msg, sizeof msg) != 0)
            memcpy(field(cfg, sp), &none, sizeof none);
        return;
    }
    int rc = apply_one(sp, cfg, &p, s, msg, sizeof msg);
    SIM_ASSERT(rc == 0);                /* the spec table's default must parse */
}

static const param_spec *spec_find(const param_spec *specs, size_t n, const char *key) {
    SIM_ASSERT(specs != NULL || n == 0);
    SIM_ASSERT(key != NULL);
    for (size_t i = 0; i < n; i++)
        if (strcmp(specs[i].name, key) == 0) return &specs[i];
    return NULL;
}

/* "start.c1" for a per-node spec named "start": the spec, and the node part. */
static const param_spec *per_node_find(const param_spec *specs, size_t n, const char *key,
                                       const char **node) {
    SIM_ASSERT(key != NULL);
    SIM_ASSERT(node != NULL);
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(specs[i].name);
        if (specs[i].type != PARAM_PER_NODE_DURATION || strncmp(specs[i].name, key, len) != 0 ||
            key[len] != '.')
            continue;
        *node = key + len + 1;
        return &specs[i];
    }
    return NULL;
}

/* "steps.3.T1" or "steps" for a map spec named "steps": the spec, and the
 * key under it ("3.T1", ""). */
static const param_spec *map_find(const param_spec *specs, size_t n, const char *key,
                                  const char **sub) {
    SIM_ASSERT(key != NULL);
    SIM_ASSERT(sub != NULL);
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(specs[i].name);
        if (specs[i].type != PARAM_MAP || strncmp(specs[i].name, key, len) != 0) continue;
        if (key[len] != '.' && key[len] != '\0') continue;
        *sub = key[len] == '.' ? key + len + 1 : key + len;
        return &specs[i];
    }
    return NULL;
}

_Static_assert(SCN_KEY_MAX <= CONFIG_KEY_MAX, "a map key fits param_map_entry.key");
_Static_assert(SCN_PARAMS_MAX <= CONFIG_MAP_MAX, "every pair fits a param_map");
_Static_assert(SCN_VALUE_MAX <= CONFIG_STRING_MAX, "a value fits param_map_entry.value");

static int map_add(const param_spec *sp, void *cfg, const scn_param *p, const char *sub,
                   const scn *s, char *err, size_t err_len) {
    param_map *m = field(cfg, sp);
    SIM_ASSERT(m->count < CONFIG_MAP_MAX);       /* the loader keeps fewer pairs */
    param_map_entry *x = &m->items[m->count++];
    snprintf(x->key, sizeof x->key, "%s", sub);
    if (!p->is_list) {
        snprintf(x->value, sizeof x->value, "%s", p->value);
        return 0;
    }
    size_t used = 0;
    x->value[0] = '\0';
    for (uint32_t i = 0; i < p->item_count; i++) {
        int n = snprintf(x->value + used, sizeof x->value - used, "%s%s", i ? ", " : "",
                         p->items[i]);
        if (n < 0 || (size_t)n >= sizeof x->value - used) {
            scn_errorf(err, err_len, s->path, p->pos, "%s: the list is too long (expected at "
                       "most %d bytes)", p->key, CONFIG_STRING_MAX - 1);
            return -1;
        }
        used += (size_t)n;
    }
    return 0;
}

/* A dotted key no name is near as a whole ("strt.c1", "watchdg.timeout"):
 * the nearest name to its first part, with the rest kept ("did you mean
 * 'start.c1'?"), when there is one; else hint stays as scn__hint left it. */
static void nested_hint(char *hint, size_t len, const char *key, const char *const *names,
                        size_t count) {
    const char *dot = strchr(key, '.');
    if (dot == NULL || scn_nearest(key, names, count) != NULL) return;
    char head[SCN_KEY_MAX];
    snprintf(head, sizeof head, "%.*s", (int)(dot - key), key);
    const char *near = scn_nearest(head, names, count);
    if (near != NULL && strcmp(near, head) != 0)     /* the first part is the misspelt one */
        snprintf(hint, len, " (did you mean '%.48s%.48s'?)", near, dot);
}

static int unknown_key(const param_spec *specs, size_t n, const scn_param *p, const scn *s,
                       const char *what, char *err, size_t err_len) {
    SIM_ASSERT(p != NULL);
    SIM_ASSERT(what != NULL);
    const char *names[SCN_PARAMS_MAX];
    size_t count = 0;
    for (size_t i = 0; i < n && count < SCN_PARAMS_MAX; i++) names[count++] = specs[i].name;
    char hint[HINT_MAX];
    scn__hint(hint, sizeof hint, p->key, names, count);
    nested_hint(hint, sizeof hint, p->key, names, count);
    scn_errorf(err, err_len, s->path, p->key_pos, "unknown key '%s' in %s%s", p->key, what, hint);
    return -1;
}

static int apply_per_node(const param_spec *sp, void *cfg, const scn_param *p, const char *node,
                          const scn *s, char *err, size_t err_len) {
    char msg[MSG_MAX];
    SIM_ASSERT(sp->type == PARAM_PER_NODE_DURATION);   /* per_node_find's answer */
    int32_t i = scn_node_find(s, node);
    if (i < 0) {
        char hint[HINT_MAX];
        scn__node_hint(hint, sizeof hint, s, node, false);
        scn_errorf(err, err_len, s->path, p->key_pos, "%s: unknown node '%s'%s", p->key, node,
                   hint);
        return -1;
    }
    sim_time v = 0;
    if (p->is_list) {
        scn_errorf(err, err_len, s->path, p->pos, "%s: got a list (expected a duration such as "
                   "2ms)", p->key);
        return -1;
    }
    if (scn_parse_duration(p->value, &v, msg, sizeof msg) != 0 ||
        check_bounds(sp, p->value, v, msg, sizeof msg) != 0) {
        scn_errorf(err, err_len, s->path, p->pos, "%s: %s", p->key, msg);
        return -1;
    }
    param_per_node *pn = field(cfg, sp);
    SIM_ASSERT(i < SIM_NODES_MAX);
    pn->node_ns[i] = v;
    pn->listed[i] = true;
    return 0;
}

static int check_required(const param_spec *specs, size_t n, const scn_params *params,
                          const scn *s, const char *what, char *err, size_t err_len) {
    SIM_ASSERT(params != NULL);
    SIM_ASSERT(what != NULL);
    for (size_t i = 0; i < n; i++) {
        if (specs[i].default_value) continue;
        bool given = false;
        for (uint32_t k = 0; k < params->count && !given; k++) {
            const char *node = NULL;
            const char *key = params->items[k].key;
            given = strcmp(key, specs[i].name) == 0 ||
                    per_node_find(&specs[i], 1, key, &node) != NULL ||
                    map_find(&specs[i], 1, key, &node) != NULL;
        }
        if (given) continue;
        char exp[HINT_MAX];
        expected(&specs[i], exp, sizeof exp);
        scn_errorf(err, err_len, s->path, params->pos, "%s: missing required key '%s' "
                   "(expected %s: %s)", what, specs[i].name, specs[i].name, exp);
        return -1;
    }
    return 0;
}

int param_apply(const param_spec *specs, size_t spec_count, void *cfg,
                const scn_params *params, const scn *s, const char *what,
                char *err, size_t err_len) {
    SIM_ASSERT(specs != NULL || spec_count == 0);
    SIM_ASSERT(cfg != NULL || spec_count == 0);
    SIM_ASSERT(params != NULL);
    SIM_ASSERT(s != NULL);
    for (size_t i = 0; i < spec_count; i++) {
        SIM_ASSERT(specs[i].name != NULL);
        SIM_ASSERT(specs[i].min <= specs[i].max);       /* a table's bounds are a range */
        if (specs[i].default_value) apply_default(&specs[i], cfg, s);
        else if (specs[i].type == PARAM_PER_NODE_DURATION)
            memset(field(cfg, &specs[i]), 0, sizeof(param_per_node));
        else if (specs[i].type == PARAM_MAP)
            memset(field(cfg, &specs[i]), 0, sizeof(param_map));
    }
    for (uint32_t k = 0; k < params->count; k++) {
        const scn_param *p = &params->items[k];
        const char *node = NULL;
        const param_spec *mp = map_find(specs, spec_count, p->key, &node);
        if (mp) {
            if (map_add(mp, cfg, p, node, s, err, err_len) != 0) return -1;
            continue;
        }
        const param_spec *sp = spec_find(specs, spec_count, p->key);
        if (!sp) {
            const param_spec *pn = per_node_find(specs, spec_count, p->key, &node);
            if (!pn) return unknown_key(specs, spec_count, p, s, what, err, err_len);
            if (apply_per_node(pn, cfg, p, node, s, err, err_len) != 0) return -1;
            continue;
        }
        char msg[MSG_MAX];
        if (apply_one(sp, cfg, p, s, msg, sizeof msg) != 0) {
            scn_errorf(err, err_len, s->path, p->pos, "%s: %s", p->key, msg);
            return -1;
        }
    }
    return check_required(specs, spec_count, params, s, what, err, err_len);
}

/* The bounds in short, for the table: "1..10", "> 0", ">= 3 ms", "<= 24 h",
 * "> 0, <= 24 h", "1%..50%". */
static void bounds_short(const param_spec *sp, char *buf, size_t len) {
    bounds r = bounds_of(sp);
    char a[32], b[32];
    fmt_bound(sp, r.lo, a, sizeof a);
    fmt_bound(sp, r.hi, b, sizeof b);
    bool above0 = r.lo == 1 && sp->type != PARAM_INT;
    if (r.lo != r.floor && r.hi != r.ceil) {
        if (above0) snprintf(buf, len, "> 0, <= %s", b);
        else snprintf(buf, len, "%s..%s", a, b);
    } else if (r.lo != r.floor) {
        if (above0) snprintf(buf, len, "> 0");
        else snprintf(buf, len, ">= %s", a);
    } else {
        snprintf(buf, len, "<= %s", b);
    }
}

const scn_param *param_find(const scn_params *params, const char *key) {
    SIM_ASSERT(params != NULL);
    SIM_ASSERT(key != NULL);
    for (uint32_t i = 0; i < params->count; i++)
        if (strcmp(params->items[i].key, key) == 0) return &params->items[i];
    return NULL;
}

scn_pos param_pos(const scn_params *params, const char *key, scn_pos fallback) {
    const scn_param *p = param_find(params, key);
    return p ? p->pos : fallback;
}

int param_error(const scn *s, const scn_params *params, const char *key, char *err,
                size_t err_len, const char *fmt, ...) {
    SIM_ASSERT(s != NULL);
    SIM_ASSERT(fmt != NULL);
    scn_pos fallback = params == &s->params ? s->protocol_pos
                       : params == &s->workload ? s->workload_pos : params->pos;
    char msg[MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    scn_errorf(err, err_len, s->path, param_pos(params, key, fallback), "%s", msg);
    return -1;
}

/* help, plus the choices, bounds or "none" the type allows. */
static void help_text(const param_spec *sp, char *buf, size_t len) {
    SIM_ASSERT(buf != NULL);
    SIM_ASSERT(len > 0);
    const char *help = sp->help ? sp->help : "";
    char range[HINT_MAX];
    if (sp->type == PARAM_ENUM)
        snprintf(buf, len, "%s (%s)", help, sp->choices ? sp->choices : "");
    else if (has_bounds(sp)) {
        bounds_short(sp, range, sizeof range);
        snprintf(buf, len, "%s (%s%s)", help, range, sp->allow_none ? ", or none" : "");
    }
    else if (sp->type == PARAM_DURATION && sp->allow_none)
        snprintf(buf, len, "%s (or none)", help);
    else
        snprintf(buf, len, "%s", help);
}

void param_print_table(const param_spec *specs, size_t spec_count, void *file) {
    SIM_ASSERT(file != NULL);
    SIM_ASSERT(specs != NULL || spec_count == 0);
    FILE *out = file;
    int wn = 0, wt = 0, wd = 0;
    for (size_t i = 0; i < spec_count; i++) {
        const char *d = specs[i].default_value ? specs[i].default_value : "(required)";
        int n = (int)strlen(specs[i].name), t = (int)strlen(type_name(specs[i].type));
        int dl = (int)strlen(d[0] ? d : "\"\"");
        if (n > wn) wn = n;
        if (t > wt) wt = t;
        if (dl > wd) wd = dl;
    }
    for (size_t i = 0; i < spec_count; i++) {
        const char *d = specs[i].default_value ? specs[i].default_value : "(required)";
        char help[SIM_ERR_MAX];
        help_text(&specs[i], help, sizeof help);
        fprintf(out, "  %-*s  %-*s  %-*s  %s\n", wn, specs[i].name, wt,
                type_name(specs[i].type), wd, d[0] ? d : "\"\"", help);
    }
}
