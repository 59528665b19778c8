/* libhap: GET/PUT /characteristics and PUT /prepare. See characteristics-request.h. */
#include "hap/characteristics-request.h"

#include <string.h>

#include "hap/accessory-db-private.h"
#include "hap/http.h"

#define BAD_REQUEST_BODY "{\"status\":-70410}"

static guint
bad_request (GBytes **body)
{
  *body = g_bytes_new_static (BAD_REQUEST_BODY, strlen (BAD_REQUEST_BODY));
  return 400;
}

/* A JSON integer >= 0 (doubles are refused). */
static gboolean
get_uint (JsonObject *object, const gchar *member, guint64 *out)
{
  JsonNode *node = json_object_get_member (object, member);
  gint64 i;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  i = json_node_get_int (node);
  if (i < 0)
    return FALSE;
  *out = (guint64) i;
  return TRUE;
}

typedef enum { FLAG_ABSENT, FLAG_FALSE, FLAG_TRUE, FLAG_INVALID } Flag;

/* true/false or 0/1; null counts as absent. */
static Flag
get_flag (JsonObject *object, const gchar *member)
{
  JsonNode *node = json_object_get_member (object, member);
  GType type;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return FLAG_ABSENT;
  if (!JSON_NODE_HOLDS_VALUE (node))
    return FLAG_INVALID;
  type = json_node_get_value_type (node);
  if (type == G_TYPE_BOOLEAN)
    return json_node_get_boolean (node) ? FLAG_TRUE : FLAG_FALSE;
  if (type == G_TYPE_INT64 && json_node_get_int (node) >= 0 && json_node_get_int (node) <= 1)
    return json_node_get_int (node) ? FLAG_TRUE : FLAG_FALSE;
  return FLAG_INVALID;
}

/* ---- GET /characteristics ---- */

typedef struct {
  guint64 aid;
  guint64 iid;
} Id;

static gboolean
parse_ids (const gchar *list, GArray *ids)
{
  g_auto (GStrv) parts = NULL;

  if (list == NULL || *list == '\0')
    return FALSE;
  parts = g_strsplit (list, ",", -1);
  for (guint i = 0; parts[i]; i++) {
    const gchar *dot = strchr (parts[i], '.');
    g_autofree gchar *aid_text = NULL;
    Id id;
    if (dot == NULL)
      return FALSE;
    aid_text = g_strndup (parts[i], (gsize) (dot - parts[i]));
    /* Digits only: g_ascii_string_to_unsigned refuses signs, spaces and overflow. */
    if (*aid_text == '\0' || !g_ascii_isdigit (*aid_text) || !g_ascii_isdigit (dot[1]))
      return FALSE;
    if (!g_ascii_string_to_unsigned (aid_text, 10, 0, G_MAXUINT64, &id.aid, NULL)
        || !g_ascii_string_to_unsigned (dot + 1, 10, 0, G_MAXUINT64, &id.iid, NULL))
      return FALSE;
    g_array_append_val (ids, id);
  }
  return TRUE;
}

static gboolean
query_flag (const GPtrArray *params, const gchar *key, gboolean *out)
{
  const gchar *v = hap_http_query_lookup (params, key);

  *out = FALSE;
  if (v == NULL)
    return TRUE;
  if (g_str_equal (v, "1") || g_str_equal (v, "true")) {
    *out = TRUE;
    return TRUE;
  }
  return g_str_equal (v, "0") || g_str_equal (v, "false");
}

typedef struct {
  Id id;
  HapStatus status;
  GString *json; /* members after aid/iid/status, for successful reads */
} ReadItem;

guint
hap_db_handle_get_characteristics (
    HapAccessoryDb *db, HapDbSession *session, const char *query, GBytes **body)
{
  g_autoptr (GPtrArray) params = NULL;
  g_autoptr (GArray) ids = NULL;
  gboolean meta, perms, type, ev, all_ok = TRUE;
  ReadItem *items;
  GString *out;

  g_return_val_if_fail (db != NULL && session != NULL && body != NULL, 500);

  *body = NULL;
  if (query == NULL)
    return bad_request (body);
  params = hap_http_query_parse (query, -1, NULL);
  if (params == NULL)
    return bad_request (body);
  ids = g_array_new (FALSE, FALSE, sizeof (Id));
  if (!parse_ids (hap_http_query_lookup (params, "id"), ids) || !query_flag (params, "meta", &meta)
      || !query_flag (params, "perms", &perms) || !query_flag (params, "type", &type)
      || !query_flag (params, "ev", &ev))
    return bad_request (body);

  items = g_new0 (ReadItem, ids->len);
  for (guint i = 0; i < ids->len; i++) {
    ReadItem *item = &items[i];
    HapCharacteristic *c;
    HapValue value;

    item->id = g_array_index (ids, Id, i);
    c = hap_db_lookup (db, item->id.aid, item->id.iid);
    if (c == NULL)
      item->status = HAP_STATUS_RESOURCE_DOES_NOT_EXIST;
    else if (!(c->def.perms & HAP_PERM_PR))
      item->status = HAP_STATUS_WRITE_ONLY;
    else if ((c->def.flags & HAP_CHAR_FLAG_ADMIN_READ) && !session->admin)
      item->status = HAP_STATUS_INSUFFICIENT_PRIVILEGES;
    else
      item->status = hap_db_read_value (c, session, &value);
    if (item->status != HAP_STATUS_SUCCESS) {
      all_ok = FALSE;
      continue;
    }
    item->json = g_string_new (",\"value\":");
    hap_value_append_json (item->json, &value);
    hap_value_clear (&value);
    if (meta)
      hap_def_append_meta_json (item->json, &c->def);
    if (perms) {
      g_string_append (item->json, ",\"perms\":");
      hap_perms_append_json (item->json, c->def.perms);
    }
    if (type) {
      g_string_append (item->json, ",\"type\":");
      hap_json_append_string (item->json, c->def.type, -1);
    }
    if (ev)
      g_string_append_printf (
          item->json, ",\"ev\":%s", hap_db_session_is_subscribed (session, c) ? "true" : "false");
  }

  out = g_string_new ("{\"characteristics\":[");
  for (guint i = 0; i < ids->len; i++) {
    ReadItem *item = &items[i];
    g_string_append_printf (out, "%s{\"aid\":%" G_GUINT64_FORMAT ",\"iid\":%" G_GUINT64_FORMAT,
        i ? "," : "", item->id.aid, item->id.iid);
    if (!all_ok)
      g_string_append_printf (out, ",\"status\":%d", (gint) item->status);
    if (item->json) {
      g_string_append_len (out, item->json->str, (gssize) item->json->len);
      g_string_free (item->json, TRUE);
    }
    g_string_append_c (out, '}');
  }
  g_string_append (out, "]}");
  g_free (items);
  *body = g_string_free_to_bytes (out);
  return all_ok ? 200 : 207;
}

/* ---- PUT /characteristics ---- */

typedef struct {
  Id id;
  HapStatus status;
  HapValue response; /* for "r": true */
  gboolean has_response;
} WriteItem;

static HapStatus
write_value (HapAccessoryDb *db, HapDbSession *session, HapCharacteristic *c, JsonNode *node,
    gboolean want_response, gboolean timed, gint64 now_us, WriteItem *item)
{
  HapWriteResponse response = { 0 };
  HapValue value;
  HapStatus status;

  if ((c->def.flags & HAP_CHAR_FLAG_ADMIN_WRITE) && !session->admin)
    return HAP_STATUS_INSUFFICIENT_PRIVILEGES;
  if (want_response && (c->def.flags & HAP_CHAR_FLAG_ADMIN_READ) && !session->admin)
    return HAP_STATUS_INSUFFICIENT_PRIVILEGES;
  if (!(c->def.perms & HAP_PERM_PW))
    return HAP_STATUS_READ_ONLY;
  if ((c->def.perms & HAP_PERM_TW) && !timed)
    return HAP_STATUS_INVALID_VALUE;
  if (want_response && !(c->def.perms & HAP_PERM_WR))
    return HAP_STATUS_WRITE_ONLY;
  status = hap_value_from_json (&c->def, node, &value);
  if (status != HAP_STATUS_SUCCESS)
    return status;

  response.value.format = c->def.format;
  if (c->write)
    status = c->write (c, session, &value, &response, c->user_data);
  if (status == HAP_STATUS_SUCCESS && response.set
      && (response.value.format != c->def.format
          || hap_value_check (&c->def, &response.value) != HAP_STATUS_SUCCESS)) {
    g_warning ("write handler of %" G_GUINT64_FORMAT ".%" G_GUINT64_FORMAT
               " gave an invalid write response",
        item->id.aid, item->id.iid);
    status = HAP_STATUS_UNABLE_TO_COMMUNICATE;
  }
  if (status == HAP_STATUS_SUCCESS) {
    hap_db_store_value (db, c, response.set ? &response.value : &value, session, now_us);
    if (want_response)
      status = hap_db_read_value (c, session, &item->response);
    item->has_response = want_response && status == HAP_STATUS_SUCCESS;
  }
  hap_value_clear (&response.value);
  hap_value_clear (&value);
  return status;
}

static HapStatus
handle_write_item (HapAccessoryDb *db, HapDbSession *session, JsonObject *object, gboolean timed,
    gint64 now_us, WriteItem *item)
{
  HapCharacteristic *c = hap_db_lookup (db, item->id.aid, item->id.iid);
  JsonNode *value = json_object_get_member (object, "value");
  Flag ev = get_flag (object, "ev");
  Flag r = get_flag (object, "r");

  if (value && JSON_NODE_HOLDS_NULL (value))
    value = NULL;
  if (c == NULL)
    return HAP_STATUS_RESOURCE_DOES_NOT_EXIST;
  if (ev == FLAG_INVALID || r == FLAG_INVALID || (value == NULL && ev == FLAG_ABSENT))
    return HAP_STATUS_INVALID_VALUE;
  if (ev != FLAG_ABSENT) {
    if ((c->def.flags & HAP_CHAR_FLAG_ADMIN_READ) && !session->admin)
      return HAP_STATUS_INSUFFICIENT_PRIVILEGES;
    if (!(c->def.perms & HAP_PERM_EV))
      return HAP_STATUS_NOTIFICATION_NOT_SUPPORTED;
    hap_db_session_subscribe (session, c, ev == FLAG_TRUE);
  }
  if (value == NULL)
    return HAP_STATUS_SUCCESS;
  return write_value (db, session, c, value, r == FLAG_TRUE, timed, now_us, item);
}

guint
hap_db_handle_put_characteristics (HapAccessoryDb *db, HapDbSession *session, const guint8 *json,
    gsize len, gint64 now_us, GBytes **body)
{
  g_autoptr (JsonNode) root = NULL;
  JsonObject *object;
  JsonNode *list_node;
  JsonArray *list;
  gboolean pid_valid = TRUE, timed = FALSE, all_ok = TRUE;
  guint64 pid = 0;
  guint n;
  WriteItem *items;
  GString *out;

  g_return_val_if_fail (db != NULL && session != NULL && body != NULL, 500);
  g_return_val_if_fail (json != NULL || len == 0, 500);

  *body = NULL;
  root = hap_json_parse_body (json, len);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return bad_request (body);
  object = json_node_get_object (root);
  list_node = json_object_get_member (object, "characteristics");
  if (list_node == NULL || !JSON_NODE_HOLDS_ARRAY (list_node))
    return bad_request (body);
  list = json_node_get_array (list_node);
  n = json_array_get_length (list);
  if (n == 0)
    return bad_request (body);
  for (guint i = 0; i < n; i++) {
    JsonNode *e = json_array_get_element (list, i);
    guint64 dummy;
    if (!JSON_NODE_HOLDS_OBJECT (e) || !get_uint (json_node_get_object (e), "aid", &dummy)
        || !get_uint (json_node_get_object (e), "iid", &dummy))
      return bad_request (body);
  }
  if (json_object_has_member (object, "pid")) {
    if (!get_uint (object, "pid", &pid))
      return bad_request (body);
    pid_valid = session->timed_write_prepared && session->timed_write_pid == pid
                && now_us <= session->timed_write_expires_us;
    timed = pid_valid;
    session->timed_write_prepared = FALSE;
    if (!pid_valid)
      g_debug ("timed write refused: no prepare with this pid, or its ttl ran out");
  }

  items = g_new0 (WriteItem, n);
  for (guint i = 0; i < n; i++) {
    JsonObject *e = json_node_get_object (json_array_get_element (list, i));
    WriteItem *item = &items[i];
    get_uint (e, "aid", &item->id.aid);
    get_uint (e, "iid", &item->id.iid);
    item->status = pid_valid ? handle_write_item (db, session, e, timed, now_us, item)
                             : HAP_STATUS_INVALID_VALUE;
    if (item->status != HAP_STATUS_SUCCESS || item->has_response)
      all_ok = FALSE;
  }

  if (all_ok) {
    g_free (items);
    return 204;
  }
  out = g_string_new ("{\"characteristics\":[");
  for (guint i = 0; i < n; i++) {
    WriteItem *item = &items[i];
    g_string_append_printf (out,
        "%s{\"aid\":%" G_GUINT64_FORMAT ",\"iid\":%" G_GUINT64_FORMAT ",\"status\":%d",
        i ? "," : "", item->id.aid, item->id.iid, (gint) item->status);
    if (item->has_response) {
      g_string_append (out, ",\"value\":");
      hap_value_append_json (out, &item->response);
      hap_value_clear (&item->response);
    }
    g_string_append_c (out, '}');
  }
  g_string_append (out, "]}");
  g_free (items);
  *body = g_string_free_to_bytes (out);
  return 207;
}

/* ---- PUT /prepare ---- */

guint
hap_db_handle_prepare (HapAccessoryDb *db, HapDbSession *session, const guint8 *json, gsize len,
    gint64 now_us, GBytes **body)
{
  static const gchar ok[] = "{\"status\":0}";
  g_autoptr (JsonNode) root = NULL;
  JsonObject *object;
  guint64 ttl_ms, pid;

  g_return_val_if_fail (db != NULL && session != NULL && body != NULL, 500);
  g_return_val_if_fail (json != NULL || len == 0, 500);

  *body = NULL;
  root = hap_json_parse_body (json, len);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return bad_request (body);
  object = json_node_get_object (root);
  if (!get_uint (object, "ttl", &ttl_ms) || !get_uint (object, "pid", &pid))
    return bad_request (body);

  session->timed_write_prepared = TRUE;
  session->timed_write_pid = pid;
  /* Clip instead of overflowing. */
  if (ttl_ms > (guint64) (G_MAXINT64 / 1000) || now_us > G_MAXINT64 - (gint64) ttl_ms * 1000)
    session->timed_write_expires_us = G_MAXINT64;
  else
    session->timed_write_expires_us = now_us + (gint64) ttl_ms * 1000;
  *body = g_bytes_new_static (ok, sizeof ok - 1);
  return 200;
}
