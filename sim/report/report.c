/* report.c -- summary.json and story.txt of a run, and the report directory.
 *
 * Invariant: every byte written is a function of the rpt_run alone: numbers
 * come from integers, lists in the history's order or a fixed one, nothing
 * reads a clock or an address.  Files go to NAME.tmp first and are renamed
 * into place, so a reader sees a whole file or none (history.edn too,
 * whose lines history_edn.c writes in (true time, op id, phase) order).
 */
#include "sim/report/report.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "protocols/db/db.h"
#include "sim/nemesis.h"
#include "protocols/lock/lock_api.h"
#include "protocols/payment/payment.h"
#include "protocols/ratelimit/ratelimit.h"
#include "sim/check/figures.h"
#include "sim/check/story.h"
#include "sim/report/escape.h"

#define RPT_PATH_MAX 4096

/* ------------------------------------------------------------ JSON output */

static void json_time(FILE *f, const char *key, sim_time t, bool comma) {
    char buf[64];
    SIM_ASSERT(key != NULL);
    SIM_ASSERT(t >= 0);                         /* durations and instants of a run */
    sim_fmt_time(buf, sizeof buf, t);
    fprintf(f, "\"%s_ns\": %" PRId64 ", \"%s\": ", key, (int64_t)t, key);
    rpt_write_quoted(f, buf);
    fputs(comma ? ", " : "", f);
}

static check_verdict overall_verdict(const rpt_run *run) {
    check_verdict v = CHECK_OK;
    SIM_ASSERT(run->results != NULL || run->result_count == 0);
    for (size_t i = 0; i < run->result_count; i++) {
        if (run->results[i].verdict == CHECK_VIOLATION) return CHECK_VIOLATION;
        if (run->results[i].verdict == CHECK_UNKNOWN) v = CHECK_UNKNOWN;
    }
    return v;
}

static void json_scenario(FILE *f, const rpt_run *run) {
    const scn *s = run->s;
    SIM_ASSERT(s != NULL);
    SIM_ASSERT(s->set_count <= SCN_SETS_MAX);
    fputs("  \"scenario\": {\n    \"name\": ", f);
    rpt_write_quoted(f, s->name);
    fputs(",\n    \"path\": ", f);
    rpt_write_quoted(f, s->path);
    fputs(",\n    \"description\": ", f);
    rpt_write_quoted(f, s->description);
    fprintf(f, ",\n    \"digest\": \"%016" PRIx64 "\",\n    \"protocol\": ", run->scenario_digest);
    rpt_write_quoted(f, s->protocol);
    fputs(",\n    \"workload\": ", f);
    rpt_write_quoted(f, s->workload_kind);
    for (uint32_t k = 0; k < s->set_count; k++) {      /* `ccsim run --set`, when given */
        fputs(k ? ", " : ",\n    \"overrides\": [", f);
        rpt_write_quoted(f, s->sets[k]);
    }
    fputs(s->set_count ? "]\n  },\n" : "\n  },\n", f);
}

static void json_checks(FILE *f, const rpt_run *run) {
    fputs("  \"checks\": [", f);
    for (size_t i = 0; i < run->result_count; i++) {
        const check_result *r = &run->results[i];
        SIM_ASSERT(r->name != NULL);
        fputs(i ? ",\n    {\"name\": " : "\n    {\"name\": ", f);
        rpt_write_quoted(f, r->name);
        fputs(", \"verdict\": ", f);
        rpt_write_quoted(f, check_verdict_name(r->verdict));
        fputs(", \"summary\": ", f);
        rpt_write_quoted(f, r->summary);
        fputs(", ", f);
        json_time(f, "blocked", r->blocked_ns, false);
        fputs("}", f);
    }
    fputs(run->result_count ? "\n  ],\n" : "],\n", f);
}

/* Where each kind stands in the vocabulary's list (ops or effects), so a
 * record is counted in one step; UINT16_MAX = not in the list. */
static uint16_t *kind_index(size_t n, const hist_kind_def *(*at)(size_t)) {
    uint16_t *index = sim_xmalloc((size_t)(UINT16_MAX + 1) * sizeof *index);
    memset(index, 0xff, (size_t)(UINT16_MAX + 1) * sizeof *index);
    SIM_ASSERT(n < UINT16_MAX);
    for (size_t i = 0; i < n; i++) index[at(i)->kind] = (uint16_t)i;
    return index;
}

/* Counts by kind, every kind of the vocabulary listed (zero included, but
 * for a kind marked only_when_used), in the vocabulary's order. */
static void json_counts(FILE *f, const hist *h) {
    const hist_vocab *v = h->vocab;
    size_t nf = v->op_count(), ne = v->effect_count();
    uint16_t *fi = kind_index(nf, v->op_at), *ei = kind_index(ne, v->effect_at);
    uint64_t (*by)[4] = sim_xcalloc(nf, sizeof *by);
    uint64_t *eff = sim_xcalloc(ne, sizeof *eff);
    for (uint32_t i = 0; i < h->op_count; i++) {
        SIM_ASSERT(fi[h->ops[i].f] != UINT16_MAX);      /* every kind recorded is named */
        SIM_ASSERT((unsigned)h->ops[i].result < 4u);
        by[fi[h->ops[i].f]][h->ops[i].result]++;
    }
    for (uint32_t i = 0; i < h->effect_count; i++) {
        SIM_ASSERT(ei[h->effects[i].kind] != UINT16_MAX);
        eff[ei[h->effects[i].kind]]++;
    }
    fprintf(f, "  \"ops\": {\n    \"total\": %" PRIu32, h->op_count);
    for (size_t k = 0; k < nf; k++) {
        if (v->op_at(k)->only_when_used && by[k][0] + by[k][1] + by[k][2] + by[k][3] == 0) continue;
        fprintf(f, ",\n    \"%s\": {\"ok\": %" PRIu64 ", \"fail\": %" PRIu64 ", \"info\": %" PRIu64
                ", \"pending\": %" PRIu64 "}", v->op_at(k)->name, by[k][HIST_OK],
                by[k][HIST_FAIL], by[k][HIST_INFO], by[k][HIST_PENDING]);
    }
    fprintf(f, "\n  },\n  \"effects\": {\n    \"total\": %" PRIu32, h->effect_count);
    for (size_t k = 0; k < ne; k++) {
        if (v->effect_at(k)->only_when_used && eff[k] == 0) continue;
        fprintf(f, ",\n    \"%s\": %" PRIu64, v->effect_at(k)->name, eff[k]);
    }
    fputs("\n  }\n", f);
    free(by);
    free(eff);
    free(fi);
    free(ei);
}

/* A database run's costs (sim/check/figures.h), only when it has any. */
static void json_db(FILE *f, const rpt_run *run) {
    check_figures x;
    check_figures_build(run->h, run->end_ns, &x);
    if (!x.any) return;
    SIM_ASSERT(x.lock_wait_max_ns >= 0);       /* waits end after they start */
    SIM_ASSERT(x.lock_wait_max_ns <= x.lock_wait_total_ns);
    fprintf(f, "  \"db\": {\"commits\": %" PRIu64 ", \"aborts\": %" PRIu64 ", \"retries\": %" PRIu64
            ", \"serialization_failures\": %" PRIu64 ", \"deadlocks\": %" PRIu64 ", \"lock_timeouts\": %"
            PRIu64 ", \"lock_waits\": %" PRIu64 ", ", x.commits, x.aborts, x.retries,
            x.serialization_failures, x.deadlocks, x.lock_timeouts, x.lock_waits);
    json_time(f, "lock_wait_total", x.lock_wait_total_ns, true);
    json_time(f, "lock_wait_max", x.lock_wait_max_ns, false);
    fputs("},\n", f);
}

void rpt_write_summary_json(FILE *f, const rpt_run *run) {
    SIM_ASSERT(f != NULL);
    SIM_ASSERT(run != NULL);
    SIM_ASSERT(run->s != NULL);
    SIM_ASSERT(run->h != NULL);
    fputs("{\n  \"version\": ", f);
    rpt_write_quoted(f, CCSIM_VERSION);
    fputs(",\n", f);
    json_scenario(f, run);
    fprintf(f, "  \"seed\": %" PRIu64 ",\n  ", run->seed);
    json_time(f, "duration", run->s->duration_ns, true);
    json_time(f, "end", run->end_ns, false);
    fprintf(f, ",\n  \"events\": %" PRIu64 ",\n", run->events);
    fprintf(f, "  \"messages\": {\"sent\": %" PRIu64 ", \"dropped\": %" PRIu64 "},\n",
            run->messages_sent, run->messages_dropped);
    fputs("  \"verdict\": ", f);
    rpt_write_quoted(f, check_verdict_name(overall_verdict(run)));
    fputs(",\n", f);
    if (run->outcome != NULL && run->outcome[0] != '\0') {
        fputs("  \"outcome\": ", f);
        rpt_write_quoted(f, run->outcome);
        fputs(",\n", f);
    }
    json_checks(f, run);
    json_db(f, run);
    json_counts(f, run->h);
    fputs("}\n", f);
}

/* ------------------------------------------------------------ story.txt */

static void story_indented(FILE *f, const char *text) {
    SIM_ASSERT(f != NULL);
    SIM_ASSERT(text != NULL);
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (len > 0) fprintf(f, "  %.*s\n", (int)len, p);
        else fputc('\n', f);
        p += len + (nl ? 1 : 0);
    }
}

/* The names of the checks in `which` (bit i = results[i]): "a, b and c". */
static void story_checks_named(FILE *f, const rpt_run *run, uint64_t which) {
    size_t n = 0, total = 0;
    for (size_t i = 0; i < run->result_count; i++) total += (which >> i) & 1u;
    for (size_t i = 0; i < run->result_count; i++) {
        if (!((which >> i) & 1u)) continue;
        n++;
        fprintf(f, "%s%s", n == 1 ? "" : n == total ? " and " : ", ", run->results[i].name);
    }
}

/* A violation's story told in story.txt: the whole, or its own part when
 * its lines are shared with other checks' (story_share). */
static bool has_story(const check_result *r) {
    return r->verdict == CHECK_VIOLATION && r->story != NULL && r->story[0] != '\0';
}

void rpt_write_story(FILE *f, const rpt_run *run) {
    SIM_ASSERT(f != NULL);
    SIM_ASSERT(run != NULL);
    SIM_ASSERT(run->s != NULL);
    SIM_ASSERT(run->result_count <= SCN_CHECKS_MAX);
    fprintf(f, "%s, seed %" PRIu64 "\n", run->s->name, run->seed);
    if (run->outcome != NULL && run->outcome[0] != '\0') fprintf(f, "\noutcome: %s\n", run->outcome);
    const char *stories[SCN_CHECKS_MAX];
    story_buf parts[SCN_CHECKS_MAX], shared;
    story_buf_init(&shared);
    uint64_t told = 0;
    for (size_t i = 0; i < run->result_count; i++) {
        story_buf_init(&parts[i]);
        stories[i] = has_story(&run->results[i]) ? run->results[i].story : NULL;
        if (stories[i]) told |= (uint64_t)1 << i;
    }
    if (story_share(stories, run->result_count, &shared, parts) > 0) {
        fputs("\nwhat the stories of ", f);
        story_checks_named(f, run, told);
        fputs(" share, in true time:\n\n", f);
        story_indented(f, shared.text);
    }
    size_t violations = 0;
    for (size_t i = 0; i < run->result_count; i++) {
        const check_result *r = &run->results[i];
        if (r->verdict == CHECK_OK) continue;
        fprintf(f, "\n%s: %s: %s\n", r->name, check_verdict_name(r->verdict), r->summary);
        if (r->verdict != CHECK_VIOLATION) continue;
        violations++;
        if (parts[i].text != NULL && parts[i].text[0] != '\0') {
            fputc('\n', f);
            story_indented(f, parts[i].text);
        }
    }
    if (violations == 0) fputs("\nno violations\n", f);
    for (size_t i = 0; i < run->result_count; i++) story_buf_free(&parts[i]);
    story_buf_free(&shared);
}

/* ------------------------------------------------------------ files */

uint64_t rpt_file_digest(const char *path) {
    SIM_ASSERT(path != NULL);
    FILE *f = fopen(path, "rb");
    if (f == NULL) return 0;
    uint64_t hash = UINT64_C(14695981039346656037);
    unsigned char buf[8192];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, f)) > 0) {
        for (size_t i = 0; i < got; i++) {
            hash ^= buf[i];
            hash *= UINT64_C(1099511628211);
        }
    }
    bool bad = ferror(f) != 0;
    fclose(f);
    return bad ? 0 : hash;
}

void rpt_write_faults_yaml(FILE *f, const rpt_run *run) {
    const scn *s = run->s;
    SIM_ASSERT(s != NULL);
    SIM_ASSERT(s->fault_count <= SCN_FAULTS_MAX);
    fprintf(f, "# The faults of %s with seed %" PRIu64 ": the scenario's own and the %u its\n"
               "# nemesis drew (marked).  To replay this run without the nemesis, put\n"
               "# this list in place of the scenario's `faults:` and remove `nemesis:`.\n"
               "faults:%s\n", s->name, run->seed, nemesis_drawn_count(s),
            s->fault_count == 0 ? " []" : "");
    char text[SCN_FAULT_YAML_MAX];
    for (uint32_t i = 0; i < s->fault_count; i++) {
        scn_fault_yaml(s, &s->faults[i], text, sizeof text);
        fprintf(f, "  - %s%s\n", text, s->faults[i].drawn ? "   # nemesis" : "");
    }
}

static int mkdir_one(const char *path) {
    SIM_ASSERT(path != NULL);
    SIM_ASSERT(path[0] != '\0');                /* rpt_mkdirs refuses an empty path */
    if (mkdir(path, 0777) == 0) return 0;
    int saved = errno;
    struct stat st;
    if (saved == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) return 0;
    errno = saved == EEXIST ? ENOTDIR : saved;
    return -1;
}

int rpt_mkdirs(const char *dir) {
    SIM_ASSERT(dir != NULL);
    char path[RPT_PATH_MAX];
    size_t len = strlen(dir);
    if (len == 0 || len >= sizeof path) { errno = len ? ENAMETOOLONG : ENOENT; return -1; }
    memcpy(path, dir, len + 1);
    for (size_t i = 1; i < len; i++) {
        if (path[i] != '/' || path[i - 1] == '/') continue;
        path[i] = '\0';
        if (mkdir_one(path) != 0) return -1;
        path[i] = '/';
    }
    return mkdir_one(path);
}

int rpt_write_whole(const char *dir, const char *name, rpt_file_writer fn, const void *ctx,
                    char *err, size_t err_len) {
    char path[RPT_PATH_MAX], tmp[RPT_PATH_MAX];
    SIM_ASSERT(fn != NULL);
    SIM_ASSERT(name != NULL);
    SIM_ASSERT(err_len > 0);
    int n1 = snprintf(path, sizeof path, "%s/%s", dir, name);
    int n2 = snprintf(tmp, sizeof tmp, "%s/%s.tmp", dir, name);
    if (n1 < 0 || n2 < 0 || (size_t)n2 >= sizeof tmp) {
        snprintf(err, err_len, "%s/%s: path too long", dir, name);
        return -1;
    }
    FILE *f = fopen(tmp, "wb");
    if (f == NULL) {
        snprintf(err, err_len, "cannot write %s: %s", tmp, strerror(errno));
        return -1;
    }
    fn(f, ctx);
    bool bad = ferror(f) != 0;
    if (fclose(f) != 0) bad = true;
    if (bad) {
        snprintf(err, err_len, "cannot write %s: %s", tmp, strerror(errno));
        unlink(tmp);
        return -1;
    }
    if (rename(tmp, path) != 0) {
        snprintf(err, err_len, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

static void summary_file(FILE *f, const void *run) { rpt_write_summary_json(f, run); }
static void history_file(FILE *f, const void *run) { rpt_write_history_edn(f, run); }
static void story_file(FILE *f, const void *run) { rpt_write_story(f, run); }
static void faults_file(FILE *f, const void *run) { rpt_write_faults_yaml(f, run); }

int rpt_write_dir(const char *dir, const rpt_run *run, char *err, size_t err_len) {
    SIM_ASSERT(dir != NULL);
    SIM_ASSERT(run != NULL);
    SIM_ASSERT(err != NULL);
    SIM_ASSERT(err_len > 0);
    if (rpt_mkdirs(dir) != 0) {
        snprintf(err, err_len, "cannot create %s: %s", dir, strerror(errno));
        return -1;
    }
    if (rpt_write_whole(dir, "summary.json", summary_file, run, err, err_len) != 0) return -1;
    if (rpt_write_whole(dir, "history.edn", history_file, run, err, err_len) != 0) return -1;
    if (rpt_write_whole(dir, "story.txt", story_file, run, err, err_len) != 0) return -1;
    if (run->s->nemesis.on &&
        rpt_write_whole(dir, "faults.yaml", faults_file, run, err, err_len) != 0)
        return -1;
    return 0;
}
