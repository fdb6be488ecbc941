/* seat_booking.h -- the `seat-booking` workload: `users` users try to book
 * the same seat (SCENARIOS.md D6, the seed guide's "two users booking the
 * last seat"), with one of these strategies:
 *
 *   check-then-insert  BEGIN; SELECT count(*) FROM booking WHERE seat = S;
 *                      if 0: think, INSERT booking; COMMIT  (no unique key)
 *   unique             the same, with UNIQUE(seat) on booking: the second
 *                      INSERT fails (23505), or waits for the first's outcome
 *   for-update         BEGIN; SELECT seat FOR UPDATE; if free: think,
 *                      UPDATE seat SET holder = me; COMMIT
 *   conditional-update UPDATE seat SET holder = me WHERE holder = 0
 *                      (autocommit; rows = 1: booked)
 *   check-then-update  BEGIN; SELECT seat; if free: think, UPDATE seat SET
 *                      holder = me (no condition); COMMIT -- the anti-variant
 *
 * Data: table seat (one row, "seat:12A", value 0 = free, else the user
 * number), table booking (id = user number, value = the seat's code:
 * row * 100 + letter, 12A = 1201).  User u (0-based) arrives at start + u *
 * every on client node u mod (number of clients); Jepsen :process u.
 * Serialization failures and deadlocks are retried (`retries`, backoff).
 *
 * History: one BOOK per user (key "seat:12A"): ok = the user was told the
 * seat is theirs; fail = taken, or gave up.
 */
#ifndef CCSIM_SEAT_BOOKING_H
#define CCSIM_SEAT_BOOKING_H

#include "sim/config.h"
#include "sim/env.h"

typedef enum {
    SB_CHECK_THEN_INSERT = 0, SB_UNIQUE, SB_FOR_UPDATE, SB_CONDITIONAL_UPDATE, SB_CHECK_THEN_UPDATE
} sb_strategy;

typedef struct sb_cfg {
    param_nodes clients;
    int64_t users;
    sim_time start_ns, every_ns, think_ns;
    char seat[CONFIG_STRING_MAX];
    int strategy;                 /* sb_strategy */
    int64_t retries;
    sim_time backoff_ns, backoff_max_ns;
    sim_time request_timeout_ns;
} sb_cfg;

/* "12A" -> 1201; -1 when not a row number and a letter. */
int64_t sb_seat_code(const char *seat);

#endif
