/* check.h -- checkers: each reads a run's history and returns a verdict.
 *
 * Every check returns ok, violation (with evidence and a story in true time)
 * or unknown (budget exhausted, with what was checked).  Checks never look
 * at the engine: only at the history (hist.h) and the scenario (node names,
 * horizon, scripted faults for the story).  DESIGN.md 5 defines them:
 *
 *   mutual-exclusion  the resource applied a write from an older lock epoch
 *                     after one from a newer epoch, or two epochs'
 *                     read-modify-write windows interleaved at the resource
 *   lease-overlap     two clients believed they held the lock at the same
 *                     true time: hold = [acquire ok, last protected op issued]
 *   lost-update       final counter != initial + acknowledged increments
 *   liveness          an op still pending at the horizon, pending for longer
 *                     than the bound (default min(60 s, duration / 2))
 */
#ifndef CCSIM_CHECK_H
#define CCSIM_CHECK_H

#include "sim/hist.h"
#include "sim/scenario/scn.h"

#define CHECK_SUMMARY_MAX 512
#define CHECK_EVIDENCE_MAX 4
#define CHECK_EVIDENCE_LABEL_MAX 32
#define CHECK_APPLIES_MAX 8

typedef enum { CHECK_OK = 0, CHECK_VIOLATION, CHECK_UNKNOWN } check_verdict;

/* What the checks of one run share: the history indexed by lock epoch
 * (mutual-exclusion and lease-overlap both read it), built by the first
 * check that needs it and reused by the next, so a run's checks build it
 * once, not once each.  Decision: the caller owns it and passes it in
 * check_input, so the checks stay functions of their input (no hidden
 * state between calls, no global) and a caller that runs one check alone
 * passes none.  check_cache_new before the run's checks, check_cache_free
 * after; one cache serves one history, which must not change meanwhile
 * (asserted by its counts).  A check's result is the same with a cache,
 * fresh or filled, and without (cache.c; test_check.c shows it). */
typedef struct check_cache check_cache;
check_cache *check_cache_new(void);
void check_cache_free(check_cache *c);   /* NULL is fine */

typedef struct check_input {
    const hist *h;
    const scn *s;                /* node names, duration, faults */
    sim_time horizon_ns;
    bool no_story;               /* verdict and summary only (sweeps): a check may
                                    skip its story and leave result.story NULL */
    check_cache *cache;          /* shared by the run's checks, NULL = none (above) */
} check_input;

typedef struct check_result {
    const char *name;            /* the check's name */
    check_verdict verdict;
    char summary[CHECK_SUMMARY_MAX];   /* one line, e.g. "stale write: c1 (epoch 1) at 15.005 s after c2 (epoch 2) at 10.505 s" */
    char *story;                 /* heap, multi-line, for violations; NULL otherwise */
    sim_time blocked_ns;         /* liveness: the longest time an op stayed pending/blocked */
    /* A violation the check itself judges harmless, told for information
     * (lease-overlap of two epochs that both had fencing tokens: the
     * resource can still refuse the older).  Pictures read this flag, not
     * the summary's words, and draw no red for it. */
    bool informational;
    /* Evidence for pictures (the timeline draws these ops in red): the hist
     * op ids a violation involves, [0] the offending one, and a few words
     * naming it ("stale write").  Count 0 when there is none; checks that
     * leave it empty are still drawn by verdict, just without red ops. */
    uint32_t evidence_ops[CHECK_EVIDENCE_MAX];
    uint32_t evidence_count;
    char evidence_label[CHECK_EVIDENCE_LABEL_MAX];
} check_result;

typedef struct check_desc {
    const char *name;
    const char *summary;         /* one line for `ccsim list checks` */
    /* Fills every field of *out (free a previous result first); the story,
     * when set, is one clause per line ending in ';' and a last line "so ...".
     * Deterministic: same history and scenario, same bytes. */
    void (*run)(const check_input *in, check_result *out);
    /* What runs record the evidence it reads (both NULL-terminated): the
     * workloads whose ops it judges (none listed = any workload), and the
     * protocols whose effects it reads (none listed = any protocol; a
     * protocol that lists the check among its default checks counts as
     * listed, so a new family needs no line here).  On any other run it
     * could only answer a vacuous ok ("0 transactions"), so naming it
     * there is an input error (registry.h). */
    const char *protocols[CHECK_APPLIES_MAX];
    const char *workloads[CHECK_APPLIES_MAX];
} check_desc;

const check_desc *check_find(const char *name);
/* Whether c judges a run of this protocol and workload, by c->protocols
 * and c->workloads; by_default: the protocol lists c among its default
 * checks; workload NULL = by the protocol alone. */
bool check_applies(const check_desc *c, const char *protocol, bool by_default,
                   const char *workload);

/* The `linearizable` check's work budget: configurations the search may
 * explore (all keys together) before it says unknown.  Work, not seconds:
 * the verdict is the same on every machine (docs/checks.md). */
#define CHECK_LIN_MAX_CONFIGURATIONS UINT64_C(3000000)
/* The `linearizable` check with another work budget (tests, tools). */
void check_linearizable_budget(const check_input *in, uint64_t max_configurations,
                               check_result *out);
size_t            check_count(void);
const check_desc *check_at(size_t i);
const char       *check_verdict_name(check_verdict v);   /* "ok" "violation" "unknown" */
void              check_result_free(check_result *r);

#endif
