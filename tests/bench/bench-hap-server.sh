#!/usr/bin/env bash
# HAP server benchmark: libhap's tests/interop/hap-test-accessory against HAP-NodeJS
# (tests/bench/hap-nodejs-accessory.js, the npm hap-nodejs of tests/interop/node_modules) in the
# same run, each server pinned to core 1 and the load client tests/bench/hap-load to core 0.
#
#   BUILD_DIR=build-bench tests/bench/bench-hap-server.sh
#
# BUILD_DIR (default build-bench, as tests/bench/run.sh) must hold a release build with
# tests/interop/hap-test-accessory, tests/bench/hap-load and tests/bench/loopback-server. Both
# HAP servers start (fresh storage, a fixed setup code), are paired once (hap-load pair), and
# hold one verified connection open while VmRSS is read after 2 s idle. Then, the servers taking
# turns at each N = 1, 4, 16 (so that they meet the same machine: other work on it comes and
# goes), BENCH_SECONDS (default 3) each: pair-verify handshakes per second over fresh
# connections, then encrypted GET /characteristics (Brightness) requests per second on N
# concurrent verified keep-alive connections, with one request in flight per connection (the
# headline figures) and then with 8 (pipelined).
# The baseline takes its turn in the GET runs: tests/bench/loopback-server on the same core,
# driven by `hap-load raw` with the same N and the wire sizes of libhap's encrypted GET request
# and response, one read and one write per request and nothing else: the ceiling of any
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
#   PREFIX_*_other_cpu_pct_N     CPU used by neither the server nor the client during the run
#                                (% of one core): other work on the machine
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
# Busy ticks of all cores (user, nice, system, irq, softirq, steal).
busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }
tck=$(getconf CLK_TCK)

# $1: key prefix, $2: key kind (verify, get, get_pipe8), $3: hap-load mode (verify, get, raw),
# $4: N, the rest: hap-load arguments. Prints the rate, the errors, the mean latency and the
# rate per second of server CPU time (user + system, all threads): on one core, what the server
# would do if the client were not the limit. Leaves hap-load's output in $tmp/PREFIX.KIND.N.
load_run() {
  local prefix=$1 key=$2 mode=$3 n=$4 out=$tmp/$1.$2.$4 t0 t1 b0 b1 w0 w1 count kind=get
  local TIMEFORMAT='%3U %3S'
  shift 4
  [ "$mode" = verify ] && kind=verify
  t0=$(cpu_ticks "$server_pid")
  b0=$(busy_ticks)
  w0=$(date +%s.%N)
  { time hl "$mode" -c "$n" -d "$seconds" "$@" >"$out"; } 2>"$out.time"
  w1=$(date +%s.%N)
  b1=$(busy_ticks)
  t1=$(cpu_ticks "$server_pid")
  count=$(sed -n "s/^${kind}_count: //p" "$out")
  say "${prefix}_${key}_per_s_$n" "$(sed -n "s/^${kind}_per_s: //p" "$out")"
  say "${prefix}_${key}_errors_$n" "$(sed -n "s/^${kind}_errors: //p" "$out")"
  say "${prefix}_${key}_latency_mean_us_$n" "$(sed -n "s/^${kind}_latency_mean_us: //p" "$out")"
  say "${prefix}_${key}_server_cpu_pct_$n" \
    "$(python3 -c "print(round(100.0 * ($t1 - $t0) / $tck / $seconds, 1))")"
  say "${prefix}_${key}_per_cpu_s_$n" \
    "$(python3 -c "print(round($count * $tck / max($t1 - $t0, 1), 1))")"
  # CPU that neither the server nor the client used, in % of one core: other work on the
  # machine, which competes with the run (> 10 or so: the figures of this run are low).
  say "${prefix}_${key}_other_cpu_pct_$n" "$(python3 -c "
u, s = map(float, open('$out.time').read().split()[-2:])
print(max(0.0, round(100.0 * (($b1 - $b0 - $t1 + $t0) / $tck - u - s) / ($w1 - $w0), 1)))")"
  sleep 0.5
}

# Each server's key prefix, pid, hap-load arguments for GET and output file; the runs of the
# three servers alternate at each N so that they meet the same machine (other work on it
# comes and goes; the three runs of one N are seconds apart, not a minute).
declare -A spid sargs
emit() { tee -a "$tmp/$1.txt"; } # $1: prefix; the key lines of that server

# $1: prefix; pairs, holds one verified connection idle and reads VmRSS.
pair_and_idle() {
  local prefix=$1 hold_pid
  hl pair --pairing "$tmp/$prefix.pairing" --setup-code "$code" "127.0.0.1:${sport[$prefix]}" \
    >/dev/null
  hl hold --pairing "$tmp/$prefix.pairing" --path "${starget[$prefix]}" -d 4 \
    "127.0.0.1:${sport[$prefix]}" >"$tmp/$prefix.hold" &
  hold_pid=$!
  wait_line "$tmp/$prefix.hold" "held:" >/dev/null
  sleep 2
  say "${prefix}_idle_rss_kb" "$(rss_kb "${spid[$prefix]}")" | emit "$prefix"
  wait "$hold_pid"
  sleep 0.5
}

# $1: prefix, $2: key kind, $3: N, the rest: extra hap-load arguments.
run_on() {
  local prefix=$1 key=$2 n=$3 mode=get
  shift 3
  server_pid=${spid[$prefix]}
  [ "$prefix" = baseline ] && mode=raw
  if [ "$key" = verify ]; then
    load_run "$prefix" verify verify "$n" --pairing "$tmp/$prefix.pairing" \
      "127.0.0.1:${sport[$prefix]}" | emit "$prefix"
  else
    # shellcheck disable=SC2086 # sargs holds separate words
    load_run "$prefix" "$key" "$mode" "$n" "$@" ${sargs[$prefix]} "127.0.0.1:${sport[$prefix]}" \
      | emit "$prefix"
  fi
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

declare -A sport starget
servers=(hap_server)
start_server ours "$accessory" --storage "$tmp/ours-storage" --setup-code "$code"
spid[hap_server]=$server_pid
sport[hap_server]=$(wait_line "$server_out" PORT)
starget[hap_server]="/characteristics?id=1.10"
echo "== hap_server on 127.0.0.1:${sport[hap_server]} (pid $server_pid)" >&2
if command -v node >/dev/null && [ -d "$top/tests/interop/node_modules/hap-nodejs" ]; then
  start_server node node "$node_script" --storage "$tmp/node-storage" --setup-code "$code"
  spid[hapnodejs]=$server_pid
  sport[hapnodejs]=$(wait_line "$server_out" PORT)
  starget[hapnodejs]="/characteristics?id=$(wait_line "$server_out" BRIGHTNESS)"
  servers+=(hapnodejs)
  echo "== hapnodejs on 127.0.0.1:${sport[hapnodejs]} (pid $server_pid)" >&2
else
  echo "bench-hap-server: node or tests/interop/node_modules/hap-nodejs missing:" \
    "HAP-NodeJS not measured" >&2
fi
for p in "${servers[@]}"; do
  : >"$tmp/$p.txt"
  pair_and_idle "$p"
  sargs[$p]="--pairing $tmp/$p.pairing --path ${starget[$p]}"
done

for n in "${ns[@]}"; do
  for p in "${servers[@]}"; do
    run_on "$p" verify "$n"
  done
done
for p in "${servers[@]}"; do
  for k in verify_per_s verify_per_cpu_s; do
    say "${p}_$k" "$(best_of "$tmp/$p.txt" "${p}_$k")" | emit "$p"
  done
done

# One GET on libhap gives the wire sizes of the baseline.
hl get -c 1 -d 1 ${sargs[hap_server]} "127.0.0.1:${sport[hap_server]}" >"$tmp/sizes"
req_bytes=$(sed -n 's/^get_request_wire_bytes: \([0-9]*\).*/\1/p' "$tmp/sizes")
resp_bytes=$(sed -n 's/^get_response_wire_bytes: \([0-9]*\).*/\1/p' "$tmp/sizes")
start_server baseline "$baseline" --request-bytes "$req_bytes" --response-bytes "$resp_bytes"
spid[baseline]=$server_pid
sport[baseline]=$(wait_line "$server_out" PORT)
sargs[baseline]="--request-bytes $req_bytes --response-bytes $resp_bytes"
echo "== baseline on 127.0.0.1:${sport[baseline]} (pid $server_pid)" >&2
: >"$tmp/baseline.txt"
get_servers=(hap_server baseline "${servers[@]:1}")

for depth in 1 8; do
  key=get
  [ "$depth" = 1 ] || key=get_pipe$depth
  for n in "${ns[@]}"; do
    for p in "${get_servers[@]}"; do
      run_on "$p" "$key" "$n" --pipeline "$depth"
    done
  done
done
for p in "${get_servers[@]}"; do
  for k in request response; do
    say "${p}_get_${k}_wire_bytes" \
      "$(sed -n "s/^get_${k}_wire_bytes: //p" "$tmp/$p.get.${ns[-1]}")" | emit "$p"
  done
done
for p in "${servers[@]}"; do
  say "${p}_rss_after_load_kb" "$(rss_kb "${spid[$p]}")" | emit "$p"
done
if [ -n "${spid[hapnodejs]:-}" ]; then
  # No mDNS: after all that, the node process must not hold any UDP socket (5353 or other).
  say "hapnodejs_udp_sockets" "$(ss -uanp | grep -c "pid=${spid[hapnodejs]}," || true)"
fi
for p in "${get_servers[@]}"; do
  stop_server "${spid[$p]}"
done
[ -n "${spid[hapnodejs]:-}" ] || exit 0

# $1: key, then prefix:file of the numerator and of the denominator, then the figure.
ratio_key() {
  local a b
  a=$(sed -n "s/^${2%%:*}_$4: //p" "${2#*:}")
  b=$(sed -n "s/^${3%%:*}_$4: //p" "${3#*:}")
  say "$1" "$(ratio "$a" "$b")"
}
ours=hap_server:$tmp/hap_server.txt
base=baseline:$tmp/baseline.txt
theirs=hapnodejs:$tmp/hapnodejs.txt
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
  ours=$(sed -n "s/^hap_server_$k: //p" "$tmp/hap_server.txt")
  theirs=$(sed -n "s/^hapnodejs_$k: //p" "$tmp/hapnodejs.txt")
  [ "$k" = verify_per_s ] && key=verify_ratio || key=verify_cpu_ratio
  say "$key" "$(ratio "$ours" "$theirs")"
done
