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
 * Each format of each script is its own gnuplot process (the script's
 * `svg` and `png` variables pick one), and all of a call's processes run
 * at once: they are independent, each writes its own NAME.FMT.tmp, and
 * their stderr pipes are read together (poll), so none waits on a full
 * pipe.  A script's images are renamed into place only when all of its
 * processes succeeded.
 *
 * Invariant: nothing here reads a clock; the images are gnuplot's, whose
 * SVG output is the same bytes for the same script and data (fonts are
 * named explicitly, no timestamp is written), whether drawn alone or
 * beside others.  Trade-off: one fork and exec per script and format
 * (gnuplot starts in a few ms; drawing is what costs); a missing gnuplot
 * is found before forking, by searching PATH, so the message can say what
 * to install.
 */
#include "sim/report/plot_int.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
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

/* One gnuplot process: a script drawn in one format. */
typedef struct draw_job {
    const char *script;
    unsigned format;             /* PLOT_PNG or PLOT_SVG */
    pid_t pid;                   /* -1: not started */
    int fd;                      /* its stderr, -1 once at EOF */
    char err[DRAW_ERR_KEEP];     /* the start of its stderr, or why it did not start */
    size_t used;
    int rc;                      /* 0, its exit code, 128 + signal, or -1 */
} draw_job;

static void start_job(draw_job *j, const char *dir, const char *gnuplot) {
    int fds[2];
    SIM_ASSERT(j->script != NULL);
    SIM_ASSERT(j->format == PLOT_PNG || j->format == PLOT_SVG);
    j->pid = -1;
    j->fd = -1;
    j->rc = -1;
    if (pipe(fds) != 0) { snprintf(j->err, sizeof j->err, "cannot create a pipe: %s", strerror(errno)); return; }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        snprintf(j->err, sizeof j->err, "cannot start gnuplot: %s", strerror(errno));
        return;
    }
    if (pid == 0) { close(fds[0]); run_child(dir, gnuplot, j->script, j->format, fds[1]); }
    close(fds[1]);
    j->pid = pid;
    j->fd = fds[0];
}

/* Reads what is there of a job's stderr, keeping the start; closes at EOF. */
static void read_some(draw_job *j) {
    char chunk[512];
    SIM_ASSERT(j->fd >= 0);
    SIM_ASSERT(j->used < sizeof j->err);
    ssize_t n = read(j->fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) return;
    if (n <= 0) { close(j->fd); j->fd = -1; return; }
    size_t room = sizeof j->err - 1 - j->used;
    size_t take = (size_t)n < room ? (size_t)n : room;
    memcpy(j->err + j->used, chunk, take);
    j->used += take;
    j->err[j->used] = '\0';
}

/* Reads every job's stderr to EOF together (none may fill its pipe and
 * wait while another is read), then reaps them all. */
static void wait_jobs(draw_job *jobs, size_t n) {
    SIM_ASSERT(n <= PLOT_DRAW_JOBS_MAX);
    for (;;) {
        struct pollfd pf[PLOT_DRAW_JOBS_MAX];
        size_t at[PLOT_DRAW_JOBS_MAX], m = 0;
        for (size_t i = 0; i < n; i++)
            if (jobs[i].fd >= 0) { pf[m] = (struct pollfd){ jobs[i].fd, POLLIN, 0 }; at[m++] = i; }
        if (m == 0) break;
        if (poll(pf, (nfds_t)m, -1) < 0) {
            if (errno == EINTR) continue;
            for (size_t k = 0; k < m; k++) { close(jobs[at[k]].fd); jobs[at[k]].fd = -1; }
            break;
        }
        for (size_t k = 0; k < m; k++)
            if (pf[k].revents) read_some(&jobs[at[k]]);
    }
    for (size_t i = 0; i < n; i++) {
        if (jobs[i].pid < 0) continue;
        int status = 0;
        while (waitpid(jobs[i].pid, &status, 0) < 0 && errno == EINTR) {}
        jobs[i].rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
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


/* After its jobs: the script's images renamed into place (and an older
 * one of a format not drawn removed), or all removed and *why told. */
static plot_status settle(const char *dir, const char *script, unsigned formats,
                          const draw_job *jobs, size_t n, char *why, size_t why_len) {
    static const char *const exts[] = { "svg", "png" };
    static const unsigned fmts[] = { PLOT_SVG, PLOT_PNG };
    const draw_job *bad = NULL;
    for (size_t i = 0; i < n && !bad; i++)
        if (jobs[i].script == script && jobs[i].rc != 0) bad = &jobs[i];
    int rc = bad ? bad->rc : 0;
    for (size_t i = 0; rc == 0 && i < 2; i++) {
        char tmp[DRAW_PATH_MAX], final[DRAW_PATH_MAX];
        image_names(dir, script, exts[i], true, tmp, sizeof tmp);
        image_names(dir, script, exts[i], false, final, sizeof final);
        if (!(formats & fmts[i])) unlink(final);            /* not drawn: no older one left */
        else if (rename(tmp, final) != 0) rc = -1;
    }
    if (rc == 0) return PLOT_DRAWN;
    char line[300];
    first_complaint(bad ? bad->err : "cannot rename the image into place", line, sizeof line);
    snprintf(why, why_len, "gnuplot failed on %s/%s (%s %d): %s; the other reports are written",
             dir, script, rc < 0 ? "error" : "exit", rc, line);
    remove_images(dir, script);
    return PLOT_GNUPLOT_FAILED;
}

plot_status plot_draw_many(const char *dir, const char *const *scripts, size_t n,
                           unsigned formats, char *why, size_t why_len) {
    SIM_ASSERT(dir != NULL);
    SIM_ASSERT(formats != 0 && formats <= PLOT_BOTH);
    SIM_ASSERT(n >= 1 && n * 2 <= PLOT_DRAW_JOBS_MAX);
    char gnuplot[DRAW_PATH_MAX];
    if (!find_in_path("gnuplot", gnuplot, sizeof gnuplot)) {
        for (size_t i = 0; i < n; i++) remove_images(dir, scripts[i]);
        snprintf(why, why_len, "gnuplot is not installed (not found on PATH), so %s/%s was not "
                 "drawn; install it (Debian: apt-get install gnuplot-nox), then run: ccsim plot %s",
                 dir, scripts[0], dir);
        return PLOT_NO_GNUPLOT;
    }
    draw_job *jobs = sim_xcalloc(PLOT_DRAW_JOBS_MAX, sizeof *jobs);
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        for (unsigned f = PLOT_PNG; f <= PLOT_SVG; f <<= 1) {
            if (!(formats & f)) continue;
            jobs[count] = (draw_job){ .script = scripts[i], .format = f };
            start_job(&jobs[count++], dir, gnuplot);
        }
    wait_jobs(jobs, count);
    plot_status st = PLOT_DRAWN;
    for (size_t i = 0; i < n; i++) {
        char line[1200];
        plot_status one = settle(dir, scripts[i], formats, jobs, count, line, sizeof line);
        if (one != PLOT_DRAWN && st == PLOT_DRAWN) {
            st = one;
            snprintf(why, why_len, "%s", line);
        }
    }
    free(jobs);
    return st;
}

plot_status plot_draw(const char *dir, const char *script, unsigned formats, char *why,
                      size_t why_len) {
    SIM_ASSERT(script != NULL);
    return plot_draw_many(dir, &script, 1, formats, why, why_len);
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
