/* lin_internal.h -- what the lincheck modules share and nothing else uses:
 * the interner, the history's storage, the compiled models and the search.
 *
 * Values are interned as canonical EDN text (edn_canonical), so value
 * equality is id equality and a model state that is a value is just its id.
 * Trade-off: models that need a value's structure (cas pairs, txn micro-ops,
 * sets, kv tuples) re-read its text once per op when the model is compiled,
 * which keeps the history flat and cheap to build.
 */
#ifndef CCSIM_LIN_INTERNAL_H
#define CCSIM_LIN_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "sim/lincheck/lincheck.h"

void lin_assert_fail(const char *expr, const char *file, int line);
#define LIN_ASSERT(c) ((c) ? (void)0 : lin_assert_fail(#c, __FILE__, __LINE__))

void *lin_xmalloc(size_t n);                 /* aborts with a message when out of memory */
void *lin_xrealloc(void *p, size_t n);

static inline uint64_t lin_mix64(uint64_t x) {   /* splitmix64 finaliser */
    x ^= x >> 30;
    x *= UINT64_C(0xbf58476d1ce4e5b9);
    x ^= x >> 27;
    x *= UINT64_C(0x94d049bb133111eb);
    x ^= x >> 31;
    return x;
}

uint64_t lin_hash_bytes(const void *p, size_t n);

/* ---- interner: byte strings <-> dense ids 0, 1, 2... ---- */
typedef struct lin_intern {
    char *bytes;                 /* all strings back to back */
    size_t bytes_len, bytes_cap;
    uint64_t *off;               /* id -> offset; off[id + 1] - off[id] = length */
    uint32_t count, off_cap;
    uint64_t *hash;              /* id -> hash of its bytes */
    uint32_t *slots;             /* open addressing: id + 1, 0 = empty */
    uint32_t slot_mask;
    bool rolling;                /* polynomial hash: hash(a ++ b) from hash(a), hash(b) */
} lin_intern;

void lin_intern_init(lin_intern *t);
void lin_intern_free(lin_intern *t);
uint32_t lin_intern_bytes(lin_intern *t, const void *p, size_t n);
/* Same, with the hash already known (rolling interners: lin_roll_concat). */
uint32_t lin_intern_bytes_h(lin_intern *t, const void *p, size_t n, uint64_t hash);
uint64_t lin_roll_hash(const void *p, size_t n);
/* The rolling hash of a ++ b, given both hashes and b's length. */
uint64_t lin_roll_concat(uint64_t ha, uint64_t hb, size_t len_b);
const char *lin_intern_get(const lin_intern *t, uint32_t id, size_t *len);
size_t lin_intern_memory(const lin_intern *t);

/* ---- history ---- */
#define LIN_NO_KEY UINT32_MAX
#define LIN_NO_TIME INT64_MIN
#define LIN_NO_RANK UINT64_MAX

typedef struct lin_hop {         /* one paired operation of the history */
    int64_t process;
    uint32_t f;                  /* value id of the :f keyword */
    uint32_t value;              /* completion value (ok), else invoke value */
    uint32_t key;                /* value id of :key, or LIN_NO_KEY */
    uint8_t type;                /* lin_type */
    int64_t call_time, ret_time; /* :time, or LIN_NO_TIME */
    uint32_t call_line, ret_line;/* 0 when not read from a file */
    uint32_t call_col, ret_col;  /* of the :type value, for messages */
    uint64_t call_seq, ret_seq;  /* position among the history's events */
    uint64_t call_rank, ret_rank;/* real-time order; ret_rank LIN_NO_RANK for info */
} lin_hop;

struct lin_history {
    char name[256];              /* file name for messages ("history" when built in memory) */
    lin_intern values;           /* id 0 is nil */
    lin_hop *ops;
    size_t count, cap;
    uint64_t seq;                /* events seen */
    bool all_timed;              /* every event had :time */
    int64_t *pending;            /* process -> op index + 1 (small open table) */
    int64_t *pending_proc;
    size_t pending_cap, pending_count;
    uint32_t *events;            /* op << 1 | is_return, in real-time order (lin_history_order) */
    size_t event_count;
    bool ordered;
};

uint32_t lin_value_nil(void);    /* always 0 */
/* Interns an EDN value; returns its id. */
struct edn_value;
uint32_t lin_value_intern(lin_history *h, const struct edn_value *v);
/* Sorts the events in real time; -1 with err set if a completion precedes its invocation. */
int lin_history_order(lin_history *h, char *err, size_t err_len);

/* ---- models ---- */
typedef enum lin_fcode {
    F_NOOP = 0,     /* always legal, no effect: dropped before the search */
    F_READ_EQ,      /* legal iff s == a */
    F_SET_TO,       /* s := a */
    F_CAS,          /* legal iff s == a; s := b */
    F_ACQUIRE,      /* legal iff s == 0; s := 1 */
    F_RELEASE,      /* legal iff s == 1; s := 0 */
    F_ADD,          /* s := s + a (two's complement) */
    F_TAKE,         /* legal iff s >= a (signed); s := s - a */
    F_BOOK,         /* legal iff s == LIN_FREE; s := a */
    F_CANCEL,       /* legal iff s != LIN_FREE; s := LIN_FREE */
    F_APPEND,       /* s := s ++ a (kv strings as trie nodes) */
    F_KV_READ,      /* legal iff the string of node s equals string a */
    F_SET_ADD,      /* s := s + {a} (numbered states) */
    F_TXN           /* multi-register micro-ops args[a .. a+b) */
} lin_fcode;

#define LIN_FREE UINT64_MAX

typedef struct lin_op {          /* one op as the search sees it */
    uint64_t a, b;
    uint32_t f;                  /* lin_fcode */
    uint32_t readonly;           /* 1: identity on every state where legal */
} lin_op;

typedef struct lin_model {
    int kind;                    /* index in lin_model_names */
    uint64_t init;               /* initial state */
    lin_intern states;           /* numbered states: kv strings, sets, register tuples */
    uint64_t *memo;              /* (state, op arg) -> state for append / set add: 3 words a slot */
    size_t memo_mask, memo_count;
    uint32_t *txn;               /* micro-ops: (is_write, register, value) triples */
    size_t txn_len, txn_cap;
    uint32_t *regs;              /* multi-register: value id of each register name */
    uint32_t nregs;
    uint32_t *kv_parent, *kv_token, *kv_len;   /* kv: trie node -> parent, appended string, length */
    uint64_t *kv_hash;           /* kv: rolling hash of the node's whole string */
    size_t kv_count, kv_cap;
} lin_model;

/* Compiles h's ops for the model: ops[i] and keys[i] for each history op;
 * keep[i] false for ops that impose nothing (fail, reads of nil...).
 * Returns 0, or -1 with "name:line: error: ..." in err. */
int lin_model_compile(lin_model *m, const char *model, const char *init, lin_history *h,
                      lin_op *ops, uint32_t *keys, bool *keep, char *err, size_t err_len);
void lin_model_free(lin_model *m);
size_t lin_model_memory(const lin_model *m);
/* Out of line steps for numbered-state ops. */
bool lin_model_step_slow(lin_model *m, uint64_t s, const lin_op *op, uint64_t *out);
/* Describes state s in EDN terms, for explanations. */
void lin_model_describe(const lin_model *m, const lin_history *h, uint64_t s, char *out, size_t cap);

static inline bool lin_step(lin_model *m, uint64_t s, const lin_op *op, uint64_t *out) {
    switch (op->f) {
    case F_READ_EQ: *out = s; return s == op->a;
    case F_SET_TO: *out = op->a; return true;
    case F_CAS: *out = op->b; return s == op->a;
    case F_ACQUIRE: *out = 1; return s == 0;
    case F_RELEASE: *out = 0; return s == 1;
    case F_ADD: *out = s + op->a; return true;
    case F_TAKE: *out = s - op->a; return (int64_t)s >= (int64_t)op->a;
    case F_BOOK: *out = op->a; return s == LIN_FREE;
    case F_CANCEL: *out = LIN_FREE; return s != LIN_FREE;
    case F_NOOP: *out = s; return true;
    default: return lin_model_step_slow(m, s, op, out);
    }
}

/* ---- search ---- */
typedef struct lin_budget {
    uint64_t deadline_ns;        /* monotonic clock; 0 = none */
    uint64_t max_configurations; /* work: configurations explored, all parts together; 0 = none */
    uint64_t configurations;     /* explored so far, all parts together */
    size_t max_bytes;            /* for all memo tables and model states together */
    size_t used_bytes;           /* memo tables alive now */
    bool timed_out, out_of_work, out_of_memory;
} lin_budget;

typedef struct lin_search_in {   /* one partition */
    const lin_op *ops;           /* n ops */
    const uint32_t *src;         /* history op index of each */
    const uint32_t *events;      /* op << 1 | is_return, real-time order; info ops have no return */
    size_t n, event_count;
    uint64_t init;
} lin_search_in;

#define LIN_PAUSED 4             /* lin_search_run: the configuration limit was reached */

typedef struct lin_search_out {
    int verdict;                 /* lin_verdict or LIN_PAUSED */
    uint64_t configurations;
    size_t peak_cache_bytes;
    const uint32_t *best;        /* local op indices of the longest linearizable prefix */
    size_t best_len;
} lin_search_out;

typedef struct lin_search lin_search;
uint64_t lin_now_ns(void);
/* A search of one partition; in must outlive it. */
lin_search *lin_search_new(lin_model *m, const lin_search_in *in, lin_budget *b);
/* Runs until a verdict, a budget, or `limit` configurations in total;
 * can be called again after LIN_PAUSED to go on where it stopped. */
int lin_search_run(lin_search *s, uint64_t limit);
void lin_search_result(const lin_search *s, lin_search_out *out);
/* Frees the memo table (returning its bytes to the budget) and the rest. */
void lin_search_free(lin_search *s);

#endif
