/* libhap: the HAP accessory server (docs/hap-server.md, "Transport").
 *
 * HapServer ties the transport (hap/transport.h) to the protocol modules: it owns the accessory
 * identity, the pairings, the pair-setup guard, the accessory database and the storage
 * directory, routes every request (hap/server-routes.c), persists changes, closes the sessions
 * of removed controllers, resets to unpaired when the last admin pairing is removed and keeps
 * the mDNS advertisement (hap/mdns.h) in step with the paired state and the config number.
 *
 * Routes: POST /pair-setup, /pair-verify, /pairings; GET /accessories; GET and PUT
 * /characteristics; PUT /prepare; POST /identify (only while unpaired: 204, else 400 with
 * {"status":-70401}); POST /resource (the owner's hook, see hap_server_set_resource_func());
 * 404 for anything else. Before pair-verify only /pair-setup and /pair-verify are served (470).
 * Admin rights are those of the controller's pairing at each request, not at pair-verify: a
 * controller lowered to a user gets -70401 for admin-only characteristics and
 * kTLVError_Authentication from /pairings on the session it already has; a session whose
 * pairing was removed is closed (requests still in flight get 470).
 *
 * Storage items: `identity` (device id + Ed25519 key pair), `pairings`, `config` (config number,
 * setup code, setup id, digest of the database layout the config number is for; a GKeyFile). A
 * corrupt item is an error of hap_server_start(), never a silent reset.
 *
 * libhap prints nothing: the setup code, setup payload and its QR code come through the
 * "setup-info" signal, emitted by hap_server_start() and on every reset while unpaired.
 *
 * Signals (emitted in the server's context):
 *   "setup-info"     (const char *setup_code, const char *payload, const char *qr_text)
 *   "paired-changed" (gboolean paired)
 *   "identify"       () - POST /identify of an unpaired accessory
 *
 * Threads: like HapTransport, everything runs on the GMainContext of the config (NULL: the
 * thread-default context of the thread calling hap_server_new()); call the functions from the
 * thread that runs it.
 */
#pragma once

#include <glib-object.h>

#include "hap/accessory-db.h"
#include "hap/connection.h"

G_BEGIN_DECLS

typedef struct {
  GMainContext *context;
  const char *bind_address;    /* NULL: every address (IPv4 and IPv6) */
  guint16 port;                /* 0: a free port (hap_server_get_port()) */
  guint max_connections;       /* default 16 */
  guint idle_timeout_ms;       /* 0: never (default) */
  gsize max_output_queue;      /* per connection; default 1 MiB */
  const char *storage_dir;     /* required; created 0700 */
  const char *setup_code;      /* NULL: the stored one, else a new one (stored) */
  const char *setup_id;        /* NULL: the stored one, else a new one (stored) */
  const char *name;            /* mDNS instance name; default "HAP Accessory" */
  const char *model;           /* md; default "libhap" */
  guint category;              /* ci; default HAP_CATEGORY_IP_CAMERA */
  gboolean advertise;          /* publish _hap._tcp with Avahi (default FALSE) */
  gboolean mdns_loopback_only; /* restrict the advertisement to the loopback interface */
} HapServerConfig;

void hap_server_config_init (HapServerConfig *config);

#define HAP_TYPE_SERVER (hap_server_get_type ())
G_DECLARE_FINAL_TYPE (HapServer, hap_server, HAP, SERVER, GObject)

/* The config is copied. The database is empty: fill it (hap_server_get_db()) before
 * hap_server_start(). */
HapServer *hap_server_new (const HapServerConfig *config);
/* Opens the storage, loads or creates the identity, pairings and config, listens, advertises.
 * Emits "setup-info" when unpaired. */
gboolean hap_server_start (HapServer *server, GError **error);
/* Closes every connection, stops listening and advertising. Idempotent. */
void hap_server_stop (HapServer *server);
guint16 hap_server_get_port (HapServer *server);
HapAccessoryDb *hap_server_get_db (HapServer *server);
gboolean hap_server_is_paired (HapServer *server);
const char *hap_server_get_device_id (HapServer *server);
guint hap_server_get_config_number (HapServer *server);
/* The config number (c#, 1..65535, wrapping to 1) changes whenever the database's layout does
 * (hap_db_compute_digest(): accessories, services, characteristics and their meta, not the
 * values): hap_server_start() compares the layout with the one the stored c# is for and bumps
 * and persists c# when they differ (the first start: c# 1). The database may be extended
 * while the server runs (nothing can be removed from it): the server then checks again from
 * an idle source of its context and bumps once for the series of calls, mDNS included.
 * hap_server_bump_config_number() bumps unconditionally (for changes a controller must
 * re-read that the layout digest does not cover). */
void hap_server_bump_config_number (HapServer *server);
/* Open connections (all, and verified ones). */
guint hap_server_get_n_connections (HapServer *server);

/* For HDS: the verified connection that `session` belongs to, its controller id and the
 * pair-verify shared secret (32 bytes, copied to `shared_secret`). FALSE when the session's
 * connection is gone. */
gboolean hap_server_lookup_session (HapServer *server, HapDbSession *session, gchar **controller_id,
    guint8 shared_secret[HAP_CONNECTION_SHARED_SECRET_LEN]);

/* POST /resource: the owner answers with an HTTP status and a body (e.g. 200 + JPEG); the body
 * is freed by the server. Without a hook the server answers 404. */
typedef guint (*HapServerResourceFunc) (HapServer *server, HapDbSession *session,
    const guint8 *json, gsize len, GBytes **body, const char **content_type, gpointer user_data);
void hap_server_set_resource_func (
    HapServer *server, HapServerResourceFunc func, gpointer user_data, GDestroyNotify destroy);

G_END_DECLS
