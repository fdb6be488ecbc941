/* cli.c -- `ccsim lincheck`: options, one result line per file, exit code.
 *
 * Invariant: results go to stdout, one verdict line per file (details of an
 * illegal history indented below it), errors to stderr, progress to stderr
 * only when it is a terminal.  Exit: 2 if any input error, else 1 if any
 * illegal, else 3 if any unknown, else 0 (DESIGN.md section 7).
 * Trade-off: files are checked one after another, each with the full
 * budget, so one hard file cannot starve the verdicts of the others.
 */
#include "sim/lincheck/lin_internal.h"

#include <inttypes.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>


/* An error is one line: a control byte from the input (a newline in a
 * quoted --init value, say) is printed as \n, \r, \t or \xHH. */
static void print_one_line(FILE *f, const char *text) {
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p == '\n') fputs("\\n", f);
        else if (*p == '\r') fputs("\\r", f);
        else if (*p == '\t') fputs("\\t", f);
        else if (*p < 0x20 || *p == 0x7f) fprintf(f, "\\x%02x", *p);
        else fputc(*p, f);
    }
    fputc('\n', f);
}
static const char help_text[] =
    "usage: ccsim lincheck --model MODEL [--init VALUE] [--timeout SECONDS]\n"
    "                      [--max-configurations N] [--max-memory MB] [--stats] [-q]\n"
    "                      HISTORY.edn...\n"
    "\n"
    "Checks Jepsen EDN histories for linearizability against a sequential model\n"
    "(Wing-Gong search with a memo of (linearized ops, state) pairs, split per key).\n"
    "\n"
    "Models and their ops (:f, value as in the history):\n"
    "  register        :read v, :write v                         init nil\n"
    "  cas-register    :read v, :write v, :cas [expected new]    init nil\n"
    "  mutex           :acquire, :release                        init free\n"
    "  counter         :add n (or :incr), :read n                init 0\n"
    "  set             :add x, :read #{x ...}                    init #{}\n"
    "  kv              :get/:read, :put/:write, :append by :key or [key value]\n"
    "                                                            init \"\"\n"
    "  multi-register  :txn [[:read k v] [:write k v] ...]       init {k v ...}\n"
    "  seat            :book who, :cancel, :read who|:free (booked at most once)\n"
    "  stock           :buy n (default 1), :restock n, :read n (never below 0)\n"
    "  balance         :deposit n, :withdraw n (only if covered), :read n\n"
    "Every model but kv and multi-register also splits by a :key field.\n"
    "\n"
    "History conventions (Knossos): :fail ops are dropped; :info or a missing\n"
    "completion may take effect any time after the invocation, or never; an :ok\n"
    "read of nil gives no information; ops are ordered by :time when every event\n"
    "has one, else by their place in the file; non-integer :process (nemesis) ops\n"
    "are skipped.\n"
    "\n"
    "Options:\n"
    "  --model MODEL     the model (required)\n"
    "  --init VALUE      initial value as EDN, e.g. 0, nil, '{:x 0, :y 0}'\n"
    "  --timeout S       time budget per file in seconds (default 60; 0 = none)\n"
    "  --max-configurations N\n"
    "                    work budget per file: configurations explored (default\n"
    "                    none); unlike --timeout it ends at the same point on every\n"
    "                    machine, as the `linearizable` check of a run does\n"
    "  --max-memory MB   memory budget per file for the search (default 1024)\n"
    "  --stats           print configurations explored and peak memory at the end\n"
    "  -q, --quiet       verdict lines only, no explanation below illegal ones\n"
    "\n"
    "Output, one line per file:\n"
    "  FILE: ok (N ops, T s)\n"
    "  FILE: illegal (N ops, T s): the op that cannot be linearized, then the\n"
    "        longest linearizable prefix, the state after it and the ops that\n"
    "        could come next, indented\n"
    "  FILE: unknown (N ops, T s): which budget ran out and how far it got\n"
    "Exit status: 0 all ok, 1 any illegal, 3 any unknown (none illegal),\n"
    "2 usage or input error (file:line:col: error: ... on stderr).\n"
    "\n"
    "Example:\n"
    "  ccsim lincheck --model cas-register --init 0 --timeout 10 h1.edn h2.edn\n";

typedef struct cli {
    lin_options opt;
    bool stats, quiet;
    const char **files;
    size_t nfiles;
} cli;

/* "60", "0.5", "2s" -> milliseconds; false when not a number. */
static bool parse_seconds(const char *s, uint64_t *ms) {
    LIN_ASSERT(s != NULL);                  /* parse_args checks the value is there */
    LIN_ASSERT(ms != NULL);
    uint64_t whole = 0, frac = 0, scale = 1000;
    const char *p = s;
    if (*p < '0' || *p > '9') return false;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (whole > UINT64_C(1000000000)) return false;
        whole = whole * 10 + (uint64_t)(*p - '0');
    }
    if (*p == '.') {
        for (p++; *p >= '0' && *p <= '9'; p++)
            if (scale > 1) {
                scale /= 10;
                frac += (uint64_t)(*p - '0') * scale;
            }
    }
    if (*p == 's') p++;
    if (*p != '\0') return false;
    LIN_ASSERT(frac < 1000);                /* at most three decimals are kept */
    *ms = whole * 1000 + frac;
    return true;
}

/* A positive integer of at most `max`; false otherwise. */
static bool parse_count(const char *s, uint64_t max, uint64_t *out) {
    LIN_ASSERT(s != NULL);
    LIN_ASSERT(out != NULL);
    uint64_t v = 0;
    if (*s == '\0') return false;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9' || v > max / 10) return false;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    if (v > max) return false;
    *out = v;
    return v > 0;
}

static bool parse_mb(const char *s, uint64_t *mb) {
    return parse_count(s, UINT64_C(1000000000), mb);
}

/* Returns -1 on error (message printed), 1 for --help, 0 to go on. */
static int parse_args(int argc, char **argv, cli *c) {
    LIN_ASSERT(argc >= 1);                  /* argv[0] is "lincheck" */
    LIN_ASSERT(c->nfiles == 0);
    c->opt.timeout_ms = LIN_TIMEOUT_MS_DEFAULT;
    c->files = lin_xmalloc((size_t)(argc + 1) * sizeof *c->files);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) return 1;
        if (strcmp(a, "--stats") == 0) { c->stats = true; continue; }
        if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) { c->quiet = true; continue; }
        if (a[0] != '-' || strcmp(a, "-") == 0) {
            LIN_ASSERT(c->nfiles < (size_t)argc);   /* files has argc + 1 entries */
            c->files[c->nfiles++] = a;
            continue;
        }
        const char *name = a, *val = strchr(a, '=');
        size_t nlen = val ? (size_t)(val - a) : strlen(a);
        if (val) val++;
        else if (i + 1 < argc) val = argv[++i];
        bool known = true, good = val != NULL;
        if (nlen == 7 && strncmp(name, "--model", nlen) == 0) c->opt.model = val;
        else if (nlen == 6 && strncmp(name, "--init", nlen) == 0) c->opt.init = val;
        else if (nlen == 9 && strncmp(name, "--timeout", nlen) == 0) good = good && parse_seconds(val, &c->opt.timeout_ms);
        else if (nlen == 12 && strncmp(name, "--max-memory", nlen) == 0) good = good && parse_mb(val, &c->opt.max_memory_mb);
        else if (nlen == 20 && strncmp(name, "--max-configurations", nlen) == 0)
            good = good && parse_count(val, UINT64_C(1) << 62, &c->opt.max_configurations);
        else known = false;
        if (!known) {
            fprintf(stderr, "ccsim lincheck: error: unknown option '%.*s' (expected --model, --init, --timeout, "
                    "--max-configurations, --max-memory, --stats, -q or --help)\n", (int)nlen, name);
            return -1;
        }
        if (!good) {
            fprintf(stderr, "ccsim lincheck: error: bad or missing value for %.*s (expected %s)\n", (int)nlen, name,
                    nlen == 9 ? "seconds, e.g. 60 or 0.5" : nlen == 12 ? "a positive number of MiB"
                    : nlen == 20 ? "a positive number of configurations" : "a value");
            return -1;
        }
    }
    return 0;
}

static void print_result(const char *path, const lin_result *r, double secs, bool quiet) {
    static const char *const names[] = {"ok", "illegal", "error", "unknown"};
    LIN_ASSERT(r->verdict <= LIN_UNKNOWN);  /* names[] covers every verdict */
    LIN_ASSERT(r->verdict != LIN_ERROR);    /* errors go to stderr instead */
    printf("%s: %s (%zu ops, %.3f s)", path, names[r->verdict], r->ops, secs);
    const char *x = r->explanation;
    if (r->verdict == LIN_OK || x == NULL) {
        printf("\n");
        return;
    }
    const char *nl = strchr(x, '\n');
    int first = nl ? (int)(nl - x) : (int)strlen(x);
    printf(": %.*s\n", first, x);
    if (!quiet && nl && nl[1]) fputs(nl + 1, stdout);
}

static int merge_exit(int code, lin_verdict v) {
    LIN_ASSERT(code >= 0);
    LIN_ASSERT(code <= 3);                  /* 0 ok, 1 illegal, 2 error, 3 unknown */
    int rank_code = code == 2 ? 3 : code == 1 ? 2 : code == 3 ? 1 : 0;
    int rank_v = v == LIN_ERROR ? 3 : v == LIN_ILLEGAL ? 2 : v == LIN_UNKNOWN ? 1 : 0;
    return rank_v > rank_code ? (int)v : code;
}

static void print_stats(uint64_t configs, size_t peak_cache, double secs) {
    struct rusage ru;
    LIN_ASSERT(secs >= 0);                  /* from the monotonic clock */
    int rc = getrusage(RUSAGE_SELF, &ru);
    LIN_ASSERT(rc == 0);                    /* RUSAGE_SELF cannot fail */
    printf("stats: %" PRIu64 " configurations, memo peak %.1f MiB, peak RSS %.1f MiB, %.3f s\n", configs,
           (double)peak_cache / 1048576.0, (double)ru.ru_maxrss / 1024.0, secs);
}

int lincheck_main(int argc, char **argv) {
    LIN_ASSERT(argc >= 1);
    LIN_ASSERT(argv != NULL);
    cli c;
    memset(&c, 0, sizeof c);
    int rc = parse_args(argc, argv, &c);
    if (rc == 1) fputs(help_text, stdout);
    if (rc == 0 && (c.opt.model == NULL || c.nfiles == 0)) {
        fprintf(stderr, "ccsim lincheck: error: %s (expected: ccsim lincheck --model MODEL FILE...; see --help)\n",
                c.opt.model == NULL ? "no --model given" : "no history file given");
        rc = -1;
    }
    if (rc != 0) {
        free(c.files);
        return rc == 1 ? 0 : 2;
    }
    int code = 0;
    uint64_t configs = 0, t_all = lin_now_ns();
    size_t peak = 0;
    bool tty = isatty(2) != 0;
    for (size_t i = 0; i < c.nfiles; i++) {
        if (tty) fprintf(stderr, "[%zu/%zu] %s\r", i + 1, c.nfiles, c.files[i]);
        uint64_t t0 = lin_now_ns();
        lin_result r;
        lin_verdict v = lin_check_file(c.files[i], &c.opt, &r);
        double secs = (double)(lin_now_ns() - t0) / 1e9;
        if (tty) fprintf(stderr, "\033[K");
        if (v == LIN_ERROR) print_one_line(stderr, r.explanation ? r.explanation : "error");
        else print_result(c.files[i], &r, secs, c.quiet);
        configs += r.configurations;
        if (r.peak_cache_bytes > peak) peak = r.peak_cache_bytes;
        code = merge_exit(code, v);
        lin_result_free(&r);
    }
    if (c.stats) print_stats(configs, peak, (double)(lin_now_ns() - t_all) / 1e9);
    fflush(stdout);
    free(c.files);
    LIN_ASSERT(code >= 0);
    LIN_ASSERT(code <= 3);
    return code;
}
