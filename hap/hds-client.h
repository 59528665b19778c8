/* libhap: the hub side of a HomeKit Data Stream connection (PROTOCOL.md sections 3-5).
 *
 * After a SetupDataStreamTransport write (hap/datastream-tlv.h) the hub connects to the port
 * the accessory gave, with the keys of hap_hds_derive_keys(), says control/hello, then opens
 * dataSend streams and receives their data events. This module is the connection: encrypted
 * frames (hap/hds-frame.h) carrying HDS messages (hap/hds-message.h), requests with ids,
 * responses, events, each received message stamped with its arrival time.
 *
 * Blocking with deadlines like hap/hap-client.h: every wait ends after the client's timeout
 * with HAP_CLIENT_ERROR_TIMEOUT; for a poll loop use hap_hds_client_get_fd(),
 * hap_hds_client_pump() and hap_hds_client_take(). A frame that does not authenticate, a
 * payload that does not decode or a header without protocol/topic is HAP_CLIENT_ERROR_PROTOCOL
 * and spends the connection (every later call fails with it), as HDS requires.
 *
 * Not thread-safe; one client per thread.
 */
#pragma once

#include <gio/gio.h>

#include "hap/client-socket.h"
#include "hap/hds-datasend.h"

G_BEGIN_DECLS

/* How long the hub waits for the hello response by default. */
#define HAP_HDS_CLIENT_DEFAULT_TIMEOUT_MS 10000

typedef struct _HapHdsClient HapHdsClient;

/* One received message. */
typedef struct {
  HapHdsHeader header;
  HapHdsValue *message; /* the body dictionary */
  gint64 arrival_us;    /* g_get_monotonic_time() when its frame was complete */
  gsize frame_size;     /* bytes of the frame on the wire */
} HapHdsIncoming;

void hap_hds_incoming_clear (HapHdsIncoming *incoming);

/* `accessory_to_controller` decrypts what we receive, `controller_to_accessory` encrypts what
 * we send (hap_hds_derive_keys()). */
HapHdsClient *hap_hds_client_connect (const char *host, guint16 port,
    const guint8 accessory_to_controller[32], const guint8 controller_to_accessory[32],
    guint timeout_ms, GError **error);
/* On a connected socket (tests). Takes a reference. */
HapHdsClient *hap_hds_client_new_for_socket (GSocket *socket,
    const guint8 accessory_to_controller[32], const guint8 controller_to_accessory[32],
    guint timeout_ms);
void hap_hds_client_free (HapHdsClient *client);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HapHdsClient, hap_hds_client_free)

void hap_hds_client_set_timeout (HapHdsClient *client, guint timeout_ms);
int hap_hds_client_get_fd (const HapHdsClient *client);
/* Bytes received so far (frames, on the wire). */
guint64 hap_hds_client_get_bytes_received (const HapHdsClient *client);

/* Sends a request with the next id (from 1); *id receives it. `body` NULL: {}. */
gboolean hap_hds_client_send_request (HapHdsClient *client, const gchar *protocol,
    const gchar *topic, const HapHdsValue *body, gint64 *id, GError **error);
gboolean hap_hds_client_send_event (HapHdsClient *client, const gchar *protocol, const gchar *topic,
    const HapHdsValue *body, GError **error);
gboolean hap_hds_client_send_response (HapHdsClient *client, const gchar *protocol,
    const gchar *topic, gint64 id, gint64 status, const HapHdsValue *body, GError **error);

/* The next message (queued first, else waits up to `timeout_ms`). FALSE with _TIMEOUT when
 * none came, or another error. Clear `out` with hap_hds_incoming_clear(). */
gboolean hap_hds_client_receive (
    HapHdsClient *client, guint timeout_ms, HapHdsIncoming *out, GError **error);
/* A queued message without waiting: TRUE when one was queued. */
gboolean hap_hds_client_take (HapHdsClient *client, HapHdsIncoming *out);
/* Reads and decodes what the socket has now (poll loops). FALSE once the connection failed. */
gboolean hap_hds_client_pump (HapHdsClient *client, GError **error);

/* control/hello: sends the request and waits for its response (status 0). Any other message
 * first is a protocol error (hello must be the first exchange). */
gboolean hap_hds_client_hello (HapHdsClient *client, GError **error);

/* "success", "timeout", "protocol-specific error", ... for header statuses; "normal",
 * "busy", ... for dataSend reasons. */
const gchar *hap_hds_status_to_string (gint64 status);
const gchar *hap_hds_data_send_reason_to_string (gint64 reason);

G_END_DECLS
