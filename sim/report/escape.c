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

/* Room for len more bytes (len at most the buffer). */
static char *out_room(rpt_out *o, size_t len) {
    SIM_ASSERT(len <= sizeof o->b);
    if (o->n + len > sizeof o->b) rpt_out_flush(o);
    return o->b + o->n;
}

static void out_bytes(rpt_out *o, const char *s, size_t len) {
    if (len > sizeof o->b / 2) {                 /* a long text: straight through */
        rpt_out_flush(o);
        fwrite(s, 1, len, o->f);
        return;
    }
    memcpy(out_room(o, len), s, len);
    o->n += len;
}

void rpt_out_str(rpt_out *o, const char *s) {
    SIM_ASSERT(s != NULL);
    out_bytes(o, s, strlen(s));
}

void rpt_out_u64(rpt_out *o, uint64_t v) {
    char digits[20];
    size_t k = sizeof digits;
    do {
        digits[--k] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v > 0);
    out_bytes(o, digits + k, sizeof digits - k);
}

void rpt_out_i64(rpt_out *o, int64_t v) {
    if (v < 0) {
        out_bytes(o, "-", 1);
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
    out_bytes(o, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        char *at = out_room(o, 6);
        o->n += escape_byte(*p, at);
    }
    out_bytes(o, "\"", 1);
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
