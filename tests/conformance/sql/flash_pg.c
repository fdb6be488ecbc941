/* flash_pg.c -- the flash sale (sim/workload/flash_sale.c) run against a
 * real PostgreSQL, interleaved as ccsim's run interleaves it
 * (tests/conformance/sql/README.md, "The flash sale on PostgreSQL").
 *
 *   flash_pg --conninfo STR [--stock N] [--buyers N] [--every-us N]
 *            [--think-us N] [--latency-us N] [--strategy S] [--isolation L]
 *            [--transaction 0|1] [--retries N] [--lock-timeout-us N] [--name NAME]
 *
 * A logical clock replaces ccsim's true time: buyer b arrives at b * every,
 * every message takes `latency` each way, a read's reply is followed by
 * `think` before the write is sent.  Events pop in (time, seq) order, seq
 * given when queued, as in ccsim's engine (docs/engine.md).  The database
 * side keeps ccsim's db node's inbox rule (protocols/db/db_node.c): the
 * requests that arrive at one instant run when every event already due then
 * has run, the writing ones (UPDATE, COMMIT, ROLLBACK) first, the reading
 * ones after, each group in arrival order -- but each request runs on
 * PostgreSQL, on that buyer's own connection, and PostgreSQL's answer is
 * what the buyer sees.
 *
 * A request that waits for a lock stays outstanding (blocked): PostgreSQL
 * says so (pg_blocking_pids() of its backend is not empty); every wait for
 * an answer is bounded (RUN_BOUND_MS).  After every request that completes
 * and every cancel, the replay waits until PostgreSQL is at rest (one
 * pg_locks snapshot has every blocked request that is still running
 * waiting for a lock) and answers, at that instant, every blocked request
 * that has returned -- whichever PostgreSQL chose, FIFO or not -- as
 * ccsim's db node answers a session right after the request that woke it.
 * Nothing moves on the server while the logical clock advances, so the
 * replay does not depend on the wall clock.
 *
 * Prints one line: the counts the flash-sale checks judge (orders, stock at
 * the end, oversold, lost decrements, commits, aborts, retries, 40001s,
 * lock waits), and `overtakes`: answers PostgreSQL gave to a request while
 * an older one still waited for the same row (FLASH_PG_TRACE=1 prints
 * each).  Exit 0, 2 on bad arguments, 3 when PostgreSQL cannot be used or
 * requests are still blocked at the end (a stall).
 *
 * Invariant: a buyer has at most one request outstanding; a request is in
 * exactly one of: the event queue, the db inbox, running/blocked, answered.
 */
#include <errno.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RUN_BOUND_MS 30000
#define SQL_MAX 256

enum strategy { S_NAIVE, S_CHECK, S_ATOMIC, S_OPTIMISTIC, S_PESSIMISTIC };
enum ev_kind { EV_START, EV_TIMER, EV_AT_DB, EV_AT_CLIENT, EV_FLUSH, EV_LOCK_TIMEOUT };
enum phase { P_READ = 1, P_THINK, P_WRITE, P_RESTART, P_CLOSE };

typedef struct cfg {
    const char *conninfo, *name, *isolation;
    int64_t stock, buyers, every_us, think_us, latency_us, retries, lock_timeout_us;
    enum strategy strategy;
    bool transaction;
} cfg;

typedef struct reply {
    bool ok, txn_open;
    char code[6];
    int64_t rows, value, version;   /* of the first statement */
} reply;

typedef struct buyer {
    PGconn *conn;
    enum phase phase;
    int64_t attempt, stock_read, version_read;
    bool txn_open, done, ok, blocked, restart_after_close;
    char sql[SQL_MAX];
    bool is_write, begin_first;
    reply rep;
    int64_t blocked_at_us;
    uint64_t wait_seq;       /* when it began to wait, among all waits */
} buyer;

typedef struct ev { int64_t t; uint64_t seq; enum ev_kind kind; int64_t b; } ev;

static cfg C;
static buyer *B;
static ev *heap;
static size_t heap_n, heap_cap;
static uint64_t seq_next, wait_seq_next;
static int64_t now_us;
static int64_t *inbox, inbox_n;      /* buyers whose request waits at the db */
static int64_t *blocked, blocked_n;  /* buyers whose request waits for a lock */
static bool flush_queued;
static PGconn *mon;
static struct { int64_t orders, commits, aborts, retries, serialization, deadlocks, lock_waits, lock_timeouts, rejected, overtakes; } N;

static void die(int code, const char *msg, const char *detail) {
    fprintf(stderr, "flash_pg: %s%s%s\n", msg, detail ? ": " : "", detail ? detail : "");
    exit(code);
}

/* ------------------------------------------------------------ events */

static bool ev_before(const ev *a, const ev *b) { return a->t < b->t || (a->t == b->t && a->seq < b->seq); }

static void push(int64_t t, enum ev_kind k, int64_t b) {
    if (heap_n == heap_cap) {
        heap_cap = heap_cap ? heap_cap * 2 : 1024;
        heap = realloc(heap, heap_cap * sizeof *heap);
        if (!heap) die(3, "out of memory", NULL);
    }
    size_t i = heap_n++;
    heap[i] = (ev){ t, seq_next++, k, b };
    while (i > 0 && ev_before(&heap[i], &heap[(i - 1) / 2])) {
        ev tmp = heap[i]; heap[i] = heap[(i - 1) / 2]; heap[(i - 1) / 2] = tmp;
        i = (i - 1) / 2;
    }
}

static ev pop(void) {
    ev top = heap[0];
    heap[0] = heap[--heap_n];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < heap_n && ev_before(&heap[l], &heap[m])) m = l;
        if (r < heap_n && ev_before(&heap[r], &heap[m])) m = r;
        if (m == i) break;
        ev tmp = heap[i]; heap[i] = heap[m]; heap[m] = tmp;
        i = m;
    }
    return top;
}

/* ------------------------------------------------------------ PostgreSQL */

static void quiet(void *arg, const char *msg) { (void)arg; (void)msg; }

static PGconn *connect_pg(void) {
    PGconn *c = PQconnectdb(C.conninfo);
    if (PQstatus(c) != CONNECTION_OK) die(3, "cannot connect", PQerrorMessage(c));
    PQsetNoticeProcessor(c, quiet, NULL);
    /* No deadlock check after 1 s of wall-clock waiting (the flash sale has
     * no cycle, and the logical clock does not follow the wall clock). */
    PGresult *r = PQexec(c, "SET deadlock_timeout = '1h'");
    if (PQresultStatus(r) != PGRES_COMMAND_OK) die(3, "SET deadlock_timeout", PQerrorMessage(c));
    PQclear(r);
    return c;
}

/* Connections of finished buyers, idle, reused by later ones (a buyer's
 * session is its own from its first request to its end, as in ccsim). */
static PGconn **pool;
static int64_t pool_n;

static PGconn *take_conn(void) { return pool_n > 0 ? pool[--pool_n] : connect_pg(); }

static void exec_ok(PGconn *c, const char *sql) {
    PGresult *r = PQexec(c, sql);
    ExecStatusType s = PQresultStatus(r);
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) die(3, sql, PQerrorMessage(c));
    PQclear(r);
}

static int64_t monotonic_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Is the backend of c waiting for a lock another backend holds? */
static bool waits_for_lock(PGconn *c) {
    char q[96];
    snprintf(q, sizeof q, "SELECT cardinality(pg_blocking_pids(%d))", PQbackendPID(c));
    PGresult *r = PQexec(mon, q);
    bool w = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 && atoi(PQgetvalue(r, 0, 0)) > 0;
    PQclear(r);
    return w;
}

/* Collects the results of a request that has returned into b->rep. */
static void collect(buyer *b) {
    PGresult *r;
    reply rep = { .ok = true };
    while ((r = PQgetResult(b->conn)) != NULL) {
        ExecStatusType s = PQresultStatus(r);
        if (s == PGRES_FATAL_ERROR) {
            const char *code = PQresultErrorField(r, PG_DIAG_SQLSTATE);
            rep.ok = false;
            snprintf(rep.code, sizeof rep.code, "%s", code ? code : "?????");
        }
        if (rep.ok && s == PGRES_TUPLES_OK && PQntuples(r) >= 1 && PQnfields(r) >= 2) {
            rep.rows = PQntuples(r);
            rep.value = atoll(PQgetvalue(r, 0, 0));
            rep.version = atoll(PQgetvalue(r, 0, 1));
        } else if (rep.ok && s == PGRES_COMMAND_OK && strncmp(PQcmdStatus(r), "UPDATE", 6) == 0) {
            rep.rows = atoll(PQcmdTuples(r));
        }
        PQclear(r);
    }
    rep.txn_open = PQtransactionStatus(b->conn) != PQTRANS_IDLE;
    b->rep = rep;
}

/* Waits until b's request has returned (true) or PostgreSQL has it
 * waiting for a lock (false).  One that does neither is still running (a
 * loaded machine): it is waited for, up to RUN_BOUND_MS, then the run stops
 * (exit 3) -- counting it as blocked would change the interleaving. */
static bool settle(buyer *b) {
    int64_t deadline = monotonic_ms() + RUN_BOUND_MS;
    int polls = 0;
    for (;;) {
        if (!PQconsumeInput(b->conn)) die(3, "connection lost", PQerrorMessage(b->conn));
        if (!PQisBusy(b->conn)) { collect(b); return true; }
        if (++polls % 4 == 0 && waits_for_lock(b->conn)) return false;
        if (monotonic_ms() >= deadline) die(3, "a statement neither returned nor waited for a lock", b->sql);
        struct pollfd p = { PQsocket(b->conn), POLLIN, 0 };
        poll(&p, 1, 1);
    }
}

/* ------------------------------------------------------------ the buyer */

static bool in_txn(void) {
    return C.strategy == S_PESSIMISTIC ||
           (C.transaction && (C.strategy == S_NAIVE || C.strategy == S_CHECK));
}

static void send_req(int64_t i, bool is_write, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void send_req(int64_t i, bool is_write, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(B[i].sql, sizeof B[i].sql, fmt, ap);
    va_end(ap);
    B[i].is_write = is_write;
    push(now_us + C.latency_us, EV_AT_DB, i);
}

static void attempt(int64_t i) {
    buyer *b = &B[i];
    if (C.strategy == S_ATOMIC) {
        b->phase = P_WRITE;
        send_req(i, true, "UPDATE stock SET qty = qty - 1, version = version + 1 "
                          "WHERE id = 1 AND qty >= 1 RETURNING qty, version");
        return;
    }
    b->phase = P_READ;
    const char *lock = C.strategy == S_PESSIMISTIC ? " FOR UPDATE" : "";
    if (in_txn()) {
        b->begin_first = true;     /* BEGIN runs alone first (run_request), so the read is the one result */
        send_req(i, false, "SELECT qty, version FROM stock WHERE id = 1%s", lock);
    }
    else
        send_req(i, false, "SELECT qty, version FROM stock WHERE id = 1");
}

static void finish(int64_t i, bool ok) {
    B[i].done = true;
    B[i].ok = ok;
    if (ok) N.orders++; else N.rejected++;
    if (B[i].conn) { pool[pool_n++] = B[i].conn; B[i].conn = NULL; }
}

static void close_then(int64_t i, bool commit, bool restart) {
    B[i].phase = P_CLOSE;
    B[i].restart_after_close = restart;
    send_req(i, true, "%s", commit ? "COMMIT" : "ROLLBACK");
}

static void retry_or_fail(int64_t i) {
    buyer *b = &B[i];
    if (b->txn_open) { close_then(i, false, true); return; }
    if (C.retries >= 0 && b->attempt > C.retries) { finish(i, false); return; }
    N.retries++;
    b->attempt++;
    b->phase = P_RESTART;
    push(now_us, EV_TIMER, i);        /* backoff 0: retry at once */
}

static void close_then_fail(int64_t i) {
    if (!B[i].txn_open) { finish(i, false); return; }
    close_then(i, true, false);
}

static void send_write(int64_t i) {
    buyer *b = &B[i];
    int64_t left = b->stock_read - 1;
    const char *commit = in_txn() ? "; COMMIT" : "";
    b->phase = P_WRITE;
    switch (C.strategy) {
    case S_NAIVE: case S_PESSIMISTIC:
        send_req(i, true, "UPDATE stock SET qty = %" PRId64 ", version = version + 1 WHERE id = 1%s",
                 left, commit);
        break;
    case S_CHECK:
        send_req(i, true, "UPDATE stock SET qty = qty - 1, version = version + 1 WHERE id = 1%s", commit);
        break;
    case S_OPTIMISTIC:
        send_req(i, true, "UPDATE stock SET qty = %" PRId64 ", version = version + 1 "
                          "WHERE id = 1 AND version = %" PRId64, left, b->version_read);
        break;
    case S_ATOMIC: die(3, "internal: atomic buys write at once", NULL);
    }
}

static void on_reply(int64_t i) {
    buyer *b = &B[i];
    const reply *p = &b->rep;
    b->txn_open = p->txn_open;
    if (b->phase == P_CLOSE) {
        if (b->restart_after_close) { b->txn_open = false; retry_or_fail(i); }
        else finish(i, false);
        return;
    }
    if (!p->ok) {
        if (strcmp(p->code, "40001") == 0 || strcmp(p->code, "40P01") == 0) retry_or_fail(i);
        else { if (b->txn_open) close_then(i, false, false); else finish(i, false); }
        return;
    }
    if (b->phase == P_READ) {
        b->stock_read = p->rows ? p->value : 0;
        b->version_read = p->version;
        if (b->stock_read < 1) { close_then_fail(i); return; }
        b->phase = P_THINK;
        push(now_us + C.think_us, EV_TIMER, i);
        return;
    }
    if (p->rows == 1) { finish(i, true); return; }
    if (C.strategy == S_OPTIMISTIC) { retry_or_fail(i); return; }
    close_then_fail(i);
}

/* ------------------------------------------------------------ the db side */

static void answered(int64_t i) {
    const reply *p = &B[i].rep;
    bool rollback = strcmp(B[i].sql, "ROLLBACK") == 0;
    if (p->ok) {
        if (!p->txn_open && !rollback) N.commits++;
    } else {
        N.aborts++;
        if (strcmp(p->code, "40001") == 0) N.serialization++;
        if (strcmp(p->code, "40P01") == 0) N.deadlocks++;
    }
    push(now_us + C.latency_us, EV_AT_CLIENT, i);
}

/* The backends PostgreSQL has waiting for a lock now (one pg_locks
 * snapshot: the lock manager's partitions are read together). */
static int cmp_int(const void *a, const void *b) { return (*(const int *)a > *(const int *)b) - (*(const int *)a < *(const int *)b); }

static int waiting_pids(int **out) {
    PGresult *r = PQexec(mon, "SELECT pid FROM pg_locks WHERE NOT granted AND pid IS NOT NULL");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) die(3, "pg_locks", PQerrorMessage(mon));
    int n = PQntuples(r);
    *out = malloc((size_t)(n ? n : 1) * sizeof **out);
    if (!*out) die(3, "out of memory", NULL);
    for (int k = 0; k < n; k++) (*out)[k] = atoi(PQgetvalue(r, k, 0));
    PQclear(r);
    qsort(*out, (size_t)n, sizeof **out, cmp_int);
    return n;
}

static void unblock(int64_t k) {
    int64_t i = blocked[k];
    memmove(&blocked[k], &blocked[k + 1], (size_t)(blocked_n - k - 1) * sizeof *blocked);
    blocked_n--;
    B[i].blocked = false;
}

static int cmp_wait_seq(const void *a, const void *b) {
    uint64_t x = B[*(const int64_t *)a].wait_seq, y = B[*(const int64_t *)b].wait_seq;
    return (x > y) - (x < y);
}

/* Buyer i was answered while an older request still waits: counted, and
 * with FLASH_PG_TRACE set, printed with what the oldest waits for. */
static void overtake(int64_t i) {
    N.overtakes++;
    if (!getenv("FLASH_PG_TRACE")) return;
    int64_t o = blocked[0];
    char q[160];
    snprintf(q, sizeof q, "SELECT locktype || ' ' || mode || ' ' || coalesce(page || ',' || tuple, transactionid::text) "
                          "FROM pg_locks WHERE pid = %d AND NOT granted", PQbackendPID(B[o].conn));
    PGresult *r = PQexec(mon, q);
    fprintf(stderr, "flash_pg: overtake at %" PRId64 " us: buyer %" PRId64 " (wait %" PRIu64 ") answered; "
                    "buyer %" PRId64 " (wait %" PRIu64 ", since %" PRId64 " us) waits for %s\n",
            now_us, i, B[i].wait_seq, o, B[o].wait_seq, B[o].blocked_at_us,
            PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) ? PQgetvalue(r, 0, 0) : "-");
    PQclear(r);
}

/* Waits until PostgreSQL is at rest, then answers the blocked requests that
 * have returned, in the order they began to wait (as ccsim's db node
 * answers the sessions a release woke).  At rest: in one pg_locks snapshot
 * every blocked request still running waits for a lock, so nothing can be
 * released any more until the replay sends something.  A request neither
 * returned nor waiting is on its way (woken, passing from one tuple
 * version's lock queue to the next one's): it is waited for, up to
 * RUN_BOUND_MS.  Answers are processed whatever order PostgreSQL returns
 * them in; one given to a request younger than a still-waiting one is
 * counted (N.overtakes): PostgreSQL served its lock queue out of FIFO order. */
static void settle_all(void) {
    int64_t deadline = monotonic_ms() + RUN_BOUND_MS;
    int64_t *done = malloc((size_t)(blocked_n ? blocked_n : 1) * sizeof *done), done_n = 0;
    if (!done) die(3, "out of memory", NULL);
    for (bool moving = blocked_n > 0; moving;) {
        moving = false;
        int *w, nw = waiting_pids(&w);
        for (int64_t k = 0; k < blocked_n;) {
            buyer *b = &B[blocked[k]];
            if (!PQconsumeInput(b->conn)) die(3, "connection lost", PQerrorMessage(b->conn));
            if (!PQisBusy(b->conn)) { collect(b); done[done_n++] = blocked[k]; unblock(k); moving = true; continue; }
            int pid = PQbackendPID(b->conn);
            if (!bsearch(&pid, w, (size_t)nw, sizeof *w, cmp_int)) moving = true;
            k++;
        }
        free(w);
        if (moving && monotonic_ms() >= deadline) die(3, "a woken request neither returned nor waited again", NULL);
        if (moving) poll(NULL, 0, 1);
    }
    qsort(done, (size_t)done_n, sizeof *done, cmp_wait_seq);
    for (int64_t d = 0; d < done_n; d++) {
        if (blocked_n > 0 && B[blocked[0]].wait_seq < B[done[d]].wait_seq) overtake(done[d]);
        answered(done[d]);
    }
    free(done);
}

/* lock_timeout, in logical time: a request still blocked `lock_timeout`
 * after it began to wait is cancelled and answered 55P03, as PostgreSQL's
 * own lock_timeout would (its timer runs on the wall clock, which this
 * replay does not follow).  PostgreSQL is at rest here (settle_all ran
 * after the last request), so the request cannot be granted meanwhile. */
static void lock_timeout(int64_t i) {
    buyer *b = &B[i];
    if (!b->blocked || b->blocked_at_us + C.lock_timeout_us != now_us) return;
    for (int64_t k = 0; k < blocked_n; k++) if (blocked[k] == i) { unblock(k); break; }
    char err[256];
    PGcancel *cn = PQgetCancel(b->conn);
    if (!cn || !PQcancel(cn, err, sizeof err)) die(3, "cancel failed", err);
    PQfreeCancel(cn);
    int64_t deadline = monotonic_ms() + RUN_BOUND_MS;
    for (;;) {
        if (!PQconsumeInput(b->conn)) die(3, "connection lost", PQerrorMessage(b->conn));
        if (!PQisBusy(b->conn)) break;
        if (monotonic_ms() >= deadline) die(3, "a cancelled request did not return", b->sql);
        struct pollfd p = { PQsocket(b->conn), POLLIN, 0 };
        poll(&p, 1, 1);
    }
    collect(b);
    if (b->rep.ok) die(3, "a request at rest returned before its cancel", b->sql);
    snprintf(b->rep.code, sizeof b->rep.code, "55P03");
    N.lock_timeouts++;
    answered(i);
    settle_all();        /* it may have held the tuple lock the next waiter now takes */
}

static void run_request(int64_t i) {
    buyer *b = &B[i];
    if (!b->conn) b->conn = take_conn();
    if (b->begin_first) {
        char begin[96];
        snprintf(begin, sizeof begin, "BEGIN ISOLATION LEVEL %s", C.isolation);
        exec_ok(b->conn, begin);
        b->begin_first = false;
    }
    if (!PQsendQuery(b->conn, b->sql)) die(3, "send failed", PQerrorMessage(b->conn));
    if (settle(b)) {
        answered(i);
        settle_all();
        return;
    }
    b->blocked = true;
    b->blocked_at_us = now_us;
    b->wait_seq = wait_seq_next++;
    if (C.lock_timeout_us > 0) push(now_us + C.lock_timeout_us, EV_LOCK_TIMEOUT, i);
    N.lock_waits++;
    blocked[blocked_n++] = i;
}

static void flush(void) {
    flush_queued = false;
    int64_t n = inbox_n;
    int64_t *batch = malloc((size_t)(n ? n : 1) * sizeof *batch);
    if (!batch) die(3, "out of memory", NULL);
    memcpy(batch, inbox, (size_t)n * sizeof *batch);
    inbox_n = 0;
    for (int pass = 0; pass < 2; pass++)
        for (int64_t k = 0; k < n; k++)
            if (B[batch[k]].is_write == (pass == 0)) run_request(batch[k]);
    free(batch);
}

static void step(ev e) {
    now_us = e.t;
    switch (e.kind) {
    case EV_START: B[e.b].attempt = 1; attempt(e.b); break;
    case EV_TIMER:
        if (B[e.b].phase == P_THINK) send_write(e.b);
        else attempt(e.b);
        break;
    case EV_AT_DB:
        inbox[inbox_n++] = e.b;
        if (!flush_queued) { flush_queued = true; push(now_us, EV_FLUSH, -1); }
        break;
    case EV_FLUSH: flush(); break;
    case EV_AT_CLIENT: on_reply(e.b); break;
    case EV_LOCK_TIMEOUT: lock_timeout(e.b); break;
    }
}

/* ------------------------------------------------------------ main */

static int64_t num_arg(const char *s) {
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || end == s) die(2, "not a number", s);
    return v;
}

static void parse(int argc, char **argv) {
    C = (cfg){ .name = "flash-sale", .isolation = "READ COMMITTED", .stock = 100, .buyers = 1000,
               .every_us = 1000, .think_us = 3000, .latency_us = 1000, .retries = 3 };
    for (int a = 1; a + 1 < argc; a += 2) {
        const char *k = argv[a], *v = argv[a + 1];
        if (!strcmp(k, "--conninfo")) C.conninfo = v;
        else if (!strcmp(k, "--name")) C.name = v;
        else if (!strcmp(k, "--isolation")) C.isolation = v;
        else if (!strcmp(k, "--stock")) C.stock = num_arg(v);
        else if (!strcmp(k, "--buyers")) C.buyers = num_arg(v);
        else if (!strcmp(k, "--every-us")) C.every_us = num_arg(v);
        else if (!strcmp(k, "--think-us")) C.think_us = num_arg(v);
        else if (!strcmp(k, "--latency-us")) C.latency_us = num_arg(v);
        else if (!strcmp(k, "--retries")) C.retries = num_arg(v);
        else if (!strcmp(k, "--lock-timeout-us")) C.lock_timeout_us = num_arg(v);
        else if (!strcmp(k, "--transaction")) C.transaction = !strcmp(v, "true") || !strcmp(v, "1");
        else if (!strcmp(k, "--strategy")) {
            static const char *names[] = { "naive", "check-then-decrement", "atomic", "optimistic",
                                           "pessimistic" };
            int s = -1;
            for (int n = 0; n < 5; n++) if (!strcmp(v, names[n])) s = n;
            if (s < 0) die(2, "unknown strategy", v);
            C.strategy = (enum strategy)s;
        } else die(2, "unknown option", k);
    }
    if ((argc - 1) % 2) die(2, "an option without its value", argv[argc - 1]);
    if (!C.conninfo) die(2, "--conninfo is required", NULL);
    if (C.buyers < 0 || C.buyers > 100000 || C.stock < 0) die(2, "buyers or stock out of range", NULL);
}

int main(int argc, char **argv) {
    parse(argc, argv);
    mon = connect_pg();
    exec_ok(mon, "DROP TABLE IF EXISTS stock");
    exec_ok(mon, "CREATE TABLE stock (id int PRIMARY KEY, qty bigint NOT NULL, version bigint NOT NULL) "
                 "WITH (autovacuum_enabled = false)");
    char seed[128];
    snprintf(seed, sizeof seed, "INSERT INTO stock VALUES (1, %" PRId64 ", 1)", C.stock);
    exec_ok(mon, seed);
    B = calloc((size_t)C.buyers + 1, sizeof *B);
    inbox = calloc((size_t)C.buyers + 1, sizeof *inbox);
    blocked = calloc((size_t)C.buyers + 1, sizeof *blocked);
    pool = calloc((size_t)C.buyers + 1, sizeof *pool);
    if (!B || !inbox || !blocked || !pool) die(3, "out of memory", NULL);
    for (int64_t i = 0; i < C.buyers; i++) push(i * C.every_us, EV_START, i);
    while (heap_n > 0) step(pop());
    if (blocked_n) {
        fprintf(stderr, "flash_pg: %" PRId64 " blocked at the end; first buyer %" PRId64 " sql %s\n", blocked_n,
                blocked[0], B[blocked[0]].sql);
        PGresult *q = PQexec(mon, "SELECT pid, state, wait_event_type, left(query, 60), backend_xid FROM pg_stat_activity "
                                  "WHERE state <> 'idle' AND backend_type = 'client backend' AND wait_event_type IS DISTINCT FROM 'Lock'");
        for (int k = 0; q && k < PQntuples(q); k++)
            fprintf(stderr, "  not waiting: pid %s %s %s %s xid %s\n", PQgetvalue(q, k, 0), PQgetvalue(q, k, 1),
                    PQgetvalue(q, k, 2), PQgetvalue(q, k, 3), PQgetvalue(q, k, 4));
        for (int64_t i = 0; i < C.buyers; i++)
            if (B[i].conn && !B[i].blocked && PQtransactionStatus(B[i].conn) != PQTRANS_IDLE)
                fprintf(stderr, "  buyer %" PRId64 " phase %d done %d pid %d txn open, last sql %s\n", i, B[i].phase,
                        B[i].done, PQbackendPID(B[i].conn), B[i].sql);
        for (int64_t k = 0; k < pool_n; k++)
            if (PQtransactionStatus(pool[k]) != PQTRANS_IDLE) fprintf(stderr, "  pooled conn pid %d in a transaction\n", PQbackendPID(pool[k]));
        die(3, "requests still blocked at the end", NULL);
    }
    PGresult *r = PQexec(mon, "SELECT qty FROM stock WHERE id = 1");
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) die(3, "final read", PQerrorMessage(mon));
    int64_t end = atoll(PQgetvalue(r, 0, 0));
    PQclear(r);
    int64_t oversold = N.orders > C.stock ? N.orders - C.stock : 0;
    int64_t lost = end - (C.stock - N.orders);
    printf("%s: orders %" PRId64 " stock %" PRId64 "->%" PRId64 " oversold %" PRId64
           " lost %" PRId64 " commits %" PRId64 " aborts %" PRId64 " retries %" PRId64
           " serialization-failures %" PRId64 " deadlocks %" PRId64 " lock-timeouts %" PRId64
           " lock-waits %" PRId64 " overtakes %" PRId64 "\n",
           C.name, N.orders, C.stock, end, oversold, lost, N.commits, N.aborts, N.retries,
           N.serialization, N.deadlocks, N.lock_timeouts, N.lock_waits, N.overtakes);
    while (pool_n > 0) PQfinish(pool[--pool_n]);
    PQfinish(mon);
    return 0;
}
