/* libhap: counter-nonce ChaCha20-Poly1305. See aead.h. */
#include "hap/aead.h"

#include <sodium.h>
#include <string.h>

G_STATIC_ASSERT (crypto_aead_chacha20poly1305_ietf_KEYBYTES == HAP_AEAD_KEY_LEN);
G_STATIC_ASSERT (crypto_aead_chacha20poly1305_ietf_ABYTES == HAP_AEAD_TAG_LEN);
G_STATIC_ASSERT (crypto_aead_chacha20poly1305_ietf_NPUBBYTES == HAP_AEAD_NONCE_LEN);

gboolean
hap_aead_init (void)
{
  return sodium_init () >= 0;
}

void
hap_aead_nonce (guint8 nonce[HAP_AEAD_NONCE_LEN], guint64 counter)
{
  memset (nonce, 0, 4);
  for (guint i = 0; i < 8; i++)
    nonce[4 + i] = (guint8) (counter >> (8 * i));
}

void
hap_aead_encrypt (const guint8 key[HAP_AEAD_KEY_LEN], guint64 counter, const guint8 *aad,
    gsize aad_len, const guint8 *in, gsize len, guint8 *out, guint8 tag[HAP_AEAD_TAG_LEN])
{
  guint8 nonce[HAP_AEAD_NONCE_LEN];

  hap_aead_nonce (nonce, counter);
  crypto_aead_chacha20poly1305_ietf_encrypt_detached (
      out, tag, NULL, in, len, aad, aad_len, NULL, nonce, key);
}

gboolean
hap_aead_decrypt (const guint8 key[HAP_AEAD_KEY_LEN], guint64 counter, const guint8 *aad,
    gsize aad_len, const guint8 *in, gsize len, const guint8 tag[HAP_AEAD_TAG_LEN], guint8 *out)
{
  guint8 nonce[HAP_AEAD_NONCE_LEN];

  hap_aead_nonce (nonce, counter);
  return crypto_aead_chacha20poly1305_ietf_decrypt_detached (
             out, NULL, in, len, tag, aad, aad_len, nonce, key)
         == 0;
}

void
hap_aead_wipe (gpointer mem, gsize len)
{
  if (len)
    sodium_memzero (mem, len);
}
