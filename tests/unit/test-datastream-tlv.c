/* Unit tests for hap/datastream-tlv.c (DataStreamManagement TLVs and the HDS keys).
 *
 * Known-good values from outside the code under test:
 * - the real hub's SetupDataStreamTransport write and the usual
 *   SupportedDataStreamTransportConfiguration quoted in design/PROTOCOL.md section 2;
 * - the write response of tests/common/test-camera-db.h (hand-assembled: status 0, port 0x1234,
 *   a 32-byte salt 00..1f);
 * - HDS keys computed with Python's hmac/hashlib HKDF-SHA512 (RFC 5869) for shared secret
 *   00..1f, controller salt 40..5f, accessory salt 80..9f.
 */
#include <string.h>

#include "hap/datastream-tlv.h"
#include "tests/common/test-util.h"

#define SALT32 "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

static void
test_request_real_hub (void)
{
  g_autoptr (GBytes) wire = hap_test_hex ("01 01 00 02 01 00 03 20" SALT32);
  g_autoptr (GBytes) built = NULL;
  g_autoptr (GError) error = NULL;
  HapDatastreamSetupRequest req;
  gsize len;
  const guint8 *data = g_bytes_get_data (wire, &len);

  g_assert_cmpint (hap_datastream_setup_request_parse (data, len, &req, &error), ==, HAP_PARSE_OK);
  g_assert_no_error (error);
  g_assert_cmpuint (req.command, ==, HAP_DATASTREAM_COMMAND_START_SESSION);
  g_assert_cmpuint (req.transport, ==, HAP_DATASTREAM_TRANSPORT_HDS_TCP);
  hap_test_assert_mem_equal (req.controller_salt, 32, data + 8, 32);
  built = hap_datastream_setup_request_build (req.controller_salt);
  hap_test_assert_bytes_equal (built, wire);
}

static void
test_response_round_trip (void)
{
  /* The answer of tests/common/test-camera-db.h's SetupDataStreamTransport. */
  g_autoptr (GBytes) wire = hap_test_hex ("01 01 00 02 04 01 02 34 12 03 20" SALT32);
  g_autoptr (GBytes) built = NULL;
  g_autoptr (GError) error = NULL;
  HapDatastreamSetupResponse resp;
  gsize len;
  const guint8 *data = g_bytes_get_data (wire, &len);

  g_assert_cmpint (
      hap_datastream_setup_response_parse (data, len, &resp, &error), ==, HAP_PARSE_OK);
  g_assert_cmpuint (resp.status, ==, 0);
  g_assert_true (resp.has_session);
  g_assert_cmpuint (resp.port, ==, 0x1234);
  hap_test_assert_mem_equal (resp.accessory_salt, 32, data + 11, 32);
  built = hap_datastream_setup_response_build (&resp);
  hap_test_assert_bytes_equal (built, wire);
}

static void
test_response_busy (void)
{
  HapDatastreamSetupResponse resp = { .status = HAP_DATASTREAM_STATUS_BUSY };
  g_autoptr (GBytes) built = hap_datastream_setup_response_build (&resp);
  HapDatastreamSetupResponse parsed;

  hap_test_assert_hex_equal (g_bytes_get_data (built, NULL), g_bytes_get_size (built), "01 01 02");
  g_assert_cmpint (hap_datastream_setup_response_parse (
                       g_bytes_get_data (built, NULL), g_bytes_get_size (built), &parsed, NULL),
      ==, HAP_PARSE_OK);
  g_assert_cmpuint (parsed.status, ==, HAP_DATASTREAM_STATUS_BUSY);
  g_assert_false (parsed.has_session);
  g_assert_cmpstr (hap_datastream_status_to_string (2), ==, "busy");
  g_assert_cmpstr (hap_datastream_status_to_string (9), ==, "unknown status");
}

static void
test_supported (void)
{
  g_autoptr (GBytes) usual = hap_test_hex ("01 03 01 01 00");
  g_autoptr (GBytes) two = hap_test_hex ("01 03 01 01 00 00 00 01 03 01 01 05");
  g_autoptr (GBytes) built = NULL;
  HapDatastreamSupported s;

  g_assert_cmpint (hap_datastream_supported_parse (
                       g_bytes_get_data (usual, NULL), g_bytes_get_size (usual), &s, NULL),
      ==, HAP_PARSE_OK);
  g_assert_cmpuint (s.n_transports, ==, 1);
  g_assert_true (hap_datastream_supported_has (&s, HAP_DATASTREAM_TRANSPORT_HDS_TCP));
  built = hap_datastream_supported_build (&s);
  hap_test_assert_bytes_equal (built, usual);
  g_clear_pointer (&built, g_bytes_unref);

  g_assert_cmpint (hap_datastream_supported_parse (
                       g_bytes_get_data (two, NULL), g_bytes_get_size (two), &s, NULL),
      ==, HAP_PARSE_OK);
  g_assert_cmpuint (s.n_transports, ==, 2);
  g_assert_cmpuint (s.transports[1], ==, 5);
  g_assert_false (hap_datastream_supported_has (&s, 7));
  built = hap_datastream_supported_build (&s);
  hap_test_assert_bytes_equal (built, two);
}

static void
test_keys_vector (void)
{
  guint8 shared[32], csalt[32], asalt[32], a2c[32], c2a[32];

  for (guint i = 0; i < 32; i++) {
    shared[i] = (guint8) i;
    csalt[i] = (guint8) (0x40 + i);
    asalt[i] = (guint8) (0x80 + i);
  }
  hap_hds_derive_keys (shared, csalt, asalt, a2c, c2a);
  hap_test_assert_hex_equal (
      a2c, 32, "93f739ec6700a1cc59941f212e8f6c697d14d937d75ee499b26d00c592953fb1");
  hap_test_assert_hex_equal (
      c2a, 32, "0060c4f88581558fd78ff2e75f2cf3af43ce02f9897cd69dd82ff481a87f0218");
}

typedef enum { REQUEST, RESPONSE, SUPPORTED } Kind;

static const struct {
  const gchar *name;
  Kind kind;
  const gchar *hex;
  gint code;
} invalid[] = {
  { "request empty", REQUEST, "", HAP_CODEC_ERROR_MISSING },
  { "request truncated item", REQUEST, "01 02 00", HAP_CODEC_ERROR_TRUNCATED },
  { "request no command", REQUEST, "02 01 00 03 20" SALT32, HAP_CODEC_ERROR_MISSING },
  { "request command 2 bytes", REQUEST, "01 02 00 00 02 01 00 03 20" SALT32,
      HAP_CODEC_ERROR_MALFORMED },
  { "request no transport", REQUEST, "01 01 00 03 20" SALT32, HAP_CODEC_ERROR_MISSING },
  { "request no salt", REQUEST, "01 01 00 02 01 00", HAP_CODEC_ERROR_MISSING },
  { "request salt 31 bytes", REQUEST, "01 01 00 02 01 00 03 1f" SALT32, HAP_CODEC_ERROR_TRUNCATED },
  { "request salt 16 bytes", REQUEST, "01 01 00 02 01 00 03 10 00112233445566778899aabbccddeeff",
      HAP_CODEC_ERROR_OUT_OF_RANGE },
  { "response empty", RESPONSE, "", HAP_CODEC_ERROR_MISSING },
  { "response status 2 bytes", RESPONSE, "01 02 00 00", HAP_CODEC_ERROR_MALFORMED },
  { "response success without parameters", RESPONSE, "01 01 00 03 20" SALT32,
      HAP_CODEC_ERROR_MISSING },
  { "response parameters truncated", RESPONSE, "01 01 00 02 04 01 03 34 12 03 20" SALT32,
      HAP_CODEC_ERROR_TRUNCATED },
  { "response no port", RESPONSE, "01 01 00 02 03 05 01 00 03 20" SALT32, HAP_CODEC_ERROR_MISSING },
  { "response port 1 byte", RESPONSE, "01 01 00 02 03 01 01 34 03 20" SALT32,
      HAP_CODEC_ERROR_MALFORMED },
  { "response port 0", RESPONSE, "01 01 00 02 04 01 02 00 00 03 20" SALT32,
      HAP_CODEC_ERROR_OUT_OF_RANGE },
  { "response no salt", RESPONSE, "01 01 00 02 04 01 02 34 12", HAP_CODEC_ERROR_MISSING },
  { "response salt 2 bytes", RESPONSE, "01 01 00 02 04 01 02 34 12 03 02 00 01",
      HAP_CODEC_ERROR_OUT_OF_RANGE },
  { "supported empty", SUPPORTED, "", HAP_CODEC_ERROR_MISSING },
  { "supported only a separator", SUPPORTED, "00 00", HAP_CODEC_ERROR_MISSING },
  { "supported no type in entry", SUPPORTED, "01 00", HAP_CODEC_ERROR_MISSING },
  { "supported type 2 bytes", SUPPORTED, "01 04 01 02 00 00", HAP_CODEC_ERROR_MALFORMED },
  { "supported nested truncated", SUPPORTED, "01 02 01 05", HAP_CODEC_ERROR_TRUNCATED },
  { "supported nine entries", SUPPORTED,
      "01030101000000010301010000000103010100000001030101000000010301010000000103010100000001030101"
      "000000010301010000000103010100",
      HAP_CODEC_ERROR_TOO_LARGE },
};

static void
test_invalid (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++) {
    g_autoptr (GBytes) wire = hap_test_hex (invalid[i].hex);
    g_autoptr (GError) error = NULL;
    gsize len;
    const guint8 *data = g_bytes_get_data (wire, &len);
    HapParseResult r;
    union {
      HapDatastreamSetupRequest req;
      HapDatastreamSetupResponse resp;
      HapDatastreamSupported sup;
    } out, zero;

    memset (&out, 0x5a, sizeof out);
    memset (&zero, 0, sizeof zero);
    g_test_message ("%s", invalid[i].name);
    if (invalid[i].kind == REQUEST)
      r = hap_datastream_setup_request_parse (data, len, &out.req, &error);
    else if (invalid[i].kind == RESPONSE)
      r = hap_datastream_setup_response_parse (data, len, &out.resp, &error);
    else
      r = hap_datastream_supported_parse (data, len, &out.sup, &error);
    g_assert_cmpint (r, ==, HAP_PARSE_INVALID);
    g_assert_error (error, HAP_CODEC_ERROR, invalid[i].code);
    /* Nothing of a rejected value is left behind. */
    if (invalid[i].kind == REQUEST)
      g_assert_true (memcmp (&out.req, &zero.req, sizeof out.req) == 0);
    else if (invalid[i].kind == RESPONSE)
      g_assert_true (memcmp (&out.resp, &zero.resp, sizeof out.resp) == 0);
    else
      g_assert_true (memcmp (&out.sup, &zero.sup, sizeof out.sup) == 0);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/datastream-tlv/request/real-hub", test_request_real_hub);
  g_test_add_func ("/datastream-tlv/response/round-trip", test_response_round_trip);
  g_test_add_func ("/datastream-tlv/response/busy", test_response_busy);
  g_test_add_func ("/datastream-tlv/supported", test_supported);
  g_test_add_func ("/datastream-tlv/keys/vector", test_keys_vector);
  g_test_add_func ("/datastream-tlv/invalid", test_invalid);
  return g_test_run ();
}
