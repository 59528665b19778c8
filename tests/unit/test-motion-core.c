/* Unit tests of the motion analysis core (gst/motion-core.c) on the deterministic scene set
 * (tests/common/motion-scenes.c), at 640x360 and default parameters unless a test says otherwise.
 *
 * What "detected" means here (the bounds the element and the benchmark use too):
 * - every ground-truth interval (objects covering >= 1 % of the frame) turns motion on exactly
 *   once, no earlier than the first frame showing part of an object and no later than 300 ms
 *   after the interval's start;
 * - motion goes off once per interval, no earlier than the interval's end and no later than
 *   the last frame showing part of an object + hold time + 400 ms (two analysis periods and the
 *   time a cell needs to settle after the object left);
 * - a scene without objects gives no change at all.
 * HKSV_MOTION_TRACE=1 prints every analysed frame's score and area. */
#include <string.h>

#include "gst/motion-core.h"
#include "tests/common/motion-scenes.h"

#define MS G_GUINT64_CONSTANT (1000000)
#define DETECT_WITHIN (300 * MS)
#define OFF_SLACK (400 * MS)
#define MAX_CHANGES 64

typedef struct {
  guint64 ts;
  gboolean motion;
  gdouble score, area;
} Change;

typedef struct {
  guint n;
  Change changes[MAX_CHANGES];
  guint analysed;
} Run;

static const HksvMotionPlane *
plane_u8 (guint width, guint height)
{
  static HksvMotionPlane plane;

  plane.width = (gint) width;
  plane.height = (gint) height;
  plane.stride = (gint) width;
  plane.pixel_stride = 1;
  plane.format = HKSV_MOTION_SAMPLE_U8;
  plane.shift = 0;
  return &plane;
}

/* Runs a scene through a core, rendering only the frames the core asks for. */
static void
run_scene_with (HksvMotionCore *core, const HksvScene *scene, guint width, guint height, Run *run)
{
  g_autoptr (HksvSceneRenderer) r = hksv_scene_renderer_new (scene, width, height);
  g_autofree guint8 *frame = g_malloc ((gsize) width * height);
  gboolean trace = g_getenv ("HKSV_MOTION_TRACE") != NULL;

  memset (run, 0, sizeof *run);
  for (guint n = 0; n < scene->n_frames; n++) {
    guint64 ts = hksv_scene_frame_time (scene, n);
    HksvMotionResult res;

    if (!hksv_motion_core_wants (core, ts))
      continue;
    hksv_scene_render (r, n, frame, width);
    g_assert_true (hksv_motion_core_process (core, frame, plane_u8 (width, height), ts, &res));
    run->analysed++;
    if (trace) {
      g_test_message ("%s %6.3f s: score %.4f area %.4f%s", scene->name, ts / 1e9, res.score,
          res.area, res.motion ? " motion" : "");
    }
    if (res.changed) {
      g_assert_cmpuint (run->n, <, MAX_CHANGES);
      run->changes[run->n++] = (Change){ ts, res.motion, res.score, res.area };
      g_test_message ("%s: motion %s at %.3f s (score %.4f, area %.4f)", scene->name,
          res.motion ? "on" : "off", ts / 1e9, res.score, res.area);
    }
  }
}

static void
run_scene (
    const HksvScene *scene, const HksvMotionParams *params, const HksvMotionMask *mask, Run *run)
{
  g_autoptr (HksvMotionCore) core = hksv_motion_core_new ();

  if (params != NULL)
    hksv_motion_core_set_params (core, params);
  hksv_motion_core_set_mask (core, mask);
  run_scene_with (core, scene, scene->width, scene->height, run);
}

/* The bounds of the file comment, for a run with the given hold time. */
static void
assert_matches_truth (const HksvScene *scene, const Run *run, guint64 hold)
{
  HksvSceneInterval truth[8];
  guint n_truth = hksv_scene_truth (
      scene, HKSV_MOTION_DEFAULT_MIN_AREA, hold + OFF_SLACK, truth, G_N_ELEMENTS (truth));

  g_assert_cmpuint (n_truth, <=, G_N_ELEMENTS (truth));
  g_assert_cmpuint (run->n, ==, 2 * n_truth);
  for (guint i = 0; i < n_truth; i++) {
    const Change *on = &run->changes[2 * i], *off = &run->changes[2 * i + 1];

    g_test_message ("%s: interval %u: visible %.3f, >= min area %.3f .. %.3f, visible until %.3f",
        scene->name, i, truth[i].first_visible / 1e9, truth[i].start / 1e9, truth[i].end / 1e9,
        truth[i].last_visible / 1e9);
    g_assert_true (on->motion);
    g_assert_cmpuint (on->ts, >=, truth[i].first_visible);
    g_assert_cmpuint (on->ts, <=, truth[i].start + DETECT_WITHIN);
    g_assert_false (off->motion);
    g_assert_cmpuint (off->ts, >=, truth[i].end);
    g_assert_cmpuint (off->ts, <=, truth[i].last_visible + hold + OFF_SLACK);
  }
}

static void
test_scene (gconstpointer data)
{
  const HksvScene *scene = data;
  Run run;

  run_scene (scene, NULL, NULL, &run);
  assert_matches_truth (scene, &run, HKSV_MOTION_DEFAULT_HOLD_TIME);
  /* the default 10 fps: 2 of 3 frames at 15 fps, 1 of 3 at 30 fps, 2 of 5 at 25 fps */
  g_assert_cmpuint (run.analysed, >=, scene->n_frames * 10 * scene->fps_d / scene->fps_n - 1);
  g_assert_cmpuint (run.analysed, <=, scene->n_frames * 10 * scene->fps_d / scene->fps_n + 1);
}

int
main (int argc, char **argv)
{
  const HksvScene *scenes;
  guint n_scenes;

  g_test_init (&argc, &argv, NULL);

  scenes = hksv_scenes (&n_scenes);
  for (guint i = 0; i < n_scenes; i++) {
    g_autofree gchar *path = g_strdup_printf ("/motion-core/scene/%s", scenes[i].name);

    g_test_add_data_func (path, &scenes[i], test_scene);
  }
  return g_test_run ();
}
