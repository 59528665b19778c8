/* libgsthksv: the motion analysis core of hksvmotion (see motion-core.h for the model). */
#include "gst/motion-core.h"

#include <math.h>
#include <string.h>

/* Analysed frames a cell only learns from after a reset (or after it was unmasked) before it may
 * count as changed, and frames its background and noise are plain running means over. */
#define WARMUP_FRAMES 3
#define AVERAGE_FRAMES 10
/* Time constants (s): background and noise level of unchanged cells. */
#define TAU_BACKGROUND 4.0
#define TAU_NOISE 8.0
/* A changed cell that stays at one level this long (s) is a stopped object or a moved thing:
 * it becomes background. Changed cells are not learned otherwise, so a passing object leaves
 * no ghost behind. */
#define ABSORB_TIME 10.0
/* Residual threshold = k * max (cell noise, frame residual scale, SIGMA_MIN); k falls
 * geometrically from K_MAX at sensitivity 0 to K_MIN at 100. */
#define K_MAX 8.0
#define K_MIN 2.0
#define SIGMA_MIN 0.75f
/* Cells with a run of samples this close to black or white are clipped (the camera's clipping
 * is not a gain and offset): not used for the lighting fit, not counted, not learned. */
#define CLIP_LOW 3.0f
#define CLIP_HIGH 252.0f
/* Lighting fit: background brightness bins of 16 levels, residual histogram at 1/8 level. */
#define FIT_BINS 16
#define DIFF_BINS 256
#define ABS_BINS 512
#define ABS_SCALE 8.0f

struct _HksvMotionCore {
  HksvMotionParams params;
  HksvMotionMask mask;

  /* grid of the configured plane size (width 0: none yet) */
  gint width, height;
  guint cols, rows, n_cells, n_unmasked;
  gint xs[2 * HKSV_MOTION_MAX_GRID]; /* first sample of each run of four */
  gint ys[2 * HKSV_MOTION_MAX_GRID]; /* sampled rows */
  guint8 masked[HKSV_MOTION_MAX_CELLS];

  /* per cell model and the last frame's results */
  gfloat bg[HKSV_MOTION_MAX_CELLS];          /* background, in the background's own lighting */
  gfloat noise[HKSV_MOTION_MAX_CELLS];       /* residual variance when unchanged */
  guint8 age[HKSV_MOTION_MAX_CELLS];         /* frames learned, saturating at AVERAGE_FRAMES */
  gfloat still_level[HKSV_MOTION_MAX_CELLS]; /* changed cells: the level they stay at */
  gfloat still_time[HKSV_MOTION_MAX_CELLS];  /* and for how long (s) */
  gfloat mean[HKSV_MOTION_MAX_CELLS];
  guint8 clip[HKSV_MOTION_MAX_CELLS];
  gfloat resid[HKSV_MOTION_MAX_CELLS];
  guint8 changed[HKSV_MOTION_MAX_CELLS];
  guint8 visited[HKSV_MOTION_MAX_CELLS];
  guint16 stack[HKSV_MOTION_MAX_CELLS];

  /* scratch of the lighting fit */
  guint16 diff_hist[FIT_BINS][DIFF_BINS];
  guint16 abs_hist[ABS_BINS];

  /* timeline and state */
  gboolean have_last;
  guint64 last_ts, next_due;
  gboolean motion;
  guint64 last_moving_ts;
};

G_DEFINE_QUARK (hksv - motion - error - quark, hksv_motion_error)

void
hksv_motion_params_init (HksvMotionParams *params)
{
  g_return_if_fail (params != NULL);
  params->sensitivity = HKSV_MOTION_DEFAULT_SENSITIVITY;
  params->min_area = HKSV_MOTION_DEFAULT_MIN_AREA;
  params->hold_time = HKSV_MOTION_DEFAULT_HOLD_TIME;
  params->analysis_rate = HKSV_MOTION_DEFAULT_ANALYSIS_RATE;
}

HksvMotionCore *
hksv_motion_core_new (void)
{
  HksvMotionCore *core = g_new0 (HksvMotionCore, 1);

  hksv_motion_params_init (&core->params);
  return core;
}

void
hksv_motion_core_free (HksvMotionCore *core)
{
  g_free (core);
}

static guint64
period_of (gdouble rate)
{
  return rate > 0 ? (guint64) (1e9 / rate) : 0;
}

void
hksv_motion_core_set_params (HksvMotionCore *core, const HksvMotionParams *params)
{
  guint64 period;

  g_return_if_fail (core != NULL);
  g_return_if_fail (params != NULL);
  g_return_if_fail (params->sensitivity <= 100);
  g_return_if_fail (params->min_area >= 0 && params->min_area <= 1);
  g_return_if_fail (
      params->analysis_rate >= 0 && params->analysis_rate <= HKSV_MOTION_MAX_ANALYSIS_RATE);

  core->params = *params;
  /* A higher rate applies from the next frame, not after the old, longer period. */
  period = period_of (params->analysis_rate);
  if (core->have_last && core->next_due > core->last_ts + period)
    core->next_due = core->last_ts + period;
}

void
hksv_motion_core_get_params (const HksvMotionCore *core, HksvMotionParams *params)
{
  g_return_if_fail (core != NULL);
  g_return_if_fail (params != NULL);
  *params = core->params;
}

static void
apply_mask (HksvMotionCore *core)
{
  core->n_unmasked = 0;
  for (guint i = 0; i < core->rows; i++) {
    gdouble cy = (i + 0.5) / core->rows;

    for (guint j = 0; j < core->cols; j++) {
      gdouble cx = (j + 0.5) / core->cols;
      guint c = i * core->cols + j;
      gboolean m = FALSE;

      for (guint r = 0; r < core->mask.n_rects && !m; r++) {
        const HksvMotionRect *rect = &core->mask.rects[r];

        m = cx >= rect->x && cx < rect->x + rect->w && cy >= rect->y && cy < rect->y + rect->h;
      }
      if (m) {
        core->changed[c] = FALSE;
      } else {
        core->n_unmasked++;
        if (core->masked[c])
          core->age[c] = 0; /* its background is stale: relearn it */
      }
      core->masked[c] = m;
    }
  }
}

void
hksv_motion_core_set_mask (HksvMotionCore *core, const HksvMotionMask *mask)
{
  g_return_if_fail (core != NULL);
  g_return_if_fail (mask == NULL || mask->n_rects <= HKSV_MOTION_MASK_MAX_RECTS);

  if (mask != NULL)
    core->mask = *mask;
  else
    core->mask.n_rects = 0;
  apply_mask (core);
}

static void
forget_model (HksvMotionCore *core)
{
  memset (core->age, 0, sizeof core->age);
  memset (core->changed, 0, sizeof core->changed);
  memset (core->still_time, 0, sizeof core->still_time);
}

gboolean
hksv_motion_core_reset (HksvMotionCore *core)
{
  gboolean was_on;

  g_return_val_if_fail (core != NULL, FALSE);

  was_on = core->motion;
  forget_model (core);
  core->have_last = FALSE;
  core->motion = FALSE;
  return was_on;
}

gboolean
hksv_motion_core_get_motion (const HksvMotionCore *core)
{
  g_return_val_if_fail (core != NULL, FALSE);
  return core->motion;
}

gboolean
hksv_motion_core_wants (const HksvMotionCore *core, guint64 timestamp)
{
  g_return_val_if_fail (core != NULL, FALSE);

  if (core->params.analysis_rate <= 0 || !core->have_last || timestamp < core->last_ts)
    return TRUE;
  /* 1 ms of slack for frame durations rounded to whole nanoseconds */
  return timestamp + 1000000 >= core->next_due;
}

static void
configure (HksvMotionCore *core, gint width, gint height)
{
  gint lng = MAX (width, height), shrt = MIN (width, height);
  guint n_short = MAX (1, (guint) ((gdouble) HKSV_MOTION_MAX_GRID * shrt / lng + 0.5));
  gdouble cw, ch;

  core->width = width;
  core->height = height;
  core->cols = width >= height ? HKSV_MOTION_MAX_GRID : n_short;
  core->rows = width >= height ? n_short : HKSV_MOTION_MAX_GRID;
  /* cells of at least 4 x 4 samples, so that the runs of four stay inside their cell */
  core->cols = CLAMP (core->cols, 1, (guint) width / 4);
  core->rows = CLAMP (core->rows, 1, (guint) height / 4);
  core->n_cells = core->cols * core->rows;

  cw = (gdouble) width / core->cols;
  ch = (gdouble) height / core->rows;
  for (guint j = 0; j < 2 * core->cols; j++) {
    gint x = (gint) floor ((j / 2 + (j % 2 ? 0.75 : 0.25)) * cw - 1.5);

    core->xs[j] = CLAMP (x, 0, width - 4);
  }
  for (guint i = 0; i < 2 * core->rows; i++) {
    gint y = (gint) floor ((i / 2 + (i % 2 ? 0.75 : 0.25)) * ch);

    core->ys[i] = CLAMP (y, 0, height - 1);
  }
  memset (core->masked, 0, sizeof core->masked);
  forget_model (core);
  apply_mask (core);
}

static inline guint
read_u16 (const guint8 *p, HksvMotionSampleFormat format, guint shift)
{
  guint v = format == HKSV_MOTION_SAMPLE_U16LE ? (guint) p[0] | (guint) p[1] << 8
                                               : (guint) p[0] << 8 | (guint) p[1];

  v >>= shift;
  return MIN (v, 255);
}

/* Cell means of the plane: 2 x 2 runs of 4 adjacent samples per cell. */
static void
sample (HksvMotionCore *core, const guint8 *data, const HksvMotionPlane *plane)
{
  guint sums[HKSV_MOTION_MAX_GRID];
  guint8 clip[HKSV_MOTION_MAX_GRID];
  const gint ps = plane->pixel_stride;
  const guint lo = (guint) (4 * CLIP_LOW), hi = (guint) (4 * CLIP_HIGH);

  for (guint i = 0; i < core->rows; i++) {
    memset (sums, 0, sizeof (guint) * core->cols);
    memset (clip, 0, core->cols);
    for (guint k = 0; k < 2; k++) {
      const guint8 *row = data + (gsize) core->ys[2 * i + k] * (gsize) plane->stride;

      for (guint j = 0; j < 2 * core->cols; j++) {
        const guint8 *p = row + (gsize) core->xs[j] * ps;
        guint run;

        if (plane->format == HKSV_MOTION_SAMPLE_U8 && ps == 1) {
          run = (guint) p[0] + p[1] + p[2] + p[3];
        } else if (plane->format == HKSV_MOTION_SAMPLE_U8) {
          run = (guint) p[0] + p[ps] + p[2 * ps] + p[3 * ps];
        } else {
          run = read_u16 (p, plane->format, plane->shift)
                + read_u16 (p + ps, plane->format, plane->shift)
                + read_u16 (p + 2 * ps, plane->format, plane->shift)
                + read_u16 (p + 3 * ps, plane->format, plane->shift);
        }
        sums[j / 2] += run;
        clip[j / 2] |= run < lo || run > hi;
      }
    }
    for (guint j = 0; j < core->cols; j++) {
      core->mean[i * core->cols + j] = sums[j] * (1.0f / 16);
      core->clip[i * core->cols + j] = clip[j];
    }
  }
}

/* Median of a histogram of `n` values, interpolated inside its bin; bin b holds [b, b + 1). */
static gfloat
hist_median (const guint16 *hist, guint bins, guint n)
{
  gfloat half = n / 2.0f;
  guint cum = 0;

  for (guint b = 0; b < bins; b++) {
    if (hist[b] > 0 && cum + hist[b] >= half)
      return b + (half - cum) / hist[b];
    cum += hist[b];
  }
  return bins;
}

typedef struct {
  gdouble w, x, y;
  gboolean used;
} FitPoint;

/* Weighted least squares of y = g x + o; offset only when the points span too little. */
static void
fit_line (const FitPoint *pts, guint n, gdouble *g, gdouble *o)
{
  gdouble sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0, mx, my, vxx;

  for (guint k = 0; k < n; k++) {
    if (!pts[k].used)
      continue;
    sw += pts[k].w;
    sx += pts[k].w * pts[k].x;
    sy += pts[k].w * pts[k].y;
  }
  if (sw <= 0) {
    *g = 1;
    *o = 0;
    return;
  }
  mx = sx / sw;
  my = sy / sw;
  for (guint k = 0; k < n; k++) {
    if (!pts[k].used)
      continue;
    sxx += pts[k].w * (pts[k].x - mx) * (pts[k].x - mx);
    sxy += pts[k].w * (pts[k].x - mx) * (pts[k].y - my);
  }
  vxx = sxx / sw;
  /* under 6 levels of spread the gain is not observable: an offset is as good */
  if (vxx < 36) {
    *g = 1;
  } else {
    *g = CLAMP (sxy / sxx, 0.1, 10.0);
  }
  *o = my - *g * mx;
}

/* Robust global gain and offset mapping the background onto the current frame: the median
 * difference per background-brightness bin gives one point per bin (a moving object is a
 * minority in each), a weighted line through them with outlier bins dropped. */
static void
fit_lighting (HksvMotionCore *core, gdouble *g, gdouble *o)
{
  FitPoint pts[FIT_BINS];
  guint counts[FIT_BINS] = { 0 };
  gdouble sums[FIT_BINS] = { 0 };
  guint total = 0, min_count;
  gdouble sw = 0, se = 0, rms;

  memset (core->diff_hist, 0, sizeof core->diff_hist);
  for (guint c = 0; c < core->n_cells; c++) {
    gfloat b, d;
    gint bin, idx;

    if (core->masked[c] || core->age[c] == 0 || core->clip[c])
      continue;
    b = CLAMP (core->bg[c], 0.0f, 255.0f);
    d = core->mean[c] - b;
    bin = MIN ((gint) b >> 4, FIT_BINS - 1);
    idx = CLAMP ((gint) floorf (d) + DIFF_BINS / 2, 0, DIFF_BINS - 1);
    core->diff_hist[bin][idx]++;
    counts[bin]++;
    sums[bin] += b;
    total++;
  }
  min_count = MAX (4, total / 100);
  for (guint k = 0; k < FIT_BINS; k++) {
    pts[k].used = counts[k] >= min_count;
    if (!pts[k].used)
      continue;
    pts[k].w = counts[k];
    pts[k].x = sums[k] / counts[k];
    pts[k].y = pts[k].x + hist_median (core->diff_hist[k], DIFF_BINS, counts[k]) - DIFF_BINS / 2;
  }
  fit_line (pts, FIT_BINS, g, o);

  for (guint k = 0; k < FIT_BINS; k++) {
    gdouble e;

    if (!pts[k].used)
      continue;
    e = pts[k].y - (*g * pts[k].x + *o);
    sw += pts[k].w;
    se += pts[k].w * e * e;
  }
  if (sw <= 0)
    return;
  rms = sqrt (se / sw);
  for (guint k = 0; k < FIT_BINS; k++) {
    if (pts[k].used && fabs (pts[k].y - (*g * pts[k].x + *o)) > MAX (1.5, 2.5 * rms))
      pts[k].used = FALSE;
  }
  fit_line (pts, FIT_BINS, g, o);
}

/* Residuals against the fitted background; returns the frame's robust residual scale
 * (1.4826 * median absolute residual of the learned, unmasked cells). */
static gfloat
residuals (HksvMotionCore *core, gfloat g, gfloat o)
{
  guint n = 0;

  memset (core->abs_hist, 0, sizeof core->abs_hist);
  for (guint c = 0; c < core->n_cells; c++) {
    gfloat pred, r;

    if (core->masked[c] || core->age[c] == 0 || core->clip[c]) {
      core->resid[c] = 0;
      continue;
    }
    pred = CLAMP (g * core->bg[c] + o, 0.0f, 255.0f);
    r = core->mean[c] - pred;
    core->resid[c] = r;
    core->abs_hist[MIN ((guint) (fabsf (r) * ABS_SCALE), ABS_BINS - 1)]++;
    n++;
  }
  if (n == 0)
    return 0;
  return 1.4826f * hist_median (core->abs_hist, ABS_BINS, n) / ABS_SCALE;
}

/* Least squares of the cells that the bin fit explains (within 3 residual scales) refine the
 * gain and offset to a fraction of a level. */
static void
refine_lighting (HksvMotionCore *core, gfloat scale, gdouble *g, gdouble *o)
{
  gdouble n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0, mx, my, vxx;
  gfloat limit = 3 * scale + 1;

  for (guint c = 0; c < core->n_cells; c++) {
    gdouble x;

    if (core->masked[c] || core->age[c] == 0 || core->clip[c] || fabsf (core->resid[c]) > limit)
      continue;
    x = core->bg[c];
    n++;
    sx += x;
    sy += core->mean[c];
    sxx += x * x;
    sxy += x * core->mean[c];
  }
  if (n < 8)
    return;
  mx = sx / n;
  my = sy / n;
  vxx = sxx / n - mx * mx;
  if (vxx < 36) {
    *g = 1;
  } else {
    *g = CLAMP ((sxy / n - mx * my) / vxx, 0.1, 10.0);
  }
  *o = my - *g * mx;
}

/* Size of the largest 8-connected group of changed cells. */
static guint
largest_region (HksvMotionCore *core)
{
  guint best = 0;

  memset (core->visited, 0, core->n_cells);
  for (guint c = 0; c < core->n_cells; c++) {
    guint top = 0, size = 0;

    if (!core->changed[c] || core->visited[c])
      continue;
    core->visited[c] = TRUE;
    core->stack[top++] = (guint16) c;
    while (top > 0) {
      guint cur = core->stack[--top];
      gint ci = (gint) (cur / core->cols), cj = (gint) (cur % core->cols);

      size++;
      for (gint di = -1; di <= 1; di++) {
        for (gint dj = -1; dj <= 1; dj++) {
          gint ni = ci + di, nj = cj + dj;
          guint nc;

          if (ni < 0 || nj < 0 || ni >= (gint) core->rows || nj >= (gint) core->cols)
            continue;
          nc = (guint) ni * core->cols + (guint) nj;
          if (core->changed[nc] && !core->visited[nc]) {
            core->visited[nc] = TRUE;
            core->stack[top++] = (guint16) nc;
          }
        }
      }
    }
    best = MAX (best, size);
  }
  return best;
}

/* k2: the squared threshold factor; floor2: the frame's squared residual scale. */
static void
learn (HksvMotionCore *core, gfloat g, gfloat o, gdouble dt, gfloat k2, gfloat floor2)
{
  gfloat a_bg = (gfloat) (1 - exp (-dt / TAU_BACKGROUND));
  gfloat a_noise = (gfloat) (1 - exp (-dt / TAU_NOISE));

  for (guint c = 0; c < core->n_cells; c++) {
    gfloat m = core->mean[c], ref, r2;
    guint n = core->age[c];

    if (core->masked[c] || core->clip[c])
      continue;
    ref = (m - o) / g; /* the current level in the background's lighting */
    r2 = core->resid[c] * core->resid[c];
    if (!core->changed[c])
      core->still_time[c] = 0;
    if (n == 0) {
      core->bg[c] = ref;
      core->noise[c] = 0;
    } else if (core->changed[c]) {
      gfloat d = (ref - core->still_level[c]) * g;

      if (core->still_time[c] <= 0 || d * d > k2 * MAX (core->noise[c], floor2)) {
        core->still_level[c] = ref;
        core->still_time[c] = (gfloat) dt;
      } else {
        core->still_level[c] += 0.25f * (ref - core->still_level[c]);
        core->still_time[c] += (gfloat) dt;
      }
      if (core->still_time[c] >= ABSORB_TIME) {
        core->bg[c] = core->still_level[c];
        core->still_time[c] = 0;
      }
    } else if (n < AVERAGE_FRAMES) {
      /* running means; the residual against a mean of n frames has (1 + 1/n) times the noise */
      core->bg[c] += (ref - core->bg[c]) / (n + 1);
      core->noise[c] += (r2 * n / (n + 1) - core->noise[c]) / n;
    } else {
      core->bg[c] += a_bg * (ref - core->bg[c]);
      core->noise[c] += a_noise * (r2 - core->noise[c]);
    }
    if (n < AVERAGE_FRAMES)
      core->age[c] = (guint8) (n + 1);
  }
}

gboolean
hksv_motion_core_process (HksvMotionCore *core, const guint8 *data, const HksvMotionPlane *plane,
    guint64 timestamp, HksvMotionResult *result)
{
  gdouble g = 1, o = 0, dt, k;
  gfloat scale, floor2;
  guint n_changed = 0, n_counted = 0, largest, min_cells;
  guint64 period = period_of (core->params.analysis_rate);
  gboolean moving;

  g_return_val_if_fail (core != NULL, FALSE);
  g_return_val_if_fail (data != NULL, FALSE);
  g_return_val_if_fail (plane != NULL, FALSE);
  g_return_val_if_fail (result != NULL, FALSE);
  g_return_val_if_fail (plane->pixel_stride >= 1, FALSE);
  g_return_val_if_fail (plane->stride >= plane->width * plane->pixel_stride, FALSE);
  g_return_val_if_fail (plane->format == HKSV_MOTION_SAMPLE_U8 || plane->pixel_stride >= 2, FALSE);

  result->motion = core->motion;
  result->changed = FALSE;
  result->score = 0;
  result->area = 0;
  if (plane->width < HKSV_MOTION_MIN_SIZE || plane->height < HKSV_MOTION_MIN_SIZE)
    return FALSE;
  if (plane->width != core->width || plane->height != core->height)
    configure (core, plane->width, plane->height);

  if (!core->have_last || timestamp < core->last_ts) {
    dt = period > 0 ? period / 1e9 : 0.1;
    if (core->motion && timestamp < core->last_moving_ts)
      core->last_moving_ts = timestamp;
  } else {
    dt = MIN ((timestamp - core->last_ts) / 1e9, 1.0);
  }
  if (!core->have_last || timestamp < core->last_ts || timestamp >= core->next_due + period)
    core->next_due = timestamp + period;
  else
    core->next_due += period;
  core->last_ts = timestamp;
  core->have_last = TRUE;

  sample (core, data, plane);
  fit_lighting (core, &g, &o);
  scale = residuals (core, (gfloat) g, (gfloat) o);
  refine_lighting (core, scale, &g, &o);
  scale = residuals (core, (gfloat) g, (gfloat) o);

  k = K_MAX * pow (K_MIN / K_MAX, core->params.sensitivity / 100.0);
  floor2 = MAX (scale, SIGMA_MIN);
  floor2 *= floor2;
  for (guint c = 0; c < core->n_cells; c++) {
    gfloat var, r = core->resid[c];

    core->changed[c] = FALSE;
    if (core->masked[c] || core->age[c] < WARMUP_FRAMES || core->clip[c])
      continue;
    n_counted++;
    var = MAX (core->noise[c], floor2);
    if (r * r > (gfloat) (k * k) * var) {
      core->changed[c] = TRUE;
      n_changed++;
    }
  }
  largest = n_changed > 0 ? largest_region (core) : 0;
  learn (core, (gfloat) g, (gfloat) o, dt, (gfloat) (k * k), floor2);

  min_cells = MAX (1, (guint) ceil (core->params.min_area * core->n_cells - 1e-9));
  moving = n_counted > 0 && largest >= min_cells;
  if (moving) {
    core->last_moving_ts = timestamp;
    if (!core->motion) {
      core->motion = TRUE;
      result->changed = TRUE;
    }
  } else if (core->motion && timestamp - core->last_moving_ts >= core->params.hold_time) {
    core->motion = FALSE;
    result->changed = TRUE;
  }
  result->motion = core->motion;
  result->score = n_counted > 0 ? (gdouble) n_changed / n_counted : 0;
  result->area = (gdouble) largest / core->n_cells;
  return TRUE;
}

void
hksv_motion_core_get_grid (
    const HksvMotionCore *core, guint *cols, guint *rows, const guint8 **changed)
{
  g_return_if_fail (core != NULL);

  if (cols != NULL)
    *cols = core->cols;
  if (rows != NULL)
    *rows = core->rows;
  if (changed != NULL)
    *changed = core->changed;
}

static void
put_sample (guint8 *p, const HksvMotionPlane *plane, guint value)
{
  guint v;

  if (plane->format == HKSV_MOTION_SAMPLE_U8) {
    *p = (guint8) value;
    return;
  }
  v = MIN (value << plane->shift, 0xffff);
  if (plane->format == HKSV_MOTION_SAMPLE_U16LE) {
    p[0] = (guint8) v;
    p[1] = (guint8) (v >> 8);
  } else {
    p[0] = (guint8) (v >> 8);
    p[1] = (guint8) v;
  }
}

void
hksv_motion_core_draw (const HksvMotionCore *core, guint8 *data, const HksvMotionPlane *plane)
{
  const guint value = 235;

  g_return_if_fail (core != NULL);
  g_return_if_fail (data != NULL);
  g_return_if_fail (plane != NULL);

  if (plane->width != core->width || plane->height != core->height || core->n_cells == 0)
    return;
  for (guint i = 0; i < core->rows; i++) {
    gint y0 = (gint) ((gint64) i * plane->height / core->rows);
    gint y1 = (gint) ((gint64) (i + 1) * plane->height / core->rows) - 1;

    for (guint j = 0; j < core->cols; j++) {
      gint x0 = (gint) ((gint64) j * plane->width / core->cols);
      gint x1 = (gint) ((gint64) (j + 1) * plane->width / core->cols) - 1;

      if (!core->changed[i * core->cols + j])
        continue;
      for (gint x = x0; x <= x1; x++) {
        put_sample (
            data + (gsize) y0 * plane->stride + (gsize) x * plane->pixel_stride, plane, value);
        put_sample (
            data + (gsize) y1 * plane->stride + (gsize) x * plane->pixel_stride, plane, value);
      }
      for (gint y = y0; y <= y1; y++) {
        put_sample (
            data + (gsize) y * plane->stride + (gsize) x0 * plane->pixel_stride, plane, value);
        put_sample (
            data + (gsize) y * plane->stride + (gsize) x1 * plane->pixel_stride, plane, value);
      }
    }
  }
}

/* A decimal number: digits with an optional fraction and exponent, no sign, no hex, no inf/nan.
 * Returns the position after it, or NULL. */
static const gchar *
scan_number (const gchar *p, gdouble *value)
{
  const gchar *start = p;
  gboolean digits = FALSE;
  gchar buf[64];

  while (g_ascii_isdigit (*p)) {
    p++;
    digits = TRUE;
  }
  if (*p == '.') {
    p++;
    while (g_ascii_isdigit (*p)) {
      p++;
      digits = TRUE;
    }
  }
  if (!digits)
    return NULL;
  if (*p == 'e' || *p == 'E') {
    const gchar *e = p + 1;

    if (*e == '+' || *e == '-')
      e++;
    if (!g_ascii_isdigit (*e))
      return NULL;
    while (g_ascii_isdigit (*e))
      e++;
    p = e;
  }
  if ((gsize) (p - start) >= sizeof buf)
    return NULL;
  memcpy (buf, start, p - start);
  buf[p - start] = '\0';
  *value = g_ascii_strtod (buf, NULL);
  return isfinite (*value) ? p : NULL;
}

static const gchar *
skip_space (const gchar *p)
{
  while (g_ascii_isspace (*p))
    p++;
  return p;
}

gboolean
hksv_motion_mask_parse (const gchar *text, HksvMotionMask *mask, GError **error)
{
  HksvMotionMask out = { 0 };
  const gchar *p;

  g_return_val_if_fail (mask != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  p = skip_space (text != NULL ? text : "");
  while (*p != '\0') {
    gdouble v[4];
    HksvMotionRect *r;

    if (out.n_rects == HKSV_MOTION_MASK_MAX_RECTS) {
      g_set_error (error, HKSV_MOTION_ERROR, HKSV_MOTION_ERROR_INVALID_MASK,
          "region mask: more than %d rectangles", HKSV_MOTION_MASK_MAX_RECTS);
      return FALSE;
    }
    for (guint k = 0; k < 4; k++) {
      p = skip_space (p);
      p = scan_number (p, &v[k]);
      if (p == NULL) {
        g_set_error (error, HKSV_MOTION_ERROR, HKSV_MOTION_ERROR_INVALID_MASK,
            "region mask: rectangle %u: expected x,y,w,h as numbers from 0 to 1", out.n_rects + 1);
        return FALSE;
      }
      p = skip_space (p);
      if (k < 3) {
        if (*p != ',') {
          g_set_error (error, HKSV_MOTION_ERROR, HKSV_MOTION_ERROR_INVALID_MASK,
              "region mask: rectangle %u: expected ',' after value %u", out.n_rects + 1, k + 1);
          return FALSE;
        }
        p++;
      }
    }
    if (v[0] > 1 || v[1] > 1 || v[2] <= 0 || v[3] <= 0 || v[0] + v[2] > 1 + 1e-9
        || v[1] + v[3] > 1 + 1e-9) {
      g_set_error (error, HKSV_MOTION_ERROR, HKSV_MOTION_ERROR_INVALID_MASK,
          "region mask: rectangle %u is empty or outside the frame (x + w and y + h must be "
          "at most 1)",
          out.n_rects + 1);
      return FALSE;
    }
    r = &out.rects[out.n_rects++];
    r->x = v[0];
    r->y = v[1];
    r->w = v[2];
    r->h = v[3];
    if (*p == ';') {
      p = skip_space (p + 1);
      if (*p == '\0') {
        g_set_error (error, HKSV_MOTION_ERROR, HKSV_MOTION_ERROR_INVALID_MASK,
            "region mask: nothing after the last ';'");
        return FALSE;
      }
    } else if (*p != '\0') {
      g_set_error (error, HKSV_MOTION_ERROR, HKSV_MOTION_ERROR_INVALID_MASK,
          "region mask: rectangle %u: expected ';' or the end", out.n_rects);
      return FALSE;
    }
  }
  *mask = out;
  return TRUE;
}

gchar *
hksv_motion_mask_to_string (const HksvMotionMask *mask)
{
  GString *s;

  g_return_val_if_fail (mask != NULL, NULL);

  s = g_string_new (NULL);
  for (guint i = 0; i < mask->n_rects; i++) {
    const HksvMotionRect *r = &mask->rects[i];
    gchar buf[4][G_ASCII_DTOSTR_BUF_SIZE];

    g_string_append_printf (s, "%s%s,%s,%s,%s", i > 0 ? ";" : "",
        g_ascii_dtostr (buf[0], sizeof buf[0], r->x), g_ascii_dtostr (buf[1], sizeof buf[1], r->y),
        g_ascii_dtostr (buf[2], sizeof buf[2], r->w), g_ascii_dtostr (buf[3], sizeof buf[3], r->h));
  }
  return g_string_free (s, FALSE);
}
