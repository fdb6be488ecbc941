/* test_queue.c -- queue-outbox (protocols/queue, sim/workload/queue_outbox.c,
 * the delivery check): a redelivery after a pause or a crash charges twice
 * unless the consumer is idempotent; the dual write loses an event (save
 * then publish) or invents one (publish then save) where the outbox does
 * neither; the relay's own at-least-once; the broker's restart and the
 * durability of broker and db under crash and power loss alike -- judged
 * through the history and the check's verdict and summary. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "protocols/queue/queue.h"
#include "sim/check/check.h"
#include "sim/sim.h"
#include "tests/test_run_support.h"

#define DIR "scenarios/queue/"
#define Q1 DIR "Q1-consumer-gc-pause-charges-twice.yaml"
#define Q2 DIR "Q2-consumer-crash-before-ack.yaml"

static check_result delivery(const run *r) {
    check_input in = { .h = r->h, .s = r->s, .horizon_ns = r->s->duration_ns };
    check_result res;
    check_find("delivery")->run(&in, &res);
    return res;
}

static check_verdict verdict(const run *r) {
    check_result res = delivery(r);
    check_verdict v = res.verdict;
    check_result_free(&res);
    return v;
}

static void assert_summary(const run *r, check_verdict want, const char *summary) {
    check_result res = delivery(r);
    assert_int_equal(res.verdict, want);
    assert_string_equal(res.summary, summary);
    check_result_free(&res);
}

/* The n-th (0-based) effect of a kind about key (NULL: any key), or NULL. */
static const hist_effect *nth(const run *r, hist_eff_kind k, const char *key, uint32_t n) {
    for (uint32_t i = 0; i < r->h->effect_count; i++) {
        const hist_effect *x = &r->h->effects[i];
        if (x->kind == k && (key == NULL || strcmp(x->key, key) == 0) && n-- == 0) return x;
    }
    return NULL;
}

static uint32_t count(const run *r, hist_eff_kind k, const char *key) {
    uint32_t n = 0;
    while (nth(r, k, key, n) != NULL) n++;
    return n;
}

static int32_t node(const run *r, const char *name) {
    for (uint32_t i = 0; i < r->s->node_count; i++)
        if (strcmp(r->s->nodes[i].name, name) == 0) return (int32_t)i;
    fail_msg("no node %s", name);
    return -1;
}

static void a_consumer_paused_past_the_visibility_timeout_gets_the_order_charged_twice(void **state) {
    (void)state;
    run r = run_file(Q1);
    const hist_effect *first = nth(&r, QO_EFF_CHARGE, "order1", 0), *again = nth(&r, QO_EFF_CHARGE, "order1", 1);
    assert_non_null(again);
    assert_int_equal(first->client, node(&r, "c1"));
    assert_int_equal(again->client, node(&r, "c2"));
    assert_int_equal(again->aux, 2);                        /* the second charge of order1 */
    const hist_effect *back = nth(&r, QO_EFF_REQUEUE, "order1", 0);
    assert_int_equal(back->aux, 1);                         /* the visibility timeout ran out */
    assert_int_equal(back->t_ns, 30101 * SIM_MS);
    assert_true(back->t_ns < again->t_ns);
    const hist_effect *late = nth(&r, QO_EFF_ACK, "order1", 1);
    assert_int_equal(late->client, node(&r, "c1"));
    assert_int_equal(late->aux, 1);                         /* c1's ack after its pause is refused */
    assert_summary(&r, CHECK_VIOLATION, "saved 3, published 3, charged 4: 1 order charged twice, 0 events lost, "
                                        "0 invented");
    check_result res = delivery(&r);
    assert_non_null(strstr(res.story, "c2 charged order1 again at 30.103 s (message #1, delivery 2)"));
    assert_int_equal(res.evidence_count, 1);
    assert_int_equal(res.evidence_ops[0], again->op);
    check_result_free(&res);
    run_free(&r);
}

static void an_idempotent_consumer_skips_the_redelivered_order_and_acks_it(void **state) {
    (void)state;
    run r = run_file(DIR "Q1b-idempotent-consumer.yaml");
    assert_int_equal(count(&r, QO_EFF_DELIVER, "order1"), 2);   /* still delivered twice */
    assert_int_equal(count(&r, QO_EFF_CHARGE, "order1"), 1);
    const hist_effect *skip = nth(&r, QO_EFF_DEDUP, "order1", 0);
    assert_non_null(skip);
    assert_int_equal(skip->client, node(&r, "c2"));
    const hist_effect *ack = nth(&r, QO_EFF_ACK, "order1", 0);
    assert_int_equal(ack->client, node(&r, "c2"));
    assert_int_equal(ack->aux, 0);
    assert_summary(&r, CHECK_OK, "saved 3, published 3, charged 3: 0 orders charged twice, 0 events lost, 0 invented");
    run_free(&r);
}

static void a_consumer_that_lost_power_before_its_ack_charges_its_own_message_again(void **state) {
    (void)state;
    run r = run_file(Q2);
    const hist_effect *first = nth(&r, QO_EFF_CHARGE, "order1", 0), *again = nth(&r, QO_EFF_CHARGE, "order1", 1);
    assert_non_null(again);
    assert_int_equal(first->client, again->client);
    assert_int_equal(nth(&r, QO_EFF_DELIVER, "order1", 1)->aux, 2);
    assert_int_equal(verdict(&r), CHECK_VIOLATION);
    run_free(&r);
}

static void only_the_plain_consumer_charges_twice_in_either_redelivery(void **state) {
    (void)state;
    const char *paths[] = { Q1, Q2 };
    for (size_t i = 0; i < 2; i++) {
        run a = run_file_set(paths[i], "params.consumer=plain");
        run b = run_file_set(paths[i], "params.consumer=idempotent");
        assert_int_equal(verdict(&a), CHECK_VIOLATION);
        assert_int_equal(verdict(&b), CHECK_OK);
        assert_int_equal(count(&b, QO_EFF_DEDUP, "order1"), 1);
        run_free(&a);
        run_free(&b);
    }
}

static void a_crash_between_the_commit_and_the_publish_loses_the_event(void **state) {
    (void)state;
    run r = run_file(DIR "Q3-dual-write-loses-the-event.yaml");
    assert_non_null(nth(&r, QO_EFF_ORDER, "order2", 0));
    assert_int_equal(count(&r, QO_EFF_APPEND, "order2"), 0);
    assert_int_equal(count(&r, QO_EFF_CHARGE, "order2"), 0);
    assert_summary(&r, CHECK_VIOLATION, "saved 2, published 1, charged 1: 0 orders charged twice, 1 event lost, "
                                        "0 invented");
    check_result res = delivery(&r);
    assert_non_null(strstr(res.story, "no OrderCreated(order2) was ever published"));
    check_result_free(&res);
    run_free(&r);
}

static void the_outbox_relay_publishes_the_order_its_producer_crashed_after_saving(void **state) {
    (void)state;
    run r = run_file(DIR "Q3b-outbox-keeps-the-event.yaml");
    assert_int_equal(nth(&r, QO_EFF_ORDER, "order2", 0)->aux, 1);       /* with its outbox row */
    assert_int_equal(nth(&r, QO_EFF_APPEND, "order2", 0)->client, node(&r, "relay1"));
    assert_non_null(nth(&r, QO_EFF_RELAYED, "order2", 0));
    assert_int_equal(count(&r, QO_EFF_CHARGE, "order2"), 1);
    assert_int_equal(verdict(&r), CHECK_OK);
    run_free(&r);
}

static void publishing_before_a_failed_insert_invents_an_event_a_consumer_charges(void **state) {
    (void)state;
    run r = run_file(DIR "Q4-publish-first-invents-an-event.yaml");
    assert_int_equal(count(&r, QO_EFF_ORDER, "order2"), 0);
    assert_int_equal(count(&r, QO_EFF_APPEND, "order2"), 1);
    assert_int_equal(count(&r, QO_EFF_CHARGE, "order2"), 1);            /* an order that does not exist */
    assert_summary(&r, CHECK_VIOLATION, "saved 2, published 3, charged 3: 0 orders charged twice, 0 events lost, "
                                        "1 invented");
    check_result res = delivery(&r);
    assert_non_null(strstr(res.story, "published, but the database did not answer"));
    assert_non_null(strstr(res.story, "db1 lost power at 1.0025 s"));
    check_result_free(&res);
    run_free(&r);
}

static void with_the_outbox_a_failed_insert_publishes_nothing(void **state) {
    (void)state;
    run r = run_file(DIR "Q4b-outbox-invents-nothing.yaml");
    assert_int_equal(count(&r, QO_EFF_ORDER, "order2"), 0);
    assert_int_equal(count(&r, QO_EFF_APPEND, "order2"), 0);
    assert_summary(&r, CHECK_OK, "saved 2, published 2, charged 2: 0 orders charged twice, 0 events lost, 0 invented");
    run_free(&r);
}

static void a_relay_crash_before_it_marks_the_row_publishes_it_twice(void **state) {
    (void)state;
    run a = run_file(DIR "Q5-outbox-relay-publishes-twice.yaml");
    run b = run_file(DIR "Q5b-outbox-idempotent-consumer.yaml");
    assert_int_equal(count(&a, QO_EFF_APPEND, "order1"), 2);
    assert_int_equal(count(&a, QO_EFF_CHARGE, "order1"), 2);
    assert_int_equal(verdict(&a), CHECK_VIOLATION);
    assert_int_equal(count(&b, QO_EFF_APPEND, "order1"), 2);
    assert_int_equal(count(&b, QO_EFF_CHARGE, "order1"), 1);
    assert_int_equal(count(&b, QO_EFF_DEDUP, "order1"), 1);
    assert_int_equal(verdict(&b), CHECK_OK);
    run_free(&a);
    run_free(&b);
}

static void a_waiting_fetch_gets_a_message_the_moment_it_is_appended(void **state) {
    (void)state;
    run r = run_file(Q1);
    const hist_effect *append = nth(&r, QO_EFF_APPEND, "order2", 0), *deliver = nth(&r, QO_EFF_DELIVER, "order2", 0);
    assert_int_equal(deliver->t_ns, append->t_ns);
    assert_int_equal(deliver->client, node(&r, "c2"));
    run_free(&r);
}

#define QO_TEXT(params, faults) "name: t\nduration: 20s\nprotocol: queue-outbox\n" \
    "params: {visibility-timeout: 30s" params "}\n" \
    "nodes: {broker: 1, db: 1, producer: [p1], consumer: [c1, c2]}\n" \
    "network: {latency: 1ms}\n" \
    "workload: {kind: queue-outbox, start: {p1: 0ms, c1: 100ms, c2: 150ms}}\n" \
    "faults:\n  - {at: 103500us, pause: c1, for: 10s}\n" faults

static void a_broker_restart_requeues_the_unacked_message_for_another_consumer(void **state) {
    (void)state;
    run r = run_text(QO_TEXT("", "  - {at: 2s, crash: broker1, for: 1s}\n"));
    const hist_effect *back = nth(&r, QO_EFF_REQUEUE, "order1", 0);
    assert_non_null(back);
    assert_int_equal(back->aux, 2);                         /* by the restart, not the timeout */
    assert_int_equal(back->t_ns, 3 * SIM_S);
    assert_int_equal(nth(&r, QO_EFF_CHARGE, "order1", 1)->client, node(&r, "c2"));
    assert_int_equal(verdict(&r), CHECK_VIOLATION);
    run_free(&r);
}

static void the_broker_and_the_db_keep_the_same_after_a_crash_as_after_a_power_loss(void **state) {
    (void)state;
    /* Down 1.5..2.5 s: order3's publish (2.008 s) finds the broker down and
     * the dual write loses its event; with the db down order3 is never
     * saved and nothing is published.  Either way the same as a crash. */
    const char *victims[] = { "broker1", "db1" };
    const char *want[] = { "saved 3, published 2, charged 2: 0 orders charged twice, 1 event lost, 0 invented",
                           "saved 2, published 2, charged 2: 0 orders charged twice, 0 events lost, 0 invented" };
    for (size_t i = 0; i < 2; i++) {
        char a_text[1024], b_text[1024], fault[96];
        snprintf(fault, sizeof fault, "  - {at: 1500ms, crash: %s, for: 1s}\n", victims[i]);
        snprintf(a_text, sizeof a_text, QO_TEXT(", consumer: idempotent", "%s"), fault);
        snprintf(fault, sizeof fault, "  - {at: 1500ms, power-loss: %s, for: 1s}\n", victims[i]);
        snprintf(b_text, sizeof b_text, QO_TEXT(", consumer: idempotent", "%s"), fault);
        run a = run_text(a_text), b = run_text(b_text);
        check_result ra = delivery(&a), rb = delivery(&b);
        assert_string_equal(ra.summary, rb.summary);
        assert_string_equal(ra.summary, want[i]);
        check_result_free(&ra);
        check_result_free(&rb);
        run_free(&a);
        run_free(&b);
    }
}

#define QO_BAD(params, nodes, workload) "name: t\nprotocol: queue-outbox\n" \
    "params: {publish: " params "}\n" \
    "nodes: {broker: 1, db: 1, " nodes "}\n" \
    "workload:\n  kind: queue-outbox\n" workload

static void a_wrong_setup_is_an_input_error_at_its_line(void **state) {
    (void)state;
    char err[SIM_ERR_MAX];
    assert_int_equal(create_text(QO_BAD("outbox", "producer: [p1]", ""), err, sizeof err), -1);
    assert_string_equal(err, "variant.yaml:3:19: error: publish: outbox needs a relay node "
                             "(expected nodes: {relay: 1})");
    assert_int_equal(create_text(QO_BAD("outbox", "relay: 1, producer: [p1]", ""), err, sizeof err), 0);
    assert_int_equal(create_text(QO_BAD("after-commit", "producer: [p1], consumer: [c1]",
                                        "  consumers: [c1, p1]\n"), err, sizeof err), -1);
    assert_non_null(strstr(err, "variant.yaml:7:14: error: node 'p1' is both a producer and a consumer"));
    assert_int_equal(create_text(QO_BAD("after-commit", "producer: [p1]", "  producers: [p1, db1]\n"), err,
                                 sizeof err), -1);
    assert_non_null(strstr(err, "node 'db1' is a db node (expected producer or consumer nodes)"));
    assert_int_equal(create_text(QO_BAD("after-commit", "producer: [p1, p2]", "  orders: 300\n"), err, sizeof err),
                     -1);
    assert_string_equal(err, "variant.yaml:7:11: error: 600 orders in all (2 producers x 300; expected at most 512, "
                             "the rows the db holds)");
    assert_int_equal(create_text(QO_BAD("sometimes", "producer: [p1]", ""), err, sizeof err), -1);
    assert_non_null(strstr(err, "variant.yaml:3:19: error:"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_consumer_paused_past_the_visibility_timeout_gets_the_order_charged_twice),
        cmocka_unit_test(an_idempotent_consumer_skips_the_redelivered_order_and_acks_it),
        cmocka_unit_test(a_consumer_that_lost_power_before_its_ack_charges_its_own_message_again),
        cmocka_unit_test(only_the_plain_consumer_charges_twice_in_either_redelivery),
        cmocka_unit_test(a_crash_between_the_commit_and_the_publish_loses_the_event),
        cmocka_unit_test(the_outbox_relay_publishes_the_order_its_producer_crashed_after_saving),
        cmocka_unit_test(publishing_before_a_failed_insert_invents_an_event_a_consumer_charges),
        cmocka_unit_test(with_the_outbox_a_failed_insert_publishes_nothing),
        cmocka_unit_test(a_relay_crash_before_it_marks_the_row_publishes_it_twice),
        cmocka_unit_test(a_waiting_fetch_gets_a_message_the_moment_it_is_appended),
        cmocka_unit_test(a_broker_restart_requeues_the_unacked_message_for_another_consumer),
        cmocka_unit_test(the_broker_and_the_db_keep_the_same_after_a_crash_as_after_a_power_loss),
        cmocka_unit_test(a_wrong_setup_is_an_input_error_at_its_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
