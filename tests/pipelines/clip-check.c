/* Helpers of the pipeline tests: running a pipeline and checking its clips (clip-check.h). */
#include "clip-check.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

GstElement *
hksv_test_pipeline (const gchar *description)
{
  GError *error = NULL;
  GstElement *pipeline = gst_parse_launch (description, &error);

  if (error)
    g_error ("pipeline does not parse: %s\n%s", error->message, description);
  g_assert_nonnull (pipeline);
  return pipeline;
}

/* ---- a fast clock ---- */

void
hksv_test_use_fast_clock (GstElement *pipeline, guint rate)
{
  GstClock *clock
      = g_object_new (GST_TYPE_SYSTEM_CLOCK, "clock-type", GST_CLOCK_TYPE_MONOTONIC, NULL);
  GstClockTime now;

  gst_object_ref_sink (clock);
  /* external = (internal - now) * rate + now: time runs `rate` times as fast from now on */
  now = gst_clock_get_internal_time (clock);
  gst_clock_set_calibration (clock, now, now, rate, 1);
  gst_pipeline_use_clock (GST_PIPELINE (pipeline), clock);
  gst_object_unref (clock);
}

/* ---- running ---- */

static void
clip_free (gpointer data)
{
  HksvTestClip *clip = data;

  g_free (clip->location);
  g_free (clip);
}

static void
handle_element_message (HksvTestRun *run, const GstStructure *s)
{
  const gchar *event;

  if (gst_structure_has_name (s, "hksv-motion")) {
    HksvTestMotion m = { 0 };

    g_assert_true (gst_structure_get_boolean (s, "motion", &m.on));
    g_assert_true (gst_structure_get_uint64 (s, "running-time", &m.running_time));
    g_array_append_val (run->motion, m);
  } else if (gst_structure_has_name (s, "hksv-clip")) {
    event = gst_structure_get_string (s, "event");
    g_assert_nonnull (event);
    if (!strcmp (event, "started")) {
      HksvTestClip *clip = g_new0 (HksvTestClip, 1);

      clip->location = g_strdup (gst_structure_get_string (s, "location"));
      g_assert_true (gst_structure_get_uint (s, "index", &clip->index));
      g_assert_true (gst_structure_get_uint64 (s, "running-time", &clip->started_rt));
      g_ptr_array_add (run->clips, clip);
    } else if (!strcmp (event, "finished")) {
      const gchar *location = gst_structure_get_string (s, "location");
      HksvTestClip *clip = NULL;

      for (guint i = 0; i < run->clips->len; i++) {
        HksvTestClip *c = g_ptr_array_index (run->clips, i);
        if (!g_strcmp0 (c->location, location))
          clip = c;
      }
      g_assert_nonnull (clip);
      g_assert_false (clip->finished);
      clip->finished = TRUE;
      g_assert_true (gst_structure_get_enum (
          s, "reason", g_type_from_name ("GstHksvSinkEndReason"), &clip->reason));
      g_assert_true (gst_structure_get_uint64 (s, "duration", &clip->duration_ns));
    }
  }
}

static gboolean
handle_message (HksvTestRun *run, GstMessage *msg)
{
  switch (GST_MESSAGE_TYPE (msg)) {
    case GST_MESSAGE_EOS:
      run->eos = TRUE;
      return FALSE;
    case GST_MESSAGE_ERROR: {
      GError *err = NULL;
      gchar *dbg = NULL;

      gst_message_parse_error (msg, &err, &dbg);
      g_test_message (
          "error from %s: %s (%s)", GST_MESSAGE_SRC_NAME (msg), err->message, dbg ? dbg : "");
      if (!run->error)
        run->error = g_strdup (err->message);
      g_error_free (err);
      g_free (dbg);
      return FALSE;
    }
    case GST_MESSAGE_WARNING: {
      GError *err = NULL;

      gst_message_parse_warning (msg, &err, NULL);
      g_test_message ("warning from %s: %s", GST_MESSAGE_SRC_NAME (msg), err->message);
      g_error_free (err);
      return TRUE;
    }
    case GST_MESSAGE_ELEMENT:
      handle_element_message (run, gst_message_get_structure (msg));
      return TRUE;
    default:
      return TRUE;
  }
}

void
hksv_test_run (GstElement *pipeline, guint timeout_s, HksvTestRun *run)
{
  GstBus *bus = gst_element_get_bus (pipeline);
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC;
  gboolean go_on = TRUE;
  GstMessage *msg;

  memset (run, 0, sizeof (*run));
  run->clips = g_ptr_array_new_with_free_func (clip_free);
  run->motion = g_array_new (FALSE, FALSE, sizeof (HksvTestMotion));
  g_assert_cmpint (
      gst_element_set_state (pipeline, GST_STATE_PLAYING), !=, GST_STATE_CHANGE_FAILURE);
  while (go_on && g_get_monotonic_time () < deadline) {
    msg = gst_bus_timed_pop (bus, 100 * GST_MSECOND);
    if (msg) {
      go_on = handle_message (run, msg);
      gst_message_unref (msg);
    }
  }
  if (go_on)
    g_test_message ("pipeline still running after %u s", timeout_s);
  g_assert_cmpint (gst_element_set_state (pipeline, GST_STATE_NULL), ==, GST_STATE_CHANGE_SUCCESS);
  /* messages posted while stopping (clips finished by PAUSED->READY) */
  while ((msg = gst_bus_pop (bus))) {
    handle_message (run, msg);
    gst_message_unref (msg);
  }
  gst_object_unref (bus);
}

void
hksv_test_run_clear (HksvTestRun *run)
{
  g_clear_pointer (&run->clips, g_ptr_array_unref);
  g_clear_pointer (&run->motion, g_array_unref);
  g_clear_pointer (&run->error, g_free);
}

/* ---- checking a clip ---- */

static void
count_cb (GstElement *sink, GstBuffer *buffer, GstPad *pad, gpointer user_data)
{
  g_atomic_int_inc ((gint *) user_data);
}

typedef struct {
  gint frames, silent;
} AudioCount;

/* A decoded frame (F32LE): counted, and counted silent when every sample is below 1/1000. */
static void
audio_cb (GstElement *sink, GstBuffer *buffer, GstPad *pad, gpointer user_data)
{
  AudioCount *count = user_data;
  GstMapInfo map;
  gfloat peak = 0;

  g_assert_true (gst_buffer_map (buffer, &map, GST_MAP_READ));
  for (gsize i = 0; i + sizeof (gfloat) <= map.size; i += sizeof (gfloat)) {
    gfloat v;

    memcpy (&v, map.data + i, sizeof v);
    peak = MAX (peak, ABS (v));
  }
  gst_buffer_unmap (buffer, &map);
  /* one streaming thread: no locking */
  count->frames++;
  count->silent += peak < 1e-3f;
}

/* Frames qtdemux + avdec_* decode from the clip (video, audio, silent audio). */
static void
gst_decode_counts (const gchar *path, HksvMp4Codec codec, gboolean audio, gint *video_frames,
    gint *audio_frames, gint *silent_frames)
{
  const gchar *video
      = codec == HKSV_MP4_CODEC_H265 ? "h265parse ! avdec_h265" : "h264parse ! avdec_h264";
  g_autofree gchar *desc = g_strdup_printf ("filesrc location=%s ! qtdemux name=d "
                                            "d.video_0 ! queue ! %s ! fakesink name=vsink "
                                            "signal-handoffs=true %s",
      path, video,
      audio ? "d.audio_0 ! queue ! aacparse ! avdec_aac ! audioconvert ! "
              "audio/x-raw,format=F32LE ! fakesink name=asink signal-handoffs=true"
            : "");
  GstElement *pipeline = hksv_test_pipeline (desc);
  GstElement *vsink = gst_bin_get_by_name (GST_BIN (pipeline), "vsink");
  AudioCount acount = { 0, 0 };
  HksvTestRun run;

  *video_frames = 0;
  g_signal_connect (vsink, "handoff", G_CALLBACK (count_cb), video_frames);
  if (audio) {
    GstElement *asink = gst_bin_get_by_name (GST_BIN (pipeline), "asink");
    g_signal_connect (asink, "handoff", G_CALLBACK (audio_cb), &acount);
    gst_object_unref (asink);
  }
  hksv_test_run (pipeline, 60, &run);
  g_assert_null (run.error);
  g_assert_true (run.eos);
  hksv_test_run_clear (&run);
  gst_object_unref (vsink);
  gst_object_unref (pipeline);
  *audio_frames = acount.frames;
  *silent_frames = acount.silent;
}

static gchar *
spawn (gchar **argv, gchar **err_out)
{
  gchar *out = NULL, *err = NULL;
  gint status = 0;
  GError *error = NULL;

  if (!g_spawn_sync (
          NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status, &error))
    g_error ("%s: %s (FFmpeg's ffprobe/ffmpeg are test dependencies: tools/setup.sh deps)", argv[0],
        error->message);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("%s %s: %s\n%s", argv[0], argv[g_strv_length (argv) - 1], error->message, err);
  if (err_out)
    *err_out = err;
  else
    g_free (err);
  return out;
}

static gdouble
json_double_string (JsonObject *o, const gchar *name)
{
  const gchar *s
      = json_object_has_member (o, name) ? json_object_get_string_member (o, name) : NULL;

  g_assert_nonnull (s);
  return g_ascii_strtod (s, NULL);
}

static void
ffprobe_check (const gchar *path, const HksvTestClipInfo *info)
{
  gchar *probe_argv[] = { "ffprobe", "-v", "error", "-count_frames", "-show_entries",
    "stream=codec_type,codec_name,nb_read_frames,duration,width,height,sample_rate", "-of", "json",
    (gchar *) path, NULL };
  gchar *decode_argv[]
      = { "ffmpeg", "-nostdin", "-v", "error", "-i", (gchar *) path, "-f", "null", "-", NULL };
  g_autofree gchar *json = spawn (probe_argv, NULL);
  g_autofree gchar *decode_err = NULL;
  g_autofree gchar *decode_out = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  GError *error = NULL;
  JsonArray *streams;
  gboolean video_seen = FALSE, audio_seen = FALSE;

  g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
  g_assert_no_error (error);
  streams = json_object_get_array_member (
      json_node_get_object (json_parser_get_root (parser)), "streams");
  for (guint i = 0; i < json_array_get_length (streams); i++) {
    JsonObject *o = json_array_get_object_element (streams, i);
    const gchar *type = json_object_get_string_member (o, "codec_type");
    const gchar *codec = json_object_get_string_member (o, "codec_name");
    gint64 frames = g_ascii_strtoll (json_object_get_string_member (o, "nb_read_frames"), NULL, 10);
    gdouble duration = json_double_string (o, "duration");

    if (!strcmp (type, "video")) {
      g_assert_false (video_seen);
      video_seen = TRUE;
      g_assert_cmpstr (codec, ==, info->video_codec == HKSV_MP4_CODEC_H265 ? "hevc" : "h264");
      g_assert_cmpint (json_object_get_int_member (o, "width"), ==, info->width);
      g_assert_cmpint (json_object_get_int_member (o, "height"), ==, info->height);
      g_assert_cmpint (frames, ==, info->video_samples);
      g_assert_cmpfloat_with_epsilon (duration, info->video_s, 0.041);
    } else if (!strcmp (type, "audio")) {
      g_assert_false (audio_seen);
      audio_seen = TRUE;
      g_assert_cmpstr (codec, ==, "aac");
      g_assert_cmpint (g_ascii_strtoll (json_object_get_string_member (o, "sample_rate"), NULL, 10),
          ==, info->audio_rate);
      g_assert_cmpint (frames, ==, info->audio_samples);
      g_assert_cmpfloat_with_epsilon (duration, info->audio_s, 1024.0 / info->audio_rate + 0.001);
    } else {
      g_error ("ffprobe finds a %s stream in %s", type, path);
    }
  }
  g_assert_true (video_seen);
  g_assert_cmpint (audio_seen, ==, info->has_audio);

  decode_out = spawn (decode_argv, &decode_err);
  if (decode_err[0])
    g_error ("ffmpeg reports errors decoding %s:\n%s", path, decode_err);
}

static void
print_violation (const HksvMp4Violation *v, gpointer user_data)
{
  g_test_message ("%s: seq %" G_GUINT64_FORMAT ": %s: %s", (const gchar *) user_data, v->sequence,
      v->rule, v->message);
}

void
hksv_test_check_clip (const gchar *path, const HksvMp4CheckOptions *options,
    const gchar *const *ignore, HksvTestClipInfo *info)
{
  g_autofree gchar *data = NULL;
  gsize len;
  GError *error = NULL;
  g_autoptr (HksvMp4Checker) checker = hksv_mp4_checker_new (options);
  const HksvMp4Summary *s;
  gint video_frames, audio_frames, silent_frames;

  memset (info, 0, sizeof (*info));
  g_assert_true (g_file_get_contents (path, &data, &len, &error));
  g_assert_no_error (error);
  hksv_mp4_checker_set_callback (checker, print_violation, (gpointer) path);
  for (guint i = 0; ignore && ignore[i]; i++)
    hksv_mp4_checker_ignore_rule (checker, ignore[i]);
  hksv_mp4_checker_add_recording (checker, (const guint8 *) data, len);
  hksv_mp4_checker_finish (checker);
  g_assert_cmpuint (hksv_mp4_checker_n_violations (checker), ==, 0);

  s = hksv_mp4_checker_summary (checker);
  info->fragments = s->fragments;
  for (guint i = 0; i < s->fragment_ms->len && i < G_N_ELEMENTS (info->fragment_ms); i++)
    info->fragment_ms[i] = g_array_index (s->fragment_ms, gdouble, i);
  for (guint i = 0; i < s->n_tracks; i++) {
    const HksvMp4TrackSummary *t = &s->tracks[i];
    gdouble secs = (gdouble) t->duration / t->timescale;

    if (t->video) {
      info->video_codec = !strcmp (t->codec, "H.265") ? HKSV_MP4_CODEC_H265 : HKSV_MP4_CODEC_H264;
      info->width = t->width;
      info->height = t->height;
      info->video_samples = t->samples;
      info->video_sync_samples = t->sync_samples;
      info->video_s = secs;
    } else {
      info->has_audio = TRUE;
      info->audio_rate = t->sample_rate;
      info->audio_samples = t->samples;
      info->audio_bytes = t->bytes;
      info->audio_s = secs;
    }
  }
  g_assert_cmpuint (info->video_samples, >, 0);

  gst_decode_counts (
      path, info->video_codec, info->has_audio, &video_frames, &audio_frames, &silent_frames);
  g_assert_cmpint (video_frames, ==, info->video_samples);
  if (info->has_audio)
    g_assert_cmpint (audio_frames, ==, info->audio_samples);
  info->audio_silent_frames = silent_frames;

  ffprobe_check (path, info);
}

gchar *
hksv_test_make_dir (void)
{
  GError *error = NULL;
  gchar *dir = g_dir_make_tmp ("hksv-pipeline-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

void
hksv_test_remove_dir (const gchar *dir)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  const gchar *name;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d))) {
    g_autofree gchar *path = g_build_filename (dir, name, NULL);
    g_assert_cmpint (g_unlink (path), ==, 0);
  }
  g_dir_close (d);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}
