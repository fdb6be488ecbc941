/* redis_sentinel.c -- one Redis Sentinel: failure detection and failover
 * as Redis 7.0's src/sentinel.c does them (PROTOCOLS.md 1.3, SCENARIOS.md
 * L5), reduced to what a client can observe.
 *
 * It watches every `redis` node k that has a `replica` k.  Its timer ticks
 * at a random 10-19 Hz (sentinelTimer re-draws server.hz each tick; here
 * from the node's own stream), and every time it reads is its WALL clock
 * (mstime()).  Per tick, for each watch (sentinelHandleRedisInstance):
 *   - ping the master when the last PONG is older than the ping period and
 *     the last ping older than half of it; the period is min(down_after,
 *     1 s), or `redis.sentinel.ping` when set.  act_ping is the send time of
 *     the oldest unanswered ping; a PONG clears it and sets last_avail;
 *   - a master whose process died closes the link (LINK_DOWN): no more
 * *     pings, only a reconnect attempt every 1 s (a PING that does
 *     not set act_ping; a PONG means it is back);
 *   - unless in TILT: +sdown when (act_ping set ? now - act_ping : link
 *     closed ? now - last_avail : 0) > down_after; one Sentinel, quorum 1:
 *     +odown, +try-failover and +elected-leader in the same tick; the next
 *     tick selects the replica, the one after sends REPLICAOF NO ONE;
 *   - INFO to the replica every 10 s, every 1 s while the master is down;
 *     the first reply with role:master after REPLICAOF NO ONE is
 *     +promoted-slave; the next tick ends the failover: +failover-end and
 *     +switch-master (to every client).
 * TILT: when two ticks are more than 2 s apart on the wall clock, or it
 * went back, the sentinel enters TILT for 30 s: it still pings and reads
 * replies but does not act (no sdown, no failover).
 *
 *   WATCHING --tick, silent > down_after [check_down]--> DOWN (WAIT_START)
 *   DOWN --tick [fsm_step]--> SELECT --tick--> WAIT_PROMOTION (PROMOTE sent)
 *   WAIT_PROMOTION --INFO role:master [on_info_reply]--> RECONF
 *   RECONF --tick [fsm_step]--> FAILED_OVER (+switch-master sent)
 *
 * Invariant (sentinel_invariants_ok): every watch names a master and its
 * replica; a failed-over watch is never pinged again; a failover is past
 * NONE only when the master is +sdown.  Simplifications: one sentinel (no
 * quorum of several, no election to lose), no -sdown after a failover
 * started; the old master is not reconfigured as a replica if it comes
 * back; the failover timeout (180 s) is not modelled.
 */
#include "protocols/redis/redis_int.h"

#include <inttypes.h>
#include <string.h>

#define SENTINEL_WATCH_MAX 16
#define SENTINEL_MAX_PERIOD SIM_S                 /* SENTINEL_PING_PERIOD */
#define SENTINEL_INFO_PERIOD (10 * SIM_S)
#define SENTINEL_INFO_DOWN_PERIOD SIM_S           /* while the master is down */
#define SENTINEL_TILT_TRIGGER (2 * SIM_S)
#define SENTINEL_TILT_PERIOD (30 * SIM_S)

enum { TAG_TICK = 1 };

typedef enum {
    FO_NONE = 0,          /* watching */
    FO_WAIT_START,        /* +try-failover (elected at once: one sentinel) */
    FO_SELECT,            /* +elected-leader: select the replica next tick */
    FO_SEND_NOONE,        /* +selected-slave: REPLICAOF NO ONE next tick */
    FO_WAIT_PROMOTION,    /* sent; waiting for INFO role:master */
    FO_RECONF,            /* +promoted-slave: end the failover next tick */
    FO_DONE               /* +switch-master sent */
} fo_state;

typedef struct sentinel_watch {
    node_id master, replica;
    sim_time last_ping, last_pong, last_avail;   /* wall; SIM_TIME_NEVER = never */
    sim_time act_ping;            /* wall send time of the oldest unanswered ping */
    sim_time last_reconn;         /* wall: the last reconnect attempt */
    sim_time info_refresh;        /* wall: the replica's last INFO reply */
    bool link_closed;             /* the master's process died (LINK_DOWN) */
    bool sdown;
    uint8_t fo;                   /* fo_state */
} sentinel_watch;

typedef struct sentinel {
    const redis_cfg *cfg;
    sentinel_watch watch[SENTINEL_WATCH_MAX];
    uint32_t count;
    uint64_t seq;
    sim_time previous;            /* wall time of the previous tick */
    sim_time tilt_start;          /* SIM_TIME_NEVER = not in TILT */
} sentinel;

static bool sentinel_invariants_ok(const sentinel *s) {
    if (s->count > SENTINEL_WATCH_MAX) return false;
    for (uint32_t i = 0; i < s->count; i++) {
        const sentinel_watch *w = &s->watch[i];
        if (w->master < 0 || w->replica < 0 || w->fo > FO_DONE) return false;
        if (w->fo != FO_NONE && !w->sdown) return false;
    }
    return true;
}

static sim_time ping_period(const sentinel *s) {
    if (s->cfg->sentinel_ping_ns > 0) return s->cfg->sentinel_ping_ns;
    sim_time p = s->cfg->sentinel_down_after_ns;
    return p > 0 && p < SENTINEL_MAX_PERIOD ? p : SENTINEL_MAX_PERIOD;
}

static bool older(sim_time now, sim_time t, sim_time age) {
    return t == SIM_TIME_NEVER || now - t > age;
}

static void send_ping(sentinel *s, env *e, node_id to, uint32_t type) {
    redis_ping q;
    memset(&q, 0, sizeof q);
    q.seq = ++s->seq;
    env_send(e, to, type, &q, sizeof q);
}

/* sentinelReconnectInstance + sentinelSendPeriodicCommands, for the master. */
static void ping_master(sentinel *s, env *e, sentinel_watch *w, sim_time now) {
    sim_time period = ping_period(s);
    if (w->link_closed) {
        if (!older(now, w->last_reconn, SENTINEL_MAX_PERIOD - 1)) return;   /* ping_period */
        w->last_reconn = now;
        /* connect() to 127.0.0.1 is EINPROGRESS even to a closed port, so
         * the PING is queued and act_ping set: down-after counts from here */
        if (w->act_ping == SIM_TIME_NEVER) w->act_ping = now;
        send_ping(s, e, w->master, REDIS_MSG_PING);
        return;
    }
    if (!older(now, w->last_pong, period) || !older(now, w->last_ping, period / 2)) return;
    w->last_ping = now;
    if (w->act_ping == SIM_TIME_NEVER) w->act_ping = now;
    send_ping(s, e, w->master, REDIS_MSG_PING);
}

static void info_replica(sentinel *s, env *e, sentinel_watch *w, sim_time now) {
    sim_time period = w->sdown ? SENTINEL_INFO_DOWN_PERIOD : SENTINEL_INFO_PERIOD;
    if (older(now, w->info_refresh, period)) send_ping(s, e, w->replica, REDIS_MSG_INFO);
}

static void event(env *e, const char *name, const sentinel_watch *w) {
    env_trace(e, "%s master %s (replica %s)", name, env_node_name(e, w->master),
              env_node_name(e, w->replica));
}

/* sentinelCheckSubjectivelyDown, then ODOWN and the failover's start. */
static void check_down(sentinel *s, env *e, sentinel_watch *w, sim_time now) {
    sim_time elapsed = 0;
    if (w->act_ping != SIM_TIME_NEVER) elapsed = now - w->act_ping;
    else if (w->link_closed && w->last_avail != SIM_TIME_NEVER) elapsed = now - w->last_avail;
    if (elapsed > s->cfg->sentinel_down_after_ns && !w->sdown) {
        w->sdown = true;
        event(e, "+sdown", w);
    } else if (elapsed <= s->cfg->sentinel_down_after_ns && w->sdown && w->fo == FO_NONE) {
        w->sdown = false;
        event(e, "-sdown", w);
    }
    if (w->sdown && w->fo == FO_NONE) {
        event(e, "+odown (quorum 1/1) +try-failover", w);
        w->fo = FO_WAIT_START;
    }
}

static void switch_master(env *e, sentinel_watch *w) {
    event(e, "+failover-end +switch-master", w);
    w->fo = FO_DONE;
    redis_switch sw = { w->master, w->replica };
    node_id clients[SIM_NODES_MAX];
    uint32_t n = env_nodes_of_role(e, "client", clients, SIM_NODES_MAX);
    for (uint32_t i = 0; i < n; i++) env_send(e, clients[i], REDIS_MSG_SWITCH, &sw, sizeof sw);
}

/* sentinelFailoverStateMachine: one state per tick. */
static void fsm_step(env *e, sentinel_watch *w) {
    switch ((fo_state)w->fo) {
    case FO_WAIT_START: event(e, "+elected-leader", w); w->fo = FO_SELECT; break;
    case FO_SELECT: event(e, "+selected-slave", w); w->fo = FO_SEND_NOONE; break;
    case FO_SEND_NOONE: {
        event(e, "+failover-state-wait-promotion: REPLICAOF NO ONE to the replica of", w);
        redis_switch sw = { w->master, w->replica };
        env_send(e, w->replica, REDIS_MSG_PROMOTE, &sw, sizeof sw);
        w->fo = FO_WAIT_PROMOTION;
        break;
    }
    case FO_RECONF: switch_master(e, w); break;
    case FO_NONE: case FO_WAIT_PROMOTION: case FO_DONE: default: break;
    }
}

/* sentinelCheckTiltCondition; true while the sentinel must not act. */
static bool in_tilt(sentinel *s, env *e, sim_time now) {
    sim_time delta = now - s->previous;
    if (s->previous != SIM_TIME_NEVER && (delta < 0 || delta > SENTINEL_TILT_TRIGGER)) {
        s->tilt_start = now;
        env_trace(e, "+tilt: %" PRId64 " ms between two ticks of the wall clock", delta / SIM_MS);
    }
    s->previous = now;
    if (s->tilt_start == SIM_TIME_NEVER) return false;
    if (now - s->tilt_start < SENTINEL_TILT_PERIOD) return true;
    s->tilt_start = SIM_TIME_NEVER;
    env_trace(e, "-tilt: tilt mode exited");
    return false;
}

static void on_tick(sentinel *s, env *e) {
    sim_time now = env_now_wall(e);
    bool tilt = in_tilt(s, e, now);
    for (uint32_t i = 0; i < s->count; i++) {
        sentinel_watch *w = &s->watch[i];
        if (w->fo == FO_DONE) continue;
        ping_master(s, e, w, now);
        if (!tilt) {
            check_down(s, e, w, now);
            fsm_step(e, w);
        }
        if (w->fo != FO_DONE) info_replica(s, e, w, now);
    }
    uint64_t hz = 10 + env_random_below(e, 10);   /* server.hz = 10 + rand() % 10 */
    env_timer(e, SIM_S / (sim_time)hz, TAG_TICK, 0);
}

static void sentinel_on_timer(void *state, env *e, uint32_t tag, uint64_t arg) {
    sentinel *s = state;
    SIM_ASSERT(sentinel_invariants_ok(s));
    SIM_ASSERT(tag == TAG_TICK);
    (void)arg;
    on_tick(s, e);
    SIM_ASSERT(sentinel_invariants_ok(s));
}

static void on_reply(env *e, sentinel_watch *w, node_id from, uint32_t type, const redis_ping *q) {
    sim_time now = env_now_wall(e);
    if (type == REDIS_MSG_PONG && from == w->master) {
        w->last_pong = w->last_avail = now;
        w->act_ping = SIM_TIME_NEVER;
        w->link_closed = false;
    } else if (type == REDIS_MSG_LINK_DOWN && from == w->master && !w->link_closed) {
        w->link_closed = true;
        env_trace(e, "link to master %s closed by its host", env_node_name(e, w->master));
    } else if (type == REDIS_MSG_INFO_REPLY && from == w->replica) {
        w->info_refresh = now;
        if (q->master && w->fo == FO_WAIT_PROMOTION) {
            event(e, "+promoted-slave: INFO says role:master, for", w);
            w->fo = FO_RECONF;
        }
    }
}

static void sentinel_on_message(void *state, env *e, node_id from, uint32_t type,
                                const void *body, uint32_t len) {
    sentinel *s = state;
    SIM_ASSERT(sentinel_invariants_ok(s));
    bool known = type == REDIS_MSG_PONG || type == REDIS_MSG_LINK_DOWN ||
                 type == REDIS_MSG_INFO_REPLY;
    if (!known || len != sizeof(redis_ping)) {
        env_trace(e, "sentinel: ignored a message of type %u", type);
        return;
    }
    redis_ping q;
    memcpy(&q, body, sizeof q);
    for (uint32_t i = 0; i < s->count; i++)
        if (s->watch[i].fo != FO_DONE) on_reply(e, &s->watch[i], from, type, &q);
    SIM_ASSERT(sentinel_invariants_ok(s));
}

static void sentinel_start(sentinel *s, env *e) {
    node_id masters[SIM_NODES_MAX], replicas[SIM_NODES_MAX];
    uint32_t nm = env_nodes_of_role(e, "redis", masters, SIM_NODES_MAX);
    uint32_t nr = env_nodes_of_role(e, "replica", replicas, SIM_NODES_MAX);
    memset(s, 0, sizeof *s);
    s->cfg = redis_cfg_of(e);
    s->previous = SIM_TIME_NEVER;
    s->tilt_start = SIM_TIME_NEVER;
    for (uint32_t i = 0; i < nm && i < nr && s->count < SENTINEL_WATCH_MAX; i++) {
        sentinel_watch *w = &s->watch[s->count++];
        memset(w, 0, sizeof *w);
        w->master = masters[i];
        w->replica = replicas[i];
        w->last_ping = w->last_pong = w->last_avail = SIM_TIME_NEVER;
        w->act_ping = w->last_reconn = w->info_refresh = SIM_TIME_NEVER;
    }
    env_trace(e, "sentinel: watching %u master%s", s->count, s->count == 1 ? "" : "s");
    env_timer(e, 0, TAG_TICK, 0);
    SIM_ASSERT(sentinel_invariants_ok(s));
}

static void sentinel_init(void *state, env *e) { sentinel_start(state, e); }

/* A restarted sentinel has forgotten everything, as a process would. */
static void sentinel_on_crash(void *state, env *e) {
    sentinel *s = state;
    SIM_ASSERT(sentinel_invariants_ok(s));
    SIM_ASSERT(env_self(e) >= 0);
    memset(s, 0, sizeof *s);
}

static void sentinel_on_restart(void *state, env *e) { sentinel_start(state, e); }

const model_ops redis_sentinel_ops = {
    .name = "redis-sentinel",
    .state_size = sizeof(sentinel),
    .init = sentinel_init,
    .on_message = sentinel_on_message,
    .on_timer = sentinel_on_timer,
    .on_crash = sentinel_on_crash,
    .on_restart = sentinel_on_restart,
};
