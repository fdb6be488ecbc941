/* queue_delivery.c -- "every committed order's event was delivered and
 * took effect exactly once, and no event went out for an order that does
 * not exist" (queue-outbox, docs/protocols/queue-outbox.md), judged at the
 * horizon.  Three figures, each a violation when not 0:
 *   charged twice  orders a consumer charged more than once (the messages
 *                  processed twice: a redelivery, or a republish, that no
 *                  processed-ids row stopped);
 *   lost           orders the db committed that no consumer had charged
 *                  by the end (told: never published, or published and
 *                  never processed);
 *   invented       orders published to the broker that the db never
 *                  committed (a consumer may have charged them).
 * Evidence: the db's ORDER and CHARGE effects, the broker's APPEND,
 * DELIVER, REQUEUE and ACK effects, the producers' place-order ops.
 * Invariant: one row per order named by an effect, at most QD_ORDERS_MAX
 * (the db and the broker hold fewer), in the order first named, so the
 * first of each kind is the earliest.
 */
#include "sim/check/check_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/queue/queue.h"

#define QD_ORDERS_MAX (QO_ROWS_MAX + QO_LOG_MAX)

typedef struct qd_order {
    const char *key;
    uint32_t commit;            /* the ORDER effect, HIST_NONE = never committed */
    uint32_t append;            /* the first APPEND, HIST_NONE = never published */
    uint32_t appends, charges;
    uint32_t first_charge, again;   /* the first and second CHARGE effects */
} qd_order;

typedef struct qd_state {
    const hist *h;
    qd_order *o;
    uint32_t count;
    uint32_t committed, published, charged, twice, extra, lost, invented;
} qd_state;

static qd_order *order_of(qd_state *st, const char *key) {
    for (uint32_t i = 0; i < st->count; i++)
        if (strcmp(st->o[i].key, key) == 0) return &st->o[i];
    if (st->count == QD_ORDERS_MAX) return NULL;
    st->o[st->count] = (qd_order){ key, HIST_NONE, HIST_NONE, 0, 0, HIST_NONE, HIST_NONE };
    return &st->o[st->count++];
}

static void note_effect(qd_state *st, uint32_t k) {
    const hist_effect *x = &st->h->effects[k];
    if (x->kind != QO_EFF_ORDER && x->kind != QO_EFF_APPEND && x->kind != QO_EFF_CHARGE) return;
    qd_order *o = order_of(st, x->key);
    if (o == NULL) return;
    if (x->kind == QO_EFF_ORDER && o->commit == HIST_NONE) o->commit = k;
    if (x->kind == QO_EFF_APPEND && o->appends++ == 0) o->append = k;
    if (x->kind != QO_EFF_CHARGE) return;
    if (o->charges == 0) o->first_charge = k;
    if (o->charges == 1) o->again = k;
    o->charges++;
}

static void tally(qd_state *st) {
    for (uint32_t k = 0; k < st->h->effect_count; k++) note_effect(st, k);
    for (uint32_t i = 0; i < st->count; i++) {
        const qd_order *o = &st->o[i];
        st->published += o->appends;
        st->charged += o->charges;
        st->committed += o->commit != HIST_NONE;
        if (o->charges > 1) { st->twice++; st->extra += o->charges - 1; }
        if (o->commit != HIST_NONE && o->charges == 0) st->lost++;
        if (o->commit == HIST_NONE && o->appends > 0) st->invented++;
    }
}

static bool is_twice(const qd_order *o) { return o->charges > 1; }
static bool is_lost(const qd_order *o) { return o->commit != HIST_NONE && o->charges == 0; }
static bool is_invented(const qd_order *o) { return o->commit == HIST_NONE && o->appends > 0; }

static const qd_order *first_of(const qd_state *st, bool (*is)(const qd_order *)) {
    for (uint32_t i = 0; i < st->count; i++)
        if (is(&st->o[i])) return &st->o[i];
    return NULL;
}

/* The producer's place-order op for key, HIST_NONE if none. */
static uint32_t order_op(const hist *h, const char *key) {
    for (uint32_t i = 0; i < h->op_count; i++)
        if (h->ops[i].f == QO_F_ORDER && strcmp(h->ops[i].key, key) == 0) return i;
    return HIST_NONE;
}

/* The first effect of kind about key with value v (v < 0: any) in [from, to], HIST_NONE if none. */
static uint32_t find(const hist *h, hist_eff_kind kind, const char *key, int64_t v, sim_time from, sim_time to) {
    for (uint32_t k = check_effect_lower_bound(h, from); k < h->effect_count && h->effects[k].t_ns <= to; k++) {
        const hist_effect *x = &h->effects[k];
        if (x->kind == kind && strcmp(x->key, key) == 0 && (v < 0 || x->value == v)) return k;
    }
    return HIST_NONE;
}

static void add_evidence(check_result *out, uint32_t op) {
    if (op == HIST_NONE || out->evidence_count == CHECK_EVIDENCE_MAX) return;
    out->evidence_ops[out->evidence_count++] = op;
}

/* ------------------------------------------------------------ stories */

/* "c2 charged order1 again at 30.106 s (message #1, delivery 2)": the
 * delivery is the last of that message to that consumer before the charge. */
static void tell_charge(story *st, const check_input *in, const hist_effect *c, const char *how) {
    int64_t delivery = 1;
    for (uint32_t k = 0; k < in->h->effect_count && in->h->effects[k].t_ns <= c->t_ns; k++) {
        const hist_effect *x = &in->h->effects[k];
        if (x->kind == QO_EFF_DELIVER && x->value == c->value && x->client == c->client) delivery = x->aux;
    }
    story_add(st, c->t_ns, "%s charged %s %sat %s (message #%" PRId64 ", delivery %" PRId64 ")",
              story_node(in->s, c->client), c->key, how, story_t(c->t_ns).s, c->value, delivery);
}

static void tell_twice(story *st, const check_input *in, const qd_order *o, uint64_t *mask, sim_time *from,
                       sim_time *to) {
    const hist *h = in->h;
    const hist_effect *a = &h->effects[o->first_charge], *b = &h->effects[o->again];
    *mask |= story_bit(a->client) | story_bit(b->client);
    *from = a->t_ns;
    *to = b->t_ns;
    tell_charge(st, in, a, "");
    uint32_t q = find(h, QO_EFF_REQUEUE, a->key, a->value, a->t_ns, b->t_ns);
    if (q != HIST_NONE)
        story_add(st, h->effects[q].t_ns, "the broker had no ack of message #%" PRId64 " and made it ready again at %s "
                  "(%s)", a->value, story_t(h->effects[q].t_ns).s,
                  h->effects[q].aux == 1 ? "its visibility timeout ran out" : "the broker restarted");
    if (b->value != a->value) {
        uint32_t f = find(h, QO_EFF_APPEND, a->key, a->value, 0, a->t_ns);
        if (f != HIST_NONE)
            story_add(st, h->effects[f].t_ns, "%s published %s at %s, as message #%" PRId64,
                      story_node(in->s, h->effects[f].client), a->key, story_t(h->effects[f].t_ns).s, a->value);
        uint32_t p = find(h, QO_EFF_APPEND, a->key, b->value, 0, b->t_ns);
        if (p != HIST_NONE) {
            *mask |= story_bit(h->effects[p].client);
            story_add(st, h->effects[p].t_ns, "%s published %s again at %s, as message #%" PRId64,
                      story_node(in->s, h->effects[p].client), a->key, story_t(h->effects[p].t_ns).s, b->value);
        }
    }
    tell_charge(st, in, b, "again ");
    for (uint32_t r = check_effect_lower_bound(h, a->t_ns); r < h->effect_count; r++) {
        const hist_effect *x = &h->effects[r];
        if (x->kind != QO_EFF_ACK || x->aux != 1 || x->client != a->client || x->value != a->value) continue;
        story_add(st, x->t_ns, "%s's ack of message #%" PRId64 " came at %s and was refused (that delivery "
                  "had timed out)", story_node(in->s, x->client), a->value, story_t(x->t_ns).s);
        break;
    }
}

/* The db node (its faults explain a lost insert), -1 if none. */
static int32_t db_node(const scn *s) {
    for (uint32_t i = 0; s != NULL && i < s->node_count; i++)
        if (strcmp(s->nodes[i].role, "db") == 0) return (int32_t)i;
    return -1;
}

/* "p1's place-order of order2 ended info at 2.004 s: published, but the database did not answer". */
static void tell_order_op(story *st, const check_input *in, const char *key) {
    uint32_t o = order_op(in->h, key);
    if (o == HIST_NONE || in->h->ops[o].result == HIST_OK || in->h->ops[o].complete_ns == SIM_TIME_NEVER) return;
    const hist_op *op = &in->h->ops[o];
    story_add(st, op->complete_ns, "%s gave up on %s at %s: %s", story_node(in->s, op->node), key,
              story_t(op->complete_ns).s, op->note != NULL && op->note[0] ? op->note : "no answer");
}

static void tell_lost(story *st, const check_input *in, const qd_order *o, uint64_t *mask, sim_time *from) {
    const hist_effect *c = &in->h->effects[o->commit];
    *mask |= story_bit(c->client) | story_bit(db_node(in->s));
    *from = *from < c->t_ns ? *from : c->t_ns;
    story_add(st, c->t_ns, "%s saved %s at %s", story_node(in->s, c->client), c->key, story_t(c->t_ns).s);
    tell_order_op(st, in, c->key);
    if (o->append == HIST_NONE)
        story_add(st, c->t_ns, "no OrderCreated(%s) was ever published", c->key);
    else story_add(st, in->h->effects[o->append].t_ns, "OrderCreated(%s) was published as message #%" PRId64
                   " at %s and no consumer charged it by the end", c->key, in->h->effects[o->append].value,
                   story_t(in->h->effects[o->append].t_ns).s);
}

static void tell_invented(story *st, const check_input *in, const qd_order *o, uint64_t *mask, sim_time *from) {
    const hist_effect *a = &in->h->effects[o->append];
    *mask |= story_bit(a->client) | story_bit(db_node(in->s));
    *from = *from < a->t_ns ? *from : a->t_ns;
    story_add(st, a->t_ns, "%s published OrderCreated(%s) at %s (message #%" PRId64 ") but %s was never saved",
              story_node(in->s, a->client), a->key, story_t(a->t_ns).s, a->value, a->key);
    tell_order_op(st, in, a->key);
    if (o->charges > 0) {
        const hist_effect *c = &in->h->effects[o->first_charge];
        story_add(st, c->t_ns, "%s charged %s, an order that does not exist, at %s", story_node(in->s, c->client),
                  c->key, story_t(c->t_ns).s);
    }
}

static void delivery_story(const check_input *in, const qd_state *s, check_result *out) {
    story st;
    story_init(&st, in->s);
    uint64_t mask = 0;
    sim_time from = check_horizon(in), to = check_horizon(in);
    const qd_order *t = first_of(s, is_twice), *l = first_of(s, is_lost), *v = first_of(s, is_invented);
    if (t != NULL) tell_twice(&st, in, t, &mask, &from, &to);
    if (l != NULL) tell_lost(&st, in, l, &mask, &from);
    if (v != NULL) tell_invented(&st, in, v, &mask, &from);
    story_add_faults(&st, mask, from, to);
    char so[200] = "";
    if (s->twice > 0)
        story_appendf(so, sizeof so, "%u %s charged twice (%u extra %s)", s->twice,
                      s->twice == 1 ? "order was" : "orders were", s->extra, s->extra == 1 ? "charge" : "charges");
    if (s->lost > 0)
        story_appendf(so, sizeof so, "%s%u %s lost", so[0] ? ", " : "", s->lost, s->lost == 1 ? "event was" : "events were");
    if (s->invented > 0)
        story_appendf(so, sizeof so, "%s%u %s invented", so[0] ? ", " : "", s->invented,
                      s->invented == 1 ? "event was" : "events were");
    story_conclude(&st, "so %s", so);
    story_buf sb;
    story_buf_init(&sb);
    story_render(&st, &sb);
    out->story = story_buf_take(&sb);
    story_free(&st);
}

static void collect_evidence(const check_input *in, const qd_state *s, check_result *out) {
    for (uint32_t i = 0; i < s->count; i++)
        if (is_twice(&s->o[i])) add_evidence(out, in->h->effects[s->o[i].again].op);
    for (uint32_t i = 0; i < s->count; i++)
        if (is_lost(&s->o[i]) || is_invented(&s->o[i])) add_evidence(out, order_op(in->h, s->o[i].key));
    snprintf(out->evidence_label, sizeof out->evidence_label, "%s",
             s->twice > 0 ? "charged twice" : s->lost > 0 ? "event lost" : "event invented");
}

static void check_run_delivery(const check_input *in, check_result *out) {
    SIM_ASSERT(in != NULL);
    SIM_ASSERT(in->h != NULL);
    check_result_start(out, "delivery");
    qd_state s;
    memset(&s, 0, sizeof s);
    s.h = in->h;
    s.o = calloc(QD_ORDERS_MAX, sizeof *s.o);
    SIM_ASSERT(s.o != NULL);
    tally(&s);
    snprintf(out->summary, sizeof out->summary, "saved %u, published %u, charged %u: %u %s charged twice, "
             "%u %s lost, %u invented", s.committed, s.published, s.charged, s.twice,
             s.twice == 1 ? "order" : "orders", s.lost, s.lost == 1 ? "event" : "events", s.invented);
    if (s.twice + s.lost + s.invented > 0) {
        out->verdict = CHECK_VIOLATION;
        collect_evidence(in, &s, out);
        if (!in->no_story) delivery_story(in, &s, out);
    }
    free(s.o);
}

/* The check's entry in the registry (sim/check/check.c). */
const check_desc check_queue_delivery = {
    .name = "delivery",
    .summary = "orders charged twice (messages processed twice), events lost, events invented",
    .run = check_run_delivery,
    .protocols = { "queue-outbox" },
};
