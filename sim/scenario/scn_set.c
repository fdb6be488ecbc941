/* scn_set.c -- command-line overrides of a scenario: `ccsim run --set KEY=VALUE`.
 *
 * An override edits the parsed YAML document *before* the loader walks it,
 * so a value given with --set goes through exactly the checks a value in
 * the file goes through and gets the same messages.
 *
 *   KEY    a path of names and list indexes: duration, params.fencing,
 *          faults[0].for, workload.start.c2, network.links[1].latency.
 *          A name may also match a flattened key as written in the file
 *          (`retry.every: 1s` under params).  Missing mappings, keys and
 *          lists are created; index N of a list of N items appends.  Under
 *          params and workload, a key below a single value (a bool with
 *          sub-keys: `watchdog: true`, then params.watchdog.timeout=10s)
 *          goes beside it as the flattened key the file could have
 *          written (`watchdog.timeout: 10s`): the bool keeps its value.
 *   VALUE  one YAML value: 5s, true, [c1, c2], {at: 1s, pause: c1, for: 2s};
 *          empty means "not given" (null).
 *
 * Overrides apply in the order given, so a later one wins.  `faults[N]` is
 * the N-th fault as written in the file (the loader sorts faults by `at`
 * only afterwards).
 *
 * Every node an override creates is marked with line SCN_SET_LINE + k (k =
 * the override's index) and, for its value, the column in VALUE; so an
 * error about it comes out of the loader (or of a protocol's table, later)
 * as "path:LINE:COL: error: ...", which scn_set_relocate() rewrites to
 * "--set KEY=VALUE: error: ...".  Errors in the path itself are reported
 * the same way directly.
 *
 * Invariant: only nodes reachable through KEY change; node ids, never
 * pointers, are kept across libyaml calls (adding a node may move them all).
 * Trade-off: the value is parsed as its own small YAML document and copied
 * in node by node (aliases expanded, bounded by SCN_VALUES_MAX) rather than
 * spliced as text, which keeps file positions exact for everything else.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/scenario/scn_int.h"

#define SET_SEGS_MAX 16

typedef struct set_seg {
    bool is_index;
    uint32_t index;
    char name[SCN_KEY_MAX];
} set_seg;

/* Where a node hangs: the root, the value of pair `i` of a mapping, or item
 * `i` of a sequence.  Lets a null be replaced by a new container. */
typedef struct set_slot {
    int parent;                  /* 0 = the root */
    size_t i;
    bool is_pair;
} set_slot;

typedef struct set_ctx {
    yaml_document_t *doc;
    const char *text;            /* KEY=VALUE, for messages */
    uint32_t k;                  /* the override's index */
    char *err;
    size_t err_len;
    uint32_t copied;             /* nodes copied from the value */
} set_ctx;

static int set_fail(set_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* KEY=VALUE as messages quote it: one line, and cut to SET_SHOWN bytes
 * ("...") so that a long override leaves room for the error itself. */
#define SET_SHOWN 80

static void set_label(char *buf, size_t cap, const char *text) {
    SIM_ASSERT(cap > SET_SHOWN);
    char line[SET_SHOWN * 2];
    sim_one_line(line, sizeof line, text);
    if (strlen(line) > SET_SHOWN) memcpy(line + SET_SHOWN - 3, "...", 4);
    snprintf(buf, cap, "%s", line);
}

static int set_fail(set_ctx *c, const char *fmt, ...) {
    SIM_ASSERT(c->text != NULL);
    SIM_ASSERT(fmt != NULL);
    char msg[SIM_ERR_MAX], label[SET_SHOWN + 1];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    set_label(label, sizeof label, c->text);
    snprintf(c->err, c->err_len, "--set %s: error: %s", label, msg);
    return -1;
}

static yaml_node_t *node_at(const set_ctx *c, int id) {
    yaml_node_t *n = yaml_document_get_node(c->doc, id);
    SIM_ASSERT(n != NULL);
    return n;
}

static void mark(set_ctx *c, int id, size_t column) {
    SIM_ASSERT(c->k >= 1);                      /* line SCN_SET_LINE + k: relocation needs k > 0 */
    SIM_ASSERT(column < SCN_SET_MAX);           /* a column inside VALUE */
    yaml_node_t *n = node_at(c, id);
    n->start_mark.line = n->end_mark.line = (size_t)SCN_SET_LINE + c->k - 1u;
    n->start_mark.column = n->end_mark.column = column;
}

/* ------------------------------------------------------------ the path */

static bool name_char(char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '-' || ch == '_';
}

static int parse_index(set_ctx *c, const char **pp, set_seg *s) {
    SIM_ASSERT(**pp == '[');                    /* parse_path dispatched on it */
    SIM_ASSERT(s != NULL);
    const char *p = *pp + 1;
    uint32_t v = 0;
    size_t digits = 0;
    for (; *p >= '0' && *p <= '9' && digits < 7; p++, digits++) v = v * 10u + (uint32_t)(*p - '0');
    if (digits == 0 || *p != ']')
        return set_fail(c, "a list index must be a whole number in brackets (expected a key "
                        "such as faults[0].for)");
    s->is_index = true;
    s->index = v;
    *pp = p + 1;
    return 0;
}

static int parse_path(set_ctx *c, const char *key, size_t key_len, set_seg *segs, uint32_t *n) {
    SIM_ASSERT(key != NULL);
    SIM_ASSERT(segs != NULL);
    const char *p = key, *end = key + key_len;
    *n = 0;
    while (p < end) {
        if (*n == SET_SEGS_MAX)
            return set_fail(c, "the key has more than %d parts (expected a path such as "
                            "params.retry.every)", SET_SEGS_MAX);
        set_seg *s = &segs[*n];
        memset(s, 0, sizeof *s);
        if (*p == '[') {
            if (parse_index(c, &p, s) != 0) return -1;
        } else {
            size_t len = 0;
            while (p + len < end && name_char(p[len])) len++;
            if (len == 0 || len >= sizeof s->name)
                return set_fail(c, "'%.*s' is not a key (expected names of letters, digits, "
                                "'-' and '_' joined by dots, and [N] for list items, such as "
                                "faults[0].for)", (int)key_len, key);
            memcpy(s->name, p, len);
            p += len;
        }
        (*n)++;
        if (p < end && *p == '.' && p + 1 < end && p[1] != '[') { p++; continue; }
        if (p < end && *p != '[')
            return set_fail(c, "'%.*s' is not a key (expected names joined by dots and [N] for "
                            "list items, such as faults[0].for)", (int)key_len, key);
    }
    if (*n == 0) return set_fail(c, "an empty key (expected KEY=VALUE, such as params.fencing=true)");
    SIM_ASSERT(*n <= SET_SEGS_MAX);
    return 0;
}

/* ------------------------------------------------------- slots and nodes */

static int slot_get(const set_ctx *c, set_slot s) {
    if (s.parent == 0) return 1;                 /* libyaml's root is node 1 */
    yaml_node_t *p = node_at(c, s.parent);
    SIM_ASSERT(p->type == (s.is_pair ? YAML_MAPPING_NODE : YAML_SEQUENCE_NODE));
    if (s.is_pair) {
        SIM_ASSERT(s.i < (size_t)(p->data.mapping.pairs.top - p->data.mapping.pairs.start));
        return p->data.mapping.pairs.start[s.i].value;
    }
    SIM_ASSERT(s.i < (size_t)(p->data.sequence.items.top - p->data.sequence.items.start));
    return p->data.sequence.items.start[s.i];
}

static void slot_put(set_ctx *c, set_slot s, int id) {
    SIM_ASSERT(s.parent != 0);                   /* the root is never replaced */
    yaml_node_t *p = node_at(c, s.parent);
    if (s.is_pair) p->data.mapping.pairs.start[s.i].value = id;
    else p->data.sequence.items.start[s.i] = id;
}

static bool is_null(const yaml_node_t *n) {
    SIM_ASSERT(n != NULL);
    if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) return false;
    const char *t = (const char *)n->data.scalar.value;
    return t[0] == '\0' || strcmp(t, "~") == 0 || strcmp(t, "null") == 0 ||
           strcmp(t, "Null") == 0 || strcmp(t, "NULL") == 0;
}

static int new_container(set_ctx *c, bool sequence) {
    int id = sequence ? yaml_document_add_sequence(c->doc, NULL, YAML_FLOW_SEQUENCE_STYLE)
                      : yaml_document_add_mapping(c->doc, NULL, YAML_FLOW_MAPPING_STYLE);
    if (id == 0) return set_fail(c, "out of memory"), 0;
    mark(c, id, 0);
    return id;
}

static int new_key(set_ctx *c, const char *name) {
    SIM_ASSERT(name != NULL);
    SIM_ASSERT(strlen(name) < SCN_KEY_MAX);     /* a path segment, or "" */
    int id = yaml_document_add_scalar(c->doc, NULL, (const yaml_char_t *)name, (int)strlen(name),
                                      YAML_PLAIN_SCALAR_STYLE);
    if (id == 0) return set_fail(c, "out of memory"), 0;
    mark(c, id, 0);
    return id;
}

/* The node at slot as a container of the wanted kind: a null there becomes
 * an empty one; anything else of the wrong kind is an error naming the
 * path walked so far. */
static int want_container(set_ctx *c, set_slot s, bool sequence, const char *walked, int *out) {
    SIM_ASSERT(walked != NULL);
    SIM_ASSERT(out != NULL);
    int id = slot_get(c, s);
    const yaml_node_t *n = node_at(c, id);
    yaml_node_type_t want = sequence ? YAML_SEQUENCE_NODE : YAML_MAPPING_NODE;
    if (n->type == want) { *out = id; return 0; }
    if (s.parent != 0 && is_null(n)) {
        if ((id = new_container(c, sequence)) == 0) return -1;
        slot_put(c, s, id);
        *out = id;
        return 0;
    }
    const char *got = n->type == YAML_MAPPING_NODE ? "a mapping"
                      : n->type == YAML_SEQUENCE_NODE ? "a list" : "a single value";
    return set_fail(c, "%s is %s, so it has no %s (expected a key that follows the "
                    "scenario's shape)", walked[0] ? walked : "the top level", got,
                    sequence ? "list items" : "keys");
}

/* ------------------------------------------------------------- walking */

/* The pair of map whose key is prefix and segs[i..m) joined by dots,
 * longest first; *m gets the end.  -1 when no key matches. */
static long find_key(const set_ctx *c, int map, const char *prefix, const set_seg *segs,
                     uint32_t i, uint32_t n, uint32_t *m) {
    SIM_ASSERT(i < n);
    SIM_ASSERT(!segs[i].is_index);              /* step_key starts at a name */
    uint32_t run = i;
    while (run < n && !segs[run].is_index) run++;
    for (uint32_t e = run; e > i; e--) {
        char joined[SCN_KEY_MAX * 3] = "";
        snprintf(joined, sizeof joined, "%s", prefix);
        for (uint32_t j = i; j < e; j++) {
            size_t used = strlen(joined);
            snprintf(joined + used, sizeof joined - used, "%s%s", used ? "." : "", segs[j].name);
        }
        const yaml_node_t *mp = node_at(c, map);
        for (yaml_node_pair_t *p = mp->data.mapping.pairs.start; p < mp->data.mapping.pairs.top; p++) {
            const yaml_node_t *k = node_at(c, p->key);
            if (k->type != YAML_SCALAR_NODE || strcmp((const char *)k->data.scalar.value, joined) != 0)
                continue;
            *m = e;
            return (long)(p - mp->data.mapping.pairs.start);
        }
    }
    return -1;
}

static void walked_add(char *walked, size_t len, const set_seg *s) {
    size_t used = strlen(walked);
    SIM_ASSERT(len > 0);
    SIM_ASSERT(used < len);
    if (s->is_index) snprintf(walked + used, len - used, "[%u]", s->index);
    else snprintf(walked + used, len - used, "%s%s", used ? "." : "", s->name);
}

/* Whether segs[*i] would step below a single value that a flattened
 * section (params, workload) holds at slot s: the key then goes beside it,
 * prefixed by that value's key. */
static bool beside_a_value(const set_ctx *c, set_slot s, const set_seg *segs, uint32_t i) {
    if (i < 2 || segs[0].is_index || !s.is_pair || s.parent == 0) return false;
    if (strcmp(segs[0].name, "params") != 0 && strcmp(segs[0].name, "workload") != 0) return false;
    const yaml_node_t *v = node_at(c, slot_get(c, s));
    return v->type == YAML_SCALAR_NODE && !is_null(v);
}

/* One step into a mapping: the slot of segs[*i] (created when missing), or
 * beside a single value of params or workload (beside_a_value). */
static int step_key(set_ctx *c, set_slot *s, const set_seg *segs, uint32_t *i, uint32_t n,
                    char *walked, size_t wlen) {
    int map;
    char prefix[SCN_KEY_MAX] = "";
    SIM_ASSERT(*i < n);
    if (beside_a_value(c, *s, segs, *i)) {
        map = s->parent;
        const yaml_node_t *mp = node_at(c, map);
        const yaml_node_t *k = node_at(c, mp->data.mapping.pairs.start[s->i].key);
        snprintf(prefix, sizeof prefix, "%s", (const char *)k->data.scalar.value);
    } else if (want_container(c, *s, false, walked, &map) != 0) {
        return -1;
    }
    uint32_t m = *i + 1;
    long pair = find_key(c, map, prefix, segs, *i, n, &m);
    for (uint32_t j = *i; j < m; j++) walked_add(walked, wlen, &segs[j]);
    if (pair < 0) {
        char name[SCN_KEY_MAX * 2];
        int len = snprintf(name, sizeof name, "%s%s%s", prefix, prefix[0] ? "." : "", segs[*i].name);
        if (len < 0 || (size_t)len >= SCN_KEY_MAX)
            return set_fail(c, "%s: the key is too long (expected at most %d bytes with its "
                            "parents, the limit SCN_KEY_MAX)", walked, SCN_KEY_MAX - 1);
        int key = new_key(c, name), val = key ? new_key(c, "") : 0;
        if (val == 0) return -1;
        if (!yaml_document_append_mapping_pair(c->doc, map, key, val)) return set_fail(c, "out of memory");
        const yaml_node_t *mp = node_at(c, map);
        pair = (long)(mp->data.mapping.pairs.top - mp->data.mapping.pairs.start) - 1;
    }
    *s = (set_slot){ map, (size_t)pair, true };
    SIM_ASSERT(m > *i);                         /* progress: apply_one's loop ends */
    SIM_ASSERT(m <= n);
    *i = m;
    return 0;
}

/* One step into a list: item N, or a new item when N is the length. */
static int step_index(set_ctx *c, set_slot *s, const set_seg *seg, char *walked, size_t wlen) {
    int seq;
    SIM_ASSERT(seg->is_index);
    if (want_container(c, *s, true, walked, &seq) != 0) return -1;
    const yaml_node_t *sq = node_at(c, seq);
    size_t len = (size_t)(sq->data.sequence.items.top - sq->data.sequence.items.start);
    if (seg->index > len)
        return set_fail(c, "%s has %zu item%s, so there is no [%u] (expected an index from 0 to "
                        "%zu; [%zu] adds one at the end)", walked, len, len == 1 ? "" : "s",
                        seg->index, len, len);
    if (seg->index == len) {
        int val = new_key(c, "");
        if (val == 0) return -1;
        if (!yaml_document_append_sequence_item(c->doc, seq, val)) return set_fail(c, "out of memory");
    }
    walked_add(walked, wlen, seg);
    sq = node_at(c, seq);                       /* appending may have moved it */
    SIM_ASSERT(seg->index < (size_t)(sq->data.sequence.items.top - sq->data.sequence.items.start));
    *s = (set_slot){ seq, seg->index, false };
    return 0;
}

/* ------------------------------------------------------------- the value */

static int copy_node(set_ctx *c, yaml_document_t *src, int src_id, uint32_t depth, int *out);

static int copy_children(set_ctx *c, yaml_document_t *src, int src_id, int dst, uint32_t depth) {
    const yaml_node_t *n = yaml_document_get_node(src, src_id);
    SIM_ASSERT(n != NULL);
    SIM_ASSERT(n->type != YAML_SCALAR_NODE);    /* copy_node copies scalars itself */
    if (n->type == YAML_SEQUENCE_NODE) {
        size_t count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
        for (size_t i = 0; i < count; i++) {
            int item;
            n = yaml_document_get_node(src, src_id);          /* stable: src is not changed */
            if (copy_node(c, src, n->data.sequence.items.start[i], depth + 1, &item) != 0) return -1;
            if (!yaml_document_append_sequence_item(c->doc, dst, item)) return set_fail(c, "out of memory");
        }
        return 0;
    }
    size_t count = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
    for (size_t i = 0; i < count; i++) {
        int key, val;
        yaml_node_pair_t pr = yaml_document_get_node(src, src_id)->data.mapping.pairs.start[i];
        if (copy_node(c, src, pr.key, depth + 1, &key) != 0) return -1;
        if (copy_node(c, src, pr.value, depth + 1, &val) != 0) return -1;
        if (!yaml_document_append_mapping_pair(c->doc, dst, key, val)) return set_fail(c, "out of memory");
    }
    return 0;
}

static int copy_node(set_ctx *c, yaml_document_t *src, int src_id, uint32_t depth, int *out) {
    const yaml_node_t *n = yaml_document_get_node(src, src_id);
    SIM_ASSERT(n != NULL);
    SIM_ASSERT(out != NULL);
    if (++c->copied > SCN_VALUES_MAX || depth > SCN_DEPTH_MAX)
        return set_fail(c, "the value is too big once aliases are expanded (expected at most "
                        "%d values nested %d deep)", SCN_VALUES_MAX, SCN_DEPTH_MAX);
    size_t column = n->start_mark.column + 1u;       /* within KEY=VALUE's VALUE */
    int id;
    if (n->type == YAML_SCALAR_NODE) {
        id = yaml_document_add_scalar(c->doc, NULL, n->data.scalar.value, (int)n->data.scalar.length,
                                      n->data.scalar.style);
    } else {
        id = n->type == YAML_SEQUENCE_NODE
                 ? yaml_document_add_sequence(c->doc, NULL, YAML_FLOW_SEQUENCE_STYLE)
                 : yaml_document_add_mapping(c->doc, NULL, YAML_FLOW_MAPPING_STYLE);
    }
    if (id == 0) return set_fail(c, "out of memory");
    mark(c, id, column - 1u);
    if (n->type != YAML_SCALAR_NODE && copy_children(c, src, src_id, id, depth) != 0) return -1;
    *out = id;
    return 0;
}

/* After the value's document: the end of the text, not a second document
 * that would otherwise be dropped unread. */
static int value_ends(set_ctx *c, yaml_parser_t *yp) {
    yaml_document_t more;
    if (!yaml_parser_load(yp, &more))
        return set_fail(c, "the value is not valid YAML: %s (expected one value such as 5s, "
                        "true, [c1, c2] or {at: 1s, pause: c1, for: 2s})",
                        yp->problem ? yp->problem : "unreadable");
    bool second = yaml_document_get_root_node(&more) != NULL;
    yaml_document_delete(&more);
    if (second)
        return set_fail(c, "a second YAML document in the value (expected one value; remove "
                        "the '---')");
    return 0;
}

/* Parses VALUE as one YAML value and copies it into the document. */
static int value_node(set_ctx *c, const char *value, int *out) {
    SIM_ASSERT(value != NULL);
    SIM_ASSERT(out != NULL);
    yaml_parser_t yp;
    yaml_document_t vd;
    if (!yaml_parser_initialize(&yp)) return set_fail(c, "out of memory");
    yaml_parser_set_input_string(&yp, (const unsigned char *)value, strlen(value));
    int rc = 0;
    if (!yaml_parser_load(&yp, &vd)) {
        rc = set_fail(c, "the value is not valid YAML: %s (expected one value such as 5s, true, "
                      "[c1, c2] or {at: 1s, pause: c1, for: 2s})", yp.problem ? yp.problem : "unreadable");
        yaml_parser_delete(&yp);
        return rc;
    }
    if (yaml_document_get_root_node(&vd) == NULL) {
        *out = new_key(c, "");                       /* an empty value: null */
        rc = *out ? 0 : -1;
    } else {
        rc = copy_node(c, &vd, 1, 0, out);
    }
    yaml_document_delete(&vd);
    if (rc == 0) rc = value_ends(c, &yp);
    yaml_parser_delete(&yp);
    return rc;
}

/* ------------------------------------------------------------- entry */

static int apply_one(set_ctx *c) {
    SIM_ASSERT(c->k >= 1);
    SIM_ASSERT(strlen(c->text) < SCN_SET_MAX);  /* scn__apply_sets checked it */
    const char *eq = strchr(c->text, '=');
    if (eq == NULL)
        return set_fail(c, "no '=' (expected KEY=VALUE, such as params.fencing=true)");
    set_seg segs[SET_SEGS_MAX];
    uint32_t n = 0;
    if (parse_path(c, c->text, (size_t)(eq - c->text), segs, &n) != 0) return -1;
    set_slot s = { 0, 0, false };
    char walked[SCN_SET_MAX] = "";
    for (uint32_t i = 0; i < n;) {
        if (segs[i].is_index) {
            if (step_index(c, &s, &segs[i], walked, sizeof walked) != 0) return -1;
            i++;
        } else if (step_key(c, &s, segs, &i, n, walked, sizeof walked) != 0) {
            return -1;
        }
    }
    int val;
    if (value_node(c, eq + 1, &val) != 0) return -1;
    slot_put(c, s, val);
    return 0;
}

int scn__apply_sets(yaml_document_t *doc, const char *const *sets, uint32_t count,
                    char *err, size_t err_len) {
    SIM_ASSERT(doc != NULL);
    SIM_ASSERT(count == 0 || sets != NULL);
    if (count > SCN_SETS_MAX) {
        snprintf(err, err_len, "--set: error: %u overrides (expected at most %d, the limit "
                 "SCN_SETS_MAX)", count, SCN_SETS_MAX);
        return -1;
    }
    for (uint32_t k = 0; k < count; k++) {
        set_ctx c = { doc, sets[k], k + 1u, err, err_len, 0 };
        /* Taken anew each time: an override adds nodes, and libyaml then
         * reallocates its node array, which would leave an older pointer
         * dangling. */
        const yaml_node_t *root = yaml_document_get_root_node(doc);
        if (strlen(sets[k]) >= SCN_SET_MAX)
            return set_fail(&c, "too long: %zu bytes (expected at most %d, the limit SCN_SET_MAX)",
                            strlen(sets[k]), SCN_SET_MAX - 1);
        if (root == NULL || root->type != YAML_MAPPING_NODE)
            return set_fail(&c, "the file's top level is not a mapping, so there is nothing to "
                            "set (expected a scenario with keys such as name and protocol)");
        if (apply_one(&c) != 0) return -1;
    }
    return 0;
}

/* ------------------------------------------------------- relocation */

/* Rewrites every "LINE:COL" whose LINE marks override k as "--set TEXT",
 * and a leading "path:--set" as "--set". */
void scn__set_relocate(char *err, size_t err_len, const char *path, const char *const *sets,
                       uint32_t count) {
    SIM_ASSERT(err != NULL);
    SIM_ASSERT(count == 0 || sets != NULL);
    char out[SIM_ERR_MAX * 2];
    size_t o = 0;
    bool changed = false;
    for (const char *p = err; *p && o + 1 < sizeof out;) {
        bool at_number = *p >= '0' && *p <= '9' && (p == err || !(p[-1] >= '0' && p[-1] <= '9'));
        char *end = NULL;
        unsigned long long line = at_number ? strtoull(p, &end, 10) : 0;
        if (at_number && *end == ':' && end[1] >= '0' && end[1] <= '9' && line > SCN_SET_LINE &&
            line - SCN_SET_LINE <= count) {
            char label[SET_SHOWN + 1];
            set_label(label, sizeof label, sets[line - SCN_SET_LINE - 1]);
            int w = snprintf(out + o, sizeof out - o, "--set %s", label);
            o += w > 0 ? (size_t)w : 0;
            if (o >= sizeof out) o = sizeof out - 1;
            p = end + 1;
            while (*p >= '0' && *p <= '9') p++;
            changed = true;
            continue;
        }
        out[o++] = *p++;
    }
    SIM_ASSERT(o < sizeof out);
    out[o] = '\0';
    if (!changed) return;
    size_t plen = strlen(path);
    const char *text = out;
    if (strncmp(out, path, plen) == 0 && strncmp(out + plen, ":--set ", 7) == 0) text = out + plen + 1;
    snprintf(err, err_len, "%s", text);
}
