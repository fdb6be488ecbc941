/* script.h -- the `script` workload (docs/script-workload.md): scripted
 * transactions for the db protocol, Hermitage-style.  Each client is one
 * connection; the steps run in their order, one statement per request;
 * each step may say what its statement must answer (rows, count, that it
 * blocks until a later step, an error code), which the `script` check
 * compares with the history.
 *
 * One client node runs every client (so one model keeps the order).  A
 * step is sent when the one before it returned, or `block_after` after it
 * was sent without an answer (it is blocked), and not before its `at`;
 * a step whose client is still waiting waits for that answer.
 *
 * History: one op per step that was sent (HIST_F_STMT, process = the
 * client's index, value_in = the step number), in step order: ok with
 * value_out = the rows returned or changed, or fail with note = the error
 * code.  The rows a SELECT returned are the db's READ effects of that op.
 */
#ifndef CCSIM_SCRIPT_H
#define CCSIM_SCRIPT_H

#include "protocols/db/db.h"
#include "sim/config.h"
#include "sim/env.h"

#define SCRIPT_CLIENTS_MAX 16
#define SCRIPT_STEPS_MAX 60
#define SCRIPT_ROWS_MAX DB_SEED_ROWS_MAX
#define SCRIPT_BLOCKS_NONE (-1)
#define SCRIPT_BLOCKS_END (-2)

typedef struct script_cfg {
    param_map clients;           /* `clients`: one entry, key "", the names joined by ", " */
    char table[CONFIG_STRING_MAX];
    char rows[CONFIG_STRING_MAX];
    sim_time block_after_ns;
    param_map steps;             /* `steps`: keys "N.CLIENT", "N.rows", ... */
} script_cfg;

typedef enum { SCRIPT_RET_NONE = 0, SCRIPT_RET_ROWS, SCRIPT_RET_COUNT } script_returns;

typedef struct script_rows {
    uint32_t count;
    int64_t id[SCRIPT_ROWS_MAX], value[SCRIPT_ROWS_MAX];   /* by id */
} script_rows;

typedef struct script_step {
    uint32_t number;             /* as written */
    uint32_t client;             /* index in script.clients */
    char text[CONFIG_STRING_MAX];   /* the statement as written */
    db_stmt stmts[DB_STMTS_MAX];
    uint32_t n;
    uint8_t returns;             /* script_returns */
    bool has_rows, has_count;
    script_rows rows;
    int64_t count;
    int32_t blocks;              /* the step index it returns after; SCRIPT_BLOCKS_* */
    char error[8];               /* "" = must succeed */
    sim_time at_ns;              /* -1 = none */
    uint32_t entry;              /* its statement's index in script_cfg.steps (errors) */
} script_step;

typedef struct script {
    char clients[SCRIPT_CLIENTS_MAX][SIM_NAME_MAX];
    uint32_t client_count;
    script_rows seed;
    script_step steps[SCRIPT_STEPS_MAX];
    uint32_t step_count;
    sim_time block_after_ns;
} script;

/* Where script_load found a problem: a key of the workload ("clients",
 * "table", "rows") or an entry of `steps` (entry >= 0), at its key or
 * its value. */
typedef struct script_error {
    const char *key;             /* NULL = steps entry `entry` */
    int32_t entry;
    bool at_key;
    char msg[256];
} script_error;

/* Parses the cfg into *out: 0, or -1 with *err. */
int script_load(const script_cfg *c, script *out, script_error *err);

/* One statement (docs/script-workload.md, "Statements") into db
 * statements; table is the workload's.  0, or -1 with a message. */
int script_parse_stmt(const char *text, const char *table, db_stmt *out, uint32_t *n,
                      uint8_t *returns, char *msg, size_t msg_len);

/* "1=10, 2=20" or "none" into rows, sorted by id: 0, or -1 with a message. */
int script_parse_rows(const char *text, script_rows *out, char *msg, size_t msg_len);

/* The script of a scenario whose workload is `script`, as its model runs
 * it (the `script` check's view); false for another workload or one that
 * does not load. */
struct scn;
bool script_from_scn(const struct scn *s, script *out);

#endif
