/* l5proxy.c -- the loopback link of make conformance-l5: a TCP proxy in
 * front of a real redis-server master.
 *
 *   l5proxy FRONT_PORT REPL_PORT MASTER_PORT LAG_MS
 *
 * FRONT_PORT: what clients and the Sentinel use as the master; bytes pass
 * at once both ways.  REPL_PORT: what the replica connects to (replicaof);
 * bytes from the master to the replica (the replication stream) are held
 * LAG_MS (a slow link, redis.replication.lag), the other way pass at once.
 *
 * The master's process crash (SIGUSR2, then the driver's kill -9): its
 * kernel still delivers what it had sent, then closes: the proxy forwards
 * what it holds when due, then closes the other side; and its ports are
 * closed: the proxy stops listening, so a reconnect is refused at once, as
 * by a host whose process died (an accepted connection would let the
 * Sentinel send a PING and count down-after from it).  SIGUSR1 = a power loss of
 * the master's host: what the proxy holds is dropped, replication links
 * are reset, and the front turns into a black hole (connections stay
 * open, nothing comes back, new ones are accepted and ignored), as a host
 * that is gone says nothing.  SIGTERM ends the proxy.
 *
 * Bounds: PAIRS_MAX connection pairs, CHUNKS_MAX held chunks (an overflow
 * is an error: exit 1).  127.0.0.1 only.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#define PAIRS_MAX 64
#define CHUNKS_MAX 4096
#define CHUNK_BYTES 4096

typedef struct pair {
    int down, up;             /* down: the accepted side; up: to the master; -1 = closed */
    int repl;                 /* from REPL_PORT: master->down is delayed */
    int up_eof;               /* the master closed: close down once nothing is held */
} pair;

typedef struct chunk {
    int pair;
    long long due_us;
    size_t len;
    char data[CHUNK_BYTES];
} chunk;

static pair pairs[PAIRS_MAX];
static chunk *chunks;         /* a FIFO: due times never decrease */
static size_t chunk_head, chunk_count;
static volatile sig_atomic_t power_lost, crashed, stop;
static int blackhole;
static int master_port;
static long long lag_us;

static long long now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static void on_signal(int sig) {
    if (sig == SIGUSR1) power_lost = 1;
    else if (sig == SIGUSR2) crashed = 1;
    else stop = 1;
}

static int listen_on(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 16) != 0) {
        fprintf(stderr, "l5proxy: cannot listen on 127.0.0.1:%d: %s\n", port, strerror(errno));
        exit(1);
    }
    return fd;
}

static int connect_master(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((unsigned short)master_port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) { close(fd); return -1; }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

static void close_fd(int *fd) {
    if (*fd >= 0) close(*fd);
    *fd = -1;
}

static void accept_on(int lfd, int repl) {
    int fd = accept(lfd, NULL, NULL);
    if (fd < 0) return;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    int i = 0;
    while (i < PAIRS_MAX && (pairs[i].down >= 0 || pairs[i].up >= 0)) i++;
    if (i == PAIRS_MAX) { fprintf(stderr, "l5proxy: more than %d connections\n", PAIRS_MAX); exit(1); }
    pairs[i] = (pair){ fd, -1, repl, 0 };
    if (blackhole) return;                         /* a dead host: accepted, silent */
    pairs[i].up = connect_master();
    if (pairs[i].up < 0) close_fd(&pairs[i].down); /* refused: the process is gone */
}

static void hold(int p, const char *buf, size_t len) {
    if (chunk_count == CHUNKS_MAX) { fprintf(stderr, "l5proxy: more than %d chunks held\n", CHUNKS_MAX); exit(1); }
    chunk *c = &chunks[(chunk_head + chunk_count) % CHUNKS_MAX];
    c->pair = p;
    c->due_us = now_us() + lag_us;
    c->len = len;
    memcpy(c->data, buf, len);
    chunk_count++;
}

static int holds_for(int p) {
    for (size_t i = 0; i < chunk_count; i++)
        if (chunks[(chunk_head + i) % CHUNKS_MAX].pair == p) return 1;
    return 0;
}

static void write_all(int fd, const char *buf, size_t len) {
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n <= 0) { if (n < 0 && errno == EINTR) continue; return; }
        buf += n;
        len -= (size_t)n;
    }
}

static void release_due(void) {
    long long now = now_us();
    while (chunk_count > 0 && chunks[chunk_head].due_us <= now) {
        chunk *c = &chunks[chunk_head];
        if (pairs[c->pair].down >= 0) write_all(pairs[c->pair].down, c->data, c->len);
        chunk_head = (chunk_head + 1) % CHUNKS_MAX;
        chunk_count--;
    }
    for (int i = 0; i < PAIRS_MAX; i++)
        if (pairs[i].up_eof && pairs[i].down >= 0 && !holds_for(i)) close_fd(&pairs[i].down);
}

static void lose_power(void) {
    power_lost = 0;
    blackhole = 1;
    chunk_count = 0;                               /* the host's buffers are gone */
    for (int i = 0; i < PAIRS_MAX; i++) {
        close_fd(&pairs[i].up);
        pairs[i].up_eof = 0;
        if (pairs[i].repl) close_fd(&pairs[i].down);   /* reset the replication link */
    }
}

/* One readable side of pair p: forward, hold, or swallow. */
static void pump(int p, int from_up) {
    char buf[CHUNK_BYTES];
    pair *x = &pairs[p];
    int fd = from_up ? x->up : x->down;
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) return;
    if (n <= 0) {
        if (from_up) { close_fd(&x->up); x->up_eof = 1; }
        else { close_fd(&x->down); close_fd(&x->up); x->up_eof = 0; }
        return;
    }
    if (blackhole) return;
    if (!from_up) { if (x->up >= 0) write_all(x->up, buf, (size_t)n); return; }
    if (x->repl && lag_us > 0) hold(p, buf, (size_t)n);
    else if (x->down >= 0) write_all(x->down, buf, (size_t)n);
}

static int poll_timeout_ms(void) {
    if (chunk_count == 0) return 100;
    long long d = chunks[chunk_head].due_us - now_us();
    return d <= 0 ? 0 : (int)((d + 999) / 1000);
}

int main(int argc, char **argv) {
    if (argc != 5) { fprintf(stderr, "usage: l5proxy FRONT_PORT REPL_PORT MASTER_PORT LAG_MS\n"); return 2; }
    int front = listen_on(atoi(argv[1])), repl = listen_on(atoi(argv[2]));
    master_port = atoi(argv[3]);
    lag_us = atoll(argv[4]) * 1000;
    chunks = calloc(CHUNKS_MAX, sizeof *chunks);
    if (!chunks) return 1;
    for (int i = 0; i < PAIRS_MAX; i++) pairs[i] = (pair){ -1, -1, 0, 0 };
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGUSR2, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    while (!stop) {
        if (power_lost) lose_power();
        if (crashed && front >= 0) { close(front); close(repl); front = repl = -1; }
        struct pollfd fds[2 + 2 * PAIRS_MAX];
        int who[2 + 2 * PAIRS_MAX], n = 0;
        if (front >= 0) { fds[n] = (struct pollfd){ front, POLLIN, 0 }; who[n++] = -1; }
        if (repl >= 0) { fds[n] = (struct pollfd){ repl, POLLIN, 0 }; who[n++] = -2; }
        for (int i = 0; i < PAIRS_MAX; i++) {
            if (pairs[i].down >= 0) { fds[n] = (struct pollfd){ pairs[i].down, POLLIN, 0 }; who[n++] = 2 * i; }
            if (pairs[i].up >= 0) { fds[n] = (struct pollfd){ pairs[i].up, POLLIN, 0 }; who[n++] = 2 * i + 1; }
        }
        int r = poll(fds, (nfds_t)n, poll_timeout_ms());
        if (r < 0 && errno != EINTR) { perror("l5proxy: poll"); return 1; }
        for (int k = 0; r > 0 && k < n; k++) {
            if (!(fds[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            if (who[k] == -1) accept_on(front, 0);
            else if (who[k] == -2) accept_on(repl, 1);
            else if (!power_lost) pump(who[k] / 2, who[k] % 2);
        }
        release_due();
    }
    return 0;
}
