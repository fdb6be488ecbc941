/* list.c -- `ccsim list [protocols|workloads|checks|faults]`: what a
 * scenario can name, printed from the same tables the loader validates
 * against, so the help cannot drift from the code. */
#include "sim/cli/cli.h"

#include <stdio.h>
#include <string.h>

#include "sim/registry/registry.h"

static void list_protocols(void) {
    for (size_t i = 0; i < registry_protocol_count(); i++) {
        const proto_desc *p = registry_protocol_at(i);
        printf("%s -- %s\n  nodes:", p->name, p->summary);
        for (uint32_t r = 0; r < p->role_count; r++)
            printf(" %s (%u..%u: %s)%s", p->roles[r].role, p->roles[r].min_count,
                   p->roles[r].max_count, p->roles[r].help, r + 1 < p->role_count ? "," : "");
        printf("\n  workloads:");
        for (size_t w = 0; w < PROTO_WORKLOADS_MAX && p->workloads[w]; w++) printf(" %s", p->workloads[w]);
        printf("\n  default checks:");
        for (size_t c = 0; c < PROTO_CHECKS_MAX && p->checks[c]; c++) printf(" %s", p->checks[c]);
        printf("\n  params:\n");
        param_print_table(p->params, p->param_count, stdout);
        printf("\n");
    }
}

static void list_workloads(void) {
    for (size_t i = 0; i < registry_workload_count(); i++) {
        const workload_desc *w = registry_workload_at(i);
        printf("%s -- %s\n  keys under `workload:`:\n", w->name, w->summary);
        param_print_table(w->params, w->param_count, stdout);
        printf("\n");
    }
}

static void print_names(const char *const *names, const char *what) {
    if (names[0] == NULL) { printf("any %s", what); return; }
    printf("%s%s", what, names[1] ? "s" : "");
    for (size_t i = 0; i < CHECK_APPLIES_MAX && names[i]; i++) printf("%s %s", i ? "," : "", names[i]);
}

/* "  applies to: any protocol; workload flash-sale": the runs whose
 * evidence it reads (a protocol that lists it among its defaults too);
 * naming it in any other scenario is an input error. */
static void print_applies(const check_desc *c) {
    printf("%-18s applies to: ", "");
    print_names(c->protocols, "protocol");
    printf("; ");
    print_names(c->workloads, "workload");
    printf("\n");
}

static void list_checks(void) {
    for (size_t i = 0; i < check_count(); i++) {
        printf("%-18s %s\n", check_at(i)->name, check_at(i)->summary);
        print_applies(check_at(i));
    }
}

static void list_faults(void) {
    puts("Scripted faults, under `faults:` (each at a true time `at:`):\n"
         "  {at: 4ms, pause: c1, for: 15s}            GC / stop-the-world pause: nothing runs,\n"
         "                                             messages and timers wait, the clock goes on\n"
         "  {at: 1s, crash: redis1}                    process crash (kill -9): volatile state lost,\n"
         "                                             files and sent bytes kept (add `for:` to restart)\n"
         "  {at: 1s, power-loss: redis1}               power loss: also what was not fsynced and the\n"
         "                                             messages still in flight from it (`for:` too)\n"
         "  {at: 1100ms, restart: redis1}              restart a crashed node\n"
         "  {at: 2s, partition: [[c1, redis1], [c2]]}  groups; unlisted nodes form one more group\n"
         "  {at: 2s, cut: {from: [c1], to: [redis4]}}  drop the listed links (`both: true` for both ways)\n"
         "  {at: 5s, heal: all}                        every link back up\n"
         "  {at: 1s, clock: redis1, jump: +20s}        step the node's wall clock\n"
         "  {at: 0s, clock: redis1, rate: 1.02}        the node's clocks run 2% fast\n"
         "  {at: 10ms, delay: {from: c1, to: storage1}, by: 15s, for: 1s}\n"
         "                                             messages sent on the link meanwhile take 15 s longer\n"
         "  {at: 3s, loss: {from: c1, to: redis1}, rate: 50%, for: 2s}\n"
         "                                             a loss burst: half the messages on the\n"
         "                                             link are lost meanwhile (`both: true`)\n"
         "\n"
         "Random faults, under `nemesis:` (drawn from the seed; docs/nemesis.md):\n"
         "  nemesis: {kinds: [pause, partition], every: {exponential: 2s}, for: 1s}\n"
         "  kinds: pause, crash (restarts after `for`), partition (every shape below),\n"
         "         partition-halves, partition-majority, partition-bridge, isolate,\n"
         "         cut (one way), delay, loss, clock-jump, clock-rate,\n"
         "         power-loss (only when listed; restarts after `for`)\n"
         "  also: from, until (the window), targets (nodes or roles), jump, rate,\n"
         "         delay, loss (sizes), swarm: true (each kind on or off per seed)\n"
         "  A run writes the faults it drew to faults.yaml, a `faults:` list to paste back.");
}

int cli_list(int argc, char **argv) {
    SIM_ASSERT(argc >= 1);
    SIM_ASSERT(argv != NULL);
    const char *what = argc > 1 ? argv[1] : "all";
    bool all = strcmp(what, "all") == 0;
    bool known = all;
    if (all || strcmp(what, "protocols") == 0) { known = true; list_protocols(); }
    if (all || strcmp(what, "workloads") == 0) { known = true; list_workloads(); }
    if (all || strcmp(what, "checks") == 0) { known = true; list_checks(); if (all) putchar('\n'); }
    if (all || strcmp(what, "faults") == 0) { known = true; list_faults(); }
    if (!known) {
        fprintf(stderr, "ccsim list: unknown list '%s' (expected protocols, workloads, checks or faults)\n", what);
        return SIM_EXIT_INPUT;
    }
    return SIM_EXIT_OK;
}
