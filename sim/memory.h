/* memory.h -- how ccsim asks for memory: big pages for big runs.
 *
 * A run's memory is a few big arrays that only grow (the history, the
 * message log, the picture's primitives) and the checks' and reports'
 * arrays, each touched once.  On a virtual machine a page fault costs 10
 * to 20 µs, and the 10-minute SETNX bench took 7 500 of them: a third of
 * its CPU.  sim_memory_tune(), called once at the start of a process
 * (ccsim's main, the bench tools), keeps blocks of up to
 * SIM_MEMORY_HEAP_MAX on the heap, grows the heap in large steps, and asks
 * the kernel for transparent huge pages (madvise MADV_HUGEPAGE) on the
 * heap as it grows and on each bigger block: about 500 faults instead of
 * 7 500, and the run a third faster (docs/bench.md).
 *
 * Invariant: nothing here decides anything.  No simulation reads an
 * address, so every report is the same bytes tuned or not; a sanitizer
 * build, whose allocator is its own, and a libc without these knobs
 * leave memory as it is, and a kernel that refuses the advice only
 * loses the speed.
 */
#ifndef CCSIM_MEMORY_H
#define CCSIM_MEMORY_H

#include <stddef.h>

#define SIM_MEMORY_HEAP_MAX ((size_t)64 << 20)   /* bigger blocks are mapped apart */

/* Tunes the allocator for this process; once, before the run allocates. */
void sim_memory_tune(void);
/* Called by sim_xmalloc and friends after each allocation of size bytes
 * at p: advises the heap's new part, or p's pages when p is mapped apart.
 * Does nothing until sim_memory_tune. */
void sim_memory_grew(void *p, size_t size);

/* Zeroed room for an array that only grows, up to bytes, which never
 * moves: the pages are backed only as they are first written, so an
 * array given its largest size at once costs what it uses and growing it
 * copies nothing (realloc copies the whole array at each doubling, into
 * pages that fault).  For arrays with a hard bound (the message log's
 * PLOT_MSGS_MAX).  A mapping of its own, huge pages advised, where tuned
 * (glibc, no sanitizer); calloc elsewhere.  Free with sim_reserve_free and
 * the same size.  Out of address space: the message sim_xmalloc gives, and
 * abort. */
void *sim_reserve(size_t bytes);
void sim_reserve_free(void *p, size_t bytes);

#endif
