/* twopc_coord.c -- the 2PC coordinator (transaction manager): a library the
 * `transfer` driver embeds on each coordinator node (txn_api.h).
 *
 * Main invariant: the coordinator commits only when every participant has
 * voted YES, and only after the COMMIT record is in its durable log; a
 * decision, once logged, is never changed, and is re-sent until every
 * participant that must ack it has acked.  One transaction is active at a
 * time; the log also holds the records of older ones still waiting for acks
 * (after a crash, or while a participant is down).
 *
 * State diagram of the active transaction (the function per edge):
 *
 *   IDLE --begin [coord_begin]--> COLLECTING
 *   COLLECTING --last YES [on_vote -> decide]--> ACKING   (commit, presumed abort)
 *                                            \-> IDLE     (commit, presumed commit: no acks)
 *   COLLECTING --a NO [on_vote -> decide] / vote timeout [on_vote_timeout -> decide]
 *                                            --> IDLE     (abort, presumed abort: no acks)
 *                                            \-> ACKING   (abort, presumed commit)
 *   ACKING --last ACK [on_ack -> log_end -> finish]--> IDLE
 *   ACKING --resend timer [on_resend_timer]--> ACKING
 *   any --crash [coord_crash]--> down --restart [coord_restart: replay the log]--> IDLE
 *
 * The log: one record per transaction not yet forgotten (txn number,
 * participants, decision).  Forced writes (COLLECTING, COMMIT, a presumed-
 * commit ABORT) are durable at once and flush what was written lazily
 * before them; END is written lazily, so a crash can lose it, and the
 * restarted coordinator then re-sends a decision that was already acked
 * (harmless: participants ack again).  Presumed abort writes nothing for an
 * abort: "no record" means abort.
 * Crash or power loss (sim/env.h): the same here.  A lazy record sits in
 * the process's log buffer until the next forced write (as in Mohan's
 * presumed abort), so a process crash loses it as a power loss does, and a
 * forced record is on disk before anyone acts on it.
 *
 * Trade-off: the log is a fixed table of TPC_LOG_MAX records; a begin that
 * finds it full (participants down for long) fails the transaction with a
 * note naming the bound instead of growing it.
 */
#include "protocols/twopc/twopc.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "protocols/txn/txn_api.h"

enum { TAG_VOTE_TIMEOUT = 720, TAG_RESEND = 721 };
enum { D_NONE = 0, D_COMMIT = 1, D_ABORT = 2 };

typedef enum { CO_IDLE = 0, CO_COLLECTING, CO_ACKING } co_phase;

typedef struct co_rec {
    bool used;
    uint32_t seq;
    uint64_t parts;               /* participants, bit per node */
    uint8_t decision;             /* D_NONE: presumed commit's COLLECTING record */
    bool end_unflushed;           /* END written lazily, not yet durable */
    uint64_t acked;               /* volatile: participants that acked */
} co_rec;

typedef struct tpc_coord {
    const tpc_cfg *cfg;
    txn_client_hooks hooks;
    node_id all_parts[SIM_MASK_NODES];   /* every participant node, for RECOVERED */
    uint32_t all_count;
    /* durable */
    uint32_t seq_next;
    co_rec log[TPC_LOG_MAX];
    uint32_t forced_writes;
    /* volatile */
    co_phase phase;
    uint32_t seq, op;             /* the active txn; op HIST_NONE when none */
    uint64_t parts, yes;
    timer_id vote_timer, resend_timer;
} tpc_coord;

_Static_assert(sizeof(tpc_coord) <= TXN_CLIENT_STATE_MAX, "tpc_coord fits a driver's slot");

static uint64_t bit(node_id n) {
    SIM_ASSERT(n >= 0);
    SIM_ASSERT(n < SIM_MASK_NODES);
    return (uint64_t)1 << n;
}

static bool presumed_commit(const tpc_coord *c) { return c->cfg->presume == TPC_PRESUME_COMMIT; }

static co_rec *log_find(tpc_coord *c, uint32_t seq) {
    for (uint32_t i = 0; i < TPC_LOG_MAX; i++)
        if (c->log[i].used && c->log[i].seq == seq) return &c->log[i];
    return NULL;
}

/* Presumed abort acks commits; presumed commit acks aborts. */
static bool needs_acks(const tpc_coord *c, const co_rec *r) {
    if (r->decision == D_COMMIT) return !presumed_commit(c);
    if (r->decision == D_ABORT) return presumed_commit(c);
    return false;
}

static bool coord_invariants_ok(const tpc_coord *c) {
    if (c->cfg == NULL) return false;
    for (uint32_t i = 0; i < TPC_LOG_MAX; i++) {
        const co_rec *r = &c->log[i];
        if (!r->used) continue;
        if (r->parts == 0 || (r->acked & ~r->parts) != 0) return false;
        if (r->seq == 0 || r->seq > c->seq_next) return false;
    }
    switch (c->phase) {
    case CO_IDLE: return c->op == HIST_NONE && c->vote_timer == 0;
    case CO_COLLECTING: return c->parts != 0 && c->vote_timer != 0 && (c->yes & ~c->parts) == 0;
    case CO_ACKING: {
        const co_rec *r = log_find((tpc_coord *)c, c->seq);
        return r != NULL && r->decision != D_NONE && c->vote_timer == 0;
    }
    }
    return false;
}

static void key_of(env *e, uint32_t seq, char *buf, size_t len) {
    tpc_txn_key(buf, len, env_node_name(e, env_self(e)), seq);
}

static void effect(tpc_coord *c, env *e, hist_eff_kind k, uint32_t seq, int64_t value, int64_t aux) {
    hist_effect_fields x;
    memset(&x, 0, sizeof x);
    x.kind = k;
    x.client = -1;
    x.op = seq == c->seq ? c->op : HIST_NONE;
    x.value = value;
    x.aux = aux;
    char key[SIM_NAME_MAX];
    key_of(e, seq, key, sizeof key);
    x.key = key;
    env_effect(e, &x);
}

/* ------------------------------------------------------------ the log */

/* A forced write: durable now, and it flushes the lazy ENDs before it. */
static void log_force(tpc_coord *c, env *e, const char *what, uint32_t seq) {
    c->forced_writes++;
    for (uint32_t i = 0; i < TPC_LOG_MAX; i++)
        if (c->log[i].used && c->log[i].end_unflushed) memset(&c->log[i], 0, sizeof c->log[i]);
    if (!env_trace_on(e)) return;
    char key[SIM_NAME_MAX];
    key_of(e, seq, key, sizeof key);
    env_trace(e, "log: force-write %s for %s", what, key);
}

static co_rec *log_add(tpc_coord *c, env *e, uint32_t seq, uint64_t parts) {
    co_rec *r = log_find(c, seq);
    if (r != NULL) return r;
    for (int pass = 0; pass < 2; pass++) {
        for (uint32_t i = 0; i < TPC_LOG_MAX; i++) {
            if (c->log[i].used) continue;
            c->log[i] = (co_rec){ .used = true, .seq = seq, .parts = parts };
            return &c->log[i];
        }
        log_force(c, e, "(flush, the log is full)", seq);   /* frees records whose END was lazy */
    }
    return NULL;
}

static void log_end(tpc_coord *c, env *e, co_rec *r) {
    SIM_ASSERT(r->used);
    SIM_ASSERT(r->decision != D_NONE);
    r->end_unflushed = true;
    if (!env_trace_on(e)) return;
    char key[SIM_NAME_MAX];
    key_of(e, r->seq, key, sizeof key);
    env_trace(e, "log: END for %s (lazy); %s is forgotten", key, key);
    (void)c;
}

/* ------------------------------------------------------------ sending */

static void send_msg(env *e, node_id to, uint32_t type, const tpc_msg *m) {
    env_send(e, to, type, m, sizeof *m);
}

static tpc_msg msg_for(const tpc_coord *c, env *e, uint32_t seq) {
    tpc_msg m;
    memset(&m, 0, sizeof m);
    m.coord = env_self(e);
    m.seq = seq;
    m.op = seq == c->seq ? c->op : HIST_NONE;
    m.presume = (uint32_t)c->cfg->presume;
    return m;
}

static void send_decision(const tpc_coord *c, env *e, uint32_t seq, bool commit, uint64_t to) {
    tpc_msg m = msg_for(c, e, seq);
    m.flag = commit ? 1u : 0u;
    for (node_id n = 0; n < SIM_MASK_NODES; n++)
        if (to & bit(n)) send_msg(e, n, TPC_MSG_DECISION, &m);
}

static void arm_resend(tpc_coord *c, env *e) {
    if (c->resend_timer != 0) return;
    for (uint32_t i = 0; i < TPC_LOG_MAX; i++) {
        const co_rec *r = &c->log[i];
        if (r->used && !r->end_unflushed && needs_acks(c, r) && r->acked != r->parts) {
            c->resend_timer = env_timer(e, c->cfg->resend_every_ns, TAG_RESEND, 0);
            return;
        }
    }
}

static void on_resend_timer(tpc_coord *c, env *e) {
    c->resend_timer = 0;
    for (uint32_t i = 0; i < TPC_LOG_MAX; i++) {
        const co_rec *r = &c->log[i];
        if (!r->used || r->end_unflushed || !needs_acks(c, r) || r->acked == r->parts) continue;
        char key[SIM_NAME_MAX];
        key_of(e, r->seq, key, sizeof key);
        env_trace(e, "re-sending the %s decision for %s to the participants that have not acked",
                  r->decision == D_COMMIT ? "COMMIT" : "ABORT", key);
        send_decision(c, e, r->seq, r->decision == D_COMMIT, r->parts & ~r->acked);
    }
    arm_resend(c, e);
}

/* ------------------------------------------------------------ the active txn */

static void finish(tpc_coord *c, env *e, hist_result r, const char *why) {
    SIM_ASSERT(c->phase != CO_IDLE);
    SIM_ASSERT(c->vote_timer == 0);
    c->phase = CO_IDLE;
    c->op = HIST_NONE;
    SIM_ASSERT(coord_invariants_ok(c));
    c->hooks.done(c->hooks.owner, e, r, why);
}

/* The decision: logged first when it must be, then sent (PROTOCOLS.md 6.2). */
static void decide(tpc_coord *c, env *e, bool commit, const char *why) {
    SIM_ASSERT(c->phase == CO_COLLECTING);
    if (c->vote_timer != 0) env_timer_cancel(e, c->vote_timer);
    c->vote_timer = 0;
    co_rec *r = NULL;
    if (commit || presumed_commit(c)) {
        r = log_add(c, e, c->seq, c->parts);
        if (r == NULL) { commit = false; why = "coordinator log full (TPC_LOG_MAX)"; }
    }
    if (r != NULL) {
        r->decision = commit ? D_COMMIT : D_ABORT;
        log_force(c, e, commit ? "COMMIT" : "ABORT", c->seq);
    }
    effect(c, e, HIST_EFF_TXN_DECIDE, c->seq, commit ? 1 : 0, 0);
    env_trace(e, "decision: %s%s%s", commit ? "COMMIT" : "ABORT", why[0] ? " -- " : "", why);
    send_decision(c, e, c->seq, commit, c->parts);
    if (r != NULL && needs_acks(c, r)) {
        c->phase = CO_ACKING;
        arm_resend(c, e);
        SIM_ASSERT(coord_invariants_ok(c));
        return;
    }
    if (r != NULL) log_end(c, e, r);   /* presumed commit forgets a commit at once */
    finish(c, e, commit ? HIST_OK : HIST_FAIL, why);
}

static void name_missing(const tpc_coord *c, env *e, char *buf, size_t len) {
    snprintf(buf, len, "vote timeout: no vote from");
    for (node_id n = 0; n < SIM_MASK_NODES; n++) {
        if (!(c->parts & bit(n)) || (c->yes & bit(n))) continue;
        size_t used = strlen(buf);
        snprintf(buf + used, len - used, " %s", env_node_name(e, n));
    }
}

static void on_vote_timeout(tpc_coord *c, env *e, uint64_t seq) {
    if (c->phase != CO_COLLECTING || seq != c->seq) return;
    c->vote_timer = 0;            /* it has fired */
    char why[HIST_NOTE_MAX];
    name_missing(c, e, why, sizeof why);
    decide(c, e, false, why);
}

/* An inquiry (or a vote that came too late): the logged decision, or the
 * presumption when there is no record. */
static void answer(tpc_coord *c, env *e, node_id from, uint32_t seq) {
    char key[SIM_NAME_MAX];
    key_of(e, seq, key, sizeof key);
    if (c->phase == CO_COLLECTING && seq == c->seq) {
        env_trace(e, "%s asks about %s: still collecting votes, no answer yet", env_node_name(e, from), key);
        return;
    }
    const co_rec *r = log_find(c, seq);
    if (r != NULL && r->decision != D_NONE) {
        send_decision(c, e, seq, r->decision == D_COMMIT, bit(from));
        return;
    }
    bool commit = presumed_commit(c);
    env_trace(e, "%s asks about %s: no record, so %s (presumed %s)", env_node_name(e, from), key,
              commit ? "COMMIT" : "ABORT", commit ? "commit" : "abort");
    send_decision(c, e, seq, commit, bit(from));
}

static void on_vote(tpc_coord *c, env *e, node_id from, const tpc_msg *m) {
    if (c->phase != CO_COLLECTING || m->seq != c->seq || !(c->parts & bit(from))) {
        if (m->flag == 1) answer(c, e, from, m->seq);   /* a prepared latecomer must learn */
        return;
    }
    if (m->flag != 1) {
        char why[HIST_NOTE_MAX];
        snprintf(why, sizeof why, "%.12s voted no: %.24s", env_node_name(e, from), m->why);
        decide(c, e, false, why);
        return;
    }
    c->yes |= bit(from);
    if (c->yes == c->parts) decide(c, e, true, "");
}

static void on_ack(tpc_coord *c, env *e, node_id from, const tpc_msg *m) {
    co_rec *r = log_find(c, m->seq);
    if (r == NULL || r->end_unflushed || !(r->parts & bit(from))) return;   /* forgotten already */
    r->acked |= bit(from);
    if (r->acked != r->parts) return;
    log_end(c, e, r);
    if (c->phase == CO_ACKING && m->seq == c->seq) {
        bool commit = r->decision == D_COMMIT;
        finish(c, e, commit ? HIST_OK : HIST_FAIL, commit ? "" : "aborted");
    }
}

/* ------------------------------------------------------------ txn_client_ops */

static void coord_begin(void *lc, env *e, const txn_spec *spec, uint32_t op) {
    tpc_coord *c = lc;
    SIM_ASSERT(coord_invariants_ok(c));
    SIM_ASSERT(c->phase == CO_IDLE);
    SIM_ASSERT(spec->leg_count >= 1);
    SIM_ASSERT(spec->leg_count <= TXN_LEGS_MAX);
    c->seq = ++c->seq_next;
    c->op = op;
    c->parts = 0;
    c->yes = 0;
    for (uint32_t i = 0; i < spec->leg_count; i++) c->parts |= bit(spec->legs[i].node);
    c->phase = CO_COLLECTING;
    c->vote_timer = env_timer(e, c->cfg->vote_timeout_ns, TAG_VOTE_TIMEOUT, c->seq);
    if (presumed_commit(c)) {
        if (log_add(c, e, c->seq, c->parts) == NULL) {
            decide(c, e, false, "coordinator log full (TPC_LOG_MAX)");
            return;
        }
        log_force(c, e, "COLLECTING (the participants)", c->seq);
    }
    effect(c, e, HIST_EFF_TXN_BEGIN, c->seq, (int64_t)c->parts, 0);
    for (uint32_t i = 0; i < spec->leg_count; i++) {
        tpc_msg m = msg_for(c, e, c->seq);
        m.peers = c->parts;
        m.delta = spec->legs[i].delta;
        send_msg(e, spec->legs[i].node, TPC_MSG_PREPARE, &m);
    }
    SIM_ASSERT(coord_invariants_ok(c));
}

static bool coord_on_message(void *lc, env *e, node_id from, uint32_t type, const void *body,
                             uint32_t len) {
    tpc_coord *c = lc;
    SIM_ASSERT(coord_invariants_ok(c));
    if (type != TPC_MSG_VOTE && type != TPC_MSG_ACK && type != TPC_MSG_INQUIRE) return false;
    if (len != sizeof(tpc_msg)) return false;
    tpc_msg m;
    memcpy(&m, body, sizeof m);
    if (m.coord != env_self(e)) return true;      /* about another coordinator's txn */
    if (type == TPC_MSG_VOTE) on_vote(c, e, from, &m);
    else if (type == TPC_MSG_ACK) on_ack(c, e, from, &m);
    else answer(c, e, from, m.seq);
    SIM_ASSERT(coord_invariants_ok(c));           /* after every transition a message takes */
    return true;
}

static bool coord_on_timer(void *lc, env *e, uint32_t tag, uint64_t arg) {
    tpc_coord *c = lc;
    SIM_ASSERT(coord_invariants_ok(c));
    if (tag == TAG_VOTE_TIMEOUT) on_vote_timeout(c, e, arg);
    else if (tag == TAG_RESEND) on_resend_timer(c, e);
    else return false;
    SIM_ASSERT(coord_invariants_ok(c));
    return true;
}

static void coord_init(void *lc, env *e, const txn_client_hooks *hooks) {
    tpc_coord *c = lc;
    SIM_ASSERT(hooks != NULL);
    SIM_ASSERT(hooks->done != NULL);
    SIM_ASSERT(c->cfg == NULL);                   /* first start only */
    memset(c, 0, sizeof *c);
    c->cfg = env_proto_config(e);
    SIM_ASSERT(c->cfg != NULL);
    c->hooks = *hooks;
    c->op = HIST_NONE;
    c->all_count = env_nodes_of_role(e, "participant", c->all_parts, SIM_MASK_NODES);
    SIM_ASSERT(coord_invariants_ok(c));
}

/* The engine has cancelled the timers; the log stays, except the ENDs that
 * were written lazily and not yet flushed. */
static void coord_crash(void *lc, env *e) {
    tpc_coord *c = lc;
    SIM_ASSERT(c->cfg != NULL);
    SIM_ASSERT(env_self(e) >= 0);
    for (uint32_t i = 0; i < TPC_LOG_MAX; i++) {
        c->log[i].acked = 0;
        c->log[i].end_unflushed = false;          /* the lazy END is lost: the record stays */
    }
    c->phase = CO_IDLE;
    c->op = HIST_NONE;
    c->seq = 0;
    c->parts = c->yes = 0;
    c->vote_timer = c->resend_timer = 0;
    SIM_ASSERT(coord_invariants_ok(c));
}

/* Recovery: finish every logged decision, then tell every participant which
 * txns this coordinator still knows, so the rest take the presumption. */
static void coord_restart(void *lc, env *e) {
    tpc_coord *c = lc;
    SIM_ASSERT(coord_invariants_ok(c));
    tpc_msg rec = msg_for(c, e, 0);
    rec.seq = c->seq_next;                        /* the presumption covers txns up to here only */
    for (uint32_t i = 0; i < TPC_LOG_MAX; i++) {
        co_rec *r = &c->log[i];
        if (!r->used) continue;
        char key[SIM_NAME_MAX];
        key_of(e, r->seq, key, sizeof key);
        if (r->decision == D_NONE) {              /* presumed commit: collecting, undecided */
            r->decision = D_ABORT;
            log_force(c, e, "ABORT (recovery: COLLECTING without a decision)", r->seq);
            effect(c, e, HIST_EFF_TXN_DECIDE, r->seq, 0, 1);
        }
        env_trace(e, "recovery: the log has %s for %s; re-sending it", r->decision == D_COMMIT ?
                  "COMMIT" : "ABORT", key);
        send_decision(c, e, r->seq, r->decision == D_COMMIT, r->parts);
        if (!needs_acks(c, r)) log_end(c, e, r);
        rec.seqs[rec.count++] = r->seq;
    }
    env_trace(e, "recovery: telling every participant; a txn of mine not in my log is %s",
              presumed_commit(c) ? "committed (presumed commit)" : "aborted (presumed abort)");
    for (uint32_t i = 0; i < c->all_count; i++) send_msg(e, c->all_parts[i], TPC_MSG_RECOVERED, &rec);
    arm_resend(c, e);
    SIM_ASSERT(coord_invariants_ok(c));
}

const txn_client_ops tpc_txn_client = {
    .name = "2pc-coordinator",
    .coordinator_role = "coordinator",
    .resource_role = "participant",
    .op_f = HIST_F_TXN,
    .state_size = sizeof(tpc_coord),
    .init = coord_init,
    .begin = coord_begin,
    .on_message = coord_on_message,
    .on_timer = coord_on_timer,
    .on_crash = coord_crash,
    .on_restart = coord_restart,
};
