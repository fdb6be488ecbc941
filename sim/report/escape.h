/* escape.h -- the report layer's one string escaper, for JSON and EDN.
 *
 * summary.json (and `ccsim run --json`) and history.edn quote text the same
 * way, so one writer serves both and they cannot drift apart: a JSON string
 * literal, which Clojure's EDN reader (Jepsen's) reads as the same string.
 * '"' and '\' are escaped, newline, CR and tab become \n, \r, \t, the other
 * control bytes and DEL \u00XX; every other byte passes through, so UTF-8
 * stays UTF-8.  (sim/lincheck writes its own EDN: it lies below this layer.
 * The JUnit XML of `ccsim check` is another format.)
 */
#ifndef CCSIM_REPORT_ESCAPE_H
#define CCSIM_REPORT_ESCAPE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Writes s to f as a quoted string literal, quotes included. */
void rpt_write_quoted(FILE *f, const char *s);

/* Writes s quoted at out, which has room for RPT_QUOTED_MAX(strlen(s))
 * bytes (no terminating NUL): the length written. */
#define RPT_QUOTED_MAX(len) (6u * (len) + 2u)
size_t rpt_quote_into(char *out, const char *s);

/* A writer for the big files (history.edn): text gathers in b and goes to
 * f in large writes, integers are formatted by hand, and no call parses a
 * format, so a line costs a few stores.  The bytes are those fprintf and
 * rpt_write_quoted would write.  Write errors show in ferror(f), as with
 * stdio; rpt_out_flush before reading f or closing it.  The short calls
 * (rpt_out_mem, RPT_OUT_LIT, rpt_out_u64) are inline: history.edn makes
 * a dozen per line, a few hundred thousand lines. */
typedef struct rpt_out {
    FILE *f;
    size_t n;                    /* bytes in b not yet written, <= sizeof b */
    char b[65536];
} rpt_out;
void rpt_out_flush(rpt_out *o);
void rpt_out_str(rpt_out *o, const char *s);
void rpt_out_i64(rpt_out *o, int64_t v);
void rpt_out_quoted(rpt_out *o, const char *s);
void rpt_out_mem_slow(rpt_out *o, const char *s, size_t len);   /* rpt_out_mem when b is full */

/* Formats v in decimal at out (room for RPT_U64_DIGITS): its length. */
#define RPT_U64_DIGITS 20
size_t rpt_fmt_u64(char *out, uint64_t v);

static inline void rpt_out_mem(rpt_out *o, const char *s, size_t len) {
    if (len <= sizeof o->b - o->n) {
        memcpy(o->b + o->n, s, len);
        o->n += len;
        return;
    }
    rpt_out_mem_slow(o, s, len);
}

/* Room for len more bytes (len at most the buffer's size): where they go.
 * The caller writes at most len there and adds what it wrote to n. */
static inline char *rpt_out_room(rpt_out *o, size_t len) {
    if (len > sizeof o->b - o->n) rpt_out_flush(o);
    return o->b + o->n;
}

/* A string literal, its length known when compiled. */
#define RPT_OUT_LIT(o, lit) rpt_out_mem((o), "" lit, sizeof(lit) - 1u)

static inline void rpt_out_u64(rpt_out *o, uint64_t v) {
    if (sizeof o->b - o->n < RPT_U64_DIGITS) rpt_out_flush(o);
    o->n += rpt_fmt_u64(o->b + o->n, v);
}

#endif
