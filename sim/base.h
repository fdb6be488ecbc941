/* base.h -- what every ccsim module shares: time units, assertions, limits.
 *
 * Time is a signed 64-bit count of nanoseconds (sim_time).  Assertions are on
 * in every build (STYLE.md 11): SIM_ASSERT is for our own bugs, never for bad
 * user input, which gets a `file:line:col: error:` message and exit 2.
 */
#ifndef CCSIM_BASE_H
#define CCSIM_BASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef int64_t sim_time;           /* nanoseconds */

#define SIM_NS ((sim_time)1)
#define SIM_US ((sim_time)1000)
#define SIM_MS ((sim_time)1000000)
#define SIM_S  ((sim_time)1000000000)
#define SIM_TIME_NEVER INT64_MAX

/* Exit codes of the command line (DESIGN.md 7). */
enum {
    SIM_EXIT_OK = 0,          /* every check ok */
    SIM_EXIT_VIOLATION = 1,   /* a check found a violation / a scenario failed */
    SIM_EXIT_INPUT = 2,       /* usage or input error */
    SIM_EXIT_UNKNOWN = 3,     /* a check is unknown and none violated */
    SIM_EXIT_INTERNAL = 4,    /* a bug in ccsim found by a self-check (shrink, sweep, --twice) */
    SIM_EXIT_BUDGET = 5       /* a run passed its event or trace budget */
};

/* Bounds on names and tables.  Reaching one is an input error that names the
 * bound, never a crash. */
#define SIM_NAME_MAX   32     /* node, role, key names, including the NUL */
#define SIM_NODES_MAX  10000  /* nodes in one run (docs/scenario-format.md, "Limits") */
/* Node sets inside faults (cut, link delay, loss burst, the nemesis's
 * targets) are 64-bit masks: they name nodes among the first 64 only, and a
 * nemesis runs on scenarios of at most 64 nodes.  Partitions have no such
 * bound (a group number per node). */
#define SIM_MASK_NODES 64
#define SIM_ERR_MAX    512    /* one error message */

/* Prints the failed expression and file:line, then what the context hook
 * prints, to stderr; then aborts. */
_Noreturn void sim_assert_fail(const char *expr, const char *file, int line);
#define SIM_ASSERT(c) ((c) ? (void)0 : sim_assert_fail(#c, __FILE__, __LINE__))
/* For switch defaults and states that cannot happen. */
#define SIM_UNREACHABLE(what) sim_assert_fail("unreachable: " what, __FILE__, __LINE__)

/* The assertion context hook: whoever is running registers a function that
 * sim_assert_fail calls to print, on stderr, what it was doing when the
 * assertion failed (the engine prints the seed, the true time, the event
 * and the command that reproduces the run; sim.c).  Diagnostic only: it is
 * read by nothing but sim_assert_fail and never decides anything.  One hook
 * per thread; fn NULL clears it.  A failure inside fn itself does not call
 * fn again. */
typedef void (*sim_assert_context_fn)(const void *ctx);
void sim_assert_set_context(sim_assert_context_fn fn, const void *ctx);

/* Allocation that aborts on out-of-memory (Redis zmalloc: "allocate or panic"). */
void *sim_xmalloc(size_t size);
void *sim_xcalloc(size_t count, size_t size);
void *sim_xrealloc(void *ptr, size_t size);
char *sim_xstrdup(const char *s);

/* "name:seq", as snprintf(buf, len, "%.20s:%u", name, seq) writes it, without
 * the formatter: the saga and 2PC models name a transaction so in every
 * effect they record, and formatting was a tenth of their runs (issue 17). */
void sim_fmt_name_seq(char *buf, size_t len, const char *name, uint32_t seq);

/* At most max bytes of src, cut at len - 1, then a NUL: the bytes
 * snprintf(buf, len, "%.*s", (int)max, src) writes (models copy a reason
 * or a name per command; the formatter cost more than the copy, issue 17). */
void sim_copy_text(char *buf, size_t len, const char *src, size_t max);

/* Formats a duration for people: "10.001 s", "250 ms", "20 us", "0 s". */
void sim_fmt_time(char *buf, size_t len, sim_time t);

/* Copies src into dst[cap] (cap >= 1) as one line: newline, CR and tab
 * become \n, \r, \t and the other control bytes and DEL \xHH, so text
 * from the user cannot break an error message in two or forge a line of its
 * own.  Cuts between two escapes when dst is too small. */
void sim_one_line(char *dst, size_t cap, const char *src);

#endif
