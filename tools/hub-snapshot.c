/* hksv-hub snapshot and watch: POST /resource, and the events of a paired accessory. */
#include "tools/hub-commands.h"

#include <glib/gstdio.h>

#include "hap/characteristic-value.h"

int
hub_cmd_snapshot (HubContext *ctx, gint reason, const gchar *out, guint width, guint height,
    int argc, char **argv)
{
  g_autoptr (HapControllerStore) store = NULL;
  g_autoptr (HapClient) client = NULL;
  g_autoptr (HapHttpResponse) response = NULL;
  g_autoptr (GError) error = NULL;
  HapAccessoryRecord record;
  const gchar *type;
  gsize len;
  const guint8 *jpeg;
  gint64 start;
  int status;

  if (argc != 1 || out == NULL || reason < -1 || reason > 1) {
    hub_error (ctx, "usage: hksv-hub snapshot --reason 0|1 --out FILE");
    return hub_finish (ctx, HUB_EXIT_USAGE);
  }
  status = hub_open_accessory (ctx, &store, &record, &client, NULL);
  if (status != HUB_EXIT_OK)
    return hub_finish (ctx, status);
  start = g_get_monotonic_time ();
  response = hap_client_resource (client, 0, width, height, reason, &error);
  if (response == NULL) {
    hub_error (ctx, "POST /resource: %s", error->message);
    return hub_finish (ctx, hub_exit_for_error (error));
  }
  json_object_set_int_member (ctx->report, "http_status", response->status);
  json_object_set_int_member (ctx->report, "elapsed_ms", (g_get_monotonic_time () - start) / 1000);
  if (response->status != 200) {
    g_autofree gchar *text = hap_client_describe_response (response);
    hub_error (ctx, "the accessory refused the snapshot (reason %d): %s", reason, text);
    return hub_finish (ctx, HUB_EXIT_CHECK_FAILED);
  }
  type = hap_http_response_get_header (response, "Content-Type");
  jpeg = g_bytes_get_data (response->body, &len);
  json_object_set_int_member (ctx->report, "bytes", (gint64) len);
  if (type != NULL)
    json_object_set_string_member (ctx->report, "content_type", type);
  if (!g_file_set_contents (out, (const gchar *) jpeg, (gssize) len, &error)) {
    hub_error (ctx, "%s", error->message);
    return hub_finish (ctx, HUB_EXIT_ERROR);
  }
  json_object_set_string_member (ctx->report, "file", out);
  if (len < 4 || jpeg[0] != 0xFF || jpeg[1] != 0xD8 || jpeg[len - 2] != 0xFF
      || jpeg[len - 1] != 0xD9) {
    hub_error (ctx, "saved %" G_GSIZE_FORMAT " bytes to %s, but they are not a JPEG (no SOI/EOI)",
        len, out);
    return hub_finish (ctx, HUB_EXIT_CHECK_FAILED);
  }
  if (type == NULL || !g_str_has_prefix (type, "image/jpeg"))
    hub_note (ctx, "warning: Content-Type is %s, not image/jpeg", type ? type : "missing");
  hub_print (ctx, "saved a %" G_GSIZE_FORMAT "-byte JPEG to %s", len, out);
  return hub_finish (ctx, HUB_EXIT_OK);
}

static const gchar *
char_name (const HapRemoteDb *db, guint64 aid, guint64 iid)
{
  const HapRemoteCharacteristic *ch = hap_remote_db_find_characteristic (db, aid, iid);

  return ch != NULL ? hub_type_name (ch->type) : "?";
}

/* An "ev": true write for every characteristic with notifications. */
static void
add_subscription (guint64 aid, const HapRemoteCharacteristic *ch, gpointer writes)
{
  HapRemoteWrite w = { aid, ch->iid, NULL, 1, FALSE };

  if (ch->perms & HAP_PERM_EV)
    g_array_append_val ((GArray *) writes, w);
}

int
hub_cmd_watch (HubContext *ctx, gint events, gint timeout_s, int argc, char **argv)
{
  g_autoptr (HapControllerStore) store = NULL;
  g_autoptr (HapClient) client = NULL;
  g_autoptr (HapRemoteDb) db = NULL;
  g_autoptr (GArray) writes = g_array_new (FALSE, TRUE, sizeof (HapRemoteWrite));
  g_autoptr (GArray) answer = NULL;
  g_autoptr (JsonArray) received = json_array_new ();
  g_autoptr (GError) error = NULL;
  HapAccessoryRecord record;
  gint64 end_us;
  gint n = 0;
  int status;

  if (argc != 1) {
    hub_error (ctx, "usage: hksv-hub watch [--events N] [--timeout S]");
    return hub_finish (ctx, HUB_EXIT_USAGE);
  }
  status = hub_open_accessory (ctx, &store, &record, &client, &db);
  if (status != HUB_EXIT_OK)
    return hub_finish (ctx, status);
  hap_remote_db_foreach_characteristic (db, add_subscription, writes);
  if (writes->len == 0) {
    hub_error (ctx, "the accessory has no characteristic with notifications (ev)");
    return hub_finish (ctx, HUB_EXIT_CHECK_FAILED);
  }
  answer = hap_client_write (client, (HapRemoteWrite *) writes->data, writes->len, &error);
  if (answer == NULL) {
    hub_error (ctx, "subscribing: %s", error->message);
    return hub_finish (ctx, hub_exit_for_error (error));
  }
  for (guint i = 0; i < answer->len; i++) {
    const HapRemoteValue *v = &g_array_index (answer, HapRemoteValue, i);
    if (v->status != 0)
      hub_note (ctx,
          "subscribing to %" G_GUINT64_FORMAT ".%" G_GUINT64_FORMAT
          " (%s): HAP status %" G_GINT64_FORMAT " (%s)",
          v->aid, v->iid, char_name (db, v->aid, v->iid), v->status,
          hap_status_to_string ((HapStatus) v->status));
  }
  hub_note (ctx, "watching %u characteristics of %s%s", writes->len, record.accessory_id,
      timeout_s > 0 ? "" : " (until interrupted)");
  end_us
      = timeout_s > 0 ? g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC : G_MAXINT64;
  while (events <= 0 || n < events) {
    g_autoptr (GArray) values = NULL;
    g_autoptr (GError) local = NULL;
    gint64 left = end_us - g_get_monotonic_time ();
    guint wait_ms = end_us == G_MAXINT64 ? 3600 * 1000 : (guint) MAX (left / 1000, 0);

    if (left <= 0)
      break;
    values = hap_client_next_event (client, wait_ms, &local);
    if (values == NULL) {
      if (g_error_matches (local, HAP_CLIENT_ERROR, HAP_CLIENT_ERROR_TIMEOUT))
        continue;
      hub_error (ctx, "%s", local->message);
      json_object_set_array_member (ctx->report, "events", g_steal_pointer (&received));
      return hub_finish (ctx, hub_exit_for_error (local));
    }
    for (guint i = 0; i < values->len; i++) {
      const HapRemoteValue *v = &g_array_index (values, HapRemoteValue, i);
      g_autofree gchar *now = hub_now_text ();
      g_autofree gchar *shown = hap_remote_json_to_display (v->value);
      g_autoptr (JsonObject) o = json_object_new ();

      hub_print (ctx, "%s %" G_GUINT64_FORMAT ".%" G_GUINT64_FORMAT " %s = %s", now, v->aid, v->iid,
          char_name (db, v->aid, v->iid), shown);
      json_object_set_string_member (o, "time", now);
      json_object_set_int_member (o, "aid", (gint64) v->aid);
      json_object_set_int_member (o, "iid", (gint64) v->iid);
      json_object_set_string_member (o, "name", char_name (db, v->aid, v->iid));
      if (v->value)
        json_object_set_member (o, "value", json_node_copy (v->value));
      json_array_add_object_element (received, g_steal_pointer (&o));
    }
    n++;
  }
  json_object_set_int_member (ctx->report, "event_messages", n);
  json_object_set_array_member (ctx->report, "events", g_steal_pointer (&received));
  if (events > 0 && n < events) {
    hub_error (ctx, "timed out: %d of %d event messages", n, events);
    return hub_finish (ctx, HUB_EXIT_CHECK_FAILED);
  }
  return hub_finish (ctx, HUB_EXIT_OK);
}
