/* registry.c -- every family and workload the command line knows, and the
 * binding of a scenario's names to them.
 *
 * Invariant: registry.h's (names unique, ranges disjoint), checked by
 * registry_self_check at start-up.  Tables are in the order `ccsim list`
 * prints them.  Lookups are linear: a dozen entries, once per run.
 */
#include "sim/registry/registry.h"

#include <stdio.h>
#include <string.h>

#include "sim/check/check.h"

/* One line per family, naming the family_desc its folder under protocols/
 * defines.  The order is `ccsim list`'s, and the order reports list
 * history kinds in (summary.json, latency plots). */
#define FAMILIES(X)                                                          \
    X(lock_family)      /* protocols/lock: what lock services and clients record */ \
    X(core_family)      /* below: the kinds every family shares (sim/hist.h) */    \
    X(redis_family)     /* protocols/redis */                               \
    X(stor_family)      /* protocols/storage */                             \
    X(snx_family)       /* protocols/setnx_lock */                          \
    X(rl_family)        /* protocols/redlock */                             \
    X(ll_family)        /* protocols/lease_lock */                          \
    X(txn_family)       /* protocols/txn */                                 \
    X(tpc_family)       /* protocols/twopc */                               \
    X(saga_family)      /* protocols/saga */                                \
    X(db_family)        /* protocols/db */                                  \
    X(pay_family)       /* protocols/payment */                             \
    X(rlim_family)      /* protocols/ratelimit */                           \
    X(ca_family)        /* protocols/cache */                               \
    X(reg_family)       /* protocols/register */                            \
    X(dbl_family)       /* protocols/dblock */                              \
    X(adv_family)       /* protocols/advisory */                            \
    X(qo_family)        /* protocols/queue */                               \
    X(sh_family)        /* protocols/shard */                               \
    X(es_family)        /* protocols/eventstore */

/* One line per workload, naming the workload_desc sim/workload/ defines. */
#define WORKLOADS(X)                                                         \
    X(lkc_workload)     /* lock_counter.c */                                \
    X(xfr_workload)     /* transfer.c */                                    \
    X(ords_workload)    /* order_saga.c */                                  \
    X(fs_workload)      /* flash_sale.c */                                  \
    X(sb_workload)      /* seat_booking.c */                                \
    X(bk_workload)      /* bank.c */                                        \
    X(oc_workload)      /* on_call.c */                                     \
    X(pw_workload)      /* payment.c */                                     \
    X(rq_workload)      /* requests.c */                                    \
    X(script_workload)  /* script.c */                                      \
    X(caw_workload)     /* cache_aside.c */                                 \
    X(rw_workload)      /* register_rw.c */                                 \
    X(qow_workload)     /* queue_outbox.c */                                \
    X(sxf_workload)     /* shard_transfer.c */                              \
    X(sss_workload)     /* shard_session.c */                               \
    X(esb_workload)     /* es_bank.c */

#define DECLARE_FAMILY(name) extern const family_desc name;
#define DECLARE_WORKLOAD(name) extern const workload_desc name;
#define ENTRY(name) &name,
FAMILIES(DECLARE_FAMILY)
WORKLOADS(DECLARE_WORKLOAD)

/* The core's own history kinds (sim/hist.h), listed as a family so that
 * the vocabulary and the range check treat them like any other. */
const family_desc core_family = {
    .name = "core",
    .kinds = { { 1, HIST_KIND_CORE_MAX } },
    .ops = hist_core_ops,
    .effects = hist_core_effects,
};

static const family_desc *const families[] = { FAMILIES(ENTRY) };
static const workload_desc *const workloads[] = { WORKLOADS(ENTRY) };

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define KNOWN_MAX 64                 /* names offered as suggestions */

/* ------------------------------------------------------------ tables */

size_t registry_family_count(void) { return COUNT(families); }

const family_desc *registry_family_at(size_t i) {
    SIM_ASSERT(i < COUNT(families));
    return families[i];
}

static size_t protocols_of(const family_desc *f) {
    size_t n = 0;
    while (f->protocols != NULL && f->protocols[n] != NULL) n++;
    return n;
}

size_t registry_protocol_count(void) {
    size_t n = 0;
    for (size_t i = 0; i < COUNT(families); i++) n += protocols_of(families[i]);
    return n;
}

const proto_desc *registry_protocol_at(size_t i) {
    SIM_ASSERT(i < registry_protocol_count());
    for (size_t f = 0; f < COUNT(families); f++) {
        size_t n = protocols_of(families[f]);
        if (i < n) return families[f]->protocols[i];
        i -= n;
    }
    SIM_UNREACHABLE("protocol index within the count");
}

const proto_desc *registry_protocol(const char *name) {
    SIM_ASSERT(name != NULL);
    for (size_t i = 0; i < registry_protocol_count(); i++)
        if (strcmp(registry_protocol_at(i)->name, name) == 0) return registry_protocol_at(i);
    return NULL;
}

size_t registry_workload_count(void) { return COUNT(workloads); }

const workload_desc *registry_workload_at(size_t i) {
    SIM_ASSERT(i < COUNT(workloads));
    return workloads[i];
}

const workload_desc *registry_workload(const char *name) {
    SIM_ASSERT(name != NULL);
    for (size_t i = 0; i < COUNT(workloads); i++)
        if (strcmp(workloads[i]->name, name) == 0) return workloads[i];
    return NULL;
}

/* ------------------------------------------------------------ messages */

static bool range_has(const family_range *r, uint32_t v) {
    return r->hi != 0 && v >= r->lo && v <= r->hi;
}

static const family_desc *owner_of_msg(uint32_t type) {
    for (size_t i = 0; i < COUNT(families); i++)
        for (size_t k = 0; k < FAMILY_RANGES_MAX; k++)
            if (range_has(&families[i]->msgs[k], type)) return families[i];
    return NULL;
}

void registry_describe_msg(uint32_t type, const void *body, uint32_t len, char *buf,
                           size_t buf_len) {
    SIM_ASSERT(buf != NULL);
    SIM_ASSERT(buf_len > 0);
    const family_desc *f = owner_of_msg(type);
    if (f != NULL && f->describe != NULL && f->describe(type, body, len, buf, buf_len)) return;
    snprintf(buf, buf_len, "message type %u (%u bytes)", type, len);
}

/* ------------------------------------------------------------ history kinds */

/* The vocabulary lists each family's kinds, in the families' order. */
static const hist_kind_def *table_of(size_t f, bool ops) {
    return ops ? families[f]->ops : families[f]->effects;
}

static size_t vocab_count(bool ops) {
    size_t n = 0;
    for (size_t f = 0; f < COUNT(families); f++) n += hist_kinds_count(table_of(f, ops));
    return n;
}

static const hist_kind_def *vocab_at(bool ops, size_t i) {
    SIM_ASSERT(i < vocab_count(ops));
    for (size_t f = 0; f < COUNT(families); f++) {
        size_t n = hist_kinds_count(table_of(f, ops));
        if (i < n) return &table_of(f, ops)[i];
        i -= n;
    }
    SIM_UNREACHABLE("kind index within the count");
}

/* Each kind's entry by number, the first the families' tables give (as a
 * walk of them would find it), filled on first use: the EDN writer and
 * the checks ask once per op, and a walk of every family's table cost
 * 7% of a run with many ops. */
static const hist_kind_def *kind_index[2][UINT16_MAX + 1];
static bool kind_indexed;

static void index_kinds(void) {
    for (int ops = 0; ops < 2; ops++)
        for (size_t f = 0; f < COUNT(families); f++) {
            const hist_kind_def *t = table_of(f, ops);
            for (size_t i = 0; t != NULL && t[i].name != NULL; i++)
                if (kind_index[ops][t[i].kind] == NULL) kind_index[ops][t[i].kind] = &t[i];
        }
    kind_indexed = true;
}

static const hist_kind_def *vocab_find(bool ops, uint16_t kind) {
    if (!kind_indexed) index_kinds();
    return kind_index[ops ? 1 : 0][kind];
}

static size_t op_count(void) { return vocab_count(true); }
static size_t effect_count(void) { return vocab_count(false); }
static const hist_kind_def *op_at(size_t i) { return vocab_at(true, i); }
static const hist_kind_def *effect_at(size_t i) { return vocab_at(false, i); }
static const hist_kind_def *op_find(hist_f f) { return vocab_find(true, f); }
static const hist_kind_def *effect_find(hist_eff_kind k) { return vocab_find(false, k); }

const hist_vocab registry_vocab = {
    op_count, op_at, op_find, effect_count, effect_at, effect_find,
};

/* ------------------------------------------------------------ invariant */

static bool overlap(const family_range *a, const family_range *b) {
    return a->hi != 0 && b->hi != 0 && a->lo <= b->hi && b->lo <= a->hi;
}

/* Two families' lists of ranges (msgs or tags): the first overlap, if any. */
static bool lists_overlap(const family_range *a, const family_range *b, const family_range **ra,
                          const family_range **rb) {
    for (size_t i = 0; i < FAMILY_RANGES_MAX; i++)
        for (size_t k = 0; k < FAMILY_RANGES_MAX; k++)
            if (overlap(&a[i], &b[k])) {
                *ra = &a[i];
                *rb = &b[k];
                return true;
            }
    return false;
}

static bool in_ranges(const family_range *r, uint32_t v) {
    for (size_t k = 0; k < FAMILY_RANGES_MAX; k++)
        if (range_has(&r[k], v)) return true;
    return false;
}

/* Every kind a family names lies in its `kinds` ranges. */
static int check_kinds(const family_desc *f, const hist_kind_def *t, char *why, size_t len) {
    for (size_t i = 0; t != NULL && t[i].name != NULL; i++) {
        if (in_ranges(f->kinds, t[i].kind)) continue;
        snprintf(why, len, "family '%s' names history kind %u ('%s') outside its kinds range",
                 f->name, t[i].kind, t[i].name);
        return -1;
    }
    return 0;
}

static int check_one(const family_desc *f, char *why, size_t len) {
    if (check_kinds(f, f->ops, why, len) != 0 || check_kinds(f, f->effects, why, len) != 0)
        return -1;
    for (size_t k = 0; k < FAMILY_RANGES_MAX; k++) {
        const family_range *m = &f->msgs[k], *t = &f->tags[k], *h = &f->kinds[k];
        if (m->lo > m->hi || t->lo > t->hi || h->lo > h->hi) {
            snprintf(why, len, "family '%s' has a range whose start is past its end", f->name);
            return -1;
        }

        if (t->hi != 0 && t->lo < FAMILY_TAG_PRIVATE) {
            snprintf(why, len, "family '%s' declares timer tags from %u, below %u (private to a "
                     "node's own model)", f->name, t->lo, FAMILY_TAG_PRIVATE);
            return -1;
        }
    }
    return 0;
}

static int check_pair(const family_desc *a, const family_desc *b, char *why, size_t len) {
    const family_range *ra = NULL, *rb = NULL;
    const char *what = NULL;
    if (strcmp(a->name, b->name) == 0) {
        snprintf(why, len, "two families are named '%s'", a->name);
        return -1;
    }
    if (lists_overlap(a->msgs, b->msgs, &ra, &rb)) what = "message types";
    else if (lists_overlap(a->tags, b->tags, &ra, &rb)) what = "timer tags";
    else if (lists_overlap(a->kinds, b->kinds, &ra, &rb)) what = "history kinds";
    if (what == NULL) return 0;
    snprintf(why, len, "families '%s' and '%s' overlap in %s: %u-%u and %u-%u (give one a "
             "free range)", a->name, b->name, what, ra->lo, ra->hi, rb->lo, rb->hi);
    return -1;
}

static int check_protocol_names(const family_desc *const *fs, size_t count, char *why, size_t len) {
    for (size_t i = 0; i < count; i++)
        for (size_t p = 0; fs[i]->protocols && fs[i]->protocols[p]; p++)
            for (size_t k = i; k < count; k++)
                for (size_t q = k == i ? p + 1 : 0; fs[k]->protocols && fs[k]->protocols[q]; q++)
                    if (strcmp(fs[i]->protocols[p]->name, fs[k]->protocols[q]->name) == 0) {
                        snprintf(why, len, "two protocols are named '%s'", fs[i]->protocols[p]->name);
                        return -1;
                    }
    return 0;
}

int registry_check_families(const family_desc *const *fs, size_t count, char *why, size_t len) {
    SIM_ASSERT(fs != NULL);
    SIM_ASSERT(why != NULL);
    for (size_t i = 0; i < count; i++) {
        if (check_one(fs[i], why, len) != 0) return -1;
        for (size_t k = i + 1; k < count; k++)
            if (check_pair(fs[i], fs[k], why, len) != 0) return -1;
    }
    return check_protocol_names(fs, count, why, len);
}

void registry_self_check(void) {
    char why[SIM_ERR_MAX] = "";
    if (registry_check_families(families, COUNT(families), why, sizeof why) != 0) {
        fprintf(stderr, "ccsim: the registry is inconsistent: %s\n", why);
        SIM_UNREACHABLE("a consistent registry (sim/registry/registry.c)");
    }
    for (size_t i = 0; i < COUNT(workloads); i++)
        for (size_t k = i + 1; k < COUNT(workloads); k++)
            SIM_ASSERT(strcmp(workloads[i]->name, workloads[k]->name) != 0);
}

/* ------------------------------------------------------------ binding */

static void did_you_mean(char *buf, size_t len, const char *near) {
    if (near) snprintf(buf, len, "did you mean '%s'? ", near);
    else buf[0] = '\0';
}

static int bind_protocol(const scn *sc, sim_options *opt, char *err, size_t len) {
    if (opt->proto != NULL) return 0;                 /* a test's own protocol */
    opt->proto = registry_protocol(sc->protocol);
    if (opt->proto != NULL) return 0;
    const char *known[KNOWN_MAX];
    size_t k = 0;
    for (size_t i = 0; i < registry_protocol_count() && k < KNOWN_MAX; i++)
        known[k++] = registry_protocol_at(i)->name;
    char hint[SIM_NAME_MAX + 32];
    did_you_mean(hint, sizeof hint, scn_nearest(sc->protocol, known, k));
    scn_errorf(err, len, sc->path, sc->protocol_pos,
               "unknown protocol '%s' (%s`ccsim list protocols` shows them)", sc->protocol, hint);
    return -1;
}

static bool proto_drives(const proto_desc *p, const char *workload) {
    for (size_t i = 0; i < PROTO_WORKLOADS_MAX && p->workloads[i]; i++)
        if (strcmp(p->workloads[i], workload) == 0) return true;
    return false;
}

static int bind_workload(const scn *sc, sim_options *opt, char *err, size_t len) {
    const proto_desc *p = opt->proto;
    const char *kind = sc->workload_kind[0] ? sc->workload_kind : p->workloads[0];
    if (opt->workload != NULL || kind == NULL) return 0;  /* given, or none to run */
    opt->workload = registry_workload(kind);
    if (opt->workload != NULL && proto_drives(p, kind)) return 0;
    scn_errorf(err, len, sc->path, sc->workload_pos, "protocol '%s' cannot run workload '%s' "
               "(expected %s)", p->name, kind, p->workloads[0] ? p->workloads[0] : "no workload");
    return -1;
}

static bool a_default(const proto_desc *p, const char *check) {
    for (size_t i = 0; i < PROTO_CHECKS_MAX && p->checks[i]; i++)
        if (strcmp(p->checks[i], check) == 0) return true;
    return false;
}

static bool applies(const char *check, const proto_desc *p, const workload_desc *w) {
    const check_desc *c = check_find(check);
    SIM_ASSERT(c != NULL);
    if (registry_protocol(p->name) != p) return true;      /* a test's own protocol */
    return check_applies(c, p->name, a_default(p, check), w ? w->name : NULL);
}

/* "check 'saga' does not apply to protocol 'setnx-lock'; checks that do:
 * mutual-exclusion, ..." at the name in `checks:`. */
static int check_refused(const scn *sc, const scn_check_name *name, const sim_options *opt,
                         char *err, size_t len) {
    const proto_desc *p = opt->proto;
    const workload_desc *w = opt->workload;
    char to[2 * SIM_NAME_MAX + 64], fits[256] = "";
    if (w && check_applies(check_find(name->name), p->name, a_default(p, name->name), NULL))
        snprintf(to, sizeof to, "workload '%s' of protocol '%s'", w->name, p->name);
    else snprintf(to, sizeof to, "protocol '%s'", p->name);
    for (size_t i = 0, used = 0; i < check_count(); i++) {
        if (!applies(check_at(i)->name, p, w) || used >= sizeof fits) continue;
        used += (size_t)snprintf(fits + used, sizeof fits - used, "%s%s", used ? ", " : "",
                                 check_at(i)->name);
    }
    scn_errorf(err, len, sc->path, name->pos, "check '%s' does not apply to %s; checks that do: "
               "%s", name->name, to, fits);
    return -1;
}

static int bind_checks(const sim *run, const scn *sc, const sim_options *opt, char *err,
                       size_t len) {
    const char *known[KNOWN_MAX];
    size_t k = 0;
    for (size_t i = 0; i < check_count() && k < KNOWN_MAX; i++) known[k++] = check_at(i)->name;
    for (uint32_t i = 0; i < sc->check_count; i++) {
        if (check_find(sc->checks[i].name)) {
            if (applies(sc->checks[i].name, opt->proto, opt->workload)) continue;
            return check_refused(sc, &sc->checks[i], opt, err, len);
        }
        char hint[SIM_NAME_MAX + 32];
        did_you_mean(hint, sizeof hint, scn_nearest(sc->checks[i].name, known, k));
        scn_errorf(err, len, sc->path, sc->checks[i].pos,
                   "unknown check '%s' (%s`ccsim list checks` shows them)", sc->checks[i].name, hint);
        return -1;
    }
    const char *names[SCN_CHECKS_MAX];
    uint32_t n = sim_check_names(run, names, SCN_CHECKS_MAX);
    for (uint32_t i = 0; i < sc->expect_count; i++) {
        bool runs = false;
        for (uint32_t c = 0; c < n && !runs; c++) runs = strcmp(names[c], sc->expect[i].check) == 0;
        if (runs) continue;
        scn_errorf(err, len, sc->path, sc->expect[i].pos,
                   "expect names check '%s', which this scenario does not run (add it to `checks:`)",
                   sc->expect[i].check);
        return -1;
    }
    return 0;
}

int registry_verify_twice(const scn *sc, const sim_options *opt, sim_divergence *out, char *err,
                          size_t len) {
    SIM_ASSERT(sc != NULL);
    sim_options none = { 0 };
    return sim_verify_twice(sc, opt ? opt : &none, registry_sim_create, out, err, len);
}

int registry_sim_create(const scn *sc, const sim_options *opt_in, sim **out, char *err, size_t len) {
    SIM_ASSERT(sc != NULL);
    SIM_ASSERT(out != NULL);
    sim_options opt = opt_in ? *opt_in : (sim_options){ 0 };
    if (opt.describe_msg == NULL) opt.describe_msg = registry_describe_msg;
    if (opt.vocab == NULL) opt.vocab = &registry_vocab;
    if (opt.check_applies == NULL) opt.check_applies = applies;
    *out = NULL;
    if (bind_protocol(sc, &opt, err, len) != 0 || bind_workload(sc, &opt, err, len) != 0) {
        scn_error_relocate(sc, err, len);            /* a value from `--set` */
        return -1;
    }
    sim *run = NULL;
    if (sim_create(sc, &opt, &run, err, len) != 0) return -1;
    if (bind_checks(run, sc, &opt, err, len) != 0) {
        scn_error_relocate(sc, err, len);
        sim_destroy(run);
        return -1;
    }
    *out = run;
    return 0;
}
