/* compare.c -- `ccsim compare FILE --vary KEY=V1,V2,...`: the same chaos
 * against several designs.
 *
 * Each value of KEY is one variant: the scenario loaded with `--set
 * KEY=V` (after the other --set options), run with the same seed, so the
 * same fault schedule and the same random draws wherever the variants do
 * not differ.  Prints one table (each check's verdict, operations done,
 * failed and unknown, latency p50 and p99, aborts and retries where the
 * history has transactions or retries) and writes the compare directory
 * (default reports/NAME/compare-KEY/): compare.txt (the table), one report
 * folder per variant (N-VALUE/: summary.json, history.edn, story.txt,
 * timeline.dat, timeline.gp), and compare.gp drawn by gnuplot into
 * compare.png and compare.svg, the variants' timelines one above the other
 * on one time axis.
 *
 * Every variant is loaded before any runs, so a bad value is reported
 * (exit 2) before minutes of simulation.  Exit 0 when every variant ran:
 * violations are what a comparison is for.  Nothing written depends on a
 * clock, so the directory is the same bytes for the same command.
 */
#include "sim/cli/cli.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/saga/saga.h"
#include "protocols/txn/txn_api.h"
#include "sim/report/plot.h"

#define CMP_DIR_MAX 1024

typedef struct cmp_args {
    const char *file, *out, *vary;
    const char *sets[SCN_SETS_MAX];
    uint32_t set_count;
    uint64_t seed;
    bool seed_set, no_plot;
    unsigned formats;            /* --draw: a plot_format mask; 0 = both */
} cmp_args;

typedef struct cmp_variant {
    char value[SCN_SET_MAX];
    char set[SCN_SET_MAX];       /* KEY=VALUE */
    char subdir[CMP_DIR_MAX];
    scn *s;
    sim *run;
    cli_outcome o;
    plot_msgs msgs;
    rpt_run r;
    bool ran;
} cmp_variant;

static void compare_usage(FILE *f) {
    fputs("usage: ccsim compare FILE.yaml --vary KEY=V1,V2,... [--set KEY=VALUE]... [--seed N]\n"
          "                     [--out DIR] [--no-plot] [--draw png|svg]\n"
          "\n"
          "Runs the scenario once per value of KEY, with the same seed and fault\n"
          "schedule, prints one table (each check's verdict, operations done, failed\n"
          "and unknown, latency p50 and p99, aborts and retries) and draws the\n"
          "variants' timelines one above the other in compare.png / compare.svg.\n"
          "Each variant's report goes in DIR/N-VALUE/, without trace.log: ccsim trace\n"
          "DIR/N-VALUE writes it (the same bytes ccsim run --set KEY=VALUE would).\n"
          "\n"
          "  --vary KEY=V1,V2  the values to compare (KEY as for --set; commas inside\n"
          "                    [..] or {..} do not split: --vary 'faults[0]={..},{..}')\n"
          "  --set KEY=VALUE   the same override for every variant\n"
          "  --seed N          the root seed (default: the scenario's `seed:`)\n"
          "  --out DIR         where to write (default reports/NAME/compare-KEY/)\n"
          "  --no-plot         do not draw compare.png\n"
          "  --draw png|svg    draw only that format of compare (default both)\n"
          "\n"
          "exit: 0 every variant ran, 2 bad input, 5 a variant passed its event budget\n"
          "example: ccsim compare scenarios/locks/L2-lease-gc-pause.yaml --vary params.fencing=false,true\n",
          f);
}

static int parse_option(int argc, char **argv, int *i, cmp_args *a) {
    SIM_ASSERT(*i < argc);
    SIM_ASSERT(a != NULL);
    const char *x = argv[*i], *v = *i + 1 < argc ? argv[*i + 1] : NULL;
    if (strcmp(x, "--no-plot") == 0) { a->no_plot = true; return 0; }

    if (!v) { fprintf(stderr, "ccsim compare: %s needs a value (see ccsim compare --help)\n", x); return -1; }
    (*i)++;
    if (strcmp(x, "--vary") == 0) {
        if (a->vary) { fprintf(stderr, "ccsim compare: one --vary at a time (use --set for the rest)\n"); return -1; }
        a->vary = v;
    } else if (strcmp(x, "--draw") == 0) {
        if (plot_parse_formats(v, &a->formats) != 0) {
            fprintf(stderr, "ccsim compare: --draw needs png, svg or png,svg (not '%s')\n", v);
            return -1;
        }
    } else if (strcmp(x, "--set") == 0) {
        if (a->set_count + 1 >= SCN_SETS_MAX) { fprintf(stderr, "ccsim compare: too many --set options\n"); return -1; }
        a->sets[a->set_count++] = v;
    } else if (strcmp(x, "--seed") == 0) {
        char why[128];
        if (cli_parse_seed(v, &a->seed, why, sizeof why) != 0) {
            fprintf(stderr, "ccsim compare: --seed %s\n", why);
            return -1;
        }
        a->seed_set = true;
    } else if (strcmp(x, "--out") == 0) {
        a->out = v;
        if (strlen(v) >= CMP_DIR_MAX) {
            fprintf(stderr, "ccsim compare: --out is %zu bytes long (expected at most %d)\n",
                    strlen(v), CMP_DIR_MAX - 1);
            return -1;
        }
    } else {
        fprintf(stderr, "ccsim compare: unknown option '%s' (see ccsim compare --help)\n", x);
        return -1;
    }
    return 0;
}

static int parse_args(int argc, char **argv, cmp_args *a) {
    SIM_ASSERT(argc >= 1);
    SIM_ASSERT(a != NULL);
    memset(a, 0, sizeof *a);
    for (int i = 1; i < argc; i++) {
        const char *x = argv[i];
        if (strcmp(x, "--help") == 0 || strcmp(x, "-h") == 0) { compare_usage(stdout); return 1; }
        if (x[0] == '-') { if (parse_option(argc, argv, &i, a) != 0) return -1; continue; }
        if (a->file) { fprintf(stderr, "ccsim compare: one scenario file at a time (got '%s' and '%s')\n", a->file, x); return -1; }
        a->file = x;
    }
    if (!a->file) { fprintf(stderr, "ccsim compare: which scenario? (usage: ccsim compare FILE.yaml --vary KEY=V1,V2)\n"); return -1; }
    if (!a->vary) { fprintf(stderr, "ccsim compare: what to vary? (--vary KEY=V1,V2,..., such as --vary params.fencing=false,true)\n"); return -1; }
    return 0;
}

/* Splits "KEY=V1,V2" at the commas outside brackets. */
static int split_values(const char *vary, cmp_variant *v, size_t *n) {
    SIM_ASSERT(vary != NULL);
    SIM_ASSERT(v != NULL);
    SIM_ASSERT(n != NULL);
    const char *eq = strchr(vary, '=');
    if (!eq || eq == vary) {
        fprintf(stderr, "ccsim compare: --vary %s: error: expected KEY=V1,V2,..., such as params.fencing=false,true\n", vary);
        return -1;
    }
    int depth = 0;
    const char *p = eq + 1, *start = p;
    *n = 0;
    for (;; p++) {
        if (*p == '[' || *p == '{') depth++;
        if ((*p == ']' || *p == '}') && depth > 0) depth--;
        if (*p != '\0' && (*p != ',' || depth > 0)) continue;
        if (*n == PLOT_VARIANTS_MAX) {
            fprintf(stderr, "ccsim compare: --vary: error: more than %d values\n", PLOT_VARIANTS_MAX);
            return -1;
        }
        cmp_variant *x = &v[(*n)++];
        size_t key_len = (size_t)(eq - vary + 1), len = (size_t)(p - start);
        if (key_len + len >= sizeof x->set) {
            fprintf(stderr, "ccsim compare: --vary: error: a value longer than %d bytes with its key\n",
                    SCN_SET_MAX - 1);
            return -1;
        }
        memcpy(x->value, start, len);
        x->value[len] = '\0';
        memcpy(x->set, vary, key_len);
        memcpy(x->set + key_len, start, len);
        x->set[key_len + len] = '\0';
        if (*p == '\0') break;
        start = p + 1;
    }
    if (*n < 2) {
        fprintf(stderr, "ccsim compare: --vary %s: error: one value (expected two or more, separated by commas)\n", vary);
        return -1;
    }
    return 0;
}

static void sanitize(char *dst, size_t len, const char *src) {
    SIM_ASSERT(dst != NULL);
    SIM_ASSERT(len > 0);
    size_t i = 0;
    for (; src[i] && i + 1 < len && i < 40; i++) {
        char c = src[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_' || c == '.';
        dst[i] = ok ? c : '_';
    }
    dst[i] = '\0';
    if (i == 0 && len > 5) snprintf(dst, len, "empty");
}

/* Loads every variant; the first error stops (exit 2). */
static int load_all(const cmp_args *a, cmp_variant *v, size_t n) {
    SIM_ASSERT(a != NULL);
    SIM_ASSERT(v != NULL);
    for (size_t i = 0; i < n; i++) {
        const char *sets[SCN_SETS_MAX];
        for (uint32_t k = 0; k < a->set_count; k++) sets[k] = a->sets[k];
        sets[a->set_count] = v[i].set;
        v[i].s = sim_xcalloc(1, sizeof *v[i].s);
        char err[SIM_ERR_MAX];
        if (scn_load_with_overrides(a->file, sets, a->set_count + 1, v[i].s, err, sizeof err) != 0) {
            fprintf(stderr, "%s\n", err);
            free(v[i].s);
            v[i].s = NULL;
            return -1;
        }
        char clean[64];
        sanitize(clean, sizeof clean, v[i].value);
        snprintf(v[i].subdir, sizeof v[i].subdir, "%zu-%s", i + 1, clean);
    }
    return 0;
}

/* Runs variant v and writes its report folder (no trace, no images).
 * Returns 0, SIM_EXIT_BUDGET, or another non-zero value. */
static int run_variant(const cmp_args *a, const char *dir, cmp_variant *v) {
    SIM_ASSERT(a != NULL);
    SIM_ASSERT(v != NULL);
    plot_msgs_init(&v->msgs);
    sim_options opt = { .seed = a->seed, .seed_set = a->seed_set,
                        .on_message = a->no_plot ? NULL : plot_msgs_note, .on_message_ctx = &v->msgs };
    char err[SIM_ERR_MAX], sub[CMP_DIR_MAX * 2];
    int rc = cli_execute(v->s, &opt, &v->o, &v->run);
    if (rc != 0) return rc;                   /* SIM_EXIT_BUDGET passes through */
    v->ran = true;
    const sim_stats st = v->o.stats;
    v->r = (rpt_run){ .s = sim_scenario(v->run), .h = sim_history(v->run), .seed = st.seed, .events = st.events,
                      .messages_sent = st.messages_sent, .messages_dropped = st.messages_dropped,
                      .end_ns = st.end_ns, .scenario_digest = rpt_file_digest(v->s->path),
                      .results = v->o.results, .result_count = v->o.result_count };
    snprintf(sub, sizeof sub, "%s/%s", dir, v->subdir);
    if (rpt_write_dir(sub, &v->r, err, sizeof err) != 0) {
        fprintf(stderr, "ccsim compare: %s\n", err);
        return -1;
    }
    plot_run pr = { &v->r, &v->msgs };
    if (!a->no_plot && plot_write(sub, &pr, err, sizeof err) != 0) {
        fprintf(stderr, "ccsim compare: %s\n", err);
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------- the table */

typedef struct cmp_row {
    char cell[SCN_CHECKS_MAX * 2 + 8][48];
} cmp_row;

static void fmt_latency(char *buf, size_t len, sim_time ns) {
    if (ns < SIM_MS) snprintf(buf, len, "%" PRId64 " us", ns / SIM_US);
    else if (ns < SIM_S) snprintf(buf, len, "%" PRId64 ".%03" PRId64 " ms", ns / SIM_MS, ns % SIM_MS / SIM_US);
    else sim_fmt_time(buf, len, ns);
}

static int cmp_key(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Distinct transactions aborted (TXN_ABORT keys, sagas not completed) and
 * RETRY effects; false when the history has neither kind of thing. */
static bool aborts_retries(const hist *h, uint64_t *aborts, uint64_t *retries) {
    const char **keys = sim_xcalloc(h->effect_count + 1u, sizeof *keys);
    uint32_t n = 0;
    bool has = false;
    *retries = 0;
    for (uint32_t i = 0; i < h->effect_count; i++) {
        const hist_effect *e = &h->effects[i];
        if (txn_is_effect(e->kind) || saga_is_effect(e->kind)) has = true;
        if (e->kind == HIST_EFF_RETRY) { has = true; (*retries)++; }
        if (e->kind == HIST_EFF_TXN_ABORT || (e->kind == HIST_EFF_SAGA_END && e->value != 1))
            keys[n++] = e->key;
    }
    qsort(keys, n, sizeof *keys, cmp_key);
    *aborts = 0;
    for (uint32_t i = 0; i < n; i++) *aborts += i == 0 || strcmp(keys[i], keys[i - 1]) != 0;
    free(keys);
    return has;
}

static size_t fill_row(const cmp_variant *v, const char **checks, size_t nc, cmp_row *row) {
    SIM_ASSERT(v != NULL);
    SIM_ASSERT(row != NULL);
    size_t c = 0;
    /* A value wider than its cell is cut to the cell, as it always was; the
     * precision says so, and keeps gcc -O0 from warning about it. */
    snprintf(row->cell[c++], sizeof row->cell[0], "%.*s", (int)sizeof row->cell[0] - 1, v->value);
    for (size_t k = 0; k < nc; k++, c++) {
        snprintf(row->cell[c], sizeof row->cell[0], "-");
        for (size_t i = 0; i < v->o.result_count; i++)
            if (strcmp(v->o.results[i].name, checks[k]) == 0)
                snprintf(row->cell[c], sizeof row->cell[0], "%s", check_verdict_name(v->o.results[i].verdict));
    }
    const hist *h = v->r.h;
    uint64_t by[4] = { 0 };
    for (uint32_t i = 0; i < h->op_count; i++) by[h->ops[i].result]++;
    snprintf(row->cell[c++], sizeof row->cell[0], "%" PRIu64, by[HIST_OK]);
    snprintf(row->cell[c++], sizeof row->cell[0], "%" PRIu64, by[HIST_FAIL]);
    snprintf(row->cell[c++], sizeof row->cell[0], "%" PRIu64, by[HIST_INFO] + by[HIST_PENDING]);
    fmt_latency(row->cell[c++], sizeof row->cell[0], plot_latency_percentile(h, 50));
    fmt_latency(row->cell[c++], sizeof row->cell[0], plot_latency_percentile(h, 99));
    uint64_t aborts = 0, retries = 0;
    bool has = aborts_retries(h, &aborts, &retries);
    snprintf(row->cell[c++], sizeof row->cell[0], has ? "%" PRIu64 : "-", aborts);
    snprintf(row->cell[c++], sizeof row->cell[0], has ? "%" PRIu64 : "-", retries);
    return c;
}

/* The checks of every variant, in order of first appearance. */
static size_t check_columns(const cmp_variant *v, size_t n, const char **out) {
    size_t nc = 0;
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < v[i].o.result_count; k++) {
            const char *name = v[i].o.results[k].name;
            size_t j = 0;
            while (j < nc && strcmp(out[j], name) != 0) j++;
            if (j == nc && nc < SCN_CHECKS_MAX * 2) out[nc++] = name;
        }
    }
    return nc;
}

static void print_table(FILE *f, const cmp_args *a, const cmp_variant *v, size_t n) {
    SIM_ASSERT(f != NULL);
    SIM_ASSERT(a != NULL);
    const char *checks[SCN_CHECKS_MAX * 2];
    size_t nc = check_columns(v, n, checks);
    cmp_row *rows = sim_xcalloc(n + 1, sizeof *rows);
    size_t cols = 0;
    const char *key_end = strchr(a->vary, '=');
    snprintf(rows[0].cell[0], sizeof rows[0].cell[0], "%.*s", (int)(key_end - a->vary), a->vary);
    for (size_t k = 0; k < nc; k++) snprintf(rows[0].cell[k + 1], sizeof rows[0].cell[0], "%s", checks[k]);
    static const char *const tail[] = { "done", "failed", "unknown", "p50", "p99", "aborts", "retries" };
    for (size_t k = 0; k < 7; k++) snprintf(rows[0].cell[nc + 1 + k], sizeof rows[0].cell[0], "%s", tail[k]);
    for (size_t i = 0; i < n; i++) cols = fill_row(&v[i], checks, nc, &rows[i + 1]);
    size_t width[SCN_CHECKS_MAX * 2 + 8] = { 0 };
    for (size_t r = 0; r <= n; r++)
        for (size_t c = 0; c < cols; c++)
            if (strlen(rows[r].cell[c]) > width[c]) width[c] = strlen(rows[r].cell[c]);
    fprintf(f, "compare   %s, seed %" PRIu64 ", --vary %s", v[0].s->name, v[0].o.stats.seed, a->vary);
    for (uint32_t k = 0; k < a->set_count; k++) fprintf(f, " --set %s", a->sets[k]);
    fputs("\n\n", f);
    for (size_t r = 0; r <= n; r++) {
        for (size_t c = 0; c + 1 < cols; c++) fprintf(f, "%-*s  ", (int)width[c], rows[r].cell[c]);
        fprintf(f, "%s\n", rows[r].cell[cols - 1]);
    }
    free(rows);
}

static int write_table_file(const char *dir, const cmp_args *a, const cmp_variant *v, size_t n) {
    char path[CMP_DIR_MAX + 32], tmp[CMP_DIR_MAX + 40];
    snprintf(path, sizeof path, "%s/compare.txt", dir);
    snprintf(tmp, sizeof tmp, "%s/compare.txt.tmp", dir);
    FILE *f = fopen(tmp, "wb");
    if (!f) { fprintf(stderr, "ccsim compare: cannot write %s: %s\n", tmp, strerror(errno)); return -1; }
    print_table(f, a, v, n);
    bool bad = ferror(f) != 0;
    if (fclose(f) != 0) bad = true;
    if (bad || rename(tmp, path) != 0) {
        fprintf(stderr, "ccsim compare: cannot write %s\n", path);
        remove(tmp);
        return -1;
    }
    return 0;
}

static void draw(const char *dir, const cmp_args *a, cmp_variant *v, size_t n) {
    plot_variant pv[PLOT_VARIANTS_MAX];
    for (size_t i = 0; i < n; i++)
        pv[i] = (plot_variant){ { &v[i].r, &v[i].msgs }, v[i].set, v[i].subdir };
    char title[SCN_SET_MAX + 128], err[SIM_ERR_MAX], why[1200];
    snprintf(title, sizeof title, "%s   seed %" PRIu64 "   --vary %s", v[0].s->name,
             v[0].o.stats.seed, a->vary);
    if (plot_write_compare(dir, title, pv, n, err, sizeof err) != 0) {
        fprintf(stderr, "ccsim compare: %s\n", err);
        return;
    }
    unsigned formats = a->formats ? a->formats : PLOT_BOTH;
    if (plot_draw(dir, "compare.gp", formats, why, sizeof why) != PLOT_DRAWN) {
        fprintf(stderr, "ccsim compare: %s\n", why);
        return;
    }
    printf("picture   %s/compare%s\n", dir,
           formats == PLOT_PNG ? ".png" : formats == PLOT_SVG ? ".svg" : ".png (and .svg)");
}

static void free_variants(cmp_variant *v, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (v[i].ran) cli_outcome_free(&v[i].o);
        sim_destroy(v[i].run);
        plot_msgs_free(&v[i].msgs);
        if (v[i].s) { scn_free(v[i].s); free(v[i].s); }
    }
    free(v);
}

static int compare_all(const cmp_args *a, cmp_variant *v, size_t n) {
    SIM_ASSERT(a != NULL);
    SIM_ASSERT(v != NULL);
    if (load_all(a, v, n) != 0) return SIM_EXIT_INPUT;
    char dir[CMP_DIR_MAX], key[64];
    const char *eq = strchr(a->vary, '=');
    char raw[SCN_SET_MAX];
    snprintf(raw, sizeof raw, "%.*s", (int)(eq - a->vary), a->vary);
    sanitize(key, sizeof key, raw);
    if (a->out) snprintf(dir, sizeof dir, "%s", a->out);
    else snprintf(dir, sizeof dir, "reports/%s/compare-%s", v[0].s->name, key);
    if (rpt_mkdirs(dir) != 0) {
        fprintf(stderr, "ccsim compare: cannot create %s: %s\n", dir, strerror(errno));
        return SIM_EXIT_INPUT;
    }
    for (size_t i = 0; i < n; i++) {
        int rc = run_variant(a, dir, &v[i]);
        if (rc != 0) return rc == SIM_EXIT_BUDGET ? rc : SIM_EXIT_INPUT;
    }
    print_table(stdout, a, v, n);
    if (write_table_file(dir, a, v, n) != 0) return SIM_EXIT_INPUT;
    printf("\nreport    %s/\n", dir);
    if (a->no_plot) plot_remove(dir, "compare");
    else draw(dir, a, v, n);
    return SIM_EXIT_OK;
}

int cli_compare(int argc, char **argv) {
    SIM_ASSERT(argc >= 1);
    SIM_ASSERT(argv != NULL);
    cmp_args a;
    int pr = parse_args(argc, argv, &a);
    if (pr != 0) return pr > 0 ? SIM_EXIT_OK : SIM_EXIT_INPUT;
    cmp_variant *v = sim_xcalloc(PLOT_VARIANTS_MAX, sizeof *v);
    size_t n = 0;
    int code = split_values(a.vary, v, &n) != 0 ? SIM_EXIT_INPUT : compare_all(&a, v, n);
    free_variants(v, n);
    return code;
}
