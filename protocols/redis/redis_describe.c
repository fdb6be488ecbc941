/* redis_describe.c -- one trace line for every Redis-family message.
 *
 * Invariant: describing never trusts the bytes it is given (a message may
 * be any size): every string is re-terminated before it is printed, and an
 * unknown type or size returns false.  Trade-off: lines are truncated
 * quietly, as a trace line may be.
 */
#include "protocols/redis/redis_int.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "protocols/redis/redis.h"
#include "sim/family.h"

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

static const char *kind_name(uint8_t kind) {
    return kind < REDIS_CMD_COUNT ? redis_cmd_name((redis_cmd_kind)kind) : "?";
}

static void describe_cmd(const redis_cmd *c, char *buf, size_t n) {
    size_t used = 0;
    buf[0] = '\0';
    if (c->kind == REDIS_WAIT) {
        append(buf, n, &used, "WAIT %" PRId64 " %" PRId64, c->count, c->ms);
        return;
    }
    append(buf, n, &used, "%s %s", kind_name(c->kind), c->key);
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
    const char *name = kind_name(p->cmd);
    char tok[40] = "";
    if (p->token) snprintf(tok, sizeof tok, " (token %" PRId64 ")", p->token);
    switch ((redis_reply_kind)p->kind) {
    case REDIS_R_OK: snprintf(buf, n, "%s: OK%s", name, tok); break;
    case REDIS_R_NIL: snprintf(buf, n, "%s: (nil)", name); break;
    case REDIS_R_INT: snprintf(buf, n, "%s: (integer) %" PRId64 "%s", name, p->integer, tok); break;
    case REDIS_R_BULK: snprintf(buf, n, "%s: \"%.*s\"", name, REDIS_ERR_MAX - 1, p->str); break;
    case REDIS_R_ERR: snprintf(buf, n, "%s: (error) %.*s", name, REDIS_ERR_MAX - 1, p->str); break;
    default: snprintf(buf, n, "%s: ?", name); break;
    }
}

static bool describe_repl(uint32_t type, const void *body, uint32_t len, char *buf, size_t n) {
    if (type == REDIS_MSG_REPL && len == sizeof(redis_repl)) {
        redis_repl w;
        memcpy(&w, body, sizeof w);
        w.key[sizeof w.key - 1] = '\0';
        w.val[sizeof w.val - 1] = '\0';
        if (w.del) snprintf(buf, n, "replicate #%" PRIu64 ": DEL %s", w.offset, w.key);
        else snprintf(buf, n, "replicate #%" PRIu64 ": SET %s %s", w.offset, w.key, w.val);
        return true;
    }
    if (type == REDIS_MSG_ACK && len == sizeof(redis_repl_ack)) {
        redis_repl_ack a;
        memcpy(&a, body, sizeof a);
        snprintf(buf, n, "REPLCONF ACK %" PRIu64, a.offset);
        return true;
    }
    return false;
}

static bool describe_sentinel(uint32_t type, const void *body, uint32_t len, char *buf,
                              size_t n) {
    if ((type == REDIS_MSG_PING || type == REDIS_MSG_PONG) && len == sizeof(redis_ping)) {
        redis_ping q;
        memcpy(&q, body, sizeof q);
        snprintf(buf, n, "%s #%" PRIu64, type == REDIS_MSG_PING ? "PING" : "PONG", q.seq);
        return true;
    }
    if ((type == REDIS_MSG_INFO || type == REDIS_MSG_INFO_REPLY || type == REDIS_MSG_LINK_DOWN) &&
        len == sizeof(redis_ping)) {
        redis_ping q;
        memcpy(&q, body, sizeof q);
        if (type == REDIS_MSG_INFO) snprintf(buf, n, "INFO replication #%" PRIu64, q.seq);
        else if (type == REDIS_MSG_INFO_REPLY)
            snprintf(buf, n, "INFO #%" PRIu64 ": role:%s", q.seq, q.master ? "master" : "slave");
        else snprintf(buf, n, "link closed (the process died; its kernel sends FIN)");
        return true;
    }
    if ((type == REDIS_MSG_PROMOTE || type == REDIS_MSG_SWITCH) && len == sizeof(redis_switch)) {
        redis_switch w;
        memcpy(&w, body, sizeof w);
        snprintf(buf, n, "%s (node %" PRId32 " replaces node %" PRId32 ")",
                 type == REDIS_MSG_PROMOTE ? "REPLICAOF NO ONE" : "+switch-master",
                 w.new_master, w.old_master);
        return true;
    }
    return false;
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
    if (describe_repl(type, body, len, buf, buf_len)) return true;
    return describe_sentinel(type, body, len, buf, buf_len);
}

static const hist_kind_def redis_effects[] = {
    { .kind = HIST_EFF_PROMOTE, .name = "promote" },
    { .name = NULL },
};

/* Redis commands and replies, replication and Sentinel messages; the node's
 * timers are its own (below FAMILY_TAG_PRIVATE).  No protocol of its own:
 * setnx-lock and redlock run redis nodes. */
const family_desc redis_family = {
    .name = "redis",
    .msgs = { { 1100, 1199 } },
    .describe = redis_describe,
    .kinds = { { 1100, 1109 } },
    .effects = redis_effects,
};
