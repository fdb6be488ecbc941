/* test_cache.c -- cache-aside (protocols/cache, sim/workload/cache_aside.c,
 * the stale-read check): the slow reader's late set after the writer's
 * delete, each remedy beside it, the cache's crash and power loss, and the
 * writer's crash between update and delete, judged through the history
 * and the check's verdict and summary. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "protocols/cache/cache.h"
#include "sim/check/check.h"
#include "sim/sim.h"
#include "tests/test_run_support.h"

#define DIR "scenarios/cache/"
#define C1 DIR "C1-slow-reader-stale-until-ttl.yaml"

static check_result stale_read(const run *r) {
    check_input in = { .h = r->h, .s = r->s, .horizon_ns = r->s->duration_ns };
    check_result res;
    check_find("stale-read")->run(&in, &res);
    return res;
}

static check_verdict verdict(const run *r) {
    check_result res = stale_read(r);
    check_verdict v = res.verdict;
    check_result_free(&res);
    return v;
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

static void a_slow_readers_late_set_puts_the_old_version_back_after_the_delete(void **state) {
    (void)state;
    run r = run_file(C1);
    const hist_effect *del = nth(&r, CA_EFF_DEL, 0), *set = nth(&r, CA_EFF_SET, 0);
    assert_non_null(del);
    assert_non_null(set);
    assert_int_equal(del->t_ns, 1003 * SIM_MS);
    assert_int_equal(set->t_ns, 3004 * SIM_MS);
    assert_int_equal(set->value, 1);
    assert_int_equal(nth(&r, CA_EFF_COMMIT, 0)->value, 2);
    check_result res = stale_read(&r);
    assert_int_equal(res.verdict, CHECK_VIOLATION);
    assert_string_equal(res.summary, "7 of 8 reads stale, the cache held version 1 of item1 for 3600 s "
                                     "after version 2 committed (to its TTL)");
    assert_non_null(strstr(res.story, "r1 set item1 to version 1 in the cache at 3.004 s"));
    assert_non_null(strstr(res.story, "until its TTL ran out at 3603.004 s"));
    check_result_free(&res);
    run_free(&r);
}

static void a_read_that_began_before_the_newer_commit_is_not_stale(void **state) {
    (void)state;
    run r = run_file(C1);
    const hist_op *first = &r.h->ops[0];          /* r1's read, answered after the pause */
    assert_int_equal(first->f, CA_F_READ);
    assert_int_equal(first->value_out, 1);
    assert_true(first->complete_ns > nth(&r, CA_EFF_COMMIT, 0)->t_ns);
    check_result res = stale_read(&r);
    assert_non_null(strstr(res.summary, "7 of 8 reads stale"));
    check_result_free(&res);
    run_free(&r);
}

static void a_second_delete_after_the_late_set_ends_the_stale_stretch(void **state) {
    (void)state;
    run r = run_file(DIR "C1b-delayed-double-delete.yaml");
    const hist_effect *again = nth(&r, CA_EFF_DEL, 1);
    assert_non_null(again);
    assert_int_equal(again->aux, 2);
    assert_int_equal(again->value, 1);               /* it removed the late version 1 */
    check_result res = stale_read(&r);
    assert_int_equal(res.verdict, CHECK_OK);
    assert_string_equal(res.summary, "8 reads, none stale; the cache held version 1 of item1 for 2.999 s after "
                                     "version 2 committed, but no read came in that time");
    check_result_free(&res);
    run_free(&r);
}

static void a_delay_shorter_than_the_pause_deletes_before_the_late_set(void **state) {
    (void)state;
    run r = run_file(DIR "C1e-delayed-delete-shorter-than-the-pause.yaml");
    assert_true(nth(&r, CA_EFF_DEL, 1)->t_ns < nth(&r, CA_EFF_SET, 0)->t_ns);
    assert_int_equal(nth(&r, CA_EFF_DEL, 1)->value, 0);     /* nothing to delete yet */
    assert_int_equal(verdict(&r), CHECK_VIOLATION);
    run_free(&r);
}

static void a_versioned_cache_refuses_a_set_older_than_the_deleted_version(void **state) {
    (void)state;
    run r = run_file(DIR "C1c-versioned-sets.yaml");
    const hist_effect *no = nth(&r, CA_EFF_SET_REFUSED, 0);
    assert_non_null(no);
    assert_int_equal(no->aux, CA_REFUSED_OLDER);
    assert_int_equal(no->value, 1);
    assert_int_equal(hist_effect_version(r.h, no), 2);
    assert_int_equal(nth(&r, CA_EFF_SET, 0)->value, 2);
    assert_int_equal(verdict(&r), CHECK_OK);
    run_free(&r);
}

static void a_delete_invalidates_the_lease_and_the_late_set_is_refused(void **state) {
    (void)state;
    run r = run_file(DIR "C1d-memcache-leases.yaml");
    const hist_effect *miss = nth(&r, CA_EFF_MISS, 0), *no = nth(&r, CA_EFF_SET_REFUSED, 0);
    assert_non_null(no);
    assert_int_equal(no->aux, CA_REFUSED_LEASE);
    assert_int_equal(hist_effect_token(r.h, no), hist_effect_token(r.h, miss));         /* the lease r1's miss was handed */
    assert_int_equal(no->t_ns, 3004 * SIM_MS);
    assert_int_equal(verdict(&r), CHECK_OK);
    run_free(&r);
}

static void every_remedy_keeps_c1_fresh_and_none_does_not(void **state) {
    (void)state;
    const char *sets[] = { "params.remedy=none", "params.remedy=delayed-delete", "params.remedy=versioned",
                           "params.remedy=lease" };
    const check_verdict want[] = { CHECK_VIOLATION, CHECK_OK, CHECK_OK, CHECK_OK };
    for (size_t i = 0; i < 4; i++) {
        run r = run_file_set(C1, sets[i]);
        assert_int_equal(verdict(&r), want[i]);
        run_free(&r);
    }
}

static void a_cache_crash_empties_it_and_readers_read_the_database_meanwhile(void **state) {
    (void)state;
    run r = run_file(DIR "C2-cache-crash-restarts-empty.yaml");
    assert_int_equal(count(&r, CA_EFF_FLUSH), 1);
    uint32_t down = 0;
    for (uint32_t i = 0; i < r.h->op_count; i++) {
        const hist_op *o = &r.h->ops[i];
        if (o->f != CA_F_READ || strcmp(o->note, "miss (cache down)") != 0) continue;
        assert_int_equal(o->result, HIST_OK);
        down++;
    }
    assert_true(down >= 2);
    assert_int_equal(verdict(&r), CHECK_OK);
    run_free(&r);
}

static void a_power_loss_of_the_cache_reads_the_same_versions_as_a_crash(void **state) {
    (void)state;
    run a = run_file(DIR "C2-cache-crash-restarts-empty.yaml");
    run b = run_file(DIR "C2b-cache-power-loss-restarts-empty.yaml");
    assert_int_equal(a.h->op_count, b.h->op_count);
    for (uint32_t i = 0; i < a.h->op_count; i++) {
        assert_int_equal(a.h->ops[i].value_out, b.h->ops[i].value_out);
        assert_string_equal(a.h->ops[i].note, b.h->ops[i].note);
    }
    assert_int_equal(verdict(&b), CHECK_OK);
    run_free(&a);
    run_free(&b);
}

static void a_cache_crash_loses_the_versioned_tombstone_and_the_late_set_passes(void **state) {
    (void)state;
    run r = run_file(DIR "C2c-versioned-cache-crash-loses-the-tombstone.yaml");
    assert_int_equal(count(&r, CA_EFF_SET_REFUSED), 0);
    assert_int_equal(nth(&r, CA_EFF_SET, 0)->value, 1);
    assert_int_equal(verdict(&r), CHECK_VIOLATION);
    run_free(&r);
}

static void a_lease_from_before_a_cache_crash_matches_none_after_it(void **state) {
    (void)state;
    run r = run_file(DIR "C2d-leases-survive-a-cache-crash.yaml");
    assert_int_equal(nth(&r, CA_EFF_SET_REFUSED, 0)->aux, CA_REFUSED_LEASE);
    assert_int_equal(verdict(&r), CHECK_OK);
    run_free(&r);
}

static void a_writer_crash_before_its_delete_is_stale_whatever_the_remedy(void **state) {
    (void)state;
    const char *sets[] = { "params.remedy=lease", "params.remedy=versioned", "params.remedy=delayed-delete" };
    for (size_t i = 0; i < 3; i++) {
        run r = run_file_set(DIR "C3-writer-crash-between-update-and-delete.yaml", sets[i]);
        assert_int_equal(count(&r, CA_EFF_DEL), 0);
        check_result res = stale_read(&r);
        assert_int_equal(res.verdict, CHECK_VIOLATION);
        assert_non_null(strstr(res.summary, "9 of 10 reads stale"));
        check_result_free(&res);
        run_free(&r);
    }
}

#define CA_TEXT(workload) "name: t\nprotocol: cache-aside\n" \
    "nodes: {cache: 1, db: 1, reader: [r1], writer: [w1]}\n" \
    "workload:\n  kind: cache-aside\n" workload

static void a_client_list_naming_a_wrong_node_is_an_input_error_at_its_line(void **state) {
    (void)state;
    char err[SIM_ERR_MAX];
    assert_int_equal(create_text(CA_TEXT("  readers: [r1]\n  writers: [w1, r1]\n"), err, sizeof err), -1);
    assert_string_equal(err, "variant.yaml:7:12: error: node 'r1' is both a reader and a writer "
                             "(expected each client in one list)");
    assert_int_equal(create_text(CA_TEXT("  readers: [r1, cache1]\n"), err, sizeof err), -1);
    assert_string_equal(err, "variant.yaml:6:12: error: node 'cache1' is a cache node (expected reader or "
                             "writer nodes)");
    assert_int_equal(create_text(CA_TEXT("  items: 9\n"), err, sizeof err), -1);
    assert_non_null(strstr(err, "variant.yaml:6:10: error: items"));
    assert_int_equal(create_text(CA_TEXT("  items: 8\n"), err, sizeof err), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_slow_readers_late_set_puts_the_old_version_back_after_the_delete),
        cmocka_unit_test(a_read_that_began_before_the_newer_commit_is_not_stale),
        cmocka_unit_test(a_second_delete_after_the_late_set_ends_the_stale_stretch),
        cmocka_unit_test(a_delay_shorter_than_the_pause_deletes_before_the_late_set),
        cmocka_unit_test(a_versioned_cache_refuses_a_set_older_than_the_deleted_version),
        cmocka_unit_test(a_delete_invalidates_the_lease_and_the_late_set_is_refused),
        cmocka_unit_test(every_remedy_keeps_c1_fresh_and_none_does_not),
        cmocka_unit_test(a_cache_crash_empties_it_and_readers_read_the_database_meanwhile),
        cmocka_unit_test(a_power_loss_of_the_cache_reads_the_same_versions_as_a_crash),
        cmocka_unit_test(a_cache_crash_loses_the_versioned_tombstone_and_the_late_set_passes),
        cmocka_unit_test(a_lease_from_before_a_cache_crash_matches_none_after_it),
        cmocka_unit_test(a_writer_crash_before_its_delete_is_stale_whatever_the_remedy),
        cmocka_unit_test(a_client_list_naming_a_wrong_node_is_an_input_error_at_its_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
