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

#endif
