/* Unit tests for hap/characteristics-request.c: GET /characteristics (every flag, every item
 * error), PUT /characteristics (values, ev, write responses, statuses, 204/207), timed writes
 * with PUT /prepare, events caused by writes, and an invalid-input table of bodies and
 * queries. Status codes: PROTOCOL.md section 1; the order of the checks and the timed-write
 * rules follow HomeKitADK's HAPIPAccessoryServer.c (HAP spec section 6.7.2.4). */
#include <string.h>

#include "hap/accessory-db.h"
#include "tests/common/test-camera-db.h"

#define MS (G_TIME_SPAN_MILLISECOND)

typedef struct {
  TestCameraDb t;
  HapDbSession *admin;
  HapDbSession *user;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  test_camera_db_init (&f->t);
  f->admin = hap_db_session_new (f->t.db, "admin", TRUE);
  f->user = hap_db_session_new (f->t.db, "user", FALSE);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  hap_db_session_free (f->admin);
  hap_db_session_free (f->user);
  test_camera_db_clear (&f->t);
}

static gchar *
take_text (GBytes *body)
{
  gsize len = 0;
  const gchar *d;
  gchar *s;

  if (body == NULL)
    return NULL;
  d = g_bytes_get_data (body, &len);
  s = g_strndup (d, len);
  g_bytes_unref (body);
  return s;
}

static void
check_get (
    Fixture *f, HapDbSession *s, const gchar *query, guint want_status, const gchar *want_body)
{
  GBytes *body = NULL;
  guint status = hap_db_handle_get_characteristics (f->t.db, s, query, &body);
  g_autofree gchar *text = take_text (body);

  g_test_message ("GET ?%s -> %u %s", query, status, text);
  g_assert_cmpuint (status, ==, want_status);
  g_assert_cmpstr (text, ==, want_body);
}

static void
check_put (Fixture *f, HapDbSession *s, const gchar *json, gint64 now, guint want_status,
    const gchar *want_body)
{
  GBytes *body = NULL;
  guint status = hap_db_handle_put_characteristics (
      f->t.db, s, (const guint8 *) json, strlen (json), now, &body);
  g_autofree gchar *text = take_text (body);
  /* Bodies may hold invalid UTF-8 on purpose: escape them for the TAP log. */
  g_autofree gchar *shown = g_strescape (json, NULL);

  g_test_message ("PUT %s -> %u %s", shown, status, text);
  g_assert_cmpuint (status, ==, want_status);
  g_assert_cmpstr (text, ==, want_body);
}

static void
check_prepare (Fixture *f, HapDbSession *s, const gchar *json, gint64 now, guint want_status)
{
  GBytes *body = NULL;
  guint status
      = hap_db_handle_prepare (f->t.db, s, (const guint8 *) json, strlen (json), now, &body);
  g_autofree gchar *text = take_text (body);

  g_assert_cmpuint (status, ==, want_status);
  g_assert_cmpstr (text, ==, want_status == 200 ? "{\"status\":0}" : "{\"status\":-70410}");
}

#define BAD "{\"status\":-70410}"

static void
test_get (Fixture *f, gconstpointer data)
{
  check_get (f, f->user, "id=1.5", 200,
      "{\"characteristics\":[{\"aid\":1,\"iid\":5,\"value\":\"Camera\"}]}");
  check_get (f, f->user, "id=1.5,1.36,1.24,1.38", 200,
      "{\"characteristics\":[{\"aid\":1,\"iid\":5,\"value\":\"Camera\"},"
      "{\"aid\":1,\"iid\":36,\"value\":0},{\"aid\":1,\"iid\":24,\"value\":\"AQMBAQA=\"},"
      "{\"aid\":1,\"iid\":38,\"value\":21.5}]}");
  /* Every flag. */
  check_get (f, f->user, "id=1.36&meta=1&perms=1&type=1&ev=1", 200,
      "{\"characteristics\":[{\"aid\":1,\"iid\":36,\"value\":0,\"format\":\"int\","
      "\"unit\":\"percentage\",\"minValue\":0,\"maxValue\":100,\"minStep\":1,"
      "\"perms\":[\"pr\",\"pw\",\"ev\"],\"type\":\"8\",\"ev\":false}]}");
  check_get (f, f->user, "id=1.11&meta=true", 200,
      "{\"characteristics\":[{\"aid\":1,\"iid\":11,\"value\":0,\"format\":\"uint8\","
      "\"minValue\":0,\"maxValue\":1,\"minStep\":1,\"valid-values\":[0,1]}]}");
  check_get (f, f->user, "id=1.36&meta=0&perms=false&type=0&ev=0", 200,
      "{\"characteristics\":[{\"aid\":1,\"iid\":36,\"value\":0}]}");
  check_get (f, f->user, "ev=1&id=1.28", 200,
      "{\"characteristics\":[{\"aid\":1,\"iid\":28,\"value\":false,\"ev\":false}]}");
  /* Percent-encoded comma. */
  check_get (f, f->user, "id=1.5%2C1.35", 200,
      "{\"characteristics\":[{\"aid\":1,\"iid\":5,\"value\":\"Camera\"},"
      "{\"aid\":1,\"iid\":35,\"value\":false}]}");

  /* Item errors: 207 with a status in every item. */
  check_get (f, f->user, "id=1.5,1.2,1.99,2.5,1.1", 207,
      "{\"characteristics\":[{\"aid\":1,\"iid\":5,\"status\":0,\"value\":\"Camera\"},"
      "{\"aid\":1,\"iid\":2,\"status\":-70405},{\"aid\":1,\"iid\":99,\"status\":-70409},"
      "{\"aid\":2,\"iid\":5,\"status\":-70409},{\"aid\":1,\"iid\":1,\"status\":-70409}]}");
  check_get (f, f->user, "id=1.39", 207,
      "{\"characteristics\":[{\"aid\":1,\"iid\":39,\"status\":-70405}]}");
  f->t.read_status = HAP_STATUS_BUSY;
  check_get (f, f->user, "id=1.38,1.35", 207,
      "{\"characteristics\":[{\"aid\":1,\"iid\":38,\"status\":-70403},"
      "{\"aid\":1,\"iid\":35,\"status\":0,\"value\":false}]}");
}

static void
test_get_invalid (Fixture *f, gconstpointer data)
{
  static const gchar *queries[] = {
    "",
    "meta=1",
    "id=",
    "id=1",
    "id=1.",
    "id=.1",
    "id=1.2,",
    "id=,1.2",
    "id=1.2,,1.3",
    "id=a.b",
    "id=1.2.3",
    "id=-1.2",
    "id=1.-2",
    "id=+1.2",
    "id=1.+2",
    "id= 1.2",
    "id=1.2 ",
    "id=1.18446744073709551616",
    "id=18446744073709551616.1",
    "id=0x1.2",
    "id=1.2&meta=2",
    "id=1.2&ev=yes",
    "id=1.2&perms=",
    "id=1.2&type=TRUE",
    "id=1.2%",
    "id=1.2%zz",
    "id=1.2%00",
  };

  for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
    check_get (f, f->user, queries[i], 400, BAD);
  /* Largest ids parse and are simply unknown. */
  check_get (f, f->user, "id=18446744073709551615.18446744073709551615", 207,
      "{\"characteristics\":[{\"aid\":18446744073709551615,\"iid\":18446744073709551615,"
      "\"status\":-70409}]}");
  check_get (f, f->user, "id=01.05", 200,
      "{\"characteristics\":[{\"aid\":1,\"iid\":5,\"value\":\"Camera\"}]}");
}

static void
test_put_values (Fixture *f, gconstpointer data)
{
  /* All ok: 204, no body; the owner's write callback ran with the writer's session. */
  check_put (f, f->user,
      "{\"characteristics\":[{\"aid\":1,\"iid\":35,\"value\":true},"
      "{\"aid\":1,\"iid\":36,\"value\":55}]}",
      0, 204, NULL);
  g_assert_cmpuint (f->t.n_writes, ==, 2);
  g_assert_true (f->t.last_writer == f->user);
  g_assert_true (f->t.last_change_writer == f->user);
  g_assert_true (hap_characteristic_get_value (f->t.chars[35])->v.b);
  g_assert_cmpint (hap_characteristic_get_value (f->t.chars[36])->v.i, ==, 55);
  check_get (
      f, f->user, "id=1.36", 200, "{\"characteristics\":[{\"aid\":1,\"iid\":36,\"value\":55}]}");
  /* Bools as 0/1, identify (write-only bool). */
  check_put (f, f->user,
      "{\"characteristics\":[{\"aid\":1,\"iid\":35,\"value\":0},"
      "{\"aid\":1,\"iid\":2,\"value\":true}]}",
      0, 204, NULL);
  g_assert_false (hap_characteristic_get_value (f->t.chars[35])->v.b);
  /* Write-only data. */
  check_put (f, f->user, "{\"characteristics\":[{\"aid\":1,\"iid\":39,\"value\":\"AAECAw==\"}]}", 0,
      204, NULL);

  /* Per-item statuses. */
  check_put (f, f->user,
      "{\"characteristics\":["
      "{\"aid\":1,\"iid\":36,\"value\":101},"   /* out of range */
      "{\"aid\":1,\"iid\":5,\"value\":\"x\"},"  /* read-only */
      "{\"aid\":1,\"iid\":99,\"value\":1},"     /* unknown */
      "{\"aid\":1,\"iid\":35},"                 /* neither value nor ev */
      "{\"aid\":1,\"iid\":35,\"value\":null},"  /* null counts as absent */
      "{\"aid\":1,\"iid\":35,\"value\":\"1\"}," /* wrong JSON type */
      "{\"aid\":1,\"iid\":37,\"value\":1},"     /* admin only */
      "{\"aid\":1,\"iid\":14,\"value\":true},"  /* timed write required */
      "{\"aid\":1,\"iid\":36,\"value\":10}]}",
      0, 207,
      "{\"characteristics\":[{\"aid\":1,\"iid\":36,\"status\":-70410},"
      "{\"aid\":1,\"iid\":5,\"status\":-70404},{\"aid\":1,\"iid\":99,\"status\":-70409},"
      "{\"aid\":1,\"iid\":35,\"status\":-70410},{\"aid\":1,\"iid\":35,\"status\":-70410},"
      "{\"aid\":1,\"iid\":35,\"status\":-70410},{\"aid\":1,\"iid\":37,\"status\":-70401},"
      "{\"aid\":1,\"iid\":14,\"status\":-70410},{\"aid\":1,\"iid\":36,\"status\":0}]}");
  g_assert_cmpint (hap_characteristic_get_value (f->t.chars[36])->v.i, ==, 10);

  /* An admin may write the admin-only characteristic; valid values still apply. */
  check_put (
      f, f->admin, "{\"characteristics\":[{\"aid\":1,\"iid\":37,\"value\":3}]}", 0, 204, NULL);
  check_put (f, f->admin, "{\"characteristics\":[{\"aid\":1,\"iid\":37,\"value\":2}]}", 0, 207,
      "{\"characteristics\":[{\"aid\":1,\"iid\":37,\"status\":-70410}]}");

  /* The owner refuses: its status is reported and the value is not stored. */
  f->t.write_status = HAP_STATUS_NOT_ALLOWED_IN_CURRENT_STATE;
  check_put (f, f->user, "{\"characteristics\":[{\"aid\":1,\"iid\":36,\"value\":20}]}", 0, 207,
      "{\"characteristics\":[{\"aid\":1,\"iid\":36,\"status\":-70412}]}");
  g_assert_cmpint (hap_characteristic_get_value (f->t.chars[36])->v.i, ==, 10);
}

static void
test_put_write_response (Fixture *f, gconstpointer data)
{
  /* A real hub's SetupDataStreamTransport write (PROTOCOL.md section 2):
   * 01 01 00 02 01 00 03 20 <32 bytes>, here with 32 bytes of 0xAA. */
  static const gchar setup_b64[] = "AQEAAgEAAyCqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqg==";
  g_autofree gchar *req = g_strdup_printf (
      "{\"characteristics\":[{\"aid\":1,\"iid\":25,\"value\":\"%s\",\"r\":true}]}", setup_b64);
  g_autofree gchar *plain = g_strdup_printf (
      "{\"characteristics\":[{\"aid\":1,\"iid\":25,\"value\":\"%s\"}]}", setup_b64);
  /* 01 01 00 | 02 04 01 02 34 12 | 03 20 00 01 .. 1f */
  static const gchar response[] = "AQEAAgQBAjQSAyAAAQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHw==";
  g_autofree gchar *want = g_strdup_printf (
      "{\"characteristics\":[{\"aid\":1,\"iid\":25,\"status\":0,\"value\":\"%s\"}]}", response);
  g_autofree gchar *want_read = g_strdup_printf (
      "{\"characteristics\":[{\"aid\":1,\"iid\":25,\"value\":\"%s\"}]}", response);

  check_put (f, f->user, req, 0, 207, want);
  /* The response became the stored value. */
  check_get (f, f->user, "id=1.25", 200, want_read);
  /* Without "r": 204 and no value. */
  check_put (f, f->user, plain, 0, 204, NULL);
  /* "r" on a characteristic without "wr": -70405 (HomeKitADK). */
  check_put (f, f->user, "{\"characteristics\":[{\"aid\":1,\"iid\":36,\"value\":1,\"r\":true}]}", 0,
      207, "{\"characteristics\":[{\"aid\":1,\"iid\":36,\"status\":-70405}]}");
  /* "r": false and "r": 0 are no request. */
  check_put (f, f->user, "{\"characteristics\":[{\"aid\":1,\"iid\":36,\"value\":1,\"r\":false}]}",
      0, 204, NULL);
  check_put (f, f->user, "{\"characteristics\":[{\"aid\":1,\"iid\":36,\"value\":1,\"r\":0}]}", 0,
      204, NULL);
  check_put (f, f->user, "{\"characteristics\":[{\"aid\":1,\"iid\":36,\"value\":1,\"r\":\"x\"}]}",
      0, 207, "{\"characteristics\":[{\"aid\":1,\"iid\":36,\"status\":-70410}]}");
  /* The owner refuses the setup: no response value. */
  f->t.write_status = HAP_STATUS_BUSY;
  check_put (
      f, f->user, req, 0, 207, "{\"characteristics\":[{\"aid\":1,\"iid\":25,\"status\":-70403}]}");
}

static void
test_put_ev (Fixture *f, gconstpointer data)
{
  check_put (f, f->user,
      "{\"characteristics\":[{\"aid\":1,\"iid\":28,\"ev\":true},{\"aid\":1,\"iid\":36,\"ev\":1},"
      "{\"aid\":1,\"iid\":5,\"ev\":true},{\"aid\":1,\"iid\":2,\"ev\":false},"
      "{\"aid\":1,\"iid\":77,\"ev\":true},{\"aid\":1,\"iid\":35,\"ev\":\"yes\"}]}",
      0, 207,
      "{\"characteristics\":[{\"aid\":1,\"iid\":28,\"status\":0},{\"aid\":1,\"iid\":36,\"status\":"
      "0},"
      "{\"aid\":1,\"iid\":5,\"status\":-70406},{\"aid\":1,\"iid\":2,\"status\":-70406},"
      "{\"aid\":1,\"iid\":77,\"status\":-70409},{\"aid\":1,\"iid\":35,\"status\":-70410}]}");
  check_get (f, f->user, "id=1.28,1.36,1.35&ev=1", 200,
      "{\"characteristics\":[{\"aid\":1,\"iid\":28,\"value\":false,\"ev\":true},"
      "{\"aid\":1,\"iid\":36,\"value\":0,\"ev\":true},"
      "{\"aid\":1,\"iid\":35,\"value\":false,\"ev\":false}]}");
  check_get (f, f->admin, "id=1.28&ev=1", 200,
      "{\"characteristics\":[{\"aid\":1,\"iid\":28,\"value\":false,\"ev\":false}]}");

  /* Both sessions subscribe to Brightness; a write by one is an event for the other only. */
  check_put (
      f, f->admin, "{\"characteristics\":[{\"aid\":1,\"iid\":36,\"ev\":true}]}", 0, 204, NULL);
  check_put (f, f->admin, "{\"characteristics\":[{\"aid\":1,\"iid\":36,\"value\":30,\"ev\":true}]}",
      5 * MS, 204, NULL);
  g_assert_null (hap_db_session_take_event_body (f->admin));
  g_assert_cmpint (hap_db_session_get_event_due_us (f->user), ==, 255 * MS);
  {
    g_autofree gchar *ev = take_text (hap_db_session_take_event_body (f->user));
    g_assert_cmpstr (ev, ==, "{\"characteristics\":[{\"aid\":1,\"iid\":36,\"value\":30}]}");
  }
  /* Writing the same value again changes nothing: no event. */
  check_put (f, f->admin, "{\"characteristics\":[{\"aid\":1,\"iid\":36,\"value\":30}]}", 6 * MS,
      204, NULL);
  g_assert_null (hap_db_session_take_event_body (f->user));
  /* Unsubscribe. */
  check_put (
      f, f->user, "{\"characteristics\":[{\"aid\":1,\"iid\":36,\"ev\":false}]}", 0, 204, NULL);
  check_put (f, f->admin, "{\"characteristics\":[{\"aid\":1,\"iid\":36,\"value\":31}]}", 7 * MS,
      204, NULL);
  g_assert_null (hap_db_session_take_event_body (f->user));
  /* A failing ev leaves the value unwritten. */
  check_put (f, f->user, "{\"characteristics\":[{\"aid\":1,\"iid\":2,\"value\":true,\"ev\":true}]}",
      0, 207, "{\"characteristics\":[{\"aid\":1,\"iid\":2,\"status\":-70406}]}");
}

static void
test_timed_write (Fixture *f, gconstpointer data)
{
  const gint64 t0 = 10 * G_TIME_SPAN_SECOND;

  /* Plain write to a tw characteristic: -70410. */
  check_put (f, f->user, "{\"characteristics\":[{\"aid\":1,\"iid\":14,\"value\":true}]}", t0, 207,
      "{\"characteristics\":[{\"aid\":1,\"iid\":14,\"status\":-70410}]}");
  /* pid without prepare: every item -70410. */
  check_put (f, f->user,
      "{\"characteristics\":[{\"aid\":1,\"iid\":14,\"value\":true},"
      "{\"aid\":1,\"iid\":36,\"value\":5}],\"pid\":42}",
      t0, 207,
      "{\"characteristics\":[{\"aid\":1,\"iid\":14,\"status\":-70410},"
      "{\"aid\":1,\"iid\":36,\"status\":-70410}]}");
  g_assert_cmpint (hap_characteristic_get_value (f->t.chars[36])->v.i, ==, 0);

  /* Prepare, then write within the ttl. */
  check_prepare (f, f->user, "{\"ttl\":2500,\"pid\":42}", t0, 200);
  check_put (f, f->user,
      "{\"characteristics\":[{\"aid\":1,\"iid\":14,\"value\":true},"
      "{\"aid\":1,\"iid\":36,\"value\":5}],\"pid\":42}",
      t0 + 2500 * MS, 204, NULL);
  g_assert_true (hap_characteristic_get_value (f->t.chars[14])->v.b);
  /* The transaction is over: the same pid again fails. */
  check_put (f, f->user,
      "{\"characteristics\":[{\"aid\":1,\"iid\":14,\"value\":false}],\"pid\":42}", t0 + 2600 * MS,
      207, "{\"characteristics\":[{\"aid\":1,\"iid\":14,\"status\":-70410}]}");

  /* Expired ttl. */
  check_prepare (f, f->user, "{\"ttl\":100,\"pid\":7}", t0, 200);
  check_put (f, f->user, "{\"characteristics\":[{\"aid\":1,\"iid\":14,\"value\":false}],\"pid\":7}",
      t0 + 101 * MS, 207, "{\"characteristics\":[{\"aid\":1,\"iid\":14,\"status\":-70410}]}");
  g_assert_true (hap_characteristic_get_value (f->t.chars[14])->v.b);

  /* Wrong pid; a second prepare replaces the first. */
  check_prepare (f, f->user, "{\"ttl\":1000,\"pid\":8}", t0, 200);
  check_prepare (f, f->user, "{\"ttl\":1000,\"pid\":9}", t0, 200);
  check_put (f, f->user, "{\"characteristics\":[{\"aid\":1,\"iid\":14,\"value\":false}],\"pid\":8}",
      t0, 207, "{\"characteristics\":[{\"aid\":1,\"iid\":14,\"status\":-70410}]}");
  /* The prepare belongs to its session. */
  check_prepare (f, f->user, "{\"ttl\":1000,\"pid\":9}", t0, 200);
  check_put (f, f->admin,
      "{\"characteristics\":[{\"aid\":1,\"iid\":14,\"value\":false}],\"pid\":9}", t0, 207,
      "{\"characteristics\":[{\"aid\":1,\"iid\":14,\"status\":-70410}]}");
  check_put (f, f->user, "{\"characteristics\":[{\"aid\":1,\"iid\":14,\"value\":false}],\"pid\":9}",
      t0, 204, NULL);
  g_assert_false (hap_characteristic_get_value (f->t.chars[14])->v.b);

  /* A huge ttl does not overflow. */
  check_prepare (f, f->user, "{\"ttl\":9223372036854775807,\"pid\":1}", t0, 200);
  check_put (f, f->user, "{\"characteristics\":[{\"aid\":1,\"iid\":22,\"value\":1}],\"pid\":1}",
      G_MAXINT64, 204, NULL);

  /* Invalid prepare bodies. */
  {
    static const gchar *bad[] = { "", "{}", "{\"ttl\":100}", "{\"pid\":1}",
      "{\"ttl\":-1,\"pid\":1}", "{\"ttl\":1,\"pid\":-1}", "{\"ttl\":1.5,\"pid\":1}",
      "{\"ttl\":\"1\",\"pid\":1}", "{\"ttl\":1,\"pid\":true}", "[]", "{\"ttl\":1,\"pid\":1",
      "{\"ttl\":18446744073709551617,\"pid\":1}" };
    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      check_prepare (f, f->user, bad[i], t0, 400);
  }
}

static void
test_put_invalid (Fixture *f, gconstpointer data)
{
  static const gchar *bodies[] = {
    "",
    " ",
    "null",
    "[]",
    "1",
    "\"characteristics\"",
    "{}",
    "{\"characteristics\":[]}",
    "{\"characteristics\":{}}",
    "{\"characteristics\":null}",
    "{\"characteristics\":[1]}",
    "{\"characteristics\":[[]]}",
    "{\"characteristics\":[{}]}",
    "{\"characteristics\":[{\"aid\":1}]}",
    "{\"characteristics\":[{\"iid\":1}]}",
    "{\"characteristics\":[{\"aid\":\"1\",\"iid\":2,\"value\":1}]}",
    "{\"characteristics\":[{\"aid\":1,\"iid\":2.5,\"value\":1}]}",
    "{\"characteristics\":[{\"aid\":-1,\"iid\":2,\"value\":1}]}",
    "{\"characteristics\":[{\"aid\":1,\"iid\":true,\"value\":1}]}",
    "{\"characteristics\":[{\"aid\":1,\"iid\":36,\"value\":1},2]}",
    "{\"characteristics\":[{\"aid\":1,\"iid\":36,\"value\":1}],\"pid\":-1}",
    "{\"characteristics\":[{\"aid\":1,\"iid\":36,\"value\":1}],\"pid\":\"1\"}",
    "{\"characteristics\":[{\"aid\":1,\"iid\":36,\"value\":1}]",
    "{\"characteristics\":[{\"aid\":1,\"iid\":36,\"value\":1},]}",
    "{\"characteristics\":[{\"aid\":1,\"iid\":36,\"value\":NaN}]}",
    "{\"characteristics\":[{\"aid\":1,\"iid\":36,\"value\":Infinity}]}",
    "{\"characteristics\":[{\"aid\":1,\"iid\":5,\"value\":\"\xff\"}]}",
    "{\"characteristics\":[{\"aid\":1,\"iid\":5,\"value\":[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]}]}",
    "{\"characteristics\":[{\"aid\":18446744073709551617,\"iid\":36,\"value\":1}]}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    check_put (f, f->user, bodies[i], 0, 400, BAD);
  /* An embedded NUL (strlen would stop before it). */
  {
    static const gchar nul[] = "{\"characteristics\":[{\"aid\":1,\"iid\":35,\"value\":true}]}\0 ";
    GBytes *body = NULL;
    g_assert_cmpuint (hap_db_handle_put_characteristics (
                          f->t.db, f->user, (const guint8 *) nul, sizeof nul - 1, 0, &body),
        ==, 400);
    g_bytes_unref (body);
  }
  /* Nothing was written by any of them. */
  g_assert_cmpuint (f->t.n_writes, ==, 0);
  /* Deep nesting is refused before json-glib sees it (it would recurse without limit). */
  {
    GString *deep = g_string_new ("{\"characteristics\":[{\"aid\":1,\"iid\":5,\"value\":");
    GBytes *body = NULL;
    for (guint i = 0; i < 100000; i++)
      g_string_append_c (deep, '[');
    g_assert_cmpuint (hap_db_handle_put_characteristics (
                          f->t.db, f->user, (const guint8 *) deep->str, deep->len, 0, &body),
        ==, 400);
    g_bytes_unref (body);
    g_string_free (deep, TRUE);
  }
  /* Nesting within the limit, unknown members, and "[" inside strings are fine. */
  check_put (f, f->user,
      "{\"x\":[[[[]]]],\"characteristics\":[{\"aid\":1,\"iid\":5,\"value\":[[1]],"
      "\"remote\":true,\"note\":\"[[[[[[[[[[[[[[[[[[[[\"}]}",
      0, 207, "{\"characteristics\":[{\"aid\":1,\"iid\":5,\"status\":-70404}]}");
  /* A huge value is an invalid value, not a wrapped one. */
  check_put (f, f->user,
      "{\"characteristics\":[{\"aid\":1,\"iid\":36,\"value\":18446744073709551617}]}", 0, 207,
      "{\"characteristics\":[{\"aid\":1,\"iid\":36,\"status\":-70410}]}");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(name, fn) \
  g_test_add ("/characteristics-request/" name, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("get", test_get);
  ADD ("get-invalid", test_get_invalid);
  ADD ("put-values", test_put_values);
  ADD ("put-write-response", test_put_write_response);
  ADD ("put-ev", test_put_ev);
  ADD ("timed-write", test_timed_write);
  ADD ("put-invalid", test_put_invalid);
  return g_test_run ();
}
