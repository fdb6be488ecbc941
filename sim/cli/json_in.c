/* json_in.c -- see json_in.h. */
#include "sim/cli/json_in.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sim/base.h"

int json_in_load(json_in *j) {
    SIM_ASSERT(j != NULL && j->file != NULL);
    j->err[0] = '\0';
    FILE *f = fopen(j->file, "rb");
    if (!f) {
        snprintf(j->err, sizeof j->err, "%s: error: cannot read it: %s%s%s%s", j->file, strerror(errno),
                 j->unreadable ? " (" : "", j->unreadable ? j->unreadable : "", j->unreadable ? ")" : "");
        return -1;
    }
    yaml_parser_t parser;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_file(&parser, f);
    bool loaded = yaml_parser_load(&parser, &j->doc) != 0;
    if (!loaded)
        snprintf(j->err, sizeof j->err, "%s:%zu:%zu: error: not JSON: %s", j->file,
                 parser.problem_mark.line + 1, parser.problem_mark.column + 1,
                 parser.problem ? parser.problem : "unreadable");
    yaml_parser_delete(&parser);
    fclose(f);
    return loaded ? 0 : -1;
}

void json_in_free(json_in *j) {
    SIM_ASSERT(j != NULL);
    yaml_document_delete(&j->doc);
}

int json_in_bad(json_in *j, const yaml_node_t *at, const char *what) {
    SIM_ASSERT(j != NULL && what != NULL);
    size_t line = at ? at->start_mark.line + 1 : 1, col = at ? at->start_mark.column + 1 : 1;
    snprintf(j->err, sizeof j->err, "%s:%zu:%zu: error: %s", j->file, line, col, what);
    return -1;
}

yaml_node_t *json_in_node(json_in *j, int id) {
    SIM_ASSERT(j != NULL);
    return yaml_document_get_node(&j->doc, id);
}

yaml_node_t *json_in_field(json_in *j, yaml_node_t *map, const char *key, yaml_node_type_t type,
                           bool optional) {
    SIM_ASSERT(j != NULL && key != NULL);
    char what[200];
    if (!map || map->type != YAML_MAPPING_NODE) { json_in_bad(j, map, "expected an object"); return NULL; }
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *k = json_in_node(j, p->key);
        if (!k || k->type != YAML_SCALAR_NODE || strcmp((const char *)k->data.scalar.value, key) != 0)
            continue;
        yaml_node_t *v = json_in_node(j, p->value);
        if (v && v->type == type) return v;
        snprintf(what, sizeof what, "\"%s\" has the wrong type", key);
        json_in_bad(j, v, what);
        return NULL;
    }
    if (optional) return NULL;
    snprintf(what, sizeof what, "no \"%s\" here (is this %s?)", key, j->what_is_it ? j->what_is_it : "the right file");
    json_in_bad(j, map, what);
    return NULL;
}
