/* hksvsink: the recording sessions (gsthksvsink-private.h). Each is a gst/recording-session.c
 * core (its own fMP4 writer, time base and sequence numbers) fed with the pads' samples in
 * running time under the lock; its chunks go into its bounded outbox, which the drain
 * (gsthksvsink-delivery.c) empties without the lock. A consumer that lets its outbox pass
 * max-queued-bytes, or whose callback returns FALSE, loses its session. Also the session API of
 * gsthksvsink.h. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "plugins/hksv/gsthksvsink-private.h"

#include "gst/aac-silence.h"
#include "gst/mp4-codec.h"

/* Runs of each track alternate in mdat about this often, as the real camera writes them. */
#define INTERLEAVE (500 * GST_MSECOND)

static const gchar *
reason_nick (GstHksvSinkEndReason reason)
{
  GEnumValue *v
      = g_enum_get_value (g_type_class_peek_static (GST_TYPE_HKSV_SINK_END_REASON), (gint) reason);

  return v ? v->value_nick : "unknown";
}

/* ---- bus messages ---- */

void
gst_hksv_sink_queue_message (GstHksvSink *sink, GstMessage *message)
{
  g_queue_push_tail (&sink->messages, message);
}

void
gst_hksv_sink_queue_warning (GstHksvSink *sink, const gchar *text, const gchar *debug)
{
  GError *error = g_error_new_literal (GST_STREAM_ERROR, GST_STREAM_ERROR_FAILED, text);

  GST_WARNING_OBJECT (sink, "%s (%s)", text, debug ? debug : "");
  gst_hksv_sink_queue_message (sink, gst_message_new_warning (GST_OBJECT (sink), error, debug));
  g_error_free (error);
}

GstMessage *
gst_hksv_sink_session_message (GstHksvSink *sink, Session *s, gboolean started)
{
  GstStructure *st;

  if (s->kind == KIND_FILE) {
    st = gst_structure_new ("hksv-clip", "event", G_TYPE_STRING, started ? "started" : "finished",
        "session", G_TYPE_UINT, s->id, "location", G_TYPE_STRING, s->location, "index", G_TYPE_UINT,
        s->clip_index, NULL);
  } else {
    st = gst_structure_new ("hksv-session", "event", G_TYPE_STRING, started ? "started" : "ended",
        "session", G_TYPE_UINT, s->id, NULL);
  }
  if (started) {
    gst_structure_set (st, "running-time", G_TYPE_UINT64, (guint64) s->start_time, NULL);
  } else {
    gst_structure_set (st, "reason", GST_TYPE_HKSV_SINK_END_REASON, s->reason, "end-of-stream",
        G_TYPE_BOOLEAN, s->stats.end_of_stream_sent, "fragments", G_TYPE_UINT64, s->stats.fragments,
        "bytes", G_TYPE_UINT64, s->stats.bytes, "duration", G_TYPE_UINT64, s->stats.duration, NULL);
  }
  return gst_message_new_element (GST_OBJECT (sink), st);
}

/* ---- sessions ---- */

Session *
gst_hksv_sink_session_ref (Session *s)
{
  g_atomic_int_inc (&s->refcount);
  return s;
}

static void
held_clear (gpointer p)
{
  HeldSample *h = p;

  g_clear_pointer (&h->sample.data, g_bytes_unref);
}

void
gst_hksv_sink_session_unref (Session *s)
{
  if (!g_atomic_int_dec_and_test (&s->refcount))
    return;
  g_clear_pointer (&s->core, hksv_recording_session_free);
  g_clear_pointer (&s->held, g_array_unref);
  g_clear_pointer (&s->audio_codec_data, g_bytes_unref);
  g_queue_clear_full (&s->outbox, (GDestroyNotify) hksv_chunk_free);
  if (s->file)
    fclose (s->file);
  if (s->destroy)
    s->destroy (s->user_data);
  g_free (s->location);
  g_free (s);
}

Session *
gst_hksv_sink_find_session (GstHksvSink *sink, guint id)
{
  for (GList *l = sink->sessions; l; l = l->next) {
    Session *s = l->data;

    if (s->id == id)
      return s;
  }
  return NULL;
}

void
gst_hksv_sink_unlist (GstHksvSink *sink, Session *s)
{
  if (!s->listed)
    return;
  s->listed = FALSE;
  sink->sessions = g_list_remove (sink->sessions, s);
  gst_hksv_sink_session_unref (s);
}

void
gst_hksv_sink_outbox_clear (Session *s)
{
  g_queue_clear_full (&s->outbox, (GDestroyNotify) hksv_chunk_free);
  g_queue_init (&s->outbox);
  s->outbox_bytes = 0;
}

/* The core's chunk callback (under the lock): into the outbox, within its bound. */
static void
session_chunk (const HksvChunk *chunk, gpointer user_data)
{
  Session *s = user_data;
  gsize size = g_bytes_get_size (chunk->data);

  if (s->overflowed)
    return;
  if (s->outbox_bytes + size > s->config.max_queued_bytes) {
    s->overflowed = TRUE;
    return;
  }
  g_queue_push_tail (&s->outbox, hksv_chunk_copy (chunk));
  s->outbox_bytes += size;
  s->notify_new = TRUE;
}

/* Ends a session (under the lock): the core finishes (end_of_stream) or drops its fragment; the
 * drain then delivers what is left and the ended notification. */
void
gst_hksv_sink_session_end (
    GstHksvSink *sink, Session *s, GstHksvSinkEndReason reason, gboolean end_of_stream)
{
  if (s->ended)
    return;
  s->ended = TRUE;
  s->reason = reason;
  if (hksv_recording_session_get_state (s->core) == HKSV_RECORDING_RUNNING)
    hksv_recording_session_stop (s->core, end_of_stream && !s->overflowed);
  if (s->overflowed) {
    s->reason = GST_HKSV_SINK_END_SLOW_CONSUMER;
    gst_hksv_sink_outbox_clear (s);
  }
  hksv_recording_session_get_stats (s->core, &s->stats);
  if (s->overflowed)
    s->stats.end_of_stream_sent = FALSE;
  if (s->held)
    g_array_set_size (s->held, 0);
  GST_INFO_OBJECT (sink,
      "session %u ended (%s): %" G_GUINT64_FORMAT " fragments, %" G_GUINT64_FORMAT
      " bytes, %" GST_TIME_FORMAT ", endOfStream %s",
      s->id, reason_nick (s->reason), s->stats.fragments, s->stats.bytes,
      GST_TIME_ARGS (s->stats.duration), s->stats.end_of_stream_sent ? "sent" : "not sent");
  if (s->reason == GST_HKSV_SINK_END_SLOW_CONSUMER) {
    g_autofree gchar *text
        = g_strdup_printf ("recording session %u lost: its consumer fell behind", s->id);
    g_autofree gchar *debug = g_strdup_printf ("more than %" G_GUINT64_FORMAT
                                               " bytes queued, or its callback refused a chunk",
        s->config.max_queued_bytes);

    gst_hksv_sink_queue_warning (sink, text, debug);
  }
  gst_hksv_sink_clip_ended (sink, s);
}

/* After every call into a session's core (under the lock). */
static void
session_check (GstHksvSink *sink, Session *s)
{
  HksvRecordingState state;

  if (s->ended)
    return;
  if (s->overflowed) {
    gst_hksv_sink_session_end (sink, s, GST_HKSV_SINK_END_SLOW_CONSUMER, FALSE);
    return;
  }
  state = hksv_recording_session_get_state (s->core);
  if (state == HKSV_RECORDING_RUNNING)
    return;
  if (state == HKSV_RECORDING_END_OVERFLOW) {
    g_autofree gchar *text = g_strdup_printf ("recording session %u ended: no keyframe", s->id);

    gst_hksv_sink_queue_warning (sink, text,
        "a fragment grew beyond its size bound without a keyframe; make the encoder emit "
        "keyframes at the fragment duration");
    gst_hksv_sink_session_end (sink, s, GST_HKSV_SINK_END_ERROR, FALSE);
  } else {
    gst_hksv_sink_session_end (sink, s, GST_HKSV_SINK_END_MAX_DURATION, TRUE);
  }
}

void
gst_hksv_sink_session_push (GstHksvSink *sink, Session *s, gboolean video, const HksvSample *sample)
{
  HksvRecordingPush r;

  if (s->ended)
    return;
  r = video ? hksv_recording_session_push_video (s->core, sample)
            : hksv_recording_session_push_audio (s->core, sample);
  if (r == HKSV_RECORDING_DROPPED)
    GST_LOG_OBJECT (sink, "session %u: %s sample at %" G_GINT64_FORMAT " not used", s->id,
        video ? "video" : "audio", sample->dts);
  session_check (sink, s);
}

void
gst_hksv_sink_session_feed (GstHksvSink *sink, Session *s, gboolean video, const HksvSample *sample)
{
  if (s->ended || (!video && !s->audio_live))
    return;
  if (s->starting) {
    HeldSample h = { video, *sample };

    g_bytes_ref (h.sample.data);
    g_array_append_val (s->held, h);
    return;
  }
  /* what the prebuffer snapshot already held */
  if (video && s->have_snap_video && sample->dts <= s->snap_video_end)
    return;
  if (!video && s->have_snap_audio && sample->pts <= s->snap_audio_end)
    return;
  gst_hksv_sink_session_push (sink, s, video, sample);
}

void
gst_hksv_sink_feed_all (GstHksvSink *sink, gboolean video, const HksvSample *sample)
{
  for (GList *l = sink->sessions; l; l = l->next)
    gst_hksv_sink_session_feed (sink, l->data, video, sample);
}

void
gst_hksv_sink_end_all (GstHksvSink *sink, GstHksvSinkEndReason reason, gboolean end_of_stream)
{
  for (GList *l = sink->sessions; l; l = l->next)
    gst_hksv_sink_session_end (sink, l->data, reason, end_of_stream);
}

void
gst_hksv_sink_session_end_audio (GstHksvSink *sink, Session *s)
{
  if (s->audio_live && !s->ended) {
    hksv_recording_session_end_audio (s->core);
    session_check (sink, s);
  }
}

/* The audio has ended: sessions recording it go on with video (and silence) only. */
void
gst_hksv_sink_end_audio_all (GstHksvSink *sink)
{
  for (GList *l = sink->sessions; l; l = l->next)
    gst_hksv_sink_session_end_audio (sink, l->data);
}

void
gst_hksv_sink_config_init_locked (GstHksvSink *sink, GstHksvSinkSessionConfig *config)
{
  config->fragment_duration_ms = sink->fragment_duration_ms;
  config->max_duration_ms = sink->max_recording_duration_ms;
  config->prebuffer_ms = sink->prebuffer_duration_ms;
  config->audio = sink->audio_mode;
  config->audio_rate = sink->audio_rate;
  config->audio_channels = sink->audio_channels;
  config->max_queued_bytes = sink->max_queued_bytes;
}

GstClockTime
gst_hksv_sink_video_position (GstHksvSink *sink)
{
  return sink->video.have_last ? (GstClockTime) MAX (sink->video.last_time, 0) : 0;
}

/* Samples per frame of the AudioSpecificConfig `asc` (1024/960 AAC-LC, 512/480 AAC-ELD); 0 when
 * it cannot be read. */
static guint
audio_frame_samples (GBytes *asc)
{
  HksvAacConfig config;
  gsize len;
  const guint8 *data = g_bytes_get_data (asc, &len);

  return hksv_aac_config_parse (data, len, &config, NULL) ? config.frame_samples : 0;
}

/* Makes and lists a session from the pads' current caps (under the lock); its core has sent the
 * init segment into its outbox. `ended_audio`: the audio pad is at EOS but the prebuffer holds
 * its audio (a non-live pipeline's audio, ended before the video): it is recorded. */
static Session *
session_create (GstHksvSink *sink, SessionKind kind, const GstHksvSinkSessionConfig *config,
    gboolean ended_audio, GError **error)
{
  HksvRecordingConfig rc = { 0 };
  g_autoptr (GBytes) silence_asc = NULL;
  g_autoptr (GBytes) silence = NULL;
  Session *s;
  gboolean audio_caps;

  if (!sink->video.pad || !sink->video.have_caps) {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
        "no video caps yet: a session can start once the video pad has caps");
    return NULL;
  }
  if (config->fragment_duration_ms == 0 || config->max_queued_bytes == 0) {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_FAILED,
        "invalid session configuration: zero fragment duration or queue bound");
    return NULL;
  }

  s = g_new0 (Session, 1);
  s->refcount = 1;
  s->kind = kind;
  s->config = *config;
  s->held = g_array_new (FALSE, FALSE, sizeof (HeldSample));
  g_array_set_clear_func (s->held, held_clear);
  g_queue_init (&s->outbox);

  rc.video = sink->video.track;
  rc.fragment_duration = (guint64) config->fragment_duration_ms * GST_MSECOND;
  rc.max_duration = (guint64) config->max_duration_ms * GST_MSECOND;
  rc.interleave = INTERLEAVE;
  audio_caps = sink->audio.pad && sink->audio.have_caps && (!sink->audio.eos || ended_audio);
  if (config->audio != GST_HKSV_SINK_AUDIO_NONE && audio_caps) {
    HksvAacObjectType aot
        = sink->audio.track.codec == HKSV_CODEC_AAC_ELD ? HKSV_AAC_OBJECT_ELD : HKSV_AAC_OBJECT_LC;

    rc.has_audio = rc.audio_live = TRUE;
    rc.audio = sink->audio.track;
    rc.audio_frame_samples = audio_frame_samples (rc.audio.codec_data);
    /* silence only when it has the same frame length as the source */
    if (config->audio == GST_HKSV_SINK_AUDIO_SILENCE_IF_MISSING
        && rc.audio_frame_samples == hksv_aac_frame_samples (aot))
      silence = hksv_aac_silence_frame (aot, rc.audio.sample_rate, rc.audio.channels, NULL);
    s->audio_live = TRUE;
    s->audio_codec_data = g_bytes_ref (rc.audio.codec_data);
  } else if (config->audio == GST_HKSV_SINK_AUDIO_SILENCE_IF_MISSING) {
    silence_asc = hksv_aac_audio_specific_config (
        HKSV_AAC_OBJECT_LC, config->audio_rate, config->audio_channels, error);
    if (silence_asc)
      silence = hksv_aac_silence_frame (
          HKSV_AAC_OBJECT_LC, config->audio_rate, config->audio_channels, error);
    if (!silence) {
      gst_hksv_sink_session_unref (s);
      return NULL;
    }
    rc.has_audio = TRUE;
    rc.audio.codec = HKSV_CODEC_AAC_LC;
    rc.audio.codec_data = silence_asc;
    rc.audio.sample_rate = config->audio_rate;
    rc.audio.channels = config->audio_channels;
  }
  rc.silence = silence;

  s->core = hksv_recording_session_new (&rc, session_chunk, s, error);
  if (!s->core) {
    gst_hksv_sink_session_unref (s);
    return NULL;
  }
  do {
    s->id = ++sink->next_id;
  } while (s->id == 0 || gst_hksv_sink_find_session (sink, s->id));
  s->start_time = gst_hksv_sink_video_position (sink);
  sink->sessions = g_list_append (sink->sessions, s);
  s->listed = TRUE;
  hksv_recording_session_start (s->core);
  session_check (sink, s);
  return s;
}

/* ---- starting sessions ---- */

Session *
gst_hksv_sink_start_locked (GstHksvSink *sink, SessionKind kind,
    const GstHksvSinkSessionConfig *config, gboolean ended_audio,
    const GstHksvSinkSessionCallbacks *callbacks, gpointer user_data, GDestroyNotify destroy,
    GError **error)
{
  g_autofree gchar *location = NULL;
  FILE *file = NULL;
  Session *s;
  guint index = 0;

  if (kind == KIND_FILE && !(file = gst_hksv_sink_clip_open (sink, &location, &index, error)))
    return NULL;
  s = session_create (sink, kind, config, ended_audio, error);
  if (!s) {
    if (file)
      gst_hksv_sink_clip_discard (file, location);
    return NULL;
  }
  if (callbacks)
    s->callbacks = *callbacks;
  s->user_data = user_data;
  s->destroy = destroy;
  if (kind == KIND_FILE)
    gst_hksv_sink_clip_started (sink, s, file, g_steal_pointer (&location), index);
  GST_INFO_OBJECT (sink, "session %u started%s%s", s->id, s->location ? ": " : "",
      s->location ? s->location : "");
  gst_hksv_sink_queue_message (sink, gst_hksv_sink_session_message (sink, s, TRUE));
  return s;
}

guint
gst_hksv_sink_start (GstHksvSink *sink, SessionKind kind, const GstHksvSinkSessionConfig *config,
    const GstHksvSinkSessionCallbacks *callbacks, gpointer user_data, GDestroyNotify destroy)
{
  g_autoptr (GError) error = NULL;
  GstPad *vpad = NULL, *apad = NULL;
  gboolean ended_audio = config->prebuffer_ms > 0 && gst_hksv_sink_ended_audio_prebuffered (sink);
  Session *s;
  guint id;

  g_mutex_lock (&sink->lock);
  s = gst_hksv_sink_start_locked (
      sink, kind, config, ended_audio, callbacks, user_data, destroy, &error);
  if (!s) {
    if (kind == KIND_FILE)
      gst_hksv_sink_clip_failed (sink, error);
    else
      GST_WARNING_OBJECT (sink, "cannot start a session: %s", error->message);
    g_mutex_unlock (&sink->lock);
    if (destroy)
      destroy (user_data);
    gst_hksv_sink_drain (sink);
    return 0;
  }
  id = s->id;
  if (config->prebuffer_ms > 0 && !s->ended) {
    s->starting = TRUE;
    vpad = gst_object_ref (sink->video.pad);
    if (s->audio_live)
      apad = gst_object_ref (sink->audio.pad);
    gst_hksv_sink_session_ref (s);
  }
  g_mutex_unlock (&sink->lock);

  if (vpad) {
    gst_hksv_sink_take_prebuffer (sink, s, vpad, apad);
    gst_object_unref (vpad);
    if (apad)
      gst_object_unref (apad);
    gst_hksv_sink_session_unref (s);
  }
  gst_hksv_sink_drain (sink);
  return id;
}

/* ---- public API ---- */

void
gst_hksv_sink_session_config_init (GstHksvSink *sink, GstHksvSinkSessionConfig *config)
{
  g_return_if_fail (GST_IS_HKSV_SINK (sink));
  g_return_if_fail (config != NULL);

  g_mutex_lock (&sink->lock);
  gst_hksv_sink_config_init_locked (sink, config);
  g_mutex_unlock (&sink->lock);
}

guint
gst_hksv_sink_start_session (GstHksvSink *sink, const GstHksvSinkSessionConfig *config,
    const GstHksvSinkSessionCallbacks *callbacks, gpointer user_data, GDestroyNotify destroy)
{
  GstHksvSinkSessionConfig defaults;

  g_return_val_if_fail (GST_IS_HKSV_SINK (sink), 0);
  g_return_val_if_fail (callbacks == NULL || callbacks->chunk != NULL, 0);

  if (!config) {
    gst_hksv_sink_session_config_init (sink, &defaults);
    config = &defaults;
  }
  return gst_hksv_sink_start (
      sink, callbacks ? KIND_CALLBACK : KIND_PULL, config, callbacks, user_data, destroy);
}

gboolean
gst_hksv_sink_stop_session (GstHksvSink *sink, guint session, gboolean end_of_stream)
{
  Session *s;
  gboolean found;

  g_return_val_if_fail (GST_IS_HKSV_SINK (sink), FALSE);

  g_mutex_lock (&sink->lock);
  s = gst_hksv_sink_find_session (sink, session);
  found = s && !s->ended;
  if (found)
    gst_hksv_sink_session_end (sink, s, GST_HKSV_SINK_END_STOPPED, end_of_stream);
  g_mutex_unlock (&sink->lock);
  gst_hksv_sink_drain (sink);
  return found;
}

guint
gst_hksv_sink_get_n_sessions (GstHksvSink *sink)
{
  guint n = 0;

  g_return_val_if_fail (GST_IS_HKSV_SINK (sink), 0);

  g_mutex_lock (&sink->lock);
  for (GList *l = sink->sessions; l; l = l->next)
    n += !((Session *) l->data)->ended;
  g_mutex_unlock (&sink->lock);
  return n;
}
