/* libgsthksv: one HomeKit Secure Video recording (pure: GLib only).
 *
 * A session is fed the video access units and AAC frames of one recording, with times in
 * nanoseconds on any common origin (hksvsink gives running times), and turns them into the
 * chunks of a dataSend stream (gst/hksv-chunk.h) through its own HksvFmp4Writer: the init
 * segment (data sequence 1) when it starts, then each fragment (2, 3, ...) when it is complete.
 *
 * Rules (PROTOCOL.md sections 5 and 7):
 * - The recording's time base is the DTS of its first video keyframe: video before it is dropped,
 *   and so is audio whose PTS is more than half a frame before it (the writer starts each track
 *   at tfdt 0, so the first audio frame is the one nearest to the first keyframe).
 * - A fragment starts at a keyframe and is cut at the first keyframe whose DTS is at or after
 *   `fragment_duration` less HKSV_FRAGMENT_TOLERANCE_MS (100 ms, gst/hksv-limits.h: received
 *   timestamps jitter) since the fragment's start; that keyframe starts the next fragment.
 * - Audio ahead of the video (a non-live pipeline's audio runs ahead; a prebuffer snapshot
 *   holds audio up to its newest) is held, whatever its lead, until the video reaches it, within
 *   `max_fragment_bytes` of held audio (beyond it the newest frames are dropped). Before the
 *   first keyframe, held audio is bounded to HKSV_RECORDING_MAX_HELD_AUDIO and that byte bound,
 *   the oldest frames dropped first.
 * - Audio with PTS before the cut belongs to the fragment. The cut waits until the audio has
 *   reached it (the newest frame's PTS + duration >= the cut), for at most `audio_wait` of video
 *   after the cut (HKSV_RECORDING_AUDIO_WAIT_DEFAULT = 1 s: far more than the audio/video skew of
 *   a live pipeline, well within the ~5 s a hub waits for a fragment). When the audio lags more
 *   than that, or has ended (hksv_recording_session_end_audio()), or is not live, the fragment is
 *   cut without it; audio arriving later goes into the next fragment.
 * - Silence: when `silence` (one silent frame of the audio track's format) is given, every part of
 *   the audio track that is still empty when a fragment is cut (never any real audio, audio that
 *   stopped, a gap) is filled with that frame, repeated back to back at the nominal frame
 *   duration from where the audio ended. With `audio_live` FALSE (no audio source at all) this
 *   happens at once at every cut, without waiting. Real audio that overlaps silence already
 *   written (PTS more than half a frame before the end of the audio written) is dropped, so the
 *   track switches from silence to real audio at the first frame after the silence, cleanly.
 * - `max_duration` (0 = none): the first video sample at or after that much since the time base
 *   ends the recording: the fragment is finished before it with endOfStream.
 * - hksv_recording_session_stop (TRUE): the current fragment is finished now with endOfStream
 *   (a cut already waiting for audio is made first); (FALSE): the samples not yet written are
 *   dropped and no endOfStream is sent.
 * - A fragment that grows beyond `max_fragment_bytes` (a source without keyframes) ends the
 *   session (HKSV_RECORDING_END_OVERFLOW) without endOfStream.
 *
 * Samples are not copied: the session keeps references to their GBytes until their fragment is
 * written. The chunk callback is called from within the call that completed the fragment
 * (start, push, end_audio, stop); it must not call back into the session. Not thread-safe.
 */
#pragma once

#include <glib.h>

#include "gst/chunker.h"
#include "gst/fmp4-writer.h"

G_BEGIN_DECLS

#define HKSV_RECORDING_AUDIO_WAIT_DEFAULT (G_GUINT64_CONSTANT (1000000000))
#define HKSV_RECORDING_MAX_FRAGMENT_BYTES_DEFAULT (64 * 1024 * 1024)
/* Audio held before the first keyframe is bounded to this span before the newest held frame;
 * older frames are dropped (they would fall before the time base). Audio held once the recording
 * has started (ahead of the video) has no time bound, only max_fragment_bytes. */
#define HKSV_RECORDING_MAX_HELD_AUDIO (G_GUINT64_CONSTANT (60000000000))

typedef struct {
  HksvTrackInfo video;
  gboolean has_audio;  /* the recording has an audio track (`audio`) */
  HksvTrackInfo audio; /* when has_audio */
  gboolean audio_live; /* real audio samples are expected (else silence only, never waited for) */
  GBytes *silence;     /* one silent frame of `audio`'s format, or NULL: no silence insertion */
  guint audio_frame_samples; /* samples per audio frame; 0: 1024 (AAC-LC) */
  guint64 fragment_duration; /* ns, > 0 */
  guint64 max_duration;      /* ns, 0: no limit */
  guint64 audio_wait;        /* ns, 0: HKSV_RECORDING_AUDIO_WAIT_DEFAULT */
  guint64 interleave;        /* ns, the writer's interleave_ns (0: one trun per track) */
  gsize max_chunk_size;      /* 0: HKSV_CHUNK_MAX_SIZE */
  gsize max_fragment_bytes;  /* 0: HKSV_RECORDING_MAX_FRAGMENT_BYTES_DEFAULT; also held audio's */
} HksvRecordingConfig;

typedef enum {
  HKSV_RECORDING_ACCEPTED, /* the sample will be written (or has been) */
  /* not used: video before the first keyframe, a time not after the previous one on its track,
   * PTS before DTS, audio before the time base or overlapping what was written, an empty
   * sample, or audio in a recording without an audio track */
  HKSV_RECORDING_DROPPED,
  /* the session has ended, or its end is set (max_duration reached: the final fragment may still
   * wait for its audio); the sample is not used */
  HKSV_RECORDING_ENDED,
} HksvRecordingPush;

typedef enum {
  HKSV_RECORDING_RUNNING,
  HKSV_RECORDING_END_STOPPED,      /* stop (TRUE): endOfStream sent when a fragment was open */
  HKSV_RECORDING_END_ABORTED,      /* stop (FALSE) */
  HKSV_RECORDING_END_MAX_DURATION, /* endOfStream sent */
  HKSV_RECORDING_END_OVERFLOW,     /* fragment beyond max_fragment_bytes; no endOfStream */
} HksvRecordingState;

typedef struct {
  gboolean started;  /* a keyframe has set the time base */
  gint64 time_base;  /* ns, DTS of the first keyframe (when started) */
  guint64 fragments; /* fragments written */
  guint64 chunks;    /* chunks emitted, init included */
  guint64 bytes;     /* bytes emitted, init included */
  guint64 duration;  /* ns of video written: end of the last fragment - time_base */
  guint64 video_samples, audio_samples, silent_samples; /* written */
  guint64 dropped_video, dropped_audio;
  gboolean end_of_stream_sent;
} HksvRecordingStats;

typedef struct _HksvRecordingSession HksvRecordingSession;

#define HKSV_RECORDING_ERROR (hksv_recording_error_quark ())
GQuark hksv_recording_error_quark (void);

typedef enum {
  HKSV_RECORDING_ERROR_INVALID_CONFIG,
} HksvRecordingError;

/* NULL with `error` (HKSV_FMP4_ERROR from the writer for the tracks, HKSV_RECORDING_ERROR for a
 * zero fragment duration or a silence frame without an audio track). `func` receives every
 * chunk. */
HksvRecordingSession *hksv_recording_session_new (
    const HksvRecordingConfig *config, HksvChunkFunc func, gpointer user_data, GError **error);
void hksv_recording_session_free (HksvRecordingSession *session);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HksvRecordingSession, hksv_recording_session_free)

/* Emits the init segment (one or more chunks of data sequence 1). Call once, before anything else
 * produces chunks (pushing samples before is allowed: fragments wait for it). */
void hksv_recording_session_start (HksvRecordingSession *session);

/* `sample->dts`/`pts` in ns on the session's origin; `sync` for keyframes. */
HksvRecordingPush hksv_recording_session_push_video (
    HksvRecordingSession *session, const HksvSample *sample);
/* `sample->pts` is the frame's time (dts is ignored); duration 0: the nominal frame duration. */
HksvRecordingPush hksv_recording_session_push_audio (
    HksvRecordingSession *session, const HksvSample *sample);
/* No more audio will come: cuts no longer wait for it. */
void hksv_recording_session_end_audio (HksvRecordingSession *session);

/* Ends the session (see above). TRUE when a chunk carried endOfStream. Does nothing (FALSE) on a
 * session that has already ended. */
gboolean hksv_recording_session_stop (HksvRecordingSession *session, gboolean end_of_stream);

HksvRecordingState hksv_recording_session_get_state (HksvRecordingSession *session);
void hksv_recording_session_get_stats (HksvRecordingSession *session, HksvRecordingStats *stats);
/* The nominal duration (ns) of one audio frame, 0 without an audio track. */
guint64 hksv_recording_session_audio_frame_duration (HksvRecordingSession *session);

G_END_DECLS
