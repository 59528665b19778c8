/* hksvsink: HomeKit Secure Video recordings (fragmented MP4 in dataSend chunks) for concurrent
 * sessions, or one MP4 file per motion event (standalone mode).
 *
 * Each session is a gst/recording-session.c core (its own fMP4 writer, time base and sequence
 * numbers) fed with the buffers of the request pads in running time. One lock guards the pads'
 * state, the sessions and their queues. Muxing runs under it, on the thread that completed a
 * fragment; delivery never does: each session's chunks go into its bounded queue (its outbox),
 * and whichever thread made them drains the outboxes after releasing the lock, one thread per
 * session at a time (the `delivering` flag), so callbacks see one session's chunks in order and
 * may call back into the element. A consumer that lets its outbox pass max-queued-bytes, or whose
 * callback returns FALSE, loses its session; nothing here ever waits for a consumer. Bus messages
 * are queued under the lock and posted by the same drain, in order. See docs/elements/hksvsink.md.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "plugins/hksv/gsthksvsink.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "gst/aac-silence.h"
#include "gst/chunker.h"
#include "gst/clip-location.h"
#include "gst/hksv-motion-event.h"
#include "gst/hksv-prebuffer-query.h"
#include "gst/mp4-codec.h"
#include "gst/recording-session.h"

GST_DEBUG_CATEGORY_STATIC (gst_hksv_sink_debug);
#define GST_CAT_DEFAULT gst_hksv_sink_debug

#define DEFAULT_LOCATION NULL
#define DEFAULT_INDEX 0
#define DEFAULT_POST_MOTION_MS 5000
#define DEFAULT_MAX_RECORDING_DURATION_MS 180000 /* 3 min, as hubs' peers cap recordings */
#define DEFAULT_FRAGMENT_DURATION_MS 4000
#define DEFAULT_PREBUFFER_DURATION_MS 4000
#define DEFAULT_AUDIO GST_HKSV_SINK_AUDIO_AUTO
#define DEFAULT_AUDIO_RATE 32000
#define DEFAULT_AUDIO_CHANNELS 1
#define DEFAULT_MAX_QUEUED_BYTES (G_GUINT64_CONSTANT (16) * 1024 * 1024)
#define MAX_MS (24 * 3600 * 1000)
/* Runs of each track alternate in mdat about this often, as the real camera writes them. */
#define INTERLEAVE (500 * GST_MSECOND)

enum {
  PROP_0,
  PROP_LOCATION,
  PROP_INDEX,
  PROP_POST_MOTION,
  PROP_MAX_RECORDING_DURATION,
  PROP_FRAGMENT_DURATION,
  PROP_PREBUFFER_DURATION,
  PROP_AUDIO,
  PROP_AUDIO_RATE,
  PROP_AUDIO_CHANNELS,
  PROP_MAX_QUEUED_BYTES,
  PROP_N_SESSIONS,
};

enum {
  SIGNAL_START_SESSION,
  SIGNAL_STOP_SESSION,
  SIGNAL_PULL_CHUNK,
  SIGNAL_NEW_CHUNK,
  SIGNAL_SESSION_ENDED,
  N_SIGNALS,
};

static guint signals[N_SIGNALS];

/* What one request pad has received. */
typedef struct {
  GstPad *pad; /* NULL when not requested */
  GstSegment segment;
  gboolean have_caps;
  HksvTrackInfo track; /* owns codec_data, when have_caps */
  guint nal_length_size;
  gboolean have_last;
  gint64 last_time; /* running time of the last accepted buffer (video DTS, audio PTS) */
  gboolean eos;
} PadState;

typedef enum {
  KIND_CALLBACK,
  KIND_PULL,
  KIND_FILE,
} SessionKind;

typedef struct {
  gboolean video;
  HksvSample sample;
} HeldSample;

typedef struct {
  gint refcount;
  guint id;
  SessionKind kind;
  GstHksvSinkSessionConfig config;
  HksvRecordingSession *core;
  gboolean audio_live;      /* fed the audio pad's buffers */
  GBytes *audio_codec_data; /* of the live audio, to tell a caps change */
  GstClockTime start_time;  /* running time of the video when it started */

  /* While the prebuffer is queried: live samples are held, fed after the snapshot. */
  gboolean starting;
  GArray *held; /* HeldSample */
  gboolean have_snap_video, have_snap_audio;
  gint64 snap_video_end, snap_audio_end;

  GQueue outbox; /* HksvChunk* */
  guint64 outbox_bytes;
  gboolean overflowed; /* the outbox passed its bound: the session is lost */
  gboolean delivering;
  gboolean notify_new; /* pull: "new-chunk" to emit */

  gboolean ended, end_notified, listed;
  GstHksvSinkEndReason reason;
  HksvRecordingStats stats; /* at the end */

  GstHksvSinkSessionCallbacks callbacks;
  gpointer user_data;
  GDestroyNotify destroy;

  gchar *location;
  guint clip_index;
  FILE *file;
} Session;

struct _GstHksvSink {
  GstElement parent;

  GMutex lock; /* guards everything below */
  PadState video, audio;
  GList *sessions; /* Session*, each holding a reference */
  guint next_id;
  GQueue messages; /* GstMessage* to post, in order, after the lock is released */
  gboolean eos_pending;
  guint32 eos_seqnum;

  /* standalone mode */
  gboolean motion;
  GstClockTime clip_deadline; /* running time at which the post-motion time ends */
  Session *clip;              /* the open clip (also in `sessions`) */
  gboolean clip_pending;      /* start a clip (live) at the next opportunity */

  /* properties */
  gchar *location;
  guint index;
  guint post_motion_ms;
  guint max_recording_duration_ms;
  guint fragment_duration_ms;
  guint prebuffer_duration_ms;
  GstHksvSinkAudioMode audio_mode;
  guint audio_rate, audio_channels;
  guint64 max_queued_bytes;
};

static GstStaticPadTemplate video_template
    = GST_STATIC_PAD_TEMPLATE ("video", GST_PAD_SINK, GST_PAD_REQUEST,
        GST_STATIC_CAPS ("video/x-h264, stream-format = (string) avc, alignment = (string) au; "
                         "video/x-h265, stream-format = (string) hvc1, alignment = (string) au"));

static GstStaticPadTemplate audio_template
    = GST_STATIC_PAD_TEMPLATE ("audio", GST_PAD_SINK, GST_PAD_REQUEST,
        GST_STATIC_CAPS ("audio/mpeg, mpegversion = (int) 4, stream-format = (string) raw"));

#define gst_hksv_sink_parent_class parent_class
G_DEFINE_TYPE (GstHksvSink, gst_hksv_sink, GST_TYPE_ELEMENT);
GST_ELEMENT_REGISTER_DEFINE (hksvsink, "hksvsink", GST_RANK_NONE, GST_TYPE_HKSV_SINK);

GType
gst_hksv_sink_audio_mode_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    { GST_HKSV_SINK_AUDIO_NONE, "No audio track", "none" },
    { GST_HKSV_SINK_AUDIO_AUTO, "Audio track when the audio pad has caps", "auto" },
    { GST_HKSV_SINK_AUDIO_SILENCE_IF_MISSING,
        "Always an audio track: silence where the source has none", "silence-if-missing" },
    { 0, NULL, NULL },
  };

  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_enum_register_static ("GstHksvSinkAudioMode", values));
  return type;
}

GType
gst_hksv_sink_end_reason_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    { GST_HKSV_SINK_END_STOPPED, "Stopped", "stopped" },
    { GST_HKSV_SINK_END_MAX_DURATION, "Maximum recording length reached", "max-duration" },
    { GST_HKSV_SINK_END_EOS, "End of stream", "eos" },
    { GST_HKSV_SINK_END_CAPS_CHANGED, "Caps changed", "caps-changed" },
    { GST_HKSV_SINK_END_FLUSHED, "Flushed", "flushed" },
    { GST_HKSV_SINK_END_SHUTDOWN, "Element stopped", "shutdown" },
    { GST_HKSV_SINK_END_SLOW_CONSUMER, "Consumer too slow", "slow-consumer" },
    { GST_HKSV_SINK_END_ERROR, "Error", "error" },
    { GST_HKSV_SINK_END_MOTION_ENDED, "Motion ended", "motion-ended" },
    { 0, NULL, NULL },
  };

  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_enum_register_static ("GstHksvSinkEndReason", values));
  return type;
}

static const gchar *
reason_nick (GstHksvSinkEndReason reason)
{
  GEnumValue *v
      = g_enum_get_value (g_type_class_peek_static (GST_TYPE_HKSV_SINK_END_REASON), (gint) reason);

  return v ? v->value_nick : "unknown";
}

/* ---- small helpers ---- */

static void
queue_message (GstHksvSink *sink, GstMessage *message)
{
  g_queue_push_tail (&sink->messages, message);
}

static void
queue_warning (GstHksvSink *sink, const gchar *text, const gchar *debug)
{
  GError *error = g_error_new_literal (GST_STREAM_ERROR, GST_STREAM_ERROR_FAILED, text);

  GST_WARNING_OBJECT (sink, "%s (%s)", text, debug ? debug : "");
  queue_message (sink, gst_message_new_warning (GST_OBJECT (sink), error, debug));
  g_error_free (error);
}

/* A clip's file could not be written (errno `error`). */
static void
queue_write_warning (GstHksvSink *sink, Session *s, gint error)
{
  g_autofree gchar *text = g_strdup_printf ("could not write %s", s->location);

  queue_warning (sink, text, g_strerror (error));
}

typedef struct {
  GstBuffer *buffer;
  GstMapInfo map;
} MappedBuffer;

static void
mapped_buffer_free (gpointer p)
{
  MappedBuffer *m = p;

  gst_buffer_unmap (m->buffer, &m->map);
  gst_buffer_unref (m->buffer);
  g_free (m);
}

/* The buffer's bytes without a copy: the GBytes keeps it mapped and referenced. */
static GBytes *
buffer_bytes (GstBuffer *buffer)
{
  MappedBuffer *m = g_new (MappedBuffer, 1);

  if (!gst_buffer_map (buffer, &m->map, GST_MAP_READ)) {
    g_free (m);
    return NULL;
  }
  m->buffer = gst_buffer_ref (buffer);
  return g_bytes_new_with_free_func (m->map.data, m->map.size, mapped_buffer_free, m);
}

/* The running time (signed: DTS may be before the segment start) of a timestamp. */
static gboolean
running_time (const GstSegment *segment, GstClockTime ts, gint64 *out)
{
  guint64 rt;
  gint sign;

  if (!GST_CLOCK_TIME_IS_VALID (ts))
    return FALSE;
  sign = gst_segment_to_running_time_full (segment, GST_FORMAT_TIME, ts, &rt);
  if (sign == 0 || rt > G_MAXINT64)
    return FALSE;
  *out = sign > 0 ? (gint64) rt : -(gint64) rt;
  return TRUE;
}

/* Running DTS and PTS of a buffer (one stands in for the other when missing); the time that
 * orders the stream is the DTS for video, the PTS for audio. */
static gboolean
buffer_times (
    const GstSegment *segment, GstBuffer *buffer, gboolean video, gint64 *dts, gint64 *pts)
{
  GstClockTime d = GST_BUFFER_DTS (buffer), p = GST_BUFFER_PTS (buffer);

  if (!video)
    d = GST_CLOCK_TIME_IS_VALID (p) ? p : d;
  if (!GST_CLOCK_TIME_IS_VALID (d))
    d = p;
  if (!GST_CLOCK_TIME_IS_VALID (p))
    p = d;
  return running_time (segment, d, dts) && running_time (segment, p, pts);
}

/* The file name of clip `index` (gst/clip-location.h); NULL with `error` for a pattern without
 * exactly one integer conversion. */
static gchar *
format_location (const gchar *pattern, guint index, GError **error)
{
  gchar *location = hksv_clip_location_format (pattern, index);

  if (!location)
    g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
        "location \"%s\" must hold exactly one integer conversion such as %%05d", pattern);
  return location;
}

/* ---- caps ---- */

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

static void
track_clear (HksvTrackInfo *track)
{
  g_clear_pointer (&track->codec_data, g_bytes_unref);
  memset (track, 0, sizeof (*track));
}

static gboolean
track_equal (const HksvTrackInfo *a, const HksvTrackInfo *b)
{
  return a->codec == b->codec && a->width == b->width && a->height == b->height
         && a->sample_rate == b->sample_rate && a->channels == b->channels
         && g_bytes_equal (a->codec_data, b->codec_data);
}

static GBytes *
caps_codec_data (const GstStructure *s)
{
  const GValue *v = gst_structure_get_value (s, "codec_data");
  GstBuffer *buf;
  GstMapInfo map;
  GBytes *bytes;

  if (!v || !GST_VALUE_HOLDS_BUFFER (v))
    return NULL;
  buf = gst_value_get_buffer (v);
  if (!buf || !gst_buffer_map (buf, &map, GST_MAP_READ))
    return NULL;
  bytes = map.size > 0 ? g_bytes_new (map.data, map.size) : NULL;
  gst_buffer_unmap (buf, &map);
  return bytes;
}

/* The track a pad's caps describe; FALSE with a message for the user. */
static gboolean
parse_caps (
    GstCaps *caps, gboolean video, HksvTrackInfo *track, guint *nal_length_size, gchar **message)
{
  const GstStructure *s;
  const gchar *name;
  gint width = 0, height = 0, rate = 0, channels = 0, bitrate = 0;
  gsize len;
  const guint8 *cd;

  memset (track, 0, sizeof (*track));
  if (!gst_caps_is_fixed (caps) || gst_caps_get_size (caps) != 1) {
    *message = g_strdup ("caps are not fixed");
    return FALSE;
  }
  s = gst_caps_get_structure (caps, 0);
  name = gst_structure_get_name (s);
  track->codec_data = caps_codec_data (s);
  if (!track->codec_data) {
    *message = g_strdup_printf ("%s caps without codec_data (put %s before hksvsink)", name,
        !video                               ? "aacparse"
        : g_str_equal (name, "video/x-h265") ? "h265parse"
                                             : "h264parse");
    return FALSE;
  }
  cd = g_bytes_get_data (track->codec_data, &len);
  if (video) {
    gboolean hevc = g_str_equal (name, "video/x-h265");

    if (!hevc && !g_str_equal (name, "video/x-h264")) {
      *message = g_strdup_printf ("%s is not H.264 or H.265", name);
      goto fail;
    }
    if (!gst_structure_get_int (s, "width", &width) || !gst_structure_get_int (s, "height", &height)
        || width <= 0 || height <= 0) {
      *message = g_strdup ("video caps without width and height");
      goto fail;
    }
    track->codec = hevc ? HKSV_CODEC_H265 : HKSV_CODEC_H264;
    track->width = width;
    track->height = height;
    if (len < (hevc ? 23u : 7u)) {
      *message = g_strdup_printf ("codec_data of %" G_GSIZE_FORMAT " bytes is too short", len);
      goto fail;
    }
    *nal_length_size = (cd[hevc ? 21 : 4] & 3) + 1;
    if (*nal_length_size == 3) {
      *message = g_strdup ("codec_data gives a NAL length size of 3");
      goto fail;
    }
  } else {
    guint object_type;

    if (!gst_structure_get_int (s, "rate", &rate)
        || !gst_structure_get_int (s, "channels", &channels) || rate <= 0 || channels <= 0) {
      *message = g_strdup ("audio caps without rate and channels");
      goto fail;
    }
    if (len < 2) {
      *message = g_strdup ("AudioSpecificConfig too short");
      goto fail;
    }
    object_type = cd[0] >> 3;
    if (object_type == 31)
      object_type = 32 + (((cd[0] & 7) << 3) | (cd[1] >> 5));
    if (object_type != 2 && object_type != 39) {
      *message = g_strdup_printf (
          "AAC object type %u: HomeKit records AAC-LC (2) or AAC-ELD (39)", object_type);
      goto fail;
    }
    track->codec = object_type == 2 ? HKSV_CODEC_AAC_LC : HKSV_CODEC_AAC_ELD;
    track->sample_rate = rate;
    track->channels = channels;
    if (gst_structure_get_int (s, "bitrate", &bitrate) && bitrate > 0)
      track->bitrate = bitrate;
  }
  {
    /* what the writer would refuse, refused now rather than at each session's start */
    g_autoptr (GError) error = NULL;
    HksvFmp4Writer *w = hksv_fmp4_writer_new (track, 1, NULL, &error);

    if (!w) {
      *message = g_strdup_printf ("invalid %s caps: %s", name, error->message);
      goto fail;
    }
    hksv_fmp4_writer_free (w);
  }
  return TRUE;

fail:
  track_clear (track);
  return FALSE;
}

/* ---- sessions ---- */

static Session *
session_ref (Session *s)
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

static void
session_unref (Session *s)
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

static Session *
find_session (GstHksvSink *sink, guint id)
{
  for (GList *l = sink->sessions; l; l = l->next) {
    Session *s = l->data;

    if (s->id == id)
      return s;
  }
  return NULL;
}

static void
outbox_clear (Session *s)
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

static gboolean
restarts_clip (GstHksvSinkEndReason reason)
{
  return reason == GST_HKSV_SINK_END_MAX_DURATION || reason == GST_HKSV_SINK_END_CAPS_CHANGED
         || reason == GST_HKSV_SINK_END_FLUSHED;
}

/* Ends a session (under the lock): the core finishes (end_of_stream) or drops its fragment; the
 * drain then delivers what is left and the ended notification. */
static void
session_end (GstHksvSink *sink, Session *s, GstHksvSinkEndReason reason, gboolean end_of_stream)
{
  if (s->ended)
    return;
  s->ended = TRUE;
  s->reason = reason;
  if (hksv_recording_session_get_state (s->core) == HKSV_RECORDING_RUNNING)
    hksv_recording_session_stop (s->core, end_of_stream && !s->overflowed);
  if (s->overflowed) {
    s->reason = GST_HKSV_SINK_END_SLOW_CONSUMER;
    outbox_clear (s);
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

    queue_warning (sink, text, debug);
  }
  if (sink->clip == s) {
    sink->clip = NULL;
    sink->clip_deadline = GST_CLOCK_TIME_NONE;
    if (sink->motion && restarts_clip (s->reason))
      sink->clip_pending = TRUE;
  }
}

/* After every call into a session's core (under the lock). */
static void
session_check (GstHksvSink *sink, Session *s)
{
  HksvRecordingState state;

  if (s->ended)
    return;
  if (s->overflowed) {
    session_end (sink, s, GST_HKSV_SINK_END_SLOW_CONSUMER, FALSE);
    return;
  }
  state = hksv_recording_session_get_state (s->core);
  if (state == HKSV_RECORDING_RUNNING)
    return;
  if (state == HKSV_RECORDING_END_OVERFLOW) {
    g_autofree gchar *text = g_strdup_printf ("recording session %u ended: no keyframe", s->id);

    queue_warning (sink, text,
        "a fragment grew beyond its size bound without a keyframe; make the encoder emit "
        "keyframes at the fragment duration");
    session_end (sink, s, GST_HKSV_SINK_END_ERROR, FALSE);
  } else {
    session_end (sink, s, GST_HKSV_SINK_END_MAX_DURATION, TRUE);
  }
}

static void
session_push (GstHksvSink *sink, Session *s, gboolean video, const HksvSample *sample)
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

/* A live sample for one session (under the lock). */
static void
session_feed (GstHksvSink *sink, Session *s, gboolean video, const HksvSample *sample)
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
  session_push (sink, s, video, sample);
}

static void
feed_all (GstHksvSink *sink, gboolean video, const HksvSample *sample)
{
  for (GList *l = sink->sessions; l; l = l->next)
    session_feed (sink, l->data, video, sample);
}

static void
end_all (GstHksvSink *sink, GstHksvSinkEndReason reason, gboolean end_of_stream)
{
  for (GList *l = sink->sessions; l; l = l->next)
    session_end (sink, l->data, reason, end_of_stream);
}

/* The audio has ended: sessions recording it go on with video (and silence) only. */
static void
end_audio_all (GstHksvSink *sink)
{
  for (GList *l = sink->sessions; l; l = l->next) {
    Session *s = l->data;

    if (s->audio_live && !s->ended) {
      hksv_recording_session_end_audio (s->core);
      session_check (sink, s);
    }
  }
}

static void
config_init_locked (GstHksvSink *sink, GstHksvSinkSessionConfig *config)
{
  config->fragment_duration_ms = sink->fragment_duration_ms;
  config->max_duration_ms = sink->max_recording_duration_ms;
  config->prebuffer_ms = sink->prebuffer_duration_ms;
  config->audio = sink->audio_mode;
  config->audio_rate = sink->audio_rate;
  config->audio_channels = sink->audio_channels;
  config->max_queued_bytes = sink->max_queued_bytes;
}

/* Running time of the newest video buffer (0 before the first). */
static GstClockTime
video_position (GstHksvSink *sink)
{
  return sink->video.have_last ? (GstClockTime) MAX (sink->video.last_time, 0) : 0;
}

/* Makes and lists a session from the pads' current caps (under the lock); its core has sent the
 * init segment into its outbox. */
static Session *
session_create (
    GstHksvSink *sink, SessionKind kind, const GstHksvSinkSessionConfig *config, GError **error)
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
  audio_caps = sink->audio.pad && sink->audio.have_caps && !sink->audio.eos;
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
      session_unref (s);
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
    session_unref (s);
    return NULL;
  }
  do {
    s->id = ++sink->next_id;
  } while (s->id == 0 || find_session (sink, s->id));
  s->start_time = video_position (sink);
  sink->sessions = g_list_append (sink->sessions, s);
  s->listed = TRUE;
  hksv_recording_session_start (s->core);
  session_check (sink, s);
  return s;
}

/* ---- the prebuffer hand-over ---- */

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
} SnapEntry;

/* The snapshot's buffers with their running times, in order (untimed or unordered ones
 * skipped). FALSE when the snapshot does not match the pad's current codec_data. */
static gboolean
snapshot_entries (
    GstHksvSink *sink, Snapshot *snap, gboolean video, const PadState *ps, GArray *entries)
{
  g_autoptr (GBytes) cd = NULL;
  guint n;

  if (!snap->valid || !snap->caps || gst_caps_get_size (snap->caps) < 1)
    return FALSE;
  cd = caps_codec_data (gst_caps_get_structure (snap->caps, 0));
  if (!cd || !ps->have_caps || !g_bytes_equal (cd, ps->track.codec_data)) {
    GST_INFO_OBJECT (
        sink, "%s prebuffer has other caps than the pad: not used", video ? "video" : "audio");
    return FALSE;
  }
  n = gst_buffer_list_length (snap->buffers);
  for (guint i = 0; i < n; i++) {
    SnapEntry e = { gst_buffer_list_get (snap->buffers, i), 0, 0 };

    if (!buffer_times (&snap->segment, e.buffer, video, &e.dts, &e.pts))
      continue;
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
  HksvSample sample = { e->dts, e->pts, 0, TRUE, NULL };

  if (GST_BUFFER_DURATION_IS_VALID (e->buffer))
    sample.duration = GST_BUFFER_DURATION (e->buffer);
  if (video) {
    gsize len;
    const guint8 *d;

    sample.sync = !GST_BUFFER_FLAG_IS_SET (e->buffer, GST_BUFFER_FLAG_DELTA_UNIT);
    bytes = buffer_bytes (e->buffer);
    if (!bytes)
      return FALSE;
    d = g_bytes_get_data (bytes, &len);
    if (!hksv_nal_framing_ok (d, len, sink->video.nal_length_size))
      return FALSE;
  } else {
    bytes = buffer_bytes (e->buffer);
    if (!bytes)
      return FALSE;
  }
  sample.data = bytes;
  session_push (sink, s, video, &sample);
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

    if (GST_BUFFER_FLAG_IS_SET (e->buffer, GST_BUFFER_FLAG_DELTA_UNIT))
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

/* ---- delivery (never under the lock) ---- */

static GstSample *
chunk_sample (const HksvChunk *chunk)
{
  static GstCaps *caps = NULL;
  GstBuffer *buffer = gst_buffer_new_wrapped_bytes (chunk->data);
  GstStructure *info = gst_structure_new ("hksv-chunk", "data-type", G_TYPE_STRING,
      hksv_chunk_type_name (chunk->type), "data-sequence-number", G_TYPE_UINT64,
      chunk->data_sequence_number, "data-chunk-sequence-number", G_TYPE_UINT64,
      chunk->chunk_sequence_number, "is-last-data-chunk", G_TYPE_BOOLEAN, chunk->is_last_chunk,
      "data-total-size", G_TYPE_INT64, chunk->total_size, "end-of-stream", G_TYPE_BOOLEAN,
      chunk->end_of_stream, NULL);
  GstSample *sample;

  if (g_once_init_enter (&caps)) {
    GstCaps *c
        = gst_caps_new_simple ("video/quicktime", "variant", G_TYPE_STRING, "iso-fragmented", NULL);

    GST_MINI_OBJECT_FLAG_SET (c, GST_MINI_OBJECT_FLAG_MAY_BE_LEAKED);
    g_once_init_leave (&caps, c);
  }
  sample = gst_sample_new (buffer, caps, NULL, info);
  gst_buffer_unref (buffer);
  return sample;
}

static GstMessage *
session_message (GstHksvSink *sink, Session *s, gboolean started)
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

/* FALSE when the consumer refused the chunk (or the file could not be written). */
static gboolean
deliver_chunk (GstHksvSink *sink, Session *s, const HksvChunk *chunk, gint *write_error)
{
  if (s->kind == KIND_FILE) {
    gsize len;
    const guint8 *d = g_bytes_get_data (chunk->data, &len);

    if (s->file && fwrite (d, 1, len, s->file) == len)
      return TRUE;
    *write_error = errno ? errno : EIO;
    return FALSE;
  }
  return s->callbacks.chunk (sink, s->id, chunk, s->user_data);
}

/* Outside the lock, after the session's last chunk. */
static void
notify_ended (GstHksvSink *sink, Session *s)
{
  gint write_error = 0;

  switch (s->kind) {
    case KIND_CALLBACK:
      if (s->callbacks.ended)
        s->callbacks.ended (sink, s->id, s->reason, s->stats.end_of_stream_sent, s->user_data);
      break;
    case KIND_PULL:
      g_signal_emit (
          sink, signals[SIGNAL_SESSION_ENDED], 0, s->id, s->reason, s->stats.end_of_stream_sent);
      break;
    case KIND_FILE:
      if (s->file && fclose (s->file) != 0)
        write_error = errno ? errno : EIO;
      s->file = NULL;
      break;
  }
  if (s->destroy) {
    GDestroyNotify destroy = s->destroy;

    s->destroy = NULL;
    destroy (s->user_data);
  }
  g_mutex_lock (&sink->lock);
  if (write_error)
    queue_write_warning (sink, s, write_error);
  queue_message (sink, session_message (sink, s, FALSE));
  g_mutex_unlock (&sink->lock);
}

static gboolean
has_work (Session *s)
{
  if (s->delivering)
    return FALSE;
  if (s->ended && !s->end_notified)
    return TRUE;
  if (s->kind == KIND_PULL)
    return s->notify_new;
  return s->outbox.length > 0;
}

static void
unlist (GstHksvSink *sink, Session *s)
{
  if (!s->listed)
    return;
  s->listed = FALSE;
  sink->sessions = g_list_remove (sink->sessions, s);
  session_unref (s);
}

static gboolean
all_eos (GstHksvSink *sink)
{
  return (sink->video.pad || sink->audio.pad) && (!sink->video.pad || sink->video.eos)
         && (!sink->audio.pad || sink->audio.eos);
}

/* Delivers every session's queued chunks and notifications, then posts the queued messages
 * (EOS last, once every session has ended). Called after any locked work, without the lock. */
static void
drain (GstHksvSink *sink)
{
  for (;;) {
    Session *s = NULL;
    GQueue messages = G_QUEUE_INIT;
    GstMessage *m;

    g_mutex_lock (&sink->lock);
    for (GList *l = sink->sessions; l && !s; l = l->next) {
      if (has_work (l->data))
        s = l->data;
    }
    if (!s) {
      if (sink->eos_pending) {
        gboolean open = FALSE;

        for (GList *l = sink->sessions; l; l = l->next)
          open |= !((Session *) l->data)->end_notified;
        if (!open) {
          GstMessage *eos = gst_message_new_eos (GST_OBJECT (sink));

          gst_message_set_seqnum (eos, sink->eos_seqnum);
          sink->eos_pending = FALSE;
          queue_message (sink, eos);
        }
      }
      messages = sink->messages;
      g_queue_init (&sink->messages);
      g_mutex_unlock (&sink->lock);
      while ((m = g_queue_pop_head (&messages)))
        gst_element_post_message (GST_ELEMENT (sink), m);
      return;
    }

    session_ref (s);
    s->delivering = TRUE;
    for (;;) {
      HksvChunk *chunk;

      if (s->kind != KIND_PULL && (chunk = g_queue_pop_head (&s->outbox))) {
        gboolean ok;
        gint write_error = 0;

        s->outbox_bytes -= g_bytes_get_size (chunk->data);
        g_mutex_unlock (&sink->lock);
        ok = deliver_chunk (sink, s, chunk, &write_error);
        hksv_chunk_free (chunk);
        g_mutex_lock (&sink->lock);
        if (!ok) {
          if (write_error) {
            queue_write_warning (sink, s, write_error);
            session_end (sink, s, GST_HKSV_SINK_END_ERROR, FALSE);
          } else {
            s->overflowed = TRUE;
            session_end (sink, s, GST_HKSV_SINK_END_SLOW_CONSUMER, FALSE);
          }
          outbox_clear (s);
        }
        continue;
      }
      if (s->kind == KIND_PULL && s->notify_new) {
        s->notify_new = FALSE;
        g_mutex_unlock (&sink->lock);
        g_signal_emit (sink, signals[SIGNAL_NEW_CHUNK], 0, s->id);
        g_mutex_lock (&sink->lock);
        continue;
      }
      if (s->ended && !s->end_notified) {
        s->end_notified = TRUE;
        if (s->kind != KIND_PULL || s->outbox.length == 0)
          unlist (sink, s);
        g_mutex_unlock (&sink->lock);
        notify_ended (sink, s);
        g_mutex_lock (&sink->lock);
        continue;
      }
      break;
    }
    s->delivering = FALSE;
    g_mutex_unlock (&sink->lock);
    session_unref (s);
  }
}

/* ---- starting sessions ---- */

/* Opens the clip's file (KIND_FILE) and makes the session (under the lock). NULL with `error`
 * when it cannot start; `destroy` is then the caller's to call. */
static Session *
session_start_locked (GstHksvSink *sink, SessionKind kind, const GstHksvSinkSessionConfig *config,
    const GstHksvSinkSessionCallbacks *callbacks, gpointer user_data, GDestroyNotify destroy,
    GError **error)
{
  g_autofree gchar *location = NULL;
  FILE *file = NULL;
  Session *s;
  guint index = 0;

  if (kind == KIND_FILE) {
    if (!sink->video.have_caps) {
      g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION, "no video caps yet");
      return NULL;
    }
    index = sink->index;
    location = format_location (sink->location ? sink->location : "", index, error);
    if (!location)
      return NULL;
    file = g_fopen (location, "wb");
    if (!file) {
      g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_OPEN_WRITE,
          "could not open %s for writing: %s", location, g_strerror (errno));
      return NULL;
    }
  }
  s = session_create (sink, kind, config, error);
  if (!s) {
    if (file) {
      fclose (file);
      g_unlink (location);
    }
    return NULL;
  }
  if (callbacks)
    s->callbacks = *callbacks;
  s->user_data = user_data;
  s->destroy = destroy;
  if (kind == KIND_FILE) {
    s->location = g_steal_pointer (&location);
    s->file = file;
    s->clip_index = index;
    sink->index++;
    sink->clip = s;
    sink->clip_pending = FALSE;
    sink->clip_deadline = GST_CLOCK_TIME_NONE;
  }
  GST_INFO_OBJECT (sink, "session %u started%s%s", s->id, s->location ? ": " : "",
      s->location ? s->location : "");
  queue_message (sink, session_message (sink, s, TRUE));
  return s;
}

/* A clip that failed to start is a fatal error for the standalone mode (under the lock). */
static void
clip_failed (GstHksvSink *sink, GError *error)
{
  GST_ERROR_OBJECT (sink, "cannot start a clip: %s", error->message);
  queue_message (sink, gst_message_new_error (GST_OBJECT (sink), error, NULL));
  sink->clip_pending = FALSE;
}

/* A clip without prebuffer when one is pending (motion still on after the previous clip ended,
 * or video caps arrived after the motion event), under the lock. */
static Session *
maybe_start_clip_locked (GstHksvSink *sink)
{
  GstHksvSinkSessionConfig config;
  g_autoptr (GError) error = NULL;
  Session *s;

  if (!sink->clip_pending || !sink->motion || sink->clip || !sink->location
      || !sink->video.have_caps || sink->video.eos)
    return NULL;
  config_init_locked (sink, &config);
  config.prebuffer_ms = 0;
  s = session_start_locked (sink, KIND_FILE, &config, NULL, NULL, NULL, &error);
  if (!s)
    clip_failed (sink, error);
  return s;
}

static guint
start_session (GstHksvSink *sink, SessionKind kind, const GstHksvSinkSessionConfig *config,
    const GstHksvSinkSessionCallbacks *callbacks, gpointer user_data, GDestroyNotify destroy)
{
  g_autoptr (GError) error = NULL;
  GstPad *vpad = NULL, *apad = NULL;
  Session *s;
  guint id;

  g_mutex_lock (&sink->lock);
  s = session_start_locked (sink, kind, config, callbacks, user_data, destroy, &error);
  if (!s) {
    if (kind == KIND_FILE)
      clip_failed (sink, error);
    else
      GST_WARNING_OBJECT (sink, "cannot start a session: %s", error->message);
    g_mutex_unlock (&sink->lock);
    if (destroy)
      destroy (user_data);
    drain (sink);
    return 0;
  }
  id = s->id;
  if (config->prebuffer_ms > 0 && !s->ended) {
    s->starting = TRUE;
    vpad = gst_object_ref (sink->video.pad);
    if (s->audio_live)
      apad = gst_object_ref (sink->audio.pad);
    session_ref (s);
  }
  g_mutex_unlock (&sink->lock);

  if (vpad) {
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

      session_feed (sink, s, h->video, &h->sample);
    }
    g_array_set_size (s->held, 0);
    g_mutex_unlock (&sink->lock);
    snapshot_clear (&vsnap);
    snapshot_clear (&asnap);
    gst_object_unref (vpad);
    if (apad)
      gst_object_unref (apad);
    session_unref (s);
  }
  drain (sink);
  return id;
}

/* ---- public API ---- */

void
gst_hksv_sink_session_config_init (GstHksvSink *sink, GstHksvSinkSessionConfig *config)
{
  g_return_if_fail (GST_IS_HKSV_SINK (sink));
  g_return_if_fail (config != NULL);

  g_mutex_lock (&sink->lock);
  config_init_locked (sink, config);
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
  return start_session (
      sink, callbacks ? KIND_CALLBACK : KIND_PULL, config, callbacks, user_data, destroy);
}

gboolean
gst_hksv_sink_stop_session (GstHksvSink *sink, guint session, gboolean end_of_stream)
{
  Session *s;
  gboolean found;

  g_return_val_if_fail (GST_IS_HKSV_SINK (sink), FALSE);

  g_mutex_lock (&sink->lock);
  s = find_session (sink, session);
  found = s && !s->ended;
  if (found)
    session_end (sink, s, GST_HKSV_SINK_END_STOPPED, end_of_stream);
  g_mutex_unlock (&sink->lock);
  drain (sink);
  return found;
}

GstSample *
gst_hksv_sink_pull_chunk (GstHksvSink *sink, guint session)
{
  GstSample *sample = NULL;
  HksvChunk *chunk = NULL;
  Session *s;

  g_return_val_if_fail (GST_IS_HKSV_SINK (sink), NULL);

  g_mutex_lock (&sink->lock);
  s = find_session (sink, session);
  if (s && s->kind == KIND_PULL) {
    chunk = g_queue_pop_head (&s->outbox);
    if (chunk)
      s->outbox_bytes -= g_bytes_get_size (chunk->data);
    if (s->outbox.length == 0 && s->end_notified)
      unlist (sink, s);
  }
  g_mutex_unlock (&sink->lock);
  if (chunk) {
    sample = chunk_sample (chunk);
    hksv_chunk_free (chunk);
  }
  return sample;
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

/* "start-session": the element's defaults overridden by the structure's fields. */
static guint
start_session_signal (GstHksvSink *sink, const GstStructure *st)
{
  GstHksvSinkSessionConfig config;
  guint u;
  guint64 u64;
  gint e;
  const gchar *str;

  gst_hksv_sink_session_config_init (sink, &config);
  if (st) {
    if (gst_structure_get_uint (st, "fragment-duration", &u))
      config.fragment_duration_ms = u;
    if (gst_structure_get_uint (st, "max-recording-duration", &u))
      config.max_duration_ms = u;
    if (gst_structure_get_uint (st, "prebuffer-duration", &u))
      config.prebuffer_ms = u;
    if (gst_structure_get_uint (st, "audio-rate", &u))
      config.audio_rate = u;
    if (gst_structure_get_uint (st, "audio-channels", &u))
      config.audio_channels = u;
    if (gst_structure_get_uint64 (st, "max-queued-bytes", &u64))
      config.max_queued_bytes = u64;
    if (gst_structure_get_enum (st, "audio", GST_TYPE_HKSV_SINK_AUDIO_MODE, &e)) {
      config.audio = e;
    } else if ((str = gst_structure_get_string (st, "audio"))) {
      GEnumValue *v
          = g_enum_get_value_by_nick (g_type_class_peek (GST_TYPE_HKSV_SINK_AUDIO_MODE), str);

      if (!v) {
        GST_WARNING_OBJECT (sink, "start-session: unknown audio mode \"%s\"", str);
        return 0;
      }
      config.audio = v->value;
    }
  }
  return gst_hksv_sink_start_session (sink, &config, NULL, NULL, NULL);
}

/* ---- pads ---- */

static PadState *
pad_state (GstHksvSink *sink, GstPad *pad)
{
  return pad == sink->video.pad ? &sink->video : &sink->audio;
}

static void
pad_state_reset (PadState *ps)
{
  gst_segment_init (&ps->segment, GST_FORMAT_TIME);
  ps->have_last = FALSE;
  ps->eos = FALSE;
}

static GstFlowReturn
gst_hksv_sink_chain (GstPad *pad, GstObject *parent, GstBuffer *buffer)
{
  GstHksvSink *sink = GST_HKSV_SINK (parent);
  g_autoptr (GBytes) bytes = NULL;
  HksvSample sample = { 0 };
  gboolean video;
  PadState *ps;
  const gchar *drop = NULL;

  g_mutex_lock (&sink->lock);
  video = pad == sink->video.pad;
  ps = pad_state (sink, pad);
  if (!ps->have_caps) {
    g_mutex_unlock (&sink->lock);
    gst_buffer_unref (buffer);
    GST_ELEMENT_ERROR (sink, CORE, NEGOTIATION,
        ("No caps on the %s pad", video ? "video" : "audio"),
        ("a buffer arrived before any caps were accepted"));
    return GST_FLOW_NOT_NEGOTIATED;
  }
  if (ps->eos) {
    g_mutex_unlock (&sink->lock);
    gst_buffer_unref (buffer);
    return GST_FLOW_EOS;
  }
  if (!buffer_times (&ps->segment, buffer, video, &sample.dts, &sample.pts)) {
    drop = "without a timestamp (or outside the segment)";
    goto drop;
  }
  if (ps->have_last && sample.dts <= ps->last_time) {
    drop = "with a timestamp going backwards";
    goto drop;
  }
  if (video && sample.pts < sample.dts) {
    drop = "with PTS before DTS";
    goto drop;
  }
  ps->have_last = TRUE;
  ps->last_time = sample.dts;

  if (video && sink->clip && GST_CLOCK_TIME_IS_VALID (sink->clip_deadline)
      && sample.dts >= (gint64) sink->clip_deadline) {
    session_end (sink, sink->clip, GST_HKSV_SINK_END_MOTION_ENDED, TRUE);
  }
  if (video)
    maybe_start_clip_locked (sink);
  if (!sink->sessions)
    goto done;

  bytes = buffer_bytes (buffer);
  if (!bytes) {
    drop = "that cannot be mapped";
    goto drop;
  }
  if (video
      && !hksv_nal_framing_ok (
          g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), ps->nal_length_size)) {
    drop = "whose NAL unit lengths do not match its size (corrupt access unit)";
    goto drop;
  }
  sample.sync = !video || !GST_BUFFER_FLAG_IS_SET (buffer, GST_BUFFER_FLAG_DELTA_UNIT);
  sample.duration = GST_BUFFER_DURATION_IS_VALID (buffer) ? GST_BUFFER_DURATION (buffer) : 0;
  sample.data = bytes;
  feed_all (sink, video, &sample);
  if (video) {
    /* a clip that ended with this buffer (maximum length) and motion still on: the next one
     * starts with it (it may be the keyframe that ended the previous one) */
    Session *clip = maybe_start_clip_locked (sink);

    if (clip)
      session_feed (sink, clip, TRUE, &sample);
  }

done:
  g_mutex_unlock (&sink->lock);
  drain (sink);
  gst_buffer_unref (buffer);
  return GST_FLOW_OK;

drop:
  GST_WARNING_OBJECT (sink,
      "dropping a %s buffer %s (pts %" GST_TIME_FORMAT " dts %" GST_TIME_FORMAT ")",
      video ? "video" : "audio", drop, GST_TIME_ARGS (GST_BUFFER_PTS (buffer)),
      GST_TIME_ARGS (GST_BUFFER_DTS (buffer)));
  goto done;
}

static gboolean
handle_caps (GstHksvSink *sink, GstPad *pad, GstCaps *caps)
{
  HksvTrackInfo track;
  g_autofree gchar *message = NULL;
  guint nal_length_size = 0;
  gboolean video;
  PadState *ps;

  g_mutex_lock (&sink->lock);
  video = pad == sink->video.pad;
  g_mutex_unlock (&sink->lock);

  if (!parse_caps (caps, video, &track, &nal_length_size, &message)) {
    GST_ELEMENT_ERROR (sink, STREAM, WRONG_TYPE,
        ("Unusable %s caps: %s", video ? "video" : "audio", message),
        ("caps: %" GST_PTR_FORMAT, caps));
    return FALSE;
  }

  g_mutex_lock (&sink->lock);
  ps = pad_state (sink, pad);
  if (ps->have_caps && !track_equal (&ps->track, &track)) {
    GST_INFO_OBJECT (sink, "%s caps changed: ending the sessions at their last fragment",
        video ? "video" : "audio");
    for (GList *l = sink->sessions; l; l = l->next) {
      Session *s = l->data;

      if (video || s->audio_live)
        session_end (sink, s, GST_HKSV_SINK_END_CAPS_CHANGED, TRUE);
    }
  }
  track_clear (&ps->track);
  ps->track = track;
  ps->have_caps = TRUE;
  ps->nal_length_size = nal_length_size;
  if (video && sink->motion && !sink->clip && sink->location)
    sink->clip_pending = TRUE;
  g_mutex_unlock (&sink->lock);
  drain (sink);
  return TRUE;
}

static void
handle_motion (GstHksvSink *sink, const HksvMotionInfo *info)
{
  GstHksvSinkSessionConfig config;
  gboolean start = FALSE;
  GstClockTime rt;

  g_mutex_lock (&sink->lock);
  if (!sink->location) {
    g_mutex_unlock (&sink->lock);
    return;
  }
  rt = info->running_time;
  if (!GST_CLOCK_TIME_IS_VALID (rt))
    rt = video_position (sink);
  GST_DEBUG_OBJECT (
      sink, "motion %s at %" GST_TIME_FORMAT, info->motion ? "on" : "off", GST_TIME_ARGS (rt));
  sink->motion = info->motion;
  if (info->motion) {
    if (sink->clip)
      sink->clip_deadline = GST_CLOCK_TIME_NONE; /* extends the clip */
    else if (sink->video.have_caps)
      start = TRUE;
    else
      sink->clip_pending = TRUE;
  } else {
    sink->clip_pending = FALSE;
    if (sink->clip)
      sink->clip_deadline = rt + (GstClockTime) sink->post_motion_ms * GST_MSECOND;
  }
  config_init_locked (sink, &config);
  g_mutex_unlock (&sink->lock);
  if (start)
    start_session (sink, KIND_FILE, &config, NULL, NULL, NULL);
}

static gboolean
gst_hksv_sink_sink_event (GstPad *pad, GstObject *parent, GstEvent *event)
{
  GstHksvSink *sink = GST_HKSV_SINK (parent);
  gboolean ret = TRUE, video;
  PadState *ps;

  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_CAPS: {
      GstCaps *caps;

      gst_event_parse_caps (event, &caps);
      ret = handle_caps (sink, pad, caps);
      break;
    }
    case GST_EVENT_SEGMENT: {
      const GstSegment *segment;

      gst_event_parse_segment (event, &segment);
      if (segment->format != GST_FORMAT_TIME) {
        GST_ELEMENT_ERROR (sink, STREAM, FORMAT,
            ("Segment in %s format, not TIME", gst_format_get_name (segment->format)), (NULL));
        ret = FALSE;
        break;
      }
      g_mutex_lock (&sink->lock);
      gst_segment_copy_into (segment, &pad_state (sink, pad)->segment);
      g_mutex_unlock (&sink->lock);
      break;
    }
    case GST_EVENT_STREAM_START:
      g_mutex_lock (&sink->lock);
      pad_state (sink, pad)->eos = FALSE;
      g_mutex_unlock (&sink->lock);
      break;
    case GST_EVENT_EOS:
      g_mutex_lock (&sink->lock);
      video = pad == sink->video.pad;
      ps = pad_state (sink, pad);
      ps->eos = TRUE;
      if (video) {
        GST_INFO_OBJECT (sink, "end of stream: finishing every session");
        sink->clip_pending = FALSE;
        end_all (sink, GST_HKSV_SINK_END_EOS, TRUE);
      } else {
        end_audio_all (sink);
      }
      if (all_eos (sink)) {
        sink->eos_pending = TRUE;
        sink->eos_seqnum = gst_event_get_seqnum (event);
      }
      g_mutex_unlock (&sink->lock);
      drain (sink);
      break;
    case GST_EVENT_FLUSH_STOP:
      g_mutex_lock (&sink->lock);
      ps = pad_state (sink, pad);
      pad_state_reset (ps);
      sink->eos_pending = FALSE;
      end_all (sink, GST_HKSV_SINK_END_FLUSHED, FALSE);
      g_mutex_unlock (&sink->lock);
      drain (sink);
      break;
    case GST_EVENT_CUSTOM_DOWNSTREAM: {
      HksvMotionInfo info;

      g_mutex_lock (&sink->lock);
      video = pad == sink->video.pad;
      g_mutex_unlock (&sink->lock);
      if (video && hksv_motion_event_parse (event, &info))
        handle_motion (sink, &info);
      break;
    }
    default:
      break;
  }
  gst_event_unref (event);
  return ret;
}

static GstPad *
gst_hksv_sink_request_new_pad (
    GstElement *element, GstPadTemplate *templ, const gchar *name, const GstCaps *caps)
{
  GstHksvSink *sink = GST_HKSV_SINK (element);
  gboolean video = g_str_equal (GST_PAD_TEMPLATE_NAME_TEMPLATE (templ), "video");
  PadState *ps;
  GstPad *pad;

  g_mutex_lock (&sink->lock);
  ps = video ? &sink->video : &sink->audio;
  if (ps->pad) {
    g_mutex_unlock (&sink->lock);
    GST_WARNING_OBJECT (sink, "there is already a %s pad", video ? "video" : "audio");
    return NULL;
  }
  pad = gst_pad_new_from_template (templ, video ? "video" : "audio");
  gst_pad_set_chain_function (pad, GST_DEBUG_FUNCPTR (gst_hksv_sink_chain));
  gst_pad_set_event_function (pad, GST_DEBUG_FUNCPTR (gst_hksv_sink_sink_event));
  ps->pad = pad;
  pad_state_reset (ps);
  g_mutex_unlock (&sink->lock);
  gst_element_add_pad (element, pad);
  return pad;
}

static void
gst_hksv_sink_release_pad (GstElement *element, GstPad *pad)
{
  GstHksvSink *sink = GST_HKSV_SINK (element);
  PadState *ps;

  g_mutex_lock (&sink->lock);
  ps = pad_state (sink, pad);
  if (ps == &sink->video) {
    end_all (sink, GST_HKSV_SINK_END_EOS, TRUE);
  } else {
    end_audio_all (sink);
  }
  ps->pad = NULL;
  ps->have_caps = FALSE;
  track_clear (&ps->track);
  g_mutex_unlock (&sink->lock);
  drain (sink);
  gst_element_remove_pad (element, pad);
}

/* ---- element ---- */

static void
reset (GstHksvSink *sink)
{
  g_mutex_lock (&sink->lock);
  end_all (sink, GST_HKSV_SINK_END_SHUTDOWN, TRUE);
  g_mutex_unlock (&sink->lock);
  drain (sink);

  g_mutex_lock (&sink->lock);
  /* pull sessions whose chunks were never pulled */
  while (sink->sessions)
    unlist (sink, sink->sessions->data);
  pad_state_reset (&sink->video);
  pad_state_reset (&sink->audio);
  sink->video.have_caps = sink->audio.have_caps = FALSE;
  track_clear (&sink->video.track);
  track_clear (&sink->audio.track);
  sink->eos_pending = FALSE;
  sink->motion = FALSE;
  sink->clip = NULL;
  sink->clip_pending = FALSE;
  sink->clip_deadline = GST_CLOCK_TIME_NONE;
  g_mutex_unlock (&sink->lock);
}

static GstStateChangeReturn
gst_hksv_sink_change_state (GstElement *element, GstStateChange transition)
{
  GstHksvSink *sink = GST_HKSV_SINK (element);
  GstStateChangeReturn ret;

  if (transition == GST_STATE_CHANGE_READY_TO_PAUSED) {
    g_autoptr (GError) error = NULL;
    g_autofree gchar *check = NULL;

    g_mutex_lock (&sink->lock);
    if (sink->location)
      check = format_location (sink->location, 0, &error);
    pad_state_reset (&sink->video);
    pad_state_reset (&sink->audio);
    sink->eos_pending = FALSE;
    g_mutex_unlock (&sink->lock);
    if (error) {
      GST_ELEMENT_ERROR (sink, RESOURCE, SETTINGS, ("%s", error->message), (NULL));
      return GST_STATE_CHANGE_FAILURE;
    }
  }

  ret = GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);
  if (ret == GST_STATE_CHANGE_FAILURE)
    return ret;

  if (transition == GST_STATE_CHANGE_PAUSED_TO_READY)
    reset (sink);
  return ret;
}

static void
gst_hksv_sink_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  GstHksvSink *sink = GST_HKSV_SINK (object);

  g_mutex_lock (&sink->lock);
  switch (prop_id) {
    case PROP_LOCATION:
      g_free (sink->location);
      sink->location = g_value_dup_string (value);
      break;
    case PROP_INDEX:
      sink->index = g_value_get_uint (value);
      break;
    case PROP_POST_MOTION:
      sink->post_motion_ms = g_value_get_uint (value);
      break;
    case PROP_MAX_RECORDING_DURATION:
      sink->max_recording_duration_ms = g_value_get_uint (value);
      break;
    case PROP_FRAGMENT_DURATION:
      sink->fragment_duration_ms = g_value_get_uint (value);
      break;
    case PROP_PREBUFFER_DURATION:
      sink->prebuffer_duration_ms = g_value_get_uint (value);
      break;
    case PROP_AUDIO:
      sink->audio_mode = g_value_get_enum (value);
      break;
    case PROP_AUDIO_RATE:
      sink->audio_rate = g_value_get_uint (value);
      break;
    case PROP_AUDIO_CHANNELS:
      sink->audio_channels = g_value_get_uint (value);
      break;
    case PROP_MAX_QUEUED_BYTES:
      sink->max_queued_bytes = g_value_get_uint64 (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  g_mutex_unlock (&sink->lock);
}

static void
gst_hksv_sink_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  GstHksvSink *sink = GST_HKSV_SINK (object);

  if (prop_id == PROP_N_SESSIONS) {
    g_value_set_uint (value, gst_hksv_sink_get_n_sessions (sink));
    return;
  }
  g_mutex_lock (&sink->lock);
  switch (prop_id) {
    case PROP_LOCATION:
      g_value_set_string (value, sink->location);
      break;
    case PROP_INDEX:
      g_value_set_uint (value, sink->index);
      break;
    case PROP_POST_MOTION:
      g_value_set_uint (value, sink->post_motion_ms);
      break;
    case PROP_MAX_RECORDING_DURATION:
      g_value_set_uint (value, sink->max_recording_duration_ms);
      break;
    case PROP_FRAGMENT_DURATION:
      g_value_set_uint (value, sink->fragment_duration_ms);
      break;
    case PROP_PREBUFFER_DURATION:
      g_value_set_uint (value, sink->prebuffer_duration_ms);
      break;
    case PROP_AUDIO:
      g_value_set_enum (value, sink->audio_mode);
      break;
    case PROP_AUDIO_RATE:
      g_value_set_uint (value, sink->audio_rate);
      break;
    case PROP_AUDIO_CHANNELS:
      g_value_set_uint (value, sink->audio_channels);
      break;
    case PROP_MAX_QUEUED_BYTES:
      g_value_set_uint64 (value, sink->max_queued_bytes);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  g_mutex_unlock (&sink->lock);
}

static void
gst_hksv_sink_finalize (GObject *object)
{
  GstHksvSink *sink = GST_HKSV_SINK (object);

  /* Sessions are ended in PAUSED->READY; a sink disposed in NULL has none left. */
  while (sink->sessions)
    unlist (sink, sink->sessions->data);
  g_queue_clear_full (&sink->messages, (GDestroyNotify) gst_message_unref);
  track_clear (&sink->video.track);
  track_clear (&sink->audio.track);
  g_free (sink->location);
  g_mutex_clear (&sink->lock);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_hksv_sink_init (GstHksvSink *sink)
{
  g_mutex_init (&sink->lock);
  g_queue_init (&sink->messages);
  pad_state_reset (&sink->video);
  pad_state_reset (&sink->audio);
  sink->clip_deadline = GST_CLOCK_TIME_NONE;
  sink->location = DEFAULT_LOCATION;
  sink->index = DEFAULT_INDEX;
  sink->post_motion_ms = DEFAULT_POST_MOTION_MS;
  sink->max_recording_duration_ms = DEFAULT_MAX_RECORDING_DURATION_MS;
  sink->fragment_duration_ms = DEFAULT_FRAGMENT_DURATION_MS;
  sink->prebuffer_duration_ms = DEFAULT_PREBUFFER_DURATION_MS;
  sink->audio_mode = DEFAULT_AUDIO;
  sink->audio_rate = DEFAULT_AUDIO_RATE;
  sink->audio_channels = DEFAULT_AUDIO_CHANNELS;
  sink->max_queued_bytes = DEFAULT_MAX_QUEUED_BYTES;
  GST_OBJECT_FLAG_SET (sink, GST_ELEMENT_FLAG_SINK);
}

static void
gst_hksv_sink_class_init (GstHksvSinkClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS;

  GST_DEBUG_CATEGORY_INIT (gst_hksv_sink_debug, "hksvsink", 0, "HomeKit Secure Video recordings");
  /* kept for reason_nick() and the "audio" field of start-session */
  g_type_class_ref (GST_TYPE_HKSV_SINK_END_REASON);
  g_type_class_ref (GST_TYPE_HKSV_SINK_AUDIO_MODE);

  gobject_class->set_property = gst_hksv_sink_set_property;
  gobject_class->get_property = gst_hksv_sink_get_property;
  gobject_class->finalize = gst_hksv_sink_finalize;

  g_object_class_install_property (gobject_class, PROP_LOCATION,
      g_param_spec_string ("location", "Location",
          "Standalone mode: file name pattern of the clips, with one integer conversion "
          "(e.g. clip-%05d.mp4); each motion event is recorded to its own file. NULL: no clips",
          DEFAULT_LOCATION, rw));
  g_object_class_install_property (gobject_class, PROP_INDEX,
      g_param_spec_uint ("index", "Index", "Number given to the next clip's file name", 0,
          G_MAXUINT, DEFAULT_INDEX, rw));
  g_object_class_install_property (gobject_class, PROP_POST_MOTION,
      g_param_spec_uint ("post-motion", "Post-motion time",
          "Standalone mode: how long (ms) a clip goes on after the motion ended; motion again "
          "within it extends the clip",
          0, MAX_MS, DEFAULT_POST_MOTION_MS, rw));
  g_object_class_install_property (gobject_class, PROP_MAX_RECORDING_DURATION,
      g_param_spec_uint ("max-recording-duration", "Maximum recording duration",
          "Longest recording (ms) from its first keyframe, prebuffer included; the last "
          "fragment then ends with endOfStream. 0: no limit",
          0, MAX_MS, DEFAULT_MAX_RECORDING_DURATION_MS, rw));
  g_object_class_install_property (gobject_class, PROP_FRAGMENT_DURATION,
      g_param_spec_uint ("fragment-duration", "Fragment duration",
          "Fragments are cut at the first keyframe at or after this long (ms)", 1, MAX_MS,
          DEFAULT_FRAGMENT_DURATION_MS, rw));
  g_object_class_install_property (gobject_class, PROP_PREBUFFER_DURATION,
      g_param_spec_uint ("prebuffer-duration", "Prebuffer duration",
          "Video (ms) before a session's start taken from hksvprebuffer (whole GOPs); 0: none", 0,
          MAX_MS, DEFAULT_PREBUFFER_DURATION_MS, rw));
  g_object_class_install_property (gobject_class, PROP_AUDIO,
      g_param_spec_enum ("audio", "Audio", "Whether recordings have an audio track",
          GST_TYPE_HKSV_SINK_AUDIO_MODE, DEFAULT_AUDIO, rw));
  g_object_class_install_property (gobject_class, PROP_AUDIO_RATE,
      g_param_spec_uint ("audio-rate", "Audio rate",
          "Sample rate of the silent AAC-LC track when audio=silence-if-missing and there is no "
          "audio source",
          8000, 48000, DEFAULT_AUDIO_RATE, rw));
  g_object_class_install_property (gobject_class, PROP_AUDIO_CHANNELS,
      g_param_spec_uint ("audio-channels", "Audio channels", "Channels of that silent track", 1, 2,
          DEFAULT_AUDIO_CHANNELS, rw));
  g_object_class_install_property (gobject_class, PROP_MAX_QUEUED_BYTES,
      g_param_spec_uint64 ("max-queued-bytes", "Maximum queued bytes",
          "Bound of each session's queue of undelivered chunks; a consumer that lets it fill "
          "loses its session",
          1, G_MAXUINT64, DEFAULT_MAX_QUEUED_BYTES, rw));
  g_object_class_install_property (gobject_class, PROP_N_SESSIONS,
      g_param_spec_uint ("n-sessions", "Sessions", "Sessions running (clips included)", 0,
          G_MAXUINT, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * GstHksvSink::start-session:
   * @config: (nullable): fields overriding the element's defaults: fragment-duration,
   *   max-recording-duration, prebuffer-duration (guint ms), audio (string nick or
   *   GstHksvSinkAudioMode), audio-rate, audio-channels (guint), max-queued-bytes (guint64)
   *
   * Starts a pull-mode session. Returns its id, 0 when it cannot start.
   */
  signals[SIGNAL_START_SESSION] = g_signal_new_class_handler ("start-session",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (start_session_signal), NULL, NULL, NULL, G_TYPE_UINT, 1, GST_TYPE_STRUCTURE);
  signals[SIGNAL_STOP_SESSION]
      = g_signal_new_class_handler ("stop-session", G_TYPE_FROM_CLASS (klass),
          G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION, G_CALLBACK (gst_hksv_sink_stop_session), NULL, NULL,
          NULL, G_TYPE_BOOLEAN, 2, G_TYPE_UINT, G_TYPE_BOOLEAN);
  signals[SIGNAL_PULL_CHUNK] = g_signal_new_class_handler ("pull-chunk", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION, G_CALLBACK (gst_hksv_sink_pull_chunk), NULL, NULL, NULL,
      GST_TYPE_SAMPLE, 1, G_TYPE_UINT);
  signals[SIGNAL_NEW_CHUNK] = g_signal_new ("new-chunk", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
  signals[SIGNAL_SESSION_ENDED]
      = g_signal_new ("session-ended", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
          NULL, G_TYPE_NONE, 3, G_TYPE_UINT, GST_TYPE_HKSV_SINK_END_REASON, G_TYPE_BOOLEAN);

  element_class->change_state = GST_DEBUG_FUNCPTR (gst_hksv_sink_change_state);
  element_class->request_new_pad = GST_DEBUG_FUNCPTR (gst_hksv_sink_request_new_pad);
  element_class->release_pad = GST_DEBUG_FUNCPTR (gst_hksv_sink_release_pad);
  gst_element_class_add_static_pad_template (element_class, &video_template);
  gst_element_class_add_static_pad_template (element_class, &audio_template);
  gst_element_class_set_static_metadata (element_class, "HomeKit Secure Video recording sink",
      "Sink/Muxer", "Fragmented MP4 recordings for HomeKit Secure Video hubs or motion clips",
      "gst-hksv");
  gst_type_mark_as_plugin_api (GST_TYPE_HKSV_SINK_AUDIO_MODE, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_HKSV_SINK_END_REASON, 0);
}
