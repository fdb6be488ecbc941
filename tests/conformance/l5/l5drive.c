/* l5drive.c -- replays one L5 scenario's Redis client steps in real time
 * against a real master (through l5proxy), replica and redis-sentinel, and
 * compares what happens with ccsim's run of the same scenario.
 *
 *   l5drive TRACE MASTER_PORT FRONT_PORT REPLICA_PORT SENTINEL_PORT
 *           MASTER_PID PROXY_PID
 *   l5drive --free-ports N       prints N distinct free 127.0.0.1 ports
 *
 * TRACE is ccsim's trace.log.  From it: every command a client sent to M
 * or Rp (time, text), its reply (the first one back from that node before
 * the client's next command to it; a WAIT's even later) or its absence
 * ("no reply ... within the timeout"), the Sentinel's +sdown, +odown and
 * +switch-master, and M's fault (CRASHED = SIGUSR2 to the proxy, then
 * kill -9; POWER LOSS = SIGUSR1 to the proxy, then kill -9).  Time 0 is aligned on the real Sentinel's PING
 * to the master (seen by MONITOR), which ccsim's Sentinel sends at 0 and M
 * gets at 1 ms.  Each command goes at its ccsim time, on one connection
 * per (client, node) (a command sent while the previous one is unanswered
 * reconnects, as a client that timed out does; one whose predecessor got
 * its ccsim reply first waits for the real one, up to REPLY_TOL_MS longer,
 * so a late wake-up of the driver does not look like a timeout); commands ccsim sent after
 * its +switch-master go that long after the real one.
 *
 * Compared (tolerances in README.md): every reply (same text, latency
 * within REPLY_TOL_MS of ccsim's; WAIT: within [timeout, timeout +
 * WAIT_TOL_MS]); every absence (nothing within ccsim's window); the
 * Sentinel events' times (SDOWN_TOL_MS, SWITCH_TOL_MS).  Prints one line
 * per comparison and `l5: N compared, M differ`; exit 0 = all agree,
 * 1 = a difference, 2 = a setup error (servers not ready, bad trace).
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#define CMDS_MAX 512
#define CONNS_MAX 16
#define REPLY_TOL_MS 50.0
#define WAIT_TOL_MS 115.0
#define SDOWN_TOL_MS 250.0
#define SWITCH_TOL_MS 1300.0
#define READY_MS 30000.0
#define ALIGN_MS 3000.0

enum { EV_SDOWN, EV_ODOWN, EV_SWITCH, EV_COUNT };
static const char *ev_name[EV_COUNT] = { "+sdown", "+odown", "+switch-master" };

typedef struct cmd {
    double t;                 /* ccsim: sent (ms) */
    char client[32], node[32], text[128];
    char reply[64];           /* ccsim's normalized reply; "" = none */
    double reply_t, window;   /* ccsim: reply time; no reply: the timeout's length */
    int after_switch;
    int prev;                 /* the previous command on its (client, node), -1 */
    int late;                 /* a WAIT whose ccsim reply came after the next command */
    /* real */
    int conn;
    double sent, got;         /* real times (ms since t0); got < 0 = none */
    char real[64];
    int closed;               /* the connection ended with no reply */
} cmd;

typedef struct conn {
    char client[32], node[32];
    int fd;
    int pending;              /* cmd index awaiting a reply, -1 */
    char buf[4096];
    size_t len;
} conn;

static cmd cmds[CMDS_MAX];
static int ncmds;
static conn conns[CONNS_MAX];
static int nconns;
static double ev_sim[EV_COUNT], ev_real[EV_COUNT];
static double fault_t = -1;
static int fault_power;
static double t0_us;
static int port_master, port_front, port_replica, port_sentinel;
static pid_t pid_master, pid_proxy;

static double mono_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static double now_ms(void) { return (mono_us() - t0_us) / 1000.0; }

static void die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "l5drive: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(2);
}

/* ------------------------------------------------------------ the trace */

/* "SET: OK" -> "OK", "EVAL cad: (integer) 1" -> "1", "(nil)" -> "nil",
 * "(error) X" -> "ERR". */
static void normalize_sim(const char *s, char *out, size_t n) {
    const char *c = strstr(s, ": ");
    s = c ? c + 2 : s;
    if (strncmp(s, "(integer) ", 10) == 0) snprintf(out, n, "%s", s + 10);
    else if (strcmp(s, "(nil)") == 0) snprintf(out, n, "nil");
    else if (strncmp(s, "(error)", 7) == 0) snprintf(out, n, "ERR");
    else snprintf(out, n, "%.63s", s);
    char *sp = strstr(out, " (token");
    if (sp) *sp = '\0';
}

static int is_redis(const char *node) { return strcmp(node, "M") == 0 || strcmp(node, "Rp") == 0; }

static int last_open(const char *client, const char *node, int wait_only) {
    for (int i = ncmds - 1; i >= 0; i--) {
        if (strcmp(cmds[i].client, client) != 0 || strcmp(cmds[i].node, node) != 0) continue;
        if (wait_only && strncmp(cmds[i].text, "WAIT", 4) != 0) continue;
        if (cmds[i].reply[0] || cmds[i].window > 0) return wait_only ? -1 : -1;
        return i;
    }
    return -1;
}

static void parse_line(const char *line) {
    double t;
    char who[32], rest[512];
    if (sscanf(line, " %lf %31s %511[^\n]", &t, who, rest) != 3) return;
    t *= 1000.0;
    char node[32], text[400];
    if (sscanf(rest, "send -> %31s %399[^\n]", node, text) == 2 && who[0] == 'c' && is_redis(node)) {
        if (ncmds == CMDS_MAX) die("more than %d commands in the trace", CMDS_MAX);
        cmd *c = &cmds[ncmds++];
        memset(c, 0, sizeof *c);
        c->t = t;
        snprintf(c->client, sizeof c->client, "%s", who);
        snprintf(c->node, sizeof c->node, "%s", node);
        snprintf(c->text, sizeof c->text, "%.127s", text);
        c->after_switch = ev_sim[EV_SWITCH] >= 0;
        c->got = -1;
        c->conn = -1;
        c->prev = -1;
        for (int k = ncmds - 2; k >= 0; k--)
            if (strcmp(cmds[k].client, who) == 0 && strcmp(cmds[k].node, node) == 0) { c->prev = k; break; }
        return;
    }
    if (sscanf(rest, "recv <- %31s %399[^\n]", node, text) == 2 && who[0] == 'c' && is_redis(node)) {
        int i = last_open(who, node, 0);
        if (i < 0 && strncmp(text, "WAIT", 4) == 0) {     /* a WAIT's late reply */
            for (int k = ncmds - 1; k >= 0; k--)
                if (strcmp(cmds[k].client, who) == 0 && strcmp(cmds[k].node, node) == 0 &&
                    strncmp(cmds[k].text, "WAIT", 4) == 0 && !cmds[k].reply[0]) { i = k; break; }
        }
        if (i < 0 || (strncmp(cmds[i].text, "WAIT", 4) == 0) != (strncmp(text, "WAIT", 4) == 0)) return;
        for (int k = i + 1; k < ncmds; k++)
            if (cmds[k].prev == i) cmds[i].late = 1;
        normalize_sim(text, cmds[i].reply, sizeof cmds[i].reply);
        cmds[i].reply_t = t;
        cmds[i].window = 0;
        return;
    }
    if (sscanf(rest, "no reply from %31s within the timeout", node) == 1 && is_redis(node)) {
        int i = last_open(who, node, 0);
        if (i >= 0) cmds[i].window = t - cmds[i].t;
        return;
    }
    if (strcmp(who, "M") == 0 && strncmp(rest, "CRASHED", 7) == 0 && fault_t < 0) fault_t = t;
    if (strcmp(who, "M") == 0 && strncmp(rest, "POWER LOSS", 10) == 0 && fault_t < 0) {
        fault_t = t;
        fault_power = 1;
    }
    if (strncmp(who, "sentinel", 8) == 0) {
        if (strncmp(rest, "+sdown ", 7) == 0 && ev_sim[EV_SDOWN] < 0) ev_sim[EV_SDOWN] = t;
        if (strncmp(rest, "+odown ", 7) == 0 && ev_sim[EV_ODOWN] < 0) ev_sim[EV_ODOWN] = t;
        if (strstr(rest, "+switch-master") == rest + strlen("+failover-end ") &&
            ev_sim[EV_SWITCH] < 0) ev_sim[EV_SWITCH] = t;
    }
}

static void read_trace(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) die("cannot open %s", path);
    char line[1024];
    while (fgets(line, sizeof line, f)) parse_line(line);
    fclose(f);
    if (ncmds == 0) die("%s: no client command to M or Rp", path);
    if (fault_t < 0) die("%s: no crash or power loss of M", path);
}

/* ------------------------------------------------------------ sockets, RESP */

static int dial(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) { close(fd); return -1; }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

/* Sends words as a RESP array. */
static int send_words(int fd, int argc, char **argv) {
    char out[2048];
    size_t used = (size_t)snprintf(out, sizeof out, "*%d\r\n", argc);
    for (int i = 0; i < argc && used < sizeof out; i++)
        used += (size_t)snprintf(out + used, sizeof out - used, "$%zu\r\n%s\r\n", strlen(argv[i]), argv[i]);
    if (used >= sizeof out) return -1;
    return write(fd, out, used) == (ssize_t)used ? 0 : -1;
}

/* One complete RESP value at buf[0..len) ? Returns its length, 0 if incomplete. */
static size_t resp_len(const char *buf, size_t len) {
    const char *e = memchr(buf, '\n', len);
    if (!e) return 0;
    size_t head = (size_t)(e - buf) + 1;
    long n = atol(buf + 1);
    if (buf[0] == '$') {
        if (n < 0) return head;
        return len >= head + (size_t)n + 2 ? head + (size_t)n + 2 : 0;
    }
    if (buf[0] == '*') {
        size_t at = head;
        for (long i = 0; i < n; i++) {
            size_t k = resp_len(buf + at, len - at);
            if (k == 0) return 0;
            at += k;
        }
        return at;
    }
    return head;
}

/* "+OK" -> "OK", ":1" -> "1", "$-1" -> "nil", "-ERR.." -> "ERR", bulk -> text. */
static void resp_text(const char *buf, char *out, size_t n) {
    const char *e = strchr(buf, '\r');
    int w = e ? (int)(e - buf) : (int)strlen(buf);
    if (buf[0] == '$' && atol(buf + 1) < 0) snprintf(out, n, "nil");
    else if (buf[0] == '$') {
        const char *b = strchr(buf, '\n') + 1;
        const char *be = strchr(b, '\r');
        snprintf(out, n, "%.*s", be ? (int)(be - b) : 0, b);
    } else if (buf[0] == '-') snprintf(out, n, "ERR");
    else snprintf(out, n, "%.*s", w - 1, buf + 1);
}

/* A blocking query for the setup: the whole reply in out (NUL-ended). */
static int query(int port, const char *line, char *out, size_t n) {
    int fd = dial(port);
    if (fd < 0) return -1;
    char *argv[16], copy[256];
    int argc = 0;
    snprintf(copy, sizeof copy, "%s", line);
    for (char *w = strtok(copy, " "); w && argc < 16; w = strtok(NULL, " ")) argv[argc++] = w;
    size_t len = 0;
    if (send_words(fd, argc, argv) != 0) { close(fd); return -1; }
    double until = mono_us() + 1e6;
    while (mono_us() < until && len + 1 < n) {
        struct pollfd p = { fd, POLLIN, 0 };
        if (poll(&p, 1, 100) <= 0) continue;
        ssize_t k = read(fd, out + len, n - 1 - len);
        if (k <= 0) break;
        len += (size_t)k;
        if (resp_len(out, len)) break;
    }
    out[len] = '\0';
    close(fd);
    return len > 0 ? 0 : -1;
}

/* ------------------------------------------------------------ setup */

static void wait_ready(void) {
    char r[8192];
    double until = mono_us() + READY_MS * 1000;
    int ok = 0;
    while (!ok && mono_us() < until) {
        ok = query(port_master, "INFO replication", r, sizeof r) == 0 && strstr(r, "state=online") &&
             query(port_sentinel, "SENTINEL REPLICAS mymaster", r, sizeof r) == 0 &&
             strstr(r, "slave") && !strstr(r, "disconnected") &&
             query(port_sentinel, "SENTINEL MASTER mymaster", r, sizeof r) == 0 &&
             !strstr(r, "disconnected");
        if (!ok) nanosleep(&(struct timespec){ 0, 100000000 }, NULL);
    }
    if (!ok) die("master, replica and sentinel not ready within %.0f s", READY_MS / 1000);
}

static int subscribe_sentinel(void) {
    int fd = dial(port_sentinel);
    if (fd < 0) die("cannot reach the sentinel");
    char *argv[] = { "SUBSCRIBE", "+sdown", "+odown", "+switch-master" };
    if (send_words(fd, 4, argv) != 0) die("cannot subscribe");
    return fd;
}

/* t0: the Sentinel's PING reaches the master at ccsim's 1 ms. */
static void align(void) {
    int fd = dial(port_master);
    if (fd < 0) die("cannot reach the master");
    char *argv[] = { "MONITOR" };
    send_words(fd, 1, argv);
    char buf[8192];
    size_t len = 0;
    double until = mono_us() + ALIGN_MS * 1000;
    while (mono_us() < until) {
        struct pollfd p = { fd, POLLIN, 0 };
        if (poll(&p, 1, 50) <= 0) continue;
        double at = mono_us();
        ssize_t k = read(fd, buf + len, sizeof buf - 1 - len);
        if (k <= 0) break;
        len += (size_t)k;
        buf[len] = '\0';
        if (strstr(buf, "\"PING\"") || strstr(buf, "\"ping\"")) {
            t0_us = at - 1000.0;
            close(fd);
            return;
        }
        if (len > sizeof buf / 2) len = 0;
    }
    die("no PING from the sentinel within %.0f s", ALIGN_MS / 1000);
}

/* ------------------------------------------------------------ the run */

static int port_of(const char *node) { return strcmp(node, "M") == 0 ? port_front : port_replica; }

static int conn_of(const char *client, const char *node) {
    for (int i = 0; i < nconns; i++)
        if (strcmp(conns[i].client, client) == 0 && strcmp(conns[i].node, node) == 0) return i;
    if (nconns == CONNS_MAX) die("more than %d connections", CONNS_MAX);
    conn *c = &conns[nconns];
    memset(c, 0, sizeof *c);
    snprintf(c->client, sizeof c->client, "%s", client);
    snprintf(c->node, sizeof c->node, "%s", node);
    c->fd = -1;
    c->pending = -1;
    return nconns++;
}

static void conn_close(conn *c) {
    if (c->fd >= 0) close(c->fd);
    c->fd = -1;
    c->len = 0;
    if (c->pending >= 0) cmds[c->pending].closed = 1;
    c->pending = -1;
}

/* The RESP words of a ccsim command line. */
static int words_of(const char *text, char *copy, size_t n, char **argv) {
    static const char cad[] =
        "if redis.call('get',KEYS[1]) == ARGV[1] then return redis.call('del',KEYS[1]) else return 0 end";
    static const char cae[] =
        "if redis.call('get',KEYS[1]) == ARGV[1] then return redis.call('pexpire',KEYS[1],ARGV[2]) else return 0 end";
    char *w[8];
    int k = 0;
    snprintf(copy, n, "%s", text);
    for (char *t = strtok(copy, " "); t && k < 8; t = strtok(NULL, " ")) w[k++] = t;
    if (k >= 4 && strcmp(w[0], "EVAL") == 0 && strcmp(w[1], "cad") == 0) {
        argv[0] = "EVAL"; argv[1] = (char *)cad; argv[2] = "1"; argv[3] = w[2]; argv[4] = w[3];
        return 5;
    }
    if (k >= 5 && strcmp(w[0], "EVAL") == 0 && strcmp(w[1], "extend") == 0) {
        argv[0] = "EVAL"; argv[1] = (char *)cae; argv[2] = "1"; argv[3] = w[2]; argv[4] = w[3];
        argv[5] = w[4];
        return 6;
    }
    for (int i = 0; i < k; i++) argv[i] = w[i];
    return k;
}

static void on_conn_readable(conn *x);

static void send_cmd(int i) {
    cmd *c = &cmds[i];
    conn *x = &conns[conn_of(c->client, c->node)];
    if (x->pending >= 0 && x->fd >= 0) {         /* a reply already here counts */
        struct pollfd p = { x->fd, POLLIN, 0 };
        if (poll(&p, 1, 0) > 0) on_conn_readable(x);
    }
    if (x->pending >= 0) conn_close(x);          /* the client gave up on it */
    if (x->fd < 0) x->fd = dial(port_of(c->node));
    c->sent = now_ms();
    c->conn = (int)(x - conns);
    if (x->fd < 0) { c->closed = 1; return; }
    char copy[256], *argv[8];
    int argc = words_of(c->text, copy, sizeof copy, argv);
    if (send_words(x->fd, argc, argv) != 0) { conn_close(x); c->closed = 1; return; }
    x->pending = i;
}

static void on_conn_readable(conn *x) {
    ssize_t k = read(x->fd, x->buf + x->len, sizeof x->buf - 1 - x->len);
    if (k <= 0) { conn_close(x); return; }
    x->len += (size_t)k;
    x->buf[x->len] = '\0';
    size_t n;
    while (x->len > 0 && (n = resp_len(x->buf, x->len)) > 0) {
        if (x->pending >= 0) {
            cmd *c = &cmds[x->pending];
            c->got = now_ms();
            resp_text(x->buf, c->real, sizeof c->real);
            x->pending = -1;
        }
        memmove(x->buf, x->buf + n, x->len - n);
        x->len -= n;
        x->buf[x->len] = '\0';
    }
}

static void on_sentinel_readable(int fd, char *buf, size_t *len, size_t cap) {
    ssize_t k = read(fd, buf + *len, cap - 1 - *len);
    if (k <= 0) die("the sentinel closed its pub/sub connection");
    double at = now_ms();
    *len += (size_t)k;
    buf[*len] = '\0';
    size_t n;
    while (*len > 0 && (n = resp_len(buf, *len)) > 0) {
        for (int e = 0; e < EV_COUNT; e++) {
            char pat[48];
            snprintf(pat, sizeof pat, "$7\r\nmessage\r\n$%zu\r\n%s\r\n", strlen(ev_name[e]), ev_name[e]);
            if (strstr(buf, pat) && ev_real[e] < 0 && strstr(buf, "master mymaster")) ev_real[e] = at;
            else if (strstr(buf, pat) && ev_real[e] < 0 && e == EV_SWITCH) ev_real[e] = at;
        }
        memmove(buf, buf + n, *len - n);
        *len -= n;
        buf[*len] = '\0';
    }
}

static void do_fault(void) {
    if (kill(pid_proxy, fault_power ? SIGUSR1 : SIGUSR2) != 0) die("cannot signal the proxy");
    if (kill(pid_master, SIGKILL) != 0) die("cannot kill the master");
}

/* When command i is due (ms since t0), or < 0 while it waits for the real switch. */
static double due_of(int i) {
    double due = cmds[i].t;
    if (cmds[i].after_switch) {
        if (ev_real[EV_SWITCH] < 0) return -1;
        due = ev_real[EV_SWITCH] + (cmds[i].t - ev_sim[EV_SWITCH]);
    }
    const cmd *p = cmds[i].prev >= 0 ? &cmds[cmds[i].prev] : NULL;
    if (p && p->reply[0] && !p->late && p->got < 0 && !p->closed && p->conn >= 0) {
        double wait = p->sent + (p->reply_t - p->t) + REPLY_TOL_MS;
        if (strncmp(p->text, "WAIT", 4) == 0)     /* its cron tick may come later than ccsim's */
            wait = p->sent + atof(strrchr(p->text, ' ') + 1) + WAIT_TOL_MS;
        if (wait > due) due = wait;
    }
    return due;
}

static double run_end(void) {
    double end = 0;
    for (int i = 0; i < ncmds; i++) {
        double t = cmds[i].t + (cmds[i].window > 0 ? cmds[i].window : 0) + 300;
        if (cmds[i].reply[0]) t = cmds[i].reply_t + 300;
        if (t > end) end = t;
    }
    for (int e = 0; e < EV_COUNT; e++) if (ev_sim[e] + SWITCH_TOL_MS + 100 > end) end = ev_sim[e] + SWITCH_TOL_MS + 100;
    return end;
}

static void run(int sub) {
    int next = 0, faulted = 0;
    double end = run_end(), shift = 0;
    char sbuf[16384];
    size_t slen = 0;
    while (now_ms() < end + shift) {
        if (!faulted && now_ms() >= fault_t) { do_fault(); faulted = 1; }
        while (next < ncmds && due_of(next) >= 0 && now_ms() >= due_of(next)) send_cmd(next++);
        if (ev_real[EV_SWITCH] >= 0 && ev_sim[EV_SWITCH] >= 0)
            shift = ev_real[EV_SWITCH] > ev_sim[EV_SWITCH] ? ev_real[EV_SWITCH] - ev_sim[EV_SWITCH] : 0;
        if (next < ncmds && due_of(next) < 0 && now_ms() > ev_sim[EV_SWITCH] + SWITCH_TOL_MS + 2000) break;
        double wake = end + shift;
        if (!faulted && fault_t < wake) wake = fault_t;
        if (next < ncmds && due_of(next) >= 0 && due_of(next) < wake) wake = due_of(next);
        struct pollfd fds[CONNS_MAX + 1];
        int n = 0;
        fds[n++] = (struct pollfd){ sub, POLLIN, 0 };
        for (int i = 0; i < nconns; i++) fds[n++] = (struct pollfd){ conns[i].fd, POLLIN, 0 };
        double d = wake - now_ms();
        int ms = d <= 0 ? 0 : d > 20 ? 20 : (int)d;
        if (poll(fds, (nfds_t)n, ms) <= 0) continue;
        if (fds[0].revents) on_sentinel_readable(sub, sbuf, &slen, sizeof sbuf);
        for (int i = 0; i < nconns; i++)
            if (conns[i].fd >= 0 && fds[i + 1].revents) on_conn_readable(&conns[i]);
    }
}

/* ------------------------------------------------------------ compare */

static int compared, differ;

static void verdict(int ok, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    printf("%s ", ok ? "same" : "DIFF");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    compared++;
    if (!ok) differ++;
}

static void compare_cmd(const cmd *c) {
    double lat = c->got >= 0 ? c->got - c->sent : -1;
    const char *real = c->got >= 0 ? c->real : "no reply";
    if (!c->reply[0]) {
        double w = c->window > 0 ? c->window : 50;
        int wait = strncmp(c->text, "WAIT", 4) == 0;
        int ok = c->got < 0 || lat > w || wait;
        verdict(ok, "%8.1f %s -> %s %-28s ccsim: no reply within %.0f ms; real: %s%s", c->t, c->client,
                c->node, c->text, w, real, c->got >= 0 ? " (later)" : "");
        return;
    }
    double sim_lat = c->reply_t - c->t;
    int ok = c->got >= 0 && strcmp(c->real, c->reply) == 0;
    if (strncmp(c->text, "WAIT", 4) == 0 && c->late && c->got < 0 && c->closed) {
        verdict(1, "%8.1f %s -> %s %-28s ccsim: %s after %.1f ms, after its client moved on; real: "
                "not before the client moved on", c->t, c->client, c->node, c->text, c->reply, sim_lat);
        return;
    }
    if (strncmp(c->text, "WAIT", 4) == 0) {
        double to = atof(strrchr(c->text, ' ') + 1);
        ok = ok && lat >= to - 1 && lat <= to + WAIT_TOL_MS && sim_lat >= to && sim_lat <= to + WAIT_TOL_MS;
    } else {
        ok = ok && lat - sim_lat <= REPLY_TOL_MS && sim_lat - lat <= REPLY_TOL_MS;
    }
    verdict(ok, "%8.1f %s -> %s %-28s ccsim: %s after %.1f ms; real: %s after %.1f ms", c->t, c->client,
            c->node, c->text, c->reply, sim_lat, real, lat);
}

static void compare_events(void) {
    for (int e = 0; e < EV_COUNT; e++) {
        if (ev_sim[e] < 0 && ev_real[e] < 0) continue;
        double tol = e == EV_SWITCH ? SWITCH_TOL_MS : SDOWN_TOL_MS;
        int ok = ev_sim[e] >= 0 && ev_real[e] >= 0 && ev_real[e] - ev_sim[e] <= tol &&
                 ev_sim[e] - ev_real[e] <= tol;
        verdict(ok, "%-15s ccsim at %.1f ms; real at %.1f ms (tolerance %.0f ms)", ev_name[e], ev_sim[e],
                ev_real[e], tol);
    }
    int order = (ev_real[EV_SDOWN] <= ev_real[EV_ODOWN]) && (ev_real[EV_ODOWN] <= ev_real[EV_SWITCH]);
    verdict(order, "order +sdown <= +odown <= +switch-master (real)");
}

/* Prints n distinct free 127.0.0.1 ports: all n sockets are bound at once,
 * so the kernel cannot hand out one port twice. */
static int free_ports(int n) {
    int fds[8];
    if (n < 1 || n > 8) return 2;
    for (int i = 0; i < n; i++) {
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = 0 };
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t l = sizeof a;
        fds[i] = socket(AF_INET, SOCK_STREAM, 0);
        if (fds[i] < 0 || bind(fds[i], (struct sockaddr *)&a, sizeof a) != 0 ||
            getsockname(fds[i], (struct sockaddr *)&a, &l) != 0)
            return 2;
        printf("%s%d", i ? " " : "", ntohs(a.sin_port));
    }
    printf("\n");
    for (int i = 0; i < n; i++) close(fds[i]);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "--free-ports") == 0)
        return free_ports(atoi(argv[2]));
    if (argc != 8) {
        fprintf(stderr, "usage: l5drive TRACE MASTER_PORT FRONT_PORT REPLICA_PORT SENTINEL_PORT "
                        "MASTER_PID PROXY_PID\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    for (int e = 0; e < EV_COUNT; e++) ev_sim[e] = ev_real[e] = -1;
    read_trace(argv[1]);
    port_master = atoi(argv[2]);
    port_front = atoi(argv[3]);
    port_replica = atoi(argv[4]);
    port_sentinel = atoi(argv[5]);
    pid_master = (pid_t)atoi(argv[6]);
    pid_proxy = (pid_t)atoi(argv[7]);
    wait_ready();
    int sub = subscribe_sentinel();
    align();
    run(sub);
    for (int i = 0; i < ncmds; i++) compare_cmd(&cmds[i]);
    compare_events();
    printf("l5: %d compared, %d differ\n", compared, differ);
    return differ ? 1 : 0;
}
