/* hksvsink: the standalone mode (gsthksvsink-private.h). Without an accessory, each motion event
 * (gst/hksv-motion-event.h on the video pad) is recorded to its own MP4 file named by the
 * `location` pattern (gst/clip-location.h), with the prebuffer before it and `post-motion` after
 * it; motion again within the post-motion time extends the clip, motion still on when a clip
 * reaches its maximum length starts the next one. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "plugins/hksv/gsthksvsink-private.h"

#include <errno.h>
#include <glib/gstdio.h>

#include "gst/clip-location.h"

gchar *
gst_hksv_sink_format_location (const gchar *pattern, guint index, GError **error)
{
  gchar *location = hksv_clip_location_format (pattern, index);

  if (!location)
    g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
        "location \"%s\" must hold exactly one integer conversion such as %%05d", pattern);
  return location;
}

FILE *
gst_hksv_sink_clip_open (GstHksvSink *sink, gchar **location, guint *index, GError **error)
{
  FILE *file;

  if (!sink->video.have_caps) {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION, "no video caps yet");
    return NULL;
  }
  *index = sink->index;
  *location = gst_hksv_sink_format_location (sink->location ? sink->location : "", *index, error);
  if (!*location)
    return NULL;
  file = g_fopen (*location, "wb");
  if (!file)
    g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_OPEN_WRITE,
        "could not open %s for writing: %s", *location, g_strerror (errno));
  return file;
}

void
gst_hksv_sink_clip_discard (FILE *file, const gchar *location)
{
  fclose (file);
  g_unlink (location);
}

void
gst_hksv_sink_clip_started (GstHksvSink *sink, Session *s, FILE *file, gchar *location, guint index)
{
  s->location = location;
  s->file = file;
  s->clip_index = index;
  sink->index++;
  sink->clip = s;
  sink->clip_pending = FALSE;
  sink->clip_deadline = GST_CLOCK_TIME_NONE;
}

static gboolean
restarts_clip (GstHksvSinkEndReason reason)
{
  return reason == GST_HKSV_SINK_END_MAX_DURATION || reason == GST_HKSV_SINK_END_CAPS_CHANGED
         || reason == GST_HKSV_SINK_END_FLUSHED;
}

void
gst_hksv_sink_clip_ended (GstHksvSink *sink, Session *s)
{
  if (sink->clip == s) {
    sink->clip = NULL;
    sink->clip_deadline = GST_CLOCK_TIME_NONE;
    if (sink->motion && restarts_clip (s->reason))
      sink->clip_pending = TRUE;
  }
}

gboolean
gst_hksv_sink_clip_write (Session *s, const HksvChunk *chunk, gint *write_error)
{
  gsize len;
  const guint8 *d = g_bytes_get_data (chunk->data, &len);

  if (s->file && fwrite (d, 1, len, s->file) == len)
    return TRUE;
  *write_error = errno ? errno : EIO;
  return FALSE;
}

gint
gst_hksv_sink_clip_close (Session *s)
{
  gint write_error = 0;

  if (s->file && fclose (s->file) != 0)
    write_error = errno ? errno : EIO;
  s->file = NULL;
  return write_error;
}

void
gst_hksv_sink_clip_failed (GstHksvSink *sink, GError *error)
{
  GST_ERROR_OBJECT (sink, "cannot start a clip: %s", error->message);
  gst_hksv_sink_queue_message (sink, gst_message_new_error (GST_OBJECT (sink), error, NULL));
  sink->clip_pending = FALSE;
}

Session *
gst_hksv_sink_maybe_start_clip_locked (GstHksvSink *sink)
{
  GstHksvSinkSessionConfig config;
  g_autoptr (GError) error = NULL;
  Session *s;

  if (!sink->clip_pending || !sink->motion || sink->clip || !sink->location
      || !sink->video.have_caps || sink->video.eos)
    return NULL;
  gst_hksv_sink_config_init_locked (sink, &config);
  config.prebuffer_ms = 0;
  s = gst_hksv_sink_start_locked (sink, KIND_FILE, &config, FALSE, NULL, NULL, NULL, &error);
  if (!s)
    gst_hksv_sink_clip_failed (sink, error);
  return s;
}

void
gst_hksv_sink_clip_video_locked (GstHksvSink *sink, gint64 dts)
{
  if (sink->clip && GST_CLOCK_TIME_IS_VALID (sink->clip_deadline)
      && dts >= (gint64) sink->clip_deadline) {
    gst_hksv_sink_session_end (sink, sink->clip, GST_HKSV_SINK_END_MOTION_ENDED, TRUE);
  }
  gst_hksv_sink_maybe_start_clip_locked (sink);
}

void
gst_hksv_sink_clip_motion (GstHksvSink *sink, const HksvMotionInfo *info)
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
    rt = gst_hksv_sink_video_position (sink);
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
  gst_hksv_sink_config_init_locked (sink, &config);
  g_mutex_unlock (&sink->lock);
  if (start)
    gst_hksv_sink_start (sink, KIND_FILE, &config, NULL, NULL, NULL);
}
