/* Tests of hap/transport.c and hap/connection.c over real sockets on 127.0.0.1 (and ::1).
 *
 * The transport runs in its own thread on its own GMainContext (as hksvaccessory runs it) with a
 * test handler instead of the real routes. The handler's "pair-verify" takes the two session
 * keys from the request body, so that the encryption switch, tampered frames and the output
 * queue can be tested without the pairing modules. Clients are blocking sockets with timeouts
 * in the test thread, with their own HTTP response parser and session-crypto instance.
 * Every test ends by checking that a well-behaved client is still served.
 */
#include <string.h>
#include <sys/socket.h>

#include <gio/gio.h>

#include "hap/connection.h"
#include "hap/session-crypto.h"
#include "hap/transport.h"
#include "tests/common/test-server-util.h"

/* ---- the server thread ---- */

typedef struct {
  HapTransportConfig config;
  HapTestThread thread;
  HapTransport *transport;
  GMutex lock;
  guint16 port;
  gint processed; /* requests the test handler saw (atomic) */
  gint closed;    /* connections closed (atomic) */
  GString *seen;  /* "METHOD path body\n" per request, under `lock` */
} Server;

static const guint8 key_a2c[32] = { 0x01, 0x02, 0x03 };
static const guint8 key_c2a[32] = { 0x0a, 0x0b, 0x0c };

static void
handler_request (HapConnection *connection, const HapHttpRequest *request,
    HapConnectionResponse *response, gpointer user_data)
{
  Server *server = user_data;
  gsize len;
  const guint8 *body = g_bytes_get_data (request->body, &len);

  g_atomic_int_inc (&server->processed);
  g_mutex_lock (&server->lock);
  g_string_append_printf (server->seen, "%s %s ", request->method, request->target);
  g_string_append_len (server->seen, (const gchar *) body, len);
  g_string_append_c (server->seen, '\n');
  g_mutex_unlock (&server->lock);

  if (g_str_equal (request->path, "/pair-verify")) {
    guint8 secret[32] = { 0x55 };
    if (len != 5 || memcmp (body, "start", 5) != 0) {
      response->status = 400;
      return;
    }
    hap_connection_start_session (connection, key_a2c, key_c2a, "controller-A", secret);
    response->status = 200;
    response->content_type = "application/pairing+tlv8";
    response->body = g_bytes_new_static ("\x06\x01\x04", 3);
  } else if (g_str_equal (request->path, "/big")) {
    gsize n = request->query != NULL ? g_ascii_strtoull (request->query, NULL, 10) : 0;
    response->status = 200;
    response->content_type = "application/octet-stream";
    response->body = g_bytes_new_take (g_malloc0 (n), n);
  } else if (g_str_equal (request->path, "/event")) {
    /* An event queued while handling a request goes out after its response. */
    hap_connection_send_event (connection, (const guint8 *) "{\"characteristics\":[]}", 22);
    response->status = 204;
  } else if (g_str_equal (request->path, "/bye")) {
    response->status = 204;
    response->close = TRUE;
  } else if (g_str_has_prefix (request->path, "/echo")
             || g_str_equal (request->path, "/pair-setup")) {
    response->status = 200;
    response->content_type = "text/plain";
    response->body = g_bytes_new (body, len);
  } else {
    response->status = 404;
  }
}

static void
handler_closed (HapConnection *connection, gpointer user_data)
{
  Server *server = user_data;

  g_atomic_int_inc (&server->closed);
}

static const HapConnectionHandler test_handler = { handler_request, handler_closed };

static guint16
server_serve (gpointer data)
{
  Server *server = data;
  g_autoptr (GError) error = NULL;

  server->transport
      = hap_transport_new (&server->config, server->thread.context, &test_handler, server);
  g_assert_true (hap_transport_start (server->transport, &error));
  g_assert_no_error (error);
  return hap_transport_get_port (server->transport);
}

static void
server_unserve (gpointer data)
{
  Server *server = data;

  hap_transport_free (server->transport);
  server->transport = NULL;
}

static void
server_config_init (HapTransportConfig *config)
{
  hap_transport_config_init (config);
  config->bind_address = "127.0.0.1";
  config->connection.http_limits.max_body = 65536;
}

static Server *
server_start (const HapTransportConfig *config)
{
  Server *server = g_new0 (Server, 1);

  server->config = *config;
  g_mutex_init (&server->lock);
  server->seen = g_string_new (NULL);
  server->port = hap_test_thread_start (&server->thread, server_serve, server_unserve, server);
  return server;
}

static void
server_stop (Server *server)
{
  hap_test_thread_stop (&server->thread);
  g_string_free (server->seen, TRUE);
  g_mutex_clear (&server->lock);
  g_free (server);
}

static gchar *
server_take_seen (Server *server)
{
  gchar *s;

  g_mutex_lock (&server->lock);
  s = g_strdup (server->seen->str);
  g_string_truncate (server->seen, 0);
  g_mutex_unlock (&server->lock);
  return s;
}

static void
server_assert_seen (Server *server, const char *want)
{
  g_autofree gchar *seen = server_take_seen (server);

  g_assert_cmpstr (seen, ==, want);
}

/* ---- clients ---- */

typedef HapTestClient Client;

static Client *
client_connect (Server *server)
{
  return hap_test_client_connect ("127.0.0.1", server->port, 0);
}

static void
client_send_str (Client *client, const char *text)
{
  hap_test_client_send (client, text, strlen (text));
}

/* Asserts that the server closes the connection (EOF or reset) within the timeout, and that
 * nothing but `allowed` responses came before. Returns the responses received. */
static guint
client_expect_closed (Client *client)
{
  guint n = 0;
  HapHttpResponse *response;

  while ((response = hap_test_client_read (client)) != NULL) {
    hap_http_response_free (response);
    n++;
  }
  g_assert_cmpuint (client->plain->len, ==, 0);
  return n;
}

static void
assert_response (HapHttpResponse *response, guint status, const char *body)
{
  g_assert_nonnull (response);
  g_assert_false (response->is_event);
  g_assert_cmpuint (response->status, ==, status);
  if (body != NULL) {
    gsize len;
    const char *data = g_bytes_get_data (response->body, &len);
    g_assert_cmpmem (data, len, body, strlen (body));
  }
}

static void
expect_response (Client *client, guint status, const char *body)
{
  g_autoptr (HapHttpResponse) response = hap_test_client_read (client);

  assert_response (response, status, body);
}

/* POST /pair-verify of the test handler, then frames in both directions. */
static void
client_verify (Client *client)
{
  client_send_str (
      client, "POST /pair-verify HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nstart");
  expect_response (client, 200, "\x06\x01\x04");
  g_assert_cmpuint (client->plain->len, ==, 0);
  client->crypto = hap_session_crypto_new (key_c2a, key_a2c);
}

/* A well-behaved client: plaintext, verification, one encrypted request. */
static void
assert_still_serving (Server *server)
{
  Client *client = client_connect (server);

  client_verify (client);
  client_send_str (client, "GET /echo?still HTTP/1.1\r\nHost: x\r\n\r\n");
  expect_response (client, 200, "");
  hap_test_client_free (client);
}

#define GET_ECHO(tag) "GET /echo?" tag " HTTP/1.1\r\nHost: x\r\n\r\n"
#define PUT_ECHO(len, body) "PUT /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " #len "\r\n\r\n" body

/* ---- tests ---- */

static void
test_plaintext_gate (void)
{
  HapTransportConfig config;
  Server *server;
  Client *client;
  g_autofree gchar *seen = NULL;

  server_config_init (&config);
  server = server_start (&config);
  client = client_connect (server);
  /* Before verification everything but POST /pair-setup and /pair-verify is refused with 470
   * by the transport itself, and the connection stays usable. */
  client_send_str (client, GET_ECHO ("a"));
  expect_response (client, 470, "{\"status\":-70401}");
  client_send_str (client, "GET /pair-setup HTTP/1.1\r\nHost: x\r\n\r\n");
  expect_response (client, 470, "{\"status\":-70401}");
  client_send_str (client, "PUT /characteristics HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}");
  expect_response (client, 470, "{\"status\":-70401}");
  client_send_str (client, "POST /pair-setup HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc");
  expect_response (client, 200, "abc");
  seen = server_take_seen (server);
  g_assert_cmpstr (seen, ==, "POST /pair-setup abc\n");
  hap_test_client_free (client);
  assert_still_serving (server);
  server_stop (server);
}

static void
test_session_and_pipelining (void)
{
  HapTransportConfig config;
  Server *server;
  Client *client;
  HapHttpResponse *event;
  g_autofree gchar *seen = NULL;

  server_config_init (&config);
  server = server_start (&config);
  client = client_connect (server);
  client_verify (client);
  /* Three pipelined requests in one write, answered in order. */
  client_send_str (client, GET_ECHO ("1") PUT_ECHO (3, "two") GET_ECHO ("3"));
  expect_response (client, 200, "");
  expect_response (client, 200, "two");
  expect_response (client, 200, "");
  /* A request split over many frames and writes. */
  {
    const char *req = PUT_ECHO (10, "split body");
    gsize i;
    for (i = 0; req[i] != '\0'; i++)
      hap_test_client_send (client, req + i, 1);
    expect_response (client, 200, "split body");
  }
  /* A response larger than one frame. */
  client_send_str (client, "GET /big?5000 HTTP/1.1\r\n\r\n");
  {
    g_autoptr (HapHttpResponse) response = hap_test_client_read (client);
    assert_response (response, 200, NULL);
    g_assert_cmpuint (g_bytes_get_size (response->body), ==, 5000);
  }
  /* An event queued while handling a request follows its response. */
  client_send_str (client, "GET /event HTTP/1.1\r\n\r\n");
  expect_response (client, 204, NULL);
  event = hap_test_client_read (client);
  g_assert_nonnull (event);
  g_assert_true (event->is_event);
  g_assert_cmpuint (event->status, ==, 200);
  hap_http_response_free (event);
  seen = server_take_seen (server);
  g_assert_cmpstr (seen, ==,
      "POST /pair-verify start\nGET /echo?1 \nPUT /echo two\nGET /echo?3 \nPUT /echo split "
      "body\nGET /big?5000 \nGET /event \n");
  /* After verification plaintext is not accepted: it is not a valid frame. */
  hap_test_client_send_raw (client, GET_ECHO ("plain"), strlen (GET_ECHO ("plain")));
  client_expect_closed (client);
  hap_test_client_free (client);
  assert_still_serving (server);
  server_stop (server);
}

static void
test_tampered_frame (void)
{
  HapTransportConfig config;
  Server *server;
  guint variant;

  server_config_init (&config);
  server = server_start (&config);
  for (variant = 0; variant < 4; variant++) {
    Client *client = client_connect (server);
    g_autoptr (GByteArray) frames = g_byte_array_new ();
    const char *req = PUT_ECHO (8, "secret-1");
    gsize half = strlen (req) / 2;
    g_autofree gchar *seen = NULL;
    gint processed;

    client_verify (client);
    g_free (server_take_seen (server));
    processed = g_atomic_int_get (&server->processed);
    if (variant == 0) {
      /* A whole request in one frame with one ciphertext bit flipped. */
      hap_session_crypto_encrypt_append (
          client->crypto, (const guint8 *) req, strlen (req), frames);
      frames->data[5] ^= 0x01;
    } else if (variant == 1) {
      /* The first half authenticates, the second (tag flipped) completes the request. */
      hap_session_crypto_encrypt_append (client->crypto, (const guint8 *) req, half, frames);
      hap_session_crypto_encrypt_append (
          client->crypto, (const guint8 *) req + half, strlen (req) - half, frames);
      frames->data[frames->len - 1] ^= 0x80;
    } else if (variant == 2) {
      /* A length field over 1024. */
      g_byte_array_append (frames, (const guint8 *) "\x01\x04", 2);
      g_byte_array_set_size (frames, 2 + 1025 + 16);
    } else {
      /* A frame replayed: the counter does not match any more. */
      guint len;
      hap_session_crypto_encrypt_append (
          client->crypto, (const guint8 *) req, strlen (req), frames);
      len = frames->len;
      g_byte_array_set_size (frames, 2 * len);
      memcpy (frames->data + len, frames->data, len);
    }
    hap_test_client_send_raw (client, frames->data, frames->len);
    g_assert_cmpuint (client_expect_closed (client), ==, variant == 3 ? 1 : 0);
    seen = server_take_seen (server);
    g_assert_cmpstr (seen, ==, variant == 3 ? "PUT /echo secret-1\n" : "");
    g_assert_cmpint (g_atomic_int_get (&server->processed), ==, processed + (variant == 3));
    hap_test_client_free (client);
  }
  assert_still_serving (server);
  server_stop (server);
}

typedef struct {
  const char *name;
  const char *head; /* sent first */
  gsize filler;     /* then this many 'a' bytes */
  const char *tail; /* then this */
  guint status;
  gboolean verified; /* over a session */
} BadRequest;

static void
test_bad_requests (void)
{
  static const BadRequest table[] = {
    { "garbage", "\x16\x03\x01\x02\x05\x01\x07\x01\xfc\x03\x03\r\n", 0, "", 400, FALSE },
    { "garbage-verified", "\x01\xff\x01 nonsense\r\n\r\n", 0, "", 400, TRUE },
    { "bare-cr", "GET / HTTP/1.1\rHost: x\r\n\r\n", 0, "", 400, FALSE },
    { "http10", "GET / HTTP/1.0\r\n\r\n", 0, "", 505, FALSE },
    { "long-target", "GET /", 5000, " HTTP/1.1\r\n\r\n", 414, FALSE },
    { "large-headers", "GET / HTTP/1.1\r\nX: ", 9000, "\r\n\r\n", 431, FALSE },
    { "large-headers-verified", "GET / HTTP/1.1\r\nX: ", 9000, "\r\n\r\n", 431, TRUE },
    { "large-body", "POST /pair-setup HTTP/1.1\r\nContent-Length: 70000\r\n\r\n", 100, "", 413,
        FALSE },
    { "large-body-verified", "PUT /echo HTTP/1.1\r\nContent-Length: 1000000\r\n\r\n", 100, "", 413,
        TRUE },
    { "chunked", "POST /pair-setup HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 0, "", 411,
        FALSE },
    { "bad-length", "POST /pair-setup HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 0, "", 400, FALSE },
  };
  HapTransportConfig config;
  Server *server;
  guint i;

  server_config_init (&config);
  server = server_start (&config);
  for (i = 0; i < G_N_ELEMENTS (table); i++) {
    const BadRequest *t = &table[i];
    Client *client = client_connect (server);
    g_autoptr (GString) msg = g_string_new (t->head);
    g_autoptr (HapHttpResponse) response = NULL;
    g_autofree gchar *seen = NULL;

    g_test_message ("%s", t->name);
    if (t->verified)
      client_verify (client);
    g_free (server_take_seen (server));
    while (msg->len < strlen (t->head) + t->filler)
      g_string_append_c (msg, 'a');
    g_string_append (msg, t->tail);
    hap_test_client_send (client, msg->str, msg->len);
    response = hap_test_client_read (client);
    assert_response (response, t->status, NULL);
    g_assert_cmpuint (client_expect_closed (client), ==, 0);
    seen = server_take_seen (server);
    g_assert_cmpstr (seen, ==, "");
    hap_test_client_free (client);
  }
  assert_still_serving (server);
  server_stop (server);
}

static void
test_abrupt_disconnects (void)
{
  static const char *const partial[] = {
    "GET /echo HTT",
    "PUT /echo HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc",
    "POST /pair-setup HTTP/1.1\r\nContent-Len",
  };
  HapTransportConfig config;
  Server *server;
  guint i;

  server_config_init (&config);
  server = server_start (&config);
  for (i = 0; i < G_N_ELEMENTS (partial) * 3; i++) {
    Client *client = client_connect (server);
    gint closed = g_atomic_int_get (&server->closed);

    if (i >= G_N_ELEMENTS (partial))
      client_verify (client);
    if (i >= 2 * G_N_ELEMENTS (partial)) {
      /* Half a frame. */
      g_autoptr (GByteArray) frames = g_byte_array_new ();
      hap_session_crypto_encrypt_append (
          client->crypto, (const guint8 *) partial[i % 3], strlen (partial[i % 3]), frames);
      hap_test_client_send_raw (client, frames->data, frames->len / 2);
    } else {
      client_send_str (client, partial[i % 3]);
    }
    if (i % 2 == 0) {
      /* A reset instead of a FIN. */
      struct linger lg = { 1, 0 };
      setsockopt (g_socket_get_fd (client->socket), SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    }
    hap_test_client_free (client);
    hap_test_wait_int (&server->closed, closed + 1);
  }
  server_assert_seen (server,
      "POST /pair-verify start\nPOST /pair-verify start\nPOST /pair-verify start\n"
      "POST /pair-verify start\nPOST /pair-verify start\nPOST /pair-verify start\n");
  assert_still_serving (server);
  server_stop (server);
}

static void
test_max_connections (void)
{
  HapTransportConfig config;
  Server *server;
  Client *clients[16];
  Client *extra;
  guint i;

  server_config_init (&config);
  server = server_start (&config);
  for (i = 0; i < 16; i++) {
    clients[i] = client_connect (server);
    client_send_str (clients[i], "POST /pair-setup HTTP/1.1\r\nContent-Length: 1\r\n\r\nx");
    expect_response (clients[i], 200, "x");
  }
  /* The 17th is accepted and closed at once, without a byte. */
  extra = client_connect (server);
  g_assert_cmpuint (client_expect_closed (extra), ==, 0);
  hap_test_client_free (extra);
  /* The 16 are still served. */
  for (i = 0; i < 16; i++) {
    client_send_str (clients[i], "POST /pair-setup HTTP/1.1\r\nContent-Length: 1\r\n\r\ny");
    expect_response (clients[i], 200, "y");
  }
  /* One leaves: there is room again. */
  hap_test_client_free (clients[0]);
  hap_test_wait_int (&server->closed, 1);
  clients[0] = client_connect (server);
  client_verify (clients[0]);
  for (i = 0; i < 16; i++)
    hap_test_client_free (clients[i]);
  hap_test_wait_int (&server->closed, 17);
  assert_still_serving (server);
  server_stop (server);
}

/* Holds the server thread inside one dispatch until released, so that the test can make
 * several things happen before the server's loop sees any of them. */
typedef struct {
  GMutex lock;
  GCond cond;
  gboolean held;
  gboolean released;
} Hold;

static gboolean
hold_in_server (gpointer data)
{
  Hold *hold = data;

  g_mutex_lock (&hold->lock);
  hold->held = TRUE;
  g_cond_broadcast (&hold->cond);
  while (!hold->released)
    g_cond_wait (&hold->cond, &hold->lock);
  g_mutex_unlock (&hold->lock);
  return G_SOURCE_REMOVE;
}

static void
hold_server (Server *server, Hold *hold)
{
  memset (hold, 0, sizeof *hold);
  g_mutex_init (&hold->lock);
  g_cond_init (&hold->cond);
  g_main_context_invoke (server->thread.context, hold_in_server, hold);
  g_mutex_lock (&hold->lock);
  while (!hold->held)
    g_cond_wait (&hold->cond, &hold->lock);
  g_mutex_unlock (&hold->lock);
}

static void
release_server (Hold *hold)
{
  g_mutex_lock (&hold->lock);
  hold->released = TRUE;
  g_cond_broadcast (&hold->cond);
  g_mutex_unlock (&hold->lock);
}

static void
hold_clear (Hold *hold)
{
  g_mutex_clear (&hold->lock);
  g_cond_clear (&hold->cond);
}

/* At the limit, a client closes one connection and opens another at once: the server sees the
 * new connection and the close in the same loop iteration (the thread is held while both
 * happen), and must serve the new one rather than refuse it because it has not yet processed
 * the close. A connection with an unread request at that moment is not taken for a gone one. */
typedef struct {
  const char *name;
  gboolean reset; /* the client closes with a reset (SO_LINGER 0) instead of a FIN */
} ReapCase;

static const ReapCase reap_cases[] = {
  { "fin", FALSE },
  { "reset", TRUE },
};

static void
test_max_connections_reap (gconstpointer data)
{
  const ReapCase *tc = data;
  HapTransportConfig config;
  Server *server;
  Client *clients[16];
  Client *next;
  Hold hold;
  guint i;

  server_config_init (&config);
  server = server_start (&config);
  for (i = 0; i < 16; i++) {
    clients[i] = client_connect (server);
    client_verify (clients[i]);
  }
  hold_server (server, &hold);
  if (tc->reset) {
    struct linger lg = { 1, 0 };
    setsockopt (g_socket_get_fd (clients[0]->socket), SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  }
  hap_test_client_free (clients[0]);
  client_send_str (clients[1], GET_ECHO ("pending"));
  next = client_connect (server);
  release_server (&hold);

  /* Served, not refused: the handshake and a request on the new connection. */
  client_verify (next);
  client_send_str (next, GET_ECHO ("next"));
  expect_response (next, 200, "");
  hap_test_wait_int (&server->closed, 1);
  g_assert_cmpint (g_atomic_int_get (&server->closed), ==, 1);
  expect_response (clients[1], 200, "");
  g_assert_cmpuint (clients[1]->plain->len, ==, 0);
  clients[0] = next;
  for (i = 0; i < 16; i++) {
    client_send_str (clients[i], GET_ECHO ("again"));
    expect_response (clients[i], 200, "");
  }
  for (i = 0; i < 16; i++)
    hap_test_client_free (clients[i]);
  hap_test_wait_int (&server->closed, 17);
  hold_clear (&hold);
  assert_still_serving (server);
  server_stop (server);
}

static void
test_idle_timeout (void)
{
  HapTransportConfig config;
  Server *server;
  Client *idle;
  Client *busy;
  gint64 start;
  guint i;

  server_config_init (&config);
  config.connection.idle_timeout_ms = 300;
  server = server_start (&config);
  idle = client_connect (server);
  busy = client_connect (server);
  client_verify (busy);
  start = g_get_monotonic_time ();
  /* The busy client talks every 100 ms for 900 ms and stays connected. */
  for (i = 0; i < 9; i++) {
    g_usleep (100 * 1000);
    client_send_str (busy, GET_ECHO ("busy"));
    expect_response (busy, 200, "");
  }
  g_assert_cmpuint (client_expect_closed (idle), ==, 0);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_USEC_PER_SEC);
  hap_test_client_free (idle);
  /* Then it falls silent and is closed too. */
  g_assert_cmpuint (client_expect_closed (busy), ==, 0);
  hap_test_client_free (busy);
  assert_still_serving (server);
  server_stop (server);
}

static void
test_slow_reader (void)
{
  HapTransportConfig config;
  Server *server;
  Client *stuck;
  Client *good;
  gint closed;
  gint rcvbuf = 4096;
  guint i;

  server_config_init (&config);
  config.connection.max_output_queue = 256 * 1024;
  server = server_start (&config);
  stuck = client_connect (server);
  setsockopt (g_socket_get_fd (stuck->socket), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  client_verify (stuck);
  good = client_connect (server);
  client_verify (good);
  closed = g_atomic_int_get (&server->closed);
  /* The stuck client asks for 100 x 60000 bytes and reads none of them. */
  for (i = 0; i < 100; i++) {
    g_autoptr (GError) error = NULL;
    g_autoptr (GByteArray) frames = g_byte_array_new ();
    const char *req = "GET /big?60000 HTTP/1.1\r\n\r\n";
    hap_session_crypto_encrypt_append (stuck->crypto, (const guint8 *) req, strlen (req), frames);
    if (g_socket_send (stuck->socket, (const gchar *) frames->data, frames->len, NULL, &error) < 0)
      break; /* already dropped */
    /* Meanwhile the other client is served at once. */
    client_send_str (good, GET_ECHO ("good"));
    expect_response (good, 200, "");
  }
  /* The stuck client was dropped when its queue passed the bound. */
  hap_test_wait_int (&server->closed, closed + 1);
  g_assert_cmpint (g_atomic_int_get (&server->closed), ==, closed + 1);
  client_send_str (good, GET_ECHO ("after"));
  expect_response (good, 200, "");
  hap_test_client_free (stuck);
  hap_test_client_free (good);
  assert_still_serving (server);
  server_stop (server);
}

static void
test_close_after_response (void)
{
  HapTransportConfig config;
  Server *server;
  Client *client;

  server_config_init (&config);
  server = server_start (&config);
  client = client_connect (server);
  client_verify (client);
  /* The response before the close arrives whole; the pipelined request after it is not
   * handled. */
  client_send_str (client, "GET /bye HTTP/1.1\r\n\r\n" GET_ECHO ("late"));
  expect_response (client, 204, NULL);
  g_assert_cmpuint (client_expect_closed (client), ==, 0);
  hap_test_client_free (client);
  server_assert_seen (server, "POST /pair-verify start\nGET /bye \n");
  assert_still_serving (server);
  server_stop (server);
}

static void
test_ipv6_and_any (void)
{
  HapTransportConfig config;
  Server *server;
  Client *client;

  /* ::1 explicitly (skipped when the machine has no IPv6 loopback). */
  {
    g_autoptr (GSocket) probe
        = g_socket_new (G_SOCKET_FAMILY_IPV6, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
    g_autoptr (GInetAddress) lo6 = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV6);
    g_autoptr (GSocketAddress) sa = g_inet_socket_address_new (lo6, 0);
    if (probe == NULL || !g_socket_bind (probe, sa, TRUE, NULL)) {
      g_test_skip ("no IPv6 loopback");
      return;
    }
  }
  server_config_init (&config);
  config.bind_address = "::1";
  server = server_start (&config);
  client = hap_test_client_connect ("::1", server->port, 0);
  client_verify (client);
  hap_test_client_free (client);
  server_stop (server);

  /* Every address: reachable over 127.0.0.1 and ::1 on the same port. Only loopback clients
   * connect; the listening socket is closed at the end of the test. */
  server_config_init (&config);
  config.bind_address = NULL;
  server = server_start (&config);
  client = hap_test_client_connect ("127.0.0.1", server->port, 0);
  client_verify (client);
  hap_test_client_free (client);
  client = hap_test_client_connect ("::1", server->port, 0);
  client_verify (client);
  hap_test_client_free (client);
  server_stop (server);
}

static void
test_bad_bind_address (void)
{
  HapTransportConfig config;
  g_autoptr (HapTransport) transport = NULL;
  g_autoptr (HapTransport) second = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GMainContext) context = g_main_context_new ();

  server_config_init (&config);
  config.bind_address = "not-an-address";
  transport = hap_transport_new (&config, context, &test_handler, NULL);
  g_assert_false (hap_transport_start (transport, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpuint (hap_transport_get_port (transport), ==, 0);
  g_clear_pointer (&transport, hap_transport_free);
  g_clear_error (&error);

  /* A port in use. */
  config.bind_address = "127.0.0.1";
  transport = hap_transport_new (&config, context, &test_handler, NULL);
  g_assert_true (hap_transport_start (transport, &error));
  config.port = hap_transport_get_port (transport);
  second = hap_transport_new (&config, context, &test_handler, NULL);
  g_assert_false (hap_transport_start (second, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
}

int
main (int argc, char **argv)
{
  guint i;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/transport/plaintext-gate", test_plaintext_gate);
  g_test_add_func ("/transport/session-and-pipelining", test_session_and_pipelining);
  g_test_add_func ("/transport/tampered-frame", test_tampered_frame);
  g_test_add_func ("/transport/bad-requests", test_bad_requests);
  g_test_add_func ("/transport/abrupt-disconnects", test_abrupt_disconnects);
  g_test_add_func ("/transport/max-connections", test_max_connections);
  for (i = 0; i < G_N_ELEMENTS (reap_cases); i++) {
    g_autofree gchar *name
        = g_strdup_printf ("/transport/max-connections/reap-gone-peer/%s", reap_cases[i].name);
    g_test_add_data_func (name, &reap_cases[i], test_max_connections_reap);
  }
  g_test_add_func ("/transport/idle-timeout", test_idle_timeout);
  g_test_add_func ("/transport/slow-reader", test_slow_reader);
  g_test_add_func ("/transport/close-after-response", test_close_after_response);
  g_test_add_func ("/transport/ipv6-and-any", test_ipv6_and_any);
  g_test_add_func ("/transport/bad-bind-address", test_bad_bind_address);
  return g_test_run ();
}
