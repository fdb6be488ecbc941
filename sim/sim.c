/* sim.c -- the event loop: create a run from a scenario, run it, tear down.
 *
 * One run = one `sim`.  sim_create() binds the scenario to a protocol, its
 * params and workload (input errors with file:line:col), forks one random
 * stream per component from the root seed (network first, then each node
 * in scenario order), and queues the scripted faults before anything else,
 * so a fault due at the same instant as a message runs first.
 * sim_run() starts every node's model at time 0, then pops (time, seq)
 * events until the horizon.  Node state changes are in sim_int.h's diagram.
 *
 * Trade-off: slots live in one growable array and are recycled through a
 * free list; callbacks may grow it, so code never holds a slot pointer
 * across a model callback (it copies what it needs first).
 */
#include "sim/sim_int.h"
#include "sim/nemesis.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>


/* ---------------------------------------------------------------- slots */

uint32_t sim_slots_grow(struct sim *s) {
    if (s->slot_count == SIM_SLOTS_MAX) return UINT32_MAX;
    if (s->slot_count == s->slot_cap) {
        s->slot_cap = s->slot_cap ? s->slot_cap * 2 : 1024;
        s->slots = sim_xrealloc(s->slots, (size_t)s->slot_cap * sizeof *s->slots);
    }
    return s->slot_count++;
}

bool sim_queue_full(struct sim *s) {
    sim_fail(s, "the event queue is full (%u events pending); shorten `duration` "
                "or lower the workload's `iterations`", s->queue.cap_max);
    return false;
}

void sim_fail(struct sim *s, const char *fmt, ...) {
    if (s->failed) return;
    s->failed = true;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->error, sizeof s->error, fmt, ap);
    va_end(ap);
}

void sim_describe_msg(const struct sim *s, uint32_t type, const void *body, uint32_t len,
                      char *buf, size_t buf_len) {
    SIM_ASSERT(buf != NULL);
    SIM_ASSERT(buf_len > 0);
    buf[0] = '\0';
    if (s->describe_msg) s->describe_msg(type, body, len, buf, buf_len);
    else snprintf(buf, buf_len, "message type %u (%u bytes)", type, len);
}

/* Ends the run at its budget of `budget` `what` (sim_options): the loop
 * stops after the current event and sim_run says so. */
static void over_budget(struct sim *s, uint64_t budget, const char *what, const char *option) {
    if (s->failed) return;
    char now[32], end[32];
    sim_fmt_time(now, sizeof now, s->now);
    sim_fmt_time(end, sizeof end, s->scn->duration_ns);
    sim_fail(s, "the run passed its budget of %" PRIu64 " %s at true time %s of %s and was "
             "stopped (expected a shorter `duration` or a smaller workload, or a larger %s)",
             budget, what, now, end, option);
    s->over_budget = true;
}

/* A record the history refused: its budget is spent, or (hist_refusal)
 * a value does not fit it. */
void sim_hist_full(struct sim *s) {
    if (hist_refusal(&s->hist)) { sim_fail(s, "%s", hist_refusal(&s->hist)); return; }
    over_budget(s, s->hist.max_bytes, "bytes of history", "--max-memory BYTES");
}

/* Called after each record: each time the history has doubled since the
 * last look (from 1/64 of its budget), its size at the end is projected
 * from its bytes per operation so far, times the operations the workload
 * will invoke (workload_desc.ops_max, which never overstates them), or,
 * when that is less, its growth per simulated second to the horizon.  A
 * run on course to pass the budget stops now rather than when it reaches
 * it.  Without ops_max there is no projection: a run whose clients finish
 * long before its horizon would look far bigger than it is, so it is
 * stopped only when the budget is spent (sim_hist_full). */
void sim_hist_grew(struct sim *s) {
    size_t bytes = hist_bytes(&s->hist);
    if (bytes < s->hist_check_bytes || s->failed || s->now <= 0) return;
    s->hist_check_bytes = bytes * 2;
    uint64_t ops_max = s->workload && s->workload->ops_max ? s->workload->ops_max(s->workload_cfg, s->scn) : 0;
    if (ops_max == 0 || s->hist.op_count == 0) return;
    double end_bytes = (double)bytes * ((double)ops_max / (double)s->hist.op_count);
    double by_time = (double)bytes * ((double)s->scn->duration_ns / (double)s->now);
    if (by_time < end_bytes) end_bytes = by_time;
    if (end_bytes <= (double)s->hist.max_bytes) return;
    char now[32], end[32];
    sim_fmt_time(now, sizeof now, s->now);
    sim_fmt_time(end, sizeof end, s->scn->duration_ns);
    sim_fail(s, "the history is on course to pass its budget of %zu bytes: at true time %s of "
             "%s it holds %u operations and %u effects (%zu bytes), about %.0f MiB by the end; "
             "stopped now (expected a shorter `duration` or a smaller workload, or a larger "
             "--max-memory BYTES)", s->hist.max_bytes, now, end, s->hist.op_count,
             s->hist.effect_count, bytes, end_bytes / (1024.0 * 1024.0));
    s->over_budget = true;
}

/* A trace line's head, "%5lld.%09lld %-10s " of (seconds, ns, name), into
 * buf (room for 64 bytes at least); returns its length.  By hand: it is
 * written for every line. */
static size_t trace_head(char *buf, sim_time now, const char *name) {
    SIM_ASSERT(now >= 0);
    char digits[24];
    size_t n = 0, k = 0;
    uint64_t sec = (uint64_t)(now / SIM_S), ns = (uint64_t)(now % SIM_S);
    do { digits[k++] = (char)('0' + sec % 10); sec /= 10; } while (sec);
    for (size_t pad = k; pad < 5; pad++) buf[n++] = ' ';
    while (k) buf[n++] = digits[--k];
    buf[n++] = '.';
    for (size_t i = 9; i-- > 0; ns /= 10) buf[n + i] = (char)('0' + ns % 10);
    n += 9;
    buf[n++] = ' ';
    size_t len = strlen(name);
    SIM_ASSERT(len < SIM_NAME_MAX);
    memcpy(buf + n, name, len);
    n += len;
    for (; len < 10; len++) buf[n++] = ' ';
    buf[n++] = ' ';
    return n;
}

void sim_trace_vline(struct sim *s, int32_t node, size_t body_max, const char *fmt, va_list ap) {
    if (!s->trace) return;
    char line[SIM_TRACE_LINE_MAX];
    size_t head = trace_head(line, s->now, node >= 0 ? s->scn->nodes[node].name : "-");
    size_t room = sizeof line - head - 1;             /* one byte kept for the newline */
    SIM_ASSERT(body_max == SIZE_MAX || body_max < room);   /* a cut body fits */
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(line + head, room, fmt, ap);
    size_t body = n < 0 ? 0 : (size_t)n;
    if (body > body_max) body = body_max;             /* vsnprintf wrote its first bytes */
    if (body < room) {                                /* the common case: one write */
        line[head + body] = '\n';
        fwrite(line, 1, head + body + 1, s->trace);
    } else {                                          /* a long line: formatted in place */
        fwrite(line, 1, head, s->trace);
        int again_n = vfprintf(s->trace, fmt, again);
        body = again_n < 0 ? 0 : (size_t)again_n;
        fputc('\n', s->trace);
    }
    va_end(again);
    s->trace_bytes += (uint64_t)head + (uint64_t)body + 1u;
    if (s->trace_bytes > s->max_trace_bytes)
        over_budget(s, s->max_trace_bytes, "bytes of trace.log", "--max-trace BYTES");
}

void sim_trace_line(struct sim *s, int32_t node, const char *fmt, ...) {
    if (!s->trace) return;
    va_list ap;
    va_start(ap, fmt);
    sim_trace_vline(s, node, SIZE_MAX, fmt, ap);
    va_end(ap);
}

void sim_side_log_wrote(struct sim *s, int n) {
    SIM_ASSERT(s->side_log != NULL);
    s->side_log_bytes += (uint64_t)(n > 0 ? n : 0);
    if (s->side_log_bytes > s->max_side_log_bytes)
        over_budget(s, s->max_side_log_bytes, "bytes of side log (--emit)", "--max-trace BYTES");
}

/* The side log's head: each node's model writes its lines, in node order,
 * before the first event (env.h, model_ops.side_log_head). */
static void side_log_heads(struct sim *s) {
    env_side_log_run run = { s->scn->name, s->seed, true };
    uint64_t before = s->side_log_bytes;
    s->side_log_heading = true;
    for (uint32_t i = 0; i < s->node_count && !s->failed; i++) {
        const model_ops *m = s->nodes[i].model;
        if (m == NULL || m->side_log_head == NULL) continue;
        m->side_log_head(&s->nodes[i].env, &run);
        run.first = s->side_log_bytes == before;
    }
    s->side_log_heading = false;
}

/* The side log's tail: each node's model writes its last records, in node
 * order, at the horizon (env.h, model_ops.side_log_tail). */
static void side_log_tails(struct sim *s) {
    for (uint32_t i = 0; i < s->node_count && !s->failed; i++) {
        const model_ops *m = s->nodes[i].model;
        if (m == NULL || m->side_log_tail == NULL || s->nodes[i].model_state == NULL) continue;
        m->side_log_tail(s->nodes[i].model_state, &s->nodes[i].env);
    }
}

/* --------------------------------------------------------------- timers */

static bool timer_live(const struct sim *s, const sim_slot *sl) {
    return sl->kind == SLOT_TIMER && sl->u.timer.incarnation == s->nodes[sl->node].incarnation;
}

/* A clock changed: every live timer of the node that is not parked is
 * planned again; the new heap key makes the old entry stale.  O(slots),
 * which is fine for a fault and keeps timers off any per-node list. */
static void replan_timers(struct sim *s, int32_t node) {
    for (uint32_t id = 0; id < s->slot_count && !s->failed; id++) {
        const sim_slot *sl = &s->slots[id];
        if (sl->node != node || !timer_live(s, sl) || sl->parked) continue;
        sim_plan_timer(s, id);
    }
}

/* ---------------------------------------------------------- node states */

static bool node_ok(const struct sim *s, int32_t node) {
    return node >= 0 && (uint32_t)node < s->node_count;
}

static void park(struct sim *s, uint32_t id) {
    sim_node *n = &s->nodes[s->slots[id].node];
    SIM_ASSERT(n->state == NODE_PAUSED);
    if (n->parked_count == SIM_PARKED_MAX) {
        sim_fail(s, "node %s has %u events waiting while paused (the bound); shorten the pause",
                 s->scn->nodes[s->slots[id].node].name, SIM_PARKED_MAX);
        return;
    }
    if (n->parked_count == n->parked_cap) {
        n->parked_cap = n->parked_cap ? n->parked_cap * 2 : 64;
        n->parked = sim_xrealloc(n->parked, n->parked_cap * sizeof *n->parked);
    }
    n->parked[n->parked_count++] = id;
    s->slots[id].parked = true;
}

static void do_pause(struct sim *s, int32_t node, sim_time for_ns) {
    sim_node *n = &s->nodes[node];
    if (n->state == NODE_CRASHED) { sim_trace_line(s, node, "pause ignored: crashed"); return; }
    sim_time until = for_ns < SIM_TIME_NEVER - s->now ? s->now + for_ns : SIM_TIME_NEVER;
    if (n->state == NODE_PAUSED && until <= n->resume_at) return;
    if (n->resume_slot != UINT32_MAX) sim_slot_free(s, n->resume_slot);
    n->state = NODE_PAUSED;
    n->resume_at = until;
    n->resume_slot = sim_slot_alloc(s, SLOT_RESUME, node);
    if (n->resume_slot == UINT32_MAX) { sim_fail(s, "too many events in flight"); return; }
    sim_schedule(s, n->resume_slot, until);
    char b[32];
    sim_fmt_time(b, sizeof b, for_ns);
    sim_trace_line(s, node, "PAUSED for %s (GC / stop-the-world): nothing runs", b);
}

/* A parked timer is due at resume when its clock still reads its deadline
 * or later: a wall clock may have jumped back during the pause. */
static bool timer_still_due(const struct sim *s, const sim_slot *sl) {
    const sim_clock *c = &s->nodes[sl->node].clock;
    sim_time reads = sl->u.timer.domain == TIMER_WALL ? clock_wall(c, s->now) : clock_mono(c, s->now);
    return reads >= sl->u.timer.deadline;
}

static void replan_parked_timer(struct sim *s, uint32_t id) {
    const sim_slot *sl = &s->slots[id];
    if (s->trace) {
        char now[32], deadline[32];
        sim_fmt_time(now, sizeof now, clock_wall(&s->nodes[sl->node].clock, s->now));
        sim_fmt_time(deadline, sizeof deadline, sl->u.timer.deadline);
        sim_trace_line(s, sl->node, "timer tag %u no longer due: wall clock reads %s, deadline %s",
                       sl->u.timer.tag, now, deadline);
    }
    sim_plan_timer(s, id);
}

/* Parked events run now, in the order they were parked, except a timer
 * whose deadline is no longer reached: it is planned again from it. */
static void do_resume(struct sim *s, int32_t node) {
    sim_node *n = &s->nodes[node];
    SIM_ASSERT(n->state == NODE_PAUSED);
    n->state = NODE_UP;
    n->resume_slot = UINT32_MAX;
    sim_trace_line(s, node, "RESUMED (%u waiting events delivered)", n->parked_count);
    for (uint32_t i = 0; i < n->parked_count; i++) {
        uint32_t id = n->parked[i];
        sim_slot *sl = &s->slots[id];
        sl->parked = false;
        if (sl->kind == SLOT_TIMER && !timer_still_due(s, sl)) replan_parked_timer(s, id);
        else sim_schedule(s, id, s->now);
    }
    n->parked_count = 0;
}

/* Power loss: the node's messages still on their way were in its kernel's
 * buffers, which are gone; they are dropped when they would arrive.  O(slots),
 * like a clock fault. */
static void lose_outgoing(struct sim *s, int32_t node) {
    for (uint32_t id = 0; id < s->slot_count; id++) {
        sim_slot *sl = &s->slots[id];
        if (sl->kind != SLOT_MSG || sl->u.msg.from != node || sl->u.msg.arrived) continue;
        sl->u.msg.sender_lost = true;
    }
}

static void do_crash(struct sim *s, int32_t node, bool power_loss) {
    sim_node *n = &s->nodes[node];
    if (n->state == NODE_CRASHED) return;
    for (uint32_t i = 0; i < n->parked_count; i++) sim_slot_free(s, n->parked[i]);
    n->parked_count = 0;
    n->incarnation++;                      /* every timer armed so far is void */
    if (n->resume_slot != UINT32_MAX) sim_slot_free(s, n->resume_slot);
    n->resume_slot = UINT32_MAX;
    n->state = NODE_CRASHED;
    if (power_loss) {
        lose_outgoing(s, node);
        sim_trace_line(s, node, "POWER LOSS: host down; only what was fsynced survives, "
                       "messages still in its buffers lost, timers cancelled");
    } else {
        sim_trace_line(s, node, "CRASHED: volatile state lost, timers cancelled");
    }
    if (!n->started || !n->model || !n->model->on_crash) return;
    n->power_loss = power_loss;
    n->model->on_crash(n->model_state, &n->env);
    n->power_loss = false;
}

static void do_restart(struct sim *s, int32_t node) {
    sim_node *n = &s->nodes[node];
    if (n->state != NODE_CRASHED) { sim_trace_line(s, node, "restart ignored: not crashed"); return; }
    n->state = NODE_UP;
    sim_trace_line(s, node, "RESTARTED");
    if (!n->started) {                     /* crashed before its start: starts now */
        n->started = true;
        if (n->model && n->model->init) n->model->init(n->model_state, &n->env);
        return;
    }
    if (n->model && n->model->on_restart) n->model->on_restart(n->model_state, &n->env);
}

/* --------------------------------------------------------------- faults */

static void fault_clock(struct sim *s, const scn_fault *f) {
    sim_node *n = &s->nodes[f->node];
    sim_time before = clock_wall(&n->clock, s->now);
    if (f->kind == SCN_FAULT_CLOCK_JUMP) clock_jump(&n->clock, s->now, f->jump_ns);
    else clock_set_rate(&n->clock, s->now, f->rate_ppm);
    char b1[32], b2[32];
    sim_fmt_time(b1, sizeof b1, before);
    sim_fmt_time(b2, sizeof b2, clock_wall(&n->clock, s->now));
    sim_trace_line(s, f->node, "CLOCK %s: wall clock %s -> %s (rate %" PRId64 " ppm)",
                   f->kind == SCN_FAULT_CLOCK_JUMP ? "jump" : "rate", b1, b2, n->clock.rate_ppm);
    replan_timers(s, f->node);
}

static void fault_restart_later(struct sim *s, const scn_fault *f) {
    uint32_t id = sim_slot_alloc(s, SLOT_RESTART, f->node);
    if (id == UINT32_MAX) { sim_fail(s, "too many events in flight"); return; }
    sim_schedule(s, id, s->now + f->for_ns);
}

static void apply_fault(struct sim *s, uint32_t index) {
    SIM_ASSERT(index < s->scn->fault_count);
    const scn_fault *f = &s->scn->faults[index];
    switch (f->kind) {
    case SCN_FAULT_PAUSE: do_pause(s, f->node, f->for_ns); break;
    case SCN_FAULT_CRASH:
    case SCN_FAULT_POWER_LOSS:
        do_crash(s, f->node, f->kind == SCN_FAULT_POWER_LOSS);
        if (f->for_ns > 0) fault_restart_later(s, f);
        break;
    case SCN_FAULT_RESTART: do_restart(s, f->node); break;
    case SCN_FAULT_PARTITION:
        net_partition(&s->net, s->scn, f);
        sim_trace_line(s, -1, "PARTITION into %u groups", f->group_count);
        break;
    case SCN_FAULT_CUT:
        net_cut(&s->net, f->from_mask, f->to_mask, f->both);
        sim_trace_line(s, -1, "CUT links%s", f->both ? " (both directions)" : "");
        break;
    case SCN_FAULT_HEAL: net_heal(&s->net); sim_trace_line(s, -1, "HEAL: every link up"); break;
    case SCN_FAULT_CLOCK_JUMP:
    case SCN_FAULT_CLOCK_RATE: fault_clock(s, f); break;
    case SCN_FAULT_LINK_DELAY:
        if (!net_add_delay(&s->net, s->now, f->from_mask, f->to_mask, f->by_ns, f->for_ns))
            sim_fail(s, "more than %d link delays active at once", NET_DELAYS_MAX);
        sim_trace_line(s, -1, "DELAY links by %" PRId64 " ms for %" PRId64 " ms",
                       f->by_ns / SIM_MS, f->for_ns / SIM_MS);
        break;
    case SCN_FAULT_LINK_LOSS:
        if (!net_add_loss(&s->net, s->now, f->from_mask, f->to_mask, f->both, f->loss_ppm,
                          f->for_ns))
            sim_fail(s, "more than %d link delays and loss bursts active at once",
                     NET_DELAYS_MAX);
        sim_trace_line(s, -1, "LOSS on links: %u ppm for %" PRId64 " ms%s", f->loss_ppm,
                       f->for_ns / SIM_MS, f->both ? " (both directions)" : "");
        break;
    case SCN_FAULT_KIND_COUNT: SIM_UNREACHABLE("fault kind"); break;
    }
}

/* ------------------------------------------------------------- dispatch */

/* A message dropped at a crashed node goes into the history (HIST_EFF_LOST):
 * the story tells who waits for a reply that cannot come. */
static void record_lost(struct sim *s, int32_t to, int32_t from, uint32_t type, sim_time sent_ns) {
    SIM_ASSERT(sent_ns <= s->now);
    hist_effect_fields ef = { .kind = HIST_EFF_LOST, .t_ns = s->now, .node = to, .client = from,
                       .op = HIST_NONE, .value = sent_ns, .aux = type };
    if (!hist_add_effect_at(&s->hist, &ef, clock_wall(&s->nodes[to].clock, s->now)))
        sim_hist_full(s);
    else sim_hist_grew(s);
}

static void deliver_message(struct sim *s, uint32_t id) {
    sim_slot *sl = &s->slots[id];
    int32_t to = sl->node, from = sl->u.msg.from;
    sim_node *n = &s->nodes[to];
    bool arrived = sl->u.msg.arrived;     /* parked at a paused node: past the link */
    bool sender_lost = !arrived && sl->u.msg.sender_lost;
    bool lost = !arrived && (sender_lost || n->state == NODE_CRASHED ||
                             !net_link_up(&s->net, from, to));
    if (n->state == NODE_PAUSED && !lost) {
        sl->u.msg.arrived = true;         /* in the socket buffer: delivered on resume */
        park(s, id);
        return;
    }
    uint32_t type = sl->u.msg.type, len = sl->u.msg.len;
    sim_time sent_ns = sl->u.msg.sent_ns;
    uint8_t body[ENV_MSG_BODY_MAX];
    memcpy(body, sl->u.msg.body, len);
    sim_slot_free(s, id);                 /* before the callback: it may grow slots */
    char desc[160] = "";                  /* formatted only when someone reads it */
    if (s->trace) sim_describe_msg(s, type, body, len, desc, sizeof desc);
    if (lost) {
        s->stats.messages_dropped++;
        if (!sender_lost && n->state == NODE_CRASHED) record_lost(s, to, from, type, sent_ns);
        if (s->on_message) {
            sim_msg_note note = { from, to, type, SIM_TIME_NEVER, s->now, true };
            s->on_message(s->on_message_ctx, &note);
        }
        sim_trace_line(s, to, "drop <- %s %s (%s)", s->scn->nodes[from].name, desc,
                       sender_lost ? "its sender lost power" :
                       n->state == NODE_CRASHED ? "node is crashed" : "link is down");
        return;
    }
    s->stats.messages_delivered++;
    sim_trace_line(s, to, "recv <- %s %s", s->scn->nodes[from].name, desc);
    if (n->model && n->model->on_message)
        n->model->on_message(n->model_state, &n->env, from, type, body, len);
}

static void fire_timer(struct sim *s, uint32_t id) {
    sim_slot *sl = &s->slots[id];
    sim_node *n = &s->nodes[sl->node];
    if (!timer_live(s, sl)) { sim_slot_free(s, id); return; }   /* armed before a crash */
    SIM_ASSERT(n->state != NODE_CRASHED);         /* a crash voids every timer */
    if (n->state == NODE_PAUSED) { park(s, id); return; }
    uint32_t tag = sl->u.timer.tag;
    uint64_t arg = sl->u.timer.arg;
    if (sl->u.timer.domain == TIMER_WALL)
        SIM_ASSERT(clock_wall(&n->clock, s->now) >= sl->u.timer.deadline);
    sim_slot_free(s, id);
    s->stats.timers_fired++;
    if (n->model && n->model->on_timer) n->model->on_timer(n->model_state, &n->env, tag, arg);
}

/* A node's model starts at time 0, after the faults due at 0: a node
 * crashed at 0 never starts (it may restart), one paused at 0 starts when
 * it resumes. */
static void start_node(struct sim *s, uint32_t id) {
    int32_t node = s->slots[id].node;
    sim_node *n = &s->nodes[node];
    if (n->state == NODE_PAUSED) { park(s, id); return; }
    sim_slot_free(s, id);
    if (n->state == NODE_CRASHED) return;  /* starts at its restart, if any */
    n->started = true;
    if (n->model && n->model->init) n->model->init(n->model_state, &n->env);
}

static void dispatch(struct sim *s, uint32_t id) {
    sim_slot *sl = &s->slots[id];
    switch (sl->kind) {
    case SLOT_MSG: deliver_message(s, id); break;
    case SLOT_TIMER: fire_timer(s, id); break;
    case SLOT_FAULT: {
        uint32_t f = sl->u.fault.fault;
        sim_slot_free(s, id);
        apply_fault(s, f);
        break;
    }
    case SLOT_RESUME: {
        int32_t node = sl->node;
        SIM_ASSERT(s->nodes[node].resume_slot == id);
        sim_slot_free(s, id);
        do_resume(s, node);
        break;
    }
    case SLOT_RESTART: {
        int32_t node = sl->node;
        sim_slot_free(s, id);
        do_restart(s, node);
        break;
    }
    case SLOT_INIT: start_node(s, id); break;
    case SLOT_FREE: SIM_UNREACHABLE("a free slot was scheduled"); break;
    }
}

/* Checked after every event for the node the event touched, and for all
 * nodes after every fault (faults are rare; events are the hot path). */
static bool node_invariants_ok(const struct sim *s, int32_t node) {
    if (node < 0) return true;
    const sim_node *n = &s->nodes[node];
    if (n->state == NODE_PAUSED && n->resume_at < s->now) return false;
    if (n->state != NODE_PAUSED && n->parked_count != 0) return false;
    return true;
}

static bool sim_invariants_ok(const struct sim *s) {
    for (uint32_t i = 0; i < s->node_count; i++)
        if (!node_invariants_ok(s, (int32_t)i)) return false;
    return true;
}

/* ------------------------------------------------- assertion context */

/* What sim_run is doing, for sim_assert_fail to print (base.h): a copy of
 * the event taken before dispatch, since dispatch frees its slot before the
 * model's callback runs.  Diagnostic only: nothing reads it to decide. */
typedef struct run_context {
    const struct sim *s;
    slot_kind kind;               /* SLOT_FREE = between events */
    int32_t node;                 /* the event's node (message: destination) */
    int32_t from;                 /* message: the sender */
    uint32_t what;                /* message type, timer tag or fault index */
} run_context;

static void note_event(run_context *c, const sim_slot *sl) {
    c->kind = sl->kind;
    c->node = sl->node;
    c->from = sl->kind == SLOT_MSG ? sl->u.msg.from : -1;
    c->what = sl->kind == SLOT_MSG ? sl->u.msg.type
            : sl->kind == SLOT_TIMER ? sl->u.timer.tag
            : sl->kind == SLOT_FAULT ? sl->u.fault.fault : 0;
}

static const char *context_node(const struct sim *s, int32_t node) {
    return node >= 0 && (uint32_t)node < s->node_count ? s->scn->nodes[node].name : "-";
}

/* The run's --set overrides, shell-quoted as `ccsim run` prints them. */
static void print_sets(const scn *sc) {
    for (uint32_t k = 0; k < sc->set_count; k++) {
        fputs(" --set '", stderr);
        for (const char *p = sc->sets[k]; *p; p++) {
            if (*p == '\'') fputs("'\\''", stderr);
            else fputc(*p, stderr);
        }
        fputc('\'', stderr);
    }
}

/* Ends with the command that reproduces the run (STYLE.md 9). */
static void print_run_context(const void *ctx) {
    const run_context *c = ctx;
    const struct sim *s = c->s;
    const char *at = context_node(s, c->node);
    const sim_node *n = c->node >= 0 && (uint32_t)c->node < s->node_count ? &s->nodes[c->node] : NULL;
    char t[32];
    sim_fmt_time(t, sizeof t, s->now);
    fprintf(stderr, "  scenario: %s\n  seed: %" PRIu64 "\n  true time: %s (%" PRId64 " ns)\n  running: ",
            s->scn->path, s->seed, t, s->now);
    switch (c->kind) {
    case SLOT_MSG: fprintf(stderr, "message type %u %s -> %s", c->what, context_node(s, c->from), at); break;
    case SLOT_TIMER: fprintf(stderr, "timer tag %u on %s", c->what, at); break;
    case SLOT_FAULT:
        fprintf(stderr, "fault faults[%u]%s%s", c->what, c->node >= 0 ? " on " : "", c->node >= 0 ? at : "");
        break;
    case SLOT_RESUME: fprintf(stderr, "resume of %s after its pause", at); break;
    case SLOT_RESTART: fprintf(stderr, "restart of %s", at); break;
    case SLOT_INIT: fprintf(stderr, "start of %s", at); break;
    case SLOT_FREE: fprintf(stderr, "the event loop, between events"); break;
    }
    if (n && n->model && c->kind != SLOT_FAULT) fprintf(stderr, " (model %s)", n->model->name);
    fprintf(stderr, "\n  reproduce: ccsim run %s --seed %" PRIu64, s->scn->path, s->seed);
    print_sets(s->scn);
    fputc('\n', stderr);
}

/* ------------------------------------------- determinism self-check */

void sim_trail_free(sim_trail *t) {
    if (!t) return;
    free(t->events);
    memset(t, 0, sizeof *t);
}

const char *sim_event_kind_name(uint32_t kind) {
    switch (kind) {
    case SIM_EV_MESSAGE: return "message";
    case SIM_EV_TIMER: return "timer";
    case SIM_EV_FAULT: return "fault";
    case SIM_EV_RESUME: return "resume";
    case SIM_EV_RESTART: return "restart";
    case SIM_EV_START: return "start";
    default: return "?";
    }
}

static void trail_add(sim_trail *t, const sim_event *ev) {
    if (t->count == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 4096;
        t->events = sim_xrealloc(t->events, (size_t)t->cap * sizeof *t->events);
    }
    t->events[t->count++] = *ev;
}

/* Every executed event goes into the hash (and the trail, when recorded):
 * a few multiplications, so it is always on. */
static inline void note_stream(struct sim *s, const run_context *c) {
    sim_event ev = { s->now, (int16_t)c->node, (int16_t)c->from, (uint8_t)c->kind, c->what };
    s->stats.event_hash = sim_event_hash(s->stats.event_hash, &ev);
    if (s->trail) trail_add(s->trail, &ev);
}

int sim_run(sim *s, char *err, size_t err_len) {
    SIM_ASSERT(s != NULL);
    SIM_ASSERT(s->now == 0);
    const sim_time horizon = s->scn->duration_ns;
    run_context context = { s, SLOT_FREE, -1, -1, 0 };
    sim_assert_set_context(print_run_context, &context);
    if (s->side_log) side_log_heads(s);
    evq_item it;
    while (!s->failed && evq_pop(&s->queue, &it)) {
        if (it.time_ns > horizon) break;
        SIM_ASSERT(it.time_ns >= s->now);
        uint32_t slot = evq_slot(it.key);
        if (s->slots[slot].key != it.key) continue;       /* cancelled or re-planned */
        s->now = it.time_ns;
        if (s->stats.events == s->max_events) {
            over_budget(s, s->max_events, "events", "--max-events N");
            break;
        }
        s->stats.events++;
        slot_kind kind = s->slots[slot].kind;
        int32_t node = s->slots[slot].node;
        s->slots[slot].key = 0;                           /* popped: no live entry */
        note_event(&context, &s->slots[slot]);
        note_stream(s, &context);
        dispatch(s, slot);
        if (kind == SLOT_FAULT) SIM_ASSERT(sim_invariants_ok(s));
        else SIM_ASSERT(node_invariants_ok(s, node));
    }
    sim_assert_set_context(NULL, NULL);                   /* context is on the stack */
    s->now = s->scn->duration_ns;
    s->stats.end_ns = s->now;
    if (s->side_log && !s->failed) side_log_tails(s);
    if (s->failed) {
        snprintf(err, err_len, "%s: error: %s", s->scn->path, s->error);
        return s->over_budget ? SIM_RUN_OVER_BUDGET : -1;
    }
    return 0;
}

/* ---------------------------------------------------------------- setup */

/* The protocol's cfg from `params:`, then its own cross-field checks. */
static int bind_protocol(struct sim *s, const scn *sc, char *err, size_t len) {
    SIM_ASSERT(s->proto != NULL);
    SIM_ASSERT(s->proto->param_count == 0 || s->proto->params != NULL);
    s->proto_cfg = sim_xcalloc(1, s->proto->cfg_size ? s->proto->cfg_size : 1);
    if (param_apply(s->proto->params, s->proto->param_count, s->proto_cfg, &sc->params, sc,
                    "params", err, len) != 0)
        return -1;
    return s->proto->validate ? s->proto->validate(s->proto_cfg, sc, err, len) : 0;
}

/* A workload that needs more events than the run's budget is refused before
 * it runs, at the parameter that drives it (family.h, events_min). */
static int workload_within_budget(struct sim *s, const scn *sc, char *err, size_t len) {
    if (!s->workload->events_min) return 0;
    const char *key = "kind";
    uint64_t need = s->workload->events_min(s->workload_cfg, &key);
    if (need <= s->max_events) return 0;
    return param_error(sc, &sc->workload, key, err, len,
                       "%s: the workload needs at least %" PRIu64 " events, beyond the run's "
                       "budget of %" PRIu64 " (expected fewer %s or clients, or a larger "
                       "--max-events N)", key, need, s->max_events, key);
}

/* The workload's cfg from `workload:`, when the run has a workload. */
static int bind_workload(struct sim *s, const scn *sc, char *err, size_t len) {
    if (!s->workload) return 0;
    SIM_ASSERT(s->workload->driver != NULL);
    s->workload_cfg = sim_xcalloc(1, s->workload->cfg_size ? s->workload->cfg_size : 1);
    if (param_apply(s->workload->params, s->workload->param_count, s->workload_cfg,
                    &sc->workload, sc, "workload", err, len) != 0)
        return -1;
    if (s->workload->validate && s->workload->validate(s->workload_cfg, sc, s->proto, err, len) != 0)
        return -1;
    return workload_within_budget(s, sc, err, len);
}

static const proto_role *find_role(const proto_desc *p, const char *role) {
    for (uint32_t i = 0; i < p->role_count; i++)
        if (strcmp(p->roles[i].role, role) == 0) return &p->roles[i];
    return NULL;
}

static void role_list(const proto_desc *p, char *buf, size_t len) {
    buf[0] = '\0';
    for (uint32_t i = 0; i < p->role_count; i++) {
        size_t used = strlen(buf);
        snprintf(buf + used, len - used, "%s%s", i ? ", " : "", p->roles[i].role);
    }
}

/* Each node's model and config come from its role. */
static int bind_roles(struct sim *s, const scn *sc, char *err, size_t len) {
    char roles[256];
    role_list(s->proto, roles, sizeof roles);
    for (uint32_t i = 0; i < sc->node_count; i++) {
        const proto_role *r = find_role(s->proto, sc->nodes[i].role);
        if (!r) {
            scn_errorf(err, len, sc->path, sc->nodes[i].pos,
                       "protocol '%s' has no role '%s' (expected one of: %s)", s->proto->name,
                       sc->nodes[i].role, roles);
            return -1;
        }
        s->nodes[i].model = r->model ? r->model : (s->workload ? s->workload->driver : NULL);
        s->nodes[i].config = r->config ? r->config(s->proto_cfg) : NULL;
        SIM_ASSERT(r->config == NULL || s->nodes[i].config != NULL);
    }
    for (uint32_t k = 0; k < s->proto->role_count; k++) {
        const proto_role *r = &s->proto->roles[k];
        uint32_t count = 0;
        for (uint32_t i = 0; i < sc->node_count; i++) count += strcmp(sc->nodes[i].role, r->role) == 0;
        if (count < r->min_count || count > r->max_count) {
            scn_errorf(err, len, sc->path, sc->protocol_pos,
                       "protocol '%s' needs %u to %u '%s' nodes, the scenario has %u (nodes: %s)",
                       s->proto->name, r->min_count, r->max_count, r->role, count, r->help);
            return -1;
        }
    }
    return 0;
}

static int setup_nodes(struct sim *s, const scn *sc) {
    rng root;
    rng_init(&root, s->seed);
    net_init(&s->net, sc, rng_fork(&root));          /* network first, then nodes */
    s->node_count = sc->node_count;
    for (uint32_t i = 0; i < sc->node_count; i++) {
        sim_node *n = &s->nodes[i];
        n->env.sim = s;
        n->env.id = (node_id)i;
        n->rng = rng_fork(&root);
        n->resume_slot = UINT32_MAX;
        n->process = sc->nodes[i].role_index;
        const scn_clock *c = &sc->clocks[i];
        clock_init(&n->clock, c->set ? c->offset_ns : 0, c->set ? c->rate_ppm : CLOCK_RATE_ONE);
        if (n->model) {
            const model_ops *m = n->model;
            size_t size = m->state_size_for ? m->state_size_for(&n->env) : m->state_size;
            n->model_state = sim_xcalloc(1, size ? size : 1);
        }
    }
    for (uint32_t k = 0; k < sc->fault_count; k++) {   /* before any model event */
        const scn_fault *f = &sc->faults[k];
        SIM_ASSERT(f->at_ns >= 0);
        SIM_ASSERT(f->at_ns <= sc->duration_ns);
        SIM_ASSERT(f->node < 0 || node_ok(s, f->node));
        uint32_t id = sim_slot_alloc(s, SLOT_FAULT, f->node);
        if (id == UINT32_MAX) return -1;
        s->slots[id].u.fault.fault = k;
        if (!sim_schedule(s, id, f->at_ns)) return -1;
    }
    for (uint32_t i = 0; i < sc->node_count; i++) {     /* then every model starts */
        uint32_t id = sim_slot_alloc(s, SLOT_INIT, (int32_t)i);
        if (id == UINT32_MAX || !sim_schedule(s, id, 0)) return -1;
    }
    return 0;
}

int sim_create(const scn *sc, const sim_options *opt, sim **out, char *err, size_t len) {
    SIM_ASSERT(sc != NULL);
    SIM_ASSERT(out != NULL);
    SIM_ASSERT(opt != NULL);
    SIM_ASSERT(opt->proto != NULL);           /* resolved by the registry or a test */
    struct sim *s = sim_xcalloc(1, sizeof *s);
    s->scn = s->file_scn = sc;
    s->seed = opt->seed_set ? opt->seed : sc->seed;
    if (sc->nemesis.on) {                     /* the faults it draws for this seed */
        s->run_scn = nemesis_run_scenario(sc, s->seed, sim_xmalloc(sizeof *s->run_scn));
        s->scn = sc = s->run_scn;
    }
    s->nodes = sim_xcalloc(sc->node_count + 1u, sizeof *s->nodes);
    s->trace = opt->trace;
    s->on_message = opt->on_message;
    s->on_message_ctx = opt->on_message_ctx;
    s->trail = opt->trail;
    SIM_ASSERT(s->trail == NULL || s->trail->count == 0);
    s->describe_msg = opt->describe_msg;
    s->check_applies = opt->check_applies;
    s->max_events = opt->max_events ? opt->max_events : CONFIG_EVENTS_DEFAULT;
    s->max_trace_bytes = opt->max_trace_bytes ? opt->max_trace_bytes : CONFIG_TRACE_BYTES_DEFAULT;
    s->side_log = opt->side_log;
    s->max_side_log_bytes = opt->max_side_log_bytes ? opt->max_side_log_bytes
                                                    : CONFIG_TRACE_BYTES_DEFAULT;
    s->proto = opt->proto;
    s->workload = opt->workload;
    s->free_head = UINT32_MAX;
    evq_init(&s->queue, SIM_SLOTS_MAX);
    hist_init(&s->hist);
    if (opt->vocab != NULL) s->hist.vocab = opt->vocab;
    if (opt->max_history_bytes) s->hist.max_bytes = (size_t)opt->max_history_bytes;
    s->hist_check_bytes = s->hist.max_bytes / 64;
    *out = NULL;
    if (bind_protocol(s, sc, err, len) != 0 || bind_workload(s, sc, err, len) != 0 ||
        bind_roles(s, sc, err, len) != 0) {
        scn_error_relocate(sc, err, len);            /* a value from `--set` */
        sim_destroy(s);
        return -1;
    }
    if (setup_nodes(s, sc) != 0) {
        snprintf(err, len, "%s: error: %s", sc->path, s->failed ? s->error : "too many faults");
        sim_destroy(s);
        return -1;
    }
    s->stats.seed = s->seed;
    s->stats.event_hash = SIM_EVENT_HASH_INIT;
    *out = s;
    return 0;
}

void sim_destroy(sim *s) {
    if (!s) return;
    for (uint32_t i = 0; i < s->scn->node_count; i++) {
        free(s->nodes[i].model_state);
        free(s->nodes[i].parked);
    }
    free(s->nodes);
    net_free(&s->net);
    free(s->proto_cfg);
    free(s->workload_cfg);
    free(s->slots);
    free(s->run_scn);
    evq_free(&s->queue);
    hist_free(&s->hist);
    free(s);
}

void sim_set_trace(sim *s, FILE *trace) {
    SIM_ASSERT(s->now == 0);
    s->trace = trace;
}

const hist *sim_history(const sim *s) { return &s->hist; }
sim_stats   sim_get_stats(const sim *s) { return s->stats; }
const scn  *sim_scenario(const sim *s) { return s->scn; }

void sim_outcome(const sim *s, char *buf, size_t len) {
    SIM_ASSERT(s != NULL);
    SIM_ASSERT(buf != NULL && len > 0);
    buf[0] = '\0';
    if (s->workload && s->workload->outcome)
        s->workload->outcome(s->workload_cfg, &s->hist, s->scn, buf, len);
}

uint32_t sim_check_names(const sim *s, const char **out, uint32_t max) {
    uint32_t k = 0;
    const scn *sc = s->file_scn;         /* names that outlive this sim */
    if (sc->check_count == 0) {
        for (size_t i = 0; i < PROTO_CHECKS_MAX && s->proto->checks[i] && k < max; i++) {
            const char *name = s->proto->checks[i];
            if (!s->check_applies || s->check_applies(name, s->proto, s->workload)) out[k++] = name;
        }
        return k;
    }
    for (uint32_t i = 0; i < sc->check_count && k < max; i++) out[k++] = sc->checks[i].name;
    return k;
}
