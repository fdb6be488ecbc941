/* redis.c -- the Redis node model: a fixed table of keys with values and an
 * expiry on the TTL clock, one handler per command, and the model callbacks.
 *
 * Invariant (redis_invariants_ok): `used_bits` names the used slots and
 * `count` is how many there are;
 * used keys are unique and non-empty; while RUNNING a used key has an expiry
 * timer exactly when it has an expiry; no used key is expired by the TTL
 * clock once a command or timer has run (redis_expire_due() runs before
 * every access); a replica has a master.  A key's `expire_at` is the first
 * TTL-clock instant at which it is absent (redis.h: Redis's when + 1 ms).
 *
 * Node states (the function that takes each edge in brackets):
 *
 *    DOWN --init / restart, no delay [redis_init, redis_persist_on_restart]--> RUNNING
 *    DOWN --restart with restart_delay [redis_persist_on_restart]--> STARTING
 *    STARTING --delay over [redis_on_timer -> redis_persist_start]--> RUNNING
 *    RUNNING, STARTING --crash [redis_on_crash]--> DOWN
 *    RUNNING as replica --PROMOTE from the sentinel [redis_repl_on_promote]--> RUNNING as master
 *
 * Trade-off: lookup is a linear scan of REDIS_KEYS_MAX slots.  That's O(N),
 * fine for the handful of keys a lock scenario uses, and it keeps iteration
 * order (and so the history) independent of any hashing.
 */
#include "protocols/redis/redis_int.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "protocols/lock/lock_api.h"

static const char *const cmd_names[] = {
#define XX(name, str) str,
    REDIS_CMD_MAP(XX)
#undef XX
};

const char *redis_cmd_name(redis_cmd_kind k) {
    SIM_ASSERT((unsigned)k < REDIS_CMD_COUNT);
    return cmd_names[k];
}

void redis_copy_str(char *dst, size_t cap, const char *src) {
    SIM_ASSERT(cap > 0);
    SIM_ASSERT(src != NULL);
    size_t n = strlen(src);
    SIM_ASSERT(n < cap);                  /* callers pass names that fit */
    memcpy(dst, src, n + 1);
}

void redis_cmd_init(redis_cmd *c, uint32_t req, redis_cmd_kind kind, const char *key,
                    const char *val) {
    SIM_ASSERT(c != NULL);
    SIM_ASSERT((unsigned)kind < REDIS_CMD_COUNT);
    memset(c, 0, sizeof *c);
    c->req = req;
    c->kind = (uint8_t)kind;
    redis_copy_str(c->key, sizeof c->key, key);
    if (val) redis_copy_str(c->val, sizeof c->val, val);
}

/* ------------------------------------------------------------ settings */

static const redis_cfg redis_defaults = {
    .persistence = REDIS_PERSIST_NONE,
    .restart_delay_ns = 0,
    .ttl_clock = REDIS_CLOCK_WALL,
    .sentinel_ping_ns = SIM_S,
    .sentinel_down_after_ns = 30 * SIM_S,
    .replication_lag_ns = 0,
};

const redis_cfg *redis_cfg_of(const env *e) {
    const redis_cfg *cfg = env_config(e);
    return cfg != NULL ? cfg : &redis_defaults;
}

/* ------------------------------------------------------------ invariants */

_Static_assert(REDIS_KEYS_MAX == 64, "used_bits has one bit per slot");

/* Index of the lowest set bit (bits != 0), without compiler builtins. */
static unsigned lowest_bit(uint64_t bits) {
    SIM_ASSERT(bits != 0);
    unsigned i = 0;
    if ((bits & 0xffffffffu) == 0) { bits >>= 32; i += 32; }
    if ((bits & 0xffffu) == 0) { bits >>= 16; i += 16; }
    if ((bits & 0xffu) == 0) { bits >>= 8; i += 8; }
    while ((bits & 1u) == 0) { bits >>= 1; i++; }
    return i;
}

bool redis_invariants_ok(const redis_node *r) {
    if (r->cfg == NULL && r->phase != REDIS_PHASE_DOWN) return false;
    if (r->replica && r->peer < 0) return false;
    uint8_t used[REDIS_KEYS_MAX];         /* the used slots, to compare their names pairwise */
    uint32_t n = 0;
    for (uint64_t bits = r->used_bits; bits; bits &= bits - 1) {
        uint32_t i = (uint32_t)lowest_bit(bits);
        const redis_key *k = &r->keys[i];
        if (!k->used || k->key[0] == '\0') return false;
        bool timed = r->phase == REDIS_PHASE_RUNNING && k->expire_at != SIM_TIME_NEVER;
        if ((k->timer != 0) != timed) return false;
        for (uint32_t j = 0; j < n; j++)
            if (strcmp(r->keys[used[j]].key, k->key) == 0) return false;
        used[n++] = (uint8_t)i;
    }
    return n == r->count;
}

/* ------------------------------------------------------------ effects */

void redis_lock_effect(const redis_node *r, env *e, hist_eff_kind kind, const redis_key *k,
                       int32_t client, int64_t token, int64_t aux) {
    SIM_ASSERT(k->used);
    SIM_ASSERT(k->key[0] != '\0');
    if (!k->is_lock || r->replica) return;        /* a replica's copies are not grants */
    hist_effect_fields ef;
    memset(&ef, 0, sizeof ef);
    ef.kind = kind;
    ef.client = client;
    ef.op = HIST_NONE;
    ef.token = token;
    ef.aux = aux;
    ef.value = k->expire_at == SIM_TIME_NEVER ? -1 : k->expire_at;
    ef.key = k->key;
    env_effect(e, &ef);
}

/* ------------------------------------------------------------ keyspace */

sim_time redis_ttl_now(const redis_node *r, const env *e) {
    SIM_ASSERT(r->cfg != NULL);
    return r->cfg->ttl_clock == REDIS_CLOCK_MONOTONIC ? env_now_mono(e) : env_now_wall(e);
}

/* Whole milliseconds of a clock reading, rounded down (also below zero: a
 * wall clock jumped back reads negative), as Redis's mstime() for any
 * post-1970 clock. */
int64_t redis_ms_floor(sim_time t) {
    int64_t q = t / SIM_MS;
    return t % SIM_MS < 0 ? q - 1 : q;
}

/* The last millisecond a TTL-clock reading can name (ns must not overflow). */
#define REDIS_MS_LAST (SIM_TIME_NEVER / SIM_MS - 1)

bool redis_expire_ms_valid(sim_time now, int64_t ms) {
    int64_t now_ms = redis_ms_floor(now);
    return now_ms < 0 || ms <= INT64_MAX - now_ms;  /* Redis: when > LLONG_MAX - mstime() */
}

/* Redis's when = mstime() + ms; the key is there while mstime() <= when, so
 * it is absent from when + 1 ms on: that instant, on the TTL clock.  An
 * instant past the ns range is clamped (no run lasts 292 years). */
sim_time redis_expiry_after(sim_time now, int64_t ms) {
    SIM_ASSERT(ms > 0);
    SIM_ASSERT(redis_expire_ms_valid(now, ms));
    int64_t now_ms = redis_ms_floor(now);
    if (now_ms > REDIS_MS_LAST - 1 || ms > REDIS_MS_LAST - 1 - now_ms)
        return REDIS_MS_LAST * SIM_MS;
    return (now_ms + ms + 1) * SIM_MS;
}

void redis_key_arm(redis_node *r, env *e, redis_key *k) {
    SIM_ASSERT(k->used);
    SIM_ASSERT(k->timer == 0);
    if (k->expire_at == SIM_TIME_NEVER) return;
    uint64_t slot = (uint64_t)(k - r->keys);
    if (r->cfg->ttl_clock == REDIS_CLOCK_MONOTONIC) {
        sim_time d = k->expire_at - env_now_mono(e);
        k->timer = env_timer(e, d > 0 ? d : 0, REDIS_TAG_EXPIRE, slot);
    } else {
        k->timer = env_timer_wall(e, k->expire_at, REDIS_TAG_EXPIRE, slot);
    }
}

void redis_key_free(redis_node *r, env *e, redis_key *k) {
    SIM_ASSERT(k->used);
    SIM_ASSERT(r->count > 0);
    if (k->timer) env_timer_cancel(e, k->timer);
    r->used_bits &= ~((uint64_t)1 << (k - r->keys));
    memset(k, 0, sizeof *k);
    r->count--;
}

/* Deletes the key if the TTL clock says it has expired (lazy expiry; the
 * timer does the same at the exact instant).  The deletion is a write the
 * master replicates (Redis propagates a DEL for an expired key). */
void redis_expire_due(redis_node *r, env *e, redis_key *k) {
    if (!k->used || k->expire_at == SIM_TIME_NEVER) return;
    if (redis_ttl_now(r, e) < k->expire_at) return;
    char when[32], key[SIM_NAME_MAX];
    sim_fmt_time(when, sizeof when, k->expire_at);
    env_trace(e, "key '%s' (value %s) expired: %s clock reached %s", k->key, k->val,
              r->cfg->ttl_clock == REDIS_CLOCK_MONOTONIC ? "monotonic" : "wall", when);
    redis_lock_effect(r, e, HIST_EFF_LOCK_EXPIRE, k, k->setter, 0, 0);
    redis_log_expire(e, k);
    redis_copy_str(key, sizeof key, k->key);
    redis_key_free(r, e, k);
    redis_repl_ship(r, e, key, NULL);
}

redis_key *redis_key_find(redis_node *r, env *e, const char *key) {
    for (uint64_t bits = r->used_bits; bits; bits &= bits - 1) {
        redis_key *k = &r->keys[lowest_bit(bits)];
        if (strcmp(k->key, key) != 0) continue;
        redis_expire_due(r, e, k);
        return k->used ? k : NULL;
    }
    return NULL;
}

redis_key *redis_key_new(redis_node *r, const char *key) {
    if (r->count == REDIS_KEYS_MAX) return NULL;
    for (uint32_t i = 0; i < REDIS_KEYS_MAX; i++) {
        redis_key *k = &r->keys[i];
        if (k->used) continue;
        memset(k, 0, sizeof *k);
        k->used = true;
        r->used_bits |= (uint64_t)1 << i;
        k->expire_at = SIM_TIME_NEVER;
        redis_copy_str(k->key, sizeof k->key, key);
        r->count++;
        return k;
    }
    SIM_UNREACHABLE("count < REDIS_KEYS_MAX but no free slot");
    return NULL;
}

/* Sets or clears the key's expiry and its timer. */
void redis_key_set_expiry(redis_node *r, env *e, redis_key *k, sim_time expire_at) {
    SIM_ASSERT(k->used);
    SIM_ASSERT(k >= r->keys);
    SIM_ASSERT(k < r->keys + REDIS_KEYS_MAX);
    if (k->timer) env_timer_cancel(e, k->timer);
    k->timer = 0;
    k->expire_at = expire_at;
    redis_key_arm(r, e, k);
}

/* A key changed (or was deleted when k is NULL): replicate and persist. */
static void key_changed(redis_node *r, env *e, const char *key, const redis_key *k) {
    redis_repl_ship(r, e, key, k);
    redis_persist_changed(r, e);
}

/* A value as Redis's string2ll reads it: "0", or an optional '-' and
 * digits without a leading zero, within int64 ("-0", "007", "+1" fail). */
static bool parse_int(const char *s, int64_t *out) {
    if (strcmp(s, "0") == 0) { *out = 0; return true; }
    bool neg = *s == '-';
    if (neg) s++;
    if (*s < '1' || *s > '9') return false;
    uint64_t v = 0, limit = neg ? (uint64_t)INT64_MAX + 1u : (uint64_t)INT64_MAX;
    for (; *s; s++) {
        if (*s < '0' || *s > '9') return false;
        uint64_t d = (uint64_t)(*s - '0');
        if (v > (limit - d) / 10) return false;
        v = v * 10 + d;
    }
    *out = neg ? (v == (uint64_t)INT64_MAX + 1u ? INT64_MIN : -(int64_t)v) : (int64_t)v;
    return true;
}

/* ------------------------------------------------------------ replies */

static void reply_init(redis_reply *p, const redis_cmd *c, redis_reply_kind kind) {
    memset(p, 0, sizeof *p);
    p->req = c->req;
    p->cmd = c->kind;
    p->kind = (uint8_t)kind;
}

static void reply_int(redis_reply *p, const redis_cmd *c, int64_t v) {
    reply_init(p, c, REDIS_R_INT);
    p->integer = v;
}

static void reply_err(redis_reply *p, const redis_cmd *c, const char *msg) {
    reply_init(p, c, REDIS_R_ERR);
    redis_copy_str(p->str, sizeof p->str, msg);
}

/* ------------------------------------------------------------ commands */

/* The fence counter's next value, or -1 when the keyspace is full. */
static int64_t fence_incr(redis_node *r, env *e, const redis_cmd *c) {
    redis_key *f = redis_key_find(r, e, c->fence_key);
    int64_t v = c->first_token - 1;
    if (f && !parse_int(f->val, &v)) v = c->first_token - 1;   /* clobbered: restart */
    if (!f) f = redis_key_new(r, c->fence_key);
    if (!f) return -1;
    v++;
    snprintf(f->val, sizeof f->val, "%" PRId64, v);
    f->is_lock = false;
    key_changed(r, e, f->key, f);
    return v;
}

/* SET and SETNX (and the SET half of the acquire scripts). */
static void cmd_set(redis_node *r, env *e, node_id from, const redis_cmd *c, redis_reply *p) {
    bool nx = c->kind == REDIS_SETNX || (c->flags & REDIS_F_NX);
    bool fence = (c->flags & REDIS_F_FENCE) != 0;
    bool px = c->kind == REDIS_SET && (c->flags & REDIS_F_PX);
    sim_time now = redis_ttl_now(r, e);
    if (px && (c->ms <= 0 || !redis_expire_ms_valid(now, c->ms))) {   /* before the lookup */
        reply_err(p, c, REDIS_ERR_SET_EXPIRE);
        return;
    }
    redis_key *k = redis_key_find(r, e, c->key);
    if (k && nx) {
        if (c->kind == REDIS_SETNX) reply_int(p, c, 0); else reply_init(p, c, REDIS_R_NIL);
        return;
    }
    uint32_t need = (k ? 0u : 1u) + (fence && !redis_key_find(r, e, c->fence_key) ? 1u : 0u);
    if (r->count + need > REDIS_KEYS_MAX) {
        reply_err(p, c, REDIS_ERR_KEYSPACE_FULL);
        env_trace(e, "keyspace full: %u keys (REDIS_KEYS_MAX)", r->count);
        return;
    }
    if (!k) k = redis_key_new(r, c->key);
    SIM_ASSERT(k != NULL);
    redis_copy_str(k->val, sizeof k->val, c->val);
    k->is_lock = true;
    k->setter = from;
    sim_time exp = SIM_TIME_NEVER;
    if (px) exp = redis_expiry_after(now, c->ms);
    redis_key_set_expiry(r, e, k, exp);      /* SET without PX clears a TTL, as in Redis */
    key_changed(r, e, k->key, k);
    int64_t token = 0;
    if (fence) token = fence_incr(r, e, c);
    SIM_ASSERT(token >= 0);
    redis_lock_effect(r, e, HIST_EFF_LOCK_SET, k, from, token, 0);
    if (c->kind == REDIS_SETNX) reply_int(p, c, 1); else reply_init(p, c, REDIS_R_OK);
    p->token = token;
}

/* A key deleted by a command (DEL, a matching CAD, PEXPIRE in the past). */
static void key_delete(redis_node *r, env *e, node_id from, redis_key *k) {
    char key[SIM_NAME_MAX];
    redis_copy_str(key, sizeof key, k->key);
    redis_lock_effect(r, e, HIST_EFF_LOCK_DEL, k, from, 0, 0);
    redis_key_free(r, e, k);
    key_changed(r, e, key, NULL);
}

/* PEXPIRE, and compare-and-extend (the script's PEXPIRE) for REDIS_CAE.
 * A TTL of 0 or less puts the expiry in the past: Redis deletes the key at
 * once and answers 1 (checkAlreadyExpired in expireGenericCommand). */
static void cmd_expire(redis_node *r, env *e, node_id from, const redis_cmd *c,
                       redis_reply *p) {
    sim_time now = redis_ttl_now(r, e);
    if (c->kind == REDIS_PEXPIRE && !redis_expire_ms_valid(now, c->ms)) {
        reply_err(p, c, REDIS_ERR_PEXPIRE_EXPIRE);      /* checked before the lookup */
        return;
    }
    redis_key *k = redis_key_find(r, e, c->key);
    bool match = k && (c->kind != REDIS_CAE || strcmp(k->val, c->val) == 0);
    if (!match) { reply_int(p, c, 0); return; }
    if (c->kind == REDIS_CAE && !redis_expire_ms_valid(now, c->ms)) {
        reply_err(p, c, REDIS_ERR_PEXPIRE_EXPIRE);      /* the script's PEXPIRE fails */
        return;
    }
    if (c->ms <= 0) {
        key_delete(r, e, from, k);
        reply_int(p, c, 1);
        return;
    }
    redis_key_set_expiry(r, e, k, redis_expiry_after(now, c->ms));
    key_changed(r, e, k->key, k);
    redis_lock_effect(r, e, HIST_EFF_LOCK_EXTEND, k, from, 0, 0);
    reply_int(p, c, 1);
}

/* DEL, and compare-and-delete for REDIS_CAD. */
static void cmd_del(redis_node *r, env *e, node_id from, const redis_cmd *c, redis_reply *p) {
    redis_key *k = redis_key_find(r, e, c->key);
    bool match = k && (c->kind != REDIS_CAD || strcmp(k->val, c->val) == 0);
    if (!match) { reply_int(p, c, 0); return; }
    key_delete(r, e, from, k);
    reply_int(p, c, 1);
}

static void cmd_get(redis_node *r, env *e, const redis_cmd *c, redis_reply *p) {
    redis_key *k = redis_key_find(r, e, c->key);
    if (!k) { reply_init(p, c, REDIS_R_NIL); return; }
    reply_init(p, c, REDIS_R_BULK);
    redis_copy_str(p->str, sizeof p->str, k->val);
}

/* INCR keeps the key's TTL, as Redis does. */
static void cmd_incr(redis_node *r, env *e, const redis_cmd *c, redis_reply *p) {
    redis_key *k = redis_key_find(r, e, c->key);
    int64_t v = 0;
    if (k && !parse_int(k->val, &v)) { reply_err(p, c, REDIS_ERR_NOT_INTEGER); return; }
    if (v == INT64_MAX) { reply_err(p, c, REDIS_ERR_OVERFLOW); return; }
    if (!k) k = redis_key_new(r, c->key);
    if (!k) { reply_err(p, c, REDIS_ERR_KEYSPACE_FULL); return; }
    v++;
    snprintf(k->val, sizeof k->val, "%" PRId64, v);
    k->is_lock = false;
    key_changed(r, e, k->key, k);
    reply_int(p, c, v);
}

/* ------------------------------------------------------------ model */

static bool cmd_valid(const redis_cmd *c) {
    if (c->kind >= REDIS_CMD_COUNT) return false;
    if (memchr(c->key, '\0', sizeof c->key) == NULL || c->key[0] == '\0') return false;
    if (memchr(c->val, '\0', sizeof c->val) == NULL) return false;
    return memchr(c->fence_key, '\0', sizeof c->fence_key) != NULL;
}

static bool is_write(redis_cmd_kind k) { return k != REDIS_GET && k != REDIS_WAIT; }

/* A write sent to a replica.  Redis refuses a write command before it runs
 * it; a script (CAD, CAE) runs, and only its write fails: a value that does
 * not match answers 0. */
static void on_replica_write(redis_node *r, env *e, const redis_cmd *c, redis_reply *p) {
    bool script = c->kind == REDIS_CAD || c->kind == REDIS_CAE;
    redis_key *k = script ? redis_key_find(r, e, c->key) : NULL;
    if (script && !(k && strcmp(k->val, c->val) == 0)) reply_int(p, c, 0);
    else reply_err(p, c, REDIS_ERR_READONLY);
}

/* One client command: applied and answered (a WAIT may be parked). */
static void on_command(redis_node *r, env *e, node_id from, const redis_cmd *c) {
    redis_reply p;
    if (r->replica && is_write((redis_cmd_kind)c->kind)) {
        on_replica_write(r, e, c, &p);
        redis_log_cmd(e, from, c, &p);
        env_send(e, from, REDIS_MSG_REPLY, &p, sizeof p);
        return;
    }
    r->writer = from;                     /* WAIT's c->woff (redis_repl.c) */
    switch ((redis_cmd_kind)c->kind) {
    case REDIS_SET: case REDIS_SETNX: cmd_set(r, e, from, c, &p); break;
    case REDIS_PEXPIRE: case REDIS_CAE: cmd_expire(r, e, from, c, &p); break;
    case REDIS_DEL: case REDIS_CAD: cmd_del(r, e, from, c, &p); break;
    case REDIS_GET: cmd_get(r, e, c, &p); break;
    case REDIS_INCR: cmd_incr(r, e, c, &p); break;
    case REDIS_WAIT: r->writer = -1; r->commands++; redis_repl_wait(r, e, from, c); return;
    case REDIS_CMD_COUNT: default: SIM_UNREACHABLE("command kind"); return;
    }
    r->writer = -1;
    r->commands++;
    redis_log_cmd(e, from, c, &p);
    env_send(e, from, REDIS_MSG_REPLY, &p, sizeof p);
}

static void on_cmd_message(redis_node *r, env *e, node_id from, const void *body, uint32_t len) {
    if (len != sizeof(redis_cmd)) {
        env_trace(e, "ignored a command of %u bytes", len);
        return;
    }
    redis_cmd c;
    memcpy(&c, body, sizeof c);
    SIM_ASSERT(cmd_valid(&c));            /* only our clients build commands */
    on_command(r, e, from, &c);
}

static void redis_on_message(void *state, env *e, node_id from, uint32_t type, const void *body,
                             uint32_t len) {
    redis_node *r = state;
    SIM_ASSERT(redis_invariants_ok(r));
    if (r->phase != REDIS_PHASE_RUNNING) {
        env_trace(e, "not listening yet (restart_delay): message type %u dropped", type);
        return;
    }
    if (type == REDIS_MSG_CMD) on_cmd_message(r, e, from, body, len);
    else if (type == REDIS_MSG_REPL && len == sizeof(redis_repl)) {
        redis_repl w;
        memcpy(&w, body, sizeof w);
        redis_repl_on_write(r, e, from, &w);
    } else if (type == REDIS_MSG_ACK && len == sizeof(redis_repl_ack)) {
        redis_repl_ack a;
        memcpy(&a, body, sizeof a);
        redis_repl_on_ack(r, e, from, &a);
    } else if (type == REDIS_MSG_PING && len == sizeof(redis_ping)) {
        env_send(e, from, REDIS_MSG_PONG, body, len);
    } else if (type == REDIS_MSG_PROMOTE) {
        redis_repl_on_promote(r, e, from);
    } else if (redis_repl_on_message(r, e, from, type, body, len)) {
    } else {
        env_trace(e, "ignored a message of type %u (not for a Redis node)", type);
    }
    SIM_ASSERT(redis_invariants_ok(r));
}

static void on_expire_timer(redis_node *r, env *e, uint64_t arg) {
    SIM_ASSERT(arg < REDIS_KEYS_MAX);
    redis_key *k = &r->keys[arg];
    SIM_ASSERT(k->used);                  /* freeing a key cancels its timer */
    SIM_ASSERT(redis_ttl_now(r, e) >= k->expire_at);
    k->timer = 0;                         /* it has fired */
    redis_expire_due(r, e, k);
    SIM_ASSERT(!k->used);
    redis_persist_changed(r, e);
}

static void redis_on_timer(void *state, env *e, uint32_t tag, uint64_t arg) {
    redis_node *r = state;
    SIM_ASSERT(redis_invariants_ok(r));
    switch (tag) {
    case REDIS_TAG_EXPIRE: on_expire_timer(r, e, arg); break;
    case REDIS_TAG_FSYNC: redis_persist_on_fsync_timer(r, e); break;
    case REDIS_TAG_STARTED: redis_persist_start(r, e); break;
    case REDIS_TAG_WAIT: redis_repl_on_wait_timer(r, e, arg); break;
    case REDIS_TAG_REPL: redis_repl_on_queue_timer(r, e); break;
    default: SIM_UNREACHABLE("redis timer tag"); break;
    }
    SIM_ASSERT(redis_invariants_ok(r));
}

static void redis_init(void *state, env *e) {
    redis_node *r = state;
    SIM_ASSERT(r->count == 0);
    SIM_ASSERT(env_self(e) >= 0);
    memset(r, 0, sizeof *r);
    r->cfg = redis_cfg_of(e);
    redis_repl_setup(r, e);
    redis_persist_start(r, e);
    SIM_ASSERT(redis_invariants_ok(r));
}

/* The engine has cancelled the timers already, so keys are dropped without
 * touching them; what survives is the model's persistence. */
static void redis_on_crash(void *state, env *e) {
    redis_node *r = state;
    SIM_ASSERT(redis_invariants_ok(r));
    redis_persist_on_crash(r, e);
    redis_repl_on_crash(r, e, env_crash_is_power_loss(e));
    SIM_ASSERT(redis_invariants_ok(r));
}

static void redis_on_restart(void *state, env *e) {
    redis_node *r = state;
    SIM_ASSERT(r->phase == REDIS_PHASE_DOWN);
    if (r->cfg == NULL) {                 /* crashed before it ever started */
        r->cfg = redis_cfg_of(e);
        redis_repl_setup(r, e);
    }
    redis_persist_on_restart(r, e);
    SIM_ASSERT(redis_invariants_ok(r));
}

const model_ops redis_model_ops = {
    .name = "redis",
    .state_size = sizeof(redis_node),
    .init = redis_init,
    .on_message = redis_on_message,
    .on_timer = redis_on_timer,
    .on_crash = redis_on_crash,
    .on_restart = redis_on_restart,
    .side_log_head = redis_log_head,
};
