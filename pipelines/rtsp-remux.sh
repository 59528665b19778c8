#!/usr/bin/env bash
# An RTSP camera recorded without re-encoding (remux only): the camera's H.264 goes into the
# clips as it is; a decoded copy is analysed for motion (pipelines/remux-motion.sh). Costs a
# decoder instead of an encoder: many cameras per core (docs/benchmarks.md).
#
#   URL=rtsp://user:password@camera/stream1 pipelines/rtsp-remux.sh
#   URL=rtsp://127.0.0.1:8554/test AUDIO=camera pipelines/rtsp-remux.sh   # rtsp-test-server.py
#
# What the camera must send (set it in the camera's web page; nothing here can change it, as
# GstForceKeyUnit events cannot reach a remote encoder):
#   - H.264 (not H.265 for this script), Main or High profile;
#   - an I-frame interval equal to the fragment length: FPS x FRAGMENT_MS / 1000 frames (100 at
#     25 fps for 4 s fragments; often called "GOP", "I-frame interval" or "key frame interval"),
#     and no extra keyframes: switch off "smart codec", "H.264+", dynamic GOP, scene-change
#     I-frames. hksvsink cuts a fragment at the first keyframe at least FRAGMENT_MS (less
#     100 ms, for jittered timestamps) after the fragment's start: a longer GOP makes longer
#     fragments, an extra keyframe a longer fragment with two; `hksv-check --fragment-ms 4000`
#     on a clip reports both;
#   - a constant frame rate.
# h264parse turns the RTP payload into the stream-format=avc, alignment=au access units the
# recorder takes, and puts the SPS/PPS (from the SDP's sprop-parameter-sets or in band) into
# codec_data (the init segment's avcC). config-interval stays at its default (0): the parameter
# sets the camera sends in band stay in band, and hubs read them from avcC anyway. A camera that
# changes its SPS mid-stream (new resolution) ends the clip being recorded (caps-changed).
#
# Settings (environment, with defaults): URL (required), MOTION_URL (optional: a second stream of
# the same camera, e.g. its low-resolution substream, to analyse instead of decoding the
# recorded one; H.264), LATENCY=200, PROTOCOLS=tcp, AUDIO=insert (insert: hksvsink inserts
# silence; camera-aac: the camera's AAC (MPEG4-GENERIC) track as it is; camera: the camera's
# audio whatever its codec (G.711, ...) decoded and encoded to AAC; both only when the stream
# has audio; none: video only), MOTION_WIDTH=320 MOTION_HEIGHT=180, and those of
# pipelines/common.sh. Stop with Ctrl-C. See docs/pipelines.md.
set -eu
here=$(dirname "${BASH_SOURCE[0]}")
. "$here/common.sh"
. "$here/remux-motion.sh"

: "${URL:?set URL to the rtsp:// address of the camera}"
: "${MOTION_URL:=}"
: "${LATENCY:=200}"
: "${PROTOCOLS:=tcp}"
: "${AUDIO:=insert}"

video="rtspsrc location=$URL latency=$LATENCY protocols=$PROTOCOLS name=src"
video="$video src. ! capsfilter caps=application/x-rtp,media=video,encoding-name=H264 ! rtph264depay"
video="$video ! h264parse ! video/x-h264,stream-format=avc,alignment=au ! tee name=t"
if [ -n "$MOTION_URL" ]; then
  motion_src="rtspsrc location=$MOTION_URL latency=$LATENCY protocols=$PROTOCOLS name=msrc"
  motion_src="$motion_src msrc. ! capsfilter caps=application/x-rtp,media=video,encoding-name=H264"
  motion_src="$motion_src ! rtph264depay ! h264parse"
  motion=$(hksv_motion_branch "$motion_src")
else
  motion=$(hksv_motion_branch t.)
fi

case $AUDIO in
  camera-aac)
    audio=$(hksv_audio_remux \
      "src. ! capsfilter caps=application/x-rtp,media=audio,encoding-name=MPEG4-GENERIC ! rtpmp4gdepay ! queue")
    ;;
  camera) audio=$(hksv_audio_encode "src. ! capsfilter caps=application/x-rtp,media=audio ! decodebin ! queue") ;;
  insert | none) audio="" ;;
  *)
    echo "error: AUDIO must be insert, camera-aac, camera or none, not '$AUDIO'" >&2
    exit 2
    ;;
esac

hksv_find_plugin
hksv_run "$video" "$(hksv_remux_recorder "$(hksv_sink_audio_mode "$AUDIO")")" "$motion" \
  ${audio:+"$audio"}
