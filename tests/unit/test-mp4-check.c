/* Unit tests for gst/mp4-check.c (conformance checker), gst/mp4-box-reader.c and gst/mp4-codec.c.
 *
 * - The real camera's recording (tests/data/reference-camera) passes every rule: as files, as one
 *   recording, and chunked as hksvsink sends it (also through a chunk dump).
 * - Every rule has a case that violates it, made by mutating valid output of the fMP4 writer (a
 *   box patched, renamed, removed or inserted, a chunk dropped or renumbered) or by a writer
 *   input that breaks it; a check that each rule id of hksv_mp4_check_rules() has a case.
 * - Invalid-input tables for the box reader (truncated headers, sizes 0/1/huge, 64-bit sizes,
 *   overlapping and nested overflow) and the codec configuration parsers.
 * The hvcC vector was produced by x265enc 3.5 (GStreamer 1.22) for 320x240, the avcC is the
 * camera's (1920x1080, Main@4.1). */
#include <string.h>

#include "gst/aac-silence.h"
#include "gst/chunk-dump.h"
#include "gst/fmp4-writer.h"
#include "gst/mp4-box-reader.h"
#include "gst/mp4-check.h"
#include "gst/mp4-codec.h"
#include "tests/common/test-util.h"

#define MS (G_GINT64_CONSTANT (1000000))

#define X265_HVCC                                                                                  \
  "0104080000009808000000003ff000fcfffcfc00000f03200001001740010c01ffff04080000030098080000030000" \
  "3fba02402100010031420101040800000300980800000300003f90014101e2294b7524995ffe00020002d41818181"  \
  "0000003001000000301908022000100074401c172b46240"

static GBytes *
load_reference (const char *name)
{
  const char *dir = g_getenv ("HKSV_TEST_DATA");
  g_autofree gchar *path
      = dir ? g_build_filename (dir, "reference-camera", name, NULL)
            : g_test_build_filename (G_TEST_DIST, "data", "reference-camera", name, NULL);
  gchar *data;
  gsize len;
  GError *error = NULL;

  g_assert_true (g_file_get_contents (path, &data, &len, &error));
  g_assert_no_error (error);
  return g_bytes_new_take (data, len);
}

/* ---- a recording being edited: init segment and fragments ---- */

typedef struct {
  GByteArray *init;
  GPtrArray *frags; /* GByteArray */
} Rec;

static void
rec_clear (Rec *r)
{
  g_byte_array_unref (r->init);
  g_ptr_array_unref (r->frags);
}

static GByteArray *
array_of (GBytes *b)
{
  gsize len;
  const guint8 *d = g_bytes_get_data (b, &len);
  GByteArray *a = g_byte_array_sized_new ((guint) len);
  g_byte_array_append (a, d, (guint) len);
  return a;
}

/* Finds a box by path ("moov/trak[1]/mdia/mdhd"); `chain` receives the offsets of the box and
 * its ancestors (outermost first), `depth` their number. */
static gboolean
locate (GByteArray *u, const char *path, gsize *chain, guint *depth, HksvBox *out)
{
  g_auto (GStrv) parts = g_strsplit (path, "/", -1);
  HksvBox parent = { 0 };

  *depth = 0;
  for (guint p = 0; parts[p]; p++) {
    HksvBoxIter it;
    HksvBox box;
    guint want = 0, seen = 0;
    const char *bracket = strchr (parts[p], '[');
    guint32 type = HKSV_FOURCC (parts[p][0], parts[p][1], parts[p][2], parts[p][3]);
    gboolean found = FALSE;
    gsize skip = 0;

    if (bracket)
      want = (guint) g_ascii_strtoull (bracket + 1, NULL, 10);
    if (p == 0)
      hksv_box_iter_init (&it, u->data, u->len);
    else if (!hksv_box_children_skip (parent.type, &skip)
             || !hksv_box_iter_init_children (&it, &parent, skip))
      return FALSE;
    while (hksv_box_iter_next (&it, &box, NULL) == HKSV_BOX_OK) {
      if (box.type == type && seen++ == want) {
        found = TRUE;
        break;
      }
    }
    if (!found)
      return FALSE;
    chain[(*depth)++] = box.offset;
    parent = box;
  }
  *out = parent;
  return TRUE;
}

static void
insert_at (GByteArray *u, gsize at, const guint8 *b, gsize len)
{
  guint old = u->len;
  g_byte_array_set_size (u, old + (guint) len);
  memmove (u->data + at + len, u->data + at, old - at);
  memcpy (u->data + at, b, len);
}

static void
put_u32 (guint8 *p, guint32 v)
{
  p[0] = v >> 24;
  p[1] = v >> 16;
  p[2] = v >> 8;
  p[3] = v;
}

static guint32
get_u32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

static HksvBox
must_locate (GByteArray *u, const char *path, gsize *chain, guint *depth)
{
  HksvBox box;
  if (!locate (u, path, chain, depth, &box))
    g_error ("no box at %s", path);
  return box;
}

static void
resize_chain (GByteArray *u, const gsize *chain, guint depth, gssize delta)
{
  for (guint i = 0; i < depth; i++)
    put_u32 (u->data + chain[i], (guint32) ((gssize) get_u32 (u->data + chain[i]) + delta));
}

/* Overwrites bytes at `off` into the payload of the box at `path`. */
static void
patch (GByteArray *u, const char *path, gsize off, const char *hex)
{
  gsize chain[16], len;
  guint depth;
  HksvBox box = must_locate (u, path, chain, &depth);
  g_autofree guint8 *b = hap_test_unhex (hex, &len);
  g_assert_cmpuint (off + len, <=, box.payload_size);
  memcpy (u->data + box.offset + box.header_size + off, b, len);
}

static void
patch_u32 (GByteArray *u, const char *path, gsize off, guint32 v)
{
  gsize chain[16];
  guint depth;
  HksvBox box = must_locate (u, path, chain, &depth);
  g_assert_cmpuint (off + 4, <=, box.payload_size);
  put_u32 (u->data + box.offset + box.header_size + off, v);
}

static guint32
read_u32 (GByteArray *u, const char *path, gsize off)
{
  gsize chain[16];
  guint depth;
  HksvBox box = must_locate (u, path, chain, &depth);
  return get_u32 (u->data + box.offset + box.header_size + off);
}

static void
rename_box (GByteArray *u, const char *path, const char *type)
{
  gsize chain[16];
  guint depth;
  HksvBox box = must_locate (u, path, chain, &depth);
  memcpy (u->data + box.offset + 4, type, 4);
}

static void
remove_box (GByteArray *u, const char *path)
{
  gsize chain[16];
  guint depth;
  HksvBox box = must_locate (u, path, chain, &depth);
  g_byte_array_remove_range (u, (guint) box.offset, (guint) box.size);
  resize_chain (u, chain, depth - 1, -(gssize) box.size);
}

/* Inserts bytes at `off` into the payload of the box at `path` (which grows, with its
 * ancestors). */
static void
insert_bytes (GByteArray *u, const char *path, gsize off, const char *hex)
{
  gsize chain[16], len;
  guint depth;
  HksvBox box = must_locate (u, path, chain, &depth);
  g_autofree guint8 *b = hap_test_unhex (hex, &len);
  insert_at (u, box.offset + box.header_size + off, b, len);
  resize_chain (u, chain, depth, (gssize) len);
}

static void
remove_bytes (GByteArray *u, const char *path, gsize off, gsize n)
{
  gsize chain[16];
  guint depth;
  HksvBox box = must_locate (u, path, chain, &depth);
  g_byte_array_remove_range (u, (guint) (box.offset + box.header_size + off), (guint) n);
  resize_chain (u, chain, depth, -(gssize) n);
}

static void
append_hex (GByteArray *u, const char *hex)
{
  gsize len;
  g_autofree guint8 *b = hap_test_unhex (hex, &len);
  g_byte_array_append (u, b, (guint) len);
}

/* The absolute offset in fragment `f` of sample `s` of traf `t`. */
static gsize
sample_at (Rec *r, guint f, guint t, guint s, guint32 *size)
{
  HksvMp4Init init;
  GError *error = NULL;
  GByteArray *u = g_ptr_array_index (r->frags, f);
  g_autoptr (HksvMp4Fragment) frag = NULL;
  const HksvMp4Sample *smp;

  g_assert_true (hksv_mp4_init_parse (r->init->data, r->init->len, &init, &error));
  frag = hksv_mp4_fragment_parse (&init, u->data, u->len, &error);
  g_assert_no_error (error);
  smp = &g_array_index (
      ((HksvMp4Traf *) g_ptr_array_index (frag->trafs, t))->samples, HksvMp4Sample, s);
  if (size)
    *size = smp->size;
  return smp->offset;
}

/* ---- writer-made recordings ---- */

typedef struct {
  HksvCodec codec;
  guint64 interleave_ns;
  gint64 audio_late_ns; /* the first fragment's audio starts this late */
  gboolean second_idr;  /* a second IDR in the middle of each fragment */
  gboolean dup_pts;     /* two video samples presented at the same time */
  gboolean adts;        /* ADTS headers on the audio frames */
  guint idr_size;       /* default 3000 */
  gint64 frame_ns;      /* video frame duration, default FRAME (25 fps) */
} Gen;

static GBytes *
fake_au (gboolean hevc, gboolean idr, guint size, guint seed)
{
  guint8 *d = g_malloc (size);
  guint hdr = hevc ? 6 : 5;
  put_u32 (d, size - 4);
  if (hevc) {
    d[4] = (guint8) ((idr ? 19 : 1) << 1); /* IDR_W_RADL / TRAIL_R */
    d[5] = 1;
  } else {
    d[4] = (guint8) (idr ? 0x65 : 0x41);
  }
  for (guint i = hdr; i < size; i++)
    d[i] = (guint8) (seed * 31 + i * 7 + 1);
  return g_bytes_new_take (d, size);
}

static GBytes *
fake_aac (gboolean adts, guint size, guint seed)
{
  guint8 *d = g_malloc (size);
  for (guint i = 0; i < size; i++)
    d[i] = (guint8) (0x21 + seed + i);
  if (adts) {
    /* FFF1: MPEG-4, no CRC; frame_length (13 bits) = the whole sample */
    d[0] = 0xff;
    d[1] = 0xf1;
    d[3] = (guint8) ((size >> 11) & 3);
    d[4] = (guint8) (size >> 3);
    d[5] = (guint8) ((size & 7) << 5);
  }
  return g_bytes_new_take (d, size);
}

#define N_FRAGS 3
#define GOP 50 /* 2 s at 25 fps */
#define FRAME (40 * MS)

static Rec
generate (const Gen *g)
{
  g_autoptr (GBytes) ref_init = load_reference ("mediaInitialization.mp4");
  gboolean hevc = g->codec == HKSV_CODEC_H265;
  g_autoptr (GBytes) vcd = NULL;
  g_autoptr (GBytes) asc = hksv_aac_audio_specific_config (HKSV_AAC_OBJECT_LC, 32000, 1, NULL);
  HksvTrackInfo tracks[2];
  HksvFmp4Options options = { g->interleave_ns };
  GError *error = NULL;
  g_autoptr (HksvFmp4Writer) w = NULL;
  g_autoptr (GBytes) init = NULL;
  Rec r;
  guint a = 0, v = 0;
  const gint64 frame_ns = g->frame_ns ? g->frame_ns : FRAME;

  if (hevc) {
    vcd = hap_test_hex (X265_HVCC);
  } else {
    gsize chain[16];
    guint depth;
    HksvBox box;
    GByteArray *u = array_of (ref_init);
    box = must_locate (u, "moov/trak[0]/mdia/minf/stbl/stsd/avc1/avcC", chain, &depth);
    vcd = g_bytes_new (box.payload, box.payload_size);
    g_byte_array_unref (u);
  }
  tracks[0] = (HksvTrackInfo){ g->codec, vcd, hevc ? 320 : 1920, hevc ? 240 : 1080, 0, 0, 0, 0 };
  tracks[1] = (HksvTrackInfo){ HKSV_CODEC_AAC_LC, asc, 0, 0, 32000, 1, 0, 64000 };
  w = hksv_fmp4_writer_new (tracks, 2, &options, &error);
  g_assert_no_error (error);
  init = hksv_fmp4_writer_init_segment (w);
  r.init = array_of (init);
  r.frags = g_ptr_array_new_with_free_func ((GDestroyNotify) g_byte_array_unref);
  for (guint f = 0; f < N_FRAGS; f++) {
    gint64 end = (gint64) (f + 1) * GOP * frame_ns;
    g_autoptr (GBytes) frag = NULL;
    for (guint i = 0; i < GOP; i++, v++) {
      gboolean idr = i == 0 || (g->second_idr && i == GOP / 2);
      g_autoptr (GBytes) au
          = fake_au (hevc, idr, idr ? (g->idr_size ? g->idr_size : 3000) : 400 + v % 9, v);
      HksvSample s = { (gint64) v * frame_ns, (gint64) v * frame_ns, frame_ns, idr, au };
      if (g->dup_pts && i == 3)
        s.pts = s.dts + frame_ns; /* the same time as sample 4 */
      g_assert_true (hksv_fmp4_writer_add_sample (w, 0, &s, &error));
      g_assert_no_error (error);
    }
    for (;; a++) {
      gint64 t = (gint64) a * 32 * MS;
      g_autoptr (GBytes) frame = NULL;
      HksvSample s = { t, t, 32 * MS, TRUE, NULL };
      if (t >= end)
        break;
      if (f == 0 && t < g->audio_late_ns)
        continue;
      frame = fake_aac (g->adts, 150 + a % 11, a);
      s.data = frame;
      g_assert_true (hksv_fmp4_writer_add_sample (w, 1, &s, &error));
      g_assert_no_error (error);
    }
    frag = hksv_fmp4_writer_finish_fragment (w, end);
    g_ptr_array_add (r.frags, array_of (frag));
  }
  return r;
}

/* ---- feeding the checker ---- */

typedef enum {
  FEED_FILES,
  FEED_NO_INIT,
  FEED_INIT_TWICE,
  FEED_INIT_ONLY,
  FEED_RECORDING,
  FEED_CHUNKS,
} Feed;

static void
chunk_clear (gpointer p)
{
  HksvChunk *c = p;
  g_clear_pointer (&c->data, g_bytes_unref);
}

/* As hksvsink sends them: the init segment in one chunk (sequence 1), each fragment in chunks of
 * at most `max` bytes; the first fragment arrives at once after the init segment, the others
 * one fragment length apart. */
static GArray *
to_chunks (const Rec *r, gsize max, gint64 fragment_us)
{
  GArray *chunks = g_array_new (FALSE, TRUE, sizeof (HksvChunk));
  gint64 t0 = 1000000;
  HksvChunk init = { HKSV_CHUNK_MEDIA_INITIALIZATION, 1, 1, TRUE, r->init->len, FALSE,
    g_bytes_new (r->init->data, r->init->len), t0 };

  g_array_set_clear_func (chunks, chunk_clear);
  g_array_append_val (chunks, init);
  for (guint f = 0; f < r->frags->len; f++) {
    GByteArray *u = g_ptr_array_index (r->frags, f);
    guint64 n = 1;
    for (gsize off = 0; off < u->len; off += max, n++) {
      gsize len = MIN (max, u->len - off);
      HksvChunk c = { HKSV_CHUNK_MEDIA_FRAGMENT, f + 2, n, off + len == u->len,
        off == 0 ? (gint64) u->len : -1, f + 1 == r->frags->len && off + len == u->len,
        g_bytes_new (u->data + off, len), t0 + 50000 + (gint64) f * fragment_us };
      g_array_append_val (chunks, c);
    }
  }
  return chunks;
}

static HksvMp4Checker *
feed (Rec *r, const HksvMp4CheckOptions *opt, Feed how, void (*mutate_chunks) (GArray *))
{
  HksvMp4Checker *k = hksv_mp4_checker_new (opt);

  switch (how) {
    case FEED_CHUNKS: {
      g_autoptr (GArray) chunks = to_chunks (r, 16384, 2000000);
      if (mutate_chunks)
        mutate_chunks (chunks);
      for (guint i = 0; i < chunks->len; i++)
        hksv_mp4_checker_add_chunk (k, &g_array_index (chunks, HksvChunk, i));
      break;
    }
    case FEED_RECORDING: {
      GByteArray *all = g_byte_array_new ();
      g_byte_array_append (all, r->init->data, r->init->len);
      for (guint f = 0; f < r->frags->len; f++) {
        GByteArray *u = g_ptr_array_index (r->frags, f);
        g_byte_array_append (all, u->data, u->len);
      }
      hksv_mp4_checker_add_recording (k, all->data, all->len);
      g_byte_array_unref (all);
      break;
    }
    default:
      if (how != FEED_NO_INIT)
        hksv_mp4_checker_add_init (k, r->init->data, r->init->len);
      if (how == FEED_INIT_TWICE)
        hksv_mp4_checker_add_init (k, r->init->data, r->init->len);
      if (how != FEED_INIT_ONLY) {
        for (guint f = 0; f < r->frags->len; f++) {
          GByteArray *u = g_ptr_array_index (r->frags, f);
          hksv_mp4_checker_add_fragment (k, u->data, u->len);
        }
      }
      break;
  }
  hksv_mp4_checker_finish (k);
  return k;
}

static void
log_violations (HksvMp4Checker *k)
{
  for (guint i = 0; i < hksv_mp4_checker_n_violations (k); i++) {
    const HksvMp4Violation *v = hksv_mp4_checker_violation (k, i);
    g_test_message ("  seq %" G_GUINT64_FORMAT " chunk %" G_GUINT64_FORMAT " %s: %s", v->sequence,
        v->chunk, v->rule, v->message);
  }
}

static void
assert_clean (HksvMp4Checker *k)
{
  log_violations (k);
  g_assert_cmpuint (hksv_mp4_checker_n_violations (k), ==, 0);
}

/* ---- the reference recording passes ---- */

static Rec
reference_rec (void)
{
  const char *names[] = { "sequence2.mp4", "sequence3.mp4", "sequence4.mp4" };
  g_autoptr (GBytes) init = load_reference ("mediaInitialization.mp4");
  Rec r = { array_of (init), g_ptr_array_new_with_free_func ((GDestroyNotify) g_byte_array_unref) };
  for (guint i = 0; i < G_N_ELEMENTS (names); i++) {
    g_autoptr (GBytes) f = load_reference (names[i]);
    g_ptr_array_add (r.frags, array_of (f));
  }
  return r;
}

static void
test_reference_passes (void)
{
  Rec r = reference_rec ();
  HksvMp4CheckOptions opt = { 4000, HKSV_MP4_AUDIO_YES, 4000, 0, FALSE };
  HksvMp4CheckOptions files_opt = { 4000, HKSV_MP4_AUDIO_YES, 0, 0, FALSE };
  Feed feeds[] = { FEED_FILES, FEED_RECORDING };

  for (guint i = 0; i < G_N_ELEMENTS (feeds); i++) {
    g_autoptr (HksvMp4Checker) k = feed (&r, &files_opt, feeds[i], NULL);
    const HksvMp4Summary *s = hksv_mp4_checker_summary (k);
    assert_clean (k);
    g_assert_cmpuint (s->n_tracks, ==, 2);
    g_assert_cmpstr (s->tracks[0].codec, ==, "H.264");
    g_assert_cmpuint (s->tracks[0].width, ==, 1920);
    g_assert_cmpuint (s->tracks[0].height, ==, 1080);
    g_assert_cmpuint (s->tracks[0].profile, ==, 77);
    g_assert_cmpuint (s->tracks[0].level, ==, 41);
    g_assert_cmpuint (s->tracks[0].samples, ==, 65 + 64 + 64);
    g_assert_cmpuint (s->tracks[0].sync_samples, ==, 3);
    g_assert_cmpuint (s->tracks[0].duration, ==, 12003);
    g_assert_cmpstr (s->tracks[1].codec, ==, "AAC-LC");
    g_assert_cmpuint (s->tracks[1].sample_rate, ==, 32000);
    g_assert_cmpuint (s->tracks[1].channels, ==, 1);
    g_assert_cmpuint (s->tracks[1].samples, ==, 122 + 125 + 125);
    g_assert_cmpuint (s->fragments, ==, 3);
    g_assert_cmpuint (s->init_bytes, ==, 1143);
    g_assert_cmpuint (s->fragment_bytes, ==, 371381 + 422489 + 455063);
    g_assert_cmpuint (s->fragment_ms->len, ==, 3);
    g_assert_cmpfloat (g_array_index (s->fragment_ms, gdouble, 0), ==, 4004);
    g_assert_cmpfloat (g_array_index (s->fragment_ms, gdouble, 1), ==, 4000);
    g_assert_cmpfloat (g_array_index (s->fragment_ms, gdouble, 2), ==, 3999);
    g_assert_cmpfloat (s->prebuffer_ms, <, 0);
  }
  /* chunked as hksvsink sends it (262144-byte chunks: one full chunk plus the rest), the first
   * fragment at once after the init segment */
  {
    g_autoptr (GArray) chunks = to_chunks (&r, HKSV_CHUNK_MAX_SIZE, 4000000);
    g_autoptr (HksvMp4Checker) k = hksv_mp4_checker_new (&opt);
    g_assert_cmpuint (chunks->len, ==, 1 + 2 + 2 + 2);
    for (guint i = 0; i < chunks->len; i++)
      hksv_mp4_checker_add_chunk (k, &g_array_index (chunks, HksvChunk, i));
    hksv_mp4_checker_finish (k);
    assert_clean (k);
    g_assert_cmpuint (hksv_mp4_checker_summary (k)->chunks, ==, 7);
    g_assert_cmpfloat (hksv_mp4_checker_summary (k)->prebuffer_ms, ==, 4004);
  }
  /* and through a chunk dump */
  {
    g_autoptr (GArray) chunks = to_chunks (&r, HKSV_CHUNK_MAX_SIZE, 4000000);
    g_autoptr (GBytes) header = hksv_chunk_dump_header ();
    GByteArray *dump = array_of (header);
    g_autoptr (GBytes) dump_bytes = NULL;
    g_autoptr (GArray) back = NULL;
    g_autoptr (HksvMp4Checker) k = hksv_mp4_checker_new (&opt);
    GError *error = NULL;

    for (guint i = 0; i < chunks->len; i++) {
      g_autoptr (GBytes) rec = hksv_chunk_dump_record (&g_array_index (chunks, HksvChunk, i));
      gsize len;
      const guint8 *d = g_bytes_get_data (rec, &len);
      g_byte_array_append (dump, d, (guint) len);
    }
    dump_bytes = g_byte_array_free_to_bytes (dump);
    back = hksv_chunk_dump_parse (dump_bytes, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (back->len, ==, chunks->len);
    for (guint i = 0; i < back->len; i++)
      hksv_mp4_checker_add_chunk (k, &g_array_index (back, HksvChunk, i));
    hksv_mp4_checker_finish (k);
    assert_clean (k);
  }
  rec_clear (&r);
}

static void
test_writer_output_passes (void)
{
  Gen gens[] = { { HKSV_CODEC_H264, 500 * MS }, { HKSV_CODEC_H265, 500 * MS } };
  HksvMp4CheckOptions opt = { 2000, HKSV_MP4_AUDIO_YES, 2000, 0, FALSE };
  Feed feeds[] = { FEED_FILES, FEED_RECORDING, FEED_CHUNKS };

  for (guint g = 0; g < G_N_ELEMENTS (gens); g++) {
    Rec r = generate (&gens[g]);
    for (guint i = 0; i < G_N_ELEMENTS (feeds); i++) {
      g_autoptr (HksvMp4Checker) k = feed (&r, &opt, feeds[i], NULL);
      const HksvMp4Summary *s = hksv_mp4_checker_summary (k);
      g_test_message ("%s, feed %u", g ? "H.265" : "H.264", i);
      assert_clean (k);
      g_assert_cmpstr (s->tracks[0].codec, ==, g ? "H.265" : "H.264");
      g_assert_cmpuint (s->tracks[0].width, ==, g ? 320 : 1920);
      g_assert_cmpuint (s->tracks[0].height, ==, g ? 240 : 1080);
      g_assert_cmpuint (s->tracks[0].samples, ==, N_FRAGS * GOP);
      g_assert_cmpuint (s->fragments, ==, N_FRAGS);
      if (feeds[i] == FEED_CHUNKS)
        g_assert_cmpfloat (s->prebuffer_ms, ==, 2000);
    }
    rec_clear (&r);
  }
}

/* fragment.duration: every fragment (the last: not shorter) within max(one frame + 1 ms,
 * HKSV_FRAGMENT_TOLERANCE_MS) of the selected length, on either side. The recordings have
 * fragments of 50 frames: 2000 ms at 40 ms a frame, 10000 ms at 200 ms a frame. */
static void
test_fragment_duration_tolerance (void)
{
  const struct {
    gint64 frame_ns;
    guint selected_ms;
    guint violations; /* too short: all but the last; too long: every fragment */
  } cases[] = {
    { 40 * MS, 2000, 0 },
    { 40 * MS, 2000 + HKSV_FRAGMENT_TOLERANCE_MS - 1, 0 },           /* 99 ms short */
    { 40 * MS, 2000 + HKSV_FRAGMENT_TOLERANCE_MS, 0 },               /* 100 ms short */
    { 40 * MS, 2000 + HKSV_FRAGMENT_TOLERANCE_MS + 1, N_FRAGS - 1 }, /* 101 ms short */
    { 40 * MS, 2000 - HKSV_FRAGMENT_TOLERANCE_MS + 1, 0 },           /* 99 ms long */
    { 40 * MS, 2000 - HKSV_FRAGMENT_TOLERANCE_MS, 0 },               /* 100 ms long */
    { 40 * MS, 2000 - HKSV_FRAGMENT_TOLERANCE_MS - 1, N_FRAGS },     /* 101 ms long */
    /* frames longer than the tolerance: a frame + 1 ms */
    { 200 * MS, 10000 + 201, 0 },
    { 200 * MS, 10000 + 202, N_FRAGS - 1 },
    { 200 * MS, 10000 - 201, 0 },
    { 200 * MS, 10000 - 202, N_FRAGS },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    Gen gen = { HKSV_CODEC_H264, 500 * MS };
    HksvMp4CheckOptions opt = { cases[i].selected_ms, HKSV_MP4_AUDIO_YES, 0, 0, FALSE };
    Rec r;

    gen.frame_ns = cases[i].frame_ns;
    r = generate (&gen);
    {
      g_autoptr (HksvMp4Checker) k = feed (&r, &opt, FEED_FILES, NULL);

      g_test_message ("frames of %" G_GINT64_FORMAT " ms, %u ms selected", cases[i].frame_ns / MS,
          cases[i].selected_ms);
      log_violations (k);
      g_assert_cmpint (
          hksv_mp4_checker_has_violation (k, "fragment.duration"), ==, cases[i].violations > 0);
      g_assert_cmpuint (hksv_mp4_checker_n_violations (k), ==, cases[i].violations);
    }
    rec_clear (&r);
  }
}

/* ---- one case per rule ---- */

static const Gen gen_h264 = { HKSV_CODEC_H264, 500 * MS };

#define INIT r->init
#define FRAG(i) ((GByteArray *) g_ptr_array_index (r->frags, (i)))
#define STSD0 "moov/trak[0]/mdia/minf/stbl/stsd"
#define STSD1 "moov/trak[1]/mdia/minf/stbl/stsd"
#define VTRAF "moof/traf[0]"
#define ATRAF "moof/traf[1]"

static void
m_truncate_init (Rec *r)
{
  g_byte_array_set_size (INIT, INIT->len - 100);
}

static void
m_free_in_init (Rec *r)
{
  static const guint8 free_box[8] = { 0, 0, 0, 8, 'f', 'r', 'e', 'e' };
  insert_at (INIT, 28, free_box, sizeof free_box);
}

static void
m_major_brand (Rec *r)
{
  patch (INIT, "ftyp", 0, "'isom'");
}

static void
m_compatible_brands (Rec *r)
{
  patch (INIT, "ftyp", 16, "'iso5'");
}

static void
m_mvhd_timescale (Rec *r)
{
  patch_u32 (INIT, "moov/mvhd", 12, 0);
}

static void
m_no_video_trak (Rec *r)
{
  remove_box (INIT, "moov/trak[0]");
}

static void
m_no_audio_trak (Rec *r)
{
  remove_box (INIT, "moov/trak[1]");
}

static void
m_edts (Rec *r)
{
  insert_bytes (INIT, "moov/trak[0]", 92,
      "00000024 'edts' 0000001c 'elst' 00000000 00000001 00000fa0 00000000 00010000");
}

static void
m_stts_entries (Rec *r)
{
  patch_u32 (INIT, "moov/trak[0]/mdia/minf/stbl/stts", 4, 1);
}

static void
m_no_mvex (Rec *r)
{
  remove_box (INIT, "moov/mvex");
}

static void
m_no_trex (Rec *r)
{
  remove_box (INIT, "moov/mvex/trex[1]");
}

static void
m_trex_sdi (Rec *r)
{
  patch_u32 (INIT, "moov/mvex/trex[0]", 8, 2);
}

static void
m_no_mehd (Rec *r)
{
  remove_box (INIT, "moov/mvex/mehd");
}

static void
m_no_tkhd (Rec *r)
{
  remove_box (INIT, "moov/trak[1]/tkhd");
}

static void
m_duplicate_track_id (Rec *r)
{
  patch_u32 (INIT, "moov/trak[1]/tkhd", 12, 1);
}

static void
m_handler (Rec *r)
{
  patch (INIT, "moov/trak[1]/mdia/hdlr", 8, "'text'");
}

static void
m_mdhd_timescale (Rec *r)
{
  patch_u32 (INIT, "moov/trak[0]/mdia/mdhd", 12, 0);
}

static void
m_tkhd_flags (Rec *r)
{
  patch (INIT, "moov/trak[0]/tkhd", 3, "03");
}

static void
m_stsd_count (Rec *r)
{
  patch_u32 (INIT, STSD0, 4, 2);
}

static void
m_avc3 (Rec *r)
{
  rename_box (INIT, STSD0 "/avc1", "avc3");
}

static void
m_avcc_version (Rec *r)
{
  patch (INIT, STSD0 "/avc1/avcC", 0, "00");
}

static void
m_avcc_sps_zeros (Rec *r)
{
  /* keep the NAL header and profile/level, zero the rest: exp-Golomb codes never end */
  gsize chain[16];
  guint depth;
  HksvBox box = must_locate (INIT, STSD0 "/avc1/avcC", chain, &depth);
  guint sps_len = ((guint) box.payload[6] << 8) | box.payload[7];
  memset (INIT->data + box.offset + box.header_size + 8 + 4, 0, sps_len - 4);
}

static void
m_avcc_no_pps (Rec *r)
{
  gsize chain[16];
  guint depth;
  HksvBox box = must_locate (INIT, STSD0 "/avc1/avcC", chain, &depth);
  guint sps_len = ((guint) box.payload[6] << 8) | box.payload[7];
  gsize at = 8 + sps_len;
  /* PPS count 0, and the PPS bytes gone */
  remove_bytes (INIT, STSD0 "/avc1/avcC", at + 1, box.payload_size - at - 1);
  patch (INIT, STSD0 "/avc1/avcC", at, "00");
}

static void
m_hvcc_version (Rec *r)
{
  patch (INIT, STSD0 "/hvc1/hvcC", 0, "00");
}

static void
m_hvcc_sps_zeros (Rec *r)
{
  /* arrays: VPS (3 + 2 + 23 bytes), then the SPS array: type, count, length, NAL */
  gsize chain[16];
  guint depth;
  HksvBox box = must_locate (INIT, STSD0 "/hvc1/hvcC", chain, &depth);
  gsize vps = 23 + 3 + 2 + (((gsize) box.payload[23 + 3] << 8) | box.payload[23 + 4]);
  gsize sps_len = ((gsize) box.payload[vps + 3] << 8) | box.payload[vps + 4];
  g_assert_cmpuint (box.payload[vps] & 0x3f, ==, 33);
  memset (INIT->data + box.offset + box.header_size + vps + 5 + 2, 0, sps_len - 2);
}

static void
m_video_width_zero (Rec *r)
{
  patch (INIT, STSD0 "/avc1", 24, "0000");
}

static void
m_tkhd_width (Rec *r)
{
  patch_u32 (INIT, "moov/trak[0]/tkhd", 76, 1280u << 16);
}

static void
m_no_esds (Rec *r)
{
  remove_box (INIT, STSD1 "/mp4a/esds");
}

static void
m_he_aac (Rec *r)
{
  /* the AudioSpecificConfig is the last 2 bytes before the SLConfigDescriptor (06 01 02) */
  gsize chain[16];
  guint depth;
  HksvBox box = must_locate (INIT, STSD1 "/mp4a/esds", chain, &depth);
  g_assert_cmphex (box.payload[box.payload_size - 5], ==, 0x12);
  patch (INIT, STSD1 "/mp4a/esds", box.payload_size - 5, "2a88"); /* object type 5 */
}

static void
m_mp4a_rate (Rec *r)
{
  patch_u32 (INIT, STSD1 "/mp4a", 24, 48000u << 16);
}

static void
m_free_after_mdat (Rec *r)
{
  append_hex (FRAG (1), "00000008 'free'");
}

static void
m_no_mfhd (Rec *r)
{
  remove_box (FRAG (0), "moof/mfhd");
}

static void
m_mfhd_sequence (Rec *r)
{
  patch_u32 (FRAG (1), "moof/mfhd", 4, 5);
}

static void
m_no_audio_traf (Rec *r)
{
  remove_box (FRAG (1), ATRAF);
}

static void
m_trun_count (Rec *r)
{
  patch_u32 (FRAG (0), VTRAF "/trun[0]", 4, 0x10000000);
}

static void
m_clear_base_is_moof (Rec *r)
{
  for (guint f = 0; f < N_FRAGS; f++)
    patch (FRAG (f), VTRAF "/tfhd", 1, "00");
}

static void
m_base_data_offset (Rec *r)
{
  patch (FRAG (0), ATRAF "/tfhd", 1, "020001");
  insert_bytes (FRAG (0), ATRAF "/tfhd", 8, "0000000000000000");
}

static void
m_sample_description (Rec *r)
{
  patch (FRAG (0), ATRAF "/tfhd", 1, "020002");
  insert_bytes (FRAG (0), ATRAF "/tfhd", 8, "00000002");
}

static void
m_no_default_flags (Rec *r)
{
  patch (FRAG (0), VTRAF "/tfhd", 1, "020000");
  remove_bytes (FRAG (0), VTRAF "/tfhd", 8, 4);
}

static void
m_no_tfdt (Rec *r)
{
  remove_box (FRAG (1), ATRAF "/tfdt");
}

static void
m_tfdt_v0 (Rec *r)
{
  patch (FRAG (1), VTRAF "/tfdt", 0, "00");
  remove_bytes (FRAG (1), VTRAF "/tfdt", 4, 4);
}

static void
m_tfdt_start (Rec *r)
{
  patch (FRAG (0), VTRAF "/tfdt", 4, "0000000000000400");
}

static void
m_tfdt_gap (Rec *r)
{
  guint32 lo = read_u32 (FRAG (2), ATRAF "/tfdt", 8);
  patch_u32 (FRAG (2), ATRAF "/tfdt", 8, lo + 5);
}

static void
m_empty_audio_traf (Rec *r)
{
  HksvBox box;
  gsize chain[16];
  guint depth;
  while (locate (FRAG (1), ATRAF "/trun[0]", chain, &depth, &box))
    remove_box (FRAG (1), ATRAF "/trun[0]");
}

static void
m_no_data_offset (Rec *r)
{
  patch (FRAG (0), ATRAF "/trun[0]", 3, "00");
  remove_bytes (FRAG (0), ATRAF "/trun[0]", 8, 4);
}

static void
m_data_offset_far (Rec *r)
{
  patch_u32 (FRAG (0), VTRAF "/trun[1]", 8, 0x7fffff00);
}

static void
m_data_offset_overlap (Rec *r)
{
  patch_u32 (FRAG (0), VTRAF "/trun[1]", 8, read_u32 (FRAG (0), VTRAF "/trun[0]", 8));
}

static void
m_mdat_extra (Rec *r)
{
  gsize chain[16];
  guint depth;
  HksvBox box = must_locate (FRAG (2), "mdat", chain, &depth);
  insert_bytes (FRAG (2), "mdat", box.payload_size, "00112233445566778899aabbccddeeff");
}

static void
m_sample_size_zero (Rec *r)
{
  /* trun[1] of the video: vf, count, data offset, then (duration, size) pairs */
  patch_u32 (FRAG (0), VTRAF "/trun[1]", 12 + 4, 0);
}

static void
m_sample_duration_zero (Rec *r)
{
  patch_u32 (FRAG (1), ATRAF "/trun[0]", 12, 0);
}

static void
m_nal_length (Rec *r)
{
  guint32 size;
  gsize at = sample_at (r, 1, 0, 2, &size);
  put_u32 (FRAG (1)->data + at, size - 4 + 1);
}

static void
m_sei_only (Rec *r)
{
  gsize at = sample_at (r, 1, 0, 2, NULL);
  FRAG (1)->data[at + 4] = 0x06; /* SEI */
}

static void
m_first_not_idr (Rec *r)
{
  gsize at = sample_at (r, 2, 0, 0, NULL);
  FRAG (2)->data[at + 4] = 0x41;
}

static void
m_first_not_sync (Rec *r)
{
  patch_u32 (FRAG (0), VTRAF "/trun[0]", 12, 0x01010000);
}

static void
m_idr_in_middle (Rec *r)
{
  gsize at = sample_at (r, 0, 0, 5, NULL);
  FRAG (0)->data[at + 4] = 0x65;
}

static void
m_default_flags_sync (Rec *r)
{
  patch_u32 (FRAG (1), VTRAF "/tfhd", 8, 0x02000000);
}

static void
m_trex_audio_non_sync (Rec *r)
{
  patch_u32 (INIT, "moov/mvex/trex[1]", 20, 0x00010000);
}

/* chunk mutations */

static void
c_drop_init (GArray *c)
{
  g_array_remove_index (c, 0);
}

static void
c_fragment_typed_init (GArray *c)
{
  g_array_index (c, HksvChunk, 1).type = HKSV_CHUNK_MEDIA_INITIALIZATION;
}

static void
c_split_init (GArray *c)
{
  HksvChunk *init = &g_array_index (c, HksvChunk, 0);
  gsize len = g_bytes_get_size (init->data);
  HksvChunk second = *init;
  GBytes *whole = init->data;

  init->data = g_bytes_new_from_bytes (whole, 0, len / 2);
  init->is_last_chunk = FALSE;
  second.data = g_bytes_new_from_bytes (whole, len / 2, len - len / 2);
  second.chunk_sequence_number = 2;
  g_bytes_unref (whole);
  g_array_insert_val (c, 1, second);
}

static void
c_drop_sequence_3 (GArray *c)
{
  for (guint i = c->len; i-- > 0;) {
    if (g_array_index (c, HksvChunk, i).data_sequence_number == 3)
      g_array_remove_index (c, i);
  }
}

static void
c_chunk_number_gap (GArray *c)
{
  g_array_index (c, HksvChunk, 2).chunk_sequence_number = 3;
}

static void
c_no_last_flag (GArray *c)
{
  for (guint i = 0; i < c->len; i++) {
    HksvChunk *ch = &g_array_index (c, HksvChunk, i);
    if (ch->data_sequence_number == 2 && ch->is_last_chunk)
      ch->is_last_chunk = FALSE;
  }
}

static void
c_early_last_flag (GArray *c)
{
  g_array_index (c, HksvChunk, 1).is_last_chunk = TRUE;
}

static void
c_empty_chunk (GArray *c)
{
  HksvChunk *ch = &g_array_index (c, HksvChunk, 2);
  HksvChunk empty = *ch;
  empty.data = g_bytes_new (NULL, 0);
  empty.total_size = -1;
  empty.is_last_chunk = FALSE;
  empty.end_of_stream = FALSE;
  g_array_insert_val (c, 2, empty);
  for (guint i = 3; i < c->len; i++) {
    HksvChunk *n = &g_array_index (c, HksvChunk, i);
    if (n->data_sequence_number == empty.data_sequence_number)
      n->chunk_sequence_number++;
  }
}

static void
c_oversized (GArray *c)
{
  /* one chunk of HKSV_CHUNK_MAX_SIZE + 1 bytes: the fragment's chunks merged into one */
  HksvChunk *first = &g_array_index (c, HksvChunk, 1);
  GByteArray *all = g_byte_array_new ();
  guint64 seq = first->data_sequence_number;
  guint n = 0;
  for (guint i = 1; i < c->len && g_array_index (c, HksvChunk, i).data_sequence_number == seq;
       i++, n++) {
    gsize len;
    const guint8 *d = g_bytes_get_data (g_array_index (c, HksvChunk, i).data, &len);
    g_byte_array_append (all, d, (guint) len);
  }
  g_assert_cmpuint (all->len, >, HKSV_CHUNK_MAX_SIZE);
  g_array_remove_range (c, 2, n - 1);
  first = &g_array_index (c, HksvChunk, 1);
  g_bytes_unref (first->data);
  first->data = g_byte_array_free_to_bytes (all);
  first->is_last_chunk = TRUE;
}

static void
c_no_total_size (GArray *c)
{
  g_array_index (c, HksvChunk, 1).total_size = -1;
}

static void
c_wrong_total_size (GArray *c)
{
  g_array_index (c, HksvChunk, 1).total_size += 1;
}

static void
c_eos_early (GArray *c)
{
  for (guint i = 0; i < c->len; i++) {
    HksvChunk *ch = &g_array_index (c, HksvChunk, i);
    if (ch->data_sequence_number == 2 && ch->is_last_chunk)
      ch->end_of_stream = TRUE;
  }
}

static void
c_no_eos (GArray *c)
{
  g_array_index (c, HksvChunk, c->len - 1).end_of_stream = FALSE;
}

static void
c_prebuffer_late (GArray *c)
{
  /* the first fragment arrives 2 s after the init segment */
  for (guint i = 1; i < c->len; i++)
    g_array_index (c, HksvChunk, i).arrival_us += 2000000;
}

typedef struct {
  const gchar *rule;
  const gchar *what;
  Gen gen;
  void (*mutate) (Rec *r);
  Feed feed;
  void (*mutate_chunks) (GArray *c);
  HksvMp4CheckOptions opt;
} RuleCase;

#define OPT_DEFAULT                       \
  {                                       \
    2000, HKSV_MP4_AUDIO_YES, 0, 0, FALSE \
  }
#define OPT_CHUNKS                           \
  {                                          \
    2000, HKSV_MP4_AUDIO_YES, 2000, 0, FALSE \
  }
#define G264                  \
  {                           \
    HKSV_CODEC_H264, 500 * MS \
  }
#define G265                  \
  {                           \
    HKSV_CODEC_H265, 500 * MS \
  }

static const RuleCase rule_cases[] = {
  { "box.invalid", "init segment cut short", G264, m_truncate_init, FEED_FILES, NULL, OPT_DEFAULT },
  { "init.missing", "fragments without the init segment", G264, NULL, FEED_NO_INIT, NULL,
      OPT_DEFAULT },
  { "init.layout", "a free box between ftyp and moov", G264, m_free_in_init, FEED_FILES, NULL,
      OPT_DEFAULT },
  { "init.repeated", "the init segment twice", G264, NULL, FEED_INIT_TWICE, NULL, OPT_DEFAULT },
  { "ftyp.major-brand", "major brand isom", G264, m_major_brand, FEED_FILES, NULL, OPT_DEFAULT },
  { "ftyp.compatible-brands", "avc1 brand replaced", G264, m_compatible_brands, FEED_FILES, NULL,
      OPT_DEFAULT },
  { "moov.mvhd", "mvhd timescale 0", G264, m_mvhd_timescale, FEED_FILES, NULL, OPT_DEFAULT },
  { "moov.track-count", "no video trak", G264, m_no_video_trak, FEED_FILES, NULL, OPT_DEFAULT },
  { "moov.audio-missing", "no audio trak with audio configured", G264, m_no_audio_trak, FEED_FILES,
      NULL, OPT_DEFAULT },
  { "moov.audio-unexpected", "audio trak with audio not configured", G264, NULL, FEED_FILES, NULL,
      { 2000, HKSV_MP4_AUDIO_NO, 0, 0, FALSE } },
  { "moov.edts", "an edit list in the video trak", G264, m_edts, FEED_FILES, NULL, OPT_DEFAULT },
  { "moov.sample-table", "stts with an entry", G264, m_stts_entries, FEED_FILES, NULL,
      OPT_DEFAULT },
  { "moov.mvex", "no mvex", G264, m_no_mvex, FEED_FILES, NULL, OPT_DEFAULT },
  { "moov.trex", "no trex for the audio track", G264, m_no_trex, FEED_FILES, NULL, OPT_DEFAULT },
  { "moov.trex-defaults", "trex sample description 2", G264, m_trex_sdi, FEED_FILES, NULL,
      OPT_DEFAULT },
  { "moov.mehd", "no mehd", G264, m_no_mehd, FEED_FILES, NULL, OPT_DEFAULT },
  { "trak.structure", "audio trak without tkhd", G264, m_no_tkhd, FEED_FILES, NULL, OPT_DEFAULT },
  { "trak.track-id", "both traks track 1", G264, m_duplicate_track_id, FEED_FILES, NULL,
      OPT_DEFAULT },
  { "trak.handler", "handler text", G264, m_handler, FEED_FILES, NULL, OPT_DEFAULT },
  { "trak.timescale", "video mdhd timescale 0", G264, m_mdhd_timescale, FEED_FILES, NULL,
      OPT_DEFAULT },
  { "trak.flags", "tkhd flags 3", G264, m_tkhd_flags, FEED_FILES, NULL, OPT_DEFAULT },
  { "stsd.entries", "stsd entry count 2", G264, m_stsd_count, FEED_FILES, NULL, OPT_DEFAULT },
  { "stsd.codec", "avc3 sample entry", G264, m_avc3, FEED_FILES, NULL, OPT_DEFAULT },
  { "avcC.invalid", "avcC version 0", G264, m_avcc_version, FEED_FILES, NULL, OPT_DEFAULT },
  { "avcC.sps", "SPS zeroed", G264, m_avcc_sps_zeros, FEED_FILES, NULL, OPT_DEFAULT },
  { "avcC.pps", "no PPS", G264, m_avcc_no_pps, FEED_FILES, NULL, OPT_DEFAULT },
  { "hvcC.invalid", "hvcC version 0", G265, m_hvcc_version, FEED_FILES, NULL, OPT_DEFAULT },
  { "hvcC.parameter-sets", "H.265 SPS zeroed", G265, m_hvcc_sps_zeros, FEED_FILES, NULL,
      OPT_DEFAULT },
  { "video.size", "avc1 width 0", G264, m_video_width_zero, FEED_FILES, NULL, OPT_DEFAULT },
  { "video.size-mismatch", "tkhd width 1280", G264, m_tkhd_width, FEED_FILES, NULL, OPT_DEFAULT },
  { "esds.invalid", "mp4a without esds", G264, m_no_esds, FEED_FILES, NULL, OPT_DEFAULT },
  { "esds.object-type", "HE-AAC object type", G264, m_he_aac, FEED_FILES, NULL, OPT_DEFAULT },
  { "esds.config-mismatch", "mp4a says 48 kHz", G264, m_mp4a_rate, FEED_FILES, NULL, OPT_DEFAULT },
  { "fragment.layout", "a free box after mdat", G264, m_free_after_mdat, FEED_FILES, NULL,
      OPT_DEFAULT },
  { "moof.structure", "no mfhd", G264, m_no_mfhd, FEED_FILES, NULL, OPT_DEFAULT },
  { "mfhd.sequence", "mfhd 1, 5, 3", G264, m_mfhd_sequence, FEED_FILES, NULL, OPT_DEFAULT },
  { "moof.traf-count", "no audio traf", G264, m_no_audio_traf, FEED_FILES, NULL, OPT_DEFAULT },
  { "traf.structure", "trun count past its box", G264, m_trun_count, FEED_FILES, NULL,
      OPT_DEFAULT },
  { "tfhd.default-base-is-moof", "flag cleared", G264, m_clear_base_is_moof, FEED_FILES, NULL,
      OPT_DEFAULT },
  { "tfhd.base-data-offset", "base-data-offset present", G264, m_base_data_offset, FEED_FILES, NULL,
      OPT_DEFAULT },
  { "tfhd.sample-description", "sample description 2", G264, m_sample_description, FEED_FILES, NULL,
      OPT_DEFAULT },
  { "tfhd.default-flags", "video tfhd without default flags", G264, m_no_default_flags, FEED_FILES,
      NULL, OPT_DEFAULT },
  { "tfdt.missing", "audio traf without tfdt", G264, m_no_tfdt, FEED_FILES, NULL, OPT_DEFAULT },
  { "tfdt.version", "tfdt version 0", G264, m_tfdt_v0, FEED_FILES, NULL, OPT_DEFAULT },
  { "tfdt.start", "first tfdt 1024", G264, m_tfdt_start, FEED_FILES, NULL, OPT_DEFAULT },
  { "tfdt.discontinuous", "audio tfdt + 5", G264, m_tfdt_gap, FEED_FILES, NULL, OPT_DEFAULT },
  { "traf.empty", "audio traf without truns", G264, m_empty_audio_traf, FEED_FILES, NULL,
      OPT_DEFAULT },
  { "trun.data-offset", "audio trun without data offset", G264, m_no_data_offset, FEED_FILES, NULL,
      OPT_DEFAULT },
  { "trun.outside-mdat", "data offset far away", G264, m_data_offset_far, FEED_FILES, NULL,
      OPT_DEFAULT },
  { "trun.overlap", "two runs at one offset", G264, m_data_offset_overlap, FEED_FILES, NULL,
      OPT_DEFAULT },
  { "mdat.unused", "16 bytes more in mdat", G264, m_mdat_extra, FEED_FILES, NULL, OPT_DEFAULT },
  { "trun.interleave", "one run per track", { HKSV_CODEC_H264, 0 }, NULL, FEED_FILES, NULL,
      OPT_DEFAULT },
  { "sample.size-zero", "a video sample of 0 bytes", G264, m_sample_size_zero, FEED_FILES, NULL,
      OPT_DEFAULT },
  { "sample.duration-zero", "an audio sample of duration 0", G264, m_sample_duration_zero,
      FEED_FILES, NULL, OPT_DEFAULT },
  { "sample.nal-framing", "NAL length one too long", G264, m_nal_length, FEED_FILES, NULL,
      OPT_DEFAULT },
  { "sample.no-slice", "a sample of SEI only", G264, m_sei_only, FEED_FILES, NULL, OPT_DEFAULT },
  { "fragment.first-sample-not-idr", "first NAL type 1", G264, m_first_not_idr, FEED_FILES, NULL,
      OPT_DEFAULT },
  { "fragment.first-sample-not-sync", "first-sample-flags non-sync", G264, m_first_not_sync,
      FEED_FILES, NULL, OPT_DEFAULT },
  { "sample.idr-not-sync", "an IDR flagged non-sync", G264, m_idr_in_middle, FEED_FILES, NULL,
      OPT_DEFAULT },
  { "sample.non-idr-sync", "default flags sync", G264, m_default_flags_sync, FEED_FILES, NULL,
      OPT_DEFAULT },
  { "fragment.sync-count", "two IDRs per fragment", { HKSV_CODEC_H264, 500 * MS, 0, TRUE }, NULL,
      FEED_FILES, NULL, OPT_DEFAULT },
  { "fragment.duration", "2 s fragments, 3 s selected", G264, NULL, FEED_FILES, NULL,
      { 3000, HKSV_MP4_AUDIO_YES, 0, 0, FALSE } },
  { "fragment.av-drift", "audio 300 ms late", { HKSV_CODEC_H264, 500 * MS, 300 * MS }, NULL,
      FEED_FILES, NULL, OPT_DEFAULT },
  { "sample.cts", "two samples presented at once", { HKSV_CODEC_H264, 500 * MS, 0, FALSE, TRUE },
      NULL, FEED_FILES, NULL, OPT_DEFAULT },
  { "sample.adts", "ADTS headers", { HKSV_CODEC_H264, 500 * MS, 0, FALSE, FALSE, TRUE }, NULL,
      FEED_FILES, NULL, OPT_DEFAULT },
  { "sample.audio-not-sync", "trex audio flags non-sync", G264, m_trex_audio_non_sync, FEED_FILES,
      NULL, OPT_DEFAULT },
  { "recording.empty", "init segment only", G264, NULL, FEED_INIT_ONLY, NULL, OPT_DEFAULT },
  { "chunk.first", "no init chunk", G264, NULL, FEED_CHUNKS, c_drop_init, OPT_CHUNKS },
  { "chunk.type", "a fragment typed mediaInitialization", G264, NULL, FEED_CHUNKS,
      c_fragment_typed_init, OPT_CHUNKS },
  { "chunk.init-chunks", "init in two chunks", G264, NULL, FEED_CHUNKS, c_split_init, OPT_CHUNKS },
  { "chunk.sequence", "sequence 3 missing", G264, NULL, FEED_CHUNKS, c_drop_sequence_3,
      OPT_CHUNKS },
  { "chunk.number", "chunk numbers 1, 3", G264, NULL, FEED_CHUNKS, c_chunk_number_gap, OPT_CHUNKS },
  { "chunk.last-flag", "no isLastDataChunk on sequence 2", G264, NULL, FEED_CHUNKS, c_no_last_flag,
      OPT_CHUNKS },
  { "chunk.last-flag", "isLastDataChunk on the first of several", G264, NULL, FEED_CHUNKS,
      c_early_last_flag, OPT_CHUNKS },
  { "chunk.size", "an empty chunk", G264, NULL, FEED_CHUNKS, c_empty_chunk, OPT_CHUNKS },
  { "chunk.size", "a chunk over 262144 bytes",
      { HKSV_CODEC_H264, 500 * MS, 0, FALSE, FALSE, FALSE, 300000 }, NULL, FEED_CHUNKS, c_oversized,
      OPT_CHUNKS },
  { "chunk.total-size", "no dataTotalSize", G264, NULL, FEED_CHUNKS, c_no_total_size, OPT_CHUNKS },
  { "chunk.total-size", "dataTotalSize one too many", G264, NULL, FEED_CHUNKS, c_wrong_total_size,
      OPT_CHUNKS },
  { "chunk.end-of-stream", "endOfStream after the first fragment", G264, NULL, FEED_CHUNKS,
      c_eos_early, OPT_CHUNKS },
  { "chunk.end-of-stream-missing", "no endOfStream", G264, NULL, FEED_CHUNKS, c_no_eos,
      OPT_CHUNKS },
  { "prebuffer.short", "first fragment 2 s late", G264, NULL, FEED_CHUNKS, c_prebuffer_late,
      OPT_CHUNKS },
};

static void
test_every_rule_violated (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (rule_cases); i++) {
    const RuleCase *rc = &rule_cases[i];
    Rec r = generate (&rc->gen);
    g_autoptr (HksvMp4Checker) k = NULL;
    const HksvMp4Rule *rules;
    guint n_rules;
    gboolean layout = FALSE;

    g_test_message ("%s: %s", rc->rule, rc->what);
    if (rc->mutate)
      rc->mutate (&r);
    k = feed (&r, &rc->opt, rc->feed, rc->mutate_chunks);
    log_violations (k);
    if (!hksv_mp4_checker_has_violation (k, rc->rule))
      g_error ("%s (%s) was not reported", rc->rule, rc->what);
    rules = hksv_mp4_check_rules (&n_rules);
    for (guint j = 0; j < n_rules; j++) {
      if (g_str_equal (rules[j].id, rc->rule))
        layout = rules[j].kind == HKSV_MP4_RULE_LAYOUT;
    }
    /* lenient: layout rules are not reported, the others still are; ignored rules neither */
    {
      HksvMp4CheckOptions lenient = rc->opt;
      g_autoptr (HksvMp4Checker) l = NULL;
      Rec again = generate (&rc->gen);
      lenient.lenient = TRUE;
      if (rc->mutate)
        rc->mutate (&again);
      l = feed (&again, &lenient, rc->feed, rc->mutate_chunks);
      g_assert_cmpint (hksv_mp4_checker_has_violation (l, rc->rule), ==, !layout);
      for (guint j = 0; j < hksv_mp4_checker_n_violations (l); j++)
        g_assert_cmpint (hksv_mp4_checker_violation (l, j)->kind, ==, HKSV_MP4_RULE_PROTOCOL);
      rec_clear (&again);
    }
    rec_clear (&r);
  }
}

static void
test_every_rule_has_a_case (void)
{
  guint n;
  const HksvMp4Rule *rules = hksv_mp4_check_rules (&n);

  g_assert_cmpuint (n, >, 60);
  for (guint i = 0; i < n; i++) {
    gboolean found = FALSE;
    g_assert_nonnull (rules[i].what);
    for (guint j = 0; j < i; j++)
      g_assert_cmpstr (rules[j].id, !=, rules[i].id);
    for (guint j = 0; j < G_N_ELEMENTS (rule_cases); j++)
      found |= g_str_equal (rule_cases[j].rule, rules[i].id);
    if (!found)
      g_error ("rule %s has no violating case", rules[i].id);
  }
}

typedef struct {
  guint calls;
  gchar *last_rule;
} CallbackData;

static void
on_violation (const HksvMp4Violation *v, gpointer user_data)
{
  CallbackData *d = user_data;
  d->calls++;
  g_free (d->last_rule);
  d->last_rule = g_strdup (v->rule);
}

static void
test_ignore_and_callback (void)
{
  Gen gen = gen_h264;
  Rec r = generate (&gen);
  HksvMp4CheckOptions opt = OPT_CHUNKS;
  g_autoptr (GArray) chunks = to_chunks (&r, 16384, 2000000);
  g_autoptr (HksvMp4Checker) k = hksv_mp4_checker_new (&opt);
  CallbackData data = { 0, NULL };

  c_no_eos (chunks);
  c_no_total_size (chunks);
  hksv_mp4_checker_set_callback (k, on_violation, &data);
  hksv_mp4_checker_ignore_rule (k, "chunk.end-of-stream-missing");
  hksv_mp4_checker_ignore_rule (k, "no.such-rule");
  for (guint i = 0; i < chunks->len; i++)
    hksv_mp4_checker_add_chunk (k, &g_array_index (chunks, HksvChunk, i));
  hksv_mp4_checker_finish (k);
  hksv_mp4_checker_finish (k); /* a second call changes nothing */
  log_violations (k);
  g_assert_cmpuint (hksv_mp4_checker_n_violations (k), ==, 1);
  g_assert_cmpuint (data.calls, ==, 1);
  g_assert_cmpstr (data.last_rule, ==, "chunk.total-size");
  g_assert_cmpuint (hksv_mp4_checker_violation (k, 0)->sequence, ==, 2);
  g_assert_cmpuint (hksv_mp4_checker_violation (k, 0)->chunk, ==, 1);
  g_assert_false (hksv_mp4_checker_has_violation (k, "chunk.end-of-stream-missing"));
  g_free (data.last_rule);
  rec_clear (&r);
}

/* Many violations of one rule in one sequence are capped (the first three are listed). */
static void
test_violations_capped (void)
{
  Gen gen = gen_h264;
  Rec r = generate (&gen);
  HksvMp4CheckOptions opt = OPT_DEFAULT;
  g_autoptr (HksvMp4Checker) k = NULL;
  guint n = 0;

  /* every video sample of fragment 1 flagged sync */
  m_default_flags_sync (&r);
  k = feed (&r, &opt, FEED_FILES, NULL);
  for (guint i = 0; i < hksv_mp4_checker_n_violations (k); i++)
    n += g_str_equal (hksv_mp4_checker_violation (k, i)->rule, "sample.non-idr-sync");
  g_assert_cmpuint (n, ==, 3);
  rec_clear (&r);
}

/* ---- box reader: invalid input ---- */

typedef struct {
  const gchar *name;
  const gchar *hex;
  guint n_ok;      /* boxes read before the end or the error */
  gint error;      /* -1: ends cleanly */
  gsize last_size; /* size of the last box read */
} BoxCase;

static const BoxCase box_cases[] = {
  { "empty input", "", 0, -1, 0 },
  { "one empty box", "00000008 'free'", 1, -1, 8 },
  { "header truncated (7 bytes)", "00000008 'fre'", 0, HKSV_BOX_ERROR_TRUNCATED, 0 },
  { "size 0 extends to the end", "00000000 'mdat' 010203", 1, -1, 11 },
  { "size 1, 64-bit size 16", "00000001 'mdat' 0000000000000010", 1, -1, 16 },
  { "size 1, 64-bit size 20", "00000001 'mdat' 0000000000000014 aabbccdd", 1, -1, 20 },
  { "size 1, truncated 64-bit size", "00000001 'mdat' 00000000", 0, HKSV_BOX_ERROR_TRUNCATED, 0 },
  { "size 1, 64-bit size 8 (< 16)", "00000001 'mdat' 0000000000000008", 0, HKSV_BOX_ERROR_INVALID,
      0 },
  { "size 1, 64-bit size 2^63", "00000001 'mdat' 8000000000000000", 0, HKSV_BOX_ERROR_TRUNCATED,
      0 },
  { "size 1, 64-bit size 2^64-1", "00000001 'mdat' ffffffffffffffff", 0, HKSV_BOX_ERROR_TRUNCATED,
      0 },
  { "size 4 (< 8)", "00000004 'free'", 0, HKSV_BOX_ERROR_INVALID, 0 },
  { "size 7 (< 8)", "00000007 'free'", 0, HKSV_BOX_ERROR_INVALID, 0 },
  { "size 0xffffffff", "ffffffff 'free' 00", 0, HKSV_BOX_ERROR_TRUNCATED, 0 },
  { "size one past the end", "0000000a 'free' 00", 0, HKSV_BOX_ERROR_TRUNCATED, 0 },
  { "uuid needs 24 bytes", "00000014 'uuid' 00112233 44556677 8899aabb", 0, HKSV_BOX_ERROR_INVALID,
      0 },
  { "uuid of 24 bytes", "00000018 'uuid' 00112233 44556677 8899aabb ccddeeff", 1, -1, 24 },
  { "second box truncated", "00000008 'free' 00000010 'skip' 0000", 1, HKSV_BOX_ERROR_TRUNCATED,
      8 },
  { "trailing 3 bytes", "00000008 'free' 000000", 1, HKSV_BOX_ERROR_TRUNCATED, 8 },
};

static void
test_box_reader_invalid (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (box_cases); i++) {
    const BoxCase *bc = &box_cases[i];
    gsize len;
    g_autofree guint8 *d = hap_test_unhex (bc->hex, &len);
    HksvBoxIter it;
    HksvBox box;
    GError *error = NULL;
    HksvBoxResult res;
    guint n = 0;
    gsize last = 0;

    g_test_message ("%s", bc->name);
    hksv_box_iter_init (&it, len ? d : NULL, len);
    while ((res = hksv_box_iter_next (&it, &box, &error)) == HKSV_BOX_OK) {
      n++;
      last = box.size;
      g_assert_cmpuint (box.offset + box.size, <=, len);
      g_assert_true (box.payload + box.payload_size <= d + len);
    }
    g_assert_cmpuint (n, ==, bc->n_ok);
    g_assert_cmpuint (last, ==, bc->last_size);
    if (bc->error < 0) {
      g_assert_cmpint (res, ==, HKSV_BOX_END);
      g_assert_no_error (error);
    } else {
      g_assert_cmpint (res, ==, HKSV_BOX_INVALID);
      g_assert_error (error, HKSV_BOX_ERROR, bc->error);
      g_test_message ("  -> %s", error->message);
      g_clear_error (&error);
      /* the iterator stays at the bad box */
      g_assert_cmpint (hksv_box_iter_next (&it, &box, NULL), ==, HKSV_BOX_INVALID);
    }
  }
}

typedef struct {
  const gchar *name;
  const gchar *hex; /* a moov with children */
} NestedCase;

static const NestedCase nested_cases[] = {
  { "child larger than its parent", "00000010 'moov' 00000010 'trak' 00000000" },
  { "children overlapping the parent's end",
      "00000018 'moov' 00000008 'trak' 0000000c 'mdia' 0000" },
  { "grandchild overflow", "00000018 'moov' 00000010 'trak' 00000010 'mdia'" },
  { "child with size 3", "00000010 'moov' 00000003 'trak' 00000000" },
  { "child with a truncated 64-bit size", "00000014 'moov' 00000001 'trak' 0000000000" },
};

/* Iterates every child of `parent` and their children (all treated as containers), returning
 * the first failure. Children never reach past their parent. */
static HksvBoxResult
walk_tree (const HksvBox *parent, guint depth, GError **error)
{
  HksvBoxIter kids;
  HksvBox child;
  HksvBoxResult res;

  if (depth > 4 || !hksv_box_iter_init_children (&kids, parent, 0))
    return HKSV_BOX_END;
  while ((res = hksv_box_iter_next (&kids, &child, error)) == HKSV_BOX_OK) {
    g_assert_true (child.payload + child.payload_size <= parent->payload + parent->payload_size);
    if (walk_tree (&child, depth + 1, error) == HKSV_BOX_INVALID)
      return HKSV_BOX_INVALID;
  }
  return res;
}

static void
test_box_reader_nested (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (nested_cases); i++) {
    gsize len;
    g_autofree guint8 *d = hap_test_unhex (nested_cases[i].hex, &len);
    HksvBoxIter it;
    HksvBox moov;
    HksvBoxResult res;
    GError *error = NULL;
    g_autoptr (HksvMp4Checker) k = hksv_mp4_checker_new (NULL);

    g_test_message ("%s", nested_cases[i].name);
    hksv_box_iter_init (&it, d, len);
    g_assert_cmpint (hksv_box_iter_next (&it, &moov, NULL), ==, HKSV_BOX_OK);
    /* walk the whole tree: some child, at some depth, fails */
    res = walk_tree (&moov, 0, &error);
    g_assert_cmpint (res, ==, HKSV_BOX_INVALID);
    g_assert_nonnull (error);
    g_clear_error (&error);
    /* the checker reports it as box.invalid */
    {
      g_autoptr (GByteArray) init = g_byte_array_new ();
      append_hex (init, "00000014 'ftyp' 'mp42' 00000001 'isom'");
      g_byte_array_append (init, d, (guint) len);
      hksv_mp4_checker_add_init (k, init->data, init->len);
      hksv_mp4_checker_finish (k);
      g_assert_true (hksv_mp4_checker_has_violation (k, "box.invalid"));
    }
  }
}

static void
test_byte_reader_and_helpers (void)
{
  const guint8 d[] = { 1, 2, 3, 4, 5, 6, 7 };
  HksvByteReader r;
  guint8 u8;
  guint16 u16;
  guint32 u32;
  guint64 u64;
  const guint8 *p;
  HksvBox box = { HKSV_FOURCC ('t', 'e', 's', 't'), 0, 11, 8, d, 3 };
  HksvBoxIter it;
  gchar name[5];

  hksv_byte_reader_init (&r, d, sizeof d);
  g_assert_false (hksv_byte_reader_u64 (&r, &u64));
  g_assert_cmpuint (r.pos, ==, 0);
  g_assert_true (hksv_byte_reader_u24 (&r, &u32));
  g_assert_cmphex (u32, ==, 0x010203);
  g_assert_true (hksv_byte_reader_u32 (&r, &u32));
  g_assert_cmphex (u32, ==, 0x04050607);
  g_assert_false (hksv_byte_reader_u8 (&r, &u8));
  g_assert_false (hksv_byte_reader_u16 (&r, &u16));
  g_assert_false (hksv_byte_reader_skip (&r, 1));
  g_assert_true (hksv_byte_reader_skip (&r, 0));
  g_assert_false (hksv_byte_reader_bytes (&r, 1, &p));
  g_assert_cmpuint (hksv_byte_reader_remaining (&r), ==, 0);
  /* a full box header needs 4 bytes of payload */
  g_assert_false (hksv_box_full_header (&box, NULL, NULL, &r));
  box.payload_size = 4;
  g_assert_true (hksv_box_full_header (&box, &u8, &u32, &r));
  g_assert_cmpuint (u8, ==, 1);
  g_assert_cmphex (u32, ==, 0x020304);
  /* children past the payload */
  g_assert_false (hksv_box_iter_init_children (&it, &box, 5));
  g_assert_cmpstr (hksv_fourcc_to_string (0x6d6f6f76, name), ==, "moov");
  g_assert_cmpstr (hksv_fourcc_to_string (0x00ff6162, name), ==, "??ab");
}

/* ---- codec configuration parsers: valid and invalid input ---- */

static void
test_codec_configs (void)
{
  g_autoptr (GBytes) init = load_reference ("mediaInitialization.mp4");
  GByteArray *u = array_of (init);
  gsize chain[16];
  guint depth;
  HksvBox avcc = must_locate (u, STSD0 "/avc1/avcC", chain, &depth);
  HksvVideoConfig cfg;
  HksvSpsInfo sps;
  HksvAacConfig aac;
  GError *error = NULL;
  gsize len;
  g_autofree guint8 *hvcc = hap_test_unhex (X265_HVCC, &len);

  g_assert_true (hksv_avcc_parse (avcc.payload, avcc.payload_size, &cfg, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (cfg.nal_length_size, ==, 4);
  g_assert_cmpuint (cfg.n_sps, ==, 1);
  g_assert_cmpuint (cfg.n_pps, ==, 1);
  g_assert_true (hksv_h264_sps_parse (cfg.sps, cfg.sps_len, &sps, &error));
  g_assert_cmpuint (sps.width, ==, 1920);
  g_assert_cmpuint (sps.height, ==, 1080);
  g_assert_cmpuint (sps.profile_idc, ==, 77);
  g_assert_cmpuint (sps.level_idc, ==, 41);
  g_assert_true (hksv_hvcc_parse (hvcc, len, &cfg, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (cfg.n_vps, ==, 1);
  g_assert_cmpuint (cfg.n_sps, ==, 1);
  g_assert_cmpuint (cfg.n_pps, ==, 1);
  g_assert_true (hksv_h265_sps_parse (cfg.sps, cfg.sps_len, &sps, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (sps.width, ==, 320);
  g_assert_cmpuint (sps.height, ==, 240);
  /* x265enc negotiated Y444 with videotestsrc: format range extensions profile, 4:4:4 */
  g_assert_cmpuint (sps.profile_idc, ==, 4);
  g_assert_cmpuint (sps.chroma_format_idc, ==, 3);
  {
    const guint8 asc[] = { 0x12, 0x88 };
    const guint8 eld[] = { 0xf8, 0xf0, 0x20, 0x00 };
    g_assert_true (hksv_aac_config_parse (asc, 2, &aac, &error));
    g_assert_cmpuint (aac.object_type, ==, 2);
    g_assert_cmpuint (aac.sample_rate, ==, 32000);
    g_assert_cmpuint (aac.channel_config, ==, 1);
    g_assert_cmpuint (aac.frame_samples, ==, 1024);
    g_assert_true (hksv_aac_config_parse (eld, 4, &aac, &error));
    g_assert_cmpuint (aac.object_type, ==, 39);
    g_assert_cmpuint (aac.sample_rate, ==, 16000);
    g_assert_cmpuint (aac.frame_samples, ==, 512);
  }
  g_byte_array_unref (u);
}

typedef enum {
  P_AVCC,
  P_HVCC,
  P_SPS264,
  P_SPS265,
  P_ASC,
  P_ESDS,
  P_NAL4,
} ParserKind;

typedef struct {
  const gchar *name;
  ParserKind kind;
  const gchar *hex;
} CodecCase;

static const CodecCase codec_cases[] = {
  { "avcC empty", P_AVCC, "" },
  { "avcC 5 bytes", P_AVCC, "014d0029ff" },
  { "avcC version 2", P_AVCC, "024d0029ffe1 0004 674d0029 01 0004 68ee3c80" },
  { "avcC length size 3", P_AVCC, "014d0029fee1 0004 674d0029 01 0004 68ee3c80" },
  { "avcC SPS past the end", P_AVCC, "014d0029ffe1 0040 674d0029" },
  { "avcC SPS of length 0", P_AVCC, "014d0029ffe1 0000 01 0004 68ee3c80" },
  { "avcC PPS as SPS", P_AVCC, "014d0029ffe1 0004 68ee3c80 01 0004 68ee3c80" },
  { "avcC no PPS count", P_AVCC, "014d0029ffe1 0004 674d0029" },
  { "avcC PPS truncated", P_AVCC, "014d0029ffe1 0004 674d0029 01 0008 68ee" },
  { "hvcC 21 bytes", P_HVCC, "01 01 60000000 900000000000 5d f000 fc fd f8 f8 0000" },
  { "hvcC version 0", P_HVCC, "00 01 60000000 900000000000 5d f000 fc fd f8 f8 0000 0f 00" },
  { "hvcC length size 3", P_HVCC, "01 01 60000000 900000000000 5d f000 fc fd f8 f8 0000 0e 00" },
  { "hvcC array truncated", P_HVCC,
      "01 01 60000000 900000000000 5d f000 fc fd f8 f8 0000 0f 01 20 00" },
  { "hvcC NAL past the end", P_HVCC,
      "01 01 60000000 900000000000 5d f000 fc fd f8 f8 0000 0f 01 20 0001 0010 4001" },
  { "hvcC NAL type differs from the array", P_HVCC,
      "01 01 60000000 900000000000 5d f000 fc fd f8 f8 0000 0f 01 21 0001 0002 4001" },
  { "H.264 SPS too short", P_SPS264, "674d00" },
  { "H.264 SPS of type 8", P_SPS264, "684d0029 9a64" },
  { "H.264 SPS truncated", P_SPS264, "674d0029 9a" },
  { "H.264 SPS all zeros", P_SPS264, "674d0029 00000000 00000000" },
  { "H.264 High SPS with chroma_format_idc 5", P_SPS264,
      "67640029 ac" /* sps id 0, ue 5 = 00110 */ },
  { "H.265 SPS too short", P_SPS265, "4201 01" },
  { "H.265 VPS as SPS", P_SPS265, "4001 0c01 ffff" },
  { "H.265 SPS truncated", P_SPS265, "4201 0104 0800 0003 0098 08" },
  { "ASC one byte", P_ASC, "12" },
  { "ASC reserved frequency index 13", P_ASC, "1688" },
  { "ASC explicit rate truncated", P_ASC, "1780" },
  { "ASC escape object type truncated", P_ASC, "f800" },
  { "esds empty", P_ESDS, "" },
  { "esds not an ES_Descriptor", P_ESDS, "04 11 40 15 000000 0000fa00 0000fa00" },
  { "esds descriptor size past the end", P_ESDS, "03 40 0000 00" },
  { "esds size of 5 bytes", P_ESDS, "03 80 80 80 80 19" },
  { "esds without DecoderConfigDescriptor", P_ESDS, "03 05 0000 00 06 01 02" },
  { "esds DecoderConfigDescriptor truncated", P_ESDS, "03 08 0000 00 04 03 40 15 00" },
  { "esds without DecoderSpecificInfo", P_ESDS,
      "03 12 0000 00 04 0d 40 15 000000 0000fa00 0000fa00" },
  { "esds with URL flag past the end", P_ESDS, "03 04 0000 40 10" },
  { "NAL length past the sample", P_NAL4, "00000010 65aabb" },
  { "NAL length 0", P_NAL4, "00000000 00000001 65" },
  { "3 bytes left after a NAL unit", P_NAL4, "00000001 65 000000" },
  { "forbidden_zero_bit", P_NAL4, "00000002 e500" },
  { "empty sample", P_NAL4, "" },
  { "Annex B start code", P_NAL4, "00000001 65888480" },
};

static void
test_codec_invalid (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (codec_cases); i++) {
    const CodecCase *cc = &codec_cases[i];
    gsize len;
    g_autofree guint8 *d = hap_test_unhex (cc->hex, &len);
    GError *error = NULL;
    HksvVideoConfig cfg;
    HksvSpsInfo sps;
    HksvAacConfig aac;
    HksvEsdsInfo esds;
    gboolean ok = TRUE;
    const guint8 *data = len ? d : NULL;

    g_test_message ("%s", cc->name);
    switch (cc->kind) {
      case P_AVCC:
        ok = hksv_avcc_parse (data, len, &cfg, &error);
        break;
      case P_HVCC:
        ok = hksv_hvcc_parse (data, len, &cfg, &error);
        break;
      case P_SPS264:
        ok = hksv_h264_sps_parse (data, len, &sps, &error);
        break;
      case P_SPS265:
        ok = hksv_h265_sps_parse (data, len, &sps, &error);
        break;
      case P_ASC:
        ok = hksv_aac_config_parse (data, len, &aac, &error);
        break;
      case P_ESDS:
        ok = hksv_esds_parse (data, len, &esds, &error);
        break;
      case P_NAL4:
        ok = hksv_nal_split (data, len, 4, FALSE, NULL, NULL, &error);
        break;
    }
    g_assert_false (ok);
    g_assert_error (error, HKSV_BOX_ERROR, HKSV_BOX_ERROR_INVALID);
    g_test_message ("  -> %s", error->message);
    g_clear_error (&error);
  }
}

static void
test_nal_split (void)
{
  const guint8 two[] = { 0, 0, 0, 2, 0x09, 0xf0, 0, 0, 0, 3, 0x65, 0x88, 0x84 };
  const guint8 hevc[] = { 0, 3, 0x26, 0x01, 0xaf, 0, 3, 0x02, 0x01, 0xd0 };
  guint64 types = 0;
  guint n = 0;
  GError *error = NULL;

  g_assert_true (hksv_nal_split (two, sizeof two, 4, FALSE, &types, &n, &error));
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmphex (types, ==, (1u << 9) | (1u << 5));
  g_assert_true (hksv_nal_types_are_idr (types, FALSE));
  g_assert_true (hksv_nal_types_have_vcl (types, FALSE));
  g_assert_false (hksv_nal_types_are_idr (1u << 9, FALSE));
  g_assert_false (hksv_nal_types_have_vcl (1u << 9, FALSE));
  /* 2-byte lengths, H.265: IDR_W_RADL (19) and TRAIL_R (1) */
  g_assert_true (hksv_nal_split (hevc, sizeof hevc, 2, TRUE, &types, &n, &error));
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmphex (types, ==, ((guint64) 1 << 19) | ((guint64) 1 << 1));
  g_assert_true (hksv_nal_types_are_idr (types, TRUE));
  g_assert_false (hksv_nal_types_are_idr ((guint64) 1 << 1, TRUE));
  g_assert_true (hksv_nal_types_are_idr ((guint64) 1 << 21, TRUE));   /* CRA */
  g_assert_false (hksv_nal_types_are_idr ((guint64) 1 << 22, TRUE));  /* reserved IRAP 22 */
  g_assert_false (hksv_nal_types_have_vcl ((guint64) 1 << 32, TRUE)); /* VPS */
}

/* hksv_nal_au_is_sync(): the sync decision of hksvsink and hksvprebuffer, by NAL unit types. */
static void
test_nal_au_is_sync (void)
{
  const guint8 idr[] = { 0, 0, 0, 2, 0x09, 0xf0, 0, 0, 0, 3, 0x65, 0x88, 0x84 };
  /* an I slice that is not an IDR (type 1, what h264parse flags as a keyframe too), SEI */
  const guint8 non_idr[] = { 0, 0, 0, 2, 0x06, 0x05, 0, 0, 0, 3, 0x41, 0x9a, 0x02 };
  const guint8 hevc_cra[] = { 0, 3, 0x2a, 0x01, 0xaf };     /* CRA_NUT (21) */
  const guint8 hevc_rsv[] = { 0, 3, 0x2c, 0x01, 0xaf };     /* RSV_IRAP_VCL22 */
  const guint8 broken[] = { 0, 0, 0, 9, 0x65, 0x88, 0x84 }; /* length past the end */
  const guint8 forbidden[] = { 0, 0, 0, 2, 0xe5, 0x88 };    /* forbidden_zero_bit */
  gboolean sync = TRUE;
  GError *error = NULL;

  g_assert_true (hksv_nal_au_is_sync (idr, sizeof idr, 4, FALSE, &sync, &error));
  g_assert_true (sync);
  g_assert_true (hksv_nal_au_is_sync (non_idr, sizeof non_idr, 4, FALSE, &sync, &error));
  g_assert_false (sync);
  g_assert_true (hksv_nal_au_is_sync (hevc_cra, sizeof hevc_cra, 2, TRUE, &sync, &error));
  g_assert_true (sync);
  g_assert_true (hksv_nal_au_is_sync (hevc_rsv, sizeof hevc_rsv, 2, TRUE, &sync, &error));
  g_assert_false (sync);
  g_assert_true (hksv_nal_au_is_sync (idr, sizeof idr, 4, FALSE, NULL, &error));
  g_assert_no_error (error);
  sync = TRUE;
  g_assert_false (hksv_nal_au_is_sync (broken, sizeof broken, 4, FALSE, &sync, &error));
  g_assert_error (error, HKSV_BOX_ERROR, HKSV_BOX_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (sync);
  sync = TRUE;
  g_assert_false (hksv_nal_au_is_sync (forbidden, sizeof forbidden, 4, FALSE, &sync, NULL));
  g_assert_false (sync);
  g_assert_false (hksv_nal_au_is_sync (NULL, 0, 4, FALSE, &sync, NULL));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/mp4-check/reference-passes", test_reference_passes);
  g_test_add_func ("/mp4-check/writer-output-passes", test_writer_output_passes);
  g_test_add_func ("/mp4-check/fragment-duration-tolerance", test_fragment_duration_tolerance);
  g_test_add_func ("/mp4-check/every-rule-violated", test_every_rule_violated);
  g_test_add_func ("/mp4-check/every-rule-has-a-case", test_every_rule_has_a_case);
  g_test_add_func ("/mp4-check/ignore-and-callback", test_ignore_and_callback);
  g_test_add_func ("/mp4-check/violations-capped", test_violations_capped);
  g_test_add_func ("/mp4-check/box-reader-invalid", test_box_reader_invalid);
  g_test_add_func ("/mp4-check/box-reader-nested", test_box_reader_nested);
  g_test_add_func ("/mp4-check/byte-reader", test_byte_reader_and_helpers);
  g_test_add_func ("/mp4-check/codec-configs", test_codec_configs);
  g_test_add_func ("/mp4-check/codec-invalid", test_codec_invalid);
  g_test_add_func ("/mp4-check/nal-split", test_nal_split);
  g_test_add_func ("/mp4-check/nal-au-is-sync", test_nal_au_is_sync);
  return g_test_run ();
}
