/* SPDX-License-Identifier: MIT */
/* Calendar arithmetic and the PLC's time encodings (S5Time, Date_And_Time, DTL).
 * Civil dates use the proleptic Gregorian "days from civil" algorithm (eras of 400 years), so
 * no libc time zone function is involved. */
#include "values/calendar.h"

int64_t s7p_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;                                      /* [0, 399] */
    int64_t mp = m > 2 ? (int64_t)m - 3 : (int64_t)m + 9;             /* March = 0 */
    int64_t doy = (153 * mp + 2) / 5 + (int64_t)d - 1;                /* [0, 365] */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;              /* [0, 146096] */
    return era * 146097 + doe - 719468;
}

void s7p_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    *m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

unsigned s7p_weekday(int64_t days)
{
    /* 1970-01-01 was a Thursday (5 in the PLC's 1 = Sunday numbering). */
    return (unsigned)(((days % 7) + 7 + 4) % 7) + 1;
}

unsigned s7p_days_in_month(int64_t y, unsigned m)
{
    static const unsigned char dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12) return 0;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return dim[m - 1] + (m == 2 && leap ? 1u : 0u);
}

/* ---- S5Time: bits 13..12 time base, bits 11..0 three BCD digits ------------------------ */

static const int64_t s5_base_ns[4] = {10 * S7P_NS_PER_MS, 100 * S7P_NS_PER_MS, S7P_NS_PER_S,
                                      10 * S7P_NS_PER_S};

bool s7p_s5time_decode(uint16_t w, int64_t *ns)
{
    unsigned d2 = (w >> 8) & 0xFu, d1 = (w >> 4) & 0xFu, d0 = w & 0xFu;
    *ns = 0;
    if (d2 > 9 || d1 > 9 || d0 > 9) return false;
    *ns = (int64_t)(d2 * 100 + d1 * 10 + d0) * s5_base_ns[(w >> 12) & 3u];
    return true;
}

bool s7p_s5time_encode(int64_t ns, uint16_t *w)
{
    *w = 0;
    if (ns < 0) return false;
    for (unsigned b = 0; b < 4; b++) {
        int64_t unit = s5_base_ns[b];
        if (ns % unit != 0 || ns / unit > 999) continue;
        unsigned n = (unsigned)(ns / unit);
        *w = (uint16_t)(b << 12 | (n / 100) << 8 | (n / 10 % 10) << 4 | n % 10);
        return true;
    }
    return false;
}

/* ---- Date_And_Time: YY MM DD hh mm ss, ms/10 in BCD, (ms % 10) << 4 | weekday ------------ */

static bool bcd(uint8_t b, unsigned *out)
{
    *out = (unsigned)(b >> 4) * 10 + (b & 0xFu);
    return (b >> 4) <= 9 && (b & 0xFu) <= 9;
}

static uint8_t to_bcd(unsigned v) { return (uint8_t)((v / 10) << 4 | v % 10); }

/* Time of day in ns from its fields; the caller has checked the ranges. */
static int64_t tod_ns(unsigned h, unsigned mi, unsigned s)
{
    return ((int64_t)h * 3600 + (int64_t)mi * 60 + (int64_t)s) * S7P_NS_PER_S;
}

static bool date_ok(int64_t y, unsigned m, unsigned d)
{
    return m >= 1 && m <= 12 && d >= 1 && d <= s7p_days_in_month(y, m);
}

bool s7p_dt_decode(const uint8_t b[8], int64_t *ns)
{
    unsigned yy, m, d, h, mi, s, ms_hi;
    *ns = 0;
    if (!bcd(b[0], &yy) || !bcd(b[1], &m) || !bcd(b[2], &d) || !bcd(b[3], &h) ||
        !bcd(b[4], &mi) || !bcd(b[5], &s) || !bcd(b[6], &ms_hi) || (b[7] >> 4) > 9)
        return false;
    int64_t y = yy >= 90 ? 1900 + (int64_t)yy : 2000 + (int64_t)yy;
    if (!date_ok(y, m, d) || h > 23 || mi > 59 || s > 59) return false;
    int64_t ms = (int64_t)ms_hi * 10 + (b[7] >> 4);
    *ns = s7p_days_from_civil(y, m, d) * S7P_NS_PER_DAY + tod_ns(h, mi, s) + ms * S7P_NS_PER_MS;
    return true;
}

void s7p_dt_encode(int64_t ns, uint8_t b[8])
{
    int64_t days = ns / S7P_NS_PER_DAY, rem = ns % S7P_NS_PER_DAY, y;
    unsigned m, d;
    s7p_civil_from_days(days, &y, &m, &d);
    unsigned ms = (unsigned)(rem / S7P_NS_PER_MS % 1000);
    int64_t secs = rem / S7P_NS_PER_S;
    b[0] = to_bcd((unsigned)(y % 100));
    b[1] = to_bcd(m);
    b[2] = to_bcd(d);
    b[3] = to_bcd((unsigned)(secs / 3600));
    b[4] = to_bcd((unsigned)(secs / 60 % 60));
    b[5] = to_bcd((unsigned)(secs % 60));
    b[6] = to_bcd(ms / 10);
    b[7] = (uint8_t)((ms % 10) << 4 | s7p_weekday(days));
}

/* ---- DTL: year u16be, month, day, weekday, hour, minute, second, nanosecond u32be -------- */

bool s7p_dtl_decode(const uint8_t b[12], int64_t *ns)
{
    int64_t y = (int64_t)b[0] << 8 | b[1];
    unsigned m = b[2], d = b[3], h = b[5], mi = b[6], s = b[7];
    uint32_t nsec = (uint32_t)b[8] << 24 | (uint32_t)b[9] << 16 | (uint32_t)b[10] << 8 | b[11];
    *ns = 0;
    if (y < 1970 || y > 2262 || !date_ok(y, m, d) || h > 23 || mi > 59 || s > 59 ||
        nsec >= (uint32_t)S7P_NS_PER_S)
        return false;
    int64_t days = s7p_days_from_civil(y, m, d);
    int64_t tod = tod_ns(h, mi, s) + (int64_t)nsec;
    if (days > (INT64_MAX - tod) / S7P_NS_PER_DAY) return false;  /* past 2262-04-11T23:47:16.85 */
    *ns = days * S7P_NS_PER_DAY + tod;
    return true;
}

void s7p_dtl_encode(int64_t ns, uint8_t b[12])
{
    int64_t days = ns / S7P_NS_PER_DAY, rem = ns % S7P_NS_PER_DAY, y;
    unsigned m, d;
    s7p_civil_from_days(days, &y, &m, &d);
    int64_t secs = rem / S7P_NS_PER_S;
    uint32_t nsec = (uint32_t)(rem % S7P_NS_PER_S);
    b[0] = (uint8_t)(y >> 8);
    b[1] = (uint8_t)y;
    b[2] = (uint8_t)m;
    b[3] = (uint8_t)d;
    b[4] = (uint8_t)s7p_weekday(days);
    b[5] = (uint8_t)(secs / 3600);
    b[6] = (uint8_t)(secs / 60 % 60);
    b[7] = (uint8_t)(secs % 60);
    b[8] = (uint8_t)(nsec >> 24);
    b[9] = (uint8_t)(nsec >> 16);
    b[10] = (uint8_t)(nsec >> 8);
    b[11] = (uint8_t)nsec;
}
