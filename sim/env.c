/* env.c -- the engine side of env.h: what a model may do, and nothing more.
 * Invariant: every call is made from inside a callback of the node `e`
 * names (the engine's `now` is the true time of that callback), so history
 * stamps and clock readings are those of the running event. */
#include "sim/sim_int.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static struct sim *S(const env *e) { SIM_ASSERT(e != NULL); SIM_ASSERT(e->sim != NULL); return e->sim; }
static sim_node *N(const env *e) { return &S(e)->nodes[e->id]; }

node_id env_self(const env *e) { return e->id; }

const char *env_node_name(const env *e, node_id n) {
    SIM_ASSERT(n >= 0);
    SIM_ASSERT((uint32_t)n < S(e)->node_count);
    return S(e)->scn->nodes[n].name;
}

const char *env_node_role(const env *e, node_id n) {
    SIM_ASSERT(n >= 0);
    SIM_ASSERT((uint32_t)n < S(e)->node_count);
    return S(e)->scn->nodes[n].role;
}

uint32_t env_node_count(const env *e) { return S(e)->node_count; }

uint32_t env_nodes_of_role(const env *e, const char *role, node_id *out, uint32_t max) {
    const scn *sc = S(e)->scn;
    uint32_t k = 0;
    for (uint32_t i = 0; i < sc->node_count && k < max; i++)   /* the first max: O(1) for */
        if (strcmp(sc->nodes[i].role, role) == 0) out[k++] = (node_id)i;   /* a leading role */
    return k;
}

const void *env_proto_config(const env *e) { return S(e)->proto_cfg; }
const struct proto_desc *env_protocol(const env *e) { return S(e)->proto; }
const void *env_config(const env *e) { return N(e)->config; }
const void *env_workload_config(const env *e) { return S(e)->workload_cfg; }
bool env_load_seed(const env *e, void *out, size_t out_size) {
    const struct sim *s = S(e);
    SIM_ASSERT(out != NULL);
    SIM_ASSERT(out_size > 0);
    if (s->workload == NULL || s->workload->seed == NULL || s->workload_cfg == NULL) return false;
    return s->workload->seed(s->workload_cfg, out, out_size);
}

sim_time env_now_wall(const env *e) { return clock_wall(&N(e)->clock, S(e)->now); }
sim_time env_now_mono(const env *e) { return clock_mono(&N(e)->clock, S(e)->now); }

bool env_crash_is_power_loss(const env *e) { return N(e)->power_loss; }

static bool send_copy(struct sim *s, node_id from, node_id to, sim_time at, uint32_t type,
                      const void *body, uint32_t len) {
    uint32_t id = sim_slot_alloc(s, SLOT_MSG, to);
    if (id == UINT32_MAX) {
        sim_fail(s, "more than %u events in flight; shorten `duration`", SIM_SLOTS_MAX);
        return false;
    }
    sim_slot *sl = &s->slots[id];
    sl->u.msg.from = from;
    sl->u.msg.type = type;
    sl->u.msg.len = len;
    sl->u.msg.arrived = false;
    sl->u.msg.sender_lost = false;
    sl->u.msg.sent_ns = s->now;
    if (len) memcpy(sl->u.msg.body, body, len);
    return sim_schedule(s, id, at);
}

bool env_send(env *e, node_id to, uint32_t type, const void *body, uint32_t len) {
    struct sim *s = S(e);
    SIM_ASSERT(to >= 0);
    SIM_ASSERT((uint32_t)to < s->node_count);
    SIM_ASSERT(len <= ENV_MSG_BODY_MAX);
    SIM_ASSERT(len == 0 || body != NULL);
    s->stats.messages_sent++;
    net_plan p = net_send(&s->net, s->now, e->id, to);
    if (s->trace) {
        char desc[160];
        sim_describe_msg(s, type, body, len, desc, sizeof desc);
        sim_trace_line(s, e->id, "send -> %s %s%s", s->scn->nodes[to].name, desc,
                       p.copies == 0 ? (p.dropped_by_partition ? " (dropped: link down)" : " (lost)")
                                     : p.copies == 2 ? " (duplicated)" : "");
    }
    for (uint32_t c = 0; s->on_message && c < (p.copies ? p.copies : 1u); c++) {
        sim_msg_note note = { e->id, to, type, s->now, p.copies ? p.arrive_ns[c] : SIM_TIME_NEVER, false };
        s->on_message(s->on_message_ctx, &note);
    }
    if (p.copies == 0) { s->stats.messages_dropped++; return true; }
    if (p.copies == 2) s->stats.messages_duplicated++;
    for (uint32_t c = 0; c < p.copies; c++)
        if (!send_copy(s, e->id, to, p.arrive_ns[c], type, body, len)) return false;
    return true;
}

/* at: the true time it fires, when the caller knows it (-1: plan it from
 * the deadline and the node's clock). */
static timer_id add_timer(env *e, timer_domain domain, sim_time deadline, sim_time at, uint32_t tag,
                          uint64_t arg) {
    struct sim *s = S(e);
    sim_node *n = N(e);
    SIM_ASSERT(n->state == NODE_UP);
    uint32_t id = sim_slot_alloc(s, SLOT_TIMER, e->id);
    if (id == UINT32_MAX) { sim_fail(s, "more than %u events in flight", SIM_SLOTS_MAX); return 0; }
    sim_slot *sl = &s->slots[id];
    sl->u.timer.tag = tag;
    sl->u.timer.arg = arg;
    sl->u.timer.domain = domain;
    sl->u.timer.deadline = deadline;
    sl->u.timer.incarnation = n->incarnation;
    sl->u.timer.uid = ++s->timer_uid_next;
    if (!(at >= 0 ? sim_schedule(s, id, at) : sim_plan_timer(s, id))) return 0;
    return (sl->u.timer.uid << SIM_SLOT_BITS) | id;
}

/* On a clock running at rate 1 (the common case) the timer fires exactly
 * `delay` of true time from now; otherwise the clock plans it. */
timer_id env_timer(env *e, sim_time delay, uint32_t tag, uint64_t arg) {
    SIM_ASSERT(delay >= 0);
    const sim_clock *c = &N(e)->clock;
    sim_time now = S(e)->now;
    sim_time at = c->rate_ppm == CLOCK_RATE_ONE ? now + delay : -1;
    return add_timer(e, TIMER_MONO, clock_mono(c, now) + delay, at, tag, arg);
}

timer_id env_timer_wall(env *e, sim_time wall_deadline, uint32_t tag, uint64_t arg) {
    return add_timer(e, TIMER_WALL, wall_deadline, -1, tag, arg);
}

/* A timer id is (uid << SIM_SLOT_BITS) | slot; the uid tells whether the
 * slot still holds that timer (it may have fired and been reused). */
void env_timer_cancel(env *e, timer_id t) {
    struct sim *s = S(e);
    if (t == 0) return;
    uint32_t id = (uint32_t)(t & (SIM_SLOTS_MAX - 1u));
    if (id >= s->slot_count) return;
    sim_slot *sl = &s->slots[id];
    if (sl->kind != SLOT_TIMER || sl->u.timer.uid != t >> SIM_SLOT_BITS) return;
    SIM_ASSERT(sl->node == e->id);
    SIM_ASSERT(!sl->parked);          /* a paused node runs no code, so cannot cancel */
    sim_slot_free(s, id);
}

uint64_t env_random(env *e) { return rng_next(&N(e)->rng); }

uint64_t env_random_below(env *e, uint64_t n) { return rng_below(&N(e)->rng, n); }

uint32_t env_op_invoke(env *e, hist_f f, const hist_op_fields *fields) {
    return env_op_invoke_as(e, N(e)->process, f, fields);
}

uint32_t env_op_invoke_as(env *e, uint32_t process, hist_f f, const hist_op_fields *fields) {
    struct sim *s = S(e);
    hist_op_fields op;
    if (fields) op = *fields; else memset(&op, 0, sizeof op);
    op.node = e->id;
    op.process = process;
    op.f = f;
    op.result = HIST_PENDING;
    op.invoke_ns = s->now;
    op.complete_ns = SIM_TIME_NEVER;
    op.invoke_local_ns = env_now_wall(e);
    uint32_t id = 0;
    if (!hist_add_op(&s->hist, &op, &id)) sim_hist_full(s);
    else sim_hist_grew(s);
    return id;
}

void env_op_complete(env *e, uint32_t id, hist_result r, const hist_op_fields *fields) {
    struct sim *s = S(e);
    if (s->failed) return;
    SIM_ASSERT(id < s->hist.op_count);
    SIM_ASSERT(s->hist.ops[id].node == e->id);
    hist_complete_op(&s->hist, id, r, s->now, fields);
}

void env_op_abandon(env *e, uint32_t *op, const char *note) {
    SIM_ASSERT(op != NULL);
    if (*op == HIST_NONE) return;
    hist_op_fields f;
    memset(&f, 0, sizeof f);
    f.note = note;
    env_op_complete(e, *op, HIST_INFO, &f);
    *op = HIST_NONE;
}

int64_t env_new_epoch(env *e) { return S(e)->hist.epoch_next++; }

void env_effect(env *e, const hist_effect_fields *fields) {
    struct sim *s = S(e);
    SIM_ASSERT(fields != NULL);
    hist_effect_fields ef = *fields;
    ef.t_ns = s->now;
    ef.node = e->id;
    if (!hist_add_effect_at(&s->hist, &ef, env_now_wall(e))) sim_hist_full(s);
    else sim_hist_grew(s);
}

const hist *env_history(const env *e) { return &S(e)->hist; }

void env_set_initial_value(env *e, int64_t value) { S(e)->hist.initial_value = value; }

/* A model's line: its body is cut at ENV_TRACE_BODY_MAX bytes, as it always
 * was (the bytes of trace.log stay those of earlier versions). */
#define ENV_TRACE_BODY_MAX 511

void env_trace(env *e, const char *fmt, ...) {
    struct sim *s = S(e);
    if (!s->trace) return;
    va_list ap;
    va_start(ap, fmt);
    sim_trace_vline(s, e->id, ENV_TRACE_BODY_MAX, fmt, ap);
    va_end(ap);
}

bool env_trace_on(const env *e) { return S(e)->trace != NULL; }

bool env_side_log_on(const env *e) { return S(e)->side_log != NULL; }

void env_side_log(env *e, const char *fields) {
    struct sim *s = S(e);
    SIM_ASSERT(fields != NULL);
    SIM_ASSERT(!s->side_log_heading);            /* a record needs the run to have begun */
    if (!s->side_log || s->failed) return;
    const sim_clock *c = &N(e)->clock;
    int n = fprintf(s->side_log, "%" PRId64 "\t%s\t%" PRId64 "\t%" PRId64 "\t%s\n", s->now,
                    s->scn->nodes[e->id].name, clock_wall(c, s->now), clock_mono(c, s->now), fields);
    sim_side_log_wrote(s, n);
}

void env_side_log_head(env *e, const char *line) {
    struct sim *s = S(e);
    SIM_ASSERT(line != NULL);
    SIM_ASSERT(s->side_log_heading);             /* only from model_ops.side_log_head */
    if (!s->side_log || s->failed) return;
    sim_side_log_wrote(s, fprintf(s->side_log, "%s\n", line));
}
