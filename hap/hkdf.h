/* libhap: HKDF-SHA512 (RFC 5869), as HAP uses it for every key it derives.
 *
 * Built on libsodium's HMAC-SHA512 (libsodium 1.0.18 has no HKDF-SHA512). Pure: no I/O, no
 * global state. Intermediate keys (PRK, T(i)) are wiped with sodium_memzero() before returning.
 *
 * HAP uses it with ASCII salt/info strings, for example salt "Pair-Setup-Encrypt-Salt" and
 * info "Pair-Setup-Encrypt-Info" over the SRP session key (PROTOCOL.md section 1).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Output size of SHA-512 and therefore the length of the PRK. */
#define HAP_HKDF_SHA512_HASH_LEN 64
/* RFC 5869 section 2.3: L <= 255 * HashLen. */
#define HAP_HKDF_SHA512_MAX_OUT (255 * HAP_HKDF_SHA512_HASH_LEN)

/* HKDF-Extract: prk = HMAC-SHA512(salt, ikm). An empty salt (salt_len 0, salt may be NULL)
 * is the RFC's "string of HashLen zeros". `ikm` may be NULL when ikm_len is 0. */
void hap_hkdf_sha512_extract (const guint8 *salt, gsize salt_len, const guint8 *ikm, gsize ikm_len,
    guint8 prk[HAP_HKDF_SHA512_HASH_LEN]);

/* HKDF-Expand: writes out_len bytes of output keying material derived from `prk` and `info`.
 * Returns FALSE (caller misuse, with a g_return critical) when out_len is 0 or larger than
 * HAP_HKDF_SHA512_MAX_OUT, or prk_len is 0; `out` is then left untouched. */
gboolean hap_hkdf_sha512_expand (const guint8 *prk, gsize prk_len, const guint8 *info,
    gsize info_len, guint8 *out, gsize out_len);

/* Extract then expand in one call; same parameter rules and return value as
 * hap_hkdf_sha512_expand(). */
gboolean hap_hkdf_sha512 (const guint8 *ikm, gsize ikm_len, const guint8 *salt, gsize salt_len,
    const guint8 *info, gsize info_len, guint8 *out, gsize out_len);

G_END_DECLS
