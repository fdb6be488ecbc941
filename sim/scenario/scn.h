/* scn.h -- a scenario file, loaded (DESIGN.md section 6 is the contract).
 *
 * scn_load() reads the YAML with libyaml into a `scn`: names resolved to
 * node indices, durations in ns, rates in ppm, every value with the 1-based
 * line:col it came from.  Protocol and workload parameters are kept as
 * generic key/value pairs (nested maps flattened with dots: `retry.every`),
 * because only the protocol knows its keys; param.h validates them against
 * the protocol's table and reports errors at the stored positions.
 *
 * Errors are user-input errors, never assertions:
 *   path/file.yaml:LINE:COL: error: what is wrong (what was expected)
 *
 * Invariant after a successful load: node names are unique; every node index
 * in faults, links and clocks is < node_count; fault times are within
 * [0, duration]; faults are sorted by `at` (stable: file order for ties).
 */
#ifndef CCSIM_SCN_H
#define CCSIM_SCN_H

#include <stdio.h>

#include "sim/base.h"
#include "sim/config.h"

#define SCN_PARAMS_MAX   128
#define SCN_FAULTS_MAX   1024
#define SCN_NEMESIS_DRAWS_MAX 256        /* expected faults in a nemesis window */
#define SCN_CHECK_BUDGET_MAX 1000000000000ull   /* check_budgets: configurations */
#define SCN_LINKS_MAX    256
#define SCN_DELAYS_MAX   64              /* link delays and loss bursts active at once (net.h) */
#define SCN_CHECKS_MAX   16
#define SCN_VALUE_MAX    CONFIG_STRING_MAX   /* sim/config.h */
#define SCN_KEY_MAX      96
#define SCN_TEXT_MAX     2048
#define SCN_LIST_MAX     64              /* items in a parameter list */
#define SCN_FILE_MAX     (1024 * 1024)   /* bytes of one scenario file */
#define SCN_VALUES_MAX   100000          /* YAML values, after expanding aliases */
#define SCN_DEPTH_MAX    16              /* nesting of YAML collections */
#define SCN_ANCHORS_MAX  256             /* YAML anchors (&name) in one file */
#define SCN_KEYS_MAX     1024            /* keys in one YAML mapping */
#define SCN_DURATION_DEFAULT (60 * SIM_S) /* when `duration:` is left out */
#define SCN_SETS_MAX     32              /* --set overrides on one command line */
#define SCN_SET_MAX      512             /* bytes of one KEY=VALUE */
#define SCN_SET_LINE     1000000000u     /* positions past this line lie inside an override */

typedef struct scn_pos { uint32_t line, col; } scn_pos;   /* 1-based; 0 = unknown */

/* A generic parameter: a scalar, or a list of scalars (`[c1, c2]`).
 * Maps are flattened: `start: {c1: 0ms}` gives key "start.c1". */
typedef struct scn_param {
    char key[SCN_KEY_MAX];
    char value[SCN_VALUE_MAX];          /* the scalar, "" for a list */
    bool is_list;
    uint32_t item_count;
    char items[SCN_LIST_MAX][SIM_NAME_MAX];
    scn_pos pos;                        /* of the value */
    scn_pos key_pos;                    /* of the key */
} scn_param;

typedef struct scn_params {
    scn_param *items;                   /* heap, item_count entries */
    uint32_t count;
    scn_pos pos;                        /* of the `params:`/`workload:` key, where
                                           param_apply reports a missing required
                                           key; `protocol:`'s key (params) or the
                                           top mapping (workload) when absent */
} scn_params;

typedef enum { SCN_LAT_FIXED = 0, SCN_LAT_UNIFORM, SCN_LAT_EXPONENTIAL } scn_lat_kind;

typedef struct scn_latency {
    scn_lat_kind kind;
    sim_time a_ns;       /* fixed: the latency; uniform: low; exponential: mean */
    sim_time b_ns;       /* uniform: high; exponential: the floor (min) */
} scn_latency;

/* Link properties; has_* says which ones a `links:` override sets. */
typedef struct scn_link_props {
    bool has_latency, has_loss, has_duplicate, has_reorder;
    scn_latency latency;
    uint32_t loss_ppm, duplicate_ppm, reorder_ppm;   /* parts per million */
} scn_link_props;

typedef struct scn_link {
    int32_t from, to;                   /* node indices */
    scn_link_props props;
    scn_pos pos;
} scn_link;

typedef struct scn_node {
    char name[SIM_NAME_MAX];
    char role[SIM_NAME_MAX];            /* the key under `nodes:` (redis, client...) */
    uint32_t role_index;                /* 0-based index within its role */
    scn_pos pos;
} scn_node;

typedef struct scn_clock {
    sim_time offset_ns;                 /* local = offset + rate * true */
    int64_t rate_ppm;                   /* 1000000 = 1.0; 1020000 = 2% fast */
    bool set;
    scn_pos pos;
} scn_clock;

typedef enum {
    SCN_FAULT_PAUSE = 0,    /* node, for_ns */
    SCN_FAULT_CRASH,        /* node; for_ns > 0 = restart after it */
    SCN_FAULT_RESTART,      /* node */
    SCN_FAULT_PARTITION,    /* group[] */
    SCN_FAULT_CUT,          /* from_mask, to_mask, both */
    SCN_FAULT_HEAL,         /* all links back, partitions and cuts gone */
    SCN_FAULT_CLOCK_JUMP,   /* node, jump_ns (signed) */
    SCN_FAULT_CLOCK_RATE,   /* node, rate_ppm */
    SCN_FAULT_LINK_DELAY,   /* from_mask, to_mask, by_ns, for_ns */
    SCN_FAULT_LINK_LOSS,    /* from_mask, to_mask, both, loss_ppm, for_ns */
    SCN_FAULT_POWER_LOSS,   /* node; for_ns > 0 = restart after it (a crash of the host:
                               only what the node fsynced survives; env.h) */
    SCN_FAULT_KIND_COUNT
} scn_fault_kind;

/* A crash or a power loss: the fault takes its node down until a restart. */
static inline bool scn_fault_crashes(scn_fault_kind kind) {
    return kind == SCN_FAULT_CRASH || kind == SCN_FAULT_POWER_LOSS;
}

#define SCN_GROUP_INLINE 0u   /* a zeroed fault's; the pool's first entry is never used */

typedef struct scn_fault {
    scn_fault_kind kind;
    sim_time at_ns;
    int32_t node;                       /* -1 when the kind has none */
    sim_time for_ns;                    /* 0 = not given */
    sim_time jump_ns;
    int64_t rate_ppm;
    sim_time by_ns;
    uint8_t group[SIM_MASK_NODES];      /* partition of <= 64 nodes: group number per node */
    uint32_t group_at;                  /* SCN_GROUP_INLINE (0): group[]; else the offset of
                                           the group numbers in the scn's group_pool
                                           (scn_fault_group reads either) */
    uint32_t group_count;
    uint64_t from_mask, to_mask;        /* bit i = node i */
    bool both;
    uint32_t loss_ppm;                  /* loss: the rate while it lasts */
    bool drawn;                         /* drawn by the nemesis, not in the file */
    scn_pos pos;                        /* drawn: the `nemesis:` key's */
} scn_fault;

/* `nemesis:` -- random faults drawn from the seed (sim/nemesis.h draws
 * them).  Kinds are bits of scn_nemesis_kind; `partition` in the file
 * turns on every partition shape. */
typedef enum {
    SCN_NEM_PAUSE = 0, SCN_NEM_CRASH, SCN_NEM_HALVES, SCN_NEM_MAJORITY, SCN_NEM_BRIDGE,
    SCN_NEM_ISOLATE, SCN_NEM_CUT, SCN_NEM_DELAY, SCN_NEM_LOSS, SCN_NEM_CLOCK_JUMP,
    SCN_NEM_CLOCK_RATE, SCN_NEM_POWER_LOSS, SCN_NEM_KIND_COUNT
} scn_nemesis_kind;
/* The kinds a nemesis without `kinds:` draws: every kind but power-loss,
 * which the file lists to get (the schedules drawn before it came stay the
 * same seed for seed). */
#define SCN_NEM_DEFAULT_KINDS (((1u << SCN_NEM_KIND_COUNT) - 1u) & ~(1u << SCN_NEM_POWER_LOSS))

extern const char *const scn_nemesis_kind_names[SCN_NEM_KIND_COUNT];

typedef struct scn_nemesis {
    bool on;
    uint32_t kinds;                     /* bit k = scn_nemesis_kind k */
    bool swarm;                         /* per seed, each kind on with odds 1/2 */
    scn_latency every;                  /* the gap between two faults' starts */
    scn_latency span;                   /* `for`: how long one fault lasts */
    sim_time from_ns, until_ns;         /* faults start within [from, until] */
    uint64_t targets;                   /* node mask: who pauses, crashes... */
    sim_time jump_ns;                   /* the largest clock jump, either way */
    int64_t rate_ppm;                   /* the largest clock rate error */
    sim_time delay_ns;                  /* the largest extra link delay */
    uint32_t loss_ppm;                  /* the loss rate of a loss burst */
    scn_pos pos;                        /* of the `nemesis:` key */
} scn_nemesis;

typedef enum { SCN_VERDICT_OK = 0, SCN_VERDICT_VIOLATION, SCN_VERDICT_UNKNOWN } scn_verdict;

typedef struct scn_expect {
    char check[SIM_NAME_MAX];
    scn_verdict verdict;
    scn_pos pos;
} scn_expect;

typedef struct scn_check_name {
    char name[SIM_NAME_MAX];
    scn_pos pos;
} scn_check_name;

typedef struct scn {
    char path[1024];                    /* as given on the command line */
    char name[SIM_NAME_MAX * 2];
    char description[SCN_TEXT_MAX];
    uint64_t seed;
    sim_time duration_ns;

    char protocol[SIM_NAME_MAX];
    scn_pos protocol_pos;
    scn_params params;

    uint32_t node_count;              /* nodes[0..node_count): see the end */

    scn_link_props network;             /* defaults: latency 1ms fixed, no loss;
                                           every has_* is true here */
    scn_link links[SCN_LINKS_MAX];
    uint32_t link_count;


    char workload_kind[SIM_NAME_MAX];   /* "" when there is no `workload:` */
    scn_pos workload_pos;               /* of the `kind:` value */
    scn_params workload;                /* every workload key but `kind` */

    scn_fault faults[SCN_FAULTS_MAX];
    uint32_t fault_count;
    scn_nemesis nemesis;                /* .on = false when there is none */

    scn_check_name checks[SCN_CHECKS_MAX];   /* empty = the protocol's defaults */
    uint64_t linearizable_budget;       /* check_budgets.linearizable; 0 = the default */
    uint32_t check_count;
    scn_expect expect[SCN_CHECKS_MAX];
    uint32_t expect_count;

    char sets[SCN_SETS_MAX][SCN_SET_MAX];    /* the --set overrides applied, in order */
    uint32_t set_count;

    /* Partitions of more than SIM_MASK_NODES nodes: node_count group
     * numbers per fault (heap, scn_free; copies of the scn share it). */
    uint16_t *group_pool;
    uint32_t group_pool_len, group_pool_cap;

    /* Last, so that a copy can take only the node_count in use (1 MB in all). */
    scn_node nodes[SIM_NODES_MAX];
    scn_clock clocks[SIM_NODES_MAX];    /* indexed by node; unset = offset 0, rate 1
                                           (rate_ppm is 1000000 even when unset) */
} scn;

/* Partition fault f's group number for node i (< s->node_count). */
static inline uint32_t scn_fault_group(const scn *s, const scn_fault *f, uint32_t i) {
    if (f->group_at == SCN_GROUP_INLINE) return i < SIM_MASK_NODES ? f->group[i] : 0;
    return s->group_pool[f->group_at + i];
}

/* Copies *from into *to, only the node_count nodes and clocks in use and,
 * when with_faults is false, none of the faults (to->fault_count is then
 * from's, to be set by the caller).  The group pool is shared. */
void scn_copy(scn *to, const scn *from, bool with_faults);

/* Loads path into *out (the caller owns *out; scn_free releases the heap
 * parts).  Returns 0, or -1 with a one-line message in err:
 * "path:line:col: error: ...".  On error *out needs no scn_free. */
int  scn_load(const char *path, scn *out, char *err, size_t err_len);
void scn_free(scn *s);
/* The same from memory: `path` is only used in messages and s->path. */
int  scn_load_buffer(const char *path, const char *text, size_t len, scn *out,
                     char *err, size_t err_len);

/* The same with command-line overrides, `KEY=VALUE` each (`ccsim run
 * --set`; scn_set.c and docs/timelines.md say what KEY and VALUE may be).
 * They edit the YAML before it is read, so their values get the file's
 * checks; an error about one reads "--set KEY=VALUE: error: ...".
 * out->sets keeps them.  scn_load() is this with none. */
int  scn_load_with_overrides(const char *path, const char *const *sets, uint32_t set_count,
                             scn *out, char *err, size_t err_len);
int  scn_load_buffer_with_overrides(const char *path, const char *text, size_t len,
                                    const char *const *sets, uint32_t set_count, scn *out,
                                    char *err, size_t err_len);
/* An error reported later at a stored position (a protocol's params table,
 * a validate hook: "path:LINE:COL: error: ...") that points inside one of
 * s's overrides is rewritten to "--set KEY=VALUE: error: ..."; any other
 * message is left alone.  sim_create() calls it on its errors. */
void scn_error_relocate(const scn *s, char *err, size_t err_len);

/* How many of faults[0..count) are link delays or loss bursts active at
 * true time t (the network holds SCN_DELAYS_MAX at once). */
uint32_t scn_link_faults_active(const scn_fault *faults, uint32_t count, sim_time t);

/* Node index by name, -1 if none. */
int32_t scn_node_find(const scn *s, const char *name);

/* Formats "path:line:col: error: <msg>" into err ("path: error: <msg>"
 * when pos.line is 0). */
void scn_errorf(char *err, size_t err_len, const char *path, scn_pos pos,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Values, shared with param.c and the command line.  Each returns 0, or -1
 * with a message (no position; the caller adds it). */
int scn_parse_duration(const char *text, sim_time *out, char *err, size_t err_len);
int scn_parse_signed_duration(const char *text, sim_time *out, char *err, size_t err_len);
int scn_parse_rate(const char *text, uint32_t *ppm_out, char *err, size_t err_len);       /* 2% 0.02 500ppm, in [0,1] */
int scn_parse_clock_rate(const char *text, int64_t *ppm_out, char *err, size_t err_len); /* 1.02, 102%, 1000500ppm */

/* Values written back as the loader reads them (scn_emit.c): loading the
 * text gives the same value.  A duration: "15s", "1500us", "-20s", "0s".
 * A fault: "{at: 4ms, pause: c1, for: 15s}"; SCN_FAULT_YAML_MAX holds any. */
#define SCN_FAULT_YAML_MAX (SIM_MASK_NODES * (SIM_NAME_MAX + 4) + 256)
/* A partition of more nodes than SIM_MASK_NODES is written by its groups' first
 * SIM_MASK_NODES names and "..." (it fits, and is not loadable back). */
void scn_fmt_duration(char *buf, size_t len, sim_time ns);
/* A fault kind's name: "pause", "clock-jump", "loss"... */
const char *scn_fault_kind_name(scn_fault_kind kind);
void scn_fault_yaml(const scn *s, const scn_fault *f, char *buf, size_t len);

/* The file at `path` with the overrides applied and the top-level keys in
 * drop[] removed, written to out as YAML (comments are not kept).  Returns
 * 0, or -1 with a located error. */
int scn_emit_file(const char *path, const char *const *sets, uint32_t set_count,
                  const char *const *drop, uint32_t drop_count, FILE *out, char *err,
                  size_t err_len);

/* The known key closest to `word` (edit distance <= 2, or a prefix), or NULL. */
const char *scn_nearest(const char *word, const char *const *known, size_t known_count);

#endif
