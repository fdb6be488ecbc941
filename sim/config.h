/* config.h -- the value types a model's config struct holds.
 *
 * A protocol's or workload's cfg struct is filled from the scenario by its
 * parameter table (sim/scenario/param.h), but the model that reads it
 * needs only these types, never the scenario: a model's header includes
 * sim/env.h and this file, and only the family's descriptor file includes
 * sim/family.h (docs/engine.md, "Layers").
 */
#ifndef CCSIM_CONFIG_H
#define CCSIM_CONFIG_H

#include "sim/base.h"

/* A PARAM_STRING field: char[CONFIG_STRING_MAX], NUL-terminated. */
#define CONFIG_STRING_MAX 256

/* A PARAM_NODES field: node indices, in the order the scenario lists them. */
typedef struct param_nodes {
    int32_t node[SIM_NODES_MAX];
    uint32_t count;
} param_nodes;

/* A PARAM_PER_NODE_DURATION field. */
typedef struct param_per_node {
    sim_time all_ns;                    /* the value for nodes not listed */
    sim_time node_ns[SIM_NODES_MAX];    /* per node index; = all_ns unless listed */
    bool listed[SIM_NODES_MAX];
} param_per_node;

#endif
