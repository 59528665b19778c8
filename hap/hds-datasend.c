/* libhap: typed HDS messages: control/hello and dataSend. See hds-datasend.h. */
#include "hap/hds-datasend.h"

#include <string.h>

#include "hap/hds-value-private.h"

/* Integer field: MISSING when absent, MALFORMED when of another type. */
static gboolean
get_int (const HapHdsValue *body, const gchar *what, const gchar *key, gint64 *out, GError **error)
{
  HapHdsValue *v = hap_hds_value_dict_get (body, key);

  if (!v)
    return hap_hds_fail (error, HAP_CODEC_ERROR_MISSING, "HDS %s has no %s", what, key);
  if (hap_hds_value_get_type (v) != HAP_HDS_TYPE_INT)
    return hap_hds_fail (
        error, HAP_CODEC_ERROR_MALFORMED, "HDS %s %s is not an integer", what, key);
  *out = hap_hds_value_get_int (v);
  return TRUE;
}

static gboolean
get_string (
    const HapHdsValue *body, const gchar *what, const gchar *key, gchar **out, GError **error)
{
  HapHdsValue *v = hap_hds_value_dict_get (body, key);

  if (!v)
    return hap_hds_fail (error, HAP_CODEC_ERROR_MISSING, "HDS %s has no %s", what, key);
  if (hap_hds_value_get_type (v) != HAP_HDS_TYPE_STRING)
    return hap_hds_fail (error, HAP_CODEC_ERROR_MALFORMED, "HDS %s %s is not a string", what, key);
  *out = g_strdup (hap_hds_value_get_string (v, NULL));
  return TRUE;
}

static gboolean
get_bool (
    const HapHdsValue *body, const gchar *what, const gchar *key, gboolean *out, GError **error)
{
  HapHdsValue *v = hap_hds_value_dict_get (body, key);

  if (!v)
    return hap_hds_fail (error, HAP_CODEC_ERROR_MISSING, "HDS %s has no %s", what, key);
  if (hap_hds_value_get_type (v) != HAP_HDS_TYPE_BOOL)
    return hap_hds_fail (error, HAP_CODEC_ERROR_MALFORMED, "HDS %s %s is not a boolean", what, key);
  *out = hap_hds_value_get_bool (v);
  return TRUE;
}

static gboolean
check_dict (const HapHdsValue *body, const gchar *what, GError **error)
{
  if (hap_hds_value_get_type (body) != HAP_HDS_TYPE_DICT)
    return hap_hds_fail (error, HAP_CODEC_ERROR_MALFORMED, "HDS %s is not a dictionary", what);
  return TRUE;
}

gboolean
hap_hds_header_matches (
    const HapHdsHeader *header, HapHdsKind kind, const gchar *protocol, const gchar *topic)
{
  g_return_val_if_fail (header != NULL && protocol != NULL && topic != NULL, FALSE);
  return header->kind == kind && g_strcmp0 (header->protocol, protocol) == 0
         && g_strcmp0 (header->topic, topic) == 0;
}

/* ---- control/hello ---- */

GBytes *
hap_hds_hello_request_encode (gint64 id)
{
  return hap_hds_message_encode_request (HAP_HDS_PROTOCOL_CONTROL, HAP_HDS_TOPIC_HELLO, id, NULL);
}

GBytes *
hap_hds_hello_response_encode (gint64 id, gint64 status)
{
  return hap_hds_message_encode_response (
      HAP_HDS_PROTOCOL_CONTROL, HAP_HDS_TOPIC_HELLO, id, status, NULL);
}

/* ---- dataSend open ---- */

HapHdsValue *
hap_hds_data_send_open_build (
    const gchar *target, const gchar *type, gint64 stream_id, const gchar *reason)
{
  HapHdsValue *body;

  g_return_val_if_fail (target != NULL && type != NULL, NULL);
  body = hap_hds_value_new_dict ();
  hap_hds_value_dict_set_string (body, "target", target);
  hap_hds_value_dict_set_string (body, "type", type);
  hap_hds_value_dict_set_int (body, "streamId", stream_id);
  if (reason)
    hap_hds_value_dict_set_string (body, "reason", reason);
  return body;
}

gboolean
hap_hds_data_send_open_parse (const HapHdsValue *body, HapHdsDataSendOpen *out, GError **error)
{
  HapHdsValue *reason;

  g_return_val_if_fail (body != NULL && out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  memset (out, 0, sizeof (*out));
  if (!check_dict (body, "dataSend open", error)
      || !get_string (body, "dataSend open", "target", &out->target, error)
      || !get_string (body, "dataSend open", "type", &out->type, error)
      || !get_int (body, "dataSend open", "streamId", &out->stream_id, error))
    return FALSE;
  reason = hap_hds_value_dict_get (body, "reason");
  if (reason)
    out->reason = hap_hds_value_ref (reason);
  return TRUE;
}

void
hap_hds_data_send_open_clear (HapHdsDataSendOpen *open)
{
  g_return_if_fail (open != NULL);
  g_clear_pointer (&open->target, g_free);
  g_clear_pointer (&open->type, g_free);
  g_clear_pointer (&open->reason, hap_hds_value_unref);
}

HapHdsValue *
hap_hds_data_send_open_response_build (gint64 status)
{
  HapHdsValue *body = hap_hds_value_new_dict ();

  hap_hds_value_dict_set_int (body, "status", status);
  return body;
}

gboolean
hap_hds_data_send_open_response_parse (const HapHdsValue *body, gint64 *status, GError **error)
{
  g_return_val_if_fail (body != NULL && status != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  return check_dict (body, "dataSend open response", error)
         && get_int (body, "dataSend open response", "status", status, error);
}

GBytes *
hap_hds_data_send_open_response_encode (gint64 id, HapHdsDataSendReason reason)
{
  g_autoptr (HapHdsValue) body = hap_hds_data_send_open_response_build (reason);
  gint64 status = reason == HAP_HDS_DATA_SEND_NORMAL ? HAP_HDS_STATUS_SUCCESS
                                                     : HAP_HDS_STATUS_PROTOCOL_SPECIFIC_ERROR;

  return hap_hds_message_encode_response (
      HAP_HDS_PROTOCOL_DATA_SEND, HAP_HDS_TOPIC_OPEN, id, status, body);
}

/* ---- dataSend data ---- */

static const gchar *const data_type_names[] = { "mediaInitialization", "mediaFragment" };

static HapHdsValue *
packet_build (const HapHdsDataSendPacket *p)
{
  HapHdsValue *packet = hap_hds_value_new_dict ();
  HapHdsValue *metadata = hap_hds_value_new_dict ();

  hap_hds_value_dict_set_data (packet, "data", p->data);
  hap_hds_value_dict_set_string (metadata, "dataType", data_type_names[p->data_type]);
  hap_hds_value_dict_set_int (metadata, "dataSequenceNumber", p->data_sequence_number);
  hap_hds_value_dict_set_int (metadata, "dataChunkSequenceNumber", p->data_chunk_sequence_number);
  hap_hds_value_dict_set_bool (metadata, "isLastDataChunk", p->is_last_data_chunk);
  if (p->data_total_size >= 0)
    hap_hds_value_dict_set_int (metadata, "dataTotalSize", p->data_total_size);
  hap_hds_value_dict_set (packet, "metadata", metadata);
  return packet;
}

HapHdsValue *
hap_hds_data_send_data_build (
    gint64 stream_id, const HapHdsDataSendPacket *packets, guint n_packets, gboolean end_of_stream)
{
  HapHdsValue *body, *array;

  g_return_val_if_fail (packets != NULL || n_packets == 0, NULL);
  for (guint i = 0; i < n_packets; i++) {
    g_return_val_if_fail (packets[i].data != NULL, NULL);
    g_return_val_if_fail (packets[i].data_type <= HAP_HDS_DATA_TYPE_MEDIA_FRAGMENT, NULL);
  }
  body = hap_hds_value_new_dict ();
  hap_hds_value_dict_set_int (body, "streamId", stream_id);
  array = hap_hds_value_new_array ();
  for (guint i = 0; i < n_packets; i++)
    hap_hds_value_array_append (array, packet_build (&packets[i]));
  hap_hds_value_dict_set (body, "packets", array);
  if (end_of_stream)
    hap_hds_value_dict_set_bool (body, "endOfStream", TRUE);
  return body;
}

GBytes *
hap_hds_data_send_data_encode (
    gint64 stream_id, const HapHdsDataSendPacket *packet, gboolean end_of_stream)
{
  g_autoptr (HapHdsValue) body = NULL;

  g_return_val_if_fail (packet != NULL, NULL);
  body = hap_hds_data_send_data_build (stream_id, packet, 1, end_of_stream);
  g_return_val_if_fail (body != NULL, NULL);
  return hap_hds_message_encode_event (HAP_HDS_PROTOCOL_DATA_SEND, HAP_HDS_TOPIC_DATA, body);
}

static void
packet_clear (gpointer p)
{
  HapHdsDataSendPacket *packet = p;

  g_clear_pointer (&packet->data, g_bytes_unref);
}

static gboolean
packet_parse (const HapHdsValue *v, guint index, HapHdsDataSendPacket *out, GError **error)
{
  HapHdsValue *metadata, *data;
  g_autofree gchar *data_type = NULL;
  g_autofree gchar *what = g_strdup_printf ("dataSend data packet %u", index);
  HapHdsValue *total;

  if (!check_dict (v, what, error))
    return FALSE;
  data = hap_hds_value_dict_get (v, "data");
  if (!data)
    return hap_hds_fail (error, HAP_CODEC_ERROR_MISSING, "HDS %s has no data", what);
  if (hap_hds_value_get_type (data) != HAP_HDS_TYPE_DATA)
    return hap_hds_fail (error, HAP_CODEC_ERROR_MALFORMED, "HDS %s data is not data", what);
  metadata = hap_hds_value_dict_get (v, "metadata");
  if (!metadata)
    return hap_hds_fail (error, HAP_CODEC_ERROR_MISSING, "HDS %s has no metadata", what);
  if (!check_dict (metadata, what, error)
      || !get_string (metadata, what, "dataType", &data_type, error)
      || !get_int (metadata, what, "dataSequenceNumber", &out->data_sequence_number, error)
      || !get_int (
          metadata, what, "dataChunkSequenceNumber", &out->data_chunk_sequence_number, error)
      || !get_bool (metadata, what, "isLastDataChunk", &out->is_last_data_chunk, error))
    return FALSE;
  if (g_strcmp0 (data_type, data_type_names[0]) == 0)
    out->data_type = HAP_HDS_DATA_TYPE_MEDIA_INITIALIZATION;
  else if (g_strcmp0 (data_type, data_type_names[1]) == 0)
    out->data_type = HAP_HDS_DATA_TYPE_MEDIA_FRAGMENT;
  else
    return hap_hds_fail (error, HAP_CODEC_ERROR_OUT_OF_RANGE, "HDS %s has unknown dataType", what);
  out->data_total_size = -1;
  total = hap_hds_value_dict_get (metadata, "dataTotalSize");
  if (total && !get_int (metadata, what, "dataTotalSize", &out->data_total_size, error))
    return FALSE;
  out->data = g_bytes_ref (hap_hds_value_get_data (data));
  return TRUE;
}

gboolean
hap_hds_data_send_data_parse (const HapHdsValue *body, HapHdsDataSendData *out, GError **error)
{
  HapHdsValue *packets, *eos;
  guint n;

  g_return_val_if_fail (body != NULL && out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  memset (out, 0, sizeof (*out));
  out->packets = g_array_new (FALSE, TRUE, sizeof (HapHdsDataSendPacket));
  g_array_set_clear_func (out->packets, packet_clear);
  if (!check_dict (body, "dataSend data", error)
      || !get_int (body, "dataSend data", "streamId", &out->stream_id, error))
    return FALSE;
  packets = hap_hds_value_dict_get (body, "packets");
  if (!packets)
    return hap_hds_fail (error, HAP_CODEC_ERROR_MISSING, "HDS dataSend data has no packets");
  if (hap_hds_value_get_type (packets) != HAP_HDS_TYPE_ARRAY)
    return hap_hds_fail (
        error, HAP_CODEC_ERROR_MALFORMED, "HDS dataSend data packets is not an array");
  n = hap_hds_value_get_length (packets);
  if (n == 0)
    return hap_hds_fail (error, HAP_CODEC_ERROR_MISSING, "HDS dataSend data has no packet");
  g_array_set_size (out->packets, n);
  for (guint i = 0; i < n; i++)
    if (!packet_parse (hap_hds_value_array_get (packets, i), i,
            &g_array_index (out->packets, HapHdsDataSendPacket, i), error))
      return FALSE;
  eos = hap_hds_value_dict_get (body, "endOfStream");
  if (eos && !get_bool (body, "dataSend data", "endOfStream", &out->end_of_stream, error))
    return FALSE;
  return TRUE;
}

void
hap_hds_data_send_data_clear (HapHdsDataSendData *data)
{
  g_return_if_fail (data != NULL);
  g_clear_pointer (&data->packets, g_array_unref);
}

/* ---- dataSend ack ---- */

HapHdsValue *
hap_hds_data_send_ack_build (gint64 stream_id, gboolean end_of_stream)
{
  HapHdsValue *body = hap_hds_value_new_dict ();

  hap_hds_value_dict_set_int (body, "streamId", stream_id);
  hap_hds_value_dict_set_bool (body, "endOfStream", end_of_stream);
  return body;
}

gboolean
hap_hds_data_send_ack_parse (
    const HapHdsValue *body, gint64 *stream_id, gboolean *end_of_stream, GError **error)
{
  g_return_val_if_fail (body != NULL && stream_id != NULL && end_of_stream != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  *end_of_stream = FALSE;
  if (!check_dict (body, "dataSend ack", error)
      || !get_int (body, "dataSend ack", "streamId", stream_id, error))
    return FALSE;
  if (hap_hds_value_dict_get (body, "endOfStream"))
    return get_bool (body, "dataSend ack", "endOfStream", end_of_stream, error);
  return TRUE;
}

/* ---- dataSend close ---- */

HapHdsValue *
hap_hds_data_send_close_build (gint64 stream_id, HapHdsDataSendReason reason)
{
  HapHdsValue *body = hap_hds_value_new_dict ();

  hap_hds_value_dict_set_int (body, "streamId", stream_id);
  hap_hds_value_dict_set_int (body, "reason", reason);
  return body;
}

gboolean
hap_hds_data_send_close_parse (
    const HapHdsValue *body, gint64 *stream_id, gint64 *reason, GError **error)
{
  const gchar *key = "reason";

  g_return_val_if_fail (body != NULL && stream_id != NULL && reason != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  *reason = HAP_HDS_DATA_SEND_NORMAL;
  if (!check_dict (body, "dataSend close", error)
      || !get_int (body, "dataSend close", "streamId", stream_id, error))
    return FALSE;
  if (!hap_hds_value_dict_get (body, key))
    key = "status";
  if (hap_hds_value_dict_get (body, key))
    return get_int (body, "dataSend close", key, reason, error);
  return TRUE;
}
