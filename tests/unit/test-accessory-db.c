/* Unit tests for hap/accessory-db.c and hap/accessories-json.c: instance ids, type short
 * forms, the GET /accessories JSON of a camera-like database (layout of HAP's "Accessory
 * Attribute Database": aid, services[iid, type, primary, hidden, linked, characteristics[iid,
 * type, perms, format, value, ...]], as HomeKitADK and HAP-NodeJS write it), owner-driven
 * changes, events to subscribed sessions with a fake clock, and callbacks.
 * UUIDs: HAP-NodeJS 1.2.0 definitions and the HKSV spec summary (see hap/hap-uuids.h). */
#include <json-glib/json-glib.h>
#include <string.h>

#include "hap/accessory-db.h"
#include "tests/common/test-camera-db.h"

#define MS (G_TIME_SPAN_MILLISECOND)

static gint64 fake_now;

static gint64
fake_clock (gpointer data)
{
  return fake_now;
}

static gchar *
bytes_to_str (GBytes *b)
{
  gsize len = 0;
  const gchar *d = g_bytes_get_data (b, &len);
  return g_strndup (d, len);
}

static void
test_uuid_normalize (void)
{
  static const struct {
    const gchar *in;
    const gchar *out; /* NULL: invalid */
  } cases[] = {
    { "3E", "3E" },
    { "3e", "3E" },
    { "0000003E", "3E" },
    { "0", "0" },
    { "00000000", "0" },
    { "0000003E-0000-1000-8000-0026BB765291", "3E" },
    { "0000003e-0000-1000-8000-0026bb765291", "3E" },
    { "00000204-0000-1000-8000-0026BB765291", "204" },
    { "00000001-0000-1000-8000-00000000ABCD", "00000001-0000-1000-8000-00000000ABCD" },
    { "fe000001-0000-1000-8000-00000000abcd", "FE000001-0000-1000-8000-00000000ABCD" },
    { "", NULL },
    { "123456789", NULL },
    { "3G", NULL },
    { "-3E", NULL },
    { "0000003E-0000-1000-8000-0026BB76529", NULL },
    { "0000003E-0000-1000-8000-0026BB7652911", NULL },
    { "0000003E_0000-1000-8000-0026BB765291", NULL },
    { "0000003E-0000-1000-8000-0026BB76529G", NULL },
    { "0000003E-0000-1000-8000-0026BB76529Z", NULL },
    { "0000003E00001000800000260BB765291", NULL },
    { "0000003E-0000-1000-8000_0026BB765291", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree gchar *got = hap_uuid_normalize (cases[i].in);
    g_assert_cmpstr (got, ==, cases[i].out);
  }
}

static void
test_iids (void)
{
  TestCameraDb t;
  HapAccessory *a;

  test_camera_db_init (&t);
  a = hap_db_get_accessory (t.db, 1);
  g_assert_nonnull (a);
  g_assert_null (hap_db_get_accessory (t.db, 2));
  g_assert_cmpuint (hap_service_get_iid (hap_accessory_find_service (a, "3E")), ==, 1);
  g_assert_cmpuint (
      hap_service_get_iid (hap_accessory_find_service (a, "00000110-0000-1000-8000-0026BB765291")),
      ==, 10);
  g_assert_cmpuint (hap_service_get_iid (t.recording), ==, 16);
  g_assert_cmpuint (hap_service_get_iid (t.lightbulb), ==, 34);
  for (guint iid = 2; iid <= 39; iid++) {
    if (t.chars[iid] == NULL)
      continue;
    g_assert_true (hap_db_lookup (t.db, 1, iid) == t.chars[iid]);
    g_assert_cmpuint (hap_characteristic_get_aid (t.chars[iid]), ==, 1);
  }
  g_assert_null (hap_db_lookup (t.db, 1, 1)); /* a service */
  g_assert_null (hap_db_lookup (t.db, 1, 40));
  g_assert_null (hap_db_lookup (t.db, 2, 2));
  g_assert_true (hap_service_find_characteristic (t.lightbulb, HAP_CHAR_BRIGHTNESS) == t.chars[36]);
  g_assert_true (hap_characteristic_get_service (t.chars[36]) == t.lightbulb);
  g_assert_cmpstr (
      hap_characteristic_get_def (t.chars[37])->type, ==, "00000001-0000-1000-8000-00000000ABCD");
  g_assert_cmpstr (hap_service_get_type (t.recording), ==, "204");

  /* Initial values: zero, or the first valid value when zero is not allowed. */
  g_assert_cmpint (hap_characteristic_get_value (t.chars[36])->v.i, ==, 0);
  g_assert_false (hap_characteristic_get_value (t.chars[35])->v.b);
  test_camera_db_clear (&t);
}

static void
test_misuse (void)
{
  g_autoptr (HapAccessoryDb) db = hap_db_new ();
  HapAccessory *a = hap_db_add_accessory (db, 1);
  static const HapCharacteristicDef bad_range
      = { .type = "25", .format = HAP_FORMAT_INT, .range = { TRUE, 10, 0, 1 } };
  HapService *s;

  /* The first service must be AccessoryInformation (iid 1). */
  g_test_expect_message ("hap", G_LOG_LEVEL_CRITICAL, "*");
  g_assert_null (hap_accessory_add_service (a, HAP_SERVICE_LIGHTBULB, 0));
  g_test_assert_expected_messages ();
  s = hap_accessory_add_service (a, HAP_SERVICE_ACCESSORY_INFORMATION, 0);
  g_assert_cmpuint (hap_service_get_iid (s), ==, 1);
  g_test_expect_message ("hap", G_LOG_LEVEL_CRITICAL, "*");
  g_assert_null (hap_db_add_accessory (db, 1)); /* duplicate aid */
  g_test_assert_expected_messages ();
  g_test_expect_message ("hap", G_LOG_LEVEL_CRITICAL, "*");
  g_assert_null (hap_accessory_add_service (a, "not-a-uuid", 0));
  g_test_assert_expected_messages ();
  g_test_expect_message ("hap", G_LOG_LEVEL_CRITICAL, "*");
  g_assert_null (hap_service_add_characteristic (s, &bad_range));
  g_test_assert_expected_messages ();
}

/* A small database whose whole /accessories document is written out by hand. */
static void
test_accessories_json_exact (void)
{
  static const HapCharacteristicDef identify = { HAP_CHAR_IDENTIFY, HAP_FORMAT_BOOL, HAP_PERM_PW };
  static const HapCharacteristicDef name = { HAP_CHAR_NAME, HAP_FORMAT_STRING, HAP_PERM_PR };
  static const HapCharacteristicDef on
      = { HAP_CHAR_ON, HAP_FORMAT_BOOL, HAP_PERM_PR | HAP_PERM_PW | HAP_PERM_EV };
  static const HapCharacteristicDef brightness = { .type = HAP_CHAR_BRIGHTNESS,
    .format = HAP_FORMAT_INT,
    .perms = HAP_PERM_PR | HAP_PERM_PW | HAP_PERM_EV,
    .unit = HAP_UNIT_PERCENTAGE,
    .range = { TRUE, 0, 100, 1 } };
  g_autoptr (HapAccessoryDb) db = hap_db_new ();
  g_autoptr (HapDbSession) session = hap_db_session_new (db, "ctrl", TRUE);
  HapAccessory *a = hap_db_add_accessory (db, 1);
  HapService *info = hap_accessory_add_service (a, HAP_SERVICE_ACCESSORY_INFORMATION, 0);
  HapService *bulb;
  HapCharacteristic *c;
  GBytes *body = NULL;
  g_autofree gchar *text = NULL;

  hap_service_add_characteristic (info, &identify);
  c = hap_service_add_characteristic (info, &name);
  hap_db_set_value_string (db, c, "Lamp \"1\"");
  bulb = hap_accessory_add_service (a, HAP_SERVICE_LIGHTBULB, HAP_SERVICE_FLAG_PRIMARY);
  hap_service_add_linked (bulb, info);
  hap_service_add_characteristic (bulb, &on);
  c = hap_service_add_characteristic (bulb, &brightness);
  hap_db_set_value_int (db, c, 42);

  g_assert_cmpuint (hap_db_handle_get_accessories (db, session, &body), ==, 200);
  text = bytes_to_str (body);
  g_bytes_unref (body);
  g_assert_cmpstr (text, ==,
      "{\"accessories\":[{\"aid\":1,\"services\":["
      "{\"iid\":1,\"type\":\"3E\",\"primary\":false,\"hidden\":false,\"characteristics\":["
      "{\"iid\":2,\"type\":\"14\",\"perms\":[\"pw\"],\"format\":\"bool\"},"
      "{\"iid\":3,\"type\":\"23\",\"perms\":[\"pr\"],\"format\":\"string\","
      "\"value\":\"Lamp \\\"1\\\"\"}]},"
      "{\"iid\":4,\"type\":\"43\",\"primary\":true,\"hidden\":false,\"linked\":[1],"
      "\"characteristics\":["
      "{\"iid\":5,\"type\":\"25\",\"perms\":[\"pr\",\"pw\",\"ev\"],\"format\":\"bool\","
      "\"value\":false,\"ev\":false},"
      "{\"iid\":6,\"type\":\"8\",\"perms\":[\"pr\",\"pw\",\"ev\"],\"format\":\"int\","
      "\"unit\":\"percentage\",\"minValue\":0,\"maxValue\":100,\"minStep\":1,\"value\":42,"
      "\"ev\":false}]}]}]}");
}

static JsonObject *
find_by_iid (JsonArray *array, gint64 iid)
{
  for (guint i = 0; i < json_array_get_length (array); i++) {
    JsonObject *o = json_array_get_object_element (array, i);
    if (json_object_get_int_member (o, "iid") == iid)
      return o;
  }
  g_assert_not_reached ();
  return NULL;
}

static void
test_accessories_json_camera (void)
{
  TestCameraDb t;
  HapDbSession *session;
  GBytes *body = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *acc, *o;
  JsonArray *services, *chars, *perms;
  gsize len;
  const gchar *data;

  test_camera_db_init (&t);
  session = hap_db_session_new (t.db, "ctrl", FALSE);
  g_assert_cmpuint (hap_db_handle_get_accessories (t.db, session, &body), ==, 200);
  data = g_bytes_get_data (body, &len);
  g_assert_true (json_parser_load_from_data (parser, data, (gssize) len, NULL));
  g_bytes_unref (body);

  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                        json_node_get_object (json_parser_get_root (parser)), "accessories")),
      ==, 1);
  acc = json_array_get_object_element (
      json_object_get_array_member (
          json_node_get_object (json_parser_get_root (parser)), "accessories"),
      0);
  g_assert_cmpint (json_object_get_int_member (acc, "aid"), ==, 1);
  services = json_object_get_array_member (acc, "services");
  g_assert_cmpuint (json_array_get_length (services), ==, 10);

  /* Every service: iid, type, primary, hidden, characteristics; every characteristic: iid,
   * type, perms, format; value exactly when readable. */
  for (guint i = 0; i < json_array_get_length (services); i++) {
    JsonObject *s = json_array_get_object_element (services, i);
    g_assert_true (json_object_has_member (s, "iid"));
    g_assert_true (json_object_has_member (s, "type"));
    g_assert_true (json_object_has_member (s, "primary"));
    g_assert_true (json_object_has_member (s, "hidden"));
    chars = json_object_get_array_member (s, "characteristics");
    for (guint j = 0; j < json_array_get_length (chars); j++) {
      JsonObject *c = json_array_get_object_element (chars, j);
      gboolean readable = FALSE;
      perms = json_object_get_array_member (c, "perms");
      for (guint k = 0; k < json_array_get_length (perms); k++)
        if (g_str_equal (json_array_get_string_element (perms, k), "pr"))
          readable = TRUE;
      g_assert_true (json_object_has_member (c, "iid"));
      g_assert_true (json_object_has_member (c, "type"));
      g_assert_true (json_object_has_member (c, "format"));
      g_assert_cmpint (json_object_has_member (c, "value"), ==, readable);
    }
  }

  o = find_by_iid (services, 1);
  g_assert_cmpstr (json_object_get_string_member (o, "type"), ==, "3E");
  o = find_by_iid (services, 10);
  g_assert_cmpstr (json_object_get_string_member (o, "type"), ==, "110");
  g_assert_true (json_object_get_boolean_member (o, "primary"));
  g_assert_false (json_object_has_member (o, "linked"));
  o = find_by_iid (services, 16);
  g_assert_cmpstr (json_object_get_string_member (o, "type"), ==, "204");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "linked")), ==, 1);
  g_assert_cmpint (
      json_array_get_int_element (json_object_get_array_member (o, "linked"), 0), ==, 10);
  o = find_by_iid (json_object_get_array_member (o, "characteristics"), 22);
  g_assert_cmpstr (json_object_get_string_member (o, "type"), ==, "226");
  perms = json_object_get_array_member (o, "perms");
  g_assert_cmpuint (json_array_get_length (perms), ==, 4);
  g_assert_cmpstr (json_array_get_string_element (perms, 3), ==, "tw");

  o = find_by_iid (services, 23);
  chars = json_object_get_array_member (o, "characteristics");
  g_assert_cmpstr (json_object_get_string_member (find_by_iid (chars, 24), "value"), ==,
      "AQMBAQA="); /* 01 03 01 01 00 */
  g_assert_cmpstr (json_object_get_string_member (find_by_iid (chars, 24), "format"), ==, "tlv8");
  g_assert_cmpstr (json_object_get_string_member (find_by_iid (chars, 26), "value"), ==, "1.0");
  perms = json_object_get_array_member (find_by_iid (chars, 25), "perms");
  g_assert_cmpuint (json_array_get_length (perms), ==, 3);
  g_assert_cmpstr (json_array_get_string_element (perms, 2), ==, "wr");

  o = find_by_iid (services, 34);
  g_assert_true (json_object_get_boolean_member (o, "hidden"));
  chars = json_object_get_array_member (o, "characteristics");
  g_assert_cmpfloat (json_object_get_double_member (find_by_iid (chars, 38), "value"), ==, 21.5);
  g_assert_cmpstr (
      json_object_get_string_member (find_by_iid (chars, 37), "description"), ==, "admin only");
  g_assert_cmpuint (json_array_get_length (
                        json_object_get_array_member (find_by_iid (chars, 37), "valid-values")),
      ==, 3);
  g_assert_cmpint (json_object_get_int_member (find_by_iid (chars, 39), "maxDataLen"), ==, 8);
  g_assert_false (json_object_has_member (find_by_iid (chars, 39), "ev"));
  g_assert_false (json_object_get_boolean_member (find_by_iid (chars, 35), "ev"));

  /* A failing read callback leaves the value out. */
  t.read_status = HAP_STATUS_UNABLE_TO_COMMUNICATE;
  g_assert_cmpuint (hap_db_handle_get_accessories (t.db, session, &body), ==, 200);
  {
    g_autofree gchar *text = bytes_to_str (body);
    g_assert_nonnull (strstr (text, "{\"iid\":38,\"type\":\"FF000001-0000-1000-8000-00000000ABCD\","
                                    "\"perms\":[\"pr\",\"ev\"],\"format\":\"float\",\"unit\":"
                                    "\"celsius\",\"minValue\":-40,\"maxValue\":100,\"minStep\":0.5,"
                                    "\"ev\":false}"));
  }
  g_bytes_unref (body);
  hap_db_session_free (session);
  test_camera_db_clear (&t);
}

typedef struct {
  HapDbSession *session;
  gboolean immediate;
} Notified;

static void
on_notify (HapDbSession *session, gboolean immediate, gpointer data)
{
  GArray *log = data;
  Notified n = { session, immediate };
  g_array_append_val (log, n);
}

static void
check_event (HapDbSession *session, const gchar *want)
{
  GBytes *body = hap_db_session_take_event_body (session);
  g_autofree gchar *text = NULL;

  if (want == NULL) {
    g_assert_null (body);
    return;
  }
  g_assert_nonnull (body);
  text = bytes_to_str (body);
  g_bytes_unref (body);
  g_assert_cmpstr (text, ==, want);
}

static void
test_set_value_events (void)
{
  TestCameraDb t;
  HapDbSession *a, *b;
  g_autoptr (GArray) log = g_array_new (FALSE, FALSE, sizeof (Notified));

  test_camera_db_init (&t);
  hap_db_set_clock (t.db, fake_clock, NULL);
  fake_now = 1000 * MS;
  hap_db_set_event_notify (t.db, on_notify, log);
  a = hap_db_session_new (t.db, "A", TRUE);
  b = hap_db_session_new (t.db, "B", FALSE);
  g_assert_cmpstr (hap_db_session_get_controller_id (a), ==, "A");
  g_assert_true (hap_db_session_is_admin (a));
  g_assert_false (hap_db_session_is_admin (b));
  hap_db_session_set_user_data (b, &t);
  g_assert_true (hap_db_session_get_user_data (b) == &t);

  /* Nobody subscribed: the value changes, the owner hears of it, no events. */
  t.n_changes = 0;
  g_assert_true (hap_db_set_value_bool (t.db, t.chars[28], TRUE));
  g_assert_cmpuint (t.n_changes, ==, 1);
  g_assert_null (t.last_change_writer);
  g_assert_cmpuint (log->len, ==, 0);
  check_event (a, NULL);

  /* PUT ev:true from A (through the request handler). */
  {
    static const gchar req[]
        = "{\"characteristics\":[{\"aid\":1,\"iid\":28,\"ev\":true},{\"aid\":1,\"iid\":31,"
          "\"ev\":true},{\"aid\":1,\"iid\":36,\"ev\":true}]}";
    GBytes *body = NULL;
    g_assert_cmpuint (hap_db_handle_put_characteristics (
                          t.db, a, (const guint8 *) req, strlen (req), fake_now, &body),
        ==, 204);
    g_assert_null (body);
  }
  g_assert_true (hap_db_session_is_subscribed (a, t.chars[28]));
  g_assert_false (hap_db_session_is_subscribed (b, t.chars[28]));

  /* Same value again: no change, no event. */
  t.n_changes = 0;
  g_assert_true (hap_db_set_value_bool (t.db, t.chars[28], TRUE));
  g_assert_cmpuint (t.n_changes, ==, 0);
  g_assert_cmpint (hap_db_session_get_event_due_us (a), ==, G_MAXINT64);

  g_assert_true (hap_db_set_value_bool (t.db, t.chars[28], FALSE));
  g_assert_cmpuint (log->len, ==, 1);
  g_assert_true (g_array_index (log, Notified, 0).session == a);
  g_assert_false (g_array_index (log, Notified, 0).immediate);
  g_assert_cmpint (hap_db_session_get_event_due_us (a), ==, fake_now + 250 * MS);
  fake_now += 10 * MS;
  g_assert_true (hap_db_set_value_int (t.db, t.chars[36], 80));
  g_assert_true (hap_db_set_value_bool (t.db, t.chars[28], TRUE)); /* latest wins */
  g_assert_cmpuint (log->len, ==, 1); /* queue was not empty: no new notify */
  check_event (a, "{\"characteristics\":[{\"aid\":1,\"iid\":28,\"value\":true},"
                  "{\"aid\":1,\"iid\":36,\"value\":80}]}");
  check_event (b, NULL);

  /* A doorbell press: immediate, and every press counts even with the same value. */
  g_assert_true (hap_db_set_value_uint (t.db, t.chars[31], 0));
  g_assert_cmpuint (log->len, ==, 2);
  g_assert_true (g_array_index (log, Notified, 1).immediate);
  g_assert_cmpint (hap_db_session_get_event_due_us (a), ==, fake_now);
  g_assert_true (hap_db_set_value_uint (t.db, t.chars[31], 0));
  g_assert_cmpuint (log->len, ==, 3);
  check_event (a, "{\"characteristics\":[{\"aid\":1,\"iid\":31,\"value\":0}]}");

  /* Invalid owner values are refused with a critical and change nothing. */
  g_test_expect_message ("hap", G_LOG_LEVEL_CRITICAL, "*");
  g_assert_false (hap_db_set_value_int (t.db, t.chars[36], 101));
  g_test_assert_expected_messages ();
  g_test_expect_message ("hap", G_LOG_LEVEL_CRITICAL, "*");
  g_assert_false (hap_db_set_value_uint (t.db, t.chars[31], 1)); /* not a valid value */
  g_test_assert_expected_messages ();
  g_test_expect_message ("hap", G_LOG_LEVEL_CRITICAL, "*");
  g_assert_false (hap_db_set_value_string (t.db, t.chars[5], "\xff"));
  g_test_assert_expected_messages ();
  g_test_expect_message ("hap", G_LOG_LEVEL_CRITICAL, "*");
  g_assert_false (hap_db_set_value_bool (t.db, t.chars[36], TRUE)); /* wrong format */
  g_test_assert_expected_messages ();
  g_assert_cmpint (hap_characteristic_get_value (t.chars[36])->v.i, ==, 80);
  check_event (a, NULL);

  hap_db_session_free (b);
  hap_db_session_free (a);
  test_camera_db_clear (&t);
}

static void
test_session_outlives_db (void)
{
  TestCameraDb t;
  HapDbSession *s;

  test_camera_db_init (&t);
  s = hap_db_session_new (t.db, NULL, FALSE);
  test_camera_db_clear (&t);
  g_assert_null (hap_db_session_take_event_body (s));
  hap_db_session_free (s);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/accessory-db/uuid-normalize", test_uuid_normalize);
  g_test_add_func ("/accessory-db/iids", test_iids);
  g_test_add_func ("/accessory-db/misuse", test_misuse);
  g_test_add_func ("/accessory-db/accessories-json-exact", test_accessories_json_exact);
  g_test_add_func ("/accessory-db/accessories-json-camera", test_accessories_json_camera);
  g_test_add_func ("/accessory-db/set-value-events", test_set_value_events);
  g_test_add_func ("/accessory-db/session-outlives-db", test_session_outlives_db);
  return g_test_run ();
}
