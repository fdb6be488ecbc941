/* test_report.c -- the report directory: summary.json, history.edn, story.txt.
 *
 * A small hand-built run (history, scenario on the heap, check results) is
 * written to memory streams and to temporary directories.  JSON is checked
 * by a tiny strict parser below; EDN line by line; determinism by writing
 * twice and comparing bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "protocols/lock/lock_api.h"
#include "sim/registry/registry.h"
#include "sim/report/escape.h"
#include "sim/report/report.h"

enum { R1 = 0, S1 = 1, C1 = 2, C2 = 3 };
#define MS(x) ((sim_time)(x) * SIM_MS)

typedef struct fx {
    hist h;
    scn *s;
    check_result results[2];
    rpt_run run;
    char dir[64];
} fx;

static uint32_t add_op(fx *f, int32_t node, hist_f fn, hist_result r, sim_time inv, sim_time done) {
    hist_op_fields o;
    memset(&o, 0, sizeof o);
    o.node = node;
    o.process = (uint32_t)(node - C1);
    o.f = fn;
    o.result = (uint8_t)r;
    o.invoke_ns = inv;
    o.complete_ns = r == HIST_PENDING ? SIM_TIME_NEVER : done;
    uint32_t id;
    assert_true(hist_add_op(&f->h, &o, &id));
    return id;
}

static void build_history(fx *f) {
    uint32_t a = add_op(f, C1, HIST_F_ACQUIRE, HIST_OK, 0, MS(2));
    f->h.ops[a].epoch32 = 1;            /* narrow: kept in the record */
    f->h.ops[a].value_out = 33;
    f->h.ops[a].has_value_out = true;
    uint32_t r = add_op(f, C2, HIST_F_READ, HIST_OK, MS(1), MS(4));
    f->h.ops[r].value_out = 7;
    f->h.ops[r].has_value_out = true;
    uint32_t w = add_op(f, C1, HIST_F_WRITE, HIST_FAIL, MS(3), MS(5));
    f->h.ops[w].epoch32 = 1;
    f->h.ops[w].token32 = 33;
    f->h.ops[w].value_in = 1;
    f->h.ops[w].has_value_in = true;
    f->h.ops[w].note = hist_intern(&f->h, "stale token 33 < 34", HIST_NOTE_MAX);
    add_op(f, C2, HIST_F_ACQUIRE, HIST_PENDING, MS(6), 0);
    hist_effect_fields e;
    memset(&e, 0, sizeof e);
    e.kind = HIST_EFF_LOCK_SET;
    e.t_ns = MS(1);
    e.node = R1;
    e.client = C1;
    e.key = "lock";
    assert_true(hist_add_effect(&f->h, &e));
    e.kind = HIST_EFF_REJECT;
    e.t_ns = MS(4);
    e.node = S1;
    assert_true(hist_add_effect(&f->h, &e));
}

static int fx_setup(void **state) {
    fx *f = sim_xcalloc(1, sizeof *f);
    hist_init(&f->h);
    f->h.vocab = &registry_vocab;          /* every family's kinds, as a real run has */
    f->s = sim_xcalloc(1, sizeof *f->s);
    static const char *const names[] = { "redis1", "storage1", "c1", "c2" };
    for (uint32_t i = 0; i < 4; i++) strcpy(f->s->nodes[i].name, names[i]);
    f->s->node_count = 4;
    f->s->duration_ns = 30 * SIM_S;
    strcpy(f->s->name, "lease-gc-pause");
    strcpy(f->s->path, "scenarios/locks/l2.yaml");
    strcpy(f->s->description, "He said \"hi\"\\\n\tbye\x01");
    strcpy(f->s->protocol, "setnx-lock");
    strcpy(f->s->workload_kind, "lock-counter");
    build_history(f);
    f->results[0] = (check_result){ .name = "mutual-exclusion", .verdict = CHECK_VIOLATION,
                                    .story = sim_xstrdup("c1 took the lock at 0.002 s;\nso it broke.\n") };
    strcpy(f->results[0].summary, "stale write: c1 (epoch 1) at 15.005 s after c2 (epoch 2) at 10.505 s");
    f->results[1] = (check_result){ .name = "liveness", .verdict = CHECK_OK, .blocked_ns = MS(10002) };
    strcpy(f->results[1].summary, "no op pending");
    f->run = (rpt_run){ .s = f->s, .h = &f->h, .seed = 7, .events = 1234, .messages_sent = 20,
                        .messages_dropped = 2, .end_ns = 30 * SIM_S,
                        .scenario_digest = UINT64_C(0xdeadbeef), .results = f->results,
                        .result_count = 2 };
    strcpy(f->dir, "/tmp/ccsim-test-report-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    *state = f;
    return 0;
}

/* Removes what the tests may have left under f->dir (known names only). */
static void remove_tree(const char *dir) {
    static const char *const files[] = { "summary.json", "history.edn", "story.txt", "blocker" };
    static const char *const subs[] = { "/a/b/c", "/a/b", "/a", "/one", "/two", "" };
    char path[512];
    for (size_t d = 0; d < sizeof subs / sizeof subs[0]; d++) {
        for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
            snprintf(path, sizeof path, "%s%s/%s", dir, subs[d], files[i]);
            unlink(path);
        }
        snprintf(path, sizeof path, "%s%s", dir, subs[d]);
        rmdir(path);
    }
}

static int fx_teardown(void **state) {
    fx *f = *state;
    remove_tree(f->dir);
    check_result_free(&f->results[0]);
    check_result_free(&f->results[1]);
    hist_free(&f->h);
    free(f->s);
    free(f);
    return 0;
}

/* The writer's output as a heap string. */
static char *capture(void (*fn)(FILE *, const rpt_run *), const rpt_run *run) {
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    assert_non_null(m);
    fn(m, run);
    assert_int_equal(fclose(m), 0);
    return buf;
}

static char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) return NULL;
    char *buf = sim_xcalloc(1, 1 << 16);
    size_t n = fread(buf, 1, (1 << 16) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* ---- a tiny strict JSON parser: true when the whole text is one value ---- */

static bool j_value(const char **p);

static void j_ws(const char **p) {
    while (**p == ' ' || **p == '\n' || **p == '\t' || **p == '\r') (*p)++;
}

static bool j_string(const char **p) {
    if (**p != '"') return false;
    for ((*p)++; **p != '"'; (*p)++) {
        if ((unsigned char)**p < 0x20) return false;          /* raw control char */
        if (**p != '\\') continue;
        (*p)++;
        if (**p == 'u') {
            for (int i = 1; i <= 4; i++) if (!strchr("0123456789abcdefABCDEF", (*p)[i]) || !(*p)[i]) return false;
            *p += 4;
        } else if (!strchr("\"\\/bfnrt", **p) || **p == '\0') {
            return false;
        }
    }
    (*p)++;
    return true;
}

static bool j_number(const char **p) {
    if (**p == '-') (*p)++;
    if (**p < '0' || **p > '9') return false;
    if (**p == '0' && (*p)[1] >= '0' && (*p)[1] <= '9') return false;
    while (**p >= '0' && **p <= '9') (*p)++;
    return **p != '.' && **p != 'e' && **p != 'E';            /* integers only */
}

static bool j_items(const char **p, char close, bool keyed) {
    (*p)++;
    j_ws(p);
    if (**p == close) { (*p)++; return true; }
    for (;;) {
        j_ws(p);
        if (keyed) {
            if (!j_string(p)) return false;
            j_ws(p);
            if (*(*p)++ != ':') return false;
        }
        if (!j_value(p)) return false;
        j_ws(p);
        if (**p == close) { (*p)++; return true; }
        if (*(*p)++ != ',') return false;
    }
}

static bool j_value(const char **p) {
    j_ws(p);
    switch (**p) {
    case '{': return j_items(p, '}', true);
    case '[': return j_items(p, ']', false);
    case '"': return j_string(p);
    case 't': if (strncmp(*p, "true", 4) == 0) { *p += 4; return true; } return false;
    case 'f': if (strncmp(*p, "false", 5) == 0) { *p += 5; return true; } return false;
    case 'n': if (strncmp(*p, "null", 4) == 0) { *p += 4; return true; } return false;
    default: return j_number(p);
    }
}

static bool json_ok(const char *text) {
    const char *p = text;
    if (!j_value(&p)) return false;
    j_ws(&p);
    return *p == '\0';
}

/* ---- tests ---- */

static void json_checker_accepts_json_and_rejects_broken_text(void **state) {
    (void)state;
    assert_true(json_ok("{\"a\": [1, -2, {\"b\": \"x\\n\\u0001\"}], \"c\": null}\n"));
    assert_false(json_ok("{\"a\": [1, 2}"));
    assert_false(json_ok("{\"a\": 1,}"));
    assert_false(json_ok("{\"a\": \"raw\nnewline\"}"));
    assert_false(json_ok("{\"a\": 1.5}"));
    assert_false(json_ok("{\"a\": 1} {}"));
}

static void summary_json_is_well_formed_with_every_field(void **state) {
    fx *f = *state;
    char *j = capture(rpt_write_summary_json, &f->run);
    if (!json_ok(j)) print_error("not JSON:\n%s\n", j);
    assert_true(json_ok(j));
    assert_non_null(strstr(j, "\"version\": \"" CCSIM_VERSION "\""));
    assert_non_null(strstr(j, "\"name\": \"lease-gc-pause\""));
    assert_non_null(strstr(j, "\"path\": \"scenarios/locks/l2.yaml\""));
    assert_non_null(strstr(j, "\"description\": \"He said \\\"hi\\\"\\\\\\n\\tbye\\u0001\""));
    assert_non_null(strstr(j, "\"digest\": \"00000000deadbeef\""));
    assert_non_null(strstr(j, "\"seed\": 7,"));
    assert_non_null(strstr(j, "\"duration_ns\": 30000000000, \"duration\": \"30 s\""));
    assert_non_null(strstr(j, "\"events\": 1234,"));
    assert_non_null(strstr(j, "\"messages\": {\"sent\": 20, \"dropped\": 2}"));
    assert_non_null(strstr(j, "\"verdict\": \"violation\",\n"));
    assert_non_null(strstr(j, "{\"name\": \"mutual-exclusion\", \"verdict\": \"violation\", \"summary\": "
                              "\"stale write: c1 (epoch 1) at 15.005 s after c2 (epoch 2) at 10.505 s\""));
    assert_non_null(strstr(j, "{\"name\": \"liveness\", \"verdict\": \"ok\", \"summary\": \"no op pending\", "
                              "\"blocked_ns\": 10002000000, \"blocked\": \"10.002 s\"}"));
    assert_non_null(strstr(j, "\"acquire\": {\"ok\": 1, \"fail\": 0, \"info\": 0, \"pending\": 1}"));
    assert_non_null(strstr(j, "\"write\": {\"ok\": 0, \"fail\": 1, \"info\": 0, \"pending\": 0}"));
    assert_non_null(strstr(j, "\"lock-set\": 1"));
    assert_non_null(strstr(j, "\"reject\": 1"));
    free(j);
}

static void summary_verdict_is_ok_only_when_every_check_is_ok(void **state) {
    fx *f = *state;
    f->run.result_count = 1;
    f->results[0].verdict = CHECK_UNKNOWN;
    char *j = capture(rpt_write_summary_json, &f->run);
    assert_true(json_ok(j));
    assert_non_null(strstr(j, "\"verdict\": \"unknown\",\n"));
    free(j);
    f->run.results = &f->results[1];
    j = capture(rpt_write_summary_json, &f->run);
    assert_non_null(strstr(j, "\"verdict\": \"ok\",\n"));
    free(j);
    f->run.result_count = 0;
    j = capture(rpt_write_summary_json, &f->run);
    assert_true(json_ok(j));
    assert_non_null(strstr(j, "\"checks\": [],\n"));
    free(j);
}

static void history_edn_has_invoke_and_completion_lines_in_true_time_order(void **state) {
    fx *f = *state;
    char *e = capture(rpt_write_history_edn, &f->run);
    const char *want =
        "{:type :invoke, :f :acquire, :value nil, :process 0, :time 0, :index 0, :node \"c1\"}\n"
        "{:type :invoke, :f :read, :value nil, :process 1, :time 1000000, :index 1, :node \"c2\"}\n"
        "{:type :ok, :f :acquire, :value nil, :process 0, :time 2000000, :index 2, :node \"c1\", "
        ":epoch 1, :token 33}\n"
        "{:type :invoke, :f :write, :value 1, :process 0, :time 3000000, :index 3, :node \"c1\", "
        ":epoch 1, :token 33}\n"
        "{:type :ok, :f :read, :value 7, :process 1, :time 4000000, :index 4, :node \"c2\"}\n"
        "{:type :fail, :f :write, :value 1, :process 0, :time 5000000, :index 5, :node \"c1\", "
        ":epoch 1, :token 33, :error \"stale token 33 < 34\"}\n"
        "{:type :invoke, :f :acquire, :value nil, :process 1, :time 6000000, :index 6, :node \"c2\"}\n";
    assert_string_equal(e, want);
    free(e);
}

/* A history whose ops were not numbered in invoke order (one built by
 * hand, or read from elsewhere) is sorted whole, to the same order. */
static void history_edn_orders_ops_numbered_out_of_invoke_order(void **state) {
    fx *f = *state;
    add_op(f, C2, HIST_F_READ, HIST_OK, MS(1) / 2, MS(9));    /* invoked before op 1 */
    char *e = capture(rpt_write_history_edn, &f->run);
    const char *first = strstr(e, ":time 0, :index 0,");
    const char *early = strstr(e, "{:type :invoke, :f :read, :value nil, :process 1, :time 500000, :index 1,");
    const char *late = strstr(e, "{:type :ok, :f :read, :value 7, :process 1, :time 4000000, :index 5,");
    assert_non_null(first);
    assert_non_null(early);
    assert_non_null(late);
    assert_non_null(strstr(e, ":time 9000000, :index 8,"));
    free(e);
}

/* Completions are written in (time, op id) order whatever order they end
 * in: far apart (the sort runs several passes), tied, and at the same
 * time as a later op's invoke (the lower op id first). */
static void history_edn_orders_completions_by_time_then_op(void **state) {
    fx *f = *state;
    const sim_time far = (sim_time)1 << 40, mid = (sim_time)1 << 33;
    add_op(f, C1, HIST_F_READ, HIST_OK, MS(7), far + 5);      /* op 4 */
    add_op(f, C2, HIST_F_READ, HIST_OK, MS(7), far + 5);      /* op 5: ends with op 4 */
    add_op(f, C1, HIST_F_WRITE, HIST_OK, MS(8), MS(9));       /* op 6: ends as op 7 starts */
    add_op(f, C2, HIST_F_WRITE, HIST_OK, MS(9), mid);         /* op 7 */
    add_op(f, C1, HIST_F_READ, HIST_OK, MS(10), mid + 1);     /* op 8 */
    char *e = capture(rpt_write_history_edn, &f->run);
    static const char *const want[] = {
        "{:type :invoke, :f :read, :value nil, :process 0, :time 7000000, :index 7,",
        "{:type :invoke, :f :read, :value nil, :process 1, :time 7000000, :index 8,",
        "{:type :invoke, :f :write, :value nil, :process 0, :time 8000000, :index 9,",
        "{:type :ok, :f :write, :value nil, :process 0, :time 9000000, :index 10,",
        "{:type :invoke, :f :write, :value nil, :process 1, :time 9000000, :index 11,",
        "{:type :invoke, :f :read, :value nil, :process 0, :time 10000000, :index 12,",
        "{:type :ok, :f :write, :value nil, :process 1, :time 8589934592, :index 13,",
        "{:type :ok, :f :read, :value nil, :process 0, :time 8589934593, :index 14,",
        "{:type :ok, :f :read, :value nil, :process 0, :time 1099511627781, :index 15,",
        "{:type :ok, :f :read, :value nil, :process 1, :time 1099511627781, :index 16,",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        if (strstr(e, want[i]) == NULL) print_error("missing: %s\n", want[i]);
        assert_non_null(strstr(e, want[i]));
    }
    assert_null(strstr(e, ":index 17,"));
    free(e);
}

static void op_completed_info_moves_its_process_to_a_fresh_number(void **state) {
    fx *f = *state;
    f->h.ops[2].result = HIST_INFO;                 /* c1's write: outcome unknown */
    f->h.ops[2].note = hist_intern(&f->h, "timeout", HIST_NOTE_MAX);
    add_op(f, C1, HIST_F_RELEASE, HIST_OK, MS(7), MS(8));
    char *e = capture(rpt_write_history_edn, &f->run);
    assert_non_null(strstr(e, "{:type :info, :f :write, :value 1, :process 0, :time 5000000, :index 5, "
                              ":node \"c1\", :epoch 1, :token 33, :error \"timeout\"}\n"));
    assert_non_null(strstr(e, "{:type :invoke, :f :release, :value nil, :process 2, :time 7000000, "));
    assert_non_null(strstr(e, "{:type :ok, :f :release, :value nil, :process 2, :time 8000000, "));
    free(e);
}

static void ops_completing_normally_keep_their_process(void **state) {
    fx *f = *state;
    add_op(f, C1, HIST_F_RELEASE, HIST_OK, MS(7), MS(8));
    char *e = capture(rpt_write_history_edn, &f->run);
    assert_non_null(strstr(e, "{:type :invoke, :f :release, :value nil, :process 0, :time 7000000, "));
    free(e);
}

static void story_txt_tells_each_violation_indented(void **state) {
    fx *f = *state;
    char *s = capture(rpt_write_story, &f->run);
    assert_string_equal(s, "lease-gc-pause, seed 7\n\n"
                           "mutual-exclusion: violation: stale write: c1 (epoch 1) at 15.005 s after "
                           "c2 (epoch 2) at 10.505 s\n\n"
                           "  c1 took the lock at 0.002 s;\n"
                           "  so it broke.\n");
    free(s);
}

static void story_txt_and_summary_tell_the_outcome_first(void **state) {
    fx *f = *state;
    f->run.outcome = "final counter 1, expected 2: 1 update lost";
    char *s = capture(rpt_write_story, &f->run);
    assert_non_null(strstr(s, "lease-gc-pause, seed 7\n\noutcome: final counter 1, expected 2: 1 update "
                              "lost\n\nmutual-exclusion: violation: "));
    free(s);
    char *j = capture(rpt_write_summary_json, &f->run);
    assert_true(json_ok(j));
    assert_non_null(strstr(j, "\"verdict\": \"violation\",\n  \"outcome\": \"final counter 1, expected 2: "
                              "1 update lost\",\n  \"checks\": ["));
    free(j);
}

static void story_txt_tells_lines_two_checks_share_once(void **state) {
    fx *f = *state;
    f->results[1].verdict = CHECK_VIOLATION;
    f->results[1].story = sim_xstrdup("c1 took the lock at 0.002 s;\nc2 waited;\nso it stuck.\n");
    char *s = capture(rpt_write_story, &f->run);
    assert_non_null(strstr(s, "\nwhat the stories of mutual-exclusion and liveness share, in true time:\n\n"
                              "  c1 took the lock at 0.002 s.\n\nmutual-exclusion: violation: "));
    assert_non_null(strstr(s, "at 10.505 s\n\n  so it broke.\n\nliveness: violation: no op pending\n\n"
                              "  c2 waited;\n  so it stuck.\n"));
    free(s);
}

static void story_txt_says_no_violations_when_every_check_passes(void **state) {
    fx *f = *state;
    f->results[0].verdict = CHECK_OK;
    char *s = capture(rpt_write_story, &f->run);
    assert_string_equal(s, "lease-gc-pause, seed 7\n\nno violations\n");
    free(s);
}

static void report_dir_gets_whole_files_with_the_same_bytes_twice(void **state) {
    fx *f = *state;
    char one[128], two[128], err[SIM_ERR_MAX] = "";
    snprintf(one, sizeof one, "%s/one", f->dir);
    snprintf(two, sizeof two, "%s/two", f->dir);
    assert_int_equal(rpt_write_dir(one, &f->run, err, sizeof err), 0);
    assert_int_equal(rpt_write_dir(two, &f->run, err, sizeof err), 0);
    static const char *const files[] = { "summary.json", "history.edn", "story.txt" };
    for (size_t i = 0; i < 3; i++) {
        char p1[256], p2[256], tmp[256];
        snprintf(p1, sizeof p1, "%s/%s", one, files[i]);
        snprintf(p2, sizeof p2, "%s/%s", two, files[i]);
        snprintf(tmp, sizeof tmp, "%s/%s.tmp", one, files[i]);
        char *a = slurp(p1), *b = slurp(p2);
        assert_non_null(a);
        assert_non_null(b);
        assert_true(strlen(a) > 0);
        assert_string_equal(a, b);
        assert_int_equal(access(tmp, F_OK), -1);     /* no temporary left behind */
        assert_true(rpt_file_digest(p1) == rpt_file_digest(p2));
        free(a);
        free(b);
    }
    char *mem = capture(rpt_write_summary_json, &f->run), path[256];
    snprintf(path, sizeof path, "%s/summary.json", one);
    char *disk = slurp(path);
    assert_string_equal(mem, disk);                  /* `run --json` prints the same bytes */
    free(mem);
    free(disk);
}

static void report_dir_is_created_with_its_parents(void **state) {
    fx *f = *state;
    char deep[128], err[SIM_ERR_MAX] = "";
    snprintf(deep, sizeof deep, "%s/a/b/c/", f->dir);
    assert_int_equal(rpt_write_dir(deep, &f->run, err, sizeof err), 0);
    struct stat st;
    snprintf(deep, sizeof deep, "%s/a/b/c/story.txt", f->dir);
    assert_int_equal(stat(deep, &st), 0);
    assert_int_equal(rpt_mkdirs(f->dir), 0);         /* existing: fine */
}

static void report_dir_under_a_file_fails_with_a_message_naming_it(void **state) {
    fx *f = *state;
    char blocker[128], dir[160], err[SIM_ERR_MAX] = "";
    snprintf(blocker, sizeof blocker, "%s/blocker", f->dir);
    FILE *b = fopen(blocker, "w");
    assert_non_null(b);
    fclose(b);
    snprintf(dir, sizeof dir, "%s/sub", blocker);
    assert_int_equal(rpt_write_dir(dir, &f->run, err, sizeof err), -1);
    assert_non_null(strstr(err, "cannot create "));
    assert_non_null(strstr(err, dir));
    assert_int_equal(rpt_mkdirs(blocker), -1);
}

static void file_digest_is_fnv1a_64_and_zero_when_unreadable(void **state) {
    fx *f = *state;
    char path[128];
    snprintf(path, sizeof path, "%s/blocker", f->dir);
    FILE *b = fopen(path, "w");
    assert_non_null(b);
    fclose(b);
    assert_true(rpt_file_digest(path) == UINT64_C(0xcbf29ce484222325));   /* empty */
    b = fopen(path, "w");
    fputs("a", b);
    fclose(b);
    assert_true(rpt_file_digest(path) == UINT64_C(0xaf63dc4c8601ec8c));
    snprintf(path, sizeof path, "%s/missing", f->dir);
    assert_true(rpt_file_digest(path) == 0);
}

static void quoted_string_escapes_quotes_backslashes_and_control_bytes_only(void **state) {
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    assert_non_null(m);
    rpt_write_quoted(m, "say \"hi\" \\ a\tb\r\n\x01\x1f\x7f caf\xc3\xa9 ~");
    rpt_write_quoted(m, "");
    fclose(m);
    assert_string_equal(buf, "\"say \\\"hi\\\" \\\\ a\\tb\\r\\n\\u0001\\u001f\\u007f "
                             "caf\xc3\xa9 ~\"\"\"");
    free(buf);
}

/* rpt_out (history.edn's writer) writes the bytes printf and
 * rpt_write_quoted would: integers at both ends of their range, texts
 * longer than its buffer, and escapes across a flush. */
static void buffered_writer_writes_what_printf_would(void **state) {
    (void)state;
    char *got = NULL, *want = NULL;
    size_t got_len = 0, want_len = 0;
    FILE *g = open_memstream(&got, &got_len), *w = open_memstream(&want, &want_len);
    assert_non_null(g);
    assert_non_null(w);
    rpt_out *o = calloc(1, sizeof *o);
    assert_non_null(o);
    o->f = g;
    static const int64_t ints[] = { 0, 7, -1, 9, 10, -10, 99, 100, 999, 1000, 99999, 100000,
                                    1234567890123, 999999999999999999, INT64_MAX, INT64_MIN };
    for (int round = 0; round < 2000; round++) {           /* past several flushes */
        for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
            rpt_out_i64(o, ints[i]);
            rpt_out_str(o, " ");
            fprintf(w, "%" PRId64 " ", ints[i]);
        }
        for (uint64_t p = 1, k = 0; k < 20; k++, p *= 10u) {   /* every length of digits */
            rpt_out_u64(o, p - 1u);
            rpt_out_u64(o, p);
            fprintf(w, "%" PRIu64 "%" PRIu64, p - 1u, p);
        }
        for (unsigned k = 1; k < 64; k++) {                     /* every bit length */
            uint64_t two = (uint64_t)1 << k;
            rpt_out_u64(o, two - 1u);
            rpt_out_u64(o, two);
            fprintf(w, "%" PRIu64 "%" PRIu64, two - 1u, two);
        }
        rpt_out_u64(o, UINT64_MAX);
        fprintf(w, "%" PRIu64, UINT64_MAX);
        rpt_out_quoted(o, "a\"b\x01\n");
        rpt_write_quoted(w, "a\"b\x01\n");
    }
    size_t big_len = sizeof o->b + 1000u;                /* longer than the buffer */
    char *big = malloc(big_len + 1u);
    assert_non_null(big);
    memset(big, 'x', big_len);
    big[big_len] = '\0';
    rpt_out_str(o, big);
    fputs(big, w);
    free(big);
    rpt_out_flush(o);
    fclose(g);
    fclose(w);
    assert_int_equal(got_len, want_len);
    assert_memory_equal(got, want, want_len);
    free(o);
    free(got);
    free(want);
}

#define T(name) cmocka_unit_test_setup_teardown(name, fx_setup, fx_teardown)

int main(void) {
    const struct CMUnitTest tests[] = {
        T(json_checker_accepts_json_and_rejects_broken_text),
        T(summary_json_is_well_formed_with_every_field),
        T(summary_verdict_is_ok_only_when_every_check_is_ok),
        T(history_edn_has_invoke_and_completion_lines_in_true_time_order),
        T(buffered_writer_writes_what_printf_would),
        T(history_edn_orders_ops_numbered_out_of_invoke_order),
        T(history_edn_orders_completions_by_time_then_op),
        T(op_completed_info_moves_its_process_to_a_fresh_number),
        T(ops_completing_normally_keep_their_process),
        T(story_txt_tells_each_violation_indented),
        T(story_txt_and_summary_tell_the_outcome_first),
        T(story_txt_tells_lines_two_checks_share_once),
        T(story_txt_says_no_violations_when_every_check_passes),
        T(report_dir_gets_whole_files_with_the_same_bytes_twice),
        T(report_dir_is_created_with_its_parents),
        T(report_dir_under_a_file_fails_with_a_message_naming_it),
        T(file_digest_is_fnv1a_64_and_zero_when_unreadable),
        T(quoted_string_escapes_quotes_backslashes_and_control_bytes_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
