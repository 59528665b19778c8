/* libhap: blocking socket I/O with deadlines for the controller-side clients (hap/hap-client.h,
 * hap/hds-client.h), their shared error domain, and the connection state both keep
 * (HapClientLink).
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
/* The deadline `ms` milliseconds from now. */
gint64 hap_client_deadline_after_ms (guint ms);

/* "HOST:PORT", "[V6]:PORT": splits into a host (new string) and a port 1..65535. */
gboolean hap_client_parse_address (
    const char *address, gchar **host, guint16 *port, GError **error);

/* A client's connection: the socket, the default wait of its calls, and its first transport
 * failure, after which the connection is spent (every later call fails with that error). */
typedef struct {
  GSocket *socket;
  guint timeout_ms;
  const gchar *prefix; /* of its protocol error messages ("HDS: "), static; NULL: none */
  GError *failure;
} HapClientLink;

/* Connects within `timeout_ms` (hap_client_socket_connect()). */
gboolean hap_client_link_connect (HapClientLink *link, const char *host, guint16 port,
    guint timeout_ms, const gchar *prefix, GError **error);
/* On a connected socket: takes a reference and makes it non-blocking. */
void hap_client_link_init (
    HapClientLink *link, GSocket *socket, guint timeout_ms, const gchar *prefix);
/* Closes the socket and drops the failure. */
void hap_client_link_clear (HapClientLink *link);

/* TRUE, with a copy of the failure in `error`, once the connection is spent. */
gboolean hap_client_link_failed (const HapClientLink *link, GError **error);
/* Spends the connection with `local` (unless it already is) and reports `local` (consumed) in
 * `error`. Returns FALSE. */
gboolean hap_client_link_fail (HapClientLink *link, GError *local, GError **error);
/* The same with a HAP_CLIENT_ERROR_PROTOCOL error (its message after the link's prefix). */
gboolean hap_client_link_fail_protocol (
    HapClientLink *link, GError **error, const gchar *format, ...) G_GNUC_PRINTF (3, 4);
/* hap_client_socket_send_all(); a failure spends the connection. */
gboolean hap_client_link_send (
    HapClientLink *link, const guint8 *data, gsize len, gint64 deadline_us, GError **error);

G_END_DECLS
