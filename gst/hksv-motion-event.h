/* libgsthksv: how hksvmotion reports motion, for the elements downstream and the application.
 *
 * Each change of the motion state (off -> on, on -> off) is reported twice, with the same fields:
 * - a serialized downstream custom event (GST_EVENT_CUSTOM_DOWNSTREAM) named "hksv-motion", which
 *   travels in order with the video through converters, encoders and parsers to hksvprebuffer
 *   and hksvsink (standalone mode starts and ends a clip on it);
 * - an element message named "hksv-motion" on the bus, for applications and hksvaccessory.
 *
 * Structure "hksv-motion":
 *   motion        G_TYPE_BOOLEAN  the new state
 *   score         G_TYPE_DOUBLE   the detector's score at the change (0..1, fraction of the
 *                                 analysed cells that changed beyond the noise level)
 *   area          G_TYPE_DOUBLE   area of the largest moving region, as a fraction of the frame
 *   running-time  G_TYPE_UINT64   running time of the frame that changed the state
 *   stream-time   G_TYPE_UINT64   its stream time (GST_CLOCK_TIME_NONE when unknown)
 *   timestamp     G_TYPE_UINT64   its buffer PTS
 */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define HKSV_MOTION_STRUCTURE_NAME "hksv-motion"

typedef struct {
  gboolean motion;
  gdouble score;
  gdouble area;
  GstClockTime running_time;
  GstClockTime stream_time;
  GstClockTime timestamp;
} HksvMotionInfo;

GstStructure *hksv_motion_structure_new (const HksvMotionInfo *info);
GstEvent *hksv_motion_event_new (const HksvMotionInfo *info);
GstMessage *hksv_motion_message_new (GstObject *src, const HksvMotionInfo *info);

/* TRUE and `info` filled when `event` / `message` / `structure` is an hksv-motion report with
 * every field of the right type; FALSE otherwise (`info` untouched). */
gboolean hksv_motion_structure_parse (const GstStructure *structure, HksvMotionInfo *info);
gboolean hksv_motion_event_parse (GstEvent *event, HksvMotionInfo *info);
gboolean hksv_motion_message_parse (GstMessage *message, HksvMotionInfo *info);

G_END_DECLS
