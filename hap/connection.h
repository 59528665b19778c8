/* libhap: one HAP-over-IP connection (docs/hap-server.md, "Transport").
 *
 * A connection reads HTTP/1.1 requests from a non-blocking GSocket, hands each complete request
 * to a HapConnectionHandler (the routing layer) in order of arrival (pipelined requests are
 * answered one after the other, and the responses to the requests of one read leave in one
 * write), and writes the responses and EVENT/1.0 messages through a bounded output queue:
 * - It starts in plaintext. Until hap_connection_start_session() has been called, every request
 *   other than POST /pair-setup and POST /pair-verify (and what the handler's allow_plaintext
 *   lets through) is answered 470 with {"status":-70401} by the connection itself; the handler
 *   never sees it.
 * - hap_connection_start_session() (called by the handler of the pair-verify M3 request) takes
 *   effect right after that request's response: the response goes out in plaintext, every later
 *   byte in both directions travels in HAP session frames (hap/session-crypto.h).
 * - A frame that does not authenticate closes the connection at once; nothing of it (and
 *   nothing after it) reaches the handler.
 * - Bytes the HTTP parser rejects (garbage, a request over the HapHttpLimits) are answered with
 *   hap_http_error_to_status() and the connection is closed.
 * - The output queue never blocks: bytes the socket does not take wait for G_IO_OUT. When the
 *   queued bytes exceed `max_output_queue` the peer is not reading and the connection is dropped.
 * - An idle timeout (no bytes received) closes the connection.
 *
 * All sources are attached to the GMainContext given at creation; every function must be called
 * from the thread that runs that context. Connections are created and owned by HapTransport
 * (hap/transport.h); a handler may close one at any time, even while it handles a request.
 */
#pragma once

#include <gio/gio.h>

#include "hap/http.h"

G_BEGIN_DECLS

typedef struct _HapConnection HapConnection;

#define HAP_CONNECTION_KEY_LEN 32
#define HAP_CONNECTION_SHARED_SECRET_LEN 32

/* What the handler answers to one request. The connection frees `body`. */
typedef struct {
  guint status;             /* HTTP status; 0 is answered 500 */
  const char *content_type; /* static string, or NULL for none */
  GBytes *body;             /* NULL or empty for no body (must be NULL/empty for 204) */
  gboolean close;           /* close the connection once the response has been sent */
} HapConnectionResponse;

/* The routing interface between the transport and the protocol modules. */
typedef struct {
  /* A complete request that passed the plaintext gate. Fill `response`. */
  void (*request) (HapConnection *connection, const HapHttpRequest *request,
      HapConnectionResponse *response, gpointer user_data);
  /* The connection has been closed (for whatever reason); called once, before it is freed. */
  void (*closed) (HapConnection *connection, gpointer user_data);
  /* Optional: TRUE to let a plaintext request other than POST /pair-setup and /pair-verify
   * through the gate (the server uses it for POST /identify, which HAP allows unencrypted). */
  gboolean (*allow_plaintext) (
      HapConnection *connection, const HapHttpRequest *request, gpointer user_data);
} HapConnectionHandler;

typedef struct {
  guint idle_timeout_ms;  /* 0: never */
  gsize max_output_queue; /* bytes waiting to be sent before the connection is dropped */
  HapHttpLimits http_limits;
} HapConnectionConfig;

/* Called once when the connection closes, after the handler's `closed`; for HapTransport. */
typedef void (*HapConnectionClosedFunc) (HapConnection *connection, gpointer user_data);

/* For hap/transport.c: takes over `socket` (made non-blocking), attaches its sources to
 * `context`. The returned reference belongs to the caller. */
HapConnection *hap_connection_new (GSocket *socket, GMainContext *context, guint64 id,
    const HapConnectionConfig *config, const HapConnectionHandler *handler, gpointer user_data,
    HapConnectionClosedFunc closed_func, gpointer closed_data);
HapConnection *hap_connection_ref (HapConnection *connection);
void hap_connection_unref (HapConnection *connection);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HapConnection, hap_connection_unref)

/* A number unique within the transport, for logs and look-ups. */
guint64 hap_connection_get_id (const HapConnection *connection);
/* "address:port" of the peer, for logs. */
const char *hap_connection_get_peer (const HapConnection *connection);

/* Switches to session frames after the response to the request being handled (see above).
 * `accessory_to_controller` encrypts what we send, `controller_to_accessory` decrypts what we
 * receive. The controller id and the pair-verify shared secret are kept for look-ups (HDS). */
void hap_connection_start_session (HapConnection *connection,
    const guint8 accessory_to_controller[HAP_CONNECTION_KEY_LEN],
    const guint8 controller_to_accessory[HAP_CONNECTION_KEY_LEN], const char *controller_id,
    const guint8 shared_secret[HAP_CONNECTION_SHARED_SECRET_LEN]);

/* TRUE once the session is encrypted (after the response that started it). */
gboolean hap_connection_is_verified (const HapConnection *connection);
/* The verified controller's pairing id, or NULL before verification. */
const char *hap_connection_get_controller_id (const HapConnection *connection);
/* The pair-verify shared secret (32 bytes), or NULL before verification. */
const guint8 *hap_connection_get_shared_secret (const HapConnection *connection);
/* TRUE once the connection has been closed (or is closing). */
gboolean hap_connection_is_closed (const HapConnection *connection);

/* Queues `EVENT/1.0 200 OK` with the JSON body `json` on a verified connection; while the
 * connection handles a request, the event follows that request's response. Returns FALSE
 * when the connection is closing or was dropped because its queue overflowed. */
gboolean hap_connection_send_event (HapConnection *connection, const guint8 *json, gsize len);

/* Bytes waiting in the output queue. */
gsize hap_connection_get_queued_bytes (const HapConnection *connection);

/* For hap/transport.c at its connection limit: when the peer has already closed (a FIN with
 * nothing left unread, or a reset) but this connection has not yet read that, closes it now, as
 * its next read would, and returns TRUE. One non-blocking peek at the socket; FALSE (nothing
 * done) for a live peer, for unread bytes (the requests are still served) and for a connection
 * that is not reading (flushing its last responses). */
gboolean hap_connection_close_if_peer_gone (HapConnection *connection);

/* Closes at once: queued bytes the socket does not take now are dropped (the responses to the
 * earlier requests of the read being processed are offered to it first, as if they had been
 * sent one by one). Safe from inside a handler. */
void hap_connection_close (HapConnection *connection);
/* Stops reading, sends what is queued, then closes. */
void hap_connection_close_after_flush (HapConnection *connection);

/* Per-connection state of the routing layer, freed with `destroy` when the connection closes
 * (after the handler's `closed`). */
void hap_connection_set_data (HapConnection *connection, gpointer data, GDestroyNotify destroy);
gpointer hap_connection_get_data (const HapConnection *connection);

G_END_DECLS
