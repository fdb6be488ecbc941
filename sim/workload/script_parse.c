/* script_parse.c -- the `script` workload's text: statements, row lists,
 * and the steps map (docs/script-workload.md).  Pure functions of their
 * input: the workload's validate hook reports their errors at the
 * scenario's positions; its model and the `script` check parse the same
 * text again and get the same script.
 *
 * Invariant: script_load succeeds only on a script whose steps all name a
 * client, whose `blocks` name later steps, and whose order ends (no client
 * is asked for a statement while it is expected to wait).
 */
#include "sim/workload/script.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/scenario/scn.h"

#define INT_LIMIT 2147483647LL      /* PostgreSQL's int */

/* ------------------------------------------------------------ tokens */

typedef struct lex {
    const char *p;
    char tok[64];                /* the current token, lower case; "" at the end */
    bool is_int;
    int64_t num;
} lex;

static void next(lex *x) {
    while (isspace((unsigned char)*x->p)) x->p++;
    x->tok[0] = '\0';
    x->is_int = false;
    const char *p = x->p;
    size_t n = 0;
    if (*p == '\0') return;
    if (isdigit((unsigned char)*p) || (*p == '-' && isdigit((unsigned char)p[1]))) {
        n = 1;
        while (isdigit((unsigned char)p[n]) && n < sizeof x->tok - 1) n++;
        x->is_int = true;
    } else if (isalpha((unsigned char)*p) || *p == '_') {
        while ((isalnum((unsigned char)p[n]) || p[n] == '_') && n < sizeof x->tok - 1) n++;
    } else if ((p[0] == '<' && (p[1] == '=' || p[1] == '>')) || (p[0] == '>' && p[1] == '=') ||
               (p[0] == '!' && p[1] == '=')) {
        n = 2;
    } else {
        n = 1;
    }
    for (size_t i = 0; i < n; i++) x->tok[i] = (char)tolower((unsigned char)p[i]);
    x->tok[n] = '\0';
    x->p = p + n;
    if (x->is_int) {
        long long v = strtoll(x->tok, NULL, 10);
        x->num = v;
        if (n > 11 || v > INT_LIMIT || v < -INT_LIMIT - 1) x->num = INT64_MAX;   /* out of range */
    }
}

static bool is(const lex *x, const char *w) { return strcmp(x->tok, w) == 0; }

static bool accept(lex *x, const char *w) {
    if (!is(x, w)) return false;
    next(x);
    return true;
}

typedef struct perr { char *msg; size_t len; } perr;

static int fail(perr *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(perr *e, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, e->len, fmt, ap);
    va_end(ap);
    return -1;
}

static int expect_word(lex *x, const char *w, perr *e) {
    if (accept(x, w)) return 0;
    return fail(e, "expected '%s' but found '%s'", w, x->tok[0] ? x->tok : "the end");
}

static int expect_int(lex *x, int64_t *out, perr *e) {
    if (!x->is_int) return fail(e, "expected a number but found '%s'", x->tok[0] ? x->tok : "the end");
    if (x->num == INT64_MAX)
        return fail(e, "%s is out of range (expected an int, -2147483648 to 2147483647)", x->tok);
    *out = x->num;
    next(x);
    return 0;
}

/* ------------------------------------------------------------ statements */

static int parse_iso(lex *x, int64_t *iso, perr *e) {
    *iso = DB_ISO_DEFAULT;
    if (!accept(x, "isolation")) return 0;
    if (expect_word(x, "level", e) != 0) return -1;
    if (accept(x, "serializable")) { *iso = DB_ISO_SER; return 0; }
    if (accept(x, "repeatable")) { *iso = DB_ISO_RR; return expect_word(x, "read", e); }
    if (accept(x, "read")) {
        if (accept(x, "committed")) { *iso = DB_ISO_RC; return 0; }
        if (accept(x, "uncommitted")) { *iso = DB_ISO_RU; return 0; }
    }
    return fail(e, "unknown isolation level '%s' (expected read uncommitted, read committed, "
                "repeatable read or serializable)", x->tok);
}

static int parse_table(lex *x, const char *table, perr *e) {
    if (strcmp(x->tok, table) == 0) { next(x); return 0; }
    return fail(e, "unknown table '%s' (expected %s, the workload's table)",
                x->tok[0] ? x->tok : "the end", table);
}

typedef struct cond {
    bool none, by_id;
    int64_t ids[DB_STMTS_MAX];
    uint32_t id_count;
    uint8_t pred;
    int64_t arg;
} cond;

static int parse_op(lex *x, uint8_t *pred, perr *e) {
    static const struct { const char *s; uint8_t p; } ops[] = {
        {"=", HIST_PRED_EQ}, {"<>", HIST_PRED_NE}, {"!=", HIST_PRED_NE}, {"<", HIST_PRED_LT},
        {"<=", HIST_PRED_LE}, {">", HIST_PRED_GT}, {">=", HIST_PRED_GE},
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (accept(x, ops[i].s)) { *pred = ops[i].p; return 0; }
    return fail(e, "expected a comparison (= <> != < <= > >=) but found '%s'", x->tok);
}

static int parse_ids(lex *x, cond *c, perr *e) {
    if (expect_word(x, "(", e) != 0) return -1;
    do {
        if (c->id_count == DB_STMTS_MAX) return fail(e, "too many ids (expected at most %d)", DB_STMTS_MAX);
        if (expect_int(x, &c->ids[c->id_count++], e) != 0) return -1;
    } while (accept(x, ","));
    return expect_word(x, ")", e);
}

static int parse_cond(lex *x, cond *c, perr *e) {
    memset(c, 0, sizeof *c);
    if (!accept(x, "where")) { c->none = true; return 0; }
    if (accept(x, "id")) {
        c->by_id = true;
        if (accept(x, "in")) return parse_ids(x, c, e);
        if (expect_word(x, "=", e) != 0) return -1;
        c->id_count = 1;
        return expect_int(x, &c->ids[0], e);
    }
    if (expect_word(x, "value", e) != 0) return -1;
    if (accept(x, "%")) {
        c->pred = HIST_PRED_MOD0;
        if (expect_int(x, &c->arg, e) != 0) return -1;
        if (c->arg == 0) return fail(e, "value %% 0 divides by zero");
        if (expect_word(x, "=", e) != 0) return -1;
        int64_t zero = 1;
        if (expect_int(x, &zero, e) != 0) return -1;
        if (zero != 0) return fail(e, "expected 'value %% N = 0'");
        return 0;
    }
    if (parse_op(x, &c->pred, e) != 0) return -1;
    return expect_int(x, &c->arg, e);
}

static db_stmt blank(db_stmt_kind kind) {
    db_stmt s;
    memset(&s, 0, sizeof s);
    s.kind = (uint8_t)kind;
    return s;
}

static int parse_select(lex *x, const char *table, db_stmt *out, uint32_t *n, perr *e) {
    cond c;
    if (expect_word(x, "*", e) != 0 || expect_word(x, "from", e) != 0) return -1;
    if (parse_table(x, table, e) != 0 || parse_cond(x, &c, e) != 0) return -1;
    uint8_t lock = DB_LOCK_NONE;
    if (accept(x, "for")) {
        if (accept(x, "update")) lock = DB_LOCK_UPDATE;
        else if (accept(x, "share")) lock = DB_LOCK_SHARE;
        else return fail(e, "expected FOR UPDATE or FOR SHARE but found '%s'", x->tok);
    }
    if (c.by_id) {
        for (uint32_t i = 0; i < c.id_count; i++) {
            out[i] = blank(DB_ST_SELECT);
            out[i].id = c.ids[i];
            out[i].lock = lock;
        }
        *n = c.id_count;
        return 0;
    }
    out[0] = blank(DB_ST_SCAN);
    out[0].where = c.none ? HIST_PRED_ALL : c.pred;
    out[0].where_arg = c.arg;
    out[0].lock = lock;
    *n = 1;
    return 0;
}

static int parse_update(lex *x, const char *table, db_stmt *out, perr *e) {
    if (parse_table(x, table, e) != 0) return -1;
    if (expect_word(x, "set", e) != 0 || expect_word(x, "value", e) != 0 ||
        expect_word(x, "=", e) != 0)
        return -1;
    db_stmt s = blank(DB_ST_UPDATE_PRED);
    if (accept(x, "value")) {
        if (x->is_int && x->tok[0] == '-') {     /* "value -5" lexes as value, -5 */
            if (expect_int(x, &s.arg, e) != 0) return -1;
            s.set = DB_SET_ADD;
            goto where;
        }
        bool minus = accept(x, "-");
        if (!minus && expect_word(x, "+", e) != 0) return -1;
        if (expect_int(x, &s.arg, e) != 0) return -1;
        if (minus) s.arg = -s.arg;
        s.set = DB_SET_ADD;
    } else if (expect_int(x, &s.arg, e) != 0) {
        return -1;
    }
where:;
    cond c;
    if (parse_cond(x, &c, e) != 0) return -1;
    if (c.by_id && c.id_count != 1) return fail(e, "UPDATE ... WHERE id IN (...) is not supported "
                                                   "(expected id = N or a value condition)");
    if (c.by_id) {
        s.kind = DB_ST_UPDATE;
        s.id = c.ids[0];
    } else {
        s.where = c.none ? HIST_PRED_ALL : c.pred;
        s.where_arg = c.arg;
    }
    *out = s;
    return 0;
}

static int parse_delete(lex *x, const char *table, db_stmt *out, perr *e) {
    if (expect_word(x, "from", e) != 0 || parse_table(x, table, e) != 0) return -1;
    cond c;
    if (parse_cond(x, &c, e) != 0) return -1;
    if (c.by_id && c.id_count != 1) return fail(e, "DELETE ... WHERE id IN (...) is not supported "
                                                   "(expected id = N or a value condition)");
    db_stmt s = blank(c.by_id ? DB_ST_DELETE : DB_ST_DELETE_PRED);
    if (c.by_id) s.id = c.ids[0];
    else {
        s.where = c.none ? HIST_PRED_ALL : c.pred;
        s.where_arg = c.arg;
    }
    *out = s;
    return 0;
}

static int parse_insert(lex *x, const char *table, db_stmt *out, perr *e) {
    db_stmt s = blank(DB_ST_INSERT);
    if (expect_word(x, "into", e) != 0 || parse_table(x, table, e) != 0) return -1;
    if (expect_word(x, "(", e) != 0 || expect_word(x, "id", e) != 0 || expect_word(x, ",", e) != 0 ||
        expect_word(x, "value", e) != 0 || expect_word(x, ")", e) != 0 ||
        expect_word(x, "values", e) != 0 || expect_word(x, "(", e) != 0)
        return -1;
    if (expect_int(x, &s.id, e) != 0 || expect_word(x, ",", e) != 0 || expect_int(x, &s.arg, e) != 0)
        return -1;
    if (expect_word(x, ")", e) != 0) return -1;
    *out = s;
    return 0;
}

static int parse_body(lex *x, const char *table, db_stmt *out, uint32_t *n, uint8_t *returns,
                      perr *e) {
    *n = 1;
    *returns = SCRIPT_RET_NONE;
    if (accept(x, "begin") || (accept(x, "start") && expect_word(x, "transaction", e) == 0)) {
        out[0] = blank(DB_ST_BEGIN);
        return parse_iso(x, &out[0].arg, e);
    }
    if (e->msg[0]) return -1;
    if (accept(x, "commit")) { out[0] = blank(DB_ST_COMMIT); return 0; }
    if (accept(x, "rollback") || accept(x, "abort")) { out[0] = blank(DB_ST_ROLLBACK); return 0; }
    if (accept(x, "select")) { *returns = SCRIPT_RET_ROWS; return parse_select(x, table, out, n, e); }
    *returns = SCRIPT_RET_COUNT;
    if (accept(x, "update")) return parse_update(x, table, out, e);
    if (accept(x, "delete")) return parse_delete(x, table, out, e);
    if (accept(x, "insert")) return parse_insert(x, table, out, e);
    return fail(e, "unknown statement '%s' (expected begin, commit, rollback, select, update, "
                "insert or delete)", x->tok[0] ? x->tok : "(empty)");
}

int script_parse_stmt(const char *text, const char *table, db_stmt *out, uint32_t *n,
                      uint8_t *returns, char *msg, size_t msg_len) {
    SIM_ASSERT(text != NULL);
    SIM_ASSERT(msg != NULL && msg_len > 0);
    perr e = { msg, msg_len };
    msg[0] = '\0';
    lex x = { text, "", false, 0 };
    next(&x);
    if (parse_body(&x, table, out, n, returns, &e) != 0) return -1;
    accept(&x, ";");
    if (x.tok[0] != '\0') return fail(&e, "unexpected '%s' after the statement", x.tok);
    return 0;
}

/* ------------------------------------------------------------ rows */

int script_parse_rows(const char *text, script_rows *out, char *msg, size_t msg_len) {
    perr e = { msg, msg_len };
    memset(out, 0, sizeof *out);
    lex x = { text, "", false, 0 };
    next(&x);
    if (accept(&x, "none") || x.tok[0] == '\0') return x.tok[0] ? fail(&e, "unexpected '%s'", x.tok) : 0;
    do {
        if (out->count == SCRIPT_ROWS_MAX) return fail(&e, "too many rows (expected at most %d)", SCRIPT_ROWS_MAX);
        int64_t id = 0, v = 0;
        if (expect_int(&x, &id, &e) != 0 || expect_word(&x, "=", &e) != 0 || expect_int(&x, &v, &e) != 0)
            return fail(&e, "%s (expected rows such as \"1=10, 2=20\", or none)", msg);
        uint32_t k = out->count;
        for (uint32_t i = 0; i < k; i++)
            if (out->id[i] == id) return fail(&e, "id %" PRId64 " is listed twice", id);
        while (k > 0 && out->id[k - 1] > id) {   /* keep them by id */
            out->id[k] = out->id[k - 1];
            out->value[k] = out->value[k - 1];
            k--;
        }
        out->id[k] = id;
        out->value[k] = v;
        out->count++;
    } while (accept(&x, ","));
    if (x.tok[0] != '\0') return fail(&e, "unexpected '%s' (expected rows such as \"1=10, 2=20\")", x.tok);
    return 0;
}

/* ------------------------------------------------------------ the script */

static int at_entry(script_error *err, int32_t entry, bool at_key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int at_entry(script_error *err, int32_t entry, bool at_key, const char *fmt, ...) {
    err->key = NULL;
    err->entry = entry;
    err->at_key = at_key;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return -1;
}

static int at_param(script_error *err, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int at_param(script_error *err, const char *key, const char *fmt, ...) {
    err->key = key;
    err->entry = -1;
    err->at_key = false;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return -1;
}

static bool name_ok(const char *s) {
    if (s[0] == '\0' || strlen(s) >= SIM_NAME_MAX) return false;
    for (const char *p = s; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_') return false;
    return true;
}

static int load_clients(const script_cfg *c, script *out, script_error *err) {
    const char *text = c->clients.count > 0 ? c->clients.items[0].value : "";
    if (c->clients.count != 1 || c->clients.items[0].key[0] != '\0')
        return at_param(err, "clients", "clients: expected a list of names such as [T1, T2]");
    const char *p = text;
    while (*p) {
        while (*p == ' ' || *p == ',') p++;
        if (!*p) break;
        char name[64];
        size_t n = 0;
        while (p[n] && p[n] != ',' && p[n] != ' ' && n < sizeof name - 1) { name[n] = p[n]; n++; }
        name[n] = '\0';
        p += n;
        if (!name_ok(name))
            return at_param(err, "clients", "clients: '%s' is not a name (expected letters, digits, "
                            "'-' and '_', at most %d bytes)", name, SIM_NAME_MAX - 1);
        for (uint32_t i = 0; i < out->client_count; i++)
            if (strcmp(out->clients[i], name) == 0)
                return at_param(err, "clients", "clients: '%s' is listed twice", name);
        if (out->client_count == SCRIPT_CLIENTS_MAX)
            return at_param(err, "clients", "clients: too many (expected at most %d)", SCRIPT_CLIENTS_MAX);
        memcpy(out->clients[out->client_count++], name, strlen(name) + 1);   /* name_ok: it fits */
    }
    if (out->client_count == 0) return at_param(err, "clients", "clients: none (expected a list of names such as [T1, T2])");
    return 0;
}

static const char *const expect_keys[] = { "rows", "count", "blocks", "error", "at" };

static int32_t client_index(const script *sc, const char *name) {
    for (uint32_t i = 0; i < sc->client_count; i++)
        if (strcmp(sc->clients[i], name) == 0) return (int32_t)i;
    return -1;
}

/* "12.T1" -> 12 and "T1"; false when it is not NUMBER.KEY. */
static bool split_key(const char *key, uint32_t *number, const char **rest) {
    char *end = NULL;
    if (!isdigit((unsigned char)key[0])) return false;
    unsigned long v = strtoul(key, &end, 10);
    if (end == NULL || *end != '.' || v == 0 || v > 1000000) return false;
    *number = (uint32_t)v;
    *rest = end + 1;
    return true;
}

static int set_expectation(const script_cfg *c, script_step *st, uint32_t i, const char *what,
                           script_error *err) {
    const char *v = c->steps.items[i].value;
    char msg[200];
    int32_t e = (int32_t)i;
    if (strcmp(what, "rows") == 0) {
        if (script_parse_rows(v, &st->rows, msg, sizeof msg) != 0) return at_entry(err, e, false, "%s", msg);
        st->has_rows = true;
    } else if (strcmp(what, "count") == 0) {
        char *end = NULL;
        long long n = strtoll(v, &end, 10);
        if (v[0] == '\0' || *end != '\0' || n < 0 || n > 1000000)
            return at_entry(err, e, false, "count: '%s' is not a row count (expected a whole number such as 1)", v);
        st->has_count = true;
        st->count = n;
    } else if (strcmp(what, "blocks") == 0) {
        char *end = NULL;
        unsigned long n = strtoul(v, &end, 10);
        if (strcmp(v, "end") == 0) st->blocks = SCRIPT_BLOCKS_END;
        else if (v[0] == '\0' || *end != '\0' || !isdigit((unsigned char)v[0]) || n > 1000000)
            return at_entry(err, e, false, "blocks: '%s' is not a step (expected a later step's number, or end)", v);
        else st->blocks = -3 - (int32_t)n;      /* a step number, resolved to an index later */
    } else if (strcmp(what, "error") == 0) {
        if (v[0] == '\0' || strlen(v) > 7)
            return at_entry(err, e, false, "error: '%s' is not an error code (expected a SQLSTATE such as \"40001\" or a MySQL number such as 1213)", v);
        memcpy(st->error, v, strlen(v) + 1);          /* at most 7 bytes: checked */
    } else {
        if (scn_parse_duration(v, &st->at_ns, msg, sizeof msg) != 0)
            return at_entry(err, e, false, "at: %s", msg);
    }
    return 0;
}

/* One pair of `steps`: a new step begins when the number changes. */
static int load_entry(const script_cfg *c, script *sc, uint32_t i, int32_t *stmt_entry,
                      script_error *err) {
    const param_map_entry *m = &c->steps.items[i];
    uint32_t number = 0;
    const char *what = NULL;
    if (!split_key(m->key, &number, &what))
        return at_entry(err, (int32_t)i, true, "steps: '%s' is not a step (expected steps such as "
                        "3: {T1: \"commit\"}, numbered from 1)", m->key);
    script_step *st = sc->step_count ? &sc->steps[sc->step_count - 1] : NULL;
    if (st == NULL || st->number != number) {
        if (st != NULL && *stmt_entry < 0)
            return at_entry(err, (int32_t)i - 1, true, "step %u names no client (expected one of its keys to be a client such as %s)", st->number, sc->clients[0]);
        if (st != NULL && number < st->number)
            return at_entry(err, (int32_t)i, true, "step %u comes after step %u (expected the steps in increasing order)", number, st->number);
        if (sc->step_count == SCRIPT_STEPS_MAX)
            return at_entry(err, (int32_t)i, true, "too many steps (expected at most %d)", SCRIPT_STEPS_MAX);
        st = &sc->steps[sc->step_count++];
        memset(st, 0, sizeof *st);
        st->number = number;
        st->blocks = SCRIPT_BLOCKS_NONE;
        st->at_ns = -1;
        *stmt_entry = -1;
    }
    for (size_t k = 0; k < sizeof expect_keys / sizeof expect_keys[0]; k++)
        if (strcmp(what, expect_keys[k]) == 0) return set_expectation(c, st, i, what, err);
    int32_t client = client_index(sc, what);
    if (client < 0)
        return at_entry(err, (int32_t)i, true, "step %u: unknown client '%s' (expected a client of "
                        "`clients`, or rows, count, blocks, error, at)", number, what);
    if (*stmt_entry >= 0)
        return at_entry(err, (int32_t)i, true, "step %u has two statements (%s and %s; expected one "
                        "client per step)", number, sc->clients[st->client], what);
    char msg[200];
    if (script_parse_stmt(m->value, c->table, st->stmts, &st->n, &st->returns, msg, sizeof msg) != 0)
        return at_entry(err, (int32_t)i, false, "step %u: %s", number, msg);
    st->client = (uint32_t)client;
    snprintf(st->text, sizeof st->text, "%s", m->value);
    st->entry = i;
    *stmt_entry = (int32_t)i;
    return 0;
}

/* What each step expects fits its statement; `blocks` names later steps. */
static int check_step(script *sc, uint32_t k, script_error *err) {
    script_step *st = &sc->steps[k];
    if (st->has_rows && st->returns != SCRIPT_RET_ROWS)
        return at_entry(err, (int32_t)st->entry, false, "step %u: rows on a statement that returns none (expected rows on a SELECT)", st->number);
    if (st->has_count && st->returns != SCRIPT_RET_COUNT)
        return at_entry(err, (int32_t)st->entry, false, "step %u: count on a statement that changes none (expected count on an UPDATE, DELETE or INSERT)", st->number);
    if (st->blocks > SCRIPT_BLOCKS_END || st->blocks == SCRIPT_BLOCKS_END) return 0;
    uint32_t want = (uint32_t)(-3 - st->blocks);
    for (uint32_t j = k + 1; j < sc->step_count; j++)
        if (sc->steps[j].number == want) { st->blocks = (int32_t)j; return 0; }
    return at_entry(err, (int32_t)st->entry, false, "step %u: blocks: %u is not a later step (expected the number of a step after %u, or end)", st->number, want, st->number);
}

/* No client is sent a statement while its earlier one is expected to wait. */
static int check_order(const script *sc, script_error *err) {
    for (uint32_t k = 0; k < sc->step_count; k++) {
        const script_step *st = &sc->steps[k];
        if (st->blocks == SCRIPT_BLOCKS_NONE) continue;
        uint32_t until = st->blocks == SCRIPT_BLOCKS_END ? sc->step_count : (uint32_t)st->blocks + 1;
        for (uint32_t j = k + 1; j < until && j < sc->step_count; j++) {
            if (sc->steps[j].client != st->client) continue;
            char until_text[32];
            if (st->blocks == SCRIPT_BLOCKS_END) snprintf(until_text, sizeof until_text, "the end");
            else snprintf(until_text, sizeof until_text, "step %u", sc->steps[st->blocks].number);
            return at_entry(err, (int32_t)sc->steps[j].entry, true, "step %u: the steps never end: "
                            "%s is still waiting in step %u (it blocks until %s), so step %u would "
                            "wait for it forever (expected %s's next step after %s)",
                            sc->steps[j].number, sc->clients[st->client], st->number, until_text,
                            sc->steps[j].number, sc->clients[st->client], until_text);
        }
    }
    return 0;
}

static int load_table(const script_cfg *c, script *out, script_error *err) {
    if (!name_ok(c->table) || strlen(c->table) >= DB_TABLE_NAME_MAX || strchr(c->table, '-'))
        return at_param(err, "table", "table: '%s' is not a table name (expected letters, digits "
                        "and '_', at most %d bytes)", c->table, DB_TABLE_NAME_MAX - 1);
    for (const char *p = c->table; *p; p++)
        if (isupper((unsigned char)*p))
            return at_param(err, "table", "table: '%s' has upper case (expected lower case, as SQL folds it)", c->table);
    char msg[200];
    if (script_parse_rows(c->rows, &out->seed, msg, sizeof msg) != 0)
        return at_param(err, "rows", "rows: %s", msg);
    return 0;
}

int script_load(const script_cfg *c, script *out, script_error *err) {
    SIM_ASSERT(c != NULL && out != NULL && err != NULL);
    memset(out, 0, sizeof *out);
    memset(err, 0, sizeof *err);
    out->block_after_ns = c->block_after_ns;
    if (load_clients(c, out, err) != 0 || load_table(c, out, err) != 0) return -1;
    int32_t stmt_entry = -1;
    for (uint32_t i = 0; i < c->steps.count; i++)
        if (load_entry(c, out, i, &stmt_entry, err) != 0) return -1;
    if (out->step_count == 0) return at_param(err, "steps", "steps: none (expected steps such as 1: {T1: begin})");
    if (stmt_entry < 0)
        return at_entry(err, (int32_t)c->steps.count - 1, true, "step %u names no client (expected one of its keys to be a client such as %s)", out->steps[out->step_count - 1].number, out->clients[0]);
    for (uint32_t k = 0; k < out->step_count; k++)
        if (check_step(out, k, err) != 0) return -1;
    return check_order(out, err);
}
