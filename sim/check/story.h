/* story.h -- the plain-language story of a violation, in true time.
 *
 * A story is a list of clauses ("c1 took the lock at 0.002 s (epoch 1,
 * token 33)"), each stamped with the true time it happened.  Checks add
 * clauses in any order; story_render() sorts them by (time, faults first,
 * order added) and
 * writes one clause per line, each ending in ';', then an optional
 * conclusion ("so ...").  The scripted faults of the scenario that touched
 * the involved nodes in the window are added by story_add_faults(), so every
 * check (locks today; 2PC, sagas and DB tomorrow) tells them the same way.
 *
 * story_buf is a small growable text buffer (heap, NUL-terminated).
 * Everything here is deterministic: no pointers compared, no wall clock.
 */
#ifndef CCSIM_STORY_H
#define CCSIM_STORY_H

#include <stdarg.h>

#include "sim/base.h"
#include "sim/scenario/scn.h"

#define STORY_CLAUSES_MAX 48     /* clauses rendered; the rest are counted */
#define STORY_CLAUSE_MAX  400    /* bytes of one clause */
#define STORY_KEEP_MAX    4096   /* clauses kept in memory; the rest are counted */

/* ---- text buffer ---- */
typedef struct story_buf {
    char *text;                  /* NUL-terminated; NULL until the first write */
    size_t len, cap;
} story_buf;

void story_buf_init(story_buf *b);
void story_buf_free(story_buf *b);
void story_buf_printf(story_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void story_buf_vprintf(story_buf *b, const char *fmt, va_list ap);
/* Hands the text to the caller (free() it) and resets b; never NULL. */
char *story_buf_take(story_buf *b);

/* Appends to a NUL-terminated fixed buffer, truncating (never overflowing). */
void story_appendf(char *buf, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* ---- formatting helpers (values returned by copy; use them inline) ---- */
typedef struct story_str { char s[64]; } story_str;

story_str story_t(sim_time t);                 /* "10.001 s" (sim_fmt_time) */
story_str story_dt(sim_time d);                /* signed: "+20 s", "-1.5 s" */
story_str story_rate(int64_t rate_ppm);        /* 1020000 -> "1.02" */
/* The node's name, or "node N" when the scenario does not know it. */
const char *story_node(const scn *s, int32_t node);
/* " (its clock read 21 s)" when the node's wall clock is configured or
 * scripted in the scenario and read local_ns != true_ns; "" otherwise. */
story_str story_clock_note(const scn *s, int32_t node, sim_time true_ns, sim_time local_ns);
/* True when the scenario sets the node's clock or scripts a clock fault on it. */
bool story_clock_touched(const scn *s, int32_t node);

/* ---- the clause list ---- */
typedef struct story_clause {
    sim_time t_ns;
    uint32_t rank;               /* 0 = a scripted fault (told first at a tie), 1 = the rest */
    uint32_t seq;                /* order added: breaks the remaining ties */
    char text[STORY_CLAUSE_MAX];
} story_clause;

typedef struct story {
    const scn *s;                /* may be NULL: names become "node N", no faults */
    story_clause *items;
    uint32_t count, cap;
    uint32_t dropped;            /* clauses beyond STORY_KEEP_MAX, not kept */
    uint32_t rank_now;           /* rank given to clauses being added */
    char conclusion[STORY_CLAUSE_MAX];
} story;

void story_init(story *st, const scn *s);
void story_free(story *st);
void story_add(story *st, sim_time t_ns, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void story_conclude(story *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Adds a clause for every scripted fault that touches the nodes in
 * node_mask (bit i = node i) and is in force at some time in [from, to]:
 * pauses, crashes and restarts, clock jumps and rates (and the initial
 * clock settings), partitions and cuts that separate two of the nodes,
 * heals of those, and link delays between two of them. */
void story_add_faults(story *st, uint64_t node_mask, sim_time from_ns, sim_time to_ns);
/* Appends the clauses sorted by (time, rank, seq): at one instant a fault
 * comes before what it caused, one per line ending in ';',
 * then the conclusion ending in '.'; at most STORY_CLAUSES_MAX clauses. */
void story_render(const story *st, story_buf *out);

/* ---- the stories of one run, each line told once ----
 * The checks of one run often tell the same clauses ("c1 took the lock at
 * 0.002 s ...").  story_share splits n rendered stories (NULL or "" = none)
 * into the lines two or more of them tell (shared: in the order they
 * happen, each story's own order merged) and what each tells besides
 * (parts[i]: its other lines and its conclusion, its last line, which is
 * never shared).  Lines end ';', the last of each text '.'.  Returns the
 * number of shared lines; with 0, shared stays empty and each part is its
 * story unchanged.  parts[0..n) must be initialised (story_buf_init). */
uint32_t story_share(const char *const *stories, size_t n, story_buf *shared, story_buf *parts);

/* "A, B, C": the names of the nodes in mask (bit i = node i), in node order. */
void story_names(const scn *s, uint64_t mask, char *buf, size_t len);

/* Bit for a node, 0 for an out-of-range index. */
uint64_t story_bit(int32_t node);

#endif
