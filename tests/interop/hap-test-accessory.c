/* hap-test-accessory: a small HAP accessory on libhap for interop tests (hap-controller.test.js)
 * and for trying controllers by hand.
 *
 *   hap-test-accessory --storage DIR [--setup-code XXX-XX-XXX] [--port N] [--bind ADDR|any]
 *                      [--toggle-ms N] [--idle-timeout-ms N] [--name NAME]
 *                      [--advertise | --advertise-loopback]
 *
 * Database (aid 1; iids in order of definition):
 *   1 AccessoryInformation: 2 Identify, 3 Manufacturer, 4 Model, 5 Name, 6 SerialNumber,
 *     7 FirmwareRevision
 *   8 Lightbulb (primary): 9 On (bool), 10 Brightness (int 0-100 step 1, %),
 *     11 ConfiguredName (string, writable)
 *   12 StatelessProgrammableSwitch: 13 ProgrammableSwitchEvent (uint8 0-2, events at once)
 *
 * Output on stdout, one line each, flushed: `PORT <n>` once listening, then `ID <device id>` and
 * `CONFIG <c#>`; `SETUP <code> <payload>` while unpaired, `PAIRED 0|1` on changes,
 * `WRITE <iid> <json>` for every accepted write, `IDENTIFY`. The QR code goes to stderr.
 * Commands on stdin, one per line: `on 0|1`, `brightness N`, `name TEXT`, `press N`, `quit`.
 * With --toggle-ms N the On value flips every N ms. Binds 127.0.0.1 unless --bind says otherwise
 * (`any`: every IPv4 and IPv6 address). Advertises over mDNS (Avahi) only when asked: on every
 * interface with --advertise (what an iPhone on the same network needs; the README's run command
 * uses it), on the loopback interface alone with --advertise-loopback (tests).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>

#include "hap/server.h"
#include "tests/common/test-light-db.h"
#include "tests/common/test-util.h"

#define HAP_SERVICE_STATELESS_PROGRAMMABLE_SWITCH "89"

static const guint64 switch_values[] = { 0, 1, 2 };
static const HapCharacteristicDef switch_event_def = {
  .type = HAP_CHAR_PROGRAMMABLE_SWITCH_EVENT,
  .format = HAP_FORMAT_UINT8,
  .perms = HAP_PERM_PR | HAP_PERM_EV,
  .flags = HAP_CHAR_FLAG_IMMEDIATE,
  .range = { TRUE, 0, 2, 1 },
  .valid_values = switch_values,
  .n_valid_values = G_N_ELEMENTS (switch_values),
};

typedef struct {
  HapServer *server;
  HapAccessoryDb *db;
  HapCharacteristic *on;
  HapCharacteristic *brightness;
  HapCharacteristic *name;
  HapCharacteristic *button;
  GMainLoop *loop;
} App;

static void
on_setup_info (HapServer *server, const char *code, const char *payload, const char *qr, App *app)
{
  hap_test_say ("SETUP %s %s", code, payload != NULL ? payload : "-");
  if (qr != NULL)
    fprintf (stderr, "%s\n", qr);
}

static void
on_paired_changed (HapServer *server, gboolean paired, App *app)
{
  hap_test_say ("PAIRED %d", paired ? 1 : 0);
}

static void
on_identify (HapServer *server, App *app)
{
  hap_test_say ("IDENTIFY");
}

static void
on_change (HapCharacteristic *characteristic, const HapValue *value, HapDbSession *writer,
    gpointer user_data)
{
  if (writer == NULL)
    return;
  switch (value->format) {
    case HAP_FORMAT_BOOL:
      hap_test_say ("WRITE %" G_GUINT64_FORMAT " %s", hap_characteristic_get_iid (characteristic),
          value->v.b ? "true" : "false");
      break;
    case HAP_FORMAT_INT:
      hap_test_say ("WRITE %" G_GUINT64_FORMAT " %" G_GINT64_FORMAT,
          hap_characteristic_get_iid (characteristic), value->v.i);
      break;
    case HAP_FORMAT_STRING:
      hap_test_say ("WRITE %" G_GUINT64_FORMAT " %.*s", hap_characteristic_get_iid (characteristic),
          (int) g_bytes_get_size (value->bytes),
          (const char *) g_bytes_get_data (value->bytes, NULL));
      break;
    default:
      hap_test_say ("WRITE %" G_GUINT64_FORMAT, hap_characteristic_get_iid (characteristic));
  }
}

static void
build_db (App *app)
{
  HapAccessory *acc = hap_db_add_accessory (app->db, 1);
  HapService *info = hap_accessory_add_service (acc, HAP_SERVICE_ACCESSORY_INFORMATION, 0);
  HapService *light
      = hap_accessory_add_service (acc, HAP_SERVICE_LIGHTBULB, HAP_SERVICE_FLAG_PRIMARY);
  HapService *button;

  hap_service_add_characteristic (info, &identify_def);
  hap_db_set_value_string (
      app->db, hap_service_add_characteristic (info, &manufacturer_def), "hksv");
  hap_db_set_value_string (
      app->db, hap_service_add_characteristic (info, &model_def), "test-accessory");
  hap_db_set_value_string (app->db, hap_service_add_characteristic (info, &name_def), "Test Light");
  hap_db_set_value_string (app->db, hap_service_add_characteristic (info, &serial_def), "0001");
  hap_db_set_value_string (app->db, hap_service_add_characteristic (info, &firmware_def), "1.0.0");
  app->on = hap_service_add_characteristic (light, &on_def);
  app->brightness = hap_service_add_characteristic (light, &brightness_def);
  app->name = hap_service_add_characteristic (light, &configured_name_def);
  hap_db_set_value_bool (app->db, app->on, FALSE);
  hap_db_set_value_int (app->db, app->brightness, 50);
  hap_db_set_value_string (app->db, app->name, "Light");
  button = hap_accessory_add_service (acc, HAP_SERVICE_STATELESS_PROGRAMMABLE_SWITCH, 0);
  app->button = hap_service_add_characteristic (button, &switch_event_def);
  hap_db_set_value_uint (app->db, app->button, 0);
  hap_db_set_change_notify (app->db, on_change, app);
}

static gboolean
on_toggle (gpointer user_data)
{
  App *app = user_data;
  const HapValue *value = hap_characteristic_get_value (app->on);

  hap_db_set_value_bool (app->db, app->on, !value->v.b);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_stdin (GIOChannel *channel, GIOCondition condition, gpointer user_data)
{
  App *app = user_data;
  g_autofree gchar *line = NULL;
  gboolean ok = TRUE;
  GIOStatus status = g_io_channel_read_line (channel, &line, NULL, NULL, NULL);

  if (status == G_IO_STATUS_AGAIN)
    return G_SOURCE_CONTINUE;
  if (status != G_IO_STATUS_NORMAL || line == NULL) {
    g_main_loop_quit (app->loop);
    return G_SOURCE_REMOVE;
  }
  g_strstrip (line);
  if (g_str_has_prefix (line, "on "))
    ok = hap_db_set_value_bool (app->db, app->on, atoi (line + 3) != 0);
  else if (g_str_has_prefix (line, "brightness "))
    ok = hap_db_set_value_int (app->db, app->brightness, atoi (line + 11));
  else if (g_str_has_prefix (line, "name "))
    ok = hap_db_set_value_string (app->db, app->name, line + 5);
  else if (g_str_has_prefix (line, "press "))
    ok = hap_db_set_value_uint (app->db, app->button, (guint64) atoi (line + 6));
  else if (g_str_equal (line, "quit")) {
    g_main_loop_quit (app->loop);
    return G_SOURCE_REMOVE;
  } else if (line[0] != '\0')
    ok = FALSE;
  if (ok)
    hap_test_say ("OK %s", line);
  else
    hap_test_say ("ERROR %s", line);
  return G_SOURCE_CONTINUE;
}

int
main (int argc, char **argv)
{
  g_autofree gchar *storage = NULL;
  g_autofree gchar *setup_code = NULL;
  g_autofree gchar *bind = NULL;
  gint port = 0;
  gint toggle_ms = 0;
  gint idle_timeout_ms = 0;
  gboolean advertise = FALSE, advertise_loopback = FALSE;
  gint max_connections = 0;
  g_autofree gchar *name = NULL;
  GOptionEntry entries[] = {
    { "storage", 0, 0, G_OPTION_ARG_FILENAME, &storage, "Storage directory (required)", "DIR" },
    { "setup-code", 0, 0, G_OPTION_ARG_STRING, &setup_code, "Setup code", "XXX-XX-XXX" },
    { "port", 0, 0, G_OPTION_ARG_INT, &port, "TCP port (0: any free one)", "N" },
    { "bind", 0, 0, G_OPTION_ARG_STRING, &bind, "Address to bind (127.0.0.1)", "ADDR" },
    { "toggle-ms", 0, 0, G_OPTION_ARG_INT, &toggle_ms, "Flip On every N ms", "N" },
    { "idle-timeout-ms", 0, 0, G_OPTION_ARG_INT, &idle_timeout_ms, "Idle timeout", "N" },
    { "max-connections", 0, 0, G_OPTION_ARG_INT, &max_connections,
        "Maximum connections (0: the server's default, 16)", "N" },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, "mDNS name (hksv test accessory)", "NAME" },
    { "advertise", 0, 0, G_OPTION_ARG_NONE, &advertise, "Advertise over mDNS on every interface",
        NULL },
    { "advertise-loopback", 0, 0, G_OPTION_ARG_NONE, &advertise_loopback,
        "Advertise over mDNS on the loopback interface only", NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) options = g_option_context_new ("- HAP test accessory");
  g_autoptr (GError) error = NULL;
  GIOChannel *in;
  HapServerConfig config;
  App app = { 0 };

  g_option_context_add_main_entries (options, entries, NULL);
  if (!g_option_context_parse (options, &argc, &argv, &error) || storage == NULL || port < 0
      || port > 65535 || toggle_ms < 0 || idle_timeout_ms < 0) {
    fprintf (stderr, "%s\n", error != NULL ? error->message : "--storage DIR is required");
    return 2;
  }
  hap_server_config_init (&config);
  if (bind == NULL)
    config.bind_address = "127.0.0.1";
  else if (g_str_equal (bind, "any"))
    config.bind_address = NULL;
  else
    config.bind_address = bind;
  config.port = (guint16) port;
  config.storage_dir = storage;
  config.setup_code = setup_code;
  config.idle_timeout_ms = (guint) idle_timeout_ms;
  if (max_connections > 0)
    config.max_connections = (guint) max_connections;
  config.name = name != NULL ? name : "hksv test accessory";
  config.advertise = advertise || advertise_loopback;
  config.mdns_loopback_only = advertise_loopback;
  config.category = 5; /* lightbulb */
  app.loop = g_main_loop_new (NULL, FALSE);
  app.server = hap_server_new (&config);
  app.db = hap_server_get_db (app.server);
  build_db (&app);
  g_signal_connect (app.server, "setup-info", G_CALLBACK (on_setup_info), &app);
  g_signal_connect (app.server, "paired-changed", G_CALLBACK (on_paired_changed), &app);
  g_signal_connect (app.server, "identify", G_CALLBACK (on_identify), &app);
  if (!hap_server_start (app.server, &error)) {
    fprintf (stderr, "cannot start: %s\n", error->message);
    return 1;
  }
  hap_test_say ("PORT %u", hap_server_get_port (app.server));
  hap_test_say ("ID %s", hap_server_get_device_id (app.server));
  hap_test_say ("CONFIG %u", hap_server_get_config_number (app.server));
  if (toggle_ms > 0)
    g_timeout_add ((guint) toggle_ms, on_toggle, &app);
  in = g_io_channel_unix_new (0);
  g_io_add_watch (in, G_IO_IN | G_IO_HUP | G_IO_ERR, on_stdin, &app);
  g_main_loop_run (app.loop);
  hap_server_stop (app.server);
  g_io_channel_unref (in);
  g_object_unref (app.server);
  g_main_loop_unref (app.loop);
  return 0;
}
