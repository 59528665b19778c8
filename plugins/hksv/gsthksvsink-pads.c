/* hksvsink: the request pads (gsthksvsink-private.h): caps turned into tracks, buffers into
 * samples in running time, fed to every session; segment, EOS, flush and motion events;
 * requesting and releasing pads. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "plugins/hksv/gsthksvsink-private.h"

#include <string.h>

#include "gst/mp4-codec.h"

/* ---- buffers ---- */

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

GBytes *
gst_hksv_sink_buffer_bytes (GstBuffer *buffer)
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

gboolean
gst_hksv_sink_buffer_times (
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

gboolean
gst_hksv_sink_video_sync (GstHksvSink *sink, GBytes *bytes, gboolean *sync)
{
  g_autoptr (GError) error = NULL;
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  if (hksv_nal_au_is_sync (data, len, sink->video.nal_length_size,
          sink->video.track.codec == HKSV_CODEC_H265, sync, &error))
    return TRUE;
  GST_DEBUG_OBJECT (
      sink, "video access unit of %" G_GSIZE_FORMAT " bytes: %s", len, error->message);
  return FALSE;
}

/* ---- caps ---- */

void
gst_hksv_sink_track_clear (HksvTrackInfo *track)
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

GBytes *
gst_hksv_sink_caps_codec_data (const GstStructure *s)
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
  track->codec_data = gst_hksv_sink_caps_codec_data (s);
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
  gst_hksv_sink_track_clear (track);
  return FALSE;
}

/* ---- pads ---- */

static PadState *
pad_state (GstHksvSink *sink, GstPad *pad)
{
  return pad == sink->video.pad ? &sink->video : &sink->audio;
}

void
gst_hksv_sink_pad_state_reset (PadState *ps)
{
  gst_segment_init (&ps->segment, GST_FORMAT_TIME);
  ps->have_last = FALSE;
  ps->eos = FALSE;
}

static gboolean
all_eos (GstHksvSink *sink)
{
  return (sink->video.pad || sink->audio.pad) && (!sink->video.pad || sink->video.eos)
         && (!sink->audio.pad || sink->audio.eos);
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
  if (!gst_hksv_sink_buffer_times (&ps->segment, buffer, video, &sample.dts, &sample.pts)) {
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

  if (video)
    gst_hksv_sink_clip_video_locked (sink, sample.dts);
  if (!sink->sessions)
    goto done;

  bytes = gst_hksv_sink_buffer_bytes (buffer);
  if (!bytes) {
    drop = "that cannot be mapped";
    goto drop;
  }
  /* A sync sample (fragment start) is an IDR / IRAP access unit by its NAL unit types, not a
   * buffer without DELTA_UNIT: h264parse clears that flag on every I-frame. */
  sample.sync = !video;
  if (video && !gst_hksv_sink_video_sync (sink, bytes, &sample.sync)) {
    drop = "whose NAL units do not tile it (corrupt access unit)";
    goto drop;
  }
  sample.duration = GST_BUFFER_DURATION_IS_VALID (buffer) ? GST_BUFFER_DURATION (buffer) : 0;
  sample.data = bytes;
  gst_hksv_sink_feed_all (sink, video, &sample);
  if (video) {
    /* a clip that ended with this buffer (maximum length) and motion still on: the next one
     * starts with it (it may be the keyframe that ended the previous one) */
    Session *clip = gst_hksv_sink_maybe_start_clip_locked (sink);

    if (clip)
      gst_hksv_sink_session_feed (sink, clip, TRUE, &sample);
  }

done:
  g_mutex_unlock (&sink->lock);
  gst_hksv_sink_drain (sink);
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
        gst_hksv_sink_session_end (sink, s, GST_HKSV_SINK_END_CAPS_CHANGED, TRUE);
    }
  }
  gst_hksv_sink_track_clear (&ps->track);
  ps->track = track;
  ps->have_caps = TRUE;
  ps->nal_length_size = nal_length_size;
  if (video && sink->motion && !sink->clip && sink->location)
    sink->clip_pending = TRUE;
  g_mutex_unlock (&sink->lock);
  gst_hksv_sink_drain (sink);
  return TRUE;
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
        gst_hksv_sink_end_all (sink, GST_HKSV_SINK_END_EOS, TRUE);
      } else {
        gst_hksv_sink_end_audio_all (sink);
      }
      if (all_eos (sink)) {
        sink->eos_pending = TRUE;
        sink->eos_seqnum = gst_event_get_seqnum (event);
      }
      g_mutex_unlock (&sink->lock);
      gst_hksv_sink_drain (sink);
      break;
    case GST_EVENT_FLUSH_STOP:
      g_mutex_lock (&sink->lock);
      ps = pad_state (sink, pad);
      gst_hksv_sink_pad_state_reset (ps);
      sink->eos_pending = FALSE;
      gst_hksv_sink_end_all (sink, GST_HKSV_SINK_END_FLUSHED, FALSE);
      g_mutex_unlock (&sink->lock);
      gst_hksv_sink_drain (sink);
      break;
    case GST_EVENT_CUSTOM_DOWNSTREAM: {
      HksvMotionInfo info;

      g_mutex_lock (&sink->lock);
      video = pad == sink->video.pad;
      g_mutex_unlock (&sink->lock);
      if (video && hksv_motion_event_parse (event, &info))
        gst_hksv_sink_clip_motion (sink, &info);
      break;
    }
    default:
      break;
  }
  gst_event_unref (event);
  return ret;
}

GstPad *
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
  gst_hksv_sink_pad_state_reset (ps);
  g_mutex_unlock (&sink->lock);
  gst_element_add_pad (element, pad);
  return pad;
}

void
gst_hksv_sink_release_pad (GstElement *element, GstPad *pad)
{
  GstHksvSink *sink = GST_HKSV_SINK (element);
  PadState *ps;

  g_mutex_lock (&sink->lock);
  ps = pad_state (sink, pad);
  if (ps == &sink->video) {
    gst_hksv_sink_end_all (sink, GST_HKSV_SINK_END_EOS, TRUE);
  } else {
    gst_hksv_sink_end_audio_all (sink);
  }
  ps->pad = NULL;
  ps->have_caps = FALSE;
  gst_hksv_sink_track_clear (&ps->track);
  g_mutex_unlock (&sink->lock);
  gst_hksv_sink_drain (sink);
  gst_element_remove_pad (element, pad);
}
