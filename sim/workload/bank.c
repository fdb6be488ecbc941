/* bank.c -- the bank driver: one transfer per client node, one audit per
 * auditor node (bank.h says what each strategy sends).
 *
 *   transfer: START --[bk_start -> xfer_attempt]--> READ (naive, pessimistic,
 *             optimistic) | LEG (atomic)
 *     READ --funds [on_read]--> THINK --[bk_think -> send_writes]--> WRITE
 *     READ --no funds [on_read -> dbw_close_then_fail]--> DONE (fail)
 *     LEG --debit matched, more legs [on_leg]--> THINK --[send_leg]--> LEG
 *     LEG --debit matched 0 rows [on_leg]--> DONE (fail, insufficient funds)
 *     WRITE, LEG (last) --[send_commit]--> COMMIT --ok--> DONE (ok)
 *     WRITE --optimistic miss [on_write]--> UNDO --ROLLBACK reply--> RESTART
 *     any --40001 / deadlock [dbw_on_error]--> RESTART --backoff--> READ | LEG
 *     any --1205 (MySQL, txn open) [on_lock_timeout]--> UNDO (rollback) | resend
 *   audit:    START --[bk_start -> audit_send]--> AUDIT --reply, groups left
 *             [on_audit]--> THINK --[audit_send]--> AUDIT ... --last--> DONE (ok)
 *     AUDIT --40001 / deadlock [dbw_on_error]--> RESTART --backoff [audit_restart]--> AUDIT
 *             (the first group again: a retried audit only reads)
 *     AUDIT --1205 (MySQL, txn open)--> UNDO (rollback) --> RESTART | resend the group
 *
 * Invariant: a transfer's money moves only in a transaction that ends in
 * its COMMIT; it is acknowledged only after that COMMIT's reply.  An
 * auditor's session only ever sends reads, COMMIT and ROLLBACK.
 */
#include "sim/workload/bank.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/db/db.h"
#include "sim/family.h"
#include "sim/workload/outcome.h"
#include "sim/workload/dbw.h"

#define BK_ACCOUNTS_MAX 16
#define BK_GROUPS_MAX 8
#define BK_ITEMS_MAX 3                /* per audit group, leaving room for COMMIT */

enum { P_READ = 1, P_THINK, P_LEG, P_WRITE, P_COMMIT, P_UNDO, P_RESTART, P_AUDIT };
enum { V_FROM_BAL = 0, V_FROM_VER, V_TO_BAL, V_TO_VER, V_SUM, V_SEEN, V_COUNT, V_AUDITOR };
enum { LEG_DEBIT = 0, LEG_CREDIT = 1 };
#define BK_TABLE 0

typedef struct bk_item { bool pred; uint8_t op; int64_t arg; bool lock; } bk_item;   /* !pred: arg = the id; lock: FOR UPDATE */

typedef struct bk_plan {
    int64_t ids[BK_ACCOUNTS_MAX], balances[BK_ACCOUNTS_MAX];
    uint32_t accounts;
    int64_t from[DBW_LIST_MAX], to[DBW_LIST_MAX], amount[DBW_LIST_MAX];
    uint32_t nfrom, nto, namount;
    bk_item items[BK_GROUPS_MAX][BK_ITEMS_MAX];
    uint32_t group_items[BK_GROUPS_MAX], groups;
} bk_plan;

typedef struct bk_driver {
    dbw_core core;                    /* first: the callbacks get &core */
    bk_plan plan;
    db_table_def table;
} bk_driver;

/* ------------------------------------------------------------ the plan */

/* A number of the lists: at most CONFIG_AMOUNT_MAX in size (sim/config.h),
 * so that sums of balances and amounts, and the checks' totals, cannot wrap.
 * strtoll saturates out of range, and a saturated value is out of it too. */
static bool in_range(long long v) { return v >= -CONFIG_AMOUNT_MAX && v <= CONFIG_AMOUNT_MAX; }

static void out_of_range(const char *text, char *msg, size_t len) {
    snprintf(msg, len, "'%s' has a number out of range (expected whole numbers from -%" PRId64
             " to %" PRId64 ")", text, CONFIG_AMOUNT_MAX, CONFIG_AMOUNT_MAX);
}

static int parse_ints(const char *text, int64_t *out, uint32_t max, uint32_t *n, char *msg, size_t len) {
    *n = 0;
    for (const char *p = text; *p;) {
        while (*p == ' ' || *p == ',') p++;
        if (!*p) break;
        char *end = NULL;
        long long v = strtoll(p, &end, 10);
        if (end == p || (*end && *end != ',' && *end != ' ') || *n == max) {
            snprintf(msg, len, "'%s' is not a list of at most %u whole numbers", text, max);
            return -1;
        }
        if (!in_range(v)) { out_of_range(text, msg, len); return -1; }
        out[(*n)++] = (int64_t)v;
        p = end;
    }
    return 0;
}

static int parse_accounts(const char *text, bk_plan *p, char *msg, size_t len) {
    p->accounts = 0;
    const char *q = text;
    for (;;) {
        while (*q == ' ' || *q == ',') q++;
        if (*q == '\0') break;
        char *end = NULL;
        long long id = strtoll(q, &end, 10);
        if (end == q || *end != '=' || id <= 0 || p->accounts == BK_ACCOUNTS_MAX) goto bad;
        q = end + 1;
        long long bal = strtoll(q, &end, 10);
        if (end == q || (*end && *end != ',' && *end != ' ')) goto bad;
        if (!in_range(id) || !in_range(bal)) { out_of_range(text, msg, len); return -1; }
        for (uint32_t i = 0; i < p->accounts; i++) {
            if (p->ids[i] != id) continue;
            snprintf(msg, len, "'%s' lists account %lld twice (expected each id once)", text, id);
            return -1;
        }
        p->ids[p->accounts] = id;
        p->balances[p->accounts++] = bal;
        q = end;
    }
    if (p->accounts > 0) return 0;
bad:
    snprintf(msg, len, "'%s' is not a list of id=balance pairs with ids > 0 (at most %d)", text,
             BK_ACCOUNTS_MAX);
    return -1;
}

static bool parse_item(const char *t, bk_item *it) {
    static const struct { const char *sym; hist_pred op; } ops[] = {
        { "<>", HIST_PRED_NE }, { "<=", HIST_PRED_LE }, { ">=", HIST_PRED_GE }, { "=", HIST_PRED_EQ },
        { "<", HIST_PRED_LT }, { ">", HIST_PRED_GT }, { "%", HIST_PRED_MOD0 },
    };
    char *end = NULL;
    char w[SCN_VALUE_MAX];
    snprintf(w, sizeof w, "%s", t);
    size_t len = strlen(w);
    bool lock = len > 1 && w[len - 1] == '!';          /* "%3!" = SELECT ... FOR UPDATE */
    if (lock) w[--len] = '\0';
    t = w;
    if (strcmp(t, "*") == 0) { *it = (bk_item){ true, HIST_PRED_ALL, 0, lock }; return true; }
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
        size_t n = strlen(ops[k].sym);
        if (strncmp(t, ops[k].sym, n) != 0) continue;
        long long v = strtoll(t + n, &end, 10);
        if (end == t + n || *end || (ops[k].op == HIST_PRED_MOD0 && v == 0)) return false;
        if (!in_range(v)) return false;
        *it = (bk_item){ true, (uint8_t)ops[k].op, (int64_t)v, lock };
        return true;
    }
    long long id = strtoll(t, &end, 10);
    if (end == t || *end || id <= 0 || !in_range(id)) return false;
    *it = (bk_item){ false, 0, (int64_t)id, lock };
    return true;
}

static int parse_audit(const char *text, bk_plan *p, char *msg, size_t len) {
    char buf[SCN_VALUE_MAX], word[SCN_VALUE_MAX];
    snprintf(buf, sizeof buf, "%s", text);
    p->groups = 0;
    for (char *grp = buf; grp && *grp;) {
        char *semi = strchr(grp, ';');
        if (semi) *semi = '\0';
        if (p->groups == BK_GROUPS_MAX) goto bad;
        uint32_t n = 0;
        for (char *tok = grp; tok && *tok;) {
            char *comma = strchr(tok, ',');
            if (comma) *comma = '\0';
            if (sscanf(tok, " %255s", word) == 1) {
                if (n == BK_ITEMS_MAX || !parse_item(word, &p->items[p->groups][n])) goto bad;
                n++;
            }
            tok = comma ? comma + 1 : NULL;
        }
        if (n == 0) goto bad;
        p->group_items[p->groups++] = n;
        grp = semi ? semi + 1 : NULL;
    }
    return 0;
bad:
    snprintf(msg, len, "'%s' is not a list of read groups (expected e.g. \"1; 1, 2\" or \"=30; %%3\": "
             "groups separated by ';', at most %d, of at most %d account ids or predicates)", text,
             BK_GROUPS_MAX, BK_ITEMS_MAX);
    return -1;
}

static int64_t pick(const int64_t *list, uint32_t n, uint32_t k) {
    if (n == 0) return 0;
    return list[k < n ? k : n - 1];
}

/* Every transfer moves money between two different places (an account,
 * or 0: outside the system); a step past a list's end repeats its last. */
static int plan_check_legs(const bk_plan *p, char *msg, size_t len) {
    uint32_t steps = p->nfrom > p->nto ? p->nfrom : p->nto;
    for (uint32_t k = 0; k < (steps ? steps : 1u); k++) {
        int64_t from = pick(p->from, p->nfrom, k), to = pick(p->to, p->nto, k);
        if (from != to) continue;
        snprintf(msg, len, "transfer %u moves money from %lld to %lld (expected two different "
                 "accounts, or 0 for outside the system on one side)", k + 1, (long long)from,
                 (long long)to);
        return -1;
    }
    return 0;
}

/* Parses every list-valued key; on error names it in *key. */
static int plan_parse(const bk_cfg *c, bk_plan *p, const char **key, char *msg, size_t len) {
    memset(p, 0, sizeof *p);
    *key = "accounts";
    if (parse_accounts(c->accounts, p, msg, len) != 0) return -1;
    *key = "from";
    if (parse_ints(c->from, p->from, DBW_LIST_MAX, &p->nfrom, msg, len) != 0) return -1;
    *key = "to";
    if (parse_ints(c->to, p->to, DBW_LIST_MAX, &p->nto, msg, len) != 0) return -1;
    *key = "amount";
    if (parse_ints(c->amount, p->amount, DBW_LIST_MAX, &p->namount, msg, len) != 0) return -1;
    *key = "audit";
    if (c->audit[0] != '\0' && parse_audit(c->audit, p, msg, len) != 0) return -1;
    *key = "from";
    return c->clients.count > 0 ? plan_check_legs(p, msg, len) : 0;
}

static bool has_account(const bk_plan *p, int64_t id) {
    for (uint32_t i = 0; i < p->accounts; i++)
        if (p->ids[i] == id) return true;
    return false;
}

static bk_driver *drv(dbw_core *w) { return (bk_driver *)w; }
static const bk_cfg *cfg_of(const dbw_core *w) { return w->cfg; }

/* ------------------------------------------------------------ transfers */

typedef struct leg { int kind; int64_t id; } leg;

static int64_t from_of(dbw_core *w, const dbw_session *s) { return pick(drv(w)->plan.from, drv(w)->plan.nfrom, s->step); }
static int64_t to_of(dbw_core *w, const dbw_session *s) { return pick(drv(w)->plan.to, drv(w)->plan.nto, s->step); }
static int64_t amount_of(dbw_core *w, const dbw_session *s) { return pick(drv(w)->plan.amount, drv(w)->plan.namount, s->step); }

/* The accounts a transfer touches, in the order it touches them. */
static uint32_t legs_of(dbw_core *w, const dbw_session *s, leg out[2]) {
    int64_t from = from_of(w, s), to = to_of(w, s);
    uint32_t n = 0;
    leg debit = { LEG_DEBIT, from }, credit = { LEG_CREDIT, to };
    bool credit_first = cfg_of(w)->order == BK_CREDIT_FIRST ||
                        (cfg_of(w)->order == BK_ASCENDING && to != 0 && (from == 0 || to < from));
    if (credit_first && to != 0) out[n++] = credit;
    if (from != 0) out[n++] = debit;
    if (!credit_first && to != 0) out[n++] = credit;
    return n;
}

static sim_time think_of(dbw_core *w, env *e) { return cfg_of(w)->think.node_ns[env_self(e)]; }

static db_stmt leg_update(dbw_core *w, dbw_session *s, const leg *l) {
    int64_t amt = amount_of(w, s);
    bool naive = cfg_of(w)->strategy != BK_ATOMIC;
    bool optimistic = cfg_of(w)->strategy == BK_OPTIMISTIC;
    if (l->kind == LEG_DEBIT) {
        if (!naive) return dbc_update(BK_TABLE, l->id, DB_SET_ADD, -amt, HIST_PRED_GE, amt);
        return dbc_update(BK_TABLE, l->id, DB_SET_ABS, s->v[V_FROM_BAL] - amt,
                          optimistic ? DB_WHERE_VERSION : HIST_PRED_ALL, s->v[V_FROM_VER]);
    }
    if (!has_account(&drv(w)->plan, l->id)) return dbc_insert(BK_TABLE, l->id, amt);
    if (!naive) return dbc_update(BK_TABLE, l->id, DB_SET_ADD, amt, HIST_PRED_ALL, 0);
    return dbc_update(BK_TABLE, l->id, DB_SET_ABS, s->v[V_TO_BAL] + amt,
                      optimistic ? DB_WHERE_VERSION : HIST_PRED_ALL, s->v[V_TO_VER]);
}

static void send_leg(dbw_core *w, env *e, dbw_session *s) {
    leg legs[2];
    uint32_t n = legs_of(w, s, legs);
    db_stmt st[2];
    uint32_t k = 0, first = (uint32_t)s->v[V_COUNT];
    bool all = think_of(w, e) == 0;              /* no think: both legs in one request */
    for (uint32_t i = first; i < n && (all || i == first); i++) st[k++] = leg_update(w, s, &legs[i]);
    s->phase = P_LEG;
    dbw_send(w, e, s, st, k, 0);
}

static void xfer_attempt(dbw_core *w, env *e, dbw_session *s) {
    const bk_cfg *c = cfg_of(w);
    s->v[V_COUNT] = 0;
    if (c->strategy == BK_ATOMIC) { send_leg(w, e, s); return; }
    leg legs[2];
    uint32_t n = legs_of(w, s, legs), k = 0;
    db_stmt st[2];
    db_lock_mode lock = c->strategy == BK_PESSIMISTIC ? DB_LOCK_UPDATE : DB_LOCK_NONE;
    for (uint32_t i = 0; i < n; i++)
        if (has_account(&drv(w)->plan, legs[i].id)) st[k++] = dbc_select(BK_TABLE, legs[i].id, lock);
    s->phase = P_READ;
    if (k == 0) { s->phase = P_THINK; dbw_think(w, e, s, 0); return; }   /* a deposit opening an account */
    dbw_send(w, e, s, st, k, c->strategy == BK_OPTIMISTIC ? DB_REQ_AUTOCOMMIT : 0);
}

static void send_commit(dbw_core *w, env *e, dbw_session *s) {
    db_stmt st = dbc_commit();
    s->phase = P_COMMIT;
    dbw_send(w, e, s, &st, 1, 0);
}

static void send_writes(dbw_core *w, env *e, dbw_session *s) {
    leg legs[2];
    uint32_t n = legs_of(w, s, legs);
    db_stmt st[2];
    for (uint32_t i = 0; i < n; i++) st[i] = leg_update(w, s, &legs[i]);
    s->phase = P_WRITE;
    dbw_send(w, e, s, st, n, 0);
}

static void insufficient(dbw_core *w, env *e, dbw_session *s, int64_t balance) {
    char note[HIST_NOTE_MAX];
    if (balance < 0) snprintf(note, sizeof note, "insufficient funds");
    else snprintf(note, sizeof note, "insufficient funds (%" PRId64 ")", balance);
    dbw_close_then_fail(w, e, s, false, note);
}

static void on_read(dbw_core *w, env *e, dbw_session *s, const db_reply *p) {
    leg legs[2];
    uint32_t n = legs_of(w, s, legs), k = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (!has_account(&drv(w)->plan, legs[i].id)) continue;
        int v = legs[i].kind == LEG_DEBIT ? V_FROM_BAL : V_TO_BAL;
        s->v[v] = p->res[k].rows ? p->res[k].value : 0;
        s->v[v + 1] = p->res[k].version;
        k++;
    }
    if (from_of(w, s) != 0 && s->v[V_FROM_BAL] < amount_of(w, s)) { insufficient(w, e, s, s->v[V_FROM_BAL]); return; }
    s->phase = P_THINK;
    dbw_think(w, e, s, think_of(w, e));
}

static void on_leg(dbw_core *w, env *e, dbw_session *s, const db_reply *p) {
    leg legs[2];
    uint32_t n = legs_of(w, s, legs);
    uint32_t first = (uint32_t)s->v[V_COUNT];
    for (uint32_t k = 0; k < p->n; k++) {
        if (legs[first + k].kind == LEG_DEBIT && p->res[k].rows == 0) { insufficient(w, e, s, -1); return; }
    }
    s->v[V_COUNT] = first + p->n;
    if ((uint32_t)s->v[V_COUNT] >= n) { send_commit(w, e, s); return; }
    s->phase = P_THINK;
    dbw_think(w, e, s, think_of(w, e));
}

static void on_write(dbw_core *w, env *e, dbw_session *s, const db_reply *p) {
    for (uint32_t k = 0; k < p->n; k++) {
        if (p->res[k].rows == 1) continue;       /* optimistic: a version changed */
        db_stmt st = dbc_rollback();
        s->phase = P_UNDO;
        dbw_send(w, e, s, &st, 1, 0);
        return;
    }
    send_commit(w, e, s);
}

static void audit_send(dbw_core *w, env *e, dbw_session *s);

/* MySQL 1205: the statement was rolled back, the transaction is open. */
static void on_lock_timeout(dbw_core *w, env *e, dbw_session *s) {
    if (cfg_of(w)->on_lock_timeout == BK_ON_TIMEOUT_RETRY_STATEMENT) {
        env_trace(e, "bank: lock wait timeout; the app sends the statement again");
        if (s->phase == P_AUDIT) audit_send(w, e, s);
        else if (s->phase == P_LEG) send_leg(w, e, s);
        else if (s->phase == P_WRITE) send_writes(w, e, s);
        else xfer_attempt(w, e, s);
        return;
    }
    db_stmt st = dbc_rollback();
    s->phase = P_UNDO;
    dbw_send(w, e, s, &st, 1, 0);
}

/* ------------------------------------------------------------ audits */

static void audit_send(dbw_core *w, env *e, dbw_session *s) {
    const bk_plan *p = &drv(w)->plan;
    uint32_t g = s->step;
    db_stmt st[BK_ITEMS_MAX + 1];
    uint32_t n = 0;
    for (uint32_t i = 0; i < p->group_items[g]; i++) {
        const bk_item *it = &p->items[g][i];
        db_lock_mode lock = it->lock ? DB_LOCK_UPDATE : DB_LOCK_NONE;
        st[n++] = it->pred ? dbc_scan(BK_TABLE, (hist_pred)it->op, it->arg, lock)
                           : dbc_select(BK_TABLE, it->arg, lock);
    }
    if (g + 1 == p->groups) st[n++] = dbc_commit();
    s->phase = P_AUDIT;
    dbw_send(w, e, s, st, n, 0);
}

/* A retried audit (after 40001 or a deadlock) reads every group again, in
 * a new transaction, from the first: what the failed one saw is gone. */
static void audit_restart(dbw_core *w, env *e, dbw_session *s) {
    s->step = 0;
    s->v[V_SUM] = s->v[V_SEEN] = s->v[V_COUNT] = 0;
    audit_send(w, e, s);
}

static void on_audit(dbw_core *w, env *e, dbw_session *s, const db_reply *p) {
    const bk_plan *pl = &drv(w)->plan;
    uint32_t g = s->step;
    for (uint32_t i = 0; i < pl->group_items[g] && i < p->n; i++) {
        const bk_item *it = &pl->items[g][i];
        if (it->pred) { s->v[V_COUNT] = p->res[i].rows; continue; }
        uint64_t bit = 1ull << (uint64_t)(it->arg % 63);
        if (((uint64_t)s->v[V_SEEN] & bit) == 0 && p->res[i].rows) {
            s->v[V_SEEN] = (int64_t)((uint64_t)s->v[V_SEEN] | bit);
            s->v[V_SUM] += p->res[i].value;
        }
    }
    if (++s->step < pl->groups) {
        s->phase = P_THINK;
        dbw_think(w, e, s, think_of(w, e));
        return;
    }
    dbw_finish(w, e, s, HIST_OK, true, s->v[V_SEEN] ? s->v[V_SUM] : s->v[V_COUNT], "");
}

/* ------------------------------------------------------------ callbacks */

static bool auditing(const dbw_session *s) { return s->v[V_AUDITOR] != 0; }

static void bk_start(dbw_core *w, env *e, dbw_session *s) {
    hist_op_fields f;
    memset(&f, 0, sizeof f);
    if (auditing(s)) {
        dbw_invoke(w, e, s, HIST_F_AUDIT, &f);
        s->step = 0;
        audit_send(w, e, s);
        return;
    }
    int64_t from = from_of(w, s), to = to_of(w, s), amt = amount_of(w, s);
    const db_table_def *t = &drv(w)->table;
    char key[SIM_NAME_MAX], key2[SIM_NAME_MAX];
    db_row_key(t, from != 0 ? from : to, key, sizeof key);
    f.key = key;
    f.delta = from != 0 ? -amt : amt;
    if (from != 0 && to != 0) {
        db_row_key(t, to, key2, sizeof key2);
        f.key2 = key2;
    }
    f.value_in = amt;
    f.has_value_in = true;
    dbw_invoke(w, e, s, HIST_F_TRANSFER, &f);
    xfer_attempt(w, e, s);
}

static void bk_reply(dbw_core *w, env *e, dbw_session *s, const db_reply *p) {
    const bk_cfg *c = cfg_of(w);
    if (!p->ok && strcmp(p->code, "1205") == 0 && s->txn_open) { on_lock_timeout(w, e, s); return; }
    if (!p->ok) { dbw_on_error(w, e, s, p, P_RESTART); return; }
    switch (s->phase) {
    case P_READ: on_read(w, e, s, p); return;
    case P_LEG: on_leg(w, e, s, p); return;
    case P_WRITE: on_write(w, e, s, p); return;
    case P_COMMIT: dbw_finish(w, e, s, HIST_OK, true, amount_of(w, s), ""); return;
    case P_AUDIT: on_audit(w, e, s, p); return;
    case P_UNDO:
        dbw_retry_or_fail(w, e, s, P_RESTART, c->strategy == BK_OPTIMISTIC ? "version changed" : "lock wait timeout");
        return;
    default: SIM_UNREACHABLE("bank reply in an unexpected phase");
    }
}

static void bk_think(dbw_core *w, env *e, dbw_session *s) {
    if (auditing(s)) {                       /* an auditor never runs a transfer */
        if (s->phase == P_RESTART) audit_restart(w, e, s);
        else audit_send(w, e, s);
        return;
    }
    if (s->phase == P_RESTART) { xfer_attempt(w, e, s); return; }
    SIM_ASSERT(s->phase == P_THINK);
    if (cfg_of(w)->strategy == BK_ATOMIC) send_leg(w, e, s);
    else send_writes(w, e, s);
}

static const dbw_logic bk_logic = { bk_start, bk_reply, bk_think };

/* ------------------------------------------------------------ model */

/* A node runs at most one client session and one auditor session. */
#define BK_SESSIONS 2

static size_t bk_state_size(const env *e) {
    (void)e;
    return dbw_state_size(sizeof(bk_driver), BK_SESSIONS);
}

static void bk_init(void *state, env *e) {
    bk_driver *d = state;
    const bk_cfg *c = env_workload_config(e);
    SIM_ASSERT(c != NULL);
    dbw_init(&d->core, e, &bk_logic, c->request_timeout_ns, sizeof(bk_driver), BK_SESSIONS);
    dbw_policy(&d->core, c->retries, c->backoff_ns, c->backoff_max_ns);
    char msg[SIM_ERR_MAX];
    const char *key = NULL;
    int rc = plan_parse(c, &d->plan, &key, msg, sizeof msg);
    SIM_ASSERT(rc == 0);                      /* bk_validate parsed it already */
    snprintf(d->table.name, sizeof d->table.name, "%.11s", c->table);
    d->table.ledger = true;
    node_id self = env_self(e);
    int32_t k = dbw_member(&c->clients, self), a = dbw_member(&c->auditors, self);
    if (k >= 0) {
        dbw_session *s = dbw_add(&d->core, e, (uint32_t)k, c->start.node_ns[self]);
        s->step = (uint32_t)k;
    }
    if (a >= 0) {
        dbw_session *s = dbw_add(&d->core, e, c->clients.count + (uint32_t)a, c->start.node_ns[self]);
        s->v[V_AUDITOR] = 1;
    }
    SIM_ASSERT(dbw_invariants_ok(&d->core));
}

static void bk_restart(void *state, env *e) { (void)state; env_trace(e, "bank: restarted; its work is gone"); }

static const model_ops bk_driver_ops = {
    .name = "bank", .state_size = sizeof(bk_driver), .state_size_for = bk_state_size, .init = bk_init,
    .on_message = dbw_on_message, .on_timer = dbw_on_timer, .on_crash = dbw_on_crash,
    .on_restart = bk_restart,
};

/* workload_desc.seed: the rows this workload loads into the db node. */
static bool bk_seed(const void *cfg_v, void *out_v, size_t out_size) {
    const bk_cfg *c = cfg_v;
    db_seed *out = out_v;
    SIM_ASSERT(c != NULL);
    SIM_ASSERT(out != NULL);
    SIM_ASSERT(out_size == sizeof *out);
    bk_plan p;
    char msg[SIM_ERR_MAX];
    const char *key = NULL;
    if (plan_parse(c, &p, &key, msg, sizeof msg) != 0) return false;
    snprintf(out->tables[0].name, sizeof out->tables[0].name, "%.11s", c->table);
    out->tables[0].ledger = true;
    out->table_count = 1;
    for (uint32_t i = 0; i < p.accounts; i++)
        out->rows[out->row_count++] = (db_row_def){ BK_TABLE, p.ids[i], p.balances[i] };
    return true;
}

/* ------------------------------------------------------------ workload */

#define CFG_AT(field) offsetof(bk_cfg, field)

static const param_spec bk_params[] = {
    PARAM_NODES_SPEC("clients", "client", "nodes that each run one transfer", CFG_AT(clients)),
    PARAM_NODES_SPEC("auditors", "[]", "nodes that each run one audit (a read-only transaction)",
        CFG_AT(auditors)),
    PARAM_STRING_SPEC("table", "acct", "the accounts table's name (keys are table:id)",
        CFG_AT(table)),
    PARAM_STRING_SPEC("accounts", "1=100",
        "the accounts and their opening balances: \"id=balance, ...\"",
        CFG_AT(accounts)),
    PARAM_STRING_SPEC("from", "1", "per client: the account debited (0 = a deposit from outside)",
        CFG_AT(from)),
    PARAM_STRING_SPEC("to", "0",
        "per client: the account credited (0 = a withdrawal; a new id opens one)",
        CFG_AT(to)),
    PARAM_STRING_SPEC("amount", "50", "per client: the amount moved", CFG_AT(amount)),
    PARAM_STRING_SPEC("audit", "",
        "the auditors' reads: groups \"1; 1, 2\" of ids or predicates (=30, %3, >0, *); ! = FOR "
        "UPDATE",
        CFG_AT(audit)),
    PARAM_PER_NODE_DURATION_SPEC("start", "0ms", "per node: when it begins",
        CFG_AT(start), 0, PARAM_NO_MAX),
    PARAM_PER_NODE_DURATION_SPEC("think", "3ms",
        "per node: between a read and the write it leads to, between two UPDATEs (atomic; 0 = "
        "send both at once), between two audit groups",
        CFG_AT(think), 0, PARAM_NO_MAX),
    PARAM_ENUM_SPEC("strategy", "naive", "how a transfer is written",
        CFG_AT(strategy), "naive|atomic|pessimistic|optimistic"),
    PARAM_ENUM_SPEC("order", "debit-first", "which account a transfer touches first",
        CFG_AT(order), "credit-first|debit-first|ascending"),
    PARAM_ENUM_SPEC("on_lock_timeout", "rollback",
        "what the app does on MySQL error 1205 (the transaction stays open)",
        CFG_AT(on_lock_timeout), "rollback|retry-statement"),
    PARAM_INT_SPEC("retries", "3",
        "retries after 40001, deadlocks, optimistic misses; -1 = no limit",
        CFG_AT(retries), -1, 1000000),
    DBW_BACKOFF_SPECS(CFG_AT, DBW_BACKOFF_HELP),
};

static int bk_validate(const void *cfg_v, const scn *s, const proto_desc *proto, char *err, size_t err_len) {
    (void)proto;
    const bk_cfg *c = cfg_v;
    SIM_ASSERT(c != NULL);
    SIM_ASSERT(s != NULL);
    bk_plan p;
    char msg[SIM_ERR_MAX];
    const char *key = NULL;
    if (plan_parse(c, &p, &key, msg, sizeof msg) != 0) {
        return param_error(s, &s->workload, key, err, err_len, "%s: %s", key, msg);
    }
    size_t n = strlen(c->table);
    if (n == 0 || n >= DB_TABLE_NAME_MAX || strchr(c->table, ':')) {
        return param_error(s, &s->workload, "table", err, err_len, "table: '%s' is not a table "
                           "name (expected 1 to %d characters, no ':')", c->table,
                           DB_TABLE_NAME_MAX - 1);
    }
    if (c->clients.count + c->auditors.count == 0 || (c->auditors.count > 0 && p.groups == 0)) {
        if (c->auditors.count)
            return param_error(s, &s->workload, "audit", err, err_len,
                               "audit: the auditors need reads (expected e.g. \"1; 1, 2\")");
        return param_error(s, &s->workload, "clients", err, err_len,
                           "clients: no client nodes (expected a list of nodes)");
    }
    return 0;
}

/* The money a bank run should hold: opened, plus what the acknowledged
 * withdrawals and deposits (key2 = "": outside the bank) moved. */
static int64_t bk_expected(const hist *h, int64_t opened) {
    int64_t v = opened;
    for (uint32_t i = 0; i < h->op_count; i++) {
        const hist_op *op = &h->ops[i];
        if (op->f == HIST_F_TRANSFER && op->result == HIST_OK && hist_op_key2(h, op)[0] == '\0') v += op->delta;
    }
    return v;
}

/* workload_desc.outcome: "2 of 2 transfers went through; money 50, expected -10: 60 appeared". */
static void bk_outcome(const void *cfg_v, const hist *h, const scn *s, char *buf, size_t len) {
    (void)cfg_v;
    (void)s;
    wo_tally t = wo_count(h, HIST_F_TRANSFER);
    snprintf(buf, len, "%" PRIu64 " of %" PRIu64 " transfer%s went through", t.ok, t.all, wo_s(t.all));
    if (t.fail) wo_add(buf, len, ", %" PRIu64 " refused", t.fail);
    wo_unanswered(&t, buf, len);
    wo_money m = wo_money_of(h, NULL);
    if (m.accounts == 0) return;
    wo_money_words(m.now, bk_expected(h, m.opened), t.unknown > 0, buf, len);
}

const workload_desc bk_workload = {
    .name = "bank",
    .summary = "accounts in one database: transfers, withdrawals, deposits, and auditors reading balances",
    .params = bk_params,
    .param_count = sizeof bk_params / sizeof bk_params[0],
    .cfg_size = sizeof(bk_cfg),
    .driver = &bk_driver_ops,
    .validate = bk_validate,
    .seed = bk_seed,
    .outcome = bk_outcome,
};
