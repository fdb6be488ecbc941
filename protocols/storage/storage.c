/* storage.c -- the protected counter, with optional fencing.
 *
 * Invariant (stor_invariants_ok): max_token only grows, and only accepted
 * fenced writes and fenced reads raise it; accepted + rejected == writes
 * seen.
 *
 * Trade-off: the counter is initialised lazily, at the first request,
 * because nodes start in scenario order and the workload (a client node)
 * may set the initial value after the storage node has started.
 */
#include "protocols/storage/storage.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sim/family.h"

typedef struct stor_node {
    bool started;                 /* value initialised */
    int64_t value;
    int64_t max_token;            /* highest token of an accepted fenced write or a fenced read */
    uint64_t reads, writes, accepted, rejected;
} stor_node;

static bool stor_invariants_ok(const stor_node *s) {
    if (s->max_token < 0) return false;
    if (s->accepted + s->rejected != s->writes) return false;
    return s->started || (s->reads == 0 && s->writes == 0);
}

void stor_req_init(stor_req *r, uint32_t op, uint32_t req, int64_t epoch, int64_t token,
                   bool fenced, int64_t value) {
    SIM_ASSERT(r != NULL);
    SIM_ASSERT(epoch >= 0);
    memset(r, 0, sizeof *r);
    r->op = op;
    r->req = req;
    r->epoch = epoch;
    r->token = token;
    r->fenced = fenced ? 1 : 0;
    r->value = value;
}

static void effect(env *e, hist_eff_kind kind, node_id from, const stor_req *q, int64_t value) {
    hist_effect_fields ef;
    memset(&ef, 0, sizeof ef);
    ef.kind = kind;
    ef.client = from;
    ef.op = q->op;
    ef.epoch = q->epoch;
    ef.token = q->token;
    ef.value = value;
    ef.key = STOR_KEY;
    env_effect(e, &ef);
}

static void reply(env *e, node_id to, const stor_req *q, bool write, bool ok, const stor_node *s) {
    stor_reply p;
    memset(&p, 0, sizeof p);
    p.op = q->op;
    p.req = q->req;
    p.write = write ? 1 : 0;
    p.ok = ok ? 1 : 0;
    p.value = s->value;
    p.max_token = s->max_token;
    env_send(e, to, STOR_MSG_REPLY, &p, sizeof p);
}

static void on_write(stor_node *s, env *e, node_id from, const stor_req *q) {
    s->writes++;
    if (q->fenced && q->token < s->max_token) {
        s->rejected++;
        env_trace(e, "write %" PRId64 " rejected: token %" PRId64 " < max token %" PRId64,
                  q->value, q->token, s->max_token);
        effect(e, HIST_EFF_REJECT, from, q, q->value);
        reply(e, from, q, true, false, s);
        return;
    }
    s->accepted++;
    s->value = q->value;
    if (q->fenced && q->token > s->max_token) s->max_token = q->token;
    effect(e, HIST_EFF_WRITE, from, q, q->value);
    reply(e, from, q, true, true, s);
}

static void stor_on_message(void *state, env *e, node_id from, uint32_t type, const void *body,
                            uint32_t len) {
    stor_node *s = state;
    SIM_ASSERT(stor_invariants_ok(s));
    if ((type != STOR_MSG_READ && type != STOR_MSG_WRITE) || len != sizeof(stor_req)) {
        env_trace(e, "ignored a message of type %u (not a storage request)", type);
        return;
    }
    if (!s->started) {
        s->value = env_history(e)->initial_value;
        s->started = true;
    }
    stor_req q;
    memcpy(&q, body, sizeof q);
    SIM_ASSERT(q.epoch >= 0);
    if (type == STOR_MSG_READ) {
        s->reads++;
        if (q.fenced && q.read_fenced && q.token > s->max_token) {
            s->max_token = q.token;
            env_trace(e, "read with token %" PRId64 ": max token now %" PRId64, q.token,
                      s->max_token);
        }
        effect(e, HIST_EFF_READ, from, &q, s->value);
        reply(e, from, &q, false, true, s);
    } else {
        on_write(s, e, from, &q);
    }
    SIM_ASSERT(stor_invariants_ok(s));
}

static void stor_init(void *state, env *e) {
    stor_node *s = state;
    SIM_ASSERT(env_self(e) >= 0);
    memset(s, 0, sizeof *s);
    SIM_ASSERT(stor_invariants_ok(s));
}

/* Durable: a crash loses nothing (the counter models a database row,
 * committed with its WAL fsynced), and a power loss neither. */
static void stor_on_crash(void *state, env *e) {
    stor_node *s = state;
    SIM_ASSERT(stor_invariants_ok(s));
    env_trace(e, "storage crashed; the counter (%" PRId64 ") is durable", s->value);
}

static void stor_on_restart(void *state, env *e) {
    stor_node *s = state;
    SIM_ASSERT(stor_invariants_ok(s));
    env_trace(e, "storage restarted with counter %" PRId64, s->value);
}

static void describe_req(uint32_t type, const stor_req *q, char *buf, size_t n) {
    char tok[48] = "";
    if (q->fenced) snprintf(tok, sizeof tok, ", token %" PRId64 "%s", q->token,
                            type == STOR_MSG_READ && q->read_fenced ? ", fenced read" : "");
    if (type == STOR_MSG_READ)
        snprintf(buf, n, "READ counter (epoch %" PRId64 "%s)", q->epoch, tok);
    else
        snprintf(buf, n, "WRITE counter=%" PRId64 " (epoch %" PRId64 "%s)", q->value, q->epoch, tok);
}

bool stor_describe(uint32_t type, const void *body, uint32_t len, char *buf, size_t buf_len) {
    SIM_ASSERT(buf != NULL);
    SIM_ASSERT(buf_len > 0);
    if ((type == STOR_MSG_READ || type == STOR_MSG_WRITE) && len == sizeof(stor_req)) {
        stor_req q;
        memcpy(&q, body, sizeof q);
        describe_req(type, &q, buf, buf_len);
        return true;
    }
    if (type != STOR_MSG_REPLY || len != sizeof(stor_reply)) return false;
    stor_reply p;
    memcpy(&p, body, sizeof p);
    if (!p.write) snprintf(buf, buf_len, "READ: %" PRId64, p.value);
    else if (p.ok) snprintf(buf, buf_len, "WRITE: ok (counter %" PRId64 ")", p.value);
    else snprintf(buf, buf_len, "WRITE: rejected (stale token; max token %" PRId64 ")", p.max_token);
    return true;
}

const model_ops stor_model_ops = {
    .name = "storage",
    .state_size = sizeof(stor_node),
    .init = stor_init,
    .on_message = stor_on_message,
    .on_timer = NULL,
    .on_crash = stor_on_crash,
    .on_restart = stor_on_restart,
};

/* The protected storage's reads and writes.  A building block: lock
 * protocols run a storage node. */
const family_desc stor_family = {
    .name = "storage",
    .msgs = { { 100, 199 } },
    .describe = stor_describe,
};
