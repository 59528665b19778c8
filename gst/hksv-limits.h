/* libgsthksv: limits shared by the recorder (gst/recording-session.h) and the conformance
 * checker (gst/mp4-check.h), so that what the one writes the other accepts.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* How much earlier than `fragment_duration` after a fragment's start a keyframe may come and
 * still cut the fragment, in ms. Received timestamps jitter: over RTP, rtpjitterbuffer maps RTP
 * time to running time with a clock-skew estimate, and a camera's IDRs exactly 4.000 s apart
 * arrive e.g. 3.958 s apart at the start of a stream; a cut that waited for the full duration
 * would skip that keyframe and write a fragment of twice the length with two IDRs. Well below a
 * GOP. The checker's `fragment.duration` accepts max(one frame + 1 ms, this) on either side of
 * the selected length. */
#define HKSV_FRAGMENT_TOLERANCE_MS 100

G_END_DECLS
