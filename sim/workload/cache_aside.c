/* cache_aside.c -- the cache-aside driver: a reader or a writer per node,
 * one op at a time.
 *
 *   reader: IDLE --tick [begin_op]--> GETTING --hit [on_get_reply]--> IDLE (op ok)
 *           GETTING --miss [on_get_reply -> read_db]--> DB_READING
 *           GETTING --timeout [on_timeout -> read_db]--> DB_READING (sets nothing)
 *           DB_READING --version [on_db_read]--> IDLE (op ok; SET sent unless told not to)
 *           DB_READING --timeout--> IDLE (op fail)
 *   writer: IDLE --tick [begin_op]--> DB_WRITING --version [on_db_write]--> DELETING
 *           DB_WRITING --timeout--> IDLE (op info)
 *           DELETING --DELETED / timeout [finish]--> IDLE (op ok)
 *           remedy delayed-delete: DEL again `delete-delay` after the first [on_delayed_del]
 *   IDLE --all ops done--> DONE;  any --crash [caw_on_crash]--> CRASHED (sends no more)
 *
 * Invariant (caw_invariants_ok): an op is pending exactly in GETTING,
 * DB_READING, DB_WRITING and DELETING; done <= count; a node is a reader
 * or a writer, not both.  Trade-off: a reader's SET is sent and forgotten
 * (its answer changes nothing for the reader), as applications do.
 */
#include "sim/workload/cache_aside.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/cache/cache.h"
#include "sim/family.h"
#include "sim/workload/outcome.h"

enum { TAG_TICK = 1, TAG_TIMEOUT = 2, TAG_DELAYED_DEL = 3 };

typedef enum {
    CAW_OFF = 0, CAW_IDLE, CAW_GETTING, CAW_DB_READING, CAW_DB_WRITING, CAW_DELETING, CAW_DONE,
    CAW_CRASHED
} caw_state;

typedef struct caw_driver {
    const caw_cfg *cfg;
    const ca_cfg *proto;
    node_id cache, db;
    bool reader, writer;
    caw_state state;
    int64_t done, count;
    uint32_t op;                /* the pending op, HIST_NONE if none */
    uint32_t req;               /* the request in flight */
    uint32_t item;
    uint64_t lease;             /* the lease the GET handed out, 0 = none */
    int64_t committed;          /* a writer: the version its update committed */
    bool cache_down;            /* the GET went unanswered: read the db, set nothing */
    bool lease_busy;            /* a miss without a lease under remedy lease: set nothing */
} caw_driver;

static bool caw_invariants_ok(const caw_driver *d) {
    bool pending = d->state == CAW_GETTING || d->state == CAW_DB_READING || d->state == CAW_DB_WRITING ||
                   d->state == CAW_DELETING;
    if (d->cfg == NULL || (d->reader && d->writer)) return false;
    if (d->state != CAW_CRASHED && pending != (d->op != HIST_NONE)) return false;
    return d->done <= d->count;
}

static bool listed(const param_nodes *n, node_id self) {
    for (uint32_t i = 0; i < n->count; i++)
        if (n->node[i] == self) return true;
    return false;
}

static void send_req(caw_driver *d, env *e, node_id to, uint32_t type, int64_t version, uint64_t token) {
    ca_msg m = { .req = ++d->req, .op = d->op, .item = d->item, .flag = 0, .version = version, .token = token };
    env_send(e, to, type, &m, sizeof m);
    env_timer(e, d->cfg->timeout_ns, TAG_TIMEOUT, d->req);
}

static void begin_op(caw_driver *d, env *e) {
    SIM_ASSERT(d->state == CAW_IDLE);
    d->item = (uint32_t)(d->done % d->cfg->items);
    hist_op_fields f;
    memset(&f, 0, sizeof f);
    char key[SIM_NAME_MAX];
    ca_item_key(d->item, key, sizeof key);
    f.key = key;
    d->lease = 0;
    d->cache_down = d->lease_busy = false;
    if (d->reader) {
        d->op = env_op_invoke(e, CA_F_READ, &f);
        d->state = CAW_GETTING;
        send_req(d, e, d->cache, CA_MSG_GET, 0, 0);
    } else {
        d->op = env_op_invoke(e, CA_F_UPDATE, &f);
        d->state = CAW_DB_WRITING;
        send_req(d, e, d->db, CA_MSG_DB_WRITE, 0, 0);
    }
}

/* Completes the pending op and plans the next one. */
static void end_op(caw_driver *d, env *e, hist_result r, bool has_version, int64_t version, const char *note) {
    hist_op_fields f;
    memset(&f, 0, sizeof f);
    f.has_value_out = has_version;
    f.value_out = version;
    f.note = note;
    env_op_complete(e, d->op, r, &f);
    d->op = HIST_NONE;
    d->req++;                    /* a late answer to the finished request is ignored */
    d->done++;
    d->state = d->done < d->count ? CAW_IDLE : CAW_DONE;
    if (d->state == CAW_IDLE) env_timer(e, d->cfg->every_ns, TAG_TICK, 0);
}

static void read_db(caw_driver *d, env *e) {
    d->state = CAW_DB_READING;
    send_req(d, e, d->db, CA_MSG_DB_READ, 0, 0);
}

static void on_get_reply(caw_driver *d, env *e, const ca_msg *p) {
    if (p->flag == 1) { end_op(d, e, HIST_OK, true, p->version, "hit"); return; }
    d->lease = p->token;
    d->lease_busy = d->proto->remedy == CA_LEASE && p->token == 0;
    read_db(d, e);
}

static void on_db_read(caw_driver *d, env *e, const ca_msg *p) {
    bool set = !d->cache_down && !d->lease_busy;
    if (set) {
        ca_msg m = { .req = 0, .op = d->op, .item = d->item, .flag = 0, .version = p->version, .token = d->lease };
        env_send(e, d->cache, CA_MSG_SET, &m, sizeof m);
    }
    end_op(d, e, HIST_OK, true, p->version, d->cache_down ? "miss (cache down)" : "miss");
}

static void on_db_write(caw_driver *d, env *e, const ca_msg *p) {
    d->state = CAW_DELETING;
    send_req(d, e, d->cache, CA_MSG_DEL, p->version, 0);
    d->committed = p->version;
    if (d->proto->remedy != CA_DELAYED_DELETE) return;
    SIM_ASSERT(p->version > 0 && p->version < (1 << 24));
    uint64_t arg = (uint64_t)d->op << 32 | (uint64_t)d->item << 24 | (uint64_t)p->version;
    env_timer(e, d->proto->delete_delay_ns, TAG_DELAYED_DEL, arg);
}

static void on_delayed_del(caw_driver *d, env *e, uint64_t arg) {
    ca_msg m = { .req = 0, .op = (uint32_t)(arg >> 32), .item = (uint32_t)(arg >> 24) & 0xffu, .flag = 2,
                 .version = (int64_t)(arg & 0xffffffu), .token = 0 };
    env_send(e, d->cache, CA_MSG_DEL, &m, sizeof m);
}

static void on_timeout(caw_driver *d, env *e) {
    switch (d->state) {
    case CAW_GETTING: d->cache_down = true; read_db(d, e); return;
    case CAW_DB_READING: end_op(d, e, HIST_FAIL, false, 0, "database unreachable"); return;
    case CAW_DB_WRITING: end_op(d, e, HIST_INFO, false, 0, "database did not answer"); return;
    case CAW_DELETING: end_op(d, e, HIST_OK, true, d->committed, "cache delete unanswered"); return;
    default: break;
    }
    SIM_UNREACHABLE("a timeout only while a request is out");
}

static void caw_on_timer(void *state, env *e, uint32_t tag, uint64_t arg) {
    caw_driver *d = state;
    SIM_ASSERT(caw_invariants_ok(d));
    if (tag == TAG_TICK && d->state == CAW_IDLE) begin_op(d, e);
    else if (tag == TAG_TIMEOUT && arg == d->req && d->op != HIST_NONE) on_timeout(d, e);
    else if (tag == TAG_DELAYED_DEL) on_delayed_del(d, e, arg);
    SIM_ASSERT(caw_invariants_ok(d));
}

static void caw_on_message(void *state, env *e, node_id from, uint32_t type, const void *body, uint32_t len) {
    caw_driver *d = state;
    SIM_ASSERT(caw_invariants_ok(d));
    ca_msg p;
    if (len != sizeof p) return;
    memcpy(&p, body, sizeof p);
    if (p.req == 0 || p.req != d->req || d->op == HIST_NONE) return;   /* late, or a set's answer */
    if (from == d->cache && type == CA_MSG_GET_REPLY && d->state == CAW_GETTING) on_get_reply(d, e, &p);
    else if (from == d->db && type == CA_MSG_DB_READ_REPLY && d->state == CAW_DB_READING) on_db_read(d, e, &p);
    else if (from == d->db && type == CA_MSG_DB_WRITE_REPLY && d->state == CAW_DB_WRITING) on_db_write(d, e, &p);
    else if (from == d->cache && type == CA_MSG_DEL_REPLY && d->state == CAW_DELETING)
        end_op(d, e, HIST_OK, true, d->committed, "");
    SIM_ASSERT(caw_invariants_ok(d));
}

static node_id one_of_role(env *e, const char *role) {
    node_id n[1];
    return env_nodes_of_role(e, role, n, 1) == 1 ? n[0] : -1;
}

static void caw_init(void *state, env *e) {
    caw_driver *d = state;
    memset(d, 0, sizeof *d);
    d->cfg = env_workload_config(e);
    d->proto = env_proto_config(e);
    SIM_ASSERT(d->cfg != NULL && d->proto != NULL);
    d->cache = one_of_role(e, "cache");
    d->db = one_of_role(e, "db");
    SIM_ASSERT(d->cache >= 0 && d->db >= 0);
    d->op = HIST_NONE;
    d->reader = listed(&d->cfg->readers, env_self(e));
    d->writer = listed(&d->cfg->writers, env_self(e));
    d->count = d->reader ? d->cfg->reads : d->writer ? d->cfg->writes : 0;
    d->state = d->count > 0 ? CAW_IDLE : CAW_DONE;
    if (d->state == CAW_IDLE) env_timer(e, d->cfg->start.node_ns[env_self(e)], TAG_TICK, 0);
    SIM_ASSERT(caw_invariants_ok(d));
}

static void caw_on_crash(void *state, env *e) {
    caw_driver *d = state;
    SIM_ASSERT(caw_invariants_ok(d));
    env_op_abandon(e, &d->op, "client crashed");
    d->state = CAW_CRASHED;
}

static void caw_on_restart(void *state, env *e) {
    (void)state;
    env_trace(e, "cache-aside: client restarted; it makes no more requests");
}

static const model_ops caw_driver_ops = {
    .name = "cache-aside", .state_size = sizeof(caw_driver), .init = caw_init,
    .on_message = caw_on_message, .on_timer = caw_on_timer, .on_crash = caw_on_crash,
    .on_restart = caw_on_restart,
};

#define CFG_AT(field) offsetof(caw_cfg, field)
#define CAW_OPS_MAX 100000

static const param_spec caw_params[] = {
    PARAM_NODES_SPEC("readers", "reader", "nodes that read through the cache", CFG_AT(readers)),
    PARAM_NODES_SPEC("writers", "writer", "nodes that update the database and delete the key", CFG_AT(writers)),
    PARAM_PER_NODE_DURATION_SPEC("start", "0ms", "per client: when its first op starts",
        CFG_AT(start), 0, PARAM_NO_MAX),
    PARAM_DURATION_SPEC("every", "1s", "time from one op's end to the next op of a client",
        CFG_AT(every_ns), 0, PARAM_NO_MAX),
    PARAM_INT_SPEC("reads", "10", "reads per reader", CFG_AT(reads), 0, CAW_OPS_MAX),
    PARAM_INT_SPEC("writes", "1", "updates per writer", CFG_AT(writes), 0, CAW_OPS_MAX),
    PARAM_INT_SPEC("items", "1", "items in the database (op i of a client is on item i mod items)",
        CFG_AT(items), 1, CA_ITEMS_MAX),
    PARAM_DURATION_SPEC("timeout", "1s", "how long a client waits for an answer",
        CFG_AT(timeout_ns), SIM_NS, PARAM_NO_MAX),
};

/* A node the driver does not run (the cache, the db) makes no requests. */
static int clients_only(const param_nodes *n, const char *key, const scn *s, char *err, size_t err_len) {
    for (uint32_t i = 0; i < n->count; i++) {
        const char *role = s->nodes[n->node[i]].role;
        if (strcmp(role, "reader") == 0 || strcmp(role, "writer") == 0) continue;
        return param_error(s, &s->workload, key, err, err_len,
                           "node '%.64s' is a %.32s node (expected reader or writer nodes)",
                           s->nodes[n->node[i]].name, role);
    }
    return 0;
}

static int caw_validate(const void *cfg_v, const scn *s, const proto_desc *proto, char *err, size_t err_len) {
    (void)proto;
    const caw_cfg *c = cfg_v;
    SIM_ASSERT(c != NULL);
    if (clients_only(&c->readers, "readers", s, err, err_len) != 0) return -1;
    if (clients_only(&c->writers, "writers", s, err, err_len) != 0) return -1;
    for (uint32_t i = 0; i < c->writers.count; i++) {
        if (!listed(&c->readers, c->writers.node[i])) continue;
        return param_error(s, &s->workload, "writers", err, err_len,
                           "node '%.64s' is both a reader and a writer (expected each client in one list)",
                           s->nodes[c->writers.node[i]].name);
    }
    if (c->readers.count + c->writers.count > 0) return 0;
    return param_error(s, &s->workload, "readers", err, err_len,
                       "no readers and no writers (expected at least one client node)");
}

static uint64_t caw_events_min(const void *cfg_v, const char **key) {
    const caw_cfg *c = cfg_v;
    *key = "reads";
    return (uint64_t)c->reads * c->readers.count * 2u + (uint64_t)c->writes * c->writers.count * 4u;
}

/* Reads that returned an older version of their item than an update had
 * committed before the read began: each read against the ok updates only
 * (the caller bounds reads x updates). */
/* Reads that returned an older version than the database had committed
 * (its COMMIT effects, acknowledged to the writer or not) when the read
 * began; -1 when that would take more than ~4M comparisons. */
static int64_t caw_stale(const hist *h, uint64_t reads) {
    uint64_t commits = 0, stale = 0;
    for (uint32_t k = 0; k < h->effect_count; k++) commits += h->effects[k].kind == CA_EFF_COMMIT;
    if (reads * commits > 4000000u) return -1;
    const hist_effect **c = sim_xcalloc(commits + 1u, sizeof *c);
    uint64_t n = 0;
    for (uint32_t k = 0; k < h->effect_count; k++)
        if (h->effects[k].kind == CA_EFF_COMMIT) c[n++] = &h->effects[k];
    for (uint32_t i = 0; i < h->op_count; i++) {
        const hist_op *r = &h->ops[i];
        if (r->f != CA_F_READ || r->result != HIST_OK) continue;
        int64_t newest = 0;
        for (uint64_t j = 0; j < n && c[j]->t_ns < r->invoke_ns; j++)
            if (strcmp(c[j]->key, r->key) == 0 && c[j]->value > newest) newest = c[j]->value;
        stale += r->value_out < newest;
    }
    free(c);
    return (int64_t)stale;
}

/* workload_desc.outcome: "8 reads (1 hit, 7 misses), 1 update; 7 reads returned an older version than the database had". */
static void caw_outcome(const void *cfg_v, const hist *h, const scn *s, char *buf, size_t len) {
    (void)cfg_v;
    (void)s;
    wo_tally r = wo_count(h, CA_F_READ), u = wo_count(h, CA_F_UPDATE);
    uint64_t hits = wo_count_note(h, CA_F_READ, HIST_OK, "hit");
    snprintf(buf, len, "%" PRIu64 " read%s (%" PRIu64 " hit%s in the cache), %" PRIu64 " update%s",
             r.ok, wo_s(r.ok), hits, wo_s(hits), u.ok, wo_s(u.ok));
    if (r.fail + u.fail) wo_add(buf, len, ", %" PRIu64 " failed", r.fail + u.fail);
    if (u.unknown) wo_add(buf, len, " (%" PRIu64 " unacknowledged)", u.unknown);
    int64_t stale = caw_stale(h, r.ok);
    if (stale > 0) wo_add(buf, len, "; %" PRId64 " read%s returned an older version than the database had",
                          stale, wo_s((uint64_t)stale));
    else if (stale == 0) wo_add(buf, len, "; every read returned the latest version");
}

const workload_desc caw_workload = {
    .name = "cache-aside",
    .summary = "readers read through the cache (a miss sets it), writers update the db and delete the key",
    .params = caw_params,
    .param_count = sizeof caw_params / sizeof caw_params[0],
    .cfg_size = sizeof(caw_cfg),
    .driver = &caw_driver_ops,
    .validate = caw_validate,
    .events_min = caw_events_min,
    .outcome = caw_outcome,
};
