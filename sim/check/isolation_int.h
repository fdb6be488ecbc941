/* isolation_int.h -- the serialization graph the isolation check searches
 * (isolation_graph.c builds and searches it, isolation.c names and tells
 * what it found).  Internal to sim/check/.
 *
 * Invariant of iso_graph: txns are every (node, txn id) seen in a db
 * effect; installs are sorted by (row, version) and each row's are the
 * slice [first, first + count); edges with `in_graph` join two distinct
 * committed transactions; adjacency (adj_start/adj) lists, per txn, the
 * indices of its outgoing in-graph edges.
 */
#ifndef CCSIM_ISOLATION_INT_H
#define CCSIM_ISOLATION_INT_H

#include "sim/check/check_int.h"

typedef enum {
    ISO_G0 = 0, ISO_G1A, ISO_G1B, ISO_G1C, ISO_OTV, ISO_P4, ISO_P2, ISO_P3, ISO_A5A, ISO_A5B, ISO_G2,
    ISO_KIND_COUNT
} iso_kind;

typedef enum { ISO_WW = 0, ISO_WR, ISO_RW } iso_edge_type;

#define ISO_CYCLE_MAX 8          /* edges of a cycle told */
#define ISO_SEARCH_MAX 20000     /* breadth-first searches per run */

typedef enum { ISO_OPEN = 0, ISO_COMMITTED, ISO_ABORTED } iso_state;

typedef struct iso_txn {
    int32_t node;
    uint32_t id;
    iso_state state;
    uint32_t op;                 /* the first op seen on it, HIST_NONE */
} iso_txn;

typedef struct iso_install {
    uint32_t row;
    int64_t version;
    uint32_t txn;                /* index in txns */
    uint32_t effect;             /* its WRITE */
    bool final;                  /* the txn's last write to the row */
} iso_install;

typedef struct iso_row {
    int32_t node;
    char key[SIM_NAME_MAX];
    uint32_t first, count;       /* its installs */
    bool loaded;                 /* version 1 was loaded, not installed by a WRITE */
    int64_t loaded_value;        /* ... its value (aux of the first WRITE over it) */
} iso_row;

typedef struct iso_edge {
    uint32_t from, to;           /* txn indices */
    iso_edge_type type;
    bool pred;                   /* from a predicate read */
    bool in_graph;               /* false: a G1a / G1b example, not an edge */
    uint32_t row;
    uint32_t ea, eb;             /* effects: ww WRITE->WRITE, wr WRITE->READ, rw READ->WRITE */
} iso_edge;

typedef struct iso_graph {
    const hist *h;
    iso_txn *txns;
    uint32_t txn_count, committed;
    uint32_t *txn_hash;          /* open addressing: txn index + 1, 0 = empty */
    uint32_t txn_hash_cap;
    iso_row *rows;
    uint32_t row_count, row_cap;
    iso_install *installs;
    uint32_t install_count;
    iso_edge *edges;
    uint32_t edge_count, edge_cap;
    uint32_t g1[2], g1_hits[2];  /* first G1a / G1b example edge, and how many */
    uint32_t *adj_start, *adj;   /* CSR over in-graph edges */
    uint32_t *comp, *comp_size;  /* strongly connected component of each txn, and sizes */
} iso_graph;

typedef struct iso_found {
    iso_kind kind;
    uint32_t hits;
    uint32_t edges[ISO_CYCLE_MAX];
    uint32_t count;
} iso_found;

void iso_graph_build(const hist *h, iso_graph *g);
void iso_graph_free(iso_graph *g);
/* Fills found[kind] for every kind; false when the search budget ran out. */
bool iso_find(iso_graph *g, iso_found found[ISO_KIND_COUNT]);
/* The txn index of a db effect, -1 if it has none. */
int32_t iso_txn_of(const iso_graph *g, const hist_effect *x);
uint32_t iso_found_txns(const iso_graph *g, const iso_found *f, uint32_t *out, uint32_t max);
const char *iso_edge_type_name(iso_edge_type t);   /* "ww" "wr" "rw" */
const char *iso_kind_name(iso_kind k);
/* "T7 (t2's transfer)". */
void iso_txn_name(const iso_graph *g, const check_input *in, uint32_t t, char *buf, size_t len);
/* A predicate's operator as SQL says it: "=", "<>", "multiple of". */
const char *iso_pred_text(uint32_t pred);
/* One story clause for a db effect of a transaction named `name`. */
void iso_tell_effect(story *st, const hist *h, const hist_effect *x, const char *name);

#endif
