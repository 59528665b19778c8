/* hksvsink: what the files of the element share (not installed).
 *
 *   gsthksvsink.c           the element: properties, signals, state changes
 *   gsthksvsink-pads.c      the request pads: caps, buffers in running time, events
 *   gsthksvsink-sessions.c  the sessions: making, feeding and ending them, the session API
 *   gsthksvsink-delivery.c  the outboxes drained to callbacks, signals, pulls and files, and the
 *                           bus messages, never under the lock
 *   gsthksvsink-prebuffer.c the prebuffer hand-over from hksvprebuffer when a session starts
 *   gsthksvsink-clips.c     the standalone mode: one MP4 file per motion event
 *
 * One lock (GstHksvSink.lock) guards everything below; "_locked" functions and the ones said to
 * be "under the lock" are called with it held. */
#pragma once

#include <stdio.h>

#include "gst/hksv-motion-event.h"
#include "gst/recording-session.h"
#include "plugins/hksv/gsthksvsink.h"

G_BEGIN_DECLS

GST_DEBUG_CATEGORY_EXTERN (gst_hksv_sink_debug);
#define GST_CAT_DEFAULT gst_hksv_sink_debug

enum {
  SIGNAL_START_SESSION,
  SIGNAL_STOP_SESSION,
  SIGNAL_PULL_CHUNK,
  SIGNAL_NEW_CHUNK,
  SIGNAL_SESSION_ENDED,
  N_SIGNALS,
};

extern guint gst_hksv_sink_signals[N_SIGNALS];

/* What one request pad has received. */
typedef struct {
  GstPad *pad; /* NULL when not requested */
  GstSegment segment;
  gboolean have_caps;
  HksvTrackInfo track; /* owns codec_data, when have_caps */
  guint nal_length_size;
  gboolean have_last;
  gint64 last_time; /* running time of the last accepted buffer (video DTS, audio PTS) */
  gboolean eos;
} PadState;

/* How a session's chunks leave the element. */
typedef enum {
  KIND_CALLBACK,
  KIND_PULL,
  KIND_FILE,
} SessionKind;

/* A live sample that arrived while the session's prebuffer was being queried. */
typedef struct {
  gboolean video;
  HksvSample sample;
} HeldSample;

/* One recording session (a hub's, a pulled one, or a clip file). */
typedef struct {
  gint refcount;
  guint id;
  SessionKind kind;
  GstHksvSinkSessionConfig config;
  HksvRecordingSession *core;
  gboolean audio_live;      /* fed the audio pad's buffers */
  GBytes *audio_codec_data; /* of the live audio, to tell a caps change */
  GstClockTime start_time;  /* running time of the video when it started */

  /* While the prebuffer is queried: live samples are held, fed after the snapshot. */
  gboolean starting;
  GArray *held; /* HeldSample */
  gboolean have_snap_video, have_snap_audio;
  gint64 snap_video_end, snap_audio_end;

  GQueue outbox; /* HksvChunk* */
  guint64 outbox_bytes;
  gboolean overflowed; /* the outbox passed its bound: the session is lost */
  gboolean delivering;
  gboolean notify_new; /* pull: "new-chunk" to emit */

  gboolean ended, end_notified, listed;
  GstHksvSinkEndReason reason;
  HksvRecordingStats stats; /* at the end */

  GstHksvSinkSessionCallbacks callbacks;
  gpointer user_data;
  GDestroyNotify destroy;

  gchar *location;
  guint clip_index;
  FILE *file;
} Session;

struct _GstHksvSink {
  GstElement parent;

  GMutex lock; /* guards everything below */
  PadState video, audio;
  GList *sessions; /* Session*, each holding a reference */
  guint next_id;
  GQueue messages; /* GstMessage* to post, in order, after the lock is released */
  gboolean eos_pending;
  guint32 eos_seqnum;

  /* standalone mode */
  gboolean motion;
  GstClockTime clip_deadline; /* running time at which the post-motion time ends */
  Session *clip;              /* the open clip (also in `sessions`) */
  gboolean clip_pending;      /* start a clip (live) at the next opportunity */

  /* properties */
  gchar *location;
  guint index;
  guint post_motion_ms;
  guint max_recording_duration_ms;
  guint fragment_duration_ms;
  guint prebuffer_duration_ms;
  GstHksvSinkAudioMode audio_mode;
  guint audio_rate, audio_channels;
  guint64 max_queued_bytes;
};

/* ---- gsthksvsink-pads.c ---- */

GstPad *gst_hksv_sink_request_new_pad (
    GstElement *element, GstPadTemplate *templ, const gchar *name, const GstCaps *caps);
void gst_hksv_sink_release_pad (GstElement *element, GstPad *pad);
void gst_hksv_sink_pad_state_reset (PadState *ps);
void gst_hksv_sink_track_clear (HksvTrackInfo *track);
/* The codec_data of caps as bytes, NULL when absent or empty. */
GBytes *gst_hksv_sink_caps_codec_data (const GstStructure *s);
/* The buffer's bytes without a copy: the GBytes keeps it mapped and referenced. */
GBytes *gst_hksv_sink_buffer_bytes (GstBuffer *buffer);
/* Under the lock: whether the video pad's access unit `bytes` is a sync sample (an IDR / IRAP
 * access unit by its NAL unit types, gst/mp4-codec.h); FALSE (logged) when its NAL units do not
 * tile it or have forbidden_zero_bit set: a corrupt access unit, never written. */
gboolean gst_hksv_sink_video_sync (GstHksvSink *sink, GBytes *bytes, gboolean *sync);
/* Running DTS and PTS of a buffer (one stands in for the other when missing); the time that
 * orders the stream is the DTS for video, the PTS for audio. */
gboolean gst_hksv_sink_buffer_times (
    const GstSegment *segment, GstBuffer *buffer, gboolean video, gint64 *dts, gint64 *pts);

/* ---- gsthksvsink-sessions.c ---- */

/* Bus messages, posted in order by the next drain. */
void gst_hksv_sink_queue_message (GstHksvSink *sink, GstMessage *message);
void gst_hksv_sink_queue_warning (GstHksvSink *sink, const gchar *text, const gchar *debug);
/* The element's defaults (its properties) as a session configuration. */
void gst_hksv_sink_config_init_locked (GstHksvSink *sink, GstHksvSinkSessionConfig *config);
/* Running time of the newest video buffer (0 before the first). */
GstClockTime gst_hksv_sink_video_position (GstHksvSink *sink);

Session *gst_hksv_sink_session_ref (Session *s);
void gst_hksv_sink_session_unref (Session *s);
Session *gst_hksv_sink_find_session (GstHksvSink *sink, guint id);
/* Takes the session out of the list (and drops the list's reference). */
void gst_hksv_sink_unlist (GstHksvSink *sink, Session *s);
void gst_hksv_sink_outbox_clear (Session *s);
/* The "started" / "ended" (clips: "finished") element message of a session. */
GstMessage *gst_hksv_sink_session_message (GstHksvSink *sink, Session *s, gboolean started);

/* Makes and lists a session (a clip: opens its file too) and queues its "started" message,
 * under the lock. `ended_audio`: record the audio pad's track although the pad is at EOS (its
 * audio is in the prebuffer: gst_hksv_sink_ended_audio_prebuffered()). NULL with `error` when
 * it cannot start; `destroy` is then the caller's to call. */
Session *gst_hksv_sink_start_locked (GstHksvSink *sink, SessionKind kind,
    const GstHksvSinkSessionConfig *config, gboolean ended_audio,
    const GstHksvSinkSessionCallbacks *callbacks, gpointer user_data, GDestroyNotify destroy,
    GError **error);
/* Starts a session (the public API, the "start-session" signal and clips); its id, 0 when it
 * could not start (then `destroy` has been called). Takes the lock. */
guint gst_hksv_sink_start (GstHksvSink *sink, SessionKind kind,
    const GstHksvSinkSessionConfig *config, const GstHksvSinkSessionCallbacks *callbacks,
    gpointer user_data, GDestroyNotify destroy);
/* A sample for the session's core (the prebuffer's, or a live one past the snapshot). */
void gst_hksv_sink_session_push (
    GstHksvSink *sink, Session *s, gboolean video, const HksvSample *sample);
/* A live sample for one session: held while its prebuffer is queried, dropped when the
 * prebuffer held it. */
void gst_hksv_sink_session_feed (
    GstHksvSink *sink, Session *s, gboolean video, const HksvSample *sample);
void gst_hksv_sink_feed_all (GstHksvSink *sink, gboolean video, const HksvSample *sample);
void gst_hksv_sink_session_end (
    GstHksvSink *sink, Session *s, GstHksvSinkEndReason reason, gboolean end_of_stream);
void gst_hksv_sink_end_all (GstHksvSink *sink, GstHksvSinkEndReason reason, gboolean end_of_stream);
/* No more audio for the session (its audio pad is at EOS): cuts no longer wait for it. */
void gst_hksv_sink_session_end_audio (GstHksvSink *sink, Session *s);
void gst_hksv_sink_end_audio_all (GstHksvSink *sink);

/* ---- gsthksvsink-delivery.c ---- */

/* Delivers every session's queued chunks and notifications, then posts the queued messages.
 * Called after any locked work, without the lock. */
void gst_hksv_sink_drain (GstHksvSink *sink);

/* ---- gsthksvsink-prebuffer.c ---- */

/* Queries the prebuffer on `vpad` and `apad` (may be NULL) without the lock, then feeds it and
 * the live samples held meanwhile to `s` (marked `starting`, referenced by the caller). */
void gst_hksv_sink_take_prebuffer (GstHksvSink *sink, Session *s, GstPad *vpad, GstPad *apad);
/* Without the lock: whether the audio pad is at EOS with its caps' audio still in the prebuffer
 * upstream (a non-live pipeline: the audio ran ahead of the video and ended before the session
 * starts). Such a session records that audio rather than none. */
gboolean gst_hksv_sink_ended_audio_prebuffered (GstHksvSink *sink);

/* ---- gsthksvsink-clips.c ---- */

/* The file name of clip `index`; NULL with `error` for a pattern without exactly one integer
 * conversion. */
gchar *gst_hksv_sink_format_location (const gchar *pattern, guint index, GError **error);
/* Opens the next clip's file; NULL with `error`. */
FILE *gst_hksv_sink_clip_open (GstHksvSink *sink, gchar **location, guint *index, GError **error);
/* The file of a clip whose session could not start: closed and removed. */
void gst_hksv_sink_clip_discard (FILE *file, const gchar *location);
/* Session `s` records into `file`: it is the open clip now. Takes `location`. */
void gst_hksv_sink_clip_started (
    GstHksvSink *sink, Session *s, FILE *file, gchar *location, guint index);
/* Session `s` ended: when it was the open clip, the next one may start. */
void gst_hksv_sink_clip_ended (GstHksvSink *sink, Session *s);
/* Writes a chunk to the clip's file; FALSE with *write_error (errno) when it could not. */
gboolean gst_hksv_sink_clip_write (Session *s, const HksvChunk *chunk, gint *write_error);
/* Closes the clip's file: 0, or the errno of the failure. */
gint gst_hksv_sink_clip_close (Session *s);
/* A clip that failed to start is a fatal error for the standalone mode. */
void gst_hksv_sink_clip_failed (GstHksvSink *sink, GError *error);
/* A video buffer at `dts`: the clip whose post-motion time has passed ends, a pending one
 * starts. */
void gst_hksv_sink_clip_video_locked (GstHksvSink *sink, gint64 dts);
/* Starts the pending clip (without prebuffer), if there is one; NULL otherwise. */
Session *gst_hksv_sink_maybe_start_clip_locked (GstHksvSink *sink);
/* A motion event on the video pad. Takes the lock. */
void gst_hksv_sink_clip_motion (GstHksvSink *sink, const HksvMotionInfo *info);

G_END_DECLS
