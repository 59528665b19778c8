/* libhap: shared pairing constants and crypto steps. See hap/pairing-tlv.h. */
#include "hap/pairing-tlv.h"

#include <string.h>
#include <sodium.h>

#include "hap/hkdf.h"
#include "hap/tlv8.h"

G_DEFINE_QUARK (hap - pairing - error - quark, hap_pairing_error)

G_STATIC_ASSERT (crypto_aead_chacha20poly1305_ietf_KEYBYTES == HAP_PAIRING_KEY_LEN);
G_STATIC_ASSERT (crypto_aead_chacha20poly1305_ietf_ABYTES == HAP_PAIRING_TAG_LEN);
G_STATIC_ASSERT (crypto_sign_PUBLICKEYBYTES == HAP_PAIRING_LTPK_LEN);
G_STATIC_ASSERT (crypto_sign_SECRETKEYBYTES == HAP_PAIRING_LTSK_LEN);
G_STATIC_ASSERT (crypto_sign_BYTES == HAP_PAIRING_SIGNATURE_LEN);
G_STATIC_ASSERT (crypto_scalarmult_BYTES == HAP_PAIRING_CURVE_KEY_LEN);

GBytes *
hap_pairing_error_response (guint8 state, HapPairingError error)
{
  HapTlv8Writer w;

  hap_tlv8_writer_init (&w);
  hap_tlv8_add_u8 (&w, HAP_PAIRING_TLV_STATE, state);
  hap_tlv8_add_u8 (&w, HAP_PAIRING_TLV_ERROR, (guint8) error);
  return hap_tlv8_writer_take_bytes (&w);
}

void
hap_pairing_derive_key (const guint8 *ikm, gsize ikm_len, const char *salt, const char *info,
    guint8 out[HAP_PAIRING_KEY_LEN])
{
  g_return_if_fail (ikm != NULL && salt != NULL && info != NULL && out != NULL);

  hap_hkdf_sha512 (ikm, ikm_len, (const guint8 *) salt, strlen (salt), (const guint8 *) info,
      strlen (info), out, HAP_PAIRING_KEY_LEN);
}

static gboolean
make_nonce (const char *label, guint8 nonce[crypto_aead_chacha20poly1305_ietf_NPUBBYTES])
{
  g_return_val_if_fail (label != NULL && strlen (label) == 8, FALSE);

  memset (nonce, 0, 4);
  memcpy (nonce + 4, label, 8);
  return TRUE;
}

GBytes *
hap_pairing_encrypt (
    const guint8 key[HAP_PAIRING_KEY_LEN], const char *label, const guint8 *plaintext, gsize len)
{
  guint8 nonce[crypto_aead_chacha20poly1305_ietf_NPUBBYTES];
  guint8 *out;

  g_return_val_if_fail (key != NULL && (plaintext != NULL || len == 0), NULL);
  g_return_val_if_fail (sodium_init () >= 0, NULL);
  if (!make_nonce (label, nonce))
    return NULL;

  out = g_malloc (len + HAP_PAIRING_TAG_LEN);
  crypto_aead_chacha20poly1305_ietf_encrypt_detached (
      out, out + len, NULL, plaintext, len, NULL, 0, NULL, nonce, key);
  return g_bytes_new_take (out, len + HAP_PAIRING_TAG_LEN);
}

guint8 *
hap_pairing_decrypt (const guint8 key[HAP_PAIRING_KEY_LEN], const char *label,
    const guint8 *ciphertext, gsize len, gsize *out_len)
{
  guint8 nonce[crypto_aead_chacha20poly1305_ietf_NPUBBYTES];
  guint8 *out;
  gsize plain_len;

  g_return_val_if_fail (key != NULL && out_len != NULL, NULL);
  g_return_val_if_fail (ciphertext != NULL || len == 0, NULL);
  g_return_val_if_fail (sodium_init () >= 0, NULL);
  if (!make_nonce (label, nonce))
    return NULL;

  *out_len = 0;
  if (len < HAP_PAIRING_TAG_LEN)
    return NULL;
  plain_len = len - HAP_PAIRING_TAG_LEN;
  /* One spare byte so that an empty plaintext still has a non-NULL buffer. */
  out = g_malloc (plain_len + 1);
  if (crypto_aead_chacha20poly1305_ietf_decrypt_detached (
          out, NULL, ciphertext, plain_len, ciphertext + plain_len, NULL, 0, nonce, key)
      != 0) {
    hap_pairing_free_secret (out, plain_len + 1);
    return NULL;
  }
  *out_len = plain_len;
  return out;
}

void
hap_pairing_free_secret (guint8 *data, gsize len)
{
  if (data == NULL)
    return;
  sodium_memzero (data, len);
  g_free (data);
}

gboolean
hap_pairing_id_is_valid (const guint8 *id, gsize len, gsize max_len)
{
  if (id == NULL || len == 0 || len > max_len)
    return FALSE;
  if (memchr (id, 0, len) != NULL)
    return FALSE;
  return g_utf8_validate ((const gchar *) id, (gssize) len, NULL);
}

gboolean
hap_pairing_response_has_error (const HapTlv8 *response, GError **error)
{
  const HapTlv8Item *item;

  g_return_val_if_fail (response != NULL, FALSE);

  item = hap_tlv8_find (response, HAP_PAIRING_TLV_ERROR);
  if (item == NULL)
    return FALSE;
  g_set_error (error, HAP_PAIRING_ERROR, item->len == 1 ? item->value[0] : 0,
      "the accessory answered with error %d", item->len == 1 ? item->value[0] : -1);
  return TRUE;
}
