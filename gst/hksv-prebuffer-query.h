/* libgsthksv: how hksvsink takes the prebuffer of hksvprebuffer when a recording starts.
 *
 * hksvsink sends a custom upstream query (GST_QUERY_CUSTOM) named "hksv-prebuffer" on each of its
 * sink pads (video, audio) when a session starts, from whatever thread starts it. It travels
 * upstream through queues and other pass-through elements to hksvprebuffer, which answers for the
 * pad it arrived on with a snapshot of its ring, taken under the ring's lock:
 *   caps      GST_TYPE_CAPS         the caps the buffers were received with (codec_data included)
 *   segment   GST_TYPE_SEGMENT      the segment they belong to (for running-time conversion)
 *   buffers   GST_TYPE_BUFFER_LIST  video: complete GOPs, starting at a keyframe, covering at
 *                                   least the prebuffer duration (when that much was received),
 *                                   followed by the current, incomplete GOP, up to and including
 *                                   the newest buffer pushed downstream; audio: every buffer of
 *                                   the audio ring, which is kept back to the start of the oldest
 *                                   video GOP (the sink drops audio before its video start)
 *   duration  G_TYPE_UINT64         running-time span of `buffers` (ns)
 *
 * hksvprebuffer adds a buffer to its ring before it pushes it downstream, so every buffer that
 * reaches the sink after the snapshot either is in the snapshot (DTS <= the snapshot's last DTS:
 * the sink drops it for that session) or comes after it. This makes the hand-over exact without
 * blocking the streaming threads. A query with no hksvprebuffer upstream is not answered
 * (gst_pad_peer_query() returns FALSE) and the session starts with live data only.
 */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define HKSV_PREBUFFER_QUERY_NAME "hksv-prebuffer"

GstQuery *hksv_prebuffer_query_new (void);
gboolean hksv_prebuffer_query_is (GstQuery *query);

/* For hksvprebuffer. Takes its own references. */
void hksv_prebuffer_query_set_content (GstQuery *query, GstCaps *caps, const GstSegment *segment,
    GstBufferList *buffers, GstClockTime duration);

/* For hksvsink: TRUE when the query was answered. Every out argument may be NULL; the caller
 * owns what it receives (gst_caps_unref / gst_buffer_list_unref). */
gboolean hksv_prebuffer_query_parse_content (GstQuery *query, GstCaps **caps, GstSegment *segment,
    GstBufferList **buffers, GstClockTime *duration);

G_END_DECLS
