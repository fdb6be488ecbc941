/* test_advisory.c -- PostgreSQL advisory locks (protocols/advisory, driven
 * by lock-counter): what ends a connection and its lock (idle timeouts,
 * keepalive, tcp_user_timeout, a dead process, a server crash or power
 * loss), what PgBouncer's transaction mode does to session-level locks,
 * and the remedies, judged through the history and the checks' verdicts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "protocols/lock/lock_api.h"
#include "sim/check/check.h"
#include "sim/sim.h"
#include "tests/test_run_support.h"

#define DIR "scenarios/advisory/"
#define A1 DIR "A1-session-lock-gc-pause-idle-timeout.yaml"
#define A1B DIR "A1b-xact-lock-write-in-the-transaction.yaml"
#define A1D DIR "A1d-session-lock-gc-pause-no-idle-timeout.yaml"
#define A2 DIR "A2-host-power-loss-default-keepalive.yaml"
#define A2B DIR "A2b-host-power-loss-short-keepalive.yaml"
#define A2C DIR "A2c-client-process-crash-fin.yaml"
#define A4 DIR "A4-pgbouncer-transaction-mode-session-lock.yaml"
#define A4B DIR "A4b-pgbouncer-transaction-mode-xact-lock.yaml"
#define A4D DIR "A4d-pgbouncer-round-robin-unlock-elsewhere.yaml"
#define A5 DIR "A5-server-crash-drops-the-lock.yaml"
#define A5B DIR "A5b-server-power-loss-drops-the-lock.yaml"

/* Runs a library scenario with up to two --set overrides. */
static run run_with(const char *path, const char *set1, const char *set2) {
    const char *sets[2] = { set1, set2 };
    return run_file_sets(path, sets, set2 ? 2u : set1 ? 1u : 0u);
}

/* The n-th (0-based) effect of a kind, or NULL. */
static const hist_effect *nth_effect(const run *r, hist_eff_kind k, uint32_t n) {
    for (uint32_t i = 0; i < r->h->effect_count; i++)
        if (r->h->effects[i].kind == k && n-- == 0) return &r->h->effects[i];
    return NULL;
}

static uint32_t effects_of(const run *r, hist_eff_kind k) {
    uint32_t n = 0;
    for (uint32_t i = 0; i < r->h->effect_count; i++) n += r->h->effects[i].kind == k;
    return n;
}

/* The first op of kind f by the node named `client`, or NULL. */
static const hist_op *op_of(const run *r, const char *client, hist_f f) {
    int32_t node = scn_node_find(r->s, client);
    for (uint32_t i = 0; i < r->h->op_count; i++)
        if (r->h->ops[i].node == node && r->h->ops[i].f == f) return &r->h->ops[i];
    return NULL;
}

/* ------------------------------------------------------------ idle timeouts */

static void an_idle_session_timeout_ends_a_paused_holders_connection_and_hands_the_lock_on(void **state) {
    (void)state;
    run r = run_file(A1);
    const hist_effect *gone = nth_effect(&r, HIST_EFF_LOCK_EXPIRE, 0);
    assert_non_null(gone);
    assert_int_equal(gone->t_ns, 5001 * SIM_MS);          /* 5 s after its last statement */
    assert_int_equal(gone->aux, LOCK_CONN_IDLE_SESSION);
    const hist_op *c2 = op_of(&r, "c2", HIST_F_ACQUIRE);
    assert_int_equal(c2->result, HIST_OK);
    assert_int_equal(c2->complete_ns, 5002 * SIM_MS);
    assert_int_equal(op_of(&r, "c1", HIST_F_WRITE)->result, HIST_OK);   /* the stale write lands */
    assert_int_equal(run_verdict(&r, "mutual-exclusion"), CHECK_VIOLATION);
    assert_int_equal(run_verdict(&r, "lost-update"), CHECK_VIOLATION);
    run_free(&r);
}

static void a_write_in_the_locks_transaction_is_refused_once_the_connection_is_gone(void **state) {
    (void)state;
    run r = run_file(A1B);
    const hist_effect *gone = nth_effect(&r, HIST_EFF_LOCK_EXPIRE, 0);
    assert_non_null(gone);
    assert_int_equal(gone->aux, LOCK_CONN_IDLE_IN_TXN);
    const hist_op *w = op_of(&r, "c1", HIST_F_WRITE);
    assert_int_equal(w->result, HIST_FAIL);
    assert_string_equal(w->note, "refused: connection gone");
    assert_int_equal(effects_of(&r, HIST_EFF_REJECT), 1);
    assert_int_equal(effects_of(&r, HIST_EFF_WRITE), 1);
    assert_int_equal(run_verdict(&r, "lost-update"), CHECK_OK);
    run_free(&r);
}

static void without_an_idle_timeout_the_waiter_is_blocked_for_the_whole_pause(void **state) {
    (void)state;
    run r = run_file(A1D);
    assert_int_equal(effects_of(&r, HIST_EFF_LOCK_EXPIRE), 0);
    const hist_op *c2 = op_of(&r, "c2", HIST_F_ACQUIRE);
    assert_int_equal(c2->result, HIST_OK);
    assert_true(c2->complete_ns - c2->invoke_ns > 15 * SIM_S);
    assert_int_equal(run_verdict(&r, "lost-update"), CHECK_OK);
    run_free(&r);
}

static void an_idle_timeout_does_not_end_a_session_waiting_for_the_lock(void **state) {
    (void)state;
    /* A1 with the counter in the database: C1's read at 0.1 s is a statement,
     * so its idle clock runs out at 5.101 s; C2's, had its wait counted as
     * idle, at 5.002 s. */
    run r = run_with(A1, "workload.resource=pg", NULL);
    const hist_effect *gone = nth_effect(&r, HIST_EFF_LOCK_EXPIRE, 0);
    assert_non_null(gone);
    assert_int_equal(gone->t_ns, 5101 * SIM_MS);
    const hist_op *c2 = op_of(&r, "c2", HIST_F_ACQUIRE);
    assert_int_equal(c2->result, HIST_OK);
    assert_int_equal(c2->complete_ns, 5102 * SIM_MS);
    /* over its own connection, the paused holder's late write is refused */
    assert_int_equal(op_of(&r, "c1", HIST_F_WRITE)->result, HIST_FAIL);
    assert_int_equal(run_verdict(&r, "lost-update"), CHECK_OK);
    run_free(&r);
}

static void try_lock_answers_false_at_once_while_another_session_holds_it(void **state) {
    (void)state;
    run r = run_with(A1D, "params.try=true", NULL);
    const hist_op *c2 = op_of(&r, "c2", HIST_F_ACQUIRE);
    assert_int_equal(c2->result, HIST_FAIL);
    assert_int_equal(c2->complete_ns, 3 * SIM_MS);
    assert_string_equal(c2->note, "not granted: another session holds it");
    run_free(&r);
}

/* ------------------------------------------------------------ keepalive */

static void a_vanished_host_keeps_the_lock_for_the_default_two_hours_eleven_minutes(void **state) {
    (void)state;
    run r = run_with(A2, "duration=135m", NULL);
    const hist_effect *gone = nth_effect(&r, HIST_EFF_LOCK_EXPIRE, 0);
    assert_non_null(gone);
    assert_int_equal(gone->aux, LOCK_CONN_KEEPALIVE);
    /* last heard at 1 ms; 7200 s idle, then 9 probes 75 s apart */
    assert_int_equal(gone->t_ns, (7200 + 9 * 75) * SIM_S + SIM_MS);
    assert_int_equal(op_of(&r, "c2", HIST_F_ACQUIRE)->complete_ns, gone->t_ns + SIM_MS);
    run_free(&r);
}

static void short_keepalives_end_a_dead_connection_after_idle_plus_count_intervals(void **state) {
    (void)state;
    run r = run_file(A2B);
    const hist_effect *gone = nth_effect(&r, HIST_EFF_LOCK_EXPIRE, 0);
    assert_non_null(gone);
    assert_int_equal(gone->aux, LOCK_CONN_KEEPALIVE);
    assert_int_equal(gone->t_ns, 8001 * SIM_MS);           /* 1 ms + 5 s + 3 x 1 s */
    assert_int_equal(run_verdict(&r, "liveness"), CHECK_OK);
    run_free(&r);
}

static void a_live_client_answers_keepalive_and_keeps_its_lock(void **state) {
    (void)state;
    /* A2b without the power loss: C1 holds for 20 s, probed all along. */
    run r = run_with(A2B, "faults=[]", "workload.write_at={c1: 20s}");
    assert_int_equal(effects_of(&r, HIST_EFF_LOCK_EXPIRE), 0);
    assert_int_equal(op_of(&r, "c1", HIST_F_WRITE)->result, HIST_OK);
    assert_true(op_of(&r, "c2", HIST_F_ACQUIRE)->complete_ns > 20 * SIM_S);
    run_free(&r);
}

static void tcp_user_timeout_ends_the_connection_at_the_first_probe_after_that_long(void **state) {
    (void)state;
    run r = run_with(A2B, "params.tcp_user_timeout=3500ms", NULL);
    const hist_effect *gone = nth_effect(&r, HIST_EFF_LOCK_EXPIRE, 0);
    assert_non_null(gone);
    assert_int_equal(gone->aux, LOCK_CONN_USER_TIMEOUT);
    /* probe 1 at 5.001 s; at the next probe time nothing was heard for 6 s */
    assert_int_equal(gone->t_ns, 6001 * SIM_MS);
    run_free(&r);
}

static void a_process_crash_releases_the_lock_at_once_through_the_kernels_fin(void **state) {
    (void)state;
    run r = run_file(A2C);
    const hist_effect *gone = nth_effect(&r, HIST_EFF_LOCK_EXPIRE, 0);
    assert_non_null(gone);
    assert_int_equal(gone->aux, LOCK_CONN_CLIENT_DIED);
    assert_int_equal(gone->t_ns, 301 * SIM_MS);
    run_free(&r);
}

/* ------------------------------------------------------------ PgBouncer */

static void transaction_pooling_grants_a_session_lock_again_on_the_holders_backend(void **state) {
    (void)state;
    run r = run_file(A4);
    const hist_op *a1 = op_of(&r, "c1", HIST_F_ACQUIRE), *a2 = op_of(&r, "c2", HIST_F_ACQUIRE);
    const hist_op *rel1 = op_of(&r, "c1", HIST_F_RELEASE);
    assert_int_equal(a1->result, HIST_OK);
    assert_int_equal(a2->result, HIST_OK);
    assert_true(a2->complete_ns < rel1->invoke_ns);        /* both hold at once */
    assert_int_equal(effects_of(&r, HIST_EFF_LOCK_SET), 1); /* one grant to the backend, twice over */
    assert_int_equal(run_verdict(&r, "mutual-exclusion"), CHECK_VIOLATION);
    run_free(&r);
}

static void an_unlock_run_on_another_server_connection_returns_false_and_leaks_the_lock(void **state) {
    (void)state;
    run r = run_file(A4D);
    const hist_op *rel = op_of(&r, "c1", HIST_F_RELEASE);
    assert_int_equal(rel->result, HIST_FAIL);
    assert_non_null(strstr(rel->note, "returned false"));
    assert_int_equal(effects_of(&r, HIST_EFF_LOCK_DEL), 0);
    assert_int_equal(op_of(&r, "c2", HIST_F_ACQUIRE)->result, HIST_PENDING);
    assert_int_equal(run_verdict(&r, "liveness"), CHECK_VIOLATION);
    run_free(&r);
}

static void transaction_level_locks_keep_one_server_connection_behind_pgbouncer(void **state) {
    (void)state;
    run r = run_file(A4B);
    assert_int_equal(effects_of(&r, HIST_EFF_LOCK_SET), 2);
    assert_int_equal(effects_of(&r, HIST_EFF_LOCK_DEL), 2);
    assert_int_equal(run_verdict(&r, "mutual-exclusion"), CHECK_OK);
    assert_int_equal(run_verdict(&r, "lost-update"), CHECK_OK);
    run_free(&r);
}

static void session_pooling_releases_a_gone_clients_locks_with_discard_all(void **state) {
    (void)state;
    /* pool_mode=session; C1's process dies holding the lock at 0.15 s. */
    run r = run_with(A4, "params.pool=session", "faults=[{at: 150ms, crash: c1}]");
    const hist_effect *gone = nth_effect(&r, HIST_EFF_LOCK_EXPIRE, 0);
    assert_non_null(gone);
    assert_int_equal(gone->t_ns, 151 * SIM_MS);
    assert_int_equal(op_of(&r, "c2", HIST_F_ACQUIRE)->complete_ns, 152 * SIM_MS);
    run_free(&r);
}

/* ------------------------------------------------------------ server crash */

static void a_server_crash_and_a_power_loss_both_drop_every_advisory_lock(void **state) {
    (void)state;
    const char *files[2] = { A5, A5B };
    for (int i = 0; i < 2; i++) {
        run r = run_file(files[i]);
        const hist_effect *lost = nth_effect(&r, HIST_EFF_LOCK_LOST, 0);
        assert_non_null(lost);
        assert_int_equal(lost->t_ns, 300 * SIM_MS);
        assert_int_equal(op_of(&r, "c2", HIST_F_ACQUIRE)->result, HIST_OK);
        assert_int_equal(run_verdict(&r, "lost-update"), CHECK_VIOLATION);
        run_free(&r);
    }
}

static const char *const durable_row =
    "name: durable-row\n"
    "seed: 1\n"
    "duration: 10s\n"
    "protocol: advisory-lock\n"
    "params: {mode: xact}\n"
    "nodes: {server: [pg], client: [c1, c2]}\n"
    "network: {latency: 1ms}\n"
    "workload: {kind: lock-counter, iterations: 1, start: {c1: 0ms, c2: 5s}, hold: 0ms, resource: pg}\n"
    "faults:\n"
    "  - {at: 1s, power-loss: pg, for: 1s}\n";

static void a_committed_counter_row_survives_a_server_power_loss(void **state) {
    (void)state;
    run r = run_text(durable_row);
    const hist_op *read2 = op_of(&r, "c2", HIST_F_READ);
    assert_non_null(read2);
    assert_int_equal(read2->result, HIST_OK);
    assert_int_equal(read2->value_out, 1);                  /* c1's committed increment */
    assert_int_equal(run_verdict(&r, "lost-update"), CHECK_OK);
    run_free(&r);
}

/* ------------------------------------------------------------ input */

static void a_pool_size_out_of_bounds_is_a_located_error(void **state) {
    (void)state;
    char err[512];
    const char *yaml =
        "name: bad\nduration: 1s\nprotocol: advisory-lock\n"
        "params: {pool: transaction, pool_size: 0}\n"
        "nodes: {server: [pg], client: [c1]}\n"
        "workload: {kind: lock-counter}\n";
    assert_int_not_equal(create_text(yaml, err, sizeof err), 0);
    assert_non_null(strstr(err, "variant.yaml:4:"));
    assert_non_null(strstr(err, "pool_size"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(an_idle_session_timeout_ends_a_paused_holders_connection_and_hands_the_lock_on),
        cmocka_unit_test(a_write_in_the_locks_transaction_is_refused_once_the_connection_is_gone),
        cmocka_unit_test(without_an_idle_timeout_the_waiter_is_blocked_for_the_whole_pause),
        cmocka_unit_test(an_idle_timeout_does_not_end_a_session_waiting_for_the_lock),
        cmocka_unit_test(try_lock_answers_false_at_once_while_another_session_holds_it),
        cmocka_unit_test(a_vanished_host_keeps_the_lock_for_the_default_two_hours_eleven_minutes),
        cmocka_unit_test(short_keepalives_end_a_dead_connection_after_idle_plus_count_intervals),
        cmocka_unit_test(a_live_client_answers_keepalive_and_keeps_its_lock),
        cmocka_unit_test(tcp_user_timeout_ends_the_connection_at_the_first_probe_after_that_long),
        cmocka_unit_test(a_process_crash_releases_the_lock_at_once_through_the_kernels_fin),
        cmocka_unit_test(transaction_pooling_grants_a_session_lock_again_on_the_holders_backend),
        cmocka_unit_test(an_unlock_run_on_another_server_connection_returns_false_and_leaks_the_lock),
        cmocka_unit_test(transaction_level_locks_keep_one_server_connection_behind_pgbouncer),
        cmocka_unit_test(session_pooling_releases_a_gone_clients_locks_with_discard_all),
        cmocka_unit_test(a_server_crash_and_a_power_loss_both_drop_every_advisory_lock),
        cmocka_unit_test(a_committed_counter_row_survives_a_server_power_loss),
        cmocka_unit_test(a_pool_size_out_of_bounds_is_a_located_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
