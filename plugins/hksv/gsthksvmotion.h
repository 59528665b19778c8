/* hksvmotion: motion detection on raw video, passing the frames through untouched. Reports each
 * change as an `hksv-motion` bus message and serialized downstream event (gst/hksv-motion-event.h)
 * and in the read-only `motion` property. See docs/elements/hksvmotion.md. */
#pragma once

#include <gst/base/gstbasetransform.h>

G_BEGIN_DECLS

#define GST_TYPE_HKSV_MOTION (gst_hksv_motion_get_type ())
G_DECLARE_FINAL_TYPE (GstHksvMotion, gst_hksv_motion, GST, HKSV_MOTION, GstBaseTransform)

GST_ELEMENT_REGISTER_DECLARE (hksvmotion);

G_END_DECLS
