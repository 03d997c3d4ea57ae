/* SPDX-License-Identifier: MIT */
/* The CLI's text: a growing buffer, type names for listings, values as JSON (see text.h).
 * Values as TIA literals come from the library (s7p_value_parse, s7p_value_text). */
#include "text.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- growing text --------------------------------------------------------------------- */

/* Room for len more bytes and the terminating NUL; false (and oom set) when memory ran out. */
static bool vt_reserve(vt_buf *b, size_t len)
{
    if (b->oom) return false;
    if (b->len + len + 1 <= b->cap) return true;
    size_t cap = b->cap ? b->cap * 2 : 64;
    if (cap < b->len + len + 1) cap = b->len + len + 1;
    char *p = realloc(b->p, cap);
    if (!p) {
        b->oom = true;
        return false;
    }
    b->p = p;
    b->cap = cap;
    return true;
}

void vt_put(vt_buf *b, const char *s, size_t len)
{
    if (!vt_reserve(b, len)) return;
    if (len) memcpy(b->p + b->len, s, len);
    b->len += len;
    b->p[b->len] = 0;
}

void vt_puts(vt_buf *b, const char *s) { vt_put(b, s, strlen(s)); }

/* Measures first, then prints straight into the buffer: no intermediate copy. */
void vt_printf(vt_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !vt_reserve(b, (size_t)n)) return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void vt_type_text(vt_buf *out, int type, uint32_t count, uint16_t str_max, uint8_t ndims,
                  const int32_t *lower, const uint32_t *dim_count)
{
    if (count > 0) {
        vt_puts(out, "Array[");
        if (ndims == 0 || !lower || !dim_count) {
            vt_printf(out, "0..%" PRIu32, count - 1);
        } else {
            for (uint8_t d = 0; d < ndims; d++)
                vt_printf(out, "%s%" PRId32 "..%" PRId64, d ? ", " : "", lower[d],
                          (int64_t)lower[d] + (int64_t)dim_count[d] - 1);
        }
        vt_puts(out, "] of ");
    }
    vt_puts(out, s7p_type_name(type));
    if (type == S7P_T_STRING || type == S7P_T_WSTRING) vt_printf(out, "[%u]", (unsigned)str_max);
}


/* Types whose value is in `u` and that JSON shows as a number (bit strings, unsigned
 * integers, counters, ids): those with a text form that the switch in scalar_json() does not
 * take and that are not times, dates or raw bytes. */
static bool is_unsigned(s7p_type t)
{
    static const s7p_type other[] = {
        S7P_T_TIME, S7P_T_LTIME, S7P_T_S5TIME, S7P_T_TIME_OF_DAY, S7P_T_LTIME_OF_DAY,
        S7P_T_DATE, S7P_T_DATE_AND_TIME, S7P_T_LDT, S7P_T_DTL, S7P_T_POINTER, S7P_T_ANY,
        S7P_T_REMOTE,
    };
    for (size_t k = 0; k < sizeof other / sizeof other[0]; k++)
        if (t == other[k]) return false;
    return s7p_type_has_text((int)t);
}

/* ---- JSON ------------------------------------------------------------------------------- */

/* The library's text of a scalar as a JSON string (TIA literal, or the bare text with
 * S7P_TEXT_PLAIN). */
static json_t *text_json(const s7p_tag_value *v, unsigned flags)
{
    char *s = NULL;
    s7p_value_text(v, flags, &s);
    json_t *j = s ? json_string(s) : NULL;
    s7p_text_free(s);
    return j;
}

static json_t *scalar_json(const s7p_tag_value *v)
{
    switch (v->type) {
    case S7P_T_BOOL: case S7P_T_BBOOL: return json_boolean(v->v.b);
    case S7P_T_SINT: case S7P_T_INT: case S7P_T_DINT: case S7P_T_LINT:
        return json_integer((json_int_t)v->v.i);
    case S7P_T_REAL: return isfinite(v->v.r) ? json_real(v->v.r) : text_json(v, 0);
    case S7P_T_LREAL: return isfinite(v->v.lr) ? json_real(v->v.lr) : text_json(v, 0);
    case S7P_T_CHAR: case S7P_T_WCHAR: return text_json(v, S7P_TEXT_PLAIN);
    case S7P_T_STRING: case S7P_T_WSTRING:
        return json_stringn(v->v.str.p ? v->v.str.p : "", v->v.str.p ? v->v.str.len : 0);
    default: break;
    }
    if (!is_unsigned(v->type)) return text_json(v, 0);
    if (v->v.u <= (uint64_t)INT64_MAX) return json_integer((json_int_t)v->v.u);
    return text_json(v, 0);
}

char *vt_json(const s7p_tag_value *v)
{
    json_t *j;
    if (v->count == 0) {
        j = scalar_json(v);
    } else {
        j = json_array();
        for (uint32_t i = 0; j && i < v->count; i++) {
            s7p_tag_value e;
            if (v->elems) e = v->elems[i], e.type = v->type;
            json_t *je = v->elems ? scalar_json(&e) : json_null();
            if (!je || json_array_append_new(j, je) != 0) {
                json_decref(j);
                j = NULL;
            }
        }
    }
    if (!j) return NULL;
    size_t flags = (size_t)(JSON_ENCODE_ANY | JSON_REAL_PRECISION(v->type == S7P_T_REAL ? 9 : 17));
    char *s = json_dumps(j, flags);
    json_decref(j);
    return s;
}
