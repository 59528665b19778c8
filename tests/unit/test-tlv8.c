/* Unit tests for hap/tlv8.c (HAP TLV8 reader and writer).
 *
 * Sources of the expected values:
 * - HAP specification (Apple, non-commercial version R2), section 14.1 "TLV8": 8-bit type,
 *   8-bit length, values over 255 bytes split into consecutive items of the same type (its
 *   example: a 300-byte value is two items, 255 bytes then 45 = 0x2D), lists separated by a
 *   zero-length separator item; pairing TLV types in section 5.15 (0 Method, 6 State, 7 Error,
 *   1 Identifier, 3 PublicKey, 11 Permissions, 0xFF Separator). Pair-setup M1 is
 *   `00 01 00 06 01 01` (method = pair setup, state = M1), the same bytes as the "HomeKit Pair
 *   Setup M1" case of HomeKitADK's Tests/HAPTLVTest.c.
 * - /work/shared/design/PROTOCOL.md section 6: real-hub camera values (base64), decoded here by
 *   hand against the HKSV spec summary's TLV tables; each expected field is written out below.
 * Every expected byte string is written literally or built byte by byte in the test, never
 * produced by the writer under test. */
#include <string.h>

#include "hap/tlv8.h"
#include "tests/common/test-util.h"

static HapTlv8 *
parse_hex_ok (const gchar *hex)
{
  gsize len;
  g_autofree guint8 *data = hap_test_unhex (hex, &len);
  GError *error = NULL;
  /* An empty vector goes in as NULL with length 0. */
  HapTlv8 *tlv = hap_tlv8_parse (len ? data : NULL, len, &error);

  g_assert_no_error (error);
  g_assert_nonnull (tlv);
  return tlv;
}

static void
assert_item (const HapTlv8 *tlv, guint index, guint8 type, const gchar *value_hex)
{
  const HapTlv8Item *item = hap_tlv8_item (tlv, index);

  g_assert_nonnull (item);
  g_assert_cmpuint (item->type, ==, type);
  g_assert_nonnull (item->value);
  hap_test_assert_hex_equal (item->value, item->len, value_hex);
}

/* ---- Table of parse vectors ---------------------------------------------------------------- */

typedef struct {
  guint8 type;
  const gchar *value; /* hex */
} ExpectedItem;

typedef struct {
  const gchar *name;
  const gchar *input; /* hex */
  guint n_items;
  ExpectedItem items[8];
} ParseVector;

static const ParseVector parse_vectors[] = {
  { "empty input", "", 0, { { 0 } } },
  { "single item", "01 01 01", 1, { { 0x01, "01" } } },
  /* HAP spec 5.6.1: pair-setup M1 = kTLVType_Method 0 (Pair Setup), kTLVType_State 1. */
  { "pair-setup M1", "00 01 00 06 01 01", 2, { { 0x00, "00" }, { 0x06, "01" } } },
  /* HAP spec 5.6.2: an M2 error reply, State 2, Error 2 = kTLVError_Authentication. */
  { "pair-setup M2 error", "06 01 02 07 01 02", 2, { { 0x06, "02" }, { 0x07, "02" } } },
  /* HAP spec 5.10.2 (list pairings response): State 2, then per pairing Identifier,
   * PublicKey, Permissions, separated by a zero-length 0xFF item (shortened values). */
  { "pairing list with separator",
      "06 01 02 01 02 41 42 03 02 aa bb 0b 01 01 ff 00 01 02 43 44 03 02 cc dd 0b 01 00", 8,
      { { 0x06, "02" }, { 0x01, "4142" }, { 0x03, "aabb" }, { 0x0b, "01" }, { 0xff, "" },
          { 0x01, "4344" }, { 0x03, "ccdd" }, { 0x0b, "00" } } },
  { "lone separator", "ff 00", 1, { { 0xff, "" } } },
  /* Same type twice, first fragment shorter than 255: two separate items. */
  { "same type, short fragments", "01 01 61 01 01 62", 2, { { 0x01, "61" }, { 0x01, "62" } } },
  { "zero-length items of the same type", "00 00 00 00", 2, { { 0x00, "" }, { 0x00, "" } } },
  { "string value", "01 05 68 65 6c 6c 6f 02 00", 2, { { 0x01, "68656c6c6f" }, { 0x02, "" } } },
};

static void
test_parse_vectors (void)
{
  for (guint v = 0; v < G_N_ELEMENTS (parse_vectors); v++) {
    const ParseVector *pv = &parse_vectors[v];
    g_autoptr (HapTlv8) tlv = NULL;

    g_test_message ("vector: %s", pv->name);
    tlv = parse_hex_ok (pv->input);
    g_assert_cmpuint (hap_tlv8_n_items (tlv), ==, pv->n_items);
    for (guint i = 0; i < pv->n_items; i++)
      assert_item (tlv, i, pv->items[i].type, pv->items[i].value);
    g_assert_null (hap_tlv8_item (tlv, pv->n_items));
  }
}

/* Re-encoding each vector's items with the writer (separators where the input had them) gives
 * back the input bytes. */
static void
test_write_vectors (void)
{
  for (guint v = 0; v < G_N_ELEMENTS (parse_vectors); v++) {
    const ParseVector *pv = &parse_vectors[v];
    HapTlv8Writer w;
    gsize want_len, got_len;
    g_autofree guint8 *want = hap_test_unhex (pv->input, &want_len);
    const guint8 *got;

    hap_tlv8_writer_init (&w);
    for (guint i = 0; i < pv->n_items; i++) {
      gsize len;
      g_autofree guint8 *value = hap_test_unhex (pv->items[i].value, &len);

      /* An empty value goes in as NULL with length 0. */
      hap_tlv8_add (&w, pv->items[i].type, len ? value : NULL, len);
    }
    got = hap_tlv8_writer_data (&w, &got_len);
    g_assert_cmpmem (got, got_len, want, want_len);
    hap_tlv8_writer_clear (&w);
  }
}

/* ---- Fragmentation ------------------------------------------------------------------------- */

/* Appends one raw item header + `n` pattern bytes starting at `start`. */
static void
raw_item (GByteArray *out, guint8 type, guint8 len, guint start)
{
  guint8 header[2] = { type, len };

  g_byte_array_append (out, header, 2);
  for (guint i = 0; i < len; i++) {
    guint8 b = (guint8) ((start + i) * 7 + 3);

    g_byte_array_append (out, &b, 1);
  }
}

static void
assert_pattern (const HapTlv8Item *item, guint8 type, gsize len)
{
  g_assert_nonnull (item);
  g_assert_cmpuint (item->type, ==, type);
  g_assert_cmpuint (item->len, ==, len);
  for (gsize i = 0; i < len; i++)
    g_assert_cmpuint (item->value[i], ==, (guint8) (i * 7 + 3));
}

static guint8 *
pattern (gsize len)
{
  guint8 *p = g_malloc (len + 1);

  for (gsize i = 0; i < len; i++)
    p[i] = (guint8) (i * 7 + 3);
  return p;
}

/* HAP spec 14.1: a 300-byte value -> 06 FF <255 bytes> 06 2D <45 bytes>. */
static void
test_fragment_300 (void)
{
  g_autoptr (GByteArray) want = g_byte_array_new ();
  g_autofree guint8 *value = pattern (300);
  g_autoptr (HapTlv8) tlv = NULL;
  g_autoptr (GBytes) bytes = NULL;
  HapTlv8Writer w;
  GError *error = NULL;

  raw_item (want, 0x06, 0xff, 0);
  raw_item (want, 0x06, 0x2d, 255);
  raw_item (want, 0x01, 0x01, 0);
  g_assert_cmpuint (want->len, ==, 2 + 255 + 2 + 45 + 3);

  tlv = hap_tlv8_parse (want->data, want->len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hap_tlv8_n_items (tlv), ==, 2);
  assert_pattern (hap_tlv8_item (tlv, 0), 0x06, 300);
  assert_pattern (hap_tlv8_item (tlv, 1), 0x01, 1);

  hap_tlv8_writer_init (&w);
  hap_tlv8_add (&w, 0x06, value, 300);
  hap_tlv8_add_u8 (&w, 0x01, 3);
  bytes = hap_tlv8_writer_take_bytes (&w);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), want->data, want->len);
  /* take_bytes leaves an empty, usable writer. */
  g_assert_cmpuint (w.buf->len, ==, 0);
  hap_tlv8_writer_clear (&w);
  g_assert_null (w.buf);
}

typedef struct {
  const gchar *name;
  guint n_raw;
  struct {
    guint8 type, len;
  } raw[5];
  guint n_items;
  struct {
    guint8 type;
    gsize len;
  } items[4];
} FragmentVector;

/* Merge rule: an item continues the previous one only when the previous fragment had the same
 * type and was exactly 255 bytes long. */
static const FragmentVector fragment_vectors[] = {
  { "255 as the last item", 1, { { 1, 255 } }, 1, { { 1, 255 } } },
  { "255 + 255", 2, { { 1, 255 }, { 1, 255 } }, 1, { { 1, 510 } } },
  { "255 + 1", 2, { { 1, 255 }, { 1, 1 } }, 1, { { 1, 256 } } },
  { "255 + 255 + 255 + 2", 4, { { 1, 255 }, { 1, 255 }, { 1, 255 }, { 1, 2 } }, 1, { { 1, 767 } } },
  { "255 then another type", 2, { { 1, 255 }, { 2, 10 } }, 2, { { 1, 255 }, { 2, 10 } } },
  /* A zero-length fragment terminates a 255-multiple value... */
  { "255 + 0", 2, { { 1, 255 }, { 1, 0 } }, 1, { { 1, 255 } } },
  /* ... so that a further item of the same type starts a new value. */
  { "255 + 0 + 3", 3, { { 1, 255 }, { 1, 0 }, { 1, 3 } }, 2, { { 1, 255 }, { 1, 3 } } },
  { "254 + 3 (no merge)", 2, { { 1, 254 }, { 1, 3 } }, 2, { { 1, 254 }, { 1, 3 } } },
  { "255, separator, 255", 3, { { 1, 255 }, { 0xff, 0 }, { 1, 255 } }, 3,
      { { 1, 255 }, { 0xff, 0 }, { 1, 255 } } },
};

static void
test_fragment_vectors (void)
{
  for (guint v = 0; v < G_N_ELEMENTS (fragment_vectors); v++) {
    const FragmentVector *fv = &fragment_vectors[v];
    g_autoptr (GByteArray) in = g_byte_array_new ();
    g_autoptr (HapTlv8) tlv = NULL;
    GError *error = NULL;
    guint start = 0;

    g_test_message ("vector: %s", fv->name);
    for (guint i = 0; i < fv->n_raw; i++) {
      /* Pattern continues across the fragments of one value, restarts for a new value. */
      if (i > 0 && (fv->raw[i].type != fv->raw[i - 1].type || fv->raw[i - 1].len != 255))
        start = 0;
      raw_item (in, fv->raw[i].type, fv->raw[i].len, start);
      start += fv->raw[i].len;
    }
    tlv = hap_tlv8_parse (in->data, in->len, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (hap_tlv8_n_items (tlv), ==, fv->n_items);
    for (guint i = 0; i < fv->n_items; i++)
      assert_pattern (hap_tlv8_item (tlv, i), fv->items[i].type, fv->items[i].len);
  }
}

/* The writer: values of 0, 1, 254, 255, 256, 510, 511 bytes give exactly the fragments
 * ceil(len / 255) (at least one), all 255 long except the last. */
static void
test_writer_fragments (void)
{
  static const gsize lens[] = { 0, 1, 254, 255, 256, 510, 511, 1000 };

  for (guint l = 0; l < G_N_ELEMENTS (lens); l++) {
    gsize len = lens[l], expect_frags = len == 0 ? 1 : (len + 254) / 255, off = 0, frags = 0;
    g_autofree guint8 *value = pattern (len);
    HapTlv8Writer w;
    const guint8 *data;
    gsize data_len;

    hap_tlv8_writer_init (&w);
    hap_tlv8_add (&w, 0x05, value, len);
    data = hap_tlv8_writer_data (&w, &data_len);
    g_assert_cmpuint (data_len, ==, len + 2 * expect_frags);
    while (off < data_len) {
      guint8 flen = data[off + 1];

      g_assert_cmpuint (data[off], ==, 0x05);
      if (frags + 1 < expect_frags)
        g_assert_cmpuint (flen, ==, 255);
      else
        g_assert_cmpuint (flen, ==, len - 255 * (expect_frags - 1));
      g_assert_cmpmem (data + off + 2, flen, value + 255 * frags, flen);
      off += 2 + flen;
      frags++;
    }
    g_assert_cmpuint (frags, ==, expect_frags);
    hap_tlv8_writer_clear (&w);
  }
}

/* ---- Typed values -------------------------------------------------------------------------- */

static void
test_getters (void)
{
  /* 1: u8 0xAB; 2: u16 0x1234; 3: u32 0x12345678; 4: u64 0x0102030405060708; 5: 3-byte uint
   * 0x030201; 6: empty; 7: 9 bytes (too wide for any getter). Little-endian per HAP 14.1. */
  g_autoptr (HapTlv8) tlv = parse_hex_ok ("01 01 ab 02 02 34 12 03 04 78 56 34 12"
                                          " 04 08 08 07 06 05 04 03 02 01 05 03 01 02 03 06 00"
                                          " 07 09 01 02 03 04 05 06 07 08 09 02 01 ff");
  guint8 u8 = 0;
  guint16 u16 = 0;
  guint32 u32 = 0;
  guint64 u64 = 0;

  g_assert_true (hap_tlv8_get_u8 (tlv, 1, &u8));
  g_assert_cmpuint (u8, ==, 0xab);
  /* First item of type 2 is the 2-byte one; the later 1-byte one is ignored. */
  g_assert_true (hap_tlv8_get_u16 (tlv, 2, &u16));
  g_assert_cmpuint (u16, ==, 0x1234);
  g_assert_true (hap_tlv8_get_u32 (tlv, 3, &u32));
  g_assert_cmpuint (u32, ==, 0x12345678);
  g_assert_true (hap_tlv8_get_u64 (tlv, 4, &u64));
  g_assert_cmphex (u64, ==, G_GUINT64_CONSTANT (0x0102030405060708));
  g_assert_true (hap_tlv8_get_uint (tlv, 5, &u64));
  g_assert_cmphex (u64, ==, 0x030201);
  g_assert_true (hap_tlv8_get_uint (tlv, 1, &u64));
  g_assert_cmphex (u64, ==, 0xab);
  g_assert_true (hap_tlv8_get_uint (tlv, 4, &u64));
  g_assert_cmphex (u64, ==, G_GUINT64_CONSTANT (0x0102030405060708));

  /* Wrong widths, empty, too wide, absent: FALSE and the output untouched. */
  u8 = 0x11;
  u16 = 0x2222;
  u32 = 0x33333333;
  u64 = 0x44;
  g_assert_false (hap_tlv8_get_u8 (tlv, 2, &u8));
  g_assert_false (hap_tlv8_get_u16 (tlv, 1, &u16));
  g_assert_false (hap_tlv8_get_u16 (tlv, 3, &u16));
  g_assert_false (hap_tlv8_get_u32 (tlv, 2, &u32));
  g_assert_false (hap_tlv8_get_u32 (tlv, 4, &u32));
  g_assert_false (hap_tlv8_get_u64 (tlv, 3, &u64));
  g_assert_false (hap_tlv8_get_u8 (tlv, 6, &u8));
  g_assert_false (hap_tlv8_get_uint (tlv, 6, &u64));
  g_assert_false (hap_tlv8_get_uint (tlv, 7, &u64));
  g_assert_false (hap_tlv8_get_u8 (tlv, 9, &u8));
  g_assert_false (hap_tlv8_get_uint (tlv, 9, &u64));
  g_assert_cmpuint (u8, ==, 0x11);
  g_assert_cmpuint (u16, ==, 0x2222);
  g_assert_cmpuint (u32, ==, 0x33333333);
  g_assert_cmpuint (u64, ==, 0x44);

  g_assert_null (hap_tlv8_find (tlv, 9));
  g_assert_true (hap_tlv8_find (tlv, 2) == hap_tlv8_item (tlv, 1));
}

typedef struct {
  guint64 v;
  const gchar *hex; /* expected encoding of hap_tlv8_add_uint (w, 0x0A, v) */
} UintVector;

static const UintVector uint_vectors[] = {
  { 0, "0a 01 00" },
  { 1, "0a 01 01" },
  { 0xff, "0a 01 ff" },
  { 0x100, "0a 02 00 01" },
  { 0xffff, "0a 02 ff ff" },
  { 0x10000, "0a 03 00 00 01" },
  { 0xffffffff, "0a 04 ff ff ff ff" },
  { G_GUINT64_CONSTANT (0x100000000), "0a 05 00 00 00 00 01" },
  { G_GUINT64_CONSTANT (0x0102030405060708), "0a 08 08 07 06 05 04 03 02 01" },
  { G_MAXUINT64, "0a 08 ff ff ff ff ff ff ff ff" },
};

static void
assert_writer_hex (HapTlv8Writer *w, const gchar *hex)
{
  gsize got_len;
  const guint8 *got = hap_tlv8_writer_data (w, &got_len);

  hap_test_assert_hex_equal (got, got_len, hex);
}

static void
test_writer_ints (void)
{
  HapTlv8Writer w;

  for (guint i = 0; i < G_N_ELEMENTS (uint_vectors); i++) {
    g_autoptr (HapTlv8) tlv = NULL;
    guint64 back = 0;

    hap_tlv8_writer_init (&w);
    hap_tlv8_add_uint (&w, 0x0a, uint_vectors[i].v);
    assert_writer_hex (&w, uint_vectors[i].hex);
    tlv = parse_hex_ok (uint_vectors[i].hex);
    g_assert_true (hap_tlv8_get_uint (tlv, 0x0a, &back));
    g_assert_cmphex (back, ==, uint_vectors[i].v);
    hap_tlv8_writer_clear (&w);
  }

  hap_tlv8_writer_init (&w);
  hap_tlv8_add_u8 (&w, 1, 0x01);
  hap_tlv8_add_u16 (&w, 2, 0x0102);
  hap_tlv8_add_u32 (&w, 3, 0x01020304);
  hap_tlv8_add_u64 (&w, 4, 1);
  hap_tlv8_add_string (&w, 5, "Pair-Setup");
  hap_tlv8_add_string (&w, 6, "");
  hap_tlv8_add_separator (&w, 0xff);
  assert_writer_hex (&w, "01 01 01 02 02 02 01 03 04 04 03 02 01 04 08 01 00 00 00 00 00 00 00"
                         " 05 0a 50 61 69 72 2d 53 65 74 75 70 06 00 ff 00");
  hap_tlv8_writer_clear (&w);
}

static void
test_writer_nested (void)
{
  HapTlv8Writer outer, inner;

  hap_tlv8_writer_init (&outer);
  hap_tlv8_writer_init (&inner);
  hap_tlv8_add_u8 (&inner, 1, 0);
  hap_tlv8_add_u8 (&inner, 3, 3);
  hap_tlv8_add_writer (&outer, 2, &inner);
  assert_writer_hex (&outer, "02 06 01 01 00 03 01 03");
  /* A writer appended to itself takes its content before the append. */
  hap_tlv8_add_writer (&outer, 4, &outer);
  assert_writer_hex (&outer, "02 06 01 01 00 03 01 03 04 08 02 06 01 01 00 03 01 03");
  hap_tlv8_writer_clear (&inner);
  /* An empty child is an empty item. */
  hap_tlv8_writer_init (&inner);
  hap_tlv8_writer_clear (&outer);
  hap_tlv8_writer_init (&outer);
  hap_tlv8_add_writer (&outer, 7, &inner);
  assert_writer_hex (&outer, "07 00");
  hap_tlv8_writer_clear (&inner);
  hap_tlv8_writer_clear (&outer);
}

/* ---- Nested camera values (PROTOCOL.md section 6) ------------------------------------------ */

/* Real-hub SupportedAudioRecordingConfiguration `AQ4BAQACCQEBAQIBAAMBAw==`, by hand:
 *   01 0e                          1 audio codec configuration (14 bytes)
 *      01 01 00                       1 codec = 0 (AAC-LC)
 *      02 09                          2 codec parameters (9 bytes)
 *         01 01 01                       1 channels = 1
 *         02 01 00                       2 bitrate mode = 0 (variable)
 *         03 01 03                       3 sample rate = 3 (32 kHz) */
static void
test_camera_supported_audio (void)
{
  gsize len;
  g_autofree guint8 *data = g_base64_decode ("AQ4BAQACCQEBAQIBAAMBAw==", &len);
  static const guint8 want[] = { 0x01, 0x0e, 0x01, 0x01, 0x00, 0x02, 0x09, 0x01, 0x01, 0x01, 0x02,
    0x01, 0x00, 0x03, 0x01, 0x03 };
  g_autoptr (HapTlv8) tlv = NULL, codec = NULL, params = NULL;
  GError *error = NULL;
  guint8 v = 0xee;

  g_assert_cmpmem (data, len, want, sizeof want);
  tlv = hap_tlv8_parse (data, len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hap_tlv8_n_items (tlv), ==, 1);
  assert_item (tlv, 0, 0x01, "01010002090101010201000301 03");

  codec = hap_tlv8_get_tlv8 (tlv, 0x01, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hap_tlv8_n_items (codec), ==, 2);
  g_assert_true (hap_tlv8_get_u8 (codec, 0x01, &v));
  g_assert_cmpuint (v, ==, 0);

  params = hap_tlv8_get_tlv8 (codec, 0x02, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hap_tlv8_n_items (params), ==, 3);
  g_assert_true (hap_tlv8_get_u8 (params, 0x01, &v));
  g_assert_cmpuint (v, ==, 1);
  g_assert_true (hap_tlv8_get_u8 (params, 0x02, &v));
  g_assert_cmpuint (v, ==, 0);
  g_assert_true (hap_tlv8_get_u8 (params, 0x03, &v));
  g_assert_cmpuint (v, ==, 3);
}

/* Real-hub SelectedCameraRecordingConfiguration (PROTOCOL.md section 6), by hand:
 *   01 1d general: 01 04 a0 0f 00 00 (prebuffer 4000 ms), 02 08 01 00.. (event trigger 1 =
 *         motion, u64), 03 0b container: 01 01 00 (fMP4), 02 06: 01 04 a0 0f 00 00 (fragment
 *         4000 ms)
 *   02 24 video: 01 01 00 (H.264), 02 12 params: 01 01 01 (Main), 02 01 02 (level 4),
 *         03 04 d0 07 00 00 (2000 kbps), 04 04 a0 0f 00 00 (I-frame 4000 ms);
 *         03 0b attributes: 01 02 b0 04 (1200), 02 02 40 06 (1600), 03 01 18 (24 fps)
 *   03 14 audio: 01 01 00 (AAC-LC), 02 0f params: 01 01 01 (mono), 02 01 00 (variable),
 *         03 01 03 (32 kHz), 04 04 40 00 00 00 (64 kbps) */
static void
test_camera_selected (void)
{
  gsize len;
  g_autofree guint8 *data = g_base64_decode (
      "AR0BBKAPAAACCAEAAAAAAAAAAwsBAQACBgEEoA8AAAIkAQEAAhIBAQECAQIDBNAHAAAEBKAPAAADCwEC"
      "sAQCAkAGAwEYAxQBAQACDwEBAQIBAAMBAwQEQAAAAA==",
      &len);
  g_autoptr (HapTlv8) tlv = NULL, general = NULL, container = NULL, cparams = NULL;
  g_autoptr (HapTlv8) video = NULL, vparams = NULL, vattrs = NULL, audio = NULL, aparams = NULL;
  GError *error = NULL;
  guint8 u8;
  guint16 u16;
  guint32 u32;
  guint64 u64;

  g_assert_cmpuint (len, ==, 91);
  tlv = hap_tlv8_parse (data, len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hap_tlv8_n_items (tlv), ==, 3);

  general = hap_tlv8_get_tlv8 (tlv, 1, &error);
  g_assert_no_error (error);
  g_assert_true (hap_tlv8_get_u32 (general, 1, &u32));
  g_assert_cmpuint (u32, ==, 4000);
  g_assert_true (hap_tlv8_get_u64 (general, 2, &u64));
  g_assert_cmpuint (u64, ==, 1);
  container = hap_tlv8_get_tlv8 (general, 3, &error);
  g_assert_no_error (error);
  g_assert_true (hap_tlv8_get_u8 (container, 1, &u8));
  g_assert_cmpuint (u8, ==, 0);
  cparams = hap_tlv8_get_tlv8 (container, 2, &error);
  g_assert_no_error (error);
  g_assert_true (hap_tlv8_get_u32 (cparams, 1, &u32));
  g_assert_cmpuint (u32, ==, 4000);

  video = hap_tlv8_get_tlv8 (tlv, 2, &error);
  g_assert_no_error (error);
  vparams = hap_tlv8_get_tlv8 (video, 2, &error);
  g_assert_no_error (error);
  g_assert_true (hap_tlv8_get_u8 (vparams, 1, &u8));
  g_assert_cmpuint (u8, ==, 1);
  g_assert_true (hap_tlv8_get_u8 (vparams, 2, &u8));
  g_assert_cmpuint (u8, ==, 2);
  g_assert_true (hap_tlv8_get_u32 (vparams, 3, &u32));
  g_assert_cmpuint (u32, ==, 2000);
  g_assert_true (hap_tlv8_get_u32 (vparams, 4, &u32));
  g_assert_cmpuint (u32, ==, 4000);
  vattrs = hap_tlv8_get_tlv8 (video, 3, &error);
  g_assert_no_error (error);
  g_assert_true (hap_tlv8_get_u16 (vattrs, 1, &u16));
  g_assert_cmpuint (u16, ==, 1200);
  g_assert_true (hap_tlv8_get_u16 (vattrs, 2, &u16));
  g_assert_cmpuint (u16, ==, 1600);
  g_assert_true (hap_tlv8_get_u8 (vattrs, 3, &u8));
  g_assert_cmpuint (u8, ==, 24);

  audio = hap_tlv8_get_tlv8 (tlv, 3, &error);
  g_assert_no_error (error);
  aparams = hap_tlv8_get_tlv8 (audio, 2, &error);
  g_assert_no_error (error);
  g_assert_true (hap_tlv8_get_u8 (aparams, 3, &u8));
  g_assert_cmpuint (u8, ==, 3);
  g_assert_true (hap_tlv8_get_u32 (aparams, 4, &u32));
  g_assert_cmpuint (u32, ==, 64);
}

/* ---- Lists --------------------------------------------------------------------------------- */

typedef struct {
  const gchar *name;
  const gchar *input;
  guint8 separator;
  guint n_runs;
  guint run_items[5];
} SplitVector;

static const SplitVector split_vectors[] = {
  { "empty", "", 0xff, 0, { 0 } },
  { "no separator", "01 01 61 02 01 62", 0xff, 1, { 2 } },
  /* HAP spec 5.10.2 style pairing list. */
  { "pairings", "01 01 61 0b 01 01 ff 00 01 01 62 0b 01 00 ff 00 01 01 63 0b 01 00", 0xff, 3,
      { 2, 2, 2 } },
  /* Camera TLVs separate list entries with an empty 0x00 item (PROTOCOL.md 6). */
  { "camera separator 0x00", "01 01 61 00 00 01 01 62", 0x00, 2, { 1, 1 } },
  { "leading, trailing and doubled separators", "ff 00 01 01 61 ff 00 ff 00 01 00 ff 00", 0xff, 5,
      { 0, 1, 0, 1, 0 } },
  /* A non-empty item of the separator type is data, not a separator. */
  { "non-empty item of separator type", "01 01 61 ff 01 00 01 01 62", 0xff, 1, { 3 } },
  /* Only the chosen separator type splits. */
  { "other separator type", "01 01 61 ff 00 01 01 62", 0x00, 1, { 3 } },
  { "only separators", "ff 00", 0xff, 2, { 0, 0 } },
};

static void
test_split (void)
{
  for (guint v = 0; v < G_N_ELEMENTS (split_vectors); v++) {
    const SplitVector *sv = &split_vectors[v];
    g_autoptr (HapTlv8) tlv = parse_hex_ok (sv->input);
    g_autoptr (GPtrArray) runs = NULL;

    g_test_message ("vector: %s", sv->name);
    runs = hap_tlv8_split (tlv, sv->separator);
    g_assert_cmpuint (runs->len, ==, sv->n_runs);
    for (guint r = 0; r < runs->len; r++)
      g_assert_cmpuint (hap_tlv8_n_items (g_ptr_array_index (runs, r)), ==, sv->run_items[r]);
  }
}

static void
test_split_values (void)
{
  g_autoptr (HapTlv8) tlv
      = parse_hex_ok ("06 01 02 01 02 41 42 0b 01 01 ff 00 01 02 43 44 0b 01 00");
  g_autoptr (GPtrArray) runs = hap_tlv8_split (tlv, 0xff);
  HapTlv8 *second;
  const HapTlv8Item *id;
  guint8 perm = 0xee;

  g_assert_cmpuint (runs->len, ==, 2);
  assert_item (g_ptr_array_index (runs, 0), 0, 0x06, "02");
  assert_item (g_ptr_array_index (runs, 0), 1, 0x01, "4142");
  second = g_ptr_array_index (runs, 1);
  /* Runs own their values: they outlive the parent. */
  g_clear_pointer (&tlv, hap_tlv8_free);
  id = hap_tlv8_find (second, 0x01);
  g_assert_nonnull (id);
  g_assert_cmpmem (id->value, id->len, "CD", 2);
  g_assert_true (hap_tlv8_get_u8 (second, 0x0b, &perm));
  g_assert_cmpuint (perm, ==, 0);
}

static void
test_find_all (void)
{
  g_autoptr (HapTlv8) tlv = parse_hex_ok ("01 01 61 02 00 01 01 62 ff 00 01 00 03 01 63");
  g_autoptr (GPtrArray) all = hap_tlv8_find_all (tlv, 0x01);
  g_autoptr (GPtrArray) none = hap_tlv8_find_all (tlv, 0x09);
  const HapTlv8Item *it;

  g_assert_cmpuint (all->len, ==, 3);
  it = g_ptr_array_index (all, 0);
  g_assert_cmpmem (it->value, it->len, "a", 1);
  it = g_ptr_array_index (all, 1);
  g_assert_cmpmem (it->value, it->len, "b", 1);
  it = g_ptr_array_index (all, 2);
  g_assert_cmpuint (it->len, ==, 0);
  g_assert_true (g_ptr_array_index (all, 0) == hap_tlv8_item (tlv, 0));
  g_assert_cmpuint (none->len, ==, 0);
}

/* ---- Invalid input ------------------------------------------------------------------------- */

typedef struct {
  const gchar *name;
  const gchar *input;
  HapCodecError code;
} InvalidVector;

static const InvalidVector invalid_vectors[] = {
  { "type byte only", "01", HAP_CODEC_ERROR_TRUNCATED },
  { "length past end by one", "01 02 aa", HAP_CODEC_ERROR_TRUNCATED },
  { "length past end, no value", "01 01", HAP_CODEC_ERROR_TRUNCATED },
  { "255 announced, 3 present", "01 ff 01 02 03", HAP_CODEC_ERROR_TRUNCATED },
  { "valid item then lone type byte", "01 01 aa 02", HAP_CODEC_ERROR_TRUNCATED },
  { "valid item then length past end", "06 01 01 03 05 01 02 03 04", HAP_CODEC_ERROR_TRUNCATED },
  { "separator then truncated", "ff 00 ff", HAP_CODEC_ERROR_TRUNCATED },
};

static void
test_invalid (void)
{
  for (guint v = 0; v < G_N_ELEMENTS (invalid_vectors); v++) {
    const InvalidVector *iv = &invalid_vectors[v];
    gsize len;
    g_autofree guint8 *data = hap_test_unhex (iv->input, &len);
    GError *error = NULL;
    HapTlv8 *tlv;

    g_test_message ("vector: %s", iv->name);
    tlv = hap_tlv8_parse (data, len, &error);
    g_assert_null (tlv);
    g_assert_error (error, HAP_CODEC_ERROR, (gint) iv->code);
    g_assert_nonnull (strstr (error->message, "TLV8"));
    g_clear_error (&error);
    /* A NULL GError is allowed too. */
    g_assert_null (hap_tlv8_parse (data, len, NULL));
  }
}

/* A fragment cut in the middle of a multi-fragment value is truncated input too. */
static void
test_invalid_fragment (void)
{
  g_autoptr (GByteArray) in = g_byte_array_new ();
  GError *error = NULL;

  raw_item (in, 0x03, 0xff, 0);
  raw_item (in, 0x03, 0x81, 255);
  for (gsize cut = 1; cut < in->len; cut++) {
    HapTlv8 *tlv = hap_tlv8_parse (in->data, cut, &error);

    if (cut == 2 + 255) {
      /* Exactly the first fragment: a valid 255-byte value. */
      g_assert_no_error (error);
      g_assert_cmpuint (hap_tlv8_n_items (tlv), ==, 1);
      assert_pattern (hap_tlv8_item (tlv, 0), 0x03, 255);
      hap_tlv8_free (tlv);
    } else {
      g_assert_null (tlv);
      g_assert_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_TRUNCATED);
      g_clear_error (&error);
    }
  }
}

static void
test_invalid_oversize (void)
{
  gsize len = HAP_TLV8_MAX_INPUT + 1;
  guint8 *data = g_malloc0 (len);
  GError *error = NULL;
  HapTlv8 *tlv;

  /* All zero bytes: a valid run of empty type-0 items, rejected for its size alone. */
  tlv = hap_tlv8_parse (data, len, &error);
  g_assert_null (tlv);
  g_assert_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_TOO_LARGE);
  g_clear_error (&error);

  /* Exactly the limit is accepted (HAP_TLV8_MAX_INPUT is even: whole 2-byte items). */
  tlv = hap_tlv8_parse (data, HAP_TLV8_MAX_INPUT, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hap_tlv8_n_items (tlv), ==, HAP_TLV8_MAX_INPUT / 2);
  hap_tlv8_free (tlv);
  g_free (data);
}

static void
test_invalid_nested (void)
{
  /* 1: a value that is not valid TLV8 ("02 05 aa" runs past its end); 2: valid nested. */
  g_autoptr (HapTlv8) tlv = parse_hex_ok ("01 03 02 05 aa 02 03 05 01 07 03 00");
  g_autoptr (HapTlv8) ok = NULL, empty = NULL;
  GError *error = NULL;
  guint8 v;

  g_assert_null (hap_tlv8_get_tlv8 (tlv, 0x01, &error));
  g_assert_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_TRUNCATED);
  g_assert_nonnull (strstr (error->message, "type 1"));
  g_clear_error (&error);

  g_assert_null (hap_tlv8_get_tlv8 (tlv, 0x09, &error));
  g_assert_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_MISSING);
  g_clear_error (&error);
  g_assert_null (hap_tlv8_get_tlv8 (tlv, 0x09, NULL));

  ok = hap_tlv8_get_tlv8 (tlv, 0x02, &error);
  g_assert_no_error (error);
  g_assert_true (hap_tlv8_get_u8 (ok, 0x05, &v));
  g_assert_cmpuint (v, ==, 7);
  /* An empty value is an empty (valid) nested list. */
  empty = hap_tlv8_get_tlv8 (tlv, 0x03, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hap_tlv8_n_items (empty), ==, 0);
}

/* ---- Round trips --------------------------------------------------------------------------- */

/* Random item lists (deterministic seed), written with separators between consecutive items of
 * the same type as HAP requires, parse back to the same items; re-writing the parsed items
 * gives the same bytes. */
static void
test_roundtrip (void)
{
  GRand *rand = g_rand_new_with_seed (0x71f8);

  for (guint round = 0; round < 300; round++) {
    guint n = g_rand_int_range (rand, 0, 12);
    guint8 types[12];
    gsize lens[12];
    guint8 *values[12];
    HapTlv8Writer w, w2;
    const guint8 *bytes, *bytes2;
    gsize bytes_len, bytes2_len;
    g_autoptr (HapTlv8) tlv = NULL;
    GError *error = NULL;
    guint k = 0;

    hap_tlv8_writer_init (&w);
    for (guint i = 0; i < n; i++) {
      types[i] = (guint8) g_rand_int_range (rand, 0, 4);
      switch (g_rand_int_range (rand, 0, 4)) {
        case 0:
          lens[i] = 0;
          break;
        case 1:
          lens[i] = 255 * (gsize) g_rand_int_range (rand, 1, 4);
          break;
        default:
          lens[i] = g_rand_int_range (rand, 1, 800);
      }
      values[i] = g_malloc (lens[i] + 1);
      for (gsize b = 0; b < lens[i]; b++)
        values[i][b] = (guint8) g_rand_int (rand);
      if (i > 0 && types[i] == types[i - 1])
        hap_tlv8_add_separator (&w, 0xff);
      hap_tlv8_add (&w, types[i], values[i], lens[i]);
    }
    bytes = hap_tlv8_writer_data (&w, &bytes_len);
    tlv = hap_tlv8_parse (bytes, bytes_len, &error);
    g_assert_no_error (error);

    hap_tlv8_writer_init (&w2);
    for (guint i = 0; i < n; i++) {
      const HapTlv8Item *item;

      if (i > 0 && types[i] == types[i - 1]) {
        item = hap_tlv8_item (tlv, k++);
        g_assert_cmpuint (item->type, ==, 0xff);
        g_assert_cmpuint (item->len, ==, 0);
        hap_tlv8_add_separator (&w2, 0xff);
      }
      item = hap_tlv8_item (tlv, k++);
      g_assert_nonnull (item);
      g_assert_cmpuint (item->type, ==, types[i]);
      g_assert_cmpmem (item->value, item->len, values[i], lens[i]);
      hap_tlv8_add (&w2, item->type, item->value, item->len);
      g_free (values[i]);
    }
    g_assert_cmpuint (hap_tlv8_n_items (tlv), ==, k);
    bytes2 = hap_tlv8_writer_data (&w2, &bytes2_len);
    g_assert_cmpmem (bytes2, bytes2_len, bytes, bytes_len);
    hap_tlv8_writer_clear (&w);
    hap_tlv8_writer_clear (&w2);
  }
  g_rand_free (rand);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tlv8/parse-vectors", test_parse_vectors);
  g_test_add_func ("/tlv8/write-vectors", test_write_vectors);
  g_test_add_func ("/tlv8/fragment-300", test_fragment_300);
  g_test_add_func ("/tlv8/fragment-vectors", test_fragment_vectors);
  g_test_add_func ("/tlv8/writer-fragments", test_writer_fragments);
  g_test_add_func ("/tlv8/getters", test_getters);
  g_test_add_func ("/tlv8/writer-ints", test_writer_ints);
  g_test_add_func ("/tlv8/writer-nested", test_writer_nested);
  g_test_add_func ("/tlv8/camera-supported-audio", test_camera_supported_audio);
  g_test_add_func ("/tlv8/camera-selected", test_camera_selected);
  g_test_add_func ("/tlv8/split", test_split);
  g_test_add_func ("/tlv8/split-values", test_split_values);
  g_test_add_func ("/tlv8/find-all", test_find_all);
  g_test_add_func ("/tlv8/invalid", test_invalid);
  g_test_add_func ("/tlv8/invalid-fragment", test_invalid_fragment);
  g_test_add_func ("/tlv8/invalid-oversize", test_invalid_oversize);
  g_test_add_func ("/tlv8/invalid-nested", test_invalid_nested);
  g_test_add_func ("/tlv8/roundtrip", test_roundtrip);

  return g_test_run ();
}
