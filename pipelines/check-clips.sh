#!/usr/bin/env bash
# Checks recorded clips three independent ways: the HKSV conformance checker (hksv-check:
# the layout and rules a hub needs), ffprobe (FFmpeg's demuxer and decoder: streams, duration,
# every frame decoded), and GStreamer's qtdemux with avdec_h264 (frames decoded; also
# gst-discoverer-1.0 when installed).
#
#   pipelines/check-clips.sh clips/*.mp4
#   FRAGMENT_MS=4000 AUDIO_CHECK=yes pipelines/check-clips.sh clips/clip-00000.mp4
#
# Settings (environment, with defaults): FRAGMENT_MS=4000 (every fragment but the last must last
# this long), AUDIO_CHECK=yes (yes: an audio track is required; no; any), HKSV_CHECK (the
# checker; default: BUILD_DIR's tools/hksv-check, BUILD_DIR=build, else hksv-check on PATH).
# Exit status 0 when every clip passes everything, 1 otherwise.
set -u
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
: "${FRAGMENT_MS:=4000}"
: "${AUDIO_CHECK:=yes}"
: "${HKSV_CHECK:=$top/${BUILD_DIR:-build}/tools/hksv-check}"
[ -x "$HKSV_CHECK" ] || HKSV_CHECK=$(command -v hksv-check || true)

if [ $# -eq 0 ]; then
  echo "usage: $0 CLIP.mp4..." >&2
  exit 2
fi
failed=0
for clip in "$@"; do
  echo "== $clip"
  ok=1
  if [ -n "$HKSV_CHECK" ]; then
    "$HKSV_CHECK" --fragment-ms "$FRAGMENT_MS" --audio "$AUDIO_CHECK" "$clip" | sed 's/^/  /'
    [ "${PIPESTATUS[0]}" = 0 ] || ok=0
  else
    echo "  hksv-check not found (build tools/hksv-check or set HKSV_CHECK): skipped"
  fi
  if command -v ffprobe >/dev/null; then
    echo "  ffprobe:"
    ffprobe -v error -show_entries stream=codec_type,codec_name,profile,width,height,sample_rate,duration \
      -of compact=p=0 "$clip" | sed 's/^/    /'
    # every video frame decoded, no decoder error
    frames=$(ffprobe -v error -select_streams v:0 -count_frames \
      -show_entries stream=nb_read_frames -of csv=p=0 "$clip")
    errors=$(ffmpeg -v error -i "$clip" -f null - 2>&1 | wc -l)
    echo "    decoded video frames: $frames, decoder errors: $errors"
    [ "$errors" = 0 ] && [ "${frames:-0}" -gt 0 ] || ok=0
  fi
  gst_frames=$(gst-launch-1.0 filesrc location="$clip" ! qtdemux ! h264parse ! avdec_h264 \
    ! fakesink silent=false -v 2>/dev/null | grep -c 'fakesink0: last-message = chain')
  echo "  qtdemux + avdec_h264: $gst_frames frames decoded"
  [ "$gst_frames" -gt 0 ] || ok=0
  if [ -n "${frames:-}" ] && [ "$gst_frames" != "$frames" ]; then
    echo "  qtdemux and ffprobe disagree on the frame count"
    ok=0
  fi
  if command -v gst-discoverer-1.0 >/dev/null; then
    # its Duration is the first fragment's: the init segment says 0 (unknown), as a camera's
    gst-discoverer-1.0 "$clip" | sed -n 's/^ *\(video #\|audio #\)/  discoverer: \1/p'
  fi
  if [ "$ok" = 1 ]; then echo "  PASS"; else echo "  FAIL"; failed=1; fi
done
exit $failed
