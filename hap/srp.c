/* libhap: SRP-6a (RFC 5054) for HAP pair-setup. See srp.h for the formulas and the secret
 * handling. */
#include "hap/srp.h"

#include <stdarg.h>
#include <string.h>
#include <gmp.h>
#include <sodium.h>

/* RFC 5054 appendix A. The 3072-bit prime is also RFC 3526 group 15. */
static const gchar group_1024_hex[]
    = "EEAF0AB9ADB38DD69C33F80AFA8FC5E86072618775FF3C0B9EA2314C9C256576D674DF7496EA81D3383B4813"
      "D692C6E0E0D5D8E250B98BE48E495C1D6089DAD15DC7D7B46154D6B6CE8EF4AD69B15D4982559B297BCF1885"
      "C529F566660E57EC68EDBC3C05726CC02FD4CBF4976EAA9AFD5138FE8376435B9FC61D2FC0EB06E3";

static const gchar group_3072_hex[]
    = "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A0879"
      "8E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B"
      "0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA4836"
      "1C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804"
      "F1746C08CA18217C32905E462E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6"
      "955817183995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64"
      "ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7ABF5AE8CDB0933D71E8C94E04A25619DCEE3D226"
      "1AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E2"
      "08E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF";

typedef struct {
  HapSrpHash hash;
  gsize n_len; /* bytes of N */
  gsize h_len; /* bytes of a digest */
  mpz_t N;
  mpz_t g;
  mpz_t k;
  guint8 n_bytes[HAP_SRP_MAX_N_LEN]; /* N, n_len bytes (its top byte is never zero) */
  guint8 g_byte;                     /* g as its single minimal byte */
} SrpParams;

/* ---- hashing ---- */

typedef struct {
  HapSrpHash hash;
  crypto_hash_sha512_state sha512;
  GChecksum *sha1;
} SrpHashCtx;

static void
hash_init (SrpHashCtx *ctx, HapSrpHash hash)
{
  ctx->hash = hash;
  ctx->sha1 = NULL;
  if (hash == HAP_SRP_HASH_SHA1)
    ctx->sha1 = g_checksum_new (G_CHECKSUM_SHA1);
  else
    crypto_hash_sha512_init (&ctx->sha512);
}

static void
hash_update (SrpHashCtx *ctx, const guint8 *data, gsize len)
{
  if (len == 0)
    return;
  if (ctx->hash == HAP_SRP_HASH_SHA1)
    g_checksum_update (ctx->sha1, data, (gssize) len);
  else
    crypto_hash_sha512_update (&ctx->sha512, data, len);
}

/* Writes the digest (hap_srp_hash_len() bytes) and wipes the state. */
static void
hash_final (SrpHashCtx *ctx, guint8 *out)
{
  if (ctx->hash == HAP_SRP_HASH_SHA1) {
    gsize len = 20;

    g_checksum_get_digest (ctx->sha1, out, &len);
    g_checksum_free (ctx->sha1);
    ctx->sha1 = NULL;
  } else {
    crypto_hash_sha512_final (&ctx->sha512, out);
  }
  sodium_memzero (ctx, sizeof *ctx);
}

/* out = H(p1 | p2 | ...): (const guint8 *, gsize) pairs terminated by NULL. */
static void
hash_parts (HapSrpHash hash, guint8 *out, ...)
{
  SrpHashCtx ctx;
  va_list ap;
  const guint8 *p;

  hash_init (&ctx, hash);
  va_start (ap, out);
  while ((p = va_arg (ap, const guint8 *)) != NULL) {
    gsize len = va_arg (ap, gsize);

    hash_update (&ctx, p, len);
  }
  va_end (ap);
  hash_final (&ctx, out);
}

/* ---- integers ---- */

/* Secret integers get room for a double-length product up front, so that GMP never
 * reallocates (and so frees unwiped) their limbs. */
static void
secret_init (mpz_t z, const SrpParams *p)
{
  mpz_init2 (z, (mp_bitcnt_t) (2 * 8 * p->n_len + 2 * 8 * HAP_SRP_MAX_HASH_LEN + 64));
}

/* Wipes every allocated limb, then frees. GMP has no public accessor for the allocation
 * size; _mp_alloc/_mp_d are the fields of the documented-as-opaque __mpz_struct in gmp.h,
 * stable since GMP 4. */
static void
secret_clear (mpz_t z)
{
  if (z->_mp_alloc > 0)
    sodium_memzero (z->_mp_d, (gsize) z->_mp_alloc * sizeof (mp_limb_t));
  mpz_clear (z);
}

static void
mpz_from_bytes (mpz_t z, const guint8 *buf, gsize len)
{
  mpz_import (z, len, 1, 1, 1, 0, buf);
}

/* Writes z (0 <= z < 2^(8*len)) big-endian, left-padded with zeros to exactly len bytes. */
static void
mpz_to_padded (guint8 *buf, gsize len, const mpz_t z)
{
  gsize count = mpz_sgn (z) == 0 ? 0 : (mpz_sizeinbase (z, 2) + 7) / 8;
  gsize written = 0;

  g_assert (count <= len); /* only ever called with values reduced mod N */
  memset (buf, 0, len);
  if (count > 0)
    mpz_export (buf + len - count, &written, 1, 1, 1, 0, z);
}

/* r = base^exp mod N for a secret base or exponent. mpz_powm_sec() wants exp > 0. */
static void
powm_sec (mpz_t r, const mpz_t base, const mpz_t exp, const SrpParams *p)
{
  if (mpz_sgn (exp) == 0)
    mpz_set_ui (r, 1);
  else
    mpz_powm_sec (r, base, exp, p->N);
}

/* ---- parameters ---- */

gsize
hap_srp_group_len (HapSrpGroup group)
{
  switch (group) {
    case HAP_SRP_GROUP_1024:
      return 128;
    case HAP_SRP_GROUP_3072:
      return 384;
    default:
      g_return_val_if_reached (0);
  }
}

gsize
hap_srp_hash_len (HapSrpHash hash)
{
  switch (hash) {
    case HAP_SRP_HASH_SHA1:
      return 20;
    case HAP_SRP_HASH_SHA512:
      return 64;
    default:
      g_return_val_if_reached (0);
  }
}

static gboolean
valid_group (HapSrpGroup group)
{
  return group == HAP_SRP_GROUP_1024 || group == HAP_SRP_GROUP_3072;
}

static gboolean
valid_hash (HapSrpHash hash)
{
  return hash == HAP_SRP_HASH_SHA1 || hash == HAP_SRP_HASH_SHA512;
}

static void
params_init (SrpParams *p, HapSrpGroup group, HapSrpHash hash)
{
  guint8 pad_g[HAP_SRP_MAX_N_LEN];
  guint8 k[HAP_SRP_MAX_HASH_LEN];
  G_GNUC_UNUSED int rc;

  p->hash = hash;
  p->n_len = hap_srp_group_len (group);
  p->h_len = hap_srp_hash_len (hash);
  rc = mpz_init_set_str (p->N, group == HAP_SRP_GROUP_1024 ? group_1024_hex : group_3072_hex, 16);
  g_assert (rc == 0);
  p->g_byte = group == HAP_SRP_GROUP_1024 ? 2 : 5;
  mpz_init_set_ui (p->g, p->g_byte);
  mpz_to_padded (p->n_bytes, p->n_len, p->N);

  /* k = H(N | PAD(g)) */
  memset (pad_g, 0, p->n_len);
  pad_g[p->n_len - 1] = p->g_byte;
  hash_parts (hash, k, p->n_bytes, p->n_len, pad_g, p->n_len, NULL);
  mpz_init (p->k);
  mpz_from_bytes (p->k, k, p->h_len);
}

static void
params_clear (SrpParams *p)
{
  mpz_clear (p->N);
  mpz_clear (p->g);
  mpz_clear (p->k);
}

/* x = H(s | H(I | ":" | P)), hash-length bytes. */
static void
compute_x (HapSrpHash hash, const guint8 *salt, gsize salt_len, const gchar *username,
    const guint8 *password, gsize password_len, guint8 *out)
{
  guint8 inner[HAP_SRP_MAX_HASH_LEN];

  hash_parts (hash, inner, (const guint8 *) username, strlen (username), (const guint8 *) ":",
      (gsize) 1, password, password_len, NULL);
  hash_parts (hash, out, salt, salt_len, inner, hap_srp_hash_len (hash), NULL);
  sodium_memzero (inner, sizeof inner);
}

/* v = g^x % N into `v` (a secret_init()ed integer). */
static void
compute_verifier (const SrpParams *p, const guint8 *salt, gsize salt_len, const gchar *username,
    const guint8 *password, gsize password_len, mpz_t v)
{
  guint8 xb[HAP_SRP_MAX_HASH_LEN];
  mpz_t x;

  secret_init (x, p);
  compute_x (p->hash, salt, salt_len, username, password, password_len, xb);
  mpz_from_bytes (x, xb, p->h_len);
  powm_sec (v, p->g, x, p);
  sodium_memzero (xb, sizeof xb);
  secret_clear (x);
}

/* M1 = H(H(N) xor H(g) | H(I) | s | A | B | K), M2 = H(A | M1 | K). */
static void
compute_proofs (const SrpParams *p, const gchar *username, const guint8 *salt, gsize salt_len,
    const guint8 *a_pub, const guint8 *b_pub, const guint8 *k, guint8 *m1, guint8 *m2)
{
  guint8 hn[HAP_SRP_MAX_HASH_LEN];
  guint8 hg[HAP_SRP_MAX_HASH_LEN];
  guint8 hi[HAP_SRP_MAX_HASH_LEN];

  hash_parts (p->hash, hn, p->n_bytes, p->n_len, NULL);
  hash_parts (p->hash, hg, &p->g_byte, (gsize) 1, NULL);
  for (gsize i = 0; i < p->h_len; i++)
    hn[i] ^= hg[i];
  hash_parts (p->hash, hi, (const guint8 *) username, strlen (username), NULL);
  hash_parts (p->hash, m1, hn, p->h_len, hi, p->h_len, salt, salt_len, a_pub, p->n_len, b_pub,
      p->n_len, k, p->h_len, NULL);
  hash_parts (p->hash, m2, a_pub, p->n_len, m1, p->h_len, k, p->h_len, NULL);
}

/* Checks a peer's public value: exactly n_len bytes and 1 <= value <= N-1. */
static gboolean
check_public (const SrpParams *p, const guint8 *pub, gsize pub_len, const gchar *name, mpz_t out,
    GError **error)
{
  if (pub_len != p->n_len) {
    g_debug ("SRP: peer public key %s has %" G_GSIZE_FORMAT " bytes, want %" G_GSIZE_FORMAT, name,
        pub_len, p->n_len);
    g_set_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_MALFORMED,
        "SRP public key %s has %" G_GSIZE_FORMAT " bytes, expected %" G_GSIZE_FORMAT, name, pub_len,
        p->n_len);
    return FALSE;
  }
  mpz_from_bytes (out, pub, pub_len);
  if (mpz_sgn (out) == 0 || mpz_cmp (out, p->N) >= 0) {
    g_debug ("SRP: peer public key %s is outside 1..N-1", name);
    g_set_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_OUT_OF_RANGE,
        "SRP public key %s is not in 1..N-1", name);
    return FALSE;
  }
  return TRUE;
}

/* u = H(PAD(A) | PAD(B)); FALSE (with error) when u == 0. */
static gboolean
compute_u (const SrpParams *p, const guint8 *a_pub, const guint8 *b_pub, mpz_t u, GError **error)
{
  guint8 ub[HAP_SRP_MAX_HASH_LEN];

  hash_parts (p->hash, ub, a_pub, p->n_len, b_pub, p->n_len, NULL);
  mpz_from_bytes (u, ub, p->h_len);
  if (mpz_sgn (u) == 0) {
    g_debug ("SRP: scrambling parameter u is zero");
    g_set_error_literal (
        error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_OUT_OF_RANGE, "SRP scrambling parameter u is zero");
    return FALSE;
  }
  return TRUE;
}

/* Imports a private value given by the caller, or draws HAP_SRP_SECRET_LEN random bytes.
 * FALSE when the value is a multiple of N. */
static gboolean
load_secret (const SrpParams *p, const guint8 *secret, gsize secret_len, mpz_t out)
{
  guint8 rnd[HAP_SRP_SECRET_LEN];

  if (secret != NULL) {
    mpz_from_bytes (out, secret, secret_len);
  } else {
    do {
      randombytes_buf (rnd, sizeof rnd);
      mpz_from_bytes (out, rnd, sizeof rnd);
    } while (mpz_sgn (out) == 0);
    sodium_memzero (rnd, sizeof rnd);
  }
  return mpz_divisible_p (out, p->N) == 0;
}

static gboolean
proof_equal (const guint8 *want, const guint8 *got, gsize got_len, gsize h_len, GError **error)
{
  if (got_len != h_len) {
    g_debug ("SRP: proof has %" G_GSIZE_FORMAT " bytes, want %" G_GSIZE_FORMAT, got_len, h_len);
    g_set_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_MALFORMED,
        "SRP proof has %" G_GSIZE_FORMAT " bytes, expected %" G_GSIZE_FORMAT, got_len, h_len);
    return FALSE;
  }
  if (sodium_memcmp (want, got, h_len) != 0) {
    g_debug ("SRP: peer proof does not verify");
    g_set_error_literal (
        error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_AUTH, "SRP proof does not verify (wrong password)");
    return FALSE;
  }
  return TRUE;
}

/* ---- public building blocks ---- */

gboolean
hap_srp_compute_x (HapSrpHash hash, const guint8 *salt, gsize salt_len, const gchar *username,
    const guint8 *password, gsize password_len, guint8 *out, gsize out_len)
{
  g_return_val_if_fail (valid_hash (hash), FALSE);
  g_return_val_if_fail (salt != NULL || salt_len == 0, FALSE);
  g_return_val_if_fail (username != NULL, FALSE);
  g_return_val_if_fail (password != NULL || password_len == 0, FALSE);
  g_return_val_if_fail (out != NULL && out_len == hap_srp_hash_len (hash), FALSE);

  compute_x (hash, salt, salt_len, username, password, password_len, out);
  return TRUE;
}

gboolean
hap_srp_compute_k (HapSrpGroup group, HapSrpHash hash, guint8 *out, gsize out_len)
{
  SrpParams p;

  g_return_val_if_fail (valid_group (group) && valid_hash (hash), FALSE);
  g_return_val_if_fail (out != NULL && out_len == hap_srp_hash_len (hash), FALSE);

  params_init (&p, group, hash);
  mpz_to_padded (out, out_len, p.k);
  params_clear (&p);
  return TRUE;
}

gboolean
hap_srp_compute_u (HapSrpGroup group, HapSrpHash hash, const guint8 *a_pub, gsize a_pub_len,
    const guint8 *b_pub, gsize b_pub_len, guint8 *out, gsize out_len)
{
  g_return_val_if_fail (valid_group (group) && valid_hash (hash), FALSE);
  g_return_val_if_fail (a_pub != NULL && a_pub_len == hap_srp_group_len (group), FALSE);
  g_return_val_if_fail (b_pub != NULL && b_pub_len == hap_srp_group_len (group), FALSE);
  g_return_val_if_fail (out != NULL && out_len == hap_srp_hash_len (hash), FALSE);

  hash_parts (hash, out, a_pub, a_pub_len, b_pub, b_pub_len, NULL);
  return TRUE;
}

gboolean
hap_srp_compute_verifier (HapSrpGroup group, HapSrpHash hash, const guint8 *salt, gsize salt_len,
    const gchar *username, const guint8 *password, gsize password_len, guint8 *out, gsize out_len)
{
  SrpParams p;
  mpz_t v;

  g_return_val_if_fail (valid_group (group) && valid_hash (hash), FALSE);
  g_return_val_if_fail (salt != NULL || salt_len == 0, FALSE);
  g_return_val_if_fail (username != NULL, FALSE);
  g_return_val_if_fail (password != NULL || password_len == 0, FALSE);
  g_return_val_if_fail (out != NULL && out_len == hap_srp_group_len (group), FALSE);

  params_init (&p, group, hash);
  secret_init (v, &p);
  compute_verifier (&p, salt, salt_len, username, password, password_len, v);
  mpz_to_padded (out, out_len, v);
  secret_clear (v);
  params_clear (&p);
  return TRUE;
}

/* ---- server ---- */

/* What the getters return: `buf` and its length `n` (in *len, if wanted) when `available`,
 * else NULL. */
static const guint8 *
buffer_if (gboolean available, const guint8 *buf, gsize n, gsize *len)
{
  if (!available)
    return NULL;
  if (len)
    *len = n;
  return buf;
}

typedef enum {
  SRP_STATE_NEW,      /* own public key computed, waiting for the peer's */
  SRP_STATE_KEYED,    /* S, K and proofs computed, waiting for the peer's proof */
  SRP_STATE_VERIFIED, /* peer proof verified: session key and own proof available */
  SRP_STATE_FAILED,   /* peer proof wrong: secrets wiped */
} SrpState;

/* Both sides' check of the peer's proof `got` against the expected `want` (h_len bytes): on a
 * mismatch wipes the premaster secret `s` (n_len bytes), the session key `k` and the proofs
 * `m_a` and `m_b` (NULL: none), and the state becomes FAILED; else VERIFIED. */
static gboolean
verify_peer_proof (SrpState *state, const SrpParams *p, const guint8 *want, const guint8 *got,
    gsize got_len, guint8 *s, guint8 *k, guint8 *m_a, guint8 *m_b, GError **error)
{
  if (!proof_equal (want, got, got_len, p->h_len, error)) {
    sodium_memzero (s, HAP_SRP_MAX_N_LEN);
    sodium_memzero (k, HAP_SRP_MAX_HASH_LEN);
    sodium_memzero (m_a, HAP_SRP_MAX_HASH_LEN);
    if (m_b != NULL)
      sodium_memzero (m_b, HAP_SRP_MAX_HASH_LEN);
    *state = SRP_STATE_FAILED;
    return FALSE;
  }
  *state = SRP_STATE_VERIFIED;
  return TRUE;
}

struct _HapSrpServer {
  SrpParams p;
  SrpState state;
  gchar *username;
  guint8 salt[HAP_SRP_MAX_SALT_LEN];
  gsize salt_len;
  mpz_t v; /* secret */
  mpz_t b; /* secret */
  gboolean have_secrets;
  guint8 b_pub[HAP_SRP_MAX_N_LEN];
  guint8 a_pub[HAP_SRP_MAX_N_LEN];
  guint8 s[HAP_SRP_MAX_N_LEN];     /* premaster secret */
  guint8 k[HAP_SRP_MAX_HASH_LEN];  /* session key */
  guint8 m1[HAP_SRP_MAX_HASH_LEN]; /* expected client proof */
  guint8 m2[HAP_SRP_MAX_HASH_LEN];
};

static void
server_wipe_secrets (HapSrpServer *server)
{
  if (server->have_secrets) {
    secret_clear (server->v);
    secret_clear (server->b);
    server->have_secrets = FALSE;
  }
}

/* Common tail of the constructors: b, then B = (k*v + g^b) % N. Takes over server->v. */
static HapSrpServer *
server_finish (HapSrpServer *server, const guint8 *secret, gsize secret_len)
{
  const SrpParams *p = &server->p;
  mpz_t t;

  if (!load_secret (p, secret, secret_len, server->b)) {
    hap_srp_server_free (server);
    g_return_val_if_reached (NULL); /* the caller's b is a multiple of N */
  }

  secret_init (t, p);
  powm_sec (t, p->g, server->b, p); /* g^b */
  mpz_addmul (t, p->k, server->v);  /* + k*v */
  mpz_mod (t, t, p->N);
  mpz_to_padded (server->b_pub, p->n_len, t);
  secret_clear (t);
  return server;
}

static HapSrpServer *
server_alloc (
    HapSrpGroup group, HapSrpHash hash, const gchar *username, const guint8 *salt, gsize salt_len)
{
  HapSrpServer *server = g_new0 (HapSrpServer, 1);

  if (sodium_init () < 0)
    g_error ("libsodium failed to initialise");
  params_init (&server->p, group, hash);
  server->state = SRP_STATE_NEW;
  server->username = g_strdup (username);
  if (salt != NULL) {
    memcpy (server->salt, salt, salt_len);
    server->salt_len = salt_len;
  } else {
    randombytes_buf (server->salt, HAP_SRP_SALT_LEN);
    server->salt_len = HAP_SRP_SALT_LEN;
  }
  secret_init (server->v, &server->p);
  secret_init (server->b, &server->p);
  server->have_secrets = TRUE;
  return server;
}

HapSrpServer *
hap_srp_server_new (HapSrpGroup group, HapSrpHash hash, const gchar *username,
    const guint8 *password, gsize password_len, const guint8 *salt, gsize salt_len,
    const guint8 *secret, gsize secret_len)
{
  HapSrpServer *server;

  g_return_val_if_fail (valid_group (group) && valid_hash (hash), NULL);
  g_return_val_if_fail (username != NULL, NULL);
  g_return_val_if_fail (password != NULL || password_len == 0, NULL);
  g_return_val_if_fail (salt == NULL || (salt_len > 0 && salt_len <= HAP_SRP_MAX_SALT_LEN), NULL);
  g_return_val_if_fail (
      secret == NULL || (secret_len > 0 && secret_len <= hap_srp_group_len (group)), NULL);

  server = server_alloc (group, hash, username, salt, salt_len);
  compute_verifier (
      &server->p, server->salt, server->salt_len, username, password, password_len, server->v);
  return server_finish (server, secret, secret_len);
}

HapSrpServer *
hap_srp_server_new_with_verifier (HapSrpGroup group, HapSrpHash hash, const gchar *username,
    const guint8 *salt, gsize salt_len, const guint8 *verifier, gsize verifier_len,
    const guint8 *secret, gsize secret_len)
{
  HapSrpServer *server;

  g_return_val_if_fail (valid_group (group) && valid_hash (hash), NULL);
  g_return_val_if_fail (username != NULL, NULL);
  g_return_val_if_fail (salt != NULL && salt_len > 0 && salt_len <= HAP_SRP_MAX_SALT_LEN, NULL);
  g_return_val_if_fail (verifier != NULL && verifier_len == hap_srp_group_len (group), NULL);
  g_return_val_if_fail (
      secret == NULL || (secret_len > 0 && secret_len <= hap_srp_group_len (group)), NULL);

  server = server_alloc (group, hash, username, salt, salt_len);
  mpz_from_bytes (server->v, verifier, verifier_len);
  return server_finish (server, secret, secret_len);
}

void
hap_srp_server_free (HapSrpServer *server)
{
  if (server == NULL)
    return;
  server_wipe_secrets (server);
  params_clear (&server->p);
  g_free (server->username);
  sodium_memzero (server, sizeof *server);
  g_free (server);
}

const guint8 *
hap_srp_server_get_salt (const HapSrpServer *server, gsize *len)
{
  g_return_val_if_fail (server != NULL, NULL);
  return buffer_if (TRUE, server->salt, server->salt_len, len);
}

const guint8 *
hap_srp_server_get_public_key (const HapSrpServer *server, gsize *len)
{
  g_return_val_if_fail (server != NULL, NULL);
  return buffer_if (TRUE, server->b_pub, server->p.n_len, len);
}

gboolean
hap_srp_server_set_client_public_key (
    HapSrpServer *server, const guint8 *a_pub, gsize a_pub_len, GError **error)
{
  const SrpParams *p;
  mpz_t a, u, t;
  gboolean ok = FALSE;

  g_return_val_if_fail (server != NULL, FALSE);
  g_return_val_if_fail (server->state == SRP_STATE_NEW, FALSE);
  g_return_val_if_fail (a_pub != NULL || a_pub_len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  p = &server->p;
  mpz_init2 (a, (mp_bitcnt_t) (8 * p->n_len + 64));
  mpz_init (u);
  secret_init (t, p);

  if (!check_public (p, a_pub, a_pub_len, "A", a, error))
    goto out;
  memcpy (server->a_pub, a_pub, p->n_len);
  if (!compute_u (p, server->a_pub, server->b_pub, u, error))
    goto out;

  /* S = (A * v^u % N) ^ b % N */
  powm_sec (t, server->v, u, p);
  mpz_mul (t, t, a);
  mpz_mod (t, t, p->N);
  powm_sec (t, t, server->b, p);
  mpz_to_padded (server->s, p->n_len, t);

  hash_parts (p->hash, server->k, server->s, p->n_len, NULL);
  compute_proofs (p, server->username, server->salt, server->salt_len, server->a_pub, server->b_pub,
      server->k, server->m1, server->m2);
  server_wipe_secrets (server);
  server->state = SRP_STATE_KEYED;
  ok = TRUE;

out:
  secret_clear (t);
  mpz_clear (u);
  mpz_clear (a);
  return ok;
}

gboolean
hap_srp_server_verify_client_proof (
    HapSrpServer *server, const guint8 *m1, gsize m1_len, GError **error)
{
  g_return_val_if_fail (server != NULL, FALSE);
  g_return_val_if_fail (server->state == SRP_STATE_KEYED, FALSE);
  g_return_val_if_fail (m1 != NULL || m1_len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return verify_peer_proof (&server->state, &server->p, server->m1, m1, m1_len, server->s,
      server->k, server->m1, server->m2, error);
}

const guint8 *
hap_srp_server_get_proof (const HapSrpServer *server, gsize *len)
{
  g_return_val_if_fail (server != NULL, NULL);
  return buffer_if (server->state == SRP_STATE_VERIFIED, server->m2, server->p.h_len, len);
}

const guint8 *
hap_srp_server_get_session_key (const HapSrpServer *server, gsize *len)
{
  g_return_val_if_fail (server != NULL, NULL);
  return buffer_if (server->state == SRP_STATE_VERIFIED, server->k, server->p.h_len, len);
}

const guint8 *
hap_srp_server_get_premaster_secret (const HapSrpServer *server, gsize *len)
{
  g_return_val_if_fail (server != NULL, NULL);
  return buffer_if (server->state == SRP_STATE_KEYED || server->state == SRP_STATE_VERIFIED,
      server->s, server->p.n_len, len);
}

/* ---- client ---- */

struct _HapSrpClient {
  SrpParams p;
  SrpState state;
  gchar *username;
  guint8 *password; /* secret, wiped once used */
  gsize password_len;
  mpz_t a; /* secret */
  gboolean have_secrets;
  guint8 salt[HAP_SRP_MAX_SALT_LEN];
  gsize salt_len;
  guint8 a_pub[HAP_SRP_MAX_N_LEN];
  guint8 b_pub[HAP_SRP_MAX_N_LEN];
  guint8 s[HAP_SRP_MAX_N_LEN];
  guint8 k[HAP_SRP_MAX_HASH_LEN];
  guint8 m1[HAP_SRP_MAX_HASH_LEN];
  guint8 m2[HAP_SRP_MAX_HASH_LEN]; /* expected server proof */
};

static void
client_wipe_secrets (HapSrpClient *client)
{
  if (client->have_secrets) {
    secret_clear (client->a);
    client->have_secrets = FALSE;
  }
  if (client->password != NULL) {
    sodium_memzero (client->password, client->password_len);
    g_free (client->password);
    client->password = NULL;
    client->password_len = 0;
  }
}

HapSrpClient *
hap_srp_client_new (HapSrpGroup group, HapSrpHash hash, const gchar *username,
    const guint8 *password, gsize password_len, const guint8 *secret, gsize secret_len)
{
  HapSrpClient *client;
  mpz_t t;

  g_return_val_if_fail (valid_group (group) && valid_hash (hash), NULL);
  g_return_val_if_fail (username != NULL, NULL);
  g_return_val_if_fail (password != NULL || password_len == 0, NULL);
  g_return_val_if_fail (
      secret == NULL || (secret_len > 0 && secret_len <= hap_srp_group_len (group)), NULL);

  if (sodium_init () < 0)
    g_error ("libsodium failed to initialise");

  client = g_new0 (HapSrpClient, 1);
  params_init (&client->p, group, hash);
  client->state = SRP_STATE_NEW;
  client->username = g_strdup (username);
  client->password = g_malloc (password_len + 1);
  if (password_len > 0)
    memcpy (client->password, password, password_len);
  client->password_len = password_len;
  secret_init (client->a, &client->p);
  client->have_secrets = TRUE;

  if (!load_secret (&client->p, secret, secret_len, client->a)) {
    hap_srp_client_free (client);
    g_return_val_if_reached (NULL); /* the caller's a is a multiple of N */
  }

  /* A = g^a % N */
  secret_init (t, &client->p);
  powm_sec (t, client->p.g, client->a, &client->p);
  mpz_to_padded (client->a_pub, client->p.n_len, t);
  secret_clear (t);
  return client;
}

void
hap_srp_client_free (HapSrpClient *client)
{
  if (client == NULL)
    return;
  client_wipe_secrets (client);
  params_clear (&client->p);
  g_free (client->username);
  sodium_memzero (client, sizeof *client);
  g_free (client);
}

const guint8 *
hap_srp_client_get_public_key (const HapSrpClient *client, gsize *len)
{
  g_return_val_if_fail (client != NULL, NULL);
  return buffer_if (TRUE, client->a_pub, client->p.n_len, len);
}

gboolean
hap_srp_client_set_server_public_key (HapSrpClient *client, const guint8 *salt, gsize salt_len,
    const guint8 *b_pub, gsize b_pub_len, GError **error)
{
  const SrpParams *p;
  guint8 xb[HAP_SRP_MAX_HASH_LEN];
  mpz_t b, u, x, t, e;
  gboolean ok = FALSE;

  g_return_val_if_fail (client != NULL, FALSE);
  g_return_val_if_fail (client->state == SRP_STATE_NEW, FALSE);
  g_return_val_if_fail (salt != NULL || salt_len == 0, FALSE);
  g_return_val_if_fail (b_pub != NULL || b_pub_len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  p = &client->p;
  if (salt_len == 0 || salt_len > HAP_SRP_MAX_SALT_LEN) {
    g_debug ("SRP: salt has %" G_GSIZE_FORMAT " bytes", salt_len);
    g_set_error (error, HAP_CODEC_ERROR,
        salt_len == 0 ? HAP_CODEC_ERROR_MALFORMED : HAP_CODEC_ERROR_TOO_LARGE,
        "SRP salt has %" G_GSIZE_FORMAT " bytes, expected 1 to %d", salt_len, HAP_SRP_MAX_SALT_LEN);
    return FALSE;
  }

  mpz_init2 (b, (mp_bitcnt_t) (8 * p->n_len + 64));
  mpz_init (u);
  secret_init (x, p);
  secret_init (t, p);
  secret_init (e, p);

  if (!check_public (p, b_pub, b_pub_len, "B", b, error))
    goto out;
  memcpy (client->b_pub, b_pub, p->n_len);
  if (!compute_u (p, client->a_pub, client->b_pub, u, error))
    goto out;

  memcpy (client->salt, salt, salt_len);
  client->salt_len = salt_len;
  compute_x (p->hash, salt, salt_len, client->username, client->password, client->password_len, xb);
  mpz_from_bytes (x, xb, p->h_len);

  /* S = (B - k * g^x) ^ (a + u * x) % N */
  powm_sec (t, p->g, x, p);
  mpz_mul (t, t, p->k);
  mpz_sub (t, b, t);
  mpz_mod (t, t, p->N);
  mpz_mul (e, u, x);
  mpz_add (e, e, client->a);
  powm_sec (t, t, e, p);
  mpz_to_padded (client->s, p->n_len, t);

  hash_parts (p->hash, client->k, client->s, p->n_len, NULL);
  compute_proofs (p, client->username, client->salt, client->salt_len, client->a_pub, client->b_pub,
      client->k, client->m1, client->m2);
  client_wipe_secrets (client);
  client->state = SRP_STATE_KEYED;
  ok = TRUE;

out:
  sodium_memzero (xb, sizeof xb);
  secret_clear (e);
  secret_clear (t);
  secret_clear (x);
  mpz_clear (u);
  mpz_clear (b);
  return ok;
}

const guint8 *
hap_srp_client_get_proof (const HapSrpClient *client, gsize *len)
{
  g_return_val_if_fail (client != NULL, NULL);
  return buffer_if (client->state == SRP_STATE_KEYED || client->state == SRP_STATE_VERIFIED,
      client->m1, client->p.h_len, len);
}

gboolean
hap_srp_client_verify_server_proof (
    HapSrpClient *client, const guint8 *m2, gsize m2_len, GError **error)
{
  g_return_val_if_fail (client != NULL, FALSE);
  g_return_val_if_fail (client->state == SRP_STATE_KEYED, FALSE);
  g_return_val_if_fail (m2 != NULL || m2_len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return verify_peer_proof (&client->state, &client->p, client->m2, m2, m2_len, client->s,
      client->k, client->m2, NULL, error);
}

const guint8 *
hap_srp_client_get_session_key (const HapSrpClient *client, gsize *len)
{
  g_return_val_if_fail (client != NULL, NULL);
  return buffer_if (client->state == SRP_STATE_VERIFIED, client->k, client->p.h_len, len);
}

const guint8 *
hap_srp_client_get_premaster_secret (const HapSrpClient *client, gsize *len)
{
  g_return_val_if_fail (client != NULL, NULL);
  return buffer_if (client->state == SRP_STATE_KEYED || client->state == SRP_STATE_VERIFIED,
      client->s, client->p.n_len, len);
}
