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

/* A plane of uniform texture with a block of another level from `t_on` on (it never moves). */
static void
fill_block_frame (guint8 *frame, guint width, guint height, gboolean block, guint32 seed)
{
  guint32 st = seed | 1;

  for (guint y = 0; y < height; y++) {
    for (guint x = 0; x < width; x++) {
      st ^= st << 13;
      st ^= st >> 17;
      st ^= st << 5;
      frame[y * width + x] = (guint8) (90 + (x * 7 + y * 3) % 40 + (st >> 29));
      if (block && x >= width / 4 && x < width / 2 && y >= height / 4 && y < height * 3 / 4)
        frame[y * width + x] = 200;
    }
  }
}

/* Runs `frames` frames at 10 fps of the block scene (block from frame `on`); returns the number of
 * changes and writes their times. */
static guint
run_block (HksvMotionCore *core, guint frames, guint on, guint64 *times, guint max)
{
  const guint w = 320, h = 180;
  g_autofree guint8 *frame = g_malloc (w * h);
  guint n = 0;

  for (guint f = 0; f < frames; f++) {
    HksvMotionResult res;

    fill_block_frame (frame, w, h, f >= on, f + 1);
    g_assert_true (hksv_motion_core_process (core, frame, plane_u8 (w, h), f * 100 * MS, &res));
    if (res.changed) {
      g_assert_cmpuint (n, <, max);
      times[n++] = f * 100 * MS;
    }
  }
  return n;
}

/* An object that appears and stays becomes background: motion goes off after about the
 * absorption time (10 s) plus the hold time. */
static void
test_stopped_object_absorbed (void)
{
  g_autoptr (HksvMotionCore) core = hksv_motion_core_new ();
  guint64 t[4];
  guint n = run_block (core, 300, 20, t, G_N_ELEMENTS (t));

  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpuint (t[0], ==, 2000 * MS);
  g_assert_cmpuint (t[1], >=, 2000 * MS + 9500 * MS + HKSV_MOTION_DEFAULT_HOLD_TIME);
  g_assert_cmpuint (t[1], <=, 2000 * MS + 10500 * MS + HKSV_MOTION_DEFAULT_HOLD_TIME);
}

typedef struct {
  const gchar *what;
  guint sensitivity;
  gdouble min_area;
  guint64 hold_ms;
  const gchar *scene;
  guint changes; /* expected number of changes */
} EdgeCase;

/* Parameter extremes on scenes with and without objects. */
static void
test_param_edges (void)
{
  const EdgeCase cases[] = {
    { "least sensitive still finds a large object", 0, 0.01, 2000, "large-fast", 4 },
    { "least sensitive, nothing on noise", 0, 0.01, 2000, "heavy-noise-compression", 0 },
    { "most sensitive, nothing on noise", 100, 0.01, 2000, "still-noise", 0 },
    { "most sensitive finds the small object", 100, 0.01, 2000, "small-slow-walk", 2 },
    { "min-area 1: nothing is ever that large", 50, 1.0, 2000, "large-fast", 0 },
    /* one cell beyond 4 noise levels happens by chance among 2304 a frame: single cells need
     * the least sensitivity */
    { "min-area 0, least sensitive: none on a still scene", 0, 0.0, 2000, "still-noise", 0 },
    { "min-area 0, least sensitive, finds the objects", 0, 0.0, 2000, "small-fast", 4 },
    { "min-area 0.3: larger than the large object", 50, 0.3, 2000, "large-fast", 0 },
    { "hold 0: still one event per object", 50, 0.01, 0, "large-fast", 4 },
    { "hold 10 s merges both passes of large-fast", 50, 0.01, 10000, "large-fast", 1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    const EdgeCase *c = &cases[i];
    HksvMotionParams params;
    Run run;

    g_test_message ("%s", c->what);
    hksv_motion_params_init (&params);
    params.sensitivity = c->sensitivity;
    params.min_area = c->min_area;
    params.hold_time = c->hold_ms * MS;
    run_scene (hksv_scene_find (c->scene), &params, NULL, &run);
    g_assert_cmpuint (run.n, ==, c->changes);
    if (c->hold_ms == 0 && c->changes > 0) {
      /* off on the first analysed frame without moving cells: within the object's visibility
       * plus two analysis periods */
      HksvSceneInterval truth[4];

      g_assert_cmpuint (
          hksv_scene_truth (hksv_scene_find (c->scene), HKSV_MOTION_DEFAULT_MIN_AREA, 0, truth, 4),
          ==, 2);
      g_assert_cmpuint (run.changes[1].ts, <=, truth[0].last_visible + 200 * MS);
    }
  }
}

/* The analysis rate: which frames are due, for several input rates. */
static void
test_analysis_rate (void)
{
  const struct {
    guint fps;
    gdouble rate;
    guint frames, analysed;
  } cases[] = {
    { 30, 10, 300, 100 },
    { 25, 10, 250, 100 },
    { 15, 10, 150, 100 },
    { 10, 10, 100, 100 },
    { 5, 10, 50, 50 },
    { 30, 1, 300, 10 },
    { 30, 0, 300, 300 },
    { 30, 1000, 300, 300 },
    { 50, 7, 350, 49 },
  };
  guint8 frame[64 * 64];

  memset (frame, 100, sizeof frame);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (HksvMotionCore) core = hksv_motion_core_new ();
    HksvMotionParams params;
    guint analysed = 0;

    hksv_motion_params_init (&params);
    params.analysis_rate = cases[i].rate;
    hksv_motion_core_set_params (core, &params);
    for (guint f = 0; f < cases[i].frames; f++) {
      guint64 ts = (guint64) f * 1000000000 / cases[i].fps;
      HksvMotionResult res;

      if (!hksv_motion_core_wants (core, ts))
        continue;
      g_assert_true (hksv_motion_core_process (core, frame, plane_u8 (64, 64), ts, &res));
      analysed++;
    }
    g_test_message (
        "%u fps at rate %g: %u of %u", cases[i].fps, cases[i].rate, analysed, cases[i].frames);
    g_assert_cmpuint (analysed, ==, cases[i].analysed);
  }
}

/* Time going backwards and a raised rate make the next frame due at once. */
static void
test_analysis_rate_changes (void)
{
  g_autoptr (HksvMotionCore) core = hksv_motion_core_new ();
  HksvMotionParams params;
  HksvMotionResult res;
  guint8 frame[64 * 64];

  memset (frame, 100, sizeof frame);
  hksv_motion_params_init (&params);
  params.analysis_rate = 0.5;
  hksv_motion_core_set_params (core, &params);
  g_assert_true (hksv_motion_core_wants (core, 0));
  g_assert_true (hksv_motion_core_process (core, frame, plane_u8 (64, 64), 5000 * MS, &res));
  g_assert_false (hksv_motion_core_wants (core, 5100 * MS));
  g_assert_true (hksv_motion_core_wants (core, 7000 * MS));
  g_assert_true (hksv_motion_core_wants (core, 1000 * MS)); /* backwards */
  params.analysis_rate = 10;
  hksv_motion_core_set_params (core, &params);
  g_assert_true (hksv_motion_core_wants (core, 5100 * MS));
  g_assert_false (hksv_motion_core_wants (core, 5050 * MS));
}

/* A mask over the object's path hides it; a mask elsewhere does not. */
static void
test_region_mask (void)
{
  const HksvScene *scene = hksv_scene_find ("medium-walk"); /* walks at y 0.325 .. 0.775 */
  HksvMotionMask mask;
  Run run;

  g_assert_true (hksv_motion_mask_parse ("0,0.3,1,0.5", &mask, NULL));
  run_scene (scene, NULL, &mask, &run);
  g_assert_cmpuint (run.n, ==, 0);

  /* the band above the path and the two lower corners: the object is still seen */
  g_assert_true (hksv_motion_mask_parse ("0,0,1,0.25;0,0.9,0.1,0.1;0.9,0.9,0.1,0.1", &mask, NULL));
  run_scene (scene, NULL, &mask, &run);
  assert_matches_truth (scene, &run, HKSV_MOTION_DEFAULT_HOLD_TIME);

  /* half of the path masked: only the unmasked half counts, and its changes are reported */
  g_assert_true (hksv_motion_mask_parse ("0,0,0.5,1", &mask, NULL));
  run_scene (scene, NULL, &mask, &run);
  g_assert_cmpuint (run.n, ==, 2);
  g_assert_cmpuint (run.changes[0].ts, <=, 2000 * MS); /* enters from the right at 1.5 s */
}

/* Masking cells while they changed clears them at once; unmasking relearns them. */
static void
test_region_mask_while_running (void)
{
  g_autoptr (HksvMotionCore) core = hksv_motion_core_new ();
  HksvMotionMask all = { 1, { { 0, 0, 1, 1 } } };
  const guint8 *changed;
  guint cols, rows, n_changed = 0;
  guint64 t[4];

  g_assert_cmpuint (run_block (core, 25, 20, t, G_N_ELEMENTS (t)), ==, 1);
  hksv_motion_core_get_grid (core, &cols, &rows, &changed);
  for (guint c = 0; c < cols * rows; c++)
    n_changed += changed[c];
  g_assert_cmpuint (n_changed, >, 0);
  hksv_motion_core_set_mask (core, &all);
  for (guint c = 0; c < cols * rows; c++)
    g_assert_false (changed[c]);
  hksv_motion_core_set_mask (core, NULL);
  /* relearned with the block in place: nothing changes any more, motion ends after the hold */
  g_assert_cmpuint (run_block (core, 60, 0, t, G_N_ELEMENTS (t)), ==, 1);
  g_assert_false (hksv_motion_core_get_motion (core));
}

typedef struct {
  const gchar *text;
  guint n_rects;
  const gchar *canonical;
} MaskVector;

static void
test_mask_parse (void)
{
  const MaskVector valid[] = {
    { "", 0, "" },
    { "   ", 0, "" },
    { "0,0,1,1", 1, "0,0,1,1" },
    { " 0.5 , 0.25,0.5,0.75 ", 1, "0.5,0.25,0.5,0.75" },
    { "0,0,.5,1;.5,0,.5,1", 2, "0,0,0.5,1;0.5,0,0.5,1" },
    { "1e-1,0,2.5E-1,1", 1, "0.10000000000000001,0,0.25,1" },
    { "0.1,0.2,0.3,0.4; 0.5,0.5,0.5,0.5", 2,
        "0.10000000000000001,0.20000000000000001,"
        "0.29999999999999999,0.40000000000000002;0.5,0.5,0.5,0.5" },
    { "0,0,0.1,0.1;0,0,0.1,0.1;0,0,0.1,0.1;0,0,0.1,0.1;0,0,0.1,0.1;0,0,0.1,0.1;0,0,0.1,0.1;"
      "0,0,0.1,0.1;0,0,0.1,0.1;0,0,0.1,0.1;0,0,0.1,0.1;0,0,0.1,0.1;0,0,0.1,0.1;0,0,0.1,0.1;"
      "0,0,0.1,0.1;0,0,0.1,0.1",
        16, NULL },
  };
  const gchar *invalid[] = {
    "0,0,1",           /* three values */
    "0,0,1,1,",        /* trailing comma */
    "0,0,1,1;",        /* nothing after ';' */
    ";0,0,1,1",        /* nothing before ';' */
    "0,0,1,1 0,0,1,1", /* no separator */
    "-0.1,0,0.5,0.5",  /* negative */
    "+0.1,0,0.5,0.5",  /* sign */
    "0,0,0,1",         /* empty width */
    "0,0,1,0",         /* empty height */
    "0.5,0,0.6,1",     /* past the right edge */
    "0,0.5,1,0.6",     /* past the bottom edge */
    "1.5,0,0.1,0.1",   /* outside */
    "0x1,0,1,1",       /* hex */
    "inf,0,1,1",       /* not a number */
    "nan,0,1,1",       /* not a number */
    "0,0,1e,1",        /* exponent without digits */
    "0,0,1e999,1",     /* overflow */
    ".,0,1,1",         /* no digits */
    "0;0;1;1",         /* wrong separators */
    "a,b,c,d",         /* words */
    "0,0,1,1\n;x",     /* junk after */
    "0,0,0.000000000000000000000000000000000000000000000000000000000000001,1", /* too long */
    "0,0,0.1,0.1;0,0,0.1,0.1;0,0,0.1,0.1;0,0,0.1,0.1;0,0,0.1,0.1;0,0,0.1,0.1;0,0,0.1,0.1;"
    "0,0,0.1,0.1;0,0,0.1,0.1;0,0,0.1,0.1;0,0,0.1,0.1;0,0,0.1,0.1;0,0,0.1,0.1;0,0,0.1,0.1;"
    "0,0,0.1,0.1;0,0,0.1,0.1;0,0,0.1,0.1", /* 17 rectangles */
  };

  for (guint i = 0; i < G_N_ELEMENTS (valid); i++) {
    HksvMotionMask mask, again;
    g_autoptr (GError) error = NULL;
    g_autofree gchar *text = NULL;
    g_autofree gchar *text2 = NULL;

    g_assert_true (hksv_motion_mask_parse (valid[i].text, &mask, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (mask.n_rects, ==, valid[i].n_rects);
    text = hksv_motion_mask_to_string (&mask);
    if (valid[i].canonical != NULL)
      g_assert_cmpstr (text, ==, valid[i].canonical);
    g_assert_true (hksv_motion_mask_parse (text, &again, NULL));
    text2 = hksv_motion_mask_to_string (&again);
    g_assert_cmpstr (text2, ==, text);
    g_assert_cmpmem (&again,
        sizeof again - sizeof again.rects + again.n_rects * sizeof again.rects[0], &mask,
        sizeof mask - sizeof mask.rects + mask.n_rects * sizeof mask.rects[0]);
  }
  {
    HksvMotionMask none;

    g_assert_true (hksv_motion_mask_parse (NULL, &none, NULL));
    g_assert_cmpuint (none.n_rects, ==, 0);
  }
  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++) {
    HksvMotionMask mask = { 3 }; /* untouched on error */
    g_autoptr (GError) error = NULL;

    g_test_message ("invalid: %s", invalid[i]);
    g_assert_false (hksv_motion_mask_parse (invalid[i], &mask, &error));
    g_assert_error (error, HKSV_MOTION_ERROR, HKSV_MOTION_ERROR_INVALID_MASK);
    g_assert_cmpuint (mask.n_rects, ==, 3);
  }
}

/* 16-bit samples of either endianness, packed luma and padded rows give the same analysis as the
 * plain 8-bit plane. */
static void
test_sample_formats (void)
{
  const HksvScene *scene = hksv_scene_find ("small-fast");
  const guint w = 320, h = 180;
  g_autoptr (HksvSceneRenderer) r = hksv_scene_renderer_new (scene, w, h);
  g_autofree guint8 *plain = g_malloc (w * h);
  g_autofree guint8 *wide = g_malloc (w * h * 8 + 64 * h);
  const struct {
    HksvMotionSampleFormat format;
    gint pixel_stride, offset, pad;
    guint shift;
  } layouts[] = {
    { HKSV_MOTION_SAMPLE_U8, 1, 0, 0, 0 }, { HKSV_MOTION_SAMPLE_U8, 1, 0, 40, 0 }, /* padded rows */
    { HKSV_MOTION_SAMPLE_U8, 2, 0, 0, 0 },                                         /* YUY2 */
    { HKSV_MOTION_SAMPLE_U8, 2, 1, 0, 0 },                                         /* UYVY */
    { HKSV_MOTION_SAMPLE_U8, 4, 1, 0, 0 },                                         /* AYUV */
    { HKSV_MOTION_SAMPLE_U16LE, 2, 0, 0, 2 },                                      /* 10-bit LE */
    { HKSV_MOTION_SAMPLE_U16BE, 2, 0, 0, 4 },                                      /* 12-bit BE */
    { HKSV_MOTION_SAMPLE_U16LE, 2, 0, 0, 8 }, /* GRAY16_LE, P010 */
    { HKSV_MOTION_SAMPLE_U16LE, 8, 2, 0, 8 }, /* AYUV64 */
  };
  HksvMotionCore *cores[G_N_ELEMENTS (layouts)];

  for (guint l = 0; l < G_N_ELEMENTS (layouts); l++)
    cores[l] = hksv_motion_core_new ();
  for (guint n = 0; n < scene->n_frames; n++) {
    guint64 ts = hksv_scene_frame_time (scene, n);
    HksvMotionResult ref = { 0 };

    if (!hksv_motion_core_wants (cores[0], ts))
      continue;
    hksv_scene_render (r, n, plain, w);
    for (guint l = 0; l < G_N_ELEMENTS (layouts); l++) {
      HksvMotionPlane plane
          = { (gint) w, (gint) h, 0, layouts[l].pixel_stride, layouts[l].format, layouts[l].shift };
      HksvMotionResult res;

      plane.stride = (gint) w * plane.pixel_stride + layouts[l].pad;
      memset (wide, 0x5a, (gsize) plane.stride * h);
      for (guint y = 0; y < h; y++) {
        for (guint x = 0; x < w; x++) {
          guint8 *p = wide + (gsize) y * plane.stride + (gsize) x * plane.pixel_stride
                      + layouts[l].offset;
          guint v = (guint) plain[y * w + x] << layouts[l].shift;

          if (plane.format == HKSV_MOTION_SAMPLE_U8) {
            *p = (guint8) v;
          } else if (plane.format == HKSV_MOTION_SAMPLE_U16LE) {
            p[0] = (guint8) v;
            p[1] = (guint8) (v >> 8);
          } else {
            p[0] = (guint8) (v >> 8);
            p[1] = (guint8) v;
          }
        }
      }
      g_assert_true (
          hksv_motion_core_process (cores[l], wide + layouts[l].offset, &plane, ts, &res));
      if (l == 0) {
        ref = res;
      } else {
        g_assert_cmpint (res.motion, ==, ref.motion);
        g_assert_cmpint (res.changed, ==, ref.changed);
        g_assert_cmpfloat (res.score, ==, ref.score);
        g_assert_cmpfloat (res.area, ==, ref.area);
      }
    }
  }
  for (guint l = 0; l < G_N_ELEMENTS (layouts); l++)
    hksv_motion_core_free (cores[l]);
}

/* Same input, same output: the scene renderer and the core are deterministic. */
static void
test_deterministic (void)
{
  const HksvScene *scene = hksv_scene_find ("object-flicker-compression");
  g_autoptr (HksvSceneRenderer) a = hksv_scene_renderer_new (scene, 160, 90);
  g_autoptr (HksvSceneRenderer) b = hksv_scene_renderer_new (scene, 160, 90);
  guint8 fa[160 * 90], fb[160 * 90];
  Run r1, r2;

  for (guint n = 0; n < scene->n_frames; n += 7) {
    hksv_scene_render (a, n, fa, 160);
    hksv_scene_render (b, n, fb, 160);
    g_assert_cmpmem (fa, sizeof fa, fb, sizeof fb);
  }
  run_scene (scene, NULL, NULL, &r1);
  run_scene (scene, NULL, NULL, &r2);
  g_assert_cmpuint (r1.n, ==, r2.n);
  g_assert_cmpmem (r1.changes, r1.n * sizeof (Change), r2.changes, r2.n * sizeof (Change));
}

/* Reset, tiny planes and a new plane size. */
static void
test_reset_and_sizes (void)
{
  g_autoptr (HksvMotionCore) core = hksv_motion_core_new ();
  guint8 tiny[7 * 64];
  HksvMotionResult res;
  guint64 t[4];
  guint cols, rows;

  memset (tiny, 100, sizeof tiny);
  g_assert_false (hksv_motion_core_process (core, tiny, plane_u8 (7, 64), 0, &res));
  g_assert_false (hksv_motion_core_process (core, tiny, plane_u8 (64, 7), 0, &res));
  g_assert_false (res.motion);
  g_assert_false (res.changed);
  g_assert_true (hksv_motion_core_process (core, tiny, plane_u8 (8, 8), 0, &res));
  hksv_motion_core_get_grid (core, &cols, &rows, NULL);
  g_assert_cmpuint (cols, ==, 2);
  g_assert_cmpuint (rows, ==, 2);
  g_assert_false (hksv_motion_core_reset (core));

  g_assert_cmpuint (run_block (core, 25, 20, t, G_N_ELEMENTS (t)), ==, 1);
  g_assert_true (hksv_motion_core_get_motion (core));
  hksv_motion_core_get_grid (core, &cols, &rows, NULL);
  g_assert_cmpuint (cols, ==, 64);
  g_assert_cmpuint (rows, ==, 36);
  g_assert_true (hksv_motion_core_reset (core));
  g_assert_false (hksv_motion_core_get_motion (core));
  g_assert_false (hksv_motion_core_reset (core));

  /* a new size relearns: the block is background then, nothing after the first frames */
  g_assert_cmpuint (run_block (core, 25, 20, t, G_N_ELEMENTS (t)), ==, 1);
  {
    guint8 *other = g_malloc (100 * 300);

    for (guint f = 0; f < 30; f++) {
      memset (other, 80 + (f % 2), 100 * 300);
      g_assert_true (
          hksv_motion_core_process (core, other, plane_u8 (100, 300), (3000 + f * 100) * MS, &res));
    }
    hksv_motion_core_get_grid (core, &cols, &rows, NULL);
    g_assert_cmpuint (cols, ==, 21); /* 64 * 100 / 300, rounded */
    g_assert_cmpuint (rows, ==, 64);
    g_assert_false (res.motion); /* the hold time ran out with nothing moving */
    g_free (other);
  }
}

/* The overlay outlines exactly the changed cells, in a plane of the analysed size only. */
static void
test_draw (void)
{
  g_autoptr (HksvMotionCore) core = hksv_motion_core_new ();
  const guint w = 320, h = 180;
  g_autofree guint8 *plane = g_malloc (w * h);
  g_autofree guint8 *other = g_malloc (w * h);
  const guint8 *changed;
  guint cols, rows, n_changed = 0;
  guint64 t[2];

  g_assert_cmpuint (run_block (core, 21, 20, t, G_N_ELEMENTS (t)), ==, 1);
  hksv_motion_core_get_grid (core, &cols, &rows, &changed);
  memset (plane, 0, w * h);
  hksv_motion_core_draw (core, plane, plane_u8 (w, h));
  for (guint i = 0; i < rows; i++) {
    for (guint j = 0; j < cols; j++) {
      guint x0 = j * w / cols, y0 = i * h / rows, x1 = (j + 1) * w / cols - 1;
      guint y1 = (i + 1) * h / rows - 1, cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;

      n_changed += changed[i * cols + j];
      g_assert_cmpuint (plane[y0 * w + cx], ==, changed[i * cols + j] ? 235 : 0);
      g_assert_cmpuint (plane[cy * w + x1], ==, changed[i * cols + j] ? 235 : 0);
      if (x1 - x0 >= 2 && y1 - y0 >= 2)
        g_assert_cmpuint (plane[cy * w + cx], ==, 0); /* the inside stays */
    }
  }
  /* the block covers a quarter by a half of the frame: its cells, a few at its edges */
  g_assert_cmpuint (n_changed, >=, 16 * 18);
  g_assert_cmpuint (n_changed, <=, 18 * 20);
  memset (other, 0, w * h);
  hksv_motion_core_draw (core, other, plane_u8 (w, h - 2));
  for (guint i = 0; i < w * h; i++)
    g_assert_cmpuint (other[i], ==, 0);
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
  g_test_add_func ("/motion-core/stopped-object-absorbed", test_stopped_object_absorbed);
  g_test_add_func ("/motion-core/param-edges", test_param_edges);
  g_test_add_func ("/motion-core/analysis-rate", test_analysis_rate);
  g_test_add_func ("/motion-core/analysis-rate-changes", test_analysis_rate_changes);
  g_test_add_func ("/motion-core/region-mask", test_region_mask);
  g_test_add_func ("/motion-core/region-mask-while-running", test_region_mask_while_running);
  g_test_add_func ("/motion-core/mask-parse", test_mask_parse);
  g_test_add_func ("/motion-core/sample-formats", test_sample_formats);
  g_test_add_func ("/motion-core/deterministic", test_deterministic);
  g_test_add_func ("/motion-core/reset-and-sizes", test_reset_and_sizes);
  g_test_add_func ("/motion-core/draw", test_draw);
  return g_test_run ();
}
