/* SPDX-License-Identifier: MIT */
/* Calendar arithmetic and the PLC's time encodings: the one implementation, used by the wire
 * conversion (convert.c), the TIA literal text (literal*.c) and the simulator.
 * Proleptic Gregorian, no time zones. Days are counted from 1970-01-01. */
#ifndef S7P_VALUES_CALENDAR_H
#define S7P_VALUES_CALENDAR_H

#include <stdbool.h>
#include <stdint.h>

#define S7P_NS_PER_MS INT64_C(1000000)
#define S7P_NS_PER_S INT64_C(1000000000)
#define S7P_NS_PER_DAY (INT64_C(86400) * S7P_NS_PER_S)

int64_t s7p_days_from_civil(int64_t y, unsigned m, unsigned d);
void s7p_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);
/** 1 = Sunday ... 7 = Saturday (the PLC's numbering). */
unsigned s7p_weekday(int64_t days);
unsigned s7p_days_in_month(int64_t y, unsigned m);

/** S5Time word -> ns; false on invalid BCD. Bits 15..14 are ignored. */
bool s7p_s5time_decode(uint16_t w, int64_t *ns);
/** ns -> S5Time word with the smallest time base that holds the value exactly; false when
 *  negative, above 9990 s or not representable. */
bool s7p_s5time_encode(int64_t ns, uint16_t *w);

/** 8 BCD bytes -> ns since 1970; false when a field is not valid BCD or out of range. */
bool s7p_dt_decode(const uint8_t b[8], int64_t *ns);
/** ns since 1970 -> 8 BCD bytes with the weekday; the caller checks range and ms grid. */
void s7p_dt_encode(int64_t ns, uint8_t b[8]);

/** 12-byte DTL image -> ns since 1970; false when a field is out of range or the time point
 *  does not fit 1970-01-01..2262-04-11T23:47:16.854775807. */
bool s7p_dtl_decode(const uint8_t b[12], int64_t *ns);
/** ns since 1970 (>= 0) -> 12-byte DTL image with the weekday. */
void s7p_dtl_encode(int64_t ns, uint8_t b[12]);

#endif
