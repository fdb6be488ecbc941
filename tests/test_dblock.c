/* test_dblock.c -- the db-lock-table protocol (protocols/dblock): a holder
 * that crashes with no expiry, the staleness take-over and the pause it
 * brings back, fencing by the row's version and by a conditional UPDATE,
 * the release that deletes a successor's row, and the durability of the
 * row across a crash and a power loss of the db, judged through the
 * history and the lock checks' verdicts and summaries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "protocols/dblock/dblock.h"
#include "protocols/lock/lock_api.h"
#include "sim/check/check.h"
#include "sim/sim.h"
#include "tests/test_run_support.h"

#define DIR "scenarios/dblock/"

static int32_t node(const run *r, const char *name) {
    int32_t n = scn_node_find(r->s, name);
    assert_true(n >= 0);
    return n;
}

/* The n-th (0-based) effect of a kind, or NULL. */
static const hist_effect *nth(const run *r, hist_eff_kind k, uint32_t n) {
    for (uint32_t i = 0; i < r->h->effect_count; i++)
        if (r->h->effects[i].kind == k && n-- == 0) return &r->h->effects[i];
    return NULL;
}

static uint32_t count(const run *r, hist_eff_kind k) {
    uint32_t n = 0;
    for (uint32_t i = 0; i < r->h->effect_count; i++) n += r->h->effects[i].kind == k;
    return n;
}

/* The first op of kind f by a node, or NULL. */
static const hist_op *op_of(const run *r, hist_f f, const char *who) {
    int32_t n = node(r, who);
    for (uint32_t i = 0; i < r->h->op_count; i++)
        if (r->h->ops[i].f == f && r->h->ops[i].node == n) return &r->h->ops[i];
    return NULL;
}

/* The counter's last applied value (a WRITE effect), or the initial value. */
static int64_t final_counter(const run *r) {
    int64_t v = r->h->initial_value;
    for (uint32_t i = 0; i < r->h->effect_count; i++)
        if (r->h->effects[i].kind == HIST_EFF_WRITE) v = r->h->effects[i].value;
    return v;
}

static void a_holder_that_crashes_with_no_expiry_blocks_the_waiter_to_the_horizon(void **state) {
    (void)state;
    run r = run_file(DIR "DL1-no-expiry-holder-crash.yaml");
    assert_int_equal(count(&r, HIST_EFF_LOCK_SET), 1);
    assert_int_equal(count(&r, HIST_EFF_LOCK_DEL), 0);
    const hist_op *want = op_of(&r, HIST_F_ACQUIRE, "c2");
    assert_non_null(want);
    assert_int_equal(want->result, HIST_PENDING);
    check_result res = run_judge(&r, "liveness");
    assert_int_equal(res.verdict, CHECK_VIOLATION);
    assert_non_null(strstr(res.summary, "c2's acquire pending at the horizon 600 s for 599.900 s"));
    check_result_free(&res);
    assert_int_equal(run_verdict(&r, "mutual-exclusion"), CHECK_OK);
    run_free(&r);
}

static void a_staleness_timeout_lets_a_waiter_take_the_row_over_after_it(void **state) {
    (void)state;
    run r = run_file(DIR "DL1b-staleness-timeout-frees-a-crashed-holder.yaml");
    const hist_effect *first = nth(&r, HIST_EFF_LOCK_SET, 0), *over = nth(&r, HIST_EFF_LOCK_SET, 1);
    assert_non_null(over);
    assert_int_equal(first->client, node(&r, "c1"));
    assert_int_equal(over->client, node(&r, "c2"));
    assert_int_equal(hist_effect_token(r.h, over), 2);                       /* the next version */
    assert_int_equal(over->t_ns, 10101 * SIM_MS);           /* the first poll past 10 s of age */
    const hist_op *got = op_of(&r, HIST_F_ACQUIRE, "c2");
    assert_int_equal(got->result, HIST_OK);
    assert_int_equal(got->complete_ns - got->invoke_ns, 10004 * SIM_MS);
    assert_int_equal(run_verdict(&r, "liveness"), CHECK_OK);
    run_free(&r);
}

static void a_holder_paused_past_the_staleness_timeout_overwrites_the_next_increment(void **state) {
    (void)state;
    run r = run_file(DIR "DL2-staleness-timeout-gc-pause.yaml");
    assert_int_equal(count(&r, HIST_EFF_WRITE), 2);
    assert_int_equal(final_counter(&r), 1);
    check_result res = run_judge(&r, "lost-update");
    assert_int_equal(res.verdict, CHECK_VIOLATION);
    assert_non_null(strstr(res.summary, "final counter 1, expected 2"));
    check_result_free(&res);
    assert_int_equal(run_verdict(&r, "mutual-exclusion"), CHECK_VIOLATION);
    const hist_op *rel = op_of(&r, HIST_F_RELEASE, "c1");  /* its DELETE finds no row of its own */
    assert_int_equal(rel->result, HIST_FAIL);
    run_free(&r);
}

static void the_rows_version_as_fencing_token_rejects_the_paused_holders_write(void **state) {
    (void)state;
    run r = run_file(DIR "DL2b-staleness-timeout-fencing-token.yaml");
    const hist_effect *rej = nth(&r, HIST_EFF_REJECT, 0);
    assert_non_null(rej);
    assert_int_equal(rej->client, node(&r, "c1"));
    assert_int_equal(hist_effect_token(r.h, rej), 1);
    assert_int_equal(count(&r, HIST_EFF_WRITE), 1);
    assert_int_equal(hist_effect_token(r.h, nth(&r, HIST_EFF_WRITE, 0)), 2);
    assert_int_equal(run_verdict(&r, "lost-update"), CHECK_OK);
    assert_int_equal(run_verdict(&r, "mutual-exclusion"), CHECK_OK);
    assert_int_equal(run_verdict(&r, "lease-overlap"), CHECK_VIOLATION);   /* beliefs still overlap */
    run_free(&r);
}

static void a_conditional_update_in_the_same_db_refuses_the_write_of_a_lost_row(void **state) {
    (void)state;
    run r = run_file(DIR "DL2c-conditional-update-in-the-same-db.yaml");
    const hist_effect *rej = nth(&r, HIST_EFF_REJECT, 0);
    assert_non_null(rej);
    assert_int_equal(rej->node, node(&r, "db"));           /* refused by the db itself */
    assert_int_equal(rej->client, node(&r, "c1"));
    assert_int_equal(final_counter(&r), 1);
    assert_int_equal(run_verdict(&r, "lost-update"), CHECK_OK);
    run_free(&r);
}

/* DL2c's write is refused because the row is gone; with a row of another
 * version (C2 still holds it), the conditional UPDATE refuses too. */
static void a_conditional_update_refuses_while_a_successor_holds_the_row(void **state) {
    (void)state;
    char err[1024];
    scn *s = calloc(1, sizeof *s);
    assert_non_null(s);
    const char *sets[1] = { "workload.hold={c1: 0ms, c2: 10s}" };
    if (scn_load_with_overrides(DIR "DL2c-conditional-update-in-the-same-db.yaml", sets, 1, s, err,
                                sizeof err) != 0)
        fail_msg("%s", err);
    run r = run_loaded(s);
    const hist_effect *rej = nth(&r, HIST_EFF_REJECT, 0);
    assert_non_null(rej);
    assert_int_equal(rej->client, node(&r, "c1"));
    assert_true(rej->t_ns < 20 * SIM_S);                   /* before C2's own write at 20.5 s */
    assert_int_equal(run_verdict(&r, "lost-update"), CHECK_OK);
    run_free(&r);
}

static void a_token_checked_against_the_highest_seen_lets_an_early_stale_write_land(void **state) {
    (void)state;
    run tok = run_file(DIR "DL2d-fencing-token-successor-still-holding.yaml");
    assert_int_equal(count(&tok, HIST_EFF_REJECT), 0);
    assert_int_equal(hist_effect_token(tok.h, nth(&tok, HIST_EFF_WRITE, 0)), 1);   /* C1's, accepted first */
    assert_int_equal(final_counter(&tok), 1);
    assert_int_equal(run_verdict(&tok, "lost-update"), CHECK_VIOLATION);
    run cond = run_file(DIR "DL2e-conditional-update-successor-still-holding.yaml");
    assert_int_equal(hist_effect_token(cond.h, nth(&cond, HIST_EFF_REJECT, 0)), 1);
    assert_int_equal(count(&cond, HIST_EFF_WRITE), 1);
    assert_int_equal(run_verdict(&cond, "lost-update"), CHECK_OK);
    run_free(&tok);
    run_free(&cond);
}

static void a_release_by_name_deletes_the_successors_row_and_one_by_owner_does_not(void **state) {
    (void)state;
    run bad = run_file(DIR "DL3-release-by-name-deletes-the-successors-row.yaml");
    const hist_effect *del = nth(&bad, HIST_EFF_LOCK_DEL, 0);
    assert_int_equal(del->client, node(&bad, "c1"));
    assert_int_equal(hist_effect_token(bad.h, del), 2);                        /* C2's version */
    assert_int_equal(run_verdict(&bad, "mutual-exclusion"), CHECK_VIOLATION);
    assert_int_equal(final_counter(&bad), 1);
    run good = run_file(DIR "DL3b-release-where-owner-is-me.yaml");
    for (uint32_t i = 0; i < good.h->effect_count; i++) {
        const hist_effect *x = &good.h->effects[i];
        if (x->kind == HIST_EFF_LOCK_DEL) assert_int_not_equal(x->client, node(&good, "c1"));
    }
    assert_int_equal(op_of(&good, HIST_F_RELEASE, "c1")->result, HIST_FAIL);
    assert_int_equal(final_counter(&good), 2);
    assert_int_equal(run_verdict(&good, "mutual-exclusion"), CHECK_OK);
    run_free(&bad);
    run_free(&good);
}

#define DL4_TEXT(FAULT)                                                                         \
    "name: dl4-variant\nseed: 1\nduration: 30s\nprotocol: db-lock-table\n"                      \
    "nodes:\n  db: [db]\n  client: [c1, c2]\n  storage: 1\nnetwork:\n  latency: 1ms\n"          \
    "workload:\n  kind: lock-counter\n  iterations: 1\n  start: {c1: 0ms, c2: 100ms}\n"          \
    "  hold: {c1: 3s, c2: 0ms}\nfaults:\n  - {at: 50ms, " FAULT ": db}\n"                     \
    "  - {at: 1s, restart: db}\n"

/* C2's grant, and C1's release before it: the row held through the outage. */
static void expect_row_survived(const run *r) {
    const hist_effect *del = nth(r, HIST_EFF_LOCK_DEL, 0), *next = nth(r, HIST_EFF_LOCK_SET, 1);
    assert_non_null(del);
    assert_non_null(next);
    assert_int_equal(del->client, node(r, "c1"));
    assert_true(next->t_ns > del->t_ns);
    assert_int_equal(next->client, node(r, "c2"));
    assert_int_equal(hist_effect_token(r->h, next), 2);                       /* the sequence survived too */
    assert_int_equal(final_counter(r), 2);
    assert_int_equal(run_verdict(r, "mutual-exclusion"), CHECK_OK);
}

static void a_committed_row_survives_a_power_loss_and_a_crash_of_the_db_alike(void **state) {
    (void)state;
    run lib = run_file(DIR "DL4-db-power-loss-keeps-the-row.yaml");
    expect_row_survived(&lib);
    run power = run_text(DL4_TEXT("power-loss"));
    run crash = run_text(DL4_TEXT("crash"));
    expect_row_survived(&power);
    expect_row_survived(&crash);
    assert_int_equal(nth(&power, HIST_EFF_LOCK_SET, 1)->t_ns, nth(&crash, HIST_EFF_LOCK_SET, 1)->t_ns);
    run_free(&lib);
    run_free(&power);
    run_free(&crash);
}

static void a_staleness_timeout_below_a_millisecond_is_an_input_error_at_its_line(void **state) {
    (void)state;
    char err[SIM_ERR_MAX];
    const char *yaml = "name: x\nseed: 1\nduration: 1s\nprotocol: db-lock-table\nparams:\n"
                       "  stale_after: 0ms\nnodes:\n  db: 1\n  client: [c1]\n"
                       "workload:\n  kind: lock-counter\n";
    assert_int_equal(create_text(yaml, err, sizeof err), -1);
    assert_non_null(strstr(err, "variant.yaml:6:16: error: "));
    assert_non_null(strstr(err, "stale_after"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_holder_that_crashes_with_no_expiry_blocks_the_waiter_to_the_horizon),
        cmocka_unit_test(a_staleness_timeout_lets_a_waiter_take_the_row_over_after_it),
        cmocka_unit_test(a_holder_paused_past_the_staleness_timeout_overwrites_the_next_increment),
        cmocka_unit_test(the_rows_version_as_fencing_token_rejects_the_paused_holders_write),
        cmocka_unit_test(a_conditional_update_in_the_same_db_refuses_the_write_of_a_lost_row),
        cmocka_unit_test(a_conditional_update_refuses_while_a_successor_holds_the_row),
        cmocka_unit_test(a_token_checked_against_the_highest_seen_lets_an_early_stale_write_land),
        cmocka_unit_test(a_release_by_name_deletes_the_successors_row_and_one_by_owner_does_not),
        cmocka_unit_test(a_committed_row_survives_a_power_loss_and_a_crash_of_the_db_alike),
        cmocka_unit_test(a_staleness_timeout_below_a_millisecond_is_an_input_error_at_its_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
