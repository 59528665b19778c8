/* Helpers of the pipeline tests (tests/pipelines): run a gst_parse_launch pipeline to its end
 * while collecting the hksv elements' bus messages, and check a recorded clip three independent
 * ways: the conformance checker (gst/mp4-check.h, in process), GStreamer (qtdemux and the avdec
 * decoders, every frame counted) and FFmpeg (ffprobe -count_frames, ffmpeg decoding to null). */
#pragma once

#include <gst/gst.h>

#include "gst/mp4-check.h"

G_BEGIN_DECLS

typedef struct {
  gchar *location;
  guint index;
  gboolean finished;
  gint reason;         /* GstHksvSinkEndReason of "finished" */
  guint64 started_rt;  /* running-time of "started" */
  guint64 duration_ns; /* duration of "finished": video written */
} HksvTestClip;

typedef struct {
  gboolean on;
  guint64 running_time;
} HksvTestMotion;

typedef struct {
  GPtrArray *clips; /* HksvTestClip*, in the order they started */
  GArray *motion;   /* HksvTestMotion, as reported by hksvmotion */
  gboolean eos;
  gchar *error; /* the first error message, NULL when none */
} HksvTestRun;

/* gst_parse_launch; fails the test when the description does not parse. */
GstElement *hksv_test_pipeline (const gchar *description);

/* Makes `pipeline` run on a clock `rate` times as fast as the monotonic system clock. With
 * clocksync in each branch of a pipeline of non-live sources, the branches then stay in step as
 * those of a live pipeline do, at `rate` times real time. (Unpaced, audiotestsrc and voaacenc
 * deliver the whole audio before x264enc has put out its first frames: hksvprebuffer and
 * hksvsink keep it until the video reaches it.) */
void hksv_test_use_fast_clock (GstElement *pipeline, guint rate);

/* Sets PLAYING, polls the bus until EOS, an error or `timeout_s`, then sets NULL (which
 * finishes any open clip). Fills `run` (clear it with hksv_test_run_clear()). */
void hksv_test_run (GstElement *pipeline, guint timeout_s, HksvTestRun *run);
void hksv_test_run_clear (HksvTestRun *run);

typedef struct {
  HksvMp4Codec video_codec;
  guint width, height;
  guint64 video_samples, video_sync_samples;
  gdouble video_s;
  gboolean has_audio;
  guint audio_rate;
  guint64 audio_samples, audio_bytes;
  /* decoded (qtdemux + avdec_aac) audio frames whose every sample is below 1/1000 of full
   * scale: inserted silence (or an encoder's priming frame) */
  guint64 audio_silent_frames;
  gdouble audio_s;
  guint fragments;
  gdouble fragment_ms[64]; /* the first 64 fragments' lengths (the checker's) */
} HksvTestClipInfo;

/* Checks the clip at `path`: no violation of the checker with `options` (printed when there are;
 * the rules of the NULL-terminated `ignore` are not checked),
 * qtdemux + avdec decode as many video (and audio) frames as the checker counts samples (the
 * silent audio frames counted), ffprobe
 * finds the same streams, frame counts and durations (within one frame) and ffmpeg decodes it
 * without an error. Fills `info` from the checker's summary. */
void hksv_test_check_clip (const gchar *path, const HksvMp4CheckOptions *options,
    const gchar *const *ignore, HksvTestClipInfo *info);

/* A fresh temporary directory for a test's clips (removed with its files by
 * hksv_test_remove_dir()). */
gchar *hksv_test_make_dir (void);
void hksv_test_remove_dir (const gchar *dir);

G_END_DECLS
