/* SPDX-License-Identifier: MIT */
/* CPU information: identity reads with GetVarSubStreamed (docs/protocol.md, services). */
#ifndef S7P_SERVICES_INFO_H
#define S7P_SERVICES_INFO_H

#include "services/op.h"

/* Objects and attributes read for CPU information. */
enum {
    S7P_ATTR_AS_ROOT_ES_VERSION = 2459,      /* on object 1: TIA version bytes */
    S7P_ATTR_IM0_DATA = 3753,                /* on object 49: I&M0 record */
    S7P_ATTR_TIA_INFO_TEXTS = 8342,          /* on ReleaseMngmtRoot: project texts */
};
#define S7P_ID_RELEASE_MNGMT_ROOT 0x894A0000u

/* I&M0 record offsets as PLCs lay it out in attribute 3753. */
#define S7P_IM0_ORDER_OFF 8
#define S7P_IM0_ORDER_LEN 19
#define S7P_IM0_SERIAL_OFF 28
#define S7P_IM0_SERIAL_LEN 16
#define S7P_IM0_HW_REV_OFF 46
#define S7P_IM0_FW_OFF 47
#define S7P_IM0_MIN_LEN 51

/* The I/O-free core: four independent attribute reads (s7p_session_read_attr), each with a
 * taker that fills its part of the answer, plus what the session learnt at connect. */
enum { S7P_INFO_READS = 4 };

typedef struct s7p_info_read_def {
    uint32_t object_id, attr;
} s7p_info_read_def;

/** The object and attribute of read k (< S7P_INFO_READS). */
s7p_info_read_def s7p_info_read_at(unsigned k);

/** Takes the outcome of read k: st and got are what the read returned (v valid when st is
 *  S7P_OK). Returns the status for the whole call: a refused project-name read is S7P_OK
 *  (older CPUs do not report it); any other failure is copied into f. */
s7p_status s7p_info_take(unsigned k, s7p_status st, const s7p_value *v, const s7p_fail *got,
                         s7p_cpu_info *out, s7p_fail *f);

/** Copies what the session learnt at connect (PAOM string, protection level, TLS). */
void s7p_info_session_facts(const s7p_session *s, s7p_cpu_info *out);

/** The operation: the four reads in flight together, each bounded by request_ms; the first
 *  of them (in order) that failed decides the outcome. out is zeroed first. */
typedef struct s7p_info_op {
    s7p_op op;                  /* first: the operation */
    s7p_cpu_info *out;
    uint32_t request_ms;
    s7p_status st[S7P_INFO_READS];
    s7p_fail f[S7P_INFO_READS];
} s7p_info_op;
void s7p_info_start(s7p_info_op *o, s7p_session *s, s7p_cpu_info *out, uint32_t request_ms,
                    s7p_op_done_fn done, void *ctx);

/** Parses an I&M0 record (exposed for tests). */
void s7p_info_parse_im0(const uint8_t *p, size_t n, s7p_cpu_info *out);

#endif
