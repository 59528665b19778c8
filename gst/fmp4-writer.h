/* libgsthksv: fragmented MP4 writer for HomeKit Secure Video recordings.
 *
 * Pure: samples in, an init segment (ftyp + moov) and fragments (moof + mdat) out, as GBytes.
 * No GStreamer, no I/O. One writer per recording: its timestamps are rebased so that every track
 * starts at 0 (tfdt of the first fragment), and mfhd sequence numbers count from 1.
 *
 * Layout (PROTOCOL.md section 7, measured on the real camera in tests/data/reference-camera/):
 * - init: ftyp (major mp42, minor 1, compatible isom mp42 avc1) + moov (mvhd, one trak per track
 *   with empty sample tables, no edts, mvex with mehd and one trex per track);
 * - fragment: exactly one moof (mfhd, one traf per track: tfhd with default-base-is-moof,
 *   tfdt version 1, one or more trun) followed by exactly one mdat. Both tracks share the moof.
 *   With `interleave_ns` > 0 each track's samples are written in runs of about that length, the
 *   runs of the tracks alternating in mdat (video run, audio run, video run, ...) as the real
 *   camera does; each run is its own trun with its own data offset.
 * - video sync samples carry sample_depends_on=2 (0x02000000); other video samples the default
 *   non-sync flags of tfhd (0x01010000); composition offsets (trun flag 0x800, version 0, unsigned)
 *   only when some sample has PTS != DTS after rebasing.
 *
 * Timestamps are in nanoseconds on any origin (GstClockTime running time, say). Durations in the
 * track timescale are differences of rebased, rounded DTS, so tfdt stays continuous without drift.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define HKSV_FMP4_MAX_TRACKS 2

typedef enum {
  HKSV_CODEC_H264,    /* avc1 + avcC (codec_data = AVCDecoderConfigurationRecord) */
  HKSV_CODEC_H265,    /* hvc1 + hvcC (codec_data = HEVCDecoderConfigurationRecord) */
  HKSV_CODEC_AAC_LC,  /* mp4a + esds (codec_data = AudioSpecificConfig, object type 2) */
  HKSV_CODEC_AAC_ELD, /* mp4a + esds (codec_data = AudioSpecificConfig, object type 39) */
} HksvCodec;

typedef struct {
  HksvCodec codec;
  GBytes *codec_data;          /* required; the writer takes its own reference */
  guint width, height;         /* video: coded size for tkhd and the sample entry */
  guint sample_rate, channels; /* audio */
  guint32 timescale;           /* 0: 90000 for video, sample_rate for audio */
  guint32 bitrate;             /* audio: bit/s for esds (max and average); 0 = unknown */
} HksvTrackInfo;

typedef struct {
  gint64 dts;       /* ns; for audio, pts == dts */
  gint64 pts;       /* ns */
  guint64 duration; /* ns; 0 = unknown (taken from the next sample or the fragment end) */
  gboolean sync;    /* video: IDR / IRAP; audio: ignored (every AAC frame is a sync sample) */
  GBytes *data;     /* one access unit / AAC frame; the writer takes its own reference */
} HksvSample;

typedef struct {
  /* Runs of about this length (ns) alternate between the tracks in mdat. 0: one trun per traf.
   * The real camera writes ~500 ms runs. */
  guint64 interleave_ns;
} HksvFmp4Options;

typedef struct _HksvFmp4Writer HksvFmp4Writer;

/* NULL with `error` (HKSV_FMP4_ERROR) for an invalid track description: no tracks, more than
 * HKSV_FMP4_MAX_TRACKS, a video track that is not first, two video or two audio tracks, missing
 * or malformed codec_data, zero size / sample rate / channels. */
HksvFmp4Writer *hksv_fmp4_writer_new (
    const HksvTrackInfo *tracks, guint n_tracks, const HksvFmp4Options *options, GError **error);
void hksv_fmp4_writer_free (HksvFmp4Writer *writer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HksvFmp4Writer, hksv_fmp4_writer_free)

/* ftyp + moov. Can be called at any time, any number of times (same bytes each time). */
GBytes *hksv_fmp4_writer_init_segment (HksvFmp4Writer *writer);

/* Queues one sample of `track` (index into the tracks given to _new) for the next fragment.
 * The first sample of the recording on a video track must be a sync sample. FALSE with `error`
 * (nothing queued) for a DTS that does not increase on its track, a video PTS before its own DTS
 * or before the track's first DTS, an empty sample, a first video sample that is not sync, or
 * implausible times (a DTS 100 hours after the first, a PTS or duration over an hour). */
gboolean hksv_fmp4_writer_add_sample (
    HksvFmp4Writer *writer, guint track, const HksvSample *sample, GError **error);

/* Number of samples queued for the next fragment on `track`. */
guint hksv_fmp4_writer_queued (HksvFmp4Writer *writer, guint track);

/* Writes moof + mdat of every queued sample and empties the queue; NULL when nothing is queued.
 * A track without queued samples still gets its traf (tfhd + tfdt, no trun).
 * `end_ns` is the DTS (ns) at which the next fragment starts (the next video sync sample), used
 * for the duration of the video track's last sample when that sample had none; -1 when unknown
 * (the last sample then repeats the previous duration, or 1/30 s). An audio sample without a
 * duration lasts one AAC frame (1024 samples, 480/512 for AAC-ELD, from codec_data). Each
 * fragment's tfdt is the previous one's plus its durations; a first sample whose own DTS differs
 * from that (an estimated last duration) absorbs the difference in its own duration. */
GBytes *hksv_fmp4_writer_finish_fragment (HksvFmp4Writer *writer, gint64 end_ns);

/* The mfhd sequence number the next fragment will carry (1 for the first). */
guint32 hksv_fmp4_writer_next_sequence (HksvFmp4Writer *writer);

/* The timescale of `track` (mdhd; tfdt and durations are in it). */
guint32 hksv_fmp4_writer_timescale (HksvFmp4Writer *writer, guint track);

#define HKSV_FMP4_ERROR (hksv_fmp4_error_quark ())
GQuark hksv_fmp4_error_quark (void);

typedef enum {
  HKSV_FMP4_ERROR_INVALID_TRACK,
  HKSV_FMP4_ERROR_INVALID_CODEC_DATA,
  HKSV_FMP4_ERROR_INVALID_SAMPLE,
} HksvFmp4Error;

G_END_DECLS
