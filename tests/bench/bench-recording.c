/* Benchmark: the recording path (hksvprebuffer + hksvsink) in real pipelines.
 *
 * 1. Cost against the encoder, 1080p30: videotestsrc (SMPTE bars scrolling 2 pixels a frame,
 *    so that x264 has motion to code) ! queue ! x264enc (the pipelines' settings: veryfast,
 *    zerolatency, 3 Mbit/s, Main) ! queue name=q2 ! h264parse ! TAIL, where TAIL is fakesink or
 *    hksvprebuffer ! hksvsink with 0, 1 or 2 recording sessions (started 5 s in, running to the
 *    end, chunks kept by a callback as hksvaccessory would queue them). The second queue gives
 *    h264parse and the TAIL a streaming thread of their own, whose CPU time is read with
 *    CLOCK_THREAD_CPUTIME_ID in that thread when EOS passes (ns resolution). The cost of the
 *    recording path is that thread's time with hksvprebuffer + hksvsink minus its time with
 *    fakesink (h264parse's part, the same in both, cancels). x264enc's time is the process's
 *    CPU time (getrusage) minus the source thread, the tail thread and the main thread: x264's
 *    own threads plus x264enc's handle_frame in the first queue's thread. Each configuration
 *    runs in its own process (fresh RSS), BENCH_REPEAT times (default 2), the least time kept.
 * 2. Memory: hksvprebuffer's current-memory-bytes and current-level-bytes at the end, and the
 *    process's RSS (VmRSS) at the end with the recorder (no session: the session runs keep their
 *    chunks for the checker) minus with fakesink.
 * 3. Session start latency: a pre-encoded 1080p30 file (made once by this program with x264enc,
 *    an IDR every 4 s, AAC audio) played at real time (clocksync) through qtdemux ! h264parse !
 *    hksvprebuffer ! hksvsink; after 9 s (prebuffer full), 50 sessions started 100 ms apart
 *    with gst_hksv_sink_start_session() (the C API hksvaccessory uses; callback mode), each
 *    aborted after it returns. Measured: call to the first chunk (the init segment), and call
 *    to its return (init segment and every prebuffer fragment muxed and delivered).
 * 4. Remux-only path: K pipelines at once of filesrc ! qtdemux ! h264parse ! hksvprebuffer !
 *    hksvsink (audio too, one session each from the first buffer to the end) as fast as
 *    possible on one core (CPU 1 when there are two); streams per core = seconds of video
 *    recorded / CPU seconds. Also with fakesink (demux + parse only) and with the motion branch
 *    of pipelines/remux-motion.sh (decode + hksvmotion) for K = 1. And 32 streams paced at real
 *    time (clocksync, a wake-up per buffer as from a network source): the share of the core
 *    they use, and the streams one core would sustain at that cost.
 *
 * Prints "key: value" lines; tests/bench/run.sh checks the targets. BENCH_FRAMES (default 450)
 * sets the length of the encode runs. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <gst/gst.h>

#include "gst/mp4-check.h"
#include "plugins/hksv/gsthksvsink.h"

#define WIDTH 1920
#define HEIGHT 1080
#define FPS 30
#define FILE_SECONDS 20
#define SESSION_START_FRAME 150
#define LATENCY_STARTS 50

static void (*config_init_fn) (GstHksvSink *, GstHksvSinkSessionConfig *);
static guint (*start_fn) (GstHksvSink *, const GstHksvSinkSessionConfig *,
    const GstHksvSinkSessionCallbacks *, gpointer, GDestroyNotify);
static gboolean (*stop_fn) (GstHksvSink *, guint, gboolean);

static gdouble
thread_cpu_s (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static gdouble
process_cpu_s (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec
         + ru.ru_stime.tv_usec / 1e6;
}

static guint64
status_kb (const gchar *field)
{
  g_autofree gchar *status = NULL;
  const gchar *p;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return 0;
  p = strstr (status, field);
  return p ? g_ascii_strtoull (p + strlen (field) + 1, NULL, 10) : 0;
}

static void
load_session_api (void)
{
  GstPlugin *plugin = gst_registry_find_plugin (gst_registry_get (), "hksv");
  GstPlugin *loaded;
  void *module;

  if (!plugin)
    g_error (
        "the hksv plugin is not found (GST_PLUGIN_PATH_1_0=%s)", g_getenv ("GST_PLUGIN_PATH_1_0"));
  loaded = gst_plugin_load (plugin);
  g_assert_nonnull (loaded);
  module = dlopen (gst_plugin_get_filename (loaded), RTLD_LAZY | RTLD_NOLOAD);
  g_assert_nonnull (module);
  config_init_fn = dlsym (module, "gst_hksv_sink_session_config_init");
  start_fn = dlsym (module, "gst_hksv_sink_start_session");
  stop_fn = dlsym (module, "gst_hksv_sink_stop_session");
  g_assert_true (config_init_fn && start_fn && stop_fn);
  gst_object_unref (plugin);
  gst_object_unref (loaded);
}

/* Runs `pipeline` to EOS (fails on an error), calling `tick` every 10 ms from this thread. */
static void
run_to_eos (GstElement *pipeline, void (*tick) (gpointer), gpointer data)
{
  GstBus *bus = gst_element_get_bus (pipeline);
  gboolean done = FALSE;

  if (gst_element_set_state (pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    g_error ("cannot start the pipeline");
  while (!done) {
    GstMessage *msg = gst_bus_timed_pop_filtered (
        bus, 10 * GST_MSECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR | GST_MESSAGE_WARNING);

    if (msg) {
      GError *err = NULL;

      switch (GST_MESSAGE_TYPE (msg)) {
        case GST_MESSAGE_EOS:
          done = TRUE;
          break;
        case GST_MESSAGE_ERROR:
          gst_message_parse_error (msg, &err, NULL);
          g_error ("%s: %s", GST_MESSAGE_SRC_NAME (msg), err->message);
          break;
        default:
          gst_message_parse_warning (msg, &err, NULL);
          g_printerr ("warning: %s: %s\n", GST_MESSAGE_SRC_NAME (msg), err->message);
          g_error_free (err);
          break;
      }
      gst_message_unref (msg);
    }
    if (tick && !done)
      tick (data);
  }
  gst_object_unref (bus);
}

static GstElement *
parse (const gchar *desc)
{
  GError *error = NULL;
  GstElement *pipeline = gst_parse_launch (desc, &error);

  if (error)
    g_error ("%s\n%s", error->message, desc);
  return pipeline;
}

/* ---- recording sessions with a callback keeping the chunks ---- */

typedef struct {
  GMutex lock;
  GPtrArray *chunks; /* HksvChunk copies, checked after the measurement */
  guint64 bytes;
  gint64 first_chunk_us; /* monotonic time of the first chunk, 0 before */
  gboolean keep;
} Recording;

static gboolean
on_chunk (GstHksvSink *sink, guint session, const HksvChunk *chunk, gpointer user_data)
{
  Recording *r = user_data;

  if (!r->first_chunk_us)
    r->first_chunk_us = g_get_monotonic_time ();
  g_mutex_lock (&r->lock);
  r->bytes += g_bytes_get_size (chunk->data);
  if (r->keep) {
    HksvChunk *copy = g_new (HksvChunk, 1);
    *copy = *chunk;
    copy->data = g_bytes_ref (chunk->data);
    g_ptr_array_add (r->chunks, copy);
  }
  g_mutex_unlock (&r->lock);
  return TRUE;
}

static void
chunk_free (gpointer data)
{
  HksvChunk *c = data;

  g_bytes_unref (c->data);
  g_free (c);
}

static Recording *
recording_new (gboolean keep)
{
  Recording *r = g_new0 (Recording, 1);

  g_mutex_init (&r->lock);
  r->chunks = g_ptr_array_new_with_free_func (chunk_free);
  r->keep = keep;
  return r;
}

static void
recording_free (Recording *r)
{
  g_ptr_array_unref (r->chunks);
  g_mutex_clear (&r->lock);
  g_free (r);
}

static const GstHksvSinkSessionCallbacks callbacks = { on_chunk, NULL };

/* Conformance of a kept chunk stream: the figures are of valid recordings. */
static guint
check_recording (Recording *r, gboolean audio)
{
  HksvMp4CheckOptions opt
      = { .fragment_ms = 4000, .audio = audio ? HKSV_MP4_AUDIO_YES : HKSV_MP4_AUDIO_NO };
  g_autoptr (HksvMp4Checker) checker = hksv_mp4_checker_new (&opt);
  guint n;

  for (guint i = 0; i < r->chunks->len; i++)
    hksv_mp4_checker_add_chunk (checker, g_ptr_array_index (r->chunks, i));
  hksv_mp4_checker_finish (checker);
  n = hksv_mp4_checker_n_violations (checker);
  for (guint i = 0; i < n; i++)
    g_printerr ("checker: %s: %s\n", hksv_mp4_checker_violation (checker, i)->rule,
        hksv_mp4_checker_violation (checker, i)->message);
  return n;
}

/* ---- per-thread CPU at EOS ---- */

typedef struct {
  gdouble cpu_s;
  gint tid;
} ThreadCpu;

static GstPadProbeReturn
eos_cpu_cb (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  ThreadCpu *t = user_data;

  if (GST_EVENT_TYPE (GST_PAD_PROBE_INFO_EVENT (info)) == GST_EVENT_EOS) {
    t->cpu_s = thread_cpu_s ();
    t->tid = (gint) syscall (SYS_gettid);
  }
  return GST_PAD_PROBE_OK;
}

static void
probe_eos_cpu (GstElement *pipeline, const gchar *element, const gchar *pad, ThreadCpu *t)
{
  GstElement *e = gst_bin_get_by_name (GST_BIN (pipeline), element);
  GstPad *p = gst_element_get_static_pad (e, pad);

  gst_pad_add_probe (p, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, eos_cpu_cb, t, NULL);
  gst_object_unref (p);
  gst_object_unref (e);
}

/* ---- 1, 2: the encode pipeline ---- */

typedef struct {
  GstElement *sink;
  guint sessions;
  gint frames; /* passed q2 */
  gboolean started;
  Recording *recordings[2];
} EncodeRun;

static GstPadProbeReturn
count_cb (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  g_atomic_int_inc ((gint *) user_data);
  return GST_PAD_PROBE_OK;
}

static void
encode_tick (gpointer data)
{
  EncodeRun *run = data;

  if (run->started || !run->sink || g_atomic_int_get (&run->frames) < SESSION_START_FRAME)
    return;
  run->started = TRUE;
  for (guint i = 0; i < run->sessions; i++) {
    GstHksvSinkSessionConfig config;

    config_init_fn ((GstHksvSink *) (run->sink), &config);
    config.audio = GST_HKSV_SINK_AUDIO_NONE;
    run->recordings[i] = recording_new (TRUE);
    if (!start_fn ((GstHksvSink *) (run->sink), &config, &callbacks, run->recordings[i], NULL))
      g_error ("session %u did not start", i);
  }
}

static int
child_encode (const gchar *tail, guint frames)
{
  gboolean recorder = strcmp (tail, "fakesink") != 0;
  g_autofree gchar *desc = g_strdup_printf (
      "videotestsrc name=src num-buffers=%u pattern=smpte horizontal-speed=2 ! "
      "video/x-raw,format=I420,width=%u,height=%u,framerate=%u/1 ! queue ! "
      "x264enc speed-preset=veryfast tune=zerolatency bitrate=3000 key-int-max=%u "
      "option-string=scenecut=0 ! "
      "video/x-h264,profile=main ! queue name=q2 ! h264parse ! %s",
      frames, WIDTH, HEIGHT, FPS, FPS * 8,
      recorder ? "hksvprebuffer name=pb ! hksvsink name=s" : "fakesink name=s");
  GstElement *pipeline = parse (desc);
  EncodeRun run = { 0 };
  ThreadCpu src = { 0 }, tail_thread = { 0 };
  gdouble proc0, main0, proc, main_cpu;
  guint64 rss_kb, pb_mem = 0, pb_level = 0, pb_time = 0;
  guint violations = 0;
  GstPad *q2src;
  GstElement *q2;

  if (recorder) {
    run.sink = gst_bin_get_by_name (GST_BIN (pipeline), "s");
    run.sessions = (guint) g_ascii_strtoull (tail + 4, NULL, 10); /* hksvN */
    g_assert_cmpuint (run.sessions, <=, 2);
  }
  probe_eos_cpu (pipeline, "src", "src", &src);
  probe_eos_cpu (pipeline, "q2", "src", &tail_thread);
  q2 = gst_bin_get_by_name (GST_BIN (pipeline), "q2");
  q2src = gst_element_get_static_pad (q2, "src");
  gst_pad_add_probe (q2src, GST_PAD_PROBE_TYPE_BUFFER, count_cb, &run.frames, NULL);
  gst_object_unref (q2src);
  gst_object_unref (q2);

  proc0 = process_cpu_s ();
  main0 = thread_cpu_s ();
  run_to_eos (pipeline, encode_tick, &run);
  proc = process_cpu_s () - proc0;
  main_cpu = thread_cpu_s () - main0;
  rss_kb = status_kb ("VmRSS:");
  if (recorder) {
    GstElement *pb = gst_bin_get_by_name (GST_BIN (pipeline), "pb");
    g_object_get (pb, "current-memory-bytes", &pb_mem, "current-level-bytes", &pb_level,
        "current-level-time", &pb_time, NULL);
    gst_object_unref (pb);
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  if (run.sessions && !run.started)
    g_error ("no session started: fewer than %u frames", SESSION_START_FRAME);
  for (guint i = 0; i < run.sessions; i++) {
    violations += check_recording (run.recordings[i], FALSE);
    printf ("session_%u_bytes: %" G_GUINT64_FORMAT "\n", i, run.recordings[i]->bytes);
    recording_free (run.recordings[i]);
  }
  if (run.sink)
    gst_object_unref (run.sink);
  gst_object_unref (pipeline);

  printf ("frames: %d\n", g_atomic_int_get (&run.frames));
  printf ("process_cpu_s: %.4f\n", proc);
  printf ("source_cpu_s: %.4f\n", src.cpu_s);
  printf ("tail_cpu_s: %.4f\n", tail_thread.cpu_s);
  printf ("main_cpu_s: %.4f\n", main_cpu);
  printf ("x264_cpu_s: %.4f\n", proc - src.cpu_s - tail_thread.cpu_s - main_cpu);
  printf ("rss_kb: %" G_GUINT64_FORMAT "\n", rss_kb);
  printf ("prebuffer_memory_bytes: %" G_GUINT64_FORMAT "\n", pb_mem);
  printf ("prebuffer_level_bytes: %" G_GUINT64_FORMAT "\n", pb_level);
  printf ("prebuffer_level_ms: %.0f\n", pb_time / 1e6);
  printf ("violations: %u\n", violations);
  return 0;
}

/* ---- 3: session start latency ---- */

typedef struct {
  GstElement *sink;
  gint64 next_us;
  guint done;
  gdouble first_ms[LATENCY_STARTS], return_ms[LATENCY_STARTS];
  guint64 bytes[LATENCY_STARTS];
  gboolean warm;
} LatencyRun;

static GstPadProbeReturn
warm_cb (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  LatencyRun *run = user_data;
  GstBuffer *b = GST_PAD_PROBE_INFO_BUFFER (info);

  if (GST_BUFFER_PTS_IS_VALID (b) && GST_BUFFER_PTS (b) >= 9 * GST_SECOND)
    g_atomic_int_set (&run->warm, TRUE);
  return GST_PAD_PROBE_OK;
}

static void
latency_tick (gpointer data)
{
  LatencyRun *run = data;
  GstHksvSinkSessionConfig config;
  Recording *r;
  gint64 t0, t1;
  guint id;

  if (run->done >= LATENCY_STARTS || !g_atomic_int_get (&run->warm)
      || g_get_monotonic_time () < run->next_us)
    return;
  config_init_fn ((GstHksvSink *) (run->sink), &config);
  config.audio = GST_HKSV_SINK_AUDIO_SILENCE_IF_MISSING;
  r = recording_new (FALSE);
  t0 = g_get_monotonic_time ();
  /* the sink frees r after the session's last chunk */
  id = start_fn (
      (GstHksvSink *) (run->sink), &config, &callbacks, r, (GDestroyNotify) recording_free);
  t1 = g_get_monotonic_time ();
  if (!id)
    g_error ("session start %u failed", run->done);
  /* the init segment and the prebuffer came from this thread, before start returned */
  g_mutex_lock (&r->lock);
  if (!r->first_chunk_us)
    g_error ("session start %u gave no chunk before returning", run->done);
  run->first_ms[run->done] = (r->first_chunk_us - t0) / 1e3;
  run->bytes[run->done] = r->bytes;
  g_mutex_unlock (&r->lock);
  run->return_ms[run->done] = (t1 - t0) / 1e3;
  stop_fn ((GstHksvSink *) (run->sink), id, FALSE);
  run->done++;
  run->next_us = t1 + 100000;
}

static int
cmp_double (const void *a, const void *b)
{
  gdouble x = *(const gdouble *) a, y = *(const gdouble *) b;
  return x < y ? -1 : x > y;
}

static int
child_latency (const gchar *file)
{
  g_autofree gchar *desc = g_strdup_printf ("filesrc location=%s ! qtdemux name=d "
                                            "d.video_0 ! queue ! h264parse ! clocksync ! "
                                            "hksvprebuffer name=pb ! hksvsink name=s "
                                            "d.audio_0 ! queue ! aacparse ! clocksync ! "
                                            "pb.audio_sink pb.audio_src ! s.audio",
      file);
  GstElement *pipeline = parse (desc);
  GstElement *pb = gst_bin_get_by_name (GST_BIN (pipeline), "pb");
  GstPad *pad = gst_element_get_static_pad (pb, "video_sink");
  LatencyRun run = { 0 };
  guint64 sum = 0;

  run.sink = gst_bin_get_by_name (GST_BIN (pipeline), "s");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, warm_cb, &run, NULL);
  gst_object_unref (pad);
  run_to_eos (pipeline, latency_tick, &run);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  if (run.done < LATENCY_STARTS)
    g_error ("only %u session starts before the end of the file", run.done);
  for (guint i = 0; i < run.done; i++)
    sum += run.bytes[i];
  qsort (run.first_ms, run.done, sizeof (gdouble), cmp_double);
  qsort (run.return_ms, run.done, sizeof (gdouble), cmp_double);
  printf ("starts: %u\n", run.done);
  printf ("first_chunk_ms_median: %.3f\n", run.first_ms[run.done / 2]);
  printf ("first_chunk_ms_p90: %.3f\n", run.first_ms[run.done * 9 / 10]);
  printf ("first_chunk_ms_max: %.3f\n", run.first_ms[run.done - 1]);
  printf ("start_return_ms_median: %.3f\n", run.return_ms[run.done / 2]);
  printf ("start_return_ms_max: %.3f\n", run.return_ms[run.done - 1]);
  printf ("start_bytes_mean: %" G_GUINT64_FORMAT "\n", sum / run.done);
  gst_object_unref (run.sink);
  gst_object_unref (pb);
  gst_object_unref (pipeline);
  return 0;
}

/* ---- 4: remux-only ---- */

typedef struct {
  GstElement *sink;
  Recording *recording;
  gint started;
} RemuxStream;

static GstPadProbeReturn
remux_first_buffer_cb (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  RemuxStream *s = user_data;
  GstHksvSinkSessionConfig config;

  /* the sink has the caps: record from the first keyframe to the end */
  config_init_fn ((GstHksvSink *) (s->sink), &config);
  config.audio = GST_HKSV_SINK_AUDIO_SILENCE_IF_MISSING;
  config.max_duration_ms = 0;
  if (!start_fn ((GstHksvSink *) (s->sink), &config, &callbacks, s->recording, NULL))
    g_error ("remux session did not start");
  s->started = 1;
  return GST_PAD_PROBE_REMOVE;
}

static const gchar *
remux_tail (const gchar *kind)
{
  if (!strcmp (kind, "parse"))
    return "h264parse ! fakesink d.audio_0 ! queue ! aacparse ! fakesink";
  if (!strcmp (kind, "hksv"))
    return "h264parse ! hksvprebuffer name=pb force-key-units=false ! hksvsink name=s "
           "d.audio_0 ! queue ! aacparse ! pb.audio_sink pb.audio_src ! s.audio";
  if (!strcmp (kind, "hksv-live")) /* at the pace of a camera: a wake-up per buffer */
    return "h264parse ! clocksync ! hksvprebuffer name=pb force-key-units=false ! hksvsink name=s "
           "d.audio_0 ! queue ! aacparse ! clocksync ! pb.audio_sink pb.audio_src ! s.audio";
  /* pipelines/remux-motion.sh: a decoded copy analysed by hksvmotion, events joined in */
  return "h264parse ! tee name=t t. ! queue ! funnel name=f forward-sticky-events=false ! "
         "hksvprebuffer name=pb force-key-units=false ! hksvsink name=s "
         "t. ! queue max-size-buffers=5 max-size-time=0 max-size-bytes=0 ! avdec_h264 ! "
         "videoscale ! video/x-raw,width=320,height=180 ! hksvmotion ! "
         "identity drop-probability=1.0 ! "
         "capssetter join=false replace=true caps=video/x-h264,stream-format=avc,alignment=au ! f. "
         "d.audio_0 ! queue ! aacparse ! pb.audio_sink pb.audio_src ! s.audio";
}

static int
child_remux (const gchar *file, guint k, const gchar *kind)
{
  GstElement *top = gst_pipeline_new ("top");
  RemuxStream *streams = g_new0 (RemuxStream, k);
  gboolean recorder = strcmp (kind, "parse") != 0;
  gdouble proc0, wall0, proc, wall;
  guint violations = 0;
  guint64 bytes = 0;

  /* one pipeline per stream, in one top-level pipeline for a common start and EOS */
  for (guint i = 0; i < k; i++) {
    g_autofree gchar *desc = g_strdup_printf (
        "filesrc location=%s ! qtdemux name=d d.video_0 ! queue ! %s", file, remux_tail (kind));
    GError *error = NULL;
    GstElement *bin = gst_parse_bin_from_description (desc, FALSE, &error);

    if (error)
      g_error ("%s", error->message);
    gst_bin_add (GST_BIN (top), bin);
    if (recorder) {
      GstPad *pad;

      streams[i].sink = gst_bin_get_by_name (GST_BIN (bin), "s");
      streams[i].recording = recording_new (i == 0);
      pad = gst_element_get_static_pad (streams[i].sink, "video"); /* the request pad */
      g_assert_nonnull (pad);
      gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, remux_first_buffer_cb, &streams[i], NULL);
      gst_object_unref (pad);
    }
  }
  proc0 = process_cpu_s ();
  wall0 = g_get_monotonic_time () / 1e6;
  run_to_eos (top, NULL, NULL);
  proc = process_cpu_s () - proc0;
  wall = g_get_monotonic_time () / 1e6 - wall0;
  gst_element_set_state (top, GST_STATE_NULL);
  for (guint i = 0; i < k && recorder; i++) {
    if (!streams[i].started)
      g_error ("stream %u recorded nothing", i);
    bytes += streams[i].recording->bytes;
    if (i == 0)
      violations += check_recording (streams[i].recording, TRUE);
    recording_free (streams[i].recording);
    gst_object_unref (streams[i].sink);
  }
  g_free (streams);
  gst_object_unref (top);
  printf ("streams: %u\n", k);
  printf ("video_s: %u\n", k * FILE_SECONDS);
  printf ("process_cpu_s: %.4f\n", proc);
  printf ("wall_s: %.4f\n", wall);
  printf ("recorded_bytes: %" G_GUINT64_FORMAT "\n", bytes);
  printf ("violations: %u\n", violations);
  return 0;
}

/* ---- the test file ---- */

static int
child_make_file (const gchar *file)
{
  g_autofree gchar *desc = g_strdup_printf (
      "videotestsrc num-buffers=%u pattern=smpte horizontal-speed=2 ! "
      "video/x-raw,format=I420,width=%u,height=%u,framerate=%u/1 ! "
      "x264enc speed-preset=veryfast bitrate=3000 key-int-max=%u "
      "option-string=min-keyint=%u:scenecut=0 ! video/x-h264,profile=main ! h264parse ! "
      "queue ! mp4mux name=m ! filesink location=%s "
      "audiotestsrc wave=sine volume=0.1 samplesperbuffer=640 num-buffers=%u ! "
      "audio/x-raw,rate=32000,channels=1 ! voaacenc bitrate=32000 ! aacparse ! queue ! m.",
      FPS * FILE_SECONDS, WIDTH, HEIGHT, FPS, FPS * 4, FPS * 4, file, FILE_SECONDS * 50);
  GstElement *pipeline = parse (desc);

  run_to_eos (pipeline, NULL, NULL);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
  return 0;
}

/* ---- the driver: each measurement in its own process ---- */

static GHashTable *
run_child (const gchar *self, const gchar *const *args, const gchar *cpu)
{
  GPtrArray *argv = g_ptr_array_new ();
  gchar *out = NULL;
  gint status;
  GError *error = NULL;
  GHashTable *t = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  gchar **lines;

  if (cpu) {
    g_ptr_array_add (argv, (gpointer) "taskset");
    g_ptr_array_add (argv, (gpointer) "-c");
    g_ptr_array_add (argv, (gpointer) cpu);
  }
  g_ptr_array_add (argv, (gpointer) self);
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  if (!g_spawn_sync (NULL, (gchar **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out,
          NULL, &status, &error)
      || !g_spawn_check_wait_status (status, &error))
    g_error ("%s %s: %s", self, args[0], error->message);
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i]; i++) {
    gchar *sep = strstr (lines[i], ": ");
    if (sep)
      g_hash_table_insert (t, g_strndup (lines[i], sep - lines[i]), g_strdup (sep + 2));
  }
  g_strfreev (lines);
  g_free (out);
  g_ptr_array_unref (argv);
  return t;
}

static gdouble
num (GHashTable *t, const gchar *key)
{
  const gchar *v = g_hash_table_lookup (t, key);

  if (!v)
    g_error ("no %s in a child's output", key);
  return g_ascii_strtod (v, NULL);
}

/* The run with the least tail CPU of `repeat` (a shared machine only adds time). */
static GHashTable *
best_encode (const gchar *self, const gchar *tail, const gchar *frames, guint repeat)
{
  GHashTable *best = NULL;

  for (guint i = 0; i < repeat; i++) {
    const gchar *args[] = { "--encode", tail, frames, NULL };
    GHashTable *t = run_child (self, args, NULL);

    if (num (t, "violations") != 0)
      g_error ("%s: the recordings have checker violations", tail);
    if (!best || num (t, "tail_cpu_s") < num (best, "tail_cpu_s")) {
      if (best)
        g_hash_table_unref (best);
      best = t;
    } else {
      g_hash_table_unref (t);
    }
  }
  return best;
}

int
main (int argc, char **argv)
{
  const gchar *tails[] = { "fakesink", "hksv0", "hksv1", "hksv2" };
  GHashTable *enc[G_N_ELEMENTS (tails)];
  g_autofree gchar *self = NULL;
  g_autofree gchar *dir = NULL;
  g_autofree gchar *file = NULL;
  g_autofree gchar *uptime = NULL;
  const gchar *frames = g_getenv ("BENCH_FRAMES") ? g_getenv ("BENCH_FRAMES") : "450";
  guint repeat = g_getenv ("BENCH_REPEAT") ? atoi (g_getenv ("BENCH_REPEAT")) : 2;
  const gchar *remux_cpu = sysconf (_SC_NPROCESSORS_ONLN) > 1 ? "1" : "0";
  GHashTable *lat, *remux1, *remux8, *parse8, *motion1, *live32;
  gdouble x264;

  if (!g_getenv ("GST_PLUGIN_PATH_1_0"))
    g_setenv ("GST_PLUGIN_PATH_1_0", BENCH_HKSV_PLUGIN_DIR, TRUE);
  if (!g_getenv ("GST_REGISTRY_1_0"))
    g_setenv ("GST_REGISTRY_1_0", BENCH_REGISTRY, TRUE);
  gst_init (&argc, &argv);

  if (argc >= 2 && argv[1][0] == '-') {
    if (!strcmp (argv[1], "--make-file") && argc == 3)
      return child_make_file (argv[2]);
    load_session_api ();
    if (!strcmp (argv[1], "--encode") && argc == 4)
      return child_encode (argv[2], (guint) g_ascii_strtoull (argv[3], NULL, 10));
    if (!strcmp (argv[1], "--latency") && argc == 3)
      return child_latency (argv[2]);
    if (!strcmp (argv[1], "--remux") && argc == 5)
      return child_remux (argv[2], (guint) g_ascii_strtoull (argv[3], NULL, 10), argv[4]);
    g_printerr ("usage: bench-recording [--encode TAIL FRAMES | --latency FILE | "
                "--remux FILE K parse|hksv|motion | --make-file FILE]\n");
    return 2;
  }

  self = g_file_read_link ("/proc/self/exe", NULL);
  g_file_get_contents ("/proc/loadavg", &uptime, NULL, NULL);
  printf ("recording_load: %s", uptime ? uptime : "?\n");
  printf ("recording_stream: %ux%u@%u x264enc veryfast zerolatency 3000 kbit/s, %s frames\n", WIDTH,
      HEIGHT, FPS, frames);

  /* 1, 2 */
  for (guint i = 0; i < G_N_ELEMENTS (tails); i++) {
    enc[i] = best_encode (self, tails[i], frames, repeat);
    printf ("recording_%s_tail_cpu_s: %.4f\n", tails[i], num (enc[i], "tail_cpu_s"));
    printf ("recording_%s_x264_cpu_s: %.4f\n", tails[i], num (enc[i], "x264_cpu_s"));
    printf ("recording_%s_rss_kb: %.0f\n", tails[i], num (enc[i], "rss_kb"));
  }
  x264 = num (enc[2], "x264_cpu_s");
  printf ("recording_x264_ms_per_frame: %.3f\n", x264 * 1e3 / num (enc[2], "frames"));
  for (guint i = 1; i < G_N_ELEMENTS (tails); i++) {
    gdouble extra = num (enc[i], "tail_cpu_s") - num (enc[0], "tail_cpu_s");

    printf ("recording_cpu_us_per_frame_%u_sessions: %.1f\n", i - 1,
        extra * 1e6 / num (enc[i], "frames"));
    printf ("recording_cpu_pct_of_x264_%u_sessions: %.3f\n", i - 1,
        100.0 * extra / num (enc[i], "x264_cpu_s"));
  }
  printf ("prebuffer_memory_bytes: %.0f\n", num (enc[2], "prebuffer_memory_bytes"));
  printf ("prebuffer_level_bytes: %.0f\n", num (enc[2], "prebuffer_level_bytes"));
  printf ("prebuffer_level_ms: %.0f\n", num (enc[2], "prebuffer_level_ms"));
  printf ("prebuffer_memory_ratio: %.3f\n",
      num (enc[2], "prebuffer_memory_bytes") / num (enc[2], "prebuffer_level_bytes"));
  /* without sessions: with one, the RSS also holds the chunks this program keeps to check */
  printf ("recording_rss_extra_kb: %.0f\n", num (enc[1], "rss_kb") - num (enc[0], "rss_kb"));
  printf ("prebuffer_memory_bytes_0_sessions: %.0f\n", num (enc[1], "prebuffer_memory_bytes"));

  /* 3, 4 */
  dir = g_dir_make_tmp ("bench-recording-XXXXXX", NULL);
  file = g_build_filename (dir, "1080p30.mp4", NULL);
  {
    const gchar *args[] = { "--make-file", file, NULL };
    g_hash_table_unref (run_child (self, args, NULL));
  }
  {
    const gchar *args[] = { "--latency", file, NULL };
    lat = run_child (self, args, NULL);
  }
  printf ("session_start_to_first_chunk_ms_median: %.3f\n", num (lat, "first_chunk_ms_median"));
  printf ("session_start_to_first_chunk_ms_p90: %.3f\n", num (lat, "first_chunk_ms_p90"));
  printf ("session_start_to_first_chunk_ms_max: %.3f\n", num (lat, "first_chunk_ms_max"));
  printf ("session_start_return_ms_median: %.3f\n", num (lat, "start_return_ms_median"));
  printf ("session_start_return_ms_max: %.3f\n", num (lat, "start_return_ms_max"));
  printf ("session_start_prebuffer_bytes_mean: %.0f\n", num (lat, "start_bytes_mean"));
  {
    const gchar *a1[] = { "--remux", file, "1", "hksv", NULL };
    const gchar *a8[] = { "--remux", file, "8", "hksv", NULL };
    const gchar *p8[] = { "--remux", file, "8", "parse", NULL };
    const gchar *m1[] = { "--remux", file, "1", "motion", NULL };
    const gchar *l32[] = { "--remux", file, "32", "hksv-live", NULL };
    remux1 = run_child (self, a1, remux_cpu);
    live32 = run_child (self, l32, remux_cpu);
    remux8 = run_child (self, a8, remux_cpu);
    parse8 = run_child (self, p8, remux_cpu);
    motion1 = run_child (self, m1, remux_cpu);
  }
  if (num (remux1, "violations") != 0)
    g_error ("the remux recording has checker violations");
  printf (
      "remux_streams_per_core_1: %.1f\n", num (remux1, "video_s") / num (remux1, "process_cpu_s"));
  printf (
      "remux_streams_per_core: %.1f\n", num (remux8, "video_s") / num (remux8, "process_cpu_s"));
  printf ("remux_parse_only_streams_per_core: %.1f\n",
      num (parse8, "video_s") / num (parse8, "process_cpu_s"));
  printf ("remux_recorder_us_per_frame: %.1f\n",
      (num (remux8, "process_cpu_s") - num (parse8, "process_cpu_s")) * 1e6
          / (num (remux8, "video_s") * FPS));
  printf ("remux_with_motion_decode_streams_per_core: %.2f\n",
      num (motion1, "video_s") / num (motion1, "process_cpu_s"));
  /* 32 streams at real time for the file's length: the share of the core they use */
  printf ("remux_live_32_streams_cpu_pct: %.1f\n",
      100.0 * num (live32, "process_cpu_s") / num (live32, "wall_s"));
  printf ("remux_live_streams_per_core: %.0f\n",
      num (live32, "streams") * num (live32, "wall_s") / num (live32, "process_cpu_s"));
  printf ("remux_cpu: %s\n", remux_cpu);
  g_unlink (file);
  g_rmdir (dir);
  for (guint i = 0; i < G_N_ELEMENTS (tails); i++)
    g_hash_table_unref (enc[i]);
  g_hash_table_unref (lat);
  g_hash_table_unref (remux1);
  g_hash_table_unref (remux8);
  g_hash_table_unref (parse8);
  g_hash_table_unref (motion1);
  g_hash_table_unref (live32);
  return 0;
}
