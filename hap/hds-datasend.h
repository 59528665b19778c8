/* libhap: typed HDS messages: control/hello and dataSend (PROTOCOL.md sections 4 and 5).
 *
 * Builders return message bodies (HapHdsValue dictionaries) or whole plaintext payloads
 * (GBytes: u8 header length + header + body); parsers take a decoded body and fill a struct.
 * Part of the hds-message module; pure, no I/O.
 */
#pragma once

#include "hap/hds-message.h"

G_BEGIN_DECLS

#define HAP_HDS_PROTOCOL_CONTROL "control"
#define HAP_HDS_TOPIC_HELLO "hello"
#define HAP_HDS_PROTOCOL_DATA_SEND "dataSend"
#define HAP_HDS_TOPIC_OPEN "open"
#define HAP_HDS_TOPIC_DATA "data"
#define HAP_HDS_TOPIC_ACK "ack"
#define HAP_HDS_TOPIC_CLOSE "close"

/* Largest chunk of a dataSend data packet. */
#define HAP_HDS_DATA_SEND_MAX_CHUNK 262144

/* dataSend close reasons, also the body `status` of a refused open. */
typedef enum {
  HAP_HDS_DATA_SEND_NORMAL = 0,
  HAP_HDS_DATA_SEND_NOT_ALLOWED = 1,
  HAP_HDS_DATA_SEND_BUSY = 2,
  HAP_HDS_DATA_SEND_CANCELLED = 3,
  HAP_HDS_DATA_SEND_UNSUPPORTED = 4,
  HAP_HDS_DATA_SEND_UNEXPECTED_FAILURE = 5,
  HAP_HDS_DATA_SEND_TIMEOUT = 6,
  HAP_HDS_DATA_SEND_BAD_DATA = 7,
  HAP_HDS_DATA_SEND_PROTOCOL_ERROR = 8,
  HAP_HDS_DATA_SEND_INVALID_CONFIGURATION = 9,
} HapHdsDataSendReason;

/* TRUE when `header` is `kind` of protocol/topic. */
gboolean hap_hds_header_matches (
    const HapHdsHeader *header, HapHdsKind kind, const gchar *protocol, const gchar *topic);

/* ---- control/hello: request with an empty body, response status with an empty body ---- */
GBytes *hap_hds_hello_request_encode (gint64 id);
GBytes *hap_hds_hello_response_encode (gint64 id, gint64 status);

/* ---- dataSend open (request from the hub) ---- */
typedef struct {
  gchar *target; /* "controller" in the field; the spec says "home hub" */
  gchar *type;   /* "ipcamera.recording" */
  gint64 stream_id;
  HapHdsValue *reason; /* optional, any type; NULL when absent */
} HapHdsDataSendOpen;

/* {target, type, streamId[, reason]}; `reason` may be NULL. */
HapHdsValue *hap_hds_data_send_open_build (
    const gchar *target, const gchar *type, gint64 stream_id, const gchar *reason);
/* Requires target and type (strings) and streamId (integer). Clear `out` afterwards. */
gboolean hap_hds_data_send_open_parse (
    const HapHdsValue *body, HapHdsDataSendOpen *out, GError **error);
void hap_hds_data_send_open_clear (HapHdsDataSendOpen *open);

/* Open response body {status}: 0 with header status 0 on success, else a
 * HapHdsDataSendReason with header status 6 (PROTOCOL_SPECIFIC_ERROR). */
HapHdsValue *hap_hds_data_send_open_response_build (gint64 status);
gboolean hap_hds_data_send_open_response_parse (
    const HapHdsValue *body, gint64 *status, GError **error);
/* The whole response payload, with the header status that goes with `reason`. */
GBytes *hap_hds_data_send_open_response_encode (gint64 id, HapHdsDataSendReason reason);

/* ---- dataSend data (event from the accessory) ---- */
typedef enum {
  HAP_HDS_DATA_TYPE_MEDIA_INITIALIZATION, /* "mediaInitialization": ftyp+moov */
  HAP_HDS_DATA_TYPE_MEDIA_FRAGMENT,       /* "mediaFragment": moof+mdat */
} HapHdsDataType;

typedef struct {
  GBytes *data;
  HapHdsDataType data_type;
  gint64 data_sequence_number;       /* 1 for the initialization, then 2, 3, ... */
  gint64 data_chunk_sequence_number; /* from 1 within each fragment */
  gboolean is_last_data_chunk;
  gint64 data_total_size; /* fragment size, on its first chunk; -1 = absent */
} HapHdsDataSendPacket;

typedef struct {
  gint64 stream_id;
  GArray *packets; /* HapHdsDataSendPacket, owning their data */
  gboolean end_of_stream;
} HapHdsDataSendData;

/* {streamId, packets:[{data, metadata:{dataType, dataSequenceNumber, dataChunkSequenceNumber,
 * isLastDataChunk[, dataTotalSize]}}...][, endOfStream:true]}. Packet data is referenced, not
 * copied. */
HapHdsValue *hap_hds_data_send_data_build (
    gint64 stream_id, const HapHdsDataSendPacket *packets, guint n_packets, gboolean end_of_stream);
/* The whole event payload for one packet. */
GBytes *hap_hds_data_send_data_encode (
    gint64 stream_id, const HapHdsDataSendPacket *packet, gboolean end_of_stream);
/* Requires streamId, a non-empty packets array whose entries have data and complete metadata
 * with a known dataType. Clear `out` afterwards (also after a failure). */
gboolean hap_hds_data_send_data_parse (
    const HapHdsValue *body, HapHdsDataSendData *out, GError **error);
void hap_hds_data_send_data_clear (HapHdsDataSendData *data);

/* ---- dataSend ack (event from the hub): {streamId, endOfStream} ---- */
HapHdsValue *hap_hds_data_send_ack_build (gint64 stream_id, gboolean end_of_stream);
/* endOfStream is optional on input (FALSE when absent). */
gboolean hap_hds_data_send_ack_parse (
    const HapHdsValue *body, gint64 *stream_id, gboolean *end_of_stream, GError **error);

/* ---- dataSend close (event, either direction): {streamId, reason} ---- */
HapHdsValue *hap_hds_data_send_close_build (gint64 stream_id, HapHdsDataSendReason reason);
/* Accepts `reason` or, as in the spec's example, `status`; 0 when neither is present. */
gboolean hap_hds_data_send_close_parse (
    const HapHdsValue *body, gint64 *stream_id, gint64 *reason, GError **error);

G_END_DECLS
