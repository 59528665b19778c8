/* Unit tests for hap/hap-client.c (a HAP controller connection).
 *
 * Against libhap's accessory server (hap/server.h) on 127.0.0.1 in its own thread: pair-setup
 * with a wrong and the right code, pair-verify, /accessories, reads, plain, timed and
 * write-response writes, events from another controller's write, /pairings, /resource, error
 * statuses. Expected values: PROTOCOL.md section 1 and what the test defined.
 * Against a peer the test plays itself over a socketpair: garbage, a response cut short, EOF,
 * silence (every wait ends at the timeout), an unsolicited response, events before a response,
 * a malformed event body.
 */
#include <string.h>
#include <sys/socket.h>

#include <glib/gstdio.h>

#include "hap/controller-store.h"
#include "hap/hap-client.h"
#include "hap/pairing-tlv.h"
#include "hap/server.h"
#include "tests/common/test-server-util.h"
#include "tests/common/test-util.h"

#define SETUP_CODE "031-45-154"

/* aid 1: 1 AccessoryInformation (2 Name, 3 Identify), 4 Lightbulb (5 On, 6 timed-write switch,
 * 7 write-response tlv8). */
static const HapCharacteristicDef name_def = { HAP_CHAR_NAME, HAP_FORMAT_STRING, HAP_PERM_PR };
static const HapCharacteristicDef identify_def
    = { HAP_CHAR_IDENTIFY, HAP_FORMAT_BOOL, HAP_PERM_PW };
static const HapCharacteristicDef on_def
    = { HAP_CHAR_ON, HAP_FORMAT_BOOL, HAP_PERM_PR | HAP_PERM_PW | HAP_PERM_EV };
static const HapCharacteristicDef timed_def = { HAP_CHAR_HOMEKIT_CAMERA_ACTIVE, HAP_FORMAT_BOOL,
  HAP_PERM_PR | HAP_PERM_PW | HAP_PERM_EV | HAP_PERM_TW };
static const HapCharacteristicDef wr_def = { HAP_CHAR_SETUP_DATA_STREAM_TRANSPORT, HAP_FORMAT_TLV8,
  HAP_PERM_PR | HAP_PERM_PW | HAP_PERM_WR };

typedef struct {
  gchar *dir;
  HapServerConfig config;
  HapTestThread thread;
  HapServer *server;
} Server;

static HapStatus
on_wr_write (HapCharacteristic *c, HapDbSession *session, const HapValue *value,
    HapWriteResponse *response, gpointer data)
{
  static const guint8 answer[] = { 0x01, 0x01, 0x00 };

  hap_value_init_bytes (&response->value, HAP_FORMAT_TLV8, answer, sizeof answer);
  response->set = TRUE;
  return HAP_STATUS_SUCCESS;
}

static guint
on_resource (HapServer *hs, HapDbSession *session, const guint8 *json, gsize len, GBytes **body,
    const char **content_type, gpointer user_data)
{
  static const guint8 jpeg[] = { 0xff, 0xd8, 0x00, 0xff, 0xd9 };

  if (g_strstr_len ((const gchar *) json, (gssize) len, "\"reason\":0") != NULL)
    return 404;
  *body = g_bytes_new_static (jpeg, sizeof jpeg);
  *content_type = "image/jpeg";
  return 200;
}

static guint16
server_serve (gpointer data)
{
  Server *s = data;
  g_autoptr (GError) error = NULL;
  HapAccessoryDb *db;
  HapAccessory *acc;
  HapService *info, *light;
  HapCharacteristic *wr;

  s->server = hap_server_new (&s->config);
  hap_server_set_resource_func (s->server, on_resource, s, NULL);
  db = hap_server_get_db (s->server);
  acc = hap_db_add_accessory (db, 1);
  info = hap_accessory_add_service (acc, HAP_SERVICE_ACCESSORY_INFORMATION, 0);
  hap_db_set_value_string (db, hap_service_add_characteristic (info, &name_def), "Test");
  hap_service_add_characteristic (info, &identify_def);
  light = hap_accessory_add_service (acc, HAP_SERVICE_LIGHTBULB, HAP_SERVICE_FLAG_PRIMARY);
  hap_service_add_characteristic (light, &on_def);
  hap_service_add_characteristic (light, &timed_def);
  wr = hap_service_add_characteristic (light, &wr_def);
  hap_characteristic_set_handlers (wr, NULL, on_wr_write, s);
  hap_db_set_event_window_us (db, 0);
  hap_server_start (s->server, &error);
  g_assert_no_error (error);
  return hap_server_get_port (s->server);
}

static void
server_stop (gpointer data)
{
  Server *s = data;
  hap_server_stop (s->server);
  g_clear_object (&s->server);
}

static guint16
server_start (Server *s)
{
  memset (s, 0, sizeof *s);
  s->dir = g_dir_make_tmp ("hap-client-XXXXXX", NULL);
  hap_server_config_init (&s->config);
  s->config.bind_address = "127.0.0.1";
  s->config.storage_dir = s->dir;
  s->config.setup_code = SETUP_CODE;
  return hap_test_thread_start (&s->thread, server_serve, server_stop, s);
}

static void
server_finish (Server *s)
{
  hap_test_thread_stop (&s->thread);
  hap_test_remove_dir (s->dir);
  g_free (s->dir);
}

static HapClient *
verified (guint16 port, const HapControllerPairing *pairing)
{
  g_autoptr (GError) error = NULL;
  HapClient *c = hap_client_connect ("127.0.0.1", port, 3000, &error);

  g_assert_no_error (error);
  g_assert_true (hap_client_pair_verify (c, pairing, &error));
  g_assert_no_error (error);
  return c;
}

static JsonNode *
json (const gchar *text)
{
  return json_from_string (text, NULL);
}

static void
test_against_server (void)
{
  Server s;
  guint16 port = server_start (&s);
  g_autoptr (GError) error = NULL;
  g_autoptr (HapClient) a = NULL;
  g_autoptr (HapClient) b = NULL;
  g_autoptr (HapClient) plain = NULL;
  g_autoptr (HapRemoteDb) db = NULL;
  g_autoptr (GArray) values = NULL;
  g_autoptr (GArray) pairings = NULL;
  HapControllerPairing pairing;
  HapControllerIdentity hub2;
  HapRemoteId on = { 1, 5 }, missing = { 1, 99 };
  gboolean value;

  /* A wrong setup code is kTLVError_Authentication, with a hint. */
  plain = hap_client_connect ("127.0.0.1", port, 3000, &error);
  g_assert_false (hap_client_pair_setup (plain, "111-22-333", "ctrl-1", NULL, &pairing, &error));
  g_assert_error (error, HAP_PAIRING_ERROR, HAP_PAIRING_ERROR_AUTHENTICATION);
  g_assert_nonnull (strstr (error->message, "wrong setup code"));
  g_clear_error (&error);
  g_assert_true (hap_client_pair_setup (plain, SETUP_CODE, "ctrl-1", NULL, &pairing, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (pairing.controller_id, ==, "ctrl-1");
  g_assert_cmpstr (pairing.accessory_id, ==, hap_server_get_device_id (s.server));
  /* Not verified yet: everything else is 470. */
  g_assert_null (hap_client_get_accessories (plain, &error));
  g_assert_error (error, HAP_CLIENT_ERROR, HAP_CLIENT_ERROR_STATUS);
  g_assert_nonnull (strstr (error->message, "470"));
  g_assert_nonnull (strstr (error->message, "-70401"));
  g_clear_error (&error);
  g_assert_null (hap_client_get_shared_secret (plain));
  g_assert_true (hap_client_pair_verify (plain, &pairing, &error));
  g_assert_true (hap_client_is_verified (plain));
  g_assert_nonnull (hap_client_get_shared_secret (plain));
  g_clear_pointer (&plain, hap_client_free);

  a = verified (port, &pairing);
  b = verified (port, &pairing);
  db = hap_client_get_accessories (a, &error);
  g_assert_no_error (error);
  g_assert_nonnull (hap_remote_accessory_find_service (
      hap_remote_db_find_accessory (db, 1), HAP_SERVICE_LIGHTBULB, 0));

  values = hap_client_read (a, &on, 1, &error);
  g_assert_no_error (error);
  g_assert_true (
      hap_remote_json_get_bool (g_array_index (values, HapRemoteValue, 0).value, &value));
  g_assert_false (value);
  g_clear_pointer (&values, g_array_unref);
  values = hap_client_read (a, &missing, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (
      g_array_index (values, HapRemoteValue, 0).status, ==, HAP_STATUS_RESOURCE_DOES_NOT_EXIST);
  g_clear_pointer (&values, g_array_unref);

  /* b subscribes; a's write reaches b as an event. */
  {
    HapRemoteWrite sub = { 1, 5, NULL, 1, FALSE };
    HapRemoteWrite w = { 1, 5, json ("true"), -1, FALSE };
    g_autoptr (GArray) r1 = hap_client_write (b, &sub, 1, &error);
    g_autoptr (GArray) r2 = hap_client_write (a, &w, 1, &error);
    g_autoptr (GArray) ev = NULL;
    const HapRemoteValue *v;

    g_assert_no_error (error);
    g_assert_cmpint (g_array_index (r2, HapRemoteValue, 0).status, ==, 0);
    ev = hap_client_next_event (b, 3000, &error);
    g_assert_no_error (error);
    v = hap_remote_values_find (ev, 1, 5);
    g_assert_nonnull (v);
    g_assert_true (hap_remote_json_get_bool (v->value, &value) && value);
    json_node_unref (w.value);
    /* No further event: a timeout, bounded. */
    g_clear_pointer (&ev, g_array_unref);
    ev = hap_client_next_event (b, 100, &error);
    g_assert_null (ev);
    g_assert_error (error, HAP_CLIENT_ERROR, HAP_CLIENT_ERROR_TIMEOUT);
    g_clear_error (&error);
  }

  /* A "tw" characteristic refuses a plain write and takes a timed one. */
  {
    HapRemoteWrite w = { 1, 6, json ("true"), -1, FALSE };
    g_autoptr (GArray) r1 = hap_client_write (a, &w, 1, &error);
    g_autoptr (GArray) r2 = NULL;

    g_assert_no_error (error);
    g_assert_cmpint (g_array_index (r1, HapRemoteValue, 0).status, ==, HAP_STATUS_INVALID_VALUE);
    g_assert_true (hap_client_prepare (a, 2000, 4242, &error));
    r2 = hap_client_write_timed (a, &w, 1, 4242, &error);
    g_assert_no_error (error);
    g_assert_cmpint (g_array_index (r2, HapRemoteValue, 0).status, ==, 0);
    json_node_unref (w.value);
  }

  /* A write response carries the value. */
  {
    HapRemoteWrite w = { 1, 7, json ("\"AQEA\""), -1, TRUE };
    g_autoptr (GArray) r = hap_client_write (a, &w, 1, &error);
    g_autoptr (GBytes) bytes = NULL;

    g_assert_no_error (error);
    bytes = hap_remote_json_get_bytes (g_array_index (r, HapRemoteValue, 0).value);
    hap_test_assert_hex_equal (
        g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), "01 01 00");
    json_node_unref (w.value);
  }

  /* /resource: the owner's answer, and its refusal. */
  {
    g_autoptr (HapHttpResponse) r = hap_client_resource (a, 1, 640, 360, 1, &error);
    g_autoptr (HapHttpResponse) refused = NULL;
    g_autofree gchar *text = NULL;

    g_assert_no_error (error);
    g_assert_cmpuint (r->status, ==, 200);
    g_assert_cmpstr (hap_http_response_get_header (r, "Content-Type"), ==, "image/jpeg");
    g_assert_cmpuint (g_bytes_get_size (r->body), ==, 5);
    refused = hap_client_resource (a, 0, 640, 360, 0, &error);
    g_assert_cmpuint (refused->status, ==, 404);
    text = hap_client_describe_response (refused);
    g_assert_true (g_str_has_prefix (text, "404 Not Found"));
  }

  /* /pairings: add a second hub, list, remove. */
  hap_controller_identity_generate (&hub2);
  g_assert_true (hap_client_add_pairing (a, hub2.id, hub2.ltpk, HAP_PAIRING_PERM_ADMIN, &error));
  pairings = hap_client_list_pairings (a, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pairings->len, ==, 2);
  {
    HapControllerPairing p2 = pairing;
    g_autoptr (HapClient) c = NULL;

    g_strlcpy (p2.controller_id, hub2.id, sizeof p2.controller_id);
    memcpy (p2.controller_ltpk, hub2.ltpk, 32);
    memcpy (p2.controller_ltsk, hub2.ltsk, 64);
    c = verified (port, &p2);
    hap_controller_pairing_clear (&p2);
  }
  g_assert_true (hap_client_remove_pairing (a, hub2.id, &error));
  g_clear_pointer (&pairings, g_array_unref);
  pairings = hap_client_list_pairings (a, &error);
  g_assert_cmpuint (pairings->len, ==, 1);
  g_assert_cmpstr (g_array_index (pairings, HapPairing, 0).id, ==, "ctrl-1");
  hap_controller_identity_clear (&hub2);

  hap_controller_pairing_clear (&pairing);
  g_clear_pointer (&a, hap_client_free);
  g_clear_pointer (&b, hap_client_free);
  server_finish (&s);
}

/* ---- a peer the test plays ---- */

typedef struct {
  GSocket *mine;
  HapClient *client;
} Pair;

static void
pair_new (Pair *p, guint timeout_ms)
{
  int fds[2];
  g_autoptr (GSocket) theirs = NULL;

  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM, 0, fds), ==, 0);
  p->mine = g_socket_new_from_fd (fds[0], NULL);
  theirs = g_socket_new_from_fd (fds[1], NULL);
  p->client = hap_client_new_for_socket (theirs, timeout_ms);
}

static void
pair_free (Pair *p)
{
  hap_client_free (p->client);
  g_object_unref (p->mine);
}

static void
say (Pair *p, const gchar *text)
{
  g_assert_cmpint (
      g_socket_send (p->mine, text, strlen (text), NULL, NULL), ==, (gssize) strlen (text));
}

#define OK_JSON(body) \
  "HTTP/1.1 200 OK\r\nContent-Type: application/hap+json\r\nContent-Length: " body "\r\n\r\n"

static const struct {
  const gchar *name;
  const gchar *peer; /* what the peer sends before the request */
  gboolean close;    /* then closes */
  gint code;
  const gchar *message;
  gint again; /* the error of a second request */
} misbehaving[] = {
  { "garbage", "\x16\x03\x01 not http\r\n\r\n", FALSE, HAP_CLIENT_ERROR_PROTOCOL,
      "malformed HTTP message", HAP_CLIENT_ERROR_PROTOCOL },
  { "cut short", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", TRUE,
      HAP_CLIENT_ERROR_PROTOCOL, "in the middle of a message", HAP_CLIENT_ERROR_PROTOCOL },
  { "closed", "", TRUE, HAP_CLIENT_ERROR_CLOSED, "closed", HAP_CLIENT_ERROR_CLOSED },
  { "silent", "", FALSE, HAP_CLIENT_ERROR_TIMEOUT, "within the timeout", HAP_CLIENT_ERROR_TIMEOUT },
  { "half a status line", "HTTP/1.1 20", FALSE, HAP_CLIENT_ERROR_TIMEOUT, "within the timeout",
      HAP_CLIENT_ERROR_TIMEOUT },
  { "two responses", OK_JSON ("2") "{}" OK_JSON ("2") "{}", FALSE, HAP_CLIENT_ERROR_PROTOCOL,
      "a response no request asked for", HAP_CLIENT_ERROR_PROTOCOL },
  { "huge body", "HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\n", FALSE,
      HAP_CLIENT_ERROR_PROTOCOL, "malformed HTTP message", HAP_CLIENT_ERROR_PROTOCOL },
  { "bad database", OK_JSON ("15") "{\"accessories\"}", FALSE, HAP_CLIENT_ERROR_PROTOCOL,
      "accessory database is malformed", HAP_CLIENT_ERROR_TIMEOUT },
  { "database without services", OK_JSON ("27") "{\"accessories\":[{\"aid\":1}]}", FALSE,
      HAP_CLIENT_ERROR_PROTOCOL, "accessories[0].services: missing", HAP_CLIENT_ERROR_TIMEOUT },
};

static void
test_misbehaving_peer (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (misbehaving); i++) {
    Pair p;
    g_autoptr (GError) error = NULL;
    g_autoptr (HapRemoteDb) db = NULL;
    gint64 start;

    g_test_message ("%s", misbehaving[i].name);
    pair_new (&p, 200);
    say (&p, misbehaving[i].peer);
    if (misbehaving[i].close)
      g_socket_shutdown (p.mine, FALSE, TRUE, NULL);
    start = g_get_monotonic_time ();
    db = hap_client_get_accessories (p.client, &error);
    g_assert_null (db);
    g_assert_error (error, HAP_CLIENT_ERROR, misbehaving[i].code);
    if (strstr (error->message, misbehaving[i].message) == NULL)
      g_error ("\"%s\" lacks \"%s\"", error->message, misbehaving[i].message);
    g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_USEC_PER_SEC);
    /* A broken connection stays broken; a timeout or a bad body does not break it. */
    g_clear_error (&error);
    g_assert_null (hap_client_get_accessories (p.client, &error));
    g_assert_error (error, HAP_CLIENT_ERROR, misbehaving[i].again);
    pair_free (&p);
  }
}

static void
test_events_before_response (void)
{
  Pair p;
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) values = NULL;
  g_autoptr (GArray) ev = NULL;
  HapRemoteId id = { 1, 9 };

  pair_new (&p, 1000);
  say (&p, "EVENT/1.0 200 OK\r\nContent-Type: application/hap+json\r\nContent-Length: 52\r\n\r\n"
           "{\"characteristics\":[{\"aid\":1,\"iid\":9,\"value\":true}]}"
           "EVENT/1.0 200 OK\r\nContent-Length: 4\r\n\r\nnope" OK_JSON (
               "53") "{\"characteristics\":[{\"aid\":1,\"iid\":9,\"value\":false}]}");
  values = hap_client_read (p.client, &id, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (values->len, ==, 1);
  /* The events queued meanwhile come out in order; a malformed one is an error of its own. */
  ev = hap_client_next_event (p.client, 100, &error);
  g_assert_no_error (error);
  g_assert_nonnull (hap_remote_values_find (ev, 1, 9));
  g_clear_pointer (&ev, g_array_unref);
  g_assert_true (hap_client_take_event (p.client, &ev, &error));
  g_assert_null (ev);
  g_assert_error (error, HAP_CLIENT_ERROR, HAP_CLIENT_ERROR_PROTOCOL);
  g_clear_error (&error);
  g_assert_false (hap_client_take_event (p.client, &ev, &error));
  /* The answer lacked nothing; one that lacks the id asked for is an error. */
  say (&p, OK_JSON ("22") "{\"characteristics\":[]}");
  g_clear_pointer (&values, g_array_unref);
  values = hap_client_read (p.client, &id, 1, &error);
  g_assert_null (values);
  g_assert_error (error, HAP_CLIENT_ERROR, HAP_CLIENT_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "lacks 1.9"));
  pair_free (&p);
}

static void
test_late_response (void)
{
  Pair p;
  g_autoptr (GError) error = NULL;
  g_autoptr (HapRemoteDb) db = NULL;
  g_autoptr (GArray) ev = NULL;
  gint64 start;

  pair_new (&p, 100);
  g_assert_null (hap_client_get_accessories (p.client, &error));
  g_assert_error (error, HAP_CLIENT_ERROR, HAP_CLIENT_ERROR_TIMEOUT);
  g_clear_error (&error);
  /* The answer comes late: it must not pass for the answer to the next request. */
  say (&p, OK_JSON ("18") "{\"accessories\":[]}");
  start = g_get_monotonic_time ();
  db = hap_client_get_accessories (p.client, &error);
  g_assert_null (db);
  g_assert_error (error, HAP_CLIENT_ERROR, HAP_CLIENT_ERROR_TIMEOUT);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 50 * 1000);
  pair_free (&p);

  /* Waiting for events that do not come does not spend the connection. */
  pair_new (&p, 1000);
  g_clear_error (&error);
  ev = hap_client_next_event (p.client, 50, &error);
  g_assert_error (error, HAP_CLIENT_ERROR, HAP_CLIENT_ERROR_TIMEOUT);
  g_clear_error (&error);
  say (&p, OK_JSON ("18") "{\"accessories\":[]}");
  db = hap_client_get_accessories (p.client, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (db->accessories->len, ==, 0);
  pair_free (&p);
}

static void
test_connect_refused (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocket) s = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, 0, NULL);
  g_autoptr (GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr (GSocketAddress) bound = NULL;
  g_autoptr (HapClient) c = NULL;
  guint16 port;

  /* A port that is bound but not listening refuses connections. */
  g_assert_true (g_socket_bind (s, any, FALSE, NULL));
  bound = g_socket_get_local_address (s, NULL);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  c = hap_client_connect ("127.0.0.1", port, 1000, &error);
  g_assert_null (c);
  g_assert_error (error, HAP_CLIENT_ERROR, HAP_CLIENT_ERROR_CONNECT);
  g_assert_nonnull (strstr (error->message, "connecting to 127.0.0.1 port"));
}

static void
test_parse_address (void)
{
  static const struct {
    const gchar *in;
    const gchar *host;
    guint port;
  } cases[] = {
    { "127.0.0.1:51826", "127.0.0.1", 51826 },
    { "camera.local:1", "camera.local", 1 },
    { "[::1]:65535", "::1", 65535 },
    { "127.0.0.1", NULL, 0 },
    { "127.0.0.1:", NULL, 0 },
    { ":80", NULL, 0 },
    { "h:0", NULL, 0 },
    { "h:65536", NULL, 0 },
    { "h:-1", NULL, 0 },
    { "h:80x", NULL, 0 },
    { "::1:80", NULL, 0 },
    { "[::1]80", NULL, 0 },
    { "[::1:80", NULL, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree gchar *host = NULL;
    g_autoptr (GError) error = NULL;
    guint16 port = 0;
    gboolean ok = hap_client_parse_address (cases[i].in, &host, &port, &error);

    g_test_message ("%s", cases[i].in);
    g_assert_cmpint (ok, ==, cases[i].host != NULL);
    g_assert_cmpstr (host, ==, cases[i].host);
    g_assert_cmpuint (port, ==, cases[i].port);
    if (!ok)
      g_assert_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/hap-client/against-server", test_against_server);
  g_test_add_func ("/hap-client/misbehaving-peer", test_misbehaving_peer);
  g_test_add_func ("/hap-client/events-before-response", test_events_before_response);
  g_test_add_func ("/hap-client/late-response", test_late_response);
  g_test_add_func ("/hap-client/connect-refused", test_connect_refused);
  g_test_add_func ("/hap-client/parse-address", test_parse_address);
  return g_test_run ();
}
