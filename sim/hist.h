/* hist.h -- the run's history: client operations and resource effects.
 *
 * This is what checkers read, what reports write (history.edn, story.txt)
 * and what the timeline draws.  Everything is stamped in TRUE time by the
 * engine; nodes' local clock readings are kept beside it where they matter
 * for the story ("the lock expired on redis1 at 10.001 s by its clock").
 *
 * Operations (DESIGN.md 3): an invoke and a completion of a client-visible
 * operation.  A completion is ok, fail (did not happen) or info (outcome
 * unknown); an op still pending at the horizon has result HIST_PENDING.
 * Effects: what a resource or a service actually did, where it did it.
 *
 * Kinds.  An op's function (hist_f) and an effect's kind (hist_eff_kind)
 * are numbers, and the engine gives them no meaning.  The few every family
 * shares are declared here (HIST_CORE_KINDS: read, write, cas, incr;
 * balances, blocked windows, retries).  Every other kind is declared by the
 * family that records it, in its own header, with a number from its
 * family_desc `kinds` range and a name in its `ops` / `effects` tables
 * (sim/family.h): the lock vocabulary in protocols/lock/lock_api.h, 2PC's
 * in protocols/twopc/twopc.h, the database's in protocols/db/db.h, and so
 * on.  Each kind's declaration says what its fields hold.  Names reach
 * checks and reports through the history's vocabulary (hist.vocab, set by
 * whoever creates the run: the registry knows every family's kinds), so
 * adding a family touches neither this file nor the engine.
 *
 * Fields.  Every record has the same generic fields; a kind uses those its
 * declaration names: key and key2 (a resource, row, account, lock or
 * transaction name), value and delta, the lock epoch and fencing token it
 * carried, the version of the item it read or wrote, the transaction it
 * belongs to, and aux and pred, whose meaning the kind gives.
 *
 * Memory (issue 17: at most 64 bytes per operation or effect on average,
 * records, side tables and texts; `make bench` prints it, bench_hist).  A
 * writer gives a record at full width (hist_op_fields, hist_effect_fields)
 * and the history keeps it narrower: an effect in 56 bytes, an op in 80.
 * Decision: narrow what is bounded by construction (node ids, below
 * SIM_NODES_MAX, in 16 bits), keep in 32 bits what is almost always small
 * (epochs, tokens) with the rare wide value whole in a side table, and
 * move the fields most records leave at their default (an effect's
 * version and transaction, an op's key2, a wall clock that is not true
 * time) to side tables by record index, sorted, read through accessors
 * (hist_effect_version ...) in O(log n).  Nothing is cut to fit: a value
 * the record cannot hold is in a side table, and a record the history
 * cannot take is refused (hist_refusal says why when it is not the
 * budget).  The cost moves to the families that set those fields: an
 * effect with a version or a transaction takes 16 bytes more (a database
 * run's reads and writes: 72), one on a node whose clock is off 16 more.
 * Texts are kept once each, their places in the table's hash in 32 bits.
 * Measured (bench_hist): the 1-hour Redlock bench 86.1 -> 62.1 bytes per
 * record, the 400 000-saga bench 93.3 -> 63.3.
 *
 * Money (the `conservation` check): every resource that holds accounts
 * records HIST_EFF_BALANCE_INIT once per account when it starts (key =
 * account, value = opening balance, in integer cents or units) and
 * HIST_EFF_BALANCE each time a committed change sets an account's balance
 * (value = the new balance).  Blocking (the `liveness` check): HIST_EFF_BLOCKED
 * when a node starts waiting on something it cannot decide alone (key =
 * what it waits for, client = the node it waits on or -1), HIST_EFF_UNBLOCKED
 * with the same key when the wait ends.  A client that runs an op again
 * after a failed attempt records HIST_EFF_RETRY (value = the attempt
 * starting, key = why).  Lost requests (the story): the engine records
 * HIST_EFF_LOST for every message dropped because its destination was
 * down when it arrived, so a client left waiting for a reply that cannot
 * come is told why.
 *
 * Invariant: ops[i].id == i; effects are appended in true-time order;
 * an op's complete_ns >= invoke_ns; no record has kind HIST_KIND_NONE.
 * Bound: a memory budget, max_bytes (HIST_BYTES_DEFAULT unless the run
 * is given another: `ccsim run --max-memory BYTES`); a record that would
 * take the history past it, with its side-table entries, is refused
 * (hist_add_* return false), and the
 * engine ends the run naming the budget.  The engine also projects the
 * history's size at the horizon from its growth so far and stops a run
 * that is on course to pass the budget as soon as it can tell (sim.c,
 * sim_hist_grew), instead of after simulating up to the bound.  Ids are
 * 32-bit: HIST_OPS_MAX and HIST_EFFECTS_MAX are the counts no budget
 * raises.
 */
#ifndef CCSIM_HIST_H
#define CCSIM_HIST_H

#include "sim/base.h"

#define HIST_OPS_MAX      (UINT32_MAX - 1u)
#define HIST_EFFECTS_MAX  (UINT32_MAX - 1u)
#define HIST_BYTES_DEFAULT ((size_t)2 << 30)     /* 2 GiB of records and texts */
#define HIST_NOTE_MAX     48
#define HIST_NONE         UINT32_MAX     /* "no op" in hist_effect.op */

typedef enum {
    HIST_PENDING = 0, HIST_OK, HIST_FAIL, HIST_INFO
} hist_result;

/* A kind: an op's function or an effect's kind.  0 is no kind; 1-99 are
 * the core's (below); families take theirs from their `kinds` range. */
typedef uint16_t hist_f;
typedef uint16_t hist_eff_kind;
#define HIST_KIND_NONE 0u
#define HIST_KIND_CORE_MAX 99u

/* The kinds every family may record (names in hist_core_vocab). */
enum {
    HIST_F_READ = 1,          /* a read of a register: value_out = what it saw */
    HIST_F_WRITE = 2,         /* a write: value_in = the value written */
    HIST_F_CAS = 3,           /* compare-and-set: value_in = the new value */
    HIST_F_INCR = 4,          /* an increment */
    HIST_EFF_READ = 10,       /* a resource applied a read (value, version, txn) */
    HIST_EFF_WRITE = 11,      /* a resource applied a write (value, version, txn) */
    HIST_EFF_BALANCE_INIT = 12,   /* an account's opening balance (key, value) */
    HIST_EFF_BALANCE = 13,    /* an account's balance after a committed change */
    HIST_EFF_BLOCKED = 14,    /* a node starts waiting (key = on what, client = on whom) */
    HIST_EFF_UNBLOCKED = 15,  /* ... and stops (same key) */
    HIST_EFF_RETRY = 16,      /* a client runs its op again: value = attempt, key = why */
    HIST_EFF_REJECT = 17,     /* a resource refused a write (fencing: a stale token) */
    HIST_EFF_LOST = 18,       /* the engine dropped a message where it arrived, because
                                 its node was down (crashed): node = that node, client =
                                 the sender, value = when it was sent, aux = its type */
};

/* How an op's :value reads in history.edn (Jepsen's conventions). */
typedef enum {
    HIST_VALUE_NIL = 0,      /* always nil */
    HIST_VALUE_READ,         /* nil at invoke, what it read at an ok completion */
    HIST_VALUE_WRITE,        /* value_in, at invoke and completion */
    HIST_VALUE_CAS,          /* [value_out value_in] */
    HIST_VALUE_ASKED_GOT     /* value_in asked at invoke; value_out got at an ok completion */
} hist_value_style;

/* How a timeline marks an effect on the lane of the node where it
 * happened (sim/report/plot_marks.c); NONE = not drawn as a mark. */
typedef enum {
    HIST_MARK_NONE = 0, HIST_MARK_DOT, HIST_MARK_SQUARE, HIST_MARK_CROSS, HIST_MARK_TRI,
    HIST_MARK_DIAMOND
} hist_mark_shape;
#define HIST_MARK_CLIENT_RGB 0u    /* the colour of the client the effect is for */
#define HIST_MARK_GREY 0x555555u
#define HIST_MARK_LIGHT 0x999999u

struct hist_effect_fields;
/* A mark's short label ("votes yes"); client = the name of the node the
 * effect is for, "?" when none. */
typedef void (*hist_label_fn)(const struct hist_effect_fields *e, const char *client, char *buf,
                              size_t len);

/* One kind, as the family that records it declares it. */
typedef struct hist_kind_def {
    uint16_t kind;
    const char *name;        /* as history.edn and summary.json print it; NULL ends a table */
    hist_value_style value;  /* ops: its :value in history.edn */
    hist_mark_shape mark;    /* effects: how a timeline marks it */
    uint32_t mark_rgb;       /* its colour, HIST_MARK_CLIENT_RGB = the client's */
    hist_label_fn label;     /* its label, NULL = none */
    bool only_when_used;     /* reports that list every kind (summary.json's counts,
                                latency) list it only in runs that recorded one, so the
                                reports of runs from before it was added keep their bytes */
} hist_kind_def;

/* Every kind a run may record: the core's and the families'.  ops and
 * effects are separate lists, each in the order reports print them;
 * *_find returns a kind's declaration, NULL when unknown.  Stateless
 * functions over constant tables (the registry's registry_vocab). */
typedef struct hist_vocab {
    size_t (*op_count)(void);
    const hist_kind_def *(*op_at)(size_t i);
    const hist_kind_def *(*op_find)(hist_f f);
    size_t (*effect_count)(void);
    const hist_kind_def *(*effect_at)(size_t i);
    const hist_kind_def *(*effect_find)(hist_eff_kind k);
} hist_vocab;

/* A {.name = NULL}-terminated table of kinds (NULL = empty): how many it
 * holds, and the declaration of `kind` in it (NULL when absent). */
size_t hist_kinds_count(const hist_kind_def *table);
const hist_kind_def *hist_kinds_find(const hist_kind_def *table, uint16_t kind);

/* The core's own kinds, for runs made without the registry (tests). */
extern const hist_vocab hist_core_vocab;
extern const hist_kind_def hist_core_ops[];
extern const hist_kind_def hist_core_effects[];

/* Strings (note, key, key2) point into the history's string table: a
 * writer points them at its own text (NULL = ""), and hist_add_op /
 * hist_add_effect copy it there once per distinct text (truncated to
 * HIST_NOTE_MAX - 1 or SIM_NAME_MAX - 1 bytes), so a stored record's
 * strings are never NULL and live as long as the history.
 *
 * An operation as its writer gives it (env_op_invoke, env_op_complete,
 * hist_add_op) and as hist_op_get reads it back: every field at full
 * width. */
typedef struct hist_op_fields {
    sim_time invoke_ns;      /* true time */
    sim_time complete_ns;    /* true time, SIM_TIME_NEVER while pending */
    sim_time invoke_local_ns;   /* the client's wall clock at invoke */
    int64_t value_in;        /* write: value written; cas: new value */
    int64_t value_out;       /* read: value read; (lock) acquire: token */
    int64_t epoch;           /* lock epoch the op ran under, 0 = none */
    int64_t token;           /* fencing token carried, 0 = none */
    int64_t delta;           /* the change to key it asks for (a buy: -qty) */
    const char *note;        /* why it failed, e.g. "stale token 33 < 34" */
    const char *key;         /* the row/account/item it changes, "" = none */
    const char *key2;        /* the account credited with -delta, "" = outside the system */
    uint32_t id;
    int32_t node;            /* client node index */
    uint32_t process;        /* Jepsen :process, = index of the client in the workload */
    hist_f f;
    uint8_t result;          /* a hist_result */
    bool has_value_in : 1, has_value_out : 1;
} hist_op_fields;

/* An operation as the history keeps it: 80 bytes (sim/hist.c checks).
 * The node in 16 bits; the epoch and the token in 32 when below
 * HIST_TOKEN_WIDE, else whole in a side table (hist_op_epoch,
 * hist_op_token); the client's wall clock at invoke where it is not true
 * time, and key2, in side tables by op index (hist_op_local_ns,
 * hist_op_key2: 16 bytes each for an op that has one). */
typedef struct hist_op {
    sim_time invoke_ns;      /* true time */
    sim_time complete_ns;    /* true time, SIM_TIME_NEVER while pending */
    int64_t value_in;        /* write: value written; cas: new value */
    int64_t value_out;       /* read: value read; (lock) acquire: token */
    int64_t delta;           /* the change to key it asks for (a buy: -qty) */
    const char *note;        /* why it failed, e.g. "stale token 33 < 34" */
    const char *key;         /* the row/account/item it changes, "" = none */
    uint32_t id;
    uint32_t process;        /* Jepsen :process, = index of the client in the workload */
    uint32_t epoch32;        /* the epoch, or HIST_TOKEN_WIDE: read hist_op_epoch */
    uint32_t token32;        /* the token, or HIST_TOKEN_WIDE: read hist_op_token */
    int16_t node;            /* client node index */
    hist_f f;
    uint8_t result;          /* a hist_result */
    bool has_value_in : 1, has_value_out : 1;
} hist_op;

/* An effect as its writer gives it (env_effect, hist_add_effect) and as
 * a mark's label reads it (hist_effect_get): every field at full width. */
typedef struct hist_effect_fields {
    sim_time t_ns;           /* true time */
    int64_t epoch;           /* epoch carried, 0 = none */
    int64_t token;           /* fencing token carried, 0 = none */
    int64_t value;           /* value read/written; for locks the expiry (local ns) */
    int64_t aux;             /* kind-specific: its declaration says (0 = unused) */
    int64_t version;         /* the version of the item read or written */
    const char *key;         /* resource, row, account, lock or transaction */
    int32_t node;            /* the node where it happened (storage, redis) */
    int32_t client;          /* client node the effect is for, -1 if none */
    uint32_t op;             /* op that caused it, HIST_NONE if none */
    uint32_t txn;            /* the transaction it belongs to (1, 2, ...), 0 = none */
    uint16_t pred;           /* kind-specific, with aux (a predicate's operator) */
    hist_eff_kind kind;
} hist_effect_fields;

/* An effect as the history keeps it: 56 bytes (sim/hist.c checks).  The
 * fields most effects set are here, node and client in 16 bits (node ids
 * are below SIM_NODES_MAX).  The rest is in side tables by effect index,
 * read through accessors: the token, kept in token32 when it is below
 * HIST_TOKEN_WIDE and else in a side table (hist_effect_token: 16 bytes
 * more for a wide one, such as a cache lease, boot << 32 | counter); the
 * version and the transaction, which most effects leave at 0
 * (hist_effect_version, hist_effect_txn: 16 bytes for an effect that sets
 * either); and the acting node's wall clock where it is not true time
 * (hist_effect_local_ns: 16 bytes). */
typedef struct hist_effect {
    sim_time t_ns;           /* true time */
    int64_t epoch;           /* epoch carried, 0 = none */
    int64_t value;           /* value read/written; for locks the expiry (local ns) */
    int64_t aux;             /* kind-specific: its declaration says (0 = unused) */
    const char *key;         /* resource, row, account, lock or transaction */
    uint32_t op;             /* op that caused it, HIST_NONE if none */
    uint32_t token32;        /* the token, or HIST_TOKEN_WIDE: read hist_effect_token */
    int16_t node;            /* the node where it happened (storage, redis) */
    int16_t client;          /* client node the effect is for, -1 if none */
    uint16_t pred;           /* kind-specific, with aux (a predicate's operator) */
    hist_eff_kind kind;
} hist_effect;

#define HIST_TOKEN_WIDE UINT32_MAX

/* Side tables, by record index ascending. */
typedef struct hist_wide {
    uint32_t at;             /* the effect's (or op's) index */
    int64_t value;           /* a wall clock reading, a token */
} hist_wide;

typedef struct hist_key2_entry {
    uint32_t at;             /* the op's index */
    const char *key2;
} hist_key2_entry;

typedef struct hist_eff_extra {
    uint32_t at;             /* the effect's index */
    uint32_t txn;
    int64_t version;
} hist_eff_extra;

/* The string table: each distinct text once, in chunks that never move. */
typedef struct hist_strtab {
    uint32_t *slots;         /* open addressing: a text's place, 0 = empty; cap a power of two */
    uint32_t cap, count;
    char **chunks;           /* the texts, NUL-terminated, back to back */
    uint32_t chunk_count;
    size_t chunk_used;       /* bytes used in the last chunk */
    size_t bytes;            /* bytes held by chunks and slots */
} hist_strtab;

typedef struct hist {
    const hist_vocab *vocab; /* the names of its kinds; never NULL after hist_init */
    hist_op *ops;
    uint32_t op_count, op_cap;
    hist_wide *op_far;       /* ops' wall clocks at invoke where not true time */
    uint32_t op_far_count, op_far_cap;
    hist_wide *op_epochs;    /* ops' epochs from HIST_TOKEN_WIDE up */
    uint32_t op_epoch_count, op_epoch_cap;
    hist_wide *op_tokens;    /* ops' tokens from HIST_TOKEN_WIDE up */
    uint32_t op_token_count, op_token_cap;
    hist_key2_entry *key2s;     /* ops' key2 where not "" */
    uint32_t key2_count, key2_cap;
    hist_effect *effects;
    uint32_t effect_count, effect_cap;
    hist_strtab strs;        /* the texts its records point to */
    hist_wide *far;          /* effects' wall clocks where not true time */
    uint32_t far_count, far_cap;
    hist_wide *tokens;       /* effects' tokens from HIST_TOKEN_WIDE up */
    uint32_t token_count, token_cap;
    hist_eff_extra *extra;   /* effects' versions and transactions where not 0 */
    uint32_t extra_count, extra_cap;
    /* Where the last lookup of far and of extra ended (hist.c, side_find_near):
     * readers walk the effects in order, so the next lookup starts there.
     * A cache: written by readers of a const history, it changes no record. */
    uint32_t far_hint, extra_hint;
    size_t max_bytes;        /* the budget: hist_bytes never passes it */
    int64_t epoch_next;      /* next lock epoch to hand out, starts at 1 */
    int64_t initial_value;   /* the counter's initial value */
    char refused[160];       /* why a record was refused other than by the budget, "" = not */
} hist;

void hist_init(hist *h);
void hist_free(hist *h);
/* Appends; false when the record would take the history past max_bytes
 * or its count past HIST_*_MAX (the caller ends the run). */
bool hist_add_op(hist *h, const hist_op_fields *op, uint32_t *id_out);
/* Completes pending op `id` at true time `now` with result r and, when
 * fields is not NULL, what they add: value_out (when has_value_out),
 * epoch and token (when not 0), note (when not "").  A wide epoch or
 * token, like the note's text, takes room past the budget's check. */
void hist_complete_op(hist *h, uint32_t id, hist_result r, sim_time now,
                      const hist_op_fields *fields);
/* The fields kept apart of op, an op of h, and all its fields. */
sim_time hist_op_local_ns(const hist *h, const hist_op *op);
int64_t hist_op_epoch(const hist *h, const hist_op *op);
int64_t hist_op_token(const hist *h, const hist_op *op);
const char *hist_op_key2(const hist *h, const hist_op *op);
hist_op_fields hist_op_get(const hist *h, const hist_op *op);
bool hist_add_effect(hist *h, const hist_effect_fields *e);
/* Why the last refused record was refused when the budget was not the
 * reason (a value that does not fit the history, sim/hist.c), NULL when
 * it was the budget. */
const char *hist_refusal(const hist *h);
/* As hist_add_effect, with the acting node's wall clock reading (the
 * engine's; hist_add_effect takes it to equal true time). */
bool hist_add_effect_at(hist *h, const hist_effect_fields *e, sim_time local_ns);
/* The fields kept apart of e, an effect of h: the acting node's wall
 * clock, the version, the token, the transaction; and all its fields. */
sim_time hist_effect_local_ns(const hist *h, const hist_effect *e);
int64_t hist_effect_version(const hist *h, const hist_effect *e);
int64_t hist_effect_token(const hist *h, const hist_effect *e);
uint32_t hist_effect_txn(const hist *h, const hist_effect *e);
hist_effect_fields hist_effect_get(const hist *h, const hist_effect *e);
/* The table's copy of `text` (its first `max` - 1 bytes; NULL = ""):
 * equal texts get the same pointer, valid until hist_free. */
const char *hist_intern(hist *h, const char *text, size_t max);
/* Whether two records say the same (texts compared as texts, not as
 * pointers: two histories have two string tables; an effect's fields
 * kept apart included), and whether two histories hold the same records
 * in the same order. */
bool hist_op_same(const hist_op_fields *a, const hist_op_fields *b);
bool hist_effect_same(const hist_effect_fields *a, const hist_effect_fields *b);
bool hist_same(const hist *a, const hist *b);
/* Bytes the history holds in records and side tables (its arrays counted
 * at their length, not their capacity). */
size_t hist_bytes(const hist *h);
/* The label "KEY": the effect's key (a transaction, a saga, an SQLSTATE). */
void hist_label_key(const hist_effect_fields *e, const char *client, char *buf, size_t len);

/* A kind's declaration and name from the history's vocabulary ("acquire",
 * "lock-set"); a kind the vocabulary lacks is an assertion. */
const hist_kind_def *hist_f_def(const hist *h, hist_f f);
const char *hist_f_name(const hist *h, hist_f f);
const char *hist_eff_name(const hist *h, hist_eff_kind k);
const char *hist_result_name(hist_result r);     /* "ok" "fail" "info" "pending" */

#endif
