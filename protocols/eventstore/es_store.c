/* es_store.c -- the event store: one stream per account and the global log.
 *
 *   READ(stream, after v)    [on_read]-->   up to ES_PAGE events after v
 *   APPEND(stream, E, amt)   [on_append]--> E == ES_ANY or E == version:
 *                                           event version+1 at position+1 (APPEND)
 *                                           else refused (WRONG_VERSION, actual version)
 *   READ_ALL(after p)        [on_read_all]--> up to ES_PAGE events after position p
 *   crash / power loss [store_on_crash]--> keeps every event (each append is
 *   forced to disk before its answer, so the two are the same here)
 *
 * Invariant (store_invariants_ok): the log holds exactly the streams'
 * events, in order: log entry p-1 is event ev_version of stream ev_stream,
 * and each stream's count is the number of log entries naming it.
 * Trade-off: no latency of its own and no batching: an append is durable
 * at the instant it is accepted, which is what the race needs.
 */
#include "protocols/eventstore/eventstore.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct es_stream {
    uint32_t count;                  /* its version: events 1 .. count */
    int32_t amt[ES_EVENTS_MAX];
} es_stream;

typedef struct es_store {
    const es_cfg *cfg;
    es_stream stream[ES_STREAMS_MAX];
    uint32_t log_count;              /* the last position */
    uint8_t log_stream[ES_LOG_MAX];
    uint8_t log_version[ES_LOG_MAX];
} es_store;

static bool store_invariants_ok(const es_store *st) {
    if (st->cfg == NULL || st->log_count > ES_LOG_MAX) return false;
    uint32_t seen[ES_STREAMS_MAX] = { 0 };
    for (uint32_t p = 0; p < st->log_count; p++) {
        uint32_t s = st->log_stream[p];
        if (s >= ES_STREAMS_MAX || st->log_version[p] != ++seen[s]) return false;
    }
    for (uint32_t s = 0; s < ES_STREAMS_MAX; s++)
        if (seen[s] != st->stream[s].count) return false;
    return true;
}

void es_stream_key(uint32_t stream, char *buf, size_t len) { snprintf(buf, len, "account%u", stream + 1); }

int es_stream_of(const char *key) {
    if (key == NULL || strncmp(key, "account", 7) != 0) return -1;
    int n = atoi(key + 7);
    return n >= 1 && n <= ES_STREAMS_MAX ? n - 1 : -1;
}

static void store_effect(env *e, hist_eff_kind kind, node_id client, const es_msg *q, int64_t value,
                         int64_t version, int64_t aux) {
    hist_effect_fields ef;
    memset(&ef, 0, sizeof ef);
    ef.kind = kind;
    ef.client = client;
    ef.op = q->op;
    ef.value = value;
    ef.version = version;
    ef.aux = aux;
    ef.pred = (uint16_t)(q->expected == ES_ANY ? 0 : q->expected + 1);
    char key[SIM_NAME_MAX];
    es_stream_key(q->stream, key, sizeof key);
    ef.key = key;
    env_effect(e, &ef);
}

/* Appends amt to stream s: returns its position. */
static uint32_t append(es_store *st, uint32_t s, int32_t amt) {
    es_stream *x = &st->stream[s];
    SIM_ASSERT(x->count < ES_EVENTS_MAX && st->log_count < ES_LOG_MAX);
    x->amt[x->count++] = amt;
    st->log_stream[st->log_count] = (uint8_t)s;
    st->log_version[st->log_count] = (uint8_t)x->count;
    return ++st->log_count;
}

static void store_init(void *state, env *e) {
    es_store *st = state;
    memset(st, 0, sizeof *st);
    st->cfg = env_proto_config(e);
    SIM_ASSERT(st->cfg != NULL && st->cfg->accounts >= 1 && st->cfg->accounts <= ES_STREAMS_MAX);
    for (uint32_t s = 0; s < (uint32_t)st->cfg->accounts; s++) {
        uint32_t pos = append(st, s, (int32_t)st->cfg->opening);
        es_msg q = { .op = HIST_NONE, .stream = s, .expected = 0 };
        store_effect(e, ES_EFF_APPEND, -1, &q, st->cfg->opening, 1, pos);
    }
    SIM_ASSERT(store_invariants_ok(st));
}

static int64_t balance(const es_stream *x) {
    int64_t b = 0;
    for (uint32_t i = 0; i < x->count; i++) b += x->amt[i];
    return b;
}

static void on_read(es_store *st, env *e, node_id from, const es_msg *q) {
    const es_stream *x = &st->stream[q->stream];
    es_msg p = *q;
    uint32_t after = q->version < 0 ? 0 : (uint32_t)q->version;
    p.count = 0;
    for (uint32_t v = after; v < x->count && p.count < ES_PAGE; v++) p.amt[p.count++] = x->amt[v];
    p.position = x->count;
    p.flag = ES_OK;
    if (after + p.count >= x->count) store_effect(e, ES_EFF_STREAM_READ, from, q, balance(x), x->count, 0);
    env_send(e, from, ES_MSG_READ_REPLY, &p, sizeof p);
}

static void on_append(es_store *st, env *e, node_id from, const es_msg *q) {
    es_stream *x = &st->stream[q->stream];
    es_msg p = *q;
    if (q->expected != ES_ANY && q->expected != (int64_t)x->count) {
        p.flag = ES_WRONG_VERSION;
        p.version = x->count;
        store_effect(e, ES_EFF_WRONG_VERSION, from, q, q->amount, x->count, 0);
    } else if (x->count >= ES_EVENTS_MAX || q->amount < INT32_MIN || q->amount > INT32_MAX) {
        p.flag = ES_STREAM_FULL;
        p.version = x->count;
    } else {
        p.position = append(st, q->stream, (int32_t)q->amount);
        p.version = x->count;
        p.flag = ES_OK;
        store_effect(e, ES_EFF_APPEND, from, q, q->amount, p.version, p.position);
    }
    env_send(e, from, ES_MSG_APPEND_REPLY, &p, sizeof p);
}

static void on_read_all(es_store *st, env *e, node_id from, const es_msg *q) {
    es_msg p = *q;
    uint32_t after = q->position < 0 ? 0 : (uint32_t)q->position;
    p.count = 0;
    for (uint32_t i = after; i < st->log_count && p.count < ES_PAGE; i++, p.count++) {
        uint32_t s = st->log_stream[i], v = st->log_version[i];
        p.amt[p.count] = st->stream[s].amt[v - 1];
        p.ev_stream[p.count] = (uint8_t)s;
        p.ev_version[p.count] = (uint8_t)v;
    }
    p.version = st->log_count;
    p.flag = ES_OK;
    env_send(e, from, ES_MSG_READ_ALL_REPLY, &p, sizeof p);
}

static void store_on_message(void *state, env *e, node_id from, uint32_t type, const void *body, uint32_t len) {
    es_store *st = state;
    SIM_ASSERT(store_invariants_ok(st));
    es_msg q;
    if (len != sizeof q) { env_trace(e, "store: ignored type %u", type); return; }
    memcpy(&q, body, sizeof q);
    if (q.stream >= (uint32_t)st->cfg->accounts) { env_trace(e, "store: ignored stream %u", q.stream); return; }
    switch (type) {
    case ES_MSG_READ: on_read(st, e, from, &q); break;
    case ES_MSG_APPEND: on_append(st, e, from, &q); break;
    case ES_MSG_READ_ALL: on_read_all(st, e, from, &q); break;
    default: env_trace(e, "store: ignored type %u", type); break;
    }
    SIM_ASSERT(store_invariants_ok(st));
}

/* Durable: an append is on disk before its answer, so a crash and a power
 * loss both keep every acknowledged event (and none was unacknowledged). */
static void store_on_crash(void *state, env *e) {
    es_store *st = state;
    SIM_ASSERT(store_invariants_ok(st));
    env_trace(e, "store %s; its %u events are on disk", env_crash_is_power_loss(e) ? "lost power" : "crashed",
              st->log_count);
}

static void store_on_restart(void *state, env *e) {
    es_store *st = state;
    SIM_ASSERT(store_invariants_ok(st));
    env_trace(e, "store restarted with its %u events", st->log_count);
}

const model_ops es_store_ops = {
    .name = "event-store", .state_size = sizeof(es_store), .init = store_init,
    .on_message = store_on_message, .on_timer = NULL, .on_crash = store_on_crash,
    .on_restart = store_on_restart,
};
