/* test_shard.c -- sharded-kv (protocols/shard, sim/workload/shard_*.c, the
 * read-your-writes and monotonic-reads checks, and conservation on it): a
 * transfer across shards left half done by a crash or a power loss beside
 * the outbox and a customer shard key; reads from lagging replicas beside
 * primary reads, position tokens and sticky replicas; replicas and the
 * relay after a power loss.  Judged through the history and the checks'
 * verdicts and summaries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "protocols/shard/shard.h"
#include "sim/check/check.h"
#include "sim/sim.h"
#include "tests/test_run_support.h"

#define DIR "scenarios/shard/"
#define SH1 DIR "SH1-two-writes-client-crash-loses-money.yaml"
#define SH1B DIR "SH1b-outbox-relays-the-credit.yaml"
#define SH1C DIR "SH1c-shard-by-customer-one-local-transaction.yaml"
#define SH1D DIR "SH1d-two-writes-payer-shard-power-loss.yaml"
#define SH1E DIR "SH1e-outbox-survives-payer-shard-power-loss.yaml"
#define SH2 DIR "SH2-read-your-writes-from-a-lagging-replica.yaml"
#define SH3 DIR "SH3-monotonic-reads-two-replicas-go-back-in-time.yaml"

/* The n-th (0-based) effect of a kind on a node (NULL = any node), or NULL. */
static const hist_effect *nth_at(const run *r, hist_eff_kind k, const char *node, uint32_t n) {
    for (uint32_t i = 0; i < r->h->effect_count; i++) {
        const hist_effect *x = &r->h->effects[i];
        if (x->kind != k || (node && strcmp(r->s->nodes[x->node].name, node) != 0)) continue;
        if (n-- == 0) return x;
    }
    return NULL;
}

static uint32_t count(const run *r, hist_eff_kind k) {
    uint32_t n = 0;
    for (uint32_t i = 0; i < r->h->effect_count; i++) n += r->h->effects[i].kind == k;
    return n;
}

/* The version each ok READ returned, in op order, into out; how many. */
static uint32_t read_versions(const run *r, int64_t *out, uint32_t max) {
    uint32_t n = 0;
    for (uint32_t i = 0; i < r->h->op_count && n < max; i++) {
        const hist_op *op = &r->h->ops[i];
        if (op->f == SH_F_READ && op->result == HIST_OK) out[n++] = op->value_out;
    }
    return n;
}

static void a_client_crash_between_debit_and_credit_loses_the_amount(void **state) {
    (void)state;
    run r = run_file(SH1);
    const hist_effect *debit = nth_at(&r, HIST_EFF_BALANCE, "shard1", 0);
    assert_non_null(debit);
    assert_string_equal(debit->key, "acct1");
    assert_int_equal(debit->value, 70);
    assert_int_equal(debit->t_ns, 1001 * SIM_MS);
    assert_null(nth_at(&r, HIST_EFF_BALANCE, "shard0", 0));          /* acct2 never credited */
    check_result res = run_judge(&r, "conservation");
    assert_int_equal(res.verdict, CHECK_VIOLATION);
    assert_non_null(strstr(res.summary, "total 370 over 4 accounts, expected 400"));
    assert_non_null(strstr(res.summary, "30 less than the acknowledged operations explain"));
    check_result_free(&res);
    run_free(&r);
}

static void the_outbox_credits_the_payee_though_the_client_crashed(void **state) {
    (void)state;
    run r = run_file(SH1B);
    const hist_effect *row = nth_at(&r, SH_EFF_INTENT, "shard1", 0);
    const hist_effect *credit = nth_at(&r, HIST_EFF_BALANCE, "shard0", 0);
    assert_non_null(row);
    assert_non_null(credit);
    assert_int_equal(row->t_ns, 1001 * SIM_MS);                      /* with the debit, in one step */
    assert_string_equal(credit->key, "acct2");
    assert_int_equal(credit->value, 130);
    assert_int_equal(credit->t_ns, 1002 * SIM_MS);
    assert_non_null(nth_at(&r, SH_EFF_RELAYED, "shard1", 0));
    assert_int_equal(run_verdict(&r, "conservation"), CHECK_OK);
    run_free(&r);
}

static void sharding_by_customer_commits_debit_and_credit_together_on_one_shard(void **state) {
    (void)state;
    run r = run_file(SH1C);
    const hist_effect *a = nth_at(&r, HIST_EFF_BALANCE, "shard1", 0), *b = nth_at(&r, HIST_EFF_BALANCE, "shard1", 1);
    assert_non_null(a);
    assert_non_null(b);
    assert_string_equal(a->key, "acct1");
    assert_string_equal(b->key, "acct2");
    assert_int_equal(a->t_ns, b->t_ns);
    assert_null(nth_at(&r, HIST_EFF_BALANCE, "shard0", 0));
    assert_int_equal(count(&r, SH_EFF_INTENT), 0);
    assert_int_equal(run_verdict(&r, "conservation"), CHECK_OK);
    run_free(&r);
}

static void a_payer_power_loss_after_the_debit_loses_money_with_two_writes_and_not_with_the_outbox(void **state) {
    (void)state;
    run d = run_file(SH1D), e = run_file(SH1E);
    assert_int_equal(run_verdict(&d, "conservation"), CHECK_VIOLATION);
    assert_int_equal(d.h->ops[0].result, HIST_INFO);                 /* the client could not tell */
    const hist_effect *credit = nth_at(&e, HIST_EFF_BALANCE, "shard0", 0);
    assert_non_null(credit);
    assert_int_equal(credit->t_ns, 3001 * SIM_MS);                   /* relayed after the restart */
    assert_int_equal(run_verdict(&e, "conservation"), CHECK_OK);
    run_free(&d);
    run_free(&e);
}

static const char payee_power_loss[] =
    "name: payee-power-loss\n"
    "duration: 10s\n"
    "protocol: sharded-kv\n"
    "params: {transfer: outbox, relay-every: 1s}\n"
    "nodes: {primary: [shard0, shard1], client: [c1]}\n"
    "network: {latency: 1ms}\n"
    "workload: {kind: shard-transfer, start: 1s, from: 1, to: 2, amount: 30}\n"
    "faults:\n"
    "  - {at: 1002500us, power-loss: shard0, for: 500ms}\n"
    "checks: [conservation]\n";

static void a_credit_relayed_again_after_its_ack_was_lost_is_applied_once(void **state) {
    (void)state;
    run r = run_text(payee_power_loss);
    assert_int_equal(count(&r, HIST_EFF_BALANCE), 2);                /* the debit and one credit */
    const hist_effect *dup = nth_at(&r, SH_EFF_CREDIT_DUP, "shard0", 0);
    assert_non_null(dup);
    assert_int_equal(dup->t_ns, 2002 * SIM_MS);                      /* the relay's retry */
    assert_non_null(nth_at(&r, SH_EFF_RELAYED, "shard1", 0));
    assert_int_equal(run_verdict(&r, "conservation"), CHECK_OK);
    run_free(&r);
}

static void a_read_from_a_lagging_replica_misses_the_sessions_own_deposit(void **state) {
    (void)state;
    run r = run_file(SH2);
    int64_t v[8];
    assert_int_equal(read_versions(&r, v, 8), 4);
    assert_int_equal(v[0], 1);
    assert_int_equal(v[2], 1);
    assert_int_equal(v[3], 2);
    assert_int_equal(nth_at(&r, SH_EFF_APPLY, "shard1r", 0)->t_ns, 3002 * SIM_MS);
    check_result res = run_judge(&r, "read-your-writes");
    assert_int_equal(res.verdict, CHECK_VIOLATION);
    assert_string_equal(res.summary, "3 of 4 reads after the session's own deposit missed it; worst: c1 read "
                                     "acct1 v1 (from shard1r: balance 100), 1.507 s after its own v2 committed");
    assert_non_null(strstr(res.story, "shard1r applied version 2 only at 3.002 s"));
    check_result_free(&res);
    run_free(&r);
}

static void reading_from_the_primary_or_at_the_sessions_position_sees_the_deposit(void **state) {
    (void)state;
    run p = run_file_set(SH2, "params.read-from=primary"), q = run_file_set(SH2, "params.read-from=position");
    assert_int_equal(run_verdict(&p, "read-your-writes"), CHECK_OK);
    assert_int_equal(count(&p, SH_EFF_WAIT), 0);
    check_result res = run_judge(&q, "read-your-writes");
    assert_int_equal(res.verdict, CHECK_OK);
    assert_non_null(strstr(res.summary, "a replica held a read up to 1.499 s"));
    check_result_free(&res);
    const hist_effect *wait = nth_at(&q, SH_EFF_WAIT, "shard1r", 0);
    assert_non_null(wait);
    assert_int_equal(wait->value, 1);                                /* the deposit's log position */
    assert_int_equal(nth_at(&q, SH_EFF_SERVE, "shard1r", 0)->t_ns, 3002 * SIM_MS);
    run_free(&p);
    run_free(&q);
}

static void reads_over_two_replicas_go_back_in_time_and_sticky_or_position_reads_do_not(void **state) {
    (void)state;
    run r = run_file(SH3);
    int64_t v[8];
    assert_int_equal(read_versions(&r, v, 8), 8);
    assert_int_equal(v[0], 2);
    assert_int_equal(v[1], 1);
    check_result res = run_judge(&r, "monotonic-reads");
    assert_int_equal(res.verdict, CHECK_VIOLATION);
    assert_non_null(strstr(res.summary, "2 of 8 reads went back in time"));
    check_result_free(&res);
    run_free(&r);
    const char *fixes[] = { "params.read-from=sticky", "params.read-from=position", "params.read-from=primary" };
    for (size_t i = 0; i < 3; i++) {
        run f = run_file_set(SH3, fixes[i]);
        assert_int_equal(run_verdict(&f, "monotonic-reads"), CHECK_OK);
        run_free(&f);
    }
}

static void sticky_reads_stay_monotonic_but_stale(void **state) {
    (void)state;
    run r = run_file_set(SH3, "params.read-from=sticky");
    int64_t v[8];
    assert_int_equal(read_versions(&r, v, 8), 8);
    assert_int_equal(v[4], 1);                                       /* 2.5 s after v2 committed */
    assert_int_equal(v[5], 2);
    assert_null(nth_at(&r, SH_EFF_SERVE, "shard1r", 0));             /* always the same replica */
    run_free(&r);
}

static void a_replica_that_lost_power_fetches_the_entries_it_lost_on_restart(void **state) {
    (void)state;
    const char *crash = "faults[0]={at: 1500ms, crash: shard1r, for: 1s}";
    const char *power = "faults[0]={at: 1500ms, power-loss: shard1r, for: 1s}";
    for (int i = 0; i < 2; i++) {
        run r = run_file_set(SH2, i == 0 ? crash : power);
        const hist_effect *apply = nth_at(&r, SH_EFF_APPLY, "shard1r", 0);
        assert_non_null(apply);
        assert_int_equal(hist_effect_version(r.h, apply), 2);
        assert_int_equal(apply->t_ns, 4502 * SIM_MS);                /* restart 2.5 s, catch-up, lag 2 s */
        int64_t v[8];
        uint32_t n = read_versions(&r, v, 8);
        assert_true(n >= 1);
        assert_int_equal(v[n - 1], 2);
        run_free(&r);
    }
}

static void bad_workload_values_are_input_errors_at_their_line(void **state) {
    (void)state;
    char err[512];
    const char *same =
        "name: x\nduration: 1s\nprotocol: sharded-kv\nnodes: {primary: [s0], client: [c1]}\n"
        "workload:\n  kind: shard-transfer\n  from: 2\n  to: 2\n";
    assert_int_equal(create_text(same, err, sizeof err), -1);
    assert_string_equal(err, "variant.yaml:8:7: error: the payee is the payer (expected two accounts)");
    const char *beyond =
        "name: x\nduration: 1s\nprotocol: sharded-kv\nparams: {accounts: 2}\nnodes: {primary: [s0], client: [c1]}\n"
        "workload:\n  kind: shard-session\n  writers: [c1]\n  key: 3\n";
    assert_int_equal(create_text(beyond, err, sizeof err), -1);
    assert_string_equal(err, "variant.yaml:9:8: error: account 3 of 2 (expected 1..2)");
    const char *primary_client =
        "name: x\nduration: 1s\nprotocol: sharded-kv\nnodes: {primary: [s0], client: [c1]}\n"
        "workload:\n  kind: shard-session\n  writers: [s0]\n";
    assert_int_equal(create_text(primary_client, err, sizeof err), -1);
    assert_non_null(strstr(err, "node 's0' is a primary node (expected client nodes)"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_client_crash_between_debit_and_credit_loses_the_amount),
        cmocka_unit_test(the_outbox_credits_the_payee_though_the_client_crashed),
        cmocka_unit_test(sharding_by_customer_commits_debit_and_credit_together_on_one_shard),
        cmocka_unit_test(a_payer_power_loss_after_the_debit_loses_money_with_two_writes_and_not_with_the_outbox),
        cmocka_unit_test(a_credit_relayed_again_after_its_ack_was_lost_is_applied_once),
        cmocka_unit_test(a_read_from_a_lagging_replica_misses_the_sessions_own_deposit),
        cmocka_unit_test(reading_from_the_primary_or_at_the_sessions_position_sees_the_deposit),
        cmocka_unit_test(reads_over_two_replicas_go_back_in_time_and_sticky_or_position_reads_do_not),
        cmocka_unit_test(sticky_reads_stay_monotonic_but_stale),
        cmocka_unit_test(a_replica_that_lost_power_fetches_the_entries_it_lost_on_restart),
        cmocka_unit_test(bad_workload_values_are_input_errors_at_their_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
