/* libgsthksv: the conformance checker's rules on the video bitstream (mp4-check-private.h):
 * each sample is exactly a sequence of length-prefixed NAL units with a coded slice, a fragment
 * starts with an IDR picture flagged sync and holds no other sync sample, sync flags match the
 * pictures, and presentation times are neither negative, nor before the fragment's first, nor
 * shared by two samples. */
#include "gst/mp4-check-private.h"

#include <string.h>

typedef struct {
  gint64 pts;
  guint index;
} PtsEntry;

static gint
compare_pts (gconstpointer a, gconstpointer b)
{
  const PtsEntry *x = a, *y = b;
  if (x->pts != y->pts)
    return x->pts < y->pts ? -1 : 1;
  return x->index < y->index ? -1 : x->index > y->index ? 1 : 0;
}

static void
check_video_sample (HksvMp4CheckCtx *c, const HksvMp4TrackInfo *ti, const guint8 *data,
    const HksvMp4Sample *s, guint index, gboolean *is_idr)
{
  gboolean hevc = ti->codec == HKSV_MP4_CODEC_H265;
  guint64 types = 0;
  GError *err = NULL;

  *is_idr = FALSE;
  if (ti->nal_length_size == 0)
    return;
  if (!hksv_nal_split (data, s->size, ti->nal_length_size, hevc, &types, NULL, &err)) {
    hksv_mp4_check_report (
        c, R_SAMPLE_NAL_FRAMING, "track %u sample %u: %s", ti->track_id, index + 1, err->message);
    g_clear_error (&err);
    return;
  }
  if (!hksv_nal_types_have_vcl (types, hevc))
    hksv_mp4_check_report (c, R_SAMPLE_NO_SLICE,
        "track %u sample %u holds no coded slice (NAL types 0x%" G_GINT64_MODIFIER "x)",
        ti->track_id, index + 1, types);
  *is_idr = hksv_nal_types_are_idr (types, hevc);
}

void
hksv_mp4_video_check_init (HksvMp4VideoCheck *v, guint n_samples)
{
  memset (v, 0, sizeof *v);
  v->pts = g_array_sized_new (FALSE, FALSE, sizeof (PtsEntry), n_samples);
}

void
hksv_mp4_video_check_sample (HksvMp4VideoCheck *v, HksvMp4CheckCtx *c, const HksvMp4TrackInfo *ti,
    const HksvMp4Traf *t, guint s, const guint8 *data, gboolean in_mdat)
{
  const HksvMp4Sample *smp = &g_array_index (t->samples, HksvMp4Sample, s);
  gboolean sync = !(smp->flags & HKSV_MP4_SAMPLE_IS_NON_SYNC), idr = FALSE;
  /* dts is any 64-bit input: keep the sum in range */
  gint64 pts = (gint64) MIN (smp->dts, (guint64) G_MAXINT64 / 2) + smp->cts;
  PtsEntry e = { pts, s };

  if (in_mdat && smp->size > 0)
    check_video_sample (c, ti, data + smp->offset, smp, s, &idr);
  if (s == 0) {
    v->first_pts = pts;
    if (in_mdat && ti->nal_length_size && !idr)
      hksv_mp4_check_report (c, R_FIRST_NOT_IDR,
          "track %u: the fragment's first video sample is not an IDR picture; every "
          "fragment must start with one",
          t->track_id);
    if (!sync)
      hksv_mp4_check_report (c, R_FIRST_NOT_SYNC,
          "track %u: the fragment's first video sample is not flagged sync (flags "
          "0x%08x)",
          t->track_id, smp->flags);
  } else if (pts < v->first_pts) {
    hksv_mp4_check_report (c, R_SAMPLE_CTS,
        "track %u sample %u is presented before the fragment's first sample", t->track_id, s + 1);
  }
  if (in_mdat && ti->nal_length_size) {
    if (idr && !sync)
      hksv_mp4_check_report (c, R_SAMPLE_IDR_NOT_SYNC,
          "track %u sample %u is an IDR picture flagged non-sync (flags 0x%08x)", t->track_id,
          s + 1, smp->flags);
    if (!idr && sync)
      hksv_mp4_check_report (c, R_SAMPLE_NON_IDR_SYNC,
          "track %u sample %u is not an IDR picture but flagged sync (flags 0x%08x)", t->track_id,
          s + 1, smp->flags);
  }
  if (pts < 0)
    hksv_mp4_check_report (
        c, R_SAMPLE_CTS, "track %u sample %u has a negative presentation time", t->track_id, s + 1);
  g_array_append_val (v->pts, e);
  v->syncs += sync;
  v->frame_ms = MAX (v->frame_ms, hksv_mp4_ticks_ms (smp->duration, ti->timescale));
}

void
hksv_mp4_video_check_finish (HksvMp4VideoCheck *v, HksvMp4CheckCtx *c, const HksvMp4Traf *t)
{
  g_array_sort (v->pts, compare_pts);
  for (guint p = 1; p < v->pts->len; p++) {
    const PtsEntry *a = &g_array_index (v->pts, PtsEntry, p - 1);
    const PtsEntry *b = &g_array_index (v->pts, PtsEntry, p);
    if (a->pts == b->pts)
      hksv_mp4_check_report (c, R_SAMPLE_CTS,
          "track %u samples %u and %u are presented at the same time", t->track_id,
          MIN (a->index, b->index) + 1, MAX (a->index, b->index) + 1);
  }
  g_clear_pointer (&v->pts, g_array_unref);
  if (v->syncs > 1)
    hksv_mp4_check_report (c, R_FRAGMENT_SYNC_COUNT,
        "track %u: %u sync samples in one fragment; HKSV fragments hold one GOP (one IDR, "
        "first)",
        t->track_id, v->syncs);
}
