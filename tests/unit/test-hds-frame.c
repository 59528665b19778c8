/* Unit tests for hap/hds-frame.c (HDS frames, PROTOCOL.md section 3). */
#include <sodium.h>
#include <string.h>

#include "hap/hds-frame.h"
#include "tests/common/test-util.h"

/* 00 01 02 ... 1f */
static guint8 key_seq[HAP_HDS_KEY_LEN];
static const guint8 key_other[HAP_HDS_KEY_LEN] = { 0xf0, 0xe1, 0xd2, 0xc3, 0xb4, 0xa5, 0x96, 0x87,
  0x78, 0x69, 0x5a, 0x4b, 0x3c, 0x2d, 0x1e, 0x0f, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
  0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10 };

/* The accessory encrypts with key_seq and decrypts with key_other; the controller the other
 * way round. */
static HapHdsFrameCodec *
new_accessory (void)
{
  return hap_hds_frame_codec_new (key_seq, key_other);
}

static HapHdsFrameCodec *
new_controller (void)
{
  return hap_hds_frame_codec_new (key_other, key_seq);
}

static guint8 *
pattern (gsize len, guint seed)
{
  guint8 *p = g_malloc (len ? len : 1);

  for (gsize i = 0; i < len; i++)
    p[i] = (guint8) (i * 167 + seed * 13 + (i >> 9));
  return p;
}

/* Golden frames. The expected bytes were computed independently of libhap and libsodium with
 * Node.js v20 crypto (OpenSSL): createCipheriv('chacha20-poly1305', key 000102..1f,
 * nonce = 4 zero bytes + u64 LE counter, {authTagLength: 16}), setAAD(header), over the
 * payload; frame = header || ciphertext || tag. */
typedef struct {
  guint64 counter;
  const gchar *payload;
  const gchar *frame_hex;
} GoldenFrame;

static const GoldenFrame golden_frames[] = {
  { 0, "HomeKit Data Stream",
      "0100001350d72f54e68fd2f1570028008f103a559dd09e961d4fefb157a8f92a85d616832016a2" },
  { 1, "HomeKit Data Stream",
      "01000013d7389e3afe43db386dd7da3d72c6edf5a01c8667aaf9b2a431f7878388df7a68c246db" },
};

static void
test_golden (void)
{
  g_autoptr (HapHdsFrameCodec) acc = new_accessory ();
  g_autoptr (HapHdsFrameCodec) ctl = new_controller ();

  for (guint v = 0; v < G_N_ELEMENTS (golden_frames); v++) {
    const GoldenFrame *g = &golden_frames[v];
    gsize want_len, plen = strlen (g->payload);
    g_autofree guint8 *want = hap_test_unhex (g->frame_hex, &want_len);
    g_autoptr (GByteArray) frame = g_byte_array_new ();
    guint8 nonce[12] = { 0 };
    g_autofree guint8 *opened = g_malloc (plen);
    const guint8 *payload = NULL;
    gsize consumed = 0, payload_len = 0;
    GError *error = NULL;

    g_assert_cmpuint (hap_hds_frame_codec_get_encrypt_counter (acc), ==, g->counter);
    g_assert_true (hap_hds_frame_encode_append (acc, (const guint8 *) g->payload, plen, frame));
    g_assert_cmpmem (frame->data, frame->len, want, want_len);

    /* Header bytes spelled out: type 0x01, length 19 as u24 BE. */
    g_assert_cmpuint (frame->data[0], ==, 0x01);
    g_assert_cmpuint (frame->data[1], ==, 0x00);
    g_assert_cmpuint (frame->data[2], ==, 0x00);
    g_assert_cmpuint (frame->data[3], ==, 19);

    /* libsodium with the header as AAD and a hand-built nonce opens it. */
    nonce[4] = (guint8) g->counter;
    g_assert_cmpint (
        crypto_aead_chacha20poly1305_ietf_decrypt_detached (opened, NULL, frame->data + 4, plen,
            frame->data + 4 + plen, frame->data, 4, nonce, key_seq),
        ==, 0);
    g_assert_cmpmem (opened, plen, g->payload, plen);
    /* Not without the AAD. */
    g_assert_cmpint (crypto_aead_chacha20poly1305_ietf_decrypt_detached (opened, NULL,
                         frame->data + 4, plen, frame->data + 4 + plen, NULL, 0, nonce, key_seq),
        !=, 0);

    /* And our decoder opens the golden bytes. */
    g_assert_cmpint (
        hap_hds_frame_decode (ctl, want, want_len, &consumed, &payload, &payload_len, &error), ==,
        HAP_PARSE_OK);
    g_assert_no_error (error);
    g_assert_cmpuint (consumed, ==, want_len);
    g_assert_cmpmem (payload, payload_len, g->payload, plen);
  }

  /* An empty payload: header 01 000000 and the tag only (same Node.js computation). */
  {
    g_autoptr (HapHdsFrameCodec) fresh = new_accessory ();
    gsize want_len;
    g_autofree guint8 *want
        = hap_test_unhex ("010000000e1c400f4d53cd5cf810f77ffd91afe3", &want_len);
    guint8 out[HAP_HDS_FRAME_OVERHEAD];

    g_assert_cmpuint (hap_hds_frame_encode (fresh, NULL, 0, out, sizeof out), ==, sizeof out);
    g_assert_cmpmem (out, sizeof out, want, want_len);
  }
}

/* Header table: bytes given to hap_hds_frame_parse_header(). Also serves as the invalid input
 * table for headers (lengths are u24 big-endian; limit 0xFFFFF per PROTOCOL.md section 3). */
typedef struct {
  const gchar *hex;
  HapParseResult result;
  gsize payload_len;
  gint code;
} HeaderVector;

static const HeaderVector header_vectors[] = {
  { "", HAP_PARSE_NEED_MORE, 0, 0 },
  { "01", HAP_PARSE_NEED_MORE, 0, 0 },
  { "0100", HAP_PARSE_NEED_MORE, 0, 0 },
  { "010000", HAP_PARSE_NEED_MORE, 0, 0 },
  { "01000000", HAP_PARSE_OK, 0, 0 },
  { "01000001", HAP_PARSE_OK, 1, 0 },
  { "01000100", HAP_PARSE_OK, 256, 0 },
  { "01010000", HAP_PARSE_OK, 65536, 0 },
  { "01040000", HAP_PARSE_OK, 262144, 0 },
  { "010fffff", HAP_PARSE_OK, 0xFFFFF, 0 },
  { "010fffffaabbcc", HAP_PARSE_OK, 0xFFFFF, 0 }, /* bytes past the header are ignored */
  { "01100000", HAP_PARSE_INVALID, 0, HAP_CODEC_ERROR_TOO_LARGE },
  { "01ffffff", HAP_PARSE_INVALID, 0, HAP_CODEC_ERROR_TOO_LARGE },
  { "01800000", HAP_PARSE_INVALID, 0, HAP_CODEC_ERROR_TOO_LARGE },
  { "00", HAP_PARSE_INVALID, 0, HAP_CODEC_ERROR_MALFORMED },
  { "00000010", HAP_PARSE_INVALID, 0, HAP_CODEC_ERROR_MALFORMED },
  { "02000010", HAP_PARSE_INVALID, 0, HAP_CODEC_ERROR_MALFORMED },
  { "ff", HAP_PARSE_INVALID, 0, HAP_CODEC_ERROR_MALFORMED },
  { "81000010", HAP_PARSE_INVALID, 0, HAP_CODEC_ERROR_MALFORMED },
};

static void
test_header_table (void)
{
  for (guint v = 0; v < G_N_ELEMENTS (header_vectors); v++) {
    const HeaderVector *hv = &header_vectors[v];
    gsize len, n = 77;
    g_autofree guint8 *data = hap_test_unhex (hv->hex, &len);
    GError *error = NULL;

    g_test_message ("header %s", hv->hex);
    g_assert_cmpint (hap_hds_frame_parse_header (data, len, &n, &error), ==, hv->result);
    g_assert_cmpuint (n, ==, hv->payload_len);
    if (hv->result == HAP_PARSE_INVALID) {
      g_assert_error (error, HAP_CODEC_ERROR, hv->code);
      g_clear_error (&error);
    } else {
      g_assert_no_error (error);
    }
  }
}

/* Decodes `len` bytes fed in slices of `step` bytes; checks each frame against `want`. */
static guint
decode_in_steps (HapHdsFrameCodec *dec, const guint8 *data, gsize len, gsize step,
    const guint8 *const *want, const gsize *want_len)
{
  gsize pos = 0;
  guint frames = 0;

  while (pos < len) {
    gsize slice = MIN (step, len - pos), off = 0;

    while (off < slice) {
      const guint8 *payload = NULL;
      gsize consumed = 0, n = 0;
      GError *error = NULL;
      HapParseResult res = hap_hds_frame_decode (
          dec, data + pos + off, slice - off, &consumed, &payload, &n, &error);

      g_assert_no_error (error);
      g_assert_cmpint (res, !=, HAP_PARSE_INVALID);
      if (res == HAP_PARSE_OK) {
        g_assert_cmpmem (payload, n, want[frames], want_len[frames]);
        frames++;
      } else {
        g_assert_cmpuint (consumed, ==, slice - off);
        g_assert_null (payload);
      }
      off += consumed;
    }
    pos += slice;
  }
  return frames;
}

static const gsize round_trip_sizes[] = { 0, 1, 15, 16, 17, 1000, 1024, 65536, 262144, 0xFFFFF };

static void
test_round_trip (void)
{
  for (guint v = 0; v < G_N_ELEMENTS (round_trip_sizes); v++) {
    gsize size = round_trip_sizes[v];
    g_autoptr (HapHdsFrameCodec) acc = new_accessory ();
    g_autoptr (HapHdsFrameCodec) ctl = new_controller ();
    g_autoptr (HapHdsFrameCodec) ctl2 = new_controller ();
    g_autofree guint8 *plain = pattern (size, v);
    g_autofree guint8 *frame = g_malloc (size + HAP_HDS_FRAME_OVERHEAD);
    g_autofree guint8 *frame2 = g_malloc (size + HAP_HDS_FRAME_OVERHEAD);
    g_autoptr (GByteArray) appended = g_byte_array_new ();
    const guint8 *payload = NULL;
    guint8 *payload_rw = NULL;
    gsize consumed = 0, n = 0;
    GError *error = NULL;

    /* The three encoders agree, counter for counter. */
    {
      g_autoptr (HapHdsFrameCodec) a1 = new_accessory ();
      g_autoptr (HapHdsFrameCodec) a2 = new_accessory ();

      g_assert_cmpuint (
          hap_hds_frame_encode (a1, plain, size, frame, size + HAP_HDS_FRAME_OVERHEAD), ==,
          size + HAP_HDS_FRAME_OVERHEAD);
      if (size)
        memcpy (frame2 + 4, plain, size);
      g_assert_true (hap_hds_frame_encode_in_place (a2, frame2, size));
      g_assert_cmpmem (frame, size + 20, frame2, size + 20);
      g_assert_true (hap_hds_frame_encode_append (acc, plain, size, appended));
      g_assert_cmpmem (frame, size + 20, appended->data, appended->len);
      g_assert_cmpuint (hap_hds_frame_codec_get_encrypt_counter (a1), ==, 1);
    }
    g_assert_cmpuint (frame[0], ==, 0x01);
    g_assert_cmpuint (frame[1], ==, (size >> 16) & 0xff);
    g_assert_cmpuint (frame[2], ==, (size >> 8) & 0xff);
    g_assert_cmpuint (frame[3], ==, size & 0xff);

    /* Incremental decoder, whole frame at once (fast path). */
    g_assert_cmpint (hap_hds_frame_decode (ctl, frame, size + 20, &consumed, &payload, &n, &error),
        ==, HAP_PARSE_OK);
    g_assert_no_error (error);
    g_assert_cmpuint (consumed, ==, size + 20);
    g_assert_cmpmem (payload, n, plain, size);
    g_assert_cmpuint (hap_hds_frame_codec_get_decrypt_counter (ctl), ==, 1);

    /* In place. */
    g_assert_cmpint (
        hap_hds_frame_decode_in_place (ctl2, frame2, size + 20, &consumed, &payload_rw, &n, &error),
        ==, HAP_PARSE_OK);
    g_assert_no_error (error);
    g_assert_cmpuint (consumed, ==, size + 20);
    g_assert_true (payload_rw == frame2 + 4);
    g_assert_cmpmem (payload_rw, n, plain, size);
  }
}

/* Three frames back to back, fed at every split point, byte by byte, and in odd slices. */
static void
test_split_feeding (void)
{
  static const gsize sizes[] = { 37, 0, 300 };
  g_autoptr (HapHdsFrameCodec) acc = new_accessory ();
  g_autoptr (GByteArray) wire = g_byte_array_new ();
  guint8 *plains[3];
  gsize lens[3];

  for (guint i = 0; i < 3; i++) {
    plains[i] = pattern (sizes[i], i + 1);
    lens[i] = sizes[i];
    g_assert_true (hap_hds_frame_encode_append (acc, plains[i], sizes[i], wire));
  }
  g_assert_cmpuint (wire->len, ==, 37 + 0 + 300 + 3 * 20);

  for (gsize s = 0; s <= wire->len; s++) {
    g_autoptr (HapHdsFrameCodec) ctl = new_controller ();
    guint frames = 0;

    frames += decode_in_steps (ctl, wire->data, s, G_MAXSIZE, (const guint8 *const *) plains, lens);
    frames += decode_in_steps (ctl, wire->data + s, wire->len - s, G_MAXSIZE,
        (const guint8 *const *) plains + frames, lens + frames);
    g_assert_cmpuint (frames, ==, 3);
    g_assert_cmpuint (hap_hds_frame_codec_get_decrypt_counter (ctl), ==, 3);
  }
  for (gsize step = 1; step <= 23; step++) {
    g_autoptr (HapHdsFrameCodec) ctl = new_controller ();

    g_assert_cmpuint (
        decode_in_steps (ctl, wire->data, wire->len, step, (const guint8 *const *) plains, lens),
        ==, 3);
  }
  for (guint i = 0; i < 3; i++)
    g_free (plains[i]);
}

/* The largest frame (0xFFFFF) byte-split and a header announcing 0x100000, rejected as soon
 * as its 4 header bytes are in, before any payload arrives. */
static void
test_max_length (void)
{
  g_autoptr (HapHdsFrameCodec) acc = new_accessory ();
  g_autoptr (HapHdsFrameCodec) ctl = new_controller ();
  g_autofree guint8 *plain = pattern (0xFFFFF, 4);
  g_autoptr (GByteArray) wire = g_byte_array_new ();
  const guint8 *want[1] = { plain };
  gsize want_len[1] = { 0xFFFFF };

  g_assert_true (hap_hds_frame_encode_append (acc, plain, 0xFFFFF, wire));
  g_assert_cmpuint (wire->len, ==, 0xFFFFF + 20);
  g_assert_cmpmem (wire->data, 4, "\x01\x0f\xff\xff", 4);
  /* In 4099-byte slices: the frame is gathered through the decoder's buffering path. */
  g_assert_cmpuint (decode_in_steps (ctl, wire->data, wire->len, 4099, want, want_len), ==, 1);

  {
    g_autoptr (HapHdsFrameCodec) dec = new_controller ();
    static const guint8 too_big[] = { 0x01, 0x10, 0x00, 0x00 };
    const guint8 *payload = NULL;
    gsize consumed = 0, n = 0;
    GError *error = NULL;

    for (guint i = 0; i < 3; i++) {
      g_assert_cmpint (hap_hds_frame_decode (dec, too_big + i, 1, &consumed, &payload, &n, &error),
          ==, HAP_PARSE_NEED_MORE);
      g_assert_no_error (error);
    }
    g_assert_cmpint (hap_hds_frame_decode (dec, too_big + 3, 1, &consumed, &payload, &n, &error),
        ==, HAP_PARSE_INVALID);
    g_assert_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_TOO_LARGE);
    g_clear_error (&error);
    g_assert_true (hap_hds_frame_codec_has_failed (dec));
  }

  /* The encoder refuses to build one (caller misuse). */
  {
    g_autoptr (GByteArray) out = g_byte_array_new ();
    g_autofree guint8 *big = g_malloc0 (0x100000);

    g_test_expect_message ("hap", G_LOG_LEVEL_CRITICAL, "*assertion*failed*");
    g_assert_false (hap_hds_frame_encode_append (acc, big, 0x100000, out));
    g_test_assert_expected_messages ();
    g_assert_cmpuint (out->len, ==, 0);
    g_assert_cmpuint (hap_hds_frame_codec_get_encrypt_counter (acc), ==, 1);
  }
}

/* Feeds `data` then zero padding until the decoder stops asking for more; asserts INVALID with
 * `code`, that nothing is returned, and that the decoder then rejects a good frame. */
static void
assert_rejected (HapHdsFrameCodec *dec, const guint8 *data, gsize len, gint code)
{
  const guint8 *payload = NULL;
  gsize consumed = 0, n = 0, pos = 0;
  GError *error = NULL;
  HapParseResult res = HAP_PARSE_NEED_MORE;

  while (pos < len) {
    res = hap_hds_frame_decode (dec, data + pos, len - pos, &consumed, &payload, &n, &error);
    g_assert_cmpint (res, !=, HAP_PARSE_OK);
    pos += consumed;
    if (res == HAP_PARSE_INVALID)
      break;
  }
  while (res == HAP_PARSE_NEED_MORE) {
    static const guint8 zeros[4096];

    res = hap_hds_frame_decode (dec, zeros, sizeof zeros, &consumed, &payload, &n, &error);
    g_assert_cmpint (res, !=, HAP_PARSE_OK);
  }
  g_assert_error (error, HAP_CODEC_ERROR, code);
  g_clear_error (&error);
  g_assert_null (payload);
  g_assert_cmpuint (n, ==, 0);
  g_assert_true (hap_hds_frame_codec_has_failed (dec));

  {
    g_autoptr (HapHdsFrameCodec) peer = new_accessory ();
    guint8 good[1 + HAP_HDS_FRAME_OVERHEAD];

    g_assert_cmpuint (
        hap_hds_frame_encode (peer, (const guint8 *) "z", 1, good, sizeof good), ==, sizeof good);
    g_assert_cmpint (hap_hds_frame_decode (dec, good, sizeof good, &consumed, &payload, &n, &error),
        ==, HAP_PARSE_INVALID);
    g_assert_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_MALFORMED);
    g_clear_error (&error);
    g_assert_null (payload);
  }
}

/* Unknown types, including a frame whose tag is valid for its (wrong) type byte. */
static void
test_bad_type (void)
{
  static const guint8 types[] = { 0x00, 0x02, 0x03, 0x7f, 0x80, 0xff };
  guint8 plain[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

  g_assert_cmpint (sodium_init (), >=, 0);
  for (guint t = 0; t < G_N_ELEMENTS (types); t++) {
    g_autoptr (HapHdsFrameCodec) acc = new_accessory ();
    g_autoptr (HapHdsFrameCodec) acc2 = new_accessory ();
    guint8 frame[8 + HAP_HDS_FRAME_OVERHEAD] = { types[t], 0, 0, 8 };
    guint8 nonce[12] = { 0 };
    gsize consumed = 0, n = 0;
    const guint8 *payload = NULL;
    GError *error = NULL;

    crypto_aead_chacha20poly1305_ietf_encrypt_detached (
        frame + 4, frame + 12, NULL, plain, 8, frame, 4, NULL, nonce, key_other);
    assert_rejected (acc, frame, sizeof frame, HAP_CODEC_ERROR_MALFORMED);
    /* Rejected on the first byte. */
    g_assert_cmpint (hap_hds_frame_decode (acc2, frame, 1, &consumed, &payload, &n, &error), ==,
        HAP_PARSE_INVALID);
    g_assert_cmpuint (consumed, ==, 1);
    g_assert_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_MALFORMED);
    g_clear_error (&error);
    g_assert_cmpint (
        hap_hds_frame_trial_decrypt (key_other, frame, sizeof frame, NULL), ==, HAP_PARSE_INVALID);
  }
}

/* Every single-bit change in a frame is rejected: header (AAD: type and length), ciphertext
 * and tag. */
static void
test_bad_tag (void)
{
  g_autoptr (HapHdsFrameCodec) ctl = new_controller ();
  g_autofree guint8 *plain = pattern (33, 7);
  guint8 frame[33 + HAP_HDS_FRAME_OVERHEAD];

  g_assert_cmpuint (hap_hds_frame_encode (ctl, plain, 33, frame, sizeof frame), ==, sizeof frame);
  for (gsize i = 0; i < sizeof frame; i++) {
    for (guint bit = 0; bit < 8; bit++) {
      g_autoptr (HapHdsFrameCodec) acc = new_accessory ();
      guint8 bad[sizeof frame];
      gint code = HAP_CODEC_ERROR_AUTH;

      memcpy (bad, frame, sizeof bad);
      bad[i] ^= 1u << bit;
      if (i == 0)
        code = HAP_CODEC_ERROR_MALFORMED;
      else if (i == 1 && bad[1] >= 0x10)
        code = HAP_CODEC_ERROR_TOO_LARGE;
      assert_rejected (acc, bad, sizeof bad, code);
    }
  }
  /* Same frame, wrong key. */
  {
    g_autoptr (HapHdsFrameCodec) wrong = hap_hds_frame_codec_new (key_seq, key_seq);

    assert_rejected (wrong, frame, sizeof frame, HAP_CODEC_ERROR_AUTH);
  }
}

/* Frames must come in counter order; each direction counts on its own. */
static void
test_counter_order (void)
{
  g_autoptr (HapHdsFrameCodec) acc = new_accessory ();
  guint8 f[3][2 + HAP_HDS_FRAME_OVERHEAD];

  for (guint i = 0; i < 3; i++) {
    guint8 msg[2] = { 'm', (guint8) ('0' + i) };

    g_assert_cmpuint (hap_hds_frame_encode (acc, msg, 2, f[i], sizeof f[i]), ==, sizeof f[i]);
    g_assert_cmpuint (hap_hds_frame_codec_get_encrypt_counter (acc), ==, i + 1);
  }
  g_assert_cmpuint (hap_hds_frame_codec_get_decrypt_counter (acc), ==, 0);
  {
    g_autoptr (HapHdsFrameCodec) ctl = new_controller ();

    for (guint i = 0; i < 3; i++) {
      const guint8 *payload;
      gsize consumed, n;

      g_assert_cmpint (hap_hds_frame_decode (ctl, f[i], sizeof f[i], &consumed, &payload, &n, NULL),
          ==, HAP_PARSE_OK);
      g_assert_cmpuint (n, ==, 2);
      g_assert_cmpuint (payload[1], ==, '0' + i);
      g_assert_cmpuint (hap_hds_frame_codec_get_decrypt_counter (ctl), ==, i + 1);
    }
    g_assert_cmpuint (hap_hds_frame_codec_get_encrypt_counter (ctl), ==, 0);
  }
  { /* skipped frame */
    g_autoptr (HapHdsFrameCodec) ctl = new_controller ();
    const guint8 *payload;
    gsize consumed, n;

    g_assert_cmpint (hap_hds_frame_decode (ctl, f[0], sizeof f[0], &consumed, &payload, &n, NULL),
        ==, HAP_PARSE_OK);
    assert_rejected (ctl, f[2], sizeof f[2], HAP_CODEC_ERROR_AUTH);
  }
  { /* replayed frame */
    g_autoptr (HapHdsFrameCodec) ctl = new_controller ();
    const guint8 *payload;
    gsize consumed, n;

    g_assert_cmpint (hap_hds_frame_decode (ctl, f[0], sizeof f[0], &consumed, &payload, &n, NULL),
        ==, HAP_PARSE_OK);
    assert_rejected (ctl, f[0], sizeof f[0], HAP_CODEC_ERROR_AUTH);
  }
  { /* out of order from the start */
    g_autoptr (HapHdsFrameCodec) ctl = new_controller ();

    assert_rejected (ctl, f[1], sizeof f[1], HAP_CODEC_ERROR_AUTH);
  }
}

/* Matching a new connection's first frame against pending set-ups. */
static void
test_trial_decrypt (void)
{
  static const guint8 pending_keys[3][HAP_HDS_KEY_LEN] = { { 1 }, { 2 }, { 3 } };
  g_autoptr (HapHdsFrameCodec) hub = hap_hds_frame_codec_new (pending_keys[1], key_seq);
  g_autoptr (GByteArray) wire = g_byte_array_new ();
  GError *error = NULL;
  guint matches = 0, match = 99;

  g_assert_true (hap_hds_frame_encode_append (hub, (const guint8 *) "\x00hello", 6, wire));
  g_assert_true (hap_hds_frame_encode_append (hub, (const guint8 *) "\x00again", 6, wire));

  for (guint k = 0; k < 3; k++) {
    HapParseResult res
        = hap_hds_frame_trial_decrypt (pending_keys[k], wire->data, wire->len, &error);

    if (res == HAP_PARSE_OK) {
      matches++;
      match = k;
      g_assert_no_error (error);
    } else {
      g_assert_cmpint (res, ==, HAP_PARSE_INVALID);
      g_assert_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_AUTH);
      g_clear_error (&error);
    }
  }
  g_assert_cmpuint (matches, ==, 1);
  g_assert_cmpuint (match, ==, 1);

  /* Every incomplete prefix says NEED_MORE for every key; bytes are not changed. */
  for (gsize s = 0; s < 26; s++) {
    for (guint k = 0; k < 3; k++)
      g_assert_cmpint (hap_hds_frame_trial_decrypt (pending_keys[k], wire->data, s, NULL), ==,
          HAP_PARSE_NEED_MORE);
  }
  g_assert_cmpint (
      hap_hds_frame_trial_decrypt (pending_keys[1], wire->data, 26, NULL), ==, HAP_PARSE_OK);
  /* The second frame (counter 1) is not a first frame. */
  g_assert_cmpint (hap_hds_frame_trial_decrypt (pending_keys[1], wire->data + 26, 26, &error), ==,
      HAP_PARSE_INVALID);
  g_assert_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_AUTH);
  g_clear_error (&error);
  /* Bad header. */
  g_assert_cmpint (
      hap_hds_frame_trial_decrypt (pending_keys[1], (const guint8 *) "\x02", 1, &error), ==,
      HAP_PARSE_INVALID);
  g_assert_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_MALFORMED);
  g_clear_error (&error);

  /* No state was consumed: a codec with the matched key decodes from counter 0. */
  {
    g_autoptr (HapHdsFrameCodec) acc = hap_hds_frame_codec_new (key_seq, pending_keys[match]);
    const guint8 *want[2] = { (const guint8 *) "\x00hello", (const guint8 *) "\x00again" };
    gsize want_len[2] = { 6, 6 };

    g_assert_cmpuint (decode_in_steps (acc, wire->data, wire->len, 5, want, want_len), ==, 2);
  }
}

/* Plaintext layout: u8 header length + header + message. */
typedef struct {
  const gchar *hex;
  HapParseResult result;
  const gchar *header_hex;
  const gchar *message_hex;
} SplitVector;

static const SplitVector split_vectors[] = {
  { "00", HAP_PARSE_OK, "", "" },
  { "0001", HAP_PARSE_OK, "", "01" },
  { "01aa", HAP_PARSE_OK, "aa", "" },
  { "02aabbccdd", HAP_PARSE_OK, "aabb", "ccdd" },
  { "03e1e2e3", HAP_PARSE_OK, "e1e2e3", "" },
  /* invalid: empty, header length past the end */
  { "", HAP_PARSE_INVALID, NULL, NULL },
  { "01", HAP_PARSE_INVALID, NULL, NULL },
  { "02aa", HAP_PARSE_INVALID, NULL, NULL },
  { "05aabbccdd", HAP_PARSE_INVALID, NULL, NULL },
  { "ff00", HAP_PARSE_INVALID, NULL, NULL },
};

static void
test_plaintext (void)
{
  for (guint v = 0; v < G_N_ELEMENTS (split_vectors); v++) {
    const SplitVector *sv = &split_vectors[v];
    gsize len, header_len = 9, message_len = 9;
    g_autofree guint8 *data = hap_test_unhex (sv->hex, &len);
    const guint8 *header = (const guint8 *) "x", *message = (const guint8 *) "x";
    GError *error = NULL;
    HapParseResult res;

    g_test_message ("plaintext %s", sv->hex);
    res = hap_hds_plaintext_split (
        len ? data : NULL, len, &header, &header_len, &message, &message_len, &error);
    g_assert_cmpint (res, ==, sv->result);
    if (res == HAP_PARSE_OK) {
      gsize hl, ml;
      g_autofree guint8 *want_h = hap_test_unhex (sv->header_hex, &hl);
      g_autofree guint8 *want_m = hap_test_unhex (sv->message_hex, &ml);
      g_autoptr (GByteArray) joined = g_byte_array_new ();

      g_assert_no_error (error);
      g_assert_cmpmem (header, header_len, want_h, hl);
      g_assert_cmpmem (message, message_len, want_m, ml);
      g_assert_true (header == data + 1);
      /* join is the inverse */
      g_assert_true (hap_hds_plaintext_join (want_h, hl, want_m, ml, joined));
      g_assert_cmpmem (joined->data, joined->len, data, len);
    } else {
      g_assert_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_TRUNCATED);
      g_clear_error (&error);
      g_assert_null (header);
      g_assert_null (message);
      g_assert_cmpuint (header_len, ==, 0);
      g_assert_cmpuint (message_len, ==, 0);
    }
  }

  /* A 255-byte header is the largest. */
  {
    g_autofree guint8 *h = pattern (256, 1);
    g_autoptr (GByteArray) out = g_byte_array_new ();

    g_assert_true (hap_hds_plaintext_join (h, 255, (const guint8 *) "m", 1, out));
    g_assert_cmpuint (out->len, ==, 257);
    g_assert_cmpuint (out->data[0], ==, 255);
    g_test_expect_message ("hap", G_LOG_LEVEL_CRITICAL, "*assertion*failed*");
    g_assert_false (hap_hds_plaintext_join (h, 256, NULL, 0, out));
    g_test_assert_expected_messages ();
    g_assert_cmpuint (out->len, ==, 257);
  }
}

/* The zero-copy send path described in hds-frame.h: reserve the header, join, add tag room,
 * encrypt in place, and the peer decodes and splits it. */
static void
test_zero_copy_send (void)
{
  g_autoptr (HapHdsFrameCodec) acc = new_accessory ();
  g_autoptr (HapHdsFrameCodec) ctl = new_controller ();
  g_autoptr (GByteArray) buf = g_byte_array_new ();
  g_autofree guint8 *msg = pattern (5000, 2);
  const guint8 *payload, *header, *message;
  gsize consumed, n, hl, ml;

  g_byte_array_set_size (buf, HAP_HDS_FRAME_HEADER_LEN);
  g_assert_true (hap_hds_plaintext_join ((const guint8 *) "hdr", 3, msg, 5000, buf));
  g_byte_array_set_size (buf, buf->len + HAP_HDS_FRAME_TAG_LEN);
  g_assert_true (hap_hds_frame_encode_in_place (acc, buf->data, buf->len - HAP_HDS_FRAME_OVERHEAD));
  g_assert_cmpint (hap_hds_frame_decode (ctl, buf->data, buf->len, &consumed, &payload, &n, NULL),
      ==, HAP_PARSE_OK);
  g_assert_cmpuint (consumed, ==, buf->len);
  g_assert_cmpint (
      hap_hds_plaintext_split (payload, n, &header, &hl, &message, &ml, NULL), ==, HAP_PARSE_OK);
  g_assert_cmpmem (header, hl, "hdr", 3);
  g_assert_cmpmem (message, ml, msg, 5000);
}

/* Invalid input table for the decoder: bytes (hex prefix + `pad` zero bytes) fed to a fresh
 * accessory-side decoder, all at once and one byte at a time. */
typedef struct {
  const gchar *name;
  const gchar *hex;
  gsize pad;
  HapParseResult result;
  gint code;
  gsize consumed;
} InvalidVector;

static const InvalidVector invalid_vectors[] = {
  { "empty", "", 0, HAP_PARSE_NEED_MORE, 0, 0 },
  { "type only", "01", 0, HAP_PARSE_NEED_MORE, 0, 1 },
  { "partial header", "0100", 0, HAP_PARSE_NEED_MORE, 0, 2 },
  { "type 0", "00", 0, HAP_PARSE_INVALID, HAP_CODEC_ERROR_MALFORMED, 1 },
  { "type 2 whole", "02000000", 16, HAP_PARSE_INVALID, HAP_CODEC_ERROR_MALFORMED, 1 },
  { "type ff", "ff", 30, HAP_PARSE_INVALID, HAP_CODEC_ERROR_MALFORMED, 1 },
  { "length 0x100000", "01100000", 0, HAP_PARSE_INVALID, HAP_CODEC_ERROR_TOO_LARGE, 4 },
  { "length 0xffffff", "01ffffff", 64, HAP_PARSE_INVALID, HAP_CODEC_ERROR_TOO_LARGE, 4 },
  { "empty payload short tag", "01000000", 15, HAP_PARSE_NEED_MORE, 0, 19 },
  { "empty payload zero tag", "01000000", 16, HAP_PARSE_INVALID, HAP_CODEC_ERROR_AUTH, 20 },
  { "length 3 zero tag", "01000003", 19, HAP_PARSE_INVALID, HAP_CODEC_ERROR_AUTH, 23 },
  { "zero tag then more", "01000003", 50, HAP_PARSE_INVALID, HAP_CODEC_ERROR_AUTH, 23 },
  { "length 0xfffff short", "010fffff", 1000, HAP_PARSE_NEED_MORE, 0, 1004 },
};

static void
test_invalid_input (void)
{
  for (guint v = 0; v < G_N_ELEMENTS (invalid_vectors); v++) {
    const InvalidVector *iv = &invalid_vectors[v];
    g_autoptr (HapHdsFrameCodec) dec = new_accessory ();
    g_autoptr (HapHdsFrameCodec) dec2 = new_accessory ();
    gsize hex_len;
    g_autofree guint8 *prefix = hap_test_unhex (iv->hex, &hex_len);
    gsize len = hex_len + iv->pad;
    g_autofree guint8 *data = g_malloc0 (len + 1);
    const guint8 *payload = (const guint8 *) "x";
    gsize consumed = 99, n = 99, total = 0;
    GError *error = NULL;
    HapParseResult res = HAP_PARSE_NEED_MORE;

    g_test_message ("invalid input: %s", iv->name);
    memcpy (data, prefix, hex_len);
    res = hap_hds_frame_decode (dec, len ? data : NULL, len, &consumed, &payload, &n, &error);
    g_assert_cmpint (res, ==, iv->result);
    g_assert_cmpuint (consumed, ==, iv->consumed);
    g_assert_null (payload);
    g_assert_cmpuint (n, ==, 0);
    if (res == HAP_PARSE_INVALID) {
      g_assert_error (error, HAP_CODEC_ERROR, iv->code);
      g_clear_error (&error);
    } else {
      g_assert_no_error (error);
    }
    g_assert_cmpint (hap_hds_frame_codec_has_failed (dec), ==, res == HAP_PARSE_INVALID);

    res = HAP_PARSE_NEED_MORE;
    for (gsize i = 0; i < len && res == HAP_PARSE_NEED_MORE; i++) {
      res = hap_hds_frame_decode (dec2, data + i, 1, &consumed, &payload, &n, &error);
      total += consumed;
    }
    g_assert_cmpint (res, ==, iv->result);
    g_assert_cmpuint (total, ==, iv->consumed);
    if (res == HAP_PARSE_INVALID)
      g_assert_error (error, HAP_CODEC_ERROR, iv->code);
    g_clear_error (&error);

    /* The in-place decoder and trial decryption agree on complete input. */
    {
      g_autoptr (HapHdsFrameCodec) dec3 = new_accessory ();
      guint8 *rw = NULL;

      res = hap_hds_frame_decode_in_place (
          dec3, len ? data : NULL, len, &consumed, &rw, &n, &error);
      g_assert_cmpint (res, ==, iv->result);
      g_assert_null (rw);
      if (res == HAP_PARSE_INVALID)
        g_assert_error (error, HAP_CODEC_ERROR, iv->code);
      g_clear_error (&error);
      g_assert_cmpint (
          hap_hds_frame_trial_decrypt (key_other, len ? data : NULL, len, &error), ==, iv->result);
      if (iv->result == HAP_PARSE_INVALID)
        g_assert_error (error, HAP_CODEC_ERROR, iv->code);
      g_clear_error (&error);
    }
  }
}

static void
test_misuse (void)
{
  g_autoptr (HapHdsFrameCodec) acc = new_accessory ();
  guint8 out[8];
  const guint8 *payload;
  gsize consumed, n;

  g_test_expect_message ("hap", G_LOG_LEVEL_CRITICAL, "*assertion*failed*");
  g_assert_cmpuint (hap_hds_frame_encode (acc, out, 1, out, sizeof out), ==, 0);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (hap_hds_frame_codec_get_encrypt_counter (acc), ==, 0);

  g_test_expect_message ("hap", G_LOG_LEVEL_CRITICAL, "*assertion*failed*");
  g_assert_false (hap_hds_frame_encode_in_place (acc, out, 0x100000));
  g_test_assert_expected_messages ();

  g_test_expect_message ("hap", G_LOG_LEVEL_CRITICAL, "*assertion*failed*");
  g_assert_null (hap_hds_frame_codec_new (key_seq, NULL));
  g_test_assert_expected_messages ();

  g_test_expect_message ("hap", G_LOG_LEVEL_CRITICAL, "*assertion*failed*");
  g_assert_cmpint (
      hap_hds_frame_decode (acc, NULL, 3, &consumed, &payload, &n, NULL), ==, HAP_PARSE_INVALID);
  g_test_assert_expected_messages ();
  g_assert_false (hap_hds_frame_codec_has_failed (acc));

  hap_hds_frame_codec_free (NULL);
}

int
main (int argc, char **argv)
{
  for (guint i = 0; i < HAP_HDS_KEY_LEN; i++)
    key_seq[i] = (guint8) i;
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/hds-frame/golden", test_golden);
  g_test_add_func ("/hds-frame/header-table", test_header_table);
  g_test_add_func ("/hds-frame/round-trip", test_round_trip);
  g_test_add_func ("/hds-frame/split-feeding", test_split_feeding);
  g_test_add_func ("/hds-frame/max-length", test_max_length);
  g_test_add_func ("/hds-frame/bad-type", test_bad_type);
  g_test_add_func ("/hds-frame/bad-tag", test_bad_tag);
  g_test_add_func ("/hds-frame/counter-order", test_counter_order);
  g_test_add_func ("/hds-frame/trial-decrypt", test_trial_decrypt);
  g_test_add_func ("/hds-frame/plaintext", test_plaintext);
  g_test_add_func ("/hds-frame/zero-copy-send", test_zero_copy_send);
  g_test_add_func ("/hds-frame/invalid-input", test_invalid_input);
  g_test_add_func ("/hds-frame/misuse", test_misuse);
  return g_test_run ();
}
