#!/usr/bin/env bash
# Builds the benchmarks in a release build, runs them one after the other and writes
# docs/benchmarks.md (figures, targets met or missed, machine and commit).
#
#   tests/bench/run.sh [--out FILE]
#
# Each bench-NAME program prints "key: value" lines; the targets below are checked against them.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$top"
dir=${BUILD_DIR:-build-bench}
out=docs/benchmarks.md
[ "${1:-}" = "--out" ] && out=$2

if [ ! -f "$dir/build.ninja" ]; then
  meson setup "$dir" -Dbuildtype=release -Db_ndebug=if-release >/dev/null
fi
ninja -C "$dir" >/dev/null

# key, comparison, target, meaning
targets=$(cat <<'T'
hds_frame_ratio >= 0.9 HDS frame encrypt+decrypt throughput / bare libsodium AEAD throughput
srp_accessory_ms_per_setup <= 25 SRP accessory-side time per pair-setup on one core (ms)
get_ratio_16 >= 10 encrypted GET /characteristics per second, libhap / HAP-NodeJS, 16 connections
hap_server_verify_per_s >= 2000 pair-verify handshakes per second, libhap server on one core
hap_server_idle_rss_kb <= 8192 libhap test accessory idle RSS, paired, one verified connection (kB)
motion_ms_per_1080p_frame <= 0.1 hksvmotion analysis per analysed 1080p frame, default settings, one core (ms)
motion_opencv_ratio >= 10 per analysed 1080p frame: OpenCV frame differencing at 320x180 / hksvmotion
motion_hit_rate >= 1 motion scene set: object intervals hksvmotion reports within 300 ms (fraction)
motion_false_events <= 0 motion scene set: hksvmotion motion events without an object
T
)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for b in "$dir"/tests/bench/bench-*; do
  [ -f "$b" ] && [ -x "$b" ] || continue # not the bench-NAME.p object dirs
  name=$(basename "$b")
  echo "== $name" >&2
  # One core, as the targets are stated per core.
  taskset -c 0 "$b" | tee "$tmp/$name.txt" >&2
done

# The HAP server against HAP-NodeJS (servers on core 1, load client on core 0).
echo "== bench-hap-server" >&2
if ! BUILD_DIR="$dir" tests/bench/bench-hap-server.sh | tee "$tmp/bench-hap-server.txt" >&2; then
  echo "bench-hap-server.sh failed" >&2
fi

{
  echo "# Benchmarks"
  echo
  echo "Written by \`tests/bench/run.sh\` (release build, each benchmark pinned to one core)."
  echo
  echo "- date: $(date -u +%Y-%m-%d)"
  echo "- commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "- CPU: $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1) ($(nproc) cores)"
  echo
  echo "## Targets"
  echo
  echo "| figure | measured | target | result |"
  echo "|---|---|---|---|"
  while read -r key op want meaning; do
    [ -n "$key" ] || continue
    got=$(cat "$tmp"/*.txt | sed -n "s/^$key: *\([0-9.eE+-]*\).*/\1/p" | head -1)
    if [ -z "$got" ]; then
      verdict="not measured"
    elif python3 -c "import sys; sys.exit(0 if float('$got') $op float('$want') else 1)"; then
      verdict="met"
    else
      verdict="MISSED"
    fi
    echo "| $meaning | ${got:--} | $op $want | $verdict |"
  done <<<"$targets"
  echo
  echo "## Reading the figures"
  echo
  echo "- hds_message_*_mb_s: one dataSend data event with a 262144-byte chunk, encoded and"
  echo "  decoded in cache. Decoding references the chunk without copying it, so these figures show"
  echo "  the per-message cost (about 2 us), not memory bandwidth; small_msgs_per_s is the rate for"
  echo "  control messages."
  echo "- bench-motion: CPU time of the analysis core (gst/motion-core.c) per analysed frame, 16"
  echo "  frames of a scene with a moving object cycled out of cache; *_input_frame is per frame"
  echo "  of a 30 fps stream at the default 10 analysed frames per second. The reference is"
  echo "  tests/bench/bench-motion-opencv.py on /usr/bin/python3 with Debian's python3-opencv,"
  echo "  single-threaded, on the same frames (process CPU time; skipped with a line saying why"
  echo "  when cv2 is missing). The scene set (tests/common/motion-scenes.c, 640x360) runs"
  echo "  through both: motion_scene_* lines list each detector's events, *_hits count object"
  echo "  intervals turned on within 300 ms, *_false_events motion without an object,"
  echo "  *_exact_scenes scenes meeting every bound of tests/unit/test-motion-core.c. motion_load"
  echo "  is /proc/loadavg at the start."
  echo "- bench-hap-server: both servers pinned to core 1, the C load client to core 0, in the"
  echo "  same run. *_per_cpu_s figures divide by the server's own CPU time. verify_errors count"
  echo "  handshakes that failed; at 16 client threads, each closing and reopening at once, they are"
  echo "  refusals at the server's default limit of 16 connections while closed ones are still being"
  echo "  torn down: with hap-test-accessory --max-connections 64 the same load has none."
  echo
  echo "## All figures"
  for f in "$tmp"/*.txt; do
    echo
    echo "### $(basename "$f" .txt)"
    echo
    echo '```'
    cat "$f"
    echo '```'
  done
} >"$out"
echo "wrote $out" >&2
