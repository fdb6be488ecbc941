/* setnx_lock.c -- the setnx-lock client library and the protocol descriptor.
 *
 * The client takes one lock key on one Redis node, in the variant the
 * scenario asks for, and tells its owner (the workload driver) through
 * lock_client_hooks.  Main invariant: at most one request to Redis is
 * outstanding on the main line (acquire step or release), plus at most one
 * watchdog renewal; every outstanding request has a timeout timer, and a
 * reply is accepted only when its request id is the outstanding one (late
 * replies to timed-out requests are ignored, as a client that has moved on
 * would ignore them).
 *
 * State diagram (the function that takes each edge in brackets):
 *
 *             snx_acquire [start_attempt]
 *      IDLE ------------------------------> ACQUIRING <-------------------+
 *       ^                                    |  |  |                      |
 *       |      attempt failed, retries left  |  |  | step done,           |
 *       |      [attempt_failed]              |  |  | more steps           |
 *       |          +-------------------------+  |  +--[next_step]--> (same)
 *       |          v                            |
 *       |       BACKOFF --retry timer [on_retry_timer -> start_attempt]--+
 *       |                                       |
 *       +--- no retries left [give_up] ---------+ last step ok [granted]
 *       |                                       v
 *       |                                     HELD --watchdog timer--> HELD
 *       |                                       |   [on_watchdog_timer, on_renew_reply]
 *       |                                       | snx_release [snx_release]
 *       |                                       v
 *       +--- reply or timeout [release_done] - RELEASING
 *
 * Acquire steps per variant:  set-nx-px: SET NX [PX]
 *                             setnx-then-expire: SETNX, then PEXPIRE (when a TTL is set)
 *                             get-then-set: GET, then SET [PX] if the GET said nil
 * The lease: valid_until = (monotonic time the attempt's first request was
 * sent) + TTL; a watchdog renewal moves it to (renewal sent) + timeout.
 * Hooks are called last, after the state is consistent, because the owner
 * may call acquire/release from inside them.
 */
#include "protocols/setnx_lock/setnx_lock.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "protocols/redis/redis.h"
#include "protocols/storage/storage.h"
#include "sim/family.h"

/* The family's timer tags: SNX_TAG_BASE .. +99 (snx_family below), inside
 * lock_api.h's lock range so a lock workload hands them to us. */
#define SNX_TAG_BASE 1000u
enum {
    TAG_REQ_TIMEOUT = SNX_TAG_BASE + 1,   /* arg = request id */
    TAG_RETRY = SNX_TAG_BASE + 2,
    TAG_WATCHDOG = SNX_TAG_BASE + 3,
    TAG_RENEW_TIMEOUT = SNX_TAG_BASE + 4  /* arg = request id */
};
_Static_assert(SNX_TAG_BASE >= LOCK_TAG_MIN, "tags in the lock range");
_Static_assert(SNX_TAG_BASE + 99 <= LOCK_TAG_MAX, "tags in the lock range");

typedef enum { SNX_IDLE = 0, SNX_ACQUIRING, SNX_BACKOFF, SNX_HELD, SNX_RELEASING } snx_state;

typedef enum {
    STEP_NONE = 0, STEP_SET, STEP_SETNX, STEP_EXPIRE, STEP_GET, STEP_SET_AFTER_GET, STEP_RELEASE
} snx_step;

typedef struct snx_client {
    const snx_cfg *cfg;
    lock_client_hooks hooks;
    node_id redis;
    snx_state state;
    snx_step step;                /* the outstanding main-line request */
    uint32_t req_next;            /* request ids, from 1 */
    uint32_t req_out;             /* outstanding main-line request, 0 = none */
    timer_id req_timer;
    timer_id retry_timer;
    uint32_t attempts;            /* in the current acquisition */
    uint32_t acquisitions;        /* ever; keeps lock values unique across crashes */
    char value[REDIS_VALUE_MAX];  /* "c1:1" */
    sim_time attempt_start_mono;
    sim_time valid_until_mono;
    int64_t token;
    bool last_timed_out;          /* the last failed attempt had no reply */
    bool wd_active;               /* watchdog renewing */
    timer_id wd_timer;
    uint32_t wd_req;              /* outstanding renewal, 0 = none */
    timer_id wd_req_timer;
    sim_time wd_sent_mono;
    uint32_t renewals;
} snx_client;

_Static_assert(sizeof(snx_client) <= LOCK_CLIENT_STATE_MAX, "snx_client fits a driver's slot");

static bool snx_invariants_ok(const snx_client *c) {
    if (c->cfg == NULL) return false;
    switch (c->state) {
    case SNX_IDLE: if (c->req_out || c->retry_timer) return false; break;
    case SNX_ACQUIRING:
        if (!c->req_out || c->step == STEP_NONE || c->step == STEP_RELEASE) return false;
        break;
    case SNX_BACKOFF: if (c->req_out || !c->retry_timer) return false; break;
    case SNX_HELD: if (c->req_out || c->value[0] == '\0') return false; break;
    case SNX_RELEASING: if (!c->req_out || c->step != STEP_RELEASE) return false; break;
    }
    if (c->wd_active && c->state != SNX_HELD) return false;
    if (c->wd_req && !c->wd_active) return false;
    if (c->state == SNX_HELD && c->cfg->fencing && c->token < c->cfg->fencing_first_token)
        return false;
    return true;
}

/* The lease length: Redisson's lock() without leaseTime uses the watchdog
 * timeout as the TTL; -1 = no TTL. */
static sim_time lease_ns(const snx_cfg *cfg) {
    return cfg->watchdog ? cfg->watchdog_timeout_ns : cfg->ttl_ns;
}

static sim_time ms_of(sim_time ns) { return (ns + SIM_MS - 1) / SIM_MS; }   /* PX is whole ms */

static void fmt_dur(char *buf, size_t n, sim_time t) { sim_fmt_time(buf, n, t); }

/* The param table refuses a timeout <= 0; the floor keeps a run from
 * spinning at one instant should a cfg come from elsewhere. */
static sim_time timeout_of(const snx_cfg *cfg) { return cfg->timeout_ns > 0 ? cfg->timeout_ns : SIM_MS; }

/* ------------------------------------------------------------ requests */

static void send_main(snx_client *c, env *e, snx_step step, redis_cmd *cmd) {
    SIM_ASSERT(c->req_out == 0);
    SIM_ASSERT(step != STEP_NONE);
    cmd->req = ++c->req_next;
    c->req_out = cmd->req;
    c->step = step;
    env_send(e, c->redis, REDIS_MSG_CMD, cmd, sizeof *cmd);
    c->req_timer = env_timer(e, timeout_of(c->cfg), TAG_REQ_TIMEOUT, cmd->req);
}

static void clear_main(snx_client *c, env *e) {
    SIM_ASSERT(c->req_out != 0);
    env_timer_cancel(e, c->req_timer);
    c->req_timer = 0;
    c->req_out = 0;
    c->step = STEP_NONE;
}

static void add_fence(const snx_client *c, redis_cmd *cmd) {
    if (!c->cfg->fencing) return;
    cmd->flags |= REDIS_F_FENCE;
    cmd->first_token = c->cfg->fencing_first_token;
    memcpy(cmd->fence_key, SNX_FENCE_KEY, sizeof SNX_FENCE_KEY);
}

/* Sends one acquire step. */
static void send_step(snx_client *c, env *e, snx_step step) {
    const snx_cfg *cfg = c->cfg;
    sim_time lease = lease_ns(cfg);
    redis_cmd cmd;
    switch (step) {
    case STEP_SET: case STEP_SET_AFTER_GET:
        redis_cmd_init(&cmd, 0, REDIS_SET, SNX_KEY, c->value);
        if (step == STEP_SET) cmd.flags |= REDIS_F_NX;
        if (lease >= 0) { cmd.flags |= REDIS_F_PX; cmd.ms = ms_of(lease); }
        add_fence(c, &cmd);
        break;
    case STEP_SETNX:
        redis_cmd_init(&cmd, 0, REDIS_SETNX, SNX_KEY, c->value);
        add_fence(c, &cmd);
        break;
    case STEP_EXPIRE:
        SIM_ASSERT(lease >= 0);
        redis_cmd_init(&cmd, 0, REDIS_PEXPIRE, SNX_KEY, NULL);
        cmd.ms = ms_of(lease);
        break;
    case STEP_GET: redis_cmd_init(&cmd, 0, REDIS_GET, SNX_KEY, NULL); break;
    case STEP_NONE: case STEP_RELEASE: default: SIM_UNREACHABLE("not an acquire step"); return;
    }
    send_main(c, e, step, &cmd);
}

static snx_step first_step(const snx_cfg *cfg) {
    switch ((snx_acquire_mode)cfg->acquire) {
    case SNX_ACQ_SET_NX_PX: return STEP_SET;
    case SNX_ACQ_SETNX_THEN_EXPIRE: return STEP_SETNX;
    case SNX_ACQ_GET_THEN_SET: return STEP_GET;
    }
    SIM_UNREACHABLE("acquire mode");
    return STEP_NONE;
}

/* ------------------------------------------------------------ watchdog */

static void watchdog_stop(snx_client *c, env *e) {
    if (c->wd_timer) env_timer_cancel(e, c->wd_timer);
    if (c->wd_req_timer) env_timer_cancel(e, c->wd_req_timer);
    c->wd_timer = 0;
    c->wd_req_timer = 0;
    c->wd_req = 0;
    c->wd_active = false;
}

static void watchdog_schedule(snx_client *c, env *e) {
    SIM_ASSERT(c->wd_active);
    SIM_ASSERT(c->wd_timer == 0);
    sim_time every = c->cfg->watchdog_timeout_ns / 3;   /* Redisson: timeout / 3 */
    c->wd_timer = env_timer(e, every > 0 ? every : SIM_MS, TAG_WATCHDOG, 0);
}

/* Redisson renewExpiration(): every timeout/3, `pexpire key timeout` if the
 * key still holds our value.  The timer lives in this process, so a pause
 * of the process delays it (it fires late, when the process resumes). */
static void on_watchdog_timer(snx_client *c, env *e) {
    c->wd_timer = 0;
    SIM_ASSERT(c->wd_active);
    SIM_ASSERT(c->state == SNX_HELD);
    SIM_ASSERT(c->wd_req == 0);
    redis_cmd cmd;
    redis_cmd_init(&cmd, ++c->req_next, REDIS_CAE, SNX_KEY, c->value);
    cmd.ms = ms_of(c->cfg->watchdog_timeout_ns);
    c->wd_req = cmd.req;
    c->wd_sent_mono = env_now_mono(e);
    env_send(e, c->redis, REDIS_MSG_CMD, &cmd, sizeof cmd);
    c->wd_req_timer = env_timer(e, timeout_of(c->cfg), TAG_RENEW_TIMEOUT, cmd.req);
}

static void on_renew_reply(snx_client *c, env *e, const redis_reply *p) {
    SIM_ASSERT(p->req == c->wd_req);
    SIM_ASSERT(c->wd_active);
    env_timer_cancel(e, c->wd_req_timer);
    c->wd_req_timer = 0;
    c->wd_req = 0;
    if (p->kind == REDIS_R_INT && p->integer == 1) {
        c->renewals++;
        c->valid_until_mono = c->wd_sent_mono + c->cfg->watchdog_timeout_ns;
        watchdog_schedule(c, e);
        return;
    }
    if (p->kind == REDIS_R_ERR) {                 /* newer Redisson: try again later */
        env_trace(e, "watchdog: renewal failed (%s); will retry", p->str);
        watchdog_schedule(c, e);
        return;
    }
    c->wd_active = false;
    env_trace(e, "watchdog: renewal returned 0 (the key is no longer %s); renewal stops, "
                 "the application is not told", c->value);
}

static void on_renew_timeout(snx_client *c, env *e, uint64_t req) {
    if (req != c->wd_req) return;                 /* answered, or the lock was released */
    c->wd_req_timer = 0;
    c->wd_req = 0;
    env_trace(e, "watchdog: renewal got no reply in time; will retry");
    watchdog_schedule(c, e);
}

/* ------------------------------------------------------------ acquire */

static void start_attempt(snx_client *c, env *e) {
    SIM_ASSERT(c->state == SNX_IDLE || c->state == SNX_BACKOFF);
    SIM_ASSERT(c->req_out == 0);
    c->state = SNX_ACQUIRING;
    c->attempts++;
    c->attempt_start_mono = env_now_mono(e);
    send_step(c, e, first_step(c->cfg));
    SIM_ASSERT(snx_invariants_ok(c));
}

static void granted(snx_client *c, env *e, int64_t token) {
    SIM_ASSERT(c->state == SNX_ACQUIRING);
    SIM_ASSERT(c->req_out == 0);
    sim_time lease = lease_ns(c->cfg);
    c->state = SNX_HELD;
    c->token = token;
    c->valid_until_mono = lease < 0 ? SIM_TIME_NEVER : c->attempt_start_mono + lease;
    if (c->cfg->watchdog) {
        c->wd_active = true;
        watchdog_schedule(c, e);
    }
    char left[32] = "forever (no TTL)", tok[40] = "";
    if (lease >= 0) fmt_dur(left, sizeof left, c->valid_until_mono - env_now_mono(e));
    if (c->cfg->fencing) snprintf(tok, sizeof tok, ", token %" PRId64, token);
    env_trace(e, "acquired key '%s' as %s after %u attempt%s%s; lease left by my clock: %s",
              SNX_KEY, c->value, c->attempts, c->attempts == 1 ? "" : "s", tok, left);
    SIM_ASSERT(snx_invariants_ok(c));
    c->hooks.acquired(c->hooks.owner, e, true, token, c->valid_until_mono, "");
}

static void give_up(snx_client *c, env *e, const char *why) {
    SIM_ASSERT(c->state == SNX_ACQUIRING);
    char note[HIST_NOTE_MAX];
    snprintf(note, sizeof note, "%sgave up after %u attempts", c->last_timed_out ?
             LOCK_WHY_TIMEOUT ": " : "", c->attempts);
    env_trace(e, "acquire: %s (last: %s)", note, why);
    c->state = SNX_IDLE;
    SIM_ASSERT(snx_invariants_ok(c));
    c->hooks.acquired(c->hooks.owner, e, false, 0, 0, note);
}

static void attempt_failed(snx_client *c, env *e, const char *why, bool timed_out) {
    SIM_ASSERT(c->state == SNX_ACQUIRING);
    SIM_ASSERT(c->req_out == 0);
    c->last_timed_out = timed_out;
    if (c->cfg->retry_max >= 0 && (int64_t)c->attempts > c->cfg->retry_max) {
        give_up(c, e, why);
        return;
    }
    /* The param table refuses a period <= 0; should a cfg come from
     * elsewhere, 1 ms keeps a failing loop from spinning at one instant. */
    sim_time every = c->cfg->retry_every_ns > 0 ? c->cfg->retry_every_ns : SIM_MS;
    sim_time next = c->attempt_start_mono + every;
    sim_time delay = next - env_now_mono(e);
    if (delay < 0) delay = 0;
    c->state = SNX_BACKOFF;
    c->retry_timer = env_timer(e, delay, TAG_RETRY, 0);
    char d[32];
    fmt_dur(d, sizeof d, delay);
    env_trace(e, "acquire attempt %u failed (%s); next attempt in %s", c->attempts, why, d);
    SIM_ASSERT(snx_invariants_ok(c));
}

static void on_retry_timer(snx_client *c, env *e) {
    SIM_ASSERT(c->state == SNX_BACKOFF);
    c->retry_timer = 0;
    start_attempt(c, e);
}

static const char *failure_why(const redis_reply *p) {
    return p->kind == REDIS_R_ERR ? p->str : "held by another client";
}

/* One reply to an acquire step: go on to the next step, or finish. */
static void on_acquire_reply(snx_client *c, env *e, const redis_reply *p) {
    snx_step step = c->step;
    clear_main(c, e);
    bool one = p->kind == REDIS_R_INT && p->integer == 1;
    switch (step) {
    case STEP_SET: case STEP_SET_AFTER_GET:
        if (p->kind == REDIS_R_OK) granted(c, e, p->token);
        else attempt_failed(c, e, failure_why(p), false);
        return;
    case STEP_SETNX:
        if (!one) { attempt_failed(c, e, failure_why(p), false); return; }
        c->token = p->token;
        if (lease_ns(c->cfg) >= 0) send_step(c, e, STEP_EXPIRE);
        else granted(c, e, c->token);
        return;
    case STEP_EXPIRE:                 /* `r.setnx(...); r.expire(...)`: the result is not checked */
        granted(c, e, c->token);
        return;
    case STEP_GET:
        if (p->kind == REDIS_R_NIL) send_step(c, e, STEP_SET_AFTER_GET);
        else attempt_failed(c, e, failure_why(p), false);
        return;
    case STEP_NONE: case STEP_RELEASE: default: SIM_UNREACHABLE("acquire step"); return;
    }
}

static void snx_acquire(void *lc, env *e) {
    snx_client *c = lc;
    SIM_ASSERT(snx_invariants_ok(c));
    SIM_ASSERT(c->state == SNX_IDLE);
    c->acquisitions++;
    c->attempts = 0;
    c->token = 0;
    c->last_timed_out = false;
    snprintf(c->value, sizeof c->value, "%.20s:%u", env_node_name(e, env_self(e)), c->acquisitions);
    start_attempt(c, e);
}

/* ------------------------------------------------------------ release */

static void release_done(snx_client *c, env *e, bool ok, const char *why) {
    SIM_ASSERT(c->state == SNX_RELEASING);
    SIM_ASSERT(c->req_out == 0);
    c->state = SNX_IDLE;
    c->token = 0;
    SIM_ASSERT(snx_invariants_ok(c));
    c->hooks.released(c->hooks.owner, e, ok, why);
}

static void on_release_reply(snx_client *c, env *e, const redis_reply *p) {
    SIM_ASSERT(c->step == STEP_RELEASE);
    clear_main(c, e);
    if (p->kind == REDIS_R_INT && p->integer == 1) { release_done(c, e, true, ""); return; }
    if (p->kind == REDIS_R_ERR) { release_done(c, e, false, p->str); return; }
    release_done(c, e, false, c->cfg->release == SNX_REL_CAD ? "not ours (gone or another's)"
                                                              : "the key was already gone");
}

static void snx_release(void *lc, env *e) {
    snx_client *c = lc;
    SIM_ASSERT(snx_invariants_ok(c));
    SIM_ASSERT(c->state == SNX_HELD);
    watchdog_stop(c, e);
    redis_cmd cmd;
    if (c->cfg->release == SNX_REL_CAD) redis_cmd_init(&cmd, 0, REDIS_CAD, SNX_KEY, c->value);
    else redis_cmd_init(&cmd, 0, REDIS_DEL, SNX_KEY, NULL);
    c->state = SNX_RELEASING;
    send_main(c, e, STEP_RELEASE, &cmd);
    SIM_ASSERT(snx_invariants_ok(c));
}

/* ------------------------------------------------------------ events */

static void on_main_timeout(snx_client *c, env *e, uint64_t req) {
    if (req != c->req_out) return;                /* cancelled late; nothing outstanding */
    c->req_timer = 0;                             /* it has fired */
    c->req_out = 0;
    c->step = STEP_NONE;
    if (c->state == SNX_ACQUIRING) {
        attempt_failed(c, e, LOCK_WHY_TIMEOUT ": no reply from redis", true);
        return;
    }
    SIM_ASSERT(c->state == SNX_RELEASING);
    release_done(c, e, false, LOCK_WHY_TIMEOUT ": no reply to the release");
}

static bool snx_on_message(void *lc, env *e, node_id from, uint32_t type, const void *body,
                           uint32_t len) {
    snx_client *c = lc;
    SIM_ASSERT(snx_invariants_ok(c));
    if (type != REDIS_MSG_REPLY || len != sizeof(redis_reply) || from != c->redis) return false;
    redis_reply p;
    memcpy(&p, body, sizeof p);
    p.str[sizeof p.str - 1] = '\0';
    if (p.req != 0 && p.req == c->req_out) {
        if (c->state == SNX_ACQUIRING) on_acquire_reply(c, e, &p);
        else on_release_reply(c, e, &p);
    } else if (p.req != 0 && p.req == c->wd_req) {
        on_renew_reply(c, e, &p);
    } else {
        env_trace(e, "reply to request %u ignored (timed out, or no longer waited for)", p.req);
    }
    SIM_ASSERT(snx_invariants_ok(c));             /* after every transition a reply takes */
    return true;
}

static bool snx_on_timer(void *lc, env *e, uint32_t tag, uint64_t arg) {
    snx_client *c = lc;
    SIM_ASSERT(snx_invariants_ok(c));
    switch (tag) {
    case TAG_REQ_TIMEOUT: on_main_timeout(c, e, arg); break;
    case TAG_RETRY: on_retry_timer(c, e); break;
    case TAG_WATCHDOG: on_watchdog_timer(c, e); break;
    case TAG_RENEW_TIMEOUT: on_renew_timeout(c, e, arg); break;
    default: return false;
    }
    SIM_ASSERT(snx_invariants_ok(c));             /* after every transition a timer takes */
    return true;
}

static void snx_init(void *lc, env *e, const lock_client_hooks *hooks) {
    snx_client *c = lc;
    SIM_ASSERT(hooks != NULL);
    SIM_ASSERT(hooks->acquired != NULL);
    SIM_ASSERT(hooks->released != NULL);
    uint32_t acquisitions = c->acquisitions;      /* survives a crash: values stay unique */
    memset(c, 0, sizeof *c);
    c->acquisitions = acquisitions;
    c->cfg = env_proto_config(e);
    c->hooks = *hooks;
    node_id r[1];
    uint32_t n = env_nodes_of_role(e, "redis", r, 1);
    SIM_ASSERT(n == 1);                           /* the role table asks for exactly one */
    c->redis = r[0];
    SIM_ASSERT(snx_invariants_ok(c));
}

/* The engine has cancelled every timer; volatile state goes. */
static void snx_on_crash(void *lc, env *e) {
    snx_client *c = lc;
    SIM_ASSERT(c->cfg != NULL);
    SIM_ASSERT(env_self(e) >= 0);
    uint32_t acquisitions = c->acquisitions;
    const snx_cfg *cfg = c->cfg;
    lock_client_hooks hooks = c->hooks;
    node_id redis = c->redis;
    memset(c, 0, sizeof *c);
    c->acquisitions = acquisitions;
    c->cfg = cfg;
    c->hooks = hooks;
    c->redis = redis;
    SIM_ASSERT(snx_invariants_ok(c));
}

static bool snx_still_valid(const void *lc, const env *e) {
    const snx_client *c = lc;
    SIM_ASSERT(snx_invariants_ok(c));
    if (c->state != SNX_HELD) return false;
    if (!c->cfg->lease_check) return true;       /* a client that does not check trusts the lock */
    return env_now_mono(e) < c->valid_until_mono;
}

const lock_client_ops snx_lock_client = {
    .name = "setnx-lock-client",
    .state_size = sizeof(snx_client),
    .init = snx_init,
    .acquire = snx_acquire,
    .release = snx_release,
    .on_message = snx_on_message,
    .on_timer = snx_on_timer,
    .on_crash = snx_on_crash,
    .still_valid = snx_still_valid,
};

/* ------------------------------------------------------------ protocol */

#define CFG_AT(field) offsetof(snx_cfg, field)

static const param_spec snx_params[] = {
    PARAM_DURATION_OR_NONE_SPEC("ttl", "10s",
        "lock validity (SET ... PX; Redis refuses PX 0); with none the key lives until deleted",
        CFG_AT(ttl_ns), SIM_NS, PARAM_NO_MAX),
    PARAM_ENUM_SPEC("acquire", "set-nx-px",
        "one atomic SET NX PX, SETNX then PEXPIRE, or GET then SET (a race)",
        CFG_AT(acquire), "set-nx-px|setnx-then-expire|get-then-set"),
    PARAM_ENUM_SPEC("release", "compare-and-delete",
        "compare-and-delete deletes only our value; del deletes whatever is there",
        CFG_AT(release), "compare-and-delete|del"),
    PARAM_DURATION_SPEC("retry.every", "100ms",
        "period of acquire attempts, measured from each attempt's start",
        CFG_AT(retry_every_ns), SIM_NS, PARAM_NO_MAX),
    PARAM_INT_SPEC("retry.max", "-1", "retries after the first attempt; -1 = unlimited",
        CFG_AT(retry_max), -1, 1000000000),
    PARAM_BOOL_SPEC("lease_check", "false",
        "check the lease on the local monotonic clock before each protected op",
        CFG_AT(lease_check)),
    PARAM_BOOL_SPEC("fencing", "false",
        "a token per grant (INCR in the same atomic step); storage rejects stale tokens",
        CFG_AT(fencing)),
    PARAM_INT_SPEC("fencing.first_token", "1", "the first fencing token handed out",
        CFG_AT(fencing_first_token), 1, 1000000000000000000),
    PARAM_BOOL_SPEC("watchdog", "false",
        "Redisson: TTL = watchdog.timeout, renewed every timeout/3 while held",
        CFG_AT(watchdog)),
    PARAM_DURATION_SPEC("watchdog.timeout", "30s", "Redisson lockWatchdogTimeout",
        CFG_AT(watchdog_timeout_ns), 3 * SIM_MS, PARAM_NO_MAX),
    PARAM_DURATION_SPEC("timeout", "50ms",
        "per-request timeout to Redis; no reply in time = a failed attempt",
        CFG_AT(timeout_ns), SIM_NS, PARAM_NO_MAX),
};

static const proto_desc snx_proto = {
    .name = "setnx-lock",
    .summary = "one Redis node: SET NX PX and the variants people write (no TTL, DEL, "
               "GET-then-SET), lease check, fencing, Redisson watchdog",
    .params = snx_params,
    .param_count = sizeof snx_params / sizeof snx_params[0],
    .cfg_size = sizeof(snx_cfg),
    .roles = {
        { "redis", &redis_model_ops, 1, 1, "exactly one redis node", NULL },
        { "storage", &stor_model_ops, 0, 1, "at most one storage node (the protected counter)", NULL },
        { "client", NULL, 1, SIM_NODES_MAX, "one or more clients (the workload drives them)", NULL },
    },
    .role_count = 3,
    .workloads = { "lock-counter", NULL },
    .checks = { "mutual-exclusion", "lease-overlap", "lost-update", "liveness", NULL },
    .lock_client = &snx_lock_client,
};

/* The setnx-lock client library's timers (it speaks Redis). */
static const proto_desc *const snx_protocols[] = { &snx_proto, NULL };

const family_desc snx_family = {
    .name = "setnx-lock",
    .tags = { { SNX_TAG_BASE, SNX_TAG_BASE + 99 } },
    .protocols = snx_protocols,
};
