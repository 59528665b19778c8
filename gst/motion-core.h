/* libgsthksv: the motion analysis core of hksvmotion (pure, GLib only).
 *
 * Luma planes in, motion state and score out. The plane is never read whole: it is sampled on a
 * grid of at most 64 x 64 cells (64 along the long side, 64 x 36 for 16:9), four runs of four
 * adjacent samples per cell, so a 1080p or 4K frame costs 9216 runs (36864 samples on 72 rows).
 * Per cell the core keeps a background level and a noise level; each analysed frame is fitted to
 * the background with a robust global gain and offset (per-brightness medians, outlier bins
 * dropped), so lighting ramps, flashes and flicker that act on the whole image do not count. A
 * cell changes when its residual exceeds the sensitivity's multiple of its own noise level and
 * of the frame's robust residual scale; the largest 8-connected group of changed cells, against
 * the minimum area, makes the frame a moving frame; motion stays on for the hold time after the
 * last moving frame. Masked cells are never analysed.
 *
 * The parameters map 1:1 to the element's properties (sensitivity, min-area, hold-time,
 * analysis-rate, region-mask; enabled and overlay are the element's: hksv_motion_core_draw()).
 * Timestamps are nanoseconds on a monotonic timeline (hksvmotion passes running time).
 * Deterministic; nothing is allocated after hksv_motion_core_new(). Not thread-safe: one caller
 * at a time. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define HKSV_MOTION_MAX_GRID 64
#define HKSV_MOTION_MAX_CELLS (HKSV_MOTION_MAX_GRID * HKSV_MOTION_MAX_GRID)
/* Planes smaller than this in either direction are not analysed. */
#define HKSV_MOTION_MIN_SIZE 8
#define HKSV_MOTION_MASK_MAX_RECTS 16

#define HKSV_MOTION_DEFAULT_SENSITIVITY 50
#define HKSV_MOTION_DEFAULT_MIN_AREA 0.01
#define HKSV_MOTION_DEFAULT_HOLD_TIME (2000 * G_GUINT64_CONSTANT (1000000))
#define HKSV_MOTION_DEFAULT_ANALYSIS_RATE 10.0
#define HKSV_MOTION_MAX_ANALYSIS_RATE 1000.0

typedef enum {
  HKSV_MOTION_SAMPLE_U8,
  HKSV_MOTION_SAMPLE_U16LE,
  HKSV_MOTION_SAMPLE_U16BE,
} HksvMotionSampleFormat;

/* Layout of a luma plane. `data` (passed separately) points at the first luma sample of row 0.
 * pixel_stride: bytes from one luma sample to the next in a row (1 for planar 8-bit, 2 for
 * planar 16-bit and YUY2, 4 for AYUV). shift: for 16-bit samples, the right shift that brings
 * a sample to 8 bits (2 for 10-bit samples in the low bits, 8 for GRAY16 and P010). */
typedef struct {
  gint width;
  gint height;
  gint stride;
  gint pixel_stride;
  HksvMotionSampleFormat format;
  guint shift;
} HksvMotionPlane;

typedef struct {
  guint sensitivity;     /* 0 (least sensitive) .. 100; default 50 */
  gdouble min_area;      /* fraction of the frame a moving region must cover, 0..1; 0.01 */
  guint64 hold_time;     /* ns motion stays on after the last moving frame; 2 s */
  gdouble analysis_rate; /* analysed frames per second, 0 = every frame; 10 */
} HksvMotionParams;

/* A rectangle excluded from analysis, in fractions of the frame (x, y of its top-left corner).
 * A cell is excluded when its centre lies inside. */
typedef struct {
  gdouble x, y, w, h;
} HksvMotionRect;

typedef struct {
  guint n_rects;
  HksvMotionRect rects[HKSV_MOTION_MASK_MAX_RECTS];
} HksvMotionMask;

typedef struct {
  gboolean motion;  /* state after this frame */
  gboolean changed; /* the state changed on this frame */
  gdouble score;    /* fraction of the analysed cells that changed (0 while warming up) */
  gdouble area;     /* largest changed region, fraction of the frame */
} HksvMotionResult;

#define HKSV_MOTION_ERROR (hksv_motion_error_quark ())
typedef enum {
  HKSV_MOTION_ERROR_INVALID_MASK,
} HksvMotionError;
GQuark hksv_motion_error_quark (void);

typedef struct _HksvMotionCore HksvMotionCore;

void hksv_motion_params_init (HksvMotionParams *params);

HksvMotionCore *hksv_motion_core_new (void);
void hksv_motion_core_free (HksvMotionCore *core);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HksvMotionCore, hksv_motion_core_free)

/* Takes effect at the next analysed frame; the learned background is kept. */
void hksv_motion_core_set_params (HksvMotionCore *core, const HksvMotionParams *params);
void hksv_motion_core_get_params (const HksvMotionCore *core, HksvMotionParams *params);
/* NULL or an empty mask: every cell is analysed. Changed cells under a new mask stop counting at
 * once; their background is relearned when they are unmasked. */
void hksv_motion_core_set_mask (HksvMotionCore *core, const HksvMotionMask *mask);

/* Forgets the background, the noise levels and the rate timeline; motion is off afterwards.
 * Returns whether motion was on (the caller reports the change). */
gboolean hksv_motion_core_reset (HksvMotionCore *core);
gboolean hksv_motion_core_get_motion (const HksvMotionCore *core);

/* Whether a frame at `timestamp` is due for analysis under the analysis rate (always TRUE at
 * rate 0, for the first frame and when time went backwards). Frames not due should just pass. */
gboolean hksv_motion_core_wants (const HksvMotionCore *core, guint64 timestamp);

/* Analyses one frame. A plane of another size than the previous one restarts the learning (the
 * motion state and hold timer are kept). Returns FALSE, and leaves `result` with the unchanged
 * state, for a plane smaller than HKSV_MOTION_MIN_SIZE. The first analysed frames after a reset
 * (about 0.3 s) only learn. */
gboolean hksv_motion_core_process (HksvMotionCore *core, const guint8 *data,
    const HksvMotionPlane *plane, guint64 timestamp, HksvMotionResult *result);

/* Grid of the last analysed frame: columns, rows, and per cell (row-major) TRUE when it changed. */
void hksv_motion_core_get_grid (
    const HksvMotionCore *core, guint *cols, guint *rows, const guint8 **changed);

/* Debug overlay: outlines the changed cells of the last analysed frame in a writable plane of
 * the analysed size (nothing is drawn into a plane of another size). */
void hksv_motion_core_draw (const HksvMotionCore *core, guint8 *data, const HksvMotionPlane *plane);

/* Parses a region mask: rectangles "x,y,w,h" in fractions of the frame (0..1, w and h > 0,
 * x + w <= 1, y + h <= 1), separated by ';', whitespace allowed around numbers; "" or NULL is
 * no mask. At most HKSV_MOTION_MASK_MAX_RECTS rectangles. On error returns FALSE with
 * HKSV_MOTION_ERROR_INVALID_MASK and leaves `mask` untouched. */
gboolean hksv_motion_mask_parse (const gchar *text, HksvMotionMask *mask, GError **error);
/* The canonical text of a mask (parses back to the same mask). Free with g_free(). */
gchar *hksv_motion_mask_to_string (const HksvMotionMask *mask);

G_END_DECLS
