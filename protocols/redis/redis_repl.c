/* redis_repl.c -- asynchronous replication, WAIT, and promotion
 * (PROTOCOLS.md 1.3, SCENARIOS.md L5).
 *
 * A `replica` node k replicates the `redis` node k.  The master ships the
 * new state of each key it writes (or deletes, or expires): one REPL message
 * with the offset after it, `redis.replication.lag` after the write (it
 * waits in the master's buffer meanwhile, and dies with the master), and
 * goes on without waiting (asynchronous: the client already has its reply).  The replica applies the state (absolute
 * expiry, as Redis 7 propagates PXAT) and acknowledges the offset (REPLCONF
 * ACK).  `WAIT n timeout` answers how many replicas acknowledged the offset
 * the master had reached when WAIT arrived, as soon as n have, or at the
 * timeout; it cannot make the write durable (the master may crash first).
 * The Sentinel's PROMOTE turns the replica into a master; it keeps what had
 * reached it, and nothing else.
 *
 * Invariant: a master's acked_offset <= repl_offset; a parked WAIT's offset
 * <= repl_offset; a replica has repl_offset = the last offset it applied.
 * Simplifications: one replica per master; a restarted master does not
 * resync its replica, and an old master that comes back stays a master.
 */
#include "protocols/redis/redis_int.h"

#include <inttypes.h>
#include <string.h>

#include "protocols/redis/redis.h"

static bool repl_invariants_ok(const redis_node *r) {
    if (!r->replica && r->acked_offset > r->repl_offset) return false;
    for (uint32_t i = 0; i < REDIS_WAITS_MAX; i++)
        if (r->waits[i].used && r->waits[i].offset > r->repl_offset) return false;
    return true;
}

/* This node's index within its role, or -1. */
static int32_t role_index(const env *e, const char *role, node_id self) {
    node_id nodes[SIM_NODES_MAX];
    uint32_t n = env_nodes_of_role(e, role, nodes, SIM_NODES_MAX);
    for (uint32_t i = 0; i < n; i++)
        if (nodes[i] == self) return (int32_t)i;
    return -1;
}

static node_id nth_of_role(const env *e, const char *role, int32_t index) {
    node_id nodes[SIM_NODES_MAX];
    uint32_t n = env_nodes_of_role(e, role, nodes, SIM_NODES_MAX);
    return index >= 0 && (uint32_t)index < n ? nodes[index] : -1;
}

void redis_repl_setup(redis_node *r, env *e) {
    node_id self = env_self(e);
    SIM_ASSERT(self >= 0);
    r->peer = -1;
    r->replica = false;
    const char *role = env_node_role(e, self);
    if (strcmp(role, "replica") == 0) {
        r->peer = nth_of_role(e, "redis", role_index(e, "replica", self));
        r->replica = r->peer >= 0;            /* validate pairs every replica with a master */
    } else if (strcmp(role, "redis") == 0) {
        r->peer = nth_of_role(e, "replica", role_index(e, "redis", self));
    }
    SIM_ASSERT(repl_invariants_ok(r));
}

/* Sends the buffered writes that are due. */
static void queue_flush(redis_node *r, env *e) {
    sim_time now = env_now_mono(e);
    while (r->queue_count > 0 && r->queue_due[r->queue_head] <= now) {
        env_send(e, r->peer, REDIS_MSG_REPL, &r->queue[r->queue_head], sizeof(redis_repl));
        r->queue_head = (r->queue_head + 1) % REDIS_REPL_QUEUE_MAX;
        r->queue_count--;
    }
}

static void queue_arm(redis_node *r, env *e) {
    SIM_ASSERT(r->queue_timer == 0);
    if (r->queue_count == 0) return;
    sim_time d = r->queue_due[r->queue_head] - env_now_mono(e);
    r->queue_timer = env_timer(e, d > 0 ? d : 0, REDIS_TAG_REPL, 0);
}

void redis_repl_on_queue_timer(redis_node *r, env *e) {
    SIM_ASSERT(r->phase == REDIS_PHASE_RUNNING);
    r->queue_timer = 0;
    queue_flush(r, e);
    queue_arm(r, e);
}

/* Into the replication buffer; a full buffer ships its oldest write early. */
static void queue_push(redis_node *r, env *e, const redis_repl *w) {
    if (r->queue_count == REDIS_REPL_QUEUE_MAX) {
        env_trace(e, "replication buffer full (%d writes): shipping the oldest early",
                  REDIS_REPL_QUEUE_MAX);
        env_send(e, r->peer, REDIS_MSG_REPL, &r->queue[r->queue_head], sizeof(redis_repl));
        r->queue_head = (r->queue_head + 1) % REDIS_REPL_QUEUE_MAX;
        r->queue_count--;
    }
    uint32_t tail = (r->queue_head + r->queue_count) % REDIS_REPL_QUEUE_MAX;
    r->queue[tail] = *w;
    r->queue_due[tail] = env_now_mono(e) + r->cfg->replication_lag_ns;
    r->queue_count++;
    if (r->queue_timer == 0) queue_arm(r, e);
}

void redis_repl_ship(redis_node *r, env *e, const char *key, const redis_key *k) {
    SIM_ASSERT(key != NULL);
    SIM_ASSERT(key[0] != '\0');
    if (r->replica || r->peer < 0 || r->phase != REDIS_PHASE_RUNNING) return;
    redis_repl w;
    memset(&w, 0, sizeof w);
    w.offset = ++r->repl_offset;
    w.del = k == NULL ? 1 : 0;
    redis_copy_str(w.key, sizeof w.key, key);
    w.expire_at = SIM_TIME_NEVER;
    if (k) {
        w.is_lock = k->is_lock ? 1 : 0;
        w.setter = k->setter;
        w.expire_at = k->expire_at;
        redis_copy_str(w.val, sizeof w.val, k->val);
    }
    if (r->cfg->replication_lag_ns > 0) queue_push(r, e, &w);
    else env_send(e, r->peer, REDIS_MSG_REPL, &w, sizeof w);
}

static void apply_write(redis_node *r, env *e, const redis_repl *w) {
    redis_key *k = redis_key_find(r, e, w->key);
    if (w->del) {
        if (k) redis_key_free(r, e, k);
        return;
    }
    if (!k) k = redis_key_new(r, w->key);
    if (!k) {
        env_trace(e, "replica keyspace full: replicated write to '%s' dropped", w->key);
        return;
    }
    redis_copy_str(k->val, sizeof k->val, w->val);
    k->is_lock = w->is_lock != 0;
    k->setter = w->setter;
    redis_key_set_expiry(r, e, k, w->expire_at);
    redis_expire_due(r, e, k);               /* already past on this node's clock */
}

void redis_repl_on_write(redis_node *r, env *e, node_id from, const redis_repl *w) {
    SIM_ASSERT(repl_invariants_ok(r));
    if (!r->replica || from != r->peer) {
        env_trace(e, "replicated write #%" PRIu64 " ignored: not a replica of its sender",
                  w->offset);
        return;
    }
    redis_repl c = *w;
    c.key[sizeof c.key - 1] = '\0';
    c.val[sizeof c.val - 1] = '\0';
    if (c.key[0] == '\0') return;
    apply_write(r, e, &c);
    r->repl_offset = c.offset;
    redis_persist_changed(r, e);
    redis_repl_ack a = { c.offset };
    env_send(e, from, REDIS_MSG_ACK, &a, sizeof a);
    SIM_ASSERT(repl_invariants_ok(r));
}

/* ---------------------------------------------------------------- WAIT */

static int64_t acked_replicas(const redis_node *r, uint64_t offset) {
    return !r->replica && r->peer >= 0 && r->acked_offset >= offset ? 1 : 0;
}

static void wait_reply(env *e, node_id to, const redis_cmd *c, int64_t n) {
    redis_reply p;
    memset(&p, 0, sizeof p);
    p.req = c->req;
    p.cmd = c->kind;
    p.kind = REDIS_R_INT;
    p.integer = n;
    env_send(e, to, REDIS_MSG_REPLY, &p, sizeof p);
}

static void wait_done(redis_node *r, env *e, uint32_t slot) {
    redis_wait *w = &r->waits[slot];
    SIM_ASSERT(w->used);
    redis_log_wait_answer(e, w->from, &w->cmd, acked_replicas(r, w->offset), true);
    wait_reply(e, w->from, &w->cmd, acked_replicas(r, w->offset));
    if (w->timer) env_timer_cancel(e, w->timer);
    memset(w, 0, sizeof *w);
}

void redis_repl_wait(redis_node *r, env *e, node_id from, const redis_cmd *c) {
    SIM_ASSERT(c->kind == REDIS_WAIT);
    SIM_ASSERT(repl_invariants_ok(r));
    if (r->replica) {
        redis_reply p;
        memset(&p, 0, sizeof p);
        p.req = c->req;
        p.cmd = c->kind;
        p.kind = REDIS_R_ERR;
        redis_copy_str(p.str, sizeof p.str, "ERR WAIT cannot be used on a replica");
        redis_log_cmd(e, from, c, &p);
        env_send(e, from, REDIS_MSG_REPLY, &p, sizeof p);
        return;
    }
    int64_t n = acked_replicas(r, r->repl_offset);
    uint32_t slot = 0;
    while (slot < REDIS_WAITS_MAX && r->waits[slot].used) slot++;
    if (n >= c->count || slot == REDIS_WAITS_MAX) {
        if (slot == REDIS_WAITS_MAX) env_trace(e, "WAIT answered at once: %d parked already",
                                               REDIS_WAITS_MAX);
        redis_log_wait_answer(e, from, c, n, false);
        wait_reply(e, from, c, n);
        return;
    }
    redis_wait *w = &r->waits[slot];
    w->used = true;
    w->from = from;
    w->cmd = *c;
    w->offset = r->repl_offset;
    w->timer = c->ms > 0 ? env_timer(e, c->ms * SIM_MS, REDIS_TAG_WAIT, slot) : 0;
    redis_log_block(e, from, c);
    SIM_ASSERT(repl_invariants_ok(r));
}

void redis_repl_on_wait_timer(redis_node *r, env *e, uint64_t slot) {
    SIM_ASSERT(slot < REDIS_WAITS_MAX);
    SIM_ASSERT(r->waits[slot].used);
    r->waits[slot].timer = 0;                 /* it has fired */
    wait_done(r, e, (uint32_t)slot);
}

void redis_repl_on_ack(redis_node *r, env *e, node_id from, const redis_repl_ack *a) {
    SIM_ASSERT(repl_invariants_ok(r));
    if (r->replica || from != r->peer || a->offset > r->repl_offset) return;
    if (a->offset > r->acked_offset) r->acked_offset = a->offset;
    for (uint32_t i = 0; i < REDIS_WAITS_MAX; i++) {
        redis_wait *w = &r->waits[i];
        if (w->used && acked_replicas(r, w->offset) >= w->cmd.count) wait_done(r, e, i);
    }
    SIM_ASSERT(repl_invariants_ok(r));
}

/* ---------------------------------------------------------------- failover */

void redis_repl_on_promote(redis_node *r, env *e, node_id from) {
    SIM_ASSERT(repl_invariants_ok(r));
    if (!r->replica) {
        env_trace(e, "REPLICAOF NO ONE from %s: already a master", env_node_name(e, from));
        return;
    }
    env_trace(e, "promoted to master by %s (REPLICAOF NO ONE): %u keys, replication offset "
              "%" PRIu64, env_node_name(e, from), r->count, r->repl_offset);
    r->replica = false;
    r->peer = -1;
    r->acked_offset = r->repl_offset;
    redis_log_promote(r, e);
    hist_effect ef;
    memset(&ef, 0, sizeof ef);
    ef.kind = HIST_EFF_PROMOTE;
    ef.client = -1;
    ef.op = HIST_NONE;
    ef.value = (int64_t)r->repl_offset;
    ef.aux = r->count;
    env_effect(e, &ef);
    SIM_ASSERT(repl_invariants_ok(r));
}

/* Parked WAITs and the replication buffer die with the process; the
 * clients time out, the replica never sees those writes. */
void redis_repl_on_crash(redis_node *r, env *e) {
    SIM_ASSERT(r != NULL);
    if (r->queue_count > 0)
        env_trace(e, "replication buffer lost: %u write%s never reached the replica",
                  r->queue_count, r->queue_count == 1 ? "" : "s");
    memset(r->waits, 0, sizeof r->waits);
    r->queue_head = 0;
    r->queue_count = 0;
    r->queue_timer = 0;
    SIM_ASSERT(repl_invariants_ok(r));
}
