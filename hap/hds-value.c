/* libhap: HomeKit Data Stream message codec ("OPACK"): value model (construction, inspection,
 * equality). See hds-message.h for the rules. */
#include "hap/hds-value-private.h"

#include <string.h>

/* ------------------------------------------------------------------------------------------ */
/* Construction                                                                              */

HapHdsValue *
hap_hds_value_alloc (HapHdsType type)
{
  HapHdsValue *v = g_new0 (HapHdsValue, 1);

  v->ref_count = 1;
  v->type = type;
  return v;
}

HapHdsValue *
hap_hds_value_new_null (void)
{
  return hap_hds_value_alloc (HAP_HDS_TYPE_NULL);
}

HapHdsValue *
hap_hds_value_new_bool (gboolean value)
{
  HapHdsValue *v = hap_hds_value_alloc (HAP_HDS_TYPE_BOOL);

  v->u.b = value ? TRUE : FALSE;
  return v;
}

HapHdsValue *
hap_hds_value_new_int (gint64 value)
{
  HapHdsValue *v = hap_hds_value_alloc (HAP_HDS_TYPE_INT);

  v->u.i = value;
  return v;
}

gboolean
hap_hds_int_fits (gint64 value, guint width)
{
  switch (width) {
    case 1:
      return value >= G_MININT8 && value <= G_MAXINT8;
    case 2:
      return value >= G_MININT16 && value <= G_MAXINT16;
    case 4:
      return value >= G_MININT32 && value <= G_MAXINT32;
    case 8:
      return TRUE;
    default:
      return FALSE;
  }
}

HapHdsValue *
hap_hds_value_new_int_sized (gint64 value, guint width)
{
  HapHdsValue *v;

  g_return_val_if_fail (hap_hds_int_fits (value, width), NULL);
  v = hap_hds_value_new_int (value);
  v->int_width = (guint8) width;
  return v;
}

HapHdsValue *
hap_hds_value_new_float32 (gfloat value)
{
  HapHdsValue *v = hap_hds_value_alloc (HAP_HDS_TYPE_FLOAT32);

  v->u.f = value;
  return v;
}

HapHdsValue *
hap_hds_value_new_float64 (gdouble value)
{
  HapHdsValue *v = hap_hds_value_alloc (HAP_HDS_TYPE_FLOAT64);

  v->u.d = value;
  return v;
}

HapHdsValue *
hap_hds_value_new_date (gdouble seconds_since_2001)
{
  HapHdsValue *v = hap_hds_value_alloc (HAP_HDS_TYPE_DATE);

  v->u.d = seconds_since_2001;
  return v;
}

HapHdsValue *
hap_hds_value_new_uuid (const guint8 uuid[16])
{
  HapHdsValue *v;

  g_return_val_if_fail (uuid != NULL, NULL);
  v = hap_hds_value_alloc (HAP_HDS_TYPE_UUID);
  memcpy (v->u.uuid, uuid, 16);
  return v;
}

/* `str` must be valid UTF-8 of `len` bytes without NUL; takes ownership of `str`. */
HapHdsValue *
hap_hds_value_new_string_take (gchar *str, gsize len)
{
  HapHdsValue *v = hap_hds_value_alloc (HAP_HDS_TYPE_STRING);

  v->u.s.str = str;
  v->u.s.len = len;
  return v;
}

HapHdsValue *
hap_hds_value_new_string (const gchar *value)
{
  gsize len;

  g_return_val_if_fail (value != NULL, NULL);
  len = strlen (value);
  g_return_val_if_fail (g_utf8_validate (value, (gssize) len, NULL), NULL);
  return hap_hds_value_new_string_take (g_strndup (value, len), len);
}

HapHdsValue *
hap_hds_value_new_data (GBytes *data)
{
  HapHdsValue *v;

  g_return_val_if_fail (data != NULL, NULL);
  v = hap_hds_value_alloc (HAP_HDS_TYPE_DATA);
  v->u.data = g_bytes_ref (data);
  return v;
}

HapHdsValue *
hap_hds_value_new_data_copy (const guint8 *data, gsize len)
{
  HapHdsValue *v;

  g_return_val_if_fail (data != NULL || len == 0, NULL);
  v = hap_hds_value_alloc (HAP_HDS_TYPE_DATA);
  v->u.data = g_bytes_new (data, len);
  return v;
}

static void
dict_entry_clear (gpointer p)
{
  DictEntry *e = p;

  g_free (e->key);
  hap_hds_value_unref (e->value);
}

HapHdsValue *
hap_hds_value_new_array (void)
{
  HapHdsValue *v = hap_hds_value_alloc (HAP_HDS_TYPE_ARRAY);

  v->u.array = g_ptr_array_new_with_free_func ((GDestroyNotify) hap_hds_value_unref);
  return v;
}

HapHdsValue *
hap_hds_value_new_dict (void)
{
  HapHdsValue *v = hap_hds_value_alloc (HAP_HDS_TYPE_DICT);

  v->u.dict = g_array_new (FALSE, FALSE, sizeof (DictEntry));
  g_array_set_clear_func (v->u.dict, dict_entry_clear);
  return v;
}

void
hap_hds_value_array_append (HapHdsValue *array, HapHdsValue *element)
{
  g_return_if_fail (array != NULL && array->type == HAP_HDS_TYPE_ARRAY);
  g_return_if_fail (element != NULL);
  g_ptr_array_add (array->u.array, element);
}

void
hap_hds_value_dict_append_take (HapHdsValue *dict, gchar *key, HapHdsValue *value)
{
  DictEntry e = { key, value };

  g_array_append_val (dict->u.dict, e);
}

void
hap_hds_value_dict_set (HapHdsValue *dict, const gchar *key, HapHdsValue *value)
{
  g_return_if_fail (dict != NULL && dict->type == HAP_HDS_TYPE_DICT);
  g_return_if_fail (key != NULL && g_utf8_validate (key, -1, NULL));
  g_return_if_fail (value != NULL);

  for (guint i = 0; i < dict->u.dict->len; i++) {
    DictEntry *e = &g_array_index (dict->u.dict, DictEntry, i);

    if (strcmp (e->key, key) == 0) {
      hap_hds_value_unref (e->value);
      e->value = value;
      return;
    }
  }
  hap_hds_value_dict_append_take (dict, g_strdup (key), value);
}

void
hap_hds_value_dict_set_int (HapHdsValue *dict, const gchar *key, gint64 value)
{
  hap_hds_value_dict_set (dict, key, hap_hds_value_new_int (value));
}

void
hap_hds_value_dict_set_bool (HapHdsValue *dict, const gchar *key, gboolean value)
{
  hap_hds_value_dict_set (dict, key, hap_hds_value_new_bool (value));
}

void
hap_hds_value_dict_set_string (HapHdsValue *dict, const gchar *key, const gchar *value)
{
  HapHdsValue *v = hap_hds_value_new_string (value);

  g_return_if_fail (v != NULL);
  hap_hds_value_dict_set (dict, key, v);
}

void
hap_hds_value_dict_set_data (HapHdsValue *dict, const gchar *key, GBytes *data)
{
  HapHdsValue *v = hap_hds_value_new_data (data);

  g_return_if_fail (v != NULL);
  hap_hds_value_dict_set (dict, key, v);
}

HapHdsValue *
hap_hds_value_ref (HapHdsValue *value)
{
  g_return_val_if_fail (value != NULL, NULL);
  g_atomic_int_inc (&value->ref_count);
  return value;
}

void
hap_hds_value_unref (HapHdsValue *value)
{
  if (value == NULL || !g_atomic_int_dec_and_test (&value->ref_count))
    return;
  switch (value->type) {
    case HAP_HDS_TYPE_STRING:
      g_free (value->u.s.str);
      break;
    case HAP_HDS_TYPE_DATA:
      g_bytes_unref (value->u.data);
      break;
    case HAP_HDS_TYPE_ARRAY:
      g_ptr_array_unref (value->u.array);
      break;
    case HAP_HDS_TYPE_DICT:
      g_array_unref (value->u.dict);
      break;
    default:
      break;
  }
  g_free (value);
}

/* ------------------------------------------------------------------------------------------ */
/* Inspection                                                                                */

HapHdsType
hap_hds_value_get_type (const HapHdsValue *value)
{
  g_return_val_if_fail (value != NULL, HAP_HDS_TYPE_NULL);
  return value->type;
}

gboolean
hap_hds_value_get_bool (const HapHdsValue *value)
{
  g_return_val_if_fail (value != NULL && value->type == HAP_HDS_TYPE_BOOL, FALSE);
  return value->u.b;
}

gint64
hap_hds_value_get_int (const HapHdsValue *value)
{
  g_return_val_if_fail (value != NULL && value->type == HAP_HDS_TYPE_INT, 0);
  return value->u.i;
}

guint
hap_hds_value_get_int_width (const HapHdsValue *value)
{
  g_return_val_if_fail (value != NULL && value->type == HAP_HDS_TYPE_INT, 0);
  return value->int_width;
}

gdouble
hap_hds_value_get_double (const HapHdsValue *value)
{
  g_return_val_if_fail (value != NULL, 0.0);
  switch (value->type) {
    case HAP_HDS_TYPE_FLOAT32:
      return value->u.f;
    case HAP_HDS_TYPE_FLOAT64:
    case HAP_HDS_TYPE_DATE:
      return value->u.d;
    default:
      g_return_val_if_reached (0.0);
  }
}

gfloat
hap_hds_value_get_float32 (const HapHdsValue *value)
{
  g_return_val_if_fail (value != NULL && value->type == HAP_HDS_TYPE_FLOAT32, 0.0f);
  return value->u.f;
}

const guint8 *
hap_hds_value_get_uuid (const HapHdsValue *value)
{
  g_return_val_if_fail (value != NULL && value->type == HAP_HDS_TYPE_UUID, NULL);
  return value->u.uuid;
}

const gchar *
hap_hds_value_get_string (const HapHdsValue *value, gsize *len)
{
  g_return_val_if_fail (value != NULL && value->type == HAP_HDS_TYPE_STRING, NULL);
  if (len)
    *len = value->u.s.len;
  return value->u.s.str;
}

GBytes *
hap_hds_value_get_data (const HapHdsValue *value)
{
  g_return_val_if_fail (value != NULL && value->type == HAP_HDS_TYPE_DATA, NULL);
  return value->u.data;
}

guint
hap_hds_value_get_length (const HapHdsValue *value)
{
  g_return_val_if_fail (value != NULL, 0);
  if (value->type == HAP_HDS_TYPE_ARRAY)
    return value->u.array->len;
  if (value->type == HAP_HDS_TYPE_DICT)
    return value->u.dict->len;
  g_return_val_if_reached (0);
}

HapHdsValue *
hap_hds_value_array_get (const HapHdsValue *array, guint index)
{
  g_return_val_if_fail (array != NULL && array->type == HAP_HDS_TYPE_ARRAY, NULL);
  g_return_val_if_fail (index < array->u.array->len, NULL);
  return g_ptr_array_index (array->u.array, index);
}

HapHdsValue *
hap_hds_value_dict_get_entry (const HapHdsValue *dict, guint index, const gchar **key)
{
  DictEntry *e;

  g_return_val_if_fail (dict != NULL && dict->type == HAP_HDS_TYPE_DICT, NULL);
  g_return_val_if_fail (index < dict->u.dict->len, NULL);
  e = &g_array_index (dict->u.dict, DictEntry, index);
  if (key)
    *key = e->key;
  return e->value;
}

HapHdsValue *
hap_hds_value_dict_get (const HapHdsValue *dict, const gchar *key)
{
  g_return_val_if_fail (key != NULL, NULL);
  if (dict == NULL || dict->type != HAP_HDS_TYPE_DICT)
    return NULL;
  for (guint i = 0; i < dict->u.dict->len; i++) {
    DictEntry *e = &g_array_index (dict->u.dict, DictEntry, i);

    if (strcmp (e->key, key) == 0)
      return e->value;
  }
  return NULL;
}

static HapHdsValue *
dict_get_typed (const HapHdsValue *dict, const gchar *key, HapHdsType type)
{
  HapHdsValue *v = hap_hds_value_dict_get (dict, key);

  return v && v->type == type ? v : NULL;
}

gboolean
hap_hds_value_dict_get_int (const HapHdsValue *dict, const gchar *key, gint64 *out)
{
  HapHdsValue *v = dict_get_typed (dict, key, HAP_HDS_TYPE_INT);

  if (v && out)
    *out = v->u.i;
  return v != NULL;
}

gboolean
hap_hds_value_dict_get_bool (const HapHdsValue *dict, const gchar *key, gboolean *out)
{
  HapHdsValue *v = dict_get_typed (dict, key, HAP_HDS_TYPE_BOOL);

  if (v && out)
    *out = v->u.b;
  return v != NULL;
}

const gchar *
hap_hds_value_dict_get_string (const HapHdsValue *dict, const gchar *key)
{
  HapHdsValue *v = dict_get_typed (dict, key, HAP_HDS_TYPE_STRING);

  return v ? v->u.s.str : NULL;
}

GBytes *
hap_hds_value_dict_get_data (const HapHdsValue *dict, const gchar *key)
{
  HapHdsValue *v = dict_get_typed (dict, key, HAP_HDS_TYPE_DATA);

  return v ? v->u.data : NULL;
}

HapHdsValue *
hap_hds_value_dict_get_dict (const HapHdsValue *dict, const gchar *key)
{
  return dict_get_typed (dict, key, HAP_HDS_TYPE_DICT);
}

HapHdsValue *
hap_hds_value_dict_get_array (const HapHdsValue *dict, const gchar *key)
{
  return dict_get_typed (dict, key, HAP_HDS_TYPE_ARRAY);
}

gboolean
hap_hds_value_equal (const HapHdsValue *a, const HapHdsValue *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);
  if (a == b)
    return TRUE;
  if (a->type != b->type)
    return FALSE;
  switch (a->type) {
    case HAP_HDS_TYPE_NULL:
      return TRUE;
    case HAP_HDS_TYPE_BOOL:
      return a->u.b == b->u.b;
    case HAP_HDS_TYPE_INT:
      return a->u.i == b->u.i;
    case HAP_HDS_TYPE_FLOAT32:
      return memcmp (&a->u.f, &b->u.f, sizeof (gfloat)) == 0;
    case HAP_HDS_TYPE_FLOAT64:
    case HAP_HDS_TYPE_DATE:
      return memcmp (&a->u.d, &b->u.d, sizeof (gdouble)) == 0;
    case HAP_HDS_TYPE_UUID:
      return memcmp (a->u.uuid, b->u.uuid, 16) == 0;
    case HAP_HDS_TYPE_STRING:
      return a->u.s.len == b->u.s.len && memcmp (a->u.s.str, b->u.s.str, a->u.s.len) == 0;
    case HAP_HDS_TYPE_DATA:
      return g_bytes_equal (a->u.data, b->u.data);
    case HAP_HDS_TYPE_ARRAY:
      if (a->u.array->len != b->u.array->len)
        return FALSE;
      for (guint i = 0; i < a->u.array->len; i++)
        if (!hap_hds_value_equal (a->u.array->pdata[i], b->u.array->pdata[i]))
          return FALSE;
      return TRUE;
    case HAP_HDS_TYPE_DICT:
      if (a->u.dict->len != b->u.dict->len)
        return FALSE;
      for (guint i = 0; i < a->u.dict->len; i++) {
        DictEntry *ea = &g_array_index (a->u.dict, DictEntry, i);
        DictEntry *eb = &g_array_index (b->u.dict, DictEntry, i);

        if (strcmp (ea->key, eb->key) != 0 || !hap_hds_value_equal (ea->value, eb->value))
          return FALSE;
      }
      return TRUE;
    default:
      g_return_val_if_reached (FALSE);
  }
}
