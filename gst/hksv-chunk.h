/* libgsthksv: one piece of a recording as it is sent in a dataSend `data` event.
 *
 * PROTOCOL.md section 5: the init segment is data sequence number 1 (dataType
 * mediaInitialization, one chunk); fragments are 2, 3, ... (mediaFragment), each split into chunks
 * of at most HKSV_CHUNK_MAX_SIZE bytes numbered from 1, isLastDataChunk only on the last,
 * dataTotalSize (the whole fragment's size) on the first, endOfStream on the last chunk of the
 * final fragment. hksvsink produces these; the conformance checker (gst/mp4-check.h) and
 * hksv-hub consume them.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define HKSV_CHUNK_MAX_SIZE 262144

typedef enum {
  HKSV_CHUNK_MEDIA_INITIALIZATION, /* "mediaInitialization" */
  HKSV_CHUNK_MEDIA_FRAGMENT,       /* "mediaFragment" */
} HksvChunkType;

typedef struct {
  HksvChunkType type;
  guint64 data_sequence_number;  /* dataSequenceNumber: 1 = init, 2.. fragments */
  guint64 chunk_sequence_number; /* dataChunkSequenceNumber: from 1 within the sequence */
  gboolean is_last_chunk;        /* isLastDataChunk */
  gint64 total_size;             /* dataTotalSize, or -1 when the chunk does not carry it */
  gboolean end_of_stream;        /* endOfStream of the data event carrying this chunk */
  GBytes *data;
  /* Receiver side (hksv-hub, the chunk dump): when the chunk arrived, in microseconds on any
   * monotonic clock (g_get_monotonic_time()); 0 = unknown. The sender leaves it 0. Lets the
   * checker verify that the prebuffer is sent at once. */
  gint64 arrival_us;
} HksvChunk;

G_END_DECLS
