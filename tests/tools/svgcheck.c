/* svgcheck.c -- is each file a well-formed XML document whose root is <svg>?
 * For `make test` on machines without xmllint (scripts/determinism.sh uses
 * both when it can).  Prints one line per bad file and exits 1 if any.
 *
 * Checks what breaks readers: one root element, every start tag closed in
 * order, attributes quoted and not repeated, `&` only in &name; or &#N;,
 * no `<` inside attribute values, comments / CDATA / processing
 * instructions / a DOCTYPE terminated.  Invariant: the element stack
 * holds the names of the open elements, innermost last.  Trade-off: not a
 * validating parser (no DTD, no namespaces, names are ASCII-checked only);
 * it is the well-formedness xmllint --noout checks, for SVG as gnuplot
 * writes it.
 *
 *   svgcheck FILE.svg...
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEPTH_MAX 256
#define NAME_MAX_LEN 64

typedef struct xml {
    const char *p, *end;
    char stack[DEPTH_MAX][NAME_MAX_LEN];
    int depth, roots;
    const char *why;
} xml;

static bool name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == ':' || c == '_' || c == '-' || c == '.';
}

static bool skip_to(xml *x, const char *what) {
    const char *q = strstr(x->p, what);
    if (!q || q >= x->end) return false;
    x->p = q + strlen(what);
    return true;
}

static bool read_name(xml *x, char *out) {
    size_t n = 0;
    while (x->p < x->end && name_char(*x->p) && n + 1 < NAME_MAX_LEN) out[n++] = *x->p++;
    out[n] = '\0';
    return n > 0;
}

static void skip_space(xml *x) {
    while (x->p < x->end && (*x->p == ' ' || *x->p == '\t' || *x->p == '\n' || *x->p == '\r')) x->p++;
}

static bool entity_ok(const char *p, const char *end) {
    const char *semi = memchr(p, ';', (size_t)(end - p));
    if (!semi || semi - p > 10 || semi == p + 1) return false;
    if (p[1] == '#') return semi > p + 2;
    for (const char *q = p + 1; q < semi; q++)
        if (!name_char(*q)) return false;
    return true;
}

static bool text_ok(xml *x, const char *from, const char *to) {
    for (const char *q = from; q < to; q++)
        if (*q == '&' && !entity_ok(q, to)) { x->why = "a bare '&'"; return false; }
    return true;
}

/* Attributes up to '>' or '/>'; *empty says which. */
static bool attributes(xml *x, bool *empty) {
    char seen[64][NAME_MAX_LEN];
    int count = 0;
    for (;;) {
        skip_space(x);
        if (x->p >= x->end) { x->why = "a tag runs to the end"; return false; }
        if (*x->p == '>') { x->p++; *empty = false; return true; }
        if (*x->p == '/' && x->p + 1 < x->end && x->p[1] == '>') { x->p += 2; *empty = true; return true; }
        char name[NAME_MAX_LEN];
        if (!read_name(x, name)) { x->why = "a bad attribute name"; return false; }
        for (int i = 0; i < count; i++)
            if (strcmp(seen[i], name) == 0) { x->why = "an attribute given twice"; return false; }
        if (count < 64) snprintf(seen[count++], NAME_MAX_LEN, "%s", name);
        skip_space(x);
        if (x->p >= x->end || *x->p != '=') { x->why = "an attribute without '='"; return false; }
        x->p++;
        skip_space(x);
        char q = x->p < x->end ? *x->p : 0;
        if (q != '"' && q != '\'') { x->why = "an unquoted attribute value"; return false; }
        const char *v = ++x->p;
        while (x->p < x->end && *x->p != q) {
            if (*x->p == '<') { x->why = "a '<' in an attribute value"; return false; }
            x->p++;
        }
        if (x->p >= x->end) { x->why = "an attribute value runs to the end"; return false; }
        if (!text_ok(x, v, x->p)) return false;
        x->p++;
    }
}

static bool element(xml *x) {
    x->p++;                                         /* '<' */
    if (*x->p == '/') {
        x->p++;
        char name[NAME_MAX_LEN];
        if (!read_name(x, name) || x->depth == 0 || strcmp(name, x->stack[x->depth - 1]) != 0) {
            x->why = "an end tag that does not match its start tag";
            return false;
        }
        x->depth--;
        skip_space(x);
        if (x->p >= x->end || *x->p != '>') { x->why = "a bad end tag"; return false; }
        x->p++;
        return true;
    }
    char name[NAME_MAX_LEN];
    if (!read_name(x, name)) { x->why = "a bad tag name"; return false; }
    if (x->depth == 0 && ++x->roots > 1) { x->why = "more than one root element"; return false; }
    if (x->depth == 0 && strcmp(name, "svg") != 0) { x->why = "the root is not <svg>"; return false; }
    bool empty = false;
    if (!attributes(x, &empty)) return false;
    if (empty) return true;
    if (x->depth == DEPTH_MAX) { x->why = "nested too deeply"; return false; }
    snprintf(x->stack[x->depth++], NAME_MAX_LEN, "%s", name);
    return true;
}

static bool markup(xml *x) {
    if (strncmp(x->p, "<!--", 4) == 0) return skip_to(x, "-->") || (x->why = "an open comment", false);
    if (strncmp(x->p, "<![CDATA[", 9) == 0) return skip_to(x, "]]>") || (x->why = "an open CDATA", false);
    if (strncmp(x->p, "<?", 2) == 0) return skip_to(x, "?>") || (x->why = "an open <?", false);
    if (strncmp(x->p, "<!", 2) == 0) return skip_to(x, ">") || (x->why = "an open <!", false);
    return element(x);
}

static const char *check(const char *text, size_t len) {
    xml *x = calloc(1, sizeof *x);
    if (!x) return "out of memory";
    x->p = text;
    x->end = text + len;
    while (x->p < x->end && !x->why) {
        const char *lt = memchr(x->p, '<', (size_t)(x->end - x->p));
        const char *stop = lt ? lt : x->end;
        if (!text_ok(x, x->p, stop)) break;
        if (x->depth == 0)
            for (const char *q = x->p; q < stop; q++)
                if (*q != ' ' && *q != '\n' && *q != '\r' && *q != '\t') { x->why = "text outside the root"; break; }
        x->p = stop;
        if (lt && !x->why) markup(x);
    }
    const char *why = x->why ? x->why : x->depth ? "an element is never closed" : x->roots ? NULL : "no root element";
    free(x);
    return why;
}

int main(int argc, char **argv) {
    int bad = 0;
    if (argc < 2) { fprintf(stderr, "usage: svgcheck FILE.svg...\n"); return 2; }
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f) { printf("%s: cannot read\n", argv[i]); bad = 1; continue; }
        char *buf = malloc(1u << 26);
        size_t n = buf ? fread(buf, 1, 1u << 26, f) : 0;
        fclose(f);
        const char *why = buf ? (n == 0 ? "empty" : check(buf, n)) : "out of memory";
        if (why) { printf("%s: not well-formed: %s\n", argv[i], why); bad = 1; }
        free(buf);
    }
    return bad;
}
