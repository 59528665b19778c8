#include "hap/mdns.h"

#include <ifaddrs.h>
#include <net/if.h>
#include <string.h>

#include <avahi-client/client.h>
#include <avahi-client/publish.h>
#include <avahi-common/alternative.h>
#include <avahi-common/domain.h>
#include <avahi-common/error.h>
#include <avahi-common/malloc.h>
#include <avahi-common/strlst.h>
#include <avahi-glib/glib-watch.h>

struct _HapMdns {
  GMainContext *context;
  gchar *name;
  guint16 port;
  gint ifindex;

  HapMdnsTxt txt; /* the strings below are owned copies */
  gchar *device_id;
  gchar *model;
  gchar *setup_hash;

  AvahiGLibPoll *poll;
  AvahiClient *client;
  AvahiEntryGroup *group;
  GSource *retry;
  HapMdnsState state;
  gboolean warned;

  HapMdnsNameChangedFunc name_func;
  gpointer name_data;
  GDestroyNotify name_destroy;
  HapMdnsStateChangedFunc state_func;
  gpointer state_data;
  GDestroyNotify state_destroy;
};

static void client_connect (HapMdns *self);
static void register_service (HapMdns *self);

static void
set_state (HapMdns *self, HapMdnsState state)
{
  if (self->state == state)
    return;
  self->state = state;
  if (self->state_func != NULL)
    self->state_func (self, state, self->state_data);
}

static AvahiStringList *
build_txt (HapMdns *self)
{
  gchar **strings = hap_mdns_txt_build (&self->txt);
  AvahiStringList *list = avahi_string_list_new_from_array ((const char **) strings, -1);

  g_strfreev (strings);
  return list;
}

static void
rename_service (HapMdns *self)
{
  char *alternative = avahi_alternative_service_name (self->name);

  g_message ("mDNS service name \"%s\" is taken on the network; renaming to \"%s\"", self->name,
      alternative);
  g_free (self->name);
  self->name = g_strdup (alternative);
  avahi_free (alternative);
  if (self->name_func != NULL)
    self->name_func (self, self->name, self->name_data);
}

static void
group_callback (AvahiEntryGroup *group, AvahiEntryGroupState state, void *user_data)
{
  HapMdns *self = user_data;

  self->group = group;
  switch (state) {
    case AVAHI_ENTRY_GROUP_ESTABLISHED:
      g_debug (
          "mDNS: %s \"%s\" port %u established", HAP_MDNS_SERVICE_TYPE, self->name, self->port);
      set_state (self, HAP_MDNS_STATE_ESTABLISHED);
      break;
    case AVAHI_ENTRY_GROUP_COLLISION:
      rename_service (self);
      avahi_entry_group_reset (group);
      register_service (self);
      break;
    case AVAHI_ENTRY_GROUP_FAILURE:
      g_warning ("mDNS: the Avahi daemon cannot advertise \"%s\": %s", self->name,
          avahi_strerror (avahi_client_errno (avahi_entry_group_get_client (group))));
      set_state (self, HAP_MDNS_STATE_FAILED);
      break;
    case AVAHI_ENTRY_GROUP_UNCOMMITED:
    case AVAHI_ENTRY_GROUP_REGISTERING:
    default:
      break;
  }
}

/* Adds the service to the (empty) entry group and commits it. */
static void
register_service (HapMdns *self)
{
  AvahiStringList *txt;
  int ret;

  if (self->client == NULL || avahi_client_get_state (self->client) != AVAHI_CLIENT_S_RUNNING)
    return;
  if (self->group == NULL) {
    self->group = avahi_entry_group_new (self->client, group_callback, self);
    if (self->group == NULL) {
      g_warning ("mDNS: cannot create an Avahi entry group: %s",
          avahi_strerror (avahi_client_errno (self->client)));
      set_state (self, HAP_MDNS_STATE_FAILED);
      return;
    }
  }
  if (!avahi_entry_group_is_empty (self->group))
    return;

  txt = build_txt (self);
  for (;;) {
    ret = avahi_entry_group_add_service_strlst (self->group, self->ifindex, AVAHI_PROTO_UNSPEC, 0,
        self->name, HAP_MDNS_SERVICE_TYPE, NULL, NULL, self->port, txt);
    if (ret != AVAHI_ERR_COLLISION)
      break;
    rename_service (self); /* taken by another service of this host */
  }
  avahi_string_list_free (txt);
  if (ret >= 0)
    ret = avahi_entry_group_commit (self->group);
  if (ret < 0) {
    g_warning ("mDNS: cannot advertise \"%s\" (%s, port %u): %s", self->name, HAP_MDNS_SERVICE_TYPE,
        self->port, avahi_strerror (ret));
    avahi_entry_group_reset (self->group);
    set_state (self, HAP_MDNS_STATE_FAILED);
    return;
  }
  g_debug ("mDNS: registering %s \"%s\" port %u on interface %d", HAP_MDNS_SERVICE_TYPE, self->name,
      self->port, self->ifindex);
  set_state (self, HAP_MDNS_STATE_REGISTERING);
}

static void
drop_client (HapMdns *self)
{
  /* Freeing the client frees its entry groups. */
  self->group = NULL;
  if (self->client != NULL) {
    avahi_client_free (self->client);
    self->client = NULL;
  }
}

static gboolean
reconnect_idle (gpointer user_data)
{
  HapMdns *self = user_data;

  g_clear_pointer (&self->retry, g_source_unref);
  drop_client (self);
  client_connect (self);
  return G_SOURCE_REMOVE;
}

static void
client_callback (AvahiClient *client, AvahiClientState state, void *user_data)
{
  HapMdns *self = user_data;
  int err;

  /* The first call comes from inside avahi_client_new(), before it returned the pointer. */
  self->client = client;
  switch (state) {
    case AVAHI_CLIENT_S_RUNNING:
      if (self->warned)
        g_message ("mDNS: the Avahi daemon is available; advertising %s \"%s\"",
            HAP_MDNS_SERVICE_TYPE, self->name);
      self->warned = FALSE;
      register_service (self);
      break;
    case AVAHI_CLIENT_S_COLLISION:
    case AVAHI_CLIENT_S_REGISTERING:
      /* The daemon is (re)registering its host name: withdraw until it runs again. */
      if (self->group != NULL)
        avahi_entry_group_reset (self->group);
      set_state (self, HAP_MDNS_STATE_REGISTERING);
      break;
    case AVAHI_CLIENT_CONNECTING:
      if (!self->warned)
        g_warning ("mDNS: the Avahi daemon is not running; the accessory works but is not "
                   "advertised (%s \"%s\") until the daemon starts",
            HAP_MDNS_SERVICE_TYPE, self->name);
      self->warned = TRUE;
      set_state (self, HAP_MDNS_STATE_NO_DAEMON);
      break;
    case AVAHI_CLIENT_FAILURE:
      err = avahi_client_errno (client);
      if (err == AVAHI_ERR_DISCONNECTED) {
        /* The daemon went away: wait for it with a new client (avahi-common/defs.h). */
        if (!self->warned)
          g_warning ("mDNS: lost the Avahi daemon; %s \"%s\" is advertised again when it is back",
              HAP_MDNS_SERVICE_TYPE, self->name);
        self->warned = TRUE;
        set_state (self, HAP_MDNS_STATE_NO_DAEMON);
        /* Not from inside the client's own callback. */
        if (self->retry == NULL) {
          self->retry = g_idle_source_new ();
          g_source_set_callback (self->retry, reconnect_idle, self, NULL);
          g_source_attach (self->retry, self->context);
        }
      } else {
        g_warning ("mDNS: Avahi client failure: %s", avahi_strerror (err));
        set_state (self, HAP_MDNS_STATE_FAILED);
      }
      break;
    default:
      break;
  }
}

static gboolean
retry_timeout (gpointer user_data)
{
  HapMdns *self = user_data;

  g_clear_pointer (&self->retry, g_source_unref);
  client_connect (self);
  return G_SOURCE_REMOVE;
}

static void
client_connect (HapMdns *self)
{
  AvahiClient *client;
  int err = 0;

  client = avahi_client_new (
      avahi_glib_poll_get (self->poll), AVAHI_CLIENT_NO_FAIL, client_callback, self, &err);
  if (client != NULL) {
    self->client = client;
    return;
  }
  /* Even with NO_FAIL, a missing D-Bus system bus fails at once. */
  self->client = NULL;
  self->group = NULL;
  if (!self->warned)
    g_warning ("mDNS: cannot reach the Avahi daemon (%s); the accessory works but is not "
               "advertised; retrying every %d s",
        avahi_strerror (err), HAP_MDNS_RETRY_SECONDS);
  self->warned = TRUE;
  set_state (self, HAP_MDNS_STATE_NO_DAEMON);
  self->retry = g_timeout_source_new_seconds (HAP_MDNS_RETRY_SECONDS);
  g_source_set_callback (self->retry, retry_timeout, self, NULL);
  g_source_attach (self->retry, self->context);
}

HapMdns *
hap_mdns_new (GMainContext *context, const char *name, guint16 port, const HapMdnsTxt *txt)
{
  HapMdns *self;

  g_return_val_if_fail (name != NULL && g_utf8_validate (name, -1, NULL), NULL);
  g_return_val_if_fail (avahi_is_valid_service_name (name), NULL);
  g_return_val_if_fail (port != 0, NULL);
  g_return_val_if_fail (hap_mdns_txt_is_valid (txt), NULL);

  self = g_new0 (HapMdns, 1);
  self->context = g_main_context_ref (context != NULL ? context : g_main_context_default ());
  self->name = g_strdup (name);
  self->port = port;
  self->ifindex = HAP_MDNS_INTERFACE_ANY;
  self->txt = *txt;
  self->device_id = g_strdup (txt->device_id);
  self->model = g_strdup (txt->model);
  self->setup_hash = g_strdup (txt->setup_hash);
  self->txt.device_id = self->device_id;
  self->txt.model = self->model;
  self->txt.setup_hash = self->setup_hash;
  self->state = HAP_MDNS_STATE_STOPPED;
  return self;
}

void
hap_mdns_free (HapMdns *self)
{
  if (self == NULL)
    return;
  if (self->retry != NULL) {
    g_source_destroy (self->retry);
    g_source_unref (self->retry);
  }
  if (self->group != NULL)
    avahi_entry_group_free (self->group);
  self->group = NULL;
  if (self->client != NULL)
    avahi_client_free (self->client);
  if (self->poll != NULL)
    avahi_glib_poll_free (self->poll);
  if (self->name_destroy != NULL)
    self->name_destroy (self->name_data);
  if (self->state_destroy != NULL)
    self->state_destroy (self->state_data);
  g_main_context_unref (self->context);
  g_free (self->name);
  g_free (self->device_id);
  g_free (self->model);
  g_free (self->setup_hash);
  g_free (self);
}

void
hap_mdns_set_name_changed_callback (
    HapMdns *self, HapMdnsNameChangedFunc func, gpointer user_data, GDestroyNotify destroy)
{
  g_return_if_fail (self != NULL);
  if (self->name_destroy != NULL)
    self->name_destroy (self->name_data);
  self->name_func = func;
  self->name_data = user_data;
  self->name_destroy = destroy;
}

void
hap_mdns_set_state_changed_callback (
    HapMdns *self, HapMdnsStateChangedFunc func, gpointer user_data, GDestroyNotify destroy)
{
  g_return_if_fail (self != NULL);
  if (self->state_destroy != NULL)
    self->state_destroy (self->state_data);
  self->state_func = func;
  self->state_data = user_data;
  self->state_destroy = destroy;
}

/* Withdraws and registers again (interface change). */
static void
reregister (HapMdns *self)
{
  if (self->group != NULL && !avahi_entry_group_is_empty (self->group)) {
    avahi_entry_group_reset (self->group);
    register_service (self);
  }
}

void
hap_mdns_set_interface (HapMdns *self, gint ifindex)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (ifindex == HAP_MDNS_INTERFACE_ANY || ifindex > 0);
  if (self->ifindex == ifindex)
    return;
  self->ifindex = ifindex;
  reregister (self);
}

gboolean
hap_mdns_set_loopback_only (HapMdns *self)
{
  struct ifaddrs *addrs = NULL, *a;
  guint ifindex = 0;

  g_return_val_if_fail (self != NULL, FALSE);
  if (getifaddrs (&addrs) == 0) {
    for (a = addrs; a != NULL && ifindex == 0; a = a->ifa_next)
      if ((a->ifa_flags & IFF_LOOPBACK) != 0 && a->ifa_name != NULL)
        ifindex = if_nametoindex (a->ifa_name);
    freeifaddrs (addrs);
  }
  if (ifindex == 0 || ifindex > G_MAXINT) {
    g_warning ("mDNS: no loopback interface found");
    return FALSE;
  }
  hap_mdns_set_interface (self, (gint) ifindex);
  return TRUE;
}

void
hap_mdns_start (HapMdns *self)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (self->poll == NULL);

  self->poll = avahi_glib_poll_new (self->context, G_PRIORITY_DEFAULT);
  client_connect (self);
}

/* The TXT record changed: update it in place, or re-register when the daemon refuses. */
static void
update_txt (HapMdns *self)
{
  AvahiStringList *txt;
  int ret;

  if (self->group == NULL || avahi_entry_group_is_empty (self->group))
    return; /* the next registration uses the new record */
  txt = build_txt (self);
  ret = avahi_entry_group_update_service_txt_strlst (self->group, self->ifindex, AVAHI_PROTO_UNSPEC,
      0, self->name, HAP_MDNS_SERVICE_TYPE, NULL, txt);
  avahi_string_list_free (txt);
  if (ret < 0) {
    g_debug ("mDNS: TXT update refused (%s); registering again", avahi_strerror (ret));
    reregister (self);
  }
}

void
hap_mdns_set_paired (HapMdns *self, gboolean paired)
{
  g_return_if_fail (self != NULL);
  paired = !!paired;
  if (self->txt.paired == paired)
    return;
  self->txt.paired = paired;
  update_txt (self);
}

void
hap_mdns_set_config_number (HapMdns *self, guint config_number)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (config_number >= 1 && config_number <= HAP_MDNS_CONFIG_NUMBER_MAX);
  if (self->txt.config_number == config_number)
    return;
  self->txt.config_number = config_number;
  update_txt (self);
}

const char *
hap_mdns_get_name (const HapMdns *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->name;
}

HapMdnsState
hap_mdns_get_state (const HapMdns *self)
{
  g_return_val_if_fail (self != NULL, HAP_MDNS_STATE_STOPPED);
  return self->state;
}

const HapMdnsTxt *
hap_mdns_get_txt (const HapMdns *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return &self->txt;
}
