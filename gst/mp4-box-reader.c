/* libgsthksv: bounds-checked ISO BMFF box parsing (see mp4-box-reader.h). */
#include "gst/mp4-box-reader.h"

G_DEFINE_QUARK (hksv - box - error - quark, hksv_box_error)

void
hksv_byte_reader_init (HksvByteReader *r, const guint8 *data, gsize len)
{
  g_return_if_fail (r != NULL && (data != NULL || len == 0));
  r->data = data;
  r->len = len;
  r->pos = 0;
}

gsize
hksv_byte_reader_remaining (const HksvByteReader *r)
{
  return r->len - r->pos;
}

gboolean
hksv_byte_reader_skip (HksvByteReader *r, gsize n)
{
  if (n > r->len - r->pos)
    return FALSE;
  r->pos += n;
  return TRUE;
}

static guint64
read_be (const guint8 *p, guint n)
{
  guint64 v = 0;
  for (guint i = 0; i < n; i++)
    v = (v << 8) | p[i];
  return v;
}

#define DEFINE_READ(name, type, n)                              \
  gboolean hksv_byte_reader_##name (HksvByteReader *r, type *v) \
  {                                                             \
    if (r->len - r->pos < (n))                                  \
      return FALSE;                                             \
    *v = (type) read_be (r->data + r->pos, (n));                \
    r->pos += (n);                                              \
    return TRUE;                                                \
  }

DEFINE_READ (u8, guint8, 1)
DEFINE_READ (u16, guint16, 2)
DEFINE_READ (u24, guint32, 3)
DEFINE_READ (u32, guint32, 4)
DEFINE_READ (u64, guint64, 8)

gboolean
hksv_byte_reader_bytes (HksvByteReader *r, gsize n, const guint8 **out)
{
  if (n > r->len - r->pos)
    return FALSE;
  *out = r->len ? r->data + r->pos : r->data; /* NULL stays NULL for an empty reader */
  r->pos += n;
  return TRUE;
}

void
hksv_box_iter_init (HksvBoxIter *it, const guint8 *data, gsize len)
{
  g_return_if_fail (it != NULL && (data != NULL || len == 0));
  it->data = data;
  it->len = len;
  it->pos = 0;
  it->base = 0;
}

gboolean
hksv_box_iter_init_children (HksvBoxIter *it, const HksvBox *parent, gsize skip)
{
  g_return_val_if_fail (it != NULL && parent != NULL, FALSE);
  if (skip > parent->payload_size)
    return FALSE;
  it->data = parent->payload + skip;
  it->len = parent->payload_size - skip;
  it->pos = 0;
  it->base = parent->offset + parent->header_size + skip;
  return TRUE;
}

const gchar *
hksv_fourcc_to_string (guint32 type, gchar buf[5])
{
  for (guint i = 0; i < 4; i++) {
    guint8 c = (type >> (24 - 8 * i)) & 0xff;
    buf[i] = g_ascii_isprint (c) ? (gchar) c : '?';
  }
  buf[4] = 0;
  return buf;
}

HksvBoxResult
hksv_box_iter_next (HksvBoxIter *it, HksvBox *box, GError **error)
{
  gsize left = it->len - it->pos;
  const guint8 *p;
  guint64 size;
  gsize header = 8;
  gchar name[5];

  g_return_val_if_fail (box != NULL, HKSV_BOX_INVALID);
  if (left == 0)
    return HKSV_BOX_END; /* before any pointer arithmetic: data may be NULL when empty */
  p = it->data + it->pos;
  if (left < 8) {
    g_set_error (error, HKSV_BOX_ERROR, HKSV_BOX_ERROR_TRUNCATED,
        "offset %" G_GSIZE_FORMAT ": %" G_GSIZE_FORMAT " bytes left, too few for a box header",
        it->base + it->pos, left);
    return HKSV_BOX_INVALID;
  }
  box->type = (guint32) read_be (p + 4, 4);
  hksv_fourcc_to_string (box->type, name);
  size = read_be (p, 4);
  if (size == 1) {
    if (left < 16) {
      g_set_error (error, HKSV_BOX_ERROR, HKSV_BOX_ERROR_TRUNCATED,
          "offset %" G_GSIZE_FORMAT ": '%s' box with a 64-bit size is truncated",
          it->base + it->pos, name);
      return HKSV_BOX_INVALID;
    }
    size = read_be (p + 8, 8);
    header = 16;
  } else if (size == 0) {
    size = left;
  }
  if (box->type == HKSV_FOURCC ('u', 'u', 'i', 'd'))
    header += 16;
  if (size < header) {
    g_set_error (error, HKSV_BOX_ERROR, HKSV_BOX_ERROR_INVALID,
        "offset %" G_GSIZE_FORMAT ": '%s' box size %" G_GUINT64_FORMAT
        " is smaller than its %" G_GSIZE_FORMAT "-byte header",
        it->base + it->pos, name, size, header);
    return HKSV_BOX_INVALID;
  }
  if (size > left) {
    g_set_error (error, HKSV_BOX_ERROR, HKSV_BOX_ERROR_TRUNCATED,
        "offset %" G_GSIZE_FORMAT ": '%s' box of %" G_GUINT64_FORMAT
        " bytes runs past the end of its container (%" G_GSIZE_FORMAT " bytes left)",
        it->base + it->pos, name, size, left);
    return HKSV_BOX_INVALID;
  }
  box->offset = it->base + it->pos;
  box->size = (gsize) size;
  box->header_size = header;
  box->payload = p + header;
  box->payload_size = (gsize) size - header;
  it->pos += (gsize) size;
  return HKSV_BOX_OK;
}

gboolean
hksv_box_find_child (const HksvBox *parent, gsize skip, guint32 type, HksvBox *child)
{
  HksvBoxIter it;

  g_return_val_if_fail (parent != NULL && child != NULL, FALSE);
  if (!hksv_box_iter_init_children (&it, parent, skip))
    return FALSE;
  while (hksv_box_iter_next (&it, child, NULL) == HKSV_BOX_OK) {
    if (child->type == type)
      return TRUE;
  }
  return FALSE;
}

gboolean
hksv_box_full_header (const HksvBox *box, guint8 *version, guint32 *flags, HksvByteReader *rest)
{
  guint32 vf;

  g_return_val_if_fail (box != NULL && rest != NULL, FALSE);
  hksv_byte_reader_init (rest, box->payload, box->payload_size);
  if (!hksv_byte_reader_u32 (rest, &vf))
    return FALSE;
  if (version)
    *version = vf >> 24;
  if (flags)
    *flags = vf & 0xffffff;
  return TRUE;
}

gboolean
hksv_box_children_skip (guint32 type, gsize *skip)
{
  static const struct {
    guint32 type;
    gsize skip;
  } table[] = {
    { HKSV_FOURCC ('m', 'o', 'o', 'v'), 0 },
    { HKSV_FOURCC ('t', 'r', 'a', 'k'), 0 },
    { HKSV_FOURCC ('m', 'd', 'i', 'a'), 0 },
    { HKSV_FOURCC ('m', 'i', 'n', 'f'), 0 },
    { HKSV_FOURCC ('d', 'i', 'n', 'f'), 0 },
    { HKSV_FOURCC ('s', 't', 'b', 'l'), 0 },
    { HKSV_FOURCC ('m', 'v', 'e', 'x'), 0 },
    { HKSV_FOURCC ('m', 'o', 'o', 'f'), 0 },
    { HKSV_FOURCC ('t', 'r', 'a', 'f'), 0 },
    { HKSV_FOURCC ('e', 'd', 't', 's'), 0 },
    { HKSV_FOURCC ('u', 'd', 't', 'a'), 0 },
    { HKSV_FOURCC ('s', 't', 's', 'd'), 8 },
    { HKSV_FOURCC ('d', 'r', 'e', 'f'), 8 },
    { HKSV_FOURCC ('a', 'v', 'c', '1'), 78 },
    { HKSV_FOURCC ('a', 'v', 'c', '3'), 78 },
    { HKSV_FOURCC ('h', 'v', 'c', '1'), 78 },
    { HKSV_FOURCC ('h', 'e', 'v', '1'), 78 },
    { HKSV_FOURCC ('m', 'p', '4', 'a'), 28 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (table); i++) {
    if (table[i].type == type) {
      if (skip)
        *skip = table[i].skip;
      return TRUE;
    }
  }
  return FALSE;
}
