/* libhap: TLV8 reader and writer. See hap/tlv8.h.
 *
 * A parsed HapTlv8 owns one copy of the value bytes: merged fragments become contiguous, and
 * every item's `value` points into that block (never NULL, even for empty items). */
#include "hap/tlv8.h"

#include <string.h>

#define HAP_TLV8_FRAGMENT_MAX 255

struct _HapTlv8 {
  GArray *items;  /* HapTlv8Item */
  guint8 *values; /* owned; item values point into it */
};

static HapTlv8 *
tlv8_new (gsize value_capacity, guint reserved_items)
{
  HapTlv8 *tlv = g_new0 (HapTlv8, 1);

  tlv->items = g_array_sized_new (FALSE, FALSE, sizeof (HapTlv8Item), reserved_items);
  /* +1 so that the block (and every empty item's pointer) is never NULL. */
  tlv->values = g_malloc (value_capacity + 1);
  return tlv;
}

HapTlv8 *
hap_tlv8_parse (const guint8 *data, gsize len, GError **error)
{
  HapTlv8 *tlv;
  gsize pos = 0, used = 0;
  guint8 last_fragment_len = 0;

  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (len > HAP_TLV8_MAX_INPUT) {
    g_debug ("tlv8: input of %" G_GSIZE_FORMAT " bytes over the limit", len);
    g_set_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_TOO_LARGE,
        "TLV8 input of %" G_GSIZE_FORMAT " bytes exceeds the limit of %u bytes", len,
        (guint) HAP_TLV8_MAX_INPUT);
    return NULL;
  }

  /* Total value bytes never exceed the input length; the block is never reallocated, so
   * pointers into it stay valid. */
  tlv = tlv8_new (len, (guint) (len / 2 < 16 ? len / 2 : 16));

  while (pos < len) {
    guint8 type, frag_len;
    HapTlv8Item *prev;

    if (len - pos < 2) {
      g_debug ("tlv8: truncated item header at offset %" G_GSIZE_FORMAT, pos);
      g_set_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_TRUNCATED,
          "TLV8 input ends inside an item header at offset %" G_GSIZE_FORMAT, pos);
      hap_tlv8_free (tlv);
      return NULL;
    }
    type = data[pos];
    frag_len = data[pos + 1];
    if (frag_len > len - pos - 2) {
      g_debug ("tlv8: item at offset %" G_GSIZE_FORMAT " runs past the end", pos);
      g_set_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_TRUNCATED,
          "TLV8 item of type %u at offset %" G_GSIZE_FORMAT
          " has length %u but only %" G_GSIZE_FORMAT " bytes remain",
          type, pos, frag_len, len - pos - 2);
      hap_tlv8_free (tlv);
      return NULL;
    }

    prev = tlv->items->len ? &g_array_index (tlv->items, HapTlv8Item, tlv->items->len - 1) : NULL;
    memcpy (tlv->values + used, data + pos + 2, frag_len);
    if (prev && prev->type == type && last_fragment_len == HAP_TLV8_FRAGMENT_MAX) {
      /* Continuation: the previous item's value ends at `used`, so it just grows. */
      prev->len += frag_len;
    } else {
      HapTlv8Item item = { type, frag_len, tlv->values + used };

      g_array_append_val (tlv->items, item);
    }
    used += frag_len;
    last_fragment_len = frag_len;
    pos += 2 + (gsize) frag_len;
  }
  return tlv;
}

void
hap_tlv8_free (HapTlv8 *tlv)
{
  if (!tlv)
    return;
  g_array_unref (tlv->items);
  g_free (tlv->values);
  g_free (tlv);
}

guint
hap_tlv8_n_items (const HapTlv8 *tlv)
{
  g_return_val_if_fail (tlv != NULL, 0);
  return tlv->items->len;
}

const HapTlv8Item *
hap_tlv8_item (const HapTlv8 *tlv, guint index)
{
  g_return_val_if_fail (tlv != NULL, NULL);
  if (index >= tlv->items->len)
    return NULL;
  return &g_array_index (tlv->items, HapTlv8Item, index);
}

const HapTlv8Item *
hap_tlv8_find (const HapTlv8 *tlv, guint8 type)
{
  g_return_val_if_fail (tlv != NULL, NULL);
  for (guint i = 0; i < tlv->items->len; i++) {
    const HapTlv8Item *item = &g_array_index (tlv->items, HapTlv8Item, i);

    if (item->type == type)
      return item;
  }
  return NULL;
}

static guint64
read_le (const guint8 *p, gsize n)
{
  guint64 v = 0;

  for (gsize i = n; i > 0; i--)
    v = v << 8 | p[i - 1];
  return v;
}

/* First item of `type` if its length lies in [min_len, max_len]. */
static gboolean
get_le (const HapTlv8 *tlv, guint8 type, gsize min_len, gsize max_len, guint64 *out)
{
  const HapTlv8Item *item = hap_tlv8_find (tlv, type);

  if (!item || item->len < min_len || item->len > max_len)
    return FALSE;
  *out = read_le (item->value, item->len);
  return TRUE;
}

/* An item of exactly `width` bytes (1, 2, 4 or 8), stored in the unsigned integer of that
 * size at `out`. */
static gboolean
get_fixed (const HapTlv8 *tlv, guint8 type, gsize width, gpointer out)
{
  guint64 v;

  if (!get_le (tlv, type, width, width, &v))
    return FALSE;
  if (width == 1)
    *(guint8 *) out = (guint8) v;
  else if (width == 2)
    *(guint16 *) out = (guint16) v;
  else if (width == 4)
    *(guint32 *) out = (guint32) v;
  else
    *(guint64 *) out = v;
  return TRUE;
}

gboolean
hap_tlv8_get_u8 (const HapTlv8 *tlv, guint8 type, guint8 *out)
{
  g_return_val_if_fail (tlv != NULL && out != NULL, FALSE);
  return get_fixed (tlv, type, sizeof (*out), out);
}

gboolean
hap_tlv8_get_u16 (const HapTlv8 *tlv, guint8 type, guint16 *out)
{
  g_return_val_if_fail (tlv != NULL && out != NULL, FALSE);
  return get_fixed (tlv, type, sizeof (*out), out);
}

gboolean
hap_tlv8_get_u32 (const HapTlv8 *tlv, guint8 type, guint32 *out)
{
  g_return_val_if_fail (tlv != NULL && out != NULL, FALSE);
  return get_fixed (tlv, type, sizeof (*out), out);
}

gboolean
hap_tlv8_get_u64 (const HapTlv8 *tlv, guint8 type, guint64 *out)
{
  g_return_val_if_fail (tlv != NULL && out != NULL, FALSE);
  return get_fixed (tlv, type, sizeof (*out), out);
}

gboolean
hap_tlv8_get_uint (const HapTlv8 *tlv, guint8 type, guint64 *out)
{
  g_return_val_if_fail (tlv != NULL && out != NULL, FALSE);
  return get_le (tlv, type, 1, 8, out);
}

HapTlv8 *
hap_tlv8_get_tlv8 (const HapTlv8 *tlv, guint8 type, GError **error)
{
  const HapTlv8Item *item;
  GError *local = NULL;
  HapTlv8 *nested;

  g_return_val_if_fail (tlv != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  item = hap_tlv8_find (tlv, type);
  if (!item) {
    g_set_error (
        error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_MISSING, "TLV8 item of type %u is missing", type);
    return NULL;
  }
  nested = hap_tlv8_parse (item->value, item->len, &local);
  if (!nested) {
    g_propagate_prefixed_error (error, local, "In the value of TLV8 item of type %u: ", type);
    return NULL;
  }
  return nested;
}

/* A new HapTlv8 holding copies of items[0..n). */
static HapTlv8 *
tlv8_new_from_items (const HapTlv8Item *items, guint n)
{
  gsize total = 0, used = 0;
  HapTlv8 *tlv;

  for (guint i = 0; i < n; i++)
    total += items[i].len;
  tlv = tlv8_new (total, n);
  for (guint i = 0; i < n; i++) {
    HapTlv8Item copy = { items[i].type, items[i].len, tlv->values + used };

    if (items[i].len)
      memcpy (tlv->values + used, items[i].value, items[i].len);
    used += items[i].len;
    g_array_append_val (tlv->items, copy);
  }
  return tlv;
}

GPtrArray *
hap_tlv8_split (const HapTlv8 *tlv, guint8 separator_type)
{
  GPtrArray *runs;
  const HapTlv8Item *items;
  guint start = 0;

  g_return_val_if_fail (tlv != NULL, NULL);

  runs = g_ptr_array_new_with_free_func ((GDestroyNotify) hap_tlv8_free);
  if (tlv->items->len == 0)
    return runs;
  items = (const HapTlv8Item *) (gconstpointer) tlv->items->data;
  for (guint i = 0; i <= tlv->items->len; i++) {
    if (i == tlv->items->len || (items[i].type == separator_type && items[i].len == 0)) {
      g_ptr_array_add (runs, tlv8_new_from_items (items + start, i - start));
      start = i + 1;
    }
  }
  return runs;
}

GPtrArray *
hap_tlv8_find_all (const HapTlv8 *tlv, guint8 type)
{
  GPtrArray *all;

  g_return_val_if_fail (tlv != NULL, NULL);

  all = g_ptr_array_new ();
  for (guint i = 0; i < tlv->items->len; i++) {
    HapTlv8Item *item = &g_array_index (tlv->items, HapTlv8Item, i);

    if (item->type == type)
      g_ptr_array_add (all, item);
  }
  return all;
}

/* Writer */

void
hap_tlv8_writer_init (HapTlv8Writer *w)
{
  g_return_if_fail (w != NULL);
  w->buf = g_byte_array_new ();
}

void
hap_tlv8_writer_clear (HapTlv8Writer *w)
{
  g_return_if_fail (w != NULL);
  g_clear_pointer (&w->buf, g_byte_array_unref);
}

GBytes *
hap_tlv8_writer_take_bytes (HapTlv8Writer *w)
{
  GBytes *bytes;

  g_return_val_if_fail (w != NULL && w->buf != NULL, NULL);
  bytes = g_byte_array_free_to_bytes (w->buf);
  w->buf = g_byte_array_new ();
  return bytes;
}

const guint8 *
hap_tlv8_writer_data (const HapTlv8Writer *w, gsize *len)
{
  g_return_val_if_fail (w != NULL && w->buf != NULL, NULL);
  if (len)
    *len = w->buf->len;
  return w->buf->data;
}

void
hap_tlv8_add (HapTlv8Writer *w, guint8 type, const guint8 *value, gsize len)
{
  gsize pos = 0;

  g_return_if_fail (w != NULL && w->buf != NULL);
  g_return_if_fail (value != NULL || len == 0);

  do {
    gsize chunk = MIN (len - pos, HAP_TLV8_FRAGMENT_MAX);
    guint8 header[2] = { type, (guint8) chunk };

    g_byte_array_append (w->buf, header, 2);
    if (chunk)
      g_byte_array_append (w->buf, value + pos, (guint) chunk);
    pos += chunk;
  } while (pos < len);
}

static void
add_le (HapTlv8Writer *w, guint8 type, guint64 v, gsize width)
{
  guint8 bytes[8];

  for (gsize i = 0; i < width; i++)
    bytes[i] = (guint8) (v >> (8 * i));
  hap_tlv8_add (w, type, bytes, width);
}

void
hap_tlv8_add_u8 (HapTlv8Writer *w, guint8 type, guint8 v)
{
  add_le (w, type, v, 1);
}

void
hap_tlv8_add_u16 (HapTlv8Writer *w, guint8 type, guint16 v)
{
  add_le (w, type, v, 2);
}

void
hap_tlv8_add_u32 (HapTlv8Writer *w, guint8 type, guint32 v)
{
  add_le (w, type, v, 4);
}

void
hap_tlv8_add_u64 (HapTlv8Writer *w, guint8 type, guint64 v)
{
  add_le (w, type, v, 8);
}

void
hap_tlv8_add_uint (HapTlv8Writer *w, guint8 type, guint64 v)
{
  gsize width = 1;

  while (width < 8 && (v >> (8 * width)) != 0)
    width++;
  add_le (w, type, v, width);
}

void
hap_tlv8_add_string (HapTlv8Writer *w, guint8 type, const char *s)
{
  g_return_if_fail (s != NULL);
  hap_tlv8_add (w, type, (const guint8 *) s, strlen (s));
}

void
hap_tlv8_add_separator (HapTlv8Writer *w, guint8 type)
{
  hap_tlv8_add (w, type, NULL, 0);
}

void
hap_tlv8_add_writer (HapTlv8Writer *w, guint8 type, const HapTlv8Writer *child)
{
  g_return_if_fail (w != NULL && w->buf != NULL);
  g_return_if_fail (child != NULL && child->buf != NULL);

  if (child == w) {
    /* Appending to the buffer being read: work from a copy. */
    guint8 *copy = g_memdup2 (w->buf->data, w->buf->len);
    gsize len = w->buf->len;

    hap_tlv8_add (w, type, copy, len);
    g_free (copy);
    return;
  }
  hap_tlv8_add (w, type, child->buf->data, child->buf->len);
}
