/* libhap: the listening side of the HAP accessory server (see transport.h). */
#include "hap/transport.h"

struct _HapTransport {
  HapTransportConfig config;
  gchar *bind_address;
  GMainContext *context;
  const HapConnectionHandler *handler;
  gpointer handler_data;
  GPtrArray *listeners;    /* GSocket * */
  GPtrArray *sources;      /* GSource * of the listeners */
  GHashTable *connections; /* guint64 id -> HapConnection * (a reference) */
  guint64 next_id;
  guint16 port;
  gboolean stopping;
};

void
hap_transport_config_init (HapTransportConfig *config)
{
  g_return_if_fail (config != NULL);

  config->bind_address = NULL;
  config->port = 0;
  config->max_connections = HAP_TRANSPORT_DEFAULT_MAX_CONNECTIONS;
  config->connection.idle_timeout_ms = HAP_TRANSPORT_DEFAULT_IDLE_TIMEOUT_MS;
  config->connection.max_output_queue = HAP_TRANSPORT_DEFAULT_MAX_OUTPUT_QUEUE;
  hap_http_limits_init_default (&config->connection.http_limits);
}

HapTransport *
hap_transport_new (const HapTransportConfig *config, GMainContext *context,
    const HapConnectionHandler *handler, gpointer user_data)
{
  HapTransport *self;

  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (handler != NULL, NULL);
  g_return_val_if_fail (config->max_connections > 0, NULL);
  g_return_val_if_fail (config->connection.max_output_queue > 0, NULL);

  self = g_new0 (HapTransport, 1);
  self->config = *config;
  self->bind_address = g_strdup (config->bind_address);
  self->config.bind_address = self->bind_address;
  self->context = context != NULL ? g_main_context_ref (context)
                                  : g_main_context_ref (g_main_context_default ());
  self->handler = handler;
  self->handler_data = user_data;
  self->listeners = g_ptr_array_new_with_free_func (g_object_unref);
  self->sources = g_ptr_array_new ();
  self->connections = g_hash_table_new_full (
      g_int64_hash, g_int64_equal, g_free, (GDestroyNotify) hap_connection_unref);
  self->next_id = 1;
  return self;
}

void
hap_transport_free (HapTransport *transport)
{
  if (transport == NULL)
    return;
  hap_transport_stop (transport);
  g_ptr_array_unref (transport->listeners);
  g_ptr_array_unref (transport->sources);
  g_hash_table_unref (transport->connections);
  g_main_context_unref (transport->context);
  g_free (transport->bind_address);
  g_free (transport);
}

static void
on_connection_closed (HapConnection *connection, gpointer user_data)
{
  HapTransport *self = user_data;
  guint64 id = hap_connection_get_id (connection);

  g_hash_table_remove (self->connections, &id);
}

/* At the limit: a client that closes a connection and opens another at once must not be refused
 * because this loop has not yet dispatched the old one's close (the listener and the closed
 * socket become ready in the same poll, and the listener is dispatched first). Closes the
 * connections whose peer is already gone; one peek per connection, and only at the limit. */
static guint
reap_gone_peers (HapTransport *self)
{
  g_autoptr (GPtrArray) open = hap_transport_list_connections (self);
  guint i;
  guint n = 0;

  g_ptr_array_set_free_func (open, (GDestroyNotify) hap_connection_unref);
  for (i = 0; i < open->len; i++)
    hap_connection_ref (open->pdata[i]);
  for (i = 0; i < open->len; i++)
    if (hap_connection_close_if_peer_gone (open->pdata[i]))
      n++;
  return n;
}

static gboolean
on_incoming (GSocket *listener, GIOCondition condition, gpointer user_data)
{
  HapTransport *self = user_data;
  guint i;

  for (i = 0; i < 16; i++) {
    g_autoptr (GError) error = NULL;
    g_autoptr (GSocket) client = g_socket_accept (listener, NULL, &error);
    HapConnection *connection;
    guint64 *key;

    if (client == NULL) {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        g_debug ("accept failed: %s", error->message);
      break;
    }
    if (g_hash_table_size (self->connections) >= self->config.max_connections
        && reap_gone_peers (self) > 0)
      g_debug (
          "at %u connections: closed the ones whose peer had gone", self->config.max_connections);
    if (g_hash_table_size (self->connections) >= self->config.max_connections) {
      g_debug ("%u connections: refusing another one", self->config.max_connections);
      g_socket_shutdown (client, FALSE, TRUE, NULL);
      g_socket_close (client, NULL);
      continue;
    }
    connection = hap_connection_new (client, self->context, self->next_id++,
        &self->config.connection, self->handler, self->handler_data, on_connection_closed, self);
    key = g_new (guint64, 1);
    *key = hap_connection_get_id (connection);
    g_hash_table_insert (self->connections, key, connection);
  }
  return G_SOURCE_CONTINUE;
}

static GSocket *
listen_on (GInetAddress *address, guint16 port, GError **error)
{
  g_autoptr (GSocket) socket = NULL;
  g_autoptr (GSocketAddress) sockaddr = NULL;

  socket = g_socket_new (
      g_inet_address_get_family (address), G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL)
    return NULL;
  sockaddr = g_inet_socket_address_new (address, port);
  if (!g_socket_bind (socket, sockaddr, TRUE, error))
    return NULL;
  g_socket_set_listen_backlog (socket, 32);
  if (!g_socket_listen (socket, error))
    return NULL;
  g_socket_set_blocking (socket, FALSE);
  return g_steal_pointer (&socket);
}

static guint16
socket_port (GSocket *socket)
{
  g_autoptr (GSocketAddress) local = g_socket_get_local_address (socket, NULL);

  if (!G_IS_INET_SOCKET_ADDRESS (local))
    return 0;
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
}

gboolean
hap_transport_start (HapTransport *transport, GError **error)
{
  HapTransport *self = transport;
  g_autoptr (GSocket) first = NULL;
  g_autoptr (GSocket) second = NULL;
  guint i;

  g_return_val_if_fail (transport != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  g_return_val_if_fail (transport->listeners->len == 0, FALSE);

  if (self->bind_address != NULL) {
    g_autoptr (GInetAddress) address = g_inet_address_new_from_string (self->bind_address);
    if (address == NULL) {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "bad bind address \"%s\"",
          self->bind_address);
      return FALSE;
    }
    first = listen_on (address, self->config.port, error);
    if (first == NULL)
      return FALSE;
  } else {
    /* IPv6 first (usually dual-stack), then IPv4 on the same port; like GSocketListener, an
     * IPv4 bind that fails because the IPv6 socket already covers it is not an error. */
    g_autoptr (GInetAddress) any6 = g_inet_address_new_any (G_SOCKET_FAMILY_IPV6);
    g_autoptr (GInetAddress) any4 = g_inet_address_new_any (G_SOCKET_FAMILY_IPV4);
    g_autoptr (GError) error6 = NULL;
    g_autoptr (GError) error4 = NULL;

    first = listen_on (any6, self->config.port, &error6);
    second = listen_on (any4, first != NULL ? socket_port (first) : self->config.port, &error4);
    if (first == NULL && second == NULL) {
      g_propagate_error (error, g_steal_pointer (&error4));
      return FALSE;
    }
  }
  self->port = socket_port (first != NULL ? first : second);
  if (first != NULL)
    g_ptr_array_add (self->listeners, g_steal_pointer (&first));
  if (second != NULL)
    g_ptr_array_add (self->listeners, g_steal_pointer (&second));

  g_main_context_push_thread_default (self->context);
  for (i = 0; i < self->listeners->len; i++) {
    GSource *source = g_socket_create_source (self->listeners->pdata[i], G_IO_IN, NULL);
    g_source_set_callback (source, G_SOURCE_FUNC (on_incoming), self, NULL);
    g_source_attach (source, self->context);
    g_ptr_array_add (self->sources, source);
  }
  g_main_context_pop_thread_default (self->context);
  g_debug ("listening on port %u (%u sockets)", self->port, self->listeners->len);
  return TRUE;
}

void
hap_transport_stop (HapTransport *transport)
{
  HapTransport *self = transport;
  g_autoptr (GPtrArray) open = NULL;
  guint i;

  g_return_if_fail (transport != NULL);

  for (i = 0; i < self->sources->len; i++) {
    g_source_destroy (self->sources->pdata[i]);
    g_source_unref (self->sources->pdata[i]);
  }
  g_ptr_array_set_size (self->sources, 0);
  for (i = 0; i < self->listeners->len; i++)
    g_socket_close (self->listeners->pdata[i], NULL);
  g_ptr_array_set_size (self->listeners, 0);
  self->port = 0;

  open = hap_transport_list_connections (self);
  g_ptr_array_set_free_func (open, (GDestroyNotify) hap_connection_unref);
  for (i = 0; i < open->len; i++)
    hap_connection_ref (open->pdata[i]);
  for (i = 0; i < open->len; i++)
    hap_connection_close (open->pdata[i]);
}

guint16
hap_transport_get_port (const HapTransport *transport)
{
  g_return_val_if_fail (transport != NULL, 0);
  return transport->port;
}

guint
hap_transport_get_n_connections (const HapTransport *transport)
{
  g_return_val_if_fail (transport != NULL, 0);
  return g_hash_table_size (transport->connections);
}

HapConnection *
hap_transport_lookup (const HapTransport *transport, guint64 id)
{
  g_return_val_if_fail (transport != NULL, NULL);
  return g_hash_table_lookup (transport->connections, &id);
}

static gint
compare_ids (gconstpointer a, gconstpointer b)
{
  guint64 ia = hap_connection_get_id (*(HapConnection *const *) a);
  guint64 ib = hap_connection_get_id (*(HapConnection *const *) b);

  return ia < ib ? -1 : ia > ib ? 1 : 0;
}

GPtrArray *
hap_transport_list_connections (const HapTransport *transport)
{
  GPtrArray *list;
  GHashTableIter iter;
  gpointer value;

  g_return_val_if_fail (transport != NULL, NULL);
  list = g_ptr_array_new ();
  g_hash_table_iter_init (&iter, transport->connections);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (list, value);
  g_ptr_array_sort (list, compare_ids);
  return list;
}

guint
hap_transport_close_controller (HapTransport *transport, const char *controller_id)
{
  g_autoptr (GPtrArray) open = NULL;
  guint i;
  guint n = 0;

  g_return_val_if_fail (transport != NULL, 0);
  g_return_val_if_fail (controller_id != NULL, 0);
  open = hap_transport_list_connections (transport);
  for (i = 0; i < open->len; i++) {
    HapConnection *connection = open->pdata[i];
    const char *id = hap_connection_get_controller_id (connection);
    if (id != NULL && g_str_equal (id, controller_id)) {
      hap_connection_close_after_flush (connection);
      n++;
    }
  }
  return n;
}
