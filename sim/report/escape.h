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

#include <stdio.h>

/* Writes s to f as a quoted string literal, quotes included. */
void rpt_write_quoted(FILE *f, const char *s);

#endif
