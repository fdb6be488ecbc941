/* es_projector.c -- the projector: reads the store's global log and keeps
 * the read model (a balance and a version per account) that users query.
 *
 *   IDLE --poll timer [poll]--> POLLING --page [on_page]--> applies each event
 *        (PROJECT), then IDLE (a full page polls again at once)
 *   separate: each page's last position is saved as the checkpoint
 *             `checkpoint-delay` after the apply [on_save] (CHECKPOINT);
 *   atomic:   the checkpoint is written in the apply's transaction
 *   QUERY(stream, wait for p) [on_query]--> answered now when p <= applied
 *        (VIEW), else held until an apply reaches p [answer_waiting]
 *   any --crash / power loss [proj_on_crash]--> DOWN: keeps the read model,
 *        `applied` and the checkpoint (each forced before it is acted on),
 *        loses the held queries and the pending save
 *   DOWN --restart [proj_on_restart]--> resumes from the checkpoint (RESUME):
 *        events after it that the read model already holds are applied again
 *
 * Invariant (proj_invariants_ok): checkpoint <= applied (atomic: equal);
 * every account's version <= applied.  Trade-off: the read model is not
 * idempotent on purpose (an apply adds the amount whatever the version it
 * holds), as a projection written as `UPDATE balance = balance + amount`
 * is; the remedy shown is the atomic checkpoint, not a version guard.
 */
#include "protocols/eventstore/eventstore.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

enum { TAG_POLL = 1, TAG_SAVE = 2 };
#define WAITING_MAX 8

typedef struct es_query {
    bool used;
    node_id from;
    es_msg q;
} es_query;

typedef struct es_proj {
    const es_cfg *cfg;
    node_id store;
    /* durable */
    int64_t balance[ES_STREAMS_MAX];
    int64_t version[ES_STREAMS_MAX];
    int64_t applied;                 /* the last position applied to the read model */
    int64_t checkpoint;              /* where a restart resumes from */
    /* volatile */
    int64_t next;                    /* the position the next poll reads after */
    bool polling;
    uint32_t req;
    es_query waiting[WAITING_MAX];
} es_proj;

static bool proj_invariants_ok(const es_proj *p) {
    if (p->cfg == NULL || p->checkpoint > p->applied) return false;
    if (p->cfg->checkpoint == ES_CKPT_ATOMIC && p->checkpoint != p->applied) return false;
    for (uint32_t s = 0; s < ES_STREAMS_MAX; s++)
        if (p->version[s] > p->applied) return false;
    return true;
}

static void proj_effect(env *e, hist_eff_kind kind, node_id client, uint32_t op, int stream, int64_t value,
                        int64_t version, int64_t aux, uint16_t pred) {
    hist_effect_fields ef;
    memset(&ef, 0, sizeof ef);
    ef.kind = kind;
    ef.client = client;
    ef.op = op;
    ef.value = value;
    ef.version = version;
    ef.aux = aux;
    ef.pred = pred;
    char key[SIM_NAME_MAX] = "";
    if (stream >= 0) es_stream_key((uint32_t)stream, key, sizeof key);
    ef.key = key;
    env_effect(e, &ef);
}

static void poll(es_proj *p, env *e) {
    es_msg m;
    memset(&m, 0, sizeof m);
    m.req = ++p->req;
    m.op = HIST_NONE;
    m.position = p->next;
    p->polling = true;
    env_send(e, p->store, ES_MSG_READ_ALL, &m, sizeof m);
    env_timer(e, p->cfg->poll_ns + SIM_S, TAG_POLL, p->req);   /* give up on a lost answer */
}

static void answer(es_proj *p, env *e, node_id to, const es_msg *q, uint32_t flag) {
    es_msg r = *q;
    r.flag = flag;
    r.amount = p->balance[q->stream];
    r.version = p->version[q->stream];
    r.position = p->applied;
    if (flag == ES_OK)
        proj_effect(e, ES_EFF_VIEW, to, q->op, (int)q->stream, r.amount, r.version, p->applied, 0);
    env_send(e, to, ES_MSG_QUERY_REPLY, &r, sizeof r);
}

static void answer_waiting(es_proj *p, env *e) {
    for (uint32_t i = 0; i < WAITING_MAX; i++) {
        es_query *w = &p->waiting[i];
        if (!w->used || w->q.position > p->applied) continue;
        answer(p, e, w->from, &w->q, ES_OK);
        w->used = false;
    }
}

static void on_query(es_proj *p, env *e, node_id from, const es_msg *q) {
    if (q->position <= p->applied) { answer(p, e, from, q, ES_OK); return; }
    for (uint32_t i = 0; i < WAITING_MAX; i++) {
        if (p->waiting[i].used) continue;
        p->waiting[i] = (es_query){ true, from, *q };
        return;
    }
    answer(p, e, from, q, ES_NOT_CAUGHT_UP);
}

static void apply(es_proj *p, env *e, int64_t pos, uint32_t s, int64_t v, int64_t amt) {
    bool atomic = p->cfg->checkpoint == ES_CKPT_ATOMIC;
    p->balance[s] += amt;
    p->version[s] = v;
    p->applied = pos;
    if (atomic) p->checkpoint = pos;          /* one transaction: row and checkpoint */
    proj_effect(e, ES_EFF_PROJECT, -1, HIST_NONE, (int)s, amt, v, pos, atomic ? 1 : 0);
}

static void on_page(es_proj *p, env *e, const es_msg *r) {
    for (uint32_t i = 0; i < r->count; i++) {
        uint32_t s = r->ev_stream[i];
        if (s >= ES_STREAMS_MAX) continue;
        apply(p, e, r->position + 1 + i, s, r->ev_version[i], r->amt[i]);
    }
    p->next = r->position + r->count;
    p->polling = false;
    if (r->count > 0 && p->cfg->checkpoint == ES_CKPT_SEPARATE)
        env_timer(e, p->cfg->ckpt_delay_ns, TAG_SAVE, (uint64_t)p->applied);
    answer_waiting(p, e);
    bool more = r->count == ES_PAGE && p->next < r->version;
    env_timer(e, more ? 0 : p->cfg->poll_ns, TAG_POLL, 0);
}

static void on_save(es_proj *p, env *e, int64_t pos) {
    if (pos <= p->checkpoint) return;
    p->checkpoint = pos;
    proj_effect(e, ES_EFF_CHECKPOINT, -1, HIST_NONE, -1, pos, 0, 0, 0);
}

static void proj_on_message(void *state, env *e, node_id from, uint32_t type, const void *body, uint32_t len) {
    es_proj *p = state;
    SIM_ASSERT(proj_invariants_ok(p));
    es_msg m;
    if (len != sizeof m) { env_trace(e, "projector: ignored type %u", type); return; }
    memcpy(&m, body, sizeof m);
    if (type == ES_MSG_QUERY && m.stream < ES_STREAMS_MAX) on_query(p, e, from, &m);
    else if (type == ES_MSG_READ_ALL_REPLY && from == p->store && p->polling && m.req == p->req &&
             m.position == p->next && m.count <= ES_PAGE)
        on_page(p, e, &m);
    else env_trace(e, "projector: ignored type %u", type);
    SIM_ASSERT(proj_invariants_ok(p));
}

static void proj_on_timer(void *state, env *e, uint32_t tag, uint64_t arg) {
    es_proj *p = state;
    SIM_ASSERT(proj_invariants_ok(p));
    if (tag == TAG_SAVE) on_save(p, e, (int64_t)arg);
    else if (tag == TAG_POLL && (arg == 0 ? !p->polling : p->polling && arg == p->req)) poll(p, e);
    SIM_ASSERT(proj_invariants_ok(p));
}

static void proj_init(void *state, env *e) {
    es_proj *p = state;
    memset(p, 0, sizeof *p);
    p->cfg = env_proto_config(e);
    SIM_ASSERT(p->cfg != NULL);
    node_id n[1];
    SIM_ASSERT(env_nodes_of_role(e, "store", n, 1) == 1);
    p->store = n[0];
    env_timer(e, 0, TAG_POLL, 0);
    SIM_ASSERT(proj_invariants_ok(p));
}

/* The read model, `applied` and the checkpoint are each forced to disk
 * before the projector acts on them: a crash and a power loss keep them
 * alike, and lose the held queries and the pending save. */
static void proj_on_crash(void *state, env *e) {
    es_proj *p = state;
    SIM_ASSERT(proj_invariants_ok(p));
    memset(p->waiting, 0, sizeof p->waiting);
    p->polling = false;
    env_trace(e, "projector %s at position %" PRId64 ", checkpoint %" PRId64,
              env_crash_is_power_loss(e) ? "lost power" : "crashed", p->applied, p->checkpoint);
}

static void proj_on_restart(void *state, env *e) {
    es_proj *p = state;
    p->next = p->checkpoint;
    proj_effect(e, ES_EFF_RESUME, -1, HIST_NONE, -1, p->checkpoint, 0, p->applied, 0);
    env_timer(e, 0, TAG_POLL, 0);
    SIM_ASSERT(proj_invariants_ok(p));
}

const model_ops es_projector_ops = {
    .name = "projector", .state_size = sizeof(es_proj), .init = proj_init,
    .on_message = proj_on_message, .on_timer = proj_on_timer, .on_crash = proj_on_crash,
    .on_restart = proj_on_restart,
};
