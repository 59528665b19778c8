#!/usr/bin/env bash
# Writes a test recording for file.sh and file-remux.sh: the scene of videotestsrc.sh (a ball
# appearing CYCLES times) in H.264 with an IDR every FRAGMENT_MS and no other keyframe (the GOP
# a remux-only path needs), and AAC audio (a quiet tone), in MP4 (or Matroska, MPEG-TS, raw
# H.264 by the extension of OUT).
#
#   OUT=test.mp4 pipelines/make-test-file.sh
#   OUT=test.mp4 WIDTH=1920 HEIGHT=1080 FPS=30 pipelines/make-test-file.sh
#
# Settings (environment, with defaults): OUT=test.mp4 WIDTH=1280 HEIGHT=720 FPS=25 CYCLES=3
# STILL_S=10 MOTION_S=5 GOP_MS=$FRAGMENT_MS (the keyframe interval; make it differ to see what
# the checker says about a GOP that does not fit) AUDIO=1 (0: no audio track), and BITRATE,
# PROFILE, FRAGMENT_MS, AUDIO_RATE, AUDIO_BITRATE of pipelines/common.sh.
set -eu
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

: "${OUT:=test.mp4}"
: "${WIDTH:=1280}"
: "${HEIGHT:=720}"
: "${FPS:=25}"
: "${CYCLES:=3}"
: "${STILL_S:=10}"
: "${MOTION_S:=5}"
: "${GOP_MS:=$FRAGMENT_MS}"
: "${AUDIO:=1}"

fps=$(hksv_caps_fps "$FPS")
gop=$(awk -v f="$fps" -v ms="$GOP_MS" 'BEGIN { split(f, p, "/"); printf "%d", p[1] / p[2] * ms / 1000 + 0.5 }')
total_s=$((CYCLES * (STILL_S + MOTION_S) + STILL_S))
mapfile -t parts < <(hksv_scene_parts "$WIDTH" "$HEIGHT" "$fps")

case $OUT in
  *.mp4 | *.mov) mux="mp4mux name=m" ;;
  *.mkv) mux="matroskamux name=m" ;;
  *.ts) mux="mpegtsmux name=m" ;;
  *.h264 | *.264) mux="" ;;
  *)
    echo "error: OUT must end in .mp4, .mov, .mkv, .ts or .h264" >&2
    exit 2
    ;;
esac

# A fixed GOP: keyint = min-keyint = gop frames and no scene-cut keyframes.
video="concat name=c ! identity single-segment=true ! videoscale"
video="$video ! video/x-raw,width=$WIDTH,height=$HEIGHT ! x264enc speed-preset=veryfast"
video="$video bitrate=$BITRATE key-int-max=$gop option-string=min-keyint=$gop:scenecut=0"
video="$video ! video/x-h264,profile=$PROFILE ! h264parse"
if [ -n "$mux" ]; then
  video="$video ! queue ! $mux ! filesink location=$OUT"
  audio=""
  if [ "$AUDIO" = 1 ]; then
    audio="audiotestsrc wave=sine freq=440 volume=0.05 samplesperbuffer=$((AUDIO_RATE / 50))"
    audio="$audio num-buffers=$((total_s * 50)) ! audio/x-raw,rate=$AUDIO_RATE,channels=1"
    audio="$audio ! voaacenc bitrate=$AUDIO_BITRATE ! aacparse ! queue ! m."
  fi
else
  video="$video ! video/x-h264,stream-format=byte-stream ! filesink location=$OUT"
  audio=""
fi

echo "# ${total_s} s, ${WIDTH}x${HEIGHT}@${fps}, an IDR every ${gop} frames, into $OUT"
PRINT_ONLY=${PRINT_ONLY:-0} OUT_DIR=$(dirname "$OUT") hksv_run "$video" ${audio:+"$audio"} "${parts[@]}"
