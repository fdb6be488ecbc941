/* shard.h -- the `sharded-kv` protocol: accounts spread over shards by the
 * hash of a shard key, each shard a primary with asynchronous replicas
 * that apply its log `lag` behind (docs/protocols/sharding.md).
 *
 * Roles: primary (1..SH_SHARDS_MAX: shard i is the i-th primary in the
 * scenario), replica (replica j copies shard j mod shards, in scenario
 * order), client (the `shard-transfer` and `shard-session` workloads).
 *   primary: DEPOSIT, DEBIT, CREDIT and READ on its accounts; each change
 *            is one log entry (position 1, 2, ...) forced to disk before
 *            the answer and shipped to the shard's replicas;
 *   replica: applies the entries in order, `lag` after each arrives, and
 *            answers READs from what it has applied; a READ carrying a
 *            position waits until the replica has applied it.
 * Transfers across shards (param `transfer`):
 *   two-writes  the client debits on the payer's shard, then credits on the
 *               payee's: two separate writes, no transaction between them;
 *   outbox      the payer's shard writes the debit and a transfer intent
 *               (an outbox row) in one local transaction; its relay sends
 *               the credit to the payee's shard until it is acknowledged;
 *               the payee applies each transfer id once.
 * A transfer whose two accounts share a shard is one local transaction.
 * The shard key (param `shard-key`): `account` hashes the account's name
 * (FNV-1a, mod the number of shards); `customer` hashes its owner's
 * ("cust1" owns acct1 and acct2, "cust2" acct3 and acct4, ...), so one
 * customer's accounts share a shard.
 * Reads (param `read-from`): `primary`; `replica` (round robin over the
 * shard's replicas); `sticky` (always the same replica: the client's
 * node index mod the shard's replicas); `position` (round robin, carrying
 * the newest log position the session wrote or read on that shard).
 * Durability: every node forces each change to disk before it answers or
 * applies, so a crash and a power loss keep the same state; what is lost
 * is in memory only (a replica's entries waiting out their lag, its parked
 * reads, the relay's timer) and is fetched or re-armed on restart.
 *
 * History: ops TRANSFER, DEPOSIT (value_out = the version committed),
 * READ (value_out = the version read; note = which node answered and the
 * balance); the effects below; primaries alone record BALANCE_INIT and
 * BALANCE (hist.h, "Money"), so the `conservation` check counts each
 * account once.  Message types and kinds 1750-1799.
 */
#ifndef CCSIM_SHARD_H
#define CCSIM_SHARD_H

#include "sim/config.h"
#include "sim/env.h"

/* sharded-kv range 1750-1799 */
#define SH_MSG_DEPOSIT        1750u  /* client -> primary: key, amount */
#define SH_MSG_DEPOSIT_REPLY  1751u  /* version, balance, pos */
#define SH_MSG_DEBIT          1752u  /* client -> payer's primary: key, key2, amount, tid */
#define SH_MSG_DEBIT_REPLY    1753u  /* flag = SH_DEBIT_* */
#define SH_MSG_CREDIT         1754u  /* client or relay -> payee's primary: key, amount, tid */
#define SH_MSG_CREDIT_REPLY   1755u
#define SH_MSG_READ           1756u  /* client -> any: key, pos = the position to wait for (0 = none) */
#define SH_MSG_READ_REPLY     1757u  /* version, balance, pos = the server's applied position */
#define SH_MSG_REPL           1760u  /* primary -> replica: the entry at pos (key, version, balance) */
#define SH_MSG_CATCHUP        1761u  /* replica -> primary: send the entries from pos on */

#define SH_SHARDS_MAX 4
#define SH_REPLICAS_MAX 8            /* replicas in all */
#define SH_KEYS_MAX 8
#define SH_LOG_MAX 4096              /* log entries per primary */
#define SH_INTENTS_MAX 256           /* outbox rows per primary */
#define SH_WAITERS_MAX 16            /* reads a replica holds until it catches up */

enum { SH_KEY_ACCOUNT = 0, SH_KEY_CUSTOMER };
enum { SH_TWO_WRITES = 0, SH_OUTBOX };
enum { SH_READ_REPLICA = 0, SH_READ_PRIMARY, SH_READ_STICKY, SH_READ_POSITION };

/* DEBIT_REPLY.flag */
enum {
    SH_DEBIT_REFUSED = 0,            /* not enough money: nothing changed */
    SH_DEBIT_DONE = 1,               /* both accounts on this shard: debit and credit committed */
    SH_DEBIT_CREDIT_YOURS = 2,       /* two-writes: debited; the client must credit */
    SH_DEBIT_OUTBOX = 3,             /* outbox: debited, and the intent will be relayed */
};

/* Every message has this body; each type uses the fields its line says. */
typedef struct sh_msg {
    uint32_t req;                    /* the sender's request number, echoed; 0 = relay */
    uint32_t op;                     /* the history op it serves */
    uint32_t key, key2;              /* account indices 0 .. accounts-1 */
    uint32_t flag;
    uint32_t tid;                    /* a transfer's id, unique in the run */
    int64_t amount;
    int64_t version, balance;
    uint64_t pos;                    /* a log position (1, 2, ...) */
} sh_msg;

typedef struct sh_cfg {
    int shard_key;                   /* SH_KEY_* */
    int transfer;                    /* SH_TWO_WRITES / SH_OUTBOX */
    int read_from;                   /* SH_READ_* */
    param_per_node lag;              /* per replica: from an entry's arrival to its apply */
    int64_t accounts;
    int64_t balance;                 /* every account's opening balance */
    sim_time relay_every_ns;         /* outbox: the relay's retry interval */
} sh_cfg;

/* Who is who, from the roles (the same in every node). */
typedef struct sh_topo {
    node_id primary[SH_SHARDS_MAX];
    node_id replica[SH_REPLICAS_MAX];
    uint32_t shards, replicas;
} sh_topo;

extern const model_ops sh_primary_ops;
extern const model_ops sh_replica_ops;

void sh_topo_load(env *e, sh_topo *t);
/* The shard that holds account `key` under the cfg's shard key. */
uint32_t sh_shard_of(const sh_cfg *c, uint32_t shards, uint32_t key);
/* The shard a replica node copies, or -1 when n is no replica. */
int sh_replica_shard(const sh_topo *t, node_id n);
/* The i-th replica of a shard (i mod its replicas), or its primary when it
 * has none. */
node_id sh_replica_of(const sh_topo *t, uint32_t shard, uint32_t i);
uint32_t sh_replicas_of(const sh_topo *t, uint32_t shard);
/* "acct1", "acct2"...: the name the history gives account index i. */
void sh_key_name(uint32_t key, char *buf, size_t len);
bool sh_describe(uint32_t type, const void *body, uint32_t len, char *buf, size_t buf_len);
/* The longest a replica held a read until it had applied the position the
 * read carried (read-from: position), from a run's WAIT and SERVE effects:
 * that remedy's cost, which read-your-writes and monotonic-reads both tell;
 * 0 = no read held. */
sim_time sh_longest_read_wait(const hist *h);
/* "acct3" -> 2; -1 for a name that is no account's. */
int sh_key_index(const char *key);
/* When a primary committed key's version, from the run's COMMIT effects;
 * 0 = never. */
sim_time sh_commit_time(const hist *h, const char *key, int64_t version);

/* The history kinds of sharded-kv (hist.h; kinds 1750-1779).  Every
 * effect: key = the account, client = the node it is for (-1 = none),
 * op = the op it serves. */
enum {
    SH_F_TRANSFER = 1750,   /* key = payer, key2 = payee, delta = -amount, value_in = amount */
    SH_F_DEPOSIT = 1751,    /* key, delta = amount; value_out = the version committed */
    SH_F_READ = 1752,       /* key; value_out = the version read; note = "from N: balance B" */
    SH_EFF_COMMIT = 1760,   /* primary: version, value = balance, aux = log position */
    SH_EFF_APPLY = 1761,    /* replica: version, value = balance, aux = log position */
    SH_EFF_SERVE = 1762,    /* a read answered: version, value = balance, aux = applied position */
    SH_EFF_WAIT = 1763,     /* replica: a read waits; value = its position, aux = applied */
    SH_EFF_INTENT = 1764,   /* payer's primary: outbox row; key = payee, value = amount, aux = tid */
    SH_EFF_RELAYED = 1765,  /* payer's primary: the payee acknowledged; aux = tid */
    SH_EFF_CREDIT_DUP = 1766, /* payee's primary: a credit of a transfer it applied; aux = tid */
};

#endif
