/* main.c -- `ccsim`: dispatch to the subcommands (DESIGN.md 7). */
#include <stdio.h>
#include <string.h>

#include "sim/memory.h"
#include "sim/cli/cli.h"
#include "sim/lincheck/lincheck.h"
#include "sim/registry/registry.h"
#include "sim/report/report.h"

static void usage(FILE *f) {
    fputs("ccsim -- a deterministic simulator for distributed locks and transactions\n"
          "\n"
          "usage:\n"
          "  ccsim run FILE.yaml [--seed N] [--set KEY=VALUE]... [--out DIR] [--no-plot]\n"
          "                     [--no-trace] [--json] [-q]\n"
          "        run one scenario: verdicts, the story of each violation, a report,\n"
          "        its trace.log and its timeline (timeline.png)\n"
          "  ccsim compare FILE.yaml --vary KEY=V1,V2,... [--set KEY=VALUE]... [--seed N]\n"
          "        the same faults against several designs: one table, one picture\n"
          "  ccsim shrink FILE.yaml --seed S [--check NAME]\n"
          "        the smallest scenario that still fails: FILE.min.yaml\n"
          "  ccsim plot RUNDIR\n"
          "        draw a report directory's pictures again (gnuplot)\n"
          "  ccsim trace RUNDIR [-o FILE]\n"
          "        write a run's trace.log again (after run --no-trace): same seed, same bytes\n"
          "  ccsim sweep FILE.yaml... --seeds A..B [--jobs J] [--shard K/N] [--out DIR]\n"
          "        run many seeds in worker processes: verdicts tallied per check, the\n"
          "        failing seeds and how to replay each, sweep.json (--merge: shards')\n"
          "  ccsim check PATH... [--junit FILE] [--tap]\n"
          "        run scenario files and compare their verdicts with `expect:`\n"
          "  ccsim lincheck --model MODEL [--init VALUE] [--timeout SECONDS] HISTORY.edn...\n"
          "        check Jepsen EDN histories for linearizability\n"
          "  ccsim list [protocols|workloads|checks|faults]\n"
          "        what a scenario can name, with parameters and defaults\n"
          "  ccsim --help | --version\n"
          "\n"
          "Start here:\n"
          "  ccsim run scenarios/locks/L2-lease-gc-pause.yaml\n"
          "        Kleppmann's GC pause: a lease expires while its holder sleeps\n"
          "  ccsim check scenarios/\n"
          "        the whole scenario library against its expected verdicts\n"
          "\n"
          "Each subcommand has --help.  Exit codes: 0 ok, 1 violation, 2 bad input,\n"
          "3 unknown (a check's search budget ran out), 4 internal error (a bug\n"
          "in ccsim), 5 a run passed its event or trace budget.\n", f);
}

int main(int argc, char **argv) {
    sim_memory_tune();              /* big pages: memory.h */
    registry_self_check();          /* no two families share a message type or timer tag */
    if (argc < 2) { usage(stderr); return 2; }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("ccsim %s\n", CCSIM_VERSION);
        return 0;
    }
    if (strcmp(cmd, "run") == 0) return cli_run(argc - 1, argv + 1);
    if (strcmp(cmd, "check") == 0) return cli_check(argc - 1, argv + 1);
    if (strcmp(cmd, "list") == 0) return cli_list(argc - 1, argv + 1);
    if (strcmp(cmd, "plot") == 0) return cli_plot(argc - 1, argv + 1);
    if (strcmp(cmd, "trace") == 0) return cli_trace(argc - 1, argv + 1);
    if (strcmp(cmd, "compare") == 0) return cli_compare(argc - 1, argv + 1);
    if (strcmp(cmd, "shrink") == 0) return cli_shrink(argc - 1, argv + 1);
    if (strcmp(cmd, "sweep") == 0) return cli_sweep(argc - 1, argv + 1);
    if (strcmp(cmd, "lincheck") == 0) return lincheck_main(argc - 1, argv + 1);
    fprintf(stderr, "ccsim: unknown command '%s' (expected run, check, compare, sweep, shrink, plot, trace, lincheck, list; see ccsim --help)\n", cmd);
    return 2;
}
