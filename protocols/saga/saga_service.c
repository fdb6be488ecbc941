/* saga_service.c -- a saga participant service: a small database of
 * accounts, holds, orders and seats, changed only by local transactions
 * (one per command), each committed at once and visible to everyone.
 *
 * Main invariant: commands are served one at a time in arrival order; a
 * command's effects are applied at the end of its service time, all of
 * them in one instant (a local ACID transaction); no account or hold is
 * ever negative; an idempotent service applies each (saga, step,
 * direction) at most once while the key stays in its idempotency table,
 * which holds exactly the last SVC_DONE_MAX keys applied (the tombstones:
 * the last SVC_TOMB_MAX compensated steps); older keys are forgotten.
 *
 * State diagram of the service (the function per edge):
 *
 *   IDLE --command [svc_on_message -> serve_next]--> IDLE (no service time, or a duplicate
 *                                                          answered from the idempotency table)
 *                                               \--> BUSY (service time > 0)
 *   BUSY --service timer [on_serve_timer -> execute -> serve_next]--> IDLE | BUSY
 *   BUSY --command [svc_on_message]--> BUSY (queued)
 *   any --crash [svc_crash]--> (queue lost, the database kept) --restart--> IDLE
 *
 * execute(): the idempotency table (duplicate: skip), the tombstone (a step
 * after its compensation: refuse), the injected failure (refuse), then the
 * command itself: applied, nothing to do (skip) or refused by its rule.
 * Choreography: the service then sends the next command of the plan, or
 * the compensations, or the end event to the orchestrator.
 *
 * Crash or power loss (sim/env.h): the same here.  Each local transaction
 * commits durably (its WAL fsynced) before the service replies or sends the
 * next command, so a power loss keeps the database as a crash does.
 *
 * Trade-off: fixed tables (SVC_*_MAX); a full table refuses the command
 * with a reason naming the bound rather than growing.  The account and
 * order tables hold SAGA_INDEX_ROWS_MAX rows (a hold is an account, one per
 * order: a million sagas fit) and are indexed (saga_index.h); the engine's
 * zeroed state costs memory only where rows are written.  Seats (at most
 * SVC_SEAT_MAX) are searched linearly.  The idempotency table and the tombstones
 * are rings that keep the last SVC_DONE_MAX / SVC_TOMB_MAX keys, as real
 * dedup tables keep keys for a retention period: a redelivery older than
 * that is applied again (the ring forgets the key it overwrites, and only
 * that one).  Each ring is indexed (saga_keys.h), so looking a key up costs
 * the same however many sagas ran.
 */
#include "protocols/saga/saga.h"
#include "protocols/saga/saga_index.h"
#include "protocols/saga/saga_keys.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

enum { TAG_SERVE = 840 };

#define SVC_ACC_MAX SAGA_INDEX_ROWS_MAX   /* holds are accounts: one per order */
#define SVC_ORD_MAX SAGA_INDEX_ROWS_MAX
#define SVC_SEAT_MAX 1024
#define SVC_DONE_MAX 8192
#define SVC_TOMB_MAX 4096
#define SVC_QUEUE_MAX 64
_Static_assert(SVC_DONE_MAX <= SAGA_KEYS_MAX && SVC_TOMB_MAX <= SAGA_KEYS_MAX, "rings fit saga_keys");

typedef struct svc_account { char key[SIM_NAME_MAX]; int64_t balance; } svc_account;
typedef struct svc_order { int64_t order; uint8_t state; } svc_order;
typedef struct svc_seat { char name[SAGA_NAME_MAX]; int64_t owner; } svc_seat;
typedef struct svc_req { saga_msg m; node_id from; } svc_req;

typedef struct saga_svc {
    const saga_cfg *cfg;
    bool started;
    /* durable: the database */
    svc_account acc[SVC_ACC_MAX];
    svc_order ord[SVC_ORD_MAX];
    saga_index acc_index, ord_index;   /* acc and ord by key */
    svc_seat seat[SVC_SEAT_MAX];
    saga_keys done;               /* applied (saga, step, direction): a ring */
    saga_keys tomb;               /* compensated (saga, step), either direction: a ring */
    uint32_t acc_n, ord_n, seat_n;
    /* volatile */
    svc_req queue[SVC_QUEUE_MAX];
    uint32_t queue_len;
    bool busy;
    timer_id serve_timer;
} saga_svc;

/* The outcome of one command. */
typedef struct svc_out {
    uint8_t result;               /* SAGA_R_OK, SAGA_R_SKIP, SAGA_R_REFUSED */
    int64_t why_code;             /* SAGA_WHY_* for skip / refuse */
    char why[32];
} svc_out;

static bool svc_invariants_ok(const saga_svc *s) {
    if (s->cfg == NULL || s->queue_len > SVC_QUEUE_MAX) return false;
    if (s->busy != (s->serve_timer != 0) || (s->busy && s->queue_len == 0)) return false;
    if (s->acc_n > SVC_ACC_MAX || s->ord_n > SVC_ORD_MAX || s->seat_n > SVC_SEAT_MAX) return false;
    if (s->acc_index.rows != s->acc_n || s->ord_index.rows != s->ord_n) return false;
    if (!saga_index_ok(&s->acc_index) || !saga_index_ok(&s->ord_index)) return false;
    return saga_keys_ok(&s->done) && s->done.cap == SVC_DONE_MAX && saga_keys_ok(&s->tomb) &&
           s->tomb.cap == SVC_TOMB_MAX && !s->done.any_dir && s->tomb.any_dir;
}

static void out_set(svc_out *o, uint8_t result, int64_t code, const char *why) {
    o->result = result;
    o->why_code = code;
    sim_copy_text(o->why, sizeof o->why, why, sizeof o->why);
}

static void saga_effect(env *e, const saga_msg *m, const char *key, hist_eff_kind k, int64_t value,
                        int64_t aux) {
    hist_effect_fields x;
    memset(&x, 0, sizeof x);
    x.kind = k;
    x.client = m->orch;
    x.op = m->op;
    x.value = value;
    x.token = m->attempt;
    x.aux = aux;
    x.key = key;
    env_effect(e, &x);
}

/* ------------------------------------------------------------ tables */

static saga_dkey key_of(const saga_msg *m) {
    return (saga_dkey){ m->orch, m->seq, m->step, m->comp };
}

typedef struct acc_probe { const saga_svc *s; const char *key; } acc_probe;

static bool same_account(const void *ctx, uint32_t row) {
    const acc_probe *p = ctx;
    return strncmp(p->s->acc[row].key, p->key, SIM_NAME_MAX) == 0;
}

/* The account, opened with `opening` (BALANCE_INIT) the first time. */
static svc_account *account(saga_svc *s, env *e, const char *key, int64_t opening) {
    acc_probe p = { s, key };
    uint32_t hash = saga_hash_str(key, SIM_NAME_MAX);
    uint32_t row = saga_index_find(&s->acc_index, hash, same_account, &p);
    if (row != SAGA_INDEX_NONE) return &s->acc[row];
    if (s->acc_n == SVC_ACC_MAX) return NULL;
    saga_index_add(&s->acc_index, hash);
    svc_account *a = &s->acc[s->acc_n++];
    sim_copy_text(a->key, sizeof a->key, key, sizeof a->key);
    a->balance = opening;
    hist_effect_fields x = { .kind = HIST_EFF_BALANCE_INIT, .client = -1, .op = HIST_NONE, .value = opening };
    x.key = key;
    env_effect(e, &x);
    return a;
}

static void set_balance(env *e, const saga_msg *m, svc_account *a, int64_t v) {
    SIM_ASSERT(v >= 0);                           /* the invariant: no account is negative */
    a->balance = v;
    hist_effect_fields x = { .kind = HIST_EFF_BALANCE, .client = m->orch, .op = m->op, .value = v };
    x.key = a->key;
    env_effect(e, &x);
}

typedef struct ord_probe { const saga_svc *s; int64_t order; } ord_probe;

static bool same_order(const void *ctx, uint32_t row) {
    const ord_probe *p = ctx;
    return p->s->ord[row].order == p->order;
}

static svc_order *order_of(saga_svc *s, int64_t order) {
    ord_probe p = { s, order };
    uint32_t hash = saga_hash_i64(order);
    uint32_t row = saga_index_find(&s->ord_index, hash, same_order, &p);
    if (row != SAGA_INDEX_NONE) return &s->ord[row];
    if (s->ord_n == SVC_ORD_MAX) return NULL;
    saga_index_add(&s->ord_index, hash);
    s->ord[s->ord_n] = (svc_order){ order, SAGA_ORDER_NONE };
    return &s->ord[s->ord_n++];
}

static void set_order(env *e, const saga_msg *m, svc_order *o, uint8_t state, bool conditional) {
    hist_effect_fields x = { .kind = HIST_EFF_STATE, .client = m->orch, .op = m->op, .epoch = m->seq,
                      .value = state, .token = o->state, .aux = conditional ? 1 : 0 };
    char key[SIM_NAME_MAX];
    saga_key_num(key, sizeof key, "order#", o->order);
    x.key = key;
    o->state = state;
    env_effect(e, &x);
}

static svc_seat *seat_of(saga_svc *s, const char *name) {
    for (uint32_t i = 0; i < s->seat_n; i++)
        if (strncmp(s->seat[i].name, name, SAGA_NAME_MAX) == 0) return &s->seat[i];
    if (s->seat_n == SVC_SEAT_MAX) return NULL;
    svc_seat *t = &s->seat[s->seat_n++];
    snprintf(t->name, sizeof t->name, "%s", name);
    t->owner = 0;
    return t;
}

static void set_seat(env *e, const saga_msg *m, svc_seat *t, int64_t owner) {
    hist_effect_fields x = { .kind = HIST_EFF_STATE, .client = m->orch, .op = m->op, .epoch = m->seq,
                      .value = owner, .token = t->owner, .aux = 1 };
    char key[SIM_NAME_MAX];
    snprintf(key, sizeof key, "seat %s", t->name);
    x.key = key;
    t->owner = owner;
    env_effect(e, &x);
}

/* ------------------------------------------------------------ commands */

static void name_of(char *buf, size_t len, const char *field) {
    sim_copy_text(buf, len, field, SAGA_NAME_MAX);
}

static void cmd_money(saga_svc *s, env *e, const saga_msg *m, svc_out *o) {
    char acct[SAGA_NAME_MAX + 1], hold_key[SIM_NAME_MAX];
    name_of(acct, sizeof acct, m->account);
    svc_account *a = account(s, e, acct, s->cfg->balance);
    bool holds = m->cmd == SAGA_CMD_RESERVE_FUNDS || m->cmd == SAGA_CMD_RELEASE_FUNDS;
    if (holds) saga_key_num(hold_key, sizeof hold_key, "hold#", m->order);
    svc_account *h = holds ? account(s, e, hold_key, 0) : NULL;
    if (a == NULL || (holds && h == NULL)) {
        out_set(o, SAGA_R_REFUSED, SAGA_WHY_BUSINESS, "account table full");
        return;
    }
    int64_t amount = m->amount;
    switch (m->cmd) {
    case SAGA_CMD_RESERVE_FUNDS: case SAGA_CMD_DEBIT:
        if (a->balance < amount) { out_set(o, SAGA_R_REFUSED, SAGA_WHY_BUSINESS, "insufficient funds"); return; }
        set_balance(e, m, a, a->balance - amount);
        if (h != NULL) set_balance(e, m, h, h->balance + amount);
        break;
    case SAGA_CMD_RELEASE_FUNDS:
        if (s->cfg->idempotent) {                 /* release what is held, if anything */
            if (h->balance == 0) { out_set(o, SAGA_R_SKIP, SAGA_WHY_NOTHING, "nothing held"); return; }
            amount = h->balance;
        }                                         /* not idempotent: the command's amount, blindly */
        set_balance(e, m, a, a->balance + amount);
        set_balance(e, m, h, 0);
        break;
    case SAGA_CMD_CREDIT: set_balance(e, m, a, a->balance + amount); break;
    default: SIM_UNREACHABLE("not a money command"); return;
    }
    out_set(o, SAGA_R_OK, 0, "");
}

static bool pending_state(uint8_t st) {
    return st == SAGA_ORDER_PENDING || st == SAGA_ORDER_APPROVAL_PENDING || st == SAGA_ORDER_CANCEL_PENDING;
}

/* Cancel: plain, or with the semantic lock (refused while another saga has the order *_PENDING). */
static void cmd_cancel(const saga_svc *s, env *e, const saga_msg *m, svc_order *t, svc_out *o) {
    bool lock = s->cfg->semantic_lock;
    if (lock && pending_state(t->state)) {
        char why[32];
        snprintf(why, sizeof why, "in progress (%.16s)", saga_order_state_name(t->state));
        out_set(o, SAGA_R_REFUSED, SAGA_WHY_SEMANTIC_LOCK, why);
        return;
    }
    if (t->state == SAGA_ORDER_NONE || t->state == SAGA_ORDER_REJECTED || t->state == SAGA_ORDER_CANCELLED ||
        t->state == SAGA_ORDER_CANCEL_PENDING) {
        out_set(o, SAGA_R_REFUSED, SAGA_WHY_BUSINESS, "nothing to cancel");
        return;
    }
    set_order(e, m, t, lock ? SAGA_ORDER_CANCEL_PENDING : SAGA_ORDER_CANCELLED, true);
    out_set(o, SAGA_R_OK, 0, "");
}

static void cmd_order(saga_svc *s, env *e, const saga_msg *m, svc_out *o) {
    svc_order *t = order_of(s, m->order);
    if (t == NULL) { out_set(o, SAGA_R_REFUSED, SAGA_WHY_BUSINESS, "order table full"); return; }
    bool lock = s->cfg->semantic_lock;
    uint8_t st = t->state;
    switch (m->cmd) {
    case SAGA_CMD_CREATE_ORDER:                   /* an insert: it checks the order is new */
        if (st != SAGA_ORDER_NONE) { out_set(o, SAGA_R_SKIP, SAGA_WHY_NOTHING, "order exists"); return; }
        set_order(e, m, t, lock ? SAGA_ORDER_APPROVAL_PENDING : SAGA_ORDER_PENDING, true);
        break;
    case SAGA_CMD_REJECT_ORDER:
        if (st == SAGA_ORDER_NONE || st == SAGA_ORDER_REJECTED) {
            out_set(o, SAGA_R_SKIP, SAGA_WHY_NOTHING, "nothing to reject");
            return;
        }
        set_order(e, m, t, SAGA_ORDER_REJECTED, lock);
        break;
    case SAGA_CMD_APPROVE_ORDER:
        if (lock && st != SAGA_ORDER_APPROVAL_PENDING) {
            out_set(o, st == SAGA_ORDER_APPROVED ? SAGA_R_SKIP : SAGA_R_REFUSED,
                    st == SAGA_ORDER_APPROVED ? SAGA_WHY_NOTHING : SAGA_WHY_SEMANTIC_LOCK, "not APPROVAL_PENDING");
            return;
        }
        set_order(e, m, t, SAGA_ORDER_APPROVED, lock);   /* without the lock: a blind write */
        break;
    case SAGA_CMD_CANCEL_ORDER: cmd_cancel(s, e, m, t, o); return;
    case SAGA_CMD_CONFIRM_CANCEL:
        if (st == SAGA_ORDER_CANCELLED) { out_set(o, SAGA_R_SKIP, SAGA_WHY_NOTHING, "already cancelled"); return; }
        if (st != SAGA_ORDER_CANCEL_PENDING) {
            out_set(o, SAGA_R_REFUSED, SAGA_WHY_BUSINESS, "not CANCEL_PENDING");
            return;
        }
        set_order(e, m, t, SAGA_ORDER_CANCELLED, true);
        break;
    default: SIM_UNREACHABLE("not an order command"); return;
    }
    out_set(o, SAGA_R_OK, 0, "");
}

/* "12A" -> "12B": the next seat in the row (the non-idempotent "any seat in the category"). */
static bool next_seat(char *name, size_t len) {
    size_t n = strnlen(name, len);
    if (n == 0 || name[n - 1] < 'A' || name[n - 1] >= 'Z') return false;
    name[n - 1]++;
    return true;
}

static void cmd_seat(saga_svc *s, env *e, const saga_msg *m, svc_out *o) {
    char name[SAGA_NAME_MAX + 1];
    name_of(name, sizeof name, m->item);
    svc_seat *t = seat_of(s, name);
    if (t == NULL) { out_set(o, SAGA_R_REFUSED, SAGA_WHY_BUSINESS, "seat table full"); return; }
    if (m->cmd == SAGA_CMD_RELEASE_SEAT) {
        if (t->owner != m->order) { out_set(o, SAGA_R_SKIP, SAGA_WHY_NOTHING, "not held by the order"); return; }
        set_seat(e, m, t, 0);
        out_set(o, SAGA_R_OK, 0, "");
        return;
    }
    if (t->owner == m->order && s->cfg->idempotent) {
        out_set(o, SAGA_R_SKIP, SAGA_WHY_NOTHING, "already held");
        return;
    }
    while (t != NULL && t->owner != 0 && !s->cfg->idempotent) {   /* any free seat in the row */
        if (!next_seat(name, sizeof name)) t = NULL;
        else t = seat_of(s, name);
    }
    if (t == NULL || t->owner != 0) {
        char why[32];
        snprintf(why, sizeof why, "seat %.12s taken", name);
        out_set(o, SAGA_R_REFUSED, SAGA_WHY_BUSINESS, why);
        return;
    }
    set_seat(e, m, t, m->order);
    out_set(o, SAGA_R_OK, 0, "");
}

static const char *injected_why(uint32_t cmd) {
    switch (cmd) {
    case SAGA_CMD_CREATE_ORDER: return "customer may not order";
    case SAGA_CMD_RESERVE_FUNDS: case SAGA_CMD_DEBIT: return "insufficient funds";
    case SAGA_CMD_RESERVE_SEAT: return "seat already sold";
    default: return "refused by a business rule";
    }
}

static void run_cmd(saga_svc *s, env *e, const saga_msg *m, svc_out *o) {
    switch (m->cmd) {
    case SAGA_CMD_RESERVE_FUNDS: case SAGA_CMD_RELEASE_FUNDS: case SAGA_CMD_DEBIT: case SAGA_CMD_CREDIT:
        cmd_money(s, e, m, o);
        return;
    case SAGA_CMD_CREATE_ORDER: case SAGA_CMD_REJECT_ORDER: case SAGA_CMD_APPROVE_ORDER:
    case SAGA_CMD_CANCEL_ORDER: case SAGA_CMD_CONFIRM_CANCEL:
        cmd_order(s, e, m, o);
        return;
    case SAGA_CMD_RESERVE_SEAT: case SAGA_CMD_RELEASE_SEAT: cmd_seat(s, e, m, o); return;
    default: out_set(o, SAGA_R_REFUSED, SAGA_WHY_BUSINESS, "unknown command"); return;
    }
}

/* ------------------------------------------------------------ serving */

static void reply(env *e, node_id to, uint32_t type, const saga_msg *m, uint8_t result, const char *why) {
    saga_msg r = *m;
    r.result = result;
    sim_copy_text(r.why, sizeof r.why, why, sizeof r.why);
    env_send(e, to, type, &r, sizeof r);
}

/* Choreography: pass the saga on (the next step, the compensations, or the end). */
static void chor_forward(env *e, const saga_msg *m, uint8_t result, const char *why) {
    saga_msg nx = *m;
    nx.attempt = 1;
    nx.result = 0;
    if (!m->comp && result != SAGA_R_REFUSED) {
        if (m->step >= m->n) { reply(e, m->orch, SAGA_MSG_EVENT, m, SAGA_R_COMPLETED, ""); return; }
        const saga_plan_step *p = &m->plan[m->step];
        nx.step = (uint8_t)(m->step + 1);
        nx.cmd = p->cmd;
        nx.amount = p->amount;
        nx.fail = (p->kind & SAGA_PLAN_FAIL) ? 1 : 0;
        env_send(e, p->node, SAGA_MSG_CMD, &nx, sizeof nx);
        return;
    }
    if (result == SAGA_R_REFUSED) sim_copy_text(nx.why, sizeof nx.why, why, sizeof nx.why);
    uint32_t j = m->step - 1u;
    while (j >= 1 && m->plan[j - 1].comp == SAGA_CMD_NONE) j--;
    if (j == 0) { reply(e, m->orch, SAGA_MSG_EVENT, &nx, SAGA_R_COMPENSATED, nx.why); return; }
    nx.step = (uint8_t)j;
    nx.comp = 1;
    nx.cmd = m->plan[j - 1].comp;
    nx.amount = m->plan[j - 1].amount;
    nx.fail = 0;
    env_send(e, m->plan[j - 1].node, SAGA_MSG_CMD, &nx, sizeof nx);
}

static void record(env *e, const saga_msg *m, const svc_out *o) {
    char key[SIM_NAME_MAX];
    saga_key(key, sizeof key, env_node_name(e, m->orch), m->seq);
    switch (o->result) {
    case SAGA_R_OK: saga_effect(e, m, key, m->comp ? HIST_EFF_SAGA_COMP : HIST_EFF_SAGA_STEP, m->step, 0); break;
    case SAGA_R_SKIP:
        saga_effect(e, m, key, HIST_EFF_SAGA_SKIP, m->step, o->why_code | (m->comp ? SAGA_AUX_COMP : 0));
        break;
    default: saga_effect(e, m, key, HIST_EFF_SAGA_REFUSE, m->step, o->why_code); break;
    }
    static const char *const res[] = { "applied", "changed nothing", "REFUSED" };
    env_trace(e, "%s %s%u %s (attempt %u): %s%s%s", key, m->comp ? "C" : "T", m->step, saga_cmd_name(m->cmd),
              m->attempt, res[o->result], o->why[0] ? ": " : "", o->why);
}

/* One command as one local transaction (see the file's comment). */
static void execute(saga_svc *s, env *e, const svc_req *q) {
    const saga_msg *m = &q->m;
    saga_dkey k = key_of(m);
    svc_out o = { SAGA_R_OK, 0, "" };
    if (s->cfg->idempotent && saga_keys_has(&s->done, &k))
        out_set(&o, SAGA_R_SKIP, SAGA_WHY_DUPLICATE, "duplicate: already applied");
    else if (!m->comp && s->cfg->tombstone && saga_keys_has(&s->tomb, &k))
        out_set(&o, SAGA_R_REFUSED, SAGA_WHY_TOMBSTONE, "tombstone: already compensated");
    else if (!m->comp && m->fail)
        out_set(&o, SAGA_R_REFUSED, SAGA_WHY_BUSINESS, injected_why(m->cmd));
    else
        run_cmd(s, e, m, &o);
    bool duplicate = o.result == SAGA_R_SKIP && o.why_code == SAGA_WHY_DUPLICATE;
    if (o.result != SAGA_R_REFUSED && !duplicate) saga_keys_add(&s->done, &k);
    if (m->comp && s->cfg->tombstone && !saga_keys_has(&s->tomb, &k)) saga_keys_add(&s->tomb, &k);
    record(e, m, &o);
    if (m->chor) chor_forward(e, m, o.result, o.why);
    else reply(e, q->from, SAGA_MSG_REPLY, m, o.result, o.why);
}

static sim_time service_time(const saga_svc *s, env *e, const saga_msg *m) {
    saga_dkey k = key_of(m);
    if (s->cfg->idempotent && saga_keys_has(&s->done, &k)) return 0;   /* answered from the table */
    node_id self = env_self(e);
    SIM_ASSERT(self >= 0);
    SIM_ASSERT(self < SIM_NODES_MAX);
    return m->comp ? s->cfg->compensation_time.node_ns[self] : s->cfg->step_time.node_ns[self];
}

static void pop(saga_svc *s, svc_req *out) {
    SIM_ASSERT(s->queue_len > 0);
    *out = s->queue[0];
    memmove(&s->queue[0], &s->queue[1], (s->queue_len - 1) * sizeof s->queue[0]);
    s->queue_len--;
}

static void serve_next(saga_svc *s, env *e) {
    while (!s->busy && s->queue_len > 0) {
        sim_time t = service_time(s, e, &s->queue[0].m);
        if (t > 0) {
            s->busy = true;
            s->serve_timer = env_timer(e, t, TAG_SERVE, 0);
            return;
        }
        svc_req q;
        pop(s, &q);
        execute(s, e, &q);
    }
}

static void on_serve_timer(saga_svc *s, env *e) {
    SIM_ASSERT(s->busy);
    s->busy = false;
    s->serve_timer = 0;
    svc_req q;
    pop(s, &q);
    execute(s, e, &q);
    serve_next(s, e);
}

static void on_read(saga_svc *s, env *e, node_id from, const txn_read *r) {
    txn_read a = *r;
    svc_account *acct = account(s, e, TXN_ACCOUNT, s->cfg->balance);
    a.ok = acct != NULL;
    a.balance = acct ? acct->balance : 0;
    env_trace(e, "read of %s: %" PRId64 " (local transactions commit at once: nothing to wait for)",
              TXN_ACCOUNT, a.balance);
    env_send(e, from, TXN_MSG_READ_REPLY, &a, sizeof a);
}

/* ------------------------------------------------------------ the model */

static void svc_init(void *state, env *e) {
    saga_svc *s = state;
    SIM_ASSERT(!s->started);
    s->cfg = env_proto_config(e);
    SIM_ASSERT(s->cfg != NULL);
    saga_keys_init(&s->done, SVC_DONE_MAX, false);
    saga_keys_init(&s->tomb, SVC_TOMB_MAX, true);
    s->started = true;
    SIM_ASSERT(svc_invariants_ok(s));
}

static void svc_on_message(void *state, env *e, node_id from, uint32_t type, const void *body,
                           uint32_t len) {
    saga_svc *s = state;
    SIM_ASSERT(svc_invariants_ok(s));
    if (type == TXN_MSG_READ && len == sizeof(txn_read)) {
        txn_read r;
        memcpy(&r, body, sizeof r);
        on_read(s, e, from, &r);
    } else if (type == SAGA_MSG_CMD && len == sizeof(saga_msg)) {
        if (s->queue_len == SVC_QUEUE_MAX) {
            env_trace(e, "service queue full (SVC_QUEUE_MAX): command dropped");
            return;
        }
        svc_req *q = &s->queue[s->queue_len++];
        memcpy(&q->m, body, sizeof q->m);
        q->m.why[sizeof q->m.why - 1] = '\0';
        q->from = from;
        serve_next(s, e);
    } else {
        env_trace(e, "service: ignored message type %u", type);
    }
    SIM_ASSERT(svc_invariants_ok(s));             /* after every transition a message takes */
}

static void svc_on_timer(void *state, env *e, uint32_t tag, uint64_t arg) {
    saga_svc *s = state;
    SIM_ASSERT(svc_invariants_ok(s));
    SIM_ASSERT(tag == TAG_SERVE);
    (void)arg;
    on_serve_timer(s, e);
    SIM_ASSERT(svc_invariants_ok(s));
}

/* The queue is volatile (callers time out and retry); the database stays. */
static void svc_crash(void *state, env *e) {
    saga_svc *s = state;
    SIM_ASSERT(env_self(e) >= 0);
    if (!s->started) return;
    s->queue_len = 0;
    s->busy = false;
    s->serve_timer = 0;
    SIM_ASSERT(svc_invariants_ok(s));
}

static void svc_restart(void *state, env *e) {
    saga_svc *s = state;
    if (!s->started) svc_init(s, e);              /* crashed at 0, before it started */
    SIM_ASSERT(svc_invariants_ok(s));
}


const model_ops saga_service_ops = {
    .name = "saga-service",
    .state_size = sizeof(saga_svc),
    .init = svc_init,
    .on_message = svc_on_message,
    .on_timer = svc_on_timer,
    .on_crash = svc_crash,
    .on_restart = svc_restart,
};
