/* A HAP controller connection: the socket and its session frames, HTTP requests and events,
 * pair-setup and pair-verify. The requests built on hap_client_request() are in
 * hap-client-requests.c. See hap/hap-client.h. */
#include "hap/hap-client-private.h"

#include <string.h>

#include "hap/characteristic-value.h"
#include "hap/pair-verify-client.h"
#include "hap/pairing-tlv.h"
#include "hap/session-crypto.h"

/* Snapshots can be larger than the 1 MiB default of the parser. */
#define CLIENT_MAX_BODY (16 * 1024 * 1024)
#define RECEIVE_CHUNK 16384

struct _HapClient {
  HapClientLink link; /* the socket, the timeout, the sticky transport failure */
  gchar *host;
  HapHttpParser *parser;
  HapSessionCrypto *crypto;
  GByteArray *plain;         /* received plaintext not parsed yet */
  GQueue events;             /* HapHttpResponse*: EVENT/1.0 messages not taken yet */
  HapHttpResponse *response; /* a response no caller took yet */
  guint8 shared_secret[32];
  gboolean verified;
};

static HapClient *
client_new (const HapClientLink *link, const char *host)
{
  HapClient *client = g_new0 (HapClient, 1);
  HapHttpLimits limits;

  hap_http_limits_init_default (&limits);
  limits.max_body = CLIENT_MAX_BODY;
  client->link = *link;
  client->host = g_strdup (host);
  client->parser = hap_http_parser_new_response (&limits);
  client->plain = g_byte_array_new ();
  g_queue_init (&client->events);
  return client;
}

HapClient *
hap_client_connect (const char *host, guint16 port, guint timeout_ms, GError **error)
{
  HapClientLink link;

  g_return_val_if_fail (host != NULL && port > 0 && timeout_ms > 0, NULL);

  if (!hap_client_link_connect (&link, host, port, timeout_ms, NULL, error))
    return NULL;
  return client_new (&link, host);
}

HapClient *
hap_client_new_for_socket (GSocket *socket, guint timeout_ms)
{
  HapClientLink link;

  g_return_val_if_fail (G_IS_SOCKET (socket) && timeout_ms > 0, NULL);

  hap_client_link_init (&link, socket, timeout_ms, NULL);
  return client_new (&link, NULL);
}

void
hap_client_free (HapClient *client)
{
  if (client == NULL)
    return;
  hap_client_link_clear (&client->link);
  g_free (client->host);
  hap_http_parser_free (client->parser);
  hap_session_crypto_free (client->crypto);
  g_byte_array_unref (client->plain);
  g_queue_clear_full (&client->events, (GDestroyNotify) hap_http_response_free);
  g_clear_pointer (&client->response, hap_http_response_free);
  memset (client->shared_secret, 0, sizeof client->shared_secret);
  g_free (client);
}

void
hap_client_set_timeout (HapClient *client, guint timeout_ms)
{
  g_return_if_fail (client != NULL && timeout_ms > 0);
  client->link.timeout_ms = timeout_ms;
}

guint
hap_client_get_timeout (const HapClient *client)
{
  g_return_val_if_fail (client != NULL, 0);
  return client->link.timeout_ms;
}

const char *
hap_client_get_host (const HapClient *client)
{
  g_return_val_if_fail (client != NULL, NULL);
  return client->host;
}

int
hap_client_get_fd (const HapClient *client)
{
  g_return_val_if_fail (client != NULL, -1);
  return g_socket_get_fd (client->link.socket);
}

gboolean
hap_client_is_verified (const HapClient *client)
{
  g_return_val_if_fail (client != NULL, FALSE);
  return client->verified;
}

const guint8 *
hap_client_get_shared_secret (const HapClient *client)
{
  g_return_val_if_fail (client != NULL, NULL);
  return client->verified ? client->shared_secret : NULL;
}

/* ---- transport ---- */

/* Parses the received plaintext: events are queued, a response is kept in client->response. */
static gboolean
parse_plain (HapClient *client, GError **error)
{
  while (client->plain->len > 0) {
    HapHttpResponse *message = NULL;
    gsize consumed = 0;
    g_autoptr (GError) local = NULL;
    HapParseResult r = hap_http_parser_feed_response (
        client->parser, client->plain->data, client->plain->len, &consumed, &message, &local);

    if (r == HAP_PARSE_INVALID)
      return hap_client_link_fail_protocol (
          &client->link, error, "the accessory sent a malformed HTTP message: %s", local->message);
    g_byte_array_remove_range (client->plain, 0, (guint) consumed);
    if (r == HAP_PARSE_NEED_MORE)
      break;
    if (message->is_event) {
      g_queue_push_tail (&client->events, message);
    } else if (client->response != NULL) {
      hap_http_response_free (message);
      return hap_client_link_fail_protocol (
          &client->link, error, "the accessory sent a response no request asked for");
    } else {
      client->response = message;
    }
  }
  return TRUE;
}

/* One receive of what is available now. *got tells whether bytes came. */
static gboolean
receive_now (HapClient *client, gboolean *got, GError **error)
{
  guint8 buf[RECEIVE_CHUNK];
  g_autoptr (GError) local = NULL;
  gssize n;

  *got = FALSE;
  if (hap_client_link_failed (&client->link, error))
    return FALSE;
  n = hap_client_socket_receive_now (client->link.socket, buf, sizeof buf, &local);
  if (n < 0) {
    if (g_error_matches (local, HAP_CLIENT_ERROR, HAP_CLIENT_ERROR_CLOSED)
        && !hap_http_parser_is_idle (client->parser))
      return hap_client_link_fail_protocol (
          &client->link, error, "the accessory closed the connection in the middle of a message");
    return hap_client_link_fail (&client->link, g_steal_pointer (&local), error);
  }
  if (n == 0)
    return TRUE;
  *got = TRUE;
  if (client->crypto != NULL) {
    if (hap_session_crypto_decrypt_append (client->crypto, buf, (gsize) n, client->plain, &local)
        == HAP_PARSE_INVALID)
      return hap_client_link_fail_protocol (&client->link, error,
          "the accessory sent a session frame that %s: %s",
          g_error_matches (local, HAP_CODEC_ERROR, HAP_CODEC_ERROR_AUTH) ? "does not authenticate"
                                                                         : "is malformed",
          local->message);
  } else {
    g_byte_array_append (client->plain, buf, (guint) n);
  }
  return parse_plain (client, error);
}

gboolean
hap_client_pump (HapClient *client, GError **error)
{
  gboolean got;

  g_return_val_if_fail (client != NULL, FALSE);

  do {
    if (!receive_now (client, &got, error))
      return FALSE;
  } while (got);
  return TRUE;
}

static gboolean has_response (HapClient *client);

/* Waits until `ready` holds or the deadline passes. */
static gboolean
wait_until (HapClient *client, gboolean (*ready) (HapClient *), gint64 deadline_us,
    const gchar *what, GError **error)
{
  while (!ready (client)) {
    g_autoptr (GError) local = NULL;
    gboolean got;

    if (!hap_client_socket_wait_readable (client->link.socket, deadline_us, &local)) {
      if (g_error_matches (local, HAP_CLIENT_ERROR, HAP_CLIENT_ERROR_TIMEOUT)) {
        GError *timeout = g_error_new (HAP_CLIENT_ERROR, HAP_CLIENT_ERROR_TIMEOUT,
            "no %s from the accessory within the timeout", what);
        /* HTTP responses carry no id: after a late one the connection cannot be trusted. */
        if (ready == has_response)
          return hap_client_link_fail (&client->link, timeout, error);
        g_propagate_error (error, timeout);
        return FALSE;
      }
      return hap_client_link_fail (&client->link, g_steal_pointer (&local), error);
    }
    if (!receive_now (client, &got, error))
      return FALSE;
  }
  return TRUE;
}

static gboolean
has_response (HapClient *client)
{
  return client->response != NULL;
}

static gboolean
has_event (HapClient *client)
{
  return !g_queue_is_empty (&client->events);
}

static gboolean
send_plain (HapClient *client, const guint8 *data, gsize len, gint64 deadline_us, GError **error)
{
  g_autoptr (GByteArray) frames = NULL;

  if (client->crypto != NULL) {
    frames = g_byte_array_sized_new ((guint) hap_session_crypto_encrypted_size (len));
    if (!hap_session_crypto_encrypt_append (client->crypto, data, len, frames))
      return hap_client_link_fail_protocol (
          &client->link, error, "session frame counter exhausted");
    data = frames->data;
    len = frames->len;
  }
  return hap_client_link_send (&client->link, data, len, deadline_us, error);
}

HapHttpResponse *
hap_client_request (HapClient *client, const char *method, const char *target,
    const char *content_type, const guint8 *body, gsize len, GError **error)
{
  g_autoptr (GByteArray) msg = g_byte_array_new ();
  const gchar *headers[] = { "Host", "hap", "Content-Type", content_type, NULL };
  gint64 deadline_us;
  g_autofree gchar *what = NULL;

  g_return_val_if_fail (client != NULL && method != NULL && target != NULL, NULL);

  if (hap_client_link_failed (&client->link, error))
    return NULL;
  if (client->response != NULL)
    g_clear_pointer (&client->response, hap_http_response_free);
  if (content_type == NULL)
    headers[2] = NULL;
  if (!hap_http_write_request (msg, method, target, headers, body, len)) {
    g_set_error (error, HAP_CLIENT_ERROR, HAP_CLIENT_ERROR_PROTOCOL,
        "cannot write the request %s %s", method, target);
    return NULL;
  }
  deadline_us = hap_client_deadline_after_ms (client->link.timeout_ms);
  if (!send_plain (client, msg->data, msg->len, deadline_us, error))
    return NULL;
  what = g_strdup_printf ("response to %s %s", method, target);
  if (!wait_until (client, has_response, deadline_us, what, error))
    return NULL;
  return g_steal_pointer (&client->response);
}

gchar *
hap_client_describe_response (const HapHttpResponse *response)
{
  GString *out;
  g_autoptr (JsonNode) root = NULL;
  gsize len = 0;
  const guint8 *body;

  g_return_val_if_fail (response != NULL, NULL);

  out = g_string_new (NULL);
  g_string_append_printf (out, "%u %s", response->status, response->reason);
  body = g_bytes_get_data (response->body, &len);
  if (len > 0)
    root = hap_json_parse_body (body, len);
  if (root != NULL && JSON_NODE_HOLDS_OBJECT (root)) {
    JsonNode *status = json_object_get_member (json_node_get_object (root), "status");
    if (status != NULL && JSON_NODE_HOLDS_VALUE (status)
        && json_node_get_value_type (status) == G_TYPE_INT64)
      g_string_append_printf (out, ", HAP status %" G_GINT64_FORMAT " (%s)",
          json_node_get_int (status),
          hap_status_to_string ((HapStatus) json_node_get_int (status)));
  }
  return g_string_free (out, FALSE);
}

gboolean
hap_client_fail_status (const HapHttpResponse *response, const gchar *what, GError **error)
{
  g_autofree gchar *text = hap_client_describe_response (response);

  g_set_error (error, HAP_CLIENT_ERROR, HAP_CLIENT_ERROR_STATUS, "%s: the accessory answered %s",
      what, text);
  return FALSE;
}

/* ---- pairing ---- */

typedef HapPairClientStatus (*PairHandle) (
    gpointer machine, const guint8 *body, gsize len, GBytes **request, GError **error);

static HapPairClientStatus
handle_setup (gpointer machine, const guint8 *body, gsize len, GBytes **request, GError **error)
{
  return hap_pair_setup_client_handle (machine, body, len, request, error);
}

static HapPairClientStatus
handle_verify (gpointer machine, const guint8 *body, gsize len, GBytes **request, GError **error)
{
  return hap_pair_verify_client_handle (machine, body, len, request, error);
}

static const gchar *
pairing_error_hint (gint code)
{
  switch (code) {
    case HAP_PAIRING_ERROR_AUTHENTICATION:
      return "authentication failed (wrong setup code, or a controller the accessory does not "
             "know)";
    case HAP_PAIRING_ERROR_BACKOFF:
      return "the accessory asks to retry later";
    case HAP_PAIRING_ERROR_MAX_PEERS:
      return "the accessory has no room for another pairing";
    case HAP_PAIRING_ERROR_MAX_TRIES:
      return "too many failed attempts; the accessory refuses pair-setup";
    case HAP_PAIRING_ERROR_UNAVAILABLE:
      return "the accessory is already paired";
    case HAP_PAIRING_ERROR_BUSY:
      return "another pair-setup is in progress";
    default:
      return "unknown error";
  }
}

/* POSTs `request` (consumed) and each next one to `path` until the machine is done. */
static gboolean
pair_exchange (HapClient *client, const char *path, const char *name, GBytes *request,
    PairHandle handle, gpointer machine, GError **error)
{
  for (guint step = 1;; step += 2) {
    g_autoptr (HapHttpResponse) response = NULL;
    g_autoptr (GError) local = NULL;
    GBytes *next = NULL;
    HapPairClientStatus status;
    gsize len;
    const guint8 *body;

    response = hap_client_request (client, "POST", path, "application/pairing+tlv8",
        g_bytes_get_data (request, NULL), g_bytes_get_size (request), &local);
    g_bytes_unref (request);
    if (response == NULL) {
      g_propagate_prefixed_error (error, g_steal_pointer (&local), "%s M%u: ", name, step);
      return FALSE;
    }
    if (response->status != 200) {
      g_autofree gchar *what = g_strdup_printf ("%s M%u", name, step);
      return hap_client_fail_status (response, what, error);
    }
    body = g_bytes_get_data (response->body, &len);
    status = handle (machine, body, len, &next, &local);
    if (status == HAP_PAIR_CLIENT_FAILED) {
      if (local->domain == HAP_PAIRING_ERROR)
        g_set_error (error, HAP_PAIRING_ERROR, local->code, "%s M%u: kTLVError %d: %s", name,
            step + 1, local->code, pairing_error_hint (local->code));
      else
        g_set_error (error, local->domain, local->code, "%s M%u: bad answer from the accessory: %s",
            name, step + 1, local->message);
      return FALSE;
    }
    if (status == HAP_PAIR_CLIENT_DONE)
      return TRUE;
    request = next;
  }
}

gboolean
hap_client_pair_setup (HapClient *client, const char *setup_code, const char *controller_id,
    const guint8 *ltsk, HapControllerPairing *out, GError **error)
{
  g_autoptr (HapPairSetupClient) setup = NULL;

  g_return_val_if_fail (client != NULL && setup_code != NULL && controller_id != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  setup = hap_pair_setup_client_new (setup_code, controller_id, ltsk);
  if (!pair_exchange (client, "/pair-setup", "pair-setup", hap_pair_setup_client_start (setup),
          handle_setup, setup, error))
    return FALSE;
  *out = *hap_pair_setup_client_get_pairing (setup);
  return TRUE;
}

gboolean
hap_client_pair_verify (HapClient *client, const HapControllerPairing *pairing, GError **error)
{
  g_autoptr (HapPairVerifyClient) verify = NULL;
  guint8 a2c[32], c2a[32];

  g_return_val_if_fail (client != NULL && pairing != NULL, FALSE);
  g_return_val_if_fail (!client->verified, FALSE);

  verify = hap_pair_verify_client_new (pairing);
  if (!pair_exchange (client, "/pair-verify", "pair-verify", hap_pair_verify_client_start (verify),
          handle_verify, verify, error))
    return FALSE;
  if (client->plain->len > 0)
    return hap_client_link_fail_protocol (
        &client->link, error, "the accessory sent plaintext after pair-verify M4");
  hap_pair_verify_client_get_session_keys (verify, a2c, c2a);
  client->crypto = hap_session_crypto_new (c2a, a2c);
  memcpy (client->shared_secret, hap_pair_verify_client_get_shared_secret (verify), 32);
  memset (a2c, 0, sizeof a2c);
  memset (c2a, 0, sizeof c2a);
  client->verified = TRUE;
  return TRUE;
}

/* ---- events ---- */

gboolean
hap_client_take_event (HapClient *client, GArray **values, GError **error)
{
  g_autoptr (HapHttpResponse) event = NULL;

  g_return_val_if_fail (client != NULL && values != NULL, FALSE);

  *values = NULL;
  event = g_queue_pop_head (&client->events);
  if (event == NULL)
    return FALSE;
  *values = hap_client_parse_values (event, "EVENT/1.0", error);
  return TRUE;
}

GArray *
hap_client_next_event (HapClient *client, guint timeout_ms, GError **error)
{
  GArray *values = NULL;

  g_return_val_if_fail (client != NULL, NULL);

  if (g_queue_is_empty (&client->events)) {
    gint64 deadline_us = hap_client_deadline_after_ms (timeout_ms);
    if (hap_client_link_failed (&client->link, error) || !hap_client_pump (client, error)
        || !wait_until (client, has_event, deadline_us, "event", error))
      return NULL;
  }
  hap_client_take_event (client, &values, error);
  return values;
}
