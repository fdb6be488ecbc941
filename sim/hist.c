/* hist.c -- growable arrays of operations and effects.
 * Invariant: ops[i].id == i; counts never exceed the HIST_*_MAX bounds. */
#include "sim/hist.h"

#include <stdlib.h>
#include <string.h>

void hist_init(hist *h) {
    SIM_ASSERT(h != NULL);
    memset(h, 0, sizeof *h);
    h->epoch_next = 1;
}

void hist_free(hist *h) {
    SIM_ASSERT(h != NULL);
    free(h->ops);
    free(h->effects);
    memset(h, 0, sizeof *h);
}

bool hist_add_op(hist *h, const hist_op *op, uint32_t *id_out) {
    SIM_ASSERT(op != NULL);
    if (h->op_count >= HIST_OPS_MAX) return false;
    if (h->op_count == h->op_cap) {
        h->op_cap = h->op_cap ? h->op_cap * 2 : 256;
        h->ops = sim_xrealloc(h->ops, h->op_cap * sizeof *h->ops);
    }
    uint32_t id = h->op_count++;
    h->ops[id] = *op;
    h->ops[id].id = id;
    if (id_out) *id_out = id;
    return true;
}

bool hist_add_effect(hist *h, const hist_effect *e) {
    SIM_ASSERT(e != NULL);
    if (h->effect_count >= HIST_EFFECTS_MAX) return false;
    if (h->effect_count > 0) SIM_ASSERT(h->effects[h->effect_count - 1].t_ns <= e->t_ns);
    if (h->effect_count == h->effect_cap) {
        h->effect_cap = h->effect_cap ? h->effect_cap * 2 : 256;
        h->effects = sim_xrealloc(h->effects, h->effect_cap * sizeof *h->effects);
    }
    h->effects[h->effect_count++] = *e;
    return true;
}

const char *hist_f_name(hist_f f) {
    static const char *names[] = {
#define XX(name, str) str,
        HIST_F_MAP(XX)
#undef XX
    };
    SIM_ASSERT((unsigned)f < HIST_F_COUNT);
    return names[f];
}

const char *hist_result_name(hist_result r) {
    switch (r) {
    case HIST_PENDING: return "pending";
    case HIST_OK: return "ok";
    case HIST_FAIL: return "fail";
    case HIST_INFO: return "info";
    }
    SIM_UNREACHABLE("unknown hist_result");
    return "?";
}

const char *hist_eff_name(hist_eff_kind k) {
    static const char *names[] = {
#define XX(name, str) str,
        HIST_EFF_MAP(XX)
#undef XX
    };
    SIM_ASSERT((unsigned)k < HIST_EFF_COUNT);
    return names[k];
}
