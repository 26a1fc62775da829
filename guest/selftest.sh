#!/usr/bin/env bash
# End-to-end check of the test guest: builds the image, boots it under QEMU
# in a throw-away "host" network namespace and exercises every service from a
# "client" namespace:
#
#   client ns (fgst-c-PID)                host ns (fgst-h-PID)
#   vc 198.18.250.2/24  <--veth-->  vh -- br0 198.18.250.1/24 -- tap0 -- QEMU guest
#                                                                 198.18.250.100/24
#
# Only 198.18.0.0/15 addresses, no default routes, nothing outside the two
# namespaces. Everything it creates (namespaces, QEMU, temp files) is removed
# on exit, also on failure or Ctrl-C; it kills only the QEMU pids it started.
#
# usage: selftest.sh [--no-repro]   (--no-repro skips the second, from-scratch build)
# Prints timings and "N passed, N failed" last; exits non-zero on any failure.
set -euo pipefail
export LC_ALL=C

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPRO=1
[ "${1:-}" = --no-repro ] && REPRO=0

[ "$(id -u)" = 0 ] || { echo "selftest: must run as root (namespaces, tap)" >&2; exit 2; }
for tool in qemu-system-x86_64:qemu-system-x86 qemu-img:qemu-utils curl:curl ip:iproute2 e2fsck:e2fsprogs; do
	command -v "${tool%%:*}" >/dev/null && continue
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${tool#*:}" >/dev/null 2>&1 ||
		{ echo "selftest: cannot install ${tool#*:}: Debian package registry unreachable?" >&2; exit 2; }
done

readonly NS_HOST=fgst-h-$$ NS_CLIENT=fgst-c-$$
readonly HOST_IP=198.18.250.1 CLIENT_IP=198.18.250.2 GUEST_IP=198.18.250.100
readonly GUEST_MAC=52:54:00:fe:18:64
TMP=$(mktemp -d /tmp/fgst.XXXXXX)
QEMU_PIDS=()

cleanup() {
	local pid
	for pid in "${QEMU_PIDS[@]}"; do
		if kill -0 "$pid" 2>/dev/null; then
			kill -TERM "$pid" 2>/dev/null || true
			for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
			kill -KILL "$pid" 2>/dev/null || true
		fi
		wait "$pid" 2>/dev/null || true
	done
	ip netns del "$NS_HOST" 2>/dev/null || true
	ip netns del "$NS_CLIENT" 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PASS=0 FAIL=0
ok() { PASS=$((PASS + 1)); echo "ok   - $*"; }
not_ok() { FAIL=$((FAIL + 1)); echo "FAIL - $*"; }
check() { # check NAME COMMAND...: records pass/fail of COMMAND
	local name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name"; fi
}
now_ms() { date +%s%3N; }
contains() { case $1 in *"$2"*) return 0 ;; esac; return 1; }
# json_val JSON FIELD: the value of a numeric/true/false/null field (first match).
json_val() { echo "$1" | sed -n "s/.*\"$2\":\([^,}]*\).*/\1/p" | head -n 1; }
quiet() { "$@" >/dev/null 2>&1; }
in_client() { ip netns exec "$NS_CLIENT" "$@"; }
# http_get PATH: the body of a 2xx reply; fails on any other status. curl rather
# than busybox wget: Debian's busybox-static 1.35 wget segfaults when given -T,
# and without a timeout a stuck guest would hang the test.
http_get() { in_client curl -sf -m 30 "http://$GUEST_IP$1"; }

# ------------------------------------------------------------------ build
t=$(now_ms)
OUT=$("$HERE/build-image.sh" --out "$TMP/img" --data-disk ext4 --data-size 16 2> >(tee "$TMP/build.log" >&2) | tail -n 1)
BUILD_MS=$(($(now_ms) - t))
BUILD_KIND=built
grep -q 'up to date' "$TMP/build.log" && BUILD_KIND=cached
check "build-image.sh produced $OUT" test -s "$OUT/vmlinuz" -a -s "$OUT/initrd.img" -a -s "$OUT/manifest.json"
check "ext4 data disk is a clean file system" quiet e2fsck -fn "$OUT/data.ext4"
"$HERE/build-image.sh" --out "$TMP/img" --data-disk qcow2 --data-size 16 >/dev/null 2>&1
check "qcow2 data disk is thin" sh -c "qemu-img info '$TMP/img/data.qcow2' | grep -q 'virtual size: 16 MiB'"
KREL=$(sed -n 's/.*"release": "\([^"]*\)".*/\1/p' "$OUT/manifest.json")

COLD_MS=-
if [ $REPRO = 1 ]; then
	# A second build from scratch in another cache must give identical bytes.
	t=$(now_ms)
	debs=${FERRY_DEB_CACHE:-${FERRY_CACHE:-/var/cache/ferry}/debs} # reuse the downloaded kernel
	OUT2=$(FERRY_CACHE="$TMP/cache2" FERRY_DEB_CACHE="$debs" "$HERE/build-image.sh" 2>"$TMP/build2.log" | tail -n 1)
	COLD_MS=$(($(now_ms) - t))
	a=$(cd "$OUT" && sha256sum vmlinuz initrd.img bin/* manifest.json)
	b=$(cd "$OUT2" && sha256sum vmlinuz initrd.img bin/* manifest.json)
	if [ "$a" = "$b" ]; then
		ok "second build from scratch is byte-identical (initrd $(echo "$a" | awk '$2=="initrd.img"{print $1}'))"
	else
		not_ok "builds differ:"$'\n'"$(diff <(echo "$a") <(echo "$b"))"
	fi
fi

# --------------------------------------------------------------- network
ip netns add "$NS_HOST"
ip netns add "$NS_CLIENT"
ip -n "$NS_HOST" link add vh type veth peer name vc netns "$NS_CLIENT"
ip -n "$NS_HOST" link add br0 type bridge
ip -n "$NS_HOST" link set br0 type bridge forward_delay 0 stp_state 0
ip -n "$NS_HOST" tuntap add tap0 mode tap
ip -n "$NS_HOST" link set vh master br0
ip -n "$NS_HOST" link set tap0 master br0
ip -n "$NS_HOST" addr add "$HOST_IP/24" dev br0
for l in lo vh tap0 br0; do ip -n "$NS_HOST" link set "$l" up; done
ip -n "$NS_CLIENT" addr add "$CLIENT_IP/24" dev vc
ip -n "$NS_CLIENT" link set lo up
ip -n "$NS_CLIENT" link set vc up
check "no default route in either namespace" \
	test -z "$(ip -n "$NS_HOST" route show default)$(ip -n "$NS_CLIENT" route show default)"

# start_qemu LOG APPEND [extra qemu args...]: boots the guest in the host namespace.
start_qemu() {
	local log=$1 append=$2
	shift 2
	ip netns exec "$NS_HOST" qemu-system-x86_64 -accel tcg -m 256 -nodefaults -display none \
		-no-reboot -serial "file:$log" -kernel "$OUT/vmlinuz" -initrd "$OUT/initrd.img" \
		-append "console=ttyS0 panic=1 $append" "$@" </dev/null >>"$TMP/qemu.out" 2>&1 &
	QEMU_PIDS+=($!) # ip netns exec execs in place: this is QEMU's pid
}

# --------------------------------------------------------- probe mode boot
t=$(now_ms)
start_qemu "$TMP/probe.log" "ferry.probe=1"
probe_pid=${QEMU_PIDS[-1]}
for _ in $(seq 600); do kill -0 "$probe_pid" 2>/dev/null || break; sleep 0.1; done
PROBE_MS=$(($(now_ms) - t))
check "ferry.probe=1 prints FERRY-PROBE-OK" grep -q FERRY-PROBE-OK "$TMP/probe.log"
check "ferry.probe=1 powers the guest off (QEMU exited after ${PROBE_MS} ms)" \
	sh -c "! kill -0 $probe_pid 2>/dev/null"

# --------------------------------------------------------------- main boot
truncate -s 32M "$TMP/data.raw"
t=$(now_ms)
start_qemu "$TMP/serial.log" \
	"ferry.ip=$GUEST_IP/24 ferry.hostname=fgst-guest ferry.dirty=8:2 ferry.diskwrite=/dev/vda:1:256" \
	-netdev tap,id=n0,ifname=tap0,script=no,downscript=no \
	-device virtio-net-pci,netdev=n0,mac=$GUEST_MAC \
	-drive file="$TMP/data.raw",format=raw,if=none,id=d0,cache=none \
	-device virtio-blk-pci,drive=d0
guest_pid=${QEMU_PIDS[-1]}
READY_MS=
for _ in $(seq 2400); do
	if grep -q "FERRY-GUEST-READY ip=$GUEST_IP" "$TMP/serial.log" 2>/dev/null; then
		READY_MS=$(($(now_ms) - t))
		break
	fi
	grep -q FERRY-GUEST-ERROR "$TMP/serial.log" 2>/dev/null && break
	kill -0 "$guest_pid" 2>/dev/null || break
	sleep 0.05
done
if [ -z "$READY_MS" ]; then
	not_ok "guest never became ready; serial log tail:"
	tail -n 30 "$TMP/serial.log" || true
	cat "$TMP/qemu.out" || true
	echo "$PASS passed, $FAIL failed"
	exit 1
fi
ok "guest ready after $READY_MS ms ($(sed -n 's/.*services up after \(.*\) of guest uptime.*/\1/p' "$TMP/serial.log"))"
check "all virtio modules loaded without error" sh -c "! grep -q 'insmod .* failed' '$TMP/serial.log'"

# ------------------------------------------------------------ UDP probe
probe=$(in_client "$OUT/bin/ferry-probe" --target "$GUEST_IP" --duration-ms 2000 --wait-first-ms 10000 || true)
echo "     probe: $probe"
sent=$(json_val "$probe" sent)
received=$(json_val "$probe" received)
check "UDP echo answers the probe ($received of $sent replies)" \
	test "${received:-0}" -gt 0 -a "${received:-0}" -ge $((${sent:-1} * 9 / 10))
check "probe reports a max gap" test -n "$(json_val "$probe" maxGapMs)"

# ------------------------------------------------------------- TCP echo
line=$(printf 'hello ferry\n' | in_client busybox nc -w 3 "$GUEST_IP" 7777 || true)
check "TCP echo prefixes time and counter ('$line')" grep -Eq '^[0-9]+ 1 hello ferry$' <<<"$line"

# ----------------------------------------------------------------- HTTP
status=$(http_get /cgi-bin/status || true)
echo "     status: $status"
check "status names the guest" contains "$status" '"hostname":"fgst-guest"'
check "status sees ferry-echod" contains "$status" '"echod":true'
check "ferry.dirty=8:2 started the dirtier at boot" contains "$status" '"dirty":{"running":true,"pid":'
check "ferry.diskwrite=/dev/vda:1:256 started the writer at boot" \
	contains "$status" '"args":"/dev/vda --rate-mibps 1 --blocks 256'
check "index page is served" contains "$(http_get / || true)" 'Ferry test guest'


r=$(http_get "/cgi-bin/dirty?wss=16&rate=8" || true)
check "dirty starts ($r)" contains "$r" '"ok":true'
sleep 1
check "status shows the dirtier running" contains "$(http_get /cgi-bin/status || true)" '"dirty":{"running":true'
r=$(http_get /cgi-bin/dirty-stop || true)
check "dirty-stop stops it ($r)" contains "$(http_get /cgi-bin/status || true)" '"dirty":{"running":false'
code=$(in_client curl -s -o /dev/null -w '%{http_code}' -m 30 "http://$GUEST_IP/cgi-bin/dirty?wss=abc" || true)
check "bad parameters are refused with 400 (got $code)" test "$code" = 400

# ------------------------------------------------------------ disk ring
r=$(http_get "/cgi-bin/diskwrite?dev=/dev/vda&rate=2&blocks=1024" || true)
check "diskwrite starts ($r)" contains "$r" '"ok":true' 
sleep 4
verify=$(http_get "/cgi-bin/diskverify?dev=/dev/vda&blocks=1024" || true)
echo "     diskverify: $verify"
acked=$(json_val "$verify" acked)
run=$(echo "$verify" | sed -n 's/.*"run":"\([0-9a-f]*\)".*/\1/p')
check "diskverify in the guest is ok after $acked acknowledged writes" \
	test "$(json_val "$verify" ok)" = true -a "${acked:-0}" -gt 0
# The writes were durable in the guest, so the host sees them in the image too.
host_verify=$("$OUT/bin/ferry-diskverify" "$TMP/data.raw" --blocks 1024 --acked "${acked:-0}" --run "${run:-0}" 2>&1 || true)
check "the same ring verifies from the host side of the disk image" \
	contains "$host_verify" "\"ok\":true,\"acked\":${acked:-0}," 

# ---------------------------------------------------------------- stop
kill -TERM "$guest_pid"
wait "$guest_pid" 2>/dev/null || true
echo
echo "timings: build-image.sh $BUILD_MS ms ($BUILD_KIND), from-scratch build $COLD_MS ms," \
	"probe boot $PROBE_MS ms, boot to FERRY-GUEST-READY $READY_MS ms (TCG, 256 MiB, kernel $KREL)"
echo "$PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
