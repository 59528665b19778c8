/* libhap: the HAP accessory server (see server.h). */
#include "hap/server-private.h"

#include <string.h>

#include "hap/setup-payload.h"
#include "hap/setup-qr.h"

#define ITEM_IDENTITY "identity"
#define ITEM_PAIRINGS "pairings"
#define ITEM_CONFIG "config"
#define CONFIG_GROUP "server"

guint hap_server_signals[HAP_SERVER_N_SIGNALS];

G_DEFINE_FINAL_TYPE (HapServer, hap_server, G_TYPE_OBJECT)

void
hap_server_config_init (HapServerConfig *config)
{
  g_return_if_fail (config != NULL);

  memset (config, 0, sizeof *config);
  config->max_connections = HAP_TRANSPORT_DEFAULT_MAX_CONNECTIONS;
  config->idle_timeout_ms = HAP_TRANSPORT_DEFAULT_IDLE_TIMEOUT_MS;
  config->max_output_queue = HAP_TRANSPORT_DEFAULT_MAX_OUTPUT_QUEUE;
  config->name = "HAP Accessory";
  config->model = "libhap";
  config->category = HAP_CATEGORY_IP_CAMERA;
}

static void
hap_server_finalize (GObject *object)
{
  HapServer *self = HAP_SERVER (object);

  hap_server_stop (self);
  if (self->resource_destroy != NULL)
    self->resource_destroy (self->resource_data);
  g_clear_pointer (&self->storage, hap_storage_free);
  g_clear_pointer (&self->db, hap_db_free);
  g_clear_pointer (&self->pairings, hap_pairings_free);
  hap_identity_clear (&self->identity);
  g_main_context_unref (self->context);
  g_free (self->bind_address);
  g_free (self->storage_dir);
  g_free (self->config_setup_code);
  g_free (self->config_setup_id);
  g_free (self->name);
  g_free (self->model);
  g_free (self->setup_code);
  g_free (self->setup_id);
  g_free (self->db_digest);
  G_OBJECT_CLASS (hap_server_parent_class)->finalize (object);
}

static void
hap_server_class_init (HapServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = hap_server_finalize;
  hap_server_signals[HAP_SERVER_SIGNAL_SETUP_INFO]
      = g_signal_new ("setup-info", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
          NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING);
  hap_server_signals[HAP_SERVER_SIGNAL_PAIRED_CHANGED]
      = g_signal_new ("paired-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
          NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);
  hap_server_signals[HAP_SERVER_SIGNAL_IDENTIFY] = g_signal_new ("identify",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void on_layout_changed (HapAccessoryDb *db, gpointer user_data);

static void
hap_server_init (HapServer *self)
{
  self->pairings = hap_pairings_new ();
  self->db = hap_db_new ();
  hap_db_set_event_notify (self->db, hap_server_routes_event_notify, self);
  hap_db_set_layout_notify (self->db, on_layout_changed, self);
}

HapServer *
hap_server_new (const HapServerConfig *config)
{
  HapServer *self;

  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (config->storage_dir != NULL, NULL);
  g_return_val_if_fail (config->max_connections > 0, NULL);

  self = g_object_new (HAP_TYPE_SERVER, NULL);
  self->config = *config;
  self->bind_address = g_strdup (config->bind_address);
  self->storage_dir = g_strdup (config->storage_dir);
  self->config_setup_code = g_strdup (config->setup_code);
  self->config_setup_id = g_strdup (config->setup_id);
  self->name = g_strdup (config->name != NULL ? config->name : "HAP Accessory");
  self->model = g_strdup (config->model != NULL ? config->model : "libhap");
  self->config.bind_address = self->bind_address;
  self->config.storage_dir = self->storage_dir;
  self->config.setup_code = self->config_setup_code;
  self->config.setup_id = self->config_setup_id;
  self->config.name = self->name;
  self->config.model = self->model;
  if (self->config.category == 0)
    self->config.category = HAP_CATEGORY_IP_CAMERA;
  if (self->config.max_output_queue == 0)
    self->config.max_output_queue = HAP_TRANSPORT_DEFAULT_MAX_OUTPUT_QUEUE;
  self->context = config->context != NULL ? g_main_context_ref (config->context)
                                          : g_main_context_ref_thread_default ();
  self->config.context = self->context;
  return self;
}

/* ---- persistence ---- */

static gboolean
save_item (HapServer *self, const char *name, GBytes *value)
{
  g_autoptr (GError) error = NULL;

  if (!hap_storage_set (self->storage, name, value, &error)) {
    g_warning ("could not save %s: %s", name, error->message);
    return FALSE;
  }
  return TRUE;
}

static void
save_config (HapServer *self)
{
  g_autoptr (GKeyFile) file = g_key_file_new ();
  g_autofree gchar *data = NULL;
  gsize len = 0;

  g_key_file_set_integer (file, CONFIG_GROUP, "config-number", (gint) self->config_number);
  g_key_file_set_string (file, CONFIG_GROUP, "setup-code", self->setup_code);
  g_key_file_set_string (file, CONFIG_GROUP, "setup-id", self->setup_id);
  if (self->db_digest != NULL)
    g_key_file_set_string (file, CONFIG_GROUP, "db-digest", self->db_digest);
  data = g_key_file_to_data (file, &len, NULL);
  save_item (self, ITEM_CONFIG, g_bytes_new_take (g_steal_pointer (&data), len));
}

void
hap_server_pairings_changed (HapServer *server)
{
  g_autoptr (GBytes) value = hap_pairings_serialize (server->pairings);

  save_item (server, ITEM_PAIRINGS, value);
}

static void
emit_setup_info (HapServer *self)
{
  g_autofree gchar *payload = hap_setup_payload_build (
      self->setup_code, self->setup_id, self->config.category, HAP_SETUP_FLAG_IP);
  g_autofree gchar *qr = NULL;
  g_autoptr (GError) error = NULL;

  if (payload != NULL)
    qr = hap_setup_qr_render (payload, HAP_SETUP_QR_BLOCKS, &error);
  if (qr == NULL && error != NULL)
    g_debug ("no QR code: %s", error->message);
  g_signal_emit (
      self, hap_server_signals[HAP_SERVER_SIGNAL_SETUP_INFO], 0, self->setup_code, payload, qr);
}

/* Paired-state notification: the mDNS hook. */
static void
mdns_update (HapServer *self)
{
  if (self->mdns == NULL)
    return;
  hap_mdns_set_paired (self->mdns, self->paired);
  hap_mdns_set_config_number (self->mdns, self->config_number);
}

void
hap_server_update_paired (HapServer *server)
{
  gboolean paired = hap_pairings_has_admin (server->pairings);

  if (!paired && hap_pairings_count (server->pairings) > 0) {
    /* The last admin was removed: reset to unpaired. */
    g_autoptr (GPtrArray) open = NULL;
    guint i;

    g_debug ("no admin pairing left: resetting to unpaired");
    hap_pairings_clear (server->pairings);
    hap_server_pairings_changed (server);
    open = hap_transport_list_connections (server->transport);
    for (i = 0; i < open->len; i++)
      if (hap_connection_is_verified (open->pdata[i]))
        hap_connection_close_after_flush (open->pdata[i]);
  }
  if (paired == server->paired)
    return;
  server->paired = paired;
  g_debug ("paired: %d", paired);
  mdns_update (server);
  g_signal_emit (server, hap_server_signals[HAP_SERVER_SIGNAL_PAIRED_CHANGED], 0, paired);
  if (!paired)
    emit_setup_info (server);
}

/* ---- config number (c#) ---- */

static gchar *
db_digest_hex (HapServer *self)
{
  guint8 digest[HAP_DB_DIGEST_LEN];
  GString *hex = g_string_sized_new (2 * HAP_DB_DIGEST_LEN);
  guint i;

  hap_db_compute_digest (self->db, digest);
  for (i = 0; i < HAP_DB_DIGEST_LEN; i++)
    g_string_append_printf (hex, "%02x", digest[i]);
  return g_string_free (hex, FALSE);
}

/* Bumps and persists c# when the database's layout is not the one the stored c# is for
 * (PROTOCOL.md section 1: c# changes whenever the accessory database does). */
static void
update_config_number (HapServer *self)
{
  g_autofree gchar *digest = db_digest_hex (self);

  if (g_strcmp0 (digest, self->db_digest) == 0)
    return;
  g_free (self->db_digest);
  self->db_digest = g_steal_pointer (&digest);
  self->config_number = hap_mdns_config_number_next (self->config_number);
  g_debug ("database layout changed: config number %u", self->config_number);
  save_config (self);
  mdns_update (self);
}

static gboolean
on_layout_idle (gpointer user_data)
{
  HapServer *self = user_data;

  g_clear_pointer (&self->layout_source, g_source_unref);
  update_config_number (self);
  return G_SOURCE_REMOVE;
}

/* The owner extended the database while the server runs: check (once for a series of calls)
 * from the server's context. Before hap_server_start() the start does the check. */
static void
on_layout_changed (HapAccessoryDb *db, gpointer user_data)
{
  HapServer *self = user_data;

  if (!self->started || self->layout_source != NULL)
    return;
  self->layout_source = g_idle_source_new ();
  g_source_set_callback (self->layout_source, on_layout_idle, self, NULL);
  g_source_attach (self->layout_source, self->context);
}

static gboolean
load_state (HapServer *self, GError **error)
{
  g_autoptr (GBytes) identity = NULL;
  g_autoptr (GBytes) pairings = NULL;
  g_autoptr (GBytes) config = NULL;
  g_autoptr (GKeyFile) file = g_key_file_new ();
  gboolean config_dirty = FALSE;

  identity = hap_storage_get (self->storage, ITEM_IDENTITY, error);
  if (identity == NULL && error != NULL && *error != NULL)
    return FALSE;
  if (identity != NULL) {
    if (!hap_identity_deserialize (
            &self->identity, g_bytes_get_data (identity, NULL), g_bytes_get_size (identity), error))
      return FALSE;
  } else {
    g_autoptr (GBytes) value = NULL;
    hap_identity_generate (&self->identity);
    value = hap_identity_serialize (&self->identity);
    if (!hap_storage_set (self->storage, ITEM_IDENTITY, value, error))
      return FALSE;
  }

  pairings = hap_storage_get (self->storage, ITEM_PAIRINGS, error);
  if (pairings == NULL && error != NULL && *error != NULL)
    return FALSE;
  if (pairings != NULL) {
    HapPairings *loaded = hap_pairings_deserialize (
        g_bytes_get_data (pairings, NULL), g_bytes_get_size (pairings), error);
    if (loaded == NULL)
      return FALSE;
    hap_pairings_free (self->pairings);
    self->pairings = loaded;
  }

  config = hap_storage_get (self->storage, ITEM_CONFIG, error);
  if (config == NULL && error != NULL && *error != NULL)
    return FALSE;
  if (config != NULL) {
    if (!g_key_file_load_from_data (file, g_bytes_get_data (config, NULL),
            g_bytes_get_size (config), G_KEY_FILE_NONE, error))
      return FALSE;
    self->config_number
        = (guint) g_key_file_get_integer (file, CONFIG_GROUP, "config-number", NULL);
    self->setup_code = g_key_file_get_string (file, CONFIG_GROUP, "setup-code", NULL);
    self->setup_id = g_key_file_get_string (file, CONFIG_GROUP, "setup-id", NULL);
    self->db_digest = g_key_file_get_string (file, CONFIG_GROUP, "db-digest", NULL);
  } else {
    /* The first start: c# 1 is for the database as it is now. */
    self->db_digest = db_digest_hex (self);
  }
  if (self->config_number < 1 || self->config_number > HAP_MDNS_CONFIG_NUMBER_MAX) {
    self->config_number = 1;
    config_dirty = TRUE;
  }
  if (self->config.setup_code != NULL
      && g_strcmp0 (self->config.setup_code, self->setup_code) != 0) {
    g_free (self->setup_code);
    self->setup_code = g_strdup (self->config.setup_code);
    config_dirty = TRUE;
  }
  if (self->setup_code == NULL || !hap_setup_code_validate (self->setup_code, NULL)) {
    g_free (self->setup_code);
    self->setup_code = hap_setup_code_generate ();
    config_dirty = TRUE;
  }
  if (self->config.setup_id != NULL && g_strcmp0 (self->config.setup_id, self->setup_id) != 0) {
    g_free (self->setup_id);
    self->setup_id = g_strdup (self->config.setup_id);
    config_dirty = TRUE;
  }
  if (self->setup_id == NULL || !hap_setup_id_validate (self->setup_id, NULL)) {
    g_free (self->setup_id);
    self->setup_id = hap_setup_id_generate ();
    config_dirty = TRUE;
  }
  if (config_dirty)
    save_config (self);
  self->paired = hap_pairings_has_admin (self->pairings);
  return TRUE;
}

gboolean
hap_server_start (HapServer *server, GError **error)
{
  HapServer *self = server;
  HapTransportConfig tconfig;

  g_return_val_if_fail (HAP_IS_SERVER (server), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  g_return_val_if_fail (!server->started, FALSE);

  if (self->config.setup_code != NULL && !hap_setup_code_validate (self->config.setup_code, error))
    return FALSE;
  if (self->config.setup_id != NULL && !hap_setup_id_validate (self->config.setup_id, error))
    return FALSE;
  if (self->storage == NULL) {
    self->storage = hap_storage_open (self->storage_dir, error);
    if (self->storage == NULL)
      return FALSE;
    if (!load_state (self, error)) {
      g_clear_pointer (&self->storage, hap_storage_free);
      return FALSE;
    }
  }

  update_config_number (self);

  hap_transport_config_init (&tconfig);
  tconfig.bind_address = self->config.bind_address;
  tconfig.port = self->config.port;
  tconfig.max_connections = self->config.max_connections;
  tconfig.connection.idle_timeout_ms = self->config.idle_timeout_ms;
  tconfig.connection.max_output_queue = self->config.max_output_queue;
  self->transport = hap_transport_new (&tconfig, self->context, &hap_server_routes, self);
  if (!hap_transport_start (self->transport, error)) {
    g_clear_pointer (&self->transport, hap_transport_free);
    return FALSE;
  }
  self->started = TRUE;

  if (self->config.advertise) {
    g_autofree gchar *sh = hap_setup_hash_txt (self->setup_id, self->identity.device_id);
    HapMdnsTxt txt = { self->config_number, 0, self->identity.device_id, self->model,
      self->config.category, self->paired, sh };
    self->mdns
        = hap_mdns_new (self->context, self->name, hap_transport_get_port (self->transport), &txt);
    if (self->config.mdns_loopback_only)
      hap_mdns_set_loopback_only (self->mdns);
    hap_mdns_start (self->mdns);
  }
  if (!self->paired)
    emit_setup_info (self);
  return TRUE;
}

void
hap_server_stop (HapServer *server)
{
  g_return_if_fail (HAP_IS_SERVER (server));

  g_clear_pointer (&server->mdns, hap_mdns_free);
  if (server->layout_source != NULL) {
    g_source_destroy (server->layout_source);
    g_clear_pointer (&server->layout_source, g_source_unref);
  }
  if (server->transport != NULL) {
    hap_transport_stop (server->transport);
    g_clear_pointer (&server->transport, hap_transport_free);
  }
  server->started = FALSE;
}

guint16
hap_server_get_port (HapServer *server)
{
  g_return_val_if_fail (HAP_IS_SERVER (server), 0);
  return server->transport != NULL ? hap_transport_get_port (server->transport) : 0;
}

HapAccessoryDb *
hap_server_get_db (HapServer *server)
{
  g_return_val_if_fail (HAP_IS_SERVER (server), NULL);
  return server->db;
}

gboolean
hap_server_is_paired (HapServer *server)
{
  g_return_val_if_fail (HAP_IS_SERVER (server), FALSE);
  return server->paired;
}

const char *
hap_server_get_device_id (HapServer *server)
{
  g_return_val_if_fail (HAP_IS_SERVER (server), NULL);
  return server->storage != NULL ? server->identity.device_id : NULL;
}

guint
hap_server_get_config_number (HapServer *server)
{
  g_return_val_if_fail (HAP_IS_SERVER (server), 0);
  return server->config_number;
}

void
hap_server_bump_config_number (HapServer *server)
{
  g_return_if_fail (HAP_IS_SERVER (server));
  server->config_number = hap_mdns_config_number_next (server->config_number);
  g_free (server->db_digest);
  server->db_digest = db_digest_hex (server);
  if (server->storage != NULL)
    save_config (server);
  mdns_update (server);
}

guint
hap_server_get_n_connections (HapServer *server)
{
  g_return_val_if_fail (HAP_IS_SERVER (server), 0);
  return server->transport != NULL ? hap_transport_get_n_connections (server->transport) : 0;
}

gboolean
hap_server_lookup_session (HapServer *server, HapDbSession *session, gchar **controller_id,
    guint8 shared_secret[HAP_CONNECTION_SHARED_SECRET_LEN])
{
  g_autoptr (GPtrArray) open = NULL;
  guint i;

  g_return_val_if_fail (HAP_IS_SERVER (server), FALSE);
  g_return_val_if_fail (session != NULL, FALSE);
  if (server->transport == NULL)
    return FALSE;
  /* The routes keep the session's connection state as the session's user data; find the
   * connection whose state it is. */
  open = hap_transport_list_connections (server->transport);
  for (i = 0; i < open->len; i++) {
    HapConnection *connection = open->pdata[i];
    if (hap_connection_get_data (connection) == hap_db_session_get_user_data (session)
        && hap_connection_is_verified (connection) && !hap_connection_is_closed (connection)) {
      if (controller_id != NULL)
        *controller_id = g_strdup (hap_connection_get_controller_id (connection));
      if (shared_secret != NULL)
        memcpy (shared_secret, hap_connection_get_shared_secret (connection),
            HAP_CONNECTION_SHARED_SECRET_LEN);
      return TRUE;
    }
  }
  return FALSE;
}

void
hap_server_set_resource_func (
    HapServer *server, HapServerResourceFunc func, gpointer user_data, GDestroyNotify destroy)
{
  g_return_if_fail (HAP_IS_SERVER (server));
  if (server->resource_destroy != NULL)
    server->resource_destroy (server->resource_data);
  server->resource_func = func;
  server->resource_data = user_data;
  server->resource_destroy = destroy;
}
