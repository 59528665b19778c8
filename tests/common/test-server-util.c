/* Helpers of the server tests. See tests/common/test-server-util.h. */
#include "tests/common/test-server-util.h"

#include <string.h>
#include <sys/socket.h>

#include <glib/gstdio.h>

void
hap_test_wait_int (gint *counter, gint value)
{
  gint64 end = g_get_monotonic_time () + HAP_TEST_TIMEOUT_S * G_USEC_PER_SEC;

  while (g_atomic_int_get (counter) < value && g_get_monotonic_time () < end)
    g_usleep (2000);
  g_assert_cmpint (g_atomic_int_get (counter), >=, value);
}

void
hap_test_remove_dir (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL) {
    g_autofree gchar *path = g_build_filename (dir, name, NULL);
    g_unlink (path);
  }
  g_rmdir (dir);
}

gboolean
hap_test_quit_loop (gpointer loop)
{
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

static gpointer
server_thread (gpointer data)
{
  HapTestThread *t = data;
  guint16 port;

  g_main_context_push_thread_default (t->context);
  port = t->serve (t->data);
  g_mutex_lock (&t->lock);
  t->port = port;
  t->ready = TRUE;
  g_cond_signal (&t->cond);
  g_mutex_unlock (&t->lock);
  g_main_loop_run (t->loop);
  t->stop (t->data);
  g_main_context_pop_thread_default (t->context);
  return NULL;
}

guint16
hap_test_thread_start (
    HapTestThread *t, HapTestServeFunc serve, HapTestStopFunc stop, gpointer data)
{
  memset (t, 0, sizeof *t);
  g_mutex_init (&t->lock);
  g_cond_init (&t->cond);
  t->serve = serve;
  t->stop = stop;
  t->data = data;
  t->context = g_main_context_new ();
  t->loop = g_main_loop_new (t->context, FALSE);
  t->thread = g_thread_new ("hap-server", server_thread, t);
  g_mutex_lock (&t->lock);
  while (!t->ready)
    g_cond_wait (&t->cond, &t->lock);
  g_mutex_unlock (&t->lock);
  g_assert_cmpuint (t->port, >, 0);
  return t->port;
}

void
hap_test_thread_stop (HapTestThread *t)
{
  g_main_context_invoke (t->context, hap_test_quit_loop, t->loop);
  g_thread_join (t->thread);
  g_main_loop_unref (t->loop);
  g_main_context_unref (t->context);
  g_mutex_clear (&t->lock);
  g_cond_clear (&t->cond);
}

HapTestClient *
hap_test_client_connect (const char *host, guint16 port, gint rcvbuf)
{
  HapTestClient *client = g_new0 (HapTestClient, 1);
  g_autoptr (GError) error = NULL;
  g_autoptr (GInetAddress) address = g_inet_address_new_from_string (host);
  g_autoptr (GSocketAddress) sockaddr = g_inet_socket_address_new (address, port);

  client->socket = g_socket_new (
      g_inet_address_get_family (address), G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  if (rcvbuf > 0)
    setsockopt (g_socket_get_fd (client->socket), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  g_socket_set_timeout (client->socket, HAP_TEST_TIMEOUT_S);
  g_assert_true (g_socket_connect (client->socket, sockaddr, NULL, &error));
  g_assert_no_error (error);
  client->parser = hap_http_parser_new_response (NULL);
  client->plain = g_byte_array_new ();
  return client;
}

void
hap_test_client_free (HapTestClient *client)
{
  g_socket_close (client->socket, NULL);
  g_object_unref (client->socket);
  hap_session_crypto_free (client->crypto);
  hap_http_parser_free (client->parser);
  g_byte_array_unref (client->plain);
  g_free (client);
}

void
hap_test_client_send_raw (HapTestClient *client, const void *data, gsize len)
{
  g_autoptr (GError) error = NULL;
  gsize off = 0;

  while (off < len) {
    gssize n = g_socket_send (client->socket, (const gchar *) data + off, len - off, NULL, &error);
    g_assert_no_error (error);
    off += (gsize) n;
  }
}

void
hap_test_client_send (HapTestClient *client, const void *data, gsize len)
{
  g_autoptr (GByteArray) frames = g_byte_array_new ();

  if (client->crypto == NULL) {
    hap_test_client_send_raw (client, data, len);
    return;
  }
  g_assert_true (hap_session_crypto_encrypt_append (client->crypto, data, len, frames));
  hap_test_client_send_raw (client, frames->data, frames->len);
}

void
hap_test_client_request (HapTestClient *client, const char *method, const char *target,
    const char *content_type, const void *body, gsize len)
{
  g_autoptr (GByteArray) msg = g_byte_array_new ();
  const gchar *headers[] = { "Host", "test", "Content-Type", content_type, NULL };

  if (content_type == NULL)
    headers[2] = NULL;
  g_assert_true (hap_http_write_request (msg, method, target, headers, body, len));
  hap_test_client_send (client, msg->data, msg->len);
}

gssize
hap_test_client_receive (HapTestClient *client)
{
  guint8 buf[8192];
  g_autoptr (GError) error = NULL;
  gssize n = g_socket_receive (client->socket, (gchar *) buf, sizeof buf, NULL, &error);

  if (n <= 0)
    return n < 0 ? -1 : 0;
  if (client->crypto != NULL) {
    HapParseResult r
        = hap_session_crypto_decrypt_append (client->crypto, buf, (gsize) n, client->plain, NULL);
    g_assert_cmpint (r, !=, HAP_PARSE_INVALID);
  } else {
    g_byte_array_append (client->plain, buf, (guint) n);
  }
  return n;
}

HapHttpResponse *
hap_test_client_read (HapTestClient *client)
{
  for (;;) {
    HapHttpResponse *response = NULL;
    gsize consumed = 0;
    g_autoptr (GError) error = NULL;
    HapParseResult r = hap_http_parser_feed_response (
        client->parser, client->plain->data, client->plain->len, &consumed, &response, &error);

    g_assert_no_error (error);
    g_assert_cmpint (r, !=, HAP_PARSE_INVALID);
    g_byte_array_remove_range (client->plain, 0, (guint) consumed);
    if (r == HAP_PARSE_OK)
      return response;
    if (hap_test_client_receive (client) <= 0)
      return NULL;
  }
}

GBytes *
hap_test_client_expect (HapTestClient *client, guint status)
{
  g_autoptr (HapHttpResponse) response = hap_test_client_read (client);

  g_assert_nonnull (response);
  g_assert_false (response->is_event);
  g_assert_cmpuint (response->status, ==, status);
  return g_bytes_ref (response->body);
}
