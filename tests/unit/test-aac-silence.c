/* Unit tests for gst/aac-silence.c (AAC silence frames and AudioSpecificConfig).
 *
 * Expected values:
 * - AudioSpecificConfig bytes are written out from ISO/IEC 14496-3 1.6.2.1 by hand (object type
 *   5 bits or 31 + 6 bits, sampling frequency index 4 bits or 15 + 24 bits, channel
 *   configuration 4 bits, then GASpecificConfig / ELDSpecificConfig). AAC-LC 32 kHz mono is
 *   `12 88`, the value in the real camera's esds (tests/data/reference-camera).
 * - The frames are decoded by two independent decoders, GStreamer's avdec_aac (appsrc with the
 *   config as codec_data) and the ffmpeg command line (from an MP4 written by the fMP4 writer),
 *   and every decoded sample must be 0, with the sample count the frames promise.
 * Runs GStreamer: registered with gst_test_env (tests/unit/meson.build, unit_test_gst). */
#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <glib/gstdio.h>
#include <string.h>

#include "gst/aac-silence.h"
#include "gst/fmp4-writer.h"
#include "tests/common/test-util.h"

typedef struct {
  HksvAacObjectType aot;
  guint rate, channels;
  const gchar *asc; /* hex */
} AscVector;

static const AscVector asc_vectors[] = {
  /* 00010 0101 0001 000 */
  { HKSV_AAC_OBJECT_LC, 32000, 1, "1288" },
  /* 00010 0011 0010 000 */
  { HKSV_AAC_OBJECT_LC, 48000, 2, "1190" },
  /* 00010 1000 0001 000 */
  { HKSV_AAC_OBJECT_LC, 16000, 1, "1408" },
  /* 00010 0100 0010 000 */
  { HKSV_AAC_OBJECT_LC, 44100, 2, "1210" },
  /* 00010 1011 0001 000 */
  { HKSV_AAC_OBJECT_LC, 8000, 1, "1588" },
  /* 00010 1111 000000000011000000111001 (12345) 0001 000: an explicit rate, 40 bits */
  { HKSV_AAC_OBJECT_LC, 12345, 1, "17 80 18 1c 88" },
  /* 11111 000111 1000 0001 0 000 0 0000 00 (pad 00) */
  { HKSV_AAC_OBJECT_ELD, 16000, 1, "f8f02000" },
  /* 11111 000111 0101 0001 0 000 0 0000 00 */
  { HKSV_AAC_OBJECT_ELD, 32000, 1, "f8ea2000" },
  /* 11111 000111 0011 0010 0 000 0 0000 00 */
  { HKSV_AAC_OBJECT_ELD, 48000, 2, "f8e64000" },
};

static void
test_audio_specific_config (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (asc_vectors); i++) {
    const AscVector *v = &asc_vectors[i];
    GError *error = NULL;
    g_autoptr (GBytes) asc = hksv_aac_audio_specific_config (v->aot, v->rate, v->channels, &error);
    gsize len;
    const guint8 *d;

    g_test_message ("object type %d, %u Hz, %u channels", v->aot, v->rate, v->channels);
    g_assert_no_error (error);
    d = g_bytes_get_data (asc, &len);
    hap_test_assert_hex_equal (d, len, v->asc);
  }
}

typedef struct {
  const gchar *name;
  gint aot;
  guint rate, channels;
} InvalidArgs;

static const InvalidArgs invalid_args[] = {
  { "HE-AAC object type 5", 5, 32000, 1 },
  { "AAC main object type 1", 1, 32000, 1 },
  { "0 channels", HKSV_AAC_OBJECT_LC, 32000, 0 },
  { "3 channels", HKSV_AAC_OBJECT_LC, 32000, 3 },
  { "6 channels ELD", HKSV_AAC_OBJECT_ELD, 48000, 6 },
  { "rate 0", HKSV_AAC_OBJECT_LC, 0, 1 },
  { "rate 192000", HKSV_AAC_OBJECT_ELD, 192000, 2 },
};

static void
test_invalid_arguments (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (invalid_args); i++) {
    const InvalidArgs *v = &invalid_args[i];
    GError *error = NULL;
    GBytes *b;

    g_test_message ("%s", v->name);
    b = hksv_aac_silence_frame ((HksvAacObjectType) v->aot, v->rate, v->channels, &error);
    g_assert_null (b);
    g_assert_error (error, HKSV_AAC_ERROR, HKSV_AAC_ERROR_UNSUPPORTED);
    g_clear_error (&error);
    b = hksv_aac_audio_specific_config ((HksvAacObjectType) v->aot, v->rate, v->channels, &error);
    g_assert_null (b);
    g_assert_error (error, HKSV_AAC_ERROR, HKSV_AAC_ERROR_UNSUPPORTED);
    g_clear_error (&error);
  }
}

/* The frame layout, bit by bit (ISO/IEC 14496-3 4.4.2): SCE/CPE, tag, ICS fields, ID_END. */
static void
test_frame_bits (void)
{
  static const guint rates[] = { 8000, 16000, 22050, 24000, 32000, 44100, 48000 };
  GError *error = NULL;
  g_autoptr (GBytes) mono = hksv_aac_silence_frame (HKSV_AAC_OBJECT_LC, 32000, 1, &error);
  g_autoptr (GBytes) stereo = hksv_aac_silence_frame (HKSV_AAC_OBJECT_LC, 48000, 2, &error);
  g_autoptr (GBytes) eld = hksv_aac_silence_frame (HKSV_AAC_OBJECT_ELD, 16000, 1, &error);
  gsize len;
  const guint8 *d;

  g_assert_no_error (error);
  /* 000 (ID_SCE) 0000 (tag) | 00000000 (global_gain) | 0 00 0 000000 0 (ics_info) | 0 0 0
   * (pulse, tns, gain control) | 111 (ID_END) = 32 bits */
  d = g_bytes_get_data (mono, &len);
  hap_test_assert_hex_equal (d, len, "00000007");
  /* 001 (ID_CPE) 0000 0 (common_window) | 2 x 22 bits of ICS | 111 (bits 52..54) | 1 bit of
   * byte alignment = 56 bits */
  d = g_bytes_get_data (stereo, &len);
  hap_test_assert_hex_equal (d, len, "20 00 00 00 00 00 0e");
  d = g_bytes_get_data (eld, &len);
  g_assert_cmpuint (len, >=, 2);
  for (gsize i = 0; i < len; i++)
    g_assert_cmpuint (d[i], ==, 0);
  /* The frame does not depend on the rate (max_sfb 0 codes no band). */
  for (guint r = 0; r < G_N_ELEMENTS (rates); r++) {
    for (guint ch = 1; ch <= 2; ch++) {
      for (guint o = 0; o < 2; o++) {
        HksvAacObjectType aot = o ? HKSV_AAC_OBJECT_ELD : HKSV_AAC_OBJECT_LC;
        g_autoptr (GBytes) a = hksv_aac_silence_frame (aot, rates[r], ch, &error);
        g_autoptr (GBytes) b = hksv_aac_silence_frame (aot, 48000, ch, &error);
        g_assert_no_error (error);
        hap_test_assert_bytes_equal (a, b);
      }
    }
  }
  g_assert_cmpuint (hksv_aac_frame_samples (HKSV_AAC_OBJECT_LC), ==, 1024);
  g_assert_cmpuint (hksv_aac_frame_samples (HKSV_AAC_OBJECT_ELD), ==, 512);
}

/* ---- decoding ---- */

typedef struct {
  HksvAacObjectType aot;
  guint rate, channels;
} DecodeCase;

static const DecodeCase decode_cases[] = {
  { HKSV_AAC_OBJECT_LC, 8000, 1 },
  { HKSV_AAC_OBJECT_LC, 16000, 1 },
  { HKSV_AAC_OBJECT_LC, 24000, 2 },
  { HKSV_AAC_OBJECT_LC, 32000, 1 },
  { HKSV_AAC_OBJECT_LC, 44100, 2 },
  { HKSV_AAC_OBJECT_LC, 48000, 1 },
  { HKSV_AAC_OBJECT_LC, 48000, 2 },
  /* FFmpeg has AAC-ELD scale factor band tables from 22.05 kHz up only; below, it refuses
   * every ELD stream, so 16 kHz is checked by /aac-silence/frame-bits (same frame bytes). */
  { HKSV_AAC_OBJECT_ELD, 24000, 1 },
  { HKSV_AAC_OBJECT_ELD, 32000, 2 },
  { HKSV_AAC_OBJECT_ELD, 44100, 1 },
  { HKSV_AAC_OBJECT_ELD, 48000, 1 },
  { HKSV_AAC_OBJECT_ELD, 48000, 2 },
};

#define N_FRAMES 25

/* Decodes N_FRAMES silence frames with avdec_aac; returns the number of samples per channel,
 * after checking that each is 0. Float output: a conversion to integers would add dither. */
static guint64
decode_with_gstreamer (const DecodeCase *c, GBytes *asc, GBytes *frame)
{
  g_autoptr (GError) error = NULL;
  GstElement *pipe = gst_parse_launch (
      "appsrc name=src format=time ! avdec_aac ! audioconvert ! "
      "audio/x-raw,format=F32LE,layout=interleaved ! appsink name=sink sync=false",
      &error);
  GstElement *src, *sink;
  GstCaps *caps;
  GstBuffer *cd;
  guint64 total = 0;
  guint frame_samples = hksv_aac_frame_samples (c->aot);
  GstBus *bus;
  GstMessage *msg;

  g_assert_no_error (error);
  src = gst_bin_get_by_name (GST_BIN (pipe), "src");
  sink = gst_bin_get_by_name (GST_BIN (pipe), "sink");
  cd = gst_buffer_new_wrapped_bytes (asc);
  caps = gst_caps_new_simple ("audio/mpeg", "mpegversion", G_TYPE_INT, 4, "stream-format",
      G_TYPE_STRING, "raw", "rate", G_TYPE_INT, (gint) c->rate, "channels", G_TYPE_INT,
      (gint) c->channels, "codec_data", GST_TYPE_BUFFER, cd, NULL);
  gst_buffer_unref (cd);
  g_object_set (src, "caps", caps, NULL);
  gst_caps_unref (caps);
  g_assert_cmpint (gst_element_set_state (pipe, GST_STATE_PLAYING), !=, GST_STATE_CHANGE_FAILURE);
  for (guint i = 0; i < N_FRAMES; i++) {
    GstBuffer *b = gst_buffer_new_wrapped_bytes (frame);
    GST_BUFFER_PTS (b) = gst_util_uint64_scale (i * frame_samples, GST_SECOND, c->rate);
    GST_BUFFER_DURATION (b) = gst_util_uint64_scale (frame_samples, GST_SECOND, c->rate);
    g_assert_cmpint (gst_app_src_push_buffer (GST_APP_SRC (src), b), ==, GST_FLOW_OK);
  }
  gst_app_src_end_of_stream (GST_APP_SRC (src));
  for (;;) {
    GstSample *s = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), 10 * GST_SECOND);
    GstMapInfo map;
    const gfloat *pcm;
    if (!s)
      break;
    gst_buffer_map (gst_sample_get_buffer (s), &map, GST_MAP_READ);
    pcm = (const gfloat *) map.data;
    for (gsize i = 0; i < map.size / sizeof (gfloat); i++) {
      if (pcm[i] != 0.0f)
        g_error (
            "decoded sample %" G_GSIZE_FORMAT " is %g, not 0", total * c->channels + i, pcm[i]);
    }
    total += map.size / sizeof (gfloat) / c->channels;
    gst_buffer_unmap (gst_sample_get_buffer (s), &map);
    gst_sample_unref (s);
  }
  bus = gst_element_get_bus (pipe);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR | GST_MESSAGE_WARNING);
  if (msg) {
    GError *e = NULL;
    if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR)
      gst_message_parse_error (msg, &e, NULL);
    else
      gst_message_parse_warning (msg, &e, NULL);
    g_error ("decoder reported: %s", e->message);
  }
  gst_object_unref (bus);
  gst_element_set_state (pipe, GST_STATE_NULL);
  gst_object_unref (src);
  gst_object_unref (sink);
  gst_object_unref (pipe);
  return total;
}

/* Writes an audio-only fragmented MP4 of the frames, decodes it with the ffmpeg command line to
 * raw PCM, and checks that every sample is 0. Returns the samples per channel. */
static guint64
decode_with_ffmpeg (const DecodeCase *c, GBytes *asc, GBytes *frame)
{
  HksvTrackInfo info = { c->aot == HKSV_AAC_OBJECT_ELD ? HKSV_CODEC_AAC_ELD : HKSV_CODEC_AAC_LC,
    asc, 0, 0, c->rate, c->channels, 0, 0 };
  GError *error = NULL;
  g_autoptr (HksvFmp4Writer) w = hksv_fmp4_writer_new (&info, 1, NULL, &error);
  g_autoptr (GBytes) init = NULL, frag = NULL;
  g_autofree gchar *dir = NULL, *path = NULL, *pcm_path = NULL, *err = NULL, *pcm = NULL;
  guint frame_samples = hksv_aac_frame_samples (c->aot);
  GByteArray *file = g_byte_array_new ();
  gint status;
  gchar *argv[] = { "ffmpeg", "-nostdin", "-v", "error", "-i", NULL, "-f", "s16le", "-acodec",
    "pcm_s16le", "-y", NULL, NULL };
  gsize len;
  const guint8 *d;

  g_assert_no_error (error);
  g_assert_nonnull (w);
  dir = g_dir_make_tmp ("aac-silence-XXXXXX", &error);
  g_assert_no_error (error);
  for (guint i = 0; i < N_FRAMES; i++) {
    HksvSample s = { 0 };
    s.dts = s.pts = (gint64) gst_util_uint64_scale (i * frame_samples, GST_SECOND, c->rate);
    s.data = frame;
    g_assert_true (hksv_fmp4_writer_add_sample (w, 0, &s, &error));
    g_assert_no_error (error);
  }
  init = hksv_fmp4_writer_init_segment (w);
  frag = hksv_fmp4_writer_finish_fragment (w, -1);
  d = g_bytes_get_data (init, &len);
  g_byte_array_append (file, d, len);
  d = g_bytes_get_data (frag, &len);
  g_byte_array_append (file, d, len);
  path = g_build_filename (dir, "silence.mp4", NULL);
  pcm_path = g_build_filename (dir, "silence.pcm", NULL);
  g_assert_true (g_file_set_contents (path, (const gchar *) file->data, file->len, &error));
  g_byte_array_unref (file);
  argv[5] = path;
  argv[11] = pcm_path;
  g_assert_true (g_spawn_sync (NULL, argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
      NULL, NULL, NULL, &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL) || (err && *err))
    g_error ("ffmpeg failed on %s: %s", path, err);
  g_assert_true (g_file_get_contents (pcm_path, &pcm, &len, &error));
  g_assert_no_error (error);
  for (gsize i = 0; i < len; i++) {
    if (pcm[i] != 0)
      g_error ("ffmpeg decoded a non-zero byte at %" G_GSIZE_FORMAT, i);
  }
  g_unlink (path);
  g_unlink (pcm_path);
  g_rmdir (dir);
  return len / 2 / c->channels;
}

static void
test_decodes_to_silence (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (decode_cases); i++) {
    const DecodeCase *c = &decode_cases[i];
    GError *error = NULL;
    g_autoptr (GBytes) asc = hksv_aac_audio_specific_config (c->aot, c->rate, c->channels, &error);
    g_autoptr (GBytes) frame = hksv_aac_silence_frame (c->aot, c->rate, c->channels, &error);
    guint64 samples;

    g_test_message ("%s %u Hz %u channels", c->aot == HKSV_AAC_OBJECT_ELD ? "AAC-ELD" : "AAC-LC",
        c->rate, c->channels);
    g_assert_no_error (error);
    samples = decode_with_gstreamer (c, asc, frame);
    g_assert_cmpuint (samples, ==, (guint64) N_FRAMES * hksv_aac_frame_samples (c->aot));
    samples = decode_with_ffmpeg (c, asc, frame);
    g_assert_cmpuint (samples, ==, (guint64) N_FRAMES * hksv_aac_frame_samples (c->aot));
  }
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/aac-silence/audio-specific-config", test_audio_specific_config);
  g_test_add_func ("/aac-silence/invalid-arguments", test_invalid_arguments);
  g_test_add_func ("/aac-silence/frame-bits", test_frame_bits);
  g_test_add_func ("/aac-silence/decodes-to-silence", test_decodes_to_silence);
  return g_test_run ();
}
