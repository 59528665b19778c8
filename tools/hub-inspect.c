/* hksv-hub inspect: the accessory database, and the HKSV profile checked on it. */
#include "tools/hub-commands.h"

#include "hap/characteristic-value.h"
#include "hap/hksv-profile.h"

static gchar *
perms_text (const HapRemoteCharacteristic *c)
{
  static const struct {
    guint bit;
    const gchar *name;
  } names[] = { { HAP_PERM_PR, "pr" }, { HAP_PERM_PW, "pw" }, { HAP_PERM_EV, "ev" },
    { HAP_PERM_AA, "aa" }, { HAP_PERM_TW, "tw" }, { HAP_PERM_HD, "hd" }, { HAP_PERM_WR, "wr" } };
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (c->perms & names[i].bit)
      g_string_append_printf (out, "%s%s", out->len ? "," : "", names[i].name);
  for (guint i = 0; i < c->unknown_perms->len; i++)
    g_string_append_printf (
        out, "%s%s?", out->len ? "," : "", (const gchar *) g_ptr_array_index (c->unknown_perms, i));
  return g_string_free (out, FALSE);
}

static JsonNode *
value_for (const HapRemoteCharacteristic *c, guint64 aid, const GArray *values, gint64 *status)
{
  const HapRemoteValue *v = values ? hap_remote_values_find (values, aid, c->iid) : NULL;

  *status = 0;
  if (v != NULL) {
    *status = v->status;
    return v->value;
  }
  return c->value;
}

/* Reads what /accessories left out (a note when that fails). */
static GArray *
read_missing_values (HubContext *ctx, HapClient *client, const HapRemoteDb *db)
{
  g_autoptr (GError) error = NULL;
  GArray *values = hub_read_missing_values (client, db, &error);

  if (values == NULL && error != NULL)
    hub_note (ctx, "reading the values /accessories left out failed: %s", error->message);
  return values;
}

static void
print_database (HubContext *ctx, const HapRemoteDb *db, const GArray *values, JsonObject *report)
{
  g_autoptr (JsonArray) accessories = json_array_new ();

  for (guint a = 0; a < db->accessories->len; a++) {
    const HapRemoteAccessory *acc = g_ptr_array_index (db->accessories, a);
    g_autoptr (JsonObject) jacc = json_object_new ();
    g_autoptr (JsonArray) jservices = json_array_new ();

    hub_print (ctx, "accessory %" G_GUINT64_FORMAT, acc->aid);
    json_object_set_int_member (jacc, "aid", (gint64) acc->aid);
    for (guint s = 0; s < acc->services->len; s++) {
      const HapRemoteService *svc = g_ptr_array_index (acc->services, s);
      g_autoptr (JsonObject) jsvc = json_object_new ();
      g_autoptr (JsonArray) jchars = json_array_new ();
      g_autoptr (GString) links = g_string_new (NULL);

      for (guint l = 0; l < svc->linked->len; l++)
        g_string_append_printf (links, "%s%" G_GUINT64_FORMAT, l ? "," : " linked ",
            g_array_index (svc->linked, guint64, l));
      hub_print (ctx, "  %4" G_GUINT64_FORMAT "  %s (%s)%s%s%s", svc->iid,
          hub_type_name (svc->type), svc->type, svc->primary ? " primary" : "",
          svc->hidden ? " hidden" : "", links->str);
      json_object_set_int_member (jsvc, "iid", (gint64) svc->iid);
      json_object_set_string_member (jsvc, "type", svc->type);
      json_object_set_string_member (jsvc, "name", hub_type_name (svc->type));
      json_object_set_boolean_member (jsvc, "primary", svc->primary);
      for (guint c = 0; c < svc->characteristics->len; c++) {
        const HapRemoteCharacteristic *ch = g_ptr_array_index (svc->characteristics, c);
        g_autoptr (JsonObject) jch = json_object_new ();
        g_autofree gchar *perms = perms_text (ch);
        gint64 status;
        JsonNode *value = value_for (ch, acc->aid, values, &status);
        g_autofree gchar *shown = NULL;

        if (status != 0)
          shown = g_strdup_printf ("(status %" G_GINT64_FORMAT " %s)", status,
              hap_status_to_string ((HapStatus) status));
        else
          shown = hap_remote_json_to_display (value);
        hub_print (ctx, "  %4" G_GUINT64_FORMAT "    %s (%s) %s [%s] = %s", ch->iid,
            hub_type_name (ch->type), ch->type, ch->format ? ch->format : "?", perms, shown);
        json_object_set_int_member (jch, "iid", (gint64) ch->iid);
        json_object_set_string_member (jch, "type", ch->type);
        json_object_set_string_member (jch, "name", hub_type_name (ch->type));
        if (ch->format)
          json_object_set_string_member (jch, "format", ch->format);
        json_object_set_string_member (jch, "perms", perms);
        if (value != NULL && status == 0)
          json_object_set_member (jch, "value", json_node_copy (value));
        if (status != 0)
          json_object_set_int_member (jch, "status", status);
        json_array_add_object_element (jchars, g_steal_pointer (&jch));
      }
      json_object_set_array_member (jsvc, "characteristics", g_steal_pointer (&jchars));
      json_array_add_object_element (jservices, g_steal_pointer (&jsvc));
    }
    json_object_set_array_member (jacc, "services", g_steal_pointer (&jservices));
    json_array_add_object_element (accessories, g_steal_pointer (&jacc));
  }
  json_object_set_array_member (report, "accessories", g_steal_pointer (&accessories));
}

static JsonObject *
recording_json (const HapCameraRecordingConfig *cfg)
{
  JsonObject *o = json_object_new ();
  JsonArray *containers = json_array_new ();

  json_object_set_int_member (o, "prebuffer_ms", cfg->prebuffer_ms);
  json_object_set_int_member (o, "event_triggers", (gint64) cfg->event_triggers);
  for (guint i = 0; i < cfg->n_containers; i++) {
    JsonObject *c = json_object_new ();
    json_object_set_int_member (c, "type", cfg->containers[i].type);
    json_object_set_int_member (c, "fragment_length_ms", cfg->containers[i].fragment_length_ms);
    json_array_add_object_element (containers, c);
  }
  json_object_set_array_member (o, "containers", containers);
  return o;
}

static JsonObject *
video_json (const HapCameraVideoConfig *cfg)
{
  JsonObject *o = json_object_new ();
  JsonArray *codecs = json_array_new ();

  for (guint i = 0; i < cfg->n_codecs; i++) {
    const HapCameraVideoCodecConfig *c = &cfg->codecs[i];
    JsonObject *jc = json_object_new ();
    JsonArray *profiles = json_array_new (), *levels = json_array_new (), *res = json_array_new ();

    json_object_set_int_member (jc, "codec", c->codec);
    for (guint k = 0; k < c->n_profiles; k++)
      json_array_add_int_element (profiles, c->profiles[k]);
    for (guint k = 0; k < c->n_levels; k++)
      json_array_add_int_element (levels, c->levels[k]);
    for (guint k = 0; k < c->n_attributes; k++) {
      JsonArray *r = json_array_new ();
      json_array_add_int_element (r, c->attributes[k].width);
      json_array_add_int_element (r, c->attributes[k].height);
      json_array_add_int_element (r, c->attributes[k].fps);
      json_array_add_array_element (res, r);
    }
    json_object_set_array_member (jc, "profiles", profiles);
    json_object_set_array_member (jc, "levels", levels);
    json_object_set_array_member (jc, "resolutions", res);
    json_array_add_object_element (codecs, jc);
  }
  json_object_set_array_member (o, "codecs", codecs);
  return o;
}

static JsonObject *
audio_json (const HapCameraAudioConfig *cfg)
{
  JsonObject *o = json_object_new ();
  JsonArray *codecs = json_array_new ();

  for (guint i = 0; i < cfg->n_codecs; i++) {
    const HapCameraAudioCodecConfig *c = &cfg->codecs[i];
    JsonObject *jc = json_object_new ();
    JsonArray *modes = json_array_new (), *rates = json_array_new ();

    json_object_set_int_member (jc, "codec", c->codec);
    json_object_set_int_member (jc, "channels", c->channels);
    for (guint k = 0; k < c->n_bitrate_modes; k++)
      json_array_add_int_element (modes, c->bitrate_modes[k]);
    for (guint k = 0; k < c->n_sample_rates; k++)
      json_array_add_int_element (rates, hap_camera_audio_sample_rate_to_hz (c->sample_rates[k]));
    json_object_set_array_member (jc, "bitrate_modes", modes);
    json_object_set_array_member (jc, "sample_rates_hz", rates);
    json_array_add_object_element (codecs, jc);
  }
  json_object_set_array_member (o, "codecs", codecs);
  return o;
}

static void
print_report (HubContext *ctx, const HapHksvReport *report, JsonObject *out)
{
  g_autoptr (JsonArray) checks = json_array_new ();

  hub_print (ctx, "\nHKSV profile (spec section 1; PROTOCOL.md sections 2 and 6):");
  hub_print (ctx, "  %-8s %-5s %-72s %s", "status", "iid", "item", "detail");
  for (guint i = 0; i < report->checks->len; i++) {
    const HapHksvCheck *c = g_ptr_array_index (report->checks, i);
    g_autoptr (JsonObject) jc = json_object_new ();
    g_autofree gchar *iid
        = c->iid ? g_strdup_printf ("%" G_GUINT64_FORMAT, c->iid) : g_strdup ("-");

    hub_print (ctx, "  %-8s %-5s %-72s %s", hap_hksv_check_status_to_string (c->status), iid,
        c->item, c->detail);
    json_object_set_string_member (jc, "item", c->item);
    json_object_set_string_member (jc, "status", hap_hksv_check_status_to_string (c->status));
    if (c->type)
      json_object_set_string_member (jc, "type", c->type);
    if (c->iid)
      json_object_set_int_member (jc, "iid", (gint64) c->iid);
    json_object_set_string_member (jc, "detail", c->detail);
    json_array_add_object_element (checks, g_steal_pointer (&jc));
  }
  hub_print (
      ctx, "\n%u failed (missing or wrong), %u warnings", report->n_failed, report->n_warnings);
  json_object_set_array_member (out, "checks", g_steal_pointer (&checks));
  json_object_set_int_member (out, "failed", report->n_failed);
  json_object_set_int_member (out, "warnings", report->n_warnings);
  if (report->camera.has_recording)
    json_object_set_object_member (
        out, "supported_recording", recording_json (&report->camera.recording));
  if (report->camera.has_video)
    json_object_set_object_member (out, "supported_video", video_json (&report->camera.video));
  if (report->camera.has_audio)
    json_object_set_object_member (out, "supported_audio", audio_json (&report->camera.audio));
}

int
hub_cmd_inspect (HubContext *ctx, int argc, char **argv)
{
  g_autoptr (HapControllerStore) store = NULL;
  g_autoptr (HapClient) client = NULL;
  g_autoptr (HapRemoteDb) db = NULL;
  g_autoptr (GArray) values = NULL;
  g_autoptr (HapHksvReport) report = NULL;
  HapAccessoryRecord record;
  int status;

  if (argc != 1) {
    hub_error (ctx, "usage: hksv-hub inspect");
    return hub_finish (ctx, HUB_EXIT_USAGE);
  }
  status = hub_open_accessory (ctx, &store, &record, &client, &db);
  if (status != HUB_EXIT_OK)
    return hub_finish (ctx, status);
  values = read_missing_values (ctx, client, db);
  print_database (ctx, db, values, ctx->report);
  report = hap_hksv_profile_check (db, 0, values);
  print_report (ctx, report, ctx->report);
  return hub_finish (ctx, report->n_failed > 0 ? HUB_EXIT_CHECK_FAILED : HUB_EXIT_OK);
}
