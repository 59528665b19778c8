/* hksvprebuffer: passes encoded video (and optional audio) through, keeps a ring of complete
 * GOPs for the start of each recording, and asks upstream for key units at the fragment cadence.
 * See docs/elements/hksvprebuffer.md. */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define GST_TYPE_HKSV_PREBUFFER (gst_hksv_prebuffer_get_type ())
G_DECLARE_FINAL_TYPE (GstHksvPrebuffer, gst_hksv_prebuffer, GST, HKSV_PREBUFFER, GstElement)

GST_ELEMENT_REGISTER_DECLARE (hksvprebuffer);

G_END_DECLS
