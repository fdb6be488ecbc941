/* cache_aside.h -- the `cache-aside` workload: readers read items through
 * the cache (a miss reads the database and sets the cache), writers update
 * an item in the database and delete it from the cache
 * (protocols/cache/cache.h, docs/protocols/cache-aside.md).
 *
 * Each reader makes `reads` reads and each writer `writes` updates, one
 * every `every` from its `start`, one at a time; op i of a client is on
 * item (i mod items).  A request unanswered after `timeout` is given up:
 * a reader whose GET went unanswered reads the database instead (and sets
 * nothing); a read the database does not answer fails; an update the
 * database does not answer is info (it may have committed); a delete the
 * cache does not answer leaves the update ok, with a note.
 *
 * History: READ (value_out = the version returned, note "hit", "miss" or
 * "cache down"), UPDATE (value_out = the version committed).
 */
#ifndef CCSIM_CACHE_ASIDE_H
#define CCSIM_CACHE_ASIDE_H

#include "sim/config.h"
#include "sim/env.h"

typedef struct caw_cfg {
    param_nodes readers, writers;
    param_per_node start;
    sim_time every_ns;
    int64_t reads, writes, items;
    sim_time timeout_ns;
} caw_cfg;

#endif
