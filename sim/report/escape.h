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

#include <stdint.h>
#include <stdio.h>

/* Writes s to f as a quoted string literal, quotes included. */
void rpt_write_quoted(FILE *f, const char *s);

/* A writer for the big files (history.edn): text gathers in b and goes to
 * f in large writes, integers are formatted by hand, and no call parses a
 * format, so a line costs a few stores.  The bytes are those fprintf and
 * rpt_write_quoted would write.  Write errors show in ferror(f), as with
 * stdio; rpt_out_flush before reading f or closing it. */
typedef struct rpt_out {
    FILE *f;
    size_t n;                    /* bytes in b not yet written */
    char b[16384];
} rpt_out;
void rpt_out_flush(rpt_out *o);
void rpt_out_str(rpt_out *o, const char *s);
void rpt_out_i64(rpt_out *o, int64_t v);
void rpt_out_u64(rpt_out *o, uint64_t v);
void rpt_out_quoted(rpt_out *o, const char *s);

#endif
