/* redis.c -- the Redis node model: a fixed table of keys with values and a
 * wall-clock expiry, and one handler per command.
 *
 * Invariant (redis_invariants_ok): `count` equals the number of used slots;
 * used keys are unique and non-empty; a used key has an expiry timer exactly
 * when it has an expiry; no used key is expired by the node's wall clock
 * once a command or timer has run (expire_due() runs before every access).
 *
 * Trade-off: lookup is a linear scan of REDIS_KEYS_MAX slots.  That's O(N),
 * fine for the handful of keys a lock scenario uses, and it keeps iteration
 * order (and so the history) independent of any hashing.
 */
#include "protocols/redis/redis.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum { TAG_EXPIRE = 1 };

typedef struct redis_key {
    bool used;
    bool is_lock;                 /* written by SET/SETNX: effects are recorded */
    char key[SIM_NAME_MAX];
    char val[REDIS_VALUE_MAX];
    sim_time expire_wall;         /* local wall ns; SIM_TIME_NEVER = no TTL */
    timer_id timer;               /* the expiry timer, 0 = none */
    int32_t setter;               /* node that last set it */
} redis_key;

typedef struct redis_node {
    redis_key keys[REDIS_KEYS_MAX];
    uint32_t count;
    uint64_t commands;            /* applied, for the trace */
} redis_node;

static const char *const cmd_names[] = {
#define XX(name, str) str,
    REDIS_CMD_MAP(XX)
#undef XX
};

const char *redis_cmd_name(redis_cmd_kind k) {
    SIM_ASSERT((unsigned)k < REDIS_CMD_COUNT);
    return cmd_names[k];
}

static void copy_str(char *dst, size_t cap, const char *src) {
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
    copy_str(c->key, sizeof c->key, key);
    if (val) copy_str(c->val, sizeof c->val, val);
}

static bool redis_invariants_ok(const redis_node *r) {
    uint32_t used = 0;
    for (uint32_t i = 0; i < REDIS_KEYS_MAX; i++) {
        const redis_key *k = &r->keys[i];
        if (!k->used) continue;
        used++;
        if (k->key[0] == '\0') return false;
        if ((k->timer != 0) != (k->expire_wall != SIM_TIME_NEVER)) return false;
        for (uint32_t j = i + 1; j < REDIS_KEYS_MAX; j++)
            if (r->keys[j].used && strcmp(r->keys[j].key, k->key) == 0) return false;
    }
    return used == r->count;
}

/* ------------------------------------------------------------ effects */

static void lock_effect(env *e, hist_eff_kind kind, const redis_key *k, int32_t client,
                        int64_t token) {
    SIM_ASSERT(k->used);
    if (!k->is_lock) return;
    hist_effect ef;
    memset(&ef, 0, sizeof ef);
    ef.kind = kind;
    ef.client = client;
    ef.op = HIST_NONE;
    ef.token = token;
    ef.value = k->expire_wall == SIM_TIME_NEVER ? -1 : k->expire_wall;
    copy_str(ef.key, sizeof ef.key, k->key);
    env_effect(e, &ef);
}

/* ------------------------------------------------------------ keyspace */

static void key_free(redis_node *r, env *e, redis_key *k) {
    SIM_ASSERT(k->used);
    SIM_ASSERT(r->count > 0);
    if (k->timer) env_timer_cancel(e, k->timer);
    memset(k, 0, sizeof *k);
    r->count--;
}

/* Deletes the key if the wall clock says it has expired (lazy expiry; the
 * wall timer does the same at the exact instant). */
static void expire_due(redis_node *r, env *e, redis_key *k) {
    if (!k->used || k->expire_wall == SIM_TIME_NEVER) return;
    sim_time now = env_now_wall(e);
    if (now < k->expire_wall) return;
    char when[32];
    sim_fmt_time(when, sizeof when, k->expire_wall);
    env_trace(e, "key '%s' (value %s) expired: wall clock reached %s", k->key, k->val, when);
    lock_effect(e, HIST_EFF_LOCK_EXPIRE, k, k->setter, 0);
    key_free(r, e, k);
}

static redis_key *key_find(redis_node *r, env *e, const char *key) {
    for (uint32_t i = 0; i < REDIS_KEYS_MAX; i++) {
        redis_key *k = &r->keys[i];
        if (!k->used || strcmp(k->key, key) != 0) continue;
        expire_due(r, e, k);
        return k->used ? k : NULL;
    }
    return NULL;
}

static redis_key *key_new(redis_node *r, const char *key) {
    if (r->count == REDIS_KEYS_MAX) return NULL;
    for (uint32_t i = 0; i < REDIS_KEYS_MAX; i++) {
        redis_key *k = &r->keys[i];
        if (k->used) continue;
        memset(k, 0, sizeof *k);
        k->used = true;
        k->expire_wall = SIM_TIME_NEVER;
        copy_str(k->key, sizeof k->key, key);
        r->count++;
        return k;
    }
    SIM_UNREACHABLE("count < REDIS_KEYS_MAX but no free slot");
    return NULL;
}

/* Sets or clears the key's expiry and its wall-clock timer. */
static void key_set_expiry(redis_node *r, env *e, redis_key *k, sim_time expire_wall) {
    SIM_ASSERT(k->used);
    SIM_ASSERT(k >= r->keys && k < r->keys + REDIS_KEYS_MAX);
    if (k->timer) env_timer_cancel(e, k->timer);
    k->timer = 0;
    k->expire_wall = expire_wall;
    if (expire_wall != SIM_TIME_NEVER)
        k->timer = env_timer_wall(e, expire_wall, TAG_EXPIRE, (uint64_t)(k - r->keys));
}

static bool parse_int(const char *s, int64_t *out) {
    int64_t v = 0;
    bool neg = *s == '-';
    if (neg) s++;
    if (*s == '\0') return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9') return false;
        if (v > (INT64_MAX - 9) / 10) return false;
        v = v * 10 + (*s - '0');
    }
    *out = neg ? -v : v;
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
    copy_str(p->str, sizeof p->str, msg);
}

/* ------------------------------------------------------------ commands */

/* The fence counter's next value, or -1 when the keyspace is full. */
static int64_t fence_incr(redis_node *r, env *e, const redis_cmd *c) {
    redis_key *f = key_find(r, e, c->fence_key);
    int64_t v = c->first_token - 1;
    if (f && !parse_int(f->val, &v)) v = c->first_token - 1;   /* clobbered: restart */
    if (!f) f = key_new(r, c->fence_key);
    if (!f) return -1;
    v++;
    snprintf(f->val, sizeof f->val, "%" PRId64, v);
    f->is_lock = false;
    return v;
}

/* SET and SETNX (and the SET half of the acquire scripts). */
static void cmd_set(redis_node *r, env *e, node_id from, const redis_cmd *c, redis_reply *p) {
    bool nx = c->kind == REDIS_SETNX || (c->flags & REDIS_F_NX);
    bool fence = (c->flags & REDIS_F_FENCE) != 0;
    redis_key *k = key_find(r, e, c->key);
    if (k && nx) {
        if (c->kind == REDIS_SETNX) reply_int(p, c, 0); else reply_init(p, c, REDIS_R_NIL);
        return;
    }
    uint32_t need = (k ? 0u : 1u) + (fence && !key_find(r, e, c->fence_key) ? 1u : 0u);
    if (r->count + need > REDIS_KEYS_MAX) {
        reply_err(p, c, "ERR keyspace full (64 keys)");
        env_trace(e, "keyspace full: %u keys (REDIS_KEYS_MAX)", r->count);
        return;
    }
    if (!k) k = key_new(r, c->key);
    SIM_ASSERT(k != NULL);
    copy_str(k->val, sizeof k->val, c->val);
    k->is_lock = true;
    k->setter = from;
    sim_time exp = SIM_TIME_NEVER;
    if (c->kind == REDIS_SET && (c->flags & REDIS_F_PX)) exp = env_now_wall(e) + c->ms * SIM_MS;
    key_set_expiry(r, e, k, exp);      /* SET without PX clears a TTL, as in Redis */
    int64_t token = 0;
    if (fence) token = fence_incr(r, e, c);
    SIM_ASSERT(token >= 0);
    lock_effect(e, HIST_EFF_LOCK_SET, k, from, token);
    if (c->kind == REDIS_SETNX) reply_int(p, c, 1); else reply_init(p, c, REDIS_R_OK);
    p->token = token;
}

/* PEXPIRE, and compare-and-extend when `compare` is set. */
static void cmd_expire(redis_node *r, env *e, node_id from, const redis_cmd *c,
                       redis_reply *p) {
    redis_key *k = key_find(r, e, c->key);
    bool match = k && (c->kind != REDIS_CAE || strcmp(k->val, c->val) == 0);
    if (!match) { reply_int(p, c, 0); return; }
    if (c->ms <= 0) { reply_err(p, c, "ERR invalid expire time"); return; }
    key_set_expiry(r, e, k, env_now_wall(e) + c->ms * SIM_MS);
    lock_effect(e, HIST_EFF_LOCK_EXTEND, k, from, 0);
    reply_int(p, c, 1);
}

/* DEL, and compare-and-delete for REDIS_CAD. */
static void cmd_del(redis_node *r, env *e, node_id from, const redis_cmd *c, redis_reply *p) {
    redis_key *k = key_find(r, e, c->key);
    bool match = k && (c->kind != REDIS_CAD || strcmp(k->val, c->val) == 0);
    if (!match) { reply_int(p, c, 0); return; }
    lock_effect(e, HIST_EFF_LOCK_DEL, k, from, 0);
    key_free(r, e, k);
    reply_int(p, c, 1);
}

static void cmd_get(redis_node *r, env *e, const redis_cmd *c, redis_reply *p) {
    redis_key *k = key_find(r, e, c->key);
    if (!k) { reply_init(p, c, REDIS_R_NIL); return; }
    reply_init(p, c, REDIS_R_BULK);
    copy_str(p->str, sizeof p->str, k->val);
}

/* INCR keeps the key's TTL, as Redis does. */
static void cmd_incr(redis_node *r, env *e, const redis_cmd *c, redis_reply *p) {
    redis_key *k = key_find(r, e, c->key);
    int64_t v = 0;
    if (k && !parse_int(k->val, &v)) { reply_err(p, c, "ERR value is not an integer"); return; }
    if (v == INT64_MAX) { reply_err(p, c, "ERR increment would overflow"); return; }
    if (!k) k = key_new(r, c->key);
    if (!k) { reply_err(p, c, "ERR keyspace full (64 keys)"); return; }
    v++;
    snprintf(k->val, sizeof k->val, "%" PRId64, v);
    k->is_lock = false;
    reply_int(p, c, v);
}

/* ------------------------------------------------------------ model */

static bool cmd_valid(const redis_cmd *c) {
    if (c->kind >= REDIS_CMD_COUNT) return false;
    if (memchr(c->key, '\0', sizeof c->key) == NULL || c->key[0] == '\0') return false;
    if (memchr(c->val, '\0', sizeof c->val) == NULL) return false;
    return memchr(c->fence_key, '\0', sizeof c->fence_key) != NULL;
}

static void redis_on_message(void *state, env *e, node_id from, uint32_t type, const void *body,
                             uint32_t len) {
    redis_node *r = state;
    SIM_ASSERT(redis_invariants_ok(r));
    if (type != REDIS_MSG_CMD || len != sizeof(redis_cmd)) {
        env_trace(e, "ignored a message of type %u (not a Redis command)", type);
        return;
    }
    redis_cmd c;
    memcpy(&c, body, sizeof c);
    SIM_ASSERT(cmd_valid(&c));            /* only our clients build commands */
    redis_reply p;
    switch ((redis_cmd_kind)c.kind) {
    case REDIS_SET: case REDIS_SETNX: cmd_set(r, e, from, &c, &p); break;
    case REDIS_PEXPIRE: case REDIS_CAE: cmd_expire(r, e, from, &c, &p); break;
    case REDIS_DEL: case REDIS_CAD: cmd_del(r, e, from, &c, &p); break;
    case REDIS_GET: cmd_get(r, e, &c, &p); break;
    case REDIS_INCR: cmd_incr(r, e, &c, &p); break;
    case REDIS_CMD_COUNT: default: SIM_UNREACHABLE("command kind"); return;
    }
    r->commands++;
    SIM_ASSERT(redis_invariants_ok(r));
    env_send(e, from, REDIS_MSG_REPLY, &p, sizeof p);
}

static void redis_on_timer(void *state, env *e, uint32_t tag, uint64_t arg) {
    redis_node *r = state;
    SIM_ASSERT(tag == TAG_EXPIRE);
    SIM_ASSERT(arg < REDIS_KEYS_MAX);
    redis_key *k = &r->keys[arg];
    SIM_ASSERT(k->used);                  /* freeing a key cancels its timer */
    SIM_ASSERT(env_now_wall(e) >= k->expire_wall);
    k->timer = 0;                         /* it has fired */
    expire_due(r, e, k);
    SIM_ASSERT(!k->used);
    SIM_ASSERT(redis_invariants_ok(r));
}

static void redis_init(void *state, env *e) {
    redis_node *r = state;
    SIM_ASSERT(r->count == 0);
    SIM_ASSERT(env_self(e) >= 0);
    memset(r, 0, sizeof *r);
}

/* Persistence `none`: the keyspace is volatile.  The engine has cancelled
 * the timers already, so keys are dropped without touching them. */
static void redis_on_crash(void *state, env *e) {
    redis_node *r = state;
    sim_time now = env_now_wall(e);
    for (uint32_t i = 0; i < REDIS_KEYS_MAX; i++) {
        redis_key *k = &r->keys[i];
        if (!k->used) continue;
        if (now >= k->expire_wall || !k->is_lock) continue;
        lock_effect(e, HIST_EFF_LOCK_LOST, k, k->setter, 0);
        env_trace(e, "key '%s' (value %s) lost: no persistence", k->key, k->val);
    }
    memset(r, 0, sizeof *r);
    SIM_ASSERT(redis_invariants_ok(r));
}

static void redis_on_restart(void *state, env *e) {
    redis_node *r = state;
    SIM_ASSERT(r->count == 0);
    env_trace(e, "redis restarted with an empty keyspace (persistence none)");
}

/* ------------------------------------------------------------ describe */

/* Appends to buf (cap n) at *used; truncates quietly, as a trace line may. */
static void append(char *buf, size_t n, size_t *used, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void append(char *buf, size_t n, size_t *used, const char *fmt, ...) {
    if (*used >= n) return;
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(buf + *used, n - *used, fmt, ap);
    va_end(ap);
    if (w > 0) *used += (size_t)w;
}

static void describe_cmd(const redis_cmd *c, char *buf, size_t n) {
    size_t used = 0;
    buf[0] = '\0';
    append(buf, n, &used, "%s %s", c->kind < REDIS_CMD_COUNT ? cmd_names[c->kind] : "?", c->key);
    if (c->kind == REDIS_SET || c->kind == REDIS_SETNX || c->kind == REDIS_CAD ||
        c->kind == REDIS_CAE)
        append(buf, n, &used, " %s", c->val);
    if (c->flags & REDIS_F_NX) append(buf, n, &used, " NX");
    if (c->kind == REDIS_SET && (c->flags & REDIS_F_PX))
        append(buf, n, &used, " PX %" PRId64, c->ms);
    if (c->kind == REDIS_PEXPIRE || c->kind == REDIS_CAE)
        append(buf, n, &used, " %" PRId64, c->ms);
    if (c->flags & REDIS_F_FENCE)
        append(buf, n, &used, " +INCR %s", c->fence_key);
}

static void describe_reply(const redis_reply *p, char *buf, size_t n) {
    const char *name = p->cmd < REDIS_CMD_COUNT ? cmd_names[p->cmd] : "?";
    char tok[40] = "";
    if (p->token) snprintf(tok, sizeof tok, " (token %" PRId64 ")", p->token);
    switch ((redis_reply_kind)p->kind) {
    case REDIS_R_OK: snprintf(buf, n, "%s: OK%s", name, tok); break;
    case REDIS_R_NIL: snprintf(buf, n, "%s: (nil)", name); break;
    case REDIS_R_INT: snprintf(buf, n, "%s: (integer) %" PRId64 "%s", name, p->integer, tok); break;
    case REDIS_R_BULK: snprintf(buf, n, "%s: \"%.39s\"", name, p->str); break;
    case REDIS_R_ERR: snprintf(buf, n, "%s: (error) %.39s", name, p->str); break;
    default: snprintf(buf, n, "%s: ?", name); break;
    }
}

bool redis_describe(uint32_t type, const void *body, uint32_t len, char *buf, size_t buf_len) {
    SIM_ASSERT(buf != NULL);
    SIM_ASSERT(buf_len > 0);
    if (type == REDIS_MSG_CMD && len == sizeof(redis_cmd)) {
        redis_cmd c;
        memcpy(&c, body, sizeof c);
        c.key[sizeof c.key - 1] = '\0';
        c.val[sizeof c.val - 1] = '\0';
        c.fence_key[sizeof c.fence_key - 1] = '\0';
        describe_cmd(&c, buf, buf_len);
        return true;
    }
    if (type == REDIS_MSG_REPLY && len == sizeof(redis_reply)) {
        redis_reply p;
        memcpy(&p, body, sizeof p);
        p.str[sizeof p.str - 1] = '\0';
        describe_reply(&p, buf, buf_len);
        return true;
    }
    return false;
}

static void redis_model_describe(uint32_t type, const void *body, uint32_t len, char *buf,
                                 size_t buf_len) {
    if (!redis_describe(type, body, len, buf, buf_len))
        snprintf(buf, buf_len, "message type %u (%u bytes)", type, len);
}

const model_ops redis_model_ops = {
    .name = "redis",
    .state_size = sizeof(redis_node),
    .init = redis_init,
    .on_message = redis_on_message,
    .on_timer = redis_on_timer,
    .on_crash = redis_on_crash,
    .on_restart = redis_on_restart,
    .describe = redis_model_describe,
};
