/* fuzz_known.h -- inputs that hit issue 14's findings fixed on other
 * branches (3, 5, 7: limits; 8, 9: messages and lincheck input), which the
 * targets step around until those fixes are merged, so that a campaign
 * reports what is new.  Each filter names its finding; build with
 * -DFUZZ_STRICT=0 to turn them back on (off by default since the fixes
 * merged; tests/fuzz/README.md, "Known findings").
 */
#ifndef CCSIM_FUZZ_KNOWN_H
#define CCSIM_FUZZ_KNOWN_H

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "sim/scenario/scn.h"
#include "tests/fuzz/fuzz_support.h"

/* Finding 5: signed overflow at the extremes the loader accepts (delays,
 * offsets, jumps near INT64_MAX ns; balances near INT64_MAX).  Values
 * beyond about 11.5 days (or 10^15) are left out. */
#define FUZZ_BIG ((sim_time)1000000000000000)

static inline bool fuzz_big_time(sim_time t) { return t > FUZZ_BIG || t < -FUZZ_BIG; }

/* A parameter value that reads as a duration or an integer beyond FUZZ_BIG. */
static inline bool fuzz_big_text(const char *v) {
    char why[128];
    sim_time t = 0;
    if (scn_parse_signed_duration(v, &t, why, sizeof why) == 0 && fuzz_big_time(t)) return true;
    char *end = NULL;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (end != v && (errno == ERANGE || n > FUZZ_BIG || n < -FUZZ_BIG)) return true;
    return false;
}

static inline bool fuzz_big_params(const scn_params *p) {
    for (uint32_t i = 0; i < p->count; i++) {
        const scn_param *x = &p->items[i];
        if (fuzz_big_text(x->value)) return true;
        for (uint32_t k = 0; k < x->item_count; k++)
            if (fuzz_big_text(x->items[k])) return true;
    }
    return false;
}

static inline bool fuzz_big_link(const scn_link_props *l) {
    return fuzz_big_time(l->latency.a_ns) || fuzz_big_time(l->latency.b_ns);
}

/* True when the loaded scenario holds a value a known finding is about. */
static inline bool fuzz_known_scenario(const scn *s) {
    if (FUZZ_STRICT) return false;
    if (fuzz_big_link(&s->network)) return true;
    for (uint32_t i = 0; i < s->link_count; i++)
        if (fuzz_big_link(&s->links[i].props)) return true;
    for (uint32_t i = 0; i < s->node_count; i++)
        if (fuzz_big_time(s->clocks[i].offset_ns)) return true;
    for (uint32_t i = 0; i < s->fault_count; i++) {
        const scn_fault *f = &s->faults[i];
        if (fuzz_big_time(f->for_ns) || fuzz_big_time(f->jump_ns) || fuzz_big_time(f->by_ns))
            return true;
    }
    return fuzz_big_params(&s->params) || fuzz_big_params(&s->workload);
}

#endif
