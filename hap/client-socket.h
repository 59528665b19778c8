/* libhap: blocking socket I/O with deadlines for the controller-side clients (hap/hap-client.h,
 * hap/hds-client.h), and their shared error domain.
 *
 * Every wait has a deadline (a g_get_monotonic_time() value): connect, send and receive return
 * HAP_CLIENT_ERROR_TIMEOUT when it passes, so a peer that stalls can never hang a caller. The
 * socket is non-blocking; waits use g_socket_condition_timed_wait().
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define HAP_CLIENT_ERROR (hap_client_error_quark ())
GQuark hap_client_error_quark (void);

typedef enum {
  HAP_CLIENT_ERROR_CONNECT,  /* resolving or connecting failed (refused, unreachable) */
  HAP_CLIENT_ERROR_TIMEOUT,  /* the peer did not answer within the deadline */
  HAP_CLIENT_ERROR_CLOSED,   /* the peer closed the connection */
  HAP_CLIENT_ERROR_IO,       /* a socket call failed (reset, ...) */
  HAP_CLIENT_ERROR_PROTOCOL, /* the peer sent bytes that break the protocol */
  HAP_CLIENT_ERROR_STATUS,   /* the peer answered with an error status */
} HapClientError;

/* Resolves `host` (an IP literal or a name) and connects to the first address that accepts
 * within the deadline. The socket is returned non-blocking with TCP_NODELAY. */
GSocket *hap_client_socket_connect (
    const char *host, guint16 port, gint64 deadline_us, GError **error);

/* Writes all of `data`. */
gboolean hap_client_socket_send_all (
    GSocket *socket, const guint8 *data, gsize len, gint64 deadline_us, GError **error);

/* Waits until the socket is readable (data or EOF) or the deadline passes (TIMEOUT). */
gboolean hap_client_socket_wait_readable (GSocket *socket, gint64 deadline_us, GError **error);

/* Receives what is available, without waiting: > 0 bytes, 0 when nothing is available, or -1
 * with `error` (CLOSED for EOF, IO for a failed call). */
gssize hap_client_socket_receive_now (GSocket *socket, guint8 *buf, gsize size, GError **error);

/* Milliseconds from now to `deadline_us` (0 when passed), for messages. */
guint hap_client_deadline_remaining_ms (gint64 deadline_us);

/* "HOST:PORT", "[V6]:PORT": splits into a host (new string) and a port 1..65535. */
gboolean hap_client_parse_address (
    const char *address, gchar **host, guint16 *port, GError **error);

G_END_DECLS
