/* hksv-hub pair, unpair, list-pairings: the controller's pairings with an accessory. */
#include "tools/hub-commands.h"

#include <string.h>

#include "hap/pairing-tlv.h"

static gchar *
hex (const guint8 *data, gsize len)
{
  GString *out = g_string_sized_new (len * 2);
  for (gsize i = 0; i < len; i++)
    g_string_append_printf (out, "%02x", data[i]);
  return g_string_free (out, FALSE);
}

int
hub_cmd_pair (HubContext *ctx, int argc, char **argv)
{
  g_autoptr (HapControllerStore) store = NULL;
  g_autoptr (HapClient) client = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *host = NULL;
  g_autofree gchar *ltpk = NULL;
  HapControllerIdentity identity;
  HapControllerPairing pairing = { 0 };
  HapAccessoryRecord record = { 0 };
  HapAccessoryRecord old;
  guint16 port;
  gboolean ok;

  if (argc != 3) {
    hub_error (ctx, "usage: hksv-hub pair HOST:PORT CODE");
    return hub_finish (ctx, HUB_EXIT_USAGE);
  }
  if (!hap_client_parse_address (argv[1], &host, &port, &error)) {
    hub_error (ctx, "%s", error->message);
    return hub_finish (ctx, HUB_EXIT_USAGE);
  }
  store = hub_open_store (ctx, &error);
  if (store == NULL || !hap_controller_store_get_identity (store, 0, TRUE, &identity, &error)) {
    hub_error (ctx, "state directory: %s", error->message);
    return hub_finish (ctx, HUB_EXIT_ERROR);
  }
  json_object_set_string_member (ctx->report, "controller_id", identity.id);
  client = hap_client_connect (host, port, hub_timeout_ms (ctx), &error);
  if (client == NULL) {
    hub_error (ctx, "%s", error->message);
    hap_controller_identity_clear (&identity);
    return hub_finish (ctx, HUB_EXIT_ERROR);
  }
  ok = hap_client_pair_setup (client, argv[2], identity.id, identity.ltsk, &pairing, &error)
       && hap_client_pair_verify (client, &pairing, &error);
  hap_controller_identity_clear (&identity);
  if (!ok) {
    hub_error (ctx, "%s", error->message);
    hap_controller_pairing_clear (&pairing);
    return hub_finish (ctx, hub_exit_for_error (error));
  }
  g_strlcpy (record.accessory_id, pairing.accessory_id, sizeof record.accessory_id);
  memcpy (record.accessory_ltpk, pairing.accessory_ltpk, 32);
  g_strlcpy (record.host, host, sizeof record.host);
  record.port = port;
  record.controllers = 1;
  hap_controller_pairing_clear (&pairing);
  /* A re-pairing (after a reset of the accessory) forgets the extra hubs of the old pairing. */
  if (hap_controller_store_find (store, record.accessory_id, &old, NULL))
    hub_note (ctx, "replacing the stored pairing of %s", record.accessory_id);
  if (!hap_controller_store_save (store, &record, &error)) {
    hub_error (ctx, "paired, but the pairing could not be stored: %s", error->message);
    return hub_finish (ctx, HUB_EXIT_ERROR);
  }
  ltpk = hex (record.accessory_ltpk, 32);
  json_object_set_string_member (ctx->report, "accessory", record.accessory_id);
  json_object_set_string_member (ctx->report, "accessory_ltpk", ltpk);
  json_object_set_string_member (ctx->report, "address", argv[1]);
  json_object_set_boolean_member (ctx->report, "verified", TRUE);
  hub_print (
      ctx, "paired with %s at %s (pair-setup and pair-verify done)", record.accessory_id, argv[1]);
  hub_print (ctx, "accessory LTPK %s", ltpk);
  hub_print (ctx, "state stored in %s", ctx->state_dir);
  return hub_finish (ctx, HUB_EXIT_OK);
}

int
hub_cmd_unpair (HubContext *ctx, gboolean local_only, int argc, char **argv)
{
  g_autoptr (HapControllerStore) store = NULL;
  g_autoptr (HapClient) client = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonArray) removed = json_array_new ();
  HapAccessoryRecord record;

  if (argc != 1) {
    hub_error (ctx, "usage: hksv-hub unpair [--local]");
    return hub_finish (ctx, HUB_EXIT_USAGE);
  }
  store = hub_open_store (ctx, &error);
  if (store == NULL) {
    hub_error (ctx, "state directory: %s", error->message);
    return hub_finish (ctx, HUB_EXIT_ERROR);
  }
  if (local_only) {
    if (!hap_controller_store_find (store, ctx->accessory, &record, &error)) {
      hub_error (ctx, "%s", error->message);
      return hub_finish (ctx, HUB_EXIT_ERROR);
    }
  } else {
    client = hub_connect_default (ctx, store, &record, &error);
    if (client == NULL) {
      hub_error (ctx, "%s (use --local to only forget the pairing here)", error->message);
      return hub_finish (ctx, hub_exit_for_error (error));
    }
    /* The extra hubs first: removing the last admin (identity 0) resets the accessory. */
    for (gint i = HAP_CONTROLLER_MAX_IDENTITIES - 1; i >= 0; i--) {
      HapControllerIdentity identity;

      if (!(record.controllers & (1u << i)))
        continue;
      if (!hap_controller_store_get_identity (store, (guint) i, FALSE, &identity, &error)) {
        hub_error (ctx, "identity %d: %s", i, error ? error->message : "missing");
        return hub_finish (ctx, HUB_EXIT_ERROR);
      }
      if (!hap_client_remove_pairing (client, identity.id, &error)) {
        hub_error (ctx, "removing %s: %s", identity.id, error->message);
        hap_controller_identity_clear (&identity);
        return hub_finish (ctx, hub_exit_for_error (error));
      }
      json_array_add_string_element (removed, identity.id);
      hub_print (ctx, "removed pairing %s (hub %d)", identity.id, i + 1);
      hap_controller_identity_clear (&identity);
    }
  }
  if (!hap_controller_store_remove (store, record.accessory_id, &error)) {
    hub_error (ctx, "%s", error->message);
    return hub_finish (ctx, HUB_EXIT_ERROR);
  }
  json_object_set_string_member (ctx->report, "accessory", record.accessory_id);
  json_object_set_array_member (ctx->report, "removed", g_steal_pointer (&removed));
  json_object_set_boolean_member (ctx->report, "local_only", local_only);
  hub_print (ctx, "forgot %s%s", record.accessory_id,
      local_only ? " (here only: the accessory still lists the pairing)" : "");
  return hub_finish (ctx, HUB_EXIT_OK);
}

int
hub_cmd_list_pairings (HubContext *ctx, int argc, char **argv)
{
  g_autoptr (HapControllerStore) store = NULL;
  g_autoptr (HapClient) client = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) list = NULL;
  g_autoptr (GPtrArray) stored = NULL;
  g_autoptr (JsonArray) out = json_array_new ();
  g_autoptr (JsonArray) local = json_array_new ();
  HapAccessoryRecord record;
  gchar *ours[HAP_CONTROLLER_MAX_IDENTITIES] = { NULL };

  if (argc != 1) {
    hub_error (ctx, "usage: hksv-hub list-pairings");
    return hub_finish (ctx, HUB_EXIT_USAGE);
  }
  store = hub_open_store (ctx, &error);
  if (store == NULL || (stored = hap_controller_store_list (store, &error)) == NULL) {
    hub_error (ctx, "state directory: %s", error->message);
    return hub_finish (ctx, HUB_EXIT_ERROR);
  }
  for (guint i = 0; i < stored->len; i++) {
    const HapAccessoryRecord *r = g_ptr_array_index (stored, i);
    g_autoptr (JsonObject) o = json_object_new ();
    g_autofree gchar *address
        = g_strdup_printf (strchr (r->host, ':') ? "[%s]:%u" : "%s:%u", r->host, r->port);

    json_object_set_string_member (o, "accessory", r->accessory_id);
    json_object_set_string_member (o, "address", address);
    json_object_set_int_member (o, "controllers_mask", r->controllers);
    json_array_add_object_element (local, g_steal_pointer (&o));
    hub_print (ctx, "stored: %s at %s", r->accessory_id, address);
  }
  json_object_set_array_member (ctx->report, "stored", g_steal_pointer (&local));
  for (guint i = 0; i < HAP_CONTROLLER_MAX_IDENTITIES; i++) {
    HapControllerIdentity identity;
    if (hap_controller_store_get_identity (store, i, FALSE, &identity, NULL))
      ours[i] = g_strdup (identity.id);
    hap_controller_identity_clear (&identity);
  }
  client = hub_connect_default (ctx, store, &record, &error);
  if (client == NULL || (list = hap_client_list_pairings (client, &error)) == NULL) {
    hub_error (ctx, "%s", error->message);
    for (guint i = 0; i < HAP_CONTROLLER_MAX_IDENTITIES; i++)
      g_free (ours[i]);
    return hub_finish (ctx, hub_exit_for_error (error));
  }
  hub_print (ctx, "pairings of %s:", record.accessory_id);
  for (guint i = 0; i < list->len; i++) {
    const HapPairing *p = &g_array_index (list, HapPairing, i);
    g_autoptr (JsonObject) o = json_object_new ();
    g_autofree gchar *key = hex (p->ltpk, 32);
    gint hub = -1;

    for (guint k = 0; k < HAP_CONTROLLER_MAX_IDENTITIES; k++)
      if (ours[k] != NULL && g_str_equal (ours[k], p->id))
        hub = (gint) k;
    json_object_set_string_member (o, "id", p->id);
    json_object_set_string_member (o, "ltpk", key);
    json_object_set_boolean_member (o, "admin", p->permissions & HAP_PAIRING_PERM_ADMIN);
    if (hub >= 0)
      json_object_set_int_member (o, "hub", hub + 1);
    json_array_add_object_element (out, g_steal_pointer (&o));
    if (hub >= 0)
      hub_print (ctx, "  %-36s %-5s (this state directory, hub %d)", p->id,
          p->permissions & HAP_PAIRING_PERM_ADMIN ? "admin" : "user", hub + 1);
    else
      hub_print (
          ctx, "  %-36s %-5s", p->id, p->permissions & HAP_PAIRING_PERM_ADMIN ? "admin" : "user");
  }
  json_object_set_array_member (ctx->report, "pairings", g_steal_pointer (&out));
  for (guint i = 0; i < HAP_CONTROLLER_MAX_IDENTITIES; i++)
    g_free (ours[i]);
  return hub_finish (ctx, HUB_EXIT_OK);
}
