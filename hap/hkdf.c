/* libhap: HKDF-SHA512 (RFC 5869) on libsodium's HMAC-SHA512. See hkdf.h. */
#include "hap/hkdf.h"

#include <string.h>
#include <sodium.h>

/* Pointer handed to libsodium for zero-length inputs so that it never sees NULL. */
static const guint8 empty[1] = { 0 };

void
hap_hkdf_sha512_extract (const guint8 *salt, gsize salt_len, const guint8 *ikm, gsize ikm_len,
    guint8 prk[HAP_HKDF_SHA512_HASH_LEN])
{
  crypto_auth_hmacsha512_state st;

  g_return_if_fail (salt != NULL || salt_len == 0);
  g_return_if_fail (ikm != NULL || ikm_len == 0);
  g_return_if_fail (prk != NULL);

  /* HMAC pads its key with zeros to the block size, so an empty salt is exactly the RFC's
   * HashLen zero bytes. */
  crypto_auth_hmacsha512_init (&st, salt_len ? salt : empty, salt_len);
  crypto_auth_hmacsha512_update (&st, ikm_len ? ikm : empty, ikm_len);
  crypto_auth_hmacsha512_final (&st, prk);
  sodium_memzero (&st, sizeof st);
}

gboolean
hap_hkdf_sha512_expand (const guint8 *prk, gsize prk_len, const guint8 *info, gsize info_len,
    guint8 *out, gsize out_len)
{
  crypto_auth_hmacsha512_state st;
  guint8 t[HAP_HKDF_SHA512_HASH_LEN];
  gsize done = 0;
  guint8 counter = 1;

  g_return_val_if_fail (prk != NULL && prk_len > 0, FALSE);
  g_return_val_if_fail (info != NULL || info_len == 0, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (out_len > 0 && out_len <= HAP_HKDF_SHA512_MAX_OUT, FALSE);

  /* T(0) = empty; T(i) = HMAC(PRK, T(i-1) | info | i); OKM = first L bytes of T(1) | T(2)... */
  while (done < out_len) {
    gsize n = MIN (out_len - done, sizeof t);

    crypto_auth_hmacsha512_init (&st, prk, prk_len);
    if (counter > 1)
      crypto_auth_hmacsha512_update (&st, t, sizeof t);
    if (info_len > 0)
      crypto_auth_hmacsha512_update (&st, info, info_len);
    crypto_auth_hmacsha512_update (&st, &counter, 1);
    crypto_auth_hmacsha512_final (&st, t);
    memcpy (out + done, t, n);
    done += n;
    counter++;
  }

  sodium_memzero (&st, sizeof st);
  sodium_memzero (t, sizeof t);
  return TRUE;
}

gboolean
hap_hkdf_sha512 (const guint8 *ikm, gsize ikm_len, const guint8 *salt, gsize salt_len,
    const guint8 *info, gsize info_len, guint8 *out, gsize out_len)
{
  guint8 prk[HAP_HKDF_SHA512_HASH_LEN];
  gboolean ok;

  g_return_val_if_fail (ikm != NULL || ikm_len == 0, FALSE);
  g_return_val_if_fail (salt != NULL || salt_len == 0, FALSE);
  g_return_val_if_fail (info != NULL || info_len == 0, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (out_len > 0 && out_len <= HAP_HKDF_SHA512_MAX_OUT, FALSE);

  hap_hkdf_sha512_extract (salt, salt_len, ikm, ikm_len, prk);
  ok = hap_hkdf_sha512_expand (prk, sizeof prk, info, info_len, out, out_len);
  sodium_memzero (prk, sizeof prk);
  return ok;
}
