/* edn.h -- a small reader for EDN (extensible data notation), the format of
 * Jepsen histories.
 *
 * The reader walks one in-memory buffer and hands out one value at a time.
 * Values live in an arena owned by the reader that is reset at the next call,
 * so a history of a million ops is read in constant memory: the caller copies
 * what it keeps.  Every value carries its 1-based line and column, and every
 * malformed input ends in an error message "name:line:col: error: what
 * (what was expected)", never in a crash or an assertion.
 *
 * Supported: nil, true, false, integers (64-bit, optional N suffix), floats
 * (kept as text), strings with escapes, characters, keywords, symbols,
 * vectors, lists, maps, sets, #_ discard, tagged values (#inst "..."), `;`
 * comments and commas as whitespace.  Nesting is limited to EDN_DEPTH_MAX.
 */
#ifndef CCSIM_EDN_H
#define CCSIM_EDN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EDN_DEPTH_MAX 64
#define EDN_ERROR_MAX 512

typedef enum edn_kind {
    EDN_NIL = 0, EDN_BOOL, EDN_INT, EDN_FLOAT, EDN_STRING, EDN_CHAR,
    EDN_KEYWORD, EDN_SYMBOL, EDN_VECTOR, EDN_LIST, EDN_MAP, EDN_SET, EDN_TAGGED
} edn_kind;

typedef struct edn_value edn_value;
struct edn_value {
    edn_kind kind;
    uint32_t line, col;                 /* 1-based position of the first character */
    union {
        int64_t i;                      /* EDN_INT */
        bool b;                         /* EDN_BOOL */
        struct {                        /* STRING (unescaped), CHAR, FLOAT, KEYWORD */
            const char *ptr;            /*   (without ':'), SYMBOL; not NUL-terminated */
            uint32_t len;
        } text;
        struct {                        /* VECTOR, LIST, SET; MAP as k0 v0 k1 v1...; */
            edn_value *items;           /*   TAGGED as [tag symbol, value] */
            uint32_t count;
        } coll;
    } u;
};

typedef struct edn_chunk edn_chunk;

typedef struct edn_reader {
    const char *name;                   /* file name used in messages */
    const char *buf, *end, *pos;        /* input, not owned */
    uint32_t line;                      /* line of pos */
    const char *line_start;             /* first byte of that line; column = pos - line_start + 1 */
    int container;                      /* 0 none, ']' or ')' while inside a top-level one */
    uint32_t container_line, container_col;
    edn_chunk *chunks;                  /* arena for values of the current element */
    edn_value *stack;                   /* scratch: children of open collections */
    size_t stack_len, stack_cap;
    char error[EDN_ERROR_MAX];          /* set when a call returns -1 */
} edn_reader;

/* Prepares r to read buf[0..len).  name appears in error messages. */
void edn_reader_init(edn_reader *r, const char *name, const char *buf, size_t len);
void edn_reader_free(edn_reader *r);

/* The next history element: the elements of a top-level vector or list are
 * handed out one by one, other top-level values as they are.  Returns 1 with
 * *out set (valid until the next call), 0 at the end, -1 on malformed input
 * with r->error set. */
int edn_next_element(edn_reader *r, edn_value **out);

/* Reads the next complete top-level value without descending into it.
 * Same returns as edn_next_element. */
int edn_next_value(edn_reader *r, edn_value **out);

/* Map lookup by keyword name (without ':'); NULL when absent. */
const edn_value *edn_map_get(const edn_value *map, const char *keyword);

/* True when v is the keyword `name` (without ':'). */
bool edn_is_keyword(const edn_value *v, const char *name);

/* Writes v in a canonical form (lists as vectors, map entries and set
 * elements sorted) so that equal values give equal bytes.  Returns the
 * length it needed; writes at most cap bytes (no NUL). */
size_t edn_canonical(const edn_value *v, char *out, size_t cap);

/* Writes v as EDN text for messages, NUL-terminated, truncated to cap. */
void edn_print(const edn_value *v, char *out, size_t cap);

#endif
