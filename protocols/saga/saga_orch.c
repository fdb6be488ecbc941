/* saga_orch.c -- the saga orchestrator: a library the workload driver embeds
 * on each orchestrator node (saga.h).
 *
 * Main invariant: a saga is either moving forward through T1..Tn or
 * compensating Cj..C1, never both; at most one command of a saga is out,
 * and only the reply to that very attempt counts; the saga log (the
 * records below) is written before each command is sent, so a durable
 * orchestrator that restarts re-sends the command it was waiting on.
 *
 * State diagram of one saga (the function per edge):
 *
 *   (free) --start [saga_orch_start -> send_current]--> FORWARD(1)
 *   FORWARD(i) --ok/skip, i < n [on_reply -> advance]--> FORWARD(i+1)
 *   FORWARD(n) --ok/skip [on_reply -> advance -> end_saga]--> (free) COMPLETED
 *   FORWARD(i) --refused [on_reply -> compensate_from(i-1)]--> COMPENSATING(j) | (free) COMPENSATED
 *   FORWARD(i) --timeout, compensatable [on_attempt_timeout -> compensate_from(i)]--> COMPENSATING(i)
 *   FORWARD(i) --timeout, pivot or retriable [on_attempt_timeout -> retry_later]--> FORWARD(i)
 *   COMPENSATING(j) --ok/skip [on_reply -> compensate_from(j-1)]--> COMPENSATING(j') | (free) COMPENSATED
 *   COMPENSATING(j) --timeout [on_attempt_timeout -> retry_later]--> COMPENSATING(j) | (free) gave up
 *   any --crash [saga_orch_crash]--> durable: kept / memory: lost
 *       --restart [saga_orch_restart -> send_current]--> the same state, next attempt
 *   choreography: (free) --start--> RUNNING --EVENT [on_event -> end_saga]--> (free)
 *
 * Crash or power loss (sim/env.h): the same here.  A durable log is forced
 * before the command it records is sent, so a power loss finds it on disk;
 * a memory log is lost to either.
 *
 * Trade-off: a fixed table of SAGA_ACTIVE_MAX sagas; the log keeps only the
 * sagas in flight (an ended saga is forgotten), which is all recovery needs.
 */
#include "protocols/saga/saga.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum { TAG_ATTEMPT = 820, TAG_BACKOFF = 821 };
enum { END_COMPLETED = 1, END_COMPENSATED = 2, END_GAVE_UP = 3 };

typedef enum { PH_FREE = 0, PH_FORWARD, PH_COMPENSATING, PH_CHOREOGRAPHY } orch_phase;

typedef struct orch_rec {
    uint8_t phase;                /* orch_phase */
    uint8_t i;                    /* the step being run or compensated, 1-based */
    uint32_t seq, op;
    uint32_t attempt;             /* of the current command */
    saga_def def;
    char why[40];                 /* what started the compensations */
    /* volatile */
    bool awaiting;                /* the current attempt's reply still counts */
    uint32_t gen;                 /* names the armed timer */
    timer_id timer;
} orch_rec;

typedef struct saga_orch {
    const saga_cfg *cfg;
    saga_orch_hooks hooks;
    uint32_t seq_next;            /* durable: saga ids stay unique (think UUIDs) */
    orch_rec recs[SAGA_ACTIVE_MAX];
    uint32_t log_writes;
} saga_orch;

_Static_assert(sizeof(saga_orch) <= SAGA_ORCH_STATE_MAX, "saga_orch fits SAGA_ORCH_STATE_MAX");
_Static_assert(sizeof(saga_msg) <= ENV_MSG_BODY_MAX, "a saga message fits a message body");

static bool rec_ok(const orch_rec *r) {
    if (r->phase == PH_FREE) return r->timer == 0 && !r->awaiting;
    if (r->def.n < 1 || r->def.n > SAGA_STEPS_MAX || r->def.pivot > r->def.n) return false;
    if (r->phase == PH_CHOREOGRAPHY) return r->timer == 0;
    if (r->i < 1 || r->i > r->def.n) return false;
    if (r->phase == PH_COMPENSATING && r->def.steps[r->i - 1].comp == SAGA_CMD_NONE) return false;
    return !r->awaiting || r->timer != 0;
}

static bool orch_invariants_ok(const saga_orch *o) {
    if (o->cfg == NULL) return false;
    for (uint32_t k = 0; k < SAGA_ACTIVE_MAX; k++) {
        if (!rec_ok(&o->recs[k])) return false;
        if (o->recs[k].phase != PH_FREE && o->recs[k].seq > o->seq_next) return false;
    }
    return true;
}

static const saga_step *cur_step(const orch_rec *r) {
    SIM_ASSERT(r->i >= 1);
    SIM_ASSERT(r->i <= r->def.n);
    return &r->def.steps[r->i - 1];
}

static void key_of(env *e, const orch_rec *r, char *buf, size_t len) {
    saga_key(buf, len, env_node_name(e, env_self(e)), r->seq);
}

static void effect(env *e, const orch_rec *r, hist_eff_kind k, int64_t value, int64_t token) {
    hist_effect_fields x;
    memset(&x, 0, sizeof x);
    x.kind = k;
    x.client = -1;
    x.op = r->op;
    x.value = value;
    x.token = token;
    char key[SIM_NAME_MAX];
    key_of(e, r, key, sizeof key);
    x.key = key;
    env_effect(e, &x);
}

/* The record is only formatted when the trace is on (formatting it for
 * nothing was a tenth of a saga run, issue 17). */
static void log_write(saga_orch *o, env *e, const orch_rec *r, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void log_write(saga_orch *o, env *e, const orch_rec *r, const char *fmt, ...) {
    bool durable = o->cfg->log == SAGA_LOG_DURABLE;
    if (durable) o->log_writes++;
    if (!env_trace_on(e)) return;
    char key[SIM_NAME_MAX], what[64];
    key_of(e, r, key, sizeof key);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (durable) env_trace(e, "saga log (durable): %s %s", key, what);
    else env_trace(e, "saga state (in memory only): %s %s", key, what);
}

static void arm(env *e, orch_rec *r, uint32_t slot, uint32_t tag, sim_time delay) {
    SIM_ASSERT(r->timer == 0);
    r->gen++;
    r->timer = env_timer(e, delay, tag, (uint64_t)slot << 32 | r->gen);
}

static void disarm(env *e, orch_rec *r) {
    if (r->timer != 0) env_timer_cancel(e, r->timer);
    r->timer = 0;
    r->awaiting = false;
}

static saga_msg msg_of(const orch_rec *r, env *e) {
    saga_msg m;
    memset(&m, 0, sizeof m);
    m.orch = env_self(e);
    m.seq = r->seq;
    m.op = r->op;
    m.order = r->def.order;
    memcpy(m.account, r->def.account, sizeof m.account);
    memcpy(m.item, r->def.item, sizeof m.item);
    m.n = (uint8_t)r->def.n;
    m.pivot = (uint8_t)r->def.pivot;
    return m;
}

/* Sends the next attempt of the current command and arms its timeout. */
static void send_current(saga_orch *o, env *e, uint32_t slot) {
    orch_rec *r = &o->recs[slot];
    SIM_ASSERT(r->phase == PH_FORWARD || r->phase == PH_COMPENSATING);
    const saga_step *st = cur_step(r);
    bool comp = r->phase == PH_COMPENSATING;
    r->attempt++;
    saga_msg m = msg_of(r, e);
    m.attempt = r->attempt;
    m.step = r->i;
    m.comp = comp ? 1 : 0;
    m.cmd = comp ? st->comp : st->cmd;
    m.amount = st->amount;
    m.fail = comp ? 0 : st->fail;
    env_send(e, st->node, SAGA_MSG_CMD, &m, sizeof m);
    r->awaiting = true;
    arm(e, r, slot, TAG_ATTEMPT, o->cfg->timeout_ns);
}

/* ------------------------------------------------------------ ends */

static void end_saga(saga_orch *o, env *e, uint32_t slot, int end, const char *why) {
    orch_rec *r = &o->recs[slot];
    disarm(e, r);
    static const char *const names[] = { "?", "COMPLETED", "COMPENSATED", "GAVE UP (a human must finish it)" };
    log_write(o, e, r, "%s", names[end]);
    effect(e, r, HIST_EFF_SAGA_END, end, 0);
    uint32_t op = r->op;
    char note[HIST_NOTE_MAX];
    sim_copy_text(note, sizeof note, why, sizeof note);
    memset(r, 0, sizeof *r);
    SIM_ASSERT(orch_invariants_ok(o));
    if (op == HIST_NONE) return;                  /* begun before a crash: nobody waits */
    hist_result res = end == END_COMPLETED ? HIST_OK : end == END_COMPENSATED ? HIST_FAIL : HIST_INFO;
    o->hooks.ended(o->hooks.owner, e, op, res, note);
}

/* Compensations from step j down, skipping steps that have none. */
static void compensate_from(saga_orch *o, env *e, uint32_t slot, uint32_t j) {
    orch_rec *r = &o->recs[slot];
    disarm(e, r);
    while (j >= 1 && r->def.steps[j - 1].comp == SAGA_CMD_NONE) j--;
    if (j == 0) {
        char why[HIST_NOTE_MAX];
        snprintf(why, sizeof why, "compensated: %.34s", r->why);
        end_saga(o, e, slot, END_COMPENSATED, why);
        return;
    }
    r->phase = PH_COMPENSATING;
    r->i = (uint8_t)j;
    r->attempt = 0;
    log_write(o, e, r, "compensating: C%u (%s) next", j, saga_cmd_name(r->def.steps[j - 1].comp));
    send_current(o, e, slot);
}

static void advance(saga_orch *o, env *e, uint32_t slot) {
    orch_rec *r = &o->recs[slot];
    disarm(e, r);
    if (r->i == r->def.n) { end_saga(o, e, slot, END_COMPLETED, ""); return; }
    r->i++;
    r->attempt = 0;
    log_write(o, e, r, "T%u done; T%u (%s) next", r->i - 1u, r->i, saga_cmd_name(cur_step(r)->cmd));
    send_current(o, e, slot);
}

static sim_time backoff_of(const saga_cfg *c, uint32_t attempt) {
    sim_time d = c->backoff_ns;
    for (uint32_t k = 1; k < attempt && d < 3600 * SIM_S; k++) d *= c->backoff_factor;
    return d;
}

/* A retry after backoff, or giving up after retry.max retries. */
static void retry_later(saga_orch *o, env *e, uint32_t slot) {
    orch_rec *r = &o->recs[slot];
    bool comp = r->phase == PH_COMPENSATING;
    char key[SIM_NAME_MAX];
    key_of(e, r, key, sizeof key);
    if (o->cfg->retry_max >= 0 && (int64_t)r->attempt > o->cfg->retry_max) {
        char why[HIST_NOTE_MAX];
        snprintf(why, sizeof why, "gave up: %s%u failed %u times", comp ? "C" : "T", r->i, r->attempt);
        end_saga(o, e, slot, END_GAVE_UP, why);
        return;
    }
    sim_time d = backoff_of(o->cfg, r->attempt);
    char ds[32];
    sim_fmt_time(ds, sizeof ds, d);
    env_trace(e, "%s: %s%u attempt %u timed out; attempt %u in %s", key, comp ? "C" : "T", r->i,
              r->attempt, r->attempt + 1, ds);
    arm(e, r, slot, TAG_BACKOFF, d);
}

/* ------------------------------------------------------------ events */

static void on_attempt_timeout(saga_orch *o, env *e, uint32_t slot) {
    orch_rec *r = &o->recs[slot];
    r->timer = 0;                                 /* it has fired */
    r->awaiting = false;                          /* a reply to this attempt no longer counts */
    if (r->phase == PH_FORWARD && cur_step(r)->kind == SAGA_COMPENSATABLE) {
        snprintf(r->why, sizeof r->why, "T%u timed out, outcome unknown", r->i);
        char key[SIM_NAME_MAX];
        key_of(e, r, key, sizeof key);
        env_trace(e, "%s: %s; compensating from C%u", key, r->why, r->i);
        compensate_from(o, e, slot, r->i);
        return;
    }
    retry_later(o, e, slot);
}

static int32_t find_seq(const saga_orch *o, uint32_t seq) {
    for (uint32_t k = 0; k < SAGA_ACTIVE_MAX; k++)
        if (o->recs[k].phase != PH_FREE && o->recs[k].seq == seq) return (int32_t)k;
    return -1;
}

static void on_reply(saga_orch *o, env *e, const saga_msg *m) {
    int32_t k = find_seq(o, m->seq);
    if (k < 0) { env_trace(e, "reply for a saga that has ended: ignored"); return; }
    uint32_t slot = (uint32_t)k;
    orch_rec *r = &o->recs[slot];
    bool comp = r->phase == PH_COMPENSATING;
    if (!r->awaiting || m->attempt != r->attempt || m->step != r->i || m->comp != (comp ? 1 : 0)) {
        env_trace(e, "late reply to %s%u attempt %u ignored (that attempt timed out)", m->comp ? "C" : "T",
                  m->step, m->attempt);
        return;
    }
    disarm(e, r);
    if (m->result != SAGA_R_REFUSED) {
        if (comp) compensate_from(o, e, slot, r->i - 1u);
        else advance(o, e, slot);
        return;
    }
    if (comp || cur_step(r)->kind == SAGA_RETRIABLE) {   /* these must not fail: try again */
        retry_later(o, e, slot);
        return;
    }
    snprintf(r->why, sizeof r->why, "%.31s", m->why);
    compensate_from(o, e, slot, r->i - 1u);
}

static void on_event(saga_orch *o, env *e, const saga_msg *m) {
    int32_t k = find_seq(o, m->seq);
    if (k < 0 || o->recs[k].phase != PH_CHOREOGRAPHY) return;
    char why[HIST_NOTE_MAX];
    snprintf(why, sizeof why, "compensated: %.31s", m->why);
    if (m->result == SAGA_R_COMPLETED) end_saga(o, e, (uint32_t)k, END_COMPLETED, "");
    else end_saga(o, e, (uint32_t)k, END_COMPENSATED, why);
}

/* ------------------------------------------------------------ the library */

static void start_choreography(saga_orch *o, env *e, orch_rec *r) {
    saga_msg m = msg_of(r, e);
    m.chor = 1;
    for (uint32_t s = 0; s < r->def.n; s++) {
        const saga_step *st = &r->def.steps[s];
        m.plan[s] = (saga_plan_step){ (int8_t)st->node, st->cmd, st->comp, st->kind, st->amount };
        if (st->fail) m.plan[s].kind |= SAGA_PLAN_FAIL;
    }
    m.attempt = 1;
    m.step = 1;
    m.cmd = r->def.steps[0].cmd;
    m.amount = r->def.steps[0].amount;
    m.fail = r->def.steps[0].fail;
    log_write(o, e, r, "%s", "started (choreography: the services pass it on)");
    env_send(e, r->def.steps[0].node, SAGA_MSG_CMD, &m, sizeof m);
}

bool saga_orch_start(void *orch, env *e, const saga_def *def, uint32_t op) {
    saga_orch *o = orch;
    SIM_ASSERT(orch_invariants_ok(o));
    SIM_ASSERT(def->n >= 1);
    SIM_ASSERT(def->n <= SAGA_STEPS_MAX);
    SIM_ASSERT(def->pivot <= def->n);
    int32_t k = 0;
    while (k < SAGA_ACTIVE_MAX && o->recs[k].phase != PH_FREE) k++;
    if (k == SAGA_ACTIVE_MAX) return false;
    orch_rec *r = &o->recs[k];
    memset(r, 0, sizeof *r);
    r->seq = ++o->seq_next;
    r->op = op;
    r->def = *def;
    effect(e, r, HIST_EFF_SAGA_BEGIN, def->n, def->pivot);
    if (o->cfg->coordination == SAGA_CHOREOGRAPHY) {
        r->phase = PH_CHOREOGRAPHY;
        start_choreography(o, e, r);
    } else {
        r->phase = PH_FORWARD;
        r->i = 1;
        log_write(o, e, r, "started (%s); T1 (%s) next", def->name, saga_cmd_name(def->steps[0].cmd));
        send_current(o, e, (uint32_t)k);
    }
    SIM_ASSERT(orch_invariants_ok(o));
    return true;
}

bool saga_orch_on_message(void *orch, env *e, node_id from, uint32_t type, const void *body,
                          uint32_t len) {
    saga_orch *o = orch;
    SIM_ASSERT(orch_invariants_ok(o));
    (void)from;
    if ((type != SAGA_MSG_REPLY && type != SAGA_MSG_EVENT) || len != sizeof(saga_msg)) return false;
    saga_msg m;
    memcpy(&m, body, sizeof m);
    m.why[sizeof m.why - 1] = '\0';
    if (m.orch != env_self(e)) return true;
    if (type == SAGA_MSG_REPLY) on_reply(o, e, &m);
    else on_event(o, e, &m);
    SIM_ASSERT(orch_invariants_ok(o));            /* after every transition a message takes */
    return true;
}

bool saga_orch_on_timer(void *orch, env *e, uint32_t tag, uint64_t arg) {
    saga_orch *o = orch;
    SIM_ASSERT(orch_invariants_ok(o));
    if (tag != TAG_ATTEMPT && tag != TAG_BACKOFF) return false;
    uint32_t slot = (uint32_t)(arg >> 32), gen = (uint32_t)arg;
    SIM_ASSERT(slot < SAGA_ACTIVE_MAX);
    orch_rec *r = &o->recs[slot];
    if (r->phase == PH_FREE || r->gen != gen || r->timer == 0) return true;   /* a stale timer */
    if (tag == TAG_ATTEMPT) {
        on_attempt_timeout(o, e, slot);
    } else {
        r->timer = 0;
        send_current(o, e, slot);
    }
    SIM_ASSERT(orch_invariants_ok(o));            /* after every transition a timer takes */
    return true;
}

void saga_orch_init(void *orch, env *e, const saga_orch_hooks *hooks) {
    saga_orch *o = orch;
    SIM_ASSERT(hooks != NULL);
    SIM_ASSERT(hooks->ended != NULL);
    memset(o, 0, sizeof *o);
    o->cfg = env_proto_config(e);
    SIM_ASSERT(o->cfg != NULL);
    o->hooks = *hooks;
    SIM_ASSERT(orch_invariants_ok(o));
}

/* The engine has cancelled the timers.  The client of every saga is gone;
 * a durable log keeps the sagas, an in-memory one loses them. */
void saga_orch_crash(void *orch, env *e) {
    saga_orch *o = orch;
    SIM_ASSERT(o->cfg != NULL);
    SIM_ASSERT(env_self(e) >= 0);
    for (uint32_t k = 0; k < SAGA_ACTIVE_MAX; k++) {
        orch_rec *r = &o->recs[k];
        if (o->cfg->log == SAGA_LOG_MEMORY) { memset(r, 0, sizeof *r); continue; }
        r->op = HIST_NONE;
        r->timer = 0;
        r->awaiting = false;
    }
    SIM_ASSERT(orch_invariants_ok(o));
}

void saga_orch_restart(void *orch, env *e) {
    saga_orch *o = orch;
    SIM_ASSERT(orch_invariants_ok(o));
    for (uint32_t k = 0; k < SAGA_ACTIVE_MAX; k++) {
        orch_rec *r = &o->recs[k];
        if (r->phase != PH_FORWARD && r->phase != PH_COMPENSATING) continue;
        char key[SIM_NAME_MAX];
        key_of(e, r, key, sizeof key);
        env_trace(e, "recovery: the saga log has %s at %s%u; re-sending it (attempt %u)", key,
                  r->phase == PH_COMPENSATING ? "C" : "T", r->i, r->attempt + 1);
        send_current(o, e, k);
    }
    if (o->cfg->log == SAGA_LOG_MEMORY) env_trace(e, "recovery: the saga state was in memory: nothing to resume");
    SIM_ASSERT(orch_invariants_ok(o));
}
