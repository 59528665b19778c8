/* libgsthksv: ISO BMFF box building helpers (see mp4-box-writer.h). */
#include "gst/mp4-box-writer.h"

#include <string.h>

void
hksv_box_writer_init (HksvBoxWriter *w)
{
  g_return_if_fail (w != NULL);
  w->buf = g_byte_array_new ();
}

void
hksv_box_writer_clear (HksvBoxWriter *w)
{
  g_return_if_fail (w != NULL);
  if (w->buf)
    g_byte_array_unref (w->buf);
  w->buf = NULL;
}

GBytes *
hksv_box_writer_take_bytes (HksvBoxWriter *w)
{
  GBytes *bytes;

  g_return_val_if_fail (w != NULL && w->buf != NULL, NULL);
  bytes = g_byte_array_free_to_bytes (w->buf);
  w->buf = g_byte_array_new ();
  return bytes;
}

gsize
hksv_box_writer_len (const HksvBoxWriter *w)
{
  g_return_val_if_fail (w != NULL && w->buf != NULL, 0);
  return w->buf->len;
}

void
hksv_box_writer_u8 (HksvBoxWriter *w, guint8 v)
{
  g_byte_array_append (w->buf, &v, 1);
}

void
hksv_box_writer_u16 (HksvBoxWriter *w, guint16 v)
{
  guint8 b[2] = { v >> 8, v };
  g_byte_array_append (w->buf, b, sizeof b);
}

void
hksv_box_writer_u24 (HksvBoxWriter *w, guint32 v)
{
  guint8 b[3] = { v >> 16, v >> 8, v };
  g_byte_array_append (w->buf, b, sizeof b);
}

void
hksv_box_writer_u32 (HksvBoxWriter *w, guint32 v)
{
  guint8 b[4] = { v >> 24, v >> 16, v >> 8, v };
  g_byte_array_append (w->buf, b, sizeof b);
}

void
hksv_box_writer_u64 (HksvBoxWriter *w, guint64 v)
{
  hksv_box_writer_u32 (w, (guint32) (v >> 32));
  hksv_box_writer_u32 (w, (guint32) v);
}

void
hksv_box_writer_bytes (HksvBoxWriter *w, const guint8 *data, gsize len)
{
  g_return_if_fail (data != NULL || len == 0);
  if (len)
    g_byte_array_append (w->buf, data, (guint) len);
}

void
hksv_box_writer_zeros (HksvBoxWriter *w, gsize len)
{
  guint old = w->buf->len;
  g_byte_array_set_size (w->buf, old + (guint) len);
  memset (w->buf->data + old, 0, len);
}

void
hksv_box_writer_fourcc (HksvBoxWriter *w, const char *code)
{
  g_return_if_fail (code != NULL && strlen (code) == 4);
  g_byte_array_append (w->buf, (const guint8 *) code, 4);
}

gsize
hksv_box_writer_open (HksvBoxWriter *w, const char *type)
{
  gsize offset;

  g_return_val_if_fail (w != NULL && w->buf != NULL, 0);
  offset = w->buf->len;
  hksv_box_writer_u32 (w, 0);
  hksv_box_writer_fourcc (w, type);
  return offset;
}

gsize
hksv_box_writer_open_full (HksvBoxWriter *w, const char *type, guint8 version, guint32 flags)
{
  gsize offset = hksv_box_writer_open (w, type);
  hksv_box_writer_u8 (w, version);
  hksv_box_writer_u24 (w, flags);
  return offset;
}

void
hksv_box_writer_patch_u32 (HksvBoxWriter *w, gsize offset, guint32 v)
{
  g_return_if_fail (w != NULL && w->buf != NULL && offset + 4 <= w->buf->len);
  w->buf->data[offset] = v >> 24;
  w->buf->data[offset + 1] = v >> 16;
  w->buf->data[offset + 2] = v >> 8;
  w->buf->data[offset + 3] = v;
}

void
hksv_box_writer_close (HksvBoxWriter *w, gsize box_offset)
{
  g_return_if_fail (w != NULL && w->buf != NULL && box_offset + 8 <= w->buf->len);
  hksv_box_writer_patch_u32 (w, box_offset, (guint32) (w->buf->len - box_offset));
}
