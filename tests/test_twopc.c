/* test_twopc.c -- the 2pc scenarios of scenarios/2pc/, run end to end and
 * checked through what they leave in the history: each vote, decision and
 * outcome with the true time it happened, the in-doubt BLOCKED windows,
 * transaction X's wait, the balances; and the checks' verdicts against the
 * files' `expect:`.  Plus the atomicity and blocked-window checks on small
 * hand-made histories, and the input errors of a bad `params:` block.
 * Times are true simulated time in ms, as in SCENARIOS.md T1-T3. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "protocols/twopc/twopc.h"
#include "protocols/txn/txn_api.h"
#include "tests/txn_test_support.h"

#define DIR "scenarios/2pc/"

static void all_three(const run *r, hist_eff_kind kind, int64_t at_ms) {
    static const char *const parts[] = { "p1", "p2", "p3" };
    for (int i = 0; i < 3; i++) assert_int_equal(ms(must_eff(r, kind, parts[i], "tm:1", 0)->t_ns), at_ms);
}

/* ------------------------------------------------------------ T1 */

static void all_yes_commits_at_three_ms_and_forgets_at_four(void **state) {
    (void)state;
    run r = run_file(DIR "T1-all-yes.yaml");
    all_three(&r, HIST_EFF_TXN_VOTE, 1);
    const hist_effect *d = must_eff(&r, HIST_EFF_TXN_DECIDE, "tm", "tm:1", 0);
    assert_int_equal(ms(d->t_ns), 2);
    assert_int_equal(d->value, 1);
    all_three(&r, HIST_EFF_TXN_COMMIT, 3);
    const hist_op *op = op_of(&r, "tm", HIST_F_TXN, 0);
    assert_int_equal(op->result, HIST_OK);
    assert_int_equal(ms(op->complete_ns), 4);          /* after the acks: END, forgotten */
    assert_int_equal(balance(&r, "p1", TXN_ACCOUNT), 50);
    assert_int_equal(balance(&r, "p2", TXN_ACCOUNT), 125);
    assert_int_equal(balance(&r, "p3", TXN_ACCOUNT), 125);
    assert_null(eff(&r, HIST_EFF_BLOCKED, NULL, NULL, 0));
    verdicts_match_expect(&r);
    run_free(&r);
}

static void presumed_commit_answers_the_client_without_waiting_for_acks(void **state) {
    (void)state;
    run r = run_file(DIR "T1b-presumed-commit.yaml");
    all_three(&r, HIST_EFF_TXN_COMMIT, 3);
    const hist_op *op = op_of(&r, "tm", HIST_F_TXN, 0);
    assert_int_equal(op->result, HIST_OK);
    assert_int_equal(ms(op->complete_ns), 2);          /* commit needs no acks */
    verdicts_match_expect(&r);
    run_free(&r);
}

/* ------------------------------------------------------------ T2 */

static void one_no_vote_aborts_everyone_and_commits_nothing(void **state) {
    (void)state;
    run r = run_file(DIR "T2-participant-votes-no.yaml");
    const hist_effect *no = must_eff(&r, HIST_EFF_TXN_VOTE, "p2", "tm:1", 0);
    assert_int_equal(no->value, 0);
    assert_int_equal(ms(no->t_ns), 1);
    assert_int_equal(must_eff(&r, HIST_EFF_TXN_ABORT, "p2", "tm:1", 0)->aux, TPC_HOW_UNILATERAL);
    assert_int_equal(ms(must_eff(&r, HIST_EFF_TXN_DECIDE, "tm", "tm:1", 0)->t_ns), 2);
    assert_int_equal(ms(must_eff(&r, HIST_EFF_TXN_ABORT, "p1", "tm:1", 0)->t_ns), 3);
    assert_int_equal(ms(must_eff(&r, HIST_EFF_TXN_ABORT, "p3", "tm:1", 0)->t_ns), 3);
    assert_int_equal(count_eff(&r, HIST_EFF_TXN_COMMIT, NULL), 0);
    const hist_op *op = op_of(&r, "tm", HIST_F_TXN, 0);
    assert_int_equal(op->result, HIST_FAIL);
    assert_non_null(strstr(op->note, "p2 voted no"));
    assert_int_equal(balance(&r, "p1", TXN_ACCOUNT), 100);
    verdicts_match_expect(&r);
    run_free(&r);
}

static void a_missing_vote_aborts_at_the_vote_timeout(void **state) {
    (void)state;
    run r = run_file(DIR "T2b-participant-crash-before-vote.yaml");
    assert_null(eff(&r, HIST_EFF_TXN_VOTE, "p3", NULL, 0));
    const hist_effect *d = must_eff(&r, HIST_EFF_TXN_DECIDE, "tm", "tm:1", 0);
    assert_int_equal(ms(d->t_ns), 1000);
    assert_int_equal(d->value, 0);
    assert_int_equal(ms(must_eff(&r, HIST_EFF_TXN_ABORT, "p1", "tm:1", 0)->t_ns), 1001);
    assert_int_equal(ms(must_eff(&r, HIST_EFF_TXN_ABORT, "p2", "tm:1", 0)->t_ns), 1001);
    const hist_op *op = op_of(&r, "tm", HIST_F_TXN, 0);
    assert_int_equal(op->result, HIST_FAIL);
    assert_string_equal(op->note, "vote timeout: no vote from p3");
    verdicts_match_expect(&r);
    run_free(&r);
}

/* ------------------------------------------------------------ power loss */

/* T1 with p1 down from 2.5 ms (after its YES arrived) to 10 ms, by `kind`. */
static run t1_with_p1_down(const char *kind) {
    char yaml[2048];
    snprintf(yaml, sizeof yaml,
             "name: t1-down\nseed: 1\nduration: 10s\nprotocol: 2pc\nparams: {presume: abort}\n"
             "nodes: {coordinator: [tm], participant: [p1, p2, p3]}\n"
             "network: {latency: 1ms}\nworkload: {kind: transfer, amount: 50}\n"
             "faults: [{at: 2500us, %s: p1, for: 7500us}]\n", kind);
    return run_text(yaml);
}

/* The PREPARED record is forced before the vote is sent, so a power loss
 * after the vote keeps it as a process crash does: the histories agree
 * effect for effect, and p1 commits on recovery. */
static void a_participant_power_loss_after_its_yes_vote_recovers_as_from_a_crash(void **state) {
    (void)state;
    run c = t1_with_p1_down("crash"), p = t1_with_p1_down("power-loss");
    assert_int_equal(p.h->effect_count, c.h->effect_count);
    for (uint32_t i = 0; i < c.h->effect_count; i++) {
        const hist_effect *a = &c.h->effects[i], *b = &p.h->effects[i];
        assert_int_equal(a->kind, b->kind);
        assert_int_equal(a->t_ns, b->t_ns);
        assert_int_equal(a->node, b->node);
        assert_int_equal(a->value, b->value);
    }
    const hist_effect *commit = must_eff(&p, HIST_EFF_TXN_COMMIT, "p1", "tm:1", 0);
    assert_true(ms(commit->t_ns) >= 10);               /* after its restart, from the log */
    assert_int_equal(balance(&p, "p1", TXN_ACCOUNT), 50);
    run_free(&c);
    run_free(&p);
}

/* ------------------------------------------------------------ T3 */

static void coordinator_crash_leaves_participants_in_doubt_from_3001_to_60001(void **state) {
    (void)state;
    run r = run_file(DIR "T3-coordinator-crash-after-prepare.yaml");
    static const char *const parts[] = { "p1", "p2", "p3" };
    for (int i = 0; i < 3; i++) {
        const hist_effect *b = must_eff(&r, HIST_EFF_BLOCKED, parts[i], "in doubt on tm:1", 0);
        const hist_effect *u = must_eff(&r, HIST_EFF_UNBLOCKED, parts[i], "in doubt on tm:1", 0);
        assert_int_equal(ms(b->t_ns), 3001);
        assert_int_equal(ms(u->t_ns), 60001);
        assert_int_equal(ms(u->t_ns - b->t_ns), 57000);
        assert_int_equal(b->client, node(&r, "tm"));
        const hist_effect *a = must_eff(&r, HIST_EFF_TXN_ABORT, parts[i], "tm:1", 0);
        assert_int_equal(a->aux, TPC_HOW_PRESUMED);
    }
    assert_int_equal(count_eff(&r, HIST_EFF_TXN_COMMIT, NULL), 0);
    assert_int_equal(op_of(&r, "tm", HIST_F_TXN, 0)->result, HIST_INFO);
    check_result res = judge(&r, "liveness");
    assert_int_equal(res.verdict, CHECK_OK);
    assert_int_equal(ms(res.blocked_ns), 57000);
    assert_non_null(strstr(res.summary, "p1, p2 and p3 (in doubt on tm:1, waiting for tm) 3.001 s..60.001 s (57 s)"));
    check_result_free(&res);
    verdicts_match_expect(&r);
    run_free(&r);
}

static void transaction_x_waits_56001_ms_behind_the_in_doubt_row_lock(void **state) {
    (void)state;
    run r = run_file(DIR "T3-coordinator-crash-after-prepare.yaml");
    const hist_op *x = op_of(&r, "x", HIST_F_READ, 0);
    assert_int_equal(ms(x->invoke_ns), 4000);
    assert_int_equal(x->result, HIST_OK);
    assert_int_equal(ms(x->complete_ns), 60001);
    assert_int_equal(ms(x->complete_ns - x->invoke_ns), 56001);
    assert_int_equal(x->value_out, 100);               /* the transfer was aborted */
    const hist_effect *b = must_eff(&r, HIST_EFF_BLOCKED, "p1", "acct row", 0);
    const hist_effect *u = must_eff(&r, HIST_EFF_UNBLOCKED, "p1", "acct row", 0);
    assert_int_equal(b->op, x->id);
    assert_int_equal(ms(u->t_ns - b->t_ns), 56001);
    summary_contains(&r, "liveness", "x's read at p1 (acct row, held by tm:1) 4 s..60.001 s (56.001 s)");
    run_free(&r);
}

static void coordinator_still_down_at_the_horizon_is_stuck(void **state) {
    (void)state;
    run r = run_file(DIR "T3-coordinator-crash-stuck.yaml");
    assert_null(eff(&r, HIST_EFF_UNBLOCKED, "p1", "in doubt", 0));
    check_result res = judge(&r, "liveness");
    assert_int_equal(res.verdict, CHECK_VIOLATION);
    assert_int_equal(ms(res.blocked_ns), 46999);       /* 3.001 s to the 50 s horizon */
    assert_non_null(res.story);
    assert_non_null(strstr(res.story, "p1 became blocked at 3.001 s (in doubt on tm:1, waiting for tm)"));
    assert_non_null(strstr(res.story, "tm crashed at 0.002 s"));
    check_result_free(&res);
    verdicts_match_expect(&r);
    run_free(&r);
}

static void cooperative_termination_learns_the_commit_from_a_peer_at_3003(void **state) {
    (void)state;
    run r = run_file(DIR "T3b-crash-mid-broadcast-cooperative.yaml");
    const hist_effect *p1 = must_eff(&r, HIST_EFF_TXN_COMMIT, "p1", "tm:1", 0);
    assert_int_equal(ms(p1->t_ns), 3);
    assert_int_equal(p1->aux, TPC_HOW_DECISION);
    static const char *const rest[] = { "p2", "p3" };
    for (int i = 0; i < 2; i++) {
        const hist_effect *c = must_eff(&r, HIST_EFF_TXN_COMMIT, rest[i], "tm:1", 0);
        assert_int_equal(c->t_ns, 3003 * SIM_MS);
        assert_int_equal(c->aux, TPC_HOW_PEER);
        assert_int_equal(ms(must_eff(&r, HIST_EFF_BLOCKED, rest[i], "in doubt", 0)->t_ns), 3001);
    }
    assert_null(eff(&r, HIST_EFF_BLOCKED, "p1", NULL, 0));
    assert_int_equal(balance(&r, "p2", TXN_ACCOUNT), 125);
    check_result res = judge(&r, "liveness");
    assert_int_equal(ms(res.blocked_ns), 2);
    check_result_free(&res);
    verdicts_match_expect(&r);
    run_free(&r);
}

static void without_peers_the_commit_waits_for_the_coordinators_recovery(void **state) {
    (void)state;
    run r = run_file(DIR "T3b2-crash-mid-broadcast-blocked.yaml");
    assert_int_equal(ms(must_eff(&r, HIST_EFF_TXN_COMMIT, "p1", "tm:1", 0)->t_ns), 3);
    const hist_effect *c = must_eff(&r, HIST_EFF_TXN_COMMIT, "p2", "tm:1", 0);
    assert_int_equal(ms(c->t_ns), 60001);
    assert_int_equal(c->aux, TPC_HOW_DECISION);       /* re-sent from the COMMIT record */
    check_result res = judge(&r, "liveness");
    assert_int_equal(ms(res.blocked_ns), 57000);
    check_result_free(&res);
    verdicts_match_expect(&r);
    run_free(&r);
}

static void heuristic_commit_while_the_others_abort_breaks_atomicity(void **state) {
    (void)state;
    run r = run_file(DIR "T3c-heuristic-commit.yaml");
    const hist_effect *h = must_eff(&r, HIST_EFF_TXN_COMMIT, "p3", "tm:1", 0);
    assert_int_equal(ms(h->t_ns), 5000);
    assert_int_equal(h->aux, TPC_HOW_HEURISTIC);
    assert_int_equal(ms(must_eff(&r, HIST_EFF_TXN_ABORT, "p1", "tm:1", 0)->t_ns), 60001);
    check_result res = judge(&r, "atomicity");
    assert_int_equal(res.verdict, CHECK_VIOLATION);
    assert_string_equal(res.summary, "txn tm:1 committed at p3 but aborted at p1 and p2");
    assert_non_null(strstr(res.story, "p3 committed tm:1 at 5 s on its own (a heuristic decision)"));
    check_result_free(&res);
    assert_int_equal(balance(&r, "p3", TXN_ACCOUNT), 125);   /* 25 from nowhere */
    verdicts_match_expect(&r);
    run_free(&r);
}

static void heuristic_abort_after_a_peer_committed_breaks_atomicity(void **state) {
    (void)state;
    run r = run_file(DIR "T3c2-heuristic-abort-after-commit.yaml");
    const hist_effect *h = must_eff(&r, HIST_EFF_TXN_ABORT, "p2", "tm:1", 0);
    assert_int_equal(ms(h->t_ns), 5000);
    assert_int_equal(h->aux, TPC_HOW_HEURISTIC);
    summary_contains(&r, "atomicity", "committed at p1 and p3 but aborted at p2");
    verdicts_match_expect(&r);
    run_free(&r);
}

static void postgres_default_max_prepared_zero_makes_every_prepare_fail(void **state) {
    (void)state;
    run r = run_file(DIR "T3d-postgres-max-prepared-zero.yaml");
    assert_int_equal(must_eff(&r, HIST_EFF_TXN_VOTE, "p1", "tm:1", 0)->value, 0);
    assert_int_equal(count_eff(&r, HIST_EFF_TXN_COMMIT, NULL), 0);
    assert_int_equal(op_of(&r, "tm", HIST_F_TXN, 0)->result, HIST_FAIL);
    verdicts_match_expect(&r);
    run_free(&r);
}

static void two_phase_transfer_blocks_and_hides_the_half_done_state(void **state) {
    (void)state;
    run r = run_file(DIR "transfer-coordinator-crash.yaml");
    assert_int_equal(ms(must_eff(&r, HIST_EFF_BLOCKED, "bank_a", "in doubt on app:1", 0)->t_ns), 3001);
    const hist_op *x = op_of(&r, "x", HIST_F_READ, 0);
    assert_int_equal(ms(x->complete_ns - x->invoke_ns), 56001);
    assert_int_equal(x->value_out, 100);               /* it never saw the debit */
    assert_int_equal(balance(&r, "bank_a", TXN_ACCOUNT), 100);
    assert_int_equal(balance(&r, "bank_b", TXN_ACCOUNT), 100);
    verdicts_match_expect(&r);
    run_free(&r);
}

/* The 2pc-1m bench (tests/bench/2pc-1m.yaml) a hundredth of it: 10 000
 * transfers in a row, every one committed at all three, money conserved. */
static void ten_thousand_transfers_in_a_row_all_commit_and_conserve_money(void **state) {
    (void)state;
    run r = run_text("name: 2pc-10000\nseed: 1\nduration: 100000s\nprotocol: 2pc\n"
                     "params: {balance: 1000000}\n"
                     "nodes: {coordinator: [tm], participant: [p1, p2, p3]}\n"
                     "network: {latency: {uniform: [500us, 2ms]}}\n"
                     "workload: {kind: transfer, iterations: 10000, amount: 2}\n"
                     "checks: [atomicity, conservation, liveness]\n");
    assert_int_equal(r.h->op_count, 10000);
    assert_int_equal(count_eff(&r, HIST_EFF_TXN_DECIDE, "tm"), 10000);
    assert_int_equal(count_eff(&r, HIST_EFF_TXN_COMMIT, NULL), 30000);
    assert_int_equal(count_eff(&r, HIST_EFF_TXN_ABORT, NULL), 0);
    assert_int_equal(balance(&r, "p1", TXN_ACCOUNT), 1000000 - 20000);
    assert_int_equal(balance(&r, "p2", TXN_ACCOUNT), 1000000 + 10000);
    assert_int_equal(balance(&r, "p3", TXN_ACCOUNT), 1000000 + 10000);
    static const char *const names[] = { "atomicity", "conservation", "liveness" };
    for (int i = 0; i < 3; i++) {
        check_result res = judge(&r, names[i]);
        assert_int_equal(res.verdict, CHECK_OK);
        check_result_free(&res);
    }
    run_free(&r);
}

/* ------------------------------------------------------------ the checks on hand-made histories */

static void add_effect(hist *h, hist_eff_kind kind, sim_time t_ms, int32_t at, const char *key, int64_t value) {
    hist_effect_fields x = { .kind = kind, .t_ns = t_ms * SIM_MS, .node = at, .client = 0, .op = HIST_NONE,
                      .value = value };
    x.key = key;
    assert_true(hist_add_effect(h, &x));
}

/* Judges a hand-made history with the node names tm (0), p1 (1), p2 (2). */
static check_result judge_hist(const hist *h, const char *name, sim_time horizon_ms) {
    static const char yaml[] = "name: names\nduration: 100s\nprotocol: 2pc\n"
                               "nodes:\n  coordinator: [tm]\n  participant: [p1, p2]\n";
    scn *s = calloc(1, sizeof *s);
    assert_non_null(s);
    char err[SIM_ERR_MAX];
    if (scn_load_buffer("names.yaml", yaml, strlen(yaml), s, err, sizeof err) != 0) fail_msg("%s", err);
    s->duration_ns = horizon_ms * SIM_MS;
    check_input in = { .h = h, .s = s, .horizon_ns = horizon_ms * SIM_MS };
    check_result res;
    check_find(name)->run(&in, &res);
    scn_free(s);
    free(s);
    return res;
}

static void commit_before_every_participant_voted_yes_is_a_violation(void **state) {
    (void)state;
    hist h;
    hist_init(&h);
    add_effect(&h, HIST_EFF_TXN_BEGIN, 0, 0, "tm:1", (1 << 1) | (1 << 2));
    add_effect(&h, HIST_EFF_TXN_VOTE, 1, 1, "tm:1", 1);
    add_effect(&h, HIST_EFF_TXN_COMMIT, 3, 1, "tm:1", 0);
    check_result res = judge_hist(&h, "atomicity", 10);
    assert_int_equal(res.verdict, CHECK_VIOLATION);
    assert_string_equal(res.summary, "txn tm:1 committed at p1 although p2 had not voted yes");
    check_result_free(&res);
    add_effect(&h, HIST_EFF_TXN_VOTE, 4, 2, "tm:1", 1);       /* too late: still a violation */
    res = judge_hist(&h, "atomicity", 10);
    assert_int_equal(res.verdict, CHECK_VIOLATION);
    check_result_free(&res);
    hist_free(&h);
}

static void every_participant_committing_after_all_yes_votes_is_atomic(void **state) {
    (void)state;
    hist h;
    hist_init(&h);
    add_effect(&h, HIST_EFF_TXN_BEGIN, 0, 0, "tm:1", (1 << 1) | (1 << 2));
    add_effect(&h, HIST_EFF_TXN_VOTE, 1, 1, "tm:1", 1);
    add_effect(&h, HIST_EFF_TXN_VOTE, 1, 2, "tm:1", 1);
    add_effect(&h, HIST_EFF_TXN_COMMIT, 3, 1, "tm:1", 0);
    add_effect(&h, HIST_EFF_TXN_COMMIT, 3, 2, "tm:1", 0);
    add_effect(&h, HIST_EFF_TXN_BEGIN, 5, 0, "tm:2", (1 << 1) | (1 << 2));
    add_effect(&h, HIST_EFF_TXN_ABORT, 6, 1, "tm:2", 0);
    check_result res = judge_hist(&h, "atomicity", 10);
    assert_int_equal(res.verdict, CHECK_OK);
    assert_string_equal(res.summary, "2 transactions: 1 committed, 1 aborted, 0 undecided; every one atomic");
    check_result_free(&res);
    hist_free(&h);
}

static void blocked_window_closed_before_the_horizon_is_reported_not_judged(void **state) {
    (void)state;
    hist h;
    hist_init(&h);
    add_effect(&h, HIST_EFF_BLOCKED, 1000, 1, "in doubt on tm:1", 0);
    add_effect(&h, HIST_EFF_UNBLOCKED, 90000, 1, "in doubt on tm:1", 0);
    check_result res = judge_hist(&h, "liveness", 100000);   /* longer than the bound, but closed */
    assert_int_equal(res.verdict, CHECK_OK);
    assert_int_equal(ms(res.blocked_ns), 89000);
    assert_non_null(strstr(res.summary, "p1 (in doubt on tm:1, waiting for tm) 1 s..90 s (89 s)"));
    check_result_free(&res);
    hist_free(&h);
}

static void blocked_window_open_at_the_horizon_past_the_bound_is_stuck(void **state) {
    (void)state;
    hist h;
    hist_init(&h);
    add_effect(&h, HIST_EFF_BLOCKED, 1000, 1, "in doubt on tm:1", 0);
    add_effect(&h, HIST_EFF_BLOCKED, 9000, 2, "in doubt on tm:1", 0);
    check_result res = judge_hist(&h, "liveness", 10000);    /* bound = 5 s: only node 1 is stuck */
    assert_int_equal(res.verdict, CHECK_VIOLATION);
    assert_int_equal(ms(res.blocked_ns), 9000);
    assert_non_null(strstr(res.summary, "p1 (in doubt on tm:1, waiting for tm) since 1 s"));
    assert_null(strstr(res.summary, "p2"));
    check_result_free(&res);
    hist_free(&h);
}

/* ------------------------------------------------------------ input errors and determinism */

#define BASE(params)                                                                  \
    "name: variant\nseed: 1\nduration: 10s\nprotocol: 2pc\nparams:\n" params         \
    "nodes:\n  coordinator: [tm]\n  participant: [p1, p2]\n"                         \
    "workload:\n  kind: transfer\n"

static void vote_no_naming_a_coordinator_is_an_input_error_at_its_line(void **state) {
    (void)state;
    char err[SIM_ERR_MAX];
    assert_int_equal(create_text(BASE("  vote_no: [tm]\n"), err, sizeof err), -1);
    assert_string_equal(err, "variant.yaml:6:12: error: invalid vote_no: 'tm' is not a participant "
                             "(expected participant nodes)");
    assert_int_equal(create_text(BASE("  vote_timeout: 0s\n"), err, sizeof err), -1);
    assert_string_equal(err, "variant.yaml:6:17: error: vote_timeout: '0s' is out of range "
                             "(expected a duration above 0)");
    assert_int_equal(create_text(BASE("  presume: nothing\n"), err, sizeof err), -1);
    assert_non_null(strstr(err, "variant.yaml:6:12: error: "));
    assert_int_equal(create_text(BASE("  presume: commit\n"), err, sizeof err), 0);
}

/* tpc_txn_key formats by hand what snprintf("%.20s:%u") wrote, truncation
 * included (through sim_fmt_name_seq, which test_saga checks for every
 * length; here the 2PC names). */
static void a_txn_key_is_what_snprintf_writes_for_any_name_number_and_length(void **state) {
    (void)state;
    char got[40];
    tpc_txn_key(got, sizeof got, "tm", 40000);
    assert_string_equal(got, "tm:40000");
    tpc_txn_key(got, sizeof got, "coordinator-with-a-long-name", 4294967295u);
    assert_string_equal(got, "coordinator-with-a-l:4294967295");
    tpc_txn_key(got, 6, "tm", 12345);
    assert_string_equal(got, "tm:12");
}

static void same_scenario_and_seed_give_the_same_history(void **state) {
    (void)state;
    run a = run_file(DIR "T3c-heuristic-commit.yaml");
    run b = run_file(DIR "T3c-heuristic-commit.yaml");
    assert_int_equal(a.h->op_count, b.h->op_count);
    assert_int_equal(a.h->effect_count, b.h->effect_count);
    assert_true(hist_same(a.h, b.h));
    run_free(&a);
    run_free(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(all_yes_commits_at_three_ms_and_forgets_at_four),
        cmocka_unit_test(presumed_commit_answers_the_client_without_waiting_for_acks),
        cmocka_unit_test(one_no_vote_aborts_everyone_and_commits_nothing),
        cmocka_unit_test(a_missing_vote_aborts_at_the_vote_timeout),
        cmocka_unit_test(a_participant_power_loss_after_its_yes_vote_recovers_as_from_a_crash),
        cmocka_unit_test(coordinator_crash_leaves_participants_in_doubt_from_3001_to_60001),
        cmocka_unit_test(transaction_x_waits_56001_ms_behind_the_in_doubt_row_lock),
        cmocka_unit_test(coordinator_still_down_at_the_horizon_is_stuck),
        cmocka_unit_test(cooperative_termination_learns_the_commit_from_a_peer_at_3003),
        cmocka_unit_test(without_peers_the_commit_waits_for_the_coordinators_recovery),
        cmocka_unit_test(heuristic_commit_while_the_others_abort_breaks_atomicity),
        cmocka_unit_test(heuristic_abort_after_a_peer_committed_breaks_atomicity),
        cmocka_unit_test(postgres_default_max_prepared_zero_makes_every_prepare_fail),
        cmocka_unit_test(two_phase_transfer_blocks_and_hides_the_half_done_state),
        cmocka_unit_test(ten_thousand_transfers_in_a_row_all_commit_and_conserve_money),
        cmocka_unit_test(commit_before_every_participant_voted_yes_is_a_violation),
        cmocka_unit_test(every_participant_committing_after_all_yes_votes_is_atomic),
        cmocka_unit_test(blocked_window_closed_before_the_horizon_is_reported_not_judged),
        cmocka_unit_test(blocked_window_open_at_the_horizon_past_the_bound_is_stuck),
        cmocka_unit_test(vote_no_naming_a_coordinator_is_an_input_error_at_its_line),
        cmocka_unit_test(same_scenario_and_seed_give_the_same_history),
        cmocka_unit_test(a_txn_key_is_what_snprintf_writes_for_any_name_number_and_length),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
