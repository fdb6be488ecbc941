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

/* The ranges of what a scenario may say (docs/scenario-format.md, "Ranges").
 * The loader and the parameter tables (sim/scenario/param.c) both take them
 * from here, and they are chosen so that no arithmetic a run does on them
 * can overflow 64 bits.  With T = CONFIG_TIME_MAX (one year, 3.2e16 ns,
 * 1/292 of INT64_MAX):
 *   - an instant is at most the horizon, T; at + for, now + a timeout or a
 *     pause end at most 2T;
 *   - a message arrives at most at now (T) + its latency (T, or 23T for an
 *     exponential draw: at most 22.2 means) + the link delays active on its
 *     link (at most NET_DELAYS_MAX = 64 of T each): under 90T;
 *   - a node's wall clock reads offset (T) + the sum of its jumps (T, the
 *     loader adds them up) + rate (<= 10) * true time: under 12T, and a
 *     timer's deadline on it adds a parameter's duration (T);
 *   - money: an opening balance, an amount or a price is at most
 *     CONFIG_AMOUNT_MAX (1e15) in size, so a check's total over every
 *     account and every transfer (at most a few thousand such values)
 *     stays inside 64 bits: 9000 values of 1e15 make 9e18 < INT64_MAX, and
 *     the tables allow far fewer (16 accounts and 64 transfers in `bank`).
 * A value outside its range is an input error at its file:line:col that
 * names the range, never a wrap. */
#define CONFIG_TIME_MAX ((sim_time)8760 * 3600 * 1000000000)   /* 8760h, 365 days */
#define CONFIG_TIME_MAX_TEXT "8760h"   /* the same, as a scenario writes it */
#define CONFIG_AMOUNT_MAX ((int64_t)1000000000000000)        /* 10^15 */

/* A run's budgets (sim_options; `ccsim run --max-events / --max-trace`):
 * far above any scenario of the library (the largest runs 91 000 events and
 * writes 16 MB of trace), and reached only by a scenario that would run
 * for hours or fill the disk. */
#define CONFIG_EVENTS_DEFAULT ((uint64_t)100000000)              /* 100 M events */
#define CONFIG_TRACE_BYTES_DEFAULT ((uint64_t)1 << 30)           /* 1 GiB of trace.log */

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

/* A PARAM_MAP field: the scenario's pairs under a key, kept as text for a
 * workload that parses them itself (a script's steps).  Key NAME itself
 * gives key ""; NAME.a.b gives "a.b".  A list value is its items joined by
 * ", ".  In file order. */
#define CONFIG_KEY_MAX 96
#define CONFIG_MAP_MAX 128
typedef struct param_map_entry {
    char key[CONFIG_KEY_MAX];
    char value[CONFIG_STRING_MAX];
} param_map_entry;

typedef struct param_map {
    uint32_t count;
    param_map_entry items[CONFIG_MAP_MAX];
} param_map;

#endif
