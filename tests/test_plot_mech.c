/* test_plot_mech.c -- each family's mechanism in its picture, and the
 * message arrows (sim/report/plot_mech.h, plot_msgs.c, plot_latency.c):
 * lock renewals and belief against the key's life, a pause in its own
 * row, 2PC in-doubt windows across a participant's restart, a flash
 * sale's stock curve and counts, periodic messages bundled once, arrows
 * that would merge fanned apart, a cut always said in the picture, and
 * the latency plot's rate buckets.  Scenarios run in-process as `ccsim
 * run` does, and timeline.dat is read back block by block
 * (test_plot_support.h).  Run from the repository root.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/test_plot_support.h"
#include "sim/report/plot_mech.h"

#define L2 "scenarios/locks/L2-lease-gc-pause.yaml"
#define W1 "scenarios/locks/W1-watchdog-renew-then-crash.yaml"
#define W2 "scenarios/locks/W2-watchdog-gc-pause.yaml"
#define W3 "scenarios/locks/W3-coord-service-session-expiry.yaml"
#define T3E "scenarios/2pc/T3e-participant-crash-in-doubt.yaml"
#define D1 "scenarios/db/D1-flash-sale-naive-rmw.yaml"
#define D2 "scenarios/db/D2-flash-sale-atomic-conditional-decrement.yaml"

/* Whether a label (left- or right-aligned) says exactly text; its row in *row. */
static bool find_label(fx *f, const char *text, double *x, double *y) {
    static const char *const names[] = { "label", "label-right" };
    char want[160];
    snprintf(want, sizeof want, "\"%s\"", text);
    for (size_t i = 0; i < 2; i++) {
        char *b = block(f, names[i]);
        char *p = strstr(b, want);
        bool found = p != NULL;
        if (found) {
            while (p > b && p[-1] != '\n') p--;
            assert_int_equal(sscanf(p, "%lf %lf", x, y), 2);
        }
        free(b);
        if (found) return true;
    }
    char *b = block(f, "label");
    print_error("no label %s in:\n%s\n", want, b);
    free(b);
    return false;
}

static bool has_label(fx *f, const char *text) {
    double x, y;
    return find_label(f, text, &x, &y);
}

/* The rows of a block, each scanned as up to 5 numbers. */
typedef struct row5 { double v[5]; } row5;

static uint32_t rows_of(fx *f, const char *name, row5 *out, uint32_t max) {
    char *b = block(f, name);
    uint32_t n = 0;
    for (char *p = b; *p && n < max; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p)) {
        if (*p == '\n') continue;
        row5 r = { { 0 } };
        if (sscanf(p, "%lf %lf %lf %lf %lf", &r.v[0], &r.v[1], &r.v[2], &r.v[3], &r.v[4]) >= 2)
            out[n++] = r;
    }
    free(b);
    return n;
}

#define ROWS_MAX 4096
static row5 rbuf[ROWS_MAX];

/* ------------------------------------------------------------ locks */

static void a_key_that_expired_is_labelled_ending_where_it_expired(void **state) {
    (void)state;
    fx f;
    run_file(&f, L2, NULL, 0);
    double x = 0, y = 0;
    assert_true(find_label(&f, "expired", &x, &y));
    /* redis1 is lane 4; the key expired at 10.002 s and c2 took it at 10.502 s */
    assert_true(y > 3.5 && y < 4.0);
    assert_true(x < 10.002);
    assert_true(x > 9.0);                        /* "expired" is 7 characters of 17/180 s */
    done(&f);
}

static void a_belief_that_outlived_its_key_says_how_long_each_was(void **state) {
    (void)state;
    fx f;
    run_file(&f, L2, NULL, 0);
    double x = 0, y = 0;
    assert_true(find_label(&f, "c1 believed 15.004 s; its key lived 10.001 s", &x, &y));
    assert_true(x > 10.0 && x < 10.01);          /* where the key's life ended */
    assert_true(y > 3.0 && y < 3.5);             /* on c1's lane, over its belief */
    done(&f);
    run_file(&f, W1, NULL, 0);                   /* renewed until it crashed: no gap to tell */
    char *b = block(&f, "label");
    assert_null(strstr(b, "believed"));
    free(b);
    done(&f);
}

static void a_pause_is_a_band_under_the_lock_bars_not_over_them(void **state) {
    (void)state;
    fx f;
    run_file(&f, L2, NULL, 0);
    uint32_t n = rows_of(&f, "hatch", rbuf, ROWS_MAX);
    assert_int_equal(n, 1);
    int32_t lane = 300;                          /* c1 */
    int32_t lo = (int32_t)(rbuf[0].v[2] * 100 + 0.5) - lane, hi = (int32_t)(rbuf[0].v[3] * 100 + 0.5) - lane;
    assert_true(hi <= PLOT_HELD_LO);             /* under the held bar */
    assert_true(lo > PLOT_OPS_Y + 3);            /* over the operations */
    done(&f);
}

static void watchdog_renewals_are_marked_on_the_key_and_labelled_once(void **state) {
    (void)state;
    fx f;
    run_file(&f, W2, NULL, 0);
    uint32_t n = rows_of(&f, "diamond", rbuf, ROWS_MAX), at10 = 0;
    for (uint32_t i = 0; i < n; i++) at10 += rbuf[i].v[0] == 10.0 && rbuf[i].v[1] > 4.0;
    assert_int_equal(at10, 1);                   /* on redis1's key bar, at the renewal */
    assert_true(has_label(&f, "renewed at 10 s: expires at 40.001 s"));
    char *gp = slurp(f.dir, "timeline.gp");
    assert_non_null(gp);
    assert_non_null(strstr(gp, "key renewed (watchdog)"));
    free(gp);
    done(&f);
    run_file(&f, W1, NULL, 0);
    assert_true(has_label(&f, "renewed every 10 s (4 times)"));
    char *b = block(&f, "label");
    assert_null(strstr(b, "renewed at"));        /* once, not per renewal */
    free(b);
    done(&f);
}

/* ------------------------------------------------------------ 2PC */

static void a_participant_in_doubt_across_a_crash_is_in_doubt_again_after_its_restart(void **state) {
    (void)state;
    fx f;
    run_file(&f, T3E, NULL, 0);
    /* lanes: tm 4, p1 3, p2 2, p3 1; in-doubt bands are held boxes in the top row */
    uint32_t n = rows_of(&f, "held", rbuf, ROWS_MAX), p3 = 0, p1 = 0;
    double again = -1, until = -1;
    for (uint32_t i = 0; i < n; i++) {
        if (rbuf[i].v[2] > 1.0 && rbuf[i].v[2] < 1.5) {
            p3++;
            if (rbuf[i].v[0] >= 20.0) { again = rbuf[i].v[0]; until = rbuf[i].v[1]; }
        }
        p1 += rbuf[i].v[2] > 3.0 && rbuf[i].v[2] < 3.5;
    }
    assert_int_equal(p1, 1);                     /* one window: vote to abort */
    assert_int_equal(p3, 2);                     /* cut by the crash */
    assert_true(again == 20.0);                  /* from its restart ... */
    assert_true(until > 40.0 && until < 40.01);  /* ... to the abort it learns from tm */
    assert_true(has_label(&f, "in doubt after restart: 20.001 s (prepared in its log)"));
    assert_true(has_label(&f, "in doubt on tm:1: 40 s"));
    done(&f);
}

static void simultaneous_messages_over_the_same_lanes_are_fanned_apart(void **state) {
    (void)state;
    fx f;
    run_file(&f, T3E, NULL, 0);
    uint32_t n = rows_of(&f, "arrow", rbuf, ROWS_MAX);
    double xs[8];
    uint32_t k = 0;
    for (uint32_t i = 0; i < n && k < 8; i++)    /* tm's PREPAREs, all sent at 0 */
        if (rbuf[i].v[1] == 4.0 && rbuf[i].v[3] < 4.0 && rbuf[i].v[0] < 0.5) xs[k++] = rbuf[i].v[0];
    assert_int_equal(k, 3);
    assert_true(xs[0] != xs[1] && xs[1] != xs[2] && xs[0] != xs[2]);
    done(&f);
}

/* ------------------------------------------------------------ flash sale */

static void a_flash_sale_draws_its_stock_and_says_what_the_buyers_were_told(void **state) {
    (void)state;
    fx f;
    run_file(&f, D1, NULL, 0);
    assert_true(has_label(&f, "stock 100 -> 0: 500 sold, 500 told sold out, 400 oversold"));
    char *b = block(&f, "label");
    assert_non_null(strstr(b, "\"100 sold by "));  /* where the oversold orders begin */
    free(b);
    uint32_t n = rows_of(&f, "clock", rbuf, ROWS_MAX), curve = 0;
    double top = 0, bottom = 9;
    for (uint32_t i = 0; i < n; i++) {
        if (rbuf[i].v[3] != 0x444444) continue;
        curve++;
        if (rbuf[i].v[1] > top) top = rbuf[i].v[1];
        if (rbuf[i].v[1] < bottom) bottom = rbuf[i].v[1];
    }
    assert_true(curve >= 4);
    assert_true(curve <= 2 * 1100);              /* at most two points per pixel column */
    assert_true(top > 2.0 && bottom < top);      /* db1's lane (2): from 100 down to 0 */
    done(&f);
    run_file(&f, D2, NULL, 0);
    assert_true(has_label(&f, "stock 100 -> 0: 100 sold, 900 told sold out, 0 oversold"));
    b = block(&f, "label");
    assert_null(strstr(b, " sold by "));
    free(b);
    done(&f);
}

/* ------------------------------------------------------------ messages */

static void periodic_polling_is_one_bundle_labelled_once_not_a_comb(void **state) {
    (void)state;
    fx f;
    run_file(&f, W2, NULL, 0);
    assert_true(has_label(&f, "c2 polls redis1 every 500 ms: 52 times to 40.5 s, answered"));
    uint32_t n = rows_of(&f, "arrow", rbuf, ROWS_MAX), mid = 0;
    for (uint32_t i = 0; i < n; i++) mid += rbuf[i].v[0] > 16.0 && rbuf[i].v[0] < 40.0;
    assert_int_equal(mid, 0);                    /* nothing between its first and last */
    char *gp = slurp(f.dir, "timeline.gp");
    assert_non_null(gp);
    assert_null(strstr(gp, "arrows:"));          /* nothing cut */
    free(gp);
    done(&f);
    run_file(&f, W3, NULL, 0);                   /* heartbeats with requests between them */
    assert_true(has_label(&f, "c2 polls zk every 100 ms: 204 times to 20 s, answered"));
    done(&f);
}

/* A run of L2 with a log of n messages over its 12 (sender, receiver)
 * pairs, round after round to 24 s, each pair's gaps alternating 1680 ms
 * and 240 ms (at 28 ms a pixel): neither periodic nor dense, so none
 * bundles. */
static void arrows_of(fx *f, uint32_t n, const char *const *sets, uint32_t nsets, plot_tl *t) {
    enum { ROUND_MS = 960 };
    run_file(f, L2, sets, nsets);
    plot_msgs m;
    plot_msgs_init(&m);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t r = i / 12, p = i % 12;
        int32_t from = (int32_t)(p / 3), to = (int32_t)(p % 3);
        if (to >= from) to++;                    /* the other three nodes */
        sim_time at = (sim_time)(r * ROUND_MS + (r % 2 ? ROUND_MS * 3 / 4 : 0) + p * 8) * SIM_MS;
        sim_msg_note note = { .from = from, .to = to, .sent_ns = at, .arrive_ns = at + SIM_MS,
                              .dropped = false };
        plot_msgs_note(&m, &note);
    }
    plot_run pr = { &f->r, &m };
    plot_tl_build(t, &pr);
    plot_msgs_free(&m);
}

static uint32_t count_block(const plot_tl *t, plot_block b) {
    uint32_t n = 0;
    for (uint32_t i = 0; i < t->count; i++) n += t->p[i].block == b;
    return n;
}

static bool tl_has_label(const plot_tl *t, const char *part) {
    for (uint32_t i = 0; i < t->count; i++)
        if (t->p[i].block >= PB_LABEL && strstr(plot_text(t, &t->p[i]), part)) return true;
    return false;
}

static void arrows_beyond_the_cap_are_cut_with_a_label_saying_where(void **state) {
    (void)state;
    fx f;
    plot_tl t;
    arrows_of(&f, 300, NULL, 0, &t);             /* a violation at 15 s: a window around it */
    assert_int_equal(count_block(&t, PB_ARROW), PLOT_ARROWS_MAX);
    assert_non_null(strstr(t.note, "arrows: 80 of 300"));
    assert_non_null(strstr(t.note, "around the first violation"));
    assert_true(tl_has_label(&t, "earlier arrows not drawn"));
    assert_true(tl_has_label(&t, "later arrows not drawn ->"));   /* messages run on to 24 s */
    plot_tl_free(&t);
    done(&f);
    const char *fine[] = { "checks=[liveness]", "expect={liveness: ok}" };   /* nothing violated */
    arrows_of(&f, 300, fine, 2, &t);
    assert_int_equal(count_block(&t, PB_ARROW), 0);   /* nothing to centre on: none, said so */
    assert_non_null(strstr(t.note, "300 messages: too many to draw as arrows, even bundled"));
    plot_tl_free(&t);
    done(&f);
    arrows_of(&f, 60, NULL, 0, &t);              /* under the cap: every one, nothing said */
    assert_int_equal(count_block(&t, PB_ARROW), 60);
    assert_null(strstr(t.note, "arrows:"));
    plot_tl_free(&t);
    done(&f);
}

/* A run's timeline built with a log of two polls, each of six messages
 * 100 ms apart, sent between the nodes a1 -> a2 and b1 -> b2 and
 * interleaved in the log; *labels = how many of its labels say `part`. */
static void two_polls(fx *f, const char *path, const int32_t n[4], const char *part, uint32_t *labels) {
    run_file(f, path, NULL, 0);
    plot_msgs m;
    plot_msgs_init(&m);
    for (uint32_t i = 0; i < 12; i++) {
        sim_time at = (sim_time)(100 + 100 * (i / 2) + 50 * (i % 2)) * SIM_MS;
        int32_t from = n[(i % 2) * 2], to = n[(i % 2) * 2 + 1];
        sim_msg_note note = { .from = from, .to = to, .sent_ns = at, .arrive_ns = at + SIM_MS, .dropped = false };
        plot_msgs_note(&m, &note);
    }
    plot_run pr = { &f->r, &m };
    plot_tl t;
    plot_tl_build(&t, &pr);
    *labels = 0;
    for (uint32_t i = 0; i < t.count; i++)
        *labels += t.p[i].block >= PB_LABEL && strstr(plot_text(&t, &t.p[i]), part) != NULL;
    assert_int_equal(count_block(&t, PB_ARROW), 4);  /* each poll's first and last */
    plot_tl_free(&t);
    plot_msgs_free(&m);
    done(f);
}

/* A log that outgrows the heap (PLOT_MSGS_HEAP_MAX) moves to its reserved
 * room once and keeps every message, in order, on both sides of the move. */
static void a_long_message_log_keeps_every_message_across_its_move(void **state) {
    (void)state;
    plot_msgs m;
    plot_msgs_init(&m);
    uint32_t n = PLOT_MSGS_HEAP_MAX + 1000u;
    for (uint32_t i = 0; i < n; i++) {
        sim_msg_note note = { .from = (int32_t)(i % 7), .to = (int32_t)(i % 5), .sent_ns = (sim_time)i * SIM_MS,
                              .arrive_ns = (sim_time)i * SIM_MS + 1 };
        plot_msgs_note(&m, &note);
    }
    assert_int_equal(m.count, n);
    assert_int_equal(m.total, n);
    assert_true(m.cap > PLOT_MSGS_HEAP_MAX);
    for (uint32_t i = 0; i < n; i += 997u) {
        assert_int_equal(m.items[i].from, (int32_t)(i % 7));
        assert_int_equal(m.items[i].to, (int32_t)(i % 5));
        assert_true(m.items[i].sent_ns == (sim_time)i * SIM_MS);
    }
    assert_true(m.items[n - 1].arrive_ns == (sim_time)(n - 1) * SIM_MS + 1);
    assert_true(m.last_arrive_ns == (sim_time)(n - 1) * SIM_MS + 1);
    plot_msgs_free(&m);
}

/* The message log keeps the latest arrival of the messages it keeps, as
 * they are noted (late arrivals first, a loss, a drop), and the view of
 * the timeline reaches it. */
static void the_view_reaches_the_latest_arrival_whatever_order_messages_arrive_in(void **state) {
    (void)state;
    fx f;
    run_file(&f, L2, NULL, 0);
    plot_msgs m;
    plot_msgs_init(&m);
    assert_true(m.last_arrive_ns == SIM_TIME_NEVER);
    sim_time late = f.r.end_ns - f.r.end_ns / 5;
    const sim_msg_note notes[] = {
        { .from = 0, .to = 1, .sent_ns = SIM_MS, .arrive_ns = late },               /* slow */
        { .from = 1, .to = 0, .sent_ns = 2 * SIM_MS, .arrive_ns = 3 * SIM_MS },      /* quick */
        { .from = 0, .to = 1, .sent_ns = 4 * SIM_MS, .arrive_ns = SIM_TIME_NEVER },  /* lost */
        { .from = 1, .to = 0, .sent_ns = SIM_TIME_NEVER, .arrive_ns = 3 * SIM_MS, .dropped = true },
    };
    for (size_t i = 0; i < sizeof notes / sizeof notes[0]; i++) plot_msgs_note(&m, &notes[i]);
    assert_int_equal(m.count, 3);
    assert_true(m.last_arrive_ns == late);
    assert_true(plot_view_end(f.s, f.r.h, f.r.end_ns, &m) >= late);
    plot_msgs_free(&m);
    assert_true(m.last_arrive_ns == SIM_TIME_NEVER);
    done(&f);
}

/* The messages are grouped by sender and receiver by one counting sort
 * when the run has few nodes, by two (per node) when it has many: the
 * bundles are the same. */
/* Writes a run of 42 nodes (a SETNX lock, 40 clients, 2 s) whose check
 * finds no violation into the temporary folder: its path in path. */
static void many_nodes_file(char *path, size_t len) {
    snprintf(path, len, "%s/many-nodes.yaml", tmp_root);
    FILE *y = fopen(path, "w");
    assert_non_null(y);
    fputs("name: many-nodes\nseed: 1\nduration: 2s\nprotocol: setnx-lock\n"
          "params: {ttl: 10s, release: compare-and-delete, fencing: false}\n"
          "nodes:\n  redis: 1\n  client: 40\n  storage: 1\nnetwork: {latency: 1ms}\n"
          "workload: {kind: lock-counter, iterations: 1, hold: 1ms, think: 500ms}\n"
          "checks: [mutual-exclusion]\n", y);
    assert_int_equal(fclose(y), 0);
}

static void polls_bundle_alike_on_a_run_of_few_nodes_and_of_many(void **state) {
    (void)state;
    char path[160];
    many_nodes_file(path, sizeof path);
    fx f;
    uint32_t few = 0, many = 0;
    const int32_t small[4] = { 1, 0, 2, 3 };     /* L2: c1 -> redis1, c2 -> storage */
    two_polls(&f, L2, small, "every 100 ms: 6 times to ", &few);
    const int32_t big[4] = { 41, 40, 39, 38 };   /* 42 nodes: 42 * 42 pairs > 1024 */
    two_polls(&f, path, big, "every 100 ms: 6 times to ", &many);
    assert_int_equal(few, 2);
    assert_int_equal(many, 2);
}

/* The 42-node run's timeline with a log of `pairs` (sender, receiver)
 * pairs, `each` messages a pair, gap_ms apart: its arrows, and whether
 * its note says they are too many to draw. */
static uint32_t arrows_of_pairs(uint32_t pairs, uint32_t each, sim_time gap_ms, bool *too_many) {
    char path[160];
    many_nodes_file(path, sizeof path);
    fx f;
    run_file(&f, path, NULL, 0);
    plot_msgs m;
    plot_msgs_init(&m);
    for (uint32_t j = 0; j < each; j++)
        for (uint32_t p = 0; p < pairs; p++) {
            int32_t from = (int32_t)(p % 42), to = (int32_t)((p % 42 + 1 + p / 42) % 42);
            sim_time at = (10 + (sim_time)j * gap_ms) * SIM_MS + (sim_time)p * 10000;
            sim_msg_note note = { .from = from, .to = to, .sent_ns = at, .arrive_ns = at + SIM_MS };
            plot_msgs_note(&m, &note);
        }
    plot_run pr = { &f.r, &m };
    plot_tl t;
    plot_tl_build(&t, &pr);
    uint32_t arrows = count_block(&t, PB_ARROW);
    *too_many = strstr(t.note, "too many to draw as arrows") != NULL;
    plot_tl_free(&t);
    plot_msgs_free(&m);
    done(&f);
    return arrows;
}

/* With no violation to centre on, a log whose pairs alone would keep
 * more than PLOT_ARROWS_MAX arrows (each keeps at least two of its
 * messages) is said to be too many without bundling; a log of many
 * messages on few pairs still bundles into a few arrows. */
static void many_pairs_are_too_many_to_draw_and_few_pairs_of_many_messages_are_drawn(void **state) {
    (void)state;
    bool too_many = false;
    assert_int_equal(arrows_of_pairs(100, 3, 300, &too_many), 0);      /* 200 kept at least */
    assert_true(too_many);
    assert_true(arrows_of_pairs(2, 300, 5, &too_many) > 0);             /* two bundles */
    assert_false(too_many);
    assert_true(arrows_of_pairs(40, 2, 300, &too_many) > 0);            /* 80: the cap, not past it */
    assert_false(too_many);
    assert_true(arrows_of_pairs(35, 6, 300, &too_many) > 0);            /* 35 bundles of 6: 70 kept */
    assert_false(too_many);
}

static void the_same_run_draws_the_same_mechanism_bytes(void **state) {
    (void)state;
    static const char *const files[] = { T3E, D1, W2 };
    for (size_t i = 0; i < 3; i++) {
        fx a, b;
        run_file(&a, files[i], NULL, 0);
        run_file(&b, files[i], NULL, 0);
        char *x = slurp(a.dir, "timeline.dat"), *y = slurp(b.dir, "timeline.dat");
        assert_non_null(x);
        assert_non_null(y);
        assert_string_equal(x, y);
        free(x);
        free(y);
        done(&a);
        done(&b);
    }
}

/* ------------------------------------------------------------ latency */

static void a_steady_stream_of_completions_has_a_steady_rate(void **state) {
    (void)state;
    /* one buy every 2.1 ms: 2 or 3 a 5 ms bucket would draw a square wave
     * between 400 and 600 a second that the run never had */
    const char *sets[] = { "workload.every=2100us", "workload.buyers=240" };
    fx f;
    run_file(&f, D2, sets, 2);
    char *rate = block_of(f.dir, "latency.dat", "rate buy");
    double lo = 1e9, hi = 0;
    uint32_t n = 0;
    for (char *p = rate; *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p)) {
        double x, v;
        if (sscanf(p, "%lf %lf", &x, &v) != 2 || x < 0.05 || x > 0.4) continue;   /* inside the run */
        if (v < lo) lo = v;
        if (v > hi) hi = v;
        n++;
    }
    free(rate);
    assert_true(n >= 3);
    if (hi > lo * 1.1) fail_msg("rate varies from %f to %f per second", lo, hi);
    char *gp = slurp(f.dir, "latency.gp");
    assert_non_null(gp);
    assert_non_null(strstr(gp, "set key outside right top reverse Left"));   /* not cut on the right */
    free(gp);
    done(&f);
}

static void a_short_duration_reads_as_a_person_writes_it(void **state) {
    (void)state;
    char b[32];
    plot_fmt_short(b, sizeof b, 500 * SIM_MS);
    assert_string_equal(b, "500 ms");
    plot_fmt_short(b, sizeof b, 40 * SIM_S + 500 * SIM_MS);
    assert_string_equal(b, "40.5 s");
    plot_fmt_short(b, sizeof b, 10 * SIM_S);
    assert_string_equal(b, "10 s");
    plot_fmt_short(b, sizeof b, 15 * SIM_S + 4 * SIM_MS);
    assert_string_equal(b, "15.004 s");
    plot_fmt_short(b, sizeof b, 2 * SIM_MS + 500 * SIM_US);
    assert_string_equal(b, "2.5 ms");
    plot_fmt_short(b, sizeof b, 63586484);
    assert_string_equal(b, "63.586 ms");
    plot_fmt_short(b, sizeof b, 0);
    assert_string_equal(b, "0 s");
}

static int setup(void **state) {
    (void)state;
    return tmpdir_make(tmp_root, sizeof tmp_root, "plot-mech");
}

static int teardown(void **state) {
    (void)state;
    return tmpdir_remove(tmp_root);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_key_that_expired_is_labelled_ending_where_it_expired),
        cmocka_unit_test(a_belief_that_outlived_its_key_says_how_long_each_was),
        cmocka_unit_test(a_pause_is_a_band_under_the_lock_bars_not_over_them),
        cmocka_unit_test(watchdog_renewals_are_marked_on_the_key_and_labelled_once),
        cmocka_unit_test(a_participant_in_doubt_across_a_crash_is_in_doubt_again_after_its_restart),
        cmocka_unit_test(simultaneous_messages_over_the_same_lanes_are_fanned_apart),
        cmocka_unit_test(a_flash_sale_draws_its_stock_and_says_what_the_buyers_were_told),
        cmocka_unit_test(periodic_polling_is_one_bundle_labelled_once_not_a_comb),
        cmocka_unit_test(arrows_beyond_the_cap_are_cut_with_a_label_saying_where),
        cmocka_unit_test(polls_bundle_alike_on_a_run_of_few_nodes_and_of_many),
        cmocka_unit_test(the_view_reaches_the_latest_arrival_whatever_order_messages_arrive_in),
        cmocka_unit_test(a_long_message_log_keeps_every_message_across_its_move),
        cmocka_unit_test(many_pairs_are_too_many_to_draw_and_few_pairs_of_many_messages_are_drawn),
        cmocka_unit_test(the_same_run_draws_the_same_mechanism_bytes),
        cmocka_unit_test(a_steady_stream_of_completions_has_a_steady_rate),
        cmocka_unit_test(a_short_duration_reads_as_a_person_writes_it),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
