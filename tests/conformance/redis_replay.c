/* redis_replay: replays ccsim's Redis command logs (docs/redis-log.md, v1)
 * on real redis-server processes and compares every reply, and each key's
 * presence around the instant ccsim says it expired (docs/conformance.md).
 *
 *   redis_replay [--shim SO] [--server PATH] [--parse-only] LOG...
 *
 * Every log is read and checked whole before any server starts (bad input:
 * "file:line:col: error: ...", exit 2).  Then, per log: one redis-server
 * per `redis` node on 127.0.0.1 (a free port, its own directory under one
 * temporary folder, `--save ''`, the AOF as the node's persistence says),
 * its wall clock given by the LD_PRELOAD clock shim (clockshim.c) from a
 * file this driver maps and writes; the records are replayed in file order.
 * Prints a line per difference and `NAME: N commands, M identical, K differ`
 * per log, `total: ...` last.  Exit 0 when every difference has a named
 * class, 1 when one has none, 2 on bad input, 3 when a server cannot be
 * run (start-up or a reply takes longer than its bound).
 *
 * Invariant: every server this process started is in `g_pids` until it has
 * been killed and reaped; every exit path (normal, failure, SIGINT,
 * SIGTERM) kills them, and a server's parent-death signal kills it if this
 * process dies some other way.  No wait is unbounded: connecting, start-up
 * and each reply have deadlines.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_NODES      32
#define MAX_FIELDS     64
#define NAME_MAX_LEN   64
#define REPLY_CAP      4096
#define CLOCK_BASE_NS  INT64_C(1700000000000000000)   /* a whole second */
#define CLOCK_SPAN_NS  INT64_C(1000000000000000000)   /* |WALL_NS| bound */
#define START_MS       10000
#define REPLY_MS       3000
#define MAX_LOG_BYTES  (64L << 20)

/* ---------- the log, parsed ---------- */

typedef enum { P_NONE, P_EVERYSEC, P_ALWAYS } persist_mode;
typedef enum { EV_CMD, EV_BLOCK, EV_REPLY, EV_EXPIRE, EV_CRASH, EV_POWER,
               EV_RESTART, EV_LISTENING, EV_PROMOTE } event_kind;

typedef struct { char *p; size_t n; } field;

typedef struct {
    int line;
    int node;
    event_kind ev;
    int64_t wall, mono, at;    /* at: EV_EXPIRE's AT_NS */
    persist_mode persist;      /* crash, power-loss, restart */
    field reply;               /* cmd: REPLY */
    field *args;               /* cmd: ARG0 ...; expire: KEY */
    int nargs;
} record;

typedef struct {
    char name[NAME_MAX_LEN];
    bool replica;
    persist_mode persist;
    bool ttl_mono;
} node_decl;

typedef struct {
    const char *path;
    char *buf;
    char scenario[NAME_MAX_LEN];
    node_decl nodes[MAX_NODES];
    int nnodes;
    record *recs;
    int nrecs;
} replay_log;

static const char *PERSIST_NAMES[] = { "none", "everysec", "always" };
static const char *EVENT_NAMES[] = { "cmd", "block", "reply", "expire", "crash",
                                     "power-loss", "restart", "listening", "promote" };

static void die_input(const char *path, int line, int col, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s:%d:%d: error: ", path, line, col);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(2);
}

/* Reads PATH whole, NUL-terminated. */
static char *read_whole(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) die_input(path, 0, 0, "cannot open: %s", strerror(errno));
    char *buf = malloc((size_t)MAX_LOG_BYTES + 1);
    if (!buf) { fprintf(stderr, "redis_replay: out of memory\n"); exit(3); }
    size_t n = fread(buf, 1, (size_t)MAX_LOG_BYTES + 1, f);
    bool err = ferror(f);
    fclose(f);
    if (err) die_input(path, 0, 0, "cannot read");
    if (n > (size_t)MAX_LOG_BYTES) die_input(path, 0, 0, "log larger than %ld bytes", MAX_LOG_BYTES);
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* Unescapes FIELD in place (docs/redis-log.md: \\ \t \n \r).  Returns the
 * 0-based offset of a bad escape, or -1. */
static long unescape(field *f)
{
    size_t o = 0;
    for (size_t i = 0; i < f->n; i++) {
        char c = f->p[i];
        if (c == '\\') {
            if (i + 1 >= f->n) return (long)i;
            char e = f->p[++i];
            if (e == '\\') c = '\\';
            else if (e == 't') c = '\t';
            else if (e == 'n') c = '\n';
            else if (e == 'r') c = '\r';
            else return (long)i - 1;
        }
        f->p[o++] = c;
    }
    f->n = o;
    return -1;
}

static bool parse_i64(const field *f, int64_t *out)
{
    char tmp[32];
    if (f->n == 0 || f->n >= sizeof tmp) return false;
    memcpy(tmp, f->p, f->n);
    tmp[f->n] = '\0';
    char *end;
    errno = 0;
    long long v = strtoll(tmp, &end, 10);
    if (errno || *end || tmp[0] == '+' || tmp[0] == ' ') return false;
    *out = v;
    return true;
}

static bool field_is(const field *f, const char *s)
{
    return f->n == strlen(s) && memcmp(f->p, s, f->n) == 0;
}

static int field_index(const field *f, const char *const *names, int count)
{
    for (int i = 0; i < count; i++) if (field_is(f, names[i])) return i;
    return -1;
}

/* One line split at TABs; cols[i] is field i's 1-based column. */
typedef struct {
    const char *path;
    int line;
    field f[MAX_FIELDS];
    int cols[MAX_FIELDS];
    int n;
} split_line;

static void split(split_line *s, char *p, size_t n)
{
    s->n = 0;
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && p[i] != '\t') continue;
        if (s->n == MAX_FIELDS) die_input(s->path, s->line, (int)start + 1, "more than %d fields", MAX_FIELDS);
        s->f[s->n] = (field){ p + start, i - start };
        s->cols[s->n] = (int)start + 1;
        s->n++;
        start = i + 1;
    }
    for (int i = 0; i < s->n; i++) {
        long bad = unescape(&s->f[i]);
        if (bad >= 0) die_input(s->path, s->line, s->cols[i] + (int)bad, "bad escape (\\\\, \\t, \\n or \\r expected)");
    }
}

static void need(const split_line *s, int i, const char *what)
{
    if (i >= s->n) die_input(s->path, s->line, s->n ? s->cols[s->n - 1] + (int)s->f[s->n - 1].n : 1, "missing %s", what);
    if (s->f[i].n == 0) die_input(s->path, s->line, s->cols[i], "empty %s", what);
}

static void need_key(const split_line *s, int i, const char *key)
{
    need(s, i, key);
    if (!field_is(&s->f[i], key)) die_input(s->path, s->line, s->cols[i], "'%s' expected", key);
}

static void copy_name(const split_line *s, int i, char *dst)
{
    need(s, i, "name");
    if (s->f[i].n >= NAME_MAX_LEN) die_input(s->path, s->line, s->cols[i], "name longer than %d bytes", NAME_MAX_LEN - 1);
    memcpy(dst, s->f[i].p, s->f[i].n);
    dst[s->f[i].n] = '\0';
}

static void parse_node_header(replay_log *lg, const split_line *s)
{
    static const char *const roles[] = { "redis", "replica" };
    static const char *const clocks[] = { "wall", "monotonic" };
    if (lg->nrecs > 0) die_input(s->path, s->line, 1, "'# node' after the first record");
    if (lg->nnodes == MAX_NODES) die_input(s->path, s->line, 1, "more than %d nodes", MAX_NODES);
    node_decl *d = &lg->nodes[lg->nnodes];
    copy_name(s, 1, d->name);
    for (int i = 0; i < lg->nnodes; i++)
        if (strcmp(lg->nodes[i].name, d->name) == 0) die_input(s->path, s->line, s->cols[1], "node '%s' declared twice", d->name);
    need_key(s, 2, "role");
    need(s, 3, "role");
    int role = field_index(&s->f[3], roles, 2);
    if (role < 0) die_input(s->path, s->line, s->cols[3], "role must be redis or replica");
    need_key(s, 4, "persistence");
    need(s, 5, "persistence");
    int pm = field_index(&s->f[5], PERSIST_NAMES, 3);
    if (pm < 0) die_input(s->path, s->line, s->cols[5], "persistence must be none, everysec or always");
    need_key(s, 6, "ttl_clock");
    need(s, 7, "ttl_clock");
    int ck = field_index(&s->f[7], clocks, 2);
    if (ck < 0) die_input(s->path, s->line, s->cols[7], "ttl_clock must be wall or monotonic");
    if (s->n > 8) die_input(s->path, s->line, s->cols[8], "unexpected field after ttl_clock");
    d->replica = role == 1;
    d->persist = (persist_mode)pm;
    d->ttl_mono = ck == 1;
    lg->nnodes++;
}

/* Header and comment lines; returns after noting the version line. */
static void parse_hash_line(replay_log *lg, split_line *s, bool *have_version)
{
    static const char version[] = "# ccsim redis log v1";
    const field *f0 = &s->f[0];
    if (s->n == 1 && strncmp(f0->p, "# ccsim redis log", 17) == 0) {
        if (!field_is(f0, version)) die_input(s->path, s->line, 1, "unsupported log version (v1 expected)");
        if (*have_version) die_input(s->path, s->line, 1, "second version line");
        *have_version = true;
        return;
    }
    bool node = field_is(f0, "# node");
    if (!node && !field_is(f0, "# scenario")) die_input(s->path, s->line, 1, "unknown header");
    if (!*have_version) die_input(s->path, s->line, 1, "'# ccsim redis log v1' expected before this line");
    if (node) { parse_node_header(lg, s); return; }
    copy_name(s, 1, lg->scenario);
    need_key(s, 2, "seed");
    int64_t seed;
    need(s, 3, "seed");
    if (!parse_i64(&s->f[3], &seed)) die_input(s->path, s->line, s->cols[3], "seed must be an integer");
}

static int64_t need_ns(const split_line *s, int i, const char *what)
{
    int64_t v;
    need(s, i, what);
    if (!parse_i64(&s->f[i], &v)) die_input(s->path, s->line, s->cols[i], "%s must be an integer", what);
    if (v > CLOCK_SPAN_NS || v < -CLOCK_SPAN_NS) die_input(s->path, s->line, s->cols[i], "%s out of range", what);
    return v;
}

static bool reply_ok(const field *f)
{
    int64_t v;
    if (field_is(f, "nil")) return true;
    if (f->n == 0) return false;
    if (f->p[0] == '+' || f->p[0] == '$') return true;
    if (f->p[0] == '-') return f->n > 1;
    field num = { f->p + 1, f->n - 1 };
    return f->p[0] == ':' && parse_i64(&num, &v);
}

static void parse_persist_field(const split_line *s, record *r)
{
    need(s, 5, "persistence");
    int pm = field_index(&s->f[5], PERSIST_NAMES, 3);
    if (pm < 0) die_input(s->path, s->line, s->cols[5], "persistence must be none, everysec or always");
    r->persist = (persist_mode)pm;
}

/* Checks the fields after EVENT (exact[]: how many, -1 for at least least[]). */
static void event_fields(const split_line *s, record *r)
{
    static const int exact[] = { -1, -1, 3, 2, 1, 1, 1, 0, 1 };
    static const int least[] = { 3, 2, 3, 2, 1, 1, 1, 0, 1 };
    int extra = s->n - 5;
    if (extra < least[r->ev]) need(s, s->n, "fields for this event");
    if (exact[r->ev] >= 0 && extra > exact[r->ev]) die_input(s->path, s->line, s->cols[5 + exact[r->ev]], "unexpected field");
    for (int i = 5; i < s->n; i++) need(s, i, "field");
    if (r->ev == EV_CMD || r->ev == EV_REPLY) {
        int ri = 6;
        if (!reply_ok(&s->f[ri])) die_input(s->path, s->line, s->cols[ri], "reply must be +TEXT, -ERR..., :N, $VALUE or nil");
        r->reply = s->f[ri];
    }
    if (r->ev == EV_EXPIRE) r->at = need_ns(s, 6, "AT_NS");
    if (r->ev == EV_CRASH || r->ev == EV_POWER || r->ev == EV_RESTART) parse_persist_field(s, r);
    if (r->ev == EV_PROMOTE) (void)need_ns(s, 5, "OFFSET");
    int first = r->ev == EV_CMD ? 7 : r->ev == EV_BLOCK ? 6 : r->ev == EV_EXPIRE ? 5 : s->n;
    r->nargs = s->n - first;
    if (r->ev == EV_EXPIRE) r->nargs = 1;
    r->args = NULL;
    if (r->nargs > 0) {
        r->args = malloc(sizeof(field) * (size_t)r->nargs);
        if (!r->args) { fprintf(stderr, "redis_replay: out of memory\n"); exit(3); }
        memcpy(r->args, &s->f[first], sizeof(field) * (size_t)r->nargs);
    }
}

static void parse_record(replay_log *lg, split_line *s, int64_t *last_true)
{
    record r = { .line = s->line };
    if (lg->nnodes == 0) die_input(s->path, s->line, 1, "record before any '# node' line");
    int64_t t = need_ns(s, 0, "TRUE_NS");
    if (t < *last_true) die_input(s->path, s->line, 1, "TRUE_NS goes back (records must be in run order)");
    *last_true = t;
    need(s, 1, "NODE");
    r.node = -1;
    for (int i = 0; i < lg->nnodes; i++) if (field_is(&s->f[1], lg->nodes[i].name)) r.node = i;
    if (r.node < 0) die_input(s->path, s->line, s->cols[1], "unknown node (no '# node' line names it)");
    r.wall = need_ns(s, 2, "WALL_NS");
    r.mono = need_ns(s, 3, "MONO_NS");
    need(s, 4, "EVENT");
    int ev = field_index(&s->f[4], EVENT_NAMES, 9);
    if (ev < 0) die_input(s->path, s->line, s->cols[4], "unknown event");
    r.ev = (event_kind)ev;
    event_fields(s, &r);
    record *grown = realloc(lg->recs, sizeof(record) * (size_t)(lg->nrecs + 1));
    if (!grown) { fprintf(stderr, "redis_replay: out of memory\n"); exit(3); }
    lg->recs = grown;
    lg->recs[lg->nrecs++] = r;
}

static bool starts(const char *p, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);
    return n >= k && memcmp(p, prefix, k) == 0;
}

/* A header line (the rest starting with '#' are comments, kept unparsed). */
static bool is_header(const char *p, size_t n)
{
    return starts(p, n, "# ccsim redis log") || starts(p, n, "# scenario\t") || starts(p, n, "# node\t");
}

static void parse_log(replay_log *lg, const char *path)
{
    size_t len;
    memset(lg, 0, sizeof *lg);
    lg->path = path;
    lg->buf = read_whole(path, &len);
    bool have_version = false;
    int64_t last_true = INT64_MIN;
    split_line s = { .path = path };
    char *p = lg->buf, *end = lg->buf + len;
    for (int line = 1; p < end; line++) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) die_input(path, line, (int)(end - p) + 1, "last line has no newline");
        s.line = line;
        if (nl == p) die_input(path, line, 1, "empty line");
        size_t n = (size_t)(nl - p);
        if (p[0] == '#' && !is_header(p, n)) { p = nl + 1; continue; }   /* a comment */
        bool hash = p[0] == '#';
        split(&s, p, n);
        if (hash) parse_hash_line(lg, &s, &have_version);
        else if (!have_version) die_input(path, line, 1, "'# ccsim redis log v1' expected before this line");
        else parse_record(lg, &s, &last_true);
        p = nl + 1;
    }
    if (!have_version) die_input(path, 1, 1, "not a ccsim redis log ('# ccsim redis log v1' missing)");
    if (lg->scenario[0] == '\0') die_input(path, 1, 1, "no '# scenario' line");
}

/* ---------- servers ---------- */

typedef struct {
    pid_t pid;                 /* 0 when down */
    int fd;                    /* connection, -1 when none */
    int port;
    char dir[PATH_MAX];
    volatile int64_t *clock;   /* the shim's clock file, mapped */
    int64_t clock_set;         /* the last value written, INT64_MIN before */
    bool power_lost;           /* a power loss with everysec was made a kill -9 */
    char rbuf[REPLY_CAP];
    size_t rlen, rpos;
} server;

static volatile sig_atomic_t g_signal;
static volatile pid_t g_pids[MAX_NODES];
static const char *g_shim;
static const char *g_server_path = "redis-server";
static char g_root[PATH_MAX / 2];    /* the temporary folder, "" when none */

static void kill_all(void)
{
    for (int i = 0; i < MAX_NODES; i++) {
        pid_t p = g_pids[i];
        if (p > 0) kill(p, SIGKILL);
    }
}

static void on_signal(int sig)
{
    g_signal = sig;
    kill_all();                /* async-signal-safe; reaped by main */
}

static void harness_fail(const char *fmt, ...);

static void remove_tree(const char *path)
{
    DIR *d = opendir(path);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
            char sub[PATH_MAX];
            if (snprintf(sub, sizeof sub, "%s/%s", path, e->d_name) >= (int)sizeof sub) continue;
            struct stat st;
            if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode)) remove_tree(sub);
            else unlink(sub);
        }
        closedir(d);
    }
    rmdir(path);
}

static void stop_server(server *sv, int slot)
{
    if (sv->fd >= 0) close(sv->fd);
    sv->fd = -1;
    sv->rlen = sv->rpos = 0;
    if (sv->pid > 0) {
        kill(sv->pid, SIGKILL);
        while (waitpid(sv->pid, NULL, 0) < 0 && errno == EINTR) {}
    }
    sv->pid = 0;
    g_pids[slot] = 0;
}

static void cleanup(server *svs, int n)
{
    for (int i = 0; i < n; i++) {
        stop_server(&svs[i], i);
        if (svs[i].clock) munmap((void *)svs[i].clock, 4096);
        svs[i].clock = NULL;
    }
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = 0 };
    socklen_t al = sizeof a;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &al) != 0)
        harness_fail("cannot find a free port: %s", strerror(errno));
    close(fd);
    return ntohs(a.sin_port);
}

static void set_clock(server *sv, int64_t ns)
{
    __atomic_store_n(sv->clock, CLOCK_BASE_NS + ns, __ATOMIC_RELEASE);
    sv->clock_set = ns;
}

static void map_clock(server *sv, int slot)
{
    char path[PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/n%d.clock", g_root, slot);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || ftruncate(fd, 4096) != 0) harness_fail("cannot create %s: %s", path, strerror(errno));
    void *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (m == MAP_FAILED) harness_fail("cannot map %s: %s", path, strerror(errno));
    sv->clock = m;
    sv->clock_set = INT64_MIN;
    __atomic_store_n(sv->clock, CLOCK_BASE_NS, __ATOMIC_RELEASE);
}

static void exec_server(const server *sv, int slot, persist_mode pm)
{
    char port[16], clock[PATH_MAX + 16], logf[PATH_MAX + 16];
    snprintf(port, sizeof port, "%d", sv->port);
    snprintf(clock, sizeof clock, "%s/n%d.clock", g_root, slot);
    snprintf(logf, sizeof logf, "%s/redis.log", sv->dir);
    const char *argv[24];
    int n = 0;
    argv[n++] = g_server_path;
    argv[n++] = "--port"; argv[n++] = port;
    argv[n++] = "--bind"; argv[n++] = "127.0.0.1";
    argv[n++] = "--dir"; argv[n++] = sv->dir;
    argv[n++] = "--logfile"; argv[n++] = logf;
    argv[n++] = "--daemonize"; argv[n++] = "no";
    argv[n++] = "--save"; argv[n++] = "";
    argv[n++] = "--appendonly"; argv[n++] = pm == P_NONE ? "no" : "yes";
    if (pm != P_NONE) { argv[n++] = "--appendfsync"; argv[n++] = PERSIST_NAMES[pm]; }
    argv[n] = NULL;
    setenv("CCSIM_CLOCK_FILE", clock, 1);
    if (g_shim) setenv("LD_PRELOAD", g_shim, 1);
    int null = open("/dev/null", O_RDWR);
    if (null >= 0) { dup2(null, 0); dup2(null, 1); dup2(null, 2); }
    execvp(g_server_path, (char *const *)argv);
    _exit(127);
}

static int connect_port(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) { close(fd); return -1; }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

static bool send_cmd(server *sv, const field *args, int nargs);
static int read_reply(server *sv, char *out, size_t cap, size_t *len, int64_t deadline);

/* Copies the end of a server's log to stderr (before its folder goes). */
static void print_log_tail(const server *sv)
{
    char path[PATH_MAX + 16], tail[1024];
    snprintf(path, sizeof path, "%s/redis.log", sv->dir);
    FILE *f = fopen(path, "rb");
    if (!f) return;
    if (fseek(f, -(long)sizeof tail + 1, SEEK_END) != 0) rewind(f);
    size_t n = fread(tail, 1, sizeof tail - 1, f);
    fclose(f);
    tail[n] = '\0';
    fprintf(stderr, "redis_replay: end of %s:\n%s", path, tail);
}

/* Connects and sends PING until +PONG (a server loading its AOF answers
 * -LOADING), within START_MS. */
static void await_ready(server *sv, const char *name)
{
    int64_t deadline = now_ms() + START_MS;
    field ping = { (char *)"PING", 4 };
    char out[REPLY_CAP];
    size_t len;
    while (!g_signal && now_ms() < deadline) {
        if (waitpid(sv->pid, NULL, WNOHANG) == sv->pid) { sv->pid = 0; break; }
        if (sv->fd < 0) sv->fd = connect_port(sv->port);
        if (sv->fd >= 0 && send_cmd(sv, &ping, 1) &&
            read_reply(sv, out, sizeof out, &len, deadline) == 0) {
            if (len == 5 && memcmp(out, "+PONG", 5) == 0) return;
        } else if (sv->fd >= 0) {
            close(sv->fd);
            sv->fd = -1;
            sv->rlen = sv->rpos = 0;
        }
        sleep_ms(20);
    }
    print_log_tail(sv);
    harness_fail("redis-server for node %s did not answer PING within %d ms", name, START_MS);
}

/* The server's TIME must be the clock this driver wrote: otherwise the shim
 * is not in effect and no expiry comparison would mean anything. */
static void check_shim(server *sv, const char *name)
{
    int64_t ns = sv->clock_set == INT64_MIN ? 0 : sv->clock_set;
    int64_t abs_ns = CLOCK_BASE_NS + ns;
    char want[96], out[REPLY_CAP];
    size_t len;
    field cmd = { (char *)"TIME", 4 };
    snprintf(want, sizeof want, "*2[$%" PRId64 "][$%" PRId64 "]",
             abs_ns / 1000000000, abs_ns % 1000000000 / 1000);
    if (!send_cmd(sv, &cmd, 1) || read_reply(sv, out, sizeof out, &len, now_ms() + REPLY_MS) != 0)
        harness_fail("node %s: no reply to TIME within %d ms", name, REPLY_MS);
    if (strcmp(out, want) != 0)
        harness_fail("node %s: TIME answers %s, the shim's clock says %s: is %s an LD_PRELOAD library "
                     "that redis-server loads?", name, out, want, g_shim);
}

static void start_server(server *sv, int slot, persist_mode pm, const char *name)
{
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) harness_fail("fork: %s", strerror(errno));
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(127);
        exec_server(sv, slot, pm);
    }
    sv->pid = pid;
    g_pids[slot] = pid;
    await_ready(sv, name);
    check_shim(sv, name);
}

/* ---------- RESP ---------- */

static bool write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR && !g_signal) continue;
        if (w <= 0) return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

static bool send_cmd(server *sv, const field *args, int nargs)
{
    size_t cap = 32;
    for (int i = 0; i < nargs; i++) cap += args[i].n + 32;
    char *buf = malloc(cap), *p = buf;
    if (!buf) return false;
    p += sprintf(p, "*%d\r\n", nargs);
    for (int i = 0; i < nargs; i++) {
        p += sprintf(p, "$%zu\r\n", args[i].n);
        memcpy(p, args[i].p, args[i].n);
        p += args[i].n;
        *p++ = '\r';
        *p++ = '\n';
    }
    bool ok = write_all(sv->fd, buf, (size_t)(p - buf));
    free(buf);
    return ok;
}

/* The next byte from the connection, or -1 on EOF, error or deadline. */
static int next_byte(server *sv, int64_t deadline)
{
    while (sv->rpos == sv->rlen) {
        int64_t left = deadline - now_ms();
        if (left <= 0 || g_signal) return -1;
        struct pollfd pf = { .fd = sv->fd, .events = POLLIN };
        int r = poll(&pf, 1, (int)left);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return -1;
        ssize_t n = recv(sv->fd, sv->rbuf, sizeof sv->rbuf, 0);
        if (n <= 0) return -1;
        sv->rlen = (size_t)n;
        sv->rpos = 0;
    }
    return (unsigned char)sv->rbuf[sv->rpos++];
}

/* Reads one CRLF-terminated line (without it) into out. */
static int read_line(server *sv, char *out, size_t cap, size_t *len, int64_t deadline)
{
    size_t n = 0;
    for (;;) {
        int c = next_byte(sv, deadline);
        if (c < 0) return -1;
        if (c == '\r') {
            if (next_byte(sv, deadline) != '\n') return -1;
            break;
        }
        if (n + 1 < cap) out[n++] = (char)c;
    }
    out[n] = '\0';
    *len = n;
    return 0;
}

static void append(char *out, size_t cap, size_t *len, const char *p, size_t n)
{
    if (*len + n >= cap) n = cap - 1 - *len;
    memcpy(out + *len, p, n);
    *len += n;
    out[*len] = '\0';
}

/* One RESP2 reply rendered as docs/redis-log.md writes REPLY (an array as
 * `*N` and its elements, each in brackets).  0, or -1 on failure. */
static int read_reply(server *sv, char *out, size_t cap, size_t *len, int64_t deadline)
{
    char line[REPLY_CAP];
    size_t n;
    *len = 0;
    out[0] = '\0';
    if (read_line(sv, line, sizeof line, &n, deadline) != 0 || n == 0) return -1;
    if (line[0] == '+' || line[0] == '-' || line[0] == ':') { append(out, cap, len, line, n); return 0; }
    long long count = strtoll(line + 1, NULL, 10);
    if (line[0] == '$') {
        if (count < 0) { append(out, cap, len, "nil", 3); return 0; }
        append(out, cap, len, "$", 1);
        for (long long i = 0; i < count + 2; i++) {
            int c = next_byte(sv, deadline);
            if (c < 0) return -1;
            char ch = (char)c;
            if (i < count) append(out, cap, len, &ch, 1);
        }
        return 0;
    }
    if (line[0] != '*') return -1;
    append(out, cap, len, line, n);
    for (long long i = 0; i < count; i++) {
        char sub[REPLY_CAP];
        size_t sn;
        if (read_reply(sv, sub, sizeof sub, &sn, deadline) != 0) return -1;
        append(out, cap, len, "[", 1);
        append(out, cap, len, sub, sn);
        append(out, cap, len, "]", 1);
    }
    return 0;
}

/* ---------- replay ---------- */

typedef struct {
    long commands, identical, differ, unnamed, probes;
} tally;

static const char *g_log_path;

static void harness_fail(const char *fmt, ...)
{
    va_list ap;
    if (g_signal) fprintf(stderr, "redis_replay: interrupted, servers killed\n");
    else {
        fprintf(stderr, "redis_replay: %s: error: ", g_log_path ? g_log_path : "-");
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
    }
    kill_all();
    for (int i = 0; i < MAX_NODES; i++)
        if (g_pids[i] > 0) while (waitpid(g_pids[i], NULL, 0) < 0 && errno == EINTR) {}
    if (g_root[0]) remove_tree(g_root);
    exit(g_signal ? 128 + g_signal : 3);
}

/* Prints F escaped as the log writes it, a long field shortened. */
static void print_field(const field *f)
{
    size_t shown = f->n > 40 ? 32 : f->n;
    for (size_t i = 0; i < shown; i++) {
        char c = f->p[i];
        if (c == '\\') fputs("\\\\", stdout);
        else if (c == '\t') fputs("\\t", stdout);
        else if (c == '\n') fputs("\\n", stdout);
        else if (c == '\r') fputs("\\r", stdout);
        else putchar(c);
    }
    if (shown < f->n) printf("...(%zu bytes)", f->n);
}

static void report_diff(const replay_log *lg, const record *r, const field *args, int nargs,
                        const field *want, const field *got, const char *cls, tally *t)
{
    printf("  %s:%d: %s", lg->path, r->line, lg->nodes[r->node].name);
    for (int i = 0; i < nargs; i++) { putchar(' '); print_field(&args[i]); }
    fputs(": expected ", stdout);
    print_field(want);
    fputs(", got ", stdout);
    print_field(got);
    printf(" (%s)\n", cls ? cls : "unexplained");
    t->differ++;
    if (!cls) t->unnamed++;
}

/* The named class a difference of this command falls in, or NULL. */
static const char *classify(const server *sv, const field *want)
{
    static const char full[] = "-ERR keyspace full";
    if (sv->power_lost) return "power-loss";
    if (want->n >= sizeof full - 1 && memcmp(want->p, full, sizeof full - 1) == 0) return "keyspace-full";
    return NULL;
}

static void compare(const replay_log *lg, const record *r, server *sv, const field *args,
                    int nargs, const field *want, tally *t)
{
    char out[REPLY_CAP];
    size_t len = 0;
    t->commands++;
    if (sv->pid == 0 || sv->fd < 0) {
        field got = { (char *)"(server down)", 13 };
        report_diff(lg, r, args, nargs, want, &got, classify(sv, want), t);
        return;
    }
    if (!send_cmd(sv, args, nargs) || read_reply(sv, out, sizeof out, &len, now_ms() + REPLY_MS) != 0)
        harness_fail("%s:%d: no reply from node %s within %d ms", lg->path, r->line,
                     lg->nodes[r->node].name, REPLY_MS);
    field got = { out, len };
    if (got.n == want->n && memcmp(got.p, want->p, got.n) == 0) t->identical++;
    else report_diff(lg, r, args, nargs, want, &got, classify(sv, want), t);
}

/* Present one ns before AT_NS (unless this node's clock already passed
 * it), absent at AT_NS. */
static void check_expire(const replay_log *lg, const record *r, server *sv, tally *t)
{
    field args[2] = { { (char *)"EXISTS", 6 }, r->args[0] };
    field one = { (char *)":1", 2 }, zero = { (char *)":0", 2 };
    if (sv->clock_set < r->at) {           /* INT64_MIN before the first set */
        set_clock(sv, r->at - 1);
        t->probes++;
        compare(lg, r, sv, args, 2, &one, t);
    }
    set_clock(sv, r->at);
    t->probes++;
    compare(lg, r, sv, args, 2, &zero, t);
}

static void not_replayed(const replay_log *lg, const record *r, tally *t)
{
    field what = { (char *)EVENT_NAMES[r->ev], strlen(EVENT_NAMES[r->ev]) };
    field got = { (char *)"(not replayed: real-time L5 harness)", 36 };
    field want = r->ev == EV_CMD || r->ev == EV_REPLY ? r->reply : what;
    t->commands++;
    report_diff(lg, r, r->ev == EV_CMD ? r->args : &what, r->ev == EV_CMD ? r->nargs : 1,
                &want, &got, "replication", t);
}

static void replay_record(const replay_log *lg, const record *r, server *svs, tally *t)
{
    const node_decl *d = &lg->nodes[r->node];
    server *sv = &svs[r->node];
    if (d->replica || r->ev == EV_BLOCK || r->ev == EV_REPLY || r->ev == EV_PROMOTE) {
        if (r->ev != EV_LISTENING && r->ev != EV_EXPIRE) not_replayed(lg, r, t);
        return;
    }
    if (r->ev != EV_EXPIRE) set_clock(sv, d->ttl_mono ? r->mono : r->wall);
    switch (r->ev) {
    case EV_CMD: compare(lg, r, sv, r->args, r->nargs, &r->reply, t); break;
    case EV_EXPIRE: if (sv->pid > 0) check_expire(lg, r, sv, t); break;
    case EV_POWER:              /* with `always` or no AOF, kill -9 is exact */
        sv->power_lost = sv->power_lost || r->persist == P_EVERYSEC;
        stop_server(sv, r->node);
        break;
    case EV_CRASH: stop_server(sv, r->node); break;
    case EV_RESTART:
        if (sv->pid > 0) stop_server(sv, r->node);
        start_server(sv, r->node, r->persist, d->name);
        break;
    default: break;
    }
}

static void start_all(const replay_log *lg, server *svs)
{
    for (int i = 0; i < lg->nnodes; i++) {
        server *sv = &svs[i];
        sv->fd = -1;
        map_clock(sv, i);
        if (lg->nodes[i].replica) continue;
        snprintf(sv->dir, sizeof sv->dir, "%s/n%d", g_root, i);
        if (mkdir(sv->dir, 0700) != 0) harness_fail("mkdir %s: %s", sv->dir, strerror(errno));
        sv->port = free_port();
        start_server(sv, i, lg->nodes[i].persist, lg->nodes[i].name);
    }
}

static void replay_log_file(const replay_log *lg, tally *t)
{
    server svs[MAX_NODES];
    memset(svs, 0, sizeof svs);
    g_log_path = lg->path;
    const char *tmp = getenv("TMPDIR");
    int n = snprintf(g_root, sizeof g_root, "%s/ccsim-conf.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (n < 0 || n >= (int)sizeof g_root) { g_root[0] = '\0'; harness_fail("TMPDIR too long"); }
    if (!mkdtemp(g_root)) harness_fail("mkdtemp %s: %s", g_root, strerror(errno));
    start_all(lg, svs);
    for (int i = 0; i < lg->nrecs && !g_signal; i++) replay_record(lg, &lg->recs[i], svs, t);
    cleanup(svs, lg->nnodes);
    remove_tree(g_root);
    g_root[0] = '\0';
}

static void print_tally(const char *name, const tally *t)
{
    printf("%s: %ld commands, %ld identical, %ld differ (%ld expiry probes, %ld unexplained)\n",
           name, t->commands, t->identical, t->differ, t->probes, t->unnamed);
}

static void usage(void)
{
    fprintf(stderr, "usage: redis_replay [--shim SO] [--server PATH] [--parse-only] LOG...\n");
    exit(2);
}

int main(int argc, char **argv)
{
    bool parse_only = false;
    int i = 1;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        if (strcmp(argv[i], "--parse-only") == 0) parse_only = true;
        else if (strcmp(argv[i], "--shim") == 0 && i + 1 < argc) g_shim = argv[++i];
        else if (strcmp(argv[i], "--server") == 0 && i + 1 < argc) g_server_path = argv[++i];
        else usage();
    }
    if (i == argc) usage();
    int nlogs = argc - i;
    static replay_log *logs;           /* static: reachable until exit */
    logs = calloc((size_t)nlogs, sizeof *logs);
    if (!logs) return 3;
    for (int k = 0; k < nlogs; k++) parse_log(&logs[k], argv[i + k]);
    if (parse_only) {
        for (int k = 0; k < nlogs; k++) printf("%s: %d records, %d nodes\n", logs[k].path, logs[k].nrecs, logs[k].nnodes);
        return 0;
    }
    if (!g_shim) { fprintf(stderr, "redis_replay: --shim SO is required to replay\n"); return 2; }
    struct sigaction sa = { .sa_handler = on_signal };
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    tally total = { 0 };
    for (int k = 0; k < nlogs && !g_signal; k++) {
        tally t = { 0 };
        replay_log_file(&logs[k], &t);
        print_tally(logs[k].scenario, &t);
        fflush(stdout);
        total.commands += t.commands; total.identical += t.identical;
        total.differ += t.differ; total.unnamed += t.unnamed; total.probes += t.probes;
    }
    if (g_signal) { fprintf(stderr, "redis_replay: interrupted, servers killed\n"); return 128 + g_signal; }
    if (nlogs > 1) print_tally("total", &total);
    return total.unnamed ? 1 : 0;
}
