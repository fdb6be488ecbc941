/* cache_node.c -- the cache node: one slot per item, in memory.
 *
 *   EMPTY --SET accepted [on_set]--> HELD(version, expires)
 *   HELD  --SET accepted [on_set]--> HELD(new version, new expiry)
 *   HELD  --DEL [on_del]--> EMPTY        HELD --TTL ran out [expire_if_due]--> EMPTY
 *   any   --crash [cache_on_crash]--> EMPTY (every slot, tombstone and lease)
 *   EMPTY --GET, remedy lease, no lease out [on_get]--> EMPTY with a lease out
 *   lease out --DEL [on_del] or a set with it [on_set]--> no lease
 *
 * A set is refused when (versioned) its version is below the newest the
 * slot has seen, or (lease) it does not carry the slot's valid lease.
 * Expiry is by the cache's wall clock, as memcached and Redis do: checked
 * lazily on every access and actively by a wall timer, so the EXPIRE
 * effect is recorded when the TTL runs out.
 *
 * Invariant (cache_invariants_ok): a held slot has version >= 1 and
 * version <= seen; a lease out has a token whose high half is this boot's
 * number.  Trade-off: lease tokens are (boot << 32) + a counter, so a
 * token handed out before a crash never matches one handed out after it
 * (a real server would mix in its start time the same way).
 */
#include "protocols/cache/cache.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

enum { TAG_EXPIRE = 1 };

typedef struct ca_slot {
    bool held;
    int64_t version;            /* the version held */
    sim_time expires_wall;      /* by the cache's wall clock */
    int64_t seen;               /* versioned: the newest version set or deleted */
    uint64_t lease;             /* lease: the token out, 0 = none */
    sim_time lease_until_mono;
} ca_slot;

typedef struct ca_cache {
    const ca_cfg *cfg;
    ca_slot slot[CA_ITEMS_MAX];
    uint64_t boot;              /* kept across crashes, as a start time would be */
    uint32_t leases_out;        /* tokens handed out in this boot */
} ca_cache;

static bool cache_invariants_ok(const ca_cache *c) {
    if (c->cfg == NULL || c->boot == 0) return false;
    for (uint32_t i = 0; i < CA_ITEMS_MAX; i++) {
        const ca_slot *s = &c->slot[i];
        if (s->held && (s->version < 1 || s->version > s->seen)) return false;
        if (s->lease != 0 && s->lease >> 32 != c->boot) return false;
    }
    return true;
}

void ca_item_key(uint32_t item, char *buf, size_t len) { snprintf(buf, len, "item%u", item + 1); }

/* Records an effect of the cache about item m->item (m NULL: about none). */
static void effect_x(env *e, hist_eff_kind kind, node_id client, const ca_msg *m, int64_t value,
                     int64_t aux, int64_t version, uint64_t token) {
    hist_effect_fields ef;
    memset(&ef, 0, sizeof ef);
    ef.kind = kind;
    ef.client = client;
    ef.op = m != NULL ? m->op : HIST_NONE;
    ef.value = value;
    ef.aux = aux;
    ef.version = version;
    ef.token = (int64_t)token;
    char key[SIM_NAME_MAX] = "";
    if (m != NULL) ca_item_key(m->item, key, sizeof key);
    ef.key = key;
    env_effect(e, &ef);
}

static void effect(env *e, hist_eff_kind kind, node_id client, const ca_msg *m, int64_t value) {
    effect_x(e, kind, client, m, value, 0, 0, 0);
}

static void expire_if_due(ca_cache *c, env *e, uint32_t item) {
    ca_slot *s = &c->slot[item];
    if (!s->held || env_now_wall(e) < s->expires_wall) return;
    ca_msg m = { .op = HIST_NONE, .item = item };
    effect(e, CA_EFF_EXPIRE, -1, &m, s->version);
    s->held = false;
}

static void reply(env *e, node_id to, uint32_t type, const ca_msg *q, uint32_t flag, int64_t version,
                  uint64_t token) {
    ca_msg p = *q;
    p.flag = flag;
    p.version = version;
    p.token = token;
    env_send(e, to, type, &p, sizeof p);
}

static bool lease_out(const ca_slot *s, env *e) {
    return s->lease != 0 && env_now_mono(e) < s->lease_until_mono;
}

static void on_get(ca_cache *c, env *e, node_id from, const ca_msg *q) {
    ca_slot *s = &c->slot[q->item];
    if (s->held) {
        effect(e, CA_EFF_HIT, from, q, s->version);
        reply(e, from, CA_MSG_GET_REPLY, q, 1, s->version, 0);
        return;
    }
    uint64_t token = 0;
    bool busy = false;
    if (c->cfg->remedy == CA_LEASE) {
        busy = lease_out(s, e);
        if (!busy) {
            token = (c->boot << 32) | ++c->leases_out;
            s->lease = token;
            s->lease_until_mono = env_now_mono(e) + c->cfg->lease_ns;
        }
    }
    effect_x(e, CA_EFF_MISS, from, q, 0, busy ? 1 : 0, 0, token);
    reply(e, from, CA_MSG_GET_REPLY, q, 0, 0, token);
}

/* 0 = accepted, else CA_REFUSED_*. */
static int set_refusal(const ca_cache *c, const ca_slot *s, const ca_msg *q, env *e) {
    if (c->cfg->remedy == CA_VERSIONED && q->version < s->seen) return CA_REFUSED_OLDER;
    if (c->cfg->remedy == CA_LEASE && (q->token == 0 || q->token != s->lease || !lease_out(s, e)))
        return CA_REFUSED_LEASE;
    return 0;
}

static void on_set(ca_cache *c, env *e, node_id from, const ca_msg *q) {
    ca_slot *s = &c->slot[q->item];
    int why = set_refusal(c, s, q, e);
    if (why != 0) {
        effect_x(e, CA_EFF_SET_REFUSED, from, q, q->version, why, s->seen, q->token);
        reply(e, from, CA_MSG_SET_REPLY, q, 0, q->version, 0);
        return;
    }
    s->held = true;
    s->version = q->version;
    if (q->version > s->seen) s->seen = q->version;
    s->expires_wall = env_now_wall(e) + c->cfg->ttl_ns;
    s->lease = 0;
    env_timer_wall(e, s->expires_wall, TAG_EXPIRE, q->item);
    effect_x(e, CA_EFF_SET, from, q, q->version, c->cfg->ttl_ns, 0, q->token);
    reply(e, from, CA_MSG_SET_REPLY, q, 1, q->version, 0);
}

static void on_del(ca_cache *c, env *e, node_id from, const ca_msg *q) {
    ca_slot *s = &c->slot[q->item];
    effect_x(e, CA_EFF_DEL, from, q, s->held ? s->version : 0, q->flag == 2 ? 2 : 0, q->version, 0);
    s->held = false;
    s->lease = 0;                               /* invalidates an outstanding lease */
    if (c->cfg->remedy == CA_VERSIONED && q->version > s->seen) s->seen = q->version;
    reply(e, from, CA_MSG_DEL_REPLY, q, 0, q->version, 0);
}

static void cache_on_message(void *state, env *e, node_id from, uint32_t type, const void *body, uint32_t len) {
    ca_cache *c = state;
    SIM_ASSERT(cache_invariants_ok(c));
    ca_msg q;
    if (len != sizeof q) { env_trace(e, "cache: ignored type %u", type); return; }
    memcpy(&q, body, sizeof q);
    if (q.item >= CA_ITEMS_MAX) { env_trace(e, "cache: ignored item %u", q.item); return; }
    expire_if_due(c, e, q.item);
    switch (type) {
    case CA_MSG_GET: on_get(c, e, from, &q); break;
    case CA_MSG_SET: on_set(c, e, from, &q); break;
    case CA_MSG_DEL: on_del(c, e, from, &q); break;
    default: env_trace(e, "cache: ignored type %u", type); break;
    }
    SIM_ASSERT(cache_invariants_ok(c));
}

static void cache_on_timer(void *state, env *e, uint32_t tag, uint64_t arg) {
    ca_cache *c = state;
    SIM_ASSERT(tag == TAG_EXPIRE);
    SIM_ASSERT(arg < CA_ITEMS_MAX);
    expire_if_due(c, e, (uint32_t)arg);
    SIM_ASSERT(cache_invariants_ok(c));
}

static void cache_init(void *state, env *e) {
    ca_cache *c = state;
    memset(c, 0, sizeof *c);
    c->cfg = env_proto_config(e);
    SIM_ASSERT(c->cfg != NULL);
    c->boot = 1;
    SIM_ASSERT(cache_invariants_ok(c));
}

/* In memory only: a crash and a power loss both lose every slot. */
static void cache_on_crash(void *state, env *e) {
    ca_cache *c = state;
    SIM_ASSERT(cache_invariants_ok(c));
    int64_t held = 0;
    for (uint32_t i = 0; i < CA_ITEMS_MAX; i++) held += c->slot[i].held;
    effect(e, CA_EFF_FLUSH, -1, NULL, held);
    memset(c->slot, 0, sizeof c->slot);
    env_trace(e, "cache crashed; it keeps nothing on disk and restarts empty");
}

static void cache_on_restart(void *state, env *e) {
    ca_cache *c = state;
    c->boot++;
    c->leases_out = 0;
    env_trace(e, "cache restarted empty (boot %" PRIu64 ")", c->boot);
    SIM_ASSERT(cache_invariants_ok(c));
}

const model_ops ca_cache_ops = {
    .name = "cache", .state_size = sizeof(ca_cache), .init = cache_init,
    .on_message = cache_on_message, .on_timer = cache_on_timer, .on_crash = cache_on_crash,
    .on_restart = cache_on_restart,
};
