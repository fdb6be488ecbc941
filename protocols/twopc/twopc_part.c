/* twopc_part.c -- a 2PC participant (resource manager): a database holding
 * one account, its row lock, and a durable log of its transactions.
 *
 * Main invariant: the row lock is held by at most one transaction, the
 * PREPARED one, from its forced PREPARED record until it commits or aborts;
 * a prepared transaction changes only on an outcome it was told (by the
 * coordinator, a peer, the coordinator's recovery presumption) or on a
 * heuristic decision; waiters queue FIFO and exist only while it is held.
 *
 * State diagram of one transaction here (the function per edge):
 *
 *   (none) --PREPARE, row free [on_prepare -> prepare_txn]--> PREPARED | ABORTED (rule says no)
 *   (none) --PREPARE, row held [on_prepare -> enqueue]--> WAITING
 *   WAITING --row granted [grant_next -> prepare_txn]--> PREPARED | ABORTED
 *   WAITING --ABORT, peer query, lock timeout [on_decision, on_peer_query, on_lock_timeout
 *             -> abort_local]--> ABORTED
 *   (none) --peer query [on_peer_query -> abort_local]--> ABORTED (it may no longer vote yes)
 *   PREPARED --decision timeout [on_decision_timer]--> PREPARED, blocked: asks coordinator, peers
 *   PREPARED --COMMIT | ABORT [on_decision, on_peer_state, on_recovered, on_heuristic_timer
 *             -> resolve]--> COMMITTED | ABORTED
 *   crash [part_crash]: waiters and timers go, PREPARED stays with its lock;
 *   restart [part_restart]: a PREPARED txn asks its coordinator at once.
 *
 * The log: records are forced when they promise something (PREPARED, the
 * outcome of a prepared txn, an abort promised to a peer); a NO vote's
 * abort is written lazily and flushed by the next forced write, so a crash
 * may lose it (then a late PREPARE of that txn is judged afresh).
 * Crash or power loss (sim/env.h): the same here.  The lazy record is in
 * the process's log buffer, lost to either; a forced one is fsynced before
 * the vote or ack that relies on it is sent, kept by either.
 *
 * Trade-off: one account per participant (TXN_ACCOUNT) and a fixed table of
 * TPC_PTX_MAX txn records reused oldest-finished first; a peer asking about
 * a txn that may have been forgotten that way (its number is not above the
 * highest forgotten one of its coordinator) is told "uncertain", never a
 * guess.
 */
#include "protocols/twopc/twopc.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "protocols/txn/txn_api.h"

enum { TAG_DECISION = 730, TAG_HEURISTIC = 731, TAG_LOCK_TIMEOUT = 732 };

#define TPC_PTX_MAX 64
#define TPC_QUEUE_MAX 32
#define WHY_PEER "a peer asked before we voted"

typedef enum { PTX_FREE = 0, PTX_WAITING, PTX_PREPARED, PTX_COMMITTED, PTX_ABORTED } ptx_state;

typedef struct ptx {
    uint8_t state;                /* ptx_state */
    bool durable;                 /* on disk: forced, or flushed by a later forced write */
    bool blocked;                 /* an in-doubt BLOCKED window is open */
    int32_t coord;
    uint32_t seq, op;
    uint64_t peers;
    int64_t delta;
    uint32_t presume;
} ptx;

typedef enum { W_PREPARE = 0, W_READ } wait_kind;

typedef struct waiter {
    uint8_t kind;                 /* wait_kind */
    uint32_t ptx;                 /* W_PREPARE: its record */
    node_id from;                 /* W_READ: the reader */
    uint32_t op, req;             /* the waiting op; W_READ's request id */
    uint32_t id;                  /* names its lock-timeout timer */
    timer_id timeout;
    char key[SIM_NAME_MAX];       /* its BLOCKED window: "acct row, held by tm:1" */
} waiter;

typedef struct tpc_part {
    const tpc_cfg *cfg;
    /* durable: the database and its log */
    bool opened;
    int64_t balance;
    ptx txns[TPC_PTX_MAX];
    uint32_t reuse;               /* where the search for a record to reuse starts */
    int32_t holder;               /* the PREPARED txn holding the row lock, -1 = free */
    uint32_t forgotten_max[SIM_MASK_NODES];   /* per coordinator: the highest txn whose record was reused */
    bool heuristic_done;
    uint32_t forced_writes;
    /* volatile */
    waiter queue[TPC_QUEUE_MAX];
    uint32_t queue_len, waiter_next;
    timer_id decision_timer, heuristic_timer;
} tpc_part;

static uint64_t bit(node_id n) {
    SIM_ASSERT(n >= 0);
    SIM_ASSERT(n < SIM_MASK_NODES);
    return (uint64_t)1 << n;
}

static bool in_nodes(const param_nodes *ns, node_id n) {
    for (uint32_t i = 0; i < ns->count; i++)
        if (ns->node[i] == n) return true;
    return false;
}

static bool part_invariants_ok(const tpc_part *p) {
    if (p->cfg == NULL || p->queue_len > TPC_QUEUE_MAX) return false;
    uint32_t prepared = 0, waiting = 0, waiting_queued = 0;
    for (uint32_t i = 0; i < TPC_PTX_MAX; i++) {
        prepared += p->txns[i].state == PTX_PREPARED;
        waiting += p->txns[i].state == PTX_WAITING;
        if (p->txns[i].blocked && p->txns[i].state != PTX_PREPARED) return false;
    }
    for (uint32_t i = 0; i < p->queue_len; i++)
        waiting_queued += p->queue[i].kind == W_PREPARE;
    if (waiting != waiting_queued) return false;
    if (p->holder < 0) return prepared == 0 && p->queue_len == 0 && p->decision_timer == 0;
    if (p->holder >= TPC_PTX_MAX || p->txns[p->holder].state != PTX_PREPARED) return false;
    return prepared == 1;
}

static void key_of(env *e, const ptx *t, char *buf, size_t len) {
    tpc_txn_key(buf, len, env_node_name(e, t->coord), t->seq);
}

static void effect(env *e, const ptx *t, hist_eff_kind k, int64_t value, int64_t aux) {
    hist_effect_fields x;
    memset(&x, 0, sizeof x);
    x.kind = k;
    x.client = t->coord;
    x.op = t->op;
    x.value = value;
    x.aux = aux;
    char key[SIM_NAME_MAX];
    key_of(e, t, key, sizeof key);
    x.key = key;
    env_effect(e, &x);
}

static void window(env *e, hist_eff_kind k, const char *key, int32_t client, uint32_t op) {
    hist_effect_fields x;
    memset(&x, 0, sizeof x);
    x.kind = k;
    x.client = client;
    x.op = op;
    x.key = key;
    env_effect(e, &x);
}

static void in_doubt_key(env *e, const ptx *t, char *buf, size_t len) {
    char k[SIM_NAME_MAX];
    key_of(e, t, k, sizeof k);
    snprintf(buf, len, "in doubt on %.18s", k);
}

static void log_force(tpc_part *p, env *e, const ptx *t, const char *what) {
    p->forced_writes++;
    for (uint32_t i = 0; i < TPC_PTX_MAX; i++)
        if (p->txns[i].state != PTX_FREE) p->txns[i].durable = true;
    if (!env_trace_on(e)) return;
    char k[SIM_NAME_MAX];
    key_of(e, t, k, sizeof k);
    env_trace(e, "log: force-write %s for %s", what, k);
}

static void send_msg(env *e, node_id to, uint32_t type, const ptx *t, uint32_t flag, const char *why) {
    tpc_msg m;
    memset(&m, 0, sizeof m);
    m.coord = t->coord;
    m.seq = t->seq;
    m.op = t->op;
    m.flag = flag;
    m.presume = t->presume;
    sim_copy_text(m.why, sizeof m.why, why, sizeof m.why);
    env_send(e, to, type, &m, sizeof m);
}

/* ------------------------------------------------------------ records */

static int32_t find(const tpc_part *p, int32_t coord, uint32_t seq) {
    for (uint32_t i = 0; i < TPC_PTX_MAX; i++) {
        const ptx *t = &p->txns[i];
        if (t->state != PTX_FREE && t->coord == coord && t->seq == seq) return (int32_t)i;
    }
    return -1;
}

/* A free record, else the oldest finished one (round robin). */
static int32_t alloc(tpc_part *p, int32_t coord, uint32_t seq) {
    for (uint32_t k = 0; k < 2 * TPC_PTX_MAX; k++) {
        uint32_t i = (p->reuse + k) % TPC_PTX_MAX;
        uint8_t st = p->txns[i].state;
        if (k < TPC_PTX_MAX ? st != PTX_FREE : (st == PTX_WAITING || st == PTX_PREPARED)) continue;
        p->reuse = (i + 1) % TPC_PTX_MAX;
        const ptx *old = &p->txns[i];
        if (st != PTX_FREE && old->coord >= 0 && old->coord < SIM_MASK_NODES &&
            old->seq > p->forgotten_max[old->coord])
            p->forgotten_max[old->coord] = old->seq;
        p->txns[i] = (ptx){ .state = PTX_WAITING, .coord = coord, .seq = seq, .op = HIST_NONE };
        return (int32_t)i;
    }
    SIM_UNREACHABLE("a record is always free: 1 prepared + TPC_QUEUE_MAX waiting < TPC_PTX_MAX");
    return -1;
}

/* ------------------------------------------------------------ the row lock */

static void reply_read(tpc_part *p, env *e, node_id to, uint32_t op, uint32_t req, bool ok,
                       const char *why) {
    txn_read r;
    memset(&r, 0, sizeof r);
    r.op = op;
    r.req = req;
    r.ok = ok ? 1u : 0u;
    r.balance = p->balance;
    sim_copy_text(r.why, sizeof r.why, why, sizeof r.why);
    env_send(e, to, TXN_MSG_READ_REPLY, &r, sizeof r);
}

static void dequeue(tpc_part *p, env *e, uint32_t i, waiter *out) {
    SIM_ASSERT(i < p->queue_len);
    *out = p->queue[i];
    if (out->timeout != 0) env_timer_cancel(e, out->timeout);
    memmove(&p->queue[i], &p->queue[i + 1], (p->queue_len - i - 1) * sizeof p->queue[0]);
    p->queue_len--;
    window(e, HIST_EFF_UNBLOCKED, out->key, -1, out->op);
}

static bool enqueue(tpc_part *p, env *e, wait_kind kind, uint32_t ptx_i, node_id from, uint32_t op,
                    uint32_t req) {
    SIM_ASSERT(p->holder >= 0);
    if (p->queue_len == TPC_QUEUE_MAX) return false;
    waiter *w = &p->queue[p->queue_len++];
    *w = (waiter){ .kind = (uint8_t)kind, .ptx = ptx_i, .from = from, .op = op, .req = req,
                   .id = ++p->waiter_next };
    if (p->cfg->lock_timeout_ns >= 0)
        w->timeout = env_timer(e, p->cfg->lock_timeout_ns, TAG_LOCK_TIMEOUT, w->id);
    char k[SIM_NAME_MAX];
    key_of(e, &p->txns[p->holder], k, sizeof k);
    snprintf(w->key, sizeof w->key, "%s row, held by %.13s", TXN_ACCOUNT, k);
    window(e, HIST_EFF_BLOCKED, w->key, -1, op);
    env_trace(e, "the row is locked by %s: the %s waits (queue %u)", k,
              kind == W_READ ? "read" : "prepare", p->queue_len);
    return true;
}

static void prepare_txn(tpc_part *p, env *e, int32_t i);

/* The row came free: hand it on, FIFO, until a prepare takes it. */
static void grant_next(tpc_part *p, env *e) {
    while (p->holder < 0 && p->queue_len > 0) {
        waiter w;
        dequeue(p, e, 0, &w);
        if (w.kind == W_READ) {
            env_trace(e, "row lock granted to %s's read", env_node_name(e, w.from));
            reply_read(p, e, w.from, w.op, w.req, true, "");
        } else {
            prepare_txn(p, e, (int32_t)w.ptx);
        }
    }
}

/* ------------------------------------------------------------ outcomes */

static bool must_ack(const ptx *t, bool commit) {
    return commit ? t->presume == TPC_PRESUME_ABORT : t->presume == TPC_PRESUME_COMMIT;
}

/* Aborts a txn that never prepared here: a NO vote (written lazily), or a
 * promise to a peer that we will never vote YES (forced). */
static void abort_local(tpc_part *p, env *e, int32_t i, int64_t how, bool vote, const char *why) {
    ptx *t = &p->txns[i];
    SIM_ASSERT(t->state == PTX_WAITING);
    t->state = PTX_ABORTED;
    t->durable = false;
    if (strcmp(why, WHY_PEER) == 0) log_force(p, e, t, "ABORT (promised to a peer)");
    if (vote) effect(e, t, HIST_EFF_TXN_VOTE, 0, 0);
    effect(e, t, HIST_EFF_TXN_ABORT, 0, how);
    char k[SIM_NAME_MAX];
    key_of(e, t, k, sizeof k);
    env_trace(e, "%s: abort%s (%s)", k, vote ? ", vote NO" : "", why);
    if (vote) send_msg(e, t->coord, TPC_MSG_VOTE, t, 0, why);
}

static const char *how_name(int64_t how) {
    switch (how) {
    case TPC_HOW_DECISION: return "the coordinator's decision";
    case TPC_HOW_HEURISTIC: return "a HEURISTIC decision, on its own";
    case TPC_HOW_PEER: return "a peer's answer (cooperative termination)";
    case TPC_HOW_PRESUMED: return "the presumption: the coordinator has no record";
    default: return "?";
    }
}

static void resolve(tpc_part *p, env *e, bool commit, int64_t how) {
    SIM_ASSERT(p->holder >= 0);
    ptx *t = &p->txns[p->holder];
    SIM_ASSERT(t->state == PTX_PREPARED);
    if (p->decision_timer != 0) env_timer_cancel(e, p->decision_timer);
    p->decision_timer = 0;
    t->state = commit ? PTX_COMMITTED : PTX_ABORTED;
    log_force(p, e, t, commit ? "COMMIT" : "ABORT");
    if (commit && t->delta != 0) {
        p->balance += t->delta;
        hist_effect_fields x = { .kind = HIST_EFF_BALANCE, .client = t->coord, .op = t->op,
                          .value = p->balance };
        x.key = TXN_ACCOUNT;
        env_effect(e, &x);
    }
    effect(e, t, commit ? HIST_EFF_TXN_COMMIT : HIST_EFF_TXN_ABORT, 0, how);
    char k[SIM_NAME_MAX];
    key_of(e, t, k, sizeof k);
    env_trace(e, "%s: %s by %s; row lock released (balance %" PRId64 ")", k,
              commit ? "COMMIT" : "ABORT", how_name(how), p->balance);
    if (t->blocked) {
        char w[SIM_NAME_MAX];
        in_doubt_key(e, t, w, sizeof w);
        window(e, HIST_EFF_UNBLOCKED, w, t->coord, HIST_NONE);
        t->blocked = false;
    }
    p->holder = -1;
    if (how == TPC_HOW_DECISION && must_ack(t, commit))
        send_msg(e, t->coord, TPC_MSG_ACK, t, commit ? 1u : 0u, "");
    grant_next(p, e);
}

/* The account rule, the lock, the forced PREPARED record, the YES vote. */
static void prepare_txn(tpc_part *p, env *e, int32_t i) {
    ptx *t = &p->txns[i];
    SIM_ASSERT(t->state == PTX_WAITING);
    SIM_ASSERT(p->holder < 0);
    if (in_nodes(&p->cfg->vote_no, env_self(e))) {
        abort_local(p, e, i, TPC_HOW_UNILATERAL, true, "business rule: refused here");
        return;
    }
    if (p->cfg->max_prepared == 0) {
        abort_local(p, e, i, TPC_HOW_UNILATERAL, true, "max_prepared_transactions is 0");
        return;
    }
    if (p->balance + t->delta < 0) {
        abort_local(p, e, i, TPC_HOW_UNILATERAL, true, "insufficient funds");
        return;
    }
    p->holder = i;
    t->state = PTX_PREPARED;
    log_force(p, e, t, "PREPARED (with its row lock)");
    effect(e, t, HIST_EFF_TXN_VOTE, 1, 0);
    send_msg(e, t->coord, TPC_MSG_VOTE, t, 1, "");
    p->decision_timer = env_timer(e, p->cfg->decision_timeout_ns, TAG_DECISION, 0);
}

/* ------------------------------------------------------------ messages */

static void on_prepare(tpc_part *p, env *e, node_id from, const tpc_msg *m) {
    int32_t i = find(p, m->coord, m->seq);
    if (i >= 0) {                                 /* a duplicate: the same answer again */
        const ptx *t = &p->txns[i];
        if (t->state == PTX_PREPARED) send_msg(e, from, TPC_MSG_VOTE, t, 1, "");
        if (t->state == PTX_ABORTED) send_msg(e, from, TPC_MSG_VOTE, t, 0, "already aborted here");
        return;
    }
    if (m->coord >= 0 && m->coord < SIM_MASK_NODES && m->seq <= p->forgotten_max[m->coord]) {
        ptx old = { .coord = m->coord, .seq = m->seq, .op = m->op, .presume = m->presume };
        send_msg(e, from, TPC_MSG_VOTE, &old, 0, "too old: its record is gone");
        return;                                   /* a very late duplicate: never prepare twice */
    }
    i = alloc(p, m->coord, m->seq);
    ptx *t = &p->txns[i];
    t->op = m->op;
    t->peers = m->peers;
    t->delta = m->delta;
    t->presume = m->presume;
    if (p->holder < 0) { prepare_txn(p, e, i); return; }
    if (!enqueue(p, e, W_PREPARE, (uint32_t)i, from, m->op, 0))
        abort_local(p, e, i, TPC_HOW_LOCK_TIMEOUT, true, "lock queue full (TPC_QUEUE_MAX)");
}

static uint32_t queued_at(const tpc_part *p, int32_t i) {
    for (uint32_t q = 0; q < p->queue_len; q++)
        if (p->queue[q].kind == W_PREPARE && p->queue[q].ptx == (uint32_t)i) return q;
    SIM_UNREACHABLE("a WAITING txn is queued");
    return 0;
}

static void drop_waiting(tpc_part *p, env *e, int32_t i, int64_t how, bool vote, const char *why) {
    waiter w;
    dequeue(p, e, queued_at(p, i), &w);
    abort_local(p, e, i, how, vote, why);
}

static void on_decision(tpc_part *p, env *e, node_id from, const tpc_msg *m) {
    bool commit = m->flag == 1;
    int32_t i = find(p, m->coord, m->seq);
    ptx probe = { .coord = m->coord, .seq = m->seq, .op = m->op, .presume = m->presume };
    if (i < 0) {                                  /* never prepared here: nothing to undo */
        if (!commit) {
            ptx *t = &p->txns[alloc(p, m->coord, m->seq)];
            t->state = PTX_ABORTED;
            t->op = m->op;
            t->presume = m->presume;
        }
        if (must_ack(&probe, commit)) send_msg(e, from, TPC_MSG_ACK, &probe, commit ? 1u : 0u, "");
        return;
    }
    ptx *t = &p->txns[i];
    if (t->state == PTX_PREPARED) { resolve(p, e, commit, TPC_HOW_DECISION); return; }
    if (t->state == PTX_WAITING && !commit) {
        drop_waiting(p, e, i, TPC_HOW_DECISION, false, "told to abort");
        if (must_ack(t, false)) send_msg(e, from, TPC_MSG_ACK, t, 0, "");
        return;
    }
    bool mine = t->state == PTX_COMMITTED;
    if (mine != commit) {
        char k[SIM_NAME_MAX];
        key_of(e, t, k, sizeof k);
        env_trace(e, "HEURISTIC DAMAGE on %s: the coordinator says %s, this participant already %s",
                  k, commit ? "COMMIT" : "ABORT", mine ? "committed" : "aborted");
    }
    if (must_ack(t, commit)) send_msg(e, from, TPC_MSG_ACK, t, commit ? 1u : 0u, "");
}

static void on_peer_query(tpc_part *p, env *e, node_id from, const tpc_msg *m) {
    int32_t i = find(p, m->coord, m->seq);
    bool may_have_forgotten = m->coord >= 0 && m->coord < SIM_MASK_NODES &&
                              m->seq <= p->forgotten_max[m->coord];
    if (i < 0 && may_have_forgotten) {
        ptx probe = { .coord = m->coord, .seq = m->seq, .op = m->op, .presume = m->presume };
        send_msg(e, from, TPC_MSG_PEER_STATE, &probe, TPC_PEER_UNCERTAIN, "");
        return;
    }
    if (i < 0) {
        i = alloc(p, m->coord, m->seq);
        p->txns[i].op = m->op;
        p->txns[i].presume = m->presume;
        abort_local(p, e, i, TPC_HOW_UNILATERAL, false, WHY_PEER);
    } else if (p->txns[i].state == PTX_WAITING) {
        drop_waiting(p, e, i, TPC_HOW_UNILATERAL, true, WHY_PEER);
    }
    const ptx *t = &p->txns[i];
    uint32_t st = t->state == PTX_COMMITTED ? TPC_PEER_COMMITTED
                : t->state == PTX_ABORTED ? TPC_PEER_ABORTED : TPC_PEER_UNCERTAIN;
    send_msg(e, from, TPC_MSG_PEER_STATE, t, st, "");
}

static void on_peer_state(tpc_part *p, env *e, node_id from, const tpc_msg *m) {
    if (p->holder < 0) return;
    const ptx *t = &p->txns[p->holder];
    if (t->coord != m->coord || t->seq != m->seq) return;
    if (m->flag == TPC_PEER_UNCERTAIN) {
        env_trace(e, "%s is in doubt too: no help", env_node_name(e, from));
        return;
    }
    env_trace(e, "%s says it %s", env_node_name(e, from),
              m->flag == TPC_PEER_COMMITTED ? "committed" : "aborted");
    resolve(p, e, m->flag == TPC_PEER_COMMITTED, TPC_HOW_PEER);
}

static bool listed(const tpc_msg *m, uint32_t seq) {
    for (uint32_t k = 0; k < m->count && k < TPC_LOG_MAX; k++)
        if (m->seqs[k] == seq) return true;
    return false;
}

/* The coordinator is back: a txn of its begun before it restarted (seq <=
 * m->seq; later ones may overtake this message) that it does not list
 * takes the presumption. */
static bool forgotten(const ptx *t, node_id from, const tpc_msg *m) {
    return t->coord == from && t->seq <= m->seq && !listed(m, t->seq);
}

static void on_recovered(tpc_part *p, env *e, node_id from, const tpc_msg *m) {
    for (uint32_t i = 0; i < TPC_PTX_MAX; i++) {
        if (p->txns[i].state == PTX_WAITING && forgotten(&p->txns[i], from, m))
            drop_waiting(p, e, (int32_t)i, TPC_HOW_PRESUMED, true, "its coordinator forgot it");
    }
    if (p->holder < 0) return;
    const ptx *t = &p->txns[p->holder];
    if (!forgotten(t, from, m)) return;
    resolve(p, e, m->presume == TPC_PRESUME_COMMIT, TPC_HOW_PRESUMED);
}

static void on_read(tpc_part *p, env *e, node_id from, const txn_read *r) {
    if (p->holder < 0) { reply_read(p, e, from, r->op, r->req, true, ""); return; }
    if (!enqueue(p, e, W_READ, 0, from, r->op, r->req))
        reply_read(p, e, from, r->op, r->req, false, "lock queue full");
}

/* ------------------------------------------------------------ timers */

/* In doubt for decision_timeout: blocked.  Ask the coordinator (and peers). */
static void on_decision_timer(tpc_part *p, env *e) {
    p->decision_timer = 0;
    SIM_ASSERT(p->holder >= 0);
    ptx *t = &p->txns[p->holder];
    char k[SIM_NAME_MAX];
    key_of(e, t, k, sizeof k);
    if (!t->blocked) {
        char w[SIM_NAME_MAX];
        in_doubt_key(e, t, w, sizeof w);
        window(e, HIST_EFF_BLOCKED, w, t->coord, HIST_NONE);
        t->blocked = true;
        env_trace(e, "%s: decision timeout; in doubt, holding the row lock: blocked", k);
    }
    send_msg(e, t->coord, TPC_MSG_INQUIRE, t, 0, "");
    if (p->cfg->cooperative) {
        for (node_id n = 0; n < SIM_MASK_NODES; n++)
            if ((t->peers & bit(n)) && n != env_self(e)) send_msg(e, n, TPC_MSG_PEER_QUERY, t, 0, "");
    }
    p->decision_timer = env_timer(e, p->cfg->decision_timeout_ns, TAG_DECISION, 0);
}

static void on_heuristic_timer(tpc_part *p, env *e) {
    p->heuristic_timer = 0;
    p->heuristic_done = true;
    if (p->holder < 0) {
        env_trace(e, "heuristic: nothing in doubt here at heuristic.at");
        return;
    }
    bool commit = p->cfg->heuristic == TPC_HEUR_COMMIT;
    env_trace(e, "heuristic: an operator resolves the in-doubt txn by hand: %s",
              commit ? "COMMIT" : "ABORT");
    resolve(p, e, commit, TPC_HOW_HEURISTIC);
}

static void on_lock_timeout(tpc_part *p, env *e, uint64_t id) {
    for (uint32_t q = 0; q < p->queue_len; q++) {
        if (p->queue[q].id != id) continue;
        p->queue[q].timeout = 0;                  /* it has fired */
        waiter w = p->queue[q];
        if (w.kind == W_PREPARE) {
            drop_waiting(p, e, (int32_t)w.ptx, TPC_HOW_LOCK_TIMEOUT, true, "lock timeout");
            return;
        }
        dequeue(p, e, q, &w);
        reply_read(p, e, w.from, w.op, w.req, false, "lock timeout");
        return;
    }
}

/* ------------------------------------------------------------ the model */

static void arm_heuristic(tpc_part *p, env *e) {
    const tpc_cfg *c = p->cfg;
    if (c->heuristic == TPC_HEUR_NONE || p->heuristic_done) return;
    if (c->heuristic_nodes.count > 0 && !in_nodes(&c->heuristic_nodes, env_self(e))) return;
    p->heuristic_timer = env_timer_wall(e, c->heuristic_at_ns, TAG_HEURISTIC, 0);
}

static void part_init(void *state, env *e) {
    tpc_part *p = state;
    SIM_ASSERT(!p->opened);                       /* first start only; restarts use part_restart */
    p->cfg = env_proto_config(e);
    SIM_ASSERT(p->cfg != NULL);
    p->holder = -1;
    p->opened = true;
    p->balance = p->cfg->balance;
    hist_effect_fields x = { .kind = HIST_EFF_BALANCE_INIT, .client = -1, .op = HIST_NONE,
                      .value = p->balance };
    x.key = TXN_ACCOUNT;
    env_effect(e, &x);
    arm_heuristic(p, e);
    SIM_ASSERT(part_invariants_ok(p));
}

static void part_on_message(void *state, env *e, node_id from, uint32_t type, const void *body,
                            uint32_t len) {
    tpc_part *p = state;
    SIM_ASSERT(part_invariants_ok(p));
    if (type == TXN_MSG_READ && len == sizeof(txn_read)) {
        txn_read r;
        memcpy(&r, body, sizeof r);
        on_read(p, e, from, &r);
    } else if (len == sizeof(tpc_msg)) {
        tpc_msg m;
        memcpy(&m, body, sizeof m);
        switch (type) {
        case TPC_MSG_PREPARE: on_prepare(p, e, from, &m); break;
        case TPC_MSG_DECISION: on_decision(p, e, from, &m); break;
        case TPC_MSG_PEER_QUERY: on_peer_query(p, e, from, &m); break;
        case TPC_MSG_PEER_STATE: on_peer_state(p, e, from, &m); break;
        case TPC_MSG_RECOVERED: on_recovered(p, e, from, &m); break;
        default: env_trace(e, "participant: ignored message type %u", type); break;
        }
    }
    SIM_ASSERT(part_invariants_ok(p));            /* after every transition a message takes */
}

static void part_on_timer(void *state, env *e, uint32_t tag, uint64_t arg) {
    tpc_part *p = state;
    SIM_ASSERT(part_invariants_ok(p));
    switch (tag) {
    case TAG_DECISION: on_decision_timer(p, e); break;
    case TAG_HEURISTIC: on_heuristic_timer(p, e); break;
    case TAG_LOCK_TIMEOUT: on_lock_timeout(p, e, arg); break;
    default: SIM_UNREACHABLE("participant timer tag"); break;
    }
    SIM_ASSERT(part_invariants_ok(p));            /* after every transition a timer takes */
}

/* Waiters and timers are gone (their waits end here); undurable records are
 * lost; the PREPARED txn keeps its lock, and its in-doubt window stays open. */
static void part_crash(void *state, env *e) {
    tpc_part *p = state;
    SIM_ASSERT(part_invariants_ok(p));
    while (p->queue_len > 0) {
        waiter w = p->queue[p->queue_len - 1];
        p->queue_len--;
        window(e, HIST_EFF_UNBLOCKED, w.key, -1, w.op);
    }
    for (uint32_t i = 0; i < TPC_PTX_MAX; i++)
        if (p->txns[i].state == PTX_WAITING || !p->txns[i].durable)
            if (p->txns[i].state != PTX_PREPARED) memset(&p->txns[i], 0, sizeof p->txns[i]);
    p->decision_timer = p->heuristic_timer = 0;
    SIM_ASSERT(part_invariants_ok(p));
}

static void part_restart(void *state, env *e) {
    tpc_part *p = state;
    if (!p->opened) { part_init(p, e); return; }  /* crashed at 0, before it ever started */
    SIM_ASSERT(part_invariants_ok(p));
    arm_heuristic(p, e);
    if (p->holder >= 0) {
        ptx *t = &p->txns[p->holder];
        char k[SIM_NAME_MAX];
        key_of(e, t, k, sizeof k);
        env_trace(e, "recovery: %s is PREPARED in the log; row lock re-taken; asking %s", k,
                  env_node_name(e, t->coord));
        send_msg(e, t->coord, TPC_MSG_INQUIRE, t, 0, "");
        p->decision_timer = env_timer(e, p->cfg->decision_timeout_ns, TAG_DECISION, 0);
    }
    SIM_ASSERT(part_invariants_ok(p));
}


const model_ops tpc_participant_ops = {
    .name = "2pc-participant",
    .state_size = sizeof(tpc_part),
    .init = part_init,
    .on_message = part_on_message,
    .on_timer = part_on_timer,
    .on_crash = part_crash,
    .on_restart = part_restart,
};
