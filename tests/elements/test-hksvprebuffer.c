/* GstHarness tests of hksvprebuffer (plugins/hksv/gsthksvprebuffer.c).
 *
 * The element does not decode, so most tests push synthetic access units (one length-prefixed
 * NAL unit: an IDR slice for keyframes, a non-IDR slice otherwise, with the DELTA_UNIT flag as
 * h264parse sets it) under the caps of real encoders: x264enc and voaacenc output captured once
 * at start (codec_data included; H.265's is written by hand). Keyframes are told by the NAL unit
 * types: real x264enc output with non-IDR I-frames (open GOP), which h264parse flags as
 * keyframes, checks that those start no GOP and no key-unit cadence. One test runs real x264enc
 * output through it, with the force-key-unit requests going back to that encoder.
 * Expected ring contents are written out from the rules in gst/gop-ring.h (see
 * tests/unit/test-gop-ring.c for the ring itself); "K1000..1900" is a GOP from its keyframe to its
 * last buffer, by PTS in ms. The element has no timers (re-requests are driven by the buffers'
 * running times), so the test clock only keeps the harness from using the system clock. */
#include <gst/app/gstappsink.h>
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>

#include "gst/hksv-prebuffer-query.h"

#define MS GST_MSECOND

static GstCaps *h264_caps, *h264_caps_other, *h265_caps, *aac_caps;

/* ---- Real caps ---------------------------------------------------------------------------- */

static GstCaps *
capture_caps (const gchar *description)
{
  GError *error = NULL;
  GstElement *pipeline = gst_parse_launch (description, &error);
  GstElement *sink;
  GstSample *sample;
  GstCaps *caps;

  g_assert_no_error (error);
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  g_assert_cmpint (
      gst_element_set_state (pipeline, GST_STATE_PLAYING), !=, GST_STATE_CHANGE_FAILURE);
  sample = gst_app_sink_pull_sample (GST_APP_SINK (sink));
  g_assert_nonnull (sample);
  caps = gst_caps_ref (gst_sample_get_caps (sample));
  gst_sample_unref (sample);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (sink);
  gst_object_unref (pipeline);
  g_assert_nonnull (gst_structure_get_value (gst_caps_get_structure (caps, 0), "codec_data"));
  return caps;
}

static void
capture_all_caps (void)
{
  h264_caps = capture_caps ("videotestsrc num-buffers=1 ! video/x-raw,width=64,height=64 ! "
                            "x264enc ! h264parse ! video/x-h264,stream-format=avc,alignment=au ! "
                            "appsink name=sink");
  h264_caps_other = capture_caps (
      "videotestsrc num-buffers=1 ! video/x-raw,width=128,height=96 ! x264enc ! h264parse ! "
      "video/x-h264,stream-format=avc,alignment=au ! appsink name=sink");
  /* By hand (libx265 leaks at encoder open): an hvcC record with no parameter set arrays,
   * configurationVersion 1, Main profile, level 3.1, 4:2:0 8-bit, 4-byte NAL lengths. */
  h265_caps = gst_caps_from_string (
      "video/x-h265, stream-format=hvc1, alignment=au, width=64, height=64, "
      "codec_data=(buffer)0101600000009000000000005df000fcfdf8f800000f00");
  aac_caps = capture_caps ("audiotestsrc num-buffers=4 ! voaacenc ! aacparse ! "
                           "audio/mpeg,stream-format=raw ! appsink name=sink");
}

/* ---- Buffers and harnesses ---------------------------------------------------------------- */

/* `size` bytes of an access unit: one NAL unit with a 4-byte length (the captured avcC and the
 * hvcC by hand say 4), an IDR (H.265: IDR_W_RADL) slice header byte for keyframes, a non-IDR
 * (TRAIL_R) one otherwise, pattern bytes after it. Below 6 bytes: pattern bytes only, a corrupt
 * access unit. */
static void
fill_au (guint8 *data, gsize size, gint64 pattern, gboolean keyframe, gboolean hevc)
{
  for (gsize i = 0; i < size; i++)
    data[i] = (guint8) (pattern * 7 + i);
  if (size < 6)
    return;
  data[0] = (size - 4) >> 24;
  data[1] = (size - 4) >> 16;
  data[2] = (size - 4) >> 8;
  data[3] = (size - 4) & 0xff;
  if (hevc) {
    data[4] = keyframe ? 19 << 1 : 1 << 1;
    data[5] = 1;
  } else {
    data[4] = keyframe ? 0x65 : 0x41;
  }
}

static GstBuffer *
make_au_codec (gint64 pts_ms, gboolean keyframe, gsize size, gboolean hevc)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, size, NULL);
  GstMapInfo map;

  g_assert_true (gst_buffer_map (buf, &map, GST_MAP_WRITE));
  fill_au (map.data, size, pts_ms, keyframe, hevc);
  gst_buffer_unmap (buf, &map);
  GST_BUFFER_PTS (buf) = GST_BUFFER_DTS (buf)
      = pts_ms < 0 ? GST_CLOCK_TIME_NONE : (GstClockTime) pts_ms * MS;
  if (!keyframe)
    GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_DELTA_UNIT);
  return buf;
}

/* An H.264 access unit (see fill_au). */
static GstBuffer *
make_au (gint64 pts_ms, gboolean keyframe, gsize size)
{
  return make_au_codec (pts_ms, keyframe, size, FALSE);
}

static void
push_au (GstHarness *h, gint64 pts_ms, gboolean keyframe, gsize size)
{
  g_assert_cmpint (gst_harness_push (h, make_au (pts_ms, keyframe, size)), ==, GST_FLOW_OK);
}

/* n GOPs of `frames` buffers `step` ms apart from `first` ms. */
static void
push_gops (GstHarness *h, gint64 first, guint n, guint frames, guint step, gsize size)
{
  for (guint i = 0; i < n * frames; i++)
    push_au (h, first + (gint64) i * step, i % frames == 0, size);
}

static GstHarness *
video_harness (const gchar *properties)
{
  GstHarness *h;

  if (properties) {
    gchar *launch = g_strdup_printf ("hksvprebuffer %s", properties);

    h = gst_harness_new_parse (launch);
    g_free (launch);
  } else {
    h = gst_harness_new_with_padnames ("hksvprebuffer", "video_sink", "video_src");
  }
  gst_harness_use_testclock (h);
  gst_harness_set_src_caps (h, gst_caps_ref (h264_caps));
  return h;
}

static GstElement *
prebuffer_of (GstHarness *h)
{
  GstElement *e = gst_harness_find_element (h, "hksvprebuffer");

  g_assert_nonnull (e);
  gst_object_unref (e); /* the harness keeps it alive */
  return e;
}

static guint64
get_u64 (GstHarness *h, const gchar *property)
{
  guint64 v;

  g_object_get (prebuffer_of (h), property, &v, NULL);
  return v;
}

static guint
get_uint (GstHarness *h, const gchar *property)
{
  guint v;

  g_object_get (prebuffer_of (h), property, &v, NULL);
  return v;
}

/* ---- The prebuffer query ------------------------------------------------------------------ */

typedef struct {
  GstCaps *caps;
  GstSegment segment;
  GstBufferList *buffers;
  GstClockTime duration;
} Content;

static gboolean
query_content (GstHarness *h, Content *c)
{
  GstQuery *query = hksv_prebuffer_query_new ();
  gboolean answered = gst_pad_peer_query (h->sinkpad, query);

  memset (c, 0, sizeof *c);
  if (answered)
    g_assert_true (hksv_prebuffer_query_parse_content (
        query, &c->caps, &c->segment, &c->buffers, &c->duration));
  else
    g_assert_false (hksv_prebuffer_query_parse_content (query, NULL, NULL, NULL, NULL));
  gst_query_unref (query);
  return answered;
}

static void
content_clear (Content *c)
{
  gst_clear_caps (&c->caps);
  if (c->buffers)
    gst_buffer_list_unref (c->buffers);
  c->buffers = NULL;
}

static gint64
pts_ms (GstBuffer *buf)
{
  return GST_BUFFER_PTS_IS_VALID (buf) ? (gint64) (GST_BUFFER_PTS (buf) / MS) : -1;
}

static gboolean
is_key (GstBuffer *buf)
{
  return !GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_DELTA_UNIT);
}

/* "K0 100 200 K300" (every buffer) or, with gops, "K0..200 K300" (each GOP's ends). */
static gchar *
render (GstBufferList *list, gboolean gops)
{
  GString *s = g_string_new (NULL);
  guint n = gst_buffer_list_length (list);

  for (guint i = 0; i < n; i++) {
    GstBuffer *b = gst_buffer_list_get (list, i);
    GstBuffer *next = i + 1 < n ? gst_buffer_list_get (list, i + 1) : NULL;

    if (!gops || is_key (b) || i == 0)
      g_string_append_printf (
          s, "%s%s%" G_GINT64_FORMAT, i ? " " : "", is_key (b) ? "K" : "", pts_ms (b));
    else if (!next || is_key (next))
      g_string_append_printf (s, "..%" G_GINT64_FORMAT, pts_ms (b));
  }
  return g_string_free (s, FALSE);
}

static void
assert_content (GstHarness *h, const gchar *want, gboolean gops)
{
  Content c;
  gchar *got;

  g_assert_true (query_content (h, &c));
  got = render (c.buffers, gops);
  g_assert_cmpstr (got, ==, want);
  g_free (got);
  content_clear (&c);
}

/* ---- Force-key-unit events ---------------------------------------------------------------- */

/* The next upstream force-key-unit event (others are skipped); FALSE when there is none. */
static gboolean
pull_fku (GstHarness *h, GstClockTime *running_time, gboolean *all_headers, guint *count)
{
  GstEvent *event;

  while ((event = gst_harness_try_pull_upstream_event (h))) {
    gboolean fku = gst_video_event_is_force_key_unit (event);

    if (fku)
      g_assert_true (
          gst_video_event_parse_upstream_force_key_unit (event, running_time, all_headers, count));
    gst_event_unref (event);
    if (fku)
      return TRUE;
  }
  return FALSE;
}

static void
assert_fku (GstHarness *h, GstClockTime want_running_time, guint want_count)
{
  GstClockTime running_time;
  gboolean all_headers;
  guint count;

  g_assert_true (pull_fku (h, &running_time, &all_headers, &count));
  g_assert_cmpuint (running_time, ==, want_running_time);
  g_assert_true (all_headers);
  g_assert_cmpuint (count, ==, want_count);
}

static void
assert_no_fku (GstHarness *h)
{
  GstClockTime running_time;
  gboolean all_headers;
  guint count;

  g_assert_false (pull_fku (h, &running_time, &all_headers, &count));
}

/* ---- Tests -------------------------------------------------------------------------------- */

static void
test_properties (void)
{
  GstElement *e = gst_element_factory_make ("hksvprebuffer", NULL);
  GstElementFactory *f = gst_element_get_factory (e);
  guint duration, fragment, gops;
  guint64 max, level_bytes, level_time, memory;
  gboolean force;

  g_assert_nonnull (e);
  g_object_get (e, "duration", &duration, "max-size-bytes", &max, "fragment-duration", &fragment,
      "force-key-units", &force, "current-level-bytes", &level_bytes, "current-level-time",
      &level_time, "current-gops", &gops, "current-memory-bytes", &memory, NULL);
  g_assert_cmpuint (duration, ==, 4000);
  g_assert_cmpuint (max, ==, 32 * 1024 * 1024);
  g_assert_cmpuint (fragment, ==, 4000);
  g_assert_true (force);
  g_assert_cmpuint (level_bytes + level_time + gops + memory, ==, 0);
  g_assert_cmpstr (
      gst_element_factory_get_metadata (f, GST_ELEMENT_METADATA_KLASS), ==, "Filter/Video");
  for (guint i = 0; i < 2; i++) {
    GstPad *pad = gst_element_get_static_pad (e, i ? "video_src" : "video_sink");

    g_assert_nonnull (pad);
    gst_object_unref (pad);
  }
  g_assert_null (gst_element_get_static_pad (e, "audio_src"));
  gst_object_unref (e);
}

/* Buffers and events come out as they went in: the same buffer objects, bytes, timestamps and
 * flags, refused by the ring or not. */
static void
test_pass_through (void)
{
  GstHarness *h = video_harness (NULL);
  GstStructure *s = gst_structure_new ("hksv-motion", "motion", G_TYPE_BOOLEAN, TRUE, NULL);
  GstEvent *event;
  GstCaps *caps;
  const gint64 times[] = { 100, 0, 40, 80, 120, 60, -1, 160, 200, 240 };
  const gboolean keys[] = { FALSE, TRUE, FALSE, FALSE, TRUE, FALSE, FALSE, FALSE, TRUE, FALSE };

  for (guint i = 0; i < G_N_ELEMENTS (times); i++) {
    GstBuffer *in = make_au (times[i], keys[i], 100 + i * 37);
    GstBuffer *out, *copy = gst_buffer_copy_deep (in);

    GST_BUFFER_DURATION (in) = 40 * MS;
    GST_BUFFER_OFFSET (in) = i;
    GST_BUFFER_DURATION (copy) = 40 * MS;
    g_assert_cmpint (gst_harness_push (h, gst_buffer_ref (in)), ==, GST_FLOW_OK);
    out = gst_harness_pull (h);
    g_assert_true (out == in);
    g_assert_cmpuint (gst_buffer_get_size (out), ==, gst_buffer_get_size (copy));
    {
      GstMapInfo map;

      g_assert_true (gst_buffer_map (copy, &map, GST_MAP_READ));
      g_assert_cmpint (gst_buffer_memcmp (out, 0, map.data, map.size), ==, 0);
      gst_buffer_unmap (copy, &map);
    }
    g_assert_cmpuint (GST_BUFFER_PTS (out), ==, GST_BUFFER_PTS (copy));
    g_assert_cmpuint (GST_BUFFER_DTS (out), ==, GST_BUFFER_DTS (copy));
    g_assert_cmpuint (GST_BUFFER_DURATION (out), ==, 40 * MS);
    g_assert_cmpuint (GST_BUFFER_OFFSET (out), ==, i);
    g_assert_cmpuint (GST_BUFFER_FLAGS (out), ==, GST_BUFFER_FLAGS (copy));
    gst_buffer_unref (out);
    gst_buffer_unref (in);
    gst_buffer_unref (copy);
  }

  /* stream-start, caps, segment as pushed */
  event = gst_harness_pull_event (h);
  g_assert_cmpint (GST_EVENT_TYPE (event), ==, GST_EVENT_STREAM_START);
  gst_event_unref (event);
  event = gst_harness_pull_event (h);
  g_assert_cmpint (GST_EVENT_TYPE (event), ==, GST_EVENT_CAPS);
  gst_event_parse_caps (event, &caps);
  g_assert_true (gst_caps_is_equal (caps, h264_caps));
  gst_event_unref (event);
  event = gst_harness_pull_event (h);
  g_assert_cmpint (GST_EVENT_TYPE (event), ==, GST_EVENT_SEGMENT);
  gst_event_unref (event);

  /* a custom serialized event (as hksvmotion's) and EOS */
  g_assert_true (gst_harness_push_event (h, gst_event_new_custom (GST_EVENT_CUSTOM_DOWNSTREAM, s)));
  event = gst_harness_pull_event (h);
  g_assert_cmpint (GST_EVENT_TYPE (event), ==, GST_EVENT_CUSTOM_DOWNSTREAM);
  g_assert_true (gst_structure_has_name (gst_event_get_structure (event), "hksv-motion"));
  gst_event_unref (event);
  g_assert_true (gst_harness_push_event (h, gst_event_new_eos ()));
  event = gst_harness_pull_event (h);
  g_assert_cmpint (GST_EVENT_TYPE (event), ==, GST_EVENT_EOS);
  gst_event_unref (event);

  /* upstream events other than force-key-unit pass too */
  g_assert_true (gst_harness_push_upstream_event (h, gst_event_new_reconfigure ()));
  event = gst_harness_try_pull_upstream_event (h);
  while (event && GST_EVENT_TYPE (event) != GST_EVENT_RECONFIGURE) {
    gst_event_unref (event);
    event = gst_harness_try_pull_upstream_event (h);
  }
  g_assert_nonnull (event);
  gst_event_unref (event);
  gst_harness_teardown (h);
}

/* The caps query gives what downstream takes within the templates. */
static void
test_caps_query (void)
{
  GstHarness *h = gst_harness_new_with_padnames ("hksvprebuffer", "video_sink", "video_src");
  GstCaps *caps, *want;

  caps = gst_pad_peer_query_caps (h->srcpad, NULL);
  want = gst_caps_from_string ("video/x-h264, stream-format=avc, alignment=au; "
                               "video/x-h265, stream-format=hvc1, alignment=au");
  g_assert_true (gst_caps_is_equal (caps, want));
  gst_caps_unref (caps);
  gst_caps_unref (want);

  gst_harness_set_sink_caps_str (h, "video/x-h265");
  caps = gst_pad_peer_query_caps (h->srcpad, NULL);
  want = gst_caps_from_string ("video/x-h265, stream-format=hvc1, alignment=au");
  g_assert_true (gst_caps_is_equal (caps, want));
  gst_caps_unref (caps);
  gst_caps_unref (want);
  gst_harness_teardown (h);
}

/* 10 buffers per GOP 100 ms apart, duration 2000 ms (see the ring's rules). */
static void
test_gop_boundaries (void)
{
  GstHarness *h = video_harness ("duration=2000");
  GstSegment segment;
  Content c;

  gst_harness_set_drop_buffers (h, TRUE);
  /* running time = PTS - 10 s */
  gst_segment_init (&segment, GST_FORMAT_TIME);
  segment.start = segment.time = segment.position = 10 * GST_SECOND;
  g_assert_true (gst_harness_push_event (h, gst_event_new_segment (&segment)));

  push_gops (h, 10000, 5, 10, 100, 100);
  /* 14900 - 12000 = 2900 >= 2000: K10000 and K11000 go; 14900 - 13000 = 1900: K12000 stays */
  assert_content (h, "K12000..12900 K13000..13900 K14000..14900", TRUE);
  g_assert_cmpuint (get_uint (h, "current-gops"), ==, 3);
  g_assert_cmpuint (get_u64 (h, "current-level-time"), ==, 2900 * MS);
  g_assert_cmpuint (get_u64 (h, "current-level-bytes"), ==, 30 * 100);
  g_assert_cmpuint (get_u64 (h, "current-memory-bytes"), >=, 30 * 100);

  push_au (h, 15000, TRUE, 100);
  assert_content (h, "K13000..13900 K14000..14900 K15000", TRUE);

  g_assert_true (query_content (h, &c));
  g_assert_true (gst_caps_is_equal (c.caps, h264_caps));
  g_assert_true (gst_segment_is_equal (&c.segment, &segment));
  g_assert_cmpuint (c.duration, ==, 2000 * MS);
  g_assert_cmpuint (gst_buffer_list_length (c.buffers), ==, 21);
  /* the pushed bytes, newest last */
  {
    GstBuffer *last = gst_buffer_list_get (c.buffers, 20);
    GstBuffer *want = make_au (15000, TRUE, 100);
    GstMapInfo map;

    g_assert_true (gst_buffer_map (want, &map, GST_MAP_READ));
    g_assert_cmpint (gst_buffer_memcmp (last, 0, map.data, map.size), ==, 0);
    gst_buffer_unmap (want, &map);
    gst_buffer_unref (want);
    g_assert_cmpuint (GST_BUFFER_PTS (last), ==, 15 * GST_SECOND);
  }
  content_clear (&c);
  gst_harness_teardown (h);
}

static gint
compare_gint64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

/* Real x264enc output, encoder keyframes only where hksvprebuffer asks (key-int-max far away),
 * with lookahead latency (5 frames) below the fragment length: every fragment-duration's frame
 * is an IDR, and the ring holds whole GOPs from one of them. */
static void
test_x264enc (void)
{
  GstHarness *h = gst_harness_new_parse (
      "x264enc key-int-max=1000 rc-lookahead=5 threads=1 bframes=2 speed-preset=veryfast ! "
      "h264parse ! hksvprebuffer duration=1000 fragment-duration=1000");
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) gst_buffer_unref);
  GString *keys = g_string_new (NULL);
  GstBuffer *buf, *last;
  gint64 base;
  GstCaps *caps;
  Content c;

  gst_harness_use_testclock (h);
  gst_harness_set_src_caps_str (h, "video/x-raw, format=I420, width=64, height=64, framerate=10/1");
  for (guint i = 0; i < 45; i++) {
    GstBuffer *frame = gst_harness_create_buffer (h, 64 * 64 * 3 / 2);
    GstMapInfo map;

    g_assert_true (gst_buffer_map (frame, &map, GST_MAP_WRITE));
    for (gsize j = 0; j < map.size; j++)
      map.data[j] = (guint8) (j * 3 + i * 5 + (j / 64) * i);
    gst_buffer_unmap (frame, &map);
    GST_BUFFER_PTS (frame) = i * 100 * MS;
    GST_BUFFER_DURATION (frame) = 100 * MS;
    g_assert_cmpint (gst_harness_push (h, frame), ==, GST_FLOW_OK);
    while ((buf = gst_harness_try_pull (h)))
      g_ptr_array_add (out, buf);

    /* Nothing is trimmed yet at 1.5 s: every output so far, the B-frame stream's first ones
     * with a DTS before the segment start included, is in the ring, in order. */
    if (i == 14) {
      g_assert_cmpuint (out->len, >, 5);
      g_assert_true (query_content (h, &c));
      g_assert_cmpuint (gst_buffer_list_length (c.buffers), ==, out->len);
      for (guint j = 0; j < out->len; j++)
        g_assert_true (gst_buffer_list_get (c.buffers, j) == out->pdata[j]);
      content_clear (&c);
    }
  }
  g_assert_true (gst_harness_push_event (h, gst_event_new_eos ()));
  while ((buf = gst_harness_try_pull (h)))
    g_ptr_array_add (out, buf);
  g_assert_cmpuint (out->len, ==, 45);
  last = out->pdata[out->len - 1];

  /* GstVideoEncoder shifts timestamps (and its segment) by 1000 h to keep DTS positive with
   * B-frames: times below are from the first output, the IDR of input 0 */
  base = pts_ms (out->pdata[0]);
  for (guint i = 0; i < out->len; i++)
    if (is_key (out->pdata[i]))
      g_string_append_printf (
          keys, "%s%" G_GINT64_FORMAT, keys->len ? " " : "", pts_ms (out->pdata[i]) - base);
  g_assert_cmpstr (keys->str, ==, "0 1000 2000 3000 4000");
  g_string_free (keys, TRUE);

  /* after EOS the content stays: 4400 - 4000 < 1000 keeps K3000, K2000 went (in DTS, which
   * B-frames shift the same for both); in decode order, so compare the sorted PTS */
  g_assert_true (query_content (h, &c));
  {
    GArray *pts = g_array_new (FALSE, FALSE, sizeof (gint64));
    GString *s = g_string_new (NULL);

    g_assert_true (is_key (gst_buffer_list_get (c.buffers, 0)));
    g_assert_cmpint (pts_ms (gst_buffer_list_get (c.buffers, 0)) - base, ==, 3000);
    for (guint i = 0; i < gst_buffer_list_length (c.buffers); i++) {
      GstBuffer *b = gst_buffer_list_get (c.buffers, i);
      gint64 t = pts_ms (b) - base;

      g_array_append_val (pts, t);
      if (is_key (b))
        g_string_append_printf (s, "%s%" G_GINT64_FORMAT, s->len ? " " : "", t);
    }
    g_assert_cmpstr (s->str, ==, "3000 4000");
    g_array_sort (pts, compare_gint64);
    for (guint i = 0; i < pts->len; i++)
      g_assert_cmpint (g_array_index (pts, gint64, i), ==, 3000 + 100 * (gint64) i);
    g_array_unref (pts);
    g_string_free (s, TRUE);
  }
  g_assert_true (gst_buffer_list_get (c.buffers, gst_buffer_list_length (c.buffers) - 1) == last);
  caps = gst_pad_get_current_caps (h->sinkpad);
  g_assert_true (gst_caps_is_equal (c.caps, caps));
  gst_caps_unref (caps);
  g_assert_cmpuint (gst_buffer_list_length (c.buffers), ==, 15);
  content_clear (&c);
  g_assert_cmpuint (get_uint (h, "current-gops"), ==, 2);
  g_ptr_array_unref (out);
  gst_harness_teardown (h);
}

/* Whether a length-prefixed (4-byte) H.264 access unit holds an IDR slice (NAL type 5), read
 * here without the project's parsers. */
static gboolean
au_has_idr (GstBuffer *buf)
{
  GstMapInfo map;
  gboolean idr = FALSE;
  gsize pos = 0;

  g_assert_true (gst_buffer_map (buf, &map, GST_MAP_READ));
  while (pos + 5 <= map.size) {
    const guint8 *p = map.data + pos;
    guint32 len = (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];

    idr |= (map.data[pos + 4] & 0x1f) == 5;
    pos += 4 + (gsize) len;
  }
  gst_buffer_unmap (buf, &map);
  return idr;
}

/* Real x264enc output with an open GOP: every keyframe after the first is a non-IDR I-frame
 * (with a recovery point), which h264parse flags as a keyframe (no DELTA_UNIT). Captured with
 * appsink, so that no force-key-unit request reaches the encoder. */
static GPtrArray *
capture_open_gop (GstCaps **caps)
{
  GError *error = NULL;
  GstElement *pipeline = gst_parse_launch (
      "videotestsrc num-buffers=100 pattern=ball ! "
      "video/x-raw,format=I420,width=160,height=120,framerate=25/1 ! "
      "x264enc key-int-max=30 bframes=2 speed-preset=ultrafast threads=1 "
      "option-string=open-gop=1 ! h264parse ! video/x-h264,stream-format=avc,alignment=au ! "
      "appsink name=sink sync=false",
      &error);
  GstElement *sink;
  GstSample *sample;
  GPtrArray *frames = g_ptr_array_new_with_free_func ((GDestroyNotify) gst_buffer_unref);
  guint non_idr_keys = 0;

  g_assert_no_error (error);
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  g_assert_cmpint (
      gst_element_set_state (pipeline, GST_STATE_PLAYING), !=, GST_STATE_CHANGE_FAILURE);
  *caps = NULL;
  while ((sample = gst_app_sink_pull_sample (GST_APP_SINK (sink)))) {
    GstBuffer *buf = gst_sample_get_buffer (sample);

    if (!*caps)
      *caps = gst_caps_ref (gst_sample_get_caps (sample));
    g_ptr_array_add (frames, gst_buffer_ref (buf));
    gst_sample_unref (sample);
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (sink);
  gst_object_unref (pipeline);
  g_assert_cmpuint (frames->len, ==, 100);
  /* what the test is about: one IDR (the first buffer), and keyframe flags on non-IDR frames */
  for (guint i = 0; i < frames->len; i++) {
    GstBuffer *buf = frames->pdata[i];

    g_assert_cmpint (au_has_idr (buf), ==, i == 0);
    non_idr_keys += i > 0 && is_key (buf);
  }
  g_assert_cmpuint (non_idr_keys, >=, 2);
  return frames;
}

/* Non-IDR I-frames flagged as keyframes (real x264enc open-GOP output) start no GOP and no
 * key-unit cadence: the ring keeps one GOP from the IDR, the request made after the IDR is
 * repeated once its time has passed, and every buffer passes on with its flags untouched. */
static void
test_non_idr_keyframes (void)
{
  GstCaps *caps;
  GPtrArray *frames = capture_open_gop (&caps);
  GstHarness *h = gst_harness_new_parse ("hksvprebuffer duration=1000 fragment-duration=2000");
  GstClockTime first = GST_BUFFER_PTS (frames->pdata[0]), requested = first + 2000 * MS;
  GstClockTime last_pts = 0;
  Content c;

  gst_harness_use_testclock (h);
  gst_harness_set_src_caps (h, caps);
  while (gst_harness_try_pull_upstream_event (h))
    ;
  for (guint i = 0; i < frames->len; i++) {
    GstBuffer *in = frames->pdata[i], *out;
    GstBufferFlags flags = GST_BUFFER_FLAGS (in);

    g_assert_cmpint (gst_harness_push (h, gst_buffer_ref (in)), ==, GST_FLOW_OK);
    out = gst_harness_pull (h);
    g_assert_true (out == in);
    g_assert_cmpuint (GST_BUFFER_FLAGS (out), ==, flags);
    gst_buffer_unref (out);
    if (i == 0) {
      assert_fku (h, requested, 1);
    } else if (GST_BUFFER_PTS (in) >= requested && last_pts < requested) {
      /* the first buffer past the time asked for: the request again */
      assert_fku (h, requested, 2);
    } else {
      assert_no_fku (h);
    }
    last_pts = MAX (last_pts, GST_BUFFER_PTS (in));
  }
  g_assert_cmpuint (last_pts, <, requested + 2000 * MS);

  /* one GOP, from the IDR: the non-IDR I-frames did not let the duration trim it */
  g_assert_cmpuint (get_uint (h, "current-gops"), ==, 1);
  g_assert_true (query_content (h, &c));
  g_assert_cmpuint (gst_buffer_list_length (c.buffers), ==, frames->len);
  g_assert_true (gst_buffer_list_get (c.buffers, 0) == frames->pdata[0]);
  content_clear (&c);
  gst_harness_teardown (h);
  g_ptr_array_unref (frames);
}

/* Access units whose NAL units do not tile them are logged and taken as delta units (whatever
 * their flags), passed on untouched. */
static void
test_corrupt_au (void)
{
  GstHarness *h = video_harness (NULL);
  GstBuffer *bad[3], *out;
  GstMapInfo map;

  while (gst_harness_try_pull_upstream_event (h))
    ;
  /* too short for a length; a length past the end; an empty NAL unit; all flagged keyframes */
  bad[0] = make_au (0, TRUE, 3);
  bad[1] = make_au (200, TRUE, 100);
  bad[2] = make_au (300, TRUE, 100);
  g_assert_true (gst_buffer_map (bad[1], &map, GST_MAP_WRITE));
  map.data[3] = 200;
  gst_buffer_unmap (bad[1], &map);
  g_assert_true (gst_buffer_map (bad[2], &map, GST_MAP_WRITE));
  memset (map.data + 90, 0, 10);
  map.data[3] = 86; /* 90 bytes, then a length of 0 */
  gst_buffer_unmap (bad[2], &map);

  /* first: not a keyframe, so not kept, and a key unit is asked for at once */
  g_assert_cmpint (gst_harness_push (h, gst_buffer_ref (bad[0])), ==, GST_FLOW_OK);
  out = gst_harness_pull (h);
  g_assert_true (out == bad[0]);
  g_assert_false (GST_BUFFER_FLAG_IS_SET (out, GST_BUFFER_FLAG_DELTA_UNIT));
  gst_buffer_unref (out);
  assert_content (h, "", FALSE);
  assert_fku (h, GST_CLOCK_TIME_NONE, 1);

  push_au (h, 100, TRUE, 100);
  g_assert_true (gst_harness_pull (h) != NULL);
  assert_fku (h, 4100 * MS, 2);
  for (guint i = 1; i < 3; i++) {
    g_assert_cmpint (gst_harness_push (h, gst_buffer_ref (bad[i])), ==, GST_FLOW_OK);
    out = gst_harness_pull (h);
    g_assert_true (out == bad[i]);
    g_assert_false (GST_BUFFER_FLAG_IS_SET (out, GST_BUFFER_FLAG_DELTA_UNIT));
    gst_buffer_unref (out);
    assert_no_fku (h);
  }
  /* kept, in the GOP of the keyframe at 100 (render() shows the flags: K) */
  g_assert_cmpuint (get_uint (h, "current-gops"), ==, 1);
  assert_content (h, "K100 K200 K300", FALSE);
  for (guint i = 0; i < 3; i++)
    gst_buffer_unref (bad[i]);
  gst_harness_teardown (h);
}

/* The byte bound drops the oldest GOPs; a GOP too big for it empties the ring until the next
 * keyframe, with one element warning; everything still passes downstream. */
static void
test_memory_bound (void)
{
  GstHarness *h = video_harness ("max-size-bytes=25000");
  GstBus *bus = gst_bus_new ();
  GstMessage *msg;

  gst_element_set_bus (prebuffer_of (h), bus);
  /* 10 buffers of 1000 bytes per GOP: at most two whole GOPs and a part fit */
  for (guint i = 0; i < 60; i++) {
    push_au (h, i * 100, i % 10 == 0, 1000);
    g_assert_cmpuint (get_u64 (h, "current-level-bytes"), <=, 25000);
  }
  /* the 4 s duration would want five GOPs; 25 buffers fit: K3000 went at 5500 */
  assert_content (h, "K4000..4900 K5000..5900", TRUE);
  g_assert_null (gst_bus_pop_filtered (bus, GST_MESSAGE_WARNING));

  /* a 30-buffer GOP: 26 000 bytes at its 26th buffer */
  for (guint i = 0; i < 30; i++)
    push_au (h, 6000 + i * 100, i == 0, 1000);
  g_assert_cmpuint (get_u64 (h, "current-level-bytes"), ==, 0);
  assert_content (h, "", TRUE);
  push_gops (h, 9000, 2, 10, 100, 1000);
  assert_content (h, "K9000..9900 K10000..10900", TRUE);
  push_gops (h, 11000, 1, 30, 100, 1000);

  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_WARNING);
  g_assert_nonnull (msg);
  {
    GError *error = NULL;

    gst_message_parse_warning (msg, &error, NULL);
    g_assert_true (g_error_matches (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NO_SPACE_LEFT));
    g_assert_nonnull (strstr (error->message, "max-size-bytes"));
    g_error_free (error);
  }
  gst_message_unref (msg);
  g_assert_null (gst_bus_pop_filtered (bus, GST_MESSAGE_WARNING));
  g_assert_cmpuint (gst_harness_buffers_received (h), ==, 60 + 30 + 20 + 30);

  gst_element_set_bus (prebuffer_of (h), NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
}

/* Content bytes vs memory held: buffers that are small windows on large memories. */
static void
test_memory_held (void)
{
  GstHarness *h = video_harness (NULL);
  gsize maxsize = 0;

  gst_harness_set_drop_buffers (h, TRUE);
  for (guint i = 0; i < 20; i++) {
    GstBuffer *big = gst_buffer_new_allocate (NULL, 4096, NULL);
    GstBuffer *au;
    GstMapInfo map;

    g_assert_true (gst_buffer_map (big, &map, GST_MAP_WRITE));
    fill_au (map.data + 100, 1000, i, i % 10 == 0, FALSE);
    gst_buffer_unmap (big, &map);
    au = gst_buffer_copy_region (big, GST_BUFFER_COPY_MEMORY, 100, 1000);
    gst_buffer_unref (big);
    maxsize = gst_buffer_peek_memory (au, 0)->maxsize;
    GST_BUFFER_PTS (au) = GST_BUFFER_DTS (au) = i * 100 * MS;
    if (i % 10)
      GST_BUFFER_FLAG_SET (au, GST_BUFFER_FLAG_DELTA_UNIT);
    g_assert_cmpint (gst_harness_push (h, au), ==, GST_FLOW_OK);
  }
  g_assert_cmpuint (get_u64 (h, "current-level-bytes"), ==, 20 * 1000);
  /* each holds all of its 4096-byte memory (plus the allocator's alignment slack) */
  g_assert_cmpuint (maxsize, >=, 4096);
  g_assert_cmpuint (get_u64 (h, "current-memory-bytes"), ==, 20 * maxsize);
  gst_harness_teardown (h);
}

static void
test_duration_while_playing (void)
{
  GstHarness *h = video_harness (NULL);

  gst_harness_set_drop_buffers (h, TRUE);
  push_gops (h, 0, 6, 10, 100, 10);
  /* 5900 - 1000 >= 4000 drops K0; 5900 - 2000 = 3900 keeps K1000 */
  assert_content (h, "K1000..1900 K2000..2900 K3000..3900 K4000..4900 K5000..5900", TRUE);
  g_object_set (prebuffer_of (h), "duration", 1000, NULL);
  /* trimmed at once: 5900 - 5000 = 900 < 1000 keeps K4000 */
  assert_content (h, "K4000..4900 K5000..5900", TRUE);
  g_assert_cmpuint (get_uint (h, "current-gops"), ==, 2);
  g_object_set (prebuffer_of (h), "duration", 3000, NULL);
  assert_content (h, "K4000..4900 K5000..5900", TRUE);
  push_gops (h, 6000, 4, 10, 100, 10);
  /* 9900 - 7000 = 2900 < 3000 keeps K6000 */
  assert_content (h, "K6000..6900 K7000..7900 K8000..8900 K9000..9900", TRUE);
  g_assert_cmpuint (get_u64 (h, "current-level-time"), ==, 3900 * MS);
  gst_harness_teardown (h);
}

/* The hand-over contract, with the stream running in another thread: every snapshot starts at
 * a keyframe and is contiguous, and the buffers reaching the sink after the query was sent,
 * less those with a DTS not after the snapshot's last, continue it without a gap. */
typedef struct {
  GMutex lock;
  GArray *arrived; /* DTS (ms) of each buffer as it reached the harness sink */
  GstHarness *h;
} Arrivals;

static GstPadProbeReturn
record_arrival (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  Arrivals *a = data;
  gint64 dts = GST_BUFFER_DTS (GST_PAD_PROBE_INFO_BUFFER (info)) / MS;

  g_mutex_lock (&a->lock);
  g_array_append_val (a->arrived, dts);
  g_mutex_unlock (&a->lock);
  return GST_PAD_PROBE_OK;
}

#define HANDOVER_BUFFERS 600

static gpointer
push_stream (gpointer data)
{
  Arrivals *a = data;

  for (guint i = 0; i < HANDOVER_BUFFERS; i++) {
    push_au (a->h, i * 40, i % 25 == 0, 300);
    if (i % 7 == 0)
      g_thread_yield ();
  }
  return NULL;
}

static void
test_handover_threads (void)
{
  GstHarness *h = video_harness ("duration=1000");
  Arrivals a = { .arrived = g_array_new (FALSE, FALSE, sizeof (gint64)), .h = h };
  struct {
    guint from;
    gint64 last;
  } snaps[40];
  guint n_snaps = 0;
  GThread *thread;

  g_mutex_init (&a.lock);
  gst_harness_set_drop_buffers (h, TRUE);
  gst_pad_add_probe (h->sinkpad, GST_PAD_PROBE_TYPE_BUFFER, record_arrival, &a, NULL);
  thread = g_thread_new ("push", push_stream, &a);
  while (n_snaps < G_N_ELEMENTS (snaps)) {
    Content c;
    guint from, n;

    g_mutex_lock (&a.lock);
    from = a.arrived->len;
    g_mutex_unlock (&a.lock);
    if (!query_content (h, &c))
      continue;
    n = gst_buffer_list_length (c.buffers);
    if (n > 0) {
      g_assert_true (is_key (gst_buffer_list_get (c.buffers, 0)));
      for (guint i = 1; i < n; i++)
        g_assert_cmpuint (GST_BUFFER_DTS (gst_buffer_list_get (c.buffers, i)), ==,
            GST_BUFFER_DTS (gst_buffer_list_get (c.buffers, i - 1)) + 40 * MS);
      snaps[n_snaps].from = from;
      snaps[n_snaps].last = GST_BUFFER_DTS (gst_buffer_list_get (c.buffers, n - 1)) / MS;
      n_snaps++;
    }
    content_clear (&c);
    g_usleep (g_random_int_range (0, 2000));
  }
  g_thread_join (thread);

  for (guint s = 0; s < n_snaps; s++) {
    gint64 expect = snaps[s].last + 40;

    for (guint i = snaps[s].from; i < a.arrived->len; i++) {
      gint64 dts = g_array_index (a.arrived, gint64, i);

      if (dts <= snaps[s].last)
        continue;
      g_assert_cmpint (dts, ==, expect);
      expect += 40;
    }
    g_assert_cmpint (expect, ==, HANDOVER_BUFFERS * 40);
  }
  g_mutex_clear (&a.lock);
  g_array_unref (a.arrived);
  gst_harness_teardown (h);
}

/* Video streaming and hand-over queries while other threads change the byte bound (which
 * overflows the ring again and again) and request and release the audio pads. */
static void
test_stress (void)
{
  GstHarness *h = video_harness (NULL);
  GstElement *e = prebuffer_of (h);
  GValue value = G_VALUE_INIT;
  GstHarnessThread *props, *pads;
  gint64 end = g_get_monotonic_time () + G_USEC_PER_SEC / 2;
  gint64 t = 0;
  guint answered = 0;

  gst_harness_set_drop_buffers (h, TRUE);
  g_object_set (e, "duration", 500, "max-size-bytes", (guint64) 5000, NULL);
  g_value_init (&value, G_TYPE_UINT64);
  g_value_set_uint64 (&value, 5000);
  props = gst_harness_stress_property_start_full (h, "max-size-bytes", &value, 100);
  pads = gst_harness_stress_requestpad_start_full (
      h, gst_element_get_pad_template (e, "audio_sink"), "audio_sink", NULL, TRUE, 100);
  while (g_get_monotonic_time () < end) {
    Content c;

    push_au (h, t, t % 1000 == 0, 300);
    t += 40;
    if (query_content (h, &c)) {
      guint n = gst_buffer_list_length (c.buffers);

      answered++;
      if (n > 0)
        g_assert_true (is_key (gst_buffer_list_get (c.buffers, 0)));
      g_assert_cmpuint (n * 300, <=, 5000);
      content_clear (&c);
    }
  }
  g_assert_cmpuint (gst_harness_stress_thread_stop (props), >, 0);
  g_assert_cmpuint (gst_harness_stress_thread_stop (pads), >, 0);
  g_assert_cmpuint (answered, >, 0);
  g_assert_cmpuint (gst_harness_buffers_received (h), ==, t / 40);
  g_value_unset (&value);
  gst_harness_teardown (h);
}

/* Audio on the request pad: its content starts at the oldest video keyframe kept. */
static void
test_audio_follower (void)
{
  GstHarness *h = video_harness ("duration=1000");
  GstElement *e = prebuffer_of (h);
  GstPad *audio_sink = gst_element_request_pad_simple (e, "audio_sink");
  GstHarness *ha;
  Content c;
  gchar *got;
  gint64 audio_t = 0;

  g_assert_nonnull (audio_sink);
  g_assert_cmpstr (GST_PAD_NAME (audio_sink), ==, "audio_sink");
  /* one audio stream only */
  g_assert_null (
      gst_element_request_pad (e, gst_element_get_pad_template (e, "audio_sink"), NULL, NULL));
  ha = gst_harness_new_with_element (e, "audio_sink", "audio_src");
  gst_harness_set_src_caps (ha, gst_caps_ref (aac_caps));
  gst_harness_set_drop_buffers (h, TRUE);
  gst_harness_set_drop_buffers (ha, TRUE);

  /* audio frames of 64 ms from 0, video GOPs of 500 ms from 250 ms */
  for (gint64 v = 250; v < 3000; v += 100) {
    push_au (h, v, (v - 250) % 500 == 0, 500);
    while (audio_t <= v + 30) {
      push_au (ha, audio_t, TRUE, 20);
      audio_t += 64;
    }
  }
  /* 2950 - 2250 = 700 < 1000 keeps K1750; 2950 - 1750 = 1200 dropped K1250 */
  assert_content (h, "K1750..2150 K2250..2650 K2750..2950", TRUE);
  g_assert_true (query_content (ha, &c));
  g_assert_true (gst_caps_is_equal (c.caps, aac_caps));
  got = render (c.buffers, FALSE);
  /* 1750 / 64 = 27.3: the first frame at or after the video start is 28 * 64 = 1792 */
  g_assert_true (g_str_has_prefix (got, "K1792 K1856 K1920 "));
  g_free (got);
  g_assert_cmpuint (gst_buffer_list_length (c.buffers), ==, (audio_t - 1792) / 64);
  g_assert_cmpuint (
      GST_BUFFER_PTS (gst_buffer_list_get (c.buffers, gst_buffer_list_length (c.buffers) - 1)), ==,
      (audio_t - 64) * MS);
  g_assert_cmpuint (c.duration, ==, (audio_t - 64 - 1792) * MS);
  g_assert_cmpuint (
      get_u64 (h, "current-level-bytes"), ==, 13 * 500 + gst_buffer_list_length (c.buffers) * 20);
  content_clear (&c);

  /* an audio caps change clears the audio ring only */
  gst_harness_set_src_caps_str (ha, "audio/mpeg, mpegversion=4, stream-format=raw, "
                                    "codec_data=(buffer)1188");
  g_assert_true (query_content (ha, &c));
  g_assert_cmpuint (gst_buffer_list_length (c.buffers), ==, 0);
  content_clear (&c);
  assert_content (h, "K1750..2150 K2250..2650 K2750..2950", TRUE);

  /* the harness releases the request pad, which takes audio_src with it */
  gst_harness_teardown (ha);
  g_assert_null (GST_PAD_PARENT (audio_sink));
  gst_object_unref (audio_sink);
  g_assert_null (gst_element_get_static_pad (e, "audio_src"));
  /* and it can be requested again */
  audio_sink = gst_element_request_pad_simple (e, "audio_sink");
  g_assert_nonnull (audio_sink);
  gst_element_release_request_pad (e, audio_sink);
  gst_object_unref (audio_sink);
  gst_harness_teardown (h);
}

/* A non-live pipeline: audiotestsrc and voaacenc deliver their whole stream (20 s here) before
 * the encoder's first video frame. The audio is kept while there is no video (up to 60 s), then
 * from the oldest kept keyframe on, whatever its lead over the video, for the first recording and
 * the later ones. */
static void
test_audio_ahead (void)
{
  GstHarness *h = video_harness ("duration=1000");
  GstElement *e = prebuffer_of (h);
  GstPad *audio_sink = gst_element_request_pad_simple (e, "audio_sink");
  GstHarness *ha = gst_harness_new_with_element (e, "audio_sink", "audio_src");
  const guint n_audio = 20000 / 64 + 1; /* 0 .. 19.968 s */
  Content c;

  gst_harness_set_src_caps (ha, gst_caps_ref (aac_caps));
  gst_harness_set_drop_buffers (h, TRUE);
  gst_harness_set_drop_buffers (ha, TRUE);
  for (guint k = 0; k < n_audio; k++)
    push_au (ha, k * 64, TRUE, 20);
  g_assert_true (gst_harness_push_event (ha, gst_event_new_eos ()));
  g_assert_cmpuint (get_u64 (h, "current-level-bytes"), ==, n_audio * 20);

  /* the video from 0 in GOPs of 500 ms: all of the audio is at or after its start */
  push_gops (h, 0, 2, 5, 100, 500);
  g_assert_true (query_content (ha, &c));
  g_assert_cmpuint (gst_buffer_list_length (c.buffers), ==, n_audio);
  g_assert_cmpuint (GST_BUFFER_PTS (gst_buffer_list_get (c.buffers, 0)), ==, 0);
  content_clear (&c);

  /* later: the ring starts at K5500 (6.9 - 6 < 1 s), the audio at the first frame at or after
   * it (86 * 64 = 5504 ms), up to the end of the audio, 13 s ahead */
  push_gops (h, 1000, 12, 5, 100, 500);
  assert_content (h, "K5500..5900 K6000..6400 K6500..6900", TRUE);
  g_assert_true (query_content (ha, &c));
  g_assert_cmpuint (GST_BUFFER_PTS (gst_buffer_list_get (c.buffers, 0)), ==, 5504 * MS);
  g_assert_cmpuint (gst_buffer_list_length (c.buffers), ==, n_audio - 86);
  g_assert_cmpuint (c.duration, ==, (19968 - 5504) * MS);
  content_clear (&c);
  gst_harness_teardown (ha);
  gst_object_unref (audio_sink);
  gst_harness_teardown (h);
}

/* New codec_data: a new init segment, the old content goes. The same caps again keep it. */
static void
test_caps_change (void)
{
  GstHarness *h = video_harness (NULL);
  Content c;

  gst_harness_set_drop_buffers (h, TRUE);
  push_gops (h, 0, 2, 5, 100, 100);
  gst_harness_set_src_caps (h, gst_caps_ref (h264_caps));
  assert_content (h, "K0..400 K500..900", TRUE);

  gst_harness_set_src_caps (h, gst_caps_ref (h264_caps_other));
  g_assert_true (query_content (h, &c));
  g_assert_true (gst_caps_is_equal (c.caps, h264_caps_other));
  g_assert_cmpuint (gst_buffer_list_length (c.buffers), ==, 0);
  g_assert_cmpuint (c.duration, ==, 0);
  content_clear (&c);
  g_assert_cmpuint (get_u64 (h, "current-level-bytes"), ==, 0);

  /* until the next keyframe, nothing is kept; a first delta asks for one at once */
  while (gst_harness_try_pull_upstream_event (h))
    ;
  push_au (h, 1000, FALSE, 100);
  /* (requests 1 and 2 followed K0 and K500) */
  assert_fku (h, GST_CLOCK_TIME_NONE, 3);
  push_au (h, 1100, TRUE, 100);
  assert_content (h, "K1100", FALSE);

  /* H.265 with hvcC */
  gst_harness_set_src_caps (h, gst_caps_ref (h265_caps));
  g_assert_cmpint (gst_harness_push (h, make_au_codec (1200, TRUE, 100, TRUE)), ==, GST_FLOW_OK);
  g_assert_true (query_content (h, &c));
  g_assert_true (gst_caps_is_equal (c.caps, h265_caps));
  g_assert_cmpuint (gst_buffer_list_length (c.buffers), ==, 1);
  content_clear (&c);
  gst_harness_teardown (h);
}

static void
test_flush (void)
{
  GstHarness *h = video_harness (NULL);
  GstSegment segment;

  gst_harness_set_drop_buffers (h, TRUE);
  push_gops (h, 0, 2, 5, 100, 100);
  assert_content (h, "K0..400 K500..900", TRUE);
  g_assert_true (gst_harness_push_event (h, gst_event_new_flush_start ()));
  g_assert_true (gst_harness_push_event (h, gst_event_new_flush_stop (TRUE)));
  /* answered (the caps stay), empty */
  assert_content (h, "", TRUE);
  g_assert_cmpuint (get_u64 (h, "current-level-bytes"), ==, 0);

  /* after a flushing seek: a new segment, earlier timestamps are fine */
  gst_segment_init (&segment, GST_FORMAT_TIME);
  g_assert_true (gst_harness_push_event (h, gst_event_new_segment (&segment)));
  push_gops (h, 200, 1, 3, 100, 100);
  assert_content (h, "K200 300 400", FALSE);
  gst_harness_teardown (h);
}

/* EOS passes and keeps the content; PAUSED->READY drops it. */
static void
test_eos (void)
{
  GstHarness *h = video_harness (NULL);
  GstElement *e = prebuffer_of (h);
  Content c;
  GstEvent *event;

  gst_harness_set_drop_buffers (h, TRUE);
  push_gops (h, 0, 2, 5, 100, 100);
  g_assert_true (gst_harness_push_event (h, gst_event_new_eos ()));
  do {
    event = gst_harness_pull_event (h);
    g_assert_nonnull (event);
    if (GST_EVENT_TYPE (event) == GST_EVENT_EOS) {
      gst_event_unref (event);
      break;
    }
    gst_event_unref (event);
  } while (TRUE);
  assert_content (h, "K0..400 K500..900", TRUE);

  g_assert_cmpint (gst_element_set_state (e, GST_STATE_READY), ==, GST_STATE_CHANGE_SUCCESS);
  g_assert_false (query_content (h, &c));
  g_assert_cmpuint (get_u64 (h, "current-level-bytes"), ==, 0);
  g_assert_cmpuint (get_uint (h, "current-gops"), ==, 0);
  gst_harness_teardown (h);
}

/* A gap passes; a jump in the timestamps does not break the GOPs. */
static void
test_gap (void)
{
  GstHarness *h = video_harness (NULL);
  GstEvent *event;
  gboolean seen = FALSE;

  gst_harness_set_drop_buffers (h, TRUE);
  push_gops (h, 0, 1, 5, 100, 100);
  g_assert_true (gst_harness_push_event (h, gst_event_new_gap (500 * MS, 2000 * MS)));
  while ((event = gst_harness_try_pull_event (h))) {
    if (GST_EVENT_TYPE (event) == GST_EVENT_GAP) {
      GstClockTime ts, duration;

      gst_event_parse_gap (event, &ts, &duration);
      g_assert_cmpuint (ts, ==, 500 * MS);
      g_assert_cmpuint (duration, ==, 2000 * MS);
      seen = TRUE;
    }
    gst_event_unref (event);
  }
  g_assert_true (seen);
  push_au (h, 2500, FALSE, 100);
  push_gops (h, 2600, 1, 3, 100, 100);
  assert_content (h, "K0 100 200 300 400 2500 K2600 2700 2800", FALSE);
  /* 5 s later the old GOPs are no longer needed */
  push_au (h, 7700, FALSE, 100);
  assert_content (h, "K2600 2700 2800 7700", FALSE);
  gst_harness_teardown (h);
}

/* Each keyframe asks for the next one a fragment later, in running time. */
static void
test_fku_cadence (void)
{
  GstHarness *h = video_harness (NULL);
  GstSegment segment;

  gst_harness_set_drop_buffers (h, TRUE);
  gst_segment_init (&segment, GST_FORMAT_TIME);
  segment.start = segment.time = 10 * GST_SECOND;
  g_assert_true (gst_harness_push_event (h, gst_event_new_segment (&segment)));
  while (gst_harness_try_pull_upstream_event (h))
    ;

  push_au (h, 10000, TRUE, 100);
  assert_fku (h, 4 * GST_SECOND, 1);
  for (gint64 t = 10100; t < 14000; t += 100) {
    push_au (h, t, FALSE, 100);
    assert_no_fku (h);
  }
  push_au (h, 14000, TRUE, 100);
  assert_fku (h, 8 * GST_SECOND, 2);

  /* a new fragment duration applies from the next keyframe */
  g_object_set (prebuffer_of (h), "fragment-duration", 2000, NULL);
  push_au (h, 14100, FALSE, 100);
  assert_no_fku (h);
  push_au (h, 18000, TRUE, 100);
  assert_fku (h, 10 * GST_SECOND, 3);

  /* an encoder keyframe of its own earlier than asked: the next request follows it */
  push_au (h, 19000, TRUE, 100);
  assert_fku (h, 11 * GST_SECOND, 4);
  gst_harness_teardown (h);
}

/* An encoder that ignores the request is asked again once the time has passed, then once per
 * fragment. */
static void
test_fku_rerequest (void)
{
  GstHarness *h = video_harness (NULL);

  gst_harness_set_drop_buffers (h, TRUE);
  while (gst_harness_try_pull_upstream_event (h))
    ;
  push_au (h, 0, TRUE, 100);
  assert_fku (h, 4 * GST_SECOND, 1);
  for (gint64 t = 100; t < 4000; t += 100) {
    push_au (h, t, FALSE, 100);
    assert_no_fku (h);
  }
  push_au (h, 4000, FALSE, 100);
  assert_fku (h, 4 * GST_SECOND, 2);
  for (gint64 t = 4100; t < 8000; t += 100) {
    push_au (h, t, FALSE, 100);
    assert_no_fku (h);
  }
  push_au (h, 8000, FALSE, 100);
  assert_fku (h, 4 * GST_SECOND, 3);
  push_au (h, 8100, TRUE, 100);
  assert_fku (h, 12100 * MS, 4);
  gst_harness_teardown (h);
}

/* A stream that starts (or restarts after a flush) with delta units asks for a keyframe at once. */
static void
test_fku_first_not_keyframe (void)
{
  GstHarness *h = video_harness (NULL);

  gst_harness_set_drop_buffers (h, TRUE);
  while (gst_harness_try_pull_upstream_event (h))
    ;
  push_au (h, 0, FALSE, 100);
  assert_fku (h, GST_CLOCK_TIME_NONE, 1);
  push_au (h, 100, FALSE, 100);
  assert_no_fku (h);
  push_au (h, 4000, FALSE, 100);
  assert_fku (h, GST_CLOCK_TIME_NONE, 2);
  push_au (h, 4100, TRUE, 100);
  assert_fku (h, 8100 * MS, 3);

  g_assert_true (gst_harness_push_event (h, gst_event_new_flush_start ()));
  g_assert_true (gst_harness_push_event (h, gst_event_new_flush_stop (TRUE)));
  {
    GstSegment segment;

    gst_segment_init (&segment, GST_FORMAT_TIME);
    g_assert_true (gst_harness_push_event (h, gst_event_new_segment (&segment)));
  }
  push_au (h, 0, FALSE, 100);
  assert_fku (h, GST_CLOCK_TIME_NONE, 4);
  gst_harness_teardown (h);
}

static void
test_fku_disabled (void)
{
  GstHarness *h = video_harness ("force-key-units=false");

  gst_harness_set_drop_buffers (h, TRUE);
  push_au (h, 0, FALSE, 100);
  push_gops (h, 100, 3, 50, 100, 100);
  assert_no_fku (h);
  gst_harness_teardown (h);
}

/* Caps the element cannot prebuffer: a clear element error (or, for another media type, the
 * accept-caps refusal) and not-negotiated. */
typedef struct {
  const gchar *name;
  gboolean audio;
  const gchar *caps;
  const gchar *message; /* part of the error message, NULL: refused without one */
} CapsCase;

static const CapsCase bad_caps[] = {
  { "byte-stream", FALSE,
      "video/x-h264, stream-format=byte-stream, alignment=au, codec_data=(buffer)01640028ffe1",
      "stream-format=avc" },
  { "nal alignment", FALSE,
      "video/x-h264, stream-format=avc, alignment=nal, "
      "codec_data=(buffer)0164001effe100",
      "alignment=au" },
  { "no codec_data", FALSE, "video/x-h264, stream-format=avc, alignment=au", "no codec_data" },
  { "codec_data too short", FALSE,
      "video/x-h264, stream-format=avc, alignment=au, codec_data=(buffer)0164", "version 1" },
  { "codec_data version 0", FALSE,
      "video/x-h264, stream-format=avc, alignment=au, codec_data=(buffer)0064001effe100",
      "version 1" },
  { "nal length 3", FALSE,
      "video/x-h264, stream-format=avc, alignment=au, codec_data=(buffer)0164001efee100",
      "length size of 3" },
  { "h265 hev1", FALSE, "video/x-h265, stream-format=hev1, alignment=au", "stream-format=hvc1" },
  { "h265 no codec_data", FALSE, "video/x-h265, stream-format=hvc1, alignment=au",
      "no codec_data" },
  { "raw video", FALSE, "video/x-raw, format=I420, width=64, height=64", NULL },
  { "adts", TRUE, "audio/mpeg, mpegversion=4, stream-format=adts", "stream-format=raw" },
  { "aac no codec_data", TRUE, "audio/mpeg, mpegversion=4, stream-format=raw", "no codec_data" },
  { "mp3", TRUE, "audio/mpeg, mpegversion=1, layer=3", "AAC" },
  { "raw audio", TRUE, "audio/x-raw, format=S16LE, rate=48000, channels=1", NULL },
};

static void
test_bad_caps (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (bad_caps); i++) {
    const CapsCase *bc = &bad_caps[i];
    GstElement *e = gst_object_ref_sink (gst_element_factory_make ("hksvprebuffer", NULL));
    GstPad *audio_sink = bc->audio ? gst_element_request_pad_simple (e, "audio_sink") : NULL;
    GstHarness *h = bc->audio ? gst_harness_new_with_element (e, "audio_sink", "audio_src")
                              : gst_harness_new_with_element (e, "video_sink", "video_src");
    GstBus *bus = gst_bus_new ();
    GstMessage *msg;

    g_test_message ("caps: %s", bc->name);
    gst_element_set_bus (e, bus);
    gst_harness_set_src_caps_str (h, bc->caps);
    g_assert_cmpint (gst_harness_push (h, make_au (0, TRUE, 10)), ==, GST_FLOW_NOT_NEGOTIATED);
    msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
    if (bc->message) {
      GError *error = NULL;

      g_assert_nonnull (msg);
      gst_message_parse_error (msg, &error, NULL);
      g_assert_true (g_error_matches (error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION));
      g_test_message ("  %s", error->message);
      g_assert_nonnull (strstr (error->message, bc->message));
      g_error_free (error);
      gst_message_unref (msg);
    } else {
      g_assert_null (msg);
    }
    g_assert_cmpuint (gst_harness_buffers_received (h), ==, 0);
    gst_element_set_bus (e, NULL);
    gst_object_unref (bus);
    gst_harness_teardown (h);
    if (audio_sink)
      gst_object_unref (audio_sink);
    gst_object_unref (e);
  }
}

/* Timestamps going backwards or missing: passed on, not prebuffered; a keyframe going back
 * restarts the ring there. A corrupt AU (0 and 1 bytes here) is kept as a delta unit. */
static void
test_bad_timestamps (void)
{
  GstHarness *h = video_harness (NULL);

  gst_harness_set_drop_buffers (h, TRUE);
  push_au (h, 0, TRUE, 100);
  push_au (h, 100, FALSE, 100);
  push_au (h, 200, FALSE, 100);
  push_au (h, 150, FALSE, 100);
  push_au (h, 200, FALSE, 100);
  push_au (h, -1, FALSE, 100);
  push_au (h, -1, TRUE, 100);
  push_au (h, 300, FALSE, 0);
  push_au (h, 400, FALSE, 1);
  assert_content (h, "K0 100 200 300 400", FALSE);
  g_assert_cmpuint (gst_harness_buffers_received (h), ==, 9);

  push_au (h, 250, TRUE, 100);
  push_au (h, 350, FALSE, 100);
  assert_content (h, "K250 350", FALSE);
  gst_harness_teardown (h);
}

/* B-frames: decode order, DTS before the segment start for the first ones (negative running
 * time), PTS out of order. All of it is prebuffered; the duration counts in DTS. */
static void
test_bframes (void)
{
  GstHarness *h = video_harness ("duration=1000");
  const struct {
    gint64 dts, pts;
    gboolean key;
  } frames[] = {
    { 800, 1000, TRUE },
    { 900, 1300, FALSE },
    { 1000, 1100, FALSE },
    { 1100, 1200, FALSE },
    { 1200, 1600, FALSE },
    { 1300, 1400, FALSE },
    { 1400, 1500, FALSE },
    { 1500, 1700, TRUE },
    { 1600, 2000, FALSE },
    { 1700, 1800, FALSE },
    { 1800, 1900, FALSE },
    { 1900, 2100, FALSE },
  };
  GstSegment segment;

  gst_harness_set_drop_buffers (h, TRUE);
  gst_segment_init (&segment, GST_FORMAT_TIME);
  segment.start = segment.time = 1000 * MS;
  g_assert_true (gst_harness_push_event (h, gst_event_new_segment (&segment)));
  for (guint i = 0; i < G_N_ELEMENTS (frames); i++) {
    GstBuffer *buf = make_au (frames[i].pts, frames[i].key, 100);

    GST_BUFFER_DTS (buf) = frames[i].dts * MS;
    g_assert_cmpint (gst_harness_push (h, buf), ==, GST_FLOW_OK);
  }
  assert_content (h, "K1000 1300 1100 1200 1600 1400 1500 K1700 2000 1800 1900 2100", FALSE);
  /* DTS 1900 - 800 */
  g_assert_cmpuint (get_u64 (h, "current-level-time"), ==, 1100 * MS);
  /* DTS 2500 - 1500 = 1000: K1000 goes */
  push_au (h, 2500, FALSE, 100);
  assert_content (h, "K1700 2000 1800 1900 2100 2500", FALSE);
  gst_harness_teardown (h);
}

/* Without a TIME segment nothing is prebuffered (but everything passes). */
static void
test_no_time_segment (void)
{
  GstHarness *h = video_harness (NULL);
  GstSegment segment;

  gst_harness_set_drop_buffers (h, TRUE);
  gst_segment_init (&segment, GST_FORMAT_BYTES);
  g_assert_true (gst_harness_push_event (h, gst_event_new_segment (&segment)));
  push_gops (h, 0, 2, 5, 100, 100);
  assert_content (h, "", TRUE);
  g_assert_cmpuint (gst_harness_buffers_received (h), ==, 10);
  gst_harness_teardown (h);
}

static void
test_query_unanswered (void)
{
  GstHarness *h = gst_harness_new_with_padnames ("hksvprebuffer", "video_sink", "video_src");
  GstQuery *query = hksv_prebuffer_query_new ();
  GstQuery *other = gst_query_new_latency ();
  GstBufferList *list = gst_buffer_list_new ();
  GstStructure *s;
  GstSegment segment;
  Content c;

  g_assert_true (hksv_prebuffer_query_is (query));
  g_assert_false (hksv_prebuffer_query_is (other));
  g_assert_false (hksv_prebuffer_query_parse_content (query, NULL, NULL, NULL, NULL));
  /* an answer of the wrong shape counts as none */
  gst_segment_init (&segment, GST_FORMAT_TIME);
  s = gst_query_writable_structure (query);
  gst_structure_set (s, "caps", G_TYPE_STRING, "video/x-h264", "segment", GST_TYPE_SEGMENT,
      &segment, "buffers", GST_TYPE_BUFFER_LIST, list, "duration", G_TYPE_UINT64, (guint64) 0,
      NULL);
  g_assert_false (hksv_prebuffer_query_parse_content (query, NULL, NULL, NULL, NULL));
  /* the same with caps is an answer */
  gst_structure_set (s, "caps", GST_TYPE_CAPS, h264_caps, NULL);
  g_assert_true (hksv_prebuffer_query_parse_content (query, NULL, NULL, NULL, NULL));
  gst_buffer_list_unref (list);
  gst_query_unref (query);
  gst_query_unref (other);

  /* before caps there is nothing to hand over */
  g_assert_false (query_content (h, &c));
  gst_harness_teardown (h);
}

/* The gst-launch line of the docs links (video_src to the first sink, the audio pads by name)
 * and runs to EOS, after which the content is still there. */
static void
test_launch_line (void)
{
  GError *error = NULL;
  GstElement *pipeline = gst_parse_launch (
      "videotestsrc num-buffers=30 ! video/x-raw,width=64,height=64,framerate=10/1 ! "
      "x264enc key-int-max=200 speed-preset=ultrafast ! h264parse ! "
      "hksvprebuffer name=pb duration=1000 fragment-duration=1000 ! fakesink name=v sync=false "
      "audiotestsrc num-buffers=40 samplesperbuffer=1024 ! audio/x-raw,rate=16000 ! voaacenc ! "
      "aacparse ! pb.audio_sink pb.audio_src ! fakesink name=a sync=false",
      &error);
  GstElement *pb, *v, *a;
  GstPad *pad, *peer, *want;
  GstBus *bus;
  GstMessage *msg;
  guint gops;
  guint64 bytes;

  g_assert_no_error (error);
  pb = gst_bin_get_by_name (GST_BIN (pipeline), "pb");
  v = gst_bin_get_by_name (GST_BIN (pipeline), "v");
  a = gst_bin_get_by_name (GST_BIN (pipeline), "a");
  pad = gst_element_get_static_pad (pb, "video_src");
  peer = gst_pad_get_peer (pad);
  want = gst_element_get_static_pad (v, "sink");
  g_assert_true (peer == want);
  gst_object_unref (pad);
  gst_object_unref (peer);
  gst_object_unref (want);
  pad = gst_element_get_static_pad (pb, "audio_src");
  g_assert_nonnull (pad);
  peer = gst_pad_get_peer (pad);
  want = gst_element_get_static_pad (a, "sink");
  g_assert_true (peer == want);
  gst_object_unref (pad);
  gst_object_unref (peer);
  gst_object_unref (want);

  bus = gst_element_get_bus (pipeline);
  g_assert_cmpint (
      gst_element_set_state (pipeline, GST_STATE_PLAYING), !=, GST_STATE_CHANGE_FAILURE);
  msg = gst_bus_timed_pop_filtered (bus, 60 * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  g_assert_nonnull (msg);
  g_assert_cmpint (GST_MESSAGE_TYPE (msg), ==, GST_MESSAGE_EOS);
  gst_message_unref (msg);
  g_object_get (pb, "current-gops", &gops, "current-level-bytes", &bytes, NULL);
  /* 3 s at a forced key unit per second, duration 1 s: two GOPs */
  g_assert_cmpuint (gops, ==, 2);
  g_assert_cmpuint (bytes, >, 0);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pb);
  gst_object_unref (v);
  gst_object_unref (a);
  gst_object_unref (pipeline);
}

int
main (int argc, char **argv)
{
  int ret;

  /* g_test_init() first: it takes --tap, which gst_check_init() would refuse */
  g_test_init (&argc, &argv, NULL);
  gst_check_init (&argc, &argv);
  capture_all_caps ();

  g_test_add_func ("/hksvprebuffer/properties", test_properties);
  g_test_add_func ("/hksvprebuffer/pass-through", test_pass_through);
  g_test_add_func ("/hksvprebuffer/caps-query", test_caps_query);
  g_test_add_func ("/hksvprebuffer/gop-boundaries", test_gop_boundaries);
  g_test_add_func ("/hksvprebuffer/x264enc", test_x264enc);
  g_test_add_func ("/hksvprebuffer/non-idr-keyframes", test_non_idr_keyframes);
  g_test_add_func ("/hksvprebuffer/corrupt-au", test_corrupt_au);
  g_test_add_func ("/hksvprebuffer/memory-bound", test_memory_bound);
  g_test_add_func ("/hksvprebuffer/memory-held", test_memory_held);
  g_test_add_func ("/hksvprebuffer/duration-while-playing", test_duration_while_playing);
  g_test_add_func ("/hksvprebuffer/handover-threads", test_handover_threads);
  g_test_add_func ("/hksvprebuffer/audio-follower", test_audio_follower);
  g_test_add_func ("/hksvprebuffer/audio-ahead", test_audio_ahead);
  g_test_add_func ("/hksvprebuffer/caps-change", test_caps_change);
  g_test_add_func ("/hksvprebuffer/flush", test_flush);
  g_test_add_func ("/hksvprebuffer/eos", test_eos);
  g_test_add_func ("/hksvprebuffer/gap", test_gap);
  g_test_add_func ("/hksvprebuffer/force-key-unit/cadence", test_fku_cadence);
  g_test_add_func ("/hksvprebuffer/force-key-unit/re-request", test_fku_rerequest);
  g_test_add_func ("/hksvprebuffer/force-key-unit/first-not-keyframe", test_fku_first_not_keyframe);
  g_test_add_func ("/hksvprebuffer/force-key-unit/disabled", test_fku_disabled);
  g_test_add_func ("/hksvprebuffer/bad-input/caps", test_bad_caps);
  g_test_add_func ("/hksvprebuffer/bad-input/timestamps", test_bad_timestamps);
  g_test_add_func ("/hksvprebuffer/bad-input/no-time-segment", test_no_time_segment);
  g_test_add_func ("/hksvprebuffer/b-frames", test_bframes);
  g_test_add_func ("/hksvprebuffer/stress", test_stress);
  g_test_add_func ("/hksvprebuffer/query-unanswered", test_query_unanswered);
  g_test_add_func ("/hksvprebuffer/launch-line", test_launch_line);
  ret = g_test_run ();

  gst_caps_unref (h264_caps);
  gst_caps_unref (h264_caps_other);
  gst_caps_unref (h265_caps);
  gst_caps_unref (aac_caps);
  /* gst_check_init() deinitializes GStreamer at exit */
  return ret;
}
