/* scn.c -- loads a scenario file (DESIGN.md section 6) into a `scn`.
 *
 * The file is read whole (at most SCN_FILE_MAX bytes), scanned once for
 * nesting depth and anchors (libyaml slows down quadratically on deep
 * nesting), parsed with libyaml's document API, checked for size and depth
 * again (aliases can expand a small file exponentially; recursive aliases
 * would never end), then walked section by
 * section in a FIXED order -- name, description, seed, duration, protocol,
 * nodes, params, network, clocks, workload, faults, nemesis, checks, expect
 * -- so that nodes and the horizon are known before anything names them.
 * Consequently, the first error reported is the first in that order, not
 * necessarily the first in the file.
 *
 * Required keys: name, protocol, nodes.  Defaults: seed 1; duration 60s
 * (SCN_DURATION_DEFAULT; a horizon is needed to place faults, and a minute of
 * simulated time is cheap); latency 1ms fixed, no loss, duplication or
 * reordering; every clock at offset 0 and rate 1.
 *
 * Invariant after a successful load: the invariant stated in scn.h (unique
 * node names, valid node indices, faults within [0, duration] and sorted
 * stably by `at`).  On failure nothing needs freeing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/scenario/scn_int.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *const top_keys[] = {
    "name", "description", "seed", "duration", "protocol", "params", "nodes",
    "network", "clocks", "workload", "faults", "nemesis", "checks", "check_budgets", "expect",
};

static const char *const net_keys[] = {"latency", "loss", "duplicate", "reorder", "links"};
static const char *const link_keys[] = {"from", "to", "latency", "loss", "duplicate", "reorder"};
static const char *const clock_keys[] = {"offset", "rate"};
static const char *const verdicts[] = {"ok", "violation", "unknown"};

/* ------------------------------------------------------------------ */
/* params: flattened key/value pairs                                   */

static int param_add(scn_ld *ld, scn_params *ps, const char *key, scn_pos key_pos,
                     scn_param **out) {
    SIM_ASSERT(key != NULL);
    SIM_ASSERT(ps->count <= SCN_PARAMS_MAX);
    for (uint32_t i = 0; i < ps->count; i++) {
        if (strcmp(ps->items[i].key, key) != 0) continue;
        return scn__fail(ld, key_pos, "duplicate key '%.64s' (first at %u:%u; expected each "
                         "key once)", key, ps->items[i].key_pos.line, ps->items[i].key_pos.col);
    }
    if (ps->count == SCN_PARAMS_MAX)
        return scn__fail(ld, key_pos, "too many parameters: more than %d (expected at most "
                         "the limit SCN_PARAMS_MAX)", SCN_PARAMS_MAX);
    if ((ps->count & (ps->count - 1)) == 0)     /* 0, 1, 2, 4...: grow by doubling */
        ps->items = sim_xrealloc(ps->items, sizeof(scn_param) * (ps->count ? ps->count * 2 : 1));
    scn_param *p = &ps->items[ps->count++];
    memset(p, 0, sizeof *p);
    p->key_pos = key_pos;
    size_t len = strlen(key);
    SIM_ASSERT(len < sizeof p->key);        /* flatten() checked the length */
    memcpy(p->key, key, len + 1);
    *out = p;
    return 0;
}

static int param_list(scn_ld *ld, scn_param *p, const yaml_node_t *seq, const char *key) {
    SIM_ASSERT(seq->type == YAML_SEQUENCE_NODE);
    SIM_ASSERT(p->item_count == 0);             /* a fresh param from param_add */
    p->is_list = true;
    for (const yaml_node_item_t *it = seq->data.sequence.items.start;
         it < seq->data.sequence.items.top; it++) {
        const yaml_node_t *item = scn__node(ld, *it);
        const char *text = NULL;
        if (scn__want_scalar(ld, item, key, "a list of single values such as [c1, c2]",
                             &text) != 0) return -1;
        if (p->item_count == SCN_LIST_MAX)
            return scn__fail(ld, scn__pos(item), "%s: too many items: more than %d "
                             "(expected at most the limit SCN_LIST_MAX)", key, SCN_LIST_MAX);
        if (scn__copy(ld, p->items[p->item_count], SIM_NAME_MAX, text, scn__pos(item), key,
                      "SIM_NAME_MAX") != 0) return -1;
        p->item_count++;
    }
    return 0;
}

/* Flattens a mapping into ps: nested maps give dotted keys. */
static int flatten(scn_ld *ld, scn_params *ps, const yaml_node_t *map, const char *prefix,
                   const char *skip) {
    SIM_ASSERT(map->type == YAML_MAPPING_NODE);   /* callers checked the shape */
    SIM_ASSERT(strlen(prefix) < SCN_KEY_MAX);     /* a prefix is a key that fitted */
    if (scn__check_keys(ld, map, NULL, 0, NULL) != 0) return -1;
    for (const yaml_node_pair_t *pr = map->data.mapping.pairs.start;
         pr < map->data.mapping.pairs.top; pr++) {
        const yaml_node_t *k = scn__node(ld, pr->key), *v = scn__node(ld, pr->value);
        if (skip && strcmp(scn__text(k), skip) == 0) continue;
        char key[SCN_KEY_MAX + 8];
        int n = snprintf(key, sizeof key, "%s%s%s", prefix, prefix[0] ? "." : "",
                         scn__text(k));
        if (n < 0 || (size_t)n >= SCN_KEY_MAX)
            return scn__fail(ld, scn__pos(k), "key '%.40s...' is too long (expected at most "
                             "%d bytes with its parents, the limit SCN_KEY_MAX)",
                             key, SCN_KEY_MAX - 1);
        if (v->type == YAML_MAPPING_NODE) {
            if (flatten(ld, ps, v, key, NULL) != 0) return -1;
            continue;
        }
        scn_param *p = NULL;
        if (param_add(ld, ps, key, scn__pos(k), &p) != 0) return -1;
        p->pos = scn__pos(v);
        if (v->type == YAML_SEQUENCE_NODE) {
            if (param_list(ld, p, v, key) != 0) return -1;
        } else if (scn__copy(ld, p->value, SCN_VALUE_MAX, scn__text(v), p->pos, key,
                             "SCN_VALUE_MAX") != 0) {
            return -1;
        }
    }
    return 0;
}

static int load_params(scn_ld *ld, const yaml_node_t *root) {
    SIM_ASSERT(root->type == YAML_MAPPING_NODE);
    SIM_ASSERT(ld->s->params.count == 0);       /* read once */
    scn_pos key_pos = ld->s->params.pos;
    const yaml_node_t *n = scn__get(ld, root, "params", &key_pos);
    if (!n || scn__is_null(n)) { ld->s->params.pos = key_pos; return 0; }
    if (scn__want_map(ld, n, "params", "a mapping of the protocol's parameters, such as "
                      "{ttl: 10s}") != 0) return -1;
    ld->s->params.pos = key_pos;
    return flatten(ld, &ld->s->params, n, "", NULL);
}

static int load_workload(scn_ld *ld, const yaml_node_t *root) {
    scn *s = ld->s;
    SIM_ASSERT(root->type == YAML_MAPPING_NODE);
    SIM_ASSERT(s->workload.count == 0);
    scn_pos key_pos = {0, 0};
    const yaml_node_t *n = scn__get(ld, root, "workload", &key_pos);
    if (!n || scn__is_null(n)) return 0;
    if (scn__want_map(ld, n, "workload", "a mapping with kind and the workload's "
                      "parameters, such as {kind: lock-counter}") != 0) return -1;
    s->workload.pos = key_pos;
    const yaml_node_t *kind = scn__get(ld, n, "kind", NULL);
    if (!kind)
        return scn__fail(ld, key_pos, "workload: missing required key 'kind' (expected the "
                         "workload to drive the clients, such as kind: lock-counter)");
    const char *text = NULL;
    if (scn__want_scalar(ld, kind, "kind", "a workload name such as lock-counter", &text) != 0)
        return -1;
    if (scn__copy(ld, s->workload_kind, sizeof s->workload_kind, text, scn__pos(kind), "kind",
                  "SIM_NAME_MAX") != 0) return -1;
    s->workload_pos = scn__pos(kind);
    return flatten(ld, &s->workload, n, "", "kind");
}

/* ------------------------------------------------------------------ */
/* name, description, seed, duration, protocol                          */

static int load_seed(scn_ld *ld, const yaml_node_t *n) {
    const char *t = NULL;
    if (scn__want_scalar(ld, n, "seed", "an unsigned integer such as 1 or 42", &t) != 0)
        return -1;
    SIM_ASSERT(t != NULL);
    uint64_t v = 0;
    size_t i = 0;
    for (; t[i] >= '0' && t[i] <= '9'; i++) {
        uint64_t d = (uint64_t)(t[i] - '0');
        if (v > (UINT64_MAX - d) / 10u)
            return scn__fail(ld, scn__pos(n), "seed: '%.64s' is too large (expected an unsigned "
                             "64-bit integer, at most 18446744073709551615)", t);
        v = v * 10u + d;
    }
    if (i == 0 || t[i] != '\0')
        return scn__fail(ld, scn__pos(n), "seed: '%.64s' is not an unsigned integer (expected a "
                         "whole number such as 1 or 42)", t);
    ld->s->seed = v;
    return 0;
}

static int load_description(scn_ld *ld, const yaml_node_t *n) {
    SIM_ASSERT(n != NULL);
    const char *t = NULL;
    if (scn__is_null(n)) return 0;
    if (scn__want_scalar(ld, n, "description", "a text", &t) != 0) return -1;
    if (scn__copy(ld, ld->s->description, SCN_TEXT_MAX, t, scn__pos(n), "description",
                  "SCN_TEXT_MAX") != 0) return -1;
    size_t len = strlen(ld->s->description);     /* `>` keeps a final newline */
    while (len > 0 && (ld->s->description[len - 1] == '\n' || ld->s->description[len - 1] == ' '))
        ld->s->description[--len] = '\0';
    SIM_ASSERT(len < SCN_TEXT_MAX);
    return 0;
}

static int load_head(scn_ld *ld, const yaml_node_t *root) {
    scn *s = ld->s;
    const yaml_node_t *n = scn__get(ld, root, "name", NULL);
    const char *t = NULL;
    SIM_ASSERT(n != NULL);                      /* load_required ran first */
    if (scn__want_scalar(ld, n, "name", "a name such as lease-gc-pause", &t) != 0) return -1;
    if (scn__copy(ld, s->name, sizeof s->name, t, scn__pos(n), "name", "2 * SIM_NAME_MAX") != 0)
        return -1;
    if (t[0] == '\0')
        return scn__fail(ld, scn__pos(n), "name: empty (expected a name such as "
                         "lease-gc-pause)");
    if (!scn__name_ok(t, true))
        return scn__fail(ld, scn__pos(n), "name: '%.64s' has a character other than letters, "
                         "digits, '-', '_' and '.' (expected a name usable as a folder name, "
                         "such as lease-gc-pause)", t);
    if (t[0] == '.')                            /* ".", ".." or a hidden folder */
        return scn__fail(ld, scn__pos(n), "name: '%.64s' starts with '.' (expected a name "
                         "usable as a folder name, so not '.', '..' or a hidden one, such as "
                         "lease-gc-pause)", t);
    if ((n = scn__get(ld, root, "description", NULL)) && load_description(ld, n) != 0) return -1;
    if ((n = scn__get(ld, root, "seed", NULL)) && load_seed(ld, n) != 0) return -1;
    if ((n = scn__get(ld, root, "duration", NULL))) {
        if (scn__duration(ld, n, "duration", &s->duration_ns) != 0) return -1;
        if (s->duration_ns == 0)
            return scn__fail(ld, scn__pos(n), "duration: '%.64s' is zero (expected a horizon "
                             "above 0, such as 30s)", scn__text(n));
    }
    n = scn__get(ld, root, "protocol", &s->params.pos);
    SIM_ASSERT(n != NULL);                      /* load_required ran first */
    if (scn__want_scalar(ld, n, "protocol", "a protocol name such as setnx-lock", &t) != 0)
        return -1;
    s->protocol_pos = scn__pos(n);
    return scn__copy(ld, s->protocol, sizeof s->protocol, t, scn__pos(n), "protocol",
                     "SIM_NAME_MAX");
}

/* ------------------------------------------------------------------ */
/* nodes                                                                */

static uint32_t name_home(const char *name) {
    uint32_t h = 2166136261u;                   /* FNV-1a */
    for (const unsigned char *c = (const unsigned char *)name; *c; c++) h = (h ^ *c) * 16777619u;
    return h & (SCN_NAME_SLOTS - 1);
}

/* The slot of name in ld->names: its own, or the free one it would take. */
static uint32_t *name_slot(const scn_ld *ld, const char *name) {
    uint32_t i = name_home(name);
    while (ld->names[i] != 0 && strcmp(ld->s->nodes[ld->names[i] - 1].name, name) != 0)
        i = (i + 1) & (SCN_NAME_SLOTS - 1);
    return &ld->names[i];
}

int32_t scn__node_find(const scn_ld *ld, const char *name) {
    if (ld->names == NULL) return scn_node_find(ld->s, name);
    return (int32_t)*name_slot(ld, name) - 1;
}

static int node_add(scn_ld *ld, const char *name, const char *role, uint32_t role_index,
                    scn_pos pos) {
    scn *s = ld->s;
    SIM_ASSERT(name != NULL);
    SIM_ASSERT(strlen(role) < SIM_NAME_MAX);    /* load_role checked it: no silent cut below */
    if (s->node_count == SIM_NODES_MAX)
        return scn__fail(ld, pos, "too many nodes: more than %d (expected at most the limit "
                         "SIM_NODES_MAX)", SIM_NODES_MAX);
    scn_node *nd = &s->nodes[s->node_count];
    if (scn__copy(ld, nd->name, sizeof nd->name, name, pos, "nodes", "SIM_NAME_MAX") != 0)
        return -1;
    if (name[0] == '\0')
        return scn__fail(ld, pos, "nodes: an empty name (expected a node name such as c1)");
    if (!scn__name_ok(name, false))
        return scn__fail(ld, pos, "nodes: '%.64s' has a character other than letters, digits, "
                         "'-' and '_' (expected a node name such as c1 or redis1)", name);
    if (ld->names == NULL) ld->names = sim_xcalloc(SCN_NAME_SLOTS, sizeof *ld->names);
    int32_t prev = scn__node_find(ld, name);
    if (prev >= 0)
        return scn__fail(ld, pos, "duplicate node '%.64s' (first at %u:%u; expected unique node "
                         "names)", name, s->nodes[prev].pos.line, s->nodes[prev].pos.col);
    snprintf(nd->role, sizeof nd->role, "%s", role);
    nd->role_index = role_index;
    nd->pos = pos;
    s->node_count++;
    *name_slot(ld, name) = s->node_count;
    SIM_ASSERT(scn__node_find(ld, name) == (int32_t)(s->node_count - 1));   /* names stay unique */
    return 0;
}

static int load_role_count(scn_ld *ld, const yaml_node_t *v, const char *role) {
    SIM_ASSERT(v->type == YAML_SCALAR_NODE);
    SIM_ASSERT(role != NULL);
    const char *t = scn__text(v);
    uint32_t count = 0;
    size_t i = 0;
    for (; t[i] >= '0' && t[i] <= '9' && count <= SIM_NODES_MAX; i++)
        count = count * 10u + (uint32_t)(t[i] - '0');
    if (i == 0 || (t[i] != '\0' && !(t[i] >= '0' && t[i] <= '9')))
        return scn__fail(ld, scn__pos(v), "nodes: %s: '%.64s' is not a count (expected a "
                         "number of nodes such as 3, or a list of names such as [r1, r2])",
                         role, t);
    if (count > SIM_NODES_MAX || ld->s->node_count + count > SIM_NODES_MAX)
        return scn__fail(ld, scn__pos(v), "too many nodes: more than %d (expected at most the "
                         "limit SIM_NODES_MAX)", SIM_NODES_MAX);
    for (uint32_t k = 0; k < count; k++) {
        char name[SIM_NAME_MAX + 16];
        snprintf(name, sizeof name, "%s%u", role, k + 1);
        if (node_add(ld, name, role, k, scn__pos(v)) != 0) return -1;
    }
    return 0;
}

static int load_role(scn_ld *ld, const yaml_node_t *k, const yaml_node_t *v) {
    SIM_ASSERT(k->type == YAML_SCALAR_NODE);    /* scn__check_keys checked every key */
    SIM_ASSERT(v != NULL);
    const char *role = scn__text(k);
    if (strlen(role) >= SIM_NAME_MAX || !scn__name_ok(role, false))
        return scn__fail(ld, scn__pos(k), "nodes: role '%.40s' is not a short name (expected "
                         "letters, digits, '-' and '_', at most %d bytes, such as redis)",
                         role, SIM_NAME_MAX - 1);
    if (v->type == YAML_SCALAR_NODE && !scn__is_null(v)) return load_role_count(ld, v, role);
    if (scn__want_seq(ld, v, role, "a count such as 3, or a list of names such as "
                      "[r1, r2]") != 0) return -1;
    uint32_t index = 0;
    for (const yaml_node_item_t *it = v->data.sequence.items.start;
         it < v->data.sequence.items.top; it++) {
        const yaml_node_t *item = scn__node(ld, *it);
        const char *name = NULL;
        if (scn__want_scalar(ld, item, role, "a node name such as c1", &name) != 0) return -1;
        if (node_add(ld, name, role, index++, scn__pos(item)) != 0) return -1;
    }
    return 0;
}

/* Where a list of nodes may name a role (workload clients, faults), a node
 * named like another role would be read as that role: refused.  O(nodes x
 * roles): the roles are the few keys of `nodes:`. */
static int check_names_not_roles(scn_ld *ld) {
    const scn *s = ld->s;
    const char *roles[SCN_KEYS_MAX];
    uint32_t role_count = 0;
    for (uint32_t i = 0; i < s->node_count; i++)     /* each role's nodes come together */
        if (i == 0 || strcmp(s->nodes[i].role, s->nodes[i - 1].role) != 0) {
            SIM_ASSERT(role_count < SCN_KEYS_MAX);    /* one per key of `nodes:` */
            roles[role_count++] = s->nodes[i].role;
        }
    for (uint32_t i = 0; i < s->node_count; i++) {
        const scn_node *nd = &s->nodes[i];
        for (uint32_t j = 0; j < role_count; j++) {
            if (strcmp(roles[j], nd->name) != 0 || strcmp(nd->role, nd->name) == 0)
                continue;
            return scn__fail(ld, nd->pos, "nodes: %s: '%.64s' is also the name of a role "
                             "(expected a node name that is no role's, such as %s1: a list "
                             "naming '%.64s' would mean every %.64s node)", nd->role, nd->name,
                             nd->role, nd->name, nd->name);
        }
    }
    return 0;
}

static int load_nodes(scn_ld *ld, const yaml_node_t *n) {
    SIM_ASSERT(n != NULL);                      /* load_required ran first */
    SIM_ASSERT(ld->s->node_count == 0);         /* read once, before anything names a node */
    if (scn__want_map(ld, n, "nodes", "a mapping of role to a count or a list of names, "
                      "such as {redis: 1, client: [c1, c2]}") != 0) return -1;
    if (scn__check_keys(ld, n, NULL, 0, "nodes") != 0) return -1;
    for (const yaml_node_pair_t *p = n->data.mapping.pairs.start;
         p < n->data.mapping.pairs.top; p++) {
        if (load_role(ld, scn__node(ld, p->key), scn__node(ld, p->value)) != 0) return -1;
    }
    if (ld->s->node_count == 0)
        return scn__fail(ld, scn__pos(n), "nodes: no nodes (expected at least one, such as "
                         "{redis: 1, client: 2})");
    return check_names_not_roles(ld);
}

/* ------------------------------------------------------------------ */
/* network, links, clocks                                              */

static int load_props(scn_ld *ld, const yaml_node_t *map, scn_link_props *p) {
    SIM_ASSERT(map->type == YAML_MAPPING_NODE);
    SIM_ASSERT(p != NULL);
    const yaml_node_t *v;
    if ((v = scn__get(ld, map, "latency", NULL))) {
        if (scn__load_latency(ld, v, "latency", &p->latency) != 0) return -1;
        p->has_latency = true;
    }
    if ((v = scn__get(ld, map, "loss", NULL))) {
        if (scn__rate(ld, v, "loss", &p->loss_ppm) != 0) return -1;
        p->has_loss = true;
    }
    if ((v = scn__get(ld, map, "duplicate", NULL))) {
        if (scn__rate(ld, v, "duplicate", &p->duplicate_ppm) != 0) return -1;
        p->has_duplicate = true;
    }
    if ((v = scn__get(ld, map, "reorder", NULL))) {
        if (scn__rate(ld, v, "reorder", &p->reorder_ppm) != 0) return -1;
        p->has_reorder = true;
    }
    return 0;
}

static int load_link(scn_ld *ld, const yaml_node_t *n) {
    scn *s = ld->s;
    if (scn__want_map(ld, n, "links", "a mapping such as {from: c1, to: storage1, "
                      "latency: 15s}") != 0) return -1;
    if (scn__check_keys(ld, n, link_keys, COUNT(link_keys), "a link") != 0) return -1;
    const yaml_node_t *from = scn__get(ld, n, "from", NULL), *to = scn__get(ld, n, "to", NULL);
    if (!from || !to)
        return scn__fail(ld, scn__pos(n), "link: missing required key '%.64s' (expected the "
                         "%s node, such as %s)", from ? "to" : "from",
                         from ? "receiving" : "sending", from ? "to: storage1" : "from: c1");
    scn_link_props props = {0};
    bool *from_set = sim_xcalloc(2 * (size_t)s->node_count + 1, sizeof *from_set);
    bool *to_set = from_set + s->node_count;
    int rc = scn__node_set(ld, from, "from", from_set);
    if (rc == 0) rc = scn__node_set(ld, to, "to", to_set);
    if (rc == 0) rc = load_props(ld, n, &props);
    for (uint32_t i = 0; i < s->node_count && rc == 0; i++) {
        for (uint32_t j = 0; from_set[i] && j < s->node_count && rc == 0; j++) {
            if (i == j || !to_set[j]) continue;
            if (s->link_count == SCN_LINKS_MAX) {
                rc = scn__fail(ld, scn__pos(n), "too many links: more than %d (expected at "
                               "most the limit SCN_LINKS_MAX)", SCN_LINKS_MAX);
                break;
            }
            scn_link *l = &s->links[s->link_count++];
            *l = (scn_link){ (int32_t)i, (int32_t)j, props, scn__pos(n) };
        }
    }
    free(from_set);
    return rc;
}

static int load_network(scn_ld *ld, const yaml_node_t *n) {
    SIM_ASSERT(n != NULL);
    SIM_ASSERT(ld->s->link_count == 0);
    if (scn__is_null(n)) return 0;
    if (scn__want_map(ld, n, "network", "a mapping such as {latency: 1ms, loss: 0%}") != 0)
        return -1;
    if (scn__check_keys(ld, n, net_keys, COUNT(net_keys), "network") != 0) return -1;
    if (load_props(ld, n, &ld->s->network) != 0) return -1;
    const yaml_node_t *links = scn__get(ld, n, "links", NULL);
    if (!links || scn__is_null(links)) return 0;
    if (scn__want_seq(ld, links, "links", "a list such as [{from: c1, to: storage1, "
                      "latency: 15s}]") != 0) return -1;
    for (const yaml_node_item_t *it = links->data.sequence.items.start;
         it < links->data.sequence.items.top; it++) {
        if (load_link(ld, scn__node(ld, *it)) != 0) return -1;
    }
    return 0;
}

static int load_clocks(scn_ld *ld, const yaml_node_t *n) {
    SIM_ASSERT(n != NULL);
    if (scn__is_null(n)) return 0;
    if (scn__want_map(ld, n, "clocks", "a mapping of node to {offset, rate}, such as "
                      "{redis1: {offset: 0ms, rate: 1.0}}") != 0) return -1;
    if (scn__check_keys(ld, n, NULL, 0, "clocks") != 0) return -1;
    for (const yaml_node_pair_t *p = n->data.mapping.pairs.start;
         p < n->data.mapping.pairs.top; p++) {
        const yaml_node_t *k = scn__node(ld, p->key), *v = scn__node(ld, p->value);
        int32_t node = -1;
        if (scn__node_ref(ld, k, "clocks", &node) != 0) return -1;
        if (scn__want_map(ld, v, scn__text(k), "a mapping such as {offset: 0ms, rate: 1.0}") != 0)
            return -1;
        if (scn__check_keys(ld, v, clock_keys, COUNT(clock_keys), "a clock") != 0) return -1;
        SIM_ASSERT(node >= 0);                  /* scn__node_ref found it */
        SIM_ASSERT((uint32_t)node < ld->s->node_count);
        scn_clock *c = &ld->s->clocks[node];
        const yaml_node_t *f;
        if ((f = scn__get(ld, v, "offset", NULL)) &&
            scn__signed_duration(ld, f, "offset", &c->offset_ns) != 0) return -1;
        if ((f = scn__get(ld, v, "rate", NULL)) &&
            scn__clock_rate(ld, f, "rate", &c->rate_ppm) != 0) return -1;
        c->set = true;
        c->pos = scn__pos(k);
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* checks, expect, nemesis                                             */

static int load_checks(scn_ld *ld, const yaml_node_t *n) {
    scn *s = ld->s;
    SIM_ASSERT(n != NULL);
    SIM_ASSERT(s->check_count == 0);
    if (scn__is_null(n)) return 0;
    if (scn__want_seq(ld, n, "checks", "a list of check names such as [mutual-exclusion, "
                      "liveness]") != 0) return -1;
    for (const yaml_node_item_t *it = n->data.sequence.items.start;
         it < n->data.sequence.items.top; it++) {
        const yaml_node_t *item = scn__node(ld, *it);
        const char *t = NULL;
        if (scn__want_scalar(ld, item, "checks", "a check name such as liveness", &t) != 0)
            return -1;
        if (s->check_count == SCN_CHECKS_MAX)
            return scn__fail(ld, scn__pos(item), "too many checks: more than %d (expected at "
                             "most the limit SCN_CHECKS_MAX)", SCN_CHECKS_MAX);
        scn_check_name *c = &s->checks[s->check_count];
        if (scn__copy(ld, c->name, sizeof c->name, t, scn__pos(item), "checks",
                      "SIM_NAME_MAX") != 0) return -1;
        c->pos = scn__pos(item);
        s->check_count++;
    }
    return 0;
}

/* check_budgets: {linearizable: N} -- work, not seconds, so that a verdict
 * is the same on every machine (only the linearizable check has one). */
static int load_check_budgets(scn_ld *ld, const yaml_node_t *n) {
    static const char *const known[] = { "linearizable" };
    SIM_ASSERT(n != NULL);
    SIM_ASSERT(ld->s->linearizable_budget == 0);
    if (scn__is_null(n)) return 0;
    if (scn__want_map(ld, n, "check_budgets", "a mapping such as {linearizable: 100000}") != 0)
        return -1;
    if (scn__check_keys(ld, n, known, COUNT(known), "check_budgets") != 0) return -1;
    const yaml_node_t *v = scn__get(ld, n, "linearizable", NULL);
    const char *t = NULL;
    if (!v) return 0;
    if (scn__want_scalar(ld, v, "linearizable", "a count of configurations such as 100000",
                         &t) != 0) return -1;
    uint64_t x = 0;
    size_t i = 0;
    for (; t[i] >= '0' && t[i] <= '9' && x <= SCN_CHECK_BUDGET_MAX; i++)
        x = x * 10u + (uint64_t)(t[i] - '0');
    if (i == 0 || t[i] != '\0' || x == 0 || x > SCN_CHECK_BUDGET_MAX)
        return scn__fail(ld, scn__pos(v), "linearizable: '%.64s' is not a budget (expected a "
                         "count of configurations from 1 to %llu, such as 100000)", t,
                         (unsigned long long)SCN_CHECK_BUDGET_MAX);
    ld->s->linearizable_budget = x;
    return 0;
}

static int load_expect(scn_ld *ld, const yaml_node_t *n) {
    scn *s = ld->s;
    SIM_ASSERT(n != NULL);
    SIM_ASSERT(s->expect_count == 0);
    if (scn__is_null(n)) return 0;
    if (scn__want_map(ld, n, "expect", "a mapping of check to verdict, such as "
                      "{liveness: ok}") != 0) return -1;
    if (scn__check_keys(ld, n, NULL, 0, "expect") != 0) return -1;
    for (const yaml_node_pair_t *p = n->data.mapping.pairs.start;
         p < n->data.mapping.pairs.top; p++) {
        const yaml_node_t *k = scn__node(ld, p->key), *v = scn__node(ld, p->value);
        const char *t = NULL;
        if (s->expect_count == SCN_CHECKS_MAX)
            return scn__fail(ld, scn__pos(k), "too many expectations: more than %d (expected "
                             "at most the limit SCN_CHECKS_MAX)", SCN_CHECKS_MAX);
        scn_expect *e = &s->expect[s->expect_count];
        if (scn__copy(ld, e->check, sizeof e->check, scn__text(k), scn__pos(k), "expect",
                      "SIM_NAME_MAX") != 0) return -1;
        if (scn__want_scalar(ld, v, e->check, "ok, violation or unknown", &t) != 0) return -1;
        size_t i = 0;
        while (i < COUNT(verdicts) && strcmp(verdicts[i], t) != 0) i++;
        if (i == COUNT(verdicts)) {
            const char *near = scn_nearest(t, verdicts, COUNT(verdicts));
            char hint[96] = "";
            if (near) snprintf(hint, sizeof hint, "; did you mean '%.64s'?", near);
            return scn__fail(ld, scn__pos(v), "%s: unknown verdict '%.64s' (expected ok, "
                             "violation or unknown%s)", e->check, t, hint);
        }
        e->verdict = (scn_verdict)i;
        e->pos = scn__pos(k);
        s->expect_count++;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* the document                                                        */

static int load_required(scn_ld *ld, const yaml_node_t *root) {
    static const char *const required[][2] = {
        {"name", "the scenario's name, such as name: lease-gc-pause"},
        {"protocol", "the protocol to run, such as protocol: setnx-lock"},
        {"nodes", "the nodes per role, such as nodes: {redis: 1, client: 2}"},
    };
    SIM_ASSERT(root->type == YAML_MAPPING_NODE);
    for (size_t i = 0; i < COUNT(required); i++) {
        if (!scn__get(ld, root, required[i][0], NULL))
            return scn__fail(ld, scn__pos(root), "missing required key '%.64s' (expected %s)",
                             required[i][0], required[i][1]);
    }
    return 0;
}

static int load_root(scn_ld *ld, const yaml_node_t *root) {
    if (root->type != YAML_MAPPING_NODE)
        return scn__fail(ld, scn__pos(root), "the top level is %s (expected a mapping with "
                         "keys such as name, protocol and nodes)", scn__kind(root));
    if (scn__check_keys(ld, root, top_keys, COUNT(top_keys), NULL) != 0) return -1;
    if (load_required(ld, root) != 0) return -1;
    ld->s->workload.pos = scn__pos(root);
    if (load_head(ld, root) != 0) return -1;
    if (load_nodes(ld, scn__get(ld, root, "nodes", NULL)) != 0) return -1;
    if (load_params(ld, root) != 0) return -1;
    const yaml_node_t *n;
    if ((n = scn__get(ld, root, "network", NULL)) && load_network(ld, n) != 0) return -1;
    if ((n = scn__get(ld, root, "clocks", NULL)) && load_clocks(ld, n) != 0) return -1;
    if (load_workload(ld, root) != 0) return -1;
    if ((n = scn__get(ld, root, "faults", NULL)) && scn__load_faults(ld, n) != 0) return -1;
    scn_pos nemesis_pos = {0, 0};
    if ((n = scn__get(ld, root, "nemesis", &nemesis_pos)) &&
        scn__load_nemesis(ld, n, nemesis_pos) != 0)
        return -1;
    if ((n = scn__get(ld, root, "checks", NULL)) && load_checks(ld, n) != 0) return -1;
    if ((n = scn__get(ld, root, "check_budgets", NULL)) && load_check_budgets(ld, n) != 0)
        return -1;
    if ((n = scn__get(ld, root, "expect", NULL)) && load_expect(ld, n) != 0) return -1;
    SIM_ASSERT(ld->s->node_count >= 1);         /* load_nodes refuses none */
    SIM_ASSERT(ld->s->duration_ns > 0);         /* load_head refuses zero */
    return 0;
}

/* Bounds the tree before walking it: depth (recursive aliases) and the
 * number of values once aliases are expanded (the billion laughs); also
 * rejects NUL bytes in values, which C strings would silently cut. */
static int tree_check(scn_ld *ld, const yaml_node_t *n, uint32_t depth, uint32_t *values) {
    SIM_ASSERT(n != NULL);
    SIM_ASSERT(values != NULL);
    if (++*values > SCN_VALUES_MAX)
        return scn__fail(ld, scn__pos(n), "too many values: more than %d once aliases are "
                         "expanded (expected at most the limit SCN_VALUES_MAX)", SCN_VALUES_MAX);
    if (depth > SCN_DEPTH_MAX)
        return scn__fail(ld, scn__pos(n), "nested too deeply: more than %d levels (expected "
                         "at most the limit SCN_DEPTH_MAX)", SCN_DEPTH_MAX);
    if (n->type == YAML_SCALAR_NODE) {
        if (strlen(scn__text(n)) == n->data.scalar.length) return 0;
        return scn__fail(ld, scn__pos(n), "a value contains a NUL character (expected text)");
    }
    if (n->type == YAML_SEQUENCE_NODE) {
        for (const yaml_node_item_t *it = n->data.sequence.items.start;
             it < n->data.sequence.items.top; it++) {
            if (tree_check(ld, scn__node(ld, *it), depth + 1, values) != 0) return -1;
        }
        return 0;
    }
    for (const yaml_node_pair_t *p = n->data.mapping.pairs.start;
         p < n->data.mapping.pairs.top; p++) {
        if (tree_check(ld, scn__node(ld, p->key), depth + 1, values) != 0) return -1;
        if (tree_check(ld, scn__node(ld, p->value), depth + 1, values) != 0) return -1;
    }
    return 0;
}

/* libyaml's reader reports a byte offset, not a mark. */
static scn_pos pos_at_offset(const char *text, size_t len, size_t offset) {
    SIM_ASSERT(text != NULL || len == 0);
    scn_pos p = {1, 1};
    for (size_t i = 0; i < offset && i < len; i++) {
        if (text[i] == '\n') { p.line++; p.col = 1; } else { p.col++; }
    }
    return p;
}

/* The byte at a line:col (columns counted in bytes), or 0 past the end. */
static char byte_at(const char *text, size_t len, scn_pos pos) {
    SIM_ASSERT(pos.line >= 1);                  /* libyaml's 0-based marks, plus one */
    SIM_ASSERT(pos.col >= 1);
    size_t i = 0;
    for (uint32_t line = 1; line < pos.line && i < len; i++) {
        if (text[i] == '\n') line++;
    }
    i += pos.col - 1u;
    return i < len ? text[i] : '\0';
}

static int yaml_fail(scn_ld *ld, const yaml_parser_t *yp, const char *text, size_t len) {
    SIM_ASSERT(text != NULL);
    if (yp->error == YAML_MEMORY_ERROR)
        return scn__fail(ld, (scn_pos){0, 0}, "out of memory while reading YAML");
    const char *problem = yp->problem ? yp->problem : "unreadable input";
    if (yp->error == YAML_READER_ERROR)
        return scn__fail(ld, pos_at_offset(text, len, yp->problem_offset), "invalid YAML: %s "
                         "(expected UTF-8 text)", problem);
    scn_pos pos = {(uint32_t)yp->problem_mark.line + 1u, (uint32_t)yp->problem_mark.column + 1u};
    if (byte_at(text, len, pos) == '\t')
        return scn__fail(ld, pos, "invalid YAML: a tab character (expected spaces; YAML does "
                         "not allow tabs for indentation)");
    if (yp->context)
        return scn__fail(ld, pos, "invalid YAML: %s (%s that started at %u:%u)", problem,
                         yp->context, (uint32_t)yp->context_mark.line + 1u,
                         (uint32_t)yp->context_mark.column + 1u);
    return scn__fail(ld, pos, "invalid YAML: %s (expected well-formed YAML; check the "
                     "indentation, colons and quotes)", problem);
}

static const yaml_char_t *event_anchor(const yaml_event_t *ev) {
    SIM_ASSERT(ev != NULL);
    switch (ev->type) {
    case YAML_SCALAR_EVENT: return ev->data.scalar.anchor;
    case YAML_SEQUENCE_START_EVENT: return ev->data.sequence_start.anchor;
    case YAML_MAPPING_START_EVENT: return ev->data.mapping_start.anchor;
    default: return NULL;
    }
}

/* One pass over the events before loading the document, stopping early:
 * libyaml's scanner is quadratic in flow nesting ("[[[[..." of 800 KB runs
 * for minutes) and its anchor lookup is linear in the anchors, so nesting,
 * anchors and values are bounded here, before yaml_parser_load builds a
 * node for each of them. */
static int prescan(scn_ld *ld, const char *text, size_t len) {
    yaml_parser_t yp;
    if (!yaml_parser_initialize(&yp))
        return scn__fail(ld, (scn_pos){0, 0}, "out of memory while reading YAML");
    yaml_parser_set_input_string(&yp, (const unsigned char *)text, len);
    uint32_t depth = 0, anchors = 0, values = 0;
    int rc = 0;
    for (bool end = false; !end && rc == 0;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&yp, &ev)) { rc = yaml_fail(ld, &yp, text, len); break; }
        scn_pos pos = {(uint32_t)ev.start_mark.line + 1u, (uint32_t)ev.start_mark.column + 1u};
        if (ev.type == YAML_SEQUENCE_START_EVENT || ev.type == YAML_MAPPING_START_EVENT) depth++;
        if (ev.type == YAML_SEQUENCE_END_EVENT || ev.type == YAML_MAPPING_END_EVENT) depth--;
        if (event_anchor(&ev) && ++anchors > SCN_ANCHORS_MAX)
            rc = scn__fail(ld, pos, "too many anchors: more than %d (expected at most the "
                           "limit SCN_ANCHORS_MAX)", SCN_ANCHORS_MAX);
        else if ((ev.type == YAML_ALIAS_EVENT || ev.type == YAML_SCALAR_EVENT ||
                  ev.type == YAML_SEQUENCE_START_EVENT || ev.type == YAML_MAPPING_START_EVENT)
                 && ++values > SCN_VALUES_MAX)
            rc = scn__fail(ld, pos, "too many values: more than %d (expected at most the "
                           "limit SCN_VALUES_MAX)", SCN_VALUES_MAX);
        else if (depth > SCN_DEPTH_MAX)
            rc = scn__fail(ld, pos, "nested too deeply: more than %d levels (expected at most "
                           "the limit SCN_DEPTH_MAX)", SCN_DEPTH_MAX);
        end = ev.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&yp);
    SIM_ASSERT(rc != 0 || depth == 0);          /* the stream ended: every collection closed */
    return rc;
}

int scn__parse_text(scn_ld *ld, const char *text, size_t len, yaml_document_t *doc) {
    SIM_ASSERT(text != NULL);
    SIM_ASSERT(doc != NULL);
    if (prescan(ld, text, len) != 0) return -1;
    yaml_parser_t yp;
    if (!yaml_parser_initialize(&yp))
        return scn__fail(ld, (scn_pos){0, 0}, "out of memory while reading YAML");
    yaml_parser_set_input_string(&yp, (const unsigned char *)text, len);
    int rc = 0;
    if (!yaml_parser_load(&yp, doc)) {
        rc = yaml_fail(ld, &yp, text, len);
        yaml_parser_delete(&yp);
        return rc;
    }
    yaml_document_t next;
    if (!yaml_parser_load(&yp, &next)) {
        rc = yaml_fail(ld, &yp, text, len);
    } else {
        const yaml_node_t *root2 = yaml_document_get_root_node(&next);
        if (root2)
            rc = scn__fail(ld, scn__pos(root2), "a second YAML document (expected one "
                           "scenario per file; remove the '---')");
        yaml_document_delete(&next);
    }
    if (rc != 0) yaml_document_delete(doc);
    yaml_parser_delete(&yp);
    return rc;
}

static void set_defaults(scn *s, const char *path) {
    SIM_ASSERT(s != NULL);
    SIM_ASSERT(path != NULL);
    memset(s, 0, sizeof *s);
    snprintf(s->path, sizeof s->path, "%s", path);
    s->seed = 1;
    s->duration_ns = SCN_DURATION_DEFAULT;
    s->network.has_latency = s->network.has_loss = true;
    s->network.has_duplicate = s->network.has_reorder = true;
    s->network.latency.kind = SCN_LAT_FIXED;
    s->network.latency.a_ns = SIM_MS;
    for (uint32_t i = 0; i < SIM_NODES_MAX; i++) s->clocks[i].rate_ppm = 1000000;
}

static bool link_fault(const scn_fault *f) {
    return f->kind == SCN_FAULT_LINK_DELAY || f->kind == SCN_FAULT_LINK_LOSS;
}

uint32_t scn_link_faults_active(const scn_fault *faults, uint32_t count, sim_time t) {
    uint32_t active = 0;
    for (uint32_t j = 0; j < count; j++) {
        const scn_fault *g = &faults[j];
        if (link_fault(g) && g->at_ns <= t && g->for_ns > t - g->at_ns) active++;
    }
    return active;
}

/* The network holds SCN_DELAYS_MAX link delays and loss bursts at once: one
 * is active from its `at` for its `for`, and faults apply in sorted order.
 * The first that finds them all taken is an error at its own line. */
static int check_delays_at_once(scn_ld *ld) {
    const scn *s = ld->s;
    for (uint32_t i = 0; i < s->fault_count; i++) {
        const scn_fault *f = &s->faults[i];
        if (!link_fault(f)) continue;
        SIM_ASSERT(i == 0 || s->faults[i - 1].at_ns <= f->at_ns);   /* sorted by `at` */
        uint32_t active = scn_link_faults_active(s->faults, i, f->at_ns);
        if (active >= SCN_DELAYS_MAX)
            return scn__fail(ld, f->pos, "%s: %u link delays and loss bursts are already active "
                             "at this time (expected at most %d at once, the limit "
                             "SCN_DELAYS_MAX)", f->kind == SCN_FAULT_LINK_DELAY ? "delay" : "loss",
                             active, SCN_DELAYS_MAX);
    }
    return 0;
}

int scn_load_buffer_with_overrides(const char *path, const char *text, size_t len,
                                   const char *const *sets, uint32_t set_count, scn *out,
                                   char *err, size_t err_len) {
    SIM_ASSERT(path != NULL);
    SIM_ASSERT(out != NULL);
    SIM_ASSERT(text != NULL || len == 0);
    set_defaults(out, path);
    scn_ld ld = {.doc = NULL, .s = out, .path = path, .err = err, .err_len = err_len};
    yaml_document_t doc;
    if (scn__parse_text(&ld, text ? text : "", len, &doc) != 0) return -1;
    ld.doc = &doc;
    const yaml_node_t *root = yaml_document_get_root_node(&doc);
    int rc = 0;
    if (root && root->type == YAML_MAPPING_NODE && set_count > 0) {     /* scn_set.c */
        rc = scn__apply_sets(&doc, sets, set_count, err, err_len);
        root = yaml_document_get_root_node(&doc);      /* adding nodes may move them */
    }
    uint32_t values = 0;
    if (rc == 0 && (!root || scn__is_null(root)))
        rc = scn__fail(&ld, (scn_pos){1, 1}, "the file is empty (expected a mapping with at "
                       "least name, protocol and nodes)");
    else if (rc == 0 && (rc = tree_check(&ld, root, 0, &values)) == 0)
        rc = load_root(&ld, root);
    if (rc == 0) {
        scn__sort_faults(out);
        rc = check_delays_at_once(&ld);
        if (rc == 0) rc = scn__check_restarts(&ld);
    }
    yaml_document_delete(&doc);
    free(ld.names);
    if (rc != 0) {
        scn__set_relocate(err, err_len, path, sets, set_count);
        scn_free(out);
        return -1;
    }
    SIM_ASSERT(set_count <= SCN_SETS_MAX);        /* scn__apply_sets refuses more */
    for (uint32_t k = 0; k < set_count; k++)      /* scn__apply_sets checked count and sizes */
        snprintf(out->sets[k], sizeof out->sets[k], "%s", sets[k]);
    out->set_count = set_count;
    return 0;
}

int scn_load_buffer(const char *path, const char *text, size_t len, scn *out,
                    char *err, size_t err_len) {
    return scn_load_buffer_with_overrides(path, text, len, NULL, 0, out, err, err_len);
}

void scn_error_relocate(const scn *s, char *err, size_t err_len) {
    SIM_ASSERT(s != NULL);
    SIM_ASSERT(err != NULL);
    if (s->set_count == 0) return;
    const char *sets[SCN_SETS_MAX];
    for (uint32_t k = 0; k < s->set_count; k++) sets[k] = s->sets[k];
    scn__set_relocate(err, err_len, s->path, sets, s->set_count);
}

int scn_load(const char *path, scn *out, char *err, size_t err_len) {
    return scn_load_with_overrides(path, NULL, 0, out, err, err_len);
}

char *scn__read_file(const char *path, size_t *len, char *err, size_t err_len) {
    SIM_ASSERT(path != NULL);
    SIM_ASSERT(len != NULL);
    FILE *f = fopen(path, "rb");
    if (!f) {
        scn_errorf(err, err_len, path, (scn_pos){0, 0}, "cannot open the file: %s",
                   strerror(errno));
        return NULL;
    }
    char *text = sim_xmalloc(SCN_FILE_MAX + 1);
    *len = fread(text, 1, SCN_FILE_MAX + 1, f);
    bool failed = ferror(f) != 0;
    int saved = errno;
    fclose(f);
    if (failed)
        scn_errorf(err, err_len, path, (scn_pos){0, 0}, "cannot read the file: %s",
                   strerror(saved));
    else if (*len > SCN_FILE_MAX)
        scn_errorf(err, err_len, path, (scn_pos){0, 0}, "the file is larger than %d bytes "
                   "(expected at most the limit SCN_FILE_MAX)", SCN_FILE_MAX);
    else
        return text;
    free(text);
    return NULL;
}

int scn_load_with_overrides(const char *path, const char *const *sets, uint32_t set_count,
                            scn *out, char *err, size_t err_len) {
    SIM_ASSERT(path != NULL);
    SIM_ASSERT(out != NULL);
    size_t len = 0;
    char *text = scn__read_file(path, &len, err, err_len);
    if (!text) return -1;
    int rc = scn_load_buffer_with_overrides(path, text, len, sets, set_count, out, err, err_len);
    free(text);
    return rc;
}

void scn_free(scn *s) {
    if (!s) return;
    free(s->group_pool);
    s->group_pool = NULL;
    s->group_pool_len = s->group_pool_cap = 0;
    free(s->params.items);
    free(s->workload.items);
    s->params.items = s->workload.items = NULL;
    s->params.count = s->workload.count = 0;
}

void scn_copy(scn *to, const scn *from, bool with_faults) {
    SIM_ASSERT(to != from);
    size_t faults = offsetof(scn, faults), after = offsetof(scn, fault_count);
    size_t nodes = offsetof(scn, nodes);
    memcpy(to, from, with_faults ? after : faults);
    memcpy((char *)to + after, (const char *)from + after, nodes - after);
    memcpy(to->nodes, from->nodes, from->node_count * sizeof *from->nodes);
    memcpy(to->clocks, from->clocks, from->node_count * sizeof *from->clocks);
}

int32_t scn_node_find(const scn *s, const char *name) {
    SIM_ASSERT(s != NULL);
    SIM_ASSERT(s->node_count <= SIM_NODES_MAX);
    for (uint32_t i = 0; i < s->node_count; i++)
        if (strcmp(s->nodes[i].name, name) == 0) return (int32_t)i;
    return -1;
}
