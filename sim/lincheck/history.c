/* history.c -- builds a history of paired operations from Jepsen EDN or from
 * the simulator, following Knossos' conventions.
 *
 * Invariant: every process has at most one pending invocation; an op's
 * completion is the next :ok/:fail/:info of its process.  Ops whose
 * :process is not an integer (the nemesis) are skipped.  Real-time order
 * is :time when every event has one, else the order of the file.
 * Trade-off: a history is kept whole in memory (about 100 bytes an op) so
 * that it can be split by key and explained in its own terms afterwards.
 */
#include "sim/lincheck/lin_internal.h"
#include "sim/lincheck/edn.h"

#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

lin_history *lin_history_new(void) {
    lin_history *h = calloc(1, sizeof *h);
    if (h == NULL) return NULL;
    lin_intern_init(&h->values);
    uint32_t nil = lin_intern_bytes(&h->values, "nil", 3);
    LIN_ASSERT(nil == 0);
    h->all_timed = true;
    snprintf(h->name, sizeof h->name, "history");
    return h;
}

void lin_history_free(lin_history *h) {
    if (h == NULL) return;
    lin_intern_free(&h->values);
    free(h->ops);
    free(h->pending);
    free(h->pending_proc);
    free(h->events);
    free(h);
}

size_t lin_history_count(const lin_history *h) {
    LIN_ASSERT(h != NULL);
    LIN_ASSERT(h->count <= h->cap);
    return h->count;
}

uint32_t lin_value_nil(void) { return 0; }

uint32_t lin_value_intern(lin_history *h, const edn_value *v) {
    char buf[256];
    LIN_ASSERT(h != NULL);
    if (v == NULL || v->kind == EDN_NIL) return 0;
    if (v->kind == EDN_INT) {
        int n = snprintf(buf, sizeof buf, "%" PRId64, v->u.i);
        LIN_ASSERT(n > 0);
        LIN_ASSERT((size_t)n < sizeof buf);   /* 20 digits and a sign at most */
        return lin_intern_bytes(&h->values, buf, (size_t)n);
    }
    if (v->kind == EDN_KEYWORD && v->u.text.len < sizeof buf - 1) {
        buf[0] = ':';
        memcpy(buf + 1, v->u.text.ptr, v->u.text.len);
        return lin_intern_bytes(&h->values, buf, v->u.text.len + 1u);
    }
    if (v->kind == EDN_STRING && v->u.text.len < sizeof buf - 2) {   /* plain strings: quote them here */
        const char *t = v->u.text.ptr;
        uint32_t n = v->u.text.len;
        bool plain = true;
        for (uint32_t i = 0; i < n && plain; i++) plain = t[i] != '"' && t[i] != '\\' && (unsigned char)t[i] >= 0x20;
        if (plain) {
            buf[0] = '"';
            memcpy(buf + 1, t, n);
            buf[n + 1] = '"';
            return lin_intern_bytes(&h->values, buf, n + 2u);
        }
    }
    size_t n = edn_canonical(v, buf, sizeof buf);
    if (n <= sizeof buf) return lin_intern_bytes(&h->values, buf, n);
    char *big = lin_xmalloc(n);
    size_t again = edn_canonical(v, big, n);
    LIN_ASSERT(again == n);                 /* the canonical form is a function of the value */
    uint32_t id = lin_intern_bytes(&h->values, big, n);
    free(big);
    return id;
}

/* ---- pending invocations by process: open addressing, never shrinks ---- */

static int64_t *pending_slot(lin_history *h, int64_t process) {
    LIN_ASSERT(h->pending_count <= h->pending_cap);
    if (h->pending_count * 2 >= h->pending_cap) {
        size_t cap = h->pending_cap ? h->pending_cap * 2 : 64;
        int64_t *proc = lin_xmalloc(cap * sizeof *proc), *val = lin_xmalloc(cap * sizeof *val);
        for (size_t i = 0; i < cap; i++) val[i] = -1;
        for (size_t i = 0; i < h->pending_cap; i++) {
            if (h->pending[i] == -1) continue;
            size_t j = (size_t)lin_mix64((uint64_t)h->pending_proc[i]) & (cap - 1);
            while (val[j] != -1) j = (j + 1) & (cap - 1);
            proc[j] = h->pending_proc[i];
            val[j] = h->pending[i];
        }
        free(h->pending);
        free(h->pending_proc);
        h->pending = val;
        h->pending_proc = proc;
        h->pending_cap = cap;
    }
    LIN_ASSERT((h->pending_cap & (h->pending_cap - 1)) == 0);   /* the masks below need it */
    LIN_ASSERT(h->pending_count * 2 < h->pending_cap);         /* an empty slot ends the probe */
    size_t j = (size_t)lin_mix64((uint64_t)process) & (h->pending_cap - 1);
    while (h->pending[j] != -1 && h->pending_proc[j] != process) j = (j + 1) & (h->pending_cap - 1);
    if (h->pending[j] == -1) {
        h->pending_proc[j] = process;
        h->pending[j] = -2;             /* known process, nothing pending */
        h->pending_count++;
    }
    return &h->pending[j];
}

static lin_hop *new_op(lin_history *h) {
    if (h->count == h->cap) {
        h->cap = h->cap ? h->cap * 2 : 1024;
        h->ops = lin_xrealloc(h->ops, h->cap * sizeof *h->ops);
    }
    LIN_ASSERT(h->count < h->cap);
    lin_hop *op = &h->ops[h->count++];
    memset(op, 0, sizeof *op);
    op->key = LIN_NO_KEY;
    op->call_time = LIN_NO_TIME;
    op->ret_time = LIN_NO_TIME;
    op->ret_rank = LIN_NO_RANK;
    op->type = LIN_TYPE_INFO;
    h->ordered = false;
    return op;
}

static int errorf(char *err, size_t err_len, const char *fmt, ...) {
    LIN_ASSERT(err != NULL || err_len == 0);
    LIN_ASSERT(fmt != NULL);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
    return -1;
}

typedef struct fields {
    const edn_value *process, *type, *f, *value, *key, *time;
} fields;

static int read_fields(const char *name, const edn_value *m, fields *out, char *err, size_t err_len) {
    LIN_ASSERT(m != NULL);
    LIN_ASSERT(out->process == NULL);       /* the caller zeroed it: one element, one pass */
    if (m->kind != EDN_MAP)
        return errorf(err, err_len, "%s:%u:%u: error: an op must be a map (expected {:type ... :f ... :process ...})",
                      name, m->line, m->col);
    for (uint32_t i = 0; i + 1 < m->u.coll.count; i += 2) {   /* one pass over the keys */
        const edn_value *k = &m->u.coll.items[i], *v = k + 1;
        if (k->kind != EDN_KEYWORD) continue;
        const char *t = k->u.text.ptr;
        switch (k->u.text.len) {
        case 1: if (t[0] == 'f') out->f = v; break;
        case 3: if (memcmp(t, "key", 3) == 0) out->key = v; break;
        case 4: if (memcmp(t, "type", 4) == 0) out->type = v; else if (memcmp(t, "time", 4) == 0) out->time = v; break;
        case 5: if (memcmp(t, "value", 5) == 0) out->value = v; break;
        case 7: if (memcmp(t, "process", 7) == 0) out->process = v; break;
        default: break;
        }
    }
    if (out->process != NULL && out->process->kind != EDN_INT) return 1;   /* the nemesis: skipped */
    const char *missing = out->process == NULL ? ":process" : out->type == NULL ? ":type" : out->f == NULL ? ":f" : NULL;
    if (missing != NULL)
        return errorf(err, err_len, "%s:%u:%u: error: op map without %s (expected :type, :f and :process)",
                      name, m->line, m->col, missing);
    if (out->time != NULL && out->time->kind != EDN_INT)
        return errorf(err, err_len, "%s:%u:%u: error: :time is not an integer (expected nanoseconds)",
                      name, out->time->line, out->time->col);
    LIN_ASSERT(out->process->kind == EDN_INT);   /* what add_invoke and add_completion read */
    LIN_ASSERT(out->type != NULL);
    LIN_ASSERT(out->f != NULL);
    return 0;
}

static int add_invoke(lin_history *h, const char *name, const fields *fl, int64_t *slot, char *err, size_t err_len) {
    LIN_ASSERT(*slot != -1);                /* pending_slot never hands out an empty slot */
    if (*slot >= 0) {
        const lin_hop *p = &h->ops[*slot];
        LIN_ASSERT(p->process == fl->process->u.i);
        return errorf(err, err_len,
                      "%s:%u:%u: error: process %" PRId64 " invokes again while its op invoked at line %u is "
                      "still pending (expected an :ok, :fail or :info completion first)",
                      name, fl->type->line, fl->type->col, fl->process->u.i, p->call_line);
    }
    lin_hop *op = new_op(h);
    op->process = fl->process->u.i;
    op->f = lin_value_intern(h, fl->f);
    op->value = lin_value_intern(h, fl->value);
    op->key = fl->key != NULL ? lin_value_intern(h, fl->key) : LIN_NO_KEY;
    op->call_line = fl->type->line;
    op->call_col = fl->type->col;
    op->call_seq = h->seq++;
    if (fl->time != NULL) op->call_time = fl->time->u.i;
    else h->all_timed = false;
    *slot = (int64_t)(h->count - 1);
    return 0;
}

static int add_completion(lin_history *h, const char *name, const fields *fl, lin_type type, int64_t *slot,
                          char *err, size_t err_len) {
    if (*slot < 0)
        return errorf(err, err_len,
                      "%s:%u:%u: error: completion for process %" PRId64 " with no pending invocation "
                      "(expected an :invoke first)", name, fl->type->line, fl->type->col, fl->process->u.i);
    LIN_ASSERT((size_t)*slot < h->count);
    lin_hop *op = &h->ops[*slot];
    LIN_ASSERT(op->process == fl->process->u.i);   /* the slot is this process's */
    LIN_ASSERT(op->ret_line == 0);          /* pending: not completed yet */
    if (lin_value_intern(h, fl->f) != op->f)
        return errorf(err, err_len, "%s:%u:%u: error: completion :f differs from the invocation's at line %u "
                      "(expected the same :f)", name, fl->f->line, fl->f->col, op->call_line);
    if (type == LIN_TYPE_OK && fl->value != NULL) op->value = lin_value_intern(h, fl->value);
    if (type == LIN_TYPE_INFO && op->value == 0 && fl->value != NULL) op->value = lin_value_intern(h, fl->value);
    op->type = (uint8_t)type;
    op->ret_line = fl->type->line;
    op->ret_col = fl->type->col;
    op->ret_seq = h->seq++;
    if (fl->time != NULL) op->ret_time = fl->time->u.i;
    else h->all_timed = false;
    *slot = -2;
    return 0;
}

static int add_element(lin_history *h, const char *name, const edn_value *m, char *err, size_t err_len) {
    LIN_ASSERT(name != NULL);
    LIN_ASSERT(m != NULL);
    fields fl = {0};
    int rc = read_fields(name, m, &fl, err, err_len);
    if (rc != 0) return rc < 0 ? -1 : 0;
    const edn_value *t = fl.type;
    int type = edn_is_keyword(t, "invoke") ? 3 : edn_is_keyword(t, "ok") ? LIN_TYPE_OK
             : edn_is_keyword(t, "fail") ? LIN_TYPE_FAIL : edn_is_keyword(t, "info") ? LIN_TYPE_INFO : -1;
    if (type < 0)
        return errorf(err, err_len, "%s:%u:%u: error: unknown :type (expected :invoke, :ok, :fail or :info)",
                      name, t->line, t->col);
    int64_t *slot = pending_slot(h, fl.process->u.i);
    if (type == 3) return add_invoke(h, name, &fl, slot, err, err_len);
    return add_completion(h, name, &fl, (lin_type)type, slot, err, err_len);
}

int lin_history_read_edn(lin_history *h, const char *name, const char *buf, size_t len, char *err, size_t err_len) {
    LIN_ASSERT(h != NULL);
    LIN_ASSERT(name != NULL);
    edn_reader r;
    edn_reader_init(&r, name, buf, len);
    snprintf(h->name, sizeof h->name, "%s", name);
    int rc = 0;
    size_t elements = 0;
    for (;;) {
        edn_value *v;
        int got = edn_next_element(&r, &v);
        if (got == 0) break;
        elements++;
        if (got < 0) {
            snprintf(err, err_len, "%s", r.error);
            rc = -1;
            break;
        }
        if (add_element(h, name, v, err, err_len) != 0) {
            rc = -1;
            break;
        }
    }
    edn_reader_free(&r);
    if (rc == 0 && elements == 0)           /* "ok (0 ops)" would pass a file that says nothing */
        rc = errorf(err, err_len, "%s:1:1: error: no operations (expected a history of op maps, "
                    "such as {:process 0, :type :invoke, :f :read, :value nil}; the file is empty, "
                    "or holds only comments or [])", name);
    return rc;
}

/* ---- ops from the simulator ---- */

static int intern_text(lin_history *h, const char *text, uint32_t *out, char *err, size_t err_len) {
    LIN_ASSERT(out != NULL);
    if (text == NULL) {
        *out = 0;
        return 0;
    }
    edn_reader r;
    edn_reader_init(&r, "value", text, strlen(text));
    edn_value *v = NULL;
    int got = edn_next_value(&r, &v);
    int rc = 0;
    if (got < 0) rc = errorf(err, err_len, "%s", r.error);
    else if (got == 0) rc = errorf(err, err_len, "value:1:1: error: empty value text (expected EDN, e.g. 3 or [1 2])");
    else *out = lin_value_intern(h, v);
    LIN_ASSERT(rc != 0 || *out < h->values.count);
    edn_reader_free(&r);
    return rc;
}

int lin_history_add(lin_history *h, const lin_op_desc *d, char *err, size_t err_len) {
    LIN_ASSERT(h != NULL);
    LIN_ASSERT(d != NULL);
    if (d->f == NULL || d->f[0] == '\0')
        return errorf(err, err_len, "%s: error: op without f (expected e.g. \"read\")", h->name);
    if (d->type != LIN_TYPE_INFO && d->complete_ns < d->invoke_ns)
        return errorf(err, err_len, "%s: error: op of process %" PRId64 " completes at %" PRId64
                      " ns before its invocation at %" PRId64 " ns", h->name, d->process, d->complete_ns, d->invoke_ns);
    uint32_t value, key = LIN_NO_KEY;
    if (intern_text(h, d->value, &value, err, err_len) != 0) return -1;
    if (d->key != NULL && intern_text(h, d->key, &key, err, err_len) != 0) return -1;
    size_t flen = strlen(d->f);
    char *f = lin_xmalloc(flen + 2);
    f[0] = ':';
    memcpy(f + 1, d->f, flen + 1);
    lin_hop *op = new_op(h);
    op->f = lin_intern_bytes(&h->values, f, flen + 1);
    free(f);
    op->process = d->process;
    op->value = value;
    op->key = key;
    op->type = (uint8_t)d->type;
    op->call_time = d->invoke_ns;
    op->ret_time = d->type == LIN_TYPE_INFO ? LIN_NO_TIME : d->complete_ns;
    op->call_seq = h->seq++;
    op->ret_seq = h->seq++;
    return 0;
}

/* ---- real-time order ---- */

typedef struct ev_key {
    int64_t time;
    uint64_t seq;
    uint32_t code;                      /* op << 1 | is_return */
} ev_key;

static int ev_cmp(const void *a, const void *b) {
    const ev_key *x = a, *y = b;
    LIN_ASSERT(x->seq != y->seq || x == y);   /* seqs are unique: the order is total, qsort need not be stable */
    if (x->time != y->time) return x->time < y->time ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq ? 1 : 0;
}

/* Events with their sort keys; returns how many.  Info ops have no return event. */
static size_t collect_events(const lin_history *h, ev_key *ev, bool timed) {
    LIN_ASSERT(ev != NULL);
    size_t n = 0;
    for (size_t i = 0; i < h->count; i++) {
        const lin_hop *op = &h->ops[i];
        if (op->type == LIN_TYPE_FAIL) continue;
        ev[n].time = timed ? op->call_time : 0;
        ev[n].seq = op->call_seq;
        ev[n++].code = (uint32_t)(i << 1);
        if (op->type == LIN_TYPE_INFO) continue;
        ev[n].time = timed ? op->ret_time : 0;
        ev[n].seq = op->ret_seq;
        ev[n++].code = (uint32_t)(i << 1 | 1);
    }
    LIN_ASSERT(n <= 2 * h->count);          /* what the caller allocated */
    return n;
}

/* Most histories are written in time order: then a counting placement by seq is the sort. */
static bool sort_by_seq(const lin_history *h, ev_key *ev, size_t n) {
    uint32_t *by_seq = lin_xmalloc((size_t)h->seq * sizeof *by_seq);
    for (uint64_t s = 0; s < h->seq; s++) by_seq[s] = UINT32_MAX;
    for (size_t i = 0; i < n; i++) {
        LIN_ASSERT(ev[i].seq < h->seq);     /* seqs come from h->seq++ */
        LIN_ASSERT(by_seq[ev[i].seq] == UINT32_MAX);   /* and are unique */
        by_seq[ev[i].seq] = (uint32_t)i;
    }
    ev_key *tmp = lin_xmalloc(n * sizeof *tmp);
    size_t k = 0;
    bool monotone = true;
    for (uint64_t s = 0; s < h->seq; s++) {
        if (by_seq[s] == UINT32_MAX) continue;
        tmp[k] = ev[by_seq[s]];
        if (k > 0 && tmp[k].time < tmp[k - 1].time) monotone = false;
        k++;
    }
    LIN_ASSERT(k == n);
    if (monotone) memcpy(ev, tmp, n * sizeof *ev);
    free(tmp);
    free(by_seq);
    return monotone;
}

typedef struct proc_key { int64_t process; uint64_t seq; size_t op; } proc_key;

static int proc_cmp(const void *a, const void *b) {
    const proc_key *x = a, *y = b;
    if (x->process != y->process) return x->process < y->process ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq ? 1 : 0;
}

/* With :time, invocations and completions are paired in file order, so the
 * times must agree with it: no completion before its invocation, and no op
 * of a process invoked before the process's previous op completed (out of
 * order lines would otherwise pass as two overlapping ops of one process). */
static int check_timed_pairs(const lin_history *h, char *err, size_t err_len) {
    proc_key *k = lin_xmalloc(h->count * sizeof *k + 1);
    size_t n = 0;
    for (size_t i = 0; i < h->count; i++) {
        const lin_hop *op = &h->ops[i];
        if (op->call_line == 0) continue;       /* from the simulator: ordered already */
        if (op->ret_time != LIN_NO_TIME && op->ret_time < op->call_time) {
            free(k);
            return errorf(err, err_len, "%s:%u:%u: error: completion of process %" PRId64 " at :time %"
                          PRId64 " is before its invocation at line %u, :time %" PRId64
                          " (expected times that do not go back)", h->name, op->ret_line, op->ret_col,
                          op->process, op->ret_time, op->call_line, op->call_time);
        }
        k[n++] = (proc_key){ op->process, op->call_seq, i };
    }
    qsort(k, n, sizeof *k, proc_cmp);
    for (size_t i = 1; i < n; i++) {
        const lin_hop *a = &h->ops[k[i - 1].op], *b = &h->ops[k[i].op];
        if (a->process != b->process || a->ret_time == LIN_NO_TIME || b->call_time >= a->ret_time) continue;
        free(k);
        return errorf(err, err_len, "%s:%u:%u: error: process %" PRId64 " invokes at :time %" PRId64
                      ", before its op invoked at line %u completes at :time %" PRId64
                      " (expected a process's ops one after another in :time)", h->name, b->call_line,
                      b->call_col, b->process, b->call_time, a->call_line, a->ret_time);
    }
    free(k);
    return 0;
}

int lin_history_order(lin_history *h, char *err, size_t err_len) {
    if (h->ordered) return 0;
    LIN_ASSERT(h->count < (size_t)1 << 31);
    bool timed = h->all_timed;
    if (timed && check_timed_pairs(h, err, err_len) != 0) return -1;
    ev_key *ev = lin_xmalloc(2 * h->count * sizeof *ev + 1);
    size_t n = collect_events(h, ev, timed);
    if (!sort_by_seq(h, ev, n)) qsort(ev, n, sizeof *ev, ev_cmp);
    free(h->events);
    h->events = lin_xmalloc(n * sizeof *h->events + 1);
    for (size_t i = 0; i < n; i++) {
        uint32_t code = ev[i].code;
        LIN_ASSERT((code >> 1) < h->count);
        h->events[i] = code;
        lin_hop *op = &h->ops[code >> 1];
        if (code & 1) op->ret_rank = i;
        else op->call_rank = i;
    }
    h->event_count = n;
    free(ev);
    for (size_t i = 0; i < h->count; i++) {
        const lin_hop *op = &h->ops[i];
        if (op->type != LIN_TYPE_OK || op->ret_rank > op->call_rank) continue;
        return errorf(err, err_len, "%s:%u:%u: error: op of process %" PRId64 " completes at :time %" PRId64
                      " before its invocation at :time %" PRId64 " (expected times that do not go back)",
                      h->name, op->ret_line, op->ret_col, op->process, op->ret_time, op->call_time);
    }
    h->ordered = true;
    return 0;
}
