/* SPDX-License-Identifier: MIT */
#include "tls/known_hosts.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tls/internal.h"
#include "util/alloc.h"

#define HEX_LEN (2 * S7P_SHA256_LEN)

void s7p_sha256_hex(const uint8_t fp[S7P_SHA256_LEN], char out[HEX_LEN + 1])
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < S7P_SHA256_LEN; i++) {
        out[2 * i] = digits[fp[i] >> 4];
        out[2 * i + 1] = digits[fp[i] & 0x0F];
    }
    out[HEX_LEN] = '\0';
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static bool parse_hex(const char *p, size_t n, uint8_t out[S7P_SHA256_LEN])
{
    if (n != HEX_LEN) return false;
    for (size_t i = 0; i < S7P_SHA256_LEN; i++) {
        int hi = hex_digit(p[2 * i]), lo = hex_digit(p[2 * i + 1]);
        if (hi < 0 || lo < 0) return false;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return true;
}

static bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

/* The next whitespace-separated field of line[*i..n). */
static size_t next_field(const char *line, size_t n, size_t *i, const char **field)
{
    while (*i < n && is_blank(line[*i])) (*i)++;
    *field = line + *i;
    size_t start = *i;
    while (*i < n && !is_blank(line[*i])) (*i)++;
    return *i - start;
}

/* Reads the whole file into a NUL-terminated buffer; *text NULL when it does not exist. */
static s7p_status read_file(const char *path, char **text, size_t *len, char *why, size_t wl)
{
    *text = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0 && errno == ENOENT) return S7P_OK;
    if (fd < 0) {
        snprintf(why, wl, "cannot read known-hosts file %s: %s", path, strerror(errno));
        return S7P_E_CONFIG;
    }
    struct stat sb;
    s7p_status st = S7P_OK;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        snprintf(why, wl, "known-hosts file %s is not a regular file", path);
        st = S7P_E_CONFIG;
    } else if ((uint64_t)sb.st_size > S7P_KNOWN_HOSTS_MAX) {
        snprintf(why, wl, "known-hosts file %s is larger than %u bytes", path,
                 S7P_KNOWN_HOSTS_MAX);
        st = S7P_E_CONFIG;
    }
    char *buf = st == S7P_OK ? s7p_malloc((size_t)sb.st_size + 1) : NULL;
    if (st == S7P_OK && !buf) st = S7P_E_NOMEM;
    size_t have = 0;
    while (st == S7P_OK && have < (size_t)sb.st_size) {
        ssize_t r = read(fd, buf + have, (size_t)sb.st_size - have);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;  /* shorter than fstat said: another process truncated it */
        have += (size_t)r;
    }
    close(fd);
    if (st != S7P_OK) {
        s7p_free(buf);
        return st;
    }
    buf[have] = '\0';
    *text = buf;
    *len = have;
    return S7P_OK;
}

/* Finds key's fingerprint. *found false when no line names key. */
static s7p_status lookup(const char *text, size_t len, const char *key, const char *path,
                         bool *found, uint8_t fp[S7P_SHA256_LEN], char *why, size_t wl)
{
    *found = false;
    size_t key_len = strlen(key), lineno = 0;
    for (size_t pos = 0; pos < len;) {
        const char *line = text + pos;
        const char *nl = memchr(line, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - line) : len - pos;
        pos += n + 1;
        lineno++;
        size_t i = 0;
        const char *name, *hex;
        size_t name_len = next_field(line, n, &i, &name);
        if (name_len == 0 || name[0] == '#') continue;
        if (name_len != key_len || memcmp(name, key, key_len) != 0) continue;
        size_t hex_len = next_field(line, n, &i, &hex);
        if (!parse_hex(hex, hex_len, fp)) {
            snprintf(why, wl, "known-hosts file %s line %zu: %s needs 64 hex digits", path,
                     lineno, key);
            return S7P_E_CONFIG;
        }
        *found = true;
        return S7P_OK;
    }
    return S7P_OK;
}

static s7p_status append(const char *path, const char *key, const uint8_t fp[S7P_SHA256_LEN],
                         bool newline_first, char *why, size_t wl)
{
    char hex[HEX_LEN + 1];
    s7p_sha256_hex(fp, hex);
    size_t n = strlen(key) + HEX_LEN + 3;
    char *line = s7p_malloc(n + 1);
    if (!line) return S7P_E_NOMEM;
    int w = snprintf(line, n + 1, "%s%s %s\n", newline_first ? "\n" : "", key, hex);
    int fd = s7p_tls_open_append(path);
    ssize_t put = -1;
    int e = errno;
    if (fd >= 0) {
        /* One write on an O_APPEND file: concurrent first contacts append whole lines. */
        put = write(fd, line, (size_t)w);
        e = errno;
        close(fd);
    }
    s7p_free(line);
    if (put == (ssize_t)w) return S7P_OK;
    snprintf(why, wl, "cannot write known-hosts file %s: %s", path,
             fd < 0 && e == EINVAL ? "not a regular file" : put >= 0 ? "short write" : strerror(e));
    return S7P_E_CONFIG;
}

s7p_status s7p_known_hosts_check(const char *path, const char *key,
                                 const uint8_t fp[S7P_SHA256_LEN], bool *added, char *why,
                                 size_t why_len)
{
    *added = false;
    char *text;
    size_t len;
    s7p_status st = read_file(path, &text, &len, why, why_len);
    if (st != S7P_OK) return st;
    bool found = false;
    uint8_t known[S7P_SHA256_LEN];
    st = lookup(text ? text : "", len, key, path, &found, known, why, why_len);
    bool newline_first = len > 0 && text[len - 1] != '\n';
    s7p_free(text);
    if (st != S7P_OK) return st;
    if (!found) {
        st = append(path, key, fp, newline_first, why, why_len);
        *added = st == S7P_OK;
        return st;
    }
    if (memcmp(known, fp, S7P_SHA256_LEN) == 0) return S7P_OK;
    char old_hex[HEX_LEN + 1], new_hex[HEX_LEN + 1];
    s7p_sha256_hex(known, old_hex);
    s7p_sha256_hex(fp, new_hex);
    snprintf(why, why_len, "certificate changed: known sha256 %s, PLC sent %s (%s)", old_hex,
             new_hex, path);
    return S7P_E_CERT_CHANGED;
}
