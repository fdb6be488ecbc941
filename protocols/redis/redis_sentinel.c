/* redis_sentinel.c -- one Redis Sentinel: failure detection and promotion
 * (PROTOCOLS.md 1.3, SCENARIOS.md L5).
 *
 * It watches every `redis` node k that has a `replica` k.  Every
 * `redis.sentinel.ping` (on its monotonic clock) it pings each watched
 * master.  As in Sentinel, act_ping is the send time of the oldest ping
 * still unanswered (a PONG clears it); when a tick finds it at least
 * `redis.sentinel.down_after` old, the master is down: the sentinel sends
 * REPLICAOF NO ONE to the replica and +switch-master to every client.
 *
 *   WATCHING --tick [on_tick -> ping]--> WATCHING
 *   WATCHING --PONG [on_pong]--> WATCHING (act_ping cleared)
 *   WATCHING --tick, ping unanswered for down_after [failover]--> FAILED_OVER
 *
 * Invariant (sentinel_invariants_ok): every watch names a master and its
 * replica; a failed-over watch is never pinged again.  Simplifications: one
 * sentinel (no quorum, no election: the promotion is instant); the old
 * master is not reconfigured as a replica if it comes back.
 */
#include "protocols/redis/redis_int.h"

#include <inttypes.h>
#include <string.h>

#define SENTINEL_WATCH_MAX 16

enum { TAG_TICK = 1 };

typedef struct sentinel_watch {
    node_id master, replica;
    sim_time act_ping;            /* monotonic send time of the oldest unanswered ping */
    bool failed_over;
} sentinel_watch;

typedef struct sentinel {
    const redis_cfg *cfg;
    sentinel_watch watch[SENTINEL_WATCH_MAX];
    uint32_t count;
    uint64_t seq;
} sentinel;

static bool sentinel_invariants_ok(const sentinel *s) {
    if (s->count > SENTINEL_WATCH_MAX) return false;
    for (uint32_t i = 0; i < s->count; i++)
        if (s->watch[i].master < 0 || s->watch[i].replica < 0) return false;
    return true;
}

static sim_time ping_period(const sentinel *s) {
    return s->cfg->sentinel_ping_ns > 0 ? s->cfg->sentinel_ping_ns : SIM_MS;
}

static void failover(sentinel *s, env *e, sentinel_watch *w) {
    SIM_ASSERT(!w->failed_over);
    char d[32];
    sim_fmt_time(d, sizeof d, env_now_mono(e) - w->act_ping);
    env_trace(e, "+sdown %s: no reply to a ping for %s (down-after %" PRId64 " ms); "
              "+switch-master %s -> %s", env_node_name(e, w->master), d,
              s->cfg->sentinel_down_after_ns / SIM_MS, env_node_name(e, w->master),
              env_node_name(e, w->replica));
    w->failed_over = true;
    redis_switch sw = { w->master, w->replica };
    env_send(e, w->replica, REDIS_MSG_PROMOTE, &sw, sizeof sw);
    node_id clients[SIM_NODES_MAX];
    uint32_t n = env_nodes_of_role(e, "client", clients, SIM_NODES_MAX);
    for (uint32_t i = 0; i < n; i++) env_send(e, clients[i], REDIS_MSG_SWITCH, &sw, sizeof sw);
}

static void on_tick(sentinel *s, env *e) {
    sim_time now = env_now_mono(e);
    for (uint32_t i = 0; i < s->count; i++) {
        sentinel_watch *w = &s->watch[i];
        if (w->failed_over) continue;
        if (w->act_ping != SIM_TIME_NEVER && now - w->act_ping >= s->cfg->sentinel_down_after_ns) {
            failover(s, e, w);
            continue;
        }
        redis_ping q = { ++s->seq };
        if (w->act_ping == SIM_TIME_NEVER) w->act_ping = now;
        env_send(e, w->master, REDIS_MSG_PING, &q, sizeof q);
    }
    env_timer(e, ping_period(s), TAG_TICK, 0);
}

static void sentinel_on_timer(void *state, env *e, uint32_t tag, uint64_t arg) {
    sentinel *s = state;
    SIM_ASSERT(sentinel_invariants_ok(s));
    SIM_ASSERT(tag == TAG_TICK);
    (void)arg;
    on_tick(s, e);
    SIM_ASSERT(sentinel_invariants_ok(s));
}

static void sentinel_on_message(void *state, env *e, node_id from, uint32_t type,
                                const void *body, uint32_t len) {
    sentinel *s = state;
    SIM_ASSERT(sentinel_invariants_ok(s));
    (void)body;
    if (type != REDIS_MSG_PONG || len != sizeof(redis_ping)) {
        env_trace(e, "sentinel: ignored a message of type %u", type);
        return;
    }
    for (uint32_t i = 0; i < s->count; i++)
        if (s->watch[i].master == from) s->watch[i].act_ping = SIM_TIME_NEVER;
    SIM_ASSERT(sentinel_invariants_ok(s));
}

static void sentinel_start(sentinel *s, env *e) {
    node_id masters[SIM_NODES_MAX], replicas[SIM_NODES_MAX];
    uint32_t nm = env_nodes_of_role(e, "redis", masters, SIM_NODES_MAX);
    uint32_t nr = env_nodes_of_role(e, "replica", replicas, SIM_NODES_MAX);
    memset(s, 0, sizeof *s);
    s->cfg = redis_cfg_of(e);
    for (uint32_t i = 0; i < nm && i < nr && s->count < SENTINEL_WATCH_MAX; i++)
        s->watch[s->count++] = (sentinel_watch){ masters[i], replicas[i], SIM_TIME_NEVER, false };
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
