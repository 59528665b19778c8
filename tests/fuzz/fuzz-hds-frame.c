/* libFuzzer target for hap/hds-frame.c and hap/session-crypto.c.
 *
 * 1. The input as peer bytes for an HDS decoder and a HAP session decoder with fixed keys,
 *    fed in slices whose sizes come from the input (mostly INVALID: tags rarely verify).
 * 2. The input as a payload: encrypted into an HDS frame and into session frames, cut at an
 *    input-derived point, decoded and compared with the input.
 * 3. The input as a decrypted HDS payload: header/message split, and join gives it back.
 */
#include <glib.h>
#include <stdint.h>
#include <string.h>

#include "hap/hds-frame.h"
#include "hap/session-crypto.h"
#include "tests/fuzz/fuzz-target.h"

static const guint8 key_w[32] = { 0x57, 0x72, 0x69, 0x74, 0x65, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
  12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27 };
static const guint8 key_r[32] = { 0x52, 0x65, 0x61, 0x64, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22,
  21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4 };

/* Slice size for the i-th call, from the input itself. */
static gsize
slice_size (const guint8 *data, gsize size, guint i)
{
  if (size == 0)
    return 1;
  return (gsize) data[i % size] % 67 + 1;
}

static void
fuzz_hds_decoder (const guint8 *data, gsize size)
{
  HapHdsFrameCodec *dec = hap_hds_frame_codec_new (key_r, key_w);
  gsize pos = 0;
  guint i = 0;
  guint8 *copy;

  while (pos < size) {
    gsize slice = slice_size (data, size, i++); /* not inside MIN (): evaluated twice */
    gsize len = MIN (slice, size - pos), off = 0;

    while (off < len) {
      const guint8 *payload = NULL;
      gsize consumed = 0, n = 0;
      HapParseResult res
          = hap_hds_frame_decode (dec, data + pos + off, len - off, &consumed, &payload, &n, NULL);

      CHECK (consumed <= len - off);
      if (res == HAP_PARSE_INVALID) {
        CHECK (payload == NULL && n == 0);
        CHECK (hap_hds_frame_codec_has_failed (dec));
        goto done;
      }
      if (res == HAP_PARSE_OK) {
        volatile guint8 sink = 0;

        for (gsize k = 0; k < n; k++)
          sink ^= payload[k];
        (void) sink;
      } else {
        CHECK (consumed == len - off);
      }
      off += consumed;
    }
    pos += len;
  }
done:
  hap_hds_frame_codec_free (dec);

  /* In place on a copy, and trial decryption: no state, no writes to the input. */
  copy = g_memdup2 (data, size ? size : 1);
  dec = hap_hds_frame_codec_new (key_r, key_w);
  {
    guint8 *payload = NULL;
    gsize consumed = 0, n = 0;
    HapParseResult res = hap_hds_frame_decode_in_place (
        dec, size ? copy : NULL, size, &consumed, &payload, &n, NULL);

    CHECK (consumed <= size);
    CHECK (res != HAP_PARSE_OK || payload == copy + 4);
  }
  hap_hds_frame_codec_free (dec);
  g_free (copy);
  hap_hds_frame_trial_decrypt (key_w, size ? data : NULL, size, NULL);
}

static void
fuzz_session_decoder (const guint8 *data, gsize size)
{
  HapSessionCrypto *dec = hap_session_crypto_new (key_r, key_w);
  GByteArray *out = g_byte_array_new ();
  gsize pos = 0;
  guint i = 0;

  while (pos < size) {
    gsize slice = slice_size (data, size, 7 + i++);
    gsize len = MIN (slice, size - pos);

    if (hap_session_crypto_decrypt_append (dec, data + pos, len, out, NULL) == HAP_PARSE_INVALID)
      break;
    pos += len;
  }
  g_byte_array_unref (out);
  hap_session_crypto_free (dec);
}

static void
fuzz_hds_round_trip (const guint8 *data, gsize size)
{
  HapHdsFrameCodec *acc, *ctl;
  GByteArray *wire;
  gsize cut, total, consumed = 0, n = 0, consumed2 = 0;
  const guint8 *payload = NULL;
  HapParseResult res;

  if (size > HAP_HDS_FRAME_MAX_PAYLOAD)
    size = HAP_HDS_FRAME_MAX_PAYLOAD;
  acc = hap_hds_frame_codec_new (key_r, key_w);
  ctl = hap_hds_frame_codec_new (key_w, key_r);
  wire = g_byte_array_new ();
  CHECK (hap_hds_frame_encode_append (ctl, size ? data : NULL, size, wire));
  total = wire->len;
  CHECK (total == size + HAP_HDS_FRAME_OVERHEAD);
  CHECK (hap_hds_frame_trial_decrypt (key_w, wire->data, wire->len, NULL) == HAP_PARSE_OK);

  cut = size >= 2 ? ((gsize) data[0] << 8 | data[1]) % (total + 1) : size;
  res = hap_hds_frame_decode (acc, wire->data, cut, &consumed, &payload, &n, NULL);
  if (cut < total) {
    CHECK (res == HAP_PARSE_NEED_MORE && consumed == cut);
    res = hap_hds_frame_decode (acc, wire->data + cut, total - cut, &consumed2, &payload, &n, NULL);
    consumed += consumed2;
  }
  CHECK (res == HAP_PARSE_OK);
  CHECK (consumed == total);
  CHECK (n == size);
  CHECK (size == 0 || memcmp (payload, data, size) == 0);
  CHECK (hap_hds_frame_codec_get_decrypt_counter (acc) == 1);

  /* The same frame again is a replay now. */
  res = hap_hds_frame_decode (acc, wire->data, total, &consumed, &payload, &n, NULL);
  CHECK (res == HAP_PARSE_INVALID);

  g_byte_array_unref (wire);
  hap_hds_frame_codec_free (acc);
  hap_hds_frame_codec_free (ctl);
}

static void
fuzz_session_round_trip (const guint8 *data, gsize size)
{
  HapSessionCrypto *acc = hap_session_crypto_new (key_r, key_w);
  HapSessionCrypto *ctl = hap_session_crypto_new (key_w, key_r);
  GByteArray *wire = g_byte_array_new ();
  GByteArray *got = g_byte_array_new ();
  gsize cut;

  CHECK (hap_session_crypto_encrypt_append (ctl, size ? data : NULL, size, wire));
  CHECK (wire->len == hap_session_crypto_encrypted_size (size));
  cut = size >= 3 ? ((gsize) data[1] << 8 | data[2]) % (wire->len + 1) : 0;
  CHECK (hap_session_crypto_decrypt_append (acc, wire->data, cut, got, NULL) != HAP_PARSE_INVALID);
  if (cut < wire->len) /* wire->data is NULL when empty */
    CHECK (hap_session_crypto_decrypt_append (acc, wire->data + cut, wire->len - cut, got, NULL)
           != HAP_PARSE_INVALID);
  CHECK (got->len == size);
  CHECK (size == 0 || memcmp (got->data, data, size) == 0);
  CHECK (
      hap_session_crypto_get_decrypt_counter (acc) == hap_session_crypto_get_encrypt_counter (ctl));

  g_byte_array_unref (got);
  g_byte_array_unref (wire);
  hap_session_crypto_free (acc);
  hap_session_crypto_free (ctl);
}

static void
fuzz_plaintext (const guint8 *data, gsize size)
{
  const guint8 *header = NULL, *message = NULL;
  gsize header_len = 0, message_len = 0;

  if (hap_hds_plaintext_split (
          size ? data : NULL, size, &header, &header_len, &message, &message_len, NULL)
      == HAP_PARSE_OK) {
    GByteArray *joined = g_byte_array_new ();

    CHECK (header_len <= 255 && 1 + header_len + message_len == size);
    CHECK (hap_hds_plaintext_join (header, header_len, message, message_len, joined));
    CHECK (joined->len == size && memcmp (joined->data, data, size) == 0);
    g_byte_array_unref (joined);
  } else {
    CHECK (size == 0 || data[0] > size - 1);
  }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  fuzz_hds_decoder (data, size);
  fuzz_session_decoder (data, size);
  fuzz_hds_round_trip (data, size);
  fuzz_session_round_trip (data, size);
  fuzz_plaintext (data, size);
  return 0;
}
