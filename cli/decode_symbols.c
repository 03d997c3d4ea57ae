/* SPDX-License-Identifier: MIT */
/* `s7plus decode --symbols FILE`. See decode_symbols.h. */
#include "decode_symbols.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct sym {
    s7p_tag tag;                     /* area, sub_area, nlids, lids (the key) */
    char *symbol;
    bool is_bool;                    /* Bool arrays pad their last dimension to 8 */
    uint8_t ndims;
    int32_t lower[S7P_MAX_DIMS];
    uint32_t count[S7P_MAX_DIMS];
} sym;

struct decode_symbols {
    sym *v;
    size_t n;
    char scratch[1024];              /* an array element's symbol */
};

static int key_cmp(const s7p_tag *a, const s7p_tag *b)
{
    if (a->area != b->area) return a->area < b->area ? -1 : 1;
    if (a->sub_area != b->sub_area) return a->sub_area < b->sub_area ? -1 : 1;
    for (uint8_t i = 0; i < a->nlids && i < b->nlids; i++)
        if (a->lids[i] != b->lids[i]) return a->lids[i] < b->lids[i] ? -1 : 1;
    return a->nlids == b->nlids ? 0 : a->nlids < b->nlids ? -1 : 1;
}

static int sym_cmp(const void *a, const void *b)
{
    return key_cmp(&((const sym *)a)->tag, &((const sym *)b)->tag);
}

static bool uint_of(json_t *j, uint32_t *out)
{
    if (!json_is_integer(j) || json_integer_value(j) < 0 || json_integer_value(j) > UINT32_MAX)
        return false;
    *out = (uint32_t)json_integer_value(j);
    return true;
}

/* One browse entry; false for anything else (an error object at the end, say). */
static bool entry(json_t *e, sym *s)
{
    json_t *a = json_object_get(e, "address"), *lids = json_object_get(a, "lids");
    const char *symbol = json_string_value(json_object_get(e, "symbol"));
    const char *type = json_string_value(json_object_get(e, "type"));
    json_t *dims = json_object_get(e, "dims");
    *s = (sym){0};
    if (!symbol || !json_is_array(lids) || json_array_size(lids) == 0 ||
        json_array_size(lids) > S7P_TAG_MAX_LIDS ||
        !uint_of(json_object_get(a, "area"), &s->tag.area) ||
        !uint_of(json_object_get(a, "sub_area"), &s->tag.sub_area))
        return false;
    s->tag.nlids = (uint8_t)json_array_size(lids);
    for (uint8_t i = 0; i < s->tag.nlids; i++)
        if (!uint_of(json_array_get(lids, i), &s->tag.lids[i])) return false;
    s->is_bool = type && strncmp(type, "Array", 5) == 0 ? strstr(type, "of Bool") != NULL
                                                         : type && strcmp(type, "Bool") == 0;
    for (size_t d = 0; json_is_array(dims) && d < json_array_size(dims) && d < S7P_MAX_DIMS;
         d++) {
        json_t *dim = json_array_get(dims, d);
        json_int_t lo = json_integer_value(json_object_get(dim, "lower"));
        if (!uint_of(json_object_get(dim, "count"), &s->count[d]) || lo < INT32_MIN ||
            lo > INT32_MAX)
            return false;
        s->lower[d] = (int32_t)lo;
        s->ndims = (uint8_t)(d + 1);
    }
    uint32_t count = 0;
    if (s->ndims == 0 && uint_of(json_object_get(e, "count"), &count) && count > 0) {
        s->ndims = 1;   /* an array known by its count only */
        s->count[0] = count;
    }
    s->symbol = strdup(symbol);
    return s->symbol != NULL;
}

/* The table of a parsed browse array (root is released). */
static decode_symbols *from_root(json_t *root, const char *path, char *err, size_t err_len)
{
    decode_symbols *s = calloc(1, sizeof *s);
    size_t n = json_is_array(root) ? json_array_size(root) : 0;
    if (s && n) s->v = calloc(n, sizeof *s->v);
    if (!s || (n && !s->v)) {
        snprintf(err, err_len, "%s: out of memory", path);
        decode_symbols_free(s);
        json_decref(root);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        if (entry(json_array_get(root, i), &s->v[s->n])) s->n++;
    json_decref(root);
    if (s->n == 0) {
        snprintf(err, err_len, "%s: not the output of `s7plus browse --json` (no variables)",
                 path);
        decode_symbols_free(s);
        return NULL;
    }
    qsort(s->v, s->n, sizeof *s->v, sym_cmp);
    return s;
}

decode_symbols *decode_symbols_load(const char *path, char *err, size_t err_len)
{
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    if (!root) {
        snprintf(err, err_len, "%s: %s (line %d)", path, je.text, je.line);
        return NULL;
    }
    return from_root(root, path, err, err_len);
}

decode_symbols *decode_symbols_parse(const char *text, size_t len, const char *name, char *err,
                                     size_t err_len)
{
    json_error_t je;
    json_t *root = json_loadb(text, len, 0, &je);
    if (!root) {
        snprintf(err, err_len, "%s: %s (line %d)", name, je.text, je.line);
        return NULL;
    }
    return from_root(root, name, err, err_len);
}

void decode_symbols_free(decode_symbols *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i].symbol);
    free(s->v);
    free(s);
}

size_t decode_symbols_count(const decode_symbols *s) { return s ? s->n : 0; }

static const sym *find(const decode_symbols *s, const s7p_tag *key)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = key_cmp(&s->v[mid].tag, key);
        if (c == 0) return &s->v[mid];
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return NULL;
}

/* "Sym[i,j]" for the element whose LID is `lid` (row-major; the last dimension of a
 * multi-dimensional Bool array is padded to a multiple of 8). */
static const char *element(decode_symbols *s, const sym *a, uint32_t lid)
{
    uint64_t stride[S7P_MAX_DIMS], st = 1;
    for (int d = a->ndims - 1; d >= 0; d--) {
        stride[d] = st;
        uint64_t c = a->count[d];
        if (d == a->ndims - 1 && a->is_bool && a->ndims > 1) c = (c + 7) / 8 * 8;
        /* A stride beyond any LID (32 bits) stays as it is: multiplied on, the dimensions
         * of a hostile file (five of 65536) wrapped it to 0, a division by zero below. */
        if (st <= UINT32_MAX) st *= c ? c : 1;
    }
    int n = snprintf(s->scratch, sizeof s->scratch, "%s", a->symbol);
    uint64_t rest = lid;
    for (uint8_t d = 0; d < a->ndims && n > 0 && (size_t)n < sizeof s->scratch; d++) {
        uint64_t i = rest / stride[d];
        rest %= stride[d];
        if (i >= a->count[d]) return NULL;   /* beyond the array: not this variable */
        n += snprintf(s->scratch + n, sizeof s->scratch - (size_t)n, "%s%lld", d ? "," : "[",
                      (long long)a->lower[d] + (long long)i);
    }
    if (n <= 0 || (size_t)n + 2 > sizeof s->scratch) return NULL;
    memcpy(s->scratch + n, "]", 2);
    return s->scratch;
}

const char *decode_symbols_lookup(void *ctx, const s7p_tag *address)
{
    decode_symbols *s = ctx;
    if (!s || address->nlids == 0) return NULL;
    const sym *v = find(s, address);
    if (v) return v->symbol;
    /* One LID more than an array of elementary type: one of its elements. */
    s7p_tag parent = *address;
    parent.nlids--;
    v = find(s, &parent);
    if (!v || v->ndims == 0) return NULL;
    return element(s, v, address->lids[address->nlids - 1]);
}
