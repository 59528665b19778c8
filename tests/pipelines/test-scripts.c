/* Pipeline tests of the example scripts (the shell scripts in pipelines/): each script is run with
 * PRINT_ONLY=1 under a set of settings, and the gst-launch description it prints is built here with
 * gst_parse_launch (every element, property, caps and link of it must exist) in this process,
 * with the hksv plugin of this build tree. The scripts that need no device or network are also
 * run to their end and their clips checked (clip-check.h): videotestsrc.sh, file.sh and
 * file-remux.sh on a file written by make-test-file.sh's own description, and rtsp.sh and
 * rtsp-remux.sh against rtsp-test-server.py on 127.0.0.1 when Debian's GstRtspServer
 * introspection data is installed (skipped otherwise). v4l2.sh is only built: no camera here. */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <gst/check/gstcheck.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clip-check.h"

static gchar *scripts_dir;

/* GStreamer 1.22's delayed links (gst/parse/grammar.y) are not thread-safe: rtspsrc adds its
 * pads from one thread per stream, both threads may run the same delayed link at once, both
 * link the same pad pair (gst_pad_link_full checks the peers, then unlocks the pads to compare
 * their caps) and both disconnect the link's pad-added handler: GObject warns "instance ... has
 * no handler with id" for the second. The pipeline is linked as it should be (the clips are
 * checked) and gst-launch-1.0 prints the warning and goes on (docs/pipelines.md,
 * troubleshooting). While the RTSP pipelines run, warnings are not fatal: that one is counted
 * and dropped (a GstCheck log filter), GstCheck fails the test on any other of the domains it
 * watches, and log_writer counts the rest, which fail the test at its end. */
static guint duplicate_link_warnings, other_warnings;

static gboolean
duplicate_link_warning (
    const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer user_data)
{
  g_atomic_int_inc (&duplicate_link_warnings);
  return TRUE;
}

static GLogWriterOutput
log_writer (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer user_data)
{
  if (level & (G_LOG_LEVEL_WARNING | G_LOG_LEVEL_CRITICAL))
    g_atomic_int_inc (&other_warnings);
  return g_log_writer_default (level, fields, n_fields, user_data);
}

/* No "name. ! media/type" in a description: caps on a delayed link race with the pads an element
 * adds from other threads (docs/pipelines.md, rtsp.sh): a branch takes its stream with a
 * capsfilter element instead. */
static void
assert_no_caps_on_delayed_links (const gchar *script, const gchar *desc)
{
  g_autoptr (GRegex) re
      = g_regex_new ("(^|\\s)[A-Za-z_][A-Za-z0-9_-]*\\. ! [a-z]+/[A-Za-z0-9.+-]+", 0, 0, NULL);
  g_autoptr (GMatchInfo) match = NULL;

  if (g_regex_match (re, desc, 0, &match)) {
    g_autofree gchar *found = g_match_info_fetch (match, 0);
    g_error ("%s: caps on a delayed link (\"%s\"): use a capsfilter element", script, found);
  }
}

/* Runs `script` with PRINT_ONLY=1 and the NULL-terminated "NAME=value" settings; returns the
 * description it prints (the lines after the gst-launch-1.0 line, joined). */
static gchar *
print_description (const gchar *script, const gchar *const *settings)
{
  g_autofree gchar *path = g_build_filename (scripts_dir, script, NULL);
  gchar *argv[] = { "bash", path, NULL };
  gchar **envp = g_get_environ ();
  gchar *out = NULL, *err = NULL;
  gint status;
  GError *error = NULL;
  GString *desc = g_string_new (NULL);
  gchar **lines;
  gboolean in = FALSE;

  envp = g_environ_setenv (envp, "PRINT_ONLY", "1", TRUE);
  envp = g_environ_setenv (envp, "GST_LAUNCH", "gst-launch-1.0", TRUE);
  for (guint i = 0; settings && settings[i]; i++) {
    gchar **kv = g_strsplit (settings[i], "=", 2);
    envp = g_environ_setenv (envp, kv[0], kv[1], TRUE);
    g_strfreev (kv);
  }
  g_assert_true (g_spawn_sync (
      NULL, argv, envp, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("%s: %s\n%s", script, error->message, err);
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i]; i++) {
    if (g_str_has_prefix (lines[i], "gst-launch-1.0 -e -m")) {
      in = TRUE;
    } else if (in && g_str_has_prefix (lines[i], "  ")) {
      gchar *l = g_strstrip (lines[i]);
      if (g_str_has_suffix (l, " \\"))
        l[strlen (l) - 2] = 0;
      g_string_append_printf (desc, "%s ", l);
    } else {
      in = FALSE;
    }
  }
  g_assert_cmpuint (desc->len, >, 0);
  assert_no_caps_on_delayed_links (script, desc->str);
  g_strfreev (lines);
  g_strfreev (envp);
  g_free (out);
  g_free (err);
  return g_string_free (desc, FALSE);
}

/* Builds the description and drops it: what PRINT_ONLY checks for scripts needing a device. */
static void
build_only (const gchar *script, const gchar *const *settings)
{
  g_autofree gchar *desc = print_description (script, settings);
  GstElement *pipeline;

  g_test_message ("%s: %s", script, desc);
  pipeline = hksv_test_pipeline (desc);
  gst_object_unref (pipeline);
}

/* Audio frames that decode to silence at a stream's start: the priming of the AAC encoder, and
 * of the decoder and the encoder again where the audio is re-encoded (measured: 1 to 3). */
#define PRIMING 3

/* Runs a printed description to EOS; checks it made `clips` clips, each passing every check
 * (4 s fragments within the checker's tolerance: a remux of RTP gets jittered timestamps).
 * `max_silent`: the clips' audio must be the source's, not inserted silence: at most that many
 * frames decode to silence (the encoders' priming at the stream's start); -1: not checked. */
static void
run_and_check (const gchar *script, const gchar *const *settings, guint clips, guint timeout_s,
    gint max_silent)
{
  g_autofree gchar *desc = print_description (script, settings);
  GstElement *pipeline;
  HksvTestRun run;
  HksvMp4CheckOptions options = { .fragment_ms = 4000, .audio = HKSV_MP4_AUDIO_YES };

  g_test_message ("%s: %s", script, desc);
  pipeline = hksv_test_pipeline (desc);
  hksv_test_run (pipeline, timeout_s, &run);
  gst_object_unref (pipeline);
  g_assert_null (run.error);
  g_assert_true (run.eos);
  g_assert_cmpuint (run.clips->len, ==, clips);
  for (guint i = 0; i < run.clips->len; i++) {
    const HksvTestClip *clip = g_ptr_array_index (run.clips, i);
    HksvTestClipInfo info;

    g_assert_true (clip->finished);
    hksv_test_check_clip (clip->location, &options, NULL, &info);
    for (guint f = 0; f < info.fragments && f < G_N_ELEMENTS (info.fragment_ms); f++)
      g_test_message ("  fragment %u: %.0f ms", f + 1, info.fragment_ms[f]);
    g_test_message ("%s: %.3f s of video in %u fragments, %.3f s of audio (%" G_GUINT64_FORMAT
                    " frames, %" G_GUINT64_FORMAT " silent)",
        clip->location, info.video_s, info.fragments, info.audio_s, info.audio_samples,
        info.audio_silent_frames);
    g_assert_true (info.has_audio);
    if (max_silent >= 0)
      g_assert_cmpuint (info.audio_silent_frames, <=, (guint) max_silent);
  }
  hksv_test_run_clear (&run);
}

/* Small and fast: the scene of videotestsrc.sh at 320x240 (one motion period) */
#define SMALL "WIDTH=320", "HEIGHT=240", "FPS=25", "SPEED_PRESET=ultrafast", "BITRATE=300"
#define SCENE "CYCLES=1", "STILL_S=6", "MOTION_S=3"

static void
test_videotestsrc (void)
{
  g_autofree gchar *dir = hksv_test_make_dir ();
  g_autofree gchar *out = g_strdup_printf ("OUT_DIR=%s", dir);
  /* LIVE=1 is built only: a live run takes the scene's length */
  const gchar *live[] = { SMALL, SCENE, "LIVE=1", "AUDIO=tone", out, NULL };
  const gchar *none[] = { SMALL, SCENE, "LIVE=0", "AUDIO=none", out, NULL };
  const gchar *insert[] = { SMALL, SCENE, "LIVE=0", "AUDIO=insert", out, NULL };
  /* not live: the tone runs far ahead of the video, the clip must still get it */
  const gchar *fast[] = { SMALL, SCENE, "LIVE=0", "AUDIO=tone", out, NULL };

  build_only ("videotestsrc.sh", live);
  build_only ("videotestsrc.sh", none);
  build_only ("videotestsrc.sh", insert);
  run_and_check ("videotestsrc.sh", fast, 1, 120, PRIMING);
  hksv_test_remove_dir (dir);
}

static void
test_v4l2 (void)
{
  const gchar *formats[] = { "FORMAT=auto", "FORMAT=mjpeg", "FORMAT=raw" };
  const gchar *audios[] = { "AUDIO=insert", "AUDIO=alsa", "AUDIO=pulse", "AUDIO=none" };

  const gchar *audio_elements[] = { NULL, "alsasrc", "pulsesrc", NULL };

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++) {
    for (guint j = 0; j < G_N_ELEMENTS (audios); j++) {
      const gchar *settings[] = { formats[i], audios[j], "DEVICE=/dev/video9", NULL };
      GstElementFactory *f
          = audio_elements[j] ? gst_element_factory_find (audio_elements[j]) : NULL;

      if (audio_elements[j] && !f) {
        /* gstreamer1.0-alsa / gstreamer1.0-pulseaudio are not test dependencies */
        g_test_message ("no %s element: v4l2.sh %s not built", audio_elements[j], audios[j]);
        continue;
      }
      if (f)
        gst_object_unref (f);
      build_only ("v4l2.sh", settings);
    }
  }
}

/* The test file of make-test-file.sh (its description, run here), 320x240, 12 s, AAC */
static gchar *
make_test_file (const gchar *dir, const gchar *name, const gchar *gop)
{
  gchar *file = g_build_filename (dir, name, NULL);
  g_autofree gchar *out = g_strdup_printf ("OUT=%s", file);
  const gchar *settings[] = { SMALL, SCENE, out, gop, NULL };
  g_autofree gchar *desc = print_description ("make-test-file.sh", settings);
  GstElement *pipeline = hksv_test_pipeline (desc);
  HksvTestRun run;

  hksv_test_run (pipeline, 120, &run);
  gst_object_unref (pipeline);
  g_assert_null (run.error);
  g_assert_true (run.eos);
  hksv_test_run_clear (&run);
  g_assert_true (g_file_test (file, G_FILE_TEST_IS_REGULAR));
  return file;
}

static void
test_file (void)
{
  g_autofree gchar *dir = hksv_test_make_dir ();
  g_autofree gchar *clips = g_build_filename (dir, "clips", NULL);
  g_autofree gchar *out = g_strdup_printf ("OUT_DIR=%s", clips);
  g_autofree gchar *file = make_test_file (dir, "test.mp4", "GOP_MS=4000");
  g_autofree gchar *ts = make_test_file (dir, "test.ts", "GOP_MS=4000");
  g_autofree gchar *in = g_strdup_printf ("FILE=%s", file);
  g_autofree gchar *in_ts = g_strdup_printf ("FILE=%s", ts);
  const gchar *decode[] = { in, out, "SPEED_PRESET=ultrafast", "BITRATE=300", NULL };
  const gchar *remux[] = { in, out, NULL };
  const gchar *remux_ts[] = { in_ts, out, NULL };
  const gchar *live[] = { in, out, "LIVE=1", "WIDTH=640", "HEIGHT=480", "FPS=30", NULL };

  g_assert_cmpint (g_mkdir (clips, 0700), ==, 0);
  {
    /* the remux scripts give hksvsink FRAGMENT_MS: it takes a keyframe up to 100 ms early */
    g_autofree gchar *desc = print_description ("file-remux.sh", remux);
    const gchar *sink = strstr (desc, "hksvsink ");

    g_assert_nonnull (sink);
    g_assert_nonnull (strstr (sink, " fragment-duration=4000 "));
  }
  build_only ("file.sh", live);
  build_only ("file-remux.sh", live);
  run_and_check ("file.sh", decode, 1, 120, PRIMING);
  hksv_test_remove_dir (clips);
  g_assert_cmpint (g_mkdir (clips, 0700), ==, 0);
  run_and_check ("file-remux.sh", remux, 1, 120, PRIMING);
  hksv_test_remove_dir (clips);
  g_assert_cmpint (g_mkdir (clips, 0700), ==, 0);
  /* MPEG-TS: ADTS audio turned into raw AAC by aacparse */
  run_and_check ("file-remux.sh", remux_ts, 1, 120, PRIMING);
  hksv_test_remove_dir (clips);
  hksv_test_remove_dir (dir);
}

/* ---- RTSP: the test server on 127.0.0.1 ---- */

static gboolean
have_rtsp_server (void)
{
  gchar *argv[] = { "/usr/bin/python3", "-c",
    "import gi; gi.require_version('GstRtspServer', '1.0'); "
    "from gi.repository import GstRtspServer",
    NULL };
  gint status = 1;

  return g_spawn_sync (NULL, argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
             NULL, NULL, NULL, NULL, &status, NULL)
         && g_spawn_check_wait_status (status, NULL);
}

static guint
free_port (void)
{
  GSocket *s = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, 0, NULL);
  GInetAddress *lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  GSocketAddress *a = g_inet_socket_address_new (lo, 0);
  GSocketAddress *bound;
  guint port;

  g_assert_true (g_socket_bind (s, a, FALSE, NULL));
  bound = g_socket_get_local_address (s, NULL);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_object_unref (bound);
  g_object_unref (a);
  g_object_unref (lo);
  g_object_unref (s);
  return port;
}

/* The server dies with the test, also when an assertion aborts it. */
static void
server_child_setup (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static void
test_rtsp (void)
{
  g_autofree gchar *dir = hksv_test_make_dir ();
  g_autofree gchar *out = g_strdup_printf ("OUT_DIR=%s", dir);
  g_autofree gchar *server = g_build_filename (scripts_dir, "rtsp-test-server.py", NULL);
  guint port = free_port ();
  g_autofree gchar *port_s = g_strdup_printf ("%u", port);
  g_autofree gchar *url = g_strdup_printf ("URL=rtsp://127.0.0.1:%u/test", port);
  g_autofree gchar *url_pcma = g_strdup_printf ("URL=rtsp://127.0.0.1:%u/pcma", port);
  g_autofree gchar *motion_url = g_strdup_printf ("MOTION_URL=rtsp://127.0.0.1:%u/sub", port);
  const gchar *build_settings[][4] = {
    { url, "AUDIO=insert", NULL },
    { url, "AUDIO=camera", NULL },
    { url, "AUDIO=none", NULL },
  };
  const gchar *remux_build[][4] = {
    { url, "AUDIO=camera", motion_url, NULL },
    { url, "AUDIO=none", NULL },
  };
  const gchar *rtsp[] = { url_pcma, "AUDIO=camera", out, "WIDTH=320", "HEIGHT=240",
    "SPEED_PRESET=ultrafast", "BITRATE=300", NULL };
  const gchar *remux[] = { url, "AUDIO=camera-aac", out, NULL };
  gchar *argv[] = { "/usr/bin/python3", server, NULL };
  gchar **envp;
  GPid pid;
  gint out_fd;
  GError *error = NULL;
  gchar line[256];
  gssize n;
  gsize got = 0;
  GLogLevelFlags fatal;
  GstCheckLogFilter *filter;

  for (guint i = 0; i < G_N_ELEMENTS (build_settings); i++)
    build_only ("rtsp.sh", build_settings[i]);
  for (guint i = 0; i < G_N_ELEMENTS (remux_build); i++)
    build_only ("rtsp-remux.sh", remux_build[i]);
  if (!have_rtsp_server ()) {
    g_test_skip ("no GstRtspServer for /usr/bin/python3 (gir1.2-gst-rtsp-server-1.0, "
                 "python3-gi): the RTSP pipelines were built, not run");
    hksv_test_remove_dir (dir);
    return;
  }

  /* the server: one motion period at 320x240, each client from its own start */
  envp = g_get_environ ();
  envp = g_environ_setenv (envp, "PORT", port_s, TRUE);
  envp = g_environ_setenv (envp, "WIDTH", "320", TRUE);
  envp = g_environ_setenv (envp, "HEIGHT", "240", TRUE);
  envp = g_environ_setenv (envp, "BITRATE", "300", TRUE);
  envp = g_environ_setenv (envp, "CYCLES", "1", TRUE);
  envp = g_environ_setenv (envp, "STILL_S", "6", TRUE);
  envp = g_environ_setenv (envp, "MOTION_S", "3", TRUE);
  /* the server is not built with the sanitizers */
  envp = g_environ_unsetenv (envp, "LD_PRELOAD");
  envp = g_environ_unsetenv (envp, "GST_PLUGIN_PATH_1_0");
  envp = g_environ_unsetenv (envp, "GST_REGISTRY_1_0");
  envp = g_environ_unsetenv (envp, "GST_REGISTRY_FORK");
  envp = g_environ_unsetenv (envp, "GST_PLUGIN_SCANNER_1_0");
  g_assert_true (g_spawn_async_with_pipes (NULL, argv, envp, G_SPAWN_DO_NOT_REAP_CHILD,
      server_child_setup, NULL, &pid, NULL, &out_fd, NULL, &error));
  g_assert_no_error (error);
  g_strfreev (envp);
  /* it prints its URLs once it listens */
  while (got < sizeof (line) - 1 && (n = read (out_fd, line + got, sizeof (line) - 1 - got)) > 0) {
    got += n;
    line[got] = 0;
    if (strstr (line, "/test\n"))
      break;
  }
  g_assert_nonnull (strstr (line, "/test\n"));

  filter = gst_check_add_log_filter ("GLib-GObject", G_LOG_LEVEL_WARNING,
      g_regex_new ("gsignal\\.c:[0-9]+: instance '[^']*' has no handler with id", 0, 0, NULL),
      duplicate_link_warning, NULL, NULL);
  fatal = g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  g_atomic_int_set (&other_warnings, 0);
  run_and_check ("rtsp.sh", rtsp, 1, 60, PRIMING);
  hksv_test_remove_dir (dir);
  g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);
  /* a remux of RTP: the jitter buffer's first timestamps make the first fragment a frame or two
   * short (docs/pipelines.md), within the checker's tolerance */
  run_and_check ("rtsp-remux.sh", remux, 1, 60, PRIMING);

  g_log_set_always_fatal (fatal);
  gst_check_remove_log_filter (filter);
  g_assert_cmpuint (g_atomic_int_get (&other_warnings), ==, 0);
  if (duplicate_link_warnings)
    g_test_message ("GStreamer's duplicate delayed link warned %u times (harmless: see "
                    "duplicate_link_warning)",
        duplicate_link_warnings);
  kill (pid, SIGTERM);
  waitpid (pid, NULL, 0);
  g_spawn_close_pid (pid);
  close (out_fd);
  hksv_test_remove_dir (dir);
}

int
main (int argc, char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  gst_check_init (&argc, &argv);
  g_log_set_writer_func (log_writer, NULL, NULL);
  scripts_dir = g_build_filename (g_getenv ("G_TEST_SRCDIR"), "..", "pipelines", NULL);
  g_test_add_func ("/pipelines/scripts/videotestsrc", test_videotestsrc);
  g_test_add_func ("/pipelines/scripts/v4l2", test_v4l2);
  g_test_add_func ("/pipelines/scripts/file", test_file);
  g_test_add_func ("/pipelines/scripts/rtsp", test_rtsp);
  ret = g_test_run ();
  g_free (scripts_dir);
  return ret;
}
