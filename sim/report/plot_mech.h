/* plot_mech.h -- what a family's mechanism adds to the timeline, beside
 * the generic lanes of plot_timeline.c: lock renewals and how long a
 * client believed against how long its key lived (plot_lease.c), 2PC
 * participants' in-doubt windows, across a crash and restart
 * (plot_windows.c), and a flash sale's stock over time with its counts
 * (plot_stock.c).  Each builder reads the history (and the primitives
 * already built) in index order and appends primitives in a fixed order,
 * so the picture stays a function of the run.  Internal to sim/report/.
 */
#ifndef CCSIM_PLOT_MECH_H
#define CCSIM_PLOT_MECH_H

#include "sim/report/plot_int.h"

/* plot_lease.c: watchdog renewals on the keys' lanes, and on each client's
 * lane where its belief outlived what the service held, how long each was.
 * Runs after the belief, held and key bars are built. */
void plot_build_leases(plot_tl *t);
/* plot_windows.c: a prepared participant's in-doubt window, from its YES
 * vote to its outcome, drawn again after a restart until it learns it. */
void plot_build_in_doubt(plot_tl *t);
/* plot_stock.c: each stock row that buy ops name, as a step curve on its
 * node's lane, labelled with sold / told sold out / oversold. */
void plot_build_stock(plot_tl *t);

/* A label that ends at x (its text right of nothing past x): a key's end
 * says "expired" where it expired, not beside whatever comes next. */
void plot_label_ending(plot_tl *t, int32_t node, sim_time x, int32_t row, uint32_t rgb,
                       const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* "500 ms", "40.5 s", "2.5 ms", "15.004 s": a duration for a label, to the
 * microsecond under a second and to the millisecond above (cut, not rounded). */
void plot_fmt_short(char *buf, size_t len, sim_time ns);
/* When a crash fault (index in scn.faults) ends: its `for`, or the node's
 * next restart fault; SIM_TIME_NEVER when it stays down (plot_faults.c). */
sim_time plot_restart_after(const scn *s, uint32_t crash);

#endif
