/* The accessory database and value lists as a controller reads them. See hap/remote-db.h. */
#include "hap/remote-db.h"

#include <string.h>

#include "hap/characteristic-value.h"
#include "hap/hap-uuids.h"

/* ---- freeing ---- */

static void
characteristic_free (HapRemoteCharacteristic *c)
{
  g_free (c->type);
  g_free (c->format);
  g_clear_pointer (&c->value, json_node_unref);
  g_ptr_array_unref (c->unknown_perms);
  g_free (c);
}

static void
service_free (HapRemoteService *s)
{
  g_free (s->type);
  g_array_unref (s->linked);
  g_ptr_array_unref (s->characteristics);
  g_free (s);
}

static void
accessory_free (HapRemoteAccessory *a)
{
  g_ptr_array_unref (a->services);
  g_free (a);
}

void
hap_remote_db_free (HapRemoteDb *db)
{
  if (db == NULL)
    return;
  g_ptr_array_unref (db->accessories);
  g_free (db);
}

/* ---- member readers: each failure names the path ---- */

static gboolean
fail (GError **error, gint code, const gchar *path, const gchar *what)
{
  g_set_error (error, HAP_CODEC_ERROR, code, "%s: %s", path, what);
  return FALSE;
}

static gboolean
read_id (JsonObject *obj, const gchar *member, const gchar *path, guint64 *out, GError **error)
{
  g_autofree gchar *where = g_strdup_printf ("%s.%s", path, member);
  JsonNode *node = json_object_get_member (obj, member);
  gint64 v;

  if (node == NULL)
    return fail (error, HAP_CODEC_ERROR_MISSING, where, "missing");
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return fail (error, HAP_CODEC_ERROR_MALFORMED, where, "not an integer");
  v = json_node_get_int (node);
  if (v < 1 || (guint64) v > HAP_REMOTE_MAX_ID)
    return fail (error, HAP_CODEC_ERROR_OUT_OF_RANGE, where, "out of range 1..2^53");
  *out = (guint64) v;
  return TRUE;
}

static gboolean
read_type (JsonObject *obj, const gchar *path, gchar **out, GError **error)
{
  g_autofree gchar *where = g_strdup_printf ("%s.type", path);
  JsonNode *node = json_object_get_member (obj, "type");

  if (node == NULL)
    return fail (error, HAP_CODEC_ERROR_MISSING, where, "missing");
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return fail (error, HAP_CODEC_ERROR_MALFORMED, where, "not a string");
  *out = hap_uuid_normalize (json_node_get_string (node));
  if (*out == NULL)
    return fail (error, HAP_CODEC_ERROR_MALFORMED, where, "not a HAP type (hex or UUID)");
  return TRUE;
}

/* An optional boolean member; absent = FALSE. */
static gboolean
read_opt_bool (JsonObject *obj, const gchar *member, const gchar *path, gboolean *present,
    gboolean *out, GError **error)
{
  JsonNode *node = json_object_get_member (obj, member);

  *out = FALSE;
  if (present != NULL)
    *present = node != NULL;
  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN) {
    g_autofree gchar *where = g_strdup_printf ("%s.%s", path, member);
    return fail (error, HAP_CODEC_ERROR_MALFORMED, where, "not a boolean");
  }
  *out = json_node_get_boolean (node);
  return TRUE;
}

static JsonArray *
read_array (
    JsonObject *obj, const gchar *member, const gchar *path, gboolean required, GError **error)
{
  g_autofree gchar *where = g_strdup_printf ("%s.%s", path, member);
  JsonNode *node = json_object_get_member (obj, member);

  if (node == NULL) {
    if (required)
      fail (error, HAP_CODEC_ERROR_MISSING, where, "missing");
    return NULL;
  }
  if (!JSON_NODE_HOLDS_ARRAY (node)) {
    fail (error, HAP_CODEC_ERROR_MALFORMED, where, "not an array");
    return NULL;
  }
  return json_node_get_array (node);
}

static JsonObject *
element_object (JsonArray *array, guint i, const gchar *path, GError **error)
{
  JsonNode *node = json_array_get_element (array, i);

  if (!JSON_NODE_HOLDS_OBJECT (node)) {
    fail (error, HAP_CODEC_ERROR_MALFORMED, path, "not an object");
    return NULL;
  }
  return json_node_get_object (node);
}

static const struct {
  const gchar *name;
  guint bit;
} perm_names[] = {
  { "pr", HAP_PERM_PR },
  { "pw", HAP_PERM_PW },
  { "ev", HAP_PERM_EV },
  { "aa", HAP_PERM_AA },
  { "tw", HAP_PERM_TW },
  { "hd", HAP_PERM_HD },
  { "wr", HAP_PERM_WR },
};

static gboolean
read_perms (JsonObject *obj, const gchar *path, HapRemoteCharacteristic *c, GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autofree gchar *where = g_strdup_printf ("%s.perms", path);
  JsonArray *perms = read_array (obj, "perms", path, TRUE, &local);

  if (perms == NULL) {
    g_propagate_error (error, g_steal_pointer (&local));
    return FALSE;
  }
  for (guint i = 0; i < json_array_get_length (perms); i++) {
    JsonNode *node = json_array_get_element (perms, i);
    const gchar *name;
    gboolean known = FALSE;

    if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
      return fail (error, HAP_CODEC_ERROR_MALFORMED, where, "an element is not a string");
    name = json_node_get_string (node);
    for (guint k = 0; k < G_N_ELEMENTS (perm_names); k++) {
      if (g_str_equal (name, perm_names[k].name)) {
        c->perms |= perm_names[k].bit;
        known = TRUE;
      }
    }
    if (!known)
      g_ptr_array_add (c->unknown_perms, g_strdup (name));
  }
  return TRUE;
}

static HapRemoteCharacteristic *
parse_characteristic (JsonObject *obj, const gchar *path, GError **error)
{
  HapRemoteCharacteristic *c = g_new0 (HapRemoteCharacteristic, 1);
  JsonNode *node;

  c->unknown_perms = g_ptr_array_new_with_free_func (g_free);
  if (!read_id (obj, "iid", path, &c->iid, error) || !read_type (obj, path, &c->type, error)
      || !read_perms (obj, path, c, error)
      || !read_opt_bool (obj, "ev", path, &c->has_ev, &c->ev, error))
    goto failed;
  node = json_object_get_member (obj, "format");
  if (node != NULL) {
    if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING) {
      g_autofree gchar *where = g_strdup_printf ("%s.format", path);
      fail (error, HAP_CODEC_ERROR_MALFORMED, where, "not a string");
      goto failed;
    }
    c->format = g_strdup (json_node_get_string (node));
  }
  node = json_object_get_member (obj, "value");
  if (node != NULL)
    c->value = json_node_copy (node);
  return c;

failed:
  characteristic_free (c);
  return NULL;
}

static gboolean
read_linked (JsonObject *obj, const gchar *path, GArray *linked, GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autofree gchar *where = g_strdup_printf ("%s.linked", path);
  JsonArray *array = read_array (obj, "linked", path, FALSE, &local);

  if (local != NULL) {
    g_propagate_error (error, g_steal_pointer (&local));
    return FALSE;
  }
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++) {
    JsonNode *node = json_array_get_element (array, i);
    gint64 v;
    guint64 iid;

    if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
      return fail (error, HAP_CODEC_ERROR_MALFORMED, where, "an element is not an integer");
    v = json_node_get_int (node);
    if (v < 1 || (guint64) v > HAP_REMOTE_MAX_ID)
      return fail (error, HAP_CODEC_ERROR_OUT_OF_RANGE, where, "an iid out of range 1..2^53");
    iid = (guint64) v;
    g_array_append_val (linked, iid);
  }
  return TRUE;
}

static HapRemoteService *
parse_service (JsonObject *obj, const gchar *path, GHashTable *iids, GError **error)
{
  HapRemoteService *s = g_new0 (HapRemoteService, 1);
  JsonArray *chars;

  s->linked = g_array_new (FALSE, FALSE, sizeof (guint64));
  s->characteristics = g_ptr_array_new_with_free_func ((GDestroyNotify) characteristic_free);
  if (!read_id (obj, "iid", path, &s->iid, error) || !read_type (obj, path, &s->type, error)
      || !read_opt_bool (obj, "primary", path, NULL, &s->primary, error)
      || !read_opt_bool (obj, "hidden", path, NULL, &s->hidden, error)
      || !read_linked (obj, path, s->linked, error))
    goto failed;
  if (g_hash_table_contains (iids, &s->iid)) {
    g_autofree gchar *where = g_strdup_printf ("%s.iid", path);
    fail (error, HAP_CODEC_ERROR_MALFORMED, where, "instance id used twice in the accessory");
    goto failed;
  }
  g_hash_table_add (iids, g_memdup2 (&s->iid, sizeof s->iid));
  chars = read_array (obj, "characteristics", path, TRUE, error);
  if (chars == NULL)
    goto failed;
  for (guint i = 0; i < json_array_get_length (chars); i++) {
    g_autofree gchar *cpath = g_strdup_printf ("%s.characteristics[%u]", path, i);
    JsonObject *cobj = element_object (chars, i, cpath, error);
    HapRemoteCharacteristic *c;

    if (cobj == NULL || (c = parse_characteristic (cobj, cpath, error)) == NULL)
      goto failed;
    g_ptr_array_add (s->characteristics, c);
    if (g_hash_table_contains (iids, &c->iid)) {
      g_autofree gchar *where = g_strdup_printf ("%s.iid", cpath);
      fail (error, HAP_CODEC_ERROR_MALFORMED, where, "instance id used twice in the accessory");
      goto failed;
    }
    g_hash_table_add (iids, g_memdup2 (&c->iid, sizeof c->iid));
  }
  return s;

failed:
  service_free (s);
  return NULL;
}

static HapRemoteAccessory *
parse_accessory (JsonObject *obj, const gchar *path, GError **error)
{
  HapRemoteAccessory *a = g_new0 (HapRemoteAccessory, 1);
  g_autoptr (GHashTable) iids = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  JsonArray *services;

  a->services = g_ptr_array_new_with_free_func ((GDestroyNotify) service_free);
  if (!read_id (obj, "aid", path, &a->aid, error))
    goto failed;
  services = read_array (obj, "services", path, TRUE, error);
  if (services == NULL)
    goto failed;
  for (guint i = 0; i < json_array_get_length (services); i++) {
    g_autofree gchar *spath = g_strdup_printf ("%s.services[%u]", path, i);
    JsonObject *sobj = element_object (services, i, spath, error);
    HapRemoteService *s;

    if (sobj == NULL || (s = parse_service (sobj, spath, iids, error)) == NULL)
      goto failed;
    g_ptr_array_add (a->services, s);
  }
  return a;

failed:
  accessory_free (a);
  return NULL;
}

static JsonObject *
parse_root (const guint8 *json, gsize len, JsonNode **root, GError **error)
{
  *root = hap_json_parse_body (json, len);
  if (*root == NULL) {
    fail (error, HAP_CODEC_ERROR_MALFORMED, "body",
        "not JSON (empty, invalid UTF-8 or syntax, or nested deeper than 16 levels)");
    return NULL;
  }
  if (!JSON_NODE_HOLDS_OBJECT (*root)) {
    fail (error, HAP_CODEC_ERROR_MALFORMED, "body", "not a JSON object");
    return NULL;
  }
  return json_node_get_object (*root);
}

HapRemoteDb *
hap_remote_db_parse (const guint8 *json, gsize len, GError **error)
{
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (HapRemoteDb) db = g_new0 (HapRemoteDb, 1);
  JsonObject *obj;
  JsonArray *accessories;

  g_return_val_if_fail (json != NULL || len == 0, NULL);

  db->accessories = g_ptr_array_new_with_free_func ((GDestroyNotify) accessory_free);
  obj = parse_root (json, len, &root, error);
  if (obj == NULL)
    return NULL;
  accessories = read_array (obj, "accessories", "body", TRUE, error);
  if (accessories == NULL)
    return NULL;
  for (guint i = 0; i < json_array_get_length (accessories); i++) {
    g_autofree gchar *path = g_strdup_printf ("accessories[%u]", i);
    JsonObject *aobj = element_object (accessories, i, path, error);
    HapRemoteAccessory *a;

    if (aobj == NULL || (a = parse_accessory (aobj, path, error)) == NULL)
      return NULL;
    if (hap_remote_db_find_accessory (db, a->aid) != NULL) {
      g_autofree gchar *where = g_strdup_printf ("%s.aid", path);
      accessory_free (a);
      fail (error, HAP_CODEC_ERROR_MALFORMED, where, "accessory id used twice");
      return NULL;
    }
    g_ptr_array_add (db->accessories, a);
  }
  return g_steal_pointer (&db);
}

/* ---- lookups ---- */

const HapRemoteAccessory *
hap_remote_db_find_accessory (const HapRemoteDb *db, guint64 aid)
{
  g_return_val_if_fail (db != NULL, NULL);

  for (guint i = 0; i < db->accessories->len; i++) {
    const HapRemoteAccessory *a = g_ptr_array_index (db->accessories, i);
    if (a->aid == aid)
      return a;
  }
  return NULL;
}

const HapRemoteService *
hap_remote_accessory_find_service (
    const HapRemoteAccessory *accessory, const char *type, guint index)
{
  g_autofree gchar *norm = NULL;

  g_return_val_if_fail (accessory != NULL && type != NULL, NULL);

  norm = hap_uuid_normalize (type);
  if (norm == NULL)
    return NULL;
  for (guint i = 0; i < accessory->services->len; i++) {
    const HapRemoteService *s = g_ptr_array_index (accessory->services, i);
    if (g_str_equal (s->type, norm) && index-- == 0)
      return s;
  }
  return NULL;
}

const HapRemoteService *
hap_remote_accessory_find_service_by_iid (const HapRemoteAccessory *accessory, guint64 iid)
{
  g_return_val_if_fail (accessory != NULL, NULL);

  for (guint i = 0; i < accessory->services->len; i++) {
    const HapRemoteService *s = g_ptr_array_index (accessory->services, i);
    if (s->iid == iid)
      return s;
  }
  return NULL;
}

const HapRemoteCharacteristic *
hap_remote_service_find_characteristic (const HapRemoteService *service, const char *type)
{
  g_autofree gchar *norm = NULL;

  g_return_val_if_fail (service != NULL && type != NULL, NULL);

  norm = hap_uuid_normalize (type);
  if (norm == NULL)
    return NULL;
  for (guint i = 0; i < service->characteristics->len; i++) {
    const HapRemoteCharacteristic *c = g_ptr_array_index (service->characteristics, i);
    if (g_str_equal (c->type, norm))
      return c;
  }
  return NULL;
}

void
hap_remote_db_foreach_characteristic (
    const HapRemoteDb *db, HapRemoteCharacteristicFunc func, gpointer user_data)
{
  g_return_if_fail (db != NULL && func != NULL);

  for (guint a = 0; a < db->accessories->len; a++) {
    const HapRemoteAccessory *acc = g_ptr_array_index (db->accessories, a);
    for (guint s = 0; s < acc->services->len; s++) {
      const HapRemoteService *svc = g_ptr_array_index (acc->services, s);
      for (guint c = 0; c < svc->characteristics->len; c++)
        func (acc->aid, g_ptr_array_index (svc->characteristics, c), user_data);
    }
  }
}

const HapRemoteCharacteristic *
hap_remote_db_find_characteristic (const HapRemoteDb *db, guint64 aid, guint64 iid)
{
  const HapRemoteAccessory *a;

  g_return_val_if_fail (db != NULL, NULL);

  a = hap_remote_db_find_accessory (db, aid);
  for (guint s = 0; a != NULL && s < a->services->len; s++) {
    const HapRemoteService *svc = g_ptr_array_index (a->services, s);
    for (guint c = 0; c < svc->characteristics->len; c++) {
      const HapRemoteCharacteristic *ch = g_ptr_array_index (svc->characteristics, c);
      if (ch->iid == iid)
        return ch;
    }
  }
  return NULL;
}

gboolean
hap_remote_service_links (const HapRemoteService *service, guint64 iid)
{
  g_return_val_if_fail (service != NULL, FALSE);

  for (guint i = 0; i < service->linked->len; i++)
    if (g_array_index (service->linked, guint64, i) == iid)
      return TRUE;
  return FALSE;
}

/* ---- value lists ---- */

static void
value_clear (gpointer data)
{
  HapRemoteValue *v = data;
  g_clear_pointer (&v->value, json_node_unref);
}

GArray *
hap_remote_values_parse (const guint8 *json, gsize len, GError **error)
{
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GArray) values = g_array_new (FALSE, TRUE, sizeof (HapRemoteValue));
  JsonObject *obj;
  JsonArray *items;

  g_return_val_if_fail (json != NULL || len == 0, NULL);

  g_array_set_clear_func (values, value_clear);
  obj = parse_root (json, len, &root, error);
  if (obj == NULL)
    return NULL;
  items = read_array (obj, "characteristics", "body", TRUE, error);
  if (items == NULL)
    return NULL;
  for (guint i = 0; i < json_array_get_length (items); i++) {
    g_autofree gchar *path = g_strdup_printf ("characteristics[%u]", i);
    JsonObject *item = element_object (items, i, path, error);
    HapRemoteValue v = { 0 };
    JsonNode *node;

    if (item == NULL || !read_id (item, "aid", path, &v.aid, error)
        || !read_id (item, "iid", path, &v.iid, error))
      return NULL;
    node = json_object_get_member (item, "status");
    if (node != NULL) {
      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64) {
        g_autofree gchar *where = g_strdup_printf ("%s.status", path);
        fail (error, HAP_CODEC_ERROR_MALFORMED, where, "not an integer");
        return NULL;
      }
      v.status = json_node_get_int (node);
    }
    node = json_object_get_member (item, "value");
    if (node != NULL)
      v.value = json_node_copy (node);
    g_array_append_val (values, v);
  }
  return g_steal_pointer (&values);
}

const HapRemoteValue *
hap_remote_values_find (const GArray *values, guint64 aid, guint64 iid)
{
  g_return_val_if_fail (values != NULL, NULL);

  for (guint i = 0; i < values->len; i++) {
    const HapRemoteValue *v = &g_array_index (values, HapRemoteValue, i);
    if (v->aid == aid && v->iid == iid)
      return v;
  }
  return NULL;
}

/* ---- typed readings ---- */

gboolean
hap_remote_json_get_bool (JsonNode *node, gboolean *out)
{
  g_return_val_if_fail (out != NULL, FALSE);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  if (json_node_get_value_type (node) == G_TYPE_BOOLEAN) {
    *out = json_node_get_boolean (node);
    return TRUE;
  }
  if (json_node_get_value_type (node) == G_TYPE_INT64) {
    gint64 v = json_node_get_int (node);
    if (v != 0 && v != 1)
      return FALSE;
    *out = v == 1;
    return TRUE;
  }
  return FALSE;
}

gboolean
hap_remote_json_get_uint (JsonNode *node, guint64 *out)
{
  g_return_val_if_fail (out != NULL, FALSE);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  if (json_node_get_value_type (node) == G_TYPE_BOOLEAN) {
    *out = json_node_get_boolean (node) ? 1 : 0;
    return TRUE;
  }
  if (json_node_get_value_type (node) == G_TYPE_INT64 && json_node_get_int (node) >= 0) {
    *out = (guint64) json_node_get_int (node);
    return TRUE;
  }
  return FALSE;
}

GBytes *
hap_remote_json_get_bytes (JsonNode *node)
{
  const gchar *s;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  s = json_node_get_string (node);
  if (*s == '\0')
    return g_bytes_new (NULL, 0);
  return hap_base64_decode_strict (s, strlen (s));
}

#define DISPLAY_MAX 72

gchar *
hap_remote_json_to_display (JsonNode *node)
{
  g_autoptr (JsonGenerator) gen = NULL;
  gchar *text;

  if (node == NULL)
    return g_strdup ("(none)");
  gen = json_generator_new ();
  json_generator_set_root (gen, node);
  text = json_generator_to_data (gen, NULL);
  if (g_utf8_strlen (text, -1) > DISPLAY_MAX) {
    gchar *cut = g_utf8_offset_to_pointer (text, DISPLAY_MAX - 3);
    gchar *shortened = g_strdup_printf ("%.*s...", (int) (cut - text), text);
    g_free (text);
    text = shortened;
  }
  return text;
}
