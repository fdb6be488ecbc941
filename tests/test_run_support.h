/* test_run_support.h -- run a scenario from a test: from a file of the
 * library, or from YAML text for a variant the library has no file for.
 * Any error fails the test with its message.  Include after <cmocka.h>. */
#ifndef TEST_RUN_SUPPORT_H
#define TEST_RUN_SUPPORT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/check/check.h"
#include "sim/registry/registry.h"
#include "sim/sim.h"

typedef struct run {
    scn *s;
    sim *sim;
    const hist *h;
} run;

/* Creates and runs a loaded scenario (the run owns s). */
static inline run run_loaded(scn *s) {
    run r = { s, NULL, NULL };
    char err[1024];
    sim_options opt = { 0 };
    if (registry_sim_create(r.s, &opt, &r.sim, err, sizeof err) != 0) fail_msg("%s", err);
    if (sim_run(r.sim, err, sizeof err) != 0) fail_msg("%s", err);
    r.h = sim_history(r.sim);
    return r;
}

/* A library scenario with --set overrides: the first n of sets (n <= 4). */
static inline run run_file_sets(const char *path, const char *const *sets, uint32_t n) {
    char err[1024];
    scn *s = calloc(1, sizeof *s);
    assert_non_null(s);
    if (scn_load_with_overrides(path, sets, n, s, err, sizeof err) != 0) fail_msg("%s", err);
    return run_loaded(s);
}

/* ... with one override, or none when set is NULL. */
static inline run run_file_set(const char *path, const char *set) {
    const char *sets[1] = { set };
    return run_file_sets(path, sets, set ? 1u : 0u);
}

/* A check's result on a run, judged to the scenario's horizon (free it). */
static inline check_result run_judge(const run *r, const char *check) {
    check_input in = { .h = r->h, .s = r->s, .horizon_ns = r->s->duration_ns };
    check_result res;
    const check_desc *c = check_find(check);
    if (c == NULL) fail_msg("no check '%s'", check);
    c->run(&in, &res);
    return res;
}

static inline check_verdict run_verdict(const run *r, const char *check) {
    check_result res = run_judge(r, check);
    check_verdict v = res.verdict;
    check_result_free(&res);
    return v;
}

static inline run run_file(const char *path) {
    char err[1024];
    scn *s = calloc(1, sizeof *s);
    assert_non_null(s);
    if (scn_load(path, s, err, sizeof err) != 0) fail_msg("%s", err);
    return run_loaded(s);
}

static inline run run_text(const char *yaml) {
    char err[1024];
    scn *s = calloc(1, sizeof *s);
    assert_non_null(s);
    if (scn_load_buffer("variant.yaml", yaml, strlen(yaml), s, err, sizeof err) != 0) fail_msg("%s", err);
    return run_loaded(s);
}

static inline void run_free(run *r) {
    sim_destroy(r->sim);
    scn_free(r->s);
    free(r->s);
}

/* Loads YAML text and tries to create the run; returns registry_sim_create's (or
 * the loader's) result: 0, or -1 with the error in err. */
static inline int create_text(const char *yaml, char *err, size_t err_len) {
    scn *s = calloc(1, sizeof *s);
    assert_non_null(s);
    int rc = scn_load_buffer("variant.yaml", yaml, strlen(yaml), s, err, err_len);
    if (rc == 0) {
        sim *made = NULL;
        sim_options opt = { 0 };
        rc = registry_sim_create(s, &opt, &made, err, err_len);
        if (rc == 0) sim_destroy(made);
        scn_free(s);
    }
    free(s);
    return rc;
}

/* What a run wrote into f (a tmpfile: its trace or side log), as text
 * (free() it); closes f.  Fails the test when nothing was written. */
static inline char *file_text(FILE *f) {
    long n = ftell(f);
    assert_true(n > 0);
    char *text = calloc(1, (size_t)n + 1);
    assert_non_null(text);
    rewind(f);
    assert_int_equal(fread(text, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    return text;
}

#endif
