/* story.c -- clauses in true time, rendered as a short narrative.
 *
 * Invariant: items[0..count) hold clauses with distinct seq numbers, so
 * sorting by (t_ns, rank, seq) is a total order and the rendered text depends only
 * on what was added, never on addresses.  Trade-off: clauses are fixed-size
 * (STORY_CLAUSE_MAX bytes) and copied when sorted; stories are short (a few
 * dozen clauses), so simplicity wins over memory.
 */
#include "sim/check/story.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RATE_ONE_PPM 1000000

/* ---------------------------------------------------------------- buffer */

void story_buf_init(story_buf *b) {
    SIM_ASSERT(b != NULL);
    b->text = NULL;
    b->len = 0;
    b->cap = 0;
}

void story_buf_free(story_buf *b) {
    SIM_ASSERT(b != NULL);
    free(b->text);
    story_buf_init(b);
}

void story_buf_vprintf(story_buf *b, const char *fmt, va_list ap) {
    SIM_ASSERT(b != NULL);
    SIM_ASSERT(fmt != NULL);
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    SIM_ASSERT(n >= 0);
    size_t need = b->len + (size_t)n + 1;
    if (need > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < need) cap *= 2;
        b->text = sim_xrealloc(b->text, cap);
        b->cap = cap;
    }
    int m = vsnprintf(b->text + b->len, b->cap - b->len, fmt, ap);
    SIM_ASSERT(m == n);
    b->len += (size_t)n;
}

void story_buf_printf(story_buf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    story_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

char *story_buf_take(story_buf *b) {
    SIM_ASSERT(b != NULL);
    char *t = b->text ? b->text : sim_xstrdup("");
    story_buf_init(b);
    return t;
}

void story_appendf(char *buf, size_t cap, const char *fmt, ...) {
    SIM_ASSERT(buf != NULL);
    SIM_ASSERT(cap > 0);
    size_t used = strnlen(buf, cap);
    if (used + 1 >= cap) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + used, cap - used, fmt, ap);
    va_end(ap);
}

/* ---------------------------------------------------------------- format */

story_str story_t(sim_time t) {
    story_str r;
    sim_fmt_time(r.s, sizeof r.s, t);
    return r;
}

story_str story_dt(sim_time d) {
    story_str r;
    char a[40];
    sim_fmt_time(a, sizeof a, d);
    snprintf(r.s, sizeof r.s, "%s%s", d >= 0 ? "+" : "", a);
    return r;
}

story_str story_rate(int64_t rate_ppm) {
    story_str r;
    int64_t v = rate_ppm == 0 ? RATE_ONE_PPM : rate_ppm;
    const char *sign = v < 0 ? "-" : "";
    uint64_t a = v < 0 ? (uint64_t)(-(v + 1)) + 1u : (uint64_t)v;
    uint64_t whole = a / RATE_ONE_PPM, frac = a % RATE_ONE_PPM;
    if (frac == 0) {
        snprintf(r.s, sizeof r.s, "%s%" PRIu64 ".0", sign, whole);
        return r;
    }
    int digits = 6;
    while (frac % 10u == 0) { frac /= 10u; digits--; }
    snprintf(r.s, sizeof r.s, "%s%" PRIu64 ".%0*" PRIu64, sign, whole, digits, frac);
    return r;
}

const char *story_node(const scn *s, int32_t node) {
    if (s == NULL || node < 0 || (uint32_t)node >= s->node_count) return "node ?";
    SIM_ASSERT(s->nodes[node].name[0] != '\0');
    return s->nodes[node].name;
}

uint64_t story_bit(int32_t node) {
    if (node < 0 || node >= SIM_MASK_NODES) return 0;
    return (uint64_t)1 << node;
}

static bool clock_set_off(const scn_clock *c) {
    if (!c->set) return false;
    return c->offset_ns != 0 || (c->rate_ppm != 0 && c->rate_ppm != RATE_ONE_PPM);
}

bool story_clock_touched(const scn *s, int32_t node) {
    if (s == NULL || node < 0 || (uint32_t)node >= s->node_count) return false;
    if (clock_set_off(&s->clocks[node])) return true;
    for (uint32_t i = 0; i < s->fault_count; i++) {
        const scn_fault *f = &s->faults[i];
        if (f->node != node) continue;
        if (f->kind == SCN_FAULT_CLOCK_JUMP || f->kind == SCN_FAULT_CLOCK_RATE) return true;
    }
    return false;
}

story_str story_clock_note(const scn *s, int32_t node, sim_time true_ns, sim_time local_ns) {
    story_str r;
    r.s[0] = '\0';
    if (local_ns == true_ns || !story_clock_touched(s, node)) return r;
    char t[40];
    sim_fmt_time(t, sizeof t, local_ns);
    snprintf(r.s, sizeof r.s, " (its clock read %s)", t);
    return r;
}

/* ---------------------------------------------------------------- clauses */

void story_init(story *st, const scn *s) {
    SIM_ASSERT(st != NULL);
    memset(st, 0, sizeof *st);
    st->s = s;
    st->rank_now = 1;
}

void story_free(story *st) {
    SIM_ASSERT(st != NULL);
    free(st->items);
    memset(st, 0, sizeof *st);
}

void story_add(story *st, sim_time t_ns, const char *fmt, ...) {
    SIM_ASSERT(st != NULL);
    SIM_ASSERT(fmt != NULL);
    if (st->count >= STORY_KEEP_MAX) { st->dropped++; return; }
    if (st->count == st->cap) {
        st->cap = st->cap ? st->cap * 2 : 16;
        st->items = sim_xrealloc(st->items, st->cap * sizeof *st->items);
    }
    story_clause *c = &st->items[st->count];
    c->t_ns = t_ns;
    c->rank = st->rank_now;
    c->seq = st->count++;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->text, sizeof c->text, fmt, ap);
    va_end(ap);
}

void story_conclude(story *st, const char *fmt, ...) {
    SIM_ASSERT(st != NULL);
    SIM_ASSERT(fmt != NULL);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(st->conclusion, sizeof st->conclusion, fmt, ap);
    va_end(ap);
}

typedef struct clause_key { sim_time t_ns; uint32_t rank, seq; } clause_key;

static int clause_key_cmp(const void *pa, const void *pb) {
    const clause_key *a = pa, *b = pb;
    if (a->t_ns != b->t_ns) return a->t_ns < b->t_ns ? -1 : 1;
    if (a->rank != b->rank) return a->rank < b->rank ? -1 : 1;
    if (a->seq != b->seq) return a->seq < b->seq ? -1 : 1;
    return 0;
}

void story_render(const story *st, story_buf *out) {
    SIM_ASSERT(st != NULL);
    SIM_ASSERT(out != NULL);
    clause_key *keys = sim_xcalloc(st->count, sizeof *keys);
    for (uint32_t i = 0; i < st->count; i++) {
        keys[i].t_ns = st->items[i].t_ns;
        keys[i].rank = st->items[i].rank;
        keys[i].seq = st->items[i].seq;
        SIM_ASSERT(st->items[i].seq == i);
    }
    qsort(keys, st->count, sizeof *keys, clause_key_cmp);
    /* Too many: keep the beginning and the end, where the conflict is. */
    uint32_t head = st->count, tail_from = st->count;
    if (st->count > STORY_CLAUSES_MAX) {
        head = STORY_CLAUSES_MAX / 2;
        tail_from = st->count - (STORY_CLAUSES_MAX - head);
    }
    bool has_end = st->conclusion[0] != '\0';
    for (uint32_t i = 0; i < st->count; i++) {
        if (i == head && i < tail_from) {
            story_buf_printf(out, "... (%" PRIu32 " more events) ...;\n",
                             tail_from - head + st->dropped);
            i = tail_from;
        }
        bool last = i + 1 == st->count && !has_end;
        story_buf_printf(out, "%s%s\n", st->items[keys[i].seq].text, last ? "." : ";");
    }
    if (has_end) story_buf_printf(out, "%s.\n", st->conclusion);
    free(keys);
}

/* ---------------------------------------------------------------- faults */

static bool overlaps(sim_time a0, sim_time a1, sim_time from, sim_time to) {
    return a0 <= to && a1 >= from;
}

/* "c1, redis1" for the nodes in mask, in node order. */
static void names_of(const scn *s, uint64_t mask, char *buf, size_t len) {
    SIM_ASSERT(len > 0);
    size_t used = 0;
    buf[0] = '\0';
    for (uint32_t n = 0; n < s->node_count && n < SIM_MASK_NODES; n++) {
        if (!(mask & ((uint64_t)1 << n))) continue;
        int w = snprintf(buf + used, len - used, "%s%s", used ? ", " : "", s->nodes[n].name);
        if (w < 0 || (size_t)w >= len - used) return;   /* truncated; still NUL-terminated */
        used += (size_t)w;
    }
}

void story_names(const scn *s, uint64_t mask, char *buf, size_t len) {
    SIM_ASSERT(buf != NULL);
    SIM_ASSERT(len > 0);
    if (s == NULL) { buf[0] = '\0'; return; }
    names_of(s, mask, buf, len);
}

/* The first HEAL after fault i, or SIM_TIME_NEVER. */
static sim_time heal_after(const scn *s, uint32_t i, uint32_t *heal_index) {
    for (uint32_t j = i + 1; j < s->fault_count; j++) {
        if (s->faults[j].kind == SCN_FAULT_HEAL) { *heal_index = j; return s->faults[j].at_ns; }
    }
    *heal_index = UINT32_MAX;
    return SIM_TIME_NEVER;
}

/* The first RESTART of the crashed node after fault i, or SIM_TIME_NEVER. */
static sim_time restart_after(const scn *s, uint32_t i) {
    const scn_fault *c = &s->faults[i];
    if (c->for_ns > 0) return c->at_ns + c->for_ns;
    for (uint32_t j = i + 1; j < s->fault_count; j++) {
        const scn_fault *f = &s->faults[j];
        if (f->kind == SCN_FAULT_RESTART && f->node == c->node) return f->at_ns;
    }
    return SIM_TIME_NEVER;
}

static bool partition_separates(const scn *s, const scn_fault *f, uint64_t mask) {
    int64_t first_group = -1;
    for (uint32_t n = 0; n < s->node_count && n < SIM_MASK_NODES; n++) {
        if (!(mask & ((uint64_t)1 << n))) continue;
        uint32_t g = scn_fault_group(s, f, n);
        if (first_group < 0) first_group = g;
        else if (first_group != g) return true;
    }
    return false;
}

static void add_partition(story *st, const scn_fault *f) {
    const scn *s = st->s;
    char text[STORY_CLAUSE_MAX] = "";
    size_t used = 0;
    for (uint32_t g = 0; g < f->group_count && g <= UINT8_MAX; g++) {
        uint64_t members = 0;
        for (uint32_t n = 0; n < s->node_count && n < SIM_MASK_NODES; n++) {
            if (scn_fault_group(s, f, n) == g) members |= (uint64_t)1 << n;
        }
        if (members == 0) continue;
        char names[STORY_CLAUSE_MAX];
        names_of(s, members, names, sizeof names);
        int w = snprintf(text + used, sizeof text - used, "%s{%s}", used ? " | " : "", names);
        if (w < 0 || (size_t)w >= sizeof text - used) break;
        used += (size_t)w;
    }
    story_add(st, f->at_ns, "the network split into %s at %s", text, story_t(f->at_ns).s);
}

static void add_cut(story *st, const scn_fault *f) {
    char from[STORY_CLAUSE_MAX / 3], to[STORY_CLAUSE_MAX / 3];
    names_of(st->s, f->from_mask, from, sizeof from);
    names_of(st->s, f->to_mask, to, sizeof to);
    story_add(st, f->at_ns, "the links from %s to %s were cut%s at %s", from, to,
              f->both ? " in both directions" : "", story_t(f->at_ns).s);
}

/* Partitions, cuts and the heals that end them. */
static void add_network_fault(story *st, uint32_t i, uint64_t mask, sim_time from,
                              sim_time to, uint32_t *heal_told) {
    const scn *s = st->s;
    const scn_fault *f = &s->faults[i];
    uint32_t heal = UINT32_MAX;
    sim_time end = heal_after(s, i, &heal);
    if (!overlaps(f->at_ns, end, from, to)) return;
    if (f->kind == SCN_FAULT_PARTITION) {
        if (!partition_separates(s, f, mask)) return;
        add_partition(st, f);
    } else {
        bool touches = (f->from_mask & mask) && (f->to_mask & mask);
        if (!touches) return;
        add_cut(st, f);
    }
    if (heal != UINT32_MAX && end <= to && heal != *heal_told) {
        story_add(st, end, "the network healed at %s", story_t(end).s);
        *heal_told = heal;
    }
}

/* A link delay, or a loss burst (SCN_FAULT_LINK_LOSS). */
static void add_delay(story *st, const scn_fault *f, uint64_t mask, sim_time from, sim_time to) {
    sim_time end = f->for_ns > 0 ? f->at_ns + f->for_ns : SIM_TIME_NEVER;
    if (!overlaps(f->at_ns, end, from, to)) return;
    if (!(f->from_mask & mask) || !(f->to_mask & mask)) return;
    char a[STORY_CLAUSE_MAX / 3], b[STORY_CLAUSE_MAX / 3];
    names_of(st->s, f->from_mask, a, sizeof a);
    names_of(st->s, f->to_mask, b, sizeof b);
    if (f->kind == SCN_FAULT_LINK_LOSS) {
        SIM_ASSERT(end != SIM_TIME_NEVER);        /* the loader requires `for` */
        story_add(st, f->at_ns, "%u%% of messages from %s to %s%s were lost from %s to %s",
                  (unsigned)(f->loss_ppm / 10000), a, b, f->both ? " and back" : "",
                  story_t(f->at_ns).s, story_t(end).s);
        return;
    }
    if (end == SIM_TIME_NEVER) {
        story_add(st, f->at_ns, "messages from %s to %s were delayed by %s from %s on", a, b,
                  story_t(f->by_ns).s, story_t(f->at_ns).s);
    } else {
        story_add(st, f->at_ns, "messages from %s to %s were delayed by %s from %s to %s", a, b,
                  story_t(f->by_ns).s, story_t(f->at_ns).s, story_t(end).s);
    }
}

/* The engine's rule for pauses that overlap: one that starts while the
 * node is paused extends the pause if it ends later, else changes nothing.
 * So pause fault i is told only when it starts a pause (false when it falls
 * inside an earlier one), with *end the end of the merged pause. */
static bool pause_start(const scn *s, uint32_t i, sim_time *end) {
    SIM_ASSERT(i < s->fault_count);
    SIM_ASSERT(s->faults[i].kind == SCN_FAULT_PAUSE);
    int32_t node = s->faults[i].node;
    sim_time until = SIM_TIME_NEVER;                 /* the current pause's end, none yet */
    bool starts = false;
    for (uint32_t k = 0; k < s->fault_count; k++) {
        const scn_fault *f = &s->faults[k];
        if (f->kind != SCN_FAULT_PAUSE || f->node != node) continue;
        sim_time e = f->at_ns + f->for_ns;
        bool inside = until != SIM_TIME_NEVER && f->at_ns <= until;
        if (k > i && !inside) break;                 /* past i's pause */
        if (inside) { if (e > until) until = e; }
        else until = e;
        if (k == i) starts = !inside;
    }
    *end = until;
    return starts;
}

/* Pauses, crashes, power losses, restarts and clock changes of one node. */
static void add_node_fault(story *st, uint32_t i, sim_time from, sim_time to) {
    const scn *s = st->s;
    const scn_fault *f = &s->faults[i];
    const char *who = story_node(s, f->node);
    sim_time at = f->at_ns;
    switch (f->kind) {
    case SCN_FAULT_PAUSE: {
        sim_time end = 0;
        if (!pause_start(s, i, &end) || !overlaps(at, end, from, to)) return;
        story_add(st, at, "%s paused %s..%s (%s)", who, story_t(at).s, story_t(end).s,
                  story_t(end - at).s);
        if (end <= to) story_add(st, end, "%s resumed at %s", who, story_t(end).s);
        return;
    }
    case SCN_FAULT_CRASH:
    case SCN_FAULT_POWER_LOSS: {
        sim_time end = restart_after(s, i);
        if (!overlaps(at, end, from, to)) return;
        if (f->kind == SCN_FAULT_POWER_LOSS)
            story_add(st, at, "%s lost power at %s", who, story_t(at).s);
        else
            story_add(st, at, "%s crashed at %s", who, story_t(at).s);
        if (f->for_ns > 0 && end <= to) story_add(st, end, "%s restarted at %s", who, story_t(end).s);
        return;
    }
    case SCN_FAULT_RESTART:
        if (at >= from && at <= to) story_add(st, at, "%s restarted at %s", who, story_t(at).s);
        return;
    case SCN_FAULT_CLOCK_JUMP:
        if (at <= to) story_add(st, at, "%s's clock jumped %s at %s", who, story_dt(f->jump_ns).s,
                                story_t(at).s);
        return;
    case SCN_FAULT_CLOCK_RATE:
        if (at <= to) story_add(st, at, "%s's clock began to run at %sx true time at %s", who,
                                story_rate(f->rate_ppm).s, story_t(at).s);
        return;
    default:
        sim_assert_fail("not a node fault", __FILE__, __LINE__);
    }
}

static void add_initial_clocks(story *st, uint64_t mask) {
    const scn *s = st->s;
    for (uint32_t n = 0; n < s->node_count && n < SIM_MASK_NODES; n++) {
        if (!(mask & ((uint64_t)1 << n)) || !clock_set_off(&s->clocks[n])) continue;
        const scn_clock *c = &s->clocks[n];
        story_add(st, 0, "%s's clock started %s off true time and ran at %sx", s->nodes[n].name,
                  story_dt(c->offset_ns).s, story_rate(c->rate_ppm).s);
    }
}

void story_add_faults(story *st, uint64_t node_mask, sim_time from_ns, sim_time to_ns) {
    SIM_ASSERT(st != NULL);
    SIM_ASSERT(from_ns <= to_ns);
    const scn *s = st->s;
    if (s == NULL) return;
    st->rank_now = 0;
    add_initial_clocks(st, node_mask);
    uint32_t heal_told = UINT32_MAX;
    for (uint32_t i = 0; i < s->fault_count; i++) {
        const scn_fault *f = &s->faults[i];
        switch (f->kind) {
        case SCN_FAULT_PARTITION:
        case SCN_FAULT_CUT:
            add_network_fault(st, i, node_mask, from_ns, to_ns, &heal_told);
            break;
        case SCN_FAULT_LINK_DELAY:
        case SCN_FAULT_LINK_LOSS:
            add_delay(st, f, node_mask, from_ns, to_ns);
            break;
        case SCN_FAULT_HEAL:
            break;                       /* told with the partition it ends */
        default:
            if (story_bit(f->node) & node_mask) add_node_fault(st, i, from_ns, to_ns);
            break;
        }
    }
    st->rank_now = 1;
}

/* ---------------------------------------------------------------- sharing */

/* One line of a story, without its final ';' or '.'. */
typedef struct share_line {
    const char *p;
    size_t len;
    uint32_t story;
    bool shared;
} share_line;

typedef struct share_set {
    share_line *lines;
    uint32_t count, cap;
} share_set;

static size_t line_core(const char *p, size_t len) {
    if (len > 0 && (p[len - 1] == ';' || p[len - 1] == '.')) len--;
    return len;
}

static bool same_line(const share_line *a, const share_line *b) {
    return a->len == b->len && memcmp(a->p, b->p, a->len) == 0;
}

/* The lines a story tells that another may tell too: not its last line
 * (its conclusion), not the "... (N more events) ..." of a long story. */
static bool can_share(const share_line *l, bool last) {
    return !last && !(l->len >= 5 && memcmp(l->p, "... (", 5) == 0);
}

static void split_lines(const char *text, uint32_t story_i, share_set *set) {
    const char *p = text;
    while (p && *p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (len > 0) {
            if (set->count == set->cap) {
                set->cap = set->cap ? set->cap * 2 : 64;
                set->lines = sim_xrealloc(set->lines, set->cap * sizeof *set->lines);
            }
            set->lines[set->count++] = (share_line){ p, line_core(p, len), story_i, false };
        }
        p += len + (nl ? 1 : 0);
    }
}

static bool is_last_of_story(const share_set *set, uint32_t i) {
    return i + 1 == set->count || set->lines[i + 1].story != set->lines[i].story;
}

/* Marks every line told by two or more stories; quadratic in the lines,
 * which are a few dozen per story. */
static uint32_t mark_shared(share_set *set) {
    uint32_t marked = 0;
    for (uint32_t i = 0; i < set->count; i++) {
        if (!can_share(&set->lines[i], is_last_of_story(set, i))) continue;
        for (uint32_t j = 0; j < set->count; j++) {
            if (set->lines[j].story == set->lines[i].story) continue;
            if (!can_share(&set->lines[j], is_last_of_story(set, j))) continue;
            if (!same_line(&set->lines[i], &set->lines[j])) continue;
            set->lines[i].shared = true;
            marked++;
            break;
        }
    }
    return marked;
}

/* The shared lines in the order they happen: each story's own order,
 * merged (a line already placed moves the insertion point past it). */
static uint32_t merge_shared(const share_set *set, const share_line **order) {
    uint32_t n = 0, at = 0, story_now = UINT32_MAX;
    for (uint32_t i = 0; i < set->count; i++) {
        const share_line *l = &set->lines[i];
        if (l->story != story_now) { story_now = l->story; at = 0; }
        if (!l->shared) continue;
        uint32_t k = 0;
        while (k < n && !same_line(order[k], l)) k++;
        if (k < n) { if (k + 1 > at) at = k + 1; continue; }
        memmove(&order[at + 1], &order[at], (n - at) * sizeof *order);
        order[at++] = l;
        n++;
    }
    return n;
}

static void put_lines(story_buf *out, const share_line *const *lines, uint32_t n) {
    for (uint32_t i = 0; i < n; i++)
        story_buf_printf(out, "%.*s%s\n", (int)lines[i]->len, lines[i]->p, i + 1 == n ? "." : ";");
}

uint32_t story_share(const char *const *stories, size_t n, story_buf *shared, story_buf *parts) {
    SIM_ASSERT(stories != NULL || n == 0);
    SIM_ASSERT(shared != NULL);
    SIM_ASSERT(parts != NULL || n == 0);
    share_set set = { 0 };
    for (size_t i = 0; i < n; i++) split_lines(stories[i], (uint32_t)i, &set);
    uint32_t marked = mark_shared(&set);
    const share_line **order = sim_xcalloc(set.count + 1u, sizeof *order);
    uint32_t told = marked ? merge_shared(&set, order) : 0;
    put_lines(shared, order, told);
    for (size_t i = 0; i < n; i++) {
        uint32_t k = 0;
        for (uint32_t j = 0; j < set.count; j++)
            if (set.lines[j].story == i && !set.lines[j].shared) order[k++] = &set.lines[j];
        if (told == 0 && stories[i]) story_buf_printf(&parts[i], "%s", stories[i]);
        else put_lines(&parts[i], order, k);
    }
    free(order);
    free(set.lines);
    return told;
}
