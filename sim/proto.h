/* proto.h -- the registry of protocols and workloads the command line knows.
 *
 * A protocol names its parameters (param.h table), the roles its nodes take
 * and the model each role runs, the workloads it can drive and the checks
 * that are natural for it.  Adding a protocol = writing its models, one
 * proto_desc, and one line in proto.c's table.
 *
 * A role's model may be chosen by the workload: for `client` nodes the model
 * is the workload's driver (e.g. lock-counter), which uses the protocol's
 * client-side library (e.g. setnx-lock's acquire/release).
 */
#ifndef CCSIM_PROTO_H
#define CCSIM_PROTO_H

#include "sim/env.h"
#include "sim/scenario/param.h"

#define PROTO_ROLES_MAX 8
#define PROTO_CHECKS_MAX 8

typedef struct proto_role {
    const char *role;              /* "redis", "storage", "client" */
    const model_ops *model;        /* NULL = the workload's driver runs it */
    uint32_t min_count, max_count;
    const char *help;
} proto_role;

typedef struct proto_desc {
    const char *name;              /* "setnx-lock" */
    const char *summary;           /* one line for `ccsim list protocols` */
    const param_spec *params;
    size_t param_count;
    size_t cfg_size;               /* the protocol's cfg struct */
    proto_role roles[PROTO_ROLES_MAX];
    uint32_t role_count;
    const char *workloads[4];      /* workloads it can drive, NULL-terminated */
    const char *checks[PROTO_CHECKS_MAX];   /* default checks, NULL-terminated */
    const struct lock_client_ops *lock_client;  /* for lock workloads, else NULL */
    /* Checks the param table cannot express (a period that must be > 0, two
     * params that contradict each other), run after param_apply: 0, or -1
     * with "path:line:col: error: ..." in err.  NULL = none.
     * [added by the setnx-lock engineer; the engine calls it in bind_protocol] */
    int (*validate)(const void *cfg, const scn *s, char *err, size_t err_len);
    /* For transaction workloads (`transfer`): the coordinator-side library a
     * driver embeds (protocols/txn/txn_api.h), else NULL.
     * [added by the 2PC/saga engineer, as lock_client above] */
    const struct txn_client_ops *txn_client;
} proto_desc;

typedef struct workload_desc {
    const char *name;              /* "lock-counter" */
    const char *summary;
    const param_spec *params;
    size_t param_count;
    size_t cfg_size;               /* the workload's cfg struct */
    const model_ops *driver;       /* the client model */
    /* As proto_desc.validate, for the workload's cfg (bind_workload). */
    int (*validate)(const void *cfg, const scn *s, char *err, size_t err_len);
} workload_desc;

/* One trace line for any message a registered model knows ("SET lock c1:1
 * NX PX 10000"); "message type N (B bytes)" otherwise.  Workload drivers use
 * it in their describe, since they receive other protocols' replies. */
void proto_describe_msg(uint32_t type, const void *body, uint32_t len, char *buf, size_t buf_len);

const proto_desc    *proto_find(const char *name);
const workload_desc *workload_find(const char *name);
/* For `ccsim list` and for suggestions. */
size_t proto_count(void);
const proto_desc *proto_at(size_t i);
size_t workload_count(void);
const workload_desc *workload_at(size_t i);

#endif
