/* libhap: HomeKit Data Stream frames. See hds-frame.h. */
#include "hap/hds-frame.h"

#include <string.h>

#include "hap/aead.h"

struct _HapHdsFrameCodec {
  guint8 encrypt_key[HAP_HDS_KEY_LEN];
  guint8 decrypt_key[HAP_HDS_KEY_LEN];
  guint64 encrypt_counter;
  guint64 decrypt_counter;
  gboolean failed;
  /* Decoder: header of the frame being received and how much of it arrived. */
  guint8 header[HAP_HDS_FRAME_HEADER_LEN];
  gsize header_fill;
  gsize payload_len;
  /* Ciphertext + tag of a frame that arrives in pieces (decrypted in place), or the
   * plaintext of a frame that arrived whole. Grows to the largest frame seen; kept. */
  guint8 *buf;
  gsize buf_size;
  gsize buf_fill;
};

/* Nonce: 4 zero bytes + u64 LE counter (PROTOCOL.md section 3), see aead.h. */
G_STATIC_ASSERT (HAP_AEAD_KEY_LEN == HAP_HDS_KEY_LEN);
G_STATIC_ASSERT (HAP_AEAD_TAG_LEN == HAP_HDS_FRAME_TAG_LEN);

static void
write_header (guint8 header[HAP_HDS_FRAME_HEADER_LEN], gsize payload_len)
{
  header[0] = HAP_HDS_FRAME_TYPE_ENCRYPTED;
  header[1] = (guint8) (payload_len >> 16);
  header[2] = (guint8) (payload_len >> 8);
  header[3] = (guint8) payload_len;
}

HapHdsFrameCodec *
hap_hds_frame_codec_new (
    const guint8 encrypt_key[HAP_HDS_KEY_LEN], const guint8 decrypt_key[HAP_HDS_KEY_LEN])
{
  HapHdsFrameCodec *self;

  g_return_val_if_fail (encrypt_key != NULL, NULL);
  g_return_val_if_fail (decrypt_key != NULL, NULL);
  g_return_val_if_fail (hap_aead_init (), NULL);

  self = g_new0 (HapHdsFrameCodec, 1);
  memcpy (self->encrypt_key, encrypt_key, HAP_HDS_KEY_LEN);
  memcpy (self->decrypt_key, decrypt_key, HAP_HDS_KEY_LEN);
  return self;
}

void
hap_hds_frame_codec_free (HapHdsFrameCodec *self)
{
  if (self == NULL)
    return;
  if (self->buf) {
    hap_aead_wipe (self->buf, self->buf_size);
    g_free (self->buf);
  }
  hap_aead_wipe (self, sizeof *self);
  g_free (self);
}

guint64
hap_hds_frame_codec_get_encrypt_counter (const HapHdsFrameCodec *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->encrypt_counter;
}

guint64
hap_hds_frame_codec_get_decrypt_counter (const HapHdsFrameCodec *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->decrypt_counter;
}

gboolean
hap_hds_frame_codec_has_failed (const HapHdsFrameCodec *self)
{
  g_return_val_if_fail (self != NULL, TRUE);
  return self->failed;
}

/* Checks the header bytes known so far (1 to 4 of them). */
static HapParseResult
check_header (const guint8 *data, gsize len, gsize *payload_len, GError **error)
{
  gsize n;

  if (len >= 1 && data[0] != HAP_HDS_FRAME_TYPE_ENCRYPTED) {
    g_debug ("hds: unknown frame type 0x%02x", data[0]);
    g_set_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_MALFORMED,
        "HDS frame: unknown type 0x%02x", data[0]);
    return HAP_PARSE_INVALID;
  }
  if (len < HAP_HDS_FRAME_HEADER_LEN)
    return HAP_PARSE_NEED_MORE;
  n = (gsize) data[1] << 16 | (gsize) data[2] << 8 | (gsize) data[3];
  if (n > HAP_HDS_FRAME_MAX_PAYLOAD) {
    g_debug ("hds: frame length %" G_GSIZE_FORMAT " over the limit", n);
    g_set_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_TOO_LARGE,
        "HDS frame: payload length %" G_GSIZE_FORMAT " over %u", n, HAP_HDS_FRAME_MAX_PAYLOAD);
    return HAP_PARSE_INVALID;
  }
  *payload_len = n;
  return HAP_PARSE_OK;
}

HapParseResult
hap_hds_frame_parse_header (const guint8 *data, gsize len, gsize *payload_len, GError **error)
{
  gsize n = 0;
  HapParseResult res;

  g_return_val_if_fail (data != NULL || len == 0, HAP_PARSE_INVALID);
  g_return_val_if_fail (payload_len != NULL, HAP_PARSE_INVALID);
  g_return_val_if_fail (error == NULL || *error == NULL, HAP_PARSE_INVALID);

  res = check_header (data, MIN (len, HAP_HDS_FRAME_HEADER_LEN), &n, error);
  *payload_len = res == HAP_PARSE_OK ? n : 0;
  return res;
}

/* Encrypts `len` bytes from `in` to `out` (which may be the same) with the next counter and
 * writes header and tag around `out`. */
static gboolean
seal (HapHdsFrameCodec *self, guint8 *header, const guint8 *in, guint8 *out, gsize len)
{
  if (self->encrypt_counter == G_MAXUINT64) {
    g_debug ("hds: encrypt counter exhausted");
    return FALSE;
  }
  write_header (header, len);
  hap_aead_encrypt (self->encrypt_key, self->encrypt_counter, header, HAP_HDS_FRAME_HEADER_LEN, in,
      len, out, out + len);
  self->encrypt_counter++;
  return TRUE;
}

gboolean
hap_hds_frame_encode_in_place (HapHdsFrameCodec *self, guint8 *frame, gsize payload_len)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (frame != NULL, FALSE);
  g_return_val_if_fail (payload_len <= HAP_HDS_FRAME_MAX_PAYLOAD, FALSE);

  return seal (
      self, frame, frame + HAP_HDS_FRAME_HEADER_LEN, frame + HAP_HDS_FRAME_HEADER_LEN, payload_len);
}

gsize
hap_hds_frame_encode (
    HapHdsFrameCodec *self, const guint8 *payload, gsize len, guint8 *out, gsize out_size)
{
  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (payload != NULL || len == 0, 0);
  g_return_val_if_fail (len <= HAP_HDS_FRAME_MAX_PAYLOAD, 0);
  g_return_val_if_fail (out != NULL && out_size >= len + HAP_HDS_FRAME_OVERHEAD, 0);

  if (!seal (self, out, payload, out + HAP_HDS_FRAME_HEADER_LEN, len))
    return 0;
  return len + HAP_HDS_FRAME_OVERHEAD;
}

gboolean
hap_hds_frame_encode_append (
    HapHdsFrameCodec *self, const guint8 *payload, gsize len, GByteArray *out)
{
  guint old_len;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (payload != NULL || len == 0, FALSE);
  g_return_val_if_fail (len <= HAP_HDS_FRAME_MAX_PAYLOAD, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (out->len <= G_MAXUINT - HAP_HDS_FRAME_MAX, FALSE);

  old_len = out->len;
  g_byte_array_set_size (out, old_len + (guint) (len + HAP_HDS_FRAME_OVERHEAD));
  if (hap_hds_frame_encode (self, payload, len, out->data + old_len, len + HAP_HDS_FRAME_OVERHEAD)
      == 0) {
    g_byte_array_set_size (out, old_len);
    return FALSE;
  }
  return TRUE;
}

static HapParseResult
fail (HapHdsFrameCodec *self)
{
  self->failed = TRUE;
  if (self->buf)
    hap_aead_wipe (self->buf, self->buf_size);
  self->header_fill = 0;
  self->buf_fill = 0;
  return HAP_PARSE_INVALID;
}

static HapParseResult
fail_auth (HapHdsFrameCodec *self, GError **error)
{
  g_debug ("hds: frame %" G_GUINT64_FORMAT " failed to authenticate", self->decrypt_counter);
  g_set_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_AUTH,
      "HDS frame %" G_GUINT64_FORMAT ": authentication failed", self->decrypt_counter);
  return fail (self);
}

static gboolean
check_decrypt_counter (HapHdsFrameCodec *self, GError **error)
{
  if (self->decrypt_counter != G_MAXUINT64)
    return TRUE;
  g_set_error_literal (
      error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_OUT_OF_RANGE, "HDS frame: decrypt counter exhausted");
  fail (self);
  return FALSE;
}

static gboolean
check_not_failed (HapHdsFrameCodec *self, GError **error)
{
  if (!self->failed)
    return TRUE;
  g_set_error_literal (
      error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_MALFORMED, "HDS frame decoder already failed");
  return FALSE;
}

/* Makes self->buf hold at least `size` bytes (at least 1). */
static void
reserve (HapHdsFrameCodec *self, gsize size)
{
  size = MAX (size, 1);
  if (self->buf_size >= size)
    return;
  if (self->buf) {
    hap_aead_wipe (self->buf, self->buf_size);
    g_free (self->buf);
  }
  self->buf = g_malloc (size);
  self->buf_size = size;
}

/* Authenticates and decrypts ciphertext `in` (payload_len bytes then the tag) to `out` (may be
 * `in`), with `header` as AAD and the next decrypt counter. */
static HapParseResult
open_frame (HapHdsFrameCodec *self, const guint8 *header, const guint8 *in, guint8 *out,
    gsize payload_len, GError **error)
{
  if (!check_decrypt_counter (self, error))
    return HAP_PARSE_INVALID;
  /* On failure `out` gets nothing of the plaintext. */
  if (!hap_aead_decrypt (self->decrypt_key, self->decrypt_counter, header, HAP_HDS_FRAME_HEADER_LEN,
          in, payload_len, in + payload_len, out))
    return fail_auth (self, error);
  self->decrypt_counter++;
  return HAP_PARSE_OK;
}

HapParseResult
hap_hds_frame_decode (HapHdsFrameCodec *self, const guint8 *data, gsize len, gsize *consumed,
    const guint8 **payload, gsize *payload_len, GError **error)
{
  gsize pos = 0, n = 0;
  HapParseResult res;

  g_return_val_if_fail (self != NULL, HAP_PARSE_INVALID);
  g_return_val_if_fail (data != NULL || len == 0, HAP_PARSE_INVALID);
  g_return_val_if_fail (consumed != NULL, HAP_PARSE_INVALID);
  g_return_val_if_fail (payload != NULL, HAP_PARSE_INVALID);
  g_return_val_if_fail (payload_len != NULL, HAP_PARSE_INVALID);
  g_return_val_if_fail (error == NULL || *error == NULL, HAP_PARSE_INVALID);

  *consumed = 0;
  *payload = NULL;
  *payload_len = 0;
  if (!check_not_failed (self, error))
    return HAP_PARSE_INVALID;

  /* Fast path: a whole frame at the start of `data` and nothing buffered: decrypt straight
   * from the caller's bytes into self->buf. */
  if (self->header_fill == 0 && len >= HAP_HDS_FRAME_HEADER_LEN) {
    res = check_header (data, HAP_HDS_FRAME_HEADER_LEN, &n, error);
    if (res != HAP_PARSE_OK) {
      *consumed = data[0] != HAP_HDS_FRAME_TYPE_ENCRYPTED ? 1 : HAP_HDS_FRAME_HEADER_LEN;
      return fail (self);
    }
    if (len - HAP_HDS_FRAME_HEADER_LEN >= n + HAP_HDS_FRAME_TAG_LEN) {
      reserve (self, n);
      *consumed = n + HAP_HDS_FRAME_OVERHEAD;
      res = open_frame (self, data, data + HAP_HDS_FRAME_HEADER_LEN, self->buf, n, error);
      if (res == HAP_PARSE_OK) {
        *payload = self->buf;
        *payload_len = n;
      }
      return res;
    }
  }

  /* Slow path: gather the header, then ciphertext + tag into self->buf. */
  while (pos < len) {
    if (self->header_fill < HAP_HDS_FRAME_HEADER_LEN) {
      self->header[self->header_fill++] = data[pos++];
      *consumed = pos;
      res = check_header (self->header, self->header_fill, &n, error);
      if (res == HAP_PARSE_INVALID)
        return fail (self);
      if (res == HAP_PARSE_OK) {
        self->payload_len = n;
        self->buf_fill = 0;
        reserve (self, n + HAP_HDS_FRAME_TAG_LEN);
      } else {
        continue;
      }
    } else {
      gsize want = self->payload_len + HAP_HDS_FRAME_TAG_LEN;
      gsize take = MIN (want - self->buf_fill, len - pos);

      memcpy (self->buf + self->buf_fill, data + pos, take);
      self->buf_fill += take;
      pos += take;
      *consumed = pos;
    }
    if (self->buf_fill == self->payload_len + HAP_HDS_FRAME_TAG_LEN) {
      n = self->payload_len;
      res = open_frame (self, self->header, self->buf, self->buf, n, error);
      self->header_fill = 0;
      self->buf_fill = 0;
      if (res == HAP_PARSE_OK) {
        *payload = self->buf;
        *payload_len = n;
      }
      return res;
    }
  }
  return HAP_PARSE_NEED_MORE;
}

HapParseResult
hap_hds_frame_decode_in_place (HapHdsFrameCodec *self, guint8 *data, gsize len, gsize *consumed,
    guint8 **payload, gsize *payload_len, GError **error)
{
  gsize n = 0;
  HapParseResult res;

  g_return_val_if_fail (self != NULL, HAP_PARSE_INVALID);
  g_return_val_if_fail (data != NULL || len == 0, HAP_PARSE_INVALID);
  g_return_val_if_fail (consumed != NULL, HAP_PARSE_INVALID);
  g_return_val_if_fail (payload != NULL, HAP_PARSE_INVALID);
  g_return_val_if_fail (payload_len != NULL, HAP_PARSE_INVALID);
  g_return_val_if_fail (error == NULL || *error == NULL, HAP_PARSE_INVALID);
  g_return_val_if_fail (self->header_fill == 0, HAP_PARSE_INVALID);

  *consumed = 0;
  *payload = NULL;
  *payload_len = 0;
  if (!check_not_failed (self, error))
    return HAP_PARSE_INVALID;

  res = check_header (data, MIN (len, HAP_HDS_FRAME_HEADER_LEN), &n, error);
  if (res == HAP_PARSE_INVALID) {
    *consumed = data[0] != HAP_HDS_FRAME_TYPE_ENCRYPTED ? 1 : HAP_HDS_FRAME_HEADER_LEN;
    return fail (self);
  }
  if (res == HAP_PARSE_NEED_MORE || len - HAP_HDS_FRAME_HEADER_LEN < n + HAP_HDS_FRAME_TAG_LEN)
    return HAP_PARSE_NEED_MORE;

  *consumed = n + HAP_HDS_FRAME_OVERHEAD;
  res = open_frame (
      self, data, data + HAP_HDS_FRAME_HEADER_LEN, data + HAP_HDS_FRAME_HEADER_LEN, n, error);
  if (res == HAP_PARSE_OK) {
    *payload = data + HAP_HDS_FRAME_HEADER_LEN;
    *payload_len = n;
  }
  return res;
}

HapParseResult
hap_hds_frame_trial_decrypt (
    const guint8 key[HAP_HDS_KEY_LEN], const guint8 *data, gsize len, GError **error)
{
  gsize n = 0;
  HapParseResult res;

  g_return_val_if_fail (key != NULL, HAP_PARSE_INVALID);
  g_return_val_if_fail (data != NULL || len == 0, HAP_PARSE_INVALID);
  g_return_val_if_fail (error == NULL || *error == NULL, HAP_PARSE_INVALID);
  g_return_val_if_fail (hap_aead_init (), HAP_PARSE_INVALID);

  res = check_header (data, MIN (len, HAP_HDS_FRAME_HEADER_LEN), &n, error);
  if (res != HAP_PARSE_OK)
    return res;
  if (len - HAP_HDS_FRAME_HEADER_LEN < n + HAP_HDS_FRAME_TAG_LEN)
    return HAP_PARSE_NEED_MORE;

  /* With out == NULL only the tag is verified. */
  if (!hap_aead_decrypt (key, 0, data, HAP_HDS_FRAME_HEADER_LEN, data + HAP_HDS_FRAME_HEADER_LEN, n,
          data + HAP_HDS_FRAME_HEADER_LEN + n, NULL)) {
    g_set_error_literal (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_AUTH,
        "HDS frame: does not authenticate under this key");
    return HAP_PARSE_INVALID;
  }
  return HAP_PARSE_OK;
}

HapParseResult
hap_hds_plaintext_split (const guint8 *data, gsize len, const guint8 **header, gsize *header_len,
    const guint8 **message, gsize *message_len, GError **error)
{
  gsize h;

  g_return_val_if_fail (data != NULL || len == 0, HAP_PARSE_INVALID);
  g_return_val_if_fail (header != NULL && header_len != NULL, HAP_PARSE_INVALID);
  g_return_val_if_fail (message != NULL && message_len != NULL, HAP_PARSE_INVALID);
  g_return_val_if_fail (error == NULL || *error == NULL, HAP_PARSE_INVALID);

  *header = *message = NULL;
  *header_len = *message_len = 0;
  if (len == 0) {
    g_set_error_literal (
        error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_TRUNCATED, "HDS payload: empty, no header length");
    return HAP_PARSE_INVALID;
  }
  h = data[0];
  if (h > len - 1) {
    g_debug (
        "hds: header length %" G_GSIZE_FORMAT " past the end of %" G_GSIZE_FORMAT " bytes", h, len);
    g_set_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_TRUNCATED,
        "HDS payload: header length %" G_GSIZE_FORMAT " past the end (%" G_GSIZE_FORMAT
        " bytes follow)",
        h, len - 1);
    return HAP_PARSE_INVALID;
  }
  *header = data + 1;
  *header_len = h;
  *message = data + 1 + h;
  *message_len = len - 1 - h;
  return HAP_PARSE_OK;
}

gboolean
hap_hds_plaintext_join (const guint8 *header, gsize header_len, const guint8 *message,
    gsize message_len, GByteArray *out)
{
  guint8 h;

  g_return_val_if_fail (header != NULL || header_len == 0, FALSE);
  g_return_val_if_fail (header_len <= G_MAXUINT8, FALSE);
  g_return_val_if_fail (message != NULL || message_len == 0, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (out->len <= G_MAXUINT - 1 - G_MAXUINT8, FALSE);
  g_return_val_if_fail (message_len <= G_MAXUINT - 1 - header_len - out->len, FALSE);

  h = (guint8) header_len;
  g_byte_array_append (out, &h, 1);
  if (header_len)
    g_byte_array_append (out, header, (guint) header_len);
  if (message_len)
    g_byte_array_append (out, message, (guint) message_len);
  return TRUE;
}
