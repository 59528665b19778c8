/* libgsthksv: one HomeKit Secure Video recording: fragment cutting, the audio wait, silence,
 * maximum length and chunking over an HksvFmp4Writer (see recording-session.h for the rules). */
#include "gst/recording-session.h"

#include "gst/hksv-limits.h"

#define VIDEO_TRACK 0
#define AUDIO_TRACK 1

struct _HksvRecordingSession {
  HksvRecordingConfig config; /* codec_data pointers cleared: the writer holds them */
  HksvFmp4Writer *writer;
  HksvChunkFunc func;
  gpointer user_data;

  HksvRecordingState state;
  gboolean init_sent;
  guint64 frame_duration; /* nominal audio frame duration, ns */

  gboolean started;
  gint64 origin;                   /* DTS of the first keyframe */
  gint64 frag_start;               /* DTS of the current fragment's keyframe */
  GArray *frag_video, *frag_audio; /* HksvSample of the current fragment */
  gsize frag_bytes;

  /* A cut found (the keyframe at cut_time arrived) but waiting for the audio to reach it. */
  gboolean cut_pending, cut_final;
  gint64 cut_time;
  GArray *held_video; /* video from the keyframe at cut_time on, for the next fragment */
  GArray *held_audio; /* audio not yet known to be in the current fragment, in order */
  gsize held_audio_bytes;

  gboolean have_video;
  gint64 last_video_dts;
  guint64 last_video_duration; /* ns, of the newest video sample (known or measured), 0 unknown */

  gboolean have_audio, have_audio_end, audio_ended;
  gint64 last_audio_pts;
  gint64 audio_end; /* end of the newest audio frame accepted or written (silence included) */

  HksvRecordingStats stats;
};

static void
sample_clear (gpointer p)
{
  HksvSample *sample = p;

  g_clear_pointer (&sample->data, g_bytes_unref);
}

static GArray *
sample_array_new (void)
{
  GArray *a = g_array_new (FALSE, FALSE, sizeof (HksvSample));

  g_array_set_clear_func (a, sample_clear);
  return a;
}

static void
sample_array_clear (GArray *a)
{
  g_array_set_size (a, 0);
}

/* Takes its own reference to the data. */
static void
sample_array_append (GArray *a, const HksvSample *sample)
{
  HksvSample copy = *sample;

  g_bytes_ref (copy.data);
  g_array_append_val (a, copy);
}

/* The earliest time after a fragment's start at which a keyframe cuts it (fragment_duration less
 * the tolerance, HKSV_FRAGMENT_TOLERANCE_MS): audio before it surely belongs to the fragment. */
static gint64
earliest_cut (HksvRecordingSession *s)
{
  const guint64 tolerance = HKSV_FRAGMENT_TOLERANCE_MS * G_GUINT64_CONSTANT (1000000);
  guint64 d = s->config.fragment_duration;

  return s->frag_start + (gint64) (d > tolerance ? d - tolerance : 0);
}

static void
clear_queued (HksvRecordingSession *s)
{
  sample_array_clear (s->frag_video);
  sample_array_clear (s->frag_audio);
  sample_array_clear (s->held_video);
  sample_array_clear (s->held_audio);
  s->held_audio_bytes = 0;
  s->frag_bytes = 0;
  s->cut_pending = FALSE;
}

static void
end_session (HksvRecordingSession *s, HksvRecordingState state)
{
  clear_queued (s);
  s->state = state;
}

static void
emit_chunk (const HksvChunk *chunk, gpointer user_data)
{
  HksvRecordingSession *s = user_data;

  s->stats.chunks++;
  s->stats.bytes += g_bytes_get_size (chunk->data);
  if (chunk->end_of_stream)
    s->stats.end_of_stream_sent = TRUE;
  s->func (chunk, s->user_data);
}

static void
ensure_init (HksvRecordingSession *s)
{
  g_autoptr (GBytes) init = NULL;

  if (s->init_sent)
    return;
  s->init_sent = TRUE;
  init = hksv_fmp4_writer_init_segment (s->writer);
  hksv_chunker_split (
      HKSV_CHUNK_MEDIA_INITIALIZATION, 1, init, FALSE, s->config.max_chunk_size, emit_chunk, s);
}

static guint64
audio_time (HksvRecordingSession *s, guint64 frames)
{
  return frames * s->config.audio_frame_samples * G_GUINT64_CONSTANT (1000000000)
         / s->config.audio.sample_rate;
}

/* Fills the audio track from where it ended (or the time base) up to `until` with the silence
 * frame, back to back. */
static void
fill_silence (HksvRecordingSession *s, gint64 until)
{
  gint64 base;
  guint64 n = 0;

  if (!s->config.has_audio || !s->config.silence)
    return;
  base = s->have_audio_end && s->audio_end > s->origin ? s->audio_end : s->origin;
  while (base + (gint64) audio_time (s, n) < until) {
    HksvSample sample = { 0 };

    sample.dts = sample.pts = base + (gint64) audio_time (s, n);
    sample.duration = audio_time (s, n + 1) - audio_time (s, n);
    sample.data = s->config.silence;
    sample_array_append (s->frag_audio, &sample);
    s->frag_bytes += g_bytes_get_size (sample.data);
    s->last_audio_pts = sample.pts;
    n++;
  }
  if (n > 0) {
    s->have_audio = s->have_audio_end = TRUE;
    s->audio_end = base + (gint64) audio_time (s, n);
    s->stats.silent_samples += n;
  }
}

/* Moves the held audio before `limit` into the current fragment. */
static void
take_held_audio (HksvRecordingSession *s, gint64 limit)
{
  guint i;

  for (i = 0; i < s->held_audio->len; i++) {
    HksvSample *sample = &g_array_index (s->held_audio, HksvSample, i);

    if (sample->pts >= limit)
      break;
    s->frag_bytes += g_bytes_get_size (sample->data);
    s->held_audio_bytes -= g_bytes_get_size (sample->data);
    /* the array takes the reference over: no clear func on the moved range */
    g_array_append_val (s->frag_audio, *sample);
    sample->data = NULL;
  }
  if (i > 0)
    g_array_remove_range (s->held_audio, 0, i);
}

/* Drops the `n` oldest held audio frames. */
static void
drop_held_audio (HksvRecordingSession *s, guint n)
{
  for (guint i = 0; i < n; i++)
    s->held_audio_bytes -= g_bytes_get_size (g_array_index (s->held_audio, HksvSample, i).data);
  if (n > 0)
    g_array_remove_range (s->held_audio, 0, n);
  s->stats.dropped_audio += n;
}

/* The recording ends at `limit`: the audio after it that was already placed in the fragment
 * (known to be before the next cut) is dropped. */
static void
truncate_audio (HksvRecordingSession *s, gint64 limit)
{
  guint i;

  for (i = 0; i < s->frag_audio->len; i++) {
    if (g_array_index (s->frag_audio, HksvSample, i).pts >= limit)
      break;
  }
  if (i < s->frag_audio->len)
    g_array_remove_range (s->frag_audio, i, s->frag_audio->len - i);
}

static void
write_fragment (HksvRecordingSession *s, gint64 end, gboolean final)
{
  g_autoptr (GBytes) fragment = NULL;
  guint i;

  ensure_init (s);
  for (i = 0; i < s->frag_video->len; i++) {
    g_autoptr (GError) error = NULL;
    const HksvSample *sample = &g_array_index (s->frag_video, HksvSample, i);

    if (hksv_fmp4_writer_add_sample (s->writer, VIDEO_TRACK, sample, &error)) {
      s->stats.video_samples++;
    } else {
      g_debug ("recording: video sample at %" G_GINT64_FORMAT " refused: %s", sample->dts,
          error->message);
      s->stats.dropped_video++;
    }
  }
  for (i = 0; i < s->frag_audio->len; i++) {
    g_autoptr (GError) error = NULL;
    const HksvSample *sample = &g_array_index (s->frag_audio, HksvSample, i);

    if (hksv_fmp4_writer_add_sample (s->writer, AUDIO_TRACK, sample, &error)) {
      if (sample->data != s->config.silence)
        s->stats.audio_samples++;
    } else {
      g_debug ("recording: audio sample at %" G_GINT64_FORMAT " refused: %s", sample->pts,
          error->message);
      s->stats.dropped_audio++;
    }
  }
  sample_array_clear (s->frag_video);
  sample_array_clear (s->frag_audio);
  s->frag_bytes = 0;

  fragment = hksv_fmp4_writer_finish_fragment (s->writer, end);
  if (!fragment)
    return;
  hksv_chunker_split (HKSV_CHUNK_MEDIA_FRAGMENT, 2 + s->stats.fragments, fragment, final,
      s->config.max_chunk_size, emit_chunk, s);
  s->stats.fragments++;
  if (end >= s->origin)
    s->stats.duration = (guint64) (end - s->origin);
}

static gboolean
check_overflow (HksvRecordingSession *s)
{
  if (s->frag_bytes <= s->config.max_fragment_bytes)
    return FALSE;
  g_debug ("recording: fragment from %" G_GINT64_FORMAT " beyond %" G_GSIZE_FORMAT
           " bytes without a keyframe: ending",
      s->frag_start, s->config.max_fragment_bytes);
  end_session (s, HKSV_RECORDING_END_OVERFLOW);
  return TRUE;
}

/* One video sample of the running recording, in order: into the fragment, or the cut. FALSE when
 * the sample is beyond the recording's end (max_duration). */
static gboolean
process_video (HksvRecordingSession *s, const HksvSample *sample)
{
  if (s->cut_pending && s->cut_final)
    return FALSE;
  if (s->cut_pending) {
    /* re-processed after the cut (it may then be the one that ends the recording) */
    sample_array_append (s->held_video, sample);
    return TRUE;
  }
  if (s->config.max_duration > 0 && sample->dts - s->origin >= (gint64) s->config.max_duration) {
    s->cut_pending = s->cut_final = TRUE;
    s->cut_time = sample->dts;
    return FALSE;
  }
  if (sample->sync && s->frag_video->len > 0 && sample->dts >= earliest_cut (s)) {
    s->cut_pending = TRUE;
    s->cut_final = FALSE;
    s->cut_time = sample->dts;
    sample_array_append (s->held_video, sample);
    return TRUE;
  }
  sample_array_append (s->frag_video, sample);
  s->frag_bytes += g_bytes_get_size (sample->data);
  return TRUE;
}

/* The writer starts each track at 0: the audio frame nearest to the video's first keyframe starts
 * the audio track, so that the two are at most half a frame apart. */
static gboolean
audio_before_origin (HksvRecordingSession *s, gint64 pts)
{
  return pts < s->origin - (gint64) s->frame_duration / 2;
}

static gboolean
audio_reached (HksvRecordingSession *s, gint64 cut, gboolean force)
{
  if (force || !s->config.has_audio || !s->config.audio_live || s->audio_ended)
    return TRUE;
  if (s->have_audio_end && s->audio_end >= cut)
    return TRUE;
  return s->last_video_dts - cut > (gint64) s->config.audio_wait;
}

/* Makes the pending cut(s) whose audio is complete (all of them with `force`). */
static void
try_cut (HksvRecordingSession *s, gboolean force)
{
  while (s->state == HKSV_RECORDING_RUNNING && s->cut_pending
         && audio_reached (s, s->cut_time, force)) {
    gint64 cut = s->cut_time;
    GArray *held;
    guint i;

    take_held_audio (s, cut);
    if (s->cut_final)
      truncate_audio (s, cut);
    fill_silence (s, cut);
    s->cut_pending = FALSE;
    write_fragment (s, cut, s->cut_final);
    if (s->cut_final) {
      end_session (s, HKSV_RECORDING_END_MAX_DURATION);
      return;
    }
    s->frag_start = cut;
    take_held_audio (s, earliest_cut (s));

    /* The held video starts with the keyframe at `cut`; it may hold the next cut too. */
    held = s->held_video;
    s->held_video = sample_array_new ();
    for (i = 0; i < held->len; i++)
      process_video (s, &g_array_index (held, HksvSample, i));
    g_array_unref (held);
    if (check_overflow (s))
      return;
  }
}

HksvRecordingSession *
hksv_recording_session_new (
    const HksvRecordingConfig *config, HksvChunkFunc func, gpointer user_data, GError **error)
{
  HksvRecordingSession *s;
  HksvTrackInfo tracks[HKSV_FMP4_MAX_TRACKS];
  HksvFmp4Options options = { 0 };
  HksvFmp4Writer *writer;

  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (func != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (config->fragment_duration == 0) {
    g_set_error (
        error, HKSV_RECORDING_ERROR, HKSV_RECORDING_ERROR_INVALID_CONFIG, "zero fragment duration");
    return NULL;
  }
  if (config->silence && (!config->has_audio || g_bytes_get_size (config->silence) == 0)) {
    g_set_error (error, HKSV_RECORDING_ERROR, HKSV_RECORDING_ERROR_INVALID_CONFIG,
        "a silence frame needs an audio track and must not be empty");
    return NULL;
  }
  tracks[0] = config->video;
  if (config->has_audio)
    tracks[1] = config->audio;
  options.interleave_ns = config->interleave;
  writer = hksv_fmp4_writer_new (tracks, config->has_audio ? 2 : 1, &options, error);
  if (!writer)
    return NULL;

  s = g_new0 (HksvRecordingSession, 1);
  s->config = *config;
  s->config.video.codec_data = NULL;
  s->config.audio.codec_data = NULL;
  if (s->config.silence)
    g_bytes_ref (s->config.silence);
  if (s->config.audio_frame_samples == 0)
    s->config.audio_frame_samples = 1024;
  if (s->config.audio_wait == 0)
    s->config.audio_wait = HKSV_RECORDING_AUDIO_WAIT_DEFAULT;
  if (s->config.max_fragment_bytes == 0)
    s->config.max_fragment_bytes = HKSV_RECORDING_MAX_FRAGMENT_BYTES_DEFAULT;
  if (s->config.has_audio)
    s->frame_duration = audio_time (s, 1);
  s->writer = writer;
  s->func = func;
  s->user_data = user_data;
  s->state = HKSV_RECORDING_RUNNING;
  s->frag_video = sample_array_new ();
  s->frag_audio = sample_array_new ();
  s->held_video = sample_array_new ();
  s->held_audio = sample_array_new ();
  return s;
}

void
hksv_recording_session_free (HksvRecordingSession *session)
{
  if (!session)
    return;
  g_array_unref (session->frag_video);
  g_array_unref (session->frag_audio);
  g_array_unref (session->held_video);
  g_array_unref (session->held_audio);
  g_clear_pointer (&session->config.silence, g_bytes_unref);
  hksv_fmp4_writer_free (session->writer);
  g_free (session);
}

void
hksv_recording_session_start (HksvRecordingSession *session)
{
  g_return_if_fail (session != NULL);
  if (session->state == HKSV_RECORDING_RUNNING)
    ensure_init (session);
}

HksvRecordingPush
hksv_recording_session_push_video (HksvRecordingSession *session, const HksvSample *sample)
{
  HksvRecordingSession *s = session;
  gboolean kept;

  g_return_val_if_fail (session != NULL, HKSV_RECORDING_DROPPED);
  g_return_val_if_fail (sample != NULL && sample->data != NULL, HKSV_RECORDING_DROPPED);

  if (s->state != HKSV_RECORDING_RUNNING)
    return HKSV_RECORDING_ENDED;
  if (g_bytes_get_size (sample->data) == 0 || sample->pts < sample->dts
      || (s->have_video && sample->dts <= s->last_video_dts) || (!s->started && !sample->sync)) {
    s->stats.dropped_video++;
    return HKSV_RECORDING_DROPPED;
  }

  if (s->have_video) {
    s->last_video_duration
        = sample->duration > 0 ? sample->duration : (guint64) (sample->dts - s->last_video_dts);
  } else {
    s->last_video_duration = sample->duration;
  }
  s->have_video = TRUE;
  s->last_video_dts = sample->dts;

  if (!s->started) {
    guint i;

    s->started = TRUE;
    s->origin = s->frag_start = sample->dts;
    s->stats.started = TRUE;
    s->stats.time_base = s->origin;
    /* Audio held before the time base is dropped. */
    for (i = 0; i < s->held_audio->len; i++) {
      if (!audio_before_origin (s, g_array_index (s->held_audio, HksvSample, i).pts))
        break;
    }
    drop_held_audio (s, i);
    take_held_audio (s, earliest_cut (s));
  }

  kept = process_video (s, sample);
  if (check_overflow (s))
    return HKSV_RECORDING_ENDED;
  try_cut (s, FALSE);
  return kept ? HKSV_RECORDING_ACCEPTED : HKSV_RECORDING_ENDED;
}

HksvRecordingPush
hksv_recording_session_push_audio (HksvRecordingSession *session, const HksvSample *sample)
{
  HksvRecordingSession *s = session;
  HksvSample copy;
  gint64 threshold;
  gsize size;
  gboolean direct;

  g_return_val_if_fail (session != NULL, HKSV_RECORDING_DROPPED);
  g_return_val_if_fail (sample != NULL && sample->data != NULL, HKSV_RECORDING_DROPPED);

  if (s->state != HKSV_RECORDING_RUNNING)
    return HKSV_RECORDING_ENDED;
  if (!s->config.has_audio || g_bytes_get_size (sample->data) == 0
      || (s->have_audio && sample->pts <= s->last_audio_pts)
      || (s->have_audio_end && sample->pts < s->audio_end - (gint64) s->frame_duration / 2)
      || (s->started && audio_before_origin (s, sample->pts))) {
    s->stats.dropped_audio++;
    return HKSV_RECORDING_DROPPED;
  }

  copy = *sample;
  copy.dts = copy.pts;
  if (copy.duration == 0)
    copy.duration = s->frame_duration;
  size = g_bytes_get_size (copy.data);
  threshold = s->cut_pending ? s->cut_time : earliest_cut (s);
  direct = s->started && s->held_audio->len == 0 && copy.pts < threshold;
  if (!direct && s->started && s->held_audio_bytes + size > s->config.max_fragment_bytes) {
    /* Audio ahead of the video waits for it whatever its lead, within the byte bound; beyond
     * it the newest goes (the held audio is what the video reaches first). */
    s->stats.dropped_audio++;
    return HKSV_RECORDING_DROPPED;
  }

  s->have_audio = TRUE;
  s->last_audio_pts = copy.pts;
  if (!s->have_audio_end || copy.pts + (gint64) copy.duration > s->audio_end)
    s->audio_end = copy.pts + (gint64) copy.duration;
  s->have_audio_end = TRUE;

  if (direct) {
    sample_array_append (s->frag_audio, &copy);
    s->frag_bytes += size;
    if (check_overflow (s))
      return HKSV_RECORDING_ENDED;
  } else {
    sample_array_append (s->held_audio, &copy);
    s->held_audio_bytes += size;
    if (!s->started) {
      /* Before the time base: the oldest frames are the first to fall before it. */
      gsize bytes = s->held_audio_bytes;
      guint n = 0;

      while (n + 1 < s->held_audio->len
             && (copy.pts - g_array_index (s->held_audio, HksvSample, n).pts
                     > (gint64) HKSV_RECORDING_MAX_HELD_AUDIO
                 || bytes > s->config.max_fragment_bytes))
        bytes -= g_bytes_get_size (g_array_index (s->held_audio, HksvSample, n++).data);
      drop_held_audio (s, n);
    }
  }
  try_cut (s, FALSE);
  return HKSV_RECORDING_ACCEPTED;
}

void
hksv_recording_session_end_audio (HksvRecordingSession *session)
{
  g_return_if_fail (session != NULL);
  session->audio_ended = TRUE;
  try_cut (session, FALSE);
}

gboolean
hksv_recording_session_stop (HksvRecordingSession *session, gboolean end_of_stream)
{
  HksvRecordingSession *s = session;
  gint64 end, limit;

  g_return_val_if_fail (session != NULL, FALSE);

  if (s->state != HKSV_RECORDING_RUNNING)
    return FALSE;
  if (!end_of_stream) {
    end_session (s, HKSV_RECORDING_END_ABORTED);
    return FALSE;
  }
  try_cut (s, TRUE);
  if (s->state != HKSV_RECORDING_RUNNING)
    return s->stats.end_of_stream_sent;
  if (!s->started || s->frag_video->len == 0) {
    end_session (s, HKSV_RECORDING_END_STOPPED);
    return FALSE;
  }
  /* The recording ends where its last video frame ends (unknown for a lone frame without
   * duration: the writer then picks the frame's nominal duration). */
  end = s->last_video_duration > 0 ? s->last_video_dts + (gint64) s->last_video_duration : -1;
  limit = end >= 0 ? end : s->last_video_dts + 1;
  take_held_audio (s, limit);
  truncate_audio (s, limit);
  if (end >= 0)
    fill_silence (s, end);
  write_fragment (s, end, TRUE);
  end_session (s, HKSV_RECORDING_END_STOPPED);
  return s->stats.end_of_stream_sent;
}

HksvRecordingState
hksv_recording_session_get_state (HksvRecordingSession *session)
{
  g_return_val_if_fail (session != NULL, HKSV_RECORDING_END_ABORTED);
  return session->state;
}

void
hksv_recording_session_get_stats (HksvRecordingSession *session, HksvRecordingStats *stats)
{
  g_return_if_fail (session != NULL);
  g_return_if_fail (stats != NULL);
  *stats = session->stats;
}

guint64
hksv_recording_session_audio_frame_duration (HksvRecordingSession *session)
{
  g_return_val_if_fail (session != NULL, 0);
  return session->frame_duration;
}

G_DEFINE_QUARK (hksv - recording - error - quark, hksv_recording_error)
