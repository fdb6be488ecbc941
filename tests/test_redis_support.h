/* test_redis_support.h -- what the Redis tests that drive one node with a
 * scripted client share (test_redis.c, test_redis_persist.c): the scenario
 * they run in, built in memory as the loader would give it.
 *
 * The scenario: node 0 `redis1` (role redis), node 1 `client1` (role
 * client), a fixed 1 ms latency, seed 1; the caller names the protocol that
 * runs them and the horizon.  Include after cmocka.h and sim/sim.h.
 */
#ifndef CCSIM_TEST_REDIS_SUPPORT_H
#define CCSIM_TEST_REDIS_SUPPORT_H

#include <stdio.h>
#include <stdlib.h>

#include "sim/sim.h"

static inline scn *redis_test_scn(const char *protocol, sim_time duration_ns) {
    scn *s = calloc(1, sizeof *s);
    assert_non_null(s);
    snprintf(s->path, sizeof s->path, "%s.yaml", protocol);
    snprintf(s->name, sizeof s->name, "%s", protocol);
    snprintf(s->protocol, sizeof s->protocol, "%s", protocol);
    s->seed = 1;
    s->duration_ns = duration_ns;
    s->node_count = 2;
    snprintf(s->nodes[0].name, SIM_NAME_MAX, "redis1");
    snprintf(s->nodes[0].role, SIM_NAME_MAX, "redis");
    snprintf(s->nodes[1].name, SIM_NAME_MAX, "client1");
    snprintf(s->nodes[1].role, SIM_NAME_MAX, "client");
    s->network.has_latency = true;
    s->network.latency = (scn_latency){ SCN_LAT_FIXED, SIM_MS, 0 };
    return s;
}

/* A `params:` entry, as the loader would give it (e.g. redis.persistence). */
static inline void redis_test_param(scn *s, const char *key, const char *value) {
    if (!s->params.items) s->params.items = calloc(SCN_PARAMS_MAX, sizeof(scn_param));
    assert_non_null(s->params.items);
    assert_true(s->params.count < SCN_PARAMS_MAX);
    scn_param *p = &s->params.items[s->params.count++];
    snprintf(p->key, sizeof p->key, "%s", key);
    snprintf(p->value, sizeof p->value, "%s", value);
}

#endif
