/* hksvsink: the prebuffer hand-over (gsthksvsink-private.h). A session that starts with a
 * prebuffer queries hksvprebuffer on both pads (gst/hksv-prebuffer-query.h) without the lock,
 * feeds it the video from the latest keyframe that still gives the prebuffer length with the
 * audio in time order, then the live samples held meanwhile, skipping what the snapshot held.
 * An audio pad at EOS before the session starts (a non-live pipeline's audio, run ahead) may
 * still have its audio in the prebuffer: the session then records it. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "plugins/hksv/gsthksvsink-private.h"

#include <string.h>

#include "gst/hksv-prebuffer-query.h"

typedef struct {
  gboolean valid;
  GstCaps *caps;
  GstSegment segment;
  GstBufferList *buffers;
} Snapshot;

static void
snapshot_take (GstPad *pad, Snapshot *snap)
{
  GstQuery *query = hksv_prebuffer_query_new ();

  memset (snap, 0, sizeof (*snap));
  if (pad && gst_pad_peer_query (pad, query))
    snap->valid = hksv_prebuffer_query_parse_content (
        query, &snap->caps, &snap->segment, &snap->buffers, NULL);
  gst_query_unref (query);
}

static void
snapshot_clear (Snapshot *snap)
{
  g_clear_pointer (&snap->caps, gst_caps_unref);
  g_clear_pointer (&snap->buffers, gst_buffer_list_unref);
}

typedef struct {
  GstBuffer *buffer;
  gint64 dts, pts;
  gboolean sync; /* video: an IDR / IRAP access unit */
} SnapEntry;

/* The snapshot's buffers with their running times, in order (untimed or unordered ones
 * skipped, and video access units whose NAL units do not tile them: corrupt, never written).
 * FALSE when the snapshot does not match the pad's current codec_data. */
static gboolean
snapshot_entries (
    GstHksvSink *sink, Snapshot *snap, gboolean video, const PadState *ps, GArray *entries)
{
  g_autoptr (GBytes) cd = NULL;
  guint n;

  if (!snap->valid || !snap->caps || gst_caps_get_size (snap->caps) < 1)
    return FALSE;
  cd = gst_hksv_sink_caps_codec_data (gst_caps_get_structure (snap->caps, 0));
  if (!cd || !ps->have_caps || !g_bytes_equal (cd, ps->track.codec_data)) {
    GST_INFO_OBJECT (
        sink, "%s prebuffer has other caps than the pad: not used", video ? "video" : "audio");
    return FALSE;
  }
  n = gst_buffer_list_length (snap->buffers);
  for (guint i = 0; i < n; i++) {
    SnapEntry e = { gst_buffer_list_get (snap->buffers, i), 0, 0, FALSE };

    if (!gst_hksv_sink_buffer_times (&snap->segment, e.buffer, video, &e.dts, &e.pts))
      continue;
    if (video) {
      g_autoptr (GBytes) bytes = gst_hksv_sink_buffer_bytes (e.buffer);

      if (!bytes || !gst_hksv_sink_video_sync (sink, bytes, &e.sync)) {
        GST_WARNING_OBJECT (sink, "prebuffer: a corrupt video access unit skipped");
        continue;
      }
    }
    if (entries->len > 0) {
      SnapEntry *prev = &g_array_index (entries, SnapEntry, entries->len - 1);

      if ((video ? e.dts <= prev->dts : e.pts <= prev->pts))
        continue;
    }
    g_array_append_val (entries, e);
  }
  return entries->len > 0;
}

static gboolean
snap_push (GstHksvSink *sink, Session *s, gboolean video, const SnapEntry *e)
{
  g_autoptr (GBytes) bytes = NULL;
  HksvSample sample = { e->dts, e->pts, 0, !video || e->sync, NULL };

  if (GST_BUFFER_DURATION_IS_VALID (e->buffer))
    sample.duration = GST_BUFFER_DURATION (e->buffer);
  bytes = gst_hksv_sink_buffer_bytes (e->buffer);
  if (!bytes)
    return FALSE;
  sample.data = bytes;
  gst_hksv_sink_session_push (sink, s, video, &sample);
  return TRUE;
}

/* Feeds a session the prebuffer (under the lock): the video from the latest keyframe that still
 * gives `prebuffer_ms` before the newest buffer (else its first keyframe), with the audio in time
 * order; then sets the thresholds below which live buffers were in the snapshot. */
static void
snapshot_feed (GstHksvSink *sink, Session *s, Snapshot *vsnap, Snapshot *asnap)
{
  g_autoptr (GArray) v = g_array_new (FALSE, FALSE, sizeof (SnapEntry));
  g_autoptr (GArray) a = g_array_new (FALSE, FALSE, sizeof (SnapEntry));
  guint vi = 0, ai = 0, start = G_MAXUINT;
  gint64 last, want = (gint64) s->config.prebuffer_ms * GST_MSECOND;
  gboolean have_v, have_a = FALSE;

  have_v = snapshot_entries (sink, vsnap, TRUE, &sink->video, v);
  if (!have_v)
    return;
  if (s->audio_live)
    have_a = snapshot_entries (sink, asnap, FALSE, &sink->audio, a);

  last = g_array_index (v, SnapEntry, v->len - 1).dts;
  for (guint i = 0; i < v->len; i++) {
    SnapEntry *e = &g_array_index (v, SnapEntry, i);

    if (!e->sync)
      continue;
    /* the first keyframe, then each later one that still gives the whole prebuffer */
    if (start == G_MAXUINT || last - e->dts >= want)
      start = i;
    else
      break;
  }
  if (start == G_MAXUINT)
    start = 0; /* no keyframe: the session waits for one */
  vi = start;
  GST_DEBUG_OBJECT (sink,
      "session %u: prebuffer of %u video buffers from %" G_GINT64_FORMAT " (of %u), %u audio",
      s->id, v->len - start, g_array_index (v, SnapEntry, start).dts, v->len, a->len);

  while (!s->ended && (vi < v->len || (have_a && ai < a->len))) {
    gboolean take_video
        = vi < v->len
          && (!have_a || ai >= a->len
              || g_array_index (v, SnapEntry, vi).dts <= g_array_index (a, SnapEntry, ai).pts);

    if (take_video)
      snap_push (sink, s, TRUE, &g_array_index (v, SnapEntry, vi++));
    else
      snap_push (sink, s, FALSE, &g_array_index (a, SnapEntry, ai++));
  }
  s->have_snap_video = TRUE;
  s->snap_video_end = last;
  if (have_a) {
    s->have_snap_audio = TRUE;
    s->snap_audio_end = g_array_index (a, SnapEntry, a->len - 1).pts;
  }
}

gboolean
gst_hksv_sink_ended_audio_prebuffered (GstHksvSink *sink)
{
  GstPad *apad = NULL;
  Snapshot snap;
  gboolean held = FALSE;

  g_mutex_lock (&sink->lock);
  if (sink->audio.pad && sink->audio.have_caps && sink->audio.eos)
    apad = gst_object_ref (sink->audio.pad);
  g_mutex_unlock (&sink->lock);
  if (!apad)
    return FALSE;
  snapshot_take (apad, &snap);
  gst_object_unref (apad);
  if (snap.valid && snap.caps && gst_caps_get_size (snap.caps) > 0
      && gst_buffer_list_length (snap.buffers) > 0) {
    g_autoptr (GBytes) cd = gst_hksv_sink_caps_codec_data (gst_caps_get_structure (snap.caps, 0));

    g_mutex_lock (&sink->lock);
    held = cd && sink->audio.have_caps && g_bytes_equal (cd, sink->audio.track.codec_data);
    g_mutex_unlock (&sink->lock);
  }
  snapshot_clear (&snap);
  GST_DEBUG_OBJECT (sink, "audio at EOS, %s in the prebuffer", held ? "its audio" : "nothing");
  return held;
}

void
gst_hksv_sink_take_prebuffer (GstHksvSink *sink, Session *s, GstPad *vpad, GstPad *apad)
{
  Snapshot vsnap, asnap;

  /* Not under the lock: the queries go upstream, where streaming threads may be waiting to
   * push into this element. Live buffers arriving meanwhile are held for the session. */
  snapshot_take (vpad, &vsnap);
  snapshot_take (apad, &asnap);
  g_mutex_lock (&sink->lock);
  s->starting = FALSE;
  if (!s->ended)
    snapshot_feed (sink, s, &vsnap, &asnap);
  for (guint i = 0; i < s->held->len && !s->ended; i++) {
    HeldSample *h = &g_array_index (s->held, HeldSample, i);

    gst_hksv_sink_session_feed (sink, s, h->video, &h->sample);
  }
  g_array_set_size (s->held, 0);
  /* the audio ended before the session started: what the prebuffer held was all of it */
  if (sink->audio.eos)
    gst_hksv_sink_session_end_audio (sink, s);
  g_mutex_unlock (&sink->lock);
  snapshot_clear (&vsnap);
  snapshot_clear (&asnap);
}
