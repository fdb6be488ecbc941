/* redlock.c -- the Redlock client library (redlock.h says the algorithm).
 *
 * Main invariant (rl_invariants_ok): a round (LOCK, UNLOCK, RELEASE or
 * EXTEND) is running exactly in LOCKING, UNLOCKING and RELEASING, and in
 * HELD while an extension runs; every outstanding request has a timeout
 * timer and a request id; a reply counts only when it answers the
 * outstanding request of that node (late replies to timed-out requests are
 * ignored, as a client that has moved on ignores them).
 *
 * State diagram (the function that takes each edge in brackets):
 *
 *   IDLE --acquire [rl_acquire -> start_attempt]--> LOCKING
 *   LOCKING --every node answered or timed out [round_done -> lock_done]:
 *       quorum and validity ok [granted]--> HELD
 *       otherwise [start_round(UNLOCK)]--> UNLOCKING
 *   UNLOCKING --round done [round_done -> attempt_failed]:
 *       attempts left, or a last sleep--> BACKOFF          [start_backoff]
 *       none left--> IDLE (acquire failed)                 [give_up]
 *   BACKOFF --retry timer [on_retry_timer]--> LOCKING | IDLE (after the last sleep)
 *   HELD --extend timer [on_extend_timer]--> HELD, extending
 *       --round done [extend_done]--> HELD (valid_until moved, or extension stops)
 *   HELD --release [rl_release]--> RELEASING --round done [release_done]--> IDLE
 *
 * A round sends one request per master: one after another (sequential: the
 * next goes when the previous answered or timed out) or all at once
 * (parallel); it is done when every master answered or timed out.  The
 * lease: valid_until = T1 + ttl - drift on the monotonic clock, where T1 is
 * read before the first SET of the attempt (or extension).  Hooks are called
 * last, after the state is consistent.
 */
#include "protocols/redlock/redlock.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "protocols/lock/lock_api.h"

enum {
    TAG_NODE_TIMEOUT = 1300,      /* arg = peer index << 32 | request id */
    TAG_RETRY = 1301,
    TAG_EXTEND = 1302
};

typedef enum { RL_IDLE = 0, RL_LOCKING, RL_UNLOCKING, RL_BACKOFF, RL_HELD, RL_RELEASING } rl_state;
typedef enum { ROUND_NONE = 0, ROUND_LOCK, ROUND_UNLOCK, ROUND_RELEASE, ROUND_EXTEND } rl_round;
typedef enum { STEP_NONE = 0, STEP_SET, STEP_WAIT, STEP_CAD, STEP_CAE } rl_step;
typedef enum { RES_PENDING = 0, RES_YES, RES_NO, RES_TIMEOUT } rl_result;

typedef struct rl_peer {
    node_id node;                 /* the master (changes on +switch-master) */
    uint32_t req;                 /* outstanding request, 0 = none */
    timer_id timer;
    uint8_t step;                 /* rl_step outstanding */
    uint8_t result;               /* rl_result in the current round */
    int64_t token;                /* fencing token the SET returned */
} rl_peer;

typedef struct rl_client {
    const rl_cfg *cfg;
    lock_client_hooks hooks;
    rl_retry retry;
    rl_peer peers[RL_NODES_MAX];
    uint32_t n, quorum;
    rl_state state;
    rl_round round;
    uint32_t cursor;              /* sequential: the peer being asked */
    uint32_t pending;             /* parallel: requests not yet answered */
    uint32_t req_next;
    timer_id retry_timer, extend_timer;
    uint32_t attempts;            /* in the current acquisition */
    uint32_t acquisitions;        /* ever; keeps lock values unique across crashes */
    int64_t extensions;           /* in the current hold */
    bool giving_up;               /* BACKOFF is the last sleep before failing */
    char value[REDIS_VALUE_MAX];  /* "c1:1" */
    sim_time round_start_mono;    /* T1 of the attempt or extension */
    sim_time valid_until_mono;
    int64_t token;
} rl_client;

_Static_assert(sizeof(rl_client) <= LOCK_CLIENT_STATE_MAX, "rl_client fits a driver's slot");

static bool rl_invariants_ok(const rl_client *c) {
    if (c->cfg == NULL || c->n == 0 || c->quorum == 0 || c->quorum > c->n) return false;
    bool round = c->state == RL_LOCKING || c->state == RL_UNLOCKING || c->state == RL_RELEASING;
    if (round && c->round == ROUND_NONE) return false;
    if (c->state == RL_HELD && c->round != ROUND_NONE && c->round != ROUND_EXTEND) return false;
    if ((c->state == RL_IDLE || c->state == RL_BACKOFF) && c->round != ROUND_NONE) return false;
    if ((c->state == RL_BACKOFF) != (c->retry_timer != 0)) return false;
    for (uint32_t i = 0; i < c->n; i++) {
        const rl_peer *p = &c->peers[i];
        if ((p->req != 0) != (p->step != STEP_NONE)) return false;
        if (p->req != 0 && c->round == ROUND_NONE) return false;
    }
    return c->state != RL_HELD || c->value[0] != '\0';
}

static sim_time ms_of(sim_time ns) { return (ns + SIM_MS - 1) / SIM_MS; }   /* PX is whole ms */

static sim_time timeout_of(const rl_cfg *cfg) { return cfg->timeout_ns > 0 ? cfg->timeout_ns : SIM_MS; }

static const char *node_name(const env *e, node_id n) { return env_node_name(e, n); }

/* ------------------------------------------------------------ requests */

static void send_step(rl_client *c, env *e, uint32_t i, rl_step step) {
    rl_peer *p = &c->peers[i];
    SIM_ASSERT(p->req == 0);
    redis_cmd cmd;
    sim_time wait = timeout_of(c->cfg);
    switch (step) {
    case STEP_SET:
        redis_cmd_init(&cmd, 0, REDIS_SET, RL_KEY, c->value);
        cmd.flags = REDIS_F_NX | REDIS_F_PX;
        cmd.ms = ms_of(c->cfg->ttl_ns);
        if (c->cfg->fencing) {
            cmd.flags |= REDIS_F_FENCE;
            cmd.first_token = 1;
            memcpy(cmd.fence_key, RL_FENCE_KEY, sizeof RL_FENCE_KEY);
        }
        break;
    case STEP_WAIT:
        redis_cmd_init(&cmd, 0, REDIS_WAIT, "-", NULL);
        cmd.count = c->cfg->wait_replicas;
        cmd.ms = ms_of(c->cfg->wait_timeout_ns);
        wait += c->cfg->wait_timeout_ns;          /* the node answers at its timeout */
        break;
    case STEP_CAD: redis_cmd_init(&cmd, 0, REDIS_CAD, RL_KEY, c->value); break;
    case STEP_CAE:
        redis_cmd_init(&cmd, 0, REDIS_CAE, RL_KEY, c->value);
        cmd.ms = ms_of(c->cfg->ttl_ns);
        break;
    case STEP_NONE: default: SIM_UNREACHABLE("redlock step"); return;
    }
    cmd.req = ++c->req_next;
    p->req = cmd.req;
    p->step = (uint8_t)step;
    env_send(e, p->node, REDIS_MSG_CMD, &cmd, sizeof cmd);
    p->timer = env_timer(e, wait, TAG_NODE_TIMEOUT, ((uint64_t)i << 32) | cmd.req);
}

static void clear_req(rl_client *c, env *e, uint32_t i) {
    rl_peer *p = &c->peers[i];
    SIM_ASSERT(p->req != 0);
    env_timer_cancel(e, p->timer);
    p->timer = 0;
    p->req = 0;
    p->step = STEP_NONE;
}

static rl_step round_step(rl_round r) {
    switch (r) {
    case ROUND_LOCK: return STEP_SET;
    case ROUND_UNLOCK: case ROUND_RELEASE: return STEP_CAD;
    case ROUND_EXTEND: return STEP_CAE;
    case ROUND_NONE: default: SIM_UNREACHABLE("round"); return STEP_NONE;
    }
}

/* ------------------------------------------------------------ rounds */

static void round_done(rl_client *c, env *e);

static void start_round(rl_client *c, env *e, rl_round r) {
    SIM_ASSERT(c->round == ROUND_NONE);
    SIM_ASSERT(r != ROUND_NONE);
    c->round = r;
    c->cursor = 0;
    c->round_start_mono = r == ROUND_LOCK || r == ROUND_EXTEND ? env_now_mono(e) : c->round_start_mono;
    for (uint32_t i = 0; i < c->n; i++) {
        c->peers[i].result = RES_PENDING;
        c->peers[i].token = 0;
    }
    if (c->cfg->mode == RL_SEQUENTIAL) {
        send_step(c, e, 0, round_step(r));
        return;
    }
    c->pending = c->n;
    for (uint32_t i = 0; i < c->n; i++) send_step(c, e, i, round_step(r));
}

/* Peer i's part of the round is over. */
static void peer_done(rl_client *c, env *e, uint32_t i, rl_result res) {
    SIM_ASSERT(c->peers[i].req == 0);
    SIM_ASSERT(res != RES_PENDING);
    c->peers[i].result = (uint8_t)res;
    if (c->cfg->mode == RL_SEQUENTIAL) {
        SIM_ASSERT(i == c->cursor);
        if (++c->cursor < c->n) { send_step(c, e, c->cursor, round_step(c->round)); return; }
    } else {
        SIM_ASSERT(c->pending > 0);
        if (--c->pending > 0) return;
    }
    round_done(c, e);
}

static uint32_t count_of(const rl_client *c, rl_result res) {
    uint32_t k = 0;
    for (uint32_t i = 0; i < c->n; i++) k += c->peers[i].result == res;
    return k;
}

/* Abandons the running round: outstanding requests are forgotten. */
static void round_abandon(rl_client *c, env *e) {
    for (uint32_t i = 0; i < c->n; i++)
        if (c->peers[i].req) clear_req(c, e, i);
    c->round = ROUND_NONE;
}

/* ------------------------------------------------------------ acquire */

static void record_lease(rl_client *c, env *e, sim_time validity) {
    hist_effect_fields ef;
    memset(&ef, 0, sizeof ef);
    ef.kind = HIST_EFF_LEASE;
    ef.client = env_self(e);
    ef.op = HIST_NONE;
    ef.token = c->token;
    ef.value = validity;
    ef.aux = c->valid_until_mono;
    ef.key = RL_KEY;
    env_effect(e, &ef);
}

static void start_attempt(rl_client *c, env *e) {
    SIM_ASSERT(c->state == RL_IDLE || c->state == RL_BACKOFF);
    c->state = RL_LOCKING;
    c->attempts++;
    start_round(c, e, ROUND_LOCK);
    SIM_ASSERT(rl_invariants_ok(c));
}

static void schedule_extend(rl_client *c, env *e) {
    const rl_cfg *cfg = c->cfg;
    if (cfg->extend_every_ns <= 0) return;
    if (cfg->extend_max >= 0 && c->extensions >= cfg->extend_max) return;
    c->extend_timer = env_timer(e, cfg->extend_every_ns, TAG_EXTEND, 0);
}

static void granted(rl_client *c, env *e, uint32_t locked, sim_time elapsed, sim_time validity) {
    c->state = RL_HELD;
    c->token = 0;
    if (c->cfg->fencing)
        for (uint32_t i = 0; i < c->n; i++)
            if (c->peers[i].result == RES_YES && c->peers[i].token > c->token) c->token = c->peers[i].token;
    c->extensions = 0;
    record_lease(c, e, validity);
    char v[32], until[32], el[32], ttl[32], drift[32], tok[40] = "";
    sim_fmt_time(v, sizeof v, validity);
    sim_fmt_time(until, sizeof until, c->valid_until_mono);
    sim_fmt_time(el, sizeof el, elapsed);
    sim_fmt_time(ttl, sizeof ttl, c->cfg->ttl_ns);
    sim_fmt_time(drift, sizeof drift, rl_drift_ns(c->cfg));
    if (c->cfg->fencing) snprintf(tok, sizeof tok, ", token %" PRId64, c->token);
    env_trace(e, "acquired %s on %u of %u masters (quorum %u), attempt %u%s; validity = ttl %s - "
              "elapsed %s - drift %s = %s, valid until %s by my monotonic clock%s", c->value,
              locked, c->n, c->quorum, c->attempts, tok, ttl, el, drift, v, until,
              validity > 0 ? "" : " (already spent: not re-checked)");
    schedule_extend(c, e);
    SIM_ASSERT(rl_invariants_ok(c));
    c->hooks.acquired(c->hooks.owner, e, true, c->token, c->valid_until_mono, "");
}

static void lock_done(rl_client *c, env *e) {
    uint32_t locked = count_of(c, RES_YES);
    sim_time elapsed = env_now_mono(e) - c->round_start_mono;
    sim_time drift = rl_drift_ns(c->cfg);
    sim_time validity = c->cfg->ttl_ns - elapsed - drift;
    c->valid_until_mono = c->round_start_mono + c->cfg->ttl_ns - drift;
    if (locked >= c->quorum && (validity > 0 || !c->cfg->recheck)) {
        granted(c, e, locked, elapsed, validity);
        return;
    }
    char v[32];
    sim_fmt_time(v, sizeof v, validity);
    env_trace(e, "attempt %u failed: locked %u of %u masters (quorum %u), validity %s%s; "
              "unlocking every master", c->attempts, locked, c->n, c->quorum, v,
              locked >= c->quorum ? " <= 0" : "");
    c->state = RL_UNLOCKING;
    start_round(c, e, ROUND_UNLOCK);
    SIM_ASSERT(rl_invariants_ok(c));
}

static void give_up(rl_client *c, env *e) {
    char note[HIST_NOTE_MAX];
    snprintf(note, sizeof note, "gave up after %u attempts", c->attempts);
    env_trace(e, "acquire: %s", note);
    c->state = RL_IDLE;
    c->giving_up = false;
    SIM_ASSERT(rl_invariants_ok(c));
    c->hooks.acquired(c->hooks.owner, e, false, 0, 0, note);
}

static void start_backoff(rl_client *c, env *e, bool last) {
    const rl_retry *rt = &c->retry;
    sim_time lo = rt->delay_ns - rt->jitter_ns;
    sim_time span_ms = 2 * rt->jitter_ns / SIM_MS;
    sim_time delay = lo + (span_ms > 0 ? (sim_time)env_random_below(e, (uint64_t)span_ms) * SIM_MS : 0);
    if (delay < 0) delay = 0;
    c->state = RL_BACKOFF;
    c->giving_up = last;
    c->retry_timer = env_timer(e, delay, TAG_RETRY, 0);
    char d[32];
    sim_fmt_time(d, sizeof d, delay);
    env_trace(e, "%s in %s", last ? "giving up" : "next attempt", d);
    SIM_ASSERT(rl_invariants_ok(c));
}

static void attempt_failed(rl_client *c, env *e) {
    SIM_ASSERT(c->state == RL_UNLOCKING);
    SIM_ASSERT(c->round == ROUND_NONE);
    bool left = c->retry.attempts < 0 || (int64_t)c->attempts < c->retry.attempts;
    if (left) start_backoff(c, e, false);
    else if (c->retry.sleep_after_last) start_backoff(c, e, true);
    else give_up(c, e);
}

static void on_retry_timer(rl_client *c, env *e) {
    SIM_ASSERT(c->state == RL_BACKOFF);
    c->retry_timer = 0;
    if (c->giving_up) { give_up(c, e); return; }
    start_attempt(c, e);
}

static void rl_acquire(void *lc, env *e) {
    rl_client *c = lc;
    SIM_ASSERT(rl_invariants_ok(c));
    SIM_ASSERT(c->state == RL_IDLE);
    c->acquisitions++;
    c->attempts = 0;
    c->token = 0;
    snprintf(c->value, sizeof c->value, "%.20s:%u", env_node_name(e, env_self(e)), c->acquisitions);
    start_attempt(c, e);
}

/* ------------------------------------------------------------ extend, release */

static void on_extend_timer(rl_client *c, env *e) {
    c->extend_timer = 0;
    SIM_ASSERT(c->state == RL_HELD);
    SIM_ASSERT(c->round == ROUND_NONE);
    c->extensions++;
    start_round(c, e, ROUND_EXTEND);
}

static void extend_done(rl_client *c, env *e) {
    uint32_t ok = count_of(c, RES_YES);
    sim_time drift = rl_drift_ns(c->cfg);
    sim_time validity = c->cfg->ttl_ns - (env_now_mono(e) - c->round_start_mono) - drift;
    char v[32];
    sim_fmt_time(v, sizeof v, validity);
    if (ok >= c->quorum && validity > 0) {
        c->valid_until_mono = c->round_start_mono + c->cfg->ttl_ns - drift;
        record_lease(c, e, validity);
        env_trace(e, "extended %s on %u of %u masters; validity %s", c->value, ok, c->n, v);
        schedule_extend(c, e);
        return;
    }
    env_trace(e, "extension failed: %u of %u masters (quorum %u), validity %s; the lock is lost "
              "when its validity runs out, and the application is not told", ok, c->n, c->quorum, v);
}

static void release_done(rl_client *c, env *e) {
    uint32_t deleted = count_of(c, RES_YES), silent = count_of(c, RES_TIMEOUT);
    c->state = RL_IDLE;
    c->token = 0;
    SIM_ASSERT(rl_invariants_ok(c));
    if (deleted >= c->quorum) { c->hooks.released(c->hooks.owner, e, true, ""); return; }
    char why[HIST_NOTE_MAX];
    snprintf(why, sizeof why, "%sours on %u of %u masters", silent ? LOCK_WHY_TIMEOUT ": " : "",
             deleted, c->n);
    c->hooks.released(c->hooks.owner, e, false, why);
}

static void rl_release(void *lc, env *e) {
    rl_client *c = lc;
    SIM_ASSERT(rl_invariants_ok(c));
    SIM_ASSERT(c->state == RL_HELD);
    if (c->extend_timer) env_timer_cancel(e, c->extend_timer);
    c->extend_timer = 0;
    if (c->round == ROUND_EXTEND) round_abandon(c, e);
    c->state = RL_RELEASING;
    start_round(c, e, ROUND_RELEASE);
    SIM_ASSERT(rl_invariants_ok(c));
}

static void round_done(rl_client *c, env *e) {
    rl_round r = c->round;
    c->round = ROUND_NONE;
    switch (r) {
    case ROUND_LOCK: lock_done(c, e); break;
    case ROUND_UNLOCK: attempt_failed(c, e); break;
    case ROUND_RELEASE: release_done(c, e); break;
    case ROUND_EXTEND: extend_done(c, e); break;
    case ROUND_NONE: default: SIM_UNREACHABLE("round done"); break;
    }
}

/* ------------------------------------------------------------ events */

static uint32_t peer_of(const rl_client *c, node_id from) {
    for (uint32_t i = 0; i < c->n; i++)
        if (c->peers[i].node == from) return i;
    return UINT32_MAX;
}

static rl_result result_of(const rl_client *c, const rl_peer *p, const redis_reply *r) {
    switch ((rl_step)p->step) {
    case STEP_SET: return r->kind == REDIS_R_OK ? RES_YES : RES_NO;
    case STEP_WAIT:
        return r->kind == REDIS_R_INT && r->integer >= c->cfg->wait_replicas ? RES_YES : RES_NO;
    case STEP_CAD: case STEP_CAE: return r->kind == REDIS_R_INT && r->integer == 1 ? RES_YES : RES_NO;
    case STEP_NONE: default: SIM_UNREACHABLE("reply step"); return RES_NO;
    }
}

static void on_reply(rl_client *c, env *e, uint32_t i, const redis_reply *r) {
    rl_peer *p = &c->peers[i];
    rl_step step = (rl_step)p->step;
    rl_result res = result_of(c, p, r);
    clear_req(c, e, i);
    if (step == STEP_SET && res == RES_YES) p->token = r->token;
    if (step == STEP_WAIT && res == RES_NO)
        env_trace(e, "WAIT on %s: %" PRId64 " of %" PRId64 " replicas acknowledged; not counted",
                  node_name(e, p->node), r->integer, c->cfg->wait_replicas);
    if (step == STEP_SET && res == RES_YES && c->cfg->wait_replicas > 0) {
        send_step(c, e, i, STEP_WAIT);
        return;
    }
    peer_done(c, e, i, res);
}

static void on_switch(rl_client *c, env *e, const redis_switch *sw) {
    uint32_t i = peer_of(c, sw->old_master);
    if (i == UINT32_MAX || sw->new_master < 0 || (uint32_t)sw->new_master >= env_node_count(e)) return;
    env_trace(e, "+switch-master: %s replaces %s", node_name(e, sw->new_master),
              node_name(e, sw->old_master));
    c->peers[i].node = sw->new_master;   /* an outstanding request to the old one times out */
}

static bool rl_on_message(void *lc, env *e, node_id from, uint32_t type, const void *body,
                          uint32_t len) {
    rl_client *c = lc;
    SIM_ASSERT(rl_invariants_ok(c));
    if (type == REDIS_MSG_SWITCH && len == sizeof(redis_switch)) {
        redis_switch sw;
        memcpy(&sw, body, sizeof sw);
        on_switch(c, e, &sw);
        return true;
    }
    if (type != REDIS_MSG_REPLY || len != sizeof(redis_reply)) return false;
    redis_reply r;
    memcpy(&r, body, sizeof r);
    r.str[sizeof r.str - 1] = '\0';
    uint32_t i = peer_of(c, from);
    if (i == UINT32_MAX || r.req == 0 || r.req != c->peers[i].req) {
        env_trace(e, "reply to request %u ignored (timed out, or no longer waited for)", r.req);
        return true;
    }
    on_reply(c, e, i, &r);
    SIM_ASSERT(rl_invariants_ok(c));              /* after every transition a reply takes */
    return true;
}

static void on_node_timeout(rl_client *c, env *e, uint64_t arg) {
    uint32_t i = (uint32_t)(arg >> 32), req = (uint32_t)arg;
    SIM_ASSERT(i < c->n);
    rl_peer *p = &c->peers[i];
    if (p->req != req) return;                    /* answered meanwhile */
    p->timer = 0;                                 /* it has fired */
    p->req = 0;
    p->step = STEP_NONE;
    env_trace(e, "no reply from %s within the timeout", node_name(e, p->node));
    peer_done(c, e, i, RES_TIMEOUT);
}

static bool rl_on_timer(void *lc, env *e, uint32_t tag, uint64_t arg) {
    rl_client *c = lc;
    SIM_ASSERT(rl_invariants_ok(c));
    switch (tag) {
    case TAG_NODE_TIMEOUT: on_node_timeout(c, e, arg); break;
    case TAG_RETRY: on_retry_timer(c, e); break;
    case TAG_EXTEND: on_extend_timer(c, e); break;
    default: return false;
    }
    SIM_ASSERT(rl_invariants_ok(c));              /* after every transition a timer takes */
    return true;
}

/* ------------------------------------------------------------ lifecycle */

static void setup(rl_client *c, env *e, const lock_client_hooks *hooks, uint32_t acquisitions) {
    memset(c, 0, sizeof *c);
    c->acquisitions = acquisitions;
    c->cfg = env_proto_config(e);
    c->hooks = *hooks;
    rl_retry_of(c->cfg, &c->retry);
    node_id nodes[RL_NODES_MAX];
    c->n = env_nodes_of_role(e, "redis", nodes, RL_NODES_MAX);
    SIM_ASSERT(c->n > 0);                         /* the role table asks for at least one */
    for (uint32_t i = 0; i < c->n; i++) c->peers[i].node = nodes[i];
    c->quorum = c->cfg->quorum > 0 ? (uint32_t)c->cfg->quorum : c->n / 2 + 1;
    SIM_ASSERT(c->quorum <= c->n);                /* rl_validate */
}

static void rl_init(void *lc, env *e, const lock_client_hooks *hooks) {
    rl_client *c = lc;
    SIM_ASSERT(hooks != NULL);
    SIM_ASSERT(hooks->acquired != NULL);
    SIM_ASSERT(hooks->released != NULL);
    setup(c, e, hooks, c->acquisitions);          /* survives a crash: values stay unique */
    SIM_ASSERT(rl_invariants_ok(c));
}

/* The engine has cancelled every timer; volatile state goes. */
static void rl_on_crash(void *lc, env *e) {
    rl_client *c = lc;
    SIM_ASSERT(c->cfg != NULL);
    lock_client_hooks hooks = c->hooks;
    setup(c, e, &hooks, c->acquisitions);
    SIM_ASSERT(rl_invariants_ok(c));
}

static bool rl_still_valid(const void *lc, const env *e) {
    const rl_client *c = lc;
    SIM_ASSERT(rl_invariants_ok(c));
    if (c->state != RL_HELD) return false;
    if (!c->cfg->lease_check) return true;       /* a client that does not check trusts the lock */
    return env_now_mono(e) < c->valid_until_mono;
}

const lock_client_ops rl_lock_client = {
    .name = "redlock-client",
    .state_size = sizeof(rl_client),
    .init = rl_init,
    .acquire = rl_acquire,
    .release = rl_release,
    .on_message = rl_on_message,
    .on_timer = rl_on_timer,
    .on_crash = rl_on_crash,
    .still_valid = rl_still_valid,
};
