/* GstHarness tests of hksvmotion (plugins/hksv/gsthksvmotion.c) with a test clock, fed with the
 * deterministic scene set (tests/common/motion-scenes.c) rendered into every supported format.
 * Reports are read the way hksvsink and hksvaccessory read them: downstream events and bus
 * messages parsed with gst/hksv-motion-event.h, and the `motion` property with its notify. */
#include <string.h>

#include <gst/check/gstharness.h>
#include <gst/video/video.h>

#include "gst/hksv-motion-event.h"
#include "gst/motion-core.h"
#include "tests/common/motion-scenes.h"

#define MS GST_MSECOND
#define HOLD (HKSV_MOTION_DEFAULT_HOLD_TIME)

typedef struct {
  HksvMotionInfo info;
  guint buffers_before; /* buffers the harness had received before this event */
} Report;

typedef struct {
  GstHarness *h;
  GstBus *bus;
  GstVideoInfo info;
  const HksvScene *scene;
  HksvSceneRenderer *renderer;
  guint8 *luma;
  GstClockTime base; /* segment base: running time = base + pts */
  GArray *events;    /* Report */
  GArray *messages;  /* HksvMotionInfo */
  GArray *notified;  /* gboolean: `motion` at each notify */
  guint buffers;     /* received by the harness */
} Fixture;

static GstPadProbeReturn
sink_probe (GstPad *pad, GstPadProbeInfo *probe, gpointer user_data)
{
  Fixture *fx = user_data;

  if (GST_PAD_PROBE_INFO_TYPE (probe) & GST_PAD_PROBE_TYPE_BUFFER) {
    fx->buffers++;
  } else if (GST_PAD_PROBE_INFO_TYPE (probe) & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
    Report r = { .buffers_before = fx->buffers };

    if (hksv_motion_event_parse (GST_PAD_PROBE_INFO_EVENT (probe), &r.info))
      g_array_append_val (fx->events, r);
  }
  return GST_PAD_PROBE_OK;
}

static void
on_notify_motion (GObject *object, GParamSpec *pspec, gpointer user_data)
{
  Fixture *fx = user_data;
  gboolean motion;

  g_object_get (object, "motion", &motion, NULL);
  g_array_append_val (fx->notified, motion);
}

static void
fixture_set_format (
    Fixture *fx, GstVideoFormat format, guint width, guint height, const HksvScene *scene)
{
  GstCaps *caps;

  g_clear_pointer (&fx->renderer, hksv_scene_renderer_free);
  g_free (fx->luma);
  fx->scene = scene;
  fx->renderer = hksv_scene_renderer_new (scene, width, height);
  fx->luma = g_malloc ((gsize) width * height);
  gst_video_info_set_format (&fx->info, format, width, height);
  fx->info.fps_n = (gint) scene->fps_n;
  fx->info.fps_d = (gint) scene->fps_d;
  caps = gst_video_info_to_caps (&fx->info);
  gst_harness_set_src_caps (fx->h, caps);
}

static Fixture *
fixture_new (GstVideoFormat format, guint width, guint height, const HksvScene *scene)
{
  Fixture *fx = g_new0 (Fixture, 1);

  fx->h = gst_harness_new ("hksvmotion");
  gst_harness_use_testclock (fx->h);
  fx->bus = gst_bus_new ();
  gst_element_set_bus (fx->h->element, fx->bus);
  fx->events = g_array_new (FALSE, FALSE, sizeof (Report));
  fx->messages = g_array_new (FALSE, FALSE, sizeof (HksvMotionInfo));
  fx->notified = g_array_new (FALSE, FALSE, sizeof (gboolean));
  gst_pad_add_probe (fx->h->sinkpad,
      GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, sink_probe, fx, NULL);
  g_signal_connect (fx->h->element, "notify::motion", G_CALLBACK (on_notify_motion), fx);
  if (scene != NULL)
    fixture_set_format (fx, format, width, height, scene);
  return fx;
}

static void
fixture_free (Fixture *fx)
{
  gst_harness_teardown (fx->h);
  gst_bus_set_flushing (fx->bus, TRUE);
  gst_object_unref (fx->bus);
  hksv_scene_renderer_free (fx->renderer);
  g_free (fx->luma);
  g_array_unref (fx->events);
  g_array_unref (fx->messages);
  g_array_unref (fx->notified);
  g_free (fx);
}

/* Writes 8-bit luma into component 0 of any supported format (16-bit containers get the value
 * at their depth and shift, so the element reads back exactly the 8-bit value). */
static void
write_luma (GstVideoFrame *frame, const guint8 *luma)
{
  const GstVideoFormatInfo *finfo = frame->info.finfo;
  guint depth = GST_VIDEO_FORMAT_INFO_DEPTH (finfo, 0);
  guint shift = GST_VIDEO_FORMAT_INFO_SHIFT (finfo, 0) + depth - 8;
  gboolean le = GST_VIDEO_FORMAT_INFO_IS_LE (finfo);
  guint8 *data = GST_VIDEO_FRAME_COMP_DATA (frame, 0);
  gint stride = GST_VIDEO_FRAME_COMP_STRIDE (frame, 0);
  gint ps = GST_VIDEO_FRAME_COMP_PSTRIDE (frame, 0);
  gint width = GST_VIDEO_FRAME_COMP_WIDTH (frame, 0),
       height = GST_VIDEO_FRAME_COMP_HEIGHT (frame, 0);

  for (gint y = 0; y < height; y++) {
    for (gint x = 0; x < width; x++) {
      guint8 *p = data + (gsize) y * stride + (gsize) x * ps;
      guint v = luma[y * width + x];

      if (depth == 8) {
        *p = (guint8) v;
      } else if (le) {
        GST_WRITE_UINT16_LE (p, v << shift);
      } else {
        GST_WRITE_UINT16_BE (p, v << shift);
      }
    }
  }
}

static GstBuffer *
make_frame (Fixture *fx, guint n)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, fx->info.size, NULL);
  GstVideoFrame frame;

  hksv_scene_render (fx->renderer, n, fx->luma, (gsize) GST_VIDEO_INFO_WIDTH (&fx->info));
  gst_buffer_memset (buf, 0, 0x80, fx->info.size); /* neutral chroma, half alpha */
  g_assert_true (gst_video_frame_map (&frame, &fx->info, buf, GST_MAP_WRITE));
  write_luma (&frame, fx->luma);
  gst_video_frame_unmap (&frame);
  GST_BUFFER_PTS (buf) = hksv_scene_frame_time (fx->scene, n);
  GST_BUFFER_DURATION (buf) = hksv_scene_frame_duration (fx->scene);
  return buf;
}

static void
drain_bus (Fixture *fx)
{
  GstMessage *msg;

  while ((msg = gst_bus_pop_filtered (fx->bus, GST_MESSAGE_ELEMENT)) != NULL) {
    HksvMotionInfo info;

    if (hksv_motion_message_parse (msg, &info))
      g_array_append_val (fx->messages, info);
    gst_message_unref (msg);
  }
}

/* Pushes one frame, checks it comes out and returns it (or NULL when `keep` is FALSE). */
static GstBuffer *
push_frame_full (Fixture *fx, GstBuffer *in, gboolean keep)
{
  GstBuffer *out;

  g_assert_cmpint (gst_harness_push (fx->h, in), ==, GST_FLOW_OK);
  out = gst_harness_pull (fx->h);
  g_assert_nonnull (out);
  drain_bus (fx);
  if (keep)
    return out;
  gst_buffer_unref (out);
  return NULL;
}

static void
push_frame (Fixture *fx, guint n)
{
  push_frame_full (fx, make_frame (fx, n), FALSE);
}

static void
push_frames (Fixture *fx, guint from, guint to)
{
  for (guint n = from; n < to; n++)
    push_frame (fx, n);
}

static const Report *
event_at (Fixture *fx, guint i)
{
  g_assert_cmpuint (i, <, fx->events->len);
  return &g_array_index (fx->events, Report, i);
}

/* Every event has its message with the same fields and a notify with the same state, and the
 * states alternate starting with on. */
static void
assert_reports_consistent (Fixture *fx)
{
  g_assert_cmpuint (fx->messages->len, ==, fx->events->len);
  g_assert_cmpuint (fx->notified->len, ==, fx->events->len);
  for (guint i = 0; i < fx->events->len; i++) {
    const HksvMotionInfo *e = &event_at (fx, i)->info;
    const HksvMotionInfo *m = &g_array_index (fx->messages, HksvMotionInfo, i);

    g_assert_cmpint (e->motion, ==, i % 2 == 0);
    g_assert_cmpint (m->motion, ==, e->motion);
    g_assert_cmpuint (m->running_time, ==, e->running_time);
    g_assert_cmpuint (m->stream_time, ==, e->stream_time);
    g_assert_cmpuint (m->timestamp, ==, e->timestamp);
    g_assert_cmpfloat (m->score, ==, e->score);
    g_assert_cmpfloat (m->area, ==, e->area);
    g_assert_cmpint (g_array_index (fx->notified, gboolean, i), ==, e->motion);
  }
}

static gboolean
get_motion (Fixture *fx)
{
  gboolean motion;

  g_object_get (fx->h->element, "motion", &motion, NULL);
  return motion;
}

/* Pushes frames until the number of events reaches `count` (or the scene ends). */
static guint
push_until_events (Fixture *fx, guint from, guint count)
{
  guint n = from;

  while (n < fx->scene->n_frames && fx->events->len < count)
    push_frame (fx, n++);
  g_assert_cmpuint (fx->events->len, ==, count);
  return n;
}

static void
test_defaults (void)
{
  GstElement *e = gst_element_factory_make ("hksvmotion", NULL);
  guint sensitivity, hold;
  gdouble min_area, rate;
  gboolean enabled, overlay, motion;
  g_autofree gchar *mask = NULL;
  g_autofree gchar *klass = NULL;

  g_assert_nonnull (e);
  g_object_get (e, "sensitivity", &sensitivity, "min-area", &min_area, "hold-time", &hold,
      "analysis-rate", &rate, "region-mask", &mask, "enabled", &enabled, "overlay", &overlay,
      "motion", &motion, NULL);
  g_assert_cmpuint (sensitivity, ==, 50);
  g_assert_cmpfloat (min_area, ==, 0.01);
  g_assert_cmpuint (hold, ==, 2000);
  g_assert_cmpfloat (rate, ==, 10.0);
  g_assert_cmpstr (mask, ==, "");
  g_assert_true (enabled);
  g_assert_false (overlay);
  g_assert_false (motion);
  g_assert_false (
      g_object_class_find_property (G_OBJECT_GET_CLASS (e), "motion")->flags & G_PARAM_WRITABLE);
  klass = g_strdup (
      gst_element_class_get_metadata (GST_ELEMENT_GET_CLASS (e), GST_ELEMENT_METADATA_KLASS));
  g_assert_cmpstr (klass, ==, "Filter/Analyzer/Video");
  g_object_set (e, "region-mask", " 0 , 0.5,1,0.5 ; 0.25,0,0.25,0.25 ", NULL);
  g_clear_pointer (&mask, g_free);
  g_object_get (e, "region-mask", &mask, NULL);
  g_assert_cmpstr (mask, ==, "0,0.5,1,0.5;0.25,0,0.25,0.25");
  gst_object_unref (e);
}

/* Passthrough: the very buffer comes out, bytes untouched, on analysed and skipped frames. */
static void
test_passthrough_identical (void)
{
  Fixture *fx = fixture_new (GST_VIDEO_FORMAT_I420, 320, 180, hksv_scene_find ("medium-walk"));

  for (guint n = 0; n < 60; n++) {
    GstBuffer *in = make_frame (fx, n), *out;
    GstMapInfo a, b;
    g_autoptr (GBytes) before = NULL;

    g_assert_true (gst_buffer_map (in, &a, GST_MAP_READ));
    before = g_bytes_new (a.data, a.size);
    gst_buffer_unmap (in, &a);
    out = push_frame_full (fx, in, TRUE);
    g_assert_true (out == in);
    g_assert_true (gst_buffer_map (out, &b, GST_MAP_READ));
    g_assert_cmpmem (b.data, b.size, g_bytes_get_data (before, NULL), g_bytes_get_size (before));
    gst_buffer_unmap (out, &b);
    gst_buffer_unref (out);
  }
  g_assert_cmpuint (fx->events->len, ==, 1); /* the object entered at 1.5 s */
  fixture_free (fx);
}

/* Two objects in the scene: exactly on, off, on, off, each event before the frame that made
 * it, with that frame's running time, stream time and timestamp under a segment with a base. */
static void
test_scene_events (void)
{
  const HksvScene *scene = hksv_scene_find ("small-fast");
  Fixture *fx = fixture_new (GST_VIDEO_FORMAT_NV12, 320, 180, scene);
  HksvSceneInterval truth[4];
  guint n_truth = hksv_scene_truth (
      scene, HKSV_MOTION_DEFAULT_MIN_AREA, HOLD + 400 * MS, truth, G_N_ELEMENTS (truth));
  GstSegment segment;

  gst_segment_init (&segment, GST_FORMAT_TIME);
  segment.base = 10 * GST_SECOND;
  g_assert_true (gst_harness_push_event (fx->h, gst_event_new_segment (&segment)));
  fx->base = segment.base;
  /* the reports carry the frames' times, whatever the clock says */
  g_assert_true (gst_harness_set_time (fx->h, 1000 * GST_SECOND));

  push_frames (fx, 0, scene->n_frames);
  g_assert_cmpuint (n_truth, ==, 2);
  g_assert_cmpuint (fx->events->len, ==, 2 * n_truth);
  assert_reports_consistent (fx);
  for (guint i = 0; i < fx->events->len; i++) {
    const Report *r = event_at (fx, i);
    guint frame = r->buffers_before;
    GstClockTime pts = hksv_scene_frame_time (scene, frame);
    const HksvSceneInterval *t = &truth[i / 2];

    g_assert_cmpuint (r->info.timestamp, ==, pts);
    g_assert_cmpuint (r->info.stream_time, ==, pts);
    g_assert_cmpuint (r->info.running_time, ==, fx->base + pts);
    if (r->info.motion) {
      g_assert_cmpuint (pts, >=, t->first_visible);
      g_assert_cmpuint (pts, <=, t->start + 300 * MS);
      g_assert_cmpfloat (r->info.area, >=, HKSV_MOTION_DEFAULT_MIN_AREA);
      g_assert_cmpfloat (r->info.score, >, 0);
    } else {
      g_assert_cmpuint (pts, >=, t->end);
      g_assert_cmpuint (pts, <=, t->last_visible + HOLD + 400 * MS);
    }
  }
  g_assert_false (get_motion (fx));
  fixture_free (fx);
}

static void
test_no_events_without_objects (void)
{
  const gchar *names[] = { "flashes", "everything-empty" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++) {
    Fixture *fx = fixture_new (GST_VIDEO_FORMAT_I420, 320, 180, hksv_scene_find (names[i]));

    push_frames (fx, 0, fx->scene->n_frames);
    g_assert_cmpuint (fx->events->len, ==, 0);
    g_assert_cmpuint (fx->messages->len, ==, 0);
    g_assert_cmpuint (fx->notified->len, ==, 0);
    fixture_free (fx);
  }
}

/* Every format of the template gives the same events as GRAY8 (same luma values) and passes
 * its frames through. */
static void
test_every_format (void)
{
  const HksvScene *scene = hksv_scene_find ("small-fast");
  GstElement *e = gst_element_factory_make ("hksvmotion", NULL);
  GstPad *pad = gst_element_get_static_pad (e, "sink");
  GstCaps *templ = gst_pad_get_pad_template_caps (pad);
  const GValue *formats = gst_structure_get_value (gst_caps_get_structure (templ, 0), "format");
  GArray *reference = NULL;

  g_assert_true (GST_VALUE_HOLDS_LIST (formats));
  g_assert_cmpuint (gst_value_list_get_size (formats), >=, 40);
  for (guint i = 0; i < gst_value_list_get_size (formats); i++) {
    const gchar *name = g_value_get_string (gst_value_list_get_value (formats, i));
    GstVideoFormat format = gst_video_format_from_string (name);
    Fixture *fx;

    g_test_message ("format %s", name);
    g_assert_cmpint (format, !=, GST_VIDEO_FORMAT_UNKNOWN);
    fx = fixture_new (format, 160, 90, scene);
    push_frames (fx, 0, scene->n_frames);
    assert_reports_consistent (fx);
    g_assert_cmpuint (fx->events->len, ==, 4);
    if (reference == NULL) {
      reference = g_array_ref (fx->events);
    } else {
      g_assert_cmpuint (fx->events->len, ==, reference->len);
      for (guint k = 0; k < reference->len; k++) {
        const Report *a = &g_array_index (reference, Report, k), *b = event_at (fx, k);

        g_assert_cmpuint (a->info.running_time, ==, b->info.running_time);
        g_assert_cmpfloat (a->info.score, ==, b->info.score);
        g_assert_cmpfloat (a->info.area, ==, b->info.area);
      }
    }
    fixture_free (fx);
  }
  g_array_unref (reference);
  gst_caps_unref (templ);
  gst_object_unref (pad);
  gst_object_unref (e);
}

/* analysis-rate=1: only frames on a 1 s grid are analysed, so every report is on it (the first
 * object passes while the first three analysed frames only learn, the second is seen at 7 s);
 * rate 0 analyses every frame and reports both objects, the first one by 1.7 s. */
static void
test_analysis_rate (void)
{
  const HksvScene *scene = hksv_scene_find ("large-fast");
  const gdouble rates[2] = { 1.0, 0.0 };
  const guint expected[2] = { 2, 4 };

  for (guint r = 0; r < 2; r++) {
    Fixture *fx = fixture_new (GST_VIDEO_FORMAT_I420, 320, 180, scene);

    g_object_set (fx->h->element, "analysis-rate", rates[r], NULL);
    push_frames (fx, 0, scene->n_frames);
    g_assert_cmpuint (fx->events->len, ==, expected[r]);
    assert_reports_consistent (fx);
    for (guint i = 0; i < fx->events->len && rates[r] == 1.0; i++) {
      GstClockTime rt = event_at (fx, i)->info.running_time;

      g_assert_cmpuint ((rt + MS) % GST_SECOND, <, 2 * MS);
    }
    if (rates[r] == 1.0) {
      g_assert_cmpuint (event_at (fx, 0)->info.running_time, ==, 7 * GST_SECOND);
    } else {
      g_assert_cmpuint (event_at (fx, 0)->info.running_time, <=, 1700 * MS);
    }
    fixture_free (fx);
  }
}

/* enabled=false: nothing is analysed; switching it off while motion is on reports off once, with
 * the next frame; switching it on again starts learning anew. */
static void
test_enabled (void)
{
  const HksvScene *scene = hksv_scene_find ("medium-walk");
  Fixture *fx = fixture_new (GST_VIDEO_FORMAT_I420, 320, 180, scene);
  guint n;

  g_object_set (fx->h->element, "enabled", FALSE, NULL);
  push_frames (fx, 0, 45); /* the object is in from 1.5 s */
  g_assert_cmpuint (fx->events->len, ==, 0);
  fixture_free (fx);

  fx = fixture_new (GST_VIDEO_FORMAT_I420, 320, 180, scene);
  n = push_until_events (fx, 0, 1);
  g_assert_true (get_motion (fx));
  g_object_set (fx->h->element, "enabled", FALSE, NULL);
  push_frame (fx, n);
  g_assert_cmpuint (fx->events->len, ==, 2);
  g_assert_false (event_at (fx, 1)->info.motion);
  g_assert_cmpuint (event_at (fx, 1)->info.running_time, ==, hksv_scene_frame_time (scene, n));
  g_assert_cmpuint (event_at (fx, 1)->buffers_before, ==, n);
  g_assert_false (get_motion (fx));
  push_frames (fx, n + 1, n + 30);
  g_assert_cmpuint (fx->events->len, ==, 2);
  g_object_set (fx->h->element, "enabled", TRUE, NULL);
  /* the object keeps moving through the relearned background: on again within a second */
  push_until_events (fx, n + 30, 3);
  g_assert_cmpuint (
      event_at (fx, 2)->info.running_time, <=, hksv_scene_frame_time (scene, n + 30) + GST_SECOND);
  assert_reports_consistent (fx);
  fixture_free (fx);
}

/* Properties set while playing apply from the next frame. */
static void
test_properties_while_playing (void)
{
  const HksvScene *scene = hksv_scene_find ("medium-walk");
  Fixture *fx = fixture_new (GST_VIDEO_FORMAT_I420, 320, 180, scene);
  GstClockTime t;
  guint n;
  GstMessage *warning;
  g_autofree gchar *mask = NULL;

  /* no region can reach the whole frame, and no hold: off at the next analysed frame */
  n = push_until_events (fx, 0, 1);
  g_object_set (fx->h->element, "min-area", 1.0, "hold-time", 0, NULL);
  t = hksv_scene_frame_time (scene, n);
  n = push_until_events (fx, n, 2);
  g_assert_cmpuint (event_at (fx, 1)->info.running_time, <=, t + 150 * MS);
  g_object_set (fx->h->element, "min-area", 0.01, "hold-time", 500, NULL);
  n = push_until_events (fx, n, 3);
  g_assert_cmpuint (
      event_at (fx, 2)->info.running_time, <=, hksv_scene_frame_time (scene, n) + 150 * MS);

  /* the whole frame masked: nothing moves, off after the hold time */
  g_object_set (fx->h->element, "region-mask", "0,0,1,1", NULL);
  t = hksv_scene_frame_time (scene, n);
  n = push_until_events (fx, n, 4);
  g_assert_cmpuint (event_at (fx, 3)->info.running_time, >=, t + 400 * MS);
  g_assert_cmpuint (event_at (fx, 3)->info.running_time, <=, t + 700 * MS);
  push_frames (fx, n, n + 15);
  g_assert_cmpuint (fx->events->len, ==, 4);

  /* an invalid mask is refused with a warning on the bus; the previous one stays */
  g_object_set (fx->h->element, "region-mask", "0,0,2,1", NULL);
  warning = gst_bus_pop_filtered (fx->bus, GST_MESSAGE_WARNING);
  g_assert_nonnull (warning);
  gst_message_unref (warning);
  g_object_get (fx->h->element, "region-mask", &mask, NULL);
  g_assert_cmpstr (mask, ==, "0,0,1,1");
  assert_reports_consistent (fx);

  /* the overlay switched on and off: frames are copied while it is on, passed through after */
  for (guint k = 0; k < 3; k++) {
    GstBuffer *in, *out;

    g_object_set (fx->h->element, "overlay", k == 1, NULL);
    in = make_frame (fx, n + k);
    gst_buffer_ref (in);
    out = push_frame_full (fx, in, TRUE);
    g_assert_true ((out == in) == (k != 1));
    gst_buffer_unref (in);
    gst_buffer_unref (out);
  }
  fixture_free (fx);
}

/* A new frame size resets the analysis: motion that was on is reported off with the first frame
 * of the new size, and the object is found again after relearning. */
static void
test_renegotiation_resets (void)
{
  const HksvScene *scene = hksv_scene_find ("medium-walk");
  Fixture *fx = fixture_new (GST_VIDEO_FORMAT_I420, 320, 180, scene);
  guint n = push_until_events (fx, 0, 1);

  push_frames (fx, n, 45);
  g_assert_true (get_motion (fx));
  fixture_set_format (fx, GST_VIDEO_FORMAT_I420, 240, 136, scene);
  push_frame (fx, 45);
  g_assert_cmpuint (fx->events->len, ==, 2);
  g_assert_false (event_at (fx, 1)->info.motion);
  g_assert_cmpuint (event_at (fx, 1)->info.running_time, ==, hksv_scene_frame_time (scene, 45));
  push_until_events (fx, 46, 3);
  g_assert_cmpuint (
      event_at (fx, 2)->info.running_time, <=, hksv_scene_frame_time (scene, 45) + GST_SECOND);
  assert_reports_consistent (fx);

  /* the same caps again change nothing */
  fixture_set_format (fx, GST_VIDEO_FORMAT_I420, 240, 136, scene);
  push_frames (fx, 62, 64);
  g_assert_cmpuint (fx->events->len, ==, 3);
  fixture_free (fx);
}

/* A flush resets the analysis; motion that was on is reported off with the first frame after
 * it, at that frame's new running time. */
static void
test_flush_resets (void)
{
  const HksvScene *scene = hksv_scene_find ("medium-walk");
  Fixture *fx = fixture_new (GST_VIDEO_FORMAT_I420, 320, 180, scene);
  guint n = push_until_events (fx, 0, 1);
  GstSegment segment;

  push_frames (fx, n, 45);
  g_assert_true (gst_harness_push_event (fx->h, gst_event_new_flush_start ()));
  g_assert_true (gst_harness_push_event (fx->h, gst_event_new_flush_stop (TRUE)));
  g_assert_true (get_motion (fx)); /* reported with the next frame */
  gst_segment_init (&segment, GST_FORMAT_TIME);
  segment.start = hksv_scene_frame_time (scene, 60);
  segment.time = segment.start;
  g_assert_true (gst_harness_push_event (fx->h, gst_event_new_segment (&segment)));
  push_frame (fx, 60);
  g_assert_cmpuint (fx->events->len, ==, 2);
  g_assert_false (event_at (fx, 1)->info.motion);
  g_assert_cmpuint (event_at (fx, 1)->info.running_time, ==, 0);
  g_assert_cmpuint (event_at (fx, 1)->info.timestamp, ==, segment.start);
  g_assert_false (get_motion (fx));
  push_until_events (fx, 61, 3);
  assert_reports_consistent (fx);
  fixture_free (fx);
}

/* PAUSED->READY: motion that was on is reported off on the bus and in the property. */
static void
test_stop_reports_off (void)
{
  const HksvScene *scene = hksv_scene_find ("medium-walk");
  Fixture *fx = fixture_new (GST_VIDEO_FORMAT_I420, 320, 180, scene);
  HksvMotionInfo *last;

  push_until_events (fx, 0, 1);
  g_assert_cmpint (
      gst_element_set_state (fx->h->element, GST_STATE_READY), ==, GST_STATE_CHANGE_SUCCESS);
  drain_bus (fx);
  g_assert_false (get_motion (fx));
  g_assert_cmpuint (fx->messages->len, ==, 2);
  g_assert_cmpuint (fx->notified->len, ==, 2);
  last = &g_array_index (fx->messages, HksvMotionInfo, 1);
  g_assert_false (last->motion);
  g_assert_cmpuint (fx->events->len, ==, 1); /* no stream left for an event */
  fixture_free (fx);
}

/* overlay=true: the changed cells are outlined in the output, the input buffer (still referenced
 * by the test) is not written to. */
static void
test_overlay (void)
{
  const HksvScene *scene = hksv_scene_find ("large-fast");
  Fixture *fx = fixture_new (GST_VIDEO_FORMAT_GRAY8, 320, 180, scene);
  guint drawn = 0;

  g_object_set (fx->h->element, "overlay", TRUE, NULL);
  for (guint n = 0; n < 70; n++) {
    GstBuffer *in = make_frame (fx, n), *out;
    GstMapInfo a, b;

    gst_buffer_ref (in);
    out = push_frame_full (fx, in, TRUE);
    g_assert_true (out != in);
    g_assert_true (gst_buffer_map (in, &a, GST_MAP_READ));
    g_assert_true (gst_buffer_map (out, &b, GST_MAP_READ));
    g_assert_cmpuint (a.size, ==, b.size);
    g_assert_cmpmem (a.data, a.size, fx->luma, a.size); /* input untouched */
    for (gsize i = 0; i < b.size; i++) {
      if (b.data[i] != a.data[i]) {
        g_assert_cmpuint (b.data[i], ==, 235);
        drawn++;
      }
    }
    gst_buffer_unmap (in, &a);
    gst_buffer_unmap (out, &b);
    gst_buffer_unref (in);
    gst_buffer_unref (out);
  }
  g_assert_cmpuint (fx->events->len, >=, 1);
  g_assert_cmpuint (drawn, >, 1000);
  fixture_free (fx);
}

/* Caps without a luma plane or below the minimum size are refused: the element's pad takes no
 * caps and buffers are not negotiated. */
static void
test_wrong_caps_refused (void)
{
  const gchar *caps[] = {
    "video/x-raw, format=RGB, width=320, height=180, framerate=15/1",
    "video/x-raw, format=BGRA, width=320, height=180, framerate=15/1",
    "video/x-raw, format=I420, width=4, height=4, framerate=15/1",
    "video/x-raw(memory:DMABuf), format=I420, width=320, height=180, framerate=15/1",
    "audio/x-raw, format=S16LE, rate=48000, channels=1, layout=interleaved",
  };

  for (guint i = 0; i < G_N_ELEMENTS (caps); i++) {
    Fixture *fx = fixture_new (GST_VIDEO_FORMAT_UNKNOWN, 0, 0, NULL);
    GstPad *sink = gst_element_get_static_pad (fx->h->element, "sink");
    GstCaps *current;
    GstSegment segment;

    g_test_message ("%s", caps[i]);
    /* a sticky event is stored on the harness pad whatever the peer says: the refusal shows
     * on the element's pad and as not-negotiated for the buffer */
    gst_segment_init (&segment, GST_FORMAT_TIME);
    gst_harness_push_event (fx->h, gst_event_new_caps (gst_caps_from_string (caps[i])));
    gst_harness_push_event (fx->h, gst_event_new_segment (&segment));
    g_assert_cmpint (gst_harness_push (fx->h, gst_buffer_new_allocate (NULL, 320 * 180 * 3, NULL)),
        ==, GST_FLOW_NOT_NEGOTIATED);
    current = gst_pad_get_current_caps (sink);
    g_assert_null (current);
    g_assert_cmpuint (gst_harness_buffers_in_queue (fx->h), ==, 0);
    gst_object_unref (sink);
    fixture_free (fx);
  }
}

/* A buffer too small for its caps and a buffer without a timestamp pass, unanalysed. */
static void
test_bad_buffers_pass (void)
{
  const HksvScene *scene = hksv_scene_find ("large-fast");
  Fixture *fx = fixture_new (GST_VIDEO_FORMAT_I420, 320, 180, scene);
  GstBuffer *buf;

  push_frames (fx, 0, 10);
  buf = gst_buffer_new_allocate (NULL, 100, NULL);
  GST_BUFFER_PTS (buf) = hksv_scene_frame_time (scene, 10);
  push_frame_full (fx, buf, FALSE);
  buf = make_frame (fx, 11);
  GST_BUFFER_PTS (buf) = GST_CLOCK_TIME_NONE;
  push_frame_full (fx, buf, FALSE);
  push_until_events (fx, 12, 1);
  fixture_free (fx);
}

static void
assert_info_equal (const HksvMotionInfo *a, const HksvMotionInfo *b)
{
  g_assert_cmpint (a->motion, ==, b->motion);
  g_assert_cmpfloat (a->score, ==, b->score);
  g_assert_cmpfloat (a->area, ==, b->area);
  g_assert_cmpuint (a->running_time, ==, b->running_time);
  g_assert_cmpuint (a->stream_time, ==, b->stream_time);
  g_assert_cmpuint (a->timestamp, ==, b->timestamp);
}

/* The report structure round-trips through the event and the message; anything else, or a field
 * missing or of another type, is not a report and leaves the info untouched. */
static void
test_report_parse (void)
{
  const HksvMotionInfo info = { TRUE, 0.25, 0.125, 5 * GST_SECOND, 3 * GST_SECOND, 4 * GST_SECOND };
  HksvMotionInfo got;
  GstEvent *event = hksv_motion_event_new (&info);
  GstMessage *msg = hksv_motion_message_new (NULL, &info);
  const gchar *invalid[] = {
    "hksv-motion, score=(double)0.1, area=(double)0.1, running-time=(guint64)1, "
    "stream-time=(guint64)1, timestamp=(guint64)1",
    "hksv-motion, motion=(int)1, score=(double)0.1, area=(double)0.1, running-time=(guint64)1, "
    "stream-time=(guint64)1, timestamp=(guint64)1",
    "hksv-motion, motion=(boolean)true, score=(float)0.1, area=(double)0.1, "
    "running-time=(guint64)1, stream-time=(guint64)1, timestamp=(guint64)1",
    "hksv-motion, motion=(boolean)true, score=(double)0.1, area=(double)0.1, "
    "running-time=(gint64)1, stream-time=(guint64)1, timestamp=(guint64)1",
    "hksv-motion, motion=(boolean)true, score=(double)0.1, area=(double)0.1, "
    "running-time=(guint64)1, stream-time=(guint64)1",
    "hksv-motion, motion=(boolean)true, score=(double)0.1, running-time=(guint64)1, "
    "stream-time=(guint64)1, timestamp=(guint64)1",
    "hksv-motion, motion=(boolean)true, score=(double)0.1, area=(string)x, "
    "running-time=(guint64)1, stream-time=(guint64)1, timestamp=(guint64)1",
    "other, motion=(boolean)true, score=(double)0.1, area=(double)0.1, running-time=(guint64)1, "
    "stream-time=(guint64)1, timestamp=(guint64)1",
  };

  g_assert_true (GST_EVENT_IS_SERIALIZED (event));
  g_assert_true (hksv_motion_event_parse (event, &got));
  assert_info_equal (&got, &info);
  g_assert_true (hksv_motion_message_parse (msg, &got));
  assert_info_equal (&got, &info);
  g_assert_false (hksv_motion_event_parse (NULL, &got));
  g_assert_false (hksv_motion_message_parse (NULL, &got));
  gst_event_unref (event);
  gst_message_unref (msg);

  /* the right structure in the wrong event or message type */
  event = gst_event_new_custom (GST_EVENT_CUSTOM_UPSTREAM, hksv_motion_structure_new (&info));
  g_assert_false (hksv_motion_event_parse (event, &got));
  gst_event_unref (event);
  msg = gst_message_new_application (NULL, hksv_motion_structure_new (&info));
  g_assert_false (hksv_motion_message_parse (msg, &got));
  gst_message_unref (msg);

  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++) {
    GstStructure *st = gst_structure_from_string (invalid[i], NULL);
    HksvMotionInfo untouched = { FALSE, 9, 9, 9, 9, 9 };

    g_assert_nonnull (st);
    got = untouched;
    g_assert_false (hksv_motion_structure_parse (st, &got));
    assert_info_equal (&got, &untouched);
    event = gst_event_new_custom (GST_EVENT_CUSTOM_DOWNSTREAM, st);
    g_assert_false (hksv_motion_event_parse (event, &got));
    gst_event_unref (event);
  }
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/hksvmotion/defaults", test_defaults);
  g_test_add_func ("/hksvmotion/report-parse", test_report_parse);
  g_test_add_func ("/hksvmotion/passthrough-identical", test_passthrough_identical);
  g_test_add_func ("/hksvmotion/scene-events", test_scene_events);
  g_test_add_func ("/hksvmotion/no-events-without-objects", test_no_events_without_objects);
  g_test_add_func ("/hksvmotion/every-format", test_every_format);
  g_test_add_func ("/hksvmotion/analysis-rate", test_analysis_rate);
  g_test_add_func ("/hksvmotion/enabled", test_enabled);
  g_test_add_func ("/hksvmotion/properties-while-playing", test_properties_while_playing);
  g_test_add_func ("/hksvmotion/renegotiation-resets", test_renegotiation_resets);
  g_test_add_func ("/hksvmotion/flush-resets", test_flush_resets);
  g_test_add_func ("/hksvmotion/stop-reports-off", test_stop_reports_off);
  g_test_add_func ("/hksvmotion/overlay", test_overlay);
  g_test_add_func ("/hksvmotion/wrong-caps-refused", test_wrong_caps_refused);
  g_test_add_func ("/hksvmotion/bad-buffers-pass", test_bad_buffers_pass);
  return g_test_run ();
}
