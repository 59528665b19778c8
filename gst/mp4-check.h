/* libgsthksv: conformance checker for HKSV recordings (fragmented MP4 and its dataSend chunks).
 *
 * Checks every rule of PROTOCOL.md sections 5 (chunks) and 7 (media) plus the real camera's
 * layout (tests/data/reference-camera/; docs/fmp4.md lists every rule with what and why).
 * Pure (GLib only) and incremental: feed an init segment and fragments, or a whole recording, or
 * the HksvChunk stream a hub receives, as it arrives; violations accumulate, each with a stable
 * rule id, the data sequence number it is about and a message a user can act on. Never asserts
 * on input bytes. hksv-check (tools/) and hksv-hub run it; hksvsink's tests check their output
 * with it.
 *
 * Sequence numbers are those of dataSend: 1 is the init segment, 2, 3, ... the fragments. Input
 * given as files is numbered the same way (the n-th fragment is sequence n + 1).
 */
#pragma once

#include <glib.h>

#include "gst/hksv-chunk.h"
#include "gst/hksv-limits.h"

G_BEGIN_DECLS

#define HKSV_MP4_CHECK_MAX_TRACKS 4

typedef enum {
  HKSV_MP4_AUDIO_ANY, /* audio track optional */
  HKSV_MP4_AUDIO_YES, /* RecordingAudioActive = 1: an audio track is required */
  HKSV_MP4_AUDIO_NO,  /* no audio track allowed */
} HksvMp4AudioExpectation;

typedef struct {
  /* Selected fragment length (ms); every fragment but the last must last this long within
   * max(one video frame + 1 ms, HKSV_FRAGMENT_TOLERANCE_MS) (gst/hksv-limits.h), the last at
   * most that much longer. 0: not checked. */
  guint fragment_ms;
  HksvMp4AudioExpectation audio;
  /* Selected prebuffer length (ms): the fragments received at once after the init segment
   * (within `burst_ms` of its arrival) must hold at least this much video, within one frame.
   * 0: not checked. Needs chunks with arrival times (HksvChunk.arrival_us). */
  guint prebuffer_ms;
  guint burst_ms; /* 0: 1000 */
  /* TRUE: only the PROTOCOL.md rules (HKSV_MP4_RULE_PROTOCOL), not the rules that compare with
   * the real camera's layout (HKSV_MP4_RULE_LAYOUT). */
  gboolean lenient;
} HksvMp4CheckOptions;

typedef enum {
  HKSV_MP4_RULE_PROTOCOL, /* what PROTOCOL.md says hubs need */
  HKSV_MP4_RULE_LAYOUT,   /* where the real camera's layout differs; hubs may not care */
} HksvMp4RuleKind;

typedef struct {
  const gchar *id; /* stable, e.g. "fragment.first-sample-not-idr" */
  HksvMp4RuleKind kind;
  const gchar *what; /* one line for --help and the docs */
} HksvMp4Rule;

/* Every rule the checker knows, in a fixed order. */
const HksvMp4Rule *hksv_mp4_check_rules (guint *n_rules);

typedef struct {
  const gchar *rule; /* HksvMp4Rule.id (static) */
  HksvMp4RuleKind kind;
  guint64 sequence; /* 1 = init segment, 2.. fragments, 0 = the recording as a whole */
  guint64 chunk;    /* chunk number within the sequence, 0 when not about one chunk */
  gchar *message;
} HksvMp4Violation;

typedef struct {
  guint32 track_id;
  gboolean video;
  const gchar *codec; /* "H.264", "H.265", "AAC-LC", "AAC-ELD", or the sample entry type */
  guint width, height;
  guint profile, level;
  guint sample_rate, channels;
  guint32 timescale;
  guint64 samples, sync_samples, bytes;
  guint64 duration; /* track timescale */
} HksvMp4TrackSummary;

typedef struct {
  guint n_tracks;
  HksvMp4TrackSummary tracks[HKSV_MP4_CHECK_MAX_TRACKS];
  guint64 init_bytes;
  guint64 fragments;
  guint64 fragment_bytes;
  guint64 chunks;       /* chunk input only */
  GArray *fragment_ms;  /* gdouble: each fragment's video (else first track) duration in ms */
  gdouble prebuffer_ms; /* video received at once after the init segment; < 0: not measured */
} HksvMp4Summary;

typedef struct _HksvMp4Checker HksvMp4Checker;

typedef void (*HksvMp4ViolationFunc) (const HksvMp4Violation *violation, gpointer user_data);

/* `options` may be NULL (every rule, no fragment/prebuffer length, audio optional). */
HksvMp4Checker *hksv_mp4_checker_new (const HksvMp4CheckOptions *options);
void hksv_mp4_checker_free (HksvMp4Checker *checker);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HksvMp4Checker, hksv_mp4_checker_free)

/* Called for each violation as it is found (after it is stored). */
void hksv_mp4_checker_set_callback (
    HksvMp4Checker *checker, HksvMp4ViolationFunc func, gpointer user_data);
/* Stops reporting a rule (e.g. "chunk.end-of-stream-missing" when the hub closed the stream
 * itself). Unknown ids are ignored. */
void hksv_mp4_checker_ignore_rule (HksvMp4Checker *checker, const gchar *rule);

/* Input as files: an init segment (sequence 1), then fragments (2, 3, ...) in order; or one
 * whole recording (init segment then fragments; each moof starts a fragment). */
void hksv_mp4_checker_add_init (HksvMp4Checker *checker, const guint8 *data, gsize len);
void hksv_mp4_checker_add_fragment (HksvMp4Checker *checker, const guint8 *data, gsize len);
void hksv_mp4_checker_add_recording (HksvMp4Checker *checker, const guint8 *data, gsize len);

/* Input as a dataSend chunk stream, in the order received. Checks PROTOCOL.md section 5 and
 * assembles each sequence, checked as above once its last chunk is in. Do not mix with the
 * file input functions. */
void hksv_mp4_checker_add_chunk (HksvMp4Checker *checker, const HksvChunk *chunk);

/* End of input: checks what needs the whole recording (a pending incomplete sequence, the last
 * fragment's length, endOfStream, prebuffer, no fragments at all). Call once, then read. */
void hksv_mp4_checker_finish (HksvMp4Checker *checker);

guint hksv_mp4_checker_n_violations (HksvMp4Checker *checker);
const HksvMp4Violation *hksv_mp4_checker_violation (HksvMp4Checker *checker, guint index);
/* Whether some violation of `rule` was reported. */
gboolean hksv_mp4_checker_has_violation (HksvMp4Checker *checker, const gchar *rule);
const HksvMp4Summary *hksv_mp4_checker_summary (HksvMp4Checker *checker);

/* ---- parsed recordings (also used by tests to demux; no rule checks) ---- */

typedef enum {
  HKSV_MP4_CODEC_UNKNOWN,
  HKSV_MP4_CODEC_H264,
  HKSV_MP4_CODEC_H265,
  HKSV_MP4_CODEC_AAC,
} HksvMp4Codec;

typedef struct {
  guint32 track_id;
  guint32 handler;      /* fourcc: vide, soun */
  guint32 sample_entry; /* fourcc: avc1, hvc1, mp4a, ... */
  HksvMp4Codec codec;
  guint32 timescale;
  guint width, height; /* video: from the sample entry */
  guint profile, level;
  guint sample_rate, channels, audio_object_type; /* audio: from the AudioSpecificConfig */
  guint nal_length_size;                          /* video: from avcC / hvcC; 0 unknown */
  gboolean has_trex;
  guint32 trex_duration, trex_size, trex_flags;
} HksvMp4TrackInfo;

typedef struct {
  guint n_tracks;
  HksvMp4TrackInfo tracks[HKSV_MP4_CHECK_MAX_TRACKS];
} HksvMp4Init;

#define HKSV_MP4_SAMPLE_IS_NON_SYNC 0x00010000u

typedef struct {
  guint64 dts;      /* track timescale: tfdt + previous durations */
  gint64 cts;       /* composition offset */
  guint32 duration; /* track timescale */
  guint32 size;
  guint32 flags; /* ISO sample flags (HKSV_MP4_SAMPLE_IS_NON_SYNC) */
  gsize offset;  /* of the sample's data in the fragment's bytes */
  guint run;     /* index of its trun in the traf */
} HksvMp4Sample;

typedef struct {
  guint32 track_id;
  gint track; /* index in HksvMp4Init.tracks, -1 for an unknown track ID */
  guint32 tfhd_flags;
  gboolean has_tfdt;
  guint8 tfdt_version;
  guint64 tfdt;
  GArray *trun_flags; /* guint32 per trun: (version << 24) | flags */
  GArray *samples;    /* HksvMp4Sample */
} HksvMp4Traf;

typedef struct {
  guint32 sequence; /* mfhd */
  gsize moof_offset, moof_size;
  gsize mdat_offset, mdat_size; /* whole box, header included */
  gsize mdat_header_size;
  GPtrArray *trafs; /* HksvMp4Traf* */
} HksvMp4Fragment;

/* Parses an init segment. FALSE with `error` (HKSV_BOX_ERROR) when it is not usable (no moov,
 * malformed boxes). */
gboolean hksv_mp4_init_parse (const guint8 *data, gsize len, HksvMp4Init *init, GError **error);
/* Parses one fragment (moof + mdat) against `init`; NULL with `error` when it is malformed. */
HksvMp4Fragment *hksv_mp4_fragment_parse (
    const HksvMp4Init *init, const guint8 *data, gsize len, GError **error);
void hksv_mp4_fragment_free (HksvMp4Fragment *fragment);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HksvMp4Fragment, hksv_mp4_fragment_free)

G_END_DECLS
