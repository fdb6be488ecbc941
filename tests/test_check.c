/* test_check.c -- the lock checks on small hand-built histories.
 *
 * Each test builds the timeline of a SCENARIOS.md case (L1-L4 and variants)
 * with hist_add_op / hist_add_effect, runs a check through the registry, and
 * asserts the verdict and the key phrases of the summary and the story.
 * Positive and negative cases sit side by side.  Times are in ms of true
 * time unless said otherwise; nodes: redis1, storage1, c1, c2, c3.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "protocols/lock/lock_api.h"
#include "sim/check/check.h"
#include "sim/check/story.h"
#include "sim/hist.h"
#include "sim/registry/registry.h"
#include "sim/scenario/scn.h"

enum { R1 = 0, S1 = 1, C1 = 2, C2 = 3, C3 = 4 };
#define MS(x) ((sim_time)(x) * SIM_MS)

typedef struct fx {
    hist h;
    scn *s;                      /* heap: the struct is large */
    check_result r;
} fx;

/* Epochs 1 and 2 as the builders write them; a test may renumber them
 * (epochs_far_apart_are_grouped_as_close_ones_are), and setup puts them back. */
static int64_t epoch_one = 1, epoch_two = 2;

static int fx_setup(void **state) {
    epoch_one = 1;
    epoch_two = 2;
    fx *f = sim_xcalloc(1, sizeof *f);
    hist_init(&f->h);
    f->h.vocab = &registry_vocab;          /* every family's kinds, as a real run has */
    f->s = sim_xcalloc(1, sizeof *f->s);
    static const char *const names[] = { "redis1", "storage1", "c1", "c2", "c3" };
    static const char *const roles[] = { "redis", "storage", "client", "client", "client" };
    for (uint32_t i = 0; i < 5; i++) {
        strcpy(f->s->nodes[i].name, names[i]);
        strcpy(f->s->nodes[i].role, roles[i]);
    }
    f->s->node_count = 5;
    f->s->duration_ns = 30 * SIM_S;
    strcpy(f->s->name, "test");
    *state = f;
    return 0;
}

static int fx_teardown(void **state) {
    fx *f = *state;
    check_result_free(&f->r);
    hist_free(&f->h);
    free(f->s);
    free(f);
    return 0;
}

/* ---- builders ---- */

static int64_t renumbered(int64_t epoch) {
    return epoch == 1 ? epoch_one : epoch == 2 ? epoch_two : epoch;
}

static uint32_t op(fx *f, int32_t node, hist_f fn, hist_result r, sim_time inv, sim_time done,
                   int64_t epoch) {
    hist_op_fields o;
    memset(&o, 0, sizeof o);
    o.node = node;
    o.process = (uint32_t)(node - C1);
    o.f = fn;
    o.result = (uint8_t)r;
    o.invoke_ns = inv;
    o.invoke_local_ns = inv;
    o.complete_ns = r == HIST_PENDING ? SIM_TIME_NEVER : done;
    o.epoch = renumbered(epoch);
    uint32_t id;
    assert_true(hist_add_op(&f->h, &o, &id));
    return id;
}

static uint32_t acquire(fx *f, int32_t node, sim_time inv, sim_time done, int64_t epoch, int64_t token) {
    uint32_t id = op(f, node, HIST_F_ACQUIRE, HIST_OK, inv, done, epoch);
    f->h.ops[id].value_out = token;
    f->h.ops[id].has_value_out = true;
    return id;
}

static uint32_t rd(fx *f, int32_t node, sim_time inv, int64_t epoch, int64_t value) {
    uint32_t id = op(f, node, HIST_F_READ, HIST_OK, inv, inv + MS(2), epoch);
    f->h.ops[id].value_out = value;
    f->h.ops[id].has_value_out = true;
    return id;
}

static uint32_t wr(fx *f, int32_t node, hist_result r, sim_time inv, sim_time done, int64_t epoch,
                   int64_t value) {
    uint32_t id = op(f, node, HIST_F_WRITE, r, inv, done, epoch);
    f->h.ops[id].value_in = value;
    f->h.ops[id].has_value_in = true;
    return id;
}

static void eff_local(fx *f, hist_eff_kind k, sim_time t, sim_time local, int32_t node, int32_t client,
                      uint32_t opid, int64_t epoch, int64_t value) {
    hist_effect_fields e;
    memset(&e, 0, sizeof e);
    e.kind = k;
    e.t_ns = t;
    e.node = node;
    e.client = client;
    e.op = opid;
    e.epoch = renumbered(epoch);
    e.value = value;
    e.key = node == R1 ? "lock" : "counter";
    assert_true(hist_add_effect_at(&f->h, &e, local));
}

static void eff(fx *f, hist_eff_kind k, sim_time t, int32_t node, int32_t client, uint32_t opid,
                int64_t epoch, int64_t value) {
    eff_local(f, k, t, t, node, client, opid, epoch, value);
}

static void fault(fx *f, scn_fault_kind k, sim_time at, int32_t node, sim_time for_ns) {
    scn_fault *x = &f->s->faults[f->s->fault_count++];
    memset(x, 0, sizeof *x);
    x->kind = k;
    x->at_ns = at;
    x->node = node;
    x->for_ns = for_ns;
}

static void run(fx *f, const char *name) {
    const check_desc *d = check_find(name);
    assert_non_null(d);
    check_input in = { &f->h, f->s, f->s->duration_ns, false, NULL };
    check_result_free(&f->r);
    d->run(&in, &f->r);
    assert_string_equal(f->r.name, name);
}

static void expect(fx *f, const char *name, check_verdict v) {
    run(f, name);
    if (f->r.verdict != v) {
        print_error("%s: %s (%s)\n%s", name, check_verdict_name(f->r.verdict), f->r.summary,
                    f->r.story ? f->r.story : "");
    }
    assert_int_equal(f->r.verdict, v);
    if (v == CHECK_VIOLATION) assert_non_null(f->r.story);
    else assert_null(f->r.story);
}

#define assert_has(text, needle)                                                   \
    do {                                                                           \
        const char *t_ = (text);                                                   \
        if (t_ == NULL || strstr(t_, (needle)) == NULL) {                          \
            print_error("missing \"%s\" in:\n%s\n", (needle), t_ ? t_ : "(null)"); \
            fail();                                                                \
        }                                                                          \
    } while (0)

/* ---- L2: Kleppmann's GC pause; L4 = the same with fencing ---- */

/* c1 takes the lock, reads, pauses 15 s; the key expires; c2 takes it,
 * reads, writes; c1 resumes and writes (applied, or rejected when fenced). */
static void build_l2(fx *f, bool fenced) {
    int64_t t1 = fenced ? 33 : 0, t2 = fenced ? 34 : 0;
    uint32_t a1 = acquire(f, C1, 0, MS(2), 1, t1);
    uint32_t r1 = rd(f, C1, MS(2), 1, 0);
    uint32_t a2 = acquire(f, C2, MS(10500), MS(10502), 2, t2);
    uint32_t r2 = rd(f, C2, MS(10502), 2, 0);
    uint32_t w2 = wr(f, C2, HIST_OK, MS(10504), MS(10506), 2, 1);
    uint32_t d2 = op(f, C2, HIST_F_RELEASE, HIST_OK, MS(10506), MS(10508), 2);
    uint32_t w1 = wr(f, C1, fenced ? HIST_FAIL : HIST_OK, MS(15004), MS(15006), 1, 1);
    if (fenced) f->h.ops[w1].note = hist_intern(&f->h, "stale token 33 < 34", HIST_NOTE_MAX);
    op(f, C1, HIST_F_RELEASE, HIST_FAIL, MS(15006), MS(15008), 1);
    eff(f, HIST_EFF_LOCK_SET, MS(1), R1, C1, a1, 0, MS(10001));
    eff(f, HIST_EFF_READ, MS(3), S1, C1, r1, 1, 0);
    eff(f, HIST_EFF_LOCK_EXPIRE, MS(10001), R1, C1, HIST_NONE, 0, 0);
    eff(f, HIST_EFF_LOCK_SET, MS(10501), R1, C2, a2, 0, MS(20501));
    eff(f, HIST_EFF_READ, MS(10503), S1, C2, r2, 2, 0);
    eff(f, HIST_EFF_WRITE, MS(10505), S1, C2, w2, 2, 1);
    eff(f, HIST_EFF_LOCK_DEL, MS(10507), R1, C2, d2, 0, 0);
    eff(f, fenced ? HIST_EFF_REJECT : HIST_EFF_WRITE, MS(15005), S1, C1, w1, 1, 1);
    fault(f, SCN_FAULT_PAUSE, MS(4), C1, MS(15000));
}

static void stale_write_after_gc_pause_is_a_mutual_exclusion_violation(void **state) {
    fx *f = *state;
    build_l2(f, false);
    expect(f, "mutual-exclusion", CHECK_VIOLATION);
    assert_string_equal(f->r.summary, "stale write: c1 (epoch 1) at 15.005 s after c2 (epoch 2) at 10.505 s");
    const char *s = f->r.story;
    assert_has(s, "c1 took the lock at 0.002 s (epoch 1) on redis1;\n");
    assert_has(s, "c1 read 0 at 0.003 s;\n");
    assert_has(s, "c1 paused 0.004 s..15.004 s (15 s);\n");
    assert_has(s, "the lock expired on redis1 at 10.001 s by its clock;\n");
    assert_has(s, "c2 took the lock at 10.502 s (epoch 2) on redis1;\n");
    assert_has(s, "c2 wrote 1 at 10.505 s (epoch 2);\n");
    assert_has(s, "c1 resumed at 15.004 s;\n");
    assert_has(s, "c1 wrote 1 at 15.005 s (epoch 1), overwriting c2's write of 10.505 s;\n");
    assert_has(s, "so storage1 applied a write from epoch 1 after one from the newer epoch 2.\n");
    /* true-time order: the pause comes before the expiry, the expiry before c2 */
    assert_true(strstr(s, "paused") < strstr(s, "expired"));
    assert_true(strstr(s, "expired") < strstr(s, "c2 took"));
}

/* The engine's rule: a pause starting during another extends it when it
 * ends later and changes nothing otherwise; the story tells the pause the
 * node really had (found by the nemesis, which draws overlapping pauses). */
static void overlapping_pauses_are_told_as_the_one_pause_the_node_had(void **state) {
    fx *f = *state;
    build_l2(f, false);
    fault(f, SCN_FAULT_PAUSE, MS(1000), C1, MS(2000));        /* inside: no change */
    fault(f, SCN_FAULT_PAUSE, MS(15004), C1, MS(996));        /* at the resume: extends */
    expect(f, "mutual-exclusion", CHECK_VIOLATION);
    const char *s = f->r.story;
    assert_has(s, "c1 paused 0.004 s..16 s (15.996 s);\n");
    assert_null(strstr(s, "c1 resumed at 3 s"));
    assert_null(strstr(s, "c1 resumed at 15.004 s"));
    assert_null(strstr(s, "c1 paused 1 s"));
}

static void gc_pause_timeline_is_also_a_lease_overlap_and_a_lost_update(void **state) {
    fx *f = *state;
    build_l2(f, false);
    expect(f, "lease-overlap", CHECK_VIOLATION);
    assert_false(f->r.informational);                  /* no tokens: real harm */
    assert_string_equal(f->r.summary, "c1 (epoch 1) and c2 (epoch 2) both believed they held the lock "
                                      "from 10.502 s to 10.504 s (0.002 s); c1 believed it held it for "
                                      "15.002 s (0.002 s..15.004 s), c2 for 0.002 s (10.502 s..10.504 s)");
    assert_has(f->r.story, "c1 issued a write at 15.004 s, still acting under epoch 1;\n");
    assert_has(f->r.story, "so c1 believed it held the lock for 15.002 s (0.002 s..15.004 s) and c2 for "
                           "0.002 s (10.502 s..10.504 s); they overlapped for 0.002 s, from 10.502 s to "
                           "10.504 s.");
    expect(f, "lost-update", CHECK_VIOLATION);
    assert_has(f->r.summary, "final counter 1, expected 2 (initial 0 + 2 acknowledged increments)");
    assert_has(f->r.summary, "c2's acknowledged write of 1 at 10.505 s was overwritten at 15.005 s by c1");
    assert_has(f->r.story, "the counter started at 0;\n");
    assert_has(f->r.story, "c1 read 0 at 0.003 s;\n");
    assert_has(f->r.story, "but 2 increments were acknowledged: 1 lost.");
    expect(f, "liveness", CHECK_OK);
}

/* Epochs are grouped by a counting sort when they span about their count
 * and by qsort otherwise (epoch.c): far-apart epochs (a ZooKeeper zxid, a
 * token from elsewhere) tell the same story under their own numbers. */
static void epochs_far_apart_are_grouped_as_close_ones_are(void **state) {
    fx *f = *state;
    epoch_one = 1000000;                     /* a span far wider than their count */
    epoch_two = 2000000000;
    build_l2(f, false);
    expect(f, "lease-overlap", CHECK_VIOLATION);
    assert_string_equal(f->r.summary, "c1 (epoch 1000000) and c2 (epoch 2000000000) both believed "
                                      "they held the lock from 10.502 s to 10.504 s (0.002 s); c1 believed it "
                                      "held it for 15.002 s (0.002 s..15.004 s), c2 for 0.002 s (10.502 s..10.504 s)");
    expect(f, "liveness", CHECK_OK);
}

static void fenced_write_rejected_after_gc_pause_keeps_mutual_exclusion(void **state) {
    fx *f = *state;
    build_l2(f, true);
    expect(f, "mutual-exclusion", CHECK_OK);
    assert_has(f->r.summary, "no stale or interleaved writes: 1 applied writes, 2 epochs");
    expect(f, "lost-update", CHECK_OK);
    assert_has(f->r.summary, "final counter 1 = initial 0 + 1 acknowledged increments");
}

static void fenced_gc_pause_still_reports_the_lease_overlap(void **state) {
    fx *f = *state;
    build_l2(f, true);
    expect(f, "lease-overlap", CHECK_VIOLATION);
    assert_true(f->r.informational);                   /* the flag pictures read */
    assert_has(f->r.summary, "(fencing tokens in use: informational)");
    assert_has(f->r.story, "c1 took the lock at 0.002 s (epoch 1, token 33) on redis1;\n");
    assert_has(f->r.story, "c2 took the lock at 10.502 s (epoch 2, token 34) on redis1;\n");
    assert_has(f->r.story, "with fencing tokens 33 and 34 the resource can still refuse the older one");
}

/* ---- L2 (b): the write is delayed in the network instead ---- */

static void build_l2_network_delay(fx *f) {
    uint32_t a1 = acquire(f, C1, 0, MS(2), 1, 0);
    uint32_t r1 = rd(f, C1, MS(2), 1, 0);
    uint32_t w1 = wr(f, C1, HIST_INFO, MS(10), MS(1010), 1, 1);
    f->h.ops[w1].note = hist_intern(&f->h, "timeout", HIST_NOTE_MAX);
    uint32_t d1 = op(f, C1, HIST_F_RELEASE, HIST_OK, MS(1010), MS(1012), 1);
    uint32_t a2 = acquire(f, C2, MS(1100), MS(1102), 2, 0);
    uint32_t r2 = rd(f, C2, MS(1102), 2, 0);
    uint32_t w2 = wr(f, C2, HIST_OK, MS(1104), MS(1106), 2, 1);
    uint32_t d2 = op(f, C2, HIST_F_RELEASE, HIST_OK, MS(1106), MS(1108), 2);
    eff(f, HIST_EFF_LOCK_SET, MS(1), R1, C1, a1, 0, MS(10001));
    eff(f, HIST_EFF_READ, MS(3), S1, C1, r1, 1, 0);
    eff(f, HIST_EFF_LOCK_DEL, MS(1011), R1, C1, d1, 0, 0);
    eff(f, HIST_EFF_LOCK_SET, MS(1101), R1, C2, a2, 0, MS(11101));
    eff(f, HIST_EFF_READ, MS(1103), S1, C2, r2, 2, 0);
    eff(f, HIST_EFF_WRITE, MS(1105), S1, C2, w2, 2, 1);
    eff(f, HIST_EFF_LOCK_DEL, MS(1107), R1, C2, d2, 0, 0);
    eff(f, HIST_EFF_WRITE, MS(15011), S1, C1, w1, 1, 1);
    scn_fault *x = &f->s->faults[f->s->fault_count++];
    memset(x, 0, sizeof *x);
    x->kind = SCN_FAULT_LINK_DELAY;
    x->at_ns = MS(10);
    x->node = -1;
    x->from_mask = (uint64_t)1 << C1;
    x->to_mask = (uint64_t)1 << S1;
    x->by_ns = 15 * SIM_S;
    x->for_ns = SIM_S;
}

static void delayed_stale_write_is_a_violation_without_lease_overlap(void **state) {
    fx *f = *state;
    build_l2_network_delay(f);
    expect(f, "lease-overlap", CHECK_OK);
    assert_has(f->r.summary, "no two clients held the lock at once: 2 acquisitions");
    expect(f, "mutual-exclusion", CHECK_VIOLATION);
    assert_string_equal(f->r.summary, "stale write: c1 (epoch 1) at 15.011 s after c2 (epoch 2) at 1.105 s");
    const char *s = f->r.story;
    assert_has(s, "messages from c1 to storage1 were delayed by 15 s from 0.010 s to 1.010 s;\n");
    assert_has(s, "c1 released the lock on redis1 at 1.011 s;\n");
    assert_has(s, "c1's write of 1, sent at 0.010 s, reached storage1 at 15.011 s (epoch 1), "
                  "overwriting c2's write of 1.105 s;\n");
}

static void acknowledged_write_replaced_by_an_unacknowledged_one_is_a_lost_update(void **state) {
    fx *f = *state;
    build_l2_network_delay(f);
    expect(f, "lost-update", CHECK_VIOLATION);
    assert_string_equal(f->r.summary, "c2's acknowledged write of 1 at 1.105 s was overwritten at "
                                      "15.011 s by c1 (epoch 1), which never saw it");
    assert_has(f->r.story, "c2 wrote 1 at 1.105 s (epoch 2, acknowledged at 1.106 s);\n");
    assert_has(f->r.story, "overwriting c2's write without having seen it;\n");
    assert_has(f->r.story, "so c2's acknowledged increment is not in the final value 1.");
}

/* ---- L3: release by plain DEL removes the next holder's key ---- */

static void build_l3(fx *f, bool plain_del) {
    uint32_t a1 = acquire(f, C1, 0, MS(2), 1, 0);
    uint32_t a2 = acquire(f, C2, MS(10100), MS(10102), 2, 0);
    uint32_t r2 = rd(f, C2, MS(10102), 2, 0);
    uint32_t d1 = op(f, C1, HIST_F_RELEASE, plain_del ? HIST_OK : HIST_FAIL, MS(12000), MS(12002), 1);
    eff(f, HIST_EFF_LOCK_SET, MS(1), R1, C1, a1, 0, MS(10001));
    eff(f, HIST_EFF_LOCK_EXPIRE, MS(10001), R1, C1, HIST_NONE, 0, 0);
    eff(f, HIST_EFF_LOCK_SET, MS(10101), R1, C2, a2, 0, MS(20101));
    eff(f, HIST_EFF_READ, MS(10103), S1, C2, r2, 2, 0);
    fault(f, SCN_FAULT_PAUSE, MS(2), C1, MS(11998));
    if (!plain_del) {          /* compare-and-delete: c2 keeps the lock, c3 waits */
        uint32_t w2 = wr(f, C2, HIST_OK, MS(13000), MS(13002), 2, 1);
        uint32_t d2 = op(f, C2, HIST_F_RELEASE, HIST_OK, MS(14000), MS(14002), 2);
        uint32_t a3 = acquire(f, C3, MS(12100), MS(14102), 3, 0);
        uint32_t r3 = rd(f, C3, MS(14102), 3, 1);
        uint32_t w3 = wr(f, C3, HIST_OK, MS(14500), MS(14502), 3, 2);
        eff(f, HIST_EFF_WRITE, MS(13001), S1, C2, w2, 2, 1);
        eff(f, HIST_EFF_LOCK_DEL, MS(14001), R1, C2, d2, 0, 0);
        eff(f, HIST_EFF_LOCK_SET, MS(14101), R1, C3, a3, 0, MS(24101));
        eff(f, HIST_EFF_READ, MS(14103), S1, C3, r3, 3, 1);
        eff(f, HIST_EFF_WRITE, MS(14501), S1, C3, w3, 3, 2);
        return;
    }
    uint32_t a3 = acquire(f, C3, MS(12100), MS(12102), 3, 0);
    uint32_t r3 = rd(f, C3, MS(12102), 3, 0);
    uint32_t w3 = wr(f, C3, HIST_OK, MS(12500), MS(12502), 3, 1);
    uint32_t w2 = wr(f, C2, HIST_OK, MS(13000), MS(13002), 2, 1);
    eff(f, HIST_EFF_LOCK_DEL, MS(12001), R1, C1, d1, 0, 0);
    eff(f, HIST_EFF_LOCK_SET, MS(12101), R1, C3, a3, 0, MS(22101));
    eff(f, HIST_EFF_READ, MS(12103), S1, C3, r3, 3, 0);
    eff(f, HIST_EFF_WRITE, MS(12501), S1, C3, w3, 3, 1);
    eff(f, HIST_EFF_WRITE, MS(13001), S1, C2, w2, 2, 1);
}

static void release_by_plain_del_lets_two_windows_interleave(void **state) {
    fx *f = *state;
    build_l3(f, true);
    expect(f, "mutual-exclusion", CHECK_VIOLATION);
    assert_string_equal(f->r.summary, "stale write: c2 (epoch 2) at 13.001 s after c3 (epoch 3) at 12.501 s");
    assert_has(f->r.story, "c1 deleted c2's lock key on redis1 at 12.001 s;\n");
    assert_has(f->r.story, "c3 took the lock at 12.102 s (epoch 3) on redis1;\n");
    assert_has(f->r.story, "c2 read 0 at 10.103 s;\n");
    expect(f, "lease-overlap", CHECK_VIOLATION);
    assert_has(f->r.summary, "c2 (epoch 2) and c3 (epoch 3) both believed they held the lock from "
                             "12.102 s to 12.500 s");
}

static void release_by_compare_and_delete_keeps_windows_apart(void **state) {
    fx *f = *state;
    build_l3(f, false);
    expect(f, "mutual-exclusion", CHECK_OK);
    expect(f, "lease-overlap", CHECK_OK);
    expect(f, "lost-update", CHECK_OK);
    assert_has(f->r.summary, "final counter 2 = initial 0 + 2 acknowledged increments");
    expect(f, "liveness", CHECK_OK);
    assert_int_equal(f->r.blocked_ns, MS(2002));
}

/* ---- interleaving without a stale epoch ---- */

static void build_two_rmw(fx *f, bool interleaved) {
    uint32_t a1 = acquire(f, C1, 0, MS(2), 1, 0);
    uint32_t a2 = acquire(f, C2, MS(3), MS(5), 2, 0);
    uint32_t r1 = rd(f, C1, MS(5), 1, 0);
    uint32_t r2 = rd(f, C2, MS(6), 2, interleaved ? 0 : 1);
    uint32_t w1 = wr(f, C1, HIST_OK, MS(7), MS(9), 1, 1);
    uint32_t w2 = wr(f, C2, HIST_OK, MS(8), MS(10), 2, interleaved ? 1 : 2);
    eff(f, HIST_EFF_LOCK_SET, MS(1), R1, C1, a1, 0, MS(10001));
    eff(f, HIST_EFF_LOCK_SET, MS(4), R1, C2, a2, 0, MS(10004));
    eff(f, HIST_EFF_READ, MS(6), S1, C1, r1, 1, 0);
    if (interleaved) {
        eff(f, HIST_EFF_READ, MS(7), S1, C2, r2, 2, 0);
        eff(f, HIST_EFF_WRITE, MS(8), S1, C1, w1, 1, 1);
    } else {
        eff(f, HIST_EFF_WRITE, MS(7), S1, C1, w1, 1, 1);
        eff(f, HIST_EFF_READ, MS(8), S1, C2, r2, 2, 1);
    }
    eff(f, HIST_EFF_WRITE, MS(9), S1, C2, w2, 2, interleaved ? 1 : 2);
}

static void interleaved_read_modify_writes_in_epoch_order_are_a_violation(void **state) {
    fx *f = *state;
    build_two_rmw(f, true);
    expect(f, "mutual-exclusion", CHECK_VIOLATION);
    assert_string_equal(f->r.summary, "interleaved read-modify-write: c2 (epoch 2) read at 0.007 s, "
                                      "c1 (epoch 1) wrote at 0.008 s, c2 wrote at 0.009 s");
    assert_has(f->r.story, "c2 wrote 1 at 0.009 s (epoch 2), overwriting c1's write of 0.008 s;\n");
    assert_has(f->r.story, "so c2's write was computed from a read taken before c1's write, which it overwrote.");
}

static void read_modify_writes_one_after_the_other_are_not_a_violation(void **state) {
    fx *f = *state;
    build_two_rmw(f, false);
    expect(f, "mutual-exclusion", CHECK_OK);
    expect(f, "lost-update", CHECK_OK);
}

/* ---- a lock key that expires early because its node's clock jumped ---- */

static void build_clock_jump(fx *f, bool jump) {
    uint32_t a1 = acquire(f, C1, 0, MS(2), 1, 0);
    uint32_t r1 = rd(f, C1, MS(2), 1, 0);
    sim_time exp_true = jump ? SIM_S : MS(10001);
    uint32_t a2 = acquire(f, C2, exp_true + MS(100), exp_true + MS(102), 2, 0);
    uint32_t r2 = rd(f, C2, exp_true + MS(102), 2, 0);
    uint32_t w2 = wr(f, C2, HIST_OK, exp_true + MS(104), exp_true + MS(106), 2, 1);
    uint32_t w1 = wr(f, C1, HIST_OK, MS(15000), MS(15002), 1, 1);
    eff(f, HIST_EFF_LOCK_SET, MS(1), R1, C1, a1, 0, MS(10001));
    eff(f, HIST_EFF_READ, MS(3), S1, C1, r1, 1, 0);
    eff_local(f, HIST_EFF_LOCK_EXPIRE, exp_true, jump ? 21 * SIM_S : exp_true, R1, C1, HIST_NONE, 0, 0);
    eff(f, HIST_EFF_LOCK_SET, exp_true + MS(101), R1, C2, a2, 0, 0);
    eff(f, HIST_EFF_READ, exp_true + MS(103), S1, C2, r2, 2, 0);
    eff(f, HIST_EFF_WRITE, exp_true + MS(105), S1, C2, w2, 2, 1);
    eff(f, HIST_EFF_WRITE, MS(15001), S1, C1, w1, 1, 1);
    fault(f, SCN_FAULT_PAUSE, MS(4), C1, MS(14990));     /* faults sorted by time */
    if (jump) {
        fault(f, SCN_FAULT_CLOCK_JUMP, SIM_S, R1, 0);
        f->s->faults[1].jump_ns = 20 * SIM_S;
    }
}

static void expiry_on_a_jumped_clock_names_both_true_and_local_time(void **state) {
    fx *f = *state;
    build_clock_jump(f, true);
    expect(f, "mutual-exclusion", CHECK_VIOLATION);
    assert_has(f->r.story, "redis1's clock jumped +20 s at 1 s;\n");
    assert_has(f->r.story, "the lock expired on redis1 at 1 s (its clock read 21 s);\n");
    /* at the same instant, the cause is told before its effect */
    assert_true(strstr(f->r.story, "jumped") < strstr(f->r.story, "expired"));
}

static void expiry_on_a_true_clock_says_by_its_clock_only(void **state) {
    fx *f = *state;
    build_clock_jump(f, false);
    expect(f, "mutual-exclusion", CHECK_VIOLATION);
    assert_has(f->r.story, "the lock expired on redis1 at 10.001 s by its clock;\n");
    assert_null(strstr(f->r.story, "its clock read"));
    assert_null(strstr(f->r.story, "jumped"));
}

/* ---- L1: no TTL, the holder crashes, the next client waits forever ---- */

static void build_l1(fx *f, bool ttl) {
    f->s->duration_ns = 600 * SIM_S;
    uint32_t a1 = acquire(f, C1, 0, MS(2), 1, 0);
    uint32_t r1 = rd(f, C1, MS(2), 1, 0);
    eff(f, HIST_EFF_LOCK_SET, MS(1), R1, C1, a1, 0, ttl ? MS(10001) : SIM_TIME_NEVER);
    eff(f, HIST_EFF_READ, MS(3), S1, C1, r1, 1, 0);
    fault(f, SCN_FAULT_CRASH, MS(50), C1, 0);
    if (!ttl) {
        op(f, C2, HIST_F_ACQUIRE, HIST_PENDING, MS(100), 0, 0);
        return;
    }
    uint32_t a2 = acquire(f, C2, MS(100), MS(10102), 2, 0);
    eff(f, HIST_EFF_LOCK_EXPIRE, MS(10001), R1, C1, HIST_NONE, 0, 0);
    eff(f, HIST_EFF_LOCK_SET, MS(10101), R1, C2, a2, 0, MS(20101));
}

static void acquire_pending_at_the_horizon_is_a_liveness_violation(void **state) {
    fx *f = *state;
    build_l1(f, false);
    expect(f, "liveness", CHECK_VIOLATION);
    assert_string_equal(f->r.summary, "c2's acquire pending at the horizon 600 s for 599.900 s (bound 60 s)");
    assert_int_equal(f->r.blocked_ns, MS(599900));
    const char *s = f->r.story;
    assert_has(s, "c1 took the lock at 0.002 s (epoch 1) on redis1;\n");
    assert_has(s, "c1's lock key on redis1, set at 0.001 s with no expiry, was still there at the horizon;\n");
    assert_has(s, "c1 crashed at 0.050 s;\n");
    assert_has(s, "c2 asked for the lock at 0.100 s;\n");
    assert_has(s, "so c2 was still waiting at the horizon (600 s), 599.900 s after it asked (bound 60 s).");
    expect(f, "mutual-exclusion", CHECK_OK);
}

static void acquire_that_completes_after_the_ttl_is_live_with_its_wait_reported(void **state) {
    fx *f = *state;
    build_l1(f, true);
    expect(f, "liveness", CHECK_OK);
    assert_int_equal(f->r.blocked_ns, MS(10002));
    assert_string_equal(f->r.summary, "no op pending at the horizon for more than 60 s; "
                                      "longest acquire wait 10.002 s (c2 at 0.100 s)");
}

static void pending_op_within_the_bound_is_not_a_violation(void **state) {
    fx *f = *state;
    f->s->duration_ns = 20 * SIM_S;              /* bound = 10 s */
    op(f, C2, HIST_F_ACQUIRE, HIST_PENDING, 10 * SIM_S, 0, 0);   /* pending exactly 10 s */
    expect(f, "liveness", CHECK_OK);
    assert_int_equal(f->r.blocked_ns, 10 * SIM_S);
    check_result_free(&f->r);
    f->h.ops[0].invoke_ns -= 1;                  /* one ns more: stuck */
    expect(f, "liveness", CHECK_VIOLATION);
    assert_has(f->r.summary, "(bound 10 s)");
}

static void pending_op_of_a_crashed_client_is_not_stuck(void **state) {
    fx *f = *state;
    op(f, C1, HIST_F_WRITE, HIST_PENDING, MS(100), 0, 1);
    fault(f, SCN_FAULT_CRASH, MS(200), C1, 0);
    expect(f, "liveness", CHECK_OK);
    assert_int_equal(f->r.blocked_ns, 0);
}

/* A power loss takes a client down as a crash does; the story says which. */
static void pending_op_of_a_client_that_lost_power_is_not_stuck(void **state) {
    fx *f = *state;
    op(f, C1, HIST_F_WRITE, HIST_PENDING, MS(100), 0, 1);
    fault(f, SCN_FAULT_POWER_LOSS, MS(200), C1, 0);
    expect(f, "liveness", CHECK_OK);
    assert_int_equal(f->r.blocked_ns, 0);
}

static void a_holder_that_lost_power_is_told_so_in_the_story(void **state) {
    fx *f = *state;
    build_l1(f, false);
    f->s->faults[0].kind = SCN_FAULT_POWER_LOSS;
    expect(f, "liveness", CHECK_VIOLATION);
    assert_has(f->r.story, "c1 lost power at 0.050 s;\n");
}

/* A read with no timeout sent to a node that is down: the engine dropped
 * the request there (HIST_EFF_LOST), and the story and the summary say so,
 * instead of reading as if the node had made the client wait. */
static void a_pending_op_whose_request_was_lost_at_a_down_node_says_so(void **state) {
    fx *f = *state;
    fault(f, SCN_FAULT_CRASH, MS(3500), S1, 0);
    uint32_t r = op(f, C1, HIST_F_READ, HIST_PENDING, MS(4000), 0, 0);
    eff(f, HIST_EFF_LOST, MS(3000), S1, C2, HIST_NONE, 0, MS(2999));   /* another client's */
    eff(f, HIST_EFF_LOST, MS(3999), S1, C1, HIST_NONE, 0, MS(3998));   /* sent before the read */
    eff(f, HIST_EFF_LOST, MS(4001), S1, C1, HIST_NONE, 0, MS(4000));
    (void)r;
    expect(f, "liveness", CHECK_VIOLATION);
    assert_string_equal(f->r.summary, "c1's read pending at the horizon 30 s for 26 s (bound 15 s); "
                                      "its request to storage1 was lost at 4.001 s: storage1 was down");
    assert_has(f->r.story, "storage1 crashed at 3.500 s;\nc1 invoked a read at 4 s;\n"
                           "c1's read to storage1 was lost at 4.001 s: storage1 was down;\n"
                           "so c1 was still waiting at the horizon (30 s) for a reply that could not "
                           "come, 26 s after it invoked it (bound 15 s).");
    /* the same wait with no lost request reads as before */
    f->h.effect_count = 2;
    expect(f, "liveness", CHECK_VIOLATION);
    assert_string_equal(f->r.summary, "c1's read pending at the horizon 30 s for 26 s (bound 15 s)");
    assert_has(f->r.story, "so c1 was still waiting at the horizon (30 s), 26 s after it invoked it "
                           "(bound 15 s).");
    assert_null(strstr(f->r.story, "lost"));
}

/* ---- W2: the watchdog's last renewal, and network faults in stories ---- */

static void watchdog_renewal_before_a_long_pause_is_told_as_the_last_extension(void **state) {
    fx *f = *state;
    f->s->duration_ns = 60 * SIM_S;
    uint32_t a1 = acquire(f, C1, 0, 0, 1, 0);
    uint32_t r1 = rd(f, C1, 0, 1, 0);
    uint32_t a2 = acquire(f, C2, 15 * SIM_S, 40 * SIM_S, 2, 0);
    uint32_t r2 = rd(f, C2, 40 * SIM_S, 2, 0);
    uint32_t w2 = wr(f, C2, HIST_OK, MS(40100), MS(40100), 2, 1);
    uint32_t w1 = wr(f, C1, HIST_OK, 47 * SIM_S, 47 * SIM_S, 1, 1);
    eff(f, HIST_EFF_LOCK_SET, 0, R1, C1, a1, 0, 30 * SIM_S);
    eff(f, HIST_EFF_READ, 0, S1, C1, r1, 1, 0);
    eff(f, HIST_EFF_LOCK_EXTEND, 10 * SIM_S, R1, C1, HIST_NONE, 0, 40 * SIM_S);
    eff(f, HIST_EFF_LOCK_EXPIRE, 40 * SIM_S, R1, C1, HIST_NONE, 0, 0);
    eff(f, HIST_EFF_LOCK_SET, 40 * SIM_S, R1, C2, a2, 0, 70 * SIM_S);
    eff(f, HIST_EFF_READ, 40 * SIM_S, S1, C2, r2, 2, 0);
    eff(f, HIST_EFF_WRITE, MS(40100), S1, C2, w2, 2, 1);
    eff(f, HIST_EFF_WRITE, 47 * SIM_S, S1, C1, w1, 1, 1);
    fault(f, SCN_FAULT_PAUSE, 12 * SIM_S, C1, 35 * SIM_S);
    expect(f, "mutual-exclusion", CHECK_VIOLATION);
    const char *s = f->r.story;
    assert_has(s, "c1's lease was last extended on redis1 at 10 s (to 40 s by its clock);\n");
    assert_has(s, "the lock expired on redis1 at 40 s by its clock;\nc2 took the lock at 40 s (epoch 2) on redis1;\n");
    expect(f, "liveness", CHECK_OK);
    assert_int_equal(f->r.blocked_ns, 25 * SIM_S);
}

/* c2 asks for the lock at 1 s and never gets it; a partition splits
 * `isolated` from the rest from 0.5 s until a heal at 150 s. */
static void build_partitioned_wait(fx *f, int32_t isolated) {
    f->s->duration_ns = 200 * SIM_S;
    uint32_t a1 = acquire(f, C1, 0, MS(2), 1, 0);
    uint32_t d1 = op(f, C1, HIST_F_RELEASE, HIST_OK, MS(3), MS(5), 1);
    op(f, C2, HIST_F_ACQUIRE, HIST_PENDING, SIM_S, 0, 0);
    eff(f, HIST_EFF_LOCK_SET, MS(1), R1, C1, a1, 0, MS(10001));
    eff(f, HIST_EFF_LOCK_DEL, MS(4), R1, C1, d1, 0, 0);
    fault(f, SCN_FAULT_PARTITION, MS(500), -1, 0);
    scn_fault *p = &f->s->faults[0];
    p->group_count = 2;
    p->group[isolated] = 1;
    fault(f, SCN_FAULT_CUT, MS(600), -1, 0);
    scn_fault *c = &f->s->faults[1];
    c->from_mask = (uint64_t)1 << isolated;
    c->to_mask = (uint64_t)1 << R1;
    c->both = true;
    fault(f, SCN_FAULT_HEAL, 150 * SIM_S, -1, 0);
}

static void partition_between_waiter_and_lock_node_is_told_with_its_heal(void **state) {
    fx *f = *state;
    build_partitioned_wait(f, C2);
    expect(f, "liveness", CHECK_VIOLATION);
    const char *s = f->r.story;
    assert_has(s, "the network split into {redis1, storage1, c1, c3} | {c2} at 0.500 s;\n");
    assert_has(s, "the links from c2 to redis1 were cut in both directions at 0.600 s;\n");
    assert_has(s, "the network healed at 150 s;\n");
    assert_has(s, "c2 asked for the lock at 1 s;\n");
    assert_null(strstr(s, "still there"));        /* nobody held the key */
}

static void partition_that_keeps_waiter_and_lock_node_together_is_not_told(void **state) {
    fx *f = *state;
    build_partitioned_wait(f, C3);
    expect(f, "liveness", CHECK_VIOLATION);
    assert_null(strstr(f->r.story, "split"));
    assert_null(strstr(f->r.story, "cut"));
    assert_null(strstr(f->r.story, "healed"));
}

/* ---- keys, and the cache the checks of one run share ---- */

/* An applied write of `key` (a text of the history's, or another copy of one). */
static void write_to(fx *f, const char *key, sim_time t, int32_t client, uint32_t opid, int64_t epoch,
                     int64_t value) {
    eff(f, HIST_EFF_WRITE, t, S1, client, opid, epoch, value);
    f->h.effects[f->h.effect_count - 1].key = key;
}

/* Keys are judged one by one in the order of their texts, whatever order
 * they were first written in; two copies of one text are one key. */
static void stale_writes_on_several_keys_are_told_in_the_order_of_the_keys(void **state) {
    fx *f = *state;
    static const char alpha_copy[] = "alpha";          /* the same text at another address */
    const char *zeta = hist_intern(&f->h, "zeta", SIM_NAME_MAX);
    const char *alpha = hist_intern(&f->h, "alpha", SIM_NAME_MAX);
    assert_ptr_not_equal(alpha, alpha_copy);
    acquire(f, C1, 0, MS(2), 1, 0);
    acquire(f, C2, MS(10), MS(12), 2, 0);
    write_to(f, zeta, MS(21), C2, wr(f, C2, HIST_OK, MS(20), MS(22), 2, 1), 2, 1);
    write_to(f, zeta, MS(31), C1, wr(f, C1, HIST_OK, MS(30), MS(32), 1, 1), 1, 1);
    write_to(f, alpha, MS(41), C2, wr(f, C2, HIST_OK, MS(40), MS(42), 2, 2), 2, 2);
    write_to(f, alpha_copy, MS(51), C1, wr(f, C1, HIST_OK, MS(50), MS(52), 1, 2), 1, 2);
    expect(f, "mutual-exclusion", CHECK_VIOLATION);
    assert_string_equal(f->r.summary, "stale write: c1 (epoch 1) at 0.051 s after c2 (epoch 2) at 0.041 s "
                                      "(and 1 more)");
    assert_has(f->r.story, "violation 2 of 2: stale write: c1 (epoch 1) at 0.031 s after c2 (epoch 2) at 0.021 s\n");
}

static void results_equal(const check_result *a, const check_result *b) {
    assert_string_equal(a->name, b->name);
    assert_int_equal(a->verdict, b->verdict);
    assert_string_equal(a->summary, b->summary);
    assert_int_equal(a->story == NULL, b->story == NULL);
    if (a->story) assert_string_equal(a->story, b->story);
    assert_int_equal(a->blocked_ns, b->blocked_ns);
    assert_int_equal(a->informational, b->informational);
    assert_int_equal(a->evidence_count, b->evidence_count);
    for (uint32_t i = 0; i < a->evidence_count; i++) assert_int_equal(a->evidence_ops[i], b->evidence_ops[i]);
    assert_string_equal(a->evidence_label, b->evidence_label);
}

enum { LOCK_CHECKS = 4 };
static const char *const lock_checks[LOCK_CHECKS] = { "mutual-exclusion", "lease-overlap", "lost-update",
                                                      "liveness" };

/* Each lock check on f's history alone, then all of them sharing one
 * cache (the first fills it), then again in reverse order from the filled
 * cache: the same results, byte for byte. */
static void same_results_with_and_without_a_cache(fx *f) {
    check_input alone = { &f->h, f->s, f->s->duration_ns, false, NULL };
    check_input shared = alone;
    shared.cache = check_cache_new();
    check_result want[LOCK_CHECKS], got;
    memset(want, 0, sizeof want);
    memset(&got, 0, sizeof got);
    for (int i = 0; i < LOCK_CHECKS; i++) check_find(lock_checks[i])->run(&alone, &want[i]);
    for (int pass = 0; pass < 2; pass++) {
        for (int k = 0; k < LOCK_CHECKS; k++) {
            int i = pass == 0 ? k : LOCK_CHECKS - 1 - k;
            check_find(lock_checks[i])->run(&shared, &got);
            results_equal(&want[i], &got);
            check_result_free(&got);
        }
    }
    check_cache_free(shared.cache);
    for (int i = 0; i < LOCK_CHECKS; i++) check_result_free(&want[i]);
}

static void fx_reset(fx *f) {
    hist_free(&f->h);
    hist_init(&f->h);
    f->h.vocab = &registry_vocab;
    f->s->fault_count = 0;
    f->s->duration_ns = 30 * SIM_S;
}

/* The checks of a run share the lock epochs through a check_cache; each
 * check says the same with it, fresh or filled, as without it: on
 * histories with a stale write, an interleaving, an overlap, a stuck
 * acquire and a clean handover, and with epochs far apart (no table). */
static void a_shared_cache_changes_no_check_result(void **state) {
    fx *f = *state;
    for (int variant = 0; variant < 9; variant++) {
        fx_reset(f);
        epoch_one = variant == 8 ? 1000000 : 1;
        epoch_two = variant == 8 ? 2000000000 : 2;
        switch (variant) {
        case 0: build_l2(f, false); break;
        case 1: build_l2(f, true); break;
        case 2: build_l3(f, true); break;
        case 3: build_l3(f, false); break;
        case 4: build_two_rmw(f, true); break;
        case 5: build_l1(f, false); break;
        case 6: build_l1(f, true); break;
        case 7: build_partitioned_wait(f, C2); break;
        default: build_l2(f, false); break;
        }
        same_results_with_and_without_a_cache(f);
    }
}

/* No check reads a cache unless it needs the epochs; one never used is
 * freed as it was made (and NULL frees nothing). */
static void an_unused_cache_frees_cleanly(void **state) {
    (void)state;
    check_cache_free(check_cache_new());
    check_cache_free(NULL);
}

/* ---- the registry, the story helpers, determinism ---- */

static void registry_finds_the_four_lock_checks_by_name(void **state) {
    (void)state;
    assert_true(check_count() >= 4);          /* other families add theirs after these */
    const char *names[] = { "mutual-exclusion", "lease-overlap", "lost-update", "liveness" };
    for (size_t i = 0; i < 4; i++) {
        assert_non_null(check_find(names[i]));
        assert_string_equal(check_at(i)->name, names[i]);
        assert_non_null(check_at(i)->summary);
    }
    for (size_t i = 0; i < check_count(); i++)             /* names are unique */
        for (size_t j = i + 1; j < check_count(); j++)
            assert_string_not_equal(check_at(i)->name, check_at(j)->name);
    assert_null(check_find("mutual_exclusion"));
    assert_null(check_find(""));
    assert_string_equal(check_verdict_name(CHECK_OK), "ok");
    assert_string_equal(check_verdict_name(CHECK_VIOLATION), "violation");
    assert_string_equal(check_verdict_name(CHECK_UNKNOWN), "unknown");
}

static void empty_history_is_ok_for_every_check(void **state) {
    fx *f = *state;
    for (size_t i = 0; i < check_count(); i++) expect(f, check_at(i)->name, CHECK_OK);
}

static void story_sorts_clauses_by_true_time_keeping_ties_in_order(void **state) {
    fx *f = *state;
    story st;
    story_init(&st, f->s);
    story_add(&st, MS(5), "third");
    story_add(&st, MS(1), "first");
    story_add(&st, MS(5), "fourth");
    story_add(&st, MS(2), "second");
    story_conclude(&st, "so %s", "done");
    story_buf b;
    story_buf_init(&b);
    story_render(&st, &b);
    assert_string_equal(b.text, "first;\nsecond;\nthird;\nfourth;\nso done.\n");
    story_buf_free(&b);
    story_free(&st);
    assert_string_equal(story_rate(1020000).s, "1.02");
    assert_string_equal(story_rate(1000000).s, "1.0");
    assert_string_equal(story_rate(999500).s, "0.9995");
    assert_string_equal(story_dt(-MS(1500)).s, "-1.500 s");
    assert_string_equal(story_node(f->s, 7), "node ?");
}

static void story_of_a_long_history_keeps_its_beginning_and_its_end(void **state) {
    fx *f = *state;
    story st;
    story_init(&st, f->s);
    for (int i = 0; i < 200; i++) story_add(&st, MS(i), "event %d", i);
    story_buf b;
    story_buf_init(&b);
    story_render(&st, &b);
    assert_has(b.text, "event 0;\n");
    assert_has(b.text, "... (152 more events) ...;\n");
    assert_has(b.text, "event 199.\n");
    assert_null(strstr(b.text, "event 100;"));
    story_buf_free(&b);
    story_free(&st);
}

static void lines_two_stories_share_are_told_once_before_each_ones_own(void **state) {
    (void)state;
    const char *stories[3] = { "c1 took the lock;\nc1 read 0;\nc1 paused;\nso stale write.\n",
                               NULL,
                               "the counter started at 0;\nc1 took the lock;\nc1 paused;\nso 1 lost.\n" };
    story_buf shared, parts[3];
    story_buf_init(&shared);
    for (int i = 0; i < 3; i++) story_buf_init(&parts[i]);
    assert_int_equal(story_share(stories, 3, &shared, parts), 2);
    assert_string_equal(shared.text, "c1 took the lock;\nc1 paused.\n");
    assert_string_equal(parts[0].text, "c1 read 0;\nso stale write.\n");
    assert_null(parts[1].text);
    assert_string_equal(parts[2].text, "the counter started at 0;\nso 1 lost.\n");
    story_buf_free(&shared);
    for (int i = 0; i < 3; i++) story_buf_free(&parts[i]);
}

static void stories_with_nothing_in_common_are_told_whole(void **state) {
    (void)state;
    const char *stories[2] = { "a;\nso x.\n", "b;\nso x.\n" };   /* conclusions are never shared */
    story_buf shared, parts[2];
    story_buf_init(&shared);
    story_buf_init(&parts[0]);
    story_buf_init(&parts[1]);
    assert_int_equal(story_share(stories, 2, &shared, parts), 0);
    assert_null(shared.text);
    assert_string_equal(parts[0].text, stories[0]);
    assert_string_equal(parts[1].text, stories[1]);
    story_buf_free(&parts[0]);
    story_buf_free(&parts[1]);
}

static void shared_lines_keep_the_order_of_each_story(void **state) {
    (void)state;
    const char *stories[2] = { "a;\nc;\nso 1.\n", "a;\nb;\nc;\nso 2.\n" };
    const char *more[2] = { "a;\nb;\nso 1.\n", "b;\nc;\nso 2.\n" };
    story_buf shared, parts[2];
    story_buf_init(&shared);
    story_buf_init(&parts[0]);
    story_buf_init(&parts[1]);
    assert_int_equal(story_share(stories, 2, &shared, parts), 2);
    assert_string_equal(shared.text, "a;\nc.\n");
    assert_string_equal(parts[1].text, "b;\nso 2.\n");
    story_buf_free(&shared);
    story_buf_free(&parts[0]);
    story_buf_free(&parts[1]);
    story_buf_init(&shared);
    story_buf_init(&parts[0]);
    story_buf_init(&parts[1]);
    assert_int_equal(story_share(more, 2, &shared, parts), 1);
    assert_string_equal(shared.text, "b.\n");
    assert_string_equal(parts[0].text, "a;\nso 1.\n");
    assert_string_equal(parts[1].text, "c;\nso 2.\n");
    story_buf_free(&shared);
    story_buf_free(&parts[0]);
    story_buf_free(&parts[1]);
}

static void same_history_gives_the_same_story_bytes(void **state) {
    fx *f = *state;
    build_l3(f, true);
    run(f, "mutual-exclusion");
    char *first = sim_xstrdup(f->r.story);
    run(f, "mutual-exclusion");
    assert_string_equal(first, f->r.story);
    free(first);
}

#define T(name) cmocka_unit_test_setup_teardown(name, fx_setup, fx_teardown)

int main(void) {
    const struct CMUnitTest tests[] = {
        T(stale_write_after_gc_pause_is_a_mutual_exclusion_violation),
        T(overlapping_pauses_are_told_as_the_one_pause_the_node_had),
        T(gc_pause_timeline_is_also_a_lease_overlap_and_a_lost_update),
        T(epochs_far_apart_are_grouped_as_close_ones_are),
        T(fenced_write_rejected_after_gc_pause_keeps_mutual_exclusion),
        T(fenced_gc_pause_still_reports_the_lease_overlap),
        T(delayed_stale_write_is_a_violation_without_lease_overlap),
        T(acknowledged_write_replaced_by_an_unacknowledged_one_is_a_lost_update),
        T(release_by_plain_del_lets_two_windows_interleave),
        T(release_by_compare_and_delete_keeps_windows_apart),
        T(interleaved_read_modify_writes_in_epoch_order_are_a_violation),
        T(read_modify_writes_one_after_the_other_are_not_a_violation),
        T(expiry_on_a_jumped_clock_names_both_true_and_local_time),
        T(expiry_on_a_true_clock_says_by_its_clock_only),
        T(acquire_pending_at_the_horizon_is_a_liveness_violation),
        T(a_pending_op_whose_request_was_lost_at_a_down_node_says_so),
        T(acquire_that_completes_after_the_ttl_is_live_with_its_wait_reported),
        T(pending_op_within_the_bound_is_not_a_violation),
        T(pending_op_of_a_crashed_client_is_not_stuck),
        T(pending_op_of_a_client_that_lost_power_is_not_stuck),
        T(a_holder_that_lost_power_is_told_so_in_the_story),
        T(watchdog_renewal_before_a_long_pause_is_told_as_the_last_extension),
        T(partition_between_waiter_and_lock_node_is_told_with_its_heal),
        T(partition_that_keeps_waiter_and_lock_node_together_is_not_told),
        T(stale_writes_on_several_keys_are_told_in_the_order_of_the_keys),
        T(a_shared_cache_changes_no_check_result),
        T(an_unused_cache_frees_cleanly),
        T(registry_finds_the_four_lock_checks_by_name),
        T(empty_history_is_ok_for_every_check),
        T(story_sorts_clauses_by_true_time_keeping_ties_in_order),
        T(story_of_a_long_history_keeps_its_beginning_and_its_end),
        T(same_history_gives_the_same_story_bytes),
        T(lines_two_stories_share_are_told_once_before_each_ones_own),
        T(stories_with_nothing_in_common_are_told_whole),
        T(shared_lines_keep_the_order_of_each_story),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
