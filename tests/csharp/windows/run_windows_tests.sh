#!/usr/bin/env bash
# run_windows_tests.sh RID TIMEOUT EXE BIN_DIR [XUNIT_ARGUMENT...]
# Runs the C# tests published as a Windows program (ShmLink.Tests.Windows.csproj) under Wine
# (in_wine.sh RID), with the peer programs (shmlink_peer, the C examples) of the Windows build
# tree's BIN_DIR. The test program is ended after TIMEOUT seconds. Passes only if it exits 0 and
# its summary reports at least one test, none failed, none with an error, none skipped and none
# not run. Exits 77 (skipped) where in_wine.sh cannot run RID at all.
set -euo pipefail
[ $# -ge 4 ] || { echo "usage: $0 RID TIMEOUT EXE BIN_DIR [XUNIT_ARGUMENT...]" >&2; exit 2; }
rid=$1 limit=$2 exe=$3 bin=$4
shift 4
here=$(cd "$(dirname "$0")" && pwd)
[ -f "$exe" ] || { echo "$exe is not built" >&2; exit 1; }
[ -f "$bin/shmlink_peer.exe" ] || { echo "$bin/shmlink_peer.exe is not built" >&2; exit 1; }
# The tests find the programs through SHMLINK_BIN_DIR, as a Windows path (Wine's Z: is /).
SHMLINK_BIN_DIR="Z:$(tr / '\\' <<<"$bin")"
export SHMLINK_BIN_DIR

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
# The program's output goes to a file: Wine's system processes may hold handles they inherited
# long after it ends, and a pipe would keep ctest waiting for them.
"$here/in_wine.sh" "$rid" timeout -k 10 "$limit" wine "$exe" -noColor "$@" >"$log" 2>&1 </dev/null || status=$?
tr -d '\r' <"$log"
if [ "$status" -eq 77 ]; then
  exit 77
fi
if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
  echo "run_windows_tests.sh: the test program did not finish within $limit s" >&2
  exit 1
fi
summary=$(tr -d '\r' <"$log" | grep -E 'Total: [0-9]+, Errors: [0-9]+, Failed: [0-9]+, Skipped: [0-9]+' | tail -1 || true)
if [ -z "$summary" ]; then
  echo "run_windows_tests.sh: no test summary (exit status $status)" >&2
  exit 1
fi
if [ "$status" -ne 0 ]; then
  echo "run_windows_tests.sh: exit status $status" >&2
  exit 1
fi
if ! grep -qE 'Total: [1-9][0-9]*, Errors: 0, Failed: 0, Skipped: 0(, Not Run: 0)?,' <<<"$summary"; then
  echo "run_windows_tests.sh: not every test passed: $summary" >&2
  exit 1
fi
