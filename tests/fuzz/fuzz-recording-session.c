/* libFuzzer target for gst/recording-session.c: arbitrary sequences of samples (times jumping
 * back and forth, keyframes anywhere, sizes up to past a chunk, audio early, late or missing),
 * end-of-audio and stops, under a configuration taken from the first bytes.
 *
 * Whatever the input, the session never crashes, and what it emits is a valid dataSend stream:
 * the conformance checker (gst/mp4-check.h) finds no violation of the chunk rules and every
 * fragment is one moof + mdat whose boxes parse, starting at an IDR sync sample, with tfdt
 * continuous from 0, and endOfStream at most once, on the last chunk.
 *
 * Input: byte 0 = configuration (bit 0 audio track, bit 1 audio live, bit 2 silence, bit 3 a
 * 3 s maximum length, bits 4-5 fragment duration 0.5/1/2/4 s), then 3-byte operations: kind
 * (low 2 bits: video, audio, end-audio/stop; bit 2 keyframe), a signed time step in ms, a size
 * byte (the AU is 8 + 64 * size bytes, up to ~16 KiB; kind bit 3 makes it ~280 KiB). Fragments
 * are bounded to 2 MiB, so that inputs without keyframes reach the overflow end quickly. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gst/mp4-check.h"
#include "gst/recording-session.h"
#include "tests/fuzz/fuzz-target.h"

#define MS G_GINT64_CONSTANT (1000000)

/* x264 Main 320x240 avcC; AAC-LC 32 kHz mono */
static const guint8 avcc[] = { 0x01, 0x4d, 0x40, 0x15, 0xff, 0xe1, 0x00, 0x1c, 0x67, 0x4d, 0x40,
  0x15, 0xec, 0xa0, 0xa0, 0xfd, 0x80, 0xb5, 0x06, 0x06, 0x06, 0xa5, 0x00, 0x00, 0x03, 0x00, 0x01,
  0x00, 0x00, 0x03, 0x00, 0x3c, 0x8f, 0x16, 0x2d, 0x96, 0x01, 0x00, 0x04, 0x68, 0xeb, 0xec, 0xb2 };
static const guint8 asc[] = { 0x12, 0x88 };
static const guint8 frame[] = { 0x21, 0x10, 0x05, 0x00, 0xa0, 0x19, 0x33, 0x87, 0xc0, 0x00, 0x7e };

typedef struct {
  HksvMp4Checker *checker;
  guint chunks;
  gboolean eos_seen;
} Sink;

static void
on_chunk (const HksvChunk *chunk, gpointer user_data)
{
  Sink *sink = user_data;

  CHECK (!sink->eos_seen);
  CHECK (g_bytes_get_size (chunk->data) > 0);
  CHECK (g_bytes_get_size (chunk->data) <= HKSV_CHUNK_MAX_SIZE);
  if (chunk->end_of_stream) {
    CHECK (chunk->is_last_chunk);
    sink->eos_seen = TRUE;
  }
  hksv_mp4_checker_add_chunk (sink->checker, chunk);
  sink->chunks++;
}

static GBytes *
make_au (gsize size, gboolean sync)
{
  guint8 *d = g_malloc0 (size);

  d[0] = (size - 4) >> 24;
  d[1] = (size - 4) >> 16;
  d[2] = (size - 4) >> 8;
  d[3] = (size - 4) & 0xff;
  d[4] = sync ? 0x65 : 0x41;
  return g_bytes_new_take (d, size);
}

/* Rules that hold for any input; the others (fragment lengths, tracks without samples when the
 * audio never came, A/V drift) depend on what the input feeds. */
static const gchar *const rules[] = {
  "box.invalid",
  "init.missing",
  "init.layout",
  "init.repeated",
  "moov.track-count",
  "moov.edts",
  "moov.mvex",
  "fragment.layout",
  "moof.structure",
  "mfhd.sequence",
  "moof.traf-count",
  "traf.structure",
  "tfdt.missing",
  "tfdt.version",
  "tfdt.start",
  "tfdt.discontinuous",
  "trun.data-offset",
  "trun.outside-mdat",
  "trun.overlap",
  "mdat.unused",
  "sample.size-zero",
  "sample.nal-framing",
  "fragment.first-sample-not-idr",
  "fragment.first-sample-not-sync",
  "sample.idr-not-sync",
  "sample.non-idr-sync",
  "chunk.first",
  "chunk.type",
  "chunk.init-chunks",
  "chunk.sequence",
  "chunk.number",
  "chunk.last-flag",
  "chunk.size",
  "chunk.total-size",
  "chunk.end-of-stream",
};

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static const guint64 fragment_ms[] = { 500, 1000, 2000, 4000 };
  HksvRecordingConfig config = { 0 };
  HksvRecordingSession *s;
  HksvMp4CheckOptions options = { 0 };
  Sink sink = { 0 };
  GHashTable *big;
  gint64 vt = 0, at = 0;
  guint8 c;

  if (size < 1)
    return 0;
  c = data[0];
  config.video.codec = HKSV_CODEC_H264;
  config.video.codec_data = g_bytes_new_static (avcc, sizeof (avcc));
  config.video.width = 320;
  config.video.height = 240;
  config.has_audio = c & 1;
  config.audio_live = (c & 2) != 0;
  config.audio.codec = HKSV_CODEC_AAC_LC;
  config.audio.codec_data = g_bytes_new_static (asc, sizeof (asc));
  config.audio.sample_rate = 32000;
  config.audio.channels = 1;
  if ((c & 4) && config.has_audio)
    config.silence = g_bytes_new_static (frame, sizeof (frame));
  if (c & 8)
    config.max_duration = 3000 * MS;
  config.fragment_duration = fragment_ms[(c >> 4) & 3] * MS;
  config.max_fragment_bytes = 2 * 1024 * 1024; /* reached by ~8 large AUs without a keyframe */

  big = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_bytes_unref);
  options.lenient = TRUE;
  sink.checker = hksv_mp4_checker_new (&options);
  s = hksv_recording_session_new (&config, on_chunk, &sink, NULL);
  CHECK (s != NULL);
  hksv_recording_session_start (s);
  CHECK (sink.chunks == 1);

  for (size_t i = 1; i + 3 <= size; i += 3) {
    guint8 kind = data[i];
    gint64 step = (gint8) data[i + 1] * MS;
    gsize len = 8 + 64 * (gsize) data[i + 2] + ((kind & 8) ? 280000 : 0);
    HksvRecordingPush r = HKSV_RECORDING_ACCEPTED;

    switch (kind & 3) {
      case 0: {
        HksvSample sample = { vt, vt + ((kind & 0x10) ? 40 * MS : 0), 0, (kind & 4) != 0, NULL };
        g_autoptr (GBytes) au = NULL;

        /* the large AUs (to pass a chunk) made once per input and size: the writer copies */
        if (kind & 8) {
          gpointer key = GSIZE_TO_POINTER (len * 2 + ((kind & 4) != 0));

          au = g_hash_table_lookup (big, key);
          if (!au) {
            au = make_au (len, (kind & 4) != 0);
            g_hash_table_insert (big, key, au);
          }
          g_bytes_ref (au);
        } else {
          au = make_au (len, (kind & 4) != 0);
        }
        sample.data = au;
        vt += step;
        r = hksv_recording_session_push_video (s, &sample);
        break;
      }
      case 1: {
        g_autoptr (GBytes) au = g_bytes_new_static (frame, MIN (sizeof (frame), len));
        HksvSample sample = { at, at, (kind & 0x10) ? 32 * MS : 0, TRUE, au };

        at += step;
        r = hksv_recording_session_push_audio (s, &sample);
        break;
      }
      case 2:
        hksv_recording_session_end_audio (s);
        break;
      case 3:
        hksv_recording_session_stop (s, (kind & 4) != 0);
        break;
    }
    if (r == HKSV_RECORDING_ENDED)
      CHECK (hksv_recording_session_get_state (s) != HKSV_RECORDING_RUNNING
             || config.max_duration > 0);
  }
  hksv_recording_session_stop (s, TRUE);
  CHECK (hksv_recording_session_get_state (s) != HKSV_RECORDING_RUNNING);

  hksv_mp4_checker_finish (sink.checker);
  for (guint i = 0; i < G_N_ELEMENTS (rules); i++)
    CHECK (!hksv_mp4_checker_has_violation (sink.checker, rules[i]));
  {
    HksvRecordingStats stats;

    hksv_recording_session_get_stats (s, &stats);
    CHECK (stats.chunks == sink.chunks);
    CHECK (!stats.end_of_stream_sent || sink.eos_seen);
  }

  hksv_recording_session_free (s);
  g_hash_table_unref (big);
  hksv_mp4_checker_free (sink.checker);
  g_bytes_unref (config.video.codec_data);
  g_bytes_unref (config.audio.codec_data);
  g_clear_pointer (&config.silence, g_bytes_unref);
  return 0;
}
