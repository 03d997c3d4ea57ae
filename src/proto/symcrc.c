/* SPDX-License-Identifier: MIT */
#include "proto/symcrc.h"

#define POLY 0xF4ACFB13u

/* Bitwise form: the table form is faster, but symbol CRCs are computed once per resolved
 * tag, and this keeps the code free of a 1 KiB table. */
uint32_t s7p_crc32_f4ac(uint32_t crc, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        crc ^= (uint32_t)p[i] << 24;
        for (int b = 0; b < 8; b++) crc = (crc & 0x80000000u) ? (crc << 1) ^ POLY : crc << 1;
    }
    return crc;
}

uint8_t s7p_symcrc_type_code(uint8_t t)
{
    if (t == 40) return 1;                                   /* BBool: Bool */
    if ((t >= 128 && t <= 134) || t == 171) return 6;        /* AOM, event, connection R-ID */
    if ((t >= 144 && t <= 156) || (t >= 168 && t <= 170)) return 4;  /* HW_*, CONN_* */
    if ((t >= 160 && t <= 164) || (t >= 192 && t <= 197)) return 5;  /* OB_* */
    if ((t >= 173 && t <= 175) || (t >= 208 && t <= 210)) return 53; /* PORT.., DB_ANY.. */
    return t;
}

static void le32(uint8_t out[4], uint32_t v)
{
    out[0] = (uint8_t)v;
    out[1] = (uint8_t)(v >> 8);
    out[2] = (uint8_t)(v >> 16);
    out[3] = (uint8_t)(v >> 24);
}

uint32_t s7p_symcrc_segment(const char *name, size_t name_len, uint8_t softdatatype,
                            bool is_array, int32_t lower_bound)
{
    uint32_t crc = s7p_crc32_f4ac(0, (const uint8_t *)name, name_len);
    uint8_t code = s7p_symcrc_type_code(softdatatype);
    if (!is_array) return s7p_crc32_f4ac(crc, &code, 1);
    uint8_t tail[6] = {0x10, code};
    le32(tail + 2, (uint32_t)lower_bound);
    return s7p_crc32_f4ac(crc, tail, sizeof tail);
}

uint32_t s7p_symcrc_path(const uint32_t *inner, size_t n)
{
    uint8_t b[5];
    uint32_t crc = 0;
    for (size_t i = 0; i < n; i++) {
        b[0] = 0x89;  /* separator between segments */
        le32(b + 1, inner[i]);
        crc = i == 0 ? s7p_crc32_f4ac(crc, b + 1, 4) : s7p_crc32_f4ac(crc, b, 5);
    }
    return crc;
}
