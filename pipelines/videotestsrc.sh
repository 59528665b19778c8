#!/usr/bin/env bash
# A test camera: videotestsrc with a ball that appears, moves and disappears, so that motion
# starts and stops; one clip per appearance, prebuffer included, in OUT_DIR.
#
#   pipelines/videotestsrc.sh                     # 2 clips of 720p25 at 2 Mbit/s, in 40 s
#   WIDTH=1920 HEIGHT=1080 FPS=30 CYCLES=1 pipelines/videotestsrc.sh
#   LIVE=0 AUDIO=tone pipelines/videotestsrc.sh   # as fast as the machine can
#
# The scene is STILL_S seconds of a still (black) frame, then MOTION_S seconds of the moving
# ball, CYCLES times, then STILL_S seconds still again; then the pipeline ends (EOS). Each
# part is its own videotestsrc, joined by concat into one time line (identity single-segment:
# one segment, as a camera has; hksvprebuffer clears its ring on a new segment). The ball is
# drawn at 320 pixels wide and scaled to WIDTH x HEIGHT, so that it covers about 2 % of the frame
# at any size (hksvmotion's default min-area is 1 %).
#
# Settings (environment, with defaults): WIDTH=1280 HEIGHT=720 FPS=25 CYCLES=2 STILL_S=10
# MOTION_S=5 LIVE=1 (at the pace of a camera; 0: as fast as possible, see below) AUDIO=silence
# (silence: audiotestsrc silence encoded by voaacenc; tone: a quiet sine; insert: no audio
# source, hksvsink inserts silence; none: video only), and those of pipelines/common.sh (OUT_DIR,
# BITRATE, FRAGMENT_MS, PREBUFFER_MS, POST_MOTION_MS, ...).
#
# LIVE=0: nothing keeps the audio in step with the video: audiotestsrc and voaacenc deliver the
# whole audio before x264enc has put out its first frames. hksvprebuffer keeps that audio (up
# to 60 s of it while there is no video, then from its oldest GOP on) and hksvsink holds it
# until the video reaches it, so the clips get the source's audio as with LIVE=1.
# See docs/pipelines.md.
set -eu
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

: "${WIDTH:=1280}"
: "${HEIGHT:=720}"
: "${FPS:=25}"
: "${CYCLES:=2}"
: "${STILL_S:=10}"
: "${MOTION_S:=5}"
: "${LIVE:=1}"
: "${AUDIO:=silence}"

fps=$(hksv_caps_fps "$FPS")
total_s=$((CYCLES * (STILL_S + MOTION_S) + STILL_S))
mapfile -t parts < <(hksv_scene_parts "$WIDTH" "$HEIGHT" "$fps")

pace=""
live=""
if [ "$LIVE" = 1 ]; then
  pace="! clocksync"
  live="is-live=true"
fi

video="concat name=c ! identity single-segment=true $pace ! videoscale"
video="$video ! video/x-raw,width=$WIDTH,height=$HEIGHT ! hksvmotion $MOTION_OPTS"
video="$video ! $(hksv_encoder "$FPS") ! $(hksv_recorder "$(hksv_sink_audio_mode "$AUDIO")")"

# 20 ms audio buffers, as many as the video lasts, so that both streams end.
audio_src="audiotestsrc $live samplesperbuffer=$((AUDIO_RATE / 50)) num-buffers=$((total_s * 50))"
case $AUDIO in
  silence) audio=$(hksv_audio_encode "$audio_src wave=silence") ;;
  tone) audio=$(hksv_audio_encode "$audio_src wave=sine freq=440 volume=0.05") ;;
  insert | none) audio="" ;;
  *)
    echo "error: AUDIO must be silence, tone, insert or none, not '$AUDIO'" >&2
    exit 2
    ;;
esac

hksv_find_plugin
echo "# ${CYCLES} motion periods of ${MOTION_S} s; ${total_s} s of video at ${WIDTH}x${HEIGHT}@${fps}"
hksv_run "$video" ${audio:+"$audio"} "${parts[@]}"
