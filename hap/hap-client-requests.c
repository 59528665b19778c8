/* The requests of a HAP controller, built on hap_client_request(): GET /accessories, GET and
 * PUT /characteristics, PUT /prepare, POST /pairings, POST /resource. See hap/hap-client.h. */
#include "hap/hap-client-private.h"

#include <string.h>

#include "hap/characteristic-value.h"
#include "hap/pairing-tlv.h"

/* ---- JSON requests ---- */

GArray *
hap_client_parse_values (const HapHttpResponse *response, const gchar *what, GError **error)
{
  g_autoptr (GError) local = NULL;
  gsize len;
  const guint8 *body = g_bytes_get_data (response->body, &len);
  GArray *values = hap_remote_values_parse (body, len, &local);

  if (values == NULL)
    g_set_error (error, HAP_CLIENT_ERROR, HAP_CLIENT_ERROR_PROTOCOL, "%s: malformed answer: %s",
        what, local->message);
  return values;
}

/* A response of `what` with one of the `ok` statuses (0-terminated), or NULL. */
static HapHttpResponse *
json_request (HapClient *client, const char *method, const char *target, const gchar *body,
    const guint *ok, const gchar *what, GError **error)
{
  g_autoptr (HapHttpResponse) response = NULL;

  response = hap_client_request (client, method, target, body ? "application/hap+json" : NULL,
      (const guint8 *) body, body ? strlen (body) : 0, error);
  if (response == NULL)
    return NULL;
  for (guint i = 0; ok[i] != 0; i++)
    if (response->status == ok[i])
      return g_steal_pointer (&response);
  hap_client_fail_status (response, what, error);
  return NULL;
}

HapRemoteDb *
hap_client_get_accessories (HapClient *client, GError **error)
{
  static const guint ok[] = { 200, 0 };
  g_autoptr (HapHttpResponse) response = NULL;
  g_autoptr (GError) local = NULL;
  HapRemoteDb *db;
  gsize len;
  const guint8 *body;

  g_return_val_if_fail (client != NULL, NULL);

  response = json_request (client, "GET", "/accessories", NULL, ok, "GET /accessories", error);
  if (response == NULL)
    return NULL;
  body = g_bytes_get_data (response->body, &len);
  db = hap_remote_db_parse (body, len, &local);
  if (db == NULL)
    g_set_error (error, HAP_CLIENT_ERROR, HAP_CLIENT_ERROR_PROTOCOL,
        "GET /accessories: the accessory database is malformed: %s", local->message);
  return db;
}

GArray *
hap_client_read (HapClient *client, const HapRemoteId *ids, guint n_ids, GError **error)
{
  static const guint ok[] = { 200, 207, 0 };
  g_autoptr (GString) target = g_string_new ("/characteristics?id=");
  g_autoptr (HapHttpResponse) response = NULL;
  g_autoptr (GArray) values = NULL;

  g_return_val_if_fail (client != NULL && ids != NULL && n_ids > 0, NULL);

  for (guint i = 0; i < n_ids; i++)
    g_string_append_printf (
        target, "%s%" G_GUINT64_FORMAT ".%" G_GUINT64_FORMAT, i ? "," : "", ids[i].aid, ids[i].iid);
  response = json_request (client, "GET", target->str, NULL, ok, "GET /characteristics", error);
  if (response == NULL)
    return NULL;
  values = hap_client_parse_values (response, "GET /characteristics", error);
  if (values == NULL)
    return NULL;
  for (guint i = 0; i < n_ids; i++) {
    if (hap_remote_values_find (values, ids[i].aid, ids[i].iid) == NULL) {
      g_set_error (error, HAP_CLIENT_ERROR, HAP_CLIENT_ERROR_PROTOCOL,
          "GET /characteristics: the answer lacks %" G_GUINT64_FORMAT ".%" G_GUINT64_FORMAT,
          ids[i].aid, ids[i].iid);
      return NULL;
    }
  }
  return g_steal_pointer (&values);
}

static void
value_clear (gpointer data)
{
  HapRemoteValue *v = data;
  g_clear_pointer (&v->value, json_node_unref);
}

static GArray *write_pid (
    HapClient *client, const HapRemoteWrite *writes, guint n_writes, guint64 pid, GError **error);

GArray *
hap_client_write (HapClient *client, const HapRemoteWrite *writes, guint n_writes, GError **error)
{
  return write_pid (client, writes, n_writes, 0, error);
}

GArray *
hap_client_write_timed (
    HapClient *client, const HapRemoteWrite *writes, guint n_writes, guint64 pid, GError **error)
{
  g_return_val_if_fail (pid > 0, NULL);
  return write_pid (client, writes, n_writes, pid, error);
}

gboolean
hap_client_prepare (HapClient *client, guint ttl_ms, guint64 pid, GError **error)
{
  static const guint ok[] = { 200, 0 };
  g_autoptr (HapHttpResponse) response = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autofree gchar *body = NULL;
  JsonNode *status;
  gsize len;
  const guint8 *data;

  g_return_val_if_fail (client != NULL && ttl_ms > 0 && pid > 0, FALSE);

  body = g_strdup_printf ("{\"ttl\":%u,\"pid\":%" G_GUINT64_FORMAT "}", ttl_ms, pid);
  response = json_request (client, "PUT", "/prepare", body, ok, "PUT /prepare", error);
  if (response == NULL)
    return FALSE;
  data = g_bytes_get_data (response->body, &len);
  root = len > 0 ? hap_json_parse_body (data, len) : NULL;
  status = root && JSON_NODE_HOLDS_OBJECT (root)
               ? json_object_get_member (json_node_get_object (root), "status")
               : NULL;
  if (status == NULL || !JSON_NODE_HOLDS_VALUE (status)
      || json_node_get_value_type (status) != G_TYPE_INT64) {
    g_set_error (error, HAP_CLIENT_ERROR, HAP_CLIENT_ERROR_PROTOCOL,
        "PUT /prepare: the answer has no integer \"status\"");
    return FALSE;
  }
  if (json_node_get_int (status) != 0) {
    g_set_error (error, HAP_CLIENT_ERROR, HAP_CLIENT_ERROR_STATUS,
        "PUT /prepare: HAP status %" G_GINT64_FORMAT " (%s)", json_node_get_int (status),
        hap_status_to_string ((HapStatus) json_node_get_int (status)));
    return FALSE;
  }
  return TRUE;
}

static GArray *
write_pid (
    HapClient *client, const HapRemoteWrite *writes, guint n_writes, guint64 pid, GError **error)
{
  static const guint ok[] = { 204, 207, 0 };
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (HapHttpResponse) response = NULL;
  g_autoptr (GArray) answer = NULL;
  g_autoptr (GArray) result = NULL;
  g_autofree gchar *body = NULL;

  g_return_val_if_fail (client != NULL && writes != NULL && n_writes > 0, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "characteristics");
  json_builder_begin_array (builder);
  for (guint i = 0; i < n_writes; i++) {
    json_builder_begin_object (builder);
    json_builder_set_member_name (builder, "aid");
    json_builder_add_int_value (builder, (gint64) writes[i].aid);
    json_builder_set_member_name (builder, "iid");
    json_builder_add_int_value (builder, (gint64) writes[i].iid);
    if (writes[i].value != NULL) {
      json_builder_set_member_name (builder, "value");
      json_builder_add_value (builder, json_node_copy (writes[i].value));
    }
    if (writes[i].ev >= 0) {
      json_builder_set_member_name (builder, "ev");
      json_builder_add_boolean_value (builder, writes[i].ev > 0);
    }
    if (writes[i].response) {
      json_builder_set_member_name (builder, "r");
      json_builder_add_boolean_value (builder, TRUE);
    }
    json_builder_end_object (builder);
  }
  json_builder_end_array (builder);
  if (pid > 0) {
    json_builder_set_member_name (builder, "pid");
    json_builder_add_int_value (builder, (gint64) pid);
  }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (gen, root);
  body = json_generator_to_data (gen, NULL);

  response
      = json_request (client, "PUT", "/characteristics", body, ok, "PUT /characteristics", error);
  if (response == NULL)
    return NULL;
  if (response->status == 207) {
    answer = hap_client_parse_values (response, "PUT /characteristics", error);
    if (answer == NULL)
      return NULL;
  }
  result = g_array_new (FALSE, TRUE, sizeof (HapRemoteValue));
  g_array_set_clear_func (result, value_clear);
  for (guint i = 0; i < n_writes; i++) {
    HapRemoteValue v = { writes[i].aid, writes[i].iid, 0, NULL };
    if (answer != NULL) {
      const HapRemoteValue *a = hap_remote_values_find (answer, v.aid, v.iid);
      if (a == NULL) {
        g_set_error (error, HAP_CLIENT_ERROR, HAP_CLIENT_ERROR_PROTOCOL,
            "PUT /characteristics: the 207 answer lacks %" G_GUINT64_FORMAT ".%" G_GUINT64_FORMAT,
            v.aid, v.iid);
        return NULL;
      }
      v.status = a->status;
      v.value = a->value ? json_node_copy (a->value) : NULL;
    }
    g_array_append_val (result, v);
  }
  return g_steal_pointer (&result);
}

/* ---- /pairings ---- */

static HapTlv8 *
pairings_request (HapClient *client, HapTlv8Writer *w, const gchar *what, GError **error)
{
  g_autoptr (HapHttpResponse) response = NULL;
  g_autoptr (GBytes) body = hap_tlv8_writer_take_bytes (w);
  g_autoptr (GError) local = NULL;
  HapTlv8 *tlv;
  gsize len;
  const guint8 *data;

  response = hap_client_request (client, "POST", "/pairings", "application/pairing+tlv8",
      g_bytes_get_data (body, NULL), g_bytes_get_size (body), error);
  if (response == NULL)
    return NULL;
  if (response->status != 200) {
    hap_client_fail_status (response, what, error);
    return NULL;
  }
  data = g_bytes_get_data (response->body, &len);
  tlv = hap_pairing_parse_response (data, len, 2, &local);
  if (tlv == NULL) {
    if (local->domain == HAP_PAIRING_ERROR)
      g_set_error (error, HAP_PAIRING_ERROR, local->code, "%s: kTLVError %d%s", what, local->code,
          local->code == HAP_PAIRING_ERROR_AUTHENTICATION ? " (this controller is not an admin)"
                                                          : "");
    else
      g_set_error (error, HAP_CLIENT_ERROR, HAP_CLIENT_ERROR_PROTOCOL, "%s: malformed answer: %s",
          what, local->message);
  }
  return tlv;
}

static void
pairings_begin (HapTlv8Writer *w, guint8 method)
{
  hap_tlv8_writer_init (w);
  hap_tlv8_add_u8 (w, HAP_PAIRING_TLV_STATE, 1);
  hap_tlv8_add_u8 (w, HAP_PAIRING_TLV_METHOD, method);
}

gboolean
hap_client_add_pairing (HapClient *client, const char *controller_id, const guint8 ltpk[32],
    guint8 permissions, GError **error)
{
  HapTlv8Writer w;
  g_autoptr (HapTlv8) tlv = NULL;

  g_return_val_if_fail (client != NULL && controller_id != NULL && ltpk != NULL, FALSE);

  pairings_begin (&w, HAP_PAIRING_METHOD_ADD_PAIRING);
  hap_tlv8_add_string (&w, HAP_PAIRING_TLV_IDENTIFIER, controller_id);
  hap_tlv8_add (&w, HAP_PAIRING_TLV_PUBLIC_KEY, ltpk, 32);
  hap_tlv8_add_u8 (&w, HAP_PAIRING_TLV_PERMISSIONS, permissions);
  tlv = pairings_request (client, &w, "add pairing", error);
  return tlv != NULL;
}

gboolean
hap_client_remove_pairing (HapClient *client, const char *controller_id, GError **error)
{
  HapTlv8Writer w;
  g_autoptr (HapTlv8) tlv = NULL;

  g_return_val_if_fail (client != NULL && controller_id != NULL, FALSE);

  pairings_begin (&w, HAP_PAIRING_METHOD_REMOVE_PAIRING);
  hap_tlv8_add_string (&w, HAP_PAIRING_TLV_IDENTIFIER, controller_id);
  tlv = pairings_request (client, &w, "remove pairing", error);
  return tlv != NULL;
}

GArray *
hap_client_list_pairings (HapClient *client, GError **error)
{
  HapTlv8Writer w;
  g_autoptr (HapTlv8) tlv = NULL;
  g_autoptr (GArray) list = g_array_new (FALSE, TRUE, sizeof (HapPairing));
  HapPairing current = { 0 };
  guint fields = 0;

  g_return_val_if_fail (client != NULL, NULL);

  pairings_begin (&w, HAP_PAIRING_METHOD_LIST_PAIRINGS);
  tlv = pairings_request (client, &w, "list pairings", error);
  if (tlv == NULL)
    return NULL;
  /* Identifier, PublicKey, Permissions per pairing; 0xFF separators between pairings. */
  for (guint i = 0; i <= hap_tlv8_n_items (tlv); i++) {
    const HapTlv8Item *item = hap_tlv8_item (tlv, i);

    if (item == NULL || item->type == HAP_PAIRING_TLV_SEPARATOR) {
      if (fields == 0 && item != NULL)
        goto malformed;
      if (fields == 0)
        break;
      if (fields != 7)
        goto malformed;
      g_array_append_val (list, current);
      memset (&current, 0, sizeof current);
      fields = 0;
      continue;
    }
    switch (item->type) {
      case HAP_PAIRING_TLV_IDENTIFIER:
        if (!hap_pairing_id_is_valid (item->value, item->len, HAP_PAIRING_ID_MAX) || (fields & 1))
          goto malformed;
        memcpy (current.id, item->value, item->len);
        fields |= 1;
        break;
      case HAP_PAIRING_TLV_PUBLIC_KEY:
        if (item->len != 32 || (fields & 2))
          goto malformed;
        memcpy (current.ltpk, item->value, 32);
        fields |= 2;
        break;
      case HAP_PAIRING_TLV_PERMISSIONS:
        if (item->len != 1 || (fields & 4))
          goto malformed;
        current.permissions = item->value[0];
        fields |= 4;
        break;
      default:
        break; /* State and unknown items */
    }
  }
  return g_steal_pointer (&list);

malformed:
  g_set_error (error, HAP_CLIENT_ERROR, HAP_CLIENT_ERROR_PROTOCOL,
      "list pairings: malformed answer (each pairing needs one identifier, a 32-byte public key "
      "and one permissions byte)");
  return NULL;
}

/* ---- /resource ---- */

HapHttpResponse *
hap_client_resource (
    HapClient *client, guint64 aid, guint width, guint height, gint reason, GError **error)
{
  g_autoptr (GString) body = g_string_new ("{");

  g_return_val_if_fail (client != NULL, NULL);

  if (aid > 0)
    g_string_append_printf (body, "\"aid\":%" G_GUINT64_FORMAT ",", aid);
  g_string_append_printf (
      body, "\"resource-type\":\"image\",\"image-width\":%u,\"image-height\":%u", width, height);
  if (reason >= 0)
    g_string_append_printf (body, ",\"reason\":%d", reason);
  g_string_append_c (body, '}');
  return hap_client_request (client, "POST", "/resource", "application/hap+json",
      (const guint8 *) body->str, body->len, error);
}
