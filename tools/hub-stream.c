/* hksv-hub record: one hub's event loop. Subscribes to the triggers, and on each one sets up the
 * data stream (SetupDataStreamTransport, HDS connection, hello), opens a dataSend stream,
 * receives and acknowledges it as a hub does, closes it when motion has ended, writes the
 * recording and feeds every chunk to the media checker as it arrives. */
#include "tools/hub-record.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "gst/chunk-dump.h"
#include "hap/characteristic-value.h"
#include "hap/datastream-tlv.h"
#include "hap/hds-client.h"

typedef enum {
  REC_OPENING,   /* open sent, no answer yet */
  REC_STREAMING, /* accepted: data events */
  REC_DONE,
} RecState;

typedef struct {
  guint64 sequence;
  gint64 at_us; /* arrival of its last chunk */
  guint64 bytes;
  guint chunks;
} Completion;

typedef struct {
  guint number;
  gint64 stream_id;
  gint64 open_id;
  const gchar *trigger;
  RecState state;
  gint64 event_us, hds_ready_us, open_sent_us, open_accepted_us, first_chunk_us, last_data_us;
  gint64 close_at_us, cap_us, end_us;
  gboolean end_of_stream;
  gboolean closed_by_hub;
  gint64 hub_close_reason;
  gboolean closed_by_accessory;
  gint64 accessory_close_reason;
  gint64 open_status; /* body status of a refused open */
  gchar *failure;     /* the first protocol failure, NULL when none */
  HksvMp4Checker *checker;
  FILE *mp4;
  FILE *dump;
  gchar *mp4_path;
  gchar *dump_path;
  guint64 bytes, chunks, late_messages;
  GArray *completions; /* Completion */
  guint64 seq;         /* sequence being received, 0 none */
  guint64 seq_bytes;
  guint seq_chunks;
} Recording;

typedef struct {
  HubState *state;
  HubShared *shared;
  HubContext *ctx;
  const HubRecordOptions *opt;
  HapHdsClient *hds;
  Recording *rec;
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

static gdouble
ms_between (gint64 from_us, gint64 to_us)
{
  return from_us > 0 && to_us > 0 ? (to_us - from_us) / 1000.0 : -1.0;
}

static void fail (Recording *rec, const gchar *format, ...) G_GNUC_PRINTF (2, 3);

static void
fail (Recording *rec, const gchar *format, ...)
{
  va_list args;

  if (rec->failure != NULL)
    return;
  va_start (args, format);
  rec->failure = g_strdup_vprintf (format, args);
  va_end (args);
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
send_close (Hub *h, Recording *rec, HapHdsDataSendReason reason)
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

/* ---- recordings ---- */

static Recording *
recording_new (Hub *h, const gchar *trigger)
{
  Recording *rec = g_new0 (Recording, 1);
  HksvMp4CheckOptions options;
  g_autofree gchar *base = NULL;

  rec->number = (guint) g_atomic_int_add (&h->shared->next_number, 1) + 1;
  rec->trigger = trigger;
  rec->event_us = g_get_monotonic_time ();
  rec->stream_id = h->next_stream_id++;
  rec->completions = g_array_new (FALSE, FALSE, sizeof (Completion));
  hub_checker_options (h->shared, &options);
  rec->checker = hksv_mp4_checker_new (&options);
  base = g_strdup_printf ("%04u", rec->number);
  rec->mp4_path = g_strdup_printf ("%s/%s.mp4", h->opt->out_dir, base);
  rec->dump_path = g_strdup_printf ("%s/%s.chunks", h->opt->out_dir, base);
  return rec;
}

static void
recording_free (Recording *rec)
{
  if (rec->mp4 != NULL)
    fclose (rec->mp4);
  if (rec->dump != NULL)
    fclose (rec->dump);
  hksv_mp4_checker_free (rec->checker);
  g_array_unref (rec->completions);
  g_free (rec->failure);
  g_free (rec->mp4_path);
  g_free (rec->dump_path);
  g_free (rec);
}

static gboolean
open_files (Recording *rec)
{
  g_autoptr (GBytes) header = hksv_chunk_dump_header ();

  rec->mp4 = fopen (rec->mp4_path, "wb");
  rec->dump = fopen (rec->dump_path, "wb");
  if (rec->mp4 == NULL || rec->dump == NULL) {
    fail (rec, "cannot write %s / %s: %s", rec->mp4_path, rec->dump_path, g_strerror (errno));
    return FALSE;
  }
  fwrite (g_bytes_get_data (header, NULL), 1, g_bytes_get_size (header), rec->dump);
  return TRUE;
}

static void
write_chunk (Recording *rec, const HksvChunk *chunk)
{
  g_autoptr (GBytes) record = hksv_chunk_dump_record (chunk);
  gsize len;
  const guint8 *data = g_bytes_get_data (chunk->data, &len);

  if (rec->mp4 != NULL && fwrite (data, 1, len, rec->mp4) != len)
    fail (rec, "writing %s: %s", rec->mp4_path, g_strerror (errno));
  if (rec->dump != NULL && record != NULL
      && fwrite (g_bytes_get_data (record, NULL), 1, g_bytes_get_size (record), rec->dump)
             != g_bytes_get_size (record))
    fail (rec, "writing %s: %s", rec->dump_path, g_strerror (errno));
}

/* One received packet: to the files and to the checker. */
static void
take_packet (Recording *rec, const HapHdsDataSendPacket *p, gboolean end_of_stream, gint64 at_us)
{
  HksvChunk chunk = { 0 };

  chunk.type = p->data_type == HAP_HDS_DATA_TYPE_MEDIA_INITIALIZATION
                   ? HKSV_CHUNK_MEDIA_INITIALIZATION
                   : HKSV_CHUNK_MEDIA_FRAGMENT;
  chunk.data_sequence_number = (guint64) MAX (p->data_sequence_number, 0);
  chunk.chunk_sequence_number = (guint64) MAX (p->data_chunk_sequence_number, 0);
  chunk.is_last_chunk = p->is_last_data_chunk;
  chunk.total_size = p->data_total_size;
  chunk.end_of_stream = end_of_stream;
  chunk.data = p->data;
  chunk.arrival_us = at_us;
  write_chunk (rec, &chunk);
  hksv_mp4_checker_add_chunk (rec->checker, &chunk);

  if (rec->first_chunk_us == 0)
    rec->first_chunk_us = at_us;
  rec->chunks++;
  rec->bytes += g_bytes_get_size (p->data);
  if (rec->seq != chunk.data_sequence_number) {
    rec->seq = chunk.data_sequence_number;
    rec->seq_bytes = 0;
    rec->seq_chunks = 0;
  }
  rec->seq_bytes += g_bytes_get_size (p->data);
  rec->seq_chunks++;
  if (chunk.is_last_chunk) {
    Completion c = { rec->seq, at_us, rec->seq_bytes, rec->seq_chunks };
    g_array_append_val (rec->completions, c);
    rec->seq = 0;
  }
}

static JsonObject *
summary_json (const HksvMp4Summary *s)
{
  JsonObject *o = json_object_new ();
  JsonArray *tracks = json_array_new ();
  JsonArray *frags = json_array_new ();

  for (guint i = 0; i < s->n_tracks; i++) {
    const HksvMp4TrackSummary *t = &s->tracks[i];
    JsonObject *jt = json_object_new ();
    json_object_set_string_member (jt, "kind", t->video ? "video" : "audio");
    json_object_set_string_member (jt, "codec", t->codec ? t->codec : "?");
    if (t->video) {
      json_object_set_int_member (jt, "width", t->width);
      json_object_set_int_member (jt, "height", t->height);
      json_object_set_int_member (jt, "profile", t->profile);
      json_object_set_int_member (jt, "level", t->level);
    } else {
      json_object_set_int_member (jt, "sample_rate", t->sample_rate);
      json_object_set_int_member (jt, "channels", t->channels);
    }
    json_object_set_int_member (jt, "samples", (gint64) t->samples);
    json_object_set_int_member (jt, "sync_samples", (gint64) t->sync_samples);
    json_array_add_object_element (tracks, jt);
  }
  for (guint i = 0; s->fragment_ms != NULL && i < s->fragment_ms->len; i++)
    json_array_add_double_element (frags, g_array_index (s->fragment_ms, gdouble, i));
  json_object_set_array_member (o, "tracks", tracks);
  json_object_set_array_member (o, "fragment_ms", frags);
  json_object_set_int_member (o, "fragments", (gint64) s->fragments);
  if (s->prebuffer_ms >= 0)
    json_object_set_double_member (o, "prebuffer_ms", s->prebuffer_ms);
  return o;
}

/* Ends `h->rec`: checks, report, counts. */
static void
finish_recording (Hub *h)
{
  Recording *rec = h->rec;
  g_autoptr (JsonObject) o = json_object_new ();
  g_autoptr (JsonArray) violations = json_array_new ();
  g_autoptr (JsonArray) arrivals = json_array_new ();
  g_autoptr (GString) timeline = g_string_new (NULL);
  g_autoptr (GString) media = g_string_new (NULL);
  const HksvMp4Summary *summary;
  gboolean streamed = rec->open_accepted_us > 0 || rec->chunks > 0;
  guint n_violations = 0;
  gboolean ok;

  rec->end_us = g_get_monotonic_time ();
  if (rec->mp4 != NULL && fclose (rec->mp4) != 0)
    fail (rec, "writing %s: %s", rec->mp4_path, g_strerror (errno));
  if (rec->dump != NULL && fclose (rec->dump) != 0)
    fail (rec, "writing %s: %s", rec->dump_path, g_strerror (errno));
  rec->mp4 = rec->dump = NULL;
  if (!streamed) {
    /* Nothing was recorded: no empty files. */
    g_unlink (rec->mp4_path);
    g_unlink (rec->dump_path);
  }

  if (streamed) {
    /* A stream the hub closed itself needs no endOfStream. */
    if (rec->closed_by_hub && rec->hub_close_reason == HAP_HDS_DATA_SEND_NORMAL)
      hksv_mp4_checker_ignore_rule (rec->checker, "chunk.end-of-stream-missing");
    hksv_mp4_checker_finish (rec->checker);
    n_violations = hksv_mp4_checker_n_violations (rec->checker);
  }
  ok = streamed && rec->failure == NULL && n_violations == 0;

  json_object_set_int_member (o, "number", rec->number);
  json_object_set_int_member (o, "stream_id", rec->stream_id);
  json_object_set_string_member (o, "trigger", rec->trigger);
  json_object_set_boolean_member (o, "ok", ok);
  if (rec->failure)
    json_object_set_string_member (o, "failure", rec->failure);
  if (rec->open_status >= 0)
    json_object_set_int_member (o, "open_refused_reason", rec->open_status);
  json_object_set_boolean_member (o, "end_of_stream", rec->end_of_stream);
  if (rec->closed_by_hub)
    json_object_set_int_member (o, "hub_close_reason", rec->hub_close_reason);
  if (rec->closed_by_accessory)
    json_object_set_int_member (o, "accessory_close_reason", rec->accessory_close_reason);
  json_object_set_double_member (
      o, "event_to_open_accepted_ms", ms_between (rec->event_us, rec->open_accepted_us));
  json_object_set_double_member (
      o, "event_to_data_stream_ready_ms", ms_between (rec->event_us, rec->hds_ready_us));
  json_object_set_double_member (
      o, "open_to_first_chunk_ms", ms_between (rec->open_sent_us, rec->first_chunk_us));
  json_object_set_double_member (o, "duration_ms", ms_between (rec->event_us, rec->end_us));
  json_object_set_int_member (o, "bytes", (gint64) rec->bytes);
  json_object_set_int_member (o, "chunks", (gint64) rec->chunks);
  if (rec->late_messages)
    json_object_set_int_member (o, "late_messages", (gint64) rec->late_messages);

  for (guint i = 0; i < rec->completions->len; i++) {
    const Completion *c = &g_array_index (rec->completions, Completion, i);
    g_autoptr (JsonObject) a = json_object_new ();
    gdouble since_open = ms_between (rec->open_sent_us, c->at_us);
    gdouble gap
        = i > 0 ? ms_between (g_array_index (rec->completions, Completion, i - 1).at_us, c->at_us)
                : -1.0;

    json_object_set_int_member (a, "sequence", (gint64) c->sequence);
    json_object_set_double_member (a, "since_open_ms", since_open);
    if (gap >= 0)
      json_object_set_double_member (a, "inter_arrival_ms", gap);
    json_object_set_int_member (a, "bytes", (gint64) c->bytes);
    json_object_set_int_member (a, "chunks", c->chunks);
    json_array_add_object_element (arrivals, g_steal_pointer (&a));
    g_string_append_printf (timeline,
        "%s seq %" G_GUINT64_FORMAT " +%.0f ms (%" G_GUINT64_FORMAT " B, %u chunk%s%s",
        i ? "," : "", c->sequence, since_open, c->bytes, c->chunks, c->chunks == 1 ? "" : "s",
        gap >= 0 ? "" : ")");
    if (gap >= 0)
      g_string_append_printf (timeline, ", after %.0f ms)", gap);
  }
  json_object_set_array_member (o, "arrivals", g_steal_pointer (&arrivals));

  summary = hksv_mp4_checker_summary (rec->checker);
  if (streamed && summary != NULL) {
    json_object_set_object_member (o, "media", summary_json (summary));
    for (guint i = 0; i < summary->n_tracks; i++) {
      const HksvMp4TrackSummary *t = &summary->tracks[i];
      if (t->video)
        g_string_append_printf (media, "%s%s %ux%u", media->len ? ", " : "",
            t->codec ? t->codec : "?", t->width, t->height);
      else
        g_string_append_printf (media, "%s%s %u Hz %u ch", media->len ? ", " : "",
            t->codec ? t->codec : "?", t->sample_rate, t->channels);
    }
    if (summary->fragment_ms != NULL && summary->fragment_ms->len > 0) {
      g_string_append (media, "; fragments");
      for (guint i = 0; i < summary->fragment_ms->len; i++)
        g_string_append_printf (
            media, "%s%.0f", i ? "/" : " ", g_array_index (summary->fragment_ms, gdouble, i));
      g_string_append (media, " ms");
    }
    if (summary->prebuffer_ms >= 0)
      g_string_append_printf (media, "; prebuffer %.0f ms sent at once", summary->prebuffer_ms);
  }
  for (guint i = 0; i < n_violations; i++)
    json_array_add_object_element (
        violations, hub_violation_json (hksv_mp4_checker_violation (rec->checker, i)));
  json_object_set_int_member (o, "violations_count", n_violations);
  json_object_set_array_member (o, "violations", g_steal_pointer (&violations));
  if (rec->open_sent_us > 0 && streamed) {
    json_object_set_string_member (o, "file", rec->mp4_path);
    json_object_set_string_member (o, "chunk_dump", rec->dump_path);
  }

  say (h, "recording %04u (stream %" G_GINT64_FORMAT ", %s): %s", rec->number, rec->stream_id,
      rec->trigger, ok ? "PASS" : "FAIL");
  if (rec->failure)
    say (h, "  failure: %s", rec->failure);
  if (streamed) {
    say (h, "  %" G_GUINT64_FORMAT " bytes in %" G_GUINT64_FORMAT " chunks, %u sequences%s%s",
        rec->bytes, rec->chunks, rec->completions->len, rec->end_of_stream ? ", endOfStream" : "",
        rec->closed_by_hub         ? ", closed by the hub"
        : rec->closed_by_accessory ? ", closed by the accessory"
                                   : "");
    say (h,
        "  event -> open accepted %.1f ms (data stream ready after %.1f ms), open -> first chunk "
        "%.1f ms",
        ms_between (rec->event_us, rec->open_accepted_us),
        ms_between (rec->event_us, rec->hds_ready_us),
        ms_between (rec->open_sent_us, rec->first_chunk_us));
    if (timeline->len)
      say (h, "  arrivals:%s", timeline->str);
    if (media->len)
      say (h, "  media: %s", media->str);
    say (h, "  checks: %u violation%s", n_violations, n_violations == 1 ? "" : "s");
    for (guint i = 0; i < n_violations; i++) {
      const HksvMp4Violation *v = hksv_mp4_checker_violation (rec->checker, i);
      say (h, "    %-32s seq %" G_GUINT64_FORMAT "%s %s", v->rule, v->sequence,
          v->kind == HKSV_MP4_RULE_LAYOUT ? " (layout)" : "", v->message);
    }
    say (h, "  saved %s and %s", rec->mp4_path, rec->dump_path);
  }
  json_array_add_object_element (h->recordings, g_steal_pointer (&o));
  if (ok)
    h->state->n_ok++;
  else
    h->state->n_failed++;
  recording_free (rec);
  h->rec = NULL;
}

static void
start_recording (Hub *h, const gchar *trigger)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HapHdsValue) body = NULL;
  const gchar *reason = h->opt->open_reason ? h->opt->open_reason : trigger;
  Recording *rec;

  h->handled++;
  rec = h->rec = recording_new (h, trigger);
  say (h, "%s: starting recording %04u", trigger, rec->number);
  if (!ensure_hds (h, &error)) {
    fail (rec, "%s", error->message);
    finish_recording (h);
    return;
  }
  rec->hds_ready_us = g_get_monotonic_time ();
  if (!open_files (rec)) {
    finish_recording (h);
    return;
  }
  body = hap_hds_data_send_open_build ("controller", "ipcamera.recording", rec->stream_id, reason);
  if (!hap_hds_client_send_request (
          h->hds, HAP_HDS_PROTOCOL_DATA_SEND, HAP_HDS_TOPIC_OPEN, body, &rec->open_id, &error)) {
    fail (rec, "sending dataSend open: %s", error->message);
    drop_hds (h);
    finish_recording (h);
    return;
  }
  rec->open_sent_us = g_get_monotonic_time ();
  rec->state = REC_OPENING;
  rec->open_status = -1;
  rec->cap_us = rec->open_sent_us + (gint64) h->opt->max_duration_s * G_USEC_PER_SEC;
}

/* ---- messages from the accessory ---- */

static void
on_open_response (Hub *h, HapHdsIncoming *in)
{
  Recording *rec = h->rec;
  g_autoptr (GError) error = NULL;
  gint64 status = 0;

  if (!hap_hds_data_send_open_response_parse (in->message, &status, &error)) {
    fail (rec, "the dataSend open response is malformed: %s", error->message);
    rec->state = REC_DONE;
    return;
  }
  if (in->header.status != HAP_HDS_STATUS_SUCCESS || status != 0) {
    rec->open_status = status;
    fail (rec,
        "the accessory refused dataSend open: header status %" G_GINT64_FORMAT " (%s), "
        "reason %" G_GINT64_FORMAT " (%s)",
        in->header.status, hap_hds_status_to_string (in->header.status), status,
        hap_hds_data_send_reason_to_string (status));
    rec->state = REC_DONE;
    return;
  }
  rec->open_accepted_us = in->arrival_us;
  rec->last_data_us = in->arrival_us;
  rec->state = REC_STREAMING;
}

static void
on_data (Hub *h, HapHdsIncoming *in)
{
  Recording *rec = h->rec;
  g_autoptr (GError) error = NULL;
  HapHdsDataSendData data = { 0 };
  gint64 stream_id;

  if (!hap_hds_value_dict_get_int (in->message, "streamId", &stream_id) || rec == NULL
      || stream_id != rec->stream_id || rec->state == REC_DONE) {
    note (h, "ignored a dataSend data event for no open stream");
    if (rec != NULL)
      rec->late_messages++;
    return;
  }
  if (rec->state == REC_OPENING) {
    fail (rec, "dataSend data arrived before the response to dataSend open");
    rec->state = REC_STREAMING;
  }
  if (!hap_hds_data_send_data_parse (in->message, &data, &error)) {
    fail (rec, "a dataSend data event is malformed: %s", error->message);
    send_close (h, rec, HAP_HDS_DATA_SEND_PROTOCOL_ERROR);
    rec->state = REC_DONE;
    hap_hds_data_send_data_clear (&data);
    return;
  }
  rec->last_data_us = in->arrival_us;
  for (guint i = 0; i < data.packets->len; i++) {
    const HapHdsDataSendPacket *p = &g_array_index (data.packets, HapHdsDataSendPacket, i);
    take_packet (rec, p, data.end_of_stream && i + 1 == data.packets->len, in->arrival_us);
  }
  /* A stream that never ends must not fill the disk (or the checker's fragment buffer). */
  if (rec->bytes > (guint64) h->opt->max_mb * 1024 * 1024) {
    fail (rec, "the recording exceeds --max-size %d MB", h->opt->max_mb);
    send_close (h, rec, HAP_HDS_DATA_SEND_BAD_DATA);
    rec->state = REC_DONE;
    hap_hds_data_send_data_clear (&data);
    return;
  }
  if (data.end_of_stream) {
    g_autoptr (HapHdsValue) ack = hap_hds_data_send_ack_build (rec->stream_id, TRUE);
    rec->end_of_stream = TRUE;
    if (!hap_hds_client_send_event (
            h->hds, HAP_HDS_PROTOCOL_DATA_SEND, HAP_HDS_TOPIC_ACK, ack, &error)) {
      fail (rec, "sending dataSend ack: %s", error->message);
      drop_hds (h);
    }
    rec->state = REC_DONE;
  }
  hap_hds_data_send_data_clear (&data);
}

static void
on_close (Hub *h, HapHdsIncoming *in)
{
  Recording *rec = h->rec;
  g_autoptr (GError) error = NULL;
  gint64 stream_id = 0, reason = 0;

  if (!hap_hds_data_send_close_parse (in->message, &stream_id, &reason, &error)) {
    if (rec != NULL)
      fail (rec, "a dataSend close event is malformed: %s", error->message);
    return;
  }
  if (rec == NULL || stream_id != rec->stream_id || rec->state == REC_DONE) {
    note (h, "dataSend close for stream %" G_GINT64_FORMAT " that is not open", stream_id);
    return;
  }
  rec->closed_by_accessory = TRUE;
  rec->accessory_close_reason = reason;
  if (reason != HAP_HDS_DATA_SEND_NORMAL)
    fail (rec, "the accessory closed the stream with reason %" G_GINT64_FORMAT " (%s)", reason,
        hap_hds_data_send_reason_to_string (reason));
  else if (!rec->end_of_stream)
    fail (rec, "the accessory closed the stream (reason normal) without endOfStream");
  rec->state = REC_DONE;
}

static void
on_hds_message (Hub *h, HapHdsIncoming *in)
{
  const HapHdsHeader *hd = &in->header;
  Recording *rec = h->rec;

  if (hap_hds_header_matches (
          hd, HAP_HDS_KIND_RESPONSE, HAP_HDS_PROTOCOL_DATA_SEND, HAP_HDS_TOPIC_OPEN)
      && rec != NULL && rec->state == REC_OPENING && hd->id == rec->open_id) {
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
    if (rec != NULL && rec->state != REC_DONE)
      fail (rec, "unexpected HDS %s %s/%s during the recording",
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
  Recording *rec = h->rec;
  gint64 t = G_MAXINT64;

  if (rec == NULL)
    return h->shared->wait_end_us;
  if (rec->state == REC_OPENING)
    t = rec->open_sent_us + (gint64) hub_timeout_ms (h->ctx) * 1000;
  if (rec->state == REC_STREAMING) {
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
  Recording *rec = h->rec;
  gint64 now = g_get_monotonic_time ();

  if (rec == NULL)
    return;
  if (rec->state == REC_OPENING
      && now >= rec->open_sent_us + (gint64) hub_timeout_ms (h->ctx) * 1000) {
    fail (rec, "no answer to dataSend open within %d s", h->ctx->timeout_s);
    drop_hds (h);
    rec->state = REC_DONE;
  } else if (rec->state == REC_STREAMING) {
    if (now >= rec->last_data_us + (gint64) (h->opt->fragment_timeout_s * G_USEC_PER_SEC)) {
      fail (rec, "no data for %.1f s after %s (a hub gives up after about 5 s)",
          h->opt->fragment_timeout_s, rec->chunks ? "the last chunk" : "the open response");
      send_close (h, rec, HAP_HDS_DATA_SEND_TIMEOUT);
      rec->state = REC_DONE;
    } else if (rec->close_at_us && now >= rec->close_at_us) {
      note (h, "motion ended %.1f s ago: closing the stream", h->opt->close_delay_s);
      send_close (h, rec, HAP_HDS_DATA_SEND_NORMAL);
      rec->state = REC_DONE;
    } else if (now >= rec->cap_us) {
      note (h, "the recording reached --max-duration: closing the stream");
      send_close (h, rec, HAP_HDS_DATA_SEND_NORMAL);
      rec->state = REC_DONE;
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
    if (h->rec != NULL && h->rec->state == REC_DONE)
      finish_recording (h);
  }
  if (!ok) {
    if (h->rec != NULL && h->rec->state != REC_DONE) {
      fail (h->rec, "%s", error->message);
      h->rec->state = REC_DONE;
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

    if (h->rec != NULL && h->rec->state == REC_DONE)
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
        fail (h->rec, "the HAP connection failed: %s", error->message);
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
