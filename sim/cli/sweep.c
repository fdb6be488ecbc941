/* sweep.c -- `ccsim sweep FILE.yaml... --seeds A..B`: many seeds in worker
 * processes (sweep.h has the model; docs/sweeps.md the user's view).
 *
 * Invariant: a tally is a function of the scenario, the range and the
 * plan's show/check/expect options only.  Workers send records in their
 * own order; the parent sums counts and keeps listed seeds sorted, so
 * `--jobs` changes nothing but the wall time.  Wall time and progress go
 * to stderr, never into the tally.
 *
 * Wire format, worker -> parent, one record per seed:
 *   seed u64 | status u8 | count u8 | verdict u8 x SCN_CHECKS_MAX | text_len u32 | text
 * text: SWEEP_FAILING: the summary of each failing check, in check order,
 * each NUL-terminated; SWEEP_ERROR: the run's error message.  A record
 * with status SWEEP_FAILING and no failing check is an ordinary seed.
 */
#include "sim/cli/sweep.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sim/nemesis.h"
#include "sim/registry/registry.h"
#include "sim/rng.h"

#define WIRE_HEAD (8 + 1 + 1 + SCN_CHECKS_MAX + 4)
#define WORKERS_MAX 1024

/* ---- one seed --------------------------------------------------------- */

int sweep_run_seed(const scn *s, uint64_t seed, cli_outcome *o, char *err, size_t err_len,
                   void *ctx) {
    SIM_ASSERT(s != NULL);
    SIM_ASSERT(ctx == NULL);
    sim_options opt = { .seed = seed, .seed_set = true };
    return cli_execute_err(s, &opt, o, NULL, true, err, err_len);   /* summaries, no stories */
}

bool sweep_verifies(uint64_t seed, uint32_t ppm) {
    SIM_ASSERT(ppm <= 1000000);
    if (ppm == 0) return false;
    rng r;
    rng_init(&r, seed ^ 0x7665726966792121ull);   /* "verify!!": not the run's own streams */
    return rng_below(&r, 1000000) < ppm;
}

/* --verify: a picked seed runs twice first, comparing the event streams
 * (sim/verify.h).  Two runs that differ are a bug in ccsim, reported as an
 * assertion is: the line, the reproduce command, and abort(), so the sweep
 * lists the seed as one that crashed ccsim (exit 4). */
static int run_seed_verified(const scn *s, uint64_t seed, cli_outcome *o, char *err,
                             size_t err_len, void *ctx) {
    const sweep_plan *p = ctx;
    SIM_ASSERT(p != NULL);
    SIM_ASSERT(p->verify_ppm > 0);
    if (sweep_verifies(seed, p->verify_ppm)) {
        sim_options opt = { .seed = seed, .seed_set = true };
        sim_divergence d;
        if (registry_verify_twice(s, &opt, &d, err, err_len) != 0) return SIM_EXIT_INPUT;
        if (d.diverged) {
            char line[512];
            sim_divergence_line(&d, s, line, sizeof line);
            fprintf(stderr, "ccsim: internal error: two runs of one seed differ\n  %s\n"
                    "  reproduce: ccsim run %s --seed %" PRIu64 " --twice\n", line, s->path, seed);
            abort();
        }
    }
    return sweep_run_seed(s, seed, o, err, err_len, NULL);
}

static bool check_fails(const sweep_check *c, check_verdict v, bool ignore_expect) {
    SIM_ASSERT(c != NULL);
    SIM_ASSERT(v <= CHECK_UNKNOWN);
    if (!c->judged) return false;
    if (c->expect < 0 || ignore_expect) return v == CHECK_VIOLATION;
    return !cli_verdict_matches((scn_verdict)c->expect, v);
}

/* ---- ranges --------------------------------------------------------- */

uint64_t sweep_range_count(const sweep_range *r) {
    SIM_ASSERT(r != NULL);
    SIM_ASSERT(r->shards >= 1);
    SIM_ASSERT(r->shard < r->shards);
    SIM_ASSERT(r->from <= r->to);
    uint64_t span = r->to - r->from;            /* < UINT64_MAX: sweep_parse_seeds */
    if (r->shard > span) return 0;
    return (span - r->shard) / r->shards + 1;
}

static uint64_t seed_at(const sweep_range *r, uint64_t i) {
    return r->from + r->shard + i * r->shards;
}

static int parse_u64(const char *p, const char **end, uint64_t *out) {
    if (*p < '0' || *p > '9') return -1;
    uint64_t v = 0;
    for (; *p >= '0' && *p <= '9'; p++) {
        uint64_t d = (uint64_t)(*p - '0');
        if (v > (UINT64_MAX - d) / 10) return -2;
        v = v * 10 + d;
    }
    *end = p;
    *out = v;
    return 0;
}

int sweep_parse_seeds(const char *text, sweep_range *r, char *why, size_t why_len) {
    SIM_ASSERT(r != NULL);
    SIM_ASSERT(why != NULL);
    const char *p = text ? text : "", *end = p;
    uint64_t a = 0, b = 0;
    int rc = parse_u64(p, &end, &a);
    if (rc == 0 && strncmp(end, "..", 2) == 0) rc = parse_u64(end + 2, &end, &b);
    else if (rc == 0) rc = -1;
    if (rc == 0 && *end != '\0') rc = -1;
    if (rc == -2) { snprintf(why, why_len, "'%s': a seed is at most %" PRIu64, p, UINT64_MAX); return -1; }
    if (rc != 0) { snprintf(why, why_len, "needs FIRST..LAST, both run, such as 1..1000 (got '%s')", p); return -1; }
    if (b < a) { snprintf(why, why_len, "'%s': the last seed is below the first", p); return -1; }
    if (b - a == UINT64_MAX) { snprintf(why, why_len, "'%s': at most 2^64-1 seeds", p); return -1; }
    r->from = a;
    r->to = b;
    return 0;
}

int sweep_parse_shard(const char *text, sweep_range *r, char *why, size_t why_len) {
    SIM_ASSERT(r != NULL);
    SIM_ASSERT(why != NULL);
    const char *p = text ? text : "", *end = p;
    uint64_t k = 0, n = 0;
    int rc = parse_u64(p, &end, &k);
    if (rc == 0 && *end == '/') rc = parse_u64(end + 1, &end, &n);
    else if (rc == 0) rc = -1;
    if (rc == 0 && *end != '\0') rc = -1;
    if (rc != 0) { snprintf(why, why_len, "needs K/N, shard K (from 0) of N, such as 0/4 (got '%s')", p); return -1; }
    if (n == 0 || n > UINT32_MAX) { snprintf(why, why_len, "'%s': N is 1 to %" PRIu32, p, UINT32_MAX); return -1; }
    if (k >= n) {
        snprintf(why, why_len, "'%s': K counts from 0, so it is 0 to %" PRIu64 " for N = %" PRIu64, p, n - 1, n);
        return -1;
    }
    r->shard = (uint32_t)k;
    r->shards = (uint32_t)n;
    return 0;
}

/* ---- tallies -------------------------------------------------------- */

/* Appends text to buf; quoted = as the inside of a '...' shell word. */
static void append(char **buf, size_t *len, size_t *cap, const char *text, bool quoted) {
    for (const char *p = text; *p; p++) {
        const char *piece = quoted && *p == '\'' ? "'\\''" : NULL;
        size_t k = piece ? 4 : 1;
        if (*len + k + 1 > *cap) { *cap = (*cap + k + 1) * 2; *buf = sim_xrealloc(*buf, *cap); }
        memcpy(*buf + *len, piece ? piece : p, k);
        *len += k;
    }
    (*buf)[*len] = '\0';
}

/* " --set 'K=V'" for each override: the tail of a reproduce line. */
static char *sets_tail(const scn *s) {
    size_t cap = 64, len = 0;
    char *buf = sim_xcalloc(1, cap);
    for (uint32_t k = 0; k < s->set_count; k++) {
        append(&buf, &len, &cap, " --set '", false);
        append(&buf, &len, &cap, s->sets[k], true);
        append(&buf, &len, &cap, "'", false);
    }
    return buf;
}

static int judged_names(sweep_tally *t, const sweep_plan *p, const scn *s, char *err, size_t len) {
    for (uint32_t i = 0; i < t->check_count; i++) t->checks[i].judged = p->only_count == 0;
    for (uint32_t k = 0; k < p->only_count; k++) {
        bool found = false;
        for (uint32_t i = 0; i < t->check_count; i++) {
            if (strcmp(t->checks[i].name, p->only[k]) != 0) continue;
            t->checks[i].judged = found = true;
        }
        if (found) continue;
        snprintf(err, len, "ccsim sweep: --check %s: %s is not judged by '%s' (its checks:", p->only[k],
                 s->path, s->name);
        for (uint32_t i = 0; i < t->check_count; i++) {
            size_t used = strlen(err);
            snprintf(err + used, len - used, " %s", t->checks[i].name);
        }
        size_t used = strlen(err);
        snprintf(err + used, len - used, ")");
        return SIM_EXIT_INPUT;
    }
    return 0;
}

int sweep_tally_init(sweep_tally *t, const scn *s, const sweep_plan *p, char *err, size_t err_len) {
    SIM_ASSERT(t != NULL);
    SIM_ASSERT(s != NULL);
    SIM_ASSERT(p != NULL);
    SIM_ASSERT(err != NULL);
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "%s", s->name);
    snprintf(t->path, sizeof t->path, "%s", s->path);
    t->sets = sets_tail(s);
    sim_options opt = { .seed = p->range.from, .seed_set = true };
    sim *run = NULL;
    if (registry_sim_create(s, &opt, &run, err, err_len) != 0) return SIM_EXIT_INPUT;
    const char *names[SCN_CHECKS_MAX];
    t->check_count = sim_check_names(run, names, SCN_CHECKS_MAX);
    sim_destroy(run);
    for (uint32_t i = 0; i < t->check_count; i++) {
        snprintf(t->checks[i].name, sizeof t->checks[i].name, "%s", names[i]);
        const scn_expect *e = cli_expect_for(s, names[i]);
        t->checks[i].expect = e ? (int)e->verdict : -1;
    }
    return judged_names(t, p, s, err, err_len);
}

void sweep_seed_free(sweep_seed *s) {
    SIM_ASSERT(s != NULL);
    SIM_ASSERT(s->fail_count <= SCN_CHECKS_MAX);
    for (uint32_t i = 0; i < s->fail_count; i++) free(s->fails[i].summary);
    free(s->message);
    s->fail_count = 0;
    s->message = NULL;
}

static void list_free(sweep_list *l) {
    for (size_t i = 0; i < l->count; i++) sweep_seed_free(&l->items[i]);
    free(l->items);
    memset(l, 0, sizeof *l);
}

void sweep_tally_free(sweep_tally *t) {
    SIM_ASSERT(t != NULL);
    list_free(&t->listed);
    list_free(&t->trouble);
    free(t->sets);
    t->sets = NULL;
}

void sweep_list_add(sweep_list *l, sweep_seed *seed, uint32_t max) {
    SIM_ASSERT(l != NULL);
    SIM_ASSERT(seed != NULL);
    SIM_ASSERT(max == 0 || l->count <= max);
    size_t at = l->count;                     /* records come mostly in order: search from the end */
    while (at > 0 && l->items[at - 1].seed > seed->seed) at--;
    if (max != 0 && at >= max) { sweep_seed_free(seed); return; }
    if (max != 0 && l->count == max) { sweep_seed_free(&l->items[--l->count]); }
    if (l->count == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->items = sim_xrealloc(l->items, l->cap * sizeof *l->items);
    }
    memmove(&l->items[at + 1], &l->items[at], (l->count - at) * sizeof *l->items);
    l->items[at] = *seed;
    l->count++;
}

int sweep_exit_code(const sweep_tally *t, size_t n) {
    SIM_ASSERT(t != NULL || n == 0);
    bool crashed = false, errors = false, failing = false, unknown = false;
    for (size_t i = 0; i < n; i++) {
        crashed |= t[i].crashed > 0;
        errors |= t[i].errors > 0;
        failing |= t[i].failing > 0;
        unknown |= t[i].unknown > 0;
    }
    if (crashed) return SWEEP_EXIT_INTERNAL;
    if (errors) return SIM_EXIT_INPUT;
    if (failing) return SIM_EXIT_VIOLATION;
    return unknown ? SIM_EXIT_UNKNOWN : SIM_EXIT_OK;
}

/* ---- the worker ------------------------------------------------------ */

static void put_record(FILE *f, uint64_t seed, uint8_t status, const uint8_t *verdict, uint8_t count,
                       const char *text, uint32_t text_len) {
    SIM_ASSERT(count <= SCN_CHECKS_MAX);
    SIM_ASSERT(status <= SWEEP_CRASHED);
    uint8_t head[WIRE_HEAD] = { 0 };
    memcpy(head, &seed, 8);
    head[8] = status;
    head[9] = count;
    memcpy(head + 10, verdict, count);
    memcpy(head + 10 + SCN_CHECKS_MAX, &text_len, 4);
    fwrite(head, 1, sizeof head, f);
    if (text_len) fwrite(text, 1, text_len, f);
}

/* The record of a seed that ran: verdicts, and the failing checks' summaries. */
static void send_outcome(FILE *f, uint64_t seed, const cli_outcome *o, const sweep_tally *t,
                         bool ignore_expect) {
    SIM_ASSERT(o->result_count == t->check_count);
    uint8_t verdict[SCN_CHECKS_MAX] = { 0 };
    char text[SCN_CHECKS_MAX * CHECK_SUMMARY_MAX];
    uint32_t len = 0;
    for (size_t i = 0; i < o->result_count; i++) {
        verdict[i] = (uint8_t)o->results[i].verdict;
        if (!check_fails(&t->checks[i], o->results[i].verdict, ignore_expect)) continue;
        size_t n = strnlen(o->results[i].summary, CHECK_SUMMARY_MAX - 1);
        memcpy(text + len, o->results[i].summary, n);
        text[len + n] = '\0';
        len += (uint32_t)n + 1;
    }
    put_record(f, seed, SWEEP_FAILING, verdict, (uint8_t)o->result_count, text, len);
}

/* Runs seeds first, first+stride, ... of the shard; never returns. */
static void worker_main(const scn *s, const sweep_plan *p, const sweep_tally *t, uint64_t first,
                        uint64_t stride, int fd, bool careful) {
    SIM_ASSERT(stride >= 1);
    SIM_ASSERT(fd >= 0);
    FILE *f = fdopen(fd, "w");
    if (!f) _exit(70);
    static char buf[1 << 16];
    setvbuf(f, buf, _IOFBF, sizeof buf);
    sweep_runner run = p->runner ? p->runner : p->verify_ppm ? run_seed_verified : sweep_run_seed;
    void *ctx = p->runner ? p->runner_ctx : p->verify_ppm ? (void *)p : NULL;
    uint64_t total = sweep_range_count(&p->range);
    for (uint64_t i = first; i < total; i += stride) {
        uint64_t seed = seed_at(&p->range, i);
        cli_outcome o = { .result_count = 0 };     /* a runner may fail before it fills o */
        char err[SIM_ERR_MAX] = "";
        if (run(s, seed, &o, err, sizeof err, ctx) != 0) {
            uint8_t none[SCN_CHECKS_MAX] = { 0 };
            put_record(f, seed, SWEEP_ERROR, none, 0, err, (uint32_t)strlen(err));
        } else {
            send_outcome(f, seed, &o, t, p->ignore_expect);
        }
        cli_outcome_free(&o);
        if (careful) fflush(f);
    }
    _exit(fclose(f) == 0 ? 0 : 71);
}

/* ---- the parent -------------------------------------------------------- */

typedef struct worker {
    pid_t pid;
    int fd;                      /* -1 when done */
    uint64_t next;               /* index of the next seed it reports */
    bool careful;                /* flushes after every seed */
    char *buf;
    size_t len, cap;
} worker;

typedef struct fleet {
    const scn *s;
    const sweep_plan *p;
    sweep_tally *t;
    scn_fault *drawn;            /* scratch for nemesis_draw; NULL without a nemesis */
    worker *w;
    uint32_t count;
    uint64_t total, done;
} fleet;

static int spawn(fleet *fl, uint32_t k, uint64_t first, bool careful, int *fds_open) {
    SIM_ASSERT(k < fl->count);
    SIM_ASSERT(first < fl->total);
    int pfd[2];
    if (pipe(pfd) != 0) { fprintf(stderr, "ccsim sweep: pipe: %s\n", strerror(errno)); return -1; }
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "ccsim sweep: fork: %s\n", strerror(errno));
        close(pfd[0]);
        close(pfd[1]);
        return -1;
    }
    if (pid == 0) {
        close(pfd[0]);
        for (uint32_t j = 0; j < fl->count; j++) if (fds_open[j] >= 0) close(fds_open[j]);
        worker_main(fl->s, fl->p, fl->t, first, fl->count, pfd[1], careful);
    }
    close(pfd[1]);
    worker *w = &fl->w[k];
    w->pid = pid;
    w->fd = pfd[0];
    w->next = first;
    w->careful = careful;
    w->len = 0;
    fds_open[k] = w->fd;
    return 0;
}

/* The seed's drawn faults, by kind: drawn again here in the parent (the
 * draw depends only on the scenario and the seed, and costs microseconds),
 * so the wire carries verdicts only. */
static void count_drawn(fleet *fl, uint64_t seed) {
    sweep_tally *t = fl->t;
    if (!fl->drawn) return;
    uint32_t n = nemesis_draw(fl->s, seed, fl->drawn, SCN_FAULTS_MAX);
    for (uint32_t i = 0; i < n; i++)
        if (fl->drawn[i].drawn) t->faults_drawn[fl->drawn[i].kind]++;
}

static void take_record(fleet *fl, worker *w, const uint8_t *head, const char *text, uint32_t len) {
    SIM_ASSERT(w->next < fl->total);
    sweep_tally *t = fl->t;
    sweep_seed rec = { 0 };
    memcpy(&rec.seed, head, 8);
    SIM_ASSERT(rec.seed == seed_at(&fl->p->range, w->next));
    w->next += fl->count;
    fl->done++;
    count_drawn(fl, rec.seed);
    if (head[8] == SWEEP_ERROR) {
        rec.status = SWEEP_ERROR;
        rec.message = sim_xcalloc(1, len + 1);
        memcpy(rec.message, text, len);
        t->errors++;
        sweep_list_add(&t->trouble, &rec, fl->p->show);
        return;
    }
    SIM_ASSERT(head[9] == t->check_count);
    t->seeds_run++;
    t->verified += sweep_verifies(rec.seed, fl->p->verify_ppm);
    bool unknown = false;
    size_t at = 0;
    for (uint32_t i = 0; i < t->check_count; i++) {
        check_verdict v = (check_verdict)head[10 + i];
        SIM_ASSERT(v <= CHECK_UNKNOWN);
        t->checks[i].verdicts[v]++;
        if (!check_fails(&t->checks[i], v, fl->p->ignore_expect)) {
            unknown |= v == CHECK_UNKNOWN && t->checks[i].judged;
            continue;
        }
        t->checks[i].failing++;
        SIM_ASSERT(at < len);
        sweep_fail *sf = &rec.fails[rec.fail_count++];
        sf->check = (uint8_t)i;
        sf->verdict = (uint8_t)v;
        sf->summary = sim_xstrdup(text + at);
        at += strlen(text + at) + 1;
    }
    if (rec.fail_count == 0) { t->unknown += unknown; return; }
    t->failing++;
    sweep_list_add(&t->listed, &rec, fl->p->show);
}

/* Parses the whole records in w's buffer. */
static void drain(fleet *fl, worker *w) {
    SIM_ASSERT(w->len <= w->cap);
    size_t at = 0;
    while (w->len - at >= WIRE_HEAD) {
        const uint8_t *head = (const uint8_t *)w->buf + at;
        uint32_t len;
        memcpy(&len, head + 10 + SCN_CHECKS_MAX, 4);
        if (w->len - at - WIRE_HEAD < len) break;
        take_record(fl, w, head, w->buf + at + WIRE_HEAD, len);
        at += WIRE_HEAD + len;
    }
    memmove(w->buf, w->buf + at, w->len - at);
    w->len -= at;
}

static void note_crash(fleet *fl, worker *w, int status) {
    SIM_ASSERT(w->careful);                  /* only a careful worker's death names a seed */
    SIM_ASSERT(w->next < fl->total);
    sweep_seed rec = { .seed = seed_at(&fl->p->range, w->next), .status = SWEEP_CRASHED };
    char how[128];
    if (WIFSIGNALED(status))
        snprintf(how, sizeof how, "the worker died of signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
    else
        snprintf(how, sizeof how, "the worker exited with status %d", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    rec.message = sim_xstrdup(how);
    fl->t->crashed++;
    fl->done++;
    sweep_list_add(&fl->t->trouble, &rec, fl->p->show);
    w->next += fl->count;
}

/* w's pipe is at its end: reap it, and start a careful one when it died
 * before its last seed (module comment). */
static int finish(fleet *fl, uint32_t k, int *fds_open) {
    worker *w = &fl->w[k];
    SIM_ASSERT(w->fd >= 0);
    close(w->fd);
    w->fd = fds_open[k] = -1;
    int status = 0;
    while (waitpid(w->pid, &status, 0) < 0 && errno == EINTR) {}
    bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (w->next >= fl->total && clean) return 0;
    if (w->careful) note_crash(fl, w, status);
    if (w->next >= fl->total) return 0;
    return spawn(fl, k, w->next, true, fds_open);
}

static double wall_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void progress(const fleet *fl, double *last, bool end) {
    if (!fl->p->progress) return;
    double now = wall_now();
    if (!end && now - *last < 0.2) return;
    *last = now;
    if (end) { fputs("\r\033[K", stderr); return; }
    fprintf(stderr, "\r\033[K%s: %" PRIu64 "/%" PRIu64 " seeds, %" PRIu64 " failing", fl->t->name,
            fl->done, fl->total, fl->t->failing + fl->t->errors + fl->t->crashed);
}

static int read_some(fleet *fl, uint32_t k, int *fds_open) {
    worker *w = &fl->w[k];
    if (w->cap - w->len < 65536) {
        w->cap = w->cap * 2 + 65536;
        w->buf = sim_xrealloc(w->buf, w->cap);
    }
    ssize_t got = read(w->fd, w->buf + w->len, w->cap - w->len);
    if (got < 0 && errno == EINTR) return 0;
    if (got <= 0) return finish(fl, k, fds_open);
    w->len += (size_t)got;
    drain(fl, w);
    return 0;
}

static int run_fleet(fleet *fl, int *fds_open) {
    struct pollfd pfd[WORKERS_MAX];
    double last = 0;
    for (;;) {
        nfds_t n = 0;
        uint32_t who[WORKERS_MAX];
        for (uint32_t k = 0; k < fl->count; k++) {
            if (fl->w[k].fd < 0) continue;
            pfd[n] = (struct pollfd){ .fd = fl->w[k].fd, .events = POLLIN };
            who[n++] = k;
        }
        if (n == 0) break;
        if (poll(pfd, n, -1) < 0) {
            if (errno == EINTR) continue;
            fprintf(stderr, "ccsim sweep: poll: %s\n", strerror(errno));
            return -1;
        }
        for (nfds_t i = 0; i < n; i++)
            if (pfd[i].revents && read_some(fl, who[i], fds_open) != 0) return -1;
        progress(fl, &last, false);
    }
    progress(fl, &last, true);
    return 0;
}

int sweep_scenario(const scn *s, const sweep_plan *p, sweep_tally *t) {
    SIM_ASSERT(s != NULL);
    SIM_ASSERT(p != NULL);
    SIM_ASSERT(t != NULL);
    SIM_ASSERT(p->jobs >= 1);
    fleet fl = { .s = s, .p = p, .t = t, .total = sweep_range_count(&p->range) };
    fl.count = p->jobs < WORKERS_MAX ? p->jobs : WORKERS_MAX;
    if (fl.total < fl.count) fl.count = (uint32_t)fl.total;
    if (fl.count == 0) return 0;
    fl.w = sim_xcalloc(fl.count, sizeof *fl.w);
    t->nemesis = s->nemesis.on;
    if (s->nemesis.on) fl.drawn = sim_xmalloc(sizeof(scn_fault) * SCN_FAULTS_MAX);
    int *fds_open = sim_xcalloc(fl.count, sizeof *fds_open);
    for (uint32_t k = 0; k < fl.count; k++) fds_open[k] = fl.w[k].fd = -1;
    int rc = 0;
    for (uint32_t k = 0; k < fl.count && rc == 0; k++) rc = spawn(&fl, k, k, false, fds_open);
    if (rc == 0) rc = run_fleet(&fl, fds_open);
    for (uint32_t k = 0; k < fl.count; k++) {
        if (fl.w[k].fd >= 0) {                       /* only after an error: stop the rest */
            kill(fl.w[k].pid, SIGKILL);
            close(fl.w[k].fd);
            waitpid(fl.w[k].pid, NULL, 0);
        }
        free(fl.w[k].buf);
    }
    SIM_ASSERT(rc != 0 || fl.done == fl.total);
    free(fl.drawn);
    free(fl.w);
    free(fds_open);
    return rc;
}
