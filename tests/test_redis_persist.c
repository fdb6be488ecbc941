/* test_redis_persist.c -- what a Redis node keeps across a process crash
 * and across a power loss (protocols/redis/redis_persist.c), per
 * persistence mode, seen from a client: the replies to GET after the
 * restart, and the lock-lost effects the node records.
 *
 * One `redis` node (the real model) and one `client` that sends one SET or
 * GET per step at a given time.  Latency is 1 ms, so a command sent at t is
 * applied at t+1.  The node fsyncs (everysec) on the first write or cron
 * tick (every 100 ms from 1 ms) in a later wall-clock second than its last
 * fsync; it started in second 0. */
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

typedef struct step { int64_t at_ms; redis_cmd_kind kind; const char *key, *val; } step;
typedef struct script { const step *steps; uint32_t count; } script;

/* The script the client runs (the param table has no pointers). */
static const script *g_script;

typedef struct pt_cfg { redis_cfg redis; } pt_cfg;
typedef struct pt_client { uint32_t ops[16]; } pt_client;

static const param_spec pt_params[] = { REDIS_PARAM_SPECS(offsetof(pt_cfg, redis)) };

static void pt_init(void *state, env *e) {
    (void)state;
    if (strcmp(env_node_role(e, env_self(e)), "client") != 0) return;
    for (uint32_t i = 0; i < g_script->count; i++)
        env_timer(e, g_script->steps[i].at_ms * SIM_MS, i, 0);
}

static void pt_timer(void *state, env *e, uint32_t tag, uint64_t arg) {
    pt_client *st = state;
    (void)arg;
    const step *s = &g_script->steps[tag];
    redis_cmd c;
    redis_cmd_init(&c, tag + 1, s->kind, s->key, s->val);
    if (s->kind == REDIS_SET) {
        c.flags = REDIS_F_NX | REDIS_F_PX;
        c.ms = 100000;                        /* outlives every test */
    }
    hist_op_fields f;
    memset(&f, 0, sizeof f);
    f.value_in = tag;
    st->ops[tag] = env_op_invoke(e, HIST_F_CAS, &f);
    node_id r;
    assert_int_equal(env_nodes_of_role(e, "redis", &r, 1), 1);
    env_send(e, r, REDIS_MSG_CMD, &c, sizeof c);
}

static void pt_message(void *state, env *e, node_id from, uint32_t type, const void *body,
                       uint32_t len) {
    pt_client *st = state;
    (void)from;
    assert_int_equal(type, REDIS_MSG_REPLY);
    redis_reply p;
    assert_int_equal(len, sizeof p);
    memcpy(&p, body, sizeof p);
    hist_op_fields f;
    memset(&f, 0, sizeof f);
    char line[160];
    assert_true(redis_describe(type, body, len, line, sizeof line));
    f.note = line;
    env_op_complete(e, st->ops[p.req - 1], HIST_OK, &f);
}

static const model_ops pt_client_model = {
    .name = "persist-test-client", .state_size = sizeof(pt_client), .init = pt_init,
    .on_timer = pt_timer, .on_message = pt_message,
};

static const void *pt_redis_cfg(const void *cfg) { return &((const pt_cfg *)cfg)->redis; }

static const proto_desc pt_proto = {
    .name = "persist-test", .summary = "a scripted client against one redis node",
    .params = pt_params, .param_count = sizeof pt_params / sizeof pt_params[0],
    .cfg_size = sizeof(pt_cfg),
    .roles = { { "redis", &redis_model_ops, 1, 1, "the node", pt_redis_cfg },
               { "client", &pt_client_model, 1, 1, "the script", NULL } },
    .role_count = 2,
};

static scn *pt_scn(const char *persistence) {
    scn *s = redis_test_scn("persist-test", 20 * SIM_S);
    redis_test_param(s, "redis.persistence", persistence);
    return s;
}

/* The node goes down at `at_ms` (a crash or a power loss) and is up again
 * 100 ms later. */
static void pt_down(scn *s, scn_fault_kind kind, int64_t at_ms) {
    scn_fault *f = &s->faults[s->fault_count++];
    memset(f, 0, sizeof *f);
    f->kind = kind;
    f->at_ns = at_ms * SIM_MS;
    f->node = 0;
    f->for_ns = 100 * SIM_MS;
}

static sim *pt_run(const scn *s, const script *sc) {
    g_script = sc;
    sim_options opt = { .proto = &pt_proto };
    sim *run = NULL;
    char err[512];
    if (sim_create(s, &opt, &run, err, sizeof err) != 0) fail_msg("%s", err);
    if (sim_run(run, err, sizeof err) != 0) fail_msg("%s", err);
    return run;
}

#define SCRIPT(arr) (&(script){ (arr), sizeof(arr) / sizeof((arr)[0]) })

static const char *step_note(const sim *run, uint32_t i) {
    const hist *h = sim_history(run);
    for (uint32_t k = 0; k < h->op_count; k++)
        if (h->ops[k].value_in == (int64_t)i) return h->ops[k].note;
    fail_msg("no op for step %u", i);
    return NULL;
}

static uint32_t losses(const sim *run, const char *key, int64_t *aux) {
    const hist *h = sim_history(run);
    uint32_t n = 0;
    for (uint32_t i = 0; i < h->effect_count; i++) {
        const hist_effect *x = &h->effects[i];
        if (x->kind != HIST_EFF_LOCK_LOST || strcmp(x->key, key) != 0) continue;
        n++;
        if (aux) *aux = x->aux;
    }
    return n;
}

static void done(sim *run, scn *s) { sim_destroy(run); free(s->params.items); free(s); }

/* "early" is applied at 1 ms and fsynced at 1.001 s (the first cron tick in
 * second 1); "late" is applied at 1.201 s, in the second of that fsync, so
 * it waits for 2.001 s.  The node goes down at 1.5 s; the GETs run at 1.7 s. */
static const step two_writes[] = {
    { 0, REDIS_SET, "early", "a" },
    { 1200, REDIS_SET, "late", "b" },
    { 1700, REDIS_GET, "early", NULL },
    { 1700, REDIS_GET, "late", NULL },
};

static void everysec_keeps_a_write_not_yet_fsynced_through_a_process_crash(void **state) {
    (void)state;
    scn *s = pt_scn("everysec");
    pt_down(s, SCN_FAULT_CRASH, 1500);
    sim *run = pt_run(s, SCRIPT(two_writes));
    assert_string_equal(step_note(run, 2), "GET: \"a\"");
    assert_string_equal(step_note(run, 3), "GET: \"b\"");      /* the page cache survived */
    assert_int_equal(losses(run, "late", NULL), 0);
    done(run, s);
}

static void everysec_loses_the_write_not_yet_fsynced_to_a_power_loss(void **state) {
    (void)state;
    scn *s = pt_scn("everysec");
    pt_down(s, SCN_FAULT_POWER_LOSS, 1500);
    sim *run = pt_run(s, SCRIPT(two_writes));
    assert_string_equal(step_note(run, 2), "GET: \"a\"");      /* fsynced at 1.001 s */
    assert_string_equal(step_note(run, 3), "GET: (nil)");
    int64_t aux = 0;
    assert_int_equal(losses(run, "late", &aux), 1);
    assert_int_equal(aux, 1);                                   /* persisted, not fsynced */
    assert_int_equal(losses(run, "early", NULL), 0);
    done(run, s);
}

static void always_keeps_every_write_through_a_crash_and_a_power_loss(void **state) {
    (void)state;
    for (int k = 0; k < 2; k++) {
        scn *s = pt_scn("always");
        pt_down(s, k ? SCN_FAULT_POWER_LOSS : SCN_FAULT_CRASH, 1500);
        sim *run = pt_run(s, SCRIPT(two_writes));
        assert_string_equal(step_note(run, 2), "GET: \"a\"");
        assert_string_equal(step_note(run, 3), "GET: \"b\"");
        assert_int_equal(losses(run, "late", NULL) + losses(run, "early", NULL), 0);
        done(run, s);
    }
}

static void none_loses_every_write_to_a_crash_and_to_a_power_loss(void **state) {
    (void)state;
    for (int k = 0; k < 2; k++) {
        scn *s = pt_scn("none");
        pt_down(s, k ? SCN_FAULT_POWER_LOSS : SCN_FAULT_CRASH, 1500);
        sim *run = pt_run(s, SCRIPT(two_writes));
        assert_string_equal(step_note(run, 2), "GET: (nil)");
        assert_string_equal(step_note(run, 3), "GET: (nil)");
        int64_t aux = 1;
        assert_int_equal(losses(run, "late", &aux), 1);
        assert_int_equal(aux, 0);                               /* no persistence */
        assert_int_equal(losses(run, "early", NULL), 1);
        done(run, s);
    }
}

/* Redis fsyncs at a write whose wall-clock second is later than the last
 * fsync's, not at whole seconds: "b" (applied 2.501 s, second 2; the last
 * fsync was at 1.001 s) is on disk at once and survives a power loss 99 ms
 * later. */
static void everysec_fsyncs_at_once_a_write_in_a_later_second_than_the_last_fsync(void **state) {
    (void)state;
    static const step st[] = {
        { 0, REDIS_SET, "a", "1" },
        { 2500, REDIS_SET, "b", "2" },
        { 2800, REDIS_GET, "b", NULL },
    };
    scn *s = pt_scn("everysec");
    pt_down(s, SCN_FAULT_POWER_LOSS, 2600);
    sim *run = pt_run(s, SCRIPT(st));
    assert_string_equal(step_note(run, 2), "GET: \"2\"");
    done(run, s);
}

/* The wall clock decides (server.unixtime > server.aof_last_fsync): after
 * a jump back of 10 s at 0.5 s, the node reads a later second than its last
 * fsync (second 0) only from 11 s of true time on, so a write at 1.001 s is
 * still not on disk at a power loss at 5 s.  Without the jump it is, from
 * 2.001 s. */
static void everysec_waits_for_the_wall_clock_to_pass_the_last_fsync_after_a_jump_back(void **state) {
    (void)state;
    static const step st[] = {
        { 1000, REDIS_SET, "k", "v" },
        { 5200, REDIS_GET, "k", NULL },
    };
    for (int jump = 0; jump < 2; jump++) {
        scn *s = pt_scn("everysec");
        if (jump) {
            scn_fault *f = &s->faults[s->fault_count++];
            memset(f, 0, sizeof *f);
            f->kind = SCN_FAULT_CLOCK_JUMP;
            f->at_ns = 500 * SIM_MS;
            f->node = 0;
            f->jump_ns = -10 * SIM_S;
        }
        pt_down(s, SCN_FAULT_POWER_LOSS, 5000);
        sim *run = pt_run(s, SCRIPT(st));
        assert_string_equal(step_note(run, 1), jump ? "GET: (nil)" : "GET: \"v\"");
        done(run, s);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(everysec_keeps_a_write_not_yet_fsynced_through_a_process_crash),
        cmocka_unit_test(everysec_loses_the_write_not_yet_fsynced_to_a_power_loss),
        cmocka_unit_test(always_keeps_every_write_through_a_crash_and_a_power_loss),
        cmocka_unit_test(none_loses_every_write_to_a_crash_and_to_a_power_loss),
        cmocka_unit_test(everysec_fsyncs_at_once_a_write_in_a_later_second_than_the_last_fsync),
        cmocka_unit_test(everysec_waits_for_the_wall_clock_to_pass_the_last_fsync_after_a_jump_back),
    };
    return cmocka_run_group_tests_name("redis_persist", tests, NULL, NULL);
}
