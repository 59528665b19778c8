/* libgsthksv: fragmented MP4 writer for HKSV recordings (see fmp4-writer.h for the layout): its
 * API, samples and fragments. Tracks and the init segment are in fmp4-writer-tracks.c and
 * fmp4-writer-init.c (fmp4-writer-private.h). */
#include "gst/fmp4-writer-private.h"

#include "gst/mp4-box-writer.h"

#include <string.h>

G_DEFINE_QUARK (hksv - fmp4 - error - quark, hksv_fmp4_error)

#define NS_PER_S G_GINT64_CONSTANT (1000000000)
/* Bounds that keep every timestamp difference far from overflow. */
#define MAX_SPAN ((guint64) 100 * 3600 * NS_PER_S) /* a recording */
#define MAX_OFFSET ((guint64) 3600 * NS_PER_S)     /* PTS - DTS, a duration, end_ns - DTS */

/* Sample flags of ISO/IEC 14496-12 8.8.3.1, as the real camera writes them. */
#define FLAGS_SYNC 0x02000000u     /* sample_depends_on = 2 (does not depend on others) */
#define FLAGS_NON_SYNC 0x01010000u /* sample_depends_on = 1, sample_is_non_sync_sample */

#define TFHD_DEFAULT_SAMPLE_FLAGS 0x000020u
#define TFHD_DEFAULT_BASE_IS_MOOF 0x020000u
#define TRUN_DATA_OFFSET 0x000001u
#define TRUN_FIRST_SAMPLE_FLAGS 0x000004u
#define TRUN_DURATION 0x000100u
#define TRUN_SIZE 0x000200u
#define TRUN_FLAGS 0x000400u
#define TRUN_CTS 0x000800u

/* One sample laid out in a fragment. */
typedef struct {
  guint64 tick; /* decode time */
  guint32 duration;
  guint32 cts;
  guint32 size;
  gboolean sync;
  GBytes *data;
} LaidSample;

typedef struct {
  guint first, count; /* into the track's LaidSample array */
  gsize data_offset_pos;
} Run;

typedef struct {
  GArray *samples; /* LaidSample */
  GArray *runs;    /* Run */
  guint64 tfdt;
  gboolean cts;
} Traf;

/* ---- writer ---- */

HksvFmp4Writer *
hksv_fmp4_writer_new (
    const HksvTrackInfo *tracks, guint n_tracks, const HksvFmp4Options *options, GError **error)
{
  HksvFmp4Writer *w;

  g_return_val_if_fail (tracks != NULL || n_tracks == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (n_tracks == 0 || n_tracks > HKSV_FMP4_MAX_TRACKS) {
    hksv_fmp4_fail (
        error, HKSV_FMP4_ERROR_INVALID_TRACK, "%u tracks: a recording has 1 or 2", n_tracks);
    return NULL;
  }
  w = g_new0 (HksvFmp4Writer, 1);
  if (options)
    w->options = *options;
  w->sequence = 1;
  for (guint i = 0; i < n_tracks; i++) {
    if (!hksv_fmp4_track_setup (&w->tracks[i], &tracks[i], error)) {
      w->n_tracks = i + 1;
      hksv_fmp4_writer_free (w);
      return NULL;
    }
    w->n_tracks = i + 1;
  }
  if (n_tracks == 2 && w->tracks[0].video == w->tracks[1].video) {
    hksv_fmp4_fail (error, HKSV_FMP4_ERROR_INVALID_TRACK,
        "two %s tracks: at most one video and one audio", w->tracks[0].video ? "video" : "audio");
    hksv_fmp4_writer_free (w);
    return NULL;
  }
  if (n_tracks == 2 && !w->tracks[0].video) {
    hksv_fmp4_fail (error, HKSV_FMP4_ERROR_INVALID_TRACK, "the video track must come first");
    hksv_fmp4_writer_free (w);
    return NULL;
  }
  return w;
}

void
hksv_fmp4_writer_free (HksvFmp4Writer *w)
{
  if (!w)
    return;
  for (guint i = 0; i < w->n_tracks; i++)
    hksv_fmp4_track_clear (&w->tracks[i]);
  g_clear_pointer (&w->init, g_bytes_unref);
  g_free (w);
}

guint32
hksv_fmp4_writer_next_sequence (HksvFmp4Writer *w)
{
  g_return_val_if_fail (w != NULL, 0);
  return w->sequence;
}

guint32
hksv_fmp4_writer_timescale (HksvFmp4Writer *w, guint track)
{
  g_return_val_if_fail (w != NULL && track < w->n_tracks, 0);
  return w->tracks[track].timescale;
}

guint
hksv_fmp4_writer_queued (HksvFmp4Writer *w, guint track)
{
  g_return_val_if_fail (w != NULL && track < w->n_tracks, 0);
  return w->tracks[track].queue->len;
}

/* ---- samples ---- */

gboolean
hksv_fmp4_writer_add_sample (
    HksvFmp4Writer *w, guint track, const HksvSample *sample, GError **error)
{
  Track *t;
  QueuedSample q;

  g_return_val_if_fail (w != NULL, FALSE);
  g_return_val_if_fail (track < w->n_tracks, FALSE);
  g_return_val_if_fail (sample != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  t = &w->tracks[track];
  if (!sample->data || g_bytes_get_size (sample->data) == 0)
    return hksv_fmp4_fail (
        error, HKSV_FMP4_ERROR_INVALID_SAMPLE, "empty sample on track %u", track);
  if (g_bytes_get_size (sample->data) > G_MAXUINT32 / 4)
    return hksv_fmp4_fail (error, HKSV_FMP4_ERROR_INVALID_SAMPLE,
        "sample of %" G_GSIZE_FORMAT " bytes", g_bytes_get_size (sample->data));
  if (!t->started && t->video && !sample->sync)
    return hksv_fmp4_fail (error, HKSV_FMP4_ERROR_INVALID_SAMPLE,
        "the first video sample of a recording must be a sync sample (IDR)");
  if (t->started && sample->dts <= t->last_dts)
    return hksv_fmp4_fail (error, HKSV_FMP4_ERROR_INVALID_SAMPLE,
        "DTS %" G_GINT64_FORMAT " ns on track %u does not increase (previous %" G_GINT64_FORMAT
        " ns)",
        sample->dts, track, t->last_dts);
  if (t->video && sample->pts < sample->dts)
    return hksv_fmp4_fail (error, HKSV_FMP4_ERROR_INVALID_SAMPLE,
        "PTS %" G_GINT64_FORMAT " ns before DTS %" G_GINT64_FORMAT " ns on track %u", sample->pts,
        sample->dts, track);
  if (t->started && t->video && sample->pts < t->origin)
    return hksv_fmp4_fail (error, HKSV_FMP4_ERROR_INVALID_SAMPLE,
        "PTS %" G_GINT64_FORMAT " ns before the track's first DTS %" G_GINT64_FORMAT " ns",
        sample->pts, t->origin);
  /* Differences in unsigned arithmetic: defined for any input, exact once ordered. */
  if (t->started && (guint64) sample->dts - (guint64) t->origin > MAX_SPAN)
    return hksv_fmp4_fail (error, HKSV_FMP4_ERROR_INVALID_SAMPLE,
        "DTS more than 100 hours after the recording's start");
  if (t->video && (guint64) sample->pts - (guint64) sample->dts > MAX_OFFSET)
    return hksv_fmp4_fail (error, HKSV_FMP4_ERROR_INVALID_SAMPLE,
        "PTS %" G_GINT64_FORMAT " ns more than an hour after DTS %" G_GINT64_FORMAT " ns",
        sample->pts, sample->dts);
  if (sample->duration > MAX_OFFSET)
    return hksv_fmp4_fail (error, HKSV_FMP4_ERROR_INVALID_SAMPLE,
        "sample duration %" G_GUINT64_FORMAT " ns is over an hour", sample->duration);

  if (!t->started) {
    t->started = TRUE;
    t->origin = sample->dts;
  }
  t->last_dts = sample->dts;
  q.dts = sample->dts;
  q.pts = t->video ? sample->pts : sample->dts;
  q.duration = sample->duration;
  q.sync = t->video ? sample->sync : TRUE;
  q.data = g_bytes_ref (sample->data);
  g_array_append_val (t->queue, q);
  return TRUE;
}

/* Rebased nanoseconds (>= 0) to ticks, rounded to nearest, without overflow. */
static guint64
to_ticks (const Track *t, gint64 rel_ns)
{
  guint64 ns = rel_ns > 0 ? (guint64) rel_ns : 0;
  return ns / NS_PER_S * t->timescale + (ns % NS_PER_S * t->timescale + NS_PER_S / 2) / NS_PER_S;
}

static guint64
ticks_to_ns (const Track *t, guint64 ticks)
{
  return ticks / t->timescale * NS_PER_S + ticks % t->timescale * NS_PER_S / t->timescale;
}

static guint64
nominal_duration (const Track *t)
{
  if (t->video)
    return MAX (1, t->timescale / 30);
  return MAX (1, (guint64) t->frame_samples * t->timescale / t->info.sample_rate);
}

static void
lay_out_track (Track *t, gint64 end_ns, Traf *traf)
{
  GArray *q = t->queue;
  guint n = q->len;

  traf->samples = g_array_sized_new (FALSE, TRUE, sizeof (LaidSample), n);
  traf->runs = g_array_new (FALSE, TRUE, sizeof (Run));
  traf->tfdt = t->next_tick;
  traf->cts = FALSE;
  g_array_set_size (traf->samples, n);
  for (guint i = 0; i < n; i++) {
    QueuedSample *s = &g_array_index (q, QueuedSample, i);
    LaidSample *l = &g_array_index (traf->samples, LaidSample, i);
    guint64 real = to_ticks (t, s->dts - t->origin);

    /* The first sample sits at the tfdt that continues the previous fragment; later ones at
     * their own time, strictly increasing. */
    if (i == 0)
      l->tick = t->next_tick;
    else
      l->tick = MAX (real, g_array_index (traf->samples, LaidSample, i - 1).tick + 1);
    l->size = (guint32) g_bytes_get_size (s->data);
    l->sync = s->sync;
    l->data = s->data;
  }
  for (guint i = 0; i < n; i++) {
    QueuedSample *s = &g_array_index (q, QueuedSample, i);
    LaidSample *l = &g_array_index (traf->samples, LaidSample, i);
    guint64 pts, dur;

    if (i + 1 < n) {
      dur = g_array_index (traf->samples, LaidSample, i + 1).tick - l->tick;
    } else {
      gint64 end = -1;
      if (s->duration > 0)
        end = s->dts + (gint64) s->duration;
      else if (t->video && end_ns > s->dts && (guint64) end_ns - (guint64) s->dts <= MAX_OFFSET)
        end = end_ns;
      if (end > s->dts)
        dur = to_ticks (t, end - t->origin) > l->tick ? to_ticks (t, end - t->origin) - l->tick : 1;
      else if (!t->video)
        dur = nominal_duration (t);
      else if (n >= 2)
        dur = g_array_index (traf->samples, LaidSample, n - 2).duration;
      else if (t->last_duration)
        dur = t->last_duration;
      else
        dur = nominal_duration (t);
    }
    l->duration = (guint32) MIN (dur, G_MAXUINT32);
    /* Audio has no composition offsets (PROTOCOL.md section 7): a first sample later than the
     * previous fragment's end (jittered RTP time) sits at the continuing tfdt, and its duration
     * reaches the next sample's own time. */
    pts = to_ticks (t, s->pts - t->origin);
    l->cts = t->video && pts > l->tick ? (guint32) MIN (pts - l->tick, G_MAXUINT32) : 0;
    if (l->cts)
      traf->cts = TRUE;
  }
  if (n) {
    LaidSample *last = &g_array_index (traf->samples, LaidSample, n - 1);
    t->next_tick = last->tick + last->duration;
    t->last_duration = last->duration;
  }
}

/* Cuts the lead track (the first with samples) into runs of about interleave_ns; the other
 * track's runs end where the lead's do (a sample belongs to the run during which it starts), so
 * that the runs alternate in time. */
static void
split_runs (HksvFmp4Writer *w, Traf *trafs)
{
  guint64 interleave = w->options.interleave_ns;
  gint lead = -1;
  GArray *bounds = g_array_new (FALSE, FALSE, sizeof (guint64)); /* lead run ends, rebased ns */

  for (guint i = 0; i < w->n_tracks; i++) {
    if (trafs[i].samples->len) {
      lead = (gint) i;
      break;
    }
  }
  if (lead >= 0) {
    Traf *tr = &trafs[lead];
    Track *t = &w->tracks[lead];
    Run run = { 0, 0, 0 };
    guint64 start = g_array_index (tr->samples, LaidSample, 0).tick;
    guint64 grid = 1; /* index of the next run boundary */

    /* Run k starts at the first sample at or after fragment start + k * interleave (the
     * camera's cut points exactly; a grid, so short and long runs do not accumulate). */
    for (guint i = 0; i < tr->samples->len; i++) {
      LaidSample *l = &g_array_index (tr->samples, LaidSample, i);
      guint64 at = ticks_to_ns (t, l->tick - start);

      if (interleave > 0 && run.count > 0 && at >= grid * interleave) {
        guint64 end = ticks_to_ns (t, l->tick);
        g_array_append_val (tr->runs, run);
        g_array_append_val (bounds, end);
        run.first = i;
        run.count = 0;
        while (at >= grid * interleave)
          grid++;
      }
      run.count++;
    }
    g_array_append_val (tr->runs, run);
  }
  for (guint k = 0; k < w->n_tracks; k++) {
    Traf *tr = &trafs[k];
    Track *t = &w->tracks[k];
    Run run = { 0, 0, 0 };
    guint b = 0;

    if ((gint) k == lead || tr->samples->len == 0)
      continue;
    for (guint i = 0; i < tr->samples->len; i++) {
      guint64 start = ticks_to_ns (t, g_array_index (tr->samples, LaidSample, i).tick);
      while (b < bounds->len && start >= g_array_index (bounds, guint64, b)) {
        if (run.count)
          g_array_append_val (tr->runs, run);
        run.first = i;
        run.count = 0;
        b++;
      }
      run.count++;
    }
    g_array_append_val (tr->runs, run);
  }
  g_array_unref (bounds);
}

static void
put_traf (HksvBoxWriter *b, const Track *t, guint32 track_id, Traf *tr)
{
  gsize traf = hksv_box_writer_open (b, "traf");
  gsize box;
  guint32 tfhd_flags = TFHD_DEFAULT_BASE_IS_MOOF | (t->video ? TFHD_DEFAULT_SAMPLE_FLAGS : 0);

  box = hksv_box_writer_open_full (b, "tfhd", 0, tfhd_flags);
  hksv_box_writer_u32 (b, track_id);
  if (t->video)
    hksv_box_writer_u32 (b, FLAGS_NON_SYNC);
  hksv_box_writer_close (b, box);
  box = hksv_box_writer_open_full (b, "tfdt", 1, 0);
  hksv_box_writer_u64 (b, tr->tfdt);
  hksv_box_writer_close (b, box);

  for (guint r = 0; r < tr->runs->len; r++) {
    Run *run = &g_array_index (tr->runs, Run, r);
    LaidSample *first = &g_array_index (tr->samples, LaidSample, run->first);
    guint32 flags = TRUN_DATA_OFFSET | TRUN_DURATION | TRUN_SIZE | (tr->cts ? TRUN_CTS : 0);
    gboolean later_sync = FALSE;

    if (t->video) {
      for (guint i = 1; i < run->count; i++)
        later_sync |= g_array_index (tr->samples, LaidSample, run->first + i).sync;
      if (later_sync)
        flags |= TRUN_FLAGS;
      else if (first->sync)
        flags |= TRUN_FIRST_SAMPLE_FLAGS;
    }
    box = hksv_box_writer_open_full (b, "trun", 0, flags);
    hksv_box_writer_u32 (b, run->count);
    run->data_offset_pos = hksv_box_writer_len (b);
    hksv_box_writer_u32 (b, 0); /* patched once the moof size is known */
    if (flags & TRUN_FIRST_SAMPLE_FLAGS)
      hksv_box_writer_u32 (b, FLAGS_SYNC);
    for (guint i = 0; i < run->count; i++) {
      LaidSample *l = &g_array_index (tr->samples, LaidSample, run->first + i);
      hksv_box_writer_u32 (b, l->duration);
      hksv_box_writer_u32 (b, l->size);
      if (flags & TRUN_FLAGS)
        hksv_box_writer_u32 (b, l->sync ? FLAGS_SYNC : FLAGS_NON_SYNC);
      if (flags & TRUN_CTS)
        hksv_box_writer_u32 (b, l->cts);
    }
    hksv_box_writer_close (b, box);
  }
  hksv_box_writer_close (b, traf);
}

GBytes *
hksv_fmp4_writer_finish_fragment (HksvFmp4Writer *w, gint64 end_ns)
{
  Traf trafs[HKSV_FMP4_MAX_TRACKS];
  HksvBoxWriter b;
  gsize moof, box, mdat;
  guint total = 0, max_runs = 0;
  GBytes *out;

  g_return_val_if_fail (w != NULL, NULL);
  for (guint i = 0; i < w->n_tracks; i++)
    total += w->tracks[i].queue->len;
  if (total == 0)
    return NULL;

  for (guint i = 0; i < w->n_tracks; i++)
    lay_out_track (&w->tracks[i], end_ns, &trafs[i]);
  split_runs (w, trafs);

  hksv_box_writer_init (&b);
  moof = hksv_box_writer_open (&b, "moof");
  box = hksv_box_writer_open_full (&b, "mfhd", 0, 0);
  hksv_box_writer_u32 (&b, w->sequence);
  hksv_box_writer_close (&b, box);
  for (guint i = 0; i < w->n_tracks; i++) {
    put_traf (&b, &w->tracks[i], i + 1, &trafs[i]);
    max_runs = MAX (max_runs, trafs[i].runs->len);
  }
  hksv_box_writer_close (&b, moof);

  /* mdat: run k of every track, then run k + 1, ... */
  mdat = hksv_box_writer_open (&b, "mdat");
  for (guint r = 0; r < max_runs; r++) {
    for (guint i = 0; i < w->n_tracks; i++) {
      Run *run;

      if (r >= trafs[i].runs->len)
        continue;
      run = &g_array_index (trafs[i].runs, Run, r);
      hksv_box_writer_patch_u32 (
          &b, run->data_offset_pos, (guint32) (hksv_box_writer_len (&b) - moof));
      for (guint s = 0; s < run->count; s++) {
        LaidSample *l = &g_array_index (trafs[i].samples, LaidSample, run->first + s);
        gsize len;
        const guint8 *data = g_bytes_get_data (l->data, &len);
        hksv_box_writer_bytes (&b, data, len);
      }
    }
  }
  hksv_box_writer_close (&b, mdat);

  for (guint i = 0; i < w->n_tracks; i++) {
    g_array_unref (trafs[i].samples);
    g_array_unref (trafs[i].runs);
    g_array_set_size (w->tracks[i].queue, 0);
  }
  w->sequence++;
  out = hksv_box_writer_take_bytes (&b);
  hksv_box_writer_clear (&b);
  return out;
}
