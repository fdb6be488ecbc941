/* test_setnx_lock.c -- the setnx-lock scenarios of scenarios/locks/, run
 * end to end (scn_load -> registry_sim_create -> sim_run), checked through what they
 * leave in the history: when each key was set, extended, expired, deleted;
 * when each client learned it held the lock; when the storage applied or
 * refused each write; and the checks' verdicts against the files' `expect:`.
 * Times are true simulated time in ms, as in SCENARIOS.md. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "protocols/lock/lock_api.h"
#include "protocols/setnx_lock/setnx_lock.h"
#include "sim/check/check.h"
#include "sim/registry/registry.h"
#include "sim/sim.h"
#include "tests/test_run_support.h"

#define DIR "scenarios/locks/"


static int32_t node(const run *r, const char *name) {
    int32_t n = scn_node_find(r->s, name);
    assert_true(n >= 0);
    return n;
}

static int64_t ms(sim_time t) { return t / SIM_MS; }

/* The nth op (0-based) of `f` by client `who`; fails the test if none. */
static const hist_op *op_of(const run *r, const char *who, hist_f f, uint32_t nth) {
    int32_t n = node(r, who);
    for (uint32_t i = 0; i < r->h->op_count; i++) {
        const hist_op *op = &r->h->ops[i];
        if (op->node == n && op->f == f && nth-- == 0) return op;
    }
    fail_msg("no %s op #%u by %s", hist_f_name(r->h, f), nth, who);
    return NULL;
}

/* The nth effect of `kind` (for client `who`, or any when NULL), or NULL. */
static const hist_effect *effect_of(const run *r, hist_eff_kind kind, const char *who, uint32_t nth) {
    int32_t n = who ? node(r, who) : -1;
    for (uint32_t i = 0; i < r->h->effect_count; i++) {
        const hist_effect *x = &r->h->effects[i];
        if (x->kind == kind && (n < 0 || x->client == n) && nth-- == 0) return x;
    }
    return NULL;
}

static uint32_t effects_counted(const run *r, hist_eff_kind kind) {
    uint32_t k = 0;
    for (uint32_t i = 0; i < r->h->effect_count; i++) k += r->h->effects[i].kind == kind;
    return k;
}

/* The counter's final value: the last applied write, else the initial value. */
static int64_t final_counter(const run *r) {
    int64_t v = r->h->initial_value;
    for (uint32_t i = 0; i < r->h->effect_count; i++)
        if (r->h->effects[i].kind == HIST_EFF_WRITE) v = r->h->effects[i].value;
    return v;
}

static uint32_t ok_writes(const run *r) {
    uint32_t k = 0;
    for (uint32_t i = 0; i < r->h->op_count; i++)
        k += r->h->ops[i].f == HIST_F_WRITE && r->h->ops[i].result == HIST_OK;
    return k;
}

/* Every check the file expects gives the expected verdict. */
static void verdicts_match_expect(const run *r) {
    assert_true(r->s->expect_count > 0);
    check_input in = { .h = r->h, .s = r->s, .horizon_ns = r->s->duration_ns };
    for (uint32_t i = 0; i < r->s->expect_count; i++) {
        const check_desc *c = check_find(r->s->expect[i].check);
        assert_non_null(c);
        check_result res;
        c->run(&in, &res);
        if ((int)res.verdict != (int)r->s->expect[i].verdict)
            fail_msg("%s: %s gave %s (%s)", r->s->name, c->name, check_verdict_name(res.verdict),
                     res.summary);
        check_result_free(&res);
    }
}


#define BASE(params, workload, faults)                                             \
    "name: variant\nseed: 1\nduration: 30s\nprotocol: setnx-lock\n"              \
    "params:\n" params                                                           \
    "nodes:\n  redis: 1\n  client: [c1, c2]\n  storage: 1\n"                     \
    "network:\n  latency: 1ms\n"                                                 \
    "workload:\n  kind: lock-counter\n" workload faults

static check_verdict verdict_of(const run *r, const char *name) {
    check_input in = { .h = r->h, .s = r->s, .horizon_ns = r->s->duration_ns };
    const check_desc *c = check_find(name);
    assert_non_null(c);
    check_result res;
    c->run(&in, &res);
    check_verdict v = res.verdict;
    check_result_free(&res);
    return v;
}

/* ------------------------------------------------------------ L1 */

static void lock_without_ttl_stays_held_after_its_holder_crashes(void **state) {
    (void)state;
    run r = run_file(DIR "L1-setnx-no-ttl-holder-crash.yaml");
    const hist_effect *set = effect_of(&r, HIST_EFF_LOCK_SET, "c1", 0);
    assert_non_null(set);
    assert_int_equal(ms(set->t_ns), 1);
    assert_int_equal(set->value, -1);                         /* no TTL */
    assert_null(effect_of(&r, HIST_EFF_LOCK_EXPIRE, NULL, 0));
    assert_null(effect_of(&r, HIST_EFF_LOCK_DEL, NULL, 0));
    const hist_op *acq = op_of(&r, "c2", HIST_F_ACQUIRE, 0);
    assert_int_equal(ms(acq->invoke_ns), 100);
    assert_int_equal(acq->result, HIST_PENDING);             /* still waiting at 600 s */
    verdicts_match_expect(&r);
    run_free(&r);
}

static void crash_between_setnx_and_expire_leaves_a_key_without_ttl(void **state) {
    (void)state;
    run r = run_file(DIR "L1b-setnx-then-expire-crash-between.yaml");
    const hist_effect *set = effect_of(&r, HIST_EFF_LOCK_SET, "c1", 0);
    assert_non_null(set);
    assert_int_equal(ms(set->t_ns), 1);
    assert_int_equal(set->value, -1);
    assert_null(effect_of(&r, HIST_EFF_LOCK_EXTEND, NULL, 0));   /* EXPIRE never sent */
    const hist_op *c1 = op_of(&r, "c1", HIST_F_ACQUIRE, 0);
    assert_int_equal(c1->result, HIST_INFO);
    assert_int_equal(c1->complete_ns, 1500 * SIM_US);
    assert_string_equal(c1->note, "client crashed");
    assert_int_equal(op_of(&r, "c2", HIST_F_ACQUIRE, 0)->result, HIST_PENDING);
    verdicts_match_expect(&r);
    run_free(&r);
}

/* As SCENARIOS.md has it, C2 succeeds with its poll at 10 100: the key set
 * at 1 ms has when = 10 001 and is there through that millisecond (Redis's
 * keyIsExpired), so the poll at 10 000 (applied at 10 001) still fails; the
 * key is gone from 10 002. */
static void lock_with_ttl_comes_free_after_its_holder_crashes(void **state) {
    (void)state;
    run r = run_file(DIR "L1c-set-nx-px-holder-crash.yaml");
    const hist_effect *exp = effect_of(&r, HIST_EFF_LOCK_EXPIRE, "c1", 0);
    assert_non_null(exp);
    assert_int_equal(ms(exp->t_ns), 10002);
    assert_int_equal(exp->value, 10002 * SIM_MS);
    const hist_effect *set = effect_of(&r, HIST_EFF_LOCK_SET, "c2", 0);
    assert_non_null(set);
    assert_int_equal(ms(set->t_ns), 10101);
    const hist_op *acq = op_of(&r, "c2", HIST_F_ACQUIRE, 0);
    assert_int_equal(acq->result, HIST_OK);
    assert_int_equal(ms(acq->complete_ns), 10102);
    assert_true(acq->complete_ns - acq->invoke_ns <= 10100 * SIM_MS);  /* <= TTL + poll */
    verdicts_match_expect(&r);
    run_free(&r);
}

/* ------------------------------------------------------------ L2 */

static void gc_pause_past_the_ttl_lets_a_stale_write_clobber_the_next_holder(void **state) {
    (void)state;
    run r = run_file(DIR "L2-lease-gc-pause.yaml");
    const hist_effect *set = effect_of(&r, HIST_EFF_LOCK_SET, "c1", 0);
    assert_int_equal(ms(set->t_ns), 1);
    assert_int_equal(set->value, 10002 * SIM_MS);                 /* when 10 001, gone from 10 002 */
    assert_int_equal(ms(effect_of(&r, HIST_EFF_LOCK_EXPIRE, "c1", 0)->t_ns), 10002);
    const hist_op *c2 = op_of(&r, "c2", HIST_F_ACQUIRE, 0);
    assert_int_equal(c2->result, HIST_OK);
    assert_int_equal(ms(c2->complete_ns), 10502);
    assert_int_equal(hist_op_epoch(r.h, c2), 2);
    const hist_effect *w2 = effect_of(&r, HIST_EFF_WRITE, "c2", 0);
    assert_int_equal(ms(w2->t_ns), 10505);
    const hist_effect *w1 = effect_of(&r, HIST_EFF_WRITE, "c1", 0);
    assert_int_equal(ms(w1->t_ns), 15005);
    assert_int_equal(w1->epoch, 1);
    assert_int_equal(final_counter(&r), 1);
    assert_int_equal(ok_writes(&r), 2);
    assert_int_equal(op_of(&r, "c1", HIST_F_RELEASE, 0)->result, HIST_FAIL);
    verdicts_match_expect(&r);
    run_free(&r);
}

static void delayed_write_lands_after_the_writer_timed_out_and_released(void **state) {
    (void)state;
    run r = run_file(DIR "L2b-lease-network-delay.yaml");
    const hist_op *w1 = op_of(&r, "c1", HIST_F_WRITE, 0);
    assert_int_equal(ms(w1->invoke_ns), 10);
    assert_int_equal(w1->result, HIST_INFO);
    assert_int_equal(ms(w1->complete_ns), 1010);
    assert_int_equal(ms(effect_of(&r, HIST_EFF_LOCK_DEL, "c1", 0)->t_ns), 1011);
    assert_int_equal(ms(op_of(&r, "c2", HIST_F_ACQUIRE, 0)->complete_ns), 1102);
    assert_int_equal(ms(effect_of(&r, HIST_EFF_WRITE, "c2", 0)->t_ns), 1105);
    assert_int_equal(ms(effect_of(&r, HIST_EFF_WRITE, "c1", 0)->t_ns), 15011);
    assert_int_equal(final_counter(&r), 1);
    verdicts_match_expect(&r);
    run_free(&r);
}

/* ------------------------------------------------------------ L3 */

static void plain_del_after_a_stall_deletes_the_next_holders_key(void **state) {
    (void)state;
    run r = run_file(DIR "L3-release-without-ownership-check.yaml");
    assert_null(effect_of(&r, HIST_EFF_WRITE, "c1", 0));       /* the lease check stopped it */
    const hist_effect *set2 = effect_of(&r, HIST_EFF_LOCK_SET, "c2", 0);
    assert_int_equal(ms(set2->t_ns), 10101);
    const hist_effect *del = effect_of(&r, HIST_EFF_LOCK_DEL, "c1", 0);
    assert_non_null(del);
    assert_int_equal(ms(del->t_ns), 12001);
    assert_int_equal(del->value, set2->value);                 /* it was c2's key */
    assert_int_equal(op_of(&r, "c1", HIST_F_RELEASE, 0)->result, HIST_OK);   /* c1 never knew */
    assert_int_equal(ms(op_of(&r, "c3", HIST_F_ACQUIRE, 0)->complete_ns), 12102);
    assert_int_equal(ms(effect_of(&r, HIST_EFF_WRITE, "c3", 0)->t_ns), 12501);
    assert_int_equal(ms(effect_of(&r, HIST_EFF_WRITE, "c2", 0)->t_ns), 13001);
    assert_int_equal(final_counter(&r), 1);
    verdicts_match_expect(&r);
    run_free(&r);
}

static void compare_and_delete_leaves_the_next_holders_key_alone(void **state) {
    (void)state;
    run r = run_file(DIR "L3b-release-compare-and-delete.yaml");
    const hist_op *rel = op_of(&r, "c1", HIST_F_RELEASE, 0);
    assert_int_equal(rel->result, HIST_FAIL);
    assert_int_equal(ms(rel->complete_ns), 12002);
    assert_null(effect_of(&r, HIST_EFF_LOCK_DEL, "c1", 0));
    assert_int_equal(ms(effect_of(&r, HIST_EFF_LOCK_DEL, "c2", 0)->t_ns), 13003);
    const hist_op *c3 = op_of(&r, "c3", HIST_F_ACQUIRE, 0);
    assert_int_equal(ms(c3->complete_ns), 13102);
    assert_int_equal(final_counter(&r), 2);
    verdicts_match_expect(&r);
    run_free(&r);
}

/* ------------------------------------------------------------ L4 */

static void fenced_storage_rejects_token_33_after_34(void **state) {
    (void)state;
    run r = run_file(DIR "L4-fencing-token-gc-pause.yaml");
    assert_int_equal(op_of(&r, "c1", HIST_F_ACQUIRE, 0)->value_out, 33);
    assert_int_equal(op_of(&r, "c2", HIST_F_ACQUIRE, 0)->value_out, 34);
    const hist_effect *w2 = effect_of(&r, HIST_EFF_WRITE, "c2", 0);
    assert_int_equal(ms(w2->t_ns), 10505);
    assert_int_equal(hist_effect_token(r.h, w2), 34);
    const hist_effect *rej = effect_of(&r, HIST_EFF_REJECT, "c1", 0);
    assert_non_null(rej);
    assert_int_equal(ms(rej->t_ns), 15005);
    assert_int_equal(hist_effect_token(r.h, rej), 33);
    const hist_op *w1 = op_of(&r, "c1", HIST_F_WRITE, 0);
    assert_int_equal(w1->result, HIST_FAIL);
    assert_string_equal(w1->note, "stale token 33 < 34");
    assert_null(effect_of(&r, HIST_EFF_WRITE, "c1", 0));
    assert_int_equal(final_counter(&r), 1);
    verdicts_match_expect(&r);
    run_free(&r);
}

static void fenced_storage_rejects_a_delayed_stale_write(void **state) {
    (void)state;
    run r = run_file(DIR "L4b-fencing-token-network-delay.yaml");
    const hist_effect *rej = effect_of(&r, HIST_EFF_REJECT, "c1", 0);
    assert_non_null(rej);
    assert_int_equal(ms(rej->t_ns), 15011);
    assert_int_equal(hist_effect_token(r.h, rej), 33);
    assert_int_equal(final_counter(&r), 1);
    assert_int_equal(effects_counted(&r, HIST_EFF_WRITE), 1);
    verdicts_match_expect(&r);
    run_free(&r);
}

/* ------------------------------------------------------------ W1 */

static void watchdog_renews_every_ten_seconds_until_its_process_crashes(void **state) {
    (void)state;
    run r = run_file(DIR "W1-watchdog-renew-then-crash.yaml");
    assert_int_equal(effect_of(&r, HIST_EFF_LOCK_SET, "c1", 0)->value, 30001 * SIM_MS);
    for (uint32_t k = 0; k < 4; k++) {
        const hist_effect *x = effect_of(&r, HIST_EFF_LOCK_EXTEND, "c1", k);
        assert_non_null(x);
        assert_int_equal(ms(x->t_ns), 10000 * (k + 1));
        assert_int_equal(ms(x->value), 40001 + 10000 * k);      /* gone from when + 1 ms */
    }
    assert_null(effect_of(&r, HIST_EFF_LOCK_EXTEND, "c1", 4));   /* crashed at 45 s */
    const hist_effect *exp = effect_of(&r, HIST_EFF_LOCK_EXPIRE, "c1", 0);
    assert_int_equal(ms(exp->t_ns), 70001);
    const hist_op *c2 = op_of(&r, "c2", HIST_F_ACQUIRE, 0);
    assert_int_equal(c2->result, HIST_OK);
    assert_int_equal(ms(c2->complete_ns), 71000);                /* the poll at 70 s still fails */
    assert_int_equal(ms(c2->complete_ns) - 45000, 26000);        /* unavailable after the crash */
    verdicts_match_expect(&r);
    run_free(&r);
}

static void explicit_lease_time_expires_under_a_slow_holder(void **state) {
    (void)state;
    run r = run_file(DIR "W1b-lease-time-no-watchdog.yaml");
    assert_null(effect_of(&r, HIST_EFF_LOCK_EXTEND, NULL, 0));
    assert_int_equal(ms(effect_of(&r, HIST_EFF_LOCK_EXPIRE, "c1", 0)->t_ns), 10001);
    assert_int_equal(ms(op_of(&r, "c2", HIST_F_ACQUIRE, 0)->complete_ns), 11000);
    assert_int_equal(ms(effect_of(&r, HIST_EFF_WRITE, "c2", 0)->t_ns), 11500);
    assert_int_equal(ms(effect_of(&r, HIST_EFF_WRITE, "c1", 0)->t_ns), 14000);
    verdicts_match_expect(&r);
    run_free(&r);
}

/* ------------------------------------------------------------ W2 */

/* SCENARIOS.md has C1 write at 47 001; here the write that was due during
 * the pause goes out the instant C1 resumes, and latency is 0: 47 000. */
static void gc_pause_stops_the_watchdog_and_the_key_expires_under_its_holder(void **state) {
    (void)state;
    run r = run_file(DIR "W2-watchdog-gc-pause.yaml");
    const hist_effect *ext = effect_of(&r, HIST_EFF_LOCK_EXTEND, "c1", 0);
    assert_int_equal(ms(ext->t_ns), 10000);
    assert_int_equal(ms(ext->value), 40001);
    assert_null(effect_of(&r, HIST_EFF_LOCK_EXTEND, "c1", 1));   /* the late renewal got 0 */
    assert_int_equal(ms(effect_of(&r, HIST_EFF_LOCK_EXPIRE, "c1", 0)->t_ns), 40001);
    assert_int_equal(ms(op_of(&r, "c2", HIST_F_ACQUIRE, 0)->complete_ns), 40500);
    assert_int_equal(ms(effect_of(&r, HIST_EFF_WRITE, "c2", 0)->t_ns), 40600);
    assert_int_equal(ms(effect_of(&r, HIST_EFF_WRITE, "c1", 0)->t_ns), 47000);
    assert_int_equal(op_of(&r, "c1", HIST_F_RELEASE, 0)->result, HIST_FAIL);
    assert_int_equal(final_counter(&r), 1);
    assert_int_equal(ok_writes(&r), 2);
    verdicts_match_expect(&r);
    run_free(&r);
}

static void pause_shorter_than_the_remaining_ttl_is_harmless(void **state) {
    (void)state;
    run r = run_file(DIR "W2b-watchdog-short-pause.yaml");
    assert_null(effect_of(&r, HIST_EFF_LOCK_EXPIRE, NULL, 0));
    assert_int_equal(ms(effect_of(&r, HIST_EFF_WRITE, "c1", 0)->t_ns), 37000);
    const hist_op *c2 = op_of(&r, "c2", HIST_F_ACQUIRE, 0);
    const hist_effect *rel = effect_of(&r, HIST_EFF_LOCK_DEL, "c1", 0);
    assert_non_null(rel);
    assert_true(c2->complete_ns > rel->t_ns);
    assert_int_equal(final_counter(&r), 2);
    verdicts_match_expect(&r);
    run_free(&r);
}

static void fenced_watchdog_lock_rejects_the_resumed_holders_write(void **state) {
    (void)state;
    run r = run_file(DIR "W2c-watchdog-fenced.yaml");
    assert_int_equal(op_of(&r, "c1", HIST_F_ACQUIRE, 0)->value_out, 1);
    assert_int_equal(op_of(&r, "c2", HIST_F_ACQUIRE, 0)->value_out, 2);
    const hist_effect *rej = effect_of(&r, HIST_EFF_REJECT, "c1", 0);
    assert_non_null(rej);
    assert_int_equal(ms(rej->t_ns), 47000);
    assert_int_equal(final_counter(&r), 1);
    verdicts_match_expect(&r);
    run_free(&r);
}


/* ------------------------------------------------------------ variants */

static void get_then_set_lets_two_simultaneous_clients_both_take_the_lock(void **state) {
    (void)state;
    run r = run_text(BASE("  acquire: get-then-set\n", "  hold: 5ms\n", ""));
    const hist_op *a1 = op_of(&r, "c1", HIST_F_ACQUIRE, 0);
    const hist_op *a2 = op_of(&r, "c2", HIST_F_ACQUIRE, 0);
    assert_int_equal(a1->result, HIST_OK);
    assert_int_equal(a2->result, HIST_OK);
    assert_int_equal(ms(a1->complete_ns), 4);                   /* GET 0-2, SET 2-4 */
    assert_int_equal(ms(a2->complete_ns), 4);
    assert_non_null(effect_of(&r, HIST_EFF_LOCK_SET, "c1", 0));
    assert_non_null(effect_of(&r, HIST_EFF_LOCK_SET, "c2", 0));
    assert_int_equal(verdict_of(&r, "lease-overlap"), CHECK_VIOLATION);
    assert_int_equal(verdict_of(&r, "lost-update"), CHECK_VIOLATION);
    run_free(&r);
}

static void set_nx_px_lets_only_one_of_two_simultaneous_clients_in(void **state) {
    (void)state;
    run r = run_text(BASE("  acquire: set-nx-px\n", "  hold: 5ms\n", ""));
    const hist_op *a1 = op_of(&r, "c1", HIST_F_ACQUIRE, 0);
    const hist_op *a2 = op_of(&r, "c2", HIST_F_ACQUIRE, 0);
    assert_int_equal(ms(a1->complete_ns), 2);
    assert_int_equal(ms(a2->complete_ns), 100 + 2);             /* next poll after c1's release */
    assert_int_equal(final_counter(&r), 2);
    assert_int_equal(verdict_of(&r, "lease-overlap"), CHECK_OK);
    assert_int_equal(verdict_of(&r, "mutual-exclusion"), CHECK_OK);
    run_free(&r);
}

static void acquire_gives_up_after_retry_max_retries(void **state) {
    (void)state;
    run r = run_text(BASE("  retry.max: 2\n", "  hold: {c1: 10s, c2: 0ms}\n  start: {c2: 1ms}\n", ""));
    const hist_op *a2 = op_of(&r, "c2", HIST_F_ACQUIRE, 0);
    assert_int_equal(a2->result, HIST_FAIL);
    assert_string_equal(a2->note, "gave up after 3 attempts");
    assert_int_equal(ms(a2->complete_ns), 201 + 2);             /* attempts at 1, 101, 201 */
    run_free(&r);
}

static void acquire_from_a_crashed_redis_times_out_with_an_unknown_outcome(void **state) {
    (void)state;
    run r = run_text(BASE("  retry.max: 0\n  timeout: 50ms\n", "  clients: [c1]\n",
                          "faults:\n  - {at: 0ms, crash: redis1}\n"));
    const hist_op *a1 = op_of(&r, "c1", HIST_F_ACQUIRE, 0);
    assert_int_equal(a1->result, HIST_INFO);
    assert_int_equal(ms(a1->complete_ns), 50);
    assert_string_equal(a1->note, "timeout: gave up after 1 attempts");
    run_free(&r);
}

static void lease_check_stops_the_write_of_a_client_that_slept_past_its_lease(void **state) {
    (void)state;
    run r = run_text(BASE("  lease_check: true\n",
                          "  start: {c1: 0ms, c2: 10500ms}\n  hold: 0ms\n",
                          "faults:\n  - {at: 4ms, pause: c1, for: 15s}\n"));
    assert_null(effect_of(&r, HIST_EFF_WRITE, "c1", 0));
    const hist_op *rel = op_of(&r, "c1", HIST_F_RELEASE, 0);
    assert_int_equal(ms(rel->invoke_ns), 15004);
    assert_int_equal(rel->result, HIST_FAIL);                    /* its key was long gone */
    assert_int_equal(final_counter(&r), 1);
    assert_int_equal(verdict_of(&r, "mutual-exclusion"), CHECK_OK);
    run_free(&r);
}

static void crashed_client_completes_its_pending_op_as_info_and_resumes_after_restart(void **state) {
    (void)state;
    run r = run_text(BASE("  ttl: 10s\n", "  clients: [c1]\n  iterations: 2\n",
                          "faults:\n  - {at: 3ms, crash: c1}\n  - {at: 100ms, restart: c1}\n"));
    const hist_op *rd = op_of(&r, "c1", HIST_F_READ, 0);
    assert_int_equal(rd->result, HIST_INFO);
    assert_string_equal(rd->note, "client crashed");
    const hist_op *again = op_of(&r, "c1", HIST_F_ACQUIRE, 1);   /* its old key: gone from 10.002 s */
    assert_int_equal(ms(again->invoke_ns), 100);
    assert_int_equal(again->result, HIST_OK);
    assert_int_equal(ms(again->complete_ns), 10102);             /* the poll at 10.1 s gets it */
    run_free(&r);
}

static void impossible_params_are_reported_at_their_line(void **state) {
    (void)state;
    char err[SIM_ERR_MAX];
    assert_int_equal(create_text(BASE("  retry.every: 0ms\n", "", ""), err, sizeof err), -1);
    assert_string_equal(err, "variant.yaml:6:16: error: retry.every: '0ms' is out of range "
                             "(expected a duration above 0)");
    assert_int_equal(create_text(BASE("  ttl: 0s\n", "", ""), err, sizeof err), -1);
    assert_string_equal(err, "variant.yaml:6:8: error: ttl: '0s' is out of range (expected a "
                             "duration above 0, or none)");
    assert_int_equal(create_text(BASE("  watchdog.timeout: 2ms\n", "", ""), err, sizeof err), -1);
    assert_string_equal(err, "variant.yaml:6:21: error: watchdog.timeout: '2ms' is out of range "
                             "(expected a duration of at least 3 ms)");
    assert_int_equal(create_text(BASE("  retry.every: 100ms\n  ttl: none\n  watchdog.timeout: 3ms\n",
                                      "", ""), err, sizeof err), 0);
}

/* ------------------------------------------------------------ determinism */

static void same_scenario_and_seed_give_the_same_history(void **state) {
    (void)state;
    run a = run_file(DIR "L3-release-without-ownership-check.yaml");
    run b = run_file(DIR "L3-release-without-ownership-check.yaml");
    assert_int_equal(a.h->op_count, b.h->op_count);
    assert_int_equal(a.h->effect_count, b.h->effect_count);
    assert_true(hist_same(a.h, b.h));
    run_free(&a);
    run_free(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lock_without_ttl_stays_held_after_its_holder_crashes),
        cmocka_unit_test(crash_between_setnx_and_expire_leaves_a_key_without_ttl),
        cmocka_unit_test(lock_with_ttl_comes_free_after_its_holder_crashes),
        cmocka_unit_test(gc_pause_past_the_ttl_lets_a_stale_write_clobber_the_next_holder),
        cmocka_unit_test(delayed_write_lands_after_the_writer_timed_out_and_released),
        cmocka_unit_test(plain_del_after_a_stall_deletes_the_next_holders_key),
        cmocka_unit_test(compare_and_delete_leaves_the_next_holders_key_alone),
        cmocka_unit_test(fenced_storage_rejects_token_33_after_34),
        cmocka_unit_test(fenced_storage_rejects_a_delayed_stale_write),
        cmocka_unit_test(watchdog_renews_every_ten_seconds_until_its_process_crashes),
        cmocka_unit_test(explicit_lease_time_expires_under_a_slow_holder),
        cmocka_unit_test(gc_pause_stops_the_watchdog_and_the_key_expires_under_its_holder),
        cmocka_unit_test(pause_shorter_than_the_remaining_ttl_is_harmless),
        cmocka_unit_test(fenced_watchdog_lock_rejects_the_resumed_holders_write),
        cmocka_unit_test(get_then_set_lets_two_simultaneous_clients_both_take_the_lock),
        cmocka_unit_test(set_nx_px_lets_only_one_of_two_simultaneous_clients_in),
        cmocka_unit_test(acquire_gives_up_after_retry_max_retries),
        cmocka_unit_test(acquire_from_a_crashed_redis_times_out_with_an_unknown_outcome),
        cmocka_unit_test(lease_check_stops_the_write_of_a_client_that_slept_past_its_lease),
        cmocka_unit_test(crashed_client_completes_its_pending_op_as_info_and_resumes_after_restart),
        cmocka_unit_test(impossible_params_are_reported_at_their_line),
        cmocka_unit_test(same_scenario_and_seed_give_the_same_history),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
