/* es_family.c -- the event-sourcing family's descriptor: its parameters,
 * roles, messages and history kinds (with the marks a timeline draws: the
 * store's appends and refusals, the projector's applies, checkpoints and
 * restarts, and the views it served, so the picture shows two appends on
 * one version, or the projection's lag behind the store). */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "protocols/eventstore/eventstore.h"
#include "sim/family.h"

#define CFG_AT(field) offsetof(es_cfg, field)

static const param_spec es_params[] = {
    PARAM_ENUM_SPEC("expected-version", "any", "appends carry the version the command loaded (exact) or none (any)",
        CFG_AT(expected), "any|exact"),
    PARAM_ENUM_SPEC("view", "projection", "where the user reads the balance after a command",
        CFG_AT(view), "projection|wait-for-position|aggregate"),
    PARAM_ENUM_SPEC("checkpoint", "atomic", "the projector saves its checkpoint with the apply or after it",
        CFG_AT(checkpoint), "separate|atomic"),
    PARAM_INT_SPEC("accounts", "1", "accounts (streams) in the store", CFG_AT(accounts), 1, ES_STREAMS_MAX),
    PARAM_INT_SPEC("opening-balance", "100", "each account's opening deposit (its event 1)",
        CFG_AT(opening), 0, 1000000000),
    PARAM_DURATION_SPEC("poll-every", "100ms", "projector: time from one read of the log to the next",
        CFG_AT(poll_ns), SIM_MS, CONFIG_TIME_MAX),
    PARAM_DURATION_SPEC("checkpoint-delay", "100ms", "separate: time from an apply to its checkpoint's save",
        CFG_AT(ckpt_delay_ns), 0, CONFIG_TIME_MAX),
};

static const proto_desc es_proto = {
    .name = "event-sourcing",
    .summary = "an event store of streams with optimistic concurrency, and a projector's read model (CQRS)",
    .params = es_params,
    .param_count = sizeof es_params / sizeof es_params[0],
    .cfg_size = sizeof(es_cfg),
    .roles = {
        { "store", &es_store_ops, 1, 1, "exactly one event store (durable)", NULL },
        { "projector", &es_projector_ops, 1, 1, "exactly one projector with its read model (durable)", NULL },
        { "client", NULL, 0, SIM_NODES_MAX, "clients that run commands and read the balance", NULL },
    },
    .role_count = 3,
    .workloads = { "es-bank", NULL },
    .checks = { "aggregate-invariant", "stale-projection", "double-applied", "liveness", NULL },
};

/* ------------------------------------------------------------ labels */

static void label_append(const hist_effect_fields *e, const char *client, char *buf, size_t len) {
    snprintf(buf, len, "%s v%" PRId64 " %+" PRId64, client, e->version, e->value);
}

static void label_wrong(const hist_effect_fields *e, const char *client, char *buf, size_t len) {
    snprintf(buf, len, "%s expected v%d, is v%" PRId64, client, (int)e->pred - 1, e->version);
}

static void label_project(const hist_effect_fields *e, const char *client, char *buf, size_t len) {
    (void)client;
    snprintf(buf, len, "@%" PRId64 " %+" PRId64, e->aux, e->value);
}

static void label_checkpoint(const hist_effect_fields *e, const char *client, char *buf, size_t len) {
    (void)client;
    snprintf(buf, len, "ckpt %" PRId64, e->value);
}

static void label_view(const hist_effect_fields *e, const char *client, char *buf, size_t len) {
    snprintf(buf, len, "%s sees %" PRId64 " (v%" PRId64 ")", client, e->value, e->version);
}

static void label_resume(const hist_effect_fields *e, const char *client, char *buf, size_t len) {
    (void)client;
    snprintf(buf, len, "resumes at %" PRId64, e->value);
}

static const hist_kind_def es_ops[] = {
    { .kind = ES_F_WITHDRAW, .name = "withdraw", .value = HIST_VALUE_ASKED_GOT, .only_when_used = true },
    { .kind = ES_F_VIEW, .name = "view-balance", .value = HIST_VALUE_READ, .only_when_used = true },
    { .name = NULL },
};

static const hist_kind_def es_effects[] = {
    { .kind = ES_EFF_APPEND, .name = "es-append", .mark = HIST_MARK_DIAMOND, .label = label_append,
      .only_when_used = true },
    { .kind = ES_EFF_WRONG_VERSION, .name = "es-wrong-expected-version", .mark = HIST_MARK_CROSS,
      .mark_rgb = HIST_MARK_GREY, .label = label_wrong, .only_when_used = true },
    { .kind = ES_EFF_STREAM_READ, .name = "es-stream-read", .mark = HIST_MARK_DOT, .mark_rgb = HIST_MARK_LIGHT,
      .only_when_used = true },
    { .kind = ES_EFF_PROJECT, .name = "es-project", .mark = HIST_MARK_SQUARE, .mark_rgb = HIST_MARK_GREY,
      .label = label_project, .only_when_used = true },
    { .kind = ES_EFF_CHECKPOINT, .name = "es-checkpoint", .mark = HIST_MARK_TRI, .mark_rgb = HIST_MARK_GREY,
      .label = label_checkpoint, .only_when_used = true },
    { .kind = ES_EFF_VIEW, .name = "es-view", .mark = HIST_MARK_DOT, .label = label_view,
      .only_when_used = true },
    { .kind = ES_EFF_RESUME, .name = "es-resume", .mark = HIST_MARK_TRI, .mark_rgb = HIST_MARK_GREY,
      .label = label_resume, .only_when_used = true },
    { .name = NULL },
};

/* ------------------------------------------------------------ trace */

static void describe_request(uint32_t type, const es_msg *m, const char *key, char *buf, size_t len) {
    switch (type) {
    case ES_MSG_READ: snprintf(buf, len, "read %s from v%" PRId64, key, m->version + 1); return;
    case ES_MSG_APPEND:
        if (m->expected == ES_ANY) snprintf(buf, len, "append %s %+" PRId64 " (expected: any)", key, m->amount);
        else snprintf(buf, len, "append %s %+" PRId64 " (expected: v%" PRId64 ")", key, m->amount, m->expected);
        return;
    case ES_MSG_READ_ALL: snprintf(buf, len, "read $all from position %" PRId64, m->position + 1); return;
    case ES_MSG_QUERY:
        if (m->position > 0) snprintf(buf, len, "query %s (wait for position %" PRId64 ")", key, m->position);
        else snprintf(buf, len, "query %s", key);
        return;
    default: break;
    }
    SIM_UNREACHABLE("an event-sourcing request");
}

static void describe_reply(uint32_t type, const es_msg *m, char *buf, size_t len) {
    switch (type) {
    case ES_MSG_READ_REPLY:
        snprintf(buf, len, "%u events (stream at v%" PRId64 ")", m->count, m->position);
        return;
    case ES_MSG_APPEND_REPLY:
        if (m->flag == ES_OK)
            snprintf(buf, len, "appended v%" PRId64 " at position %" PRId64, m->version, m->position);
        else if (m->flag == ES_WRONG_VERSION)
            snprintf(buf, len, "wrong expected version (stream at v%" PRId64 ")", m->version);
        else snprintf(buf, len, "stream full");
        return;
    case ES_MSG_READ_ALL_REPLY:
        snprintf(buf, len, "%u events from position %" PRId64 " (log at %" PRId64 ")", m->count,
                 m->position + 1, m->version);
        return;
    case ES_MSG_QUERY_REPLY:
        if (m->flag == ES_OK)
            snprintf(buf, len, "balance %" PRId64 " (v%" PRId64 ", position %" PRId64 ")", m->amount,
                     m->version, m->position);
        else snprintf(buf, len, "not caught up (position %" PRId64 ")", m->position);
        return;
    default: break;
    }
    SIM_UNREACHABLE("an event-sourcing reply");
}

bool es_describe(uint32_t type, const void *body, uint32_t len, char *buf, size_t buf_len) {
    SIM_ASSERT(buf != NULL);
    SIM_ASSERT(buf_len > 0);
    bool request = type == ES_MSG_READ || type == ES_MSG_APPEND || type == ES_MSG_READ_ALL || type == ES_MSG_QUERY;
    bool answer = type == ES_MSG_READ_REPLY || type == ES_MSG_APPEND_REPLY || type == ES_MSG_READ_ALL_REPLY ||
                  type == ES_MSG_QUERY_REPLY;
    if ((!request && !answer) || len != sizeof(es_msg)) return false;
    es_msg m;
    memcpy(&m, body, sizeof m);
    char key[SIM_NAME_MAX];
    es_stream_key(m.stream, key, sizeof key);
    if (request) describe_request(type, &m, key, buf, buf_len);
    else describe_reply(type, &m, buf, buf_len);
    return true;
}

static const proto_desc *const es_protocols[] = { &es_proto, NULL };

const family_desc es_family = {
    .name = "eventstore",
    .msgs = { { 1800, 1849 } },
    .describe = es_describe,
    .protocols = es_protocols,
    .kinds = { { 1800, 1849 } },
    .ops = es_ops,
    .effects = es_effects,
};
