/* SPDX-License-Identifier: MIT */
/* PRESENT-80 (Bogdanov et al., CHES 2007) with the key schedule variant of the legacy
 * authentication: round keys K0 and K1/K2 are tweaked by fixed constants, the rest is the
 * standard schedule. The 80-bit key register is kept as a 16-bit high part and a 64-bit low
 * part. docs/protocol.md "Legacy challenge authentication" §PRESENT. */
#include <string.h>

#include "legacy/crypto.h"

#define ROUNDS 31

static const uint8_t SBOX[16] = {0xC, 0x5, 0x6, 0xB, 0x9, 0x0, 0xA, 0xD,
                                 0x3, 0xE, 0xF, 0x8, 0x4, 0x7, 0x1, 0x2};

/* The fixed key of the pre_seed derivation and the plaintext blocks of the derivations. */
static const uint8_t PRE_SEED_KEY[10] = {0xA9, 0x8D, 0xE7, 0xC5, 0x16, 0x4A, 0xD0, 0x32, 0x53, 0x8F};
static const uint8_t KEY_PLAINTEXTS[6][8] = {
    {0xFD, 0x64, 0x88, 0xBC, 0x75, 0xB9, 0xFC, 0xEF}, {0x14, 0x3F, 0x43, 0xF0, 0x7A, 0x40, 0xB6, 0x20},
    {0x44, 0x86, 0x35, 0xE0, 0xEF, 0x06, 0x08, 0x61}, {0xDC, 0xCE, 0x60, 0xC6, 0xD5, 0xC6, 0x78, 0xFF},
    {0xE1, 0x4A, 0xAF, 0x01, 0xDB, 0x8F, 0xE8, 0xC5}, {0xF6, 0x93, 0x0D, 0x7C, 0x51, 0xBA, 0xE2, 0x2A},
};
static const uint8_t SEED_MASK_PLAINTEXTS[3][8] = {
    {0xF1, 0x8E, 0xDF, 0xCB, 0x69, 0x1E, 0xEA, 0xF5},
    {0x1A, 0x1D, 0xC0, 0xC1, 0xEB, 0x2F, 0xC5, 0xF4},
    {0xDE, 0x24, 0xA7, 0x56, 0x21, 0x60, 0xF3, 0xAD},
};

typedef struct reg80 {
    uint16_t hi;   /* bits 79..64 */
    uint64_t lo;   /* bits 63..0 */
} reg80;

static uint64_t load_be64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = v << 8 | p[i];
    return v;
}

static void store_be64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8) p[i] = (uint8_t)v;
}

static reg80 load_reg(const uint8_t key[10])
{
    reg80 r = {(uint16_t)(key[0] << 8 | key[1]), load_be64(key + 2)};
    return r;
}

static uint64_t round_key(reg80 r) { return (uint64_t)r.hi << 48 | r.lo >> 16; }

/* The standard update: rotate left by 61 (= right by 19), S-box on the top nibble, the round
 * counter into bits 19..15. */
static reg80 update(reg80 r, unsigned counter)
{
    reg80 n;
    n.lo = r.lo >> 19 | (uint64_t)r.hi << 45 | (r.lo & 7u) << 61;
    n.hi = (uint16_t)(r.lo >> 3);
    n.hi = (uint16_t)((n.hi & 0x0FFFu) | (unsigned)SBOX[n.hi >> 12] << 12);
    n.lo ^= (uint64_t)counter << 15;
    return n;
}

static void key_schedule(const uint8_t key[10], uint64_t rk[ROUNDS + 1])
{
    reg80 r = load_reg(key);
    rk[0] = round_key(r) ^ 0x0000081000000000u;
    r.hi ^= 0x87CA;
    r.lo ^= 0x995217BA31853DCEu;
    r = update(r, 1);
    rk[1] = round_key(r);
    r = update(r, 2);
    r.lo ^= 0x40;
    rk[2] = round_key(r);
    for (unsigned c = 3; c <= ROUNDS; c++) {
        r = update(r, c);
        rk[c] = round_key(r);
    }
}

static uint64_t sbox_layer(uint64_t s)
{
    uint64_t o = 0;
    for (unsigned i = 0; i < 64; i += 4) o |= (uint64_t)SBOX[(s >> i) & 0xF] << i;
    return o;
}

/* Bit i moves to 16 * i mod 63; bit 63 stays. */
static uint64_t p_layer(uint64_t s)
{
    uint64_t o = s & (1ull << 63);
    for (unsigned i = 0; i < 63; i++) o |= ((s >> i) & 1u) << ((16u * i) % 63u);
    return o;
}

void s7p_legacy_present_encrypt(const uint8_t key[10], const uint8_t in[8], uint8_t out[8])
{
    uint64_t rk[ROUNDS + 1];
    key_schedule(key, rk);
    uint64_t s = load_be64(in);
    for (unsigned i = 0; i < ROUNDS; i++) s = p_layer(sbox_layer(s ^ rk[i]));
    store_be64(out, s ^ rk[ROUNDS]);
}

/* Three blocks, the first 20 of their 24 bytes kept. */
static void three_blocks(const uint8_t *k0, const uint8_t *k1, const uint8_t *k2,
                         const uint8_t *p0, const uint8_t *p1, const uint8_t *p2,
                         uint8_t out[S7P_LEGACY_FIELD_LEN])
{
    uint8_t buf[24];
    s7p_legacy_present_encrypt(k0, p0, buf);
    s7p_legacy_present_encrypt(k1, p1, buf + 8);
    s7p_legacy_present_encrypt(k2, p2, buf + 16);
    memcpy(out, buf, S7P_LEGACY_FIELD_LEN);
}

void s7p_legacy_pre_seed(const uint8_t key1[S7P_LEGACY_KEY_LEN], uint8_t out[S7P_LEGACY_FIELD_LEN])
{
    three_blocks(PRE_SEED_KEY, PRE_SEED_KEY, PRE_SEED_KEY, key1, key1 + 8, key1 + 16, out);
}

/* A 160-bit value gives two key registers: memory bytes 0..9 and 10..19. */
void s7p_legacy_seed_mask(const uint8_t shared_x_le[S7P_LEGACY_FIELD_LEN],
                          uint8_t out[S7P_LEGACY_FIELD_LEN])
{
    const uint8_t *lo = shared_x_le, *hi = shared_x_le + 10;
    three_blocks(lo, lo, hi, SEED_MASK_PLAINTEXTS[0], SEED_MASK_PLAINTEXTS[1],
                 SEED_MASK_PLAINTEXTS[2], out);
}

void s7p_legacy_key_material(const uint8_t pre_seed[S7P_LEGACY_FIELD_LEN],
                             uint8_t challenge_key[16], uint8_t checksum_key[16], uint8_t h[16])
{
    uint8_t m[48];
    for (int i = 0; i < 6; i++)
        s7p_legacy_present_encrypt(i < 3 ? pre_seed : pre_seed + 10, KEY_PLAINTEXTS[i], m + 8 * i);
    memcpy(challenge_key, m, 16);
    memcpy(checksum_key, m + 16, 16);
    memcpy(h, m + 32, 16);
}
