/* libgsthksv: splitting an init segment or a fragment into dataSend chunks. */
#include "gst/chunker.h"

guint
hksv_chunker_count (gsize size, gsize max_chunk_size)
{
  if (max_chunk_size == 0)
    max_chunk_size = HKSV_CHUNK_MAX_SIZE;
  if (size == 0)
    return 0;
  return (guint) ((size - 1) / max_chunk_size + 1);
}

guint
hksv_chunker_split (HksvChunkType type, guint64 data_sequence_number, GBytes *data,
    gboolean end_of_stream, gsize max_chunk_size, HksvChunkFunc func, gpointer user_data)
{
  gsize size, offset = 0;
  guint n = 0;

  g_return_val_if_fail (data != NULL, 0);
  g_return_val_if_fail (func != NULL, 0);
  size = g_bytes_get_size (data);
  g_return_val_if_fail (size > 0, 0);

  if (max_chunk_size == 0)
    max_chunk_size = HKSV_CHUNK_MAX_SIZE;

  while (offset < size) {
    gsize len = MIN (max_chunk_size, size - offset);
    HksvChunk chunk = { 0 };

    chunk.type = type;
    chunk.data_sequence_number = data_sequence_number;
    chunk.chunk_sequence_number = ++n;
    chunk.is_last_chunk = offset + len == size;
    chunk.total_size = n == 1 ? (gint64) size : -1;
    chunk.end_of_stream = end_of_stream && chunk.is_last_chunk;
    /* The whole input as one chunk is passed as is (no sub-range object). */
    chunk.data = len == size ? g_bytes_ref (data) : g_bytes_new_from_bytes (data, offset, len);
    func (&chunk, user_data);
    g_bytes_unref (chunk.data);
    offset += len;
  }
  return n;
}

HksvChunk *
hksv_chunk_copy (const HksvChunk *chunk)
{
  HksvChunk *copy;

  g_return_val_if_fail (chunk != NULL, NULL);
  copy = g_new (HksvChunk, 1);
  *copy = *chunk;
  if (copy->data)
    g_bytes_ref (copy->data);
  return copy;
}

void
hksv_chunk_free (HksvChunk *chunk)
{
  if (!chunk)
    return;
  if (chunk->data)
    g_bytes_unref (chunk->data);
  g_free (chunk);
}

const gchar *
hksv_chunk_type_name (HksvChunkType type)
{
  switch (type) {
    case HKSV_CHUNK_MEDIA_INITIALIZATION:
      return "mediaInitialization";
    case HKSV_CHUNK_MEDIA_FRAGMENT:
      return "mediaFragment";
  }
  return "unknown";
}
