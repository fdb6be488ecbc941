/* plot_lease.c -- a lock's mechanism on the timeline: the watchdog's
 * renewals of a key, and, where a client's belief outlived what the lock
 * service held for it, how long each was.
 *
 * Renewals: every LOCK_EXTEND effect (a lock node pushed a key's expiry
 * forward for a client: Redisson's watchdog, a lease keep-alive) is a dark
 * diamond on the key's bar on the lock node's lane; the first renewal of
 * each (node, key, client) is labelled once, with the new expiry when it is
 * the only one ("renewed at 10 s: expires at 40 s") or the period and the
 * count when there are more ("renewed every 10 s (5 times)").  A renewal
 * the service refused records no effect: the arrow shows it.
 *
 * Belief against service: the belief bars and held bars that
 * plot_timeline.c built are read back from the primitives (belief at
 * PLOT_TOP_LO, held at PLOT_HELD_LO of a client's lane); where a belief
 * bar runs on past the last held bar under it by at least two min_w, the
 * held bar's end gets "c1 believed 15.004 s; its key lived 10.001 s".
 *
 * Invariant: effects and primitives are walked in index order, so the
 * marks and labels are the same for the same run.  Trade-off: with more
 * than LEASE_BARS_MAX belief bars (benches) the belief labels are left
 * out (one per hold would be a smear, and the search is per bar); with
 * more than LEASE_GROUPS_MAX renewed keys only the first ones' are
 * labelled.
 */
#include "sim/report/plot_mech.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "protocols/lock/lock_api.h"

#define LEASE_BARS_MAX   256
#define LEASE_GROUPS_MAX 64
#define RENEW_RGB        0x333333u

void plot_fmt_short(char *buf, size_t len, sim_time ns) {
    SIM_ASSERT(buf != NULL);
    SIM_ASSERT(ns >= 0);                         /* a span or an instant of the run */
    bool ms = ns < SIM_S;                        /* under a second: in ms, to the us */
    sim_time unit = ms ? SIM_MS : SIM_S, step = ms ? SIM_US : SIM_MS;
    if (ns == 0) { snprintf(buf, len, "0 s"); return; }
    char num[48];
    snprintf(num, sizeof num, "%lld.%03lld", (long long)(ns / unit), (long long)(ns % unit / step));
    size_t n = strlen(num);
    while (num[n - 1] == '0') num[--n] = '\0';   /* "40.500" -> "40.5", "10.000" -> "10." */
    if (num[n - 1] == '.') num[--n] = '\0';
    snprintf(buf, len, "%s %s", num, ms ? "ms" : "s");
}

void plot_label_ending(plot_tl *t, int32_t node, sim_time x, int32_t row, uint32_t rgb,
                       const char *fmt, ...) {
    char text[PLOT_TEXT_MAX];
    SIM_ASSERT(fmt != NULL);
    SIM_ASSERT(t->char_w > 0);
    if (!plot_label_room(t, node, false)) return;   /* plot_label would say nothing */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    sim_time w = (sim_time)strlen(text) * t->char_w + t->char_w / 2;
    plot_label(t, node, x > w ? x - w : 0, row, rgb, false, "%s", text);
}

/* ------------------------------------------------------------ renewals */

typedef struct renew_group {
    int32_t node, client;
    const char *key;
    sim_time first, second;      /* the first two renewals' times (second: NEVER) */
    int64_t expiry;              /* the first renewal's new expiry, local ns */
    uint32_t count;
} renew_group;

static renew_group *group_of(renew_group *g, uint32_t *n, const hist_effect *e) {
    for (uint32_t i = 0; i < *n; i++)
        if (g[i].node == e->node && g[i].client == e->client && strcmp(g[i].key, e->key) == 0)
            return &g[i];
    if (*n == LEASE_GROUPS_MAX) return NULL;
    g[*n] = (renew_group){ e->node, e->client, e->key, e->t_ns, SIM_TIME_NEVER, e->value, 0 };
    return &g[(*n)++];
}

static void label_renewals(plot_tl *t, const renew_group *g) {
    char a[32], b[32];
    SIM_ASSERT(g->count >= 1);
    if (g->count == 1) {
        plot_fmt_short(a, sizeof a, g->first);
        if (g->expiry > 0) {
            plot_fmt_short(b, sizeof b, g->expiry);
            plot_label(t, g->node, g->first, PLOT_ROW_MARK, RENEW_RGB, false,
                       "renewed at %s: expires at %s", a, b);
        } else {
            plot_label(t, g->node, g->first, PLOT_ROW_MARK, RENEW_RGB, false, "renewed at %s", a);
        }
        return;
    }
    SIM_ASSERT(g->second != SIM_TIME_NEVER);    /* counted twice: two times seen */
    plot_fmt_short(a, sizeof a, g->second - g->first);
    plot_label(t, g->node, g->first, PLOT_ROW_MARK, RENEW_RGB, false, "renewed every %s (%u times)",
               a, g->count);
}

static void draw_renewals(plot_tl *t) {
    renew_group g[LEASE_GROUPS_MAX];
    uint32_t n = 0;
    for (uint32_t i = 0; i < t->h->effect_count; i++) {
        const hist_effect *e = &t->h->effects[i];
        if (e->kind != HIST_EFF_LOCK_EXTEND || e->node < 0 || (uint32_t)e->node >= t->s->node_count)
            continue;
        int32_t y = plot_lane_y(t, e->node) + (PLOT_TOP_LO + PLOT_TOP_HI) / 2;
        plot_mark(t, PB_DIAMOND, e->t_ns, y, RENEW_RGB);
        t->legend |= PL_RENEW;
        renew_group *r = group_of(g, &n, e);
        if (!r) continue;
        if (r->count == 1) r->second = e->t_ns;
        r->count++;
    }
    SIM_ASSERT(n <= LEASE_GROUPS_MAX);
    for (uint32_t i = 0; i < n; i++) label_renewals(t, &g[i]);
}

/* ------------------------------------------------- belief against held */

static bool is_belief(const plot_tl *t, const plot_prim *p) {
    if (p->block != PB_BAR) return false;
    int32_t lane = (p->y1 - PLOT_TOP_LO + 50) / 100;       /* the lane this bar's row is in */
    if (lane < 1 || (uint32_t)lane > t->s->node_count) return false;
    int32_t node = (int32_t)t->s->node_count - lane;
    return p->y1 == lane * 100 + PLOT_TOP_LO && t->rgb[node] != PLOT_GREY;
}

/* The last end, and the first start, of the held bars under [b0, b1) on
 * the lane whose held row is at y. */
static bool held_under(const plot_tl *t, int32_t y, sim_time b0, sim_time b1, sim_time *from,
                       sim_time *to) {
    bool any = false;
    for (uint32_t i = 0; i < t->count; i++) {
        const plot_prim *p = &t->p[i];
        if (p->block != PB_HELD || p->y1 != y || p->x1 >= b1 || p->x2 <= b0) continue;
        if (!any || p->x1 < *from) *from = p->x1;
        if (!any || p->x2 > *to) *to = p->x2;
        any = true;
    }
    return any;
}

static void draw_outlived(plot_tl *t) {
    uint32_t bars = 0, n = t->count;             /* only the bars built before this */
    for (uint32_t i = 0; i < n; i++) bars += is_belief(t, &t->p[i]);
    if (bars > LEASE_BARS_MAX) return;
    for (uint32_t i = 0; i < n; i++) {
        if (!is_belief(t, &t->p[i])) continue;
        plot_prim b = t->p[i];                   /* a copy: plot_label may move t->p */
        int32_t lane = (b.y1 - PLOT_TOP_LO) / 100, node = (int32_t)t->s->node_count - lane;
        sim_time from = 0, to = 0;
        if (!held_under(t, lane * 100 + PLOT_HELD_LO, b.x1, b.x2, &from, &to)) continue;
        if (b.x2 < to + 2 * t->min_w) continue;  /* the belief ended with the key */
        char believed[32], lived[32];
        plot_fmt_short(believed, sizeof believed, b.x2 - b.x1);
        plot_fmt_short(lived, sizeof lived, to - from);
        plot_label(t, node, to, PLOT_ROW_TOP, t->rgb[node], false, "%s believed %s; its key lived %s",
                   t->s->nodes[node].name, believed, lived);
    }
}

void plot_build_leases(plot_tl *t) {
    SIM_ASSERT(t != NULL);
    SIM_ASSERT(t->h != NULL);
    draw_renewals(t);
    draw_outlived(t);
}
