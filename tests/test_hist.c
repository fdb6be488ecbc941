/* test_hist.c -- the history's storage: interned texts, records read back,
 * the memory budget and the run that is stopped before it passes it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "sim/registry/registry.h"
#include "tests/test_engine_support.h"

static void interning_an_equal_text_twice_keeps_one_copy(void **state) {
    (void)state;
    hist h;
    hist_init(&h);
    char buf[SIM_NAME_MAX];
    snprintf(buf, sizeof buf, "lock");
    const char *a = hist_intern(&h, buf, SIM_NAME_MAX);
    snprintf(buf, sizeof buf, "counter");
    const char *b = hist_intern(&h, buf, SIM_NAME_MAX);
    const char *c = hist_intern(&h, "lock", SIM_NAME_MAX);
    assert_ptr_equal(a, c);
    assert_ptr_not_equal(a, b);
    assert_string_equal(a, "lock");
    assert_string_equal(b, "counter");
    assert_int_equal(h.strs.count, 2);
    hist_free(&h);
}

static void an_empty_or_missing_text_is_the_empty_string_and_takes_no_room(void **state) {
    (void)state;
    hist h;
    hist_init(&h);
    assert_string_equal(hist_intern(&h, NULL, SIM_NAME_MAX), "");
    assert_string_equal(hist_intern(&h, "", SIM_NAME_MAX), "");
    assert_int_equal(h.strs.count, 0);
    assert_int_equal(h.strs.bytes, 0);
    hist_free(&h);
}

static void a_text_longer_than_its_field_is_cut_as_the_field_was(void **state) {
    (void)state;
    hist h;
    hist_init(&h);
    const char *long_key = "a-key-name-of-forty-characters-and-more!";
    const char *k = hist_intern(&h, long_key, SIM_NAME_MAX);
    assert_int_equal(strlen(k), SIM_NAME_MAX - 1);
    assert_memory_equal(k, long_key, SIM_NAME_MAX - 1);
    assert_ptr_equal(hist_intern(&h, "a-key-name-of-forty-characters-", SIM_NAME_MAX), k);
    hist_free(&h);
}

static void texts_stay_where_they_are_while_the_table_grows(void **state) {
    (void)state;
    hist h;
    hist_init(&h);
    const char *first = hist_intern(&h, "k0", SIM_NAME_MAX);
    char buf[SIM_NAME_MAX];
    for (int i = 1; i < 50000; i++) {
        snprintf(buf, sizeof buf, "k%d", i);
        hist_intern(&h, buf, SIM_NAME_MAX);
    }
    assert_int_equal(h.strs.count, 50000);
    assert_string_equal(first, "k0");
    assert_ptr_equal(hist_intern(&h, "k0", SIM_NAME_MAX), first);
    assert_string_equal(hist_intern(&h, "k49999", SIM_NAME_MAX), "k49999");
    assert_int_equal(h.strs.count, 50000);
    hist_free(&h);
}

static void records_read_back_equal_what_was_added(void **state) {
    (void)state;
    hist h;
    hist_init(&h);
    char key[SIM_NAME_MAX], key2[SIM_NAME_MAX], note[HIST_NOTE_MAX];
    snprintf(key, sizeof key, "accounts:1");
    snprintf(key2, sizeof key2, "accounts:2");
    snprintf(note, sizeof note, "stale token 33 < 34");
    hist_op_fields op = { .node = 3, .process = 7, .f = HIST_F_CAS, .result = HIST_INFO,
                   .invoke_ns = 5, .complete_ns = 9, .invoke_local_ns = -4, .value_in = INT64_MAX,
                   .value_out = INT64_MIN, .has_value_in = true, .has_value_out = true,
                   .epoch = 1ll << 40, .token = -2, .delta = -300, .key = key, .key2 = key2,
                   .note = note };
    hist_effect_fields ef = { .kind = HIST_EFF_WRITE, .t_ns = 6, .node = 2,
                              .client = 3, .op = 0, .epoch = 8, .token = UINT32_MAX, .value = -10,
                              .aux = 11, .txn = 12, .pred = 13, .version = INT64_MIN, .key = key };
    uint32_t id = 99;
    assert_true(hist_add_op(&h, &op, &id));
    assert_true(hist_add_effect_at(&h, &ef, 1ll << 50));
    memset(key, 'x', sizeof key - 1);           /* the writer's buffers are its own again */
    memset(note, 'y', sizeof note - 1);
    assert_int_equal(id, 0);
    op.id = 0;
    snprintf(key, sizeof key, "accounts:1");
    snprintf(note, sizeof note, "stale token 33 < 34");
    hist_op_fields op_back = hist_op_get(&h, &h.ops[0]);
    assert_true(hist_op_same(&op_back, &op));
    assert_int_equal(hist_op_epoch(&h, &h.ops[0]), 1ll << 40);
    assert_int_equal(hist_op_token(&h, &h.ops[0]), -2);
    assert_int_equal(hist_op_local_ns(&h, &h.ops[0]), -4);
    hist_effect_fields back = hist_effect_get(&h, &h.effects[0]);
    assert_true(hist_effect_same(&back, &ef));
    assert_int_equal(hist_effect_local_ns(&h, &h.effects[0]), 1ll << 50);
    assert_int_equal(hist_effect_version(&h, &h.effects[0]), INT64_MIN);
    assert_int_equal(hist_effect_txn(&h, &h.effects[0]), 12);
    assert_int_equal(hist_effect_token(&h, &h.effects[0]), UINT32_MAX);
    assert_string_equal(hist_op_key2(&h, &h.ops[0]), "accounts:2");
    assert_string_equal(h.effects[0].key, "accounts:1");
    ef.aux = 12;
    assert_false(hist_effect_same(&back, &ef));
    hist_free(&h);
}

/* Effect i of the history below reads back its own version and txn. */
static void assert_version_and_txn(const hist *h, uint32_t i) {
    assert_int_equal(hist_effect_version(h, &h->effects[i]), i % 3 == 0 ? (int64_t)i << 33 : 0);
    assert_int_equal(hist_effect_txn(h, &h->effects[i]), i % 5 == 0 ? i : 0);
}

/* Version and transaction are kept apart, for the effects that set one:
 * the others cost their record only, and each reads back its own. */
static void versions_and_transactions_read_back_from_their_side_table(void **state) {
    (void)state;
    hist h;
    hist_init(&h);
    for (uint32_t i = 0; i < 1000; i++) {
        hist_effect_fields ef = { .kind = HIST_EFF_WRITE, .t_ns = i, .op = HIST_NONE,
                                  .version = i % 3 == 0 ? (int64_t)i << 33 : 0, .txn = i % 5 == 0 ? i : 0 };
        assert_true(hist_add_effect(&h, &ef));
    }
    for (uint32_t i = 0; i < 1000; i++) assert_version_and_txn(&h, i);
    /* Lookups start where the last one ended (side_find_near): backwards,
     * in strides and in a scrambled order they read the same. */
    for (uint32_t k = 0; k < 3000; k++) {
        uint32_t i = k < 1000 ? 999 - k : k < 2000 ? (k * 7u) % 1000u : (k * 7919u + 13u) % 1000u;
        assert_version_and_txn(&h, i);
    }
    assert_int_equal(h.extra_count, 334 + 200 - 67 - 1);   /* 3 or 5 divides i, i > 0 */
    assert_int_equal(hist_bytes(&h), 1000 * sizeof(hist_effect) + h.extra_count * sizeof(hist_eff_extra));
    hist_free(&h);
}

/* Ops complete in any order, and a completion may bring an epoch or a
 * token too wide for the record: each is kept whole and reads back as
 * given, the narrow ones in their record. */
static void epochs_and_tokens_learned_at_completion_read_back_whole_in_any_order(void **state) {
    (void)state;
    hist h;
    hist_init(&h);
    for (uint32_t i = 0; i < 6; i++) {
        hist_op_fields op = { .f = HIST_F_READ, .invoke_ns = i, .invoke_local_ns = i,
                              .complete_ns = SIM_TIME_NEVER, .node = (int32_t)i };
        assert_true(hist_add_op(&h, &op, NULL));
    }
    static const uint32_t order[] = { 4, 1, 5, 0, 3 };
    static const int64_t epoch[] = { 7, (int64_t)1 << 40, 0, UINT32_MAX, 9, -5 };
    static const int64_t token[] = { (int64_t)5 << 32, 3, 0, 11, INT64_MAX, UINT32_MAX - 1 };
    for (uint32_t k = 0; k < 5; k++) {
        uint32_t i = order[k];
        hist_op_fields done = { .epoch = epoch[i], .token = token[i] };
        hist_complete_op(&h, i, HIST_OK, 10 + k, &done);
    }
    for (uint32_t i = 0; i < 6; i++) {
        assert_int_equal(hist_op_epoch(&h, &h.ops[i]), epoch[i]);
        assert_int_equal(hist_op_token(&h, &h.ops[i]), token[i]);
    }
    assert_int_equal(h.ops[2].result, HIST_PENDING);
    assert_int_equal(h.ops[4].complete_ns, 10);
    assert_int_equal(h.op_epoch_count, 3);          /* 2^40, UINT32_MAX, -5 */
    assert_int_equal(h.op_token_count, 2);          /* 5 << 32, INT64_MAX */
    hist_op_fields again = { .token = 4 };          /* a narrow token replaces a wide one */
    h.ops[0].result = HIST_PENDING;
    hist_complete_op(&h, 0, HIST_OK, 20, &again);
    assert_int_equal(hist_op_token(&h, &h.ops[0]), 4);
    assert_int_equal(h.op_token_count, 1);
    assert_int_equal(hist_op_token(&h, &h.ops[4]), INT64_MAX);
    hist_free(&h);
}

/* A token is kept in 32 bits when it fits below HIST_TOKEN_WIDE; a wider
 * one (a cache lease: boot << 32 | counter; a register's "no parent",
 * UINT32_MAX; a negative one) is not cut to fit but kept whole in a side
 * table, and every one reads back as it was given. */
static void tokens_too_wide_for_the_record_read_back_whole_from_the_side_table(void **state) {
    (void)state;
    hist h;
    hist_init(&h);
    static const int64_t tokens[] = { 0, 1, (int64_t)UINT32_MAX - 1, UINT32_MAX,
                                      ((int64_t)3 << 32) | 7, -1, INT64_MIN, INT64_MAX };
    enum { N = sizeof tokens / sizeof tokens[0] };
    for (uint32_t i = 0; i < N; i++) {
        hist_effect_fields ef = { .kind = HIST_EFF_WRITE, .t_ns = i, .op = HIST_NONE, .token = tokens[i] };
        assert_true(hist_add_effect(&h, &ef));
    }
    for (uint32_t i = 0; i < N; i++) {
        assert_int_equal(hist_effect_token(&h, &h.effects[i]), tokens[i]);
        assert_int_equal(hist_effect_get(&h, &h.effects[i]).token, tokens[i]);
    }
    assert_int_equal(h.effects[2].token32, UINT32_MAX - 1);
    assert_int_equal(h.token_count, N - 3);
    assert_int_equal(hist_bytes(&h), N * sizeof(hist_effect) + (N - 3) * sizeof(hist_wide));
    hist_free(&h);
}

/* Texts' places are 32 bits, so the table holds at most 4 GiB: near it, a
 * record is refused (the engine ends the run with the reason), not a
 * text cut or a place wrapped.  The table is made to look full: 65 471
 * empty chunks. */
static void a_record_is_refused_saying_why_when_the_table_of_texts_is_full(void **state) {
    (void)state;
    hist h;
    hist_init(&h);
    h.max_bytes = SIZE_MAX;
    hist_effect_fields ef = { .kind = HIST_EFF_WRITE, .op = HIST_NONE, .key = "k" };
    assert_true(hist_add_effect(&h, &ef));
    free(h.strs.chunks[0]);
    h.strs.chunks = sim_xrealloc(h.strs.chunks, 65471 * sizeof *h.strs.chunks);
    memset(h.strs.chunks, 0, 65471 * sizeof *h.strs.chunks);
    h.strs.chunk_count = 65471;
    ef.t_ns = 1;
    assert_false(hist_add_effect(&h, &ef));
    assert_int_equal(h.effect_count, 1);
    assert_non_null(hist_refusal(&h));
    assert_non_null(strstr(hist_refusal(&h), "table of texts is full"));
    hist_op_fields op = { .f = HIST_F_READ };
    assert_false(hist_add_op(&h, &op, NULL));
    hist_free(&h);
}

/* A reading other than true time is kept in the side table, near it or
 * far (a clock stepped by minutes); all read back exactly. */
static void wall_clock_readings_near_and_far_from_true_time_read_back_exactly(void **state) {
    (void)state;
    hist h;
    hist_init(&h);
    static const sim_time off[] = { 0, -1, INT32_MAX, (sim_time)INT32_MAX + 1, INT32_MIN,
                                    -(sim_time)3600 * SIM_S, 5 * SIM_MS, (sim_time)1 << 40 };
    enum { N = sizeof off / sizeof off[0] };
    for (uint32_t i = 0; i < 3 * N; i++) {
        hist_effect_fields ef = { .kind = HIST_EFF_READ, .t_ns = (sim_time)i * SIM_S, .op = HIST_NONE };
        assert_true(hist_add_effect_at(&h, &ef, ef.t_ns + off[i % N]));
    }
    for (uint32_t i = 0; i < 3 * N; i++)
        assert_int_equal(hist_effect_local_ns(&h, &h.effects[i]), (sim_time)i * SIM_S + off[i % N]);
    assert_int_equal(h.far_count, 3 * (N - 1));    /* all but the reading equal to true time */
    hist_free(&h);
}

static void a_record_without_texts_reads_back_empty_texts(void **state) {
    (void)state;
    hist h;
    hist_init(&h);
    hist_op_fields op = { .f = HIST_F_READ };
    hist_effect_fields ef = { .kind = HIST_EFF_READ, .op = HIST_NONE };
    assert_true(hist_add_op(&h, &op, NULL));
    assert_true(hist_add_effect(&h, &ef));
    assert_string_equal(h.ops[0].key, "");
    assert_string_equal(hist_op_key2(&h, &h.ops[0]), "");
    assert_string_equal(h.ops[0].note, "");
    assert_string_equal(h.effects[0].key, "");
    hist_free(&h);
}

static void many_records_on_few_keys_cost_their_records_and_one_copy_of_each_key(void **state) {
    (void)state;
    hist h;
    hist_init(&h);
    char key[SIM_NAME_MAX];
    for (int i = 0; i < 100000; i++) {
        snprintf(key, sizeof key, "lock-%d", i % 5);
        hist_effect_fields ef = { .kind = HIST_EFF_WRITE, .t_ns = i, .op = HIST_NONE, .key = key };
        assert_true(hist_add_effect(&h, &ef));
    }
    assert_int_equal(h.strs.count, 5);
    size_t records = 100000 * sizeof(hist_effect);
    assert_true(hist_bytes(&h) >= records);
    assert_true(hist_bytes(&h) <= records + 70000);     /* one chunk and a small slot table */
    hist_free(&h);
}

static void a_record_past_the_budget_is_refused(void **state) {
    (void)state;
    hist h;
    hist_init(&h);
    h.max_bytes = 100 * sizeof(hist_effect);
    hist_effect_fields ef = { .kind = HIST_EFF_READ, .op = HIST_NONE };
    uint32_t added = 0;
    while (hist_add_effect(&h, &ef)) added++;
    assert_int_equal(added, 100);
    hist_op_fields op = { .f = HIST_F_READ };
    assert_false(hist_add_op(&h, &op, NULL));
    assert_true(hist_bytes(&h) <= h.max_bytes);
    hist_free(&h);
}

/* The scenario of the run ping_with_budget made: a run reads its scenario
 * until sim_destroy, so budget_run_free frees both, in that order. */
static scn *budget_scn;

static void budget_run_free(sim *run) {
    sim_destroy(run);
    free(budget_scn->params.items);
    free(budget_scn);
    budget_scn = NULL;
}

/* a sends `count` messages 1 ms apart until the horizon: b records one
 * effect each, sizeof(hist_effect) bytes.  Free with budget_run_free. */
static int ping_with_budget(int64_t count, uint64_t budget, sim **out, char *err, size_t len) {
    SIM_ASSERT(budget_scn == NULL);
    scn *s = budget_scn = ping_scn(count * SIM_MS + SIM_S);
    char n[32];
    snprintf(n, sizeof n, "%lld", (long long)count);
    ping_param(s, "count", n);
    ping_param(s, "every", "1ms");
    sim_options opt = { .seed = 1, .seed_set = true, .proto = &ping_proto,
                        .max_history_bytes = budget };
    int rc = sim_create(s, &opt, out, err, len);
    if (rc == 0) rc = sim_run(*out, err, len);
    return rc;
}

/* A lock-counter run of 2 clients x 100 000 iterations (about 90 MB of
 * history) under an 8 MiB budget: lock-counter says how many ops its
 * clients will invoke (workload_desc.ops_max), so the projection stops it
 * at its first look, 1/64 of the budget, not when the budget is spent. */
static const char big_lock_run[] =
    "name: budget\n"
    "duration: 100000s\n"
    "protocol: setnx-lock\n"
    "nodes: {redis: 1, client: [c1, c2], storage: 1}\n"
    "network: {latency: 1ms}\n"
    "workload: {kind: lock-counter, clients: [c1, c2], iterations: 100000, hold: 1ms}\n";

static void a_run_on_course_to_pass_its_budget_is_stopped_at_once_naming_it_and_its_option(void **state) {
    (void)state;
    scn *s = calloc(1, sizeof *s);
    assert_non_null(s);
    char err[SIM_ERR_MAX];
    assert_int_equal(scn_load_buffer("budget.yaml", big_lock_run, strlen(big_lock_run), s, err,
                                     sizeof err), 0);
    sim_options opt = { .max_history_bytes = 8u << 20 };
    sim *run = NULL;
    if (registry_sim_create(s, &opt, &run, err, sizeof err) != 0) fail_msg("%s", err);
    assert_int_equal(sim_run(run, err, sizeof err), SIM_RUN_OVER_BUDGET);
    assert_non_null(strstr(err, "on course to pass its budget of 8388608 bytes"));
    assert_non_null(strstr(err, "--max-memory BYTES"));
    assert_true(hist_bytes(sim_history(run)) < (8u << 20) / 32);
    sim_destroy(run);
    scn_free(s);
    free(s);
}

/* The ping protocol has no workload to say how much it will record: its
 * run is not projected (a run whose clients stop long before the horizon
 * would look far bigger than it is), and stops when the budget is spent. */
static void a_run_without_a_bound_on_its_operations_stops_when_its_budget_is_spent(void **state) {
    (void)state;
    sim *run = NULL;
    char err[SIM_ERR_MAX];
    assert_int_equal(ping_with_budget(1000000, 8u << 20, &run, err, sizeof err), SIM_RUN_OVER_BUDGET);
    assert_non_null(strstr(err, "budget of 8388608 bytes"));
    assert_non_null(strstr(err, "--max-memory BYTES"));
    assert_null(strstr(err, "on course"));
    assert_true(hist_bytes(sim_history(run)) > (8u << 20) / 2);
    budget_run_free(run);
}

static void a_run_that_fits_its_budget_runs_to_its_end(void **state) {
    (void)state;
    sim *run = NULL;
    char err[SIM_ERR_MAX];
    /* 100 000 effects need about 9 MB; the budget is 16 MiB */
    assert_int_equal(ping_with_budget(100000, 16u << 20, &run, err, sizeof err), 0);
    assert_int_equal(effect_count(run, HIST_EFF_READ), 100000);
    budget_run_free(run);
    run = NULL;
    assert_int_equal(ping_with_budget(100000, 4u << 20, &run, err, sizeof err), SIM_RUN_OVER_BUDGET);
    budget_run_free(run);
}

int main(void) {
    (void)ping_run; (void)ping_fault; (void)effect_time;   /* support this file does not use */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(interning_an_equal_text_twice_keeps_one_copy),
        cmocka_unit_test(an_empty_or_missing_text_is_the_empty_string_and_takes_no_room),
        cmocka_unit_test(a_text_longer_than_its_field_is_cut_as_the_field_was),
        cmocka_unit_test(texts_stay_where_they_are_while_the_table_grows),
        cmocka_unit_test(records_read_back_equal_what_was_added),
        cmocka_unit_test(versions_and_transactions_read_back_from_their_side_table),
        cmocka_unit_test(tokens_too_wide_for_the_record_read_back_whole_from_the_side_table),
        cmocka_unit_test(epochs_and_tokens_learned_at_completion_read_back_whole_in_any_order),
        cmocka_unit_test(a_record_is_refused_saying_why_when_the_table_of_texts_is_full),
        cmocka_unit_test(wall_clock_readings_near_and_far_from_true_time_read_back_exactly),
        cmocka_unit_test(a_record_without_texts_reads_back_empty_texts),
        cmocka_unit_test(many_records_on_few_keys_cost_their_records_and_one_copy_of_each_key),
        cmocka_unit_test(a_record_past_the_budget_is_refused),
        cmocka_unit_test(a_run_on_course_to_pass_its_budget_is_stopped_at_once_naming_it_and_its_option),
        cmocka_unit_test(a_run_without_a_bound_on_its_operations_stops_when_its_budget_is_spent),
        cmocka_unit_test(a_run_that_fits_its_budget_runs_to_its_end),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
