#!/usr/bin/env bash
# A V4L2 camera (USB webcam, Raspberry Pi camera through its V4L2 driver, ...): captured,
# decoded when it sends MJPEG, motion-analysed and encoded; one clip per motion event in OUT_DIR.
#
#   pipelines/v4l2.sh
#   DEVICE=/dev/video2 WIDTH=1920 HEIGHT=1080 FPS=30 FORMAT=mjpeg pipelines/v4l2.sh
#   AUDIO=alsa AUDIO_DEVICE=hw:1 pipelines/v4l2.sh
#
# List what the camera offers with `v4l2-ctl -d /dev/video0 --list-formats-ext` (v4l-utils):
# most USB cameras give 720p and 1080p at 30 fps only as MJPEG, raw YUYV at low rates.
#
# Settings (environment, with defaults): DEVICE=/dev/video0 WIDTH=1280 HEIGHT=720 FPS=30
# FORMAT=auto (mjpeg: ask for image/jpeg and decode it with jpegdec; raw: ask for raw video;
# auto: whatever the camera gives at that size and rate, decoded by decodebin), AUDIO=insert
# (insert: no microphone, hksvsink inserts silence; alsa or pulse: a microphone, AUDIO_DEVICE
# for alsasrc device= or pulsesrc device=; none: video only), and those of pipelines/common.sh.
# Stop with Ctrl-C: the open clip is finished. See docs/pipelines.md.
set -eu
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

: "${DEVICE:=/dev/video0}"
: "${WIDTH:=1280}"
: "${HEIGHT:=720}"
: "${FPS:=30}"
: "${FORMAT:=auto}"
: "${AUDIO:=insert}"
: "${AUDIO_DEVICE:=}"

fps=$(hksv_caps_fps "$FPS")
size="width=$WIDTH,height=$HEIGHT,framerate=$fps"
case $FORMAT in
  mjpeg) capture="image/jpeg,$size ! jpegdec" ;;
  raw) capture="video/x-raw,$size" ;;
  auto) capture="decodebin" ;;
  *)
    echo "error: FORMAT must be auto, mjpeg or raw, not '$FORMAT'" >&2
    exit 2
    ;;
esac

video="v4l2src device=$DEVICE ! $capture ! videoconvert ! videoscale ! videorate"
video="$video ! video/x-raw,format=I420,$size ! hksvmotion $MOTION_OPTS"
video="$video ! $(hksv_encoder "$FPS") ! $(hksv_recorder "$(hksv_sink_audio_mode "$AUDIO")")"

case $AUDIO in
  alsa) audio=$(hksv_audio_encode "alsasrc ${AUDIO_DEVICE:+device=$AUDIO_DEVICE} ! queue") ;;
  pulse) audio=$(hksv_audio_encode "pulsesrc ${AUDIO_DEVICE:+device=$AUDIO_DEVICE} ! queue") ;;
  insert | none) audio="" ;;
  *)
    echo "error: AUDIO must be insert, alsa, pulse or none, not '$AUDIO'" >&2
    exit 2
    ;;
esac

if [ "$PRINT_ONLY" != 1 ] && [ ! -e "$DEVICE" ]; then
  echo "error: no camera at DEVICE=$DEVICE (v4l2-ctl --list-devices lists them)" >&2
  exit 1
fi
hksv_find_plugin
hksv_run "$video" ${audio:+"$audio"}
