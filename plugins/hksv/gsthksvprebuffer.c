/* hksvprebuffer: pass-through of encoded video (and optional AAC audio) that keeps the last GOPs
 * for the start of each recording and asks upstream for key units at the fragment cadence.
 *
 * The rings are gst/gop-ring.c (video leader, audio follower) holding buffer references; one
 * lock guards them, the caps, the segments and the force-key-unit state, and is never held while
 * pushing data or events. A buffer is added to its ring before it is pushed downstream: that is
 * what lets hksvsink take a snapshot from any thread and drop the live buffers it already got
 * (gst/hksv-prebuffer-query.h). Keyframes (GOP starts, the force-key-unit cadence) are the IDR /
 * IRAP access units, told by their NAL unit types (gst/mp4-codec.h: only the length fields and one
 * header byte per NAL unit are read), not by GST_BUFFER_FLAG_DELTA_UNIT: h264parse clears that
 * flag on non-IDR I-frames too, which cannot start a recording. An access unit whose NAL units do
 * not tile it is logged and taken as a delta unit; every buffer passes on untouched, flags
 * included. See docs/elements/hksvprebuffer.md.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "plugins/hksv/gsthksvprebuffer.h"

#include <gst/video/video.h>

#include "gst/gop-ring.h"
#include "gst/hksv-prebuffer-query.h"
#include "gst/mp4-codec.h"

GST_DEBUG_CATEGORY_STATIC (gst_hksv_prebuffer_debug);
#define GST_CAT_DEFAULT gst_hksv_prebuffer_debug

#define DEFAULT_DURATION_MS 4000
/* Two 4 s GOPs (a 4 s prebuffer never needs more) of 4K at ~32 Mbit/s. */
#define DEFAULT_MAX_SIZE_BYTES (32 * 1024 * 1024)
#define DEFAULT_FRAGMENT_DURATION_MS 4000
#define DEFAULT_FORCE_KEY_UNITS TRUE
#define MAX_DURATION_MS (3600 * 1000)

enum {
  PROP_0,
  PROP_DURATION,
  PROP_MAX_SIZE_BYTES,
  PROP_FRAGMENT_DURATION,
  PROP_FORCE_KEY_UNITS,
  PROP_CURRENT_LEVEL_BYTES,
  PROP_CURRENT_LEVEL_TIME,
  PROP_CURRENT_GOPS,
  PROP_CURRENT_MEMORY_BYTES,
};

/* One of the two streams: its pads, ring and what its buffers were received with. */
typedef struct {
  GstPad *sinkpad;
  GstPad *srcpad;
  HksvGopRing *ring;
  GstCaps *caps;
  gboolean hevc;         /* video: H.265 caps */
  guint nal_length_size; /* video: from the caps' avcC / hvcC */
  GstSegment segment;
  guint warned; /* 1 << HksvGopRingResult (and WARNED_*) logged in the current burst */
} Stream;

#define WARNED_SEGMENT (1u << 31)
#define WARNED_FRAMING (1u << 30)

struct _GstHksvPrebuffer {
  GstElement parent;

  GMutex lock; /* guards everything below and the audio pad pointers */
  Stream video;
  Stream audio; /* pads NULL until audio_sink is requested */

  guint duration_ms;
  guint64 max_size_bytes;
  guint fragment_duration_ms;
  gboolean force_key_units;

  /* force-key-unit requests: target running time asked for (NONE: at once), the running time
   * after which a request is repeated, and the count carried by the events */
  gboolean fku_pending;
  GstClockTime fku_target;
  GstClockTime fku_deadline;
  guint fku_count;

  gboolean overflow_posted;
  gboolean late_key_unit_logged;
};

#define VIDEO_CAPS                                                        \
  "video/x-h264, stream-format = (string) avc, alignment = (string) au; " \
  "video/x-h265, stream-format = (string) hvc1, alignment = (string) au"
#define AUDIO_CAPS "audio/mpeg, mpegversion = (int) 4, stream-format = (string) raw"

static GstStaticPadTemplate video_sink_template = GST_STATIC_PAD_TEMPLATE (
    "video_sink", GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS (VIDEO_CAPS));
static GstStaticPadTemplate video_src_template = GST_STATIC_PAD_TEMPLATE (
    "video_src", GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS (VIDEO_CAPS));
static GstStaticPadTemplate audio_sink_template = GST_STATIC_PAD_TEMPLATE (
    "audio_sink", GST_PAD_SINK, GST_PAD_REQUEST, GST_STATIC_CAPS (AUDIO_CAPS));
static GstStaticPadTemplate audio_src_template = GST_STATIC_PAD_TEMPLATE (
    "audio_src", GST_PAD_SRC, GST_PAD_SOMETIMES, GST_STATIC_CAPS (AUDIO_CAPS));

#define gst_hksv_prebuffer_parent_class parent_class
G_DEFINE_TYPE_WITH_CODE (GstHksvPrebuffer, gst_hksv_prebuffer, GST_TYPE_ELEMENT,
    GST_DEBUG_CATEGORY_INIT (
        gst_hksv_prebuffer_debug, "hksvprebuffer", 0, "HomeKit Secure Video prebuffer"));
GST_ELEMENT_REGISTER_DEFINE (
    hksvprebuffer, "hksvprebuffer", GST_RANK_NONE, GST_TYPE_HKSV_PREBUFFER);

/* ---- Caps -------------------------------------------------------------------------------- */

/* NULL when buffers with `caps` can be prebuffered on a pad of this kind; otherwise what is
 * wrong, worded for the user. Only the decoder configuration record's version, minimum size and
 * NAL length size are checked (the length size is what the keyframe test needs). */
static const gchar *
check_caps (gboolean video, GstCaps *caps)
{
  const GstStructure *s;
  const GValue *v;
  GstBuffer *codec_data;
  GstMapInfo map;
  gboolean valid, length3;
  gsize min_size;

  if (!gst_caps_is_fixed (caps))
    return "caps are not fixed";
  s = gst_caps_get_structure (caps, 0);

  if (video) {
    gboolean h264 = gst_structure_has_name (s, "video/x-h264");

    if (!h264 && !gst_structure_has_name (s, "video/x-h265"))
      return "hksvprebuffer takes H.264 or H.265 video";
    if (g_strcmp0 (gst_structure_get_string (s, "stream-format"), h264 ? "avc" : "hvc1"))
      return h264 ? "H.264 must have stream-format=avc: put h264parse before hksvprebuffer"
                  : "H.265 must have stream-format=hvc1: put h265parse before hksvprebuffer";
    if (g_strcmp0 (gst_structure_get_string (s, "alignment"), "au"))
      return h264 ? "H.264 must have alignment=au: put h264parse before hksvprebuffer"
                  : "H.265 must have alignment=au: put h265parse before hksvprebuffer";
    v = gst_structure_get_value (s, "codec_data");
    if (!v || !GST_VALUE_HOLDS_BUFFER (v) || !gst_value_get_buffer (v))
      return h264 ? "H.264 caps have no codec_data (avcC): put h264parse before hksvprebuffer"
                  : "H.265 caps have no codec_data (hvcC): put h265parse before hksvprebuffer";
    /* avcC: version, profile, compatibility, level, length size, SPS count, ...;
     * hvcC: 23 bytes before its arrays */
    min_size = h264 ? 7 : 23;
  } else {
    gint version = 0;

    if (!gst_structure_has_name (s, "audio/mpeg")
        || !gst_structure_get_int (s, "mpegversion", &version) || version != 4)
      return "hksvprebuffer takes AAC audio (audio/mpeg, mpegversion=4)";
    if (g_strcmp0 (gst_structure_get_string (s, "stream-format"), "raw"))
      return "AAC must have stream-format=raw: put aacparse before hksvprebuffer";
    v = gst_structure_get_value (s, "codec_data");
    if (!v || !GST_VALUE_HOLDS_BUFFER (v) || !gst_value_get_buffer (v))
      return "AAC caps have no codec_data (AudioSpecificConfig): put aacparse before "
             "hksvprebuffer";
    min_size = 2;
  }

  codec_data = gst_value_get_buffer (v);
  if (!gst_buffer_map (codec_data, &map, GST_MAP_READ))
    return "codec_data cannot be read";
  valid = map.size >= min_size && (!video || map.data[0] == 1);
  /* lengthSizeMinusOne: avcC byte 4, hvcC byte 21; a 3-byte length does not exist in MP4 */
  length3 = valid && video && (map.data[min_size == 7 ? 4 : 21] & 3) == 2;
  gst_buffer_unmap (codec_data, &map);
  if (!valid)
    return video ? "codec_data is not a decoder configuration record (version 1)"
                 : "codec_data is too short for an AudioSpecificConfig";
  if (length3)
    return "codec_data gives a NAL length size of 3, which MP4 cannot hold";
  return NULL;
}

/* The NAL framing of video caps that check_caps() accepted. */
static void
video_framing (GstCaps *caps, gboolean *hevc, guint *nal_length_size)
{
  const GstStructure *s = gst_caps_get_structure (caps, 0);
  GstBuffer *codec_data = gst_value_get_buffer (gst_structure_get_value (s, "codec_data"));
  guint8 byte = 0;

  *hevc = gst_structure_has_name (s, "video/x-h265");
  gst_buffer_extract (codec_data, *hevc ? 21 : 4, &byte, 1);
  *nal_length_size = (byte & 3) + 1;
}

/* Buffers received with `a` and `b` can share a recording (one init segment). */
static gboolean
same_stream (GstCaps *a, GstCaps *b)
{
  const GstStructure *sa = gst_caps_get_structure (a, 0);
  const GstStructure *sb = gst_caps_get_structure (b, 0);
  const GValue *ca, *cb;

  if (!gst_structure_has_name (sb, gst_structure_get_name (sa)))
    return FALSE;
  ca = gst_structure_get_value (sa, "codec_data");
  cb = gst_structure_get_value (sb, "codec_data");
  return ca && cb && gst_value_compare (ca, cb) == GST_VALUE_EQUAL;
}

/* Running time maps the same way in both (position and duration do not matter). */
static gboolean
same_running_time (const GstSegment *a, const GstSegment *b)
{
  return a->format == b->format && a->rate == b->rate && a->base == b->base
         && a->offset == b->offset && a->start == b->start && a->stop == b->stop;
}

/* ---- Rings ------------------------------------------------------------------------------- */

static GstClockTime
to_running_time (const GstSegment *segment, GstClockTime ts)
{
  guint64 rt;

  if (!GST_CLOCK_TIME_IS_VALID (ts))
    return GST_CLOCK_TIME_NONE;
  /* before the segment (negative running time) counts as unknown */
  if (gst_segment_to_running_time_full (segment, GST_FORMAT_TIME, ts, &rt) != 1)
    return GST_CLOCK_TIME_NONE;
  return rt;
}

/* The rings' time axis: running time shifted by 2^62 ns (146 years), because the first DTS of a
 * stream with B-frames are before the segment start (negative running time) and must still
 * order. Only differences of these times are ever reported. */
#define RING_TIME_ZERO (G_GUINT64_CONSTANT (1) << 62)

static guint64
to_ring_time (const GstSegment *segment, GstClockTime ts)
{
  guint64 rt;
  gint sign;

  if (!GST_CLOCK_TIME_IS_VALID (ts))
    return HKSV_GOP_RING_TIME_NONE;
  sign = gst_segment_to_running_time_full (segment, GST_FORMAT_TIME, ts, &rt);
  if (sign > 0 && rt < RING_TIME_ZERO)
    return RING_TIME_ZERO + rt;
  if (sign < 0 && rt <= RING_TIME_ZERO)
    return RING_TIME_ZERO - rt;
  return HKSV_GOP_RING_TIME_NONE;
}

static gsize
buffer_memory_size (GstBuffer *buf)
{
  gsize total = 0;

  for (guint i = 0, n = gst_buffer_n_memory (buf); i < n; i++)
    total += gst_buffer_peek_memory (buf, i)->maxsize;
  return total;
}

/* The rings hold buffer references. */
static gpointer
buffer_ref (gpointer buf)
{
  return gst_buffer_ref (buf);
}

static void
buffer_unref (gpointer buf)
{
  gst_buffer_unref (buf);
}

static const gchar *
stream_name (GstHksvPrebuffer *self, Stream *stream)
{
  return stream == &self->video ? "video" : "audio";
}

/* Called with the lock: whether a video buffer is an IDR / IRAP access unit. One whose NAL
 * units do not tile it (or without caps yet) is not, with one warning per burst. */
static gboolean
is_keyframe (GstHksvPrebuffer *self, GstBuffer *buf)
{
  Stream *stream = &self->video;
  g_autoptr (GError) error = NULL;
  GstMapInfo map;
  gboolean sync = FALSE, framed;

  if (!stream->caps || stream->nal_length_size == 0)
    return FALSE;
  if (!gst_buffer_map (buf, &map, GST_MAP_READ))
    return FALSE;
  framed = hksv_nal_au_is_sync (
      map.data, map.size, stream->nal_length_size, stream->hevc, &sync, &error);
  gst_buffer_unmap (buf, &map);
  if (framed) {
    stream->warned &= ~WARNED_FRAMING;
  } else {
    if (!(stream->warned & WARNED_FRAMING))
      GST_WARNING_OBJECT (self,
          "video access unit with broken NAL framing (%s; more may follow): taken as a delta "
          "unit, passed on: %" GST_PTR_FORMAT,
          error->message, buf);
    stream->warned |= WARNED_FRAMING;
  }
  return sync;
}

/* Called with the lock. TRUE when the first overflow since start must be posted. */
static gboolean
add_to_ring (GstHksvPrebuffer *self, Stream *stream, GstBuffer *buf, gboolean keyframe)
{
  gboolean video = stream == &self->video;
  GstClockTime dts, pts;
  HksvGopRingResult res;

  if (stream->segment.format != GST_FORMAT_TIME) {
    if (!(stream->warned & WARNED_SEGMENT))
      GST_WARNING_OBJECT (
          self, "%s has no TIME segment: buffers not prebuffered", stream_name (self, stream));
    stream->warned |= WARNED_SEGMENT;
    return FALSE;
  }

  dts = to_ring_time (&stream->segment, GST_BUFFER_DTS (buf));
  pts = to_ring_time (&stream->segment, GST_BUFFER_PTS (buf));
  res = hksv_gop_ring_push (stream->ring, gst_buffer_ref (buf), gst_buffer_get_size (buf),
      buffer_memory_size (buf), dts, pts, keyframe);

  if (res == HKSV_GOP_RING_REFUSED_BACKWARDS && video && keyframe) {
    /* The time line restarted (a non-flushing segment, a source restart): nothing before this
     * keyframe can precede it in a recording. Audio surely restarted too. */
    GST_WARNING_OBJECT (self,
        "video time went back at a keyframe (DTS %" GST_TIME_FORMAT ", PTS %" GST_TIME_FORMAT
        "): prebuffer restarted there",
        GST_TIME_ARGS (GST_BUFFER_DTS (buf)), GST_TIME_ARGS (GST_BUFFER_PTS (buf)));
    hksv_gop_ring_clear (self->video.ring);
    if (self->audio.ring)
      hksv_gop_ring_clear (self->audio.ring);
    /* the reference taken for the refused push */
    res = hksv_gop_ring_push (
        stream->ring, buf, gst_buffer_get_size (buf), buffer_memory_size (buf), dts, pts, keyframe);
  }

  switch (res) {
    case HKSV_GOP_RING_ADDED:
      /* a new burst (the framing warning has its own: is_keyframe()) */
      stream->warned &= WARNED_FRAMING;
      GST_LOG_OBJECT (self, "%s %" GST_PTR_FORMAT " prebuffered", stream_name (self, stream), buf);
      return FALSE;
    case HKSV_GOP_RING_REFUSED_NO_KEYFRAME:
      GST_LOG_OBJECT (self, "%s: waiting for a keyframe, %" GST_PTR_FORMAT " not prebuffered",
          stream_name (self, stream), buf);
      break;
    case HKSV_GOP_RING_REFUSED_NO_TIMESTAMP:
    case HKSV_GOP_RING_REFUSED_BACKWARDS:
      if (!(stream->warned & (1u << res)))
        GST_WARNING_OBJECT (self,
            "%s buffer not prebuffered (%s; more may follow): %" GST_PTR_FORMAT,
            stream_name (self, stream), hksv_gop_ring_result_to_string (res), buf);
      else
        GST_LOG_OBJECT (self, "%s buffer not prebuffered (%s): %" GST_PTR_FORMAT,
            stream_name (self, stream), hksv_gop_ring_result_to_string (res), buf);
      stream->warned |= 1u << res;
      break;
    case HKSV_GOP_RING_OVERFLOW:
      GST_INFO_OBJECT (self,
          "%s: current GOP over max-size-bytes (%" G_GUINT64_FORMAT
          "): prebuffer emptied until the next keyframe",
          stream_name (self, stream), self->max_size_bytes);
      break;
  }
  gst_buffer_unref (buf);

  if (res == HKSV_GOP_RING_OVERFLOW && !self->overflow_posted) {
    self->overflow_posted = TRUE;
    return TRUE;
  }
  return FALSE;
}

/* ---- Force key unit ---------------------------------------------------------------------- */

static GstEvent *
new_force_key_unit (GstHksvPrebuffer *self, GstClockTime running_time)
{
  GST_DEBUG_OBJECT (self, "asking upstream for a key unit at %" GST_TIME_FORMAT " (count %u)",
      GST_TIME_ARGS (running_time), self->fku_count + 1);
  return gst_video_event_new_upstream_force_key_unit (running_time, TRUE, ++self->fku_count);
}

/* Called with the lock for each video buffer: the request to send upstream, if any. Every
 * keyframe asks for the next one a fragment later, at once, so that an encoder with latency gets
 * the request before that frame reaches it. A delta unit past the time asked for means the
 * encoder did not (yet) comply: ask again, then wait another fragment before repeating. */
static GstEvent *
next_force_key_unit (GstHksvPrebuffer *self, GstBuffer *buf, gboolean keyframe)
{
  GstClockTime rt, fragment = self->fragment_duration_ms * GST_MSECOND;

  if (!self->force_key_units || self->video.segment.format != GST_FORMAT_TIME)
    return NULL;
  rt = to_running_time (&self->video.segment, GST_BUFFER_PTS (buf));
  if (!GST_CLOCK_TIME_IS_VALID (rt))
    rt = to_running_time (&self->video.segment, GST_BUFFER_DTS (buf));
  if (!GST_CLOCK_TIME_IS_VALID (rt))
    return NULL;

  if (keyframe) {
    self->fku_pending = TRUE;
    self->fku_target = rt + fragment;
    self->fku_deadline = self->fku_target;
    return new_force_key_unit (self, self->fku_target);
  }
  if (!self->fku_pending) {
    /* No keyframe since the start, a flush or a new stream: one as soon as possible. */
    self->fku_pending = TRUE;
    self->fku_target = GST_CLOCK_TIME_NONE;
    self->fku_deadline = rt + fragment;
    return new_force_key_unit (self, GST_CLOCK_TIME_NONE);
  }
  if (rt >= self->fku_deadline) {
    if (!self->late_key_unit_logged && GST_CLOCK_TIME_IS_VALID (self->fku_target))
      GST_WARNING_OBJECT (self,
          "no key unit at %" GST_TIME_FORMAT " as asked: either the encoder ignores "
          "force-key-unit events or its latency is above fragment-duration (lower its lookahead, "
          "e.g. x264enc rc-lookahead or tune=zerolatency); asking again",
          GST_TIME_ARGS (self->fku_target));
    else
      GST_INFO_OBJECT (self,
          "no key unit by %" GST_TIME_FORMAT " (now %" GST_TIME_FORMAT "): asking again",
          GST_TIME_ARGS (self->fku_deadline), GST_TIME_ARGS (rt));
    if (GST_CLOCK_TIME_IS_VALID (self->fku_target))
      self->late_key_unit_logged = TRUE;
    self->fku_deadline = rt + fragment;
    return new_force_key_unit (self, self->fku_target);
  }
  return NULL;
}

/* ---- Pads -------------------------------------------------------------------------------- */

static GstFlowReturn
gst_hksv_prebuffer_chain (GstPad *pad, GstObject *parent, GstBuffer *buf)
{
  GstHksvPrebuffer *self = GST_HKSV_PREBUFFER (parent);
  Stream *stream = gst_pad_get_element_private (pad);
  GstEvent *fku = NULL;
  gboolean post_overflow, video = stream == &self->video, keyframe;
  guint64 max_size_bytes;

  g_mutex_lock (&self->lock);
  keyframe = !video || is_keyframe (self, buf);
  post_overflow = add_to_ring (self, stream, buf, keyframe);
  max_size_bytes = self->max_size_bytes;
  if (video)
    fku = next_force_key_unit (self, buf, keyframe);
  g_mutex_unlock (&self->lock);

  if (post_overflow)
    GST_ELEMENT_WARNING (self, RESOURCE, NO_SPACE_LEFT,
        ("A GOP of %s is larger than max-size-bytes: the prebuffer is emptied until the next "
         "keyframe. Raise max-size-bytes or lower the bitrate or the key-unit interval.",
            stream_name (self, stream)),
        ("max-size-bytes %" G_GUINT64_FORMAT, max_size_bytes));
  if (fku && !gst_pad_push_event (stream->sinkpad, fku))
    GST_DEBUG_OBJECT (self, "upstream did not take the force-key-unit event");

  return gst_pad_push (stream->srcpad, buf);
}

static gboolean
gst_hksv_prebuffer_sink_event (GstPad *pad, GstObject *parent, GstEvent *event)
{
  GstHksvPrebuffer *self = GST_HKSV_PREBUFFER (parent);
  Stream *stream = gst_pad_get_element_private (pad);
  gboolean video = stream == &self->video;

  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_CAPS: {
      GstCaps *caps;
      const gchar *problem;

      gst_event_parse_caps (event, &caps);
      problem = check_caps (video, caps);
      if (problem) {
        GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, ("%s", problem),
            ("%s caps refused: %" GST_PTR_FORMAT, stream_name (self, stream), caps));
        gst_event_unref (event);
        return FALSE;
      }
      g_mutex_lock (&self->lock);
      if (stream->caps && !same_stream (stream->caps, caps)) {
        /* The old content cannot share a recording with the new init segment. */
        GST_INFO_OBJECT (self, "%s caps changed: prebuffer cleared (%" GST_PTR_FORMAT ")",
            stream_name (self, stream), caps);
        hksv_gop_ring_clear (stream->ring);
        if (video)
          self->fku_pending = FALSE;
      }
      gst_caps_replace (&stream->caps, caps);
      if (video)
        video_framing (caps, &stream->hevc, &stream->nal_length_size);
      g_mutex_unlock (&self->lock);
      break;
    }
    case GST_EVENT_SEGMENT: {
      GstSegment segment;

      gst_event_copy_segment (event, &segment);
      g_mutex_lock (&self->lock);
      if (!same_running_time (&stream->segment, &segment)) {
        HksvGopRingStats stats;

        /* What was kept would be mapped to the wrong running times. */
        hksv_gop_ring_get_stats (stream->ring, &stats);
        if (stats.items > 0) {
          GST_INFO_OBJECT (
              self, "%s segment changed: prebuffer cleared", stream_name (self, stream));
          hksv_gop_ring_clear (stream->ring);
        }
      }
      stream->segment = segment;
      stream->warned &= ~WARNED_SEGMENT;
      g_mutex_unlock (&self->lock);
      break;
    }
    case GST_EVENT_FLUSH_STOP:
      g_mutex_lock (&self->lock);
      GST_DEBUG_OBJECT (self, "%s flushed: prebuffer cleared", stream_name (self, stream));
      hksv_gop_ring_clear (stream->ring);
      gst_segment_init (&stream->segment, GST_FORMAT_UNDEFINED);
      stream->warned = 0;
      if (video)
        self->fku_pending = FALSE;
      g_mutex_unlock (&self->lock);
      break;
    default:
      /* EOS and gaps pass; the ring is kept until PAUSED->READY. */
      break;
  }
  return gst_pad_event_default (pad, parent, event);
}

static gboolean
gst_hksv_prebuffer_sink_query (GstPad *pad, GstObject *parent, GstQuery *query)
{
  GstHksvPrebuffer *self = GST_HKSV_PREBUFFER (parent);

  if (GST_QUERY_TYPE (query) == GST_QUERY_ACCEPT_CAPS) {
    Stream *stream = gst_pad_get_element_private (pad);
    GstCaps *caps;
    const gchar *media;

    /* Accept the media type and leave the details to the caps event, so that wrong caps get
     * an error message that says what to do rather than a bare not-negotiated. */
    gst_query_parse_accept_caps (query, &caps);
    media = gst_structure_get_name (gst_caps_get_structure (caps, 0));
    gst_query_set_accept_caps_result (
        query, stream == &self->video
                   ? !g_strcmp0 (media, "video/x-h264") || !g_strcmp0 (media, "video/x-h265")
                   : !g_strcmp0 (media, "audio/mpeg"));
    return TRUE;
  }
  return gst_pad_query_default (pad, parent, query);
}

static gboolean
answer_prebuffer_query (GstHksvPrebuffer *self, Stream *stream, GstQuery *query)
{
  GstCaps *caps = NULL;
  GstSegment segment;
  GstBufferList *list = NULL;
  HksvGopRingStats stats;

  g_mutex_lock (&self->lock);
  if (stream->ring && stream->caps) {
    GPtrArray *items = hksv_gop_ring_snapshot (stream->ring, buffer_ref);
    guint n = items->len;
    gpointer *refs = g_ptr_array_steal (items, NULL);

    g_ptr_array_unref (items);
    list = gst_buffer_list_new_sized (n);
    for (guint i = 0; i < n; i++)
      gst_buffer_list_add (list, refs[i]);
    g_free (refs);
    hksv_gop_ring_get_stats (stream->ring, &stats);
    caps = gst_caps_ref (stream->caps);
    gst_segment_copy_into (&stream->segment, &segment);
  }
  g_mutex_unlock (&self->lock);

  if (!list) {
    GST_DEBUG_OBJECT (
        self, "prebuffer query on %s before caps: not answered", stream_name (self, stream));
    return FALSE;
  }
  GST_DEBUG_OBJECT (self, "prebuffer query on %s: %u buffers, %u GOPs, %" GST_TIME_FORMAT,
      stream_name (self, stream), gst_buffer_list_length (list), stats.gops,
      GST_TIME_ARGS (stats.span));
  hksv_prebuffer_query_set_content (query, caps, &segment, list, stats.span);
  gst_caps_unref (caps);
  gst_buffer_list_unref (list);
  return TRUE;
}

static gboolean
gst_hksv_prebuffer_src_query (GstPad *pad, GstObject *parent, GstQuery *query)
{
  GstHksvPrebuffer *self = GST_HKSV_PREBUFFER (parent);

  if (hksv_prebuffer_query_is (query))
    return answer_prebuffer_query (self, gst_pad_get_element_private (pad), query);
  return gst_pad_query_default (pad, parent, query);
}

/* Each sink pad is linked to its own source pad only (the default links every pad with all of
 * the other direction). */
static GstIterator *
gst_hksv_prebuffer_iterate_internal_links (GstPad *pad, GstObject *parent)
{
  GstHksvPrebuffer *self = GST_HKSV_PREBUFFER (parent);
  Stream *stream = gst_pad_get_element_private (pad);
  GValue value = G_VALUE_INIT;
  GstIterator *it;
  GstPad *other;

  g_mutex_lock (&self->lock);
  other = GST_PAD_IS_SINK (pad) ? stream->srcpad : stream->sinkpad;
  if (other)
    gst_object_ref (other);
  g_mutex_unlock (&self->lock);
  if (!other)
    return NULL;

  g_value_init (&value, GST_TYPE_PAD);
  g_value_take_object (&value, other);
  it = gst_iterator_new_single (GST_TYPE_PAD, &value);
  g_value_unset (&value);
  return it;
}

static void
setup_pads (GstHksvPrebuffer *self, Stream *stream, GstPad *sinkpad, GstPad *srcpad)
{
  gst_pad_set_chain_function (sinkpad, GST_DEBUG_FUNCPTR (gst_hksv_prebuffer_chain));
  gst_pad_set_event_function (sinkpad, GST_DEBUG_FUNCPTR (gst_hksv_prebuffer_sink_event));
  gst_pad_set_query_function (sinkpad, GST_DEBUG_FUNCPTR (gst_hksv_prebuffer_sink_query));
  gst_pad_set_query_function (srcpad, GST_DEBUG_FUNCPTR (gst_hksv_prebuffer_src_query));
  gst_pad_set_iterate_internal_links_function (
      sinkpad, GST_DEBUG_FUNCPTR (gst_hksv_prebuffer_iterate_internal_links));
  gst_pad_set_iterate_internal_links_function (
      srcpad, GST_DEBUG_FUNCPTR (gst_hksv_prebuffer_iterate_internal_links));
  GST_PAD_SET_PROXY_CAPS (sinkpad);
  GST_PAD_SET_PROXY_ALLOCATION (sinkpad);
  GST_PAD_SET_PROXY_SCHEDULING (sinkpad);
  GST_PAD_SET_PROXY_CAPS (srcpad);
  GST_PAD_SET_PROXY_SCHEDULING (srcpad);
  gst_pad_set_element_private (sinkpad, stream);
  gst_pad_set_element_private (srcpad, stream);
}

static GstPad *
gst_hksv_prebuffer_request_new_pad (
    GstElement *element, GstPadTemplate *templ, const gchar *name, const GstCaps *caps)
{
  GstHksvPrebuffer *self = GST_HKSV_PREBUFFER (element);
  GstElementClass *klass = GST_ELEMENT_GET_CLASS (element);
  GstPad *sinkpad, *srcpad;

  if (templ != gst_element_class_get_pad_template (klass, "audio_sink"))
    return NULL;

  g_mutex_lock (&self->lock);
  if (self->audio.sinkpad) {
    g_mutex_unlock (&self->lock);
    GST_WARNING_OBJECT (self, "audio_sink already requested: one audio stream only");
    return NULL;
  }
  sinkpad = gst_pad_new_from_template (templ, "audio_sink");
  srcpad = gst_pad_new_from_template (
      gst_element_class_get_pad_template (klass, "audio_src"), "audio_src");
  setup_pads (self, &self->audio, sinkpad, srcpad);
  self->audio.sinkpad = sinkpad;
  self->audio.srcpad = srcpad;
  self->audio.ring
      = hksv_gop_ring_new_follower (self->video.ring, self->max_size_bytes, buffer_unref);
  gst_segment_init (&self->audio.segment, GST_FORMAT_UNDEFINED);
  self->audio.warned = 0;
  g_mutex_unlock (&self->lock);

  if (GST_STATE (element) > GST_STATE_READY || GST_STATE_TARGET (element) > GST_STATE_READY) {
    gst_pad_set_active (srcpad, TRUE);
    gst_pad_set_active (sinkpad, TRUE);
  }
  gst_element_add_pad (element, srcpad);
  gst_element_add_pad (element, sinkpad);
  return sinkpad;
}

static void
gst_hksv_prebuffer_release_pad (GstElement *element, GstPad *pad)
{
  GstHksvPrebuffer *self = GST_HKSV_PREBUFFER (element);
  GstPad *sinkpad, *srcpad;

  g_mutex_lock (&self->lock);
  if (pad != self->audio.sinkpad) {
    g_mutex_unlock (&self->lock);
    return;
  }
  sinkpad = self->audio.sinkpad;
  srcpad = self->audio.srcpad;
  g_mutex_unlock (&self->lock);

  /* Deactivation waits for the audio streaming thread to leave the chain function; the source
   * pad first, so that a push in progress returns flushing. */
  gst_pad_set_active (srcpad, FALSE);
  gst_pad_set_active (sinkpad, FALSE);

  g_mutex_lock (&self->lock);
  self->audio.sinkpad = NULL;
  self->audio.srcpad = NULL;
  g_clear_pointer (&self->audio.ring, hksv_gop_ring_free);
  gst_clear_caps (&self->audio.caps);
  g_mutex_unlock (&self->lock);

  gst_element_remove_pad (element, srcpad);
  gst_element_remove_pad (element, sinkpad);
}

/* ---- Element ----------------------------------------------------------------------------- */

/* Called with the lock. */
static void
reset (GstHksvPrebuffer *self, gboolean clear_content)
{
  Stream *streams[] = { &self->video, &self->audio };

  for (guint i = 0; i < G_N_ELEMENTS (streams); i++) {
    gst_segment_init (&streams[i]->segment, GST_FORMAT_UNDEFINED);
    streams[i]->warned = 0;
    if (clear_content) {
      if (streams[i]->ring)
        hksv_gop_ring_clear (streams[i]->ring);
      gst_clear_caps (&streams[i]->caps);
    }
  }
  self->fku_pending = FALSE;
  self->fku_target = self->fku_deadline = GST_CLOCK_TIME_NONE;
  self->fku_count = 0;
  self->overflow_posted = FALSE;
  self->late_key_unit_logged = FALSE;
}

static GstStateChangeReturn
gst_hksv_prebuffer_change_state (GstElement *element, GstStateChange transition)
{
  GstHksvPrebuffer *self = GST_HKSV_PREBUFFER (element);
  GstStateChangeReturn ret;

  if (transition == GST_STATE_CHANGE_READY_TO_PAUSED) {
    g_mutex_lock (&self->lock);
    reset (self, FALSE);
    g_mutex_unlock (&self->lock);
  }

  ret = GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);
  if (ret == GST_STATE_CHANGE_FAILURE)
    return ret;

  /* After EOS the ring stays: a recording started then still gets the content. */
  if (transition == GST_STATE_CHANGE_PAUSED_TO_READY) {
    g_mutex_lock (&self->lock);
    reset (self, TRUE);
    g_mutex_unlock (&self->lock);
  }
  return ret;
}

static void
gst_hksv_prebuffer_set_property (
    GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  GstHksvPrebuffer *self = GST_HKSV_PREBUFFER (object);

  g_mutex_lock (&self->lock);
  switch (prop_id) {
    case PROP_DURATION:
      self->duration_ms = g_value_get_uint (value);
      hksv_gop_ring_set_duration (self->video.ring, self->duration_ms * GST_MSECOND);
      break;
    case PROP_MAX_SIZE_BYTES:
      self->max_size_bytes = g_value_get_uint64 (value);
      hksv_gop_ring_set_max_bytes (self->video.ring, self->max_size_bytes);
      if (self->audio.ring)
        hksv_gop_ring_set_max_bytes (self->audio.ring, self->max_size_bytes);
      break;
    case PROP_FRAGMENT_DURATION:
      self->fragment_duration_ms = g_value_get_uint (value);
      break;
    case PROP_FORCE_KEY_UNITS:
      self->force_key_units = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  g_mutex_unlock (&self->lock);
}

static void
gst_hksv_prebuffer_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  GstHksvPrebuffer *self = GST_HKSV_PREBUFFER (object);
  HksvGopRingStats video, audio = { 0 };

  g_mutex_lock (&self->lock);
  hksv_gop_ring_get_stats (self->video.ring, &video);
  if (self->audio.ring)
    hksv_gop_ring_get_stats (self->audio.ring, &audio);
  switch (prop_id) {
    case PROP_DURATION:
      g_value_set_uint (value, self->duration_ms);
      break;
    case PROP_MAX_SIZE_BYTES:
      g_value_set_uint64 (value, self->max_size_bytes);
      break;
    case PROP_FRAGMENT_DURATION:
      g_value_set_uint (value, self->fragment_duration_ms);
      break;
    case PROP_FORCE_KEY_UNITS:
      g_value_set_boolean (value, self->force_key_units);
      break;
    case PROP_CURRENT_LEVEL_BYTES:
      g_value_set_uint64 (value, video.bytes + audio.bytes);
      break;
    case PROP_CURRENT_LEVEL_TIME:
      g_value_set_uint64 (value, video.span);
      break;
    case PROP_CURRENT_GOPS:
      g_value_set_uint (value, video.gops);
      break;
    case PROP_CURRENT_MEMORY_BYTES:
      g_value_set_uint64 (value, video.mem_bytes + audio.mem_bytes);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  g_mutex_unlock (&self->lock);
}

static void
gst_hksv_prebuffer_finalize (GObject *object)
{
  GstHksvPrebuffer *self = GST_HKSV_PREBUFFER (object);

  g_clear_pointer (&self->audio.ring, hksv_gop_ring_free);
  g_clear_pointer (&self->video.ring, hksv_gop_ring_free);
  gst_clear_caps (&self->audio.caps);
  gst_clear_caps (&self->video.caps);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_hksv_prebuffer_init (GstHksvPrebuffer *self)
{
  g_mutex_init (&self->lock);
  self->duration_ms = DEFAULT_DURATION_MS;
  self->max_size_bytes = DEFAULT_MAX_SIZE_BYTES;
  self->fragment_duration_ms = DEFAULT_FRAGMENT_DURATION_MS;
  self->force_key_units = DEFAULT_FORCE_KEY_UNITS;
  self->video.ring
      = hksv_gop_ring_new (self->duration_ms * GST_MSECOND, self->max_size_bytes, buffer_unref);
  reset (self, TRUE);

  self->video.sinkpad = gst_pad_new_from_static_template (&video_sink_template, "video_sink");
  self->video.srcpad = gst_pad_new_from_static_template (&video_src_template, "video_src");
  setup_pads (self, &self->video, self->video.sinkpad, self->video.srcpad);
  gst_element_add_pad (GST_ELEMENT (self), self->video.sinkpad);
  gst_element_add_pad (GST_ELEMENT (self), self->video.srcpad);
}

static void
gst_hksv_prebuffer_class_init (GstHksvPrebufferClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING;
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  gobject_class->set_property = gst_hksv_prebuffer_set_property;
  gobject_class->get_property = gst_hksv_prebuffer_get_property;
  gobject_class->finalize = gst_hksv_prebuffer_finalize;

  g_object_class_install_property (gobject_class, PROP_DURATION,
      g_param_spec_uint ("duration", "Duration",
          "Prebuffer length (ms): complete GOPs covering at least this much before the newest "
          "buffer are kept",
          0, MAX_DURATION_MS, DEFAULT_DURATION_MS, rw));
  g_object_class_install_property (gobject_class, PROP_MAX_SIZE_BYTES,
      g_param_spec_uint64 ("max-size-bytes", "Max size (bytes)",
          "Bound on the bytes kept in each ring (0 = none); a GOP larger than this empties the "
          "ring until the next keyframe",
          0, G_MAXUINT64, DEFAULT_MAX_SIZE_BYTES, rw));
  g_object_class_install_property (gobject_class, PROP_FRAGMENT_DURATION,
      g_param_spec_uint ("fragment-duration", "Fragment duration",
          "Interval (ms) at which key units are asked for upstream", 1, MAX_DURATION_MS,
          DEFAULT_FRAGMENT_DURATION_MS, rw));
  g_object_class_install_property (gobject_class, PROP_FORCE_KEY_UNITS,
      g_param_spec_boolean ("force-key-units", "Force key units",
          "Ask upstream for a key unit every fragment-duration", DEFAULT_FORCE_KEY_UNITS, rw));
  g_object_class_install_property (gobject_class, PROP_CURRENT_LEVEL_BYTES,
      g_param_spec_uint64 ("current-level-bytes", "Current level (bytes)",
          "Bytes of the buffers held (video and audio)", 0, G_MAXUINT64, 0, ro));
  g_object_class_install_property (gobject_class, PROP_CURRENT_LEVEL_TIME,
      g_param_spec_uint64 ("current-level-time", "Current level (ns)",
          "Running time from the oldest kept keyframe to the newest video buffer", 0, G_MAXUINT64,
          0, ro));
  g_object_class_install_property (gobject_class, PROP_CURRENT_GOPS,
      g_param_spec_uint ("current-gops", "Current GOPs",
          "Video GOPs held, the incomplete newest one included", 0, G_MAXUINT, 0, ro));
  g_object_class_install_property (gobject_class, PROP_CURRENT_MEMORY_BYTES,
      g_param_spec_uint64 ("current-memory-bytes", "Current memory (bytes)",
          "Memory held by the buffers kept (sum of their memories' allocated sizes; memory shared "
          "between buffers counts once per buffer)",
          0, G_MAXUINT64, 0, ro));

  gst_element_class_add_static_pad_template (element_class, &video_sink_template);
  gst_element_class_add_static_pad_template (element_class, &video_src_template);
  gst_element_class_add_static_pad_template (element_class, &audio_sink_template);
  gst_element_class_add_static_pad_template (element_class, &audio_src_template);
  gst_element_class_set_static_metadata (element_class, "HomeKit Secure Video prebuffer",
      "Filter/Video",
      "Passes encoded video (and AAC audio) through, keeps the last complete GOPs for the start "
      "of a recording and asks upstream for key units at the fragment cadence",
      "gst-hksv");

  element_class->change_state = GST_DEBUG_FUNCPTR (gst_hksv_prebuffer_change_state);
  element_class->request_new_pad = GST_DEBUG_FUNCPTR (gst_hksv_prebuffer_request_new_pad);
  element_class->release_pad = GST_DEBUG_FUNCPTR (gst_hksv_prebuffer_release_pad);
}
