#!/usr/bin/env bash
# HAP server benchmark: libhap's tests/interop/hap-test-accessory against HAP-NodeJS
# (tests/bench/hap-nodejs-accessory.js, the npm hap-nodejs of tests/interop/node_modules) in the
# same run, each server pinned to core 1 and the load client tests/bench/hap-load to core 0.
#
#   BUILD_DIR=build-bench tests/bench/bench-hap-server.sh
#
# BUILD_DIR (default build-bench, as tests/bench/run.sh) must hold a release build with
# tests/interop/hap-test-accessory and tests/bench/hap-load. For each server: start it with a
# fresh storage directory and a fixed setup code, pair once (hap-load pair), hold one verified
# connection open and read VmRSS after 2 s idle, then measure pair-verify handshakes per second
# over fresh connections and encrypted GET /characteristics (Brightness) requests per second on
# N = 1, 4, 16 concurrent verified keep-alive connections, BENCH_SECONDS (default 3) each, with
# one request in flight per connection (the headline figures) and then with 8 (pipelined).
# Between the two servers, the baseline: tests/bench/loopback-server on the same core, driven
# by `hap-load raw` with the same N and the wire sizes of libhap's encrypted GET request and
# response, one read and one write per request and nothing else: the ceiling of any
# request/response server on these cores.
# Prints `key: value` lines on stdout (progress on stderr), PREFIX hap_server, baseline or
# hapnodejs:
#   PREFIX_verify_per_s[_N]      handshakes per second (unsuffixed: the best N)
#   PREFIX_get_per_s_N           GET requests per second, one in flight per connection;
#                                get_ratio_N = ours / theirs, baseline_ratio_N = baseline /
#                                theirs, ceiling_fraction_N = ours / baseline
#   PREFIX_get_pipe8_per_s_N     the same with 8 requests in flight per connection;
#                                get_pipe8_ratio_N, baseline_pipe8_ratio_N
#   PREFIX_*_server_cpu_pct_N    the server's CPU use during the run (100 = one core busy)
#   PREFIX_*_per_cpu_s_N         operations per second of server CPU time: what one core would
#                                do if the client (one core too) were not the limit;
#                                get_cpu_ratio_N, verify_cpu_ratio compare these
#   PREFIX_get_request_wire_bytes, PREFIX_get_response_wire_bytes: one GET on the wire
#   PREFIX_idle_rss_kb           VmRSS after pairing, 2 s idle with one verified connection
#   PREFIX_rss_after_load_kb     VmRSS after the load runs
#   hapnodejs_udp_sockets        UDP sockets of the node process (0: no mDNS)
#   load_avg_1min                /proc/loadavg when the run started (other work on the machine)
# Everything listens on 127.0.0.1 only; every process started here is killed on exit.
# Without node or hap-nodejs only our server is measured.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$top"
dir=${BUILD_DIR:-build-bench}
seconds=${BENCH_SECONDS:-3}
code=031-45-154
accessory=$dir/tests/interop/hap-test-accessory
load=$dir/tests/bench/hap-load
baseline=$dir/tests/bench/loopback-server
node_script=$top/tests/bench/hap-nodejs-accessory.js
ns=(1 4 16)
server_core=1
client_core=0

for f in "$accessory" "$load" "$baseline"; do
  if [ ! -x "$f" ]; then
    echo "bench-hap-server: $f is not built (ninja -C $dir)" >&2
    exit 1
  fi
done

tmp=$(mktemp -d)
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do
    kill "$p" 2>/dev/null || true
  done
  for p in "${pids[@]}"; do
    wait "$p" 2>/dev/null || true
  done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { echo "$1: $2"; }
rss_kb() { sed -n "s/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$1/status"; }

# $1: file, $2: line prefix; waits up to 15 s for it and prints the rest of the line.
wait_line() {
  local i v
  for i in $(seq 150); do
    v=$(sed -n "s/^$2 //p" "$1" 2>/dev/null | head -1 || true)
    if [ -n "$v" ]; then
      echo "$v"
      return 0
    fi
    sleep 0.1
  done
  echo "bench-hap-server: no '$2' line in $1" >&2
  return 1
}

# Starts a server (arguments: label, command...) pinned to the server core, its stdin a FIFO
# held open (both servers end when stdin closes); sets server_pid and server_out.
start_server() {
  local label=$1
  shift
  mkfifo "$tmp/$label.in"
  taskset -c "$server_core" "$@" <"$tmp/$label.in" >"$tmp/$label.out" 2>"$tmp/$label.err" &
  server_pid=$!
  pids+=("$server_pid")
  # Hold the FIFO's write end open for the server's lifetime.
  sleep 1000000 >"$tmp/$label.in" &
  pids+=("$!")
  server_out=$tmp/$label.out
}

stop_server() {
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

hl() { taskset -c "$client_core" "$load" "$@"; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
tck=$(getconf CLK_TCK)

# $1: key prefix, $2: key kind (verify, get, get_pipe8), $3: hap-load mode (verify, get, raw),
# $4: N, the rest: hap-load arguments. Prints the rate, the errors, the mean latency and the
# rate per second of server CPU time (user + system, all threads): on one core, what the server
# would do if the client were not the limit. Leaves hap-load's output in $tmp/PREFIX.KIND.N.
load_run() {
  local prefix=$1 key=$2 mode=$3 n=$4 out=$tmp/$1.$2.$4 t0 t1 count kind=get
  shift 4
  [ "$mode" = verify ] && kind=verify
  t0=$(cpu_ticks "$server_pid")
  hl "$mode" -c "$n" -d "$seconds" "$@" >"$out"
  t1=$(cpu_ticks "$server_pid")
  count=$(sed -n "s/^${kind}_count: //p" "$out")
  say "${prefix}_${key}_per_s_$n" "$(sed -n "s/^${kind}_per_s: //p" "$out")"
  say "${prefix}_${key}_errors_$n" "$(sed -n "s/^${kind}_errors: //p" "$out")"
  say "${prefix}_${key}_latency_mean_us_$n" "$(sed -n "s/^${kind}_latency_mean_us: //p" "$out")"
  say "${prefix}_${key}_server_cpu_pct_$n" \
    "$(python3 -c "print(round(100.0 * ($t1 - $t0) / $tck / $seconds, 1))")"
  say "${prefix}_${key}_per_cpu_s_$n" \
    "$(python3 -c "print(round($count * $tck / max($t1 - $t0, 1), 1))")"
  sleep 0.5
}

# The GET runs of one server: $1 key prefix, $2 hap-load mode (get or raw), the rest its
# arguments; one request in flight per connection, then 8.
get_runs() {
  local prefix=$1 mode=$2 n
  shift 2
  for n in "${ns[@]}"; do
    load_run "$prefix" get "$mode" "$n" "$@"
  done
  for n in "${ns[@]}"; do
    load_run "$prefix" get_pipe8 "$mode" "$n" --pipeline 8 "$@"
  done
  for k in request response; do
    say "${prefix}_get_${k}_wire_bytes" \
      "$(sed -n "s/^get_${k}_wire_bytes: //p" "$tmp/$prefix.get.${ns[-1]}")"
  done
}

# $1: key prefix, $2: port, $3: GET target. Pairs, measures idle RSS, verify and GET rates.
measure() {
  local prefix=$1 port=$2 target=$3 pairing=$tmp/$1.pairing n hold_pid
  echo "== $prefix on 127.0.0.1:$port (pid $server_pid)" >&2
  hl pair --pairing "$pairing" --setup-code "$code" "127.0.0.1:$port" >/dev/null
  hl hold --pairing "$pairing" --path "$target" -d 4 "127.0.0.1:$port" >"$tmp/$prefix.hold" &
  hold_pid=$!
  wait_line "$tmp/$prefix.hold" "held:" >/dev/null
  sleep 2
  say "${prefix}_idle_rss_kb" "$(rss_kb "$server_pid")"
  wait "$hold_pid"
  sleep 0.5
  for n in "${ns[@]}"; do
    load_run "$prefix" verify verify "$n" --pairing "$pairing" "127.0.0.1:$port"
  done
  get_runs "$prefix" get --pairing "$pairing" --path "$target" "127.0.0.1:$port"
  say "${prefix}_rss_after_load_kb" "$(rss_kb "$server_pid")"
}

# The best of the N values of `key`_N in file $1.
best_of() {
  local v best=0 n
  for n in "${ns[@]}"; do
    v=$(sed -n "s/^$2_$n: //p" "$1")
    best=$(python3 -c "print(max(float('$best'), float('${v:-0}')))")
  done
  echo "$best"
}

ratio() { python3 -c "print(round(float('$1') / float('$2'), 2) if float('$2') > 0 else 'inf')"; }

say "cpu" "$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)"
say "seconds_per_run" "$seconds"
say "load_avg_1min" "$(cut -d' ' -f1 /proc/loadavg)"

# ---- libhap ----
start_server ours "$accessory" --storage "$tmp/ours-storage" --setup-code "$code"
port=$(wait_line "$server_out" PORT)
measure hap_server "$port" "/characteristics?id=1.10" | tee "$tmp/ours.txt"
stop_server "$server_pid"
for k in verify_per_s verify_per_cpu_s; do
  say "hap_server_$k" "$(best_of "$tmp/ours.txt" "hap_server_$k")" | tee -a "$tmp/ours.txt"
done

# ---- the bare loopback baseline, with libhap's wire sizes ----
req_bytes=$(sed -n 's/^hap_server_get_request_wire_bytes: \([0-9]*\).*/\1/p' "$tmp/ours.txt")
resp_bytes=$(sed -n 's/^hap_server_get_response_wire_bytes: \([0-9]*\).*/\1/p' "$tmp/ours.txt")
start_server baseline "$baseline" --request-bytes "$req_bytes" --response-bytes "$resp_bytes"
port=$(wait_line "$server_out" PORT)
echo "== baseline on 127.0.0.1:$port (pid $server_pid)" >&2
get_runs baseline raw --request-bytes "$req_bytes" --response-bytes "$resp_bytes" \
  "127.0.0.1:$port" | tee "$tmp/baseline.txt"
stop_server "$server_pid"

# ---- HAP-NodeJS ----
if ! command -v node >/dev/null || [ ! -d "$top/tests/interop/node_modules/hap-nodejs" ]; then
  echo "bench-hap-server: node or tests/interop/node_modules/hap-nodejs missing:" \
    "HAP-NodeJS not measured" >&2
  exit 0
fi
start_server node node "$node_script" --storage "$tmp/node-storage" --setup-code "$code"
port=$(wait_line "$server_out" PORT)
brightness=$(wait_line "$server_out" BRIGHTNESS)
measure hapnodejs "$port" "/characteristics?id=$brightness" | tee "$tmp/node.txt"
# No mDNS: after all that, the node process must not hold any UDP socket (5353 or other).
say "hapnodejs_udp_sockets" "$(ss -uanp | grep -c "pid=$server_pid," || true)"
stop_server "$server_pid"
for k in verify_per_s verify_per_cpu_s; do
  say "hapnodejs_$k" "$(best_of "$tmp/node.txt" "hapnodejs_$k")" | tee -a "$tmp/node.txt"
done

# $1: key, then prefix:file of the numerator and of the denominator, then the figure.
ratio_key() {
  local a b
  a=$(sed -n "s/^${2%%:*}_$4: //p" "${2#*:}")
  b=$(sed -n "s/^${3%%:*}_$4: //p" "${3#*:}")
  say "$1" "$(ratio "$a" "$b")"
}
ours=hap_server:$tmp/ours.txt
base=baseline:$tmp/baseline.txt
theirs=hapnodejs:$tmp/node.txt
for n in "${ns[@]}"; do
  ratio_key "get_ratio_$n" "$ours" "$theirs" "get_per_s_$n"
  ratio_key "get_cpu_ratio_$n" "$ours" "$theirs" "get_per_cpu_s_$n"
  ratio_key "get_pipe8_ratio_$n" "$ours" "$theirs" "get_pipe8_per_s_$n"
  ratio_key "get_pipe8_cpu_ratio_$n" "$ours" "$theirs" "get_pipe8_per_cpu_s_$n"
  ratio_key "baseline_ratio_$n" "$base" "$theirs" "get_per_s_$n"
  ratio_key "baseline_cpu_ratio_$n" "$base" "$theirs" "get_per_cpu_s_$n"
  ratio_key "baseline_pipe8_ratio_$n" "$base" "$theirs" "get_pipe8_per_s_$n"
  ratio_key "ceiling_fraction_$n" "$ours" "$base" "get_per_s_$n"
  ratio_key "ceiling_cpu_fraction_$n" "$ours" "$base" "get_per_cpu_s_$n"
done
for k in verify_per_s verify_per_cpu_s; do
  ours=$(sed -n "s/^hap_server_$k: //p" "$tmp/ours.txt")
  theirs=$(sed -n "s/^hapnodejs_$k: //p" "$tmp/node.txt")
  [ "$k" = verify_per_s ] && key=verify_ratio || key=verify_cpu_ratio
  say "$key" "$(ratio "$ours" "$theirs")"
done
