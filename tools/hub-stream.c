/* hksv-hub record: one hub's event loop. Subscribes to the triggers, and on each one sets up the
 * data stream (SetupDataStreamTransport, HDS connection, hello), opens a dataSend stream,
 * receives and acknowledges it as a hub does and closes it when motion has ended; each
 * recording (tools/hub-recording.h) is written and checked chunk by chunk as it arrives. */
#include "tools/hub-record.h"
#include "tools/hub-recording.h"

#include <string.h>

#include "hap/characteristic-value.h"
#include "hap/datastream-tlv.h"
#include "hap/hds-client.h"

typedef struct {
  HubState *state;
  HubShared *shared;
  HubContext *ctx;
  const HubRecordOptions *opt;
  HapHdsClient *hds;
  HubRecording *rec;
  guint handled;
  gint64 next_stream_id;
  gchar *prefix; /* "[hub 2] " with several hubs, else "" */
  JsonArray *recordings;
} Hub;

/* ---- output ---- */

#define say(h, ...) hub_print_prefixed (h, FALSE, __VA_ARGS__)
#define note(h, ...) hub_print_prefixed (h, TRUE, __VA_ARGS__)

static void hub_print_prefixed (Hub *h, gboolean diagnostic, const gchar *format, ...)
    G_GNUC_PRINTF (3, 4);

static void
hub_print_prefixed (Hub *h, gboolean diagnostic, const gchar *format, ...)
{
  va_list args;
  g_autofree gchar *text = NULL;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  if (diagnostic)
    hub_note (h->ctx, "%s%s", h->prefix, text);
  else
    hub_print (h->ctx, "%s%s", h->prefix, text);
}

/* ---- the data stream ---- */

static void
drop_hds (Hub *h)
{
  g_clear_pointer (&h->hds, hap_hds_client_free);
}

/* SetupDataStreamTransport (write with response), HDS connection, hello. */
static gboolean
ensure_hds (Hub *h, GError **error)
{
  const HapHksvCamera *cam = &h->shared->camera;
  HapClient *hap = h->state->hap;
  guint8 controller_salt[HAP_HDS_SALT_LEN], a2c[32], c2a[32];
  g_autoptr (GBytes) request = NULL;
  g_autoptr (GBytes) response_tlv = NULL;
  g_autoptr (GArray) answer = NULL;
  g_autofree gchar *b64 = NULL;
  HapDatastreamSetupResponse response;
  HapRemoteWrite w = { cam->aid, cam->setup_transport, NULL, -1, TRUE };
  const HapRemoteValue *v;
  const gchar *host;

  if (h->hds != NULL)
    return TRUE;
  for (guint i = 0; i < sizeof controller_salt; i += 4) {
    guint32 r = g_random_int ();
    memcpy (controller_salt + i, &r, 4);
  }
  request = hap_datastream_setup_request_build (controller_salt);
  b64 = g_base64_encode (g_bytes_get_data (request, NULL), g_bytes_get_size (request));
  w.value = json_node_new (JSON_NODE_VALUE);
  json_node_set_string (w.value, b64);
  answer = hap_client_write (hap, &w, 1, error);
  json_node_unref (w.value);
  if (answer == NULL) {
    g_prefix_error (error, "SetupDataStreamTransport: ");
    return FALSE;
  }
  v = &g_array_index (answer, HapRemoteValue, 0);
  if (v->status != 0) {
    g_set_error (error, HAP_CLIENT_ERROR, HAP_CLIENT_ERROR_STATUS,
        "SetupDataStreamTransport: HAP status %" G_GINT64_FORMAT " (%s)", v->status,
        hap_status_to_string ((HapStatus) v->status));
    return FALSE;
  }
  response_tlv = hap_remote_json_get_bytes (v->value);
  if (response_tlv == NULL) {
    g_set_error (error, HAP_CLIENT_ERROR, HAP_CLIENT_ERROR_PROTOCOL,
        "SetupDataStreamTransport: the write response has no base64 value (\"r\":true needs one)");
    return FALSE;
  }
  if (hap_datastream_setup_response_parse (
          g_bytes_get_data (response_tlv, NULL), g_bytes_get_size (response_tlv), &response, error)
      != HAP_PARSE_OK) {
    g_prefix_error (error, "SetupDataStreamTransport response: ");
    return FALSE;
  }
  if (response.status != HAP_DATASTREAM_STATUS_SUCCESS) {
    g_set_error (error, HAP_CLIENT_ERROR, HAP_CLIENT_ERROR_STATUS,
        "SetupDataStreamTransport: the accessory answered status %u (%s)", response.status,
        hap_datastream_status_to_string (response.status));
    return FALSE;
  }
  hap_hds_derive_keys (
      hap_client_get_shared_secret (hap), controller_salt, response.accessory_salt, a2c, c2a);
  host = hap_client_get_host (hap);
  h->hds = hap_hds_client_connect (host, response.port, a2c, c2a, hub_timeout_ms (h->ctx), error);
  memset (a2c, 0, sizeof a2c);
  memset (c2a, 0, sizeof c2a);
  if (h->hds == NULL) {
    g_prefix_error (error, "HDS connection to port %u: ", response.port);
    return FALSE;
  }
  if (!hap_hds_client_hello (h->hds, error)) {
    drop_hds (h);
    return FALSE;
  }
  note (h, "data stream ready on port %u", response.port);
  return TRUE;
}

static void
send_close (Hub *h, HubRecording *rec, HapHdsDataSendReason reason)
{
  g_autoptr (HapHdsValue) body = hap_hds_data_send_close_build (rec->stream_id, reason);
  g_autoptr (GError) error = NULL;

  rec->closed_by_hub = TRUE;
  rec->hub_close_reason = reason;
  if (h->hds != NULL
      && !hap_hds_client_send_event (
          h->hds, HAP_HDS_PROTOCOL_DATA_SEND, HAP_HDS_TOPIC_CLOSE, body, &error)) {
    note (h, "sending dataSend close: %s", error->message);
    drop_hds (h);
  }
}

/* ---- recordings (tools/hub-recording.h) ---- */

/* Ends `h->rec`: checks, report, counts. */
static void
finish_recording (Hub *h)
{
  g_autoptr (GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  JsonObject *report = NULL;
  gboolean ok = hub_recording_finish (h->rec, &report, lines);

  for (guint i = 0; i < lines->len; i++)
    say (h, "%s", (const gchar *) g_ptr_array_index (lines, i));
  json_array_add_object_element (h->recordings, report);
  if (ok)
    h->state->n_ok++;
  else
    h->state->n_failed++;
  hub_recording_free (h->rec);
  h->rec = NULL;
}

static void
start_recording (Hub *h, const gchar *trigger)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HapHdsValue) body = NULL;
  const gchar *reason = h->opt->open_reason ? h->opt->open_reason : trigger;
  HksvMp4CheckOptions options;
  HubRecording *rec;

  h->handled++;
  hub_checker_options (h->shared, &options);
  rec = h->rec = hub_recording_new ((guint) g_atomic_int_add (&h->shared->next_number, 1) + 1,
      trigger, h->next_stream_id++, &options, h->opt->out_dir);
  say (h, "%s: starting recording %04u", trigger, rec->number);
  if (!ensure_hds (h, &error)) {
    hub_recording_fail (rec, "%s", error->message);
    finish_recording (h);
    return;
  }
  rec->hds_ready_us = g_get_monotonic_time ();
  if (!hub_recording_open_files (rec)) {
    finish_recording (h);
    return;
  }
  body = hap_hds_data_send_open_build ("controller", "ipcamera.recording", rec->stream_id, reason);
  if (!hap_hds_client_send_request (
          h->hds, HAP_HDS_PROTOCOL_DATA_SEND, HAP_HDS_TOPIC_OPEN, body, &rec->open_id, &error)) {
    hub_recording_fail (rec, "sending dataSend open: %s", error->message);
    drop_hds (h);
    finish_recording (h);
    return;
  }
  rec->open_sent_us = g_get_monotonic_time ();
  rec->state = HUB_REC_OPENING;
  rec->open_status = -1;
  rec->cap_us = rec->open_sent_us + (gint64) h->opt->max_duration_s * G_USEC_PER_SEC;
}

/* ---- messages from the accessory ---- */

static void
on_open_response (Hub *h, HapHdsIncoming *in)
{
  HubRecording *rec = h->rec;
  g_autoptr (GError) error = NULL;
  gint64 status = 0;

  if (!hap_hds_data_send_open_response_parse (in->message, &status, &error)) {
    hub_recording_fail (rec, "the dataSend open response is malformed: %s", error->message);
    rec->state = HUB_REC_DONE;
    return;
  }
  if (in->header.status != HAP_HDS_STATUS_SUCCESS || status != 0) {
    rec->open_status = status;
    hub_recording_fail (rec,
        "the accessory refused dataSend open: header status %" G_GINT64_FORMAT " (%s), "
        "reason %" G_GINT64_FORMAT " (%s)",
        in->header.status, hap_hds_status_to_string (in->header.status), status,
        hap_hds_data_send_reason_to_string (status));
    rec->state = HUB_REC_DONE;
    return;
  }
  rec->open_accepted_us = in->arrival_us;
  rec->last_data_us = in->arrival_us;
  rec->state = HUB_REC_STREAMING;
}

static void
on_data (Hub *h, HapHdsIncoming *in)
{
  HubRecording *rec = h->rec;
  g_autoptr (GError) error = NULL;
  HapHdsDataSendData data = { 0 };
  gint64 stream_id;

  if (!hap_hds_value_dict_get_int (in->message, "streamId", &stream_id) || rec == NULL
      || stream_id != rec->stream_id || rec->state == HUB_REC_DONE) {
    note (h, "ignored a dataSend data event for no open stream");
    if (rec != NULL)
      rec->late_messages++;
    return;
  }
  if (rec->state == HUB_REC_OPENING) {
    hub_recording_fail (rec, "dataSend data arrived before the response to dataSend open");
    rec->state = HUB_REC_STREAMING;
  }
  if (!hap_hds_data_send_data_parse (in->message, &data, &error)) {
    hub_recording_fail (rec, "a dataSend data event is malformed: %s", error->message);
    send_close (h, rec, HAP_HDS_DATA_SEND_PROTOCOL_ERROR);
    rec->state = HUB_REC_DONE;
    hap_hds_data_send_data_clear (&data);
    return;
  }
  rec->last_data_us = in->arrival_us;
  for (guint i = 0; i < data.packets->len; i++) {
    const HapHdsDataSendPacket *p = &g_array_index (data.packets, HapHdsDataSendPacket, i);
    hub_recording_take_packet (
        rec, p, data.end_of_stream && i + 1 == data.packets->len, in->arrival_us);
  }
  /* A stream that never ends must not fill the disk (or the checker's fragment buffer). */
  if (rec->bytes > (guint64) h->opt->max_mb * 1024 * 1024) {
    hub_recording_fail (rec, "the recording exceeds --max-size %d MB", h->opt->max_mb);
    send_close (h, rec, HAP_HDS_DATA_SEND_BAD_DATA);
    rec->state = HUB_REC_DONE;
    hap_hds_data_send_data_clear (&data);
    return;
  }
  if (data.end_of_stream) {
    g_autoptr (HapHdsValue) ack = hap_hds_data_send_ack_build (rec->stream_id, TRUE);
    rec->end_of_stream = TRUE;
    if (!hap_hds_client_send_event (
            h->hds, HAP_HDS_PROTOCOL_DATA_SEND, HAP_HDS_TOPIC_ACK, ack, &error)) {
      hub_recording_fail (rec, "sending dataSend ack: %s", error->message);
      drop_hds (h);
    }
    rec->state = HUB_REC_DONE;
  }
  hap_hds_data_send_data_clear (&data);
}

static void
on_close (Hub *h, HapHdsIncoming *in)
{
  HubRecording *rec = h->rec;
  g_autoptr (GError) error = NULL;
  gint64 stream_id = 0, reason = 0;

  if (!hap_hds_data_send_close_parse (in->message, &stream_id, &reason, &error)) {
    if (rec != NULL)
      hub_recording_fail (rec, "a dataSend close event is malformed: %s", error->message);
    return;
  }
  if (rec == NULL || stream_id != rec->stream_id || rec->state == HUB_REC_DONE) {
    note (h, "dataSend close for stream %" G_GINT64_FORMAT " that is not open", stream_id);
    return;
  }
  rec->closed_by_accessory = TRUE;
  rec->accessory_close_reason = reason;
  if (reason != HAP_HDS_DATA_SEND_NORMAL)
    hub_recording_fail (rec,
        "the accessory closed the stream with reason %" G_GINT64_FORMAT " (%s)", reason,
        hap_hds_data_send_reason_to_string (reason));
  else if (!rec->end_of_stream)
    hub_recording_fail (rec, "the accessory closed the stream (reason normal) without endOfStream");
  rec->state = HUB_REC_DONE;
}

static void
on_hds_message (Hub *h, HapHdsIncoming *in)
{
  const HapHdsHeader *hd = &in->header;
  HubRecording *rec = h->rec;

  if (hap_hds_header_matches (
          hd, HAP_HDS_KIND_RESPONSE, HAP_HDS_PROTOCOL_DATA_SEND, HAP_HDS_TOPIC_OPEN)
      && rec != NULL && rec->state == HUB_REC_OPENING && hd->id == rec->open_id) {
    on_open_response (h, in);
  } else if (hap_hds_header_matches (
                 hd, HAP_HDS_KIND_EVENT, HAP_HDS_PROTOCOL_DATA_SEND, HAP_HDS_TOPIC_DATA)) {
    on_data (h, in);
  } else if (hap_hds_header_matches (
                 hd, HAP_HDS_KIND_EVENT, HAP_HDS_PROTOCOL_DATA_SEND, HAP_HDS_TOPIC_CLOSE)) {
    on_close (h, in);
  } else if (hd->kind == HAP_HDS_KIND_REQUEST) {
    g_autoptr (GError) error = NULL;
    note (h, "the accessory sent a request %s/%s; answering header status 5 (not supported here)",
        hd->protocol, hd->topic);
    if (!hap_hds_client_send_response (
            h->hds, hd->protocol, hd->topic, hd->id, HAP_HDS_STATUS_MISSING_PROTOCOL, NULL, &error))
      drop_hds (h);
  } else {
    note (h, "unexpected HDS %s %s/%s", hd->kind == HAP_HDS_KIND_EVENT ? "event" : "response",
        hd->protocol, hd->topic);
    if (rec != NULL && rec->state != HUB_REC_DONE)
      hub_recording_fail (rec, "unexpected HDS %s %s/%s during the recording",
          hd->kind == HAP_HDS_KIND_EVENT ? "event" : "response", hd->protocol, hd->topic);
  }
}

/* ---- HAP events ---- */

static void
on_hap_values (Hub *h, const GArray *values)
{
  const HapHksvCamera *cam = &h->shared->camera;

  for (guint i = 0; i < values->len; i++) {
    const HapRemoteValue *v = &g_array_index (values, HapRemoteValue, i);
    g_autofree gchar *shown = hap_remote_json_to_display (v->value);

    if (v->aid != cam->aid)
      continue;
    if (v->iid == cam->motion_detected) {
      gboolean motion;
      if (!hap_remote_json_get_bool (v->value, &motion)) {
        note (h, "MotionDetected event with a value that is not a boolean: %s", shown);
        continue;
      }
      note (h, "event: MotionDetected = %s", motion ? "true" : "false");
      if (motion && (h->shared->triggers & HAP_CAMERA_EVENT_TRIGGER_MOTION)) {
        if (h->rec != NULL)
          h->rec->close_at_us = 0; /* motion again: keep the stream */
        else if (h->handled < (guint) h->opt->events
                 && g_get_monotonic_time () < h->shared->wait_end_us)
          start_recording (h, "motion");
      } else if (!motion && h->rec != NULL && h->rec->close_at_us == 0) {
        h->rec->close_at_us
            = g_get_monotonic_time () + (gint64) (h->opt->close_delay_s * G_USEC_PER_SEC);
      }
    } else if (v->iid == cam->doorbell_event) {
      note (h, "event: ProgrammableSwitchEvent = %s", shown);
      if ((h->shared->triggers & HAP_CAMERA_EVENT_TRIGGER_DOORBELL) && h->rec == NULL
          && h->handled < (guint) h->opt->events
          && g_get_monotonic_time () < h->shared->wait_end_us)
        start_recording (h, "doorbell");
    } else {
      note (h, "event: %" G_GUINT64_FORMAT ".%" G_GUINT64_FORMAT " = %s", v->aid, v->iid, shown);
    }
  }
}

/* ---- the loop ---- */

static gboolean
subscribe (Hub *h, GError **error)
{
  const HapHksvCamera *cam = &h->shared->camera;
  HapRemoteWrite writes[2] = {
    { cam->aid, cam->motion_detected, NULL, 1, FALSE },
    { cam->aid, cam->doorbell_event, NULL, 1, FALSE },
  };
  /* The doorbell too when there is one (hubs notify presses); it records only when selected. */
  guint n = cam->doorbell_event != 0 ? 2 : 1;
  g_autoptr (GArray) answer = hap_client_write (h->state->hap, writes, n, error);

  if (answer == NULL)
    return FALSE;
  for (guint i = 0; i < answer->len; i++) {
    const HapRemoteValue *v = &g_array_index (answer, HapRemoteValue, i);
    if (v->status != 0) {
      g_set_error (error, HAP_CLIENT_ERROR, HAP_CLIENT_ERROR_STATUS,
          "subscribing to %s: HAP status %" G_GINT64_FORMAT " (%s)",
          i == 0 ? "MotionDetected" : "ProgrammableSwitchEvent", v->status,
          hap_status_to_string ((HapStatus) v->status));
      return FALSE;
    }
  }
  return TRUE;
}

/* The earliest time something must happen. */
static gint64
next_deadline (Hub *h)
{
  HubRecording *rec = h->rec;
  gint64 t = G_MAXINT64;

  if (rec == NULL)
    return h->shared->wait_end_us;
  if (rec->state == HUB_REC_OPENING)
    t = rec->open_sent_us + (gint64) hub_timeout_ms (h->ctx) * 1000;
  if (rec->state == HUB_REC_STREAMING) {
    t = MIN (t, rec->last_data_us + (gint64) (h->opt->fragment_timeout_s * G_USEC_PER_SEC));
    t = MIN (t, rec->cap_us);
    if (rec->close_at_us)
      t = MIN (t, rec->close_at_us);
  }
  return t;
}

static void
check_timers (Hub *h)
{
  HubRecording *rec = h->rec;
  gint64 now = g_get_monotonic_time ();

  if (rec == NULL)
    return;
  if (rec->state == HUB_REC_OPENING
      && now >= rec->open_sent_us + (gint64) hub_timeout_ms (h->ctx) * 1000) {
    hub_recording_fail (rec, "no answer to dataSend open within %d s", h->ctx->timeout_s);
    drop_hds (h);
    rec->state = HUB_REC_DONE;
  } else if (rec->state == HUB_REC_STREAMING) {
    if (now >= rec->last_data_us + (gint64) (h->opt->fragment_timeout_s * G_USEC_PER_SEC)) {
      hub_recording_fail (rec, "no data for %.1f s after %s (a hub gives up after about 5 s)",
          h->opt->fragment_timeout_s, rec->chunks ? "the last chunk" : "the open response");
      send_close (h, rec, HAP_HDS_DATA_SEND_TIMEOUT);
      rec->state = HUB_REC_DONE;
    } else if (rec->close_at_us && now >= rec->close_at_us) {
      note (h, "motion ended %.1f s ago: closing the stream", h->opt->close_delay_s);
      send_close (h, rec, HAP_HDS_DATA_SEND_NORMAL);
      rec->state = HUB_REC_DONE;
    } else if (now >= rec->cap_us) {
      note (h, "the recording reached --max-duration: closing the stream");
      send_close (h, rec, HAP_HDS_DATA_SEND_NORMAL);
      rec->state = HUB_REC_DONE;
    }
  }
}

static gboolean
pump_hds (Hub *h)
{
  g_autoptr (GError) error = NULL;
  HapHdsIncoming in;
  gboolean ok = hap_hds_client_pump (h->hds, &error);

  /* Messages decoded before a failure still count. */
  while (h->hds != NULL && hap_hds_client_take (h->hds, &in)) {
    on_hds_message (h, &in);
    hap_hds_incoming_clear (&in);
    if (h->rec != NULL && h->rec->state == HUB_REC_DONE)
      finish_recording (h);
  }
  if (!ok) {
    if (h->rec != NULL && h->rec->state != HUB_REC_DONE) {
      hub_recording_fail (h->rec, "%s", error->message);
      h->rec->state = HUB_REC_DONE;
    } else {
      note (h, "data stream ended: %s", error->message);
    }
    drop_hds (h);
  }
  return ok;
}

static void
run_loop (Hub *h)
{
  for (;;) {
    GPollFD fds[2];
    guint n = 0;
    gint64 deadline, now = g_get_monotonic_time ();
    g_autoptr (GError) error = NULL;
    GArray *values = NULL;

    if (h->rec != NULL && h->rec->state == HUB_REC_DONE)
      finish_recording (h);
    if (h->rec == NULL && (h->handled >= (guint) h->opt->events || now >= h->shared->wait_end_us))
      break;
    deadline = next_deadline (h);
    fds[n].fd = hap_client_get_fd (h->state->hap);
    fds[n++].events = G_IO_IN | G_IO_HUP | G_IO_ERR;
    if (h->hds != NULL) {
      fds[n].fd = hap_hds_client_get_fd (h->hds);
      fds[n++].events = G_IO_IN | G_IO_HUP | G_IO_ERR;
    }
    g_poll (fds, n, deadline <= now ? 0 : (gint) MIN ((deadline - now + 999) / 1000, 1000));

    if (h->hds != NULL && n > 1 && fds[1].revents != 0)
      pump_hds (h);
    if (fds[0].revents != 0 && !hap_client_pump (h->state->hap, &error)) {
      hub_error (h->ctx, "%sthe HAP connection failed: %s", h->prefix, error->message);
      json_object_set_string_member (h->state->json, "error", error->message);
      h->state->fatal = TRUE;
      if (h->rec != NULL) {
        hub_recording_fail (h->rec, "the HAP connection failed: %s", error->message);
        finish_recording (h);
      }
      return;
    }
    while (hap_client_take_event (h->state->hap, &values, &error)) {
      if (values == NULL) {
        note (h, "malformed event: %s", error->message);
        g_clear_error (&error);
        continue;
      }
      on_hap_values (h, values);
      g_array_unref (values);
      values = NULL;
    }
    check_timers (h);
  }
}

gpointer
hub_stream_run (gpointer data)
{
  HubState *state = data;
  Hub hub = { 0 };
  Hub *h = &hub;
  g_autoptr (GError) error = NULL;

  h->state = state;
  h->shared = state->shared;
  h->ctx = state->shared->ctx;
  h->opt = state->shared->opt;
  h->next_stream_id = (gint64) state->index * 100 + 1;
  h->prefix = h->opt->hubs > 1 ? g_strdup_printf ("[hub %u] ", state->index + 1) : g_strdup ("");
  h->recordings = json_array_new ();

  if (state->hap == NULL) {
    state->hap = hub_connect (h->ctx, &state->record, &state->identity, &error);
    if (state->hap == NULL) {
      hub_error (h->ctx, "%sconnecting: %s", h->prefix, error->message);
      json_object_set_string_member (state->json, "error", error->message);
      state->fatal = TRUE;
      goto done;
    }
  }
  if (!subscribe (h, &error)) {
    hub_error (h->ctx, "%s%s", h->prefix, error->message);
    json_object_set_string_member (state->json, "error", error->message);
    state->fatal = TRUE;
    goto done;
  }
  note (h, "subscribed; waiting up to %d s for %s (%d recording%s)", h->opt->timeout_s,
      (h->shared->triggers & HAP_CAMERA_EVENT_TRIGGER_DOORBELL) ? "motion or the doorbell"
                                                                : "motion",
      h->opt->events, h->opt->events == 1 ? "" : "s");
  run_loop (h);
  if (!state->fatal && h->handled < (guint) h->opt->events) {
    g_autofree gchar *text
        = g_strdup_printf ("timed out after %d s waiting for a trigger: %u of %d "
                           "recordings",
            h->opt->timeout_s, h->handled, h->opt->events);
    say (h, "%s", text);
    json_object_set_string_member (state->json, "timeout", text);
    state->n_failed += (guint) h->opt->events - h->handled;
  }

done:
  drop_hds (h);
  json_object_set_array_member (state->json, "recordings", h->recordings);
  g_free (h->prefix);
  return NULL;
}
