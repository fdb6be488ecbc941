/* clockshim: an LD_PRELOAD library that gives a process a wall clock the
 * conformance driver sets (docs/conformance.md).
 *
 * Invariant: clock_gettime(CLOCK_REALTIME or CLOCK_REALTIME_COARSE),
 * gettimeofday() and time() read the signed 64-bit count of nanoseconds
 * since the epoch stored at offset 0 of the file named by
 * $CCSIM_CLOCK_FILE (mapped shared, read with an atomic load, so the
 * driver's writes are seen at once); every other clock (CLOCK_MONOTONIC
 * included) and every call made without that file goes to the raw system
 * call.  The shim calls no dlsym, malloc or stdio: redis-server's allocator
 * (jemalloc) reads the clock while it initialises, before any of those can
 * be used safely, which is why a general time faker deadlocks it.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#define SHIM_UNMAPPED ((int64_t *)0)
#define SHIM_FAILED   ((int64_t *)1)

static int64_t *shim_page;    /* SHIM_UNMAPPED, SHIM_FAILED or the mapping */

static int64_t *shim_map(void)
{
    const char *path = getenv("CCSIM_CLOCK_FILE");
    if (!path || !*path) return SHIM_FAILED;
    long fd = syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return SHIM_FAILED;
    long addr = syscall(SYS_mmap, 0L, 4096L, (long)PROT_READ, (long)MAP_SHARED, fd, 0L);
    syscall(SYS_close, fd);
    if (addr == -1 || addr == 0) return SHIM_FAILED;
    return (int64_t *)addr;
}

/* The shared clock in ns, or 0 with *ok false when there is none. */
static int64_t shim_now(int *ok)
{
    int64_t *p = __atomic_load_n(&shim_page, __ATOMIC_ACQUIRE);
    if (p == SHIM_UNMAPPED) {
        int64_t *mine = shim_map();
        int64_t *expected = SHIM_UNMAPPED;
        if (__atomic_compare_exchange_n(&shim_page, &expected, mine, 0,
                                        __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
            p = mine;
        } else {                       /* another thread mapped it first */
            if (mine != SHIM_FAILED) syscall(SYS_munmap, (long)mine, 4096L);
            p = expected;
        }
    }
    if (p == SHIM_FAILED) { *ok = 0; return 0; }
    *ok = 1;
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static int shim_split(int64_t ns, struct timespec *ts)
{
    int64_t s = ns / 1000000000, r = ns % 1000000000;
    if (r < 0) { r += 1000000000; s -= 1; }
    ts->tv_sec = (time_t)s;
    ts->tv_nsec = (long)r;
    return 0;
}

static int shim_raw(clockid_t id, struct timespec *ts)
{
    return (int)syscall(SYS_clock_gettime, (long)id, ts);
}

static int shim_realtime(struct timespec *ts)
{
    int ok;
    int64_t ns = shim_now(&ok);
    if (!ok) return shim_raw(CLOCK_REALTIME, ts);
    return shim_split(ns, ts);
}

int clock_gettime(clockid_t id, struct timespec *ts)
{
    if (id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE) return shim_realtime(ts);
    return shim_raw(id, ts);
}

int gettimeofday(struct timeval *restrict tv, void *restrict tz)
{
    struct timespec ts;
    if (tz) return (int)syscall(SYS_gettimeofday, tv, tz);
    if (shim_realtime(&ts) != 0) return -1;
    tv->tv_sec = ts.tv_sec;
    tv->tv_usec = (suseconds_t)(ts.tv_nsec / 1000);
    return 0;
}

time_t time(time_t *t)
{
    struct timespec ts;
    if (shim_realtime(&ts) != 0) return (time_t)-1;
    if (t) *t = ts.tv_sec;
    return ts.tv_sec;
}
