/* lock_family.c -- the lock family: what every lock protocol and lock
 * workload records in the history (lock_api.h), so that the checks and
 * reports read one vocabulary whichever lock service ran.  It defines no
 * message and no timer: each lock protocol brings its own. */
#include "protocols/lock/lock_api.h"

#include <stddef.h>

#include "sim/family.h"

static const hist_kind_def lock_ops[] = {
    { HIST_F_ACQUIRE, "acquire", HIST_VALUE_NIL },
    { HIST_F_RELEASE, "release", HIST_VALUE_NIL },
    { 0, NULL, HIST_VALUE_NIL },
};

static const hist_kind_def lock_effects[] = {
    { HIST_EFF_LOCK_SET, "lock-set", HIST_VALUE_NIL },
    { HIST_EFF_LOCK_EXTEND, "lock-extend", HIST_VALUE_NIL },
    { HIST_EFF_LOCK_DEL, "lock-del", HIST_VALUE_NIL },
    { HIST_EFF_LOCK_EXPIRE, "lock-expire", HIST_VALUE_NIL },
    { HIST_EFF_LOCK_LOST, "lock-lost", HIST_VALUE_NIL },
    { HIST_EFF_LEASE, "lease", HIST_VALUE_NIL },
    { 0, NULL, HIST_VALUE_NIL },
};

const family_desc lock_family = {
    .name = "lock",
    .kinds = { { 1000, 1019 } },
    .ops = lock_ops,
    .effects = lock_effects,
};
