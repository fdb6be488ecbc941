/* scn_int.h -- the scenario loader's internals, shared by scn.c (the
 * document and its sections), scn_fault.c (faults), scn_yaml.c (typed reads
 * of YAML nodes) and param.c (node-name hints).  Not part of the interface.
 *
 * Every reader takes the loader context and returns 0, or -1 after writing
 * the one error message into ld->err through scn__fail(): the first error
 * wins and stops the load.  Readers never assert on what the file says.
 */
#ifndef CCSIM_SCN_INT_H
#define CCSIM_SCN_INT_H

#include <yaml.h>

#include "sim/scenario/scn.h"

typedef struct scn_ld {
    yaml_document_t *doc;
    scn *s;
    const char *path;           /* for messages */
    char *err;
    size_t err_len;
    uint32_t *names;            /* node names: index + 1 by hash, SCN_NAME_SLOTS (heap, or
                                   NULL: then scn__node_find scans) */
} scn_ld;

#define SCN_NAME_SLOTS 32768u   /* a power of two, over 2 x SIM_NODES_MAX */
_Static_assert(SCN_NAME_SLOTS >= 2 * SIM_NODES_MAX, "the name table stays half empty");
/* A node index by name, -1 if none: scn_node_find in O(1), for a loader
 * that names 10 000 nodes. */
int32_t scn__node_find(const scn_ld *ld, const char *name);

/* ---- positions and messages ---- */
scn_pos scn__pos(const yaml_node_t *n);
int scn__fail(scn_ld *ld, scn_pos pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* " (did you mean 'x'?)" or " (expected one of: a, b, c)" into buf. */
void scn__hint(char *buf, size_t len, const char *word, const char *const *known, size_t count);
/* The same for a node name, among the scenario's nodes (and roles when
 * roles_too). */
void scn__node_hint(char *buf, size_t len, const scn *s, const char *word, bool roles_too);
/* True for a name made of letters, digits, '-' and '_' (and '.' if dots). */
bool scn__name_ok(const char *name, bool dots);

/* ---- YAML nodes ---- */
yaml_node_t *scn__node(const scn_ld *ld, int id);
const char *scn__kind(const yaml_node_t *n);            /* "a mapping"... */
const char *scn__text(const yaml_node_t *n);            /* scalar value, or "" */
bool scn__is_null(const yaml_node_t *n);                /* ~, null, or nothing */
int scn__want_map(scn_ld *ld, const yaml_node_t *n, const char *key, const char *expected);
int scn__want_seq(scn_ld *ld, const yaml_node_t *n, const char *key, const char *expected);
int scn__want_scalar(scn_ld *ld, const yaml_node_t *n, const char *key, const char *expected,
                     const char **out);
/* Keys of a mapping: plain scalars, each once, and (when known != NULL) one
 * of known[]; `where` names the mapping in messages ("network"), NULL at the
 * top level. */
int scn__check_keys(scn_ld *ld, const yaml_node_t *map, const char *const *known,
                    size_t known_count, const char *where);
/* The value of `key` in a mapping, or NULL; *key_pos gets the key's position. */
const yaml_node_t *scn__get(const scn_ld *ld, const yaml_node_t *map, const char *key,
                            scn_pos *key_pos);
/* Copies a scalar into dst[cap]; too long is an error naming `bound`. */
int scn__copy(scn_ld *ld, char *dst, size_t cap, const char *src, scn_pos pos,
              const char *key, const char *bound);

/* ---- typed values: scalar + parse, errors as "key: ..." at the value ---- */
int scn__duration(scn_ld *ld, const yaml_node_t *n, const char *key, sim_time *out);
int scn__signed_duration(scn_ld *ld, const yaml_node_t *n, const char *key, sim_time *out);
int scn__rate(scn_ld *ld, const yaml_node_t *n, const char *key, uint32_t *out);
int scn__clock_rate(scn_ld *ld, const yaml_node_t *n, const char *key, int64_t *out);
int scn__bool(scn_ld *ld, const yaml_node_t *n, const char *key, bool *out);
/* One node by name. */
int scn__node_ref(scn_ld *ld, const yaml_node_t *n, const char *key, int32_t *out);
/* A set of nodes: a name, a role (all its nodes) or a list of those, as
 * set[0..node_count) (the caller's, any node count), or as a mask (every
 * node among the first SIM_MASK_NODES, else a located error). */
int scn__node_set(scn_ld *ld, const yaml_node_t *n, const char *key, bool *set);
int scn__node_mask(scn_ld *ld, const yaml_node_t *n, const char *key, uint64_t *out);

/* ---- sections in other files ---- */
int scn__load_faults(scn_ld *ld, const yaml_node_t *seq);
int scn__load_nemesis(scn_ld *ld, const yaml_node_t *n, scn_pos key_pos);
int scn__load_latency(scn_ld *ld, const yaml_node_t *n, const char *key, scn_latency *out);
/* Stable sort of s->faults by at_ns (file order for ties). */
void scn__sort_faults(scn *s);
/* Every scripted restart finds its node down (scn_fault.c); else a located error. */
int scn__check_restarts(scn_ld *ld);

/* The file's bytes (at most SCN_FILE_MAX; free() them), or NULL with the
 * error in err. */
char *scn__read_file(const char *path, size_t *len, char *err, size_t err_len);
/* Parses the text (bounded first); on success *doc holds its one document
 * and 0 is returned. */
int scn__parse_text(scn_ld *ld, const char *text, size_t len, yaml_document_t *doc);

/* ---- command-line overrides (scn_set.c) ---- */
/* Applies KEY=VALUE overrides to the parsed document, in order; errors as
 * "--set KEY=VALUE: error: ...". */
int scn__apply_sets(yaml_document_t *doc, const char *const *sets, uint32_t count,
                    char *err, size_t err_len);
/* Rewrites positions inside overrides ("path:LINE:COL") to "--set KEY=VALUE". */
void scn__set_relocate(char *err, size_t err_len, const char *path, const char *const *sets,
                       uint32_t count);

#endif
