/* test_tmp_support.h -- a temporary folder a test group owns: made in its
 * setup, removed with all it holds in its teardown. */
#ifndef TEST_TMP_SUPPORT_H
#define TEST_TMP_SUPPORT_H

#include <stdio.h>
#include <stdlib.h>

/* Makes /tmp/ccsim-test-NAME.XXXXXX, its path in dir; 0, or -1. */
static inline int tmpdir_make(char *dir, size_t len, const char *name) {
    snprintf(dir, len, "/tmp/ccsim-test-%s.XXXXXX", name);
    return mkdtemp(dir) ? 0 : -1;
}

static inline int tmpdir_remove(const char *dir) {
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

#endif
