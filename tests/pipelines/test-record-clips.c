/* Pipeline tests: motion clips recorded to files by whole pipelines of real elements,
 *
 *   videotestsrc ! hksvmotion ! videoconvert ! x264enc ! h264parse ! hksvprebuffer ! hksvsink
 *   audiotestsrc ! voaacenc ! aacparse ! hksvprebuffer.audio_sink ... ! hksvsink.audio
 *
 * with a scripted scene: still (black) frames, then videotestsrc's moving ball, then still
 * again, each part its own videotestsrc with a fixed number of buffers joined by concat
 * (identity single-segment makes one time line of them, as a camera has), so that motion starts
 * and stops at known frames. clocksync paces both branches on a clock running SPEED times real
 * time, which keeps audio and video in step as in a live pipeline; the unpaced case runs as fast
 * as it can, its audio far ahead of the video (audiotestsrc and voaacenc are done before x264enc
 * has put out its first frames). Every clip must pass the
 * conformance checker, decode frame for frame with qtdemux + avdec and with ffprobe/ffmpeg, and
 * span what the rules say: from the forced keyframe that gives the prebuffer before the motion to
 * the post-motion time after it ended (tests/pipelines/clip-check.h). Variants: no audio source
 * (silence inserted), EOS in the middle of a clip, H.265, an open GOP (non-IDR I-frames flagged
 * as keyframes by h264parse), not paced. Audio from the source must decode to the sine in every
 * frame (but the encoder's first one), inserted silence to zeros. */
#include <gst/check/gstcheck.h>
#include <string.h>

#include "clip-check.h"

#define FPS 25
#define FRAME_NS (GST_SECOND / FPS)
#define FRAGMENT_MS 4000
#define PREBUFFER_MS 4000
#define POST_MOTION_MS 3000
#define AUDIO_RATE 16000
#define MS GST_MSECOND
/* the scene runs at SPEED times real time (clip-check.h: hksv_test_use_fast_clock) */
#define SPEED 4

#define X264 \
  "x264enc speed-preset=ultrafast tune=zerolatency key-int-max=200 bitrate=400 ! h264parse"
/* An open GOP: x264 makes every keyframe of its own (each second) a non-IDR I-frame with a
 * recovery point, which h264parse flags as a keyframe; only the forced IDRs may cut. */
#define X264_OPEN_GOP                                                                   \
  "x264enc speed-preset=ultrafast key-int-max=25 bframes=2 rc-lookahead=5 bitrate=400 " \
  "option-string=open-gop=1 ! h264parse"
#define X265 \
  "x265enc speed-preset=ultrafast tune=zerolatency key-int-max=200 bitrate=300 ! h265parse"

typedef struct {
  const gchar *name;
  const gchar *encoder;
  const gchar *encoder_factory; /* skipped when missing */
  gboolean audio_source;        /* audiotestsrc ! voaacenc ! aacparse on the audio pads */
  const gchar *sink_audio;      /* hksvsink audio= */
  guint scene[8];               /* seconds: still, ball, still, ball, ... (0 ends) */
  guint clips;                  /* clips expected */
  gboolean ends_in_motion;      /* the last clip is ended by EOS, not by the motion's end */
  /* frames the DTS lags the PTS (B-frames): hksvsink ends a clip at the first frame whose DTS
   * is past the post-motion time, so the clip holds that many frames more */
  guint reorder_frames;
  gboolean unpaced; /* no clocksync, no fast clock: as fast as the elements go */
} Case;

static const Case cases[] = {
  { "h264-aac", X264, "x264enc", TRUE, "auto", { 6, 3, 12, 3, 8 }, 2, FALSE },
  { "h264-no-audio-silence", X264, "x264enc", FALSE, "silence-if-missing", { 6, 3, 8 }, 1, FALSE },
  { "h264-eos-mid-clip", X264, "x264enc", TRUE, "auto", { 6, 4 }, 1, TRUE },
  { "h265-aac", X265, "x265enc", TRUE, "auto", { 6, 3, 7 }, 1, FALSE },
  { "h264-open-gop", X264_OPEN_GOP, "x264enc", TRUE, "auto", { 6, 3, 8 }, 1, FALSE, 2 },
  { "h264-aac-not-live", X264, "x264enc", TRUE, "auto", { 6, 3, 12, 3, 8 }, 2, FALSE, 0, TRUE },
};

static gchar *
describe (const Case *c, const gchar *dir, guint *total_s)
{
  GString *d = g_string_new (NULL);
  const gchar *caps = "video/x-raw,format=I420,width=320,height=240,framerate=25/1";

  *total_s = 0;
  g_string_append_printf (d,
      "concat name=c ! identity single-segment=true %s ! hksvmotion ! videoconvert ! %s ! "
      "hksvprebuffer name=pb duration=%u fragment-duration=%u ! "
      "hksvsink name=s location=%s/clip-%%05d.mp4 fragment-duration=%u prebuffer-duration=%u "
      "post-motion=%u audio=%s audio-rate=%u ",
      c->unpaced ? "" : "! clocksync", c->encoder, PREBUFFER_MS, FRAGMENT_MS, dir, FRAGMENT_MS,
      PREBUFFER_MS, POST_MOTION_MS, c->sink_audio, AUDIO_RATE);
  for (guint i = 0; c->scene[i]; i++) {
    g_string_append_printf (d, "videotestsrc pattern=%s num-buffers=%u ! %s ! c. ",
        i % 2 ? "ball" : "black", c->scene[i] * FPS, caps);
    *total_s += c->scene[i];
  }
  if (c->audio_source)
    /* 20 ms buffers, as long as the video */
    g_string_append_printf (d,
        "audiotestsrc wave=sine volume=0.2 samplesperbuffer=%u num-buffers=%u %s ! "
        "audio/x-raw,rate=%u,channels=1 ! voaacenc ! aacparse ! pb.audio_sink pb.audio_src ! "
        "s.audio",
        AUDIO_RATE / 50, *total_s * 50, c->unpaced ? "" : "! clocksync", AUDIO_RATE);
  return g_string_free (d, FALSE);
}

static void
test_record (gconstpointer data)
{
  const Case *c = data;
  g_autofree gchar *dir = NULL;
  g_autofree gchar *desc = NULL;
  GstElementFactory *factory = gst_element_factory_find (c->encoder_factory);
  GstElement *pipeline;
  HksvTestRun run;
  HksvMp4CheckOptions options = { .fragment_ms = FRAGMENT_MS, .audio = HKSV_MP4_AUDIO_YES };
  guint total_s, n_on = 0;
  GstClockTime on[4], off[4];

  if (!factory) {
    g_test_skip_printf ("no %s element", c->encoder_factory);
    return;
  }
  gst_object_unref (factory);
  dir = hksv_test_make_dir ();
  desc = describe (c, dir, &total_s);
  g_test_message ("%s", desc);
  pipeline = hksv_test_pipeline (desc);
  if (!c->unpaced)
    hksv_test_use_fast_clock (pipeline, SPEED);
  hksv_test_run (pipeline, 120, &run);
  gst_object_unref (pipeline);
  g_assert_null (run.error);
  g_assert_true (run.eos);

  /* motion on when the ball appears, off hold-time (2 s) after it disappears */
  for (guint i = 0; i < run.motion->len; i++) {
    const HksvTestMotion *m = &g_array_index (run.motion, HksvTestMotion, i);

    g_test_message (
        "motion %s at %" GST_TIME_FORMAT, m->on ? "on" : "off", GST_TIME_ARGS (m->running_time));
    g_assert_cmpint (m->on, ==, i % 2 == 0);
    g_assert_cmpuint (i / 2, <, G_N_ELEMENTS (on));
    if (m->on)
      on[n_on++] = m->running_time;
    else
      off[n_on - 1] = m->running_time;
  }
  g_assert_cmpuint (n_on, ==, c->clips);
  {
    guint t = 0, k = 0;
    for (guint i = 0; c->scene[i]; i++) {
      if (i % 2) {
        /* detected within 300 ms (docs/elements/hksvmotion.md), off within the hold time + 400 */
        g_assert_cmpuint (on[k], >=, t * GST_SECOND);
        g_assert_cmpuint (on[k], <=, t * GST_SECOND + 300 * MS);
        if (c->scene[i + 1]) {
          guint64 gone = (guint64) (t + c->scene[i]) * GST_SECOND;
          g_assert_cmpuint (off[k], >=, gone);
          g_assert_cmpuint (off[k], <=, gone + 2400 * MS);
        }
        k++;
      }
      t += c->scene[i];
    }
  }

  g_assert_cmpuint (run.clips->len, ==, c->clips);
  for (guint i = 0; i < run.clips->len; i++) {
    const HksvTestClip *clip = g_ptr_array_index (run.clips, i);
    gboolean last = i + 1 == run.clips->len;
    HksvTestClipInfo info;
    GstClockTime end, start, duration, grid;
    gint expected_reason = last && c->ends_in_motion ? 2 /* eos */ : 8 /* motion-ended */;

    g_test_message ("clip %s", clip->location);
    g_assert_true (clip->finished);
    g_assert_cmpuint (clip->index, ==, i);
    g_assert_cmpint (clip->reason, ==, expected_reason);
    hksv_test_check_clip (clip->location, &options, NULL, &info);
    g_test_message ("  video %.3f s (%" G_GUINT64_FORMAT " frames, %u fragments), audio %.3f s, "
                    "%" G_GUINT64_FORMAT " bytes in %" G_GUINT64_FORMAT " frames",
        info.video_s, info.video_samples, info.fragments, info.audio_s, info.audio_bytes,
        info.audio_samples);
    g_assert_cmpint (info.video_codec, ==,
        strstr (c->encoder, "265") ? HKSV_MP4_CODEC_H265 : HKSV_MP4_CODEC_H264);
    g_assert_cmpuint (info.width, ==, 320);
    g_assert_cmpuint (info.height, ==, 240);
    duration = (GstClockTime) (info.video_s * GST_SECOND + 0.5);
    g_assert_cmpuint (duration, ==, info.video_samples * FRAME_NS);
    g_assert_cmpint (ABS ((gint64) clip->duration_ns - (gint64) duration), <=, FRAME_NS);
    /* one forced IDR per fragment */
    g_assert_cmpuint (info.video_sync_samples, ==, info.fragments);

    /* The span: to the post-motion time after the motion ended (the first frame at or after
     * it) or to the end of the stream, from a keyframe of the forced grid (every FRAGMENT_MS
     * from the stream's start): the latest one with at least PREBUFFER_MS before the motion.
     * Only the duration is measured (the clip's time starts at 0), so the start is the end
     * minus the duration, within the end's frame. */
    end = last && c->ends_in_motion ? (GstClockTime) total_s * GST_SECOND
                                    : off[i] + POST_MOTION_MS * MS + c->reorder_frames * FRAME_NS;
    g_assert_cmpuint (end, >=, duration);
    start = end - duration;
    grid = (start + FRAGMENT_MS * MS / 2) / (FRAGMENT_MS * MS) * (FRAGMENT_MS * MS);
    g_test_message ("  from %" GST_TIME_FORMAT " to %" GST_TIME_FORMAT
                    ", motion from %" GST_TIME_FORMAT,
        GST_TIME_ARGS (start), GST_TIME_ARGS (end), GST_TIME_ARGS (on[i]));
    g_assert_cmpint (ABS ((gint64) start - (gint64) grid), <=, 2 * (gint64) FRAME_NS);
    g_assert_cmpuint (grid + PREBUFFER_MS * MS, <=, on[i]);
    g_assert_cmpuint (grid + (PREBUFFER_MS + FRAGMENT_MS) * MS, >, on[i]);

    /* the audio track: as long as the video (within an AAC frame and a video frame) */
    g_assert_true (info.has_audio);
    g_assert_cmpuint (info.audio_rate, ==, AUDIO_RATE);
    g_assert_cmpfloat (ABS (info.audio_s - info.video_s), <=, 1024.0 / AUDIO_RATE + 0.041);
    g_test_message ("  %" G_GUINT64_FORMAT " silent audio frames", info.audio_silent_frames);
    if (c->audio_source) {
      /* the sine, not inserted silence (4 bytes a frame, decoded to zeros): every frame but
       * voaacenc's first (its priming, in the clip that starts with the stream) */
      g_assert_cmpuint (info.audio_bytes, >, info.audio_samples * 20);
      g_assert_cmpuint (info.audio_silent_frames, <=, start < FRAGMENT_MS * MS / 2 ? 1 : 0);
    } else {
      g_assert_cmpuint (info.audio_bytes, <=, info.audio_samples * 8);
      g_assert_cmpuint (info.audio_silent_frames, ==, info.audio_samples);
    }
  }
  hksv_test_run_clear (&run);
  hksv_test_remove_dir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  gst_check_init (&argc, &argv);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree gchar *path = g_strdup_printf ("/pipelines/record-clips/%s", cases[i].name);
    g_test_add_data_func (path, &cases[i], test_record);
  }
  return g_test_run ();
}
