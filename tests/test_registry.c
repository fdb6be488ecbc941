/* test_registry.c -- the registry lists every family once, catches two
 * families that claim the same message types or timer tags, describes any
 * message by its owner, and turns a scenario's names into a run or a
 * located error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/redis/redis.h"
#include "sim/check/check.h"
#include "sim/registry/registry.h"
#include "tests/test_broken_support.h"

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

static void a_check_that_cannot_judge_the_protocol_is_a_located_error(void **state) {
    (void)state;
    char err[1024] = "";
    assert_int_equal(create(HEAD "protocol: setnx-lock\nchecks: [liveness, saga]\n", err, sizeof err),
                     -1);
    assert_string_equal(err, "names.yaml:5:20: error: check 'saga' does not apply to protocol "
                             "'setnx-lock'; checks that do: mutual-exclusion, lease-overlap, "
                             "lost-update, liveness, linearizable");
    const char *bank = "name: n\nduration: 1s\nprotocol: db\nnodes: {db: 1, client: [c1]}\n"
                       "workload: {kind: bank}\nchecks: [oversell]\n";
    assert_int_equal(create(bank, err, sizeof err), -1);
    assert_string_equal(err, "names.yaml:6:10: error: check 'oversell' does not apply to workload "
                             "'bank' of protocol 'db'; checks that do: lost-update, liveness, "
                             "conservation, isolation");
    assert_int_equal(create(HEAD "protocol: setnx-lock\nchecks: [liveness, linearizable]\n", err,
                            sizeof err), 0);
}

/* The defaults a protocol lists for all its workloads (db: oversell for a
 * flash sale, double-booking for seats) run only where they apply. */
static void a_protocols_defaults_leave_out_the_checks_its_workload_cannot_feed(void **state) {
    (void)state;
    const char *text = "name: n\nduration: 1s\nprotocol: db\nnodes: {db: 1, client: [c1]}\n"
                       "workload: {kind: bank}\n";
    scn *s = calloc(1, sizeof *s);
    char err[1024] = "";
    assert_int_equal(scn_load_buffer("names.yaml", text, strlen(text), s, err, sizeof err), 0);
    sim *run = NULL;
    assert_int_equal(registry_sim_create(s, NULL, &run, err, sizeof err), 0);
    const char *names[SCN_CHECKS_MAX];
    uint32_t n = sim_check_names(run, names, SCN_CHECKS_MAX);
    assert_int_equal(n, 4);
    assert_string_equal(names[0], "lost-update");
    assert_string_equal(names[1], "conservation");
    assert_string_equal(names[2], "isolation");
    assert_string_equal(names[3], "liveness");
    sim_destroy(run);
    scn_free(s);
    free(s);
}

static bool a_default(const proto_desc *d, const char *check) {
    for (size_t c = 0; c < PROTO_CHECKS_MAX && d->checks[c]; c++)
        if (strcmp(d->checks[c], check) == 0) return true;
    return false;
}

/* Every protocol's defaults name checks that exist and apply to it for
 * some workload it drives; every check applies somewhere. */
static void every_check_applies_to_some_protocol_and_every_default_to_its_own(void **state) {
    (void)state;
    for (size_t i = 0; i < check_count(); i++) {
        bool somewhere = false;
        for (size_t p = 0; p < registry_protocol_count(); p++) {
            const proto_desc *d = registry_protocol_at(p);
            for (size_t w = 0; w < PROTO_WORKLOADS_MAX && d->workloads[w]; w++)
                somewhere |= check_applies(check_at(i), d->name, a_default(d, check_at(i)->name),
                                           d->workloads[w]);
        }
        assert_true(somewhere);
    }
    for (size_t p = 0; p < registry_protocol_count(); p++) {
        const proto_desc *d = registry_protocol_at(p);
        for (size_t c = 0; c < PROTO_CHECKS_MAX && d->checks[c]; c++) {
            bool some = false;
            assert_non_null(check_find(d->checks[c]));
            for (size_t w = 0; w < PROTO_WORKLOADS_MAX && d->workloads[w]; w++)
                some |= check_applies(check_find(d->checks[c]), d->name, true, d->workloads[w]);
            assert_true(some);
        }
    }
}

static void names_the_registry_refuses_are_reported_at_their_line_and_column(void **state) {
    (void)state;
    broken_dir_fails_as_it_says("tests/registry_broken", 2, true);
}

/* A protocol that lists a check among its defaults (a new family, which
 * touches no check's table) is judged by it; one that does not, is not. */
static void a_protocols_own_default_check_applies_to_it(void **state) {
    (void)state;
    const check_desc *atomicity = check_find("atomicity"), *me = check_find("mutual-exclusion");
    assert_false(check_applies(atomicity, "new-2pc", false, "transfer"));
    assert_true(check_applies(atomicity, "new-2pc", true, "transfer"));
    assert_true(check_applies(atomicity, "2pc", false, "transfer"));
    assert_true(check_applies(me, "new-lock", false, "lock-counter"));    /* by its workload */
    assert_false(check_applies(me, "new-lock", true, "transfer"));        /* the workload decides */
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
        cmocka_unit_test(a_check_that_cannot_judge_the_protocol_is_a_located_error),
        cmocka_unit_test(a_protocols_defaults_leave_out_the_checks_its_workload_cannot_feed),
        cmocka_unit_test(every_check_applies_to_some_protocol_and_every_default_to_its_own),
        cmocka_unit_test(names_the_registry_refuses_are_reported_at_their_line_and_column),
        cmocka_unit_test(a_protocols_own_default_check_applies_to_it),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
