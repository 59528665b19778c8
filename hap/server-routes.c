/* libhap: request routing of HapServer (see server.h). */
#include <string.h>

#include <sodium.h>

#include "hap/pair-verify.h"
#include "hap/pairings-request.h"
#include "hap/server-private.h"

#define CONTENT_TLV8 "application/pairing+tlv8"
#define CONTENT_JSON "application/hap+json"
#define JSON_INSUFFICIENT_PRIVILEGES "{\"status\":-70401}"

/* Per-connection state of the routes (hap_connection_set_data()). */
typedef struct {
  HapServer *server;
  HapConnection *connection;
  HapPairSetup *setup;
  HapPairVerify *verify;
  HapDbSession *session;
  GSource *event_source;
} RouteState;

static void
route_state_free (gpointer data)
{
  RouteState *state = data;

  if (state->event_source != NULL) {
    g_source_destroy (state->event_source);
    g_source_unref (state->event_source);
  }
  g_clear_pointer (&state->setup, hap_pair_setup_free);
  g_clear_pointer (&state->verify, hap_pair_verify_free);
  g_clear_pointer (&state->session, hap_db_session_free);
  g_free (state);
}

static RouteState *
route_state_get (HapServer *server, HapConnection *connection)
{
  RouteState *state = hap_connection_get_data (connection);

  if (state == NULL) {
    state = g_new0 (RouteState, 1);
    state->server = server;
    state->connection = connection;
    hap_connection_set_data (connection, state, route_state_free);
  }
  return state;
}

static void
respond_json_status (HapConnectionResponse *response, guint status, const char *json)
{
  response->status = status;
  response->content_type = CONTENT_JSON;
  response->body = g_bytes_new (json, strlen (json));
}

/* The session's admin right as the pairings say now: a controller's permissions may have been
 * lowered (or raised) since it was verified. FALSE when its pairing is gone (its sessions are
 * being closed). */
static gboolean
session_refresh_admin (HapServer *server, RouteState *state)
{
  const HapPairing *pairing
      = hap_pairings_find (server->pairings, hap_db_session_get_controller_id (state->session));

  hap_db_session_set_admin (
      state->session, pairing != NULL && (pairing->permissions & HAP_PAIRING_PERM_ADMIN) != 0);
  return pairing != NULL;
}

static void
route_pair_setup (HapServer *server, RouteState *state, const HapHttpRequest *request,
    HapConnectionResponse *response)
{
  gsize len;
  const guint8 *body = g_bytes_get_data (request->body, &len);
  GBytes *out = NULL;
  HapPairSetupStatus status;

  if (state->setup == NULL)
    state->setup = hap_pair_setup_new (
        &server->identity, server->setup_code, server->pairings, &server->guard);
  status = hap_pair_setup_handle (state->setup, body, len, g_get_monotonic_time (), &out);
  response->status = 200;
  response->content_type = CONTENT_TLV8;
  response->body = out;
  if (status != HAP_PAIR_SETUP_CONTINUE)
    g_clear_pointer (&state->setup, hap_pair_setup_free);
  if (status == HAP_PAIR_SETUP_PAIRED) {
    g_debug ("pair-setup: a controller was paired");
    hap_server_pairings_changed (server);
    hap_server_update_paired (server);
  }
}

static void
route_pair_verify (HapServer *server, RouteState *state, const HapHttpRequest *request,
    HapConnectionResponse *response)
{
  gsize len;
  const guint8 *body = g_bytes_get_data (request->body, &len);
  GBytes *out = NULL;
  HapPairVerifyStatus status;

  if (hap_connection_is_verified (state->connection)) {
    response->status = 400;
    return;
  }
  if (state->verify == NULL)
    state->verify = hap_pair_verify_new (&server->identity, server->pairings);
  status = hap_pair_verify_handle (state->verify, body, len, &out);
  response->status = 200;
  response->content_type = CONTENT_TLV8;
  response->body = out;
  if (status == HAP_PAIR_VERIFY_VERIFIED) {
    guint8 a2c[32];
    guint8 c2a[32];
    const char *id = hap_pair_verify_get_controller_id (state->verify);

    hap_pair_verify_get_session_keys (state->verify, a2c, c2a);
    hap_connection_start_session (
        state->connection, a2c, c2a, id, hap_pair_verify_get_shared_secret (state->verify));
    sodium_memzero (a2c, sizeof a2c);
    sodium_memzero (c2a, sizeof c2a);
    state->session = hap_db_session_new (server->db, id, FALSE);
    hap_db_session_set_user_data (state->session, state);
    session_refresh_admin (server, state);
    g_debug (
        "connection %" G_GUINT64_FORMAT ": verified", hap_connection_get_id (state->connection));
  }
  if (status != HAP_PAIR_VERIFY_CONTINUE)
    g_clear_pointer (&state->verify, hap_pair_verify_free);
}

static void
route_pairings (HapServer *server, RouteState *state, const HapHttpRequest *request,
    HapConnectionResponse *response)
{
  gsize len;
  const guint8 *body = g_bytes_get_data (request->body, &len);
  HapPairingsRequestResult result = { FALSE, NULL };
  const char *self_id = hap_connection_get_controller_id (state->connection);
  guint i;

  response->status = 200;
  response->content_type = CONTENT_TLV8;
  response->body = hap_pairings_request_handle (server->pairings, self_id, body, len, &result);
  if (result.changed)
    hap_server_pairings_changed (server);
  for (i = 0; result.removed_ids != NULL && i < result.removed_ids->len; i++) {
    const char *removed = result.removed_ids->pdata[i];
    /* The requester's own connection gets its response first (close after flush). */
    guint n = hap_transport_close_controller (server->transport, removed);
    g_debug ("pairing removed: %u sessions closed", n);
  }
  hap_pairings_request_result_clear (&result);
  if (hap_connection_is_closed (state->connection))
    response->close = TRUE;
  hap_server_update_paired (server);
}

static void
route_identify (HapServer *server, HapConnectionResponse *response)
{
  if (server->paired) {
    respond_json_status (response, 400, JSON_INSUFFICIENT_PRIVILEGES);
    return;
  }
  response->status = 204;
  g_signal_emit (server, hap_server_signals[HAP_SERVER_SIGNAL_IDENTIFY], 0);
}

static void
route_resource (HapServer *server, RouteState *state, const HapHttpRequest *request,
    HapConnectionResponse *response)
{
  gsize len;
  const guint8 *body = g_bytes_get_data (request->body, &len);
  GBytes *out = NULL;
  const char *content_type = NULL;

  if (server->resource_func == NULL) {
    response->status = 404;
    return;
  }
  response->status = server->resource_func (
      server, state->session, body, len, &out, &content_type, server->resource_data);
  response->body = out;
  response->content_type = content_type;
}

static void
route_request (HapConnection *connection, const HapHttpRequest *request,
    HapConnectionResponse *response, gpointer user_data)
{
  HapServer *server = user_data;
  RouteState *state = route_state_get (server, connection);
  gboolean post = g_str_equal (request->method, "POST");
  gboolean get = g_str_equal (request->method, "GET");
  gboolean put = g_str_equal (request->method, "PUT");
  const char *path = request->path;
  gsize len;
  const guint8 *body = g_bytes_get_data (request->body, &len);
  GBytes *out = NULL;

  if (post && g_str_equal (path, "/pair-setup")) {
    route_pair_setup (server, state, request, response);
    return;
  }
  if (post && g_str_equal (path, "/pair-verify")) {
    route_pair_verify (server, state, request, response);
    return;
  }
  if (post && g_str_equal (path, "/identify")) {
    route_identify (server, response);
    return;
  }
  if (state->session == NULL) {
    /* Not verified (only /identify passes the plaintext gate). */
    respond_json_status (response, 470, JSON_INSUFFICIENT_PRIVILEGES);
    return;
  }
  if (!session_refresh_admin (server, state)) {
    /* Its pairing was removed: nothing more is served on this session. */
    respond_json_status (response, 470, JSON_INSUFFICIENT_PRIVILEGES);
    return;
  }
  if (post && g_str_equal (path, "/pairings")) {
    route_pairings (server, state, request, response);
    return;
  }
  if (post && g_str_equal (path, "/resource")) {
    route_resource (server, state, request, response);
    return;
  }
  if (get && g_str_equal (path, "/accessories")) {
    response->status = hap_db_handle_get_accessories (server->db, state->session, &out);
  } else if (get && g_str_equal (path, "/characteristics")) {
    response->status = hap_db_handle_get_characteristics (
        server->db, state->session, request->query != NULL ? request->query : "", &out);
  } else if (put && g_str_equal (path, "/characteristics")) {
    response->status = hap_db_handle_put_characteristics (
        server->db, state->session, body, len, g_get_monotonic_time (), &out);
  } else if (put && g_str_equal (path, "/prepare")) {
    response->status = hap_db_handle_prepare (
        server->db, state->session, body, len, g_get_monotonic_time (), &out);
  } else {
    response->status = 404;
    return;
  }
  response->body = out;
  if (out != NULL)
    response->content_type = CONTENT_JSON;
}

static void
route_closed (HapConnection *connection, gpointer user_data)
{
  g_debug ("connection %" G_GUINT64_FORMAT ": routes released", hap_connection_get_id (connection));
}

static gboolean
route_allow_plaintext (HapConnection *connection, const HapHttpRequest *request, gpointer user_data)
{
  return g_str_equal (request->method, "POST") && g_str_equal (request->path, "/identify");
}

const HapConnectionHandler hap_server_routes = {
  route_request,
  route_closed,
  route_allow_plaintext,
};

static gboolean
on_events_due (gpointer user_data)
{
  RouteState *state = user_data;
  g_autoptr (GBytes) body = NULL;

  g_clear_pointer (&state->event_source, g_source_unref);
  if (state->session == NULL)
    return G_SOURCE_REMOVE;
  body = hap_db_session_take_event_body (state->session);
  if (body != NULL && !hap_connection_is_closed (state->connection))
    hap_connection_send_event (
        state->connection, g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  return G_SOURCE_REMOVE;
}

void
hap_server_routes_event_notify (HapDbSession *session, gboolean immediate, gpointer user_data)
{
  HapServer *server = user_data;
  RouteState *state = hap_db_session_get_user_data (session);
  gint64 delay_ms = 0;

  if (state == NULL)
    return;
  if (!immediate) {
    gint64 due = hap_db_session_get_event_due_us (session);
    if (due == G_MAXINT64)
      return;
    delay_ms = MAX (0, (due - g_get_monotonic_time () + 999) / 1000);
  }
  if (state->event_source != NULL) {
    if (!immediate)
      return; /* already scheduled for the earlier due time */
    g_source_destroy (state->event_source);
    g_clear_pointer (&state->event_source, g_source_unref);
  }
  state->event_source = g_timeout_source_new ((guint) MIN (delay_ms, G_MAXUINT));
  g_source_set_callback (state->event_source, on_events_due, state, NULL);
  g_source_attach (state->event_source, server->context);
}
