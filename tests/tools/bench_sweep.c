/* bench_sweep.c -- `make bench`: seeds per second of `ccsim sweep`.
 *
 * Loads a scenario once, then sweeps seeds 1..SEEDS with each JOBS count
 * given, through the same worker processes as `ccsim sweep` (no reports),
 * and prints per job count the wall-clock rate and the rate per CPU
 * second the workers and the parent used (target: 20 000 seeds of L2 per second per
 * core).  The machine is shared, so the CPU figure is the steadier one.
 *
 * usage: bench_sweep SCENARIO.yaml SEEDS JOBS...
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "sim/cli/sweep.h"

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds used so far by this process and its finished workers. */
static double cpu_s(int who) {
    struct rusage ru;
    getrusage(who, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: bench_sweep SCENARIO.yaml SEEDS JOBS...\n"); return 2; }
    static scn s;
    char err[SIM_ERR_MAX];
    if (scn_load(argv[1], &s, err, sizeof err) != 0) { fprintf(stderr, "%s\n", err); return 2; }
    uint64_t seeds = strtoull(argv[2], NULL, 10);
    for (int i = 3; i < argc; i++) {
        sweep_plan p = { .range = { .from = 1, .to = seeds, .shards = 1 },
                         .jobs = (uint32_t)atoi(argv[i]), .show = 20 };
        sweep_tally t;
        if (p.jobs < 1 || sweep_tally_init(&t, &s, &p, err, sizeof err) != 0) { fprintf(stderr, "bad jobs or %s\n", err); return 2; }
        double cpu0 = cpu_s(RUSAGE_CHILDREN) + cpu_s(RUSAGE_SELF), t0 = now_s();
        if (sweep_scenario(&s, &p, &t) != 0) return 2;
        double wall = now_s() - t0, cpu = cpu_s(RUSAGE_CHILDREN) + cpu_s(RUSAGE_SELF) - cpu0;
        printf("bench sweep_%s_jobs%" PRIu32 ": %.0f seeds/s\n", s.name, p.jobs, (double)seeds / wall);
        printf("bench sweep_%s_jobs%" PRIu32 "_per_cpu_s: %.0f seeds per CPU second\n", s.name, p.jobs,
               cpu > 0 ? (double)seeds / cpu : 0.0);
        printf("  %" PRIu64 " seeds in %.3f s wall, %.3f s CPU (workers and parent); %" PRIu64 " ran, %" PRIu64
               " failing, exit %d\n", seeds, wall, cpu, t.seeds_run, t.failing, sweep_exit_code(&t, 1));
        sweep_tally_free(&t);
    }
    scn_free(&s);
    return 0;
}
