/* Unit tests for hap/characteristic-value.c: write validation per format (bounds, step, valid
 * values, string length, JSON types, NaN/huge numbers, bools as 0/1), JSON output and strict
 * base64. The rules are HomeKitADK's (HAPCharacteristic.c: IS_VALUE_IN_RANGE, float step
 * tolerance 0.1 and rounding, maxLength in bytes; HAPIPAccessoryServer.c: bool accepts 0/1).
 * Base64 vectors: RFC 4648 section 10. Limits of the formats: HAP spec "Characteristic
 * formats" (uint8 0..255, int = int32, string maxLen 64 default / 256 max). */
#include <math.h>
#include <string.h>

#include "hap/characteristic-value.h"

#define OK HAP_STATUS_SUCCESS
#define BAD HAP_STATUS_INVALID_VALUE

static const guint64 three_values[] = { 0, 1, 3 };
static const HapValidRange two_ranges[] = { { 10, 12 }, { 20, 20 } };

static const HapCharacteristicDef def_bool = { .type = "25", .format = HAP_FORMAT_BOOL };
static const HapCharacteristicDef def_u8 = { .type = "1", .format = HAP_FORMAT_UINT8 };
static const HapCharacteristicDef def_u16 = { .type = "1", .format = HAP_FORMAT_UINT16 };
static const HapCharacteristicDef def_u32 = { .type = "1", .format = HAP_FORMAT_UINT32 };
static const HapCharacteristicDef def_u64 = { .type = "1", .format = HAP_FORMAT_UINT64 };
static const HapCharacteristicDef def_int = { .type = "1", .format = HAP_FORMAT_INT };
static const HapCharacteristicDef def_brightness
    = { .type = "8", .format = HAP_FORMAT_INT, .range = { TRUE, 0, 100, 1 } };
static const HapCharacteristicDef def_step5
    = { .type = "1", .format = HAP_FORMAT_UINT16, .range = { TRUE, 10, 100, 5 } };
static const HapCharacteristicDef def_neg
    = { .type = "1", .format = HAP_FORMAT_INT, .range = { TRUE, -50, 50, 10 } };
static const HapCharacteristicDef def_valid = {
  .type = "1", .format = HAP_FORMAT_UINT8, .valid_values = three_values, .n_valid_values = 3
};
static const HapCharacteristicDef def_ranges
    = { .type = "1", .format = HAP_FORMAT_UINT8, .valid_ranges = two_ranges, .n_valid_ranges = 2 };
static const HapCharacteristicDef def_float = { .type = "1", .format = HAP_FORMAT_FLOAT };
static const HapCharacteristicDef def_fov = { .type = "224",
  .format = HAP_FORMAT_FLOAT,
  .unit = HAP_UNIT_ARCDEGREES,
  .range = { TRUE, 0, 360, 0 } };
static const HapCharacteristicDef def_temp = {
  .type = "11", .format = HAP_FORMAT_FLOAT, .unit = HAP_UNIT_CELSIUS, .range = { TRUE, 10, 38, 0.1 }
};
static const HapCharacteristicDef def_half
    = { .type = "1", .format = HAP_FORMAT_FLOAT, .range = { TRUE, 0, 10, 0.5 } };
static const HapCharacteristicDef def_string = { .type = "23", .format = HAP_FORMAT_STRING };
static const HapCharacteristicDef def_string3
    = { .type = "23", .format = HAP_FORMAT_STRING, .max_len = 3 };
static const HapCharacteristicDef def_tlv8 = { .type = "131", .format = HAP_FORMAT_TLV8 };
static const HapCharacteristicDef def_data2
    = { .type = "1", .format = HAP_FORMAT_DATA, .max_data_len = 2 };

typedef struct {
  const HapCharacteristicDef *def;
  const gchar *json; /* the value as it appears in a write */
  HapStatus status;
  const gchar *stored; /* JSON of the accepted value, NULL = same as json */
} Case;

static const Case cases[] = {
  /* bool: true/false and 0/1 only */
  { &def_bool, "true", OK, NULL }, { &def_bool, "false", OK, NULL }, { &def_bool, "1", OK, "true" },
  { &def_bool, "0", OK, "false" }, { &def_bool, "1.0", OK, "true" }, { &def_bool, "2", BAD, NULL },
  { &def_bool, "-1", BAD, NULL }, { &def_bool, "0.5", BAD, NULL },
  { &def_bool, "\"true\"", BAD, NULL }, { &def_bool, "[true]", BAD, NULL },
  { &def_bool, "{}", BAD, NULL },
  /* uint8: 0..255, integers only, no bools */
  { &def_u8, "0", OK, NULL }, { &def_u8, "255", OK, NULL }, { &def_u8, "256", BAD, NULL },
  { &def_u8, "-1", BAD, NULL }, { &def_u8, "-0", OK, "0" }, { &def_u8, "1.5", BAD, NULL },
  { &def_u8, "3.0", OK, "3" }, { &def_u8, "1e2", OK, "100" }, { &def_u8, "1e400", BAD, NULL },
  { &def_u8, "true", BAD, NULL }, { &def_u8, "\"1\"", BAD, NULL },
  /* 2^64 + 1 would wrap to 1 in json-glib: must not be accepted */
  { &def_u8, "18446744073709551617", BAD, NULL }, { &def_u8, "-18446744073709551617", BAD, NULL },
  { &def_u16, "65535", OK, NULL }, { &def_u16, "65536", BAD, NULL },
  { &def_u32, "4294967295", OK, NULL }, { &def_u32, "4294967296", BAD, NULL },
  { &def_u64, "9223372036854775807", OK, NULL }, { &def_u64, "0", OK, NULL },
  { &def_u64, "-1", BAD, NULL }, { &def_u64, "36893488147419103232", BAD, NULL }, /* 2^65 */
  /* int: int32 */
  { &def_int, "2147483647", OK, NULL }, { &def_int, "2147483648", BAD, NULL },
  { &def_int, "-2147483648", OK, NULL }, { &def_int, "-2147483649", BAD, NULL },
  { &def_int, "-9223372036854775808", BAD, NULL }, { &def_int, "9223372036854775808", BAD, NULL },
  /* ranges and steps */
  { &def_brightness, "0", OK, NULL }, { &def_brightness, "100", OK, NULL },
  { &def_brightness, "101", BAD, NULL }, { &def_brightness, "-1", BAD, NULL },
  { &def_step5, "10", OK, NULL }, { &def_step5, "15", OK, NULL }, { &def_step5, "100", OK, NULL },
  { &def_step5, "12", BAD, NULL }, { &def_step5, "5", BAD, NULL }, { &def_step5, "105", BAD, NULL },
  { &def_neg, "-50", OK, NULL }, { &def_neg, "-40", OK, NULL }, { &def_neg, "-45", BAD, NULL },
  { &def_neg, "50", OK, NULL }, { &def_neg, "60", BAD, NULL },
  /* valid values and ranges */
  { &def_valid, "0", OK, NULL }, { &def_valid, "3", OK, NULL }, { &def_valid, "2", BAD, NULL },
  { &def_valid, "4", BAD, NULL }, { &def_ranges, "10", OK, NULL }, { &def_ranges, "12", OK, NULL },
  { &def_ranges, "20", OK, NULL }, { &def_ranges, "13", BAD, NULL },
  { &def_ranges, "0", BAD, NULL },
  /* float */
  { &def_float, "1.5", OK, NULL }, { &def_float, "-2", OK, NULL }, { &def_float, "0.1", OK, NULL },
  { &def_float, "1e308", OK, "1e+308" }, { &def_float, "1e400", BAD, NULL },
  { &def_float, "-1e400", BAD, NULL }, { &def_float, "true", BAD, NULL },
  { &def_float, "\"1.5\"", BAD, NULL }, { &def_float, "null", BAD, NULL },
  { &def_fov, "360", OK, NULL }, { &def_fov, "360.5", BAD, NULL }, { &def_fov, "-0.5", BAD, NULL },
  { &def_temp, "21.5", OK, NULL }, { &def_temp, "21.55", BAD, NULL }, /* half a step off */
  { &def_temp, "9.9", BAD, NULL }, { &def_half, "2.5", OK, NULL },
  { &def_half, "2.54", OK, "2.5" }, /* within a tenth of a step: rounded */
  { &def_half, "2.46", OK, "2.5" }, { &def_half, "2.6", BAD, NULL },
  /* string: bytes, default 64, maxLen */
  { &def_string, "\"\"", OK, NULL }, { &def_string, "\"Front door\"", OK, NULL },
  { &def_string, "\"caf\\u00e9\"", OK, "\"caf\xc3\xa9\"" },
  { &def_string, "\"q\\\"b\\\\s\\n\"", OK, NULL },
  { &def_string, "\"0123456789012345678901234567890123456789012345678901234567890123\"", OK, NULL },
  { &def_string, "\"01234567890123456789012345678901234567890123456789012345678901234\"", BAD,
      NULL },
  { &def_string, "1", BAD, NULL }, { &def_string, "true", BAD, NULL },
  { &def_string3, "\"abc\"", OK, NULL }, { &def_string3, "\"abcd\"", BAD, NULL },
  { &def_string3, "\"\\u00e9\\u00e9\"", BAD, NULL }, /* 2 characters, 4 bytes */
  /* tlv8 and data: strict base64 */
  { &def_tlv8, "\"AQEAAgEAAyA=\"", OK, NULL }, { &def_tlv8, "\"\"", OK, NULL },
  { &def_tlv8, "\"AQEAAgEAAyA\"", BAD, NULL },  /* padding missing */
  { &def_tlv8, "\"AQEAAgEAAy==\"", BAD, NULL }, /* non-canonical bits */
  { &def_tlv8, "\"AQ=A\"", BAD, NULL },         /* digit after padding */
  { &def_tlv8, "\"AQEA AgEA\"", BAD, NULL },    /* whitespace */
  { &def_tlv8, "\"AQ-_\"", BAD, NULL },         /* base64url alphabet */
  { &def_tlv8, "1", BAD, NULL }, { &def_data2, "\"AAE=\"", OK, NULL },
  { &def_data2, "\"AAEC\"", BAD, NULL }, /* 3 bytes > maxDataLen 2 */
};

static JsonNode *
parse_value (const gchar *json)
{
  g_autofree gchar *text = g_strdup_printf ("[%s]", json);
  JsonNode *root = hap_json_parse_body ((const guint8 *) text, strlen (text));
  JsonNode *node;

  g_assert_nonnull (root);
  node = json_node_copy (json_array_get_element (json_node_get_array (root), 0));
  json_node_unref (root);
  return node;
}

static void
test_validation_table (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    const Case *c = &cases[i];
    JsonNode *node = parse_value (c->json);
    HapValue value;
    HapStatus status = hap_value_from_json (c->def, node, &value);

    g_test_message ("case %u: %s %s", i, hap_format_to_string (c->def->format), c->json);
    g_assert_cmpint (status, ==, c->status);
    if (status == OK) {
      GString *out = g_string_new (NULL);
      g_assert_cmpint (value.format, ==, c->def->format);
      g_assert_cmpint (hap_value_check (c->def, &value), ==, OK);
      hap_value_append_json (out, &value);
      g_assert_cmpstr (out->str, ==, c->stored ? c->stored : c->json);
      g_string_free (out, TRUE);
      hap_value_clear (&value);
    }
    json_node_unref (node);
  }
}

static void
test_check (void)
{
  HapValue v;

  hap_value_init_float (&v, NAN);
  g_assert_cmpint (hap_value_check (&def_float, &v), ==, BAD);
  hap_value_init_float (&v, INFINITY);
  g_assert_cmpint (hap_value_check (&def_float, &v), ==, BAD);
  hap_value_init_uint (&v, HAP_FORMAT_UINT8, 256);
  g_assert_cmpint (hap_value_check (&def_u8, &v), ==, BAD);
  hap_value_init_uint (&v, HAP_FORMAT_UINT8, 2);
  g_assert_cmpint (hap_value_check (&def_valid, &v), ==, BAD);
  g_assert_cmpint (hap_value_check (&def_u16, &v), ==, BAD); /* format mismatch */
  hap_value_init_int (&v, -60);
  g_assert_cmpint (hap_value_check (&def_neg, &v), ==, BAD);
  hap_value_init_int (&v, G_MININT64);
  g_assert_cmpint (hap_value_check (&def_int, &v), ==, BAD);
  hap_value_init_bytes (&v, HAP_FORMAT_STRING, (const guint8 *) "a\0b", 3);
  g_assert_cmpint (hap_value_check (&def_string, &v), ==, BAD); /* NUL inside */
  hap_value_clear (&v);
  hap_value_init_bytes (&v, HAP_FORMAT_STRING, (const guint8 *) "\xff", 1);
  g_assert_cmpint (hap_value_check (&def_string, &v), ==, BAD); /* not UTF-8 */
  hap_value_clear (&v);
  hap_value_init_string (&v, "abc");
  g_assert_cmpint (hap_value_check (&def_string3, &v), ==, OK);
  hap_value_clear (&v);
}

static void
test_json_output (void)
{
  static const struct {
    gdouble d;
    const gchar *want;
  } doubles[] = {
    { 0.1, "0.1" },
    { 22.5, "22.5" },
    { -3, "-3" },
    { 1e21, "1e+21" },
    { 1.0 / 3, "0.33333333333333331" },
    { 360, "360" },
  };
  GString *out = g_string_new (NULL);
  HapValue v;

  for (guint i = 0; i < G_N_ELEMENTS (doubles); i++) {
    g_string_truncate (out, 0);
    hap_json_append_double (out, doubles[i].d);
    g_assert_cmpstr (out->str, ==, doubles[i].want);
  }
  g_string_truncate (out, 0);
  hap_json_append_string (out, "a\"\\\x01\t/", -1);
  g_assert_cmpstr (out->str, ==, "\"a\\\"\\\\\\u0001\\t/\"");

  g_string_truncate (out, 0);
  hap_perms_append_json (out, HAP_PERM_PR | HAP_PERM_PW | HAP_PERM_EV | HAP_PERM_AA | HAP_PERM_TW
                                  | HAP_PERM_HD | HAP_PERM_WR);
  g_assert_cmpstr (out->str, ==, "[\"pr\",\"pw\",\"ev\",\"aa\",\"tw\",\"hd\",\"wr\"]");
  g_string_truncate (out, 0);
  hap_perms_append_json (out, 0);
  g_assert_cmpstr (out->str, ==, "[]");

  /* RFC 4648 section 10 test vector "foobar". */
  g_string_truncate (out, 0);
  hap_value_init_bytes (&v, HAP_FORMAT_DATA, (const guint8 *) "foobar", 6);
  hap_value_append_json (out, &v);
  g_assert_cmpstr (out->str, ==, "\"Zm9vYmFy\"");
  hap_value_clear (&v);

  g_string_truncate (out, 0);
  hap_def_append_meta_json (out, &def_brightness);
  g_assert_cmpstr (
      out->str, ==, ",\"format\":\"int\",\"minValue\":0,\"maxValue\":100,\"minStep\":1");
  g_string_truncate (out, 0);
  hap_def_append_meta_json (out, &def_temp);
  g_assert_cmpstr (out->str, ==,
      ",\"format\":\"float\",\"unit\":\"celsius\",\"minValue\":10,\"maxValue\":38,"
      "\"minStep\":0.1");
  g_string_truncate (out, 0);
  hap_def_append_meta_json (out, &def_valid);
  g_assert_cmpstr (out->str, ==, ",\"format\":\"uint8\",\"valid-values\":[0,1,3]");
  g_string_truncate (out, 0);
  hap_def_append_meta_json (out, &def_ranges);
  g_assert_cmpstr (out->str, ==, ",\"format\":\"uint8\",\"valid-values-range\":[[10,12],[20,20]]");
  g_string_truncate (out, 0);
  hap_def_append_meta_json (out, &def_string3);
  g_assert_cmpstr (out->str, ==, ",\"format\":\"string\",\"maxLen\":3");
  g_string_truncate (out, 0);
  hap_def_append_meta_json (out, &def_data2);
  g_assert_cmpstr (out->str, ==, ",\"format\":\"data\",\"maxDataLen\":2");
  g_string_free (out, TRUE);
}

static void
test_base64 (void)
{
  /* RFC 4648 section 10. */
  static const struct {
    const gchar *b64;
    const gchar *plain;
  } ok[] = {
    { "", "" },
    { "Zg==", "f" },
    { "Zm8=", "fo" },
    { "Zm9v", "foo" },
    { "Zm9vYg==", "foob" },
    { "Zm9vYmE=", "fooba" },
    { "Zm9vYmFy", "foobar" },
  };
  static const gchar *bad[] = { "Z", "Zg", "Zg=", "Zg===", "=Zg=", "Zm9v\n",
    "Zh==", "Zm9=", "Zg==Zg==", "Z*==", "\xc3\xa9\xc3\xa9" };

  for (guint i = 0; i < G_N_ELEMENTS (ok); i++) {
    GBytes *b = hap_base64_decode_strict (ok[i].b64, strlen (ok[i].b64));
    g_assert_nonnull (b);
    g_assert_cmpmem (
        g_bytes_get_data (b, NULL), g_bytes_get_size (b), ok[i].plain, strlen (ok[i].plain));
    g_bytes_unref (b);
  }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    g_assert_null (hap_base64_decode_strict (bad[i], strlen (bad[i])));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/characteristic-value/validation", test_validation_table);
  g_test_add_func ("/characteristic-value/check", test_check);
  g_test_add_func ("/characteristic-value/json-output", test_json_output);
  g_test_add_func ("/characteristic-value/base64", test_base64);
  return g_test_run ();
}
