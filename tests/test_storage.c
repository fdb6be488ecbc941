/* test_storage.c -- the protected counter, driven by a scripted client.
 *
 * A test protocol has one `storage` node (the real model) and one `client`
 * that sends one READ or WRITE per step.  Tests read the storage's effects
 * (EFF_READ / EFF_WRITE / EFF_REJECT) and the replies, recorded as ops whose
 * value_out is the reply's value and whose result says accepted (ok) or
 * rejected (fail).  Latency 1 ms. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "protocols/storage/storage.h"
#include "sim/family.h"
#include "sim/sim.h"

typedef struct step {
    int64_t at_ms;
    bool write;
    int64_t epoch, token;
    bool fenced;
    int64_t value;
    bool read_fenced;            /* a READ that counts its token as seen */
} step;

typedef struct st_cfg { int64_t initial; } st_cfg;
typedef struct st_client { uint32_t ops[16]; } st_client;

/* The steps the client runs: a test-only global, set before sim_run. */
static const step *g_steps;
static uint32_t g_count;

static const param_spec st_params[] = {
    { "initial", PARAM_INT, "0", "the counter's initial value", offsetof(st_cfg, initial), NULL,
      0, 0, false },
};

static void st_init(void *state, env *e) {
    (void)state;
    if (strcmp(env_node_role(e, env_self(e)), "client") != 0) return;
    const st_cfg *cfg = env_proto_config(e);
    env_set_initial_value(e, cfg->initial);
    for (uint32_t i = 0; i < g_count; i++) env_timer(e, g_steps[i].at_ms * SIM_MS, i, 0);
}

static void st_timer(void *state, env *e, uint32_t tag, uint64_t arg) {
    st_client *st = state;
    (void)arg;
    const step *s = &g_steps[tag];
    hist_op_fields f;
    memset(&f, 0, sizeof f);
    f.epoch = s->epoch;
    f.token = s->token;
    st->ops[tag] = env_op_invoke(e, s->write ? HIST_F_WRITE : HIST_F_READ, &f);
    stor_req q;
    stor_req_init(&q, st->ops[tag], tag + 1, s->epoch, s->token, s->fenced, s->value);
    q.read_fenced = s->read_fenced;
    node_id n;
    assert_int_equal(env_nodes_of_role(e, "storage", &n, 1), 1);
    env_send(e, n, s->write ? STOR_MSG_WRITE : STOR_MSG_READ, &q, sizeof q);
}

static void st_message(void *state, env *e, node_id from, uint32_t type, const void *body,
                       uint32_t len) {
    st_client *st = state;
    (void)from;
    assert_int_equal(type, STOR_MSG_REPLY);
    assert_int_equal(len, sizeof(stor_reply));
    stor_reply p;
    memcpy(&p, body, sizeof p);
    hist_op_fields f;
    memset(&f, 0, sizeof f);
    f.has_value_out = true;
    f.value_out = p.value;
    env_op_complete(e, st->ops[p.req - 1], p.ok ? HIST_OK : HIST_FAIL, &f);
}

static const model_ops st_client_model = {
    .name = "storage-test-client", .state_size = sizeof(st_client), .init = st_init,
    .on_timer = st_timer, .on_message = st_message,
};

static const proto_desc st_proto = {
    .name = "storage-test", .summary = "a scripted client against the storage node",
    .params = st_params, .param_count = 1, .cfg_size = sizeof(st_cfg),
    .roles = { { "storage", &stor_model_ops, 1, 1, "the counter", NULL },
               { "client", &st_client_model, 1, 1, "the script", NULL } },
    .role_count = 2,
};

static scn *st_scn(void) {
    scn *s = calloc(1, sizeof *s);
    snprintf(s->path, sizeof s->path, "storage-test.yaml");
    snprintf(s->name, sizeof s->name, "storage-test");
    snprintf(s->protocol, sizeof s->protocol, "storage-test");
    s->seed = 1;
    s->duration_ns = SIM_S;
    s->node_count = 2;
    snprintf(s->nodes[0].name, SIM_NAME_MAX, "storage1");
    snprintf(s->nodes[0].role, SIM_NAME_MAX, "storage");
    snprintf(s->nodes[1].name, SIM_NAME_MAX, "c1");
    snprintf(s->nodes[1].role, SIM_NAME_MAX, "client");
    s->network.has_latency = true;
    s->network.latency = (scn_latency){ SCN_LAT_FIXED, SIM_MS, 0 };
    return s;
}

static sim *st_run(scn *s, const step *steps, uint32_t count) {
    g_steps = steps;
    g_count = count;
    sim_options opt = { .proto = &st_proto };
    sim *run = NULL;
    char err[512];
    if (sim_create(s, &opt, &run, err, sizeof err) != 0) fail_msg("%s", err);
    if (sim_run(run, err, sizeof err) != 0) fail_msg("%s", err);
    return run;
}

#define RUN(s, arr) st_run((s), (arr), sizeof(arr) / sizeof((arr)[0]))

static const hist_effect *effect_n(const sim *run, uint32_t nth) {
    const hist *h = sim_history(run);
    assert_true(nth < h->effect_count);
    return &h->effects[nth];
}

static const hist_op *op_n(const sim *run, uint32_t nth) {
    const hist *h = sim_history(run);
    assert_true(nth < h->op_count);
    return &h->ops[nth];
}

static void done(sim *run, scn *s) { sim_destroy(run); free(s->params.items); free(s); }

static void fenced_write_with_a_lower_token_than_seen_is_rejected(void **state) {
    (void)state;
    static const step st[] = {
        { 0, true, 2, 34, true, 1, false },
        { 5, true, 1, 33, true, 7, false },
        { 10, false, 0, 0, false, 0, false },
    };
    scn *s = st_scn();
    sim *run = RUN(s, st);
    assert_int_equal(effect_n(run, 0)->kind, HIST_EFF_WRITE);
    const hist_effect *rej = effect_n(run, 1);
    assert_int_equal(rej->kind, HIST_EFF_REJECT);
    assert_int_equal(rej->t_ns, 6 * SIM_MS);
    assert_int_equal(hist_effect_token(sim_history(run), rej), 33);
    assert_int_equal(rej->epoch, 1);
    assert_int_equal(rej->value, 7);
    assert_int_equal(rej->client, 1);
    assert_int_equal(rej->op, 1);
    assert_int_equal(op_n(run, 1)->result, HIST_FAIL);
    assert_int_equal(op_n(run, 2)->value_out, 1);             /* the counter kept 1 */
    done(run, s);
}

static void fenced_write_with_the_same_token_is_accepted(void **state) {
    (void)state;
    static const step st[] = {
        { 0, true, 1, 34, true, 1, false },
        { 5, true, 1, 34, true, 2, false },
        { 10, true, 2, 35, true, 3, false },
    };
    scn *s = st_scn();
    sim *run = RUN(s, st);
    for (uint32_t i = 0; i < 3; i++) {
        assert_int_equal(effect_n(run, i)->kind, HIST_EFF_WRITE);
        assert_int_equal(op_n(run, i)->result, HIST_OK);
    }
    assert_int_equal(op_n(run, 2)->value_out, 3);
    done(run, s);
}

static void unfenced_writes_are_never_rejected(void **state) {
    (void)state;
    static const step st[] = {
        { 0, true, 2, 34, true, 1, false },
        { 5, true, 1, 0, false, 9, false },
    };
    scn *s = st_scn();
    sim *run = RUN(s, st);
    assert_int_equal(effect_n(run, 1)->kind, HIST_EFF_WRITE);
    assert_int_equal(op_n(run, 1)->value_out, 9);
    done(run, s);
}

static void reads_start_from_the_initial_value_the_workload_set(void **state) {
    (void)state;
    static const step st[] = { { 0, false, 1, 0, false, 0, false } };
    scn *s = st_scn();
    s->params.items = calloc(1, sizeof(scn_param));
    s->params.count = 1;
    snprintf(s->params.items[0].key, SCN_KEY_MAX, "initial");
    snprintf(s->params.items[0].value, SCN_VALUE_MAX, "100");
    sim *run = RUN(s, st);
    const hist_effect *rd = effect_n(run, 0);
    assert_int_equal(rd->kind, HIST_EFF_READ);
    assert_int_equal(rd->value, 100);
    assert_int_equal(rd->epoch, 1);
    assert_int_equal(op_n(run, 0)->value_out, 100);
    done(run, s);
}

/* L4d: the new holder (token 36) reads, then the old holder (35) writes.
 * With writes fenced only, the old write is accepted: the storage has seen
 * no token above 35 in a WRITE. */
static void a_read_with_a_newer_token_does_not_stop_an_older_write(void **state) {
    (void)state;
    static const step st[] = {
        { 0, true, 3, 35, true, 2, false },
        { 5, false, 4, 36, true, 0, false },
        { 10, true, 3, 35, true, 3, false },
    };
    scn *s = st_scn();
    sim *run = RUN(s, st);
    assert_int_equal(effect_n(run, 2)->kind, HIST_EFF_WRITE);
    assert_int_equal(op_n(run, 2)->result, HIST_OK);
    done(run, s);
}

/* L4e: the same, with the READ fenced: its token 36 counts as seen, so the
 * older holder's write is refused and the counter keeps what was read. */
static void a_fenced_read_makes_an_older_holders_later_write_stale(void **state) {
    (void)state;
    static const step st[] = {
        { 0, true, 3, 35, true, 2, false },
        { 5, false, 4, 36, true, 0, true },
        { 10, true, 3, 35, true, 3, false },
        { 15, false, 0, 0, false, 0, false },
    };
    scn *s = st_scn();
    sim *run = RUN(s, st);
    assert_int_equal(effect_n(run, 1)->kind, HIST_EFF_READ);
    assert_int_equal(op_n(run, 1)->result, HIST_OK);           /* reads are never refused */
    assert_int_equal(effect_n(run, 2)->kind, HIST_EFF_REJECT);
    assert_int_equal(op_n(run, 2)->result, HIST_FAIL);
    assert_int_equal(op_n(run, 3)->value_out, 2);
    done(run, s);
}

/* A fenced read with an older token is answered and lowers nothing. */
static void a_fenced_read_with_an_older_token_is_answered_and_lowers_nothing(void **state) {
    (void)state;
    static const step st[] = {
        { 0, true, 4, 36, true, 2, false },
        { 5, false, 3, 35, true, 0, true },
        { 10, true, 4, 36, true, 3, false },
    };
    scn *s = st_scn();
    sim *run = RUN(s, st);
    assert_int_equal(op_n(run, 1)->result, HIST_OK);
    assert_int_equal(op_n(run, 1)->value_out, 2);
    assert_int_equal(op_n(run, 2)->result, HIST_OK);
    done(run, s);
}

static void counter_survives_a_storage_crash(void **state) {
    (void)state;
    static const step st[] = {
        { 0, true, 1, 0, false, 5, false },
        { 50, false, 1, 0, false, 0, false },
    };
    scn *s = st_scn();
    s->faults[0] = (scn_fault){ .kind = SCN_FAULT_CRASH, .at_ns = 10 * SIM_MS, .node = 0 };
    s->faults[1] = (scn_fault){ .kind = SCN_FAULT_RESTART, .at_ns = 20 * SIM_MS, .node = 0 };
    s->fault_count = 2;
    sim *run = RUN(s, st);
    assert_int_equal(op_n(run, 1)->value_out, 5);
    done(run, s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fenced_write_with_a_lower_token_than_seen_is_rejected),
        cmocka_unit_test(fenced_write_with_the_same_token_is_accepted),
        cmocka_unit_test(unfenced_writes_are_never_rejected),
        cmocka_unit_test(reads_start_from_the_initial_value_the_workload_set),
        cmocka_unit_test(a_read_with_a_newer_token_does_not_stop_an_older_write),
        cmocka_unit_test(a_fenced_read_makes_an_older_holders_later_write_stale),
        cmocka_unit_test(a_fenced_read_with_an_older_token_is_answered_and_lowers_nothing),
        cmocka_unit_test(counter_survives_a_storage_crash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
