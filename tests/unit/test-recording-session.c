/* Unit tests for gst/recording-session.c and gst/chunker.c with synthetic samples: chunk
 * metadata (PROTOCOL.md section 5) at the 262144-byte boundary, fragment cutting at the first
 * keyframe at or after the fragment duration (less the 100 ms tolerance), sequence numbers, the
 * audio wait, silence, endOfStream on stop and at the maximum length, drops, overflow and invalid
 * configurations. Fragments are read back with a small box reader (mfhd, tfhd, tfdt, trun) to count
 * what went into each. */
#include <string.h>

#include "gst/chunker.h"
#include "gst/hksv-limits.h"
#include "gst/recording-session.h"

#define MS (G_GINT64_CONSTANT (1000000))
#define FRAME (40 * MS)     /* 25 fps */
#define AAC_FRAME (32 * MS) /* 1024 samples at 32 kHz */
#define VIDEO_TIMESCALE 90000
#define AUDIO_RATE 32000

/* x264 Main@2.1 320x240 AVCDecoderConfigurationRecord, AAC-LC 32 kHz mono AudioSpecificConfig */
static const guint8 avcc[] = { 0x01, 0x4d, 0x40, 0x15, 0xff, 0xe1, 0x00, 0x1c, 0x67, 0x4d, 0x40,
  0x15, 0xec, 0xa0, 0xa0, 0xfd, 0x80, 0xb5, 0x06, 0x06, 0x06, 0xa5, 0x00, 0x00, 0x03, 0x00, 0x01,
  0x00, 0x00, 0x03, 0x00, 0x3c, 0x8f, 0x16, 0x2d, 0x96, 0x01, 0x00, 0x04, 0x68, 0xeb, 0xec, 0xb2 };
static const guint8 asc[] = { 0x12, 0x88 };
/* Any bytes do for the core: the writer does not decode frames. */
static const guint8 silent_frame[]
    = { 0x21, 0x10, 0x05, 0x00, 0xa0, 0x19, 0x33, 0x87, 0xc0, 0x00, 0x7e };

/* ---- reading fragments back ---- */

typedef struct {
  guint32 track_id;
  guint64 tfdt;
  guint samples;
  guint64 ticks; /* sum of the sample durations */
  guint64 bytes; /* sum of the sample sizes */
} TrafInfo;

typedef struct {
  guint32 sequence;
  guint n_traf;
  TrafInfo traf[2];
  guint64 mdat_payload;
} FragInfo;

static guint32
rd32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

static guint64
rd64 (const guint8 *p)
{
  return ((guint64) rd32 (p) << 32) | rd32 (p + 4);
}

/* The box of `type` in [p, end), or NULL; `size` receives its size. */
static const guint8 *
find_box (const guint8 *p, const guint8 *end, const char *type, gsize *size)
{
  while (p + 8 <= end) {
    gsize s = rd32 (p);

    g_assert_cmpuint (s, >=, 8);
    g_assert_true (p + s <= end);
    if (memcmp (p + 4, type, 4) == 0) {
      *size = s;
      return p;
    }
    p += s;
  }
  return NULL;
}

static void
parse_traf (const guint8 *traf, gsize traf_size, TrafInfo *info)
{
  const guint8 *end = traf + traf_size, *p = traf + 8, *box;
  guint32 default_duration = 0, default_size = 0;
  gsize size;

  memset (info, 0, sizeof (*info));
  box = find_box (p, end, "tfhd", &size);
  g_assert_nonnull (box);
  {
    guint32 flags = rd32 (box + 8) & 0xffffff;
    const guint8 *q = box + 16;

    info->track_id = rd32 (box + 12);
    g_assert_true (flags & 0x020000); /* default-base-is-moof */
    if (flags & 0x1)
      q += 8;
    if (flags & 0x2)
      q += 4;
    if (flags & 0x8) {
      default_duration = rd32 (q);
      q += 4;
    }
    if (flags & 0x10)
      default_size = rd32 (q);
  }
  box = find_box (p, end, "tfdt", &size);
  g_assert_nonnull (box);
  g_assert_cmpuint (box[8], ==, 1); /* version 1 */
  info->tfdt = rd64 (box + 12);

  for (; (box = find_box (p, end, "trun", &size)) != NULL; p = box + size) {
    guint32 flags = rd32 (box + 8) & 0xffffff, n = rd32 (box + 12);
    const guint8 *q = box + 16;

    if (flags & 0x1)
      q += 4;
    if (flags & 0x4)
      q += 4;
    for (guint i = 0; i < n; i++) {
      info->ticks += flags & 0x100 ? rd32 (q) : default_duration;
      if (flags & 0x100)
        q += 4;
      info->bytes += flags & 0x200 ? rd32 (q) : default_size;
      if (flags & 0x200)
        q += 4;
      if (flags & 0x400)
        q += 4;
      if (flags & 0x800)
        q += 4;
    }
    g_assert_true (q <= box + size);
    info->samples += n;
  }
}

static void
parse_fragment (GBytes *bytes, FragInfo *info)
{
  gsize len, size, moof_size, mdat_size;
  const guint8 *data = g_bytes_get_data (bytes, &len), *end = data + len, *moof, *mdat, *p, *box;

  memset (info, 0, sizeof (*info));
  moof = find_box (data, end, "moof", &moof_size);
  g_assert_true (moof == data); /* exactly one moof, first */
  mdat = find_box (moof + moof_size, end, "mdat", &mdat_size);
  g_assert_true (mdat == moof + moof_size);
  g_assert_true (mdat + mdat_size == end); /* then exactly one mdat */
  info->mdat_payload = mdat_size - 8;

  box = find_box (moof + 8, moof + moof_size, "mfhd", &size);
  g_assert_nonnull (box);
  info->sequence = rd32 (box + 12);
  for (p = moof + 8; (box = find_box (p, moof + moof_size, "traf", &size)) != NULL;
       p = box + size) {
    g_assert_cmpuint (info->n_traf, <, 2);
    parse_traf (box, size, &info->traf[info->n_traf++]);
  }
  g_assert_cmpuint (info->traf[0].bytes + info->traf[1].bytes, ==, info->mdat_payload);
}

/* ---- collecting the chunks of a session ---- */

typedef struct {
  GPtrArray *chunks;    /* HksvChunk copies */
  GPtrArray *sequences; /* GBytes: the reassembled init (index 0) and fragments */
  GByteArray *current;
  gboolean ended; /* a chunk carried endOfStream */
} Collector;

static void
collector_init (Collector *c)
{
  c->chunks = g_ptr_array_new_with_free_func ((GDestroyNotify) hksv_chunk_free);
  c->sequences = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  c->current = g_byte_array_new ();
  c->ended = FALSE;
}

static void
collector_clear (Collector *c)
{
  g_ptr_array_unref (c->chunks);
  g_ptr_array_unref (c->sequences);
  g_byte_array_unref (c->current);
}

/* Checks every chunk against the metadata rules as it arrives. */
static void
collect_chunk (const HksvChunk *chunk, gpointer user_data)
{
  Collector *c = user_data;
  gsize size = g_bytes_get_size (chunk->data);
  guint64 want_seq = c->sequences->len + 1;

  g_assert_false (c->ended);
  g_assert_cmpuint (chunk->data_sequence_number, ==, want_seq);
  g_assert_cmpint (
      chunk->type, ==, want_seq == 1 ? HKSV_CHUNK_MEDIA_INITIALIZATION : HKSV_CHUNK_MEDIA_FRAGMENT);
  g_assert_cmpuint (size, >, 0);
  g_assert_cmpuint (size, <=, HKSV_CHUNK_MAX_SIZE);
  if (c->current->len == 0) {
    g_assert_cmpuint (chunk->chunk_sequence_number, ==, 1);
    g_assert_cmpint (chunk->total_size, >=, (gint64) size);
  } else {
    HksvChunk *prev = g_ptr_array_index (c->chunks, c->chunks->len - 1);

    g_assert_cmpuint (chunk->chunk_sequence_number, ==, prev->chunk_sequence_number + 1);
    g_assert_cmpint (chunk->total_size, ==, -1);
    g_assert_false (prev->is_last_chunk);
  }
  if (!chunk->is_last_chunk)
    g_assert_cmpuint (size, ==, HKSV_CHUNK_MAX_SIZE);
  g_assert_true (!chunk->end_of_stream || chunk->is_last_chunk);
  g_byte_array_append (c->current, g_bytes_get_data (chunk->data, NULL), size);
  g_ptr_array_add (c->chunks, hksv_chunk_copy (chunk));
  if (chunk->is_last_chunk) {
    HksvChunk *first = g_ptr_array_index (c->chunks, c->chunks->len - chunk->chunk_sequence_number);

    g_assert_cmpint (first->total_size, ==, (gint64) c->current->len);
    g_ptr_array_add (c->sequences, g_byte_array_free_to_bytes (c->current));
    c->current = g_byte_array_new ();
  }
  if (chunk->end_of_stream)
    c->ended = TRUE;
}

static guint
n_fragments (Collector *c)
{
  return c->sequences->len > 0 ? c->sequences->len - 1 : 0;
}

static void
fragment_info (Collector *c, guint index, FragInfo *info)
{
  g_assert_cmpuint (index, <, n_fragments (c));
  parse_fragment (g_ptr_array_index (c->sequences, index + 1), info);
  g_assert_cmpuint (info->sequence, ==, index + 1); /* mfhd = dataSequenceNumber - 1 */
}

/* ---- making sessions and samples ---- */

static void
config_init (HksvRecordingConfig *config, gboolean audio)
{
  memset (config, 0, sizeof (*config));
  config->video.codec = HKSV_CODEC_H264;
  config->video.codec_data = g_bytes_new_static (avcc, sizeof (avcc));
  config->video.width = 320;
  config->video.height = 240;
  config->has_audio = audio;
  config->audio_live = audio;
  config->audio.codec = HKSV_CODEC_AAC_LC;
  config->audio.codec_data = g_bytes_new_static (asc, sizeof (asc));
  config->audio.sample_rate = AUDIO_RATE;
  config->audio.channels = 1;
  config->fragment_duration = 4000 * MS;
}

static void
config_clear (HksvRecordingConfig *config)
{
  g_clear_pointer (&config->video.codec_data, g_bytes_unref);
  g_clear_pointer (&config->audio.codec_data, g_bytes_unref);
  g_clear_pointer (&config->silence, g_bytes_unref);
}

static HksvRecordingSession *
session_new (HksvRecordingConfig *config, Collector *c)
{
  g_autoptr (GError) error = NULL;
  HksvRecordingSession *s;

  collector_init (c);
  s = hksv_recording_session_new (config, collect_chunk, c, &error);
  g_assert_no_error (error);
  g_assert_nonnull (s);
  hksv_recording_session_start (s);
  g_assert_cmpuint (c->sequences->len, ==, 1); /* the init segment, at once */
  return s;
}

/* An AVC access unit of `size` bytes: one NAL with a 4-byte length. */
static GBytes *
make_au (gsize size, gboolean sync)
{
  guint8 *d;

  g_assert_cmpuint (size, >=, 6);
  d = g_malloc0 (size);
  d[0] = (size - 4) >> 24;
  d[1] = (size - 4) >> 16;
  d[2] = (size - 4) >> 8;
  d[3] = (size - 4) & 0xff;
  d[4] = sync ? 0x65 : 0x41;
  return g_bytes_new_take (d, size);
}

static HksvRecordingPush
push_video_sized (HksvRecordingSession *s, gint64 t, gboolean sync, gsize size)
{
  g_autoptr (GBytes) data = make_au (size, sync);
  HksvSample sample = { t, t, FRAME, sync, data };

  return hksv_recording_session_push_video (s, &sample);
}

/* Frame `i` at 25 fps, keyframe every `gop` frames. */
static HksvRecordingPush
push_frame (HksvRecordingSession *s, gint64 base, guint i, guint gop)
{
  return push_video_sized (s, base + i * FRAME, i % gop == 0, 1000);
}

static HksvRecordingPush
push_audio_at (HksvRecordingSession *s, gint64 pts)
{
  g_autoptr (GBytes) data = g_bytes_new_static (silent_frame, 8); /* not the silence frame */
  HksvSample sample = { pts, pts, 0, TRUE, data };

  return hksv_recording_session_push_audio (s, &sample);
}

/* Audio frame `k` at 32 kHz. */
static HksvRecordingPush
push_aac (HksvRecordingSession *s, gint64 base, guint k)
{
  return push_audio_at (s, base + k * AAC_FRAME);
}

/* ---- chunker ---- */

static void
test_chunker_sizes (void)
{
  static const struct {
    gsize size;
    guint chunks;
    gsize last;
  } cases[] = {
    { 1, 1, 1 },
    { 262143, 1, 262143 },
    { 262144, 1, 262144 },
    { 262145, 2, 1 },
    { 524288, 2, 262144 },
    { 524289, 3, 1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree guint8 *buf = g_malloc (cases[i].size);
    g_autoptr (GBytes) data = NULL;
    Collector c;
    gsize offset = 0;

    for (gsize j = 0; j < cases[i].size; j++)
      buf[j] = (guint8) (j * 7 + i);
    data = g_bytes_new (buf, cases[i].size);
    collector_init (&c);
    /* as the init segment (sequence 1) */
    g_assert_cmpuint (hksv_chunker_count (cases[i].size, 0), ==, cases[i].chunks);
    g_assert_cmpuint (
        hksv_chunker_split (HKSV_CHUNK_MEDIA_INITIALIZATION, 1, data, TRUE, 0, collect_chunk, &c),
        ==, cases[i].chunks);
    g_assert_cmpuint (c.chunks->len, ==, cases[i].chunks);
    for (guint k = 0; k < c.chunks->len; k++) {
      HksvChunk *chunk = g_ptr_array_index (c.chunks, k);
      gsize size = g_bytes_get_size (chunk->data);
      gboolean last = k + 1 == c.chunks->len;

      g_assert_cmpuint (chunk->chunk_sequence_number, ==, k + 1);
      g_assert_cmpint (chunk->is_last_chunk, ==, last);
      g_assert_cmpint (chunk->end_of_stream, ==, last);
      g_assert_cmpint (chunk->total_size, ==, k == 0 ? (gint64) cases[i].size : -1);
      g_assert_cmpuint (size, ==, last ? cases[i].last : HKSV_CHUNK_MAX_SIZE);
      g_assert_true (memcmp (g_bytes_get_data (chunk->data, NULL), buf + offset, size) == 0);
      offset += size;
    }
    g_assert_cmpuint (offset, ==, cases[i].size);
    g_assert_true (g_bytes_equal (g_ptr_array_index (c.sequences, 0), data));
    collector_clear (&c);
  }
  g_assert_cmpuint (hksv_chunker_count (0, 0), ==, 0);
  g_assert_cmpuint (hksv_chunker_count (10, 4), ==, 3);
  g_assert_cmpstr (hksv_chunk_type_name (HKSV_CHUNK_MEDIA_FRAGMENT), ==, "mediaFragment");
  g_assert_cmpstr (
      hksv_chunk_type_name (HKSV_CHUNK_MEDIA_INITIALIZATION), ==, "mediaInitialization");
}

static void
keep_chunk (const HksvChunk *chunk, gpointer user_data)
{
  g_ptr_array_add (user_data, hksv_chunk_copy (chunk));
}

/* The chunk size is a parameter; without endOfStream no chunk carries it. */
static void
test_chunker_small_chunks (void)
{
  g_autoptr (GBytes) data = g_bytes_new_static ("0123456789", 10);
  g_autoptr (GPtrArray) chunks = g_ptr_array_new_with_free_func ((GDestroyNotify) hksv_chunk_free);
  static const gchar *want[] = { "0123", "4567", "89" };

  g_assert_cmpuint (
      hksv_chunker_split (HKSV_CHUNK_MEDIA_FRAGMENT, 7, data, FALSE, 4, keep_chunk, chunks), ==, 3);
  g_assert_cmpuint (chunks->len, ==, 3);
  for (guint i = 0; i < 3; i++) {
    HksvChunk *chunk = g_ptr_array_index (chunks, i);
    gsize len;
    const gchar *d = g_bytes_get_data (chunk->data, &len);

    g_assert_cmpint (chunk->type, ==, HKSV_CHUNK_MEDIA_FRAGMENT);
    g_assert_cmpuint (chunk->data_sequence_number, ==, 7);
    g_assert_cmpuint (chunk->chunk_sequence_number, ==, i + 1);
    g_assert_cmpint (chunk->is_last_chunk, ==, i == 2);
    g_assert_cmpint (chunk->total_size, ==, i == 0 ? 10 : -1);
    g_assert_false (chunk->end_of_stream);
    g_assert_cmpuint (len, ==, strlen (want[i]));
    g_assert_true (memcmp (d, want[i], len) == 0);
  }
}

/* ---- fragments ---- */

/* Keyframes every 36 frames (1.44 s) at 25 fps, 4 s fragments: cuts at the first keyframe at or
 * after 4 s since the fragment's start: 4.32 s, 8.64 s. */
static void
test_cut_at_first_keyframe_after_duration (void)
{
  HksvRecordingConfig config;
  g_autoptr (HksvRecordingSession) s = NULL;
  Collector c;
  FragInfo f;
  HksvRecordingStats stats;

  config_init (&config, FALSE);
  s = session_new (&config, &c);
  for (guint i = 0; i < 216; i++) { /* up to 8.6 s: the keyframe at 8.64 s not yet */
    g_assert_cmpint (push_frame (s, 0, i, 36), ==, HKSV_RECORDING_ACCEPTED);
    /* the first fragment is out exactly when the keyframe at 4.32 s arrives */
    g_assert_cmpuint (n_fragments (&c), ==, i >= 108 ? 1 : 0);
  }
  g_assert_cmpint (push_frame (s, 0, 216, 36), ==, HKSV_RECORDING_ACCEPTED);
  g_assert_cmpuint (n_fragments (&c), ==, 2);

  fragment_info (&c, 0, &f);
  g_assert_cmpuint (f.n_traf, ==, 1);
  g_assert_cmpuint (f.traf[0].samples, ==, 108);
  g_assert_cmpuint (f.traf[0].tfdt, ==, 0);
  g_assert_cmpuint (f.traf[0].ticks, ==, 108 * 3600);
  g_assert_cmpuint (f.traf[0].bytes, ==, 108 * 1000);
  fragment_info (&c, 1, &f);
  g_assert_cmpuint (f.traf[0].samples, ==, 108);
  g_assert_cmpuint (f.traf[0].tfdt, ==, 108 * 3600);

  /* stop: the current fragment (one frame: the keyframe at 8.64 s) with endOfStream */
  g_assert_true (hksv_recording_session_stop (s, TRUE));
  g_assert_true (c.ended);
  g_assert_cmpuint (n_fragments (&c), ==, 3);
  fragment_info (&c, 2, &f);
  g_assert_cmpuint (f.traf[0].samples, ==, 1);
  g_assert_cmpuint (f.traf[0].tfdt, ==, 216 * 3600);
  g_assert_cmpuint (f.traf[0].ticks, ==, 3600);
  g_assert_cmpint (hksv_recording_session_get_state (s), ==, HKSV_RECORDING_END_STOPPED);
  g_assert_cmpint (push_frame (s, 0, 217, 36), ==, HKSV_RECORDING_ENDED);
  g_assert_false (hksv_recording_session_stop (s, TRUE));

  hksv_recording_session_get_stats (s, &stats);
  g_assert_cmpuint (stats.fragments, ==, 3);
  g_assert_cmpuint (stats.chunks, ==, 4);
  g_assert_cmpuint (stats.video_samples, ==, 217);
  g_assert_cmpuint (stats.duration, ==, 217 * FRAME);
  g_assert_true (stats.end_of_stream_sent);
  g_assert_true (stats.started);
  g_assert_cmpint (stats.time_base, ==, 0);
  collector_clear (&c);
  config_clear (&config);
}

/* A keyframe up to HKSV_FRAGMENT_TOLERANCE_MS (100 ms) before the fragment duration still cuts
 * the fragment (received timestamps jitter: IDRs 4 s apart at an RTP camera arrive 3.958 s
 * apart); one 101 ms early does not, and the fragment runs to the next keyframe. The audio,
 * pushed ahead of the video, goes to the fragment of its time either way: what lies between the
 * early cut and the fragment duration into the next one. */
static void
test_cut_tolerance (void)
{
  const struct {
    gint64 early_ms;
    gboolean cuts;
  } cases[] = {
    { 0, TRUE },
    { 40, TRUE },
    { HKSV_FRAGMENT_TOLERANCE_MS - 1, TRUE },
    { HKSV_FRAGMENT_TOLERANCE_MS, TRUE },
    { HKSV_FRAGMENT_TOLERANCE_MS + 1, FALSE },
    { 400, FALSE },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++) {
    HksvRecordingConfig config;
    g_autoptr (HksvRecordingSession) s = NULL;
    /* keyframes at 0, 4 s - early, 8 s - early */
    const gint64 key2 = 4000 * MS - cases[c].early_ms * MS, key3 = key2 + 4000 * MS;
    guint before2 = 0, audio_before2 = 0, audio_before3 = 0, k = 0;
    Collector col;
    FragInfo f;

    g_test_message ("keyframe %" G_GINT64_FORMAT " ms early", cases[c].early_ms);
    config_init (&config, TRUE);
    s = session_new (&config, &col);
    for (; k * AAC_FRAME < key3 + 200 * MS; k++) {
      g_assert_cmpint (push_aac (s, 0, k), ==, HKSV_RECORDING_ACCEPTED);
      audio_before2 += k * AAC_FRAME < key2;
      audio_before3 += k * AAC_FRAME < key3;
    }
    for (gint64 t = 0; t < key2; t += FRAME, before2++)
      g_assert_cmpint (push_video_sized (s, t, t == 0, 1000), ==, HKSV_RECORDING_ACCEPTED);
    for (gint64 t = key2; t < key3; t += FRAME)
      g_assert_cmpint (push_video_sized (s, t, t == key2, 1000), ==, HKSV_RECORDING_ACCEPTED);
    g_assert_cmpint (push_video_sized (s, key3, TRUE, 1000), ==, HKSV_RECORDING_ACCEPTED);
    g_assert_cmpint (push_video_sized (s, key3 + FRAME, FALSE, 1000), ==, HKSV_RECORDING_ACCEPTED);
    g_assert_true (hksv_recording_session_stop (s, TRUE));

    g_assert_cmpuint (n_fragments (&col), ==, cases[c].cuts ? 3 : 2);
    fragment_info (&col, 0, &f);
    if (cases[c].cuts) {
      g_assert_cmpuint (f.traf[0].samples, ==, before2);
      g_assert_cmpuint (f.traf[1].samples, ==, audio_before2);
      fragment_info (&col, 1, &f);
      g_assert_cmpuint (f.traf[0].tfdt, ==, before2 * 3600);
      g_assert_cmpuint (f.traf[1].tfdt, ==, audio_before2 * 1024);
      g_assert_cmpuint (f.traf[1].samples, ==, audio_before3 - audio_before2);
    } else {
      /* the keyframe 101 ms early is inside the first fragment, which runs to the next one */
      g_assert_cmpuint (
          f.traf[0].samples, ==, before2 + (guint) ((key3 - key2 + FRAME - 1) / FRAME));
      g_assert_cmpuint (f.traf[1].samples, ==, audio_before3);
    }
    collector_clear (&col);
    config_clear (&config);
  }
}

/* Times are on any origin: the recording starts at tfdt 0 at its first keyframe; what comes
 * before it is dropped. Keyframes exactly every 4 s cut exactly at 4 s. */
static void
test_time_base_and_sequence_numbers (void)
{
  HksvRecordingConfig config;
  g_autoptr (HksvRecordingSession) s = NULL;
  const gint64 base = 3600 * G_GINT64_CONSTANT (1000000000) + 7 * MS;
  HksvRecordingStats stats;
  Collector c;
  FragInfo f;

  config_init (&config, FALSE);
  s = session_new (&config, &c);
  /* frames 90..99 of a GOP whose keyframe the session never saw */
  for (guint i = 90; i < 100; i++)
    g_assert_cmpint (push_frame (s, base - 100 * FRAME, i, 100), ==, HKSV_RECORDING_DROPPED);
  for (guint i = 0; i <= 500; i++)
    g_assert_cmpint (push_frame (s, base, i, 100), ==, HKSV_RECORDING_ACCEPTED);
  g_assert_cmpuint (n_fragments (&c), ==, 5);
  for (guint k = 0; k < 5; k++) {
    fragment_info (&c, k, &f);
    g_assert_cmpuint (f.traf[0].tfdt, ==, k * 100 * 3600);
    g_assert_cmpuint (f.traf[0].samples, ==, 100);
    g_assert_cmpuint (
        ((HksvChunk *) g_ptr_array_index (c.chunks, k + 1))->data_sequence_number, ==, k + 2);
  }
  hksv_recording_session_get_stats (s, &stats);
  g_assert_cmpint (stats.time_base, ==, base);
  g_assert_cmpuint (stats.dropped_video, ==, 10);
  g_assert_false (stats.end_of_stream_sent);
  /* abort: no more chunks, no endOfStream */
  g_assert_false (hksv_recording_session_stop (s, FALSE));
  g_assert_cmpuint (n_fragments (&c), ==, 5);
  g_assert_false (c.ended);
  g_assert_cmpint (hksv_recording_session_get_state (s), ==, HKSV_RECORDING_END_ABORTED);
  collector_clear (&c);
  config_clear (&config);
}

/* Timestamps going backwards or repeating, PTS before DTS, empty samples: dropped. */
static void
test_bad_samples_dropped (void)
{
  HksvRecordingConfig config;
  g_autoptr (HksvRecordingSession) s = NULL;
  g_autoptr (GBytes) empty = g_bytes_new (NULL, 0);
  HksvSample sample = { 0 };
  HksvRecordingStats stats;
  Collector c;
  FragInfo f;

  config_init (&config, TRUE);
  s = session_new (&config, &c);
  g_assert_cmpint (push_frame (s, 0, 0, 25), ==, HKSV_RECORDING_ACCEPTED);
  g_assert_cmpint (push_frame (s, 0, 1, 25), ==, HKSV_RECORDING_ACCEPTED);
  g_assert_cmpint (push_frame (s, 0, 1, 25), ==, HKSV_RECORDING_DROPPED); /* same DTS */
  g_assert_cmpint (push_frame (s, 0, 0, 25), ==, HKSV_RECORDING_DROPPED); /* backwards */
  sample.dts = 3 * FRAME;
  sample.pts = 2 * FRAME; /* PTS before DTS */
  sample.data = make_au (100, FALSE);
  g_assert_cmpint (hksv_recording_session_push_video (s, &sample), ==, HKSV_RECORDING_DROPPED);
  g_bytes_unref (sample.data);
  sample.pts = sample.dts;
  sample.data = empty;
  g_assert_cmpint (hksv_recording_session_push_video (s, &sample), ==, HKSV_RECORDING_DROPPED);
  g_assert_cmpint (hksv_recording_session_push_audio (s, &sample), ==, HKSV_RECORDING_DROPPED);

  g_assert_cmpint (push_aac (s, 0, 0), ==, HKSV_RECORDING_ACCEPTED);
  g_assert_cmpint (push_aac (s, 0, 2), ==, HKSV_RECORDING_ACCEPTED);
  g_assert_cmpint (push_aac (s, 0, 1), ==, HKSV_RECORDING_DROPPED); /* backwards */
  g_assert_cmpint (push_aac (s, 0, 2), ==, HKSV_RECORDING_DROPPED); /* repeated */
  /* overlapping the previous frame by more than half a frame */
  g_assert_cmpint (push_audio_at (s, 2 * AAC_FRAME + 10 * MS), ==, HKSV_RECORDING_DROPPED);
  g_assert_cmpint (push_audio_at (s, 3 * AAC_FRAME - 10 * MS), ==, HKSV_RECORDING_ACCEPTED);
  for (guint i = 2; i < 5; i++)
    g_assert_cmpint (push_frame (s, 0, i, 25), ==, HKSV_RECORDING_ACCEPTED);

  g_assert_true (hksv_recording_session_stop (s, TRUE));
  fragment_info (&c, 0, &f);
  g_assert_cmpuint (f.traf[0].samples, ==, 5);
  g_assert_cmpuint (f.traf[1].samples, ==, 3);
  hksv_recording_session_get_stats (s, &stats);
  g_assert_cmpuint (stats.dropped_video, ==, 4);
  g_assert_cmpuint (stats.dropped_audio, ==, 4);
  g_assert_cmpuint (stats.video_samples, ==, 5);
  g_assert_cmpuint (stats.audio_samples, ==, 3);
  collector_clear (&c);
  config_clear (&config);
}

/* ---- audio ---- */

/* The cut waits for the audio: audio ahead of video waits in the session, video ahead of audio
 * holds the fragment until the audio reaches the cut. Audio before the first keyframe (more than
 * half a frame) is dropped. */
static void
test_audio_wait (void)
{
  HksvRecordingConfig config;
  g_autoptr (HksvRecordingSession) s = NULL;
  const gint64 t0 = 500 * MS;
  HksvRecordingStats stats;
  Collector c;
  FragInfo f;
  guint k;

  config_init (&config, TRUE);
  s = session_new (&config, &c);
  /* Audio from 0: the frames at 0..480 ms are before the keyframe at 500 ms (480 is 20 ms
   * before, more than half a frame), 512 ms is the first kept. */
  for (k = 0; k < 30; k++)
    g_assert_cmpint (push_aac (s, 0, k), ==, HKSV_RECORDING_ACCEPTED);
  /* Video to the keyframe at 4.82 s (cut at t0 + 4.32 s) and beyond. */
  for (guint i = 0; i <= 120; i++)
    g_assert_cmpint (push_frame (s, t0, i, 36), ==, HKSV_RECORDING_ACCEPTED);
  g_assert_cmpuint (n_fragments (&c), ==, 0);
  /* Audio up to the cut: frames k with 512 + (k - 16) * 32 < 4820 ms: k up to 150 (4800 ms). */
  for (; k < 150; k++) {
    g_assert_cmpint (push_aac (s, 0, k), ==, HKSV_RECORDING_ACCEPTED);
    g_assert_cmpuint (n_fragments (&c), ==, 0);
  }
  g_assert_cmpint (push_aac (s, 0, k++), ==, HKSV_RECORDING_ACCEPTED); /* 4800..4832 ms */
  g_assert_cmpuint (n_fragments (&c), ==, 1);
  fragment_info (&c, 0, &f);
  g_assert_cmpuint (f.n_traf, ==, 2);
  g_assert_cmpuint (f.traf[0].track_id, !=, f.traf[1].track_id);
  g_assert_cmpuint (f.traf[0].samples, ==, 108);
  g_assert_cmpuint (f.traf[1].samples, ==, 150 - 16 + 1);
  g_assert_cmpuint (f.traf[1].tfdt, ==, 0);
  g_assert_cmpuint (f.traf[1].ticks, ==, (150 - 16 + 1) * 1024);

  /* Audio running ahead of video waits for its fragment to be known. */
  for (; k < 300; k++)
    g_assert_cmpint (push_aac (s, 0, k), ==, HKSV_RECORDING_ACCEPTED);
  for (guint i = 121; i <= 216; i++)
    g_assert_cmpint (push_frame (s, t0, i, 36), ==, HKSV_RECORDING_ACCEPTED);
  g_assert_cmpuint (n_fragments (&c), ==, 2);
  fragment_info (&c, 1, &f);
  g_assert_cmpuint (f.traf[0].samples, ==, 108);
  g_assert_cmpuint (f.traf[0].tfdt, ==, 108 * 3600);
  /* audio of [4.82 s, 9.14 s): frames 151 .. 285 (512 + 269 * 32 = 9120 ms) */
  g_assert_cmpuint (f.traf[1].tfdt, ==, (151 - 16) * 1024);
  g_assert_cmpuint (f.traf[1].samples, ==, 285 - 151 + 1);

  g_assert_true (hksv_recording_session_stop (s, TRUE));
  fragment_info (&c, 2, &f);
  g_assert_cmpuint (f.traf[0].samples, ==, 1);
  /* the audio up to the end of the last video frame (9.18 s): frame 286 (9.152 s) */
  g_assert_cmpuint (f.traf[1].samples, ==, 1);
  hksv_recording_session_get_stats (s, &stats);
  g_assert_cmpuint (stats.dropped_audio, ==, 16);
  g_assert_cmpuint (stats.silent_samples, ==, 0);
  collector_clear (&c);
  config_clear (&config);
}

/* A non-live pipeline: the audio runs far ahead of the video, all of it pushed before the video:
 * 50 s before the first keyframe (within HKSV_RECORDING_MAX_HELD_AUDIO, 60 s), 90 s after it
 * (no time bound once started). It waits for the video, and every fragment gets the audio of
 * its time. */
static void
test_audio_far_ahead (void)
{
  for (guint started_first = 0; started_first < 2; started_first++) {
    HksvRecordingConfig config;
    g_autoptr (HksvRecordingSession) s = NULL;
    const guint lead_s = started_first ? 90 : 50;
    /* 4 s fragments and a last one of 2 s; 125 audio frames in each 4 s */
    const guint n_frags = lead_s / 4 + 1, n_aac = (lead_s * 1000 + 31) / 32;
    HksvRecordingStats stats;
    Collector c;
    FragInfo f;
    guint i = 0, total = 0;

    g_test_message (
        "%u s of audio %s the first keyframe", lead_s, started_first ? "after" : "before");
    config_init (&config, TRUE);
    s = session_new (&config, &c);
    if (started_first)
      for (; i < 10; i++)
        g_assert_cmpint (push_frame (s, 0, i, 100), ==, HKSV_RECORDING_ACCEPTED);
    for (guint k = 0; k < n_aac; k++)
      g_assert_cmpint (push_aac (s, 0, k), ==, HKSV_RECORDING_ACCEPTED);
    hksv_recording_session_end_audio (s);
    for (; i < lead_s * 25; i++) /* a keyframe every 4 s */
      g_assert_cmpint (push_frame (s, 0, i, 100), ==, HKSV_RECORDING_ACCEPTED);
    g_assert_true (hksv_recording_session_stop (s, TRUE));

    g_assert_cmpuint (n_fragments (&c), ==, n_frags);
    for (guint k = 0; k < n_frags; k++) {
      guint want = k + 1 < n_frags ? 125 : n_aac - total;

      fragment_info (&c, k, &f);
      g_assert_cmpuint (f.traf[0].samples, ==, k + 1 < n_frags ? 100 : 50);
      g_assert_cmpuint (f.traf[1].tfdt, ==, (guint64) total * 1024);
      g_assert_cmpuint (f.traf[1].samples, ==, want);
      total += want;
    }
    hksv_recording_session_get_stats (s, &stats);
    g_assert_cmpuint (stats.audio_samples, ==, n_aac);
    g_assert_cmpuint (stats.dropped_audio, ==, 0);
    collector_clear (&c);
    config_clear (&config);
  }
}

/* Audio held ahead of the video is bounded by max_fragment_bytes: beyond it the newest frames
 * are dropped, the held ones still reach their fragments. */
static void
test_held_audio_byte_bound (void)
{
  HksvRecordingConfig config;
  g_autoptr (HksvRecordingSession) s = NULL;
  g_autoptr (GBytes) frame = g_bytes_new_take (g_malloc0 (1000), 1000);
  HksvRecordingStats stats;
  Collector c;
  FragInfo f;
  guint k;

  config_init (&config, TRUE);
  config.max_fragment_bytes = 150000;
  s = session_new (&config, &c);
  for (guint i = 0; i < 10; i++)
    g_assert_cmpint (push_video_sized (s, i * FRAME, i == 0, 100), ==, HKSV_RECORDING_ACCEPTED);
  /* 10 s of 1000-byte frames: up to the earliest cut (3.9 s: frames 0..121) into the fragment,
   * then 150 held (up to 8.672 s), the other 40 dropped */
  for (k = 0; k * AAC_FRAME < 10000 * MS; k++) {
    HksvSample sample = { k * AAC_FRAME, k * AAC_FRAME, 0, TRUE, frame };

    g_assert_cmpint (hksv_recording_session_push_audio (s, &sample), ==,
        k < 272 ? HKSV_RECORDING_ACCEPTED : HKSV_RECORDING_DROPPED);
  }
  hksv_recording_session_end_audio (s);
  for (guint i = 10; i < 300; i++)
    g_assert_cmpint (
        push_video_sized (s, i * FRAME, i % 100 == 0, 100), ==, HKSV_RECORDING_ACCEPTED);
  g_assert_true (hksv_recording_session_stop (s, TRUE));
  g_assert_cmpuint (n_fragments (&c), ==, 3);
  fragment_info (&c, 0, &f);
  g_assert_cmpuint (f.traf[1].samples, ==, 125);
  fragment_info (&c, 1, &f);
  g_assert_cmpuint (f.traf[1].samples, ==, 125);
  fragment_info (&c, 2, &f);
  g_assert_cmpuint (f.traf[1].samples, ==, 272 - 250);
  hksv_recording_session_get_stats (s, &stats);
  g_assert_cmpuint (stats.dropped_audio, ==, k - 272);
  g_assert_cmpint (hksv_recording_session_get_state (s), ==, HKSV_RECORDING_END_STOPPED);
  collector_clear (&c);
  config_clear (&config);
}

/* Audio that lags by more than the limit (or has ended) does not hold the fragment back; when it
 * arrives later it goes into the next fragment, tfdt continuous. */
static void
test_audio_lag_limit (void)
{
  HksvRecordingConfig config;
  g_autoptr (HksvRecordingSession) s = NULL;
  Collector c;
  FragInfo f;
  guint i, k;

  config_init (&config, TRUE);
  config.audio_wait = 1000 * MS;
  s = session_new (&config, &c);
  for (k = 0; k < 63; k++) /* audio to 2.016 s */
    push_aac (s, 0, k);
  /* cut at 4.32 s: the fragment waits until video is more than 1 s past it (frame 133 is at
   * 5.32 s, frame 134 at 5.36 s) */
  for (i = 0; i <= 133; i++) {
    g_assert_cmpint (push_frame (s, 0, i, 36), ==, HKSV_RECORDING_ACCEPTED);
    g_assert_cmpuint (n_fragments (&c), ==, 0);
  }
  g_assert_cmpint (push_frame (s, 0, i++, 36), ==, HKSV_RECORDING_ACCEPTED);
  g_assert_cmpuint (n_fragments (&c), ==, 1);
  fragment_info (&c, 0, &f);
  g_assert_cmpuint (f.traf[0].samples, ==, 108);
  g_assert_cmpuint (f.traf[1].samples, ==, 63);

  /* the late audio, up to the next cut (8.64 s): into fragment 2, continuous */
  for (; k < 270; k++)
    g_assert_cmpint (push_aac (s, 0, k), ==, HKSV_RECORDING_ACCEPTED);
  /* Audio ends: the next cut does not wait */
  hksv_recording_session_end_audio (s);
  for (; i <= 216; i++)
    push_frame (s, 0, i, 36);
  g_assert_cmpuint (n_fragments (&c), ==, 2);
  fragment_info (&c, 1, &f);
  g_assert_cmpuint (f.traf[1].tfdt, ==, 63 * 1024);
  g_assert_cmpuint (f.traf[1].samples, ==, 270 - 63);
  g_assert_true (hksv_recording_session_stop (s, TRUE));
  collector_clear (&c);
  config_clear (&config);
}

/* Without any audio source, every fragment's audio track is silence from its start to the cut:
 * back to back frames at the nominal duration, no waiting. */
static void
test_silence_without_source (void)
{
  HksvRecordingConfig config;
  g_autoptr (HksvRecordingSession) s = NULL;
  HksvRecordingStats stats;
  Collector c;
  FragInfo f;

  config_init (&config, TRUE);
  config.audio_live = FALSE;
  config.silence = g_bytes_new_static (silent_frame, sizeof (silent_frame));
  s = session_new (&config, &c);
  g_assert_cmpuint (hksv_recording_session_audio_frame_duration (s), ==, AAC_FRAME);
  for (guint i = 0; i <= 216; i++)
    push_frame (s, 0, i, 36);
  g_assert_cmpuint (n_fragments (&c), ==, 2);
  /* [0, 4.32 s): 135 frames; [4.32, 8.64 s): 135 more */
  for (guint n = 0; n < 2; n++) {
    fragment_info (&c, n, &f);
    g_assert_cmpuint (f.n_traf, ==, 2);
    g_assert_cmpuint (f.traf[1].samples, ==, 135);
    g_assert_cmpuint (f.traf[1].tfdt, ==, n * 135 * 1024);
    g_assert_cmpuint (f.traf[1].ticks, ==, 135 * 1024);
    g_assert_cmpuint (f.traf[1].bytes, ==, 135 * sizeof (silent_frame));
  }
  g_assert_true (hksv_recording_session_stop (s, TRUE));
  fragment_info (&c, 2, &f);
  /* the last video frame ends at 8.68 s: audio to 8.672 s + one frame = 2 frames */
  g_assert_cmpuint (f.traf[1].samples, ==, 2);
  hksv_recording_session_get_stats (s, &stats);
  g_assert_cmpuint (stats.silent_samples, ==, 272);
  g_assert_cmpuint (stats.audio_samples, ==, 0);
  collector_clear (&c);
  config_clear (&config);
}

/* Audio expected but missing: the first fragment gets silence once the wait has passed; real
 * audio then arriving late overlaps it and is dropped until its first frame after the silence,
 * from which on the track is real audio. */
static void
test_silence_then_real_audio (void)
{
  HksvRecordingConfig config;
  g_autoptr (HksvRecordingSession) s = NULL;
  HksvRecordingStats stats;
  Collector c;
  FragInfo f;
  guint i;

  config_init (&config, TRUE);
  config.silence = g_bytes_new_static (silent_frame, sizeof (silent_frame));
  s = session_new (&config, &c);
  for (i = 0; i <= 135; i++)
    push_frame (s, 0, i, 36);
  g_assert_cmpuint (n_fragments (&c), ==, 1);
  fragment_info (&c, 0, &f);
  g_assert_cmpuint (f.traf[1].samples, ==, 135); /* silence to 4.32 s */
  g_assert_cmpuint (f.traf[1].bytes, ==, 135 * sizeof (silent_frame));

  /* real audio from 3 s: frames before 4.304 s (4.32 s minus half a frame) overlap */
  for (guint k = 0; k < 150; k++) {
    gint64 pts = 3000 * MS + k * AAC_FRAME;

    g_assert_cmpint (push_audio_at (s, pts), ==,
        pts < 4304 * MS ? HKSV_RECORDING_DROPPED : HKSV_RECORDING_ACCEPTED);
  }
  /* the audio stops at 7.8 s: the cut at 8.64 s waits until video is at 9.68 s */
  for (; i <= 241; i++)
    push_frame (s, 0, i, 36);
  g_assert_cmpuint (n_fragments (&c), ==, 1);
  push_frame (s, 0, i++, 36);
  g_assert_cmpuint (n_fragments (&c), ==, 2);
  fragment_info (&c, 1, &f);
  /* real frames from 4.312 s (k = 41) to 7.768 s (k = 149), then silence to 8.64 s: 27 frames
   * from 7.8 s (the last one ends at 8.664 s) */
  g_assert_cmpuint (f.traf[1].tfdt, ==, 135 * 1024);
  g_assert_cmpuint (f.traf[1].samples, ==, 109 + 27);
  g_assert_cmpuint (f.traf[1].bytes, ==, 109 * 8 + 27 * sizeof (silent_frame));
  hksv_recording_session_get_stats (s, &stats);
  g_assert_cmpuint (stats.audio_samples, ==, 109);
  g_assert_cmpuint (stats.dropped_audio, ==, 41);
  g_assert_true (hksv_recording_session_stop (s, TRUE));
  collector_clear (&c);
  config_clear (&config);
}

/* ---- end of a recording ---- */

/* The first frame at or after the maximum length ends the recording: the fragment before it is
 * finished with endOfStream; later samples are refused. */
static void
test_max_duration (void)
{
  HksvRecordingConfig config;
  g_autoptr (HksvRecordingSession) s = NULL;
  HksvRecordingStats stats;
  Collector c;
  FragInfo f;
  guint i;

  config_init (&config, TRUE);
  config.fragment_duration = 4000 * MS;
  config.max_duration = 10000 * MS;
  s = session_new (&config, &c);
  for (guint k = 0; k < 400; k++)
    push_aac (s, 0, k);
  for (i = 0; i < 250; i++)
    g_assert_cmpint (push_frame (s, 0, i, 25), ==, HKSV_RECORDING_ACCEPTED);
  g_assert_cmpuint (n_fragments (&c), ==, 2);
  g_assert_false (c.ended);
  g_assert_cmpint (push_frame (s, 0, i++, 25), ==, HKSV_RECORDING_ENDED); /* 10.0 s */
  g_assert_true (c.ended);
  g_assert_cmpint (hksv_recording_session_get_state (s), ==, HKSV_RECORDING_END_MAX_DURATION);
  g_assert_cmpuint (n_fragments (&c), ==, 3);
  fragment_info (&c, 2, &f);
  g_assert_cmpuint (f.traf[0].tfdt, ==, 200 * 3600);
  g_assert_cmpuint (f.traf[0].samples, ==, 50);
  /* audio [8, 10 s): frames 250 .. 312 (9984 ms) */
  g_assert_cmpuint (f.traf[1].samples, ==, 63);
  g_assert_cmpint (push_frame (s, 0, i++, 25), ==, HKSV_RECORDING_ENDED);
  g_assert_cmpint (push_aac (s, 0, 401), ==, HKSV_RECORDING_ENDED);
  g_assert_false (hksv_recording_session_stop (s, TRUE));
  hksv_recording_session_get_stats (s, &stats);
  g_assert_cmpuint (stats.duration, ==, 10000 * MS);
  g_assert_true (stats.end_of_stream_sent);
  collector_clear (&c);
  config_clear (&config);
}

/* At the maximum length the final fragment still waits for its audio. */
static void
test_max_duration_waits_for_audio (void)
{
  HksvRecordingConfig config;
  g_autoptr (HksvRecordingSession) s = NULL;
  Collector c;
  FragInfo f;
  guint k;

  config_init (&config, TRUE);
  config.max_duration = 2000 * MS;
  s = session_new (&config, &c);
  for (guint i = 0; i <= 50; i++)
    push_frame (s, 0, i, 25);
  g_assert_cmpuint (n_fragments (&c), ==, 0);
  g_assert_cmpint (hksv_recording_session_get_state (s), ==, HKSV_RECORDING_RUNNING);
  for (k = 0; k < 62; k++)
    g_assert_cmpint (push_aac (s, 0, k), ==, HKSV_RECORDING_ACCEPTED);
  g_assert_cmpuint (n_fragments (&c), ==, 0);
  g_assert_cmpint (push_aac (s, 0, k), ==, HKSV_RECORDING_ACCEPTED); /* 1984..2016 ms */
  g_assert_cmpuint (n_fragments (&c), ==, 1);
  g_assert_true (c.ended);
  fragment_info (&c, 0, &f);
  g_assert_cmpuint (f.traf[0].samples, ==, 50);
  g_assert_cmpuint (f.traf[1].samples, ==, 63);
  collector_clear (&c);
  config_clear (&config);
}

/* stop (TRUE) while a cut waits for audio: that fragment, then the next one with endOfStream;
 * stop before any keyframe: nothing but the init segment, no endOfStream. */
static void
test_stop (void)
{
  HksvRecordingConfig config;
  HksvRecordingSession *s;
  Collector c;
  FragInfo f;

  config_init (&config, TRUE);
  s = session_new (&config, &c);
  for (guint i = 0; i <= 110; i++)
    push_frame (s, 0, i, 36);
  g_assert_cmpuint (n_fragments (&c), ==, 0);
  g_assert_true (hksv_recording_session_stop (s, TRUE));
  g_assert_cmpuint (n_fragments (&c), ==, 2);
  fragment_info (&c, 0, &f);
  g_assert_cmpuint (f.traf[0].samples, ==, 108);
  fragment_info (&c, 1, &f);
  g_assert_cmpuint (f.traf[0].samples, ==, 3);
  g_assert_true (((HksvChunk *) g_ptr_array_index (c.chunks, c.chunks->len - 1))->end_of_stream);
  hksv_recording_session_free (s);
  collector_clear (&c);

  s = session_new (&config, &c);
  g_assert_cmpint (push_frame (s, 0, 1, 36), ==, HKSV_RECORDING_DROPPED);
  g_assert_false (hksv_recording_session_stop (s, TRUE));
  g_assert_cmpuint (c.sequences->len, ==, 1);
  g_assert_cmpint (hksv_recording_session_get_state (s), ==, HKSV_RECORDING_END_STOPPED);
  hksv_recording_session_free (s);
  collector_clear (&c);
  config_clear (&config);
}

/* A source without keyframes cannot grow a fragment without bound. */
static void
test_overflow (void)
{
  HksvRecordingConfig config;
  g_autoptr (HksvRecordingSession) s = NULL;
  Collector c;
  guint i;

  config_init (&config, FALSE);
  config.max_fragment_bytes = 100000;
  s = session_new (&config, &c);
  for (i = 0; i < 100; i++)
    g_assert_cmpint (push_frame (s, 0, i, 1000), ==, HKSV_RECORDING_ACCEPTED);
  g_assert_cmpint (push_frame (s, 0, i, 1000), ==, HKSV_RECORDING_ENDED);
  g_assert_cmpint (hksv_recording_session_get_state (s), ==, HKSV_RECORDING_END_OVERFLOW);
  g_assert_cmpuint (n_fragments (&c), ==, 0);
  g_assert_false (hksv_recording_session_stop (s, TRUE));
  collector_clear (&c);
  config_clear (&config);
}

/* ---- chunking of real fragments at the 262144-byte boundary ---- */

/* The size of the first fragment of 100 frames (keyframe every 100) whose first AU has
 * `first_size` bytes and the others 2000, and the chunks it was sent in. */
static gsize
first_fragment (gsize first_size, Collector *c, gboolean audio)
{
  HksvRecordingConfig config;
  g_autoptr (HksvRecordingSession) s = NULL;

  config_init (&config, audio);
  config.audio_live = FALSE;
  if (audio)
    config.silence = g_bytes_new_static (silent_frame, sizeof (silent_frame));
  s = session_new (&config, c);
  for (guint i = 0; i <= 100; i++)
    push_video_sized (s, i * FRAME, i % 100 == 0, i == 0 ? first_size : 2000);
  g_assert_cmpuint (n_fragments (c), ==, 1);
  config_clear (&config);
  return g_bytes_get_size (g_ptr_array_index (c->sequences, 1));
}

static void
test_fragment_chunking_boundary (gconstpointer data)
{
  gboolean audio = GPOINTER_TO_INT (data);
  static const struct {
    gsize size;
    guint chunks;
    gsize last;
  } cases[] = {
    { 262143, 1, 262143 },
    { 262144, 1, 262144 },
    { 262145, 2, 1 },
    { 524288, 2, 262144 },
    { 524289, 3, 1 },
  };
  Collector c;
  gsize base, overhead;

  /* The fragment's size is its boxes plus the AU sizes: measure once, then size the first AU so
   * that the fragment is exactly each case's size. */
  base = first_fragment (50000, &c, audio);
  collector_clear (&c);
  overhead = base - 50000;
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    gsize got = first_fragment (cases[i].size - overhead, &c, audio);
    HksvChunk *last;
    guint n = c.chunks->len - 1; /* the init is one chunk */

    g_assert_cmpuint (got, ==, cases[i].size);
    g_assert_cmpuint (n, ==, cases[i].chunks);
    last = g_ptr_array_index (c.chunks, c.chunks->len - 1);
    g_assert_true (last->is_last_chunk);
    g_assert_cmpuint (g_bytes_get_size (last->data), ==, cases[i].last);
    g_assert_cmpint (
        ((HksvChunk *) g_ptr_array_index (c.chunks, 1))->total_size, ==, (gint64) cases[i].size);
    for (guint k = 1; k < c.chunks->len; k++) {
      HksvChunk *chunk = g_ptr_array_index (c.chunks, k);

      g_assert_cmpuint (chunk->data_sequence_number, ==, 2);
      g_assert_cmpuint (chunk->chunk_sequence_number, ==, k);
      g_assert_false (chunk->end_of_stream);
    }
    collector_clear (&c);
  }
}

/* ---- invalid configurations ---- */

static void
test_invalid_config (void)
{
  static const struct {
    const gchar *what;
    guint64 fragment_duration;
    gboolean no_codec_data, silence_without_audio, bad_codec_data, empty_silence;
    GQuark (*domain) (void);
  } cases[] = {
    { "zero fragment duration", 0, FALSE, FALSE, FALSE, FALSE, hksv_recording_error_quark },
    { "silence without audio", 4000 * MS, FALSE, TRUE, FALSE, FALSE, hksv_recording_error_quark },
    { "empty silence frame", 4000 * MS, FALSE, FALSE, FALSE, TRUE, hksv_recording_error_quark },
    { "missing codec_data", 4000 * MS, TRUE, FALSE, FALSE, FALSE, hksv_fmp4_error_quark },
    { "malformed codec_data", 4000 * MS, FALSE, FALSE, TRUE, FALSE, hksv_fmp4_error_quark },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    HksvRecordingConfig config;
    g_autoptr (GError) error = NULL;
    HksvRecordingSession *s;
    Collector c;

    g_test_message ("%s", cases[i].what);
    config_init (&config, !cases[i].silence_without_audio);
    config.fragment_duration = cases[i].fragment_duration;
    if (cases[i].no_codec_data)
      g_clear_pointer (&config.video.codec_data, g_bytes_unref);
    if (cases[i].bad_codec_data) {
      g_bytes_unref (config.video.codec_data);
      config.video.codec_data = g_bytes_new_static (avcc, 7);
    }
    if (cases[i].silence_without_audio || cases[i].empty_silence)
      config.silence = g_bytes_new_static (silent_frame, cases[i].empty_silence ? 0 : 4);
    collector_init (&c);
    s = hksv_recording_session_new (&config, collect_chunk, &c, &error);
    g_assert_null (s);
    g_assert_nonnull (error);
    g_assert_true (error->domain == cases[i].domain ());
    g_assert_cmpuint (c.chunks->len, ==, 0);
    collector_clear (&c);
    config_clear (&config);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/chunker/sizes", test_chunker_sizes);
  g_test_add_func ("/chunker/small-chunks", test_chunker_small_chunks);
  g_test_add_func (
      "/recording/cut-at-first-keyframe-after-duration", test_cut_at_first_keyframe_after_duration);
  g_test_add_func (
      "/recording/time-base-and-sequence-numbers", test_time_base_and_sequence_numbers);
  g_test_add_func ("/recording/cut-tolerance", test_cut_tolerance);
  g_test_add_func ("/recording/bad-samples-dropped", test_bad_samples_dropped);
  g_test_add_func ("/recording/audio-wait", test_audio_wait);
  g_test_add_func ("/recording/audio-lag-limit", test_audio_lag_limit);
  g_test_add_func ("/recording/audio-far-ahead", test_audio_far_ahead);
  g_test_add_func ("/recording/held-audio-byte-bound", test_held_audio_byte_bound);
  g_test_add_func ("/recording/silence-without-source", test_silence_without_source);
  g_test_add_func ("/recording/silence-then-real-audio", test_silence_then_real_audio);
  g_test_add_func ("/recording/max-duration", test_max_duration);
  g_test_add_func ("/recording/max-duration-waits-for-audio", test_max_duration_waits_for_audio);
  g_test_add_func ("/recording/stop", test_stop);
  g_test_add_func ("/recording/overflow", test_overflow);
  g_test_add_data_func ("/recording/chunking-boundary/video", GINT_TO_POINTER (FALSE),
      test_fragment_chunking_boundary);
  g_test_add_data_func ("/recording/chunking-boundary/video-audio", GINT_TO_POINTER (TRUE),
      test_fragment_chunking_boundary);
  g_test_add_func ("/recording/invalid-config", test_invalid_config);
  return g_test_run ();
}
