/* hksvmotion: motion detection on raw video (Filter/Analyzer/Video).
 *
 * A thin GstBaseTransform over the pure analysis core (gst/motion-core.c): in place, in
 * passthrough unless the debug overlay is on. Frames due under the analysis rate have their luma
 * plane mapped and sampled; other frames only pass. Each change of the motion state is reported
 * with the running time of the frame that made it: a serialized downstream event pushed before
 * that frame, an element message on the bus and a notify of the read-only `motion` property
 * (gst/hksv-motion-event.h). Resets (flush, new frame size or format, enabled=false) that turn
 * motion off report it with the next frame; PAUSED->READY reports it on the bus only, as there
 * is no stream left to carry an event.
 *
 * Properties are read by the streaming thread under the object lock at each frame, so they can
 * change while playing. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "plugins/hksv/gsthksvmotion.h"

#include <gst/video/video.h>

#include "gst/hksv-motion-event.h"
#include "gst/motion-core.h"

GST_DEBUG_CATEGORY_STATIC (gst_hksv_motion_debug);
#define GST_CAT_DEFAULT gst_hksv_motion_debug

/* Every raw format whose luma is one plane of 8-bit samples or 16-bit containers at a fixed
 * pixel stride (planar, semi-planar and packed 4:2:2 / 4:4:4). */
#define HKSV_MOTION_FORMATS                                                                  \
  "{ I420, NV12, YV12, NV21, YUY2, UYVY, GRAY8, NV16, NV61, NV24, Y41B, Y42B, Y444, YUV9, "  \
  "YVU9, A420, YVYU, VYUY, AYUV, VUYA, v308, IYU2, GRAY16_LE, GRAY16_BE, I420_10LE, "        \
  "I420_10BE, I420_12LE, I420_12BE, I422_10LE, I422_10BE, I422_12LE, Y444_10LE, Y444_10BE, " \
  "Y444_12LE, Y444_16LE, P010_10LE, P010_10BE, P016_LE, P016_BE, P012_LE, A420_10LE, "       \
  "AYUV64 }"
#define HKSV_MOTION_CAPS                                                                 \
  "video/x-raw, format = (string) " HKSV_MOTION_FORMATS ", width = (int) [ 8, 32767 ], " \
  "height = (int) [ 8, 32767 ], framerate = (fraction) [ 0, max ]"

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE (
    "sink", GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS (HKSV_MOTION_CAPS));
static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE (
    "src", GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS (HKSV_MOTION_CAPS));

#define DEFAULT_SENSITIVITY HKSV_MOTION_DEFAULT_SENSITIVITY
#define DEFAULT_MIN_AREA HKSV_MOTION_DEFAULT_MIN_AREA
#define DEFAULT_HOLD_TIME_MS ((guint) (HKSV_MOTION_DEFAULT_HOLD_TIME / GST_MSECOND))
#define DEFAULT_ANALYSIS_RATE HKSV_MOTION_DEFAULT_ANALYSIS_RATE
#define DEFAULT_REGION_MASK ""
#define DEFAULT_ENABLED TRUE
#define DEFAULT_OVERLAY FALSE

enum {
  PROP_0,
  PROP_SENSITIVITY,
  PROP_MIN_AREA,
  PROP_HOLD_TIME,
  PROP_ANALYSIS_RATE,
  PROP_REGION_MASK,
  PROP_ENABLED,
  PROP_OVERLAY,
  PROP_MOTION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

struct _GstHksvMotion {
  GstBaseTransform parent;

  /* properties (object lock) */
  HksvMotionParams params;
  HksvMotionMask mask;
  gchar *mask_text;
  gboolean config_changed;
  gboolean enabled;
  gboolean overlay;
  gboolean motion; /* the reported state */

  /* streaming thread (and start/stop, when it is not running) */
  HksvMotionCore *core;
  GstVideoInfo info;
  gboolean have_info;
  HksvMotionPlane plane;
  gboolean was_enabled;
  gboolean pending_off; /* a reset turned motion off: report it with the next frame */
  gboolean warned_no_pts;
  gboolean warned_map;
  HksvMotionInfo last; /* times of the last frame, for a report without one */
};

G_DEFINE_TYPE (GstHksvMotion, gst_hksv_motion, GST_TYPE_BASE_TRANSFORM);
GST_ELEMENT_REGISTER_DEFINE (hksvmotion, "hksvmotion", GST_RANK_NONE, GST_TYPE_HKSV_MOTION);

static void
report (GstHksvMotion *self, const HksvMotionInfo *info, gboolean with_event)
{
  GST_OBJECT_LOCK (self);
  self->motion = info->motion;
  GST_OBJECT_UNLOCK (self);

  GST_INFO_OBJECT (self, "motion %s at running time %" GST_TIME_FORMAT " (score %.4f, area %.4f)",
      info->motion ? "on" : "off", GST_TIME_ARGS (info->running_time), info->score, info->area);
  if (with_event)
    gst_pad_push_event (GST_BASE_TRANSFORM_SRC_PAD (self), hksv_motion_event_new (info));
  gst_element_post_message (GST_ELEMENT (self), hksv_motion_message_new (GST_OBJECT (self), info));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MOTION]);
}

/* Forgets what was learned; a state that was on is reported off with the next frame. */
static void
reset_analysis (GstHksvMotion *self, const gchar *why)
{
  gboolean was_on;

  GST_DEBUG_OBJECT (self, "reset: %s", why);
  hksv_motion_core_reset (self->core);
  GST_OBJECT_LOCK (self);
  was_on = self->motion;
  GST_OBJECT_UNLOCK (self);
  if (was_on)
    self->pending_off = TRUE;
}

static gboolean
gst_hksv_motion_start (GstBaseTransform *trans)
{
  GstHksvMotion *self = GST_HKSV_MOTION (trans);

  hksv_motion_core_reset (self->core);
  self->have_info = FALSE;
  self->pending_off = FALSE;
  self->warned_no_pts = FALSE;
  self->warned_map = FALSE;
  GST_OBJECT_LOCK (self);
  self->config_changed = TRUE;
  self->was_enabled = self->enabled;
  GST_OBJECT_UNLOCK (self);
  return TRUE;
}

static gboolean
gst_hksv_motion_stop (GstBaseTransform *trans)
{
  GstHksvMotion *self = GST_HKSV_MOTION (trans);
  gboolean was_on;

  hksv_motion_core_reset (self->core);
  self->have_info = FALSE;
  self->pending_off = FALSE;
  GST_OBJECT_LOCK (self);
  was_on = self->motion;
  GST_OBJECT_UNLOCK (self);
  if (was_on) {
    HksvMotionInfo info = self->last;

    info.motion = FALSE;
    info.score = 0;
    info.area = 0;
    report (self, &info, FALSE);
  }
  return TRUE;
}

static gboolean
gst_hksv_motion_set_caps (GstBaseTransform *trans, GstCaps *incaps, GstCaps *outcaps)
{
  GstHksvMotion *self = GST_HKSV_MOTION (trans);
  GstVideoInfo info;
  const GstVideoFormatInfo *finfo;
  HksvMotionPlane plane = { 0 };
  guint depth;

  if (!gst_video_info_from_caps (&info, incaps)) {
    GST_ELEMENT_ERROR (
        self, STREAM, FORMAT, ("Invalid video caps"), ("cannot parse %" GST_PTR_FORMAT, incaps));
    return FALSE;
  }
  finfo = info.finfo;
  depth = GST_VIDEO_FORMAT_INFO_DEPTH (finfo, 0);
  if (GST_VIDEO_FORMAT_INFO_IS_COMPLEX (finfo) || GST_VIDEO_FORMAT_INFO_IS_TILED (finfo)
      || !(GST_VIDEO_FORMAT_INFO_IS_YUV (finfo) || GST_VIDEO_FORMAT_INFO_IS_GRAY (finfo))
      || GST_VIDEO_FORMAT_INFO_PSTRIDE (finfo, 0) <= 0 || depth < 8 || depth > 16
      || (depth > 8 && GST_VIDEO_FORMAT_INFO_PSTRIDE (finfo, 0) < 2)) {
    GST_ELEMENT_ERROR (self, STREAM, FORMAT,
        ("Unsupported video format %s", GST_VIDEO_INFO_NAME (&info)),
        ("hksvmotion needs a luma plane of 8-bit samples or "
         "16-bit containers"));
    return FALSE;
  }
  plane.width = GST_VIDEO_INFO_COMP_WIDTH (&info, 0);
  plane.height = GST_VIDEO_INFO_COMP_HEIGHT (&info, 0);
  plane.pixel_stride = GST_VIDEO_INFO_COMP_PSTRIDE (&info, 0);
  if (depth == 8) {
    plane.format = HKSV_MOTION_SAMPLE_U8;
  } else {
    plane.format
        = GST_VIDEO_FORMAT_INFO_IS_LE (finfo) ? HKSV_MOTION_SAMPLE_U16LE : HKSV_MOTION_SAMPLE_U16BE;
    plane.shift = GST_VIDEO_FORMAT_INFO_SHIFT (finfo, 0) + depth - 8;
  }

  if (!self->have_info || GST_VIDEO_INFO_FORMAT (&info) != GST_VIDEO_INFO_FORMAT (&self->info)
      || plane.width != self->plane.width || plane.height != self->plane.height)
    reset_analysis (self, "new frame size or format");
  GST_DEBUG_OBJECT (self, "analysing %s %dx%d (luma pixel stride %d, shift %u)",
      GST_VIDEO_INFO_NAME (&info), plane.width, plane.height, plane.pixel_stride, plane.shift);
  self->info = info;
  self->plane = plane;
  self->have_info = TRUE;
  return TRUE;
}

static gboolean
gst_hksv_motion_sink_event (GstBaseTransform *trans, GstEvent *event)
{
  GstHksvMotion *self = GST_HKSV_MOTION (trans);

  if (GST_EVENT_TYPE (event) == GST_EVENT_FLUSH_STOP)
    reset_analysis (self, "flush");
  return GST_BASE_TRANSFORM_CLASS (gst_hksv_motion_parent_class)->sink_event (trans, event);
}

static GstFlowReturn
gst_hksv_motion_transform_ip (GstBaseTransform *trans, GstBuffer *buf)
{
  GstHksvMotion *self = GST_HKSV_MOTION (trans);
  GstClockTime pts = GST_BUFFER_PTS (buf);
  HksvMotionInfo info = { FALSE, 0, 0, GST_CLOCK_TIME_NONE, GST_CLOCK_TIME_NONE, pts };
  HksvMotionResult result = { 0 };
  HksvMotionParams params;
  HksvMotionMask mask;
  gboolean config_changed, enabled, overlay, analyse;
  GstVideoFrame frame;

  if (!self->have_info) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, (NULL), ("buffer before caps"));
    return GST_FLOW_NOT_NEGOTIATED;
  }

  GST_OBJECT_LOCK (self);
  config_changed = self->config_changed;
  self->config_changed = FALSE;
  params = self->params;
  mask = self->mask;
  enabled = self->enabled;
  overlay = self->overlay;
  GST_OBJECT_UNLOCK (self);
  if (config_changed) {
    hksv_motion_core_set_params (self->core, &params);
    hksv_motion_core_set_mask (self->core, &mask);
  }

  if (GST_CLOCK_TIME_IS_VALID (pts)) {
    info.running_time = gst_segment_to_running_time (&trans->segment, GST_FORMAT_TIME, pts);
    info.stream_time = gst_segment_to_stream_time (&trans->segment, GST_FORMAT_TIME, pts);
  }
  if (GST_CLOCK_TIME_IS_VALID (info.running_time))
    self->last = info;

  if (enabled != self->was_enabled) {
    GST_DEBUG_OBJECT (self, "%s", enabled ? "enabled" : "disabled");
    self->was_enabled = enabled;
    reset_analysis (self, enabled ? "enabled" : "disabled");
  }
  if (self->pending_off) {
    HksvMotionInfo off = self->last;

    self->pending_off = FALSE;
    off.motion = FALSE;
    report (self, &off, TRUE);
  }
  if (!enabled)
    return GST_FLOW_OK;

  if (!GST_CLOCK_TIME_IS_VALID (info.running_time)) {
    /* without a running time there is no analysis rate, hold time or report time */
    if (!self->warned_no_pts) {
      GST_WARNING_OBJECT (self, "frame without a timestamp in the segment: not analysed");
      self->warned_no_pts = TRUE;
    }
    return GST_FLOW_OK;
  }

  analyse = hksv_motion_core_wants (self->core, info.running_time);
  if (!analyse && !overlay)
    return GST_FLOW_OK;
  if (!gst_video_frame_map (&frame, &self->info, buf, overlay ? GST_MAP_READWRITE : GST_MAP_READ)) {
    if (!self->warned_map) {
      GST_WARNING_OBJECT (self, "cannot map a frame (wrong size or memory): not analysed");
      self->warned_map = TRUE;
    }
    return GST_FLOW_OK;
  }
  if (analyse) {
    HksvMotionPlane plane = self->plane;

    plane.stride = GST_VIDEO_FRAME_COMP_STRIDE (&frame, 0);
    if (hksv_motion_core_process (self->core, GST_VIDEO_FRAME_COMP_DATA (&frame, 0), &plane,
            info.running_time, &result)) {
      GST_LOG_OBJECT (self, "%" GST_TIME_FORMAT ": score %.4f area %.4f motion %d",
          GST_TIME_ARGS (info.running_time), result.score, result.area, result.motion);
      if (result.changed) {
        info.motion = result.motion;
        info.score = result.score;
        info.area = result.area;
      }
    } else {
      result.changed = FALSE;
    }
  }
  if (overlay) {
    HksvMotionPlane plane = self->plane;

    plane.stride = GST_VIDEO_FRAME_COMP_STRIDE (&frame, 0);
    hksv_motion_core_draw (self->core, GST_VIDEO_FRAME_COMP_DATA (&frame, 0), &plane);
  }
  gst_video_frame_unmap (&frame);
  if (analyse && result.changed)
    report (self, &info, TRUE);
  return GST_FLOW_OK;
}

static void
gst_hksv_motion_set_property (
    GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  GstHksvMotion *self = GST_HKSV_MOTION (object);

  switch (prop_id) {
    case PROP_SENSITIVITY:
      GST_OBJECT_LOCK (self);
      self->params.sensitivity = g_value_get_uint (value);
      self->config_changed = TRUE;
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_MIN_AREA:
      GST_OBJECT_LOCK (self);
      self->params.min_area = g_value_get_double (value);
      self->config_changed = TRUE;
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_HOLD_TIME:
      GST_OBJECT_LOCK (self);
      self->params.hold_time = g_value_get_uint (value) * GST_MSECOND;
      self->config_changed = TRUE;
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_ANALYSIS_RATE:
      GST_OBJECT_LOCK (self);
      self->params.analysis_rate = g_value_get_double (value);
      self->config_changed = TRUE;
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_REGION_MASK: {
      const gchar *text = g_value_get_string (value);
      HksvMotionMask mask;
      g_autoptr (GError) error = NULL;

      if (!hksv_motion_mask_parse (text, &mask, &error)) {
        GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS,
            ("Invalid region-mask \"%s\": %s", text, error->message), ("the previous mask stays"));
        break;
      }
      GST_OBJECT_LOCK (self);
      self->mask = mask;
      g_free (self->mask_text);
      self->mask_text = hksv_motion_mask_to_string (&mask);
      self->config_changed = TRUE;
      GST_OBJECT_UNLOCK (self);
      break;
    }
    case PROP_ENABLED:
      GST_OBJECT_LOCK (self);
      self->enabled = g_value_get_boolean (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_OVERLAY:
      GST_OBJECT_LOCK (self);
      self->overlay = g_value_get_boolean (value);
      GST_OBJECT_UNLOCK (self);
      /* the overlay writes into the frames: then they are made writable, not passed through */
      gst_base_transform_set_passthrough (GST_BASE_TRANSFORM (self), !g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
gst_hksv_motion_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  GstHksvMotion *self = GST_HKSV_MOTION (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_SENSITIVITY:
      g_value_set_uint (value, self->params.sensitivity);
      break;
    case PROP_MIN_AREA:
      g_value_set_double (value, self->params.min_area);
      break;
    case PROP_HOLD_TIME:
      g_value_set_uint (value, (guint) (self->params.hold_time / GST_MSECOND));
      break;
    case PROP_ANALYSIS_RATE:
      g_value_set_double (value, self->params.analysis_rate);
      break;
    case PROP_REGION_MASK:
      g_value_set_string (value, self->mask_text);
      break;
    case PROP_ENABLED:
      g_value_set_boolean (value, self->enabled);
      break;
    case PROP_OVERLAY:
      g_value_set_boolean (value, self->overlay);
      break;
    case PROP_MOTION:
      g_value_set_boolean (value, self->motion);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_hksv_motion_finalize (GObject *object)
{
  GstHksvMotion *self = GST_HKSV_MOTION (object);

  hksv_motion_core_free (self->core);
  g_free (self->mask_text);
  G_OBJECT_CLASS (gst_hksv_motion_parent_class)->finalize (object);
}

static void
gst_hksv_motion_class_init (GstHksvMotionClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING;

  gobject_class->set_property = gst_hksv_motion_set_property;
  gobject_class->get_property = gst_hksv_motion_get_property;
  gobject_class->finalize = gst_hksv_motion_finalize;

  properties[PROP_SENSITIVITY] = g_param_spec_uint ("sensitivity", "Sensitivity",
      "How small a change counts as motion: 0 needs 8 times the noise level, 50 4 times, 100 "
      "2 times",
      0, 100, DEFAULT_SENSITIVITY, rw);
  properties[PROP_MIN_AREA] = g_param_spec_double ("min-area", "Minimum area",
      "Smallest connected moving region that is motion, as a fraction of the frame", 0.0, 1.0,
      DEFAULT_MIN_AREA, rw);
  properties[PROP_HOLD_TIME] = g_param_spec_uint ("hold-time", "Hold time",
      "How long motion stays on after the last moving frame (ms)", 0, G_MAXUINT,
      DEFAULT_HOLD_TIME_MS, rw);
  properties[PROP_ANALYSIS_RATE] = g_param_spec_double ("analysis-rate", "Analysis rate",
      "Frames analysed per second (the others only pass); 0 analyses every frame", 0.0,
      HKSV_MOTION_MAX_ANALYSIS_RATE, DEFAULT_ANALYSIS_RATE, rw);
  properties[PROP_REGION_MASK] = g_param_spec_string ("region-mask", "Region mask",
      "Rectangles excluded from analysis, \"x,y,w,h;x,y,w,h...\" in fractions of the frame "
      "(e.g. \"0,0,1,0.1\" excludes the top tenth); empty: the whole frame is analysed",
      DEFAULT_REGION_MASK, rw);
  properties[PROP_ENABLED] = g_param_spec_boolean ("enabled", "Enabled",
      "Analyse frames; when set to FALSE, motion that was on is reported off", DEFAULT_ENABLED, rw);
  properties[PROP_OVERLAY] = g_param_spec_boolean ("overlay", "Overlay",
      "Debug overlay: outline the cells that changed in the luma plane (frames are then "
      "written to, not passed through)",
      DEFAULT_OVERLAY, rw);
  properties[PROP_MOTION] = g_param_spec_boolean ("motion", "Motion",
      "Whether motion is detected now (notified on every change)", FALSE,
      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (gobject_class, N_PROPS, properties);

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class, "HomeKit Secure Video motion detector",
      "Filter/Analyzer/Video",
      "Detects motion in raw video, robust to noise and global lighting changes; passes the "
      "frames through and reports changes as hksv-motion messages and events",
      "gst-hksv");

  trans_class->start = GST_DEBUG_FUNCPTR (gst_hksv_motion_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_hksv_motion_stop);
  trans_class->set_caps = GST_DEBUG_FUNCPTR (gst_hksv_motion_set_caps);
  trans_class->sink_event = GST_DEBUG_FUNCPTR (gst_hksv_motion_sink_event);
  trans_class->transform_ip = GST_DEBUG_FUNCPTR (gst_hksv_motion_transform_ip);
  trans_class->passthrough_on_same_caps = FALSE;
  trans_class->transform_ip_on_passthrough = TRUE;

  GST_DEBUG_CATEGORY_INIT (gst_hksv_motion_debug, "hksvmotion", 0, "hksvmotion element");
}

static void
gst_hksv_motion_init (GstHksvMotion *self)
{
  hksv_motion_params_init (&self->params);
  self->mask_text = g_strdup (DEFAULT_REGION_MASK);
  self->enabled = DEFAULT_ENABLED;
  self->was_enabled = DEFAULT_ENABLED;
  self->overlay = DEFAULT_OVERLAY;
  self->config_changed = TRUE;
  self->core = hksv_motion_core_new ();
  gst_base_transform_set_in_place (GST_BASE_TRANSFORM (self), TRUE);
  gst_base_transform_set_passthrough (GST_BASE_TRANSFORM (self), !DEFAULT_OVERLAY);
}
