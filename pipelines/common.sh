# Shared settings and helpers of the example pipelines (sourced by pipelines/*.sh, not run).
#
# Every setting is an environment variable with a default; docs/pipelines.md lists them. The
# helpers print pieces of a gst-launch-1.0 description (one branch each) and hksv_run prints the
# whole command, then runs it with -e (Ctrl-C closes the open clip cleanly).
#
# Values are split on spaces when the description is built: file names, URLs and element
# options must not contain spaces.

HKSV_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# ---- settings common to every script ----
: "${OUT_DIR:=clips}"                 # where the clips go
: "${CLIP_PATTERN:=clip-%05d.mp4}"    # file name, one integer conversion (the clip index)
: "${CLIP_INDEX:=0}"                  # number of the first clip
: "${FRAGMENT_MS:=4000}"              # fragment length = forced key-unit interval (HKSV: 4000)
: "${PREBUFFER_MS:=4000}"             # video before the motion in each clip (HKSV: 4000)
: "${POST_MOTION_MS:=5000}"           # how long a clip goes on after the motion ended
: "${MAX_RECORDING_MS:=180000}"       # longest clip (ms); 0 = no limit
: "${BITRATE:=2000}"                  # video bitrate, kbit/s
: "${PROFILE:=main}"                  # H.264 profile (caps after the encoder): main or high
: "${SPEED_PRESET:=veryfast}"         # x264enc speed-preset
: "${ENCODER_OPTS:=tune=zerolatency option-string=scenecut=0}" # more x264enc properties
: "${MOTION_OPTS:=}"                  # hksvmotion properties (e.g. min-area=0.005 sensitivity=60)
: "${AUDIO_RATE:=32000}"              # AAC sample rate (HKSV: 8000..48000; the camera 32000)
: "${AUDIO_BITRATE:=32000}"           # AAC bitrate, bit/s (voaacenc)
: "${GST_LAUNCH:=gst-launch-1.0}"
: "${PRINT_ONLY:=0}"                  # 1: print the command and exit
: "${VERBOSE:=0}"                     # 1: every bus message, not only hksv-* and errors

# A frame rate for caps ("25" -> "25/1", "30000/1001" as is).
hksv_caps_fps() {
  case $1 in
    */*) echo "$1" ;;
    *) echo "$1/1" ;;
  esac
}

# Two fragments' worth of frames at FPS (integer or N/D): x264enc's key-int-max, so that the
# key units hksvprebuffer forces are the only ones.
hksv_keyint() {
  awk -v fps="$1" -v ms="$FRAGMENT_MS" 'BEGIN {
    n = split(fps, p, "/"); f = (n == 2) ? p[1] / p[2] : p[1];
    printf "%d\n", f * ms / 1000 * 2 + 0.5 }'
}

# The encoder and parser for raw video at FPS frames per second (x264enc; see docs/pipelines.md
# for why tune=zerolatency or a small rc-lookahead).
hksv_encoder() {
  echo "x264enc speed-preset=$SPEED_PRESET key-int-max=$(hksv_keyint "$1") bitrate=$BITRATE" \
    "$ENCODER_OPTS ! video/x-h264,profile=$PROFILE ! h264parse"
}

# hksvprebuffer and hksvsink (named pb and s). $1: the sink's audio mode (auto,
# silence-if-missing, none); $2: extra hksvprebuffer properties (e.g. force-key-units=false).
hksv_recorder() {
  echo "hksvprebuffer name=pb duration=$PREBUFFER_MS fragment-duration=$FRAGMENT_MS ${2:-}" \
    "! hksvsink name=s location=$OUT_DIR/$CLIP_PATTERN index=$CLIP_INDEX" \
    "fragment-duration=$FRAGMENT_MS prebuffer-duration=$PREBUFFER_MS" \
    "post-motion=$POST_MOTION_MS max-recording-duration=$MAX_RECORDING_MS" \
    "audio=$1 audio-rate=$AUDIO_RATE"
}

# Raw audio from $1 (a description ending in raw audio) to AAC on the recorder's audio pads.
hksv_audio_encode() {
  echo "$1 ! audioconvert ! audioresample ! audio/x-raw,rate=$AUDIO_RATE,channels=1" \
    "! voaacenc bitrate=$AUDIO_BITRATE ! aacparse ! pb.audio_sink pb.audio_src ! s.audio"
}

# AAC already encoded from $1 to the recorder's audio pads (remux).
hksv_audio_remux() {
  echo "$1 ! aacparse ! pb.audio_sink pb.audio_src ! s.audio"
}

# The sink's audio mode for an AUDIO setting: the sink inserts silence when there is no source
# ("insert"), never records audio ("none"), else records the source's.
hksv_sink_audio_mode() {
  case $1 in
    insert) echo silence-if-missing ;;
    none) echo none ;;
    *) echo silence-if-missing ;;
  esac
}

# Whether a media file has an audio stream and which: prints "aac", "other" or "none".
hksv_file_audio() {
  local codec
  if command -v ffprobe >/dev/null; then
    codec=$(ffprobe -v error -select_streams a:0 -show_entries stream=codec_name \
      -of default=noprint_wrappers=1:nokey=1 "$1" 2>/dev/null | head -1)
  elif command -v gst-discoverer-1.0 >/dev/null; then
    codec=$(gst-discoverer-1.0 "$1" 2>/dev/null | sed -n 's/^ *audio #[0-9]*: //p' | head -1)
  else
    echo "warning: neither ffprobe nor gst-discoverer-1.0: assuming $1 has no audio" >&2
  fi
  case $codec in
    "") echo none ;;
    aac | *AAC*) echo aac ;;
    *) echo other ;;
  esac
}

# The test scene of videotestsrc.sh and make-test-file.sh, one concat input a line: STILL_S
# seconds of a still (black) frame, then MOTION_S seconds of videotestsrc's moving ball, CYCLES
# times, then STILL_S still again, drawn at 320 pixels wide (scale it up: the ball then covers
# about 2 % of the frame at any size). $1 $2: the final width and height, $3: caps frame rate.
# Link them to a concat named c.
hksv_scene_parts() {
  local h=$(((320 * $2 / $1 + 1) / 2 * 2)) still motion i
  local small="video/x-raw,format=I420,width=320,height=$h,framerate=$3"
  still=$(awk -v s="$STILL_S" -v f="$3" 'BEGIN { split(f, p, "/"); printf "%d", s * p[1] / p[2] + 0.5 }')
  motion=$(awk -v s="$MOTION_S" -v f="$3" 'BEGIN { split(f, p, "/"); printf "%d", s * p[1] / p[2] + 0.5 }')
  for i in $(seq "$CYCLES"); do
    echo "videotestsrc pattern=black num-buffers=$still ! $small ! c."
    echo "videotestsrc pattern=ball num-buffers=$motion ! $small ! c."
  done
  echo "videotestsrc pattern=black num-buffers=$still ! $small ! c."
}

# Finds the hksv plugin: an installed one, or the build tree's (BUILD_DIR, default build; a
# plain build: an ASan-instrumented plugin cannot be loaded by gst-launch-1.0).
hksv_find_plugin() {
  local dir=${HKSV_PLUGIN_DIR:-$HKSV_TOP/${BUILD_DIR:-build}/plugins/hksv}
  if [ -f "$dir/libgsthksv.so" ]; then
    export GST_PLUGIN_PATH_1_0="$dir${GST_PLUGIN_PATH_1_0:+:$GST_PLUGIN_PATH_1_0}"
  fi
  if [ "$PRINT_ONLY" != 1 ] && ! gst-inspect-1.0 hksvsink >/dev/null 2>&1; then
    echo "error: the hksv plugin is not found: build it (tools/setup.sh build) or set" \
      "HKSV_PLUGIN_DIR to the directory of libgsthksv.so" >&2
    exit 1
  fi
}

# Prints the command (one branch a line) and runs it; each argument is one branch. Of the bus
# messages, those of the hksv elements (motion on/off, clip started/finished) are shown as they
# come, with errors and warnings; VERBOSE=1 shows everything. Returns gst-launch's status.
hksv_run() {
  local desc="" b rc
  echo "# GST_PLUGIN_PATH_1_0=${GST_PLUGIN_PATH_1_0:-}"
  printf '%s -e -m' "$GST_LAUNCH"
  for b in "$@"; do
    printf ' \\\n  %s' "$b"
    desc="$desc $b"
  done
  printf '\n'
  [ "$PRINT_ONLY" = 1 ] && return 0
  mkdir -p "$OUT_DIR"
  set -f
  if [ "$VERBOSE" = 1 ]; then
    # shellcheck disable=SC2086 # the description is split into gst-launch's words on purpose
    $GST_LAUNCH -e -m $desc
    rc=$?
  else
    # shellcheck disable=SC2086
    stdbuf -oL $GST_LAUNCH -e -m $desc 2>&1 | awk '
      /^Got message/ {
        if ($0 ~ /\(element\): hksv-/) {
          sub(/^Got message #[0-9]+ from element /, "")
          print
          fflush()
        }
        next
      }
      /^(Redistribute latency|Progress:|Setting pipeline|Pipeline is|Freeing pipeline|New clock)/ {
        next
      }
      { print; fflush() }'
    rc=${PIPESTATUS[0]}
  fi
  set +f
  return "$rc"
}
