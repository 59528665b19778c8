/* libhap: one HAP-over-IP connection (see connection.h). */
#include "hap/connection.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>

#include <sodium.h>

#include "hap/session-crypto.h"

/* Bytes read per receive call, and receive calls per dispatch (fairness between clients). */
#define READ_CHUNK 4096
#define READS_PER_DISPATCH 16
/* The response buffer kept between requests. */
#define SCRATCH_KEEP 1024
/* After the last response of a closing connection: how long we wait for the peer's FIN. */
#define LINGER_MS 2000

#define JSON_470 "{\"status\":-70401}"

struct _HapConnection {
  gint ref_count;
  guint64 id;
  gchar *peer;
  GSocket *socket;
  GMainContext *context;
  HapConnectionConfig config;
  const HapConnectionHandler *handler;
  gpointer handler_data;
  HapConnectionClosedFunc closed_func;
  gpointer closed_data;

  GSource *read_source;
  GSource *write_source;
  GSource *idle_source;
  GSource *linger_source;
  gint64 last_activity_us;

  HapHttpParser *parser;
  HapSessionCrypto *crypto;
  GByteArray *out;
  gsize out_offset;
  GByteArray *scratch; /* one response's plaintext, reused */
  /* While the input of one read is processed: responses queue up and go out in one send at
   * the end of it (pipelined requests cost one write, not one each). */
  gboolean batching;

  /* Set by hap_connection_start_session(), applied after the current response. */
  gboolean session_pending;
  guint8 pending_a2c[HAP_CONNECTION_KEY_LEN];
  guint8 pending_c2a[HAP_CONNECTION_KEY_LEN];
  gchar *controller_id;
  guint8 shared_secret[HAP_CONNECTION_SHARED_SECRET_LEN];
  gboolean verified;

  /* Events queued while a request is being handled go out after its response. */
  gboolean in_request;
  gboolean close_requested; /* hap_connection_close_after_flush() during a request */
  GByteArray *pending_events;

  gboolean reading;  /* in on_readable(): a nested main loop must not re-enter it */
  gboolean closing;  /* no more reading or processing; flush then close */
  gboolean draining; /* write side shut down; discarding input until EOF */
  gboolean closed;

  gpointer data;
  GDestroyNotify data_destroy;
};

static void connection_flush (HapConnection *self);
static void connection_arm_idle (HapConnection *self, guint delay_ms);

static void
clear_source (GSource **source)
{
  if (*source != NULL) {
    g_source_destroy (*source);
    g_source_unref (*source);
    *source = NULL;
  }
}

static void
connection_finalize (HapConnection *self)
{
  g_assert (self->closed);
  g_clear_object (&self->socket);
  g_main_context_unref (self->context);
  g_clear_pointer (&self->parser, hap_http_parser_free);
  g_clear_pointer (&self->out, g_byte_array_unref);
  g_clear_pointer (&self->scratch, g_byte_array_unref);
  g_clear_pointer (&self->pending_events, g_byte_array_unref);
  g_free (self->peer);
  g_free (self->controller_id);
  sodium_memzero (self->pending_a2c, sizeof self->pending_a2c);
  sodium_memzero (self->pending_c2a, sizeof self->pending_c2a);
  sodium_memzero (self->shared_secret, sizeof self->shared_secret);
  g_free (self);
}

HapConnection *
hap_connection_ref (HapConnection *connection)
{
  g_return_val_if_fail (connection != NULL, NULL);
  g_atomic_int_inc (&connection->ref_count);
  return connection;
}

void
hap_connection_unref (HapConnection *connection)
{
  if (connection == NULL)
    return;
  if (g_atomic_int_dec_and_test (&connection->ref_count))
    connection_finalize (connection);
}

void
hap_connection_close (HapConnection *connection)
{
  HapConnection *self = connection;
  gpointer data;
  GDestroyNotify destroy;

  g_return_if_fail (connection != NULL);
  if (self->closed)
    return;
  if (self->batching) {
    /* Without batching, the responses to the earlier requests of this read would have been
     * sent already (such as those before a frame that does not authenticate): send them. */
    self->batching = FALSE;
    connection_flush (self);
    if (self->closed)
      return;
  }
  self->closed = TRUE;
  self->closing = TRUE;
  hap_connection_ref (self);
  clear_source (&self->read_source);
  clear_source (&self->write_source);
  clear_source (&self->idle_source);
  clear_source (&self->linger_source);
  g_socket_close (self->socket, NULL);
  g_clear_pointer (&self->crypto, hap_session_crypto_free);
  g_debug ("connection %" G_GUINT64_FORMAT " (%s) closed", self->id, self->peer);

  if (self->handler != NULL && self->handler->closed != NULL)
    self->handler->closed (self, self->handler_data);
  data = self->data;
  destroy = self->data_destroy;
  self->data = NULL;
  self->data_destroy = NULL;
  if (destroy != NULL)
    destroy (data);
  if (self->closed_func != NULL)
    self->closed_func (self, self->closed_data);
  hap_connection_unref (self);
}

gboolean
hap_connection_close_if_peer_gone (HapConnection *connection)
{
  HapConnection *self = connection;
  guint8 byte;
  gssize n;

  g_return_val_if_fail (connection != NULL, FALSE);
  if (self->closed || self->reading || self->read_source == NULL)
    return FALSE;
  do
    n = recv (g_socket_get_fd (self->socket), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  while (n < 0 && errno == EINTR);
  if (n > 0 || (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)))
    return FALSE;
  g_debug ("connection %" G_GUINT64_FORMAT " (%s): peer gone (%s), closing to make room", self->id,
      self->peer, n == 0 ? "end of stream" : g_strerror (errno));
  hap_connection_close (self);
  return TRUE;
}

static gboolean
on_linger_timeout (gpointer user_data)
{
  HapConnection *self = user_data;

  g_debug ("connection %" G_GUINT64_FORMAT ": peer did not close, closing", self->id);
  hap_connection_close (self);
  return G_SOURCE_REMOVE;
}

static gboolean on_readable (GSocket *socket, GIOCondition condition, gpointer user_data);

static void
connection_watch_read (HapConnection *self)
{
  if (self->read_source != NULL)
    return;
  self->read_source = g_socket_create_source (self->socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_callback (self->read_source, G_SOURCE_FUNC (on_readable), self, NULL);
  /* GLib blocks a non-recursive source while dispatching it by removing its fd from the poll
   * set and adding it back afterwards, each time writing the context's wakeup eventfd and
   * making the next iteration rebuild its poll array: a syscall and more per request. Nothing
   * here iterates the context from inside the callback, and on_readable() refuses to be
   * re-entered should an owner's callback run a nested main loop. */
  g_source_set_can_recurse (self->read_source, TRUE);
  g_source_attach (self->read_source, self->context);
}

/* Everything queued has been sent on a closing connection: end the write side and wait (a
 * little) for the peer's FIN, so that unread input does not turn our close into a reset that
 * could destroy the last response before the peer read it. */
static void
connection_finish_close (HapConnection *self)
{
  if (self->draining || self->closed)
    return;
  self->draining = TRUE;
  if (!g_socket_shutdown (self->socket, FALSE, TRUE, NULL)) {
    hap_connection_close (self);
    return;
  }
  clear_source (&self->idle_source);
  self->linger_source = g_timeout_source_new (LINGER_MS);
  g_source_set_callback (self->linger_source, on_linger_timeout, self, NULL);
  g_source_attach (self->linger_source, self->context);
  connection_watch_read (self);
}

void
hap_connection_close_after_flush (HapConnection *connection)
{
  g_return_if_fail (connection != NULL);

  if (connection->closing)
    return;
  if (connection->in_request) {
    connection->close_requested = TRUE; /* after the response */
    return;
  }
  connection->closing = TRUE;
  g_debug ("connection %" G_GUINT64_FORMAT ": closing after %" G_GSIZE_FORMAT " queued bytes",
      connection->id, connection->out->len - connection->out_offset);
  clear_source (&connection->read_source);
  if (connection->out->len == connection->out_offset)
    connection_finish_close (connection);
}

static gboolean
on_writable (GSocket *socket, GIOCondition condition, gpointer user_data)
{
  HapConnection *self = user_data;

  hap_connection_ref (self);
  g_clear_pointer (&self->write_source, g_source_unref);
  connection_flush (self);
  hap_connection_unref (self);
  return G_SOURCE_REMOVE;
}

/* send() and recv() on the descriptor: GSocket's wrappers would add checks and, for every
 * EAGAIN, a GError allocation, to the one syscall per request that the server needs. */
static void
connection_flush (HapConnection *self)
{
  while (!self->closed && self->out_offset < self->out->len) {
    gssize n = send (g_socket_get_fd (self->socket), self->out->data + self->out_offset,
        self->out->len - self->out_offset, MSG_NOSIGNAL);
    if (n < 0) {
      int err = errno;
      if (err == EINTR)
        continue;
      if (err == EAGAIN || err == EWOULDBLOCK) {
        if (self->write_source == NULL) {
          self->write_source = g_socket_create_source (self->socket, G_IO_OUT, NULL);
          g_source_set_callback (self->write_source, G_SOURCE_FUNC (on_writable), self, NULL);
          g_source_attach (self->write_source, self->context);
        }
        break;
      }
      g_debug ("connection %" G_GUINT64_FORMAT ": send failed: %s", self->id, g_strerror (err));
      hap_connection_close (self);
      return;
    }
    self->out_offset += (gsize) n;
  }
  if (self->closed)
    return;
  if (self->out_offset == self->out->len) {
    g_byte_array_set_size (self->out, 0);
    self->out_offset = 0;
    if (self->closing)
      connection_finish_close (self);
  } else if (self->out_offset >= 65536 && self->out_offset * 2 >= self->out->len) {
    g_byte_array_remove_range (self->out, 0, self->out_offset);
    self->out_offset = 0;
  }
}

/* Appends a whole plaintext message (encrypting it on a session) and tries to send it. */
static gboolean
connection_enqueue (HapConnection *self, const guint8 *data, gsize len)
{
  if (self->closed || self->draining)
    return FALSE;
  if (self->crypto != NULL) {
    if (!hap_session_crypto_encrypt_append (self->crypto, data, len, self->out)) {
      hap_connection_close (self);
      return FALSE;
    }
  } else {
    g_byte_array_append (self->out, data, len);
  }
  if (self->out->len - self->out_offset > self->config.max_output_queue) {
    g_debug ("connection %" G_GUINT64_FORMAT " (%s): %" G_GSIZE_FORMAT
             " bytes queued, the peer is not reading: dropping it",
        self->id, self->peer, self->out->len - self->out_offset);
    hap_connection_close (self);
    return FALSE;
  }
  if (!self->batching)
    connection_flush (self);
  return !self->closed;
}

static void
connection_respond (HapConnection *self, HapConnectionResponse *response)
{
  GByteArray *msg = self->scratch;
  const gchar *headers[3] = { NULL, NULL, NULL };
  const guint8 *body = NULL;
  gsize body_len = 0;
  guint status = response->status != 0 ? response->status : 500;

  if (response->body != NULL)
    body = g_bytes_get_data (response->body, &body_len);
  if (status == 204 || status < 200)
    body_len = 0;
  if (response->content_type != NULL && body_len > 0) {
    headers[0] = "Content-Type";
    headers[1] = response->content_type;
  }
  g_byte_array_set_size (msg, 0);
  if (!hap_http_write_response (msg, status, NULL, headers, body, body_len)) {
    msg->len = 0;
    hap_http_write_response (msg, 500, NULL, NULL, NULL, 0);
  }
  g_clear_pointer (&response->body, g_bytes_unref);
  connection_enqueue (self, msg->data, msg->len);
  /* A large response (GET /accessories) does not keep its buffer allocated. */
  if (msg->len > SCRATCH_KEEP) {
    g_byte_array_unref (self->scratch);
    self->scratch = g_byte_array_sized_new (SCRATCH_KEEP);
  }
}

static void
connection_apply_session (HapConnection *self)
{
  if (!self->session_pending || self->closed)
    return;
  self->session_pending = FALSE;
  self->crypto = hap_session_crypto_new (self->pending_a2c, self->pending_c2a);
  sodium_memzero (self->pending_a2c, sizeof self->pending_a2c);
  sodium_memzero (self->pending_c2a, sizeof self->pending_c2a);
  self->verified = TRUE;
  g_debug ("connection %" G_GUINT64_FORMAT " (%s): session encrypted", self->id, self->peer);
}

/* Whether the per-request debug line would be written. GLib reads G_MESSAGES_DEBUG with
 * getenv() at every check, a scan of the environment per request: read it once, and follow
 * g_log_set_debug_enabled() (a plain flag) at every request. */
static gboolean
debug_requests (void)
{
  static gsize from_env = 0; /* 0: not read yet, 1: no, 2: yes */

  if (g_log_get_debug_enabled ())
    return TRUE;
  if (g_once_init_enter (&from_env))
    g_once_init_leave (
        &from_env, g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN) ? 1 : 2);
  return from_env == 2;
}

static gboolean
request_is_pairing (const HapHttpRequest *request)
{
  return g_str_equal (request->method, "POST")
         && (g_str_equal (request->path, "/pair-setup")
             || g_str_equal (request->path, "/pair-verify"));
}

static void
connection_handle_request (HapConnection *self, const HapHttpRequest *request)
{
  HapConnectionResponse response = { 0, NULL, NULL, FALSE };

  /* Per request: g_debug() would format (and allocate) the line before GLib drops it. */
  if (debug_requests ())
    g_debug ("connection %" G_GUINT64_FORMAT ": %s %s (%" G_GSIZE_FORMAT " body bytes)", self->id,
        request->method, request->path, g_bytes_get_size (request->body));
  if (self->crypto == NULL && !request_is_pairing (request)
      && !(self->handler != NULL && self->handler->allow_plaintext != NULL
           && self->handler->allow_plaintext (self, request, self->handler_data))) {
    response.status = 470;
    response.content_type = "application/hap+json";
    response.body = g_bytes_new_static (JSON_470, strlen (JSON_470));
  } else if (self->handler != NULL && self->handler->request != NULL) {
    self->in_request = TRUE;
    self->handler->request (self, request, &response, self->handler_data);
    self->in_request = FALSE;
  } else {
    response.status = 404;
  }
  if (self->closed) {
    g_clear_pointer (&response.body, g_bytes_unref);
    return;
  }
  connection_respond (self, &response);
  connection_apply_session (self);
  if (self->pending_events != NULL && self->pending_events->len > 0) {
    g_autoptr (GByteArray) events = g_steal_pointer (&self->pending_events);
    connection_enqueue (self, events->data, events->len);
  }
  if (response.close || self->close_requested)
    hap_connection_close_after_flush (self);
}

/* Feeds plaintext to the HTTP parser and handles the requests it completes. Stops early when
 * the connection closes or when a request switched the connection to session frames (the rest
 * is ciphertext). Returns the number of bytes taken. */
static gsize
connection_feed_http (HapConnection *self, const guint8 *data, gsize len)
{
  gsize off = 0;

  while (off < len && !self->closing) {
    g_autoptr (GError) error = NULL;
    HapHttpRequest *request = NULL;
    gsize consumed = 0;
    gboolean was_plain = self->crypto == NULL;
    HapParseResult r = hap_http_parser_feed_request (
        self->parser, data + off, len - off, &consumed, &request, &error);

    off += consumed;
    if (r == HAP_PARSE_NEED_MORE)
      break;
    if (r == HAP_PARSE_INVALID) {
      HapConnectionResponse response = { hap_http_error_to_status (error), NULL, NULL, TRUE };
      g_debug ("connection %" G_GUINT64_FORMAT " (%s): bad request: %s", self->id, self->peer,
          error->message);
      connection_respond (self, &response);
      hap_connection_close_after_flush (self);
      break;
    }
    connection_handle_request (self, request);
    hap_http_request_free (request);
    if (was_plain && self->crypto != NULL)
      break;
  }
  return off;
}

static void
connection_process_input (HapConnection *self, const guint8 *data, gsize len)
{
  while (len > 0 && !self->closing) {
    if (self->crypto != NULL) {
      guint8 plain[HAP_SESSION_MAX_PAYLOAD];
      gsize plain_len = 0;
      gsize consumed = 0;
      g_autoptr (GError) error = NULL;
      HapParseResult r = hap_session_crypto_decrypt (
          self->crypto, data, len, &consumed, plain, &plain_len, &error);

      data += consumed;
      len -= consumed;
      if (r == HAP_PARSE_NEED_MORE)
        break;
      if (r == HAP_PARSE_INVALID) {
        g_debug ("connection %" G_GUINT64_FORMAT " (%s): bad session frame (%s): closing", self->id,
            self->peer, error->message);
        hap_connection_close (self);
        break;
      }
      connection_feed_http (self, plain, plain_len);
      sodium_memzero (plain, plain_len);
    } else {
      gsize consumed = connection_feed_http (self, data, len);
      data += consumed;
      len -= consumed;
      if (self->crypto == NULL)
        break; /* the parser took everything or the connection is closing */
    }
  }
}

static gboolean
on_idle_timeout (gpointer user_data)
{
  HapConnection *self = user_data;
  gint64 idle_ms = (g_get_monotonic_time () - self->last_activity_us) / 1000;

  g_clear_pointer (&self->idle_source, g_source_unref);
  if (idle_ms >= (gint64) self->config.idle_timeout_ms) {
    g_debug ("connection %" G_GUINT64_FORMAT " (%s): idle for %" G_GINT64_FORMAT " ms: closing",
        self->id, self->peer, idle_ms);
    hap_connection_close (self);
  } else {
    connection_arm_idle (self, self->config.idle_timeout_ms - (guint) idle_ms);
  }
  return G_SOURCE_REMOVE;
}

static void
connection_arm_idle (HapConnection *self, guint delay_ms)
{
  if (self->config.idle_timeout_ms == 0 || self->closing)
    return;
  self->idle_source = g_timeout_source_new (delay_ms);
  g_source_set_callback (self->idle_source, on_idle_timeout, self, NULL);
  g_source_attach (self->idle_source, self->context);
}

static gboolean
on_readable (GSocket *socket, GIOCondition condition, gpointer user_data)
{
  HapConnection *self = user_data;
  guint8 buf[READ_CHUNK];
  guint i;

  if (self->reading)
    return G_SOURCE_CONTINUE;
  hap_connection_ref (self);
  self->reading = TRUE;
  for (i = 0; i < READS_PER_DISPATCH && !self->closed; i++) {
    gssize n = recv (g_socket_get_fd (self->socket), buf, sizeof buf, 0);

    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
      break;
    if (n <= 0) {
      if (n < 0)
        g_debug ("connection %" G_GUINT64_FORMAT " (%s): receive failed: %s", self->id, self->peer,
            g_strerror (errno));
      else if (!self->draining && !hap_http_parser_is_idle (self->parser))
        g_debug ("connection %" G_GUINT64_FORMAT " (%s): peer closed inside a request", self->id,
            self->peer);
      hap_connection_close (self);
      break;
    }
    if (self->draining)
      continue; /* discarded: we are only waiting for the peer's FIN */
    if (self->config.idle_timeout_ms > 0)
      self->last_activity_us = g_get_monotonic_time ();
    self->batching = TRUE;
    connection_process_input (self, buf, (gsize) n);
    self->batching = FALSE;
    connection_flush (self);
    sodium_memzero (buf, (gsize) n);
    if (self->closing && !self->draining)
      break;
    /* A short read emptied the socket: skip the receive that would only say EAGAIN (the
     * source is level-triggered, anything arriving meanwhile dispatches it again). */
    if ((gsize) n < sizeof buf)
      break;
  }
  self->reading = FALSE;
  hap_connection_unref (self);
  return G_SOURCE_CONTINUE; /* a destroyed source is not dispatched again */
}

HapConnection *
hap_connection_new (GSocket *socket, GMainContext *context, guint64 id,
    const HapConnectionConfig *config, const HapConnectionHandler *handler, gpointer user_data,
    HapConnectionClosedFunc closed_func, gpointer closed_data)
{
  HapConnection *self;
  g_autoptr (GSocketAddress) address = NULL;

  g_return_val_if_fail (G_IS_SOCKET (socket), NULL);
  g_return_val_if_fail (context != NULL, NULL);
  g_return_val_if_fail (config != NULL, NULL);
  self = g_new0 (HapConnection, 1);
  address = g_socket_get_remote_address (socket, NULL);

  self->ref_count = 1;
  self->id = id;
  self->socket = g_object_ref (socket);
  self->context = g_main_context_ref (context);
  self->config = *config;
  self->handler = handler;
  self->handler_data = user_data;
  self->closed_func = closed_func;
  self->closed_data = closed_data;
  self->parser = hap_http_parser_new_request (&config->http_limits);
  self->out = g_byte_array_new ();
  self->scratch = g_byte_array_sized_new (SCRATCH_KEEP);
  if (G_IS_INET_SOCKET_ADDRESS (address)) {
    g_autofree gchar *host = g_inet_address_to_string (
        g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address)));
    self->peer = g_strdup_printf (
        "%s:%u", host, g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address)));
  } else {
    self->peer = g_strdup ("?");
  }
  g_socket_set_blocking (socket, FALSE);
  /* The connection coalesces its output itself (one send per read, see `batching`); Nagle
   * would only hold back a second write, such as an event right after a response, until the
   * peer's (possibly delayed) ACK. */
  if (!g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL))
    g_debug ("connection %" G_GUINT64_FORMAT ": no TCP_NODELAY", id);
  self->last_activity_us = g_get_monotonic_time ();
  connection_watch_read (self);
  connection_arm_idle (self, self->config.idle_timeout_ms);
  g_debug ("connection %" G_GUINT64_FORMAT " from %s", id, self->peer);
  return self;
}

guint64
hap_connection_get_id (const HapConnection *connection)
{
  g_return_val_if_fail (connection != NULL, 0);
  return connection->id;
}

const char *
hap_connection_get_peer (const HapConnection *connection)
{
  g_return_val_if_fail (connection != NULL, NULL);
  return connection->peer;
}

void
hap_connection_start_session (HapConnection *connection,
    const guint8 accessory_to_controller[HAP_CONNECTION_KEY_LEN],
    const guint8 controller_to_accessory[HAP_CONNECTION_KEY_LEN], const char *controller_id,
    const guint8 shared_secret[HAP_CONNECTION_SHARED_SECRET_LEN])
{
  g_return_if_fail (connection != NULL);
  g_return_if_fail (accessory_to_controller != NULL && controller_to_accessory != NULL);
  g_return_if_fail (controller_id != NULL && shared_secret != NULL);
  g_return_if_fail (connection->crypto == NULL && !connection->verified);

  memcpy (connection->pending_a2c, accessory_to_controller, HAP_CONNECTION_KEY_LEN);
  memcpy (connection->pending_c2a, controller_to_accessory, HAP_CONNECTION_KEY_LEN);
  memcpy (connection->shared_secret, shared_secret, HAP_CONNECTION_SHARED_SECRET_LEN);
  g_free (connection->controller_id);
  connection->controller_id = g_strdup (controller_id);
  connection->session_pending = TRUE;
}

gboolean
hap_connection_is_verified (const HapConnection *connection)
{
  g_return_val_if_fail (connection != NULL, FALSE);
  return connection->verified;
}

const char *
hap_connection_get_controller_id (const HapConnection *connection)
{
  g_return_val_if_fail (connection != NULL, NULL);
  return connection->verified ? connection->controller_id : NULL;
}

const guint8 *
hap_connection_get_shared_secret (const HapConnection *connection)
{
  g_return_val_if_fail (connection != NULL, NULL);
  return connection->verified ? connection->shared_secret : NULL;
}

gboolean
hap_connection_is_closed (const HapConnection *connection)
{
  g_return_val_if_fail (connection != NULL, TRUE);
  return connection->closing || connection->close_requested;
}

gboolean
hap_connection_send_event (HapConnection *connection, const guint8 *json, gsize len)
{
  g_autoptr (GByteArray) msg = NULL;

  g_return_val_if_fail (connection != NULL, FALSE);
  g_return_val_if_fail (json != NULL && len > 0, FALSE);
  g_return_val_if_fail (connection->verified, FALSE);
  if (connection->closing)
    return FALSE;
  if (connection->in_request) {
    if (connection->pending_events == NULL)
      connection->pending_events = g_byte_array_new ();
    return hap_http_write_event (connection->pending_events, json, len);
  }
  msg = g_byte_array_new ();
  if (!hap_http_write_event (msg, json, len))
    return FALSE;
  return connection_enqueue (connection, msg->data, msg->len);
}

gsize
hap_connection_get_queued_bytes (const HapConnection *connection)
{
  g_return_val_if_fail (connection != NULL, 0);
  return connection->out->len - connection->out_offset;
}

void
hap_connection_set_data (HapConnection *connection, gpointer data, GDestroyNotify destroy)
{
  gpointer old;
  GDestroyNotify old_destroy;

  g_return_if_fail (connection != NULL);
  old = connection->data;
  old_destroy = connection->data_destroy;
  connection->data = data;
  connection->data_destroy = destroy;
  if (old_destroy != NULL && old != NULL)
    old_destroy (old);
}

gpointer
hap_connection_get_data (const HapConnection *connection)
{
  g_return_val_if_fail (connection != NULL, NULL);
  return connection->data;
}
