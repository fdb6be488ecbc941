/* lincheck.h -- the linearizability checker: `ccsim lincheck` and the
 * `linearizable` check of a run share this interface.
 *
 * A history is a list of operations, each an invocation by one process and
 * its completion: ok (took effect, returned value), fail (did not take
 * effect: dropped) or info (outcome unknown: may take effect at any moment
 * after its invocation, or never; an op never completed is info too).
 * lin_check() decides whether some total order of the ok and info ops,
 * consistent with real time (an op that completed before another was
 * invoked comes first), is a legal sequential execution of the model.
 *
 * The answer is ok, illegal (with an explanation: the ops that cannot be
 * placed after the longest linearizable prefix) or unknown (a work, memory
 * or time budget ran out; says how far the search got).  Verdicts are
 * deterministic except for the time budget's cut-off, the only input that
 * depends on the wall clock: a caller that must give the same verdict on
 * every machine (the `linearizable` check of a run) sets timeout_ms = 0 and
 * bounds the search by max_configurations, which counts work.
 *
 * Models (the model's ops by :f, value as written in the history; reads
 * carry the value read in their completion, an ok read of nil gives no
 * information; every model but kv and multi-register also honours a :key
 * field and then checks each key on its own):
 *   register        :read v, :write v                          init nil
 *   cas-register    :read v, :write v, :cas [expected new]     init nil
 *   mutex           :acquire, :release (held at most once)     init free
 *   counter         :add n (also :incr), :read n               init 0
 *   set             :add x, :read #{x ...} (or a vector)       init #{}
 *   kv              :get/:read v, :put/:write v, :append s by :key, or
 *                   Jepsen [key value] tuples; per key          init "" (nil
 *                   counts as "")
 *   multi-register  :txn [[:read k v] [:write k v] ...]        init {k v ...}
 *   seat            :book who, :cancel, :read who (or :free);
 *                   a seat is booked at most once until cancelled  init free
 *   stock           :buy n (default 1), :restock n (also :add), :read n;
 *                   stock never goes below 0                   init 0
 *   balance         :deposit n, :withdraw n (only if covered), :read n
 *                                                              init 0
 */
#ifndef CCSIM_LINCHECK_H
#define CCSIM_LINCHECK_H

#include <stddef.h>
#include <stdint.h>

typedef enum lin_type { LIN_TYPE_OK = 0, LIN_TYPE_FAIL, LIN_TYPE_INFO } lin_type;

typedef enum lin_verdict {
    LIN_OK = 0,        /* linearizable */
    LIN_ILLEGAL = 1,   /* not linearizable */
    LIN_UNKNOWN = 3,   /* a budget ran out first */
    LIN_ERROR = 2      /* bad input (history, model name, init value) */
} lin_verdict;         /* the values are `ccsim lincheck`'s exit codes */

/* One operation, as the simulator records it.  Values are EDN text
 * ("3", "[1 2]", "\"abc\"", ":free"); NULL means nil. */
typedef struct lin_op_desc {
    int64_t process;
    const char *f;             /* "read", "write", "cas", ... (no ':') */
    const char *value;         /* completion value for ok, invoke value otherwise */
    const char *key;           /* NULL: no key */
    int64_t invoke_ns;         /* true time of the invocation */
    int64_t complete_ns;       /* true time of the completion; ignored for info */
    lin_type type;
} lin_op_desc;

typedef struct lin_history lin_history;

typedef struct lin_options {
    const char *model;         /* one of the names above */
    const char *init;          /* EDN text of the initial value; NULL: the model's default */
    uint64_t timeout_ms;       /* 0: no time budget (wall clock: not deterministic) */
    uint64_t max_configurations; /* work budget: configurations explored, all keys
                                  * together, checked every 4096; 0: none */
    uint64_t max_memory_mb;    /* 0: default LIN_MEMORY_MB_DEFAULT */
} lin_options;

#define LIN_TIMEOUT_MS_DEFAULT 60000u
#define LIN_MEMORY_MB_DEFAULT 1024u

typedef struct lin_result {
    lin_verdict verdict;
    size_t ops;                /* operations in the history (fail included) */
    uint64_t configurations;   /* distinct (linearized set, state) pairs explored */
    size_t prefix;             /* longest linearizable prefix found (illegal, unknown) */
    size_t peak_cache_bytes;   /* the memo table at its largest */
    char *explanation;         /* malloc'd text, one line per item, or NULL; free with lin_result_free */
} lin_result;

/* An empty history; NULL only when out of memory. */
lin_history *lin_history_new(void);
void lin_history_free(lin_history *h);

/* Adds one complete operation.  Returns 0, or -1 with a message in err
 * (a value that is not EDN, complete_ns < invoke_ns). */
int lin_history_add(lin_history *h, const lin_op_desc *op, char *err, size_t err_len);

/* Reads a Jepsen EDN history from buf (name is used in messages).  Returns 0,
 * or -1 with "name:line:col: error: ..." in err. */
int lin_history_read_edn(lin_history *h, const char *name, const char *buf, size_t len,
                         char *err, size_t err_len);

/* Number of operations read or added so far. */
size_t lin_history_count(const lin_history *h);

/* Checks h against opt->model.  Fills *out (free with lin_result_free).
 * Returns out->verdict; LIN_ERROR with the message in out->explanation for
 * an unknown model, a bad init value or an op the model does not know.
 * h is not changed in meaning (it caches its real-time order), so it can be
 * checked again, e.g. against another model. */
lin_verdict lin_check(lin_history *h, const lin_options *opt, lin_result *out);

void lin_result_free(lin_result *r);

/* Reads and checks one file: LIN_ERROR with the message in out->explanation
 * when it cannot be read or parsed. */
lin_verdict lin_check_file(const char *path, const lin_options *opt, lin_result *out);

/* `ccsim lincheck ARGS...`: argv[0] is "lincheck".  Prints one line per file
 * on stdout and returns the exit code (0 ok, 1 illegal, 3 unknown, 2 error). */
int lincheck_main(int argc, char **argv);

/* The model names, NULL-terminated, for `ccsim list checks` and the help. */
extern const char *const lin_model_names[];

#endif
