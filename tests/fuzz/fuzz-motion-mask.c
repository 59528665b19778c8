/* libFuzzer target for the region-mask parser of gst/motion-core.c.
 *
 * Parses the input as a mask string; a mask that parses has at most the maximum number of
 * rectangles, each inside the frame, prints to a canonical text that parses back to the same
 * mask, and can be applied to a core analysing a small plane. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gst/motion-core.h"
#include "tests/fuzz/fuzz-target.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  gchar *text = g_strndup ((const gchar *) data, size); /* stops at an embedded NUL */
  HksvMotionMask mask, again;
  GError *error = NULL;

  if (hksv_motion_mask_parse (text, &mask, &error)) {
    gchar *canonical = hksv_motion_mask_to_string (&mask);
    HksvMotionCore *core = hksv_motion_core_new ();
    guint8 plane[32 * 16];
    HksvMotionPlane layout = { 32, 16, 32, 1, HKSV_MOTION_SAMPLE_U8, 0 };
    HksvMotionResult res;

    CHECK (error == NULL);
    CHECK (mask.n_rects <= HKSV_MOTION_MASK_MAX_RECTS);
    for (guint i = 0; i < mask.n_rects; i++) {
      const HksvMotionRect *r = &mask.rects[i];

      CHECK (r->x >= 0 && r->y >= 0 && r->w > 0 && r->h > 0);
      CHECK (r->x + r->w <= 1 + 1e-9 && r->y + r->h <= 1 + 1e-9);
    }
    CHECK (hksv_motion_mask_parse (canonical, &again, NULL));
    CHECK (again.n_rects == mask.n_rects);
    for (guint i = 0; i < mask.n_rects; i++)
      CHECK (memcmp (&again.rects[i], &mask.rects[i], sizeof mask.rects[i]) == 0);
    memset (plane, (int) (size & 0xff), sizeof plane);
    hksv_motion_core_set_mask (core, &mask);
    CHECK (hksv_motion_core_process (core, plane, &layout, 0, &res));
    hksv_motion_core_free (core);
    g_free (canonical);
  } else {
    CHECK (error != NULL
           && g_error_matches (error, HKSV_MOTION_ERROR, HKSV_MOTION_ERROR_INVALID_MASK));
    g_error_free (error);
  }
  g_free (text);
  return 0;
}
