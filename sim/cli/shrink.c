/* shrink.c -- `ccsim shrink FILE --seed S [--check NAME]`: the smallest
 * scenario that still fails.
 *
 * The failing run's faults (scripted and drawn by the nemesis) become a
 * scripted list; then, each step kept only if the check still fails with
 * the same seed:
 *   1. delta debugging over the faults (Zeller's ddmin: drop halves, then
 *      quarters... of the list), ending 1-minimal: no single fault can go;
 *   2. each fault made shorter (`for`, a delay's `by`, a jump's size) and
 *      moved to a rounder time;
 *   3. the horizon, the workload's `iterations` and `clients` trimmed.
 * A candidate is the file re-read with overrides (so every value passes the
 * loader's checks) plus the candidate fault list, run in-process.  The
 * result is written as FILE.min.yaml (scripted faults, no nemesis, `expect`
 * naming the check) and run once more from disk before it is announced.
 *
 * Invariant: `best` always fails the check; every step starts from it and
 * replaces it only with a candidate that was run and failed.  Deterministic:
 * the order of tries depends only on the scenario, the seed and the check.
 */
#include "sim/cli/cli.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/nemesis.h"
#include "sim/registry/registry.h"
#include "sim/report/report.h"
#include "sim/scenario/param.h"

#define SHRINK_SETS_MAX (SCN_SETS_MAX + 8)

typedef struct cand {
    scn_fault faults[SCN_FAULTS_MAX];
    uint32_t fault_count;
    sim_time duration_ns;
    uint64_t iterations;                 /* 0 = as the file says */
    uint64_t clients;                    /* bit i = the file's client i; 0 = as the file */
} cand;

typedef struct shrink {
    const char *file, *check, *out;
    const char *sets[SCN_SETS_MAX];
    uint32_t set_count;
    uint64_t seed;
    char name[SIM_NAME_MAX * 2];
    char clients[SCN_LIST_MAX][SIM_NAME_MAX];   /* the workload's `clients`, if a list */
    uint32_t client_count;
    uint64_t file_iterations;            /* the workload's `iterations`, 0 = none */
    uint32_t runs;
    bool crash;                          /* the seed crashes ccsim: keep that, not a check */
    cand best;
} shrink;

static int usage(FILE *f, int code) {
    fputs("usage: ccsim shrink FILE.yaml --seed S [--check NAME] [--set KEY=VALUE]...\n"
          "                    [--out FILE.min.yaml]\n"
          "\n"
          "Turns a failing run into the smallest scenario that still fails the same\n"
          "check with the same seed: every fault the run had (scripted, and drawn by\n"
          "its nemesis) becomes a scripted fault; then faults are dropped (delta\n"
          "debugging), shortened and moved to round times, and the horizon, the\n"
          "workload's iterations and its clients are trimmed.  Writes FILE.min.yaml\n"
          "(scripted faults only, no nemesis, `expect:` naming the check), which\n"
          "fails when run with `ccsim run`, and prints what it removed.\n"
          "\n"
          "  --seed S        the failing seed (from `ccsim sweep` or `ccsim run`)\n"
          "  --check NAME    the check that must keep failing (default: the first\n"
          "                  check with a violation)\n"
          "  --set KEY=VALUE an override, as for `ccsim run` (kept in the result)\n"
          "  --out PATH      where to write (default: FILE with .min.yaml)\n"
          "\n"
          "Exit: 0 written, 2 bad input or the seed does not fail.\n"
          "Example:\n"
          "  ccsim sweep scenarios/locks/L2-lease-gc-pause.yaml --seeds 1..1000\n"
          "  ccsim shrink scenarios/locks/L2-lease-gc-pause.yaml --seed 17\n", f);
    return code;
}

static int parse_args(int argc, char **argv, shrink *sh, bool *seed_set) {
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool more = i + 1 < argc;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) return usage(stdout, 1);
        if (strcmp(a, "--seed") == 0 && more) {
            char why[128];
            if (cli_parse_seed(argv[++i], &sh->seed, why, sizeof why) != 0) {
                fprintf(stderr, "ccsim shrink: --seed '%s' %s\n", argv[i], why);
                return -1;
            }
            *seed_set = true;
        } else if (strcmp(a, "--check") == 0 && more) {
            sh->check = argv[++i];
        } else if (strcmp(a, "--out") == 0 && more) {
            sh->out = argv[++i];
        } else if (strcmp(a, "--set") == 0 && more) {
            if (sh->set_count == SCN_SETS_MAX) {
                fprintf(stderr, "ccsim shrink: more than %d --set overrides\n", SCN_SETS_MAX);
                return -1;
            }
            sh->sets[sh->set_count++] = argv[++i];
        } else if (a[0] != '-' && !sh->file) {
            sh->file = a;
        } else {
            fprintf(stderr, "ccsim shrink: unexpected argument '%s'%s\n", a,
                    a[0] == '-' && !more ? " (it needs a value)" : "");
            return usage(stderr, -1);
        }
    }
    if (sh->file && *seed_set) return 0;
    fprintf(stderr, "ccsim shrink: %s\n", sh->file ? "--seed S is required (the failing seed)"
                                                    : "no scenario file given");
    return usage(stderr, -1);
}

/* ------------------------------------------------------------ one try */

/* The overrides that turn the file into candidate c. */
static uint32_t cand_sets(const shrink *sh, const cand *c, char buf[][SCN_SET_MAX],
                          const char **sets) {
    uint32_t n = 0;
    for (uint32_t k = 0; k < sh->set_count; k++) sets[n++] = sh->sets[k];
    char d[40];
    scn_fmt_duration(d, sizeof d, c->duration_ns);
    snprintf(buf[0], SCN_SET_MAX, "duration=%s", d);
    snprintf(buf[1], SCN_SET_MAX, "nemesis=");
    sets[n++] = buf[0];
    sets[n++] = buf[1];
    if (c->iterations) {
        snprintf(buf[2], SCN_SET_MAX, "workload.iterations=%" PRIu64, c->iterations);
        sets[n++] = buf[2];
    }
    if (c->clients) {
        size_t used = (size_t)snprintf(buf[3], SCN_SET_MAX, "workload.clients=[");
        for (uint32_t i = 0; i < sh->client_count; i++) {
            if (!(c->clients >> i & 1u)) continue;
            used += (size_t)snprintf(buf[3] + used, SCN_SET_MAX - used, "%s%s",
                                     buf[3][used - 1] == '[' ? "" : ", ", sh->clients[i]);
            if (used >= SCN_SET_MAX) used = SCN_SET_MAX - 1;
        }
        snprintf(buf[3] + used, SCN_SET_MAX - used, "]");
        sets[n++] = buf[3];
    }
    SIM_ASSERT(n <= SHRINK_SETS_MAX);
    return n;
}

/* Loads candidate c (the file, its overrides, c's faults) into s. */
static int cand_load(const shrink *sh, const cand *c, scn *s, char *err, size_t len) {
    char buf[4][SCN_SET_MAX];
    const char *sets[SHRINK_SETS_MAX];
    uint32_t n = cand_sets(sh, c, buf, sets);
    if (scn_load_with_overrides(sh->file, sets, n, s, err, len) != 0) return -1;
    SIM_ASSERT(!s->nemesis.on);                  /* nemesis= removed it */
    s->fault_count = 0;
    for (uint32_t i = 0; i < c->fault_count; i++) {
        if (c->faults[i].at_ns > s->duration_ns) continue;   /* past a shorter horizon */
        s->faults[s->fault_count] = c->faults[i];
        s->faults[s->fault_count++].drawn = false;
    }
    return 0;
}

/* The check's verdict for scenario s with the seed; -1 when it cannot run. */
static int verdict_of(const shrink *sh, const scn *s) {
    sim_options opt = { .seed = sh->seed, .seed_set = true };
    sim *run = NULL;
    char err[SIM_ERR_MAX];
    if (registry_sim_create(s, &opt, &run, err, sizeof err) != 0) return -1;
    cli_outcome o;
    int rc = cli_judge(run, &o), verdict = -1;
    if (rc == 0 && !sh->check) verdict = CHECK_OK;     /* no check named yet: it ran */
    for (size_t i = 0; rc == 0 && sh->check && i < o.result_count; i++)
        if (strcmp(o.results[i].name, sh->check) == 0) verdict = (int)o.results[i].verdict;
    cli_outcome_free(&o);
    sim_destroy(run);
    return verdict;
}

/* What a run of s with the seed does, run in a child process so that a
 * candidate that crashes ccsim (an assertion, a sanitizer report) cannot
 * take shrink down: the check's verdict, OUT_NORUN, or OUT_CRASH.  quiet
 * sends the child's stderr to /dev/null (dozens of candidates may crash). */
enum { OUT_NORUN = 3, OUT_CRASH = 4 };

static int outcome_of(shrink *sh, const scn *s, bool quiet) {
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) return OUT_NORUN;
    if (pid == 0) {
        if (quiet && !freopen("/dev/null", "w", stderr)) _exit(OUT_NORUN);
        int v = verdict_of(sh, s);
        _exit(v < 0 ? OUT_NORUN : v);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return OUT_NORUN;
    sh->runs++;
    if (WIFSIGNALED(status)) return OUT_CRASH;
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : OUT_NORUN;
    return code <= OUT_CRASH ? code : OUT_CRASH;   /* a sanitizer's own exit code */
}

static bool fails(shrink *sh, const cand *c) {
    scn *s = sim_xcalloc(1, sizeof *s);
    char err[SIM_ERR_MAX];
    bool failed = false;
    if (cand_load(sh, c, s, err, sizeof err) == 0) {
        int out = outcome_of(sh, s, true);
        failed = sh->crash ? out == OUT_CRASH : out == CHECK_VIOLATION;
        scn_free(s);
    }
    free(s);
    return failed;
}

/* Tries c; keeps it as the best when it still fails. */
static bool try_cand(shrink *sh, const cand *c) {
    if (!fails(sh, c)) return false;
    sh->best = *c;
    return true;
}

/* --------------------------------------------------- 1. fewer faults */

/* best without faults [lo, hi). */
static bool try_without(shrink *sh, uint32_t lo, uint32_t hi) {
    SIM_ASSERT(lo < hi);
    SIM_ASSERT(hi <= sh->best.fault_count);
    cand *c = sim_xmalloc(sizeof *c);
    *c = sh->best;
    memmove(&c->faults[lo], &c->faults[hi], sizeof(scn_fault) * (c->fault_count - hi));
    c->fault_count -= hi - lo;
    bool kept = try_cand(sh, c);
    free(c);
    return kept;
}

/* ddmin on complements: remove one of n chunks while that still fails. */
static void drop_faults(shrink *sh) {
    if (sh->best.fault_count > 0 && try_without(sh, 0, sh->best.fault_count)) return;
    uint32_t n = 2;
    while (sh->best.fault_count >= 2) {
        uint32_t len = sh->best.fault_count, chunk = (len + n - 1) / n;
        bool removed = false;
        for (uint32_t lo = 0; lo < len && !removed; lo += chunk)
            removed = try_without(sh, lo, lo + chunk < len ? lo + chunk : len);
        if (removed) { n = n > 2 ? n - 1 : 2; continue; }
        if (n >= len) break;                     /* 1-minimal */
        n = 2 * n < len ? 2 * n : len;
    }
}

/* ------------------------------------------------ 2. simpler faults */

/* The smallest value in [lo, *v] (to the grain) with which the fault
 * still fails, by bisection; *v is the field inside best. */
static void shrink_field(shrink *sh, uint32_t i, size_t field, sim_time lo, sim_time grain) {
    cand *c = sim_xmalloc(sizeof *c);
    for (;;) {
        sim_time cur = *(sim_time *)((char *)&sh->best.faults[i] + field);
        if (cur - lo < grain) break;
        sim_time mid = lo + (cur - lo) / 2 / grain * grain;
        *c = sh->best;
        *(sim_time *)((char *)&c->faults[i] + field) = mid;
        if (!try_cand(sh, c)) lo = mid + grain;
    }
    free(c);
}

/* A rounder `at` (to 1 s, 100 ms, 10 ms, 1 ms), keeping the list sorted. */
static void round_at(shrink *sh, uint32_t i) {
    static const sim_time steps[] = { SIM_S, 100 * SIM_MS, 10 * SIM_MS, SIM_MS };
    cand *c = sim_xmalloc(sizeof *c);
    for (size_t k = 0; k < sizeof steps / sizeof steps[0]; k++) {
        sim_time at = sh->best.faults[i].at_ns / steps[k] * steps[k];
        if (at == sh->best.faults[i].at_ns) break;
        bool before_ok = i == 0 || sh->best.faults[i - 1].at_ns <= at;
        if (!before_ok) continue;
        *c = sh->best;
        c->faults[i].at_ns = at;
        if (try_cand(sh, c)) break;
    }
    free(c);
}

/* A power loss that a process crash can stand for is one: the milder
 * fault, and it says that losing unsynced data was not needed. */
static void soften_power_loss(shrink *sh, uint32_t i) {
    if (sh->best.faults[i].kind != SCN_FAULT_POWER_LOSS) return;
    cand *c = sim_xmalloc(sizeof *c);
    *c = sh->best;
    c->faults[i].kind = SCN_FAULT_CRASH;
    (void)try_cand(sh, c);
    free(c);
}

static void simplify_faults(shrink *sh) {
    for (uint32_t i = 0; i < sh->best.fault_count; i++) {
        soften_power_loss(sh, i);
        const scn_fault *f = &sh->best.faults[i];
        bool lasts = f->for_ns > 0;
        if (lasts) shrink_field(sh, i, offsetof(scn_fault, for_ns), SIM_MS, SIM_MS);
        if (f->kind == SCN_FAULT_LINK_DELAY)
            shrink_field(sh, i, offsetof(scn_fault, by_ns), 0, SIM_MS);
        if (f->kind == SCN_FAULT_CLOCK_JUMP && f->jump_ns > 0)
            shrink_field(sh, i, offsetof(scn_fault, jump_ns), SIM_MS, SIM_MS);
        round_at(sh, i);
    }
}

/* --------------------------------------- 3. horizon and workload */

static void trim_horizon(shrink *sh) {
    sim_time lo = SIM_MS;
    for (uint32_t i = 0; i < sh->best.fault_count; i++)
        if (sh->best.faults[i].at_ns > lo) lo = sh->best.faults[i].at_ns;
    cand *c = sim_xmalloc(sizeof *c);
    lo = (lo + SIM_MS - 1) / SIM_MS * SIM_MS;
    while (sh->best.duration_ns - lo >= SIM_MS) {
        sim_time mid = lo + (sh->best.duration_ns - lo) / 2 / SIM_MS * SIM_MS;
        *c = sh->best;
        c->duration_ns = mid;
        if (!try_cand(sh, c)) lo = mid + SIM_MS;
    }
    free(c);
}

static void trim_workload(shrink *sh) {
    cand *c = sim_xmalloc(sizeof *c);
    uint64_t lo = 1;
    while (sh->file_iterations > 0) {
        uint64_t cur = sh->best.iterations ? sh->best.iterations : sh->file_iterations;
        if (cur <= lo) break;
        *c = sh->best;
        c->iterations = lo + (cur - lo) / 2;
        if (!try_cand(sh, c)) lo = c->iterations + 1;
    }
    uint64_t all = sh->client_count == 64 ? UINT64_MAX : ((uint64_t)1 << sh->client_count) - 1;
    for (uint32_t i = 0; sh->client_count > 1 && i < sh->client_count; i++) {
        uint64_t now = sh->best.clients ? sh->best.clients : all;
        if ((now & (now - 1)) == 0) break;       /* one client left */
        *c = sh->best;
        c->clients = now & ~((uint64_t)1 << i);
        try_cand(sh, c);
    }
    free(c);
}

/* ------------------------------------------------------------ output */

static void default_out(const char *file, char *buf, size_t len) {
    size_t n = strlen(file);
    if (n > 5 && strcmp(file + n - 5, ".yaml") == 0) n -= 5;
    snprintf(buf, len, "%.*s.min.yaml", (int)n, file);
}

static int write_min(const shrink *sh, const char *path, uint32_t faults_before,
                     uint32_t drawn_before, sim_time duration_before) {
    char buf[4][SCN_SET_MAX], seed[64], name[SCN_SET_MAX];
    const char *sets[SHRINK_SETS_MAX + 2];
    uint32_t n = cand_sets(sh, &sh->best, buf, sets);
    snprintf(seed, sizeof seed, "seed=%" PRIu64, sh->seed);
    snprintf(name, sizeof name, "name=%.*s-min", SIM_NAME_MAX * 2 - 5, sh->name);
    sets[n++] = seed;
    sets[n++] = name;
    FILE *f = fopen(path, "w");
    if (!f) { fprintf(stderr, "ccsim shrink: cannot write '%s'\n", path); return -1; }
    char d0[40], d1[40], err[SIM_ERR_MAX];
    scn_fmt_duration(d0, sizeof d0, duration_before);
    scn_fmt_duration(d1, sizeof d1, sh->best.duration_ns);
    const char *what = sh->crash ? "crashes ccsim (an internal error)" : sh->check;
    fprintf(f, "# Shrunk by: ccsim shrink %s --seed %" PRIu64 "%s%s\n"
               "# The smallest scenario found that still %s%s: %u faults (%u drawn by\n"
               "# the nemesis) became %u scripted ones, duration %s became %s.\n"
               "# Reproduce: ccsim run %s\n",
            sh->file, sh->seed, sh->crash ? "" : " --check ", sh->crash ? "" : sh->check,
            sh->crash ? "" : "fails ", what, faults_before, drawn_before,
            sh->best.fault_count, d0, d1, path);
    if (sh->crash)
        fprintf(f, "# Once the bug is fixed, add `expect:` with the verdicts it then gives, and\n"
                   "# keep this file as a regression scenario.\n");
    static const char *const drop[] = { "faults", "nemesis", "expect" };
    int rc = scn_emit_file(sh->file, sets, n, drop, 3, f, err, sizeof err);
    scn *s = sim_xcalloc(1, sizeof *s);
    if (rc == 0 && cand_load(sh, &sh->best, s, err, sizeof err) == 0) {
        fprintf(f, "faults:%s\n", s->fault_count ? "" : " []");
        char text[SCN_FAULT_YAML_MAX];
        for (uint32_t i = 0; i < s->fault_count; i++) {
            scn_fault_yaml(s, &s->faults[i], text, sizeof text);
            fprintf(f, "  - %s\n", text);
        }
        if (!sh->crash) fprintf(f, "expect:\n  %s: violation\n", sh->check);
        scn_free(s);
    }
    free(s);
    if (fclose(f) != 0 || rc != 0) {
        fprintf(stderr, "ccsim shrink: %s\n", rc != 0 ? err : "cannot write the result");
        remove(path);
        return -1;
    }
    return 0;
}

/* The written file, run from disk: it must fail as promised. */
static int verify_min(shrink *sh, const char *path) {
    scn *s = sim_xcalloc(1, sizeof *s);
    char err[SIM_ERR_MAX];
    int out = -1;
    if (scn_load(path, s, err, sizeof err) == 0) {
        out = outcome_of(sh, s, !sh->crash);      /* a crash shows its assertion */
        scn_free(s);
    } else {
        fprintf(stderr, "%s\n", err);
    }
    free(s);
    if (out == (sh->crash ? OUT_CRASH : CHECK_VIOLATION)) return 0;
    fprintf(stderr, "ccsim: internal error: %s does not %s when run from disk; this is a "
            "bug in ccsim shrink, please report it\n", path,
            sh->crash ? "crash ccsim" : "fail its check");
    return -1;
}

/* ------------------------------------------------------------ start */

/* The failing run: its faults (scripted and drawn), and the check. */
static int start(shrink *sh, const scn *file) {
    sh->best.fault_count = file->fault_count;    /* the run's faults: drawn from the seed */
    if (file->nemesis.on)
        sh->best.fault_count = nemesis_draw(file, sh->seed, sh->best.faults, SCN_FAULTS_MAX);
    else
        memcpy(sh->best.faults, file->faults, sizeof(scn_fault) * file->fault_count);
    sh->best.duration_ns = file->duration_ns;
    if (outcome_of(sh, file, true) == OUT_CRASH) {  /* then that is what to keep */
        if (!sh->check) { sh->crash = true; return 0; }
        fprintf(stderr, "ccsim shrink: seed %" PRIu64 " crashes ccsim, so it cannot judge %s; "
                "leave out --check to shrink the crash\n", sh->seed, sh->check);
        return -1;
    }
    sim_options opt = { .seed = sh->seed, .seed_set = true };
    sim *run = NULL;
    cli_outcome o;
    if (cli_execute(file, &opt, &o, &run) != 0) return -1;
    const char *found = NULL;
    for (size_t i = 0; i < o.result_count && !found; i++) {
        bool named = sh->check && strcmp(o.results[i].name, sh->check) == 0;
        if (named || (!sh->check && o.results[i].verdict == CHECK_VIOLATION))
            found = o.results[i].name;
        if (named && o.results[i].verdict != CHECK_VIOLATION) found = "";
    }
    cli_outcome_free(&o);
    sim_destroy(run);
    if (found && found[0]) { sh->check = found; return 0; }
    if (sh->check && !found)
        fprintf(stderr, "ccsim shrink: the run has no check '%s' (see its checks with ccsim run "
                "%s)\n", sh->check, sh->file);
    else
        fprintf(stderr, "ccsim shrink: seed %" PRIu64 " does not fail %s; nothing to shrink "
                "(find a failing seed with ccsim sweep %s --seeds 1..1000)\n", sh->seed,
                sh->check ? sh->check : "any check", sh->file);
    return -1;
}

static void read_workload(shrink *sh, const scn *s) {
    const scn_param *it = param_find(&s->workload, "iterations");
    if (it && !it->is_list) sh->file_iterations = strtoull(it->value, NULL, 10);
    const scn_param *cl = param_find(&s->workload, "clients");
    if (!cl || !cl->is_list) return;
    for (uint32_t i = 0; i < cl->item_count && i < SCN_LIST_MAX; i++)
        snprintf(sh->clients[sh->client_count++], SIM_NAME_MAX, "%s", cl->items[i]);
}

static int run_shrink(shrink *sh, const scn *file) {
    if (start(sh, file) != 0) return SIM_EXIT_INPUT;
    uint32_t faults_before = sh->best.fault_count, drawn = 0;
    for (uint32_t i = 0; i < sh->best.fault_count; i++) drawn += sh->best.faults[i].drawn;
    sim_time duration_before = sh->best.duration_ns;
    const char *what = sh->crash ? "crashes ccsim" : sh->check;
    if (!fails(sh, &sh->best)) {
        fprintf(stderr, "ccsim: internal error: seed %" PRIu64 " %s%s with its nemesis but "
                "not with the same faults scripted; this is a bug in ccsim, please report "
                "it\n", sh->seed, sh->crash ? "" : "fails ", what);
        return SIM_EXIT_INTERNAL;
    }
    drop_faults(sh);
    simplify_faults(sh);
    if (sh->crash || strncmp(sh->check, "liveness", 8) != 0) trim_horizon(sh);   /* nemesis.md */
    trim_workload(sh);
    char path[1024];
    if (sh->out) snprintf(path, sizeof path, "%s", sh->out);
    else default_out(sh->file, path, sizeof path);
    if (write_min(sh, path, faults_before, drawn, duration_before) != 0) return SIM_EXIT_INPUT;
    if (verify_min(sh, path) != 0) return SIM_EXIT_INTERNAL;
    char d0[40], d1[40];
    scn_fmt_duration(d0, sizeof d0, duration_before);
    scn_fmt_duration(d1, sizeof d1, sh->best.duration_ns);
    printf("shrunk    %s with seed %" PRIu64 ", still %s%s (%u runs)\n", sh->file,
           sh->seed, sh->crash ? "" : "failing ", what, sh->runs);
    printf("faults    %u -> %u (%u of them drawn by the nemesis)\n", faults_before,
           sh->best.fault_count, drawn);
    printf("duration  %s -> %s\n", d0, d1);
    if (sh->best.iterations) printf("iterations %" PRIu64 " -> %" PRIu64 "\n",
                                    sh->file_iterations, sh->best.iterations);
    if (sh->best.clients) printf("clients   %u -> %u\n", sh->client_count,
                                 (unsigned)__builtin_popcountll(sh->best.clients));
    printf("wrote     %s\nrun it    ccsim run %s\n", path, path);
    return SIM_EXIT_OK;
}

int cli_shrink(int argc, char **argv) {
    SIM_ASSERT(argc >= 1);
    SIM_ASSERT(argv != NULL);
    shrink *sh = sim_xcalloc(1, sizeof *sh);
    bool seed_set = false;
    int pr = parse_args(argc, argv, sh, &seed_set);
    if (pr != 0) { free(sh); return pr > 0 ? SIM_EXIT_OK : SIM_EXIT_INPUT; }
    scn *s = sim_xcalloc(1, sizeof *s);
    char err[SIM_ERR_MAX];
    int code = SIM_EXIT_INPUT;
    if (scn_load_with_overrides(sh->file, sh->sets, sh->set_count, s, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
    } else {
        snprintf(sh->name, sizeof sh->name, "%s", s->name);
        read_workload(sh, s);
        code = run_shrink(sh, s);
        scn_free(s);
    }
    free(s);
    free(sh);
    return code;
}
