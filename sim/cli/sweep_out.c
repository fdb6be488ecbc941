/* sweep_out.c -- what a sweep prints and writes: the table, sweep.json,
 * JUnit XML; and --merge, which reads shards' sweep.json back.
 *
 * Invariant: everything here is a function of the tallies and the range,
 * so a merge of shards prints and writes the same bytes as the sweep run
 * in one piece (docs/sweeps.md).  sweep.json is read back with libyaml
 * (JSON is YAML's flow style), so --merge needs no parser of its own.
 */
#include "sim/cli/sweep.h"
#include "sim/cli/json_in.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

static const char *const verdict_words[3] = { "ok", "violation", "unknown" };

static const char *expect_word(int e) { return e < 0 ? "-" : verdict_words[e]; }

/* ---- the table -------------------------------------------------------- */

static void print_seed(FILE *f, const sweep_tally *t, const sweep_seed *s) {
    SIM_ASSERT(s->fail_count <= t->check_count);
    SIM_ASSERT(s->status == SWEEP_FAILING || s->message != NULL);
    if (s->status == SWEEP_FAILING) {
        fprintf(f, "  seed %" PRIu64 "\n", s->seed);
        for (uint32_t i = 0; i < s->fail_count; i++) {
            const sweep_check *c = &t->checks[s->fails[i].check];
            fprintf(f, "    %-17s %s", c->name, verdict_words[s->fails[i].verdict]);
            if (c->expect >= 0 && c->expect != s->fails[i].verdict)   /* equal: --ignore-expect */
                fprintf(f, " (expected %s)", expect_word(c->expect));
            fprintf(f, ": %s\n", s->fails[i].summary);
        }
    } else {
        fprintf(f, "  seed %" PRIu64 " %s: %s\n", s->seed,
                s->status == SWEEP_CRASHED ? "crashed (a bug in ccsim)" : "could not run", s->message);
    }
    fprintf(f, "    reproduce: ccsim run %s --seed %" PRIu64 "%s\n", t->path, s->seed, t->sets);
}

/* "nemesis   drew 812 faults: pause 120, crash 97, ...": what the search
 * tried, over the seeds that reported (scripts/vopr.sh reads this line). */
static void print_drawn(FILE *f, const sweep_tally *t) {
    if (!t->nemesis) return;
    uint64_t all = 0;
    for (int k = 0; k < SCN_FAULT_KIND_COUNT; k++) all += t->faults_drawn[k];
    fprintf(f, "\nnemesis   drew %" PRIu64 " faults%s", all, all ? ":" : "");
    bool first = true;
    for (int k = 0; k < SCN_FAULT_KIND_COUNT; k++) {
        if (!t->faults_drawn[k]) continue;
        fprintf(f, "%s %s %" PRIu64, first ? "" : ",", scn_fault_kind_name((scn_fault_kind)k),
                t->faults_drawn[k]);
        first = false;
    }
    fputc('\n', f);
}

static void print_one(FILE *f, const sweep_range *r, const sweep_tally *t) {
    SIM_ASSERT(t->check_count <= SCN_CHECKS_MAX);
    SIM_ASSERT(t->sets != NULL);
    fprintf(f, "sweep     %s (%s%s)\n", t->name, t->path, t->sets);
    uint64_t total = sweep_range_count(r);
    fprintf(f, "seeds     %" PRIu64 "..%" PRIu64, r->from, r->to);
    if (r->shards > 1) {
        fprintf(f, ", shard %" PRIu32 "/%" PRIu32 " (seeds", r->shard, r->shards);
        for (uint64_t i = 0; i < total && i < 3; i++)
            fprintf(f, "%s %" PRIu64, i ? "," : "", r->from + r->shard + i * r->shards);
        fprintf(f, "%s)", total > 3 ? ", ..." : total == 0 ? " none" : "");
    }
    fprintf(f, ": %" PRIu64 " seeds, %" PRIu64 " ran\n\n", total, t->seeds_run);
    fprintf(f, "%-17s %-9s %10s %10s %10s %10s\n", "check", "expect", "ok", "violation", "unknown", "failing");
    for (uint32_t i = 0; i < t->check_count; i++) {
        const sweep_check *c = &t->checks[i];
        char failing[32] = "-";                 /* "-": not judged (--check) */
        if (c->judged) snprintf(failing, sizeof failing, "%" PRIu64, c->failing);
        fprintf(f, "%-17s %-9s %10" PRIu64 " %10" PRIu64 " %10" PRIu64 " %10s\n", c->name,
                expect_word(c->expect), c->verdicts[0], c->verdicts[1], c->verdicts[2], failing);
    }
    print_drawn(f, t);
    if (t->verified)
        fprintf(f, "verified  %" PRIu64 " seeds run twice (--verify): the same event stream "
                   "both times\n", t->verified);
    fprintf(f, "\nfailing   %" PRIu64 " of %" PRIu64 " seeds", t->failing, total);
    if (t->unknown) fprintf(f, "; %" PRIu64 " more with an unknown verdict", t->unknown);
    if (t->errors) fprintf(f, "; %" PRIu64 " could not run", t->errors);
    if (t->crashed) fprintf(f, "; %" PRIu64 " crashed ccsim", t->crashed);
    fputc('\n', f);
    if (t->listed.count < t->failing)
        fprintf(f, "          the first %zu by seed (--show N; sweep.json has the same)\n", t->listed.count);
    for (size_t i = 0; i < t->listed.count; i++) print_seed(f, t, &t->listed.items[i]);
    if (t->trouble.count < t->errors + t->crashed)
        fprintf(f, "          and the first %zu that crashed or could not run, by seed\n", t->trouble.count);
    for (size_t i = 0; i < t->trouble.count; i++) print_seed(f, t, &t->trouble.items[i]);
}

void sweep_print(FILE *f, const sweep_range *r, const sweep_tally *t, size_t n) {
    SIM_ASSERT(f != NULL);
    SIM_ASSERT(r != NULL);
    SIM_ASSERT(t != NULL || n == 0);
    for (size_t i = 0; i < n; i++) {
        if (i) fputc('\n', f);
        print_one(f, r, &t[i]);
    }
}

/* ---- sweep.json -------------------------------------------------------- */

static void json_str(FILE *f, const char *s) {
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') fprintf(f, "\\%c", *p);
        else if (*p == '\n') fputs("\\n", f);
        else if (*p == '\t') fputs("\\t", f);
        else if (*p < 0x20) fprintf(f, "\\u%04x", *p);
        else fputc(*p, f);
    }
    fputc('"', f);
}

static void json_seed(FILE *f, const sweep_tally *t, const sweep_seed *s) {
    SIM_ASSERT(s->status <= SWEEP_CRASHED);
    SIM_ASSERT(s->fail_count <= t->check_count);
    static const char *const status[] = { "failing", "error", "crashed" };
    fprintf(f, "        {\"seed\": %" PRIu64 ", \"status\": \"%s\", ", s->seed, status[s->status]);
    if (s->status == SWEEP_FAILING) {
        fputs("\"checks\": [", f);
        for (uint32_t i = 0; i < s->fail_count; i++) {
            fprintf(f, "%s{\"name\": ", i ? ", " : "");
            json_str(f, t->checks[s->fails[i].check].name);
            fprintf(f, ", \"verdict\": \"%s\", \"summary\": ", verdict_words[s->fails[i].verdict]);
            json_str(f, s->fails[i].summary);
            fputc('}', f);
        }
        fputs("], ", f);
    } else {
        fputs("\"message\": ", f);
        json_str(f, s->message);
        fputs(", ", f);
    }
    char cmd[2400];
    snprintf(cmd, sizeof cmd, "ccsim run %s --seed %" PRIu64 "%s", t->path, s->seed, t->sets);
    fputs("\"reproduce\": ", f);
    json_str(f, cmd);
    fputc('}', f);
}

static void json_list(FILE *f, const char *key, const sweep_tally *t, const sweep_list *l) {
    fprintf(f, "      \"%s\": [", key);
    for (size_t i = 0; i < l->count; i++) {
        fputs(i ? ",\n" : "\n", f);
        json_seed(f, t, &l->items[i]);
    }
    fputs(l->count ? "\n      ]" : "]", f);
}

static void json_tally(FILE *f, const sweep_range *r, const sweep_tally *t) {
    fputs("    {\"name\": ", f);
    json_str(f, t->name);
    fputs(", \"path\": ", f);
    json_str(f, t->path);
    fputs(", \"set_args\": ", f);
    json_str(f, t->sets);
    fprintf(f, ",\n      \"seeds\": %" PRIu64 ", \"ran\": %" PRIu64 ", \"failing\": %" PRIu64
               ", \"unknown\": %" PRIu64 ", \"errors\": %" PRIu64 ", \"crashed\": %" PRIu64 ",\n",
            sweep_range_count(r), t->seeds_run, t->failing, t->unknown, t->errors, t->crashed);
    fprintf(f, "      \"verified\": %" PRIu64 ", \"nemesis\": %s, \"faults_drawn\": {", t->verified,
            t->nemesis ? "true" : "false");
    for (int k = 0; k < SCN_FAULT_KIND_COUNT; k++)
        fprintf(f, "%s\"%s\": %" PRIu64, k ? ", " : "", scn_fault_kind_name((scn_fault_kind)k),
                t->faults_drawn[k]);
    fputs("},\n", f);
    fputs("      \"checks\": [\n", f);
    for (uint32_t i = 0; i < t->check_count; i++) {
        const sweep_check *c = &t->checks[i];
        fputs("        {\"name\": ", f);
        json_str(f, c->name);
        fprintf(f, ", \"expect\": %s%s%s, \"judged\": %s, \"ok\": %" PRIu64 ", \"violation\": %" PRIu64
                   ", \"unknown\": %" PRIu64 ", \"failing\": %" PRIu64 "}%s\n",
                c->expect < 0 ? "" : "\"", c->expect < 0 ? "null" : verdict_words[c->expect],
                c->expect < 0 ? "" : "\"", c->judged ? "true" : "false", c->verdicts[0], c->verdicts[1],
                c->verdicts[2], c->failing, i + 1 < t->check_count ? "," : "");
    }
    fputs("      ],\n", f);
    json_list(f, "failing_seeds", t, &t->listed);
    fputs(",\n", f);
    json_list(f, "unfinished_seeds", t, &t->trouble);
    fputs("\n    }", f);
}

static FILE *open_tmp(const char *file, char *tmp, size_t len) {
    snprintf(tmp, len, "%s.tmp", file);
    FILE *f = fopen(tmp, "w");
    if (!f) fprintf(stderr, "ccsim sweep: cannot write '%s': %s\n", file, strerror(errno));
    return f;
}

static int close_tmp(FILE *f, const char *tmp, const char *file) {
    bool ok = fflush(f) == 0 && !ferror(f);
    ok &= fclose(f) == 0;
    if (ok && rename(tmp, file) == 0) return 0;
    fprintf(stderr, "ccsim sweep: cannot write '%s': %s\n", file, strerror(errno));
    remove(tmp);
    return -1;
}

int sweep_write_json(const char *file, const sweep_range *r, const sweep_plan *p,
                     const sweep_tally *t, size_t n) {
    SIM_ASSERT(file != NULL);
    SIM_ASSERT(r != NULL);
    SIM_ASSERT(p != NULL);
    SIM_ASSERT(t != NULL || n == 0);
    char tmp[1200];
    FILE *f = open_tmp(file, tmp, sizeof tmp);
    if (!f) return -1;
    fprintf(f, "{\"ccsim\": \"sweep\", \"version\": 1,\n"
               "  \"seeds\": {\"from\": %" PRIu64 ", \"to\": %" PRIu64 "},\n"
               "  \"shard\": {\"index\": %" PRIu32 ", \"count\": %" PRIu32 "},\n"
               "  \"show\": %" PRIu32 ", \"ignore_expect\": %s, \"exit\": %d,\n"
               "  \"scenarios\": [\n",
            r->from, r->to, r->shard, r->shards, p->show, p->ignore_expect ? "true" : "false",
            sweep_exit_code(t, n));
    for (size_t i = 0; i < n; i++) {
        json_tally(f, r, &t[i]);
        fputs(i + 1 < n ? ",\n" : "\n", f);
    }
    fputs("  ]\n}\n", f);
    return close_tmp(f, tmp, file);
}

/* ---- JUnit: a test suite per scenario, a test case per check -------------- */

static void xml_str(FILE *f, const char *s) {
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default: if ((unsigned char)*s >= 0x20 || *s == '\n') fputc(*s, f);
        }
    }
}

static void junit_check(FILE *f, const sweep_tally *t, uint32_t k) {
    const sweep_check *c = &t->checks[k];
    fputs("    <testcase classname=\"", f);
    xml_str(f, t->name);
    fputs("\" name=\"", f);
    xml_str(f, c->name);
    if (!c->judged || c->failing == 0) { fputs("\"/>\n", f); return; }
    fprintf(f, "\">\n      <failure message=\"%" PRIu64 " failing seeds\">", c->failing);
    for (size_t i = 0; i < t->listed.count; i++) {
        const sweep_seed *s = &t->listed.items[i];
        for (uint32_t j = 0; j < s->fail_count; j++) {
            if (s->fails[j].check != k) continue;
            fprintf(f, "seed %" PRIu64 ": %s: ", s->seed, verdict_words[s->fails[j].verdict]);
            xml_str(f, s->fails[j].summary);
            fprintf(f, "\n  reproduce: ccsim run ");
            xml_str(f, t->path);
            fprintf(f, " --seed %" PRIu64, s->seed);
            xml_str(f, t->sets);
            fputc('\n', f);
        }
    }
    fputs("</failure>\n    </testcase>\n", f);
}

static void junit_trouble(FILE *f, const sweep_tally *t) {
    fputs("    <testcase classname=\"", f);
    xml_str(f, t->name);
    fputs("\" name=\"every seed runs\"", f);
    if (t->trouble.count == 0) { fputs("/>\n", f); return; }
    fprintf(f, ">\n      <error message=\"%" PRIu64 " crashed, %" PRIu64 " could not run\">",
            t->crashed, t->errors);
    for (size_t i = 0; i < t->trouble.count; i++) {
        const sweep_seed *s = &t->trouble.items[i];
        fprintf(f, "seed %" PRIu64 ": ", s->seed);
        xml_str(f, s->message);
        fputs("\n  reproduce: ccsim run ", f);
        xml_str(f, t->path);
        fprintf(f, " --seed %" PRIu64, s->seed);
        xml_str(f, t->sets);
        fputc('\n', f);
    }
    fputs("</error>\n    </testcase>\n", f);
}

int sweep_write_junit(const char *file, const sweep_range *r, const sweep_tally *t, size_t n) {
    SIM_ASSERT(file != NULL);
    SIM_ASSERT(r != NULL);
    SIM_ASSERT(t != NULL || n == 0);
    char tmp[1200];
    FILE *f = open_tmp(file, tmp, sizeof tmp);
    if (!f) return -1;
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"ccsim sweep\">\n", f);
    for (size_t i = 0; i < n; i++) {
        uint64_t failures = 0;
        for (uint32_t k = 0; k < t[i].check_count; k++) failures += t[i].checks[k].judged && t[i].checks[k].failing > 0;
        fputs("  <testsuite name=\"", f);
        xml_str(f, t[i].name);
        fprintf(f, " seeds %" PRIu64 "..%" PRIu64, r->from, r->to);
        if (r->shards > 1) fprintf(f, " shard %" PRIu32 "/%" PRIu32, r->shard, r->shards);
        fprintf(f, "\" tests=\"%" PRIu32 "\" failures=\"%" PRIu64 "\" errors=\"%d\">\n",
                t[i].check_count + 1, failures, t[i].trouble.count > 0);
        for (uint32_t k = 0; k < t[i].check_count; k++) junit_check(f, &t[i], k);
        junit_trouble(f, &t[i]);
        fputs("  </testsuite>\n", f);
    }
    fputs("</testsuites>\n", f);
    return close_tmp(f, tmp, file);
}

/* ---- --merge ----------------------------------------------------------- */

typedef json_in reader;          /* a shard's sweep.json being read */

static const char *text_of(reader *rd, yaml_node_t *map, const char *key) {
    yaml_node_t *v = json_in_field(rd, map, key, YAML_SCALAR_NODE, false);
    return v ? (const char *)v->data.scalar.value : NULL;
}

static int u64_of(reader *rd, yaml_node_t *map, const char *key, uint64_t *out) {
    yaml_node_t *v = json_in_field(rd, map, key, YAML_SCALAR_NODE, false);
    if (!v) return -1;
    const char *p = (const char *)v->data.scalar.value;
    char *end = NULL;
    errno = 0;
    unsigned long long x = strtoull(p, &end, 10);
    if (*p < '0' || *p > '9' || *end || errno == ERANGE) {
        char what[160];
        snprintf(what, sizeof what, "\"%s\" needs a non-negative integer", key);
        return json_in_bad(rd, v, what);
    }
    *out = x;
    return 0;
}

static int word_of(reader *rd, yaml_node_t *map, const char *key, const char *const *words, int n,
                   int *out) {
    const char *w = text_of(rd, map, key);
    if (!w) return -1;
    for (int i = 0; i < n; i++) if (strcmp(w, words[i]) == 0) { *out = i; return 0; }
    char what[160];
    snprintf(what, sizeof what, "\"%s\" is not one of the words ccsim writes there", key);
    return json_in_bad(rd, json_in_field(rd, map, key, YAML_SCALAR_NODE, false), what);
}

static yaml_node_t *item(reader *rd, yaml_node_t *seq, size_t i) {
    return json_in_node(rd, seq->data.sequence.items.start[i]);
}

static size_t items(const yaml_node_t *seq) {
    return (size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start);
}

static int read_check(reader *rd, yaml_node_t *m, sweep_check *c) {
    static const char *const expect_words[] = { "ok", "violation", "unknown", "null" };
    static const char *const bools[] = { "false", "true" };
    const char *name = text_of(rd, m, "name");
    int judged = 0;
    if (!name || word_of(rd, m, "expect", expect_words, 4, &c->expect) != 0 ||
        word_of(rd, m, "judged", bools, 2, &judged) != 0 || u64_of(rd, m, "ok", &c->verdicts[0]) != 0 ||
        u64_of(rd, m, "violation", &c->verdicts[1]) != 0 || u64_of(rd, m, "unknown", &c->verdicts[2]) != 0 ||
        u64_of(rd, m, "failing", &c->failing) != 0)
        return -1;
    if (c->expect == 3) c->expect = -1;
    c->judged = judged;
    snprintf(c->name, sizeof c->name, "%s", name);
    return 0;
}

static int check_index(reader *rd, const sweep_tally *t, yaml_node_t *m, uint8_t *out) {
    const char *name = text_of(rd, m, "name");
    if (!name) return -1;
    for (uint32_t i = 0; i < t->check_count; i++)
        if (strcmp(t->checks[i].name, name) == 0) { *out = (uint8_t)i; return 0; }
    return json_in_bad(rd, m, "a failing seed names a check the scenario's \"checks\" do not list");
}

static int read_seed(reader *rd, yaml_node_t *m, const sweep_tally *t, sweep_seed *s) {
    static const char *const status[] = { "failing", "error", "crashed" };
    int st = 0;
    memset(s, 0, sizeof *s);
    if (u64_of(rd, m, "seed", &s->seed) != 0 || word_of(rd, m, "status", status, 3, &st) != 0) return -1;
    s->status = (sweep_status)st;
    if (s->status != SWEEP_FAILING) {
        const char *msg = text_of(rd, m, "message");
        if (!msg) return -1;
        s->message = sim_xstrdup(msg);
        return 0;
    }
    yaml_node_t *cs = json_in_field(rd, m, "checks", YAML_SEQUENCE_NODE, false);
    if (!cs) return -1;
    if (items(cs) > t->check_count) return json_in_bad(rd, cs, "a seed lists more failing checks than the scenario has");
    for (size_t i = 0; i < items(cs); i++) {
        yaml_node_t *c = item(rd, cs, i);
        sweep_fail *f = &s->fails[s->fail_count];
        int v = 0;
        const char *summary = text_of(rd, c, "summary");
        if (!summary || check_index(rd, t, c, &f->check) != 0 ||
            word_of(rd, c, "verdict", verdict_words, 3, &v) != 0) { sweep_seed_free(s); return -1; }
        f->verdict = (uint8_t)v;
        f->summary = sim_xstrdup(summary);
        s->fail_count++;
    }
    return 0;
}

/* The scenario's header and checks: the first file's, and every other
 * file's must be the same. */
static int read_header(reader *rd, yaml_node_t *m, sweep_tally *t, bool first) {
    const char *name = text_of(rd, m, "name"), *path = name ? text_of(rd, m, "path") : NULL;
    const char *sets = path ? text_of(rd, m, "set_args") : NULL;
    yaml_node_t *cs = sets ? json_in_field(rd, m, "checks", YAML_SEQUENCE_NODE, false) : NULL;
    if (!cs) return -1;
    if (items(cs) > SCN_CHECKS_MAX) return json_in_bad(rd, cs, "more checks than a scenario can have");
    sweep_tally mine = { .check_count = (uint32_t)items(cs) };
    for (uint32_t i = 0; i < mine.check_count; i++)
        if (read_check(rd, item(rd, cs, i), &mine.checks[i]) != 0) return -1;
    if (first) {
        snprintf(t->name, sizeof t->name, "%s", name);
        snprintf(t->path, sizeof t->path, "%s", path);
        t->sets = sim_xstrdup(sets);
        t->check_count = mine.check_count;
        for (uint32_t i = 0; i < mine.check_count; i++) {
            t->checks[i] = mine.checks[i];
            memset(t->checks[i].verdicts, 0, sizeof t->checks[i].verdicts);
            t->checks[i].failing = 0;
        }
    }
    bool same = strcmp(t->name, name) == 0 && strcmp(t->path, path) == 0 && strcmp(t->sets, sets) == 0 &&
                t->check_count == mine.check_count;
    for (uint32_t i = 0; same && i < mine.check_count; i++)
        same = strcmp(t->checks[i].name, mine.checks[i].name) == 0 &&
               t->checks[i].expect == mine.checks[i].expect && t->checks[i].judged == mine.checks[i].judged;
    if (!same) return json_in_bad(rd, m, "this scenario (its name, path, --set options or checks) differs from the first file's: merge shards of one sweep");
    for (uint32_t i = 0; i < mine.check_count; i++) {
        for (int v = 0; v < 3; v++) t->checks[i].verdicts[v] += mine.checks[i].verdicts[v];
        t->checks[i].failing += mine.checks[i].failing;
    }
    return 0;
}

static int read_seeds(reader *rd, yaml_node_t *m, const char *key, sweep_tally *t, sweep_list *l,
                      uint32_t max) {
    yaml_node_t *seq = json_in_field(rd, m, key, YAML_SEQUENCE_NODE, false);
    if (!seq) return -1;
    for (size_t i = 0; i < items(seq); i++) {
        sweep_seed s;
        if (read_seed(rd, item(rd, seq, i), t, &s) != 0) return -1;
        sweep_list_add(l, &s, max);
    }
    return 0;
}

/* verified, nemesis and faults_drawn: summed over the shards. */
static int read_search(reader *rd, yaml_node_t *m, sweep_tally *t) {
    uint64_t verified = 0;
    const char *nemesis = u64_of(rd, m, "verified", &verified) == 0 ? text_of(rd, m, "nemesis")
                                                                       : NULL;
    yaml_node_t *drawn = nemesis ? json_in_field(rd, m, "faults_drawn", YAML_MAPPING_NODE, false) : NULL;
    if (!drawn) return -1;
    t->verified += verified;
    t->nemesis |= strcmp(nemesis, "true") == 0;
    for (int k = 0; k < SCN_FAULT_KIND_COUNT; k++) {
        uint64_t n = 0;
        if (u64_of(rd, drawn, scn_fault_kind_name((scn_fault_kind)k), &n) != 0) return -1;
        t->faults_drawn[k] += n;
    }
    return 0;
}

static int read_tally(reader *rd, yaml_node_t *m, sweep_tally *t, uint32_t show, bool first) {
    uint64_t ran = 0, failing = 0, unknown = 0, errors = 0, crashed = 0;
    if (read_header(rd, m, t, first) != 0 || u64_of(rd, m, "ran", &ran) != 0 ||
        u64_of(rd, m, "failing", &failing) != 0 || u64_of(rd, m, "unknown", &unknown) != 0 ||
        u64_of(rd, m, "errors", &errors) != 0 || u64_of(rd, m, "crashed", &crashed) != 0 ||
        read_search(rd, m, t) != 0)
        return -1;
    t->seeds_run += ran;
    t->failing += failing;
    t->unknown += unknown;
    t->errors += errors;
    t->crashed += crashed;
    if (read_seeds(rd, m, "failing_seeds", t, &t->listed, show) != 0) return -1;
    return read_seeds(rd, m, "unfinished_seeds", t, &t->trouble, show);
}

typedef struct merged {
    sweep_range r;
    sweep_plan *p;
    sweep_tally *t;
    size_t n;
    uint32_t *shards_seen;
    size_t shards_seen_count;
} merged;

/* The sweep's own fields: the first file sets them, the others must agree. */
static int read_top(reader *rd, yaml_node_t *root, merged *mg, bool first) {
    static const char *const bools[] = { "false", "true" };
    yaml_node_t *seeds = json_in_field(rd, root, "seeds", YAML_MAPPING_NODE, false);
    yaml_node_t *shard = seeds ? json_in_field(rd, root, "shard", YAML_MAPPING_NODE, false) : NULL;
    uint64_t from = 0, to = 0, k = 0, n = 0, show = 0;
    int ignore = 0;
    if (!shard || u64_of(rd, seeds, "from", &from) != 0 || u64_of(rd, seeds, "to", &to) != 0 ||
        u64_of(rd, shard, "index", &k) != 0 || u64_of(rd, shard, "count", &n) != 0 ||
        u64_of(rd, root, "show", &show) != 0 || word_of(rd, root, "ignore_expect", bools, 2, &ignore) != 0)
        return -1;
    if (n == 0 || n > UINT32_MAX || k >= n || to < from || to - from == UINT64_MAX || show > UINT32_MAX)
        return json_in_bad(rd, shard, "the shard or seed range is out of bounds");
    if (first) {
        mg->r = (sweep_range){ .from = from, .to = to, .shard = 0, .shards = (uint32_t)n };
        mg->p->show = (uint32_t)show;
        mg->p->ignore_expect = ignore;
    }
    if (from != mg->r.from || to != mg->r.to) return json_in_bad(rd, seeds, "another seed range than the first file's: merge shards of one sweep");
    if (n != mg->r.shards) return json_in_bad(rd, shard, "another shard count than the first file's");
    if (show != mg->p->show || (bool)ignore != mg->p->ignore_expect) return json_in_bad(rd, root, "another --show or --ignore-expect than the first file's");
    for (size_t i = 0; i < mg->shards_seen_count; i++)
        if (mg->shards_seen[i] == k) return json_in_bad(rd, shard, "this shard is in an earlier file too");
    mg->shards_seen[mg->shards_seen_count++] = (uint32_t)k;
    return 0;
}

static int read_file(reader *rd, merged *mg, bool first) {
    yaml_node_t *root = yaml_document_get_root_node(&rd->doc);
    if (!root) return json_in_bad(rd, NULL, "empty file");
    if (read_top(rd, root, mg, first) != 0) return -1;
    yaml_node_t *scs = json_in_field(rd, root, "scenarios", YAML_SEQUENCE_NODE, false);
    if (!scs) return -1;
    if (first) {
        mg->n = items(scs);
        mg->t = sim_xcalloc(mg->n ? mg->n : 1, sizeof *mg->t);
    }
    if (items(scs) != mg->n) return json_in_bad(rd, scs, "another number of scenarios than the first file's");
    for (size_t i = 0; i < mg->n; i++)
        if (read_tally(rd, item(rd, scs, i), &mg->t[i], mg->p->show, first) != 0) return -1;
    return 0;
}

int sweep_merge(const char *const *files, size_t file_count, sweep_range *r, sweep_plan *p,
                sweep_tally **t, size_t *n) {
    SIM_ASSERT(files != NULL);
    SIM_ASSERT(r != NULL);
    SIM_ASSERT(p != NULL);
    SIM_ASSERT(t != NULL);
    SIM_ASSERT(n != NULL);
    SIM_ASSERT(file_count > 0);
    merged mg = { .p = p, .shards_seen = sim_xcalloc(file_count, sizeof *mg.shards_seen) };
    int rc = 0;
    for (size_t i = 0; i < file_count && rc == 0; i++) {
        reader rd = { .file = files[i], .what_is_it = "a sweep.json from ccsim sweep" };
        if (json_in_load(&rd) != 0) { fprintf(stderr, "%s\n", rd.err); rc = SIM_EXIT_INPUT; break; }
        if (read_file(&rd, &mg, i == 0) != 0) { fprintf(stderr, "%s\n", rd.err); rc = SIM_EXIT_INPUT; }
        json_in_free(&rd);
    }
    if (rc == 0 && mg.shards_seen_count != mg.r.shards) {
        fprintf(stderr, "ccsim sweep --merge: %zu files for %" PRIu32 " shards: every shard 0..%" PRIu32
                        " is needed once\n", mg.shards_seen_count, mg.r.shards, mg.r.shards - 1);
        rc = SIM_EXIT_INPUT;
    }
    free(mg.shards_seen);
    mg.r.shards = 1;
    *r = mg.r;
    *t = mg.t;
    *n = mg.n;
    return rc;
}
