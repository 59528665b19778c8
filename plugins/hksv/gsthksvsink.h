/* hksvsink: fragmented MP4 recordings of the encoded video (and AAC audio) for HomeKit Secure
 * Video, for any number of concurrent sessions (one per hub), or one file per motion event.
 *
 * The session API below is what hksvaccessory uses; applications can use the same through the
 * action signals (see docs/elements/hksvsink.md for both, the threading contract and the
 * messages). Includable from plugins/hksv/ and from tests.
 */
#pragma once

#include <gst/gst.h>

#include "gst/hksv-chunk.h"

G_BEGIN_DECLS

#define GST_TYPE_HKSV_SINK (gst_hksv_sink_get_type ())
G_DECLARE_FINAL_TYPE (GstHksvSink, gst_hksv_sink, GST, HKSV_SINK, GstElement)

GST_ELEMENT_REGISTER_DECLARE (hksvsink);

/* Whether a recording has an audio track (property `audio`, per session in its config). */
typedef enum {
  GST_HKSV_SINK_AUDIO_NONE,               /* never: video only */
  GST_HKSV_SINK_AUDIO_AUTO,               /* when the audio pad has caps at the session's start */
  GST_HKSV_SINK_AUDIO_SILENCE_IF_MISSING, /* always: the source's audio, silence where it has none
                                           */
} GstHksvSinkAudioMode;

#define GST_TYPE_HKSV_SINK_AUDIO_MODE (gst_hksv_sink_audio_mode_get_type ())
GType gst_hksv_sink_audio_mode_get_type (void);

/* Why a session ended. */
typedef enum {
  GST_HKSV_SINK_END_STOPPED,       /* gst_hksv_sink_stop_session() / "stop-session" */
  GST_HKSV_SINK_END_MAX_DURATION,  /* the maximum recording length was reached */
  GST_HKSV_SINK_END_EOS,           /* end of stream on the video pad */
  GST_HKSV_SINK_END_CAPS_CHANGED,  /* new caps (codec_data) on a pad the session records */
  GST_HKSV_SINK_END_FLUSHED,       /* a flush: the partial fragment was dropped */
  GST_HKSV_SINK_END_SHUTDOWN,      /* the element went to READY */
  GST_HKSV_SINK_END_SLOW_CONSUMER, /* the consumer fell behind (queue bound or callback FALSE) */
  GST_HKSV_SINK_END_ERROR,         /* no keyframes (fragment too large), a file write failed */
  GST_HKSV_SINK_END_MOTION_ENDED,  /* standalone mode: post-motion time elapsed */
} GstHksvSinkEndReason;

#define GST_TYPE_HKSV_SINK_END_REASON (gst_hksv_sink_end_reason_get_type ())
GType gst_hksv_sink_end_reason_get_type (void);

typedef struct {
  guint fragment_duration_ms; /* > 0 */
  guint max_duration_ms;      /* 0: no limit */
  guint prebuffer_ms;         /* prebuffer to take from hksvprebuffer; 0: none (live only) */
  GstHksvSinkAudioMode audio;
  /* Format of the silent track when `audio` is SILENCE_IF_MISSING and the audio pad has no caps
   * (AAC-LC; HKSV rates: 8000, 16000, 24000, 32000, 44100, 48000). */
  guint audio_rate, audio_channels;
  guint64 max_queued_bytes; /* bound of the session's queue (chunks not yet delivered) */
} GstHksvSinkSessionConfig;

/* The element's current defaults (its properties). */
void gst_hksv_sink_session_config_init (GstHksvSink *sink, GstHksvSinkSessionConfig *config);

/* Called for each chunk, in order, from the thread that completed it (the caller of
 * start_session for the init segment and the prebuffer, then a streaming thread, or the thread
 * that stops the session), never with the sink's lock held, never concurrently for one session.
 * Must not block: queue the chunk (hksv_chunk_copy() or a reference to chunk->data) and return.
 * Returning FALSE (the consumer's own queue is full) ends the session with
 * GST_HKSV_SINK_END_SLOW_CONSUMER. May call the session API, also for this session. */
typedef gboolean (*GstHksvSinkChunkFunc) (
    GstHksvSink *sink, guint session, const HksvChunk *chunk, gpointer user_data);

/* Called once per session after its last chunk. `end_of_stream_sent`: a chunk carried
 * endOfStream (FALSE when the session ended before any fragment, was aborted, flushed or lost).
 * Same thread rules as the chunk callback; `destroy` (user_data) follows it. */
typedef void (*GstHksvSinkEndedFunc) (GstHksvSink *sink, guint session, GstHksvSinkEndReason reason,
    gboolean end_of_stream_sent, gpointer user_data);

typedef struct {
  GstHksvSinkChunkFunc chunk;
  GstHksvSinkEndedFunc ended; /* may be NULL */
} GstHksvSinkSessionCallbacks;

/* Starts a recording session: queries the prebuffer on both pads, sends the init segment and the
 * complete prebuffer fragments before returning (from this thread), then each fragment as it is
 * complete. `config` NULL: the element's defaults. `callbacks` NULL: pull mode (chunks are queued
 * for gst_hksv_sink_pull_chunk(); the "new-chunk" and "session-ended" signals announce them).
 * Returns the session id (> 0), or 0 when it cannot start (no video caps yet, invalid
 * configuration); `destroy` is then called at once. Callbacks may run before this returns. */
guint gst_hksv_sink_start_session (GstHksvSink *sink, const GstHksvSinkSessionConfig *config,
    const GstHksvSinkSessionCallbacks *callbacks, gpointer user_data, GDestroyNotify destroy);

/* end_of_stream TRUE: the current fragment is finished now and sent with endOfStream;
 * FALSE: the session is aborted (the partial fragment is dropped). The ended callback follows.
 * FALSE when there is no such running session. */
gboolean gst_hksv_sink_stop_session (GstHksvSink *sink, guint session, gboolean end_of_stream);

/* Pull mode: the next queued chunk of `session` as a GstSample (buffer: the chunk's bytes; info:
 * an "hksv-chunk" structure with data-type, data-sequence-number, data-chunk-sequence-number,
 * is-last-data-chunk, data-total-size (-1 when absent), end-of-stream), or NULL when none is
 * queued. Never blocks. */
GstSample *gst_hksv_sink_pull_chunk (GstHksvSink *sink, guint session);

/* Sessions (of every kind, file clips included) not ended yet. */
guint gst_hksv_sink_get_n_sessions (GstHksvSink *sink);

G_END_DECLS
