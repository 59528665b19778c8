/* Tests of the config number (c#) of hap/server.c and of hap_db_compute_digest()
 * (hap/accessory-db-digest.c).
 *
 * Expected values: PROTOCOL.md section 1 (c# is 1..65535, changes whenever the accessory
 * database changes, wraps from 65535 to 1) and the layout rule of accessory-db.h (the
 * digest covers everything GET /accessories tells a controller except the values): each row of
 * the layout table changes exactly one such property and must change the digest; setting
 * values must not. The servers run on this thread's default context, on 127.0.0.1, port 0.
 */
#include <string.h>

#include <glib/gstdio.h>

#include "hap/server.h"
#include "hap/storage.h"
#include "tests/common/test-light-db.h"
#include "tests/common/test-server-util.h"

static const HapCharacteristicDef motion_def = {
  .type = HAP_CHAR_MOTION_DETECTED, .format = HAP_FORMAT_BOOL, .perms = HAP_PERM_PR | HAP_PERM_EV
};

/* One change of the layout per row (0: none). */
typedef enum {
  LAYOUT_BASE,
  LAYOUT_AID,
  LAYOUT_SERVICE_TYPE,
  LAYOUT_NOT_PRIMARY,
  LAYOUT_HIDDEN,
  LAYOUT_LINKED,
  LAYOUT_CHAR_TYPE,
  LAYOUT_FORMAT,
  LAYOUT_PERMS,
  LAYOUT_UNIT,
  LAYOUT_RANGE_MAX,
  LAYOUT_RANGE_STEP,
  LAYOUT_NO_RANGE,
  LAYOUT_VALID_VALUES,
  LAYOUT_VALID_RANGE,
  LAYOUT_DESCRIPTION,
  LAYOUT_MAX_LEN,
  LAYOUT_EXTRA_CHARACTERISTIC,
  LAYOUT_EXTRA_SERVICE,
  LAYOUT_EXTRA_ACCESSORY,
  LAYOUT_ORDER,
  LAYOUT_N
} Layout;

static const guint64 valid_values[] = { 0, 50, 100 };
static const HapValidRange valid_range[] = { { 0, 100 } };

typedef struct {
  HapCharacteristic *on;
  HapCharacteristic *brightness;
  HapCharacteristic *name;
} Chars;

static void
build_db (HapAccessoryDb *db, Layout layout, Chars *chars)
{
  HapCharacteristicDef name = name_def;
  HapCharacteristicDef brightness = brightness_def;
  HapCharacteristicDef motion = motion_def;
  HapAccessory *acc = hap_db_add_accessory (db, layout == LAYOUT_AID ? 2 : 1);
  HapService *info = hap_accessory_add_service (acc, HAP_SERVICE_ACCESSORY_INFORMATION, 0);
  guint light_flags = layout == LAYOUT_NOT_PRIMARY ? 0 : HAP_SERVICE_FLAG_PRIMARY;
  HapService *light;
  HapService *sensor;
  Chars local;

  if (chars == NULL)
    chars = &local;
  if (layout == LAYOUT_MAX_LEN)
    name.max_len = 32;
  if (layout == LAYOUT_DESCRIPTION)
    name.description = "Name";
  switch (layout) {
    case LAYOUT_FORMAT:
      brightness.format = HAP_FORMAT_UINT8;
      break;
    case LAYOUT_UNIT:
      brightness.unit = NULL;
      break;
    case LAYOUT_RANGE_MAX:
      brightness.range.max = 99;
      break;
    case LAYOUT_RANGE_STEP:
      brightness.range.step = 5;
      break;
    case LAYOUT_NO_RANGE:
      brightness.range.set = FALSE;
      break;
    case LAYOUT_VALID_VALUES:
      brightness.valid_values = valid_values;
      brightness.n_valid_values = G_N_ELEMENTS (valid_values);
      break;
    case LAYOUT_VALID_RANGE:
      brightness.valid_ranges = valid_range;
      brightness.n_valid_ranges = G_N_ELEMENTS (valid_range);
      break;
    case LAYOUT_PERMS:
      motion.perms = HAP_PERM_PR;
      break;
    case LAYOUT_CHAR_TYPE:
      motion.type = HAP_CHAR_STATUS_ACTIVE;
      break;
    default:
      break;
  }
  if (layout == LAYOUT_HIDDEN)
    light_flags |= HAP_SERVICE_FLAG_HIDDEN;

  chars->name = hap_service_add_characteristic (info, &name);
  hap_service_add_characteristic (info, &identify_def);
  light = hap_accessory_add_service (
      acc, layout == LAYOUT_SERVICE_TYPE ? "49" /* Switch */ : HAP_SERVICE_LIGHTBULB, light_flags);
  if (layout == LAYOUT_ORDER) {
    chars->brightness = hap_service_add_characteristic (light, &brightness);
    chars->on = hap_service_add_characteristic (light, &on_def);
  } else {
    chars->on = hap_service_add_characteristic (light, &on_def);
    chars->brightness = hap_service_add_characteristic (light, &brightness);
  }
  if (layout == LAYOUT_EXTRA_CHARACTERISTIC)
    hap_service_add_characteristic (light, &name_def);
  sensor = hap_accessory_add_service (acc, HAP_SERVICE_MOTION_SENSOR, 0);
  hap_service_add_characteristic (sensor, &motion);
  if (layout == LAYOUT_LINKED)
    hap_service_add_linked (light, sensor);
  if (layout == LAYOUT_EXTRA_SERVICE)
    hap_service_add_characteristic (
        hap_accessory_add_service (acc, HAP_SERVICE_MOTION_SENSOR, 0), &motion_def);
  if (layout == LAYOUT_EXTRA_ACCESSORY)
    hap_service_add_characteristic (hap_accessory_add_service (hap_db_add_accessory (db, 7),
                                        HAP_SERVICE_ACCESSORY_INFORMATION, 0),
        &name_def);
}

static gchar *
digest_of (HapAccessoryDb *db)
{
  guint8 digest[HAP_DB_DIGEST_LEN];
  GString *hex = g_string_new (NULL);
  guint i;

  memset (digest, 0, sizeof digest);
  hap_db_compute_digest (db, digest);
  for (i = 0; i < sizeof digest; i++)
    g_string_append_printf (hex, "%02x", digest[i]);
  return g_string_free (hex, FALSE);
}

static gchar *
digest_of_layout (Layout layout)
{
  g_autoptr (HapAccessoryDb) db = hap_db_new ();

  build_db (db, layout, NULL);
  return digest_of (db);
}

static void
test_digest (void)
{
  gchar *digests[LAYOUT_N];
  g_autoptr (HapAccessoryDb) db = hap_db_new ();
  g_autoptr (HapAccessoryDb) empty = hap_db_new ();
  g_autofree gchar *empty_digest = digest_of (empty);
  g_autofree gchar *again = NULL;
  g_autofree gchar *after_values = NULL;
  Chars chars;
  guint i;
  guint j;

  for (i = 0; i < LAYOUT_N; i++)
    digests[i] = digest_of_layout ((Layout) i);
  /* The same calls: the same digest. */
  again = digest_of_layout (LAYOUT_BASE);
  g_assert_cmpstr (again, ==, digests[LAYOUT_BASE]);
  g_assert_cmpstr (empty_digest, !=, digests[LAYOUT_BASE]);
  /* Every change of the layout changes it (and no two rows collide). */
  for (i = 0; i < LAYOUT_N; i++)
    for (j = i + 1; j < LAYOUT_N; j++)
      if (g_strcmp0 (digests[i], digests[j]) == 0)
        g_error ("layouts %u and %u have the same digest", i, j);

  /* Values do not count. */
  build_db (db, LAYOUT_BASE, &chars);
  g_assert_true (hap_db_set_value_bool (db, chars.on, TRUE));
  g_assert_true (hap_db_set_value_int (db, chars.brightness, 42));
  g_assert_true (hap_db_set_value_string (db, chars.name, "Renamed"));
  after_values = digest_of (db);
  g_assert_cmpstr (after_values, ==, digests[LAYOUT_BASE]);
  for (i = 0; i < LAYOUT_N; i++)
    g_free (digests[i]);
}

static void
count_layout (HapAccessoryDb *db, gpointer user_data)
{
  (*(guint *) user_data)++;
}

/* The layout notification: once per definition call, not for values. */
static void
test_layout_notify (void)
{
  g_autoptr (HapAccessoryDb) db = hap_db_new ();
  guint n = 0;
  Chars chars;

  hap_db_set_layout_notify (db, count_layout, &n);
  build_db (db, LAYOUT_LINKED, &chars);
  /* accessory, 3 services, 5 characteristics, 1 link */
  g_assert_cmpuint (n, ==, 10);
  hap_db_set_value_bool (db, chars.on, TRUE);
  g_assert_cmpuint (n, ==, 10);
}

/* ---- servers on the same storage ---- */

static HapServer *
server_new (const char *dir, Layout layout, Chars *chars)
{
  HapServerConfig config;
  HapServer *server;

  hap_server_config_init (&config);
  config.bind_address = "127.0.0.1";
  config.storage_dir = dir;
  server = hap_server_new (&config);
  build_db (hap_server_get_db (server), layout, chars);
  return server;
}

/* A server on `dir` with `layout` is started, its c# returned, and it is stopped. */
static guint
start_config_number (const char *dir, Layout layout)
{
  g_autoptr (HapServer) server = server_new (dir, layout, NULL);
  g_autoptr (GError) error = NULL;

  g_assert_true (hap_server_start (server, &error));
  g_assert_no_error (error);
  hap_server_stop (server);
  return hap_server_get_config_number (server);
}

static void
iterate_default_context (void)
{
  gint64 end = g_get_monotonic_time () + 50 * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
}

static void
test_restarts (void)
{
  g_autofree gchar *dir = g_dir_make_tmp ("test-server-config-XXXXXX", NULL);

  g_assert_nonnull (dir);
  /* Nothing stored: c# 1. The same database: the same c#, however often. */
  g_assert_cmpuint (start_config_number (dir, LAYOUT_BASE), ==, 1);
  g_assert_cmpuint (start_config_number (dir, LAYOUT_BASE), ==, 1);
  g_assert_cmpuint (start_config_number (dir, LAYOUT_BASE), ==, 1);
  /* A changed database: + 1, once. */
  g_assert_cmpuint (start_config_number (dir, LAYOUT_EXTRA_SERVICE), ==, 2);
  g_assert_cmpuint (start_config_number (dir, LAYOUT_EXTRA_SERVICE), ==, 2);
  /* Back to the first layout is a change too. */
  g_assert_cmpuint (start_config_number (dir, LAYOUT_BASE), ==, 3);
  /* A meta change alone. */
  g_assert_cmpuint (start_config_number (dir, LAYOUT_RANGE_MAX), ==, 4);
  g_assert_cmpuint (start_config_number (dir, LAYOUT_RANGE_MAX), ==, 4);
  hap_test_remove_dir (dir);
}

static void
test_values_do_not_bump (void)
{
  g_autofree gchar *dir = g_dir_make_tmp ("test-server-config-XXXXXX", NULL);
  g_autoptr (GError) error = NULL;
  Chars chars;
  HapServer *server = server_new (dir, LAYOUT_BASE, &chars);
  HapAccessoryDb *db = hap_server_get_db (server);

  /* Values set before and after the start. */
  g_assert_true (hap_db_set_value_int (db, chars.brightness, 10));
  g_assert_true (hap_server_start (server, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (hap_server_get_config_number (server), ==, 1);
  g_assert_true (hap_db_set_value_bool (db, chars.on, TRUE));
  g_assert_true (hap_db_set_value_int (db, chars.brightness, 90));
  g_assert_true (hap_db_set_value_string (db, chars.name, "Other"));
  iterate_default_context ();
  g_assert_cmpuint (hap_server_get_config_number (server), ==, 1);
  g_object_unref (server);

  server = server_new (dir, LAYOUT_BASE, &chars);
  db = hap_server_get_db (server);
  g_assert_true (hap_db_set_value_int (db, chars.brightness, 77));
  g_assert_true (hap_server_start (server, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (hap_server_get_config_number (server), ==, 1);
  g_object_unref (server);
  hap_test_remove_dir (dir);
}

/* The owner extends the database of a running server: one bump for the series of calls, and
 * the next start with that database keeps the number. Stop, extend, start: bumped by the
 * start. */
static void
test_extended_while_running (void)
{
  g_autofree gchar *dir = g_dir_make_tmp ("test-server-config-XXXXXX", NULL);
  g_autoptr (GError) error = NULL;
  HapServer *server = server_new (dir, LAYOUT_BASE, NULL);
  HapAccessoryDb *db = hap_server_get_db (server);
  HapAccessory *acc = hap_db_get_accessory (db, 1);
  HapService *extra;

  g_assert_true (hap_server_start (server, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (hap_server_get_config_number (server), ==, 1);
  /* The same calls as LAYOUT_EXTRA_SERVICE: a service and its characteristic. */
  extra = hap_accessory_add_service (acc, HAP_SERVICE_MOTION_SENSOR, 0);
  hap_service_add_characteristic (extra, &motion_def);
  g_assert_cmpuint (hap_server_get_config_number (server), ==, 1); /* from the context */
  iterate_default_context ();
  g_assert_cmpuint (hap_server_get_config_number (server), ==, 2);
  iterate_default_context ();
  g_assert_cmpuint (hap_server_get_config_number (server), ==, 2);

  /* Stopped, extended, started again (the storage stays open). */
  hap_server_stop (server);
  hap_service_add_characteristic (extra, &name_def);
  iterate_default_context ();
  g_assert_cmpuint (hap_server_get_config_number (server), ==, 2);
  g_assert_true (hap_server_start (server, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (hap_server_get_config_number (server), ==, 3);
  g_object_unref (server);

  /* Persisted with the layout it is for. */
  g_assert_cmpuint (start_config_number (dir, LAYOUT_EXTRA_SERVICE), ==, 4);
  g_assert_cmpuint (start_config_number (dir, LAYOUT_EXTRA_SERVICE), ==, 4);
  hap_test_remove_dir (dir);
}

/* hap_server_bump_config_number() bumps unconditionally, persists, and does not make the next
 * start with the same database bump again. */
static void
test_explicit_bump (void)
{
  g_autofree gchar *dir = g_dir_make_tmp ("test-server-config-XXXXXX", NULL);
  g_autoptr (GError) error = NULL;
  HapServer *server = server_new (dir, LAYOUT_BASE, NULL);

  g_assert_true (hap_server_start (server, &error));
  g_assert_no_error (error);
  hap_server_bump_config_number (server);
  g_assert_cmpuint (hap_server_get_config_number (server), ==, 2);
  g_object_unref (server);
  g_assert_cmpuint (start_config_number (dir, LAYOUT_BASE), ==, 2);
  hap_test_remove_dir (dir);
}

static void
store_config (const char *dir, const char *text)
{
  g_autoptr (GError) error = NULL;
  HapStorage *storage = hap_storage_open (dir, &error);
  g_autoptr (GBytes) value = g_bytes_new (text, strlen (text));

  g_assert_no_error (error);
  g_assert_true (hap_storage_set (storage, "config", value, &error));
  g_assert_no_error (error);
  hap_storage_free (storage);
}

/* Stored configs: 65535 wraps to 1; a c# stored without the layout it is for is bumped (the
 * database may have changed); a c# outside 1..65535 starts again at 1. */
static void
test_stored_config (void)
{
  g_autofree gchar *dir = g_dir_make_tmp ("test-server-config-XXXXXX", NULL);

  store_config (dir, "[server]\nconfig-number=65535\nsetup-code=031-45-154\nsetup-id=ABCD\n"
                     "db-digest=00\n");
  g_assert_cmpuint (start_config_number (dir, LAYOUT_BASE), ==, 1);
  g_assert_cmpuint (start_config_number (dir, LAYOUT_BASE), ==, 1);
  g_assert_cmpuint (start_config_number (dir, LAYOUT_HIDDEN), ==, 2);

  store_config (dir, "[server]\nconfig-number=7\nsetup-code=031-45-154\nsetup-id=ABCD\n");
  g_assert_cmpuint (start_config_number (dir, LAYOUT_BASE), ==, 8);
  g_assert_cmpuint (start_config_number (dir, LAYOUT_BASE), ==, 8);

  store_config (dir, "[server]\nconfig-number=70000\nsetup-code=031-45-154\nsetup-id=ABCD\n");
  g_assert_cmpuint (start_config_number (dir, LAYOUT_BASE), ==, 2);
  g_assert_cmpuint (start_config_number (dir, LAYOUT_BASE), ==, 2);
  hap_test_remove_dir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/server-config/digest", test_digest);
  g_test_add_func ("/server-config/layout-notify", test_layout_notify);
  g_test_add_func ("/server-config/restarts", test_restarts);
  g_test_add_func ("/server-config/values-do-not-bump", test_values_do_not_bump);
  g_test_add_func ("/server-config/extended-while-running", test_extended_while_running);
  g_test_add_func ("/server-config/explicit-bump", test_explicit_bump);
  g_test_add_func ("/server-config/stored-config", test_stored_config);
  return g_test_run ();
}
