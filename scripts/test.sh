#!/usr/bin/env bash
# The whole test suite on a fresh Debian machine: installs what is missing, then builds and
# runs every suite - Windows x64 and x86 (mingw-w64 builds) under Wine, Linux x86_64 with the C#
# and Java bindings (and the C# suite as Windows .NET under Wine), Linux x86 (-m32), 32-bit
# against 64-bit processes on both OSes, and Linux again under AddressSanitizer +
# UndefinedBehaviorSanitizer and under ThreadSanitizer - then fuzzes the channel algorithm for a
# minute (scripts/fuzz.sh, counted as one test), and makes the native release packages and uses
# them from outside (tests/release/run_consumers.sh). Exits non-zero if anything fails.
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
# The Windows builds first: the linux build packs their DLLs into the NuGet package and
# shmlink.jar. Each 32-bit preset's interop tests use the 64-bit build of its OS, built before it.
# windows-i686 runs where 32-bit Wine works (scripts/wine32.sh: a private mount namespace).
#
# 32-bit Windows programs need 32-bit Wine, which needs a machine that runs 32-bit x86 code.
# Some virtual machines run none (the PVM hypervisor of our build machines has no compatibility
# mode: "Exec format error"), and emulating Wine takes minutes per program. There the
# windows-i686 build is still made with -Werror (its shared layouts are asserted at compile
# time) and its DLLs are checked statically; its Wine suite is reported as not run.
machine_runs_i386() { /lib/ld-linux.so.2 --version >/dev/null 2>&1; }
for preset in windows windows-i686 linux linux-i686 asan tsan; do
  test_command=(ctest --preset "$preset" -j"$jobs" --timeout 300)
  if [ "$preset" = windows-i686 ]; then
    if machine_runs_i386; then
      test_command=(scripts/wine32.sh "${test_command[@]}")
    else
      echo "=== windows-i686: this machine runs no 32-bit x86 code: only its static checks run ==="
      test_command=(ctest --test-dir "out/$preset/tests/exports" --output-on-failure --timeout 300)
      skipped=$((skipped + 1))
    fi
  fi
  # The Linux x86 suite and its 32<->64-bit interop tests run natively where the machine runs
  # 32-bit code, and elsewhere under qemu-i386 user-mode emulation (cmake/toolchains/i386-run.sh).
  # Under qemu a few tests skip with their reason printed: tracing a peer (ptrace) and a second
  # user id (the emulator's user namespace maps only the caller).
  echo "=== $preset: configure and build ==="
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j"$jobs"
  echo "=== $preset: test ==="
  log=$(mktemp)
  status=0
  "${test_command[@]}" 2>&1 | tee "$log" || status=$?
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

# The release as users get it: the native packages made by the release command (into a folder
# of out/, leaving dist/ alone), then used from outside (tests/release/run_consumers.sh: one
# result per consumer). A failing package.sh counts as one failure.
echo "=== release: scripts/package.sh --native, then its packages used from outside ==="
release_dist=out/release-test/dist
log=$(mktemp)
if SHMLINK_DIST_DIR="$release_dist" scripts/package.sh --native; then
  tests/release/run_consumers.sh "$release_dist" 2>&1 | tee "$log" || true
  summary=$(grep -E "^release consumers: [0-9]+ passed, [0-9]+ failed$" "$log" | tail -1 || true)
  if [ -n "$summary" ]; then
    passed=$((passed + $(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"$summary")))
    failed=$((failed + $(sed -E 's/.* ([0-9]+) failed$/\1/' <<<"$summary")))
  else
    echo "release: the consumers printed no summary"
    failed=$((failed + 1))
  fi
else
  echo "release: scripts/package.sh --native failed"
  failed=$((failed + 1))
fi
rm -f "$log"

echo
echo "All suites (windows x64 and x86 under Wine, linux with C# and Java, linux x86, asan, tsan, fuzz, release packages):"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
