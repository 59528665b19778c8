/* Unit tests for hap/hksv-profile.c (the HKSV camera profile and the hub's choice of a
 * selection).
 *
 * The complete camera below is the database of the HAP-NodeJS 1.2.0 CameraController that
 * tests/interop/hksv-camera.js publishes (instance ids, types, formats, permissions and the
 * Supported values copied from its /accessories), so that "everything present" is what an
 * independent implementation serves. Each row of the mutation table breaks one rule of the
 * profile (hand-made values decoded against the HKSV spec R3 tables 3.8-3.10) and names the row
 * of the report that must say so.
 */
#include <string.h>

#include "hap/camera-tlv.h"
#include "hap/hap-uuids.h"
#include "hap/hksv-profile.h"
#include "tests/common/test-util.h"

typedef struct {
  guint64 iid;
  const gchar *type;
  const gchar *format;
  const gchar *perms; /* JSON array body */
  const gchar *value; /* JSON, NULL: none */
} C;

typedef struct {
  guint64 iid;
  const gchar *type;
  const gchar *linked; /* JSON array body, NULL: none */
  C chars[8];
} S;

#define V205 "\"AQSgDwAAAggBAAAAAAAAAAMLAQEAAgYBBKAPAAA=\""
#define V206                                                                                       \
  "\"AYYBAQACCwEBAQAAAQECAgECAwsBAoAHAgI4BAMBHgAAAwsBAoAHAgI4BAMBGAAAAwsBAoAHAgI4BAMBDwAAAwsBAgAF" \
  "AgLQAgMBHgAAAwsBAgAFAgLQAgMBGAAAAwsBAgAFAgLQAgMBDwAAAwsBAoACAgJoAQMBHgAAAwsBAoACAgJoAQMBDw==\""
#define V207 "\"AQ4BAQACCQEBAQIBAAMBAw==\""

/* HAP-NodeJS's camera (iids as it assigns them). */
static const S camera[] = {
  { 1, "3E", NULL,
      { { 2, "14", "bool", "\"pw\"", NULL }, { 3, "20", "string", "\"pr\"", "\"hksv\"" },
          { 4, "21", "string", "\"pr\"", "\"reference-camera\"" } } },
  { 8, "85", NULL,
      { { 9, "22", "bool", "\"pr\",\"ev\"", "0" }, { 10, "75", "bool", "\"pr\",\"ev\"", "1" } } },
  { 11, "204", "22,8",
      { { 12, "B0", "uint8", "\"pr\",\"pw\",\"ev\"", "0" },
          { 13, "209", "tlv8", "\"pr\",\"pw\",\"ev\"", "\"\"" },
          { 14, "207", "tlv8", "\"pr\",\"ev\"", V207 },
          { 15, "205", "tlv8", "\"pr\",\"ev\"", V205 },
          { 16, "206", "tlv8", "\"pr\",\"ev\"", V206 },
          { 17, "226", "uint8", "\"pr\",\"pw\",\"ev\",\"tw\"", "0" } } },
  { 18, "21A", NULL,
      { { 19, "223", "uint8", "\"pr\",\"pw\",\"ev\"", "1" },
          { 20, "21B", "uint8", "\"pr\",\"pw\",\"ev\"", "1" },
          { 21, "225", "uint8", "\"pr\",\"pw\",\"ev\"", "1" } } },
  { 22, "129", NULL,
      { { 24, "130", "tlv8", "\"pr\"", "\"AQMBAQA=\"" },
          { 25, "37", "string", "\"pr\"", "\"1.0\"" },
          { 23, "131", "tlv8", "\"pr\",\"pw\",\"wr\"", "\"\"" } } },
  { 26, "110", NULL,
      { { 29, "120", "tlv8", "\"pr\",\"ev\"", "\"AQEA\"" },
          { 30, "115", "tlv8", "\"pr\"", "\"ARMBAQMCDgEBAQIBAAMBAQAAAwECAgEA\"" },
          { 31, "116", "tlv8", "\"pr\"", "\"AgEA\"" }, { 32, "114", "tlv8", "\"pr\"", "\"AQEA\"" },
          { 33, "B0", "uint8", "\"pr\",\"pw\",\"ev\"", "1" },
          { 27, "117", "tlv8", "\"pr\",\"pw\"", "\"AQMCAQI=\"" },
          { 28, "118", "tlv8", "\"pr\",\"pw\"", "\"AgEC\"" } } },
};

typedef struct {
  S services[G_N_ELEMENTS (camera) + 2];
  guint n;
} Db;

static void
db_init (Db *db)
{
  memset (db, 0, sizeof *db);
  memcpy (db->services, camera, sizeof camera);
  db->n = G_N_ELEMENTS (camera);
}

static C *
db_char (Db *db, guint64 iid)
{
  for (guint s = 0; s < db->n; s++)
    for (guint c = 0; c < G_N_ELEMENTS (db->services[s].chars); c++)
      if (db->services[s].chars[c].iid == iid)
        return &db->services[s].chars[c];
  g_assert_not_reached ();
}

static void
db_remove_service (Db *db, guint64 iid)
{
  for (guint s = 0; s < db->n; s++) {
    if (db->services[s].iid == iid) {
      memmove (&db->services[s], &db->services[s + 1], (db->n - s - 1) * sizeof (S));
      db->n--;
      return;
    }
  }
  g_assert_not_reached ();
}

static gchar *
db_json (const Db *db)
{
  GString *out = g_string_new ("{\"accessories\":[{\"aid\":1,\"services\":[");

  for (guint s = 0; s < db->n; s++) {
    const S *svc = &db->services[s];
    gboolean first = TRUE;

    g_string_append_printf (out, "%s{\"iid\":%" G_GUINT64_FORMAT ",\"type\":\"%s\",", s ? "," : "",
        svc->iid, svc->type);
    if (svc->linked)
      g_string_append_printf (out, "\"linked\":[%s],", svc->linked);
    g_string_append (out, "\"characteristics\":[");
    for (guint c = 0; c < G_N_ELEMENTS (svc->chars); c++) {
      const C *ch = &svc->chars[c];
      if (ch->iid == 0)
        continue;
      g_string_append_printf (out,
          "%s{\"iid\":%" G_GUINT64_FORMAT ",\"type\":\"%s\",\"format\":\"%s\",\"perms\":[%s]",
          first ? "" : ",", ch->iid, ch->type, ch->format, ch->perms);
      if (ch->value)
        g_string_append_printf (out, ",\"value\":%s", ch->value);
      g_string_append (out, "}");
      first = FALSE;
    }
    g_string_append (out, "]}");
  }
  g_string_append (out, "]}]}");
  return g_string_free (out, FALSE);
}

static HapHksvReport *
check_db (const Db *db, guint64 aid, const GArray *values)
{
  g_autofree gchar *json = db_json (db);
  g_autoptr (GError) error = NULL;
  g_autoptr (HapRemoteDb) remote
      = hap_remote_db_parse ((const guint8 *) json, strlen (json), &error);

  g_assert_no_error (error);
  return hap_hksv_profile_check (remote, aid, values);
}

static const HapHksvCheck *
find_check (const HapHksvReport *report, const gchar *item)
{
  for (guint i = 0; i < report->checks->len; i++) {
    const HapHksvCheck *c = g_ptr_array_index (report->checks, i);
    if (g_str_equal (c->item, item))
      return c;
  }
  return NULL;
}

static void
dump_failures (const HapHksvReport *report)
{
  for (guint i = 0; i < report->checks->len; i++) {
    const HapHksvCheck *c = g_ptr_array_index (report->checks, i);
    if (c->status == HAP_HKSV_CHECK_MISSING || c->status == HAP_HKSV_CHECK_WRONG
        || c->status == HAP_HKSV_CHECK_WARNING)
      g_test_message ("%s %s: %s", hap_hksv_check_status_to_string (c->status), c->item, c->detail);
  }
}

static void
test_complete_camera (void)
{
  Db db;
  g_autoptr (HapHksvReport) report = NULL;
  const HapHksvCamera *cam;

  db_init (&db);
  report = check_db (&db, 0, NULL);
  dump_failures (report);
  g_assert_cmpuint (report->n_failed, ==, 0);
  g_assert_cmpuint (report->n_warnings, ==, 0);
  cam = &report->camera;
  g_assert_cmpuint (cam->aid, ==, 1);
  g_assert_cmpuint (cam->n_rtp, ==, 1);
  g_assert_cmpuint (cam->rtp_active[0], ==, 33);
  g_assert_cmpuint (cam->homekit_camera_active, ==, 20);
  g_assert_cmpuint (cam->event_snapshots_active, ==, 19);
  g_assert_cmpuint (cam->periodic_snapshots_active, ==, 21);
  g_assert_cmpuint (cam->recording_active, ==, 12);
  g_assert_cmpuint (cam->recording_audio_active, ==, 17);
  g_assert_cmpuint (cam->supported_recording, ==, 15);
  g_assert_cmpuint (cam->supported_video, ==, 16);
  g_assert_cmpuint (cam->supported_audio, ==, 14);
  g_assert_cmpuint (cam->selected, ==, 13);
  g_assert_cmpuint (cam->supported_transport, ==, 24);
  g_assert_cmpuint (cam->setup_transport, ==, 23);
  g_assert_cmpuint (cam->motion_detected, ==, 9);
  g_assert_cmpuint (cam->motion_status_active, ==, 10);
  g_assert_cmpuint (cam->doorbell_event, ==, 0);
  g_assert_true (cam->has_recording && cam->has_video && cam->has_audio);
  g_assert_cmpuint (cam->recording.prebuffer_ms, ==, 4000);
  g_assert_cmpuint (cam->video.codecs[0].n_attributes, ==, 8);
  g_assert_cmpuint (cam->audio.codecs[0].sample_rates[0], ==, HAP_CAMERA_AUDIO_SAMPLE_RATE_32K);
  g_assert_cmpint (find_check (report, "Doorbell")->status, ==, HAP_HKSV_CHECK_ABSENT);
  g_assert_cmpint (
      find_check (report, "CameraOperatingMode.NightVision")->status, ==, HAP_HKSV_CHECK_ABSENT);
  g_assert_cmpstr (find_check (report, "SupportedCameraRecordingConfiguration value")->detail, ==,
      "prebuffer 4000 ms, triggers motion, fMP4 fragments 4000 ms");
  g_assert_cmpstr (find_check (report, "SupportedAudioRecordingConfiguration value")->detail, ==,
      "AAC-LC 1 ch, 32 kHz, bitrate variable");
}

typedef enum {
  M_NO_MOTION_SERVICE,
  M_NO_HOMEKIT_CAMERA_ACTIVE,
  M_SETUP_WITHOUT_WR,
  M_MOTION_FORMAT,
  M_NOT_LINKED,
  M_PREBUFFER_3000,
  M_DOORBELL_TRIGGER_ONLY,
  M_RECORDING_NOT_TLV,
  M_RECORDING_NOT_BASE64,
  M_VIDEO_640_ONLY,
  M_TRANSPORT_5,
  M_VERSION_1_1,
  M_NO_RECORDING_VALUE,
  M_SELECTED_GARBAGE,
  M_NO_RTP,
} Mutation;

static const struct {
  Mutation mutation;
  const gchar *item;
  HapHksvCheckStatus status;
  const gchar *detail; /* in the detail */
  gboolean fails;      /* counts as a failure */
} mutations[] = {
  { M_NO_MOTION_SERVICE, "MotionSensor", HAP_HKSV_CHECK_MISSING, "required service", TRUE },
  { M_NO_HOMEKIT_CAMERA_ACTIVE, "CameraOperatingMode.HomeKitCameraActive", HAP_HKSV_CHECK_MISSING,
      "required characteristic", TRUE },
  { M_SETUP_WITHOUT_WR, "DataStreamManagement.SetupDataStreamTransport", HAP_HKSV_CHECK_WRONG,
      "permissions lack wr", TRUE },
  { M_MOTION_FORMAT, "MotionSensor.MotionDetected", HAP_HKSV_CHECK_WRONG,
      "format uint8, expected bool", TRUE },
  { M_NOT_LINKED, "CameraEventRecordingManagement links MotionSensor", HAP_HKSV_CHECK_WRONG,
      "lacks MotionSensor (iid 8)", TRUE },
  { M_PREBUFFER_3000, "recording: prebuffer >= 4000 ms", HAP_HKSV_CHECK_WRONG, "3000 ms", TRUE },
  { M_DOORBELL_TRIGGER_ONLY, "recording: motion trigger", HAP_HKSV_CHECK_WRONG, "lack motion",
      TRUE },
  { M_RECORDING_NOT_TLV, "SupportedCameraRecordingConfiguration value", HAP_HKSV_CHECK_WRONG,
      "does not decode", TRUE },
  { M_RECORDING_NOT_BASE64, "SupportedCameraRecordingConfiguration value", HAP_HKSV_CHECK_WRONG,
      "not base64", TRUE },
  { M_VIDEO_640_ONLY, "video: resolutions 1920x1080 and 1280x720", HAP_HKSV_CHECK_WARNING,
      "mandatory", FALSE },
  { M_TRANSPORT_5, "SupportedDataStreamTransportConfiguration value", HAP_HKSV_CHECK_WRONG,
      "transport type 0", TRUE },
  { M_VERSION_1_1, "DataStreamManagement.Version value", HAP_HKSV_CHECK_WRONG, "\"1.1\"", TRUE },
  { M_NO_RECORDING_VALUE, "SupportedCameraRecordingConfiguration value", HAP_HKSV_CHECK_WRONG,
      "no value", TRUE },
  { M_SELECTED_GARBAGE, "SelectedCameraRecordingConfiguration value", HAP_HKSV_CHECK_WRONG,
      "does not decode", TRUE },
  { M_NO_RTP, "CameraRTPStreamManagement", HAP_HKSV_CHECK_MISSING, "required service", TRUE },
};

static void
apply (Db *db, Mutation m)
{
  switch (m) {
    case M_NO_MOTION_SERVICE:
      db_remove_service (db, 8);
      break;
    case M_NO_HOMEKIT_CAMERA_ACTIVE:
      db_char (db, 20)->iid = 0;
      break;
    case M_SETUP_WITHOUT_WR:
      db_char (db, 23)->perms = "\"pr\",\"pw\"";
      break;
    case M_MOTION_FORMAT:
      db_char (db, 9)->format = "uint8";
      break;
    case M_NOT_LINKED:
      db->services[2].linked = "22";
      break;
    case M_PREBUFFER_3000:
      db_char (db, 15)->value = "\"AQS4CwAAAggBAAAAAAAAAAMLAQEAAgYBBKAPAAA=\"";
      break;
    case M_DOORBELL_TRIGGER_ONLY:
      db_char (db, 15)->value = "\"AQSgDwAAAggCAAAAAAAAAAMLAQEAAgYBBKAPAAA=\"";
      break;
    case M_RECORDING_NOT_TLV:
      db_char (db, 15)->value = "\"AQ==\"";
      break;
    case M_RECORDING_NOT_BASE64:
      db_char (db, 15)->value = "\"not base64!\"";
      break;
    case M_VIDEO_640_ONLY:
      db_char (db, 16)->value = "\"ARgBAQACBgEBAQIBAgMLAQKAAgICaAEDAR4=\"";
      break;
    case M_TRANSPORT_5:
      db_char (db, 24)->value = "\"AQMBAQU=\"";
      break;
    case M_VERSION_1_1:
      db_char (db, 25)->value = "\"1.1\"";
      break;
    case M_NO_RECORDING_VALUE:
      db_char (db, 15)->value = NULL;
      break;
    case M_SELECTED_GARBAGE:
      db_char (db, 13)->value = "\"AQIDBA==\"";
      break;
    case M_NO_RTP:
      db_remove_service (db, 26);
      break;
  }
}

static void
test_mutations (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (mutations); i++) {
    Db db;
    g_autoptr (HapHksvReport) report = NULL;
    const HapHksvCheck *c;

    db_init (&db);
    apply (&db, mutations[i].mutation);
    report = check_db (&db, 0, NULL);
    g_test_message ("mutation %u: %s", i, mutations[i].item);
    dump_failures (report);
    c = find_check (report, mutations[i].item);
    g_assert_nonnull (c);
    g_assert_cmpint (c->status, ==, mutations[i].status);
    if (strstr (c->detail, mutations[i].detail) == NULL)
      g_error ("detail \"%s\" lacks \"%s\"", c->detail, mutations[i].detail);
    g_assert_cmpuint (report->n_failed > 0, ==, mutations[i].fails);
  }
}

static void
test_values_override (void)
{
  Db db;
  g_autoptr (HapHksvReport) report = NULL;
  g_autoptr (GArray) values = g_array_new (FALSE, TRUE, sizeof (HapRemoteValue));
  HapRemoteValue v = { 1, 15, 0, json_from_string (V205, NULL) };

  /* A peer that leaves tlv8 values out of /accessories: read separately. */
  db_init (&db);
  db_char (&db, 15)->value = NULL;
  g_array_append_val (values, v);
  report = check_db (&db, 0, values);
  dump_failures (report);
  g_assert_cmpuint (report->n_failed, ==, 0);
  g_assert_true (report->camera.has_recording);
  json_node_unref (v.value);
}

static void
test_no_such_accessory (void)
{
  Db db;
  g_autoptr (HapHksvReport) report = NULL;

  db_init (&db);
  report = check_db (&db, 9, NULL);
  g_assert_cmpint (find_check (report, "Accessory")->status, ==, HAP_HKSV_CHECK_MISSING);
  g_assert_cmpint (
      find_check (report, "CameraEventRecordingManagement")->status, ==, HAP_HKSV_CHECK_MISSING);
  /* Characteristics of a missing service are not listed one by one. */
  g_assert_null (find_check (report, "CameraEventRecordingManagement.Active"));
  g_assert_cmpuint (report->camera.aid, ==, 0);
}

static void
test_two_rtp_services (void)
{
  Db db;
  g_autoptr (HapHksvReport) report = NULL;
  S second = camera[5];

  db_init (&db);
  second.iid = 40;
  for (guint c = 0; c < G_N_ELEMENTS (second.chars); c++)
    if (second.chars[c].iid)
      second.chars[c].iid += 20;
  db.services[db.n++] = second;
  report = check_db (&db, 0, NULL);
  g_assert_cmpuint (report->n_failed, ==, 0);
  g_assert_cmpuint (report->camera.n_rtp, ==, 2);
  g_assert_cmpuint (report->camera.rtp_active[1], ==, 53);
  g_assert_cmpint (find_check (report, "CameraRTPStreamManagement#2.Active")->status, ==,
      HAP_HKSV_CHECK_PRESENT);
}

/* ---- selection ---- */

static void
supported (HapCameraRecordingConfig *rec, HapCameraVideoConfig *video, HapCameraAudioConfig *audio)
{
  g_autoptr (GBytes) r = hap_test_b64 ("AQSgDwAAAggBAAAAAAAAAAMLAQEAAgYBBKAPAAA=");
  g_autoptr (GBytes) v = hap_test_b64 (
      "AYYBAQACCwEBAQAAAQECAgECAwsBAoAHAgI4BAMBHgAAAwsBAoAHAgI4BAMBGAAAAwsBAoAHAgI4BAMBDwAAAwsBAgAF"
      "AgLQAgMBHgAAAwsBAgAFAgLQAgMBGAAAAwsBAgAFAgLQAgMBDwAAAwsBAoACAgJoAQMBHgAAAwsBAoACAgJoAQMBDw="
      "=");
  g_autoptr (GBytes) a = hap_test_b64 ("AQ4BAQACCQEBAQIBAAMBAw==");

  g_assert_cmpint (hap_camera_recording_config_parse (
                       g_bytes_get_data (r, NULL), g_bytes_get_size (r), rec, NULL),
      ==, HAP_PARSE_OK);
  g_assert_cmpint (
      hap_camera_video_config_parse (g_bytes_get_data (v, NULL), g_bytes_get_size (v), video, NULL),
      ==, HAP_PARSE_OK);
  g_assert_cmpint (
      hap_camera_audio_config_parse (g_bytes_get_data (a, NULL), g_bytes_get_size (a), audio, NULL),
      ==, HAP_PARSE_OK);
}

static void
test_selection_defaults (void)
{
  HapCameraRecordingConfig rec;
  HapCameraVideoConfig video;
  HapCameraAudioConfig audio;
  HapCameraSelectedConfig sel, back;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) built = NULL;
  g_autofree gchar *text = NULL;

  supported (&rec, &video, &audio);
  g_assert_true (hap_hksv_choose_selection (&rec, &video, &audio, NULL, &sel, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (sel.general.prebuffer_ms, ==, 4000);
  g_assert_cmpuint (sel.general.event_triggers, ==, HAP_CAMERA_EVENT_TRIGGER_MOTION);
  g_assert_cmpuint (sel.general.container.fragment_length_ms, ==, 4000);
  g_assert_cmpuint (sel.video.attributes.width, ==, 1920);
  g_assert_cmpuint (sel.video.attributes.height, ==, 1080);
  g_assert_cmpuint (sel.video.attributes.fps, ==, 30);
  g_assert_cmpint (sel.video.profile, ==, HAP_CAMERA_VIDEO_PROFILE_MAIN);
  g_assert_cmpint (sel.video.level, ==, HAP_CAMERA_VIDEO_LEVEL_4);
  g_assert_cmpuint (sel.video.bitrate_kbps, ==, 2000);
  g_assert_cmpuint (sel.video.iframe_interval_ms, ==, 4000);
  g_assert_cmpint (sel.audio.codec, ==, HAP_CAMERA_AUDIO_CODEC_AAC_LC);
  g_assert_cmpuint (sel.audio.channels, ==, 1);
  g_assert_cmpint (sel.audio.sample_rate, ==, HAP_CAMERA_AUDIO_SAMPLE_RATE_32K);
  g_assert_cmpuint (sel.audio.max_bitrate_kbps, ==, 64);
  /* What a hub writes parses back to the same selection. */
  built = hap_camera_selected_config_build (&sel, &error);
  g_assert_no_error (error);
  g_assert_cmpint (hap_camera_selected_config_parse (
                       g_bytes_get_data (built, NULL), g_bytes_get_size (built), &back, &error),
      ==, HAP_PARSE_OK);
  g_assert_true (hap_camera_selected_config_equal (&sel, &back));
  text = hap_hksv_describe_selected (&sel);
  g_assert_cmpstr (text, ==,
      "prebuffer 4000 ms, triggers motion, fMP4 fragments 4000 ms; H.264 Main level 4 "
      "1920x1080@30 2000 kbps, I-frame every 4000 ms; AAC-LC 1 ch 32 kHz variable 64 kbps");
}

static void
test_selection_preferences (void)
{
  HapCameraRecordingConfig rec;
  HapCameraVideoConfig video;
  HapCameraAudioConfig audio;
  HapCameraSelectedConfig sel;
  HapHksvSelectionPrefs prefs;

  supported (&rec, &video, &audio);
  hap_hksv_selection_prefs_init (&prefs);
  prefs.width = 1280;
  prefs.height = 720;
  prefs.profile = HAP_CAMERA_VIDEO_PROFILE_HIGH;
  prefs.video_bitrate_kbps = 800;
  prefs.iframe_interval_ms = 2000;
  prefs.audio_bitrate_kbps = 32;
  g_assert_true (hap_hksv_choose_selection (&rec, &video, &audio, &prefs, &sel, NULL));
  g_assert_cmpuint (sel.video.attributes.width, ==, 1280);
  g_assert_cmpuint (sel.video.attributes.fps, ==, 30);
  g_assert_cmpint (sel.video.profile, ==, HAP_CAMERA_VIDEO_PROFILE_HIGH);
  g_assert_cmpuint (sel.video.bitrate_kbps, ==, 800);
  g_assert_cmpuint (sel.video.iframe_interval_ms, ==, 2000);
  g_assert_cmpuint (sel.audio.max_bitrate_kbps, ==, 32);
  prefs.fps = 15;
  g_assert_true (hap_hksv_choose_selection (&rec, &video, &audio, &prefs, &sel, NULL));
  g_assert_cmpuint (sel.video.attributes.fps, ==, 15);
}

static const struct {
  const gchar *name;
  guint width, height, fps;
  gint profile, level, audio_codec, sample_rate;
  guint prebuffer_ms, fragment_ms;
  guint64 triggers;
  const gchar *message;
} refused[] = {
  { "resolution", 800, 600, 0, -1, -1, -1, -1, 0, 0, 0, "800x600@0 is not offered" },
  { "frame rate", 1280, 720, 60, -1, -1, -1, -1, 0, 0, 0, "1280x720@60 is not offered" },
  { "profile", 0, 0, 0, HAP_CAMERA_VIDEO_PROFILE_BASELINE, -1, -1, -1, 0, 0, 0,
      "profile Baseline is not offered" },
  { "level", 0, 0, 0, -1, HAP_CAMERA_VIDEO_LEVEL_3_1, -1, -1, 0, 0, 0, "level 3.1 is not offered" },
  { "audio codec", 0, 0, 0, -1, -1, HAP_CAMERA_AUDIO_CODEC_AAC_ELD, -1, 0, 0, 0,
      "AAC-ELD is not offered" },
  { "sample rate", 0, 0, 0, -1, -1, -1, HAP_CAMERA_AUDIO_SAMPLE_RATE_16K, 0, 0, 0,
      "16000 Hz is not offered" },
  { "prebuffer", 0, 0, 0, -1, -1, -1, -1, 8000, 0, 0, "at most 4000 ms" },
  { "fragment", 0, 0, 0, -1, -1, -1, -1, 0, 2000, 0, "requested fragment length" },
  { "doorbell", 0, 0, 0, -1, -1, -1, -1, 0, 0, 3, "the camera offers 0x1" },
};

static void
test_selection_refused (void)
{
  HapCameraRecordingConfig rec;
  HapCameraVideoConfig video;
  HapCameraAudioConfig audio;

  supported (&rec, &video, &audio);
  for (guint i = 0; i < G_N_ELEMENTS (refused); i++) {
    HapHksvSelectionPrefs prefs;
    HapCameraSelectedConfig sel;
    g_autoptr (GError) error = NULL;

    g_test_message ("%s", refused[i].name);
    hap_hksv_selection_prefs_init (&prefs);
    prefs.width = refused[i].width;
    prefs.height = refused[i].height;
    prefs.fps = refused[i].fps;
    prefs.profile = refused[i].profile;
    prefs.level = refused[i].level;
    prefs.audio_codec = refused[i].audio_codec;
    prefs.sample_rate = refused[i].sample_rate;
    prefs.prebuffer_ms = refused[i].prebuffer_ms;
    prefs.fragment_ms = refused[i].fragment_ms;
    prefs.event_triggers = refused[i].triggers;
    g_assert_false (hap_hksv_choose_selection (&rec, &video, &audio, &prefs, &sel, &error));
    g_assert_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_OUT_OF_RANGE);
    if (strstr (error->message, refused[i].message) == NULL)
      g_error ("\"%s\" lacks \"%s\"", error->message, refused[i].message);
  }
}

static void
test_selection_largest_without_full_hd (void)
{
  HapCameraRecordingConfig rec;
  HapCameraVideoConfig video;
  HapCameraAudioConfig audio;
  HapCameraSelectedConfig sel;
  HapCameraVideoCodecConfig *c;

  supported (&rec, &video, &audio);
  c = &video.codecs[0];
  /* 640x360@30, 1280x720@15, 1600x1200@24, 1600x1200@60: the largest, at most 30 fps. */
  c->n_attributes = 4;
  c->attributes[0] = (HapCameraVideoAttributes){ 640, 360, 30 };
  c->attributes[1] = (HapCameraVideoAttributes){ 1280, 720, 15 };
  c->attributes[2] = (HapCameraVideoAttributes){ 1600, 1200, 24 };
  c->attributes[3] = (HapCameraVideoAttributes){ 1600, 1200, 60 };
  g_assert_true (hap_hksv_choose_selection (&rec, &video, &audio, NULL, &sel, NULL));
  g_assert_cmpuint (sel.video.attributes.width, ==, 1600);
  g_assert_cmpuint (sel.video.attributes.fps, ==, 24);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/hksv-profile/complete-camera", test_complete_camera);
  g_test_add_func ("/hksv-profile/mutations", test_mutations);
  g_test_add_func ("/hksv-profile/values-override", test_values_override);
  g_test_add_func ("/hksv-profile/no-such-accessory", test_no_such_accessory);
  g_test_add_func ("/hksv-profile/two-rtp-services", test_two_rtp_services);
  g_test_add_func ("/hksv-profile/selection/defaults", test_selection_defaults);
  g_test_add_func ("/hksv-profile/selection/preferences", test_selection_preferences);
  g_test_add_func ("/hksv-profile/selection/refused", test_selection_refused);
  g_test_add_func (
      "/hksv-profile/selection/largest-without-full-hd", test_selection_largest_without_full_hd);
  return g_test_run ();
}
