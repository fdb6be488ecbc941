/* check_int.h -- what the checks share inside sim/check/ (not an interface).
 *
 * The registry (check.c) lists the checks' descriptors.  epoch.c indexes a
 * history by lock epoch and tells, in story clauses, how the lock passed
 * from one holder to the next; every lock check (and future ones) uses it so
 * that they all tell the same events the same way; cache.c keeps that
 * index for the other checks of the run (check_epochs_of, check.h's
 * check_cache).
 *
 * Invariant of check_epochs: items sorted by epoch, epochs distinct and != 0.
 */
#ifndef CCSIM_CHECK_INT_H
#define CCSIM_CHECK_INT_H

#include "sim/check/check.h"
#include "sim/check/story.h"

/* ---- the checks (one file each, each with its check_desc) ---- */
/* lost-update for database runs (lost_update_db.c): false when the history
 * has no database transactions, so the lock-counter rules apply. */
bool check_lost_update_db(const check_input *in, check_result *out);

/* ---- blocked windows (liveness_blocked.c; hist.h BLOCKED / UNBLOCKED) ----
 * Adds the run's blocked windows to a liveness result: raises blocked_ns to
 * the longest (an open one counts to the horizon), appends the longest to
 * the summary, and makes the verdict a violation, with a story, when one
 * is still open at the horizon and longer than bound_ns (STUCK). */
void check_liveness_blocked(const check_input *in, sim_time bound_ns, check_result *out);

/* ---- lock availability (liveness_lock.c), for the liveness check ---- */
typedef struct check_lock_unavail {
    sim_time want_ns;            /* the longest time one client wanted the lock */
    int32_t want_client;         /* who, -1 = no acquire at all */
    sim_time want_from, want_to;
    sim_time out_ns;             /* the longest stretch wanted by someone, held by nobody */
    sim_time out_from, out_to;
    uint32_t acquired;           /* ok acquires */
} check_lock_unavail;

/* Wants (consecutive acquires of a client until one succeeds), holds (an ok
 * acquire to its release, the holder's crash, or the horizon), and the
 * longest stretch the lock was wanted but held by nobody. */
void check_lock_unavailability(const check_input *in, check_lock_unavail *out);
/* Appends "; c2 wanted the lock for ... ; out of reach ... for ..." to the summary. */
void check_liveness_lock_note(const check_input *in, check_result *out);

/* Zeroes *out and names it; every run function starts with it. */
void check_result_start(check_result *out, const char *name);
/* The horizon the checks judge at: in->horizon_ns, else the scenario's duration. */
sim_time check_horizon(const check_input *in);

/* ---- lock epochs ---- */
typedef struct check_epoch {
    int64_t epoch;
    int32_t client;              /* node of the holder, -1 when unknown */
    uint32_t acquire_op;         /* the ok ACQUIRE op, HIST_NONE if none was recorded */
    sim_time asked_ns;           /* its invoke (else the first use) */
    sim_time acquired_ns;        /* its completion (else the first use) */
    int64_t token;               /* fencing token, 0 = none */
    sim_time hold_end_ns;        /* issue time of the last protected op; acquired_ns if none */
    uint32_t last_op;            /* that op, HIST_NONE if none */
} check_epoch;

typedef struct check_epochs {
    check_epoch *items;
    uint32_t count;
    /* When the epochs span a range not much wider than their count (a
     * lock's counter): pos[epoch - pos_lo] is its place in items
     * (UINT32_MAX = none), for check_epochs_find in O(1); else NULL. */
    uint32_t *pos;
    int64_t pos_lo;
    uint32_t pos_span;
} check_epochs;

/* Every epoch named by an op or an effect.  Protected ops: READ, WRITE, CAS, INCR. */
void check_epochs_build(const hist *h, check_epochs *out);
void check_epochs_free(check_epochs *e);
/* The history's epochs: in->cache's (built there on first use), else
 * built into *own.  check_epochs_free(own) after, either way (own is left
 * empty when the cache's are returned); the cache's live until
 * check_cache_free. */
const check_epochs *check_epochs_of(const check_input *in, check_epochs *own);
/* Position of epoch in e->items, UINT32_MAX if absent (e->pos, else a binary search). */
uint32_t check_epochs_find(const check_epochs *e, int64_t epoch);
bool check_op_is_protected(hist_f f);

/* First effect index with t_ns >= t (effects are in true-time order). */
uint32_t check_effect_lower_bound(const hist *h, sim_time t);
/* Nodes where the epoch's acquire set the lock key (LOCK_SET effects). */
uint64_t check_epoch_lock_nodes(const hist *h, const check_epoch *e);
/* "c1 took the lock at 0.002 s (epoch 1, token 33) on redis1". */
void check_story_acquire(story *st, const hist *h, const check_epoch *e);
/* How from's key left each lock node before until_ns: expired (with the
 * node's clock reading when it differs), deleted (by whom), overwritten,
 * lost in a crash; and the last extension before that. */
void check_story_handover(story *st, const hist *h, const check_epoch *from, sim_time until_ns);
/* Both epochs' acquisitions and the handover from the earlier to the later
 * (either may be NULL); widens *mask by their clients and lock nodes and
 * lowers *from to the earlier ask. */
void check_story_epochs(story *st, const hist *h, const check_epoch *a, const check_epoch *b,
                        uint64_t *mask, sim_time *from);
/* When both epochs held the lock on several nodes (Redlock): which lock
 * nodes their majorities had in common, told at the later grant. */
void check_story_quorums(story *st, const hist *h, const check_epoch *a, const check_epoch *b);
/* A replica promoted to master (failover) between the two grants, on a lock
 * node of the later one. */
void check_story_promotions(story *st, const hist *h, const check_epoch *a, const check_epoch *b);
/* The op an effect came from, NULL when it names none (or a bad id). */
const hist_op *check_effect_op(const hist *h, const hist_effect *x);

#endif
