/* libhap: HomeKit Data Stream message codec ("OPACK"). See hds-message.h for the rules. */
#include "hap/hds-message.h"

#include <string.h>

/* Tags (PROTOCOL.md section 4). */
enum {
  TAG_TRUE = 0x01,
  TAG_FALSE = 0x02,
  TAG_TERMINATOR = 0x03,
  TAG_NULL = 0x04,
  TAG_UUID = 0x05,
  TAG_DATE = 0x06,
  TAG_MINUS_ONE = 0x07,
  TAG_SMALL_INT = 0x08, /* 0x08-0x2F: 0..39 */
  TAG_SMALL_INT_LAST = 0x2F,
  TAG_INT8 = 0x30, /* 0x30-0x33: int8/16/32/64 */
  TAG_INT64 = 0x33,
  TAG_FLOAT32 = 0x35,
  TAG_FLOAT64 = 0x36,
  TAG_STRING = 0x40, /* 0x40-0x60: 0..32 bytes inline */
  TAG_STRING_LAST_INLINE = 0x60,
  TAG_STRING_LEN8 = 0x61, /* 0x61-0x64: u8/u16/u32/u64 length */
  TAG_STRING_LEN64 = 0x64,
  TAG_STRING_NUL = 0x6F,
  TAG_DATA = 0x70, /* 0x70-0x90: 0..32 bytes inline */
  TAG_DATA_LAST_INLINE = 0x90,
  TAG_DATA_LEN8 = 0x91, /* 0x91-0x94: u8/u16/u32/u64 length */
  TAG_DATA_LEN64 = 0x94,
  TAG_DATA_CHUNKED = 0x9F,
  TAG_REF = 0xA0, /* 0xA0-0xCF: back-reference 0..47 */
  TAG_REF_LAST = 0xCF,
  TAG_ARRAY = 0xD0, /* 0xD0-0xDE: 0..14 elements */
  TAG_ARRAY_TERMINATED = 0xDF,
  TAG_DICT = 0xE0, /* 0xE0-0xEE: 0..14 entries */
  TAG_DICT_TERMINATED = 0xEF,
};

#define INLINE_MAX 32
#define COUNTED_MAX 14
/* Data values at least this long are referenced, not copied, when decoding from a GBytes. */
#define ZERO_COPY_MIN 64
/* Dictionaries with more entries than this use a hash table to find duplicate keys. */
#define DICT_LINEAR_MAX 16

typedef struct {
  gchar *key;
  HapHdsValue *value;
} DictEntry;

struct _HapHdsValue {
  gint ref_count;
  HapHdsType type;
  guint8 int_width; /* HAP_HDS_TYPE_INT: 0 = smallest form, else 1/2/4/8 */
  union {
    gboolean b;
    gint64 i;
    gdouble d;
    gfloat f;
    guint8 uuid[16];
    struct {
      gchar *str;
      gsize len;
    } s;
    GBytes *data;
    GPtrArray *array; /* HapHdsValue* */
    GArray *dict;     /* DictEntry */
  } u;
};

/* ------------------------------------------------------------------------------------------ */
/* Construction                                                                              */

static HapHdsValue *
value_new (HapHdsType type)
{
  HapHdsValue *v = g_new0 (HapHdsValue, 1);

  v->ref_count = 1;
  v->type = type;
  return v;
}

HapHdsValue *
hap_hds_value_new_null (void)
{
  return value_new (HAP_HDS_TYPE_NULL);
}

HapHdsValue *
hap_hds_value_new_bool (gboolean value)
{
  HapHdsValue *v = value_new (HAP_HDS_TYPE_BOOL);

  v->u.b = value ? TRUE : FALSE;
  return v;
}

HapHdsValue *
hap_hds_value_new_int (gint64 value)
{
  HapHdsValue *v = value_new (HAP_HDS_TYPE_INT);

  v->u.i = value;
  return v;
}

static gboolean
int_fits (gint64 value, guint width)
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

  g_return_val_if_fail (int_fits (value, width), NULL);
  v = hap_hds_value_new_int (value);
  v->int_width = (guint8) width;
  return v;
}

HapHdsValue *
hap_hds_value_new_float32 (gfloat value)
{
  HapHdsValue *v = value_new (HAP_HDS_TYPE_FLOAT32);

  v->u.f = value;
  return v;
}

HapHdsValue *
hap_hds_value_new_float64 (gdouble value)
{
  HapHdsValue *v = value_new (HAP_HDS_TYPE_FLOAT64);

  v->u.d = value;
  return v;
}

HapHdsValue *
hap_hds_value_new_date (gdouble seconds_since_2001)
{
  HapHdsValue *v = value_new (HAP_HDS_TYPE_DATE);

  v->u.d = seconds_since_2001;
  return v;
}

HapHdsValue *
hap_hds_value_new_uuid (const guint8 uuid[16])
{
  HapHdsValue *v;

  g_return_val_if_fail (uuid != NULL, NULL);
  v = value_new (HAP_HDS_TYPE_UUID);
  memcpy (v->u.uuid, uuid, 16);
  return v;
}

/* `str` must be valid UTF-8 of `len` bytes without NUL; takes ownership of `str`. */
static HapHdsValue *
string_new_take (gchar *str, gsize len)
{
  HapHdsValue *v = value_new (HAP_HDS_TYPE_STRING);

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
  return string_new_take (g_strndup (value, len), len);
}

HapHdsValue *
hap_hds_value_new_data (GBytes *data)
{
  HapHdsValue *v;

  g_return_val_if_fail (data != NULL, NULL);
  v = value_new (HAP_HDS_TYPE_DATA);
  v->u.data = g_bytes_ref (data);
  return v;
}

HapHdsValue *
hap_hds_value_new_data_copy (const guint8 *data, gsize len)
{
  HapHdsValue *v;

  g_return_val_if_fail (data != NULL || len == 0, NULL);
  v = value_new (HAP_HDS_TYPE_DATA);
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
  HapHdsValue *v = value_new (HAP_HDS_TYPE_ARRAY);

  v->u.array = g_ptr_array_new_with_free_func ((GDestroyNotify) hap_hds_value_unref);
  return v;
}

HapHdsValue *
hap_hds_value_new_dict (void)
{
  HapHdsValue *v = value_new (HAP_HDS_TYPE_DICT);

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

static void
dict_append (HapHdsValue *dict, gchar *key, HapHdsValue *value)
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
  dict_append (dict, g_strdup (key), value);
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

/* ------------------------------------------------------------------------------------------ */
/* Encoding                                                                                  */

static guint
int_smallest_width (gint64 i)
{
  if (i >= -1 && i <= 39)
    return 0;
  if (int_fits (i, 1))
    return 1;
  if (int_fits (i, 2))
    return 2;
  if (int_fits (i, 4))
    return 4;
  return 8;
}

/* Bytes of the length field of a string/data of `len` bytes (0 = inline). */
static guint
length_field_size (gsize len)
{
  if (len <= INLINE_MAX)
    return 0;
  if (len <= G_MAXUINT8)
    return 1;
  if (len <= G_MAXUINT16)
    return 2;
  if ((guint64) len <= G_MAXUINT32)
    return 4;
  return 8;
}

static gsize
encoded_size (const HapHdsValue *v)
{
  gsize n, size;

  switch (v->type) {
    case HAP_HDS_TYPE_NULL:
    case HAP_HDS_TYPE_BOOL:
      return 1;
    case HAP_HDS_TYPE_INT:
      return 1 + (v->int_width ? v->int_width : int_smallest_width (v->u.i));
    case HAP_HDS_TYPE_FLOAT32:
      return 5;
    case HAP_HDS_TYPE_FLOAT64:
    case HAP_HDS_TYPE_DATE:
      return 9;
    case HAP_HDS_TYPE_UUID:
      return 17;
    case HAP_HDS_TYPE_STRING:
      return 1 + length_field_size (v->u.s.len) + v->u.s.len;
    case HAP_HDS_TYPE_DATA:
      n = g_bytes_get_size (v->u.data);
      return 1 + length_field_size (n) + n;
    case HAP_HDS_TYPE_ARRAY:
      n = v->u.array->len;
      size = 1 + (n > COUNTED_MAX ? 1 : 0);
      for (guint i = 0; i < n; i++)
        size += encoded_size (v->u.array->pdata[i]);
      return size;
    case HAP_HDS_TYPE_DICT:
      n = v->u.dict->len;
      size = 1 + (n > COUNTED_MAX ? 1 : 0);
      for (guint i = 0; i < n; i++) {
        DictEntry *e = &g_array_index (v->u.dict, DictEntry, i);
        gsize klen = strlen (e->key);

        size += 1 + length_field_size (klen) + klen + encoded_size (e->value);
      }
      return size;
    default:
      g_return_val_if_reached (0);
  }
}

gsize
hap_hds_value_get_encoded_size (const HapHdsValue *value)
{
  g_return_val_if_fail (value != NULL, 0);
  return encoded_size (value);
}

static guint8 *
put_le (guint8 *p, guint64 x, guint width)
{
  for (guint i = 0; i < width; i++)
    *p++ = (guint8) (x >> (8 * i));
  return p;
}

static guint8 *
put_sized (guint8 *p, guint8 inline_tag, guint8 len8_tag, const void *bytes, gsize len)
{
  guint lf = length_field_size (len);

  if (lf == 0) {
    *p++ = (guint8) (inline_tag + len);
  } else {
    /* lf 1/2/4/8 -> tag offset 0/1/2/3 */
    *p++ = (guint8) (len8_tag + (lf == 1 ? 0 : lf == 2 ? 1 : lf == 4 ? 2 : 3));
    p = put_le (p, len, lf);
  }
  if (len)
    memcpy (p, bytes, len);
  return p + len;
}

static guint8 *
encode_to (const HapHdsValue *v, guint8 *p)
{
  guint w;
  guint64 bits;
  guint32 bits32;
  guint n;

  switch (v->type) {
    case HAP_HDS_TYPE_NULL:
      *p++ = TAG_NULL;
      return p;
    case HAP_HDS_TYPE_BOOL:
      *p++ = v->u.b ? TAG_TRUE : TAG_FALSE;
      return p;
    case HAP_HDS_TYPE_INT:
      w = v->int_width ? v->int_width : int_smallest_width (v->u.i);
      if (w == 0) {
        *p++ = v->u.i == -1 ? TAG_MINUS_ONE : (guint8) (TAG_SMALL_INT + v->u.i);
        return p;
      }
      *p++ = (guint8) (TAG_INT8 + (w == 1 ? 0 : w == 2 ? 1 : w == 4 ? 2 : 3));
      return put_le (p, (guint64) v->u.i, w);
    case HAP_HDS_TYPE_FLOAT32:
      *p++ = TAG_FLOAT32;
      memcpy (&bits32, &v->u.f, 4);
      return put_le (p, bits32, 4);
    case HAP_HDS_TYPE_FLOAT64:
    case HAP_HDS_TYPE_DATE:
      *p++ = v->type == HAP_HDS_TYPE_DATE ? TAG_DATE : TAG_FLOAT64;
      memcpy (&bits, &v->u.d, 8);
      return put_le (p, bits, 8);
    case HAP_HDS_TYPE_UUID:
      *p++ = TAG_UUID;
      memcpy (p, v->u.uuid, 16);
      return p + 16;
    case HAP_HDS_TYPE_STRING:
      return put_sized (p, TAG_STRING, TAG_STRING_LEN8, v->u.s.str, v->u.s.len);
    case HAP_HDS_TYPE_DATA: {
      gsize len;
      gconstpointer d = g_bytes_get_data (v->u.data, &len);

      return put_sized (p, TAG_DATA, TAG_DATA_LEN8, d, len);
    }
    case HAP_HDS_TYPE_ARRAY:
      n = v->u.array->len;
      *p++ = n > COUNTED_MAX ? TAG_ARRAY_TERMINATED : (guint8) (TAG_ARRAY + n);
      for (guint i = 0; i < n; i++)
        p = encode_to (v->u.array->pdata[i], p);
      if (n > COUNTED_MAX)
        *p++ = TAG_TERMINATOR;
      return p;
    case HAP_HDS_TYPE_DICT:
      n = v->u.dict->len;
      *p++ = n > COUNTED_MAX ? TAG_DICT_TERMINATED : (guint8) (TAG_DICT + n);
      for (guint i = 0; i < n; i++) {
        DictEntry *e = &g_array_index (v->u.dict, DictEntry, i);

        p = put_sized (p, TAG_STRING, TAG_STRING_LEN8, e->key, strlen (e->key));
        p = encode_to (e->value, p);
      }
      if (n > COUNTED_MAX)
        *p++ = TAG_TERMINATOR;
      return p;
    default:
      g_return_val_if_reached (p);
  }
}

void
hap_hds_value_encode_append (const HapHdsValue *value, GByteArray *out)
{
  gsize old, size;
  guint8 *end;

  g_return_if_fail (value != NULL && out != NULL);
  old = out->len;
  size = encoded_size (value);
  g_byte_array_set_size (out, (guint) (old + size));
  end = encode_to (value, out->data + old);
  g_assert (end == out->data + old + size);
}

GBytes *
hap_hds_value_encode (const HapHdsValue *value)
{
  GByteArray *out;

  g_return_val_if_fail (value != NULL, NULL);
  out = g_byte_array_sized_new ((guint) encoded_size (value));
  hap_hds_value_encode_append (value, out);
  return g_byte_array_free_to_bytes (out);
}

/* ------------------------------------------------------------------------------------------ */
/* Decoding                                                                                  */

typedef struct {
  const guint8 *data;
  gsize len;
  gsize pos;
  GBytes *src; /* optional: `data` lies inside src at src_offset */
  gsize src_offset;
  GPtrArray *table; /* back-reference targets, owned refs */
  guint n_values;
  gsize ref_expansion;
} Decoder;

static gboolean fail (GError **error, gint code, const gchar *format, ...) G_GNUC_PRINTF (3, 4);

static gboolean
fail (GError **error, gint code, const gchar *format, ...)
{
  va_list ap;

  va_start (ap, format);
  if (error)
    *error = g_error_new_valist (HAP_CODEC_ERROR, code, format, ap);
  va_end (ap);
  return FALSE;
}

static gboolean
need (Decoder *d, guint64 n, GError **error)
{
  if (n > d->len - d->pos) {
    if (n > G_MAXUINT32)
      return fail (error, HAP_CODEC_ERROR_TOO_LARGE,
          "HDS value at offset %" G_GSIZE_FORMAT " declares %" G_GUINT64_FORMAT " bytes", d->pos,
          n);
    return fail (error, HAP_CODEC_ERROR_TRUNCATED,
        "HDS value at offset %" G_GSIZE_FORMAT " needs %" G_GUINT64_FORMAT
        " bytes, %" G_GSIZE_FORMAT " left",
        d->pos, n, d->len - d->pos);
  }
  return TRUE;
}

static guint64
get_le (Decoder *d, guint width)
{
  guint64 x = 0;

  for (guint i = 0; i < width; i++)
    x |= (guint64) d->data[d->pos + i] << (8 * i);
  d->pos += width;
  return x;
}

/* Reads the length field of a sized string/data form: tag offset 0..3 -> 1/2/4/8 bytes. */
static gboolean
read_length (Decoder *d, guint form, guint64 *len, GError **error)
{
  guint width = 1u << form;

  if (!need (d, width, error))
    return FALSE;
  *len = get_le (d, width);
  return need (d, *len, error);
}

static gboolean
count_value (Decoder *d, GError **error)
{
  if (++d->n_values > HAP_HDS_MAX_VALUES)
    return fail (error, HAP_CODEC_ERROR_TOO_LARGE, "HDS message has more than %u values",
        HAP_HDS_MAX_VALUES);
  return TRUE;
}

static HapHdsValue *
remember (Decoder *d, HapHdsValue *v)
{
  g_ptr_array_add (d->table, hap_hds_value_ref (v));
  return v;
}

static HapHdsValue *
make_string (Decoder *d, gsize len, GError **error)
{
  const gchar *s = (const gchar *) d->data + d->pos;

  if (!g_utf8_validate (s, (gssize) len, NULL)) {
    fail (error, HAP_CODEC_ERROR_MALFORMED,
        "HDS string at offset %" G_GSIZE_FORMAT " is not valid UTF-8 (or holds NUL)", d->pos);
    return NULL;
  }
  d->pos += len;
  return string_new_take (g_strndup (s, len), len);
}

static HapHdsValue *
make_data (Decoder *d, gsize len)
{
  HapHdsValue *v = value_new (HAP_HDS_TYPE_DATA);

  if (d->src && len >= ZERO_COPY_MIN)
    v->u.data = g_bytes_new_from_bytes (d->src, d->src_offset + d->pos, len);
  else
    v->u.data = g_bytes_new (d->data + d->pos, len);
  d->pos += len;
  return v;
}

static HapHdsValue *
decode_chunked_data (Decoder *d, GError **error)
{
  GByteArray *buf = g_byte_array_new ();

  for (;;) {
    guint8 tag;
    guint64 len;

    if (!need (d, 1, error))
      goto fail;
    tag = d->data[d->pos++];
    if (tag == TAG_TERMINATOR)
      break;
    if (!count_value (d, error))
      goto fail;
    if (tag >= TAG_DATA && tag <= TAG_DATA_LAST_INLINE) {
      len = tag - TAG_DATA;
      if (!need (d, len, error))
        goto fail;
    } else if (tag >= TAG_DATA_LEN8 && tag <= TAG_DATA_LEN64) {
      if (!read_length (d, tag - TAG_DATA_LEN8, &len, error))
        goto fail;
    } else {
      fail (error, HAP_CODEC_ERROR_MALFORMED,
          "HDS chunked data: tag 0x%02x at offset %" G_GSIZE_FORMAT " is not a data chunk", tag,
          d->pos - 1);
      goto fail;
    }
    g_byte_array_append (buf, d->data + d->pos, (guint) len);
    d->pos += len;
  }
  {
    HapHdsValue *v = value_new (HAP_HDS_TYPE_DATA);

    v->u.data = g_byte_array_free_to_bytes (buf);
    return v;
  }
fail:
  g_byte_array_unref (buf);
  return NULL;
}

static HapHdsValue *decode_value (Decoder *d, guint depth, GError **error);

static HapHdsValue *
decode_array (Decoder *d, guint8 tag, guint depth, GError **error)
{
  HapHdsValue *array = hap_hds_value_new_array ();
  gboolean terminated = tag == TAG_ARRAY_TERMINATED;
  guint count = tag - TAG_ARRAY;

  for (guint i = 0; terminated || i < count; i++) {
    HapHdsValue *element;

    if (terminated) {
      if (!need (d, 1, error))
        goto fail;
      if (d->data[d->pos] == TAG_TERMINATOR) {
        d->pos++;
        break;
      }
    }
    element = decode_value (d, depth + 1, error);
    if (!element)
      goto fail;
    g_ptr_array_add (array->u.array, element);
  }
  return array;
fail:
  hap_hds_value_unref (array);
  return NULL;
}

static gboolean
dict_has_key (HapHdsValue *dict, GHashTable **seen, const gchar *key)
{
  GArray *entries = dict->u.dict;

  if (*seen == NULL && entries->len < DICT_LINEAR_MAX) {
    for (guint i = 0; i < entries->len; i++)
      if (strcmp (g_array_index (entries, DictEntry, i).key, key) == 0)
        return TRUE;
    return FALSE;
  }
  if (*seen == NULL) {
    *seen = g_hash_table_new (g_str_hash, g_str_equal);
    for (guint i = 0; i < entries->len; i++)
      g_hash_table_add (*seen, g_array_index (entries, DictEntry, i).key);
  }
  return g_hash_table_contains (*seen, key);
}

static HapHdsValue *
decode_dict (Decoder *d, guint8 tag, guint depth, GError **error)
{
  HapHdsValue *dict = hap_hds_value_new_dict ();
  GHashTable *seen = NULL;
  gboolean terminated = tag == TAG_DICT_TERMINATED;
  guint count = tag - TAG_DICT;

  for (guint i = 0; terminated || i < count; i++) {
    HapHdsValue *key, *value;
    gsize key_pos;
    gchar *key_str;

    if (terminated) {
      if (!need (d, 1, error))
        goto fail;
      if (d->data[d->pos] == TAG_TERMINATOR) {
        d->pos++;
        break;
      }
    }
    key_pos = d->pos;
    key = decode_value (d, depth + 1, error);
    if (!key)
      goto fail;
    if (key->type != HAP_HDS_TYPE_STRING) {
      hap_hds_value_unref (key);
      fail (error, HAP_CODEC_ERROR_MALFORMED,
          "HDS dictionary key at offset %" G_GSIZE_FORMAT " is not a string", key_pos);
      goto fail;
    }
    if (dict_has_key (dict, &seen, key->u.s.str)) {
      hap_hds_value_unref (key);
      fail (error, HAP_CODEC_ERROR_MALFORMED,
          "HDS dictionary key at offset %" G_GSIZE_FORMAT " is a duplicate", key_pos);
      goto fail;
    }
    key_str = g_strndup (key->u.s.str, key->u.s.len);
    hap_hds_value_unref (key);
    value = decode_value (d, depth + 1, error);
    if (!value) {
      g_free (key_str);
      goto fail;
    }
    dict_append (dict, key_str, value);
    if (seen)
      g_hash_table_add (seen, key_str);
  }
  if (seen)
    g_hash_table_unref (seen);
  return dict;
fail:
  if (seen)
    g_hash_table_unref (seen);
  hap_hds_value_unref (dict);
  return NULL;
}

static HapHdsValue *
decode_value (Decoder *d, guint depth, GError **error)
{
  gsize at = d->pos;
  guint8 tag;
  guint64 len;

  if (!need (d, 1, error) || !count_value (d, error))
    return NULL;
  tag = d->data[d->pos++];

  if (tag >= TAG_SMALL_INT && tag <= TAG_SMALL_INT_LAST)
    return hap_hds_value_new_int (tag - TAG_SMALL_INT);
  if (tag >= TAG_INT8 && tag <= TAG_INT64) {
    guint width = 1u << (tag - TAG_INT8);
    guint64 raw;
    gint64 value;

    if (!need (d, width, error))
      return NULL;
    raw = get_le (d, width);
    /* sign-extend from width bytes */
    if (width < 8 && (raw >> (8 * width - 1)) & 1)
      raw |= ~(guint64) 0 << (8 * width);
    value = (gint64) raw;
    {
      HapHdsValue *v = hap_hds_value_new_int (value);

      v->int_width = (guint8) width;
      return remember (d, v);
    }
  }
  if (tag >= TAG_STRING && tag <= TAG_STRING_LAST_INLINE) {
    HapHdsValue *v;

    len = tag - TAG_STRING;
    if (!need (d, len, error) || !(v = make_string (d, len, error)))
      return NULL;
    return remember (d, v);
  }
  if (tag >= TAG_STRING_LEN8 && tag <= TAG_STRING_LEN64) {
    HapHdsValue *v;

    if (!read_length (d, tag - TAG_STRING_LEN8, &len, error) || !(v = make_string (d, len, error)))
      return NULL;
    return remember (d, v);
  }
  if (tag >= TAG_DATA && tag <= TAG_DATA_LAST_INLINE) {
    len = tag - TAG_DATA;
    if (!need (d, len, error))
      return NULL;
    return remember (d, make_data (d, len));
  }
  if (tag >= TAG_DATA_LEN8 && tag <= TAG_DATA_LEN64) {
    if (!read_length (d, tag - TAG_DATA_LEN8, &len, error))
      return NULL;
    return remember (d, make_data (d, len));
  }
  if (tag >= TAG_REF && tag <= TAG_REF_LAST) {
    guint index = tag - TAG_REF;
    HapHdsValue *v;

    if (index >= d->table->len) {
      fail (error, HAP_CODEC_ERROR_MALFORMED,
          "HDS back-reference %u at offset %" G_GSIZE_FORMAT " but only %u values to refer to",
          index, at, d->table->len);
      return NULL;
    }
    v = g_ptr_array_index (d->table, index);
    if (v->type == HAP_HDS_TYPE_STRING)
      d->ref_expansion += v->u.s.len;
    else if (v->type == HAP_HDS_TYPE_DATA)
      d->ref_expansion += g_bytes_get_size (v->u.data);
    if (d->ref_expansion > HAP_HDS_MAX_REF_EXPANSION) {
      fail (error, HAP_CODEC_ERROR_TOO_LARGE, "HDS back-references expand to more than %u bytes",
          HAP_HDS_MAX_REF_EXPANSION);
      return NULL;
    }
    return hap_hds_value_ref (v);
  }
  if ((tag >= TAG_ARRAY && tag <= TAG_ARRAY_TERMINATED)
      || (tag >= TAG_DICT && tag <= TAG_DICT_TERMINATED)) {
    if (depth >= HAP_HDS_MAX_DEPTH) {
      fail (error, HAP_CODEC_ERROR_TOO_LARGE,
          "HDS containers nested deeper than %u at offset %" G_GSIZE_FORMAT, HAP_HDS_MAX_DEPTH, at);
      return NULL;
    }
    return tag <= TAG_ARRAY_TERMINATED ? decode_array (d, tag, depth, error)
                                       : decode_dict (d, tag, depth, error);
  }

  switch (tag) {
    case TAG_TRUE:
    case TAG_FALSE:
      return hap_hds_value_new_bool (tag == TAG_TRUE);
    case TAG_NULL:
      return hap_hds_value_new_null ();
    case TAG_MINUS_ONE:
      return hap_hds_value_new_int (-1);
    case TAG_UUID:
      if (!need (d, 16, error))
        return NULL;
      d->pos += 16;
      return remember (d, hap_hds_value_new_uuid (d->data + d->pos - 16));
    case TAG_DATE:
    case TAG_FLOAT64: {
      guint64 bits;
      gdouble x;

      if (!need (d, 8, error))
        return NULL;
      bits = get_le (d, 8);
      memcpy (&x, &bits, 8);
      return remember (
          d, tag == TAG_DATE ? hap_hds_value_new_date (x) : hap_hds_value_new_float64 (x));
    }
    case TAG_FLOAT32: {
      guint32 bits;
      gfloat x;

      if (!need (d, 4, error))
        return NULL;
      bits = (guint32) get_le (d, 4);
      memcpy (&x, &bits, 4);
      return remember (d, hap_hds_value_new_float32 (x));
    }
    case TAG_STRING_NUL: {
      const guint8 *nul = memchr (d->data + d->pos, 0, d->len - d->pos);
      HapHdsValue *v;

      if (!nul) {
        fail (error, HAP_CODEC_ERROR_TRUNCATED,
            "HDS NUL-terminated string at offset %" G_GSIZE_FORMAT " has no NUL", at);
        return NULL;
      }
      if (!(v = make_string (d, (gsize) (nul - (d->data + d->pos)), error)))
        return NULL;
      d->pos++; /* the NUL */
      return remember (d, v);
    }
    case TAG_DATA_CHUNKED: {
      HapHdsValue *v = decode_chunked_data (d, error);

      return v ? remember (d, v) : NULL;
    }
    case TAG_TERMINATOR:
      fail (error, HAP_CODEC_ERROR_MALFORMED,
          "HDS terminator at offset %" G_GSIZE_FORMAT " outside a terminated form", at);
      return NULL;
    default:
      fail (error, HAP_CODEC_ERROR_MALFORMED, "HDS unknown tag 0x%02x at offset %" G_GSIZE_FORMAT,
          tag, at);
      return NULL;
  }
}

static HapHdsValue *
decode_region (const guint8 *data, gsize len, GBytes *src, gsize src_offset, GError **error)
{
  Decoder d = { data, len, 0, src, src_offset, NULL, 0, 0 };
  HapHdsValue *v;

  d.table = g_ptr_array_new_with_free_func ((GDestroyNotify) hap_hds_value_unref);
  v = decode_value (&d, 0, error);
  g_ptr_array_unref (d.table);
  if (v && d.pos != len) {
    fail (error, HAP_CODEC_ERROR_MALFORMED, "HDS value followed by %" G_GSIZE_FORMAT " bytes",
        len - d.pos);
    g_clear_pointer (&v, hap_hds_value_unref);
  }
  return v;
}

HapHdsValue *
hap_hds_value_decode (const guint8 *data, gsize len, GError **error)
{
  HapHdsValue *v;

  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  v = decode_region (data, len, NULL, 0, error);
  if (!v)
    g_debug ("rejected HDS value of %" G_GSIZE_FORMAT " bytes", len);
  return v;
}

HapHdsValue *
hap_hds_value_decode_bytes (GBytes *bytes, GError **error)
{
  gsize len;
  const guint8 *data;
  HapHdsValue *v;

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  data = g_bytes_get_data (bytes, &len);
  v = decode_region (data, len, bytes, 0, error);
  if (!v)
    g_debug ("rejected HDS value of %" G_GSIZE_FORMAT " bytes", len);
  return v;
}

/* ------------------------------------------------------------------------------------------ */
/* Payload: u8 header length + header + message                                              */

GBytes *
hap_hds_message_encode (const HapHdsValue *header, const HapHdsValue *message, GError **error)
{
  gsize hsize, msize;
  guint8 *buf, *p;

  g_return_val_if_fail (header != NULL && message != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  hsize = encoded_size (header);
  if (hsize > HAP_HDS_MAX_HEADER_LEN) {
    fail (error, HAP_CODEC_ERROR_TOO_LARGE, "HDS header of %" G_GSIZE_FORMAT " bytes (max 255)",
        hsize);
    return NULL;
  }
  msize = encoded_size (message);
  buf = g_malloc (1 + hsize + msize);
  buf[0] = (guint8) hsize;
  p = encode_to (header, buf + 1);
  p = encode_to (message, p);
  g_assert (p == buf + 1 + hsize + msize);
  return g_bytes_new_take (buf, 1 + hsize + msize);
}

gboolean
hap_hds_message_decode (
    GBytes *payload, HapHdsValue **header, HapHdsValue **message, GError **error)
{
  gsize len, hlen;
  const guint8 *data;
  g_autoptr (HapHdsValue) h = NULL;
  g_autoptr (HapHdsValue) m = NULL;

  g_return_val_if_fail (payload != NULL && header != NULL && message != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  data = g_bytes_get_data (payload, &len);
  if (len < 1)
    return fail (error, HAP_CODEC_ERROR_TRUNCATED, "empty HDS payload");
  hlen = data[0];
  if (1 + hlen >= len)
    return fail (error, HAP_CODEC_ERROR_TRUNCATED,
        "HDS payload of %" G_GSIZE_FORMAT " bytes has no room for a %" G_GSIZE_FORMAT
        "-byte header and a message",
        len, hlen);
  h = decode_region (data + 1, hlen, payload, 1, error);
  if (!h)
    goto fail;
  if (h->type != HAP_HDS_TYPE_DICT) {
    fail (error, HAP_CODEC_ERROR_MALFORMED, "HDS header is not a dictionary");
    goto fail;
  }
  m = decode_region (data + 1 + hlen, len - 1 - hlen, payload, 1 + hlen, error);
  if (!m)
    goto fail;
  if (m->type != HAP_HDS_TYPE_DICT) {
    fail (error, HAP_CODEC_ERROR_MALFORMED, "HDS message is not a dictionary");
    goto fail;
  }
  *header = g_steal_pointer (&h);
  *message = g_steal_pointer (&m);
  return TRUE;
fail:
  g_debug ("rejected HDS payload of %" G_GSIZE_FORMAT " bytes", len);
  return FALSE;
}

/* ------------------------------------------------------------------------------------------ */
/* Header dictionary                                                                         */

static const gchar *const kind_keys[] = { "event", "request", "response" };

HapHdsValue *
hap_hds_header_build (
    HapHdsKind kind, const gchar *protocol, const gchar *topic, gint64 id, gint64 status)
{
  HapHdsValue *h;

  g_return_val_if_fail (kind <= HAP_HDS_KIND_RESPONSE, NULL);
  g_return_val_if_fail (protocol != NULL && topic != NULL, NULL);
  h = hap_hds_value_new_dict ();
  hap_hds_value_dict_set_string (h, "protocol", protocol);
  hap_hds_value_dict_set_string (h, kind_keys[kind], topic);
  if (kind != HAP_HDS_KIND_EVENT)
    hap_hds_value_dict_set (h, "id", hap_hds_value_new_int_sized (id, 8));
  if (kind == HAP_HDS_KIND_RESPONSE)
    hap_hds_value_dict_set (h, "status", hap_hds_value_new_int_sized (status, 8));
  return h;
}

gboolean
hap_hds_header_parse (const HapHdsValue *header, HapHdsHeader *out, GError **error)
{
  HapHdsValue *v;
  gint found = -1;

  g_return_val_if_fail (header != NULL && out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  memset (out, 0, sizeof (*out));
  if (header->type != HAP_HDS_TYPE_DICT)
    return fail (error, HAP_CODEC_ERROR_MALFORMED, "HDS header is not a dictionary");

  v = hap_hds_value_dict_get (header, "protocol");
  if (!v)
    return fail (error, HAP_CODEC_ERROR_MISSING, "HDS header has no protocol");
  if (v->type != HAP_HDS_TYPE_STRING)
    return fail (error, HAP_CODEC_ERROR_MALFORMED, "HDS header protocol is not a string");
  out->protocol = g_strdup (v->u.s.str);

  for (guint k = 0; k < G_N_ELEMENTS (kind_keys); k++) {
    v = hap_hds_value_dict_get (header, kind_keys[k]);
    if (!v)
      continue;
    if (found >= 0)
      return fail (error, HAP_CODEC_ERROR_MALFORMED, "HDS header has both %s and %s",
          kind_keys[found], kind_keys[k]);
    if (v->type != HAP_HDS_TYPE_STRING)
      return fail (error, HAP_CODEC_ERROR_MALFORMED, "HDS header %s is not a string", kind_keys[k]);
    found = (gint) k;
    out->topic = g_strdup (v->u.s.str);
  }
  if (found < 0)
    return fail (error, HAP_CODEC_ERROR_MISSING, "HDS header has no event, request or response");
  out->kind = (HapHdsKind) found;

  if (out->kind != HAP_HDS_KIND_EVENT) {
    v = hap_hds_value_dict_get (header, "id");
    if (!v)
      return fail (error, HAP_CODEC_ERROR_MISSING, "HDS %s header has no id", kind_keys[found]);
    if (v->type != HAP_HDS_TYPE_INT)
      return fail (error, HAP_CODEC_ERROR_MALFORMED, "HDS header id is not an integer");
    out->id = v->u.i;
  }
  if (out->kind == HAP_HDS_KIND_RESPONSE) {
    v = hap_hds_value_dict_get (header, "status");
    if (!v)
      return fail (error, HAP_CODEC_ERROR_MISSING, "HDS response header has no status");
    if (v->type != HAP_HDS_TYPE_INT)
      return fail (error, HAP_CODEC_ERROR_MALFORMED, "HDS header status is not an integer");
    out->status = v->u.i;
  }
  return TRUE;
}

void
hap_hds_header_clear (HapHdsHeader *header)
{
  g_return_if_fail (header != NULL);
  g_clear_pointer (&header->protocol, g_free);
  g_clear_pointer (&header->topic, g_free);
}

static GBytes *
encode_with_header (HapHdsValue *header, const HapHdsValue *body)
{
  g_autoptr (HapHdsValue) empty = NULL;
  g_autoptr (GError) error = NULL;
  GBytes *out;

  if (!body)
    body = empty = hap_hds_value_new_dict ();
  out = hap_hds_message_encode (header, body, &error);
  hap_hds_value_unref (header);
  if (!out)
    g_critical ("%s", error->message); /* protocol/topic too long: caller misuse */
  return out;
}

GBytes *
hap_hds_message_encode_event (const gchar *protocol, const gchar *topic, const HapHdsValue *body)
{
  g_return_val_if_fail (protocol != NULL && topic != NULL, NULL);
  return encode_with_header (
      hap_hds_header_build (HAP_HDS_KIND_EVENT, protocol, topic, 0, 0), body);
}

GBytes *
hap_hds_message_encode_request (
    const gchar *protocol, const gchar *topic, gint64 id, const HapHdsValue *body)
{
  g_return_val_if_fail (protocol != NULL && topic != NULL, NULL);
  return encode_with_header (
      hap_hds_header_build (HAP_HDS_KIND_REQUEST, protocol, topic, id, 0), body);
}

GBytes *
hap_hds_message_encode_response (
    const gchar *protocol, const gchar *topic, gint64 id, gint64 status, const HapHdsValue *body)
{
  g_return_val_if_fail (protocol != NULL && topic != NULL, NULL);
  return encode_with_header (
      hap_hds_header_build (HAP_HDS_KIND_RESPONSE, protocol, topic, id, status), body);
}
