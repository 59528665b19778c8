/* hksv-hub record: one recording as a hub receives it. See tools/hub-recording.h. */
#include "tools/hub-recording.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "gst/chunk-dump.h"
#include "tools/hub-commands.h"

/* A sequence whose last chunk came. */
typedef struct {
  guint64 sequence;
  gint64 at_us; /* arrival of its last chunk */
  guint64 bytes;
  guint chunks;
} Completion;

static gdouble
ms_between (gint64 from_us, gint64 to_us)
{
  return from_us > 0 && to_us > 0 ? (to_us - from_us) / 1000.0 : -1.0;
}

/* A line of the text report. */
static void say (GPtrArray *lines, const gchar *format, ...) G_GNUC_PRINTF (2, 3);

static void
say (GPtrArray *lines, const gchar *format, ...)
{
  va_list args;

  va_start (args, format);
  g_ptr_array_add (lines, g_strdup_vprintf (format, args));
  va_end (args);
}

void
hub_recording_fail (HubRecording *rec, const gchar *format, ...)
{
  va_list args;

  if (rec->failure != NULL)
    return;
  va_start (args, format);
  rec->failure = g_strdup_vprintf (format, args);
  va_end (args);
}

HubRecording *
hub_recording_new (guint number, const gchar *trigger, gint64 stream_id,
    const HksvMp4CheckOptions *options, const gchar *out_dir)
{
  HubRecording *rec = g_new0 (HubRecording, 1);
  g_autofree gchar *base = NULL;

  rec->number = number;
  rec->trigger = trigger;
  rec->event_us = g_get_monotonic_time ();
  rec->stream_id = stream_id;
  rec->completions = g_array_new (FALSE, FALSE, sizeof (Completion));
  rec->checker = hksv_mp4_checker_new (options);
  base = g_strdup_printf ("%04u", rec->number);
  rec->mp4_path = g_strdup_printf ("%s/%s.mp4", out_dir, base);
  rec->dump_path = g_strdup_printf ("%s/%s.chunks", out_dir, base);
  return rec;
}

void
hub_recording_free (HubRecording *rec)
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

gboolean
hub_recording_open_files (HubRecording *rec)
{
  g_autoptr (GBytes) header = hksv_chunk_dump_header ();

  rec->mp4 = fopen (rec->mp4_path, "wb");
  rec->dump = fopen (rec->dump_path, "wb");
  if (rec->mp4 == NULL || rec->dump == NULL) {
    hub_recording_fail (
        rec, "cannot write %s / %s: %s", rec->mp4_path, rec->dump_path, g_strerror (errno));
    return FALSE;
  }
  fwrite (g_bytes_get_data (header, NULL), 1, g_bytes_get_size (header), rec->dump);
  return TRUE;
}

static void
write_chunk (HubRecording *rec, const HksvChunk *chunk)
{
  g_autoptr (GBytes) record = hksv_chunk_dump_record (chunk);
  gsize len;
  const guint8 *data = g_bytes_get_data (chunk->data, &len);

  if (rec->mp4 != NULL && fwrite (data, 1, len, rec->mp4) != len)
    hub_recording_fail (rec, "writing %s: %s", rec->mp4_path, g_strerror (errno));
  if (rec->dump != NULL && record != NULL
      && fwrite (g_bytes_get_data (record, NULL), 1, g_bytes_get_size (record), rec->dump)
             != g_bytes_get_size (record))
    hub_recording_fail (rec, "writing %s: %s", rec->dump_path, g_strerror (errno));
}

void
hub_recording_take_packet (
    HubRecording *rec, const HapHdsDataSendPacket *p, gboolean end_of_stream, gint64 at_us)
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

gboolean
hub_recording_finish (HubRecording *rec, JsonObject **report, GPtrArray *lines)
{
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
    hub_recording_fail (rec, "writing %s: %s", rec->mp4_path, g_strerror (errno));
  if (rec->dump != NULL && fclose (rec->dump) != 0)
    hub_recording_fail (rec, "writing %s: %s", rec->dump_path, g_strerror (errno));
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

  say (lines, "recording %04u (stream %" G_GINT64_FORMAT ", %s): %s", rec->number, rec->stream_id,
      rec->trigger, ok ? "PASS" : "FAIL");
  if (rec->failure)
    say (lines, "  failure: %s", rec->failure);
  if (streamed) {
    say (lines, "  %" G_GUINT64_FORMAT " bytes in %" G_GUINT64_FORMAT " chunks, %u sequences%s%s",
        rec->bytes, rec->chunks, rec->completions->len, rec->end_of_stream ? ", endOfStream" : "",
        rec->closed_by_hub         ? ", closed by the hub"
        : rec->closed_by_accessory ? ", closed by the accessory"
                                   : "");
    say (lines,
        "  event -> open accepted %.1f ms (data stream ready after %.1f ms), open -> first chunk "
        "%.1f ms",
        ms_between (rec->event_us, rec->open_accepted_us),
        ms_between (rec->event_us, rec->hds_ready_us),
        ms_between (rec->open_sent_us, rec->first_chunk_us));
    if (timeline->len)
      say (lines, "  arrivals:%s", timeline->str);
    if (media->len)
      say (lines, "  media: %s", media->str);
    say (lines, "  checks: %u violation%s", n_violations, n_violations == 1 ? "" : "s");
    for (guint i = 0; i < n_violations; i++) {
      const HksvMp4Violation *v = hksv_mp4_checker_violation (rec->checker, i);
      say (lines, "    %-32s seq %" G_GUINT64_FORMAT "%s %s", v->rule, v->sequence,
          v->kind == HKSV_MP4_RULE_LAYOUT ? " (layout)" : "", v->message);
    }
    say (lines, "  saved %s and %s", rec->mp4_path, rec->dump_path);
  }
  *report = g_steal_pointer (&o);
  return ok;
}
