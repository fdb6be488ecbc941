/* bench_hist.c -- `make bench`: what a run's history costs in memory.
 *
 * Runs one scenario (no trace, no report, no checks) and prints, as
 * `bench NAME: VALUE UNIT`, the history's bytes per record (hist_bytes over
 * operations plus effects; issue 17's target is at most 64) and the
 * process's peak resident memory, with the figures behind them: records,
 * their sizes, the side tables (sim/hist.h), the string table.
 *
 * usage: bench_hist NAME SCENARIO.yaml
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "sim/registry/registry.h"
#include "sim/sim.h"

static double peak_rss_mib(void) {
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0) return -1;
    return (double)ru.ru_maxrss / 1024.0;              /* Linux: KiB */
}

static void print_figures(const char *name, const hist *h) {
    uint64_t records = (uint64_t)h->op_count + h->effect_count;
    size_t bytes = hist_bytes(h);
    printf("bench hist_bytes_per_record_%s: %.1f B\n", name,
           records ? (double)bytes / (double)records : 0.0);
    size_t side = bytes - (size_t)h->op_count * sizeof(hist_op)
                  - (size_t)h->effect_count * sizeof(hist_effect) - h->strs.bytes;
    printf("  %u ops x %zu B + %u effects x %zu B + side tables %zu B + strings %zu B "
           "(%u texts) = %.1f MiB\n", h->op_count, sizeof(hist_op), h->effect_count,
           sizeof(hist_effect), side, h->strs.bytes, h->strs.count,
           (double)bytes / (1024.0 * 1024.0));
    printf("bench hist_peak_rss_%s: %.1f MiB\n", name, peak_rss_mib());
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: bench_hist NAME SCENARIO.yaml\n");
        return 2;
    }
    static scn s;
    char err[1024];
    if (scn_load(argv[2], &s, err, sizeof err) != 0) { fprintf(stderr, "%s\n", err); return 2; }
    sim_options opt = { 0 };
    sim *run = NULL;
    int rc = registry_sim_create(&s, &opt, &run, err, sizeof err);
    if (rc == 0) rc = sim_run(run, err, sizeof err);
    if (rc != 0) fprintf(stderr, "%s\n", err);
    else print_figures(argv[1], sim_history(run));
    if (run) sim_destroy(run);
    scn_free(&s);
    return rc == 0 ? 0 : 2;
}
