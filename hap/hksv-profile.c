/* The HKSV camera profile and the hub's choice of a selection. See hap/hksv-profile.h. */
#include "hap/hksv-profile.h"

#include <string.h>

#include "hap/characteristic-value.h"
#include "hap/datastream-tlv.h"
#include "hap/hap-uuids.h"

#define PR HAP_PERM_PR
#define PW HAP_PERM_PW
#define EV HAP_PERM_EV
#define WR HAP_PERM_WR

/* Where in HapHksvCamera a characteristic's iid goes (0: nowhere). */
typedef enum {
  SLOT_NONE,
  SLOT_RTP_ACTIVE,
  SLOT_HOMEKIT_CAMERA_ACTIVE,
  SLOT_EVENT_SNAPSHOTS,
  SLOT_PERIODIC_SNAPSHOTS,
  SLOT_RECORDING_ACTIVE,
  SLOT_RECORDING_AUDIO_ACTIVE,
  SLOT_SUPPORTED_RECORDING,
  SLOT_SUPPORTED_VIDEO,
  SLOT_SUPPORTED_AUDIO,
  SLOT_SELECTED,
  SLOT_SUPPORTED_TRANSPORT,
  SLOT_SETUP_TRANSPORT,
  SLOT_MOTION_DETECTED,
  SLOT_MOTION_STATUS_ACTIVE,
  SLOT_DOORBELL_EVENT,
} Slot;

typedef struct {
  const gchar *name;
  const gchar *type;
  const gchar *formats; /* accepted formats, '|'-separated */
  guint perms;          /* needed (more are fine) */
  gboolean required;
  Slot slot;
} CharSpec;

typedef struct {
  const gchar *name;
  const gchar *type;
  gboolean required;
  gboolean repeated; /* every instance is checked (RTP stream management) */
  const CharSpec *chars;
  guint n_chars;
} ServiceSpec;

/* HAP-NodeJS declares the operating-mode switches uint8 (valid values 0/1), the spec bool. */
static const CharSpec rtp_chars[] = {
  { "Active", HAP_CHAR_ACTIVE, "uint8", PR | PW | EV, TRUE, SLOT_RTP_ACTIVE },
  { "StreamingStatus", HAP_CHAR_STREAMING_STATUS, "tlv8", PR | EV, TRUE, SLOT_NONE },
  { "SupportedVideoStreamConfiguration", HAP_CHAR_SUPPORTED_VIDEO_STREAM_CONFIGURATION, "tlv8", PR,
      TRUE, SLOT_NONE },
  { "SupportedAudioStreamConfiguration", HAP_CHAR_SUPPORTED_AUDIO_STREAM_CONFIGURATION, "tlv8", PR,
      TRUE, SLOT_NONE },
  { "SupportedRTPConfiguration", HAP_CHAR_SUPPORTED_RTP_CONFIGURATION, "tlv8", PR, TRUE,
      SLOT_NONE },
  { "SelectedRTPStreamConfiguration", HAP_CHAR_SELECTED_RTP_STREAM_CONFIGURATION, "tlv8", PR | PW,
      TRUE, SLOT_NONE },
  { "SetupEndpoints", HAP_CHAR_SETUP_ENDPOINTS, "tlv8", PR | PW, TRUE, SLOT_NONE },
};

static const CharSpec operating_mode_chars[] = {
  { "EventSnapshotsActive", HAP_CHAR_EVENT_SNAPSHOTS_ACTIVE, "bool|uint8", PR | PW | EV, TRUE,
      SLOT_EVENT_SNAPSHOTS },
  { "HomeKitCameraActive", HAP_CHAR_HOMEKIT_CAMERA_ACTIVE, "bool|uint8", PR | PW | EV, TRUE,
      SLOT_HOMEKIT_CAMERA_ACTIVE },
  { "PeriodicSnapshotsActive", HAP_CHAR_PERIODIC_SNAPSHOTS_ACTIVE, "bool|uint8", PR | PW | EV, TRUE,
      SLOT_PERIODIC_SNAPSHOTS },
  { "ManuallyDisabled", HAP_CHAR_MANUALLY_DISABLED, "bool|uint8", PR | EV, FALSE, SLOT_NONE },
  { "NightVision", HAP_CHAR_NIGHT_VISION, "bool", PR | PW | EV, FALSE, SLOT_NONE },
  { "ThirdPartyCameraActive", HAP_CHAR_THIRD_PARTY_CAMERA_ACTIVE, "bool|uint8", PR | EV, FALSE,
      SLOT_NONE },
  { "CameraOperatingModeIndicator", HAP_CHAR_CAMERA_OPERATING_MODE_INDICATOR, "bool|uint8",
      PR | PW | EV, FALSE, SLOT_NONE },
  { "DiagonalFieldOfView", HAP_CHAR_DIAGONAL_FIELD_OF_VIEW, "float", PR | EV, FALSE, SLOT_NONE },
};

static const CharSpec recording_chars[] = {
  { "Active", HAP_CHAR_ACTIVE, "uint8", PR | PW | EV, TRUE, SLOT_RECORDING_ACTIVE },
  { "SupportedCameraRecordingConfiguration", HAP_CHAR_SUPPORTED_CAMERA_RECORDING_CONFIGURATION,
      "tlv8", PR | EV, TRUE, SLOT_SUPPORTED_RECORDING },
  { "SupportedVideoRecordingConfiguration", HAP_CHAR_SUPPORTED_VIDEO_RECORDING_CONFIGURATION,
      "tlv8", PR | EV, TRUE, SLOT_SUPPORTED_VIDEO },
  { "SupportedAudioRecordingConfiguration", HAP_CHAR_SUPPORTED_AUDIO_RECORDING_CONFIGURATION,
      "tlv8", PR | EV, TRUE, SLOT_SUPPORTED_AUDIO },
  { "SelectedCameraRecordingConfiguration", HAP_CHAR_SELECTED_CAMERA_RECORDING_CONFIGURATION,
      "tlv8", PR | PW | EV, TRUE, SLOT_SELECTED },
  { "RecordingAudioActive", HAP_CHAR_RECORDING_AUDIO_ACTIVE, "uint8|bool", PR | PW | EV, TRUE,
      SLOT_RECORDING_AUDIO_ACTIVE },
};

static const CharSpec data_stream_chars[] = {
  { "SupportedDataStreamTransportConfiguration",
      HAP_CHAR_SUPPORTED_DATA_STREAM_TRANSPORT_CONFIGURATION, "tlv8", PR, TRUE,
      SLOT_SUPPORTED_TRANSPORT },
  { "SetupDataStreamTransport", HAP_CHAR_SETUP_DATA_STREAM_TRANSPORT, "tlv8", PR | PW | WR, TRUE,
      SLOT_SETUP_TRANSPORT },
  { "Version", HAP_CHAR_VERSION, "string", PR, TRUE, SLOT_NONE },
};

static const CharSpec motion_chars[] = {
  { "MotionDetected", HAP_CHAR_MOTION_DETECTED, "bool", PR | EV, TRUE, SLOT_MOTION_DETECTED },
  { "StatusActive", HAP_CHAR_STATUS_ACTIVE, "bool", PR | EV, TRUE, SLOT_MOTION_STATUS_ACTIVE },
};

static const CharSpec doorbell_chars[] = {
  { "ProgrammableSwitchEvent", HAP_CHAR_PROGRAMMABLE_SWITCH_EVENT, "uint8", PR | EV, TRUE,
      SLOT_DOORBELL_EVENT },
};

static const CharSpec microphone_chars[] = {
  { "Mute", HAP_CHAR_MUTE, "bool", PR | PW | EV, TRUE, SLOT_NONE },
};

static const ServiceSpec services[] = {
  { "CameraRTPStreamManagement", HAP_SERVICE_CAMERA_RTP_STREAM_MANAGEMENT, TRUE, TRUE, rtp_chars,
      G_N_ELEMENTS (rtp_chars) },
  { "CameraOperatingMode", HAP_SERVICE_CAMERA_OPERATING_MODE, TRUE, FALSE, operating_mode_chars,
      G_N_ELEMENTS (operating_mode_chars) },
  { "CameraEventRecordingManagement", HAP_SERVICE_CAMERA_EVENT_RECORDING_MANAGEMENT, TRUE, FALSE,
      recording_chars, G_N_ELEMENTS (recording_chars) },
  { "DataStreamManagement", HAP_SERVICE_DATA_STREAM_MANAGEMENT, TRUE, FALSE, data_stream_chars,
      G_N_ELEMENTS (data_stream_chars) },
  { "MotionSensor", HAP_SERVICE_MOTION_SENSOR, TRUE, FALSE, motion_chars,
      G_N_ELEMENTS (motion_chars) },
  { "Doorbell", HAP_SERVICE_DOORBELL, FALSE, FALSE, doorbell_chars, G_N_ELEMENTS (doorbell_chars) },
  { "Microphone", HAP_SERVICE_MICROPHONE, FALSE, FALSE, microphone_chars,
      G_N_ELEMENTS (microphone_chars) },
};

/* ---- report ---- */

static void
check_free (HapHksvCheck *check)
{
  g_free (check->item);
  g_free (check->type);
  g_free (check->detail);
  g_free (check);
}

void
hap_hksv_report_free (HapHksvReport *report)
{
  if (report == NULL)
    return;
  g_ptr_array_unref (report->checks);
  g_free (report);
}

const gchar *
hap_hksv_check_status_to_string (HapHksvCheckStatus status)
{
  switch (status) {
    case HAP_HKSV_CHECK_PRESENT:
      return "present";
    case HAP_HKSV_CHECK_MISSING:
      return "missing";
    case HAP_HKSV_CHECK_WRONG:
      return "wrong";
    case HAP_HKSV_CHECK_ABSENT:
      return "absent";
    case HAP_HKSV_CHECK_WARNING:
      return "warning";
    default:
      return "unknown";
  }
}

static void add_check (HapHksvReport *report, const gchar *item, const gchar *type, guint64 iid,
    HapHksvCheckStatus status, const gchar *format, ...) G_GNUC_PRINTF (6, 7);

static void
add_check (HapHksvReport *report, const gchar *item, const gchar *type, guint64 iid,
    HapHksvCheckStatus status, const gchar *format, ...)
{
  HapHksvCheck *check = g_new0 (HapHksvCheck, 1);
  va_list args;

  check->item = g_strdup (item);
  check->type = g_strdup (type);
  check->iid = iid;
  check->status = status;
  va_start (args, format);
  check->detail = g_strdup_vprintf (format, args);
  va_end (args);
  if (status == HAP_HKSV_CHECK_MISSING || status == HAP_HKSV_CHECK_WRONG)
    report->n_failed++;
  else if (status == HAP_HKSV_CHECK_WARNING)
    report->n_warnings++;
  g_ptr_array_add (report->checks, check);
}

/* ---- descriptions ---- */

static const gchar *
triggers_text (guint64 triggers, GString *out)
{
  gboolean any = FALSE;

  if (triggers & HAP_CAMERA_EVENT_TRIGGER_MOTION) {
    g_string_append (out, "motion");
    any = TRUE;
  }
  if (triggers & HAP_CAMERA_EVENT_TRIGGER_DOORBELL) {
    g_string_append_printf (out, "%sdoorbell", any ? "+" : "");
    any = TRUE;
  }
  if (triggers & ~(guint64) 3)
    g_string_append_printf (
        out, "%s0x%" G_GINT64_MODIFIER "x", any ? "+" : "", triggers & ~(guint64) 3);
  else if (!any)
    g_string_append (out, "none");
  return out->str;
}

static const gchar *
profile_name (guint profile)
{
  static const gchar *names[] = { "Baseline", "Main", "High" };
  return profile < G_N_ELEMENTS (names) ? names[profile] : "?";
}

static const gchar *
level_name (guint level)
{
  static const gchar *names[] = { "3.1", "3.2", "4" };
  return level < G_N_ELEMENTS (names) ? names[level] : "?";
}

static const gchar *
video_codec_name (guint codec)
{
  return codec == HAP_CAMERA_VIDEO_CODEC_H264   ? "H.264"
         : codec == HAP_CAMERA_VIDEO_CODEC_H265 ? "H.265"
                                                : "?";
}

static const gchar *
audio_codec_name (guint codec)
{
  return codec == HAP_CAMERA_AUDIO_CODEC_AAC_LC    ? "AAC-LC"
         : codec == HAP_CAMERA_AUDIO_CODEC_AAC_ELD ? "AAC-ELD"
                                                   : "?";
}

static void
append_rate (GString *out, guint rate)
{
  guint hz = hap_camera_audio_sample_rate_to_hz ((HapCameraAudioSampleRate) rate);
  if (hz % 1000 == 0)
    g_string_append_printf (out, "%u kHz", hz / 1000);
  else
    g_string_append_printf (out, "%.1f kHz", hz / 1000.0);
}

gchar *
hap_hksv_describe_recording (const HapCameraRecordingConfig *cfg)
{
  GString *out = g_string_new (NULL);
  g_autoptr (GString) triggers = g_string_new (NULL);

  g_return_val_if_fail (cfg != NULL, NULL);

  g_string_append_printf (out, "prebuffer %u ms, triggers %s", cfg->prebuffer_ms,
      triggers_text (cfg->event_triggers, triggers));
  for (guint i = 0; i < cfg->n_containers; i++)
    g_string_append_printf (out, ", %s fragments %u ms",
        cfg->containers[i].type == HAP_CAMERA_CONTAINER_FRAGMENTED_MP4 ? "fMP4" : "container ?",
        cfg->containers[i].fragment_length_ms);
  return g_string_free (out, FALSE);
}

gchar *
hap_hksv_describe_video (const HapCameraVideoConfig *cfg)
{
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (cfg != NULL, NULL);

  for (guint i = 0; i < cfg->n_codecs; i++) {
    const HapCameraVideoCodecConfig *c = &cfg->codecs[i];
    g_string_append_printf (out, "%s%s profiles ", i ? "; " : "", video_codec_name (c->codec));
    for (guint k = 0; k < c->n_profiles; k++)
      g_string_append_printf (out, "%s%s", k ? "/" : "", profile_name (c->profiles[k]));
    g_string_append (out, " levels ");
    for (guint k = 0; k < c->n_levels; k++)
      g_string_append_printf (out, "%s%s", k ? "/" : "", level_name (c->levels[k]));
    g_string_append (out, ",");
    for (guint k = 0; k < c->n_attributes; k++)
      g_string_append_printf (
          out, " %ux%u@%u", c->attributes[k].width, c->attributes[k].height, c->attributes[k].fps);
  }
  return g_string_free (out, FALSE);
}

gchar *
hap_hksv_describe_audio (const HapCameraAudioConfig *cfg)
{
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (cfg != NULL, NULL);

  for (guint i = 0; i < cfg->n_codecs; i++) {
    const HapCameraAudioCodecConfig *c = &cfg->codecs[i];
    g_string_append_printf (
        out, "%s%s %u ch, ", i ? "; " : "", audio_codec_name (c->codec), c->channels);
    for (guint k = 0; k < c->n_sample_rates; k++) {
      if (k)
        g_string_append (out, "/");
      append_rate (out, c->sample_rates[k]);
    }
    g_string_append (out, ", bitrate ");
    for (guint k = 0; k < c->n_bitrate_modes; k++)
      g_string_append_printf (out, "%s%s", k ? "/" : "",
          c->bitrate_modes[k] == HAP_CAMERA_AUDIO_BITRATE_VARIABLE ? "variable" : "constant");
  }
  return g_string_free (out, FALSE);
}

gchar *
hap_hksv_describe_selected (const HapCameraSelectedConfig *sel)
{
  GString *out = g_string_new (NULL);
  g_autoptr (GString) triggers = g_string_new (NULL);

  g_return_val_if_fail (sel != NULL, NULL);

  g_string_append_printf (out,
      "prebuffer %u ms, triggers %s, fMP4 fragments %u ms; %s %s level %s %ux%u@%u %u kbps, "
      "I-frame every %u ms; %s %u ch ",
      sel->general.prebuffer_ms, triggers_text (sel->general.event_triggers, triggers),
      sel->general.container.fragment_length_ms, video_codec_name (sel->video.codec),
      profile_name (sel->video.profile), level_name (sel->video.level), sel->video.attributes.width,
      sel->video.attributes.height, sel->video.attributes.fps, sel->video.bitrate_kbps,
      sel->video.iframe_interval_ms, audio_codec_name (sel->audio.codec), sel->audio.channels);
  append_rate (out, sel->audio.sample_rate);
  g_string_append_printf (out, " %s %u kbps",
      sel->audio.bitrate_mode == HAP_CAMERA_AUDIO_BITRATE_VARIABLE ? "variable" : "constant",
      sel->audio.max_bitrate_kbps);
  return g_string_free (out, FALSE);
}

/* ---- checking ---- */

static gboolean
format_ok (const gchar *accepted, const gchar *format)
{
  g_auto (GStrv) list = NULL;

  if (format == NULL)
    return FALSE;
  list = g_strsplit (accepted, "|", -1);
  return g_strv_contains ((const gchar *const *) list, format);
}

static void
append_perm_names (GString *out, guint perms)
{
  static const struct {
    guint bit;
    const gchar *name;
  } names[] = { { PR, "pr" }, { PW, "pw" }, { EV, "ev" }, { WR, "wr" } };
  gboolean first = TRUE;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++) {
    if (perms & names[i].bit) {
      g_string_append_printf (out, "%s%s", first ? "" : ",", names[i].name);
      first = FALSE;
    }
  }
}

static guint64 *
slot_iid (HapHksvCamera *camera, Slot slot)
{
  switch (slot) {
    case SLOT_HOMEKIT_CAMERA_ACTIVE:
      return &camera->homekit_camera_active;
    case SLOT_EVENT_SNAPSHOTS:
      return &camera->event_snapshots_active;
    case SLOT_PERIODIC_SNAPSHOTS:
      return &camera->periodic_snapshots_active;
    case SLOT_RECORDING_ACTIVE:
      return &camera->recording_active;
    case SLOT_RECORDING_AUDIO_ACTIVE:
      return &camera->recording_audio_active;
    case SLOT_SUPPORTED_RECORDING:
      return &camera->supported_recording;
    case SLOT_SUPPORTED_VIDEO:
      return &camera->supported_video;
    case SLOT_SUPPORTED_AUDIO:
      return &camera->supported_audio;
    case SLOT_SELECTED:
      return &camera->selected;
    case SLOT_SUPPORTED_TRANSPORT:
      return &camera->supported_transport;
    case SLOT_SETUP_TRANSPORT:
      return &camera->setup_transport;
    case SLOT_MOTION_DETECTED:
      return &camera->motion_detected;
    case SLOT_MOTION_STATUS_ACTIVE:
      return &camera->motion_status_active;
    case SLOT_DOORBELL_EVENT:
      return &camera->doorbell_event;
    default:
      return NULL;
  }
}

/* The value of a characteristic: the separately read one when given, else the database's. */
static JsonNode *
value_of (const HapRemoteCharacteristic *c, guint64 aid, const GArray *values)
{
  if (values != NULL) {
    const HapRemoteValue *v = hap_remote_values_find (values, aid, c->iid);
    if (v != NULL)
      return v->status == 0 ? v->value : NULL;
  }
  return c->value;
}

static void
check_characteristic (HapHksvReport *report, const gchar *service_name,
    const HapRemoteService *service, const CharSpec *spec, gboolean service_present)
{
  g_autofree gchar *item = g_strdup_printf ("%s.%s", service_name, spec->name);
  const HapRemoteCharacteristic *c
      = service ? hap_remote_service_find_characteristic (service, spec->type) : NULL;
  g_autoptr (GString) problems = g_string_new (NULL);
  guint64 *slot;

  if (c == NULL) {
    if (!service_present)
      return; /* the service row says it */
    add_check (report, item, spec->type, 0,
        spec->required ? HAP_HKSV_CHECK_MISSING : HAP_HKSV_CHECK_ABSENT,
        spec->required ? "required characteristic missing" : "optional");
    return;
  }
  if (spec->slot == SLOT_RTP_ACTIVE) {
    if (report->camera.n_rtp < HAP_HKSV_MAX_RTP)
      report->camera.rtp_active[report->camera.n_rtp++] = c->iid;
  } else if ((slot = slot_iid (&report->camera, spec->slot)) != NULL && *slot == 0) {
    *slot = c->iid;
  }
  if (!format_ok (spec->formats, c->format))
    g_string_append_printf (
        problems, "format %s, expected %s", c->format ? c->format : "(none)", spec->formats);
  if ((c->perms & spec->perms) != spec->perms) {
    if (problems->len)
      g_string_append (problems, "; ");
    g_string_append (problems, "permissions lack ");
    append_perm_names (problems, spec->perms & ~c->perms);
  }
  if (problems->len)
    add_check (report, item, spec->type, c->iid, HAP_HKSV_CHECK_WRONG, "%s", problems->str);
  else
    add_check (report, item, spec->type, c->iid, HAP_HKSV_CHECK_PRESENT, "%s", "");
}

static const HapRemoteAccessory *
pick_accessory (const HapRemoteDb *db, guint64 aid)
{
  if (aid != 0)
    return hap_remote_db_find_accessory (db, aid);
  for (guint i = 0; i < db->accessories->len; i++) {
    const HapRemoteAccessory *a = g_ptr_array_index (db->accessories, i);
    if (hap_remote_accessory_find_service (a, HAP_SERVICE_CAMERA_EVENT_RECORDING_MANAGEMENT, 0))
      return a;
  }
  return db->accessories->len > 0 ? g_ptr_array_index (db->accessories, 0) : NULL;
}

static void
check_services (HapHksvReport *report, const HapRemoteAccessory *accessory)
{
  for (guint s = 0; s < G_N_ELEMENTS (services); s++) {
    const ServiceSpec *spec = &services[s];
    guint n = 0;

    for (guint index = 0;; index++) {
      const HapRemoteService *service
          = accessory ? hap_remote_accessory_find_service (accessory, spec->type, index) : NULL;
      g_autofree gchar *name = NULL;

      if (service == NULL) {
        if (index == 0) {
          add_check (report, spec->name, spec->type, 0,
              spec->required ? HAP_HKSV_CHECK_MISSING : HAP_HKSV_CHECK_ABSENT,
              spec->required ? "required service missing" : "optional");
          for (guint c = 0; c < spec->n_chars; c++)
            check_characteristic (report, spec->name, NULL, &spec->chars[c], FALSE);
        }
        break;
      }
      n++;
      name = index == 0 ? g_strdup (spec->name) : g_strdup_printf ("%s#%u", spec->name, index + 1);
      add_check (report, name, spec->type, service->iid, HAP_HKSV_CHECK_PRESENT, "%s", "");
      for (guint c = 0; c < spec->n_chars; c++)
        check_characteristic (report, name, service, &spec->chars[c], TRUE);
      if (!spec->repeated)
        break;
    }
  }
}

static void
check_links (HapHksvReport *report, const HapRemoteAccessory *accessory)
{
  const HapRemoteService *recording = accessory ? hap_remote_accessory_find_service (accessory,
                                          HAP_SERVICE_CAMERA_EVENT_RECORDING_MANAGEMENT, 0)
                                                : NULL;
  static const struct {
    const gchar *item;
    const gchar *type;
    const gchar *name;
  } links[] = {
    { "CameraEventRecordingManagement links MotionSensor", HAP_SERVICE_MOTION_SENSOR,
        "MotionSensor" },
    { "CameraEventRecordingManagement links DataStreamManagement",
        HAP_SERVICE_DATA_STREAM_MANAGEMENT, "DataStreamManagement" },
  };

  if (recording == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (links); i++) {
    const HapRemoteService *target
        = hap_remote_accessory_find_service (accessory, links[i].type, 0);
    if (target == NULL)
      continue; /* its own row says missing */
    if (hap_remote_service_links (recording, target->iid))
      add_check (report, links[i].item, NULL, 0, HAP_HKSV_CHECK_PRESENT, "linked");
    else
      add_check (report, links[i].item, NULL, 0, HAP_HKSV_CHECK_WRONG,
          "\"linked\" of service %" G_GUINT64_FORMAT " lacks %s (iid %" G_GUINT64_FORMAT ")",
          recording->iid, links[i].name, target->iid);
  }
}

static const HapRemoteCharacteristic *
find_char (const HapRemoteAccessory *accessory, const gchar *service, const gchar *type)
{
  const HapRemoteService *s
      = accessory ? hap_remote_accessory_find_service (accessory, service, 0) : NULL;
  return s ? hap_remote_service_find_characteristic (s, type) : NULL;
}

/* The bytes of a tlv8 characteristic, or NULL with a WRONG row (when it is present). */
static GBytes *
tlv_value (HapHksvReport *report, const HapRemoteCharacteristic *c, const GArray *values,
    const gchar *item)
{
  JsonNode *node;
  GBytes *bytes;

  if (c == NULL)
    return NULL;
  node = value_of (c, report->camera.aid, values);
  if (node == NULL) {
    add_check (report, item, NULL, c->iid, HAP_HKSV_CHECK_WRONG, "no value could be read");
    return NULL;
  }
  bytes = hap_remote_json_get_bytes (node);
  if (bytes == NULL)
    add_check (report, item, NULL, c->iid, HAP_HKSV_CHECK_WRONG, "value is not base64 TLV8");
  return bytes;
}

static gboolean
video_has (const HapCameraVideoConfig *video, guint width, guint height, guint fps)
{
  for (guint i = 0; i < video->n_codecs; i++)
    for (guint k = 0; k < video->codecs[i].n_attributes; k++) {
      const HapCameraVideoAttributes *a = &video->codecs[i].attributes[k];
      if (a->width == width && a->height == height && (fps == 0 || a->fps == fps))
        return TRUE;
    }
  return FALSE;
}

static gboolean
video_has_fps (const HapCameraVideoConfig *video, guint fps)
{
  for (guint i = 0; i < video->n_codecs; i++)
    for (guint k = 0; k < video->codecs[i].n_attributes; k++)
      if (video->codecs[i].attributes[k].fps == fps)
        return TRUE;
  return FALSE;
}

static void
check_values (HapHksvReport *report, const HapRemoteAccessory *accessory, const GArray *values)
{
  HapHksvCamera *cam = &report->camera;
  const gchar *rec = HAP_SERVICE_CAMERA_EVENT_RECORDING_MANAGEMENT;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) error = NULL;
  const HapRemoteCharacteristic *c;
  gsize len;
  const guint8 *data;

  /* SupportedCameraRecordingConfiguration */
  c = find_char (accessory, rec, HAP_CHAR_SUPPORTED_CAMERA_RECORDING_CONFIGURATION);
  bytes = tlv_value (report, c, values, "SupportedCameraRecordingConfiguration value");
  if (bytes != NULL) {
    data = g_bytes_get_data (bytes, &len);
    if (hap_camera_recording_config_parse (data, len, &cam->recording, &error) != HAP_PARSE_OK) {
      add_check (report, "SupportedCameraRecordingConfiguration value", NULL, c->iid,
          HAP_HKSV_CHECK_WRONG, "does not decode: %s", error->message);
      g_clear_error (&error);
    } else {
      g_autofree gchar *text = hap_hksv_describe_recording (&cam->recording);
      gboolean fmp4 = FALSE;

      cam->has_recording = TRUE;
      add_check (report, "SupportedCameraRecordingConfiguration value", NULL, c->iid,
          HAP_HKSV_CHECK_PRESENT, "%s", text);
      if (cam->recording.prebuffer_ms < HAP_CAMERA_PREBUFFER_MIN_MS)
        add_check (report, "recording: prebuffer >= 4000 ms", NULL, c->iid, HAP_HKSV_CHECK_WRONG,
            "prebuffer is %u ms", cam->recording.prebuffer_ms);
      else
        add_check (report, "recording: prebuffer >= 4000 ms", NULL, c->iid, HAP_HKSV_CHECK_PRESENT,
            "%u ms", cam->recording.prebuffer_ms);
      if ((cam->recording.event_triggers & HAP_CAMERA_EVENT_TRIGGER_MOTION) == 0)
        add_check (report, "recording: motion trigger", NULL, c->iid, HAP_HKSV_CHECK_WRONG,
            "event trigger options lack motion (0x1)");
      else
        add_check (
            report, "recording: motion trigger", NULL, c->iid, HAP_HKSV_CHECK_PRESENT, "%s", "");
      for (guint i = 0; i < cam->recording.n_containers; i++)
        fmp4 |= cam->recording.containers[i].type == HAP_CAMERA_CONTAINER_FRAGMENTED_MP4;
      add_check (report, "recording: fragmented MP4 container", NULL, c->iid,
          fmp4 ? HAP_HKSV_CHECK_PRESENT : HAP_HKSV_CHECK_WRONG, "%s",
          fmp4 ? "" : "no container of type 0 (fMP4)");
    }
  }
  g_clear_pointer (&bytes, g_bytes_unref);

  /* SupportedVideoRecordingConfiguration */
  c = find_char (accessory, rec, HAP_CHAR_SUPPORTED_VIDEO_RECORDING_CONFIGURATION);
  bytes = tlv_value (report, c, values, "SupportedVideoRecordingConfiguration value");
  if (bytes != NULL) {
    data = g_bytes_get_data (bytes, &len);
    if (hap_camera_video_config_parse (data, len, &cam->video, &error) != HAP_PARSE_OK) {
      add_check (report, "SupportedVideoRecordingConfiguration value", NULL, c->iid,
          HAP_HKSV_CHECK_WRONG, "does not decode: %s", error->message);
      g_clear_error (&error);
    } else {
      g_autofree gchar *text = hap_hksv_describe_video (&cam->video);
      gboolean res
          = video_has (&cam->video, 1920, 1080, 0) && video_has (&cam->video, 1280, 720, 0);
      gboolean fps = video_has_fps (&cam->video, 15)
                     && (video_has_fps (&cam->video, 24) || video_has_fps (&cam->video, 30));

      cam->has_video = TRUE;
      add_check (report, "SupportedVideoRecordingConfiguration value", NULL, c->iid,
          HAP_HKSV_CHECK_PRESENT, "%s", text);
      add_check (report, "video: resolutions 1920x1080 and 1280x720", NULL, c->iid,
          res ? HAP_HKSV_CHECK_PRESENT : HAP_HKSV_CHECK_WARNING, "%s",
          res ? "" : "the spec lists both as mandatory");
      add_check (report, "video: 15 fps and 24 or 30 fps", NULL, c->iid,
          fps ? HAP_HKSV_CHECK_PRESENT : HAP_HKSV_CHECK_WARNING, "%s",
          fps ? "" : "the spec lists 15 fps and one of 24/30 fps as mandatory");
    }
  }
  g_clear_pointer (&bytes, g_bytes_unref);

  /* SupportedAudioRecordingConfiguration */
  c = find_char (accessory, rec, HAP_CHAR_SUPPORTED_AUDIO_RECORDING_CONFIGURATION);
  bytes = tlv_value (report, c, values, "SupportedAudioRecordingConfiguration value");
  if (bytes != NULL) {
    data = g_bytes_get_data (bytes, &len);
    if (hap_camera_audio_config_parse (data, len, &cam->audio, &error) != HAP_PARSE_OK) {
      add_check (report, "SupportedAudioRecordingConfiguration value", NULL, c->iid,
          HAP_HKSV_CHECK_WRONG, "does not decode: %s", error->message);
      g_clear_error (&error);
    } else {
      g_autofree gchar *text = hap_hksv_describe_audio (&cam->audio);
      cam->has_audio = TRUE;
      add_check (report, "SupportedAudioRecordingConfiguration value", NULL, c->iid,
          HAP_HKSV_CHECK_PRESENT, "%s", text);
    }
  }
  g_clear_pointer (&bytes, g_bytes_unref);

  /* SupportedDataStreamTransportConfiguration */
  c = find_char (accessory, HAP_SERVICE_DATA_STREAM_MANAGEMENT,
      HAP_CHAR_SUPPORTED_DATA_STREAM_TRANSPORT_CONFIGURATION);
  bytes = tlv_value (report, c, values, "SupportedDataStreamTransportConfiguration value");
  if (bytes != NULL) {
    HapDatastreamSupported supported;
    data = g_bytes_get_data (bytes, &len);
    if (hap_datastream_supported_parse (data, len, &supported, &error) != HAP_PARSE_OK) {
      add_check (report, "SupportedDataStreamTransportConfiguration value", NULL, c->iid,
          HAP_HKSV_CHECK_WRONG, "does not decode: %s", error->message);
      g_clear_error (&error);
    } else if (!hap_datastream_supported_has (&supported, HAP_DATASTREAM_TRANSPORT_HDS_TCP)) {
      add_check (report, "SupportedDataStreamTransportConfiguration value", NULL, c->iid,
          HAP_HKSV_CHECK_WRONG, "does not offer transport type 0 (HDS over TCP)");
    } else {
      add_check (report, "SupportedDataStreamTransportConfiguration value", NULL, c->iid,
          HAP_HKSV_CHECK_PRESENT, "HDS over TCP");
    }
  }
  g_clear_pointer (&bytes, g_bytes_unref);

  /* DataStreamManagement.Version */
  c = find_char (accessory, HAP_SERVICE_DATA_STREAM_MANAGEMENT, HAP_CHAR_VERSION);
  if (c != NULL) {
    JsonNode *node = value_of (c, cam->aid, values);
    const gchar *version
        = node && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
              ? json_node_get_string (node)
              : NULL;
    if (version != NULL && g_str_equal (version, "1.0"))
      add_check (report, "DataStreamManagement.Version value", NULL, c->iid, HAP_HKSV_CHECK_PRESENT,
          "\"1.0\"");
    else
      add_check (report, "DataStreamManagement.Version value", NULL, c->iid, HAP_HKSV_CHECK_WRONG,
          "%s%s%s, expected \"1.0\"", version ? "\"" : "", version ? version : "no string value",
          version ? "\"" : "");
  }

  /* SelectedCameraRecordingConfiguration: only decoded when it has a value. */
  c = find_char (accessory, rec, HAP_CHAR_SELECTED_CAMERA_RECORDING_CONFIGURATION);
  if (c != NULL && value_of (c, cam->aid, values) != NULL) {
    g_autoptr (GBytes) sel = hap_remote_json_get_bytes (value_of (c, cam->aid, values));
    HapCameraSelectedConfig selected;

    if (sel != NULL && g_bytes_get_size (sel) > 0) {
      data = g_bytes_get_data (sel, &len);
      if (hap_camera_selected_config_parse (data, len, &selected, &error) != HAP_PARSE_OK) {
        add_check (report, "SelectedCameraRecordingConfiguration value", NULL, c->iid,
            HAP_HKSV_CHECK_WRONG, "does not decode: %s", error->message);
        g_clear_error (&error);
      } else {
        g_autofree gchar *text = hap_hksv_describe_selected (&selected);
        add_check (report, "SelectedCameraRecordingConfiguration value", NULL, c->iid,
            HAP_HKSV_CHECK_PRESENT, "%s", text);
      }
    }
  }
}

HapHksvReport *
hap_hksv_profile_check (const HapRemoteDb *db, guint64 aid, const GArray *values)
{
  HapHksvReport *report;
  const HapRemoteAccessory *accessory;

  g_return_val_if_fail (db != NULL, NULL);

  report = g_new0 (HapHksvReport, 1);
  report->checks = g_ptr_array_new_with_free_func ((GDestroyNotify) check_free);
  accessory = pick_accessory (db, aid);
  if (accessory == NULL) {
    g_autofree gchar *what
        = aid ? g_strdup_printf ("accessory %" G_GUINT64_FORMAT, aid) : g_strdup ("an accessory");
    add_check (
        report, "Accessory", NULL, 0, HAP_HKSV_CHECK_MISSING, "the database has no %s", what);
  } else {
    report->camera.aid = accessory->aid;
  }
  check_services (report, accessory);
  check_links (report, accessory);
  if (accessory != NULL)
    check_values (report, accessory, values);
  return report;
}

/* ---- choosing a selection ---- */

void
hap_hksv_selection_prefs_init (HapHksvSelectionPrefs *prefs)
{
  g_return_if_fail (prefs != NULL);

  memset (prefs, 0, sizeof *prefs);
  prefs->profile = -1;
  prefs->level = -1;
  prefs->audio_codec = -1;
  prefs->sample_rate = -1;
}

static gboolean
choose_general (const HapCameraRecordingConfig *rec, const HapHksvSelectionPrefs *prefs,
    HapCameraSelectedConfig *out, GError **error)
{
  const HapCameraContainer *container = NULL;

  for (guint i = 0; i < rec->n_containers && container == NULL; i++) {
    const HapCameraContainer *c = &rec->containers[i];
    if (c->type == HAP_CAMERA_CONTAINER_FRAGMENTED_MP4
        && (prefs->fragment_ms == 0 || c->fragment_length_ms == prefs->fragment_ms))
      container = c;
  }
  if (container == NULL) {
    g_autofree gchar *text = hap_hksv_describe_recording (rec);
    return hap_codec_fail (error, HAP_CODEC_ERROR_OUT_OF_RANGE,
        "no fMP4 container%s is offered (%s)",
        prefs->fragment_ms ? " with the requested fragment length" : "", text);
  }
  if (prefs->prebuffer_ms > rec->prebuffer_ms)
    return hap_codec_fail (error, HAP_CODEC_ERROR_OUT_OF_RANGE,
        "prebuffer %u ms requested, the camera offers at most %u ms", prefs->prebuffer_ms,
        rec->prebuffer_ms);
  out->general.prebuffer_ms = prefs->prebuffer_ms ? prefs->prebuffer_ms : rec->prebuffer_ms;
  if (prefs->event_triggers != 0) {
    if ((prefs->event_triggers & ~rec->event_triggers) != 0)
      return hap_codec_fail (error, HAP_CODEC_ERROR_OUT_OF_RANGE,
          "event triggers 0x%" G_GINT64_MODIFIER
          "x requested, the camera offers 0x%" G_GINT64_MODIFIER "x",
          prefs->event_triggers, rec->event_triggers);
    out->general.event_triggers = prefs->event_triggers;
  } else if (rec->event_triggers & HAP_CAMERA_EVENT_TRIGGER_MOTION) {
    out->general.event_triggers = HAP_CAMERA_EVENT_TRIGGER_MOTION;
  } else {
    out->general.event_triggers = rec->event_triggers & HAP_CAMERA_EVENT_TRIGGER_DOORBELL;
  }
  out->general.container = *container;
  out->general.container.wire.fragment_length_ms = 0;
  return TRUE;
}

static gboolean
list_has (const guint *list, guint n, guint value)
{
  for (guint i = 0; i < n; i++)
    if (list[i] == value)
      return TRUE;
  return FALSE;
}

static guint
list_max (const guint *list, guint n)
{
  guint best = 0;
  for (guint i = 0; i < n; i++)
    best = MAX (best, list[i]);
  return best;
}

static gboolean
choose_video (const HapCameraVideoConfig *video, const HapHksvSelectionPrefs *prefs,
    HapCameraSelectedConfig *out, GError **error)
{
  const HapCameraVideoCodecConfig *codec = NULL;
  const HapCameraVideoAttributes *best = NULL;
  guint profiles[HAP_CAMERA_MAX_PROFILES], levels[HAP_CAMERA_MAX_LEVELS];

  /* H.264 first: every hub records it. */
  for (guint i = 0; i < video->n_codecs && codec == NULL; i++)
    if (video->codecs[i].codec == HAP_CAMERA_VIDEO_CODEC_H264)
      codec = &video->codecs[i];
  if (codec == NULL && video->n_codecs > 0)
    codec = &video->codecs[0];
  if (codec == NULL)
    return hap_codec_fail (error, HAP_CODEC_ERROR_OUT_OF_RANGE, "the camera offers no video codec");

  for (guint k = 0; k < codec->n_attributes; k++) {
    const HapCameraVideoAttributes *a = &codec->attributes[k];
    if (prefs->width || prefs->height || prefs->fps) {
      if ((prefs->width == 0 || a->width == prefs->width)
          && (prefs->height == 0 || a->height == prefs->height)
          && (prefs->fps == 0 || a->fps == prefs->fps) && (best == NULL || a->fps > best->fps))
        best = a;
      continue;
    }
    if (best == NULL) {
      best = a;
      continue;
    }
    {
      gboolean a_full = a->width == 1920 && a->height == 1080;
      gboolean b_full = best->width == 1920 && best->height == 1080;
      guint64 a_area = (guint64) a->width * a->height,
              b_area = (guint64) best->width * best->height;
      guint a_fps = a->fps <= 30 ? a->fps : 0, b_fps = best->fps <= 30 ? best->fps : 0;

      if (a_full != b_full) {
        if (a_full)
          best = a;
      } else if (a_area != b_area) {
        if (a_area > b_area && !b_full)
          best = a;
      } else if (a_fps > b_fps) {
        best = a;
      }
    }
  }
  if (best == NULL) {
    g_autofree gchar *text = hap_hksv_describe_video (video);
    return hap_codec_fail (error, HAP_CODEC_ERROR_OUT_OF_RANGE, "%ux%u@%u is not offered (%s)",
        prefs->width, prefs->height, prefs->fps, text);
  }
  for (guint i = 0; i < codec->n_profiles; i++)
    profiles[i] = codec->profiles[i];
  for (guint i = 0; i < codec->n_levels; i++)
    levels[i] = codec->levels[i];
  if (prefs->profile >= 0 && !list_has (profiles, codec->n_profiles, (guint) prefs->profile))
    return hap_codec_fail (error, HAP_CODEC_ERROR_OUT_OF_RANGE, "profile %s is not offered",
        profile_name ((guint) prefs->profile));
  if (prefs->level >= 0 && !list_has (levels, codec->n_levels, (guint) prefs->level))
    return hap_codec_fail (error, HAP_CODEC_ERROR_OUT_OF_RANGE, "level %s is not offered",
        level_name ((guint) prefs->level));

  out->video.codec = codec->codec;
  /* Main when offered: what a real hub selects (PROTOCOL.md section 6). */
  if (prefs->profile >= 0)
    out->video.profile = (HapCameraVideoProfile) prefs->profile;
  else if (list_has (profiles, codec->n_profiles, HAP_CAMERA_VIDEO_PROFILE_MAIN))
    out->video.profile = HAP_CAMERA_VIDEO_PROFILE_MAIN;
  else
    out->video.profile = (HapCameraVideoProfile) list_max (profiles, codec->n_profiles);
  out->video.level = prefs->level >= 0 ? (HapCameraVideoLevel) prefs->level
                                       : (HapCameraVideoLevel) list_max (levels, codec->n_levels);
  out->video.bitrate_kbps = prefs->video_bitrate_kbps ? prefs->video_bitrate_kbps : 2000;
  out->video.iframe_interval_ms = prefs->iframe_interval_ms
                                      ? prefs->iframe_interval_ms
                                      : out->general.container.fragment_length_ms;
  out->video.attributes = *best;
  out->video.attributes.wire.width = 0;
  out->video.attributes.wire.height = 0;
  return TRUE;
}

static gboolean
choose_audio (const HapCameraAudioConfig *audio, const HapHksvSelectionPrefs *prefs,
    HapCameraSelectedConfig *out, GError **error)
{
  const HapCameraAudioCodecConfig *codec = NULL;
  guint rates[HAP_CAMERA_MAX_SAMPLE_RATES];

  for (guint i = 0; i < audio->n_codecs && codec == NULL; i++) {
    guint want
        = prefs->audio_codec >= 0 ? (guint) prefs->audio_codec : HAP_CAMERA_AUDIO_CODEC_AAC_LC;
    if (audio->codecs[i].codec == want)
      codec = &audio->codecs[i];
  }
  if (codec == NULL && prefs->audio_codec >= 0)
    return hap_codec_fail (error, HAP_CODEC_ERROR_OUT_OF_RANGE, "audio codec %s is not offered",
        audio_codec_name ((guint) prefs->audio_codec));
  if (codec == NULL && audio->n_codecs > 0)
    codec = &audio->codecs[0];
  if (codec == NULL)
    return hap_codec_fail (error, HAP_CODEC_ERROR_OUT_OF_RANGE, "the camera offers no audio codec");
  for (guint i = 0; i < codec->n_sample_rates; i++)
    rates[i] = codec->sample_rates[i];
  if (prefs->sample_rate >= 0
      && !list_has (rates, codec->n_sample_rates, (guint) prefs->sample_rate))
    return hap_codec_fail (error, HAP_CODEC_ERROR_OUT_OF_RANGE,
        "audio sample rate %u Hz is not offered",
        hap_camera_audio_sample_rate_to_hz ((HapCameraAudioSampleRate) prefs->sample_rate));

  out->audio.codec = codec->codec;
  out->audio.channels = codec->channels;
  out->audio.bitrate_mode = codec->bitrate_modes[0];
  for (guint i = 0; i < codec->n_bitrate_modes; i++)
    if (codec->bitrate_modes[i] == HAP_CAMERA_AUDIO_BITRATE_VARIABLE)
      out->audio.bitrate_mode = HAP_CAMERA_AUDIO_BITRATE_VARIABLE;
  if (prefs->sample_rate >= 0)
    out->audio.sample_rate = (HapCameraAudioSampleRate) prefs->sample_rate;
  else if (list_has (rates, codec->n_sample_rates, HAP_CAMERA_AUDIO_SAMPLE_RATE_32K))
    out->audio.sample_rate = HAP_CAMERA_AUDIO_SAMPLE_RATE_32K;
  else
    out->audio.sample_rate = (HapCameraAudioSampleRate) list_max (rates, codec->n_sample_rates);
  out->audio.max_bitrate_kbps = prefs->audio_bitrate_kbps ? prefs->audio_bitrate_kbps : 64;
  return TRUE;
}

gboolean
hap_hksv_choose_selection (const HapCameraRecordingConfig *recording,
    const HapCameraVideoConfig *video, const HapCameraAudioConfig *audio,
    const HapHksvSelectionPrefs *prefs, HapCameraSelectedConfig *out, GError **error)
{
  HapHksvSelectionPrefs defaults;
  HapCameraSelectedConfig sel;

  g_return_val_if_fail (recording != NULL && video != NULL && audio != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  if (prefs == NULL) {
    hap_hksv_selection_prefs_init (&defaults);
    prefs = &defaults;
  }
  memset (&sel, 0, sizeof sel);
  if (!choose_general (recording, prefs, &sel, error) || !choose_video (video, prefs, &sel, error)
      || !choose_audio (audio, prefs, &sel, error)
      || !hap_camera_selected_is_supported (&sel, recording, video, audio, error))
    return FALSE;
  *out = sel;
  return TRUE;
}
