#!/usr/bin/env bash
# An RTSP camera, decoded, motion-analysed and re-encoded: one clip per motion event in OUT_DIR.
# Re-encoding lets hksvprebuffer put an IDR at every fragment boundary whatever the camera's
# GOP; pipelines/rtsp-remux.sh avoids the encoder when the camera's own GOP fits.
#
#   URL=rtsp://user:password@camera/stream1 pipelines/rtsp.sh
#   URL=rtsp://127.0.0.1:8554/test AUDIO=camera pipelines/rtsp.sh   # rtsp-test-server.py
#
# Settings (environment, with defaults): URL (required), LATENCY=200 (rtspsrc jitter buffer,
# ms), PROTOCOLS=tcp (tcp, udp or udp+tcp: TCP passes firewalls and loses nothing), WIDTH=1280
# HEIGHT=720 FPS=25 (the recording's; the camera's stream is scaled and its rate converted),
# AUDIO=insert (insert: hksvsink inserts silence; camera: the camera's audio track, whatever its
# codec, decoded and encoded to AAC: only when the stream has one, else the pipeline waits for it
# at the end; none: video only), and those of pipelines/common.sh.
# Stop with Ctrl-C: the open clip is finished. See docs/pipelines.md.
set -eu
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

: "${URL:?set URL to the rtsp:// address of the camera}"
: "${LATENCY:=200}"
: "${PROTOCOLS:=tcp}"
: "${WIDTH:=1280}"
: "${HEIGHT:=720}"
: "${FPS:=25}"
: "${AUDIO:=insert}"

fps=$(hksv_caps_fps "$FPS")
src="rtspsrc location=$URL latency=$LATENCY protocols=$PROTOCOLS name=src"
video="$src src. ! capsfilter caps=application/x-rtp,media=video ! decodebin ! queue ! videoconvert"
video="$video ! videoscale ! videorate ! video/x-raw,format=I420,width=$WIDTH,height=$HEIGHT"
video="$video,framerate=$fps ! hksvmotion $MOTION_OPTS ! $(hksv_encoder "$FPS")"
video="$video ! $(hksv_recorder "$(hksv_sink_audio_mode "$AUDIO")")"

case $AUDIO in
  camera) audio=$(hksv_audio_encode "src. ! capsfilter caps=application/x-rtp,media=audio ! decodebin ! queue") ;;
  insert | none) audio="" ;;
  *)
    echo "error: AUDIO must be insert, camera or none, not '$AUDIO'" >&2
    exit 2
    ;;
esac

hksv_find_plugin
hksv_run "$video" ${audio:+"$audio"}
