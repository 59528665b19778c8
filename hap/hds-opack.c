/* libhap: HomeKit Data Stream message codec ("OPACK"): OPACK encoder and decoder. See hds-message.h
 * for the rules. */
#include "hap/hds-value-private.h"

#include <string.h>

/* ------------------------------------------------------------------------------------------ */
/* Encoding                                                                                  */

static guint
int_smallest_width (gint64 i)
{
  if (i >= -1 && i <= 39)
    return 0;
  if (hap_hds_int_fits (i, 1))
    return 1;
  if (hap_hds_int_fits (i, 2))
    return 2;
  if (hap_hds_int_fits (i, 4))
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

gsize
hap_hds_value_encoded_size (const HapHdsValue *v)
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
        size += hap_hds_value_encoded_size (v->u.array->pdata[i]);
      return size;
    case HAP_HDS_TYPE_DICT:
      n = v->u.dict->len;
      size = 1 + (n > COUNTED_MAX ? 1 : 0);
      for (guint i = 0; i < n; i++) {
        DictEntry *e = &g_array_index (v->u.dict, DictEntry, i);
        gsize klen = strlen (e->key);

        size += 1 + length_field_size (klen) + klen + hap_hds_value_encoded_size (e->value);
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
  return hap_hds_value_encoded_size (value);
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

guint8 *
hap_hds_value_encode_to (const HapHdsValue *v, guint8 *p)
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
        p = hap_hds_value_encode_to (v->u.array->pdata[i], p);
      if (n > COUNTED_MAX)
        *p++ = TAG_TERMINATOR;
      return p;
    case HAP_HDS_TYPE_DICT:
      n = v->u.dict->len;
      *p++ = n > COUNTED_MAX ? TAG_DICT_TERMINATED : (guint8) (TAG_DICT + n);
      for (guint i = 0; i < n; i++) {
        DictEntry *e = &g_array_index (v->u.dict, DictEntry, i);

        p = put_sized (p, TAG_STRING, TAG_STRING_LEN8, e->key, strlen (e->key));
        p = hap_hds_value_encode_to (e->value, p);
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
  size = hap_hds_value_encoded_size (value);
  g_byte_array_set_size (out, (guint) (old + size));
  end = hap_hds_value_encode_to (value, out->data + old);
  g_assert (end == out->data + old + size);
}

GBytes *
hap_hds_value_encode (const HapHdsValue *value)
{
  GByteArray *out;

  g_return_val_if_fail (value != NULL, NULL);
  out = g_byte_array_sized_new ((guint) hap_hds_value_encoded_size (value));
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

gboolean
hap_hds_fail (GError **error, gint code, const gchar *format, ...)
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
      return hap_hds_fail (error, HAP_CODEC_ERROR_TOO_LARGE,
          "HDS value at offset %" G_GSIZE_FORMAT " declares %" G_GUINT64_FORMAT " bytes", d->pos,
          n);
    return hap_hds_fail (error, HAP_CODEC_ERROR_TRUNCATED,
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
    return hap_hds_fail (error, HAP_CODEC_ERROR_TOO_LARGE, "HDS message has more than %u values",
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
    hap_hds_fail (error, HAP_CODEC_ERROR_MALFORMED,
        "HDS string at offset %" G_GSIZE_FORMAT " is not valid UTF-8 (or holds NUL)", d->pos);
    return NULL;
  }
  d->pos += len;
  return hap_hds_value_new_string_take (g_strndup (s, len), len);
}

static HapHdsValue *
make_data (Decoder *d, gsize len)
{
  HapHdsValue *v = hap_hds_value_alloc (HAP_HDS_TYPE_DATA);

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
      hap_hds_fail (error, HAP_CODEC_ERROR_MALFORMED,
          "HDS chunked data: tag 0x%02x at offset %" G_GSIZE_FORMAT " is not a data chunk", tag,
          d->pos - 1);
      goto fail;
    }
    g_byte_array_append (buf, d->data + d->pos, (guint) len);
    d->pos += len;
  }
  {
    HapHdsValue *v = hap_hds_value_alloc (HAP_HDS_TYPE_DATA);

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
      hap_hds_fail (error, HAP_CODEC_ERROR_MALFORMED,
          "HDS dictionary key at offset %" G_GSIZE_FORMAT " is not a string", key_pos);
      goto fail;
    }
    if (dict_has_key (dict, &seen, key->u.s.str)) {
      hap_hds_value_unref (key);
      hap_hds_fail (error, HAP_CODEC_ERROR_MALFORMED,
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
    hap_hds_value_dict_append_take (dict, key_str, value);
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
      hap_hds_fail (error, HAP_CODEC_ERROR_MALFORMED,
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
      hap_hds_fail (error, HAP_CODEC_ERROR_TOO_LARGE,
          "HDS back-references expand to more than %u bytes", HAP_HDS_MAX_REF_EXPANSION);
      return NULL;
    }
    return hap_hds_value_ref (v);
  }
  if ((tag >= TAG_ARRAY && tag <= TAG_ARRAY_TERMINATED)
      || (tag >= TAG_DICT && tag <= TAG_DICT_TERMINATED)) {
    if (depth >= HAP_HDS_MAX_DEPTH) {
      hap_hds_fail (error, HAP_CODEC_ERROR_TOO_LARGE,
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
        hap_hds_fail (error, HAP_CODEC_ERROR_TRUNCATED,
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
      hap_hds_fail (error, HAP_CODEC_ERROR_MALFORMED,
          "HDS terminator at offset %" G_GSIZE_FORMAT " outside a terminated form", at);
      return NULL;
    default:
      hap_hds_fail (error, HAP_CODEC_ERROR_MALFORMED,
          "HDS unknown tag 0x%02x at offset %" G_GSIZE_FORMAT, tag, at);
      return NULL;
  }
}

HapHdsValue *
hap_hds_value_decode_region (
    const guint8 *data, gsize len, GBytes *src, gsize src_offset, GError **error)
{
  Decoder d = { data, len, 0, src, src_offset, NULL, 0, 0 };
  HapHdsValue *v;

  d.table = g_ptr_array_new_with_free_func ((GDestroyNotify) hap_hds_value_unref);
  v = decode_value (&d, 0, error);
  g_ptr_array_unref (d.table);
  if (v && d.pos != len) {
    hap_hds_fail (error, HAP_CODEC_ERROR_MALFORMED,
        "HDS value followed by %" G_GSIZE_FORMAT " bytes", len - d.pos);
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
  v = hap_hds_value_decode_region (data, len, NULL, 0, error);
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
  v = hap_hds_value_decode_region (data, len, bytes, 0, error);
  if (!v)
    g_debug ("rejected HDS value of %" G_GSIZE_FORMAT " bytes", len);
  return v;
}
