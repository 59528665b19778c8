/* libgsthksv: what the files of the conformance checker (mp4-check.h) share.
 *
 *   mp4-check.c           the rules table, reporting, the checker's API and file input
 *   mp4-check-init.c      the init segment: parsing and its rules
 *   mp4-check-fragment.c  fragments: parsing moof, traf and trun into samples
 *   mp4-check-samples.c   the rules of a fragment: tracks, timing, sample data, mdat layout
 *   mp4-check-video.c     the rules of the video bitstream: NAL units, IDR and sync flags,
 *                         presentation times
 *   mp4-check-chunks.c    the dataSend chunk stream: its rules and the sequences it assembles
 */
#pragma once

#include "gst/mp4-box-reader.h"
#include "gst/mp4-check.h"
#include "gst/mp4-codec.h"

G_BEGIN_DECLS

#define FOURCC HKSV_FOURCC

/* The order of this enum is the order of `rules`. */
enum {
  R_BOX_INVALID,
  R_INIT_MISSING,
  R_INIT_LAYOUT,
  R_INIT_REPEATED,
  R_FTYP_MAJOR,
  R_FTYP_COMPATIBLE,
  R_MOOV_MVHD,
  R_MOOV_TRACK_COUNT,
  R_MOOV_AUDIO_MISSING,
  R_MOOV_AUDIO_UNEXPECTED,
  R_MOOV_EDTS,
  R_MOOV_SAMPLE_TABLE,
  R_MOOV_MVEX,
  R_MOOV_TREX,
  R_MOOV_TREX_DEFAULTS,
  R_MOOV_MEHD,
  R_TRAK_STRUCTURE,
  R_TRAK_TRACK_ID,
  R_TRAK_HANDLER,
  R_TRAK_TIMESCALE,
  R_TRAK_FLAGS,
  R_STSD_ENTRIES,
  R_STSD_CODEC,
  R_AVCC_INVALID,
  R_AVCC_SPS,
  R_AVCC_PPS,
  R_HVCC_INVALID,
  R_HVCC_PARAMETER_SETS,
  R_VIDEO_SIZE,
  R_VIDEO_SIZE_MISMATCH,
  R_ESDS_INVALID,
  R_ESDS_OBJECT_TYPE,
  R_ESDS_CONFIG_MISMATCH,
  R_FRAGMENT_LAYOUT,
  R_MOOF_STRUCTURE,
  R_MFHD_SEQUENCE,
  R_MOOF_TRAF_COUNT,
  R_TRAF_STRUCTURE,
  R_TFHD_BASE_IS_MOOF,
  R_TFHD_BASE_DATA_OFFSET,
  R_TFHD_SAMPLE_DESCRIPTION,
  R_TFHD_DEFAULT_FLAGS,
  R_TFDT_MISSING,
  R_TFDT_VERSION,
  R_TFDT_START,
  R_TFDT_DISCONTINUOUS,
  R_TRAF_EMPTY,
  R_TRUN_DATA_OFFSET,
  R_TRUN_OUTSIDE_MDAT,
  R_TRUN_OVERLAP,
  R_MDAT_UNUSED,
  R_TRUN_INTERLEAVE,
  R_SAMPLE_SIZE_ZERO,
  R_SAMPLE_DURATION_ZERO,
  R_SAMPLE_NAL_FRAMING,
  R_SAMPLE_NO_SLICE,
  R_FIRST_NOT_IDR,
  R_FIRST_NOT_SYNC,
  R_SAMPLE_IDR_NOT_SYNC,
  R_SAMPLE_NON_IDR_SYNC,
  R_FRAGMENT_SYNC_COUNT,
  R_FRAGMENT_DURATION,
  R_FRAGMENT_AV_DRIFT,
  R_SAMPLE_CTS,
  R_SAMPLE_ADTS,
  R_SAMPLE_AUDIO_NOT_SYNC,
  R_RECORDING_EMPTY,
  R_CHUNK_FIRST,
  R_CHUNK_TYPE,
  R_CHUNK_INIT_CHUNKS,
  R_CHUNK_SEQUENCE,
  R_CHUNK_NUMBER,
  R_CHUNK_LAST_FLAG,
  R_CHUNK_SIZE,
  R_CHUNK_TOTAL_SIZE,
  R_CHUNK_EOS,
  R_CHUNK_EOS_MISSING,
  R_PREBUFFER_SHORT,
  N_RULES
};

/* Refuse to model more samples than this in one fragment: a 4 s fragment holds a few hundred,
 * and a trun's 32-bit count costs its sender four bytes. */
#define MAX_SAMPLES_PER_FRAGMENT 20000
/* A recording has two tracks; more trafs than this in one moof are not modelled. */
#define MAX_TRAFS 16

#define TFHD_BASE_DATA_OFFSET 0x000001u
#define TFHD_SAMPLE_DESCRIPTION 0x000002u
#define TFHD_DEFAULT_DURATION 0x000008u
#define TFHD_DEFAULT_SIZE 0x000010u
#define TFHD_DEFAULT_FLAGS 0x000020u
#define TFHD_DEFAULT_BASE_IS_MOOF 0x020000u

/* Where each track's timeline stands across fragments. */
typedef struct {
  gboolean started;
  guint64 next_tfdt;
} HksvMp4TrackState;

struct _HksvMp4Checker {
  HksvMp4CheckOptions opt;
  GPtrArray *violations;
  gboolean ignored[N_RULES];
  guint64 last_seq[N_RULES];
  guint count[N_RULES];
  HksvMp4ViolationFunc func;
  gpointer func_data;

  gboolean have_init, init_usable, init_missing_reported;
  HksvMp4Init init;
  HksvMp4TrackState tracks[HKSV_MP4_CHECK_MAX_TRACKS];
  guint32 last_mfhd;
  guint64 next_file_seq;
  HksvMp4Summary summary;

  /* fragment length: checked when the next fragment shows it was not the last */
  gboolean pending;
  guint64 pending_seq;
  gdouble pending_ms, pending_frame_ms;

  /* chunk input */
  gboolean chunk_mode;
  guint64 last_seq_seen; /* 0 = none yet */
  gboolean assembling;
  guint64 cur_seq, cur_chunk;
  HksvChunkType cur_type;
  gint64 cur_total;
  GByteArray *cur_data;
  gint64 cur_last_arrival;
  gboolean done_valid;
  guint64 done_seq;
  gboolean eos_seen;
  gint64 init_arrival;
  gdouble burst_ms, burst_frame_ms;
  gboolean finished;
};

/* What a violation is about; with `checker` NULL only the last message is kept (the parse-only
 * functions turn it into their GError). */
typedef struct {
  HksvMp4Checker *checker;
  guint64 seq, chunk;
  gchar *last;
} HksvMp4CheckCtx;

/* ---- mp4-check.c ---- */

/* Reports a violation of `rule` (an R_ value), or keeps the message when parsing only. */
void hksv_mp4_check_report (HksvMp4CheckCtx *c, guint rule, const char *format, ...)
    G_GNUC_PRINTF (3, 4);
/* The next box of `it`; box.invalid is reported ("WHAT: why") when it is malformed. */
HksvBoxResult hksv_mp4_check_next_box (
    HksvMp4CheckCtx *c, HksvBoxIter *it, HksvBox *box, const char *what);
/* The first child of `parent` of `type` ("tkhd"), its children where hksv_box_children_skip()
 * says they start. */
gboolean hksv_mp4_check_find (const HksvBox *parent, const char *type, HksvBox *child);
gboolean hksv_mp4_track_is_video (const HksvMp4TrackInfo *t);
gboolean hksv_mp4_track_is_audio (const HksvMp4TrackInfo *t);
gdouble hksv_mp4_ticks_ms (guint64 ticks, guint32 timescale);

/* ---- mp4-check-init.c ---- */

/* An init segment as input: its rules, then (when usable) its tracks for the fragments. */
void hksv_mp4_check_init (HksvMp4Checker *k, HksvMp4CheckCtx *c, const guint8 *data, gsize len);

/* ---- mp4-check-fragment.c ---- */

/* Parses a fragment, reporting what breaks its structure; NULL when it has no moof and mdat
 * that parse. `init` NULL: no track is known. */
HksvMp4Fragment *hksv_mp4_check_parse_fragment (
    HksvMp4CheckCtx *c, const HksvMp4Init *init, const guint8 *data, gsize len);

/* ---- mp4-check-samples.c ---- */

/* A fragment as input: parsed, then checked against the init segment and the fragments before. */
void hksv_mp4_check_fragment (HksvMp4Checker *k, HksvMp4CheckCtx *c, const guint8 *data, gsize len);
/* The selected fragment length rule, once it is known whether the fragment is the last. */
void hksv_mp4_check_fragment_length (
    HksvMp4Checker *k, guint64 seq, gdouble ms, gdouble frame_ms, gboolean last);

/* ---- mp4-check-video.c ---- */

/* What the video rules keep over the samples of one video track in one fragment. */
typedef struct {
  GArray *pts; /* {presentation time, sample index}: duplicates are found once all are in */
  gint64 first_pts;
  guint syncs;
  gdouble frame_ms; /* the longest sample */
} HksvMp4VideoCheck;

void hksv_mp4_video_check_init (HksvMp4VideoCheck *v, guint n_samples);
/* The rules of sample `index` of `t`; `data` is the fragment (the sample's bytes are read when
 * `in_mdat`). */
void hksv_mp4_video_check_sample (HksvMp4VideoCheck *v, HksvMp4CheckCtx *c,
    const HksvMp4TrackInfo *ti, const HksvMp4Traf *t, guint index, const guint8 *data,
    gboolean in_mdat);
/* The rules over all the samples of the track (duplicate presentation times, sync count);
 * frees what `v` holds. */
void hksv_mp4_video_check_finish (HksvMp4VideoCheck *v, HksvMp4CheckCtx *c, const HksvMp4Traf *t);

/* ---- mp4-check-chunks.c ---- */

/* End of input: a sequence still being assembled is reported and checked as it is. */
void hksv_mp4_check_chunks_flush (HksvMp4Checker *k);
/* End of input: the rules of the chunk stream as a whole (endOfStream, prebuffer). */
void hksv_mp4_check_chunks_finish (HksvMp4Checker *k, HksvMp4CheckCtx *c);

G_END_DECLS
