/* SPDX-License-Identifier: MIT */
/* Self-signed server certificate, generated when the simulator is given no PEM files.
 * Reference clients do not verify the certificate (spec 4.3), so its contents only need to
 * be well-formed; users who want CA or pin checks can trust or pin this very certificate. */
#include "tls/internal.h"

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#define VALID_BEFORE_S (-86400L)  /* one day back: tolerates a peer clock that runs late */
#define VALID_DAYS     3652       /* ten years, leap days included */

/* 64 random bits with the top bit set: non-zero and positive, as RFC 5280 4.1.2.2 wants. */
static bool set_serial(X509 *x)
{
    BIGNUM *bn = BN_new();
    bool ok = bn && BN_rand(bn, 64, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) &&
              BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL;
    BN_free(bn);
    return ok;
}

static bool set_names(X509 *x, const char *cn)
{
    X509_NAME *name = X509_get_subject_name(x);
    if (!X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1,
                                    -1, 0))
        return false;
    return X509_set_issuer_name(x, name) == 1;
}

/* No keyUsage extension on purpose: with keyUsage lacking keyCertSign, OpenSSL would no
 * longer treat the certificate as self-signed, and trusting it directly as a CA file
 * (S7P_TLS_VERIFY_CA) would fail. */
static bool add_basic_constraints(X509 *x)
{
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, NULL, NID_basic_constraints,
                                              "critical,CA:FALSE");
    bool ok = ext && X509_add_ext(x, ext, -1) == 1;
    X509_EXTENSION_free(ext);
    return ok;
}

static const char *fill_cert(X509 *x, EVP_PKEY *key, const char *cn)
{
    if (X509_set_version(x, X509_VERSION_3) != 1 || !set_serial(x)) return "serial";
    if (!X509_gmtime_adj(X509_getm_notBefore(x), VALID_BEFORE_S) ||
        !X509_time_adj_ex(X509_getm_notAfter(x), VALID_DAYS, 0, NULL))
        return "validity";
    if (!set_names(x, cn)) return "subject name";
    if (X509_set_pubkey(x, key) != 1 || !add_basic_constraints(x)) return "public key";
    if (X509_sign(x, key, EVP_sha256()) <= 0) return "signature";
    return NULL;
}

const char *s7p_tls_self_signed(const char *cn, EVP_PKEY **key, X509 **cert)
{
    *key = NULL;
    *cert = NULL;
    EVP_PKEY *k = EVP_EC_gen("P-256");
    if (!k) return "EC P-256 key generation";
    X509 *x = X509_new();
    const char *failed = x ? fill_cert(x, k, cn) : "allocation";
    if (failed) {
        X509_free(x);
        EVP_PKEY_free(k);
        return failed;
    }
    *key = k;
    *cert = x;
    return NULL;
}
