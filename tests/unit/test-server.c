/* Tests of hap/server.c and hap/server-routes.c: the whole accessory server over real sockets
 * on 127.0.0.1, driven by the controller-side state machines (hap/pair-setup-client.h,
 * hap/pair-verify-client.h) and a blocking test client with its own HTTP parser and session
 * crypto. The server runs in its own thread on its own GMainContext.
 *
 * Expected values: the HAP rules of PROTOCOL.md section 1 (470 with {"status":-70401} before
 * verification, /identify only while unpaired, kTLVError_Authentication (2) for a wrong setup
 * code, removing the last admin resets to unpaired), and what the test itself wrote.
 */
#include <string.h>
#include <sys/socket.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <sodium.h>

#include "hap/pair-verify-client.h"
#include "hap/pairing-tlv.h"
#include "hap/server.h"
#include "tests/common/test-light-db.h"
#include "tests/common/test-pair-client.h"
#include "tests/common/test-server-util.h"
#include "tests/common/test-util.h"
#define SETUP_CODE "031-45-154"

/* Admin-only (aid 1, iid 6): reads and writes by other controllers get -70401. */
static const HapCharacteristicDef admin_def = {
  .type = HAP_CHAR_CONFIGURED_NAME,
  .format = HAP_FORMAT_STRING,
  .perms = HAP_PERM_PR | HAP_PERM_PW,
  .flags = HAP_CHAR_FLAG_ADMIN_READ | HAP_CHAR_FLAG_ADMIN_WRITE,
};

/* ---- the server thread ---- */

typedef struct {
  gchar *dir;
  HapServerConfig config;
  HapTestThread thread;
  HapServer *server;
  HapCharacteristic *on;
  GMutex lock;
  GCond cond;
  guint16 port;
  gchar *setup_code_seen; /* from "setup-info" */
  gchar *payload_seen;
  gint setup_infos;
  gint paired_changes;
  gint paired; /* last "paired-changed" value */
  gint identifies;
  /* POST /resource: hap_server_lookup_session() of the requesting session */
  gint lookups;
  gboolean lookup_found;
  gchar *lookup_controller_id;
  guint8 lookup_secret[HAP_CONNECTION_SHARED_SECRET_LEN];
  gboolean lookup_foreign_found; /* for a session of no connection */
} Server;

static void
on_setup_info (HapServer *hs, const char *code, const char *payload, const char *qr, Server *s)
{
  g_mutex_lock (&s->lock);
  g_free (s->setup_code_seen);
  g_free (s->payload_seen);
  s->setup_code_seen = g_strdup (code);
  s->payload_seen = g_strdup (payload);
  g_mutex_unlock (&s->lock);
  g_assert_nonnull (qr);
  g_atomic_int_inc (&s->setup_infos);
}

static void
on_paired_changed (HapServer *hs, gboolean paired, Server *s)
{
  g_atomic_int_set (&s->paired, paired);
  g_atomic_int_inc (&s->paired_changes);
}

static void
on_identify (HapServer *hs, Server *s)
{
  g_atomic_int_inc (&s->identifies);
}

static guint
on_resource (HapServer *hs, HapDbSession *session, const guint8 *json, gsize len, GBytes **body,
    const char **content_type, gpointer user_data)
{
  Server *s = user_data;
  g_autofree gchar *id = NULL;
  guint8 secret[HAP_CONNECTION_SHARED_SECRET_LEN];
  HapDbSession *foreign = hap_db_session_new (hap_server_get_db (hs), "foreign", TRUE);
  gboolean found;
  gboolean foreign_found;

  memset (secret, 0, sizeof secret);
  found = hap_server_lookup_session (hs, session, &id, secret);
  foreign_found = hap_server_lookup_session (hs, foreign, NULL, NULL);
  hap_db_session_free (foreign);
  g_mutex_lock (&s->lock);
  s->lookup_found = found;
  g_free (s->lookup_controller_id);
  s->lookup_controller_id = g_steal_pointer (&id);
  memcpy (s->lookup_secret, secret, sizeof secret);
  s->lookup_foreign_found = foreign_found;
  g_mutex_unlock (&s->lock);
  g_atomic_int_inc (&s->lookups);
  *body = NULL;
  *content_type = NULL;
  return 204;
}

static guint16
server_serve (gpointer data)
{
  Server *s = data;
  g_autoptr (GError) error = NULL;
  HapAccessoryDb *db;
  HapAccessory *acc;
  HapService *info;
  HapService *light;

  s->server = hap_server_new (&s->config);
  g_signal_connect (s->server, "setup-info", G_CALLBACK (on_setup_info), s);
  g_signal_connect (s->server, "paired-changed", G_CALLBACK (on_paired_changed), s);
  g_signal_connect (s->server, "identify", G_CALLBACK (on_identify), s);
  hap_server_set_resource_func (s->server, on_resource, s, NULL);
  db = hap_server_get_db (s->server);
  acc = hap_db_add_accessory (db, 1);
  info = hap_accessory_add_service (acc, HAP_SERVICE_ACCESSORY_INFORMATION, 0);
  hap_db_set_value_string (db, hap_service_add_characteristic (info, &name_def), "Test");
  hap_service_add_characteristic (info, &identify_def);
  light = hap_accessory_add_service (acc, HAP_SERVICE_LIGHTBULB, HAP_SERVICE_FLAG_PRIMARY);
  s->on = hap_service_add_characteristic (light, &on_def);
  hap_db_set_value_bool (db, s->on, FALSE);
  hap_service_add_characteristic (light, &admin_def);
  hap_server_start (s->server, &error);
  g_assert_no_error (error);
  return hap_server_get_port (s->server);
}

static void
server_unserve (gpointer data)
{
  Server *s = data;

  hap_server_stop (s->server);
  g_clear_object (&s->server);
}

static void
server_start (Server *s)
{
  s->port = hap_test_thread_start (&s->thread, server_serve, server_unserve, s);
}

static Server *
server_new (void)
{
  Server *s = g_new0 (Server, 1);
  g_autoptr (GError) error = NULL;

  g_mutex_init (&s->lock);
  g_cond_init (&s->cond);
  s->dir = g_dir_make_tmp ("test-server-XXXXXX", &error);
  g_assert_no_error (error);
  hap_server_config_init (&s->config);
  s->config.bind_address = "127.0.0.1";
  s->config.storage_dir = s->dir;
  s->config.setup_code = SETUP_CODE;
  return s;
}

static void
server_halt (Server *s)
{
  hap_test_thread_stop (&s->thread);
}

static void
server_free (Server *s)
{
  hap_test_remove_dir (s->dir);
  g_free (s->dir);
  g_free (s->setup_code_seen);
  g_free (s->payload_seen);
  g_free (s->lookup_controller_id);
  g_mutex_clear (&s->lock);
  g_cond_clear (&s->cond);
  g_free (s);
}

typedef struct {
  Server *s;
  gint n;
} CountCall;

static gboolean
count_in_server (gpointer data)
{
  CountCall *call = data;

  g_mutex_lock (&call->s->lock);
  call->n = (gint) hap_server_get_n_connections (call->s->server);
  g_cond_signal (&call->s->cond);
  g_mutex_unlock (&call->s->lock);
  return G_SOURCE_REMOVE;
}

/* The server's open connections, asked in its own thread. */
static gint
server_count_connections (Server *s)
{
  CountCall call = { s, -1 };

  g_mutex_lock (&s->lock);
  g_main_context_invoke (s->thread.context, count_in_server, &call);
  while (call.n < 0)
    g_cond_wait (&s->cond, &s->lock);
  g_mutex_unlock (&s->lock);
  return call.n;
}

/* ---- client ---- */

typedef HapTestClient Client;

/* `rcvbuf` > 0: a small receive buffer, set before connecting. */
static Client *
client_connect_with_rcvbuf (Server *s, gint rcvbuf)
{
  return hap_test_client_connect ("127.0.0.1", s->port, rcvbuf);
}

static Client *
client_connect (Server *s)
{
  return client_connect_with_rcvbuf (s, 0);
}

static void
client_put_json (Client *c, const char *json)
{
  hap_test_client_request (
      c, "PUT", "/characteristics", "application/hap+json", json, strlen (json));
}

static void
client_expect_body (Client *c, guint status, const char *body)
{
  g_autoptr (GBytes) got = hap_test_client_expect (c, status);

  g_assert_cmpmem (g_bytes_get_data (got, NULL), g_bytes_get_size (got), body, strlen (body));
}

static void
client_expect_closed (Client *c)
{
  HapHttpResponse *response;

  while ((response = hap_test_client_read (c)) != NULL)
    hap_http_response_free (response);
}

static gboolean
client_pair_verify (Client *c, const HapControllerPairing *pairing, GError **error)
{
  return hap_test_client_pair_verify (c, pairing, NULL, error);
}

static Client *
client_verified (Server *s, const HapControllerPairing *pairing)
{
  Client *c = client_connect (s);
  g_autoptr (GError) error = NULL;

  g_assert_true (client_pair_verify (c, pairing, &error));
  g_assert_no_error (error);
  return c;
}

static gboolean
body_contains (GBytes *body, const char *needle)
{
  g_autofree gchar *text = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));

  return strstr (text, needle) != NULL;
}

/* /pairings request bodies (TLV8: State=1, Method, Identifier[, PublicKey, Permissions]). */
static GBytes *
pairings_body (guint8 method, const char *id, const guint8 *ltpk, guint8 permissions)
{
  GByteArray *b = g_byte_array_new ();
  guint8 head[] = { 0x06, 0x01, 0x01, 0x00, 0x01, method };
  guint8 t[2] = { 0x01, (guint8) (id != NULL ? strlen (id) : 0) };

  g_byte_array_append (b, head, sizeof head);
  if (id != NULL) {
    g_byte_array_append (b, t, 2);
    g_byte_array_append (b, (const guint8 *) id, strlen (id));
  }
  if (ltpk != NULL) {
    guint8 k[2] = { 0x03, 32 };
    guint8 p[3] = { 0x0b, 0x01, permissions };
    g_byte_array_append (b, k, 2);
    g_byte_array_append (b, ltpk, 32);
    g_byte_array_append (b, p, 3);
  }
  return g_byte_array_free_to_bytes (b);
}

static gboolean
set_on_true (gpointer data)
{
  Server *s = data;

  hap_db_set_value_bool (hap_server_get_db (s->server), s->on, TRUE);
  return G_SOURCE_REMOVE;
}

/* ---- tests ---- */

static void
test_pair_and_use (void)
{
  Server *s = server_new ();
  Client *c;
  Client *c2;
  g_autoptr (GError) error = NULL;
  g_autofree HapControllerPairing *pairing = NULL;
  g_autofree HapControllerPairing *wrong = NULL;
  g_autoptr (GBytes) body = NULL;
  g_autofree gchar *device_id = NULL;

  server_start (s);
  hap_test_wait_int (&s->setup_infos, 1);
  g_assert_cmpstr (s->setup_code_seen, ==, SETUP_CODE);
  g_assert_true (g_str_has_prefix (s->payload_seen, "X-HM://"));

  c = client_connect (s);
  /* Unpaired and unverified: only pairing (and /identify) is served. */
  hap_test_client_request (c, "GET", "/accessories", NULL, NULL, 0);
  client_expect_body (c, 470, "{\"status\":-70401}");
  hap_test_client_request (c, "POST", "/identify", NULL, NULL, 0);
  g_clear_pointer (&body, g_bytes_unref);
  body = hap_test_client_expect (c, 204);
  hap_test_wait_int (&s->identifies, 1);

  /* A wrong setup code fails with kTLVError_Authentication, cleanly. */
  wrong = hap_test_client_pair_setup (c, "111-22-333", "wrong-controller", &error);
  g_assert_null (wrong);
  g_assert_error (error, HAP_PAIRING_ERROR, HAP_PAIRING_ERROR_AUTHENTICATION);
  g_clear_error (&error);
  g_assert_cmpint (g_atomic_int_get (&s->paired_changes), ==, 0);

  pairing = hap_test_client_pair_setup (c, SETUP_CODE, "controller-1", &error);
  g_assert_no_error (error);
  g_assert_nonnull (pairing);
  hap_test_wait_int (&s->paired_changes, 1);
  g_assert_cmpint (g_atomic_int_get (&s->paired), ==, 1);
  hap_test_client_free (c);

  /* Paired: unverified requests get 470, /identify 400 with -70401. */
  c = client_connect (s);
  hap_test_client_request (c, "GET", "/characteristics?id=1.2", NULL, NULL, 0);
  client_expect_body (c, 470, "{\"status\":-70401}");
  hap_test_client_request (c, "POST", "/identify", NULL, NULL, 0);
  client_expect_body (c, 400, "{\"status\":-70401}");
  g_assert_true (client_pair_verify (c, pairing, &error));
  g_assert_no_error (error);
  hap_test_client_request (c, "GET", "/accessories", NULL, NULL, 0);
  g_clear_pointer (&body, g_bytes_unref);
  body = hap_test_client_expect (c, 200);
  g_assert_true (body_contains (body, "\"accessories\""));
  hap_test_client_request (c, "GET", "/nowhere", NULL, NULL, 0);
  g_clear_pointer (&body, g_bytes_unref);
  body = hap_test_client_expect (c, 404);

  /* Events: c subscribes to On (aid 1, iid 5: info=1, name=2, identify=3, light=4, on=5), c2
   * writes it, c gets the event, c2 does not. */
  client_put_json (c, "{\"characteristics\":[{\"aid\":1,\"iid\":5,\"ev\":true}]}");
  g_clear_pointer (&body, g_bytes_unref);
  body = hap_test_client_expect (c, 204);
  c2 = client_verified (s, pairing);
  client_put_json (c2, "{\"characteristics\":[{\"aid\":1,\"iid\":5,\"value\":true}]}");
  g_clear_pointer (&body, g_bytes_unref);
  body = hap_test_client_expect (c2, 204);
  {
    g_autoptr (HapHttpResponse) event = hap_test_client_read (c);
    g_assert_nonnull (event);
    g_assert_true (event->is_event);
    g_assert_true (body_contains (event->body, "\"iid\":5"));
    g_assert_true (body_contains (event->body, "true"));
  }
  /* A value set by the owner reaches the subscriber too. */
  client_put_json (c2, "{\"characteristics\":[{\"aid\":1,\"iid\":5,\"value\":false}]}");
  g_clear_pointer (&body, g_bytes_unref);
  body = hap_test_client_expect (c2, 204);
  {
    g_autoptr (HapHttpResponse) event = hap_test_client_read (c);
    g_assert_true (event != NULL && event->is_event);
  }
  g_main_context_invoke (s->thread.context, set_on_true, s);
  {
    g_autoptr (HapHttpResponse) event = hap_test_client_read (c);
    g_assert_true (event != NULL && event->is_event);
    g_assert_true (body_contains (event->body, "true"));
  }

  /* A tampered frame closes the connection and the write in it is not applied. */
  {
    g_autoptr (GByteArray) msg = g_byte_array_new ();
    g_autoptr (GByteArray) frames = g_byte_array_new ();
    const char *json = "{\"characteristics\":[{\"aid\":1,\"iid\":5,\"value\":false}]}";
    hap_http_write_request (
        msg, "PUT", "/characteristics", NULL, (const guint8 *) json, strlen (json));
    hap_session_crypto_encrypt_append (c2->crypto, msg->data, msg->len, frames);
    frames->data[10] ^= 0x20;
    hap_test_client_send_raw (c2, frames->data, frames->len);
    client_expect_closed (c2);
    hap_test_client_free (c2);
  }
  hap_test_client_request (c, "GET", "/characteristics?id=1.5", NULL, NULL, 0);
  g_clear_pointer (&body, g_bytes_unref);
  body = hap_test_client_expect (c, 200);
  g_assert_true (body_contains (body, "\"value\":true"));

  /* Restart on the same storage: same device id, still paired, same controller verifies. */
  hap_test_client_free (c);
  device_id = g_strdup (pairing->accessory_id);
  server_halt (s);
  s->config.setup_code = NULL; /* the stored one */
  server_start (s);
  c = client_verified (s, pairing);
  hap_test_client_request (c, "GET", "/accessories", NULL, NULL, 0);
  g_clear_pointer (&body, g_bytes_unref);
  body = hap_test_client_expect (c, 200);

  /* A second (user) controller, then the admin removes itself: last admin gone -> unpaired,
   * every session closed, a new setup-info. */
  {
    g_autoptr (GBytes) add = pairings_body (3, "controller-2", pairing->controller_ltpk, 0);
    gint infos = g_atomic_int_get (&s->setup_infos);
    gint changes = g_atomic_int_get (&s->paired_changes);
    g_autoptr (GBytes) remove = pairings_body (4, "controller-1", NULL, 0);

    hap_test_client_request (c, "POST", "/pairings", "application/pairing+tlv8",
        g_bytes_get_data (add, NULL), g_bytes_get_size (add));
    g_clear_pointer (&body, g_bytes_unref);
    body = hap_test_client_expect (c, 200);
    hap_test_client_request (c, "POST", "/pairings", "application/pairing+tlv8",
        g_bytes_get_data (remove, NULL), g_bytes_get_size (remove));
    g_clear_pointer (&body, g_bytes_unref);
    body = hap_test_client_expect (c, 200);
    client_expect_closed (c);
    hap_test_wait_int (&s->paired_changes, changes + 1);
    g_assert_cmpint (g_atomic_int_get (&s->paired), ==, 0);
    hap_test_wait_int (&s->setup_infos, infos + 1);
  }
  hap_test_client_free (c);
  /* Unpaired again: the old pairing no longer verifies, a new pair-setup works. */
  c = client_connect (s);
  g_assert_false (client_pair_verify (c, pairing, &error));
  g_clear_error (&error);
  hap_test_client_free (c);
  c = client_connect (s);
  g_free (wrong);
  wrong = hap_test_client_pair_setup (c, SETUP_CODE, "controller-3", &error);
  g_assert_no_error (error);
  g_assert_nonnull (wrong);
  hap_test_client_free (c);
  server_halt (s);
  server_free (s);
}

/* Misbehaving peers of a paired accessory; after each one a well-behaved controller is still
 * served. */
static void
test_negative (void)
{
  Server *s = server_new ();
  g_autoptr (GError) error = NULL;
  g_autofree HapControllerPairing *pairing = NULL;
  g_autoptr (GBytes) body = NULL;
  Client *c;
  Client *many[16];
  guint i;

  s->config.idle_timeout_ms = 3000;
  s->config.max_output_queue = 64 * 1024;
  server_start (s);
  c = client_connect (s);
  pairing = hap_test_client_pair_setup (c, SETUP_CODE, "controller-1", &error);
  g_assert_no_error (error);
  hap_test_client_free (c);

  /* Garbage: 400, closed. */
  c = client_connect (s);
  hap_test_client_send_raw (c, "\x16\x03\x01\x02\x00garbage\r\n\r\n", 16);
  g_clear_pointer (&body, g_bytes_unref);
  body = hap_test_client_expect (c, 400);
  client_expect_closed (c);
  hap_test_client_free (c);

  /* An oversized request inside the session: 413, closed. */
  c = client_verified (s, pairing);
  {
    g_autoptr (GByteArray) frames = g_byte_array_new ();
    const char *head = "PUT /characteristics HTTP/1.1\r\nContent-Length: 5000000\r\n\r\n{";
    hap_session_crypto_encrypt_append (c->crypto, (const guint8 *) head, strlen (head), frames);
    hap_test_client_send_raw (c, frames->data, frames->len);
  }
  g_clear_pointer (&body, g_bytes_unref);
  body = hap_test_client_expect (c, 413);
  client_expect_closed (c);
  hap_test_client_free (c);

  /* A frame over 1024 bytes: closed without an answer. */
  c = client_verified (s, pairing);
  hap_test_client_send_raw (c, "\xff\xff", 2);
  client_expect_closed (c);
  hap_test_client_free (c);

  /* Abrupt disconnects: in the middle of pair-verify, of a frame, of a request. */
  {
    g_autoptr (HapPairVerifyClient) verify = hap_pair_verify_client_new (pairing);
    g_autoptr (GBytes) m1 = hap_pair_verify_client_start (verify);
    c = client_connect (s);
    hap_test_client_request (c, "POST", "/pair-verify", "application/pairing+tlv8",
        g_bytes_get_data (m1, NULL), g_bytes_get_size (m1));
    hap_test_client_free (c);
  }
  c = client_verified (s, pairing);
  hap_test_client_send_raw (c,
      "\x20\x00"
      "abc",
      5);
  hap_test_client_free (c);
  c = client_connect (s);
  {
    const char *partial = "POST /pair-setup HTTP/1.1\r\nContent-Length: 100\r\n\r\nabc";
    hap_test_client_send_raw (c, partial, strlen (partial));
  }
  hap_test_client_free (c);

  /* 16 connections are served, the 17th is closed at once. */
  for (i = 0; i < 16; i++)
    many[i] = client_verified (s, pairing);
  c = client_connect (s);
  client_expect_closed (c);
  hap_test_client_free (c);
  for (i = 0; i < 16; i++)
    hap_test_client_free (many[i]);
  {
    /* Their closes reach the server before the next client connects. */
    gint64 end = g_get_monotonic_time () + HAP_TEST_TIMEOUT_S * G_USEC_PER_SEC;
    while (server_count_connections (s) > 0 && g_get_monotonic_time () < end)
      g_usleep (5 * 1000);
  }

  /* A client that pipelines many requests and reads nothing is dropped when its queue passes
   * the bound (20000 answers are far more than the socket buffers hold). */
  c = client_connect_with_rcvbuf (s, 4096);
  g_assert_true (client_pair_verify (c, pairing, &error));
  {
    g_autoptr (GByteArray) msgs = g_byte_array_new ();
    g_autoptr (GByteArray) frames = g_byte_array_new ();
    gsize off = 0;
    gint64 end = g_get_monotonic_time () + HAP_TEST_TIMEOUT_S * G_USEC_PER_SEC;
    for (i = 0; i < 20000; i++)
      hap_http_write_request (msgs, "GET", "/accessories", NULL, NULL, 0);
    hap_session_crypto_encrypt_append (c->crypto, msgs->data, msgs->len, frames);
    while (off < frames->len) {
      gssize n = g_socket_send (
          c->socket, (const gchar *) frames->data + off, frames->len - off, NULL, NULL);
      if (n <= 0)
        break; /* dropped while we were still sending */
      off += (gsize) n;
    }
    while (server_count_connections (s) > 0 && g_get_monotonic_time () < end)
      g_usleep (10 * 1000);
    g_assert_cmpuint (server_count_connections (s), ==, 0);
    /* Dropped for its queue, well before the idle timeout could close it. */
    g_assert_cmpint (
        g_get_monotonic_time () - (end - HAP_TEST_TIMEOUT_S * G_USEC_PER_SEC), <, 2500 * 1000);
  }
  hap_test_client_free (c);

  /* Idle connections are closed. */
  c = client_verified (s, pairing);
  g_usleep (3500 * 1000);
  client_expect_closed (c);
  hap_test_client_free (c);

  /* Through all of it: a well-behaved controller is served. */
  c = client_verified (s, pairing);
  hap_test_client_request (c, "GET", "/accessories", NULL, NULL, 0);
  g_clear_pointer (&body, g_bytes_unref);
  body = hap_test_client_expect (c, 200);
  g_assert_true (body_contains (body, "\"accessories\""));
  hap_test_client_free (c);
  server_halt (s);
  server_free (s);
}

/* A second controller of the accessory `admin` is paired with (its own key pair). */
static HapControllerPairing *
controller_new (const HapControllerPairing *admin, const char *id)
{
  HapControllerPairing *p = g_new0 (HapControllerPairing, 1);

  g_strlcpy (p->controller_id, id, sizeof p->controller_id);
  crypto_sign_keypair (p->controller_ltpk, p->controller_ltsk);
  g_strlcpy (p->accessory_id, admin->accessory_id, sizeof p->accessory_id);
  memcpy (p->accessory_ltpk, admin->accessory_ltpk, sizeof p->accessory_ltpk);
  return p;
}

/* POST /pairings with `request` (consumed); returns the 200 response body. */
static GBytes *
client_pairings (Client *c, GBytes *request)
{
  GBytes *body;

  hap_test_client_request (c, "POST", "/pairings", "application/pairing+tlv8",
      g_bytes_get_data (request, NULL), g_bytes_get_size (request));
  g_bytes_unref (request);
  body = hap_test_client_expect (c, 200);
  return body;
}

static void
expect_tlv (GBytes *body, const char *hex)
{
  g_autoptr (GBytes) want = hap_test_hex (hex);

  g_assert_true (g_bytes_equal (body, want));
}

/* Writes the admin-only characteristic (iid 6) and expects `status` (0: 204). */
static void
client_write_admin (Client *c, const char *value, gint status)
{
  g_autofree gchar *json
      = g_strdup_printf ("{\"characteristics\":[{\"aid\":1,\"iid\":6,\"value\":\"%s\"}]}", value);
  g_autoptr (GBytes) body = NULL;

  client_put_json (c, json);
  if (status == 0) {
    body = hap_test_client_expect (c, 204);
  } else {
    g_autofree gchar *want
        = g_strdup_printf ("{\"characteristics\":[{\"aid\":1,\"iid\":6,\"status\":%d}]}", status);
    client_expect_body (c, 207, want);
  }
}

/* Admin rights follow the current pairings, not what they were when the session was verified:
 * lowered permissions refuse the next admin-only operation of the living session (-70401 for
 * admin-only characteristics, kTLVError_Authentication for /pairings), raised ones allow it,
 * and a removed pairing closes the session before any other operation. */
static void
test_admin_follows_pairings (void)
{
  Server *s = server_new ();
  g_autoptr (GError) error = NULL;
  g_autofree HapControllerPairing *admin = NULL;
  g_autofree HapControllerPairing *second = NULL;
  g_autoptr (GBytes) body = NULL;
  Client *c1;
  Client *c2;

  server_start (s);
  c1 = client_connect (s);
  admin = hap_test_client_pair_setup (c1, SETUP_CODE, "controller-1", &error);
  g_assert_no_error (error);
  hap_test_client_free (c1);
  c1 = client_verified (s, admin);
  second = controller_new (admin, "controller-2");

  /* controller-2 is added as an admin and verifies. */
  body = client_pairings (c1, pairings_body (3, "controller-2", second->controller_ltpk, 1));
  expect_tlv (body, "06 01 02");
  c2 = client_verified (s, second);
  client_write_admin (c2, "by-2", 0);
  hap_test_client_request (c2, "GET", "/characteristics?id=1.6", NULL, NULL, 0);
  client_expect_body (c2, 200, "{\"characteristics\":[{\"aid\":1,\"iid\":6,\"value\":\"by-2\"}]}");
  g_clear_pointer (&body, g_bytes_unref);
  body = client_pairings (c2, pairings_body (5, NULL, NULL, 0));
  g_assert_cmpuint (g_bytes_get_size (body), >, 3); /* the list */

  /* controller-1 lowers controller-2 to a user while c2's session lives. */
  g_clear_pointer (&body, g_bytes_unref);
  body = client_pairings (c1, pairings_body (3, "controller-2", second->controller_ltpk, 0));
  expect_tlv (body, "06 01 02");
  client_write_admin (c2, "by-2-again", -70401);
  hap_test_client_request (c2, "GET", "/characteristics?id=1.6", NULL, NULL, 0);
  client_expect_body (c2, 207, "{\"characteristics\":[{\"aid\":1,\"iid\":6,\"status\":-70401}]}");
  g_clear_pointer (&body, g_bytes_unref);
  body = client_pairings (c2, pairings_body (5, NULL, NULL, 0));
  expect_tlv (body, "06 01 02 07 01 02"); /* kTLVError_Authentication */
  g_clear_pointer (&body, g_bytes_unref);
  body = client_pairings (c2, pairings_body (4, "controller-1", NULL, 0));
  expect_tlv (body, "06 01 02 07 01 02");
  /* Everything else is still served. */
  client_put_json (c2, "{\"characteristics\":[{\"aid\":1,\"iid\":5,\"value\":true}]}");
  g_clear_pointer (&body, g_bytes_unref);
  body = hap_test_client_expect (c2, 204);
  /* The admin's session is unaffected; the refused write was not applied. */
  hap_test_client_request (c1, "GET", "/characteristics?id=1.6", NULL, NULL, 0);
  client_expect_body (c1, 200, "{\"characteristics\":[{\"aid\":1,\"iid\":6,\"value\":\"by-2\"}]}");

  /* Raised again: allowed again, in the same session. */
  g_clear_pointer (&body, g_bytes_unref);
  body = client_pairings (c1, pairings_body (3, "controller-2", second->controller_ltpk, 1));
  expect_tlv (body, "06 01 02");
  client_write_admin (c2, "by-2-admin", 0);

  /* Removed: its session is closed; a write sent after the removal is not applied. */
  g_clear_pointer (&body, g_bytes_unref);
  body = client_pairings (c1, pairings_body (4, "controller-2", NULL, 0));
  expect_tlv (body, "06 01 02");
  client_put_json (c2, "{\"characteristics\":[{\"aid\":1,\"iid\":6,\"value\":\"removed\"}]}");
  client_expect_closed (c2);
  hap_test_client_free (c2);
  hap_test_client_request (c1, "GET", "/characteristics?id=1.6", NULL, NULL, 0);
  client_expect_body (
      c1, 200, "{\"characteristics\":[{\"aid\":1,\"iid\":6,\"value\":\"by-2-admin\"}]}");
  hap_test_client_free (c1);
  server_halt (s);
  server_free (s);
}

/* hap_server_lookup_session(): the controller id and pair-verify shared secret of the
 * connection a session belongs to (two sessions of the same controller each get their own),
 * FALSE for a session of no connection. */
static void
test_lookup_session (void)
{
  Server *s = server_new ();
  g_autoptr (GError) error = NULL;
  g_autofree HapControllerPairing *pairing = NULL;
  g_autoptr (GBytes) body = NULL;
  guint8 secret1[HAP_CONNECTION_SHARED_SECRET_LEN];
  guint8 secret2[HAP_CONNECTION_SHARED_SECRET_LEN];
  Client *c1;
  Client *c2;

  server_start (s);
  c1 = client_connect (s);
  pairing = hap_test_client_pair_setup (c1, SETUP_CODE, "controller-lookup", &error);
  g_assert_no_error (error);
  hap_test_client_free (c1);
  c1 = client_connect (s);
  g_assert_true (hap_test_client_pair_verify (c1, pairing, secret1, &error));
  c2 = client_connect (s);
  g_assert_true (hap_test_client_pair_verify (c2, pairing, secret2, &error));
  g_assert_no_error (error);
  g_assert_true (memcmp (secret1, secret2, sizeof secret1) != 0);

  hap_test_client_request (c1, "POST", "/resource", "application/json", "{}", 2);
  body = hap_test_client_expect (c1, 204);
  hap_test_wait_int (&s->lookups, 1);
  g_mutex_lock (&s->lock);
  g_assert_true (s->lookup_found);
  g_assert_cmpstr (s->lookup_controller_id, ==, "controller-lookup");
  g_assert_cmpmem (s->lookup_secret, sizeof s->lookup_secret, secret1, sizeof secret1);
  g_assert_false (s->lookup_foreign_found);
  g_mutex_unlock (&s->lock);

  hap_test_client_request (c2, "POST", "/resource", "application/json", "{}", 2);
  g_clear_pointer (&body, g_bytes_unref);
  body = hap_test_client_expect (c2, 204);
  hap_test_wait_int (&s->lookups, 2);
  g_mutex_lock (&s->lock);
  g_assert_true (s->lookup_found);
  g_assert_cmpstr (s->lookup_controller_id, ==, "controller-lookup");
  g_assert_cmpmem (s->lookup_secret, sizeof s->lookup_secret, secret2, sizeof secret2);
  g_assert_false (s->lookup_foreign_found);
  g_mutex_unlock (&s->lock);

  hap_test_client_free (c1);
  hap_test_client_free (c2);
  server_halt (s);
  server_free (s);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/server/pair-and-use", test_pair_and_use);
  g_test_add_func ("/server/negative", test_negative);
  g_test_add_func ("/server/admin-follows-pairings", test_admin_follows_pairings);
  g_test_add_func ("/server/lookup-session", test_lookup_session);
  return g_test_run ();
}
