/* libgsthksv: the hksv-motion event and message (see hksv-motion-event.h). */
#include "gst/hksv-motion-event.h"

GstStructure *
hksv_motion_structure_new (const HksvMotionInfo *info)
{
  g_return_val_if_fail (info != NULL, NULL);

  return gst_structure_new (HKSV_MOTION_STRUCTURE_NAME, "motion", G_TYPE_BOOLEAN, info->motion,
      "score", G_TYPE_DOUBLE, info->score, "area", G_TYPE_DOUBLE, info->area, "running-time",
      G_TYPE_UINT64, info->running_time, "stream-time", G_TYPE_UINT64, info->stream_time,
      "timestamp", G_TYPE_UINT64, info->timestamp, NULL);
}

GstEvent *
hksv_motion_event_new (const HksvMotionInfo *info)
{
  g_return_val_if_fail (info != NULL, NULL);

  return gst_event_new_custom (GST_EVENT_CUSTOM_DOWNSTREAM, hksv_motion_structure_new (info));
}

GstMessage *
hksv_motion_message_new (GstObject *src, const HksvMotionInfo *info)
{
  g_return_val_if_fail (info != NULL, NULL);

  return gst_message_new_element (src, hksv_motion_structure_new (info));
}

static const GValue *
get_typed (const GstStructure *s, const gchar *field, GType type)
{
  const GValue *v = gst_structure_get_value (s, field);

  return v != NULL && G_VALUE_TYPE (v) == type ? v : NULL;
}

gboolean
hksv_motion_structure_parse (const GstStructure *structure, HksvMotionInfo *info)
{
  const GValue *motion, *score, *area, *running, *stream, *ts;

  g_return_val_if_fail (info != NULL, FALSE);

  if (structure == NULL || !gst_structure_has_name (structure, HKSV_MOTION_STRUCTURE_NAME))
    return FALSE;
  /* every field, each of exactly its type (no transform), or nothing is written */
  motion = get_typed (structure, "motion", G_TYPE_BOOLEAN);
  score = get_typed (structure, "score", G_TYPE_DOUBLE);
  area = get_typed (structure, "area", G_TYPE_DOUBLE);
  running = get_typed (structure, "running-time", G_TYPE_UINT64);
  stream = get_typed (structure, "stream-time", G_TYPE_UINT64);
  ts = get_typed (structure, "timestamp", G_TYPE_UINT64);
  if (motion == NULL || score == NULL || area == NULL || running == NULL || stream == NULL
      || ts == NULL)
    return FALSE;
  info->motion = g_value_get_boolean (motion);
  info->score = g_value_get_double (score);
  info->area = g_value_get_double (area);
  info->running_time = g_value_get_uint64 (running);
  info->stream_time = g_value_get_uint64 (stream);
  info->timestamp = g_value_get_uint64 (ts);
  return TRUE;
}

gboolean
hksv_motion_event_parse (GstEvent *event, HksvMotionInfo *info)
{
  g_return_val_if_fail (info != NULL, FALSE);

  if (event == NULL || GST_EVENT_TYPE (event) != GST_EVENT_CUSTOM_DOWNSTREAM)
    return FALSE;
  return hksv_motion_structure_parse (gst_event_get_structure (event), info);
}

gboolean
hksv_motion_message_parse (GstMessage *message, HksvMotionInfo *info)
{
  g_return_val_if_fail (info != NULL, FALSE);

  if (message == NULL || GST_MESSAGE_TYPE (message) != GST_MESSAGE_ELEMENT)
    return FALSE;
  return hksv_motion_structure_parse (gst_message_get_structure (message), info);
}
