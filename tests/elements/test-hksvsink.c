/* GstHarness tests of hksvsink (plugins/hksv/gsthksvsink.c).
 *
 * Most tests push synthetic access units (one length-prefixed NAL unit: an IDR slice for
 * keyframes, a non-IDR slice otherwise) and synthetic raw AAC frames under the caps of real
 * encoders (x264enc and voaacenc, captured once at start, codec_data included); the standalone
 * tests record real x264enc output and demux the files with qtdemux. Every chunk stream and every
 * file is checked with the conformance checker (gst/mp4-check.h), and fragments are parsed back
 * to check what went into them. The session C API (what hksvaccessory calls) is looked up in the
 * plugin module; pull mode is driven through the action signals. The element has no timers (the
 * post-motion time runs on buffer running times), so the test clock only keeps the harness off
 * the system clock. */
#include <dlfcn.h>
#include <glib/gstdio.h>
#include <gst/app/gstappsink.h>
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <string.h>

#include "gst/chunker.h"
#include "gst/hksv-motion-event.h"
#include "gst/mp4-check.h"
#include "plugins/hksv/gsthksvsink.h"

#define MS GST_MSECOND
#define FRAME_MS 40 /* 25 fps */
#define AAC_MS 32   /* 1024 samples at 32 kHz */
#define TICKS 3600  /* one frame in the 90 kHz video timescale */

static GstCaps *h264_caps, *h264_caps_other, *aac_caps;
static GPtrArray *x264_buffers; /* real x264enc output: 300 frames, keyframe every 50 */
static GstCaps *x264_caps;

/* The session API, from the plugin module. */
static void (*config_init_fn) (GstHksvSink *, GstHksvSinkSessionConfig *);
static guint (*start_fn) (GstHksvSink *, const GstHksvSinkSessionConfig *,
    const GstHksvSinkSessionCallbacks *, gpointer, GDestroyNotify);
static gboolean (*stop_fn) (GstHksvSink *, guint, gboolean);
static guint (*n_sessions_fn) (GstHksvSink *);

/* ---- set-up ------------------------------------------------------------------------------- */

static GstElement *
run_capture (const gchar *description, GPtrArray *frames, GstCaps **caps)
{
  GError *error = NULL;
  GstElement *pipeline = gst_parse_launch (description, &error);
  GstElement *sink;
  GstSample *sample;

  g_assert_no_error (error);
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  g_assert_cmpint (
      gst_element_set_state (pipeline, GST_STATE_PLAYING), !=, GST_STATE_CHANGE_FAILURE);
  while ((sample = gst_app_sink_pull_sample (GST_APP_SINK (sink)))) {
    if (!*caps)
      *caps = gst_caps_ref (gst_sample_get_caps (sample));
    if (frames)
      g_ptr_array_add (frames, gst_buffer_ref (gst_sample_get_buffer (sample)));
    gst_sample_unref (sample);
    if (!frames)
      break;
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (sink);
  g_assert_nonnull (*caps);
  g_assert_nonnull (gst_structure_get_value (gst_caps_get_structure (*caps, 0), "codec_data"));
  return pipeline;
}

static GstCaps *
capture_caps (const gchar *description)
{
  GstCaps *caps = NULL;

  gst_object_unref (run_capture (description, NULL, &caps));
  return caps;
}

static void
set_up (void)
{
  GstPlugin *plugin, *loaded;
  void *module;

  h264_caps = capture_caps ("videotestsrc num-buffers=1 ! video/x-raw,width=64,height=64 ! "
                            "x264enc ! h264parse ! video/x-h264,stream-format=avc,alignment=au ! "
                            "appsink name=sink");
  h264_caps_other = capture_caps (
      "videotestsrc num-buffers=1 ! video/x-raw,width=128,height=96 ! x264enc ! h264parse ! "
      "video/x-h264,stream-format=avc,alignment=au ! appsink name=sink");
  aac_caps
      = capture_caps ("audiotestsrc num-buffers=4 ! audio/x-raw,rate=32000,channels=1 ! "
                      "voaacenc ! aacparse ! audio/mpeg,stream-format=raw ! appsink name=sink");
  x264_buffers = g_ptr_array_new_with_free_func ((GDestroyNotify) gst_buffer_unref);
  gst_object_unref (
      run_capture ("videotestsrc num-buffers=300 pattern=ball ! "
                   "video/x-raw,width=160,height=120,framerate=25/1 ! "
                   "x264enc key-int-max=50 bframes=0 speed-preset=ultrafast threads=1 "
                   "option-string=scenecut=0 ! h264parse ! "
                   "video/x-h264,stream-format=avc,alignment=au ! appsink name=sink sync=false",
          x264_buffers, &x264_caps));
  g_assert_cmpuint (x264_buffers->len, ==, 300);
  for (guint i = 0; i < x264_buffers->len; i++)
    g_assert_cmpint (
        !GST_BUFFER_FLAG_IS_SET (g_ptr_array_index (x264_buffers, i), GST_BUFFER_FLAG_DELTA_UNIT),
        ==, i % 50 == 0);

  /* the plugin is loaded (RTLD_LOCAL) by the registry; the same handle again, to its symbols */
  plugin = gst_registry_find_plugin (gst_registry_get (), "hksv");
  g_assert_nonnull (plugin);
  loaded = gst_plugin_load (plugin);
  g_assert_nonnull (loaded);
  gst_object_unref (plugin);
  plugin = loaded;
  module = dlopen (gst_plugin_get_filename (plugin), RTLD_LAZY | RTLD_NOLOAD);
  g_assert_nonnull (module);
  config_init_fn = dlsym (module, "gst_hksv_sink_session_config_init");
  start_fn = dlsym (module, "gst_hksv_sink_start_session");
  stop_fn = dlsym (module, "gst_hksv_sink_stop_session");
  n_sessions_fn = dlsym (module, "gst_hksv_sink_get_n_sessions");
  g_assert_true (config_init_fn && start_fn && stop_fn && n_sessions_fn);
  gst_object_unref (plugin);
}

static void
tear_down (void)
{
  gst_caps_unref (h264_caps);
  gst_caps_unref (h264_caps_other);
  gst_caps_unref (aac_caps);
  gst_caps_unref (x264_caps);
  g_ptr_array_unref (x264_buffers);
}

/* ---- buffers ----------------------------------------------------------------------------- */

/* An access unit of `size` bytes: one NAL unit with a 4-byte length (x264's avcC says 4). */
static GstBuffer *
make_au (gint64 ms, gboolean keyframe, gsize size)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, size, NULL);
  GstMapInfo map;

  g_assert_cmpuint (size, >=, 8);
  g_assert_true (gst_buffer_map (buf, &map, GST_MAP_WRITE));
  for (gsize i = 5; i < size; i++)
    map.data[i] = (guint8) (ms * 7 + i);
  map.data[0] = (size - 4) >> 24;
  map.data[1] = (size - 4) >> 16;
  map.data[2] = (size - 4) >> 8;
  map.data[3] = (size - 4) & 0xff;
  map.data[4] = keyframe ? 0x65 : 0x41;
  gst_buffer_unmap (buf, &map);
  GST_BUFFER_PTS (buf) = GST_BUFFER_DTS (buf) = (GstClockTime) ms * MS;
  GST_BUFFER_DURATION (buf) = FRAME_MS * MS;
  if (!keyframe)
    GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_DELTA_UNIT);
  return buf;
}

static void
push_au (GstHarness *h, gint64 ms, gboolean keyframe, gsize size)
{
  g_assert_cmpint (gst_harness_push (h, make_au (ms, keyframe, size)), ==, GST_FLOW_OK);
}

/* Frames at 25 fps from `from_ms` (included) to `to_ms` (excluded), a keyframe every `gop_ms`
 * (on the absolute time line). */
static void
push_video (GstHarness *h, gint64 from_ms, gint64 to_ms, gint64 gop_ms)
{
  for (gint64 t = from_ms; t < to_ms; t += FRAME_MS)
    push_au (h, t, t % gop_ms == 0, 300);
}

static GstBuffer *
make_aac (gint64 ms)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, 60, NULL);

  gst_buffer_memset (buf, 0, 0x21, 60);
  GST_BUFFER_PTS (buf) = GST_BUFFER_DTS (buf) = (GstClockTime) ms * MS;
  GST_BUFFER_DURATION (buf) = AAC_MS * MS;
  return buf;
}

static void
push_audio (GstHarness *ha, gint64 from_ms, gint64 to_ms)
{
  for (gint64 t = from_ms; t < to_ms; t += AAC_MS)
    g_assert_cmpint (gst_harness_push (ha, make_aac (t)), ==, GST_FLOW_OK);
}

/* Video (keyframe every `gop_ms`) and audio from `from_ms` to `to_ms`, interleaved in time as a
 * live pipeline delivers them. */
static void
push_av (GstHarness *h, GstHarness *ha, gint64 from_ms, gint64 to_ms, gint64 gop_ms)
{
  gint64 v = (from_ms + FRAME_MS - 1) / FRAME_MS * FRAME_MS;
  gint64 a = (from_ms + AAC_MS - 1) / AAC_MS * AAC_MS;

  while (v < to_ms || a < to_ms) {
    if (v < to_ms && (v <= a || a >= to_ms)) {
      push_au (h, v, v % gop_ms == 0, 300);
      v += FRAME_MS;
    } else {
      g_assert_cmpint (gst_harness_push (ha, make_aac (a)), ==, GST_FLOW_OK);
      a += AAC_MS;
    }
  }
}

/* ---- harnesses ---------------------------------------------------------------------------- */

typedef struct {
  GstHarness *h;    /* video */
  GstHarness *ha;   /* audio, when asked for */
  GstElement *sink; /* hksvsink */
  GstBus *bus;
} Fixture;

static void
fixture_init (Fixture *f, const gchar *upstream, gboolean audio)
{
  memset (f, 0, sizeof (*f));
  if (upstream) {
    gchar *launch = audio ? g_strdup_printf (
                        "%s name=up ! hksvsink name=sink up.audio_src ! sink.audio", upstream)
                          : g_strdup_printf ("%s ! hksvsink name=sink", upstream);

    f->h = gst_harness_new_parse (launch);
    g_free (launch);
    f->sink = gst_harness_find_element (f->h, "hksvsink");
    gst_object_unref (f->sink); /* the harness keeps it */
  } else {
    f->h = gst_harness_new_with_padnames ("hksvsink", "video", NULL);
    f->sink = f->h->element;
  }
  gst_harness_use_testclock (f->h);
  f->bus = gst_bus_new ();
  gst_element_set_bus (f->h->element, f->bus);
  if (audio) {
    GstElement *up = upstream ? gst_bin_get_by_name (GST_BIN (f->h->element), "up") : NULL;

    /* with an upstream element (hksvprebuffer), the audio goes through it too */
    f->ha = up ? gst_harness_new_with_element (up, "audio_sink", NULL)
               : gst_harness_new_with_element (f->sink, "audio", NULL);
    if (up)
      gst_object_unref (up);
    gst_harness_set_src_caps (f->ha, gst_caps_ref (aac_caps));
  }
  gst_harness_set_src_caps (f->h, gst_caps_ref (h264_caps));
}

static void
fixture_clear (Fixture *f)
{
  if (f->ha)
    gst_harness_teardown (f->ha);
  gst_harness_teardown (f->h);
  gst_bus_set_flushing (f->bus, TRUE);
  gst_object_unref (f->bus);
}

/* The next element message named `name` on the bus (others skipped), or NULL. */
static GstMessage *
pop_element_message (Fixture *f, const gchar *name)
{
  GstMessage *m;

  while ((m = gst_bus_pop (f->bus))) {
    if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_ELEMENT
        && gst_structure_has_name (gst_message_get_structure (m), name))
      return m;
    gst_message_unref (m);
  }
  return NULL;
}

/* Pops messages up to the first of `type`; NULL when there is none. */
static GstMessage *
pop_message (Fixture *f, GstMessageType type)
{
  GstMessage *m;

  while ((m = gst_bus_pop (f->bus))) {
    if (GST_MESSAGE_TYPE (m) == type)
      return m;
    gst_message_unref (m);
  }
  return NULL;
}

/* ---- a consumer of the C API ---------------------------------------------------------------- */

typedef struct {
  GMutex lock;
  GPtrArray *chunks;  /* HksvChunk copies */
  guint refuse_after; /* refuse every chunk after this many (0: accept all) */
  gboolean ended;
  GstHksvSinkEndReason reason;
  gboolean eos_sent;
  guint ended_calls, destroyed;
  guint id;
} Recorder;

static void
recorder_init (Recorder *r)
{
  memset (r, 0, sizeof (*r));
  g_mutex_init (&r->lock);
  r->chunks = g_ptr_array_new_with_free_func ((GDestroyNotify) hksv_chunk_free);
}

static void
recorder_clear (Recorder *r)
{
  g_ptr_array_unref (r->chunks);
  g_mutex_clear (&r->lock);
}

static gboolean
on_chunk (GstHksvSink *sink, guint session, const HksvChunk *chunk, gpointer user_data)
{
  Recorder *r = user_data;
  gboolean ok;

  g_mutex_lock (&r->lock);
  g_assert_false (r->ended);
  ok = r->refuse_after == 0 || r->chunks->len < r->refuse_after;
  if (ok)
    g_ptr_array_add (r->chunks, hksv_chunk_copy (chunk));
  g_mutex_unlock (&r->lock);
  return ok;
}

static void
on_ended (
    GstHksvSink *sink, guint session, GstHksvSinkEndReason reason, gboolean eos, gpointer user_data)
{
  Recorder *r = user_data;

  g_mutex_lock (&r->lock);
  r->ended = TRUE;
  r->reason = reason;
  r->eos_sent = eos;
  r->ended_calls++;
  g_mutex_unlock (&r->lock);
}

static void
on_destroy (gpointer user_data)
{
  Recorder *r = user_data;

  g_assert_true (r->ended);
  r->destroyed++;
}

static const GstHksvSinkSessionCallbacks callbacks = { on_chunk, on_ended };

static guint
start_session (
    Fixture *f, Recorder *r, guint prebuffer_ms, guint max_ms, GstHksvSinkAudioMode audio)
{
  GstHksvSinkSessionConfig config;

  config_init_fn ((GstHksvSink *) f->sink, &config);
  config.prebuffer_ms = prebuffer_ms;
  config.max_duration_ms = max_ms;
  config.audio = audio;
  r->id = start_fn ((GstHksvSink *) f->sink, &config, &callbacks, r, on_destroy);
  return r->id;
}

static gboolean
recorder_ended (Recorder *r)
{
  gboolean ended;

  g_mutex_lock (&r->lock);
  ended = r->ended;
  g_mutex_unlock (&r->lock);
  return ended;
}

/* ---- checking recordings ------------------------------------------------------------------ */

/* Every conformance rule on a chunk stream (`eos`: the stream must end with endOfStream). */
static void
check_chunks (GPtrArray *chunks, guint fragment_ms, HksvMp4AudioExpectation audio, gboolean eos)
{
  HksvMp4CheckOptions options = { 0 };
  g_autoptr (HksvMp4Checker) checker = NULL;
  guint n;

  options.fragment_ms = fragment_ms;
  options.audio = audio;
  checker = hksv_mp4_checker_new (&options);
  if (!eos)
    hksv_mp4_checker_ignore_rule (checker, "chunk.end-of-stream-missing");
  for (guint i = 0; i < chunks->len; i++)
    hksv_mp4_checker_add_chunk (checker, g_ptr_array_index (chunks, i));
  hksv_mp4_checker_finish (checker);
  n = hksv_mp4_checker_n_violations (checker);
  for (guint i = 0; i < n; i++) {
    const HksvMp4Violation *v = hksv_mp4_checker_violation (checker, i);

    g_test_message (
        "violation %s (sequence %" G_GUINT64_FORMAT "): %s", v->rule, v->sequence, v->message);
  }
  g_assert_cmpuint (n, ==, 0);
}

static void
check_file (const gchar *path, guint fragment_ms, HksvMp4AudioExpectation audio)
{
  HksvMp4CheckOptions options = { 0 };
  g_autoptr (HksvMp4Checker) checker = NULL;
  g_autofree gchar *data = NULL;
  gsize len;
  guint n;

  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  options.fragment_ms = fragment_ms;
  options.audio = audio;
  checker = hksv_mp4_checker_new (&options);
  hksv_mp4_checker_add_recording (checker, (const guint8 *) data, len);
  hksv_mp4_checker_finish (checker);
  n = hksv_mp4_checker_n_violations (checker);
  for (guint i = 0; i < n; i++) {
    const HksvMp4Violation *v = hksv_mp4_checker_violation (checker, i);

    g_test_message ("%s: violation %s: %s", path, v->rule, v->message);
  }
  g_assert_cmpuint (n, ==, 0);
}

/* A chunk stream reassembled and parsed. */
typedef struct {
  HksvMp4Init init;
  GPtrArray *bytes;     /* GBytes per data sequence (index 0: init) */
  GPtrArray *fragments; /* HksvMp4Fragment* (index 0: sequence 2) */
} Recording;

static void
recording_parse (Recording *rec, GPtrArray *chunks)
{
  g_autoptr (GByteArray) current = g_byte_array_new ();
  g_autoptr (GError) error = NULL;
  gsize len;
  const guint8 *d;

  memset (rec, 0, sizeof (*rec));
  rec->bytes = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  rec->fragments = g_ptr_array_new_with_free_func ((GDestroyNotify) hksv_mp4_fragment_free);
  for (guint i = 0; i < chunks->len; i++) {
    HksvChunk *c = g_ptr_array_index (chunks, i);

    g_byte_array_append (current, g_bytes_get_data (c->data, NULL), g_bytes_get_size (c->data));
    if (c->is_last_chunk) {
      g_ptr_array_add (rec->bytes, g_byte_array_free_to_bytes (g_steal_pointer (&current)));
      current = g_byte_array_new ();
    }
  }
  g_assert_cmpuint (rec->bytes->len, >=, 1);
  d = g_bytes_get_data (g_ptr_array_index (rec->bytes, 0), &len);
  g_assert_true (hksv_mp4_init_parse (d, len, &rec->init, &error));
  g_assert_no_error (error);
  for (guint i = 1; i < rec->bytes->len; i++) {
    HksvMp4Fragment *frag;

    d = g_bytes_get_data (g_ptr_array_index (rec->bytes, i), &len);
    frag = hksv_mp4_fragment_parse (&rec->init, d, len, &error);
    g_assert_no_error (error);
    g_ptr_array_add (rec->fragments, frag);
  }
}

static void
recording_clear (Recording *rec)
{
  g_ptr_array_unref (rec->bytes);
  g_ptr_array_unref (rec->fragments);
}

/* The traf of the track with `handler` (fourcc) in fragment `i`. */
static HksvMp4Traf *
recording_traf (Recording *rec, guint i, guint32 handler)
{
  HksvMp4Fragment *frag;

  g_assert_cmpuint (i, <, rec->fragments->len);
  frag = g_ptr_array_index (rec->fragments, i);
  for (guint k = 0; k < frag->trafs->len; k++) {
    HksvMp4Traf *t = g_ptr_array_index (frag->trafs, k);

    if (t->track >= 0 && rec->init.tracks[t->track].handler == handler)
      return t;
  }
  return NULL;
}

/* handler types as the checker reads them (big-endian) */
#define VIDE ((guint32) 'v' << 24 | (guint32) 'i' << 16 | (guint32) 'd' << 8 | 'e')
#define SOUN ((guint32) 's' << 24 | (guint32) 'o' << 16 | (guint32) 'u' << 8 | 'n')

static guint
traf_samples (Recording *rec, guint i, guint32 handler)
{
  HksvMp4Traf *t = recording_traf (rec, i, handler);

  g_assert_nonnull (t);
  return t->samples->len;
}

static guint64
traf_tfdt (Recording *rec, guint i, guint32 handler)
{
  HksvMp4Traf *t = recording_traf (rec, i, handler);

  g_assert_nonnull (t);
  return t->tfdt;
}

/* Every video sample of the recording one frame after the previous: no frame lost or repeated. */
static guint
check_video_contiguous (Recording *rec)
{
  guint64 next = 0;
  guint n = 0;

  for (guint i = 0; i < rec->fragments->len; i++) {
    HksvMp4Traf *t = recording_traf (rec, i, VIDE);

    g_assert_cmpuint (t->tfdt, ==, next);
    for (guint k = 0; k < t->samples->len; k++) {
      HksvMp4Sample *s = &g_array_index (t->samples, HksvMp4Sample, k);

      g_assert_cmpuint (s->dts, ==, next);
      g_assert_cmpuint (s->duration, ==, TICKS);
      next += s->duration;
      n++;
    }
  }
  return n;
}

static HksvChunk *
chunk_at (Recorder *r, guint i)
{
  g_assert_cmpuint (i, <, r->chunks->len);
  return g_ptr_array_index (r->chunks, i);
}

static guint
n_sequences (Recorder *r)
{
  guint n = 0;

  for (guint i = 0; i < r->chunks->len; i++)
    n += chunk_at (r, i)->is_last_chunk;
  return n;
}

/* ---- tests -------------------------------------------------------------------------------- */

static void
test_pads (void)
{
  GstElement *e = gst_element_factory_make ("hksvsink", NULL);
  GstPad *v, *a;

  g_assert_nonnull (e);
  v = gst_element_request_pad_simple (e, "video");
  a = gst_element_request_pad_simple (e, "audio");
  g_assert_nonnull (v);
  g_assert_nonnull (a);
  g_assert_cmpstr (GST_PAD_NAME (v), ==, "video");
  g_assert_cmpstr (GST_PAD_NAME (a), ==, "audio");
  /* one stream of each */
  g_assert_null (
      gst_element_request_pad (e, gst_element_get_pad_template (e, "video"), NULL, NULL));
  g_assert_null (
      gst_element_request_pad (e, gst_element_get_pad_template (e, "audio"), NULL, NULL));
  gst_element_release_request_pad (e, v);
  gst_element_release_request_pad (e, a);
  gst_object_unref (v);
  gst_object_unref (a);
  v = gst_element_request_pad_simple (e, "video");
  g_assert_nonnull (v);
  gst_element_release_request_pad (e, v);
  gst_object_unref (v);
  g_assert_true (GST_OBJECT_FLAG_IS_SET (e, GST_ELEMENT_FLAG_SINK));
  gst_object_unref (e);
}

/* Caps the element cannot record: refused with an element error saying why; buffers then are
 * not-negotiated. */
static void
test_bad_caps (void)
{
  static const struct {
    gboolean audio;
    const gchar *caps;
    const gchar *error; /* in the error message; NULL: refused by the pad template */
  } cases[] = {
    { FALSE, "video/x-h264, stream-format=avc, alignment=au, width=64, height=64",
        "without codec_data" },
    { FALSE, "video/x-h264, stream-format=avc, alignment=au, codec_data=(buffer)0142",
        "without width and height" },
    { FALSE,
        "video/x-h264, stream-format=avc, alignment=au, width=64, height=64, "
        "codec_data=(buffer)0142c01effe10000",
        "invalid" },
    { FALSE, "video/x-h264, stream-format=byte-stream, alignment=au, width=64, height=64", NULL },
    { FALSE, "video/x-raw, format=I420, width=64, height=64", NULL },
    { TRUE, "audio/mpeg, mpegversion=4, stream-format=raw, rate=32000, channels=1",
        "without codec_data" },
    /* HE-AAC (object type 5) */
    { TRUE,
        "audio/mpeg, mpegversion=4, stream-format=raw, rate=32000, channels=1, "
        "codec_data=(buffer)2a88",
        "AAC-LC" },
    { TRUE, "audio/mpeg, mpegversion=4, stream-format=adts, rate=32000, channels=1", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    GstHarness *h
        = gst_harness_new_with_padnames ("hksvsink", cases[i].audio ? "audio" : "video", NULL);
    GstBus *bus = gst_bus_new ();
    GstSegment segment;
    GstMessage *m;

    g_test_message ("%s", cases[i].caps);
    gst_element_set_bus (h->element, bus);
    gst_harness_play (h);
    /* refused (sticky: the event is stored upstream and offered again with the buffer) */
    gst_harness_push_event (h, gst_event_new_caps (gst_caps_from_string (cases[i].caps)));
    gst_segment_init (&segment, GST_FORMAT_TIME);
    gst_harness_push_event (h, gst_event_new_segment (&segment));
    g_assert_cmpint (gst_harness_push (h, cases[i].audio ? make_aac (0) : make_au (0, TRUE, 100)),
        ==, GST_FLOW_NOT_NEGOTIATED);
    m = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
    if (cases[i].error) {
      g_autoptr (GError) error = NULL;
      g_autofree gchar *debug = NULL;

      g_assert_nonnull (m);
      gst_message_parse_error (m, &error, &debug);
      g_test_message ("error: %s", error->message);
      g_assert_true (g_error_matches (error, GST_STREAM_ERROR, GST_STREAM_ERROR_WRONG_TYPE));
      g_assert_nonnull (strstr (error->message, cases[i].error));
      gst_message_unref (m);
    } else {
      g_assert_null (m);
    }
    gst_harness_teardown (h);
    gst_bus_set_flushing (bus, TRUE);
    gst_object_unref (bus);
  }
}

/* A session started before any data: the init segment is delivered from start_session itself;
 * fragments are cut at the first keyframe at or after 4 s; stop (TRUE) finishes the current
 * fragment with endOfStream; the ended callback and destroy follow; messages on the bus. */
static void
test_session_live (void)
{
  Fixture f;
  Recorder r;
  Recording rec;
  GstMessage *m;
  const GstStructure *st;
  guint id, u;

  fixture_init (&f, NULL, FALSE);
  recorder_init (&r);
  id = start_session (&f, &r, 0, 0, GST_HKSV_SINK_AUDIO_AUTO);
  g_assert_cmpuint (id, >, 0);
  g_assert_cmpuint (r.chunks->len, ==, 1); /* init, at once */
  g_assert_cmpint (chunk_at (&r, 0)->type, ==, HKSV_CHUNK_MEDIA_INITIALIZATION);
  g_assert_cmpuint (n_sessions_fn ((GstHksvSink *) f.sink), ==, 1);
  m = pop_element_message (&f, "hksv-session");
  g_assert_nonnull (m);
  st = gst_message_get_structure (m);
  g_assert_cmpstr (gst_structure_get_string (st, "event"), ==, "started");
  g_assert_true (gst_structure_get_uint (st, "session", &u));
  g_assert_cmpuint (u, ==, id);
  gst_message_unref (m);

  /* delta frames first: the session waits for a keyframe */
  push_au (f.h, 0, FALSE, 300);
  push_au (f.h, 40, FALSE, 300);
  push_video (f.h, 80, 8080, 4000); /* keyframes at 4 s and 8 s */
  /* fragments cut at 4 s (the keyframe at 4 s) and 8 s: [4 s, 8 s) is complete */
  g_assert_cmpuint (n_sequences (&r), ==, 2);
  push_video (f.h, 8080, 10000, 4000);
  g_assert_true (stop_fn ((GstHksvSink *) f.sink, id, TRUE));
  g_assert_false (stop_fn ((GstHksvSink *) f.sink, id, TRUE));
  g_assert_true (r.ended);
  g_assert_cmpint (r.reason, ==, GST_HKSV_SINK_END_STOPPED);
  g_assert_true (r.eos_sent);
  g_assert_cmpuint (r.ended_calls, ==, 1);
  g_assert_cmpuint (r.destroyed, ==, 1);
  g_assert_cmpuint (n_sessions_fn ((GstHksvSink *) f.sink), ==, 0);

  check_chunks (r.chunks, 4000, HKSV_MP4_AUDIO_NO, TRUE);
  recording_parse (&rec, r.chunks);
  g_assert_cmpuint (rec.fragments->len, ==, 2);
  g_assert_cmpuint (rec.init.n_tracks, ==, 1);
  g_assert_cmpuint (traf_samples (&rec, 0, VIDE), ==, 100);
  g_assert_cmpuint (traf_samples (&rec, 1, VIDE), ==, 50); /* 8 s .. 9.96 s */
  g_assert_cmpuint (check_video_contiguous (&rec), ==, 150);
  recording_clear (&rec);

  m = pop_element_message (&f, "hksv-session");
  g_assert_nonnull (m);
  st = gst_message_get_structure (m);
  g_assert_cmpstr (gst_structure_get_string (st, "event"), ==, "ended");
  {
    guint64 fragments, duration;
    gboolean eos;
    gint reason;

    g_assert_true (gst_structure_get_uint64 (st, "fragments", &fragments));
    g_assert_cmpuint (fragments, ==, 2);
    g_assert_true (gst_structure_get_uint64 (st, "duration", &duration));
    g_assert_cmpuint (duration, ==, 6000 * MS);
    g_assert_true (gst_structure_get_boolean (st, "end-of-stream", &eos));
    g_assert_true (eos);
    g_assert_true (
        gst_structure_get_enum (st, "reason", g_type_from_name ("GstHksvSinkEndReason"), &reason));
    g_assert_cmpint (reason, ==, GST_HKSV_SINK_END_STOPPED);
  }
  gst_message_unref (m);
  recorder_clear (&r);
  fixture_clear (&f);
}

/* The fragment for the boundary test: 100 frames (4 s), the first of `first_size` bytes. */
static gsize
boundary_fragment (gsize first_size, Recorder *r)
{
  Fixture f;
  gsize size = 0;

  fixture_init (&f, NULL, FALSE);
  recorder_init (r);
  start_session (&f, r, 0, 0, GST_HKSV_SINK_AUDIO_NONE);
  push_au (f.h, 0, TRUE, first_size);
  for (gint64 t = FRAME_MS; t < 4000; t += FRAME_MS)
    push_au (f.h, t, FALSE, 2000);
  push_au (f.h, 4000, TRUE, 2000);
  g_assert_cmpuint (n_sequences (r), ==, 2);
  for (guint i = 1; i < r->chunks->len; i++)
    size += g_bytes_get_size (chunk_at (r, i)->data);
  g_assert_true (stop_fn ((GstHksvSink *) f.sink, r->id, TRUE));
  check_chunks (r->chunks, 4000, HKSV_MP4_AUDIO_NO, TRUE);
  fixture_clear (&f);
  return size;
}

/* A fragment of exactly 262144 bytes is one chunk; 262145 bytes are two (262144 + 1), both with
 * the right metadata. The fragment's size is its boxes plus its samples: measured once, then the
 * first AU is sized so that the fragment has each size. */
static void
test_chunking_boundary (void)
{
  static const struct {
    gsize size;
    guint chunks;
  } cases[] = { { 262143, 1 }, { 262144, 1 }, { 262145, 2 }, { 524288, 2 }, { 524289, 3 } };
  Recorder r;
  gsize overhead = boundary_fragment (10000, &r) - 10000;

  recorder_clear (&r);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    gsize got = boundary_fragment (cases[i].size - overhead, &r);
    guint n = 0;

    g_test_message ("fragment of %" G_GSIZE_FORMAT " bytes", cases[i].size);
    g_assert_cmpuint (got, ==, cases[i].size);
    for (guint k = 1; k < r.chunks->len; k++) {
      HksvChunk *c = chunk_at (&r, k);

      if (c->data_sequence_number != 2)
        break;
      n++;
      g_assert_cmpint (c->type, ==, HKSV_CHUNK_MEDIA_FRAGMENT);
      g_assert_cmpuint (c->chunk_sequence_number, ==, n);
      g_assert_cmpint (c->total_size, ==, n == 1 ? (gint64) cases[i].size : -1);
      g_assert_cmpint (c->is_last_chunk, ==, n == cases[i].chunks);
      g_assert_cmpuint (g_bytes_get_size (c->data), ==,
          n < cases[i].chunks ? HKSV_CHUNK_MAX_SIZE
                              : cases[i].size - (n - 1) * HKSV_CHUNK_MAX_SIZE);
      g_assert_false (c->end_of_stream);
    }
    g_assert_cmpuint (n, ==, cases[i].chunks);
    recorder_clear (&r);
  }
}

/* Sessions started at different times each have their own time base (tfdt from 0), sequence
 * numbers and end. */
static void
test_concurrent_sessions (void)
{
  Fixture f;
  Recorder a, b, c;
  Recording rec;

  fixture_init (&f, NULL, FALSE);
  g_object_set (f.sink, "fragment-duration", 2000, NULL); /* = the GOP */
  recorder_init (&a);
  recorder_init (&b);
  recorder_init (&c);
  start_session (&f, &a, 0, 0, GST_HKSV_SINK_AUDIO_AUTO);
  push_video (f.h, 0, 6000, 2000);
  start_session (&f, &b, 0, 0, GST_HKSV_SINK_AUDIO_AUTO); /* first keyframe: 6 s */
  push_video (f.h, 6000, 9000, 2000);
  start_session (&f, &c, 0, 0, GST_HKSV_SINK_AUDIO_AUTO); /* first keyframe: 10 s */
  push_video (f.h, 9000, 16040, 2000);
  g_assert_cmpuint (a.id, !=, b.id);
  g_assert_cmpuint (b.id, !=, c.id);
  g_assert_true (stop_fn ((GstHksvSink *) f.sink, b.id, TRUE));
  push_video (f.h, 16040, 18040, 2000);
  g_assert_true (stop_fn ((GstHksvSink *) f.sink, a.id, TRUE));
  g_assert_true (stop_fn ((GstHksvSink *) f.sink, c.id, FALSE)); /* aborted */

  check_chunks (a.chunks, 2000, HKSV_MP4_AUDIO_NO, TRUE);
  check_chunks (b.chunks, 2000, HKSV_MP4_AUDIO_NO, TRUE);
  check_chunks (c.chunks, 2000, HKSV_MP4_AUDIO_NO, FALSE);
  g_assert_true (a.eos_sent);
  g_assert_true (b.eos_sent);
  g_assert_false (c.eos_sent);

  /* a: 0 .. 18.04 s: fragments at 0, 2, .. 18 (the last one 18 .. 18.04) */
  recording_parse (&rec, a.chunks);
  g_assert_cmpuint (rec.fragments->len, ==, 10);
  g_assert_cmpuint (check_video_contiguous (&rec), ==, 451);
  recording_clear (&rec);
  /* b: 6 .. 16.04 s: its own time base, fragments at 6, 8, .. 16 */
  recording_parse (&rec, b.chunks);
  g_assert_cmpuint (rec.fragments->len, ==, 6);
  g_assert_cmpuint (traf_tfdt (&rec, 0, VIDE), ==, 0);
  g_assert_cmpuint (traf_tfdt (&rec, 1, VIDE), ==, 50 * TICKS);
  g_assert_cmpuint (check_video_contiguous (&rec), ==, 251);
  recording_clear (&rec);
  /* c: 10 s .., aborted at 18.04 s: the fragments from 10 to 18 s, not the partial one */
  recording_parse (&rec, c.chunks);
  g_assert_cmpuint (rec.fragments->len, ==, 4);
  g_assert_cmpuint (check_video_contiguous (&rec), ==, 200);
  recording_clear (&rec);

  recorder_clear (&a);
  recorder_clear (&b);
  recorder_clear (&c);
  fixture_clear (&f);
}

/* With hksvprebuffer upstream: a session takes the prebuffer (from the latest keyframe that still
 * gives 4 s), sends the init segment and the complete prebuffer fragments before start returns,
 * then goes on live without losing or repeating a frame; a second session started later has its
 * own prebuffer and time base. */
static void
test_prebuffer_handover (void)
{
  Fixture f;
  Recorder a, b;
  Recording rec;

  fixture_init (&f, "hksvprebuffer duration=4000 force-key-units=false", TRUE);
  g_object_set (f.sink, "fragment-duration", 2000, NULL); /* = the GOP */
  recorder_init (&a);
  recorder_init (&b);
  push_av (f.h, f.ha, 0, 9500, 2000);
  /* newest video 9.48 s: the keyframe at 4 s is the latest with 4 s before it; the fragments
   * [4 s, 6 s) and [6 s, 8 s) are complete in the prebuffer */
  start_session (&f, &a, 4000, 0, GST_HKSV_SINK_AUDIO_AUTO);
  g_assert_cmpuint (n_sequences (&a), ==, 3);
  push_av (f.h, f.ha, 9500, 12980, 2000);
  /* b at 12.96 s: from the keyframe at 8 s; [8, 10) and [10, 12) complete */
  start_session (&f, &b, 4000, 0, GST_HKSV_SINK_AUDIO_AUTO);
  g_assert_cmpuint (n_sequences (&b), ==, 3);
  push_av (f.h, f.ha, 12980, 20020, 2000);
  g_assert_true (stop_fn ((GstHksvSink *) f.sink, a.id, TRUE));
  g_assert_true (stop_fn ((GstHksvSink *) f.sink, b.id, TRUE));

  check_chunks (a.chunks, 2000, HKSV_MP4_AUDIO_YES, TRUE);
  check_chunks (b.chunks, 2000, HKSV_MP4_AUDIO_YES, TRUE);
  recording_parse (&rec, a.chunks);
  /* 4 s .. 20.04 s, contiguous across the hand-over at 9.48 s */
  g_assert_cmpuint (check_video_contiguous (&rec), ==, 401);
  g_assert_cmpuint (rec.fragments->len, ==, 9);
  g_assert_cmpuint (traf_samples (&rec, 0, VIDE), ==, 50);
  /* audio of [4 s, 6 s): the frames from 4.000 s to 5.984 s, tfdt 0 */
  g_assert_cmpuint (traf_samples (&rec, 0, SOUN), ==, 63);
  g_assert_cmpuint (traf_tfdt (&rec, 0, SOUN), ==, 0);
  g_assert_cmpuint (traf_tfdt (&rec, 1, SOUN), ==, 63 * 1024);
  recording_clear (&rec);
  recording_parse (&rec, b.chunks);
  g_assert_cmpuint (check_video_contiguous (&rec), ==, 301); /* 8 s .. 20.04 s */
  g_assert_cmpuint (traf_tfdt (&rec, 0, VIDE), ==, 0);
  recording_clear (&rec);
  recorder_clear (&a);
  recorder_clear (&b);
  fixture_clear (&f);
}

/* A non-live pipeline through hksvprebuffer: the whole audio (20 s) arrives before the video,
 * then ends (EOS) or not. A session started at 6 s and another at 14 s get the audio of their
 * time from the prebuffer, ahead of the video, for every fragment: the source's frames, no
 * inserted silence. */
static void
test_audio_ahead (void)
{
  for (guint ended = 0; ended < 2; ended++) {
    Fixture f;
    Recorder a, b;
    Recording rec;
    Recorder *recs[] = { &a, &b };
    const guint n_frags[] = { 5, 3 }; /* 0 .. 20 s, 8 .. 20 s */

    g_test_message ("audio %s", ended ? "ended (EOS) before the sessions" : "ahead, not ended");
    fixture_init (&f, "hksvprebuffer duration=4000 force-key-units=false", TRUE);
    recorder_init (&a);
    recorder_init (&b);
    push_audio (f.ha, 0, 20000);
    if (ended)
      g_assert_true (gst_harness_push_event (f.ha, gst_event_new_eos ()));
    push_video (f.h, 0, 6000, 4000);
    /* from the keyframe at 0 (the latest with 4 s before 5.96 s) */
    start_session (&f, &a, 4000, 0, GST_HKSV_SINK_AUDIO_SILENCE_IF_MISSING);
    push_video (f.h, 6000, 14000, 4000);
    start_session (&f, &b, 4000, 0, GST_HKSV_SINK_AUDIO_SILENCE_IF_MISSING); /* from 8 s */
    push_video (f.h, 14000, 20000, 4000);
    g_assert_true (stop_fn ((GstHksvSink *) f.sink, a.id, TRUE));
    g_assert_true (stop_fn ((GstHksvSink *) f.sink, b.id, TRUE));

    for (guint r = 0; r < 2; r++) {
      check_chunks (recs[r]->chunks, 4000, HKSV_MP4_AUDIO_YES, TRUE);
      recording_parse (&rec, recs[r]->chunks);
      g_assert_cmpuint (rec.fragments->len, ==, n_frags[r]);
      for (guint i = 0; i < rec.fragments->len; i++) {
        HksvMp4Traf *t = recording_traf (&rec, i, SOUN);

        g_assert_cmpuint (traf_samples (&rec, i, VIDE), ==, 100);
        /* [4i, 4i + 4) s: 125 frames of 32 ms, each the source's 60 bytes */
        g_assert_cmpuint (t->samples->len, ==, 125);
        g_assert_cmpuint (traf_tfdt (&rec, i, SOUN), ==, i * 125 * 1024);
        for (guint k = 0; k < t->samples->len; k++)
          g_assert_cmpuint (g_array_index (t->samples, HksvMp4Sample, k).size, ==, 60);
      }
      recording_clear (&rec);
    }
    recorder_clear (&a);
    recorder_clear (&b);
    fixture_clear (&f);
  }
}

typedef struct {
  GstHarness *h;
  gint64 until_ms;
  gint stop;
} Pusher;

static gpointer
pusher_thread (gpointer data)
{
  Pusher *p = data;

  for (gint64 t = 0; t < p->until_ms; t += FRAME_MS) {
    push_au (p->h, t, t % 1000 == 0, 200);
    if (t % 400 == 0)
      g_usleep (1000);
  }
  return NULL;
}

/* Sessions started from another thread while the streaming thread pushes: every recording is
 * contiguous from a keyframe, whatever the moment of the snapshot. */
static void
test_handover_threads (void)
{
  Fixture f;
  Pusher p;
  GThread *thread;
  Recorder r[6];
  guint started = 0;

  fixture_init (&f, "hksvprebuffer duration=2000 force-key-units=false", FALSE);
  g_object_set (f.sink, "fragment-duration", 1000, NULL); /* = the GOP */
  p.h = f.h;
  p.until_ms = 60000;
  thread = g_thread_new ("pusher", pusher_thread, &p);
  for (guint i = 0; i < G_N_ELEMENTS (r); i++) {
    recorder_init (&r[i]);
    g_usleep (5000 + i * 3000);
    if (start_session (&f, &r[i], 2000, 0, GST_HKSV_SINK_AUDIO_NONE))
      started++;
  }
  g_usleep (20000);
  for (guint i = 0; i < G_N_ELEMENTS (r); i++)
    stop_fn ((GstHksvSink *) f.sink, r[i].id, TRUE);
  g_thread_join (thread);
  g_assert_cmpuint (started, ==, G_N_ELEMENTS (r));
  for (guint i = 0; i < G_N_ELEMENTS (r); i++) {
    Recording rec;

    g_assert_true (recorder_ended (&r[i]));
    if (r[i].chunks->len > 1) {
      check_chunks (r[i].chunks, 1000, HKSV_MP4_AUDIO_NO, TRUE);
      recording_parse (&rec, r[i].chunks);
      g_test_message ("session %u: %u frames", i, check_video_contiguous (&rec));
      recording_clear (&rec);
    }
    recorder_clear (&r[i]);
  }
  fixture_clear (&f);
}

/* The maximum length ends the recording with endOfStream at that length. */
static void
test_max_duration (void)
{
  Fixture f;
  Recorder r;
  Recording rec;

  fixture_init (&f, NULL, FALSE);
  recorder_init (&r);
  start_session (&f, &r, 0, 10000, GST_HKSV_SINK_AUDIO_AUTO);
  push_video (f.h, 0, 12000, 4000);
  g_assert_true (r.ended);
  g_assert_cmpint (r.reason, ==, GST_HKSV_SINK_END_MAX_DURATION);
  g_assert_true (r.eos_sent);
  g_assert_false (stop_fn ((GstHksvSink *) f.sink, r.id, TRUE));
  check_chunks (r.chunks, 4000, HKSV_MP4_AUDIO_NO, TRUE);
  recording_parse (&rec, r.chunks);
  g_assert_cmpuint (rec.fragments->len, ==, 3);
  g_assert_cmpuint (check_video_contiguous (&rec), ==, 250);
  recording_clear (&rec);
  recorder_clear (&r);
  fixture_clear (&f);
}

/* New caps (other codec_data) end the running sessions at their last complete fragment with
 * endOfStream; a session started afterwards records the new stream. */
static void
test_caps_change (void)
{
  Fixture f;
  Recorder a, b;
  Recording rec;

  fixture_init (&f, NULL, FALSE);
  recorder_init (&a);
  recorder_init (&b);
  start_session (&f, &a, 0, 0, GST_HKSV_SINK_AUDIO_AUTO);
  push_video (f.h, 0, 6000, 4000);
  /* the same caps again: nothing happens */
  g_assert_true (gst_harness_push_event (f.h, gst_event_new_caps (gst_caps_ref (h264_caps))));
  g_assert_false (a.ended);
  g_assert_true (gst_harness_push_event (f.h, gst_event_new_caps (gst_caps_ref (h264_caps_other))));
  g_assert_true (a.ended);
  g_assert_cmpint (a.reason, ==, GST_HKSV_SINK_END_CAPS_CHANGED);
  g_assert_true (a.eos_sent);
  check_chunks (a.chunks, 4000, HKSV_MP4_AUDIO_NO, TRUE);
  recording_parse (&rec, a.chunks);
  g_assert_cmpuint (check_video_contiguous (&rec), ==, 150);
  g_assert_cmpuint (rec.init.tracks[0].width, ==, 64);
  recording_clear (&rec);

  start_session (&f, &b, 0, 0, GST_HKSV_SINK_AUDIO_AUTO);
  push_video (f.h, 6000, 8040, 4000);
  g_assert_true (stop_fn ((GstHksvSink *) f.sink, b.id, TRUE));
  check_chunks (b.chunks, 4000, HKSV_MP4_AUDIO_NO, TRUE);
  recording_parse (&rec, b.chunks);
  g_assert_cmpuint (rec.init.tracks[0].width, ==, 128);
  g_assert_cmpuint (check_video_contiguous (&rec), ==, 1);
  recording_clear (&rec);
  recorder_clear (&a);
  recorder_clear (&b);
  fixture_clear (&f);
}

/* EOS finishes every session with endOfStream, then the element posts EOS (after the sessions'
 * ended messages). */
static void
test_eos (void)
{
  Fixture f;
  Recorder a, b;
  GstMessage *m;
  guint n_ended = 0;

  fixture_init (&f, NULL, TRUE);
  recorder_init (&a);
  recorder_init (&b);
  start_session (&f, &a, 0, 0, GST_HKSV_SINK_AUDIO_AUTO);
  push_av (f.h, f.ha, 0, 3000, 4000);
  start_session (&f, &b, 0, 0, GST_HKSV_SINK_AUDIO_NONE);
  push_av (f.h, f.ha, 3000, 5000, 4000);
  g_assert_true (gst_harness_push_event (f.h, gst_event_new_eos ()));
  g_assert_true (a.ended && b.ended);
  g_assert_cmpint (a.reason, ==, GST_HKSV_SINK_END_EOS);
  g_assert_true (a.eos_sent && b.eos_sent);
  /* the sessions' ended messages; EOS only once the audio pad has it too */
  while ((m = gst_bus_pop (f.bus))) {
    g_assert_cmpint (GST_MESSAGE_TYPE (m), !=, GST_MESSAGE_EOS);
    if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_ELEMENT)
      n_ended
          += g_strcmp0 (gst_structure_get_string (gst_message_get_structure (m), "event"), "ended")
             == 0;
    gst_message_unref (m);
  }
  g_assert_cmpuint (n_ended, ==, 2);
  g_assert_cmpint (gst_harness_push (f.h, make_au (5000, TRUE, 100)), ==, GST_FLOW_EOS);
  g_assert_true (gst_harness_push_event (f.ha, gst_event_new_eos ()));
  m = pop_message (&f, GST_MESSAGE_EOS);
  g_assert_nonnull (m);
  gst_message_unref (m);
  check_chunks (a.chunks, 4000, HKSV_MP4_AUDIO_YES, TRUE);
  check_chunks (b.chunks, 4000, HKSV_MP4_AUDIO_NO, TRUE);
  recorder_clear (&a);
  recorder_clear (&b);
  fixture_clear (&f);
}

/* A flush drops the partial fragment and ends the session without endOfStream. */
static void
test_flush (void)
{
  Fixture f;
  Recorder r;
  Recording rec;

  fixture_init (&f, NULL, FALSE);
  recorder_init (&r);
  start_session (&f, &r, 0, 0, GST_HKSV_SINK_AUDIO_AUTO);
  push_video (f.h, 0, 6000, 4000);
  g_assert_true (gst_harness_push_event (f.h, gst_event_new_flush_start ()));
  g_assert_true (gst_harness_push_event (f.h, gst_event_new_flush_stop (TRUE)));
  g_assert_true (r.ended);
  g_assert_cmpint (r.reason, ==, GST_HKSV_SINK_END_FLUSHED);
  g_assert_false (r.eos_sent);
  check_chunks (r.chunks, 4000, HKSV_MP4_AUDIO_NO, FALSE);
  recording_parse (&rec, r.chunks);
  g_assert_cmpuint (rec.fragments->len, ==, 1); /* [0, 4 s); [4 s, 6 s) dropped */
  recording_clear (&rec);
  /* data after the flush, from 0 again, records in a new session */
  recorder_clear (&r);
  recorder_init (&r);
  {
    GstSegment segment;

    gst_segment_init (&segment, GST_FORMAT_TIME);
    g_assert_true (gst_harness_push_event (f.h, gst_event_new_segment (&segment)));
  }
  start_session (&f, &r, 0, 0, GST_HKSV_SINK_AUDIO_AUTO);
  push_video (f.h, 0, 4040, 4000);
  g_assert_true (stop_fn ((GstHksvSink *) f.sink, r.id, TRUE));
  check_chunks (r.chunks, 4000, HKSV_MP4_AUDIO_NO, TRUE);
  recorder_clear (&r);
  fixture_clear (&f);
}

/* Buffers without timestamps, going backwards, or whose NAL lengths do not match their size are
 * dropped with a warning; the recording around them is intact. */
static void
test_bad_buffers (void)
{
  Fixture f;
  Recorder r;
  Recording rec;
  GstBuffer *buf;
  GstMapInfo map;

  fixture_init (&f, NULL, FALSE);
  recorder_init (&r);
  start_session (&f, &r, 0, 0, GST_HKSV_SINK_AUDIO_AUTO);
  push_video (f.h, 0, 2000, 2000);
  buf = make_au (2000, FALSE, 300);
  GST_BUFFER_PTS (buf) = GST_BUFFER_DTS (buf) = GST_CLOCK_TIME_NONE;
  g_assert_cmpint (gst_harness_push (f.h, buf), ==, GST_FLOW_OK);
  push_au (f.h, 1000, FALSE, 300); /* backwards */
  push_au (f.h, 1960, FALSE, 300); /* repeated */
  buf = make_au (2000, FALSE, 300);
  gst_buffer_map (buf, &map, GST_MAP_WRITE);
  map.data[3] = 0x10; /* NAL length 16, not 296 */
  gst_buffer_unmap (buf, &map);
  g_assert_cmpint (gst_harness_push (f.h, buf), ==, GST_FLOW_OK);
  push_video (f.h, 2040, 4040, 2000);
  g_assert_true (stop_fn ((GstHksvSink *) f.sink, r.id, TRUE));
  check_chunks (r.chunks, 4000, HKSV_MP4_AUDIO_NO, TRUE);
  recording_parse (&rec, r.chunks);
  g_assert_cmpuint (rec.fragments->len, ==, 2);
  /* 0 .. 1.96 s and 2.04 .. 3.96 s: the frame at 2 s was the corrupt one */
  g_assert_cmpuint (traf_samples (&rec, 0, VIDE), ==, 99);
  recording_clear (&rec);
  recorder_clear (&r);
  fixture_clear (&f);
}

/* audio=silence-if-missing without an audio source: every fragment has an audio track of silent
 * AAC-LC frames at the configured rate, covering the video; with an audio source that stops, the
 * gap is filled with silence once the wait has passed. */
static void
test_silence (void)
{
  Fixture f;
  Recorder r;
  Recording rec;

  fixture_init (&f, NULL, FALSE);
  g_object_set (f.sink, "audio", GST_HKSV_SINK_AUDIO_SILENCE_IF_MISSING, "audio-rate", 16000, NULL);
  recorder_init (&r);
  start_session (&f, &r, 0, 0, GST_HKSV_SINK_AUDIO_SILENCE_IF_MISSING);
  push_video (f.h, 0, 8040, 4000);
  g_assert_true (stop_fn ((GstHksvSink *) f.sink, r.id, TRUE));
  check_chunks (r.chunks, 4000, HKSV_MP4_AUDIO_YES, TRUE);
  recording_parse (&rec, r.chunks);
  g_assert_cmpuint (rec.init.n_tracks, ==, 2);
  g_assert_cmpuint (rec.init.tracks[1].sample_rate, ==, 16000);
  /* 4 s at 64 ms per frame: 63 frames (the last ends at 4.032 s), then 62 from there to 8 s */
  g_assert_cmpuint (traf_samples (&rec, 0, SOUN), ==, 63);
  g_assert_cmpuint (traf_samples (&rec, 1, SOUN), ==, 62);
  recording_clear (&rec);
  recorder_clear (&r);
  fixture_clear (&f);

  /* a source that stops at 2 s */
  fixture_init (&f, NULL, TRUE);
  recorder_init (&r);
  start_session (&f, &r, 0, 0, GST_HKSV_SINK_AUDIO_SILENCE_IF_MISSING);
  push_audio (f.ha, 0, 2016);
  push_video (f.h, 0, 5080, 4000); /* more than 1 s after the cut at 4 s */
  g_assert_cmpuint (n_sequences (&r), ==, 2);
  g_assert_true (stop_fn ((GstHksvSink *) f.sink, r.id, TRUE));
  check_chunks (r.chunks, 4000, HKSV_MP4_AUDIO_YES, TRUE);
  recording_parse (&rec, r.chunks);
  g_assert_cmpuint (traf_samples (&rec, 0, SOUN), ==, 125);
  recording_clear (&rec);
  recorder_clear (&r);
  fixture_clear (&f);
}

/* A consumer whose callback refuses chunks loses its own session (with a warning and its ended
 * notification); another session goes on. A pull-mode consumer that does not pull loses its
 * session at the queue bound. */
static void
test_slow_consumer (void)
{
  Fixture f;
  Recorder slow, ok;
  GstMessage *m;
  guint pull_id;
  GstStructure *config;

  fixture_init (&f, NULL, FALSE);
  recorder_init (&slow);
  recorder_init (&ok);
  slow.refuse_after = 2; /* init + one fragment */
  start_session (&f, &slow, 0, 0, GST_HKSV_SINK_AUDIO_AUTO);
  start_session (&f, &ok, 0, 0, GST_HKSV_SINK_AUDIO_AUTO);
  config = gst_structure_new ("config", "max-queued-bytes", G_TYPE_UINT64, (guint64) 60000, NULL);
  g_signal_emit_by_name (f.sink, "start-session", config, &pull_id);
  gst_structure_free (config);
  g_assert_cmpuint (pull_id, >, 0);
  push_video (f.h, 0, 12040, 4000);
  g_assert_true (slow.ended);
  g_assert_cmpint (slow.reason, ==, GST_HKSV_SINK_END_SLOW_CONSUMER);
  g_assert_false (slow.eos_sent);
  g_assert_cmpuint (slow.chunks->len, ==, 2);
  g_assert_false (ok.ended);
  g_assert_cmpuint (n_sessions_fn ((GstHksvSink *) f.sink), ==, 1);
  m = pop_message (&f, GST_MESSAGE_WARNING);
  g_assert_nonnull (m);
  gst_message_unref (m);
  g_assert_true (stop_fn ((GstHksvSink *) f.sink, ok.id, TRUE));
  check_chunks (ok.chunks, 4000, HKSV_MP4_AUDIO_NO, TRUE);
  /* the pull session was lost at 60000 bytes (a 4 s fragment is ~30 KB); its queue is gone */
  {
    GstSample *sample = NULL;

    g_signal_emit_by_name (f.sink, "pull-chunk", pull_id, &sample);
    g_assert_null (sample);
  }
  recorder_clear (&slow);
  recorder_clear (&ok);
  fixture_clear (&f);
}

typedef struct {
  guint new_chunks;
  guint ended;
  gint reason;
  gboolean eos;
} PullCounts;

static void
on_new_chunk (GstElement *sink, guint id, PullCounts *c)
{
  c->new_chunks++;
}

static void
on_session_ended (GstElement *sink, guint id, gint reason, gboolean eos, PullCounts *c)
{
  c->ended++;
  c->reason = reason;
  c->eos = eos;
}

/* Pull mode through the action signals: chunks as GstSamples with their metadata. */
static void
test_pull_mode (void)
{
  Fixture f;
  PullCounts counts = { 0 };
  g_autoptr (GPtrArray) chunks = g_ptr_array_new_with_free_func ((GDestroyNotify) hksv_chunk_free);
  GstStructure *config;
  GstSample *sample;
  guint id;
  gboolean stopped;

  fixture_init (&f, NULL, TRUE);
  g_signal_connect (f.sink, "new-chunk", G_CALLBACK (on_new_chunk), &counts);
  g_signal_connect (f.sink, "session-ended", G_CALLBACK (on_session_ended), &counts);
  config = gst_structure_new ("config", "fragment-duration", G_TYPE_UINT, 2000, "audio",
      G_TYPE_STRING, "silence-if-missing", NULL);
  g_signal_emit_by_name (f.sink, "start-session", config, &id);
  gst_structure_free (config);
  g_assert_cmpuint (id, >, 0);
  g_assert_cmpuint (counts.new_chunks, >=, 1);
  push_av (f.h, f.ha, 0, 4020, 2000);
  g_signal_emit_by_name (f.sink, "stop-session", id, TRUE, &stopped);
  g_assert_true (stopped);
  g_assert_cmpuint (counts.ended, ==, 1);
  g_assert_cmpint (counts.reason, ==, GST_HKSV_SINK_END_STOPPED);
  g_assert_true (counts.eos);
  for (;;) {
    const GstStructure *info;
    HksvChunk chunk = { 0 };
    GstBuffer *buf;
    GstMapInfo map;
    const gchar *type;

    g_signal_emit_by_name (f.sink, "pull-chunk", id, &sample);
    if (!sample)
      break;
    info = gst_sample_get_info (sample);
    g_assert_true (gst_structure_has_name (info, "hksv-chunk"));
    type = gst_structure_get_string (info, "data-type");
    chunk.type = g_str_equal (type, "mediaInitialization") ? HKSV_CHUNK_MEDIA_INITIALIZATION
                                                           : HKSV_CHUNK_MEDIA_FRAGMENT;
    g_assert_true (
        gst_structure_get_uint64 (info, "data-sequence-number", &chunk.data_sequence_number));
    g_assert_true (gst_structure_get_uint64 (
        info, "data-chunk-sequence-number", &chunk.chunk_sequence_number));
    g_assert_true (gst_structure_get_boolean (info, "is-last-data-chunk", &chunk.is_last_chunk));
    g_assert_true (gst_structure_get_int64 (info, "data-total-size", &chunk.total_size));
    g_assert_true (gst_structure_get_boolean (info, "end-of-stream", &chunk.end_of_stream));
    buf = gst_sample_get_buffer (sample);
    gst_buffer_map (buf, &map, GST_MAP_READ);
    chunk.data = g_bytes_new (map.data, map.size);
    gst_buffer_unmap (buf, &map);
    g_ptr_array_add (chunks, hksv_chunk_copy (&chunk));
    g_bytes_unref (chunk.data);
    gst_sample_unref (sample);
  }
  g_assert_cmpuint (chunks->len, ==, 4); /* init, [0, 2), [2, 4), [4, 4.04) */
  check_chunks (chunks, 2000, HKSV_MP4_AUDIO_YES, TRUE);
  g_assert_cmpuint (n_sessions_fn ((GstHksvSink *) f.sink), ==, 0);
  fixture_clear (&f);
}

/* PAUSED -> READY ends every session (finishing its fragment) and leaves nothing behind. */
static void
test_state_change_resets (void)
{
  Fixture f;
  Recorder r;
  guint id;

  fixture_init (&f, NULL, FALSE);
  recorder_init (&r);
  start_session (&f, &r, 0, 0, GST_HKSV_SINK_AUDIO_AUTO);
  g_signal_emit_by_name (f.sink, "start-session", NULL, &id); /* pull mode, never pulled */
  push_video (f.h, 0, 5000, 4000);
  g_assert_cmpint (gst_element_set_state (f.sink, GST_STATE_READY), ==, GST_STATE_CHANGE_SUCCESS);
  g_assert_true (r.ended);
  g_assert_cmpint (r.reason, ==, GST_HKSV_SINK_END_SHUTDOWN);
  g_assert_true (r.eos_sent);
  g_assert_cmpuint (r.destroyed, ==, 1);
  g_assert_cmpuint (n_sessions_fn ((GstHksvSink *) f.sink), ==, 0);
  check_chunks (r.chunks, 4000, HKSV_MP4_AUDIO_NO, TRUE);
  /* and it runs again */
  g_assert_cmpint (gst_element_set_state (f.sink, GST_STATE_PLAYING), ==, GST_STATE_CHANGE_SUCCESS);
  gst_harness_set_src_caps (f.h, gst_caps_ref (h264_caps));
  recorder_clear (&r);
  recorder_init (&r);
  start_session (&f, &r, 0, 0, GST_HKSV_SINK_AUDIO_AUTO);
  push_video (f.h, 0, 2040, 4000);
  g_assert_true (stop_fn ((GstHksvSink *) f.sink, r.id, TRUE));
  check_chunks (r.chunks, 4000, HKSV_MP4_AUDIO_NO, TRUE);
  recorder_clear (&r);
  fixture_clear (&f);
}

/* ---- standalone mode ---------------------------------------------------------------------- */

static void
push_motion (GstHarness *h, gboolean motion, gint64 ms)
{
  HksvMotionInfo info = { motion, 0.5, 0.1, (GstClockTime) ms * MS, (GstClockTime) ms * MS,
    (GstClockTime) ms * MS };

  g_assert_true (gst_harness_push_event (h, hksv_motion_event_new (&info)));
}

/* Pushes the captured x264 frames `from` .. `to` (indexes) at 25 fps, shifted by `offset`. */
static void
push_x264 (GstHarness *h, guint from, guint to, gint64 base_ms)
{
  for (guint i = from; i < to; i++) {
    GstBuffer *buf = gst_buffer_copy (g_ptr_array_index (x264_buffers, i % x264_buffers->len));

    GST_BUFFER_PTS (buf) = GST_BUFFER_DTS (buf) = (GstClockTime) (base_ms + i * FRAME_MS) * MS;
    GST_BUFFER_DURATION (buf) = FRAME_MS * MS;
    g_assert_cmpint (gst_harness_push (h, buf), ==, GST_FLOW_OK);
  }
}

/* The frames qtdemux finds in a file. */
static guint
demux_count (const gchar *path)
{
  g_autofree gchar *launch
      = g_strdup_printf ("filesrc location=\"%s\" ! qtdemux ! appsink name=sink sync=false", path);
  GError *error = NULL;
  GstElement *pipeline = gst_parse_launch (launch, &error);
  GstElement *sink;
  GstSample *sample;
  guint n = 0;

  g_assert_no_error (error);
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  g_assert_cmpint (
      gst_element_set_state (pipeline, GST_STATE_PLAYING), !=, GST_STATE_CHANGE_FAILURE);
  while ((sample = gst_app_sink_pull_sample (GST_APP_SINK (sink)))) {
    n++;
    gst_sample_unref (sample);
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (sink);
  gst_object_unref (pipeline);
  return n;
}

static gchar *
clip_message_location (Fixture *f, const gchar *event)
{
  GstMessage *m = pop_element_message (f, "hksv-clip");
  gchar *location;

  g_assert_nonnull (m);
  g_assert_cmpstr (gst_structure_get_string (gst_message_get_structure (m), "event"), ==, event);
  location = g_strdup (gst_structure_get_string (gst_message_get_structure (m), "location"));
  gst_message_unref (m);
  return location;
}

/* Each motion event becomes its own playable file: from the keyframe at or after the motion (no
 * prebuffer upstream here) to post-motion after it ends; motion again within post-motion extends
 * the clip. */
static void
test_standalone_clips (void)
{
  g_autofree gchar *dir = g_dir_make_tmp ("hksvsink-XXXXXX", NULL);
  g_autofree gchar *pattern = g_build_filename (dir, "clip-%05d.mp4", NULL);
  g_autofree gchar *first = NULL, *second = NULL, *name = NULL;
  Fixture f;

  fixture_init (&f, NULL, FALSE);
  gst_harness_set_src_caps (f.h, gst_caps_ref (x264_caps));
  g_object_set (f.sink, "location", pattern, "post-motion", 2000, "fragment-duration", 2000, NULL);
  push_x264 (f.h, 0, 25, 0);
  push_motion (f.h, TRUE, 1000); /* clip 0 from the keyframe at 2 s */
  first = clip_message_location (&f, "started");
  g_assert_true (g_str_has_suffix (first, "clip-00000.mp4"));
  push_x264 (f.h, 25, 125, 0);
  push_motion (f.h, FALSE, 5000); /* ends at 7 s */
  push_x264 (f.h, 125, 200, 0);
  name = clip_message_location (&f, "finished");
  g_assert_cmpstr (name, ==, first);
  g_clear_pointer (&name, g_free);
  push_motion (f.h, TRUE, 8000); /* clip 1 from the keyframe at 8 s */
  push_x264 (f.h, 200, 225, 0);
  push_motion (f.h, FALSE, 9000);
  push_x264 (f.h, 225, 250, 0);
  push_motion (f.h, TRUE, 10000); /* within post-motion: the same clip */
  push_x264 (f.h, 250, 275, 0);
  push_motion (f.h, FALSE, 11000); /* ends at 13 s */
  push_x264 (f.h, 275, 350, 0);
  second = clip_message_location (&f, "started");
  g_assert_true (g_str_has_suffix (second, "clip-00001.mp4"));
  name = clip_message_location (&f, "finished");
  g_assert_cmpstr (name, ==, second);
  g_assert_null (pop_element_message (&f, "hksv-clip"));
  fixture_clear (&f);

  check_file (first, 2000, HKSV_MP4_AUDIO_NO);
  check_file (second, 2000, HKSV_MP4_AUDIO_NO);
  g_assert_cmpuint (demux_count (first), ==, 125);  /* 2 s .. 7 s */
  g_assert_cmpuint (demux_count (second), ==, 125); /* 8 s .. 13 s */
  g_assert_cmpint (g_unlink (first), ==, 0);
  g_assert_cmpint (g_unlink (second), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* With hksvprebuffer upstream the clip includes the prebuffer (the motion event travels through
 * it in order with the video); the maximum length closes a clip and, motion still on, the next
 * one starts at the next keyframe; EOS closes the open clip. */
static void
test_standalone_prebuffer_and_max (void)
{
  g_autofree gchar *dir = g_dir_make_tmp ("hksvsink-XXXXXX", NULL);
  g_autofree gchar *pattern = g_build_filename (dir, "c%d.mp4", NULL);
  g_autofree gchar *c0 = g_build_filename (dir, "c0.mp4", NULL);
  g_autofree gchar *c1 = g_build_filename (dir, "c1.mp4", NULL);
  g_autofree gchar *c2 = g_build_filename (dir, "c2.mp4", NULL);
  Fixture f;

  fixture_init (&f, "hksvprebuffer duration=2000 force-key-units=false", FALSE);
  gst_harness_set_src_caps (f.h, gst_caps_ref (x264_caps));
  g_object_set (f.sink, "location", pattern, "max-recording-duration", 4000, "prebuffer-duration",
      2000, "fragment-duration", 2000, NULL);
  push_x264 (f.h, 0, 130, 0);    /* to 5.16 s */
  push_motion (f.h, TRUE, 5160); /* prebuffer from the keyframe at 2 s */
  push_x264 (f.h, 130, 300, 0);  /* to 12 s: clip 0 ends at 6 s, clip 1 from 6 s to 10 s */
  g_assert_true (gst_harness_push_event (f.h, gst_event_new_eos ()));
  fixture_clear (&f);

  check_file (c0, 2000, HKSV_MP4_AUDIO_NO);
  check_file (c1, 2000, HKSV_MP4_AUDIO_NO);
  check_file (c2, 2000, HKSV_MP4_AUDIO_NO);
  g_assert_cmpuint (demux_count (c0), ==, 100); /* 2 s .. 6 s */
  g_assert_cmpuint (demux_count (c1), ==, 100); /* 6 s .. 10 s */
  g_assert_cmpuint (demux_count (c2), ==, 50);  /* 10 s .. 12 s, closed by EOS */
  g_unlink (c0);
  g_unlink (c1);
  g_unlink (c2);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* A location without exactly one integer conversion fails the state change with an error. */
static void
test_bad_location (void)
{
  static const gchar *patterns[] = { "clip.mp4", "clip-%d-%d.mp4", "clip-%s.mp4", "%n" };

  for (guint i = 0; i < G_N_ELEMENTS (patterns); i++) {
    GstElement *e = gst_element_factory_make ("hksvsink", NULL);
    GstBus *bus = gst_bus_new ();
    GstMessage *m;

    gst_element_set_bus (e, bus);
    g_object_set (e, "location", patterns[i], NULL);
    g_assert_cmpint (gst_element_set_state (e, GST_STATE_PAUSED), ==, GST_STATE_CHANGE_FAILURE);
    m = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
    g_assert_nonnull (m);
    gst_message_unref (m);
    gst_element_set_state (e, GST_STATE_NULL);
    gst_bus_set_flushing (bus, TRUE);
    gst_object_unref (bus);
    gst_object_unref (e);
  }
}

/* A clip file that cannot be opened is an element error; the stream goes on. */
static void
test_clip_open_error (void)
{
  Fixture f;
  GstMessage *m;
  GError *error = NULL;

  fixture_init (&f, NULL, FALSE);
  g_object_set (f.sink, "location", "/nonexistent-hksvsink-dir/c%d.mp4", NULL);
  push_video (f.h, 0, 1000, 4000);
  push_motion (f.h, TRUE, 1000);
  m = pop_message (&f, GST_MESSAGE_ERROR);
  g_assert_nonnull (m);
  gst_message_parse_error (m, &error, NULL);
  g_test_message ("%s", error->message);
  g_assert_true (g_error_matches (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_OPEN_WRITE));
  g_assert_nonnull (strstr (error->message, "/nonexistent-hksvsink-dir/c0.mp4"));
  g_error_free (error);
  gst_message_unref (m);
  push_video (f.h, 1000, 2000, 4000);
  g_assert_cmpuint (n_sessions_fn ((GstHksvSink *) f.sink), ==, 0);
  fixture_clear (&f);
}

/* Real x264enc output with B-frames (composition offsets) through a session. */
static void
test_x264_bframes (void)
{
  GPtrArray *frames = g_ptr_array_new_with_free_func ((GDestroyNotify) gst_buffer_unref);
  GstCaps *caps = NULL;
  Fixture f;
  Recorder r;

  gst_object_unref (run_capture ("videotestsrc num-buffers=120 pattern=ball ! "
                                 "video/x-raw,width=160,height=120,framerate=25/1 ! "
                                 "x264enc key-int-max=50 bframes=2 speed-preset=ultrafast "
                                 "threads=1 option-string=scenecut=0 ! h264parse ! "
                                 "video/x-h264,stream-format=avc,alignment=au ! "
                                 "appsink name=sink sync=false",
      frames, &caps));
  fixture_init (&f, NULL, FALSE);
  gst_harness_set_src_caps (f.h, caps);
  g_object_set (f.sink, "fragment-duration", 2000, NULL);
  recorder_init (&r);
  start_session (&f, &r, 0, 0, GST_HKSV_SINK_AUDIO_AUTO);
  for (guint i = 0; i < frames->len; i++)
    g_assert_cmpint (
        gst_harness_push (f.h, gst_buffer_ref (g_ptr_array_index (frames, i))), ==, GST_FLOW_OK);
  g_assert_true (stop_fn ((GstHksvSink *) f.sink, r.id, TRUE));
  check_chunks (r.chunks, 2000, HKSV_MP4_AUDIO_NO, TRUE);
  g_assert_cmpuint (n_sequences (&r), ==, 4); /* init + 2 s, 2 s, 0.8 s */
  recorder_clear (&r);
  fixture_clear (&f);
  g_ptr_array_unref (frames);
}

/* Sync samples, fragment starts and the prebuffer's start are the IDR access units, told by
 * their NAL unit types, whatever DELTA_UNIT says: synthetic AUs with the flag contradicting the
 * type, then real x264enc open-GOP output (every keyframe after the first a non-IDR I-frame,
 * which h264parse flags as a keyframe) through hksvprebuffer, with a prebuffer and without. */
static void
test_non_idr_keyframes (void)
{
  GPtrArray *frames = g_ptr_array_new_with_free_func ((GDestroyNotify) gst_buffer_unref);
  GstCaps *caps = NULL;
  guint flagged = 0;
  Fixture f;
  Recorder r, live;
  Recording rec;

  /* an IDR flagged delta starts the session; a non-IDR flagged key does not cut at 2 s */
  fixture_init (&f, NULL, FALSE);
  g_object_set (f.sink, "fragment-duration", 2000, NULL);
  recorder_init (&r);
  start_session (&f, &r, 0, 0, GST_HKSV_SINK_AUDIO_AUTO);
  for (gint64 t = 0; t < 6000; t += FRAME_MS) {
    GstBuffer *buf = make_au (t, t % 4000 == 0, 300);

    if (t == 0)
      GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_DELTA_UNIT);
    if (t == 2000)
      GST_BUFFER_FLAG_UNSET (buf, GST_BUFFER_FLAG_DELTA_UNIT);
    g_assert_cmpint (gst_harness_push (f.h, buf), ==, GST_FLOW_OK);
  }
  g_assert_true (stop_fn ((GstHksvSink *) f.sink, r.id, TRUE));
  check_chunks (r.chunks, 0, HKSV_MP4_AUDIO_NO, TRUE);
  recording_parse (&rec, r.chunks);
  g_assert_cmpuint (rec.fragments->len, ==, 2);
  g_assert_cmpuint (traf_samples (&rec, 0, VIDE), ==, 100); /* 0 .. 3.96 s */
  g_assert_cmpuint (traf_samples (&rec, 1, VIDE), ==, 50);
  recording_clear (&rec);
  recorder_clear (&r);
  fixture_clear (&f);

  gst_object_unref (run_capture ("videotestsrc num-buffers=100 pattern=ball ! "
                                 "video/x-raw,format=I420,width=160,height=120,framerate=25/1 ! "
                                 "x264enc key-int-max=30 bframes=2 speed-preset=ultrafast "
                                 "threads=1 option-string=open-gop=1 ! h264parse ! "
                                 "video/x-h264,stream-format=avc,alignment=au ! "
                                 "appsink name=sink sync=false",
      frames, &caps));
  g_assert_cmpuint (frames->len, ==, 100);
  for (guint i = 1; i < frames->len; i++)
    flagged += !GST_BUFFER_FLAG_IS_SET (frames->pdata[i], GST_BUFFER_FLAG_DELTA_UNIT);
  g_assert_cmpuint (flagged, >=, 2); /* the non-IDR I-frames (the checker below: no IDR) */

  fixture_init (&f, "hksvprebuffer duration=1000 force-key-units=false", FALSE);
  gst_harness_set_src_caps (f.h, caps);
  g_object_set (f.sink, "fragment-duration", 1000, NULL);
  for (guint i = 0; i < 60; i++)
    g_assert_cmpint (gst_harness_push (f.h, gst_buffer_ref (frames->pdata[i])), ==, GST_FLOW_OK);
  /* the prebuffer starts at the only IDR, 2.4 s back; a live session waits for an IDR */
  recorder_init (&r);
  start_session (&f, &r, 1000, 0, GST_HKSV_SINK_AUDIO_AUTO);
  recorder_init (&live);
  start_session (&f, &live, 0, 0, GST_HKSV_SINK_AUDIO_AUTO);
  for (guint i = 60; i < frames->len; i++)
    g_assert_cmpint (gst_harness_push (f.h, gst_buffer_ref (frames->pdata[i])), ==, GST_FLOW_OK);
  g_assert_true (stop_fn ((GstHksvSink *) f.sink, r.id, TRUE));
  g_assert_true (stop_fn ((GstHksvSink *) f.sink, live.id, TRUE));
  check_chunks (r.chunks, 0, HKSV_MP4_AUDIO_NO, TRUE);
  recording_parse (&rec, r.chunks);
  /* one fragment: no IDR after the first to cut at */
  g_assert_cmpuint (rec.fragments->len, ==, 1);
  g_assert_cmpuint (traf_samples (&rec, 0, VIDE), ==, 100);
  g_assert_cmpuint (traf_tfdt (&rec, 0, VIDE), ==, 0);
  recording_clear (&rec);
  g_assert_cmpuint (n_sequences (&live), ==, 1); /* the init segment only */
  g_assert_true (live.ended);
  g_assert_false (live.eos_sent);
  recorder_clear (&live);
  recorder_clear (&r);
  fixture_clear (&f);
  g_ptr_array_unref (frames);
}

int
main (int argc, char **argv)
{
  int ret;

  /* g_test_init() first: it takes --tap, which gst_check_init() would refuse */
  g_test_init (&argc, &argv, NULL);
  gst_check_init (&argc, &argv);
  set_up ();
  g_test_add_func ("/hksvsink/pads", test_pads);
  g_test_add_func ("/hksvsink/bad-caps", test_bad_caps);
  g_test_add_func ("/hksvsink/session-live", test_session_live);
  g_test_add_func ("/hksvsink/chunking-boundary", test_chunking_boundary);
  g_test_add_func ("/hksvsink/concurrent-sessions", test_concurrent_sessions);
  g_test_add_func ("/hksvsink/prebuffer-handover", test_prebuffer_handover);
  g_test_add_func ("/hksvsink/audio-ahead", test_audio_ahead);
  g_test_add_func ("/hksvsink/handover-threads", test_handover_threads);
  g_test_add_func ("/hksvsink/max-duration", test_max_duration);
  g_test_add_func ("/hksvsink/caps-change", test_caps_change);
  g_test_add_func ("/hksvsink/eos", test_eos);
  g_test_add_func ("/hksvsink/flush", test_flush);
  g_test_add_func ("/hksvsink/bad-buffers", test_bad_buffers);
  g_test_add_func ("/hksvsink/silence", test_silence);
  g_test_add_func ("/hksvsink/slow-consumer", test_slow_consumer);
  g_test_add_func ("/hksvsink/pull-mode", test_pull_mode);
  g_test_add_func ("/hksvsink/state-change-resets", test_state_change_resets);
  g_test_add_func ("/hksvsink/standalone-clips", test_standalone_clips);
  g_test_add_func ("/hksvsink/standalone-prebuffer-and-max", test_standalone_prebuffer_and_max);
  g_test_add_func ("/hksvsink/bad-location", test_bad_location);
  g_test_add_func ("/hksvsink/clip-open-error", test_clip_open_error);
  g_test_add_func ("/hksvsink/x264-bframes", test_x264_bframes);
  g_test_add_func ("/hksvsink/non-idr-keyframes", test_non_idr_keyframes);
  ret = g_test_run ();
  tear_down ();
  return ret;
}
