/* test_plot.c -- the pictures (sim/report/plot.h): what timeline.dat says
 * for canonical scenarios, that the same run gives the same bytes, the
 * clock replay against the engine's own readings, the message window, the
 * latency plot's threshold, and how gnuplot is run (missing, failing,
 * drawing).  Scenarios run in-process as `ccsim run` does, and the data
 * file is read back block by block (test_plot_support.h).  Run from the
 * repository root.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/test_plot_support.h"
#include "protocols/lock/lock_api.h"
#include "sim/registry/registry.h"
#include "sim/report/plot_int.h"

#define L2 "scenarios/locks/L2-lease-gc-pause.yaml"
#define L3B "scenarios/locks/L3b-release-compare-and-delete.yaml"
#define R4 "scenarios/redlock/R4-redlock-clock-jump.yaml"
#define R7 "scenarios/redlock/R7-redlock-majority-partition.yaml"
#define W3 "scenarios/locks/W3-coord-service-session-expiry.yaml"
#define T3 "scenarios/2pc/T3-coordinator-crash-stuck.yaml"

static bool exists(const char *dir, const char *name) {
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct stat st;
    return stat(path, &st) == 0 && st.st_size > 0;
}

static bool has_row(fx *f, const char *name, const char *row) {
    char *b = block(f, name);
    char right[64];
    snprintf(right, sizeof right, "%s-right", name);         /* or right-aligned near the edge */
    char *r = strstr(name, "label") ? block(f, right) : sim_xcalloc(1, 1);
    bool found = strstr(b, row) != NULL || strstr(r, row) != NULL;
    if (!found) print_error("[%s] has no row '%s':\n%s%s\n", name, row, b, r);
    free(b);
    free(r);
    return found;
}

static uint32_t rows(fx *f, const char *name) {
    char *b = block(f, name);
    uint32_t n = 0;
    for (char *p = b; *p; p++) n += *p == '\n' && p > b && p[-1] != '\n';   /* non-empty lines */
    free(b);
    return n;
}

/* ------------------------------------------------------------------ */

static void the_l2_timeline_tells_kleppmanns_story(void **state) {
    (void)state;
    fx f;
    run_file(&f, L2, NULL, 0);
    /* lanes: redis1 4, c1 3, c2 2, storage1 1 */
    assert_true(has_row(&f, "bar", "0.001000000 10.002000000 4."));         /* c1's key on redis1 */
    assert_true(has_row(&f, "label", " 3.71 5592405 \"expired\""));        /* ends at 10.002 s: test_plot_mech */
    assert_true(has_row(&f, "bar", "0.002000000 15.006000000 3."));         /* c1 believes to 15 s */
    assert_true(has_row(&f, "held", "0.001000000 10.002000000 3."));        /* redis1 held it to 10 s */
    assert_true(has_row(&f, "hatch", "0.004000000 15.004000000 2.90 3.04"));   /* the GC pause, mid row */
    assert_true(has_row(&f, "label", "\"paused 15 s (GC)\""));
    assert_true(has_row(&f, "bar", "10.502000000 "));                          /* c2's hold */
    assert_true(has_row(&f, "red-label", "\"stale write, lost update\""));     /* c1's write */
    assert_true(has_row(&f, "red-mark", "15.005000000 0.84"));                  /* applied at storage */
    assert_true(has_row(&f, "red-label", "\"c1 wrote 1 (epoch 1)\""));
    assert_true(has_row(&f, "red-label", "\"both held the lock\""));
    assert_int_equal(rows(&f, "arrow"), 16);                                   /* every message */
    char *gp = slurp(f.dir, "timeline.gp");
    assert_non_null(strstr(gp, "L2-lease-gc-pause   seed 1"));
    assert_non_null(strstr(gp, "violation: mutual-exclusion, lease-overlap, lost-update;  ok: liveness, linearizable"));
    assert_non_null(strstr(gp, "set xrange [0:17.000000000]"));                /* trimmed: quiet after 15 s */
    free(gp);
    assert_false(exists(f.dir, "latency.gp"));                                 /* 16 ops: no latency plot */
    done(&f);
}

static void the_same_run_writes_the_same_bytes(void **state) {
    (void)state;
    fx a, b;
    run_file(&a, R4, NULL, 0);
    run_file(&b, R4, NULL, 0);
    static const char *const names[] = { "timeline.dat", "timeline.gp" };
    for (size_t i = 0; i < 2; i++) {
        char *x = slurp(a.dir, names[i]), *y = slurp(b.dir, names[i]);
        assert_non_null(x);
        assert_non_null(y);
        char *gx = strstr(x, "\n"), *gy = strstr(y, "\n");
        assert_string_equal(gx, gy);
        free(x);
        free(y);
    }
    done(&a);
    done(&b);
}

static void the_clock_replay_matches_the_engines_own_readings(void **state) {
    (void)state;
    fx f;
    run_file(&f, R4, NULL, 0);
    const hist *h = sim_history(f.run);
    uint32_t checked = 0;
    for (uint32_t i = 0; i < h->effect_count; i++) {
        const hist_effect *e = &h->effects[i];
        sim_time local = hist_effect_local_ns(h, e);
        assert_int_equal(plot_clock_error(f.s, e->node, e->t_ns), local - e->t_ns);
        checked += local != e->t_ns;
    }
    for (uint32_t i = 0; i < h->op_count; i++) {
        const hist_op *op = &h->ops[i];
        assert_int_equal(plot_clock_error(f.s, op->node, op->invoke_ns), hist_op_local_ns(h, op) - op->invoke_ns);
    }
    assert_true(checked > 0);                                /* C's jump was among them */
    assert_true(has_row(&f, "label", "\"clock +20 s\""));
    assert_true(rows(&f, "clock") >= 4);                     /* 0, before and after the jump, end */
    done(&f);
}

static void a_cut_shades_the_lanes_at_both_ends(void **state) {
    (void)state;
    fx f;
    run_file(&f, R4, NULL, 0);
    assert_true(has_row(&f, "label", "\"cut <-> D, E\""));
    assert_true(has_row(&f, "label", "\"cut <-> A, B\""));
    assert_int_equal(rows(&f, "shade"), 6);                 /* c1, D, E + c2, A, B; C is not cut */
    done(&f);
}

static void a_power_loss_is_labelled_apart_from_a_crash(void **state) {
    (void)state;
    fx f;
    run_file(&f, "scenarios/redlock/R3c-redlock-aof-everysec-power-loss.yaml", NULL, 0);
    assert_true(has_row(&f, "label", "\"power loss\""));
    assert_true(has_row(&f, "label", "\"restart\""));
    done(&f);
    run_file(&f, "scenarios/redlock/R3c3-redlock-aof-everysec-process-crash.yaml", NULL, 0);
    assert_true(has_row(&f, "label", "\"crash\""));
    done(&f);
}

static void a_queued_key_is_not_held_until_the_older_one_goes(void **state) {
    (void)state;
    fx f;
    run_file(&f, W3, NULL, 0);
    /* zk is lane 4; c2's znode waits behind c1's until c1's session expires at 10.201 s */
    assert_true(has_row(&f, "held", "0.002000000 10.201000000 4."));
    assert_true(has_row(&f, "bar", "10.201000000 10.305000000 4."));
    done(&f);
}

/* ------------------------------------------------------------ the index of open holds */

static int32_t node_named(const scn *s, const char *name) {
    for (uint32_t i = 0; i < s->node_count; i++)
        if (strcmp(s->nodes[i].name, name) == 0) return (int32_t)i;
    fail_msg("no node %s", name);
    return -1;
}

typedef struct key_ev { sim_time t; uint32_t seq; hist_effect_fields e; } key_ev;
typedef struct span { sim_time from, to; } span;

static int span_cmp(const void *pa, const void *pb) {
    const span *a = pa, *b = pb;
    return a->from < b->from ? -1 : (a->from > b->from);
}

static int key_ev_cmp(const void *pa, const void *pb) {
    const key_ev *a = pa, *b = pb;
    if (a->t != b->t) return a->t < b->t ? -1 : 1;
    return a->seq < b->seq ? -1 : (a->seq > b->seq);
}

static void key_ev_add(hist *h, key_ev *ev, uint32_t *n, hist_eff_kind kind, sim_time t, int32_t node,
                       int32_t client, const char *key) {
    key_ev *x = &ev[*n];
    memset(x, 0, sizeof *x);
    x->t = t;
    x->seq = (*n)++;
    x->e = (hist_effect_fields){ .kind = kind, .t_ns = t, .node = node, .client = client, .op = HIST_NONE };
    x->e.key = hist_intern(h, key, SIM_NAME_MAX);
}

enum { HOLDS_N = 1000 };

/* Hold i: key k<(i/5)%20> on lock node i%5, set at 10i ms by c1 or c2,
 * ended at 10i+45 ms by a DEL, or (i%4 == 3) by the other client's SET of
 * the same key, which opens a second hold that its DEL ends at 10i+48;
 * i%4 == 1 also sets its key again (no new hold), i%4 == 2 sends a stray
 * DEL and an EXTEND (nothing).  Each key comes back ten times per node, so
 * a key must be found among hundreds of holds.  The holds' spans go to
 * `want`, in the order they begin. */
static uint32_t many_holds(const scn *s, hist *h, span *want) {
    static const char *const locks[] = { "A", "B", "C", "D", "E" };
    int32_t c[2] = { node_named(s, "c1"), node_named(s, "c2") };
    key_ev *ev = sim_xcalloc(HOLDS_N * 4u, sizeof *ev);
    uint32_t n = 0, holds = 0;
    for (uint32_t i = 0; i < HOLDS_N; i++) {
        int32_t node = node_named(s, locks[i % 5]), me = c[(i / 5) % 2], other = c[1 - (i / 5) % 2];
        char key[16];
        snprintf(key, sizeof key, "k%u", (i / 5) % 20);
        sim_time t = (sim_time)i * 10 * SIM_MS;
        key_ev_add(h, ev, &n, HIST_EFF_LOCK_SET, t, node, me, key);
        want[holds++] = (span){ t, t + 45 * SIM_MS };
        if (i % 4 == 1) key_ev_add(h, ev, &n, HIST_EFF_LOCK_SET, t + 20 * SIM_MS, node, me, key);
        if (i % 4 == 2) {
            key_ev_add(h, ev, &n, HIST_EFF_LOCK_EXTEND, t + 25 * SIM_MS, node, me, key);
            key_ev_add(h, ev, &n, HIST_EFF_LOCK_DEL, t + 30 * SIM_MS, node, me, "stray");
        }
        if (i % 4 != 3) { key_ev_add(h, ev, &n, HIST_EFF_LOCK_DEL, t + 45 * SIM_MS, node, me, key); continue; }
        key_ev_add(h, ev, &n, HIST_EFF_LOCK_SET, t + 45 * SIM_MS, node, other, key);
        key_ev_add(h, ev, &n, HIST_EFF_LOCK_DEL, t + 48 * SIM_MS, node, other, key);
        want[holds++] = (span){ t + 45 * SIM_MS, t + 48 * SIM_MS };
    }
    qsort(want, holds, sizeof *want, span_cmp);
    qsort(ev, n, sizeof *ev, key_ev_cmp);
    for (uint32_t k = 0; k < n; k++) assert_true(hist_add_effect(h, &ev[k].e));
    free(ev);
    return holds;
}

static void each_of_many_lock_keys_ends_where_its_own_del_or_overwrite_is(void **state) {
    (void)state;
    static scn s;
    char err[SIM_ERR_MAX];
    assert_int_equal(scn_load(R4, &s, err, sizeof err), 0);
    hist h;
    hist_init(&h);
    h.vocab = &registry_vocab;                         /* every family's kinds, as a real run has */
    static span want[2 * HOLDS_N];
    uint32_t holds = many_holds(&s, &h, want);
    rpt_run r = { .s = &s, .h = &h, .end_ns = 100 * SIM_S };
    plot_run pr = { &r, NULL };
    plot_tl t;
    plot_tl_build(&t, &pr);
    uint32_t bars = 0;
    for (uint32_t i = 0; i < t.count; i++) {
        const plot_prim *p = &t.p[i];
        if (p->block != PB_BAR) continue;
        assert_true(bars < holds);
        const span *w = &want[bars];
        assert_int_equal(p->x1, w->from);              /* in the order the holds began */
        sim_time x2 = w->to - w->from < t.min_w ? w->from + t.min_w : w->to;   /* widened to show */
        if (p->x2 != x2) fail_msg("hold %u: bar to %lld, want %lld", bars, (long long)p->x2, (long long)x2);
        bars++;
    }
    assert_int_equal(bars, holds);
    assert_true(t.min_w < 45 * SIM_MS);                /* the 45 ms holds are not widened */
    plot_tl_free(&t);
    hist_free(&h);
    scn_free(&s);
}

/* ------------------------------------------------------------ dense runs */

enum { DENSE_HOLDS = 20000 };

/* Hold i on lock node i%5 by c1 or c2 (in turns of 1 s): set at 10i ms, deleted 5 ms later;
 * 20000 of them over 200 s are far more bars than 1200 columns show. */
static void dense_holds(const scn *s, hist *h) {
    static const char *const locks[] = { "A", "B", "C", "D", "E" };
    int32_t c[2] = { node_named(s, "c1"), node_named(s, "c2") };
    for (int k = 0; k < 2; k++) {                      /* an op each: clients get colours */
        hist_op_fields op = { .node = c[k], .f = HIST_F_READ, .result = HIST_OK, .complete_ns = SIM_MS };
        assert_true(hist_add_op(h, &op, NULL));
    }
    for (uint32_t i = 0; i < DENSE_HOLDS; i++) {
        sim_time t = (sim_time)i * 10 * SIM_MS;
        int32_t node = node_named(s, locks[i % 5]), who = c[(i / 100) % 2];   /* 1 s each */
        hist_effect_fields set = { .kind = HIST_EFF_LOCK_SET, .t_ns = t, .node = node, .client = who,
                            .op = HIST_NONE, .key = "k" };
        hist_effect_fields del = set;
        del.kind = HIST_EFF_LOCK_DEL;
        del.t_ns = t + 5 * SIM_MS;
        assert_true(hist_add_effect(h, &set));
        assert_true(hist_add_effect(h, &del));
    }
}

static int prim_cmp(const void *pa, const void *pb) {
    const plot_prim *a = pa, *b = pb;
    if (a->y1 != b->y1) return a->y1 < b->y1 ? -1 : 1;
    return a->x1 < b->x1 ? -1 : (a->x1 > b->x1);
}

/* The drawn bar of row y1 that starts at or before x, or NULL. */
static const plot_prim *bar_at(const plot_prim *bars, uint32_t n, int32_t y1, sim_time x) {
    const plot_prim *best = NULL;
    uint32_t lo = 0, hi = n;
    while (lo < hi) {                                  /* the first bar after (y1, x) */
        uint32_t mid = lo + (hi - lo) / 2;
        if (bars[mid].y1 < y1 || (bars[mid].y1 == y1 && bars[mid].x1 <= x)) lo = mid + 1;
        else hi = mid;
    }
    if (lo > 0 && bars[lo - 1].y1 == y1) best = &bars[lo - 1];
    return best;
}

static void a_dense_timeline_is_thinned_and_says_so(void **state) {
    (void)state;
    static scn s;
    char err[SIM_ERR_MAX];
    assert_int_equal(scn_load(R4, &s, err, sizeof err), 0);
    hist h;
    hist_init(&h);
    h.vocab = &registry_vocab;
    dense_holds(&s, &h);
    rpt_run r = { .s = &s, .h = &h, .end_ns = 201 * SIM_S };
    plot_run pr = { &r, NULL };
    plot_tl t;
    plot_tl_build(&t, &pr);
    char want[96];
    snprintf(want, sizeof want, "%u bars and marks, those closer than 1 px merged: ", DENSE_HOLDS);
    if (!strstr(t.note, want)) fail_msg("note '%s' has no '%s'", t.note, want);
    plot_prim *bars = sim_xcalloc(t.count + 1u, sizeof *bars);
    uint32_t n = 0;
    for (uint32_t i = 0; i < t.count; i++)
        if (t.p[i].block == PB_BAR) bars[n++] = t.p[i];
    assert_true(n > 0);
    assert_true(n <= 5u * PLOT_WIDTH_PX);              /* at most a bar per column per lane */
    qsort(bars, n, sizeof *bars, prim_cmp);
    for (uint32_t i = 0; i < DENSE_HOLDS; i++) {       /* none left out: each start is drawn */
        static const char *const locks[] = { "A", "B", "C", "D", "E" };
        int32_t y1 = plot_lane_y(&t, node_named(&s, locks[i % 5])) + PLOT_TOP_LO;
        sim_time from = (sim_time)i * 10 * SIM_MS, to = from + t.min_w;   /* widened to show */
        for (sim_time x = from; x < to; x += t.min_w / 8) {
            const plot_prim *b = bar_at(bars, n, y1, x);
            if (!b || b->x2 <= x) fail_msg("hold %u: %lld ns is in no drawn bar", i, (long long)x);
        }
    }
    free(bars);
    plot_tl_free(&t);
    hist_free(&h);
    scn_free(&s);
}

/* The densest timeline of the library (8 186 bars and marks) is drawn as
 * built: thinning starts at twice that. */
static void a_library_sized_run_is_not_thinned(void **state) {
    (void)state;
    fx f;
    run_file(&f, "scenarios/db/D1d-flash-sale-naive-repeatable-read.yaml", NULL, 0);
    char *dat = slurp(f.dir, "timeline.dat"), *lat = slurp(f.dir, "latency.dat");
    assert_non_null(dat);
    assert_null(strstr(dat, "merged"));
    assert_true(lat == NULL || strstr(lat, "#@ note") == NULL);
    plot_tl t;
    plot_tl_build(&t, &f.pr);
    uint32_t marks = 0;
    for (uint32_t i = 0; i < t.count; i++)
        marks += t.p[i].block <= PB_BLOCK || (t.p[i].block >= PB_DOT && t.p[i].block <= PB_DIAMOND);
    assert_true(marks > 4000);                         /* a dense picture, yet under the line */
    assert_true(marks <= PLOT_THIN_MIN);
    plot_tl_free(&t);
    free(dat);
    free(lat);
    done(&f);
}

/* n write ops, 10 ms apart, of 1 to 7 ms, written to latency.dat in dir. */
static char *latency_of(const char *dir, uint32_t n) {
    static scn s;
    char err[SIM_ERR_MAX];
    assert_int_equal(scn_load(R4, &s, err, sizeof err), 0);
    hist h;
    hist_init(&h);
    h.vocab = &registry_vocab;
    for (uint32_t i = 0; i < n; i++) {
        hist_op_fields op = { 0 };
        op.node = node_named(&s, "c1");
        op.f = HIST_F_WRITE;
        op.result = HIST_OK;
        op.invoke_ns = (sim_time)i * 10 * SIM_MS;
        op.complete_ns = op.invoke_ns + (sim_time)(i % 7 + 1) * SIM_MS + (sim_time)(i % 13) * 1000;
        assert_true(hist_add_op(&h, &op, NULL));
    }
    rpt_run r = { .s = &s, .h = &h, .end_ns = (sim_time)n * 10 * SIM_MS + SIM_S };
    assert_int_equal(rpt_mkdirs(dir), 0);
    assert_int_equal(plot_write_latency(dir, &r, err, sizeof err), 0);
    hist_free(&h);
    scn_free(&s);
    return slurp(dir, "latency.dat");
}

static uint32_t series_rows(const char *dat, const char *name) {
    const char *p = strstr(dat, name);
    assert_non_null(p);
    uint32_t n = 0;
    for (p = strchr(p, '\n') + 1; *p && *p != '\n' && *p != '#'; p = strchr(p, '\n') + 1) n++;
    return n;
}

static void a_dense_latency_series_is_thinned_and_says_so(void **state) {
    (void)state;
    char dir[128];
    snprintf(dir, sizeof dir, "%s/lat-dense", tmp_root);
    char *dat = latency_of(dir, 3 * PLOT_LAT_THIN_MIN);
    uint32_t drawn = series_rows(dat, "# [lat write ok]");
    assert_true(drawn < 3 * PLOT_LAT_THIN_MIN);
    assert_true(drawn >= 100);                          /* thinned, not emptied */
    char want[128];
    snprintf(want, sizeof want, "#@ note %u points; of those within a marker (4 px) of each other "
             "one is drawn: %u drawn\n", 3 * PLOT_LAT_THIN_MIN, drawn);
    if (!strstr(dat, want)) fail_msg("latency.dat has no '%s'", want);
    char *gp = slurp(dir, "latency.gp");
    assert_non_null(strstr(gp, "of each other one is drawn"));   /* the subtitle */
    free(gp);
    free(dat);
    snprintf(dir, sizeof dir, "%s/lat-at-line", tmp_root);
    dat = latency_of(dir, PLOT_LAT_THIN_MIN);           /* at the line: every point */
    assert_int_equal(series_rows(dat, "# [lat write ok]"), PLOT_LAT_THIN_MIN);
    assert_null(strstr(dat, "#@ note"));
    free(dat);
}

static void blocked_windows_are_drawn_on_the_waiting_nodes(void **state) {
    (void)state;
    fx f;
    run_file(&f, T3, NULL, 0);
    assert_true(has_row(&f, "label", "\"blocked: in doubt on tm:1 (still at the end)\""));
    assert_true(rows(&f, "block") >= 3);                     /* p1, p2, p3 in doubt */
    assert_false(has_row(&f, "label", "\"read still pending at the end\""));   /* X gives up at 34 s */
    done(&f);
}

static void a_run_with_many_ops_also_writes_the_latency_plot(void **state) {
    (void)state;
    const char *sets[] = { "workload.iterations=40", "faults=[{at: 1s, pause: c2, for: 1s}]",
                           "workload.hold=10ms", "workload.start=0ms", "duration=60s" };
    fx f;
    run_file(&f, L3B, sets, 5);
    assert_true(f.r.h->op_count >= PLOT_LATENCY_OPS_MIN);
    char *dat = slurp(f.dir, "latency.dat"), *gp = slurp(f.dir, "latency.gp");
    assert_non_null(dat);
    assert_non_null(gp);
    assert_non_null(strstr(dat, "# [lat write ok]\n"));
    assert_non_null(strstr(gp, "index \"[lat acquire ok]\""));
    assert_non_null(strstr(gp, "set object rect from 1.000000000, graph 0 to 2.000000000, graph 1"));
    assert_non_null(strstr(gp, "'pause c2'"));
    free(dat);
    free(gp);
    done(&f);
}

static void latency_percentiles_use_nearest_rank_over_completed_ops(void **state) {
    (void)state;
    hist h;
    hist_init(&h);
    for (int i = 1; i <= 10; i++) {
        hist_op_fields op = { 0 };
        op.f = HIST_F_WRITE;
        op.result = i == 10 ? HIST_PENDING : HIST_OK;
        op.invoke_ns = 0;
        op.complete_ns = i == 10 ? SIM_TIME_NEVER : i * SIM_MS;
        assert_true(hist_add_op(&h, &op, NULL));
    }
    assert_int_equal(plot_latency_percentile(&h, 50), 5 * SIM_MS);
    assert_int_equal(plot_latency_percentile(&h, 99), 9 * SIM_MS);
    hist_free(&h);
    hist_init(&h);
    assert_int_equal(plot_latency_percentile(&h, 50), 0);
    hist_free(&h);
}

/* ------------------------------------------------------------ gnuplot */

static char saved_path[4096];

static void path_set(const char *p) { setenv("PATH", p, 1); }
static void path_restore(void) { setenv("PATH", saved_path, 1); }

static void without_gnuplot_nothing_is_drawn_and_the_message_says_what_to_install(void **state) {
    (void)state;
    fx f;
    run_file(&f, L2, NULL, 0);
    char stale[128];                                         /* a stale picture, to be removed */
    snprintf(stale, sizeof stale, "%s/timeline.png", f.dir);
    FILE *w = fopen(stale, "w");
    assert_non_null(w);
    fputs("old", w);
    fclose(w);
    char why[1200];
    path_set("/nonexistent-ccsim-dir");
    plot_status st = plot_draw(f.dir, "timeline.gp", PLOT_PNG | PLOT_SVG, why, sizeof why);
    path_restore();
    assert_int_equal(st, PLOT_NO_GNUPLOT);
    assert_non_null(strstr(why, "gnuplot-nox"));
    assert_null(strchr(why, '\n'));
    assert_false(exists(f.dir, "timeline.png"));
    assert_true(exists(f.dir, "timeline.gp"));
    done(&f);
}

static void a_failing_gnuplot_leaves_no_picture_and_quotes_its_complaint(void **state) {
    (void)state;
    fx f;
    run_file(&f, L2, NULL, 0);
    char bin[128], fake[160];
    snprintf(bin, sizeof bin, "%s/bin", tmp_root);
    assert_int_equal(rpt_mkdirs(bin), 0);
    snprintf(fake, sizeof fake, "%s/gnuplot", bin);
    FILE *w = fopen(fake, "w");
    assert_non_null(w);
    fputs("#!/bin/sh\necho 'x.png.tmp' > timeline.png.tmp\necho '         ^' >&2\n"
          "echo 'line 9: something is wrong' >&2\nexit 3\n", w);
    fclose(w);
    chmod(fake, 0755);
    char path[4200], why[1200];
    snprintf(path, sizeof path, "%s:/bin:/usr/bin", bin);
    path_set(path);
    plot_status st = plot_draw(f.dir, "timeline.gp", PLOT_PNG | PLOT_SVG, why, sizeof why);
    path_restore();
    assert_int_equal(st, PLOT_GNUPLOT_FAILED);
    assert_non_null(strstr(why, "(exit 3): line 9: something is wrong"));
    assert_false(exists(f.dir, "timeline.png"));
    assert_false(exists(f.dir, "timeline.png.tmp"));
    done(&f);
}

/* L2's report, drawn in both formats; skips the test without gnuplot. */
static void draw_l2_or_skip(fx *f) {
    run_file(f, L2, NULL, 0);
    char why[1200];
    if (plot_draw(f->dir, "timeline.gp", PLOT_BOTH, why, sizeof why) == PLOT_NO_GNUPLOT) {
        print_message("gnuplot missing: %s\n", why);
        skip();
    }
}

static void gnuplot_draws_a_well_formed_svg_and_a_png(void **state) {
    (void)state;
    fx f;
    draw_l2_or_skip(&f);
    char *svg = slurp(f.dir, "timeline.svg"), *png = slurp(f.dir, "timeline.png");
    assert_non_null(svg);
    assert_non_null(png);
    assert_non_null(strstr(svg, "<svg"));
    assert_non_null(strstr(svg, "</svg>"));
    assert_non_null(strstr(svg, "stale write, lost update"));
    assert_memory_equal(png, "\x89PNG", 4);
    assert_false(exists(f.dir, "timeline.svg.tmp"));
    free(svg);
    free(png);
    done(&f);
}

/* Pictures on demand (issue 17): PNG alone draws no SVG, and removes an
 * older run's SVG rather than leave a picture of another run beside it. */
static void drawing_the_png_alone_writes_no_svg_and_removes_an_older_one(void **state) {
    (void)state;
    fx f;
    draw_l2_or_skip(&f);
    assert_true(exists(f.dir, "timeline.svg"));
    char why[1200];
    assert_int_equal(plot_draw(f.dir, "timeline.gp", PLOT_PNG, why, sizeof why), PLOT_DRAWN);
    assert_true(exists(f.dir, "timeline.png"));
    assert_false(exists(f.dir, "timeline.svg"));
    assert_false(exists(f.dir, "timeline.svg.tmp"));
    assert_int_equal(plot_draw(f.dir, "timeline.gp", PLOT_SVG, why, sizeof why), PLOT_DRAWN);
    assert_true(exists(f.dir, "timeline.svg"));
    assert_false(exists(f.dir, "timeline.png"));
    done(&f);
}

static bool same_bytes(const char *dir, const char *a, const char *b) {
    char pa[256], pb[256];
    snprintf(pa, sizeof pa, "%s/%s", dir, a);
    snprintf(pb, sizeof pb, "%s/%s", dir, b);
    FILE *fa = fopen(pa, "rb"), *fb = fopen(pb, "rb");
    assert_non_null(fa);
    assert_non_null(fb);
    int x, y;
    do { x = fgetc(fa); y = fgetc(fb); } while (x == y && x != EOF);
    fclose(fa);
    fclose(fb);
    return x == y;
}

static void keep_as(const char *dir, const char *name, const char *as) {
    char from[256], to[256];
    snprintf(from, sizeof from, "%s/%s", dir, name);
    snprintf(to, sizeof to, "%s/%s", dir, as);
    assert_int_equal(rename(from, to), 0);
}

/* The four drawings of a run at once (timeline and latency, SVG and PNG)
 * give the same files as each drawn alone, one after the other. */
static void drawing_png_and_svg_at_once_gives_the_same_files_as_one_after_the_other(void **state) {
    (void)state;
    const char *sets[] = { "workload.iterations=40", "workload.hold=10ms", "duration=60s" };
    fx f;
    run_file(&f, L3B, sets, 3);
    static const char *const scripts[] = { "timeline.gp", "latency.gp" };
    char why[1200];
    plot_status st = plot_draw_many(f.dir, scripts, 2, PLOT_BOTH, why, sizeof why);
    if (st == PLOT_NO_GNUPLOT) { print_message("gnuplot missing: %s\n", why); done(&f); skip(); }
    assert_int_equal(st, PLOT_DRAWN);
    static const char *const names[] = { "timeline", "latency" };
    for (size_t i = 0; i < 2; i++) {
        char a[64], b[64];
        for (int fmt = 0; fmt < 2; fmt++) {
            const char *ext = fmt ? "png" : "svg";
            snprintf(a, sizeof a, "%s.%s", names[i], ext);
            snprintf(b, sizeof b, "%s.at-once.%s", names[i], ext);
            keep_as(f.dir, a, b);
        }
        for (int fmt = 0; fmt < 2; fmt++) {             /* alone: SVG, then PNG */
            const char *ext = fmt ? "png" : "svg";
            assert_int_equal(plot_draw(f.dir, scripts[i], fmt ? PLOT_PNG : PLOT_SVG, why, sizeof why),
                             PLOT_DRAWN);
            snprintf(a, sizeof a, "%s.%s", names[i], ext);
            snprintf(b, sizeof b, "%s.at-once.%s", names[i], ext);
            if (!same_bytes(f.dir, a, b)) fail_msg("%s differs when drawn at once", a);
        }
    }
    done(&f);
}

static int setup(void **state) {
    (void)state;
    snprintf(saved_path, sizeof saved_path, "%s", getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
    return tmpdir_make(tmp_root, sizeof tmp_root, "plot");
}

static int teardown(void **state) {
    (void)state;
    return tmpdir_remove(tmp_root);
}

/* ------------------------------------------------------------ the grammar */

static bool block_has(fx *f, const char *name, const char *row) {
    char *b = block(f, name);
    bool found = strstr(b, row) != NULL;
    free(b);
    return found;
}

static bool gp_has(fx *f, const char *text) {
    char *gp = slurp(f->dir, "timeline.gp");
    assert_non_null(gp);
    bool found = strstr(gp, text) != NULL;
    free(gp);
    return found;
}

/* With fencing, c1's stale write is refused: its op failed, drawn thin in
 * c1's colour (not orange), and the overlap of beliefs the fencing made
 * harmless is said in grey, not as red evidence. */
static void fencing_makes_the_overlap_grey_and_a_failed_op_keeps_its_clients_colour(void **state) {
    (void)state;
    fx f;
    const char *set[1] = { "params.fencing=true" };
    run_file(&f, L2, set, 1);
    assert_true(has_row(&f, "op-failed", "15.006000000 15.062666666 2.84 2062260"));   /* c1's blue */
    assert_int_equal(rows(&f, "red-op") + rows(&f, "red-mark") + rows(&f, "red-label") +
                     rows(&f, "red-label-right") + rows(&f, "outline"), 0);
    assert_true(has_row(&f, "label", "\"both held the lock (fencing: no harm)\""));
    assert_true(has_row(&f, "cross", "15.005000000 0.84 2062260"));                    /* refused, c1's */
    assert_true(gp_has(&f, "violation (harmless: fenced): lease-overlap;  ok: mutual-exclusion"));
    assert_true(gp_has(&f, "tc rgb '#2a7f2a'"));                                        /* a green line */
    done(&f);
}

/* Whether an overlap is harmless is the check's flag, not its words: with
 * the flag and other words the picture still says it in grey; with the
 * words and no flag it is red evidence. */
static void the_picture_reads_the_checks_informational_flag_not_its_summary(void **state) {
    (void)state;
    fx f;
    const char *set[1] = { "params.fencing=true" };
    run_file(&f, L2, set, 1);
    check_result *lo = NULL;
    for (size_t i = 0; i < f.o.result_count; i++)
        if (strcmp(f.o.results[i].name, "lease-overlap") == 0) lo = &f.o.results[i];
    assert_non_null(lo);
    assert_true(lo->informational);
    char err[SIM_ERR_MAX];
    snprintf(lo->summary, sizeof lo->summary, "both held the lock; fencing refused the older");
    assert_int_equal(plot_write(f.dir, &f.pr, err, sizeof err), 0);
    assert_true(gp_has(&f, "violation (harmless: fenced): lease-overlap;  ok: mutual-exclusion"));
    assert_int_equal(rows(&f, "red-op") + rows(&f, "red-label") + rows(&f, "red-label-right"), 0);
    lo->informational = false;
    snprintf(lo->summary, sizeof lo->summary, "overlap (fencing tokens in use: informational)");
    assert_int_equal(plot_write(f.dir, &f.pr, err, sizeof err), 0);
    assert_true(gp_has(&f, "violation: lease-overlap;  ok: mutual-exclusion"));
    assert_true(rows(&f, "red-op") > 0);
    done(&f);
}

/* The legend names every mark drawn and nothing else, and its key swatch
 * is in a client's colour, as the keys are. */
static void the_legend_explains_exactly_the_marks_drawn(void **state) {
    (void)state;
    fx f;
    run_file(&f, L2, NULL, 0);
    assert_true(gp_has(&f, "lc rgb '#1f77b4' fs solid 0.85 border rgb '#404040' title 'a key on a lock node"));
    assert_true(gp_has(&f, "title 'read'"));
    assert_true(gp_has(&f, "title 'write applied or step done'"));
    assert_false(gp_has(&f, "title 'commit'"));
    assert_false(gp_has(&f, "vote, decision"));
    assert_false(gp_has(&f, "title 'crash'"));
    done(&f);
    run_file(&f, T3, NULL, 0);
    assert_true(rows(&f, "star") == 1);                    /* tm's crash: a star, not an x */
    assert_true(gp_has(&f, "title 'crash'"));
    assert_true(gp_has(&f, "vote, decision, saga begin or end"));
    done(&f);
}

/* A serialization failure is the fix working: a triangle down in the
 * client's colour, not a red x; a commit is a triangle up. */
static void a_serialization_failure_has_its_own_shape_and_is_not_red(void **state) {
    (void)state;
    fx f;
    const char *set[1] = { "params.isolation=repeatable-read" };
    run_file(&f, "scenarios/db/D7-lost-update-balance.yaml", set, 1);
    assert_true(rows(&f, "triangle-down") >= 1);
    assert_true(rows(&f, "triangle") >= 1);
    assert_int_equal(rows(&f, "red-mark"), 0);
    assert_true(has_row(&f, "label", "\"serialization failure\""));
    assert_true(rows(&f, "plus") >= 1);                    /* t2's retry */
    done(&f);
}

static void an_anomaly_is_labelled_in_the_users_words(void **state) {
    (void)state;
    fx f;
    run_file(&f, "scenarios/db/D11-write-skew-on-call.yaml", NULL, 0);
    assert_true(has_row(&f, "red-label", "\"write skew: nobody on call\""));
    assert_false(block_has(&f, "red-label", "\"A5B\""));
    done(&f);
    run_file(&f, "scenarios/db/D7-lost-update-balance.yaml", NULL, 0);
    assert_true(has_row(&f, "red-label", "\"lost update (P4)\""));
    done(&f);
}

/* Sagas: steps by name, the half-done band, and the saga check's evidence
 * in red for each way the library's sagas fail. */
static void a_failing_saga_shows_its_evidence_in_red_and_its_steps_by_name(void **state) {
    (void)state;
    fx f;
    run_file(&f, "scenarios/saga/G2b-nonidempotent-compensation-slow-reply.yaml", NULL, 0);
    assert_true(has_row(&f, "label", "\"T1 createOrder\""));
    assert_true(has_row(&f, "label", "\"C2 releaseFunds\""));
    assert_true(has_row(&f, "red-label", "\"C2 releaseFunds again: applied twice\""));
    assert_true(has_row(&f, "red-mark", "0.357000000 "));
    assert_true(has_row(&f, "red-label", "\"s:1 left half done\""));      /* it gave up */
    assert_true(rows(&f, "open-square") == 2);                             /* two compensations */
    done(&f);
    run_file(&f, "scenarios/saga/G4-lost-update-no-isolation.yaml", NULL, 0);
    assert_true(has_row(&f, "red-label", "\"APPROVED over CANCELLED (blind write)\""));
    assert_true(has_row(&f, "label", "\"T1 cancelOrder\""));
    done(&f);
    run_file(&f, "scenarios/saga/G2c-timeout-race-orphan-hold.yaml", NULL, 0);
    assert_true(has_row(&f, "red-label", "\"T2 reserveFunds after its undo\""));
    done(&f);
    run_file(&f, "scenarios/saga/G2b2-idempotent-compensation-slow-reply.yaml", NULL, 0);
    assert_int_equal(rows(&f, "red-label") + rows(&f, "red-label-right") + rows(&f, "red-mark"), 0);
    assert_true(has_row(&f, "label", "\"s:1 half done\""));
    done(&f);
}

/* ------------------------------------------------------ label collisions */

/* The labels of a built timeline whose boxes (as the plot code computes
 * them) meet another's; each pair printed.  Returns how many pairs. */
static uint32_t label_collisions(const plot_tl *t, const char *name) {
    uint32_t n = 0;
    for (uint32_t i = 0; i < t->label_count; i++) {
        const plot_prim *a = &t->p[t->label_at[i]];
        plot_lbox ba = plot_label_box(t, a);
        for (uint32_t j = i + 1; j < t->label_count; j++) {
            const plot_prim *b = &t->p[t->label_at[j]];
            plot_lbox bb = plot_label_box(t, b);
            if (!plot_lbox_meet(&ba, &bb)) continue;
            if (n++ < 4) print_error("%s: '%s' meets '%s' (lane y %d and %d)\n", name, plot_text(t, a), plot_text(t, b), a->y1, b->y1);
        }
    }
    return n;
}

static int path_cmp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every scenario file of the library, sorted. */
static char **library(uint32_t *count) {
    FILE *p = popen("find scenarios -name '*.yaml'", "r");
    assert_non_null(p);
    char **paths = NULL, line[512];
    uint32_t n = 0;
    while (fgets(line, sizeof line, p)) {
        line[strcspn(line, "\n")] = '\0';
        paths = sim_xrealloc(paths, (n + 1) * sizeof *paths);
        paths[n] = sim_xcalloc(1, strlen(line) + 1);
        memcpy(paths[n++], line, strlen(line) + 1);
    }
    pclose(p);
    qsort(paths, n, sizeof *paths, path_cmp);
    *count = n;
    return paths;
}

/* A scenario that is input to a test of errors, not a picture. */
static bool loads(const char *path) {
    scn s;
    char err[SIM_ERR_MAX];
    memset(&s, 0, sizeof s);
    int rc = scn_load(path, &s, err, sizeof err);
    scn_free(&s);
    return rc == 0;
}

static void no_label_meets_another_in_any_picture_of_the_library(void **state) {
    (void)state;
    uint32_t n = 0, bad = 0, drawn = 0;
    char **paths = library(&n);
    assert_true(n > 100);
    for (uint32_t i = 0; i < n; i++) {
        if (!loads(paths[i])) { free(paths[i]); continue; }
        fx f;
        run_file(&f, paths[i], NULL, 0);
        plot_tl t;
        plot_tl_build(&t, &f.pr);
        uint32_t c = label_collisions(&t, paths[i]);
        bad += c != 0;
        drawn++;
        plot_tl_free(&t);
        done(&f);
        free(paths[i]);
    }
    free(paths);
    if (bad) print_error("%u of %u pictures have labels that meet\n", bad, drawn);
    assert_int_equal(bad, 0);
}

/* The labels of dir/timeline.dat as the picture places them on an axis
 * ending at view: boxes from the rows of the four label blocks. */
static uint32_t drawn_collisions(const char *dir, sim_time view, const char *name) {
    static const struct { const char *name; plot_block b; } blocks[] = {
        { "label", PB_LABEL }, { "label-right", PB_LABEL_R },
        { "red-label", PB_RED_LABEL }, { "red-label-right", PB_RED_LABEL_R },
    };
    plot_tl t;
    memset(&t, 0, sizeof t);
    t.view = view;
    t.char_w = view / 180;
    plot_prim *p = sim_xcalloc(4096, sizeof *p);
    uint32_t n = 0;
    fx f;
    snprintf(f.dir, sizeof f.dir, "%s", dir);
    for (size_t b = 0; b < 4; b++) {
        char *rows_text = block(&f, blocks[b].name);
        for (char *line = strtok(rows_text, "\n"); line && n < 4096; line = strtok(NULL, "\n")) {
            unsigned long long sec, frac;
            int lane, hund;
            char text[PLOT_TEXT_MAX];
            if (sscanf(line, "%llu.%llu %d.%d %*u \"%63[^\"]\"", &sec, &frac, &lane, &hund, text) != 5) continue;
            p[n].block = (uint8_t)blocks[b].b;
            p[n].x1 = (sim_time)(sec * 1000000000ull + frac);
            p[n].y1 = line[strcspn(line, " ") + 1] == '-' ? lane * 100 - hund : lane * 100 + hund;
            p[n].text = plot_text_put(&t, text);
            n++;
        }
        free(rows_text);
    }
    uint32_t bad = 0;
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t j = i + 1; j < n; j++) {
            plot_lbox a = plot_label_box(&t, &p[i]), b = plot_label_box(&t, &p[j]);
            if (!plot_lbox_meet(&a, &b)) continue;
            if (bad++ < 4) print_error("%s: '%s' meets '%s'\n", name, plot_text(&t, &p[i]), plot_text(&t, &p[j]));
        }
    free(p);
    free(t.text);
    return bad;
}

/* A compare draws every panel on the longest variant's axis: its labels
 * must be placed for that scale, not their own run's (D11's reads at 1 and
 * 2 ms read "ta reatb read 1ad 1" when they were). */
static void compare_labels_do_not_meet(const char *path, const char *key, const char *const *values, size_t n) {
    fx f[4];
    plot_variant v[4];
    char sets[4][128], subdir[4][16];
    SIM_ASSERT(n <= 4);
    for (size_t i = 0; i < n; i++) {
        snprintf(sets[i], sizeof sets[i], "%s=%s", key, values[i]);
        const char *one[1] = { sets[i] };
        run_file(&f[i], path, one, 1);
        snprintf(subdir[i], sizeof subdir[i], "%s", strrchr(f[i].dir, '/') + 1);
        v[i] = (plot_variant){ f[i].pr, sets[i], subdir[i] };
    }
    char err[SIM_ERR_MAX];
    assert_int_equal(plot_write_compare(tmp_root, path, v, n, err, sizeof err), 0);
    char *gp = slurp(tmp_root, "compare.gp");
    assert_non_null(gp);
    unsigned long long sec, frac;
    char *x = strstr(gp, "set xrange [0:");
    assert_non_null(x);
    assert_int_equal(sscanf(x, "set xrange [0:%llu.%llu]", &sec, &frac), 2);
    free(gp);
    sim_time axis = (sim_time)(sec * 1000000000ull + frac);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(drawn_collisions(f[i].dir, axis, sets[i]), 0);
        done(&f[i]);
    }
}

static void labels_of_the_tours_compares_do_not_meet_on_their_common_axis(void **state) {
    (void)state;
    const char *const levels[] = { "read-committed", "repeatable-read", "serializable" };
    compare_labels_do_not_meet("scenarios/db/D11-write-skew-on-call.yaml", "params.isolation", levels + 1, 2);
    compare_labels_do_not_meet("scenarios/db/D7-lost-update-balance.yaml", "params.isolation", levels, 3);
    compare_labels_do_not_meet("scenarios/db/D6-double-booked-seat.yaml", "params.isolation", levels, 3);
    const char *const fencing[] = { "false", "true" };
    compare_labels_do_not_meet(L2, "params.fencing", fencing, 2);
}

/* ------------------------------------------------ what the data holds */

/* Every time in timeline.dat and latency.dat is written by hand
 * (plot_put_time): the characters printf's "%s%llu.%09llu" of its sign,
 * seconds and nanoseconds gives, at the edges of an int64 too. */
static void a_time_is_written_as_printf_writes_it(void **state) {
    (void)state;
    static const sim_time ns[] = { 0, 1, 999999999, 1000000000, 15005000000, -1, -999999999,
                                   -1000000001, INT64_MAX, INT64_MIN, INT64_MIN + 1 };
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++) {
        char got[32], want[32];
        unsigned long long a = ns[i] < 0 ? (unsigned long long)(-(ns[i] + 1)) + 1u : (unsigned long long)ns[i];
        snprintf(want, sizeof want, "%s%llu.%09llu", ns[i] < 0 ? "-" : "", a / 1000000000u, a % 1000000000u);
        memset(got, 'x', sizeof got);
        plot_fmt_time(got, 22, ns[i]);
        assert_string_equal(got, want);
        char *end = plot_put_time(got, ns[i]);
        assert_int_equal(end - got, (ptrdiff_t)strlen(want));
    }
    char d[24];
    *plot_put_u64(d, 18446744073709551615u) = '\0';
    assert_string_equal(d, "18446744073709551615");
    *plot_put_u64(d, 0) = '\0';
    assert_string_equal(d, "0");
}

/* A label's text lives in its timeline's pool, cut as a PLOT_TEXT_MAX
 * buffer would cut it; a primitive that is no label reads "". */
static void a_labels_text_is_kept_in_the_pool_cut_to_its_room(void **state) {
    (void)state;
    plot_tl t;
    memset(&t, 0, sizeof t);
    char long_text[200];
    memset(long_text, 'a', sizeof long_text - 1);
    long_text[sizeof long_text - 1] = '\0';
    uint32_t first = plot_text_put(&t, "c1 holds the lock");
    uint32_t cut = 0;
    for (int i = 0; i < 200; i++) cut = plot_text_put(&t, long_text);   /* the pool grows */
    plot_prim label = { .block = PB_LABEL, .text = first }, bar = { .block = PB_BAR };
    assert_true(first > 0);
    assert_string_equal(plot_text(&t, &label), "c1 holds the lock");
    assert_string_equal(plot_text(&t, &bar), "");
    assert_int_equal(strlen(t.text + cut), PLOT_TEXT_MAX - 1);
    assert_int_equal(strncmp(t.text + cut, long_text, PLOT_TEXT_MAX - 1), 0);
    assert_true(t.text_len <= t.text_cap);
    free(t.text);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_time_is_written_as_printf_writes_it),
        cmocka_unit_test(a_labels_text_is_kept_in_the_pool_cut_to_its_room),
        cmocka_unit_test(the_l2_timeline_tells_kleppmanns_story),
        cmocka_unit_test(the_same_run_writes_the_same_bytes),
        cmocka_unit_test(the_clock_replay_matches_the_engines_own_readings),
        cmocka_unit_test(a_cut_shades_the_lanes_at_both_ends),
        cmocka_unit_test(a_power_loss_is_labelled_apart_from_a_crash),
        cmocka_unit_test(a_queued_key_is_not_held_until_the_older_one_goes),
        cmocka_unit_test(each_of_many_lock_keys_ends_where_its_own_del_or_overwrite_is),
        cmocka_unit_test(a_dense_timeline_is_thinned_and_says_so),
        cmocka_unit_test(a_library_sized_run_is_not_thinned),
        cmocka_unit_test(a_dense_latency_series_is_thinned_and_says_so),
        cmocka_unit_test(blocked_windows_are_drawn_on_the_waiting_nodes),
        cmocka_unit_test(a_run_with_many_ops_also_writes_the_latency_plot),
        cmocka_unit_test(latency_percentiles_use_nearest_rank_over_completed_ops),
        cmocka_unit_test(without_gnuplot_nothing_is_drawn_and_the_message_says_what_to_install),
        cmocka_unit_test(a_failing_gnuplot_leaves_no_picture_and_quotes_its_complaint),
        cmocka_unit_test(gnuplot_draws_a_well_formed_svg_and_a_png),
        cmocka_unit_test(drawing_the_png_alone_writes_no_svg_and_removes_an_older_one),
        cmocka_unit_test(drawing_png_and_svg_at_once_gives_the_same_files_as_one_after_the_other),
        cmocka_unit_test(fencing_makes_the_overlap_grey_and_a_failed_op_keeps_its_clients_colour),
        cmocka_unit_test(the_picture_reads_the_checks_informational_flag_not_its_summary),
        cmocka_unit_test(the_legend_explains_exactly_the_marks_drawn),
        cmocka_unit_test(a_serialization_failure_has_its_own_shape_and_is_not_red),
        cmocka_unit_test(an_anomaly_is_labelled_in_the_users_words),
        cmocka_unit_test(a_failing_saga_shows_its_evidence_in_red_and_its_steps_by_name),
        cmocka_unit_test(no_label_meets_another_in_any_picture_of_the_library),
        cmocka_unit_test(labels_of_the_tours_compares_do_not_meet_on_their_common_axis),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
