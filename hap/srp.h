/* libhap: SRP-6a (RFC 5054) as HAP pair-setup uses it, on GMP.
 *
 * Pure: no I/O, no global state (random bytes come from libsodium's randombytes_buf() unless
 * the caller injects them for tests). Both sides are here: the accessory is the SRP server
 * (HapSrpServer), the controller the SRP client (HapSrpClient).
 *
 * HAP (PROTOCOL.md section 1): 3072-bit group of RFC 5054 appendix A (g = 5), SHA-512,
 * username "Pair-Setup", password = the setup code "XXX-XX-XXX", 16-byte salt.
 * The 1024-bit group and SHA-1 exist only to run the RFC 5054 appendix B test vectors.
 *
 * Formulas (H = the hash, | = concatenation, PAD(z) = z big-endian, left-padded with zeros to
 * the byte length of N; A, B and S always travel and are hashed as PAD()ded byte strings):
 *   x  = H(s | H(I | ":" | P))          v = g^x % N
 *   k  = H(N | PAD(g))                  B = (k*v + g^b) % N       A = g^a % N
 *   u  = H(PAD(A) | PAD(B))
 *   S  = (A * v^u) ^ b % N  (server)    S = (B - k*g^x) ^ (a + u*x) % N  (client)
 *   K  = H(PAD(S))
 *   M1 = H(H(N) xor H(g) | H(I) | s | PAD(A) | PAD(B) | K)   with N and g as their minimal
 *        big-endian bytes (for g = 5: the single byte 0x05)
 *   M2 = H(PAD(A) | M1 | K)
 * which is what fast-srp-hap (the SRP of HAP-NodeJS) computes; tests/interop/srp.test.js checks
 * both directions against it, including A, B and S with a leading zero byte.
 *
 * Bad bytes from the peer (wrong length, A or B outside 1..N-1, wrong proof) are reported
 * through a GError in HAP_CODEC_ERROR; calling the steps out of order is caller misuse
 * (g_return_val_if_fail).
 *
 * Secrets: every exponentiation with a secret base or exponent uses mpz_powm_sec(). Secret
 * integers are allocated large enough up front that GMP never reallocates them, and their limbs
 * are wiped with sodium_memzero() before mpz_clear(); byte copies (password, x, S, K) are wiped
 * likewise, and objects are wiped when freed. Not covered: scratch memory GMP allocates inside
 * mpz_powm_sec()/mpz_mul() and GChecksum's internal state (SHA-1, test vectors only).
 */
#pragma once

#include <glib.h>

#include "hap/parse.h"

G_BEGIN_DECLS

typedef enum {
  HAP_SRP_GROUP_1024, /* RFC 5054 appendix A 1024-bit group, g = 2: test vectors only */
  HAP_SRP_GROUP_3072, /* RFC 5054 appendix A 3072-bit group, g = 5: HAP */
} HapSrpGroup;

typedef enum {
  HAP_SRP_HASH_SHA1,   /* test vectors only */
  HAP_SRP_HASH_SHA512, /* HAP */
} HapSrpHash;

#define HAP_SRP_USERNAME "Pair-Setup"
/* Salt length the server generates when none is given. */
#define HAP_SRP_SALT_LEN 16
/* Longest salt accepted from a server. */
#define HAP_SRP_MAX_SALT_LEN 64
/* Length of the private values a and b generated when none is given (256 bits). */
#define HAP_SRP_SECRET_LEN 32
/* Byte lengths for HAP: N (and so A, B, v, S) and the SHA-512 hash (K, M1, M2). */
#define HAP_SRP_3072_LEN 384
#define HAP_SRP_SHA512_LEN 64
#define HAP_SRP_MAX_N_LEN HAP_SRP_3072_LEN
#define HAP_SRP_MAX_HASH_LEN HAP_SRP_SHA512_LEN

/* Byte length of N for `group` (128 or 384) and of a digest of `hash` (20 or 64). */
gsize hap_srp_group_len (HapSrpGroup group);
gsize hap_srp_hash_len (HapSrpHash hash);

/* Building blocks, exposed for the RFC 5054 test vectors. `out_len` must be exactly
 * hap_srp_hash_len() for x, k and u, and hap_srp_group_len() for the verifier. */
gboolean hap_srp_compute_x (HapSrpHash hash, const guint8 *salt, gsize salt_len,
    const gchar *username, const guint8 *password, gsize password_len, guint8 *out, gsize out_len);
gboolean hap_srp_compute_k (HapSrpGroup group, HapSrpHash hash, guint8 *out, gsize out_len);
/* A and B must be hap_srp_group_len() bytes each. */
gboolean hap_srp_compute_u (HapSrpGroup group, HapSrpHash hash, const guint8 *a_pub,
    gsize a_pub_len, const guint8 *b_pub, gsize b_pub_len, guint8 *out, gsize out_len);
gboolean hap_srp_compute_verifier (HapSrpGroup group, HapSrpHash hash, const guint8 *salt,
    gsize salt_len, const gchar *username, const guint8 *password, gsize password_len, guint8 *out,
    gsize out_len);

/* ---- Server (accessory) ---- */
typedef struct _HapSrpServer HapSrpServer;

/* Creates the server side of one exchange from the password (setup code). `salt` NULL:
 * HAP_SRP_SALT_LEN random bytes. `secret` (b, big-endian, 1 to group length bytes, not a
 * multiple of N) NULL: HAP_SRP_SECRET_LEN random bytes; inject it only in tests.
 * Computes v and B at once. */
HapSrpServer *hap_srp_server_new (HapSrpGroup group, HapSrpHash hash, const gchar *username,
    const guint8 *password, gsize password_len, const guint8 *salt, gsize salt_len,
    const guint8 *secret, gsize secret_len);
/* The same from a stored verifier (hap_srp_group_len() bytes) and its salt. */
HapSrpServer *hap_srp_server_new_with_verifier (HapSrpGroup group, HapSrpHash hash,
    const gchar *username, const guint8 *salt, gsize salt_len, const guint8 *verifier,
    gsize verifier_len, const guint8 *secret, gsize secret_len);
void hap_srp_server_free (HapSrpServer *server);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HapSrpServer, hap_srp_server_free)

const guint8 *hap_srp_server_get_salt (const HapSrpServer *server, gsize *len);
/* B, hap_srp_group_len() bytes. */
const guint8 *hap_srp_server_get_public_key (const HapSrpServer *server, gsize *len);

/* Takes the client's A (peer bytes). Fails with HAP_CODEC_ERROR_MALFORMED when A is not
 * exactly hap_srp_group_len() bytes and HAP_CODEC_ERROR_OUT_OF_RANGE when A % N == 0,
 * A >= N or u == 0; the server then stays ready for another A. Computes u, S, K and the expected
 * proofs. Call once. */
gboolean hap_srp_server_set_client_public_key (
    HapSrpServer *server, const guint8 *a_pub, gsize a_pub_len, GError **error);
/* Checks the client's proof M1 (constant-time compare). Fails with HAP_CODEC_ERROR_AUTH
 * (wrong setup code) or HAP_CODEC_ERROR_MALFORMED (wrong length); after a failure the session
 * key and proof are wiped and the exchange is over. Call once, after
 * hap_srp_server_set_client_public_key(). */
gboolean hap_srp_server_verify_client_proof (
    HapSrpServer *server, const guint8 *m1, gsize m1_len, GError **error);
/* M2 and the session key K (hap_srp_hash_len() bytes), or NULL until M1 has been verified. */
const guint8 *hap_srp_server_get_proof (const HapSrpServer *server, gsize *len);
const guint8 *hap_srp_server_get_session_key (const HapSrpServer *server, gsize *len);
/* The premaster secret S (PAD()ded), from hap_srp_server_set_client_public_key() until a
 * failed proof; for test vectors only, protocols use the session key. */
const guint8 *hap_srp_server_get_premaster_secret (const HapSrpServer *server, gsize *len);

/* ---- Client (controller) ---- */
typedef struct _HapSrpClient HapSrpClient;

/* `secret` (a, big-endian, 1 to group length bytes, not a multiple of N) NULL:
 * HAP_SRP_SECRET_LEN random bytes; inject it only in tests. Computes A at once. The password
 * is copied and wiped once the server's values have been processed. */
HapSrpClient *hap_srp_client_new (HapSrpGroup group, HapSrpHash hash, const gchar *username,
    const guint8 *password, gsize password_len, const guint8 *secret, gsize secret_len);
void hap_srp_client_free (HapSrpClient *client);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HapSrpClient, hap_srp_client_free)

/* A, hap_srp_group_len() bytes. */
const guint8 *hap_srp_client_get_public_key (const HapSrpClient *client, gsize *len);

/* Takes the server's salt and B (peer bytes). Fails with HAP_CODEC_ERROR_MALFORMED (B not
 * exactly hap_srp_group_len() bytes, empty salt), HAP_CODEC_ERROR_TOO_LARGE (salt over
 * HAP_SRP_MAX_SALT_LEN) or HAP_CODEC_ERROR_OUT_OF_RANGE (B % N == 0, B >= N, u == 0); the
 * client then stays ready for another attempt. Computes x, u, S, K, M1. Call once. */
gboolean hap_srp_client_set_server_public_key (HapSrpClient *client, const guint8 *salt,
    gsize salt_len, const guint8 *b_pub, gsize b_pub_len, GError **error);
/* M1, hap_srp_hash_len() bytes, or NULL before hap_srp_client_set_server_public_key(). */
const guint8 *hap_srp_client_get_proof (const HapSrpClient *client, gsize *len);
/* Checks the server's proof M2 (constant-time compare); errors as for the server. */
gboolean hap_srp_client_verify_server_proof (
    HapSrpClient *client, const guint8 *m2, gsize m2_len, GError **error);
/* The session key K, or NULL until M2 has been verified. */
const guint8 *hap_srp_client_get_session_key (const HapSrpClient *client, gsize *len);
/* The premaster secret S, for test vectors only (see the server's). */
const guint8 *hap_srp_client_get_premaster_secret (const HapSrpClient *client, gsize *len);

G_END_DECLS
