/* test_lincheck.c -- the linearizability checker: the corpus of real histories
 * (tests/corpus/, read from the top of the checkout) with their agreed
 * verdicts, hand-written edge cases per model (tests/lincheck/, one .edn each
 * stating its expected verdict on its first line), the in-memory API, budgets
 * ending in `unknown`, and the `ccsim lincheck` command. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include "sim/lincheck/lincheck.h"

static const char *verdict_name(lin_verdict v) {
    return v == LIN_OK ? "ok" : v == LIN_ILLEGAL ? "illegal" : v == LIN_UNKNOWN ? "unknown" : "error";
}

static lin_verdict check_text(const char *model, const char *init, const char *edn, lin_result *r) {
    lin_history *h = lin_history_new();
    char err[512];
    lin_verdict v = LIN_ERROR;
    memset(r, 0, sizeof *r);
    if (lin_history_read_edn(h, "mem.edn", edn, strlen(edn), err, sizeof err) == 0) {
        lin_options opt = {.model = model, .init = init, .timeout_ms = 10000};
        v = lin_check(h, &opt, r);
    } else {
        r->verdict = LIN_ERROR;
        r->explanation = strdup(err);
    }
    lin_history_free(h);
    return v;
}

/* ---- the corpus ---- */

static const char *corpus_dir(void) {
    const char *env = getenv("CCSIM_CORPUS");
    return env && env[0] ? env : "tests/corpus";
}

static void every_corpus_history_gets_its_agreed_verdict(void **state) {
    (void)state;
    char path[1024], line[1024];
    snprintf(path, sizeof path, "%s/verdicts.tsv", corpus_dir());
    FILE *f = fopen(path, "r");
    if (f == NULL)
        fail_msg("corpus missing: cannot open %s (set CCSIM_CORPUS to the folder holding verdicts.tsv)", path);
    int checked = 0, wrong = 0;
    while (fgets(line, sizeof line, f)) {
        char *file = strtok(line, "\t\n"), *model = strtok(NULL, "\t\n"), *init = strtok(NULL, "\t\n"),
             *expected = strtok(NULL, "\t\n");
        if (file == NULL || expected == NULL || strcmp(file, "file") == 0) continue;
        snprintf(path, sizeof path, "%s/%s", corpus_dir(), file);
        lin_options opt = {.model = model, .init = init, .timeout_ms = 30000};
        lin_result r;
        lin_verdict v = lin_check_file(path, &opt, &r);
        if (strcmp(verdict_name(v), expected) != 0) {
            print_error("%s: expected %s, got %s: %s\n", file, expected, verdict_name(v),
                        r.explanation ? r.explanation : "");
            wrong++;
        }
        lin_result_free(&r);
        checked++;
    }
    fclose(f);
    if (checked != 230) fail_msg("verdicts.tsv listed %d histories, expected 230", checked);
    if (wrong) fail_msg("%d of %d corpus verdicts differ", wrong, checked);
}

/* ---- tests/lincheck/NAME.edn: "; expect: V  model: M  [init: I]  [message: TEXT]" ---- */

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool header_field(const char *header, const char *name, char *out, size_t cap) {
    const char *p = strstr(header, name);
    if (p == NULL) return false;
    p += strlen(name);
    while (*p == ' ') p++;
    size_t n = 0;
    bool to_end = strcmp(name, "message:") == 0;
    while (p[n] && p[n] != '\n' && (to_end || !(p[n] == ' ' && p[n + 1] == ' ')) && n + 1 < cap) n++;
    memcpy(out, p, n);
    out[n] = '\0';
    return true;
}

static void run_case_file(const char *path, int *wrong) {
    char header[512] = "", expect[32], model[32], init[64], message[256];
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    if (fgets(header, sizeof header, f) == NULL) header[0] = '\0';
    fclose(f);
    if (!header_field(header, "expect:", expect, sizeof expect) || !header_field(header, "model:", model, sizeof model))
        fail_msg("%s: first line must be '; expect: V  model: M'", path);
    bool has_init = header_field(header, "init:", init, sizeof init);
    bool has_msg = header_field(header, "message:", message, sizeof message);
    lin_options opt = {.model = model, .init = has_init ? init : NULL, .timeout_ms = 10000};
    lin_result r;
    lin_verdict v = lin_check_file(path, &opt, &r);
    bool ok = strcmp(verdict_name(v), expect) == 0;
    if (ok && has_msg) ok = r.explanation && strstr(r.explanation, message);
    if (!ok) {
        print_error("%s: expected %s%s%s, got %s: %s\n", path, expect, has_msg ? " with " : "", has_msg ? message : "",
                    verdict_name(v), r.explanation ? r.explanation : "");
        (*wrong)++;
    }
    lin_result_free(&r);
}

static void hand_written_histories_get_the_verdict_their_header_states(void **state) {
    (void)state;
    DIR *d = opendir("tests/lincheck");
    if (d == NULL) fail_msg("tests/lincheck is missing (tests run from the repository root)");
    char *names[256];
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL && n < 256;) {
        size_t len = strlen(e->d_name);
        if (len > 4 && strcmp(e->d_name + len - 4, ".edn") == 0) names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_str);
    int wrong = 0;
    for (size_t i = 0; i < n; i++) {
        char path[512];
        snprintf(path, sizeof path, "tests/lincheck/%s", names[i]);
        run_case_file(path, &wrong);
        free(names[i]);
    }
    assert_true(n >= 20);
    if (wrong) fail_msg("%d of %zu hand-written histories got another verdict", wrong, n);
}

/* ---- the in-memory API ---- */

static void add_op(lin_history *h, int64_t process, const char *f, const char *value, int64_t t0, int64_t t1,
                   lin_type type) {
    char err[256];
    lin_op_desc d = {.process = process, .f = f, .value = value, .invoke_ns = t0, .complete_ns = t1, .type = type};
    if (lin_history_add(h, &d, err, sizeof err) != 0) fail_msg("lin_history_add: %s", err);
}

static void in_memory_stale_read_is_illegal_and_explained_in_history_terms(void **state) {
    (void)state;
    lin_history *h = lin_history_new();
    add_op(h, 1, "write", "1", 0, 10, LIN_TYPE_OK);
    add_op(h, 2, "read", "0", 20, 30, LIN_TYPE_OK);
    add_op(h, 3, "write", "7", 5, 6, LIN_TYPE_FAIL);
    assert_int_equal(lin_history_count(h), 3);
    lin_options opt = {.model = "register", .init = "0"};
    lin_result r;
    assert_int_equal(lin_check(h, &opt, &r), LIN_ILLEGAL);
    assert_non_null(r.explanation);
    assert_non_null(strstr(r.explanation, "cannot linearize process 2 :read 0"));
    assert_non_null(strstr(r.explanation, "time 20..30"));
    assert_non_null(strstr(r.explanation, "longest linearizable prefix: 1 ops"));
    assert_non_null(strstr(r.explanation, "process 1 :write 1"));
    assert_non_null(strstr(r.explanation, "state after it: 1"));
    assert_int_equal(r.prefix, 1);
    lin_result_free(&r);
    lin_history_free(h);
}

static void info_write_may_be_linearized_after_later_ops(void **state) {
    (void)state;
    lin_history *h = lin_history_new();
    add_op(h, 1, "write", "2", 0, 0, LIN_TYPE_INFO);     /* invoked first, outcome unknown */
    add_op(h, 2, "write", "1", 10, 20, LIN_TYPE_OK);
    add_op(h, 3, "read", "1", 30, 40, LIN_TYPE_OK);
    add_op(h, 3, "read", "2", 50, 60, LIN_TYPE_OK);
    lin_options opt = {.model = "cas-register"};
    lin_result r;
    assert_int_equal(lin_check(h, &opt, &r), LIN_OK);
    lin_result_free(&r);
    add_op(h, 3, "read", "1", 70, 80, LIN_TYPE_OK);      /* but it takes effect once */
    assert_int_equal(lin_check(h, &opt, &r), LIN_ILLEGAL);
    lin_result_free(&r);
    lin_history_free(h);
}

static void ok_op_completing_before_its_invocation_is_rejected(void **state) {
    (void)state;
    lin_history *h = lin_history_new();
    char err[256];
    lin_op_desc d = {.process = 1, .f = "read", .value = "[1", .invoke_ns = 0, .complete_ns = 5, .type = LIN_TYPE_OK};
    assert_int_equal(lin_history_add(h, &d, err, sizeof err), -1);
    assert_non_null(strstr(err, "error:"));
    d.value = "1";
    d.complete_ns = -1;
    assert_int_equal(lin_history_add(h, &d, err, sizeof err), -1);
    assert_non_null(strstr(err, "before its invocation"));
    lin_history_free(h);
}

static void unknown_model_and_bad_init_are_input_errors(void **state) {
    (void)state;
    lin_result r;
    const char *edn = "{:process 0, :type :invoke, :f :add, :value 1}\n{:process 0, :type :ok, :f :add, :value 1}\n";
    assert_int_equal(check_text("registr", NULL, edn, &r), LIN_ERROR);
    assert_non_null(strstr(r.explanation, "unknown model 'registr'"));
    lin_result_free(&r);
    assert_int_equal(check_text("counter", "[1 2", edn, &r), LIN_ERROR);
    assert_non_null(strstr(r.explanation, "--init:1:1: error"));
    lin_result_free(&r);
    assert_int_equal(check_text("counter", ":x", edn, &r), LIN_ERROR);
    assert_non_null(strstr(r.explanation, "expected an integer"));
    lin_result_free(&r);
    assert_int_equal(check_text("counter", "5", edn, &r), LIN_OK);
    lin_result_free(&r);
}

static void an_empty_history_is_an_input_error_not_ok(void **state) {
    (void)state;
    static const char *const empty[] = { "", "; only a comment\n", "[]", "  [ ]  ; nothing\n", "()" };
    for (size_t i = 0; i < sizeof empty / sizeof empty[0]; i++) {
        lin_result r;
        assert_int_equal(check_text("register", NULL, empty[i], &r), LIN_ERROR);
        assert_non_null(strstr(r.explanation, "mem.edn:1:1: error: no operations"));
        lin_result_free(&r);
    }
}

static void init_with_a_second_value_is_an_error(void **state) {
    (void)state;
    lin_result r;
    const char *edn = "{:process 0, :type :invoke, :f :add, :value 1}\n{:process 0, :type :ok, :f :add, :value 1}\n";
    assert_int_equal(check_text("counter", "1 2", edn, &r), LIN_ERROR);
    assert_string_equal(r.explanation, "--init:1:3: error: a second value in '1 2' (expected one EDN "
                                       "value, such as 0 or [1 2])");
    lin_result_free(&r);
    assert_int_equal(check_text("counter", "1 ; the start", edn, &r), LIN_OK);
    lin_result_free(&r);
}

/* kv values are compared whole: 1 is not "1", and values longer than 256
 * bytes are not cut (two that differ only at the end differ). */
static void kv_values_differ_by_type_and_at_any_length(void **state) {
    (void)state;
    lin_result r;
    const char *edn = "{:process 0, :type :invoke, :f :put, :key :a, :value 1}\n"
                      "{:process 0, :type :ok, :f :put, :key :a, :value 1}\n"
                      "{:process 1, :type :invoke, :f :get, :key :a, :value nil}\n"
                      "{:process 1, :type :ok, :f :get, :key :a, :value \"1\"}\n";
    assert_int_equal(check_text("kv", NULL, edn, &r), LIN_ILLEGAL);
    assert_non_null(strstr(r.explanation, "1"));
    lin_result_free(&r);
    char big[4096], v1[1024], v2[1024];
    memset(v1, 0, sizeof v1);
    for (int i = 0; i < 200; i++) snprintf(v1 + strlen(v1), sizeof v1 - strlen(v1), "%d ", i % 10);
    snprintf(v2, sizeof v2, "%s", v1);
    strcat(v1, "1");
    strcat(v2, "2");
    snprintf(big, sizeof big, "{:process 0, :type :invoke, :f :put, :key :a, :value [%s]}\n"
             "{:process 0, :type :ok, :f :put, :key :a, :value [%s]}\n"
             "{:process 1, :type :invoke, :f :get, :key :a, :value nil}\n"
             "{:process 1, :type :ok, :f :get, :key :a, :value [%s]}\n", v1, v1, v2);
    assert_int_equal(check_text("kv", NULL, big, &r), LIN_ILLEGAL);
    lin_result_free(&r);
    snprintf(big, sizeof big, "{:process 0, :type :invoke, :f :put, :key :a, :value [%s]}\n"
             "{:process 0, :type :ok, :f :put, :key :a, :value [%s]}\n"
             "{:process 1, :type :invoke, :f :get, :key :a, :value nil}\n"
             "{:process 1, :type :ok, :f :get, :key :a, :value [%s]}\n", v1, v1, v1);
    assert_int_equal(check_text("kv", NULL, big, &r), LIN_OK);
    lin_result_free(&r);
}

/* With :time, a process's invoke and completion pair in file order: lines
 * that put a process's second op inside its first are refused, located. */
static void timed_ops_of_one_process_that_overlap_are_an_error(void **state) {
    (void)state;
    lin_result r;
    const char *edn = "{:process 0, :type :invoke, :f :write, :value 1, :time 10}\n"
                      "{:process 0, :type :ok, :f :write, :value 1, :time 20}\n"
                      "{:process 0, :type :invoke, :f :read, :value nil, :time 15}\n"
                      "{:process 0, :type :ok, :f :read, :value 1, :time 30}\n";
    assert_int_equal(check_text("register", "0", edn, &r), LIN_ERROR);
    assert_string_equal(r.explanation, "mem.edn:3:20: error: process 0 invokes at :time 15, before "
                        "its op invoked at line 1 completes at :time 20 (expected a process's ops "
                        "one after another in :time)");
    lin_result_free(&r);
    const char *back = "{:process 0, :type :invoke, :f :write, :value 1, :time 10}\n"
                       "{:process 0, :type :fail, :f :write, :value 1, :time 5}\n";
    assert_int_equal(check_text("register", "0", back, &r), LIN_ERROR);
    assert_non_null(strstr(r.explanation, "mem.edn:2:20: error: completion of process 0 at :time 5 "
                                          "is before its invocation at line 1, :time 10"));
    lin_result_free(&r);
}

/* An empty set has no items to copy: the model must not hand memcpy the
 * null pointer that stands for them (UBSan reported it, issue 14). */
static void empty_set_as_init_or_read_is_checked_like_any_other_set(void **state) {
    (void)state;
    lin_result r;
    const char *edn = "{:process 0, :type :invoke, :f :read, :value nil}\n"
                      "{:process 0, :type :ok, :f :read, :value #{}}\n"
                      "{:process 0, :type :invoke, :f :add, :value 1}\n"
                      "{:process 0, :type :ok, :f :add, :value 1}\n"
                      "{:process 1, :type :invoke, :f :read, :value nil}\n"
                      "{:process 1, :type :ok, :f :read, :value #{1}}\n";
    assert_int_equal(check_text("set", "#{}", edn, &r), LIN_OK);
    lin_result_free(&r);
    assert_int_equal(check_text("set", "#{2}", edn, &r), LIN_ILLEGAL);
    assert_non_null(r.explanation);
    assert_non_null(strstr(r.explanation, "#{}"));
    lin_result_free(&r);
}

static void ops_without_time_follow_the_file_order_and_nemesis_ops_are_skipped(void **state) {
    (void)state;
    const char *edn = "{:process 0, :type :invoke, :f :write, :value 1}\n"
                      "{:process :nemesis, :type :info, :f :start, :value nil}\n"
                      "{:process 0, :type :ok, :f :write, :value 1}\n"
                      "{:process 1, :type :invoke, :f :read, :value nil}\n"
                      "{:process 1, :type :ok, :f :read, :value 0}\n";
    lin_result r;
    assert_int_equal(check_text("register", "0", edn, &r), LIN_ILLEGAL);
    assert_int_equal(r.ops, 2);
    lin_result_free(&r);
}

/* 50 clients write distinct values in 99 rounds of overlapping writes, then
 * read a value nobody wrote: proving it illegal means trying 2^50 orders. */
static lin_history *hard_history(int clients) {
    lin_history *h = lin_history_new();
    char value[32];
    for (int round = 0; round < 100; round++) {
        for (int c = 0; c < clients; c++) {
            bool read = round == 99;
            snprintf(value, sizeof value, "%d", read ? 999999 : round * clients + c);
            add_op(h, c, read ? "read" : "write", value, round * 1000 + c, round * 1000 + 500 + c, LIN_TYPE_OK);
        }
    }
    return h;
}

static uint64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void hard_5000_op_history_ends_unknown_when_time_runs_out(void **state) {
    (void)state;
    lin_history *h = hard_history(50);
    assert_int_equal(lin_history_count(h), 5000);
    lin_options opt = {.model = "register", .timeout_ms = 500, .max_memory_mb = 4096};
    lin_result r;
    uint64_t t0 = now_ms();
    assert_int_equal(lin_check(h, &opt, &r), LIN_UNKNOWN);
    uint64_t took = now_ms() - t0;
    if (took > 3000) fail_msg("a 0.5 s budget took %llu ms", (unsigned long long)took);
    assert_non_null(strstr(r.explanation, "time budget of 0.5 s ran out"));
    assert_non_null(strstr(r.explanation, "longest linearizable prefix"));
    assert_true(r.prefix >= 4900);
    lin_result_free(&r);
    lin_history_free(h);
}

/* A work budget ends the search after the same configurations on every
 * machine and every run: the verdict does not depend on the clock. */
static void hard_5000_op_history_ends_unknown_at_the_same_point_when_its_work_budget_runs_out(void **state) {
    (void)state;
    lin_history *h = hard_history(50);
    lin_options opt = {.model = "register", .timeout_ms = 0, .max_configurations = 100000,
                       .max_memory_mb = 4096};
    lin_result a, b;
    assert_int_equal(lin_check(h, &opt, &a), LIN_UNKNOWN);
    assert_int_equal(lin_check(h, &opt, &b), LIN_UNKNOWN);
    assert_non_null(strstr(a.explanation, "work budget of 100000 configurations ran out"));
    assert_in_range(a.configurations, 100000, 100000 + 4096);    /* checked every 4096 */
    assert_int_equal(a.configurations, b.configurations);
    assert_int_equal(a.prefix, b.prefix);
    assert_string_equal(a.explanation, b.explanation);
    lin_result_free(&a);
    lin_result_free(&b);
    lin_history_free(h);
}

static void hard_5000_op_history_ends_unknown_when_memory_runs_out(void **state) {
    (void)state;
    lin_history *h = hard_history(50);
    lin_options opt = {.model = "register", .timeout_ms = 60000, .max_memory_mb = 8};
    lin_result r;
    assert_int_equal(lin_check(h, &opt, &r), LIN_UNKNOWN);
    assert_non_null(strstr(r.explanation, "memory budget of 8 MiB reached"));
    assert_true(r.peak_cache_bytes <= (size_t)8 << 20);
    lin_result_free(&r);
    lin_history_free(h);
}

static void same_history_gives_the_same_verdict_explanation_and_effort(void **state) {
    (void)state;
    lin_history *h = hard_history(8);
    lin_options opt = {.model = "register"};
    lin_result a, b;
    assert_int_equal(lin_check(h, &opt, &a), LIN_ILLEGAL);
    assert_int_equal(lin_check(h, &opt, &b), LIN_ILLEGAL);
    assert_string_equal(a.explanation, b.explanation);
    assert_true(a.configurations == b.configurations);
    assert_true(a.configurations > 256);
    lin_result_free(&a);
    lin_result_free(&b);
    lin_history_free(h);
}

/* Mutations of a valid history through reader, history and every model:
 * each ends in a verdict or a clean error, never a crash or an assertion. */
static void mangled_histories_never_crash_the_checker(void **state) {
    (void)state;
    const char *base = "{:process 0, :type :invoke, :f :write, :value 1, :key \"a\", :time 0}\n"
                       "{:process 1, :type :invoke, :f :cas, :value [1 2], :time 5}\n"
                       "{:process 0, :type :ok, :f :write, :value 1, :key \"a\", :time 10}\n"
                       "{:process 2, :type :invoke, :f :read, :value nil, :time 11}\n"
                       "{:process 2, :type :ok, :f :read, :value #{1 2}, :time 12}\n"
                       "{:process 1, :type :info, :f :cas, :value [1 2], :time 20}\n";
    size_t n = strlen(base);
    char buf[1024];
    uint64_t x = 99;
    for (int round = 0; round < 1500; round++) {
        memcpy(buf, base, n + 1);
        for (int k = 0; k < 2; k++) {
            x = x * UINT64_C(6364136223846793005) + 1442695040888963407u;
            buf[(x >> 33) % n] = "[]{}()\"\\;#:, \n1-a:"[(x >> 20) % 18];
        }
        lin_result r;
        lin_verdict v = check_text(lin_model_names[round % 10], NULL, buf, &r);
        if (v == LIN_ERROR && strstr(r.explanation, "error") == NULL) fail_msg("no error: in '%s'", r.explanation);
        lin_result_free(&r);
    }
}

/* ---- the command ---- */

typedef struct captured {
    int rc;
    char out[8192], err[2048];
} captured;

static void slurp(int fd, char *buf, size_t cap) {
    lseek(fd, 0, SEEK_SET);
    ssize_t n = read(fd, buf, cap - 1);
    buf[n > 0 ? n : 0] = '\0';
    close(fd);
}

/* Runs lincheck_main with stdout and stderr sent to temporary files. */
static void run_cli(captured *c, int argc, const char **argv) {
    char out_path[] = "/tmp/ccsim-lincheck-outXXXXXX", err_path[] = "/tmp/ccsim-lincheck-errXXXXXX";
    int out = mkstemp(out_path), err = mkstemp(err_path);
    assert_true(out >= 0 && err >= 0);
    unlink(out_path);
    unlink(err_path);
    fflush(stdout);
    fflush(stderr);
    int saved_out = dup(1), saved_err = dup(2);
    dup2(out, 1);
    dup2(err, 2);
    c->rc = lincheck_main(argc, (char **)argv);
    fflush(stdout);
    fflush(stderr);
    dup2(saved_out, 1);
    dup2(saved_err, 2);
    close(saved_out);
    close(saved_err);
    slurp(out, c->out, sizeof c->out);
    slurp(err, c->err, sizeof c->err);
}

static void help_teaches_models_options_and_an_example(void **state) {
    (void)state;
    captured c;
    const char *argv[] = {"lincheck", "--help"};
    run_cli(&c, 2, argv);
    assert_int_equal(c.rc, 0);
    for (int i = 0; lin_model_names[i]; i++) assert_non_null(strstr(c.out, lin_model_names[i]));
    assert_non_null(strstr(c.out, "--timeout"));
    assert_non_null(strstr(c.out, "--max-memory"));
    assert_non_null(strstr(c.out, "Example:"));
    assert_non_null(strstr(c.out, "Exit status"));
}

static void prints_one_line_per_file_and_exits_1_when_any_is_illegal(void **state) {
    (void)state;
    captured c;
    const char *argv[] = {"lincheck", "--model", "register", "--init=0", "-q",
                          "tests/lincheck/register-read-of-nil-gives-no-information.edn",
                          "tests/lincheck/register-stale-read.edn"};
    run_cli(&c, 7, argv);
    assert_int_equal(c.rc, 1);
    assert_non_null(strstr(c.out, "tests/lincheck/register-read-of-nil-gives-no-information.edn: ok (3 ops, "));
    assert_non_null(strstr(c.out, "tests/lincheck/register-stale-read.edn: illegal (2 ops, "));
    assert_non_null(strstr(c.out, "cannot linearize process 1 :read 0"));
    int lines = 0;
    for (const char *p = c.out; *p; p++) lines += *p == '\n';
    assert_int_equal(lines, 2);
    const char *ok_argv[] = {"lincheck", "--model", "register", "--init", "0",
                             "tests/lincheck/register-info-write-placed-late.edn"};
    run_cli(&c, 6, ok_argv);
    assert_int_equal(c.rc, 0);
}

static void input_and_usage_errors_exit_2_with_file_line_col(void **state) {
    (void)state;
    captured c;
    const char *bad_file[] = {"lincheck", "--model", "register", "tests/lincheck/error-process-invokes-twice.edn",
                              "tests/lincheck/register-stale-read.edn"};
    run_cli(&c, 5, bad_file);
    assert_int_equal(c.rc, 2);
    assert_non_null(strstr(c.err, "error-process-invokes-twice.edn:4:20: error:"));
    const char *no_model[] = {"lincheck", "x.edn"};
    run_cli(&c, 2, no_model);
    assert_int_equal(c.rc, 2);
    assert_non_null(strstr(c.err, "no --model"));
    const char *bad_timeout[] = {"lincheck", "--model", "register", "--timeout", "soon", "x.edn"};
    run_cli(&c, 6, bad_timeout);
    assert_int_equal(c.rc, 2);
    assert_non_null(strstr(c.err, "--timeout"));
    const char *missing[] = {"lincheck", "--model", "register", "tests/lincheck/no-such-file.edn"};
    run_cli(&c, 4, missing);
    assert_int_equal(c.rc, 2);
    assert_non_null(strstr(c.err, "no-such-file.edn: error: cannot open"));
    const char *bad_work[] = {"lincheck", "--model", "register", "--max-configurations", "0", "x.edn"};
    run_cli(&c, 6, bad_work);
    assert_int_equal(c.rc, 2);
    assert_non_null(strstr(c.err, "--max-configurations (expected a positive number of configurations)"));
    const char *bad_opt[] = {"lincheck", "--modle", "register", "x.edn"};
    run_cli(&c, 4, bad_opt);
    assert_int_equal(c.rc, 2);
    const char *two_lines[] = {"lincheck", "--model", "counter", "--init", "1\nerror: fake",
                               "tests/lincheck/counter-lost-increment.edn"};
    run_cli(&c, 6, two_lines);
    assert_int_equal(c.rc, 2);
    assert_non_null(strstr(c.err, "a second value in '1\\nerror: fake'"));
    assert_ptr_equal(strchr(c.err, '\n'), c.err + strlen(c.err) - 1);   /* one line */
}

static void unknown_file_exits_3_and_says_how_far_it_got(void **state) {
    (void)state;
    char path[] = "/tmp/ccsim-lincheck-hardXXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    for (int round = 0; round < 100; round++)
        for (int p = 0; p < 50; p++) {
            int value = round == 99 ? 999999 : round * 50 + p;
            const char *fn = round == 99 ? ":read" : ":write";
            fprintf(f, "{:process %d, :type :invoke, :f %s, :value %d, :time %d}\n", p, fn, value, round * 1000 + p);
            fprintf(f, "{:process %d, :type :ok, :f %s, :value %d, :time %d}\n", p, fn, value, round * 1000 + 500 + p);
        }
    fclose(f);
    captured c;
    const char *argv[] = {"lincheck", "--model", "register", "--timeout", "0.3", "--stats", path,
                          "tests/lincheck/register-info-write-placed-late.edn"};
    run_cli(&c, 8, argv);
    unlink(path);
    assert_int_equal(c.rc, 3);
    assert_non_null(strstr(c.out, ": unknown (5000 ops, "));
    assert_non_null(strstr(c.out, "time budget of 0.3 s ran out after"));
    assert_non_null(strstr(c.out, "register-info-write-placed-late.edn: ok"));
    assert_non_null(strstr(c.out, "stats: "));
    assert_non_null(strstr(c.out, "peak RSS"));
}

/* --max-configurations ends the search at the same point on every run. */
static void work_budget_on_the_command_line_ends_unknown_after_as_many_configurations(void **state) {
    (void)state;
    char path[] = "/tmp/ccsim-lincheck-workXXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    for (int round = 0; round < 100; round++)
        for (int p = 0; p < 50; p++) {
            int value = round == 99 ? 999999 : round * 50 + p;
            const char *fn = round == 99 ? ":read" : ":write";
            fprintf(f, "{:process %d, :type :invoke, :f %s, :value %d, :time %d}\n", p, fn, value, round * 1000 + p);
            fprintf(f, "{:process %d, :type :ok, :f %s, :value %d, :time %d}\n", p, fn, value, round * 1000 + 500 + p);
        }
    fclose(f);
    captured c;
    const char *argv[] = {"lincheck", "--model", "register", "--timeout", "0", "--max-configurations=20000",
                          "-q", path};
    run_cli(&c, 8, argv);
    assert_int_equal(c.rc, 3);
    const char *tail = strstr(c.out, "s): work budget of 20000 configurations ran out after ");
    assert_non_null(tail);
    char first[512];
    snprintf(first, sizeof first, "%s", tail);
    run_cli(&c, 8, argv);
    unlink(path);
    assert_non_null(strstr(c.out, first));                        /* same count, same prefix */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_corpus_history_gets_its_agreed_verdict),
        cmocka_unit_test(hand_written_histories_get_the_verdict_their_header_states),
        cmocka_unit_test(in_memory_stale_read_is_illegal_and_explained_in_history_terms),
        cmocka_unit_test(info_write_may_be_linearized_after_later_ops),
        cmocka_unit_test(ok_op_completing_before_its_invocation_is_rejected),
        cmocka_unit_test(unknown_model_and_bad_init_are_input_errors),
        cmocka_unit_test(an_empty_history_is_an_input_error_not_ok),
        cmocka_unit_test(init_with_a_second_value_is_an_error),
        cmocka_unit_test(kv_values_differ_by_type_and_at_any_length),
        cmocka_unit_test(timed_ops_of_one_process_that_overlap_are_an_error),
        cmocka_unit_test(empty_set_as_init_or_read_is_checked_like_any_other_set),
        cmocka_unit_test(ops_without_time_follow_the_file_order_and_nemesis_ops_are_skipped),
        cmocka_unit_test(hard_5000_op_history_ends_unknown_when_time_runs_out),
        cmocka_unit_test(hard_5000_op_history_ends_unknown_at_the_same_point_when_its_work_budget_runs_out),
        cmocka_unit_test(hard_5000_op_history_ends_unknown_when_memory_runs_out),
        cmocka_unit_test(work_budget_on_the_command_line_ends_unknown_after_as_many_configurations),
        cmocka_unit_test(same_history_gives_the_same_verdict_explanation_and_effort),
        cmocka_unit_test(mangled_histories_never_crash_the_checker),
        cmocka_unit_test(help_teaches_models_options_and_an_example),
        cmocka_unit_test(prints_one_line_per_file_and_exits_1_when_any_is_illegal),
        cmocka_unit_test(input_and_usage_errors_exit_2_with_file_line_col),
        cmocka_unit_test(unknown_file_exits_3_and_says_how_far_it_got),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
