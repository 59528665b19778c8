/* libhap: the listening side of the HAP accessory server (docs/hap-server.md, "Transport").
 *
 * HapTransport listens on TCP (IPv4 and IPv6), accepts connections up to a maximum and hands
 * each one's requests to a HapConnectionHandler (hap/connection.h). It knows nothing of pairing
 * or of the database: hap/server.c plugs the real routes in, tests plug in their own handlers.
 *
 * Threads: all sources are attached to the GMainContext given to hap_transport_new() (the
 * caller's; it is also pushed as the thread default while sources are created). Call every
 * function from the thread that runs that context, or while no thread runs it.
 */
#pragma once

#include <gio/gio.h>

#include "hap/connection.h"

G_BEGIN_DECLS

#define HAP_TRANSPORT_DEFAULT_MAX_CONNECTIONS 16
#define HAP_TRANSPORT_DEFAULT_MAX_OUTPUT_QUEUE (1024 * 1024)
#define HAP_TRANSPORT_DEFAULT_IDLE_TIMEOUT_MS 0

typedef struct {
  /* Address to bind ("127.0.0.1", "::1", "0.0.0.0", ...); NULL: every IPv6 and IPv4 address. */
  const char *bind_address;
  /* TCP port; 0 picks a free one (see hap_transport_get_port()). */
  guint16 port;
  /* Connections served at the same time; one more is accepted and closed at once, unless
   * closing the connections whose peer has already gone (not yet seen by the loop) makes room. */
  guint max_connections;
  /* Per connection: see HapConnectionConfig. */
  HapConnectionConfig connection;
} HapTransportConfig;

/* Fills `config` with the defaults (any address, port 0, HAP_TRANSPORT_DEFAULT_*, the HTTP
 * parser's default limits). */
void hap_transport_config_init (HapTransportConfig *config);

typedef struct _HapTransport HapTransport;

/* `config` is copied (bind_address too); `handler` must outlive the transport. `context` NULL
 * uses the global default context. */
HapTransport *hap_transport_new (const HapTransportConfig *config, GMainContext *context,
    const HapConnectionHandler *handler, gpointer user_data);
/* Stops and frees. */
void hap_transport_free (HapTransport *transport);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HapTransport, hap_transport_free)

/* Binds and listens. G_IO_ERROR_* on failure (e.g. address in use). */
gboolean hap_transport_start (HapTransport *transport, GError **error);
/* Stops listening and closes every connection (their handlers' `closed` run). Idempotent. */
void hap_transport_stop (HapTransport *transport);
/* The port listened on (the chosen one when the config said 0), 0 when not listening. */
guint16 hap_transport_get_port (const HapTransport *transport);

guint hap_transport_get_n_connections (const HapTransport *transport);
/* The open connection with this id, or NULL. No reference is added. */
HapConnection *hap_transport_lookup (const HapTransport *transport, guint64 id);
/* The open connections (a new array of borrowed pointers; free with g_ptr_array_unref()). */
GPtrArray *hap_transport_list_connections (const HapTransport *transport);
/* Closes every verified connection of `controller_id` (after it has flushed what is queued).
 * Returns how many. */
guint hap_transport_close_controller (HapTransport *transport, const char *controller_id);

G_END_DECLS
