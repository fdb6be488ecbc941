/* lin_explain.h -- growable text and the explanation of an illegal history
 * (internal to lincheck).  The text buffer only grows; its owner frees p. */
#ifndef CCSIM_LIN_EXPLAIN_H
#define CCSIM_LIN_EXPLAIN_H

#include "sim/lincheck/lin_internal.h"

typedef struct lin_text {
    char *p;
    size_t len, cap;
} lin_text;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void lin_text_printf(lin_text *t, const char *fmt, ...);

/* "process 3 :read 1 [ok, lines 7-9, time 10..20]" for history op i. */
void lin_describe_op(lin_text *t, const lin_history *h, size_t i);

/* Appends the explanation of a failed search of partition in. */
void lin_explain_illegal(lin_text *t, lin_model *m, const lin_history *h, const lin_search_in *in,
                         const lin_search_out *so, const char *key_text);

#endif
