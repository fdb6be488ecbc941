/* edn.c -- EDN reader: recursive descent over an in-memory buffer.
 *
 * Invariant: r->pos never passes r->end, and (line, col) always describe
 * r->pos.  Children of open collections sit on r->stack; a collection copies
 * them into the arena when it closes, so nesting costs no per-level
 * allocation.  Trade-off: the arena is reset per element, so values cannot
 * outlive the next call (the history copies what it keeps), in exchange for
 * constant memory on huge histories.
 */
#include "sim/lincheck/edn.h"
#include "sim/lincheck/lin_internal.h"      /* LIN_ASSERT only */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_BYTES ((size_t)64 * 1024)

struct edn_chunk {
    edn_chunk *next;
    size_t cap, used;
    max_align_t data[];
};

static void *arena_alloc(edn_reader *r, size_t n) {
    LIN_ASSERT(n > 0);                      /* callers skip empty collections */
    n = (n + 15u) & ~(size_t)15u;
    edn_chunk *c = r->chunks;
    if (c == NULL || c->cap - c->used < n) {
        size_t cap = n > CHUNK_BYTES ? n : CHUNK_BYTES;
        edn_chunk *fresh = malloc(sizeof *fresh + cap);
        if (fresh == NULL) {
            fprintf(stderr, "edn: out of memory\n");
            abort();
        }
        fresh->cap = cap;
        fresh->used = 0;
        fresh->next = c;
        r->chunks = fresh;
        c = fresh;
    }
    LIN_ASSERT(c->cap - c->used >= n);
    void *p = (char *)c->data + c->used;
    c->used += n;
    return p;
}

/* Keeps the largest chunk only, emptied. */
static void arena_reset(edn_reader *r) {
    LIN_ASSERT(r != NULL);
    edn_chunk *keep = r->chunks;
    if (keep == NULL) return;
    LIN_ASSERT(keep->used <= keep->cap);
    for (edn_chunk *c = keep->next; c != NULL;) {
        edn_chunk *next = c->next;
        free(c);
        c = next;
    }
    keep->next = NULL;
    keep->used = 0;
}

void edn_reader_init(edn_reader *r, const char *name, const char *buf, size_t len) {
    LIN_ASSERT(r != NULL);
    LIN_ASSERT(buf != NULL || len == 0);
    memset(r, 0, sizeof *r);
    r->name = name != NULL ? name : "<input>";
    r->buf = buf;
    r->pos = buf;
    r->end = buf + len;
    r->line = 1;
    r->line_start = buf;
}

void edn_reader_free(edn_reader *r) {
    LIN_ASSERT(r != NULL);
    LIN_ASSERT(r->stack_len <= r->stack_cap);
    arena_reset(r);
    free(r->chunks);
    free(r->stack);
    r->chunks = NULL;
    r->stack = NULL;
}

static int fail_at(edn_reader *r, uint32_t line, uint32_t col, const char *fmt, ...) {
    LIN_ASSERT(line >= 1);                  /* positions are 1-based */
    LIN_ASSERT(col >= 1);
    char what[EDN_ERROR_MAX / 2];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(r->error, sizeof r->error, "%s:%u:%u: error: %s", r->name, line, col, what);
    return -1;
}

/* Columns count bytes from the line start (as gcc does); only newlines need work. */
static inline uint32_t col_of(const edn_reader *r) {
    LIN_ASSERT(r->pos >= r->line_start);    /* (line, col) describe pos */
    return (uint32_t)(r->pos - r->line_start) + 1;
}

static inline void advance(edn_reader *r) {
    LIN_ASSERT(r->pos < r->end);            /* pos never passes end */
    if (*r->pos == '\n') {
        r->line++;
        r->line_start = r->pos + 1;
    }
    r->pos++;
}

static void skip_space(edn_reader *r) {
    LIN_ASSERT(r->pos <= r->end);
    while (r->pos < r->end) {
        char c = *r->pos;
        if (c == ';') {
            while (r->pos < r->end && *r->pos != '\n') r->pos++;
        } else if (c == '\n') {
            advance(r);
        } else if (c == ' ' || c == '\t' || c == '\r' || c == ',' || c == '\f') {
            r->pos++;
        } else {
            return;
        }
    }
}

/* Characters that end a token: whitespace, brackets, quote, comment. */
static const unsigned char delim_table[256] = {
    [' '] = 1, ['\t'] = 1, ['\n'] = 1, ['\r'] = 1, [','] = 1, ['\f'] = 1, ['('] = 1, [')'] = 1,
    ['['] = 1, [']'] = 1, ['{'] = 1, ['}'] = 1, ['"'] = 1, [';'] = 1,
};

static inline bool is_delim(char c) { return delim_table[(unsigned char)c] != 0; }

static int push(edn_reader *r, const edn_value *v) {
    LIN_ASSERT(v != NULL);
    LIN_ASSERT(r->stack_len <= r->stack_cap);
    if (r->stack_len == r->stack_cap) {
        size_t cap = r->stack_cap ? r->stack_cap * 2 : 256;
        edn_value *s = realloc(r->stack, cap * sizeof *s);
        if (s == NULL) {
            fprintf(stderr, "edn: out of memory\n");
            abort();
        }
        r->stack = s;
        r->stack_cap = cap;
    }
    LIN_ASSERT(r->stack_len < r->stack_cap);
    r->stack[r->stack_len++] = *v;
    return 0;
}

static int parse_value(edn_reader *r, int depth);

static int parse_string(edn_reader *r, edn_value *v) {
    LIN_ASSERT(r->pos < r->end);
    LIN_ASSERT(*r->pos == '"');             /* parse_value dispatched on it */
    uint32_t line = r->line, col = col_of(r);
    advance(r);                         /* opening quote */
    const char *start = r->pos;
    size_t n = 0;
    while (r->pos < r->end && *r->pos != '"') {
        if (*r->pos == '\\') {
            advance(r);
            if (r->pos == r->end) break;
        }
        advance(r);
        n++;
    }
    if (r->pos == r->end)
        return fail_at(r, line, col, "unterminated string (expected a closing '\"')");
    char *out = arena_alloc(r, n + 1);
    size_t k = 0;
    for (const char *p = start; p < r->pos; p++) {
        char c = *p;
        if (c == '\\') {
            c = *++p;
            c = c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c;
        }
        out[k++] = c;
    }
    LIN_ASSERT(k == n);                     /* both passes count an escape as one character */
    out[k] = '\0';
    advance(r);                         /* closing quote */
    v->kind = EDN_STRING;
    v->u.text.ptr = out;
    v->u.text.len = (uint32_t)k;
    return 0;
}

static int parse_number(edn_reader *r, edn_value *v, const char *tok, size_t len) {
    LIN_ASSERT(tok != NULL);
    LIN_ASSERT(len > 0);
    size_t i = (tok[0] == '-' || tok[0] == '+') ? 1 : 0;
    bool is_int = i < len;
    uint64_t acc = 0;
    size_t digits_end = len;
    if (len > i && tok[len - 1] == 'N') digits_end = len - 1;
    for (size_t k = i; k < digits_end; k++) {
        if (tok[k] < '0' || tok[k] > '9') { is_int = false; break; }
        uint64_t d = (uint64_t)(tok[k] - '0');
        if (acc > (UINT64_C(9223372036854775808) - d) / 10)
            return fail_at(r, v->line, v->col, "integer '%.*s' out of range (expected a 64-bit integer)",
                           (int)len, tok);
        acc = acc * 10 + d;
    }
    if (is_int && digits_end > i) {
        LIN_ASSERT(acc <= UINT64_C(9223372036854775808));   /* the loop's guard: at most 2^63 */
        if (tok[0] != '-' && acc > (uint64_t)INT64_MAX)
            return fail_at(r, v->line, v->col, "integer '%.*s' out of range (expected a 64-bit integer)",
                           (int)len, tok);
        v->kind = EDN_INT;
        v->u.i = tok[0] == '-' ? (int64_t)(0 - acc) : (int64_t)acc;
        return 0;
    }
    for (size_t k = i; k < len; k++) {
        char c = tok[k];
        if (!((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '-' || c == '+' || c == 'M'))
            return fail_at(r, v->line, v->col, "malformed number '%.*s' (expected digits)", (int)len, tok);
    }
    v->kind = EDN_FLOAT;
    v->u.text.ptr = tok;
    v->u.text.len = (uint32_t)len;
    return 0;
}

/* nil, true, false, numbers, keywords, symbols, characters. */
static int parse_token(edn_reader *r, edn_value *v) {
    LIN_ASSERT(r->pos < r->end);            /* at a character that is not space */
    const char *tok = r->pos;
    r->pos++;
    while (r->pos < r->end && !is_delim(*r->pos)) r->pos++;
    size_t len = (size_t)(r->pos - tok);
    LIN_ASSERT(len >= 1);
    char c0 = tok[0];
    if (c0 == '\\') {
        v->kind = EDN_CHAR;
        v->u.text.ptr = tok + 1;
        v->u.text.len = (uint32_t)(len - 1);
        if (len < 2) return fail_at(r, v->line, v->col, "empty character literal (expected a character after '\\')");
        return 0;
    }
    if (c0 == ':') {
        if (len < 2) return fail_at(r, v->line, v->col, "empty keyword (expected a name after ':')");
        v->kind = EDN_KEYWORD;
        v->u.text.ptr = tok + 1;
        v->u.text.len = (uint32_t)(len - 1);
        return 0;
    }
    if ((c0 >= '0' && c0 <= '9') || ((c0 == '-' || c0 == '+') && len > 1 && tok[1] >= '0' && tok[1] <= '9'))
        return parse_number(r, v, tok, len);
    if (len == 3 && memcmp(tok, "nil", 3) == 0) { v->kind = EDN_NIL; return 0; }
    if (len == 4 && memcmp(tok, "true", 4) == 0) { v->kind = EDN_BOOL; v->u.b = true; return 0; }
    if (len == 5 && memcmp(tok, "false", 5) == 0) { v->kind = EDN_BOOL; v->u.b = false; return 0; }
    if (c0 == '#' || c0 == '}' || c0 == ']' || c0 == ')' || (unsigned char)c0 < 0x20)
        return fail_at(r, v->line, v->col, "unexpected character '%c' (expected a value)", c0);
    v->kind = EDN_SYMBOL;
    v->u.text.ptr = tok;
    v->u.text.len = (uint32_t)len;
    return 0;
}

static const char *close_name(char close) {
    LIN_ASSERT(close == ']' || close == ')' || close == '}');
    return close == ']' ? "']' to close the vector" : close == ')' ? "')' to close the list"
                                                                   : "'}' to close the map or set";
}

/* Collections, discards and tags each take a level of C recursion, so all
 * three count against EDN_DEPTH_MAX: chained '#_ #_ ...' or '#a #a ...'
 * prefixes must not overflow the stack. */
static int fail_too_deep(edn_reader *r, const edn_value *v) {
    return fail_at(r, v->line, v->col, "nesting deeper than %d (expected flatter data)", EDN_DEPTH_MAX);
}

/* Order of values for finding equal ones: by kind, then contents; maps,
 * sets and the like by their canonical text (rare as keys), and equal
 * values by position, so the later of two is found second. */
static int text_cmp(const edn_value *x, const edn_value *y) {
    uint32_t n = x->u.text.len < y->u.text.len ? x->u.text.len : y->u.text.len;
    int c = n ? memcmp(x->u.text.ptr, y->u.text.ptr, n) : 0;
    if (c != 0) return c;
    return x->u.text.len < y->u.text.len ? -1 : x->u.text.len > y->u.text.len;
}

static int canonical_cmp(const edn_value *x, const edn_value *y) {
    size_t nx = edn_canonical(x, NULL, 0), ny = edn_canonical(y, NULL, 0);
    char *a = malloc(nx + 1), *b = malloc(ny + 1);
    if (a == NULL || b == NULL) abort();
    edn_canonical(x, a, nx);
    edn_canonical(y, b, ny);
    int c = memcmp(a, b, nx < ny ? nx : ny);
    if (c == 0) c = nx < ny ? -1 : nx > ny;
    free(a);
    free(b);
    return c;
}

static edn_kind kind_for_equality(edn_kind k) { return k == EDN_LIST ? EDN_VECTOR : k; }  /* (1) = [1] */

static int value_cmp(const edn_value *x, const edn_value *y) {
    edn_kind kx = kind_for_equality(x->kind), ky = kind_for_equality(y->kind);
    if (kx != ky) return kx < ky ? -1 : 1;
    switch (x->kind) {
    case EDN_NIL: return 0;
    case EDN_BOOL: return (int)x->u.b - (int)y->u.b;
    case EDN_INT: return x->u.i < y->u.i ? -1 : x->u.i > y->u.i;
    case EDN_FLOAT: case EDN_STRING: case EDN_CHAR: case EDN_KEYWORD: case EDN_SYMBOL:
        return text_cmp(x, y);
    default: return canonical_cmp(x, y);
    }
}

static int value_at_cmp(const void *a, const void *b) {
    const edn_value *x = *(const edn_value *const *)a, *y = *(const edn_value *const *)b;
    int c = value_cmp(x, y);
    if (c != 0) return c;
    if (x->line != y->line) return x->line < y->line ? -1 : 1;
    return x->col < y->col ? -1 : x->col > y->col;
}

static int fail_twice(edn_reader *r, const edn_value *again, const edn_value *first, size_t stride) {
    char text[64];
    edn_print(again, text, sizeof text);
    return fail_at(r, again->line, again->col, "%s %s given twice (first at %u:%u; expected each "
                   "%s once)", stride == 2 ? "map key" : "set element", text, first->line,
                   first->col, stride == 2 ? "key" : "element");
}

/* A map's keys (stride 2) or a set's elements (stride 1), each once. */
static int check_unique(edn_reader *r, const edn_value *items, size_t n, size_t stride) {
    LIN_ASSERT(stride == 1 || stride == 2);
    size_t count = n / stride;
    if (count < 2) return 0;
    if (count <= 8) {                       /* an op map: no sort, no allocation */
        for (size_t j = 1; j < count; j++)
            for (size_t i = 0; i < j; i++)
                if (value_cmp(&items[i * stride], &items[j * stride]) == 0)
                    return fail_twice(r, &items[j * stride], &items[i * stride], stride);
        return 0;
    }
    const edn_value **k = malloc(count * sizeof *k);
    if (k == NULL) abort();
    for (size_t i = 0; i < count; i++) k[i] = &items[i * stride];
    qsort(k, count, sizeof *k, value_at_cmp);
    int rc = 0;
    for (size_t i = 1; i < count && rc == 0; i++) {
        if (value_cmp(k[i - 1], k[i]) == 0) rc = fail_twice(r, k[i], k[i - 1], stride);
    }
    free(k);
    return rc;
}

/* Children are parsed onto the stack, then moved into the arena. */
static int parse_coll(edn_reader *r, edn_value *v, char close, int depth) {
    LIN_ASSERT(depth >= 0);
    LIN_ASSERT(v->kind >= EDN_VECTOR);      /* vector, list, map or set */
    uint32_t line = v->line, col = v->col;
    if (depth >= EDN_DEPTH_MAX) return fail_too_deep(r, v);
    size_t base = r->stack_len;
    for (;;) {
        skip_space(r);
        if (r->pos == r->end)
            return fail_at(r, line, col, "unterminated collection (expected %s opened here)", close_name(close));
        char c = *r->pos;
        if (c == close) break;
        if (c == ')' || c == ']' || c == '}')
            return fail_at(r, r->line, col_of(r), "unexpected '%c' (expected %s opened at %u:%u)", c,
                           close_name(close), line, col);
        if (parse_value(r, depth + 1) != 0) return -1;
    }
    advance(r);
    LIN_ASSERT(r->stack_len >= base);       /* children are pushed above base, never popped below */
    size_t n = r->stack_len - base;
    if (v->kind == EDN_MAP && n % 2 != 0)
        return fail_at(r, line, col, "map with an odd number of forms (expected key value pairs)");
    if ((v->kind == EDN_MAP || v->kind == EDN_SET) && n > 0 &&   /* {} may have no stack */
        check_unique(r, r->stack + base, n, v->kind == EDN_MAP ? 2 : 1) != 0)
        return -1;
    edn_value *items = n ? arena_alloc(r, n * sizeof *items) : NULL;
    if (n) memcpy(items, r->stack + base, n * sizeof *items);
    r->stack_len = base;
    v->u.coll.items = items;
    v->u.coll.count = (uint32_t)n;
    return 0;
}

/* Reads values until one is produced and pushed: a '#_' form in between
 * discards the form after it and produces nothing.  at_end is the error when
 * the input ends first, reported at v (the '#' that wants the form). */
static int parse_form(edn_reader *r, const edn_value *v, int depth, const char *at_end) {
    LIN_ASSERT(v != NULL);
    LIN_ASSERT(at_end != NULL);
    size_t base = r->stack_len;
    for (;;) {
        skip_space(r);
        if (r->pos == r->end) return fail_at(r, v->line, v->col, "%s", at_end);
        if (parse_value(r, depth) != 0) return -1;
        if (r->stack_len > base) break;
    }
    LIN_ASSERT(r->stack_len == base + 1);   /* one value, its children moved out */
    return 0;
}

/* '#{', '#_' and '#tag value'. */
static int parse_dispatch(edn_reader *r, edn_value *v, int depth) {
    LIN_ASSERT(*r->pos == '#');
    LIN_ASSERT(depth >= 0);
    advance(r);
    if (r->pos < r->end && *r->pos == '{') {
        advance(r);
        v->kind = EDN_SET;
        return parse_coll(r, v, '}', depth);
    }
    if (depth >= EDN_DEPTH_MAX) return fail_too_deep(r, v);
    if (r->pos < r->end && *r->pos == '_') {
        advance(r);
        size_t base = r->stack_len;
        if (parse_form(r, v, depth + 1, "'#_' at end of input (expected a value to discard)") != 0) return -1;
        r->stack_len = base;
        return 1;                       /* nothing produced */
    }
    if (r->pos == r->end || is_delim(*r->pos))
        return fail_at(r, v->line, v->col, "lone '#' (expected '#{', '#_' or a tag)");
    size_t base = r->stack_len;
    if (parse_form(r, v, depth + 1, "tag at end of input (expected a tagged value)") != 0) return -1;   /* the tag symbol */
    const edn_value *tag = &r->stack[r->stack_len - 1];
    if (tag->kind != EDN_SYMBOL)   /* "#" + any other form would not read back (edn_canonical) */
        return fail_at(r, tag->line, tag->col, "a tag must be a symbol (expected a tag such as #inst)");
    if (parse_form(r, v, depth + 1, "tag at end of input (expected a tagged value)") != 0) return -1;
    LIN_ASSERT(r->stack_len == base + 2);   /* [tag symbol, value] */
    v->kind = EDN_TAGGED;
    edn_value *items = arena_alloc(r, 2 * sizeof *items);
    memcpy(items, r->stack + base, 2 * sizeof *items);
    r->stack_len = base;
    v->u.coll.items = items;
    v->u.coll.count = 2;
    return 0;
}

/* Parses one value at r->pos (not whitespace) and pushes it on the stack. */
static int parse_value(edn_reader *r, int depth) {
    LIN_ASSERT(r->pos < r->end);            /* callers skip space and stop at the end */
    LIN_ASSERT(depth >= 0);
    edn_value v;
    memset(&v, 0, sizeof v);
    v.line = r->line;
    v.col = col_of(r);
    char c = *r->pos;
    int rc;
    if (c == '"') {
        rc = parse_string(r, &v);
    } else if (c == '[' || c == '(' || c == '{') {
        advance(r);
        v.kind = c == '[' ? EDN_VECTOR : c == '(' ? EDN_LIST : EDN_MAP;
        rc = parse_coll(r, &v, c == '[' ? ']' : c == '(' ? ')' : '}', depth);
    } else if (c == '#') {
        rc = parse_dispatch(r, &v, depth);
        if (rc == 1) return 0;
    } else if (c == ')' || c == ']' || c == '}') {
        return fail_at(r, v.line, v.col, "unexpected '%c' (expected a value)", c);
    } else {
        rc = parse_token(r, &v);
    }
    if (rc != 0) return -1;
    return push(r, &v);
}

/* Parses one value: 1 with *out set, 2 when it was discarded (#_), -1 on error. */
static int parse_one(edn_reader *r, edn_value **out) {
    LIN_ASSERT(out != NULL);
    r->stack_len = 0;
    if (parse_value(r, r->container ? 1 : 0) != 0) return -1;
    if (r->stack_len == 0) return 2;
    LIN_ASSERT(r->stack_len == 1);          /* one top-level value, its children moved out */
    edn_value *v = arena_alloc(r, sizeof *v);
    *v = r->stack[0];
    r->stack_len = 0;
    *out = v;
    return 1;
}

int edn_next_value(edn_reader *r, edn_value **out) {
    LIN_ASSERT(r != NULL);
    LIN_ASSERT(out != NULL);
    arena_reset(r);
    for (;;) {
        skip_space(r);
        if (r->pos == r->end) return 0;
        int rc = parse_one(r, out);
        if (rc != 2) return rc;
    }
}

int edn_next_element(edn_reader *r, edn_value **out) {
    LIN_ASSERT(r != NULL);
    LIN_ASSERT(out != NULL);
    arena_reset(r);
    for (;;) {
        skip_space(r);
        if (r->pos == r->end) {
            if (r->container)
                return fail_at(r, r->container_line, r->container_col,
                               "unterminated history (expected '%c' to close the one opened here)", r->container);
            return 0;
        }
        char c = *r->pos;
        if (r->container && c == r->container) {
            advance(r);
            r->container = 0;
            continue;
        }
        if (!r->container && (c == '[' || c == '(')) {
            r->container = c == '[' ? ']' : ')';
            r->container_line = r->line;
            r->container_col = col_of(r);
            advance(r);
            continue;
        }
        int rc = parse_one(r, out);
        if (rc != 2) return rc;
    }
}

const edn_value *edn_map_get(const edn_value *map, const char *keyword) {
    LIN_ASSERT(keyword != NULL);
    LIN_ASSERT(keyword[0] != ':');          /* names are given without the colon */
    if (map == NULL || map->kind != EDN_MAP) return NULL;
    size_t klen = strlen(keyword);
    for (uint32_t i = 0; i + 1 < map->u.coll.count; i += 2) {
        const edn_value *k = &map->u.coll.items[i];
        if (k->kind == EDN_KEYWORD && k->u.text.len == klen && memcmp(k->u.text.ptr, keyword, klen) == 0)
            return &map->u.coll.items[i + 1];
    }
    return NULL;
}

bool edn_is_keyword(const edn_value *v, const char *name) {
    LIN_ASSERT(name != NULL);
    LIN_ASSERT(name[0] != ':');             /* names are given without the colon */
    if (v == NULL || v->kind != EDN_KEYWORD) return false;
    size_t n = strlen(name);
    return v->u.text.len == n && memcmp(v->u.text.ptr, name, n) == 0;
}

/* ---- canonical and display printing ---- */

typedef struct sbuf {
    char *p;
    size_t len, cap;
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t n) {
    LIN_ASSERT(s != NULL || n == 0);
    LIN_ASSERT(b->len <= b->cap);
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + n) cap *= 2;
        char *p = realloc(b->p, cap);
        if (p == NULL) {
            fprintf(stderr, "edn: out of memory\n");
            abort();
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

static void sb_str(sbuf *b, const char *s) {
    LIN_ASSERT(s != NULL);
    sb_put(b, s, strlen(s));
}

static void put_string_literal(sbuf *b, const char *s, uint32_t n) {
    LIN_ASSERT(s != NULL || n == 0);
    size_t before = b->len;
    sb_put(b, "\"", 1);
    for (uint32_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '"' || c == '\\') sb_put(b, "\\", 1);
        if (c == '\n') sb_str(b, "\\n");
        else if (c == '\t') sb_str(b, "\\t");
        else if (c == '\r') sb_str(b, "\\r");
        else sb_put(b, &c, 1);
    }
    sb_put(b, "\"", 1);
    LIN_ASSERT(b->len >= before + n + 2);   /* every character kept, quotes around */
}

static void put_value(sbuf *b, const edn_value *v, bool canonical);

typedef struct piece {
    sbuf text;
} piece;

static int piece_cmp(const void *a, const void *b) {
    const sbuf *x = &((const piece *)a)->text, *y = &((const piece *)b)->text;
    LIN_ASSERT(x->p != NULL);               /* every piece holds at least one value's text */
    LIN_ASSERT(y->p != NULL);
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->p, y->p, n);
    if (c != 0) return c;
    return x->len < y->len ? -1 : x->len > y->len ? 1 : 0;
}

/* Map entries and set elements in sorted order, so that order of writing does not matter. */
static void put_sorted(sbuf *b, const edn_value *v, uint32_t stride) {
    LIN_ASSERT(stride == 1 || stride == 2);  /* set elements, or map entries */
    LIN_ASSERT(v->u.coll.count % stride == 0);   /* the reader refuses odd maps */
    uint32_t n = v->u.coll.count / stride;
    piece *ps = calloc(n ? n : 1, sizeof *ps);
    if (ps == NULL) abort();
    for (uint32_t i = 0; i < n; i++) {
        put_value(&ps[i].text, &v->u.coll.items[i * stride], true);
        if (stride == 2) {
            sb_put(&ps[i].text, " ", 1);
            put_value(&ps[i].text, &v->u.coll.items[i * stride + 1], true);
        }
    }
    qsort(ps, n, sizeof *ps, piece_cmp);
    for (uint32_t i = 0; i < n; i++) {
        if (i) sb_put(b, stride == 2 ? ", " : " ", stride == 2 ? 2 : 1);
        sb_put(b, ps[i].text.p, ps[i].text.len);
        free(ps[i].text.p);
    }
    free(ps);
}

static void put_coll(sbuf *b, const edn_value *v, bool canonical) {
    LIN_ASSERT(v->kind >= EDN_VECTOR);
    LIN_ASSERT(v->kind != EDN_TAGGED);      /* put_value writes tagged values */
    const char *open = "[", *close = "]";
    if (v->kind == EDN_LIST && !canonical) { open = "("; close = ")"; }
    if (v->kind == EDN_MAP) { open = "{"; close = "}"; }
    if (v->kind == EDN_SET) { open = "#{"; close = "}"; }
    sb_str(b, open);
    if (canonical && (v->kind == EDN_MAP || v->kind == EDN_SET)) {
        put_sorted(b, v, v->kind == EDN_MAP ? 2 : 1);
    } else {
        for (uint32_t i = 0; i < v->u.coll.count; i++) {
            if (i) sb_str(b, (v->kind == EDN_MAP && i % 2 == 0) ? ", " : " ");
            put_value(b, &v->u.coll.items[i], canonical);
        }
    }
    sb_str(b, close);
}

static void put_value(sbuf *b, const edn_value *v, bool canonical) {
    char num[32];
    switch (v->kind) {
    case EDN_NIL: sb_str(b, "nil"); break;
    case EDN_BOOL: sb_str(b, v->u.b ? "true" : "false"); break;
    case EDN_INT:
        snprintf(num, sizeof num, "%lld", (long long)v->u.i);
        sb_str(b, num);
        break;
    case EDN_STRING: put_string_literal(b, v->u.text.ptr, v->u.text.len); break;
    case EDN_CHAR: sb_str(b, "\\"); sb_put(b, v->u.text.ptr, v->u.text.len); break;
    case EDN_KEYWORD: sb_str(b, ":"); sb_put(b, v->u.text.ptr, v->u.text.len); break;
    case EDN_FLOAT:
    case EDN_SYMBOL: sb_put(b, v->u.text.ptr, v->u.text.len); break;
    case EDN_TAGGED:
        LIN_ASSERT(v->u.coll.count == 2);   /* [tag symbol, value] */
        sb_str(b, "#");
        put_value(b, &v->u.coll.items[0], canonical);
        sb_str(b, " ");
        put_value(b, &v->u.coll.items[1], canonical);
        break;
    default: put_coll(b, v, canonical); break;
    }
}

size_t edn_canonical(const edn_value *v, char *out, size_t cap) {
    LIN_ASSERT(v != NULL);
    LIN_ASSERT(out != NULL || cap == 0);
    sbuf b = {0};
    put_value(&b, v, true);
    size_t n = b.len;
    if (n > 0 && cap > 0) memcpy(out, b.p, n < cap ? n : cap);
    free(b.p);
    return n;
}

void edn_print(const edn_value *v, char *out, size_t cap) {
    LIN_ASSERT(v != NULL);
    LIN_ASSERT(out != NULL || cap == 0);
    if (cap == 0) return;
    sbuf b = {0};
    put_value(&b, v, false);
    size_t n = b.len < cap - 1 ? b.len : cap - 1;
    if (n > 0) memcpy(out, b.p, n);
    out[n] = '\0';
    if (b.len > cap - 1 && cap > 4) memcpy(out + cap - 4, "...", 3);
    free(b.p);
}
