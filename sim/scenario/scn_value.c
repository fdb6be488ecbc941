/* scn_value.c -- the value grammar of scenario files: durations, rates,
 * clock rates, error formatting and "did you mean" suggestions.
 *
 * Invariant: every number is parsed with integer arithmetic only, so the
 * same text gives the same nanoseconds or ppm on every machine ("1.5s" is
 * exactly 1500000000 ns).  A value that cannot be represented exactly
 * ("1.5ns", "0.0000001") is an error rather than a rounding.  Trade-off:
 * units that are not powers of ten (m, h) allow 10 and 11 decimals, which
 * still reaches nanoseconds exactly.  A duration is at most CONFIG_TIME_MAX
 * (sim/config.h) in size, signed or not: that range keeps every sum a run
 * makes of them inside 64 bits.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sim/scenario/scn_int.h"

#define PPM 1000000
#define CLOCK_RATE_PPM_MAX (10 * PPM)   /* a clock at most 10x fast */

typedef enum { DEC_OK = 0, DEC_SYNTAX, DEC_TOO_FINE, DEC_OVERFLOW } dec_status;

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* Parses "12", "1.5", ".5" in p[0..len) as value * 10^scale, exactly. */
static dec_status parse_decimal(const char *p, size_t len, unsigned scale, uint64_t *out) {
    SIM_ASSERT(p != NULL);
    SIM_ASSERT(scale <= 18);
    size_t i = 0;
    uint64_t v = 0;
    bool digits = false, overflow = false, too_fine = false;
    unsigned frac = 0;
    for (; i < len && is_digit(p[i]); i++, digits = true) {
        uint64_t d = (uint64_t)(p[i] - '0');
        if (v > (UINT64_MAX - d) / 10u) overflow = true; else v = v * 10u + d;
    }
    if (i < len && p[i] == '.') {
        size_t start = ++i;
        for (; i < len && is_digit(p[i]); i++) {
            uint64_t d = (uint64_t)(p[i] - '0');
            if (frac == scale) { if (d != 0) too_fine = true; continue; }
            if (v > (UINT64_MAX - d) / 10u) overflow = true; else v = v * 10u + d;
            frac++;
        }
        if (i == start) return DEC_SYNTAX;
        digits = true;
    }
    if (!digits || i != len) return DEC_SYNTAX;
    for (; frac < scale; frac++) {
        if (v > UINT64_MAX / 10u) overflow = true; else v *= 10u;
    }
    if (overflow) return DEC_OVERFLOW;
    if (too_fine) return DEC_TOO_FINE;
    *out = v;
    return DEC_OK;
}

/* Length of the number at the start of text: digits and dots. */
static size_t number_len(const char *text) {
    SIM_ASSERT(text != NULL);
    size_t n = 0;
    while (is_digit(text[n]) || text[n] == '.') n++;
    return n;
}

static const char *skip_spaces(const char *p) {
    SIM_ASSERT(p != NULL);
    while (*p == ' ') p++;
    return p;
}

typedef struct unit { const char *name; unsigned scale; uint64_t mult; } unit;
static const unit units[] = {
    {"ns", 0, 1}, {"us", 3, 1}, {"ms", 6, 1}, {"s", 9, 1}, {"m", 10, 6}, {"h", 11, 36},
};

/* Magnitude of an unsigned duration text (no sign); text points into
 * shown, the whole value as written, for messages. */
static int parse_magnitude(const char *text, const char *shown, sim_time *out,
                           char *err, size_t err_len) {
    SIM_ASSERT(shown != NULL);
    SIM_ASSERT(text >= shown);                  /* text points into shown, past a sign */
    size_t n = number_len(text);
    const char *u = skip_spaces(text + n);
    if (n == 0 || !is_digit(text[n - 1]) || (text[0] == '.' && n == 1)) {
        snprintf(err, err_len, "'%.64s' is not a duration (expected a number with a unit: "
                 "ns, us, ms, s, m or h, such as 10s or 250ms)", shown);
        return -1;
    }
    if (*u == '\0') {                         /* suggest the number as written, sign too */
        int shown_n = (int)((size_t)(text - shown) + n);
        if (shown_n > 24) shown_n = 24;
        snprintf(err, err_len, "'%.64s' has no unit (expected a unit after the number, "
                 "such as %.*ss or %.*sms)", shown, shown_n, shown, shown_n, shown);
        return -1;
    }
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcmp(u, units[i].name) != 0) continue;
        uint64_t v = 0;
        dec_status st = parse_decimal(text, n, units[i].scale, &v);
        if (st == DEC_OK && v > (uint64_t)CONFIG_TIME_MAX / units[i].mult) st = DEC_OVERFLOW;
        if (st == DEC_OK) {
            *out = (sim_time)(v * units[i].mult);
            SIM_ASSERT(*out >= 0);              /* v * mult <= CONFIG_TIME_MAX, checked above */
            return 0;
        }
        if (st == DEC_TOO_FINE)
            snprintf(err, err_len, "'%.64s' is finer than a nanosecond (expected fewer "
                     "decimals, or a smaller unit)", shown);
        else if (st == DEC_OVERFLOW)
            snprintf(err, err_len, "'%.64s' is too large (expected at most "
                     CONFIG_TIME_MAX_TEXT ")", shown);
        else
            snprintf(err, err_len, "'%.64s' is not a duration (expected a number with a unit "
                     "such as 10s or 1.5s)", shown);
        return -1;
    }
    snprintf(err, err_len, "'%.64s' has an unknown unit '%.64s' (expected ns, us, ms, s, m or h)",
             shown, u);
    return -1;
}

int scn_parse_duration(const char *text, sim_time *out, char *err, size_t err_len) {
    SIM_ASSERT(text != NULL);
    SIM_ASSERT(out != NULL);
    if (text[0] == '-') {
        sim_time v = 0;
        if (parse_magnitude(text + 1, text, &v, err, err_len) != 0) return -1;
        snprintf(err, err_len, "'%.64s' is negative (expected a duration of 0 or more, "
                 "such as 10s or 250ms)", text);
        return -1;
    }
    return parse_magnitude(text[0] == '+' ? text + 1 : text, text, out, err, err_len);
}

int scn_parse_signed_duration(const char *text, sim_time *out, char *err, size_t err_len) {
    SIM_ASSERT(text != NULL);
    SIM_ASSERT(out != NULL);
    bool neg = text[0] == '-';
    sim_time v = 0;
    const char *body = (text[0] == '-' || text[0] == '+') ? text + 1 : text;
    if (parse_magnitude(body, text, &v, err, err_len) != 0) return -1;
    *out = neg ? -v : v;
    return 0;
}

/* "2%", "0.02", "500ppm" (also "2 %") as ppm; no range check. */
static dec_status parse_ppm(const char *text, uint64_t *out) {
    SIM_ASSERT(text != NULL);
    SIM_ASSERT(out != NULL);
    size_t n = number_len(text);
    const char *u = skip_spaces(text + n);
    if (*u == '\0') return parse_decimal(text, n, 6, out);
    if (strcmp(u, "%") == 0) return parse_decimal(text, n, 4, out);
    if (strcmp(u, "ppm") == 0) return parse_decimal(text, n, 0, out);
    return DEC_SYNTAX;
}

int scn_parse_rate(const char *text, uint32_t *ppm_out, char *err, size_t err_len) {
    SIM_ASSERT(text != NULL);
    SIM_ASSERT(ppm_out != NULL);
    uint64_t v = 0;
    dec_status st = text[0] == '-' ? DEC_SYNTAX : parse_ppm(text, &v);
    if (st == DEC_SYNTAX && text[0] == '-' && parse_ppm(text + 1, &v) != DEC_SYNTAX) {
        snprintf(err, err_len, "'%.64s' is negative (expected a rate from 0 to 1, "
                 "such as 2%%, 0.02 or 500ppm)", text);
        return -1;
    }
    if (st == DEC_SYNTAX) {
        snprintf(err, err_len, "'%.64s' is not a rate (expected a rate such as 2%%, 0.02 "
                 "or 500ppm)", text);
        return -1;
    }
    if (st == DEC_OVERFLOW || (st == DEC_OK && v > PPM)) {
        snprintf(err, err_len, "'%.64s' is more than 100%% (expected a rate from 0 to 1, "
                 "such as 2%%, 0.02 or 500ppm)", text);
        return -1;
    }
    if (st == DEC_TOO_FINE) {
        snprintf(err, err_len, "'%.64s' is finer than 1ppm (expected at most 6 decimals, "
                 "4 with %%)", text);
        return -1;
    }
    *ppm_out = (uint32_t)v;
    return 0;
}

int scn_parse_clock_rate(const char *text, int64_t *ppm_out, char *err, size_t err_len) {
    SIM_ASSERT(text != NULL);
    SIM_ASSERT(ppm_out != NULL);
    uint64_t v = 0;
    bool neg = text[0] == '-';
    dec_status st = parse_ppm(neg ? text + 1 : text, &v);
    if (st == DEC_SYNTAX) {
        snprintf(err, err_len, "'%.64s' is not a clock rate (expected a ratio such as 1.02, "
                 "102%% or 1020000ppm)", text);
        return -1;
    }
    if (st == DEC_TOO_FINE) {
        snprintf(err, err_len, "'%.64s' is finer than 1ppm (expected at most 6 decimals, "
                 "4 with %%)", text);
        return -1;
    }
    if (neg || (st == DEC_OK && v == 0)) {
        snprintf(err, err_len, "'%.64s' is not above 0 (expected a clock rate above 0, "
                 "such as 1.02, 102%% or 1020000ppm)", text);
        return -1;
    }
    if (st == DEC_OVERFLOW || v > CLOCK_RATE_PPM_MAX) {
        snprintf(err, err_len, "'%.64s' is too fast (expected a clock rate of at most 10, "
                 "1000%% or 10000000ppm)", text);
        return -1;
    }
    *ppm_out = (int64_t)v;
    return 0;
}

void scn_errorf(char *err, size_t err_len, const char *path, scn_pos pos,
                const char *fmt, ...) {
    SIM_ASSERT(err != NULL || err_len == 0);
    SIM_ASSERT(fmt != NULL);
    if (err_len == 0) return;
    char msg[SIM_ERR_MAX];
    int n = pos.line > 0
        ? snprintf(msg, sizeof msg, "%s:%u:%u: error: ", path ? path : "", pos.line, pos.col)
        : snprintf(msg, sizeof msg, "%s: error: ", path ? path : "");
    if (n >= 0 && (size_t)n < sizeof msg) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg + n, sizeof msg - (size_t)n, fmt, ap);
        va_end(ap);
    }
    sim_one_line(err, err_len, msg);    /* a quoted value may hold a newline */
}

static char lower(char c) { return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c; }

#define NEAR_LEN_MAX 64

/* Optimal string alignment distance (Levenshtein plus transpositions),
 * case-insensitive; both lengths <= NEAR_LEN_MAX. */
static size_t edit_distance(const char *a, size_t la, const char *b, size_t lb) {
    size_t d[NEAR_LEN_MAX + 1][NEAR_LEN_MAX + 1];
    SIM_ASSERT(la <= NEAR_LEN_MAX);             /* scn_nearest skips longer words */
    SIM_ASSERT(lb <= NEAR_LEN_MAX);
    for (size_t i = 0; i <= la; i++) d[i][0] = i;
    for (size_t j = 0; j <= lb; j++) d[0][j] = j;
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
            size_t best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best) best = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < best) best = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
                lower(a[i - 2]) == lower(b[j - 1]) && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    SIM_ASSERT(d[la][lb] <= (la > lb ? la : lb));   /* never more edits than the longer word */
    return d[la][lb];
}

static bool has_prefix_ci(const char *word, const char *known) {
    SIM_ASSERT(word != NULL);
    SIM_ASSERT(known != NULL);
    size_t n = strlen(word);
    if (n < 3 || n >= strlen(known)) return false;
    for (size_t i = 0; i < n; i++)
        if (lower(word[i]) != lower(known[i])) return false;
    return true;
}

/* Within 2 edits, ignoring case (and at most half the word, so "xy" does
 * not suggest "at"), the closest wins, the first listed on ties; else a
 * known key the word starts (3 letters or more). */
const char *scn_nearest(const char *word, const char *const *known, size_t known_count) {
    SIM_ASSERT(word != NULL);
    SIM_ASSERT(known != NULL || known_count == 0);
    size_t lw = strlen(word);
    if (lw == 0 || lw > NEAR_LEN_MAX) return NULL;
    const char *best = NULL, *prefixed = NULL;
    size_t best_d = 3;
    for (size_t i = 0; i < known_count; i++) {
        size_t lk = strlen(known[i]);
        if (lk > NEAR_LEN_MAX) continue;
        size_t d = edit_distance(word, lw, known[i], lk);
        if (d < best_d && d * 2 <= lw) { best = known[i]; best_d = d; }
        if (!prefixed && has_prefix_ci(word, known[i])) prefixed = known[i];
    }
    return best ? best : prefixed;
}

void scn__hint(char *buf, size_t len, const char *word, const char *const *known,
               size_t count) {
    SIM_ASSERT(buf != NULL);
    SIM_ASSERT(len > 16);
    const char *near = scn_nearest(word, known, count);
    if (near) { snprintf(buf, len, " (did you mean '%.64s'?)", near); return; }
    if (count == 0) { snprintf(buf, len, " (there are none)"); return; }
    size_t used = (size_t)snprintf(buf, len, " (expected one of: ");
    for (size_t i = 0; i < count && used + 8 < len; i++) {
        int n = snprintf(buf + used, len - used, "%s%s", i ? ", " : "", known[i]);
        if (n < 0 || used + (size_t)n + 8 >= len) {
            snprintf(buf + used, len - used, ", ...");
            used = strlen(buf);
            break;
        }
        used += (size_t)n;
    }
    if (used + 2 <= len) snprintf(buf + used, len - used, ")");
}

void scn__node_hint(char *buf, size_t len, const scn *s, const char *word, bool roles_too) {
    SIM_ASSERT(s != NULL);
    SIM_ASSERT(s->node_count <= SIM_NODES_MAX);
    const char *names[SIM_NODES_MAX * 2];
    size_t n = 0;
    for (uint32_t i = 0; i < s->node_count; i++) names[n++] = s->nodes[i].name;
    for (uint32_t i = 0; roles_too && i < s->node_count; i++) {
        if (s->nodes[i].role_index == 0) names[n++] = s->nodes[i].role;
    }
    scn__hint(buf, len, word, names, n);
}

bool scn__name_ok(const char *name, bool dots) {
    SIM_ASSERT(name != NULL);
    if (name[0] == '\0') return false;
    for (const char *p = name; *p; p++) {
        char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) ||
                  c == '-' || c == '_' || (dots && c == '.');
        if (!ok) return false;
    }
    return true;
}
