/* memory.c -- big pages for big runs (memory.h says why and what).
 *
 * glibc only: mallopt's M_MMAP_THRESHOLD, M_TOP_PAD and M_TRIM_THRESHOLD,
 * sbrk(0) to see where the heap ends, madvise(MADV_HUGEPAGE), and mmap
 * for sim_reserve (whether or not the process was tuned, so a block is
 * always given back the way it was taken).  Elsewhere, and under
 * AddressSanitizer (its allocator is not glibc's), tuning does nothing and
 * sim_reserve is calloc.
 */
#define _DEFAULT_SOURCE 1                /* sbrk, madvise, MADV_HUGEPAGE */
#include "sim/memory.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "sim/base.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SIM_MEMORY_PLAIN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define SIM_MEMORY_PLAIN 1
#endif

#if defined(__GLIBC__) && !defined(SIM_MEMORY_PLAIN)
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>
#endif

#if defined(__GLIBC__) && !defined(SIM_MEMORY_PLAIN) && defined(MADV_HUGEPAGE)

#define HUGE_PAGE ((uintptr_t)2 << 20)

static bool tuned;
static uintptr_t heap_advised;           /* the heap is advised up to here */

/* Advises the whole huge pages inside [from, to). */
static void advise(uintptr_t from, uintptr_t to) {
    uintptr_t a = (from + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1), b = to & ~(HUGE_PAGE - 1);
    if (b > a) (void)madvise((void *)a, b - a, MADV_HUGEPAGE);
}

void sim_memory_tune(void) {
    if (tuned) return;
    mallopt(M_MMAP_THRESHOLD, (int)SIM_MEMORY_HEAP_MAX);
    mallopt(M_TOP_PAD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
    heap_advised = (uintptr_t)sbrk(0);
    tuned = true;
}

void sim_memory_grew(void *p, size_t size) {
    if (!tuned) return;
    if (size >= SIM_MEMORY_HEAP_MAX) advise((uintptr_t)p, (uintptr_t)p + size);
    uintptr_t top = (uintptr_t)sbrk(0);
    if (top <= heap_advised) return;
    advise(heap_advised, top);
    heap_advised = top & ~(HUGE_PAGE - 1);   /* the part past the last whole page, next time */
}

void *sim_reserve(size_t bytes) {
    void *p = mmap(NULL, bytes ? bytes : 1, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    if (p == MAP_FAILED) { fprintf(stderr, "ccsim: out of memory (%zu bytes)\n", bytes); abort(); }
    if (tuned) advise((uintptr_t)p, (uintptr_t)p + bytes);
    return p;
}

void sim_reserve_free(void *p, size_t bytes) {
    if (p == NULL) return;
    (void)munmap(p, bytes ? bytes : 1);
}

#else

void sim_memory_tune(void) {}

void *sim_reserve(size_t bytes) { return sim_xcalloc(1, bytes); }

void sim_reserve_free(void *p, size_t bytes) {
    (void)bytes;
    free(p);
}

void sim_memory_grew(void *p, size_t size) {
    (void)p;
    (void)size;
}

#endif
