/* libgsthksv: the "hksv-prebuffer" custom query (see hksv-prebuffer-query.h). */
#include "gst/hksv-prebuffer-query.h"

GstQuery *
hksv_prebuffer_query_new (void)
{
  return gst_query_new_custom (
      GST_QUERY_CUSTOM, gst_structure_new_empty (HKSV_PREBUFFER_QUERY_NAME));
}

gboolean
hksv_prebuffer_query_is (GstQuery *query)
{
  const GstStructure *s;

  g_return_val_if_fail (GST_IS_QUERY (query), FALSE);

  if (GST_QUERY_TYPE (query) != GST_QUERY_CUSTOM)
    return FALSE;
  s = gst_query_get_structure (query);
  return s != NULL && gst_structure_has_name (s, HKSV_PREBUFFER_QUERY_NAME);
}

void
hksv_prebuffer_query_set_content (GstQuery *query, GstCaps *caps, const GstSegment *segment,
    GstBufferList *buffers, GstClockTime duration)
{
  GstStructure *s;

  g_return_if_fail (GST_IS_QUERY (query));
  g_return_if_fail (hksv_prebuffer_query_is (query));
  g_return_if_fail (gst_query_is_writable (query));
  g_return_if_fail (GST_IS_CAPS (caps));
  g_return_if_fail (segment != NULL);
  g_return_if_fail (GST_IS_BUFFER_LIST (buffers));

  s = gst_query_writable_structure (query);
  /* gst_structure_set() copies boxed values: references for caps and the list, a copy of the
   * segment. */
  gst_structure_set (s, "caps", GST_TYPE_CAPS, caps, "segment", GST_TYPE_SEGMENT, segment,
      "buffers", GST_TYPE_BUFFER_LIST, buffers, "duration", G_TYPE_UINT64, (guint64) duration,
      NULL);
}

gboolean
hksv_prebuffer_query_parse_content (GstQuery *query, GstCaps **caps, GstSegment *segment,
    GstBufferList **buffers, GstClockTime *duration)
{
  const GstStructure *s;
  const GValue *vcaps, *vsegment, *vbuffers, *vduration;

  g_return_val_if_fail (GST_IS_QUERY (query), FALSE);

  if (!hksv_prebuffer_query_is (query))
    return FALSE;
  s = gst_query_get_structure (query);
  vcaps = gst_structure_get_value (s, "caps");
  vsegment = gst_structure_get_value (s, "segment");
  vbuffers = gst_structure_get_value (s, "buffers");
  vduration = gst_structure_get_value (s, "duration");
  /* Unanswered, or answered by something that does not follow this contract. */
  if (!vcaps || !G_VALUE_HOLDS (vcaps, GST_TYPE_CAPS) || !gst_value_get_caps (vcaps) || !vsegment
      || !G_VALUE_HOLDS (vsegment, GST_TYPE_SEGMENT) || !g_value_get_boxed (vsegment) || !vbuffers
      || !G_VALUE_HOLDS (vbuffers, GST_TYPE_BUFFER_LIST) || !g_value_get_boxed (vbuffers)
      || !vduration || !G_VALUE_HOLDS_UINT64 (vduration))
    return FALSE;

  if (caps)
    *caps = gst_caps_ref ((GstCaps *) gst_value_get_caps (vcaps));
  if (segment)
    gst_segment_copy_into (g_value_get_boxed (vsegment), segment);
  if (buffers)
    *buffers = gst_buffer_list_ref (g_value_get_boxed (vbuffers));
  if (duration)
    *duration = g_value_get_uint64 (vduration);
  return TRUE;
}
