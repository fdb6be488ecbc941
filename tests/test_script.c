/* test_script.c -- the `script` workload (docs/script-workload.md), its
 * check, the db statements it needs (BEGIN with a level, DELETE, UPDATE
 * and DELETE by predicate, reads after writes, writes without their
 * COMMIT), PostgreSQL SSI failing a write (issue 12, fix 6), and the SQL
 * log (`ccsim run --emit sql`, docs/sql-log.md).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/test_cli_support.h"      /* before env.h: its `env` names a parameter */
#include "protocols/db/db.h"
#include "sim/check/check.h"
#include "sim/workload/script.h"
#include "tests/test_run_support.h"

#define OUT_MAX (1 << 16)
static char out[OUT_MAX];
static char yaml[16384];

/* A script scenario: flavour, default level, then the `steps:` lines. */
static const char *script_yaml(const char *flavor, const char *iso, const char *steps) {
    snprintf(yaml, sizeof yaml,
             "name: t\nduration: 10s\nprotocol: db\nparams: {flavor: %s, isolation: %s}\n"
             "nodes: {db: 1, client: 1}\n"
             "workload:\n  kind: script\n  clients: [T1, T2, T3]\n  rows: \"1=10, 2=20\"\n"
             "  steps:\n%s"
             "checks: [script]\n",
             flavor, iso, steps);
    return yaml;
}

static check_result judge(const run *r) {
    check_input in = { r->h, r->s, 0, false, NULL };
    check_result res;
    memset(&res, 0, sizeof res);
    check_find("script")->run(&in, &res);
    return res;
}

/* Runs steps; returns the script check's verdict, its story in out. */
static check_verdict run_steps(const char *flavor, const char *iso, const char *steps) {
    run r = run_text(script_yaml(flavor, iso, steps));
    check_result res = judge(&r);
    snprintf(out, sizeof out, "%s\n%s", res.summary, res.story ? res.story : "");
    check_verdict v = res.verdict;
    check_result_free(&res);
    run_free(&r);
    return v;
}

static void assert_steps_ok(const char *flavor, const char *iso, const char *steps) {
    if (run_steps(flavor, iso, steps) != CHECK_OK) fail_msg("%s", out);
}

static void assert_load_error(const char *steps, const char *where, const char *what) {
    char err[1024];
    assert_int_equal(create_text(script_yaml("postgres", "default", steps), err, sizeof err), -1);
    if (strstr(err, where) == NULL || strstr(err, what) == NULL)
        fail_msg("expected '%s' ... '%s' in: %s", where, what, err);
}

/* ---------------------------------------------------------------- statements */

static void each_statement_parses_into_the_db_statements_it_means(void **state) {
    (void)state;
    db_stmt st[DB_STMTS_MAX];
    uint32_t n = 0;
    uint8_t ret = 0;
    char msg[200];
    assert_int_equal(script_parse_stmt("BEGIN ISOLATION LEVEL Repeatable Read;", "test", st, &n, &ret, msg, sizeof msg), 0);
    assert_int_equal(st[0].kind, DB_ST_BEGIN);
    assert_int_equal(st[0].arg, DB_ISO_RR);
    assert_int_equal(script_parse_stmt("select * from test where id in (1, 2) for update", "test", st, &n, &ret, msg, sizeof msg), 0);
    assert_int_equal(n, 2);
    assert_int_equal(st[1].kind, DB_ST_SELECT);
    assert_int_equal(st[1].id, 2);
    assert_int_equal(st[1].lock, DB_LOCK_UPDATE);
    assert_int_equal(ret, SCRIPT_RET_ROWS);
    assert_int_equal(script_parse_stmt("select * from test where value % 3 = 0", "test", st, &n, &ret, msg, sizeof msg), 0);
    assert_int_equal(st[0].kind, DB_ST_SCAN);
    assert_int_equal(st[0].where, HIST_PRED_MOD0);
    assert_int_equal(st[0].where_arg, 3);
    assert_int_equal(script_parse_stmt("update test set value = value - 5 where value >= 20", "test", st, &n, &ret, msg, sizeof msg), 0);
    assert_int_equal(st[0].kind, DB_ST_UPDATE_PRED);
    assert_int_equal(st[0].set, DB_SET_ADD);
    assert_int_equal(st[0].arg, -5);
    assert_int_equal(st[0].where, HIST_PRED_GE);
    assert_int_equal(script_parse_stmt("update test set value = value -5 where id = 1", "test", st, &n, &ret, msg, sizeof msg), 0);
    assert_int_equal(st[0].kind, DB_ST_UPDATE);
    assert_int_equal(st[0].set, DB_SET_ADD);
    assert_int_equal(st[0].arg, -5);
    assert_int_equal(script_parse_stmt("delete from test where id = 2", "test", st, &n, &ret, msg, sizeof msg), 0);
    assert_int_equal(st[0].kind, DB_ST_DELETE);
    assert_int_equal(script_parse_stmt("insert into test (id, value) values(3, 30)", "test", st, &n, &ret, msg, sizeof msg), 0);
    assert_int_equal(st[0].kind, DB_ST_INSERT);
    assert_int_equal(st[0].arg, 30);
    assert_int_equal(ret, SCRIPT_RET_COUNT);
    assert_int_equal(script_parse_stmt("abort", "test", st, &n, &ret, msg, sizeof msg), 0);
    assert_int_equal(st[0].kind, DB_ST_ROLLBACK);
}

static void a_statement_that_does_not_parse_says_what_it_expected(void **state) {
    (void)state;
    db_stmt st[DB_STMTS_MAX];
    uint32_t n = 0;
    uint8_t ret = 0;
    char msg[200];
    assert_int_equal(script_parse_stmt("upsert into test", "test", st, &n, &ret, msg, sizeof msg), -1);
    assert_non_null(strstr(msg, "unknown statement 'upsert'"));
    assert_int_equal(script_parse_stmt("select * from other", "test", st, &n, &ret, msg, sizeof msg), -1);
    assert_non_null(strstr(msg, "unknown table 'other'"));
    assert_int_equal(script_parse_stmt("update test set value = 1 where id = 1 2", "test", st, &n, &ret, msg, sizeof msg), -1);
    assert_non_null(strstr(msg, "unexpected '2'"));
    assert_int_equal(script_parse_stmt("begin isolation level snapshot", "test", st, &n, &ret, msg, sizeof msg), -1);
    assert_non_null(strstr(msg, "unknown isolation level"));
}

/* ---------------------------------------------------------------- loader errors */

static void an_unknown_statement_is_an_error_at_its_value(void **state) {
    (void)state;
    assert_load_error("    1: {T1: \"merge into test\"}\n", "variant.yaml:11:13: error:",
                      "step 1: unknown statement 'merge'");
}

static void a_step_naming_an_unknown_client_is_an_error_at_its_key(void **state) {
    (void)state;
    assert_load_error("    1: {T1: begin}\n    2: {T9: begin}\n", "variant.yaml:12:9: error:",
                      "step 2: unknown client 'T9'");
}

static void a_step_order_that_never_ends_is_an_error(void **state) {
    (void)state;
    assert_load_error("    1: {T1: begin}\n    2: {T1: \"update test set value = 1 where id = 1\"}\n"
                      "    3: {T2: begin}\n"
                      "    4: {T2: \"update test set value = 2 where id = 1\", blocks: 6}\n"
                      "    5: {T2: commit}\n    6: {T1: commit}\n",
                      "variant.yaml:15:9: error:", "step 5: the steps never end: T2 is still "
                      "waiting in step 4 (it blocks until step 6)");
}

static void blocks_must_name_a_later_step(void **state) {
    (void)state;
    assert_load_error("    1: {T1: begin}\n    2: {T1: commit, blocks: 1}\n", "variant.yaml:12:",
                      "step 2: blocks: 1 is not a later step");
}

static void steps_out_of_order_and_rows_on_a_write_are_errors(void **state) {
    (void)state;
    assert_load_error("    2: {T1: begin}\n    1: {T1: commit}\n", "variant.yaml:12:9: error:",
                      "step 1 comes after step 2");
    assert_load_error("    1: {T1: \"delete from test where id = 1\", rows: \"1=10\"}\n",
                      "variant.yaml:11:", "rows on a statement that returns none");
    assert_load_error("    1: {T1: begin, T2: begin}\n", "variant.yaml:11:", "step 1 has two statements");
}

static void two_client_nodes_are_refused(void **state) {
    (void)state;
    char err[1024];
    char text[16384];
    snprintf(text, sizeof text, "%s", script_yaml("postgres", "default", "    1: {T1: begin}\n"));
    char *c = strstr(text, "client: 1");
    assert_non_null(c);
    memcpy(c, "client: 2", 9);
    assert_int_equal(create_text(text, err, sizeof err), -1);
    assert_non_null(strstr(err, "script runs every client on one node"));
}

static void a_bad_script_exits_2_with_one_located_line(void **state) {
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/bad.yaml", tmpdir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(script_yaml("postgres", "default", "    1: {T1: \"selct * from test\"}\n"), f);
    fclose(f);
    char full[2048];
    snprintf(full, sizeof full, "%s run %s --out %s/r 2>&1", ccsim, path, tmpdir);
    FILE *p = popen(full, "r");
    assert_non_null(p);
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = '\0';
    int st = pclose(p);
    int rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    assert_int_equal(rc, 2);
    assert_non_null(strstr(out, "bad.yaml:11:13: error: step 1: unknown statement 'selct'"));
    assert_int_equal(strchr(out, '\n') - out + 1, (long)strlen(out));     /* one line */
}

/* ---------------------------------------------------------------- outcomes */

static void selects_by_key_and_by_predicate_return_their_rows(void **state) {
    (void)state;
    assert_steps_ok("postgres", "default",
        "    1: {T1: begin}\n"
        "    2: {T1: \"select * from test where id = 2\", rows: \"2=20\"}\n"
        "    3: {T1: \"select * from test where id = 7\", rows: none}\n"
        "    4: {T1: \"select * from test where value > 5\", rows: \"1=10, 2=20\"}\n"
        "    5: {T1: \"select * from test where id in (1, 2)\", rows: \"1=10, 2=20\"}\n"
        "    6: {T1: commit}\n");
}

static void a_wrong_expectation_is_reported_with_its_step(void **state) {
    (void)state;
    assert_int_equal(run_steps("postgres", "default",
        "    1: {T1: \"select * from test where id = 2\", rows: \"2=21\"}\n"
        "    2: {T1: \"update test set value = 5 where id = 1\", count: 2}\n"
        "    3: {T1: commit, error: \"40001\"}\n"), CHECK_VIOLATION);
    assert_non_null(strstr(out, "3 of 3 steps differ"));
    assert_non_null(strstr(out, "step 1 (T1: select * from test where id = 2): expected rows 2=21, got 2=20"));
    assert_non_null(strstr(out, "step 2 (T1: update test set value = 5 where id = 1): expected count 2, got 1"));
    assert_non_null(strstr(out, "step 3 (T1: commit): expected error 40001, got ok"));
}

static void a_read_after_a_write_in_one_transaction_sees_the_write(void **state) {
    (void)state;
    assert_steps_ok("postgres", "repeatable-read",
        "    1: {T1: begin}\n"
        "    2: {T1: \"update test set value = value + 1 where id = 1\", count: 1}\n"
        "    3: {T1: \"select * from test where id = 1\", rows: \"1=11\"}\n"
        "    4: {T2: \"select * from test where id = 1\", rows: \"1=10\"}\n"
        "    5: {T1: commit}\n"
        "    6: {T2: \"select * from test where id = 1\", rows: \"1=11\"}\n");
}

static void insert_delete_and_rollback_change_what_is_read(void **state) {
    (void)state;
    assert_steps_ok("mysql", "default",
        "    1: {T1: begin}\n"
        "    2: {T1: \"insert into test (id, value) values (3, 30)\", count: 1}\n"
        "    3: {T1: \"delete from test where id = 1\", count: 1}\n"
        "    4: {T1: \"select * from test\", rows: \"2=20, 3=30\"}\n"
        "    5: {T1: rollback}\n"
        "    6: {T1: \"select * from test\", rows: \"1=10, 2=20\"}\n"
        "    7: {T1: \"delete from test where value >= 10\", count: 2}\n"
        "    8: {T1: \"select * from test\", rows: none}\n"
        "    9: {T1: \"insert into test (id, value) values (1, 5)\", count: 1}\n"
        "    10: {T1: \"select * from test\", rows: \"1=5\"}\n");
}

static void an_update_by_predicate_changes_every_matching_row(void **state) {
    (void)state;
    assert_steps_ok("postgres", "default",
        "    1: {T1: \"update test set value = value + 10\", count: 2}\n"
        "    2: {T1: \"update test set value = 0 where value = 30\", count: 1}\n"
        "    3: {T1: \"select * from test\", rows: \"1=20, 2=0\"}\n");
}

/* Hermitage's PMP for write predicates, PostgreSQL read committed: T2's
 * DELETE waits for T1's UPDATE, then re-checks the row (EvalPlanQual),
 * which no longer matches, and deletes nothing. */
static void a_blocked_delete_rechecks_its_predicate_after_the_wait(void **state) {
    (void)state;
    assert_steps_ok("postgres", "read-committed",
        "    1: {T1: begin}\n"
        "    2: {T2: begin}\n"
        "    3: {T1: \"update test set value = value + 10\", count: 2}\n"
        "    4: {T2: \"delete from test where value = 20\", blocks: 5, count: 0}\n"
        "    5: {T1: commit}\n"
        "    6: {T2: \"select * from test where value = 20\", rows: \"1=20\"}\n"
        "    7: {T2: commit}\n");
}

/* A delete is a version that matches no predicate: a later predicate read
 * that does not see the row saw that version (PRED_SEEN), so the
 * isolation check finds no phantom where there is none. */
static void the_isolation_check_reads_a_delete_as_the_row_leaving(void **state) {
    (void)state;
    run r = run_text(script_yaml("postgres", "read-committed",
        "    1: {T1: begin}\n"
        "    2: {T2: begin}\n"
        "    3: {T1: \"update test set value = value + 10\", count: 2}\n"
        "    4: {T2: \"delete from test where value = 20\", blocks: 5, count: 0}\n"
        "    5: {T1: commit}\n"
        "    6: {T2: abort}\n"
        "    7: {T1: \"delete from test where id = 1\", count: 1}\n"
        "    8: {T2: \"select * from test\", rows: \"2=30\"}\n"));
    check_input in = { r.h, r.s, 0, false, NULL };
    check_result res;
    memset(&res, 0, sizeof res);
    check_find("isolation")->run(&in, &res);
    if (res.verdict != CHECK_OK) fail_msg("%s", res.summary);
    check_result_free(&res);
    uint32_t seen = 0;          /* the tombstone, version 3 (T2's aborted DELETE saw version 1) */
    for (uint32_t i = 0; i < r.h->effect_count; i++)
        seen += r.h->effects[i].kind == HIST_EFF_PRED_SEEN && strcmp(r.h->effects[i].key, "test:1") == 0 &&
                hist_effect_version(r.h, &r.h->effects[i]) == 3;
    assert_int_equal(seen, 1);
    run_free(&r);
}

static void blocking_until_a_step_is_checked_both_ways(void **state) {
    (void)state;
    const char *p4 =
        "    1: {T1: begin}\n"
        "    2: {T2: begin}\n"
        "    3: {T1: \"update test set value = 11 where id = 1\"}\n"
        "    4: {T2: \"update test set value = 12 where id = 1\", blocks: %s}\n"
        "    5: {T3: \"select * from test where id = 2\", rows: \"2=20\"}\n"
        "    6: {T1: commit}\n"
        "    7: {T2: commit}\n";
    char steps[1024];
    snprintf(steps, sizeof steps, p4, "6");
    assert_steps_ok("postgres", "read-committed", steps);
    snprintf(steps, sizeof steps, p4, "5");
    assert_int_equal(run_steps("postgres", "read-committed", steps), CHECK_VIOLATION);
    assert_non_null(strstr(out, "step 4 (T2: update test set value = 12 where id = 1): expected "
                                "to block until step 5, returned after step 6"));
    assert_int_equal(run_steps("postgres", "read-committed",
        "    1: {T1: begin}\n    2: {T1: \"select * from test where id = 1\", blocks: 3}\n"
        "    3: {T2: begin}\n"), CHECK_VIOLATION);
    assert_non_null(strstr(out, "expected to block until step 3, returned at once"));
}

static void a_statement_that_never_returns_leaves_its_clients_later_steps_unrun(void **state) {
    (void)state;
    assert_int_equal(run_steps("postgres", "read-committed",
        "    1: {T1: begin}\n"
        "    2: {T2: begin}\n"
        "    3: {T1: \"update test set value = 11 where id = 1\"}\n"
        "    4: {T2: \"update test set value = 12 where id = 1\"}\n"
        "    5: {T2: commit}\n"
        "    6: {T1: commit}\n"), CHECK_VIOLATION);
    assert_non_null(strstr(out, "step 4 (T2: update test set value = 12 where id = 1): expected to "
                                "return at once, still blocked at the end"));
    assert_non_null(strstr(out, "step 5 (T2: commit): never ran (T2 still blocked in step 4)"));
    assert_non_null(strstr(out, "step 6 (T1: commit): never ran"));
}

static void a_step_with_at_waits_for_its_time(void **state) {
    (void)state;
    run r = run_text(script_yaml("postgres", "default",
        "    1: {T1: \"select * from test where id = 1\"}\n"
        "    2: {T2: \"select * from test where id = 2\", at: 50ms}\n"
        "    3: {T1: \"select * from test where id = 2\"}\n"));
    const hist_op *ops[3] = { NULL, NULL, NULL };
    uint32_t n = 0;
    for (uint32_t i = 0; i < r.h->op_count && n < 3; i++)
        if (r.h->ops[i].f == HIST_F_STMT) ops[n++] = &r.h->ops[i];
    assert_int_equal(n, 3);
    assert_int_equal(ops[0]->invoke_ns, 0);
    assert_int_equal(ops[1]->invoke_ns, 50 * SIM_MS);
    assert_int_equal(ops[2]->invoke_ns, ops[1]->complete_ns);     /* next at its answer */
    run_free(&r);
}

/* ---------------------------------------------------------------- fix 6 */

/* Fekete et al's G2 on PostgreSQL serializable: T1's UPDATE makes it the
 * pivot of T3 -> T1 -> T2 with T2 committed; PostgreSQL fails the UPDATE
 * itself ("canceled on identification as a pivot, during write"). */
static void postgres_ssi_fails_the_write_that_makes_a_committed_pivot(void **state) {
    (void)state;
    run r = run_file("scenarios/db/script/S3-g2-fekete-postgres-serializable.yaml");
    check_result res = judge(&r);
    if (res.verdict != CHECK_OK) fail_msg("%s\n%s", res.summary, res.story ? res.story : "");
    check_result_free(&res);
    const hist_op *update = NULL;
    for (uint32_t i = 0; i < r.h->op_count; i++)
        if (r.h->ops[i].f == HIST_F_STMT && r.h->ops[i].value_in == 9) update = &r.h->ops[i];
    assert_non_null(update);
    assert_int_equal(update->result, HIST_FAIL);
    assert_string_equal(update->note, "40001");
    run_free(&r);
}

/* Hermitage's G2-item order: neither write finds a committed out-conflict,
 * so the error waits for the second COMMIT, as PostgreSQL does. */
static void postgres_ssi_still_fails_the_commit_when_no_partner_has_committed(void **state) {
    (void)state;
    assert_steps_ok("postgres", "serializable",
        "    1: {T1: begin}\n"
        "    2: {T2: begin}\n"
        "    3: {T1: \"select * from test where id in (1, 2)\", rows: \"1=10, 2=20\"}\n"
        "    4: {T2: \"select * from test where id in (1, 2)\", rows: \"1=10, 2=20\"}\n"
        "    5: {T1: \"update test set value = 11 where id = 1\"}\n"
        "    6: {T2: \"update test set value = 21 where id = 2\"}\n"
        "    7: {T1: commit}\n"
        "    8: {T2: commit, error: \"40001\"}\n");
}

/* ---------------------------------------------------------------- --emit sql */

/* Writes a script scenario (flavour, level, steps) to TMP/NAME.yaml, runs
 * `ccsim run --emit sql` on it into out, and checks it exited 0. */
static void emit_sql_of(const char *name, const char *flavour, const char *level,
                        const char *steps) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s.yaml", tmpdir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(script_yaml(flavour, level, steps), f);
    fclose(f);
    char full[2048];
    snprintf(full, sizeof full, "%s run %s --out %s/r --emit sql 2>/dev/null", ccsim, path, tmpdir);
    FILE *p = popen(full, "r");
    assert_non_null(p);
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = '\0';
    assert_int_equal(WEXITSTATUS(pclose(p)), 0);
}

static void the_sql_log_lists_each_statement_with_its_answer_and_the_final_rows(void **state) {
    (void)state;
    emit_sql_of("p4", "mysql", "repeatable-read",
        "    1: {T1: begin isolation level serializable}\n"
        "    2: {T1: \"select * from test where value >= 10 for share\", rows: \"1=10, 2=20\"}\n"
        "    3: {T2: \"update test set value = 12 where id = 1\", blocks: 4}\n"
        "    4: {T1: rollback}\n");
    const char *want =
        "# ccsim sql log v1\n"
        "# scenario\tt\tseed\t1\n"
        "# flavour\tmysql\tisolation\trepeatable-read\n"
        "# setup\tCREATE TABLE test (id bigint PRIMARY KEY, value bigint NOT NULL, version bigint NOT NULL DEFAULT 1)\n"
        "# setup\tINSERT INTO test (id, value) VALUES (1, 10), (2, 20)\n"
        "# row\ttest\t1\t10\n"
        "# row\ttest\t2\t20\n"
        "1000000\tdb1\t1000000\t1000000\tstmt\t1\tclient1/1\t1\tSET TRANSACTION ISOLATION LEVEL SERIALIZABLE\tSTART TRANSACTION\n"
        "1000000\tdb1\t1000000\t1000000\tdone\t1\tclient1/1\t1\tok\n"
        "3000000\tdb1\t3000000\t3000000\tstmt\t2\tclient1/1\t1\tSELECT id, value FROM test WHERE value >= 10 ORDER BY id LOCK IN SHARE MODE\n"
        "3000000\tdb1\t3000000\t3000000\tdone\t2\tclient1/1\t1\trows\t1=10\t2=20\n"
        "5000000\tdb1\t5000000\t5000000\tstmt\t3\tclient1/2\t2\tUPDATE test SET value = 12, version = version + 1 WHERE id = 1\n"
        "5000000\tdb1\t5000000\t5000000\tblock\t3\tclient1/2\t2\n"
        "105000000\tdb1\t105000000\t105000000\tstmt\t4\tclient1/1\t1\tROLLBACK\n"
        "105000000\tdb1\t105000000\t105000000\tdone\t4\tclient1/1\t1\tok\n"
        "105000000\tdb1\t105000000\t105000000\tdone\t3\tclient1/2\t2\tcount\t1\n"
        "10000000000\tdb1\t10000000000\t10000000000\tfinal\ttest\t1\t12\n"
        "10000000000\tdb1\t10000000000\t10000000000\tfinal\ttest\t2\t20\n";
    assert_string_equal(out, want);
}

static void emit_sql_refuses_a_scenario_without_a_db_node(void **state) {
    (void)state;
    char full[2048];
    snprintf(full, sizeof full, "%s run scenarios/locks/L1c-set-nx-px-holder-crash.yaml --out %s/r "
             "--emit sql 2>&1", ccsim, tmpdir);
    FILE *p = popen(full, "r");
    assert_non_null(p);
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = '\0';
    int st = pclose(p);
    assert_int_equal(WEXITSTATUS(st), 2);
    assert_non_null(strstr(out, "--emit sql"));
    assert_non_null(strstr(out, "has no db node"));
}

/* An autocommit statement is its own transaction on the server too: it is
 * logged bare (no BEGIN, no COMMIT records), and runs at the connection's
 * session level, the header's. */
static void an_autocommit_statement_is_logged_bare_without_begin_or_commit(void **state) {
    (void)state;
    emit_sql_of("auto", "mysql", "serializable",
        "    1: {T1: \"select * from test where id = 1\", rows: \"1=10\"}\n"
        "    2: {T1: \"update test set value = 11 where id = 1\", count: 1}\n");
    const char *records = strstr(out, "1000000\tdb1");
    assert_non_null(records);
    assert_string_equal(records,
        "1000000\tdb1\t1000000\t1000000\tstmt\t1\tclient1/1\t1\tSELECT id, value FROM test WHERE id = 1\n"
        "1000000\tdb1\t1000000\t1000000\tdone\t1\tclient1/1\t1\trows\t1=10\n"
        "3000000\tdb1\t3000000\t3000000\tstmt\t2\tclient1/1\t2\tUPDATE test SET value = 11, version = version + 1 WHERE id = 1\n"
        "3000000\tdb1\t3000000\t3000000\tdone\t2\tclient1/1\t2\tcount\t1\n"
        "10000000000\tdb1\t10000000000\t10000000000\tfinal\ttest\t1\t11\n"
        "10000000000\tdb1\t10000000000\t10000000000\tfinal\ttest\t2\t20\n");
    assert_non_null(strstr(out, "# flavour\tmysql\tisolation\tserializable\n"));
}

static int setup(void **state) {
    (void)state;
    return cli_setup("script");
}

static int teardown(void **state) {
    (void)state;
    return cli_teardown();
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_statement_parses_into_the_db_statements_it_means),
        cmocka_unit_test(a_statement_that_does_not_parse_says_what_it_expected),
        cmocka_unit_test(an_unknown_statement_is_an_error_at_its_value),
        cmocka_unit_test(a_step_naming_an_unknown_client_is_an_error_at_its_key),
        cmocka_unit_test(a_step_order_that_never_ends_is_an_error),
        cmocka_unit_test(blocks_must_name_a_later_step),
        cmocka_unit_test(steps_out_of_order_and_rows_on_a_write_are_errors),
        cmocka_unit_test(two_client_nodes_are_refused),
        cmocka_unit_test(a_bad_script_exits_2_with_one_located_line),
        cmocka_unit_test(selects_by_key_and_by_predicate_return_their_rows),
        cmocka_unit_test(a_wrong_expectation_is_reported_with_its_step),
        cmocka_unit_test(a_read_after_a_write_in_one_transaction_sees_the_write),
        cmocka_unit_test(insert_delete_and_rollback_change_what_is_read),
        cmocka_unit_test(an_update_by_predicate_changes_every_matching_row),
        cmocka_unit_test(a_blocked_delete_rechecks_its_predicate_after_the_wait),
        cmocka_unit_test(the_isolation_check_reads_a_delete_as_the_row_leaving),
        cmocka_unit_test(blocking_until_a_step_is_checked_both_ways),
        cmocka_unit_test(a_statement_that_never_returns_leaves_its_clients_later_steps_unrun),
        cmocka_unit_test(a_step_with_at_waits_for_its_time),
        cmocka_unit_test(postgres_ssi_fails_the_write_that_makes_a_committed_pivot),
        cmocka_unit_test(postgres_ssi_still_fails_the_commit_when_no_partner_has_committed),
        cmocka_unit_test(the_sql_log_lists_each_statement_with_its_answer_and_the_final_rows),
        cmocka_unit_test(emit_sql_refuses_a_scenario_without_a_db_node),
        cmocka_unit_test(an_autocommit_statement_is_logged_bare_without_begin_or_commit),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
