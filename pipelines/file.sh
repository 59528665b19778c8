#!/usr/bin/env bash
# A media file as the camera: decoded, motion-analysed and re-encoded; one clip per motion event
# in OUT_DIR. For an H.264 file whose GOP already fits, pipelines/file-remux.sh records it
# without re-encoding.
#
#   FILE=recording.mkv pipelines/file.sh
#   FILE=in.mp4 WIDTH=1280 HEIGHT=720 FPS=25 LIVE=1 pipelines/file.sh
#
# Settings (environment, with defaults): FILE (required; any format decodebin plays), WIDTH,
# HEIGHT, FPS (empty: the file's), LIVE=0 (1: at the file's pace instead of as fast as
# possible), AUDIO=auto (auto: the file's audio when it has some, else inserted silence; file;
# insert: hksvsink inserts silence; none: video only), and those of pipelines/common.sh.
# See docs/pipelines.md.
set -eu
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

: "${FILE:?set FILE to the media file to record}"
: "${WIDTH:=}"
: "${HEIGHT:=}"
: "${FPS:=}"
: "${LIVE:=0}"
: "${AUDIO:=auto}"

if [ ! -r "$FILE" ]; then
  echo "error: cannot read FILE=$FILE" >&2
  exit 2
fi
if [ "$AUDIO" = auto ]; then
  if [ "$(hksv_file_audio "$FILE")" = none ]; then AUDIO=insert; else AUDIO=file; fi
fi

caps="video/x-raw,format=I420"
[ -n "$WIDTH" ] && caps="$caps,width=$WIDTH"
[ -n "$HEIGHT" ] && caps="$caps,height=$HEIGHT"
[ -n "$FPS" ] && caps="$caps,framerate=$(hksv_caps_fps "$FPS")"
pace=""
[ "$LIVE" = 1 ] && pace="! clocksync"

video="filesrc location=$FILE ! decodebin3 name=d"
video="$video d. ! capsfilter caps=video/x-raw ! queue $pace ! videoconvert ! videoscale ! videorate ! $caps"
# key-int-max from FPS, or 60 fps when the file's rate is kept: only an upper bound.
video="$video ! hksvmotion $MOTION_OPTS ! $(hksv_encoder "${FPS:-60}")"
video="$video ! $(hksv_recorder "$(hksv_sink_audio_mode "$AUDIO")")"

case $AUDIO in
  file) audio=$(hksv_audio_encode "d. ! capsfilter caps=audio/x-raw ! queue $pace") ;;
  insert | none) audio="" ;;
  *)
    echo "error: AUDIO must be auto, file, insert or none, not '$AUDIO'" >&2
    exit 2
    ;;
esac

hksv_find_plugin
hksv_run "$video" ${audio:+"$audio"}
