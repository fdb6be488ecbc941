/* base.c -- assertion failure, allocation that panics, time formatting,
 * text made one line.
 * Invariant: nothing here keeps state that decides anything; every function
 * is safe to call from any module.  The one piece of state, the assertion
 * context hook, is thread-local and only ever printed. */
#include "sim/base.h"
#include "sim/memory.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Thread_local sim_assert_context_fn context_fn;
static _Thread_local const void *context_ctx;

void sim_assert_set_context(sim_assert_context_fn fn, const void *ctx) {
    context_fn = fn;
    context_ctx = fn ? ctx : NULL;
}

void sim_assert_fail(const char *expr, const char *file, int line) {
    fprintf(stderr, "ccsim: internal error: assertion failed: %s (%s:%d)\n"
                    "  this is a bug in ccsim, not in your scenario; please report it\n",
            expr, file, line);
    sim_assert_context_fn fn = context_fn;
    context_fn = NULL;               /* an assertion inside fn must not loop */
    if (fn) fn(context_ctx);
    fflush(stderr);
    abort();
}

void *sim_xmalloc(size_t size) {
    void *p = malloc(size ? size : 1);
    if (!p) { fprintf(stderr, "ccsim: out of memory (%zu bytes)\n", size); abort(); }
    sim_memory_grew(p, size);
    return p;
}

void *sim_xcalloc(size_t count, size_t size) {
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p) { fprintf(stderr, "ccsim: out of memory (%zu x %zu bytes)\n", count, size); abort(); }
    sim_memory_grew(p, count * size);
    return p;
}

void *sim_xrealloc(void *ptr, size_t size) {
    void *p = realloc(ptr, size ? size : 1);
    if (!p) { fprintf(stderr, "ccsim: out of memory (%zu bytes)\n", size); abort(); }
    sim_memory_grew(p, size);
    return p;
}

char *sim_xstrdup(const char *s) {
    size_t n = strlen(s) + 1;
    char *p = sim_xmalloc(n);
    memcpy(p, s, n);
    return p;
}

void sim_fmt_name_seq(char *buf, size_t len, const char *name, uint32_t seq) {
    SIM_ASSERT(buf != NULL);
    SIM_ASSERT(len > 0);
    SIM_ASSERT(name != NULL);
    char text[20 + 1 + 10 + 1], digits[10];
    size_t n = strnlen(name, 20), d = 0;
    memcpy(text, name, n);
    text[n++] = ':';
    do {
        digits[d++] = (char)('0' + seq % 10u);
        seq /= 10u;
    } while (seq != 0);
    while (d > 0) text[n++] = digits[--d];
    if (n > len - 1) n = len - 1;
    memcpy(buf, text, n);
    buf[n] = '\0';
}

void sim_copy_text(char *buf, size_t len, const char *src, size_t max) {
    SIM_ASSERT(buf != NULL);
    SIM_ASSERT(len > 0);
    SIM_ASSERT(src != NULL);
    size_t n = strnlen(src, max < len - 1 ? max : len - 1);
    memmove(buf, src, n);
    buf[n] = '\0';
}

/* Seconds with the fewest decimals that keep the value exact, up to ns. */
void sim_fmt_time(char *buf, size_t len, sim_time t) {
    SIM_ASSERT(buf != NULL);
    SIM_ASSERT(len > 0);
    const char *sign = t < 0 ? "-" : "";
    uint64_t a = t < 0 ? (uint64_t)(-(t + 1)) + 1u : (uint64_t)t;
    uint64_t sec = a / 1000000000u, frac = a % 1000000000u;
    if (frac == 0) { snprintf(buf, len, "%s%" PRIu64 " s", sign, sec); return; }
    int digits = 9;
    while (frac % 10u == 0) { frac /= 10u; digits--; }
    if (digits < 3) {               /* keep milliseconds visible: 10.500 s */
        while (digits < 3) { frac *= 10u; digits++; }
    }
    snprintf(buf, len, "%s%" PRIu64 ".%0*" PRIu64 " s", sign, sec, digits, frac);
}

void sim_one_line(char *dst, size_t cap, const char *src) {
    SIM_ASSERT(dst != NULL);
    SIM_ASSERT(cap >= 1);
    SIM_ASSERT(src != NULL);
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)src; *p; p++) {
        char esc[5] = {(char)*p, '\0'};
        if (*p == '\n') memcpy(esc, "\\n", 3);
        else if (*p == '\r') memcpy(esc, "\\r", 3);
        else if (*p == '\t') memcpy(esc, "\\t", 3);
        else if (*p < 0x20 || *p == 0x7f) snprintf(esc, sizeof esc, "\\x%02x", *p);
        size_t len = strlen(esc);
        if (n + len >= cap) break;
        memcpy(dst + n, esc, len);
        n += len;
    }
    dst[n] = '\0';
}
