/* libhap: shared pairing constants and crypto steps. See hap/pairing-tlv.h. */
#include "hap/pairing-tlv.h"

#include <string.h>
#include <sodium.h>

#include "hap/hkdf.h"
#include "hap/parse.h"
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

/* head || id || tail, g_malloc'd; free it with hap_pairing_free_secret(). */
static guint8 *
info_new (const guint8 *head, const guint8 *id, gsize id_len, const guint8 *tail, gsize *out_len)
{
  guint8 *info;

  *out_len = 2 * HAP_PAIRING_KEY_LEN + id_len;
  info = g_malloc (*out_len);
  memcpy (info, head, HAP_PAIRING_KEY_LEN);
  if (id_len > 0)
    memcpy (info + HAP_PAIRING_KEY_LEN, id, id_len);
  memcpy (info + HAP_PAIRING_KEY_LEN + id_len, tail, HAP_PAIRING_KEY_LEN);
  return info;
}

void
hap_pairing_sign_info (const guint8 head[HAP_PAIRING_KEY_LEN], const guint8 *id, gsize id_len,
    const guint8 tail[HAP_PAIRING_KEY_LEN], const guint8 ltsk[HAP_PAIRING_LTSK_LEN],
    guint8 signature[HAP_PAIRING_SIGNATURE_LEN])
{
  guint8 *info;
  gsize info_len;

  g_return_if_fail (head != NULL && tail != NULL && ltsk != NULL && signature != NULL);
  g_return_if_fail (id != NULL || id_len == 0);

  info = info_new (head, id, id_len, tail, &info_len);
  crypto_sign_detached (signature, NULL, info, info_len, ltsk);
  hap_pairing_free_secret (info, info_len);
}

gboolean
hap_pairing_verify_info (const guint8 head[HAP_PAIRING_KEY_LEN], const guint8 *id, gsize id_len,
    const guint8 tail[HAP_PAIRING_KEY_LEN], const guint8 ltpk[HAP_PAIRING_LTPK_LEN],
    const guint8 signature[HAP_PAIRING_SIGNATURE_LEN])
{
  guint8 *info;
  gsize info_len;
  gboolean verified;

  g_return_val_if_fail (head != NULL && tail != NULL && ltpk != NULL && signature != NULL, FALSE);
  g_return_val_if_fail (id != NULL || id_len == 0, FALSE);

  info = info_new (head, id, id_len, tail, &info_len);
  verified = crypto_sign_verify_detached (signature, info, info_len, ltpk) == 0;
  hap_pairing_free_secret (info, info_len);
  return verified;
}

GBytes *
hap_pairing_encrypted_body (guint8 state, const guint8 *public_key,
    const guint8 key[HAP_PAIRING_KEY_LEN], const char *label, const char *id, const guint8 *ltpk,
    const guint8 signature[HAP_PAIRING_SIGNATURE_LEN])
{
  g_autoptr (GBytes) encrypted = NULL;
  HapTlv8Writer sub, w;
  const guint8 *plain;
  gsize plain_len;

  g_return_val_if_fail (key != NULL && label != NULL && id != NULL && signature != NULL, NULL);

  hap_tlv8_writer_init (&sub);
  hap_tlv8_add_string (&sub, HAP_PAIRING_TLV_IDENTIFIER, id);
  if (ltpk != NULL)
    hap_tlv8_add (&sub, HAP_PAIRING_TLV_PUBLIC_KEY, ltpk, HAP_PAIRING_LTPK_LEN);
  hap_tlv8_add (&sub, HAP_PAIRING_TLV_SIGNATURE, signature, HAP_PAIRING_SIGNATURE_LEN);
  plain = hap_tlv8_writer_data (&sub, &plain_len);
  encrypted = hap_pairing_encrypt (key, label, plain, plain_len);
  hap_tlv8_writer_clear (&sub);

  hap_tlv8_writer_init (&w);
  hap_tlv8_add_u8 (&w, HAP_PAIRING_TLV_STATE, state);
  if (public_key != NULL)
    hap_tlv8_add (&w, HAP_PAIRING_TLV_PUBLIC_KEY, public_key, HAP_PAIRING_CURVE_KEY_LEN);
  hap_tlv8_add (&w, HAP_PAIRING_TLV_ENCRYPTED_DATA, g_bytes_get_data (encrypted, NULL),
      g_bytes_get_size (encrypted));
  return hap_tlv8_writer_take_bytes (&w);
}

HapTlv8 *
hap_pairing_decrypt_tlv (const guint8 key[HAP_PAIRING_KEY_LEN], const char *label,
    const guint8 *ciphertext, gsize len, gboolean *decrypts)
{
  HapTlv8 *sub;
  guint8 *plain;
  gsize plain_len;

  g_return_val_if_fail (decrypts != NULL, NULL);

  *decrypts = FALSE;
  plain = hap_pairing_decrypt (key, label, ciphertext, len, &plain_len);
  if (plain == NULL)
    return NULL;
  *decrypts = TRUE;
  sub = hap_tlv8_parse (plain, plain_len, NULL);
  hap_pairing_free_secret (plain, plain_len);
  return sub;
}

gboolean
hap_pairing_find_signed_id (const HapTlv8 *sub, gsize id_max, const HapTlv8Item **id,
    const HapTlv8Item **ltpk, const HapTlv8Item **signature)
{
  g_return_val_if_fail (sub != NULL && id != NULL && ltpk != NULL && signature != NULL, FALSE);

  *id = hap_tlv8_find (sub, HAP_PAIRING_TLV_IDENTIFIER);
  *ltpk = hap_tlv8_find (sub, HAP_PAIRING_TLV_PUBLIC_KEY);
  *signature = hap_tlv8_find (sub, HAP_PAIRING_TLV_SIGNATURE);
  return *id != NULL && *ltpk != NULL && *signature != NULL
         && hap_pairing_id_is_valid ((*id)->value, (*id)->len, id_max)
         && (*ltpk)->len == HAP_PAIRING_LTPK_LEN && (*signature)->len == HAP_PAIRING_SIGNATURE_LEN;
}

HapTlv8 *
hap_pairing_parse_response (const guint8 *body, gsize len, guint8 expected_state, GError **error)
{
  g_autoptr (HapTlv8) tlv = NULL;
  guint8 state;

  g_return_val_if_fail (body != NULL || len == 0, NULL);

  tlv = hap_tlv8_parse (body, len, error);
  if (tlv == NULL)
    return NULL;
  if (hap_pairing_response_has_error (tlv, error))
    return NULL;
  if (!hap_tlv8_get_u8 (tlv, HAP_PAIRING_TLV_STATE, &state) || state != expected_state) {
    g_set_error_literal (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_MALFORMED, "unexpected state");
    return NULL;
  }
  return g_steal_pointer (&tlv);
}

gboolean
hap_pairing_derive_control_keys (const guint8 *shared_secret,
    guint8 accessory_to_controller[HAP_PAIRING_KEY_LEN],
    guint8 controller_to_accessory[HAP_PAIRING_KEY_LEN])
{
  g_return_val_if_fail (accessory_to_controller != NULL && controller_to_accessory != NULL, FALSE);

  if (shared_secret == NULL) {
    memset (accessory_to_controller, 0, HAP_PAIRING_KEY_LEN);
    memset (controller_to_accessory, 0, HAP_PAIRING_KEY_LEN);
    return FALSE;
  }
  hap_pairing_derive_key (shared_secret, HAP_PAIRING_CURVE_KEY_LEN, "Control-Salt",
      "Control-Read-Encryption-Key", accessory_to_controller);
  hap_pairing_derive_key (shared_secret, HAP_PAIRING_CURVE_KEY_LEN, "Control-Salt",
      "Control-Write-Encryption-Key", controller_to_accessory);
  return TRUE;
}
