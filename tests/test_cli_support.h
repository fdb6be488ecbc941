/* test_cli_support.h -- run the real binary ($BUILD/ccsim) from a test, as
 * a user would, in a temporary folder the test group owns.  Include after
 * <cmocka.h>; each file wraps cli_vrun in its own `run()` with the
 * arguments it needs. */
#ifndef TEST_CLI_SUPPORT_H
#define TEST_CLI_SUPPORT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "tests/test_tmp_support.h"

/* A big run (report.h: over RPT_BIG_RUN_EVENTS, 100 000 events) in a
 * fraction of a second: the 1-hour Redlock bench cut to 2000 s, about
 * 129 000 events.  Its defaults keep no trace.log and draw PNG only. */
#define CLI_BIG_RUN "run tests/bench/redlock-5x10-1h.yaml --set duration=2000s"

static char ccsim[512];
static char tmpdir[256];

/* Runs `[ENV] ccsim ARGS` (ARGS from fmt) with stdout captured into out,
 * and stderr too when both (else it is dropped); returns the exit code,
 * -1 when it died of a signal. */
static inline int cli_vrun(char *out, size_t len, const char *env, bool both, const char *fmt,
                           va_list ap) {
    char args[2048], cmd[4096];
    vsnprintf(args, sizeof args, fmt, ap);
    snprintf(cmd, sizeof cmd, "%s %s %s %s", env ? env : "", ccsim, args,
             both ? "2>&1" : "2>/dev/null");
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = fread(out, 1, len - 1, p);
    out[n] = '\0';
    int status = pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The binary's path and a fresh /tmp/ccsim-test-NAME.XXXXXX; 0 or -1. */
static inline int cli_setup(const char *name) {
    const char *build = getenv("BUILD");
    snprintf(ccsim, sizeof ccsim, "%s/ccsim", build && *build ? build : "build");
    return tmpdir_make(tmpdir, sizeof tmpdir, name);
}

static inline int cli_teardown(void) { return tmpdir_remove(tmpdir); }

#endif
