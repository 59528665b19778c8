/* libgsthksv: splitting an init segment or a fragment into dataSend chunks (pure: GLib only).
 *
 * PROTOCOL.md section 5: chunks of at most HKSV_CHUNK_MAX_SIZE bytes, numbered from 1 within their
 * data sequence, isLastDataChunk only on the last, dataTotalSize (the size of the whole init
 * segment or fragment) only on the first, endOfStream (when asked for) only on the last. The
 * init segment gets the same treatment as a fragment: it is one chunk in practice, and peers
 * write dataTotalSize on the first chunk of every sequence. Chunk data are sub-ranges of the
 * input (g_bytes_new_from_bytes), never copies.
 */
#pragma once

#include <glib.h>

#include "gst/hksv-chunk.h"

G_BEGIN_DECLS

typedef void (*HksvChunkFunc) (const HksvChunk *chunk, gpointer user_data);

/* Calls `func` once per chunk of `data` (which must not be empty), in order, with chunks of at
 * most `max_chunk_size` bytes (0: HKSV_CHUNK_MAX_SIZE). The chunk passed to `func` is only valid
 * during the call (hksv_chunk_copy() to keep it). Returns the number of chunks. */
guint hksv_chunker_split (HksvChunkType type, guint64 data_sequence_number, GBytes *data,
    gboolean end_of_stream, gsize max_chunk_size, HksvChunkFunc func, gpointer user_data);

/* The number of chunks hksv_chunker_split() makes of `size` bytes. */
guint hksv_chunker_count (gsize size, gsize max_chunk_size);

/* A heap copy of `chunk` holding its own reference to the data; free with hksv_chunk_free(). */
HksvChunk *hksv_chunk_copy (const HksvChunk *chunk);
void hksv_chunk_free (HksvChunk *chunk);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HksvChunk, hksv_chunk_free)

/* "mediaInitialization" / "mediaFragment" */
const gchar *hksv_chunk_type_name (HksvChunkType type);

G_END_DECLS
