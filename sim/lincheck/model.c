/* model.c -- the sequential models: turns each history op into a lin_op the
 * search can step with lin_step(), and steps the numbered-state ops.
 *
 * Invariant: a model state is one 64-bit word, compared exactly: a value id
 * (register, seat holder), an integer (counter, stock, balance), 0/1
 * (mutex), the number of an interned state (sets, multi-register tuples)
 * or a kv trie node, so the search's memo key is exact.
 * kv strings are trie nodes (parent node, appended string) carrying their
 * length and rolling hash: an append costs one table lookup instead of
 * copying the string, and a read compares length and hash, then the bytes.
 * The same string reached by different appends gets different nodes, which
 * only costs the memo some sharing, never a wrong verdict.
 * Trade-off: numbered states are never freed during a check; their memory
 * counts against the memory budget, and transitions are memoised so that
 * backtracking does not rebuild them.
 */
#include "sim/lincheck/lin_internal.h"
#include "sim/lincheck/edn.h"

#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

enum { M_REGISTER, M_CAS_REGISTER, M_MUTEX, M_COUNTER, M_SET, M_KV, M_MULTI, M_SEAT, M_STOCK, M_BALANCE };

const char *const lin_model_names[] = {
    "register", "cas-register", "mutex", "counter", "set", "kv", "multi-register",
    "seat", "stock", "balance", NULL
};

static const char *const model_ops[] = {
    ":read, :write", ":read, :write, :cas", ":acquire, :release", ":add (or :incr), :read",
    ":add, :read", ":get, :put, :append (or :read, :write)", ":txn", ":book, :cancel, :read",
    ":buy, :restock, :read", ":deposit, :withdraw, :read"
};

typedef struct compiler {       /* what compiling one op needs */
    lin_model *m;
    lin_history *h;
    char *err;
    size_t err_len;
    edn_reader rd;              /* re-reads structured values */
    bool rd_open;
    char *rd_text;              /* rd's input: a copy, since interning a value
                                   may move the table's bytes under rd's values */
} compiler;

static int cfail(compiler *c, const lin_hop *op, const char *fmt, ...) {
    LIN_ASSERT(c->err != NULL);
    LIN_ASSERT(fmt != NULL);
    char what[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (op != NULL && op->call_line > 0)
        snprintf(c->err, c->err_len, "%s:%u:%u: error: %s", c->h->name, op->call_line, op->call_col, what);
    else
        snprintf(c->err, c->err_len, "%s: error: %s", c->h->name, what);
    return -1;
}

/* Re-reads an interned value as EDN; valid until the next call. */
static const edn_value *reread(compiler *c, uint32_t id) {
    size_t len;
    const char *text = lin_intern_get(&c->h->values, id, &len);
    if (c->rd_open) edn_reader_free(&c->rd);
    c->rd_text = lin_xrealloc(c->rd_text, len + 1);
    if (len) memcpy(c->rd_text, text, len);
    edn_reader_init(&c->rd, "value", c->rd_text, len);
    c->rd_open = true;
    edn_value *v = NULL;
    int got = edn_next_value(&c->rd, &v);
    LIN_ASSERT(got == 1);       /* canonical text always reads back */
    LIN_ASSERT(v != NULL);
    return v;
}

static bool f_is(const compiler *c, const lin_hop *op, const char *name) {
    LIN_ASSERT(name != NULL);
    LIN_ASSERT(name[0] != ':');             /* names without the colon; :f values carry it */
    size_t len, n = strlen(name);
    const char *t = lin_intern_get(&c->h->values, op->f, &len);
    return len == n + 1 && t[0] == ':' && memcmp(t + 1, name, n) == 0;
}

/* ---- memo of numbered-state transitions: (s, a) -> s' ---- */

static bool memo_get(const lin_model *m, uint64_t s, uint64_t a, uint64_t *out) {
    LIN_ASSERT(s < (UINT64_C(1) << 32));    /* the key packs s and a in 32 bits each */
    LIN_ASSERT(a < (UINT64_C(1) << 32));
    if (m->memo == NULL) return false;
    uint64_t k = s << 32 | a;
    for (size_t i = (size_t)lin_mix64(k) & m->memo_mask;; i = (i + 1) & m->memo_mask) {
        if (m->memo[3 * i] == UINT64_MAX) return false;
        if (m->memo[3 * i] == k) {
            *out = m->memo[3 * i + 2];
            return true;
        }
    }
}

static void memo_put_raw(uint64_t *memo, size_t mask, uint64_t k, uint64_t out) {
    LIN_ASSERT((mask & (mask + 1)) == 0);   /* a power of two, minus one */
    LIN_ASSERT(k != UINT64_MAX);            /* the empty-slot marker */
    size_t i = (size_t)lin_mix64(k) & mask;
    while (memo[3 * i] != UINT64_MAX && memo[3 * i] != k) i = (i + 1) & mask;
    memo[3 * i] = k;
    memo[3 * i + 2] = out;
}

static void memo_put(lin_model *m, uint64_t s, uint64_t a, uint64_t out) {
    if (m->memo == NULL || (m->memo_count + 1) * 2 > m->memo_mask + 1) {
        size_t cap = m->memo ? (m->memo_mask + 1) * 2 : 1024;
        uint64_t *fresh = lin_xmalloc(cap * 3 * sizeof *fresh);
        for (size_t i = 0; i < cap; i++) fresh[3 * i] = UINT64_MAX;
        for (size_t i = 0; m->memo != NULL && i <= m->memo_mask; i++)
            if (m->memo[3 * i] != UINT64_MAX) memo_put_raw(fresh, cap - 1, m->memo[3 * i], m->memo[3 * i + 2]);
        free(m->memo);
        m->memo = fresh;
        m->memo_mask = cap - 1;
    }
    LIN_ASSERT(s < (UINT64_C(1) << 32));
    LIN_ASSERT(a < (UINT64_C(1) << 32));
    LIN_ASSERT((m->memo_count + 1) * 2 <= m->memo_mask + 1);   /* at most half full */
    memo_put_raw(m->memo, m->memo_mask, s << 32 | a, out);
    m->memo_count++;
}

/* ---- numbered-state steps ---- */

#define KV_READ_FLAG UINT64_C(0x80000000)   /* memo keys of read checks, apart from appends */

/* A new trie node: parent's string followed by string `token`. */
static uint64_t kv_node(lin_model *m, uint64_t parent, uint64_t token) {
    if (m->kv_count == m->kv_cap) {
        m->kv_cap = m->kv_cap ? m->kv_cap * 2 : 1024;
        m->kv_parent = lin_xrealloc(m->kv_parent, m->kv_cap * sizeof *m->kv_parent);
        m->kv_token = lin_xrealloc(m->kv_token, m->kv_cap * sizeof *m->kv_token);
        m->kv_len = lin_xrealloc(m->kv_len, m->kv_cap * sizeof *m->kv_len);
        m->kv_hash = lin_xrealloc(m->kv_hash, m->kv_cap * sizeof *m->kv_hash);
    }
    size_t id = m->kv_count++, tlen = 0;
    LIN_ASSERT(id < UINT32_MAX);
    LIN_ASSERT(id == 0 || parent < id);     /* a parent is made before its children */
    LIN_ASSERT(m->states.rolling);          /* kv_hash concatenates rolling hashes */
    lin_intern_get(&m->states, (uint32_t)token, &tlen);
    bool root = id == 0;
    m->kv_parent[id] = root ? 0 : (uint32_t)parent;
    m->kv_token[id] = (uint32_t)token;
    m->kv_len[id] = (uint32_t)(root ? 0 : m->kv_len[parent] + tlen);
    m->kv_hash[id] = root ? 0 : lin_roll_concat(m->kv_hash[parent], m->states.hash[token], tlen);
    return id;
}

/* Child of `parent` by `token`, made once. */
static uint64_t kv_child(lin_model *m, uint64_t parent, uint64_t token) {
    uint64_t out;
    LIN_ASSERT(parent < m->kv_count);
    LIN_ASSERT(token < KV_READ_FLAG);       /* memo keys of reads set that bit */
    if (memo_get(m, parent, token, &out)) return out;
    out = kv_node(m, parent, token);
    memo_put(m, parent, token, out);
    return out;
}

/* Does node s spell string `str`?  Length and hash first, then the bytes from the end. */
static bool kv_equals(const lin_model *m, uint64_t s, uint64_t str) {
    LIN_ASSERT(s < m->kv_count);
    size_t len;
    const char *p = lin_intern_get(&m->states, (uint32_t)str, &len);
    if (m->kv_len[s] != len || m->kv_hash[s] != m->states.hash[str]) return false;
    size_t end = len;
    for (uint64_t n = s; n != 0; n = m->kv_parent[n]) {
        size_t tlen;
        const char *t = lin_intern_get(&m->states, m->kv_token[n], &tlen);
        LIN_ASSERT(tlen <= end);
        if (memcmp(p + end - tlen, t, tlen) != 0) return false;
        end -= tlen;
    }
    return end == 0;
}

/* Length and hash rule out almost every mismatch in O(1); only a likely
 * match walks the trie, once per (node, string). */
static bool step_kv_read(lin_model *m, uint64_t s, uint64_t str) {
    LIN_ASSERT(s < m->kv_count);
    LIN_ASSERT(str < KV_READ_FLAG);         /* else its memo key would alias another string's */
    size_t len;
    lin_intern_get(&m->states, (uint32_t)str, &len);
    if (m->kv_len[s] != len || m->kv_hash[s] != m->states.hash[str]) return false;
    uint64_t known;
    if (memo_get(m, s, str | KV_READ_FLAG, &known)) return known != 0;
    bool eq = kv_equals(m, s, str);
    memo_put(m, s, str | KV_READ_FLAG, eq);
    return eq;
}

static uint64_t step_set_add(lin_model *m, uint64_t s, uint64_t a) {
    size_t len;
    const char *p = lin_intern_get(&m->states, (uint32_t)s, &len);
    LIN_ASSERT(len % sizeof(uint32_t) == 0);   /* a set state is an array of value ids */
    LIN_ASSERT(a < (UINT64_C(1) << 32));
    size_t n = len / sizeof(uint32_t), at = 0;
    uint32_t *elems = lin_xmalloc((n + 1) * sizeof *elems);
    memcpy(elems, p, len);
    while (at < n && elems[at] < (uint32_t)a) at++;
    if (at < n && elems[at] == (uint32_t)a) {
        free(elems);
        return s;
    }
    memmove(elems + at + 1, elems + at, (n - at) * sizeof *elems);
    elems[at] = (uint32_t)a;
    uint64_t out = lin_intern_bytes(&m->states, elems, (n + 1) * sizeof *elems);
    free(elems);
    return out;
}

static bool step_txn(lin_model *m, uint64_t s, const lin_op *op, uint64_t *out) {
    size_t len;
    const char *p = lin_intern_get(&m->states, (uint32_t)s, &len);
    LIN_ASSERT(len % sizeof(uint32_t) == 0);   /* a tuple: one value id per register */
    LIN_ASSERT(op->a + op->b <= m->txn_len / 3);
    uint32_t regs[64], *r = len <= sizeof regs ? regs : lin_xmalloc(len);
    memcpy(r, p, len);
    bool ok = true, wrote = false;
    for (uint64_t i = op->a; i < op->a + op->b && ok; i++) {
        const uint32_t *mo = &m->txn[3 * i];
        LIN_ASSERT(mo[1] < len / sizeof *r);   /* every register was known before the tuple was built */
        if (mo[0]) {
            r[mo[1]] = mo[2];
            wrote = true;
        } else {
            ok = r[mo[1]] == mo[2];
        }
    }
    *out = s;
    if (ok && wrote) *out = lin_intern_bytes(&m->states, r, len);
    if (r != regs) free(r);
    return ok;
}

bool lin_model_step_slow(lin_model *m, uint64_t s, const lin_op *op, uint64_t *out) {
    LIN_ASSERT(out != NULL);
    LIN_ASSERT(op->f >= F_APPEND);          /* lin_step handles the others inline */
    if (op->f == F_TXN) return step_txn(m, s, op, out);
    if (op->f == F_APPEND) {
        *out = kv_child(m, s, op->a);
        return true;
    }
    if (op->f == F_KV_READ) {
        *out = s;
        return step_kv_read(m, s, op->a);
    }
    LIN_ASSERT(op->f == F_SET_ADD);
    if (memo_get(m, s, op->a, out)) return true;
    *out = step_set_add(m, s, op->a);
    memo_put(m, s, op->a, *out);
    return true;
}

/* ---- compiling ops ---- */

static int int_of(compiler *c, const lin_hop *hop, uint32_t id, int64_t dflt, int64_t *out) {
    LIN_ASSERT(hop != NULL);
    LIN_ASSERT(out != NULL);
    const edn_value *v = reread(c, id);
    if (v->kind == EDN_NIL) {
        *out = dflt;
        return 0;
    }
    if (v->kind != EDN_INT) return cfail(c, hop, "%s needs an integer value (got something else)", lin_model_names[c->m->kind]);
    *out = v->u.i;
    return 0;
}

static bool info_or_nil_read(const lin_hop *hop) {
    LIN_ASSERT(hop->type != LIN_TYPE_FAIL);   /* fail ops are never compiled */
    return hop->type == LIN_TYPE_INFO || hop->value == 0;
}

static int compile_register(compiler *c, const lin_hop *hop, lin_op *op) {
    LIN_ASSERT(c->m->kind == M_REGISTER || c->m->kind == M_CAS_REGISTER);
    LIN_ASSERT(op->f == F_NOOP);            /* compile_op cleared it */
    if (f_is(c, hop, "read")) {
        op->f = info_or_nil_read(hop) ? F_NOOP : F_READ_EQ;
        op->a = hop->value;
        return 0;
    }
    if (f_is(c, hop, "write")) {
        op->f = F_SET_TO;
        op->a = hop->value;
        return 0;
    }
    if (c->m->kind != M_CAS_REGISTER || !f_is(c, hop, "cas"))
        return cfail(c, hop, "model %s has no such :f (expected %s)", lin_model_names[c->m->kind], model_ops[c->m->kind]);
    const edn_value *v = reread(c, hop->value);
    if ((v->kind != EDN_VECTOR && v->kind != EDN_LIST) || v->u.coll.count != 2)
        return cfail(c, hop, ":cas value must be [expected new]");
    op->f = F_CAS;
    edn_value pair[2] = {v->u.coll.items[0], v->u.coll.items[1]};
    op->a = lin_value_intern(c->h, &pair[0]);
    op->b = lin_value_intern(c->h, &pair[1]);
    return 0;
}

static int compile_mutex(compiler *c, const lin_hop *hop, lin_op *op) {
    LIN_ASSERT(c->m->kind == M_MUTEX);
    LIN_ASSERT(op->f == F_NOOP);
    if (f_is(c, hop, "acquire") || f_is(c, hop, "lock")) op->f = F_ACQUIRE;
    else if (f_is(c, hop, "release") || f_is(c, hop, "unlock")) op->f = F_RELEASE;
    else return cfail(c, hop, "model mutex has no such :f (expected %s)", model_ops[M_MUTEX]);
    return 0;
}

/* counter, stock, balance: integers. */
static int compile_numeric(compiler *c, const lin_hop *hop, lin_op *op) {
    int kind = c->m->kind;
    LIN_ASSERT(kind == M_COUNTER || kind == M_STOCK || kind == M_BALANCE);   /* compile_op's default */
    int64_t n = 0;
    if (f_is(c, hop, "read")) {
        if (int_of(c, hop, hop->value, 0, &n) != 0) return -1;
        op->f = info_or_nil_read(hop) ? F_NOOP : F_READ_EQ;
        op->a = (uint64_t)n;
        return 0;
    }
    bool add = kind == M_COUNTER ? f_is(c, hop, "add") || f_is(c, hop, "incr") || f_is(c, hop, "increment")
             : kind == M_STOCK   ? f_is(c, hop, "restock") || f_is(c, hop, "add")
                                 : f_is(c, hop, "deposit");
    bool take = kind == M_STOCK ? f_is(c, hop, "buy") || f_is(c, hop, "take") || f_is(c, hop, "sell")
              : kind == M_BALANCE && f_is(c, hop, "withdraw");
    LIN_ASSERT(!(add && take));             /* the two name lists are disjoint */
    if (!add && !take)
        return cfail(c, hop, "model %s has no such :f (expected %s)", lin_model_names[kind], model_ops[kind]);
    if (int_of(c, hop, hop->value, kind == M_BALANCE ? 0 : 1, &n) != 0) return -1;
    if (n < 0) return cfail(c, hop, "negative amount %" PRId64 " (expected 0 or more)", n);
    op->f = add ? F_ADD : F_TAKE;
    op->a = (uint64_t)n;
    return 0;
}

/* kv values as bytes, so that appends concatenate: a string is its bytes
 * (each 0xFF byte doubled), any other value one token KV_MARK 0x01, its
 * canonical text's length in 4 bytes (big-endian), that text.  A string
 * never holds 0xFF 0x01, so the integer 1 and the string "1" differ, and
 * the encoding of a ++ b is the encoding of a followed by that of b. */
#define KV_MARK 0xffu

static uint32_t kv_string(compiler *c, const edn_value *v) {
    LIN_ASSERT(c->m->kind == M_KV);
    LIN_ASSERT(c->m->states.rolling);       /* kv strings need rolling hashes (kv_node) */
    if (v->kind == EDN_NIL) return lin_intern_bytes(&c->m->states, "", 0);
    if (v->kind == EDN_STRING && memchr(v->u.text.ptr, (int)KV_MARK, v->u.text.len) == NULL)
        return lin_intern_bytes(&c->m->states, v->u.text.ptr, v->u.text.len);
    size_t n = v->kind == EDN_STRING ? 2u * v->u.text.len : edn_canonical(v, NULL, 0);
    LIN_ASSERT(n < UINT32_MAX);             /* the reader's input is smaller */
    char *buf = lin_xmalloc(n + 6);
    size_t len = 0;
    if (v->kind == EDN_STRING) {
        for (uint32_t i = 0; i < v->u.text.len; i++) {
            buf[len++] = v->u.text.ptr[i];
            if ((unsigned char)v->u.text.ptr[i] == KV_MARK) buf[len++] = (char)KV_MARK;
        }
    } else {
        unsigned char head[6] = { KV_MARK, 0x01, (unsigned char)(n >> 24), (unsigned char)(n >> 16),
                                  (unsigned char)(n >> 8), (unsigned char)n };
        memcpy(buf, head, sizeof head);
        size_t again = edn_canonical(v, buf + 6, n);
        LIN_ASSERT(again == n);             /* the canonical form is a function of the value */
        len = n + 6;
    }
    LIN_ASSERT(len <= n + 6);
    uint32_t id = lin_intern_bytes(&c->m->states, buf, len);
    free(buf);
    return id;
}

static bool hop_empty_string(const lin_model *m, uint32_t s) {
    LIN_ASSERT(m->kind == M_KV);
    size_t len;
    lin_intern_get(&m->states, s, &len);
    return len == 0;
}

/* The node for a whole value: the root's child, or the root for "". */
static uint64_t kv_put_node(lin_model *m, uint32_t s) {
    if (m->kv_count == 0) kv_node(m, 0, lin_intern_bytes(&m->states, "", 0));
    LIN_ASSERT(m->kv_count >= 1);           /* node 0 is the root, the empty string */
    LIN_ASSERT(m->kv_len[0] == 0);
    return hop_empty_string(m, s) ? 0 : kv_child(m, 0, s);
}

static int compile_kv(compiler *c, const lin_hop *hop, lin_op *op, uint32_t *key) {
    LIN_ASSERT(c->m->kind == M_KV);
    LIN_ASSERT(key != NULL);
    const edn_value *v = reread(c, hop->value);
    edn_value val = *v;
    if (hop->key == LIN_NO_KEY) {
        if ((v->kind != EDN_VECTOR && v->kind != EDN_LIST) || v->u.coll.count != 2)
            return cfail(c, hop, "kv op without :key and without a [key value] tuple");
        edn_value k = v->u.coll.items[0];
        val = v->u.coll.items[1];
        *key = lin_value_intern(c->h, &k);
    }
    bool read = f_is(c, hop, "get") || f_is(c, hop, "read");
    if (read && (hop->type == LIN_TYPE_INFO || val.kind == EDN_NIL)) {
        op->f = F_NOOP;
        return 0;
    }
    uint32_t s = kv_string(c, &val);
    op->a = s;
    if (read) {
        op->f = F_KV_READ;
    } else if (f_is(c, hop, "put") || f_is(c, hop, "write")) {
        op->f = F_SET_TO;
        op->a = kv_put_node(c->m, s);
    } else if (f_is(c, hop, "append")) {
        op->f = hop_empty_string(c->m, s) ? F_NOOP : F_APPEND;   /* appending "" changes nothing */
    } else {
        return cfail(c, hop, "model kv has no such :f (expected %s)", model_ops[M_KV]);
    }
    return 0;
}

/* Sets as sorted arrays of value ids, interned. */
static int set_state(compiler *c, const lin_hop *hop, const edn_value *v, uint64_t *out) {
    LIN_ASSERT(c->m->kind == M_SET);
    LIN_ASSERT(out != NULL);
    if (v->kind != EDN_SET && v->kind != EDN_VECTOR && v->kind != EDN_LIST)
        return cfail(c, hop, "set read must return a set #{...} or a vector");
    uint32_t n = v->u.coll.count;
    uint32_t *ids = lin_xmalloc((n + 1u) * sizeof *ids);
    edn_value *items = lin_xmalloc((n + 1u) * sizeof *items);
    if (n) memcpy(items, v->u.coll.items, n * sizeof *items);   /* reread() below would recycle them; #{} has no items (NULL) */
    for (uint32_t i = 0; i < n; i++) ids[i] = lin_value_intern(c->h, &items[i]);
    for (uint32_t i = 1; i < n; i++)                       /* insertion sort, then unique */
        for (uint32_t j = i; j > 0 && ids[j - 1] > ids[j]; j--) {
            uint32_t t = ids[j];
            ids[j] = ids[j - 1];
            ids[j - 1] = t;
        }
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; i++) {
        LIN_ASSERT(k == 0 || ids[k - 1] <= ids[i]);   /* sorted, so equal ids are neighbours */
        if (k == 0 || ids[k - 1] != ids[i]) ids[k++] = ids[i];
    }
    *out = lin_intern_bytes(&c->m->states, ids, k * sizeof *ids);
    free(ids);
    free(items);
    return 0;
}

static int compile_set(compiler *c, const lin_hop *hop, lin_op *op) {
    LIN_ASSERT(c->m->kind == M_SET);
    LIN_ASSERT(op->f == F_NOOP);
    if (f_is(c, hop, "add")) {
        op->f = F_SET_ADD;
        op->a = hop->value;
        return 0;
    }
    if (!f_is(c, hop, "read")) return cfail(c, hop, "model set has no such :f (expected %s)", model_ops[M_SET]);
    if (info_or_nil_read(hop)) {
        op->f = F_NOOP;
        return 0;
    }
    op->f = F_READ_EQ;
    return set_state(c, hop, reread(c, hop->value), &op->a);
}

static uint32_t register_index(lin_model *m, uint32_t name) {
    LIN_ASSERT(m->kind == M_MULTI);
    LIN_ASSERT(m->nregs < UINT32_MAX);
    for (uint32_t i = 0; i < m->nregs; i++)
        if (m->regs[i] == name) return i;
    m->regs = lin_xrealloc(m->regs, (m->nregs + 1u) * sizeof *m->regs);
    m->regs[m->nregs] = name;
    return m->nregs++;
}

static void txn_push(lin_model *m, uint32_t is_write, uint32_t reg, uint32_t value) {
    LIN_ASSERT(is_write <= 1);
    LIN_ASSERT(reg < m->nregs);
    LIN_ASSERT(m->txn_len % 3 == 0);        /* (is_write, register, value) triples */
    if (m->txn_len + 3 > m->txn_cap) {
        m->txn_cap = m->txn_cap ? m->txn_cap * 2 : 768;
        m->txn = lin_xrealloc(m->txn, m->txn_cap * sizeof *m->txn);
    }
    m->txn[m->txn_len++] = is_write;
    m->txn[m->txn_len++] = reg;
    m->txn[m->txn_len++] = value;
}

static int compile_txn(compiler *c, const lin_hop *hop, lin_op *op) {
    LIN_ASSERT(c->m->kind == M_MULTI);
    LIN_ASSERT(op->f == F_NOOP);
    if (!f_is(c, hop, "txn")) return cfail(c, hop, "model multi-register has no such :f (expected :txn)");
    const edn_value *v = reread(c, hop->value);
    if (v->kind != EDN_VECTOR && v->kind != EDN_LIST)
        return cfail(c, hop, ":txn value must be a vector of [:read k v] / [:write k v] micro-ops");
    size_t start = c->m->txn_len / 3;
    for (uint32_t i = 0; i < v->u.coll.count; i++) {
        const edn_value *mo = &v->u.coll.items[i];
        if ((mo->kind != EDN_VECTOR && mo->kind != EDN_LIST) || mo->u.coll.count != 3)
            return cfail(c, hop, "micro-op %u is not [f register value]", i + 1);
        const edn_value *f = &mo->u.coll.items[0];
        bool w = edn_is_keyword(f, "write") || edn_is_keyword(f, "w");
        if (!w && !edn_is_keyword(f, "read") && !edn_is_keyword(f, "r"))
            return cfail(c, hop, "micro-op %u is neither :read nor :write", i + 1);
        uint32_t reg = register_index(c->m, lin_value_intern(c->h, &mo->u.coll.items[1]));
        uint32_t val = lin_value_intern(c->h, &mo->u.coll.items[2]);
        if (!w && (val == 0 || hop->type == LIN_TYPE_INFO)) continue;   /* no information */
        txn_push(c->m, w, reg, val);
    }
    op->a = start;
    op->b = c->m->txn_len / 3 - start;
    op->f = op->b == 0 ? F_NOOP : F_TXN;
    return 0;
}

static int compile_seat(compiler *c, const lin_hop *hop, lin_op *op) {
    LIN_ASSERT(c->m->kind == M_SEAT);
    LIN_ASSERT(op->f == F_NOOP);
    if (f_is(c, hop, "book")) {
        op->f = F_BOOK;
        op->a = hop->value;
    } else if (f_is(c, hop, "cancel") || f_is(c, hop, "release")) {
        op->f = F_CANCEL;
    } else if (f_is(c, hop, "read")) {
        const edn_value *v = reread(c, hop->value);
        bool is_free = edn_is_keyword(v, "free") || (v->kind == EDN_BOOL && !v->u.b);
        op->f = info_or_nil_read(hop) ? F_NOOP : F_READ_EQ;
        op->a = is_free ? LIN_FREE : hop->value;
    } else {
        return cfail(c, hop, "model seat has no such :f (expected %s)", model_ops[M_SEAT]);
    }
    return 0;
}

static bool op_readonly(const lin_model *m, const lin_op *op) {
    switch (op->f) {
    case F_READ_EQ:
    case F_KV_READ: return true;
    case F_CAS: return op->a == op->b;
    case F_ADD:
    case F_TAKE: return op->a == 0;
    case F_TXN:
        LIN_ASSERT(op->a + op->b <= m->txn_len / 3);
        for (uint64_t i = op->a; i < op->a + op->b; i++)
            if (m->txn[3 * i] != 0) return false;
        return true;
    default: return false;
    }
}

static int compile_op(compiler *c, const lin_hop *hop, lin_op *op, uint32_t *key) {
    LIN_ASSERT(hop->type != LIN_TYPE_FAIL);   /* dropped before compiling */
    LIN_ASSERT(c->m->kind >= 0);
    memset(op, 0, sizeof *op);
    *key = c->m->kind == M_MULTI ? LIN_NO_KEY : hop->key;
    int rc;
    switch (c->m->kind) {
    case M_REGISTER:
    case M_CAS_REGISTER: rc = compile_register(c, hop, op); break;
    case M_MUTEX: rc = compile_mutex(c, hop, op); break;
    case M_SET: rc = compile_set(c, hop, op); break;
    case M_KV: rc = compile_kv(c, hop, op, key); break;
    case M_MULTI: rc = compile_txn(c, hop, op); break;
    case M_SEAT: rc = compile_seat(c, hop, op); break;
    default: rc = compile_numeric(c, hop, op); break;
    }
    if (rc == 0) op->readonly = op_readonly(c->m, op) ? 1u : 0u;
    LIN_ASSERT(rc != 0 || op->f <= F_TXN);
    return rc;
}

/* ---- initial state ---- */

static int init_fail(compiler *c, const char *text, const char *expected) {
    LIN_ASSERT(text != NULL);
    LIN_ASSERT(c->m->kind >= 0);            /* an unknown model fails before --init is read */
    snprintf(c->err, c->err_len, "--init: error: bad initial value '%s' for model %s (expected %s)", text,
             lin_model_names[c->m->kind], expected);
    return -1;
}

static int init_multi(compiler *c, const char *text, const edn_value *v) {
    LIN_ASSERT(c->m->kind == M_MULTI);
    if (v->kind == EDN_NIL) return 0;
    if (v->kind != EDN_MAP) return init_fail(c, text, "a map such as {:x 0, :y 0}");
    for (uint32_t i = 0; i + 1 < v->u.coll.count; i += 2) {
        uint32_t reg = register_index(c->m, lin_value_intern(c->h, &v->u.coll.items[i]));
        LIN_ASSERT(reg == i / 2 || reg < i / 2);
    }
    return 0;
}

/* Builds the initial register tuple once every register name is known. */
static void init_multi_tuple(compiler *c, const edn_value *v) {
    LIN_ASSERT(c->m->kind == M_MULTI);
    LIN_ASSERT(v != NULL);
    uint32_t n = c->m->nregs ? c->m->nregs : 1;
    uint32_t *vals = calloc(n, sizeof *vals);
    if (vals == NULL) abort();
    for (uint32_t i = 0; v->kind == EDN_MAP && i + 1 < v->u.coll.count; i += 2) {
        uint32_t reg = register_index(c->m, lin_value_intern(c->h, &v->u.coll.items[i]));
        LIN_ASSERT(reg < c->m->nregs);      /* init_multi met it first: vals has room */
        vals[reg] = lin_value_intern(c->h, &v->u.coll.items[i + 1]);
    }
    c->m->init = lin_intern_bytes(&c->m->states, vals, c->m->nregs * sizeof *vals);
    free(vals);
}

static int init_state(compiler *c, const char *text, const edn_value *v) {
    lin_model *m = c->m;
    LIN_ASSERT(m->kind >= 0);
    LIN_ASSERT(v != NULL);
    switch (m->kind) {
    case M_REGISTER:
    case M_CAS_REGISTER: m->init = lin_value_intern(c->h, v); return 0;
    case M_MUTEX:
        m->init = (v->kind == EDN_BOOL && v->u.b) || edn_is_keyword(v, "held") ? 1 : 0;
        return 0;
    case M_SET:
        if (v->kind == EDN_NIL) m->init = lin_intern_bytes(&m->states, "", 0);
        else if (set_state(c, NULL, v, &m->init) != 0) return init_fail(c, text, "a set such as #{1 2}");
        return 0;
    case M_KV: m->init = kv_put_node(m, kv_string(c, v)); return 0;
    case M_MULTI: return init_multi(c, text, v);
    case M_SEAT:
        m->init = v->kind == EDN_NIL || edn_is_keyword(v, "free") ? LIN_FREE : lin_value_intern(c->h, v);
        return 0;
    default:
        if (v->kind == EDN_NIL) m->init = 0;
        else if (v->kind == EDN_INT) m->init = (uint64_t)v->u.i;
        else return init_fail(c, text, "an integer");
        return 0;
    }
}

/* An info write (or cas) of a value no op ever reads or expects may be
 * taken as never having happened: in any linearization that places it,
 * nothing observes its value before the next write replaces it, so
 * removing it leaves a linearization.  Dropping it saves the search from
 * trying it at every point.  Registers only (values are ids there). */
static void drop_unobserved_info_writes(const lin_model *m, const lin_history *h, const lin_op *ops, bool *keep) {
    if (m->kind != M_REGISTER && m->kind != M_CAS_REGISTER) return;
    bool *seen = calloc((size_t)h->values.count + 1, sizeof *seen);
    if (seen == NULL) abort();
    for (size_t i = 0; i < h->count; i++) {
        if (!keep[i]) continue;
        if (ops[i].f != F_READ_EQ && ops[i].f != F_CAS) continue;
        LIN_ASSERT(ops[i].a < h->values.count);   /* register states are value ids */
        seen[ops[i].a] = true;
    }
    for (size_t i = 0; i < h->count; i++) {
        if (!keep[i] || h->ops[i].type != LIN_TYPE_INFO) continue;
        uint64_t v = ops[i].f == F_SET_TO ? ops[i].a : ops[i].f == F_CAS ? ops[i].b : UINT64_MAX;
        LIN_ASSERT(v == UINT64_MAX || v < h->values.count);
        if (v != UINT64_MAX && !seen[v]) keep[i] = false;
    }
    free(seen);
}

static int find_model(const char *name) {
    for (int i = 0; name != NULL && lin_model_names[i] != NULL; i++)
        if (strcmp(name, lin_model_names[i]) == 0) return i;
    return -1;
}

/* After --init's value, only space and comments: '1 2' is not 1.  Read
 * with a second reader, so the first one's value stays valid. */
static int init_ends(compiler *c, const char *text, const edn_reader *ir) {
    LIN_ASSERT(ir->pos >= text);
    LIN_ASSERT(ir->pos <= ir->end);
    edn_reader tail;
    edn_reader_init(&tail, "--init", ir->pos, (size_t)(ir->end - ir->pos));
    edn_value *v = NULL;
    int got = edn_next_value(&tail, &v);
    if (got == 1) {
        uint32_t col = v->line == 1 ? v->col + (uint32_t)(ir->pos - text) : v->col;
        snprintf(c->err, c->err_len, "--init:%u:%u: error: a second value in '%s' (expected one "
                 "EDN value, such as 0 or [1 2])", v->line, col, text);
    } else if (got < 0) {
        snprintf(c->err, c->err_len, "--init: error: after the value in '%s': %s", text, tail.error);
    }
    edn_reader_free(&tail);
    return got == 0 ? 0 : -1;
}

int lin_model_compile(lin_model *m, const char *model, const char *init, lin_history *h,
                      lin_op *ops, uint32_t *keys, bool *keep, char *err, size_t err_len) {
    LIN_ASSERT(h != NULL);
    LIN_ASSERT(ops != NULL);
    LIN_ASSERT(keys != NULL);
    LIN_ASSERT(keep != NULL);
    memset(m, 0, sizeof *m);
    lin_intern_init(&m->states);
    m->kind = find_model(model);
    m->states.rolling = m->kind == M_KV;
    if (m->kind < 0) {
        snprintf(err, err_len, "--model: error: unknown model '%s' (expected register, cas-register, mutex, "
                 "counter, set, kv, multi-register, seat, stock or balance)", model ? model : "");
        return -1;
    }
    compiler c = {.m = m, .h = h, .err = err, .err_len = err_len};
    edn_reader ir;
    const char *text = init ? init : "nil";
    edn_reader_init(&ir, "--init", text, strlen(text));
    edn_value *iv = NULL;
    int rc = edn_next_value(&ir, &iv);
    if (rc < 0) snprintf(err, err_len, "%s", ir.error);
    else if (rc == 0) rc = init_fail(&c, text, "an EDN value");
    else if ((rc = init_state(&c, text, iv)) == 0) rc = init_ends(&c, text, &ir);
    for (size_t i = 0; rc >= 0 && i < h->count; i++) {
        keep[i] = false;
        if (h->ops[i].type == LIN_TYPE_FAIL) continue;
        rc = compile_op(&c, &h->ops[i], &ops[i], &keys[i]);
        keep[i] = rc == 0 && ops[i].f != F_NOOP;
    }
    if (rc >= 0 && m->kind == M_MULTI) init_multi_tuple(&c, iv);
    if (rc >= 0) drop_unobserved_info_writes(m, h, ops, keep);
    edn_reader_free(&ir);
    if (c.rd_open) edn_reader_free(&c.rd);
    free(c.rd_text);
    return rc < 0 ? -1 : 0;
}

void lin_model_free(lin_model *m) {
    LIN_ASSERT(m != NULL);
    LIN_ASSERT(m->kv_count <= m->kv_cap);
    lin_intern_free(&m->states);
    free(m->memo);
    free(m->txn);
    free(m->regs);
    free(m->kv_parent);
    free(m->kv_token);
    free(m->kv_len);
    free(m->kv_hash);
    memset(m, 0, sizeof *m);
}

size_t lin_model_memory(const lin_model *m) {
    LIN_ASSERT(m->kv_count <= m->kv_cap);
    LIN_ASSERT(m->txn_len <= m->txn_cap);
    size_t memo = m->memo ? (m->memo_mask + 1) * 3 * sizeof *m->memo : 0;
    size_t kv = m->kv_cap * (3 * sizeof(uint32_t) + sizeof(uint64_t));
    return lin_intern_memory(&m->states) + memo + m->txn_cap * sizeof *m->txn + kv;
}

/* ---- describing states for explanations ---- */

static void put_text(char *out, size_t cap, size_t *at, const char *p, size_t n) {
    LIN_ASSERT(cap > 0);
    LIN_ASSERT(*at < cap);                  /* room for the NUL, always */
    for (size_t i = 0; i < n && *at + 1 < cap; i++) out[(*at)++] = p[i];
    out[*at < cap ? *at : cap - 1] = '\0';
}

static void describe_value(const lin_history *h, uint32_t id, char *out, size_t cap, size_t *at) {
    LIN_ASSERT(id < h->values.count);
    LIN_ASSERT(at != NULL);
    size_t len;
    const char *p = lin_intern_get(&h->values, id, &len);
    put_text(out, cap, at, p, len);
}

static void describe_tuple(const lin_model *m, const lin_history *h, uint64_t s, char *out, size_t cap, size_t *at) {
    size_t len;
    const uint32_t *ids = (const uint32_t *)(const void *)lin_intern_get(&m->states, (uint32_t)s, &len);
    size_t n = len / sizeof *ids;
    LIN_ASSERT(len % sizeof *ids == 0);
    LIN_ASSERT(m->kind != M_MULTI || n == m->nregs);   /* a tuple holds every register */
    put_text(out, cap, at, m->kind == M_SET ? "#{" : "{", m->kind == M_SET ? 2 : 1);
    for (size_t i = 0; i < n; i++) {
        uint32_t v;
        memcpy(&v, (const char *)ids + i * sizeof v, sizeof v);
        if (i) put_text(out, cap, at, m->kind == M_SET ? " " : ", ", m->kind == M_SET ? 1 : 2);
        if (m->kind == M_MULTI) {
            describe_value(h, m->regs[i], out, cap, at);
            put_text(out, cap, at, " ", 1);
        }
        describe_value(h, v, out, cap, at);
    }
    put_text(out, cap, at, "}", 1);
}

/* Spells node s: its tokens from the root down, quoted. */
/* Writes encoded kv bytes (kv_string) back as EDN: "a string", a value's
 * text, and pieces of an append of both one after another. */
static bool kv_token_at(const unsigned char *p, size_t i, size_t len) {
    return i + 6 <= len && p[i] == KV_MARK && p[i + 1] == 0x01;
}

static void describe_kv_bytes(const unsigned char *p, size_t len, char *out, size_t cap, size_t *at) {
    if (len == 0) put_text(out, cap, at, "\"\"", 2);
    for (size_t i = 0; i < len;) {
        if (i > 0) put_text(out, cap, at, " ", 1);
        if (kv_token_at(p, i, len)) {
            size_t n = (size_t)p[i + 2] << 24 | (size_t)p[i + 3] << 16 | (size_t)p[i + 4] << 8 | p[i + 5];
            LIN_ASSERT(i + 6 + n <= len);   /* kv_string wrote the length */
            put_text(out, cap, at, (const char *)p + i + 6, n);
            i += 6 + n;
            continue;
        }
        put_text(out, cap, at, "\"", 1);
        for (; i < len && !kv_token_at(p, i, len); i += p[i] == KV_MARK ? 2 : 1)
            put_text(out, cap, at, (const char *)p + i, 1);   /* a doubled 0xFF is one byte */
        put_text(out, cap, at, "\"", 1);
    }
}

static void describe_kv(const lin_model *m, uint64_t s, char *out, size_t cap, size_t *at) {
    LIN_ASSERT(s < m->kv_count);
    size_t len = m->kv_len[s];
    char *str = lin_xmalloc(len + 1);
    size_t end = len;
    for (uint64_t n = s; n != 0; n = m->kv_parent[n]) {
        size_t tlen;
        const char *t = lin_intern_get(&m->states, m->kv_token[n], &tlen);
        LIN_ASSERT(tlen <= end);            /* kv_len is the sum of the tokens' lengths */
        memcpy(str + end - tlen, t, tlen);
        end -= tlen;
    }
    LIN_ASSERT(end == 0);
    describe_kv_bytes((const unsigned char *)str, len, out, cap, at);
    free(str);
}

void lin_model_describe(const lin_model *m, const lin_history *h, uint64_t s, char *out, size_t cap) {
    size_t at = 0;
    LIN_ASSERT(cap > 0);
    LIN_ASSERT(out != NULL);
    LIN_ASSERT(m->kind >= 0);
    out[0] = '\0';
    switch (m->kind) {
    case M_REGISTER:
    case M_CAS_REGISTER: describe_value(h, (uint32_t)s, out, cap, &at); break;
    case M_MUTEX: snprintf(out, cap, "%s", s ? "held" : "free"); break;
    case M_SEAT:
        if (s == LIN_FREE) snprintf(out, cap, "free");
        else {
            put_text(out, cap, &at, "booked by ", 10);
            describe_value(h, (uint32_t)s, out, cap, &at);
        }
        break;
    case M_KV: describe_kv(m, s, out, cap, &at); break;
    case M_SET:
    case M_MULTI: describe_tuple(m, h, s, out, cap, &at); break;
    default: snprintf(out, cap, "%" PRId64, (int64_t)s); break;
    }
}
