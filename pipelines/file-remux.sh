#!/usr/bin/env bash
# An H.264 file recorded without re-encoding (remux only): its access units go into the clips
# as they are; a decoded copy is analysed for motion (pipelines/remux-motion.sh).
#
#   FILE=camera.mp4 pipelines/file-remux.sh
#
# The file's own GOP must suit HKSV: an IDR every FRAGMENT_MS exactly (fps x 4 frames for 4 s
# fragments) and no other keyframes (no scene-cut IDRs). hksvsink cuts a fragment at the first
# keyframe at least FRAGMENT_MS (less 100 ms) after the fragment's start, so a longer GOP gives
# longer fragments and an extra keyframe a longer fragment with two; `hksv-check --fragment-ms
# 4000` reports both. Nothing can force a keyframe into a file: re-encode with pipelines/file.sh when
# the GOP does not fit.
#
# Settings (environment, with defaults): FILE (required: MP4, Matroska, MPEG-TS, FLV or raw
# H.264; parsebin demuxes it), LIVE=0 (1: at the file's pace), AUDIO=auto (auto: the file's
# AAC when it has AAC, its other audio re-encoded to AAC, else inserted silence; file; insert;
# none), MOTION_WIDTH=320 MOTION_HEIGHT=180, and those of pipelines/common.sh.
# See docs/pipelines.md.
set -eu
here=$(dirname "${BASH_SOURCE[0]}")
. "$here/common.sh"
. "$here/remux-motion.sh"

: "${FILE:?set FILE to the H.264 file to record}"
: "${LIVE:=0}"
: "${AUDIO:=auto}"

if [ ! -r "$FILE" ]; then
  echo "error: cannot read FILE=$FILE" >&2
  exit 2
fi
file_audio=$(hksv_file_audio "$FILE")
if [ "$AUDIO" = auto ]; then
  if [ "$file_audio" = none ]; then AUDIO=insert; else AUDIO=file; fi
fi
pace=""
[ "$LIVE" = 1 ] && pace="! clocksync"

video="filesrc location=$FILE ! parsebin name=d d. ! capsfilter caps=video/x-h264 ! queue $pace"
video="$video ! h264parse ! video/x-h264,stream-format=avc,alignment=au ! tee name=t"

case $AUDIO in
  file)
    if [ "$file_audio" = aac ]; then
      audio=$(hksv_audio_remux "d. ! capsfilter caps=audio/mpeg,mpegversion=4 ! queue $pace")
    else
      audio=$(hksv_audio_encode "d. ! queue $pace ! decodebin")
    fi
    ;;
  insert | none) audio="" ;;
  *)
    echo "error: AUDIO must be auto, file, insert or none, not '$AUDIO'" >&2
    exit 2
    ;;
esac

hksv_find_plugin
hksv_run "$video" "$(hksv_remux_recorder "$(hksv_sink_audio_mode "$AUDIO")")" \
  "$(hksv_motion_branch t.)" ${audio:+"$audio"}
