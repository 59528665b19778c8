/* libhap: advertises the accessory as `_hap._tcp` through the Avahi daemon (avahi-client with
 * avahi-glib on the caller's GMainContext).
 *
 * - The TXT record is built by hap_mdns_txt_build() (hap/mdns-txt.h). hap_mdns_set_paired() and
 *   hap_mdns_set_config_number() update it live (avahi_entry_group_update_service_txt).
 * - A name conflict on the network renames the service (avahi_alternative_service_name:
 *   "Camera" -> "Camera #2") and calls the name-changed callback with the new name.
 * - The daemon is optional: the client is started with AVAHI_CLIENT_NO_FAIL, so a missing daemon
 *   gives one g_warning, the accessory keeps working, and the service is registered as soon as
 *   the daemon appears (and again after a daemon restart). Without a system bus at all, the
 *   client is retried every HAP_MDNS_RETRY_SECONDS.
 * - By default the service is advertised on every interface the daemon uses;
 *   hap_mdns_set_interface() restricts it to one interface index, hap_mdns_set_loopback_only()
 *   to the loopback interface.
 *
 * All calls, and the callbacks, happen on the thread that runs `context`. */
#pragma once

#include <glib.h>

#include "hap/mdns-txt.h"

G_BEGIN_DECLS

#define HAP_MDNS_SERVICE_TYPE "_hap._tcp"
#define HAP_MDNS_RETRY_SECONDS 30
#define HAP_MDNS_INTERFACE_ANY (-1)

typedef enum {
  HAP_MDNS_STATE_STOPPED,     /* before hap_mdns_start() */
  HAP_MDNS_STATE_NO_DAEMON,   /* waiting for the Avahi daemon (or the system bus) to appear */
  HAP_MDNS_STATE_REGISTERING, /* the daemon probes the name */
  HAP_MDNS_STATE_ESTABLISHED, /* the service is announced */
  HAP_MDNS_STATE_FAILED,      /* the daemon refused the service (see the g_warning) */
} HapMdnsState;

typedef struct _HapMdns HapMdns;

/* The service name changed after a conflict. */
typedef void (*HapMdnsNameChangedFunc) (HapMdns *mdns, const char *name, gpointer user_data);
typedef void (*HapMdnsStateChangedFunc) (HapMdns *mdns, HapMdnsState state, gpointer user_data);

/* `name`: the service instance name (1..63 bytes of UTF-8); `port`: the HAP TCP port; `txt`:
 * copied. `context` NULL means the global default context. Nothing is advertised before
 * hap_mdns_start(). NULL on caller misuse (invalid name, port 0 or invalid txt). */
HapMdns *hap_mdns_new (
    GMainContext *context, const char *name, guint16 port, const HapMdnsTxt *txt);
/* Withdraws the service and disconnects from the daemon. */
void hap_mdns_free (HapMdns *mdns);

void hap_mdns_set_name_changed_callback (
    HapMdns *mdns, HapMdnsNameChangedFunc func, gpointer user_data, GDestroyNotify destroy);
void hap_mdns_set_state_changed_callback (
    HapMdns *mdns, HapMdnsStateChangedFunc func, gpointer user_data, GDestroyNotify destroy);

/* Advertise on interface index `ifindex` only (HAP_MDNS_INTERFACE_ANY: all). Call before
 * hap_mdns_start(), or later to re-register. */
void hap_mdns_set_interface (HapMdns *mdns, gint ifindex);
/* Advertise on the loopback interface only (found by its IFF_LOOPBACK flag). FALSE with a
 * g_warning when the system has none. */
gboolean hap_mdns_set_loopback_only (HapMdns *mdns);

/* Connects to the daemon and registers. Never fails: a missing daemon is waited for. */
void hap_mdns_start (HapMdns *mdns);

void hap_mdns_set_paired (HapMdns *mdns, gboolean paired);            /* sf */
void hap_mdns_set_config_number (HapMdns *mdns, guint config_number); /* c#: 1..65535 */

const char *hap_mdns_get_name (const HapMdns *mdns); /* after conflicts, the renamed name */
HapMdnsState hap_mdns_get_state (const HapMdns *mdns);
const HapMdnsTxt *hap_mdns_get_txt (const HapMdns *mdns);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HapMdns, hap_mdns_free)

G_END_DECLS
