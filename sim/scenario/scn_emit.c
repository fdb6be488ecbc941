/* scn_emit.c -- scenario values written back as YAML the loader reads.
 *
 * Invariant: loading what these write gives back the same value (the same
 * nanoseconds, ppm, node sets and partition groups): a fault list written
 * here and pasted under `faults:` replays the run it came from.  Trade-off:
 * exactness over beauty, so 1.5 s is written 1500ms, and a partition lists
 * every group, the "rest" one included.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <stdlib.h>

#include "sim/scenario/scn_int.h"

typedef struct text_out { char *buf; size_t len, used; } text_out;

static void put(text_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(text_out *o, const char *fmt, ...) {
    SIM_ASSERT(o->len > 0);
    if (o->used >= o->len) return;                      /* cut: the caller sized it */
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(o->buf + o->used, o->len - o->used, fmt, ap);
    va_end(ap);
    o->used += n > 0 ? (size_t)n : 0;
    if (o->used >= o->len) o->used = o->len - 1;
}

/* v = whole.frac in a unit of `scale` ns (10^digits), trailing zeros of
 * frac dropped. */
static void fmt_decimal(char *buf, size_t len, const char *sign, uint64_t v, uint64_t scale,
                        int digits, const char *unit) {
    SIM_ASSERT(scale > 1);
    SIM_ASSERT(digits > 0);
    SIM_ASSERT(digits <= 18);
    char frac[24];
    snprintf(frac, sizeof frac, "%018" PRIu64, v % scale);   /* 18 digits, the last `digits` count */
    char *f = frac + 18 - digits;
    size_t n = (size_t)digits;
    while (n > 1 && f[n - 1] == '0') n--;
    f[n] = '\0';
    snprintf(buf, len, "%s%" PRIu64 ".%s%s", sign, v / scale, f, unit);
}

const char *scn_fault_kind_name(scn_fault_kind kind) {
    static const char *const names[SCN_FAULT_KIND_COUNT] = {
        [SCN_FAULT_PAUSE] = "pause", [SCN_FAULT_CRASH] = "crash",
        [SCN_FAULT_RESTART] = "restart", [SCN_FAULT_PARTITION] = "partition",
        [SCN_FAULT_CUT] = "cut", [SCN_FAULT_HEAL] = "heal",
        [SCN_FAULT_CLOCK_JUMP] = "clock-jump", [SCN_FAULT_CLOCK_RATE] = "clock-rate",
        [SCN_FAULT_LINK_DELAY] = "delay", [SCN_FAULT_LINK_LOSS] = "loss",
        [SCN_FAULT_POWER_LOSS] = "power-loss",
    };
    SIM_ASSERT((unsigned)kind < SCN_FAULT_KIND_COUNT);
    SIM_ASSERT(names[kind] != NULL);
    return names[kind];
}

void scn_fmt_duration(char *buf, size_t len, sim_time ns) {
    SIM_ASSERT(len > 0);
    const char *sign = ns < 0 ? "-" : "";
    uint64_t v = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
    const uint64_t h = 3600 * (uint64_t)SIM_S, m = 60 * (uint64_t)SIM_S;
    if (v == 0) snprintf(buf, len, "0s");
    else if (v % h == 0) snprintf(buf, len, "%s%" PRIu64 "h", sign, v / h);
    else if (v % m == 0) snprintf(buf, len, "%s%" PRIu64 "m", sign, v / m);
    else if (v % SIM_S == 0) snprintf(buf, len, "%s%" PRIu64 "s", sign, v / SIM_S);
    else if (v >= SIM_S) fmt_decimal(buf, len, sign, v, SIM_S, 9, "s");
    else if (v % SIM_MS == 0) snprintf(buf, len, "%s%" PRIu64 "ms", sign, v / SIM_MS);
    else if (v >= SIM_MS) fmt_decimal(buf, len, sign, v, SIM_MS, 6, "ms");
    else if (v % SIM_US == 0) snprintf(buf, len, "%s%" PRIu64 "us", sign, v / SIM_US);
    else snprintf(buf, len, "%s%" PRIu64 "ns", sign, v);
}

/* A rate in ppm as the loader reads it: "50%", "0.5%" or "123ppm". */
static void fmt_rate(char *buf, size_t len, uint32_t ppm) {
    if (ppm % 10000 == 0) snprintf(buf, len, "%" PRIu32 "%%", ppm / 10000);
    else snprintf(buf, len, "%" PRIu32 "ppm", ppm);
}

/* A clock rate: "1.02", "0.95", "1". */
static void fmt_clock_rate(char *buf, size_t len, int64_t ppm) {
    SIM_ASSERT(ppm > 0);
    if (ppm % 1000000 == 0) snprintf(buf, len, "%" PRId64, ppm / 1000000);
    else fmt_decimal(buf, len, "", (uint64_t)ppm, 1000000, 6, "");
}

static const char *dur(char *buf, size_t len, sim_time ns) {
    scn_fmt_duration(buf, len, ns);
    return buf;
}

/* A node set: one name, or [a, b]. */
static void put_nodes(text_out *o, const scn *s, uint64_t mask) {
    SIM_ASSERT(mask != 0);
    bool one = (mask & (mask - 1)) == 0;
    if (!one) put(o, "[");
    bool first = true;
    for (uint32_t i = 0; i < s->node_count && i < SIM_MASK_NODES; i++) {
        if (!(mask >> i & 1u)) continue;
        put(o, "%s%s", first ? "" : ", ", s->nodes[i].name);
        first = false;
    }
    if (!one) put(o, "]");
}

/* Each group's names in node order; past SIM_MASK_NODES names (only a
 * partition of more nodes has them), "..." ends the text. */
static void put_partition(text_out *o, const scn *s, const scn_fault *f) {
    SIM_ASSERT(f->group_count >= 1);
    put(o, "partition: [");
    uint32_t names = 0;
    for (uint32_t g = 0; g < f->group_count && names <= SIM_MASK_NODES; g++) {
        bool open = false;
        for (uint32_t i = 0; i < s->node_count && names <= SIM_MASK_NODES; i++) {
            if (scn_fault_group(s, f, i) != g) continue;
            if (names++ == SIM_MASK_NODES) { put(o, ", ..."); break; }
            put(o, "%s%s", open ? ", " : names > 1 ? ", [" : "[", s->nodes[i].name);
            open = true;
        }
        if (open) put(o, "]");
    }
    put(o, "]");
}

static void put_links(text_out *o, const scn *s, const scn_fault *f, const char *kind) {
    put(o, "%s: {from: ", kind);
    put_nodes(o, s, f->from_mask);
    put(o, ", to: ");
    put_nodes(o, s, f->to_mask);
    put(o, "}%s", f->both ? ", both: true" : "");
}

static void put_body(text_out *o, const scn *s, const scn_fault *f) {
    char a[32];
    const char *node = f->node >= 0 ? s->nodes[f->node].name : "";
    switch (f->kind) {
    case SCN_FAULT_PAUSE: put(o, "pause: %s, for: %s", node, dur(a, sizeof a, f->for_ns)); break;
    case SCN_FAULT_CRASH:
    case SCN_FAULT_POWER_LOSS:
        put(o, "%s: %s", scn_fault_kind_name(f->kind), node);
        if (f->for_ns > 0) put(o, ", for: %s", dur(a, sizeof a, f->for_ns));
        break;
    case SCN_FAULT_RESTART: put(o, "restart: %s", node); break;
    case SCN_FAULT_PARTITION: put_partition(o, s, f); break;
    case SCN_FAULT_CUT: put_links(o, s, f, "cut"); break;
    case SCN_FAULT_HEAL: put(o, "heal: all"); break;
    case SCN_FAULT_CLOCK_JUMP:
        put(o, "clock: %s, jump: %s%s", node, f->jump_ns >= 0 ? "+" : "",
            dur(a, sizeof a, f->jump_ns));
        break;
    case SCN_FAULT_CLOCK_RATE:
        fmt_clock_rate(a, sizeof a, f->rate_ppm);
        put(o, "clock: %s, rate: %s", node, a);
        break;
    case SCN_FAULT_LINK_DELAY:
        put_links(o, s, f, "delay");
        put(o, ", by: %s", dur(a, sizeof a, f->by_ns));
        put(o, ", for: %s", dur(a, sizeof a, f->for_ns));
        break;
    case SCN_FAULT_LINK_LOSS:
        put_links(o, s, f, "loss");
        fmt_rate(a, sizeof a, f->loss_ppm);
        put(o, ", rate: %s", a);
        put(o, ", for: %s", dur(a, sizeof a, f->for_ns));
        break;
    case SCN_FAULT_KIND_COUNT: SIM_UNREACHABLE("fault kind"); break;
    }
}

void scn_fault_yaml(const scn *s, const scn_fault *f, char *buf, size_t len) {
    SIM_ASSERT(f->node < (int32_t)s->node_count);
    SIM_ASSERT(len > 0);
    text_out o = { buf, len, 0 };
    buf[0] = '\0';
    char a[32];
    put(&o, "{at: %s, ", dur(a, sizeof a, f->at_ns));
    put_body(&o, s, f);
    put(&o, "}");
}

/* ------------------------------------------------------------------ */
/* a whole scenario file, edited                                       */

static bool dropped(const char *key, const char *const *drop, uint32_t drop_count) {
    for (uint32_t i = 0; i < drop_count; i++)
        if (strcmp(key, drop[i]) == 0) return true;
    return false;
}

/* Removes the top-level pairs whose key is in drop[] (order kept). */
static void drop_keys(yaml_document_t *doc, const char *const *drop, uint32_t drop_count) {
    yaml_node_t *root = yaml_document_get_root_node(doc);
    SIM_ASSERT(root != NULL);
    SIM_ASSERT(root->type == YAML_MAPPING_NODE);
    yaml_node_pair_t *keep = root->data.mapping.pairs.start;
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
         p++) {
        const yaml_node_t *k = yaml_document_get_node(doc, p->key);
        bool scalar = k && k->type == YAML_SCALAR_NODE;
        if (scalar && dropped((const char *)k->data.scalar.value, drop, drop_count)) continue;
        *keep++ = *p;
    }
    root->data.mapping.pairs.top = keep;
}

static int write_handler(void *data, unsigned char *buffer, size_t size) {
    return fwrite(buffer, 1, size, data) == size;
}

static int emit_doc(yaml_document_t *doc, FILE *out) {
    yaml_emitter_t em;
    if (!yaml_emitter_initialize(&em)) return -1;
    yaml_emitter_set_output(&em, write_handler, out);
    yaml_emitter_set_unicode(&em, 1);
    yaml_emitter_set_width(&em, 100);
    doc->start_implicit = 1;
    doc->end_implicit = 1;
    int ok = yaml_emitter_open(&em) && yaml_emitter_dump(&em, doc) && yaml_emitter_close(&em);
    yaml_emitter_delete(&em);                     /* dump deleted the document */
    return ok ? 0 : -1;
}

/* scn_emit_file; tmp is for scn__fail, which wants one (nothing is loaded). */
static int emit_file(scn *tmp, const char *path, const char *const *sets, uint32_t set_count,
                     const char *const *drop, uint32_t drop_count, FILE *out, char *err,
                     size_t err_len) {
    size_t len = 0;
    char *text = scn__read_file(path, &len, err, err_len);
    if (!text) return -1;
    scn_ld ld = {.doc = NULL, .s = tmp, .path = path, .err = err, .err_len = err_len};
    yaml_document_t doc;
    int rc = scn__parse_text(&ld, text, len, &doc);
    free(text);
    if (rc != 0) return -1;
    const yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (!root || root->type != YAML_MAPPING_NODE) {
        yaml_document_delete(&doc);
        return scn__fail(&ld, (scn_pos){1, 1}, "the top level is not a mapping");
    }
    if (set_count > 0 && scn__apply_sets(&doc, sets, set_count, err, err_len) != 0) {
        yaml_document_delete(&doc);
        return -1;
    }
    drop_keys(&doc, drop, drop_count);
    if (emit_doc(&doc, out) == 0) return 0;
    snprintf(err, err_len, "%s: error: cannot write the scenario as YAML", path);
    return -1;
}

int scn_emit_file(const char *path, const char *const *sets, uint32_t set_count,
                  const char *const *drop, uint32_t drop_count, FILE *out, char *err,
                  size_t err_len) {
    SIM_ASSERT(path != NULL);
    SIM_ASSERT(out != NULL);
    scn *tmp = sim_xcalloc(1, sizeof *tmp);      /* 1 MB with its 10 000 nodes: not on the stack */
    int rc = emit_file(tmp, path, sets, set_count, drop, drop_count, out, err, err_len);
    free(tmp);
    return rc;
}
