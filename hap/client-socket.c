/* Socket I/O with deadlines for the controller-side clients. See hap/client-socket.h. */
#include "hap/client-socket.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

G_DEFINE_QUARK (hap - client - error - quark, hap_client_error)

guint
hap_client_deadline_remaining_ms (gint64 deadline_us)
{
  gint64 left = deadline_us - g_get_monotonic_time ();

  return left <= 0 ? 0 : (guint) MIN ((left + 999) / 1000, G_MAXUINT);
}

gint64
hap_client_deadline_after_ms (guint ms)
{
  return g_get_monotonic_time () + (gint64) ms * 1000;
}

static gint64
remaining_us (gint64 deadline_us)
{
  gint64 left = deadline_us - g_get_monotonic_time ();
  return left < 0 ? 0 : left;
}

/* Waits for `condition`; a passed deadline is TIMEOUT. */
static gboolean
wait_for (
    GSocket *socket, GIOCondition condition, gint64 deadline_us, const gchar *what, GError **error)
{
  g_autoptr (GError) local = NULL;

  if (g_socket_condition_timed_wait (socket, condition, remaining_us (deadline_us), NULL, &local))
    return TRUE;
  if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    g_set_error (error, HAP_CLIENT_ERROR, HAP_CLIENT_ERROR_TIMEOUT, "timed out %s", what);
  else
    g_set_error (error, HAP_CLIENT_ERROR, HAP_CLIENT_ERROR_IO, "%s: %s", what, local->message);
  return FALSE;
}

static GSocket *
connect_one (GInetAddress *address, guint16 port, gint64 deadline_us, GError **error)
{
  g_autoptr (GSocketAddress) sockaddr = g_inet_socket_address_new (address, port);
  g_autoptr (GSocket) socket = NULL;
  g_autoptr (GError) local = NULL;
  g_autofree gchar *text = g_inet_address_to_string (address);
  int one = 1;

  socket = g_socket_new (
      g_inet_address_get_family (address), G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &local);
  if (socket == NULL) {
    g_set_error (error, HAP_CLIENT_ERROR, HAP_CLIENT_ERROR_CONNECT, "socket: %s", local->message);
    return NULL;
  }
  g_socket_set_blocking (socket, FALSE);
  setsockopt (g_socket_get_fd (socket), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (!g_socket_connect (socket, sockaddr, NULL, &local)) {
    if (!g_error_matches (local, G_IO_ERROR, G_IO_ERROR_PENDING)) {
      g_set_error (error, HAP_CLIENT_ERROR, HAP_CLIENT_ERROR_CONNECT,
          "connecting to %s port %u: %s", text, port, local->message);
      return NULL;
    }
    g_clear_error (&local);
    if (!g_socket_condition_timed_wait (
            socket, G_IO_OUT, remaining_us (deadline_us), NULL, &local)) {
      g_set_error (error, HAP_CLIENT_ERROR,
          g_error_matches (local, G_IO_ERROR, G_IO_ERROR_TIMED_OUT) ? HAP_CLIENT_ERROR_TIMEOUT
                                                                    : HAP_CLIENT_ERROR_CONNECT,
          "connecting to %s port %u: %s", text, port,
          g_error_matches (local, G_IO_ERROR, G_IO_ERROR_TIMED_OUT) ? "timed out" : local->message);
      return NULL;
    }
    if (!g_socket_check_connect_result (socket, &local)) {
      g_set_error (error, HAP_CLIENT_ERROR, HAP_CLIENT_ERROR_CONNECT,
          "connecting to %s port %u: %s", text, port, local->message);
      return NULL;
    }
  }
  return g_steal_pointer (&socket);
}

GSocket *
hap_client_socket_connect (const char *host, guint16 port, gint64 deadline_us, GError **error)
{
  g_autoptr (GInetAddress) literal = NULL;
  g_autoptr (GError) local = NULL;
  GList *addresses;
  GSocket *socket = NULL;

  g_return_val_if_fail (host != NULL && port > 0, NULL);

  literal = g_inet_address_new_from_string (host);
  if (literal != NULL)
    return connect_one (literal, port, deadline_us, error);

  addresses = g_resolver_lookup_by_name (g_resolver_get_default (), host, NULL, &local);
  if (addresses == NULL) {
    g_set_error (error, HAP_CLIENT_ERROR, HAP_CLIENT_ERROR_CONNECT, "resolving %s: %s", host,
        local->message);
    return NULL;
  }
  for (GList *l = addresses; l != NULL && socket == NULL; l = l->next) {
    g_clear_error (&local);
    socket = connect_one (l->data, port, deadline_us, &local);
  }
  g_resolver_free_addresses (addresses);
  if (socket == NULL)
    g_propagate_error (error, g_steal_pointer (&local));
  return socket;
}

gboolean
hap_client_socket_send_all (
    GSocket *socket, const guint8 *data, gsize len, gint64 deadline_us, GError **error)
{
  gsize off = 0;

  g_return_val_if_fail (G_IS_SOCKET (socket), FALSE);

  while (off < len) {
    g_autoptr (GError) local = NULL;
    gssize n = g_socket_send_with_blocking (
        socket, (const gchar *) data + off, len - off, FALSE, NULL, &local);

    if (n > 0) {
      off += (gsize) n;
      continue;
    }
    if (!g_error_matches (local, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) {
      gboolean closed = g_error_matches (local, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE)
                        || g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED);
      g_set_error (error, HAP_CLIENT_ERROR, closed ? HAP_CLIENT_ERROR_CLOSED : HAP_CLIENT_ERROR_IO,
          "sending: %s", local->message);
      return FALSE;
    }
    if (!wait_for (socket, G_IO_OUT, deadline_us, "sending (the peer does not read)", error))
      return FALSE;
  }
  return TRUE;
}

gboolean
hap_client_socket_wait_readable (GSocket *socket, gint64 deadline_us, GError **error)
{
  g_return_val_if_fail (G_IS_SOCKET (socket), FALSE);

  return wait_for (socket, G_IO_IN, deadline_us, "waiting for the peer", error);
}

gssize
hap_client_socket_receive_now (GSocket *socket, guint8 *buf, gsize size, GError **error)
{
  g_autoptr (GError) local = NULL;
  gssize n;

  g_return_val_if_fail (G_IS_SOCKET (socket), -1);

  n = g_socket_receive_with_blocking (socket, (gchar *) buf, size, FALSE, NULL, &local);
  if (n > 0)
    return n;
  if (n == 0) {
    g_set_error_literal (
        error, HAP_CLIENT_ERROR, HAP_CLIENT_ERROR_CLOSED, "the peer closed the connection");
    return -1;
  }
  if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    return 0;
  if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED)) {
    g_set_error (error, HAP_CLIENT_ERROR, HAP_CLIENT_ERROR_CLOSED, "the peer reset the connection");
    return -1;
  }
  g_set_error (error, HAP_CLIENT_ERROR, HAP_CLIENT_ERROR_IO, "receiving: %s", local->message);
  return -1;
}

gboolean
hap_client_parse_address (const char *address, gchar **host, guint16 *port, GError **error)
{
  const gchar *colon;
  g_autofree gchar *h = NULL;
  gchar *end = NULL;
  guint64 p;

  g_return_val_if_fail (address != NULL && host != NULL && port != NULL, FALSE);

  if (address[0] == '[') {
    const gchar *close = strchr (address, ']');
    if (close == NULL || close[1] != ':')
      goto bad;
    h = g_strndup (address + 1, (gsize) (close - address - 1));
    colon = close + 1;
  } else {
    colon = strrchr (address, ':');
    if (colon == NULL || strchr (address, ':') != colon)
      goto bad;
    h = g_strndup (address, (gsize) (colon - address));
  }
  if (*h == '\0' || colon[1] == '\0')
    goto bad;
  errno = 0;
  p = g_ascii_strtoull (colon + 1, &end, 10);
  if (errno != 0 || *end != '\0' || p == 0 || p > 65535 || !g_ascii_isdigit (colon[1]))
    goto bad;
  *host = g_steal_pointer (&h);
  *port = (guint16) p;
  return TRUE;

bad:
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
      "\"%s\" is not HOST:PORT (IPv6: [ADDRESS]:PORT)", address);
  return FALSE;
}

/* ---- the connection of a client ---- */

gboolean
hap_client_link_connect (HapClientLink *link, const char *host, guint16 port, guint timeout_ms,
    const gchar *prefix, GError **error)
{
  GSocket *socket;

  g_return_val_if_fail (link != NULL, FALSE);

  socket = hap_client_socket_connect (host, port, hap_client_deadline_after_ms (timeout_ms), error);
  if (socket == NULL)
    return FALSE;
  *link = (HapClientLink){ socket, timeout_ms, prefix, NULL };
  return TRUE;
}

void
hap_client_link_init (HapClientLink *link, GSocket *socket, guint timeout_ms, const gchar *prefix)
{
  g_return_if_fail (link != NULL && G_IS_SOCKET (socket));

  g_socket_set_blocking (socket, FALSE);
  *link = (HapClientLink){ g_object_ref (socket), timeout_ms, prefix, NULL };
}

void
hap_client_link_clear (HapClientLink *link)
{
  g_return_if_fail (link != NULL);

  if (link->socket != NULL) {
    g_socket_close (link->socket, NULL);
    g_clear_object (&link->socket);
  }
  g_clear_error (&link->failure);
}

gboolean
hap_client_link_failed (const HapClientLink *link, GError **error)
{
  if (link->failure == NULL)
    return FALSE;
  g_propagate_error (error, g_error_copy (link->failure));
  return TRUE;
}

gboolean
hap_client_link_fail (HapClientLink *link, GError *local, GError **error)
{
  if (link->failure == NULL)
    link->failure = g_error_copy (local);
  g_propagate_error (error, local);
  return FALSE;
}

gboolean
hap_client_link_fail_protocol (HapClientLink *link, GError **error, const gchar *format, ...)
{
  va_list args;
  g_autofree gchar *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  return hap_client_link_fail (link,
      g_error_new (HAP_CLIENT_ERROR, HAP_CLIENT_ERROR_PROTOCOL, "%s%s",
          link->prefix ? link->prefix : "", message),
      error);
}

gboolean
hap_client_link_send (
    HapClientLink *link, const guint8 *data, gsize len, gint64 deadline_us, GError **error)
{
  GError *local = NULL;

  if (!hap_client_socket_send_all (link->socket, data, len, deadline_us, &local))
    return hap_client_link_fail (link, local, error);
  return TRUE;
}
