/* sim_int.h -- the engine's internals, shared by sim.c and env.c only.
 * Protocols never include this file (STYLE.md 7): they see env.h.
 *
 * The event pool.  Every pending thing (a message in flight, a timer, a
 * scripted fault, a node's resume) is a slot in `slots`; the heap (evq)
 * holds (time, seq, slot, gen).  Freeing or re-planning a slot bumps its
 * generation, which makes older heap entries stale: cancel is lazy.
 *
 * Node states:
 *
 *      UP --pause fault--> PAUSED --resume event--> UP      [do_pause, do_resume]
 *      UP --crash fault--> CRASHED --restart fault--> UP   [do_crash, do_restart]
 *      PAUSED --crash--> CRASHED
 *
 * While PAUSED, events due for the node are parked in its `parked` FIFO and
 * re-queued, in order, when it resumes.  CRASHED drops messages to the node
 * and frees its timers and parked events; its model's on_crash ran.
 *
 * Invariants (sim_invariants_ok): a node's timers are live slots that name
 * that node; a PAUSED node's `resume_at` > now; parked events belong to
 * their node; slots in the free list are SLOT_FREE.
 */
#ifndef CCSIM_SIM_INT_H
#define CCSIM_SIM_INT_H

#include "sim/clock.h"
#include "sim/env.h"
#include "sim/evq.h"
#include "sim/net.h"
#include "sim/proto.h"
#include "sim/rng.h"
#include "sim/sim.h"

#define SIM_SLOT_BITS 22
#define SIM_SLOTS_MAX (1u << SIM_SLOT_BITS)   /* events in flight at once */
#define SIM_PARKED_MAX (1u << 16)      /* events waiting for a paused node */

typedef enum { SLOT_FREE = 0, SLOT_MSG, SLOT_TIMER, SLOT_FAULT, SLOT_RESUME, SLOT_RESTART,
               SLOT_INIT } slot_kind;
typedef enum { TIMER_MONO = 0, TIMER_WALL } timer_domain;
typedef enum { NODE_UP = 0, NODE_PAUSED, NODE_CRASHED } node_state;

typedef struct sim_slot {
    slot_kind kind;
    uint32_t gen;
    int32_t node;                 /* the node it is for (msg: destination) */
    uint32_t next_free;
    bool parked;                  /* waiting in its node's parked FIFO */
    union {
        struct { int32_t from; uint32_t type, len; uint8_t body[ENV_MSG_BODY_MAX]; } msg;
        struct { uint32_t tag; uint64_t arg; timer_domain domain; sim_time deadline;
                 uint32_t index; uint64_t uid; } timer;   /* index: position in the node's timer list */
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
    uint32_t *timers;             /* live timer slots of this node */
    uint32_t timer_count, timer_cap;
    uint32_t *parked;             /* slots waiting for resume, FIFO */
    uint32_t parked_count, parked_cap;
    uint32_t process;             /* Jepsen :process for clients */
} sim_node;

struct sim {
    const scn *scn;
    const proto_desc *proto;
    const workload_desc *workload;
    void *proto_cfg;
    void *workload_cfg;
    uint64_t seed;
    FILE *trace;

    sim_time now;
    evq queue;
    sim_slot *slots;
    uint32_t slot_count, slot_cap, free_head;
    uint64_t timer_uid_next;      /* timer ids: (uid << SIM_SLOT_BITS) | slot */

    sim_node nodes[SIM_NODES_MAX];
    uint32_t node_count;
    net net;
    hist hist;
    sim_stats stats;

    bool failed;                  /* a bound was hit inside a callback */
    char error[SIM_ERR_MAX];
};

/* Slot and queue helpers used by env.c. */
uint32_t sim_slot_alloc(struct sim *s, slot_kind kind, int32_t node);
void     sim_slot_free(struct sim *s, uint32_t slot);
bool     sim_schedule(struct sim *s, uint32_t slot, sim_time at);
void     sim_fail(struct sim *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void     sim_trace_line(struct sim *s, int32_t node, const char *fmt, ...)
             __attribute__((format(printf, 3, 4)));
/* Plans (or re-plans) a timer slot from its deadline and its node's clock. */
bool     sim_plan_timer(struct sim *s, uint32_t slot);
void     sim_timer_unlink(struct sim *s, uint32_t slot);

#endif
