/* ratelimit.h -- the `rate-limiter` protocol: one limiter node admitting at
 * most `limit` requests per `window` (PROTOCOLS.md 11, SCENARIOS.md M2, the
 * seed guide's distributed rate limiter).
 *
 * Roles: limiter (exactly 1, model rlim_model_ops), client (1..N, run by
 * the `requests` workload).  Algorithms, on the limiter's wall clock:
 *   fixed-window     count requests in [k*W, (k+1)*W); admit while < limit
 *   sliding-log      keep the admitted times of the last W; admit while < limit
 *   sliding-counter  estimate = prev * (W - elapsed) / W + current (floor);
 *                    admit while < limit (Cloudflare's approximation)
 *   token-bucket     `limit` tokens, refilled at limit per W; a request takes one
 *
 * History: ADMIT or REFUSE per request (value = limit, aux = window in
 * ns); the `rate-limit` check asks whether any window-long interval of
 * true time holds more than `limit` admissions.
 */
#ifndef CCSIM_RATELIMIT_H
#define CCSIM_RATELIMIT_H

#include "sim/config.h"
#include "sim/env.h"

#define RLIM_MSG_REQ   650u   /* rate-limiter range 650-699 */
#define RLIM_MSG_REPLY 651u
#define RLIM_LIMIT_MAX 100000

typedef enum { RLIM_FIXED = 0, RLIM_SLIDING_LOG, RLIM_SLIDING_COUNTER, RLIM_TOKEN_BUCKET } rlim_algorithm;

typedef struct rlim_req { uint32_t req, op; } rlim_req;
typedef struct rlim_reply { uint32_t req, op; uint8_t admitted; uint8_t pad[7]; } rlim_reply;

typedef struct rlim_cfg {
    int algorithm;                /* rlim_algorithm */
    int64_t limit;
    sim_time window_ns;
} rlim_cfg;

extern const model_ops rlim_model_ops;

bool rlim_describe(uint32_t type, const void *body, uint32_t len, char *buf, size_t buf_len);

/* The history kinds of rate limiting (hist.h; kinds 650-659). */
enum {
    HIST_F_REQUEST = 650,         /* a rate-limited request: ok = admitted, fail = 429 */
    HIST_EFF_ADMIT = 651,         /* the limiter admitted a request: value = limit, aux = window ns */
    HIST_EFF_REFUSE = 652,        /* the limiter refused a request (429) */
};

#endif
