/* SPDX-License-Identifier: MIT */
/* Readers for the legacy authentication test vectors: the INI-like known-answer file
 * (`[section]`, `name = hex`) and the HarpoS7 byte-array files (`L<line> <hex>`). */
#ifndef S7P_TEST_LEGACY_VECTORS_H
#define S7P_TEST_LEGACY_VECTORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LV_MAX_SECTIONS 32
#define LV_MAX_KEYS 40
#define LV_MAX_LINES 128

typedef struct lv_section {
    char name[64];
    char keys[LV_MAX_KEYS][48];
    char *values[LV_MAX_KEYS];
    size_t n;
} lv_section;

typedef struct lv_file {
    lv_section sec[LV_MAX_SECTIONS];
    size_t n;
} lv_file;

/** Loads an INI vector file; NULL when it cannot be read or is malformed. lv_free() it. */
lv_file *lv_load(const char *path);
void lv_free(lv_file *f);
/** The text value of key in s, or NULL. */
const char *lv_get(const lv_section *s, const char *key);
/** Decodes the hex value of key into exactly len bytes; false when missing or of another length. */
bool lv_hex(const lv_section *s, const char *key, uint8_t *out, size_t len);
/** Decodes a hex string of exactly len bytes. */
bool lv_unhex(const char *hex, uint8_t *out, size_t len);

/** One `L<line> <hex>` entry of a HarpoS7 test-case file. */
typedef struct lv_array {
    unsigned line;
    uint8_t *bytes;
    size_t len;
} lv_array;

typedef struct lv_arrays {
    lv_array a[LV_MAX_LINES];
    size_t n;
} lv_arrays;

lv_arrays *lv_arrays_load(const char *path);
void lv_arrays_free(lv_arrays *f);
/** The array at source line `line`, or NULL. */
const lv_array *lv_at(const lv_arrays *f, unsigned line);

/** Reads a whole binary file; NULL on failure. free() it. */
uint8_t *lv_read_file(const char *path, size_t *len);

#endif
