/* SPDX-License-Identifier: MIT */
#include "proto/symcrc.h"

/* CRC-32 with polynomial 0xF4ACFB13, MSB first, a nibble at a time: NIBBLE[i] is i << 28
 * shifted through the polynomial four times (four steps of the bitwise form). A server
 * checks the CRC of every tag of every request, so the eight steps per byte of the bitwise
 * form showed in its profile; a 16-entry table keeps it small. */
static const uint32_t NIBBLE[16] = {
    0x00000000u, 0xF4ACFB13u, 0x1DF50D35u, 0xE959F626u, 0x3BEA1A6Au, 0xCF46E179u,
    0x261F175Fu, 0xD2B3EC4Cu, 0x77D434D4u, 0x8378CFC7u, 0x6A2139E1u, 0x9E8DC2F2u,
    0x4C3E2EBEu, 0xB892D5ADu, 0x51CB238Bu, 0xA567D898u,
};

uint32_t s7p_crc32_f4ac(uint32_t crc, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        crc = (crc << 4) ^ NIBBLE[(crc >> 28) ^ (p[i] >> 4)];
        crc = (crc << 4) ^ NIBBLE[(crc >> 28) ^ (p[i] & 0x0Fu)];
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
