/* Deterministic scenes for the motion detector (see motion-scenes.h). */
#include "tests/common/motion-scenes.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#define SEC G_GUINT64_CONSTANT (1000000000)
#define GAUSS_BITS 10
#define GAUSS_SIZE (1 << GAUSS_BITS)

/* clang-format off */
#define STILL .ramp_gain0 = 1, .ramp_gain1 = 1
static const HksvScene scenes[] = {
  /* no objects: no event expected */
  { .name = "still-noise", 640, 360, 15, 1, 150, 101, .noise = 3, STILL },
  { .name = "heavy-noise-compression", 640, 360, 15, 1, 150, 102, .noise = 7,
    .compression = 10, .keyframe_interval = 2, STILL },
  { .name = "compression-keyframes", 640, 360, 15, 1, 150, 103, .noise = 2,
    .compression = 14, .keyframe_interval = 1, STILL },
  { .name = "dusk-ramp", 640, 360, 15, 1, 150, 104, .noise = 3,
    .ramp_t0 = 1, .ramp_t1 = 9, .ramp_gain0 = 1.0, .ramp_gain1 = 0.4 },
  { .name = "dawn-ramp-offset", 640, 360, 15, 1, 150, 105, .noise = 3, .compression = 6,
    .keyframe_interval = 2, .ramp_t0 = 1, .ramp_t1 = 7, .ramp_gain0 = 0.6, .ramp_gain1 = 1.1,
    .ramp_offset0 = -10, .ramp_offset1 = 25 },
  { .name = "flashes", 640, 360, 15, 1, 180, 106, .noise = 3, STILL, .n_flashes = 4,
    .flashes = { { 3.0, 0.3, 1.4, 0 }, { 5.0, 0, 1, -35 }, { 7.0, 0, 1, 35 },
                 { 9.0, 0.4, 0.6, 0 } } },
  { .name = "flicker-100hz", 640, 360, 15, 1, 150, 107, .noise = 3, STILL,
    .flicker_amp = 0.15, .flicker_hz = 100 },
  { .name = "flicker-120hz-25fps", 640, 360, 25, 1, 250, 108, .noise = 3, .compression = 8,
    .keyframe_interval = 2, STILL, .flicker_amp = 0.2, .flicker_hz = 120 },
  { .name = "everything-empty", 640, 360, 15, 1, 180, 109, .noise = 5, .compression = 8,
    .keyframe_interval = 2, .ramp_t0 = 1, .ramp_t1 = 11, .ramp_gain0 = 1.1, .ramp_gain1 = 0.6,
    .ramp_offset0 = 0, .ramp_offset1 = 10, .flicker_amp = 0.1, .flicker_hz = 100,
    .n_flashes = 1, .flashes = { { 6.0, 0.3, 1.3, 10 } } },
  /* objects: each interval detected within 300 ms */
  { .name = "small-slow-walk", 640, 360, 15, 1, 270, 201, .noise = 3, STILL, .n_objects = 1,
    .objects = { { 1.5, 14.5, -0.06, 0.62, 0.085, 0, 0.12, 0.25, 45, 25 } } },
  { .name = "medium-walk", 640, 360, 15, 1, 150, 202, .noise = 3, .compression = 6,
    .keyframe_interval = 2, STILL, .n_objects = 1,
    .objects = { { 1.5, 7.5, 1.1, 0.55, -0.25, 0, 0.2, 0.45, 205, 30 } } },
  { .name = "large-fast", 640, 360, 30, 1, 300, 203, .noise = 3, STILL, .n_objects = 2,
    .objects = { { 1.5, 2.7, -0.2, 0.5, 1.2, 0, 0.35, 0.65, 95, 45 },
                 { 6.0, 7.2, 1.2, 0.45, -1.2, 0, 0.35, 0.65, 170, 40 } } },
  { .name = "small-fast", 640, 360, 15, 1, 150, 204, .noise = 4, STILL, .n_objects = 2,
    .objects = { { 2.0, 2.8, -0.05, 0.3, 1.5, 0.3, 0.1, 0.2, 220, 20 },
                 { 6.0, 7.2, 0.7, -0.1, 0, 1.0, 0.1, 0.2, 30, 20 } } },
  { .name = "object-under-ramp", 640, 360, 15, 1, 195, 205, .noise = 3, .ramp_t0 = 1,
    .ramp_t1 = 11, .ramp_gain0 = 1.0, .ramp_gain1 = 0.45, .n_objects = 1,
    .objects = { { 4.0, 10.0, -0.08, 0.5, 0.2, 0, 0.15, 0.4, 185, 30 } } },
  { .name = "object-flicker-compression", 640, 360, 15, 1, 150, 206, .noise = 4,
    .compression = 10, .keyframe_interval = 1, STILL, .flicker_amp = 0.12, .flicker_hz = 100,
    .n_objects = 1, .objects = { { 2.0, 6.0, 1.07, 0.4, -0.3, 0.02, 0.14, 0.3, 40, 30 } } },
  { .name = "pop-in", 640, 360, 15, 1, 200, 207, .noise = 3, STILL, .n_objects = 2,
    .objects = { { 2.0, 5.0, 0.45, 0.6, 0.05, 0, 0.15, 0.3, 200, 35 },
                 { 9.0, 10.0, 0.3, 0.5, 0, 0.1, 0.12, 0.25, 35, 25 } } },
  { .name = "object-and-flash", 640, 360, 15, 1, 150, 208, .noise = 3, STILL, .n_flashes = 1,
    .flashes = { { 4.0, 0.3, 1.35, 0 } }, .n_objects = 1,
    .objects = { { 2.0, 7.0, -0.1, 0.55, 0.25, 0, 0.16, 0.4, 120, 60 } } },
  { .name = "low-contrast-dim", 640, 360, 15, 1, 165, 209, .noise = 4, .compression = 8,
    .keyframe_interval = 2, .ramp_gain0 = 0.5, .ramp_gain1 = 0.5, .n_objects = 1,
    .objects = { { 2.0, 8.0, -0.08, 0.6, 0.2, 0, 0.14, 0.35, 125, 15 } } },
};
/* clang-format on */

const HksvScene *
hksv_scenes (guint *n_scenes)
{
  g_return_val_if_fail (n_scenes != NULL, NULL);
  *n_scenes = G_N_ELEMENTS (scenes);
  return scenes;
}

const HksvScene *
hksv_scene_find (const gchar *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (scenes); i++) {
    if (g_strcmp0 (scenes[i].name, name) == 0)
      return &scenes[i];
  }
  return NULL;
}

guint64
hksv_scene_frame_time (const HksvScene *scene, guint frame)
{
  return (guint64) frame * SEC * scene->fps_d / scene->fps_n;
}

guint64
hksv_scene_frame_duration (const HksvScene *scene)
{
  return SEC * scene->fps_d / scene->fps_n;
}

static gdouble
frame_seconds (const HksvScene *scene, guint frame)
{
  return (gdouble) frame * scene->fps_d / scene->fps_n;
}

/* The object's rectangle at time t in frame fractions; FALSE when it does not exist then. */
static gboolean
object_rect (
    const HksvSceneObject *o, gdouble t, gdouble *x0, gdouble *y0, gdouble *x1, gdouble *y1)
{
  gdouble cx, cy;

  if (t < o->t_start || t >= o->t_end)
    return FALSE;
  cx = o->x + o->vx * (t - o->t_start);
  cy = o->y + o->vy * (t - o->t_start);
  *x0 = cx - o->w / 2;
  *x1 = cx + o->w / 2;
  *y0 = cy - o->h / 2;
  *y1 = cy + o->h / 2;
  return TRUE;
}

gdouble
hksv_scene_object_area (const HksvScene *scene, guint frame)
{
  gdouble t = frame_seconds (scene, frame), area = 0;

  for (guint i = 0; i < scene->n_objects; i++) {
    gdouble x0, y0, x1, y1, w, h;

    if (!object_rect (&scene->objects[i], t, &x0, &y0, &x1, &y1))
      continue;
    w = MIN (x1, 1.0) - MAX (x0, 0.0);
    h = MIN (y1, 1.0) - MAX (y0, 0.0);
    if (w > 0 && h > 0)
      area += w * h;
  }
  return area;
}

guint
hksv_scene_truth (
    const HksvScene *scene, gdouble min_area, guint64 merge_gap, HksvSceneInterval *out, guint max)
{
  guint n = 0;
  guint f = 0;

  while (f < scene->n_frames) {
    guint first, last;
    gboolean have = FALSE;
    HksvSceneInterval iv = { 0 };

    /* one run of frames with something visible */
    while (f < scene->n_frames && hksv_scene_object_area (scene, f) <= 0)
      f++;
    if (f == scene->n_frames)
      break;
    first = f;
    while (f < scene->n_frames && hksv_scene_object_area (scene, f) > 0) {
      if (hksv_scene_object_area (scene, f) >= min_area) {
        if (!have)
          iv.start = hksv_scene_frame_time (scene, f);
        iv.end = hksv_scene_frame_time (scene, f);
        have = TRUE;
      }
      f++;
    }
    last = f - 1;
    if (!have)
      continue;
    iv.first_visible = hksv_scene_frame_time (scene, first);
    iv.last_visible = hksv_scene_frame_time (scene, last);
    if (n > 0 && n <= max && iv.start - out[n - 1].end < merge_gap) {
      out[n - 1].end = iv.end;
      out[n - 1].last_visible = iv.last_visible;
      continue;
    }
    if (n < max)
      out[n] = iv;
    n++;
  }
  return n;
}

struct _HksvSceneRenderer {
  const HksvScene *scene;
  guint width, height;
  guint8 *background;
  guint8 *row;
  gint32 gauss[GAUSS_SIZE]; /* N(0, 1) quantiles, times 256 */
};

static guint32
hash32 (guint32 a, guint32 b, guint32 c)
{
  guint32 h = a * 0x9e3779b1u ^ (b + 0x7f4a7c15u) * 0x85ebca77u ^ (c + 0x165667b1u) * 0xc2b2ae3du;

  h ^= h >> 15;
  h *= 0x2c1b3c6du;
  h ^= h >> 12;
  h *= 0x297a2d39u;
  h ^= h >> 15;
  return h;
}

static inline guint32
xorshift32 (guint32 *s)
{
  guint32 x = *s;

  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  *s = x;
  return x;
}

/* Uniform in [0, 1) from a lattice point. */
static gdouble
lattice (guint32 seed, guint32 octave, gint i, gint j)
{
  return hash32 (seed, octave * 7919u + (guint32) i, (guint32) j) / 4294967296.0;
}

static gdouble
value_noise (guint32 seed, guint octave, guint lx, guint ly, gdouble u, gdouble v)
{
  gdouble fx = u * lx, fy = v * ly;
  gint i = (gint) floor (fx), j = (gint) floor (fy);
  gdouble ax = fx - i, ay = fy - j;
  gdouble a, b;

  /* smoothstep weights: shading without visible lattice lines */
  ax = ax * ax * (3 - 2 * ax);
  ay = ay * ay * (3 - 2 * ay);
  a = lattice (seed, octave, i, j) * (1 - ax) + lattice (seed, octave, i + 1, j) * ax;
  b = lattice (seed, octave, i, j + 1) * (1 - ax) + lattice (seed, octave, i + 1, j + 1) * ax;
  return a * (1 - ay) + b * ay;
}

static void
make_background (HksvSceneRenderer *r)
{
  const HksvScene *s = r->scene;
  gdouble rects[6][5];
  guint32 st = s->seed * 2654435761u | 1;

  /* flat furniture: x0, y0, x1, y1, level; the last one is a bright window */
  for (guint k = 0; k < 6; k++) {
    gdouble x = hash32 (s->seed, 1000 + k, 1) / 4294967296.0 * 0.8;
    gdouble y = hash32 (s->seed, 1000 + k, 2) / 4294967296.0 * 0.7;

    rects[k][0] = x;
    rects[k][1] = y;
    rects[k][2] = x + 0.08 + hash32 (s->seed, 1000 + k, 3) / 4294967296.0 * 0.25;
    rects[k][3] = y + 0.08 + hash32 (s->seed, 1000 + k, 4) / 4294967296.0 * 0.3;
    rects[k][4] = k == 5 ? 236 : 40 + hash32 (s->seed, 1000 + k, 5) / 4294967296.0 * 150;
  }
  for (guint y = 0; y < r->height; y++) {
    gdouble v = (y + 0.5) / r->height;

    for (guint x = 0; x < r->width; x++) {
      gdouble u = (x + 0.5) / r->width, level;
      gint grain;

      level = 50 + 90 * value_noise (s->seed, 0, 4, 3, u, v)
              + 35 * value_noise (s->seed, 1, 9, 5, u, v)
              + 18 * value_noise (s->seed, 2, 20, 11, u, v)
              + 10 * value_noise (s->seed, 3, 48, 27, u, v) - 30;
      for (guint k = 0; k < 6; k++) {
        if (u >= rects[k][0] && u < rects[k][2] && v >= rects[k][1] && v < rects[k][3])
          level = rects[k][4] + 8 * value_noise (s->seed, 4 + k, 6, 6, u, v);
      }
      grain = (gint) (xorshift32 (&st) % 13) - 6;
      r->background[y * r->width + x] = (guint8) CLAMP ((gint) (level + 0.5) + grain, 0, 255);
    }
  }
}

/* Quantiles of N(0,1) at (i + 0.5) / GAUSS_SIZE, by bisection on erfc. */
static void
make_gauss (HksvSceneRenderer *r)
{
  for (guint i = 0; i < GAUSS_SIZE; i++) {
    gdouble p = (i + 0.5) / GAUSS_SIZE, lo = -8, hi = 8;

    for (guint it = 0; it < 60; it++) {
      gdouble mid = (lo + hi) / 2;

      if (0.5 * erfc (-mid / G_SQRT2) < p)
        lo = mid;
      else
        hi = mid;
    }
    r->gauss[i] = (gint32) lround ((lo + hi) / 2 * 256);
  }
}

HksvSceneRenderer *
hksv_scene_renderer_new (const HksvScene *scene, guint width, guint height)
{
  HksvSceneRenderer *r;

  g_return_val_if_fail (scene != NULL, NULL);
  g_return_val_if_fail (width >= 8 && height >= 8, NULL);

  r = g_new0 (HksvSceneRenderer, 1);
  r->scene = scene;
  r->width = width;
  r->height = height;
  r->background = g_malloc ((gsize) width * height);
  r->row = g_malloc (width);
  make_background (r);
  make_gauss (r);
  return r;
}

void
hksv_scene_renderer_free (HksvSceneRenderer *renderer)
{
  if (renderer == NULL)
    return;
  g_free (renderer->background);
  g_free (renderer->row);
  g_free (renderer);
}

static void
lighting (const HksvScene *s, gdouble t, gdouble *gain, gdouble *offset)
{
  gdouble a = s->ramp_t1 > s->ramp_t0 ? CLAMP ((t - s->ramp_t0) / (s->ramp_t1 - s->ramp_t0), 0, 1)
                                      : (t >= s->ramp_t0 ? 1 : 0);

  *gain = s->ramp_gain0 + (s->ramp_gain1 - s->ramp_gain0) * a;
  *offset = s->ramp_offset0 + (s->ramp_offset1 - s->ramp_offset0) * a;
  for (guint i = 0; i < s->n_flashes; i++) {
    const HksvSceneFlash *f = &s->flashes[i];

    if (t >= f->t && (f->duration <= 0 || t < f->t + f->duration)) {
      *gain *= f->gain;
      *offset += f->offset;
    }
  }
  if (s->flicker_amp > 0)
    *gain *= 1 + s->flicker_amp * sin (2 * G_PI * s->flicker_hz * t);
}

/* 8x8 block quantisation of the final image: the block mean on a step of q/2, the deviations
 * from it on a step of q. The input is noisy, so the artifacts change from frame to frame. */
static void
compress (guint8 *luma, gsize stride, guint width, guint height, gdouble q)
{
  gdouble inv_q = 1 / q, q_dc = q / 2;

  for (guint by = 0; by < height; by += 8) {
    for (guint bx = 0; bx < width; bx += 8) {
      guint ey = MIN (by + 8, height), ex = MIN (bx + 8, width), sum = 0, n = 0;
      gdouble mean, mean_q;

      for (guint y = by; y < ey; y++) {
        for (guint x = bx; x < ex; x++)
          sum += luma[y * stride + x];
      }
      n = (ey - by) * (ex - bx);
      mean = (gdouble) sum / n;
      mean_q = floor (mean / q_dc + 0.5) * q_dc;
      for (guint y = by; y < ey; y++) {
        for (guint x = bx; x < ex; x++) {
          guint8 *p = &luma[y * stride + x];
          gdouble v = mean_q + floor ((*p - mean) * inv_q + 0.5) * q;

          *p = (guint8) CLAMP ((gint) lround (v), 0, 255);
        }
      }
    }
  }
}

void
hksv_scene_render (HksvSceneRenderer *r, guint frame, guint8 *luma, gsize stride)
{
  const HksvScene *s;
  gdouble t, gain, offset, frame_s;
  gint16 lut[256];
  gint32 sigma_q8;

  g_return_if_fail (r != NULL);
  g_return_if_fail (luma != NULL);
  g_return_if_fail (stride >= r->width);

  s = r->scene;
  t = frame_seconds (s, frame);
  frame_s = (gdouble) s->fps_d / s->fps_n;
  lighting (s, t, &gain, &offset);
  for (guint v = 0; v < 256; v++)
    lut[v] = (gint16) CLAMP (lround (gain * v + offset), -1000, 1000);
  sigma_q8 = (gint32) lround (s->noise * 256);

  for (guint y = 0; y < r->height; y++) {
    guint32 st = hash32 (s->seed, frame + 1, y) | 1;
    guint8 *out = luma + y * stride;

    memcpy (r->row, r->background + (gsize) y * r->width, r->width);
    for (guint k = 0; k < s->n_objects; k++) {
      const HksvSceneObject *o = &s->objects[k];
      gdouble x0, y0, x1, y1, vv, stripe;
      gint px0, px1, py0, py1;
      gint checker_row;

      if (!object_rect (o, t, &x0, &y0, &x1, &y1))
        continue;
      py0 = (gint) lround (y0 * r->height);
      py1 = (gint) lround (y1 * r->height);
      if ((gint) y < py0 || (gint) y >= py1)
        continue;
      px0 = MAX ((gint) lround (x0 * r->width), 0);
      px1 = MIN ((gint) lround (x1 * r->width), (gint) r->width);
      vv = (y - y0 * r->height) / ((y1 - y0) * r->height);
      checker_row = (gint) floor (vv * 5) & 1;
      stripe = sin (2 * G_PI * 3 * vv);
      for (gint x = px0; x < px1; x++) {
        gdouble uu = (x - x0 * r->width) / ((x1 - x0) * r->width);
        gint checker = ((gint) floor (uu * 3) & 1) ^ checker_row ? 1 : -1;
        gdouble level = o->luma + o->texture * (0.6 * checker + 0.4 * stripe);

        r->row[x] = (guint8) CLAMP ((gint) lround (level), 0, 255);
      }
    }
    for (guint x = 0; x < r->width; x++) {
      gint32 v = lut[r->row[x]];

      if (sigma_q8 > 0) {
        gint32 g = r->gauss[xorshift32 (&st) >> (32 - GAUSS_BITS)];

        v += (g * sigma_q8 + 32768) >> 16;
      }
      out[x] = (guint8) CLAMP (v, 0, 255);
    }
  }
  if (s->compression > 0) {
    gboolean keyframe
        = s->keyframe_interval > 0
          && floor (t / s->keyframe_interval) != floor ((t - frame_s) / s->keyframe_interval);

    compress (luma, stride, r->width, r->height, s->compression * (keyframe ? 0.5 : 1.0));
  }
}

gboolean
hksv_scene_write (const HksvScene *scene, guint width, guint height, gint fd, GError **error)
{
  g_autoptr (HksvSceneRenderer) r = hksv_scene_renderer_new (scene, width, height);
  g_autofree guint8 *frame = g_malloc ((gsize) width * height);

  for (guint n = 0; n < scene->n_frames; n++) {
    gsize done = 0, size = (gsize) width * height;

    hksv_scene_render (r, n, frame, width);
    while (done < size) {
      gssize w = write (fd, frame + done, size - done);

      if (w < 0 && errno == EINTR)
        continue;
      if (w <= 0) {
        g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
            "writing frame %u of %s: %s", n, scene->name, g_strerror (errno));
        return FALSE;
      }
      done += (gsize) w;
    }
  }
  return TRUE;
}
