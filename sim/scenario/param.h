/* param.h -- table-driven validation of protocol and workload parameters.
 *
 * A protocol (or workload) describes its parameters in a param_spec table:
 * name, type, default and a one-line help, plus the offset of the field in
 * its own config struct.  param_apply() fills the struct with the defaults,
 * then with the scenario's values, and reports the first bad one at its
 * file:line:col (unknown key with the nearest known one suggested, wrong
 * type, impossible value).  `ccsim list protocols` prints the same table, so
 * the help and the validation cannot drift apart.
 *
 * Types and the C field each one fills:
 *   PARAM_DURATION   sim_time          "10s", "250ms"   (>= 0; "none"/"off" = -1 when allow_none)
 *   PARAM_INT        int64_t           "3"
 *   PARAM_BOOL       bool              true/false
 *   PARAM_RATE       uint32_t (ppm)    "2%", "0.02", "500ppm"   (0 to 100%)
 *   PARAM_ENUM       int               one of choices[] ("a|b|c"), index stored
 *   PARAM_NODES      param_nodes       a list of node names, or a role name ("client")
 *   PARAM_PER_NODE_DURATION param_per_node   "2ms" for all, or {c1: 0ms, c2: 10500ms}
 *   PARAM_STRING     char[SCN_VALUE_MAX]
 *   PARAM_MAP        param_map         the pairs under NAME (NAME and NAME.*), as text,
 *                                      for the workload's validate and model to parse
 *
 * Bounds.  The numeric types (integer, duration, per-node duration, rate)
 * take an inclusive [min, max] in their own unit: the number, nanoseconds,
 * nanoseconds for each node's value, parts per million.  min == max == 0
 * means none (the type's own range); PARAM_NO_MAX leaves the top open.  So
 * "a timeout > 0" is min SIM_NS (1 ns) and "at least 3 ms" is min 3 * SIM_MS.
 * A value outside them is an error at the value's file:line:col that says
 * the bound in the type's unit: "'0ms' is out of range (expected a duration
 * above 0)", "... (expected a duration of at least 3 ms)".  "none" is not
 * subject to them.  A default outside them is a bug in the table.
 *
 * Defaults are written as in YAML and parsed by the same parsers; a default
 * that does not parse is a bug in the table (an assertion).  A PARAM_NODES
 * default is a role name (all its nodes, none if the scenario has no such
 * role), a node name, or "" for none.  A PARAM_PER_NODE_DURATION default is
 * the value for every node.  Scenario keys "NAME.node" (from `NAME: {c1: 0ms}`)
 * set one node of the per-node spec NAME; an unknown node there is an error
 * at the key.  A required spec (default NULL) left out is reported at
 * params->pos.  Booleans are true/false (also True/TRUE/False/FALSE).
 */
#ifndef CCSIM_PARAM_H
#define CCSIM_PARAM_H

#include "sim/config.h"
#include "sim/scenario/scn.h"

typedef enum {
    PARAM_DURATION = 0, PARAM_INT, PARAM_BOOL, PARAM_RATE, PARAM_ENUM,
    PARAM_NODES, PARAM_PER_NODE_DURATION, PARAM_STRING, PARAM_MAP
} param_type;

/* param_nodes and param_per_node, the types PARAM_NODES and
 * PARAM_PER_NODE_DURATION fill, are in sim/config.h. */

typedef struct param_spec {
    const char *name;           /* key, e.g. "ttl" or "retry.every" */
    param_type type;
    const char *default_value;  /* as it would be written in YAML; NULL = required */
    const char *help;           /* one line: what it means, with its unit */
    size_t offset;              /* offsetof(cfg struct, field) */
    const char *choices;        /* PARAM_ENUM: "set-nx-px|setnx-then-expire|get-then-set" */
    int64_t min, max;           /* bounds in the type's unit (above); 0, 0: none */
    bool allow_none;            /* PARAM_DURATION: "none"/"off" gives -1 */
} param_spec;

#define PARAM_NO_MAX INT64_MAX  /* a bound's open top */

/* One table entry per type, with the fields that type uses and nothing
 * else, so a table reads as name, default, help, field, then its bounds or
 * choices.  `offset` is offsetof(cfg struct, field). */
#define PARAM_INT_SPEC(name, def, help, offset, min, max) \
    { (name), PARAM_INT, (def), (help), (offset), NULL, (min), (max), false }
#define PARAM_DURATION_SPEC(name, def, help, offset, min_ns, max_ns) \
    { (name), PARAM_DURATION, (def), (help), (offset), NULL, (min_ns), (max_ns), false }
#define PARAM_DURATION_OR_NONE_SPEC(name, def, help, offset, min_ns, max_ns) \
    { (name), PARAM_DURATION, (def), (help), (offset), NULL, (min_ns), (max_ns), true }
#define PARAM_PER_NODE_DURATION_SPEC(name, def, help, offset, min_ns, max_ns) \
    { (name), PARAM_PER_NODE_DURATION, (def), (help), (offset), NULL, (min_ns), (max_ns), false }
#define PARAM_RATE_SPEC(name, def, help, offset, min_ppm, max_ppm) \
    { (name), PARAM_RATE, (def), (help), (offset), NULL, (min_ppm), (max_ppm), false }
#define PARAM_BOOL_SPEC(name, def, help, offset) \
    { (name), PARAM_BOOL, (def), (help), (offset), NULL, 0, 0, false }
#define PARAM_ENUM_SPEC(name, def, help, offset, choices) \
    { (name), PARAM_ENUM, (def), (help), (offset), (choices), 0, 0, false }
#define PARAM_NODES_SPEC(name, def, help, offset) \
    { (name), PARAM_NODES, (def), (help), (offset), NULL, 0, 0, false }
#define PARAM_STRING_SPEC(name, def, help, offset) \
    { (name), PARAM_STRING, (def), (help), (offset), NULL, 0, 0, false }
/* def NULL = required (NAME or a NAME.* key given), "" = may be left out. */
#define PARAM_MAP_SPEC(name, def, help, offset) \
    { (name), PARAM_MAP, (def), (help), (offset), NULL, 0, 0, false }

/* Fills cfg from defaults then from params.  what = "params" or "workload"
 * (used in messages).  Returns 0, or -1 with "path:line:col: error: ..." in err. */
int param_apply(const param_spec *specs, size_t spec_count, void *cfg,
                const scn_params *params, const scn *s, const char *what,
                char *err, size_t err_len);

/* Prints the table for `ccsim list`: "  name  type  default  help". */
void param_print_table(const param_spec *specs, size_t spec_count, void *file /* FILE* */);

/* For validate hooks (family.h), whose cross-field rules the table cannot
 * say.  params is &s->params or &s->workload.  Keys are unique (the loader
 * refuses a duplicate). */

/* The scenario's pair for key, or NULL when the file leaves it out. */
const scn_param *param_find(const scn_params *params, const char *key);

/* Where key's value is written, or fallback when the file leaves it out. */
scn_pos param_pos(const scn_params *params, const char *key, scn_pos fallback);

/* Formats "path:line:col: error: <fmt ...>" into err at key's value; when
 * the file leaves key out (its default broke the rule), at what chose that
 * default: the `protocol:` value for s->params, the workload's `kind:` for
 * s->workload.  Returns -1, for `return param_error(...)`. */
int param_error(const scn *s, const scn_params *params, const char *key, char *err,
                size_t err_len, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

#endif
