/* check_cmd.c -- `ccsim check PATH...`: the scenario library as a regression
 * suite.  Every scenario file named, or found under a folder named (sorted
 * by path, so the order is the same everywhere), runs with its own seed and
 * its verdicts are compared with its `expect:` block.
 *
 * Output: one line per scenario, `PASS name (path): CHECK VERDICT, ...`
 * (every check's verdict) or `FAIL name (path): CHECK expected X, got Y`
 * (`FAIL path: why` for a file that did not load), then `N passed, N
 * failed`.  Scripts read the first word and the last line: both stay.  --tap prints TAP instead; --junit
 * FILE also writes JUnit XML.  Exit 0 when all match, 1 otherwise, 2 when a
 * file could not be loaded, 5 when a run passed its event budget (the others
 * still run; 2 wins over 4, 4 over 1).
 */
#include "sim/cli/cli.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The files found, and every real file and folder visited (device and
 * inode): a symlink to one already seen, or to a folder above, is skipped,
 * so each file runs once and a loop ends. */
typedef struct file_id { dev_t dev; ino_t ino; } file_id;

typedef struct path_list {
    char **items;
    size_t count, cap;
    file_id *seen;
    size_t seen_count, seen_cap;
} path_list;

static void paths_add(path_list *l, const char *p) {
    SIM_ASSERT(l != NULL);
    SIM_ASSERT(p != NULL);
    if (l->count == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->items = sim_xrealloc(l->items, l->cap * sizeof *l->items);
    }
    l->items[l->count++] = sim_xstrdup(p);
}

/* True the first time a real file or folder comes up. */
static bool first_visit(path_list *l, const struct stat *st) {
    SIM_ASSERT(l->seen_count <= l->seen_cap);
    for (size_t i = 0; i < l->seen_count; i++)
        if (l->seen[i].dev == st->st_dev && l->seen[i].ino == st->st_ino) return false;
    if (l->seen_count == l->seen_cap) {
        l->seen_cap = l->seen_cap ? l->seen_cap * 2 : 64;
        l->seen = sim_xrealloc(l->seen, l->seen_cap * sizeof *l->seen);
    }
    l->seen[l->seen_count++] = (file_id){ st->st_dev, st->st_ino };
    return true;
}

static bool is_yaml(const char *name) {
    size_t n = strlen(name);
    return (n > 5 && strcmp(name + n - 5, ".yaml") == 0) || (n > 4 && strcmp(name + n - 4, ".yml") == 0);
}

static int cmp_path(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int collect(const char *path, path_list *out, bool named);

/* A folder's entries in sorted order, so that which of two links to one
 * file is kept does not depend on the order readdir gives. */
static int collect_dir(const char *path, path_list *out) {
    DIR *d = opendir(path);
    if (!d) { fprintf(stderr, "ccsim check: cannot open '%s': %s\n", path, strerror(errno)); return -1; }
    path_list names = { 0 };
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        if (e->d_name[0] != '.') paths_add(&names, e->d_name);
    closedir(d);
    qsort(names.items, names.count, sizeof *names.items, cmp_path);
    int rc = 0;
    for (size_t i = 0; i < names.count; i++) {
        char child[2048];
        snprintf(child, sizeof child, "%s%s%s", path, path[strlen(path) - 1] == '/' ? "" : "/",
                 names.items[i]);
        rc |= collect(child, out, false);
        free(names.items[i]);
    }
    free(names.items);
    return rc;
}

/* A path named on the command line is taken whatever its name; inside a
 * folder, only .yaml and .yml files, and unreadable entries are skipped. */
static int collect(const char *path, path_list *out, bool named) {
    SIM_ASSERT(path != NULL);
    SIM_ASSERT(out != NULL);
    struct stat st;
    if (stat(path, &st) != 0) {
        if (!named) return 0;
        fprintf(stderr, "ccsim check: cannot read '%s': %s\n", path, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode) && !named && !is_yaml(path)) return 0;
    if (!first_visit(out, &st)) return 0;
    if (!S_ISDIR(st.st_mode)) { paths_add(out, path); return 0; }
    return collect_dir(path, out);
}

typedef struct case_result {
    char name[SIM_NAME_MAX * 2];
    char path[1024];
    bool input_error, over_budget, pass;
    char why[1024];
    char verdicts[SCN_CHECKS_MAX * (SIM_NAME_MAX + 12)];   /* "mutual-exclusion ok, ..." */
} case_result;

static const char *verdict_word(scn_verdict v) {
    return v == SCN_VERDICT_OK ? "ok" : v == SCN_VERDICT_VIOLATION ? "violation" : "unknown";
}

bool cli_verdict_matches(scn_verdict want, check_verdict got) {
    return (want == SCN_VERDICT_OK && got == CHECK_OK) ||
           (want == SCN_VERDICT_VIOLATION && got == CHECK_VIOLATION) ||
           (want == SCN_VERDICT_UNKNOWN && got == CHECK_UNKNOWN);
}

const scn_expect *cli_expect_for(const scn *s, const char *check) {
    SIM_ASSERT(s != NULL);
    SIM_ASSERT(check != NULL);
    for (uint32_t i = 0; i < s->expect_count; i++)
        if (strcmp(s->expect[i].check, check) == 0) return &s->expect[i];
    return NULL;
}

static void judge(const scn *s, const cli_outcome *o, case_result *c) {
    SIM_ASSERT(s != NULL);
    SIM_ASSERT(o != NULL);
    SIM_ASSERT(c != NULL);
    c->pass = true;
    if (s->expect_count == 0) {
        c->pass = false;
        snprintf(c->why, sizeof c->why, "no `expect:` block (add the verdicts this scenario must give)");
        return;
    }
    for (uint32_t i = 0; i < s->expect_count; i++) {
        const scn_expect *e = &s->expect[i];
        for (size_t k = 0; k < o->result_count; k++) {
            if (strcmp(o->results[k].name, e->check) != 0) continue;
            if (cli_verdict_matches(e->verdict, o->results[k].verdict)) continue;
            size_t used = strlen(c->why);
            snprintf(c->why + used, sizeof c->why - used, "%s%s expected %s, got %s",
                     c->pass ? "" : "; ", e->check, verdict_word(e->verdict),
                     check_verdict_name(o->results[k].verdict));
            c->pass = false;
        }
    }
}

static void run_case(const char *path, uint64_t max_events, case_result *c) {
    SIM_ASSERT(path != NULL);
    SIM_ASSERT(c != NULL);
    memset(c, 0, sizeof *c);
    snprintf(c->path, sizeof c->path, "%s", path);
    snprintf(c->name, sizeof c->name, "%s", path);
    scn *s = sim_xcalloc(1, sizeof *s);
    char err[SIM_ERR_MAX];
    if (scn_load(path, s, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        c->input_error = true;
        snprintf(c->why, sizeof c->why, "%s", err);
        free(s);
        return;
    }
    snprintf(c->name, sizeof c->name, "%s", s->name);
    cli_outcome o;
    sim_options opt = { .max_events = max_events };
    int rc = cli_execute_err(s, &opt, &o, NULL, false, err, sizeof err);
    if (rc != 0) fprintf(stderr, "%s\n", err);
    if (rc == SIM_EXIT_BUDGET) {
        c->over_budget = true;
        snprintf(c->why, sizeof c->why, "stopped at its event budget (see the error above)");
    } else if (rc != 0) {
        c->input_error = true;
        snprintf(c->why, sizeof c->why, "could not run: %s", err);
    } else {
        judge(s, &o, c);
        for (size_t k = 0, used = 0; k < o.result_count && used < sizeof c->verdicts; k++)
            used += (size_t)snprintf(c->verdicts + used, sizeof c->verdicts - used, "%s%s %s",
                                     k ? ", " : "", o.results[k].name,
                                     check_verdict_name(o.results[k].verdict));
    }
    cli_outcome_free(&o);
    scn_free(s);
    free(s);
}

static void xml_escaped(FILE *f, const char *s) {
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f);
        }
    }
}

static int write_junit(const char *file, const case_result *cases, size_t n, size_t failed) {
    SIM_ASSERT(file != NULL);
    SIM_ASSERT(failed <= n);
    char tmp[1100];
    snprintf(tmp, sizeof tmp, "%s.tmp", file);
    FILE *f = fopen(tmp, "w");
    if (!f) { fprintf(stderr, "ccsim check: cannot write '%s': %s\n", file, strerror(errno)); return -1; }
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    fprintf(f, "<testsuite name=\"ccsim scenarios\" tests=\"%zu\" failures=\"%zu\">\n", n, failed);
    for (size_t i = 0; i < n; i++) {
        fputs("  <testcase classname=\"scenarios\" name=\"", f);
        xml_escaped(f, cases[i].name);
        fputs("\" file=\"", f);
        xml_escaped(f, cases[i].path);
        if (cases[i].pass) { fputs("\"/>\n", f); continue; }
        fputs("\">\n    <failure message=\"", f);
        xml_escaped(f, cases[i].why);
        fputs("\"/>\n  </testcase>\n", f);
    }
    fputs("</testsuite>\n", f);
    bool ok = fflush(f) == 0 && !ferror(f);
    fclose(f);
    if (!ok || rename(tmp, file) != 0) {
        fprintf(stderr, "ccsim check: cannot write '%s'\n", file);
        remove(tmp);
        return -1;
    }
    return 0;
}

static void check_usage(FILE *f) {
    fputs("usage: ccsim check PATH... [--junit FILE] [--tap] [--max-events N]\n"
          "\n"
          "Runs every scenario file named, or found under the folders named, and\n"
          "compares each check's verdict with the file's `expect:` block.  Prints\n"
          "one line per scenario, with its name and its file:\n"
          "  PASS name (path): CHECK VERDICT, CHECK VERDICT...   (every verdict)\n"
          "  FAIL name (path): CHECK expected X, got Y\n"
          "  FAIL path:line:col: error: ...                      (did not load)\n"
          "then `N passed, N failed`.\n"
          "\n"
          "  --junit FILE  also write JUnit XML for CI dashboards\n"
          "  --tap         print TAP (Test Anything Protocol) instead\n"
          "  --max-events N  stop a run that would execute more events (default\n"
          "                100000000); it counts as failed\n"
          "\n"
          "exit: 0 all match, 1 a mismatch, 2 a file could not be loaded,\n"
          "      5 a run passed its event budget\n"
          "example: ccsim check scenarios/\n", f);
}

/* "name (path)", or the path alone when the file gave no name. */
static void print_who(const case_result *c) {
    if (strcmp(c->name, c->path) == 0) printf("%s", c->path);
    else printf("%s (%s)", c->name, c->path);
}

/* A file that did not load: its error already starts with "path:". */
static bool located(const case_result *c) {
    size_t n = strlen(c->path);
    return strcmp(c->name, c->path) == 0 && strncmp(c->why, c->path, n) == 0 && c->why[n] == ':';
}

static void print_case(const case_result *c, size_t i, bool tap) {
    SIM_ASSERT(c != NULL);
    if (tap) {
        printf("%s %zu - ", c->pass ? "ok" : "not ok", i + 1);
        print_who(c);
        if (!c->pass) printf(" # %s", c->why);
    } else if (!c->pass && located(c)) {
        printf("FAIL %s", c->why);             /* "path:line:col: error: ..." */
    } else {
        printf("%s ", c->pass ? "PASS" : "FAIL");
        print_who(c);
        printf(": %s", c->pass ? c->verdicts : c->why);
    }
    putchar('\n');
    fflush(stdout);
}

int cli_check(int argc, char **argv) {
    SIM_ASSERT(argc >= 1);
    SIM_ASSERT(argv != NULL);
    path_list paths = { 0 };
    const char *junit = NULL;
    bool tap = false;
    uint64_t max_events = 0;
    int rc = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) { check_usage(stdout); return 0; }
        if (strcmp(argv[i], "--max-events") == 0) {
            char why[128];
            if (cli_parse_budget(i + 1 < argc ? argv[++i] : NULL, &max_events, why, sizeof why) != 0) {
                fprintf(stderr, "ccsim check: --max-events %s\n", why);
                return SIM_EXIT_INPUT;
            }
            continue;
        }
        if (strcmp(argv[i], "--tap") == 0) { tap = true; continue; }
        if (strcmp(argv[i], "--junit") == 0) {
            if (i + 1 >= argc) { fprintf(stderr, "ccsim check: --junit needs a file name\n"); return SIM_EXIT_INPUT; }
            junit = argv[++i];
            continue;
        }
        if (argv[i][0] == '-') { fprintf(stderr, "ccsim check: unknown option '%s' (see ccsim check --help)\n", argv[i]); return SIM_EXIT_INPUT; }
        rc |= collect(argv[i], &paths, true);
    }
    if (argc < 2 || (paths.count == 0 && rc == 0)) {
        fprintf(stderr, "ccsim check: no scenario files found (usage: ccsim check PATH...)\n");
        return SIM_EXIT_INPUT;
    }
    qsort(paths.items, paths.count, sizeof *paths.items, cmp_path);
    case_result *cases = sim_xcalloc(paths.count, sizeof *cases);
    size_t passed = 0, failed = 0;
    bool input_error = rc != 0, over_budget = false;
    if (tap) printf("1..%zu\n", paths.count);
    for (size_t i = 0; i < paths.count; i++) {
        run_case(paths.items[i], max_events, &cases[i]);
        input_error |= cases[i].input_error;
        over_budget |= cases[i].over_budget;
        if (cases[i].pass) passed++; else failed++;
        print_case(&cases[i], i, tap);
    }
    printf("%s%zu passed, %zu failed\n", tap ? "# " : "", passed, failed);
    if (junit && write_junit(junit, cases, paths.count, failed) != 0) input_error = true;
    for (size_t i = 0; i < paths.count; i++) free(paths.items[i]);
    free(paths.items);
    free(paths.seen);
    free(cases);
    if (input_error) return SIM_EXIT_INPUT;
    if (over_budget) return SIM_EXIT_BUDGET;
    return failed ? SIM_EXIT_VIOLATION : SIM_EXIT_OK;
}
