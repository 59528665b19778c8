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

/* Digits only, at least one, no overflow (no sign, no space). */
static gboolean
parse_u64 (const gchar *s, const gchar *end, guint64 *out)
{
  guint64 v = 0;

  if (s == end)
    return FALSE;
  for (; s < end; s++) {
    guint d = (guint) (*s - '0');
    if (!g_ascii_isdigit (*s) || v > (G_MAXUINT64 - d) / 10)
      return FALSE;
    v = v * 10 + d;
  }
  *out = v;
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
  HapCharacteristic *c;
  HapStatus status;
  HapValue value; /* for successful reads */
} ReadItem;

/* Reads up to this many ids without allocating (a controller asks for a handful at a time). */
#define READ_ITEMS_ON_STACK 8

/* `list` is "aid.iid,aid.iid,...": fills `items` (n_items entries, one per comma plus one). */
static gboolean
parse_ids (const gchar *list, ReadItem *items, guint n_items)
{
  const gchar *p = list;

  for (guint i = 0; i < n_items; i++) {
    const gchar *end = strchr (p, ',');
    const gchar *dot;

    if (end == NULL)
      end = p + strlen (p);
    dot = memchr (p, '.', (gsize) (end - p));
    if (dot == NULL || !parse_u64 (p, dot, &items[i].id.aid)
        || !parse_u64 (dot + 1, end, &items[i].id.iid))
      return FALSE;
    p = end + 1;
  }
  return TRUE;
}

static void
append_id (GString *out, const Id *id, gboolean first)
{
  g_string_append (out, first ? "{\"aid\":" : ",{\"aid\":");
  hap_json_append_uint (out, id->aid);
  g_string_append (out, ",\"iid\":");
  hap_json_append_uint (out, id->iid);
}

guint
hap_db_handle_get_characteristics (
    HapAccessoryDb *db, HapDbSession *session, const char *query, GBytes **body)
{
  g_autoptr (GPtrArray) params = NULL;
  ReadItem stack_items[READ_ITEMS_ON_STACK];
  ReadItem *items;
  const gchar *list;
  gboolean meta, perms, type, ev, all_ok = TRUE;
  guint n = 1;
  GString *out;

  g_return_val_if_fail (db != NULL && session != NULL && body != NULL, 500);

  *body = NULL;
  if (query == NULL)
    return bad_request (body);
  params = hap_http_query_parse (query, -1, NULL);
  if (params == NULL)
    return bad_request (body);
  list = hap_http_query_lookup (params, "id");
  if (list == NULL || *list == '\0' || !query_flag (params, "meta", &meta)
      || !query_flag (params, "perms", &perms) || !query_flag (params, "type", &type)
      || !query_flag (params, "ev", &ev))
    return bad_request (body);
  for (const gchar *p = strchr (list, ','); p != NULL; p = strchr (p + 1, ','))
    n++;
  items = n <= READ_ITEMS_ON_STACK ? stack_items : g_new (ReadItem, n);
  if (!parse_ids (list, items, n)) {
    if (items != stack_items)
      g_free (items);
    return bad_request (body);
  }

  /* Every read first: whether all succeeded decides the shape of each item. */
  for (guint i = 0; i < n; i++) {
    ReadItem *item = &items[i];
    HapCharacteristic *c = hap_db_lookup (db, item->id.aid, item->id.iid);

    item->c = c;
    if (c == NULL)
      item->status = HAP_STATUS_RESOURCE_DOES_NOT_EXIST;
    else if (!(c->def.perms & HAP_PERM_PR))
      item->status = HAP_STATUS_WRITE_ONLY;
    else if ((c->def.flags & HAP_CHAR_FLAG_ADMIN_READ) && !session->admin)
      item->status = HAP_STATUS_INSUFFICIENT_PRIVILEGES;
    else
      item->status = hap_db_read_value (c, session, &item->value);
    if (item->status != HAP_STATUS_SUCCESS)
      all_ok = FALSE;
  }

  out = g_string_sized_new (64 + 48 * n);
  g_string_append (out, "{\"characteristics\":[");
  for (guint i = 0; i < n; i++) {
    ReadItem *item = &items[i];
    HapCharacteristic *c = item->c;

    append_id (out, &item->id, i == 0);
    if (!all_ok) {
      g_string_append (out, ",\"status\":");
      hap_json_append_int (out, (gint64) item->status);
    }
    if (item->status == HAP_STATUS_SUCCESS) {
      g_string_append (out, ",\"value\":");
      hap_value_append_json (out, &item->value);
      hap_value_clear (&item->value);
      if (meta)
        hap_def_append_meta_json (out, &c->def);
      if (perms) {
        g_string_append (out, ",\"perms\":");
        hap_perms_append_json (out, c->def.perms);
      }
      if (type) {
        g_string_append (out, ",\"type\":");
        hap_json_append_string (out, c->def.type, -1);
      }
      if (ev)
        g_string_append (
            out, hap_db_session_is_subscribed (session, c) ? ",\"ev\":true" : ",\"ev\":false");
    }
    g_string_append_c (out, '}');
  }
  g_string_append (out, "]}");
  if (items != stack_items)
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
