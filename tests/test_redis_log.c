/* test_redis_log.c -- the Redis command log (`ccsim run --emit redis`,
 * docs/redis-log.md): escaping, how each command kind and reply is
 * written, the side log's budget, and whole runs through the real binary
 * (header, records in order, determinism, the report left as it was). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/test_cli_support.h"      /* before env.h: its `env` names a parameter */
#include "protocols/redis/redis_int.h"
#include "sim/registry/registry.h"

#define OUT_MAX (1 << 20)
#define L1C "scenarios/locks/L1c-set-nx-px-holder-crash.yaml"
#define L4C "scenarios/locks/L4c-fencing-token-redis-restart.yaml"
#define L5C "scenarios/locks/L5c-replica-failover-wait.yaml"
/* L1c with a crash of the Redis node itself, 1 s down. */
#define REDIS_CRASH "--set 'faults[1]={at: 5s, crash: redis1, for: 1s}'"

static char out[OUT_MAX], out2[OUT_MAX];

static int run(char *buf, bool both, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int rc = cli_vrun(buf, OUT_MAX, NULL, both, fmt, ap);
    va_end(ap);
    return rc;
}

static int setup(void **state) {
    (void)state;
    return cli_setup("redis-log");
}

static int teardown(void **state) {
    (void)state;
    return cli_teardown();
}

/* ---------------------------------------------------------------- escaping */

static void tab_newline_return_and_backslash_are_escaped_as_two_characters(void **state) {
    (void)state;
    char buf[64];
    assert_int_equal(redis_log_escape(buf, sizeof buf, "a\tb\nc\rd\\e"), 13);
    assert_string_equal(buf, "a\\tb\\nc\\rd\\\\e");
}

static void other_bytes_are_written_as_they_are(void **state) {
    (void)state;
    char buf[64];
    assert_int_equal(redis_log_escape(buf, sizeof buf, "c1:1 $x \"'"), 10);
    assert_string_equal(buf, "c1:1 $x \"'");
    assert_int_equal(redis_log_escape(buf, sizeof buf, ""), 0);
    assert_string_equal(buf, "");
}

static void a_value_with_a_tab_stays_one_field(void **state) {
    (void)state;
    redis_cmd c;
    redis_cmd_init(&c, 1, REDIS_SETNX, "k", "a\tb");
    char buf[REDIS_LOG_LINE_MAX];
    redis_log_render_cmd(&c, buf, sizeof buf);
    assert_string_equal(buf, "SETNX\tk\ta\\tb");
}

/* ---------------------------------------------------------------- commands */

static const char *render(const redis_cmd *c) {
    static char buf[REDIS_LOG_LINE_MAX];
    redis_log_render_cmd(c, buf, sizeof buf);
    return buf;
}

static void plain_commands_are_written_as_a_client_sends_them(void **state) {
    (void)state;
    redis_cmd c;
    redis_cmd_init(&c, 1, REDIS_SET, "lock", "c1:1");
    assert_string_equal(render(&c), "SET\tlock\tc1:1");
    c.flags = REDIS_F_NX | REDIS_F_PX;
    c.ms = 10000;
    assert_string_equal(render(&c), "SET\tlock\tc1:1\tNX\tPX\t10000");
    c.flags = REDIS_F_PX;
    assert_string_equal(render(&c), "SET\tlock\tc1:1\tPX\t10000");
    redis_cmd_init(&c, 1, REDIS_SETNX, "lock", "c1:1");
    assert_string_equal(render(&c), "SETNX\tlock\tc1:1");
    redis_cmd_init(&c, 1, REDIS_PEXPIRE, "lock", NULL);
    c.ms = 2500;
    assert_string_equal(render(&c), "PEXPIRE\tlock\t2500");
    redis_cmd_init(&c, 1, REDIS_GET, "lock", NULL);
    assert_string_equal(render(&c), "GET\tlock");
    redis_cmd_init(&c, 1, REDIS_DEL, "lock", NULL);
    assert_string_equal(render(&c), "DEL\tlock");
    redis_cmd_init(&c, 1, REDIS_INCR, "n", NULL);
    assert_string_equal(render(&c), "INCR\tn");
    redis_cmd_init(&c, 1, REDIS_WAIT, "-", NULL);
    c.count = 1;
    c.ms = 100;
    assert_string_equal(render(&c), "WAIT\t1\t100");
}

static void compare_and_delete_and_extend_are_eval_with_one_key(void **state) {
    (void)state;
    redis_cmd c;
    char want[REDIS_LOG_LINE_MAX];
    redis_cmd_init(&c, 1, REDIS_CAD, "lock", "c1:1");
    snprintf(want, sizeof want, "EVAL\t%s\t1\tlock\tc1:1", redis_log_script(REDIS_CAD, 0));
    assert_string_equal(render(&c), want);
    assert_non_null(strstr(want, "redis.call('DEL', KEYS[1])"));
    redis_cmd_init(&c, 1, REDIS_CAE, "lock", "c1:1");
    c.ms = 10000;
    snprintf(want, sizeof want, "EVAL\t%s\t1\tlock\tc1:1\t10000", redis_log_script(REDIS_CAE, 0));
    assert_string_equal(render(&c), want);
    assert_non_null(strstr(want, "redis.call('PEXPIRE', KEYS[1], ARGV[2])"));
}

static void fenced_set_is_eval_with_two_keys_and_the_first_token_last(void **state) {
    (void)state;
    redis_cmd c;
    char want[REDIS_LOG_LINE_MAX];
    redis_cmd_init(&c, 1, REDIS_SET, "lock", "c1:1");
    c.flags = REDIS_F_NX | REDIS_F_PX | REDIS_F_FENCE;
    c.ms = 10000;
    c.first_token = 33;
    memcpy(c.fence_key, "lock:fence", sizeof "lock:fence");
    const char *nx_px = redis_log_script(REDIS_SET, c.flags);
    snprintf(want, sizeof want, "EVAL\t%s\t2\tlock\tlock:fence\tc1:1\t10000\t33", nx_px);
    assert_string_equal(render(&c), want);
    assert_non_null(strstr(nx_px, "'NX', 'PX', ARGV[2]"));
    c.flags = REDIS_F_NX | REDIS_F_FENCE;                  /* no PX: no ms */
    const char *nx = redis_log_script(REDIS_SET, c.flags);
    snprintf(want, sizeof want, "EVAL\t%s\t2\tlock\tlock:fence\tc1:1\t33", nx);
    assert_string_equal(render(&c), want);
    assert_ptr_not_equal(nx, nx_px);
    redis_cmd_init(&c, 1, REDIS_SETNX, "lock", "c1:1");
    c.flags = REDIS_F_FENCE;
    c.first_token = 1;
    memcpy(c.fence_key, "f", sizeof "f");
    const char *setnx = redis_log_script(REDIS_SETNX, c.flags);
    snprintf(want, sizeof want, "EVAL\t%s\t2\tlock\tf\tc1:1\t1", setnx);
    assert_string_equal(render(&c), want);
    assert_non_null(strstr(setnx, "redis.call('SETNX', KEYS[1], ARGV[1])"));
}

static void every_script_is_one_line_and_plain_commands_have_none(void **state) {
    (void)state;
    const uint8_t F = REDIS_F_FENCE, NX = REDIS_F_NX, PX = REDIS_F_PX;
    const char *scripts[] = {
        redis_log_script(REDIS_CAD, 0), redis_log_script(REDIS_CAE, 0),
        redis_log_script(REDIS_SET, F | NX | PX), redis_log_script(REDIS_SET, F | PX),
        redis_log_script(REDIS_SET, F | NX), redis_log_script(REDIS_SET, F),
        redis_log_script(REDIS_SETNX, F),
    };
    for (size_t i = 0; i < sizeof scripts / sizeof scripts[0]; i++) {
        assert_non_null(scripts[i]);
        assert_null(strpbrk(scripts[i], "\t\n\r\\"));
        for (size_t j = 0; j < i; j++) assert_string_not_equal(scripts[i], scripts[j]);
    }
    assert_null(redis_log_script(REDIS_SET, NX | PX));
    assert_null(redis_log_script(REDIS_SETNX, 0));
    assert_null(redis_log_script(REDIS_GET, 0));
    assert_null(redis_log_script(REDIS_WAIT, 0));
}

static void the_format_page_lists_the_scripts_the_log_writes(void **state) {
    (void)state;
    FILE *f = fopen("docs/redis-log.md", "r");
    assert_non_null(f);
    size_t n = fread(out, 1, OUT_MAX - 1, f);
    out[n] = '\0';
    fclose(f);
    const uint8_t F = REDIS_F_FENCE;
    assert_non_null(strstr(out, redis_log_script(REDIS_CAD, 0)));
    assert_non_null(strstr(out, redis_log_script(REDIS_CAE, 0)));
    assert_non_null(strstr(out, redis_log_script(REDIS_SET, F | REDIS_F_NX | REDIS_F_PX)));
}

/* ---------------------------------------------------------------- replies */

static const char *reply_of(const redis_cmd *c, redis_reply_kind kind, int64_t n, const char *str,
                            int64_t token) {
    static char buf[REDIS_LOG_LINE_MAX];
    redis_reply p;
    memset(&p, 0, sizeof p);
    p.kind = (uint8_t)kind;
    p.integer = n;
    p.token = token;
    if (str) snprintf(p.str, sizeof p.str, "%s", str);
    redis_log_render_reply(c, &p, buf, sizeof buf);
    return buf;
}

static void replies_read_as_resp2(void **state) {
    (void)state;
    redis_cmd c;
    redis_cmd_init(&c, 1, REDIS_GET, "lock", NULL);
    assert_string_equal(reply_of(&c, REDIS_R_OK, 0, NULL, 0), "+OK");
    assert_string_equal(reply_of(&c, REDIS_R_NIL, 0, NULL, 0), "nil");
    assert_string_equal(reply_of(&c, REDIS_R_INT, -3, NULL, 0), ":-3");
    assert_string_equal(reply_of(&c, REDIS_R_BULK, 0, "c1:1", 0), "$c1:1");
    assert_string_equal(reply_of(&c, REDIS_R_BULK, 0, "", 0), "$");
    assert_string_equal(reply_of(&c, REDIS_R_BULK, 0, "a\nb", 0), "$a\\nb");
    assert_string_equal(reply_of(&c, REDIS_R_ERR, 0, "ERR value is not an integer", 0),
                        "-ERR value is not an integer");
}

static void a_fencing_script_replies_its_token_or_nil(void **state) {
    (void)state;
    redis_cmd c;
    redis_cmd_init(&c, 1, REDIS_SET, "lock", "c1:1");
    c.flags = REDIS_F_NX | REDIS_F_PX | REDIS_F_FENCE;
    assert_string_equal(reply_of(&c, REDIS_R_OK, 0, NULL, 33), ":33");
    assert_string_equal(reply_of(&c, REDIS_R_NIL, 0, NULL, 0), "nil");
    assert_string_equal(reply_of(&c, REDIS_R_ERR, 0, "ERR keyspace full (64 keys)", 0),
                        "-ERR keyspace full (64 keys)");
    redis_cmd_init(&c, 1, REDIS_SETNX, "lock", "c1:1");
    c.flags = REDIS_F_FENCE;
    assert_string_equal(reply_of(&c, REDIS_R_INT, 1, NULL, 7), ":7");
    assert_string_equal(reply_of(&c, REDIS_R_INT, 0, NULL, 0), "nil");
    c.flags = 0;                                            /* unfenced SETNX: 1 or 0 */
    assert_string_equal(reply_of(&c, REDIS_R_INT, 0, NULL, 0), ":0");
}

/* ---------------------------------------------------------------- in process */

/* Runs a scenario file in this process with a side log of `budget` bytes
 * (0 = the default); returns sim_run's result, the log in buf. */
static int run_with_side_log(const char *path, uint64_t budget, char *buf, size_t len,
                             char *err, size_t err_len) {
    scn *s = calloc(1, sizeof *s);
    assert_non_null(s);
    assert_int_equal(scn_load(path, s, err, err_len), 0);
    FILE *log = tmpfile();
    assert_non_null(log);
    sim_options opt = { .side_log = log, .max_side_log_bytes = budget };
    sim *r = NULL;
    assert_int_equal(registry_sim_create(s, &opt, &r, err, err_len), 0);
    int rc = sim_run(r, err, err_len);
    rewind(log);
    size_t n = fread(buf, 1, len - 1, log);
    buf[n] = '\0';
    fclose(log);
    sim_destroy(r);
    scn_free(s);
    free(s);
    return rc;
}

static void a_side_log_past_its_budget_stops_the_run(void **state) {
    (void)state;
    char err[SIM_ERR_MAX];
    assert_int_equal(run_with_side_log(L4C, 300, out, OUT_MAX, err, sizeof err),
                     SIM_RUN_OVER_BUDGET);
    assert_non_null(strstr(err, "budget of 300 bytes of side log (--emit)"));
    assert_non_null(strstr(err, "--max-trace BYTES"));
    assert_int_equal(run_with_side_log(L4C, 0, out, OUT_MAX, err, sizeof err), 0);
    assert_true(strlen(out) > 300);
}

static void records_carry_true_time_and_the_nodes_own_clocks(void **state) {
    (void)state;
    char err[SIM_ERR_MAX];
    /* R4: C's wall clock jumps 20 s forward at 2 s; its monotonic clock does not. */
    assert_int_equal(run_with_side_log("scenarios/redlock/R4-redlock-clock-jump.yaml", 0, out,
                                       OUT_MAX, err, sizeof err), 0);
    assert_non_null(strstr(out, "\n2101000000\tC\t22101000000\t2101000000\tcmd\tc2\t"));
    assert_non_null(strstr(out, "\n2103000000\tD\t2103000000\t2103000000\tcmd\tc2\t+OK\t"));
}

/* ---------------------------------------------------------------- the binary */

static void l1c_prints_the_header_then_the_set_and_its_reply(void **state) {
    (void)state;
    assert_int_equal(run(out, false, "run %s --emit redis --no-plot --out %s/a", L1C, tmpdir), 0);
    const char *head = "# ccsim redis log v1\n"
                       "# scenario\tL1c-set-nx-px-holder-crash\tseed\t1\n"
                       "# node\tredis1\trole\tredis\tpersistence\tnone\tttl_clock\twall\n"
                       "1000000\tredis1\t1000000\t1000000\tcmd\tc1\t+OK\tSET\tlock\tc1:1\tNX\tPX\t10000\n"
                       "101000000\tredis1\t101000000\t101000000\tcmd\tc2\tnil\tSET\tlock\tc2:1\tNX\tPX\t10000\n";
    assert_memory_equal(out, head, strlen(head));
    assert_null(strstr(out, "verdict"));                   /* no text summary */
    assert_null(strstr(out, "mutual-exclusion"));
    /* the key is gone at its expiry, then c2's SET takes it, at that instant */
    const char *exp = strstr(out, "\texpire\tlock\t10001000000\n");
    const char *got = strstr(out, "10001000000\tredis1\t10001000000\t10001000000\tcmd\tc2\t+OK\tSET");
    assert_non_null(exp);
    assert_non_null(got);
    assert_true(exp < got);
}

static void a_redis_crash_and_restart_are_records_in_order(void **state) {
    (void)state;
    assert_int_equal(run(out, false, "run %s " REDIS_CRASH " --emit redis --no-plot --out %s/b",
                         L1C, tmpdir), 0);
    const char *set = strstr(out, "\tcmd\tc1\t+OK\tSET\tlock\tc1:1\tNX\tPX\t10000\n");
    const char *crash = strstr(out, "5000000000\tredis1\t5000000000\t5000000000\tcrash\tnone\n");
    const char *restart = strstr(out, "6000000000\tredis1\t6000000000\t6000000000\trestart\tnone\n");
    const char *again = strstr(out, "6001000000\tredis1\t6001000000\t6001000000\tcmd\tc2\t+OK\tSET");
    assert_non_null(set);
    assert_non_null(crash);
    assert_non_null(restart);
    assert_non_null(again);
    assert_true(set < crash && crash < restart && restart < again);
}

static void a_power_loss_is_its_own_record_with_the_persistence_mode(void **state) {
    (void)state;
    int rc = run(out, false, "run scenarios/redlock/R3c-redlock-aof-everysec-power-loss.yaml "
                 "--emit redis --no-plot --out %s/p", tmpdir);
    assert_true(rc == 0 || rc == 1);
    assert_non_null(strstr(out, "# node\tC\trole\tredis\tpersistence\teverysec\tttl_clock\twall\n"));
    const char *loss = strstr(out, "\tC\t");
    loss = loss ? strstr(loss, "\tpower-loss\teverysec\n") : NULL;
    assert_non_null(loss);
    assert_non_null(strstr(loss, "\trestart\teverysec\n"));
    assert_null(strstr(out, "\tcrash\t"));
}

/* L5c (timings left to the L5 family's own tests): c2's WAIT on the
 * promoted replica is parked, then answered; the promotion comes first. */
static void wait_is_parked_then_answered_and_a_promotion_is_recorded(void **state) {
    (void)state;
    int rc = run(out, false, "run %s --emit redis --no-plot --out %s/c", L5C, tmpdir);
    assert_true(rc == 0 || rc == 1);
    assert_non_null(strstr(out, "# node\tRp\trole\treplica\tpersistence\tnone\tttl_clock\twall\n"));
    const char *promote = strstr(out, "\tRp\t");
    assert_non_null(promote);
    promote = strstr(promote, "\tpromote\t");
    assert_non_null(promote);
    const char *block = strstr(promote, "\tblock\tc2\tWAIT\t1\t100\n");
    assert_non_null(block);
    const char *reply = strstr(block, "\treply\tc2\t:");
    assert_non_null(reply);
    assert_non_null(strstr(reply, "\tWAIT\n"));
}

static void the_log_is_the_same_bytes_twice(void **state) {
    (void)state;
    assert_int_equal(run(out, false, "run %s --emit redis --no-plot --out %s/d1", L4C, tmpdir), 1);
    assert_int_equal(run(out2, false, "run %s --emit redis --no-plot --out %s/d2", L4C, tmpdir), 1);
    assert_true(strlen(out) > 1000);
    assert_string_equal(out, out2);
    assert_non_null(strstr(out, "\tcmd\tc1\t:33\tEVAL\t"));      /* the fencing token */
}

static void twice_puts_its_determinism_line_on_stderr_and_the_log_on_stdout(void **state) {
    (void)state;
    assert_int_equal(run(out, false, "run %s --twice --emit redis --no-plot --out %s/t", L1C,
                         tmpdir), 0);
    assert_memory_equal(out, "# ccsim redis log v1\n", 21);
    assert_null(strstr(out, "determinism"));
    assert_int_equal(run(out2, true, "run %s --twice --emit redis --no-plot --out %s/t", L1C,
                         tmpdir), 0);
    assert_non_null(strstr(out2, "determinism  ok"));
}

static void the_report_is_the_same_bytes_with_or_without_the_log(void **state) {
    (void)state;
    assert_int_equal(run(out, false, "run %s --no-plot -q --out %s/e1", L4C, tmpdir), 1);
    assert_int_equal(run(out, false, "run %s --emit redis --no-plot --out %s/e2", L4C, tmpdir), 1);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "diff -r %s/e1 %s/e2 >/dev/null", tmpdir, tmpdir);
    assert_int_equal(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "test -s %s/e2/trace.log && test -s %s/e2/summary.json", tmpdir, tmpdir);
    assert_int_equal(system(cmd), 0);
}

static void emit_refuses_bad_values_json_and_scenarios_without_redis(void **state) {
    (void)state;
    assert_int_equal(run(out, true, "run %s --emit mysql", L1C), 2);
    assert_non_null(strstr(out, "--emit needs `redis`"));
    assert_int_equal(run(out, true, "run %s --emit", L1C), 2);
    assert_int_equal(run(out, true, "run %s --emit redis --json", L1C), 2);
    assert_non_null(strstr(out, "choose one"));
    assert_int_equal(run(out, true, "run scenarios/2pc/T1-all-yes.yaml --emit redis --out %s/f",
                         tmpdir), 2);
    assert_non_null(strstr(out, "has no Redis node"));
    char cmd[512];
    snprintf(cmd, sizeof cmd, "test -e %s/f", tmpdir);
    assert_int_not_equal(system(cmd), 0);                      /* refused before the run */
}

static void a_run_stopped_by_its_budget_prints_no_log(void **state) {
    (void)state;
    assert_int_equal(run(out, false, "run %s --emit redis --max-trace 500 --no-plot --out %s/g",
                         L4C, tmpdir), 5);
    assert_string_equal(out, "");
}

static void run_help_names_emit_redis(void **state) {
    (void)state;
    assert_int_equal(run(out, false, "run --help"), 0);
    assert_non_null(strstr(out, "--emit redis"));
    assert_non_null(strstr(out, "docs/redis-log.md"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tab_newline_return_and_backslash_are_escaped_as_two_characters),
        cmocka_unit_test(other_bytes_are_written_as_they_are),
        cmocka_unit_test(a_value_with_a_tab_stays_one_field),
        cmocka_unit_test(plain_commands_are_written_as_a_client_sends_them),
        cmocka_unit_test(compare_and_delete_and_extend_are_eval_with_one_key),
        cmocka_unit_test(fenced_set_is_eval_with_two_keys_and_the_first_token_last),
        cmocka_unit_test(every_script_is_one_line_and_plain_commands_have_none),
        cmocka_unit_test(the_format_page_lists_the_scripts_the_log_writes),
        cmocka_unit_test(replies_read_as_resp2),
        cmocka_unit_test(a_fencing_script_replies_its_token_or_nil),
        cmocka_unit_test(a_side_log_past_its_budget_stops_the_run),
        cmocka_unit_test(records_carry_true_time_and_the_nodes_own_clocks),
        cmocka_unit_test(l1c_prints_the_header_then_the_set_and_its_reply),
        cmocka_unit_test(a_redis_crash_and_restart_are_records_in_order),
        cmocka_unit_test(a_power_loss_is_its_own_record_with_the_persistence_mode),
        cmocka_unit_test(wait_is_parked_then_answered_and_a_promotion_is_recorded),
        cmocka_unit_test(the_log_is_the_same_bytes_twice),
        cmocka_unit_test(twice_puts_its_determinism_line_on_stderr_and_the_log_on_stdout),
        cmocka_unit_test(the_report_is_the_same_bytes_with_or_without_the_log),
        cmocka_unit_test(emit_refuses_bad_values_json_and_scenarios_without_redis),
        cmocka_unit_test(a_run_stopped_by_its_budget_prints_no_log),
        cmocka_unit_test(run_help_names_emit_redis),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
