/* history_edn.c -- history.edn: a run's ops as a Jepsen history, one EDN
 * map per invoke and per completion.
 *
 * Invariant: lines come in (true time, op id, phase) order, the invoke
 * (phase 0) before the completion, and :index counts them from 0; every
 * byte is a function of the history and the scenario's node names
 * (nothing reads a clock or an address).
 *
 * How it stays cheap (issue 17: the file is ~120 bytes per line, and a
 * big run writes hundreds of thousands of lines):
 * - Ops are numbered as invoked, so in a run their invokes are in order
 *   already; only the completions are sorted (a stable radix sort on the
 *   time, from op id order, gives (time, id) order), and the two streams
 *   are merged as the lines are written.  A history whose invokes go back
 *   in time (not one a run makes) is sorted whole.
 * - What a line repeats is built once: the head "{:type :ok, :f :read,
 *   :value " per op kind and type, and ", :node \"client1\"" per node.
 * - Text goes through rpt_out (escape.h): inline copies of known length,
 *   integers formatted by hand, 64 KiB writes.
 */
#include "sim/report/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/lock/lock_api.h"
#include "sim/base.h"
#include "sim/report/escape.h"

typedef struct edn_event {
    sim_time t_ns;
    uint32_t op;
    uint32_t phase;              /* 0 = invoke, 1 = completion */
} edn_event;

static int edn_event_cmp(const void *pa, const void *pb) {
    const edn_event *a = pa, *b = pb;
    SIM_ASSERT(a == b || a->op != b->op || a->phase != b->phase);   /* a total order: qsort is not stable */
    if (a->t_ns != b->t_ns) return a->t_ns < b->t_ns ? -1 : 1;
    if (a->op != b->op) return a->op < b->op ? -1 : 1;
    if (a->phase != b->phase) return a->phase < b->phase ? -1 : 1;
    return 0;
}

/* --------------------------------------------------------- what repeats */

/* A line's :type: 0 invoke, else the completion's hist_result (ok, fail,
 * info; a pending op has no completion line). */
enum { EDN_TYPES = 4 };

/* An op kind as its lines write it. */
typedef struct edn_kind {
    hist_value_style value;
    char *head[EDN_TYPES];       /* "{:type :T, :f :NAME, :value " */
    size_t head_len[EDN_TYPES];
} edn_kind;

typedef struct edn_writer {
    rpt_out *o;
    const rpt_run *run;
    uint16_t *slot_of;           /* by hist_f: 1 + its index in kinds, 0 = not seen yet */
    edn_kind *kinds;
    uint32_t kind_count, kind_cap;
    char **node;                 /* by node index: ", :node \"NAME\"" */
    size_t *node_len;
    uint64_t *gen;               /* by process: how many of its ops ended :info */
    uint64_t *emitted;           /* by op: the :process its invoke line gave */
    uint32_t procs;
    uint64_t index;              /* the next line's :index */
    char index_text[RPT_U64_DIGITS];   /* index in decimal, counted up as lines go */
    size_t index_len;
    edn_event last;              /* the last line written, to assert the order */
} edn_writer;

/* "{:type :TYPE, :f :NAME, :value ", on the heap; its length in *len. */
static char *head_text(const char *type, const char *name, size_t *len) {
    static const char a[] = "{:type :", b[] = ", :f :", c[] = ", :value ";
    size_t lt = strlen(type), ln = strlen(name);
    *len = sizeof a - 1 + lt + sizeof b - 1 + ln + sizeof c - 1;
    char *out = sim_xmalloc(*len + 1u);
    snprintf(out, *len + 1u, "%s%s%s%s%s", a, type, b, name, c);
    return out;
}

/* ", :node \"NAME\"" with NAME quoted, on the heap; its length in *len. */
static char *node_text(const char *name, size_t *len) {
    static const char a[] = ", :node ";
    char *out = sim_xmalloc(sizeof a + RPT_QUOTED_MAX(strlen(name)));
    memcpy(out, a, sizeof a - 1);
    *len = sizeof a - 1 + rpt_quote_into(out + sizeof a - 1, name);
    return out;
}

static const edn_kind *kind_of(edn_writer *w, hist_f f) {
    if (w->slot_of[f] != 0) return &w->kinds[w->slot_of[f] - 1u];
    if (w->kind_count == w->kind_cap) {
        w->kind_cap = w->kind_cap ? w->kind_cap * 2 : 8;
        w->kinds = sim_xrealloc(w->kinds, w->kind_cap * sizeof *w->kinds);
    }
    SIM_ASSERT(w->kind_count < UINT16_MAX);     /* hist_f is 16 bits */
    edn_kind *k = &w->kinds[w->kind_count++];
    const hist_kind_def *d = hist_f_def(w->run->h, f);
    k->value = d->value;
    for (int type = 0; type < EDN_TYPES; type++) {
        const char *name = type == 0 ? "invoke" : hist_result_name((hist_result)type);
        k->head[type] = head_text(name, d->name, &k->head_len[type]);
    }
    w->slot_of[f] = (uint16_t)w->kind_count;
    return k;
}

/* What one pass over the ops finds before any line is written. */
typedef struct edn_scan {
    uint32_t procs;              /* the largest :process, plus one */
    uint32_t completions;        /* ops with a completion line */
    bool in_order;               /* invokes in op order, none before 0 */
    bool any_info;               /* an op completed :info */
} edn_scan;

static void writer_init(edn_writer *w, FILE *f, const rpt_run *run, const edn_scan *sc) {
    memset(w, 0, sizeof *w);
    w->o = sim_xmalloc(sizeof *w->o);
    w->o->f = f;
    w->o->n = 0;
    w->run = run;
    w->index_text[0] = '0';
    w->index_len = 1;
    w->slot_of = sim_xcalloc((size_t)UINT16_MAX + 1u, sizeof *w->slot_of);
    uint32_t nodes = run->s->node_count;
    w->node = sim_xcalloc((size_t)nodes + 1u, sizeof *w->node);
    w->node_len = sim_xcalloc((size_t)nodes + 1u, sizeof *w->node_len);
    for (uint32_t i = 0; i < nodes; i++) w->node[i] = node_text(run->s->nodes[i].name, &w->node_len[i]);
    /* Jepsen: after an :info the process may still be running the op, so
     * its next op gets a fresh process number, process + generation * procs.
     * With no :info, every op keeps its own, and nothing is counted. */
    w->procs = sc->procs;
    if (!sc->any_info) return;
    w->gen = sim_xcalloc((size_t)sc->procs + 1u, sizeof *w->gen);
    w->emitted = sim_xcalloc((size_t)run->h->op_count + 1u, sizeof *w->emitted);
}

static void writer_free(edn_writer *w) {
    rpt_out_flush(w->o);
    free(w->o);
    for (uint32_t i = 0; i < w->kind_count; i++)
        for (int type = 0; type < EDN_TYPES; type++) free(w->kinds[i].head[type]);
    free(w->kinds);
    free(w->slot_of);
    for (uint32_t i = 0; i < w->run->s->node_count; i++) free(w->node[i]);
    free(w->node);
    free(w->node_len);
    free(w->gen);
    free(w->emitted);
}

/* ---------------------------------------------------------------- lines */

static void edn_int_or_nil(rpt_out *o, bool has, int64_t v) {
    if (has) rpt_out_i64(o, v);
    else RPT_OUT_LIT(o, "nil");
}

/* The op's :value as its kind declares it (hist.h's hist_value_style).
 * Knossos conventions: read invokes carry nil, completions the value read;
 * writes carry the value written; cas carries [expected new]. */
static void edn_value(rpt_out *o, hist_value_style style, const hist_op *op, bool completion) {
    bool ok = op->result == HIST_OK;
    SIM_ASSERT(!completion || op->result != HIST_PENDING);
    switch (style) {
    case HIST_VALUE_READ:
        edn_int_or_nil(o, completion && ok && op->has_value_out, op->value_out);
        return;
    case HIST_VALUE_WRITE:
        edn_int_or_nil(o, op->has_value_in, op->value_in);
        return;
    case HIST_VALUE_CAS:
        RPT_OUT_LIT(o, "[");
        edn_int_or_nil(o, op->has_value_out, op->value_out);
        RPT_OUT_LIT(o, " ");
        edn_int_or_nil(o, op->has_value_in, op->value_in);
        RPT_OUT_LIT(o, "]");
        return;
    case HIST_VALUE_ASKED_GOT:
        if (completion && ok && op->has_value_out) rpt_out_i64(o, op->value_out);
        else edn_int_or_nil(o, op->has_value_in, op->value_in);
        return;
    case HIST_VALUE_NIL:
        RPT_OUT_LIT(o, "nil");
        return;
    }
    SIM_UNREACHABLE("hist_value_style");
}

/* The epoch and token a line shows: an acquire learns them at its end. */
static void edn_lock(rpt_out *o, const hist *h, const hist_op *op, bool completion) {
    if (op->f == HIST_F_ACQUIRE && !completion) return;
    int64_t token = hist_op_token(h, op), epoch = hist_op_epoch(h, op);
    if (op->f == HIST_F_ACQUIRE && op->has_value_out && op->value_out != 0) token = op->value_out;
    if (epoch != 0) {
        RPT_OUT_LIT(o, ", :epoch ");
        rpt_out_i64(o, epoch);
    }
    if (token != 0) {
        RPT_OUT_LIT(o, ", :token ");
        rpt_out_i64(o, token);
    }
}

/* Counts the line number up by one, in its decimal text as well: trailing
 * 9s become 0s and the digit before them goes up, or a 1 goes in front
 * (a line costs no division for its :index).  Checked against the number
 * every 4096 lines. */
static void index_next(edn_writer *w) {
    w->index++;
    size_t i = w->index_len;
    while (i > 0 && w->index_text[i - 1] == '9') w->index_text[--i] = '0';
    if (i > 0) {
        w->index_text[i - 1]++;
    } else {
        SIM_ASSERT(w->index_len < RPT_U64_DIGITS);
        memmove(w->index_text + 1, w->index_text, w->index_len++);
        w->index_text[0] = '1';
    }
    if (w->index % 4096u == 0) {
        char check[RPT_U64_DIGITS];
        size_t len = rpt_fmt_u64(check, w->index);
        SIM_ASSERT(len == w->index_len && memcmp(check, w->index_text, len) == 0);
    }
}

/* ", :process P, :time T, :index I", with one test for room. */
static void edn_numbers(rpt_out *o, uint64_t process, uint64_t t, const edn_writer *w) {
    static const char a[] = ", :process ", b[] = ", :time ", c[] = ", :index ";
    char *start = rpt_out_room(o, sizeof a + sizeof b + sizeof c + 3 * RPT_U64_DIGITS);
    char *at = start;
    memcpy(at, a, sizeof a - 1);
    at += sizeof a - 1;
    at += rpt_fmt_u64(at, process);
    memcpy(at, b, sizeof b - 1);
    at += sizeof b - 1;
    at += rpt_fmt_u64(at, t);
    memcpy(at, c, sizeof c - 1);
    at += sizeof c - 1;
    memcpy(at, w->index_text, w->index_len);
    at += w->index_len;
    o->n += (size_t)(at - start);
}

static void edn_line(edn_writer *w, const hist_op *op, bool completion, uint64_t process) {
    rpt_out *o = w->o;
    sim_time t = completion ? op->complete_ns : op->invoke_ns;
    SIM_ASSERT(t != SIM_TIME_NEVER);            /* only completed ops get a completion line */
    SIM_ASSERT(t >= 0);
    SIM_ASSERT(!completion || op->result != HIST_PENDING);
    const edn_kind *k = kind_of(w, op->f);
    int type = completion ? op->result : 0;
    rpt_out_mem(o, k->head[type], k->head_len[type]);
    edn_value(o, k->value, op, completion);
    edn_numbers(o, process, (uint64_t)t, w);
    index_next(w);
    if (op->node >= 0 && (uint32_t)op->node < w->run->s->node_count)
        rpt_out_mem(o, w->node[op->node], w->node_len[op->node]);
    edn_lock(o, w->run->h, op, completion);
    if (completion && op->result != HIST_OK && op->note[0] != '\0') {
        RPT_OUT_LIT(o, ", :error ");
        rpt_out_quoted(o, op->note);
    }
    RPT_OUT_LIT(o, "}\n");
}

/* Writes the line of event e, the next in order. */
static void edn_emit(edn_writer *w, edn_event e) {
    const hist_op *op = &w->run->h->ops[e.op];
    SIM_ASSERT(op->process < w->procs);         /* gen[] was sized by the largest */
    SIM_ASSERT(w->index == 0 || edn_event_cmp(&w->last, &e) < 0);   /* sorted, no ties */
    w->last = e;
    if (w->emitted == NULL) {                   /* no :info in the history */
        SIM_ASSERT(e.phase == 0 || op->result != HIST_INFO);
        edn_line(w, op, e.phase == 1, op->process);
        return;
    }
    if (e.phase == 0) w->emitted[op->id] = op->process + w->gen[op->process] * w->procs;
    else if (op->result == HIST_INFO) w->gen[op->process]++;
    edn_line(w, op, e.phase == 1, w->emitted[op->id]);
}

/* --------------------------------------------------------------- order */

static bool has_completion(const hist_op *op) {
    return op->result != HIST_PENDING && op->complete_ns != SIM_TIME_NEVER;
}

/* Sorts ev[0..n) by t_ns (every key >= 0), stably: a least-significant-
 * digit radix sort, 11 bits a pass, as many passes as the largest key
 * needs, skipping a digit every key shares.  tmp has room for n. */
enum { RADIX_BITS = 11, RADIX = 1 << RADIX_BITS };

static void sort_by_time(edn_event *ev, edn_event *tmp, uint32_t n) {
    uint64_t any = 0;
    for (uint32_t i = 0; i < n; i++) {
        SIM_ASSERT(ev[i].t_ns >= 0);
        any |= (uint64_t)ev[i].t_ns;
    }
    uint32_t *count = sim_xmalloc(RADIX * sizeof *count);
    edn_event *src = ev, *dst = tmp;
    for (unsigned shift = 0; shift < 64 && (any >> shift) != 0; shift += RADIX_BITS) {
        memset(count, 0, RADIX * sizeof *count);
        for (uint32_t i = 0; i < n; i++) count[((uint64_t)src[i].t_ns >> shift) & (RADIX - 1)]++;
        if (count[((uint64_t)src[0].t_ns >> shift) & (RADIX - 1)] == n) continue;
        uint32_t at = 0;
        for (uint32_t d = 0; d < RADIX; d++) {
            uint32_t c = count[d];
            count[d] = at;
            at += c;
        }
        for (uint32_t i = 0; i < n; i++) dst[count[((uint64_t)src[i].t_ns >> shift) & (RADIX - 1)]++] = src[i];
        edn_event *swap = src;
        src = dst;
        dst = swap;
    }
    if (src != ev) memcpy(ev, src, (size_t)n * sizeof *ev);
    free(count);
}

/* A run's history: the completions sorted and merged with the invokes,
 * which are in op order, line by line. */
static void write_merged(edn_writer *w, const hist *h, uint32_t n) {
    edn_event *fin = sim_xcalloc((size_t)n + 1u, sizeof *fin);
    edn_event *tmp = sim_xcalloc((size_t)n + 1u, sizeof *tmp);
    uint32_t k = 0;
    for (uint32_t i = 0; i < h->op_count; i++) {
        const hist_op *op = &h->ops[i];
        if (!has_completion(op)) continue;
        SIM_ASSERT(op->complete_ns >= op->invoke_ns);
        fin[k++] = (edn_event){ op->complete_ns, i, 1 };
    }
    SIM_ASSERT(k == n);
    if (n > 0) sort_by_time(fin, tmp, n);     /* from op order: (time, op) order */
    free(tmp);
    uint32_t a = 0, b = 0;
    while (a < h->op_count || b < n) {
        edn_event inv = { a < h->op_count ? h->ops[a].invoke_ns : 0, a, 0 };
        /* edn_event_cmp(&inv, &fin[b]) < 0, the invoke's phase being the lower */
        bool take_inv = b == n || (a < h->op_count && (inv.t_ns < fin[b].t_ns ||
                                                       (inv.t_ns == fin[b].t_ns && inv.op <= fin[b].op)));
        edn_emit(w, take_inv ? inv : fin[b]);
        if (take_inv) a++;
        else b++;
    }
    free(fin);
}

/* Any other history: every event sorted whole. */
static void write_sorted(edn_writer *w, const hist *h) {
    edn_event *ev = sim_xcalloc((size_t)h->op_count * 2 + 1u, sizeof *ev);
    uint32_t n = 0;
    for (uint32_t i = 0; i < h->op_count; i++) {
        const hist_op *op = &h->ops[i];
        ev[n++] = (edn_event){ op->invoke_ns, i, 0 };
        if (!has_completion(op)) continue;
        SIM_ASSERT(op->complete_ns >= op->invoke_ns);
        ev[n++] = (edn_event){ op->complete_ns, i, 1 };
    }
    qsort(ev, n, sizeof *ev, edn_event_cmp);
    for (uint32_t k = 0; k < n; k++) edn_emit(w, ev[k]);
    free(ev);
}

void rpt_write_history_edn(FILE *f, const rpt_run *run) {
    SIM_ASSERT(f != NULL);
    SIM_ASSERT(run != NULL);
    SIM_ASSERT(run->s != NULL);
    SIM_ASSERT(run->h != NULL);
    const hist *h = run->h;
    edn_scan sc = { 0, 0, true, false };
    for (uint32_t i = 0; i < h->op_count; i++) {
        const hist_op *op = &h->ops[i];
        SIM_ASSERT(op->id == i);
        if (op->process + 1 > sc.procs) sc.procs = op->process + 1;
        if (op->invoke_ns < 0 || (i > 0 && op->invoke_ns < h->ops[i - 1].invoke_ns)) sc.in_order = false;
        sc.completions += has_completion(op);
        sc.any_info |= has_completion(op) && op->result == HIST_INFO;
    }
    edn_writer w;
    writer_init(&w, f, run, &sc);
    if (sc.in_order) write_merged(&w, h, sc.completions);
    else write_sorted(&w, h);
    writer_free(&w);
}
