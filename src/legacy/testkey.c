/* SPDX-License-Identifier: MIT */
/* The simulator's TEST key pair for families 00/01. NOT a Siemens key: d was drawn at random
 * for s7plus (openssl rand) and pubkey = d*G on the 160-bit curve (LE x || LE y); id
 * 00:BA35267CA865911B. Real PLCs keep their private keys in firmware; a simulator can only
 * speak the protocol with a key of its own that the client is told about. */
#include <string.h>

#include "legacy/blob.h"
#include "legacy/keys.h"

static const s7p_legacy_server_key TEST_KEY = {
    .family = S7P_LEGACY_FAMILY_S71500,
    .private_le = {0x14, 0x63, 0x5A, 0xD0, 0xA8, 0x9C, 0xF5, 0x51, 0x92, 0x6F,
                   0x66, 0x5E, 0x1C, 0x09, 0x4B, 0x7A, 0x2B, 0x97, 0x54, 0xB8},
    .pubkey = {0x39, 0x3C, 0xA8, 0x97, 0xFB, 0xDD, 0x58, 0xCC, 0x8D, 0x0F, 0xB8, 0x9D, 0xF5, 0x51,
               0xF6, 0x79, 0xB6, 0x7A, 0x67, 0xEB, 0x3F, 0xC2, 0xC2, 0x51, 0x1A, 0xA6, 0xBE, 0x61,
               0x6F, 0x8A, 0xD3, 0x49, 0x89, 0xE1, 0x45, 0xFF, 0x68, 0xCC, 0xC1, 0xF9},
};

#define TEST_KEY_ID 0xBA35267CA865911Bull

const s7p_legacy_server_key *s7p_legacy_test_server_key(void) { return &TEST_KEY; }

void s7p_legacy_test_pubkey(s7p_legacy_pubkey *out)
{
    memset(out, 0, sizeof *out);
    out->family = TEST_KEY.family;
    out->id = TEST_KEY_ID;
    out->len = S7P_LEGACY_CURVE_KEY_LEN;
    memcpy(out->key, TEST_KEY.pubkey, S7P_LEGACY_CURVE_KEY_LEN);
}
