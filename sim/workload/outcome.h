/* outcome.h -- counting helpers for the workloads' outcome lines
 * (family.h, workload_desc.outcome): "10 sold, 190 told sold out, 0
 * oversold", told first on the terminal and in story.txt.
 *
 * Each workload words its own line in its .c file from these counts of
 * the finished run's history: ops of one kind by result, and the money
 * (or stock) of the accounts its resources record (BALANCE_INIT once per
 * account, BALANCE after each committed change; hist.h).
 * Invariant: everything is counted from the history in its order, never
 * from addresses, so the line is the same for the same run.
 */
#ifndef CCSIM_WORKLOAD_OUTCOME_H
#define CCSIM_WORKLOAD_OUTCOME_H

#include "sim/hist.h"

typedef struct wo_tally {
    uint64_t ok, fail, unknown;      /* unknown = completed info, or still pending */
    uint64_t info, pending;          /* unknown, split */
    uint64_t all;
} wo_tally;

/* The ops of kind f, by result. */
wo_tally wo_count(const hist *h, hist_f f);
/* The ops of kind f with result r whose note contains `needle`. */
uint64_t wo_count_note(const hist *h, hist_f f, hist_result r, const char *needle);

/* The accounts' money: opened = the sum of BALANCE_INIT, now = the sum of
 * each account's last balance, accounts = how many (accounts are (node,
 * key) pairs).  The key's own (key != NULL): only accounts named key. */
typedef struct wo_money {
    int64_t opened, now;
    uint32_t accounts;
} wo_money;
wo_money wo_money_of(const hist *h, const char *key);

/* Appends to a NUL-terminated buffer, truncating (never overflowing). */
void wo_add(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Appends "; money 300, as expected", or "; money 150, expected 100: 50
 * from nowhere" / "...: 50 vanished"; with unsure (ops whose outcome is
 * unknown), " (some outcomes unknown)" after a difference. */
void wo_money_words(int64_t now, int64_t expected, bool unsure, char *buf, size_t len);

/* Sagas by how they ended (the SAGA_BEGIN / SAGA_END effects of
 * protocols/saga/saga.h): unfinished = begun and never ended. */
typedef struct wo_sagas {
    uint64_t begun, completed, compensated, gave_up, unfinished;
} wo_sagas;
wo_sagas wo_sagas_of(const hist *h);
/* Appends "1 saga: 0 completed, 1 compensated" (+ ", N gave up", ", N unfinished"). */
void wo_sagas_words(const wo_sagas *g, const char *what, char *buf, size_t len);

/* "s" unless n is 1: "%" PRIu64 " order%s". */
const char *wo_s(uint64_t n);

/* Appends ", N unanswered" when t has ops with no answer (info or pending). */
void wo_unanswered(const wo_tally *t, char *buf, size_t len);

#endif
