/* Unit tests for hap/hds-message.c and hap/hds-datasend.c (HDS "OPACK" codec).
 *
 * Expected bytes are written by hand from the tag table of PROTOCOL.md section 4 (and, where
 * noted, from pyatv's public OPACK description, docs/documentation/protocols.md "OPACK" and
 * "Pointers", https://github.com/postlund/pyatv). They are never produced by the encoder under
 * test. Notation used by hap_test_hex() (tests/common): hex byte pairs, whitespace ignored, 'text'
 * = the ASCII bytes of text.
 */
#include <math.h>
#include <string.h>

#include "hap/hds-datasend.h"
#include "hap/hds-message.h"
#include "tests/common/test-util.h"

/* ---- helpers ---- */

/* Encodes `v` (taking it), compares with `notation`, decodes the bytes again and compares. */
static void
check_encode (HapHdsValue *v, const gchar *notation)
{
  g_autoptr (GBytes) want = hap_test_hex (notation);
  g_autoptr (GBytes) got = hap_hds_value_encode (v);
  g_autoptr (GError) error = NULL;
  g_autoptr (HapHdsValue) back = NULL;

  g_assert_cmpuint (hap_hds_value_get_encoded_size (v), ==, g_bytes_get_size (want));
  hap_test_assert_bytes_equal (got, want);
  back = hap_hds_value_decode_bytes (got, &error);
  g_assert_no_error (error);
  g_assert_true (hap_hds_value_equal (v, back));
  hap_hds_value_unref (v);
}

static HapHdsValue *
decode_ok (const gchar *notation)
{
  g_autoptr (GBytes) b = hap_test_hex (notation);
  g_autoptr (GError) error = NULL;
  HapHdsValue *v = hap_hds_value_decode_bytes (b, &error);

  g_assert_no_error (error);
  g_assert_nonnull (v);
  return v;
}

/* Decodes `notation` and checks it equals `want` (taken). */
static void
check_decode (const gchar *notation, HapHdsValue *want)
{
  g_autoptr (HapHdsValue) got = decode_ok (notation);

  g_assert_true (hap_hds_value_equal (got, want));
  hap_hds_value_unref (want);
}

static HapHdsValue *
arr (guint n, ...)
{
  HapHdsValue *a = hap_hds_value_new_array ();
  va_list ap;

  va_start (ap, n);
  for (guint i = 0; i < n; i++)
    hap_hds_value_array_append (a, va_arg (ap, HapHdsValue *));
  va_end (ap);
  return a;
}

static HapHdsValue *
str (const gchar *s)
{
  return hap_hds_value_new_string (s);
}

static HapHdsValue *
num (gint64 i)
{
  return hap_hds_value_new_int (i);
}

/* ---- round trips of every type and boundary ---- */

typedef struct {
  gint64 value;
  const gchar *bytes;
} IntVector;

static const IntVector int_vectors[] = {
  { -1, "07" },
  { 0, "08" },
  { 1, "09" },
  { 38, "2e" },
  { 39, "2f" },
  { 40, "30 28" },
  { 127, "30 7f" },
  { -2, "30 fe" },
  { -128, "30 80" },
  { 128, "31 80 00" },
  { -129, "31 7f ff" },
  { 32767, "31 ff 7f" },
  { -32768, "31 00 80" },
  { 32768, "32 00 80 00 00" },
  { 40000, "32 40 9c 00 00" },
  { -40000, "32 c0 63 ff ff" },
  { G_MAXINT32, "32 ff ff ff 7f" },
  { G_MININT32, "32 00 00 00 80" },
  { (gint64) G_MAXINT32 + 1, "33 00 00 00 80 00 00 00 00" },
  { (gint64) G_MININT32 - 1, "33 ff ff ff 7f ff ff ff ff" },
  { G_GINT64_CONSTANT (0x0123456789abcdef), "33 ef cd ab 89 67 45 23 01" },
  { G_MAXINT64, "33 ff ff ff ff ff ff ff 7f" },
  { G_MININT64, "33 00 00 00 00 00 00 00 80" },
};

static void
test_ints (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (int_vectors); i++)
    check_encode (num (int_vectors[i].value), int_vectors[i].bytes);
  /* forced widths */
  check_encode (hap_hds_value_new_int_sized (1, 8), "33 01 00 00 00 00 00 00 00");
  check_encode (hap_hds_value_new_int_sized (-1, 4), "32 ff ff ff ff");
  check_encode (hap_hds_value_new_int_sized (5, 1), "30 05");
  check_encode (hap_hds_value_new_int_sized (300, 2), "31 2c 01");
  /* every decoded form keeps its value and width */
  {
    g_autoptr (HapHdsValue) v = decode_ok ("31 05 00");

    g_assert_cmpint (hap_hds_value_get_int (v), ==, 5);
    g_assert_cmpuint (hap_hds_value_get_int_width (v), ==, 2);
  }
}

static void
test_scalars (void)
{
  static const guint8 uuid[16] = { 0x00, 0x00, 0x01, 0x29, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00,
    0x26, 0xbb, 0x76, 0x52, 0x91 };

  check_encode (hap_hds_value_new_bool (TRUE), "01");
  check_encode (hap_hds_value_new_bool (FALSE), "02");
  check_encode (hap_hds_value_new_null (), "04");
  check_encode (hap_hds_value_new_uuid (uuid), "05 00000129 0000 1000 8000 0026bb765291");
  /* IEEE 754: 1.5 = 0x3ff8000000000000; 1.5f = 0x3fc00000; -0.0 = sign bit only */
  check_encode (hap_hds_value_new_float64 (1.5), "36 00 00 00 00 00 00 f8 3f");
  check_encode (hap_hds_value_new_float64 (-0.0), "36 00 00 00 00 00 00 00 80");
  check_encode (hap_hds_value_new_float32 (1.5f), "35 00 00 c0 3f");
  /* 2001-01-01 + 1 day = 86400.0 = 0x40f5180000000000 */
  check_encode (hap_hds_value_new_date (86400.0), "06 00 00 00 00 00 18 f5 40");
  {
    g_autoptr (HapHdsValue) nan1 = hap_hds_value_new_float64 (NAN);
    g_autoptr (GBytes) b = hap_hds_value_encode (nan1);
    g_autoptr (HapHdsValue) nan2 = hap_hds_value_decode_bytes (b, NULL);

    g_assert_true (hap_hds_value_equal (nan1, nan2));
  }
}

static gchar *
repeat (const gchar *unit, guint n)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    g_string_append (s, unit);
  return g_string_free (s, FALSE);
}

static void
test_strings (void)
{
  g_autofree gchar *s32 = repeat ("a", 32);
  g_autofree gchar *s33 = repeat ("a", 33);
  g_autofree gchar *s255 = repeat ("b", 255);
  g_autofree gchar *s256 = repeat ("c", 256);
  g_autofree gchar *e16 = repeat ("\xc3\xa9", 16); /* 16 x U+00E9 = 32 bytes */
  g_autofree gchar *e17 = repeat ("\xc3\xa9", 17); /* 34 bytes */
  g_autofree gchar *c3a9x16 = repeat ("c3a9", 16);
  g_autofree gchar *c3a9x17 = repeat ("c3a9", 17);
  g_autofree gchar *want;

  check_encode (str (""), "40");
  check_encode (str ("a"), "41 'a'");
  want = g_strdup_printf ("60 '%s'", s32);
  check_encode (str (s32), want);
  g_free (want);
  want = g_strdup_printf ("61 21 '%s'", s33);
  check_encode (str (s33), want);
  g_free (want);
  want = g_strdup_printf ("61 ff '%s'", s255);
  check_encode (str (s255), want);
  g_free (want);
  want = g_strdup_printf ("62 00 01 '%s'", s256);
  check_encode (str (s256), want);
  g_free (want);
  /* multi-byte UTF-8: the length is in bytes, not characters */
  check_encode (str ("\xc3\xa9"), "42 c3 a9");
  check_encode (str ("\xe2\x82\xac"), "43 e2 82 ac");        /* U+20AC */
  check_encode (str ("\xf0\x9f\x8e\xa5"), "44 f0 9f 8e a5"); /* U+1F3A5 */
  want = g_strdup_printf ("60 %s", c3a9x16);
  check_encode (str (e16), want);
  g_free (want);
  want = g_strdup_printf ("61 22 %s", c3a9x17);
  check_encode (str (e17), want);
}

static void
test_data (void)
{
  guint8 buf[70000];
  g_autoptr (GString) want = g_string_new (NULL);

  for (guint i = 0; i < sizeof (buf); i++)
    buf[i] = (guint8) (i * 7);
  check_encode (hap_hds_value_new_data_copy (NULL, 0), "70");
  check_encode (hap_hds_value_new_data_copy ((const guint8 *) "\x03\x00\xff", 3), "73 03 00 ff");
  g_string_append (want, "90");
  hap_test_append_hex (want, buf, 32);
  check_encode (hap_hds_value_new_data_copy (buf, 32), want->str);
  g_string_assign (want, "91 21");
  hap_test_append_hex (want, buf, 33);
  check_encode (hap_hds_value_new_data_copy (buf, 33), want->str);
  g_string_assign (want, "92 00 01");
  hap_test_append_hex (want, buf, 256);
  check_encode (hap_hds_value_new_data_copy (buf, 256), want->str);
  g_string_assign (want, "93 70 11 01 00"); /* 70000 = 0x11170 */
  hap_test_append_hex (want, buf, 70000);
  check_encode (hap_hds_value_new_data_copy (buf, 70000), want->str);
}

static HapHdsValue *
int_array (guint n)
{
  HapHdsValue *a = hap_hds_value_new_array ();

  for (guint i = 0; i < n; i++)
    hap_hds_value_array_append (a, num (i));
  return a;
}

static HapHdsValue *
int_dict (guint n)
{
  HapHdsValue *d = hap_hds_value_new_dict ();

  for (guint i = 0; i < n; i++) {
    gchar key[2] = { (gchar) ('a' + i), 0 };

    hap_hds_value_dict_set_int (d, key, i);
  }
  return d;
}

static void
test_containers (void)
{
  check_encode (hap_hds_value_new_array (), "d0");
  check_encode (hap_hds_value_new_dict (), "e0");
  check_encode (int_array (14), "de 08 09 0a 0b 0c 0d 0e 0f 10 11 12 13 14 15");
  check_encode (int_array (15), "df 08 09 0a 0b 0c 0d 0e 0f 10 11 12 13 14 15 16 03");
}

static void
test_dicts (void)
{
  GString *want14 = g_string_new ("ee");
  GString *want15 = g_string_new ("ef");

  for (guint i = 0; i < 15; i++) {
    gchar *entry = g_strdup_printf (" 41 '%c' %02x", 'a' + i, 0x08 + i);

    if (i < 14)
      g_string_append (want14, entry);
    g_string_append (want15, entry);
    g_free (entry);
  }
  g_string_append (want15, " 03");
  check_encode (int_dict (14), want14->str);
  check_encode (int_dict (15), want15->str);
  check_encode (arr (2, arr (0), hap_hds_value_new_dict ()), "d2 d0 e0");
  g_string_free (want14, TRUE);
  g_string_free (want15, TRUE);
  /* dict_set replaces */
  {
    g_autoptr (HapHdsValue) d = hap_hds_value_new_dict ();

    hap_hds_value_dict_set_int (d, "k", 1);
    hap_hds_value_dict_set_int (d, "k", 2);
    g_assert_cmpuint (hap_hds_value_get_length (d), ==, 1);
    check_encode (hap_hds_value_ref (d), "e1 41 'k' 0a");
  }
}

/* ---- decoding of every non-simple form ---- */

static void
test_decode_forms (void)
{
  guint8 d5[] = { 1, 2, 3, 4, 5 };
  guint8 abc[] = { 'a', 'b', 'c' };

  /* 0x6F NUL-terminated string */
  check_decode ("6f 'abc' 00", str ("abc"));
  check_decode ("6f 00", str (""));
  check_decode ("d2 6f 'x' 00 09", arr (2, str ("x"), num (1)));
  /* sized strings with every length width, including lengths that would fit inline */
  check_decode ("61 03 'abc'", str ("abc"));
  check_decode ("61 00", str (""));
  check_decode ("62 03 00 'abc'", str ("abc"));
  check_decode ("63 03 00 00 00 'abc'", str ("abc"));
  check_decode ("64 03 00 00 00 00 00 00 00 'abc'", str ("abc"));
  check_decode ("91 03 'abc'", hap_hds_value_new_data_copy (abc, 3));
  check_decode ("92 03 00 'abc'", hap_hds_value_new_data_copy (abc, 3));
  check_decode ("93 03 00 00 00 'abc'", hap_hds_value_new_data_copy (abc, 3));
  check_decode ("94 03 00 00 00 00 00 00 00 'abc'", hap_hds_value_new_data_copy (abc, 3));
  /* 0x9F chunked data: chunks in any data form, 0x03 bytes inside a chunk are data */
  check_decode ("9f 72 01 02 91 03 03 04 05 70 03", hap_hds_value_new_data_copy (d5, 5));
  check_decode ("9f 03", hap_hds_value_new_data_copy (NULL, 0));
  check_decode ("d2 9f 71 03 03 09",
      arr (2, hap_hds_value_new_data_copy ((const guint8 *) "\x03", 1), num (1)));
  /* 0xDF / 0xEF terminated containers, nested */
  check_decode ("df 09 0a 03", arr (2, num (1), num (2)));
  check_decode ("df 03", arr (0));
  check_decode ("df df 03 d0 03", arr (2, arr (0), arr (0)));
  {
    HapHdsValue *d = hap_hds_value_new_dict ();

    hap_hds_value_dict_set_int (d, "a", 1);
    hap_hds_value_dict_set (d, "b", arr (1, num (2)));
    check_decode ("ef 41 'a' 09 41 'b' df 0a 03 03", d);
  }
  check_decode ("ef 03", hap_hds_value_new_dict ());
  /* small ints, -1, true/false/null inside containers */
  check_decode ("d5 07 08 2f 01 04", arr (5, num (-1), num (0), num (39),
                                         hap_hds_value_new_bool (TRUE), hap_hds_value_new_null ()));
}

/* Back-references: the table holds every value decoded from a multi-byte scalar form. */
static void
test_back_references (void)
{
  /* pyatv docs ("Pointers"): E3416102416244746573744163A2 = {a: False, b: "test", c: "test"}
   * - the False does not enter the table, so index 2 is "test". */
  {
    HapHdsValue *d = hap_hds_value_new_dict ();

    hap_hds_value_dict_set_bool (d, "a", FALSE);
    hap_hds_value_dict_set_string (d, "b", "test");
    hap_hds_value_dict_set_string (d, "c", "test");
    check_decode ("E3416102416244746573744163A2", d);
  }
  /* pyatv docs: D443666F6F43626172A0A1 = ["foo", "bar", "foo", "bar"] */
  check_decode (
      "D443666F6F43626172A0A1", arr (4, str ("foo"), str ("bar"), str ("foo"), str ("bar")));
  /* one-byte forms (true, false, null, -1, 0..39) and containers do not enter the table */
  check_decode ("d9 09 01 02 04 07 2f d0 41 'x' a0",
      arr (9, num (1), hap_hds_value_new_bool (TRUE), hap_hds_value_new_bool (FALSE),
          hap_hds_value_new_null (), num (-1), num (39), arr (0), str ("x"), str ("x")));
  {
    HapHdsValue *d = hap_hds_value_new_dict ();

    hap_hds_value_dict_set_int (d, "k", 1);
    check_decode ("d3 e1 41 'k' 09 a0 a0", arr (3, d, str ("k"), str ("k")));
  }
  /* sized ints, floats, dates, UUIDs, data and empty strings do enter; keys too */
  check_decode (
      "d5 30 64 31 00 01 a1 a0 a1", arr (5, num (100), num (256), num (256), num (100), num (256)));
  check_decode ("d3 36 00 00 00 00 00 00 f8 3f 35 00 00 c0 3f a0",
      arr (3, hap_hds_value_new_float64 (1.5), hap_hds_value_new_float32 (1.5f),
          hap_hds_value_new_float64 (1.5)));
  check_decode ("d2 06 00 00 00 00 00 18 f5 40 a0",
      arr (2, hap_hds_value_new_date (86400.0), hap_hds_value_new_date (86400.0)));
  check_decode ("d3 40 41 'a' a0", arr (3, str (""), str ("a"), str ("")));
  check_decode (
      "d3 70 72 01 02 a1", arr (3, hap_hds_value_new_data_copy (NULL, 0),
                               hap_hds_value_new_data_copy ((const guint8 *) "\x01\x02", 2),
                               hap_hds_value_new_data_copy ((const guint8 *) "\x01\x02", 2)));
  check_decode ("d4 6f 'n' 00 9f 71 07 03 a1 a0",
      arr (4, str ("n"), hap_hds_value_new_data_copy ((const guint8 *) "\x07", 1),
          hap_hds_value_new_data_copy ((const guint8 *) "\x07", 1), str ("n")));
  {
    HapHdsValue *d = hap_hds_value_new_dict ();

    hap_hds_value_dict_set_string (d, "k", "v");
    hap_hds_value_dict_set_string (d, "v", "k");
    check_decode ("e2 41 'k' 41 'v' a1 a0", d);
  }
  /* a back-reference does not enter the table itself: index 1 is "b", not the copy of "a" */
  check_decode ("d4 41 'a' a0 41 'b' a1", arr (4, str ("a"), str ("a"), str ("b"), str ("b")));
  /* equal literals are not merged */
  check_decode ("d4 41 'a' 41 'a' 41 'b' a2", arr (4, str ("a"), str ("a"), str ("b"), str ("b")));
  /* the highest index, 0xCF = 47 */
  {
    GString *n = g_string_new ("df");
    HapHdsValue *want = hap_hds_value_new_array ();

    for (guint i = 0; i < 48; i++) {
      gchar s[3] = { (gchar) ('A' + i / 26), (gchar) ('a' + i % 26), 0 };

      g_string_append_printf (n, " 42 '%s'", s);
      hap_hds_value_array_append (want, str (s));
    }
    g_string_append (n, " cf a0 03");
    hap_hds_value_array_append (want, str ("Bv")); /* i = 47 -> 'B', 'a' + 21 */
    hap_hds_value_array_append (want, str ("Aa"));
    check_decode (n->str, want);
    g_string_free (n, TRUE);
  }
}

/* ---- known decoder/encoder bugs of one popular peer (PROTOCOL.md section 4) ---- */

static void
test_peer_bugs (void)
{
  /* small-integer range stopping at 38: 0x2F is 39, 0x2E is 38 */
  check_decode ("2f", num (39));
  check_decode ("2e", num (38));
  check_decode ("d2 2f 2e", arr (2, num (39), num (38)));
  check_encode (num (39), "2f");
  /* the inline-data branch losing its value */
  check_decode ("72 aa bb", hap_hds_value_new_data_copy ((const guint8 *) "\xaa\xbb", 2));
  {
    g_autoptr (HapHdsValue) v = decode_ok ("e2 41 'd' 72 aa bb 41 'e' 09");
    GBytes *d = hap_hds_value_dict_get_data (v, "d");
    gint64 e = 0;

    g_assert_nonnull (d);
    g_assert_cmpmem (g_bytes_get_data (d, NULL), g_bytes_get_size (d), "\xaa\xbb", 2);
    g_assert_true (hap_hds_value_dict_get_int (v, "e", &e));
    g_assert_cmpint (e, ==, 1);
  }
  /* float64 (and date) advancing over their 8 bytes */
  check_decode ("d3 36 00 00 00 00 00 00 f8 3f 09 06 00 00 00 00 00 18 f5 40",
      arr (3, hap_hds_value_new_float64 (1.5), num (1), hap_hds_value_new_date (86400.0)));
  /* int32 range: every value in int32 range that int16 cannot hold is written as int32 */
  check_encode (num (65536), "32 00 00 01 00");
  check_encode (num (-2147483647), "32 01 00 00 80");
  /* UTF-8 string length in bytes, not characters: 2 characters, 5 bytes */
  check_encode (str ("\xc3\xa9\xe2\x82\xac"), "45 c3 a9 e2 82 ac");
  check_decode ("45 c3 a9 e2 82 ac", str ("\xc3\xa9\xe2\x82\xac"));
  /* int64 with all 64 bits */
  check_encode (num (G_GINT64_CONSTANT (0x7edcba9876543210)), "33 10 32 54 76 98 ba dc 7e");
  check_decode ("33 10 32 54 76 98 ba dc 7e", num (G_GINT64_CONSTANT (0x7edcba9876543210)));
  check_decode ("33 00 00 00 00 01 00 00 00", num (G_GINT64_CONSTANT (0x100000000)));
  check_decode ("33 fe ff ff ff ff ff ff ff", num (-2));
}

/* ---- golden payloads: header + message ---- */

static void
check_payload (GBytes *got, const gchar *notation)
{
  g_autoptr (GBytes) want = hap_test_hex (notation);

  g_assert_nonnull (got);
  hap_test_assert_bytes_equal (got, want);
  g_bytes_unref (got);
}

#define HDR_PROTOCOL "48 'protocol'"
#define STR_CONTROL "47 'control'"
#define STR_DATASEND "48 'dataSend'"
#define INT64_0 "33 00 00 00 00 00 00 00 00"
#define INT64_1 "33 01 00 00 00 00 00 00 00"

static void
test_golden_payloads (void)
{
  guint8 five[5] = { 1, 2, 3, 4, 5 };
  g_autoptr (GBytes) chunk = g_bytes_new (five, 5);
  HapHdsDataSendPacket packet = { chunk, HAP_HDS_DATA_TYPE_MEDIA_FRAGMENT, 2, 1, FALSE, 300 };

  /* hello request: header 44 bytes = 1 + 9 + 8 + 8 + 6 + 3 + 9 */
  check_payload (hap_hds_hello_request_encode (1),
      "2c e3 " HDR_PROTOCOL " " STR_CONTROL " 47 'request' 45 'hello' 42 'id' " INT64_1 " e0");
  /* hello response: header 61 bytes = 1 + 9 + 8 + 9 + 6 + 3 + 9 + 7 + 9 */
  check_payload (hap_hds_hello_response_encode (1, 0),
      "3d e4 " HDR_PROTOCOL " " STR_CONTROL " 48 'response' 45 'hello' 42 'id' " INT64_1
      " 46 'status' " INT64_0 " e0");
  /* dataSend open request as a hub sends it (examples/README.md "open") */
  {
    g_autoptr (HapHdsValue) body
        = hap_hds_data_send_open_build ("controller", "ipcamera.recording", 1, NULL);

    check_payload (hap_hds_message_encode_request ("dataSend", "open", 0, body),
        "2c e3 " HDR_PROTOCOL " " STR_DATASEND " 47 'request' 44 'open' 42 'id' " INT64_0
        " e3 46 'target' 4a 'controller' 44 'type' 52 'ipcamera.recording' 48 'streamId' 09");
  }
  /* open response, success and BUSY (header status 6, body status 2) */
  check_payload (hap_hds_data_send_open_response_encode (0, HAP_HDS_DATA_SEND_NORMAL),
      "3d e4 " HDR_PROTOCOL " " STR_DATASEND " 48 'response' 44 'open' 42 'id' " INT64_0
      " 46 'status' " INT64_0 " e1 46 'status' 08");
  check_payload (hap_hds_data_send_open_response_encode (7, HAP_HDS_DATA_SEND_BUSY),
      "3d e4 " HDR_PROTOCOL " " STR_DATASEND " 48 'response' 44 'open' 42 'id' "
      "33 07 00 00 00 00 00 00 00 46 'status' 33 06 00 00 00 00 00 00 00 e1 46 'status' 0a");
  /* data event: header 30 bytes = 1 + 9 + 9 + 6 + 5 */
  check_payload (hap_hds_data_send_data_encode (1, &packet, FALSE),
      "1e e2 " HDR_PROTOCOL " " STR_DATASEND " 45 'event' 44 'data'"
      " e2 48 'streamId' 09 47 'packets' d1"
      " e2 44 'data' 75 01 02 03 04 05 48 'metadata'"
      " e5 48 'dataType' 4d 'mediaFragment' 52 'dataSequenceNumber' 0a"
      " 57 'dataChunkSequenceNumber' 09 4f 'isLastDataChunk' 02 4d 'dataTotalSize' 31 2c 01");
  /* last chunk of the stream: no dataTotalSize, endOfStream true */
  packet.data_type = HAP_HDS_DATA_TYPE_MEDIA_INITIALIZATION;
  packet.data_sequence_number = 1;
  packet.is_last_data_chunk = TRUE;
  packet.data_total_size = -1;
  check_payload (hap_hds_data_send_data_encode (1, &packet, TRUE),
      "1e e2 " HDR_PROTOCOL " " STR_DATASEND " 45 'event' 44 'data'"
      " e3 48 'streamId' 09 47 'packets' d1"
      " e2 44 'data' 75 01 02 03 04 05 48 'metadata'"
      " e4 48 'dataType' 53 'mediaInitialization' 52 'dataSequenceNumber' 09"
      " 57 'dataChunkSequenceNumber' 09 4f 'isLastDataChunk' 01"
      " 4b 'endOfStream' 01");
  /* ack and close events */
  {
    g_autoptr (HapHdsValue) ack = hap_hds_data_send_ack_build (1, TRUE);
    g_autoptr (HapHdsValue) close = hap_hds_data_send_close_build (1, HAP_HDS_DATA_SEND_NORMAL);

    check_payload (hap_hds_message_encode_event ("dataSend", "ack", ack),
        "1d e2 " HDR_PROTOCOL " " STR_DATASEND " 45 'event' 43 'ack'"
        " e2 48 'streamId' 09 4b 'endOfStream' 01");
    check_payload (hap_hds_message_encode_event ("dataSend", "close", close),
        "1f e2 " HDR_PROTOCOL " " STR_DATASEND " 45 'event' 45 'close'"
        " e2 48 'streamId' 09 46 'reason' 08");
  }
}

/* A recording chunk of 262144 bytes: u32 length form, and zero-copy decoding. */
static void
test_large_chunk (void)
{
  guint8 *big = g_malloc (HAP_HDS_DATA_SEND_MAX_CHUNK);
  g_autoptr (GBytes) chunk = NULL;
  g_autoptr (GBytes) payload = NULL;
  g_autoptr (GBytes) prefix
      = hap_test_hex ("1e e2 " HDR_PROTOCOL " " STR_DATASEND " 45 'event' 44 'data'"
                      " e2 48 'streamId' 09 47 'packets' d1"
                      " e2 44 'data' 93 00 00 04 00");
  g_autoptr (GBytes) suffix
      = hap_test_hex ("48 'metadata' e5 48 'dataType' 4d 'mediaFragment'"
                      " 52 'dataSequenceNumber' 0b 57 'dataChunkSequenceNumber' 09"
                      " 4f 'isLastDataChunk' 02 4d 'dataTotalSize' 32 00 00 08 00");
  g_autoptr (HapHdsValue) header = NULL;
  g_autoptr (HapHdsValue) message = NULL;
  g_autoptr (GError) error = NULL;
  HapHdsDataSendData parsed;
  HapHdsDataSendPacket *p;
  HapHdsDataSendPacket packet = { NULL, HAP_HDS_DATA_TYPE_MEDIA_FRAGMENT, 3, 1, FALSE, 524288 };
  const guint8 *pd;
  gsize plen, psize = g_bytes_get_size (prefix), ssize = g_bytes_get_size (suffix);

  for (guint i = 0; i < HAP_HDS_DATA_SEND_MAX_CHUNK; i++)
    big[i] = (guint8) (i ^ (i >> 8));
  chunk = g_bytes_new_take (big, HAP_HDS_DATA_SEND_MAX_CHUNK);
  packet.data = chunk;
  payload = hap_hds_data_send_data_encode (1, &packet, FALSE);
  pd = g_bytes_get_data (payload, &plen);
  g_assert_cmpuint (plen, ==, psize + HAP_HDS_DATA_SEND_MAX_CHUNK + ssize);
  g_assert_cmpmem (pd, psize, g_bytes_get_data (prefix, NULL), psize);
  g_assert_cmpmem (pd + psize, HAP_HDS_DATA_SEND_MAX_CHUNK, big, HAP_HDS_DATA_SEND_MAX_CHUNK);
  g_assert_cmpmem (
      pd + psize + HAP_HDS_DATA_SEND_MAX_CHUNK, ssize, g_bytes_get_data (suffix, NULL), ssize);

  g_assert_true (hap_hds_message_decode (payload, &header, &message, &error));
  g_assert_no_error (error);
  g_assert_true (hap_hds_data_send_data_parse (message, &parsed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (parsed.packets->len, ==, 1);
  p = &g_array_index (parsed.packets, HapHdsDataSendPacket, 0);
  g_assert_cmpint (p->data_sequence_number, ==, 3);
  g_assert_cmpint (p->data_total_size, ==, 524288);
  g_assert_true (g_bytes_equal (p->data, chunk));
  /* zero-copy: the decoded data points into the payload */
  g_assert_true (g_bytes_get_data (p->data, NULL) == (gconstpointer) (pd + psize));
  hap_hds_data_send_data_clear (&parsed);
}

/* ---- header and dataSend parsers ---- */

static void
test_header_parse (void)
{
  static const struct {
    const gchar *bytes;
    HapHdsKind kind;
    const gchar *topic;
    gint64 id, status;
  } good[] = {
    { "e2 48 'protocol' 47 'control' 45 'event' 41 'x'", HAP_HDS_KIND_EVENT, "x", 0, 0 },
    /* id in any integer form */
    { "e3 48 'protocol' 47 'control' 47 'request' 45 'hello' 42 'id' 09", HAP_HDS_KIND_REQUEST,
        "hello", 1, 0 },
    { "e4 48 'protocol' 47 'control' 48 'response' 45 'hello' 42 'id' 32 ff ff ff 7f"
      " 46 'status' 0e",
        HAP_HDS_KIND_RESPONSE, "hello", G_MAXINT32, 6 },
    /* unknown keys are ignored, order does not matter */
    { "e4 42 'id' 07 43 'foo' 04 47 'request' 44 'open' 48 'protocol' 48 'dataSend'",
        HAP_HDS_KIND_REQUEST, "open", -1, 0 },
  };
  static const struct {
    const gchar *bytes;
    gint code;
  } bad[] = {
    { "e1 45 'event' 41 'x'", HAP_CODEC_ERROR_MISSING },                    /* no protocol */
    { "e2 48 'protocol' 09 45 'event' 41 'x'", HAP_CODEC_ERROR_MALFORMED }, /* protocol int */
    { "e1 48 'protocol' 41 'p'", HAP_CODEC_ERROR_MISSING },                 /* no topic */
    { "e3 48 'protocol' 41 'p' 45 'event' 41 'x' 47 'request' 41 'y'",
        HAP_CODEC_ERROR_MALFORMED },                                            /* two kinds */
    { "e2 48 'protocol' 41 'p' 45 'event' 09", HAP_CODEC_ERROR_MALFORMED },     /* topic int */
    { "e2 48 'protocol' 41 'p' 47 'request' 41 'x'", HAP_CODEC_ERROR_MISSING }, /* no id */
    { "e3 48 'protocol' 41 'p' 47 'request' 41 'x' 42 'id' 41 '1'", HAP_CODEC_ERROR_MALFORMED },
    { "e3 48 'protocol' 41 'p' 48 'response' 41 'x' 42 'id' 09",
        HAP_CODEC_ERROR_MISSING }, /* no status */
    { "e4 48 'protocol' 41 'p' 48 'response' 41 'x' 42 'id' 09 46 'status' 01",
        HAP_CODEC_ERROR_MALFORMED },
    { "d0", HAP_CODEC_ERROR_MALFORMED },
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++) {
    g_autoptr (HapHdsValue) v = decode_ok (good[i].bytes);
    g_autoptr (GError) error = NULL;
    HapHdsHeader h;

    g_assert_true (hap_hds_header_parse (v, &h, &error));
    g_assert_no_error (error);
    g_assert_cmpint (h.kind, ==, good[i].kind);
    g_assert_cmpstr (h.topic, ==, good[i].topic);
    g_assert_cmpint (h.id, ==, good[i].id);
    g_assert_cmpint (h.status, ==, good[i].status);
    hap_hds_header_clear (&h);
  }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_autoptr (HapHdsValue) v = decode_ok (bad[i].bytes);
    g_autoptr (GError) error = NULL;
    HapHdsHeader h;

    g_assert_false (hap_hds_header_parse (v, &h, &error));
    g_assert_error (error, HAP_CODEC_ERROR, bad[i].code);
    hap_hds_header_clear (&h);
  }
  /* build + parse */
  {
    g_autoptr (HapHdsValue) v = hap_hds_header_build (
        HAP_HDS_KIND_RESPONSE, "dataSend", "open", G_GINT64_CONSTANT (0x1234567890), 6);
    HapHdsHeader h;

    g_assert_true (hap_hds_header_parse (v, &h, NULL));
    g_assert_true (hap_hds_header_matches (&h, HAP_HDS_KIND_RESPONSE, "dataSend", "open"));
    g_assert_false (hap_hds_header_matches (&h, HAP_HDS_KIND_REQUEST, "dataSend", "open"));
    g_assert_cmpint (h.id, ==, G_GINT64_CONSTANT (0x1234567890));
    g_assert_cmpint (h.status, ==, 6);
    hap_hds_header_clear (&h);
  }
}

static void
test_data_send_parse (void)
{
  g_autoptr (GError) error = NULL;
  gint64 stream_id = 0, reason = -1;
  gboolean eos = FALSE;

  /* open, with the spec's "home hub" target and a reason */
  {
    g_autoptr (HapHdsValue) v = decode_ok ("e4 46 'target' 48 'home hub' 44 'type'"
                                           " 52 'ipcamera.recording' 48 'streamId' 30 64"
                                           " 46 'reason' 46 'motion'");
    HapHdsDataSendOpen open;

    g_assert_true (hap_hds_data_send_open_parse (v, &open, &error));
    g_assert_cmpstr (open.target, ==, "home hub");
    g_assert_cmpstr (open.type, ==, "ipcamera.recording");
    g_assert_cmpint (open.stream_id, ==, 100);
    g_assert_cmpstr (hap_hds_value_get_string (open.reason, NULL), ==, "motion");
    hap_hds_data_send_open_clear (&open);
  }
  {
    g_autoptr (HapHdsValue) v = decode_ok ("e2 46 'target' 41 'c' 44 'type' 41 't'");
    HapHdsDataSendOpen open;

    g_assert_false (hap_hds_data_send_open_parse (v, &open, &error));
    g_assert_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_MISSING);
    g_clear_error (&error);
    hap_hds_data_send_open_clear (&open);
  }
  /* open response */
  {
    g_autoptr (HapHdsValue) v = decode_ok ("e1 46 'status' 11");

    g_assert_true (hap_hds_data_send_open_response_parse (v, &stream_id, &error));
    g_assert_cmpint (stream_id, ==, 9);
  }
  /* close with `reason`, with `status` (spec example), with neither */
  {
    g_autoptr (HapHdsValue) a = decode_ok ("e2 48 'streamId' 09 46 'reason' 0b");
    g_autoptr (HapHdsValue) b = decode_ok ("e2 48 'streamId' 0a 46 'status' 0c");
    g_autoptr (HapHdsValue) c = decode_ok ("e1 48 'streamId' 0b");
    g_autoptr (HapHdsValue) d = decode_ok ("e1 46 'reason' 0b");

    g_assert_true (hap_hds_data_send_close_parse (a, &stream_id, &reason, &error));
    g_assert_cmpint (stream_id, ==, 1);
    g_assert_cmpint (reason, ==, 3);
    g_assert_true (hap_hds_data_send_close_parse (b, &stream_id, &reason, &error));
    g_assert_cmpint (stream_id, ==, 2);
    g_assert_cmpint (reason, ==, 4);
    g_assert_true (hap_hds_data_send_close_parse (c, &stream_id, &reason, &error));
    g_assert_cmpint (reason, ==, 0);
    g_assert_false (hap_hds_data_send_close_parse (d, &stream_id, &reason, &error));
    g_assert_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_MISSING);
    g_clear_error (&error);
  }
  /* ack */
  {
    g_autoptr (HapHdsValue) a = decode_ok ("e2 48 'streamId' 09 4b 'endOfStream' 01");
    g_autoptr (HapHdsValue) b = decode_ok ("e2 48 'streamId' 09 4b 'endOfStream' 09");

    g_assert_true (hap_hds_data_send_ack_parse (a, &stream_id, &eos, &error));
    g_assert_true (eos);
    g_assert_false (hap_hds_data_send_ack_parse (b, &stream_id, &eos, &error));
    g_assert_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_MALFORMED);
    g_clear_error (&error);
  }
  /* data: two packets, dataTotalSize absent on the second */
  {
    g_autoptr (HapHdsValue) v = decode_ok (
        "e3 48 'streamId' 09 4b 'endOfStream' 01 47 'packets' d2"
        " e2 44 'data' 71 aa 48 'metadata' e5 48 'dataType' 53 'mediaInitialization'"
        " 52 'dataSequenceNumber' 09 57 'dataChunkSequenceNumber' 09 4f 'isLastDataChunk' 01"
        " 4d 'dataTotalSize' 09"
        " e2 48 'metadata' e4 48 'dataType' 4d 'mediaFragment' 52 'dataSequenceNumber' 0a"
        " 57 'dataChunkSequenceNumber' 09 4f 'isLastDataChunk' 01 44 'data' 72 bb cc");
    HapHdsDataSendData data;
    HapHdsDataSendPacket *p;

    g_assert_true (hap_hds_data_send_data_parse (v, &data, &error));
    g_assert_no_error (error);
    g_assert_true (data.end_of_stream);
    g_assert_cmpuint (data.packets->len, ==, 2);
    p = &g_array_index (data.packets, HapHdsDataSendPacket, 0);
    g_assert_cmpint (p->data_type, ==, HAP_HDS_DATA_TYPE_MEDIA_INITIALIZATION);
    g_assert_cmpint (p->data_total_size, ==, 1);
    p = &g_array_index (data.packets, HapHdsDataSendPacket, 1);
    g_assert_cmpint (p->data_type, ==, HAP_HDS_DATA_TYPE_MEDIA_FRAGMENT);
    g_assert_cmpint (p->data_sequence_number, ==, 2);
    g_assert_cmpint (p->data_total_size, ==, -1);
    g_assert_cmpmem (g_bytes_get_data (p->data, NULL), g_bytes_get_size (p->data), "\xbb\xcc", 2);
    hap_hds_data_send_data_clear (&data);
  }
  /* data: invalid bodies */
  {
    static const struct {
      const gchar *bytes;
      gint code;
    } bad[] = {
      { "e1 47 'packets' d0", HAP_CODEC_ERROR_MISSING },                    /* no streamId */
      { "e1 48 'streamId' 09", HAP_CODEC_ERROR_MISSING },                   /* no packets */
      { "e2 48 'streamId' 09 47 'packets' d0", HAP_CODEC_ERROR_MISSING },   /* empty */
      { "e2 48 'streamId' 09 47 'packets' e0", HAP_CODEC_ERROR_MALFORMED }, /* not an array */
      { "e2 48 'streamId' 09 47 'packets' d1 09", HAP_CODEC_ERROR_MALFORMED },
      { "e2 48 'streamId' 09 47 'packets' d1 e1 44 'data' 71 00", HAP_CODEC_ERROR_MISSING },
      { "e2 48 'streamId' 09 47 'packets' d1 e2 44 'data' 41 'x' 48 'metadata' e0",
          HAP_CODEC_ERROR_MALFORMED }, /* data is a string */
      { "e2 48 'streamId' 09 47 'packets' d1 e2 44 'data' 70 48 'metadata'"
        " e4 48 'dataType' 41 'x' 52 'dataSequenceNumber' 09 57 'dataChunkSequenceNumber' 09"
        " 4f 'isLastDataChunk' 01",
          HAP_CODEC_ERROR_OUT_OF_RANGE }, /* unknown dataType */
      { "e2 48 'streamId' 09 47 'packets' d1 e2 44 'data' 70 48 'metadata'"
        " e3 48 'dataType' 4d 'mediaFragment' 52 'dataSequenceNumber' 09"
        " 57 'dataChunkSequenceNumber' 09",
          HAP_CODEC_ERROR_MISSING }, /* no isLastDataChunk */
    };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
      g_autoptr (HapHdsValue) v = decode_ok (bad[i].bytes);
      HapHdsDataSendData data;

      g_assert_false (hap_hds_data_send_data_parse (v, &data, &error));
      g_assert_error (error, HAP_CODEC_ERROR, bad[i].code);
      g_clear_error (&error);
      hap_hds_data_send_data_clear (&data);
    }
  }
}

/* ---- invalid input ---- */

typedef struct {
  const gchar *bytes;
  gint code;
  const gchar *what;
} BadVector;

static const BadVector bad_values[] = {
  { "", HAP_CODEC_ERROR_TRUNCATED, "empty" },
  { "00", HAP_CODEC_ERROR_MALFORMED, "tag 0x00" },
  { "03", HAP_CODEC_ERROR_MALFORMED, "bare terminator" },
  { "34 00", HAP_CODEC_ERROR_MALFORMED, "tag 0x34" },
  { "37", HAP_CODEC_ERROR_MALFORMED, "tag 0x37" },
  { "3f", HAP_CODEC_ERROR_MALFORMED, "tag 0x3f" },
  { "65 00", HAP_CODEC_ERROR_MALFORMED, "tag 0x65" },
  { "6e", HAP_CODEC_ERROR_MALFORMED, "tag 0x6e" },
  { "95 00", HAP_CODEC_ERROR_MALFORMED, "tag 0x95" },
  { "9e", HAP_CODEC_ERROR_MALFORMED, "tag 0x9e" },
  { "f0", HAP_CODEC_ERROR_MALFORMED, "tag 0xf0" },
  { "ff", HAP_CODEC_ERROR_MALFORMED, "tag 0xff" },
  { "a0", HAP_CODEC_ERROR_MALFORMED, "back-ref with empty table" },
  { "d2 41 'a' a1", HAP_CODEC_ERROR_MALFORMED, "back-ref past the table" },
  { "d3 09 01 a0", HAP_CODEC_ERROR_MALFORMED, "back-ref to one-byte forms" },
  { "cf", HAP_CODEC_ERROR_MALFORMED, "back-ref 47 with empty table" },
  { "d2 d0 a0", HAP_CODEC_ERROR_MALFORMED, "back-ref to a container" },
  { "63 ff ff ff ff", HAP_CODEC_ERROR_TRUNCATED, "string u32 length past the end" },
  { "64 ff ff ff ff ff ff ff ff", HAP_CODEC_ERROR_TOO_LARGE, "string u64 length 2^64-1" },
  { "94 00 00 00 00 01 00 00 00", HAP_CODEC_ERROR_TOO_LARGE, "data u64 length 2^32" },
  { "93 01 00 00 80", HAP_CODEC_ERROR_TRUNCATED, "data u32 length past the end" },
  { "92 05 00 'abc'", HAP_CODEC_ERROR_TRUNCATED, "data u16 length past the end" },
  { "9f 93 ff ff ff ff 03", HAP_CODEC_ERROR_TRUNCATED, "chunk length past the end" },
  { "41 ff", HAP_CODEC_ERROR_MALFORMED, "invalid UTF-8 byte" },
  { "42 c3 28", HAP_CODEC_ERROR_MALFORMED, "bad continuation byte" },
  { "43 ed a0 80", HAP_CODEC_ERROR_MALFORMED, "UTF-16 surrogate" },
  { "42 c0 80", HAP_CODEC_ERROR_MALFORMED, "overlong NUL" },
  { "41 00", HAP_CODEC_ERROR_MALFORMED, "NUL inside a string" },
  { "6f ff 00", HAP_CODEC_ERROR_MALFORMED, "invalid UTF-8 in 0x6F" },
  { "61 02 c3", HAP_CODEC_ERROR_TRUNCATED, "string cut inside" },
  { "6f 'ab'", HAP_CODEC_ERROR_TRUNCATED, "unterminated 0x6F" },
  { "9f 71 00", HAP_CODEC_ERROR_TRUNCATED, "unterminated 0x9F" },
  { "9f 41 'a' 03", HAP_CODEC_ERROR_MALFORMED, "0x9F chunk that is not data" },
  { "9f 9f 03 03", HAP_CODEC_ERROR_MALFORMED, "nested 0x9F" },
  { "9f a0 03", HAP_CODEC_ERROR_MALFORMED, "0x9F chunk that is a back-ref" },
  { "df 09", HAP_CODEC_ERROR_TRUNCATED, "unterminated 0xDF" },
  { "ef 41 'a' 09", HAP_CODEC_ERROR_TRUNCATED, "unterminated 0xEF" },
  { "ef 41 'a' 03", HAP_CODEC_ERROR_MALFORMED, "terminator as a dictionary value" },
  { "d2 09", HAP_CODEC_ERROR_TRUNCATED, "counted array short of elements" },
  { "d1 03", HAP_CODEC_ERROR_MALFORMED, "terminator in a counted array" },
  { "e1 41 'a'", HAP_CODEC_ERROR_TRUNCATED, "dictionary key without value" },
  { "e1 09 09", HAP_CODEC_ERROR_MALFORMED, "integer dictionary key" },
  { "e1 d0 09", HAP_CODEC_ERROR_MALFORMED, "array dictionary key" },
  { "e2 41 'a' 09 41 'a' 0a", HAP_CODEC_ERROR_MALFORMED, "duplicate key" },
  { "e2 41 'a' 09 a0 0a", HAP_CODEC_ERROR_MALFORMED, "duplicate key via back-ref" },
  { "09 09", HAP_CODEC_ERROR_MALFORMED, "trailing bytes" },
  { "05 00 01 02", HAP_CODEC_ERROR_TRUNCATED, "short UUID" },
  { "06 00 00 00", HAP_CODEC_ERROR_TRUNCATED, "short date" },
  { "36 00 00 00 00 00 00 f8", HAP_CODEC_ERROR_TRUNCATED, "short float64" },
  { "35 00 00", HAP_CODEC_ERROR_TRUNCATED, "short float32" },
  { "33 00 00 00 00", HAP_CODEC_ERROR_TRUNCATED, "short int64" },
  { "30", HAP_CODEC_ERROR_TRUNCATED, "short int8" },
};

static void
test_invalid_values (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (bad_values); i++) {
    g_autoptr (GBytes) b = hap_test_hex (bad_values[i].bytes);
    g_autoptr (GError) error = NULL;
    g_autoptr (HapHdsValue) v = NULL;

    g_test_message ("invalid: %s", bad_values[i].what);
    v = hap_hds_value_decode_bytes (b, &error);
    g_assert_null (v);
    g_assert_error (error, HAP_CODEC_ERROR, bad_values[i].code);
  }
}

static void
test_limits (void)
{
  GString *s = g_string_new (NULL);
  g_autoptr (GError) error = NULL;
  HapHdsValue *v;
  GByteArray *big;

  /* depth: 32 nested containers decode, 33 do not */
  for (guint i = 0; i < 32; i++)
    g_string_append (s, "d1");
  g_string_append (s, "09");
  v = decode_ok (s->str);
  hap_hds_value_unref (v);
  g_string_assign (s, "");
  for (guint i = 0; i < 33; i++)
    g_string_append (s, i % 2 ? "e1 41 'k'" : "d1");
  g_string_append (s, "09");
  {
    g_autoptr (GBytes) b = hap_test_hex (s->str);

    g_assert_null (hap_hds_value_decode_bytes (b, &error));
    g_assert_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_TOO_LARGE);
    g_clear_error (&error);
  }
  /* a depth bomb of 100000 0xDF without terminators */
  big = g_byte_array_new ();
  for (guint i = 0; i < 100000; i++)
    g_byte_array_append (big, (const guint8 *) "\xdf", 1);
  g_assert_null (hap_hds_value_decode (big->data, big->len, &error));
  g_assert_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_TOO_LARGE);
  g_clear_error (&error);
  /* element count */
  g_byte_array_set_size (big, 0);
  g_byte_array_append (big, (const guint8 *) "\xdf", 1);
  for (guint i = 0; i < HAP_HDS_MAX_VALUES; i++)
    g_byte_array_append (big, (const guint8 *) "\x09", 1);
  g_byte_array_append (big, (const guint8 *) "\x03", 1);
  g_assert_null (hap_hds_value_decode (big->data, big->len, &error));
  g_assert_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_TOO_LARGE);
  g_clear_error (&error);
  /* one value fewer is fine (the array itself counts) */
  g_byte_array_remove_index (big, 1);
  v = hap_hds_value_decode (big->data, big->len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hap_hds_value_get_length (v), ==, HAP_HDS_MAX_VALUES - 1);
  hap_hds_value_unref (v);
  /* back-references may not expand to more than HAP_HDS_MAX_REF_EXPANSION bytes */
  g_byte_array_set_size (big, 0);
  g_byte_array_append (big, (const guint8 *) "\xdf\x92\x00\x10", 4); /* 4096-byte data */
  g_byte_array_set_size (big, 4 + 4096);
  for (guint i = 0; i < HAP_HDS_MAX_REF_EXPANSION / 4096 + 1; i++)
    g_byte_array_append (big, (const guint8 *) "\xa0", 1);
  g_byte_array_append (big, (const guint8 *) "\x03", 1);
  g_assert_null (hap_hds_value_decode (big->data, big->len, &error));
  g_assert_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_TOO_LARGE);
  g_clear_error (&error);
  g_byte_array_unref (big);
  g_string_free (s, TRUE);
}

/* Every strict prefix of valid payloads fails cleanly; so do other broken payloads. */
static void
test_invalid_payloads (void)
{
  guint8 five[5] = { 1, 2, 3, 4, 5 };
  g_autoptr (GBytes) chunk = g_bytes_new (five, 5);
  HapHdsDataSendPacket packet = { chunk, HAP_HDS_DATA_TYPE_MEDIA_FRAGMENT, 2, 1, FALSE, 300 };
  GBytes *valid[] = {
    hap_hds_data_send_data_encode (1, &packet, TRUE),
    hap_hds_hello_response_encode (1, 0),
  };
  static const struct {
    const gchar *bytes;
    gint code;
  } bad[] = {
    { "", HAP_CODEC_ERROR_TRUNCATED },
    { "00", HAP_CODEC_ERROR_TRUNCATED },                 /* empty header, no message */
    { "00 e0", HAP_CODEC_ERROR_TRUNCATED },              /* empty header region */
    { "05 e0", HAP_CODEC_ERROR_TRUNCATED },              /* header longer than the payload */
    { "01 e0", HAP_CODEC_ERROR_TRUNCATED },              /* no message */
    { "01 d0 e0", HAP_CODEC_ERROR_MALFORMED },           /* header is an array */
    { "01 e0 09", HAP_CODEC_ERROR_MALFORMED },           /* message is an integer */
    { "02 e0 09 e0", HAP_CODEC_ERROR_MALFORMED },        /* trailing byte in the header */
    { "01 e0 e0 09", HAP_CODEC_ERROR_MALFORMED },        /* trailing byte after the message */
    { "03 e1 41 'a' 09 e0", HAP_CODEC_ERROR_TRUNCATED }, /* header cut by its length */
    /* back-reference tables are per part: the message cannot refer to the header */
    { "05 e1 41 'a' 41 'b' e1 a0 09", HAP_CODEC_ERROR_MALFORMED },
  };

  for (guint v = 0; v < G_N_ELEMENTS (valid); v++) {
    gsize len;
    const guint8 *data = g_bytes_get_data (valid[v], &len);
    g_autoptr (HapHdsValue) h = NULL;
    g_autoptr (HapHdsValue) m = NULL;

    g_assert_true (hap_hds_message_decode (valid[v], &h, &m, NULL));
    for (gsize cut = 0; cut < len; cut++) {
      g_autoptr (GBytes) prefix = g_bytes_new (data, cut);
      g_autoptr (GError) error = NULL;
      HapHdsValue *hh = NULL, *mm = NULL;

      g_assert_false (hap_hds_message_decode (prefix, &hh, &mm, &error));
      g_assert_nonnull (error);
      g_assert_null (hh);
      g_assert_null (mm);
      /* the message part alone, cut at every position */
      if (cut > 1 + (gsize) data[0]) {
        g_autoptr (GError) e2 = NULL;

        g_assert_null (hap_hds_value_decode (data + 1 + data[0], cut - 1 - data[0], &e2));
        g_assert_error (e2, HAP_CODEC_ERROR, HAP_CODEC_ERROR_TRUNCATED);
      }
    }
    g_bytes_unref (valid[v]);
  }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_autoptr (GBytes) b = hap_test_hex (bad[i].bytes);
    g_autoptr (GError) error = NULL;
    HapHdsValue *h = NULL, *m = NULL;

    g_assert_false (hap_hds_message_decode (b, &h, &m, &error));
    g_assert_error (error, HAP_CODEC_ERROR, bad[i].code);
  }
  /* a header over 255 bytes cannot be encoded */
  {
    g_autofree gchar *topic = repeat ("t", 250);
    g_autoptr (HapHdsValue) h = hap_hds_header_build (HAP_HDS_KIND_EVENT, "p", topic, 0, 0);
    g_autoptr (HapHdsValue) m = hap_hds_value_new_dict ();
    g_autoptr (GError) error = NULL;

    g_assert_null (hap_hds_message_encode (h, m, &error));
    g_assert_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_TOO_LARGE);
  }
}

/* Lookup helpers return NULL/FALSE on absent keys and type mismatches. */
static void
test_lookups (void)
{
  g_autoptr (HapHdsValue) v = decode_ok ("e4 41 'i' 09 41 's' 41 'x' 41 'b' 01 41 'a' d1 e0");
  gint64 i = 0;
  gboolean b = FALSE;

  g_assert_true (hap_hds_value_dict_get_int (v, "i", &i));
  g_assert_cmpint (i, ==, 1);
  g_assert_false (hap_hds_value_dict_get_int (v, "s", &i));
  g_assert_false (hap_hds_value_dict_get_int (v, "nope", &i));
  g_assert_cmpstr (hap_hds_value_dict_get_string (v, "s"), ==, "x");
  g_assert_null (hap_hds_value_dict_get_string (v, "i"));
  g_assert_true (hap_hds_value_dict_get_bool (v, "b", &b));
  g_assert_true (b);
  g_assert_nonnull (hap_hds_value_dict_get_array (v, "a"));
  g_assert_null (hap_hds_value_dict_get_dict (v, "a"));
  g_assert_null (hap_hds_value_dict_get_data (v, "a"));
  g_assert_cmpint (
      hap_hds_value_get_type (hap_hds_value_array_get (hap_hds_value_dict_get_array (v, "a"), 0)),
      ==, HAP_HDS_TYPE_DICT);
  g_assert_null (hap_hds_value_dict_get (hap_hds_value_dict_get_array (v, "a"), "x"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/hds-message/ints", test_ints);
  g_test_add_func ("/hds-message/scalars", test_scalars);
  g_test_add_func ("/hds-message/strings", test_strings);
  g_test_add_func ("/hds-message/data", test_data);
  g_test_add_func ("/hds-message/containers", test_containers);
  g_test_add_func ("/hds-message/dicts", test_dicts);
  g_test_add_func ("/hds-message/decode-forms", test_decode_forms);
  g_test_add_func ("/hds-message/back-references", test_back_references);
  g_test_add_func ("/hds-message/peer-bugs", test_peer_bugs);
  g_test_add_func ("/hds-message/golden-payloads", test_golden_payloads);
  g_test_add_func ("/hds-message/large-chunk", test_large_chunk);
  g_test_add_func ("/hds-message/header-parse", test_header_parse);
  g_test_add_func ("/hds-message/data-send-parse", test_data_send_parse);
  g_test_add_func ("/hds-message/invalid-values", test_invalid_values);
  g_test_add_func ("/hds-message/limits", test_limits);
  g_test_add_func ("/hds-message/invalid-payloads", test_invalid_payloads);
  g_test_add_func ("/hds-message/lookups", test_lookups);
  return g_test_run ();
}
