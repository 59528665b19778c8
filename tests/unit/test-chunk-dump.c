/* Unit tests for gst/chunk-dump.c (the chunk stream dump hksv-hub writes and hksv-check reads).
 *
 * The expected bytes are written out field by field from the format in gst/chunk-dump.h
 * (big-endian: "HKSVCHNK", version 1, reserved 0; 40-byte record headers), never produced by
 * the writer under test. Then a round trip, and an invalid-input table for the reader. */
#include <string.h>

#include "gst/chunk-dump.h"
#include "tests/common/test-util.h"

#define HEADER "'HKSVCHNK' 00000001 00000000"

static void
test_write_vectors (void)
{
  g_autoptr (GBytes) header = hksv_chunk_dump_header ();
  g_autoptr (GBytes) data = hap_test_hex ("0011223344");
  HksvChunk init = { HKSV_CHUNK_MEDIA_INITIALIZATION, 1, 1, TRUE, 5, FALSE, data, 1234567 };
  HksvChunk frag = { HKSV_CHUNK_MEDIA_FRAGMENT, 2, 3, TRUE, -1, TRUE, data, 0 };
  g_autoptr (GBytes) r1 = hksv_chunk_dump_record (&init);
  g_autoptr (GBytes) r2 = hksv_chunk_dump_record (&frag);
  gsize len;
  const guint8 *d;

  d = g_bytes_get_data (header, &len);
  hap_test_assert_hex_equal (d, len, HEADER);
  d = g_bytes_get_data (r1, &len);
  hap_test_assert_hex_equal (d, len,
      "00 05 0000 00000005 0000000000000001 0000000000000001 0000000000000005 000000000012d687"
      " 0011223344");
  d = g_bytes_get_data (r2, &len);
  hap_test_assert_hex_equal (d, len,
      "01 03 0000 00000005 0000000000000002 0000000000000003 0000000000000000 0000000000000000"
      " 0011223344");
}

static void
test_round_trip (void)
{
  g_autoptr (GBytes) header = hksv_chunk_dump_header ();
  GByteArray *dump = g_byte_array_new ();
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GArray) back = NULL;
  GError *error = NULL;
  HksvChunk chunks[4];
  gsize len;
  const guint8 *d = g_bytes_get_data (header, &len);

  g_byte_array_append (dump, d, (guint) len);
  for (guint i = 0; i < G_N_ELEMENTS (chunks); i++) {
    g_autoptr (GBytes) rec = NULL;
    guint8 *payload = g_malloc (100 * i + 1);
    memset (payload, (gint) i, 100 * i + 1);
    chunks[i] = (HksvChunk){ i == 0 ? HKSV_CHUNK_MEDIA_INITIALIZATION : HKSV_CHUNK_MEDIA_FRAGMENT,
      i == 0 ? 1 : 2, i == 0 ? 1 : i, i == 0 || i == 3, i == 1 ? 602 : -1, i == 3,
      g_bytes_new_take (payload, 100 * i + 1), G_GINT64_CONSTANT (1) << (40 + i) };
    rec = hksv_chunk_dump_record (&chunks[i]);
    d = g_bytes_get_data (rec, &len);
    g_byte_array_append (dump, d, (guint) len);
  }
  bytes = g_byte_array_free_to_bytes (dump);
  g_assert_true (
      hksv_chunk_dump_is_dump (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes)));
  back = hksv_chunk_dump_parse (bytes, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->len, ==, G_N_ELEMENTS (chunks));
  for (guint i = 0; i < back->len; i++) {
    HksvChunk *a = &chunks[i], *b = &g_array_index (back, HksvChunk, i);
    g_assert_cmpint (b->type, ==, a->type);
    g_assert_cmpuint (b->data_sequence_number, ==, a->data_sequence_number);
    g_assert_cmpuint (b->chunk_sequence_number, ==, a->chunk_sequence_number);
    g_assert_cmpint (b->is_last_chunk, ==, a->is_last_chunk);
    g_assert_cmpint (b->total_size, ==, a->total_size);
    g_assert_cmpint (b->end_of_stream, ==, a->end_of_stream);
    g_assert_cmpint (b->arrival_us, ==, a->arrival_us);
    hap_test_assert_bytes_equal (b->data, a->data);
    g_bytes_unref (a->data);
  }
  /* a header alone is an empty dump */
  {
    g_autoptr (GArray) none = hksv_chunk_dump_parse (header, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (none->len, ==, 0);
  }
}

typedef struct {
  const gchar *name;
  const gchar *hex;
  gint code;
} InvalidDump;

#define REC_OK \
  "01 01 0000 00000002 0000000000000002 0000000000000001 0000000000000000 0000000000000000 aabb"

static const InvalidDump invalid_dumps[] = {
  { "empty", "", HKSV_CHUNK_DUMP_ERROR_NOT_A_DUMP },
  { "an MP4 file", "0000001c 'ftyp' 'mp42' 00000001 'isom' 'mp42' 'avc1'",
      HKSV_CHUNK_DUMP_ERROR_NOT_A_DUMP },
  { "magic only", "'HKSVCHNK'", HKSV_CHUNK_DUMP_ERROR_TRUNCATED },
  { "header truncated", "'HKSVCHNK' 00000001 0000", HKSV_CHUNK_DUMP_ERROR_TRUNCATED },
  { "version 2", "'HKSVCHNK' 00000002 00000000", HKSV_CHUNK_DUMP_ERROR_VERSION },
  { "version 0", "'HKSVCHNK' 00000000 00000000", HKSV_CHUNK_DUMP_ERROR_VERSION },
  { "reserved header field", "'HKSVCHNK' 00000001 00000001", HKSV_CHUNK_DUMP_ERROR_INVALID },
  { "record header truncated", HEADER " 01 01 0000 00000002 00000000",
      HKSV_CHUNK_DUMP_ERROR_TRUNCATED },
  { "data truncated",
      HEADER " 01 01 0000 00000003 0000000000000002 0000000000000001 0000000000000000 "
             "0000000000000000 aabb",
      HKSV_CHUNK_DUMP_ERROR_TRUNCATED },
  { "data length 2^32-1",
      HEADER
      " 01 01 0000 ffffffff 0000000000000002 0000000000000001 0000000000000000 0000000000000000",
      HKSV_CHUNK_DUMP_ERROR_INVALID },
  { "second record truncated", HEADER " " REC_OK " 01", HKSV_CHUNK_DUMP_ERROR_TRUNCATED },
  { "type 2",
      HEADER
      " 02 01 0000 00000000 0000000000000002 0000000000000001 0000000000000000 0000000000000000",
      HKSV_CHUNK_DUMP_ERROR_INVALID },
  { "unknown flag 8",
      HEADER
      " 01 09 0000 00000000 0000000000000002 0000000000000001 0000000000000000 0000000000000000",
      HKSV_CHUNK_DUMP_ERROR_INVALID },
  { "reserved record field",
      HEADER
      " 01 01 0001 00000000 0000000000000002 0000000000000001 0000000000000000 0000000000000000",
      HKSV_CHUNK_DUMP_ERROR_INVALID },
  { "total size without its flag",
      HEADER
      " 01 01 0000 00000000 0000000000000002 0000000000000001 0000000000000010 0000000000000000",
      HKSV_CHUNK_DUMP_ERROR_INVALID },
  { "total size over 2^63",
      HEADER
      " 01 05 0000 00000000 0000000000000002 0000000000000001 8000000000000000 0000000000000000",
      HKSV_CHUNK_DUMP_ERROR_INVALID },
};

static void
test_invalid_input (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (invalid_dumps); i++) {
    const InvalidDump *v = &invalid_dumps[i];
    g_autoptr (GBytes) b = hap_test_hex (v->hex);
    GError *error = NULL;
    GArray *chunks;

    g_test_message ("%s", v->name);
    chunks = hksv_chunk_dump_parse (b, &error);
    g_assert_null (chunks);
    g_assert_error (error, HKSV_CHUNK_DUMP_ERROR, v->code);
    g_test_message ("  -> %s", error->message);
    g_clear_error (&error);
  }
  g_assert_false (hksv_chunk_dump_is_dump (NULL, 0));
  g_assert_false (hksv_chunk_dump_is_dump ((const guint8 *) "HKSVCHN", 7));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/chunk-dump/write-vectors", test_write_vectors);
  g_test_add_func ("/chunk-dump/round-trip", test_round_trip);
  g_test_add_func ("/chunk-dump/invalid-input", test_invalid_input);
  return g_test_run ();
}
