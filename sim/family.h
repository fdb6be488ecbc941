/* family.h -- how a model family declares itself to the engine and the registry.
 *
 * A family is one folder under protocols/ (redis, setnx_lock, db, twopc...)
 * that declares everything it brings in one family_desc, defined in its
 * own folder (e.g. protocols/redis/redis_family.c):
 *
 *   - the message types and timer tags it owns, as ranges: the registry
 *     (sim/registry/registry.h) asserts at start-up that no two families'
 *     ranges overlap, so a collision is caught before any run;
 *   - a describer that turns one of its messages into a trace line;
 *   - the history kinds it records (their numbers and names, hist.h), so
 *     reports can name them without the engine knowing them;
 *   - the protocols it offers (proto_desc: params, roles, the workloads it
 *     can drive, its default checks), none for a building block (redis,
 *     storage) that other families' protocols use.
 *
 * Workloads (sim/workload/) are declared the same way, one workload_desc
 * each.  Registering a family or a workload is one line in
 * sim/registry/registry.c; the engine itself never names one (docs/engine.md,
 * "Layers").
 *
 * A role's model may be chosen by the workload: for `client` nodes the model
 * is the workload's driver (e.g. lock-counter), which uses the protocol's
 * client-side library (e.g. setnx-lock's acquire/release).
 */
#ifndef CCSIM_FAMILY_H
#define CCSIM_FAMILY_H

#include "sim/env.h"
#include "sim/scenario/param.h"

#define PROTO_ROLES_MAX 8
#define PROTO_CHECKS_MAX 8
#define PROTO_WORKLOADS_MAX 8
#define FAMILY_RANGES_MAX 4

typedef struct proto_role {
    const char *role;              /* "redis", "storage", "client" */
    const model_ops *model;        /* NULL = the workload's driver runs it */
    uint32_t min_count, max_count;
    const char *help;
    /* The part of the protocol's cfg this role's model reads (env_config),
     * e.g. the `redis.*` params inside redlock's cfg; NULL = none (the
     * model runs with its defaults). */
    const void *(*config)(const void *proto_cfg);
} proto_role;

typedef struct proto_desc {
    const char *name;              /* "setnx-lock" */
    const char *summary;           /* one line for `ccsim list protocols` */
    const param_spec *params;
    size_t param_count;
    size_t cfg_size;               /* the protocol's cfg struct */
    proto_role roles[PROTO_ROLES_MAX];
    uint32_t role_count;
    const char *workloads[PROTO_WORKLOADS_MAX];   /* workloads it can drive, NULL-terminated */
    const char *checks[PROTO_CHECKS_MAX];   /* default checks, NULL-terminated */
    const struct lock_client_ops *lock_client;  /* for lock workloads, else NULL */
    /* Checks the param table cannot express (two params that contradict
     * each other, a param that must name nodes of some role; a bound on one
     * value belongs in the table), run after param_apply: 0, or -1 with
     * "path:line:col: error: ..." in err (param_error).  NULL = none. */
    int (*validate)(const void *cfg, const scn *s, char *err, size_t err_len);
    /* For transaction workloads (`transfer`): the coordinator-side library a
     * driver embeds (protocols/txn/txn_api.h), else NULL. */
    const struct txn_client_ops *txn_client;
} proto_desc;

typedef struct workload_desc {
    const char *name;              /* "lock-counter" */
    const char *summary;
    const param_spec *params;
    size_t param_count;
    size_t cfg_size;               /* the workload's cfg struct */
    const model_ops *driver;       /* the client model */
    /* As proto_desc.validate, for the workload's cfg; `proto` is the
     * protocol that drives it (its roles, its client library). */
    int (*validate)(const void *cfg, const scn *s, const proto_desc *proto, char *err,
                    size_t err_len);
    /* The data a resource loads before the run, for workloads that have
     * some (the db node asks its workload for a db_seed, protocols/db/db.h):
     * fills *out (out_size bytes, the resource's seed type) and returns
     * true; NULL = loads nothing. */
    bool (*seed)(const void *cfg, void *out, size_t out_size);
    /* A lower bound on the events its clients need (the requests of every
     * iteration and their replies), so that sim_create refuses up front a
     * run that could never finish inside its event budget; *key gets the
     * parameter that drives it, where the error points.  NULL = none. */
    uint64_t (*events_min)(const void *cfg, const char **key);
    /* The operations its clients will invoke, at least (iterations times
     * clients, for a workload that stops when they are done), so that the
     * history's projection (sim.c, sim_hist_grew) can stop at once a run
     * that will pass its memory budget.  Never more than the run can
     * invoke: an overstatement could stop a run that would fit; an
     * understatement only stops it later.  NULL = no projection (the run
     * stops when the budget is spent). */
    uint64_t (*ops_max)(const void *cfg, const scn *s);
    /* The run's outcome in the workload's own words, one line without a
     * final full stop, counted from its cfg and the finished run's history
     * ("10 sold, 190 told sold out, 0 oversold"; "final counter 1,
     * expected 2: 1 update lost").  It is told first: on the terminal
     * (`outcome` under `ccsim run`'s header), at the top of story.txt and
     * as summary.json's "outcome" (sim_outcome).  NULL = none told. */
    void (*outcome)(const void *cfg, const hist *h, const scn *s, char *buf, size_t len);
} workload_desc;

/* A range of message types or timer tags, both ends included. */
typedef struct family_range {
    uint32_t lo, hi;
} family_range;

/* One line for trace.log about a message this family owns ("SET lock c1:1
 * NX PX 10000"); false when the message is not one of its own. */
typedef bool (*family_describe_fn)(uint32_t type, const void *body, uint32_t len, char *buf,
                                   size_t buf_len);

typedef struct family_desc {
    const char *name;              /* "redis": the folder's name, for messages */
    /* The message types it defines and the timer tags its code sets on a
     * node that runs another family's code too (a client library inside a
     * workload driver); {0, 0} ends each list.  A model alone on its node
     * may use tags below FAMILY_TAG_PRIVATE freely. */
    family_range msgs[FAMILY_RANGES_MAX];
    family_range tags[FAMILY_RANGES_MAX];
    family_describe_fn describe;   /* NULL = its messages print as "message type N" */
    const proto_desc *const *protocols;    /* NULL-terminated; NULL = none */
    /* The history kinds it declares (hist.h): their numbers lie in `kinds`
     * (above HIST_KIND_CORE_MAX, the core's), their names in `ops` and `effects`
     * ({0, NULL}-terminated; NULL = none), in the order reports list them. */
    family_range kinds[FAMILY_RANGES_MAX];
    const hist_kind_def *ops;
    const hist_kind_def *effects;
} family_desc;

/* Timer tags below this belong to the node's own model (a server, or a
 * workload driver's own timers); declared ranges start at or above it. */
#define FAMILY_TAG_PRIVATE 100u

#endif
