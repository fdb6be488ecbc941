/* test_param.c -- param_apply() and param_print_table() (sim/scenario/param.h):
 * defaults, overrides, every type, the errors at the scenario's positions,
 * and the table `ccsim list protocols` prints.  Scenarios are loaded from
 * strings with scn_load_buffer; a `scn` is ~190 KB, so it lives on the heap.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/scenario/param.h"

typedef struct cfg {
    sim_time ttl;
    sim_time lease;                 /* allow_none */
    int64_t retries;
    int64_t offset;                 /* no bounds */
    bool fencing;
    uint32_t loss_ppm;
    int release;
    param_nodes clients;
    param_nodes quorum;             /* required */
    param_per_node start;
    char label[SCN_VALUE_MAX];
} cfg;

static const param_spec specs[] = {
    {"ttl", PARAM_DURATION, "10s", "lock time to live", offsetof(cfg, ttl), NULL, 0, 0, false},
    {"lease", PARAM_DURATION, "none", "lease check margin", offsetof(cfg, lease), NULL, 0, 0,
     true},
    {"retry.max", PARAM_INT, "3", "attempts", offsetof(cfg, retries), NULL, 1, 10, false},
    {"offset", PARAM_INT, "-2", "an unbounded integer", offsetof(cfg, offset), NULL, 0, 0, false},
    {"fencing", PARAM_BOOL, "false", "fencing tokens", offsetof(cfg, fencing), NULL, 0, 0, false},
    {"loss", PARAM_RATE, "1%", "message loss", offsetof(cfg, loss_ppm), NULL, 0, 0, false},
    {"release", PARAM_ENUM, "compare-and-delete", "how to release", offsetof(cfg, release),
     "compare-and-delete|del", 0, 0, false},
    {"clients", PARAM_NODES, "client", "the clients", offsetof(cfg, clients), NULL, 0, 0, false},
    {"quorum", PARAM_NODES, NULL, "the voters", offsetof(cfg, quorum), NULL, 0, 0, false},
    {"start", PARAM_PER_NODE_DURATION, "5ms", "when each client starts", offsetof(cfg, start),
     NULL, 0, 0, false},
    {"label", PARAM_STRING, "", "free text", offsetof(cfg, label), NULL, 0, 0, false},
};
#define SPEC_COUNT (sizeof specs / sizeof specs[0])

#define HEAD "name: t\nprotocol: p\nnodes: {redis: 2, client: [c1, c2, c3]}\nparams:\n"
/* nodes: redis1 redis2 c1 c2 c3; params start on line 5 */

static scn *load(const char *text) {
    scn *s = sim_xmalloc(sizeof *s);
    char err[SIM_ERR_MAX] = "";
    int rc = scn_load_buffer("p.yaml", text, strlen(text), s, err, sizeof err);
    if (rc != 0) print_error("unexpected: %s\n", err);
    assert_int_equal(rc, 0);
    return s;
}

/* Applies specs to the scenario's params; returns 0 or the error without "p.yaml:". */
static const char *apply(const char *text, cfg *c) {
    static char err[SIM_ERR_MAX];
    scn *s = load(text);
    memset(c, 0x5a, sizeof *c);
    int rc = param_apply(specs, SPEC_COUNT, c, &s->params, s, "params", err, sizeof err);
    scn_free(s);
    free(s);
    if (rc == 0) return NULL;
    assert_memory_equal(err, "p.yaml:", 7);
    return err + 7;
}

static void apply_ok(const char *text, cfg *c) {
    const char *err = apply(text, c);
    if (err) print_error("unexpected: %s\n", err);
    assert_null(err);
}

static void defaults_fill_every_field_the_scenario_leaves_out(void **state) {
    (void)state;
    cfg c;
    apply_ok(HEAD "  quorum: redis\n", &c);
    assert_int_equal(c.ttl, 10 * SIM_S);
    assert_int_equal(c.lease, -1);
    assert_int_equal(c.retries, 3);
    assert_int_equal(c.offset, -2);
    assert_false(c.fencing);
    assert_int_equal(c.loss_ppm, 10000);
    assert_int_equal(c.release, 0);
    assert_int_equal(c.clients.count, 3);           /* the role "client" */
    assert_int_equal(c.clients.node[0], 2);
    assert_int_equal(c.clients.node[2], 4);
    assert_int_equal(c.start.all_ns, 5 * SIM_MS);
    assert_int_equal(c.start.node_ns[4], 5 * SIM_MS);
    assert_false(c.start.listed[4]);
    assert_string_equal(c.label, "");
}

static void scenario_values_override_the_defaults(void **state) {
    (void)state;
    cfg c;
    apply_ok(HEAD "  quorum: [redis1, redis2]\n  ttl: 1.5s\n  lease: 20ms\n  retry: {max: 10}\n"
             "  offset: -9000000000\n  fencing: true\n  loss: 500ppm\n  release: del\n"
             "  clients: [c3, c1]\n  label: \"a b\"\n", &c);
    assert_int_equal(c.ttl, 1500 * SIM_MS);
    assert_int_equal(c.lease, 20 * SIM_MS);
    assert_int_equal(c.retries, 10);
    assert_int_equal(c.offset, -9000000000);
    assert_true(c.fencing);
    assert_int_equal(c.loss_ppm, 500);
    assert_int_equal(c.release, 1);
    assert_int_equal(c.clients.count, 2);
    assert_int_equal(c.clients.node[0], 4);         /* list order is kept */
    assert_int_equal(c.clients.node[1], 2);
    assert_int_equal(c.quorum.count, 2);
    assert_string_equal(c.label, "a b");
}

static void unknown_param_suggests_the_nearest_spec_name(void **state) {
    (void)state;
    cfg c;
    assert_string_equal(apply(HEAD "  quorum: redis\n  tll: 10s\n", &c),
                        "6:3: error: unknown key 'tll' in params (did you mean 'ttl'?)");
    assert_string_equal(apply(HEAD "  quorum: redis\n  retry: {maxx: 3}\n", &c),
                        "6:11: error: unknown key 'retry.maxx' in params (did you mean "
                        "'retry.max'?)");
}

static void unknown_param_without_a_near_name_lists_the_names(void **state) {
    (void)state;
    cfg c;
    assert_string_equal(apply(HEAD "  quorum: redis\n  colour: red\n", &c),
                        "6:3: error: unknown key 'colour' in params (expected one of: ttl, "
                        "lease, retry.max, offset, fencing, loss, release, clients, quorum, "
                        "start, label)");
}

static void duration_param_of_the_wrong_type_says_what_was_expected(void **state) {
    (void)state;
    cfg c;
    assert_string_equal(apply(HEAD "  quorum: redis\n  ttl: [1s]\n", &c),
                        "6:8: error: ttl: got a list (expected a duration such as 10s or "
                        "250ms)");
    assert_string_equal(apply(HEAD "  quorum: redis\n  ttl: 10\n", &c),
                        "6:8: error: ttl: '10' has no unit (expected a unit after the number, "
                        "such as 10s or 10ms)");
    assert_string_equal(apply(HEAD "  quorum: redis\n  ttl: none\n", &c),
                        "6:8: error: ttl: 'none' is not a duration (expected a number with a "
                        "unit: ns, us, ms, s, m or h, such as 10s or 250ms)");
}

static void none_or_off_gives_minus_one_where_allowed(void **state) {
    (void)state;
    cfg c;
    apply_ok(HEAD "  quorum: redis\n  lease: off\n", &c);
    assert_int_equal(c.lease, -1);
    apply_ok(HEAD "  quorum: redis\n  lease: none\n", &c);
    assert_int_equal(c.lease, -1);
}

static void integer_outside_its_bounds_or_not_a_number_is_rejected(void **state) {
    (void)state;
    cfg c;
    assert_string_equal(apply(HEAD "  quorum: redis\n  retry.max: 11\n", &c),
                        "6:14: error: retry.max: '11' is out of range (expected a whole number "
                        "from 1 to 10)");
    assert_string_equal(apply(HEAD "  quorum: redis\n  offset: 3.5\n", &c),
                        "6:11: error: offset: '3.5' is not a whole number (expected a whole "
                        "number such as 3)");
    assert_string_equal(apply(HEAD "  quorum: redis\n  offset: 99999999999999999999\n", &c),
                        "6:11: error: offset: '99999999999999999999' is out of range (expected "
                        "a whole number such as 3)");
}

static void bool_takes_true_or_false_only(void **state) {
    (void)state;
    cfg c;
    apply_ok(HEAD "  quorum: redis\n  fencing: True\n", &c);
    assert_true(c.fencing);
    assert_string_equal(apply(HEAD "  quorum: redis\n  fencing: yes\n", &c),
                        "6:12: error: fencing: 'yes' is not true or false (expected true or "
                        "false)");
}

static void rate_param_uses_the_rate_grammar(void **state) {
    (void)state;
    cfg c;
    apply_ok(HEAD "  quorum: redis\n  loss: 0.5\n", &c);
    assert_int_equal(c.loss_ppm, 500000);
    assert_string_equal(apply(HEAD "  quorum: redis\n  loss: 2\n", &c),
                        "6:9: error: loss: '2' is more than 100% (expected a rate from 0 to 1, "
                        "such as 2%, 0.02 or 500ppm)");
}

static void enum_stores_the_index_of_the_choice(void **state) {
    (void)state;
    cfg c;
    apply_ok(HEAD "  quorum: redis\n  release: compare-and-delete\n", &c);
    assert_int_equal(c.release, 0);
}

static void enum_with_an_unknown_choice_lists_the_choices(void **state) {
    (void)state;
    cfg c;
    assert_string_equal(apply(HEAD "  quorum: redis\n  release: dell\n", &c),
                        "6:12: error: release: unknown value 'dell' (expected one of "
                        "compare-and-delete|del; did you mean 'del'?)");
    assert_string_equal(apply(HEAD "  quorum: redis\n  release: drop\n", &c),
                        "6:12: error: release: unknown value 'drop' (expected one of "
                        "compare-and-delete|del)");
}

static void nodes_param_takes_names_or_a_role(void **state) {
    (void)state;
    cfg c;
    apply_ok(HEAD "  quorum: redis\n  clients: c2\n", &c);
    assert_int_equal(c.quorum.count, 2);
    assert_int_equal(c.quorum.node[1], 1);
    assert_int_equal(c.clients.count, 1);
    assert_int_equal(c.clients.node[0], 3);
    apply_ok(HEAD "  quorum: [redis, c1]\n", &c);   /* a role inside a list */
    assert_int_equal(c.quorum.count, 3);
}

static void nodes_param_with_an_unknown_or_repeated_node_is_rejected(void **state) {
    (void)state;
    cfg c;
    assert_string_equal(apply(HEAD "  quorum: redis\n  clients: [c1, c4]\n", &c),
                        "6:12: error: clients: unknown node 'c4' (did you mean 'c1'?)");
    assert_string_equal(apply(HEAD "  quorum: redis\n  clients: [c1, c1]\n", &c),
                        "6:12: error: clients: node 'c1' is listed twice (expected each node "
                        "once)");
    assert_string_equal(apply(HEAD "  quorum: reds\n", &c),
                        "5:11: error: quorum: unknown node 'reds' (did you mean 'redis'?)");
}

static void per_node_duration_takes_one_value_or_one_per_node(void **state) {
    (void)state;
    cfg c;
    apply_ok(HEAD "  quorum: redis\n  start: {c1: 0ms, c3: 10500ms}\n", &c);
    assert_int_equal(c.start.all_ns, 5 * SIM_MS);           /* the default for the rest */
    assert_int_equal(c.start.node_ns[2], 0);
    assert_true(c.start.listed[2]);
    assert_int_equal(c.start.node_ns[3], 5 * SIM_MS);
    assert_int_equal(c.start.node_ns[4], 10500 * SIM_MS);
    apply_ok(HEAD "  quorum: redis\n  start: 1s\n", &c);
    assert_int_equal(c.start.all_ns, SIM_S);
    assert_int_equal(c.start.node_ns[3], SIM_S);
    apply_ok(HEAD "  quorum: redis\n  start.c2: 7ms\n  start: 1s\n", &c);  /* order-free */
    assert_int_equal(c.start.node_ns[3], 7 * SIM_MS);
    assert_int_equal(c.start.node_ns[2], SIM_S);
}

static void per_node_duration_for_an_unknown_node_suggests_the_nearest(void **state) {
    (void)state;
    cfg c;
    assert_string_equal(apply(HEAD "  quorum: redis\n  start: {c1: 0ms, c4: 1s}\n", &c),
                        "6:20: error: start.c4: unknown node 'c4' (did you mean 'c1'?)");
    assert_string_equal(apply(HEAD "  quorum: redis\n  start: {c1: -1s}\n", &c),
                        "6:15: error: start.c1: '-1s' is negative (expected a duration of 0 or "
                        "more, such as 10s or 250ms)");
}

static void required_param_left_out_is_reported_at_the_section(void **state) {
    (void)state;
    cfg c;
    assert_string_equal(apply(HEAD "  ttl: 1s\n", &c),
                        "4:1: error: params: missing required key 'quorum' (expected quorum: a "
                        "list of node names such as [c1, c2], or a role such as client)");
    assert_string_equal(apply("name: t\nprotocol: p\nnodes: {client: 1}\n", &c),
                        "2:1: error: params: missing required key 'quorum' (expected quorum: a "
                        "list of node names such as [c1, c2], or a role such as client)");
}

static void nodes_default_naming_an_absent_role_gives_no_nodes(void **state) {
    (void)state;
    cfg c;
    apply_ok("name: t\nprotocol: p\nnodes: {redis: 1}\nparams: {quorum: redis}\n", &c);
    assert_int_equal(c.clients.count, 0);
}

static void empty_spec_table_rejects_every_param(void **state) {
    (void)state;
    scn *s = load(HEAD "  ttl: 1s\n");
    char err[SIM_ERR_MAX];
    assert_int_equal(param_apply(NULL, 0, NULL, &s->params, s, "workload", err, sizeof err), -1);
    assert_string_equal(err, "p.yaml:5:3: error: unknown key 'ttl' in workload (there are "
                        "none)");
    scn_free(s);
    s->params.count = 0;
    assert_int_equal(param_apply(NULL, 0, NULL, &s->params, s, "workload", err, sizeof err), 0);
    free(s);
}

static void table_prints_aligned_columns_with_defaults_and_choices(void **state) {
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    param_print_table(specs, 3, f);
    fclose(f);
    assert_string_equal(buf,
                        "  ttl        duration  10s   lock time to live\n"
                        "  lease      duration  none  lease check margin (or none)\n"
                        "  retry.max  integer   3     attempts (1..10)\n");
    free(buf);
    f = open_memstream(&buf, &len);
    param_print_table(specs + 6, 3, f);
    fclose(f);
    assert_string_equal(buf,
                        "  release  choice  compare-and-delete  how to release "
                        "(compare-and-delete|del)\n"
                        "  clients  nodes   client              the clients\n"
                        "  quorum   nodes   (required)          the voters\n");
    free(buf);
}

/* ------------------------------------------------------------ bounds of every numeric type */

typedef struct bounded_cfg {
    sim_time timeout;               /* > 0 */
    sim_time lease;                 /* > 0, or none */
    sim_time window;                /* > 0 and at most 24 h */
    sim_time watchdog;              /* at least 3 ms */
    sim_time pause;                 /* at most 1 s */
    uint32_t share_ppm;             /* 1% to 50% */
    uint32_t sample_ppm;            /* above 0 */
    uint32_t skew_ppm;              /* at most 150 ppm */
    param_per_node hold;            /* 1 ms to 1 s, each */
    int64_t workers;                /* at least 1, no top */
} bounded_cfg;

static const param_spec bounded[] = {
    PARAM_DURATION_SPEC("timeout", "50ms", "request timeout", offsetof(bounded_cfg, timeout),
                        SIM_NS, PARAM_NO_MAX),
    PARAM_DURATION_OR_NONE_SPEC("lease", "none", "lease", offsetof(bounded_cfg, lease), SIM_NS,
                                PARAM_NO_MAX),
    PARAM_DURATION_SPEC("window", "60s", "the window", offsetof(bounded_cfg, window), SIM_NS,
                        24 * 3600 * SIM_S),
    PARAM_DURATION_SPEC("watchdog", "30s", "watchdog", offsetof(bounded_cfg, watchdog),
                        3 * SIM_MS, PARAM_NO_MAX),
    PARAM_DURATION_SPEC("pause", "0ms", "a pause", offsetof(bounded_cfg, pause), 0, SIM_S),
    PARAM_RATE_SPEC("share", "10%", "a share", offsetof(bounded_cfg, share_ppm), 10000, 500000),
    PARAM_RATE_SPEC("sample", "1%", "a sample", offsetof(bounded_cfg, sample_ppm), 1,
                    PARAM_NO_MAX),
    PARAM_RATE_SPEC("skew", "0%", "clock skew", offsetof(bounded_cfg, skew_ppm), 0, 150),
    PARAM_PER_NODE_DURATION_SPEC("hold", "2ms", "hold", offsetof(bounded_cfg, hold), SIM_MS,
                                 SIM_S),
    PARAM_INT_SPEC("workers", "4", "workers", offsetof(bounded_cfg, workers), 1, PARAM_NO_MAX),
};
#define BOUNDED_COUNT (sizeof bounded / sizeof bounded[0])

/* As apply(), with the bounded table. */
static const char *apply_bounded(const char *text, bounded_cfg *c) {
    static char err[SIM_ERR_MAX];
    scn *s = load(text);
    memset(c, 0x5a, sizeof *c);
    int rc = param_apply(bounded, BOUNDED_COUNT, c, &s->params, s, "params", err, sizeof err);
    scn_free(s);
    free(s);
    if (rc == 0) return NULL;
    assert_memory_equal(err, "p.yaml:", 7);
    return err + 7;
}

static void bounded_ok(const char *text, bounded_cfg *c) {
    const char *err = apply_bounded(text, c);
    if (err) print_error("unexpected: %s\n", err);
    assert_null(err);
}

static void defaults_within_their_bounds_are_accepted(void **state) {
    (void)state;
    bounded_cfg c;
    bounded_ok(HEAD "  pause: 0ms\n", &c);      /* the default too */
    assert_int_equal(c.timeout, 50 * SIM_MS);
    assert_int_equal(c.lease, -1);
    assert_int_equal(c.share_ppm, 100000);
    assert_int_equal(c.hold.node_ns[2], 2 * SIM_MS);
}

static void duration_below_its_minimum_is_rejected_at_the_value_with_the_bound_in_time(
    void **state) {
    (void)state;
    bounded_cfg c;
    assert_string_equal(apply_bounded(HEAD "  timeout: 0ms\n", &c),
                        "5:12: error: timeout: '0ms' is out of range (expected a duration "
                        "above 0)");
    assert_string_equal(apply_bounded(HEAD "  watchdog: 2999us\n", &c),
                        "5:13: error: watchdog: '2999us' is out of range (expected a duration "
                        "of at least 3 ms)");
    assert_string_equal(apply_bounded(HEAD "  window: 0s\n", &c),
                        "5:11: error: window: '0s' is out of range (expected a duration above 0 "
                        "and at most 24 h)");
}

static void duration_above_its_maximum_is_rejected_at_the_value_with_the_bound_in_time(
    void **state) {
    (void)state;
    bounded_cfg c;
    assert_string_equal(apply_bounded(HEAD "  window: 86400000000001ns\n", &c),
                        "5:11: error: window: '86400000000001ns' is out of range (expected a "
                        "duration above 0 and at most 24 h)");
    assert_string_equal(apply_bounded(HEAD "  pause: 1001ms\n", &c),
                        "5:10: error: pause: '1001ms' is out of range (expected a duration of "
                        "at most 1 s)");
}

static void duration_at_its_bounds_is_accepted(void **state) {
    (void)state;
    bounded_cfg c;
    bounded_ok(HEAD "  timeout: 1ns\n  watchdog: 3ms\n  window: 24h\n  pause: 1s\n", &c);
    assert_int_equal(c.timeout, 1);
    assert_int_equal(c.watchdog, 3 * SIM_MS);
    assert_int_equal(c.window, 24 * 3600 * SIM_S);
    assert_int_equal(c.pause, SIM_S);
    bounded_ok(HEAD "  pause: 0ms\n", &c);
    assert_int_equal(c.pause, 0);
}

static void duration_that_may_be_none_is_bounded_and_says_none_is_allowed(void **state) {
    (void)state;
    bounded_cfg c;
    assert_string_equal(apply_bounded(HEAD "  lease: 0s\n", &c),
                        "5:10: error: lease: '0s' is out of range (expected a duration above 0, "
                        "or none)");
    bounded_ok(HEAD "  lease: off\n", &c);
    assert_int_equal(c.lease, -1);
    bounded_ok(HEAD "  lease: 1ns\n", &c);
    assert_int_equal(c.lease, 1);
}

static void rate_outside_its_bounds_is_rejected_with_the_bound_in_percent(void **state) {
    (void)state;
    bounded_cfg c;
    assert_string_equal(apply_bounded(HEAD "  share: 0.5%\n", &c),
                        "5:10: error: share: '0.5%' is out of range (expected a rate from 1% to "
                        "50%)");
    assert_string_equal(apply_bounded(HEAD "  share: 0.500001\n", &c),
                        "5:10: error: share: '0.500001' is out of range (expected a rate from 1% "
                        "to 50%)");
    assert_string_equal(apply_bounded(HEAD "  sample: 0\n", &c),
                        "5:11: error: sample: '0' is out of range (expected a rate above 0)");
    assert_string_equal(apply_bounded(HEAD "  skew: 151ppm\n", &c),
                        "5:9: error: skew: '151ppm' is out of range (expected a rate of at most "
                        "150 ppm)");
}

static void rate_at_its_bounds_is_accepted(void **state) {
    (void)state;
    bounded_cfg c;
    bounded_ok(HEAD "  share: 1%\n  sample: 1ppm\n  skew: 150ppm\n", &c);
    assert_int_equal(c.share_ppm, 10000);
    assert_int_equal(c.sample_ppm, 1);
    assert_int_equal(c.skew_ppm, 150);
    bounded_ok(HEAD "  share: 0.5\n  sample: 100%\n", &c);
    assert_int_equal(c.share_ppm, 500000);
    assert_int_equal(c.sample_ppm, 1000000);
}

static void per_node_duration_checks_every_value_against_its_bounds(void **state) {
    (void)state;
    bounded_cfg c;
    assert_string_equal(apply_bounded(HEAD "  hold: 0ms\n", &c),
                        "5:9: error: hold: '0ms' is out of range (expected a duration from 1 ms "
                        "to 1 s)");
    assert_string_equal(apply_bounded(HEAD "  hold: {c1: 1ms, c2: 1001ms}\n", &c),
                        "5:23: error: hold.c2: '1001ms' is out of range (expected a duration "
                        "from 1 ms to 1 s)");
    bounded_ok(HEAD "  hold: {c1: 1ms, c3: 1s}\n", &c);
    assert_int_equal(c.hold.node_ns[2], SIM_MS);
    assert_int_equal(c.hold.node_ns[3], 2 * SIM_MS);
    assert_int_equal(c.hold.node_ns[4], SIM_S);
}

static void integer_with_an_open_top_says_its_least_value(void **state) {
    (void)state;
    bounded_cfg c;
    assert_string_equal(apply_bounded(HEAD "  workers: 0\n", &c),
                        "5:12: error: workers: '0' is out of range (expected a whole number of "
                        "at least 1)");
    bounded_ok(HEAD "  workers: 9223372036854775807\n", &c);
    assert_int_equal(c.workers, INT64_MAX);
}

static void table_prints_the_bounds_in_the_unit_of_each_type(void **state) {
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    param_print_table(bounded, BOUNDED_COUNT, f);
    fclose(f);
    assert_string_equal(buf,
                        "  timeout   duration       50ms  request timeout (> 0)\n"
                        "  lease     duration       none  lease (> 0, or none)\n"
                        "  window    duration       60s   the window (> 0, <= 24 h)\n"
                        "  watchdog  duration       30s   watchdog (>= 3 ms)\n"
                        "  pause     duration       0ms   a pause (<= 1 s)\n"
                        "  share     rate           10%   a share (1%..50%)\n"
                        "  sample    rate           1%    a sample (> 0)\n"
                        "  skew      rate           0%    clock skew (<= 150 ppm)\n"
                        "  hold      duration/node  2ms   hold (1 ms..1 s)\n"
                        "  workers   integer        4     workers (>= 1)\n");
    free(buf);
}

/* ------------------------------------------------------------ helpers for validate hooks */

#define WITH_WORKLOAD HEAD "  ttl: 1s\nworkload:\n  kind: w\n  every: 5ms\n"
/* params: ttl on line 5; workload: kind on line 7, every on line 8 */

static void param_find_gives_the_pair_or_null_when_left_out(void **state) {
    (void)state;
    scn *s = load(WITH_WORKLOAD);
    const scn_param *ttl = param_find(&s->params, "ttl");
    assert_non_null(ttl);
    assert_string_equal(ttl->value, "1s");
    assert_int_equal(ttl->key_pos.line, 5);
    assert_int_equal(ttl->key_pos.col, 3);
    assert_null(param_find(&s->params, "every"));           /* a workload key */
    assert_non_null(param_find(&s->workload, "every"));
    scn_pos fallback = { 99, 1 };
    assert_int_equal(param_pos(&s->params, "ttl", fallback).col, 8);
    assert_int_equal(param_pos(&s->params, "lease", fallback).line, 99);
    scn_free(s);
    free(s);
}

static void param_error_points_at_the_value_or_at_what_chose_the_default(void **state) {
    (void)state;
    scn *s = load(WITH_WORKLOAD);
    char err[SIM_ERR_MAX];
    assert_int_equal(param_error(s, &s->params, "ttl", err, sizeof err, "invalid %s (expected %d)",
                                 "ttl", 3), -1);
    assert_string_equal(err, "p.yaml:5:8: error: invalid ttl (expected 3)");
    param_error(s, &s->params, "lease", err, sizeof err, "lease: too short");
    assert_string_equal(err, "p.yaml:2:11: error: lease: too short");       /* protocol: p */
    param_error(s, &s->workload, "every", err, sizeof err, "every: too often");
    assert_string_equal(err, "p.yaml:8:10: error: every: too often");
    param_error(s, &s->workload, "count", err, sizeof err, "count: too many");
    assert_string_equal(err, "p.yaml:7:9: error: count: too many");          /* kind: w */
    scn_free(s);
    free(s);
}

static void empty_table_prints_nothing(void **state) {
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    param_print_table(NULL, 0, f);
    fclose(f);
    assert_int_equal(len, 0);
    free(buf);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_fill_every_field_the_scenario_leaves_out),
        cmocka_unit_test(scenario_values_override_the_defaults),
        cmocka_unit_test(unknown_param_suggests_the_nearest_spec_name),
        cmocka_unit_test(unknown_param_without_a_near_name_lists_the_names),
        cmocka_unit_test(duration_param_of_the_wrong_type_says_what_was_expected),
        cmocka_unit_test(none_or_off_gives_minus_one_where_allowed),
        cmocka_unit_test(integer_outside_its_bounds_or_not_a_number_is_rejected),
        cmocka_unit_test(bool_takes_true_or_false_only),
        cmocka_unit_test(rate_param_uses_the_rate_grammar),
        cmocka_unit_test(enum_stores_the_index_of_the_choice),
        cmocka_unit_test(enum_with_an_unknown_choice_lists_the_choices),
        cmocka_unit_test(nodes_param_takes_names_or_a_role),
        cmocka_unit_test(nodes_param_with_an_unknown_or_repeated_node_is_rejected),
        cmocka_unit_test(per_node_duration_takes_one_value_or_one_per_node),
        cmocka_unit_test(per_node_duration_for_an_unknown_node_suggests_the_nearest),
        cmocka_unit_test(required_param_left_out_is_reported_at_the_section),
        cmocka_unit_test(nodes_default_naming_an_absent_role_gives_no_nodes),
        cmocka_unit_test(empty_spec_table_rejects_every_param),
        cmocka_unit_test(table_prints_aligned_columns_with_defaults_and_choices),
        cmocka_unit_test(empty_table_prints_nothing),
        cmocka_unit_test(defaults_within_their_bounds_are_accepted),
        cmocka_unit_test(duration_below_its_minimum_is_rejected_at_the_value_with_the_bound_in_time),
        cmocka_unit_test(duration_above_its_maximum_is_rejected_at_the_value_with_the_bound_in_time),
        cmocka_unit_test(duration_at_its_bounds_is_accepted),
        cmocka_unit_test(duration_that_may_be_none_is_bounded_and_says_none_is_allowed),
        cmocka_unit_test(rate_outside_its_bounds_is_rejected_with_the_bound_in_percent),
        cmocka_unit_test(rate_at_its_bounds_is_accepted),
        cmocka_unit_test(per_node_duration_checks_every_value_against_its_bounds),
        cmocka_unit_test(integer_with_an_open_top_says_its_least_value),
        cmocka_unit_test(table_prints_the_bounds_in_the_unit_of_each_type),
        cmocka_unit_test(param_find_gives_the_pair_or_null_when_left_out),
        cmocka_unit_test(param_error_points_at_the_value_or_at_what_chose_the_default),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
