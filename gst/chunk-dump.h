/* libgsthksv: the chunk stream dump, a file of the dataSend chunks a hub received.
 *
 * hksv-hub writes one per recording (`record`), hksv-check reads it. Big-endian throughout:
 *
 *   header (16 bytes):  "HKSVCHNK"  u32 version (1)  u32 reserved (0)
 *   then per chunk, in the order received, a 40-byte record header and the chunk's bytes:
 *     u8  type            0 mediaInitialization, 1 mediaFragment
 *     u8  flags           1 isLastDataChunk, 2 endOfStream, 4 dataTotalSize present
 *     u16 reserved        0
 *     u32 length          bytes of chunk data that follow (at most HKSV_CHUNK_DUMP_MAX_DATA)
 *     u64 dataSequenceNumber
 *     u64 dataChunkSequenceNumber
 *     u64 dataTotalSize   0 when absent (flag 4 clear)
 *     i64 arrival         microseconds on the receiver's monotonic clock, 0 = unknown
 *     length bytes        the chunk's data
 *
 * The file ends after the last record; a truncated record is an error (the reader reports its
 * offset). Readers refuse versions they do not know and flags or reserved bits they do not know.
 */
#pragma once

#include <glib.h>

#include "gst/hksv-chunk.h"

G_BEGIN_DECLS

#define HKSV_CHUNK_DUMP_MAGIC "HKSVCHNK"
#define HKSV_CHUNK_DUMP_VERSION 1
#define HKSV_CHUNK_DUMP_HEADER_SIZE 16
#define HKSV_CHUNK_DUMP_RECORD_SIZE 40
/* A record's data is a chunk: far below this (HKSV_CHUNK_MAX_SIZE), but oversized chunks must
 * still be recorded for the checker to report them. */
#define HKSV_CHUNK_DUMP_MAX_DATA (64 * 1024 * 1024)

/* The 16-byte file header. */
GBytes *hksv_chunk_dump_header (void);
/* One record (header + data) for `chunk`. */
GBytes *hksv_chunk_dump_record (const HksvChunk *chunk);

/* Whether `data` starts with the dump magic (enough to tell a dump from an MP4 file). */
gboolean hksv_chunk_dump_is_dump (const guint8 *data, gsize len);

/* Parses a whole dump. Returns an array of HksvChunk (its clear function drops each chunk's
 * data, a sub-GBytes of `dump`), or NULL with `error` (HKSV_CHUNK_DUMP_ERROR). */
GArray *hksv_chunk_dump_parse (GBytes *dump, GError **error);

#define HKSV_CHUNK_DUMP_ERROR (hksv_chunk_dump_error_quark ())
GQuark hksv_chunk_dump_error_quark (void);

typedef enum {
  HKSV_CHUNK_DUMP_ERROR_NOT_A_DUMP, /* no magic */
  HKSV_CHUNK_DUMP_ERROR_VERSION,    /* a version this reader does not know */
  HKSV_CHUNK_DUMP_ERROR_TRUNCATED,  /* a record or its data runs past the end */
  HKSV_CHUNK_DUMP_ERROR_INVALID,    /* unknown type, flags or reserved bits, oversized data */
} HksvChunkDumpError;

G_END_DECLS
