/* replay_main.c -- a main() for a fuzz target without libFuzzer: feeds each
 * file named on the command line (each file inside a named folder, in
 * name order) to LLVMFuzzerTestOneInput once.  `make sanitize` and `make
 * test` replay the corpora this way, with gcc and its sanitizers.
 * Prints "replay NAME: N inputs" and exits 0; a broken contract aborts.
 */
#define _DEFAULT_SOURCE   /* DT_DIR-free scandir, alphasort */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tests/fuzz/fuzz_support.h"

static size_t replayed;

static void replay_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) { perror(path); exit(2); }
    size_t cap = 4096, n = 0;
    unsigned char *buf = malloc(cap);
    if (buf == NULL) abort();
    for (;;) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap) break;
        cap *= 2;
        buf = realloc(buf, cap);
        if (buf == NULL) abort();
    }
    fclose(f);
    /* an exact-size copy, so ASan sees a read past the input */
    unsigned char *exact = malloc(n ? n : 1);
    if (exact == NULL) abort();
    if (n) memcpy(exact, buf, n);
    free(buf);
    LLVMFuzzerTestOneInput(exact, n);
    free(exact);
    replayed++;
}

static void replay(const char *path) {
    struct stat st;
    if (stat(path, &st) != 0) { perror(path); exit(2); }
    if (!S_ISDIR(st.st_mode)) { replay_file(path); return; }
    struct dirent **names = NULL;
    int n = scandir(path, &names, NULL, alphasort);
    if (n < 0) { perror(path); exit(2); }
    for (int i = 0; i < n; i++) {
        if (names[i]->d_name[0] != '.') {
            char p[4096];
            snprintf(p, sizeof p, "%s/%s", path, names[i]->d_name);
            replay(p);
        }
        free(names[i]);
    }
    free(names);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
        return 2;
    }
    for (int i = 1; i < argc; i++) replay(argv[i]);
    const char *name = strrchr(argv[0], '/');
    printf("replay %s: %zu inputs\n", name ? name + 1 : argv[0], replayed);
    return 0;
}
