/* hksv-hub record: set-up of the hubs (identities, pairings), configuration of the camera as a
 * hub does it (selection, camera state), then one event loop per hub (tools/hub-stream.c). */
#include "tools/hub-record.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "hap/characteristic-value.h"
#include "hap/pairing-tlv.h"

void
hub_record_options_init (HubRecordOptions *o)
{
  memset (o, 0, sizeof *o);
  o->events = 1;
  o->timeout_s = 60;
  o->hubs = 1;
  o->video_bitrate = 0;
  o->sample_rate = 0;
  o->close_delay_s = 8.0;
  o->fragment_timeout_s = 5.0;
  o->max_duration_s = 180;
  o->max_mb = 256;
}

void
hub_record_options_clear (HubRecordOptions *o)
{
  g_free (o->out_dir);
  g_free (o->mode);
  g_free (o->audio);
  g_free (o->resolution);
  g_free (o->profile);
  g_free (o->level);
  g_free (o->audio_codec);
  g_free (o->open_reason);
}

GOptionEntry *
hub_record_option_entries (HubRecordOptions *o)
{
  GOptionEntry entries[] = {
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &o->out_dir,
        "Write each recording to DIR/NNNN.mp4 (and its chunk stream to DIR/NNNN.chunks)", "DIR" },
    { "events", 'n', 0, G_OPTION_ARG_INT, &o->events,
        "Recordings to receive per hub, then stop (default 1)", "N" },
    { "timeout", 't', 0, G_OPTION_ARG_INT, &o->timeout_s,
        "Stop waiting for triggers after S seconds (default 60)", "S" },
    { "hubs", 0, 0, G_OPTION_ARG_INT, &o->hubs,
        "Run N hubs, each with its own controller pairing, opening recordings at the same time "
        "(default 1)",
        "N" },
    { "mode", 0, 0, G_OPTION_ARG_STRING, &o->mode,
        "Camera state to set: off, detect, stream or record (default record)", "MODE" },
    { "audio", 0, 0, G_OPTION_ARG_STRING, &o->audio,
        "RecordingAudioActive to set: on or off (default on)", "on|off" },
    { "no-configure", 0, 0, G_OPTION_ARG_NONE, &o->no_configure,
        "Keep the camera's selection and state; only receive recordings", NULL },
    { "doorbell", 0, 0, G_OPTION_ARG_NONE, &o->doorbell,
        "Select the doorbell trigger too, and record on doorbell presses", NULL },
    { "resolution", 0, 0, G_OPTION_ARG_STRING, &o->resolution,
        "Select this resolution (default 1920x1080 when offered, else the largest)", "WxH[@FPS]" },
    { "profile", 0, 0, G_OPTION_ARG_STRING, &o->profile,
        "Select this H.264 profile: baseline, main or high (default main when offered, else the "
        "highest)",
        "PROFILE" },
    { "level", 0, 0, G_OPTION_ARG_STRING, &o->level,
        "Select this H.264 level: 3.1, 3.2 or 4 (default the highest offered)", "LEVEL" },
    { "video-bitrate", 0, 0, G_OPTION_ARG_INT, &o->video_bitrate,
        "Selected video bitrate (default 2000)", "KBPS" },
    { "prebuffer", 0, 0, G_OPTION_ARG_INT, &o->prebuffer_ms,
        "Selected prebuffer length (default the camera's)", "MS" },
    { "fragment", 0, 0, G_OPTION_ARG_INT, &o->fragment_ms,
        "Selected fragment length (default the camera's first)", "MS" },
    { "audio-codec", 0, 0, G_OPTION_ARG_STRING, &o->audio_codec,
        "Select aac-lc or aac-eld (default aac-lc when offered)", "CODEC" },
    { "sample-rate", 0, 0, G_OPTION_ARG_INT, &o->sample_rate,
        "Selected audio sample rate in kHz: 8, 16, 24, 32, 44 or 48 (default 32 when offered)",
        "KHZ" },
    { "audio-bitrate", 0, 0, G_OPTION_ARG_INT, &o->audio_bitrate,
        "Selected maximum audio bitrate (default 64)", "KBPS" },
    { "close-delay", 0, 0, G_OPTION_ARG_DOUBLE, &o->close_delay_s,
        "Close a recording S seconds after motion ends unless the camera ended it (default 8)",
        "S" },
    { "fragment-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &o->fragment_timeout_s,
        "Fail a recording that sends nothing for S seconds (default 5, as hubs)", "S" },
    { "max-duration", 0, 0, G_OPTION_ARG_INT, &o->max_duration_s,
        "Close a recording after S seconds (default 180)", "S" },
    { "max-size", 0, 0, G_OPTION_ARG_INT, &o->max_mb,
        "Fail and close a recording larger than MB megabytes (default 256)", "MB" },
    { "lenient", 0, 0, G_OPTION_ARG_NONE, &o->lenient,
        "Only the media rules hubs need, not the comparison with the real camera's layout", NULL },
    { "open-reason", 0, 0, G_OPTION_ARG_STRING, &o->open_reason,
        "The reason string of dataSend open (default: the trigger, motion or doorbell)", "TEXT" },
    { NULL },
  };
  return g_memdup2 (entries, sizeof entries);
}

/* ---- selection preferences from the options ---- */

static gboolean
prefs_from_options (const HubRecordOptions *o, HapHksvSelectionPrefs *prefs, GError **error)
{
  hap_hksv_selection_prefs_init (prefs);
  if (o->resolution != NULL) {
    guint w = 0, h = 0, fps = 0;
    gchar tail;
    gboolean parsed = strchr (o->resolution, '@')
                          ? sscanf (o->resolution, "%ux%u@%u%c", &w, &h, &fps, &tail) == 3
                          : sscanf (o->resolution, "%ux%u%c", &w, &h, &tail) == 2;
    if (!parsed) {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
          "--resolution %s: expected WxH or WxH@FPS", o->resolution);
      return FALSE;
    }
    if (w == 0 || h == 0 || w > 65535 || h > 65535 || fps > 255) {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--resolution %s: out of range",
          o->resolution);
      return FALSE;
    }
    prefs->width = w;
    prefs->height = h;
    prefs->fps = fps;
  }
  if (o->profile != NULL) {
    static const gchar *names[] = { "baseline", "main", "high" };
    prefs->profile = -2;
    for (guint i = 0; i < G_N_ELEMENTS (names); i++)
      if (g_ascii_strcasecmp (o->profile, names[i]) == 0)
        prefs->profile = (gint) i;
    if (prefs->profile == -2) {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
          "--profile %s: expected baseline, main or high", o->profile);
      return FALSE;
    }
  }
  if (o->level != NULL) {
    static const gchar *names[] = { "3.1", "3.2", "4" };
    prefs->level = -2;
    for (guint i = 0; i < G_N_ELEMENTS (names); i++)
      if (g_str_equal (o->level, names[i]) || (i == 2 && g_str_equal (o->level, "4.0")))
        prefs->level = (gint) i;
    if (prefs->level == -2) {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
          "--level %s: expected 3.1, 3.2 or 4", o->level);
      return FALSE;
    }
  }
  if (o->audio_codec != NULL) {
    if (g_ascii_strcasecmp (o->audio_codec, "aac-lc") == 0)
      prefs->audio_codec = HAP_CAMERA_AUDIO_CODEC_AAC_LC;
    else if (g_ascii_strcasecmp (o->audio_codec, "aac-eld") == 0)
      prefs->audio_codec = HAP_CAMERA_AUDIO_CODEC_AAC_ELD;
    else {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
          "--audio-codec %s: expected aac-lc or aac-eld", o->audio_codec);
      return FALSE;
    }
  }
  if (o->sample_rate != 0) {
    static const guint khz[] = { 8, 16, 24, 32, 44, 48 };
    prefs->sample_rate = -2;
    for (guint i = 0; i < G_N_ELEMENTS (khz); i++)
      if ((guint) o->sample_rate == khz[i])
        prefs->sample_rate = (gint) i;
    if (prefs->sample_rate == -2) {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
          "--sample-rate %d: expected 8, 16, 24, 32, 44 or 48", o->sample_rate);
      return FALSE;
    }
  }
  if (o->video_bitrate < 0 || o->audio_bitrate < 0 || o->prebuffer_ms < 0 || o->fragment_ms < 0) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "negative bitrate or length");
    return FALSE;
  }
  prefs->video_bitrate_kbps = (guint) o->video_bitrate;
  prefs->audio_bitrate_kbps = (guint) o->audio_bitrate;
  prefs->prebuffer_ms = (guint) o->prebuffer_ms;
  prefs->fragment_ms = (guint) o->fragment_ms;
  if (o->doorbell)
    prefs->event_triggers = HAP_CAMERA_EVENT_TRIGGER_MOTION | HAP_CAMERA_EVENT_TRIGGER_DOORBELL;
  return TRUE;
}

/* ---- writes ---- */

typedef struct {
  const gchar *name;
  guint64 iid;
  gint value;       /* 0/1, or -1 for `tlv` */
  const gchar *tlv; /* base64 */
} PlannedWrite;

/* The JSON value of `w` in the characteristic's format (bool or a number). */
static JsonNode *
write_value (const HapRemoteCharacteristic *c, const PlannedWrite *w)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);

  if (w->tlv != NULL)
    json_node_set_string (node, w->tlv);
  else if (c->format != NULL && g_str_equal (c->format, "bool"))
    json_node_set_boolean (node, w->value != 0);
  else
    json_node_set_int (node, w->value);
  return node;
}

/* Writes `planned` (plain writes in one PUT, "tw" ones in a timed write), reporting each. */
static gboolean
apply_writes (HubContext *ctx, HapClient *client, const HapRemoteDb *db, guint64 aid,
    const PlannedWrite *planned, guint n, JsonArray *report, GError **error)
{
  static guint64 next_pid = 1;

  for (gint timed = 0; timed <= 1; timed++) {
    g_autoptr (GArray) writes = g_array_new (FALSE, TRUE, sizeof (HapRemoteWrite));
    g_autoptr (GPtrArray) names = g_ptr_array_new ();
    g_autoptr (GArray) answer = NULL;
    guint64 pid = 0;

    for (guint i = 0; i < n; i++) {
      const HapRemoteCharacteristic *c
          = hap_remote_db_find_characteristic (db, aid, planned[i].iid);
      HapRemoteWrite w = { aid, planned[i].iid, NULL, -1, FALSE };

      if (c == NULL || ((c->perms & HAP_PERM_TW) != 0) != (timed != 0))
        continue;
      w.value = write_value (c, &planned[i]);
      g_array_append_val (writes, w);
      g_ptr_array_add (names, (gpointer) planned[i].name);
    }
    if (writes->len == 0)
      continue;
    if (timed) {
      pid = next_pid++ + (guint64) g_random_int_range (1, 1 << 30);
      if (!hap_client_prepare (client, 5000, pid, error))
        goto failed;
      answer = hap_client_write_timed (
          client, (HapRemoteWrite *) writes->data, writes->len, pid, error);
    } else {
      answer = hap_client_write (client, (HapRemoteWrite *) writes->data, writes->len, error);
    }
    if (answer == NULL)
      goto failed;
    for (guint i = 0; i < answer->len; i++) {
      const HapRemoteValue *v = &g_array_index (answer, HapRemoteValue, i);
      const gchar *name = g_ptr_array_index (names, i);
      g_autoptr (JsonObject) o = json_object_new ();
      g_autofree gchar *shown
          = hap_remote_json_to_display (g_array_index (writes, HapRemoteWrite, i).value);

      json_object_set_string_member (o, "characteristic", name);
      json_object_set_int_member (o, "iid", (gint64) v->iid);
      json_object_set_boolean_member (o, "timed", timed);
      json_object_set_int_member (o, "status", v->status);
      json_array_add_object_element (report, g_steal_pointer (&o));
      if (v->status != 0) {
        g_set_error (error, HAP_CLIENT_ERROR, HAP_CLIENT_ERROR_STATUS,
            "writing %s (iid %" G_GUINT64_FORMAT "): HAP status %" G_GINT64_FORMAT " (%s)", name,
            v->iid, v->status, hap_status_to_string ((HapStatus) v->status));
        goto failed;
      }
      hub_note (ctx, "wrote %s = %s%s", name, shown, timed ? " (timed write)" : "");
    }
    for (guint i = 0; i < writes->len; i++)
      json_node_unref (g_array_index (writes, HapRemoteWrite, i).value);
    continue;

  failed:
    for (guint i = 0; i < writes->len; i++)
      json_node_unref (g_array_index (writes, HapRemoteWrite, i).value);
    return FALSE;
  }
  return TRUE;
}

static gboolean
mode_values (const gchar *mode, gint *rtp, gint *camera, gint *recording)
{
  static const struct {
    const gchar *name;
    gint rtp, camera, recording;
  } modes[] = {
    { "off", 0, 0, 0 },
    { "detect", 0, 1, 0 },
    { "stream", 1, 1, 0 },
    { "record", 1, 1, 1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (modes); i++) {
    if (g_str_equal (mode, modes[i].name)) {
      *rtp = modes[i].rtp;
      *camera = modes[i].camera;
      *recording = modes[i].recording;
      return TRUE;
    }
  }
  return FALSE;
}

/* Reads one tlv8 characteristic; NULL with `error` (a HAP status is _STATUS). */
static GBytes *
read_tlv (HapClient *client, guint64 aid, guint64 iid, const gchar *name, GError **error)
{
  HapRemoteId id = { aid, iid };
  g_autoptr (GArray) values = hap_client_read (client, &id, 1, error);
  const HapRemoteValue *v;
  GBytes *bytes;

  if (values == NULL)
    return NULL;
  v = &g_array_index (values, HapRemoteValue, 0);
  if (v->status != 0) {
    g_set_error (error, HAP_CLIENT_ERROR, HAP_CLIENT_ERROR_STATUS,
        "reading %s: HAP status %" G_GINT64_FORMAT " (%s)", name, v->status,
        hap_status_to_string ((HapStatus) v->status));
    return NULL;
  }
  bytes = hap_remote_json_get_bytes (v->value);
  if (bytes == NULL)
    g_set_error (error, HAP_CLIENT_ERROR, HAP_CLIENT_ERROR_PROTOCOL,
        "reading %s: the value is not base64", name);
  return bytes;
}

static gboolean
read_flag (HapClient *client, guint64 aid, guint64 iid, gboolean *out, GError **error)
{
  HapRemoteId id = { aid, iid };
  g_autoptr (GArray) values = hap_client_read (client, &id, 1, error);
  const HapRemoteValue *v;

  if (values == NULL)
    return FALSE;
  v = &g_array_index (values, HapRemoteValue, 0);
  if (v->status != 0 || !hap_remote_json_get_bool (v->value, out)) {
    g_set_error (error, HAP_CLIENT_ERROR, HAP_CLIENT_ERROR_PROTOCOL,
        "RecordingAudioActive: no 0/1 value (status %" G_GINT64_FORMAT ")", v->status);
    return FALSE;
  }
  return TRUE;
}

static gchar *
base64_of (GBytes *bytes)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  return g_base64_encode (data, len);
}

/* Hub 1's part: the profile, then the selection and the camera state as a hub writes them. */
static gboolean
configure (HubContext *ctx, HapClient *client, HubShared *shared, GError **error)
{
  const HubRecordOptions *o = shared->opt;
  g_autoptr (HapRemoteDb) db = NULL;
  g_autoptr (HapHksvReport) profile = NULL;
  g_autoptr (GBytes) selected = NULL;
  g_autoptr (GBytes) back = NULL;
  g_autoptr (JsonArray) writes = json_array_new ();
  g_autoptr (GArray) values = NULL;
  g_autofree gchar *description = NULL;
  g_autofree gchar *b64 = NULL;
  HapCameraSelectedConfig sel;
  HapHksvCamera *cam = &shared->camera;
  gboolean ok;

  db = hap_client_get_accessories (client, error);
  if (db == NULL)
    return FALSE;
  /* Some peers leave tlv8 values out of /accessories. */
  values = hub_read_missing_values (client, db, NULL);
  profile = hap_hksv_profile_check (db, 0, values);
  *cam = profile->camera;
  json_object_set_int_member (ctx->report, "profile_failed", profile->n_failed);
  if (profile->n_failed > 0) {
    for (guint i = 0; i < profile->checks->len; i++) {
      const HapHksvCheck *c = g_ptr_array_index (profile->checks, i);
      if (c->status == HAP_HKSV_CHECK_MISSING || c->status == HAP_HKSV_CHECK_WRONG)
        hub_note (ctx, "profile: %s %s %s", hap_hksv_check_status_to_string (c->status), c->item,
            c->detail);
    }
  }
  if (cam->motion_detected == 0 || cam->setup_transport == 0 || cam->selected == 0
      || cam->recording_active == 0) {
    g_set_error (error, HAP_CLIENT_ERROR, HAP_CLIENT_ERROR_STATUS,
        "the accessory lacks what a hub needs to record (MotionDetected, "
        "SetupDataStreamTransport, SelectedCameraRecordingConfiguration, recording Active): run "
        "`hksv-hub inspect`");
    return FALSE;
  }

  if (o->no_configure) {
    selected
        = read_tlv (client, cam->aid, cam->selected, "SelectedCameraRecordingConfiguration", error);
    if (selected == NULL) {
      g_prefix_error (error, "--no-configure needs a selection on the camera: ");
      return FALSE;
    }
    if (hap_camera_selected_config_parse (
            g_bytes_get_data (selected, NULL), g_bytes_get_size (selected), &sel, error)
        != HAP_PARSE_OK) {
      g_prefix_error (error, "the camera's SelectedCameraRecordingConfiguration: ");
      return FALSE;
    }
    if (cam->recording_audio_active != 0
        && !read_flag (client, cam->aid, cam->recording_audio_active, &shared->audio_active, error))
      return FALSE;
  } else {
    HapHksvSelectionPrefs prefs;
    gint rtp = 1, camera_active = 1, recording = 1;
    g_autoptr (GArray) planned = g_array_new (FALSE, TRUE, sizeof (PlannedWrite));
    PlannedWrite w;

    if (!cam->has_recording || !cam->has_video || !cam->has_audio) {
      g_set_error (error, HAP_CLIENT_ERROR, HAP_CLIENT_ERROR_STATUS,
          "the Supported recording configurations do not decode: run `hksv-hub inspect`");
      return FALSE;
    }
    if (!prefs_from_options (o, &prefs, error))
      return FALSE;
    if (!hap_hksv_choose_selection (
            &cam->recording, &cam->video, &cam->audio, &prefs, &sel, error)) {
      g_prefix_error (error, "choosing a recording configuration: ");
      return FALSE;
    }
    selected = hap_camera_selected_config_build (&sel, error);
    if (selected == NULL)
      return FALSE;
    b64 = base64_of (selected);
    shared->audio_active = o->audio == NULL || g_str_equal (o->audio, "on");

    w = (PlannedWrite){ "SelectedCameraRecordingConfiguration", cam->selected, -1, b64 };
    g_array_append_val (planned, w);
    if (!apply_writes (
            ctx, client, db, cam->aid, (PlannedWrite *) planned->data, planned->len, writes, error))
      goto failed_writes;
    g_array_set_size (planned, 0);
    /* The selection must read back exactly as written (PROTOCOL.md section 6). */
    back
        = read_tlv (client, cam->aid, cam->selected, "SelectedCameraRecordingConfiguration", error);
    if (back == NULL)
      goto failed_writes;
    json_object_set_boolean_member (
        ctx->report, "selection_reads_back", g_bytes_equal (back, selected));
    if (!g_bytes_equal (back, selected))
      hub_note (ctx,
          "check failed: SelectedCameraRecordingConfiguration reads back other bytes than "
          "were written");

    mode_values (o->mode ? o->mode : "record", &rtp, &camera_active, &recording);
    for (guint i = 0; i < cam->n_rtp; i++) {
      w = (PlannedWrite){ "CameraRTPStreamManagement.Active", cam->rtp_active[i], rtp, NULL };
      g_array_append_val (planned, w);
    }
    if (cam->homekit_camera_active) {
      w = (PlannedWrite){ "HomeKitCameraActive", cam->homekit_camera_active, camera_active, NULL };
      g_array_append_val (planned, w);
    }
    if (cam->recording_audio_active) {
      w = (PlannedWrite){ "RecordingAudioActive", cam->recording_audio_active,
        shared->audio_active ? 1 : 0, NULL };
      g_array_append_val (planned, w);
    }
    w = (PlannedWrite){ "CameraEventRecordingManagement.Active", cam->recording_active, recording,
      NULL };
    g_array_append_val (planned, w);
    if (!apply_writes (
            ctx, client, db, cam->aid, (PlannedWrite *) planned->data, planned->len, writes, error))
      goto failed_writes;
    json_object_set_string_member (ctx->report, "mode", o->mode ? o->mode : "record");
  }
  json_object_set_array_member (ctx->report, "writes", g_steal_pointer (&writes));
  shared->selection = sel;
  shared->triggers = sel.general.event_triggers;
  if (o->doorbell)
    shared->triggers |= HAP_CAMERA_EVENT_TRIGGER_DOORBELL;
  description = hap_hksv_describe_selected (&sel);
  g_free (b64);
  b64 = base64_of (selected);
  json_object_set_string_member (ctx->report, "selection", b64);
  json_object_set_string_member (ctx->report, "selection_text", description);
  json_object_set_boolean_member (ctx->report, "audio_active", shared->audio_active);
  hub_print (ctx, "selection: %s", description);
  hub_print (ctx, "recording audio: %s", shared->audio_active ? "on" : "off");
  ok = TRUE;
  return ok;

failed_writes:
  json_object_set_array_member (ctx->report, "writes", g_steal_pointer (&writes));
  return FALSE;
}

/* Makes sure identities 1..hubs-1 exist and are paired (through the admin session). */
static gboolean
pair_extra_hubs (HubContext *ctx, HapControllerStore *store, HapClient *admin,
    HapAccessoryRecord *record, guint hubs, GError **error)
{
  gboolean changed = FALSE;

  for (guint i = 1; i < hubs; i++) {
    HapControllerIdentity identity;

    if (!hap_controller_store_get_identity (store, i, TRUE, &identity, error))
      return FALSE;
    if (!(record->controllers & (1u << i))) {
      /* Home hubs are admins of the home (they manage pairings of other controllers). */
      if (!hap_client_add_pairing (
              admin, identity.id, identity.ltpk, HAP_PAIRING_PERM_ADMIN, error)) {
        hap_controller_identity_clear (&identity);
        g_prefix_error (error, "adding hub %u's pairing: ", i + 1);
        return FALSE;
      }
      record->controllers |= 1u << i;
      changed = TRUE;
      hub_note (ctx, "paired hub %u (%s) through /pairings", i + 1, identity.id);
    }
    hap_controller_identity_clear (&identity);
  }
  return !changed || hap_controller_store_save (store, record, error);
}

void
hub_checker_options (const HubShared *shared, HksvMp4CheckOptions *options)
{
  memset (options, 0, sizeof *options);
  options->fragment_ms = shared->selection.general.container.fragment_length_ms;
  options->prebuffer_ms = shared->selection.general.prebuffer_ms;
  options->audio = shared->audio_active ? HKSV_MP4_AUDIO_YES : HKSV_MP4_AUDIO_NO;
  options->lenient = shared->opt->lenient;
}

int
hub_cmd_record (HubContext *ctx, HubRecordOptions *o, int argc, char **argv)
{
  g_autoptr (HapControllerStore) store = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonArray) hubs_json = json_array_new ();
  HapAccessoryRecord record;
  HubShared shared = { 0 };
  HubState *hubs;
  GThread **threads;
  HapClient *admin;
  guint n_ok = 0, n_failed = 0;
  gboolean fatal = FALSE;
  gint dummy;
  int status;

  if (argc != 1) {
    hub_error (ctx, "usage: hksv-hub record --out DIR [--events N] [--timeout S]");
    return hub_finish (ctx, HUB_EXIT_USAGE);
  }
  if (o->out_dir == NULL) {
    hub_error (ctx, "--out DIR is required");
    return hub_finish (ctx, HUB_EXIT_USAGE);
  }
  if (o->events < 1 || o->hubs < 1 || o->hubs > HAP_CONTROLLER_MAX_IDENTITIES || o->timeout_s < 1
      || o->close_delay_s < 0 || o->fragment_timeout_s <= 0 || o->max_duration_s < 1
      || o->max_mb < 1) {
    hub_error (ctx, "--events, --hubs (1..32), --timeout, --fragment-timeout, --max-duration and "
                    "--max-size must be positive, --close-delay not negative");
    return hub_finish (ctx, HUB_EXIT_USAGE);
  }
  if (o->mode != NULL && !mode_values (o->mode, &dummy, &dummy, &dummy)) {
    hub_error (ctx, "--mode %s: expected off, detect, stream or record", o->mode);
    return hub_finish (ctx, HUB_EXIT_USAGE);
  }
  if (o->audio != NULL && !g_str_equal (o->audio, "on") && !g_str_equal (o->audio, "off")) {
    hub_error (ctx, "--audio %s: expected on or off", o->audio);
    return hub_finish (ctx, HUB_EXIT_USAGE);
  }
  {
    HapHksvSelectionPrefs prefs;
    if (!prefs_from_options (o, &prefs, &error)) {
      hub_error (ctx, "%s", error->message);
      return hub_finish (ctx, HUB_EXIT_USAGE);
    }
  }
  if (g_mkdir_with_parents (o->out_dir, 0755) != 0) {
    hub_error (ctx, "--out %s: %s", o->out_dir, g_strerror (errno));
    return hub_finish (ctx, HUB_EXIT_ERROR);
  }
  json_object_set_string_member (ctx->report, "out", o->out_dir);

  status = hub_open_accessory (ctx, &store, &record, &admin, NULL);
  if (status != HUB_EXIT_OK)
    return hub_finish (ctx, status);
  shared.ctx = ctx;
  shared.opt = o;
  shared.start_us = g_get_monotonic_time ();
  if (!configure (ctx, admin, &shared, &error)
      || !pair_extra_hubs (ctx, store, admin, &record, (guint) o->hubs, &error)) {
    hub_error (ctx, "%s", error->message);
    hap_client_free (admin);
    return hub_finish (ctx, hub_exit_for_error (error));
  }

  hubs = g_new0 (HubState, o->hubs);
  threads = g_new0 (GThread *, o->hubs);
  shared.wait_end_us = g_get_monotonic_time () + (gint64) o->timeout_s * G_USEC_PER_SEC;
  for (gint i = 0; i < o->hubs; i++) {
    hubs[i].shared = &shared;
    hubs[i].index = (guint) i;
    hubs[i].record = record;
    hubs[i].json = json_object_new ();
    if (!hap_controller_store_get_identity (store, (guint) i, FALSE, &hubs[i].identity, &error)) {
      hub_error (ctx, "identity %d: %s", i, error ? error->message : "missing");
      fatal = TRUE;
      break;
    }
  }
  hubs[0].hap = admin;
  for (gint i = 0; i < o->hubs && !fatal; i++) {
    g_autofree gchar *name = g_strdup_printf ("hub-%d", i + 1);
    threads[i] = g_thread_new (name, hub_stream_run, &hubs[i]);
  }
  for (gint i = 0; i < o->hubs; i++) {
    if (threads[i] != NULL)
      g_thread_join (threads[i]);
    n_ok += hubs[i].n_ok;
    n_failed += hubs[i].n_failed;
    fatal |= hubs[i].fatal;
    json_object_set_int_member (hubs[i].json, "hub", i + 1);
    json_object_set_string_member (hubs[i].json, "controller_id", hubs[i].identity.id);
    json_array_add_object_element (hubs_json, hubs[i].json);
    hap_client_free (hubs[i].hap);
    hap_controller_identity_clear (&hubs[i].identity);
  }
  g_free (threads);
  g_free (hubs);
  json_object_set_array_member (ctx->report, "hubs", g_steal_pointer (&hubs_json));
  json_object_set_int_member (ctx->report, "recordings_ok", n_ok);
  json_object_set_int_member (ctx->report, "recordings_failed", n_failed);
  hub_print (ctx, "%u recording%s passed, %u failed", n_ok, n_ok == 1 ? "" : "s", n_failed);
  if (fatal)
    return hub_finish (ctx, HUB_EXIT_ERROR);
  if (n_failed > 0 || n_ok < (guint) (o->events * o->hubs))
    return hub_finish (ctx, HUB_EXIT_CHECK_FAILED);
  return hub_finish (ctx, HUB_EXIT_OK);
}
