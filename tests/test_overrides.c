/* test_overrides.c -- `--set KEY=VALUE` (sim/scenario/scn_set.c): overrides
 * edit the scenario before it is read, so they get the file's checks and
 * its messages, reported as "--set KEY=VALUE: error: ...".  Each test loads
 * a small scenario from memory with some overrides and looks at the
 * loaded `scn` or the one-line error; the last ones go through
 * registry_sim_create(), where a protocol's own table judges params.
 * Run from the repository root.  A `scn` is large, so tests heap-allocate it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/registry/registry.h"
#include "sim/scenario/scn.h"
#include "sim/sim.h"

static const char base[] =
    "name: t\n"
    "seed: 3\n"
    "duration: 30s\n"
    "protocol: setnx-lock\n"
    "params:\n"
    "  ttl: 10s\n"
    "  retry.every: 100ms\n"
    "nodes:\n"
    "  redis: 1\n"
    "  client: [c1, c2]\n"
    "  storage: 1\n"
    "workload:\n"
    "  kind: lock-counter\n"
    "  iterations: 1\n"
    "  start: {c1: 0ms, c2: 10500ms}\n"
    "faults:\n"
    "  - {at: 4ms, pause: c1, for: 15s}\n"
    "  - {at: 1s, crash: redis1, for: 1s}\n";

static scn *load_with(const char *const *sets, uint32_t n, int *rc, char *err, size_t len) {
    scn *s = sim_xcalloc(1, sizeof *s);
    *rc = scn_load_buffer_with_overrides("t.yaml", base, strlen(base), sets, n, s, err, len);
    return s;
}

static scn *ok_with(const char *const *sets, uint32_t n) {
    char err[SIM_ERR_MAX] = "";
    int rc = 0;
    scn *s = load_with(sets, n, &rc, err, sizeof err);
    if (rc != 0) print_error("unexpected: %s\n", err);
    assert_int_equal(rc, 0);
    return s;
}

static void drop(scn *s) {
    scn_free(s);
    free(s);
}

static const char *err_with(const char *set) {
    static char err[SIM_ERR_MAX];
    int rc = 0;
    const char *sets[1] = { set };
    scn *s = load_with(sets, 1, &rc, err, sizeof err);
    free(s);
    assert_int_equal(rc, -1);
    return err;
}

static const char *param(const scn_params *ps, const char *key) {
    for (uint32_t i = 0; i < ps->count; i++)
        if (strcmp(ps->items[i].key, key) == 0) return ps->items[i].value;
    return NULL;
}

/* ------------------------------------------------------------------ */

static void a_set_replaces_values_the_file_gives(void **state) {
    (void)state;
    const char *sets[] = { "duration=20s", "faults[0].for=5s", "params.ttl=3s", "seed=9" };
    scn *s = ok_with(sets, 4);
    assert_int_equal(s->duration_ns, 20 * SIM_S);
    assert_int_equal(s->seed, 9);
    assert_int_equal(s->faults[0].kind, SCN_FAULT_PAUSE);
    assert_int_equal(s->faults[0].for_ns, 5 * SIM_S);
    assert_string_equal(param(&s->params, "ttl"), "3s");
    assert_int_equal(s->set_count, 4);
    assert_string_equal(s->sets[1], "faults[0].for=5s");
    drop(s);
}

static void a_set_adds_keys_the_file_leaves_out(void **state) {
    (void)state;
    const char *sets[] = { "params.fencing=true", "workload.hold=2ms", "clocks.redis1.rate=1.02" };
    scn *s = ok_with(sets, 3);
    assert_string_equal(param(&s->params, "fencing"), "true");
    assert_string_equal(param(&s->workload, "hold"), "2ms");
    assert_true(s->clocks[0].set);
    assert_int_equal(s->clocks[0].rate_ppm, 1020000);
    drop(s);
}

/* Each override adds nodes; libyaml grows its node array as they come, so
 * a pointer into it taken before the first one dangles after a few (issue
 * 14: ASan's use after free, "the file's top level is not a mapping" in a
 * plain build). */
static void many_sets_that_add_keys_all_apply(void **state) {
    (void)state;
    const char *sets[] = { "params.fencing=true", "workload.hold=2ms", "clocks.redis1.rate=1.02",
                           "clocks.c1.offset=5ms", "workload.note.a=x", "workload.note.b=y",
                           "params.lease_check=true", "clocks.c2.rate=0.99" };
    scn *s = ok_with(sets, 8);
    assert_string_equal(param(&s->params, "fencing"), "true");
    assert_string_equal(param(&s->params, "lease_check"), "true");
    assert_string_equal(param(&s->workload, "note.b"), "y");
    assert_int_equal(s->clocks[1].offset_ns, 5 * SIM_MS);
    assert_int_equal(s->clocks[2].rate_ppm, 990000);
    drop(s);
}

static void a_set_reaches_into_nested_maps_and_flattened_keys(void **state) {
    (void)state;
    const char *sets[] = { "workload.start.c2=11s", "params.retry.every=1s" };
    scn *s = ok_with(sets, 2);
    assert_string_equal(param(&s->workload, "start.c2"), "11s");
    assert_string_equal(param(&s->workload, "start.c1"), "0ms");
    assert_string_equal(param(&s->params, "retry.every"), "1s");   /* not a second key */
    drop(s);
}

static void an_index_equal_to_the_length_appends_and_yaml_values_are_parsed(void **state) {
    (void)state;
    const char *sets[] = { "faults[2]={at: 2s, clock: c2, jump: +20s}", "nodes.client=[c1, c2, c3]" };
    scn *s = ok_with(sets, 2);
    assert_int_equal(s->fault_count, 3);
    assert_int_equal(s->faults[2].kind, SCN_FAULT_CLOCK_JUMP);
    assert_int_equal(s->faults[2].jump_ns, 20 * SIM_S);
    assert_int_equal(s->node_count, 5);
    assert_string_equal(s->nodes[3].name, "c3");
    drop(s);
}

static void a_later_set_of_the_same_key_wins(void **state) {
    (void)state;
    const char *sets[] = { "duration=20s", "duration=25s" };
    scn *s = ok_with(sets, 2);
    assert_int_equal(s->duration_ns, 25 * SIM_S);
    drop(s);
}

static void an_empty_list_removes_every_fault(void **state) {
    (void)state;
    const char *sets[] = { "faults=[]" };
    scn *s = ok_with(sets, 1);
    assert_int_equal(s->fault_count, 0);
    drop(s);
}

static void a_bad_value_gets_the_files_message_under_the_set(void **state) {
    (void)state;
    assert_string_equal(err_with("faults[0].for=5"),
                        "--set faults[0].for=5: error: for: '5' has no unit (expected a unit after "
                        "the number, such as 5s or 5ms)");
    assert_string_equal(err_with("duration=-5s"),
                        "--set duration=-5s: error: duration: '-5s' is negative (expected a duration "
                        "of 0 or more, such as 10s or 250ms)");
    assert_string_equal(err_with("durtion=3s"),
                        "--set durtion=3s: error: unknown key 'durtion' (did you mean 'duration'?)");
}

static void a_value_that_breaks_another_rule_names_the_set_too(void **state) {
    (void)state;
    const char *e = err_with("faults[1].at=31s");
    assert_string_equal(e, "--set faults[1].at=31s: error: at: 31s is after the end of the run "
                           "(expected at most the duration, 30 s)");
    e = err_with("faults[0].pause=c9");
    assert_non_null(strstr(e, "--set faults[0].pause=c9: error: pause: unknown node 'c9'"));
}

static void an_index_past_the_end_says_which_indexes_exist(void **state) {
    (void)state;
    assert_string_equal(err_with("faults[5].for=1s"),
                        "--set faults[5].for=1s: error: faults has 2 items, so there is no [5] "
                        "(expected an index from 0 to 2; [2] adds one at the end)");
}

static void a_key_into_a_single_value_or_a_list_is_rejected(void **state) {
    (void)state;
    assert_non_null(strstr(err_with("duration.x=1"),
                           "--set duration.x=1: error: duration is a single value, so it has no keys"));
    assert_non_null(strstr(err_with("faults.at=1s"),
                           "--set faults.at=1s: error: faults is a list, so it has no keys"));
}

static void a_malformed_set_is_rejected_before_anything_is_read(void **state) {
    (void)state;
    assert_non_null(strstr(err_with("duration"), "--set duration: error: no '='"));
    assert_non_null(strstr(err_with("=5s"), "--set =5s: error: an empty key"));
    assert_non_null(strstr(err_with("faults[x]=1"), "a list index must be a whole number"));
    assert_non_null(strstr(err_with("a..b=1"), "is not a key"));
    assert_non_null(strstr(err_with("faults[0]={at: 1s"), "the value is not valid YAML"));
}

static void a_set_too_long_says_so_and_keeps_its_message_whole(void **state) {
    (void)state;
    char set[700];
    memset(set, 'x', sizeof set - 1);
    set[sizeof set - 1] = '\0';
    memcpy(set, "description=", 12);
    const char *e = err_with(set);
    assert_non_null(strstr(e, "--set description=xxx"));
    assert_non_null(strstr(e, "...: error: too long: 699 bytes (expected at most 511, the limit "
                              "SCN_SET_MAX)"));
    assert_true(strlen(e) < 200);
    set[500] = '\0';                          /* fits, but its error must still show */
    memcpy(set + 12, "[1]", 3);
    e = err_with(set);
    assert_non_null(strstr(e, "...: error: "));
}

static void a_set_with_a_newline_gives_a_one_line_error(void **state) {
    (void)state;
    const char *e = err_with("duration=\"5\\nerror: fake\"");   /* YAML's \n: a newline */
    assert_null(strchr(e, '\n'));
    assert_string_equal(e, "--set duration=\"5\\nerror: fake\": error: duration: '5\\nerror: "
                           "fake' has an unknown unit '\\nerror: fake' (expected ns, us, ms, s, m "
                           "or h)");
}

static void a_second_yaml_document_in_a_set_is_an_error(void **state) {
    (void)state;
    assert_string_equal(err_with("duration=5s\n---\n7s"),
                        "--set duration=5s\\n---\\n7s: error: a second YAML document in the value "
                        "(expected one value; remove the '---')");
    assert_non_null(strstr(err_with("duration=5s\n--- ["), "the value is not valid YAML"));
}

static void an_error_in_the_file_keeps_its_position_when_sets_are_given(void **state) {
    (void)state;
    static char err[SIM_ERR_MAX];
    const char text[] = "name: t\nprotocol: p\nnodes: {c: 1}\nduration: 5\n";
    const char *sets[] = { "seed=2" };
    scn *s = sim_xcalloc(1, sizeof *s);
    int rc = scn_load_buffer_with_overrides("t.yaml", text, strlen(text), sets, 1, s, err, sizeof err);
    free(s);
    assert_int_equal(rc, -1);
    assert_string_equal(err, "t.yaml:4:11: error: duration: '5' has no unit (expected a unit after "
                             "the number, such as 5s or 5ms)");
}

static void a_protocol_param_error_at_run_creation_names_the_set(void **state) {
    (void)state;
    const char *sets[] = { "params.ttl=abc" };
    scn *s = ok_with(sets, 1);                   /* params are judged by the protocol's table */
    sim *run = NULL;
    char err[SIM_ERR_MAX];
    assert_int_equal(registry_sim_create(s, NULL, &run, err, sizeof err), -1);
    assert_null(run);
    assert_string_equal(err, "--set params.ttl=abc: error: ttl: 'abc' is not a duration (expected "
                             "a number with a unit: ns, us, ms, s, m or h, such as 10s or 250ms)");
    drop(s);
    const char *sets2[] = { "params.fencng=true" };
    s = ok_with(sets2, 1);
    assert_int_equal(registry_sim_create(s, NULL, &run, err, sizeof err), -1);
    assert_string_equal(err, "--set params.fencng=true: error: unknown key 'fencng' in params "
                             "(did you mean 'fencing'?)");
    drop(s);
}

/* `watchdog: true` in the file, --set params.watchdog.timeout=10s: the
 * sub-key goes beside the bool, flattened, as the file could write it. */
static void a_sub_key_of_a_bool_with_sub_keys_goes_beside_it(void **state) {
    (void)state;
    const char *sets[] = { "params.watchdog=true", "params.watchdog.timeout=10s",
                           "params.watchdog.timeout=12s", "workload.iterations.x=1" };
    scn *s = ok_with(sets, 3);
    assert_string_equal(param(&s->params, "watchdog"), "true");
    assert_string_equal(param(&s->params, "watchdog.timeout"), "12s");   /* found again, replaced */
    sim *run = NULL;
    char err[SIM_ERR_MAX];
    assert_int_equal(registry_sim_create(s, NULL, &run, err, sizeof err), 0);
    sim_destroy(run);
    drop(s);
    s = ok_with(sets + 3, 1);                   /* the workload too; its table judges the key */
    assert_string_equal(param(&s->workload, "iterations.x"), "1");
    drop(s);
    /* outside params and workload a single value still has no keys */
    assert_non_null(strstr(err_with("faults[0].at.x=1"),
                           "--set faults[0].at.x=1: error: faults[0].at is a single value"));
}

/* A misspelt sub-key, or a misspelt first part, is suggested whole. */
static void a_misspelt_nested_key_gets_a_did_you_mean(void **state) {
    (void)state;
    const char *cases[][2] = {
        { "params.fencing.first_tokn=3", "unknown key 'fencing.first_tokn' in params (did you "
                                         "mean 'fencing.first_token'?)" },
        { "params.watchdg.timeout=1s", "unknown key 'watchdg.timeout' in params (did you mean "
                                       "'watchdog.timeout'?)" },
        { "workload.strt.c1=1s", "unknown key 'strt.c1' in workload (did you mean 'start.c1'?)" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *sets[] = { "params.fencing=false", cases[i][0] };
        scn *s = ok_with(sets, 2);
        sim *run = NULL;
        char err[SIM_ERR_MAX];
        assert_int_equal(registry_sim_create(s, NULL, &run, err, sizeof err), -1);
        assert_non_null(strstr(err, cases[i][1]));
        drop(s);
    }
}

static void an_override_runs_like_the_same_value_written_in_the_file(void **state) {
    (void)state;
    const char *sets[] = { "faults[0].for=5s" };
    scn *a = ok_with(sets, 1), *b = sim_xcalloc(1, sizeof *b);
    char text[sizeof base + 16], err[SIM_ERR_MAX];
    snprintf(text, sizeof text, "%s", base);
    char *p = strstr(text, "for: 15s");
    memcpy(p, "for:  5s", 8);
    assert_int_equal(scn_load_buffer("t.yaml", text, strlen(text), b, err, sizeof err), 0);
    sim *ra = NULL, *rb = NULL;
    assert_int_equal(registry_sim_create(a, NULL, &ra, err, sizeof err), 0);
    assert_int_equal(registry_sim_create(b, NULL, &rb, err, sizeof err), 0);
    assert_int_equal(sim_run(ra, err, sizeof err), 0);
    assert_int_equal(sim_run(rb, err, sizeof err), 0);
    const hist *ha = sim_history(ra), *hb = sim_history(rb);
    assert_int_equal(ha->op_count, hb->op_count);
    assert_int_equal(ha->effect_count, hb->effect_count);
    for (uint32_t i = 0; i < ha->effect_count; i++)
        assert_int_equal(ha->effects[i].t_ns, hb->effects[i].t_ns);
    sim_destroy(ra);
    sim_destroy(rb);
    drop(a);
    drop(b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_set_replaces_values_the_file_gives),
        cmocka_unit_test(a_set_adds_keys_the_file_leaves_out),
        cmocka_unit_test(many_sets_that_add_keys_all_apply),
        cmocka_unit_test(a_set_reaches_into_nested_maps_and_flattened_keys),
        cmocka_unit_test(an_index_equal_to_the_length_appends_and_yaml_values_are_parsed),
        cmocka_unit_test(a_later_set_of_the_same_key_wins),
        cmocka_unit_test(an_empty_list_removes_every_fault),
        cmocka_unit_test(a_bad_value_gets_the_files_message_under_the_set),
        cmocka_unit_test(a_value_that_breaks_another_rule_names_the_set_too),
        cmocka_unit_test(an_index_past_the_end_says_which_indexes_exist),
        cmocka_unit_test(a_key_into_a_single_value_or_a_list_is_rejected),
        cmocka_unit_test(a_malformed_set_is_rejected_before_anything_is_read),
        cmocka_unit_test(a_set_too_long_says_so_and_keeps_its_message_whole),
        cmocka_unit_test(a_set_with_a_newline_gives_a_one_line_error),
        cmocka_unit_test(a_second_yaml_document_in_a_set_is_an_error),
        cmocka_unit_test(an_error_in_the_file_keeps_its_position_when_sets_are_given),
        cmocka_unit_test(a_protocol_param_error_at_run_creation_names_the_set),
        cmocka_unit_test(a_sub_key_of_a_bool_with_sub_keys_goes_beside_it),
        cmocka_unit_test(a_misspelt_nested_key_gets_a_did_you_mean),
        cmocka_unit_test(an_override_runs_like_the_same_value_written_in_the_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
