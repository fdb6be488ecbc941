/* advisory_client.c -- the advisory-lock client library: one database
 * connection, pg_advisory_lock / pg_try_advisory_lock / pg_advisory_unlock
 * (mode session) or BEGIN + pg_advisory_xact_lock / COMMIT (mode xact)
 * over it (advisory.h says the semantics).
 *
 * Main invariant (adc_invariants_ok): a request is outstanding exactly in
 * LOCKING and UNLOCKING; it has a timeout timer unless it is a blocking
 * lock (pg_advisory_lock waits as long as it takes, lock_timeout = 0).
 *
 * State diagram (the function that takes each edge in brackets):
 *
 *   IDLE --acquire [adc_acquire]--> LOCKING (connecting first when needed)
 *   LOCKING --granted [on_lock_reply]--> HELD
 *   LOCKING --false / connection gone / timeout [acquire_failed]--> IDLE
 *   HELD --release [adc_release]--> UNLOCKING --reply / FATAL / timeout [release_done]--> IDLE
 *   any --FATAL from the server [on_fatal]--> the connection is gone (HELD stays HELD:
 *       the lock went with it, and nothing interrupts the application)
 *
 * Keepalive probes are answered here, standing in for the host's kernel
 * (advisory.h: the modelling shortcut).  A process crash makes the kernel
 * close the socket (FIN: the server ends the connection at once); a power
 * loss sends nothing, and the server finds out by keepalive.
 */
#include "protocols/advisory/advisory.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

enum { TAG_REQ_TIMEOUT = 1650 };

typedef enum { ADC_IDLE = 0, ADC_LOCKING, ADC_HELD, ADC_UNLOCKING } adc_state;

typedef struct adv_client {
    const adv_cfg *cfg;
    lock_client_hooks hooks;
    node_id srv;
    adc_state state;
    uint32_t conns;               /* ever opened; survives a crash: sids never repeat */
    uint32_t sid;                 /* the current connection */
    bool conn_ok;                 /* not known to be gone */
    uint32_t req_next, req_out;
    timer_id req_timer;
} adv_client;

_Static_assert(sizeof(adv_client) <= LOCK_CLIENT_STATE_MAX, "adv_client fits a driver's slot");

static bool adc_invariants_ok(const adv_client *c) {
    if (c->cfg == NULL || c->srv < 0) return false;
    bool out = c->state == ADC_LOCKING || c->state == ADC_UNLOCKING;
    if (out != (c->req_out != 0)) return false;
    bool blocking = c->state == ADC_LOCKING && !c->cfg->try_lock;
    return !out || blocking || c->req_timer != 0;
}

static void send_req(adv_client *c, env *e, uint32_t type, uint32_t req) {
    adv_req q = { c->sid, req };
    env_send(e, c->srv, type, &q, sizeof q);
}

static void open_conn(adv_client *c, env *e) {
    c->sid = ++c->conns;
    c->conn_ok = true;
    send_req(c, e, ADV_MSG_CONNECT, 0);
}

static void send_main(adv_client *c, env *e, uint32_t type, bool timed) {
    SIM_ASSERT(c->req_out == 0);
    c->req_out = ++c->req_next;
    send_req(c, e, type, c->req_out);
    c->req_timer = timed ? env_timer(e, c->cfg->timeout_ns, TAG_REQ_TIMEOUT, c->req_out) : 0;
}

static void clear_main(adv_client *c, env *e) {
    env_timer_cancel(e, c->req_timer);
    c->req_timer = 0;
    c->req_out = 0;
}

static const char *lock_call(const adv_cfg *cfg) {
    if (cfg->mode == ADV_MODE_XACT)
        return cfg->try_lock ? "BEGIN; pg_try_advisory_xact_lock(42)" : "BEGIN; pg_advisory_xact_lock(42)";
    return cfg->try_lock ? "pg_try_advisory_lock(42)" : "pg_advisory_lock(42)";
}

/* ------------------------------------------------------------ acquire */

static void acquire_failed(adv_client *c, env *e, const char *why) {
    SIM_ASSERT(c->state == ADC_LOCKING);
    clear_main(c, e);
    env_trace(e, "acquire failed: %s", why);
    c->state = ADC_IDLE;
    SIM_ASSERT(adc_invariants_ok(c));
    c->hooks.acquired(c->hooks.owner, e, false, 0, 0, why);
}

static void adc_acquire(void *lc, env *e) {
    adv_client *c = lc;
    SIM_ASSERT(adc_invariants_ok(c));
    SIM_ASSERT(c->state == ADC_IDLE);
    if (!c->conn_ok) open_conn(c, e);
    c->state = ADC_LOCKING;
    send_main(c, e, ADV_MSG_LOCK, c->cfg->try_lock);
    SIM_ASSERT(adc_invariants_ok(c));
}

static void on_lock_reply(adv_client *c, env *e, const adv_reply *p) {
    if (p->status == ADV_ST_FALSE) { acquire_failed(c, e, "not granted: another session holds it"); return; }
    if (p->status == ADV_ST_NO_CONN) {
        c->conn_ok = false;
        acquire_failed(c, e, "connection lost");
        return;
    }
    if (p->status != ADV_ST_OK) { acquire_failed(c, e, "no server connection free"); return; }
    clear_main(c, e);
    c->state = ADC_HELD;
    env_trace(e, "holds the lock: %s returned on backend %u", lock_call(c->cfg), p->backend);
    SIM_ASSERT(adc_invariants_ok(c));
    c->hooks.acquired(c->hooks.owner, e, true, p->token, SIM_TIME_NEVER, "");
}

/* ------------------------------------------------------------ release */

static void release_done(adv_client *c, env *e, bool ok, const char *why) {
    SIM_ASSERT(c->state == ADC_UNLOCKING);
    clear_main(c, e);
    c->state = ADC_IDLE;
    SIM_ASSERT(adc_invariants_ok(c));
    c->hooks.released(c->hooks.owner, e, ok, why);
}

static void adc_release(void *lc, env *e) {
    adv_client *c = lc;
    SIM_ASSERT(adc_invariants_ok(c));
    SIM_ASSERT(c->state == ADC_HELD);
    c->state = ADC_UNLOCKING;
    send_main(c, e, ADV_MSG_UNLOCK, true);
    SIM_ASSERT(adc_invariants_ok(c));
}

static void on_unlock_reply(adv_client *c, env *e, const adv_reply *p) {
    if (p->status == ADV_ST_OK) release_done(c, e, true, "");
    else if (p->status == ADV_ST_FALSE)
        release_done(c, e, false, "pg_advisory_unlock returned false: this backend does not hold it");
    else {
        if (p->status == ADV_ST_NO_CONN) c->conn_ok = false;
        release_done(c, e, false, "connection gone: the lock had already gone with it");
    }
}

/* ------------------------------------------------------------ events */

static void on_fatal(adv_client *c, env *e, const adv_reply *p) {
    if (p->sid != c->sid || !c->conn_ok) return;
    c->conn_ok = false;
    env_trace(e, "FATAL: terminating connection (%s)%s", adv_end_name((adv_end)p->why),
              c->state == ADC_HELD ? "; the lock went with it, and the application is not told" : "");
    if (c->state == ADC_LOCKING) acquire_failed(c, e, "connection lost");
    else if (c->state == ADC_UNLOCKING) release_done(c, e, false, "connection gone");
}

static bool adc_on_message(void *lc, env *e, node_id from, uint32_t type, const void *body,
                           uint32_t len) {
    adv_client *c = lc;
    SIM_ASSERT(adc_invariants_ok(c));
    if (from != c->srv || len != sizeof(adv_reply)) return false;
    if (type != ADV_MSG_REPLY && type != ADV_MSG_KA_PROBE && type != ADV_MSG_FATAL) return false;
    adv_reply p;
    memcpy(&p, body, sizeof p);
    if (type == ADV_MSG_KA_PROBE) {
        if (p.sid == c->sid && c->conn_ok) send_req(c, e, ADV_MSG_KA_ACK, p.req);
    } else if (type == ADV_MSG_FATAL) {
        on_fatal(c, e, &p);
    } else if (p.op == ADV_MSG_CONNECT) {
        if (p.sid == c->sid && p.status != ADV_ST_OK) c->conn_ok = false;
    } else if (p.sid != c->sid || p.req == 0 || p.req != c->req_out) {
        env_trace(e, "reply to request %u ignored (timed out, or an older connection's)", p.req);
    } else if (c->state == ADC_LOCKING) {
        on_lock_reply(c, e, &p);
    } else {
        on_unlock_reply(c, e, &p);
    }
    SIM_ASSERT(adc_invariants_ok(c));
    return true;
}

static bool adc_on_timer(void *lc, env *e, uint32_t tag, uint64_t arg) {
    adv_client *c = lc;
    SIM_ASSERT(adc_invariants_ok(c));
    if (tag != TAG_REQ_TIMEOUT) return false;
    if (arg != c->req_out) return true;
    c->req_timer = 0;
    if (c->state == ADC_UNLOCKING) release_done(c, e, false, LOCK_WHY_TIMEOUT ": no reply to the unlock");
    else acquire_failed(c, e, LOCK_WHY_TIMEOUT ": no reply from the server");
    SIM_ASSERT(adc_invariants_ok(c));
    return true;
}

/* ------------------------------------------------------------ lifecycle */

static void adc_init(void *lc, env *e, const lock_client_hooks *hooks) {
    adv_client *c = lc;
    SIM_ASSERT(hooks != NULL);
    SIM_ASSERT(hooks->acquired != NULL && hooks->released != NULL);
    uint32_t conns = c->conns;                    /* survives a crash */
    memset(c, 0, sizeof *c);
    c->conns = conns;
    c->cfg = env_proto_config(e);
    c->hooks = *hooks;
    node_id srv[1];
    uint32_t n = env_nodes_of_role(e, "server", srv, 1);
    SIM_ASSERT(n == 1);                           /* the role table asks for exactly one */
    c->srv = srv[0];
    SIM_ASSERT(adc_invariants_ok(c));
}

/* A process crash: the kernel closes the socket (FIN goes out, as the
 * bytes a crashed process handed its kernel do: env.h).  A power loss: the
 * host is gone and says nothing. */
static void adc_on_crash(void *lc, env *e) {
    adv_client *c = lc;
    SIM_ASSERT(c->cfg != NULL);
    if (c->conn_ok && !env_crash_is_power_loss(e)) send_req(c, e, ADV_MSG_FIN, 0);
    c->state = ADC_IDLE;
    c->conn_ok = false;
    c->req_out = 0;
    c->req_timer = 0;
}

static bool adc_still_valid(const void *lc, const env *e) {
    const adv_client *c = lc;
    SIM_ASSERT(adc_invariants_ok(c));
    (void)e;
    return c->state == ADC_HELD;                  /* no lease: the client trusts its connection */
}

const lock_client_ops adv_lock_client = {
    .name = "advisory-lock-client",
    .state_size = sizeof(adv_client),
    .init = adc_init,
    .acquire = adc_acquire,
    .release = adc_release,
    .on_message = adc_on_message,
    .on_timer = adc_on_timer,
    .on_crash = adc_on_crash,
    .still_valid = adc_still_valid,
};
