/* Unit tests for gst/fmp4-writer.c (fragmented MP4 writer).
 *
 * What the output is compared with:
 * - the real camera's recording (tests/data/reference-camera): its samples are demuxed with the
 *   project's box reader and re-muxed; the init segment must come out byte for byte, each
 *   fragment with the same box types in the same order, the same tfhd/trun flags, tfdt, sample
 *   counts, sizes, durations, flags and data;
 * - real encoders (x264enc, x265enc, voaacenc in GStreamer pipelines, deterministic settings):
 *   the files must pass the conformance checker (gst/mp4-check.h) and be demuxed and decoded
 *   frame by frame by GStreamer (qtdemux, avdec_h264/h265, avdec_aac) and by ffprobe
 *   (-count_frames), with B-frames too (composition offsets, presentation order);
 * - hand-written timestamp cases (rebasing, continuity) and an invalid-input table.
 * Runs GStreamer: registered with gst_test_env (tests/unit/meson.build, unit_test_gst). */
#include <glib/gstdio.h>
#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "gst/aac-silence.h"
#include "gst/fmp4-writer.h"
#include "gst/mp4-box-reader.h"
#include "gst/mp4-check.h"
#include "gst/mp4-codec.h"
#include "tests/common/test-util.h"

#define MS (G_GINT64_CONSTANT (1000000))

/* ---- helpers ---- */

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

/* Finds a box by path, e.g. "moov/trak[1]/mdia/minf/stbl/stsd/mp4a/esds". */
static gboolean
find_path (const guint8 *data, gsize len, const char *path, HksvBox *out)
{
  g_auto (GStrv) parts = g_strsplit (path, "/", -1);
  HksvBox parent = { 0 };
  gboolean top = TRUE;

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
    if (top)
      hksv_box_iter_init (&it, data, len);
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
    parent = box;
    top = FALSE;
  }
  *out = parent;
  return TRUE;
}

/* "type@depth" of every box, in order, descending into the containers the reader knows. */
static void
box_tree (const guint8 *data, gsize len, guint depth, GString *out)
{
  HksvBoxIter it;
  HksvBox box;
  gchar name[5];

  hksv_box_iter_init (&it, data, len);
  while (hksv_box_iter_next (&it, &box, NULL) == HKSV_BOX_OK) {
    gsize skip;
    g_string_append_printf (out, "%s@%u ", hksv_fourcc_to_string (box.type, name), depth);
    if (hksv_box_children_skip (box.type, &skip) && skip <= box.payload_size)
      box_tree (box.payload + skip, box.payload_size - skip, depth + 1, out);
  }
}

static gchar *
tree_of (GBytes *b)
{
  GString *s = g_string_new (NULL);
  gsize len;
  const guint8 *d = g_bytes_get_data (b, &len);
  box_tree (d, len, 0, s);
  return g_string_free (s, FALSE);
}

static GBytes *
box_payload (GBytes *file, const char *path, gsize skip)
{
  HksvBox box = { 0 };
  gsize len;
  const guint8 *d = g_bytes_get_data (file, &len);

  g_assert_true (find_path (d, len, path, &box));
  g_assert_cmpuint (box.payload_size, >=, skip);
  return g_bytes_new (box.payload + skip, box.payload_size - skip);
}

static GBytes *
reference_avcc (GBytes *init)
{
  return box_payload (init, "moov/trak[0]/mdia/minf/stbl/stsd/avc1/avcC", 0);
}

static GBytes *
reference_asc (GBytes *init)
{
  g_autoptr (GBytes) esds = box_payload (init, "moov/trak[1]/mdia/minf/stbl/stsd/mp4a/esds", 4);
  HksvEsdsInfo info;
  gsize len;
  const guint8 *d = g_bytes_get_data (esds, &len);
  GError *error = NULL;

  g_assert_true (hksv_esds_parse (d, len, &info, &error));
  g_assert_no_error (error);
  return g_bytes_new (info.dsi, info.dsi_len);
}

static void
assert_checker_clean (HksvMp4Checker *checker)
{
  guint n = hksv_mp4_checker_n_violations (checker);
  for (guint i = 0; i < n; i++) {
    const HksvMp4Violation *v = hksv_mp4_checker_violation (checker, i);
    g_test_message (
        "violation: seq %" G_GUINT64_FORMAT " %s: %s", v->sequence, v->rule, v->message);
  }
  g_assert_cmpuint (n, ==, 0);
}

/* ---- 1: re-mux of the real camera's recording ---- */

static gint64
ticks_to_ns (guint64 ticks, guint32 timescale)
{
  return (gint64) (ticks * 1000000000ull / timescale);
}

static void
compare_fragment (const HksvMp4Init *init, GBytes *ref, GBytes *ours)
{
  gsize rlen, olen;
  const guint8 *rd = g_bytes_get_data (ref, &rlen), *od = g_bytes_get_data (ours, &olen);
  GError *error = NULL;
  g_autoptr (HksvMp4Fragment) rf = hksv_mp4_fragment_parse (init, rd, rlen, &error);
  g_autoptr (HksvMp4Fragment) of = hksv_mp4_fragment_parse (init, od, olen, &error);
  g_autofree gchar *rtree = tree_of (ref), *otree = tree_of (ours);

  g_assert_no_error (error);
  /* Same box types in the same order and nesting (trun counts included). */
  g_assert_cmpstr (otree, ==, rtree);
  g_assert_cmpuint (olen, ==, rlen);
  g_assert_cmpuint (of->sequence, ==, rf->sequence);
  g_assert_cmpuint (of->mdat_size, ==, rf->mdat_size);
  g_assert_cmpuint (of->trafs->len, ==, rf->trafs->len);
  for (guint t = 0; t < rf->trafs->len; t++) {
    const HksvMp4Traf *rt = g_ptr_array_index (rf->trafs, t);
    const HksvMp4Traf *ot = g_ptr_array_index (of->trafs, t);
    gboolean video = t == 0;

    g_assert_cmpuint (ot->track_id, ==, rt->track_id);
    g_assert_cmphex (ot->tfhd_flags, ==, rt->tfhd_flags);
    g_assert_cmpuint (ot->tfdt_version, ==, rt->tfdt_version);
    g_assert_cmpuint (ot->tfdt, ==, rt->tfdt);
    g_assert_cmpuint (ot->trun_flags->len, ==, rt->trun_flags->len);
    /* The camera's video truns: the first with first-sample-flags (0x305), the others 0x301;
     * audio 0x301. */
    for (guint r = 0; r < rt->trun_flags->len; r++)
      g_assert_cmphex (g_array_index (ot->trun_flags, guint32, r), ==,
          g_array_index (rt->trun_flags, guint32, r));
    g_assert_cmpuint (ot->samples->len, ==, rt->samples->len);
    for (guint s = 0; s < rt->samples->len; s++) {
      const HksvMp4Sample *a = &g_array_index (rt->samples, HksvMp4Sample, s);
      const HksvMp4Sample *b = &g_array_index (ot->samples, HksvMp4Sample, s);
      g_assert_cmpuint (b->dts, ==, a->dts);
      g_assert_cmpuint (b->duration, ==, a->duration);
      g_assert_cmpuint (b->size, ==, a->size);
      g_assert_cmphex (b->flags, ==, a->flags);
      g_assert_cmpint (b->cts, ==, a->cts);
      /* Video runs are cut where the camera cuts them (>= 500 ms); audio runs end where the
       * video runs do (the camera's audio runs lag by ~100 ms: arrival order). */
      if (video)
        g_assert_cmpuint (b->run, ==, a->run);
      hap_test_assert_mem_equal (od + b->offset, b->size, rd + a->offset, a->size);
    }
  }
}

static void
test_remux_reference (void)
{
  g_autoptr (GBytes) init = load_reference ("mediaInitialization.mp4");
  g_autoptr (GBytes) avcc = reference_avcc (init);
  g_autoptr (GBytes) asc = reference_asc (init);
  HksvTrackInfo tracks[2] = {
    { HKSV_CODEC_H264, avcc, 1920, 1080, 0, 0, 1000, 0 },
    { HKSV_CODEC_AAC_LC, asc, 0, 0, 32000, 1, 0, 64000 },
  };
  HksvFmp4Options options = { 500 * MS };
  GError *error = NULL;
  g_autoptr (HksvFmp4Writer) w = hksv_fmp4_writer_new (tracks, 2, &options, &error);
  g_autoptr (GBytes) our_init = NULL;
  HksvMp4Init parsed;
  const char *names[] = { "sequence2.mp4", "sequence3.mp4", "sequence4.mp4" };
  gsize len;
  const guint8 *d = g_bytes_get_data (init, &len);

  g_assert_no_error (error);
  g_assert_nonnull (w);
  g_assert_cmpuint (hksv_fmp4_writer_timescale (w, 0), ==, 1000);
  g_assert_cmpuint (hksv_fmp4_writer_timescale (w, 1), ==, 32000);
  /* The init segment is the camera's, byte for byte. */
  our_init = hksv_fmp4_writer_init_segment (w);
  hap_test_assert_bytes_equal (our_init, init);
  g_assert_true (hksv_mp4_init_parse (d, len, &parsed, &error));
  g_assert_no_error (error);

  for (guint f = 0; f < G_N_ELEMENTS (names); f++) {
    g_autoptr (GBytes) ref = load_reference (names[f]);
    g_autoptr (GBytes) ours = NULL;
    const guint8 *rd = g_bytes_get_data (ref, &len);
    g_autoptr (HksvMp4Fragment) frag = hksv_mp4_fragment_parse (&parsed, rd, len, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (hksv_fmp4_writer_next_sequence (w), ==, f + 1);
    for (guint t = 0; t < frag->trafs->len; t++) {
      const HksvMp4Traf *traf = g_ptr_array_index (frag->trafs, t);
      guint32 ts = parsed.tracks[traf->track].timescale;
      for (guint s = 0; s < traf->samples->len; s++) {
        const HksvMp4Sample *smp = &g_array_index (traf->samples, HksvMp4Sample, s);
        g_autoptr (GBytes) data = g_bytes_new_from_bytes (ref, smp->offset, smp->size);
        HksvSample sample
            = { ticks_to_ns (smp->dts, ts), ticks_to_ns (smp->dts + (guint64) smp->cts, ts),
                (guint64) (ticks_to_ns (smp->dts + smp->duration, ts) - ticks_to_ns (smp->dts, ts)),
                !(smp->flags & HKSV_MP4_SAMPLE_IS_NON_SYNC), data };
        g_assert_true (hksv_fmp4_writer_add_sample (w, (guint) t, &sample, &error));
        g_assert_no_error (error);
      }
      g_assert_cmpuint (hksv_fmp4_writer_queued (w, t), ==, traf->samples->len);
    }
    ours = hksv_fmp4_writer_finish_fragment (w, -1);
    g_assert_nonnull (ours);
    g_assert_cmpuint (hksv_fmp4_writer_queued (w, 0), ==, 0);
    compare_fragment (&parsed, ref, ours);
  }
  g_assert_null (hksv_fmp4_writer_finish_fragment (w, -1));
}

/* ---- synthetic samples ---- */

/* A length-prefixed H.264 access unit: one slice NAL of `type` (5 IDR, 1 non-IDR). */
static GBytes *
fake_au (guint type, guint size, guint seed)
{
  guint8 *d = g_malloc (size);
  d[0] = d[1] = 0;
  d[2] = (guint8) ((size - 4) >> 8);
  d[3] = (guint8) (size - 4);
  d[4] = (guint8) (0x60 | type);
  for (guint i = 5; i < size; i++)
    d[i] = (guint8) (seed * 31 + i * 7 + 1);
  return g_bytes_new_take (d, size);
}

static GBytes *
fake_aac (guint size, guint seed)
{
  guint8 *d = g_malloc (size);
  for (guint i = 0; i < size; i++)
    d[i] = (guint8) (0x21 + seed + i);
  return g_bytes_new_take (d, size);
}

static GBytes *
asc_for (guint rate)
{
  GError *error = NULL;
  GBytes *asc = hksv_aac_audio_specific_config (HKSV_AAC_OBJECT_LC, rate, 1, &error);
  g_assert_no_error (error);
  return asc;
}

static HksvFmp4Writer *
synth_writer (guint32 video_timescale, guint audio_rate, guint64 interleave_ns)
{
  g_autoptr (GBytes) init = load_reference ("mediaInitialization.mp4");
  g_autoptr (GBytes) avcc = reference_avcc (init);
  g_autoptr (GBytes) asc = asc_for (audio_rate);
  HksvTrackInfo tracks[2] = {
    { HKSV_CODEC_H264, avcc, 1920, 1080, 0, 0, video_timescale, 0 },
    { HKSV_CODEC_AAC_LC, asc, 0, 0, audio_rate, 1, 0, 0 },
  };
  HksvFmp4Options options = { interleave_ns };
  GError *error = NULL;
  HksvFmp4Writer *w = hksv_fmp4_writer_new (tracks, 2, &options, &error);

  g_assert_no_error (error);
  g_assert_nonnull (w);
  return w;
}

typedef struct {
  guint n_fragments;
  guint gop;       /* video frames per fragment */
  gint64 frame_ns; /* video frame duration */
  gint64 video_start, audio_start;
  guint audio_rate;
  gboolean durations; /* give each sample its duration */
  gint64 pts_delay;   /* ns added to every video PTS */
} Scenario;

/* Runs a scenario through `w`; returns the fragments. Audio frames are cut where the next
 * fragment's video starts, as hksvsink does. */
static GPtrArray *
run_scenario (HksvFmp4Writer *w, const Scenario *sc)
{
  GPtrArray *frags = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  gint64 audio_frame = (gint64) (1024 * G_GINT64_CONSTANT (1000000000) / sc->audio_rate);
  guint a = 0, v = 0;
  GError *error = NULL;

  for (guint f = 0; f < sc->n_fragments; f++) {
    gint64 end = sc->video_start + (gint64) ((f + 1) * sc->gop) * sc->frame_ns;
    for (guint i = 0; i < sc->gop; i++, v++) {
      g_autoptr (GBytes) au = fake_au (i == 0 ? 5 : 1, i == 0 ? 3000 : 500 + v % 7, v);
      HksvSample s = { sc->video_start + (gint64) v * sc->frame_ns, 0,
        sc->durations ? (guint64) sc->frame_ns : 0, i == 0, au };
      s.pts = s.dts + sc->pts_delay;
      g_assert_true (hksv_fmp4_writer_add_sample (w, 0, &s, &error));
      g_assert_no_error (error);
    }
    for (;; a++) {
      /* exact sample-accurate time of AAC frame a */
      gint64 t = sc->audio_start + (gint64) ((guint64) a * 1024 * 1000000000ull / sc->audio_rate);
      g_autoptr (GBytes) frame = NULL;
      HksvSample s = { t, t, sc->durations ? (guint64) audio_frame : 0, TRUE, NULL };
      if (t >= end && f + 1 < sc->n_fragments)
        break;
      if (t >= end)
        break;
      frame = fake_aac (200 + a % 13, a);
      s.data = frame;
      g_assert_true (hksv_fmp4_writer_add_sample (w, 1, &s, &error));
      g_assert_no_error (error);
    }
    g_ptr_array_add (frags, hksv_fmp4_writer_finish_fragment (w, end));
  }
  return frags;
}

static HksvMp4Checker *
check_recording (HksvFmp4Writer *w, GPtrArray *frags, guint fragment_ms)
{
  HksvMp4CheckOptions opt = { fragment_ms, HKSV_MP4_AUDIO_YES, 0, 0, FALSE };
  HksvMp4Checker *checker = hksv_mp4_checker_new (&opt);
  g_autoptr (GBytes) init = hksv_fmp4_writer_init_segment (w);
  gsize len;
  const guint8 *d = g_bytes_get_data (init, &len);

  hksv_mp4_checker_add_init (checker, d, len);
  for (guint i = 0; i < frags->len; i++) {
    d = g_bytes_get_data (g_ptr_array_index (frags, i), &len);
    hksv_mp4_checker_add_fragment (checker, d, len);
  }
  hksv_mp4_checker_finish (checker);
  return checker;
}

static HksvMp4Fragment *
parse_ours (HksvFmp4Writer *w, GBytes *frag)
{
  g_autoptr (GBytes) init = hksv_fmp4_writer_init_segment (w);
  HksvMp4Init parsed;
  GError *error = NULL;
  gsize len;
  const guint8 *d = g_bytes_get_data (init, &len);
  HksvMp4Fragment *f;

  g_assert_true (hksv_mp4_init_parse (d, len, &parsed, &error));
  d = g_bytes_get_data (frag, &len);
  f = hksv_mp4_fragment_parse (&parsed, d, len, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f);
  return f;
}

static guint64
traf_duration (const HksvMp4Traf *t)
{
  guint64 sum = 0;
  for (guint i = 0; i < t->samples->len; i++)
    sum += g_array_index (t->samples, HksvMp4Sample, i).duration;
  return sum;
}

/* ---- 5: rebasing and continuity ---- */

typedef struct {
  const gchar *name;
  guint32 video_timescale;
  guint audio_rate;
  Scenario sc;
  guint64 video_tick; /* expected duration of every video sample */
} RebaseCase;

static const RebaseCase rebase_cases[] = {
  { "90 kHz, 30000/1001 fps, 44.1 kHz audio, large origin", 90000, 44100,
      { 5, 30, 33366667, G_GINT64_CONSTANT (1234567890123),
          G_GINT64_CONSTANT (1234567890123) + 7 * MS, 44100, TRUE, 0 },
      3003 },
  { "camera timescales, 25 fps, 32 kHz, no durations given", 1000, 32000,
      { 4, 25, 40 * MS, 3600 * G_GINT64_CONSTANT (1000000000),
          3600 * G_GINT64_CONSTANT (1000000000), 32000, FALSE, 0 },
      40 },
  { "90 kHz, 24 fps, 48 kHz, origin 0, B-frame delay", 90000, 48000,
      { 3, 48, 41666667, 0, 0, 48000, TRUE, 83333333 }, 3750 },
};

static void
test_rebase_and_continuity (void)
{
  for (guint c = 0; c < G_N_ELEMENTS (rebase_cases); c++) {
    const RebaseCase *rc = &rebase_cases[c];
    g_autoptr (HksvFmp4Writer) w = synth_writer (rc->video_timescale, rc->audio_rate, 500 * MS);
    g_autoptr (GPtrArray) frags = NULL;
    g_autoptr (HksvMp4Checker) checker = NULL;
    guint64 next[2] = { 0, 0 };

    g_test_message ("%s", rc->name);
    frags = run_scenario (w, &rc->sc);
    for (guint f = 0; f < frags->len; f++) {
      g_autoptr (HksvMp4Fragment) frag = parse_ours (w, g_ptr_array_index (frags, f));
      g_assert_cmpuint (frag->sequence, ==, f + 1);
      g_assert_cmpuint (frag->trafs->len, ==, 2);
      for (guint t = 0; t < 2; t++) {
        const HksvMp4Traf *traf = g_ptr_array_index (frag->trafs, t);
        /* tfdt from 0 on each track, then the previous tfdt plus the previous durations */
        g_assert_cmpuint (traf->tfdt_version, ==, 1);
        g_assert_cmpuint (traf->tfdt, ==, next[t]);
        next[t] += traf_duration (traf);
        for (guint s = 0; s < traf->samples->len; s++) {
          const HksvMp4Sample *smp = &g_array_index (traf->samples, HksvMp4Sample, s);
          if (t == 0) {
            g_assert_cmpuint (smp->duration, ==, rc->video_tick);
            /* PTS and DTS are rounded to ticks separately: within one tick */
            g_assert_cmpint (
                ABS (smp->cts - rc->sc.pts_delay * (gint64) rc->video_timescale / 1000000000), <=,
                1);
            g_assert_cmphex (smp->flags, ==, s == 0 ? 0x02000000u : 0x01010000u);
          } else {
            g_assert_cmpuint (smp->duration, ==, 1024);
          }
        }
        if (t == 0) {
          guint32 want = 0x301 | (rc->sc.pts_delay ? 0x800 : 0) | 0x004;
          g_assert_cmphex (g_array_index (traf->trun_flags, guint32, 0), ==, want);
        }
      }
    }
    /* No drift: the audio ends where its frames say. */
    g_assert_cmpuint (next[0], ==, (guint64) rc->sc.n_fragments * rc->sc.gop * rc->video_tick);
    checker = check_recording (w, frags, (guint) (rc->sc.gop * rc->sc.frame_ns / MS));
    assert_checker_clean (checker);
  }
}

/* A last sample without a duration is estimated; when the next fragment's first sample comes
 * later (a dropped frame), tfdt stays continuous and that sample's duration absorbs it. */
static void
test_estimated_duration_absorbed (void)
{
  g_autoptr (HksvFmp4Writer) w = synth_writer (1000, 32000, 0);
  GError *error = NULL;
  g_autoptr (GBytes) f1 = NULL, f2 = NULL;
  g_autoptr (HksvMp4Fragment) p1 = NULL, p2 = NULL;
  const HksvMp4Traf *v1, *v2;
  gint64 t0 = 5000 * MS;

  for (guint i = 0; i < 3; i++) {
    g_autoptr (GBytes) au = fake_au (i ? 1 : 5, 100, i);
    HksvSample s = { t0 + i * 40 * MS, t0 + i * 40 * MS, 0, i == 0, au };
    g_assert_true (hksv_fmp4_writer_add_sample (w, 0, &s, &error));
  }
  f1 = hksv_fmp4_writer_finish_fragment (w, -1); /* last duration: the previous one, 40 */
  /* next frame at +200 ms instead of +120 ms */
  for (guint i = 0; i < 3; i++) {
    g_autoptr (GBytes) au = fake_au (i ? 1 : 5, 100, i);
    HksvSample s = { t0 + (5 + i) * 40 * MS, t0 + (5 + i) * 40 * MS, 0, i == 0, au };
    g_assert_true (hksv_fmp4_writer_add_sample (w, 0, &s, &error));
  }
  f2 = hksv_fmp4_writer_finish_fragment (w, t0 + 8 * 40 * MS);
  g_assert_no_error (error);
  p1 = parse_ours (w, f1);
  p2 = parse_ours (w, f2);
  v1 = g_ptr_array_index (p1->trafs, 0);
  v2 = g_ptr_array_index (p2->trafs, 0);
  g_assert_cmpuint (g_array_index (v1->samples, HksvMp4Sample, 2).duration, ==, 40);
  g_assert_cmpuint (v2->tfdt, ==, 120);
  /* 120 -> 240 (the second sample's own time) */
  g_assert_cmpuint (g_array_index (v2->samples, HksvMp4Sample, 0).duration, ==, 120);
  g_assert_cmpuint (g_array_index (v2->samples, HksvMp4Sample, 1).dts, ==, 240);
  /* end_ns gives the last duration */
  g_assert_cmpuint (g_array_index (v2->samples, HksvMp4Sample, 2).duration, ==, 40);
  /* the audio track, with no samples, still has its traf (tfdt 0, no trun) */
  g_assert_cmpuint (p2->trafs->len, ==, 2);
  g_assert_cmpuint (((HksvMp4Traf *) g_ptr_array_index (p2->trafs, 1))->samples->len, ==, 0);
}

/* An audio fragment whose first frame comes later than the previous fragment's end (RTP
 * timestamps jitter): tfdt stays continuous, the frame gets no composition offset (audio has
 * none), its duration reaches the next frame's own time. */
static void
test_audio_gap_no_composition_offset (void)
{
  g_autoptr (HksvFmp4Writer) w = synth_writer (1000, 32000, 500 * MS);
  g_autoptr (GPtrArray) frags = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr (HksvMp4Checker) checker = NULL;
  g_autoptr (HksvMp4Fragment) p2 = NULL;
  const HksvMp4Traf *a2;
  GError *error = NULL;
  const gint64 frame = 32 * MS; /* 1024 samples at 32 kHz */
  gint64 t0 = 7000 * MS;

  for (guint f = 0; f < 2; f++) {
    /* fragment 2's audio starts 5 ms after fragment 1's last frame ended */
    gint64 a0 = t0 + f * (4000 * MS + 5 * MS);
    for (guint i = 0; i < 100; i++) {
      g_autoptr (GBytes) au = fake_au (i ? 1 : 5, 200, i);
      HksvSample s
          = { t0 + (f * 100 + i) * 40 * MS, t0 + (f * 100 + i) * 40 * MS, 40 * MS, i == 0, au };
      g_assert_true (hksv_fmp4_writer_add_sample (w, 0, &s, &error));
    }
    for (guint i = 0; i < 125; i++) {
      g_autoptr (GBytes) aac = fake_aac (200, i);
      HksvSample s = { a0 + i * frame, a0 + i * frame, (guint64) frame, TRUE, aac };
      g_assert_true (hksv_fmp4_writer_add_sample (w, 1, &s, &error));
    }
    g_assert_no_error (error);
    g_ptr_array_add (frags, hksv_fmp4_writer_finish_fragment (w, t0 + (f + 1) * 4000 * MS));
  }
  p2 = parse_ours (w, g_ptr_array_index (frags, 1));
  a2 = g_ptr_array_index (p2->trafs, 1);
  g_assert_cmpuint (a2->tfdt, ==, 125 * 1024); /* fragment 1's 125 frames (32 kHz ticks) */
  for (guint r = 0; r < a2->trun_flags->len; r++)
    g_assert_cmphex (g_array_index (a2->trun_flags, guint32, r) & 0x800, ==, 0);
  for (guint i = 0; i < a2->samples->len; i++)
    g_assert_cmpint (g_array_index (a2->samples, HksvMp4Sample, i).cts, ==, 0);
  /* from 4000 ms to the second frame's own time, 4005 + 32 ms: 1024 + 5 ms of ticks */
  g_assert_cmpuint (g_array_index (a2->samples, HksvMp4Sample, 0).duration, ==, 1024 + 160);
  checker = check_recording (w, frags, 4000);
  assert_checker_clean (checker);
}

/* Several sync samples in one run use per-sample flags; a fragment may start with a non-sync
 * sample after the first (the checker, not the writer, reports it). */
static void
test_sample_flags (void)
{
  g_autoptr (HksvFmp4Writer) w = synth_writer (90000, 32000, 0);
  GError *error = NULL;
  g_autoptr (GBytes) f1 = NULL, f2 = NULL;
  g_autoptr (HksvMp4Fragment) p1 = NULL, p2 = NULL;
  const HksvMp4Traf *v;
  static const gboolean sync1[] = { TRUE, FALSE, TRUE, FALSE };

  for (guint i = 0; i < G_N_ELEMENTS (sync1); i++) {
    g_autoptr (GBytes) au = fake_au (sync1[i] ? 5 : 1, 100, i);
    HksvSample s = { i * 40 * MS, i * 40 * MS, 40 * MS, sync1[i], au };
    g_assert_true (hksv_fmp4_writer_add_sample (w, 0, &s, &error));
  }
  f1 = hksv_fmp4_writer_finish_fragment (w, -1);
  for (guint i = 4; i < 6; i++) {
    g_autoptr (GBytes) au = fake_au (1, 100, i);
    HksvSample s = { i * 40 * MS, i * 40 * MS, 40 * MS, FALSE, au };
    g_assert_true (hksv_fmp4_writer_add_sample (w, 0, &s, &error));
  }
  f2 = hksv_fmp4_writer_finish_fragment (w, -1);
  g_assert_no_error (error);
  p1 = parse_ours (w, f1);
  v = g_ptr_array_index (p1->trafs, 0);
  g_assert_cmphex (g_array_index (v->trun_flags, guint32, 0), ==, 0x701);
  for (guint i = 0; i < G_N_ELEMENTS (sync1); i++)
    g_assert_cmphex (g_array_index (v->samples, HksvMp4Sample, i).flags, ==,
        sync1[i] ? 0x02000000u : 0x01010000u);
  p2 = parse_ours (w, f2);
  v = g_ptr_array_index (p2->trafs, 0);
  g_assert_cmphex (g_array_index (v->trun_flags, guint32, 0), ==, 0x301);
  g_assert_cmphex (g_array_index (v->samples, HksvMp4Sample, 0).flags, ==, 0x01010000u);
}

/* ---- 5: invalid input ---- */

typedef enum {
  CD_AVCC,
  CD_HVCC,
  CD_ASC_LC,
  CD_NONE,
  CD_EMPTY,
  CD_HEX,
} CodecDataKind;

typedef struct {
  const gchar *name;
  guint n_tracks;
  struct {
    HksvCodec codec;
    CodecDataKind cd;
    const gchar *hex;
    guint width, height, rate, channels;
  } t[3];
  gint code;
} TrackCase;

/* A minimal valid hvcC: version 1, lengthSizeMinusOne 3, VPS, SPS, PPS arrays. */
#define HVCC_OK                                                                                   \
  "01 01 60000000 900000000000 5d f000 fc fd f8 f8 0000 0f 03 20 0001 0004 40010c01 21 0001 0004" \
  " 42010101 22 0001 0004 4401c172"

static const TrackCase track_cases[] = {
  { "no tracks", 0, { { 0 } }, HKSV_FMP4_ERROR_INVALID_TRACK },
  { "three tracks", 3,
      { { HKSV_CODEC_H264, CD_AVCC, NULL, 1920, 1080 },
          { HKSV_CODEC_AAC_LC, CD_ASC_LC, NULL, 0, 0, 32000, 1 },
          { HKSV_CODEC_AAC_LC, CD_ASC_LC, NULL, 0, 0, 32000, 1 } },
      HKSV_FMP4_ERROR_INVALID_TRACK },
  { "audio before video", 2,
      { { HKSV_CODEC_AAC_LC, CD_ASC_LC, NULL, 0, 0, 32000, 1 },
          { HKSV_CODEC_H264, CD_AVCC, NULL, 1920, 1080 } },
      HKSV_FMP4_ERROR_INVALID_TRACK },
  { "two video tracks", 2,
      { { HKSV_CODEC_H264, CD_AVCC, NULL, 1920, 1080 },
          { HKSV_CODEC_H264, CD_AVCC, NULL, 1920, 1080 } },
      HKSV_FMP4_ERROR_INVALID_TRACK },
  { "two audio tracks", 2,
      { { HKSV_CODEC_AAC_LC, CD_ASC_LC, NULL, 0, 0, 32000, 1 },
          { HKSV_CODEC_AAC_LC, CD_ASC_LC, NULL, 0, 0, 32000, 1 } },
      HKSV_FMP4_ERROR_INVALID_TRACK },
  { "unknown codec", 1, { { (HksvCodec) 9, CD_AVCC, NULL, 1920, 1080 } },
      HKSV_FMP4_ERROR_INVALID_TRACK },
  { "width 0", 1, { { HKSV_CODEC_H264, CD_AVCC, NULL, 0, 1080 } }, HKSV_FMP4_ERROR_INVALID_TRACK },
  { "height 70000", 1, { { HKSV_CODEC_H264, CD_AVCC, NULL, 1920, 70000 } },
      HKSV_FMP4_ERROR_INVALID_TRACK },
  { "sample rate 0", 1, { { HKSV_CODEC_AAC_LC, CD_ASC_LC, NULL, 0, 0, 0, 1 } },
      HKSV_FMP4_ERROR_INVALID_TRACK },
  { "0 channels", 1, { { HKSV_CODEC_AAC_LC, CD_ASC_LC, NULL, 0, 0, 32000, 0 } },
      HKSV_FMP4_ERROR_INVALID_TRACK },
  { "no codec_data", 1, { { HKSV_CODEC_H264, CD_NONE, NULL, 1920, 1080 } },
      HKSV_FMP4_ERROR_INVALID_CODEC_DATA },
  { "empty codec_data", 1, { { HKSV_CODEC_H264, CD_EMPTY, NULL, 1920, 1080 } },
      HKSV_FMP4_ERROR_INVALID_CODEC_DATA },
  { "avcC version 0", 1,
      { { HKSV_CODEC_H264, CD_HEX, "00 4d0029 ff e1 0004 674d0029 01 0004 68ee3c80", 1920, 1080 } },
      HKSV_FMP4_ERROR_INVALID_CODEC_DATA },
  { "avcC truncated", 1, { { HKSV_CODEC_H264, CD_HEX, "01 4d0029 ff", 1920, 1080 } },
      HKSV_FMP4_ERROR_INVALID_CODEC_DATA },
  { "avcC without SPS", 1,
      { { HKSV_CODEC_H264, CD_HEX, "01 4d0029 ff e0 01 0004 68ee3c80", 1920, 1080 } },
      HKSV_FMP4_ERROR_INVALID_CODEC_DATA },
  { "avcC without PPS", 1,
      { { HKSV_CODEC_H264, CD_HEX, "01 4d0029 ff e1 0004 674d0029 00", 1920, 1080 } },
      HKSV_FMP4_ERROR_INVALID_CODEC_DATA },
  { "avcC SPS length past the end", 1,
      { { HKSV_CODEC_H264, CD_HEX, "01 4d0029 ff e1 0040 674d0029 01 0004 68ee3c80", 1920, 1080 } },
      HKSV_FMP4_ERROR_INVALID_CODEC_DATA },
  { "avcC NAL length size 3", 1,
      { { HKSV_CODEC_H264, CD_HEX, "01 4d0029 fe e1 0004 674d0029 01 0004 68ee3c80", 1920, 1080 } },
      HKSV_FMP4_ERROR_INVALID_CODEC_DATA },
  { "avcC with a PPS in the SPS list", 1,
      { { HKSV_CODEC_H264, CD_HEX, "01 4d0029 ff e1 0004 68ee3c80 01 0004 68ee3c80", 1920, 1080 } },
      HKSV_FMP4_ERROR_INVALID_CODEC_DATA },
  { "Annex B start codes instead of avcC", 1,
      { { HKSV_CODEC_H264, CD_HEX, "00000001 674d0029 00000001 68ee3c80", 1920, 1080 } },
      HKSV_FMP4_ERROR_INVALID_CODEC_DATA },
  { "hvcC without VPS (hev1-style)", 1,
      { { HKSV_CODEC_H265, CD_HEX,
          "01 01 60000000 900000000000 5d f000 fc fd f8 f8 0000 0f 02 21 0001 0004 42010101 22 "
          "0001 0004 4401c172",
          1920, 1080 } },
      HKSV_FMP4_ERROR_INVALID_CODEC_DATA },
  { "hvcC truncated array", 1,
      { { HKSV_CODEC_H265, CD_HEX,
          "01 01 60000000 900000000000 5d f000 fc fd f8 f8 0000 0f 03 20 0001 0010 40010c01", 1920,
          1080 } },
      HKSV_FMP4_ERROR_INVALID_CODEC_DATA },
  { "hvcC given as avcC", 1, { { HKSV_CODEC_H265, CD_AVCC, NULL, 1920, 1080 } },
      HKSV_FMP4_ERROR_INVALID_CODEC_DATA },
  { "AAC-LC track with an ELD config", 1,
      { { HKSV_CODEC_AAC_LC, CD_HEX, "f8ea2000", 0, 0, 32000, 1 } },
      HKSV_FMP4_ERROR_INVALID_CODEC_DATA },
  { "AAC-ELD track with an LC config", 1,
      { { HKSV_CODEC_AAC_ELD, CD_HEX, "1288", 0, 0, 32000, 1 } },
      HKSV_FMP4_ERROR_INVALID_CODEC_DATA },
  { "HE-AAC config", 1, { { HKSV_CODEC_AAC_LC, CD_HEX, "2b8a0800", 0, 0, 32000, 1 } },
      HKSV_FMP4_ERROR_INVALID_CODEC_DATA },
  { "config rate differs from the track", 1,
      { { HKSV_CODEC_AAC_LC, CD_HEX, "1188", 0, 0, 32000, 1 } },
      HKSV_FMP4_ERROR_INVALID_CODEC_DATA },
  { "config channels differ from the track", 1,
      { { HKSV_CODEC_AAC_LC, CD_HEX, "1290", 0, 0, 32000, 1 } },
      HKSV_FMP4_ERROR_INVALID_CODEC_DATA },
  { "reserved sampling index", 1, { { HKSV_CODEC_AAC_LC, CD_HEX, "1688", 0, 0, 32000, 1 } },
      HKSV_FMP4_ERROR_INVALID_CODEC_DATA },
  { "one-byte config", 1, { { HKSV_CODEC_AAC_LC, CD_HEX, "12", 0, 0, 32000, 1 } },
      HKSV_FMP4_ERROR_INVALID_CODEC_DATA },
};

static void
test_invalid_tracks (void)
{
  g_autoptr (GBytes) init = load_reference ("mediaInitialization.mp4");
  g_autoptr (GBytes) avcc = reference_avcc (init);
  g_autoptr (GBytes) asc = asc_for (32000);
  g_autoptr (GBytes) empty = g_bytes_new (NULL, 0);

  for (guint c = 0; c < G_N_ELEMENTS (track_cases); c++) {
    const TrackCase *tc = &track_cases[c];
    HksvTrackInfo tracks[3] = { { 0 } };
    GBytes *own[3] = { NULL, NULL, NULL };
    GError *error = NULL;
    HksvFmp4Writer *w;

    g_test_message ("%s", tc->name);
    for (guint i = 0; i < tc->n_tracks; i++) {
      tracks[i].codec = tc->t[i].codec;
      tracks[i].width = tc->t[i].width;
      tracks[i].height = tc->t[i].height;
      tracks[i].sample_rate = tc->t[i].rate;
      tracks[i].channels = tc->t[i].channels;
      switch (tc->t[i].cd) {
        case CD_AVCC:
          tracks[i].codec_data = avcc;
          break;
        case CD_ASC_LC:
          tracks[i].codec_data = asc;
          break;
        case CD_EMPTY:
          tracks[i].codec_data = empty;
          break;
        case CD_HEX:
          own[i] = hap_test_hex (tc->t[i].hex);
          tracks[i].codec_data = own[i];
          break;
        default:
          break;
      }
    }
    w = hksv_fmp4_writer_new (tracks, tc->n_tracks, NULL, &error);
    g_assert_null (w);
    g_assert_error (error, HKSV_FMP4_ERROR, tc->code);
    g_test_message ("  -> %s", error->message);
    g_clear_error (&error);
    for (guint i = 0; i < 3; i++)
      g_clear_pointer (&own[i], g_bytes_unref);
  }
  /* and the valid minimal hvcC of the table's header is accepted */
  {
    g_autoptr (GBytes) hvcc = hap_test_hex (HVCC_OK);
    HksvTrackInfo t = { HKSV_CODEC_H265, hvcc, 640, 480, 0, 0, 0, 0 };
    GError *error = NULL;
    g_autoptr (HksvFmp4Writer) w = hksv_fmp4_writer_new (&t, 1, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (hksv_fmp4_writer_timescale (w, 0), ==, 90000);
  }
}

typedef struct {
  guint track;
  gint64 dts, pts;
  gboolean sync;
  guint size; /* 0: empty sample; G_MAXUINT: NULL data */
  gboolean ok;
  guint64 duration;
} SampleStep;

typedef struct {
  const gchar *name;
  SampleStep steps[4];
  guint n_steps;
} SampleCase;

static const SampleCase sample_cases[] = {
  { "first video sample not sync", { { 0, 0, 0, FALSE, 100, FALSE } }, 1 },
  { "empty sample", { { 0, 0, 0, TRUE, 0, FALSE } }, 1 },
  { "no data", { { 0, 0, 0, TRUE, G_MAXUINT, FALSE } }, 1 },
  { "DTS going backwards",
      { { 0, 40 * MS, 40 * MS, TRUE, 100, TRUE }, { 0, 0, 0, FALSE, 100, FALSE } }, 2 },
  { "DTS repeated",
      { { 0, 40 * MS, 40 * MS, TRUE, 100, TRUE }, { 0, 40 * MS, 80 * MS, FALSE, 100, FALSE } }, 2 },
  { "audio DTS going backwards",
      { { 1, 64 * MS, 64 * MS, TRUE, 100, TRUE }, { 1, 32 * MS, 32 * MS, TRUE, 100, FALSE } }, 2 },
  { "video PTS before its DTS", { { 0, 40 * MS, 0, TRUE, 100, FALSE } }, 1 },
  { "video PTS before the track's first DTS",
      { { 0, 40 * MS, 40 * MS, TRUE, 100, TRUE }, { 0, 80 * MS, 20 * MS, FALSE, 100, FALSE } }, 2 },
  { "video PTS over an hour after its DTS", { { 0, 0, 3601000 * MS, TRUE, 100, FALSE } }, 1 },
  { "DTS over 100 hours after the first",
      { { 0, 0, 0, TRUE, 100, TRUE }, { 0, 361000000 * MS, 361000000 * MS, FALSE, 100, FALSE } },
      2 },
  { "duration over an hour", { { 1, 0, 0, TRUE, 100, FALSE, 3601000 * (guint64) MS } }, 1 },
  { "extreme timestamps do not overflow",
      { { 0, G_MININT64 + 1, G_MININT64 + 1, TRUE, 100, TRUE },
          { 0, G_MAXINT64, G_MAXINT64, FALSE, 100, FALSE } },
      2 },
  { "a rejected sample leaves the queue as it was",
      { { 0, 40 * MS, 40 * MS, TRUE, 100, TRUE }, { 0, 30 * MS, 30 * MS, FALSE, 100, FALSE },
          { 0, 80 * MS, 80 * MS, FALSE, 100, TRUE } },
      3 },
};

static void
test_invalid_samples (void)
{
  for (guint c = 0; c < G_N_ELEMENTS (sample_cases); c++) {
    const SampleCase *sc = &sample_cases[c];
    g_autoptr (HksvFmp4Writer) w = synth_writer (90000, 32000, 0);
    guint queued[2] = { 0, 0 };

    g_test_message ("%s", sc->name);
    for (guint i = 0; i < sc->n_steps; i++) {
      const SampleStep *st = &sc->steps[i];
      g_autoptr (GBytes) data = NULL;
      HksvSample s = { st->dts, st->pts, st->duration, st->sync, NULL };
      GError *error = NULL;
      gboolean ok;

      if (st->size != G_MAXUINT)
        data = st->size ? fake_au (st->sync ? 5 : 1, st->size, i) : g_bytes_new (NULL, 0);
      s.data = data;
      ok = hksv_fmp4_writer_add_sample (w, st->track, &s, &error);
      g_assert_cmpint (ok, ==, st->ok);
      if (ok) {
        g_assert_no_error (error);
        queued[st->track]++;
      } else {
        g_assert_error (error, HKSV_FMP4_ERROR, HKSV_FMP4_ERROR_INVALID_SAMPLE);
        g_test_message ("  -> %s", error->message);
        g_clear_error (&error);
      }
      g_assert_cmpuint (hksv_fmp4_writer_queued (w, 0), ==, queued[0]);
      g_assert_cmpuint (hksv_fmp4_writer_queued (w, 1), ==, queued[1]);
    }
  }
}

/* ---- 2-4: real encoders, demuxed and decoded by GStreamer and ffprobe ---- */

typedef struct {
  GArray *samples; /* HksvSample (data owned) */
  GBytes *codec_data;
  guint width, height, rate, channels;
} Stream;

static void
sample_clear (gpointer p)
{
  HksvSample *s = p;
  g_clear_pointer (&s->data, g_bytes_unref);
}

static void
stream_init (Stream *s)
{
  memset (s, 0, sizeof *s);
  s->samples = g_array_new (FALSE, TRUE, sizeof (HksvSample));
  g_array_set_clear_func (s->samples, sample_clear);
}

static void
stream_clear (Stream *s)
{
  g_array_unref (s->samples);
  g_clear_pointer (&s->codec_data, g_bytes_unref);
}

static gint64
running_time (const GstSegment *segment, GstClockTime t)
{
  guint64 rt = 0;
  gint sign = gst_segment_to_running_time_full (segment, GST_FORMAT_TIME, t, &rt);
  g_assert_cmpint (sign, !=, 0);
  return sign > 0 ? (gint64) rt : -(gint64) rt;
}

static void
pull_all (GstElement *sink, Stream *out, gboolean video)
{
  GstSample *smp;

  while ((smp = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), 30 * GST_SECOND))) {
    GstBuffer *buf = gst_sample_get_buffer (smp);
    HksvSample s = { 0 };
    GstMapInfo map;

    if (!out->codec_data) {
      GstStructure *st = gst_caps_get_structure (gst_sample_get_caps (smp), 0);
      const GValue *cd = gst_structure_get_value (st, "codec_data");
      GstBuffer *cdb;
      gint a = 0, b = 0;
      g_assert_nonnull (cd);
      cdb = gst_value_get_buffer (cd);
      gst_buffer_map (cdb, &map, GST_MAP_READ);
      out->codec_data = g_bytes_new (map.data, map.size);
      gst_buffer_unmap (cdb, &map);
      if (video) {
        gst_structure_get_int (st, "width", &a);
        gst_structure_get_int (st, "height", &b);
        out->width = (guint) a;
        out->height = (guint) b;
      } else {
        gst_structure_get_int (st, "rate", &a);
        gst_structure_get_int (st, "channels", &b);
        out->rate = (guint) a;
        out->channels = (guint) b;
      }
    }
    /* running time, as hksvsink sees it (x264enc/x265enc put DTS before the segment start) */
    s.pts = running_time (gst_sample_get_segment (smp), GST_BUFFER_PTS (buf));
    s.dts = GST_BUFFER_DTS_IS_VALID (buf)
                ? running_time (gst_sample_get_segment (smp), GST_BUFFER_DTS (buf))
                : s.pts;
    s.duration = GST_BUFFER_DURATION_IS_VALID (buf) ? GST_BUFFER_DURATION (buf) : 0;
    s.sync = !GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_DELTA_UNIT);
    gst_buffer_map (buf, &map, GST_MAP_READ);
    s.data = g_bytes_new (map.data, map.size);
    gst_buffer_unmap (buf, &map);
    g_array_append_val (out->samples, s);
    gst_sample_unref (smp);
  }
}

/* Runs `desc` (with appsinks named v and, optionally, a) to EOS and collects their buffers. */
static void
encode (const gchar *desc, Stream *video, Stream *audio)
{
  GError *error = NULL;
  GstElement *pipe = gst_parse_launch (desc, &error);
  GstElement *v, *a;
  GstBus *bus;
  GstMessage *msg;

  g_assert_no_error (error);
  v = gst_bin_get_by_name (GST_BIN (pipe), "v");
  a = gst_bin_get_by_name (GST_BIN (pipe), "a");
  g_assert_cmpint (gst_element_set_state (pipe, GST_STATE_PLAYING), !=, GST_STATE_CHANGE_FAILURE);
  pull_all (v, video, TRUE);
  if (a)
    pull_all (a, audio, FALSE);
  bus = gst_element_get_bus (pipe);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  if (msg) {
    GError *e = NULL;
    gst_message_parse_error (msg, &e, NULL);
    g_error ("encoding pipeline failed: %s", e->message);
  }
  gst_object_unref (bus);
  gst_element_set_state (pipe, GST_STATE_NULL);
  gst_object_unref (v);
  if (a)
    gst_object_unref (a);
  gst_object_unref (pipe);
  g_assert_cmpuint (video->samples->len, >, 0);
}

/* Cuts at every video sync sample; the audio before the next cut goes with each fragment.
 * Returns the whole file (init + fragments) and the number of fragments. */
static GBytes *
mux (HksvCodec vcodec, Stream *video, Stream *audio, guint *n_fragments)
{
  HksvTrackInfo tracks[2] = {
    { vcodec, video->codec_data, video->width, video->height, 0, 0, 0, 0 },
    { HKSV_CODEC_AAC_LC, audio ? audio->codec_data : NULL, 0, 0, audio ? audio->rate : 0,
        audio ? audio->channels : 0, 0, 64000 },
  };
  HksvFmp4Options options = { 500 * MS };
  GError *error = NULL;
  g_autoptr (HksvFmp4Writer) w
      = hksv_fmp4_writer_new (tracks, audio && audio->samples->len ? 2 : 1, &options, &error);
  GByteArray *file = g_byte_array_new ();
  g_autoptr (GBytes) init = NULL;
  guint a = 0;
  gsize len;
  const guint8 *d;

  g_assert_no_error (error);
  g_assert_nonnull (w);
  *n_fragments = 0;
  init = hksv_fmp4_writer_init_segment (w);
  d = g_bytes_get_data (init, &len);
  g_byte_array_append (file, d, len);
  for (guint i = 0; i < video->samples->len; i++) {
    HksvSample *s = &g_array_index (video->samples, HksvSample, i);
    HksvSample *next = NULL;
    guint j;

    g_assert_true (hksv_fmp4_writer_add_sample (w, 0, s, &error));
    g_assert_no_error (error);
    for (j = i + 1; j < video->samples->len; j++) {
      if (g_array_index (video->samples, HksvSample, j).sync) {
        next = &g_array_index (video->samples, HksvSample, j);
        break;
      }
    }
    if (i + 1 < video->samples->len && !g_array_index (video->samples, HksvSample, i + 1).sync)
      continue;
    /* fragment ends before sample i + 1 */
    while (audio && a < audio->samples->len
           && (!next || i + 1 == video->samples->len
               || g_array_index (audio->samples, HksvSample, a).dts
                      < g_array_index (video->samples, HksvSample, i + 1).dts)) {
      g_assert_true (hksv_fmp4_writer_add_sample (
          w, 1, &g_array_index (audio->samples, HksvSample, a), &error));
      g_assert_no_error (error);
      a++;
    }
    {
      g_autoptr (GBytes) frag = hksv_fmp4_writer_finish_fragment (w,
          i + 1 < video->samples->len ? g_array_index (video->samples, HksvSample, i + 1).dts : -1);
      g_assert_nonnull (frag);
      d = g_bytes_get_data (frag, &len);
      g_byte_array_append (file, d, len);
      (*n_fragments)++;
    }
  }
  return g_byte_array_free_to_bytes (file);
}

static gchar *
write_temp (GBytes *file, gchar **dir_out)
{
  GError *error = NULL;
  gchar *dir = g_dir_make_tmp ("fmp4-writer-XXXXXX", &error);
  gchar *path;
  gsize len;
  const guint8 *d = g_bytes_get_data (file, &len);

  g_assert_no_error (error);
  path = g_build_filename (dir, "recording.mp4", NULL);
  g_assert_true (g_file_set_contents (path, (const gchar *) d, (gssize) len, &error));
  g_assert_no_error (error);
  *dir_out = dir;
  return path;
}

typedef struct {
  guint frames;
  GstClockTime last_pts;
  gboolean ordered;
} DecodeCount;

static void
on_handoff (GstElement *sink, GstBuffer *buf, GstPad *pad, gpointer user_data)
{
  DecodeCount *c = user_data;
  if (c->frames > 0 && GST_BUFFER_PTS (buf) <= c->last_pts)
    c->ordered = FALSE;
  c->last_pts = GST_BUFFER_PTS (buf);
  c->frames++;
}

/* qtdemux with every frame decoded; counts decoded video frames and audio buffers. */
static void
decode_with_gstreamer (
    const gchar *path, const gchar *vdec, gboolean audio, DecodeCount *vc, DecodeCount *ac)
{
  g_autofree gchar *desc = g_strdup_printf (
      "filesrc location=\"%s\" ! qtdemux name=d d.video_0 ! queue ! %s ! fakesink name=vs "
      "signal-handoffs=true sync=false %s",
      path, vdec,
      audio ? "d.audio_0 ! queue ! avdec_aac ! fakesink name=as signal-handoffs=true sync=false"
            : "");
  GError *error = NULL;
  GstElement *pipe = gst_parse_launch (desc, &error);
  GstElement *vs, *as;
  GstBus *bus;
  GstMessage *msg;

  g_assert_no_error (error);
  memset (vc, 0, sizeof *vc);
  memset (ac, 0, sizeof *ac);
  vc->ordered = ac->ordered = TRUE;
  vs = gst_bin_get_by_name (GST_BIN (pipe), "vs");
  g_signal_connect (vs, "handoff", G_CALLBACK (on_handoff), vc);
  as = gst_bin_get_by_name (GST_BIN (pipe), "as");
  if (as)
    g_signal_connect (as, "handoff", G_CALLBACK (on_handoff), ac);
  bus = gst_element_get_bus (pipe);
  gst_element_set_state (pipe, GST_STATE_PLAYING);
  msg = gst_bus_timed_pop_filtered (
      bus, 60 * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR | GST_MESSAGE_WARNING);
  g_assert_nonnull (msg);
  if (GST_MESSAGE_TYPE (msg) != GST_MESSAGE_EOS) {
    GError *e = NULL;
    gchar *dbg = NULL;
    if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR)
      gst_message_parse_error (msg, &e, &dbg);
    else
      gst_message_parse_warning (msg, &e, &dbg);
    g_error ("decoding %s: %s (%s)", path, e->message, dbg);
  }
  gst_message_unref (msg);
  gst_element_set_state (pipe, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (vs);
  if (as)
    gst_object_unref (as);
  gst_object_unref (pipe);
}

/* ffprobe -count_frames: codec, size and decoded frame count of each stream. */
static JsonArray *
ffprobe_streams (const gchar *path, JsonParser *parser)
{
  gchar *argv[] = { "ffprobe", "-v", "error", "-count_frames", "-show_entries",
    "stream=codec_type,codec_name,width,height,nb_read_frames,nb_frames,duration,sample_rate",
    "-of", "json", (gchar *) path, NULL };
  g_autofree gchar *out = NULL, *err = NULL;
  GError *error = NULL;
  gint status;

  g_assert_true (g_spawn_sync (
      NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL) || (err && *err))
    g_error ("ffprobe %s: %s", path, err);
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  g_assert_no_error (error);
  return json_object_get_array_member (
      json_node_get_object (json_parser_get_root (parser)), "streams");
}

static gboolean
file_has_composition_offsets (GBytes *file)
{
  gsize len;
  const guint8 *d = g_bytes_get_data (file, &len);
  HksvMp4Init init;
  HksvBoxIter it;
  HksvBox box;
  GError *error = NULL;
  gboolean cts = FALSE;
  gsize start = 0;

  hksv_box_iter_init (&it, d, len);
  while (hksv_box_iter_next (&it, &box, NULL) == HKSV_BOX_OK) {
    if (box.type == HKSV_FOURCC ('f', 't', 'y', 'p')
        || box.type == HKSV_FOURCC ('m', 'o', 'o', 'v')) {
      if (box.type == HKSV_FOURCC ('m', 'o', 'o', 'v')) {
        g_assert_true (hksv_mp4_init_parse (d, box.offset + box.size, &init, &error));
        g_assert_no_error (error);
      }
      continue;
    }
    if (box.type == HKSV_FOURCC ('m', 'o', 'o', 'f'))
      start = box.offset;
    if (box.type == HKSV_FOURCC ('m', 'd', 'a', 't')) {
      g_autoptr (HksvMp4Fragment) f
          = hksv_mp4_fragment_parse (&init, d + start, box.offset + box.size - start, &error);
      const HksvMp4Traf *v;
      g_assert_no_error (error);
      v = g_ptr_array_index (f->trafs, 0);
      for (guint r = 0; r < v->trun_flags->len; r++)
        cts |= (g_array_index (v->trun_flags, guint32, r) & 0x800) != 0;
    }
  }
  return cts;
}

typedef struct {
  const gchar *name;
  const gchar *pipeline;
  HksvCodec codec;
  const gchar *decoder;
  const gchar *ffprobe_codec;
  gboolean bframes;
} EncoderCase;

#define VIDEO_SRC                               \
  "videotestsrc num-buffers=75 pattern=ball ! " \
  "video/x-raw,format=I420,width=320,height=240,framerate=25/1 ! "
#define AUDIO_BRANCH                                                         \
  " audiotestsrc num-buffers=94 samplesperbuffer=1024 wave=sine ! "          \
  "audio/x-raw,rate=32000,channels=1 ! voaacenc bitrate=64000 ! aacparse ! " \
  "audio/mpeg,stream-format=raw ! appsink name=a sync=false"

static const EncoderCase encoder_cases[] = {
  { "H.264 from x264enc, AAC from voaacenc",
      VIDEO_SRC
      "x264enc key-int-max=25 threads=1 bframes=0 speed-preset=veryfast ! h264parse ! "
      "video/x-h264,stream-format=avc,alignment=au ! appsink name=v sync=false" AUDIO_BRANCH,
      HKSV_CODEC_H264, "avdec_h264", "h264", FALSE },
  { "H.264 with B-frames (composition offsets)",
      VIDEO_SRC "x264enc key-int-max=25 threads=1 bframes=2 b-adapt=false speed-preset=veryfast ! "
                "h264parse ! video/x-h264,stream-format=avc,alignment=au ! appsink name=v "
                "sync=false" AUDIO_BRANCH,
      HKSV_CODEC_H264, "avdec_h264", "h264", TRUE },
  { "H.265 from x265enc",
      VIDEO_SRC
      "x265enc key-int-max=25 speed-preset=veryfast option-string=\"open-gop=0:bframes=0\" ! "
      "h265parse ! video/x-h265,stream-format=hvc1,alignment=au ! appsink name=v "
      "sync=false" AUDIO_BRANCH,
      HKSV_CODEC_H265, "avdec_h265", "hevc", FALSE },
};

static void
test_real_encoders (void)
{
  for (guint c = 0; c < G_N_ELEMENTS (encoder_cases); c++) {
    const EncoderCase *ec = &encoder_cases[c];
    Stream video, audio;
    g_autoptr (GBytes) file = NULL;
    g_autofree gchar *path = NULL, *dir = NULL;
    g_autoptr (HksvMp4Checker) checker = NULL;
    g_autoptr (JsonParser) parser = json_parser_new ();
    HksvMp4CheckOptions opt = { 1000, HKSV_MP4_AUDIO_YES, 0, 0, FALSE };
    DecodeCount vc, ac;
    JsonArray *streams;
    guint n_fragments, cts_samples = 0;
    gsize len;
    const guint8 *d;

    g_test_message ("%s", ec->name);
    stream_init (&video);
    stream_init (&audio);
    encode (ec->pipeline, &video, &audio);
    for (guint i = 0; i < video.samples->len; i++) {
      HksvSample *s = &g_array_index (video.samples, HksvSample, i);
      cts_samples += s->pts != s->dts;
    }
    /* x264/x265 in GStreamer set DTS behind PTS when reordering */
    if (ec->bframes)
      g_assert_cmpuint (cts_samples, >, 0);
    file = mux (ec->codec, &video, &audio, &n_fragments);
    g_assert_cmpuint (n_fragments, ==, 3);
    path = write_temp (file, &dir);

    /* the conformance checker, every rule */
    checker = hksv_mp4_checker_new (&opt);
    d = g_bytes_get_data (file, &len);
    hksv_mp4_checker_add_recording (checker, d, len);
    hksv_mp4_checker_finish (checker);
    assert_checker_clean (checker);
    g_assert_cmpuint (
        hksv_mp4_checker_summary (checker)->tracks[0].samples, ==, video.samples->len);

    /* with B-frames, the video truns carry composition offsets (0x800), without none */
    g_assert_cmpint (file_has_composition_offsets (file), ==, ec->bframes);

    /* GStreamer: every frame decoded, in presentation order */
    decode_with_gstreamer (path, ec->decoder, TRUE, &vc, &ac);
    g_assert_cmpuint (vc.frames, ==, video.samples->len);
    g_assert_true (vc.ordered);
    g_assert_cmpuint (ac.frames, >, 0);

    /* ffprobe */
    streams = ffprobe_streams (path, parser);
    g_assert_cmpuint (json_array_get_length (streams), ==, 2);
    for (guint i = 0; i < 2; i++) {
      JsonObject *o = json_array_get_object_element (streams, i);
      const gchar *type = json_object_get_string_member (o, "codec_type");
      guint64 frames
          = g_ascii_strtoull (json_object_get_string_member (o, "nb_read_frames"), NULL, 10);
      gdouble duration = g_ascii_strtod (json_object_get_string_member (o, "duration"), NULL);
      if (g_str_equal (type, "video")) {
        g_assert_cmpstr (json_object_get_string_member (o, "codec_name"), ==, ec->ffprobe_codec);
        g_assert_cmpint (json_object_get_int_member (o, "width"), ==, 320);
        g_assert_cmpint (json_object_get_int_member (o, "height"), ==, 240);
        g_assert_cmpuint (frames, ==, video.samples->len);
        g_assert_cmpfloat_with_epsilon (duration, 3.0, 0.05);
      } else {
        g_assert_cmpstr (type, ==, "audio");
        g_assert_cmpstr (json_object_get_string_member (o, "codec_name"), ==, "aac");
        g_assert_cmpuint (frames, ==, audio.samples->len);
        g_assert_cmpstr (json_object_get_string_member (o, "sample_rate"), ==, "32000");
      }
    }
    g_unlink (path);
    g_rmdir (dir);
    stream_clear (&video);
    stream_clear (&audio);
  }
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/fmp4-writer/remux-reference", test_remux_reference);
  g_test_add_func ("/fmp4-writer/rebase-and-continuity", test_rebase_and_continuity);
  g_test_add_func ("/fmp4-writer/estimated-duration-absorbed", test_estimated_duration_absorbed);
  g_test_add_func (
      "/fmp4-writer/audio-gap-no-composition-offset", test_audio_gap_no_composition_offset);
  g_test_add_func ("/fmp4-writer/sample-flags", test_sample_flags);
  g_test_add_func ("/fmp4-writer/invalid-tracks", test_invalid_tracks);
  g_test_add_func ("/fmp4-writer/invalid-samples", test_invalid_samples);
  g_test_add_func ("/fmp4-writer/real-encoders", test_real_encoders);
  return g_test_run ();
}
