/* redis_log.c -- the Redis command log (`ccsim run --emit redis`,
 * docs/redis-log.md): every command a Redis node applied, written as the
 * command a real redis-server would have received, with the reply ccsim
 * gave, and the node's crashes, restarts, expiries and promotion.
 *
 * The engine stamps each record with true time, the node and its clocks
 * (env_side_log); this file writes the rest: the EVENT and its fields, each
 * escaped (`\` `\\`, TAB `\t`, newline `\n`, CR `\r`) and TAB-separated.
 * ccsim's compound commands (compare-and-delete, compare-and-extend, SET
 * with a fencing token) become EVAL with the full Lua script of
 * redis_log_script(), which does on the real server what ccsim does in one
 * atomic step.
 *
 * Invariant: nothing here changes the node or the run: every hook returns
 * at once when the run records no side log (env_side_log_on), and otherwise
 * only reads.  A record never exceeds REDIS_LOG_LINE_MAX bytes (keys and
 * values are bounded; asserted).
 */
#include "protocols/redis/redis_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* The scripts, one line each so that a reader can paste them into
 * redis-cli.  The fencing ones take the first token as ARGV[n] and create
 * the counter at first_token - 1 (SET then DECR, in Redis's own integer
 * arithmetic) when it is absent or holds no integer, as ccsim does. */
#define FENCE_TAIL(first)                                                                  \
    "local n = redis.call('GET', KEYS[2]) "                                                \
    "if not (n and string.match(n, '^%-?%d+$')) then "                                     \
    "redis.call('SET', KEYS[2], ARGV[" first "], 'KEEPTTL') redis.call('DECR', KEYS[2]) end " \
    "return redis.call('INCR', KEYS[2])"

static const char script_cad[] =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end "
    "return 0";
static const char script_cae[] =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then "
    "return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0";
static const char script_fence_nx_px[] =
    "if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return false end "
    FENCE_TAIL("3");
static const char script_fence_px[] =
    "if not redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) then return false end "
    FENCE_TAIL("3");
static const char script_fence_nx[] =
    "if not redis.call('SET', KEYS[1], ARGV[1], 'NX') then return false end " FENCE_TAIL("2");
static const char script_fence[] =
    "if not redis.call('SET', KEYS[1], ARGV[1]) then return false end " FENCE_TAIL("2");
static const char script_fence_setnx[] =
    "if redis.call('SETNX', KEYS[1], ARGV[1]) == 0 then return false end " FENCE_TAIL("2");

const char *redis_log_script(redis_cmd_kind kind, uint8_t flags) {
    bool nx = (flags & REDIS_F_NX) != 0, px = (flags & REDIS_F_PX) != 0;
    if (kind == REDIS_CAD) return script_cad;
    if (kind == REDIS_CAE) return script_cae;
    if (!(flags & REDIS_F_FENCE)) return NULL;
    if (kind == REDIS_SETNX) return script_fence_setnx;
    if (kind != REDIS_SET) return NULL;
    return nx ? (px ? script_fence_nx_px : script_fence_nx) : (px ? script_fence_px : script_fence);
}

/* ------------------------------------------------------------ fields */

/* A record being written: fields appended with a TAB before each. */
typedef struct log_line {
    char buf[REDIS_LOG_LINE_MAX];
    size_t len;
} log_line;

size_t redis_log_escape(char *dst, size_t cap, const char *src) {
    SIM_ASSERT(cap > 0);
    size_t n = 0;
    for (const char *p = src; *p; p++) {
        char esc = *p == '\\' ? '\\' : *p == '\t' ? 't' : *p == '\n' ? 'n' : *p == '\r' ? 'r' : 0;
        size_t need = esc ? 2u : 1u;
        SIM_ASSERT(n + need < cap);              /* callers size dst for the worst case */
        if (esc) { dst[n++] = '\\'; dst[n++] = esc; } else dst[n++] = *p;
    }
    dst[n] = '\0';
    return n;
}

/* Appends one field, escaped; the first field of a line gets no TAB. */
static void field(log_line *l, const char *text) {
    SIM_ASSERT(l->len < sizeof l->buf);
    if (l->len > 0) {
        SIM_ASSERT(l->len + 1 < sizeof l->buf);
        l->buf[l->len++] = '\t';
    }
    l->len += redis_log_escape(l->buf + l->len, sizeof l->buf - l->len, text);
}

static void field_int(log_line *l, int64_t v) {
    char n[24];
    snprintf(n, sizeof n, "%" PRId64, v);
    field(l, n);
}

/* ------------------------------------------------------------ rendering */

/* Fields of a command as a client sends it (ARG0 ARG1 ...). */
static void cmd_fields(log_line *l, const redis_cmd *c) {
    const char *script = redis_log_script((redis_cmd_kind)c->kind, c->flags);
    bool fence = script != NULL && (c->flags & REDIS_F_FENCE);
    if (script) {
        field(l, "EVAL");
        field(l, script);
        field(l, fence ? "2" : "1");
        field(l, c->key);
        if (fence) field(l, c->fence_key);
        field(l, c->val);
        if (c->kind == REDIS_CAE || (fence && c->kind == REDIS_SET && (c->flags & REDIS_F_PX)))
            field_int(l, c->ms);
        if (fence) field_int(l, c->first_token);
        return;
    }
    switch ((redis_cmd_kind)c->kind) {
    case REDIS_SET:
        field(l, "SET"); field(l, c->key); field(l, c->val);
        if (c->flags & REDIS_F_NX) field(l, "NX");
        if (c->flags & REDIS_F_PX) { field(l, "PX"); field_int(l, c->ms); }
        break;
    case REDIS_SETNX: field(l, "SETNX"); field(l, c->key); field(l, c->val); break;
    case REDIS_PEXPIRE: field(l, "PEXPIRE"); field(l, c->key); field_int(l, c->ms); break;
    case REDIS_GET: field(l, "GET"); field(l, c->key); break;
    case REDIS_DEL: field(l, "DEL"); field(l, c->key); break;
    case REDIS_INCR: field(l, "INCR"); field(l, c->key); break;
    case REDIS_WAIT: field(l, "WAIT"); field_int(l, c->count); field_int(l, c->ms); break;
    case REDIS_CAD: case REDIS_CAE: case REDIS_CMD_COUNT: default:
        SIM_UNREACHABLE("a command kind without a rendering");
        break;
    }
}

void redis_log_render_cmd(const redis_cmd *c, char *buf, size_t cap) {
    SIM_ASSERT(c != NULL);
    SIM_ASSERT(c->kind < REDIS_CMD_COUNT);
    log_line l = { .len = 0 };
    cmd_fields(&l, c);
    SIM_ASSERT(l.len < cap);
    memcpy(buf, l.buf, l.len + 1);
}

/* The reply as RESP2 reads (docs/redis-log.md): a fencing script answers
 * the token, or nil when the key was not set. */
static void reply_field(log_line *l, const redis_cmd *c, const redis_reply *p) {
    char text[REDIS_ERR_MAX + 24];
    bool fence = (c->flags & REDIS_F_FENCE) && (c->kind == REDIS_SET || c->kind == REDIS_SETNX);
    bool set = p->kind == REDIS_R_OK || (p->kind == REDIS_R_INT && p->integer == 1);
    if (fence && p->kind != REDIS_R_ERR) {
        if (set) snprintf(text, sizeof text, ":%" PRId64, p->token);
        else snprintf(text, sizeof text, "nil");
        field(l, text);
        return;
    }
    switch ((redis_reply_kind)p->kind) {
    case REDIS_R_OK: field(l, "+OK"); return;
    case REDIS_R_NIL: field(l, "nil"); return;
    case REDIS_R_INT: snprintf(text, sizeof text, ":%" PRId64, p->integer); break;
    case REDIS_R_BULK: snprintf(text, sizeof text, "$%s", p->str); break;
    case REDIS_R_ERR: snprintf(text, sizeof text, "-%s", p->str); break;
    default: SIM_UNREACHABLE("reply kind"); return;
    }
    field(l, text);
}

void redis_log_render_reply(const redis_cmd *c, const redis_reply *p, char *buf, size_t cap) {
    SIM_ASSERT(c != NULL);
    SIM_ASSERT(p != NULL);
    log_line l = { .len = 0 };
    reply_field(&l, c, p);
    SIM_ASSERT(l.len < cap);
    memcpy(buf, l.buf, l.len + 1);
}

/* ------------------------------------------------------------ records */

static void event_from(log_line *l, env *e, const char *event, node_id from) {
    field(l, event);
    field(l, env_node_name(e, from));
}

void redis_log_cmd(env *e, node_id from, const redis_cmd *c, const redis_reply *p) {
    if (!env_side_log_on(e)) return;
    log_line l = { .len = 0 };
    event_from(&l, e, "cmd", from);
    reply_field(&l, c, p);
    cmd_fields(&l, c);
    env_side_log(e, l.buf);
}

void redis_log_block(env *e, node_id from, const redis_cmd *c) {
    if (!env_side_log_on(e)) return;
    log_line l = { .len = 0 };
    event_from(&l, e, "block", from);
    cmd_fields(&l, c);
    env_side_log(e, l.buf);
}

void redis_log_wait_answer(env *e, node_id from, const redis_cmd *c, int64_t n, bool parked) {
    if (!env_side_log_on(e)) return;
    SIM_ASSERT(c->kind == REDIS_WAIT);
    char reply[24];
    snprintf(reply, sizeof reply, ":%" PRId64, n);
    log_line l = { .len = 0 };
    event_from(&l, e, parked ? "reply" : "cmd", from);
    field(&l, reply);
    if (parked) field(&l, "WAIT");
    else cmd_fields(&l, c);
    env_side_log(e, l.buf);
}

/* AT_NS: the TTL clock's reading from which the key is gone to readers,
 * the instant redis_expire_due's rule first holds (its expiry). */
void redis_log_expire(env *e, const redis_key *k) {
    if (!env_side_log_on(e)) return;
    log_line l = { .len = 0 };
    field(&l, "expire");
    field(&l, k->key);
    field_int(&l, k->expire_at);
    env_side_log(e, l.buf);
}

static const char *persistence_name(const redis_cfg *cfg) {
    SIM_ASSERT(cfg != NULL);
    switch ((redis_persistence)cfg->persistence) {
    case REDIS_PERSIST_NONE: return "none";
    case REDIS_PERSIST_EVERYSEC: return "everysec";
    case REDIS_PERSIST_ALWAYS: return "always";
    default: SIM_UNREACHABLE("persistence"); return "?";
    }
}

static void event_persistence(env *e, const redis_node *r, const char *event) {
    log_line l = { .len = 0 };
    field(&l, event);
    field(&l, persistence_name(r->cfg));
    env_side_log(e, l.buf);
}

void redis_log_crash(const redis_node *r, env *e, bool power_loss) {
    if (env_side_log_on(e)) event_persistence(e, r, power_loss ? "power-loss" : "crash");
}

/* A node that never ran (crashed at 0 before it started) logged no crash
 * and logs no restart: to a replayer its server was there all along, and
 * the run sent it nothing meanwhile. */
void redis_log_restart(const redis_node *r, env *e) {
    if (env_side_log_on(e) && r->crashes > 0) event_persistence(e, r, "restart");
}

void redis_log_listening(env *e) {
    if (env_side_log_on(e)) env_side_log(e, "listening");
}

void redis_log_promote(const redis_node *r, env *e) {
    if (!env_side_log_on(e)) return;
    log_line l = { .len = 0 };
    field(&l, "promote");
    field_int(&l, (int64_t)r->repl_offset);
    env_side_log(e, l.buf);
}

/* ------------------------------------------------------------ head */

void redis_log_head(env *e, const env_side_log_run *run) {
    SIM_ASSERT(run != NULL);
    log_line l = { .len = 0 };
    if (run->first) {
        env_side_log_head(e, "# ccsim redis log v1");
        field(&l, "# scenario");
        field(&l, run->scenario);
        field(&l, "seed");
        char seed[24];
        snprintf(seed, sizeof seed, "%" PRIu64, run->seed);
        field(&l, seed);
        env_side_log_head(e, l.buf);
        l.len = 0;
    }
    const redis_cfg *cfg = redis_cfg_of(e);
    field(&l, "# node");
    field(&l, env_node_name(e, env_self(e)));
    field(&l, "role");
    field(&l, env_node_role(e, env_self(e)));
    field(&l, "persistence");
    field(&l, persistence_name(cfg));
    field(&l, "ttl_clock");
    field(&l, cfg->ttl_clock == REDIS_CLOCK_MONOTONIC ? "monotonic" : "wall");
    env_side_log_head(e, l.buf);
}
