/* libgsthksv: the conformance checker's rules on a fragment (mp4-check-private.h): one traf per
 * track, tfhd flags, tfdt continuity, sample sizes and durations, audio samples, where sample
 * data lies in mdat, run interleaving and A/V alignment, the fragment length and the prebuffer
 * burst. The video bitstream rules are in mp4-check-video.c. */
#include "gst/mp4-check-private.h"

#include "gst/hksv-limits.h"

void
hksv_mp4_check_fragment_length (
    HksvMp4Checker *k, guint64 seq, gdouble ms, gdouble frame_ms, gboolean last)
{
  HksvMp4CheckCtx c = { k, seq, 0, NULL };
  /* a frame (the cut is at a frame), or the keyframe the recorder takes early (received
   * timestamps jitter: gst/hksv-limits.h), whichever is more */
  gdouble want = k->opt.fragment_ms, tol = MAX (frame_ms + 1.0, HKSV_FRAGMENT_TOLERANCE_MS);

  if (want <= 0)
    return;
  if (ms > want + tol || (!last && ms < want - tol))
    hksv_mp4_check_report (&c, R_FRAGMENT_DURATION,
        "the fragment lasts %.0f ms; the selected fragment length is %.0f ms (every fragment "
        "but the last must match it within %.0f ms: force key frames at the fragment length)",
        ms, want, tol);
  g_free (c.last);
}

typedef struct {
  gsize start, end;
} Range;

static gint
compare_ranges (gconstpointer a, gconstpointer b)
{
  const Range *x = a, *y = b;
  return x->start < y->start ? -1 : x->start > y->start ? 1 : 0;
}

/* One fragment being checked. */
typedef struct {
  HksvMp4Checker *k;
  HksvMp4CheckCtx *c;
  const guint8 *data;
  const HksvMp4Traf *by_track[HKSV_MP4_CHECK_MAX_TRACKS]; /* each init track's traf, or NULL */
  gint video, audio; /* the first video and audio track; -1: none */
  gsize payload_start, payload_end;
  GArray *ranges;                              /* Range: the data of each sample inside mdat */
  gdouble frag_ms;                             /* the video (else the first) track's duration */
  gdouble frame_ms;                            /* the longest video sample */
  gdouble start_ms[HKSV_MP4_CHECK_MAX_TRACKS]; /* each track's tfdt */
  guint with_samples;                          /* tracks with samples */
} FragmentCheck;

/* One traf per track of the init segment. */
static void
match_trafs (FragmentCheck *fc, const HksvMp4Fragment *f)
{
  HksvMp4Checker *k = fc->k;

  for (guint i = 0; i < f->trafs->len; i++) {
    const HksvMp4Traf *t = g_ptr_array_index (f->trafs, i);
    if (t->track < 0)
      hksv_mp4_check_report (fc->c, R_MOOF_TRAF_COUNT,
          "a traf for track %u, which the init segment does not have", t->track_id);
    else if (fc->by_track[t->track])
      hksv_mp4_check_report (fc->c, R_MOOF_TRAF_COUNT, "two trafs for track %u", t->track_id);
    else
      fc->by_track[t->track] = t;
  }
  for (guint i = 0; i < k->init.n_tracks; i++) {
    if (!fc->by_track[i])
      hksv_mp4_check_report (fc->c, R_MOOF_TRAF_COUNT,
          "no traf for track %u: every fragment holds one traf per track",
          k->init.tracks[i].track_id);
    if (hksv_mp4_track_is_video (&k->init.tracks[i]) && fc->video < 0)
      fc->video = (gint) i;
    if (hksv_mp4_track_is_audio (&k->init.tracks[i]) && fc->audio < 0)
      fc->audio = (gint) i;
  }
}

/* The traf's tfhd and tfdt, whether it has samples, its truns' data offsets. */
static void
check_traf_header (FragmentCheck *fc, guint i)
{
  HksvMp4CheckCtx *c = fc->c;
  const HksvMp4Traf *t = fc->by_track[i];
  const HksvMp4TrackInfo *ti = &fc->k->init.tracks[i];
  const HksvMp4TrackState *st = &fc->k->tracks[i];
  gboolean missing_offset = FALSE;

  if (t->tfhd_flags & TFHD_BASE_DATA_OFFSET)
    hksv_mp4_check_report (c, R_TFHD_BASE_DATA_OFFSET,
        "track %u: tfhd has a base-data-offset; use default-base-is-moof instead", t->track_id);
  if (!(t->tfhd_flags & TFHD_DEFAULT_BASE_IS_MOOF))
    hksv_mp4_check_report (c, R_TFHD_BASE_IS_MOOF,
        "track %u: tfhd flags 0x%06x lack default-base-is-moof (0x020000)", t->track_id,
        t->tfhd_flags);
  if (hksv_mp4_track_is_video (ti) && !(t->tfhd_flags & TFHD_DEFAULT_FLAGS))
    hksv_mp4_check_report (c, R_TFHD_DEFAULT_FLAGS,
        "track %u: the video tfhd has no default sample flags (the camera: 0x01010000)",
        t->track_id);
  if (!t->has_tfdt) {
    hksv_mp4_check_report (c, R_TFDT_MISSING, "track %u: traf has no tfdt", t->track_id);
  } else {
    if (t->tfdt_version != 1)
      hksv_mp4_check_report (c, R_TFDT_VERSION, "track %u: tfdt version %u; hubs expect version 1",
          t->track_id, t->tfdt_version);
    if (!st->started && t->tfdt != 0)
      hksv_mp4_check_report (c, R_TFDT_START,
          "track %u: the recording's first tfdt is %" G_GUINT64_FORMAT
          "; every track starts at 0 (rebase the timestamps per recording)",
          t->track_id, t->tfdt);
    else if (st->started && t->tfdt != st->next_tfdt)
      hksv_mp4_check_report (c, R_TFDT_DISCONTINUOUS,
          "track %u: tfdt %" G_GUINT64_FORMAT
          " but the previous fragment ended at %" G_GUINT64_FORMAT " (%+.1f ms)",
          t->track_id, t->tfdt, st->next_tfdt,
          hksv_mp4_ticks_ms (t->tfdt, ti->timescale)
              - hksv_mp4_ticks_ms (st->next_tfdt, ti->timescale));
  }
  fc->start_ms[i] = hksv_mp4_ticks_ms (t->tfdt, ti->timescale);
  if (t->samples->len == 0)
    hksv_mp4_check_report (c, R_TRAF_EMPTY, "track %u has no samples in this fragment%s",
        t->track_id,
        hksv_mp4_track_is_audio (ti) ? " (insert silence when the source has no audio)" : "");
  else
    fc->with_samples++;
  for (guint r = 0; r < t->trun_flags->len; r++) {
    if (!(g_array_index (t->trun_flags, guint32, r) & 0x001))
      missing_offset = TRUE;
  }
  if (missing_offset)
    hksv_mp4_check_report (
        c, R_TRUN_DATA_OFFSET, "track %u: a trun has no data offset", t->track_id);
}

/* Sample `s` of an audio track: no composition offset, sync, raw AAC (no ADTS header). */
static void
check_audio_sample (FragmentCheck *fc, const HksvMp4Traf *t, guint s, gboolean in_mdat)
{
  const HksvMp4Sample *smp = &g_array_index (t->samples, HksvMp4Sample, s);

  if (smp->cts != 0)
    hksv_mp4_check_report (fc->c, R_SAMPLE_CTS,
        "track %u sample %u: audio with a composition offset", t->track_id, s + 1);
  if (smp->flags & HKSV_MP4_SAMPLE_IS_NON_SYNC)
    hksv_mp4_check_report (fc->c, R_SAMPLE_AUDIO_NOT_SYNC,
        "track %u sample %u: audio sample flagged non-sync", t->track_id, s + 1);
  if (in_mdat && smp->size >= 7) {
    const guint8 *p = fc->data + smp->offset;
    guint frame_len = ((p[3] & 3u) << 11) | ((guint) p[4] << 3) | (p[5] >> 5);
    if (p[0] == 0xff && (p[1] & 0xf6) == 0xf0 && frame_len == smp->size)
      hksv_mp4_check_report (fc->c, R_SAMPLE_ADTS,
          "track %u sample %u starts with an ADTS header; MP4 holds raw AAC frames "
          "(aacparse with stream-format=raw)",
          t->track_id, s + 1);
  }
}

/* The traf of init track `i`: its header, then each sample; the track's summary and timeline. */
static void
check_track (FragmentCheck *fc, guint i)
{
  HksvMp4CheckCtx *c = fc->c;
  const HksvMp4Traf *t = fc->by_track[i];
  const HksvMp4TrackInfo *ti = &fc->k->init.tracks[i];
  HksvMp4TrackState *st = &fc->k->tracks[i];
  HksvMp4TrackSummary *sum = &fc->k->summary.tracks[i];
  gboolean vid = hksv_mp4_track_is_video (ti), aud = hksv_mp4_track_is_audio (ti);
  HksvMp4VideoCheck video;
  guint64 total = 0;

  check_traf_header (fc, i);
  if (vid)
    hksv_mp4_video_check_init (&video, t->samples->len);
  for (guint s = 0; s < t->samples->len; s++) {
    const HksvMp4Sample *smp = &g_array_index (t->samples, HksvMp4Sample, s);
    gboolean sync = !(smp->flags & HKSV_MP4_SAMPLE_IS_NON_SYNC), in_mdat;

    total += smp->duration;
    if (smp->size == 0)
      hksv_mp4_check_report (
          c, R_SAMPLE_SIZE_ZERO, "track %u sample %u has 0 bytes", t->track_id, s + 1);
    if (smp->duration == 0)
      hksv_mp4_check_report (
          c, R_SAMPLE_DURATION_ZERO, "track %u sample %u has duration 0", t->track_id, s + 1);
    in_mdat = smp->offset >= fc->payload_start && smp->offset <= fc->payload_end
              && smp->size <= fc->payload_end - smp->offset;
    if (!in_mdat) {
      hksv_mp4_check_report (c, R_TRUN_OUTSIDE_MDAT,
          "track %u sample %u: its %u bytes at offset %" G_GSIZE_FORMAT
          " are not inside the mdat payload [%" G_GSIZE_FORMAT ", %" G_GSIZE_FORMAT
          "): check the trun data offsets (relative to the moof start)",
          t->track_id, s + 1, smp->size, smp->offset, fc->payload_start, fc->payload_end);
    } else if (smp->size > 0) {
      Range rg = { smp->offset, smp->offset + smp->size };
      g_array_append_val (fc->ranges, rg);
    }
    if (vid)
      hksv_mp4_video_check_sample (&video, c, ti, t, s, fc->data, in_mdat);
    else if (aud)
      check_audio_sample (fc, t, s, in_mdat);
    sum->samples++;
    sum->sync_samples += sync;
    sum->bytes += smp->size;
  }
  if (vid) {
    fc->frame_ms = MAX (fc->frame_ms, video.frame_ms);
    hksv_mp4_video_check_finish (&video, c, t);
  }
  sum->duration += total;
  if (t->has_tfdt) {
    st->started = TRUE;
    st->next_tfdt = t->tfdt + total;
  }
  if ((gint) i == fc->video || (fc->video < 0 && i == 0))
    fc->frag_ms = hksv_mp4_ticks_ms (total, ti->timescale);
}

/* Sample data does not overlap and covers the mdat payload. */
static void
check_mdat_layout (FragmentCheck *fc)
{
  gsize covered = 0, cursor = fc->payload_start;
  gboolean overlap_reported = FALSE;

  g_array_sort (fc->ranges, compare_ranges);
  for (guint i = 0; i < fc->ranges->len; i++) {
    Range *rg = &g_array_index (fc->ranges, Range, i);
    if (rg->start < cursor && !overlap_reported) {
      hksv_mp4_check_report (fc->c, R_TRUN_OVERLAP,
          "sample data at offset %" G_GSIZE_FORMAT " overlaps the previous sample's", rg->start);
      overlap_reported = TRUE;
    }
    if (rg->end > cursor) {
      covered += rg->end - MAX (rg->start, cursor);
      cursor = rg->end;
    }
  }
  if (covered < fc->payload_end - fc->payload_start)
    hksv_mp4_check_report (fc->c, R_MDAT_UNUSED,
        "%" G_GSIZE_FORMAT " of the mdat's %" G_GSIZE_FORMAT " payload bytes belong to no sample",
        fc->payload_end - fc->payload_start - covered, fc->payload_end - fc->payload_start);
}

/* Run interleaving and A/V alignment, as the camera. */
static void
check_interleaving (FragmentCheck *fc)
{
  HksvMp4Checker *k = fc->k;
  const HksvMp4Traf *v = fc->video >= 0 ? fc->by_track[fc->video] : NULL;
  const HksvMp4Traf *a = fc->audio >= 0 ? fc->by_track[fc->audio] : NULL;

  if (fc->with_samples >= 2 && fc->frag_ms > 1000) {
    for (guint i = 0; i < k->init.n_tracks; i++) {
      const HksvMp4Traf *t = fc->by_track[i];
      guint64 run_ticks = 0;
      guint run = 0;
      gdouble longest = 0;
      if (!t)
        continue;
      for (guint s = 0; s < t->samples->len; s++) {
        const HksvMp4Sample *smp = &g_array_index (t->samples, HksvMp4Sample, s);
        if (smp->run != run) {
          run = smp->run;
          run_ticks = 0;
        }
        run_ticks += smp->duration;
        longest = MAX (longest, hksv_mp4_ticks_ms (run_ticks, k->init.tracks[i].timescale));
      }
      if (longest > 1000)
        hksv_mp4_check_report (fc->c, R_TRUN_INTERLEAVE,
            "track %u: a run of %.0f ms; the camera interleaves the tracks in runs of ~500 ms",
            t->track_id, longest);
    }
  }
  if (v && a && v->samples->len && a->samples->len
      && ABS (fc->start_ms[fc->video] - fc->start_ms[fc->audio]) > 200)
    hksv_mp4_check_report (fc->c, R_FRAGMENT_AV_DRIFT,
        "audio starts at %.0f ms, video at %.0f ms: cut the audio where the video fragment "
        "starts",
        fc->start_ms[fc->audio], fc->start_ms[fc->video]);
}

void
hksv_mp4_check_fragment (HksvMp4Checker *k, HksvMp4CheckCtx *c, const guint8 *data, gsize len)
{
  HksvMp4Fragment *f;
  FragmentCheck fc = { k, c, data, { NULL }, -1, -1 };

  k->summary.fragments++;
  k->summary.fragment_bytes += len;
  if (!k->init_usable) {
    if (!k->init_missing_reported)
      hksv_mp4_check_report (c, R_INIT_MISSING,
          "a fragment without a usable init segment before it: sequence 1 must be the init "
          "segment (ftyp + moov)");
    k->init_missing_reported = TRUE;
  }
  f = hksv_mp4_check_parse_fragment (c, k->init_usable ? &k->init : NULL, data, len);
  if (!f)
    return;

  if (f->sequence != k->last_mfhd + 1)
    hksv_mp4_check_report (c, R_MFHD_SEQUENCE, "mfhd sequence number %u; expected %u%s",
        f->sequence, k->last_mfhd + 1, k->last_mfhd == 0 ? " (the first fragment is 1)" : "");
  k->last_mfhd = f->sequence;

  if (!k->init_usable) {
    hksv_mp4_fragment_free (f);
    return;
  }

  match_trafs (&fc, f);
  fc.payload_start = f->mdat_offset + f->mdat_header_size;
  fc.payload_end = f->mdat_offset + f->mdat_size;
  fc.ranges = g_array_new (FALSE, FALSE, sizeof (Range));
  for (guint i = 0; i < k->init.n_tracks; i++) {
    if (fc.by_track[i])
      check_track (&fc, i);
  }
  check_mdat_layout (&fc);
  g_array_unref (fc.ranges);
  check_interleaving (&fc);

  g_array_append_val (k->summary.fragment_ms, fc.frag_ms);
  if (k->pending)
    hksv_mp4_check_fragment_length (k, k->pending_seq, k->pending_ms, k->pending_frame_ms, FALSE);
  k->pending = TRUE;
  k->pending_seq = c->seq;
  k->pending_ms = fc.frag_ms;
  k->pending_frame_ms = fc.frame_ms;
  /* Arrival times are any 64-bit input: elapsed time in unsigned arithmetic, exact once
   * ordered; a fragment "before" the init segment counts as at once. */
  if (k->chunk_mode && k->init_arrival && k->cur_last_arrival
      && (k->cur_last_arrival < k->init_arrival
          || (guint64) k->cur_last_arrival - (guint64) k->init_arrival
                 <= (guint64) k->opt.burst_ms * 1000)) {
    k->burst_ms += fc.frag_ms;
    k->burst_frame_ms = MAX (k->burst_frame_ms, fc.frame_ms);
  }
  hksv_mp4_fragment_free (f);
}
