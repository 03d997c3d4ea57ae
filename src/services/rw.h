/* SPDX-License-Identifier: MIT */
/* Reading and writing batches of tags with GetMultiVariables / SetMultiVariables, split by
 * the PLC's tags-per-request limits and the size of one frame.
 *
 * The work is an I/O-free core (program.c runs it as an operation, behind the guard):
 *   plan   - checks (and for a write encodes) every item and cuts the items into requests;
 *   build  - request k of the plan;
 *   take   - the answer to request k: values and item results;
 *   failed - request k got no usable answer (not sent, or the exchange broke).
 * The requests of one plan are independent of each other. */
#ifndef S7P_SERVICES_RW_H
#define S7P_SERVICES_RW_H

#include "session/session.h"

/** Checks every field of a caller's tag before it is sent (nlids 1..S7P_TAG_MAX_LIDS, a type
 *  with a value form, count up to S7P_MAX_ITEMS, str_max within its type's limit and 0 for
 *  other types, non-zero area and sub-area): S7P_E_INVALID_ARG with the reason in why. */
s7p_status s7p_rw_check_tag(const s7p_tag *t, char *why, size_t why_len);

/** An item that goes on the wire. */
typedef struct s7p_rw_item {
    size_t index;              /* into the caller's arrays */
    s7p_value wire;            /* write: the encoded value (in the plan's arena) */
    size_t size;               /* bytes in a request: address (and value) */
} s7p_rw_item;

/** One read or write call cut into requests. Borrows the caller's arrays until freed. */
typedef struct s7p_rw_plan {
    s7p_arena arena;           /* items, batch starts, encoded write values */
    bool write;
    const char *op;            /* "read" / "write": messages */
    const s7p_tag *tags;
    s7p_tag_value *values;     /* read: where values go (NULL for a write) */
    s7p_item_result *results;
    s7p_rw_item *items;        /* the items that go on the wire, in the caller's order */
    size_t nitems;
    size_t *starts;            /* request k holds items[starts[k] .. starts[k + 1]) */
    size_t nrequests;
} s7p_rw_plan;

/** Plans a read into values that are all zero (s7p_read() zeroed them; a retry clears what
 *  the failed attempt set): an invalid tag gets S7P_E_INVALID_ARG alone, every other
 *  item S7P_E_NOT_SENT until its request is answered. Uses s's limits and log only. Fails
 *  only for memory (then every item is S7P_E_NOT_SENT). Free the plan in every case. */
s7p_status s7p_rw_plan_read(s7p_rw_plan *p, const s7p_session *s, const s7p_tag *tags, size_t n,
                            s7p_tag_value *values, s7p_item_result *results, s7p_fail *f);
/** Plans a write: as a read, and a value that does not fit its tag fails alone. */
s7p_status s7p_rw_plan_write(s7p_rw_plan *p, const s7p_session *s, const s7p_tag *tags,
                             const s7p_tag_value *values, size_t n, s7p_item_result *results,
                             s7p_fail *f);
void s7p_rw_plan_free(s7p_rw_plan *p);

/** Builds request k (< p->nrequests) into req; its trees live in `a`. Takes the next
 *  integrity id of s. S7P_E_NOMEM: the request's items are marked S7P_E_NOT_SENT. */
s7p_status s7p_rw_build(const s7p_rw_plan *p, size_t k, s7p_session *s, s7p_arena *a,
                        s7p_pdu *req, s7p_fail *f);
/** Takes the answer to request k: values (read) and item results. A request the PLC refused
 *  as a whole is S7P_E_PLC (f->plc_return), and each of its items carries the refusal. */
s7p_status s7p_rw_take(const s7p_rw_plan *p, size_t k, const s7p_pdu *resp, s7p_fail *f);
/** Request k has no answer: its items get st (sent: its outcome on the PLC is unknown) and
 *  f->plc_return, or S7P_E_NOT_SENT when it never went out. */
void s7p_rw_failed(const s7p_rw_plan *p, size_t k, s7p_status st, bool sent, const s7p_fail *f);

#endif
