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

/* The number of decimal digits of v: from its bit length (a bit is
 * log10(2) ~ 1233/4096 digits), then one more if v reaches the next power. */
static size_t digits_of(uint64_t v) {
    static const uint64_t pow10[RPT_U64_DIGITS] = {
        1u, 10u, 100u, 1000u, 10000u, 100000u, 1000000u, 10000000u, 100000000u, 1000000000u,
        10000000000u, 100000000000u, 1000000000000u, 10000000000000u, 100000000000000u,
        1000000000000000u, 10000000000000000u, 100000000000000000u, 1000000000000000000u,
        10000000000000000000u,
    };
    unsigned bits = v == 0 ? 1u : 64u - (unsigned)__builtin_clzll(v);
    size_t len = (bits * 1233u) >> 12;         /* digits of 2^(bits-1), less one */
    if (len < RPT_U64_DIGITS && v >= pow10[len]) len++;
    return len == 0 ? 1 : len;
}

size_t rpt_fmt_u64(char *out, uint64_t v) {
    size_t len = digits_of(v);
    SIM_ASSERT(len >= 1 && len <= RPT_U64_DIGITS);
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

/* The length of the run of bytes at p that pass through unescaped. */
static size_t plain_len(const unsigned char *p) {
    size_t n = 0;
    while (p[n] >= 0x20 && p[n] != 0x7f && p[n] != '"' && p[n] != '\\') n++;
    return n;
}

void rpt_out_quoted(rpt_out *o, const char *s) {
    SIM_ASSERT(s != NULL);
    RPT_OUT_LIT(o, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        size_t run = plain_len(p);
        rpt_out_mem(o, (const char *)p, run);
        p += run;
        if (*p == '\0') break;
        char esc[6];
        rpt_out_mem(o, esc, escape_byte(*p++, esc));
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
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        size_t run = plain_len(p);
        fwrite(p, 1, run, f);
        p += run;
        if (*p == '\0') break;
        char esc[6];
        fwrite(esc, 1, escape_byte(*p++, esc), f);
    }
    fputc('"', f);
}
