/* Unit tests for hap/session-crypto.c (HAP encrypted session frames, PROTOCOL.md section 1). */
#include <sodium.h>
#include <string.h>

#include "hap/session-crypto.h"
#include "tests/common/test-util.h"

static const guint8 key_a[HAP_SESSION_KEY_LEN] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,
  0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20 };
static const guint8 key_b[HAP_SESSION_KEY_LEN] = { 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
  0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf, 0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7,
  0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf };

/* "Accessory" encrypts with key_a and decrypts with key_b; "controller" the other way. */
static HapSessionCrypto *
new_accessory (void)
{
  return hap_session_crypto_new (key_a, key_b);
}

static HapSessionCrypto *
new_controller (void)
{
  return hap_session_crypto_new (key_b, key_a);
}

static guint8 *
pattern (gsize len, guint seed)
{
  guint8 *p = g_malloc (len ? len : 1);

  for (gsize i = 0; i < len; i++)
    p[i] = (guint8) (i * 131 + seed * 7 + (i >> 8));
  return p;
}

/* Feeds `len` bytes in slices of at most `step` and collects the plaintext. Fails the test on
 * INVALID. */
static GByteArray *
decode_in_steps (HapSessionCrypto *dec, const guint8 *data, gsize len, gsize step, guint *frames)
{
  GByteArray *plain = g_byte_array_new ();
  guint8 out[HAP_SESSION_MAX_PAYLOAD];
  gsize pos = 0;

  *frames = 0;
  while (pos < len) {
    gsize slice = MIN (step, len - pos), off = 0;

    while (off < slice) {
      gsize consumed = 0, n = 0;
      GError *error = NULL;
      HapParseResult res = hap_session_crypto_decrypt (
          dec, data + pos + off, slice - off, &consumed, out, &n, &error);

      g_assert_no_error (error);
      g_assert_cmpint (res, !=, HAP_PARSE_INVALID);
      g_assert_cmpuint (consumed, <=, slice - off);
      if (res == HAP_PARSE_OK) {
        g_assert_cmpuint (n, >=, 1);
        g_assert_cmpuint (n, <=, HAP_SESSION_MAX_PAYLOAD);
        g_byte_array_append (plain, out, (guint) n);
        (*frames)++;
      } else {
        g_assert_cmpuint (consumed, ==, slice - off);
        g_assert_cmpuint (n, ==, 0);
      }
      off += consumed;
    }
    pos += slice;
  }
  return plain;
}

/* RFC 8439 section 2.8.2 (AEAD_CHACHA20_POLY1305 example and test vector), run through the
 * libsodium functions session-crypto.c calls: the _ietf_ detached variants with a 12-byte
 * nonce and the additional data passed separately. */
static void
test_rfc8439_aead (void)
{
  static const gchar *plaintext = "Ladies and Gentlemen of the class of '99: If I could offer "
                                  "you only one tip for the future, sunscreen would be it.";
  gsize key_len, nonce_len, aad_len, ct_len, tag_len;
  g_autofree guint8 *key = hap_test_unhex (
      "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f", &key_len);
  /* constant 07 00 00 00 || IV 40..47 */
  g_autofree guint8 *nonce = hap_test_unhex ("070000004041424344454647", &nonce_len);
  g_autofree guint8 *aad = hap_test_unhex ("50515253c0c1c2c3c4c5c6c7", &aad_len);
  g_autofree guint8 *ct
      = hap_test_unhex ("d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
                        "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
                        "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
                        "3ff4def08e4b7a9de576d26586cec64b6116",
          &ct_len);
  g_autofree guint8 *tag = hap_test_unhex ("1ae10b594f09e26a7e902ecbd0600691", &tag_len);
  gsize pt_len = strlen (plaintext);
  guint8 got_ct[114], got_tag[16], got_pt[114];

  g_assert_cmpuint (pt_len, ==, 114);
  g_assert_cmpuint (ct_len, ==, pt_len);
  g_assert_cmpint (sodium_init (), >=, 0);

  crypto_aead_chacha20poly1305_ietf_encrypt_detached (
      got_ct, got_tag, NULL, (const guint8 *) plaintext, pt_len, aad, aad_len, NULL, nonce, key);
  g_assert_cmpmem (got_ct, sizeof got_ct, ct, ct_len);
  g_assert_cmpmem (got_tag, sizeof got_tag, tag, tag_len);

  g_assert_cmpint (crypto_aead_chacha20poly1305_ietf_decrypt_detached (
                       got_pt, NULL, ct, ct_len, tag, aad, aad_len, nonce, key),
      ==, 0);
  g_assert_cmpmem (got_pt, sizeof got_pt, plaintext, pt_len);

  /* The AAD is authenticated: one changed AAD byte fails. */
  aad[0] ^= 1;
  g_assert_cmpint (crypto_aead_chacha20poly1305_ietf_decrypt_detached (
                       got_pt, NULL, ct, ct_len, tag, aad, aad_len, nonce, key),
      !=, 0);
}

/* Frame layout checked with libsodium directly and a hand-written nonce: 4 zero bytes, then
 * the counter as u64 little-endian (PROTOCOL.md section 1); the AAD is the 2 length bytes. */
typedef struct {
  guint64 counter;
  const gchar *nonce_hex;
} NonceVector;

static const NonceVector nonce_vectors[] = {
  { 0, "000000000000000000000000" }, { 1, "000000000100000000000000" },
  { 2, "000000000200000000000000" },
  { 258, "000000000201000000000000" }, /* 0x0102: low byte first */
};

static void
test_frame_layout (void)
{
  g_autoptr (HapSessionCrypto) sc = new_accessory ();
  guint8 plain[5] = { 'h', 'e', 'l', 'l', 'o' };
  guint8 frame[5 + HAP_SESSION_FRAME_OVERHEAD], opened[5];
  guint64 counter = 0;

  for (guint v = 0; v < G_N_ELEMENTS (nonce_vectors); v++) {
    gsize nonce_len;
    g_autofree guint8 *nonce = hap_test_unhex (nonce_vectors[v].nonce_hex, &nonce_len);

    /* Advance to the vector's counter with throw-away frames. */
    while (counter < nonce_vectors[v].counter) {
      g_assert_cmpuint (hap_session_crypto_encrypt (sc, plain, 1, frame, sizeof frame), ==, 19);
      counter++;
    }
    g_assert_cmpuint (hap_session_crypto_get_encrypt_counter (sc), ==, counter);
    g_assert_cmpuint (hap_session_crypto_encrypt (sc, plain, sizeof plain, frame, sizeof frame), ==,
        sizeof frame);
    counter++;
    g_assert_cmpuint (frame[0], ==, 5); /* u16 LE length */
    g_assert_cmpuint (frame[1], ==, 0);
    g_assert_cmpint (crypto_aead_chacha20poly1305_ietf_decrypt_detached (
                         opened, NULL, frame + 2, 5, frame + 7, frame, 2, nonce, key_a),
        ==, 0);
    g_assert_cmpmem (opened, 5, plain, 5);
    /* Not with the other key, not with an empty AAD. */
    g_assert_cmpint (crypto_aead_chacha20poly1305_ietf_decrypt_detached (
                         opened, NULL, frame + 2, 5, frame + 7, frame, 2, nonce, key_b),
        !=, 0);
    g_assert_cmpint (crypto_aead_chacha20poly1305_ietf_decrypt_detached (
                         opened, NULL, frame + 2, 5, frame + 7, NULL, 0, nonce, key_a),
        !=, 0);
  }

  /* The length field of a full frame: 1024 = 00 04. */
  {
    g_autofree guint8 *big = pattern (1024, 1);
    guint8 out[HAP_SESSION_MAX_FRAME];

    g_assert_cmpuint (hap_session_crypto_encrypt (sc, big, 1024, out, sizeof out), ==, 1042);
    g_assert_cmpuint (out[0], ==, 0x00);
    g_assert_cmpuint (out[1], ==, 0x04);
  }
}

/* Golden frames computed independently of libhap and libsodium with Node.js v20 crypto
 * (OpenSSL): createCipheriv('chacha20-poly1305', key 000102..1f, nonce = 4 zero bytes + u64 LE
 * counter, {authTagLength: 16}), setAAD(u16 LE length); frame = length || ciphertext || tag. */
static const gchar *golden_plaintext = "HTTP/1.1 204 No Content\r\n\r\n";
static const gchar *golden_frames[] = {
  "1b0050ec166182d788e033536c558f0d2107bbde9d8184c32f51e6f5f62a01ee2fefe8d5eda2239a8837aba8fa",
  "1b00d703a70f9a1b812909849e6872dbf6a78612857a220514a0c969bf8f844d7c46c15ff29c0d5f1c18605fa8",
};

static void
test_golden (void)
{
  guint8 key[HAP_SESSION_KEY_LEN];
  gsize plen = strlen (golden_plaintext);

  for (guint i = 0; i < HAP_SESSION_KEY_LEN; i++)
    key[i] = (guint8) i;
  {
    g_autoptr (HapSessionCrypto) enc = hap_session_crypto_new (key, key_a);
    g_autoptr (HapSessionCrypto) dec = hap_session_crypto_new (key_a, key);

    for (guint f = 0; f < G_N_ELEMENTS (golden_frames); f++) {
      gsize want_len;
      g_autofree guint8 *want = hap_test_unhex (golden_frames[f], &want_len);
      g_autoptr (GByteArray) wire = g_byte_array_new ();
      g_autoptr (GByteArray) got = g_byte_array_new ();

      g_assert_true (
          hap_session_crypto_encrypt_append (enc, (const guint8 *) golden_plaintext, plen, wire));
      g_assert_cmpmem (wire->data, wire->len, want, want_len);
      g_assert_cmpint (
          hap_session_crypto_decrypt_append (dec, want, want_len, got, NULL), ==, HAP_PARSE_OK);
      g_assert_cmpmem (got->data, got->len, golden_plaintext, plen);
    }
  }
}

/* Sizes and the frames they make (expected values worked out by hand from the frame format:
 * ceil(len / 1024) frames of 18 bytes overhead each). */
typedef struct {
  gsize len;
  guint frames;
  gsize encrypted;
} SizeVector;

static const SizeVector size_vectors[] = {
  { 0, 0, 0 },
  { 1, 1, 19 },
  { 1023, 1, 1041 },
  { 1024, 1, 1042 },
  { 1025, 2, 1061 },
  { 5000, 5, 5090 },
};

static void
test_round_trip (void)
{
  for (guint v = 0; v < G_N_ELEMENTS (size_vectors); v++) {
    const SizeVector *sv = &size_vectors[v];
    g_autoptr (HapSessionCrypto) acc = new_accessory ();
    g_autoptr (HapSessionCrypto) ctl = new_controller ();
    g_autofree guint8 *plain = pattern (sv->len, v);
    g_autoptr (GByteArray) wire = g_byte_array_new ();
    g_autoptr (GByteArray) got = NULL;
    guint frames;

    g_assert_cmpuint (hap_session_crypto_encrypted_size (sv->len), ==, sv->encrypted);
    g_assert_true (hap_session_crypto_encrypt_append (acc, plain, sv->len, wire));
    g_assert_cmpuint (wire->len, ==, sv->encrypted);
    g_assert_cmpuint (hap_session_crypto_get_encrypt_counter (acc), ==, sv->frames);

    /* Whole buffer at once. */
    got = decode_in_steps (ctl, wire->data, wire->len, G_MAXSIZE, &frames);
    g_assert_cmpuint (frames, ==, sv->frames);
    g_assert_cmpmem (got->data, got->len, plain, sv->len);
    g_assert_cmpuint (hap_session_crypto_get_decrypt_counter (ctl), ==, sv->frames);

    /* Caller-buffer encoder gives the same bytes for the same counter. */
    {
      g_autoptr (HapSessionCrypto) acc2 = new_accessory ();
      g_autofree guint8 *buf = g_malloc (sv->encrypted + 1);

      g_assert_cmpuint (hap_session_crypto_encrypt (acc2, plain, sv->len, buf, sv->encrypted + 1),
          ==, sv->encrypted);
      g_assert_cmpmem (buf, sv->encrypted, wire->data, wire->len);
    }
  }
}

static void
test_byte_at_a_time (void)
{
  for (guint v = 0; v < G_N_ELEMENTS (size_vectors); v++) {
    const SizeVector *sv = &size_vectors[v];
    g_autoptr (HapSessionCrypto) acc = new_accessory ();
    g_autoptr (HapSessionCrypto) ctl = new_controller ();
    g_autofree guint8 *plain = pattern (sv->len, v + 10);
    g_autoptr (GByteArray) wire = g_byte_array_new ();
    g_autoptr (GByteArray) got = NULL;
    guint frames;

    g_assert_true (hap_session_crypto_encrypt_append (acc, plain, sv->len, wire));
    got = decode_in_steps (ctl, wire->data, wire->len, 1, &frames);
    g_assert_cmpuint (frames, ==, sv->frames);
    g_assert_cmpmem (got->data, got->len, plain, sv->len);
  }
}

/* Two frames (1024 + 476 bytes), split once at every position, then at every pair of
 * positions 7 bytes apart (three slices). */
static void
test_every_split (void)
{
  g_autoptr (HapSessionCrypto) acc = new_accessory ();
  g_autofree guint8 *plain = pattern (1500, 3);
  g_autoptr (GByteArray) wire = g_byte_array_new ();

  g_assert_true (hap_session_crypto_encrypt_append (acc, plain, 1500, wire));
  g_assert_cmpuint (wire->len, ==, 1500 + 2 * 18);

  for (gsize s = 0; s <= wire->len; s++) {
    g_autoptr (HapSessionCrypto) ctl = new_controller ();
    g_autoptr (GByteArray) got = g_byte_array_new ();
    GError *error = NULL;
    HapParseResult r1, r2;

    r1 = hap_session_crypto_decrypt_append (ctl, wire->data, s, got, &error);
    g_assert_no_error (error);
    g_assert_cmpint (r1, ==, s >= 1042 ? HAP_PARSE_OK : HAP_PARSE_NEED_MORE);
    r2 = hap_session_crypto_decrypt_append (ctl, wire->data + s, wire->len - s, got, &error);
    g_assert_no_error (error);
    g_assert_cmpint (r2, ==, s < wire->len ? HAP_PARSE_OK : HAP_PARSE_NEED_MORE);
    g_assert_cmpmem (got->data, got->len, plain, 1500);
    g_assert_cmpuint (hap_session_crypto_get_decrypt_counter (ctl), ==, 2);
  }

  for (gsize s = 0; s + 7 <= wire->len; s++) {
    g_autoptr (HapSessionCrypto) ctl = new_controller ();
    g_autoptr (GByteArray) got = g_byte_array_new ();

    g_assert_cmpint (
        hap_session_crypto_decrypt_append (ctl, wire->data, s, got, NULL), !=, HAP_PARSE_INVALID);
    g_assert_cmpint (hap_session_crypto_decrypt_append (ctl, wire->data + s, 7, got, NULL), !=,
        HAP_PARSE_INVALID);
    g_assert_cmpint (
        hap_session_crypto_decrypt_append (ctl, wire->data + s + 7, wire->len - s - 7, got, NULL),
        !=, HAP_PARSE_INVALID);
    g_assert_cmpmem (got->data, got->len, plain, 1500);
  }
}

/* Each direction counts on its own; the decrypt counter follows the peer's encrypt counter. */
static void
test_counters (void)
{
  g_autoptr (HapSessionCrypto) acc = new_accessory ();
  g_autoptr (HapSessionCrypto) ctl = new_controller ();
  guint8 msg[3] = { 1, 2, 3 };

  g_assert_cmpuint (hap_session_crypto_get_encrypt_counter (acc), ==, 0);
  g_assert_cmpuint (hap_session_crypto_get_decrypt_counter (acc), ==, 0);
  for (guint i = 0; i < 5; i++) {
    g_autoptr (GByteArray) wire = g_byte_array_new ();
    g_autoptr (GByteArray) got = g_byte_array_new ();

    /* Controller -> accessory: i+1 frames per round. */
    for (guint f = 0; f <= i; f++)
      g_assert_true (hap_session_crypto_encrypt_append (ctl, msg, sizeof msg, wire));
    g_assert_cmpint (hap_session_crypto_decrypt_append (acc, wire->data, wire->len, got, NULL), ==,
        HAP_PARSE_OK);
    g_assert_cmpuint (got->len, ==, 3 * (i + 1));
    g_assert_cmpuint (hap_session_crypto_get_decrypt_counter (acc), ==, (i + 1) * (i + 2) / 2);
    g_assert_cmpuint (hap_session_crypto_get_encrypt_counter (ctl), ==, (i + 1) * (i + 2) / 2);
    /* The other direction did not move. */
    g_assert_cmpuint (hap_session_crypto_get_encrypt_counter (acc), ==, 0);
    g_assert_cmpuint (hap_session_crypto_get_decrypt_counter (ctl), ==, 0);
  }
  /* Empty plaintext sends no frame and does not advance. */
  {
    g_autoptr (GByteArray) wire = g_byte_array_new ();

    g_assert_true (hap_session_crypto_encrypt_append (acc, NULL, 0, wire));
    g_assert_cmpuint (wire->len, ==, 0);
    g_assert_cmpuint (hap_session_crypto_get_encrypt_counter (acc), ==, 0);
  }
}

/* Feeds `data`, then zero padding until the decoder stops asking for more. Asserts that no
 * frame is ever returned and that the end is INVALID with `code`; the decoder then stays
 * failed, even for a good frame. */
static void
assert_rejected (HapSessionCrypto *dec, const guint8 *data, gsize len, gint code)
{
  guint8 out[HAP_SESSION_MAX_PAYLOAD];
  guint8 zeros[HAP_SESSION_MAX_FRAME] = { 0 };
  gsize consumed = 0, n = 0, pos = 0;
  GError *error = NULL;
  HapParseResult res = HAP_PARSE_NEED_MORE;

  while (pos < len) {
    res = hap_session_crypto_decrypt (dec, data + pos, len - pos, &consumed, out, &n, &error);
    g_assert_cmpint (res, !=, HAP_PARSE_OK);
    pos += consumed;
    if (res == HAP_PARSE_INVALID)
      break;
  }
  if (res == HAP_PARSE_NEED_MORE) {
    res = hap_session_crypto_decrypt (dec, zeros, sizeof zeros, &consumed, out, &n, &error);
    g_assert_cmpint (res, ==, HAP_PARSE_INVALID);
  }
  g_assert_cmpint (res, ==, HAP_PARSE_INVALID);
  g_assert_error (error, HAP_CODEC_ERROR, code);
  g_clear_error (&error);
  g_assert_cmpuint (n, ==, 0);
  g_assert_true (hap_session_crypto_has_failed (dec));

  /* Stays failed. */
  {
    g_autoptr (HapSessionCrypto) peer = new_accessory ();
    g_autoptr (GByteArray) wire = g_byte_array_new ();
    g_autoptr (GByteArray) got = g_byte_array_new ();

    g_assert_true (hap_session_crypto_encrypt_append (peer, (const guint8 *) "x", 1, wire));
    g_assert_cmpint (hap_session_crypto_decrypt_append (dec, wire->data, wire->len, got, &error),
        ==, HAP_PARSE_INVALID);
    g_assert_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_MALFORMED);
    g_clear_error (&error);
    g_assert_cmpuint (got->len, ==, 0);
    g_assert_cmpint (
        hap_session_crypto_decrypt_append (dec, NULL, 0, got, &error), ==, HAP_PARSE_INVALID);
    g_clear_error (&error);
  }
}

/* Every single-bit change anywhere in a frame (length/AAD, ciphertext, tag) is rejected. */
static void
test_tampered (void)
{
  g_autoptr (HapSessionCrypto) acc = new_accessory ();
  g_autofree guint8 *plain = pattern (40, 5);
  guint8 frame[40 + HAP_SESSION_FRAME_OVERHEAD];

  g_assert_cmpuint (
      hap_session_crypto_encrypt (acc, plain, 40, frame, sizeof frame), ==, sizeof frame);
  for (gsize i = 0; i < sizeof frame; i++) {
    for (guint bit = 0; bit < 8; bit++) {
      g_autoptr (HapSessionCrypto) ctl = new_controller ();
      guint8 bad[sizeof frame];
      gint code = HAP_CODEC_ERROR_AUTH;
      gsize n;

      memcpy (bad, frame, sizeof bad);
      bad[i] ^= 1u << bit;
      if (i < 2) {
        n = (gsize) bad[0] | (gsize) bad[1] << 8;
        if (n == 0 || n > 1024)
          code = HAP_CODEC_ERROR_OUT_OF_RANGE;
      }
      assert_rejected (ctl, bad, sizeof bad, code);
    }
  }
}

/* A frame whose tag was made over a different AAD than its length field (here: no AAD, and
 * the length in big-endian order) is rejected: the length field is authenticated. */
static void
test_wrong_aad (void)
{
  guint8 plain[4] = { 9, 8, 7, 6 };
  guint8 nonce[12] = { 0 };
  static const guint8 aads[][2] = { { 0x00, 0x04 }, { 0x04, 0x01 } };

  g_assert_cmpint (sodium_init (), >=, 0);
  for (guint a = 0; a <= G_N_ELEMENTS (aads); a++) {
    g_autoptr (HapSessionCrypto) acc = new_accessory ();
    guint8 frame[4 + HAP_SESSION_FRAME_OVERHEAD] = { 0x04, 0x00 };

    crypto_aead_chacha20poly1305_ietf_encrypt_detached (frame + 2, frame + 6, NULL, plain, 4,
        a < G_N_ELEMENTS (aads) ? aads[a] : NULL, a < G_N_ELEMENTS (aads) ? 2 : 0, NULL, nonce,
        key_b);
    assert_rejected (acc, frame, sizeof frame, HAP_CODEC_ERROR_AUTH);
  }
  /* Control: the same construction with the right AAD is accepted. */
  {
    g_autoptr (HapSessionCrypto) acc = new_accessory ();
    g_autoptr (GByteArray) got = g_byte_array_new ();
    guint8 frame[4 + HAP_SESSION_FRAME_OVERHEAD] = { 0x04, 0x00 };

    crypto_aead_chacha20poly1305_ietf_encrypt_detached (
        frame + 2, frame + 6, NULL, plain, 4, frame, 2, NULL, nonce, key_b);
    g_assert_cmpint (
        hap_session_crypto_decrypt_append (acc, frame, sizeof frame, got, NULL), ==, HAP_PARSE_OK);
    g_assert_cmpmem (got->data, got->len, plain, 4);
  }
}

static void
test_wrong_key (void)
{
  g_autoptr (HapSessionCrypto) acc = new_accessory ();
  /* Decrypts with key_a too, but the frame was made with key_a by acc: a peer using the
   * wrong direction's key. */
  g_autoptr (HapSessionCrypto) wrong = hap_session_crypto_new (key_b, key_b);
  g_autoptr (GByteArray) wire = g_byte_array_new ();

  g_assert_true (hap_session_crypto_encrypt_append (acc, (const guint8 *) "secret", 6, wire));
  assert_rejected (wrong, wire->data, wire->len, HAP_CODEC_ERROR_AUTH);
}

/* Frames must arrive in counter order: a replayed frame 0 or a frame 1 first is rejected. */
static void
test_replay (void)
{
  g_autoptr (HapSessionCrypto) acc = new_accessory ();
  guint8 f0[1 + HAP_SESSION_FRAME_OVERHEAD], f1[1 + HAP_SESSION_FRAME_OVERHEAD];

  g_assert_cmpuint (
      hap_session_crypto_encrypt (acc, (const guint8 *) "a", 1, f0, sizeof f0), ==, sizeof f0);
  g_assert_cmpuint (
      hap_session_crypto_encrypt (acc, (const guint8 *) "b", 1, f1, sizeof f1), ==, sizeof f1);

  {
    g_autoptr (HapSessionCrypto) ctl = new_controller ();
    g_autoptr (GByteArray) got = g_byte_array_new ();

    g_assert_cmpint (
        hap_session_crypto_decrypt_append (ctl, f0, sizeof f0, got, NULL), ==, HAP_PARSE_OK);
    g_assert_cmpmem (got->data, got->len, "a", 1);
    assert_rejected (ctl, f0, sizeof f0, HAP_CODEC_ERROR_AUTH);
  }
  {
    g_autoptr (HapSessionCrypto) ctl = new_controller ();

    assert_rejected (ctl, f1, sizeof f1, HAP_CODEC_ERROR_AUTH);
  }
  {
    /* In order works. */
    g_autoptr (HapSessionCrypto) ctl = new_controller ();
    g_autoptr (GByteArray) got = g_byte_array_new ();

    g_assert_cmpint (
        hap_session_crypto_decrypt_append (ctl, f0, sizeof f0, got, NULL), ==, HAP_PARSE_OK);
    g_assert_cmpint (
        hap_session_crypto_decrypt_append (ctl, f1, sizeof f1, got, NULL), ==, HAP_PARSE_OK);
    g_assert_cmpmem (got->data, got->len, "ab", 2);
  }
}

/* Invalid input table: bytes fed to a fresh decoder (keys as above). `pad` zero bytes are
 * appended after the hex prefix. */
typedef struct {
  const gchar *name;
  const gchar *hex;
  gsize pad;
  HapParseResult result;
  gint code; /* when INVALID */
  gsize consumed;
} InvalidVector;

static const InvalidVector invalid_vectors[] = {
  { "empty", "", 0, HAP_PARSE_NEED_MORE, 0, 0 },
  { "one length byte", "01", 0, HAP_PARSE_NEED_MORE, 0, 1 },
  { "length 0", "0000", 0, HAP_PARSE_INVALID, HAP_CODEC_ERROR_OUT_OF_RANGE, 2 },
  { "length 0 with data", "0000", 40, HAP_PARSE_INVALID, HAP_CODEC_ERROR_OUT_OF_RANGE, 2 },
  { "length 1025", "0104", 0, HAP_PARSE_INVALID, HAP_CODEC_ERROR_OUT_OF_RANGE, 2 },
  { "length 1025 with data", "0104", 1100, HAP_PARSE_INVALID, HAP_CODEC_ERROR_OUT_OF_RANGE, 2 },
  { "length 0xffff", "ffff", 0, HAP_PARSE_INVALID, HAP_CODEC_ERROR_OUT_OF_RANGE, 2 },
  { "length 0x8000", "0080", 0, HAP_PARSE_INVALID, HAP_CODEC_ERROR_OUT_OF_RANGE, 2 },
  { "length 1 no tag", "0100", 1, HAP_PARSE_NEED_MORE, 0, 3 },
  { "length 1 short tag", "0100", 16, HAP_PARSE_NEED_MORE, 0, 18 },
  { "length 1 zero tag", "0100", 17, HAP_PARSE_INVALID, HAP_CODEC_ERROR_AUTH, 19 },
  { "length 1024 zero tag", "0004", 1040, HAP_PARSE_INVALID, HAP_CODEC_ERROR_AUTH, 1042 },
  { "length 1024 short", "0004", 1039, HAP_PARSE_NEED_MORE, 0, 1041 },
  { "bad frame then more", "0200", 60, HAP_PARSE_INVALID, HAP_CODEC_ERROR_AUTH, 20 },
};

static void
test_invalid_input (void)
{
  for (guint v = 0; v < G_N_ELEMENTS (invalid_vectors); v++) {
    const InvalidVector *iv = &invalid_vectors[v];
    g_autoptr (HapSessionCrypto) ctl = new_controller ();
    gsize hex_len;
    g_autofree guint8 *prefix = hap_test_unhex (iv->hex, &hex_len);
    gsize len = hex_len + iv->pad;
    g_autofree guint8 *data = g_malloc0 (len + 1);
    guint8 out[HAP_SESSION_MAX_PAYLOAD];
    gsize consumed = 99, n = 99;
    GError *error = NULL;
    HapParseResult res;

    g_test_message ("invalid input: %s", iv->name);
    memcpy (data, prefix, hex_len);
    res = hap_session_crypto_decrypt (ctl, len ? data : NULL, len, &consumed, out, &n, &error);
    g_assert_cmpint (res, ==, iv->result);
    g_assert_cmpuint (consumed, ==, iv->consumed);
    g_assert_cmpuint (n, ==, 0);
    if (iv->result == HAP_PARSE_INVALID) {
      g_assert_error (error, HAP_CODEC_ERROR, iv->code);
      g_clear_error (&error);
      g_assert_true (hap_session_crypto_has_failed (ctl));
    } else {
      g_assert_no_error (error);
      g_assert_false (hap_session_crypto_has_failed (ctl));
    }
    /* The byte-at-a-time path agrees. */
    {
      g_autoptr (HapSessionCrypto) ctl2 = new_controller ();
      HapParseResult last = HAP_PARSE_NEED_MORE;
      gsize total = 0;

      for (gsize i = 0; i < len && last == HAP_PARSE_NEED_MORE; i++) {
        last = hap_session_crypto_decrypt (ctl2, data + i, 1, &consumed, out, &n, &error);
        total += consumed;
      }
      g_assert_cmpint (last, ==, iv->result);
      g_assert_cmpuint (total, ==, iv->consumed);
      if (iv->result == HAP_PARSE_INVALID)
        g_assert_error (error, HAP_CODEC_ERROR, iv->code);
      g_clear_error (&error);
    }
  }
}

/* decrypt_append: several frames in one call; a bad frame after good ones leaves `out` as it
 * was before the call. */
static void
test_decrypt_append (void)
{
  g_autoptr (HapSessionCrypto) acc = new_accessory ();
  g_autoptr (HapSessionCrypto) ctl = new_controller ();
  g_autofree guint8 *plain = pattern (3000, 9);
  g_autoptr (GByteArray) wire = g_byte_array_new ();
  g_autoptr (GByteArray) got = g_byte_array_new ();
  GError *error = NULL;

  g_assert_true (hap_session_crypto_encrypt_append (acc, plain, 3000, wire));
  g_byte_array_append (got, (const guint8 *) "prefix", 6);
  wire->data[wire->len - 1] ^= 0x80; /* last frame's tag */
  g_assert_cmpint (hap_session_crypto_decrypt_append (ctl, wire->data, wire->len, got, &error), ==,
      HAP_PARSE_INVALID);
  g_assert_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_AUTH);
  g_clear_error (&error);
  g_assert_cmpmem (got->data, got->len, "prefix", 6);
  g_assert_cmpuint (hap_session_crypto_get_decrypt_counter (ctl), ==, 2);
}

/* Caller misuse is caught by g_return_val_if_fail, never by touching memory. */
static void
test_misuse (void)
{
  g_autoptr (HapSessionCrypto) acc = new_accessory ();
  guint8 out[HAP_SESSION_MAX_FRAME], small[18];
  gsize consumed, n;

  g_test_expect_message ("hap", G_LOG_LEVEL_CRITICAL, "*assertion*failed*");
  g_assert_cmpuint (hap_session_crypto_encrypt (acc, out, 1, small, sizeof small), ==, 0);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (hap_session_crypto_get_encrypt_counter (acc), ==, 0);

  g_test_expect_message ("hap", G_LOG_LEVEL_CRITICAL, "*assertion*failed*");
  g_assert_null (hap_session_crypto_new (NULL, key_a));
  g_test_assert_expected_messages ();

  g_test_expect_message ("hap", G_LOG_LEVEL_CRITICAL, "*assertion*failed*");
  g_assert_cmpint (
      hap_session_crypto_decrypt (acc, NULL, 5, &consumed, out, &n, NULL), ==, HAP_PARSE_INVALID);
  g_test_assert_expected_messages ();
  g_assert_false (hap_session_crypto_has_failed (acc));

  hap_session_crypto_free (NULL);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/session-crypto/rfc8439-aead", test_rfc8439_aead);
  g_test_add_func ("/session-crypto/frame-layout", test_frame_layout);
  g_test_add_func ("/session-crypto/golden", test_golden);
  g_test_add_func ("/session-crypto/round-trip", test_round_trip);
  g_test_add_func ("/session-crypto/byte-at-a-time", test_byte_at_a_time);
  g_test_add_func ("/session-crypto/every-split", test_every_split);
  g_test_add_func ("/session-crypto/counters", test_counters);
  g_test_add_func ("/session-crypto/tampered", test_tampered);
  g_test_add_func ("/session-crypto/wrong-aad", test_wrong_aad);
  g_test_add_func ("/session-crypto/wrong-key", test_wrong_key);
  g_test_add_func ("/session-crypto/replay", test_replay);
  g_test_add_func ("/session-crypto/invalid-input", test_invalid_input);
  g_test_add_func ("/session-crypto/decrypt-append", test_decrypt_append);
  g_test_add_func ("/session-crypto/misuse", test_misuse);
  return g_test_run ();
}
