/* escape.c -- the quoted string literal of summary.json and history.edn
 * (escape.h says which bytes become what). */
#include "sim/report/escape.h"

#include <string.h>

#include "sim/base.h"

void rpt_out_flush(rpt_out *o) {
    SIM_ASSERT(o->n <= sizeof o->b);
    if (o->n > 0) fwrite(o->b, 1, o->n, o->f);
    o->n = 0;
}

void rpt_out_mem_slow(rpt_out *o, const char *s, size_t len) {
    rpt_out_flush(o);
    if (len > sizeof o->b / 2) {                 /* a long text: straight through */
        fwrite(s, 1, len, o->f);
        return;
    }
    memcpy(o->b, s, len);
    o->n = len;
}

void rpt_out_str(rpt_out *o, const char *s) {
    SIM_ASSERT(s != NULL);
    rpt_out_mem(o, s, strlen(s));
}

/* "00" "01" ... "99": two digits per division. */
static const char digit_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

size_t rpt_fmt_u64(char *out, uint64_t v) {
    size_t len = 1;
    for (uint64_t rest = v; rest >= 10u; rest /= 10u) len++;
    SIM_ASSERT(len <= RPT_U64_DIGITS);
    char *p = out + len;
    while (v >= 100u) {
        uint64_t two = v % 100u;
        v /= 100u;
        p -= 2;
        memcpy(p, digit_pairs + 2 * two, 2);
    }
    if (v >= 10u) {
        p -= 2;
        memcpy(p, digit_pairs + 2 * v, 2);
    } else {
        *--p = (char)('0' + v);
    }
    SIM_ASSERT(p == out);
    return len;
}

void rpt_out_i64(rpt_out *o, int64_t v) {
    if (v < 0) {
        RPT_OUT_LIT(o, "-");
        rpt_out_u64(o, 0u - (uint64_t)v);        /* INT64_MIN too */
        return;
    }
    rpt_out_u64(o, (uint64_t)v);
}

/* One byte of a quoted text, escaped: its length in out (at most 6). */
static size_t escape_byte(unsigned char c, char *out) {
    static const char hex[] = "0123456789abcdef";
    switch (c) {
    case '"': memcpy(out, "\\\"", 2); return 2;
    case '\\': memcpy(out, "\\\\", 2); return 2;
    case '\n': memcpy(out, "\\n", 2); return 2;
    case '\r': memcpy(out, "\\r", 2); return 2;
    case '\t': memcpy(out, "\\t", 2); return 2;
    default:
        if (c >= 0x20 && c != 0x7f) { out[0] = (char)c; return 1; }
        memcpy(out, "\\u00", 4);
        out[4] = hex[c >> 4];
        out[5] = hex[c & 15u];
        return 6;
    }
}

void rpt_out_quoted(rpt_out *o, const char *s) {
    SIM_ASSERT(s != NULL);
    RPT_OUT_LIT(o, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (sizeof o->b - o->n < 6) rpt_out_flush(o);
        o->n += escape_byte(*p, o->b + o->n);
    }
    RPT_OUT_LIT(o, "\"");
}

size_t rpt_quote_into(char *out, const char *s) {
    SIM_ASSERT(out != NULL);
    SIM_ASSERT(s != NULL);
    size_t n = 0;
    out[n++] = '"';
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) n += escape_byte(*p, out + n);
    out[n++] = '"';
    return n;
}

void rpt_write_quoted(FILE *f, const char *s) {
    SIM_ASSERT(f != NULL);
    SIM_ASSERT(s != NULL);
    rpt_out o;
    o.f = f;
    o.n = 0;
    rpt_out_quoted(&o, s);
    rpt_out_flush(&o);
}
