/* redis_repl.c -- asynchronous replication, WAIT, and promotion
 * (PROTOCOLS.md 1.3, SCENARIOS.md L5; redis.h says what Redis 7.0 does).
 *
 * A `replica` node k replicates the `redis` node k.  The master ships the
 * new state of each key it writes (or deletes, or expires): one REPL message
 * with the offset after it, at once (loopback: the replica has it before
 * the client has its reply), or `redis.replication.lag` later (a slow
 * link: the master's queue below stands for bytes its host's kernel
 * holds).  It goes on without waiting (asynchronous).  A process crash of
 * the master hands what is queued to the kernel: sent at once, each with
 * the rest of its delay (`hold_ns`), which the replica waits before it
 * applies it; the kernel then closes the link (LINK_DOWN).  A power loss
 * loses the queue and sends nothing.  The replica applies the state
 * (absolute expiry, as Redis 7 propagates PXAT) and acknowledges the
 * offset (REPLCONF ACK).  `WAIT n timeout` answers how many connected
 * replicas acknowledged the calling client's last write (woff), as soon as
 * n have, or at the node's first serverCron tick (cron_base + k * 100 ms,
 * redis_persist.c) after its wall-clock timeout.  The Sentinel's PROMOTE turns the replica into a master; it
 * keeps what it applied and drops what was still on the link.
 *
 * Invariant: a master's acked_offset <= repl_offset; a parked WAIT's offset
 * <= repl_offset; a replica has repl_offset = the last offset it applied;
 * queued writes are in offset order, due times non-decreasing.
 * Simplifications: one replica per master; a replica whose process crashed
 * stays disconnected (no resync); a restarted master does not resync its
 * replica, and an old master that comes back stays a master.
 */
#include "protocols/redis/redis_int.h"

#include <inttypes.h>
#include <string.h>

#include "protocols/redis/redis.h"

static bool repl_invariants_ok(const redis_node *r) {
    if (!r->replica && r->acked_offset > r->repl_offset) return false;
    for (uint32_t i = 0; i < REDIS_WAITS_MAX; i++)
        if (r->waits[i].used && r->waits[i].offset > r->repl_offset) return false;
    for (uint32_t i = 1; i < r->queue_count; i++) {
        uint32_t a = (r->queue_head + i - 1) % REDIS_REPL_QUEUE_MAX, b = (a + 1) % REDIS_REPL_QUEUE_MAX;
        if (r->queue[a].offset >= r->queue[b].offset || r->queue_due[a] > r->queue_due[b])
            return false;
    }
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
    r->peer_down = false;
    r->writer = -1;
    const char *role = env_node_role(e, self);
    if (strcmp(role, "replica") == 0) {
        r->peer = nth_of_role(e, "redis", role_index(e, "replica", self));
        r->replica = r->peer >= 0;            /* validate pairs every replica with a master */
    } else if (strcmp(role, "redis") == 0) {
        r->peer = nth_of_role(e, "replica", role_index(e, "redis", self));
    }
    SIM_ASSERT(repl_invariants_ok(r));
}

static void apply_write(redis_node *r, env *e, const redis_repl *w);
static void replica_apply(redis_node *r, env *e, node_id from, const redis_repl *w);

static void queue_pop(redis_node *r) {
    SIM_ASSERT(r->queue_count > 0);
    r->queue_head = (r->queue_head + 1) % REDIS_REPL_QUEUE_MAX;
    r->queue_count--;
}

/* Master: sends the writes that are due; replica: applies them. */
static void queue_flush(redis_node *r, env *e) {
    sim_time now = env_now_mono(e);
    while (r->queue_count > 0 && r->queue_due[r->queue_head] <= now) {
        redis_repl w = r->queue[r->queue_head];
        queue_pop(r);
        if (r->replica) replica_apply(r, e, r->peer, &w);
        else env_send(e, r->peer, REDIS_MSG_REPL, &w, sizeof w);
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

/* Onto the link, due `delay` from now; a full queue hands its oldest on
 * early (a master ships it, a replica applies it). */
static void queue_push(redis_node *r, env *e, const redis_repl *w, sim_time delay) {
    if (r->queue_count == REDIS_REPL_QUEUE_MAX) {
        env_trace(e, "replication link queue full (%d writes): the oldest goes early",
                  REDIS_REPL_QUEUE_MAX);
        redis_repl old = r->queue[r->queue_head];
        queue_pop(r);
        if (r->replica) replica_apply(r, e, r->peer, &old);
        else env_send(e, r->peer, REDIS_MSG_REPL, &old, sizeof old);
    }
    uint32_t tail = (r->queue_head + r->queue_count) % REDIS_REPL_QUEUE_MAX;
    sim_time due = env_now_mono(e) + delay;
    if (r->queue_count > 0) {
        uint32_t last = (tail + REDIS_REPL_QUEUE_MAX - 1) % REDIS_REPL_QUEUE_MAX;
        if (due < r->queue_due[last]) due = r->queue_due[last];   /* a stream keeps its order */
    }
    r->queue[tail] = *w;
    r->queue_due[tail] = due;
    r->queue_count++;
    if (r->queue_timer == 0) queue_arm(r, e);
}

static void queue_drop(redis_node *r, env *e) {
    if (r->queue_timer) env_timer_cancel(e, r->queue_timer);
    r->queue_timer = 0;
    r->queue_head = 0;
    r->queue_count = 0;
}

void redis_repl_ship(redis_node *r, env *e, const char *key, const redis_key *k) {
    SIM_ASSERT(key != NULL);
    SIM_ASSERT(key[0] != '\0');
    if (r->replica || r->peer < 0 || r->phase != REDIS_PHASE_RUNNING) return;
    redis_repl w;
    memset(&w, 0, sizeof w);
    w.offset = ++r->repl_offset;
    if (r->writer >= 0 && r->writer < SIM_NODES_MAX) r->woff[r->writer] = w.offset;
    if (r->peer_down) return;                 /* the backlog only: no replica to send to */
    w.del = k == NULL ? 1 : 0;
    redis_copy_str(w.key, sizeof w.key, key);
    w.expire_at = SIM_TIME_NEVER;
    if (k) {
        w.is_lock = k->is_lock ? 1 : 0;
        w.setter = k->setter;
        w.expire_at = k->expire_at;
        redis_copy_str(w.val, sizeof w.val, k->val);
    }
    if (r->cfg->replication_lag_ns > 0) queue_push(r, e, &w, r->cfg->replication_lag_ns);
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

static void replica_apply(redis_node *r, env *e, node_id from, const redis_repl *w) {
    apply_write(r, e, w);
    r->repl_offset = w->offset;
    redis_persist_changed(r, e);
    redis_repl_ack a = { w->offset };
    env_send(e, from, REDIS_MSG_ACK, &a, sizeof a);
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
    if (c.hold_ns > 0 || r->queue_count > 0) queue_push(r, e, &c, c.hold_ns > 0 ? c.hold_ns : 0);
    else replica_apply(r, e, from, &c);
    SIM_ASSERT(repl_invariants_ok(r));
}

/* ---------------------------------------------------------------- WAIT */

/* Connected replicas that acknowledged `offset` (replicationCountAcksByOffset). */
static int64_t acked_replicas(const redis_node *r, uint64_t offset) {
    return !r->replica && r->peer >= 0 && !r->peer_down && r->acked_offset >= offset ? 1 : 0;
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

#define WAIT_CRON_NS (100 * SIM_MS)      /* serverCron at hz 10 */
#define WAIT_ARG_CRON (1ull << 32)       /* the timer's second stage: the cron tick */

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
    uint64_t woff = from >= 0 && from < SIM_NODES_MAX ? r->woff[from] : r->repl_offset;
    if (woff > r->repl_offset) woff = r->repl_offset;   /* a restarted master starts over */
    int64_t n = acked_replicas(r, woff);
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
    w->offset = woff;
    w->timer = c->ms > 0 ? env_timer_wall(e, env_now_wall(e) + c->ms * SIM_MS, REDIS_TAG_WAIT, slot)
                         : 0;
    redis_log_block(e, from, c);
    SIM_ASSERT(repl_invariants_ok(r));
}

/* The wall-clock deadline passed: the reply goes at the next cron tick
 * (the event loop's next wake-up; beforeSleep handles blocked clients). */
void redis_repl_on_wait_timer(redis_node *r, env *e, uint64_t arg) {
    uint64_t slot = arg & 0xffffffffu;
    SIM_ASSERT(slot < REDIS_WAITS_MAX);
    SIM_ASSERT(r->waits[slot].used);
    r->waits[slot].timer = 0;                 /* it has fired */
    sim_time now = env_now_mono(e), tick = r->cron_base;   /* the node's serverCron grid */
    if (now > tick) tick += (now - tick + WAIT_CRON_NS - 1) / WAIT_CRON_NS * WAIT_CRON_NS;
    sim_time rest = tick - now;
    if (!(arg & WAIT_ARG_CRON) && rest > 0) {
        r->waits[slot].timer = env_timer(e, rest, REDIS_TAG_WAIT, slot | WAIT_ARG_CRON);
        return;
    }
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
    if (r->queue_count > 0)
        env_trace(e, "link to the old master closed: %u write%s still on it dropped",
                  r->queue_count, r->queue_count == 1 ? "" : "s");
    queue_drop(r, e);
    env_trace(e, "promoted to master by %s (REPLICAOF NO ONE): %u keys, replication offset "
              "%" PRIu64, env_node_name(e, from), r->count, r->repl_offset);
    r->replica = false;
    r->peer = -1;
    r->acked_offset = r->repl_offset;
    memset(r->woff, 0, sizeof r->woff);
    redis_log_promote(r, e);
    hist_effect_fields ef;
    memset(&ef, 0, sizeof ef);
    ef.kind = HIST_EFF_PROMOTE;
    ef.client = -1;
    ef.op = HIST_NONE;
    ef.value = (int64_t)r->repl_offset;
    ef.aux = r->count;
    env_effect(e, &ef);
    SIM_ASSERT(repl_invariants_ok(r));
}

/* INFO from a sentinel (answered with the role), LINK_DOWN from a dead peer. */
bool redis_repl_on_message(redis_node *r, env *e, node_id from, uint32_t type, const void *body,
                           uint32_t len) {
    if (len != sizeof(redis_ping) || (type != REDIS_MSG_INFO && type != REDIS_MSG_LINK_DOWN))
        return false;
    if (type == REDIS_MSG_INFO) {
        redis_ping q;
        memcpy(&q, body, sizeof q);
        q.master = r->replica ? 0 : 1;
        q.pad = 0;
        env_send(e, from, REDIS_MSG_INFO_REPLY, &q, sizeof q);
        return true;
    }
    if (!r->replica && from == r->peer && !r->peer_down) {
        r->peer_down = true;
        env_trace(e, "replica %s disconnected: WAIT no longer counts it", env_node_name(e, from));
    }
    return true;
}

/* The kernel of a dead process closes its connections (FIN). */
static void send_link_down(const redis_node *r, env *e) {
    redis_ping q;
    memset(&q, 0, sizeof q);
    node_id s[SIM_NODES_MAX];
    uint32_t n = env_nodes_of_role(e, "sentinel", s, SIM_NODES_MAX);
    for (uint32_t i = 0; i < n; i++) env_send(e, s[i], REDIS_MSG_LINK_DOWN, &q, sizeof q);
    if (r->peer >= 0) env_send(e, r->peer, REDIS_MSG_LINK_DOWN, &q, sizeof q);
}

/* The master's kernel still delivers what the link held. */
static void hand_queue_to_kernel(redis_node *r, env *e) {
    sim_time now = env_now_mono(e);
    for (uint32_t i = 0; i < r->queue_count; i++) {
        uint32_t at = (r->queue_head + i) % REDIS_REPL_QUEUE_MAX;
        redis_repl w = r->queue[at];
        w.hold_ns = r->queue_due[at] > now ? r->queue_due[at] - now : 0;
        env_send(e, r->peer, REDIS_MSG_REPL, &w, sizeof w);
    }
}

/* Parked WAITs die with the process (their clients time out).  What is on
 * the link still arrives after a process crash and is lost in a power
 * loss; a replica's queue (its kernel's socket buffer) is lost either way. */
void redis_repl_on_crash(redis_node *r, env *e, bool power_loss) {
    SIM_ASSERT(r != NULL);
    if (r->cfg == NULL) return;                   /* crashed before it ever started */
    bool master = !r->replica && r->peer >= 0 && !r->peer_down;
    if (master && r->queue_count > 0 && power_loss)
        env_trace(e, "power loss: %u write%s on the link to the replica lost", r->queue_count,
                  r->queue_count == 1 ? "" : "s");
    else if (master && r->queue_count > 0) {
        env_trace(e, "process crash: the kernel still delivers %u write%s to the replica",
                  r->queue_count, r->queue_count == 1 ? "" : "s");
        hand_queue_to_kernel(r, e);
    }
    if (!power_loss) send_link_down(r, e);
    memset(r->waits, 0, sizeof r->waits);
    r->queue_head = 0;
    r->queue_count = 0;
    r->queue_timer = 0;                           /* the engine cancelled it */
    SIM_ASSERT(repl_invariants_ok(r));
}
