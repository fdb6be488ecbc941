/* register.h -- the `replicated-register` protocol: one register replicated
 * on N replicas, in a CP or an AP configuration (issue 16 item 7; Gilbert
 * and Lynch 2002; docs/protocols/cap.md).
 *
 * Roles: replica (1..REG_REPLICAS_MAX, model reg_replica_ops), client (run
 * by the `register-rw` workload).  A client sends each read or write to its
 * home replica (the workload's `home`), which answers it:
 *
 *   mode: cp  the home replica coordinates a majority quorum (ABD: Attiya,
 *             Bar-Noy and Dolev 1995): a query round learns the highest
 *             timestamp (counter, replica) from a majority, a store round
 *             writes (the new timestamp and value for a write; what the
 *             query found, for a read) to a majority, then it answers.  No
 *             majority within `timeout`: it refuses ("no quorum"), so the
 *             minority side of a partition is unavailable.
 *   mode: ap  the home replica applies the write at once with a timestamp
 *             from its own WALL clock, answers, and replicates it to the
 *             others asynchronously (at once, and again every `anti_entropy`
 *             until the network lets it through); a read answers its own
 *             copy.  When two copies meet (a heal), `resolve` decides:
 *             lww       the higher (wall timestamp, replica) wins, the other
 *                       is dropped: a write acknowledged on the losing side
 *                       is lost, and a slow clock loses even newer writes;
 *             siblings  both are kept as siblings (version vectors tell
 *                       concurrent values from superseded ones, as in
 *                       Dynamo), until a later write at a replica that holds
 *                       them replaces them all.
 *
 * Durability: a replica writes its register (value, timestamp, version
 * vector, siblings) to a log it fsyncs before it acknowledges anything, so
 * a crash and a power loss both keep every acknowledged value; a
 * coordination under way (cp) and the anti-entropy timer are in memory and
 * lost, so the client's request times out (info).
 *
 * Version vectors are kept in both AP modes.  LWW never decides by them: they
 * let the replica record, when LWW drops a value, whether the winner had
 * seen it (superseded: not a loss) or not (REG_EFF_DISCARD: an acknowledged
 * write lost), which the `lost-writes` check counts.
 */
#ifndef CCSIM_REGISTER_H
#define CCSIM_REGISTER_H

#include "sim/config.h"
#include "sim/env.h"

#define REG_REPLICAS_MAX 7u

/* Messages (the register's range 1550-1599). */
#define REG_MSG_REQ        1550u   /* client -> home replica: a read or a write */
#define REG_MSG_REPLY      1551u   /* home replica -> client */
#define REG_MSG_QUERY      1552u   /* cp: coordinator -> replica: your timestamp? */
#define REG_MSG_QUERY_ACK  1553u   /* cp: replica -> coordinator: (ts, value) */
#define REG_MSG_STORE      1554u   /* cp: coordinator -> replica: keep (ts, value) if newer */
#define REG_MSG_STORE_ACK  1555u   /* cp: replica -> coordinator */
#define REG_MSG_REPL       1556u   /* ap: replica -> replica: one copy (a sibling) */

typedef enum { REG_CP = 0, REG_AP } reg_mode;
typedef enum { REG_LWW = 0, REG_SIBLINGS } reg_resolve;
typedef enum { REG_OP_READ = 0, REG_OP_WRITE } reg_op_kind;
typedef enum { REG_REPLY_OK = 0, REG_REPLY_NO_QUORUM, REG_REPLY_UNKNOWN } reg_status;

typedef struct reg_cfg {
    int mode;                     /* reg_mode */
    int resolve;                  /* reg_resolve (ap) */
    sim_time timeout_ns;          /* cp: how long a coordinator waits for a majority */
    sim_time anti_entropy_ns;     /* ap: how often a replica pushes its copy to the others */
} reg_cfg;

/* One version of the register as it travels: its value, timestamp, who
 * wrote it (the client node and its op, for the history), and (ap) its
 * version vector.  ts is (counter, replica) in cp, (wall ns, replica) in ap. */
typedef struct reg_version {
    int64_t value;
    int64_t ts;
    int32_t ts_node;              /* replica index that stamped it, -1 = the initial value */
    int32_t writer;               /* client node, -1 = none */
    uint32_t op;                  /* the writer's op, HIST_NONE = none */
    uint32_t parent;              /* the op of the version it was written over, HIST_NONE = none */
    uint32_t vv[REG_REPLICAS_MAX];
} reg_version;

typedef struct reg_req {
    uint32_t req, op;             /* the client's request number and its history op */
    uint8_t kind;                 /* reg_op_kind */
    uint8_t pad[7];
    int64_t value;                /* write: the value */
} reg_req;

typedef struct reg_reply {
    uint32_t req, op;
    uint8_t status;               /* reg_status */
    uint8_t answered, needed;     /* cp refusals: replicas that answered, majority */
    uint8_t siblings;             /* ap siblings read: how many values it held */
    uint8_t replicas;             /* cp refusals: the replica count */
    uint8_t pad[3];
    int64_t value;                /* read: the value (of siblings: the latest timestamp's) */
    int64_t other;                /* read of siblings: another sibling's value */
} reg_reply;

typedef struct reg_coord_msg {    /* QUERY, QUERY_ACK, STORE, STORE_ACK */
    uint32_t seq;                 /* the coordination it belongs to */
    uint32_t pad;
    reg_version v;                /* QUERY_ACK, STORE: the version */
} reg_coord_msg;

extern const model_ops reg_replica_ops;

bool reg_describe(uint32_t type, const void *body, uint32_t len, char *buf, size_t buf_len);

/* The history kinds of the register (hist.h; kinds 1550-1569).  Ops are
 * the core's READ and WRITE (key "x"), so `linearizable` judges them. */
enum {
    /* a replica now holds a new version: value, version = ts, aux = the
     * replica that stamped it, client = its writer, op = the write, token =
     * the write it was written over (its parent; HIST_NONE = the initial
     * value): in lww each version has one parent, and a version's version
     * vector covers exactly its chain of parents */
    HIST_EFF_REG_STORE = 1560,
    /* ap: a replica dropped a version its winner had not seen (LWW): value =
     * the dropped value, aux = the winner's value, version = the dropped ts,
     * epoch = the winner's ts, client = its writer, op = its write, token =
     * its parent (as for STORE) */
    HIST_EFF_REG_DISCARD = 1561,
    /* ap siblings: a replica holds `value` concurrent versions (>= 2),
     * aux = the newest one's value */
    HIST_EFF_REG_SIBLINGS = 1562,
    /* cp: a coordinator gave up without a majority: value = replicas that
     * answered (itself included), aux = the majority, client = who asked,
     * op = its request, key = "query" or "store" (the round that failed) */
    HIST_EFF_REG_REFUSE = 1563,
    /* the workload's availability target: value = ppm of requests that
     * must be answered on every side of a partition (recorded once) */
    HIST_EFF_REG_TARGET = 1564,
};

#endif
