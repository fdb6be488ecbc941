/* test_net.c -- the network of a 10 000-node run: partitions by group,
 * link overrides in the sparse table, FIFO order per link, cuts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/net.h"
#include "tests/test_scn_support.h"

#define BIG "name: t\nprotocol: p\nduration: 60s\nnodes: {redis: 1, client: 9999}\n"


static net *net_of(const scn *s) {
    net *n = sim_xmalloc(sizeof *n);
    rng r;
    rng_init(&r, 1);
    net_init(n, s, r);
    return n;
}

static void net_drop(net *n) {
    net_free(n);
    free(n);
}

static int32_t node(const scn *s, const char *name) {
    int32_t i = scn_node_find(s, name);
    assert_true(i >= 0);
    return i;
}

static void a_partition_of_10000_nodes_isolates_exactly_the_listed_nodes(void **state) {
    (void)state;
    scn *s = load_ok(BIG "faults:\n  - {at: 1s, partition: [[client5000, client9999, redis1], "
                     "[client2]]}\n");
    assert_int_equal(s->node_count, 10000);
    const scn_fault *f = &s->faults[0];
    assert_int_equal(f->group_count, 3);               /* two listed, and the rest */
    assert_true(f->group_at != SCN_GROUP_INLINE);      /* past 64 nodes: in the pool */
    net *n = net_of(s);
    int32_t r = node(s, "redis1"), a = node(s, "client5000"), b = node(s, "client9999");
    int32_t c2 = node(s, "client2"), c1 = node(s, "client1"), c7 = node(s, "client7777");
    for (int32_t i = 0; i < 10000; i += 333) assert_true(net_link_up(n, i, r));   /* before */
    net_partition(n, s, f);
    assert_true(net_link_up(n, a, r) && net_link_up(n, r, b) && net_link_up(n, b, a));
    assert_false(net_link_up(n, a, c1) || net_link_up(n, c1, a) || net_link_up(n, c1, r));
    assert_false(net_link_up(n, c2, r) || net_link_up(n, c2, c1) || net_link_up(n, c7, c2));
    assert_true(net_link_up(n, c1, c7) && net_link_up(n, c7, c1));   /* the rest together */
    for (int32_t i = 0; i < 10000; i++) assert_true(net_link_up(n, i, i));
    uint32_t reach_redis = 0;
    for (int32_t i = 0; i < 10000; i++) reach_redis += net_link_up(n, i, r);
    assert_int_equal(reach_redis, 3);                  /* redis1 and the two with it */
    net_plan p = net_send(n, 0, c1, r);
    assert_int_equal(p.copies, 0);
    assert_true(p.dropped_by_partition);
    net_heal(n);
    for (int32_t i = 0; i < 10000; i += 333) assert_true(net_link_up(n, i, r));
    net_drop(n);
    drop(s);
}

static void link_overrides_change_only_their_links_and_only_they_are_stored(void **state) {
    (void)state;
    scn *s = load_ok(BIG "network:\n  latency: 2ms\n  links:\n"
                     "    - {from: client9000, to: redis1, latency: 15s}\n"
                     "    - {from: client9000, to: redis1, loss: 100%}\n"
                     "    - {from: redis1, to: [client3, client8000], latency: 7ms}\n");
    net *n = net_of(s);
    int32_t r = node(s, "redis1"), c = node(s, "client9000");
    int32_t c3 = node(s, "client3"), c8 = node(s, "client8000"), c4 = node(s, "client4");
    assert_int_equal(n->link_count, 3);               /* three links differ; 10^8 do not */
    const net_link *l = net_link_of(n, c, r);
    assert_true(l->latency.a_ns == 15 * SIM_S);        /* both overrides, in file order */
    assert_int_equal(l->loss_ppm, 1000000);
    assert_true(net_link_of(n, r, c)->latency.a_ns == 2 * SIM_MS);   /* directed */
    assert_true(net_link_of(n, r, c3)->latency.a_ns == 7 * SIM_MS);
    assert_true(net_link_of(n, r, c8)->latency.a_ns == 7 * SIM_MS);
    assert_true(net_link_of(n, r, c4)->latency.a_ns == 2 * SIM_MS);
    assert_int_equal(net_link_of(n, r, c4)->loss_ppm, 0);
    assert_int_equal(net_send(n, 0, c, r).copies, 0);                 /* lost */
    net_plan p = net_send(n, 5 * SIM_MS, r, c8);
    assert_int_equal(p.copies, 1);
    assert_true(p.arrive_ns[0] == 12 * SIM_MS);
    net_drop(n);
    drop(s);
}

static void messages_on_one_link_of_many_keep_their_order(void **state) {
    (void)state;
    scn *s = load_ok(BIG "network:\n  latency: {uniform: [1ms, 50ms]}\n");
    net *n = net_of(s);
    sim_time last[3] = { 0, 0, 0 };
    for (int32_t k = 0; k < 3000; k++) {             /* three links, interleaved */
        int32_t from = 1 + 4000 * (k % 3);
        net_plan p = net_send(n, k * SIM_US, from, 0);
        assert_int_equal(p.copies, 1);
        assert_true(p.arrive_ns[0] >= last[k % 3]);
        last[k % 3] = p.arrive_ns[0];
    }
    assert_true(n->pair_count >= 3);
    assert_true(2 * n->pair_count <= n->pair_cap);
    net_drop(n);
    drop(s);
}

static void a_cut_takes_down_only_its_links_and_a_partition_ends_it(void **state) {
    (void)state;
    scn *s = load_ok(BIG "faults:\n  - {at: 1s, cut: {from: [client1, client2], to: redis1}}\n"
                     "  - {at: 2s, partition: [client9999]}\n");
    net *n = net_of(s);
    int32_t r = node(s, "redis1"), c1 = node(s, "client1"), c3 = node(s, "client3");
    int32_t c2 = node(s, "client2"), far = node(s, "client9999");
    const scn_fault *cut = &s->faults[0];
    net_cut(n, cut->from_mask, cut->to_mask, cut->both);
    assert_false(net_link_up(n, c1, r) || net_link_up(n, c2, r));
    assert_true(net_link_up(n, r, c1) && net_link_up(n, c3, r) && net_link_up(n, far, r));
    net_partition(n, s, &s->faults[1]);
    assert_true(net_link_up(n, c1, r));                /* a partition replaces the cut */
    assert_false(net_link_up(n, far, r) || net_link_up(n, c1, far));
    net_drop(n);
    drop(s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_partition_of_10000_nodes_isolates_exactly_the_listed_nodes),
        cmocka_unit_test(link_overrides_change_only_their_links_and_only_they_are_stored),
        cmocka_unit_test(messages_on_one_link_of_many_keep_their_order),
        cmocka_unit_test(a_cut_takes_down_only_its_links_and_a_partition_ends_it),
    };
    return cmocka_run_group_tests_name("net", tests, NULL, NULL);
}
