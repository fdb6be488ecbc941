/* ledger.h -- accounts (stock rows, balances) and what the clients were
 * told about them, shared by the oversell, lost-update, conservation and
 * double-booking checks (inside sim/check/ only).
 *
 * An account is a (node, key) with BALANCE_INIT and/or BALANCE effects
 * (hist.h): `init` is its opening balance (0 when it first appears through
 * a BALANCE: an account opened by a deposit), `final` its last balance.
 * Client ops name the account they change (op.key, op.delta) and the one
 * credited with -delta (op.key2, "" = outside).  For each account the
 * ledger sums the deltas of acknowledged (ok) ops, and separately the
 * negative and positive deltas of ops whose outcome is unknown (info, or
 * pending at the horizon): each of those may or may not have happened.
 *
 * Invariant: accounts are in the order their first effect appeared; a key
 * held by several nodes is matched to the first (ops do not name nodes).
 */
#ifndef CCSIM_LEDGER_H
#define CCSIM_LEDGER_H

#include "sim/check/check_int.h"

typedef struct check_account {
    int32_t node;
    char key[SIM_NAME_MAX];
    bool opened;                 /* has a BALANCE_INIT */
    int64_t init, final;
    uint32_t last;               /* effect index of the final balance, HIST_NONE if only INIT */
    int64_t acked;               /* sum of the deltas of ok ops */
    int64_t maybe_lo, maybe_hi;  /* sums of the negative / positive deltas of unknown ops */
    uint32_t acked_ops, unknown_ops;
} check_account;

typedef struct check_ledger {
    check_account *items;
    uint32_t count;
    int32_t *index;              /* items by key (ledger.c), -1 = free */
    uint32_t index_cap;          /* 0 or a power of two >= 2 * count */
    int64_t init_total, final_total;
    int64_t external_acked;      /* money in (+) or out (-) of the system, acknowledged */
    int64_t external_lo, external_hi;   /* ... and the unknown ops' possible share */
} check_ledger;

void check_ledger_build(const hist *h, check_ledger *out);
void check_ledger_free(check_ledger *l);
/* The account named key, NULL if none. */
const check_account *check_ledger_find(const check_ledger *l, const char *key);
/* Unknown = completed info or still pending. */
bool check_op_unknown(const hist_op *op);
/* Who ran op: the node's name, or "shop/p7" when the node runs several
 * logical clients (processes). */
void check_who(const check_input *in, const hist_op *op, char *buf, size_t len);
/* Adds op to the violation's evidence (the timeline draws it in red), with
 * the label when it is the first; HIST_NONE and a full list are ignored. */
void check_evidence(check_result *out, const char *label, uint32_t op);
/* The run's database cost, "; 1500 commits, ..." appended to a summary
 * (nothing when the history has no database transactions). */
void check_append_figures(const check_input *in, check_result *out);

#endif
