#!/usr/bin/env bash
# Shows that ferry-diskverify catches what it must: runs ferry-diskwrite on a
# file image on the host for a moment, then damages copies of the image (and
# of the ack state) in specific ways and checks that the verifier fails, with
# exit code 1, naming the damaged block -- and that it still passes where the
# rules allow it (one in-flight write that landed after the last ack).
#
# Needs gcc and make only; uses no network, no root, no devices.
# Prints "N passed, N failed" last; exits non-zero if anything failed.
set -euo pipefail
export LC_ALL=C

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TMP=$(mktemp -d /tmp/ferry-verify-selftest.XXXXXX)
WRITER_PID=
cleanup() {
	[ -n "$WRITER_PID" ] && kill "$WRITER_PID" 2>/dev/null && wait "$WRITER_PID" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

PASS=0 FAIL=0
ok() { PASS=$((PASS + 1)); echo "ok   - $*"; }
not_ok() { FAIL=$((FAIL + 1)); echo "FAIL - $*"; }

make -s -C "$HERE" OUT="$TMP/bin" >&2
BIN=$TMP/bin
N=256
IMG=$TMP/disk.img
ACK=$TMP/disk.ack
truncate -s $((N * 4096)) "$IMG"

# verify NAME EXPECTED_RC PATTERN [verifier args...]: runs the verifier on the
# current $CASE image and checks its exit code and that its JSON matches PATTERN.
verify() {
	local name=$1 want=$2 pattern=$3 out rc
	shift 3
	set +e
	out=$("$BIN/ferry-diskverify" "$CASE" --blocks $N "$@" 2>/dev/null)
	rc=$?
	set -e
	if [ "$rc" = "$want" ] && echo "$out" | grep -qE -- "$pattern"; then
		ok "$name (exit $rc)"
	else
		not_ok "$name: exit $rc, wanted $want and /$pattern/; output: $out"
	fi
}

# A short real run, stopped with SIGTERM like the guest does.
"$BIN/ferry-diskwrite" "$IMG" --blocks $N --rate-mibps 2 --ack-file "$ACK" 2>"$TMP/writer.log" &
WRITER_PID=$!
sleep 1.5
kill -TERM "$WRITER_PID"
if wait "$WRITER_PID"; then ok "writer stops cleanly on SIGTERM"; else not_ok "writer exit code $?"; fi
WRITER_PID=
read -r ackline <"$ACK"
A=$(echo "$ackline" | sed -n 's/^seq=\([0-9]*\) .*/\1/p')
RUN=$(echo "$ackline" | sed -n 's/.* run=\([0-9a-f]*\) .*/\1/p')
echo "writer acknowledged $A writes (run $RUN) into a ring of $N blocks"
[ "$A" -gt $((N + 20)) ] && ok "ring wrapped ($A > $N)" || not_ok "too few writes to wrap the ring: $A"

CASE=$IMG
verify "intact ring verifies" 0 '"ok":true' --ack-file "$ACK"
verify "intact ring verifies with --acked/--run" 0 "\"ok\":true,\"acked\":$A," --acked "$A" --run "$RUN"

# One payload byte flipped in an acknowledged block.
X=$(((A - 5) % N))
CASE=$TMP/corrupt.img
cp "$IMG" "$CASE"
printf '\377' | dd of="$CASE" bs=1 seek=$((X * 4096 + 2000)) conv=notrunc status=none
verify "payload corruption names block $X" 1 "\"corrupt\":\[\{\"block\":$X,\"reason\":\"checksum\"\}\]" --ack-file "$ACK"

# The seq field of a block rewritten: the header is under the checksum too.
CASE=$TMP/header.img
cp "$IMG" "$CASE"
printf '\001' | dd of="$CASE" bs=1 seek=$((X * 4096 + 16)) conv=notrunc status=none
verify "header corruption names block $X" 1 "\"corrupt\":\[\{\"block\":$X,\"reason\":\"checksum\"\}\]" --ack-file "$ACK"

# One acknowledged block zeroed: a lost write.
Y=$(((A - 10) % N))
CASE=$TMP/zeroed.img
cp "$IMG" "$CASE"
dd if=/dev/zero of="$CASE" bs=4096 seek=$Y count=1 conv=notrunc status=none
verify "zeroed block $Y is reported missing" 1 "\"missing\":\[\{\"seq\":$((A - 10)),\"block\":$Y\}\]" --ack-file "$ACK"

# A block replaced by its previous generation (seq - N): an old write resurfaced.
CASE=$TMP/stale.img
cp "$IMG" "$CASE"
truncate -s $((N * 4096)) "$TMP/old.img"
"$BIN/ferry-diskwrite" "$TMP/old.img" --blocks $N --count $((A - 10 - N)) --ack-file "$TMP/old.ack" 2>/dev/null
dd if="$TMP/old.img" of="$CASE" bs=4096 skip=$Y seek=$Y count=1 conv=notrunc status=none
verify "older generation in block $Y is reported stale" 1 \
	"\"stale\":\[\{\"seq\":$((A - 10)),\"block\":$Y,\"found\":$((A - 10 - N))\}\]" --acked "$A"

# The acknowledgement is ahead of the disk: writes acknowledged but not there.
CASE=$IMG
verify "ack ahead of the disk fails" 1 '"ok":false.*"(missing|stale)Count":[1-9]' --acked $((A + 2)) --run "$RUN"

# The in-flight rule: the write after the last ack may have landed...
verify "one landed in-flight write is accepted" 0 '"ok":true.*"inflight":true' --acked $((A - 1)) --run "$RUN"
# ...but not two: then the disk is newer than the acknowledged state.
verify "two writes beyond the ack are rejected" 1 '"ok":false' --acked $((A - 2)) --run "$RUN"

verify "missing ack file is an error" 2 '"error"' --ack-file "$TMP/nonexistent.ack"
CASE=$TMP/nonexistent.img
verify "missing device is an error" 2 '"error"' --acked 1

echo "$PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
