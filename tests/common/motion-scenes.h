/* Deterministic scenes for the motion detector (tests/unit, tests/elements, tests/bench): no
 * files, everything from a seeded PRNG, so that any frame of any scene can be rendered on its own
 * at any resolution and is the same everywhere.
 *
 * A scene is a textured background (smooth shading, flat "furniture" with sharp edges, a bright
 * window that clips under strong light, fixed grain), moving rectangular objects with their own
 * texture, and what a camera adds: global lighting (slow ramps of gain and offset, sudden flashes
 * and steps, camera-wide flicker of 100/120 Hz lights sampled at the frame rate), sensor noise
 * (Gaussian, per pixel and frame) and compression noise (8x8 block quantisation of the noisy
 * image, with finer "keyframes" at an interval, which changes the artifacts at once).
 *
 * The ground truth of a scene is its intervals of object presence: runs of frames where the
 * visible objects cover at least a given fraction of the frame. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define HKSV_SCENE_MAX_OBJECTS 4
#define HKSV_SCENE_MAX_FLASHES 4

typedef struct {
  gdouble t_start, t_end; /* s: the object exists in [t_start, t_end) */
  gdouble x, y;           /* centre at t_start, fractions of the frame (may lie outside) */
  gdouble vx, vy;         /* frame widths / heights per second */
  gdouble w, h;           /* size, fractions of the frame width / height */
  guint8 luma;            /* mean level */
  guint8 texture;         /* amplitude of its pattern */
} HksvSceneObject;

typedef struct {
  gdouble t, duration; /* s; duration 0: a permanent step */
  gdouble gain, offset;
} HksvSceneFlash;

typedef struct {
  const gchar *name;
  guint width, height; /* default render size */
  guint fps_n, fps_d;
  guint n_frames;
  guint32 seed;
  gdouble noise;             /* sensor noise, standard deviation in levels */
  gdouble compression;       /* quantiser step of the block artifacts (levels), 0: none */
  gdouble keyframe_interval; /* s between finer-quantised frames, 0: none */
  gdouble ramp_t0,
      ramp_t1; /* s: lighting goes linearly from (gain0, offset0) to (gain1, offset1) */
  gdouble ramp_gain0, ramp_gain1, ramp_offset0, ramp_offset1;
  gdouble flicker_amp, flicker_hz; /* gain *= 1 + amp * sin (2 pi hz t) */
  guint n_flashes;
  HksvSceneFlash flashes[HKSV_SCENE_MAX_FLASHES];
  guint n_objects;
  HksvSceneObject objects[HKSV_SCENE_MAX_OBJECTS];
} HksvScene;

typedef struct {
  guint64 first_visible; /* ns: first frame where part of an object is visible */
  guint64 start;         /* first frame where objects cover >= min_area of the frame */
  guint64 end;           /* last frame where they cover >= min_area */
  guint64 last_visible;  /* last frame where part of an object is visible */
} HksvSceneInterval;

/* The scene set: scenes with objects and scenes without (n_objects == 0). */
const HksvScene *hksv_scenes (guint *n_scenes);
const HksvScene *hksv_scene_find (const gchar *name);

/* Presentation time of frame n (ns) and frame duration (ns). */
guint64 hksv_scene_frame_time (const HksvScene *scene, guint frame);
guint64 hksv_scene_frame_duration (const HksvScene *scene);

/* Fraction of the frame covered by the visible objects at frame n (overlaps counted once per
 * object, the scenes keep their objects apart). */
gdouble hksv_scene_object_area (const HksvScene *scene, guint frame);

/* Ground-truth intervals: runs of frames with object area >= min_area, merged when the gap
 * between them is shorter than merge_gap (ns). Returns how many (at most max are written). */
guint hksv_scene_truth (
    const HksvScene *scene, gdouble min_area, guint64 merge_gap, HksvSceneInterval *out, guint max);

typedef struct _HksvSceneRenderer HksvSceneRenderer;

HksvSceneRenderer *hksv_scene_renderer_new (const HksvScene *scene, guint width, guint height);
void hksv_scene_renderer_free (HksvSceneRenderer *renderer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HksvSceneRenderer, hksv_scene_renderer_free)

/* Renders frame n's luma (8-bit, full range) into a plane of the renderer's size. */
void hksv_scene_render (HksvSceneRenderer *renderer, guint frame, guint8 *luma, gsize stride);

/* Writes every frame of the scene at width x height as packed GRAY8 to fd (a file or a pipe). */
gboolean hksv_scene_write (
    const HksvScene *scene, guint width, guint height, gint fd, GError **error);

G_END_DECLS
