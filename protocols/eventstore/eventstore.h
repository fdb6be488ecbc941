/* eventstore.h -- the `event-sourcing` protocol: an event store of streams,
 * one per bank account, and a projector that builds a read model (CQRS)
 * from the store's global log (docs/protocols/event-sourcing.md).
 *
 * Roles: store (exactly 1, es_store_ops), projector (exactly 1,
 * es_projector_ops), client (the `es-bank` workload drives them).
 *   store:     streams of events (an event is an amount: + deposit,
 *              - withdrawal), each stream opened with a deposit of
 *              `opening-balance` as version 1; a global log numbers every
 *              event (its position, from 1).  APPEND(stream, expected,
 *              amount) is accepted when expected is ES_ANY or equals the
 *              stream's version (EventStoreDB's expected revision), else
 *              refused with the stream's actual version.
 *   projector: reads the global log from its position every `poll-every`
 *              (a catch-up subscription by polling), applies each event to
 *              its read model (a balance and a version per account) and
 *              saves its checkpoint, the position it resumes from after a
 *              restart: in the same transaction (`checkpoint: atomic`) or
 *              `checkpoint-delay` after the apply (`separate`).
 *   client:    a command (withdraw) loads the account by replaying its
 *              stream, decides (balance >= amount) and appends a Withdrawn
 *              event; then the user reads the balance (`view`).
 * Variants (params): `expected-version: any|exact` (optimistic concurrency
 * off or on), `view: projection|wait-for-position|aggregate` (read the
 * read model as it is; wait until it has reached the position the append
 * returned; replay the stream from the store), `checkpoint`.
 * Durability: the store forces every append to disk before it answers, and
 * the projector forces each write to its read model and each checkpoint
 * before it acts on it, so a crash and a power loss keep the same state
 * (what was acknowledged); only in-flight requests and waiting queries are
 * lost.  With `checkpoint: separate` the read model and the checkpoint are
 * two writes: a crash between them replays events already applied.
 */
#ifndef CCSIM_EVENTSTORE_H
#define CCSIM_EVENTSTORE_H

#include "sim/config.h"
#include "sim/env.h"

/* event-sourcing range 1800-1849 (messages and timer tags) */
#define ES_MSG_READ            1800u  /* client -> store: stream, version = read events after it */
#define ES_MSG_READ_REPLY      1801u  /* count events (amt[]) from version+1; position = stream's version */
#define ES_MSG_APPEND          1802u  /* client -> store: stream, expected, amount */
#define ES_MSG_APPEND_REPLY    1803u  /* flag ES_OK: version, position = the new event's;
                                         ES_WRONG_VERSION: version = the stream's actual one */
#define ES_MSG_READ_ALL        1804u  /* projector -> store: position = read events after it */
#define ES_MSG_READ_ALL_REPLY  1805u  /* count events from position+1 (amt[], ev_stream[], ev_version[]);
                                         version = the log's last position */
#define ES_MSG_QUERY           1810u  /* client -> projector: stream, position = wait until applied (0 = no) */
#define ES_MSG_QUERY_REPLY     1811u  /* amount = balance, version = stream version reflected,
                                         position = the projector's; flag ES_OK, or ES_NOT_CAUGHT_UP */

#define ES_STREAMS_MAX 4
#define ES_EVENTS_MAX  64     /* per stream */
#define ES_LOG_MAX     (ES_STREAMS_MAX * ES_EVENTS_MAX)
#define ES_PAGE        12     /* events per read reply */
#define ES_ANY         (-1)   /* expected version: append whatever the stream's version */

enum { ES_OK = 1, ES_WRONG_VERSION = 2, ES_STREAM_FULL = 3, ES_NOT_CAUGHT_UP = 4 };

typedef enum { ES_EXPECT_ANY = 0, ES_EXPECT_EXACT } es_expect;
typedef enum { ES_VIEW_PROJECTION = 0, ES_VIEW_WAIT, ES_VIEW_AGGREGATE } es_view;
typedef enum { ES_CKPT_SEPARATE = 0, ES_CKPT_ATOMIC } es_ckpt;

/* Every message has this body; each type uses the fields its line says. */
typedef struct es_msg {
    uint32_t req;              /* the sender's request number, echoed */
    uint32_t op;               /* the history op it serves */
    uint32_t stream;           /* 0 .. ES_STREAMS_MAX-1 */
    uint32_t flag;             /* ES_OK, ES_WRONG_VERSION... */
    uint32_t count;            /* events in the page */
    int64_t expected;          /* APPEND: the expected version, ES_ANY = none */
    int64_t version;
    int64_t position;
    int64_t amount;
    int32_t amt[ES_PAGE];
    uint8_t ev_stream[ES_PAGE];
    uint8_t ev_version[ES_PAGE];
} es_msg;

typedef struct es_cfg {
    int expected;              /* es_expect */
    int view;                  /* es_view */
    int checkpoint;            /* es_ckpt */
    int64_t accounts;          /* streams, 1 .. ES_STREAMS_MAX */
    int64_t opening;           /* each account's opening deposit */
    sim_time poll_ns;          /* projector: from one poll's end to the next */
    sim_time ckpt_delay_ns;    /* separate: from an apply to its checkpoint's save */
} es_cfg;

extern const model_ops es_store_ops;
extern const model_ops es_projector_ops;

/* "account1", "account2"...: the key the history names stream s by. */
void es_stream_key(uint32_t stream, char *buf, size_t len);
/* Stream number of such a key, -1 when it is not one. */
int es_stream_of(const char *key);
bool es_describe(uint32_t type, const void *body, uint32_t len, char *buf, size_t buf_len);

/* The history kinds of event-sourcing (hist.h; kinds 1800-1849).  key =
 * the account, client = the node it is for, op = the op it serves. */
enum {
    ES_F_WITHDRAW = 1800,      /* a command: value_in = amount asked, delta = -amount;
                                  value_out = the balance after (ok) */
    ES_F_VIEW = 1801,          /* the user reads the balance: value_out = what it showed;
                                  note = where it came from */
    ES_EFF_APPEND = 1810,      /* store: value = amount, version = the event's stream version,
                                  aux = its position, pred = expected + 1 (0 = any) */
    ES_EFF_WRONG_VERSION = 1811, /* store refused: value = amount, version = the actual one,
                                    pred = expected + 1 */
    ES_EFF_STREAM_READ = 1812, /* store served a replay: version = the stream's, value = its
                                  balance */
    ES_EFF_PROJECT = 1813,     /* projector applied an event to its read model: value = amount,
                                  version = stream version, aux = position, pred = 1 when
                                  the checkpoint was saved with it */
    ES_EFF_CHECKPOINT = 1814,  /* projector saved its checkpoint: value = position */
    ES_EFF_VIEW = 1815,        /* projector answered a query: value = balance, version = the
                                  stream version it reflects, aux = its position */
    ES_EFF_RESUME = 1816,      /* projector restarted: value = the checkpoint it resumes
                                  from, aux = the position its read model had applied */
};

#endif
