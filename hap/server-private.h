/* libhap: HapServer internals shared by server.c and server-routes.c. */
#pragma once

#include "hap/accessory-db.h"
#include "hap/identity.h"
#include "hap/mdns.h"
#include "hap/pair-setup.h"
#include "hap/pairings.h"
#include "hap/server.h"
#include "hap/storage.h"
#include "hap/transport.h"

G_BEGIN_DECLS

struct _HapServer {
  GObject parent;

  HapServerConfig config; /* strings point to the copies below */
  gchar *bind_address;
  gchar *storage_dir;
  gchar *config_setup_code;
  gchar *config_setup_id;
  gchar *name;
  gchar *model;
  GMainContext *context;

  HapTransport *transport;
  HapStorage *storage;
  HapIdentity identity;
  HapPairings *pairings;
  HapPairSetupGuard guard;
  HapAccessoryDb *db;
  HapMdns *mdns;

  gchar *setup_code;
  gchar *setup_id;
  guint config_number;
  gchar *db_digest;       /* hex digest of the db layout the config number is for (config) */
  GSource *layout_source; /* pending check after the owner extended the db */
  gboolean paired;
  gboolean started;

  HapServerResourceFunc resource_func;
  gpointer resource_data;
  GDestroyNotify resource_destroy;
};

enum {
  HAP_SERVER_SIGNAL_SETUP_INFO,
  HAP_SERVER_SIGNAL_PAIRED_CHANGED,
  HAP_SERVER_SIGNAL_IDENTIFY,
  HAP_SERVER_N_SIGNALS
};
extern guint hap_server_signals[HAP_SERVER_N_SIGNALS];

/* server-routes.c: the connection handler of the transport. */
extern const HapConnectionHandler hap_server_routes;
/* The db's event notification (user data: the server). */
void hap_server_routes_event_notify (HapDbSession *session, gboolean immediate, gpointer user_data);

/* server.c: state changes the routes report. */
void hap_server_pairings_changed (HapServer *server);
/* Checks the paired state after a change of the pairings: signals, mDNS, reset. */
void hap_server_update_paired (HapServer *server);

G_END_DECLS
