#!/usr/bin/env bash
# Set-up, build and run for a fresh Debian 12 machine. The README's two commands call this.
#
#   tools/setup.sh run    install dependencies, build, run the main job
#   tools/setup.sh test   install dependencies, build with -Dwerror=true and ASan/UBSan, run every
#                         test suite, print "N passed, N failed", exit non-zero on any failure
#   tools/setup.sh deps   only install dependencies (Debian packages, npm test peers)
#   tools/setup.sh build  only configure and build (BUILD_DIR, default build)
#
# Environment: BUILD_DIR (build directory), SUITES (space-separated meson suites for `test`,
# default: all), SKIP_DEPS=1 (do not run apt-get/npm; for machines that are already set up).
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi

# Debian 12 packages: build tools, libhap's libraries, GStreamer 1.22 and its plugins, Avahi,
# libqrencode, and the tools the tests use (clang for libFuzzer, ffprobe, node for interop peers).
DEBIAN_PACKAGES=(
  build-essential meson ninja-build pkg-config python3 git
  libglib2.0-dev libsodium-dev libgmp-dev libjson-glib-dev libqrencode-dev
  libavahi-client-dev libavahi-glib-dev avahi-daemon avahi-utils dbus
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev libgstreamer-plugins-bad1.0-dev
  gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav
  clang libclang-rt-14-dev clang-format ffmpeg zbar-tools
  # the RTSP test camera of pipelines/rtsp-test-server.py (tests/pipelines/test-scripts.c) and
  # gst-discoverer-1.0 (pipelines/check-clips.sh)
  python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-rtsp gstreamer1.0-plugins-base-apps
)

install_deps() {
  if [ "${SKIP_DEPS:-0}" = 1 ]; then
    return
  fi
  echo "== installing Debian packages"
  # Never let package scripts start services (avahi-daemon would advertise on every interface);
  # the mDNS tests start their own daemon restricted to the loopback interface.
  local policy=/usr/sbin/policy-rc.d restore_policy=""
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
    $SUDO chmod +x "$policy"
    restore_policy=1
  fi
  local packages=("${DEBIAN_PACKAGES[@]}")
  # Node.js for the interop peers: Debian's, unless the machine already has node and npm (for
  # example from NodeSource, which Debian's npm package would conflict with).
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    packages+=(nodejs npm)
  fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    "${packages[@]}" >/dev/null
  if [ -n "$restore_policy" ]; then
    $SUDO rm -f "$policy"
  fi
  echo "== installing npm test peers (tests/interop, from the committed lockfile)"
  (cd tests/interop && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
}

build() {
  local dir=$1
  shift
  if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" "$@"
  else
    meson configure "$dir" "$@" >/dev/null
  fi
  meson compile -C "$dir"
}

# Prints "N passed, N failed[, N skipped]" from meson's test log; fails on any failure.
summarize() {
  python3 - "$1/meson-logs/testlog.json" <<'PY'
import json, sys
passed = failed = skipped = 0
try:
    lines = open(sys.argv[1]).read().splitlines()
except OSError:
    lines = []
for line in lines:
    if not line.strip():
        continue
    r = json.loads(line)["result"]
    if r in ("OK", "EXPECTEDFAIL"):
        passed += 1
    elif r == "SKIP":
        skipped += 1
    else:
        failed += 1
if passed + failed == 0:
    failed = 1
    print("no test ran", file=sys.stderr)
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)
PY
}

run_tests() {
  local dir=${BUILD_DIR:-build-test}
  build "$dir" -Dwerror=true -Db_sanitize=address,undefined -Dtests=enabled
  local suites=() s
  for s in ${SUITES:-}; do
    suites+=(--suite "$s")
  done
  local rc=0
  meson test -C "$dir" --print-errorlogs --num-processes "$(nproc)" "${suites[@]}" || rc=$?
  summarize "$dir" || rc=1
  return $rc
}

run_main() {
  local dir=${BUILD_DIR:-build}
  build "$dir"
  # The HKSV camera (hksvaccessory on a videotestsrc pipeline) lands with the recording path.
  # Until then the main job is libhap's accessory server with a small demo accessory (a light
  # bulb and a button) that the Home app on an iPhone in the same network can pair with: it
  # prints the setup code and QR code, and advertises itself with Avahi on the local network.
  if ! pgrep -x avahi-daemon >/dev/null && command -v systemctl >/dev/null; then
    $SUDO systemctl start avahi-daemon ||
      echo "warning: avahi-daemon is not running; the iPhone will not find the accessory" >&2
  fi
  local state=${XDG_DATA_HOME:-$HOME/.local/share}/gst-hksv/demo-accessory
  echo "== demo accessory (storage: $state); Ctrl-C to stop"
  exec "$dir/tests/interop/hap-test-accessory" --storage "$state" --bind any \
    --name "gst-hksv demo" --advertise "$@"
}

cmd=${1:-}
shift || true
case "$cmd" in
  deps) install_deps ;;
  build) install_deps; build "${BUILD_DIR:-build}" "$@" ;;
  test) install_deps; run_tests ;;
  run) install_deps; run_main "$@" ;;
  *)
    sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
