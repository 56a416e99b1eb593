#!/usr/bin/env bash
# The whole test suite on a fresh Debian machine: installs what is missing, then builds and
# runs every suite - Linux, Windows (mingw-w64 build) under Wine, and Linux again under
# AddressSanitizer + UndefinedBehaviorSanitizer and under ThreadSanitizer - then fuzzes the channel
# algorithm for a minute (scripts/fuzz.sh, counted as one test). Exits non-zero if anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh test

# Wine creates its prefix on first use; do it once here rather than racing in parallel tests.
export WINEDEBUG=-all
wineboot -i >/dev/null 2>&1 || true

jobs=$(nproc)
passed=0
failed=0
skipped=0
# windows first: the linux build packs its DLLs into the NuGet package and shmlink.jar.
# The linux build also packs the 32-bit Windows DLLs (NuGet runtimes/win-x86) and tests the C#
# binding with them, and with the 32-bit C producer: those targets of windows-i686 first.
echo "=== windows-i686: configure and build (what the linux preset's C# package and tests use) ==="
cmake --preset windows-i686 >/dev/null
cmake --build --preset windows-i686 -j"$jobs" --target shmlink shmlink_csharp shmlink_channel_producer
for preset in windows linux asan tsan; do
  echo "=== $preset: configure and build ==="
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j"$jobs"
  echo "=== $preset: test ==="
  log=$(mktemp)
  status=0
  ctest --preset "$preset" -j"$jobs" --timeout 300 2>&1 | tee "$log" || status=$?
  summary=$(grep -E "tests passed, [0-9]+ tests failed out of [0-9]+" "$log" | tail -1 || true)
  not_run=$(grep -cE "^\s+[0-9]+ - .*\((Skipped|Disabled)\)" "$log" || true)
  rm -f "$log"
  if [ -z "$summary" ]; then
    echo "$preset: ctest printed no summary (status $status)"
    failed=$((failed + 1))
    continue
  fi
  total=$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$summary")
  bad=$(sed -E 's/.* ([0-9]+) tests failed.*/\1/' <<<"$summary")
  # ctest counts a skipped test as passed; we do not.
  passed=$((passed + total - bad - not_run))
  failed=$((failed + bad))
  skipped=$((skipped + not_run))
done

echo "=== fuzz: the channel algorithm with scribbled shared state, 60 s ==="
if scripts/fuzz.sh 60; then
  passed=$((passed + 1))
else
  echo "fuzz: failed (the input is in out/fuzz/)"
  failed=$((failed + 1))
fi

echo
echo "All suites (windows under Wine, linux with C# and Java, asan, tsan, fuzz):"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
