/* libhap: GET /accessories. See accessories-json.h. */
#include "hap/accessories-json.h"

#include "hap/accessory-db-private.h"

void
hap_accessories_json_append_characteristic (
    GString *out, HapCharacteristic *characteristic, HapDbSession *session)
{
  const HapCharacteristicDef *def = &characteristic->def;

  g_return_if_fail (out != NULL && characteristic != NULL);

  g_string_append_printf (out, "{\"iid\":%" G_GUINT64_FORMAT ",\"type\":", characteristic->iid);
  hap_json_append_string (out, def->type, -1);
  g_string_append (out, ",\"perms\":");
  hap_perms_append_json (out, def->perms);
  hap_def_append_meta_json (out, def);
  if (def->perms & HAP_PERM_PR) {
    HapValue value;
    gboolean denied = (def->flags & HAP_CHAR_FLAG_ADMIN_READ) && session != NULL && !session->admin;
    if (!denied && hap_db_read_value (characteristic, session, &value) == HAP_STATUS_SUCCESS) {
      g_string_append (out, ",\"value\":");
      hap_value_append_json (out, &value);
      hap_value_clear (&value);
    }
  }
  if ((def->perms & HAP_PERM_EV) && session != NULL)
    g_string_append_printf (out, ",\"ev\":%s",
        hap_db_session_is_subscribed (session, characteristic) ? "true" : "false");
  if (def->description) {
    g_string_append (out, ",\"description\":");
    hap_json_append_string (out, def->description, -1);
  }
  g_string_append_c (out, '}');
}

static void
append_service (GString *out, HapService *service, HapDbSession *session)
{
  g_string_append_printf (out, "{\"iid\":%" G_GUINT64_FORMAT ",\"type\":", service->iid);
  hap_json_append_string (out, service->type, -1);
  g_string_append_printf (out, ",\"primary\":%s,\"hidden\":%s",
      (service->flags & HAP_SERVICE_FLAG_PRIMARY) ? "true" : "false",
      (service->flags & HAP_SERVICE_FLAG_HIDDEN) ? "true" : "false");
  if (service->linked->len) {
    g_string_append (out, ",\"linked\":[");
    for (guint i = 0; i < service->linked->len; i++) {
      HapService *l = g_ptr_array_index (service->linked, i);
      g_string_append_printf (out, "%s%" G_GUINT64_FORMAT, i ? "," : "", l->iid);
    }
    g_string_append_c (out, ']');
  }
  g_string_append (out, ",\"characteristics\":[");
  for (guint i = 0; i < service->characteristics->len; i++) {
    if (i)
      g_string_append_c (out, ',');
    hap_accessories_json_append_characteristic (
        out, g_ptr_array_index (service->characteristics, i), session);
  }
  g_string_append (out, "]}");
}

guint
hap_db_handle_get_accessories (HapAccessoryDb *db, HapDbSession *session, GBytes **body)
{
  GString *out;

  g_return_val_if_fail (db != NULL, 500);
  g_return_val_if_fail (body != NULL, 500);

  out = g_string_new ("{\"accessories\":[");
  for (guint i = 0; i < db->accessories->len; i++) {
    HapAccessory *a = g_ptr_array_index (db->accessories, i);
    g_string_append_printf (
        out, "%s{\"aid\":%" G_GUINT64_FORMAT ",\"services\":[", i ? "," : "", a->aid);
    for (guint j = 0; j < a->services->len; j++) {
      if (j)
        g_string_append_c (out, ',');
      append_service (out, g_ptr_array_index (a->services, j), session);
    }
    g_string_append (out, "]}");
  }
  g_string_append (out, "]}");
  *body = g_string_free_to_bytes (out);
  return 200;
}
