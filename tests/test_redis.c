/* test_redis.c -- the Redis node model, driven by a scripted client.
 *
 * A test protocol has one `redis` node (the real model) and one `client`
 * whose script sends one command per step at a given time.  Each step is an
 * op in the history: invoked when sent, completed when the reply arrives,
 * with the reply's trace line as its note and its integer (or fencing token)
 * as value_out; the reply's full text is kept in g_reply (trace lines are
 * shortened).  Tests read those ops and the lock effects the node records.
 * Latency is 1 ms, so a command sent at t is applied at t+1. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "protocols/lock/lock_api.h"
#include "protocols/redis/redis.h"
#include "sim/family.h"
#include "sim/sim.h"
#include "tests/test_redis_support.h"

#define STEPS_MAX 80

typedef struct step {
    int64_t at_ms;
    redis_cmd_kind kind;
    const char *key, *val;
    uint8_t flags;
    int64_t ms;                   /* WAIT: the timeout (numreplicas is 1) */
    int64_t extra_ns;             /* sent at at_ms + extra_ns */
    bool to_replica;              /* sent to the replica instead of the master */
} step;

typedef struct script { const step *steps; uint32_t count; uint32_t fill; } script;

/* The script the client runs.  A test-only global: the test sets it before
 * sim_run and the client model reads it (the param table has no pointers). */
static const script *g_script;
/* The text of each step's reply (the value or the error), by step. */
static char g_reply[STEPS_MAX][REDIS_ERR_MAX];

typedef struct rt_cfg { int64_t script; redis_cfg redis; } rt_cfg;
typedef struct rt_client { uint32_t ops[STEPS_MAX]; uint32_t count; } rt_client;

static const param_spec rt_params[] = {
    { "script", PARAM_INT, "0", "unused", offsetof(rt_cfg, script), NULL, 0, 0, false },
    REDIS_PARAM_SPECS(offsetof(rt_cfg, redis)),
};

static uint32_t step_count(void) { return g_script->fill ? g_script->fill : g_script->count; }

static void rt_build(uint32_t i, redis_cmd *c) {
    char key[16];
    if (g_script->fill) {
        snprintf(key, sizeof key, "k%u", i);
        redis_cmd_init(c, i + 1, REDIS_SET, key, "v");
        return;
    }
    const step *s = &g_script->steps[i];
    redis_cmd_init(c, i + 1, s->kind, s->key, s->val);
    c->flags = s->flags;
    c->ms = s->ms;
    if (s->kind == REDIS_WAIT) c->count = 1;
    if (s->flags & REDIS_F_FENCE) {
        c->first_token = 33;
        memcpy(c->fence_key, "fence", 6);
    }
}

static void rt_init(void *state, env *e) {
    (void)state;
    if (strcmp(env_node_role(e, env_self(e)), "client") != 0) return;
    for (uint32_t i = 0; i < step_count(); i++) {
        const step *s = g_script->fill ? NULL : &g_script->steps[i];
        env_timer(e, s ? s->at_ms * SIM_MS + s->extra_ns : 0, i, 0);
    }
}

static void rt_timer(void *state, env *e, uint32_t tag, uint64_t arg) {
    rt_client *st = state;
    (void)arg;
    redis_cmd c;
    rt_build(tag, &c);
    hist_op_fields f;
    memset(&f, 0, sizeof f);
    f.value_in = tag;
    st->ops[tag] = env_op_invoke(e, HIST_F_CAS, &f);
    node_id r;
    bool to_replica = !g_script->fill && g_script->steps[tag].to_replica;
    assert_int_equal(env_nodes_of_role(e, to_replica ? "replica" : "redis", &r, 1), 1);
    env_send(e, r, REDIS_MSG_CMD, &c, sizeof c);
}

static void rt_message(void *state, env *e, node_id from, uint32_t type, const void *body,
                       uint32_t len) {
    rt_client *st = state;
    (void)from;
    assert_int_equal(type, REDIS_MSG_REPLY);
    assert_int_equal(len, sizeof(redis_reply));
    redis_reply p;
    memcpy(&p, body, sizeof p);
    assert_true(p.req >= 1 && p.req <= STEPS_MAX);
    memcpy(g_reply[p.req - 1], p.str, sizeof p.str);
    hist_op_fields f;
    memset(&f, 0, sizeof f);
    f.has_value_out = true;
    f.value_out = p.token ? p.token : p.integer;
    char line[160];
    assert_true(redis_describe(type, body, len, line, sizeof line));
    f.note = line;
    env_op_complete(e, st->ops[p.req - 1], p.kind == REDIS_R_ERR ? HIST_FAIL : HIST_OK, &f);
}

static const model_ops rt_client_model = {
    .name = "redis-test-client", .state_size = sizeof(rt_client), .init = rt_init,
    .on_timer = rt_timer, .on_message = rt_message,
};

static const void *rt_redis_cfg(const void *cfg) { return &((const rt_cfg *)cfg)->redis; }

static const proto_desc rt_proto = {
    .name = "redis-test", .summary = "a scripted client against one redis node",
    .params = rt_params, .param_count = sizeof rt_params / sizeof rt_params[0],
    .cfg_size = sizeof(rt_cfg),
    .roles = { { "redis", &redis_model_ops, 1, 1, "the node", rt_redis_cfg },
               { "client", &rt_client_model, 1, 1, "the script", NULL },
               { "replica", &redis_model_ops, 0, 1, "its replica", rt_redis_cfg } },
    .role_count = 3,
};

static scn *rt_scn(void) { return redis_test_scn("redis-test", 10 * SIM_S); }

/* A `params:` entry, as the loader would give it (e.g. redis.persistence). */
static void rt_param(scn *s, const char *key, const char *value) { redis_test_param(s, key, value); }

/* Adds the replica node (index 2). */
static void rt_add_replica(scn *s) {
    snprintf(s->nodes[2].name, SIM_NAME_MAX, "replica1");
    snprintf(s->nodes[2].role, SIM_NAME_MAX, "replica");
    s->node_count = 3;
}

static scn_fault *rt_fault(scn *s, scn_fault_kind kind, sim_time at) {
    scn_fault *f = &s->faults[s->fault_count++];
    memset(f, 0, sizeof *f);
    f->kind = kind;
    f->at_ns = at;
    f->node = 0;
    return f;
}

static sim *rt_run(const scn *s, const script *sc) {
    g_script = sc;
    memset(g_reply, 0, sizeof g_reply);
    sim_options opt = { .proto = &rt_proto };
    sim *run = NULL;
    char err[512];
    if (sim_create(s, &opt, &run, err, sizeof err) != 0) fail_msg("%s", err);
    if (sim_run(run, err, sizeof err) != 0) fail_msg("%s", err);
    return run;
}

#define SCRIPT(arr) (&(script){ (arr), sizeof(arr) / sizeof((arr)[0]), 0 })

static const hist_op *step_op(const sim *run, uint32_t i) {
    const hist *h = sim_history(run);
    for (uint32_t k = 0; k < h->op_count; k++)
        if (h->ops[k].value_in == (int64_t)i) return &h->ops[k];
    fail_msg("no op for step %u", i);
    return NULL;
}

static const hist_effect *effect_n(const sim *run, hist_eff_kind kind, uint32_t nth) {
    const hist *h = sim_history(run);
    for (uint32_t i = 0; i < h->effect_count; i++)
        if (h->effects[i].kind == kind && nth-- == 0) return &h->effects[i];
    return NULL;
}

static void done(sim *run, scn *s) { sim_destroy(run); free(s->params.items); free(s); }

/* ------------------------------------------------------------ expiry */

/* Redis: when = mstime() + PX in whole ms, and the key is there while
 * mstime() <= when.  Set at exactly 1 ms with PX 100: when = 101 ms, so the
 * key is absent from 102 ms on (not from 101 ms). */
static void key_with_px_is_there_through_its_last_millisecond_and_gone_from_the_next(
    void **state) {
    (void)state;
    static const step st[] = {
        { 0, REDIS_SET, "k", "a", REDIS_F_NX | REDIS_F_PX, 100, 0, false },   /* applied 1 */
        { 99, REDIS_GET, "k", NULL, 0, 0, 0, false },                        /* applied 100 */
        { 100, REDIS_GET, "k", NULL, 0, 0, SIM_MS - 1, false },              /* 101.999999 */
        { 101, REDIS_GET, "k", NULL, 0, 0, 0, false },                       /* applied 102 */
    };
    scn *s = rt_scn();
    sim *run = rt_run(s, SCRIPT(st));
    assert_string_equal(step_op(run, 0)->note, "SET: OK");
    assert_string_equal(step_op(run, 1)->note, "GET: \"a\"");
    assert_string_equal(step_op(run, 2)->note, "GET: \"a\"");
    assert_string_equal(step_op(run, 3)->note, "GET: (nil)");
    const hist_effect *set = effect_n(run, HIST_EFF_LOCK_SET, 0);
    assert_int_equal(set->value, 102 * SIM_MS);         /* the first instant it is absent */
    assert_int_equal(set->client, 1);
    const hist_effect *exp = effect_n(run, HIST_EFF_LOCK_EXPIRE, 0);
    assert_non_null(exp);
    assert_int_equal(exp->t_ns, 102 * SIM_MS);
    assert_string_equal(exp->key, "k");
    done(run, s);
}

/* mstime() is whole milliseconds: a key set at 1.7 ms with PX 100 has
 * when = 1 + 100, and is gone from 102 ms, not from 102.7 ms. */
static void a_sub_millisecond_set_time_is_truncated_to_its_millisecond(void **state) {
    (void)state;
    static const step st[] = {
        { 0, REDIS_SET, "k", "a", REDIS_F_PX, 100, 700 * SIM_US, false },    /* applied 1.7 */
        { 100, REDIS_GET, "k", NULL, 0, 0, SIM_MS - 1, false },              /* 101.999999 */
        { 101, REDIS_GET, "k", NULL, 0, 0, 0, false },                       /* applied 102 */
    };
    scn *s = rt_scn();
    sim *run = rt_run(s, SCRIPT(st));
    assert_string_equal(step_op(run, 1)->note, "GET: \"a\"");
    assert_string_equal(step_op(run, 2)->note, "GET: (nil)");
    assert_int_equal(effect_n(run, HIST_EFF_LOCK_SET, 0)->value, 102 * SIM_MS);
    assert_int_equal(effect_n(run, HIST_EFF_LOCK_EXPIRE, 0)->t_ns, 102 * SIM_MS);
    done(run, s);
}

/* A wall clock jumped back reads negative; whole milliseconds round down
 * (-4 999.5 ms is in millisecond -5 000), as mstime() does for any clock
 * after 1970.  Local = true - 5 000.5 ms: the SET applied at true 1 ms reads
 * -4 999.5, when = -5 000 + 100 = -4 900, absent from local -4 899 ms =
 * true 101.5 ms (rounding toward zero would say 102.5 ms). */
static void a_negative_wall_clock_reading_is_rounded_down_to_its_millisecond(void **state) {
    (void)state;
    static const step st[] = {
        { 0, REDIS_SET, "k", "a", REDIS_F_PX, 100, 0, false },               /* applied 1 */
        { 100, REDIS_GET, "k", NULL, 0, 0, 500 * SIM_US - 1, false },        /* 101.499999 */
        { 100, REDIS_GET, "k", NULL, 0, 0, 500 * SIM_US, false },            /* 101.5 */
    };
    scn *s = rt_scn();
    s->clocks[0] = (scn_clock){ .offset_ns = -5000 * SIM_MS - 500 * SIM_US, .rate_ppm = 1000000,
                                .set = true };
    sim *run = rt_run(s, SCRIPT(st));
    assert_string_equal(step_op(run, 1)->note, "GET: \"a\"");
    assert_string_equal(step_op(run, 2)->note, "GET: (nil)");
    assert_int_equal(effect_n(run, HIST_EFF_LOCK_SET, 0)->value, -4899 * SIM_MS);
    const hist_effect *exp = effect_n(run, HIST_EFF_LOCK_EXPIRE, 0);
    assert_non_null(exp);
    assert_int_equal(exp->t_ns, 101 * SIM_MS + 500 * SIM_US);
    assert_int_equal(hist_effect_local_ns(sim_history(run), exp), -4899 * SIM_MS);
    done(run, s);
}

static void expiry_follows_the_nodes_wall_clock_and_its_jumps(void **state) {
    (void)state;
    static const step st[] = {
        { 0, REDIS_SET, "lock", "c1:1", REDIS_F_NX | REDIS_F_PX, 10000, 0, false },
        { 2000, REDIS_SET, "lock", "c2:1", REDIS_F_NX | REDIS_F_PX, 10000, 0, false },
    };
    scn *s = rt_scn();
    s->clocks[0] = (scn_clock){ .offset_ns = 5 * SIM_S, .rate_ppm = 1000000, .set = true };
    rt_fault(s, SCN_FAULT_CLOCK_JUMP, SIM_S)->jump_ns = 20 * SIM_S;
    sim *run = rt_run(s, SCRIPT(st));
    const hist_effect *set = effect_n(run, HIST_EFF_LOCK_SET, 0);
    assert_int_equal(set->value, 15002 * SIM_MS);              /* local 5 001 + 10 000, + 1 */
    const hist_effect *exp = effect_n(run, HIST_EFF_LOCK_EXPIRE, 0);
    assert_non_null(exp);
    assert_int_equal(exp->t_ns, SIM_S);                         /* at the jump */
    assert_int_equal(hist_effect_local_ns(sim_history(run), exp), 26 * SIM_S);
    assert_string_equal(step_op(run, 1)->note, "SET: OK");      /* the key was gone */
    done(run, s);
}

static void key_without_ttl_never_expires(void **state) {
    (void)state;
    static const step st[] = {
        { 0, REDIS_SETNX, "k", "a", 0, 0, 0, false },
        { 9000, REDIS_GET, "k", NULL, 0, 0, 0, false },
    };
    scn *s = rt_scn();
    sim *run = rt_run(s, SCRIPT(st));
    assert_string_equal(step_op(run, 0)->note, "SETNX: (integer) 1");
    assert_int_equal(effect_n(run, HIST_EFF_LOCK_SET, 0)->value, -1);
    assert_string_equal(step_op(run, 1)->note, "GET: \"a\"");
    assert_null(effect_n(run, HIST_EFF_LOCK_EXPIRE, 0));
    done(run, s);
}

/* ------------------------------------------------------------ SET family */

static void set_nx_refuses_a_present_key_and_setnx_answers_zero(void **state) {
    (void)state;
    static const step st[] = {
        { 0, REDIS_SET, "k", "a", REDIS_F_NX, 0, 0, false },
        { 5, REDIS_SET, "k", "b", REDIS_F_NX, 0, 0, false },
        { 10, REDIS_SETNX, "k", "c", 0, 0, 0, false },
        { 15, REDIS_GET, "k", NULL, 0, 0, 0, false },
    };
    scn *s = rt_scn();
    sim *run = rt_run(s, SCRIPT(st));
    assert_string_equal(step_op(run, 1)->note, "SET: (nil)");
    assert_string_equal(step_op(run, 2)->note, "SETNX: (integer) 0");
    assert_string_equal(step_op(run, 3)->note, "GET: \"a\"");
    assert_null(effect_n(run, HIST_EFF_LOCK_SET, 1));
    done(run, s);
}

static void set_without_px_clears_an_earlier_ttl(void **state) {
    (void)state;
    static const step st[] = {
        { 0, REDIS_SET, "k", "a", REDIS_F_PX, 100, 0, false },
        { 10, REDIS_SET, "k", "b", 0, 0, 0, false },
        { 500, REDIS_GET, "k", NULL, 0, 0, 0, false },
    };
    scn *s = rt_scn();
    sim *run = rt_run(s, SCRIPT(st));
    assert_string_equal(step_op(run, 2)->note, "GET: \"b\"");
    assert_null(effect_n(run, HIST_EFF_LOCK_EXPIRE, 0));
    assert_int_equal(effect_n(run, HIST_EFF_LOCK_SET, 1)->value, -1);
    done(run, s);
}

static void pexpire_gives_a_key_a_ttl_and_answers_zero_for_a_missing_key(void **state) {
    (void)state;
    static const step st[] = {
        { 0, REDIS_SETNX, "k", "a", 0, 0, 0, false },
        { 5, REDIS_PEXPIRE, "k", NULL, 0, 50, 0, false },     /* applied 6: when 56, gone from 57 */
        { 5, REDIS_PEXPIRE, "m", NULL, 0, 50, 0, false },
    };
    scn *s = rt_scn();
    sim *run = rt_run(s, SCRIPT(st));
    assert_string_equal(step_op(run, 1)->note, "PEXPIRE: (integer) 1");
    assert_string_equal(step_op(run, 2)->note, "PEXPIRE: (integer) 0");
    assert_int_equal(effect_n(run, HIST_EFF_LOCK_EXTEND, 0)->value, 57 * SIM_MS);
    assert_int_equal(effect_n(run, HIST_EFF_LOCK_EXPIRE, 0)->t_ns, 57 * SIM_MS);
    done(run, s);
}

/* PEXPIRE with a time in the past (0 or negative): Redis deletes the key at
 * once and answers 1 (0 for a missing key); a deletion by the command. */
static void pexpire_with_zero_or_a_negative_ttl_deletes_the_key_and_answers_one(void **state) {
    (void)state;
    static const step st[] = {
        { 0, REDIS_SETNX, "k", "a", 0, 0, 0, false },
        { 0, REDIS_SET, "m", "b", REDIS_F_PX, 10000, 0, false },
        { 5, REDIS_PEXPIRE, "k", NULL, 0, 0, 0, false },          /* applied 6 */
        { 5, REDIS_PEXPIRE, "m", NULL, 0, -3, 0, false },
        { 10, REDIS_GET, "k", NULL, 0, 0, 0, false },
        { 10, REDIS_GET, "m", NULL, 0, 0, 0, false },
        { 10, REDIS_PEXPIRE, "k", NULL, 0, 0, 0, false },         /* gone: 0 */
    };
    scn *s = rt_scn();
    sim *run = rt_run(s, SCRIPT(st));
    assert_string_equal(step_op(run, 2)->note, "PEXPIRE: (integer) 1");
    assert_int_equal(step_op(run, 2)->result, HIST_OK);
    assert_string_equal(step_op(run, 3)->note, "PEXPIRE: (integer) 1");
    assert_string_equal(step_op(run, 4)->note, "GET: (nil)");
    assert_string_equal(step_op(run, 5)->note, "GET: (nil)");
    assert_string_equal(step_op(run, 6)->note, "PEXPIRE: (integer) 0");
    const hist_effect *del = effect_n(run, HIST_EFF_LOCK_DEL, 0);
    assert_non_null(del);
    assert_int_equal(del->t_ns, 6 * SIM_MS);
    assert_string_equal(del->key, "k");
    assert_string_equal(effect_n(run, HIST_EFF_LOCK_DEL, 1)->key, "m");
    assert_null(effect_n(run, HIST_EFF_LOCK_EXPIRE, 0));    /* m's timer went with it */
    done(run, s);
}

/* SET ... PX 0 (or negative) is refused before anything is looked at:
 * Redis's exact error, the old value and its lack of TTL kept. */
static void set_px_zero_or_negative_is_an_error_and_changes_nothing(void **state) {
    (void)state;
    static const step st[] = {
        { 0, REDIS_SET, "k", "a", 0, 0, 0, false },
        { 5, REDIS_SET, "k", "b", REDIS_F_PX, 0, 0, false },
        { 5, REDIS_SET, "k", "c", REDIS_F_NX | REDIS_F_PX, -1, 0, false },
        { 5, REDIS_SET, "m", "d", REDIS_F_NX | REDIS_F_PX, 0, 0, false },
        { 10, REDIS_GET, "k", NULL, 0, 0, 0, false },
        { 10, REDIS_GET, "m", NULL, 0, 0, 0, false },
    };
    scn *s = rt_scn();
    sim *run = rt_run(s, SCRIPT(st));
    for (uint32_t i = 1; i <= 3; i++) {
        assert_int_equal(step_op(run, i)->result, HIST_FAIL);
        assert_string_equal(g_reply[i], "ERR invalid expire time in 'set' command");
    }
    assert_string_equal(step_op(run, 4)->note, "GET: \"a\"");
    assert_string_equal(step_op(run, 5)->note, "GET: (nil)");
    assert_null(effect_n(run, HIST_EFF_LOCK_SET, 1));          /* only the first SET */
    assert_null(effect_n(run, HIST_EFF_LOCK_EXPIRE, 0));
    assert_null(effect_n(run, HIST_EFF_LOCK_DEL, 0));
    done(run, s);
}

/* Redis refuses a TTL whose when = mstime() + ms would overflow ("invalid
 * expire time"); a TTL Redis accepts but past sim_time's range (292 years)
 * is kept as a TTL that never comes due in a run. */
static void an_overflowing_ttl_is_an_error_and_a_huge_one_never_comes_due(void **state) {
    (void)state;
    static const step st[] = {
        { 0, REDIS_SETNX, "k", "a", 0, 0, 0, false },
        { 5, REDIS_PEXPIRE, "k", NULL, 0, INT64_MAX, 0, false },
        { 5, REDIS_SET, "m", "b", REDIS_F_PX, INT64_MAX, 0, false },
        { 10, REDIS_PEXPIRE, "k", NULL, 0, INT64_MAX / 2, 0, false },
        { 15, REDIS_GET, "k", NULL, 0, 0, 0, false },
        { 15, REDIS_GET, "m", NULL, 0, 0, 0, false },
    };
    scn *s = rt_scn();
    sim *run = rt_run(s, SCRIPT(st));
    assert_string_equal(g_reply[1], "ERR invalid expire time in 'pexpire' command");
    assert_string_equal(g_reply[2], "ERR invalid expire time in 'set' command");
    assert_string_equal(step_op(run, 3)->note, "PEXPIRE: (integer) 1");
    assert_string_equal(step_op(run, 4)->note, "GET: \"a\"");
    assert_string_equal(step_op(run, 5)->note, "GET: (nil)");
    const hist_effect *ext = effect_n(run, HIST_EFF_LOCK_EXTEND, 0);
    assert_non_null(ext);
    assert_int_equal(ext->value, (SIM_TIME_NEVER / SIM_MS - 1) * SIM_MS);
    assert_null(effect_n(run, HIST_EFF_LOCK_EXTEND, 1));
    done(run, s);
}

/* ------------------------------------------------------------ scripts */

static void compare_and_delete_deletes_only_the_matching_value(void **state) {
    (void)state;
    static const step st[] = {
        { 0, REDIS_SET, "k", "a", REDIS_F_NX, 0, 0, false },
        { 5, REDIS_CAD, "k", "b", 0, 0, 0, false },
        { 10, REDIS_CAD, "k", "a", 0, 0, 0, false },
        { 15, REDIS_DEL, "k", NULL, 0, 0, 0, false },
    };
    scn *s = rt_scn();
    sim *run = rt_run(s, SCRIPT(st));
    assert_string_equal(step_op(run, 1)->note, "EVAL cad: (integer) 0");
    assert_string_equal(step_op(run, 2)->note, "EVAL cad: (integer) 1");
    assert_string_equal(step_op(run, 3)->note, "DEL: (integer) 0");
    const hist_effect *del = effect_n(run, HIST_EFF_LOCK_DEL, 0);
    assert_int_equal(del->t_ns, 11 * SIM_MS);
    assert_null(effect_n(run, HIST_EFF_LOCK_DEL, 1));
    done(run, s);
}

static void compare_and_extend_moves_the_expiry_only_for_the_matching_value(void **state) {
    (void)state;
    static const step st[] = {
        { 0, REDIS_SET, "k", "a", REDIS_F_NX | REDIS_F_PX, 100, 0, false },   /* gone from 102 */
        { 10, REDIS_CAE, "k", "b", 0, 1000, 0, false },
        { 20, REDIS_CAE, "k", "a", 0, 1000, 0, false },            /* applied 21: gone from 1 022 */
        { 200, REDIS_GET, "k", NULL, 0, 0, 0, false },
    };
    scn *s = rt_scn();
    sim *run = rt_run(s, SCRIPT(st));
    assert_string_equal(step_op(run, 1)->note, "EVAL extend: (integer) 0");
    assert_string_equal(step_op(run, 2)->note, "EVAL extend: (integer) 1");
    assert_string_equal(step_op(run, 3)->note, "GET: \"a\"");
    assert_int_equal(effect_n(run, HIST_EFF_LOCK_EXTEND, 0)->value, 1022 * SIM_MS);
    assert_null(effect_n(run, HIST_EFF_LOCK_EXTEND, 1));
    assert_int_equal(effect_n(run, HIST_EFF_LOCK_EXPIRE, 0)->t_ns, 1022 * SIM_MS);
    done(run, s);
}

/* The extend script's PEXPIRE with 0 ms deletes a matching key (answer 1). */
static void compare_and_extend_with_zero_ttl_deletes_the_matching_key(void **state) {
    (void)state;
    static const step st[] = {
        { 0, REDIS_SET, "k", "a", REDIS_F_PX, 10000, 0, false },
        { 5, REDIS_CAE, "k", "b", 0, 0, 0, false },
        { 10, REDIS_CAE, "k", "a", 0, 0, 0, false },
        { 15, REDIS_GET, "k", NULL, 0, 0, 0, false },
    };
    scn *s = rt_scn();
    sim *run = rt_run(s, SCRIPT(st));
    assert_string_equal(step_op(run, 1)->note, "EVAL extend: (integer) 0");
    assert_string_equal(step_op(run, 2)->note, "EVAL extend: (integer) 1");
    assert_string_equal(step_op(run, 3)->note, "GET: (nil)");
    assert_int_equal(effect_n(run, HIST_EFF_LOCK_DEL, 0)->t_ns, 11 * SIM_MS);
    assert_null(effect_n(run, HIST_EFF_LOCK_EXTEND, 0));
    done(run, s);
}

static void incr_counts_from_zero_and_refuses_a_lock_value(void **state) {
    (void)state;
    static const step st[] = {
        { 0, REDIS_INCR, "n", NULL, 0, 0, 0, false },
        { 5, REDIS_INCR, "n", NULL, 0, 0, 0, false },
        { 10, REDIS_SET, "k", "c1:1", 0, 0, 0, false },
        { 15, REDIS_INCR, "k", NULL, 0, 0, 0, false },
        { 20, REDIS_SET, "z", "007", 0, 0, 0, false },              /* string2ll: no leading zero */
        { 25, REDIS_INCR, "z", NULL, 0, 0, 0, false },
        { 30, REDIS_SET, "x", "9223372036854775807", 0, 0, 0, false },
        { 35, REDIS_INCR, "x", NULL, 0, 0, 0, false },
        { 40, REDIS_SET, "y", "-9223372036854775808", 0, 0, 0, false },
        { 45, REDIS_INCR, "y", NULL, 0, 0, 0, false },
    };
    scn *s = rt_scn();
    sim *run = rt_run(s, SCRIPT(st));
    assert_int_equal(step_op(run, 0)->value_out, 1);
    assert_int_equal(step_op(run, 1)->value_out, 2);
    assert_int_equal(step_op(run, 3)->result, HIST_FAIL);
    assert_string_equal(g_reply[3], "ERR value is not an integer or out of range");
    assert_string_equal(g_reply[5], "ERR value is not an integer or out of range");
    assert_int_equal(step_op(run, 7)->result, HIST_FAIL);
    assert_string_equal(g_reply[7], "ERR increment or decrement would overflow");
    assert_int_equal(step_op(run, 9)->value_out, -9223372036854775807LL);
    assert_string_equal(effect_n(run, HIST_EFF_LOCK_SET, 0)->key, "k");   /* counters are */
    assert_null(effect_n(run, HIST_EFF_LOCK_SET, 4));          /* not locks: k z x y only */
    done(run, s);
}

static void fenced_sets_hand_out_tokens_from_the_first_token_on(void **state) {
    (void)state;
    static const step st[] = {
        { 0, REDIS_SET, "lock", "a", REDIS_F_NX | REDIS_F_FENCE, 0, 0, false },
        { 5, REDIS_SET, "lock", "b", REDIS_F_NX | REDIS_F_FENCE, 0, 0, false }, /* refused */
        { 10, REDIS_DEL, "lock", NULL, 0, 0, 0, false },
        { 15, REDIS_SETNX, "lock", "c", REDIS_F_FENCE, 0, 0, false },
    };
    scn *s = rt_scn();
    sim *run = rt_run(s, SCRIPT(st));
    assert_string_equal(step_op(run, 0)->note, "SET: OK (token 33)");
    assert_string_equal(step_op(run, 1)->note, "SET: (nil)");
    assert_string_equal(step_op(run, 3)->note, "SETNX: (integer) 1 (token 34)");
    assert_int_equal(hist_effect_token(sim_history(run), effect_n(run, HIST_EFF_LOCK_SET, 1)), 34);
    done(run, s);
}

/* ------------------------------------------------------------ limits, crashes */

static void full_keyspace_answers_an_error_and_changes_nothing(void **state) {
    (void)state;
    scn *s = rt_scn();
    sim *run = rt_run(s, &(script){ NULL, 0, REDIS_KEYS_MAX + 1 });
    assert_int_equal(step_op(run, REDIS_KEYS_MAX - 1)->result, HIST_OK);
    const hist_op *last = step_op(run, REDIS_KEYS_MAX);
    assert_int_equal(last->result, HIST_FAIL);
    assert_string_equal(last->note, "SET: (error) ERR keyspace full (64 keys)");
    assert_null(effect_n(run, HIST_EFF_LOCK_SET, REDIS_KEYS_MAX));
    done(run, s);
}

static void crash_without_persistence_loses_every_live_key(void **state) {
    (void)state;
    static const step st[] = {
        { 0, REDIS_SET, "lock", "a", REDIS_F_NX, 0, 0, false },
        { 0, REDIS_SET, "gone", "b", REDIS_F_PX, 5, 0, false },  /* gone from 7, before the crash */
        { 30, REDIS_GET, "lock", NULL, 0, 0, 0, false },
        { 40, REDIS_SET, "lock", "c", REDIS_F_NX, 0, 0, false },
    };
    scn *s = rt_scn();
    rt_fault(s, SCN_FAULT_CRASH, 10 * SIM_MS);
    rt_fault(s, SCN_FAULT_RESTART, 20 * SIM_MS);
    sim *run = rt_run(s, SCRIPT(st));
    const hist_effect *lost = effect_n(run, HIST_EFF_LOCK_LOST, 0);
    assert_non_null(lost);
    assert_int_equal(lost->t_ns, 10 * SIM_MS);
    assert_string_equal(lost->key, "lock");
    assert_null(effect_n(run, HIST_EFF_LOCK_LOST, 1));          /* "gone" had expired */
    assert_string_equal(step_op(run, 2)->note, "GET: (nil)");
    assert_string_equal(step_op(run, 3)->note, "SET: OK");
    done(run, s);
}

/* ------------------------------------------------------------ persistence */

static const step crash_steps[] = {
    { 0, REDIS_SET, "early", "a", REDIS_F_NX | REDIS_F_PX, 100000, 0, false },   /* applied 1 ms */
    { 1200, REDIS_SET, "late", "b", REDIS_F_NX | REDIS_F_PX, 100000, 0, false }, /* at 1.201 s */
    { 1700, REDIS_GET, "early", NULL, 0, 0, 0, false },
    { 1700, REDIS_GET, "late", NULL, 0, 0, 0, false },
};

static void everysec_brings_back_only_what_the_last_whole_second_fsynced(void **state) {
    (void)state;
    scn *s = rt_scn();
    rt_param(s, "redis.persistence", "everysec");
    rt_fault(s, SCN_FAULT_POWER_LOSS, 1500 * SIM_MS);
    rt_fault(s, SCN_FAULT_RESTART, 1600 * SIM_MS);
    sim *run = rt_run(s, SCRIPT(crash_steps));
    assert_string_equal(step_op(run, 2)->note, "GET: \"a\"");    /* fsynced at 1 s */
    assert_string_equal(step_op(run, 3)->note, "GET: (nil)");     /* written after it */
    const hist_effect *lost = effect_n(run, HIST_EFF_LOCK_LOST, 0);
    assert_non_null(lost);
    assert_string_equal(lost->key, "late");
    assert_int_equal(lost->aux, 1);
    assert_null(effect_n(run, HIST_EFF_LOCK_LOST, 1));
    done(run, s);
}

static void always_brings_back_every_acknowledged_write(void **state) {
    (void)state;
    scn *s = rt_scn();
    rt_param(s, "redis.persistence", "always");
    rt_fault(s, SCN_FAULT_CRASH, 1500 * SIM_MS);
    rt_fault(s, SCN_FAULT_RESTART, 1600 * SIM_MS);
    sim *run = rt_run(s, SCRIPT(crash_steps));
    assert_string_equal(step_op(run, 2)->note, "GET: \"a\"");
    assert_string_equal(step_op(run, 3)->note, "GET: \"b\"");
    assert_null(effect_n(run, HIST_EFF_LOCK_LOST, 0));
    done(run, s);
}

static void a_key_that_expired_while_the_node_was_down_is_gone_after_the_restart(void **state) {
    (void)state;
    static const step st[] = {
        { 0, REDIS_SET, "k", "a", REDIS_F_NX | REDIS_F_PX, 1500, 0, false }, /* gone from 1.502 s */
        { 2100, REDIS_GET, "k", NULL, 0, 0, 0, false },
    };
    scn *s = rt_scn();
    rt_param(s, "redis.persistence", "always");
    rt_fault(s, SCN_FAULT_CRASH, 1000 * SIM_MS);
    rt_fault(s, SCN_FAULT_RESTART, 2000 * SIM_MS);
    sim *run = rt_run(s, SCRIPT(st));
    const hist_effect *exp = effect_n(run, HIST_EFF_LOCK_EXPIRE, 0);
    assert_non_null(exp);
    assert_int_equal(exp->t_ns, 2000 * SIM_MS);             /* noticed when it is loaded */
    assert_string_equal(step_op(run, 1)->note, "GET: (nil)");
    done(run, s);
}

static void delayed_restart_answers_nothing_until_the_delay_is_over(void **state) {
    (void)state;
    static const step st[] = {
        { 50, REDIS_GET, "k", NULL, 0, 0, 0, false },                    /* arrives at 51: silent */
        { 150, REDIS_GET, "k", NULL, 0, 0, 0, false },                      /* arrives at 151: up */
    };
    scn *s = rt_scn();
    rt_param(s, "redis.restart_delay", "100ms");
    rt_fault(s, SCN_FAULT_CRASH, 10 * SIM_MS);
    rt_fault(s, SCN_FAULT_RESTART, 20 * SIM_MS);
    sim *run = rt_run(s, SCRIPT(st));
    assert_int_equal(step_op(run, 0)->result, HIST_PENDING);
    assert_string_equal(step_op(run, 1)->note, "GET: (nil)");
    assert_int_equal(step_op(run, 1)->complete_ns, 152 * SIM_MS);
    done(run, s);
}

static void monotonic_ttl_clock_ignores_a_wall_clock_jump(void **state) {
    (void)state;
    static const step st[] = {
        { 0, REDIS_SET, "lock", "c1:1", REDIS_F_NX | REDIS_F_PX, 5000, 0, false },
        { 2000, REDIS_SET, "lock", "c2:1", REDIS_F_NX | REDIS_F_PX, 5000, 0, false },
        { 5000, REDIS_GET, "lock", NULL, 0, 0, SIM_MS - 1, false },    /* mono 5 001.999999 */
        { 5001, REDIS_GET, "lock", NULL, 0, 0, 0, false },             /* mono 5 002 */
    };
    scn *s = rt_scn();
    rt_param(s, "redis.ttl_clock", "monotonic");
    rt_fault(s, SCN_FAULT_CLOCK_JUMP, SIM_S)->jump_ns = 20 * SIM_S;
    sim *run = rt_run(s, SCRIPT(st));
    assert_string_equal(step_op(run, 1)->note, "SET: (nil)");      /* still c1's */
    const hist_effect *exp = effect_n(run, HIST_EFF_LOCK_EXPIRE, 0);
    assert_non_null(exp);
    assert_int_equal(exp->t_ns, 5002 * SIM_MS);                 /* when = 1 + 5 000 ms */
    assert_string_equal(step_op(run, 2)->note, "GET: \"c1:1\"");
    assert_string_equal(step_op(run, 3)->note, "GET: (nil)");
    done(run, s);
}

/* ------------------------------------------------------------ replication */

static const step wait_steps[] = {
    { 0, REDIS_SET, "lock", "c1:1", REDIS_F_NX | REDIS_F_PX, 30000, 0, false },   /* applied 1 ms */
    { 2, REDIS_WAIT, "-", NULL, 0, 100, 0, false },                               /* WAIT 1 100 */
};

static void wait_answers_once_the_replica_acknowledged_the_write(void **state) {
    (void)state;
    scn *s = rt_scn();
    rt_add_replica(s);
    rt_param(s, "redis.replication.lag", "90ms");
    sim *run = rt_run(s, SCRIPT(wait_steps));
    const hist_op *w = step_op(run, 1);
    assert_string_equal(w->note, "WAIT: (integer) 1");
    assert_int_equal(w->complete_ns, 94 * SIM_MS);     /* shipped 91, applied 92, acked 93 */
    done(run, s);
}

/* Redis notices a blocked client's timeout at the event loop's next wake-up:
 * serverCron, every 100 ms at hz 10 from 1 ms after the start. */
static void wait_times_out_with_zero_at_the_next_cron_tick(void **state) {
    (void)state;
    scn *s = rt_scn();
    rt_add_replica(s);
    rt_param(s, "redis.replication.lag", "200ms");
    sim *run = rt_run(s, SCRIPT(wait_steps));
    const hist_op *w = step_op(run, 1);
    assert_string_equal(w->note, "WAIT: (integer) 0");
    assert_int_equal(w->complete_ns, 202 * SIM_MS);    /* arrived 3, deadline 103, tick 201 */
    done(run, s);
}

static void wait_timeout_runs_on_the_masters_wall_clock(void **state) {
    (void)state;
    scn *s = rt_scn();
    rt_add_replica(s);
    rt_param(s, "redis.replication.lag", "500ms");
    rt_fault(s, SCN_FAULT_CLOCK_JUMP, 50 * SIM_MS)->jump_ns = SIM_S;
    sim *run = rt_run(s, SCRIPT(wait_steps));
    const hist_op *w = step_op(run, 1);
    assert_string_equal(w->note, "WAIT: (integer) 0");
    assert_int_equal(w->complete_ns, 102 * SIM_MS);    /* deadline passed at 50, tick 101 */
    done(run, s);
}

/* The key expires at 11 ms: M ships its DEL (offset 2) too, but that is not
 * the client's write: WAIT asks for offset 1, acknowledged at 103. */
static const step wait_own_steps[] = {
    { 0, REDIS_SET, "lock", "c1:1", REDIS_F_NX | REDIS_F_PX, 10, 0, false },
    { 105, REDIS_WAIT, "-", NULL, 0, 100, 0, false },
};

static void wait_waits_only_for_the_callers_own_writes(void **state) {
    (void)state;
    scn *s = rt_scn();
    rt_add_replica(s);
    rt_param(s, "redis.replication.lag", "100ms");
    sim *run = rt_run(s, SCRIPT(wait_own_steps));
    const hist_op *w = step_op(run, 1);
    assert_string_equal(w->note, "WAIT: (integer) 1");
    assert_int_equal(w->complete_ns, 107 * SIM_MS);    /* at once, not when #2 is acked (113) */
    done(run, s);
}

static const step wait_late_steps[] = {
    { 0, REDIS_SET, "lock", "c1:1", REDIS_F_NX | REDIS_F_PX, 30000, 0, false },
    { 50, REDIS_WAIT, "-", NULL, 0, 100, 0, false },
};

static void wait_counts_only_connected_replicas(void **state) {
    (void)state;
    scn *s = rt_scn();
    rt_add_replica(s);
    rt_fault(s, SCN_FAULT_CRASH, 20 * SIM_MS)->node = 2;   /* the replica acked at 3, then died */
    sim *run = rt_run(s, SCRIPT(wait_late_steps));
    const hist_op *w = step_op(run, 1);
    assert_string_equal(w->note, "WAIT: (integer) 0");
    assert_int_equal(w->complete_ns, 202 * SIM_MS);    /* deadline 151, tick 201 */
    done(run, s);
}

static void master_crash_kills_a_parked_wait(void **state) {
    (void)state;
    scn *s = rt_scn();
    rt_add_replica(s);
    rt_param(s, "redis.replication.lag", "100ms");
    rt_fault(s, SCN_FAULT_CRASH, 50 * SIM_MS);
    sim *run = rt_run(s, SCRIPT(wait_steps));
    assert_int_equal(step_op(run, 1)->result, HIST_PENDING);    /* the WAIT died with M */
    assert_int_equal(sim_history(run)->effect_count, 3);   /* M's SET and its loss, and... */
    assert_non_null(effect_n(run, HIST_EFF_LOST, 0));      /* a message to M dropped while down */
    /* (the write on the link still reaches the replica: test_redlock.c, L5d) */
    assert_non_null(effect_n(run, HIST_EFF_LOCK_LOST, 0));
    done(run, s);
}

/* Redis refuses a write command on a replica before running it; a script
 * runs, and fails only when it writes (a CAD whose value does not match
 * answers 0).  The errors are Redis 7.0's text. */
static void a_replica_refuses_writes_but_runs_a_script_that_does_not_write(
    void **state) {
    (void)state;
    static const step st[] = {
        { 0, REDIS_SET, "lock", "a", REDIS_F_NX, 0, 0, false },       /* replicated at 2 */
        { 10, REDIS_SET, "lock", "b", 0, 0, 0, true },
        { 10, REDIS_CAD, "lock", "b", 0, 0, 0, true },
        { 10, REDIS_CAD, "lock", "a", 0, 0, 0, true },
        { 10, REDIS_GET, "lock", NULL, 0, 0, 0, true },
    };
    scn *s = rt_scn();
    rt_add_replica(s);
    sim *run = rt_run(s, SCRIPT(st));
    assert_int_equal(step_op(run, 1)->result, HIST_FAIL);
    assert_string_equal(g_reply[1], "READONLY You can't write against a read only replica.");
    assert_string_equal(step_op(run, 2)->note, "EVAL cad: (integer) 0");
    assert_int_equal(step_op(run, 3)->result, HIST_FAIL);
    assert_string_equal(g_reply[3], "READONLY You can't write against a read only replica.");
    assert_string_equal(step_op(run, 4)->note, "GET: \"a\"");
    done(run, s);
}

/* Redis's longest error the model gives (READONLY, 54 bytes) reaches the
 * trace whole: a trace line once cut every error at 39 bytes. */
static void a_trace_line_carries_the_whole_readonly_error(void **state) {
    (void)state;
    redis_reply p;
    memset(&p, 0, sizeof p);
    p.req = 1;
    p.cmd = REDIS_SET;
    p.kind = REDIS_R_ERR;
    snprintf(p.str, sizeof p.str, "%s", REDIS_ERR_READONLY);
    char line[160];
    assert_true(redis_describe(REDIS_MSG_REPLY, &p, sizeof p, line, sizeof line));
    assert_string_equal(line, "SET: (error) " REDIS_ERR_READONLY);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(key_with_px_is_there_through_its_last_millisecond_and_gone_from_the_next),
        cmocka_unit_test(a_sub_millisecond_set_time_is_truncated_to_its_millisecond),
        cmocka_unit_test(a_negative_wall_clock_reading_is_rounded_down_to_its_millisecond),
        cmocka_unit_test(expiry_follows_the_nodes_wall_clock_and_its_jumps),
        cmocka_unit_test(key_without_ttl_never_expires),
        cmocka_unit_test(set_nx_refuses_a_present_key_and_setnx_answers_zero),
        cmocka_unit_test(set_without_px_clears_an_earlier_ttl),
        cmocka_unit_test(pexpire_gives_a_key_a_ttl_and_answers_zero_for_a_missing_key),
        cmocka_unit_test(pexpire_with_zero_or_a_negative_ttl_deletes_the_key_and_answers_one),
        cmocka_unit_test(set_px_zero_or_negative_is_an_error_and_changes_nothing),
        cmocka_unit_test(an_overflowing_ttl_is_an_error_and_a_huge_one_never_comes_due),
        cmocka_unit_test(compare_and_delete_deletes_only_the_matching_value),
        cmocka_unit_test(compare_and_extend_moves_the_expiry_only_for_the_matching_value),
        cmocka_unit_test(compare_and_extend_with_zero_ttl_deletes_the_matching_key),
        cmocka_unit_test(incr_counts_from_zero_and_refuses_a_lock_value),
        cmocka_unit_test(fenced_sets_hand_out_tokens_from_the_first_token_on),
        cmocka_unit_test(full_keyspace_answers_an_error_and_changes_nothing),
        cmocka_unit_test(crash_without_persistence_loses_every_live_key),
        cmocka_unit_test(everysec_brings_back_only_what_the_last_whole_second_fsynced),
        cmocka_unit_test(always_brings_back_every_acknowledged_write),
        cmocka_unit_test(a_key_that_expired_while_the_node_was_down_is_gone_after_the_restart),
        cmocka_unit_test(delayed_restart_answers_nothing_until_the_delay_is_over),
        cmocka_unit_test(monotonic_ttl_clock_ignores_a_wall_clock_jump),
        cmocka_unit_test(wait_answers_once_the_replica_acknowledged_the_write),
        cmocka_unit_test(a_replica_refuses_writes_but_runs_a_script_that_does_not_write),
        cmocka_unit_test(a_trace_line_carries_the_whole_readonly_error),
        cmocka_unit_test(wait_times_out_with_zero_at_the_next_cron_tick),
        cmocka_unit_test(wait_timeout_runs_on_the_masters_wall_clock),
        cmocka_unit_test(wait_waits_only_for_the_callers_own_writes),
        cmocka_unit_test(wait_counts_only_connected_replicas),
        cmocka_unit_test(master_crash_kills_a_parked_wait),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
