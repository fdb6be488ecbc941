/* test_broken_support.h -- the folders of broken scenarios whose errors come
 * from past the YAML parser (tests/db_broken/, tests/registry_broken/):
 * each file's first line is `# error: MSG`, and loading it, then creating
 * its run, must fail with exactly "PATH:MSG".  Include after <cmocka.h>.
 */
#ifndef TEST_BROKEN_SUPPORT_H
#define TEST_BROKEN_SUPPORT_H

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/registry/registry.h"
#include "sim/sim.h"

/* Whether path fails as its first line says.  registry_only: the loader
 * must take the file, and the error must be the registry's. */
static inline bool broken_file_fails_as_it_says(const char *path, bool registry_only) {
    char want[SIM_ERR_MAX] = "", err[SIM_ERR_MAX] = "";
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    bool have = fgets(want, sizeof want, f) != NULL;
    fclose(f);
    want[strcspn(want, "\r\n")] = '\0';
    assert_true(have && strncmp(want, "# error: ", 9) == 0);
    scn *s = calloc(1, sizeof *s);
    assert_non_null(s);
    bool loaded = scn_load(path, s, err, sizeof err) == 0, failed = !loaded;
    if (loaded) {
        sim *created = NULL;
        sim_options opt = { 0 };
        failed = registry_sim_create(s, &opt, &created, err, sizeof err) != 0;
        sim_destroy(created);
        scn_free(s);
    }
    free(s);
    size_t n = strlen(path);
    bool same = (loaded || !registry_only) && failed && strncmp(err, path, n) == 0 &&
                err[n] == ':' && strcmp(err + n + 1, want + 9) == 0;
    if (!same) print_error("%s:\n  want: %s\n  got:  %s\n", path, want + 9, err);
    return same;
}

/* Every .yaml in dir fails as it says; at least min_files of them. */
static inline void broken_dir_fails_as_it_says(const char *dir, uint32_t min_files,
                                               bool registry_only) {
    DIR *d = opendir(dir);
    assert_non_null(d);
    uint32_t files = 0, bad = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        size_t n = strlen(e->d_name);
        if (n < 6 || strcmp(e->d_name + n - 5, ".yaml") != 0) continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        files++;
        bad += !broken_file_fails_as_it_says(path, registry_only);
    }
    closedir(d);
    assert_true(files >= min_files);
    assert_int_equal(bad, 0);
}

#endif
