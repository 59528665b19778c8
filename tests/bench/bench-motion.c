/* Benchmark: the motion analysis core of hksvmotion (gst/motion-core.c) at default settings,
 * against a frame-differencing reference detector on Debian's python3-opencv
 * (bench-motion-opencv.py: downscale to 320x180, blur, absdiff, threshold, dilate, contours,
 * cv2.setNumThreads(1)), on the same frames of the scene set (tests/common/motion-scenes.c).
 * Times are CPU time of the calling thread (process CPU time for python), so a shared machine
 * slows them less than wall time; pin the program to one core (run.sh uses taskset).
 *
 *   motion_ms_per_1080p_frame        core cost per analysed 1920x1080 GRAY8 frame (16 frames
 *                                    of a scene with a moving object, cycled, out of cache)
 *   motion_ms_per_4k_frame           the same at 3840x2160
 *   motion_ms_per_1080p_input_frame  per frame of a 30 fps input at the default analysis rate
 *                                    (10 fps: two frames in three only pass)
 *   motion_opencv_ms_per_1080p_frame the reference detector per analysed 1080p frame
 *   motion_opencv_ratio              reference cost / core cost per analysed 1080p frame
 *   motion_intervals, motion_hits    ground-truth object intervals of the scene set (640x360),
 *                                    and those hksvmotion turned on for within 300 ms
 *   motion_hit_rate                  hits / intervals
 *   motion_false_events              motion-on events outside every object's visibility (up to
 *                                    300 ms after an object vanished counts as the object's)
 *   motion_exact_scenes              scenes whose events meet every bound of the unit test
 *   motion_opencv_*                  the same for the reference detector
 *   motion_state_agreement           fraction of analysed frames where both detectors agree
 * Usage: bench-motion [ITERATIONS] (default 20000 analysed 1080p frames; 4K: half).
 * The reference part is skipped, with a line saying why, when /usr/bin/python3 has no cv2
 * (HKSV_BENCH_PYTHON overrides the interpreter). Prints "key: value" lines. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "gst/motion-core.h"
#include "tests/common/motion-scenes.h"

#define MS G_GUINT64_CONSTANT (1000000)
#define TIMING_FRAMES 16
#define DETECT_WITHIN (300 * MS)
#define OFF_SLACK (400 * MS)

static gdouble
cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static gdouble
wall_ms (void)
{
  return g_get_monotonic_time () / 1e3;
}

static guint8 **
render_timing_frames (guint w, guint h)
{
  const HksvScene *scene = hksv_scene_find ("medium-walk");
  g_autoptr (HksvSceneRenderer) r = hksv_scene_renderer_new (scene, w, h);
  guint8 **frames = g_new (guint8 *, TIMING_FRAMES);

  /* frames 30..75 of the scene: the object walks through, with noise and block artifacts */
  for (guint i = 0; i < TIMING_FRAMES; i++) {
    frames[i] = g_malloc ((gsize) w * h);
    hksv_scene_render (r, 30 + 3 * i, frames[i], w);
  }
  return frames;
}

static void
free_frames (guint8 **frames)
{
  for (guint i = 0; i < TIMING_FRAMES; i++)
    g_free (frames[i]);
  g_free (frames);
}

/* Core cost per analysed frame: every call is due (100 ms apart at 10 fps). */
static gdouble
time_core (guint8 **frames, guint w, guint h, guint iterations, gdouble *wall)
{
  g_autoptr (HksvMotionCore) core = hksv_motion_core_new ();
  HksvMotionPlane plane = { (gint) w, (gint) h, (gint) w, 1, HKSV_MOTION_SAMPLE_U8, 0 };
  HksvMotionResult res;
  guint on = 0;
  gdouble c0, w0;

  for (guint i = 0; i < 2 * TIMING_FRAMES; i++) /* learn first */
    hksv_motion_core_process (core, frames[i % TIMING_FRAMES], &plane, i * 100 * MS, &res);
  c0 = cpu_ms ();
  w0 = wall_ms ();
  for (guint i = 0; i < iterations; i++) {
    guint64 ts = (guint64) (i + 2 * TIMING_FRAMES) * 100 * MS;

    hksv_motion_core_process (core, frames[i % TIMING_FRAMES], &plane, ts, &res);
    on += res.motion;
  }
  *wall = (wall_ms () - w0) / iterations;
  if (on == 0)
    fprintf (stderr, "warning: no motion in the timing frames\n");
  return (cpu_ms () - c0) / iterations;
}

/* Cost per input frame of a 30 fps stream: the rate check for every frame, analysis when due. */
static gdouble
time_input (guint8 **frames, guint w, guint h, guint iterations)
{
  g_autoptr (HksvMotionCore) core = hksv_motion_core_new ();
  HksvMotionPlane plane = { (gint) w, (gint) h, (gint) w, 1, HKSV_MOTION_SAMPLE_U8, 0 };
  HksvMotionResult res;
  gdouble c0 = cpu_ms ();

  for (guint i = 0; i < iterations; i++) {
    guint64 ts = (guint64) i * 1000000000 / 30;

    if (hksv_motion_core_wants (core, ts))
      hksv_motion_core_process (core, frames[i % TIMING_FRAMES], &plane, ts, &res);
  }
  return (cpu_ms () - c0) / iterations;
}

static const gchar *
python_path (void)
{
  const gchar *p = g_getenv ("HKSV_BENCH_PYTHON");

  return p != NULL ? p : "/usr/bin/python3";
}

/* NULL when the reference can run, else why not. */
static gchar *
opencv_missing (void)
{
  const gchar *argv[] = { python_path (), "-c", "import cv2, numpy", NULL };
  gint status = 0;
  g_autoptr (GError) error = NULL;

  if (!g_file_test (BENCH_MOTION_OPENCV_SCRIPT, G_FILE_TEST_EXISTS))
    return g_strdup_printf ("%s not found", BENCH_MOTION_OPENCV_SCRIPT);
  if (!g_spawn_sync (NULL, (gchar **) argv, NULL,
          G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status,
          &error))
    return g_strdup_printf ("cannot run %s: %s", python_path (), error->message);
  if (!g_spawn_check_wait_status (status, NULL))
    return g_strdup_printf ("%s has no cv2 (apt-get install python3-opencv)", python_path ());
  return NULL;
}

/* The reference's CPU time per analysed 1080p frame, on the same frames written to a file. */
static gdouble
time_opencv (guint8 **frames, guint w, guint h)
{
  g_autofree gchar *path = NULL;
  g_autofree gchar *out = NULL;
  g_autofree gchar *wstr = g_strdup_printf ("%u", w);
  g_autofree gchar *hstr = g_strdup_printf ("%u", h);
  g_autoptr (GError) error = NULL;
  const gchar *value;
  gint fd = g_file_open_tmp ("bench-motion-XXXXXX.gray", &path, &error);
  gint status;
  gdouble ms = -1;

  if (fd < 0) {
    fprintf (stderr, "temp file: %s\n", error->message);
    return -1;
  }
  for (guint i = 0; i < TIMING_FRAMES; i++) {
    if (write (fd, frames[i], (gsize) w * h) != (gssize) ((gsize) w * h)) {
      fprintf (stderr, "writing %s: %s\n", path, g_strerror (errno));
      close (fd);
      g_unlink (path);
      return -1;
    }
  }
  close (fd);
  {
    const gchar *argv[]
        = { python_path (), BENCH_MOTION_OPENCV_SCRIPT, "time", wstr, hstr, path, "500", NULL };

    if (!g_spawn_sync (
            NULL, (gchar **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL, &status, &error)
        || !g_spawn_check_wait_status (status, &error)) {
      fprintf (stderr, "reference timing failed: %s\n", error->message);
      g_unlink (path);
      return -1;
    }
  }
  g_unlink (path);
  value = strstr (out, "ms_per_frame: ");
  if (value != NULL)
    ms = g_ascii_strtod (value + strlen ("ms_per_frame: "), NULL);
  return ms;
}

typedef struct {
  guint64 ts;
  gboolean on;
} Event;

typedef struct {
  GArray *hksv;     /* Event */
  GArray *opencv;   /* Event */
  GArray *analysed; /* guint64: the frames both analyse */
} SceneRun;

typedef struct {
  guint intervals, hits, false_events, exact;
} Score;

static gboolean
state_at (GArray *events, guint64 ts)
{
  gboolean on = FALSE;

  for (guint i = 0; i < events->len; i++) {
    const Event *e = &g_array_index (events, Event, i);

    if (e->ts > ts)
      break;
    on = e->on;
  }
  return on;
}

static void
score_scene (const HksvScene *scene, GArray *events, Score *score)
{
  HksvSceneInterval truth[8];
  guint n = hksv_scene_truth (scene, HKSV_MOTION_DEFAULT_MIN_AREA,
      HKSV_MOTION_DEFAULT_HOLD_TIME + OFF_SLACK, truth, G_N_ELEMENTS (truth));
  gboolean exact = events->len == 2 * n;

  n = MIN (n, G_N_ELEMENTS (truth));
  score->intervals += n;
  for (guint i = 0; i < n; i++) {
    gboolean hit = state_at (events, truth[i].first_visible);

    for (guint k = 0; k < events->len; k++) {
      const Event *e = &g_array_index (events, Event, k);

      if (e->on && e->ts >= truth[i].first_visible && e->ts <= truth[i].start + DETECT_WITHIN)
        hit = TRUE;
    }
    score->hits += hit;
    if (exact) {
      const Event *on = &g_array_index (events, Event, 2 * i);
      const Event *off = &g_array_index (events, Event, 2 * i + 1);

      exact = on->on && on->ts >= truth[i].first_visible && on->ts <= truth[i].start + DETECT_WITHIN
              && !off->on && off->ts >= truth[i].end
              && off->ts <= truth[i].last_visible + HKSV_MOTION_DEFAULT_HOLD_TIME + OFF_SLACK;
    }
  }
  for (guint k = 0; k < events->len; k++) {
    const Event *e = &g_array_index (events, Event, k);
    gboolean explained = FALSE;

    /* an object that just vanished is a change too: allow for the next analysed frames */
    for (guint i = 0; i < n && e->on; i++)
      explained
          |= e->ts >= truth[i].first_visible && e->ts <= truth[i].last_visible + DETECT_WITHIN;
    score->false_events += e->on && !explained;
  }
  score->exact += exact;
}

static gchar *
format_events (GArray *events)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < events->len; i++) {
    const Event *e = &g_array_index (events, Event, i);

    g_string_append_printf (s, "%s%s@%.2f", i ? "," : "", e->on ? "on" : "off", e->ts / 1e9);
  }
  if (events->len == 0)
    g_string_append (s, "-");
  return g_string_free (s, FALSE);
}

static gboolean
write_all (gint fd, const guint8 *data, gsize size)
{
  while (size > 0) {
    gssize w = write (fd, data, size);

    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return FALSE;
    data += w;
    size -= (gsize) w;
  }
  return TRUE;
}

/* Runs every scene through the core here and, when `with_opencv`, through the reference fed over
 * a pipe, frame by frame, the same frames. */
static gboolean
run_scenes (const HksvScene *scenes, guint n_scenes, SceneRun *runs, gboolean with_opencv)
{
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;
  GPid pid = 0;
  gint in_fd = -1, out_fd = -1;
  const guint w = scenes[0].width, h = scenes[0].height;
  g_autofree guint8 *frame = g_malloc ((gsize) w * h);
  GString *out = g_string_new (NULL);
  gboolean ok = TRUE;

  g_ptr_array_add (argv, g_strdup (python_path ()));
  g_ptr_array_add (argv, g_strdup (BENCH_MOTION_OPENCV_SCRIPT));
  g_ptr_array_add (argv, g_strdup ("detect"));
  g_ptr_array_add (argv, g_strdup_printf ("%u", w));
  g_ptr_array_add (argv, g_strdup_printf ("%u", h));
  for (guint s = 0; s < n_scenes; s++) {
    g_assert (scenes[s].width == w && scenes[s].height == h);
    g_ptr_array_add (
        argv, g_strdup_printf ("%u/%u:%u", scenes[s].fps_n, scenes[s].fps_d, scenes[s].n_frames));
  }
  g_ptr_array_add (argv, NULL);
  if (with_opencv
      && !g_spawn_async_with_pipes (NULL, (gchar **) argv->pdata, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
          NULL, NULL, &pid, &in_fd, &out_fd, NULL, &error)) {
    fprintf (stderr, "cannot start the reference: %s\n", error->message);
    with_opencv = FALSE;
    ok = FALSE;
  }

  for (guint s = 0; s < n_scenes; s++) {
    const HksvScene *scene = &scenes[s];
    g_autoptr (HksvSceneRenderer) r = hksv_scene_renderer_new (scene, w, h);
    g_autoptr (HksvMotionCore) core = hksv_motion_core_new ();
    HksvMotionPlane plane = { (gint) w, (gint) h, (gint) w, 1, HKSV_MOTION_SAMPLE_U8, 0 };

    runs[s].hksv = g_array_new (FALSE, FALSE, sizeof (Event));
    runs[s].opencv = g_array_new (FALSE, FALSE, sizeof (Event));
    runs[s].analysed = g_array_new (FALSE, FALSE, sizeof (guint64));
    for (guint n = 0; n < scene->n_frames; n++) {
      guint64 ts = hksv_scene_frame_time (scene, n);
      HksvMotionResult res;

      hksv_scene_render (r, n, frame, w);
      if (with_opencv && !write_all (in_fd, frame, (gsize) w * h)) {
        fprintf (stderr, "writing to the reference: %s\n", g_strerror (errno));
        with_opencv = FALSE;
        ok = FALSE;
      }
      if (!hksv_motion_core_wants (core, ts))
        continue;
      g_array_append_val (runs[s].analysed, ts);
      hksv_motion_core_process (core, frame, &plane, ts, &res);
      if (res.changed) {
        Event e = { ts, res.motion };

        g_array_append_val (runs[s].hksv, e);
      }
    }
  }
  if (in_fd >= 0)
    close (in_fd);
  if (out_fd >= 0) {
    gchar buf[4096];
    gssize got;

    while ((got = read (out_fd, buf, sizeof buf)) > 0 || (got < 0 && errno == EINTR)) {
      if (got > 0)
        g_string_append_len (out, buf, got);
    }
    close (out_fd);
  }
  if (pid != 0) {
    gint status = 0;

    waitpid (pid, &status, 0);
    g_spawn_close_pid (pid);
    if (!g_spawn_check_wait_status (status, NULL)) {
      fprintf (stderr, "the reference failed\n");
      ok = FALSE;
    }
  }
  {
    gchar **lines = g_strsplit (out->str, "\n", -1);

    for (guint i = 0; lines[i] != NULL; i++) {
      guint index;
      gchar state[4];
      guint64 ts;

      if (sscanf (lines[i], "event %u %3s %" G_GUINT64_FORMAT, &index, state, &ts) == 3
          && index < n_scenes) {
        Event e = { ts, strcmp (state, "on") == 0 };

        g_array_append_val (runs[index].opencv, e);
      }
    }
    g_strfreev (lines);
  }
  g_string_free (out, TRUE);
  g_ptr_array_unref (argv);
  return ok;
}

int
main (int argc, char **argv)
{
  guint iterations = argc > 1 ? (guint) strtoul (argv[1], NULL, 10) : 20000;
  guint n_scenes;
  const HksvScene *scenes = hksv_scenes (&n_scenes);
  g_autofree SceneRun *runs = g_new0 (SceneRun, n_scenes);
  g_autofree gchar *missing = opencv_missing ();
  g_autofree gchar *loadavg = NULL;
  gdouble hd_ms, hd_wall, uhd_ms, uhd_wall, input_ms, cv_ms = -1;
  Score ours = { 0 }, ref = { 0 };
  guint agree = 0, frames = 0;
  guint8 **hd, **uhd;

  if (iterations == 0)
    iterations = 1;
  if (g_file_get_contents ("/proc/loadavg", &loadavg, NULL, NULL))
    g_strchomp (loadavg);
  printf ("motion_load: %s\n", loadavg != NULL ? loadavg : "unknown");

  hd = render_timing_frames (1920, 1080);
  hd_ms = time_core (hd, 1920, 1080, iterations, &hd_wall);
  input_ms = time_input (hd, 1920, 1080, iterations * 3);
  printf ("motion_ms_per_1080p_frame: %.4f\n", hd_ms);
  printf ("motion_ms_per_1080p_frame_wall: %.4f\n", hd_wall);
  printf ("motion_ms_per_1080p_input_frame: %.4f\n", input_ms);
  uhd = render_timing_frames (3840, 2160);
  uhd_ms = time_core (uhd, 3840, 2160, MAX (iterations / 2, 1), &uhd_wall);
  free_frames (uhd);
  printf ("motion_ms_per_4k_frame: %.4f\n", uhd_ms);
  printf ("motion_ms_per_4k_frame_wall: %.4f\n", uhd_wall);
  if (missing == NULL) {
    cv_ms = time_opencv (hd, 1920, 1080);
    if (cv_ms > 0) {
      printf ("motion_opencv_ms_per_1080p_frame: %.4f\n", cv_ms);
      printf ("motion_opencv_ratio: %.1f\n", cv_ms / hd_ms);
    }
  } else {
    printf ("motion_opencv: skipped (%s)\n", missing);
  }
  free_frames (hd);

  if (!run_scenes (scenes, n_scenes, runs, missing == NULL) && missing == NULL)
    printf ("motion_opencv: reference detection failed, its figures are missing\n");
  for (guint s = 0; s < n_scenes; s++) {
    g_autofree gchar *a = format_events (runs[s].hksv);
    g_autofree gchar *b = format_events (runs[s].opencv);
    HksvSceneInterval truth[8];
    guint n_truth = hksv_scene_truth (&scenes[s], HKSV_MOTION_DEFAULT_MIN_AREA,
        HKSV_MOTION_DEFAULT_HOLD_TIME + OFF_SLACK, truth, G_N_ELEMENTS (truth));

    score_scene (&scenes[s], runs[s].hksv, &ours);
    if (missing == NULL) {
      score_scene (&scenes[s], runs[s].opencv, &ref);
      for (guint i = 0; i < runs[s].analysed->len; i++) {
        guint64 ts = g_array_index (runs[s].analysed, guint64, i);

        agree += state_at (runs[s].hksv, ts) == state_at (runs[s].opencv, ts);
        frames++;
      }
    }
    printf ("motion_scene_%s: objects %u, hksvmotion %s, opencv %s\n", scenes[s].name, n_truth, a,
        missing == NULL ? b : "skipped");
    g_array_unref (runs[s].hksv);
    g_array_unref (runs[s].opencv);
    g_array_unref (runs[s].analysed);
  }
  printf ("motion_scenes: %u\n", n_scenes);
  printf ("motion_intervals: %u\n", ours.intervals);
  printf ("motion_hits: %u\n", ours.hits);
  printf ("motion_hit_rate: %.3f\n", ours.intervals ? (gdouble) ours.hits / ours.intervals : 1.0);
  printf ("motion_false_events: %u\n", ours.false_events);
  printf ("motion_exact_scenes: %u\n", ours.exact);
  if (missing == NULL) {
    printf ("motion_opencv_hits: %u\n", ref.hits);
    printf (
        "motion_opencv_hit_rate: %.3f\n", ref.intervals ? (gdouble) ref.hits / ref.intervals : 1.0);
    printf ("motion_opencv_false_events: %u\n", ref.false_events);
    printf ("motion_opencv_exact_scenes: %u\n", ref.exact);
    printf ("motion_state_agreement: %.3f\n", frames ? (gdouble) agree / frames : 0.0);
  }
  return 0;
}
