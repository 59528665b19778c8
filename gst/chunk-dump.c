/* libgsthksv: the chunk stream dump format (see chunk-dump.h). */
#include "gst/chunk-dump.h"

#include <string.h>

G_DEFINE_QUARK (hksv - chunk - dump - error - quark, hksv_chunk_dump_error)

#define FLAG_LAST 1u
#define FLAG_EOS 2u
#define FLAG_TOTAL 4u

static void
put_be (guint8 *p, guint64 v, guint n)
{
  for (guint i = 0; i < n; i++)
    p[i] = (guint8) (v >> (8 * (n - 1 - i)));
}

static guint64
get_be (const guint8 *p, guint n)
{
  guint64 v = 0;
  for (guint i = 0; i < n; i++)
    v = (v << 8) | p[i];
  return v;
}

GBytes *
hksv_chunk_dump_header (void)
{
  guint8 h[HKSV_CHUNK_DUMP_HEADER_SIZE] = { 0 };

  memcpy (h, HKSV_CHUNK_DUMP_MAGIC, 8);
  put_be (h + 8, HKSV_CHUNK_DUMP_VERSION, 4);
  return g_bytes_new (h, sizeof h);
}

GBytes *
hksv_chunk_dump_record (const HksvChunk *chunk)
{
  gsize len = 0;
  const guint8 *data = NULL;
  guint8 *out;

  g_return_val_if_fail (chunk != NULL, NULL);
  if (chunk->data)
    data = g_bytes_get_data (chunk->data, &len);
  g_return_val_if_fail (len <= HKSV_CHUNK_DUMP_MAX_DATA, NULL);
  out = g_malloc0 (HKSV_CHUNK_DUMP_RECORD_SIZE + len);
  out[0] = chunk->type == HKSV_CHUNK_MEDIA_INITIALIZATION ? 0 : 1;
  out[1] = (chunk->is_last_chunk ? FLAG_LAST : 0) | (chunk->end_of_stream ? FLAG_EOS : 0)
           | (chunk->total_size >= 0 ? FLAG_TOTAL : 0);
  put_be (out + 4, len, 4);
  put_be (out + 8, chunk->data_sequence_number, 8);
  put_be (out + 16, chunk->chunk_sequence_number, 8);
  put_be (out + 24, chunk->total_size >= 0 ? (guint64) chunk->total_size : 0, 8);
  put_be (out + 32, (guint64) chunk->arrival_us, 8);
  if (len)
    memcpy (out + HKSV_CHUNK_DUMP_RECORD_SIZE, data, len);
  return g_bytes_new_take (out, HKSV_CHUNK_DUMP_RECORD_SIZE + len);
}

gboolean
hksv_chunk_dump_is_dump (const guint8 *data, gsize len)
{
  return data && len >= 8 && memcmp (data, HKSV_CHUNK_DUMP_MAGIC, 8) == 0;
}

static void
chunk_clear (gpointer p)
{
  HksvChunk *c = p;
  g_clear_pointer (&c->data, g_bytes_unref);
}

GArray *
hksv_chunk_dump_parse (GBytes *dump, GError **error)
{
  gsize len, pos = HKSV_CHUNK_DUMP_HEADER_SIZE;
  const guint8 *d;
  guint64 version;
  GArray *chunks;

  g_return_val_if_fail (dump != NULL, NULL);
  d = g_bytes_get_data (dump, &len);
  if (!hksv_chunk_dump_is_dump (d, len)) {
    g_set_error (error, HKSV_CHUNK_DUMP_ERROR, HKSV_CHUNK_DUMP_ERROR_NOT_A_DUMP,
        "not a chunk dump (no \"%s\" magic)", HKSV_CHUNK_DUMP_MAGIC);
    return NULL;
  }
  if (len < HKSV_CHUNK_DUMP_HEADER_SIZE) {
    g_set_error (error, HKSV_CHUNK_DUMP_ERROR, HKSV_CHUNK_DUMP_ERROR_TRUNCATED,
        "chunk dump header truncated (%" G_GSIZE_FORMAT " bytes)", len);
    return NULL;
  }
  version = get_be (d + 8, 4);
  if (version != HKSV_CHUNK_DUMP_VERSION) {
    g_set_error (error, HKSV_CHUNK_DUMP_ERROR, HKSV_CHUNK_DUMP_ERROR_VERSION,
        "chunk dump version %" G_GUINT64_FORMAT "; this reader knows version %d", version,
        HKSV_CHUNK_DUMP_VERSION);
    return NULL;
  }
  if (get_be (d + 12, 4) != 0) {
    g_set_error (error, HKSV_CHUNK_DUMP_ERROR, HKSV_CHUNK_DUMP_ERROR_INVALID,
        "chunk dump header: reserved field is not 0");
    return NULL;
  }

  chunks = g_array_new (FALSE, TRUE, sizeof (HksvChunk));
  g_array_set_clear_func (chunks, chunk_clear);
  while (pos < len) {
    const guint8 *r = d + pos;
    HksvChunk c = { 0 };
    guint64 data_len, total;
    guint flags;

    if (len - pos < HKSV_CHUNK_DUMP_RECORD_SIZE) {
      g_set_error (error, HKSV_CHUNK_DUMP_ERROR, HKSV_CHUNK_DUMP_ERROR_TRUNCATED,
          "offset %" G_GSIZE_FORMAT ": record %u header truncated (%" G_GSIZE_FORMAT
          " of %d bytes)",
          pos, chunks->len + 1, len - pos, HKSV_CHUNK_DUMP_RECORD_SIZE);
      goto fail;
    }
    flags = r[1];
    data_len = get_be (r + 4, 4);
    total = get_be (r + 24, 8);
    if (r[0] > 1 || (flags & ~(FLAG_LAST | FLAG_EOS | FLAG_TOTAL)) || get_be (r + 2, 2) != 0
        || data_len > HKSV_CHUNK_DUMP_MAX_DATA || total > G_MAXINT64
        || (!(flags & FLAG_TOTAL) && total != 0)) {
      g_set_error (error, HKSV_CHUNK_DUMP_ERROR, HKSV_CHUNK_DUMP_ERROR_INVALID,
          "offset %" G_GSIZE_FORMAT
          ": record %u has type %u, flags 0x%02x, data length %" G_GUINT64_FORMAT
          " or a reserved field this reader does not know",
          pos, chunks->len + 1, r[0], flags, data_len);
      goto fail;
    }
    if (data_len > len - pos - HKSV_CHUNK_DUMP_RECORD_SIZE) {
      g_set_error (error, HKSV_CHUNK_DUMP_ERROR, HKSV_CHUNK_DUMP_ERROR_TRUNCATED,
          "offset %" G_GSIZE_FORMAT ": record %u says %" G_GUINT64_FORMAT
          " bytes of data, %" G_GSIZE_FORMAT " remain",
          pos, chunks->len + 1, data_len, len - pos - HKSV_CHUNK_DUMP_RECORD_SIZE);
      goto fail;
    }
    c.type = r[0] == 0 ? HKSV_CHUNK_MEDIA_INITIALIZATION : HKSV_CHUNK_MEDIA_FRAGMENT;
    c.is_last_chunk = (flags & FLAG_LAST) != 0;
    c.end_of_stream = (flags & FLAG_EOS) != 0;
    c.total_size = (flags & FLAG_TOTAL) ? (gint64) total : -1;
    c.data_sequence_number = get_be (r + 8, 8);
    c.chunk_sequence_number = get_be (r + 16, 8);
    c.arrival_us = (gint64) get_be (r + 32, 8);
    c.data = g_bytes_new_from_bytes (dump, pos + HKSV_CHUNK_DUMP_RECORD_SIZE, (gsize) data_len);
    g_array_append_val (chunks, c);
    pos += HKSV_CHUNK_DUMP_RECORD_SIZE + (gsize) data_len;
  }
  return chunks;

fail:
  g_array_unref (chunks);
  return NULL;
}
