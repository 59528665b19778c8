/* libFuzzer target for gst/chunk-dump.c (and the checker's chunk input, gst/mp4-check.c).
 *
 * Parses the input as a chunk dump; a parsed dump is re-encoded record by record and must give
 * the same bytes, and its chunks go through the conformance checker with every option set (the
 * path hksv-hub and hksv-check take). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gst/chunk-dump.h"
#include "gst/mp4-check.h"
#include "tests/fuzz/fuzz-target.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GBytes *bytes = g_bytes_new (data, size);
  GError *error = NULL;
  GArray *chunks = hksv_chunk_dump_parse (bytes, &error);
  HksvMp4CheckOptions opt = { 4000, HKSV_MP4_AUDIO_YES, 4000, 500, FALSE };
  HksvMp4Checker *k;
  GByteArray *again;
  GBytes *header;

  if (!chunks) {
    CHECK (error != NULL);
    g_error_free (error);
    g_bytes_unref (bytes);
    return 0;
  }
  header = hksv_chunk_dump_header ();
  again = g_byte_array_new ();
  g_byte_array_append (again, g_bytes_get_data (header, NULL), g_bytes_get_size (header));
  g_bytes_unref (header);
  k = hksv_mp4_checker_new (&opt);
  for (guint i = 0; i < chunks->len; i++) {
    HksvChunk *c = &g_array_index (chunks, HksvChunk, i);
    GBytes *rec = hksv_chunk_dump_record (c);
    g_byte_array_append (again, g_bytes_get_data (rec, NULL), g_bytes_get_size (rec));
    g_bytes_unref (rec);
    hksv_mp4_checker_add_chunk (k, c);
  }
  hksv_mp4_checker_finish (k);
  for (guint i = 0; i < hksv_mp4_checker_n_violations (k); i++)
    CHECK (hksv_mp4_checker_violation (k, i)->message != NULL);
  CHECK (again->len == size && memcmp (again->data, data, size) == 0);
  g_byte_array_unref (again);
  hksv_mp4_checker_free (k);
  g_array_unref (chunks);
  g_bytes_unref (bytes);
  return 0;
}
