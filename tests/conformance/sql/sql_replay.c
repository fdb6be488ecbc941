/* sql_replay.c -- replays ccsim's SQL statement logs (`ccsim run --emit
 * sql`, docs/sql-log.md v1) on a real PostgreSQL or MariaDB server and
 * compares, statement by statement (tests/conformance/sql/README.md).
 *
 *   sql_replay [--pg CONNINFO] [--mysql HOST:PORT] [--block-ms N]
 *              [--wait-ms N] [--known FILE] [--parse-only] LOG...
 *
 * Each log is read and checked whole first (bad input: one located
 * "file:line:col: error: ..." line and exit 2, before any server is used).
 * Then, per log, on the server of its flavour (postgres -> --pg, mysql ->
 * --mysql; `locking` has no real server and is skipped): the tables are
 * dropped and made again by the `# setup` SQL, and the records are replayed
 * in file order, one connection per CLIENT:
 *
 *   stmt  the SQL is sent (all fields but the last synchronously, the last
 *         with the asynchronous API).  When the log's next record about
 *         this SEQ is `block` and another statement is sent before its
 *         `done` (a wait a client can see), it must not return: it counts as
 *         blocked once the server reports it waiting for a lock (PostgreSQL
 *         pg_blocking_pids(), InnoDB's INNODB_TRX 'LOCK WAIT') or after
 *         --block-ms without an answer.  Otherwise it must return within
 *         --wait-ms, and must not be waiting for a lock.
 *   done  the answer (collected when it arrived) is compared with RESULT:
 *         `ok`, `rows ID=VALUE...`, `count N`, `error CODE ROLLEDBACK`.
 *   final after the last statement each table is read (ORDER BY id) and
 *         compared with the `final` records.
 *
 * Prints one line per difference (file:line, SEQ, client, SQL, expected,
 * got), a line per log, and `total:`.  Exit 0 when every difference is
 * listed in --known, 1 when one is not, 2 on bad input, 3 when a server cannot be used.
 * Lines "# TEXT" with no TAB are comments.  --parse-only only parses (the parser's test in `make test`, no server).
 *
 * Invariant: a client connection has at most one statement outstanding;
 * each SEQ is sent once and answered at most once.
 */
#include <errno.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <mysql.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FIELDS_MAX 64
#define CLIENTS_MAX 4096
#define ANSWER_MAX 4096

enum kind { R_STMT, R_BLOCK, R_DONE, R_FINAL };
enum flavour { F_POSTGRES, F_MYSQL, F_LOCKING };

typedef struct rec {
    enum kind kind;
    int line;
    int64_t seq;
    int client;                /* index into the log's clients */
    int nsql;
    char **sql;                /* stmt: the statements; done: the result's fields */
    int nres;
    char **res;
    char *table;               /* final */
    int64_t id, value;
} rec;

typedef struct log_file {
    const char *path;
    char *name, *level;
    enum flavour flavour;
    char **setup; int nsetup;
    char **tables; int ntables;
    char **clients; int nclients;
    rec *recs; int nrecs;
} log_file;

typedef struct conn {
    PGconn *pg;
    MYSQL *my;
    int64_t busy_seq;          /* outstanding statement, 0 = none */
    bool failed_block;         /* PostgreSQL: it was sent to a failed block (25P02 follows) */
} conn;

typedef struct answer {
    bool have, blocked;        /* blocked: a blocking difference, reported at its stmt */
    char text[ANSWER_MAX];     /* as the log writes a RESULT, fields joined by TAB */
} answer;

static const char *pg_conninfo, *my_host;
/* Everything read stays reachable from here until exit (a located error
 * exits mid-parse): the logs, the one being read and its line buffer.
 * External, so the compiler keeps these write-only stores (LeakSanitizer
 * reads them). */
extern log_file **sql_replay_logs, *sql_replay_parsing;
extern char *sql_replay_line, *sql_replay_order;
log_file **sql_replay_logs, *sql_replay_parsing;
char *sql_replay_line, *sql_replay_order;
static unsigned my_port;
static int64_t block_ms = 2000, wait_ms = 10000;
static PGconn *pg_mon;
static MYSQL *my_mon;

/* ------------------------------------------------------------ helpers */

static void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) { fprintf(stderr, "sql_replay: out of memory\n"); exit(3); }
    return p;
}

static char *xstrdup(const char *s) {
    size_t n = strlen(s) + 1;
    return memcpy(xmalloc(n), s, n);
}

static void bad(const char *path, int line, int col, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void bad(const char *path, int line, int col, const char *fmt, ...) {
    va_list ap;
    fprintf(stderr, "%s:%d:%d: error: ", path, line, col);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(2);
}

static void fail_server(const char *what, const char *detail) {
    fprintf(stderr, "sql_replay: %s: %s\n", what, detail ? detail : "");
    exit(3);
}

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool parse_int(const char *s, int64_t *out) {
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end) return false;
    *out = v;
    return true;
}

/* ------------------------------------------------------------ parsing */

/* Splits line (modified) at TABs and unescapes each field; returns the
 * count, or -1 with *col at a bad escape. */
static int split(char *line, char **f, int *cols, int *col) {
    int n = 0;
    char *p = line;
    for (;;) {
        if (n == FIELDS_MAX) { *col = (int)(p - line) + 1; return -2; }
        f[n] = p;
        cols[n] = (int)(p - line) + 1;
        char *w = p;
        while (*p && *p != '\t') {
            if (*p == '\\') {
                char c = p[1];
                char o = c == '\\' ? '\\' : c == 't' ? '\t' : c == 'n' ? '\n' : c == 'r' ? '\r' : 0;
                if (!o) { *col = (int)(p - line) + 1; return -1; }
                *w++ = o; p += 2;
            } else *w++ = *p++;
        }
        bool more = *p == '\t';
        *w = 0;
        n++;
        if (!more) return n;
        p++;
    }
}

static int client_of(log_file *L, const char *name) {
    for (int k = 0; k < L->nclients; k++) if (!strcmp(L->clients[k], name)) return k;
    if (L->nclients == CLIENTS_MAX) return -1;
    L->clients = realloc(L->clients, (size_t)(L->nclients + 1) * sizeof *L->clients);
    if (!L->clients) fail_server("out of memory", NULL);
    L->clients[L->nclients] = xstrdup(name);
    return L->nclients++;
}

static char **dup_fields(char **f, int n) {
    char **out = xmalloc((size_t)n * sizeof *out);
    for (int k = 0; k < n; k++) out[k] = xstrdup(f[k]);
    return out;
}

/* The SQL of a log's LEVEL ("read-committed" -> "READ COMMITTED"); NULL if it is none. */
static const char *level_sql(const char *level) {
    static const char *const key[] = { "read-uncommitted", "read-committed", "repeatable-read", "serializable" };
    static const char *const sql[] = { "READ UNCOMMITTED", "READ COMMITTED", "REPEATABLE READ", "SERIALIZABLE" };
    for (int k = 0; k < 4; k++)
        if (!strcmp(level, key[k])) return sql[k];
    return NULL;
}

static void header(log_file *L, char **f, int *cols, int n, int ln) {
    const char *p = L->path;
    if (!strcmp(f[0], "# scenario")) {
        if (n != 4 || strcmp(f[2], "seed")) bad(p, ln, 1, "expected '# scenario<TAB>NAME<TAB>seed<TAB>SEED'");
        L->name = xstrdup(f[1]);
    } else if (!strcmp(f[0], "# flavour")) {
        if (n != 4 || strcmp(f[2], "isolation")) bad(p, ln, 1, "expected '# flavour<TAB>F<TAB>isolation<TAB>LEVEL'");
        if (!strcmp(f[1], "postgres")) L->flavour = F_POSTGRES;
        else if (!strcmp(f[1], "mysql")) L->flavour = F_MYSQL;
        else if (!strcmp(f[1], "locking")) L->flavour = F_LOCKING;
        else bad(p, ln, cols[1], "unknown flavour '%s' (postgres, mysql or locking)", f[1]);
        if (!level_sql(f[3]))
            bad(p, ln, cols[3], "unknown isolation '%s' (read-uncommitted, read-committed, repeatable-read "
                "or serializable)", f[3]);
        L->level = xstrdup(f[3]);
    } else if (!strcmp(f[0], "# setup")) {
        if (n != 2 || !*f[1]) bad(p, ln, 1, "expected '# setup<TAB>SQL'");
        L->setup = realloc(L->setup, (size_t)(L->nsetup + 1) * sizeof *L->setup);
        if (!L->setup) fail_server("out of memory", NULL);
        L->setup[L->nsetup++] = xstrdup(f[1]);
        if (!strncmp(f[1], "CREATE TABLE ", 13)) {
            char name[64];
            if (sscanf(f[1] + 13, "%63[A-Za-z0-9_]", name) != 1) bad(p, ln, cols[1] + 13, "a table name");
            L->tables = realloc(L->tables, (size_t)(L->ntables + 1) * sizeof *L->tables);
            if (!L->tables) fail_server("out of memory", NULL);
            L->tables[L->ntables++] = xstrdup(name);
        }
    } else if (!strcmp(f[0], "# row")) {
        int64_t v;
        if (n != 4) bad(p, ln, 1, "expected '# row<TAB>TABLE<TAB>ID<TAB>VALUE'");
        if (!parse_int(f[2], &v)) bad(p, ln, cols[2], "id '%s' is not an integer", f[2]);
        if (!parse_int(f[3], &v)) bad(p, ln, cols[3], "value '%s' is not an integer", f[3]);
    }
    else bad(p, ln, 1, "unknown header '%s'", f[0]);
}

static void result_ok(const char *p, int ln, char **f, int *cols, int n) {
    int64_t v;
    if (!strcmp(f[0], "ok")) { if (n != 1) bad(p, ln, cols[1], "'ok' takes no field"); return; }
    if (!strcmp(f[0], "rows")) {
        for (int k = 1; k < n; k++) {
            char *eq = strchr(f[k], '=');
            if (!eq) bad(p, ln, cols[k], "a row is ID=VALUE, not '%s'", f[k]);
            *eq = 0;
            bool ok = parse_int(f[k], &v) && parse_int(eq + 1, &v);
            *eq = '=';
            if (!ok) bad(p, ln, cols[k], "a row is ID=VALUE with integers, not '%s'", f[k]);
        }
        return;
    }
    if (!strcmp(f[0], "count")) {
        if (n != 2 || !parse_int(f[1], &v)) bad(p, ln, cols[0], "expected 'count<TAB>N'");
        return;
    }
    if (!strcmp(f[0], "error")) {
        if (n != 3) bad(p, ln, cols[0], "expected 'error<TAB>CODE<TAB>0|1'");
        if (strcmp(f[2], "0") && strcmp(f[2], "1")) bad(p, ln, cols[2], "ROLLEDBACK is 0 or 1, not '%s'", f[2]);
        return;
    }
    bad(p, ln, cols[0], "unknown result '%s' (ok, rows, count, error)", f[0]);
}

static void record(log_file *L, char **f, int *cols, int n, int ln) {
    const char *p = L->path;
    int64_t v;
    if (n < 5) bad(p, ln, 1, "a record has TRUE_NS, NODE, WALL_NS, MONO_NS and a kind");
    for (int k = 0; k < 4; k++)
        if (k != 1 && !parse_int(f[k], &v)) bad(p, ln, cols[k], "'%s' is not an integer", f[k]);
    rec r;
    memset(&r, 0, sizeof r);
    r.line = ln;
    if (!strcmp(f[4], "final")) {
        if (n != 8) bad(p, ln, cols[4], "expected 'final<TAB>TABLE<TAB>ID<TAB>VALUE'");
        r.kind = R_FINAL;
        r.table = xstrdup(f[5]);
        if (!parse_int(f[6], &r.id)) bad(p, ln, cols[6], "id '%s' is not an integer", f[6]);
        if (!parse_int(f[7], &r.value)) bad(p, ln, cols[7], "value '%s' is not an integer", f[7]);
    } else {
        if (!strcmp(f[4], "stmt")) r.kind = R_STMT;
        else if (!strcmp(f[4], "block")) r.kind = R_BLOCK;
        else if (!strcmp(f[4], "done")) r.kind = R_DONE;
        else bad(p, ln, cols[4], "unknown record '%s' (stmt, block, done, final)", f[4]);
        if (n < 8) bad(p, ln, cols[4], "expected SEQ, CLIENT and TXN after '%s'", f[4]);
        if (!parse_int(f[5], &r.seq) || r.seq < 1) bad(p, ln, cols[5], "SEQ '%s' is not a number from 1", f[5]);
        if (!strchr(f[6], '/')) bad(p, ln, cols[6], "CLIENT '%s' is not NODE/SESSION", f[6]);
        r.client = client_of(L, f[6]);
        if (r.client < 0) bad(p, ln, cols[6], "more than %d clients", CLIENTS_MAX);
        if (!parse_int(f[7], &v)) bad(p, ln, cols[7], "TXN '%s' is not an integer", f[7]);
        if (r.kind == R_STMT) {
            if (n < 9) bad(p, ln, cols[7], "a stmt record needs its SQL");
            for (int k = 8; k < n; k++) if (!*f[k]) bad(p, ln, cols[k], "empty SQL");
            r.nsql = n - 8; r.sql = dup_fields(f + 8, n - 8);
        } else if (r.kind == R_DONE) {
            if (n < 9) bad(p, ln, cols[7], "a done record needs its RESULT");
            result_ok(p, ln, f + 8, cols + 8, n - 8);
            r.nres = n - 8; r.res = dup_fields(f + 8, n - 8);
        } else if (n != 8) bad(p, ln, cols[8], "a block record has no more fields");
    }
    L->recs = realloc(L->recs, (size_t)(L->nrecs + 1) * sizeof *L->recs);
    if (!L->recs) fail_server("out of memory", NULL);
    L->recs[L->nrecs++] = r;
}

/* Every stmt SEQ once, in increasing order; block/done after their stmt. */
static void check_order(log_file *L) {
    int64_t max = 0;
    for (int k = 0; k < L->nrecs; k++) if (L->recs[k].seq > max) max = L->recs[k].seq;
    char *st = sql_replay_order = calloc((size_t)max + 1, 1);
    if (!st) fail_server("out of memory", NULL);
    int64_t last = 0;
    bool final_seen = false;
    for (int k = 0; k < L->nrecs; k++) {
        rec *r = &L->recs[k];
        if (r->kind == R_FINAL) { final_seen = true; continue; }
        if (final_seen) bad(L->path, r->line, 1, "a statement record after the final table");
        if (r->kind == R_STMT) {
            if (r->seq != last + 1) bad(L->path, r->line, 1, "stmt SEQ %" PRId64 " after %" PRId64 " (expected %" PRId64 ")", r->seq, last, last + 1);
            last = r->seq; st[r->seq] = 1;
        } else if (st[r->seq] == 0) bad(L->path, r->line, 1, "%s of SEQ %" PRId64 " before its stmt", r->kind == R_DONE ? "done" : "block", r->seq);
        else if (st[r->seq] == 3) bad(L->path, r->line, 1, "SEQ %" PRId64 " already done", r->seq);
        else if (r->kind == R_DONE) st[r->seq] = 3;
        else if (st[r->seq] == 2) bad(L->path, r->line, 1, "SEQ %" PRId64 " blocked twice", r->seq);
        else st[r->seq] = 2;
    }
    free(st);
    sql_replay_order = NULL;
}

static log_file *read_log(const char *path) {
    FILE *fp = fopen(path, "r");
    if (!fp) { fprintf(stderr, "%s:1:1: error: cannot open: %s\n", path, strerror(errno)); exit(2); }
    log_file *L = calloc(1, sizeof *L);
    if (!L) fail_server("out of memory", NULL);
    sql_replay_parsing = L;
    L->path = path;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int ln = 0;
    bool versioned = false;
    while ((len = getline(&line, &cap, fp)) >= 0) {
        sql_replay_line = line;
        ln++;
        if (len == 0 || line[len - 1] != '\n') bad(path, ln, (int)len + 1, "the last line has no newline");
        line[--len] = 0;
        if (!strncmp(line, "# ", 2) && !strchr(line, '\t') && strcmp(line, "# ccsim sql log v1")) continue;
        if (!versioned) {     /* the first line that is not a comment */
            if (strcmp(line, "# ccsim sql log v1")) bad(path, ln, 1, "expected '# ccsim sql log v1'");
            versioned = true;
            continue;
        }
        char *f[FIELDS_MAX];
        int cols[FIELDS_MAX], col = 0;
        int n = split(line, f, cols, &col);
        if (n == -1) bad(path, ln, col, "bad escape (\\\\, \\t, \\n, \\r)");
        if (n == -2) bad(path, ln, col, "more than %d fields", FIELDS_MAX);
        if (line[0] == '#') {
            if (L->nrecs) bad(path, ln, 1, "a header line after the first record");
            header(L, f, cols, n, ln);
        } else record(L, f, cols, n, ln);
    }
    free(line);
    sql_replay_line = NULL;
    fclose(fp);
    if (!versioned) bad(path, ln ? ln : 1, 1, "no '# ccsim sql log v1' line");
    if (!L->name) bad(path, ln, 1, "no '# scenario' line");
    if (!L->level) bad(path, ln, 1, "no '# flavour' line");
    check_order(L);
    return L;
}

/* ------------------------------------------------------------ servers */

static void pg_quiet(void *a, const char *m) { (void)a; (void)m; }

static conn open_conn(enum flavour fl) {
    conn c = { NULL, NULL, 0, false };
    if (fl == F_POSTGRES) {
        c.pg = PQconnectdb(pg_conninfo);
        if (PQstatus(c.pg) != CONNECTION_OK) fail_server("cannot connect to PostgreSQL", PQerrorMessage(c.pg));
        PQsetNoticeProcessor(c.pg, pg_quiet, NULL);
    } else {
        c.my = mysql_init(NULL);
        if (!c.my || !mysql_real_connect(c.my, my_host, "root", "", NULL, my_port, NULL, CLIENT_FOUND_ROWS))
            fail_server("cannot connect to MariaDB", c.my ? mysql_error(c.my) : "mysql_init");
        if (mysql_query(c.my, "CREATE DATABASE IF NOT EXISTS ccsim") || mysql_select_db(c.my, "ccsim"))
            fail_server("MariaDB", mysql_error(c.my));
    }
    return c;
}

static void close_conn(conn *c) {
    if (c->pg) PQfinish(c->pg);
    if (c->my) mysql_close(c->my);
    c->pg = NULL; c->my = NULL;
}

/* Runs sql synchronously; false (with the error in err) when it fails. */
static bool exec_sync(conn *c, const char *sql, char *err, size_t errlen) {
    if (c->pg) {
        PGresult *r = PQexec(c->pg, sql);
        ExecStatusType s = PQresultStatus(r);
        bool ok = s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
        if (!ok) snprintf(err, errlen, "%s", PQresultErrorMessage(r));
        PQclear(r);
        return ok;
    }
    if (mysql_query(c->my, sql)) { snprintf(err, errlen, "%s", mysql_error(c->my)); return false; }
    MYSQL_RES *r = mysql_store_result(c->my);
    if (r) mysql_free_result(r);
    return true;
}

/* A client connection's session level is the log's LEVEL: a statement
 * sent bare (autocommit) runs at it, as ccsim ran it. */
static void session_level(conn *c, const char *level) {
    char sql[128], err[512];
    snprintf(sql, sizeof sql, c->pg ? "SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL %s"
                                    : "SET SESSION TRANSACTION ISOLATION LEVEL %s", level_sql(level));
    if (!exec_sync(c, sql, err, sizeof err)) fail_server(sql, err);
}

static void send_async(conn *c, const char *sql) {
    if (c->pg) {
        c->failed_block = PQtransactionStatus(c->pg) == PQTRANS_INERROR;
        if (!PQsendQuery(c->pg, sql)) fail_server("PQsendQuery", PQerrorMessage(c->pg));
    } else if (mysql_send_query(c->my, sql, (unsigned long)strlen(sql))) {
        fail_server("mysql_send_query", mysql_error(c->my));
    }
}

/* Has the outstanding statement's answer arrived (without blocking)? */
static bool arrived(conn *c) {
    if (c->pg) {
        if (!PQconsumeInput(c->pg)) fail_server("PostgreSQL connection lost", PQerrorMessage(c->pg));
        return !PQisBusy(c->pg);
    }
    struct pollfd p = { (int)mysql_get_socket(c->my), POLLIN, 0 };
    return poll(&p, 1, 0) > 0;
}

static void wait_a_little(conn *c) {
    struct pollfd p = { c->pg ? PQsocket(c->pg) : (int)mysql_get_socket(c->my), POLLIN, 0 };
    poll(&p, 1, 2);
}

/* Does the server say this connection's statement waits for a lock? */
static bool lock_waiting(conn *c) {
    char q[200];
    if (c->pg) {
        snprintf(q, sizeof q, "SELECT cardinality(pg_blocking_pids(%d))", PQbackendPID(c->pg));
        PGresult *r = PQexec(pg_mon, q);
        bool w = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 && atoi(PQgetvalue(r, 0, 0)) > 0;
        PQclear(r);
        return w;
    }
    snprintf(q, sizeof q, "SELECT COUNT(*) FROM information_schema.INNODB_TRX WHERE trx_mysql_thread_id = %lu "
             "AND trx_state = 'LOCK WAIT'", mysql_thread_id(c->my));
    if (mysql_query(my_mon, q)) fail_server("MariaDB monitor", mysql_error(my_mon));
    MYSQL_RES *r = mysql_store_result(my_mon);
    MYSQL_ROW row = r ? mysql_fetch_row(r) : NULL;
    bool w = row && row[0] && atoi(row[0]) > 0;
    if (r) mysql_free_result(r);
    return w;
}

static void appendf(char *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void appendf(char *buf, const char *fmt, ...) {
    size_t n = strlen(buf);
    if (n >= ANSWER_MAX - 1) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + n, ANSWER_MAX - n, fmt, ap);
    va_end(ap);
}

/* Is a transaction open on m?  (An error packet carries no status flags,
 * so the server is asked: MariaDB's @@in_transaction.) */
static bool my_in_transaction(MYSQL *m) {
    if (mysql_query(m, "SELECT @@in_transaction")) fail_server("MariaDB @@in_transaction", mysql_error(m));
    MYSQL_RES *r = mysql_store_result(m);
    MYSQL_ROW row = r ? mysql_fetch_row(r) : NULL;
    bool in = row && row[0] && atoi(row[0]) != 0;
    if (r) mysql_free_result(r);
    return in;
}

/* The answer of the statement that has arrived, written as a RESULT.  An
 * error's ROLLEDBACK is 1 when this statement's failure rolled the
 * transaction back: the block is no longer a healthy open one after it,
 * and was before it (a statement sent to a failed PostgreSQL block, 25P02,
 * rolls nothing back: docs/sql-log.md). */
static void collect(conn *c, answer *a) {
    a->have = true;
    a->text[0] = 0;
    if (c->pg) {
        PGresult *r;
        bool err = false;
        while ((r = PQgetResult(c->pg)) != NULL) {
            ExecStatusType s = PQresultStatus(r);
            if (s == PGRES_FATAL_ERROR) {
                const char *code = PQresultErrorField(r, PG_DIAG_SQLSTATE);
                bool rolled = !c->failed_block && PQtransactionStatus(c->pg) != PQTRANS_INTRANS;
                snprintf(a->text, ANSWER_MAX, "error\t%s\t%d", code ? code : "?", rolled ? 1 : 0);
                err = true;
            } else if (!err && s == PGRES_TUPLES_OK) {
                snprintf(a->text, ANSWER_MAX, "rows");
                for (int k = 0; k < PQntuples(r); k++)
                    appendf(a->text, "\t%s=%s", PQgetvalue(r, k, 0), PQgetvalue(r, k, 1));
            } else if (!err) {
                const char *t = PQcmdTuples(r);
                if (*t) snprintf(a->text, ANSWER_MAX, "count\t%s", t);
                else snprintf(a->text, ANSWER_MAX, "ok");
            }
            PQclear(r);
        }
        return;
    }
    if (mysql_read_query_result(c->my)) {
        unsigned code = mysql_errno(c->my);
        snprintf(a->text, ANSWER_MAX, "error\t%u\t%d", code, my_in_transaction(c->my) ? 0 : 1);
        return;
    }
    MYSQL_RES *r = mysql_store_result(c->my);
    if (r) {
        snprintf(a->text, ANSWER_MAX, "rows");
        MYSQL_ROW row;
        while ((row = mysql_fetch_row(r)) != NULL)
            appendf(a->text, "\t%s=%s", row[0] ? row[0] : "NULL", row[1] ? row[1] : "NULL");
        mysql_free_result(r);
    } else {
        snprintf(a->text, ANSWER_MAX, "ok");
    }
}

/* For mysql: statements whose answer is a count (the log says which). */
static bool counts_rows(const char *sql) {
    return !strncmp(sql, "UPDATE", 6) || !strncmp(sql, "DELETE", 6) || !strncmp(sql, "INSERT", 6);
}

/* Waits for c's statement: true when it answered (into a), false when
 * bound_ms passed or, with lock_ends_wait, when it waits for a lock (the
 * server says so).  Where ccsim says the statement has returned, the
 * caller waits without lock_ends_wait: a waiter released by a deadlock
 * victim's rollback still shows as waiting while the rollback runs. */
static bool await(conn *c, answer *a, int64_t bound_ms, const char *sql, bool lock_ends_wait) {
    int64_t end = now_ms() + bound_ms;
    int polls = 0;
    for (;;) {
        if (arrived(c)) {
            collect(c, a);
            if (c->my && !strcmp(a->text, "ok") && counts_rows(sql))
                snprintf(a->text, ANSWER_MAX, "count\t%llu", (unsigned long long)mysql_affected_rows(c->my));
            c->busy_seq = 0;
            return true;
        }
        if (lock_ends_wait && ++polls % 5 == 0 && lock_waiting(c)) return false;
        if (now_ms() >= end) return false;
        wait_a_little(c);
    }
}

/* ------------------------------------------------------------ replay */

typedef struct tally { int64_t stmts, same, differ, known; } tally;

/* Known differences (--known FILE): "SCENARIO<TAB>SEQ<TAB>REASON" lines,
 * SEQ a statement's number or `final`; '#' lines are comments.  A
 * difference listed there is printed with its reason and does not fail
 * the run. */
typedef struct known { char *scenario, *seq, *reason; } known;
static known *knowns;
static int nknowns;

static void read_known(const char *path) {
    FILE *fp = fopen(path, "r");
    if (!fp) { fprintf(stderr, "%s:1:1: error: cannot open: %s\n", path, strerror(errno)); exit(2); }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int ln = 0;
    while ((len = getline(&line, &cap, fp)) >= 0) {
        ln++;
        if (len > 0 && line[len - 1] == '\n') line[--len] = 0;
        if (len == 0 || line[0] == '#') continue;
        char *a = line, *b = strchr(a, '\t'), *c = b ? strchr(b + 1, '\t') : NULL;
        if (!b || !c || !c[1]) bad(path, ln, 1, "expected SCENARIO<TAB>SEQ<TAB>REASON");
        *b = 0; *c = 0;
        knowns = realloc(knowns, (size_t)(nknowns + 1) * sizeof *knowns);
        if (!knowns) fail_server("out of memory", NULL);
        knowns[nknowns++] = (known){ xstrdup(a), xstrdup(b + 1), xstrdup(c + 1) };
    }
    free(line);
    fclose(fp);
}

static const char *known_reason(const char *scenario, const char *seq) {
    for (int k = 0; k < nknowns; k++)
        if (!strcmp(knowns[k].scenario, scenario) && !strcmp(knowns[k].seq, seq)) return knowns[k].reason;
    return NULL;
}

static void count_difference(tally *t, const char *scenario, const char *seq) {
    const char *why = known_reason(scenario, seq);
    if (why) { printf("    (known: %s)\n", why); t->known++; }
    else t->differ++;
}

static void joined(char *out, size_t n, char **f, int k) {
    out[0] = 0;
    for (int i = 0; i < k; i++) {
        size_t l = strlen(out);
        snprintf(out + l, n - l, "%s%s", i ? "\t" : "", f[i]);
    }
}

static void show(char *s) { for (; *s; s++) if (*s == '\t') *s = ' '; }

static void differ(const log_file *L, const rec *r, const char *sql, const char *want, const char *got, tally *t) {
    char w[ANSWER_MAX], g[ANSWER_MAX];
    snprintf(w, sizeof w, "%s", want);
    snprintf(g, sizeof g, "%s", got);
    show(w); show(g);
    printf("  %s:%d: seq %" PRId64 " %s: %s: ccsim %s, server %s\n", L->path, r->line, r->seq,
           L->clients[r->client], sql, w, g);
    char seq[32];
    snprintf(seq, sizeof seq, "%" PRId64, r->seq);
    count_difference(t, L->name, seq);
}

static const rec *stmt_of(const log_file *L, int64_t seq) {
    for (int k = 0; k < L->nrecs; k++) if (L->recs[k].kind == R_STMT && L->recs[k].seq == seq) return &L->recs[k];
    return NULL;
}

/* Does the statement of the stmt record at k wait in a way a client can
 * see?  Its next record is `block`, and another statement is sent before
 * its `done` (or it has none).  A block whose done follows with no
 * statement between -- a deadlock victim chosen the instant it began to
 * wait, as InnoDB does -- cannot be told from an immediate answer. */
static bool waits_visibly(const log_file *L, int k, int64_t seq) {
    bool blocked = false;
    for (int j = k + 1; j < L->nrecs; j++) {
        const rec *r = &L->recs[j];
        if (r->kind == R_FINAL) return blocked;
        if (r->kind == R_STMT) { if (blocked) return true; continue; }
        if (r->seq != seq) continue;
        if (r->kind == R_DONE) return false;
        blocked = true;
    }
    return blocked;
}

static void setup(const log_file *L, conn *mon) {
    char err[512], sql[256];
    for (int k = 0; k < L->ntables; k++) {
        snprintf(sql, sizeof sql, "DROP TABLE IF EXISTS %s", L->tables[k]);
        if (!exec_sync(mon, sql, err, sizeof err)) fail_server(sql, err);
    }
    for (int k = 0; k < L->nsetup; k++)
        if (!exec_sync(mon, L->setup[k], err, sizeof err)) fail_server(L->setup[k], err);
}

static void compare_final(const log_file *L, conn *mon, tally *t) {
    for (int k = 0; k < L->ntables; k++) {
        char want[ANSWER_MAX] = "", sql[256];
        int line = 0;
        for (int j = 0; j < L->nrecs; j++) {
            const rec *r = &L->recs[j];
            if (r->kind != R_FINAL || strcmp(r->table, L->tables[k])) continue;
            appendf(want, "%s%" PRId64 "=%" PRId64, *want ? " " : "", r->id, r->value);
            line = r->line;
        }
        snprintf(sql, sizeof sql, "SELECT id, value FROM %s ORDER BY id", L->tables[k]);
        send_async(mon, sql);
        answer a;
        memset(&a, 0, sizeof a);
        if (!await(mon, &a, wait_ms, sql, true)) fail_server("final read did not return", sql);
        char *got = a.text + 4 + (a.text[4] == '\t');
        show(got);
        t->stmts++;
        if (!strcmp(want, got)) { t->same++; continue; }
        printf("  %s:%d: final %s: ccsim %s, server %s\n", L->path, line, L->tables[k], *want ? want : "(empty)",
               *got ? got : "(empty)");
        count_difference(t, L->name, "final");
    }
}

static void replay(const log_file *L, tally *t) {
    enum flavour fl = L->flavour;
    conn mon = open_conn(fl);
    setup(L, &mon);
    conn *cs = calloc((size_t)L->nclients, sizeof *cs);
    answer *ans = calloc((size_t)L->nrecs + 2, sizeof *ans);   /* by SEQ */
    if (!cs || !ans) fail_server("out of memory", NULL);
    bool broken = false;
    for (int k = 0; k < L->nrecs && !broken; k++) {
        const rec *r = &L->recs[k];
        if (r->kind == R_FINAL) break;
        conn *c = &cs[r->client];
        if (r->kind == R_STMT) {
            char sql[ANSWER_MAX];
            joined(sql, sizeof sql, r->sql, r->nsql);
            show(sql);
            if (!c->pg && !c->my) {
                *c = open_conn(fl);
                session_level(c, L->level);
            }
            if (c->busy_seq) {
                printf("  %s:%d: seq %" PRId64 " %s: %s: cannot be sent, seq %" PRId64 " still waits on this connection\n",
                       L->path, r->line, r->seq, L->clients[r->client], sql, c->busy_seq);
                t->differ++; broken = true; break;
            }
            char err[512];
            for (int q = 0; q + 1 < r->nsql; q++)
                if (!exec_sync(c, r->sql[q], err, sizeof err)) fail_server(r->sql[q], err);
            send_async(c, r->sql[r->nsql - 1]);
            c->busy_seq = r->seq;
            bool expect_block = waits_visibly(L, k, r->seq);
            answer *a = &ans[r->seq];
            bool came = await(c, a, expect_block ? block_ms : wait_ms, r->sql[r->nsql - 1], true);
            if (expect_block && came) { t->stmts++; differ(L, r, sql, "blocked", "returned at once", t); a->blocked = true; }
            if (!expect_block && !came) {
                t->stmts++;
                differ(L, r, sql, "returned at once", "blocked", t);
                a->blocked = true;
            }
        } else if (r->kind == R_DONE) {
            const rec *s = stmt_of(L, r->seq);
            conn *sc = &cs[s->client];
            answer *a = &ans[r->seq];
            if (!a->have && sc->busy_seq == r->seq && !await(sc, a, wait_ms, s->sql[s->nsql - 1], false)) {
                /* still waiting: let it return now, if it ever does, by rolling its neighbours back later */
            }
            char sql[ANSWER_MAX], want[ANSWER_MAX];
            joined(sql, sizeof sql, s->sql, s->nsql);
            show(sql);
            joined(want, sizeof want, r->res, r->nres);
            if (a->blocked) continue;        /* counted once, where it differed */
            t->stmts++;
            if (!a->have) { differ(L, r, sql, want, "still blocked", t); broken = true; continue; }
            if (!strcmp(want, a->text)) t->same++;
            else differ(L, r, sql, want, a->text, t);
        } else if (waits_visibly(L, k - 1, r->seq)) {     /* a visible wait: compared at its stmt */
            t->stmts++;
            if (!ans[r->seq].blocked) t->same++;
        }
    }
    for (int k = 0; k < L->nclients; k++) close_conn(&cs[k]);   /* ends open transactions */
    if (!broken) compare_final(L, &mon, t);
    close_conn(&mon);
    free(cs);
    free(ans);
}

int main(int argc, char **argv) {
    bool check_only = false;
    int a = 1;
    for (; a < argc && !strncmp(argv[a], "--", 2); a++) {
        const char *k = argv[a];
        if (!strcmp(k, "--check") || !strcmp(k, "--parse-only")) { check_only = true; continue; }
        if (a + 1 >= argc) { fprintf(stderr, "sql_replay: %s needs a value\n", k); return 2; }
        const char *v = argv[++a];
        int64_t n;
        if (!strcmp(k, "--pg")) pg_conninfo = v;
        else if (!strcmp(k, "--mysql")) {
            static char host[256];
            const char *colon = strrchr(v, ':');
            if (!colon || !parse_int(colon + 1, &n) || n <= 0 || n > 65535 || (size_t)(colon - v) >= sizeof host) {
                fprintf(stderr, "sql_replay: --mysql HOST:PORT, not '%s'\n", v); return 2;
            }
            memcpy(host, v, (size_t)(colon - v)); host[colon - v] = 0;
            my_host = host; my_port = (unsigned)n;
        } else if (!strcmp(k, "--known")) read_known(v);
        else if (!strcmp(k, "--block-ms") && parse_int(v, &n) && n > 0) block_ms = n;
        else if (!strcmp(k, "--wait-ms") && parse_int(v, &n) && n > 0) wait_ms = n;
        else { fprintf(stderr, "sql_replay: unknown option or bad value: %s %s\n", k, v); return 2; }
    }
    if (a == argc) { fprintf(stderr, "usage: sql_replay [--pg CONNINFO] [--mysql HOST:PORT] [--check] LOG...\n"); return 2; }
    int nlogs = argc - a;
    log_file **logs = sql_replay_logs = xmalloc((size_t)nlogs * sizeof *logs);
    for (int k = 0; k < nlogs; k++) logs[k] = read_log(argv[a + k]);
    if (check_only) { printf("checked %d logs\n", nlogs); return 0; }
    tally total = { 0, 0, 0, 0 };
    int skipped = 0;
    for (int k = 0; k < nlogs; k++) {
        const log_file *L = logs[k];
        const char *fl = L->flavour == F_POSTGRES ? "postgres" : L->flavour == F_MYSQL ? "mysql" : "locking";
        if (L->flavour == F_LOCKING || (L->flavour == F_POSTGRES && !pg_conninfo) || (L->flavour == F_MYSQL && !my_host)) {
            printf("%s (%s %s): skipped (no server for this flavour)\n", L->name, fl, L->level);
            skipped++;
            continue;
        }
        if (L->flavour == F_POSTGRES && !pg_mon) { conn m = open_conn(F_POSTGRES); pg_mon = m.pg; }
        if (L->flavour == F_MYSQL && !my_mon) { conn m = open_conn(F_MYSQL); my_mon = m.my; }
        tally t = { 0, 0, 0, 0 };
        replay(L, &t);
        printf("%s (%s %s): %" PRId64 " compared, %" PRId64 " identical, %" PRId64 " differ", L->name, fl, L->level,
               t.stmts, t.same, t.differ + t.known);
        if (t.known) printf(" (%" PRId64 " known)", t.known);
        printf("\n");
        total.stmts += t.stmts; total.same += t.same; total.differ += t.differ; total.known += t.known;
    }
    printf("total: %d logs (%d skipped), %" PRId64 " compared, %" PRId64 " identical, %" PRId64 " differ (%" PRId64
           " known, %" PRId64 " unexplained)\n", nlogs, skipped, total.stmts, total.same, total.differ + total.known,
           total.known, total.differ);
    if (pg_mon) PQfinish(pg_mon);
    if (my_mon) mysql_close(my_mon);
    return total.differ ? 1 : 0;
}
