/* plot_draw.c -- runs gnuplot on a script of a report directory.
 *
 * gnuplot is an external program found on PATH (Debian: gnuplot-nox).  It
 * runs with the report directory as its working directory, stdin from
 * /dev/null, and `-e "sfx='.tmp'; svg=S; png=P"`, so the script writes
 * NAME.svg.tmp and/or NAME.png.tmp as asked; they are renamed into place
 * only when gnuplot exits 0, and removed otherwise, with any older NAME.svg
 * and NAME.png (a picture of an older run is worse than none).  An older
 * image of a format not drawn this time is removed too.  gnuplot's stderr is read into a small
 * buffer: its first line explains a failure; warnings on success are
 * dropped.
 *
 * Invariant: nothing here reads a clock; the images are gnuplot's, whose
 * SVG output is the same bytes for the same script and data (fonts are
 * named explicitly, no timestamp is written).  Trade-off: one fork and exec
 * per script; a missing gnuplot is found before forking, by searching
 * PATH, so the message can say what to install.
 */
#include "sim/report/plot_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define DRAW_PATH_MAX 4096
#define DRAW_ERR_KEEP 1024

static bool find_in_path(const char *prog, char *out, size_t len) {
    SIM_ASSERT(prog != NULL);
    SIM_ASSERT(len > 0);
    const char *path = getenv("PATH");
    if (path == NULL || *path == '\0') return false;
    while (*path) {
        size_t n = strcspn(path, ":");
        int w = snprintf(out, len, "%.*s/%s", (int)n, n ? path : ".", prog);
        if (n == 0) w = snprintf(out, len, "./%s", prog);
        struct stat st;
        if (w > 0 && (size_t)w < len && stat(out, &st) == 0 && S_ISREG(st.st_mode) &&
            access(out, X_OK) == 0)
            return true;
        path += n;
        if (*path == ':') path++;
    }
    return false;
}

static void image_names(const char *dir, const char *script, const char *ext, bool tmp,
                        char *out, size_t len) {
    SIM_ASSERT(ext != NULL);
    SIM_ASSERT(len > 0);
    size_t stem = strlen(script);
    if (stem > 3 && strcmp(script + stem - 3, ".gp") == 0) stem -= 3;
    snprintf(out, len, "%s/%.*s.%s%s", dir, (int)stem, script, ext, tmp ? ".tmp" : "");
}

static void remove_images(const char *dir, const char *script) {
    static const char *const exts[] = { "svg", "png" };
    SIM_ASSERT(dir != NULL);
    SIM_ASSERT(script != NULL);
    char path[DRAW_PATH_MAX];
    for (size_t i = 0; i < 2; i++) {
        image_names(dir, script, exts[i], true, path, sizeof path);
        unlink(path);
        image_names(dir, script, exts[i], false, path, sizeof path);
        unlink(path);
    }
}

/* The child: into dir, quiet, then gnuplot. */
static void run_child(const char *dir, const char *gnuplot, const char *script, unsigned formats,
                      int err_fd) {
    static const char *const vars[] = {
        [PLOT_PNG] = "sfx='.tmp'; svg=0; png=1",
        [PLOT_SVG] = "sfx='.tmp'; svg=1; png=0",
        [PLOT_BOTH] = "sfx='.tmp'; svg=1; png=1",
    };
    int null = open("/dev/null", O_RDWR);
    if (null >= 0) { dup2(null, 0); dup2(null, 1); }
    dup2(err_fd, 2);
    if (chdir(dir) != 0) _exit(126);
    execl(gnuplot, "gnuplot", "-e", vars[formats], script, (char *)NULL);
    _exit(127);
}

/* Reads the child's stderr to EOF, keeping the start. */
static void read_stderr(int fd, char *buf, size_t len) {
    size_t used = 0;
    SIM_ASSERT(fd >= 0);
    SIM_ASSERT(len > 0);                        /* len - 1 below */
    char chunk[512];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        size_t take = (size_t)n < len - 1 - used ? (size_t)n : len - 1 - used;
        memcpy(buf + used, chunk, take);
        used += take;
    }
    SIM_ASSERT(used < len);
    buf[used] = '\0';
}

static int run_gnuplot(const char *dir, const char *gnuplot, const char *script,
                       unsigned formats, char *msg, size_t len) {
    int fds[2];
    SIM_ASSERT(gnuplot != NULL);
    SIM_ASSERT(len > 0);
    if (pipe(fds) != 0) { snprintf(msg, len, "cannot create a pipe: %s", strerror(errno)); return -1; }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        snprintf(msg, len, "cannot start gnuplot: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) { close(fds[0]); run_child(dir, gnuplot, script, formats, fds[1]); }
    close(fds[1]);
    read_stderr(fds[0], msg, len);
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return 0;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The first line of gnuplot's complaint that says something. */
static void first_complaint(const char *text, char *out, size_t len) {
    const char *p = text;
    SIM_ASSERT(text != NULL);
    SIM_ASSERT(len > 0);
    while (*p) {
        size_t n = strcspn(p, "\n");
        size_t skip = strspn(p, " \t^");
        if (n > skip) { snprintf(out, len, "%.*s", (int)(n - skip), p + skip); return; }
        p += n + (p[n] == '\n');
    }
    snprintf(out, len, "no message");
}

plot_status plot_draw(const char *dir, const char *script, unsigned formats, char *why,
                      size_t why_len) {
    SIM_ASSERT(dir != NULL);
    SIM_ASSERT(script != NULL);
    SIM_ASSERT(formats != 0 && formats <= PLOT_BOTH);
    char gnuplot[DRAW_PATH_MAX];
    if (!find_in_path("gnuplot", gnuplot, sizeof gnuplot)) {
        remove_images(dir, script);
        snprintf(why, why_len, "gnuplot is not installed (not found on PATH), so %s/%s was not "
                 "drawn; install it (Debian: apt-get install gnuplot-nox), then run: ccsim plot %s",
                 dir, script, dir);
        return PLOT_NO_GNUPLOT;
    }
    char *out = sim_xmalloc(DRAW_ERR_KEEP);
    int rc = run_gnuplot(dir, gnuplot, script, formats, out, DRAW_ERR_KEEP);
    plot_status st = PLOT_DRAWN;
    static const char *const exts[] = { "svg", "png" };
    static const unsigned fmts[] = { PLOT_SVG, PLOT_PNG };
    for (size_t i = 0; rc == 0 && i < 2; i++) {
        char tmp[DRAW_PATH_MAX], final[DRAW_PATH_MAX];
        image_names(dir, script, exts[i], true, tmp, sizeof tmp);
        image_names(dir, script, exts[i], false, final, sizeof final);
        if (!(formats & fmts[i])) unlink(final);            /* not drawn: no older one left */
        else if (rename(tmp, final) != 0) rc = -1;
    }
    if (rc != 0) {
        char line[300];
        first_complaint(out, line, sizeof line);
        snprintf(why, why_len, "gnuplot failed on %s/%s (%s %d): %s; the other reports are written",
                 dir, script, rc < 0 ? "error" : "exit", rc, line);
        remove_images(dir, script);
        st = PLOT_GNUPLOT_FAILED;
    }
    free(out);
    return st;
}

int plot_parse_formats(const char *text, unsigned *formats) {
    SIM_ASSERT(formats != NULL);
    if (text == NULL) return -1;
    if (strcmp(text, "png") == 0) *formats = PLOT_PNG;
    else if (strcmp(text, "svg") == 0) *formats = PLOT_SVG;
    else if (strcmp(text, "png,svg") == 0 || strcmp(text, "svg,png") == 0) *formats = PLOT_BOTH;
    else return -1;
    return 0;
}

void plot_remove(const char *dir, const char *name) {
    SIM_ASSERT(dir != NULL);
    SIM_ASSERT(name != NULL);
    static const char *const exts[] = { "gp", "dat", "svg", "png" };
    char path[DRAW_PATH_MAX];
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
        snprintf(path, sizeof path, "%s/%s.%s", dir, name, exts[i]);
        unlink(path);
        snprintf(path, sizeof path, "%s/%s.%s.tmp", dir, name, exts[i]);
        unlink(path);
    }
}
