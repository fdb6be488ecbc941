/* test_eventstore.c -- event sourcing with CQRS (protocols/eventstore,
 * sim/workload/es_bank.c, the aggregate-invariant, stale-projection and
 * double-applied checks): two commands on one version with and without an
 * expected version, a lagging read model beside reading one's own write,
 * a projector's crash between its apply and its checkpoint, and the
 * store's and projector's crash and power loss, judged through the
 * history and the checks' verdicts and summaries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "protocols/eventstore/eventstore.h"
#include "sim/check/check.h"
#include "sim/sim.h"
#include "tests/test_run_support.h"

#define DIR "scenarios/events/"
#define E1 DIR "E1-no-expected-version-overdraws.yaml"
#define E1B DIR "E1b-expected-version-rejects-the-second.yaml"
#define E1C DIR "E1c-retry-after-a-conflict-succeeds.yaml"
#define E2 DIR "E2-lagging-projection-stale-view.yaml"
#define E2B DIR "E2b-wait-for-the-append-position.yaml"
#define E2C DIR "E2c-read-the-aggregate-from-the-store.yaml"
#define E2D DIR "E2d-projector-cut-off-stale-for-seconds.yaml"
#define E3 DIR "E3-projector-crash-applies-twice.yaml"
#define E3B DIR "E3b-checkpoint-in-the-same-transaction.yaml"
#define E3C DIR "E3c-power-loss-keeps-the-atomic-checkpoint.yaml"

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

/* The n-th (0-based) op of function f, or NULL. */
static const hist_op *nth_op(const run *r, hist_f f, uint32_t n) {
    for (uint32_t i = 0; i < r->h->op_count; i++)
        if (r->h->ops[i].f == f && n-- == 0) return &r->h->ops[i];
    return NULL;
}

/* The balances the ok views showed, in order; returns how many. */
static uint32_t views(const run *r, int64_t *out, uint32_t max) {
    uint32_t n = 0;
    for (uint32_t i = 0; i < r->h->op_count && n < max; i++) {
        const hist_op *o = &r->h->ops[i];
        if (o->f == ES_F_VIEW && o->result == HIST_OK) out[n++] = o->value_out;
    }
    return n;
}

static void two_appends_without_an_expected_version_are_both_accepted_and_overdraw(void **state) {
    (void)state;
    run r = run_file(E1);
    const hist_op *a = nth_op(&r, ES_F_WITHDRAW, 0), *b = nth_op(&r, ES_F_WITHDRAW, 1);
    assert_int_equal(a->result, HIST_OK);
    assert_int_equal(b->result, HIST_OK);
    assert_int_equal(hist_effect_version(r.h, nth(&r, ES_EFF_APPEND, 1)), 2);
    assert_int_equal(hist_effect_version(r.h, nth(&r, ES_EFF_APPEND, 2)), 3);
    assert_int_equal(nth(&r, ES_EFF_APPEND, 2)->pred, 0);
    assert_int_equal(count(&r, ES_EFF_WRONG_VERSION), 0);
    check_result res = run_judge(&r, "aggregate-invariant");
    assert_int_equal(res.verdict, CHECK_VIOLATION);
    assert_string_equal(res.summary, "account1 went to -60: 1 append left a balance below 0, the first c2's -80 "
                                     "to account1 as version 3 with no expected version");
    assert_non_null(strstr(res.story, "c2 loaded account1 at 1.001 s by replaying it: version 1, balance 100"));
    check_result_free(&res);
    run_free(&r);
}

static void an_expected_version_refuses_the_second_append_and_the_reload_refuses_the_command(void **state) {
    (void)state;
    run r = run_file(E1B);
    const hist_effect *w = nth(&r, ES_EFF_WRONG_VERSION, 0);
    assert_non_null(w);
    assert_int_equal(w->pred, 2);        /* expected version 1 */
    assert_int_equal(hist_effect_version(r.h, w), 2);
    assert_int_equal(count(&r, HIST_EFF_RETRY), 1);
    uint32_t ok = 0, refused = 0;
    for (uint32_t i = 0; i < r.h->op_count; i++) {
        const hist_op *o = &r.h->ops[i];
        if (o->f != ES_F_WITHDRAW) continue;
        ok += o->result == HIST_OK;
        if (o->result == HIST_FAIL && strcmp(o->note, "insufficient funds: 20 < 80") == 0) refused++;
    }
    assert_int_equal(ok, 1);
    assert_int_equal(refused, 1);
    assert_int_equal(run_verdict(&r, "aggregate-invariant"), CHECK_OK);
    run_free(&r);
}

static void a_command_retried_after_a_conflict_appends_on_the_new_version(void **state) {
    (void)state;
    run r = run_file(E1C);
    assert_int_equal(nth_op(&r, ES_F_WITHDRAW, 0)->result, HIST_OK);
    assert_int_equal(nth_op(&r, ES_F_WITHDRAW, 1)->result, HIST_OK);
    const hist_effect *last = nth(&r, ES_EFF_APPEND, 2);
    assert_int_equal(hist_effect_version(r.h, last), 3);
    assert_int_equal(last->pred, 3);     /* expected version 2, after the reload */
    check_result res = run_judge(&r, "aggregate-invariant");
    assert_int_equal(res.verdict, CHECK_OK);
    assert_string_equal(res.summary, "2 appends, no balance below 0 (lowest 40 on account1); 1 refused for a wrong "
                                     "expected version");
    check_result_free(&res);
    run_free(&r);
}

static void without_retries_a_conflict_fails_the_command_naming_the_versions(void **state) {
    (void)state;
    run r = run_file_set(E1C, "workload.retries=0");
    assert_int_equal(count(&r, HIST_EFF_RETRY), 0);
    const hist_op *b = NULL;
    for (uint32_t i = 0; i < r.h->op_count; i++)
        if (r.h->ops[i].f == ES_F_WITHDRAW && r.h->ops[i].result == HIST_FAIL) b = &r.h->ops[i];
    assert_non_null(b);
    assert_string_equal(b->note, "wrong expected version: v2, not v1");
    assert_int_equal(run_verdict(&r, "aggregate-invariant"), CHECK_OK);
    run_free(&r);
}

static void a_lagging_read_model_shows_the_balance_without_the_users_own_withdrawal(void **state) {
    (void)state;
    run r = run_file(E2);
    int64_t v[8];
    assert_int_equal(views(&r, v, 8), 3);
    for (int i = 0; i < 3; i++) assert_int_equal(v[i], 100);
    assert_int_equal(nth_op(&r, ES_F_WITHDRAW, 2)->value_out, 10);
    check_result res = run_judge(&r, "stale-projection");
    assert_int_equal(res.verdict, CHECK_VIOLATION);
    assert_string_equal(res.summary, "3 of 3 views stale (3 missed the user's own withdrawal); c1 showed account1 "
                                     "at version 1 of 2, the read model 4.001 s behind the store");
    assert_int_equal(res.evidence_count, 3);
    check_result_free(&res);
    run_free(&r);
}

static void waiting_for_the_append_position_shows_the_own_withdrawal_after_the_lag(void **state) {
    (void)state;
    run r = run_file(E2B);
    int64_t v[8];
    assert_int_equal(views(&r, v, 8), 3);
    assert_int_equal(v[0], 70);
    assert_int_equal(v[1], 40);
    assert_int_equal(v[2], 10);
    const hist_op *first = nth_op(&r, ES_F_VIEW, 0);
    assert_int_equal(first->complete_ns - first->invoke_ns, 4001 * SIM_MS);
    assert_int_equal(run_verdict(&r, "stale-projection"), CHECK_OK);
    run_free(&r);
}

static void a_wait_shorter_than_the_lag_fails_the_view_rather_than_show_a_stale_one(void **state) {
    (void)state;
    run r = run_file_set(E2B, "workload.timeout=1s");
    int64_t v[8];
    assert_int_equal(views(&r, v, 8), 0);
    const hist_op *first = nth_op(&r, ES_F_VIEW, 0);
    assert_int_equal(first->result, HIST_FAIL);
    assert_string_equal(first->note, "projection did not answer");
    assert_int_equal(run_verdict(&r, "stale-projection"), CHECK_OK);
    run_free(&r);
}

static void reading_the_aggregate_from_the_store_shows_every_own_withdrawal(void **state) {
    (void)state;
    run r = run_file(E2C);
    int64_t v[8];
    assert_int_equal(views(&r, v, 8), 3);
    assert_int_equal(v[0], 70);
    assert_int_equal(v[2], 10);
    assert_int_equal(run_verdict(&r, "stale-projection"), CHECK_OK);
    run_free(&r);
}

static void a_projector_cut_off_from_the_store_keeps_serving_an_old_balance_for_seconds(void **state) {
    (void)state;
    run r = run_file(E2D);
    int64_t v[8];
    assert_int_equal(views(&r, v, 8), 3);
    assert_int_equal(v[0], 100);
    assert_int_equal(v[1], 70);
    assert_int_equal(v[2], 70);
    check_result res = run_judge(&r, "stale-projection");
    assert_int_equal(res.verdict, CHECK_VIOLATION);
    assert_non_null(strstr(res.summary, "the read model 8.323 s behind the store"));
    assert_non_null(strstr(res.story, "the links from projector1 to store1 were cut in both directions at 1.500 s"));
    check_result_free(&res);
    run_free(&r);
    run w = run_file_set(E2D, "params.view=wait-for-position");
    assert_int_equal(views(&w, v, 8), 3);
    assert_int_equal(v[1], 40);
    assert_int_equal(run_verdict(&w, "stale-projection"), CHECK_OK);
    run_free(&w);
}

static void a_projector_crash_before_its_checkpoint_applies_an_event_twice(void **state) {
    (void)state;
    run r = run_file(E3);
    uint32_t twice = 0;
    for (uint32_t i = 0; i < r.h->effect_count; i++)
        twice += r.h->effects[i].kind == ES_EFF_PROJECT && r.h->effects[i].aux == 2;
    assert_int_equal(twice, 2);
    assert_int_equal(nth(&r, ES_EFF_RESUME, 0)->value, 1);
    int64_t v[8];
    assert_int_equal(views(&r, v, 8), 2);
    assert_int_equal(v[0], 70);
    assert_int_equal(v[1], 10);          /* the store says 40 */
    check_result res = run_judge(&r, "double-applied");
    assert_int_equal(res.verdict, CHECK_VIOLATION);
    assert_string_equal(res.summary, "1 of 3 events applied twice after a restart: the read model's account1 is "
                                     "off by -30");
    assert_non_null(strstr(res.story, "where the store's balance at version 3 is 40"));
    check_result_free(&res);
    run_free(&r);
}

static void an_atomic_checkpoint_applies_nothing_twice_after_a_crash_or_a_power_loss(void **state) {
    (void)state;
    const char *files[] = { E3B, E3C };
    for (size_t i = 0; i < 2; i++) {
        run r = run_file(files[i]);
        assert_int_equal(nth(&r, ES_EFF_RESUME, 0)->value, 2);
        int64_t v[8];
        assert_int_equal(views(&r, v, 8), 2);
        assert_int_equal(v[0], 70);
        assert_int_equal(v[1], 40);
        assert_int_equal(run_verdict(&r, "double-applied"), CHECK_OK);
        run_free(&r);
    }
}

static void a_power_loss_between_apply_and_checkpoint_replays_as_a_crash_does(void **state) {
    (void)state;
    run r = run_file_set(E3C, "params.checkpoint=separate");
    assert_int_equal(nth(&r, ES_EFF_RESUME, 0)->value, 1);
    assert_int_equal(run_verdict(&r, "double-applied"), CHECK_VIOLATION);
    run_free(&r);
}

#define ES_TEXT(params, extra) "name: t\nprotocol: event-sourcing\nduration: 10s\n" \
    "params: {expected-version: exact, view: aggregate" params "}\n" \
    "nodes: {store: 1, projector: 1, client: [c1]}\n" \
    "workload:\n  kind: es-bank\n  start: {c1: 1s}\n  commands: 2\n  amount: 30\n  every: 2s\n" extra

static void the_store_keeps_every_acknowledged_append_through_a_crash_and_a_power_loss(void **state) {
    (void)state;
    const char *texts[] = {
        ES_TEXT("", "faults:\n  - {at: 1500ms, crash: store1, for: 1s}\n"),
        ES_TEXT("", "faults:\n  - {at: 1500ms, power-loss: store1, for: 1s}\n"),
    };
    for (size_t i = 0; i < 2; i++) {
        run r = run_text(texts[i]);
        const hist_op *second = nth_op(&r, ES_F_WITHDRAW, 1);
        assert_int_equal(second->result, HIST_OK);
        assert_int_equal(second->value_out, 40);     /* the reload saw the first withdrawal */
        assert_int_equal(hist_effect_version(r.h, nth(&r, ES_EFF_APPEND, 2)), 3);
        run_free(&r);
    }
}

static void bad_parameters_and_client_lists_are_input_errors_at_their_line(void **state) {
    (void)state;
    char err[SIM_ERR_MAX];
    assert_int_equal(create_text(ES_TEXT(", checkpoint: sometimes", ""), err, sizeof err), -1);
    assert_non_null(strstr(err, "variant.yaml:4:"));
    assert_non_null(strstr(err, "error: "));
    assert_int_equal(create_text(ES_TEXT(", accounts: 5", ""), err, sizeof err), -1);
    assert_non_null(strstr(err, "variant.yaml:4:"));
    assert_int_equal(create_text(ES_TEXT("", "  clients: [c1, store1]\n"), err, sizeof err), -1);
    assert_non_null(strstr(err, "error: node 'store1' is a store node (expected client nodes)"));
    assert_int_equal(create_text(ES_TEXT(", accounts: 4", ""), err, sizeof err), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(two_appends_without_an_expected_version_are_both_accepted_and_overdraw),
        cmocka_unit_test(an_expected_version_refuses_the_second_append_and_the_reload_refuses_the_command),
        cmocka_unit_test(a_command_retried_after_a_conflict_appends_on_the_new_version),
        cmocka_unit_test(without_retries_a_conflict_fails_the_command_naming_the_versions),
        cmocka_unit_test(a_lagging_read_model_shows_the_balance_without_the_users_own_withdrawal),
        cmocka_unit_test(waiting_for_the_append_position_shows_the_own_withdrawal_after_the_lag),
        cmocka_unit_test(a_wait_shorter_than_the_lag_fails_the_view_rather_than_show_a_stale_one),
        cmocka_unit_test(reading_the_aggregate_from_the_store_shows_every_own_withdrawal),
        cmocka_unit_test(a_projector_cut_off_from_the_store_keeps_serving_an_old_balance_for_seconds),
        cmocka_unit_test(a_projector_crash_before_its_checkpoint_applies_an_event_twice),
        cmocka_unit_test(an_atomic_checkpoint_applies_nothing_twice_after_a_crash_or_a_power_loss),
        cmocka_unit_test(a_power_loss_between_apply_and_checkpoint_replays_as_a_crash_does),
        cmocka_unit_test(the_store_keeps_every_acknowledged_append_through_a_crash_and_a_power_loss),
        cmocka_unit_test(bad_parameters_and_client_lists_are_input_errors_at_their_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
