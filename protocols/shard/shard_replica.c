/* shard_replica.c -- an asynchronous replica of one shard: it applies the
 * primary's log entries in order, each `lag` after it arrived, and answers
 * reads from what it has applied.
 *
 *   REPL pos = next expected [on_repl]--> queued, applied at arrival + lag [apply_due]
 *   REPL pos < expected      [on_repl]--> ignored (a copy it has)
 *   REPL pos > expected      [on_repl]--> CATCHUP(expected) to the primary (a gap)
 *   READ, pos <= applied     [on_read]--> reply what it has applied
 *   READ, pos > applied      [on_read]--> parked (WAIT effect) until applied >= pos
 *   crash / power loss [replica_on_crash]--> keeps what it applied (each apply is
 *                    forced to disk); loses the queue and the parked reads
 *   restart [replica_on_restart]--> CATCHUP(applied + 1)
 *
 * Invariant (replica_invariants_ok): applied + queued entries = the next
 * position it expects - 1; queued entries are consecutive and due in order;
 * no parked read asks for a position it has applied.  Trade-off: entries
 * carry the account's new balance and version (state, not deltas), so
 * applying one twice would be harmless; the order check makes it never
 * happen.
 */
#include "protocols/shard/shard.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { TAG_APPLY = 1 };

#define SH_QUEUE_MAX 256

typedef struct sh_queued {
    sh_msg m;
    sim_time due_mono;
} sh_queued;

typedef struct sh_waiter {
    node_id from;
    sh_msg q;
} sh_waiter;

typedef struct sh_replica {
    const sh_cfg *cfg;
    sh_topo topo;
    uint32_t shard;
    node_id primary;
    sim_time lag_ns;
    int64_t balance[SH_KEYS_MAX], version[SH_KEYS_MAX];     /* durable */
    uint64_t applied;                                       /* durable */
    sh_queued queue[SH_QUEUE_MAX];                          /* volatile, a ring */
    uint32_t q_head, q_len;
    sh_waiter waiter[SH_WAITERS_MAX];                       /* volatile */
    uint32_t waiters;
} sh_replica;

static bool replica_invariants_ok(const sh_replica *r) {
    if (r->cfg == NULL || r->q_len > SH_QUEUE_MAX || r->waiters > SH_WAITERS_MAX) return false;
    for (uint32_t i = 0; i < r->q_len; i++) {
        const sh_queued *x = &r->queue[(r->q_head + i) % SH_QUEUE_MAX];
        if (x->m.pos != r->applied + 1 + i) return false;
        if (i > 0 && x->due_mono < r->queue[(r->q_head + i - 1) % SH_QUEUE_MAX].due_mono) return false;
    }
    for (uint32_t i = 0; i < r->waiters; i++)
        if (r->waiter[i].q.pos <= r->applied) return false;
    return true;
}

static void effect(env *e, hist_eff_kind kind, node_id client, uint32_t op, uint32_t key, int64_t value,
                   int64_t version, int64_t aux) {
    hist_effect_fields ef;
    memset(&ef, 0, sizeof ef);
    ef.kind = kind;
    ef.client = client;
    ef.op = op;
    ef.value = value;
    ef.version = version;
    ef.aux = aux;
    char name[SIM_NAME_MAX];
    sh_key_name(key, name, sizeof name);
    ef.key = name;
    env_effect(e, &ef);
}

static void answer(sh_replica *r, env *e, node_id to, const sh_msg *q) {
    effect(e, SH_EFF_SERVE, to, q->op, q->key, r->balance[q->key], r->version[q->key], (int64_t)r->applied);
    sh_msg p = *q;
    p.version = r->version[q->key];
    p.balance = r->balance[q->key];
    p.pos = r->applied;
    env_send(e, to, SH_MSG_READ_REPLY, &p, sizeof p);
}

/* Answers the parked reads whose position is now applied, in arrival order. */
static void wake(sh_replica *r, env *e) {
    uint32_t kept = 0;
    for (uint32_t i = 0; i < r->waiters; i++) {
        sh_waiter w = r->waiter[i];
        if (w.q.pos <= r->applied) answer(r, e, w.from, &w.q);
        else r->waiter[kept++] = w;
    }
    r->waiters = kept;
}

static void apply_due(sh_replica *r, env *e) {
    sim_time now = env_now_mono(e);
    while (r->q_len > 0 && r->queue[r->q_head].due_mono <= now) {
        const sh_msg *m = &r->queue[r->q_head].m;
        r->balance[m->key] = m->balance;
        r->version[m->key] = m->version;
        r->applied = m->pos;
        effect(e, SH_EFF_APPLY, -1, HIST_NONE, m->key, m->balance, m->version, (int64_t)m->pos);
        r->q_head = (r->q_head + 1) % SH_QUEUE_MAX;
        r->q_len--;
    }
    wake(r, e);
}

/* Asks the primary for the entries from from_pos on.  Asked again at every
 * gap seen, so a lost answer is asked for again; the copies are ignored. */
static void ask(sh_replica *r, env *e, uint64_t from_pos) {
    sh_msg m = { .pos = from_pos };
    env_send(e, r->primary, SH_MSG_CATCHUP, &m, sizeof m);
}

static void on_repl(sh_replica *r, env *e, const sh_msg *m) {
    uint64_t expected = r->applied + r->q_len + 1;
    if (m->pos < expected) return;
    if (m->pos > expected) { ask(r, e, expected); return; }
    if (r->q_len == SH_QUEUE_MAX) return;                  /* dropped: the next entry shows the gap */
    sh_queued *x = &r->queue[(r->q_head + r->q_len++) % SH_QUEUE_MAX];
    x->m = *m;
    x->due_mono = env_now_mono(e) + r->lag_ns;
    env_timer(e, r->lag_ns, TAG_APPLY, m->pos);
}

static void on_read(sh_replica *r, env *e, node_id from, const sh_msg *q) {
    if (q->pos <= r->applied) { answer(r, e, from, q); return; }
    if (r->waiters == SH_WAITERS_MAX) { env_trace(e, "replica: too many reads waiting; one dropped"); return; }
    effect(e, SH_EFF_WAIT, from, q->op, q->key, (int64_t)q->pos, r->version[q->key], (int64_t)r->applied);
    r->waiter[r->waiters++] = (sh_waiter){ from, *q };
}

static void replica_on_message(void *state, env *e, node_id from, uint32_t type, const void *body,
                               uint32_t len) {
    sh_replica *r = state;
    SIM_ASSERT(replica_invariants_ok(r));
    sh_msg q;
    if (len != sizeof q) { env_trace(e, "replica: ignored type %u", type); return; }
    memcpy(&q, body, sizeof q);
    if (q.key >= (uint32_t)r->cfg->accounts) { env_trace(e, "replica: ignored key %u", q.key); return; }
    if (type == SH_MSG_REPL && from == r->primary) on_repl(r, e, &q);
    else if (type == SH_MSG_READ) on_read(r, e, from, &q);
    else env_trace(e, "replica: ignored type %u", type);
    SIM_ASSERT(replica_invariants_ok(r));
}

static void replica_on_timer(void *state, env *e, uint32_t tag, uint64_t arg) {
    sh_replica *r = state;
    (void)arg;
    SIM_ASSERT(tag == TAG_APPLY);
    apply_due(r, e);
    SIM_ASSERT(replica_invariants_ok(r));
}

static void replica_init(void *state, env *e) {
    sh_replica *r = state;
    memset(r, 0, sizeof *r);
    r->cfg = env_proto_config(e);
    SIM_ASSERT(r->cfg != NULL);
    sh_topo_load(e, &r->topo);
    int shard = sh_replica_shard(&r->topo, env_self(e));
    SIM_ASSERT(shard >= 0);
    r->shard = (uint32_t)shard;
    r->primary = r->topo.primary[r->shard];
    r->lag_ns = r->cfg->lag.node_ns[env_self(e)];
    for (uint32_t k = 0; k < (uint32_t)r->cfg->accounts; k++) {
        r->version[k] = 1;
        r->balance[k] = r->cfg->balance;
    }
    SIM_ASSERT(replica_invariants_ok(r));
}

/* Applies are forced to disk: a crash and a power loss keep what it
 * applied alike, and lose the entries still waiting out their lag. */
static void replica_on_crash(void *state, env *e) {
    sh_replica *r = state;
    SIM_ASSERT(replica_invariants_ok(r));
    env_trace(e, "replica %s at position %" PRIu64 "; %u queued entries and %u waiting reads lost",
              env_crash_is_power_loss(e) ? "lost power" : "crashed", r->applied, r->q_len, r->waiters);
    r->q_len = 0;
    r->waiters = 0;
}

static void replica_on_restart(void *state, env *e) {
    sh_replica *r = state;
    ask(r, e, r->applied + 1);
    SIM_ASSERT(replica_invariants_ok(r));
}

const model_ops sh_replica_ops = {
    .name = "shard-replica", .state_size = sizeof(sh_replica), .init = replica_init,
    .on_message = replica_on_message, .on_timer = replica_on_timer, .on_crash = replica_on_crash,
    .on_restart = replica_on_restart,
};

sim_time sh_longest_read_wait(const hist *h) {
    SIM_ASSERT(h != NULL);
    sim_time longest = 0;
    for (uint32_t k = 0; k < h->effect_count; k++) {
        const hist_effect *w = &h->effects[k];
        if (w->kind != SH_EFF_WAIT) continue;
        for (uint32_t j = k + 1; j < h->effect_count; j++) {
            const hist_effect *x = &h->effects[j];
            if (x->kind != SH_EFF_SERVE || x->op != w->op) continue;
            if (x->t_ns - w->t_ns > longest) longest = x->t_ns - w->t_ns;
            break;
        }
    }
    return longest;
}

int sh_key_index(const char *key) {
    SIM_ASSERT(key != NULL);
    if (strncmp(key, "acct", 4) != 0) return -1;
    int n = atoi(key + 4);
    return n >= 1 && n <= SH_KEYS_MAX ? n - 1 : -1;
}

sim_time sh_commit_time(const hist *h, const char *key, int64_t version) {
    SIM_ASSERT(h != NULL && key != NULL);
    for (uint32_t k = 0; k < h->effect_count; k++) {
        const hist_effect *x = &h->effects[k];
        if (x->kind == SH_EFF_COMMIT && hist_effect_version(h, x) == version && strcmp(x->key, key) == 0) return x->t_ns;
    }
    return 0;
}
