/* test_registry.c -- the registry lists every family once, catches two
 * families that claim the same message types or timer tags, describes any
 * message by its owner, and turns a scenario's names into a run or a
 * located error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/redis/redis.h"
#include "sim/registry/registry.h"

static void the_registry_is_consistent(void **state) {
    (void)state;
    const family_desc *all[64];
    size_t n = registry_family_count();
    assert_true(n > 0);
    assert_true(n <= 64);
    for (size_t i = 0; i < n; i++) all[i] = registry_family_at(i);
    char why[512] = "";
    assert_int_equal(registry_check_families(all, n, why, sizeof why), 0);
    registry_self_check();                /* aborts on an inconsistent table */
}

static const family_desc fam_a = { .name = "a", .msgs = { { 100, 199 } }, .tags = { { 100, 149 } } };
static const family_desc fam_b = { .name = "b", .msgs = { { 300, 399 }, { 150, 160 } } };
static const family_desc fam_c = { .name = "c", .msgs = { { 200, 299 } }, .tags = { { 140, 140 } } };
static const family_desc fam_low = { .name = "low", .tags = { { 5, 150 } } };
static const family_desc fam_backwards = { .name = "backwards", .msgs = { { 900, 800 } } };

static void two_families_with_overlapping_message_types_are_caught(void **state) {
    (void)state;
    const family_desc *fs[] = { &fam_a, &fam_b };
    char why[512] = "";
    assert_int_equal(registry_check_families(fs, 2, why, sizeof why), -1);
    assert_non_null(strstr(why, "'a' and 'b' overlap in message types: 100-199 and 150-160"));
}

static void two_families_with_overlapping_timer_tags_are_caught(void **state) {
    (void)state;
    const family_desc *fs[] = { &fam_a, &fam_c };
    char why[512] = "";
    assert_int_equal(registry_check_families(fs, 2, why, sizeof why), -1);
    assert_non_null(strstr(why, "overlap in timer tags: 100-149 and 140-140"));
}

static void disjoint_families_pass(void **state) {
    (void)state;
    const family_desc *fs[] = { &fam_c, &fam_b };      /* c's tag 140 is alone here */
    char why[512] = "";
    assert_int_equal(registry_check_families(fs, 2, why, sizeof why), 0);
}

static void tags_below_the_private_bound_and_backward_ranges_are_caught(void **state) {
    (void)state;
    const family_desc *low[] = { &fam_low };
    const family_desc *back[] = { &fam_backwards };
    char why[512] = "";
    assert_int_equal(registry_check_families(low, 1, why, sizeof why), -1);
    assert_non_null(strstr(why, "'low' declares timer tags from 5"));
    assert_int_equal(registry_check_families(back, 1, why, sizeof why), -1);
    assert_non_null(strstr(why, "'backwards'"));
}

static const proto_desc twin1 = { .name = "twin" };
static const proto_desc twin2 = { .name = "twin" };
static const proto_desc *const twins1[] = { &twin1, NULL };
static const proto_desc *const twins2[] = { &twin2, NULL };
static const family_desc fam_t1 = { .name = "t1", .protocols = twins1 };
static const family_desc fam_t2 = { .name = "t2", .protocols = twins2 };

static void two_protocols_with_one_name_are_caught(void **state) {
    (void)state;
    const family_desc *fs[] = { &fam_t1, &fam_t2 };
    char why[512] = "";
    assert_int_equal(registry_check_families(fs, 2, why, sizeof why), -1);
    assert_non_null(strstr(why, "two protocols are named 'twin'"));
}

static void every_protocol_and_workload_is_found_by_its_name(void **state) {
    (void)state;
    assert_true(registry_protocol_count() > 0);
    for (size_t i = 0; i < registry_protocol_count(); i++) {
        const proto_desc *p = registry_protocol_at(i);
        assert_ptr_equal(registry_protocol(p->name), p);
    }
    for (size_t i = 0; i < registry_workload_count(); i++) {
        const workload_desc *w = registry_workload_at(i);
        assert_ptr_equal(registry_workload(w->name), w);
    }
    assert_null(registry_protocol("no-such-protocol"));
    assert_null(registry_workload("no-such-workload"));
    assert_string_equal(registry_protocol_at(0)->name, "setnx-lock");   /* `ccsim list` order */
}

static void a_message_is_described_by_the_family_that_owns_its_type(void **state) {
    (void)state;
    redis_cmd c;
    memset(&c, 0, sizeof c);
    c.kind = REDIS_GET;
    snprintf(c.key, sizeof c.key, "lock");
    char line[160];
    registry_describe_msg(REDIS_MSG_CMD, &c, sizeof c, line, sizeof line);
    assert_string_equal(line, "GET lock");
    registry_describe_msg(42, NULL, 0, line, sizeof line);
    assert_string_equal(line, "message type 42 (0 bytes)");
    registry_describe_msg(REDIS_MSG_CMD, &c, 3, line, sizeof line);   /* a torn body */
    assert_string_equal(line, "message type 1100 (3 bytes)");
}

static int create(const char *yaml, char *err, size_t len) {
    scn *s = calloc(1, sizeof *s);
    assert_non_null(s);
    int rc = scn_load_buffer("names.yaml", yaml, strlen(yaml), s, err, len);
    if (rc == 0) {
        sim *run = NULL;
        rc = registry_sim_create(s, NULL, &run, err, len);
        sim_destroy(run);
        scn_free(s);
    }
    free(s);
    return rc;
}

#define HEAD "name: n\nduration: 1s\nnodes: {redis: 1, client: [c1], storage: 1}\n"

static void names_in_a_scenario_become_a_run_or_a_located_error(void **state) {
    (void)state;
    char err[1024] = "";
    assert_int_equal(create(HEAD "protocol: setnx-lock\n", err, sizeof err), 0);
    assert_int_equal(create(HEAD "protocol: setnx-lok\n", err, sizeof err), -1);
    assert_string_equal(err, "names.yaml:4:11: error: unknown protocol 'setnx-lok' (did you mean "
                             "'setnx-lock'? `ccsim list protocols` shows them)");
    assert_int_equal(create(HEAD "protocol: setnx-lock\nworkload: {kind: bank}\n", err, sizeof err), -1);
    assert_non_null(strstr(err, "names.yaml:5:18: error: protocol 'setnx-lock' cannot run workload 'bank'"));
    assert_int_equal(create(HEAD "protocol: setnx-lock\nchecks: [liveness, mutal-exclusion]\n", err,
                            sizeof err), -1);
    assert_non_null(strstr(err, "unknown check 'mutal-exclusion' (did you mean 'mutual-exclusion'?"));
    assert_int_equal(create(HEAD "protocol: setnx-lock\nchecks: [liveness]\nexpect: {lost-update: ok}\n",
                            err, sizeof err), -1);
    assert_non_null(strstr(err, "expect names check 'lost-update', which this scenario does not run"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_registry_is_consistent),
        cmocka_unit_test(two_families_with_overlapping_message_types_are_caught),
        cmocka_unit_test(two_families_with_overlapping_timer_tags_are_caught),
        cmocka_unit_test(disjoint_families_pass),
        cmocka_unit_test(tags_below_the_private_bound_and_backward_ranges_are_caught),
        cmocka_unit_test(two_protocols_with_one_name_are_caught),
        cmocka_unit_test(every_protocol_and_workload_is_found_by_its_name),
        cmocka_unit_test(a_message_is_described_by_the_family_that_owns_its_type),
        cmocka_unit_test(names_in_a_scenario_become_a_run_or_a_located_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
