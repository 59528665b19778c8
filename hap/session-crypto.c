/* libhap: HAP encrypted session frames. See session-crypto.h. */
#include "hap/session-crypto.h"

#include <string.h>

#include "hap/aead.h"

struct _HapSessionCrypto {
  guint8 encrypt_key[HAP_SESSION_KEY_LEN];
  guint8 decrypt_key[HAP_SESSION_KEY_LEN];
  guint64 encrypt_counter;
  guint64 decrypt_counter;
  /* Decoder: bytes of the frame being received, when it arrived in pieces. */
  guint8 buf[HAP_SESSION_MAX_FRAME];
  gsize fill;
  gboolean failed;
};

/* Nonce: 4 zero bytes + u64 LE counter (PROTOCOL.md section 1), see aead.h. */
G_STATIC_ASSERT (HAP_AEAD_KEY_LEN == HAP_SESSION_KEY_LEN);
G_STATIC_ASSERT (HAP_AEAD_TAG_LEN == HAP_SESSION_TAG_LEN);

HapSessionCrypto *
hap_session_crypto_new (
    const guint8 encrypt_key[HAP_SESSION_KEY_LEN], const guint8 decrypt_key[HAP_SESSION_KEY_LEN])
{
  HapSessionCrypto *self;

  g_return_val_if_fail (encrypt_key != NULL, NULL);
  g_return_val_if_fail (decrypt_key != NULL, NULL);
  g_return_val_if_fail (hap_aead_init (), NULL);

  self = g_new0 (HapSessionCrypto, 1);
  memcpy (self->encrypt_key, encrypt_key, HAP_SESSION_KEY_LEN);
  memcpy (self->decrypt_key, decrypt_key, HAP_SESSION_KEY_LEN);
  return self;
}

void
hap_session_crypto_free (HapSessionCrypto *self)
{
  if (self == NULL)
    return;
  hap_aead_wipe (self, sizeof *self);
  g_free (self);
}

guint64
hap_session_crypto_get_encrypt_counter (const HapSessionCrypto *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->encrypt_counter;
}

guint64
hap_session_crypto_get_decrypt_counter (const HapSessionCrypto *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->decrypt_counter;
}

gboolean
hap_session_crypto_has_failed (const HapSessionCrypto *self)
{
  g_return_val_if_fail (self != NULL, TRUE);
  return self->failed;
}

static guint64
frame_count (gsize len)
{
  return len / HAP_SESSION_MAX_PAYLOAD + (len % HAP_SESSION_MAX_PAYLOAD != 0);
}

gsize
hap_session_crypto_encrypted_size (gsize plaintext_len)
{
  guint64 frames = frame_count (plaintext_len);

  if (frames > (G_MAXSIZE - plaintext_len) / HAP_SESSION_FRAME_OVERHEAD)
    return 0;
  return plaintext_len + (gsize) frames * HAP_SESSION_FRAME_OVERHEAD;
}

gsize
hap_session_crypto_encrypt (
    HapSessionCrypto *self, const guint8 *plaintext, gsize len, guint8 *out, gsize out_size)
{
  gsize need, done = 0, written = 0;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (plaintext != NULL || len == 0, 0);
  if (len == 0)
    return 0;
  need = hap_session_crypto_encrypted_size (len);
  g_return_val_if_fail (need != 0 && out != NULL && out_size >= need, 0);
  /* Never reuse a nonce: refuse up front rather than send part of the data. */
  if (frame_count (len) > G_MAXUINT64 - self->encrypt_counter) {
    g_debug ("session: encrypt counter exhausted");
    return 0;
  }

  while (done < len) {
    gsize n = MIN (len - done, HAP_SESSION_MAX_PAYLOAD);
    guint8 *frame = out + written;

    frame[0] = (guint8) (n & 0xff);
    frame[1] = (guint8) (n >> 8);
    hap_aead_encrypt (self->encrypt_key, self->encrypt_counter, frame, HAP_SESSION_LENGTH_LEN,
        plaintext + done, n, frame + HAP_SESSION_LENGTH_LEN, frame + HAP_SESSION_LENGTH_LEN + n);
    self->encrypt_counter++;
    done += n;
    written += n + HAP_SESSION_FRAME_OVERHEAD;
  }
  return written;
}

gboolean
hap_session_crypto_encrypt_append (
    HapSessionCrypto *self, const guint8 *plaintext, gsize len, GByteArray *out)
{
  guint old_len;
  gsize need;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (plaintext != NULL || len == 0, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  if (len == 0)
    return TRUE;
  need = hap_session_crypto_encrypted_size (len);
  g_return_val_if_fail (need != 0 && need <= G_MAXUINT - out->len, FALSE);

  old_len = out->len;
  g_byte_array_set_size (out, old_len + (guint) need);
  if (hap_session_crypto_encrypt (self, plaintext, len, out->data + old_len, need) != need) {
    g_byte_array_set_size (out, old_len);
    return FALSE;
  }
  return TRUE;
}

static HapParseResult
fail (HapSessionCrypto *self, GError **error, gint code, const gchar *what)
{
  self->failed = TRUE;
  hap_aead_wipe (self->buf, sizeof self->buf);
  self->fill = 0;
  g_debug ("session: rejecting frame %" G_GUINT64_FORMAT ": %s", self->decrypt_counter, what);
  g_set_error (error, HAP_CODEC_ERROR, code, "HAP session frame %" G_GUINT64_FORMAT ": %s",
      self->decrypt_counter, what);
  return HAP_PARSE_INVALID;
}

/* Length field check, as soon as its two bytes are known. */
static gboolean
check_length (HapSessionCrypto *self, const guint8 *frame, gsize *payload_len, GError **error)
{
  gsize n = (gsize) frame[0] | (gsize) frame[1] << 8;

  if (n == 0 || n > HAP_SESSION_MAX_PAYLOAD) {
    fail (
        self, error, HAP_CODEC_ERROR_OUT_OF_RANGE, n == 0 ? "length 0" : "length over 1024 bytes");
    return FALSE;
  }
  *payload_len = n;
  return TRUE;
}

/* Authenticates and decrypts one complete frame (`n` payload bytes) into `out`. */
static HapParseResult
open_frame (HapSessionCrypto *self, const guint8 *frame, gsize n, guint8 *out, gsize *out_len,
    GError **error)
{
  if (self->decrypt_counter == G_MAXUINT64)
    return fail (self, error, HAP_CODEC_ERROR_OUT_OF_RANGE, "decrypt counter exhausted");
  /* `out` gets nothing of the plaintext when the tag does not verify. */
  if (!hap_aead_decrypt (self->decrypt_key, self->decrypt_counter, frame, HAP_SESSION_LENGTH_LEN,
          frame + HAP_SESSION_LENGTH_LEN, n, frame + HAP_SESSION_LENGTH_LEN + n, out))
    return fail (self, error, HAP_CODEC_ERROR_AUTH, "authentication failed");
  self->decrypt_counter++;
  *out_len = n;
  return HAP_PARSE_OK;
}

HapParseResult
hap_session_crypto_decrypt (HapSessionCrypto *self, const guint8 *data, gsize len, gsize *consumed,
    guint8 out[HAP_SESSION_MAX_PAYLOAD], gsize *out_len, GError **error)
{
  gsize pos = 0, n = 0;

  g_return_val_if_fail (self != NULL, HAP_PARSE_INVALID);
  g_return_val_if_fail (data != NULL || len == 0, HAP_PARSE_INVALID);
  g_return_val_if_fail (consumed != NULL, HAP_PARSE_INVALID);
  g_return_val_if_fail (out != NULL, HAP_PARSE_INVALID);
  g_return_val_if_fail (out_len != NULL, HAP_PARSE_INVALID);
  g_return_val_if_fail (error == NULL || *error == NULL, HAP_PARSE_INVALID);

  *consumed = 0;
  *out_len = 0;
  if (self->failed) {
    g_set_error_literal (
        error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_MALFORMED, "HAP session decoder already failed");
    return HAP_PARSE_INVALID;
  }

  /* Fast path: a whole frame at the start of `data`, nothing buffered: no copy. */
  if (self->fill == 0 && len >= HAP_SESSION_LENGTH_LEN) {
    if (!check_length (self, data, &n, error)) {
      *consumed = HAP_SESSION_LENGTH_LEN;
      return HAP_PARSE_INVALID;
    }
    if (len >= n + HAP_SESSION_FRAME_OVERHEAD) {
      *consumed = n + HAP_SESSION_FRAME_OVERHEAD;
      return open_frame (self, data, n, out, out_len, error);
    }
  }

  /* Slow path: gather the frame in self->buf. */
  while (pos < len) {
    gsize want, take;

    if (self->fill < HAP_SESSION_LENGTH_LEN) {
      want = HAP_SESSION_LENGTH_LEN;
    } else {
      n = (gsize) self->buf[0] | (gsize) self->buf[1] << 8;
      want = n + HAP_SESSION_FRAME_OVERHEAD;
    }
    take = MIN (want - self->fill, len - pos);
    memcpy (self->buf + self->fill, data + pos, take);
    self->fill += take;
    pos += take;
    *consumed = pos;

    if (self->fill == HAP_SESSION_LENGTH_LEN) {
      if (!check_length (self, self->buf, &n, error))
        return HAP_PARSE_INVALID;
    } else if (self->fill == want) {
      HapParseResult res = open_frame (self, self->buf, n, out, out_len, error);

      hap_aead_wipe (self->buf, self->fill);
      self->fill = 0;
      return res;
    }
  }
  return HAP_PARSE_NEED_MORE;
}

HapParseResult
hap_session_crypto_decrypt_append (
    HapSessionCrypto *self, const guint8 *data, gsize len, GByteArray *out, GError **error)
{
  guint old_len;
  gboolean any = FALSE;

  g_return_val_if_fail (self != NULL, HAP_PARSE_INVALID);
  g_return_val_if_fail (data != NULL || len == 0, HAP_PARSE_INVALID);
  g_return_val_if_fail (out != NULL, HAP_PARSE_INVALID);
  g_return_val_if_fail (error == NULL || *error == NULL, HAP_PARSE_INVALID);

  old_len = out->len;
  if (len == 0 && self->failed) {
    g_set_error_literal (
        error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_MALFORMED, "HAP session decoder already failed");
    return HAP_PARSE_INVALID;
  }
  while (len > 0) {
    gsize consumed = 0, n = 0;
    guint at = out->len;
    HapParseResult res;

    /* Decrypt straight into the array. */
    g_byte_array_set_size (out, at + HAP_SESSION_MAX_PAYLOAD);
    res = hap_session_crypto_decrypt (self, data, len, &consumed, out->data + at, &n, error);
    g_byte_array_set_size (out, at + (guint) n);
    if (res == HAP_PARSE_INVALID) {
      g_byte_array_set_size (out, old_len);
      return HAP_PARSE_INVALID;
    }
    if (res == HAP_PARSE_OK)
      any = TRUE;
    data += consumed;
    len -= consumed;
  }
  return any ? HAP_PARSE_OK : HAP_PARSE_NEED_MORE;
}
