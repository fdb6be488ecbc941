/* liveness_lock.c -- how long a lock was out of reach, for the liveness check.
 *
 * From the history alone:
 *   a client WANTS the lock from the invoke of an ACQUIRE until one of its
 *   acquires succeeds; consecutive failed acquires of one client (a retry
 *   loop in the application, iterations of the workload) are one want, which
 *   ends at the last one's completion when the client stops asking, or at
 *   the horizon while one is pending;
 *   a client HOLDS the lock from an ok ACQUIRE until its RELEASE completes,
 *   its process crashes (a scripted crash), or the horizon.
 * The lock is OUT OF REACH while some client wants it and none holds it:
 * the availability penalty of a partition (R7: the minority side), or the
 * TTL after a holder dies (W1: 25 s after the crash).  The longest want and
 * the longest stretch out of reach are reported with who and when.
 * Invariant of the sweep: `wanting` and `holding` count the open intervals
 * at the current instant; at one instant every end is applied before any
 * start, so back-to-back intervals do not count as overlapping.
 * Trade-off: O(n) in lock ops (the ops grouped per client by a counting
 * sort, the points sorted by a radix sort on their times); heap arrays of
 * points and indices.
 */
#include "sim/check/check_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/lock/lock_api.h"

typedef struct lk_point {
    sim_time t;
    int32_t delta;               /* +1 start, -1 end */
    uint32_t hold;               /* 1 = a hold interval, 0 = a want */
} lk_point;

typedef struct lk_points { lk_point *p; uint32_t n, cap; } lk_points;

static void add_interval(lk_points *ps, sim_time from, sim_time to, uint32_t hold) {
    if (to <= from) return;
    if (ps->n + 2 > ps->cap) {
        ps->cap = ps->cap ? ps->cap * 2 : 64;
        ps->p = sim_xrealloc(ps->p, ps->cap * sizeof *ps->p);
    }
    ps->p[ps->n++] = (lk_point){ from, +1, hold };
    ps->p[ps->n++] = (lk_point){ to, -1, hold };
}

/* The first scripted crash of the client in (from, to], else to. */
static sim_time crash_or(const scn *s, int32_t node, sim_time from, sim_time to) {
    if (s == NULL) return to;
    for (uint32_t i = 0; i < s->fault_count; i++) {
        const scn_fault *f = &s->faults[i];
        if (scn_fault_crashes(f->kind) && f->node == node && f->at_ns > from && f->at_ns < to)
            return f->at_ns;
    }
    return to;
}

/* The client's RELEASE after its k-th lock op (the end of its hold), or
 * NULL: ops[0..n) are one client's ACQUIRE and RELEASE ops, in op order. */
static const hist_op *release_after(const hist *h, const uint32_t *ops, uint32_t n, uint32_t k) {
    if (k + 1 >= n) return NULL;
    const hist_op *op = &h->ops[ops[k + 1]];
    return op->f == HIST_F_RELEASE ? op : NULL;
}

static void note_want(check_lock_unavail *u, int32_t client, sim_time from, sim_time to) {
    if (to - from <= u->want_ns) return;
    u->want_ns = to - from;
    u->want_client = client;
    u->want_from = from;
    u->want_to = to;
}

/* One client's wants and holds: ops[0..n) are its ACQUIRE and RELEASE
 * ops, in op order. */
static void scan_client(const check_input *in, sim_time horizon, const uint32_t *ops, uint32_t n,
                        lk_points *ps, check_lock_unavail *u) {
    const hist *h = in->h;
    SIM_ASSERT(n > 0);
    int32_t node = h->ops[ops[0]].node;
    sim_time want = SIM_TIME_NEVER, last_end = 0;
    for (uint32_t k = 0; k < n; k++) {
        const hist_op *op = &h->ops[ops[k]];
        SIM_ASSERT(op->node == node);
        if (op->f != HIST_F_ACQUIRE) continue;
        if (want == SIM_TIME_NEVER) want = op->invoke_ns;
        bool pending = op->result == HIST_PENDING || op->complete_ns > horizon;
        last_end = pending ? horizon : op->complete_ns;
        if (op->result != HIST_OK || pending) continue;
        add_interval(ps, want, last_end, 0);
        note_want(u, node, want, last_end);
        want = SIM_TIME_NEVER;
        const hist_op *rel = release_after(h, ops, n, k);
        sim_time end = rel && rel->result != HIST_PENDING && rel->complete_ns <= horizon
                           ? rel->complete_ns : horizon;
        add_interval(ps, op->complete_ns, crash_or(in->s, node, op->complete_ns, end), 1);
        u->acquired++;
    }
    if (want == SIM_TIME_NEVER) return;
    add_interval(ps, want, last_end, 0);
    note_want(u, node, want, last_end);
}

#define LK_DIGIT_BITS 11u
#define LK_DIGITS 6u                     /* 6 x 11 bits >= 64 */
#define LK_RADIX (1u << LK_DIGIT_BITS)

/* Digit `d` of p's time for the radix sort (times as unsigned, the sign
 * bit flipped, so that negative ones come first). */
static unsigned time_digit(const lk_point *p, unsigned d) {
    uint64_t u = (uint64_t)p->t ^ (UINT64_C(1) << 63);
    return (unsigned)((u >> (LK_DIGIT_BITS * d)) & (LK_RADIX - 1u));
}

/* Sorts ps by (t, delta), ends first at one instant: a stable LSD radix
 * sort, one pass by delta then one per 11-bit digit of the time in which
 * the points differ (a run of an hour in ns: 4).  The order of points
 * with the same (t, delta) is left as it comes: the sweep's result does
 * not depend on it (at one instant the ends can only lower and the starts
 * only raise the counts, so the out-of-reach stretches it closes are the
 * same in any order, and one opened and closed there has length 0). */
static void sort_points(lk_points *ps) {
    uint32_t n = ps->n;
    lk_point *a = ps->p, *b = sim_xmalloc((size_t)n * sizeof *b);
    uint32_t at_end = 0, at_start = 0;
    for (uint32_t i = 0; i < n; i++) at_start += a[i].delta < 0;
    for (uint32_t i = 0; i < n; i++) b[a[i].delta < 0 ? at_end++ : at_start++] = a[i];
    lk_point *tmp = a; a = b; b = tmp;
    uint32_t *count = sim_xcalloc((size_t)LK_DIGITS * LK_RADIX, sizeof *count);
    for (uint32_t i = 0; i < n; i++)
        for (unsigned d = 0; d < LK_DIGITS; d++) count[d * LK_RADIX + time_digit(&a[i], d)]++;
    for (unsigned d = 0; d < LK_DIGITS; d++) {
        uint32_t *c = count + d * LK_RADIX;
        if (c[time_digit(&a[0], d)] == n) continue;   /* all alike: nothing to do */
        uint32_t sum = 0;
        for (unsigned v = 0; v < LK_RADIX; v++) { uint32_t k = c[v]; c[v] = sum; sum += k; }
        for (uint32_t i = 0; i < n; i++) b[c[time_digit(&a[i], d)]++] = a[i];
        tmp = a; a = b; b = tmp;
    }
    free(count);
    if (a != ps->p) {
        memcpy(ps->p, a, (size_t)n * sizeof *a);
        free(a);
    } else {
        free(b);
    }
    for (uint32_t i = 1; i < n; i++)
        SIM_ASSERT(ps->p[i - 1].t < ps->p[i].t ||
                   (ps->p[i - 1].t == ps->p[i].t && ps->p[i - 1].delta <= ps->p[i].delta));
}

static void sweep(lk_points *ps, check_lock_unavail *u) {
    if (ps->n == 0) return;
    sort_points(ps);
    int32_t wanting = 0, holding = 0;
    sim_time since = 0;
    for (uint32_t i = 0; i < ps->n; i++) {
        const lk_point *p = &ps->p[i];
        bool out_before = wanting > 0 && holding == 0;
        if (p->hold) holding += p->delta; else wanting += p->delta;
        SIM_ASSERT(wanting >= 0);
        SIM_ASSERT(holding >= 0);
        bool out_after = wanting > 0 && holding == 0;
        if (!out_before && out_after) since = p->t;
        if (out_before && !out_after && p->t - since > u->out_ns) {
            u->out_ns = p->t - since;
            u->out_from = since;
            u->out_to = p->t;
        }
    }
}

static bool lock_op(const hist_op *op) {
    return (op->f == HIST_F_ACQUIRE || op->f == HIST_F_RELEASE) && op->node >= 0;
}

/* The ACQUIRE and RELEASE ops of the clients that acquire, grouped by
 * client (clients in the order of their first ACQUIRE, each one's ops in op
 * order): client c's are (*ops)[(*start)[c] .. (*start)[c + 1]).  A counting
 * sort: O(ops + nodes), where a scan per client would be O(ops x clients). */
static uint32_t lock_ops_by_client(const hist *h, uint32_t **ops, uint32_t **start) {
    int32_t max_node = -1;
    for (uint32_t i = 0; i < h->op_count; i++)
        if (lock_op(&h->ops[i]) && h->ops[i].node > max_node) max_node = h->ops[i].node;
    uint32_t nodes = (uint32_t)(max_node + 1), clients = 0;
    uint32_t *rank = sim_xmalloc((nodes + 1u) * sizeof *rank);
    for (uint32_t n = 0; n < nodes; n++) rank[n] = UINT32_MAX;
    for (uint32_t i = 0; i < h->op_count; i++) {
        const hist_op *op = &h->ops[i];
        if (op->f == HIST_F_ACQUIRE && op->node >= 0 && rank[op->node] == UINT32_MAX)
            rank[op->node] = clients++;
    }
    *start = sim_xcalloc(clients + 2u, sizeof **start);
    for (uint32_t i = 0; i < h->op_count; i++) {
        const hist_op *op = &h->ops[i];
        if (lock_op(op) && rank[op->node] != UINT32_MAX) (*start)[rank[op->node] + 2]++;
    }
    for (uint32_t c = 0; c < clients; c++) (*start)[c + 2] += (*start)[c + 1];
    *ops = sim_xmalloc(((*start)[clients + 1] + 1u) * sizeof **ops);
    for (uint32_t i = 0; i < h->op_count; i++) {      /* start[c + 1]: client c's next slot */
        const hist_op *op = &h->ops[i];
        if (lock_op(op) && rank[op->node] != UINT32_MAX) (*ops)[(*start)[rank[op->node] + 1]++] = i;
    }
    free(rank);
    return clients;
}

void check_lock_unavailability(const check_input *in, check_lock_unavail *out) {
    SIM_ASSERT(in != NULL);
    SIM_ASSERT(in->h != NULL);
    SIM_ASSERT(out != NULL);
    memset(out, 0, sizeof *out);
    out->want_client = -1;
    sim_time horizon = check_horizon(in);
    uint32_t *by_client = NULL, *start = NULL;
    uint32_t clients = lock_ops_by_client(in->h, &by_client, &start);
    /* At most a want and a hold per acquire: room for all, so no copying
     * (pages it does not fill are never touched). */
    lk_points ps = { NULL, 0, 4u * start[clients] + 2u };
    ps.p = sim_xmalloc((size_t)ps.cap * sizeof *ps.p);
    for (uint32_t c = 0; c < clients; c++)
        scan_client(in, horizon, by_client + start[c], start[c + 1] - start[c], &ps, out);
    free(by_client);
    free(start);
    sweep(&ps, out);
    free(ps.p);
}

void check_liveness_lock_note(const check_input *in, check_result *out) {
    SIM_ASSERT(in != NULL);
    SIM_ASSERT(out != NULL);
    check_lock_unavail u;
    check_lock_unavailability(in, &u);
    if (u.want_client >= 0 && u.want_ns > out->blocked_ns)   /* several acquires in a row */
        story_appendf(out->summary, sizeof out->summary, "; %s wanted the lock for %s (%s..%s)",
                      story_node(in->s, u.want_client), story_t(u.want_ns).s,
                      story_t(u.want_from).s, story_t(u.want_to).s);
    if (u.out_ns > 0 && u.out_ns != out->blocked_ns)          /* not just the longest wait again */
        story_appendf(out->summary, sizeof out->summary,
                      "; out of reach (wanted, nobody holding it) for %s (%s..%s)",
                      story_t(u.out_ns).s, story_t(u.out_from).s, story_t(u.out_to).s);
}
