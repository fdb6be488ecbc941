/* cache.h -- the `cache-aside` protocol: a cache node (get, set with a TTL,
 * delete; memcached or Redis as an application uses them) in front of a
 * database node that holds a few items, each a version number
 * (docs/protocols/cache-aside.md).
 *
 * Roles: cache (exactly 1, ca_cache_ops), db (exactly 1, ca_db_ops),
 * reader and writer (the `cache-aside` workload drives them).
 *   reader: GET item; a hit is the answer; on a miss read the database and
 *           SET item = that version with the TTL;
 *   writer: UPDATE the item in the database (its version + 1), then DEL it
 *           from the cache.
 * The race: a reader that read version 1 from the database and is slow to
 * set it (a GC pause) puts version 1 back after the writer's delete, and it
 * stays there until the TTL.  Remedies (param `remedy`):
 *   none            as above
 *   delayed-delete  the writer deletes again `delete-delay` after its first
 *                   delete ("delayed double delete")
 *   versioned       the cache refuses a set older than the newest version it
 *                   has seen for the item; a delete leaves that version
 *                   behind (a tombstone), or a set after it would pass
 *   lease           memcache leases (Nishtala et al., NSDI 2013): a miss
 *                   hands out a lease token, a delete invalidates it, a set
 *                   without the item's valid lease is refused; while a lease
 *                   is out, other misses get none (they read the database and
 *                   do not set)
 * The cache keeps everything in memory: a crash or a power loss empties it
 * (tombstones and leases too); the database forces each update to disk
 * before it answers, so both keep its items.
 *
 * History: the ops READ (value_out = the version seen, note "hit"/"miss")
 * and UPDATE (value_out = the version committed); the effects below.  The
 * `stale-read` check (sim/check/stale_read.c) reads them.
 */
#ifndef CCSIM_CACHE_H
#define CCSIM_CACHE_H

#include "sim/config.h"
#include "sim/env.h"

/* cache-aside range 1500-1549 */
#define CA_MSG_GET          1500u   /* reader -> cache */
#define CA_MSG_GET_REPLY    1501u   /* flag = hit; version; token = lease (miss) */
#define CA_MSG_SET          1502u   /* reader -> cache: version, token = lease */
#define CA_MSG_SET_REPLY    1503u   /* flag = stored */
#define CA_MSG_DEL          1504u   /* writer -> cache: version = the one it committed */
#define CA_MSG_DEL_REPLY    1505u
#define CA_MSG_DB_READ      1510u   /* reader -> db */
#define CA_MSG_DB_READ_REPLY  1511u /* version */
#define CA_MSG_DB_WRITE     1512u   /* writer -> db */
#define CA_MSG_DB_WRITE_REPLY 1513u /* version = the new one */

#define CA_ITEMS_MAX 8

typedef enum { CA_NONE = 0, CA_DELAYED_DELETE, CA_VERSIONED, CA_LEASE } ca_remedy;

/* Every message has this body; each type uses the fields its line says. */
typedef struct ca_msg {
    uint32_t req;           /* the sender's request number, echoed */
    uint32_t op;            /* the history op it serves */
    uint32_t item;          /* 0 .. CA_ITEMS_MAX-1 */
    uint32_t flag;          /* GET_REPLY: 1 = hit; SET_REPLY: 1 = stored; DEL: 2 = the delayed one */
    int64_t version;
    uint64_t token;         /* a lease token, 0 = none */
} ca_msg;

typedef struct ca_cfg {
    int remedy;             /* ca_remedy */
    sim_time ttl_ns;
    sim_time delete_delay_ns;
    sim_time lease_ns;
} ca_cfg;

extern const model_ops ca_cache_ops;
extern const model_ops ca_db_ops;

/* "item1", "item2"...: the key the history names item i by. */
void ca_item_key(uint32_t item, char *buf, size_t len);
bool ca_describe(uint32_t type, const void *body, uint32_t len, char *buf, size_t buf_len);

/* The history kinds of cache-aside (hist.h; kinds 1500-1519).  Every
 * effect: key = the item, client = the node it is for, op = the op it
 * serves. */
enum {
    CA_F_READ = 1500,         /* a reader's read: value_out = version seen; note hit/miss */
    CA_F_UPDATE = 1501,       /* a writer's update: value_out = version committed */
    CA_EFF_COMMIT = 1505,     /* db: value = the version now committed (version 1: loaded) */
    CA_EFF_DB_READ = 1506,    /* db: value = the version read */
    CA_EFF_HIT = 1507,        /* cache: value = the version served */
    CA_EFF_MISS = 1508,       /* cache: token = the lease handed out (0 = none);
                                 aux = 1 when a lease was already out */
    CA_EFF_SET = 1509,        /* cache: value = version stored, aux = TTL in ns, token = lease */
    CA_EFF_SET_REFUSED = 1510,  /* cache: value = version offered, version = the newest it
                                   has seen; aux = CA_REFUSED_* */
    CA_EFF_DEL = 1511,        /* cache: value = version it held (0 = none), version = the
                                 writer's committed version; aux = 2 for a delayed delete */
    CA_EFF_EXPIRE = 1512,     /* cache: value = the version whose TTL ran out */
    CA_EFF_FLUSH = 1513,      /* cache: it went down and lost everything; value = items held */
};

enum { CA_REFUSED_OLDER = 1, CA_REFUSED_LEASE = 2 };

#endif
