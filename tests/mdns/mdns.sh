#!/bin/bash
# mDNS integration test for hap/mdns.c (see tests/mdns/meson.build).
#
# Starts a private D-Bus system bus (a unix socket in a temporary directory) and a private
# avahi-daemon on it that may use the loopback interface only (allow-interfaces=lo, every other
# interface denied, no IPv6, no reflector, no wide-area, no workstation/hinfo records), then:
#   1. runs mdns-advertise (loopback only) BEFORE the daemon: it must say "state no-daemon" (one
#      g_warning, keeps running), then register by itself once the daemon starts;
#   2. checks `avahi-browse -rpt _hap._tcp` resolves the service with the exact TXT record;
#   3. sends "paired 1" and "config 2" and checks the browser sees sf=0 and c#=2;
#   4. a second advertiser with the same name is renamed ("NAME #2", name-changed callback);
#   5. restarts the daemon: the first service comes back by itself with its current TXT;
#   6. the real server: hap-test-accessory --advertise-loopback (on 127.0.0.1, its own storage
#      in the temporary directory) must be seen with sf=1 and its own c#, id, ci and sh (sh
#      computed here from the setup id in its setup payload and its device id); then the npm
#      hap-controller HttpClient (mdns-pair.js, node) pairs with it: sf=0, the same c#; removes
#      its pairing: sf=1 again; a restart on the same storage keeps id and c#. Without node or
#      tests/interop/node_modules only the unpaired checks run (said on stderr).
# Everything started here is stopped on exit (trap), and lo's MULTICAST flag is restored.
#
# Skips (exit 77, reason on stderr) when: not root (avahi-daemon's pid file and socket live in
# /run/avahi-daemon, a fixed path), another avahi-daemon is running, a tool is missing, or the
# daemon cannot start or will not use lo.
#
# The MULTICAST flag of lo: containers often have lo without it. Found by running this test:
# avahi-daemon 0.8 still treats such an lo as a relevant interface (its flag check accepts
# IFF_LOOPBACK or IFF_MULTICAST) and the whole test passes, since avahi-browse asks the same
# daemon. So the flag is left alone; only if the daemon does not take lo, and we are root, is it
# set ("ip link set lo multicast on"), the daemon restarted, and the flag restored on exit.
#
# Addresses: even with use-ipv6=no, avahi-daemon 0.8 registers "::1 on lo.*" next to 127.0.0.1,
# so avahi-browse may resolve a service to either (seen by this test): both are accepted, any
# other address fails.
set -u

ADVERTISE=${1:?usage: mdns.sh PATH-TO-mdns-advertise PATH-TO-hap-test-accessory [NODE]}
ACCESSORY=${2:?usage: mdns.sh PATH-TO-mdns-advertise PATH-TO-hap-test-accessory [NODE]}
NODE=${3:-}
SRC_DIR=$(cd "$(dirname "$0")" && pwd)
NAME="HKSV-mDNS-Test-$$" # avahi-browse -p escapes spaces (\032)
PORT=51827

skip() {
  echo "SKIP: $*" >&2
  exit 77
}
fail() {
  echo "FAIL: $*" >&2
  [ -n "${TMP:-}" ] && [ -f "$TMP/avahi.log" ] && sed 's/^/avahi: /' "$TMP/avahi.log" >&2
  [ -n "${TMP:-}" ] && [ -f "$TMP/adv.out" ] && sed 's/^/advertise: /' "$TMP/adv.out" >&2
  [ -n "${TMP:-}" ] && [ -f "$TMP/acc.out" ] && sed 's/^/accessory: /' "$TMP/acc.out" >&2
  [ -n "${TMP:-}" ] && [ -f "$TMP/acc.err" ] && sed 's/^/accessory: /' "$TMP/acc.err" >&2
  exit 1
}

for tool in dbus-daemon avahi-daemon avahi-browse ip; do
  command -v "$tool" >/dev/null 2>&1 || skip "$tool not found"
done
[ "$(id -u)" = 0 ] || skip "needs root: avahi-daemon keeps its pid file and socket in /run/avahi-daemon"
if avahi-daemon --check 2>/dev/null || [ -e /run/avahi-daemon/pid ]; then
  skip "an avahi-daemon is already running (or left /run/avahi-daemon/pid); it uses fixed paths"
fi

TMP=$(mktemp -d /tmp/hap-mdns-test.XXXXXX) || fail "mktemp"
DBUS_PID=
AVAHI_PID=
ADV_PID=
ADV2_PID=
ACC_PID=
LO_MULTICAST_SET=
RUN_DIR_CREATED=
cleanup() {
  exec 3>&- 4>&- 5>&-
  for pid in $ADV_PID $ADV2_PID $ACC_PID $AVAHI_PID $DBUS_PID; do
    kill "$pid" 2>/dev/null
  done
  for pid in $ADV_PID $ADV2_PID $ACC_PID $AVAHI_PID $DBUS_PID; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  [ -n "$LO_MULTICAST_SET" ] && ip link set lo multicast off
  rm -f /run/avahi-daemon/pid /run/avahi-daemon/socket
  [ -n "$RUN_DIR_CREATED" ] && rmdir /run/avahi-daemon 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# Interfaces: only lo may ever be used.
DENY=$(ls /sys/class/net | grep -vx lo | paste -sd, -)

# Private system bus.
cat >"$TMP/bus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$TMP/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="org.freedesktop.Avahi"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
  </policy>
</busconfig>
CONF
dbus-daemon --config-file="$TMP/bus.conf" --nofork --nopidfile >"$TMP/dbus.log" 2>&1 &
DBUS_PID=$!
for _ in $(seq 50); do [ -S "$TMP/bus" ] && break; sleep 0.1; done
[ -S "$TMP/bus" ] || fail "private dbus-daemon did not start: $(cat "$TMP/dbus.log")"
export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$TMP/bus"

wait_for_line() { # pattern file timeout-tenths
  for _ in $(seq "$3"); do
    grep -q "$1" "$2" && return 0
    sleep 0.1
  done
  return 1
}

# The advertiser, with a command pipe on its stdin.
mkfifo "$TMP/adv.in"
"$ADVERTISE" "$NAME" "$PORT" <"$TMP/adv.in" >"$TMP/adv.out" 2>"$TMP/adv.err" &
ADV_PID=$!
exec 3>"$TMP/adv.in"

wait_for_line '^state no-daemon' "$TMP/adv.out" 50 ||
  fail "without a daemon the advertiser did not report no-daemon: $(cat "$TMP/adv.out" "$TMP/adv.err")"
kill -0 "$ADV_PID" 2>/dev/null || fail "the advertiser exited without a daemon"

# Private avahi-daemon on lo only.
cat >"$TMP/avahi.conf" <<CONF
[server]
host-name=hap-mdns-test
domain-name=local
use-ipv4=yes
use-ipv6=no
allow-interfaces=lo
deny-interfaces=$DENY
enable-dbus=yes
ratelimit-interval-usec=1000000
ratelimit-burst=1000
[wide-area]
enable-wide-area=no
[publish]
publish-addresses=yes
publish-hinfo=no
publish-workstation=no
publish-domain=no
[reflector]
enable-reflector=no
[rlimits]
CONF
[ -d /run/avahi-daemon ] || { mkdir -p /run/avahi-daemon && RUN_DIR_CREATED=1; }
start_avahi() {
  avahi-daemon --no-drop-root --no-chroot --no-rlimits --no-proc-title -f "$TMP/avahi.conf" \
    >"$TMP/avahi.log" 2>&1 &
  AVAHI_PID=$!
  for _ in $(seq 100); do
    grep -q "Server startup complete" "$TMP/avahi.log" && break
    kill -0 "$AVAHI_PID" 2>/dev/null || break
    sleep 0.1
  done
  if ! grep -q "Server startup complete" "$TMP/avahi.log"; then
    kill -0 "$AVAHI_PID" 2>/dev/null ||
      skip "avahi-daemon cannot start here: $(tail -3 "$TMP/avahi.log" | tr '\n' ' ')"
    fail "avahi-daemon did not complete its startup"
  fi
}
stop_avahi() {
  kill "$AVAHI_PID"
  wait "$AVAHI_PID" 2>/dev/null
  AVAHI_PID=
}
start_avahi
if ! grep -q "New relevant interface lo.IPv4" "$TMP/avahi.log" &&
  ! ip link show lo | grep -q MULTICAST; then
  echo "avahi-daemon does not use lo without MULTICAST; setting the flag for this test" >&2
  stop_avahi
  ip link set lo multicast on || skip "lo has no MULTICAST flag and it cannot be set"
  LO_MULTICAST_SET=1
  start_avahi
fi
grep -q "New relevant interface lo.IPv4" "$TMP/avahi.log" ||
  skip "avahi-daemon does not use lo here: $(tail -3 "$TMP/avahi.log" | tr '\n' ' ')"
if grep "New relevant interface" "$TMP/avahi.log" | grep -qv "interface lo\."; then
  fail "avahi-daemon uses an interface other than lo"
fi

wait_for_line '^state established' "$TMP/adv.out" 100 ||
  fail "the service was not established: $(cat "$TMP/adv.out" "$TMP/adv.err")"

# browse_txt KEY=VALUE...: waits until avahi-browse resolves our service with these TXT strings.
browse() {
  # -p escapes a space as \032 and '#' as \035 (decimal).
  local escaped=${NAME// /\\032}
  escaped=${escaped//#/\\035}
  avahi-browse -rpt "_hap._tcp" 2>"$TMP/browse.err" |
    grep -F "=;lo;IPv4;$escaped;_hap._tcp;local;" | head -1
}
expect_txt() {
  local line=
  for _ in $(seq 20); do
    line=$(browse)
    local ok=1
    for kv in "$@"; do
      case "$line" in *"\"$kv\""*) ;; *) ok= ;; esac
    done
    if [ -n "$ok" ] && [ -n "$line" ]; then
      echo "seen: $line"
      return 0
    fi
    sleep 0.5
  done
  fail "avahi-browse did not see $* for $NAME (browser output: $(avahi-browse -rpt _hap._tcp 2>&1))"
}

expect_txt "c#=1" "ff=0" "id=E1:91:1A:70:85:AA" "md=HKSV Test Camera" "pv=1.1" "s#=1" "sf=1" \
  "ci=17" "sh=yf4bzw=="
line=$(browse)
case "$line" in *";$PORT;"*) ;; *) fail "wrong port in: $line" ;; esac
case "$line" in *";127.0.0.1;"* | *";::1;"*) ;; *) fail "not resolved to loopback: $line" ;; esac
# Exactly these nine TXT strings.
ntxt=$(echo "$line" | grep -o '"[^"]*"' | wc -l)
[ "$ntxt" = 9 ] || fail "expected 9 TXT strings, got $ntxt: $line"

echo "paired 1" >&3
wait_for_line '^ok paired 1' "$TMP/adv.out" 50 || fail "advertiser did not apply 'paired 1'"
expect_txt "sf=0" "c#=1"

echo "config 2" >&3
wait_for_line '^ok config 2' "$TMP/adv.out" 50 || fail "advertiser did not apply 'config 2'"
expect_txt "sf=0" "c#=2"

# A second service of the same name is renamed by the library.
mkfifo "$TMP/adv2.in"
"$ADVERTISE" "$NAME" "$((PORT + 1))" <"$TMP/adv2.in" >"$TMP/adv2.out" 2>"$TMP/adv2.err" 3>&- &
ADV2_PID=$!
exec 4>"$TMP/adv2.in"
wait_for_line "^name $NAME #2\$" "$TMP/adv2.out" 100 ||
  fail "no rename after a name conflict: $(cat "$TMP/adv2.out" "$TMP/adv2.err")"
wait_for_line '^state established' "$TMP/adv2.out" 100 || fail "renamed service not established"
NAME="$NAME #2" expect_txt "c#=1" "sf=1"
kill "$ADV2_PID"
wait "$ADV2_PID" 2>/dev/null
ADV2_PID=

# The daemon restarts: the first service registers again by itself, with its current TXT.
established_before=$(grep -c '^state established' "$TMP/adv.out")
stop_avahi
start_avahi
for _ in $(seq 100); do
  [ "$(grep -c '^state established' "$TMP/adv.out")" -gt "$established_before" ] && break
  sleep 0.1
done
[ "$(grep -c '^state established' "$TMP/adv.out")" -gt "$established_before" ] ||
  fail "the service was not registered again after a daemon restart"
expect_txt "sf=0" "c#=2"

echo "quit" >&3
for _ in $(seq 50); do kill -0 "$ADV_PID" 2>/dev/null || break; sleep 0.1; done
kill -0 "$ADV_PID" 2>/dev/null && fail "advertiser did not quit"
wait "$ADV_PID" || fail "advertiser exited with $?"
ADV_PID=
# Exactly the expected warnings: one for the missing daemon, one for the restart.
grep -q "CRITICAL" "$TMP/adv.err" && fail "advertiser criticals: $(cat "$TMP/adv.err")"
[ "$(grep -c "WARNING" "$TMP/adv.err")" = 2 ] || fail "advertiser warnings: $(cat "$TMP/adv.err")"

# 6. The real server (hap/server.c through hap/mdns.c).
NAME="HKSV-mDNS-Accessory-$$"
SETUP_CODE=031-45-154
mkfifo "$TMP/acc.in"
start_accessory() {
  : >"$TMP/acc.out"
  "$ACCESSORY" --storage "$TMP/acc-storage" --setup-code "$SETUP_CODE" --name "$NAME" \
    --advertise-loopback <"$TMP/acc.in" >"$TMP/acc.out" 2>"$TMP/acc.err" 3>&- 4>&- &
  ACC_PID=$!
  exec 5>"$TMP/acc.in"
  wait_for_line '^CONFIG ' "$TMP/acc.out" 100 || fail "hap-test-accessory did not start"
  ACC_PORT=$(sed -n 's/^PORT //p' "$TMP/acc.out")
  ACC_ID=$(sed -n 's/^ID //p' "$TMP/acc.out")
  ACC_CONFIG=$(sed -n 's/^CONFIG //p' "$TMP/acc.out")
}
stop_accessory() {
  echo "quit" >&5
  exec 5>&-
  for _ in $(seq 50); do kill -0 "$ACC_PID" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$ACC_PID" 2>/dev/null && fail "hap-test-accessory did not quit"
  wait "$ACC_PID" || fail "hap-test-accessory exited with $?"
  ACC_PID=
}
# expect_accessory_txt sf: the accessory's whole TXT record, and its address.
expect_accessory_txt() {
  expect_txt "c#=$ACC_CONFIG" "ff=0" "id=$ACC_ID" "md=libhap" "pv=1.1" "s#=1" "sf=$1" "ci=5" \
    "sh=$ACC_SH"
  line=$(browse)
  case "$line" in *";$ACC_PORT;"*) ;; *) fail "wrong port in: $line" ;; esac
  case "$line" in *";127.0.0.1;"* | *";::1;"*) ;; *) fail "not resolved to loopback: $line" ;; esac
  ntxt=$(echo "$line" | grep -o '"[^"]*"' | wc -l)
  [ "$ntxt" = 9 ] || fail "expected 9 TXT strings, got $ntxt: $line"
}

start_accessory
[ "$ACC_CONFIG" = 1 ] || fail "a new accessory has c# $ACC_CONFIG, not 1"
echo "$ACC_ID" | grep -Eqx '([0-9A-F]{2}:){5}[0-9A-F]{2}' || fail "device id '$ACC_ID'"
wait_for_line '^SETUP ' "$TMP/acc.out" 50 || fail "no setup payload"
# The setup id is the last 4 characters of the X-HM:// payload; sh is the first 4 bytes of
# SHA-512(setup id + device id), base64 (HAP section 6.4).
SETUP_ID=$(sed -n 's/^SETUP [^ ]* X-HM:\/\/.\{9\}\(.\{4\}\)$/\1/p' "$TMP/acc.out" | head -1)
[ -n "$SETUP_ID" ] || fail "no setup id in the payload"
ACC_SH=$(printf '%s%s' "$SETUP_ID" "$ACC_ID" | sha512sum | cut -c1-8 | xxd -r -p | base64)
expect_accessory_txt 1

pair() { # command args...: runs mdns-pair.js; 77 when node or its modules are missing
  [ -n "$NODE" ] || return 77
  "$NODE" "$SRC_DIR/mdns-pair.js" "$@" 2>>"$TMP/pair.err"
}
paired_id=$(pair pair "$ACC_PORT" "$SETUP_CODE" "$TMP/controller.json")
rc=$?
if [ "$rc" = 77 ]; then
  echo "node or tests/interop/node_modules missing: pairing through mDNS not tested" >&2
else
  [ "$rc" = 0 ] || fail "pair-setup with hap-controller failed: $(cat "$TMP/pair.err")"
  [ "$paired_id" = "$ACC_ID" ] || fail "paired with '$paired_id', TXT id is '$ACC_ID'"
  wait_for_line '^PAIRED 1' "$TMP/acc.out" 50 || fail "the accessory did not report PAIRED 1"
  expect_accessory_txt 0
  pair unpair "$ACC_PORT" "$TMP/controller.json" ||
    fail "removing the pairing failed: $(cat "$TMP/pair.err")"
  wait_for_line '^PAIRED 0' "$TMP/acc.out" 50 || fail "the accessory did not report PAIRED 0"
  expect_accessory_txt 1
fi

# The same storage and database: the same id and c#.
first_id=$ACC_ID
stop_accessory
start_accessory
[ "$ACC_ID" = "$first_id" ] || fail "device id changed across a restart: $first_id -> $ACC_ID"
[ "$ACC_CONFIG" = 1 ] || fail "c# changed across a restart of the same database: $ACC_CONFIG"
expect_accessory_txt 1
stop_accessory
grep -q "CRITICAL" "$TMP/acc.err" && fail "accessory criticals: $(cat "$TMP/acc.err")"
echo "PASS: _hap._tcp advertised on lo with live TXT updates, also by the HAP server"
exit 0
