/* sim_int.h -- the engine's internals, shared by sim.c and env.c only.
 * Protocols never include this file (STYLE.md 7): they see env.h.
 *
 * The event pool.  Every pending thing (a message in flight, a timer, a
 * scripted fault, a node's resume) is a slot in `slots`; the heap (evq)
 * holds (time, key), and a slot remembers the key of its live entry.
 * Freeing or re-planning a slot changes that, which makes older heap
 * entries stale: cancel is lazy.
 *
 * Node states:
 *
 *      UP --pause fault--> PAUSED --resume event--> UP      [do_pause, do_resume]
 *      UP --crash fault--> CRASHED --restart fault--> UP   [do_crash, do_restart]
 *      PAUSED --crash--> CRASHED
 *      (a power-loss fault is a crash, and more: see "Power loss" below)
 *
 * A node's model starts (init) at its start event; one crashed before that
 * (a crash at 0 ms, ordered before the start events) has not started: its
 * model gets no on_crash, and starts (init, not on_restart) at its restart.
 *
 * While PAUSED, events due for the node are parked in its `parked` FIFO and
 * re-queued, in order, when it resumes; a parked timer whose clock no longer
 * reads its deadline (a wall clock jumped back) is planned again from it
 * instead.  A message is checked against its link when it arrives; once
 * parked it has arrived (`arrived`) and is delivered on resume whatever the
 * links do.  CRASHED drops messages to the node
 * and frees its parked events; its model's on_crash ran.  A crash bumps the
 * node's incarnation: timers armed before it are dropped when they pop
 * (no per-node timer list on the hot path; a clock fault scans the slots).
 *
 * Power loss.  The host goes down, not only the process: besides what a
 * crash does, the messages the node sent that have not arrived yet are
 * marked `sender_lost` (its kernel's socket buffers are gone) and are
 * dropped when they would arrive; and the model's on_crash runs with
 * `power_loss` set, so env_crash_is_power_loss() tells it to keep only what
 * it fsynced.  A message already parked at a paused receiver has arrived
 * and is not touched.
 *
 * Invariants (sim_invariants_ok): a PAUSED node's `resume_at` >= now; only
 * a PAUSED node has parked events; a timer that fires belongs to its
 * node's current incarnation and the node is UP.
 */
#ifndef CCSIM_SIM_INT_H
#define CCSIM_SIM_INT_H

#include <stdarg.h>

#include "sim/clock.h"
#include "sim/env.h"
#include "sim/evq.h"
#include "sim/net.h"
#include "sim/family.h"
#include "sim/rng.h"
#include "sim/sim.h"

#define SIM_SLOT_BITS EVQ_SLOT_BITS
#define SIM_SLOTS_MAX (1u << SIM_SLOT_BITS)   /* events in flight at once */
#define SIM_PARKED_MAX (1u << 16)      /* events waiting for a paused node */

typedef enum { SLOT_FREE = 0, SLOT_MSG, SLOT_TIMER, SLOT_FAULT, SLOT_RESUME, SLOT_RESTART,
               SLOT_INIT } slot_kind;
_Static_assert(SLOT_MSG == (int)SIM_EV_MESSAGE && SLOT_TIMER == (int)SIM_EV_TIMER &&
               SLOT_FAULT == (int)SIM_EV_FAULT && SLOT_RESUME == (int)SIM_EV_RESUME &&
               SLOT_RESTART == (int)SIM_EV_RESTART && SLOT_INIT == (int)SIM_EV_START,
               "an executed slot's kind is its sim_event_kind");
_Static_assert(SIM_NODES_MAX <= INT16_MAX, "sim_event keeps a node in an int16_t");
typedef enum { TIMER_MONO = 0, TIMER_WALL } timer_domain;
typedef enum { NODE_UP = 0, NODE_PAUSED, NODE_CRASHED } node_state;

typedef struct sim_slot {
    slot_kind kind;
    uint64_t key;                 /* the live heap entry's key, 0 = none */
    int32_t node;                 /* the node it is for (msg: destination) */
    uint32_t next_free;
    bool parked;                  /* waiting in its node's parked FIFO */
    union {
        struct { int32_t from; uint32_t type, len; bool arrived, sender_lost;
                 sim_time sent_ns; uint8_t body[ENV_MSG_BODY_MAX]; } msg;
        struct { uint32_t tag; uint64_t arg; timer_domain domain; sim_time deadline;
                 uint32_t incarnation; uint64_t uid; } timer;
        struct { uint32_t fault; } fault;
    } u;
} sim_slot;

struct env { struct sim *sim; node_id id; };

typedef struct sim_node {
    env env;
    node_state state;
    const model_ops *model;
    void *model_state;
    sim_clock clock;
    rng rng;
    sim_time resume_at;           /* when PAUSED */
    uint32_t resume_slot;         /* the pending SLOT_RESUME, UINT32_MAX if none */
    uint32_t incarnation;         /* bumped by each crash */
    bool power_loss;              /* true only while on_crash runs for a power loss */
    bool started;                 /* its model's init ran */
    uint32_t *parked;             /* slots waiting for resume, FIFO */
    uint32_t parked_count, parked_cap;
    uint32_t process;             /* Jepsen :process for clients */
    const void *config;           /* its role's part of the protocol cfg (env_config) */
} sim_node;

struct sim {
    const scn *scn;               /* the run scenario: the file's, or run_scn */
    const scn *file_scn;          /* the one sim_create was given (outlives the sim) */
    scn *run_scn;                 /* with the nemesis's faults; NULL without one */
    const proto_desc *proto;
    const workload_desc *workload;
    void *proto_cfg;
    void *workload_cfg;
    uint64_t seed;
    FILE *trace;
    void (*describe_msg)(uint32_t type, const void *body, uint32_t len, char *buf,
                         size_t buf_len);   /* sim_options.describe_msg, NULL = none */
    bool (*check_applies)(const char *check, const struct proto_desc *proto,
                          const struct workload_desc *workload);   /* sim_options', NULL = all */
    sim_msg_fn on_message;        /* sim_options.on_message, NULL = none */
    void *on_message_ctx;
    sim_trail *trail;             /* sim_options.trail, NULL = none */

    sim_time now;
    evq queue;
    sim_slot *slots;
    uint32_t slot_count, slot_cap, free_head;
    uint64_t timer_uid_next;      /* timer ids: (uid << SIM_SLOT_BITS) | slot */

    sim_node *nodes;              /* node_count of them (heap) */
    uint32_t node_count;
    net net;
    hist hist;
    sim_stats stats;

    uint64_t max_events, max_trace_bytes;   /* the budgets (sim_options) */
    size_t hist_check_bytes;                /* next history size to project from */
    uint64_t trace_bytes;         /* written to trace so far */
    FILE *side_log;               /* sim_options.side_log, NULL = none */
    uint64_t max_side_log_bytes, side_log_bytes;
    bool side_log_heading;        /* inside the models' side_log_head calls */

    bool failed;                  /* a bound was hit inside a callback */
    bool over_budget;             /* ... and it was a budget */
    char error[SIM_ERR_MAX];
};

/* A trace line's words for a message: sim_options.describe_msg, or its
 * type and size. */
void     sim_describe_msg(const struct sim *s, uint32_t type, const void *body, uint32_t len,
                          char *buf, size_t buf_len);
/* Out of line, rare: a new slot at the end of the pool (UINT32_MAX at the
 * bound), and the error for a full queue (returns false). */
uint32_t sim_slots_grow(struct sim *s);
bool     sim_queue_full(struct sim *s);
void     sim_fail(struct sim *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The history's budget (sim_options.max_history_bytes): a record refused,
 * and a record added (the projection, sim.c). */
void     sim_hist_full(struct sim *s);
void     sim_hist_grew(struct sim *s);
/* One trace.log line, "SECONDS.NANOS NODE    " and the formatted body (at
 * most body_max bytes of it; SIZE_MAX = all), formatted once and handed to
 * the trace stream in one write; nothing without a trace.  node -1: "-". */
void     sim_trace_line(struct sim *s, int32_t node, const char *fmt, ...)
             __attribute__((format(printf, 3, 4)));
void     sim_trace_vline(struct sim *s, int32_t node, size_t body_max, const char *fmt, va_list ap)
             __attribute__((format(printf, 4, 0)));
#define SIM_TRACE_LINE_MAX 1024   /* bytes of a line formatted on the stack; longer ones stream */
/* Counts n more bytes of side log against its budget (the run stops past it). */
void     sim_side_log_wrote(struct sim *s, int n);

/* ---- the hot path, inline: slots, scheduling, timer planning ---- */

/* A slot for a new event; UINT32_MAX when the pool's bound is reached.
 * The caller fills the union. */
static inline uint32_t sim_slot_alloc(struct sim *s, slot_kind kind, int32_t node) {
    SIM_ASSERT(kind != SLOT_FREE);
    uint32_t id = s->free_head;
    if (id != UINT32_MAX) s->free_head = s->slots[id].next_free;
    else if ((id = sim_slots_grow(s)) == UINT32_MAX) return UINT32_MAX;
    sim_slot *sl = &s->slots[id];
    sl->kind = kind;
    sl->key = 0;
    sl->node = node;
    sl->next_free = UINT32_MAX;
    sl->parked = false;
    return id;
}

static inline void sim_slot_free(struct sim *s, uint32_t id) {
    SIM_ASSERT(id < s->slot_count);
    SIM_ASSERT(s->slots[id].kind != SLOT_FREE);
    sim_slot *sl = &s->slots[id];
    sl->kind = SLOT_FREE;
    sl->key = 0;                     /* heap entries naming it are now stale */
    sl->next_free = s->free_head;
    s->free_head = id;
}

/* Queues slot id at true time `at` (>= now); false when the queue is full
 * (the run then ends with the error). */
static inline bool sim_schedule(struct sim *s, uint32_t id, sim_time at) {
    SIM_ASSERT(id < s->slot_count);
    SIM_ASSERT(at >= s->now);
    uint64_t key = evq_push(&s->queue, at, id);
    s->slots[id].key = key;
    return key != 0 || sim_queue_full(s);
}

/* Plans (or re-plans) a timer slot from its deadline and its node's clock. */
static inline bool sim_plan_timer(struct sim *s, uint32_t id) {
    sim_slot *sl = &s->slots[id];
    SIM_ASSERT(sl->kind == SLOT_TIMER);
    const sim_clock *c = &s->nodes[sl->node].clock;
    sim_time at = sl->u.timer.domain == TIMER_WALL
                      ? clock_true_at_wall(c, s->now, sl->u.timer.deadline)
                      : clock_true_at_mono(c, s->now, sl->u.timer.deadline);
    return sim_schedule(s, id, at);
}

#endif
