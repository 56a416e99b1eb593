#!/usr/bin/env bash
# run_windows_consumer.sh RID CONSUMER_EXE PRODUCER_EXE EXPECTED_ARCHITECTURE COUNT
# The package test's consumer program, published for Windows (run_package_test.cmake), under
# Wine (../windows/in_wine.sh RID): first on its own, then receiving COUNT messages from the C
# channel producer (a Windows build's shmlink_channel_producer.exe), checked in order. Each
# program is ended after 60 s. Passes if both exit 0 and say what they should; exits 77
# (skipped) where in_wine.sh cannot run RID at all.
set -euo pipefail
[ $# -eq 5 ] || { echo "usage: $0 RID CONSUMER_EXE PRODUCER_EXE EXPECTED_ARCHITECTURE COUNT" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
for file in "$2" "$3"; do
  [ -f "$file" ] || { echo "run_windows_consumer.sh: $file is not built" >&2; exit 1; }
done
exec "$here/../windows/in_wine.sh" "$1" bash -c '
set -euo pipefail
consumer=$1 producer=$2 arch=$3 count=$4
work=$(mktemp -d)
producer_pid=
cleanup() {
  if [ -n "$producer_pid" ]; then kill "$producer_pid" 2>/dev/null || true; wait "$producer_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
show() { for f in "$work"/*; do echo "--- $(basename "$f"):"; tr -d "\r" <"$f"; done; }
fail() { echo "run_windows_consumer.sh: $*" >&2; show >&2; exit 1; }

status=0
timeout -k 5 60 wine "$consumer" >"$work/alone" 2>&1 </dev/null || status=$?
[ "$status" -eq 0 ] || fail "the consumer alone: exit status $status"
tr -d "\r" <"$work/alone" | grep -q "^package ok: shmlink .* ($arch, Windows)\$" || fail "the consumer alone: unexpected output"

name="shmlink-cs-test.package-wine.$$"
timeout -k 5 60 wine "$producer" "$name" "$count" >"$work/producer" 2>&1 </dev/null &
producer_pid=$!
timeout -k 5 60 wine "$consumer" receive "$name" "$count" >"$work/consumer" 2>&1 </dev/null || status=$?
[ "$status" -eq 0 ] || fail "the consumer receiving: exit status $status"
wait "$producer_pid" || status=$?
producer_pid=
[ "$status" -eq 0 ] || fail "the producer: exit status $status"
tr -d "\r" <"$work/consumer" | grep -qx "received $count messages in order ($arch, Windows)" || fail "the consumer said otherwise"
tr -d "\r" <"$work/producer" | grep -qx "sent $count" || fail "the producer said otherwise"
show
' run "$2" "$3" "$4" "$5"
