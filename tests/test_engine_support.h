/* test_engine_support.h -- a tiny protocol for engine tests: node "a" sends
 * numbered messages to node "b" (one every `every`, `count` of them); "b"
 * records each arrival as a READ effect whose value is the message number,
 * and can arm a wall-clock timer that records a WRITE effect when it fires.
 * Tests build the scenario by hand (no YAML) and read the effects. */
#ifndef TEST_ENGINE_SUPPORT_H
#define TEST_ENGINE_SUPPORT_H

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/env.h"
#include "sim/family.h"
#include "sim/sim.h"

typedef struct ping_cfg { int64_t count; sim_time every, wall_timer, mono_timer; } ping_cfg;

static const param_spec ping_params[] = {
    { "count", PARAM_INT, "1", "messages a sends", offsetof(ping_cfg, count), NULL, 0, 1000000, false },
    { "every", PARAM_DURATION, "0ms", "gap between sends", offsetof(ping_cfg, every), NULL, 0, 0, false },
    { "wall_timer", PARAM_DURATION, "none", "b's wall-clock deadline", offsetof(ping_cfg, wall_timer), NULL, 0, 0, true },
    { "mono_timer", PARAM_DURATION, "none", "b's monotonic delay", offsetof(ping_cfg, mono_timer), NULL, 0, 0, true },
};

typedef struct ping_state { int64_t sent; } ping_state;

static node_id ping_peer(env *e) {
    node_id b;
    return env_nodes_of_role(e, "b", &b, 1) == 1 ? b : -1;
}

static void ping_send_next(ping_state *st, env *e) {
    const ping_cfg *c = env_proto_config(e);
    if (st->sent >= c->count) return;
    int64_t k = st->sent++;
    env_send(e, ping_peer(e), 1, &k, sizeof k);
    if (st->sent < c->count) env_timer(e, c->every, 1, 0);
}

static void ping_init(void *state, env *e) {
    ping_state *st = state;
    const ping_cfg *c = env_proto_config(e);
    if (strcmp(env_node_role(e, env_self(e)), "a") == 0) {
        if (c->every == 0) { while (st->sent < c->count) ping_send_next(st, e); }
        else ping_send_next(st, e);
        return;
    }
    if (c->wall_timer >= 0) env_timer_wall(e, c->wall_timer, 2, 0);
    if (c->mono_timer >= 0) env_timer(e, c->mono_timer, 3, 0);
}

static void ping_timer(void *state, env *e, uint32_t tag, uint64_t arg) {
    (void)arg;
    if (tag == 1) { ping_send_next(state, e); return; }
    hist_effect_fields ef = { .kind = HIST_EFF_WRITE, .client = -1, .op = HIST_NONE, .value = (int64_t)tag };
    env_effect(e, &ef);
}

static void ping_message(void *state, env *e, node_id from, uint32_t type, const void *body, uint32_t len) {
    (void)state; (void)from; (void)type;
    int64_t k = 0;
    if (len == sizeof k) memcpy(&k, body, sizeof k);
    hist_effect_fields ef = { .kind = HIST_EFF_READ, .client = -1, .op = HIST_NONE, .value = k };
    env_effect(e, &ef);
}

static const model_ops ping_model = {
    .name = "ping", .state_size = sizeof(ping_state), .init = ping_init,
    .on_message = ping_message, .on_timer = ping_timer,
};

static const proto_desc ping_proto = {
    .name = "ping", .summary = "engine test protocol",
    .params = ping_params, .param_count = sizeof ping_params / sizeof ping_params[0],
    .cfg_size = sizeof(ping_cfg),
    .roles = { { "a", &ping_model, 1, 1, "sender", NULL }, { "b", &ping_model, 1, 1, "receiver", NULL } },
    .role_count = 2,
};

static scn *ping_scn(sim_time duration) {
    scn *s = calloc(1, sizeof *s);
    snprintf(s->path, sizeof s->path, "test.yaml");
    snprintf(s->name, sizeof s->name, "engine-test");
    snprintf(s->protocol, sizeof s->protocol, "ping");
    s->seed = 1;
    s->duration_ns = duration;
    s->node_count = 2;
    snprintf(s->nodes[0].name, SIM_NAME_MAX, "a1");
    snprintf(s->nodes[0].role, SIM_NAME_MAX, "a");
    snprintf(s->nodes[1].name, SIM_NAME_MAX, "b1");
    snprintf(s->nodes[1].role, SIM_NAME_MAX, "b");
    s->network.has_latency = true;
    s->network.latency = (scn_latency){ SCN_LAT_FIXED, SIM_MS, 0 };
    return s;
}

static void ping_param(scn *s, const char *key, const char *value) {
    if (!s->params.items) s->params.items = calloc(SCN_PARAMS_MAX, sizeof(scn_param));
    scn_param *p = &s->params.items[s->params.count++];
    snprintf(p->key, sizeof p->key, "%s", key);
    snprintf(p->value, sizeof p->value, "%s", value);
}

static scn_fault *ping_fault(scn *s, scn_fault_kind kind, sim_time at, int32_t node) {
    scn_fault *f = &s->faults[s->fault_count++];
    memset(f, 0, sizeof *f);
    f->kind = kind;
    f->at_ns = at;
    f->node = node;
    return f;
}

/* ping_proto with another model for "a" or "b" (NULL: ping's own). */
static inline proto_desc ping_proto_with(const model_ops *a, const model_ops *b) {
    proto_desc p = ping_proto;
    if (a) p.roles[0].model = a;
    if (b) p.roles[1].model = b;
    return p;
}

/* Runs the scenario under proto; returns the sim (caller destroys) or NULL
 * on error. */
static inline sim *ping_run_proto(const scn *s, uint64_t seed, const proto_desc *proto) {
    sim_options opt = { .seed = seed, .seed_set = true, .proto = proto };
    sim *run = NULL;
    char err[512];
    if (sim_create(s, &opt, &run, err, sizeof err) != 0) { fprintf(stderr, "%s\n", err); return NULL; }
    if (sim_run(run, err, sizeof err) != 0) { fprintf(stderr, "%s\n", err); sim_destroy(run); return NULL; }
    return run;
}

/* ... under ping_proto. */
static sim *ping_run(const scn *s, uint64_t seed) { return ping_run_proto(s, seed, &ping_proto); }

/* The true time of the n-th effect of a kind, or -1. */
static sim_time effect_time(const sim *run, hist_eff_kind kind, uint32_t nth) {
    const hist *h = sim_history(run);
    for (uint32_t i = 0; i < h->effect_count; i++)
        if (h->effects[i].kind == kind && nth-- == 0) return h->effects[i].t_ns;
    return -1;
}

static uint32_t effect_count(const sim *run, hist_eff_kind kind) {
    const hist *h = sim_history(run);
    uint32_t n = 0;
    for (uint32_t i = 0; i < h->effect_count; i++) n += h->effects[i].kind == kind;
    return n;
}

#endif
