/* payment.h -- the `payment-api` protocol: a payment API with Stripe's
 * idempotency keys in front of a ledger (PROTOCOLS.md 10, SCENARIOS.md M1).
 *
 * Roles: api (exactly 1, model pay_model_ops), client (1..N, run by the
 * `payment` workload).  A client POSTs a charge (amount, optional
 * Idempotency-Key); the api charges the customer's account after
 * `process_time` and answers 200 with the charge id.
 *
 * Stripe semantics (with `idempotency: true`): the api saves the response
 * of the first request with a key and replays it to every retry with the
 * same key ("replayed"); a retry with other parameters gets 422; a request
 * that arrives while the first with its key is still executing gets 409
 * (nothing saved; the client may retry) -- that in-progress mark is the
 * `key_lock`; without it (key_lock: false) the api only looks the key up
 * and saves it when the charge is done, a check-then-insert that lets two
 * concurrent duplicates both charge.  Keys older than `retention` (24 h)
 * are pruned; a retry after that is a new request.  With `idempotency:
 * false` keys are ignored.
 *
 * History: the api records BALANCE_INIT of the account once and BALANCE
 * after each charge (version = the charge number, op = the request's op),
 * so `conservation` sees a charge nobody acknowledged.  Durable: a crash
 * keeps the ledger and the keys, and drops charges still being processed.
 */
#ifndef CCSIM_PAYMENT_H
#define CCSIM_PAYMENT_H

#include "sim/config.h"
#include "sim/env.h"

#define PAY_MSG_REQ   600u    /* payment range 600-649 */
#define PAY_MSG_REPLY 601u
#define PAY_KEY_MAX   24
#define PAY_ACCOUNT   "customer"
#define PAY_KEYS_LIMIT 4194304  /* the `keys` param's bound */

typedef struct pay_req {
    uint32_t req, op;         /* echoed */
    int64_t amount;
    char key[PAY_KEY_MAX];    /* the Idempotency-Key, "" = none */
} pay_req;

typedef struct pay_reply {
    uint32_t req, op;
    uint16_t status;          /* 200, 409 conflict, 422 mismatched parameters */
    uint8_t replayed;         /* 1 = a saved response (Idempotent-Replayed: true) */
    uint8_t pad[5];
    int64_t charge;           /* the charge's number, 0 = none */
} pay_reply;

typedef struct pay_cfg {
    bool idempotency, key_lock;
    sim_time retention_ns, process_ns;
    int64_t balance, keys;
} pay_cfg;

extern const model_ops pay_model_ops;

void pay_req_init(pay_req *q, uint32_t req, uint32_t op, int64_t amount, const char *key);
bool pay_describe(uint32_t type, const void *body, uint32_t len, char *buf, size_t buf_len);

/* The history kind the payment workload records (hist.h; kinds 600-609):
 * a charge; ok = the client got one (value = its id).  The API records
 * BALANCE of the account it charges. */
enum { HIST_F_CHARGE = 600 };

#endif
