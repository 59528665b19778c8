/* Unit tests for hap/remote-db.c (the accessory database and value lists as a controller reads
 * them).
 *
 * Known-good input from outside the code under test: the /accessories body of libhap's own
 * accessory database for the camera-like test database (tests/common/test-camera-db.h, whose
 * instance ids and permissions are listed in its header), and hand-written bodies in the shapes
 * of HAP over IP (the same as HAP-NodeJS's, which hksv-hub.test.js reads for real). Then an
 * invalid-input table: every rule of the header, each broken once.
 */
#include <string.h>

#include "hap/accessory-db.h"
#include "hap/characteristic-value.h"
#include "hap/remote-db.h"
#include "tests/common/test-camera-db.h"
#include "tests/common/test-util.h"

static HapRemoteDb *
parse_text (const gchar *json, GError **error)
{
  return hap_remote_db_parse ((const guint8 *) json, strlen (json), error);
}

static void
test_own_server_database (void)
{
  TestCameraDb t;
  g_autoptr (HapDbSession) session = NULL;
  g_autoptr (GBytes) body = NULL;
  g_autoptr (HapRemoteDb) db = NULL;
  g_autoptr (GError) error = NULL;
  const HapRemoteAccessory *a;
  const HapRemoteService *s;
  const HapRemoteCharacteristic *c;
  gboolean b;

  test_camera_db_init (&t);
  session = hap_db_session_new (t.db, "ctrl", TRUE);
  g_assert_cmpuint (hap_db_handle_get_accessories (t.db, session, &body), ==, 200);
  db = hap_remote_db_parse (g_bytes_get_data (body, NULL), g_bytes_get_size (body), &error);
  g_assert_no_error (error);
  g_assert_nonnull (db);

  g_assert_cmpuint (db->accessories->len, ==, 1);
  a = hap_remote_db_find_accessory (db, 1);
  g_assert_nonnull (a);
  g_assert_null (hap_remote_db_find_accessory (db, 2));
  g_assert_cmpuint (a->services->len, ==, 10);

  s = hap_remote_accessory_find_service (a, HAP_SERVICE_CAMERA_RTP_STREAM_MANAGEMENT, 0);
  g_assert_nonnull (s);
  g_assert_cmpuint (s->iid, ==, 10);
  g_assert_true (s->primary);
  g_assert_null (
      hap_remote_accessory_find_service (a, HAP_SERVICE_CAMERA_RTP_STREAM_MANAGEMENT, 1));
  /* Full-form UUIDs find short-form types. */
  s = hap_remote_accessory_find_service (a, "00000204-0000-1000-8000-0026BB765291", 0);
  g_assert_nonnull (s);
  g_assert_cmpuint (s->iid, ==, 16);
  g_assert_true (hap_remote_service_links (s, 10));
  g_assert_false (hap_remote_service_links (s, 27));
  g_assert_true (hap_remote_accessory_find_service_by_iid (a, 34)->hidden);

  c = hap_remote_service_find_characteristic (s, HAP_CHAR_RECORDING_AUDIO_ACTIVE);
  g_assert_cmpuint (c->iid, ==, 22);
  g_assert_cmpstr (c->format, ==, "uint8");
  g_assert_cmpuint (c->perms, ==, HAP_PERM_PR | HAP_PERM_PW | HAP_PERM_EV | HAP_PERM_TW);
  g_assert_true (c->has_ev);
  g_assert_false (c->ev);

  s = hap_remote_accessory_find_service (a, HAP_SERVICE_DATA_STREAM_MANAGEMENT, 0);
  c = hap_remote_service_find_characteristic (s, HAP_CHAR_SETUP_DATA_STREAM_TRANSPORT);
  g_assert_cmpuint (c->perms, ==, HAP_PERM_PR | HAP_PERM_PW | HAP_PERM_WR);
  c = hap_remote_service_find_characteristic (
      s, HAP_CHAR_SUPPORTED_DATA_STREAM_TRANSPORT_CONFIGURATION);
  {
    g_autoptr (GBytes) v = hap_remote_json_get_bytes (c->value);
    hap_test_assert_hex_equal (g_bytes_get_data (v, NULL), g_bytes_get_size (v), "01 03 01 01 00");
  }
  s = hap_remote_accessory_find_service (a, HAP_SERVICE_MOTION_SENSOR, 0);
  c = hap_remote_service_find_characteristic (s, HAP_CHAR_MOTION_DETECTED);
  g_assert_true (hap_remote_json_get_bool (c->value, &b));
  g_assert_false (b);
  s = hap_remote_accessory_find_service (a, HAP_SERVICE_ACCESSORY_INFORMATION, 0);
  c = hap_remote_service_find_characteristic (s, HAP_CHAR_MANUFACTURER);
  g_assert_cmpstr (json_node_get_string (c->value), ==, "HKSV");
  /* Identify is write-only: no value. */
  g_assert_null (hap_remote_service_find_characteristic (s, HAP_CHAR_IDENTIFY)->value);
  test_camera_db_clear (&t);
}

static void
test_unknown_perms_and_members (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HapRemoteDb) db
      = parse_text ("{\"accessories\":[{\"aid\":7,\"x\":1,\"services\":[{\"iid\":1,\"type\":\"3e\","
                    "\"extra\":[],\"characteristics\":[{\"iid\":2,\"type\":\"00000023-0000-1000-"
                    "8000-0026bb765291\",\"perms\":[\"pr\",\"zz\"],\"format\":\"string\"}]}]}]}",
          &error);
  const HapRemoteAccessory *a;
  const HapRemoteService *s;
  const HapRemoteCharacteristic *c;

  g_assert_no_error (error);
  a = hap_remote_db_find_accessory (db, 7);
  s = hap_remote_accessory_find_service (a, HAP_SERVICE_ACCESSORY_INFORMATION, 0);
  g_assert_cmpstr (s->type, ==, "3E");
  c = hap_remote_service_find_characteristic (s, HAP_CHAR_NAME);
  g_assert_cmpstr (c->type, ==, "23");
  g_assert_cmpuint (c->perms, ==, HAP_PERM_PR);
  g_assert_cmpuint (c->unknown_perms->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (c->unknown_perms, 0), ==, "zz");
  g_assert_null (c->value);
  g_assert_false (c->has_ev);
  g_assert_null (hap_remote_service_find_characteristic (s, "not a type"));
}

static const struct {
  const gchar *json;
  gint code;
  const gchar *where; /* in the message */
} invalid_db[] = {
  { "", HAP_CODEC_ERROR_MALFORMED, "body" },
  { "{", HAP_CODEC_ERROR_MALFORMED, "not JSON" },
  { "[]", HAP_CODEC_ERROR_MALFORMED, "not a JSON object" },
  { "{}", HAP_CODEC_ERROR_MISSING, "body.accessories" },
  { "{\"accessories\":{}}", HAP_CODEC_ERROR_MALFORMED, "body.accessories: not an array" },
  { "{\"accessories\":[1]}", HAP_CODEC_ERROR_MALFORMED, "accessories[0]: not an object" },
  { "{\"accessories\":[{\"services\":[]}]}", HAP_CODEC_ERROR_MISSING, "accessories[0].aid" },
  { "{\"accessories\":[{\"aid\":\"1\",\"services\":[]}]}", HAP_CODEC_ERROR_MALFORMED,
      "accessories[0].aid: not an integer" },
  { "{\"accessories\":[{\"aid\":1.5,\"services\":[]}]}", HAP_CODEC_ERROR_MALFORMED, "aid" },
  { "{\"accessories\":[{\"aid\":0,\"services\":[]}]}", HAP_CODEC_ERROR_OUT_OF_RANGE, "aid" },
  { "{\"accessories\":[{\"aid\":-3,\"services\":[]}]}", HAP_CODEC_ERROR_OUT_OF_RANGE, "aid" },
  { "{\"accessories\":[{\"aid\":9007199254740993,\"services\":[]}]}", HAP_CODEC_ERROR_OUT_OF_RANGE,
      "aid" },
  { "{\"accessories\":[{\"aid\":99999999999999999999999,\"services\":[]}]}",
      HAP_CODEC_ERROR_MALFORMED, "aid" },
  { "{\"accessories\":[{\"aid\":1}]}", HAP_CODEC_ERROR_MISSING, "accessories[0].services" },
  { "{\"accessories\":[{\"aid\":1,\"services\":[]},{\"aid\":1,\"services\":[]}]}",
      HAP_CODEC_ERROR_MALFORMED, "accessories[1].aid: accessory id used twice" },
  { "{\"accessories\":[{\"aid\":1,\"services\":[{\"type\":\"3E\",\"characteristics\":[]}]}]}",
      HAP_CODEC_ERROR_MISSING, "services[0].iid" },
  { "{\"accessories\":[{\"aid\":1,\"services\":[{\"iid\":1,\"characteristics\":[]}]}]}",
      HAP_CODEC_ERROR_MISSING, "services[0].type" },
  { "{\"accessories\":[{\"aid\":1,\"services\":[{\"iid\":1,\"type\":62,\"characteristics\":[]}]}]}",
      HAP_CODEC_ERROR_MALFORMED, "type: not a string" },
  { "{\"accessories\":[{\"aid\":1,\"services\":[{\"iid\":1,\"type\":\"3G\",\"characteristics\":[]}]"
    "}]}",
      HAP_CODEC_ERROR_MALFORMED, "not a HAP type" },
  { "{\"accessories\":[{\"aid\":1,\"services\":[{\"iid\":1,\"type\":\"123456789\","
    "\"characteristics\":[]}]}]}",
      HAP_CODEC_ERROR_MALFORMED, "not a HAP type" },
  { "{\"accessories\":[{\"aid\":1,\"services\":[{\"iid\":1,\"type\":\"\",\"characteristics\":[]}]}]"
    "}",
      HAP_CODEC_ERROR_MALFORMED, "not a HAP type" },
  { "{\"accessories\":[{\"aid\":1,\"services\":[{\"iid\":1,\"type\":\"0000003E-0000-1000-8000-"
    "0026BB76529\","
    "\"characteristics\":[]}]}]}",
      HAP_CODEC_ERROR_MALFORMED, "not a HAP type" },
  { "{\"accessories\":[{\"aid\":1,\"services\":[{\"iid\":1,\"type\":\"3E\"}]}]}",
      HAP_CODEC_ERROR_MISSING, "services[0].characteristics" },
  { "{\"accessories\":[{\"aid\":1,\"services\":[{\"iid\":1,\"type\":\"3E\",\"primary\":1,"
    "\"characteristics\":[]}]}]}",
      HAP_CODEC_ERROR_MALFORMED, "primary: not a boolean" },
  { "{\"accessories\":[{\"aid\":1,\"services\":[{\"iid\":1,\"type\":\"3E\",\"linked\":3,"
    "\"characteristics\":[]}]}]}",
      HAP_CODEC_ERROR_MALFORMED, "linked: not an array" },
  { "{\"accessories\":[{\"aid\":1,\"services\":[{\"iid\":1,\"type\":\"3E\",\"linked\":[\"2\"],"
    "\"characteristics\":[]}]}]}",
      HAP_CODEC_ERROR_MALFORMED, "linked: an element is not an integer" },
  { "{\"accessories\":[{\"aid\":1,\"services\":[{\"iid\":1,\"type\":\"3E\",\"linked\":[0],"
    "\"characteristics\":[]}]}]}",
      HAP_CODEC_ERROR_OUT_OF_RANGE, "linked: an iid out of range" },
  { "{\"accessories\":[{\"aid\":1,\"services\":[{\"iid\":1,\"type\":\"3E\",\"characteristics\":[5]}"
    "]}]}",
      HAP_CODEC_ERROR_MALFORMED, "characteristics[0]: not an object" },
  { "{\"accessories\":[{\"aid\":1,\"services\":[{\"iid\":1,\"type\":\"3E\",\"characteristics\":"
    "[{\"type\":\"23\",\"perms\":[]}]}]}]}",
      HAP_CODEC_ERROR_MISSING, "characteristics[0].iid" },
  { "{\"accessories\":[{\"aid\":1,\"services\":[{\"iid\":1,\"type\":\"3E\",\"characteristics\":"
    "[{\"iid\":2,\"type\":\"23\"}]}]}]}",
      HAP_CODEC_ERROR_MISSING, "characteristics[0].perms" },
  { "{\"accessories\":[{\"aid\":1,\"services\":[{\"iid\":1,\"type\":\"3E\",\"characteristics\":"
    "[{\"iid\":2,\"type\":\"23\",\"perms\":\"pr\"}]}]}]}",
      HAP_CODEC_ERROR_MALFORMED, "perms: not an array" },
  { "{\"accessories\":[{\"aid\":1,\"services\":[{\"iid\":1,\"type\":\"3E\",\"characteristics\":"
    "[{\"iid\":2,\"type\":\"23\",\"perms\":[1]}]}]}]}",
      HAP_CODEC_ERROR_MALFORMED, "perms: an element is not a string" },
  { "{\"accessories\":[{\"aid\":1,\"services\":[{\"iid\":1,\"type\":\"3E\",\"characteristics\":"
    "[{\"iid\":2,\"type\":\"23\",\"perms\":[],\"format\":3}]}]}]}",
      HAP_CODEC_ERROR_MALFORMED, "format: not a string" },
  { "{\"accessories\":[{\"aid\":1,\"services\":[{\"iid\":1,\"type\":\"3E\",\"characteristics\":"
    "[{\"iid\":2,\"type\":\"23\",\"perms\":[],\"ev\":\"yes\"}]}]}]}",
      HAP_CODEC_ERROR_MALFORMED, "ev: not a boolean" },
  { "{\"accessories\":[{\"aid\":1,\"services\":[{\"iid\":1,\"type\":\"3E\",\"characteristics\":"
    "[{\"iid\":1,\"type\":\"23\",\"perms\":[]}]}]}]}",
      HAP_CODEC_ERROR_MALFORMED, "characteristics[0].iid: instance id used twice" },
  { "{\"accessories\":[{\"aid\":1,\"services\":[{\"iid\":1,\"type\":\"3E\",\"characteristics\":[]},"
    "{\"iid\":1,\"type\":\"85\",\"characteristics\":[]}]}]}",
      HAP_CODEC_ERROR_MALFORMED, "services[1].iid: instance id used twice" },
  { "{\"accessories\":[{\"aid\":1,\"services\":[{\"iid\":1,\"type\":\"3E\",\"characteristics\":"
    "[{\"iid\":2,\"type\":\"23\",\"perms\":[]}]},{\"iid\":3,\"type\":\"85\",\"characteristics\":"
    "[{\"iid\":2,\"type\":\"22\",\"perms\":[]}]}]}]}",
      HAP_CODEC_ERROR_MALFORMED, "services[1].characteristics[0].iid: instance id used twice" },
  { "{\"accessories\":[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]}", HAP_CODEC_ERROR_MALFORMED,
      "nested deeper" },
  { "{\"accessories\":[],\"x\":\"\xff\"}", HAP_CODEC_ERROR_MALFORMED, "not JSON" },
};

static void
collect_id (guint64 aid, const HapRemoteCharacteristic *ch, gpointer ids)
{
  g_string_append_printf (ids, "%" G_GUINT64_FORMAT ".%" G_GUINT64_FORMAT " ", aid, ch->iid);
}

/* Every characteristic of every service of every accessory, in database order. */
static void
test_foreach_characteristic (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HapRemoteDb) db = parse_text (
      "{\"accessories\":[{\"aid\":1,\"services\":[{\"iid\":1,\"type\":\"3E\","
      "\"characteristics\":[{\"iid\":2,\"type\":\"23\",\"perms\":[\"pr\"]},{\"iid\":3,"
      "\"type\":\"14\",\"perms\":[\"pw\"]}]},{\"iid\":8,\"type\":\"85\","
      "\"characteristics\":[]},{\"iid\":9,\"type\":\"43\",\"characteristics\":[{\"iid\":10,"
      "\"type\":\"25\",\"perms\":[\"pr\"]}]}]},{\"aid\":4,\"services\":[{\"iid\":1,"
      "\"type\":\"3E\",\"characteristics\":[{\"iid\":2,\"type\":\"23\",\"perms\":[\"pr\"]}]}]}]}",
      &error);
  g_autoptr (GString) ids = g_string_new (NULL);

  g_assert_no_error (error);
  hap_remote_db_foreach_characteristic (db, collect_id, ids);
  g_assert_cmpstr (ids->str, ==, "1.2 1.3 1.10 4.2 ");
}

static void
test_invalid_database (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (invalid_db); i++) {
    g_autoptr (GError) error = NULL;
    g_autoptr (HapRemoteDb) db = parse_text (invalid_db[i].json, &error);

    g_autofree gchar *shown = g_strescape (invalid_db[i].json, NULL);

    g_test_message ("%s", shown);
    g_assert_null (db);
    g_assert_error (error, HAP_CODEC_ERROR, invalid_db[i].code);
    if (strstr (error->message, invalid_db[i].where) == NULL)
      g_error ("\"%s\" does not name \"%s\"", error->message, invalid_db[i].where);
  }
}

static void
test_values (void)
{
  const gchar *body = "{\"characteristics\":[{\"aid\":1,\"iid\":9,\"value\":true},{\"aid\":1,"
                      "\"iid\":21,\"status\":-70402},{\"aid\":2,\"iid\":3,\"value\":\"AQI=\","
                      "\"status\":0}]}";
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) values
      = hap_remote_values_parse ((const guint8 *) body, strlen (body), &error);
  const HapRemoteValue *v;
  g_autoptr (GBytes) bytes = NULL;
  gboolean b;

  g_assert_no_error (error);
  g_assert_cmpuint (values->len, ==, 3);
  v = hap_remote_values_find (values, 1, 9);
  g_assert_true (hap_remote_json_get_bool (v->value, &b) && b);
  g_assert_cmpint (v->status, ==, 0);
  v = hap_remote_values_find (values, 1, 21);
  g_assert_cmpint (v->status, ==, HAP_STATUS_UNABLE_TO_COMMUNICATE);
  g_assert_null (v->value);
  v = hap_remote_values_find (values, 2, 3);
  bytes = hap_remote_json_get_bytes (v->value);
  hap_test_assert_hex_equal (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), "01 02");
  g_assert_null (hap_remote_values_find (values, 3, 3));

  g_clear_pointer (&values, g_array_unref);
  values = hap_remote_values_parse ((const guint8 *) "{\"characteristics\":[]}", 22, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (values->len, ==, 0);
}

static const struct {
  const gchar *json;
  gint code;
  const gchar *where;
} invalid_values[] = {
  { "{}", HAP_CODEC_ERROR_MISSING, "body.characteristics" },
  { "{\"characteristics\":[{\"iid\":1}]}", HAP_CODEC_ERROR_MISSING, "characteristics[0].aid" },
  { "{\"characteristics\":[{\"aid\":1}]}", HAP_CODEC_ERROR_MISSING, "characteristics[0].iid" },
  { "{\"characteristics\":[{\"aid\":1,\"iid\":true}]}", HAP_CODEC_ERROR_MALFORMED, "iid" },
  { "{\"characteristics\":[{\"aid\":1,\"iid\":2,\"status\":\"-70402\"}]}",
      HAP_CODEC_ERROR_MALFORMED, "status: not an integer" },
  { "{\"characteristics\":[1]}", HAP_CODEC_ERROR_MALFORMED, "characteristics[0]: not an object" },
  { "\"characteristics\"", HAP_CODEC_ERROR_MALFORMED, "not a JSON object" },
};

static void
test_invalid_values (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (invalid_values); i++) {
    g_autoptr (GError) error = NULL;
    g_autoptr (GArray) values = hap_remote_values_parse (
        (const guint8 *) invalid_values[i].json, strlen (invalid_values[i].json), &error);

    g_test_message ("%s", invalid_values[i].json);
    g_assert_null (values);
    g_assert_error (error, HAP_CODEC_ERROR, invalid_values[i].code);
    g_assert_nonnull (strstr (error->message, invalid_values[i].where));
  }
}

static void
test_json_getters (void)
{
  static const struct {
    const gchar *json;
    gint b;     /* -1: not a bool */
    gint64 u;   /* -1: not a uint */
    gint bytes; /* length, -1: not base64 */
  } cases[] = {
    { "true", 1, 1, -1 },
    { "false", 0, 0, -1 },
    { "0", 0, 0, -1 },
    { "1", 1, 1, -1 },
    { "2", -1, 2, -1 },
    { "-1", -1, -1, -1 },
    { "1.0", -1, -1, -1 },
    { "\"\"", -1, -1, 0 },
    { "\"AQID\"", -1, -1, 3 },
    { "\"AQI\"", -1, -1, -1 },
    { "\"A QI=\"", -1, -1, -1 },
    { "null", -1, -1, -1 },
    { "[1]", -1, -1, -1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (JsonNode) node = json_from_string (cases[i].json, NULL);
    g_autoptr (GBytes) bytes = hap_remote_json_get_bytes (node);
    gboolean b;
    guint64 u;

    g_test_message ("%s", cases[i].json);
    g_assert_cmpint (hap_remote_json_get_bool (node, &b) ? (gint) b : -1, ==, cases[i].b);
    g_assert_cmpint (hap_remote_json_get_uint (node, &u) ? (gint64) u : -1, ==, cases[i].u);
    g_assert_cmpint (bytes ? (gint) g_bytes_get_size (bytes) : -1, ==, cases[i].bytes);
  }
  {
    g_autoptr (JsonNode) node = json_from_string ("\""
                                                  "0123456789012345678901234567890123456789"
                                                  "0123456789012345678901234567890123456789\"",
        NULL);
    g_autofree gchar *shown = hap_remote_json_to_display (node);
    g_autofree gchar *none = hap_remote_json_to_display (NULL);
    g_assert_cmpuint (strlen (shown), ==, 72);
    g_assert_true (g_str_has_suffix (shown, "..."));
    g_assert_cmpstr (none, ==, "(none)");
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/remote-db/own-server-database", test_own_server_database);
  g_test_add_func ("/remote-db/unknown-perms-and-members", test_unknown_perms_and_members);
  g_test_add_func ("/remote-db/foreach-characteristic", test_foreach_characteristic);
  g_test_add_func ("/remote-db/invalid-database", test_invalid_database);
  g_test_add_func ("/remote-db/values", test_values);
  g_test_add_func ("/remote-db/invalid-values", test_invalid_values);
  g_test_add_func ("/remote-db/json-getters", test_json_getters);
  return g_test_run ();
}
