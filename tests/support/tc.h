/* SPDX-License-Identifier: MIT */
/* A minimal raw S7CommPlus test client built directly on the shared layers (net, tls,
 * session/channel, proto), used to drive the simulator request by request. No cmocka here:
 * the helpers return statuses so they can run on any thread. */
#ifndef S7P_TESTS_TC_H
#define S7P_TESTS_TC_H

#include "session/channel.h"
#include "sim.h"

#define TC_TIMEOUT_MS 15000u  /* generous: CI machines are slow and busy */

typedef struct tc {
    s7p_channel ch;
    bool open;
    s7p_tls_ctx *tls;
    s7p_arena a;
    s7p_msg m;
    uint16_t seq;
    uint32_t session, session2;
    uint32_t iid_set, iid_get;
    s7p_value version;      /* attribute 306 of the CreateObject answer (valid until next recv) */
    char err[256];
} tc;

/** TCP connect + COTP CR/CC with this called TSAP (NULL = "SIMATIC-ROOT-HMI"). */
s7p_status tc_open(tc *t, uint16_t port, const char *tsap);
/** InitSsl in clear, then the TLS handshake. pin: expected certificate SHA-256 or NULL. */
s7p_status tc_init_ssl(tc *t, const uint8_t *pin);
/** Closes the connection and frees everything. */
void tc_close(tc *t);

/** Starts a request with the next sequence number and the current session id (0x120 before
 *  a session exists). */
void tc_begin(tc *t, s7p_pdu *p, uint8_t version, uint16_t function, uint8_t flags);
s7p_status tc_send(tc *t, const s7p_pdu *p);
/** Receives the next PDU; the previous one (and everything built in t->a) is released. */
s7p_status tc_recv(tc *t, const s7p_pdu **resp);
s7p_status tc_call(tc *t, const s7p_pdu *req, const s7p_pdu **resp);

/* Request builders (memory from t->a). */
void tc_create_session_req(tc *t, s7p_pdu *p);
void tc_setup_write_req(tc *t, s7p_pdu *p);        /* SetMultiVariables(session, 306) */
void tc_get_limits_req(tc *t, s7p_pdu *p, uint32_t sub_area, const uint32_t *lids, uint32_t n);
void tc_get_attr_req(tc *t, s7p_pdu *p, uint32_t object, uint32_t attr);
void tc_delete_req(tc *t, s7p_pdu *p, uint32_t object);

/* Requests of other clients (docs/protocol.md §8), built from the spec. */
/** Explore of id; attrs: the attribute ids wanted (n may be 0). */
void tc_explore_req(tc *t, s7p_pdu *p, uint32_t id, bool recursive, const uint32_t *attrs,
                    uint8_t n);
/** GetVarSubStreamed of an attribute path (TIA sends [attribute, struct member]). */
void tc_get_attr_path_req(tc *t, s7p_pdu *p, uint32_t object, const uint32_t *ids, uint32_t n);
/** SetVariable of one attribute of an object to a DInt. */
void tc_set_variable_req(tc *t, s7p_pdu *p, uint32_t object, uint32_t attr, int32_t value);
/** GetMultiVariables of a byte range of a DB (LIDs 3.offset.count[.bit]; bit < 0: none). */
void tc_get_range_req(tc *t, s7p_pdu *p, uint32_t area, uint32_t off, uint32_t count, int bit);
/** SetMultiVariables of a byte range (a Blob of count bytes) or of one bit (a Bool). */
void tc_set_range_req(tc *t, s7p_pdu *p, uint32_t area, uint32_t off, const uint8_t *bytes,
                      uint32_t count, int bit, bool bit_value);

/** CreateObject: on success remembers the session ids and attribute 306. */
s7p_status tc_create_session(tc *t, const s7p_pdu **resp);
/** The whole connect sequence up to a usable session (open, TLS, CreateObject, setup write). */
s7p_status tc_connect_session(tc *t, uint16_t port);
/** GetVarSubStreamed of one attribute; checks the answer's header and integrity id. */
s7p_status tc_get_attr(tc *t, uint32_t object, uint32_t attr, const s7p_pdu **resp);
/** DeleteObject of the own session, then waits for the server to close. */
s7p_status tc_delete_session(tc *t);

/** Waits up to ms for the simulator to count n open sessions. */
bool tc_wait_sessions(const s7p_sim *s, unsigned n, unsigned ms);

/** A test's simulator and raw client (a cmocka fixture, calloc'ed by the test's setup). */
typedef struct tc_fixture {
    s7p_sim *sim;
    tc t;
} tc_fixture;
/** The cmocka teardown of a tc_fixture: closes the client, stops the simulator, frees it. */
int tc_teardown(void **state);

#endif
