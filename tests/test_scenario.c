/* test_scenario.c -- the scenario loader (sim/scenario/scn.h): values,
 * suggestions, every section of DESIGN.md 6, the error messages, and the
 * broken files of tests/broken/, each of which names in its first line the
 * exact message it must produce:
 *
 *   # error: LINE:COL: error: what is wrong (what was expected)
 *
 * Broken files that only param_apply() can judge are checked against the
 * small parameter tables below, which copy the entries of setnx-lock's and
 * lock-counter's tables that those files touch: scripts/test.sh also runs
 * every broken file through `ccsim run`, with the real tables, and expects
 * the same message.
 * Run from the repository root.  A `scn` is ~190 KB, so tests heap-allocate it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/scenario/param.h"
#include "sim/scenario/scn.h"
#include "tests/test_scn_support.h"

#define BROKEN_DIR "tests/broken"

/* ---- helpers ------------------------------------------------------- */


/* Loads text, expects failure, returns the message without "t.yaml:". */
static const char *load_err(const char *text) {
    static char err[SIM_ERR_MAX];
    scn *s = sim_xmalloc(sizeof *s);
    int rc = scn_load_buffer("t.yaml", text, strlen(text), s, err, sizeof err);
    free(s);
    assert_int_equal(rc, -1);
    assert_memory_equal(err, "t.yaml:", 7);
    return err + 7;
}

#define HEAD "name: t\nprotocol: p\nnodes: {redis: 1, client: [c1, c2], storage: 1}\n"

static sim_time dur(const char *text) {
    sim_time v = -7;
    char err[SIM_ERR_MAX];
    int rc = scn_parse_duration(text, &v, err, sizeof err);
    if (rc != 0) print_error("%s: %s\n", text, err);
    assert_int_equal(rc, 0);
    return v;
}

static const char *dur_err(const char *text) {
    static char err[SIM_ERR_MAX];
    sim_time v = -7;
    assert_int_equal(scn_parse_duration(text, &v, err, sizeof err), -1);
    assert_int_equal(v, -7);                /* untouched on error */
    return err;
}

/* ---- durations ----------------------------------------------------- */

static void duration_with_each_unit_converts_to_exact_nanoseconds(void **state) {
    (void)state;
    assert_int_equal(dur("7ns"), 7);
    assert_int_equal(dur("20us"), 20 * SIM_US);
    assert_int_equal(dur("250ms"), 250 * SIM_MS);
    assert_int_equal(dur("30s"), 30 * SIM_S);
    assert_int_equal(dur("2m"), 120 * SIM_S);
    assert_int_equal(dur("1h"), 3600 * SIM_S);
    assert_int_equal(dur("0s"), 0);
    assert_int_equal(dur("10 s"), 10 * SIM_S);     /* as sim_fmt_time prints it */
}

static void decimal_duration_is_exact_without_floating_point(void **state) {
    (void)state;
    assert_int_equal(dur("1.5s"), 1500000000);
    assert_int_equal(dur("0.1s"), 100000000);
    assert_int_equal(dur("1.000000001s"), 1000000001);
    assert_int_equal(dur("2.5m"), 150 * SIM_S);
    assert_int_equal(dur("0.0000000001m"), 6);
    assert_int_equal(dur(".5ms"), 500 * SIM_US);
    assert_int_equal(dur("1.5000000000000s"), 1500000000);   /* trailing zeros are exact */
}

static void duration_without_unit_is_rejected_with_a_hint_to_add_one(void **state) {
    (void)state;
    assert_string_equal(dur_err("30"), "'30' has no unit (expected a unit after the number, "
                        "such as 30s or 30ms)");
    assert_string_equal(dur_err("0"), "'0' has no unit (expected a unit after the number, "
                        "such as 0s or 0ms)");
}

static void duration_with_an_unknown_unit_names_the_units(void **state) {
    (void)state;
    assert_string_equal(dur_err("5sec"), "'5sec' has an unknown unit 'sec' (expected ns, us, "
                        "ms, s, m or h)");
    assert_string_equal(dur_err("abc"), "'abc' is not a duration (expected a number with a "
                        "unit: ns, us, ms, s, m or h, such as 10s or 250ms)");
    assert_string_equal(dur_err(""), "'' is not a duration (expected a number with a unit: "
                        "ns, us, ms, s, m or h, such as 10s or 250ms)");
    dur_err("1.2.3s");
    dur_err("5.s");
    dur_err("1e3s");
}

static void negative_duration_is_rejected_where_a_duration_is_expected(void **state) {
    (void)state;
    assert_string_equal(dur_err("-5s"), "'-5s' is negative (expected a duration of 0 or more, "
                        "such as 10s or 250ms)");
    assert_int_equal(dur("+5s"), 5 * SIM_S);
}

static void duration_finer_than_a_nanosecond_is_rejected(void **state) {
    (void)state;
    assert_string_equal(dur_err("1.5ns"), "'1.5ns' is finer than a nanosecond (expected fewer "
                        "decimals, or a smaller unit)");
    dur_err("0.0000000001s");
}

static void duration_beyond_64_bits_is_rejected_not_wrapped(void **state) {
    (void)state;
    dur_err("9223372036854775808ns");
    dur_err("2562048h");
    dur_err("99999999999999999999999999s");
}

/* Issue 14: 2562047h and 9223372036854775807ns fitted 64 bits but every sum
 * a run makes of them overflowed; durations now stop at CONFIG_TIME_MAX,
 * 8760h, in every unit, signed or not. */
static void duration_beyond_a_year_is_rejected_with_the_range(void **state) {
    (void)state;
    assert_int_equal(dur("8760h"), CONFIG_TIME_MAX);
    assert_int_equal(dur("31536000000000000ns"), CONFIG_TIME_MAX);
    assert_int_equal(dur("525600m"), CONFIG_TIME_MAX);
    dur_err("31536000000000001ns");
    dur_err("8760.000000001h");
    dur_err("2562047h");
    dur_err("9223372036854775807ns");
    sim_time v = 0;
    char err[SIM_ERR_MAX];
    assert_int_equal(scn_parse_duration("2562047h", &v, err, sizeof err), -1);
    assert_string_equal(err, "'2562047h' is too large (expected at most 8760h)");
    assert_int_equal(scn_parse_signed_duration("-8760h", &v, err, sizeof err), 0);
    assert_int_equal(v, -CONFIG_TIME_MAX);
    assert_int_equal(scn_parse_signed_duration("-8761h", &v, err, sizeof err), -1);
    assert_int_equal(scn_parse_signed_duration("+9223372036854775807ns", &v, err, sizeof err), -1);
}

static void signed_duration_accepts_plus_and_minus(void **state) {
    (void)state;
    sim_time v = 0;
    char err[SIM_ERR_MAX];
    assert_int_equal(scn_parse_signed_duration("+20s", &v, err, sizeof err), 0);
    assert_int_equal(v, 20 * SIM_S);
    assert_int_equal(scn_parse_signed_duration("-5ms", &v, err, sizeof err), 0);
    assert_int_equal(v, -5 * SIM_MS);
    assert_int_equal(scn_parse_signed_duration("1.5s", &v, err, sizeof err), 0);
    assert_int_equal(v, 1500 * SIM_MS);
}

static void signed_duration_without_a_number_or_unit_is_rejected(void **state) {
    (void)state;
    sim_time v = 0;
    char err[SIM_ERR_MAX];
    assert_int_equal(scn_parse_signed_duration("-", &v, err, sizeof err), -1);
    assert_int_equal(scn_parse_signed_duration("+-5s", &v, err, sizeof err), -1);
    assert_int_equal(scn_parse_signed_duration("+20", &v, err, sizeof err), -1);
    assert_string_equal(err, "'+20' has no unit (expected a unit after the number, such as "
                        "+20s or +20ms)");
}

/* ---- rates --------------------------------------------------------- */

static void rate_accepts_percent_fraction_and_ppm(void **state) {
    (void)state;
    uint32_t v = 0;
    char err[SIM_ERR_MAX];
    const char *in[] = {"2%", "0.02", "20000ppm", "2.5%", "0", "1", "100%", "0.000001", "2 %"};
    const uint32_t want[] = {20000, 20000, 20000, 25000, 0, 1000000, 1000000, 1, 20000};
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
        assert_int_equal(scn_parse_rate(in[i], &v, err, sizeof err), 0);
        assert_int_equal(v, want[i]);
    }
}

static void rate_outside_zero_to_one_or_finer_than_a_ppm_is_rejected(void **state) {
    (void)state;
    uint32_t v = 7;
    char err[SIM_ERR_MAX];
    assert_int_equal(scn_parse_rate("150%", &v, err, sizeof err), -1);
    assert_string_equal(err, "'150%' is more than 100% (expected a rate from 0 to 1, such as "
                        "2%, 0.02 or 500ppm)");
    assert_int_equal(scn_parse_rate("2", &v, err, sizeof err), -1);
    assert_int_equal(scn_parse_rate("1000001ppm", &v, err, sizeof err), -1);
    assert_int_equal(scn_parse_rate("-2%", &v, err, sizeof err), -1);
    assert_string_equal(err, "'-2%' is negative (expected a rate from 0 to 1, such as 2%, "
                        "0.02 or 500ppm)");
    assert_int_equal(scn_parse_rate("0.0000001", &v, err, sizeof err), -1);
    assert_int_equal(scn_parse_rate("lots", &v, err, sizeof err), -1);
    assert_int_equal(scn_parse_rate("99999999999999999999999%", &v, err, sizeof err), -1);
    assert_int_equal(v, 7);
}

static void clock_rate_accepts_ratio_percent_and_ppm(void **state) {
    (void)state;
    int64_t v = 0;
    char err[SIM_ERR_MAX];
    const char *in[] = {"1.02", "102%", "1020000ppm", "1.0", "1", "0.5", "10"};
    const int64_t want[] = {1020000, 1020000, 1020000, 1000000, 1000000, 500000, 10000000};
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
        assert_int_equal(scn_parse_clock_rate(in[i], &v, err, sizeof err), 0);
        assert_int_equal(v, want[i]);
    }
}

static void clock_rate_of_zero_negative_or_absurd_is_rejected(void **state) {
    (void)state;
    int64_t v = 7;
    char err[SIM_ERR_MAX];
    assert_int_equal(scn_parse_clock_rate("0", &v, err, sizeof err), -1);
    assert_string_equal(err, "'0' is not above 0 (expected a clock rate above 0, such as 1.02, "
                        "102% or 1020000ppm)");
    assert_int_equal(scn_parse_clock_rate("-1.02", &v, err, sizeof err), -1);
    assert_int_equal(scn_parse_clock_rate("11", &v, err, sizeof err), -1);
    assert_int_equal(scn_parse_clock_rate("fast", &v, err, sizeof err), -1);
    assert_int_equal(v, 7);
}

/* ---- suggestions and messages -------------------------------------- */

static void nearest_suggests_a_known_word_within_two_edits_or_by_prefix(void **state) {
    (void)state;
    const char *keys[] = {"name", "duration", "description", "seed"};
    assert_string_equal(scn_nearest("durtion", keys, 4), "duration");
    assert_string_equal(scn_nearest("Duration", keys, 4), "duration");
    assert_string_equal(scn_nearest("sede", keys, 4), "seed");      /* transposition */
    assert_string_equal(scn_nearest("desc", keys, 4), "description");
}

static void nearest_suggests_nothing_for_a_distant_or_short_word(void **state) {
    (void)state;
    const char *keys[] = {"at", "for", "duration"};
    assert_null(scn_nearest("banana", keys, 3));
    assert_null(scn_nearest("xy", keys, 3));
    assert_null(scn_nearest("", keys, 3));
    assert_null(scn_nearest("at", keys, 0));
}

static void error_format_has_path_line_col_or_only_path(void **state) {
    (void)state;
    char err[SIM_ERR_MAX];
    scn_errorf(err, sizeof err, "a/b.yaml", (scn_pos){7, 3}, "unknown key '%s'", "x");
    assert_string_equal(err, "a/b.yaml:7:3: error: unknown key 'x'");
    scn_errorf(err, sizeof err, "a/b.yaml", (scn_pos){0, 0}, "cannot open");
    assert_string_equal(err, "a/b.yaml: error: cannot open");
    scn_errorf(err, 12, "a/b.yaml", (scn_pos){7, 3}, "long message");   /* truncates */
    assert_int_equal(strlen(err), 11);
}

/* ---- whole files --------------------------------------------------- */

static const char *const example =
    "name: lease-gc-pause\n"
    "description: >\n"
    "  Kleppmann 2016: a stop-the-world pause longer than the lease lets two clients write.\n"
    "seed: 42\n"
    "duration: 30s\n"
    "protocol: setnx-lock\n"
    "params:\n"
    "  ttl: 10s\n"
    "  release: compare-and-delete\n"
    "  fencing: false\n"
    "  retry: {every: 100ms, max: 3}\n"
    "nodes:\n"
    "  redis: 1\n"
    "  client: [c1, c2]\n"
    "  storage: 1\n"
    "network:\n"
    "  latency: 1ms\n"
    "  loss: 0%\n"
    "  duplicate: 0.5%\n"
    "  reorder: 100ppm\n"
    "  links:\n"
    "    - {from: c1, to: storage1, latency: 15s}\n"
    "    - {from: [c1, c2], to: redis, loss: 2%}\n"
    "clocks:\n"
    "  redis1: {offset: -5ms, rate: 1.02}\n"
    "workload:\n"
    "  kind: lock-counter\n"
    "  clients: [c1, c2]\n"
    "  iterations: 1\n"
    "  start: {c1: 0ms, c2: 10500ms}\n"
    "  hold: 2ms\n"
    "faults:\n"
    "  - {at: 4ms, pause: c1, for: 15s}\n"
    "  - {at: 1s, crash: redis1}\n"
    "  - {at: 1100ms, restart: redis1}\n"
    "  - {at: 2s, partition: [[c1, redis1], [c2]]}\n"
    "  - {at: 2s, cut: {from: [c1], to: [redis1, storage1]}, both: true}\n"
    "  - {at: 5s, heal: all}\n"
    "  - {at: 1s, clock: redis1, jump: +20s}\n"
    "  - {at: 0s, clock: redis1, rate: 1.02}\n"
    "  - {at: 10ms, delay: {from: c1, to: storage1}, by: 15s, for: 1s}\n"
    "checks: [mutual-exclusion, lease-overlap, lost-update, liveness]\n"
    "expect:\n"
    "  mutual-exclusion: violation\n"
    "  lease-overlap: violation\n"
    "  lost-update: unknown\n"
    "  liveness: ok\n";

static const scn_param *param(const scn_params *ps, const char *key) {
    for (uint32_t i = 0; i < ps->count; i++)
        if (strcmp(ps->items[i].key, key) == 0) return &ps->items[i];
    print_error("no param %s\n", key);
    fail();
    return NULL;
}

static void design_example_loads_every_section(void **state) {
    (void)state;
    scn *s = load_ok(example);
    assert_string_equal(s->path, "t.yaml");
    assert_string_equal(s->name, "lease-gc-pause");
    assert_string_equal(s->description, "Kleppmann 2016: a stop-the-world pause longer than "
                        "the lease lets two clients write.");
    assert_int_equal(s->seed, 42);
    assert_int_equal(s->duration_ns, 30 * SIM_S);
    assert_string_equal(s->protocol, "setnx-lock");
    assert_int_equal(s->protocol_pos.line, 6);
    assert_int_equal(s->protocol_pos.col, 11);
    assert_int_equal(s->params.count, 5);
    assert_int_equal(s->params.pos.line, 7);
    assert_string_equal(param(&s->params, "ttl")->value, "10s");
    assert_int_equal(s->node_count, 4);
    assert_int_equal(s->network.latency.a_ns, SIM_MS);
    assert_int_equal(s->network.duplicate_ppm, 5000);
    assert_int_equal(s->network.reorder_ppm, 100);
    assert_string_equal(s->workload_kind, "lock-counter");
    assert_int_equal(s->workload_pos.line, 27);
    assert_int_equal(s->workload.count, 5);
    assert_int_equal(s->fault_count, 9);
    assert_int_equal(s->check_count, 4);
    assert_string_equal(s->checks[3].name, "liveness");
    assert_int_equal(s->expect_count, 4);
    assert_string_equal(s->expect[2].check, "lost-update");
    assert_int_equal(s->expect[2].verdict, SCN_VERDICT_UNKNOWN);
    assert_int_equal(s->expect[1].verdict, SCN_VERDICT_VIOLATION);
    assert_int_equal(s->expect[3].verdict, SCN_VERDICT_OK);
    drop(s);
}

static void leaving_out_optional_keys_gives_the_documented_defaults(void **state) {
    (void)state;
    scn *s = load_ok(HEAD);
    assert_int_equal(s->seed, 1);
    assert_int_equal(s->duration_ns, 60 * SIM_S);
    assert_int_equal(s->network.latency.kind, SCN_LAT_FIXED);
    assert_int_equal(s->network.latency.a_ns, SIM_MS);
    assert_int_equal(s->network.loss_ppm, 0);
    assert_true(s->network.has_latency);
    assert_false(s->clocks[0].set);
    assert_int_equal(s->clocks[0].rate_ppm, 1000000);
    assert_int_equal(s->clocks[0].offset_ns, 0);
    assert_string_equal(s->workload_kind, "");
    assert_int_equal(s->params.count, 0);
    assert_int_equal(s->params.pos.line, 2);          /* the protocol: key */
    assert_int_equal(s->fault_count, 0);
    assert_int_equal(s->check_count, 0);
    drop(s);
}

static void leaving_out_a_required_key_is_reported_at_the_mapping(void **state) {
    (void)state;
    assert_string_equal(load_err("\n\nprotocol: p\nnodes: {c: 1}\n"),
                        "3:1: error: missing required key 'name' (expected the scenario's "
                        "name, such as name: lease-gc-pause)");
    assert_string_equal(load_err("name: t\nnodes: {c: 1}\n"),
                        "1:1: error: missing required key 'protocol' (expected the protocol "
                        "to run, such as protocol: setnx-lock)");
}

static void node_counts_give_role_numbered_names_in_file_order(void **state) {
    (void)state;
    scn *s = load_ok("name: t\nprotocol: p\nnodes:\n  redis: 3\n  client: [c1, c2]\n"
                     "  storage: 1\n");
    const char *names[] = {"redis1", "redis2", "redis3", "c1", "c2", "storage1"};
    const char *roles[] = {"redis", "redis", "redis", "client", "client", "storage"};
    const uint32_t index[] = {0, 1, 2, 0, 1, 0};
    assert_int_equal(s->node_count, 6);
    for (uint32_t i = 0; i < 6; i++) {
        assert_string_equal(s->nodes[i].name, names[i]);
        assert_string_equal(s->nodes[i].role, roles[i]);
        assert_int_equal(s->nodes[i].role_index, index[i]);
        assert_int_equal(scn_node_find(s, names[i]), (int32_t)i);
    }
    assert_int_equal(s->nodes[3].pos.line, 5);
    assert_int_equal(s->nodes[3].pos.col, 12);
    drop(s);
}

static void node_names_that_clash_or_overflow_the_table_are_rejected(void **state) {
    (void)state;
    scn *none = load_ok(HEAD);
    assert_int_equal(scn_node_find(none, "nobody"), -1);
    drop(none);
    assert_string_equal(load_err("name: t\nprotocol: p\nnodes: {redis: 2, x: [redis2]}\n"),
                        "3:23: error: duplicate node 'redis2' (first at 3:16; expected unique "
                        "node names)");
    assert_string_equal(load_err("name: t\nprotocol: p\nnodes: {redis: 60, client: 9941}\n"),
                        "3:28: error: too many nodes: more than 10000 (expected at most the "
                        "limit SIM_NODES_MAX)");
    assert_string_equal(load_err("name: t\nprotocol: p\nnodes: {client: 20000}\n"),
                        "3:17: error: too many nodes: more than 10000 (expected at most the "
                        "limit SIM_NODES_MAX)");
    assert_string_equal(load_err("name: t\nprotocol: p\nnodes: {client: [a/b]}\n"),
                        "3:18: error: nodes: 'a/b' has a character other than letters, "
                        "digits, '-' and '_' (expected a node name such as c1 or redis1)");
    scn *s = load_ok("name: t\nprotocol: p\nnodes: {redis: 64}\n");
    assert_string_equal(s->nodes[63].name, "redis64");
    drop(s);
    s = load_ok("name: t\nprotocol: p\nnodes: {redis: 1, client: 9999}\n");
    assert_int_equal(scn_node_find(s, "client5000"), 5000);
    assert_int_equal(s->node_count, 10000);
    assert_string_equal(s->nodes[9999].name, "client9999");
    drop(s);
}

static void a_mask_fault_past_the_first_64_nodes_is_an_error_naming_the_node(void **state) {
    (void)state;
    const char *big = "name: t\nprotocol: p\nduration: 10s\nnodes: {redis: 1, client: 100}\n";
    char text[512];
    snprintf(text, sizeof text, "%sfaults:\n  - {at: 1s, cut: {from: [client1, client70], "
             "to: redis1}}\n", big);
    assert_string_equal(load_err(text), "6:36: error: from: 'client70' takes in node "
                        "'client70', number 71 in the file, past the first 64 (expected nodes "
                        "among the first 64: a cut, a delay, a loss burst and a nemesis name "
                        "nodes by a 64-bit mask, the limit SIM_MASK_NODES)");
    snprintf(text, sizeof text, "%sfaults:\n  - {at: 1s, delay: {from: redis1, to: client}, "
             "by: 1s, for: 1s}\n", big);
    assert_non_null(strstr(load_err(text), "6:40: error: to: 'client' takes in node "
                           "'client100', number 101 in the file, past the first 64"));
    snprintf(text, sizeof text, "%snemesis: {kinds: [pause]}\n", big);
    assert_string_equal(load_err(text), "5:1: error: nemesis: 101 nodes (expected at most 64 "
                        "in a scenario with a nemesis: it draws its faults over a 64-bit node "
                        "mask, the limit SIM_MASK_NODES)");
    snprintf(text, sizeof text, "%sfaults:\n  - {at: 1s, cut: {from: [client1, client63], "
             "to: redis1}}\n  - {at: 2s, partition: [[client99], [client1]]}\n", big);
    scn *s = load_ok(text);                           /* the first 64; partitions: any */
    assert_int_equal(s->faults[0].from_mask, ((uint64_t)1 << 1) | ((uint64_t)1 << 63));
    assert_int_equal(scn_fault_group(s, &s->faults[1], 99), 0);
    assert_int_equal(scn_fault_group(s, &s->faults[1], 1), 1);
    assert_int_equal(scn_fault_group(s, &s->faults[1], 50), 2);
    drop(s);
}

static void nested_params_flatten_with_dots_and_lists_stay_lists(void **state) {
    (void)state;
    scn *s = load_ok(HEAD "params:\n  retry:\n    every: 100ms\n    max: 3\n"
                     "  backoff: {base: {min: 1ms}}\n  order: [redis1, c1]\n  quoted: \"a b\"\n");
    assert_int_equal(s->params.count, 5);
    const scn_param *p = param(&s->params, "retry.every");
    assert_string_equal(p->value, "100ms");
    assert_false(p->is_list);
    assert_int_equal(p->key_pos.line, 6);
    assert_int_equal(p->key_pos.col, 5);
    assert_int_equal(p->pos.col, 12);
    assert_string_equal(param(&s->params, "backoff.base.min")->value, "1ms");
    p = param(&s->params, "order");
    assert_true(p->is_list);
    assert_int_equal(p->item_count, 2);
    assert_string_equal(p->items[1], "c1");
    assert_string_equal(param(&s->params, "quoted")->value, "a b");
    drop(s);
}

static void params_that_collide_after_flattening_or_hold_maps_in_lists_are_rejected(void **state) {
    (void)state;
    assert_string_equal(load_err(HEAD "params:\n  retry: {every: 1s}\n  retry.every: 2s\n"),
                        "6:3: error: duplicate key 'retry.every' (first at 5:11; expected each "
                        "key once)");
    assert_string_equal(load_err(HEAD "params:\n  order: [{a: 1}]\n"),
                        "5:11: error: order: got a mapping (expected a list of single values "
                        "such as [c1, c2])");
}

static void workload_keeps_lists_and_flattens_maps_but_not_kind(void **state) {
    (void)state;
    scn *s = load_ok(example);
    const scn_param *p = param(&s->workload, "clients");
    assert_true(p->is_list);
    assert_int_equal(p->item_count, 2);
    p = param(&s->workload, "start.c2");
    assert_string_equal(p->value, "10500ms");
    assert_int_equal(p->key_pos.line, 30);
    assert_int_equal(s->workload.pos.line, 26);
    for (uint32_t i = 0; i < s->workload.count; i++)
        assert_string_not_equal(s->workload.items[i].key, "kind");
    drop(s);
}

static void workload_without_kind_is_rejected_at_its_key(void **state) {
    (void)state;
    assert_string_equal(load_err(HEAD "workload:\n  clients: [c1]\n"),
                        "4:1: error: workload: missing required key 'kind' (expected the "
                        "workload to drive the clients, such as kind: lock-counter)");
}

static void latency_is_fixed_uniform_or_exponential_with_a_floor(void **state) {
    (void)state;
    scn *s = load_ok(HEAD "network:\n  latency: {uniform: [1ms, 5ms]}\n  links:\n"
                     "    - {from: c1, to: c2, latency: {exponential: {mean: 2ms, min: 500us}}}\n"
                     "    - {from: c2, to: c1, latency: {exponential: 3ms}}\n");
    assert_int_equal(s->network.latency.kind, SCN_LAT_UNIFORM);
    assert_int_equal(s->network.latency.a_ns, SIM_MS);
    assert_int_equal(s->network.latency.b_ns, 5 * SIM_MS);
    assert_int_equal(s->link_count, 2);
    assert_true(s->links[0].props.has_latency);
    assert_false(s->links[0].props.has_loss);
    assert_int_equal(s->links[0].props.latency.kind, SCN_LAT_EXPONENTIAL);
    assert_int_equal(s->links[0].props.latency.a_ns, 2 * SIM_MS);
    assert_int_equal(s->links[0].props.latency.b_ns, 500 * SIM_US);
    assert_int_equal(s->links[1].props.latency.a_ns, 3 * SIM_MS);
    assert_int_equal(s->links[1].props.latency.b_ns, 0);
    drop(s);
}

static void latency_with_a_bad_distribution_is_rejected(void **state) {
    (void)state;
    assert_string_equal(load_err(HEAD "network:\n  latency: {normal: 1ms}\n"),
                        "5:13: error: unknown key 'normal' in latency (expected one of: "
                        "uniform, exponential)");
    assert_string_equal(load_err(HEAD "network:\n  latency: {uniform: [5ms, 1ms]}\n"),
                        "5:22: error: uniform: the low end is above the high end (expected "
                        "[low, high] such as [1ms, 5ms])");
    assert_string_equal(load_err(HEAD "network:\n  latency: {uniform: [1ms]}\n"),
                        "5:22: error: uniform: not two values (expected [low, high] such as "
                        "[1ms, 5ms])");
    assert_string_equal(load_err(HEAD "network:\n  latency: [1ms]\n"),
                        "5:12: error: latency: got a list (expected 1ms, {uniform: [1ms, 5ms]} "
                        "or {exponential: {mean: 2ms, min: 500us}})");
}

static void links_from_and_to_lists_or_roles_expand_to_every_pair(void **state) {
    (void)state;
    scn *s = load_ok(example);
    assert_int_equal(s->link_count, 3);             /* c1->storage1, c1->redis1, c2->redis1 */
    assert_int_equal(s->links[0].from, scn_node_find(s, "c1"));
    assert_int_equal(s->links[0].to, scn_node_find(s, "storage1"));
    assert_int_equal(s->links[0].props.latency.a_ns, 15 * SIM_S);
    assert_int_equal(s->links[1].from, scn_node_find(s, "c1"));
    assert_int_equal(s->links[1].to, scn_node_find(s, "redis1"));
    assert_int_equal(s->links[2].from, scn_node_find(s, "c2"));
    assert_int_equal(s->links[2].props.loss_ppm, 20000);
    assert_true(s->links[2].props.has_loss);
    assert_false(s->links[2].props.has_latency);
    drop(s);
}

static void link_to_an_unknown_node_suggests_the_nearest_name(void **state) {
    (void)state;
    assert_string_equal(load_err(HEAD "network:\n  links:\n    - {from: c1, to: storag1}\n"),
                        "6:22: error: to: unknown node 'storag1' (did you mean 'storage1'?)");
}

static void clocks_set_offset_and_rate_per_node(void **state) {
    (void)state;
    scn *s = load_ok(example);
    assert_true(s->clocks[0].set);
    assert_int_equal(s->clocks[0].offset_ns, -5 * SIM_MS);
    assert_int_equal(s->clocks[0].rate_ppm, 1020000);
    assert_int_equal(s->clocks[0].pos.line, 25);
    assert_false(s->clocks[1].set);
    assert_int_equal(s->clocks[1].rate_ppm, 1000000);
    drop(s);
}

static void clocks_of_unknown_nodes_or_with_bad_rates_are_rejected(void **state) {
    (void)state;
    assert_string_equal(load_err(HEAD "clocks:\n  redis2: {rate: 1.02}\n"),
                        "5:3: error: clocks: unknown node 'redis2' (did you mean 'redis1'?)");
    assert_string_equal(load_err(HEAD "clocks:\n  redis1: {rate: 0%}\n"),
                        "5:18: error: rate: '0%' is not above 0 (expected a clock rate above 0, "
                        "such as 1.02, 102% or 1020000ppm)");
}

static void every_fault_kind_fills_its_fields(void **state) {
    (void)state;
    scn *s = load_ok(example);
    int32_t c1 = scn_node_find(s, "c1"), r1 = scn_node_find(s, "redis1");
    int32_t st = scn_node_find(s, "storage1");
    const scn_fault *f = s->faults;
    /* sorted: 0s rate, 4ms pause, 10ms delay, 1s crash, 1s jump, 1.1s restart, 2s part, 2s cut, 5s heal */
    assert_int_equal(f[0].kind, SCN_FAULT_CLOCK_RATE);
    assert_int_equal(f[0].rate_ppm, 1020000);
    assert_int_equal(f[1].kind, SCN_FAULT_PAUSE);
    assert_int_equal(f[1].node, c1);
    assert_int_equal(f[1].for_ns, 15 * SIM_S);
    assert_int_equal(f[1].at_ns, 4 * SIM_MS);
    assert_int_equal(f[2].kind, SCN_FAULT_LINK_DELAY);
    assert_int_equal(f[2].from_mask, (uint64_t)1 << c1);
    assert_int_equal(f[2].to_mask, (uint64_t)1 << st);
    assert_int_equal(f[2].by_ns, 15 * SIM_S);
    assert_int_equal(f[2].for_ns, SIM_S);
    assert_int_equal(f[3].kind, SCN_FAULT_CRASH);
    assert_int_equal(f[3].for_ns, 0);
    assert_int_equal(f[4].kind, SCN_FAULT_CLOCK_JUMP);
    assert_int_equal(f[4].jump_ns, 20 * SIM_S);
    assert_int_equal(f[4].node, r1);
    assert_int_equal(f[5].kind, SCN_FAULT_RESTART);
    assert_int_equal(f[6].kind, SCN_FAULT_PARTITION);
    assert_int_equal(f[6].node, -1);
    assert_int_equal(f[7].kind, SCN_FAULT_CUT);
    assert_true(f[7].both);
    assert_int_equal(f[7].to_mask, ((uint64_t)1 << r1) | ((uint64_t)1 << st));
    assert_int_equal(f[8].kind, SCN_FAULT_HEAL);
    assert_int_equal(f[8].pos.line, 38);
    assert_int_equal(f[8].pos.col, 5);
    drop(s);
}

static void partition_puts_unlisted_nodes_in_one_more_group(void **state) {
    (void)state;
    scn *s = load_ok(HEAD "faults:\n  - {at: 1s, partition: [[c1, redis1], [c2]]}\n"
                     "  - {at: 2s, partition: [[redis1, c1, c2, storage1]]}\n"
                     "  - {at: 3s, partition: [client]}\n");
    /* nodes: redis1 c1 c2 storage1 */
    assert_int_equal(s->faults[0].group_count, 3);
    assert_int_equal(s->faults[0].group[0], 0);
    assert_int_equal(s->faults[0].group[1], 0);
    assert_int_equal(s->faults[0].group[2], 1);
    assert_int_equal(s->faults[0].group[3], 2);
    assert_int_equal(s->faults[1].group_count, 1);
    assert_int_equal(s->faults[2].group_count, 2);          /* a flat list: one group + rest */
    assert_int_equal(s->faults[2].group[1], 0);
    assert_int_equal(s->faults[2].group[0], 1);
    drop(s);
}

static void partition_with_a_node_in_two_groups_is_rejected(void **state) {
    (void)state;
    assert_string_equal(load_err(HEAD "faults:\n  - {at: 1s, partition: [[c1], [c2, c1]]}\n"),
                        "5:32: error: partition: node 'c1' is in two groups (expected each node "
                        "in at most one group)");
    assert_string_equal(load_err(HEAD "faults:\n  - {at: 1s, partition: [[c1], c2]}\n"),
                        "5:32: error: partition: got a single value (expected a group as a "
                        "list, such as [c1, redis1])");
}

static void faults_are_sorted_stably_by_time(void **state) {
    (void)state;
    scn *s = load_ok(HEAD "faults:\n  - {at: 3s, crash: c1}\n  - {at: 1s, crash: c2}\n"
                     "  - {at: 3s, restart: c1}\n  - {at: 1s, restart: c2}\n"
                     "  - {at: 3s, heal: all}\n  - {at: 0s, heal: all}\n");
    const scn_fault_kind kind[] = {SCN_FAULT_HEAL, SCN_FAULT_CRASH, SCN_FAULT_RESTART,
                                   SCN_FAULT_CRASH, SCN_FAULT_RESTART, SCN_FAULT_HEAL};
    const uint32_t line[] = {10, 6, 8, 5, 7, 9};
    assert_int_equal(s->fault_count, 6);
    for (uint32_t i = 0; i < 6; i++) {
        assert_int_equal(s->faults[i].kind, kind[i]);
        assert_int_equal(s->faults[i].pos.line, line[i]);
    }
    drop(s);
}

static void a_restart_of_a_node_that_is_up_is_refused_at_its_entry(void **state) {
    (void)state;
    assert_string_equal(load_err(HEAD "faults:\n  - {at: 1s, restart: c1}\n"),
                        "5:5: error: restart: node 'c1' is not down at 1 s: no crash or "
                        "power-loss of it comes before (expected a restart of a node that a "
                        "crash or power-loss took down and nothing has brought back)");
    assert_string_equal(load_err(HEAD "faults:\n  - {at: 1s, crash: c1, for: 2s}\n"
                                 "  - {at: 3s, restart: c1}\n"),
                        "6:5: error: restart: node 'c1' is not down at 3 s: it went down at 1 s "
                        "and came back by the crash's `for` at 3 s (expected a restart of a node "
                        "that a crash or power-loss took down and nothing has brought back)");
    assert_non_null(strstr(load_err(HEAD "faults:\n  - {at: 1s, crash: c1}\n"
                                    "  - {at: 2s, restart: c1}\n  - {at: 2s, restart: c1}\n"),
                           "7:5: error: restart: node 'c1' is not down at 2 s: it went down at 1 s "
                           "and a restart brought it back at 2 s"));
    /* a restart listed before the crash of the same instant finds it up */
    assert_non_null(strstr(load_err(HEAD "faults:\n  - {at: 1s, restart: c1}\n"
                                    "  - {at: 1s, crash: c1}\n"), "5:5: error: restart:"));
    drop(load_ok(HEAD "faults:\n  - {at: 1s, crash: c1, for: 2s}\n  - {at: 2999ms, restart: c1}\n"
                 "  - {at: 4s, power-loss: c1}\n  - {at: 5s, restart: c1}\n"));
    /* a node the nemesis may crash: the file does not show its schedule */
    drop(load_ok(HEAD "nemesis:\n  kinds: [crash]\nfaults:\n  - {at: 1s, restart: c1}\n"));
    assert_non_null(strstr(load_err(HEAD "nemesis:\n  kinds: [crash]\n  targets: [c2]\n"
                                    "faults:\n  - {at: 1s, restart: c1}\n"), "error: restart:"));
}

static void fault_at_the_horizon_is_accepted_but_after_it_is_rejected(void **state) {
    (void)state;
    scn *s = load_ok(HEAD "duration: 10s\nfaults: [{at: 10s, heal: all}]\n");
    assert_int_equal(s->faults[0].at_ns, 10 * SIM_S);
    drop(s);
    assert_string_equal(load_err(HEAD "duration: 10s\nfaults: [{at: 10001ms, heal: all}]\n"),
                        "5:15: error: at: 10001ms is after the end of the run (expected at "
                        "most the duration, 10 s)");
}

static void a_crash_may_restart_after_for_but_a_pause_needs_for(void **state) {
    (void)state;
    scn *s = load_ok(HEAD "faults: [{at: 1s, crash: redis1, for: 2s}]\n");
    assert_int_equal(s->faults[0].for_ns, 2 * SIM_S);
    drop(s);
    assert_string_equal(load_err(HEAD "faults: [{at: 1s, pause: c1}]\n"),
                        "4:10: error: pause without 'for' (expected how long the node stays "
                        "paused, such as for: 15s)");
    assert_string_equal(load_err(HEAD "faults: [{at: 1s, crash: c1, for: 0s}]\n"),
                        "4:35: error: for: '0s' is zero (expected how long until the node "
                        "restarts, above 0; leave 'for' out for no restart)");
}

static void power_loss_takes_the_keys_of_a_crash_and_is_its_own_kind(void **state) {
    (void)state;
    scn *s = load_ok(HEAD "faults: [{at: 1s, power-loss: redis1, for: 2s},\n"
                     "         {at: 3s, power-loss: c1}]\n");
    assert_int_equal(s->faults[0].kind, SCN_FAULT_POWER_LOSS);
    assert_int_equal(s->faults[0].node, scn_node_find(s, "redis1"));
    assert_int_equal(s->faults[0].for_ns, 2 * SIM_S);
    assert_int_equal(s->faults[1].kind, SCN_FAULT_POWER_LOSS);
    assert_int_equal(s->faults[1].for_ns, 0);
    assert_true(scn_fault_crashes(s->faults[0].kind));
    assert_string_equal(scn_fault_kind_name(s->faults[0].kind), "power-loss");
    drop(s);
    assert_string_equal(load_err(HEAD "faults: [{at: 1s, power-loss: redis9}]\n"),
                        "4:31: error: power-loss: unknown node 'redis9' (did you mean "
                        "'redis1'?)");
    assert_string_equal(load_err(HEAD "faults: [{at: 1s, power-loss: c1, for: 0s}]\n"),
                        "4:40: error: for: '0s' is zero (expected how long until the node "
                        "restarts, above 0; leave 'for' out for no restart)");
    assert_string_equal(load_err(HEAD "faults: [{at: 1s, power-loss: c1, both: true}]\n"),
                        "4:35: error: key 'both' does not apply to a power-loss fault (expected "
                        "only at, power-loss, and optionally for)");
    assert_string_equal(load_err(HEAD "faults: [{at: 1s, power_loss: c1}]\n"),
                        "4:19: error: unknown key 'power_loss' in a fault (did you mean "
                        "'power-loss'?)");
    assert_string_equal(load_err(HEAD "faults: [{at: 1s, crash: c1, power-loss: c1}]\n"),
                        "4:30: error: a fault with two kinds, 'crash' and 'power-loss' "
                        "(expected exactly one kind per fault; write two faults)");
}

static void fault_with_two_kinds_or_none_is_rejected(void **state) {
    (void)state;
    assert_string_equal(load_err(HEAD "faults: [{at: 1s, pause: c1, crash: c2, for: 1s}]\n"),
                        "4:30: error: a fault with two kinds, 'pause' and 'crash' (expected "
                        "exactly one kind per fault; write two faults)");
    assert_string_equal(load_err(HEAD "faults: [{at: 1s}]\n"),
                        "4:10: error: a fault without a kind (expected one of pause, crash, "
                        "power-loss, restart, partition, cut, heal, clock, delay, loss)");
}

static void fault_keys_that_do_not_belong_to_its_kind_are_rejected(void **state) {
    (void)state;
    assert_string_equal(load_err(HEAD "faults: [{at: 1s, restart: c1, for: 1s}]\n"),
                        "4:32: error: key 'for' does not apply to a restart fault (expected "
                        "only at, restart)");
    assert_string_equal(load_err(HEAD "faults: [{at: 1s, pause: c1, fro: 1s}]\n"),
                        "4:30: error: unknown key 'fro' in a fault (did you mean 'for'?)");
}

static void clock_fault_needs_exactly_one_of_jump_or_rate(void **state) {
    (void)state;
    scn *s = load_ok(HEAD "faults: [{at: 1s, clock: redis1, jump: -5s}]\n");
    assert_int_equal(s->faults[0].jump_ns, -5 * SIM_S);
    drop(s);
    assert_string_equal(load_err(HEAD "faults: [{at: 1s, clock: redis1}]\n"),
                        "4:10: error: a clock fault without 'jump' or 'rate' (expected one, "
                        "such as jump: +20s or rate: 1.02)");
    assert_string_equal(load_err(HEAD "faults: [{at: 1s, clock: redis1, jump: 1s, rate: 2}]\n"),
                        "4:50: error: a clock fault with both 'jump' and 'rate' (expected one "
                        "of them; write two faults)");
}

static void cut_is_one_way_unless_both_and_needs_from_and_to(void **state) {
    (void)state;
    scn *s = load_ok(HEAD "faults: [{at: 1s, cut: {from: client, to: redis1, both: true}},\n"
                     "         {at: 1s, cut: {from: c1, to: c2}}]\n");
    assert_int_equal(s->faults[0].from_mask, 6);            /* c1, c2 */
    assert_true(s->faults[0].both);
    assert_false(s->faults[1].both);
    drop(s);
    assert_string_equal(load_err(HEAD "faults: [{at: 1s, cut: {from: c1}}]\n"),
                        "4:24: error: cut without 'to' (expected the receiving nodes, such as "
                        "to: [redis1])");
}

static void nemesis_is_read_with_defaults_from_the_window(void **state) {
    (void)state;
    scn *s = load_ok(HEAD "nemesis:\n  kinds: [crash, partition]\n  until: 8s\n");
    assert_true(s->nemesis.on);
    assert_int_equal(s->nemesis.kinds, 1u << SCN_NEM_CRASH | 1u << SCN_NEM_HALVES |
                     1u << SCN_NEM_MAJORITY | 1u << SCN_NEM_BRIDGE | 1u << SCN_NEM_ISOLATE);
    assert_int_equal(s->nemesis.until_ns, 8 * SIM_S);
    assert_int_equal(s->nemesis.every.kind, SCN_LAT_EXPONENTIAL);
    assert_int_equal(s->nemesis.every.a_ns, SIM_S);          /* the window / 8 */
    assert_int_equal(s->nemesis.targets, (1u << s->node_count) - 1u);
    assert_false(s->nemesis.swarm);
    drop(s);
    s = load_ok(HEAD "nemesis:\n");                         /* empty: no nemesis */
    assert_false(s->nemesis.on);
    drop(s);
    assert_string_equal(load_err(HEAD "nemesis:\n  kinds: [crash, partitoin]\n"),
                        "5:18: error: kinds: unknown fault kind 'partitoin' (did you mean "
                        "'partition'?)");
    assert_string_equal(load_err(HEAD "nemesis:\n  kinds: [power_loss]\n"),
                        "5:11: error: kinds: unknown fault kind 'power_loss' (did you mean "
                        "'power-loss'?)");
    s = load_ok(HEAD "nemesis:\n  kinds: [power-loss]\n");
    assert_int_equal(s->nemesis.kinds, 1u << SCN_NEM_POWER_LOSS);
    drop(s);
    s = load_ok(HEAD "nemesis: {}\n");                 /* the default leaves it out */
    assert_int_equal(s->nemesis.kinds, SCN_NEM_DEFAULT_KINDS);
    assert_int_equal(s->nemesis.kinds & 1u << SCN_NEM_POWER_LOSS, 0);
    drop(s);
}

static void expect_takes_only_known_verdicts(void **state) {
    (void)state;
    assert_string_equal(load_err(HEAD "expect: {liveness: okay}\n"),
                        "4:20: error: liveness: unknown verdict 'okay' (expected ok, violation "
                        "or unknown; did you mean 'ok'?)");
}

static void unknown_top_level_key_suggests_the_nearest_known_key(void **state) {
    (void)state;
    assert_string_equal(load_err(HEAD "durtion: 30s\n"),
                        "4:1: error: unknown key 'durtion' (did you mean 'duration'?)");
}

static void unknown_top_level_key_without_a_near_one_lists_the_keys(void **state) {
    (void)state;
    assert_string_equal(load_err(HEAD "colour: red\n"),
                        "4:1: error: unknown key 'colour' (expected one of: name, description, "
                        "seed, duration, protocol, params, nodes, network, clocks, workload, "
                        "faults, nemesis, checks, check_budgets, expect)");
}

static void wrong_type_says_what_it_got_and_what_was_expected(void **state) {
    (void)state;
    assert_string_equal(load_err(HEAD "seed: {a: 1}\n"),
                        "4:7: error: seed: got a mapping (expected an unsigned integer such as "
                        "1 or 42)");
    assert_string_equal(load_err(HEAD "seed: -1\n"),
                        "4:7: error: seed: '-1' is not an unsigned integer (expected a whole "
                        "number such as 1 or 42)");
    assert_string_equal(load_err(HEAD "checks: liveness\n"),
                        "4:9: error: checks: got a single value (expected a list of check names "
                        "such as [mutual-exclusion, liveness])");
    scn *s = load_ok(HEAD "seed: 18446744073709551615\n");
    assert_int_equal(s->seed, UINT64_MAX);
    drop(s);
}

static void yaml_syntax_error_gives_libyaml_problem_and_position(void **state) {
    (void)state;
    assert_string_equal(load_err("name: t\nprotocol: [p\n"),
                        "3:1: error: invalid YAML: did not find expected ',' or ']' (while "
                        "parsing a flow sequence that started at 2:11)");
    assert_string_equal(load_err("name: t\n\tprotocol: p\n"),
                        "2:1: error: invalid YAML: a tab character (expected spaces; YAML does "
                        "not allow tabs for indentation)");
    assert_string_equal(load_err("name: \xff\n"),
                        "1:7: error: invalid YAML: invalid leading UTF-8 octet (expected UTF-8 "
                        "text)");
}

static void empty_file_or_non_mapping_top_level_is_rejected(void **state) {
    (void)state;
    const char *empty = "1:1: error: the file is empty (expected a mapping with at least "
                        "name, protocol and nodes)";
    assert_string_equal(load_err(""), empty);
    assert_string_equal(load_err("# only a comment\n"), empty);
    assert_string_equal(load_err("---\n"), empty);
    assert_string_equal(load_err("- a\n- b\n"),
                        "1:1: error: the top level is a list (expected a mapping with keys "
                        "such as name, protocol and nodes)");
    assert_string_equal(load_err(HEAD "---\nname: u\n"),
                        "5:1: error: a second YAML document (expected one scenario per file; "
                        "remove the '---')");
}

static void aliases_are_expanded_but_recursion_and_blowup_are_bounded(void **state) {
    (void)state;
    scn *s = load_ok(HEAD "params:\n  a: &x 5ms\n  b: *x\n");
    assert_string_equal(param(&s->params, "b")->value, "5ms");
    drop(s);
    assert_string_equal(load_err(HEAD "params:\n  a: &x [*x]\n"),
                        "5:6: error: nested too deeply: more than 16 levels (expected at most "
                        "the limit SCN_DEPTH_MAX)");
    char text[4096];
    int n = snprintf(text, sizeof text, "%s", HEAD "x0: &a0 [1,1,1,1,1,1,1,1,1,1]\n");
    for (int i = 1; i < 8; i++)
        n += snprintf(text + n, sizeof text - (size_t)n, "x%d: &a%d [*a%d,*a%d,*a%d,*a%d,*a%d,"
                      "*a%d,*a%d,*a%d,*a%d,*a%d]\n", i, i, i - 1, i - 1, i - 1, i - 1, i - 1,
                      i - 1, i - 1, i - 1, i - 1, i - 1);
    const char *msg = load_err(text);
    assert_non_null(strstr(msg, "too many values: more than 100000"));
}

static void missing_file_is_an_error_without_a_position(void **state) {
    (void)state;
    scn *s = sim_xmalloc(sizeof *s);
    char err[SIM_ERR_MAX];
    assert_int_equal(scn_load("tests/broken/no-such-file.yaml", s, err, sizeof err), -1);
    assert_string_equal(err, "tests/broken/no-such-file.yaml: error: cannot open the file: "
                        "No such file or directory");
    assert_int_equal(scn_load("tests/broken", s, err, sizeof err), -1);     /* a directory */
    assert_non_null(strstr(err, "tests/broken: error: cannot"));
    free(s);
}

static void values_over_their_bounds_are_errors_naming_the_bound(void **state) {
    (void)state;
    char text[8192];
    int n = snprintf(text, sizeof text, HEAD "checks: [");
    for (int i = 0; i < SCN_CHECKS_MAX + 1; i++)
        n += snprintf(text + n, sizeof text - (size_t)n, "%sc%d", i ? ", " : "", i);
    snprintf(text + n, sizeof text - (size_t)n, "]\n");
    assert_non_null(strstr(load_err(text), "(expected at most the limit SCN_CHECKS_MAX)"));
    snprintf(text, sizeof text, HEAD "description: %0*d\n", SCN_TEXT_MAX, 0);
    assert_non_null(strstr(load_err(text), "the limit SCN_TEXT_MAX)"));
    snprintf(text, sizeof text, "name: t\nprotocol: p\nnodes: {c: [%0*d]}\n", SIM_NAME_MAX, 0);
    assert_non_null(strstr(load_err(text), "the limit SIM_NAME_MAX)"));
}

/* 64 link delays fit at once; one that starts when another has ended
 * takes its place; a 65th at once is an error at its own line. */
static void link_delays_active_at_once_are_bounded_at_the_fault(void **state) {
    (void)state;
    char text[8192];
    int n = snprintf(text, sizeof text, HEAD "faults:\n");
    for (int i = 0; i < SCN_DELAYS_MAX; i++)
        n += snprintf(text + n, sizeof text - (size_t)n,
                      "  - {at: %dms, delay: {from: c1, to: redis1}, by: 1ms, for: 1s}\n", i);
    int ok = n;
    snprintf(text + n, sizeof text - (size_t)n,
             "  - {at: 1000ms, delay: {from: c1, to: redis1}, by: 1ms, for: 1s}\n");
    drop(load_ok(text));                        /* the one at 0ms has just ended */
    snprintf(text + ok, sizeof text - (size_t)ok,
             "  - {at: 999ms, delay: {from: c1, to: redis1}, by: 1ms, for: 1s}\n");
    assert_string_equal(load_err(text), "69:5: error: delay: 64 link delays and loss bursts are "
                        "already active at this time (expected at most 64 at once, the limit "
                        "SCN_DELAYS_MAX)");
}

/* ---- never crash --------------------------------------------------- */

/* Every prefix of the example, and a few thousand seeded byte flips, load
 * or fail with a message; ASan/UBSan builds turn any slip into a failure. */
static void truncated_and_corrupted_files_give_errors_not_crashes(void **state) {
    (void)state;
    size_t len = strlen(example);
    char *buf = sim_xmalloc(len + 1);
    scn *s = sim_xmalloc(sizeof *s);
    char err[SIM_ERR_MAX];
    for (size_t cut = 0; cut <= len; cut++) {
        memcpy(buf, example, cut);
        if (scn_load_buffer("t.yaml", buf, cut, s, err, sizeof err) == 0) scn_free(s);
        else assert_non_null(strstr(err, ": error: "));
    }
    uint64_t x = 88172645463325252u;                        /* xorshift64, fixed seed */
    static const char bytes[] = "{}[]:,-#&*!|>'\"%@`\t\n 0a\xff";
    for (int round = 0; round < 3000; round++) {
        memcpy(buf, example, len);
        for (int k = 0; k < 1 + round % 4; k++) {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            buf[x % len] = bytes[(x >> 32) % (sizeof bytes - 1)];
        }
        if (scn_load_buffer("t.yaml", buf, len, s, err, sizeof err) == 0) scn_free(s);
        else assert_non_null(strstr(err, ": error: "));
    }
    free(s);
    free(buf);
}

/* ---- the broken files ---------------------------------------------- */

typedef struct proto_cfg {
    sim_time ttl;
    int release;
    bool fencing;
    sim_time retry_every;
    int64_t retry_max;
    sim_time watchdog_timeout;
} proto_cfg;

static const param_spec proto_specs[] = {
    {"ttl", PARAM_DURATION, "10s", "lock time to live", offsetof(proto_cfg, ttl), NULL, 0, 0,
     true},
    {"release", PARAM_ENUM, "compare-and-delete", "how to release",
     offsetof(proto_cfg, release), "compare-and-delete|del", 0, 0, false},
    {"fencing", PARAM_BOOL, "false", "fencing tokens", offsetof(proto_cfg, fencing), NULL, 0, 0,
     false},
    {"retry.every", PARAM_DURATION, "100ms", "retry interval", offsetof(proto_cfg, retry_every),
     NULL, 0, 0, false},
    {"retry.max", PARAM_INT, "-1", "retries", offsetof(proto_cfg, retry_max), NULL, -1,
     1000000000, false},
    {"watchdog.timeout", PARAM_DURATION, "30s", "watchdog", offsetof(proto_cfg, watchdog_timeout),
     NULL, 3 * SIM_MS, PARAM_NO_MAX, false},
};

typedef struct workload_cfg {
    param_nodes clients;
    int64_t iterations;
    param_per_node start;
    sim_time hold;
    sim_time request_timeout;
} workload_cfg;

static const param_spec workload_specs[] = {
    {"clients", PARAM_NODES, "client", "the clients", offsetof(workload_cfg, clients), NULL, 0,
     0, false},
    {"iterations", PARAM_INT, "1", "per client", offsetof(workload_cfg, iterations), NULL, 0,
     1000000, false},
    {"start", PARAM_PER_NODE_DURATION, "0ms", "start", offsetof(workload_cfg, start), NULL, 0, 0,
     false},
    {"hold", PARAM_DURATION, "2ms", "hold", offsetof(workload_cfg, hold), NULL, 0, 0, false},
    {"request_timeout", PARAM_DURATION, "1s", "storage request timeout",
     offsetof(workload_cfg, request_timeout), NULL, SIM_NS, PARAM_NO_MAX, false},
};

/* The message the file produces: the loader's, else param_apply's. */
static int broken_message(const char *path, char *err, size_t err_len) {
    scn *s = sim_xmalloc(sizeof *s);
    int rc = scn_load(path, s, err, err_len);
    if (rc == 0) {
        proto_cfg pc;
        workload_cfg wc;
        rc = param_apply(proto_specs, sizeof proto_specs / sizeof proto_specs[0], &pc,
                         &s->params, s, "params", err, err_len);
        if (rc == 0 && s->workload_kind[0])
            rc = param_apply(workload_specs, sizeof workload_specs / sizeof workload_specs[0],
                             &wc, &s->workload, s, "workload", err, err_len);
        scn_free(s);
    }
    free(s);
    return rc;
}

static bool broken_check_one(const char *name) {
    char path[512], want[SIM_ERR_MAX] = "", got[SIM_ERR_MAX] = "";
    snprintf(path, sizeof path, "%s/%s", BROKEN_DIR, name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    bool have = fgets(want, sizeof want, f) != NULL;
    fclose(f);
    want[strcspn(want, "\r\n")] = '\0';
    if (!have || strncmp(want, "# error: ", 9) != 0) {
        print_error("%s: the first line must be '# error: <message>'\n", path);
        return false;
    }
    if (broken_message(path, got, sizeof got) == 0) {
        print_error("%s: loaded without an error\n  want: %s\n", path, want + 9);
        return false;
    }
    size_t plen = strlen(path);
    const char *rest = strncmp(got, path, plen) == 0 && got[plen] == ':' ? got + plen + 1 : got;
    if (strcmp(rest, want + 9) == 0) return true;
    print_error("%s:\n  want: %s\n  got:  %s\n", path, want + 9, rest);
    return false;
}

static int name_cmp(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void every_broken_file_produces_the_message_in_its_first_line(void **state) {
    (void)state;
    DIR *d = opendir(BROKEN_DIR);
    assert_non_null(d);
    char *names[256];
    size_t count = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL && count < 256;) {
        size_t n = strlen(e->d_name);
        if (n > 5 && strcmp(e->d_name + n - 5, ".yaml") == 0) names[count++] = sim_xstrdup(e->d_name);
    }
    closedir(d);
    qsort(names, count, sizeof names[0], name_cmp);
    size_t failed = 0;
    for (size_t i = 0; i < count; i++) {
        if (!broken_check_one(names[i])) failed++;
        free(names[i]);
    }
    assert_true(count >= 20);
    assert_int_equal(failed, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(duration_with_each_unit_converts_to_exact_nanoseconds),
        cmocka_unit_test(decimal_duration_is_exact_without_floating_point),
        cmocka_unit_test(duration_without_unit_is_rejected_with_a_hint_to_add_one),
        cmocka_unit_test(duration_with_an_unknown_unit_names_the_units),
        cmocka_unit_test(negative_duration_is_rejected_where_a_duration_is_expected),
        cmocka_unit_test(duration_finer_than_a_nanosecond_is_rejected),
        cmocka_unit_test(duration_beyond_64_bits_is_rejected_not_wrapped),
        cmocka_unit_test(duration_beyond_a_year_is_rejected_with_the_range),
        cmocka_unit_test(signed_duration_accepts_plus_and_minus),
        cmocka_unit_test(signed_duration_without_a_number_or_unit_is_rejected),
        cmocka_unit_test(rate_accepts_percent_fraction_and_ppm),
        cmocka_unit_test(rate_outside_zero_to_one_or_finer_than_a_ppm_is_rejected),
        cmocka_unit_test(clock_rate_accepts_ratio_percent_and_ppm),
        cmocka_unit_test(clock_rate_of_zero_negative_or_absurd_is_rejected),
        cmocka_unit_test(nearest_suggests_a_known_word_within_two_edits_or_by_prefix),
        cmocka_unit_test(nearest_suggests_nothing_for_a_distant_or_short_word),
        cmocka_unit_test(error_format_has_path_line_col_or_only_path),
        cmocka_unit_test(design_example_loads_every_section),
        cmocka_unit_test(leaving_out_optional_keys_gives_the_documented_defaults),
        cmocka_unit_test(leaving_out_a_required_key_is_reported_at_the_mapping),
        cmocka_unit_test(node_counts_give_role_numbered_names_in_file_order),
        cmocka_unit_test(node_names_that_clash_or_overflow_the_table_are_rejected),
        cmocka_unit_test(a_mask_fault_past_the_first_64_nodes_is_an_error_naming_the_node),
        cmocka_unit_test(nested_params_flatten_with_dots_and_lists_stay_lists),
        cmocka_unit_test(params_that_collide_after_flattening_or_hold_maps_in_lists_are_rejected),
        cmocka_unit_test(workload_keeps_lists_and_flattens_maps_but_not_kind),
        cmocka_unit_test(workload_without_kind_is_rejected_at_its_key),
        cmocka_unit_test(latency_is_fixed_uniform_or_exponential_with_a_floor),
        cmocka_unit_test(latency_with_a_bad_distribution_is_rejected),
        cmocka_unit_test(links_from_and_to_lists_or_roles_expand_to_every_pair),
        cmocka_unit_test(link_to_an_unknown_node_suggests_the_nearest_name),
        cmocka_unit_test(clocks_set_offset_and_rate_per_node),
        cmocka_unit_test(clocks_of_unknown_nodes_or_with_bad_rates_are_rejected),
        cmocka_unit_test(every_fault_kind_fills_its_fields),
        cmocka_unit_test(partition_puts_unlisted_nodes_in_one_more_group),
        cmocka_unit_test(partition_with_a_node_in_two_groups_is_rejected),
        cmocka_unit_test(faults_are_sorted_stably_by_time),
        cmocka_unit_test(fault_at_the_horizon_is_accepted_but_after_it_is_rejected),
        cmocka_unit_test(a_crash_may_restart_after_for_but_a_pause_needs_for),
        cmocka_unit_test(a_restart_of_a_node_that_is_up_is_refused_at_its_entry),
        cmocka_unit_test(power_loss_takes_the_keys_of_a_crash_and_is_its_own_kind),
        cmocka_unit_test(fault_with_two_kinds_or_none_is_rejected),
        cmocka_unit_test(fault_keys_that_do_not_belong_to_its_kind_are_rejected),
        cmocka_unit_test(clock_fault_needs_exactly_one_of_jump_or_rate),
        cmocka_unit_test(cut_is_one_way_unless_both_and_needs_from_and_to),
        cmocka_unit_test(nemesis_is_read_with_defaults_from_the_window),
        cmocka_unit_test(expect_takes_only_known_verdicts),
        cmocka_unit_test(unknown_top_level_key_suggests_the_nearest_known_key),
        cmocka_unit_test(unknown_top_level_key_without_a_near_one_lists_the_keys),
        cmocka_unit_test(wrong_type_says_what_it_got_and_what_was_expected),
        cmocka_unit_test(yaml_syntax_error_gives_libyaml_problem_and_position),
        cmocka_unit_test(empty_file_or_non_mapping_top_level_is_rejected),
        cmocka_unit_test(aliases_are_expanded_but_recursion_and_blowup_are_bounded),
        cmocka_unit_test(missing_file_is_an_error_without_a_position),
        cmocka_unit_test(values_over_their_bounds_are_errors_naming_the_bound),
        cmocka_unit_test(link_delays_active_at_once_are_bounded_at_the_fault),
        cmocka_unit_test(truncated_and_corrupted_files_give_errors_not_crashes),
        cmocka_unit_test(every_broken_file_produces_the_message_in_its_first_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
