/* libgsthksv: what the files of the fMP4 writer (fmp4-writer.h) share.
 *
 *   fmp4-writer.c         the writer: its API, samples, fragments (moof + mdat)
 *   fmp4-writer-tracks.c  the tracks it accepts: their info and codec_data checked
 *   fmp4-writer-init.c    the init segment (ftyp + moov)
 */
#pragma once

#include "gst/fmp4-writer.h"

G_BEGIN_DECLS

/* A sample waiting for its fragment. */
typedef struct {
  gint64 dts, pts;
  guint64 duration;
  gboolean sync;
  GBytes *data;
} QueuedSample;

/* One track of the recording. */
typedef struct {
  HksvTrackInfo info;
  gboolean video;
  guint32 timescale;
  guint frame_samples; /* audio: samples per AAC frame */
  gboolean started;
  gint64 origin;         /* first DTS of the recording on this track (ns) */
  gint64 last_dts;       /* last queued DTS (ns) */
  guint64 next_tick;     /* tfdt of the next fragment */
  guint64 last_duration; /* ticks, last sample of the previous fragment */
  GArray *queue;         /* QueuedSample */
} Track;

struct _HksvFmp4Writer {
  Track tracks[HKSV_FMP4_MAX_TRACKS];
  guint n_tracks;
  HksvFmp4Options options;
  guint32 sequence;
  GBytes *init;
};

/* Sets `error` (HKSV_FMP4_ERROR, `code`) and returns FALSE. */
gboolean hksv_fmp4_fail (GError **error, gint code, const char *format, ...) G_GNUC_PRINTF (3, 4);

/* Sets up `t` for `info`, or FALSE with `error` when a hub could not decode such a track. */
gboolean hksv_fmp4_track_setup (Track *t, const HksvTrackInfo *info, GError **error);
void hksv_fmp4_track_clear (Track *t);

G_END_DECLS
