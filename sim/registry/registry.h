/* registry.h -- the one list of what ccsim knows: every model family (and,
 * through them, every protocol), every workload, and the checks' table.
 *
 * Layer 5 (docs/engine.md, "Layers"): above the families, checks and
 * reports, below the command line.  The engine (sim/) names no family; it
 * runs the proto_desc and workload_desc it is given.  This module turns a
 * scenario's names (`protocol:`, `workload: {kind:}`, `checks:`) into
 * those descriptors, with located errors, and hands the engine the
 * families' message describer.
 *
 * Adding a family is one line in registry.c's `families` table; adding a
 * workload one line in `workloads`; adding a check one line in
 * sim/check/check.c.
 *
 * Invariant (registry_check_families, asserted by registry_self_check):
 * family and protocol names are unique, so are workload names; no two
 * families' message ranges overlap, nor their timer-tag or history-kind
 * ranges; every range has lo <= hi; tag ranges start at FAMILY_TAG_PRIVATE
 * or above; every kind a family names lies in its kind ranges (the core's
 * own kinds, 1-HIST_KIND_CORE_MAX, are listed as the family "core").
 */
#ifndef CCSIM_REGISTRY_H
#define CCSIM_REGISTRY_H

#include "sim/family.h"
#include "sim/sim.h"
#include "sim/verify.h"

size_t registry_family_count(void);
const family_desc *registry_family_at(size_t i);

/* Protocols in `ccsim list` order (the families' order), and by name. */
size_t registry_protocol_count(void);
const proto_desc *registry_protocol_at(size_t i);
const proto_desc *registry_protocol(const char *name);        /* NULL = unknown */

size_t registry_workload_count(void);
const workload_desc *registry_workload_at(size_t i);
const workload_desc *registry_workload(const char *name);     /* NULL = unknown */

/* One trace.log line for any message of a registered family, found by its
 * type's range; "message type N (B bytes)" for a type no family owns or
 * a body its family does not recognise.  The engine's describe_msg. */
void registry_describe_msg(uint32_t type, const void *body, uint32_t len, char *buf,
                           size_t buf_len);

/* The names of every history kind, each family's in the families' order
 * (hist.h).  registry_sim_create hands it to the run. */
extern const hist_vocab registry_vocab;

/* Checks a table of families against the invariant above: 0, or -1 with
 * one sentence naming the two families that collide in why. */
int registry_check_families(const family_desc *const *families, size_t count, char *why,
                            size_t why_len);
/* registry_check_families on the registry's own tables, plus unique
 * workload names; an assertion failure names the collision.  main()
 * calls it once at start-up; tests call it too. */
void registry_self_check(void);

/* Resolves the scenario's protocol and workload names into opt->proto and
 * opt->workload (unless the caller set opt->proto: a test's own protocol),
 * sets opt->describe_msg, opt->vocab and opt->check_applies when unset, creates the run
 * (sim_create), and checks the names under `checks:` and `expect:`: each must be a
 * check that applies to the protocol and workload (check_applies; a test's own
 * protocol takes any), else "check 'saga' does not apply to protocol
 * 'setnx-lock'; checks that do: ...".  Returns 0, or -1 with
 * "path:line:col: error: ..." in err (exit 2).  opt may be NULL. */
int registry_sim_create(const scn *s, const sim_options *opt, sim **out, char *err,
                        size_t err_len);

/* The determinism self-check (sim/verify.h) with the names resolved as
 * registry_sim_create does: runs the scenario and seed twice in this
 * process and compares their event streams.  Returns 0 with *out filled
 * (out->diverged: the first diverging event), or -1 with the error in err
 * (exit 2).  `ccsim run --twice` and a sweep's --verify call it. */
int registry_verify_twice(const scn *s, const sim_options *opt, sim_divergence *out, char *err,
                          size_t err_len);

#endif
