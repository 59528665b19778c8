#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each one.
#
#   tests/fuzz/run.sh [--time SECONDS] [--runs N] [--jobs J] [TARGET...]
#
# Defaults: 60 s per target, no execution limit, every target (tests/fuzz/fuzz-NAME.c), one
# target at a time (--jobs runs that many targets side by side). Each target starts from a
# scratch copy of its committed seed corpus (tests/fuzz/corpus/NAME), so the repository's
# corpus stays small; new inputs go to BUILD_DIR/corpus/NAME. Crash inputs are
# written to BUILD_DIR/artifacts/. Prints one line per target with its execution count and
# exits non-zero if any target found a crash, leak or sanitizer report.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$top"
dir=${BUILD_DIR:-build-fuzz}
time=60
runs=-1
jobs=1
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --time) time=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) targets+=("$1"); shift ;;
  esac
done
if [ ${#targets[@]} -eq 0 ]; then
  for f in tests/fuzz/fuzz-*.c; do
    t=${f#tests/fuzz/fuzz-}
    targets+=("${t%.c}")
  done
fi

if [ ! -f "$dir/build.ninja" ]; then
  CC=clang meson setup "$dir" -Dfuzzing=true -Dbuildtype=debugoptimized >/dev/null
fi
ninja -C "$dir" $(printf 'tests/fuzz/fuzz-%s ' "${targets[@]}") >/dev/null
mkdir -p "$dir/artifacts"

run_target() {
  local t=$1 corpus="$dir/corpus/$1" log="$dir/fuzz-$1.log"
  mkdir -p "$corpus"
  cp -n tests/fuzz/corpus/"$t"/* "$corpus"/ 2>/dev/null || true
  local rc=0
  "$dir/tests/fuzz/fuzz-$t" -max_total_time="$time" -runs="$runs" -print_final_stats=1 \
    -artifact_prefix="$dir/artifacts/$t-" "$corpus" >"$log" 2>&1 || rc=$?
  local execs
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  if [ $rc -eq 0 ]; then
    echo "fuzz-$t: ${execs:-?} executions, no crash ($log)"
  else
    echo "fuzz-$t: FAILED after ${execs:-?} executions, exit $rc; see $log and $dir/artifacts/"
  fi
  return $rc
}

failed=0
pids=()
for t in "${targets[@]}"; do
  run_target "$t" &
  pids+=($!)
  if [ ${#pids[@]} -ge "$jobs" ]; then
    wait "${pids[0]}" || failed=1
    pids=("${pids[@]:1}")
  fi
done
for p in "${pids[@]}"; do
  wait "$p" || failed=1
done
exit $failed
