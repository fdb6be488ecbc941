/* escape.c -- the quoted string literal of summary.json and history.edn
 * (escape.h says which bytes become what). */
#include "sim/report/escape.h"

#include "sim/base.h"

void rpt_write_quoted(FILE *f, const char *s) {
    SIM_ASSERT(f != NULL);
    SIM_ASSERT(s != NULL);
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        default:
            if (*p < 0x20 || *p == 0x7f) fprintf(f, "\\u%04x", (unsigned)*p);
            else fputc(*p, f);
        }
    }
    fputc('"', f);
}
