/* json_in.h -- reading back a JSON file that ccsim wrote (a run's
 * summary.json for `ccsim trace`, a shard's sweep.json for `ccsim sweep
 * --merge`), through libyaml: JSON is YAML's flow style, so no parser of
 * our own.
 *
 * Invariant: every failure leaves one located message in err,
 * "FILE:LINE:COL: error: WHAT", and returns -1 or NULL; nothing here
 * prints or exits, the caller decides (exit 2, bad input). */
#ifndef CCSIM_JSON_IN_H
#define CCSIM_JSON_IN_H

#include <stdbool.h>
#include <yaml.h>

#define JSON_IN_ERR_MAX 3600

typedef struct json_in {
    const char *file;         /* the path, for messages */
    const char *what_is_it;   /* said after a missing key, e.g. "a sweep.json from ccsim sweep" */
    const char *unreadable;   /* said after "cannot read it: ...", or NULL */
    yaml_document_t doc;      /* valid after json_in_load() returned 0 */
    char err[JSON_IN_ERR_MAX];
} json_in;

/* Parses j->file into j->doc: 0, or -1 with "cannot read it" or "not JSON". */
int json_in_load(json_in *j);
/* Frees j->doc (only after json_in_load returned 0). */
void json_in_free(json_in *j);
/* Sets the message, located at `at` (line 1 column 1 when NULL): -1. */
int json_in_bad(json_in *j, const yaml_node_t *at, const char *what);
/* map[key] when it has the type; NULL with the message when map is not
 * an object, the value has another type, or the key is missing (unless
 * optional: then NULL with err left empty). */
yaml_node_t *json_in_field(json_in *j, yaml_node_t *map, const char *key, yaml_node_type_t type,
                           bool optional);
/* The node an item or pair refers to (NULL if none). */
yaml_node_t *json_in_node(json_in *j, int id);

#endif
