/* genhist.c -- writes a synthetic Jepsen EDN history for benchmarks and
 * tests of `ccsim lincheck`, from a seed (same arguments, same bytes).
 *
 * Each client runs ops back to back: a random gap, then an op whose effect
 * happens at a random instant inside its [invoke, complete] interval.
 * Applying the ops to the model in the order of those instants gives the
 * read results, so the history is linearizable by construction; --bad
 * makes one late read return a stale value, which makes it illegal.
 * Invariant: every client has at most one op open; event times are
 * distinct (time * clients + client), so the output order is total.
 * Trade-off: the whole history is built in memory (~64 bytes an op) so
 * that events can be sorted by time before writing.
 *
 *   genhist --clients 10 --ops 10000 [--keys 1] [--model register|cas-register|kv]
 *           [--values 5] [--seed 1] [--info PPM] [--bad] [-o FILE]
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct gop {
    int64_t start, point, end;   /* ns */
    uint32_t client, key;
    int64_t process;
    int f;                       /* 0 read, 1 write, 2 cas, 3 append */
    int64_t arg, arg2, result;   /* write/append value; cas expected/new; read result */
    int type;                    /* 0 ok, 1 fail, 2 info */
} gop;

typedef struct opts {
    uint32_t clients, keys, values;
    uint64_t ops, seed, info_ppm;
    const char *model, *out;
    bool bad;
} opts;

static uint64_t rng_next(uint64_t *s) {
    uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static uint64_t rng_below(uint64_t *s, uint64_t n) { return rng_next(s) % n; }

static int usage(const char *msg) {
    fprintf(stderr, "genhist: error: %s\nusage: genhist --clients N --ops N [--keys K] [--model register|"
            "cas-register|kv] [--values V] [--seed S] [--info PPM] [--bad] [-o FILE]\n", msg);
    return 2;
}

static bool parse_u64(const char *s, uint64_t *out) {
    char *end;
    if (s == NULL || *s < '0' || *s > '9') return false;
    unsigned long long v = strtoull(s, &end, 10);
    *out = (uint64_t)v;
    return *end == '\0';
}

static int parse_opts(int argc, char **argv, opts *o) {
    *o = (opts){.clients = 10, .keys = 1, .values = 5, .ops = 1000, .seed = 1, .model = "register"};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        uint64_t n = 0;
        if (strcmp(a, "--bad") == 0) { o->bad = true; continue; }
        if (strcmp(a, "--model") == 0 && v) o->model = v;
        else if (strcmp(a, "-o") == 0 && v) o->out = v;
        else if (!parse_u64(v, &n)) return usage("unknown option or bad number");
        else if (strcmp(a, "--clients") == 0 && n > 0 && n < 100000) o->clients = (uint32_t)n;
        else if (strcmp(a, "--keys") == 0 && n > 0 && n < 100000) o->keys = (uint32_t)n;
        else if (strcmp(a, "--values") == 0 && n > 0 && n < 1000000) o->values = (uint32_t)n;
        else if (strcmp(a, "--ops") == 0 && n > 0) o->ops = n;
        else if (strcmp(a, "--seed") == 0) o->seed = n;
        else if (strcmp(a, "--info") == 0 && n <= 1000000) o->info_ppm = n;
        else return usage("unknown option or value out of range");
        i++;
    }
    if (strcmp(o->model, "register") && strcmp(o->model, "cas-register") && strcmp(o->model, "kv"))
        return usage("--model must be register, cas-register or kv");
    return 0;
}

/* Timing and kind of every op, client after client. */
static void plan_ops(const opts *o, gop *ops, uint64_t *rng) {
    int64_t *clock = calloc(o->clients, sizeof *clock);
    int64_t *process = malloc(o->clients * sizeof *process);
    if (clock == NULL || process == NULL) exit(1);
    for (uint32_t c = 0; c < o->clients; c++) process[c] = c;
    bool kv = strcmp(o->model, "kv") == 0, cas = strcmp(o->model, "cas-register") == 0;
    for (uint64_t i = 0; i < o->ops; i++) {
        gop *g = &ops[i];
        uint32_t c = (uint32_t)(i % o->clients);
        g->client = c;
        g->key = (uint32_t)rng_below(rng, o->keys);
        g->start = clock[c] + (int64_t)rng_below(rng, 50000);
        int64_t len = 1000 + (int64_t)rng_below(rng, 100000);
        g->point = g->start + (int64_t)rng_below(rng, (uint64_t)len);
        g->end = g->start + len;
        clock[c] = g->end;
        uint64_t kind = rng_below(rng, 100);
        g->f = kind < 50 ? 0 : (cas && kind >= 80) ? 2 : (kv && kind >= 75) ? 3 : 1;
        g->arg = (int64_t)rng_below(rng, o->values);
        g->arg2 = (int64_t)rng_below(rng, o->values);
        g->process = process[c];
        g->type = rng_below(rng, 1000000) < o->info_ppm ? 2 : 0;
        if (g->type == 2) process[c] += o->clients;   /* a crashed process is replaced */
    }
    free(clock);
    free(process);
}

static int cmp_point(const void *a, const void *b) {
    const gop *x = *(const gop *const *)a, *y = *(const gop *const *)b;
    if (x->point != y->point) return x->point < y->point ? -1 : 1;
    return x->client < y->client ? -1 : x->client > y->client;
}

typedef struct kstate {
    int64_t reg;                 /* register value; -1 = nil */
    char *str;                   /* kv string */
    size_t len, cap;
} kstate;

static void kv_append(kstate *k, const char *s) {
    size_t n = strlen(s);
    if (k->len + n + 1 > k->cap) {
        k->cap = (k->len + n + 1) * 2;
        k->str = realloc(k->str, k->cap);
        if (k->str == NULL) exit(1);
    }
    memcpy(k->str + k->len, s, n + 1);
    k->len += n;
}

/* Applies one op at its instant; fills result / type. */
static void apply_op(gop *g, kstate *k, uint64_t *rng, char **strres) {
    bool takes_effect = g->type != 2 || rng_below(rng, 2) == 0;
    if (g->f == 0) {
        g->result = k->reg;
        if (strres) *strres = strdup(k->str ? k->str : "");
        return;
    }
    if (g->f == 2) {
        int64_t expected = rng_below(rng, 2) == 0 ? k->reg : g->arg;
        g->arg = expected;
        if (expected != k->reg && g->type == 0) g->type = 1;
        if (expected != k->reg || !takes_effect) return;
        k->reg = g->arg2;
        return;
    }
    if (!takes_effect) return;
    char tok[32];
    snprintf(tok, sizeof tok, "%" PRId64 ",", g->arg);
    k->reg = g->arg;
    if (g->f == 1) k->len = 0;
    kv_append(k, g->f == 1 ? "" : tok);
    if (g->f == 1) {
        snprintf(tok, sizeof tok, "%" PRId64, g->arg);
        kv_append(k, tok);
    }
}

typedef struct gev {
    int64_t time;
    uint32_t op;
    int is_end;
} gev;

static int cmp_ev(const void *a, const void *b) {
    const gev *x = a, *y = b;
    if (x->time != y->time) return x->time < y->time ? -1 : 1;
    if (x->is_end != y->is_end) return y->is_end - x->is_end;   /* completions first */
    return x->op < y->op ? -1 : x->op > y->op;
}

static const char *fname(int f) { return f == 0 ? ":read" : f == 1 ? ":write" : f == 2 ? ":cas" : ":append"; }

static void print_value(FILE *out, const opts *o, const gop *g, int is_end, char *const *strres, uint32_t i) {
    bool kv = strcmp(o->model, "kv") == 0;
    if (g->f == 0) {
        if (!is_end || g->type == 2) fprintf(out, "nil");
        else if (kv) fprintf(out, "\"%s\"", strres[i]);
        else if (g->result < 0) fprintf(out, "nil");
        else fprintf(out, "%" PRId64, g->result);
    } else if (g->f == 2) {
        fprintf(out, "[%" PRId64 " %" PRId64 "]", g->arg, g->arg2);
    } else if (kv) {
        fprintf(out, g->f == 3 ? "\"%" PRId64 ",\"" : "\"%" PRId64 "\"", g->arg);
    } else {
        fprintf(out, "%" PRId64, g->arg);
    }
}

static void write_history(FILE *out, const opts *o, const gop *ops, char *const *strres) {
    gev *ev = malloc(2 * o->ops * sizeof *ev);
    if (ev == NULL) exit(1);
    for (uint64_t i = 0; i < o->ops; i++) {
        ev[2 * i] = (gev){ops[i].start, (uint32_t)i, 0};
        ev[2 * i + 1] = (gev){ops[i].end, (uint32_t)i, 1};
    }
    qsort(ev, 2 * o->ops, sizeof *ev, cmp_ev);
    static const char *const types[] = {":ok", ":fail", ":info"};
    bool kv = strcmp(o->model, "kv") == 0;
    for (uint64_t e = 0; e < 2 * o->ops; e++) {
        const gop *g = &ops[ev[e].op];
        fprintf(out, "{:process %" PRId64 ", :type %s, :f %s, ", g->process,
                ev[e].is_end ? types[g->type] : ":invoke", kv && g->f == 0 ? ":get" : kv && g->f == 1 ? ":put" : fname(g->f));
        if (kv) fprintf(out, ":key \"k%u\", ", g->key);
        else if (o->keys > 1) fprintf(out, ":key %u, ", g->key);
        fprintf(out, ":value ");
        print_value(out, o, g, ev[e].is_end, strres, ev[e].op);
        fprintf(out, ", :time %" PRId64 "}\n", ev[e].time);
    }
    free(ev);
}

int main(int argc, char **argv) {
    opts o;
    int rc = parse_opts(argc, argv, &o);
    if (rc != 0) return rc;
    uint64_t rng = o.seed;
    gop *ops = calloc(o.ops, sizeof *ops);
    gop **order = malloc(o.ops * sizeof *order);
    kstate *keys = calloc(o.keys, sizeof *keys);
    char **strres = strcmp(o.model, "kv") == 0 ? calloc(o.ops, sizeof *strres) : NULL;
    if (ops == NULL || order == NULL || keys == NULL) return 1;
    plan_ops(&o, ops, &rng);
    for (uint64_t i = 0; i < o.ops; i++) order[i] = &ops[i];
    qsort(order, o.ops, sizeof *order, cmp_point);
    for (uint32_t k = 0; k < o.keys; k++) keys[k].reg = -1;
    for (uint64_t i = 0; i < o.ops; i++)
        apply_op(order[i], &keys[order[i]->key], &rng, strres ? &strres[order[i] - ops] : NULL);
    for (uint64_t i = o.ops; o.bad && i-- > o.ops / 2;) {
        gop *g = order[i];
        if (g->f != 0 || g->type != 0) continue;
        g->result = (int64_t)o.values + 7;      /* a value nobody wrote */
        if (strres) {
            free(strres[g - ops]);
            strres[g - ops] = strdup("never-written");
        }
        break;
    }
    FILE *out = o.out ? fopen(o.out, "w") : stdout;
    if (out == NULL) return usage("cannot open the -o file");
    write_history(out, &o, ops, strres);
    if (out != stdout) fclose(out);
    for (uint64_t i = 0; strres && i < o.ops; i++) free(strres[i]);
    for (uint32_t k = 0; k < o.keys; k++) free(keys[k].str);
    free(strres);
    free(keys);
    free(order);
    free(ops);
    return 0;
}
