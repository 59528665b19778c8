/* libFuzzer target for gst/mp4-check.c, gst/mp4-box-reader.c and gst/mp4-codec.c.
 *
 * The input goes through the checker as one whole recording, and as an init segment plus one
 * fragment (split at its first top-level moof, file input), with every option set; then through
 * the parse-only API (init, fragment: every sample is checked to lie inside the input or be
 * flagged by the checker) and the codec configuration parsers. Every violation must name a rule
 * of the table and carry a message. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gst/mp4-box-reader.h"
#include "gst/mp4-check.h"
#include "gst/mp4-codec.h"
#include "tests/fuzz/fuzz-target.h"

static void
check_violations (HksvMp4Checker *k)
{
  guint n_rules;
  const HksvMp4Rule *rules = hksv_mp4_check_rules (&n_rules);
  const HksvMp4Summary *s = hksv_mp4_checker_summary (k);

  for (guint i = 0; i < hksv_mp4_checker_n_violations (k); i++) {
    const HksvMp4Violation *v = hksv_mp4_checker_violation (k, i);
    gboolean known = FALSE;
    for (guint r = 0; r < n_rules; r++)
      known |= v->rule == rules[r].id;
    CHECK (known);
    CHECK (v->message && v->message[0]);
  }
  CHECK (s->n_tracks <= HKSV_MP4_CHECK_MAX_TRACKS);
  CHECK (s->fragment_ms->len <= s->fragments);
}

static gsize
first_moof (const uint8_t *data, size_t size)
{
  HksvBoxIter it;
  HksvBox box;

  hksv_box_iter_init (&it, data, size);
  while (hksv_box_iter_next (&it, &box, NULL) == HKSV_BOX_OK) {
    if (box.type == HKSV_FOURCC ('m', 'o', 'o', 'f'))
      return box.offset;
  }
  return size;
}

static void
codec_parsers (const uint8_t *data, size_t size)
{
  HksvVideoConfig cfg;
  HksvSpsInfo sps;
  HksvAacConfig aac;
  HksvEsdsInfo esds;

  if (hksv_avcc_parse (data, size, &cfg, NULL) && cfg.sps) {
    CHECK (cfg.sps >= data && cfg.sps + cfg.sps_len <= data + size);
    hksv_h264_sps_parse (cfg.sps, cfg.sps_len, &sps, NULL);
  }
  if (hksv_hvcc_parse (data, size, &cfg, NULL) && cfg.sps)
    hksv_h265_sps_parse (cfg.sps, cfg.sps_len, &sps, NULL);
  hksv_h264_sps_parse (data, size, &sps, NULL);
  hksv_h265_sps_parse (data, size, &sps, NULL);
  hksv_aac_config_parse (data, size, &aac, NULL);
  if (hksv_esds_parse (data, size, &esds, NULL))
    CHECK (esds.dsi >= data && esds.dsi + esds.dsi_len <= data + size);
  for (guint ls = 1; ls <= 4; ls *= 2) {
    guint64 types;
    guint n;
    hksv_nal_split (data, size, ls, ls == 2, &types, &n, NULL);
  }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  HksvMp4CheckOptions opt = { 4000, HKSV_MP4_AUDIO_YES, 4000, 0, FALSE };
  HksvMp4Checker *k;
  HksvMp4Init init;
  gsize split = first_moof (data, size);

  k = hksv_mp4_checker_new (NULL);
  hksv_mp4_checker_add_recording (k, data, size);
  hksv_mp4_checker_finish (k);
  check_violations (k);
  hksv_mp4_checker_free (k);

  k = hksv_mp4_checker_new (&opt);
  hksv_mp4_checker_add_init (k, data, split);
  hksv_mp4_checker_add_fragment (k, data + split, size - split);
  hksv_mp4_checker_add_fragment (k, data + split, size - split);
  hksv_mp4_checker_finish (k);
  check_violations (k);
  hksv_mp4_checker_free (k);

  if (hksv_mp4_init_parse (data, split, &init, NULL)) {
    HksvMp4Fragment *f = hksv_mp4_fragment_parse (&init, data + split, size - split, NULL);
    CHECK (init.n_tracks <= HKSV_MP4_CHECK_MAX_TRACKS);
    if (f) {
      guint total = 0;
      CHECK (f->moof_offset + f->moof_size <= size - split);
      CHECK (f->mdat_offset + f->mdat_size <= size - split);
      CHECK (f->trafs->len <= 16);
      for (guint t = 0; t < f->trafs->len; t++) {
        const HksvMp4Traf *traf = g_ptr_array_index (f->trafs, t);
        CHECK (traf->track < (gint) init.n_tracks);
        total += traf->samples->len;
      }
      CHECK (total <= 20000);
      hksv_mp4_fragment_free (f);
    }
  }
  codec_parsers (data, size);
  return 0;
}
