/* cache_db.c -- the database behind the cache: CA_ITEMS_MAX items, each a
 * version number that starts at 1.
 *
 *   READ item  [db_on_message]--> reply its version       (DB_READ effect)
 *   WRITE item [db_on_message]--> version + 1, reply it   (COMMIT effect)
 *   crash / power loss [db_on_crash]--> keeps every item (each update is
 *   forced to disk before the reply, so the two are the same here)
 *
 * Invariant (db_invariants_ok): every version >= 1; versions only grow.
 * Trade-off: no transactions, no latency of its own: it stands for "the
 * database committed version N at this instant", which is all the race
 * needs.  Version 1 of every item is there from the start (the check takes
 * it as committed at 0 s); only later versions record a COMMIT.
 */
#include "protocols/cache/cache.h"

#include <stdio.h>
#include <string.h>

typedef struct ca_db {
    int64_t version[CA_ITEMS_MAX];
    bool started;
} ca_db;

static bool db_invariants_ok(const ca_db *d) {
    for (uint32_t i = 0; i < CA_ITEMS_MAX; i++)
        if (d->version[i] < 1) return false;
    return d->started;
}

static void db_effect(env *e, hist_eff_kind kind, node_id client, uint32_t op, uint32_t item, int64_t v) {
    hist_effect_fields ef;
    memset(&ef, 0, sizeof ef);
    ef.kind = kind;
    ef.client = client;
    ef.op = op;
    ef.value = v;
    ef.version = v;
    char key[SIM_NAME_MAX];
    ca_item_key(item, key, sizeof key);
    ef.key = key;
    env_effect(e, &ef);
}

static void db_init(void *state, env *e) {
    ca_db *d = state;
    (void)e;
    memset(d, 0, sizeof *d);
    d->started = true;
    for (uint32_t i = 0; i < CA_ITEMS_MAX; i++) d->version[i] = 1;
    SIM_ASSERT(db_invariants_ok(d));
}

static void db_on_message(void *state, env *e, node_id from, uint32_t type, const void *body, uint32_t len) {
    ca_db *d = state;
    SIM_ASSERT(db_invariants_ok(d));
    ca_msg q;
    if (len != sizeof q || (type != CA_MSG_DB_READ && type != CA_MSG_DB_WRITE)) {
        env_trace(e, "db: ignored type %u", type);
        return;
    }
    memcpy(&q, body, sizeof q);
    if (q.item >= CA_ITEMS_MAX) { env_trace(e, "db: ignored item %u", q.item); return; }
    if (type == CA_MSG_DB_WRITE) d->version[q.item]++;
    db_effect(e, type == CA_MSG_DB_WRITE ? CA_EFF_COMMIT : CA_EFF_DB_READ, from, q.op, q.item,
              d->version[q.item]);
    ca_msg p = q;
    p.version = d->version[q.item];
    env_send(e, from, type == CA_MSG_DB_WRITE ? CA_MSG_DB_WRITE_REPLY : CA_MSG_DB_READ_REPLY, &p, sizeof p);
    SIM_ASSERT(db_invariants_ok(d));
}

/* Durable: an update is on disk before its reply, so a crash and a power
 * loss both keep every item. */
static void db_on_crash(void *state, env *e) {
    ca_db *d = state;
    SIM_ASSERT(db_invariants_ok(d));
    env_trace(e, "db crashed; its items are on disk");
}

static void db_on_restart(void *state, env *e) {
    ca_db *d = state;
    SIM_ASSERT(db_invariants_ok(d));
    env_trace(e, "db restarted with its items");
}

const model_ops ca_db_ops = {
    .name = "cache-aside-db", .state_size = sizeof(ca_db), .init = db_init,
    .on_message = db_on_message, .on_timer = NULL, .on_crash = db_on_crash,
    .on_restart = db_on_restart,
};
