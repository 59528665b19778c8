/* hksv-hub: common options, output, state and connections. See tools/hub-common.h. */
#include "tools/hub-common.h"

#include <stdio.h>
#include <string.h>

#include "hap/characteristic-value.h"
#include "hap/hap-uuids.h"
#include "hap/pairing-tlv.h"

GOptionEntry *
hub_common_option_entries (HubContext *ctx)
{
  GOptionEntry entries[] = {
    { "state-dir", 0, 0, G_OPTION_ARG_FILENAME, &ctx->state_dir,
        "Where the controller identities and pairings live (default $XDG_STATE_HOME/hksv-hub)",
        "DIR" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &ctx->json, "Print a machine-readable JSON report", NULL },
    { "io-timeout", 0, 0, G_OPTION_ARG_INT, &ctx->timeout_s,
        "Longest wait for any answer of the accessory (default 10)", "S" },
    { "accessory", 0, 0, G_OPTION_ARG_STRING, &ctx->accessory,
        "The paired accessory to use when several are (its pairing id)", "ID" },
    { "address", 0, 0, G_OPTION_ARG_STRING, &ctx->address,
        "Connect here instead of the stored address (and store it)", "HOST:PORT" },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &ctx->verbose, "Protocol details on stderr", NULL },
    { NULL },
  };
  return g_memdup2 (entries, sizeof entries);
}

GOptionGroup *
hub_common_options (HubContext *ctx)
{
  g_autofree GOptionEntry *entries = hub_common_option_entries (ctx);
  GOptionGroup *group
      = g_option_group_new ("common", "Options of every subcommand:", "Common options", NULL, NULL);

  g_option_group_add_entries (group, entries);
  return group;
}

void
hub_context_init (HubContext *ctx, const gchar *name)
{
  memset (ctx, 0, sizeof *ctx);
  ctx->name = name;
  ctx->timeout_s = 10;
  ctx->report = json_object_new ();
  json_object_set_string_member (ctx->report, "command", name);
  g_mutex_init (&ctx->print_lock);
}

void
hub_context_clear (HubContext *ctx)
{
  g_free (ctx->state_dir);
  g_free (ctx->accessory);
  g_free (ctx->address);
  g_clear_pointer (&ctx->report, json_object_unref);
  g_mutex_clear (&ctx->print_lock);
}

guint
hub_timeout_ms (const HubContext *ctx)
{
  return (guint) MAX (ctx->timeout_s, 1) * 1000;
}

static void
vprint (HubContext *ctx, FILE *stream, const gchar *prefix, const gchar *format, va_list args)
{
  g_autofree gchar *text = g_strdup_vprintf (format, args);

  g_mutex_lock (&ctx->print_lock);
  fprintf (stream, "%s%s\n", prefix, text);
  fflush (stream);
  g_mutex_unlock (&ctx->print_lock);
}

void
hub_print (HubContext *ctx, const gchar *format, ...)
{
  va_list args;

  if (ctx->json)
    return;
  va_start (args, format);
  vprint (ctx, stdout, "", format, args);
  va_end (args);
}

void
hub_note (HubContext *ctx, const gchar *format, ...)
{
  va_list args;

  if (ctx->json && !ctx->verbose)
    return;
  va_start (args, format);
  vprint (ctx, stderr, "", format, args);
  va_end (args);
}

void
hub_error (HubContext *ctx, const gchar *format, ...)
{
  va_list args;
  g_autofree gchar *text = NULL;
  g_autofree gchar *prefix = g_strdup_printf ("hksv-hub %s: ", ctx->name);

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_mutex_lock (&ctx->print_lock);
  fprintf (stderr, "%s%s\n", prefix, text);
  fflush (stderr);
  if (!json_object_has_member (ctx->report, "error"))
    json_object_set_string_member (ctx->report, "error", text);
  g_mutex_unlock (&ctx->print_lock);
}

int
hub_finish (HubContext *ctx, int status)
{
  json_object_set_int_member (ctx->report, "exit_status", status);
  if (ctx->json) {
    g_autoptr (JsonGenerator) gen = json_generator_new ();
    g_autoptr (JsonNode) root = json_node_new (JSON_NODE_OBJECT);
    g_autofree gchar *text = NULL;

    json_node_set_object (root, ctx->report);
    json_generator_set_root (gen, root);
    json_generator_set_pretty (gen, TRUE);
    text = json_generator_to_data (gen, NULL);
    g_mutex_lock (&ctx->print_lock);
    fprintf (stdout, "%s\n", text);
    fflush (stdout);
    g_mutex_unlock (&ctx->print_lock);
  }
  return status;
}

int
hub_exit_for_error (const GError *error)
{
  if (error == NULL)
    return HUB_EXIT_ERROR;
  if (error->domain == HAP_PAIRING_ERROR
      || g_error_matches (error, HAP_CLIENT_ERROR, HAP_CLIENT_ERROR_STATUS))
    return HUB_EXIT_CHECK_FAILED;
  return HUB_EXIT_ERROR;
}

HapControllerStore *
hub_open_store (HubContext *ctx, GError **error)
{
  if (ctx->state_dir == NULL)
    ctx->state_dir = g_build_filename (g_get_user_state_dir (), "hksv-hub", NULL);
  json_object_set_string_member (ctx->report, "state_dir", ctx->state_dir);
  return hap_controller_store_open (ctx->state_dir, error);
}

HapClient *
hub_connect (HubContext *ctx, const HapAccessoryRecord *record,
    const HapControllerIdentity *identity, GError **error)
{
  g_autoptr (HapClient) client = NULL;
  HapControllerPairing pairing;
  gboolean ok;

  client = hap_client_connect (record->host, record->port, hub_timeout_ms (ctx), error);
  if (client == NULL)
    return NULL;
  hap_accessory_record_to_pairing (record, identity, &pairing);
  ok = hap_client_pair_verify (client, &pairing, error);
  hap_controller_pairing_clear (&pairing);
  if (!ok)
    return NULL;
  return g_steal_pointer (&client);
}

HapClient *
hub_connect_default (
    HubContext *ctx, HapControllerStore *store, HapAccessoryRecord *record, GError **error)
{
  HapControllerIdentity identity;
  HapClient *client;

  if (!hap_controller_store_find (store, ctx->accessory, record, error))
    return NULL;
  if (ctx->address != NULL) {
    g_autofree gchar *host = NULL;
    guint16 port;

    if (!hap_client_parse_address (ctx->address, &host, &port, error))
      return NULL;
    g_strlcpy (record->host, host, sizeof record->host);
    record->port = port;
  }
  if (!hap_controller_store_get_identity (store, 0, FALSE, &identity, error)) {
    if (error != NULL && *error == NULL)
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no controller identity in %s",
          hap_controller_store_get_dir (store));
    return NULL;
  }
  json_object_set_string_member (ctx->report, "accessory", record->accessory_id);
  client = hub_connect (ctx, record, &identity, error);
  hap_controller_identity_clear (&identity);
  if (client != NULL && ctx->address != NULL)
    hap_controller_store_save (store, record, NULL);
  return client;
}

int
hub_open_accessory (HubContext *ctx, HapControllerStore **store, HapAccessoryRecord *record,
    HapClient **client, HapRemoteDb **db)
{
  g_autoptr (GError) error = NULL;

  *store = hub_open_store (ctx, &error);
  if (*store == NULL) {
    hub_error (ctx, "state directory: %s", error->message);
    return HUB_EXIT_ERROR;
  }
  *client = hub_connect_default (ctx, *store, record, &error);
  if (*client == NULL
      || (db != NULL && (*db = hap_client_get_accessories (*client, &error)) == NULL)) {
    hub_error (ctx, "%s", error->message);
    return hub_exit_for_error (error);
  }
  return HUB_EXIT_OK;
}

static void
add_if_missing (guint64 aid, const HapRemoteCharacteristic *ch, gpointer ids)
{
  HapRemoteId id = { aid, ch->iid };

  if ((ch->perms & HAP_PERM_PR) && ch->value == NULL)
    g_array_append_val ((GArray *) ids, id);
}

GArray *
hub_read_missing_values (HapClient *client, const HapRemoteDb *db, GError **error)
{
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (HapRemoteId));

  hap_remote_db_foreach_characteristic (db, add_if_missing, ids);
  if (ids->len == 0)
    return NULL;
  return hap_client_read (client, (HapRemoteId *) ids->data, ids->len, error);
}

static const struct {
  const gchar *type;
  const gchar *name;
} type_names[] = {
  { HAP_SERVICE_ACCESSORY_INFORMATION, "AccessoryInformation" },
  { HAP_SERVICE_MOTION_SENSOR, "MotionSensor" },
  { HAP_SERVICE_PROTOCOL_INFORMATION, "ProtocolInformation" },
  { HAP_SERVICE_CAMERA_RTP_STREAM_MANAGEMENT, "CameraRTPStreamManagement" },
  { HAP_SERVICE_MICROPHONE, "Microphone" },
  { HAP_SERVICE_SPEAKER, "Speaker" },
  { HAP_SERVICE_DOORBELL, "Doorbell" },
  { HAP_SERVICE_DATA_STREAM_MANAGEMENT, "DataStreamManagement" },
  { HAP_SERVICE_CAMERA_EVENT_RECORDING_MANAGEMENT, "CameraEventRecordingManagement" },
  { HAP_SERVICE_CAMERA_OPERATING_MODE, "CameraOperatingMode" },
  { HAP_CHAR_IDENTIFY, "Identify" },
  { HAP_CHAR_MANUFACTURER, "Manufacturer" },
  { HAP_CHAR_MODEL, "Model" },
  { HAP_CHAR_NAME, "Name" },
  { HAP_CHAR_SERIAL_NUMBER, "SerialNumber" },
  { HAP_CHAR_VERSION, "Version" },
  { HAP_CHAR_FIRMWARE_REVISION, "FirmwareRevision" },
  { HAP_CHAR_HARDWARE_REVISION, "HardwareRevision" },
  { HAP_CHAR_ACCESSORY_FLAGS, "AccessoryFlags" },
  { HAP_CHAR_ACTIVE, "Active" },
  { HAP_CHAR_CONFIGURED_NAME, "ConfiguredName" },
  { HAP_CHAR_MOTION_DETECTED, "MotionDetected" },
  { HAP_CHAR_PROGRAMMABLE_SWITCH_EVENT, "ProgrammableSwitchEvent" },
  { HAP_CHAR_STATUS_ACTIVE, "StatusActive" },
  { HAP_CHAR_STATUS_FAULT, "StatusFault" },
  { HAP_CHAR_STATUS_TAMPERED, "StatusTampered" },
  { HAP_CHAR_MUTE, "Mute" },
  { HAP_CHAR_VOLUME, "Volume" },
  { HAP_CHAR_SUPPORTED_VIDEO_STREAM_CONFIGURATION, "SupportedVideoStreamConfiguration" },
  { HAP_CHAR_SUPPORTED_AUDIO_STREAM_CONFIGURATION, "SupportedAudioStreamConfiguration" },
  { HAP_CHAR_SUPPORTED_RTP_CONFIGURATION, "SupportedRTPConfiguration" },
  { HAP_CHAR_SELECTED_RTP_STREAM_CONFIGURATION, "SelectedRTPStreamConfiguration" },
  { HAP_CHAR_SETUP_ENDPOINTS, "SetupEndpoints" },
  { HAP_CHAR_STREAMING_STATUS, "StreamingStatus" },
  { HAP_CHAR_SUPPORTED_DATA_STREAM_TRANSPORT_CONFIGURATION,
      "SupportedDataStreamTransportConfiguration" },
  { HAP_CHAR_SETUP_DATA_STREAM_TRANSPORT, "SetupDataStreamTransport" },
  { HAP_CHAR_SUPPORTED_CAMERA_RECORDING_CONFIGURATION, "SupportedCameraRecordingConfiguration" },
  { HAP_CHAR_SUPPORTED_VIDEO_RECORDING_CONFIGURATION, "SupportedVideoRecordingConfiguration" },
  { HAP_CHAR_SUPPORTED_AUDIO_RECORDING_CONFIGURATION, "SupportedAudioRecordingConfiguration" },
  { HAP_CHAR_SELECTED_CAMERA_RECORDING_CONFIGURATION, "SelectedCameraRecordingConfiguration" },
  { HAP_CHAR_RECORDING_AUDIO_ACTIVE, "RecordingAudioActive" },
  { HAP_CHAR_NIGHT_VISION, "NightVision" },
  { HAP_CHAR_HOMEKIT_CAMERA_ACTIVE, "HomeKitCameraActive" },
  { HAP_CHAR_THIRD_PARTY_CAMERA_ACTIVE, "ThirdPartyCameraActive" },
  { HAP_CHAR_CAMERA_OPERATING_MODE_INDICATOR, "CameraOperatingModeIndicator" },
  { HAP_CHAR_EVENT_SNAPSHOTS_ACTIVE, "EventSnapshotsActive" },
  { HAP_CHAR_DIAGONAL_FIELD_OF_VIEW, "DiagonalFieldOfView" },
  { HAP_CHAR_PERIODIC_SNAPSHOTS_ACTIVE, "PeriodicSnapshotsActive" },
  { HAP_CHAR_MANUALLY_DISABLED, "ManuallyDisabled" },
};

const gchar *
hub_type_name (const gchar *type)
{
  for (guint i = 0; i < G_N_ELEMENTS (type_names); i++)
    if (g_str_equal (type_names[i].type, type))
      return type_names[i].name;
  return type;
}

gchar *
hub_now_text (void)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  return g_date_time_format (now, "%H:%M:%S.%f");
}
