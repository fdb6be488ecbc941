/* test_scn_support.h -- load a scenario from YAML text in a test, failing
 * the test with the loader's message when it is refused, and free it.
 * Include after <cmocka.h>. */
#ifndef TEST_SCN_SUPPORT_H
#define TEST_SCN_SUPPORT_H

#include <stdlib.h>
#include <string.h>

#include "sim/base.h"
#include "sim/scenario/scn.h"

static inline scn *load_ok(const char *text) {
    scn *s = sim_xmalloc(sizeof *s);
    char err[SIM_ERR_MAX] = "";
    int rc = scn_load_buffer("t.yaml", text, strlen(text), s, err, sizeof err);
    if (rc != 0) print_error("unexpected: %s\n", err);
    assert_int_equal(rc, 0);
    return s;
}

static inline void drop(scn *s) {
    scn_free(s);
    free(s);
}

#endif
