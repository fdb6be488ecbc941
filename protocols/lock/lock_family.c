/* lock_family.c -- the lock family: what every lock protocol and lock
 * workload records in the history (lock_api.h), so that the checks and
 * reports read one vocabulary whichever lock service ran.  It defines no
 * message and no timer: each lock protocol brings its own. */
#include "protocols/lock/lock_api.h"

#include <stddef.h>

#include "sim/family.h"

static const hist_kind_def lock_ops[] = {
    { .kind = HIST_F_ACQUIRE, .name = "acquire" },
    { .kind = HIST_F_RELEASE, .name = "release" },
    { .name = NULL },
};

static const hist_kind_def lock_effects[] = {
    { .kind = HIST_EFF_LOCK_SET, .name = "lock-set" },
    { .kind = HIST_EFF_LOCK_EXTEND, .name = "lock-extend" },
    { .kind = HIST_EFF_LOCK_DEL, .name = "lock-del" },
    { .kind = HIST_EFF_LOCK_EXPIRE, .name = "lock-expire" },
    { .kind = HIST_EFF_LOCK_LOST, .name = "lock-lost" },
    { .kind = HIST_EFF_LEASE, .name = "lease" },
    { .name = NULL },
};

const family_desc lock_family = {
    .name = "lock",
    .kinds = { { 1000, 1019 } },
    .ops = lock_ops,
    .effects = lock_effects,
};
