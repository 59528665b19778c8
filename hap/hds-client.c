/* The hub side of an HDS connection. See hap/hds-client.h. */
#include "hap/hds-client.h"

#include <string.h>

#include "hap/hds-frame.h"

#define RECEIVE_CHUNK 65536
/* What this client's error messages start with (they reach hksv-hub's reports). */
#define PREFIX "HDS: "

struct _HapHdsClient {
  HapClientLink link; /* the socket, the timeout, the sticky transport failure */
  HapHdsFrameCodec *codec;
  GQueue incoming; /* HapHdsIncoming* */
  gint64 next_id;
  guint64 bytes_received;
};

void
hap_hds_incoming_clear (HapHdsIncoming *incoming)
{
  if (incoming == NULL)
    return;
  hap_hds_header_clear (&incoming->header);
  g_clear_pointer (&incoming->message, hap_hds_value_unref);
  memset (incoming, 0, sizeof *incoming);
}

static void
incoming_free (HapHdsIncoming *incoming)
{
  hap_hds_incoming_clear (incoming);
  g_free (incoming);
}

static HapHdsClient *
client_new (const HapClientLink *link, const guint8 a2c[32], const guint8 c2a[32])
{
  HapHdsClient *client = g_new0 (HapHdsClient, 1);

  client->link = *link;
  client->codec = hap_hds_frame_codec_new (c2a, a2c);
  g_queue_init (&client->incoming);
  client->next_id = 1;
  return client;
}

HapHdsClient *
hap_hds_client_connect (const char *host, guint16 port, const guint8 accessory_to_controller[32],
    const guint8 controller_to_accessory[32], guint timeout_ms, GError **error)
{
  HapClientLink link;

  g_return_val_if_fail (host != NULL && port > 0 && timeout_ms > 0, NULL);
  g_return_val_if_fail (accessory_to_controller != NULL && controller_to_accessory != NULL, NULL);

  if (!hap_client_link_connect (&link, host, port, timeout_ms, PREFIX, error))
    return NULL;
  return client_new (&link, accessory_to_controller, controller_to_accessory);
}

HapHdsClient *
hap_hds_client_new_for_socket (GSocket *socket, const guint8 accessory_to_controller[32],
    const guint8 controller_to_accessory[32], guint timeout_ms)
{
  HapClientLink link;

  g_return_val_if_fail (G_IS_SOCKET (socket) && timeout_ms > 0, NULL);
  g_return_val_if_fail (accessory_to_controller != NULL && controller_to_accessory != NULL, NULL);

  hap_client_link_init (&link, socket, timeout_ms, PREFIX);
  return client_new (&link, accessory_to_controller, controller_to_accessory);
}

void
hap_hds_client_free (HapHdsClient *client)
{
  if (client == NULL)
    return;
  hap_client_link_clear (&client->link);
  hap_hds_frame_codec_free (client->codec);
  g_queue_clear_full (&client->incoming, (GDestroyNotify) incoming_free);
  g_free (client);
}

void
hap_hds_client_set_timeout (HapHdsClient *client, guint timeout_ms)
{
  g_return_if_fail (client != NULL && timeout_ms > 0);
  client->link.timeout_ms = timeout_ms;
}

int
hap_hds_client_get_fd (const HapHdsClient *client)
{
  g_return_val_if_fail (client != NULL, -1);
  return g_socket_get_fd (client->link.socket);
}

guint64
hap_hds_client_get_bytes_received (const HapHdsClient *client)
{
  g_return_val_if_fail (client != NULL, 0);
  return client->bytes_received;
}

/* ---- sending ---- */

static gboolean
send_payload (HapHdsClient *client, GBytes *payload, GError **error)
{
  g_autoptr (GByteArray) frame = g_byte_array_new ();
  gsize len;
  const guint8 *data = g_bytes_get_data (payload, &len);

  if (hap_client_link_failed (&client->link, error))
    return FALSE;
  if (len > HAP_HDS_FRAME_MAX_PAYLOAD
      || !hap_hds_frame_encode_append (client->codec, data, len, frame))
    return hap_client_link_fail_protocol (
        &client->link, error, "cannot frame a message of %" G_GSIZE_FORMAT " bytes", len);
  return hap_client_link_send (&client->link, frame->data, frame->len,
      hap_client_deadline_after_ms (client->link.timeout_ms), error);
}

gboolean
hap_hds_client_send_request (HapHdsClient *client, const gchar *protocol, const gchar *topic,
    const HapHdsValue *body, gint64 *id, GError **error)
{
  g_autoptr (GBytes) payload = NULL;
  gint64 request_id;

  g_return_val_if_fail (client != NULL && protocol != NULL && topic != NULL, FALSE);

  request_id = client->next_id++;
  payload = hap_hds_message_encode_request (protocol, topic, request_id, body);
  if (id != NULL)
    *id = request_id;
  return send_payload (client, payload, error);
}

gboolean
hap_hds_client_send_event (HapHdsClient *client, const gchar *protocol, const gchar *topic,
    const HapHdsValue *body, GError **error)
{
  g_autoptr (GBytes) payload = NULL;

  g_return_val_if_fail (client != NULL && protocol != NULL && topic != NULL, FALSE);

  payload = hap_hds_message_encode_event (protocol, topic, body);
  return send_payload (client, payload, error);
}

gboolean
hap_hds_client_send_response (HapHdsClient *client, const gchar *protocol, const gchar *topic,
    gint64 id, gint64 status, const HapHdsValue *body, GError **error)
{
  g_autoptr (GBytes) payload = NULL;

  g_return_val_if_fail (client != NULL && protocol != NULL && topic != NULL, FALSE);

  payload = hap_hds_message_encode_response (protocol, topic, id, status, body);
  return send_payload (client, payload, error);
}

/* ---- receiving ---- */

static gboolean
decode_payload (
    HapHdsClient *client, const guint8 *payload, gsize len, gsize frame_size, GError **error)
{
  g_autoptr (GBytes) bytes = g_bytes_new (payload, len);
  g_autoptr (HapHdsValue) header = NULL;
  g_autoptr (HapHdsValue) message = NULL;
  g_autoptr (GError) local = NULL;
  HapHdsIncoming *in;

  if (!hap_hds_message_decode (bytes, &header, &message, &local))
    return hap_client_link_fail_protocol (
        &client->link, error, "a message does not decode: %s", local->message);
  in = g_new0 (HapHdsIncoming, 1);
  if (!hap_hds_header_parse (header, &in->header, &local)) {
    incoming_free (in);
    return hap_client_link_fail_protocol (
        &client->link, error, "a message header is malformed: %s", local->message);
  }
  in->message = g_steal_pointer (&message);
  in->arrival_us = g_get_monotonic_time ();
  in->frame_size = frame_size;
  g_queue_push_tail (&client->incoming, in);
  return TRUE;
}

static gboolean
receive_now (HapHdsClient *client, gboolean *got, GError **error)
{
  g_autofree guint8 *buf = g_malloc (RECEIVE_CHUNK);
  g_autoptr (GError) local = NULL;
  gssize n;
  gsize off = 0;

  *got = FALSE;
  if (hap_client_link_failed (&client->link, error))
    return FALSE;
  n = hap_client_socket_receive_now (client->link.socket, buf, RECEIVE_CHUNK, &local);
  if (n < 0) {
    if (g_error_matches (local, HAP_CLIENT_ERROR, HAP_CLIENT_ERROR_CLOSED))
      g_prefix_error (&local, PREFIX);
    return hap_client_link_fail (&client->link, g_steal_pointer (&local), error);
  }
  if (n == 0)
    return TRUE;
  *got = TRUE;
  client->bytes_received += (guint64) n;
  while (off < (gsize) n) {
    const guint8 *payload = NULL;
    gsize payload_len = 0, consumed = 0;
    HapParseResult r = hap_hds_frame_decode (
        client->codec, buf + off, (gsize) n - off, &consumed, &payload, &payload_len, &local);

    off += consumed;
    if (r == HAP_PARSE_INVALID)
      return hap_client_link_fail_protocol (&client->link, error, "a frame %s: %s",
          g_error_matches (local, HAP_CODEC_ERROR, HAP_CODEC_ERROR_AUTH) ? "does not authenticate"
                                                                         : "is malformed",
          local->message);
    if (r == HAP_PARSE_NEED_MORE)
      break;
    if (!decode_payload (client, payload, payload_len, payload_len + HAP_HDS_FRAME_OVERHEAD, error))
      return FALSE;
  }
  return TRUE;
}

gboolean
hap_hds_client_pump (HapHdsClient *client, GError **error)
{
  gboolean got;

  g_return_val_if_fail (client != NULL, FALSE);

  do {
    if (!receive_now (client, &got, error))
      return FALSE;
  } while (got);
  return TRUE;
}

gboolean
hap_hds_client_take (HapHdsClient *client, HapHdsIncoming *out)
{
  HapHdsIncoming *in;

  g_return_val_if_fail (client != NULL && out != NULL, FALSE);

  in = g_queue_pop_head (&client->incoming);
  if (in == NULL)
    return FALSE;
  *out = *in;
  g_free (in);
  return TRUE;
}

gboolean
hap_hds_client_receive (HapHdsClient *client, guint timeout_ms, HapHdsIncoming *out, GError **error)
{
  gint64 deadline_us = hap_client_deadline_after_ms (timeout_ms);

  g_return_val_if_fail (client != NULL && out != NULL, FALSE);

  memset (out, 0, sizeof *out);
  while (!hap_hds_client_take (client, out)) {
    g_autoptr (GError) local = NULL;
    gboolean got;

    if (hap_client_link_failed (&client->link, error))
      return FALSE;
    if (!hap_client_socket_wait_readable (client->link.socket, deadline_us, &local)) {
      if (g_error_matches (local, HAP_CLIENT_ERROR, HAP_CLIENT_ERROR_TIMEOUT)) {
        g_set_error (error, HAP_CLIENT_ERROR, HAP_CLIENT_ERROR_TIMEOUT,
            PREFIX "no message from the accessory within %u ms", timeout_ms);
        return FALSE;
      }
      return hap_client_link_fail (&client->link, g_steal_pointer (&local), error);
    }
    if (!receive_now (client, &got, error))
      return FALSE;
  }
  return TRUE;
}

gboolean
hap_hds_client_hello (HapHdsClient *client, GError **error)
{
  HapHdsIncoming in = { 0 };
  gint64 id;
  gboolean ok;

  g_return_val_if_fail (client != NULL, FALSE);

  if (!hap_hds_client_send_request (
          client, HAP_HDS_PROTOCOL_CONTROL, HAP_HDS_TOPIC_HELLO, NULL, &id, error))
    return FALSE;
  if (!hap_hds_client_receive (client, client->link.timeout_ms, &in, error)) {
    g_prefix_error (error, "control/hello: ");
    return FALSE;
  }
  if (!hap_hds_header_matches (
          &in.header, HAP_HDS_KIND_RESPONSE, HAP_HDS_PROTOCOL_CONTROL, HAP_HDS_TOPIC_HELLO)
      || in.header.id != id) {
    ok = hap_client_link_fail_protocol (&client->link, error,
        "the first message is %s %s/%s (id %" G_GINT64_FORMAT "), not the response to "
        "control/hello (id %" G_GINT64_FORMAT ")",
        in.header.kind == HAP_HDS_KIND_EVENT     ? "event"
        : in.header.kind == HAP_HDS_KIND_REQUEST ? "request"
                                                 : "response",
        in.header.protocol, in.header.topic, in.header.id, id);
  } else if (in.header.status != HAP_HDS_STATUS_SUCCESS) {
    g_set_error (error, HAP_CLIENT_ERROR, HAP_CLIENT_ERROR_STATUS,
        PREFIX "control/hello answered with status %" G_GINT64_FORMAT " (%s)", in.header.status,
        hap_hds_status_to_string (in.header.status));
    ok = FALSE;
  } else {
    ok = TRUE;
  }
  hap_hds_incoming_clear (&in);
  return ok;
}

const gchar *
hap_hds_status_to_string (gint64 status)
{
  static const gchar *names[] = { "success", "out of memory", "timeout", "header error",
    "payload error", "missing protocol", "protocol-specific error" };

  return status >= 0 && status < (gint64) G_N_ELEMENTS (names) ? names[status] : "unknown status";
}

const gchar *
hap_hds_data_send_reason_to_string (gint64 reason)
{
  static const gchar *names[] = { "normal", "not allowed", "busy", "cancelled", "unsupported",
    "unexpected failure", "timeout", "bad data", "protocol error", "invalid configuration" };

  return reason >= 0 && reason < (gint64) G_N_ELEMENTS (names) ? names[reason] : "unknown reason";
}
