/* fuzz_scenario.c -- a scenario file, loaded and run the way `ccsim run`
 * runs it: scn_load_buffer, registry_sim_create, sim_run, every check the
 * run names, and every report writer (summary.json, history.edn, story.txt,
 * timeline.dat/.gp and latency.dat/.gp, into a private temporary folder;
 * gnuplot is never started).
 *
 * Bounded so no input runs long: the horizon is cut to FUZZ_HORIZON (faults
 * after it are dropped, as if `duration:` had said so), and the trace goes
 * to /dev/null.  Invariant: every input either loads and runs to the end,
 * or fails with one line that obeys the error contract (fuzz_support.h).
 */
#define _DEFAULT_SOURCE   /* mkdtemp */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/check/check.h"
#include "sim/registry/registry.h"
#include "sim/report/plot.h"
#include "sim/report/report.h"
#include "tests/fuzz/fuzz_known.h"
#include "tests/fuzz/fuzz_support.h"

#define FUZZ_NAME "fuzz.yaml"
#define FUZZ_HORIZON SIM_S       /* the scenario library's heaviest (D3) takes 1-2 s of
                                     CPU per simulated second under the sanitizers */

static char out_dir[256];
static FILE *dev_null;

static void remove_out_dir(void) {
    static const char *const files[] = { "summary.json", "history.edn", "story.txt",
                                         "timeline.dat", "timeline.gp", "latency.dat",
                                         "latency.gp" };
    char p[512];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", out_dir, files[i]);
        remove(p);
    }
    rmdir(out_dir);
}

static void setup_once(void) {
    if (dev_null != NULL) return;
    const char *tmp = getenv("TMPDIR");
    snprintf(out_dir, sizeof out_dir, "%s/ccsim-fuzz.XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (mkdtemp(out_dir) == NULL) { perror("fuzz: mkdtemp"); abort(); }
    atexit(remove_out_dir);
    dev_null = fopen("/dev/null", "w");
    if (dev_null == NULL) { perror("fuzz: /dev/null"); abort(); }
}

/* The horizon cut to FUZZ_HORIZON; faults are sorted by `at`, so the ones
 * past it are a tail. */
static void bound(scn *s) {
    if (s->duration_ns <= FUZZ_HORIZON) return;
    s->duration_ns = FUZZ_HORIZON;
    while (s->fault_count > 0 && s->faults[s->fault_count - 1].at_ns > FUZZ_HORIZON)
        s->fault_count--;
}

static void check_error(const char *err) {
    static const char *const prefixes[] = { FUZZ_NAME ":" };
    fuzz_check_error(err, prefixes, 1);
}

/* Judged and reported as `ccsim run` does: by the run scenario (with the
 * faults a nemesis drew), not the loaded one. */
static void judge_and_report(sim *run, const plot_msgs *msgs) {
    char err[SIM_ERR_MAX];
    if (sim_run(run, err, sizeof err) != 0) { check_error(err); return; }
    sim_stats st = sim_get_stats(run);
    const char *names[SCN_CHECKS_MAX];
    uint32_t n = sim_check_names(run, names, SCN_CHECKS_MAX);
    check_result results[SCN_CHECKS_MAX];
    memset(results, 0, sizeof results);
    check_input in = { sim_history(run), sim_scenario(run), st.end_ns, false,   /* its nemesis faults too */
                       check_cache_new() };       /* shared, as ccsim run shares it */
    for (uint32_t i = 0; i < n; i++) {
        const check_desc *c = check_find(names[i]);
        if (c == NULL) abort();                   /* registry_sim_create validated them */
        results[i].name = c->name;
        c->run(&in, &results[i]);
    }
    check_cache_free(in.cache);
    rpt_run r = { .s = sim_scenario(run), .h = sim_history(run), .seed = st.seed, .events = st.events,
                  .messages_sent = st.messages_sent, .messages_dropped = st.messages_dropped,
                  .end_ns = st.end_ns, .scenario_digest = 0, .results = results,
                  .result_count = n };
    if (rpt_write_dir(out_dir, &r, err, sizeof err) != 0) { fprintf(stderr, "%s\n", err); abort(); }
    plot_run pr = { &r, msgs };
    if (plot_write(out_dir, &pr, err, sizeof err) != 0) { fprintf(stderr, "%s\n", err); abort(); }
    rpt_write_summary_json(dev_null, &r);
    for (uint32_t i = 0; i < n; i++) check_result_free(&results[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    setup_once();
    scn *s = calloc(1, sizeof *s);
    if (s == NULL) abort();
    char err[SIM_ERR_MAX];
    if (scn_load_buffer(FUZZ_NAME, (const char *)data, size, s, err, sizeof err) != 0) {
        check_error(err);
        free(s);
        return 0;
    }
    bound(s);
    if (fuzz_known_scenario(s)) { scn_free(s); free(s); return 0; }
    plot_msgs msgs;
    plot_msgs_init(&msgs);
    sim_options opt = { .trace = dev_null, .on_message = plot_msgs_note, .on_message_ctx = &msgs };
    sim *run = NULL;
    if (registry_sim_create(s, &opt, &run, err, sizeof err) != 0) check_error(err);
    else judge_and_report(run, &msgs);
    sim_destroy(run);
    plot_msgs_free(&msgs);
    scn_free(s);
    free(s);
    return 0;
}
