/* proto.c -- the registry: every protocol and workload the command line knows.
 * Invariant: names are unique within each table; tables are in the order
 * `ccsim list` prints them.  Adding a protocol = one line in `protocols`. */
#include "sim/proto.h"

#include <stdio.h>
#include <string.h>

#include "protocols/db/db.h"
#include "protocols/lease_lock/lease_lock.h"
#include "protocols/payment/payment.h"
#include "protocols/ratelimit/ratelimit.h"
#include "protocols/redis/redis.h"
#include "protocols/redlock/redlock.h"
#include "protocols/saga/saga.h"
#include "protocols/setnx_lock/setnx_lock.h"
#include "protocols/storage/storage.h"
#include "protocols/twopc/twopc.h"
#include "protocols/txn/txn_api.h"
#include "sim/workload/bank.h"
#include "sim/workload/flash_sale.h"
#include "sim/workload/lock_counter.h"
#include "sim/workload/on_call.h"
#include "sim/workload/order_saga.h"
#include "sim/workload/payment.h"
#include "sim/workload/requests.h"
#include "sim/workload/seat_booking.h"
#include "sim/workload/transfer.h"

static const proto_desc *const protocols[] = {
    &snx_proto,
    &rl_proto,
    &ll_proto,
    &tpc_proto,
    &saga_proto,
    &db_proto,
    &pay_proto,
    &rlim_proto,
};

static const workload_desc *const workloads[] = {
    &lkc_workload,
    &xfr_workload,
    &ords_workload,
    &fs_workload,
    &sb_workload,
    &bk_workload,
    &oc_workload,
    &pw_workload,
    &rq_workload,
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const proto_desc *proto_find(const char *name) {
    SIM_ASSERT(name != NULL);
    for (size_t i = 0; i < COUNT(protocols); i++)
        if (strcmp(protocols[i]->name, name) == 0) return protocols[i];
    return NULL;
}

const workload_desc *workload_find(const char *name) {
    SIM_ASSERT(name != NULL);
    for (size_t i = 0; i < COUNT(workloads); i++)
        if (strcmp(workloads[i]->name, name) == 0) return workloads[i];
    return NULL;
}

size_t proto_count(void) { return COUNT(protocols); }

const proto_desc *proto_at(size_t i) {
    SIM_ASSERT(i < COUNT(protocols));
    return protocols[i];
}

size_t workload_count(void) { return COUNT(workloads); }

const workload_desc *workload_at(size_t i) {
    SIM_ASSERT(i < COUNT(workloads));
    return workloads[i];
}

void proto_describe_msg(uint32_t type, const void *body, uint32_t len, char *buf, size_t buf_len) {
    SIM_ASSERT(buf != NULL);
    SIM_ASSERT(buf_len > 0);
    if (redis_describe(type, body, len, buf, buf_len)) return;
    if (stor_describe(type, body, len, buf, buf_len)) return;
    if (ll_describe(type, body, len, buf, buf_len)) return;
    if (tpc_describe(type, body, len, buf, buf_len)) return;
    if (saga_describe(type, body, len, buf, buf_len)) return;
    if (txn_describe(type, body, len, buf, buf_len)) return;
    if (db_describe(type, body, len, buf, buf_len)) return;
    if (pay_describe(type, body, len, buf, buf_len)) return;
    if (rlim_describe(type, body, len, buf, buf_len)) return;
    snprintf(buf, buf_len, "message type %u (%u bytes)", type, len);
}

