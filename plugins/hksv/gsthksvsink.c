/* hksvsink: HomeKit Secure Video recordings (fragmented MP4 in dataSend chunks) for concurrent
 * sessions, or one MP4 file per motion event (standalone mode). See docs/elements/hksvsink.md.
 *
 * This file is the element: its properties, action signals and state changes. The pads, the
 * sessions, their delivery, the prebuffer hand-over and the clips are in the files listed in
 * gsthksvsink-private.h. One lock guards the pads' state, the sessions and their queues; muxing
 * runs under it, on the thread that completed a fragment; delivery never does
 * (gsthksvsink-delivery.c).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "plugins/hksv/gsthksvsink-private.h"

GST_DEBUG_CATEGORY (gst_hksv_sink_debug);

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

guint gst_hksv_sink_signals[N_SIGNALS];

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

/* ---- element ---- */

static void
reset (GstHksvSink *sink)
{
  g_mutex_lock (&sink->lock);
  gst_hksv_sink_end_all (sink, GST_HKSV_SINK_END_SHUTDOWN, TRUE);
  g_mutex_unlock (&sink->lock);
  gst_hksv_sink_drain (sink);

  g_mutex_lock (&sink->lock);
  /* pull sessions whose chunks were never pulled */
  while (sink->sessions)
    gst_hksv_sink_unlist (sink, sink->sessions->data);
  gst_hksv_sink_pad_state_reset (&sink->video);
  gst_hksv_sink_pad_state_reset (&sink->audio);
  sink->video.have_caps = sink->audio.have_caps = FALSE;
  gst_hksv_sink_track_clear (&sink->video.track);
  gst_hksv_sink_track_clear (&sink->audio.track);
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
      check = gst_hksv_sink_format_location (sink->location, 0, &error);
    gst_hksv_sink_pad_state_reset (&sink->video);
    gst_hksv_sink_pad_state_reset (&sink->audio);
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
    gst_hksv_sink_unlist (sink, sink->sessions->data);
  g_queue_clear_full (&sink->messages, (GDestroyNotify) gst_message_unref);
  gst_hksv_sink_track_clear (&sink->video.track);
  gst_hksv_sink_track_clear (&sink->audio.track);
  g_free (sink->location);
  g_mutex_clear (&sink->lock);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_hksv_sink_init (GstHksvSink *sink)
{
  g_mutex_init (&sink->lock);
  g_queue_init (&sink->messages);
  gst_hksv_sink_pad_state_reset (&sink->video);
  gst_hksv_sink_pad_state_reset (&sink->audio);
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
  gst_hksv_sink_signals[SIGNAL_START_SESSION] = g_signal_new_class_handler ("start-session",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (start_session_signal), NULL, NULL, NULL, G_TYPE_UINT, 1, GST_TYPE_STRUCTURE);
  gst_hksv_sink_signals[SIGNAL_STOP_SESSION]
      = g_signal_new_class_handler ("stop-session", G_TYPE_FROM_CLASS (klass),
          G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION, G_CALLBACK (gst_hksv_sink_stop_session), NULL, NULL,
          NULL, G_TYPE_BOOLEAN, 2, G_TYPE_UINT, G_TYPE_BOOLEAN);
  gst_hksv_sink_signals[SIGNAL_PULL_CHUNK] = g_signal_new_class_handler ("pull-chunk",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (gst_hksv_sink_pull_chunk), NULL, NULL, NULL, GST_TYPE_SAMPLE, 1, G_TYPE_UINT);
  gst_hksv_sink_signals[SIGNAL_NEW_CHUNK] = g_signal_new ("new-chunk", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
  gst_hksv_sink_signals[SIGNAL_SESSION_ENDED]
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
